/* rl-fuzz-page-text.c — what every page text promises (rl-plaintext.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-fuzz-page-text.h"

#include <string.h>

void
rl_fuzz_check_page_text (RlPageText *page)
{
  gsize n_bytes;
  const char *text = rl_page_text_get_text (page, &n_bytes);
  guint n_chars = rl_page_text_get_n_chars (page);
  const RlTextSpan *spans;
  guint n_spans;
  gsize previous = 0;
  g_autofree char *all = NULL;

  g_assert_cmpuint (strlen (text), ==, n_bytes);
  g_assert_true (g_utf8_validate (text, (gssize) n_bytes, NULL));
  g_assert_cmpuint (g_utf8_strlen (text, (gssize) n_bytes), ==, n_chars);

  /* Offsets count code points, one after the other. */
  g_assert_cmpuint (rl_page_text_offset_to_byte (page, 0), ==, 0);
  g_assert_cmpuint (rl_page_text_offset_to_byte (page, n_chars), ==, n_bytes);
  for (guint i = 1; i <= n_chars; i += 1 + i / 8)
    {
      gsize byte = rl_page_text_offset_to_byte (page, i);

      g_assert_cmpuint (byte, >, previous);
      g_assert_cmpuint (byte, <=, n_bytes);
      g_assert_true (byte == n_bytes || (text[byte] & 0xC0) != 0x80);
      previous = byte;
    }
  all = rl_page_text_slice (page, 0, n_chars);
  g_assert_cmpstr (all, ==, text);
  g_assert_null (rl_page_text_slice (page, 0, n_chars + 1));
  if (n_chars > 0)
    g_assert_null (rl_page_text_slice (page, n_chars, n_chars - 1));

  /* Spans: inside the text, non-empty, by start, outer before inner. */
  spans = rl_page_text_get_spans (page, &n_spans);
  for (guint i = 0; i < n_spans; i++)
    {
      const RlTextSpan *span = &spans[i];
      g_autofree char *slice = rl_page_text_slice (page, span->start, span->end);

      g_assert_cmpuint (span->start, <, span->end);
      g_assert_cmpuint (span->end, <=, n_chars);
      g_assert_nonnull (slice);
      g_assert_cmpint (span->kind, <=, RL_TEXT_SPAN_IMAGE);
      if (span->kind == RL_TEXT_SPAN_HEADING)
        g_assert_true (span->level >= 1 && span->level <= 6);
      if (span->kind == RL_TEXT_SPAN_LINK || span->kind == RL_TEXT_SPAN_IMAGE)
        g_assert_nonnull (span->href);
      if (i > 0)
        {
          const RlTextSpan *before = &spans[i - 1];

          g_assert_true (before->start < span->start ||
                         (before->start == span->start && before->end >= span->end));
        }
    }
}
