/* rl-text-read.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-text-read.h"

gunichar *
rl_text_read_code_points (const char *text,
                          gssize      length,
                          guint      *n_chars)
{
  g_autofree char *repaired = NULL;
  gunichar *chars;
  glong n = 0;
  gsize n_bytes;

  if (text == NULL)
    {
      text = "";
      length = 0;
    }
  n_bytes = length < 0 ? strlen (text) : (gsize) length;
  if (!g_utf8_validate_len (text, n_bytes, NULL))
    {
      repaired = g_utf8_make_valid (text, (gssize) n_bytes);
      text = repaired;
      n_bytes = strlen (repaired);
    }
  chars = g_utf8_to_ucs4_fast (text, (glong) n_bytes, &n);
  *n_chars = (guint) n;
  return chars;
}
