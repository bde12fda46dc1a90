/* fuzz-upload.c — the checks of an upload before it is stored (PROTOCOL.md §6)
 *
 * An input is a Content-Type, a line break and the body: the images are
 * really decoded by GdkPixbuf (hostile PNG, JPEG and WebP headers: sizes,
 * chunk lengths, truncations), the pages are parsed. rl_upload_check must
 * answer every one with a clear refusal or the document's kind and size,
 * without a warning from the loader and within the memory the fuzzer allows.
 *
 * GdkPixbuf and the codecs under it are not instrumented: libFuzzer sees the
 * paths of our code only, and mutates blind inside the decoders. PNG chunks
 * carry a CRC, which a hostile uploader computes like anyone, so the target
 * makes every chunk's right and mutated headers reach the decoder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-error.h"
#include "rl-fuzz.h"
#include "rl-limits.h"
#include "rl-model.h"
#include "rl-upload.h"

static guint32
crc32_of (const guint8 *data,
          gsize         size)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < size; i++)
    {
      crc ^= data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
    }
  return ~crc;
}

static void
repair_png_crcs (guint8 *data,
                 gsize   size)
{
  gsize at = 8;

  if (size < 8 || memcmp (data, "\x89PNG\r\n\x1a\n", 8) != 0)
    return;
  while (at + 12 <= size)
    {
      guint32 length = (guint32) data[at] << 24 | (guint32) data[at + 1] << 16 | (guint32) data[at + 2] << 8 | data[at + 3];
      guint32 crc;

      if (length > size - at - 12)
        break;
      crc = crc32_of (data + at + 4, 4 + (gsize) length);
      data[at + 8 + length] = (guint8) (crc >> 24);
      data[at + 9 + length] = (guint8) (crc >> 16);
      data[at + 10 + length] = (guint8) (crc >> 8);
      data[at + 11 + length] = (guint8) crc;
      at += 12 + (gsize) length;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *mime = NULL;
  g_autofree char *mime_out = NULL;
  const uint8_t *body;
  size_t body_size;
  guint8 *copy;
  int width = -1, height = -1;
  RlDocKind kind;

  rl_fuzz_split (data, size, '\n', &mime, &body, &body_size);
  /* The bytes as the server holds them: exactly as long as they came. */
  copy = body_size > 0 ? g_memdup2 (body, body_size) : NULL;
  if (copy != NULL)
    repair_png_crcs (copy, body_size);
  content = g_bytes_new_take (copy, body_size);

  if (!rl_upload_check (mime, content, &mime_out, &width, &height, &error))
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == RL_ERROR);
      g_assert_true (error->code == RL_ERROR_BAD_REQUEST || error->code == RL_ERROR_TOO_LARGE);
      g_assert_null (mime_out);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_true (rl_doc_kind_for_mime (mime_out, &kind));
  g_assert_true (rl_doc_kind_for_mime (mime, &kind));
  if (kind == RL_DOC_KIND_IMAGE)
    {
      g_assert_cmpint (width, >=, 1);
      g_assert_cmpint (height, >=, 1);
      g_assert_cmpint (width, <=, RL_IMAGE_MAX_SIDE);
      g_assert_cmpint (height, <=, RL_IMAGE_MAX_SIDE);
      g_assert_cmpint ((gint64) width * height, <=, RL_IMAGE_MAX_PIXELS);
    }
  else
    {
      g_assert_cmpint (width, ==, 0);
      g_assert_cmpint (height, ==, 0);
    }
  return 0;
}
