/* fuzz-plaintext.c — the page's plain text (PROTOCOL.md §8)
 *
 * Every page upload goes through rl_page_text_new, as Markdown or as plain
 * text (each input is tried as both). It must refuse what is not UTF-8 and
 * otherwise give a text whose counts, spans, offsets and slices agree: the
 * server checks anchors against them and the app renders and selects by them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-error.h"
#include "rl-fuzz.h"
#include "rl-fuzz-page-text.h"
#include "rl-plaintext.h"

static void
fuzz_as (const char    *mime,
         const uint8_t *data,
         size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlPageText) page = rl_page_text_new (mime, (const char *) data, size, &error);

  if (page == NULL)
    {
      /* Only what is not UTF-8 (a NUL byte included) is refused. */
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_assert_false (g_utf8_validate_len ((const char *) data, size, NULL));
      return;
    }
  g_assert_no_error (error);
  rl_fuzz_check_page_text (page);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_as ("text/markdown", data, size);
  fuzz_as ("text/plain; charset=utf-8", data, size);
  return 0;
}
