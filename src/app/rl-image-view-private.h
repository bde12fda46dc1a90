/* rl-image-view-private.h — the view's popovers and test hooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-image-view.h"

G_BEGIN_DECLS

/* The composer popover (an RlMarkerComposer) and the "cannot create"
 * notice popover, for tests and the window. */
GtkWidget  *rl_image_view_get_composer        (RlImageView  *self);
GtkWidget  *rl_image_view_get_notice          (RlImageView  *self);
/* What is drawn: the same object while the same image is shown. */
gpointer    rl_image_view_get_image_for_testing (RlImageView *self);

/* Test hooks: the very handlers the gestures call, fed with widget
 * coordinates (synthesising pointer events is not possible in GTK 4).
 * click: a primary click released without moving at (x, y); drag_pin: a
 * press on the pin, a drag by (dx, dy) in two steps, the release. */
void        rl_image_view_click_for_testing   (RlImageView  *self,
                                               double        x,
                                               double        y);
void        rl_image_view_drag_pin_for_testing (RlImageView *self,
                                                const char  *thread_id,
                                                double       dx,
                                                double       dy);

G_END_DECLS
