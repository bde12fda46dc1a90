/* rl-ui-input.h — a person's hands for the UI tests: real pointer and
 * keyboard events sent through the X server (XTest), at a widget's place
 * on screen
 *
 * GTK cannot tell these from a mouse and a keyboard: they are hit-tested,
 * grabbed by popovers, turned into clicks, drags and key presses by the
 * same gestures and shortcut controllers a user's hands go through. So a
 * widget that a person cannot reach (covered, not yet mapped, under a
 * popover's grab) is not reached here either. Every call waits until GTK
 * has handled what it sent.
 *
 * Positions are in the widget's own coordinates; the widget must be
 * mapped. There is no window manager under Xvfb: a click on a toplevel
 * gives it the X input focus, as a click-to-focus window manager would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Whether the X server has XTest (asserted by the other calls). */
gboolean rl_ui_input_available   (void);

/* Where (x, y) of widget is on the screen (root window coordinates). */
void     rl_ui_input_screen_point (GtkWidget *widget,
                                   double     x,
                                   double     y,
                                   int       *root_x,
                                   int       *root_y);

/* The pointer moves there (in steps, as a hand moves it). */
void     rl_ui_input_move        (GtkWidget *widget,
                                  double     x,
                                  double     y);
/* The pointer moves to the widget's centre. */
void     rl_ui_input_hover       (GtkWidget *widget);
/* Press and release of button (1 left, 2 middle, 3 right) at (x, y). */
void     rl_ui_input_click_at    (GtkWidget *widget,
                                  double     x,
                                  double     y,
                                  guint      button);
/* A left click at the widget's centre. */
void     rl_ui_input_click       (GtkWidget *widget);
/* Two left clicks at (x, y), within the double-click time. */
void     rl_ui_input_double_click_at (GtkWidget *widget,
                                      double     x,
                                      double     y);
/* Press at (x0, y0), move in steps to (x1, y1) (both in widget's
 * coordinates), release. */
void     rl_ui_input_drag        (GtkWidget *widget,
                                  double     x0,
                                  double     y0,
                                  double     x1,
                                  double     y1);
/* A drag and drop between windows, as a hand makes one: press at (x0, y0)
 * of from, move a little (past GTK's drag threshold: the drag starts), then
 * in steps to (x1, y1) of to, rest there until a drop target on to or an
 * ancestor shows it takes the drop (asserted within 3 s), release. The
 * drag goes through the X server (XDND), also between two windows of one
 * process. What the drop leads to (its data is read after the release) is
 * the caller's to wait for. */
void     rl_ui_input_drop_on     (GtkWidget *from,
                                  double     x0,
                                  double     y0,
                                  GtkWidget *to,
                                  double     x1,
                                  double     y1);
/* Scroll wheel clicks at (x, y): dy < 0 up, > 0 down; mods held. */
void     rl_ui_input_scroll_at   (GtkWidget      *widget,
                                  double          x,
                                  double          y,
                                  int             dy,
                                  GdkModifierType mods);

/* One key (a GDK keyval) pressed and released with mods held, sent to
 * whatever has the keyboard focus. */
void     rl_ui_input_key         (guint           keyval,
                                  GdkModifierType mods);
/* Types text, character by character (any Unicode character: those the
 * keymap lacks are mapped to a spare keycode for the time of the press). */
void     rl_ui_input_type        (const char     *text);

/* Waits until widget stays at one place on screen for a few frames
 * (revealers, popovers being moved): a hand aims where a thing is, not
 * where it was a frame ago. Asserts it settles within 3 s. */
void     rl_ui_input_wait_still  (GtkWidget      *widget);

/* Lets GTK handle what the X server has sent (events, then a frame). */
void     rl_ui_input_settle      (void);

/* What a window manager does (Xvfb runs none): the X window of window
 * resized to width × height, as a drag of its edge ends in. */
void     rl_ui_input_wm_resize   (GtkWindow      *window,
                                  int             width,
                                  int             height);
/* The X window of window placed with its top left corner at (x, y) of the
 * screen, as a window manager places a window it maps. */
void     rl_ui_input_wm_move     (GtkWindow      *window,
                                  int             x,
                                  int             y);
/* Maximized: _NET_WM_STATE says so and the X window takes the screen
 * (1600 × 1000). */
void     rl_ui_input_wm_maximize (GtkWindow      *window);
/* The keyboard focus given to window, as a window manager gives it to the
 * window a person clicks; returns once GTK says it is active (asserted). */
void     rl_ui_input_wm_focus    (GtkWindow      *window);
/* The keyboard focus taken from every window of the app, as when a person
 * turns to another application; returns once none is active (asserted). */
void     rl_ui_input_wm_focus_elsewhere (void);

G_END_DECLS
