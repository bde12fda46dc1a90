/* fuzz-image-match.c — following pins across two images of any content
 *
 * The server runs the image matcher on whatever two revisions members
 * uploaded (decoded, any size, any pixels, flat or noisy, one pixel wide)
 * and on pins from the wire, so it must place or orphan every pin, in
 * bounds, never reading outside the planes. An input is
 *
 *   OW OH NW NH FLAGS  N × (PX PY)  PIXELS…
 *
 * one byte each for the old and new image's width and height (1 + byte %
 * 48), a flags byte (bit 0: luma only; bit 1: the new image is the old one
 * shifted by the next two bytes' amounts, so that moves are found too),
 * then pin positions (two bytes each, as fractions of 255, the count in the
 * low nibble of the byte after FLAGS), then the old image's luma and
 * chroma, the new one's, repeated from what is left when it runs short.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "rl-fuzz.h"
#include "rl-image-match.h"

typedef struct
{
  guint8        *data;      /* y, cb, cr planes one after the other */
  RlImagePlanes  planes;
} Image;

static void
image_fill (Image         *image,
            int            width,
            int            height,
            gboolean       luma_only,
            const uint8_t *bytes,
            size_t         size,
            size_t        *offset)
{
  gsize plane = (gsize) width * height;

  image->data = g_malloc (plane * 3);
  for (gsize i = 0; i < plane * 3; i++)
    image->data[i] = size > 0 ? bytes[(*offset)++ % size] : (guint8) i;
  image->planes.y = (RlPlane) { width, height, width, image->data };
  image->planes.cb = (RlPlane) { width, height, width, luma_only ? NULL : image->data + plane };
  image->planes.cr = (RlPlane) { width, height, width, luma_only ? NULL : image->data + 2 * plane };
}

/* The new image as the old one's content moved by (dx, dy), the rest flat. */
static void
image_shift (Image       *image,
             const Image *old,
             int          dx,
             int          dy)
{
  for (int c = 0; c < 3; c++)
    {
      const RlPlane *from = c == 0 ? &old->planes.y : c == 1 ? &old->planes.cb : &old->planes.cr;
      const RlPlane *to = c == 0 ? &image->planes.y : c == 1 ? &image->planes.cb : &image->planes.cr;
      guint8 *out = (guint8 *) to->data;

      if (from->data == NULL || out == NULL)
        continue;
      for (int y = 0; y < to->height; y++)
        for (int x = 0; x < to->width; x++)
          {
            int sx = x - dx, sy = y - dy;

            out[y * to->rowstride + x] = sx >= 0 && sy >= 0 && sx < from->width && sy < from->height
                                         ? from->data[sy * from->rowstride + sx] : 128;
          }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(RlImageMatcher) matcher = NULL;
  Image old = { 0 }, new = { 0 };
  int ow, oh, nw, nh, n_pins;
  gboolean luma_only, shifted;
  const uint8_t *pins;
  size_t offset;

  if (size < 8)
    return 0;
  ow = 1 + data[0] % 48;
  oh = 1 + data[1] % 48;
  nw = 1 + data[2] % 48;
  nh = 1 + data[3] % 48;
  luma_only = data[4] & 1;
  shifted = (data[4] & 2) != 0;
  n_pins = data[5] & 0x0f;
  pins = data + 6;
  offset = 6 + 2 * (size_t) n_pins;
  if (offset + 2 > size)
    return 0;

  image_fill (&old, ow, oh, luma_only, data + offset, size - offset, &(size_t) { 0 });
  image_fill (&new, nw, nh, luma_only, data + offset, size - offset, &(size_t) { (size_t) ow * oh * 3 });
  if (shifted)
    image_shift (&new, &old, (int) (int8_t) data[offset] % 16, (int) (int8_t) data[offset + 1] % 16);

  matcher = rl_image_matcher_new (&old.planes, &new.planes);
  for (int i = 0; i < n_pins; i++)
    {
      double x = pins[2 * i] / 255.0, y = pins[2 * i + 1] / 255.0;
      double new_x = -1, new_y = -1, score = -1;
      RlPlacementStatus status = rl_image_matcher_place (matcher, x, y, &new_x, &new_y, &score);

      g_assert_cmpint (status, >=, RL_PLACEMENT_EXACT);
      g_assert_cmpint (status, <=, RL_PLACEMENT_ORPHANED);
      g_assert_true (isfinite (new_x) && isfinite (new_y) && isfinite (score));
      g_assert_cmpfloat (new_x, >=, 0.0);
      g_assert_cmpfloat (new_x, <=, 1.0);
      g_assert_cmpfloat (new_y, >=, 0.0);
      g_assert_cmpfloat (new_y, <=, 1.0);
      g_assert_cmpfloat (score, >=, -1.0);
      g_assert_cmpfloat (score, <=, 1.0 + 1e-9);
    }
  /* Out of range and not finite: orphaned, never read. */
  g_assert_cmpint (rl_image_matcher_place (matcher, NAN, 0.5, NULL, NULL, NULL), ==, RL_PLACEMENT_ORPHANED);
  g_assert_cmpint (rl_image_matcher_place (matcher, 0.5, 1.5, NULL, NULL, NULL), ==, RL_PLACEMENT_ORPHANED);

  g_clear_pointer (&matcher, rl_image_matcher_free);
  g_free (old.data);
  g_free (new.data);
  return 0;
}
