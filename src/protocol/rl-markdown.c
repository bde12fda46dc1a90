/* rl-markdown.c — PROTOCOL.md §8: a Markdown page's plain text, by one walk
 * of md4c
 *
 * In a library of its own (redline-markdown), so that only the server, which
 * computes a page revision's text model once at upload, and the tests link
 * md4c: the app renders the model the server serves, and no anchor depends
 * on which md4c a client has.
 *
 * Decisions where the contract is silent:
 * - a block with no text (an empty code block or table cell) adds nothing,
 *   not even a separator;
 * - an entity md4c reports ("&name;") that is not in HTML5's table stays as
 *   written;
 * - numeric entities outside Unicode (0, surrogates, > U+10FFFF) become U+FFFD,
 *   as CommonMark says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-plaintext-private.h"

#include <md4c.h>
#include <stdlib.h>
#include <string.h>

#include "rl-entities.h"
#include "rl-error.h"

/* ---- the walk --------------------------------------------------------------- */

typedef struct
{
  RlTextSpanKind kind;
  int            level;
  int            number;
  char          *href;
  RlTextAlign    align;
  gint64         start;      /* -1 until the first text inside */
  guint          order;      /* for a stable outer-before-inner sort */
  gboolean       is_span;    /* an entry of the stack that records a span */
  gboolean       block;      /* entered by enter_block, else by enter_span */
  int            md_type;    /* md4c's MD_BLOCKTYPE or MD_SPANTYPE */
} Frame;

typedef struct
{
  GString *text;
  guint    n_chars;
  GArray  *frames;           /* Frame stack */
  guint    waiting;          /* frames from here up may wait for their first text */
  GArray  *spans;
  gboolean block_open;       /* a text block has received text */
  gsize    block_bytes;      /* where the open block's text starts */
  guint    block_chars;
  gsize    before_sep_bytes; /* the text before the open block's separator */
  guint    before_sep_chars;
  int      list_depth;
  GArray  *ol_counters;      /* int per list level; 0 for bullets */
  gboolean table_head;       /* inside a table's header rows */
  int      table_column;     /* the cell's column in its row, from 1 */
  guint    order;
} Walk;

static void
append (Walk       *walk,
        const char *data,
        gsize       size)
{
  if (size == 0)
    return;
  if (!walk->block_open)
    {
      walk->before_sep_bytes = walk->text->len;
      walk->before_sep_chars = walk->n_chars;
      if (walk->text->len > 0)
        {
          g_string_append_c (walk->text, '\n');
          walk->n_chars++;
        }
      walk->block_open = TRUE;
      walk->block_bytes = walk->text->len;
      walk->block_chars = walk->n_chars;
    }

  /* Every frame waiting for its first text starts here: only those pushed
   * since the last text can be (a scan of the whole stack made each line of
   * a deeply nested page cost its depth: 20 000 quotes deep, 1 MB took 9 s). */
  for (guint i = walk->waiting; i < walk->frames->len; i++)
    {
      Frame *frame = &g_array_index (walk->frames, Frame, i);

      if (frame->start < 0)
        frame->start = walk->n_chars;
    }
  walk->waiting = walk->frames->len;

  g_string_append_len (walk->text, data, size);
  walk->n_chars += (guint) g_utf8_strlen (data, size);
}

static void
append_unichar (Walk     *walk,
                gunichar  c)
{
  char buf[6];
  int len = g_unichar_to_utf8 (c, buf);

  append (walk, buf, len);
}

/* Any block boundary ends the text block in progress. */
static void
close_text_block (Walk *walk)
{
  walk->block_open = FALSE;
}

static void
push (Walk          *walk,
      RlTextSpanKind kind,
      int            level,
      int            number,
      char          *href,
      gboolean       is_span)
{
  Frame frame = { kind, level, number, href, RL_TEXT_ALIGN_DEFAULT, -1, walk->order++, is_span, FALSE, 0 };

  g_array_append_val (walk->frames, frame);
}

static void
pop (Walk *walk)
{
  Frame *frame;

  g_return_if_fail (walk->frames->len > 0);
  frame = &g_array_index (walk->frames, Frame, walk->frames->len - 1);
  if (frame->is_span && frame->start >= 0 && (guint) frame->start < walk->n_chars)
    {
      RlTextSpan span = { frame->kind, (guint) frame->start, walk->n_chars,
                          frame->level, frame->number, g_steal_pointer (&frame->href),
                          frame->align };

      g_array_append_val (walk->spans, span);
    }
  g_free (frame->href);
  g_array_set_size (walk->frames, walk->frames->len - 1);
  walk->waiting = MIN (walk->waiting, walk->frames->len);
}

/* Which md4c callback the frame just pushed answers. */
static void
tag_top (Walk     *walk,
         gboolean  block,
         int       md_type)
{
  Frame *frame = &g_array_index (walk->frames, Frame, walk->frames->len - 1);

  frame->block = block;
  frame->md_type = md_type;
}

/* md4c 0.4.8 does not always pair its callbacks: a "~" in a link's
 * destination matched with one after it leaves a strikethrough never
 * entered ("a [b](~)c~") or enters one never left ("~a [b](~)"). A leave
 * closes the innermost open frame it names, and what is still open inside
 * it; one that names nothing open is dropped. Returns the frame's index, or
 * -1. */
static int
find_open (Walk     *walk,
           gboolean  block,
           int       md_type)
{
  for (guint i = walk->frames->len; i > 0; i--)
    {
      const Frame *frame = &g_array_index (walk->frames, Frame, i - 1);

      if (frame->block == block && frame->md_type == md_type)
        return (int) i - 1;
      if (frame->block && !block)
        break; /* a span never closes its block */
    }
  return -1;
}

static void
pop_to (Walk *walk,
        int   index)
{
  while (walk->frames->len > (guint) index)
    pop (walk);
}

static char *
attribute_dup (const MD_ATTRIBUTE *attribute)
{
  return attribute->text ? g_strndup (attribute->text, attribute->size) : g_strdup ("");
}

static int
enter_block (MD_BLOCKTYPE  type,
             void         *detail,
             void         *data)
{
  Walk *walk = data;

  close_text_block (walk);
  switch (type)
    {
    case MD_BLOCK_QUOTE:
      push (walk, RL_TEXT_SPAN_QUOTE, 0, 0, NULL, TRUE);
      break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      {
        int start = type == MD_BLOCK_OL ? (int) ((MD_BLOCK_OL_DETAIL *) detail)->start : 0;

        walk->list_depth++;
        g_array_append_val (walk->ol_counters, start);
        push (walk, RL_TEXT_SPAN_PARAGRAPH, 0, 0, NULL, FALSE);
      }
      break;
    case MD_BLOCK_LI:
      {
        int *counter = &g_array_index (walk->ol_counters, int, walk->ol_counters->len - 1);
        int number = *counter;

        if (*counter > 0)
          (*counter)++;
        push (walk, RL_TEXT_SPAN_LIST_ITEM, walk->list_depth, number, NULL, TRUE);
      }
      break;
    case MD_BLOCK_H:
      push (walk, RL_TEXT_SPAN_HEADING, (int) ((MD_BLOCK_H_DETAIL *) detail)->level, 0, NULL, TRUE);
      break;
    case MD_BLOCK_CODE:
      push (walk, RL_TEXT_SPAN_CODE_BLOCK, 0, 0, NULL, TRUE);
      break;
    case MD_BLOCK_P:
      push (walk, RL_TEXT_SPAN_PARAGRAPH, 0, 0, NULL, TRUE);
      break;
    case MD_BLOCK_TABLE:
      push (walk, RL_TEXT_SPAN_TABLE, 0, 0, NULL, TRUE);
      break;
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
      walk->table_head = type == MD_BLOCK_THEAD;
      push (walk, RL_TEXT_SPAN_PARAGRAPH, 0, 0, NULL, FALSE);
      break;
    case MD_BLOCK_TR:
      walk->table_column = 0;
      push (walk, RL_TEXT_SPAN_TABLE_ROW, walk->table_head ? 1 : 0, 0, NULL, TRUE);
      break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      {
        static const RlTextAlign aligns[] = {
          [MD_ALIGN_DEFAULT] = RL_TEXT_ALIGN_DEFAULT, [MD_ALIGN_LEFT] = RL_TEXT_ALIGN_LEFT,
          [MD_ALIGN_CENTER] = RL_TEXT_ALIGN_CENTER, [MD_ALIGN_RIGHT] = RL_TEXT_ALIGN_RIGHT,
        };
        MD_ALIGN align = ((MD_BLOCK_TD_DETAIL *) detail)->align;

        push (walk, RL_TEXT_SPAN_TABLE_CELL, type == MD_BLOCK_TH ? 1 : 0, ++walk->table_column, NULL, TRUE);
        if ((guint) align < G_N_ELEMENTS (aligns))
          g_array_index (walk->frames, Frame, walk->frames->len - 1).align = aligns[align];
      }
      break;
    case MD_BLOCK_DOC:
    case MD_BLOCK_HR:
    case MD_BLOCK_HTML:
    default:
      push (walk, RL_TEXT_SPAN_PARAGRAPH, 0, 0, NULL, FALSE);
      break;
    }
  tag_top (walk, TRUE, type);
  return 0;
}

static int
leave_block (MD_BLOCKTYPE  type,
             void         *detail,
             void         *data)
{
  Walk *walk = data;
  int open = find_open (walk, TRUE, type);

  if (open < 0)
    return 0;

  /* A code block's text is verbatim but for its final line break; a block
   * left with no text also gives back its separator. */
  if (type == MD_BLOCK_CODE && walk->block_open)
    {
      if (walk->text->len > walk->block_bytes && walk->text->str[walk->text->len - 1] == '\n')
        {
          g_string_truncate (walk->text, walk->text->len - 1);
          walk->n_chars--;
        }
      if (walk->text->len == walk->block_bytes)
        {
          g_string_truncate (walk->text, walk->before_sep_bytes);
          walk->n_chars = walk->before_sep_chars;
          /* Starts only grow up the stack: from the top down to the first
           * frame that began before the cut. */
          for (guint i = walk->frames->len; i > 0; i--)
            {
              Frame *frame = &g_array_index (walk->frames, Frame, i - 1);

              if (frame->start < 0)
                continue;
              if (frame->start < (gint64) walk->n_chars)
                break;
              frame->start = -1;
              walk->waiting = MIN (walk->waiting, i - 1);
            }
        }
    }

  pop_to (walk, open);
  if (type == MD_BLOCK_UL || type == MD_BLOCK_OL)
    {
      walk->list_depth--;
      g_array_set_size (walk->ol_counters, walk->ol_counters->len - 1);
    }
  close_text_block (walk);
  return 0;
}

static int
enter_span (MD_SPANTYPE  type,
            void        *detail,
            void        *data)
{
  Walk *walk = data;

  switch (type)
    {
    case MD_SPAN_EM:
      push (walk, RL_TEXT_SPAN_EMPHASIS, 0, 0, NULL, TRUE);
      break;
    case MD_SPAN_STRONG:
      push (walk, RL_TEXT_SPAN_STRONG, 0, 0, NULL, TRUE);
      break;
    case MD_SPAN_CODE:
      push (walk, RL_TEXT_SPAN_CODE, 0, 0, NULL, TRUE);
      break;
    case MD_SPAN_DEL:
      push (walk, RL_TEXT_SPAN_STRIKETHROUGH, 0, 0, NULL, TRUE);
      break;
    case MD_SPAN_A:
      push (walk, RL_TEXT_SPAN_LINK, 0, 0, attribute_dup (&((MD_SPAN_A_DETAIL *) detail)->href), TRUE);
      break;
    case MD_SPAN_IMG:
      push (walk, RL_TEXT_SPAN_IMAGE, 0, 0, attribute_dup (&((MD_SPAN_IMG_DETAIL *) detail)->src), TRUE);
      break;
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
    case MD_SPAN_WIKILINK:
    case MD_SPAN_U:
    default:
      push (walk, RL_TEXT_SPAN_EMPHASIS, 0, 0, NULL, FALSE);
      break;
    }
  tag_top (walk, FALSE, type);
  return 0;
}

static int
leave_span (MD_SPANTYPE  type,
            void        *detail,
            void        *data)
{
  Walk *walk = data;
  int open = find_open (walk, FALSE, type);

  if (open >= 0)
    pop_to (walk, open);
  return 0;
}

static void
append_entity (Walk       *walk,
               const char *text,
               gsize       size)
{
  /* text is "&name;", "&#123;" or "&#x1F600;" */
  if (size >= 4 && text[1] == '#')
    {
      gboolean hex = text[2] == 'x' || text[2] == 'X';
      g_autofree char *digits = g_strndup (text + (hex ? 3 : 2), size - (hex ? 4 : 3));
      guint64 value = g_ascii_strtoull (digits, NULL, hex ? 16 : 10);

      if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        value = 0xFFFD;
      append_unichar (walk, (gunichar) value);
      return;
    }
  if (size >= 3)
    {
      const RlEntity *entity = rl_entity_lookup (text + 1, size - 2);

      if (entity != NULL)
        {
          append_unichar (walk, entity->points[0]);
          if (entity->points[1] != 0)
            append_unichar (walk, entity->points[1]);
          return;
        }
    }
  append (walk, text, size);
}

static int
on_text (MD_TEXTTYPE  type,
         const char  *text,
         MD_SIZE      size,
         void        *data)
{
  Walk *walk = data;

  switch (type)
    {
    case MD_TEXT_NORMAL:
    case MD_TEXT_CODE:
    case MD_TEXT_LATEXMATH:
      append (walk, text, size);
      break;
    case MD_TEXT_SOFTBR:
      append (walk, " ", 1);
      break;
    case MD_TEXT_BR:
      append (walk, "\n", 1);
      break;
    case MD_TEXT_ENTITY:
      append_entity (walk, text, size);
      break;
    case MD_TEXT_NULLCHAR:
      append_unichar (walk, 0xFFFD);
      break;
    case MD_TEXT_HTML:
    default:
      break;
    }
  return 0;
}

/* ---- construction ----------------------------------------------------------- */

RlPageText *
rl_page_text_new (const char  *mime,
                  const char  *data,
                  gsize        length,
                  GError     **error)
{
  g_autofree char *normal = NULL;
  gsize normal_length;
  Walk walk = { 0 };
  MD_PARSER parser = {
    0,
    MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH,
    enter_block, leave_block, enter_span, leave_span, on_text,
    NULL, NULL,
  };
  gsize n_bytes;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (rl_page_text_mime_is (mime, "text/plain"))
    return rl_page_text_new_plain (data, length, error);
  if (!rl_page_text_mime_is (mime, "text/markdown"))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "a page is text/markdown or text/plain");
      return NULL;
    }
  normal = rl_page_text_normalize (data, length, &normal_length, error);
  if (normal == NULL)
    return NULL;

  walk.text = g_string_sized_new (normal_length);
  walk.frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  walk.spans = g_array_new (FALSE, FALSE, sizeof (RlTextSpan));
  walk.ol_counters = g_array_new (FALSE, FALSE, sizeof (int));
  md_parse (normal, (MD_SIZE) normal_length, &parser, &walk);
  while (walk.frames->len > 0)
    pop (&walk);

  g_array_sort (walk.spans, rl_text_span_compare);
  g_array_unref (walk.frames);
  g_array_unref (walk.ol_counters);
  n_bytes = walk.text->len;
  return rl_page_text_new_take (g_string_free (walk.text, FALSE), n_bytes, walk.spans);
}
