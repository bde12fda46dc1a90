/* rl-diff.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-diff.h"

#include "rl-text-read.h"

/* A replaced word is shown character by character when at least this share
 * of the longer one's characters is kept. */
#define REFINE_MIN_KEPT 0.5
/* Longer words are not refined (their script would cost the square). */
#define REFINE_MAX_CHARS 64
/* Equal text longer than this (a sentence, a paragraph between a moved
 * one's two places), or with a sentence's or a line's end in it, is never
 * folded into the changes around it. */
#define FOLD_MAX_CHARS  20

/* One text, decoded, and cut into tokens. */
typedef struct
{
  gunichar *chars;
  guint     n_chars;
  guint    *starts;   /* n_tokens + 1 token starts, in code points */
  guint     n_tokens;
  guint32  *ids;      /* per token: equal tokens, equal ids */
} Side;

/* A token as a hash key: where it is and how long. */
typedef struct
{
  const gunichar *chars;
  guint           len;
} TokenKey;

typedef enum
{
  OP_EQUAL,
  OP_DELETE,
  OP_INSERT,
} OpKind;

/* A stretch of the edit script: n_old and n_new symbols (tokens or
 * characters); an equal one has both the same, a change either or both. */
typedef struct
{
  gboolean equal;
  guint    n_old;
  guint    n_new;
  guint    old_first;  /* set by fold_short_equalities */
  guint    new_first;
} Segment;

typedef struct
{
  const guint32 *a;
  const guint32 *b;
  guint64        steps_left;
  GArray        *segments;  /* Segment */
} Myers;

static guint
token_key_hash (gconstpointer key)
{
  const TokenKey *token = key;
  guint32 h = 2166136261u;

  for (guint i = 0; i < token->len; i++)
    h = (h ^ token->chars[i]) * 16777619u;
  return h;
}

static gboolean
token_key_equal (gconstpointer a,
                 gconstpointer b)
{
  const TokenKey *x = a, *y = b;

  return x->len == y->len && memcmp (x->chars, y->chars, x->len * sizeof (gunichar)) == 0;
}

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

/* What sticks to the character before it in a token of its own: combining
 * marks, variation selectors, emoji skin tones, the zero-width joiner. */
static gboolean
is_attached (gunichar c)
{
  return g_unichar_ismark (c)
    || (c >= 0xFE00 && c <= 0xFE0F)
    || (c >= 0xE0100 && c <= 0xE01EF)
    || (c >= 0x1F3FB && c <= 0x1F3FF)
    || c == 0x200D
    || (c >= 0xE0020 && c <= 0xE007F); /* tag sequences of flags */
}

static gboolean
is_regional_indicator (gunichar c)
{
  return c >= 0x1F1E6 && c <= 0x1F1FF;
}

/* The end of the token that starts at i. */
static guint
token_end (const gunichar *chars,
           guint           n,
           guint           i)
{
  gunichar c = chars[i];
  guint j = i + 1;

  if (is_word_char (c))
    {
      while (j < n && is_word_char (chars[j]))
        j++;
      return j;
    }
  if (g_unichar_isspace (c))
    {
      while (j < n && g_unichar_isspace (chars[j]))
        j++;
      return j;
    }
  if (is_regional_indicator (c) && j < n && is_regional_indicator (chars[j]))
    j++;
  while (j < n && is_attached (chars[j]))
    {
      /* A joiner takes the character it joins too. */
      if (chars[j] == 0x200D && j + 1 < n)
        j++;
      j++;
    }
  return j;
}

static void
side_init (Side       *side,
           const char *text,
           gssize      length)
{
  side->chars = rl_text_read_code_points (text, length, &side->n_chars);

  /* At most one token per code point. */
  side->starts = g_new (guint, side->n_chars + 1);
  side->n_tokens = 0;
  for (guint i = 0; i < side->n_chars; i = token_end (side->chars, side->n_chars, i))
    side->starts[side->n_tokens++] = i;
  side->starts[side->n_tokens] = side->n_chars;
  side->ids = g_new (guint32, side->n_tokens + 1);
}

static void
side_clear (Side *side)
{
  g_free (side->chars);
  g_free (side->starts);
  g_free (side->ids);
}

static void
side_number_tokens (Side       *side,
                    GHashTable *ids,
                    TokenKey   *keys)
{
  for (guint t = 0; t < side->n_tokens; t++)
    {
      TokenKey *key = &keys[t];
      gpointer id;

      key->chars = side->chars + side->starts[t];
      key->len = side->starts[t + 1] - side->starts[t];
      if (!g_hash_table_lookup_extended (ids, key, NULL, &id))
        {
          id = GUINT_TO_POINTER (g_hash_table_size (ids));
          g_hash_table_insert (ids, key, id);
        }
      side->ids[t] = GPOINTER_TO_UINT (id);
    }
}

/* ---- the edit script ----------------------------------------------------- */

static void
emit (GArray *segments,
      OpKind  kind,
      guint   n)
{
  Segment *last = segments->len > 0 ? &g_array_index (segments, Segment, segments->len - 1) : NULL;
  gboolean equal = kind == OP_EQUAL;

  if (n == 0)
    return;
  if (last == NULL || last->equal != equal)
    {
      Segment segment = { equal, 0, 0, 0, 0 };

      g_array_append_val (segments, segment);
      last = &g_array_index (segments, Segment, segments->len - 1);
    }
  if (kind != OP_INSERT)
    last->n_old += n;
  if (kind != OP_DELETE)
    last->n_new += n;
}

static void myers_range (Myers *m,
                         guint  a0,
                         guint  a1,
                         guint  b0,
                         guint  b1);

/* Myers' middle snake of a[a0, a1) and b[b0, b1) (both non-empty, their
 * ends different): where a shortest edit script crosses the middle, as
 * (*x, *y). FALSE when the budget ran out first. */
static gboolean
myers_bisect (Myers *m,
              guint  a0,
              guint  a1,
              guint  b0,
              guint  b1,
              guint *x_split,
              guint *y_split)
{
  const guint32 *a = m->a + a0, *b = m->b + b0;
  gint64 n = a1 - a0, mm = b1 - b0;
  gint64 max_d = (n + mm + 1) / 2;
  gint64 v_offset = max_d, v_length = 2 * max_d + 2;
  gint64 delta = n - mm;
  gboolean front = (delta % 2) != 0;
  gint64 k1start = 0, k1end = 0, k2start = 0, k2end = 0;
  g_autofree gint64 *v1 = g_new (gint64, v_length);
  g_autofree gint64 *v2 = g_new (gint64, v_length);

  for (gint64 i = 0; i < v_length; i++)
    v1[i] = v2[i] = -1;
  v1[v_offset + 1] = 0;
  v2[v_offset + 1] = 0;

  for (gint64 d = 0; d < max_d; d++)
    {
      if (m->steps_left < (guint64) (2 * d + 2))
        return FALSE;
      m->steps_left -= 2 * d + 2;

      for (gint64 k1 = -d + k1start; k1 <= d - k1end; k1 += 2)
        {
          gint64 k1_offset = v_offset + k1;
          gint64 x1, y1, snake_start;

          if (k1 == -d || (k1 != d && v1[k1_offset - 1] < v1[k1_offset + 1]))
            x1 = v1[k1_offset + 1];
          else
            x1 = v1[k1_offset - 1] + 1;
          y1 = x1 - k1;
          snake_start = x1;
          while (x1 < n && y1 < mm && a[x1] == b[y1])
            {
              x1++;
              y1++;
            }
          m->steps_left -= MIN (m->steps_left, (guint64) (x1 - snake_start));
          v1[k1_offset] = x1;
          if (x1 > n)
            k1end += 2;
          else if (y1 > mm)
            k1start += 2;
          else if (front)
            {
              gint64 k2_offset = v_offset + delta - k1;

              if (k2_offset >= 0 && k2_offset < v_length && v2[k2_offset] != -1 && x1 >= n - v2[k2_offset])
                {
                  *x_split = a0 + (guint) x1;
                  *y_split = b0 + (guint) y1;
                  return TRUE;
                }
            }
        }

      for (gint64 k2 = -d + k2start; k2 <= d - k2end; k2 += 2)
        {
          gint64 k2_offset = v_offset + k2;
          gint64 x2, y2, snake_start;

          if (k2 == -d || (k2 != d && v2[k2_offset - 1] < v2[k2_offset + 1]))
            x2 = v2[k2_offset + 1];
          else
            x2 = v2[k2_offset - 1] + 1;
          y2 = x2 - k2;
          snake_start = x2;
          while (x2 < n && y2 < mm && a[n - x2 - 1] == b[mm - y2 - 1])
            {
              x2++;
              y2++;
            }
          m->steps_left -= MIN (m->steps_left, (guint64) (x2 - snake_start));
          v2[k2_offset] = x2;
          if (x2 > n)
            k2end += 2;
          else if (y2 > mm)
            k2start += 2;
          else if (!front)
            {
              gint64 k1_offset = v_offset + delta - k2;

              if (k1_offset >= 0 && k1_offset < v_length && v1[k1_offset] != -1)
                {
                  gint64 x1 = v1[k1_offset];
                  gint64 y1 = v_offset + x1 - k1_offset;

                  if (x1 >= n - x2)
                    {
                      *x_split = a0 + (guint) x1;
                      *y_split = b0 + (guint) y1;
                      return TRUE;
                    }
                }
            }
        }
    }
  return FALSE;
}

static void
myers_range (Myers *m,
             guint  a0,
             guint  a1,
             guint  b0,
             guint  b1)
{
  guint head = 0, tail = 0;
  guint x, y;

  while (a0 + head < a1 && b0 + head < b1 && m->a[a0 + head] == m->b[b0 + head])
    head++;
  emit (m->segments, OP_EQUAL, head);
  a0 += head;
  b0 += head;
  while (a0 < a1 - tail && b0 < b1 - tail && m->a[a1 - tail - 1] == m->b[b1 - tail - 1])
    tail++;
  a1 -= tail;
  b1 -= tail;

  if (a0 == a1 || b0 == b1)
    {
      emit (m->segments, OP_DELETE, a1 - a0);
      emit (m->segments, OP_INSERT, b1 - b0);
    }
  else if (myers_bisect (m, a0, a1, b0, b1, &x, &y))
    {
      myers_range (m, a0, x, b0, y);
      myers_range (m, x, a1, y, b1);
    }
  else
    {
      emit (m->segments, OP_DELETE, a1 - a0);
      emit (m->segments, OP_INSERT, b1 - b0);
    }
  emit (m->segments, OP_EQUAL, tail);
}

/* The edit script from a[0, n_a) to b[0, n_b): equal segments and changes,
 * alternating. */
static GArray *
myers_diff (const guint32 *a,
            guint          n_a,
            const guint32 *b,
            guint          n_b,
            guint64        budget)
{
  Myers m = { a, b, budget, g_array_new (FALSE, FALSE, sizeof (Segment)) };

  myers_range (&m, 0, n_a, 0, n_b);
  return m.segments;
}

/* ---- readability --------------------------------------------------------- */

/* Code points of symbols [first, first + n) of a side cut at starts. */
static guint
span_chars (const guint *starts,
            guint        first,
            guint        n)
{
  return starts[first + n] - starts[first];
}

/* Folds each equal segment no longer (in code points) than the larger side
 * of the change before it and of the change after it (and short) into both; a fold
 * makes a longer change, so the equal segment before it is looked at again. */
static gboolean
ends_sentence (const gunichar *chars,
               guint           n)
{
  for (guint i = 0; i < n; i++)
    if (chars[i] == '.' || chars[i] == '!' || chars[i] == '?' || chars[i] == '\n')
      return TRUE;
  return FALSE;
}

static void
fold_short_equalities (GArray         *segments,
                       const gunichar *old_chars,
                       const guint    *old_starts,
                       const guint    *new_starts)
{
  guint old_pos = 0, new_pos = 0;

  /* Where each segment starts, in symbols of either side. */
  for (guint i = 0; i < segments->len; i++)
    {
      Segment *segment = &g_array_index (segments, Segment, i);

      segment->old_first = old_pos;
      segment->new_first = new_pos;
      old_pos += segment->n_old;
      new_pos += segment->n_new;
    }

  for (guint i = 0; i + 2 < segments->len;)
    {
      Segment *before = &g_array_index (segments, Segment, i);
      Segment *eq = before + 1;
      Segment *after = before + 2;
      guint before_len, eq_len, after_len;

      if (before->equal)
        {
          i++;
          continue;
        }
      before_len = MAX (span_chars (old_starts, before->old_first, before->n_old),
                        span_chars (new_starts, before->new_first, before->n_new));
      eq_len = span_chars (old_starts, eq->old_first, eq->n_old);
      after_len = MAX (span_chars (old_starts, after->old_first, after->n_old),
                       span_chars (new_starts, after->new_first, after->n_new));
      if (eq_len > FOLD_MAX_CHARS || eq_len > before_len || eq_len > after_len
          || ends_sentence (old_chars + old_starts[eq->old_first], eq_len))
        {
          i += 2;
          continue;
        }
      before->n_old += eq->n_old + after->n_old;
      before->n_new += eq->n_new + after->n_new;
      g_array_remove_range (segments, i + 1, 2);
      /* The change before this one may now swallow the equal between. */
      if (i >= 2)
        i -= 2;
    }
}

static void
number_segments (GArray *segments)
{
  guint old_pos = 0, new_pos = 0;

  for (guint i = 0; i < segments->len; i++)
    {
      Segment *segment = &g_array_index (segments, Segment, i);

      segment->old_first = old_pos;
      segment->new_first = new_pos;
      old_pos += segment->n_old;
      new_pos += segment->n_new;
    }
}

/* Moves n symbols between change i and its equal neighbour: from the end
 * of the change to the following equal (at_end) or from its start to the
 * preceding one; a missing neighbour is made. */
static void
give_to_neighbour (GArray   *segments,
                   guint     i,
                   gboolean  at_end,
                   guint     n)
{
  Segment *change = &g_array_index (segments, Segment, i);
  Segment equal = { TRUE, n, n, 0, 0 };

  change->n_old -= n;
  change->n_new -= n;
  if (at_end)
    {
      if (i + 1 < segments->len)
        {
          g_array_index (segments, Segment, i + 1).n_old += n;
          g_array_index (segments, Segment, i + 1).n_new += n;
        }
      else
        g_array_append_val (segments, equal);
    }
  else
    {
      change->old_first += n;
      change->new_first += n;
      if (i > 0)
        {
          g_array_index (segments, Segment, i - 1).n_old += n;
          g_array_index (segments, Segment, i - 1).n_new += n;
        }
      else
        g_array_insert_val (segments, 0, equal);
    }
}

/* How well an edit's edge sits between symbols x and y (either may be
 * missing at an end of the text): best at a paragraph, then after a
 * sentence's end or another line break, then between white space and a
 * word, worst inside a phrase. */
static int
edge_score (const Side *side,
            guint       before)
{
  const gunichar *x, *y;

  if (before == 0 || before >= side->n_tokens)
    return 6;
  x = side->chars + side->starts[before - 1];
  y = side->chars + side->starts[before];
  if (*x == '\n' && side->starts[before] - side->starts[before - 1] > 1)
    return 5;
  if (*x == '\n' || *y == '\n')
    return 4;
  if ((*x == '.' || *x == '!' || *x == '?') && g_unichar_isspace (*y))
    return 3;
  if (g_unichar_isspace (*x) || g_unichar_isspace (*y))
    return is_word_char (*x) || is_word_char (*y) ? 2 : 1;
  return 0;
}

/* A replacement's common first and last tokens go back to the equal text
 * around it (a space folded into both sides of "one" → "a single"); a
 * pure insertion or deletion slides, where the text around it allows, to
 * where its edges read best (a deleted sentence starts after the previous
 * one's full stop, not before it). */
static void
align_changes (GArray     *segments,
               const Side *old_side,
               const Side *new_side)
{
  number_segments (segments);
  for (guint i = 0; i < segments->len; i++)
    {
      Segment *change = &g_array_index (segments, Segment, i);
      const guint32 *a, *b;
      const Side *side;
      const guint32 *ids;
      guint n_common = 0;
      guint first, n, best, best_score;
      guint lo, hi;

      if (change->equal)
        continue;
      a = old_side->ids + change->old_first;
      b = new_side->ids + change->new_first;
      while (n_common + 1 < MIN (change->n_old, change->n_new) + (change->n_old != change->n_new)
             && n_common < MIN (change->n_old, change->n_new)
             && a[change->n_old - 1 - n_common] == b[change->n_new - 1 - n_common])
        n_common++;
      if (n_common > 0)
        {
          give_to_neighbour (segments, i, TRUE, n_common);
          change = &g_array_index (segments, Segment, i);
          a = old_side->ids + change->old_first;
          b = new_side->ids + change->new_first;
        }
      n_common = 0;
      while (n_common + 1 < MIN (change->n_old, change->n_new) + (change->n_old != change->n_new)
             && n_common < MIN (change->n_old, change->n_new)
             && a[n_common] == b[n_common])
        n_common++;
      if (n_common > 0)
        {
          give_to_neighbour (segments, i, FALSE, n_common);
          if (i == 0)
            i++;
          change = &g_array_index (segments, Segment, i);
        }

      if (change->n_old > 0 && change->n_new > 0)
        continue;
      /* Slide a pure change along equal tokens: [lo, hi] are its possible
       * first tokens on its own side. */
      side = change->n_old > 0 ? old_side : new_side;
      ids = side->ids;
      first = change->n_old > 0 ? change->old_first : change->new_first;
      n = MAX (change->n_old, change->n_new);
      lo = first;
      while (i > 0 && i + 1 < segments->len && lo > first - MIN (first, g_array_index (segments, Segment, i - 1).n_old)
             && ids[lo - 1] == ids[lo - 1 + n])
        lo--;
      hi = first;
      while (i > 0 && i + 1 < segments->len && hi < first + g_array_index (segments, Segment, i + 1).n_old
             && hi + n < side->n_tokens && ids[hi] == ids[hi + n])
        hi++;
      best = first;
      best_score = 0;
      for (guint at = lo; at <= hi; at++)
        {
          guint score = edge_score (side, at) + edge_score (side, at + n);

          if (score > best_score || (score == best_score && at == first))
            {
              best_score = score;
              best = at;
            }
        }
      if (best == first)
        continue;
      /* The equal text before grows or shrinks by the shift, the one after
       * the other way; the change keeps its length. */
      if (best < first)
        {
          g_array_index (segments, Segment, i - 1).n_old -= first - best;
          g_array_index (segments, Segment, i - 1).n_new -= first - best;
          g_array_index (segments, Segment, i + 1).n_old += first - best;
          g_array_index (segments, Segment, i + 1).n_new += first - best;
        }
      else
        {
          g_array_index (segments, Segment, i - 1).n_old += best - first;
          g_array_index (segments, Segment, i - 1).n_new += best - first;
          g_array_index (segments, Segment, i + 1).n_old -= best - first;
          g_array_index (segments, Segment, i + 1).n_new -= best - first;
        }
      /* Only this change starts elsewhere (the equal segments' starts are
       * numbered again at the end). */
      change->old_first += best - first;
      change->new_first += best - first;
    }
  /* A slide may have emptied an equal segment: drop it, joining changes. */
  for (guint i = 0; i < segments->len; i++)
    {
      Segment *segment = &g_array_index (segments, Segment, i);

      if (segment->n_old == 0 && segment->n_new == 0)
        {
          g_array_remove_index (segments, i);
          if (i > 0 && i < segments->len
              && g_array_index (segments, Segment, i - 1).equal == g_array_index (segments, Segment, i).equal)
            {
              g_array_index (segments, Segment, i - 1).n_old += g_array_index (segments, Segment, i).n_old;
              g_array_index (segments, Segment, i - 1).n_new += g_array_index (segments, Segment, i).n_new;
              g_array_remove_index (segments, i);
            }
          i--;
        }
    }
  number_segments (segments);
}

static void
append_run (GArray     *runs,
            RlDiffKind  kind,
            guint       old_start,
            guint       old_end,
            guint       new_start,
            guint       new_end)
{
  RlDiffRun *last = runs->len > 0 ? &g_array_index (runs, RlDiffRun, runs->len - 1) : NULL;
  RlDiffRun run = { kind, old_start, old_end, new_start, new_end };

  if (old_start == old_end && new_start == new_end)
    return;
  if (last != NULL && last->kind == kind)
    {
      last->old_end = old_end;
      last->new_end = new_end;
      return;
    }
  g_array_append_val (runs, run);
}

/* A change of one word into one word, character by character when that
 * keeps enough of it; FALSE (nothing appended) when it does not. */
static gboolean
refine_word (GArray         *runs,
             const gunichar *old_chars,
             guint           old_start,
             guint           n_old,
             const gunichar *new_chars,
             guint           new_start,
             guint           n_new)
{
  g_autoptr(GArray) segments = NULL;
  guint kept = 0;
  guint o = old_start, n = new_start;

  if (!is_word_char (old_chars[old_start]) || !is_word_char (new_chars[new_start])
      || n_old > REFINE_MAX_CHARS || n_new > REFINE_MAX_CHARS)
    return FALSE;
  /* Short words: their script costs at most (n_old + n_new)² steps. */
  segments = myers_diff (old_chars + old_start, n_old, new_chars + new_start, n_new, G_MAXUINT64);
  for (guint i = 0; i < segments->len; i++)
    {
      Segment *segment = &g_array_index (segments, Segment, i);

      if (segment->equal)
        kept += segment->n_old;
    }
  if (kept < REFINE_MIN_KEPT * MAX (n_old, n_new))
    return FALSE;

  for (guint i = 0; i < segments->len; i++)
    {
      Segment *segment = &g_array_index (segments, Segment, i);

      if (segment->equal)
        append_run (runs, RL_DIFF_EQUAL, o, o + segment->n_old, n, n + segment->n_new);
      else
        {
          append_run (runs, RL_DIFF_DELETED, o, o + segment->n_old, n, n);
          append_run (runs, RL_DIFF_INSERTED, o + segment->n_old, o + segment->n_old, n, n + segment->n_new);
        }
      o += segment->n_old;
      n += segment->n_new;
    }
  return TRUE;
}

GArray *
rl_diff_texts (const char *old_text,
               gssize      old_length,
               const char *new_text,
               gssize      new_length)
{
  Side old_side, new_side;
  g_autoptr(GHashTable) ids = NULL;
  g_autofree TokenKey *keys = NULL;
  g_autoptr(GArray) segments = NULL;
  GArray *runs = g_array_new (FALSE, FALSE, sizeof (RlDiffRun));
  guint old_token = 0, new_token = 0;

  side_init (&old_side, old_text, old_length);
  side_init (&new_side, new_text, new_length);

  ids = g_hash_table_new (token_key_hash, token_key_equal);
  keys = g_new (TokenKey, old_side.n_tokens + new_side.n_tokens + 1);
  side_number_tokens (&old_side, ids, keys);
  side_number_tokens (&new_side, ids, keys + old_side.n_tokens);

  segments = myers_diff (old_side.ids, old_side.n_tokens, new_side.ids, new_side.n_tokens, RL_DIFF_MAX_STEPS);
  fold_short_equalities (segments, old_side.chars, old_side.starts, new_side.starts);
  align_changes (segments, &old_side, &new_side);

  for (guint i = 0; i < segments->len; i++)
    {
      Segment *segment = &g_array_index (segments, Segment, i);
      guint os = old_side.starts[old_token], oe = old_side.starts[old_token + segment->n_old];
      guint ns = new_side.starts[new_token], ne = new_side.starts[new_token + segment->n_new];

      if (segment->equal)
        append_run (runs, RL_DIFF_EQUAL, os, oe, ns, ne);
      else if (segment->n_old != 1 || segment->n_new != 1
               || !refine_word (runs, old_side.chars, os, oe - os, new_side.chars, ns, ne - ns))
        {
          append_run (runs, RL_DIFF_DELETED, os, oe, ns, ns);
          append_run (runs, RL_DIFF_INSERTED, oe, oe, ns, ne);
        }
      old_token += segment->n_old;
      new_token += segment->n_new;
    }

  side_clear (&old_side);
  side_clear (&new_side);
  return runs;
}
