/* rl-reanchor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-reanchor.h"

#include "rl-limits.h"
#include "rl-text-read.h"

/* Quotes up to one machine word are searched whole; longer ones by their
 * first and last HEAD_CHARS code points. */
#define SHORT_MAX           64
#define HEAD_CHARS          32
/* A search keeps end positions within this share of edits, so every place
 * RL_REANCHOR_MIN_SIMILARITY_WITH_CONTEXT could accept is seen. */
#define SEARCH_EDITS        (1.0 - RL_REANCHOR_MIN_SIMILARITY_WITH_CONTEXT)
/* Heads and tails of long quotes are only a way in: stricter, fewer. */
#define HEAD_EDITS          0.3
#define MAX_CANDIDATES      32
/* Equally good alignment lengths kept, for the context to choose among. */
#define MAX_TIES            4
#define MAX_LONG_CANDIDATES 6
/* Being near the old start is worth at most this much of a score. */
#define NEAR_WEIGHT         0.01
#define NO_KEY              G_MAXUINT32

struct _RlReanchorer
{
  gunichar *orig;         /* the text's code points, what offsets count */
  guint     n_orig;
  gunichar *norm;         /* its NFC; the same array when the text is NFC */
  guint     n_norm;
  /* Per NFC code point, the original range of the segment (a starter and
   * its combining marks) it came from; NULL when norm is orig. */
  guint    *norm_start;
  guint    *norm_end;
};

/* Myers' pattern bit vectors: for each code point of a pattern, one bit per
 * position it occurs at, n_blocks machine words a code point. Code points
 * below 256 are looked up directly, others in a small open-addressed table. */
typedef struct
{
  guint     m;
  guint     n_blocks;
  gint32    lo[256];
  guint     hi_mask;
  gunichar *hi_keys;
  gint32   *hi_rows;
  guint     n_rows;
  guint64  *rows;
} Peq;

typedef struct
{
  guint  start;           /* NFC code points */
  guint  end;
  guint  dist;
} Hit;

typedef struct
{
  guint  n;
  guint  length[MAX_TIES];
} Ties;

typedef struct
{
  guint  orig_start;
  guint  orig_end;
  guint  distance;        /* code points from the old start */
  double score;           /* prefix + quote + suffix, weighted by length */
  double rank;
  double quote;           /* the quote's own similarity */
  double context;         /* -1 when the anchor has no context */
} Place;

/* One anchor, normalised and ready to be compared. */
typedef struct
{
  gunichar *exact;
  guint     m;
  guint     n_prefix;
  guint     n_suffix;
  Peq       prefix_peq;   /* reversed: read backwards from a candidate */
  Peq       suffix_peq;
  guint     old_start;
  /* The quote began or ended a word: a fuzzy match does too. */
  gboolean  word_start;
  gboolean  word_end;
} Query;

static inline gboolean
is_word (gunichar c)
{
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

static inline guint
hash_code_point (gunichar c)
{
  return c * 2654435761u;
}

static gint32
peq_row_for (Peq      *peq,
             gunichar  c)
{
  guint h;

  if (c < 256)
    {
      if (peq->lo[c] < 0)
        peq->lo[c] = (gint32) peq->n_rows++;
      return peq->lo[c];
    }
  for (h = hash_code_point (c) & peq->hi_mask; peq->hi_keys[h] != NO_KEY; h = (h + 1) & peq->hi_mask)
    if (peq->hi_keys[h] == c)
      return peq->hi_rows[h];
  peq->hi_keys[h] = c;
  peq->hi_rows[h] = (gint32) peq->n_rows++;
  return peq->hi_rows[h];
}

static inline const guint64 *
peq_lookup (const Peq *peq,
            gunichar   c)
{
  gint32 row = -1;

  if (c < 256)
    row = peq->lo[c];
  else
    for (guint h = hash_code_point (c) & peq->hi_mask; peq->hi_keys[h] != NO_KEY; h = (h + 1) & peq->hi_mask)
      if (peq->hi_keys[h] == c)
        {
          row = peq->hi_rows[h];
          break;
        }
  return row < 0 ? NULL : peq->rows + (gsize) row * peq->n_blocks;
}

/* p[0, m) read forwards, or backwards when reversed (for alignments that
 * run from a fixed end towards the start). m ≥ 1. */
static void
peq_init (Peq            *peq,
          const gunichar *p,
          guint           m,
          gboolean        reversed)
{
  guint n_hi = 0;
  guint capacity = 8;
  g_autofree gint32 *row_of = g_new (gint32, m);

  memset (peq, 0, sizeof *peq);
  peq->m = m;
  peq->n_blocks = (m + 63) / 64;
  memset (peq->lo, 0xff, sizeof peq->lo);

  for (guint i = 0; i < m; i++)
    n_hi += p[i] >= 256;
  while (capacity < 2 * n_hi + 2)
    capacity *= 2;
  peq->hi_mask = capacity - 1;
  peq->hi_keys = g_new (gunichar, capacity);
  peq->hi_rows = g_new (gint32, capacity);
  memset (peq->hi_keys, 0xff, capacity * sizeof (gunichar));

  /* Rows first, so the vectors take distinct code points × blocks, not m × blocks. */
  for (guint i = 0; i < m; i++)
    row_of[i] = peq_row_for (peq, reversed ? p[m - 1 - i] : p[i]);
  peq->rows = g_new0 (guint64, (gsize) peq->n_rows * peq->n_blocks);
  for (guint i = 0; i < m; i++)
    peq->rows[(gsize) row_of[i] * peq->n_blocks + i / 64] |= G_GUINT64_CONSTANT (1) << (i % 64);
}

static void
peq_clear (Peq *peq)
{
  g_clear_pointer (&peq->hi_keys, g_free);
  g_clear_pointer (&peq->hi_rows, g_free);
  g_clear_pointer (&peq->rows, g_free);
}

/* The capacity lowest-distance hits; *worst is the index of the one to
 * replace next, valid once the array is full. */
static void
keep_hit (Hit   *hits,
          guint *n_hits,
          guint  capacity,
          guint *worst,
          guint  end,
          guint  dist)
{
  if (*n_hits < capacity)
    hits[(*n_hits)++] = (Hit) { 0, end, dist };
  else if (dist < hits[*worst].dist)
    hits[*worst] = (Hit) { 0, end, dist };
  else
    return;
  if (*n_hits == capacity)
    {
      *worst = 0;
      for (guint i = 1; i < *n_hits; i++)
        if (hits[i].dist > hits[*worst].dist)
          *worst = i;
    }
}

/* Myers' bit-parallel approximate search (one block, m ≤ 64): for every end
 * position the edit distance of the best alignment of the pattern ending
 * there, start free. Each run of ends within max_dist gives one hit, its
 * lowest. Returns the number of hits, the best capacity kept. */
static guint
myers_search (const Peq      *peq,
              const gunichar *text,
              guint           n,
              guint           max_dist,
              Hit            *hits,
              guint           capacity)
{
  guint64 pv = ~G_GUINT64_CONSTANT (0);
  guint64 mv = 0;
  guint top = peq->m - 1;
  int score = (int) peq->m;
  guint n_hits = 0;
  guint worst = 0;
  gboolean in_run = FALSE;
  guint run_end = 0;
  guint run_dist = 0;
  /* The one place every code point of the text goes through: one load. */
  guint64 eq_lo[256];

  g_assert (peq->n_blocks == 1);
  for (guint c = 0; c < 256; c++)
    eq_lo[c] = peq->lo[c] < 0 ? 0 : peq->rows[peq->lo[c]];

  for (guint j = 0; j < n; j++)
    {
      gunichar c = text[j];
      guint64 eq;
      guint64 xv, xh, ph, mh;

      if (G_LIKELY (c < 256))
        eq = eq_lo[c];
      else
        {
          const guint64 *row = peq_lookup (peq, c);

          eq = row ? row[0] : 0;
        }
      xv = eq | mv;
      xh = (((eq & pv) + pv) ^ pv) | eq;
      ph = mv | ~(xh | pv);
      mh = pv & xh;

      score += (int) ((ph >> top) & 1) - (int) ((mh >> top) & 1);
      /* Search: the top row is all zeros, nothing carries in. */
      ph <<= 1;
      mh <<= 1;
      pv = mh | ~(xv | ph);
      mv = ph & xv;

      if (G_UNLIKELY ((guint) score <= max_dist))
        {
          if (!in_run || (guint) score < run_dist)
            {
              run_end = j + 1;
              run_dist = (guint) score;
            }
          in_run = TRUE;
        }
      else if (in_run)
        {
          keep_hit (hits, &n_hits, capacity, &worst, run_end, run_dist);
          in_run = FALSE;
        }
    }
  if (in_run)
    keep_hit (hits, &n_hits, capacity, &worst, run_end, run_dist);
  return n_hits;
}

static void
keep_minimum (guint *lengths,
              guint *dists,
              guint *n,
              guint  capacity,
              guint  length,
              guint  dist)
{
  guint worst = 0;

  if (*n < capacity)
    {
      lengths[*n] = length;
      dists[(*n)++] = dist;
      return;
    }
  for (guint i = 1; i < *n; i++)
    if (dists[i] > dists[worst])
      worst = i;
  if (dist < dists[worst])
    {
      lengths[worst] = length;
      dists[worst] = dist;
    }
}

/* Blocked Myers alignment anchored at text[pos], reading n_steps code points
 * in the direction of step (+1 or −1), the far end free: the edit distance
 * of the whole pattern against the best prefix of that run, its length in
 * *length (ties: the length nearest the pattern's). ties (nullable) gets
 * that length and up to MAX_TIES − 1 other local minima nearly as good:
 * "Start free trial" is 4 edits from "your free trial" and 5 from "Start
 * your free trial", and only the context can tell which was meant. */
static guint
myers_align (const Peq      *peq,
             const gunichar *text,
             gssize          pos,
             int             step,
             guint           n_steps,
             guint          *length,
             Ties           *ties)
{
  /* Local minima of the distance over the length: a descent's first low. */
  guint minima_len[4 * MAX_TIES];
  guint minima_dist[4 * MAX_TIES];
  guint n_minima = 0;
  guint previous = peq->m;
  guint pending = 0;
  guint64 small_pv[4], small_mv[4];
  g_autofree guint64 *big_pv = NULL;
  g_autofree guint64 *big_mv = NULL;
  guint64 *pv = small_pv;
  guint64 *mv = small_mv;
  guint nb = peq->n_blocks;
  guint64 last_high = G_GUINT64_CONSTANT (1) << ((peq->m - 1) % 64);
  guint score = peq->m;
  guint best = peq->m;
  guint best_len = 0;

  if (nb > G_N_ELEMENTS (small_pv))
    {
      pv = big_pv = g_new (guint64, nb);
      mv = big_mv = g_new (guint64, nb);
    }
  for (guint b = 0; b < nb; b++)
    {
      pv[b] = ~G_GUINT64_CONSTANT (0);
      mv[b] = 0;
    }

  for (guint j = 0; j < n_steps; j++)
    {
      const guint64 *row = peq_lookup (peq, text[pos + (gssize) j * step]);
      /* Anchored: the top row grows by one each column. */
      int hin = 1;

      for (guint b = 0; b < nb; b++)
        {
          guint64 eq = row ? row[b] : 0;
          guint64 high = b + 1 == nb ? last_high : G_GUINT64_CONSTANT (1) << 63;
          guint64 xv = eq | mv[b];
          guint64 xh, ph, mh;
          int hout = 0;

          if (hin < 0)
            eq |= 1;
          xh = (((eq & pv[b]) + pv[b]) ^ pv[b]) | eq;
          ph = mv[b] | ~(xh | pv[b]);
          mh = pv[b] & xh;
          if (ph & high)
            hout = 1;
          else if (mh & high)
            hout = -1;
          ph <<= 1;
          mh <<= 1;
          if (hin < 0)
            mh |= 1;
          else if (hin > 0)
            ph |= 1;
          pv[b] = mh | ~(xv | ph);
          mv[b] = ph & xv;
          hin = hout;
        }
      score = (guint) ((int) score + hin);

      if (score < previous)
        pending = j + 1;
      else if (score > previous && pending > 0)
        {
          keep_minimum (minima_len, minima_dist, &n_minima, G_N_ELEMENTS (minima_len), pending, previous);
          pending = 0;
        }
      previous = score;
      if (score < best
          || (score == best && ABS ((int) (j + 1) - (int) peq->m) < ABS ((int) best_len - (int) peq->m)))
        {
          best = score;
          best_len = j + 1;
        }
    }
  if (pending > 0)
    keep_minimum (minima_len, minima_dist, &n_minima, G_N_ELEMENTS (minima_len), pending, previous);

  *length = best_len;
  if (ties != NULL)
    {
      guint slack = 1 + peq->m / 10;

      ties->n = 0;
      if (best_len > 0)
        ties->length[ties->n++] = best_len;
      /* The nearest to the best first. */
      for (guint d = best; d <= best + slack && ties->n < MAX_TIES; d++)
        for (guint i = 0; i < n_minima && ties->n < MAX_TIES; i++)
          if (minima_dist[i] == d && minima_len[i] != best_len)
            ties->length[ties->n++] = minima_len[i];
    }
  return best;
}

/* Every occurrence of p in t (Horspool, buckets of the low byte: a shared
 * bucket only shortens shifts, never skips a match). */
static void
find_all (const gunichar *t,
          guint           n,
          const gunichar *p,
          guint           m,
          GArray         *found)
{
  guint shift[256];

  if (m == 0 || m > n)
    return;
  for (guint i = 0; i < 256; i++)
    shift[i] = m;
  for (guint i = 0; i + 1 < m; i++)
    shift[p[i] & 0xff] = m - 1 - i;

  for (guint i = 0; i <= n - m;)
    {
      gunichar last = t[i + m - 1];

      if (last == p[m - 1] && memcmp (t + i, p, (m - 1) * sizeof (gunichar)) == 0)
        g_array_append_val (found, i);
      i += shift[last & 0xff];
    }
}

static gunichar *
normalize_to_ucs4 (const char *str,
                   guint      *n)
{
  g_autofree char *nfc = NULL;
  glong len = 0;
  gunichar *ucs4;

  *n = 0;
  if (str == NULL || !g_utf8_validate (str, -1, NULL))
    return NULL;
  nfc = g_utf8_normalize (str, -1, G_NORMALIZE_NFC);
  if (nfc == NULL)
    return NULL;
  ucs4 = g_utf8_to_ucs4_fast (nfc, -1, &len);
  *n = (guint) len;
  return ucs4;
}

static double
context_similarity (const RlReanchorer *self,
                    const Peq          *peq,
                    guint               pos,
                    int                 step)
{
  guint available = step < 0 ? pos : self->n_norm - pos;
  guint n_steps = MIN (available, peq->m + peq->m / 2 + 1);
  guint length;
  guint dist;

  if (n_steps == 0)
    return 0.0;
  dist = myers_align (peq, self->norm, step < 0 ? (gssize) pos - 1 : (gssize) pos, step, n_steps, &length, NULL);
  return 1.0 - (double) dist / peq->m;
}

static void
to_orig (const RlReanchorer *self,
         guint               start,
         guint               end,
         guint              *orig_start,
         guint              *orig_end)
{
  if (self->norm_start == NULL)
    {
      *orig_start = start;
      *orig_end = end;
      return;
    }
  *orig_start = self->norm_start[start];
  *orig_end = self->norm_end[end - 1];
}

/* Scores [start, end) of the NFC text, dist edits from the quote. */
static void
score_place (const RlReanchorer *self,
             const Query        *q,
             guint               start,
             guint               end,
             guint               dist,
             Place              *place)
{
  double weight = q->m;
  double sum;
  double context_sum = 0.0;
  double context_weight = 0.0;
  double near;

  place->quote = MAX (0.0, 1.0 - (double) dist / q->m);
  sum = q->m * place->quote;
  if (q->n_prefix > 0)
    {
      double s = context_similarity (self, &q->prefix_peq, start, -1);

      context_sum += q->n_prefix * s;
      context_weight += q->n_prefix;
    }
  if (q->n_suffix > 0)
    {
      double s = context_similarity (self, &q->suffix_peq, end, +1);

      context_sum += q->n_suffix * s;
      context_weight += q->n_suffix;
    }
  sum += context_sum;
  weight += context_weight;
  place->score = sum / weight;
  place->context = context_weight > 0 ? context_sum / context_weight : -1.0;

  to_orig (self, start, end, &place->orig_start, &place->orig_end);
  place->distance = place->orig_start > q->old_start ? place->orig_start - q->old_start
                                                     : q->old_start - place->orig_start;
  near = 1.0 - MIN (1.0, (double) place->distance / MAX (self->n_orig, 1));
  place->rank = NEAR_WEIGHT * near;
}

static gboolean
better_place (const Place *a,
              const Place *b)
{
  if (a->rank > b->rank + 1e-12)
    return TRUE;
  if (a->rank < b->rank - 1e-12)
    return FALSE;
  return a->distance < b->distance;
}

static gboolean
place_moved (const RlReanchorer *self,
             const Query        *q,
             Place              *best)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean have = FALSE;

  find_all (self->norm, self->n_norm, q->exact, q->m, found);
  for (guint i = 0; i < found->len; i++)
    {
      guint at = g_array_index (found, guint, i);
      Place place;

      score_place (self, q, at, at + q->m, 0, &place);
      place.rank += MAX (place.context, 0.0);
      if (!have || better_place (&place, best))
        {
          *best = place;
          have = TRUE;
        }
    }
  return have;
}

static gboolean
acceptable (const Place *place)
{
  return place->quote >= RL_REANCHOR_MIN_SIMILARITY
         || (place->context >= RL_REANCHOR_MIN_CONTEXT
             && place->quote >= RL_REANCHOR_MIN_SIMILARITY_WITH_CONTEXT);
}

static void
add_candidate (Hit   *out,
               guint *n_out,
               guint  capacity,
               guint  start,
               guint  end,
               guint  dist)
{
  if (*n_out < capacity && end > start)
    out[(*n_out)++] = (Hit) { start, end, dist };
}

/* An approximate match may stop inside a word ("Headline copy" is nearest
 * to "Headline copi" of "Headline copies"); where the quote was whole words
 * its range is too, when the rest of the word is short. Only the range
 * grows: whether the place is right was judged on the closer alignment. */
static void
snap_to_words (const RlReanchorer *self,
               const Query        *q,
               guint              *start,
               guint              *end)
{
  guint limit = CLAMP (q->m / 4, 3, 16);
  guint s = *start;
  guint e = *end;

  if (q->word_start)
    {
      guint k = 0;

      while (s > 0 && k <= limit && is_word (self->norm[s - 1]) && is_word (self->norm[s]))
        s--, k++;
      if (k > limit)
        s = *start;
    }
  if (q->word_end)
    {
      guint k = 0;

      while (e < self->n_norm && k <= limit && is_word (self->norm[e - 1]) && is_word (self->norm[e]))
        e++, k++;
      if (k > limit)
        e = *end;
    }
  *start = s;
  *end = e;
}

/* From a candidate's end: its equally good starts (aligning backwards), and
 * from each its equally good ends (aligning forwards again, as a search
 * keeps only the first best end of a run: so "Caffe" takes the whole
 * "Caffè" rather than stopping before the accent). */
static void
candidates_from_end (const RlReanchorer *self,
                     const Query        *q,
                     const Peq          *forward,
                     const Peq          *backward,
                     guint               end,
                     guint               max_steps,
                     Hit                *out,
                     guint              *n_out,
                     guint               capacity)
{
  Ties starts, ends;
  guint length;

  myers_align (backward, self->norm, (gssize) end - 1, -1, MIN (end, max_steps), &length, &starts);
  for (guint i = 0; i < starts.n; i++)
    {
      guint start = end - starts.length[i];
      guint dist = myers_align (forward, self->norm, start, +1, MIN (self->n_norm - start, max_steps), &length, &ends);

      for (guint k = 0; k < ends.n; k++)
        {
          guint s = start;
          guint e = start + ends.length[k];

          snap_to_words (self, q, &s, &e);
          add_candidate (out, n_out, capacity, s, e, dist);
        }
    }
}

/* Candidate ranges of an approximate quote: whole-quote search for short
 * ones, heads aligned forwards and tails backwards for long ones. */
static guint
fuzzy_candidates (const RlReanchorer *self,
                  const Query        *q,
                  Hit                *out,
                  guint               capacity)
{
  guint max_dist = (guint) (q->m * SEARCH_EDITS);
  guint max_steps = q->m + max_dist;
  Peq forward, backward;
  guint n_out = 0;

  peq_init (&forward, q->exact, q->m, FALSE);
  peq_init (&backward, q->exact, q->m, TRUE);

  if (q->m <= SHORT_MAX)
    {
      Hit ends[MAX_CANDIDATES];
      guint n = myers_search (&forward, self->norm, self->n_norm, max_dist, ends, G_N_ELEMENTS (ends));

      for (guint i = 0; i < n; i++)
        candidates_from_end (self, q, &forward, &backward, ends[i].end, max_steps, out, &n_out, capacity);
    }
  else
    {
      Hit ends[MAX_LONG_CANDIDATES];
      guint head_dist = (guint) (HEAD_CHARS * HEAD_EDITS);
      Peq head, head_back, tail;
      gboolean good = FALSE;
      guint n;

      peq_init (&head, q->exact, HEAD_CHARS, FALSE);
      peq_init (&head_back, q->exact, HEAD_CHARS, TRUE);
      peq_init (&tail, q->exact + q->m - HEAD_CHARS, HEAD_CHARS, FALSE);

      /* A head's end gives its start, from which the whole quote aligns
       * forwards; that end then aligns the whole quote backwards. */
      n = myers_search (&head, self->norm, self->n_norm, head_dist, ends, G_N_ELEMENTS (ends));
      for (guint i = 0; i < n; i++)
        {
          guint length;
          guint start;

          myers_align (&head_back, self->norm, (gssize) ends[i].end - 1, -1,
                       MIN (ends[i].end, HEAD_CHARS + head_dist), &length, NULL);
          start = ends[i].end - length;
          myers_align (&forward, self->norm, start, +1, MIN (self->n_norm - start, max_steps), &length, NULL);
          if (length > 0)
            candidates_from_end (self, q, &forward, &backward, start + length, max_steps, out, &n_out, capacity);
        }
      /* A tail's end is the quote's end; only needed when no head led to a
       * place good on its own (an edit in the head, or none found). */
      for (guint i = 0; i < n_out; i++)
        if (out[i].dist <= (guint) (q->m * (1.0 - RL_REANCHOR_MIN_SIMILARITY)))
          good = TRUE;
      if (!good)
        {
          n = myers_search (&tail, self->norm, self->n_norm, head_dist, ends, G_N_ELEMENTS (ends));
          for (guint i = 0; i < n; i++)
            candidates_from_end (self, q, &forward, &backward, ends[i].end, max_steps, out, &n_out, capacity);
        }

      peq_clear (&head);
      peq_clear (&head_back);
      peq_clear (&tail);
    }

  peq_clear (&forward);
  peq_clear (&backward);
  return n_out;
}

static gboolean
place_fuzzy (const RlReanchorer *self,
             const Query        *q,
             Place              *best,
             double             *best_rejected)
{
  Hit hits[MAX_CANDIDATES * MAX_TIES * MAX_TIES];
  guint n_hits = fuzzy_candidates (self, q, hits, G_N_ELEMENTS (hits));
  gboolean have = FALSE;

  for (guint i = 0; i < n_hits; i++)
    {
      Place place;

      score_place (self, q, hits[i].start, hits[i].end, hits[i].dist, &place);
      if (!acceptable (&place))
        {
          *best_rejected = MAX (*best_rejected, place.score);
          continue;
        }
      place.rank += place.context >= 0 ? (place.quote + place.context) / 2 : place.quote;
      if (!have || better_place (&place, best))
        {
          *best = place;
          have = TRUE;
        }
    }
  return have;
}

static void
query_init (Query          *q,
            gunichar       *exact,
            guint           m,
            const RlAnchor *anchor)
{
  g_autofree gunichar *prefix = normalize_to_ucs4 (anchor->prefix, &q->n_prefix);
  g_autofree gunichar *suffix = normalize_to_ucs4 (anchor->suffix, &q->n_suffix);

  q->exact = exact;
  q->m = m;
  q->old_start = (guint) MIN (anchor->start, (gint64) G_MAXUINT);
  q->word_start = is_word (exact[0]) && (q->n_prefix == 0 || !is_word (prefix[q->n_prefix - 1]));
  q->word_end = is_word (exact[m - 1]) && (q->n_suffix == 0 || !is_word (suffix[0]));
  if (q->n_prefix > 0)
    peq_init (&q->prefix_peq, prefix, q->n_prefix, TRUE);
  if (q->n_suffix > 0)
    peq_init (&q->suffix_peq, suffix, q->n_suffix, FALSE);
}

static void
query_clear (Query *q)
{
  if (q->n_prefix > 0)
    peq_clear (&q->prefix_peq);
  if (q->n_suffix > 0)
    peq_clear (&q->suffix_peq);
}

/* The end of the segment that starts at i: segments are what NFC never
 * composes across (a starter and what combines with it). */
static guint
segment_end (const gunichar *text,
             guint           n,
             guint           i)
{
  gunichar composed = text[i];
  guint j = i + 1;

  while (j < n)
    {
      gunichar c = text[j];
      gunichar with;

      if (g_unichar_compose (composed, c, &with))
        composed = with;
      else if (g_unichar_combining_class (c) == 0)
        break;
      j++;
    }
  return j;
}

/* Whether the text is NFC already, never asking g_utf8_normalize about the
 * whole of it: GLib shifts the rest of its buffer for each composition it
 * makes, quadratic in a long text with many accents, NFC or not (a 1.5 MB
 * page of 600 000 precomposed ones took 28 s of the app's main loop).
 * Segment by segment instead: a lone code point without a canonical
 * decomposition is its own NFC (below U+0300 every one is), anything else
 * is normalised alone. */
static gboolean
text_is_nfc (const gunichar *text,
             guint           n)
{
  for (guint i = 0; i < n;)
    {
      guint j = segment_end (text, n, i);
      g_autofree char *utf8 = NULL;
      g_autofree char *nfc = NULL;
      g_autofree gunichar *back = NULL;
      glong n_back = 0;

      if (j == i + 1)
        {
          gunichar decomposed[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];

          if (text[i] < 0x300 || (g_unichar_fully_decompose (text[i], FALSE, decomposed, G_N_ELEMENTS (decomposed)) == 1
                                  && decomposed[0] == text[i]))
            {
              i = j;
              continue;
            }
        }
      utf8 = g_ucs4_to_utf8 (text + i, j - i, NULL, NULL, NULL);
      nfc = utf8 ? g_utf8_normalize (utf8, -1, G_NORMALIZE_NFC) : NULL;
      back = nfc ? g_utf8_to_ucs4_fast (nfc, -1, &n_back) : NULL;
      if (back == NULL || n_back != (glong) (j - i) || memcmp (back, text + i, (j - i) * sizeof (gunichar)) != 0)
        return FALSE;
      i = j;
    }
  return TRUE;
}

/* Splits the original text into segments and normalises each, so every NFC
 * code point knows the original range it stands for. */
static void
build_norm_map (RlReanchorer *self)
{
  g_autoptr(GArray) norm = g_array_sized_new (FALSE, FALSE, sizeof (gunichar), self->n_orig + 1);
  g_autoptr(GArray) starts = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->n_orig);
  g_autoptr(GArray) ends = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->n_orig);

  for (guint i = 0; i < self->n_orig;)
    {
      guint j = segment_end (self->orig, self->n_orig, i);

      /* Below U+0300 a lone code point is its own NFC. */
      if (j == i + 1 && self->orig[i] < 0x300)
        {
          g_array_append_val (norm, self->orig[i]);
          g_array_append_val (starts, i);
          g_array_append_val (ends, j);
        }
      else
        {
          g_autofree char *utf8 = g_ucs4_to_utf8 (self->orig + i, j - i, NULL, NULL, NULL);
          g_autofree char *nfc = utf8 ? g_utf8_normalize (utf8, -1, G_NORMALIZE_NFC) : NULL;

          for (const char *p = nfc; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
            {
              gunichar c = g_utf8_get_char (p);

              g_array_append_val (norm, c);
              g_array_append_val (starts, i);
              g_array_append_val (ends, j);
            }
        }
      i = j;
    }

  self->n_norm = norm->len;
  self->norm = (gunichar *) (void *) g_array_free (g_steal_pointer (&norm), FALSE);
  self->norm_start = (guint *) (void *) g_array_free (g_steal_pointer (&starts), FALSE);
  self->norm_end = (guint *) (void *) g_array_free (g_steal_pointer (&ends), FALSE);
}

RlAnchorFit
rl_reanchor (const char     *text,
             gssize          length,
             const RlAnchor *anchor,
             guint          *start,
             guint          *end,
             double         *score)
{
  g_autoptr(RlReanchorer) reanchorer = rl_reanchorer_new (text, length);

  return rl_reanchorer_place (reanchorer, anchor, start, end, score);
}

RlReanchorer *
rl_reanchorer_new (const char *text,
                   gssize      length)
{
  RlReanchorer *self = g_new0 (RlReanchorer, 1);

  self->orig = rl_text_read_code_points (text, length, &self->n_orig);

  /* Most pages are NFC already: one pass to see it, and no map to keep. */
  if (text_is_nfc (self->orig, self->n_orig))
    {
      self->norm = self->orig;
      self->n_norm = self->n_orig;
    }
  else
    build_norm_map (self);
  return self;
}

RlAnchorFit
rl_reanchorer_place (RlReanchorer   *self,
                     const RlAnchor *anchor,
                     guint          *start,
                     guint          *end,
                     double         *score)
{
  g_autofree char *exact_nfc = NULL;
  g_autofree gunichar *exact = NULL;
  glong m = 0;
  Query q = { 0 };
  Place best;
  double best_rejected = 0.0;
  RlAnchorFit fit;

  g_return_val_if_fail (self != NULL, RL_ANCHOR_ORPHANED);
  g_return_val_if_fail (anchor != NULL, RL_ANCHOR_ORPHANED);

  if (score != NULL)
    *score = 0.0;
  /* Data from the wire or an old revision, not a programmer's mistake:
   * anything unplaceable is an orphan, never a crash. */
  if (anchor->kind != RL_DOC_KIND_PAGE || anchor->exact == NULL || anchor->exact[0] == '\0'
      || anchor->start < 0 || anchor->start > anchor->end
      || !g_utf8_validate (anchor->exact, -1, NULL))
    return RL_ANCHOR_ORPHANED;
  exact_nfc = g_utf8_normalize (anchor->exact, -1, G_NORMALIZE_NFC);
  if (exact_nfc == NULL || exact_nfc[0] == '\0')
    return RL_ANCHOR_ORPHANED;

  if (anchor->end <= self->n_orig && anchor->start < anchor->end)
    {
      g_autofree char *slice = g_ucs4_to_utf8 (self->orig + anchor->start, (glong) (anchor->end - anchor->start),
                                               NULL, NULL, NULL);
      g_autofree char *slice_nfc = slice ? g_utf8_normalize (slice, -1, G_NORMALIZE_NFC) : NULL;

      if (slice_nfc != NULL && strcmp (slice_nfc, exact_nfc) == 0)
        {
          if (start != NULL)
            *start = (guint) anchor->start;
          if (end != NULL)
            *end = (guint) anchor->end;
          if (score != NULL)
            *score = 1.0;
          return RL_ANCHOR_EXACT;
        }
    }

  exact = g_utf8_to_ucs4_fast (exact_nfc, -1, &m);
  query_init (&q, exact, (guint) m, anchor);
  if (place_moved (self, &q, &best))
    fit = RL_ANCHOR_MOVED;
  else if (place_fuzzy (self, &q, &best, &best_rejected))
    fit = RL_ANCHOR_FUZZY;
  else
    fit = RL_ANCHOR_ORPHANED;
  query_clear (&q);

  if (fit == RL_ANCHOR_ORPHANED)
    {
      if (score != NULL)
        *score = best_rejected;
      return fit;
    }
  if (start != NULL)
    *start = best.orig_start;
  if (end != NULL)
    *end = best.orig_end;
  if (score != NULL)
    *score = best.score;
  return fit;
}

void
rl_reanchorer_free (RlReanchorer *self)
{
  if (self == NULL)
    return;
  if (self->norm != self->orig)
    g_free (self->norm);
  g_free (self->orig);
  g_free (self->norm_start);
  g_free (self->norm_end);
  g_free (self);
}

/* Code points [start, end) of the original text, as UTF-8. */
static char *
orig_slice (const RlReanchorer *self,
            guint               start,
            guint               end)
{
  char *utf8 = g_ucs4_to_utf8 (self->orig + start, (glong) (end - start), NULL, NULL, NULL);

  /* The text was made valid UTF-8 before it was decoded: never NULL. */
  g_assert (utf8 != NULL);
  return utf8;
}

RlPlacementStatus
rl_reanchorer_place_anchor (RlReanchorer   *self,
                            const RlAnchor *anchor,
                            RlAnchor       *placed,
                            double         *score)
{
  static const RlPlacementStatus status_of_fit[] = {
    [RL_ANCHOR_EXACT] = RL_PLACEMENT_EXACT,
    [RL_ANCHOR_MOVED] = RL_PLACEMENT_MOVED,
    [RL_ANCHOR_FUZZY] = RL_PLACEMENT_CHANGED,
    [RL_ANCHOR_ORPHANED] = RL_PLACEMENT_ORPHANED,
  };
  guint start = 0;
  guint end = 0;
  RlAnchorFit fit;

  g_return_val_if_fail (self != NULL, RL_PLACEMENT_ORPHANED);
  g_return_val_if_fail (anchor != NULL, RL_PLACEMENT_ORPHANED);
  g_return_val_if_fail (placed != NULL, RL_PLACEMENT_ORPHANED);

  memset (placed, 0, sizeof *placed);
  fit = rl_reanchorer_place (self, anchor, &start, &end, score);
  if (fit == RL_ANCHOR_ORPHANED)
    return RL_PLACEMENT_ORPHANED;

  placed->kind = RL_DOC_KIND_PAGE;
  placed->start = start;
  placed->end = end;
  placed->exact = orig_slice (self, start, end);
  placed->prefix = orig_slice (self, start > RL_CONTEXT_MAX_CHARS ? start - RL_CONTEXT_MAX_CHARS : 0, start);
  placed->suffix = orig_slice (self, end, MIN (self->n_orig, end + RL_CONTEXT_MAX_CHARS));
  return status_of_fit[fit];
}
