/* rl-tiled-image.h — a mockup made ready to draw fast and crisp at any zoom
 *
 * How it stays fast and crisp on GTK 4.8 (which cannot choose a texture
 * node's filter): the mockup is downloaded once into a cairo surface; at
 * zoom ≤ 1 it is drawn as texture tiles of a mip level (halvings, made on
 * first use) whose size is within 2× of the screen's, so linear filtering
 * never skips pixels, and only the visible tiles are appended; above 1 one
 * cairo node covering only the visible part samples the full image with
 * CAIRO_FILTER_NEAREST, so pixels stay sharp squares. The render node is
 * kept until zoom, place or size change, so whatever is drawn over it
 * redraws without redrawing the image.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RL_TYPE_TILED_IMAGE (rl_tiled_image_get_type ())
G_DECLARE_FINAL_TYPE (RlTiledImage, rl_tiled_image, RL, TILED_IMAGE, GObject)

/* NULL with RL_ERROR_TOO_LARGE past cairo's 32767 px or out of memory. */
RlTiledImage  *rl_tiled_image_new        (GdkTexture    *texture,
                                          GError       **error);
int            rl_tiled_image_get_width  (RlTiledImage  *self);
int            rl_tiled_image_get_height (RlTiledImage  *self);

/* The image drawn zoom times its size with its top left corner at
 * (x, y), clipped to a width × height widget at scale (device pixels per
 * logical one), with its hairline outline; cairo_renderer: whether the
 * widget's renderer is GskCairoRenderer. NULL when none of it is within
 * the widget. Owned by the image until the next call. */
GskRenderNode *rl_tiled_image_get_node   (RlTiledImage  *self,
                                          double         zoom,
                                          double         x,
                                          double         y,
                                          int            width,
                                          int            height,
                                          int            scale,
                                          gboolean       cairo_renderer);

G_END_DECLS
