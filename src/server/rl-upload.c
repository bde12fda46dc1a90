/* rl-upload.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-upload.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "rl-error.h"
#include "rl-limits.h"
#include "rl-model.h"
#include "rl-plaintext.h"

typedef struct
{
  int      width;
  int      height;
  int      rows;       /* how far down the decoder got */
  gboolean too_large;
} ImageInfo;

static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  ImageInfo       *info)
{
  info->width = width;
  info->height = height;
  if (width <= 0 || height <= 0 || width > RL_IMAGE_MAX_SIDE || height > RL_IMAGE_MAX_SIDE ||
      (gint64) width * height > RL_IMAGE_MAX_PIXELS)
    {
      info->too_large = TRUE;
      /* A size of zero makes the loader stop before it allocates pixels. */
      gdk_pixbuf_loader_set_size (loader, 0, 0);
    }
}

static void
on_area_updated (GdkPixbufLoader *loader,
                 int              x,
                 int              y,
                 int              width,
                 int              height,
                 ImageInfo       *info)
{
  info->rows = MAX (info->rows, y + height);
}

/* webp-pixbuf-loader 0.2 warns, and makes GdkPixbuf critical twice, on an
 * animation it cannot decode (one cut short, say). Mockups are still images:
 * an animation is refused before any decoder sees it. The flag is where
 * libwebp reads it: in the VP8X chunk, first in the RIFF container or, in a
 * bare bitstream, at the start. */
static gboolean
webp_is_animated (const guint8 *data,
                  gsize         size)
{
  gsize at = size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0 ? 12 : 0;

  return size >= at + 9 && memcmp (data + at, "VP8X", 4) == 0 && (data[at + 8] & 0x02) != 0;
}

static gboolean
check_image (const char  *mime,
             GBytes      *content,
             int         *width,
             int         *height,
             GError     **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) local_error = NULL;
  ImageInfo info = { 0 };
  gsize size;
  const guint8 *data = g_bytes_get_data (content, &size);
  gboolean ok;

  if (g_str_equal (mime, "image/webp") && webp_is_animated (data, size))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "animated images are not accepted: upload a still image");
      return FALSE;
    }

  loader = gdk_pixbuf_loader_new_with_mime_type (mime, &local_error);
  if (loader == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "this server can’t decode %s", mime);
      return FALSE;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &info);
  g_signal_connect (loader, "area-updated", G_CALLBACK (on_area_updated), &info);

  ok = size > 0 && gdk_pixbuf_loader_write (loader, data, size, &local_error);
  /* Close even after a failure, or the loader complains when finalized. */
  ok = gdk_pixbuf_loader_close (loader, ok ? &local_error : NULL) && ok;

  if (info.too_large)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_TOO_LARGE,
                   "images may be at most %d pixels a side and %d megapixels",
                   RL_IMAGE_MAX_SIDE, RL_IMAGE_MAX_PIXELS / 1000000);
      return FALSE;
    }
  if (!ok || gdk_pixbuf_loader_get_pixbuf (loader) == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "the file is not a valid %s image", mime);
      return FALSE;
    }
  /* GdkPixbuf's PNG loader takes a file cut short without a word (a header
   * declaring 14000 × 14000 and no pixels passes): a still image must have
   * been decoded down to its last row. An animation's frames are decoded
   * as it plays, not here. */
  if (gdk_pixbuf_animation_is_static_image (gdk_pixbuf_loader_get_animation (loader)) && info.rows < info.height)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "the %s image ends before its last row", mime);
      return FALSE;
    }

  *width = info.width;
  *height = info.height;
  return TRUE;
}

gboolean
rl_upload_check (const char  *mime,
                 GBytes      *content,
                 char       **mime_out,
                 int         *width,
                 int         *height,
                 GError     **error)
{
  g_autofree char *base = NULL;
  RlDocKind kind;
  const char *semi;

  *width = *height = 0;
  if (mime == NULL || !rl_doc_kind_for_mime (mime, &kind))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST,
                   "uploads are image/png, image/jpeg, image/webp, text/markdown or text/plain");
      return FALSE;
    }
  if (g_bytes_get_size (content) > RL_UPLOAD_MAX_BYTES)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_TOO_LARGE, "uploads are at most 50 MiB");
      return FALSE;
    }

  semi = strchr (mime, ';');
  base = g_ascii_strdown (mime, semi ? semi - mime : -1);
  g_strstrip (base);

  if (kind == RL_DOC_KIND_IMAGE)
    {
      if (!check_image (base, content, width, height, error))
        return FALSE;
    }
  else
    {
      g_autoptr(RlPageText) text = NULL;
      gsize size;
      const char *data = g_bytes_get_data (content, &size);

      text = rl_page_text_new (base, data ? data : "", size, error);
      if (text == NULL)
        return FALSE;
    }

  *mime_out = g_steal_pointer (&base);
  return TRUE;
}
