/* test-revision-images.c — the pictures of a document's versions for the
 * crops beside carried markers (rl-revision-images.h), from a stand-in
 * server that counts what it is asked and answers what the test says:
 * each version fetched once per document, cropped where asked (scaled
 * down only past its size), and a version that is not an image, too
 * large, or missing gives no picture, is not asked for again, and crashes
 * nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <math.h>

#include "rl-revision-images.h"
#include "rl-test-wait.h"

typedef struct
{
  SoupServer       *server;
  GHashTable       *bodies;    /* path → GBytes answered (others: 404) */
  GHashTable       *asked;     /* path → how many times asked */
  RlApi            *api;
  RlRevisionImages *images;
  GArray           *ready;     /* the versions "ready" named, in order */
} Fixture;

static void
serve (SoupServer        *server,
       SoupServerMessage *msg,
       const char        *path,
       GHashTable        *query,
       gpointer           data)
{
  Fixture *f = data;
  GBytes *body = g_hash_table_lookup (f->bodies, path);

  g_hash_table_insert (f->asked, g_strdup (path),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (f->asked, path)) + 1));
  if (body == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY, g_bytes_get_data (body, NULL),
                                    g_bytes_get_size (body));
}

static void
on_ready (RlRevisionImages *images,
          gint64            revision,
          Fixture          *f)
{
  g_array_append_val (f->ready, revision);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *base = NULL;

  f->bodies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  f->asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->ready = g_array_new (FALSE, FALSE, sizeof (gint64));
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, "/api/v1/docs", serve, f, NULL);
  g_assert_true (soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  base = g_strdup_printf ("ws://127.0.0.1:%d", g_uri_get_port (uris->data));
  f->api = rl_api_new (base, "token", NULL, &error);
  g_assert_no_error (error);
  f->images = rl_revision_images_new ();
  g_signal_connect (f->images, "ready", G_CALLBACK (on_ready), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->images);
  g_clear_object (&f->api);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_hash_table_unref (f->bodies);
  g_hash_table_unref (f->asked);
  g_array_unref (f->ready);
}

/* ---- helpers ------------------------------------------------------------- */

static char *
content_path (const char *doc,
              gint64      revision)
{
  return g_strdup_printf ("/api/v1/docs/%s/revisions/%" G_GINT64_FORMAT "/content", doc, revision);
}

/* A width × height picture in which every pixel says where it is. */
static GdkPixbuf *
picture_new (int width,
             int height)
{
  GdkPixbuf *picture = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  guint8 *pixels = gdk_pixbuf_get_pixels (picture);
  int stride = gdk_pixbuf_get_rowstride (picture);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *pixel = pixels + (gsize) y * stride + (gsize) x * 3;

        pixel[0] = x % 256;
        pixel[1] = y % 256;
        pixel[2] = (x / 256) * 16 + (y / 256);
      }
  return picture;
}

static void
serve_picture (Fixture    *f,
               const char *doc,
               gint64      revision,
               GdkPixbuf  *picture)
{
  g_autoptr(GError) error = NULL;
  char *png = NULL;
  gsize size = 0;

  g_assert_true (gdk_pixbuf_save_to_buffer (picture, &png, &size, "png", &error, NULL));
  g_assert_no_error (error);
  g_hash_table_insert (f->bodies, content_path (doc, revision), g_bytes_new_take (png, size));
}

static void
serve_file (Fixture    *f,
            const char *doc,
            gint64      revision,
            const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GError) error = NULL;
  char *content = NULL;
  gsize size = 0;

  g_assert_true (g_file_get_contents (path, &content, &size, &error));
  g_hash_table_insert (f->bodies, content_path (doc, revision), g_bytes_new_take (content, size));
}

static guint
times_asked (Fixture    *f,
             const char *doc,
             gint64      revision)
{
  g_autofree char *path = content_path (doc, revision);

  return GPOINTER_TO_UINT (g_hash_table_lookup (f->asked, path));
}

static gboolean
was_ready (Fixture *f,
           gint64   revision)
{
  for (guint i = 0; i < f->ready->len; i++)
    if (g_array_index (f->ready, gint64, i) == revision)
      return TRUE;
  return FALSE;
}

/* The crop's pixel (x, y) is the picture's (from_x, from_y). */
static void
assert_pixel (GdkTexture *crop,
              int         x,
              int         y,
              int         from_x,
              int         from_y)
{
  int width = gdk_texture_get_width (crop);
  g_autofree guint8 *pixels = g_malloc ((gsize) width * gdk_texture_get_height (crop) * 4);
  const guint8 *got;

  gdk_texture_download (crop, pixels, (gsize) width * 4);
  /* Cairo's ARGB32: B, G, R, A in memory here (little-endian). */
  got = pixels + ((gsize) y * width + x) * 4;
  g_assert_cmpint (got[2], ==, from_x % 256);
  g_assert_cmpint (got[1], ==, from_y % 256);
  g_assert_cmpint (got[0], ==, (from_x / 256) * 16 + (from_y / 256));
}

/* ---- once per document, cropped where asked ------------------------------ */

static void
test_once (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GdkPixbuf) small = picture_new (900, 700);
  g_autoptr(GdkPixbuf) large = picture_new (3200, 1000);
  g_autoptr(GdkTexture) crop = NULL;
  double pin_x, pin_y;

  serve_picture (f, "home", 1, small);
  serve_picture (f, "home", 2, large);
  serve_picture (f, "other", 1, small);
  rl_revision_images_set_document (f->images, f->api, "home");

  /* Not there yet: asked for, once however often it is wanted. */
  g_assert_null (rl_revision_images_dup_crop (f->images, 1, 0.5, 0.5, 320, 200, &pin_x, &pin_y));
  g_assert_null (rl_revision_images_dup_crop (f->images, 1, 0.2, 0.2, 320, 200, &pin_x, &pin_y));
  g_assert_true (RL_TEST_POLL_UNTIL (was_ready (f, 1), 5000));
  g_assert_cmpuint (times_asked (f, "home", 1), ==, 1);

  /* A 320 × 200 region about the point, one pixel a pixel. */
  crop = rl_revision_images_dup_crop (f->images, 1, 0.5, 0.5, 320, 200, &pin_x, &pin_y);
  g_assert_nonnull (crop);
  g_assert_cmpint (gdk_texture_get_width (crop), ==, 320);
  g_assert_cmpint (gdk_texture_get_height (crop), ==, 200);
  g_assert_cmpfloat_with_epsilon (pin_x, 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (pin_y, 0.5, 1e-9);
  assert_pixel (crop, 0, 0, 450 - 160, 350 - 100);
  assert_pixel (crop, 319, 199, 450 + 159, 350 + 99);
  g_clear_object (&crop);

  /* At the corner: shifted to stay within the picture, the point off
   * the middle. */
  crop = rl_revision_images_dup_crop (f->images, 1, 1.0, 1.0, 320, 200, &pin_x, &pin_y);
  g_assert_nonnull (crop);
  g_assert_cmpfloat_with_epsilon (pin_x, 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (pin_y, 1.0, 1e-9);
  assert_pixel (crop, 0, 0, 900 - 320, 700 - 200);
  g_clear_object (&crop);

  /* A large picture: an eighth of its width (400 × 250), scaled down to
   * 320 × 200, only that region. */
  g_assert_null (rl_revision_images_dup_crop (f->images, 2, 0.5, 0.5, 320, 200, NULL, NULL));
  g_assert_true (RL_TEST_POLL_UNTIL (was_ready (f, 2), 5000));
  crop = rl_revision_images_dup_crop (f->images, 2, 0.25, 0.5, 320, 200, &pin_x, &pin_y);
  g_assert_nonnull (crop);
  g_assert_cmpint (gdk_texture_get_width (crop), ==, 320);
  g_assert_cmpint (gdk_texture_get_height (crop), ==, 200);
  g_assert_cmpfloat_with_epsilon (pin_x, 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (pin_y, 0.5, 1e-9);
  g_clear_object (&crop);
  g_assert_cmpuint (times_asked (f, "home", 1), ==, 1);
  g_assert_cmpuint (times_asked (f, "home", 2), ==, 1);

  /* Another document: its own; back to the first, asked for anew. */
  rl_revision_images_set_document (f->images, f->api, "other");
  g_array_set_size (f->ready, 0);
  g_assert_null (rl_revision_images_dup_crop (f->images, 1, 0.5, 0.5, 320, 200, NULL, NULL));
  g_assert_true (RL_TEST_POLL_UNTIL (was_ready (f, 1), 5000));
  g_assert_cmpuint (times_asked (f, "other", 1), ==, 1);
  rl_revision_images_set_document (f->images, f->api, "home");
  g_array_set_size (f->ready, 0);
  g_assert_null (rl_revision_images_dup_crop (f->images, 1, 0.5, 0.5, 320, 200, NULL, NULL));
  g_assert_true (RL_TEST_POLL_UNTIL (was_ready (f, 1), 5000));
  g_assert_cmpuint (times_asked (f, "home", 1), ==, 2);
  crop = rl_revision_images_dup_crop (f->images, 1, 0.5, 0.5, 320, 200, NULL, NULL);
  g_assert_nonnull (crop);

  /* No document: nothing, nothing asked. */
  rl_revision_images_set_document (f->images, NULL, NULL);
  g_assert_null (rl_revision_images_dup_crop (f->images, 1, 0.5, 0.5, 320, 200, NULL, NULL));
  g_assert_cmpuint (times_asked (f, "home", 1), ==, 2);
}

/* ---- what is not a picture ------------------------------------------------ */

static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  const char *names[] = { "not-an-image.png", "bomb.png" };

  /* 1: not an image; 2: a PNG that says 60000 × 60000; 3: missing. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    serve_file (f, "home", i + 1, names[i]);
  rl_revision_images_set_document (f->images, f->api, "home");
  for (gint64 revision = 1; revision <= 3; revision++)
    {
      g_assert_null (rl_revision_images_dup_crop (f->images, revision, 0.5, 0.5, 320, 200, NULL, NULL));
      g_assert_true (RL_TEST_POLL_UNTIL (was_ready (f, revision), 5000));
      g_assert_null (rl_revision_images_dup_crop (f->images, revision, 0.5, 0.5, 320, 200, NULL, NULL));
      g_assert_cmpuint (times_asked (f, "home", revision), ==, 1);
    }
  /* Asked for again only with the document. */
  rl_revision_images_set_document (f->images, NULL, NULL);
  rl_revision_images_set_document (f->images, f->api, "home");
  g_assert_null (rl_revision_images_dup_crop (f->images, 2, 0.5, 0.5, 320, 200, NULL, NULL));
  g_assert_true (RL_TEST_POLL_UNTIL (times_asked (f, "home", 2) == 2, 5000));
}

/* ---- gone while fetching -------------------------------------------------- */

/* Another document while a version is fetched, then the object itself:
 * nothing comes of the first fetch. */
static void
test_dropped (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GdkPixbuf) small = picture_new (900, 700);
  g_autoptr(GdkTexture) crop = NULL;

  serve_picture (f, "home", 1, small);
  serve_picture (f, "other", 1, small);
  rl_revision_images_set_document (f->images, f->api, "home");
  g_assert_null (rl_revision_images_dup_crop (f->images, 1, 0.5, 0.5, 320, 200, NULL, NULL));
  rl_revision_images_set_document (f->images, f->api, "other");
  g_assert_null (rl_revision_images_dup_crop (f->images, 1, 0.5, 0.5, 320, 200, NULL, NULL));
  g_assert_true (RL_TEST_POLL_UNTIL (was_ready (f, 1), 5000));
  g_assert_cmpuint (f->ready->len, ==, 1);
  crop = rl_revision_images_dup_crop (f->images, 1, 0.5, 0.5, 320, 200, NULL, NULL);
  g_assert_nonnull (crop);
  /* Disposed mid-fetch: cancelled, and nothing reaches it. */
  g_array_set_size (f->ready, 0);
  rl_revision_images_set_document (f->images, f->api, "home");
  g_assert_null (rl_revision_images_dup_crop (f->images, 1, 0.5, 0.5, 320, 200, NULL, NULL));
  g_clear_object (&f->images);
  g_assert_false (RL_TEST_POLL_UNTIL (f->ready->len > 0, 500));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/revision-images/once-per-document", Fixture, NULL, fixture_setup, test_once, fixture_teardown);
  g_test_add ("/revision-images/hostile", Fixture, NULL, fixture_setup, test_hostile, fixture_teardown);
  g_test_add ("/revision-images/dropped-while-fetching", Fixture, NULL, fixture_setup, test_dropped,
              fixture_teardown);

  return g_test_run ();
}
