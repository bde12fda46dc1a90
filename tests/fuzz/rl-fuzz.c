/* rl-fuzz.c — what every fuzz target shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-fuzz.h"

#include <stdlib.h>
#include <string.h>

/* A critical is a programmer's error that hostile input reached; a warning
 * (a GObject finalized in a bad state, a GError set twice) as well. Either
 * aborts, as an assertion does: libFuzzer keeps the input that did it (GLib's
 * own fatal logs trap instead, which it does not catch). */
static GLogWriterOutput
write_and_abort (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  GLogWriterOutput output = g_log_writer_default (log_level, fields, n_fields, user_data);

  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return output;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_writer_func (write_and_abort, NULL, NULL);
  return 0;
}

void
rl_fuzz_split (const uint8_t  *data,
               size_t          size,
               char            sep,
               char          **head,
               const uint8_t **rest,
               size_t         *rest_size)
{
  const uint8_t *at = size > 0 ? memchr (data, sep, size) : NULL;
  size_t head_size = at ? (size_t) (at - data) : size;

  *head = g_strndup ((const char *) data, head_size);
  *rest = at ? at + 1 : NULL;
  *rest_size = at ? size - head_size - 1 : 0;
}

char *
rl_fuzz_text_as_read (const char *text,
                      size_t      length)
{
  if (g_utf8_validate_len (text, length, NULL))
    return g_strndup (text, length);
  return g_utf8_make_valid (text, (gssize) length);
}
