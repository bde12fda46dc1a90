/* fuzz-reanchor.c — re-finding a page annotation in a changed page
 *
 * The anchors come from the wire or an old revision and the page from an
 * upload, so rl_reanchor must place or orphan any of them, quickly, and only
 * ever give back a range inside the text. An input is
 *
 *   START " " END NUL EXACT NUL PREFIX NUL SUFFIX NUL TEXT
 *
 * (START and END in decimal; any field may be cut short, TEXT is whatever
 * bytes remain, not necessarily UTF-8).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-fuzz.h"
#include "rl-reanchor.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *numbers = NULL;
  g_autofree char *exact = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *suffix = NULL;
  g_autofree char *read = NULL;
  g_autoptr(RlReanchorer) reanchorer = NULL;
  const uint8_t *rest = data;
  size_t rest_size = size;
  const char *text = "";
  gsize text_size = 0;
  char *end_of_start = NULL;
  RlAnchor anchor = { 0 };
  guint start = G_MAXUINT, end = G_MAXUINT;
  guint again_start = G_MAXUINT, again_end = G_MAXUINT;
  double score = -1, again_score = -1;
  RlAnchorFit fit, again;
  glong n_chars;

  rl_fuzz_split (rest, rest_size, '\0', &numbers, &rest, &rest_size);
  rl_fuzz_split (rest, rest_size, '\0', &exact, &rest, &rest_size);
  rl_fuzz_split (rest, rest_size, '\0', &prefix, &rest, &rest_size);
  rl_fuzz_split (rest, rest_size, '\0', &suffix, &rest, &rest_size);
  if (rest != NULL)
    {
      text = (const char *) rest;
      text_size = rest_size;
    }

  anchor.kind = RL_DOC_KIND_PAGE;
  anchor.start = g_ascii_strtoll (numbers, &end_of_start, 10);
  anchor.end = g_ascii_strtoll (end_of_start, NULL, 10);
  anchor.exact = exact;
  anchor.prefix = prefix;
  anchor.suffix = suffix;

  /* The text is given with its length, never read past it. */
  reanchorer = rl_reanchorer_new (text, (gssize) text_size);
  fit = rl_reanchorer_place (reanchorer, &anchor, &start, &end, &score);

  g_assert_true (score >= 0.0 && score <= 1.0);
  read = rl_fuzz_text_as_read (text, text_size);
  n_chars = g_utf8_strlen (read, -1);
  switch (fit)
    {
    case RL_ANCHOR_EXACT:
      g_assert_cmpint (start, ==, anchor.start);
      g_assert_cmpint (end, ==, anchor.end);
      g_assert_cmpfloat (score, ==, 1.0);
      G_GNUC_FALLTHROUGH;
    case RL_ANCHOR_MOVED:
    case RL_ANCHOR_FUZZY:
      g_assert_cmpuint (start, <, end);
      g_assert_cmpuint (end, <=, n_chars);
      break;
    case RL_ANCHOR_ORPHANED:
      /* Untouched. */
      g_assert_cmpuint (start, ==, G_MAXUINT);
      g_assert_cmpuint (end, ==, G_MAXUINT);
      break;
    default:
      g_assert_not_reached ();
    }

  /* The one-shot form finds the same place; so does the text as it is read. */
  again = rl_reanchor (read, -1, &anchor, &again_start, &again_end, &again_score);
  g_assert_cmpint (again, ==, fit);
  g_assert_cmpuint (again_start, ==, start);
  g_assert_cmpuint (again_end, ==, end);
  g_assert_cmpfloat (again_score, ==, score);
  return 0;
}
