/* rl-plaintext.h — the one plain text of a page (PROTOCOL.md §8)
 *
 * The server checks page anchors against it and the app renders and selects
 * from the same walk, so both count the same code points.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "rl-limits.h"

G_BEGIN_DECLS

/* A page's text model on the wire is at most this long: the text of the
 * largest upload, where a tab indenting a code block's line is up to four
 * spaces (md4c expands it) and nothing else grows more (an entity at most
 * 6 bytes for 5: "&nGt;"); every span takes at least one byte of the page,
 * as markup or text. fuzz-page-text-json checks both for every page. */
#define RL_PAGE_TEXT_MAX_BYTES  ((gsize) 4 * RL_UPLOAD_MAX_BYTES)
#define RL_PAGE_TEXT_MAX_SPANS  ((guint) RL_UPLOAD_MAX_BYTES)

/* What a span of the plain text is, for styling in the page view. Block
 * spans cover a whole block's text; inline spans nest inside them. */
typedef enum
{
  RL_TEXT_SPAN_PARAGRAPH,
  RL_TEXT_SPAN_HEADING,       /* level: 1–6 */
  RL_TEXT_SPAN_CODE_BLOCK,
  RL_TEXT_SPAN_QUOTE,         /* a block quote around other blocks */
  RL_TEXT_SPAN_LIST_ITEM,     /* level: nesting depth from 1; ordered: number, else 0 */
  RL_TEXT_SPAN_TABLE,         /* a table: its rows, one after the other */
  RL_TEXT_SPAN_TABLE_ROW,     /* level: 1 for the header row, else 0; its cells */
  RL_TEXT_SPAN_TABLE_CELL,    /* level: 1 for a header cell, else 0; number: its
                               * column from 1; align */
  RL_TEXT_SPAN_EMPHASIS,
  RL_TEXT_SPAN_STRONG,
  RL_TEXT_SPAN_CODE,
  RL_TEXT_SPAN_STRIKETHROUGH,
  RL_TEXT_SPAN_LINK,          /* href set */
  RL_TEXT_SPAN_IMAGE,         /* href set (the image's src); the text is its alt */
} RlTextSpanKind;

/* A table column's alignment, as the delimiter row says (":--", ":-:", "--:"). */
typedef enum
{
  RL_TEXT_ALIGN_DEFAULT,
  RL_TEXT_ALIGN_LEFT,
  RL_TEXT_ALIGN_CENTER,
  RL_TEXT_ALIGN_RIGHT,
} RlTextAlign;

typedef struct
{
  RlTextSpanKind kind;
  guint          start;       /* code points, inclusive */
  guint          end;         /* code points, exclusive */
  int            level;
  int            number;
  char          *href;
  RlTextAlign    align;       /* table cells only */
} RlTextSpan;

typedef struct _RlPageText RlPageText;

#define RL_TYPE_PAGE_TEXT (rl_page_text_get_type ())
GType        rl_page_text_get_type      (void) G_GNUC_CONST;

/* mime: "text/markdown" or "text/plain" (parameters such as ";charset=utf-8"
 * are ignored). Fails with RL_ERROR_BAD_REQUEST when data is not valid UTF-8
 * or the mime type is not a page type. In rl-markdown.c, of the
 * redline-markdown library (md4c): only the server and the tests link it;
 * the app renders the text model the server computed. */
RlPageText  *rl_page_text_new           (const char  *mime,
                                         const char  *data,
                                         gsize        length,
                                         GError     **error);
/* A text/plain page's model: its text, without spans (what
 * rl_page_text_new makes of "text/plain"); RL_ERROR_BAD_REQUEST when data
 * is not valid UTF-8. */
RlPageText  *rl_page_text_new_plain     (const char  *data,
                                         gsize        length,
                                         GError     **error);
RlPageText  *rl_page_text_ref           (RlPageText  *self);
void         rl_page_text_unref         (RlPageText  *self);

/* The plain text, NUL-terminated UTF-8. */
const char  *rl_page_text_get_text      (RlPageText  *self,
                                         gsize       *n_bytes);
/* Its length in Unicode code points. */
guint        rl_page_text_get_n_chars   (RlPageText  *self);
/* Spans in document order (by start, outer before inner). */
const RlTextSpan *rl_page_text_get_spans (RlPageText *self,
                                          guint      *n_spans);
/* Byte offset of a code point offset (0 ≤ offset ≤ n_chars), fast on long pages. */
gsize        rl_page_text_offset_to_byte (RlPageText *self,
                                          guint       offset);
/* A newly allocated copy of [start, end) in code points, or NULL when
 * start > end or end > n_chars. */
char        *rl_page_text_slice         (RlPageText  *self,
                                         guint        start,
                                         guint        end);

/* The text model as JSON: {"text": "…", "spans": [{"kind": "heading",
 * "start": 0, "end": 5, "level": 1}, …]}, kinds lower-case and hyphenated;
 * "level", "number", "href" and "align" only where the kind uses them. */
JsonNode    *rl_page_text_to_json       (RlPageText  *self);
/* The same as JSON text, as the server stores and serves it. (json-glib
 * 1.6 writes U+001F unescaped, which no JSON reader may accept; this writes
 * it as \u001f.) */
char        *rl_page_text_serialize     (RlPageText  *self,
                                         gsize       *length);
/* Reads what rl_page_text_to_json wrote, checking everything a view relies
 * on: the text valid UTF-8, every span inside it and in document order,
 * known kinds and their members in range, spans nested (a table holds rows,
 * a row cells), the limits above. NULL with RL_ERROR_BAD_REQUEST (what is
 * wrong, where) otherwise. */
RlPageText  *rl_page_text_new_from_json (JsonNode    *node,
                                         GError     **error);
/* The same text and the same spans. */
gboolean     rl_page_text_equal         (RlPageText  *a,
                                         RlPageText  *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlPageText, rl_page_text_unref)

G_END_DECLS
