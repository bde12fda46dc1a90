/* rl-plaintext-private.h — RlPageText's parts, for the files that make one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-plaintext.h"

G_BEGIN_DECLS

struct _RlPageText
{
  grefcount  ref_count;
  char      *text;
  gsize      n_bytes;
  guint      n_chars;
  GArray    *spans;        /* RlTextSpan */
  GArray    *checkpoints;  /* gsize: byte offset of code point i × CHECKPOINT_EVERY */
};

/* Takes text (valid UTF-8, n_bytes long, NUL-terminated) and spans (an
 * array of RlTextSpan in document order, checked by the caller). */
RlPageText  *rl_page_text_new_take  (char          *text,
                                     gsize          n_bytes,
                                     GArray        *spans);
/* Document order: by start, then outer (longer) first, then by kind. */
int          rl_text_span_compare   (gconstpointer  a,
                                     gconstpointer  b);
void         rl_text_span_clear     (gpointer       span);
/* A page's bytes checked (valid UTF-8, else RL_ERROR_BAD_REQUEST) and
 * made regular: a BOM dropped, CRLF and lone CR made LF. */
char        *rl_page_text_normalize (const char    *data,
                                     gsize          length,
                                     gsize         *out_length,
                                     GError       **error);
/* Whether mime (NULL: none) is wanted, its parameters ignored. */
gboolean     rl_page_text_mime_is   (const char    *mime,
                                     const char    *wanted);
/* rl_page_text_new_from_json with other limits than RL_PAGE_TEXT_MAX_*,
 * for the tests. */
RlPageText  *rl_page_text_new_from_json_limited (JsonNode *node,
                                                 gsize     max_bytes,
                                                 guint     max_spans,
                                                 GError  **error);

G_END_DECLS
