/* fuzz-diff.c — the changes between two versions of a page's text
 *
 * Both texts come from uploads, so rl_diff_texts must take any two, quickly,
 * and its runs must give both back exactly. An input is
 *
 *   OLD NUL NEW
 *
 * (NEW is whatever bytes remain; neither need be UTF-8: each is made valid,
 * as the diff reads it, before the runs are checked against it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-diff.h"
#include "rl-fuzz.h"

/* The code points [start, end) of text, appended to out; start must be
 * where the last slice ended (*at, the byte it is at, moves on). */
static void
append_next (GString     *out,
             const char **at,
             guint       *at_char,
             guint        start,
             guint        end)
{
  const char *from;

  g_assert_cmpuint (start, ==, *at_char);
  from = *at;
  for (guint i = start; i < end; i++)
    {
      g_assert_cmpint (**at, !=, '\0');
      *at = g_utf8_next_char (*at);
    }
  g_string_append_len (out, from, *at - from);
  *at_char = end;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *old_raw = NULL;
  g_autofree char *old_text = NULL;
  g_autofree char *new_text = NULL;
  g_autoptr(GArray) runs = NULL;
  g_autoptr(GString) old_again = g_string_new (NULL);
  g_autoptr(GString) new_again = g_string_new (NULL);
  const uint8_t *rest = NULL;
  size_t rest_size = 0;
  const char *old_at, *new_at;
  guint old_char = 0, new_char = 0;

  rl_fuzz_split (data, size, '\0', &old_raw, &rest, &rest_size);
  old_text = rl_fuzz_text_as_read (old_raw, strlen (old_raw));
  new_text = rl_fuzz_text_as_read (rest != NULL ? (const char *) rest : "", rest_size);

  /* Given with its length, never read past it. */
  runs = rl_diff_texts (old_raw, (gssize) strlen (old_raw), (const char *) rest, (gssize) rest_size);

  old_at = old_text;
  new_at = new_text;
  for (guint i = 0; i < runs->len; i++)
    {
      const RlDiffRun *run = &g_array_index (runs, RlDiffRun, i);
      g_autoptr(GString) old_slice = g_string_new (NULL);
      g_autoptr(GString) new_slice = g_string_new (NULL);

      g_assert_true (run->old_start < run->old_end || run->new_start < run->new_end);
      if (i > 0)
        g_assert_cmpint (g_array_index (runs, RlDiffRun, i - 1).kind, !=, run->kind);
      append_next (old_slice, &old_at, &old_char, run->old_start, run->old_end);
      append_next (new_slice, &new_at, &new_char, run->new_start, run->new_end);
      switch (run->kind)
        {
        case RL_DIFF_EQUAL:
          g_assert_cmpstr (old_slice->str, ==, new_slice->str);
          g_string_append (old_again, old_slice->str);
          g_string_append (new_again, new_slice->str);
          break;
        case RL_DIFF_DELETED:
          g_assert_cmpuint (new_slice->len, ==, 0);
          g_string_append (old_again, old_slice->str);
          break;
        case RL_DIFF_INSERTED:
          g_assert_cmpuint (old_slice->len, ==, 0);
          g_string_append (new_again, new_slice->str);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  /* Both texts, exactly, and nothing of either left over. */
  g_assert_cmpstr (old_again->str, ==, old_text);
  g_assert_cmpstr (new_again->str, ==, new_text);
  return 0;
}
