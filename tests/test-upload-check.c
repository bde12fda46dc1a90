/* test-upload-check.c — the checks of an upload before it is stored
 *
 * The server's tests send uploads over HTTP (test-server-api); these call
 * rl_upload_check on bytes made to be hostile, as fuzz-upload does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "rl-error.h"
#include "rl-upload.h"

/* A picture with something in every row, so that no cut goes unseen. */
static GBytes *
encode_image (const char *format,
              int         width,
              int         height,
              const char *option_key,
              const char *option_value)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);
  char *buffer = NULL;
  gsize size = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width * 3; x++)
      pixels[y * gdk_pixbuf_get_rowstride (pixbuf) + x] = (guchar) (x * 7 + y * 13);
  gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, format, &error, option_key, option_value, NULL);
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static gboolean
check (const char  *mime,
       GBytes      *bytes,
       int         *width,
       int         *height,
       GError     **error)
{
  g_autofree char *mime_out = NULL;

  return rl_upload_check (mime, bytes, &mime_out, width, height, error);
}

static void
test_whole_images (void)
{
  static const struct { const char *format; const char *mime; } formats[] = {
    { "png", "image/png" }, { "jpeg", "image/jpeg" }, { "webp", "image/webp" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = encode_image (formats[i].format, 120, 90, NULL, NULL);
      int width = 0, height = 0;

      g_assert_true (check (formats[i].mime, bytes, &width, &height, &error));
      g_assert_no_error (error);
      g_assert_cmpint (width, ==, 120);
      g_assert_cmpint (height, ==, 90);
    }
}

/* Found by fuzz-upload: GdkPixbuf's PNG loader accepts a file cut short.
 * 74 bytes that declared 14000 × 14000 and held no pixels passed as a valid
 * image (the server allocated 770 MB to check them, and so would every app
 * that opened the document); a mockup cut in the middle passed too. (A JPEG
 * cut short still passes: libjpeg fills the rest with grey and GdkPixbuf
 * drops its warning; docs/fuzzing.md.) */
static void
test_cut_short (void)
{
  g_autoptr(GBytes) png = encode_image ("png", 400, 300, "compression", "0");
  /* signature, IHDR of 4000 × 3000 RGBA, an empty IDAT, IEND */
  static const guint8 header_only[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
    0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0x0f, 0xa0, 0, 0, 0x0b, 0xb8, 8, 6, 0, 0, 0, 0xf5, 0xb5, 0x47, 0xe7,
    0, 0, 0, 8, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x48, 0x06, 0x89, 0xd2,
    0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82,
  };
  struct { const char *mime; GBytes *bytes; gsize keep; } cases[] = {
    { "image/png", png, g_bytes_get_size (png) / 2 },
    { "image/png", png, g_bytes_get_size (png) - 100 },
  };
  g_autoptr(GBytes) empty_png = g_bytes_new_static (header_only, sizeof header_only);
  g_autoptr(GError) error = NULL;
  int width, height;

  g_assert_false (check ("image/png", empty_png, &width, &height, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) cut = g_bytes_new_from_bytes (cases[i].bytes, 0, cases[i].keep);

      g_assert_false (check (cases[i].mime, cut, &width, &height, &error));
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_clear_error (&error);
    }
}

/* A file of the fuzz corpus: a Content-Type line, then the bytes. */
static GBytes *
read_corpus_file (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "fuzz-upload", name, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const char *body;
  gsize size;

  g_file_get_contents (path, &contents, &size, &error);
  g_assert_no_error (error);
  body = memchr (contents, '\n', size);
  g_assert_nonnull (body);
  body++;
  return g_bytes_new (body, size - (gsize) (body - contents));
}

/* Found by fuzz-upload: webp-pixbuf-loader warns, and makes GdkPixbuf
 * critical twice, on an animation it cannot decode (one cut short, here);
 * every such upload put three lines in the server's log. Mockups are still
 * images: an animated WebP is refused before any decoder sees it. */
static void
test_animated_webp (void)
{
  g_autoptr(GBytes) animation = read_corpus_file ("animated.webp");
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (animation, 0, g_bytes_get_size (animation) - 40);
  g_autoptr(GBytes) still = read_corpus_file ("lossy.webp");
  GBytes *refused[] = { animation, cut };
  g_autoptr(GError) error = NULL;
  int width, height;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_assert_false (check ("image/webp", refused[i], &width, &height, &error));
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_clear_error (&error);
    }
  g_assert_true (check ("image/webp", still, &width, &height, &error));
  g_assert_no_error (error);
}

/* A RIFF container holding a VP8X header (a canvas size, flags) and no frame. */
static GBytes *
webp_canvas_only (guint32 width,
                  guint32 height)
{
  guint8 bytes[30] = { 'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X', 10, 0, 0, 0, 0x10 };

  for (guint i = 0; i < 3; i++)
    {
      bytes[24 + i] = (guint8) ((width - 1) >> (8 * i));
      bytes[27 + i] = (guint8) ((height - 1) >> (8 * i));
    }
  return g_bytes_new (bytes, sizeof bytes);
}

/* Found by fuzz-upload (as an out-of-memory): webp-pixbuf-loader allocates
 * the canvas a VP8X header declares before GdkPixbuf asks whether that size
 * is acceptable (5.9 GB for 96 × 15 million, from 30 bytes), and takes such a
 * header with no frame after it for a blank image: 30 bytes passed as a
 * valid 3000 × 3000 WebP. Both are answered from the header now, before any
 * decoder sees the bytes. */
static void
test_webp_header (void)
{
  g_autoptr(GBytes) blank = webp_canvas_only (3000, 3000);
  g_autoptr(GBytes) huge = webp_canvas_only (96, 15000000);
  g_autoptr(GBytes) still = read_corpus_file ("lossless.webp");
  g_autoptr(GBytes) not_riff = g_bytes_new_from_bytes (still, 12, g_bytes_get_size (still) - 12);
  g_autoptr(GError) error = NULL;
  int width, height;

  g_assert_false (check ("image/webp", blank, &width, &height, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_assert_false (check ("image/webp", huge, &width, &height, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_false (check ("image/webp", not_riff, &width, &height, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  g_assert_true (check ("image/webp", still, &width, &height, &error));
  g_assert_no_error (error);
  g_assert_cmpint (width, ==, 32);
  g_assert_cmpint (height, ==, 24);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/upload/whole-images", test_whole_images);
  g_test_add_func ("/upload/cut-short", test_cut_short);
  g_test_add_func ("/upload/animated-webp", test_animated_webp);
  g_test_add_func ("/upload/webp-header", test_webp_header);

  return g_test_run ();
}
