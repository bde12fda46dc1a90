/* rl-upload.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-upload.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>
#include <sys/mman.h>

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

static gboolean
size_is_too_large (int width,
                   int height)
{
  return width > RL_IMAGE_MAX_SIDE || height > RL_IMAGE_MAX_SIDE || (gint64) width * height > RL_IMAGE_MAX_PIXELS;
}

static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  ImageInfo       *info)
{
  info->width = width;
  info->height = height;
  if (width <= 0 || height <= 0 || size_is_too_large (width, height))
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

/* What a WebP file's header says, read as libwebp reads it: the canvas of a
 * VP8X chunk (first in the RIFF container), the size of the first frame (a
 * VP8 or VP8L chunk), and whether it is an animation. */
typedef struct
{
  int      canvas_width;
  int      canvas_height;
  int      frame_width;
  int      frame_height;
  gboolean animated;
  gboolean has_frame;
} WebpHeader;

static guint32
read_le (const guint8 *bytes,
         guint         n)
{
  guint32 value = 0;

  for (guint i = 0; i < n; i++)
    value |= (guint32) bytes[i] << (8 * i);
  return value;
}

static gboolean
webp_read_header (const guint8 *data,
                  gsize         size,
                  WebpHeader   *header)
{
  gsize at = 12;

  memset (header, 0, sizeof *header);
  if (size < 12 || memcmp (data, "RIFF", 4) != 0 || memcmp (data + 8, "WEBP", 4) != 0)
    return FALSE;
  while (at + 8 <= size && !header->has_frame)
    {
      const guint8 *payload = data + at + 8;
      gsize available = size - at - 8;
      guint32 length = read_le (data + at + 4, 4);

      if (memcmp (data + at, "VP8X", 4) == 0 && at == 12 && available >= 10)
        {
          header->animated = (payload[0] & 0x02) != 0;
          header->canvas_width = 1 + (int) read_le (payload + 4, 3);
          header->canvas_height = 1 + (int) read_le (payload + 7, 3);
        }
      else if (memcmp (data + at, "VP8 ", 4) == 0 && available >= 10)
        {
          header->frame_width = (int) (read_le (payload + 6, 2) & 0x3fff);
          header->frame_height = (int) (read_le (payload + 8, 2) & 0x3fff);
          header->has_frame = TRUE;
        }
      else if (memcmp (data + at, "VP8L", 4) == 0 && available >= 5)
        {
          guint32 bits = read_le (payload + 1, 4);

          header->frame_width = 1 + (int) (bits & 0x3fff);
          header->frame_height = 1 + (int) ((bits >> 14) & 0x3fff);
          header->has_frame = TRUE;
        }
      else if (memcmp (data + at, "ANMF", 4) == 0)
        header->has_frame = TRUE;
      if (length > available)
        break;
      at += 8 + length + (length & 1);
    }
  return TRUE;
}

/* webp-pixbuf-loader 0.2 answers some WebP files before GdkPixbuf can ask
 * our size-prepared handler, or wrongly, so their header is read here first:
 * it allocates the canvas a VP8X header declares before asking (5.9 GB for
 * 96 × 15 million, from 30 bytes), takes such a header with no frame after
 * it for a blank image, and warns (GdkPixbuf then is critical twice) on an
 * animation it cannot decode. Mockups are still images: animations are
 * refused. */
static gboolean
check_webp_header (const guint8  *data,
                   gsize          size,
                   GError       **error)
{
  WebpHeader header;

  if (!webp_read_header (data, size, &header))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "the file is not a valid image/webp image");
      return FALSE;
    }
  if (header.animated)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "animated images are not accepted: upload a still image");
      return FALSE;
    }
  if (size_is_too_large (header.canvas_width, header.canvas_height) ||
      size_is_too_large (header.frame_width, header.frame_height))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_TOO_LARGE,
                   "images may be at most %d pixels a side and %d megapixels",
                   RL_IMAGE_MAX_SIDE, RL_IMAGE_MAX_PIXELS / 1000000);
      return FALSE;
    }
  if (!header.has_frame)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "the image/webp image has no picture in it");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_image (const char  *mime,
             GBytes      *content,
             int         *width,
             int         *height,
             GdkPixbuf  **image,
             GError     **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) local_error = NULL;
  ImageInfo info = { 0 };
  gsize size;
  const guint8 *data = g_bytes_get_data (content, &size);
  gboolean ok;

  if (g_str_equal (mime, "image/webp") && !check_webp_header (data, size, error))
    return FALSE;

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
  *image = g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
  return TRUE;
}

gboolean
rl_upload_check_content (const char      *mime,
                         GBytes          *content,
                         RlUploadChecked *checked,
                         GError         **error)
{
  g_autofree char *base = NULL;
  RlDocKind kind;
  const char *semi;

  memset (checked, 0, sizeof *checked);
  if (!rl_upload_check_headers (mime, (goffset) g_bytes_get_size (content), error))
    return FALSE;
  rl_doc_kind_for_mime (mime, &kind);

  semi = strchr (mime, ';');
  base = g_ascii_strdown (mime, semi ? semi - mime : -1);
  g_strstrip (base);

  if (kind == RL_DOC_KIND_IMAGE)
    {
      if (!check_image (base, content, &checked->width, &checked->height, &checked->image, error))
        return FALSE;
    }
  else
    {
      gsize size;
      const char *data = g_bytes_get_data (content, &size);

      checked->text = rl_page_text_new (base, data ? data : "", size, error);
      if (checked->text == NULL)
        return FALSE;
    }

  checked->mime = g_steal_pointer (&base);
  return TRUE;
}

void
rl_upload_checked_clear (RlUploadChecked *checked)
{
  g_clear_pointer (&checked->mime, g_free);
  g_clear_object (&checked->image);
  g_clear_pointer (&checked->text, rl_page_text_unref);
}

gboolean
rl_upload_check (const char  *mime,
                 GBytes      *content,
                 char       **mime_out,
                 int         *width,
                 int         *height,
                 GError     **error)
{
  RlUploadChecked checked;

  *width = *height = 0;
  if (!rl_upload_check_content (mime, content, &checked, error))
    return FALSE;
  *mime_out = g_steal_pointer (&checked.mime);
  *width = checked.width;
  *height = checked.height;
  rl_upload_checked_clear (&checked);
  return TRUE;
}

gboolean
rl_upload_check_headers (const char  *mime,
                         goffset      content_length,
                         GError     **error)
{
  RlDocKind kind;

  if (mime == NULL || !rl_doc_kind_for_mime (mime, &kind))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST,
                   "uploads are image/png, image/jpeg, image/webp, text/markdown or text/plain");
      return FALSE;
    }
  if (content_length > RL_UPLOAD_MAX_BYTES)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_TOO_LARGE, "uploads are at most 50 MiB");
      return FALSE;
    }
  return TRUE;
}

/* ---- the sink ------------------------------------------------------------------ */

/* The sink's block is mapped, not taken from malloc: only the pages written
 * to are resident, whatever the capacity, and all of it goes back to the
 * system when the upload is done (a freed heap block may stay resident). */
typedef struct
{
  guint8 *data;
  gsize   size;
} Block;

static void
block_free (gpointer data)
{
  Block *block = data;

  munmap (block->data, block->size);
  g_free (block);
}

struct _RlUploadSink
{
  Block  *block;
  gsize   length;
  gsize   capacity;   /* the announced length, else the limit */
};

RlUploadSink *
rl_upload_sink_new (goffset content_length)
{
  RlUploadSink *self = g_new0 (RlUploadSink, 1);

  self->capacity = content_length >= 0 && content_length <= RL_UPLOAD_MAX_BYTES
                     ? (gsize) content_length : RL_UPLOAD_MAX_BYTES;
  return self;
}

gboolean
rl_upload_sink_append (RlUploadSink  *self,
                       GBytes        *chunk,
                       GError       **error)
{
  gsize size;
  const guint8 *bytes = g_bytes_get_data (chunk, &size);

  if (size > self->capacity - self->length)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_TOO_LARGE, "uploads are at most 50 MiB");
      return FALSE;
    }
  if (size == 0)
    return TRUE;
  if (self->block == NULL)
    {
      void *data = mmap (NULL, self->capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

      if (data == MAP_FAILED)
        {
          g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "out of memory for an upload");
          return FALSE;
        }
      self->block = g_new0 (Block, 1);
      self->block->data = data;
      self->block->size = self->capacity;
    }
  memcpy (self->block->data + self->length, bytes, size);
  self->length += size;
  return TRUE;
}

gsize
rl_upload_sink_get_size (RlUploadSink *self)
{
  return self->length;
}

GBytes *
rl_upload_sink_steal (RlUploadSink *self)
{
  Block *block = g_steal_pointer (&self->block);
  gsize length = self->length;

  self->length = 0;
  if (block == NULL)
    return g_bytes_new (NULL, 0);
  return g_bytes_new_with_free_func (block->data, length, block_free, block);
}

void
rl_upload_sink_free (RlUploadSink *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->block, block_free);
  g_free (self);
}
