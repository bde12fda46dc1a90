/* rl-revision-images.h — the pictures of an image document's versions,
 * for the crops beside carried threads
 *
 * Each version asked for is fetched (rl_api_get_revision_content) and
 * decoded at most once while the document stays the same, the decoding
 * in a worker thread; "ready" (the version) says when it is done with:
 * its picture has come, or it cannot be had: one that cannot be fetched
 * or decoded (or is larger than RL_IMAGE_MAX_SIDE a side or
 * RL_IMAGE_MAX_PIXELS) has none, and is not asked for again. Another
 * document, or none, drops them all and cancels what is under way; so
 * does dispose.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-api.h"

G_BEGIN_DECLS

#define RL_TYPE_REVISION_IMAGES (rl_revision_images_get_type ())
G_DECLARE_FINAL_TYPE (RlRevisionImages, rl_revision_images, RL, REVISION_IMAGES, GObject)

RlRevisionImages *rl_revision_images_new          (void);
/* Whose versions, from where; either NULL: none. */
void              rl_revision_images_set_document (RlRevisionImages *self,
                                                   RlApi            *api,
                                                   const char       *doc_id);
/* The version revision cropped around (x, y) (fractions of its width and
 * height): a region of at least width × height of its pixels, more of a
 * large image (an eighth of its width, in the same proportions), shifted
 * to stay within it, scaled down to at most width × height; pin_x and
 * pin_y say where (x, y) is on the crop, as fractions. NULL while its
 * picture has not come (it is fetched then) or when it cannot. */
GdkTexture       *rl_revision_images_dup_crop     (RlRevisionImages *self,
                                                   gint64            revision,
                                                   double            x,
                                                   double            y,
                                                   int               width,
                                                   int               height,
                                                   double           *pin_x,
                                                   double           *pin_y);

G_END_DECLS
