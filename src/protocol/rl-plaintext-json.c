/* rl-plaintext-json.c — the page's text model on the wire
 *
 * The server computes a page revision's text once and serves it as JSON; the
 * app renders and anchors by what it reads here, so this file checks every
 * promise rl-plaintext.h makes about a model, as the walk would have kept it.
 *
 * Decisions where the brief is silent:
 * - a span is never empty (start < end): the walk never makes one, and a
 *   view would have nothing to style;
 * - members a span's kind does not use are refused, not ignored; members
 *   of the object that nothing here knows are ignored, as everywhere in
 *   the codec, so that a later version may add some.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-plaintext-private.h"

#include <string.h>

#include "rl-json-private.h"

enum
{
  USES_LEVEL  = 1 << 0,
  USES_NUMBER = 1 << 1,
  USES_HREF   = 1 << 2,
  USES_ALIGN  = 1 << 3,
};

static const struct
{
  const char *name;
  guint       uses;
  gboolean    block;
} kinds[] = {
  [RL_TEXT_SPAN_PARAGRAPH]     = { "paragraph", 0, TRUE },
  [RL_TEXT_SPAN_HEADING]       = { "heading", USES_LEVEL, TRUE },
  [RL_TEXT_SPAN_CODE_BLOCK]    = { "code-block", 0, TRUE },
  [RL_TEXT_SPAN_QUOTE]         = { "quote", 0, TRUE },
  [RL_TEXT_SPAN_LIST_ITEM]     = { "list-item", USES_LEVEL | USES_NUMBER, TRUE },
  [RL_TEXT_SPAN_TABLE]         = { "table", 0, TRUE },
  [RL_TEXT_SPAN_TABLE_ROW]     = { "table-row", USES_LEVEL, TRUE },
  [RL_TEXT_SPAN_TABLE_CELL]    = { "table-cell", USES_LEVEL | USES_NUMBER | USES_ALIGN, TRUE },
  [RL_TEXT_SPAN_EMPHASIS]      = { "emphasis", 0, FALSE },
  [RL_TEXT_SPAN_STRONG]        = { "strong", 0, FALSE },
  [RL_TEXT_SPAN_CODE]          = { "code", 0, FALSE },
  [RL_TEXT_SPAN_STRIKETHROUGH] = { "strikethrough", 0, FALSE },
  [RL_TEXT_SPAN_LINK]          = { "link", USES_HREF, FALSE },
  [RL_TEXT_SPAN_IMAGE]         = { "image", USES_HREF, FALSE },
};

/* RL_TEXT_ALIGN_DEFAULT is written as no member. */
static const char *const align_names[] = {
  [RL_TEXT_ALIGN_LEFT] = "left",
  [RL_TEXT_ALIGN_CENTER] = "center",
  [RL_TEXT_ALIGN_RIGHT] = "right",
};

JsonNode *
rl_page_text_to_json (RlPageText *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  rl_json_add_string (builder, "text", self->text);
  json_builder_set_member_name (builder, "spans");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->spans->len; i++)
    {
      const RlTextSpan *span = &g_array_index (self->spans, RlTextSpan, i);
      guint uses = kinds[span->kind].uses;

      json_builder_begin_object (builder);
      rl_json_add_string (builder, "kind", kinds[span->kind].name);
      rl_json_add_int (builder, "start", span->start);
      rl_json_add_int (builder, "end", span->end);
      if (uses & USES_LEVEL)
        rl_json_add_int (builder, "level", span->level);
      if (uses & USES_NUMBER)
        rl_json_add_int (builder, "number", span->number);
      if (uses & USES_HREF)
        rl_json_add_string (builder, "href", span->href ? span->href : "");
      if ((uses & USES_ALIGN) && span->align != RL_TEXT_ALIGN_DEFAULT)
        rl_json_add_string (builder, "align", align_names[span->align]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

char *
rl_page_text_serialize (RlPageText *self,
                        gsize      *length)
{
  g_autoptr(JsonNode) node = rl_page_text_to_json (self);
  gsize raw_length;
  g_autofree char *raw = rl_json_to_string (node, &raw_length);
  GString *json;

  /* In UTF-8 the byte 0x1F is only ever U+001F, and the generator writes
   * it only inside strings. */
  if (memchr (raw, 0x1F, raw_length) == NULL)
    {
      if (length)
        *length = raw_length;
      return g_steal_pointer (&raw);
    }
  json = g_string_sized_new (raw_length + 16);
  for (gsize i = 0; i < raw_length; i++)
    {
      if (raw[i] == 0x1F)
        g_string_append (json, "\\u001f");
      else
        g_string_append_c (json, raw[i]);
    }
  if (length)
    *length = json->len;
  return g_string_free (json, FALSE);
}

/* ---- reading ------------------------------------------------------------- */

/* An open span while reading: its index and how many list items hold it. */
typedef struct
{
  guint index;
  int   list_depth;
} Open;

static gboolean
read_kind (JsonObject      *object,
           guint            index,
           RlTextSpanKind  *kind,
           GError         **error)
{
  const char *name;

  if (!rl_json_read_string (object, "kind", &name, error))
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    if (g_str_equal (kinds[k].name, name))
      {
        *kind = (RlTextSpanKind) k;
        return TRUE;
      }
  return rl_json_fail (error, "span %u: unknown kind “%s”", index, name);
}

/* level, number, href and align: present where the kind uses them (align
 * may be left out), absent elsewhere; in range. */
static gboolean
read_members (JsonObject  *object,
              guint        index,
              RlTextSpan  *span,
              GError     **error)
{
  static const struct
  {
    const char *name;
    guint       use;
  } members[] = {
    { "level", USES_LEVEL }, { "number", USES_NUMBER }, { "href", USES_HREF }, { "align", USES_ALIGN },
  };
  const char *kind = kinds[span->kind].name;
  guint uses = kinds[span->kind].uses;
  gint64 value;

  for (guint m = 0; m < G_N_ELEMENTS (members); m++)
    if (!(uses & members[m].use) && json_object_has_member (object, members[m].name))
      return rl_json_fail (error, "span %u: a %s span has no “%s”", index, kind, members[m].name);

  if (uses & USES_LEVEL)
    {
      if (!rl_json_read_int (object, "level", &value, error))
        return FALSE;
      if (span->kind == RL_TEXT_SPAN_HEADING && (value < 1 || value > 6))
        return rl_json_fail (error, "span %u: a heading's “level” is 1 to 6", index);
      if ((span->kind == RL_TEXT_SPAN_TABLE_ROW || span->kind == RL_TEXT_SPAN_TABLE_CELL)
          && value != 0 && value != 1)
        return rl_json_fail (error, "span %u: a %s's “level” is 1 (header) or 0", index, kind);
      if (span->kind == RL_TEXT_SPAN_LIST_ITEM && (value < 1 || value > G_MAXINT))
        return rl_json_fail (error, "span %u: a list item's “level” is its depth, from 1", index);
      span->level = (int) value;
    }
  if (uses & USES_NUMBER)
    {
      gint64 lowest = span->kind == RL_TEXT_SPAN_TABLE_CELL ? 1 : 0;

      if (!rl_json_read_int (object, "number", &value, error))
        return FALSE;
      if (value < lowest || value > G_MAXINT)
        return rl_json_fail (error, "span %u: a %s's “number” is an integer from %" G_GINT64_FORMAT,
                             index, kind, lowest);
      span->number = (int) value;
    }
  if (uses & USES_HREF)
    {
      const char *href;

      if (!rl_json_read_string (object, "href", &href, error))
        return FALSE;
      span->href = g_strdup (href);
    }
  if ((uses & USES_ALIGN) && json_object_has_member (object, "align"))
    {
      const char *align;

      if (!rl_json_read_string (object, "align", &align, error))
        return FALSE;
      for (guint a = 0; a < G_N_ELEMENTS (align_names); a++)
        if (align_names[a] != NULL && g_str_equal (align_names[a], align))
          span->align = (RlTextAlign) a;
      if (span->align == RL_TEXT_ALIGN_DEFAULT)
        return rl_json_fail (error, "span %u: “align” is left, center or right", index);
    }
  return TRUE;
}

static gboolean
read_span (JsonNode    *node,
           guint        index,
           guint        n_chars,
           RlTextSpan  *span,
           GError     **error)
{
  JsonObject *object = rl_json_object_of (node);
  gint64 start, end;

  if (object == NULL)
    return rl_json_fail (error, "span %u must be an object", index);
  if (!read_kind (object, index, &span->kind, error) ||
      !rl_json_read_int (object, "start", &start, error) ||
      !rl_json_read_int (object, "end", &end, error))
    return FALSE;
  if (start < 0 || start >= end || end > n_chars)
    return rl_json_fail (error, "span %u must have 0 ≤ start < end ≤ %u (the text's code points)",
                         index, n_chars);
  span->start = (guint) start;
  span->end = (guint) end;
  return read_members (object, index, span, error);
}

/* Where span index sits among the spans open before it: inside the
 * innermost one that holds it, crossing none; a block never inside an
 * inline span; a table holds rows, a row cells (by increasing column), a
 * cell no block; a list item no deeper than the items around it. */
static gboolean
check_nesting (GArray      *spans,
               guint        index,
               GArray      *open,
               GError     **error)
{
  const RlTextSpan *span = &g_array_index (spans, RlTextSpan, index);
  const RlTextSpan *parent = NULL;
  int list_depth = 0;
  Open entry;

  if (index > 0 && rl_text_span_compare (&g_array_index (spans, RlTextSpan, index - 1), span) > 0)
    return rl_json_fail (error, "span %u is out of document order (by start, outer first)", index);
  while (open->len > 0 &&
         g_array_index (spans, RlTextSpan, g_array_index (open, Open, open->len - 1).index).end <= span->start)
    g_array_set_size (open, open->len - 1);
  if (open->len > 0)
    {
      const Open *top = &g_array_index (open, Open, open->len - 1);

      parent = &g_array_index (spans, RlTextSpan, top->index);
      list_depth = top->list_depth;
      if (span->end > parent->end)
        return rl_json_fail (error, "span %u crosses span %u", index, top->index);
      if (kinds[span->kind].block && !kinds[parent->kind].block)
        return rl_json_fail (error, "span %u: a block inside an inline span", index);
    }
  if (kinds[span->kind].block)
    {
      RlTextSpanKind holder = parent ? parent->kind : RL_TEXT_SPAN_PARAGRAPH;

      if ((span->kind == RL_TEXT_SPAN_TABLE_ROW) != (holder == RL_TEXT_SPAN_TABLE) ||
          (span->kind == RL_TEXT_SPAN_TABLE_CELL) != (holder == RL_TEXT_SPAN_TABLE_ROW) ||
          holder == RL_TEXT_SPAN_TABLE_CELL)
        return rl_json_fail (error, "span %u: a table holds rows, a row cells, a cell no block", index);
    }
  if (span->kind == RL_TEXT_SPAN_TABLE_CELL)
    {
      /* The cell before it in the same row, if any, is the last span
       * inside that row with a block kind. */
      for (guint i = index; i > 0; i--)
        {
          const RlTextSpan *before = &g_array_index (spans, RlTextSpan, i - 1);

          if (before == parent)
            break;
          if (before->kind == RL_TEXT_SPAN_TABLE_CELL)
            {
              if (before->number >= span->number)
                return rl_json_fail (error, "span %u: a row's cells go by increasing column", index);
              break;
            }
        }
    }
  if (span->kind == RL_TEXT_SPAN_LIST_ITEM)
    {
      if (span->level > list_depth + 1)
        return rl_json_fail (error, "span %u: a list item is at most one deeper than the items around it",
                             index);
      list_depth++;
    }
  entry = (Open) { index, list_depth };
  g_array_append_val (open, entry);
  return TRUE;
}

RlPageText *
rl_page_text_new_from_json (JsonNode  *node,
                            GError   **error)
{
  return rl_page_text_new_from_json_limited (node, RL_PAGE_TEXT_MAX_BYTES, RL_PAGE_TEXT_MAX_SPANS, error);
}

RlPageText *
rl_page_text_new_from_json_limited (JsonNode  *node,
                                    gsize      max_bytes,
                                    guint      max_spans,
                                    GError   **error)
{
  JsonObject *object = rl_json_object_of (node);
  g_autoptr(GArray) spans = NULL;
  g_autoptr(GArray) open = NULL;
  const char *text;
  JsonNode *member;
  JsonArray *array;
  gsize n_bytes;
  guint n_chars, n_spans;

  if (object == NULL)
    {
      rl_json_fail (error, "a page's text must be an object");
      return NULL;
    }
  if (!rl_json_read_string (object, "text", &text, error))
    return NULL;
  n_bytes = strlen (text);
  if (n_bytes > max_bytes)
    {
      rl_json_fail (error, "a page's text is at most %" G_GSIZE_FORMAT " bytes", max_bytes);
      return NULL;
    }
  n_chars = (guint) g_utf8_strlen (text, (gssize) n_bytes);
  member = rl_json_member (object, "spans");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    {
      rl_json_fail (error, "“spans” must be an array");
      return NULL;
    }
  array = json_node_get_array (member);
  n_spans = json_array_get_length (array);
  if (n_spans > max_spans)
    {
      rl_json_fail (error, "a page's text has at most %u spans", max_spans);
      return NULL;
    }

  spans = g_array_sized_new (FALSE, TRUE, sizeof (RlTextSpan), n_spans);
  g_array_set_clear_func (spans, rl_text_span_clear);
  open = g_array_new (FALSE, FALSE, sizeof (Open));
  for (guint i = 0; i < n_spans; i++)
    {
      RlTextSpan span = { 0 };

      if (!read_span (json_array_get_element (array, i), i, n_chars, &span, error))
        {
          g_free (span.href);
          return NULL;
        }
      g_array_append_val (spans, span);
      if (!check_nesting (spans, i, open, error))
        return NULL;
    }
  return rl_page_text_new_take (g_strndup (text, n_bytes), n_bytes, g_steal_pointer (&spans));
}

gboolean
rl_page_text_equal (RlPageText *a,
                    RlPageText *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->n_bytes != b->n_bytes || memcmp (a->text, b->text, a->n_bytes) != 0 ||
      a->spans->len != b->spans->len)
    return FALSE;
  for (guint i = 0; i < a->spans->len; i++)
    {
      const RlTextSpan *x = &g_array_index (a->spans, RlTextSpan, i);
      const RlTextSpan *y = &g_array_index (b->spans, RlTextSpan, i);

      if (x->kind != y->kind || x->start != y->start || x->end != y->end || x->level != y->level ||
          x->number != y->number || x->align != y->align || g_strcmp0 (x->href, y->href) != 0)
        return FALSE;
    }
  return TRUE;
}
