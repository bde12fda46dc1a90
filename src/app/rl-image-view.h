/* rl-image-view.h — an image document with its markers as numbered pins
 *
 * Drawn with GtkSnapshot inside a GtkScrolledWindow (it is GtkScrollable):
 * fits the window at first, zooms about the pointer (Ctrl+scroll, pinch)
 * or about the middle (the zoom controls in its bottom right corner — zoom
 * out, the level with a menu of Best Fit, 100 % and 200 %, zoom in — and
 * +/−/0/1 with or without Ctrl while it has the focus; the window binds
 * the Ctrl ones for everywhere), pans by dragging empty space. Pins are
 * the threads of the store, showing the number the server gave each ("…"
 * until it has), are focusable children (Tab/arrows move between them in
 * number order, Enter/Space selects; Tab goes on to the drafts and the zoom
 * controls) and can be dragged by their author or an admin — or moved from
 * the keyboard: Alt+arrows (10 px; with Shift 1 px), sent when the keys
 * rest or at Enter, undone with Escape. A click on a pin (not a drag), or
 * Enter on it, selects its thread and emits "pin-activated".
 * A click on empty image, or Enter (also Ctrl+Alt+M) while the view itself
 * has the focus, opens the composer: at the click, or at the centre of
 * what is visible. Closed with text in it (Escape, a click elsewhere,
 * another document) the comment stays as a draft pin that opens it again;
 * only its Discard button throws it away (rl-composer-base.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-review-view.h"

G_BEGIN_DECLS

#define RL_TYPE_IMAGE_VIEW (rl_image_view_get_type ())
G_DECLARE_FINAL_TYPE (RlImageView, rl_image_view, RL, IMAGE_VIEW, RlReviewView)

/* Shows the state's store while it is an image's; its selection, filter
 * and whether one may create are the state's. */
GtkWidget  *rl_image_view_new                 (RlReviewState *state);
RlReviewState *rl_image_view_get_state        (RlImageView  *self);
/* The mockup; NULL clears. */
void        rl_image_view_set_texture         (RlImageView  *self,
                                               GdkTexture   *texture);
/* Opens the composer for a new marker at (x, y) (fractions 0..1) with
 * text typed: the "Retry" of a failed create. A draft open is kept. */
void        rl_image_view_open_composer       (RlImageView  *self,
                                               double        x,
                                               double        y,
                                               const char   *text);

/* Scrolls so that the thread's pin is in the middle of what is shown, as
 * far as the image's edges allow: a thread picked in the panel. */
void        rl_image_view_reveal_thread       (RlImageView  *self,
                                               const char   *thread_id);

/* Zoom: 1 is one image pixel per logical pixel. zoom_at keeps the image
 * point under (x, y) (widget coordinates) where it is, as far as the
 * scroll range allows. */
double      rl_image_view_get_zoom            (RlImageView  *self);
double      rl_image_view_get_fit_zoom        (RlImageView  *self);
gboolean    rl_image_view_is_fit              (RlImageView  *self);
void        rl_image_view_zoom_at             (RlImageView  *self,
                                               double        zoom,
                                               double        x,
                                               double        y);
void        rl_image_view_zoom_to_fit         (RlImageView  *self);

/* Widget coordinates ↔ fractions of the image (0..1 inside it); FALSE
 * without an image. */
gboolean    rl_image_view_widget_to_image     (RlImageView  *self,
                                               double        x,
                                               double        y,
                                               double       *image_x,
                                               double       *image_y);
gboolean    rl_image_view_image_to_widget     (RlImageView  *self,
                                               double        image_x,
                                               double        image_y,
                                               double       *x,
                                               double       *y);

/* Pins as shown: how many are visible; where one is (fractions; TRUE when
 * it is shown); its widget (focusable, tooltip = accessible name). */
guint       rl_image_view_get_n_pins          (RlImageView  *self);
gboolean    rl_image_view_get_pin_position    (RlImageView  *self,
                                               const char   *thread_id,
                                               double       *x,
                                               double       *y);
GtkWidget  *rl_image_view_get_pin             (RlImageView  *self,
                                               const char   *thread_id);
/* TRUE while the pin's "a teammate just added this" highlight runs. */
gboolean    rl_image_view_pin_is_highlighted  (RlImageView  *self,
                                               const char   *thread_id);

G_END_DECLS
