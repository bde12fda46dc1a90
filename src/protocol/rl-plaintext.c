/* rl-plaintext.c — PROTOCOL.md §8: a page's text model, and a plain-text
 * page's; a Markdown page's is made by one walk of md4c in rl-markdown.c,
 * which only the server and the tests link.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-plaintext-private.h"

#include <string.h>

#include "rl-error.h"

#define CHECKPOINT_EVERY 256

G_DEFINE_BOXED_TYPE (RlPageText, rl_page_text, rl_page_text_ref, rl_page_text_unref)

int
rl_text_span_compare (gconstpointer a,
                      gconstpointer b)
{
  const RlTextSpan *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1;   /* outer first */
  if (x->kind != y->kind)
    return (int) x->kind - (int) y->kind;
  return x->level - y->level;          /* "- - a": the outer item first */
}

/* ---- construction -------------------------------------------------------------- */

static gboolean
mime_is (const char *mime,
         const char *wanted)
{
  gsize len = strlen (wanted);

  while (*mime == ' ')
    mime++;
  return g_ascii_strncasecmp (mime, wanted, len) == 0 &&
         (mime[len] == '\0' || mime[len] == ';' || mime[len] == ' ');
}

/* BOM dropped, CRLF and lone CR made LF. */
static char *
normalize_newlines (const char *data,
                    gsize       length,
                    gsize      *out_length)
{
  GString *out = g_string_sized_new (length);
  gsize i = 0;

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  for (; i < length; i++)
    {
      if (data[i] == '\r')
        {
          g_string_append_c (out, '\n');
          if (i + 1 < length && data[i + 1] == '\n')
            i++;
        }
      else
        g_string_append_c (out, data[i]);
    }
  *out_length = out->len;
  return g_string_free (out, FALSE);
}

void
rl_text_span_clear (gpointer data)
{
  g_free (((RlTextSpan *) data)->href);
}

static void
build_checkpoints (RlPageText *self)
{
  const char *p = self->text;
  guint i = 0;

  self->checkpoints = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (;;)
    {
      if (i % CHECKPOINT_EVERY == 0)
        {
          gsize offset = (gsize) (p - self->text);
          g_array_append_val (self->checkpoints, offset);
        }
      if (i == self->n_chars)
        break;
      p = g_utf8_next_char (p);
      i++;
    }
}

RlPageText *
rl_page_text_new_take (char   *text,
                       gsize   n_bytes,
                       GArray *spans)
{
  RlPageText *self = g_new0 (RlPageText, 1);

  g_ref_count_init (&self->ref_count);
  self->text = text;
  self->n_bytes = n_bytes;
  self->n_chars = (guint) g_utf8_strlen (text, (gssize) n_bytes);
  self->spans = spans;
  g_array_set_clear_func (spans, rl_text_span_clear);
  build_checkpoints (self);
  return self;
}

/* Checked as a page's bytes: valid UTF-8; BOM dropped, newlines LF. */
char *
rl_page_text_normalize (const char  *data,
                        gsize        length,
                        gsize       *out_length,
                        GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (!g_utf8_validate_len (data ? data : "", length, NULL))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "a page must be valid UTF-8");
      return NULL;
    }
  return normalize_newlines (data ? data : "", length, out_length);
}

RlPageText *
rl_page_text_new_plain (const char  *data,
                        gsize        length,
                        GError     **error)
{
  gsize normal_length;
  char *normal = rl_page_text_normalize (data, length, &normal_length, error);

  if (normal == NULL)
    return NULL;
  return rl_page_text_new_take (normal, normal_length, g_array_new (FALSE, FALSE, sizeof (RlTextSpan)));
}

gboolean
rl_page_text_mime_is (const char *mime,
                      const char *wanted)
{
  return mime != NULL && mime_is (mime, wanted);
}

RlPageText *
rl_page_text_ref (RlPageText *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_ref_count_inc (&self->ref_count);
  return self;
}

void
rl_page_text_unref (RlPageText *self)
{
  g_return_if_fail (self != NULL);

  if (!g_ref_count_dec (&self->ref_count))
    return;
  g_free (self->text);
  g_array_unref (self->spans);
  g_array_unref (self->checkpoints);
  g_free (self);
}

const char *
rl_page_text_get_text (RlPageText *self,
                       gsize      *n_bytes)
{
  if (n_bytes)
    *n_bytes = self->n_bytes;
  return self->text;
}

guint
rl_page_text_get_n_chars (RlPageText *self)
{
  return self->n_chars;
}

const RlTextSpan *
rl_page_text_get_spans (RlPageText *self,
                        guint      *n_spans)
{
  *n_spans = self->spans->len;
  return (const RlTextSpan *) (gpointer) self->spans->data;
}

gsize
rl_page_text_offset_to_byte (RlPageText *self,
                             guint       offset)
{
  const char *p;

  g_return_val_if_fail (offset <= self->n_chars, self->n_bytes);

  p = self->text + g_array_index (self->checkpoints, gsize, offset / CHECKPOINT_EVERY);
  for (guint i = 0; i < offset % CHECKPOINT_EVERY; i++)
    p = g_utf8_next_char (p);
  return (gsize) (p - self->text);
}

char *
rl_page_text_slice (RlPageText *self,
                    guint       start,
                    guint       end)
{
  gsize from, to;

  if (start > end || end > self->n_chars)
    return NULL;
  from = rl_page_text_offset_to_byte (self, start);
  to = rl_page_text_offset_to_byte (self, end);
  return g_strndup (self->text + from, to - from);
}
