/* rl-revision-images.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-revision-images.h"

#include <math.h>

#include "rl-limits.h"

struct _RlRevisionImages
{
  GObject       parent_instance;

  RlApi        *api;
  char         *doc_id;
  GCancellable *fetching;   /* the document's fetches and decodings */
  GHashTable   *pictures;   /* revision (gint64 *) → its GdkPixbuf, or NULL while fetched or when it cannot be */
};

G_DEFINE_FINAL_TYPE (RlRevisionImages, rl_revision_images, G_TYPE_OBJECT)

enum { SIGNAL_READY, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Holds no reference: dispose cancels fetching, and a fetch cancelled
 * never touches self. */
typedef struct
{
  RlRevisionImages *self;
  GCancellable     *fetching;
  gint64            revision;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_object_unref (fetch->fetching);
  g_free (fetch);
}

/* A version's entry: its picture, or NULL while it is fetched or when it
 * cannot be had. */
static void
picture_free (gpointer picture)
{
  if (picture != NULL)
    g_object_unref (picture);
}

static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gboolean        *too_large)
{
  if (width <= 0 || height <= 0 || width > RL_IMAGE_MAX_SIDE || height > RL_IMAGE_MAX_SIDE
      || (gint64) width * height > RL_IMAGE_MAX_PIXELS)
    {
      *too_large = TRUE;
      /* A size of zero makes the loader stop before it allocates pixels. */
      gdk_pixbuf_loader_set_size (loader, 0, 0);
    }
}

static void
decode_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  GBytes *bytes = data;
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr(GError) error = NULL;
  gboolean too_large = FALSE;
  GdkPixbuf *pixbuf;
  gboolean ok;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &too_large);
  ok = gdk_pixbuf_loader_write_bytes (loader, bytes, &error);
  /* Close even after a failure, or the loader complains when finalized. */
  ok = gdk_pixbuf_loader_close (loader, ok ? &error : NULL) && ok;
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (too_large || !ok || pixbuf == NULL)
    g_task_return_new_error (task, RL_ERROR, too_large ? RL_ERROR_TOO_LARGE : RL_ERROR_BAD_REQUEST,
                             "the version cannot be decoded: %s", error ? error->message : "too large");
  else
    g_task_return_pointer (task, g_object_ref (pixbuf), g_object_unref);
}

static void
decoded_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Fetch *fetch = data;
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = g_task_propagate_pointer (G_TASK (result), &error);

  /* Another document now, or none: this one's pictures are gone. */
  if (g_cancellable_is_cancelled (fetch->fetching))
    g_clear_object (&pixbuf);
  else
    {
      if (pixbuf == NULL)
        g_debug ("no picture of version %" G_GINT64_FORMAT ": %s", fetch->revision, error->message);
      else
        g_hash_table_insert (fetch->self->pictures, g_memdup2 (&fetch->revision, sizeof (gint64)), pixbuf);
      g_signal_emit (fetch->self, signals[SIGNAL_READY], 0, fetch->revision);
    }
  fetch_free (fetch);
}

static void
content_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Fetch *fetch = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rl_api_get_revision_content_finish (RL_API (source), result, &error);
  g_autoptr(GTask) task = NULL;

  if (g_cancellable_is_cancelled (fetch->fetching))
    {
      fetch_free (fetch);
      return;
    }
  if (bytes == NULL)
    {
      g_debug ("no picture of version %" G_GINT64_FORMAT ": %s", fetch->revision, error->message);
      g_signal_emit (fetch->self, signals[SIGNAL_READY], 0, fetch->revision);
      fetch_free (fetch);
      return;
    }
  task = g_task_new (NULL, fetch->fetching, decoded_cb, fetch);
  g_task_set_source_tag (task, content_cb);
  g_task_set_task_data (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, decode_in_thread);
}

static void
fetch_picture (RlRevisionImages *self,
               gint64            revision)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  /* Asked for once: a version that cannot be had stays without one. */
  g_hash_table_insert (self->pictures, g_memdup2 (&revision, sizeof (gint64)), NULL);
  fetch->self = self;
  fetch->fetching = g_object_ref (self->fetching);
  fetch->revision = revision;
  rl_api_get_revision_content (self->api, self->doc_id, revision, self->fetching, content_cb, fetch);
}

static void
drop_pictures (RlRevisionImages *self)
{
  g_cancellable_cancel (self->fetching);
  g_clear_object (&self->fetching);
  g_hash_table_remove_all (self->pictures);
}

static void
rl_revision_images_dispose (GObject *object)
{
  RlRevisionImages *self = RL_REVISION_IMAGES (object);

  drop_pictures (self);
  g_clear_object (&self->api);
  G_OBJECT_CLASS (rl_revision_images_parent_class)->dispose (object);
}

static void
rl_revision_images_finalize (GObject *object)
{
  RlRevisionImages *self = RL_REVISION_IMAGES (object);

  g_hash_table_unref (self->pictures);
  g_free (self->doc_id);
  G_OBJECT_CLASS (rl_revision_images_parent_class)->finalize (object);
}

static void
rl_revision_images_class_init (RlRevisionImagesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_revision_images_dispose;
  object_class->finalize = rl_revision_images_finalize;

  /* A version asked for is done with: its picture came (crops of it can
   * be made), or it cannot be had. */
  signals[SIGNAL_READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
rl_revision_images_init (RlRevisionImages *self)
{
  self->pictures = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, picture_free);
}

RlRevisionImages *
rl_revision_images_new (void)
{
  return g_object_new (RL_TYPE_REVISION_IMAGES, NULL);
}

void
rl_revision_images_set_document (RlRevisionImages *self,
                                 RlApi            *api,
                                 const char       *doc_id)
{
  g_return_if_fail (RL_IS_REVISION_IMAGES (self));
  g_return_if_fail (api == NULL || RL_IS_API (api));

  if (self->api == api && g_strcmp0 (self->doc_id, doc_id) == 0)
    return;
  drop_pictures (self);
  g_set_object (&self->api, api);
  g_free (self->doc_id);
  self->doc_id = g_strdup (doc_id);
}

GdkTexture *
rl_revision_images_dup_crop (RlRevisionImages *self,
                             gint64            revision,
                             double            x,
                             double            y,
                             int               width,
                             int               height,
                             double           *pin_x,
                             double           *pin_y)
{
  GdkPixbuf *picture;
  g_autoptr(GdkPixbuf) region = NULL;
  g_autoptr(GdkPixbuf) crop = NULL;
  int image_width, image_height, region_width, region_height, left, top, crop_width, crop_height;
  double at_x, at_y;

  g_return_val_if_fail (RL_IS_REVISION_IMAGES (self), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (self->api == NULL || self->doc_id == NULL || revision <= 0)
    return NULL;
  if (!g_hash_table_lookup_extended (self->pictures, &revision, NULL, (gpointer *) &picture))
    {
      if (self->fetching == NULL)
        self->fetching = g_cancellable_new ();
      fetch_picture (self, revision);
      return NULL;
    }
  if (picture == NULL)
    return NULL;

  image_width = gdk_pixbuf_get_width (picture);
  image_height = gdk_pixbuf_get_height (picture);
  region_width = MIN (image_width, MAX (width, image_width / 8));
  region_height = MIN (image_height, MAX (1, (int) round ((double) region_width * height / width)));
  /* A wide, short image: as much of its width as its height allows. */
  if ((double) region_width / region_height > (double) width / height)
    region_width = MIN (image_width, MAX (1, (int) round ((double) region_height * width / height)));
  at_x = CLAMP (x, 0.0, 1.0) * image_width;
  at_y = CLAMP (y, 0.0, 1.0) * image_height;
  left = CLAMP ((int) round (at_x - region_width / 2.0), 0, image_width - region_width);
  top = CLAMP ((int) round (at_y - region_height / 2.0), 0, image_height - region_height);
  /* Only the region is scaled, never the whole picture. */
  region = gdk_pixbuf_new_subpixbuf (picture, left, top, region_width, region_height);
  crop_width = MIN (region_width, width);
  crop_height = MAX (1, (int) round ((double) region_height * crop_width / region_width));
  crop = gdk_pixbuf_scale_simple (region, crop_width, crop_height, GDK_INTERP_BILINEAR);
  if (crop == NULL)
    return NULL;
  if (pin_x != NULL)
    *pin_x = (at_x - left) / region_width;
  if (pin_y != NULL)
    *pin_y = (at_y - top) / region_height;
  return gdk_texture_new_for_pixbuf (crop);
}
