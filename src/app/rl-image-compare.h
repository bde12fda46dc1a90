/* rl-image-compare.h — two versions of an image, compared
 *
 * Three ways, chosen with a row of linked toggle buttons:
 *
 * - side by side: each version fitted in its half, both shown as wide (a
 *   canvas grown or shrunk still lines up), "Version N" above each;
 * - onion skin: the newer over the older at one pixel scale, both from the
 *   top-left corner (the image matcher's convention: a canvas grown at its
 *   right or bottom keeps its content in place), the newer's opacity set
 *   with a slider (arrow keys, Page Up/Down, Home/End, as any GtkScale);
 * - swipe: the same layout, the older left of a vertical divider and the
 *   newer right of it. The divider's handle is dragged with the pointer, or
 *   focused and moved with Left/Right (Shift: finely), Home/End; it is a
 *   separator with an accessible name and its place as a value, 0–100.
 *
 * Pins of either version are drawn as the image view draws its pins (the
 * `rlpin` look of style.css), the older's dimmed; each is a marker number
 * with its name for assistive technologies. Read-only: nothing here changes
 * a thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-model.h"

G_BEGIN_DECLS

typedef enum
{
  RL_IMAGE_COMPARE_SIDE_BY_SIDE,
  RL_IMAGE_COMPARE_ONION_SKIN,
  RL_IMAGE_COMPARE_SWIPE,
} RlImageCompareMode;

/* A thread's pin on one version: where (fractions of that version's
 * image), its number, and how it was carried there (an orphan has no place
 * and is not drawn). */
typedef struct
{
  double            x;
  double            y;
  guint             number;
  RlPlacementStatus status;
} RlComparePin;

#define RL_TYPE_IMAGE_COMPARE (rl_image_compare_get_type ())
G_DECLARE_FINAL_TYPE (RlImageCompare, rl_image_compare, RL, IMAGE_COMPARE, GtkWidget)

GtkWidget         *rl_image_compare_new               (void);

void               rl_image_compare_set_images        (RlImageCompare     *self,
                                                       GdkTexture         *older,
                                                       guint               older_revision,
                                                       GdkTexture         *newer,
                                                       guint               newer_revision);
/* The pins of each version (copied). */
void               rl_image_compare_set_pins          (RlImageCompare     *self,
                                                       const RlComparePin *older,
                                                       guint               n_older,
                                                       const RlComparePin *newer,
                                                       guint               n_newer);

RlImageCompareMode rl_image_compare_get_mode          (RlImageCompare     *self);
void               rl_image_compare_set_mode          (RlImageCompare     *self,
                                                       RlImageCompareMode  mode);
/* The newer version's opacity in onion skin, 0–1. */
double             rl_image_compare_get_opacity       (RlImageCompare     *self);
void               rl_image_compare_set_opacity       (RlImageCompare     *self,
                                                       double              opacity);
/* Where the swipe divider is, 0 (left edge) to 1 (right edge) of the
 * images' common width. */
double             rl_image_compare_get_swipe         (RlImageCompare     *self);
void               rl_image_compare_set_swipe         (RlImageCompare     *self,
                                                       double              position);

/* Where a version is drawn in the mode shown, in the widget's
 * coordinates; FALSE before there are images and a size. */
gboolean           rl_image_compare_get_image_bounds  (RlImageCompare     *self,
                                                       gboolean            newer,
                                                       graphene_rect_t    *bounds);

G_END_DECLS
