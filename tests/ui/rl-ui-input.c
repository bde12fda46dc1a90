/* rl-ui-input.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-ui-input.h"

#include <gdk/x11/gdkx.h>
#include <math.h>
#include <X11/Xatom.h>
#include <X11/XKBlib.h>
#include <X11/extensions/XTest.h>

/* GTK's default gtk-double-click-time is 400 ms: two clicks meant as two
 * single clicks at one place are this far apart, as a person's are. */
#define SINGLE_CLICK_GAP_MS 450
#define MOVE_STEPS 6
#define DRAG_STEPS 12

static gint64 last_click_us;
static int last_click_x = -1000;
static int last_click_y = -1000;

static Display *
x_display (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  g_assert_true (GDK_IS_X11_DISPLAY (display));
  return gdk_x11_display_get_xdisplay (display);
}

gboolean
rl_ui_input_available (void)
{
  int event_base, error_base, major, minor;

  return XTestQueryExtension (x_display (), &event_base, &error_base, &major, &minor);
}

static void
iterate_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

void
rl_ui_input_settle (void)
{
  Display *display = x_display ();

  /* The server has seen every request (and sent what they caused). */
  XSync (display, False);
  iterate_for (20);
  XSync (display, False);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

void
rl_ui_input_screen_point (GtkWidget *widget,
                          double     x,
                          double     y,
                          int       *root_x,
                          int       *root_y)
{
  Display *display = x_display ();
  GtkNative *native;
  GdkSurface *surface;
  graphene_point_t point;
  double surface_x, surface_y;
  Window child;

  g_assert_true (gtk_widget_get_mapped (widget));
  native = gtk_widget_get_native (widget);
  g_assert_nonnull (native);
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &GRAPHENE_POINT_INIT (x, y), &point));
  gtk_native_get_surface_transform (native, &surface_x, &surface_y);
  surface = gtk_native_get_surface (native);
  g_assert_cmpint (gdk_surface_get_scale_factor (surface), ==, 1);
  g_assert_true (XTranslateCoordinates (display, gdk_x11_surface_get_xid (surface), DefaultRootWindow (display),
                                        (int) lround (point.x + surface_x), (int) lround (point.y + surface_y),
                                        root_x, root_y, &child));
}

static void
pointer_position (int *x,
                  int *y)
{
  Display *display = x_display ();
  Window root, child;
  int wx, wy;
  unsigned int mask;

  if (!XQueryPointer (display, DefaultRootWindow (display), &root, &child, x, y, &wx, &wy, &mask))
    *x = *y = 0;
}

static void
move_root (int   x,
           int   y,
           guint steps)
{
  Display *display = x_display ();
  int from_x, from_y;

  g_assert_true (rl_ui_input_available ());
  pointer_position (&from_x, &from_y);
  for (guint i = 1; i <= steps; i++)
    {
      XTestFakeMotionEvent (display, -1, from_x + (x - from_x) * (int) i / (int) steps,
                            from_y + (y - from_y) * (int) i / (int) steps, CurrentTime);
      rl_ui_input_settle ();
    }
}

void
rl_ui_input_move (GtkWidget *widget,
                  double     x,
                  double     y)
{
  int root_x, root_y;

  rl_ui_input_screen_point (widget, x, y, &root_x, &root_y);
  move_root (root_x, root_y, MOVE_STEPS);
}

void
rl_ui_input_hover (GtkWidget *widget)
{
  rl_ui_input_move (widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
}

/* A click-to-focus window manager: pressing in a toplevel focuses it
 * (popovers are not focused by the window manager; they grab). */
/* The pointer is over widget's own window on the screen, not over another
 * one or the bare root: a window just shown may not be viewable yet on a
 * loaded machine, and a press there would go to whatever is under it.
 * Waits for that (3 s at most, asserted). */
static void
wait_pointer_over (GtkWidget *widget)
{
  Display *display = x_display ();
  Window xid = gdk_x11_surface_get_xid (gtk_native_get_surface (gtk_widget_get_native (widget)));
  gint64 give_up = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  for (;;)
    {
      XWindowAttributes attributes;
      Window root, child;
      int x, y, wx, wy;
      unsigned int mask;

      if (XGetWindowAttributes (display, xid, &attributes) && attributes.map_state == IsViewable &&
          XQueryPointer (display, DefaultRootWindow (display), &root, &child, &x, &y, &wx, &wy, &mask) &&
          child == xid)
        return;
      if (g_get_monotonic_time () > give_up)
        g_error ("the pointer is not over %s's window (not viewable yet, or under another)",
                 G_OBJECT_TYPE_NAME (widget));
      iterate_for (20);
    }
}

static void
focus_toplevel_of (GtkWidget *widget)
{
  Display *display = x_display ();
  GtkNative *native = gtk_widget_get_native (widget);
  Window focus, xid;
  int revert;

  if (!GTK_IS_WINDOW (native))
    return;
  xid = gdk_x11_surface_get_xid (gtk_native_get_surface (native));
  XGetInputFocus (display, &focus, &revert);
  if (focus != xid)
    {
      XSetInputFocus (display, xid, RevertToParent, CurrentTime);
      rl_ui_input_settle ();
    }
}

static void
button (guint    number,
        gboolean down)
{
  XTestFakeButtonEvent (x_display (), number, down, CurrentTime);
  rl_ui_input_settle ();
}

/* Two clicks at one place closer than the double-click time would be a
 * double click: a person's single clicks are further apart. */
static void
wait_single_click_gap (int x,
                       int y)
{
  gint64 since_ms = (g_get_monotonic_time () - last_click_us) / 1000;

  if (ABS (x - last_click_x) < 8 && ABS (y - last_click_y) < 8 && since_ms < SINGLE_CLICK_GAP_MS)
    iterate_for ((guint) (SINGLE_CLICK_GAP_MS - since_ms));
}

static void
note_click (int x,
            int y)
{
  last_click_us = g_get_monotonic_time ();
  last_click_x = x;
  last_click_y = y;
}

void
rl_ui_input_click_at (GtkWidget *widget,
                      double     x,
                      double     y,
                      guint      number)
{
  int root_x, root_y;

  rl_ui_input_screen_point (widget, x, y, &root_x, &root_y);
  wait_single_click_gap (root_x, root_y);
  move_root (root_x, root_y, MOVE_STEPS);
  wait_pointer_over (widget);
  focus_toplevel_of (widget);
  button (number, TRUE);
  button (number, FALSE);
  note_click (root_x, root_y);
  rl_ui_input_settle ();
}

void
rl_ui_input_click (GtkWidget *widget)
{
  rl_ui_input_click_at (widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0, 1);
}

void
rl_ui_input_double_click_at (GtkWidget *widget,
                             double     x,
                             double     y)
{
  int root_x, root_y;

  rl_ui_input_screen_point (widget, x, y, &root_x, &root_y);
  wait_single_click_gap (root_x, root_y);
  move_root (root_x, root_y, MOVE_STEPS);
  wait_pointer_over (widget);
  focus_toplevel_of (widget);
  button (1, TRUE);
  button (1, FALSE);
  button (1, TRUE);
  button (1, FALSE);
  note_click (root_x, root_y);
  rl_ui_input_settle ();
}

void
rl_ui_input_drag (GtkWidget *widget,
                  double     x0,
                  double     y0,
                  double     x1,
                  double     y1)
{
  int from_x, from_y, to_x, to_y;

  rl_ui_input_screen_point (widget, x0, y0, &from_x, &from_y);
  rl_ui_input_screen_point (widget, x1, y1, &to_x, &to_y);
  wait_single_click_gap (from_x, from_y);
  move_root (from_x, from_y, MOVE_STEPS);
  wait_pointer_over (widget);
  focus_toplevel_of (widget);
  button (1, TRUE);
  move_root (to_x, to_y, DRAG_STEPS);
  /* A hand rests a moment before letting go. */
  iterate_for (30);
  button (1, FALSE);
  note_click (to_x, to_y);
  rl_ui_input_settle ();
}

/* Whether widget or an ancestor is a drop target taking the drag over it. */
static gboolean
drop_active (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (gtk_widget_get_state_flags (widget) & GTK_STATE_FLAG_DROP_ACTIVE)
      return TRUE;
  return FALSE;
}

void
rl_ui_input_drop_on (GtkWidget *from,
                     double     x0,
                     double     y0,
                     GtkWidget *to,
                     double     x1,
                     double     y1)
{
  int from_x, from_y, to_x, to_y, threshold = 8;
  gint64 give_up;

  rl_ui_input_screen_point (from, x0, y0, &from_x, &from_y);
  rl_ui_input_screen_point (to, x1, y1, &to_x, &to_y);
  g_object_get (gtk_widget_get_settings (from), "gtk-dnd-drag-threshold", &threshold, NULL);
  wait_single_click_gap (from_x, from_y);
  move_root (from_x, from_y, MOVE_STEPS);
  wait_pointer_over (from);
  focus_toplevel_of (from);
  button (1, TRUE);
  /* Past the threshold in small steps, as a hand starts a drag. */
  move_root (from_x + 2 * threshold, from_y, MOVE_STEPS);
  move_root (to_x, to_y, DRAG_STEPS);
  /* The target answers each position (XdndStatus) when its main loop
   * has run: a hand lets go once the place shows it takes the drop. */
  give_up = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (!drop_active (to))
    {
      if (g_get_monotonic_time () > give_up)
        g_error ("no drop target on %s takes the drag", G_OBJECT_TYPE_NAME (to));
      iterate_for (20);
    }
  button (1, FALSE);
  note_click (to_x, to_y);
  rl_ui_input_settle ();
}

/* ---- keyboard -------------------------------------------------------------- */

static const struct
{
  GdkModifierType mask;
  KeySym          keysym;
} modifier_keys[] = {
  { GDK_CONTROL_MASK, XK_Control_L },
  { GDK_SHIFT_MASK, XK_Shift_L },
  { GDK_ALT_MASK, XK_Alt_L },
  { GDK_SUPER_MASK, XK_Super_L },
};

static void
key_event (KeyCode  code,
           gboolean down)
{
  XTestFakeKeyEvent (x_display (), code, down, CurrentTime);
}

static void
modifiers (GdkModifierType mods,
           gboolean        down)
{
  Display *display = x_display ();

  for (guint i = 0; i < G_N_ELEMENTS (modifier_keys); i++)
    if (mods & modifier_keys[i].mask)
      key_event (XKeysymToKeycode (display, modifier_keys[i].keysym), down);
}

/* A keycode nothing is mapped to, for characters the keymap lacks. */
static KeyCode
spare_keycode (void)
{
  Display *display = x_display ();
  int min, max, per;
  KeySym *map;
  KeyCode spare = 0;

  XDisplayKeycodes (display, &min, &max);
  map = XGetKeyboardMapping (display, (KeyCode) min, max - min + 1, &per);
  for (int code = max; code >= min && spare == 0; code--)
    {
      gboolean empty = TRUE;

      for (int i = 0; i < per; i++)
        if (map[(code - min) * per + i] != NoSymbol)
          empty = FALSE;
      if (empty)
        spare = (KeyCode) code;
    }
  XFree (map);
  g_assert_cmpint (spare, !=, 0);
  return spare;
}

/* Keys go where the X server's input focus is. With no window manager a
 * window shown gets it only when something gives it (a click does), and a
 * window destroyed leaves it on the root: then the keys would go nowhere.
 * When no window of ours has it, it goes to the one a person would be
 * typing in: the dialog if one is shown, else the window. */
static void
focus_for_keys (void)
{
  Display *display = x_display ();
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *pick = NULL;
  Window focus;
  int revert;

  XGetInputFocus (display, &focus, &revert);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

      if (!gtk_widget_get_mapped (GTK_WIDGET (window)) || surface == NULL)
        continue;
      if (gdk_x11_surface_get_xid (surface) == focus)
        return;
      if (pick == NULL || gtk_window_get_transient_for (window) != NULL)
        pick = window;
    }
  if (pick == NULL)
    return;
  XSetInputFocus (display, gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (pick))), RevertToParent,
                  CurrentTime);
  rl_ui_input_settle ();
  for (gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
       !gtk_window_is_active (pick) && g_get_monotonic_time () < until;)
    iterate_for (10);
}

/* Presses and releases keysym with mods (and Shift when the keysym is on
 * the key's second level). */
static void
tap_keysym (KeySym          keysym,
            GdkModifierType mods)
{
  Display *display = x_display ();
  KeyCode code = XKeysymToKeycode (display, keysym);
  KeyCode spare = 0;

  g_assert_true (rl_ui_input_available ());
  focus_for_keys ();
  if (code == 0)
    {
      KeySym both[2] = { keysym, keysym };

      spare = code = spare_keycode ();
      XChangeKeyboardMapping (display, spare, 2, both, 1);
      rl_ui_input_settle ();
    }
  else if (XkbKeycodeToKeysym (display, code, 0, 0) != keysym &&
           XkbKeycodeToKeysym (display, code, 0, 1) == keysym)
    mods |= GDK_SHIFT_MASK;

  modifiers (mods, TRUE);
  key_event (code, TRUE);
  key_event (code, FALSE);
  modifiers (mods, FALSE);
  rl_ui_input_settle ();

  if (spare != 0)
    {
      KeySym none[2] = { NoSymbol, NoSymbol };

      XChangeKeyboardMapping (display, spare, 2, none, 1);
      rl_ui_input_settle ();
    }
}

void
rl_ui_input_key (guint           keyval,
                 GdkModifierType mods)
{
  tap_keysym ((KeySym) keyval, mods);
}

void
rl_ui_input_type (const char *text)
{
  g_return_if_fail (g_utf8_validate (text, -1, NULL));

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n')
        tap_keysym (XK_Return, 0);
      else if (c == '\t')
        tap_keysym (XK_Tab, 0);
      else
        tap_keysym ((KeySym) gdk_unicode_to_keyval (c), 0);
    }
}

void
rl_ui_input_wait_still (GtkWidget *widget)
{
  int x = -1, y = -1, still = 0;

  for (guint i = 0; i < 100 && still < 3; i++)
    {
      int nx, ny;

      iterate_for (30);
      rl_ui_input_screen_point (widget, 1, 1, &nx, &ny);
      still = nx == x && ny == y ? still + 1 : 0;
      x = nx;
      y = ny;
    }
  g_assert_cmpint (still, >=, 3);
}

void
rl_ui_input_scroll_at (GtkWidget       *widget,
                       double           x,
                       double           y,
                       int              dy,
                       GdkModifierType  mods)
{
  int root_x, root_y;
  guint number = dy < 0 ? 4 : 5;

  rl_ui_input_screen_point (widget, x, y, &root_x, &root_y);
  move_root (root_x, root_y, MOVE_STEPS);
  wait_pointer_over (widget);
  modifiers (mods, TRUE);
  rl_ui_input_settle ();
  for (int i = 0; i < ABS (dy); i++)
    {
      button (number, TRUE);
      button (number, FALSE);
    }
  modifiers (mods, FALSE);
  rl_ui_input_settle ();
}

static Window
x_window_of (GtkWindow *window)
{
  return gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window)));
}

void
rl_ui_input_wm_resize (GtkWindow *window,
                       int        width,
                       int        height)
{
  Display *display = x_display ();

  XResizeWindow (display, x_window_of (window), width, height);
  XFlush (display);
}

void
rl_ui_input_wm_move (GtkWindow *window,
                     int        x,
                     int        y)
{
  Display *display = x_display ();

  XMoveWindow (display, x_window_of (window), x, y);
  XFlush (display);
}

void
rl_ui_input_wm_maximize (GtkWindow *window)
{
  Display *display = x_display ();
  Atom state[2] = {
    XInternAtom (display, "_NET_WM_STATE_MAXIMIZED_VERT", False),
    XInternAtom (display, "_NET_WM_STATE_MAXIMIZED_HORZ", False),
  };

  XChangeProperty (display, x_window_of (window), XInternAtom (display, "_NET_WM_STATE", False), XA_ATOM, 32,
                   PropModeReplace, (unsigned char *) state, G_N_ELEMENTS (state));
  XResizeWindow (display, x_window_of (window), 1600, 1000);
  XFlush (display);
}

void
rl_ui_input_wm_focus (GtkWindow *window)
{
  Display *display = x_display ();

  XSetInputFocus (display, x_window_of (window), RevertToParent, CurrentTime);
  rl_ui_input_settle ();
  for (gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       !gtk_window_is_active (window) && g_get_monotonic_time () < until;)
    iterate_for (10);
  g_assert_true (gtk_window_is_active (window));
}

static gboolean
any_window_active (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (gtk_window_is_active (window))
        return TRUE;
    }
  return FALSE;
}

void
rl_ui_input_wm_focus_elsewhere (void)
{
  Display *display = x_display ();

  /* No window of this X client has it: the keys would go to another's. */
  XSetInputFocus (display, None, RevertToNone, CurrentTime);
  rl_ui_input_settle ();
  for (gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       any_window_active () && g_get_monotonic_time () < until;)
    iterate_for (10);
  g_assert_false (any_window_active ());
}
