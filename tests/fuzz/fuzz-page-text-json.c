/* fuzz-page-text-json.c — a page's text model on the wire (rl-plaintext.h)
 *
 * The server serves each page revision's text model as JSON and the app
 * renders and anchors by what rl_page_text_new_from_json accepts. Each input
 * is tried twice:
 * - as that JSON: refused with RL_ERROR_BAD_REQUEST, or a model whose
 *   counts, offsets and spans agree, which writes to JSON that reads back to
 *   the same model;
 * - as a Markdown page: the model the server would make is no longer than
 *   the limit allows for its size, and the app accepts its JSON as the same
 *   model (a page the server took must never be one no client can show).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-error.h"
#include "rl-fuzz.h"
#include "rl-fuzz-page-text.h"
#include "rl-json.h"
#include "rl-plaintext.h"

static RlPageText *
read_back (RlPageText *text)
{
  gsize length;
  g_autofree char *json = rl_page_text_serialize (text, &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) parsed = rl_json_parse (json, length, &error);
  RlPageText *back;

  g_assert_no_error (error);
  back = rl_page_text_new_from_json (parsed, &error);
  g_assert_no_error (error);
  g_assert_true (rl_page_text_equal (text, back));
  return back;
}

static void
fuzz_json (const uint8_t *data,
           size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = rl_json_parse ((const char *) data, size, &error);
  g_autoptr(RlPageText) text = NULL;
  g_autoptr(RlPageText) back = NULL;

  if (node == NULL)
    return;
  text = rl_page_text_new_from_json (node, &error);
  if (text == NULL)
    {
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  g_assert_no_error (error);
  rl_fuzz_check_page_text (text);
  back = read_back (text);
}

static void
fuzz_markdown (const uint8_t *data,
               size_t         size)
{
  g_autoptr(RlPageText) text = rl_page_text_new ("text/markdown", (const char *) data, size, NULL);
  g_autoptr(RlPageText) back = NULL;
  gsize n_bytes;
  guint n_spans;

  if (text == NULL)
    return;
  rl_page_text_get_text (text, &n_bytes);
  rl_page_text_get_spans (text, &n_spans);
  /* The limits of RL_PAGE_TEXT_MAX_BYTES and _SPANS, for any size. */
  g_assert_cmpuint (n_bytes, <=, 4 * size);
  g_assert_cmpuint (n_spans, <=, size);
  back = read_back (text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_json (data, size);
  fuzz_markdown (data, size);
  return 0;
}
