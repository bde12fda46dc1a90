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

  loader = gdk_pixbuf_loader_new_with_mime_type (mime, &local_error);
  if (loader == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "this server can’t decode %s", mime);
      return FALSE;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &info);

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
  if (!rl_upload_check_headers (mime, (goffset) g_bytes_get_size (content), error))
    return FALSE;
  rl_doc_kind_for_mime (mime, &kind);

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
