/* rl-pin-crop.h — a crop of a version's image, with where a pin was on it
 *
 * Beside a carried marker in the threads panel: the picture it was made
 * on, around its pin, drawn at most RL_PIN_CROP_WIDTH × RL_PIN_CROP_HEIGHT
 * logical pixels in its own proportions, with a ring where the pin was.
 * An image for screen readers; what it shows in words is the caller's to
 * give (its accessible label and tooltip).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RL_PIN_CROP_WIDTH  160
#define RL_PIN_CROP_HEIGHT 100

#define RL_TYPE_PIN_CROP (rl_pin_crop_get_type ())
G_DECLARE_FINAL_TYPE (RlPinCrop, rl_pin_crop, RL, PIN_CROP, GtkWidget)

GtkWidget  *rl_pin_crop_new         (void);
/* texture: the crop (NULL: none, nothing is drawn); pin_x, pin_y: where
 * the pin was on it, as fractions of its width and height. */
void        rl_pin_crop_set_crop    (RlPinCrop  *self,
                                     GdkTexture *texture,
                                     double      pin_x,
                                     double      pin_y);
GdkTexture *rl_pin_crop_get_texture (RlPinCrop  *self);
void        rl_pin_crop_get_pin     (RlPinCrop  *self,
                                     double     *pin_x,
                                     double     *pin_y);

G_END_DECLS
