/* rl-image-match.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-image-match.h"

#include <math.h>
#include <string.h>

/* 2^12 = 4096: a 4000 px side still halves down to a few pixels. */
#define MAX_LEVELS 13
/* NCC closer than this is a tie, decided by distance. */
#define NCC_TIE    1e-6
/* Surroundings searched when the patch is not found: 2× and 4× its size. */
#define CONTEXT_SCALES 2
/* At coarse levels, places this close to the best count as look-alikes. */
#define COARSE_TIE 0.1
/* Displacements of pins placed before, tried before a search. */
#define MAX_SHIFTS 64

typedef struct
{
  int           width;
  int           height;
  int           stride;
  const guint8 *data;      /* level 0: the caller's plane; above: owned */
  guint8       *owned;
  /* What is compared: level 0 itself; above, the level blurred once more,
   * so that what is compared is smooth at the level's own pixel size. */
  const guint8 *match;
  guint8       *smooth;
  /* Made the first time the level is searched whole (new image only). */
  float        *samples;   /* width × height, as floats */
  gint64       *sum;       /* summed-area tables, (width + 1) × (height + 1) */
  gint64       *sum2;
} Level;

typedef struct
{
  Level levels[MAX_LEVELS];
  guint n_levels;
} Pyramid;

struct _RlImageMatcher
{
  RlImagePlanes old_image;
  RlImagePlanes new_image;
  gboolean      chroma;    /* both images have chroma planes */
  Pyramid       old_pyramid;
  Pyramid       new_pyramid;
  /* Pins placed before as moved: where each was (its patch's top left)
   * and by how much it moved, full size, newest first. */
  int           shifts[MAX_SHIFTS][4];
  guint         n_shifts;
};

/* The old image's patch at one level: its samples where they are, their
 * sum and the norm of their deviations from its mean; values (zero-mean,
 * as floats) only for a whole-level search. */
typedef struct
{
  int           x;         /* top left, pixels of that level */
  int           y;
  int           width;
  int           height;
  const guint8 *data;      /* its top left sample */
  int           stride;
  double        sum;
  double        norm;      /* sqrt (Σ (sample − mean)²) */
  float        *values;
} Patch;

typedef struct
{
  int    x;                /* full size, on the old image */
  int    y;
  int    width;
  int    height;
} Rect;

typedef struct
{
  int    x;                /* the patch's top left on the new image */
  int    y;
  double ncc;
} Candidate;

/* The next level: a 5-tap binomial low-pass (1 4 6 4 1, Burt and
 * Adelson's Gaussian pyramid), then every other sample. A 2 × 2 box
 * average lets fine repeats (lines of text, 20-odd px apart) alias into
 * coarse patterns that change with the half-pixel the layout moved by;
 * this filter removes them first. Borders repeat the edge sample. */
static void
downsample (const Level *from,
            Level       *to)
{
  static const int taps[5] = { 1, 4, 6, 4, 1 };
  int w = from->width / 2;
  int h = from->height / 2;
  g_autofree guint16 *rows = g_new (guint16, (gsize) w * from->height);

  for (int j = 0; j < from->height; j++)
    {
      const guint8 *in = from->data + (gsize) j * from->stride;
      guint16 *out = rows + (gsize) j * w;

      for (int i = 0; i < w; i++)
        {
          int sum = 0;

          for (int t = 0; t < 5; t++)
            sum += taps[t] * in[CLAMP (2 * i + t - 2, 0, from->width - 1)];
          out[i] = (guint16) sum;
        }
    }

  to->width = w;
  to->height = h;
  to->stride = w;
  to->owned = g_new (guint8, (gsize) w * h);
  for (int j = 0; j < h; j++)
    {
      const guint16 *in[5];
      guint8 *out = to->owned + (gsize) j * w;

      for (int t = 0; t < 5; t++)
        in[t] = rows + (gsize) CLAMP (2 * j + t - 2, 0, from->height - 1) * w;
      for (int i = 0; i < w; i++)
        out[i] = (guint8) ((in[0][i] + 4 * in[1][i] + 6 * in[2][i] + 4 * in[3][i] + in[4][i] + 128) >> 8);
    }
  to->data = to->owned;
}

/* The same low-pass, without halving. A feature a level's pixel or two
 * wide looks different with every half pixel it is moved by, and a
 * look-alike sampled in step would beat the element itself sampled out of
 * step; blurred once more, neither depends on the phase. */
static void
blur (const Level *level,
      guint8      *out)
{
  int w = level->width;
  int h = level->height;
  g_autofree guint16 *rows = g_new (guint16, (gsize) w * h);

  for (int j = 0; j < h; j++)
    {
      const guint8 *in = level->data + (gsize) j * level->stride;
      guint16 *row = rows + (gsize) j * w;

      for (int i = 0; i < w; i++)
        row[i] = (guint16) (in[MAX (i - 2, 0)] + 4 * in[MAX (i - 1, 0)] + 6 * in[i] + 4 * in[MIN (i + 1, w - 1)]
                            + in[MIN (i + 2, w - 1)]);
    }
  for (int j = 0; j < h; j++)
    {
      const guint16 *a = rows + (gsize) MAX (j - 2, 0) * w;
      const guint16 *b = rows + (gsize) MAX (j - 1, 0) * w;
      const guint16 *c = rows + (gsize) j * w;
      const guint16 *d = rows + (gsize) MIN (j + 1, h - 1) * w;
      const guint16 *e = rows + (gsize) MIN (j + 2, h - 1) * w;
      guint8 *o = out + (gsize) j * w;

      for (int i = 0; i < w; i++)
        o[i] = (guint8) ((a[i] + 4 * b[i] + 6 * c[i] + 4 * d[i] + e[i] + 128) >> 8);
    }
}

static void
pyramid_init (Pyramid       *pyramid,
              const RlPlane *plane)
{
  memset (pyramid, 0, sizeof *pyramid);
  pyramid->levels[0] = (Level) { .width = plane->width, .height = plane->height, .stride = plane->rowstride,
                                 .data = plane->data, .match = plane->data };
  pyramid->n_levels = 1;

  while (pyramid->n_levels < MAX_LEVELS && pyramid->levels[pyramid->n_levels - 1].width >= 2
         && pyramid->levels[pyramid->n_levels - 1].height >= 2)
    {
      Level *level = &pyramid->levels[pyramid->n_levels++];

      downsample (&pyramid->levels[pyramid->n_levels - 2], level);
      level->smooth = g_new (guint8, (gsize) level->width * level->height);
      blur (level, level->smooth);
      level->match = level->smooth;
    }
}

static void
pyramid_clear (Pyramid *pyramid)
{
  for (guint l = 0; l < pyramid->n_levels; l++)
    {
      g_clear_pointer (&pyramid->levels[l].owned, g_free);
      g_clear_pointer (&pyramid->levels[l].smooth, g_free);
      g_clear_pointer (&pyramid->levels[l].samples, g_free);
      g_clear_pointer (&pyramid->levels[l].sum, g_free);
      g_clear_pointer (&pyramid->levels[l].sum2, g_free);
    }
}

/* What a whole-level search needs: the samples as floats, so the
 * correlation runs as vector multiply-adds, and summed-area tables for
 * every window's mean and variance. */
static void
level_prepare_search (Level *level)
{
  int w = level->width;
  int h = level->height;

  if (level->samples != NULL)
    return;
  level->samples = g_new (float, (gsize) w * h);
  level->sum = g_new0 (gint64, (gsize) (w + 1) * (h + 1));
  level->sum2 = g_new0 (gint64, (gsize) (w + 1) * (h + 1));
  for (int j = 0; j < h; j++)
    {
      const guint8 *row = level->match + (gsize) j * level->stride;
      gint64 run = 0;
      gint64 run2 = 0;

      for (int i = 0; i < w; i++)
        {
          gsize at = (gsize) (j + 1) * (w + 1) + i + 1;

          level->samples[(gsize) j * w + i] = row[i];
          run += row[i];
          run2 += row[i] * row[i];
          level->sum[at] = level->sum[at - (w + 1)] + run;
          level->sum2[at] = level->sum2[at - (w + 1)] + run2;
        }
    }
}

static inline gint64
box_sum (const gint64 *table,
         int           stride,
         int           x,
         int           y,
         int           w,
         int           h)
{
  return table[(gsize) (y + h) * stride + x + w] - table[(gsize) y * stride + x + w]
         - table[(gsize) (y + h) * stride + x] + table[(gsize) y * stride + x];
}

/* Mean and standard deviation of a window of a plane. */
static void
window_stats (const guint8 *data,
              int           stride,
              int           x,
              int           y,
              int           w,
              int           h,
              double       *mean,
              double       *stddev)
{
  guint64 sum = 0;
  guint64 sum2 = 0;
  double n = (double) w * h;

  for (int j = 0; j < h; j++)
    {
      const guint8 *row = data + (gsize) (y + j) * stride + x;

      for (int i = 0; i < w; i++)
        {
          sum += row[i];
          sum2 += row[i] * row[i];
        }
    }
  *mean = sum / n;
  *stddev = sqrt (MAX (0.0, sum2 / n - *mean * *mean));
}

static void
patch_init (Patch       *patch,
            const Level *level,
            int          x,
            int          y,
            int          w,
            int          h,
            gboolean     with_values)
{
  double mean, stddev;

  window_stats (level->match, level->stride, x, y, w, h, &mean, &stddev);
  *patch = (Patch) { x, y, w, h, level->match + (gsize) y * level->stride + x, level->stride,
                     mean * w * h, stddev * sqrt ((double) w * h), NULL };
  if (!with_values)
    return;
  patch->values = g_new (float, (gsize) w * h);
  for (int j = 0; j < h; j++)
    for (int i = 0; i < w; i++)
      patch->values[j * w + i] = (float) (patch->data[(gsize) j * patch->stride + i] - mean);
}

static void
patch_clear (Patch *patch)
{
  g_clear_pointer (&patch->values, g_free);
}

/* A window's variance times its size is where NCC divides: a flat window
 * (or patch) correlates with nothing, never divides by zero. */
static inline double
ncc_of (double cross,
        double patch_norm,
        double n_variance)
{
  if (patch_norm < 1e-6 || n_variance < 1e-6)
    return 0.0;
  return cross / (patch_norm * sqrt (n_variance));
}

/* NCC of the patch against the new level's window with top left (u, v),
 * in integers (a row's sums of products fit 32 bits up to 66 051 samples):
 * covariance Σpw − ΣpΣw/n over the two deviations' norms. */
static double
ncc_at (const Patch *patch,
        const Level *level,
        int          u,
        int          v)
{
  guint64 cross = 0;
  guint64 sum = 0;
  guint64 sum2 = 0;
  double n = (double) patch->width * patch->height;
  int w = patch->width;

  for (int j = 0; j < patch->height; j++)
    {
      const guint8 *row = level->match + (gsize) (v + j) * level->stride + u;
      const guint8 *p = patch->data + (gsize) j * patch->stride;
      guint32 row_cross = 0;
      guint32 row_sum = 0;
      guint32 row_sum2 = 0;

      for (int i = 0; i < w; i++)
        {
          row_cross += (guint32) p[i] * row[i];
          row_sum += row[i];
          row_sum2 += (guint32) row[i] * row[i];
        }
      cross += row_cross;
      sum += row_sum;
      sum2 += row_sum2;
    }
  return ncc_of ((double) cross - patch->sum * (double) sum / n, patch->norm,
                 (double) sum2 - (double) sum * (double) sum / n);
}

static inline gint64
distance2 (int x0,
           int y0,
           int x1,
           int y1)
{
  return (gint64) (x1 - x0) * (x1 - x0) + (gint64) (y1 - y0) * (y1 - y0);
}

/* Better NCC, or as good and nearer the old position (ox, oy). */
static gboolean
better_candidate (const Candidate *a,
                  const Candidate *b,
                  int              ox,
                  int              oy)
{
  if (fabs (a->ncc - b->ncc) > NCC_TIE)
    return a->ncc > b->ncc;
  return distance2 (ox, oy, a->x, a->y) < distance2 (ox, oy, b->x, b->y);
}

/* Keeps the capacity best, best first. */
static void
keep_candidate (Candidate       *kept,
                guint           *n_kept,
                guint            capacity,
                const Candidate *candidate,
                int              ox,
                int              oy)
{
  guint at = *n_kept;

  while (at > 0 && better_candidate (candidate, &kept[at - 1], ox, oy))
    at--;
  if (at >= capacity)
    return;
  if (*n_kept < capacity)
    (*n_kept)++;
  memmove (kept + at + 1, kept + at, (*n_kept - 1 - at) * sizeof *kept);
  kept[at] = *candidate;
}

/* The global pass: the patch against every window of the level, the best
 * local maxima of the NCC map kept. One row of windows at a time, each
 * patch sample multiplied into the whole row (a loop the compiler
 * vectorises). */
static guint
search_level (const RlImageMatcher *self,
              const Rect           *rect,
              guint                 l,
              Candidate            *out,
              guint                 capacity)
{
  Level *level = (Level *) &self->new_pyramid.levels[l];
  Patch patch_storage;
  const Patch *patch = &patch_storage;
  int nu, nv;
  int sat_stride = level->width + 1;
  double n;
  g_autofree float *map = NULL;
  g_autoptr(GArray) peaks = g_array_new (FALSE, FALSE, sizeof (Candidate));
  Candidate near[RL_IMAGE_MATCH_CANDIDATES];
  guint n_near = 0;
  guint n_best = 0;
  float best = 0.0f;
  g_autofree float *row_cross = NULL;
  guint n_out = 0;

  patch_init (&patch_storage, &self->old_pyramid.levels[l], rect->x >> l, rect->y >> l, rect->width >> l,
              rect->height >> l, TRUE);
  nu = level->width - patch->width + 1;
  nv = level->height - patch->height + 1;
  n = (double) patch->width * patch->height;
  /* What the patch shows is finer than this level: correlating it here
   * would rank noise (the surroundings, searched next, show more). */
  if (patch->norm < RL_IMAGE_MATCH_FLAT_STDDEV * sqrt (n))
    {
      patch_clear (&patch_storage);
      return 0;
    }
  map = g_new (float, (gsize) nu * nv);
  row_cross = g_new (float, nu);
  level_prepare_search (level);
  for (int v = 0; v < nv; v++)
    {
      memset (row_cross, 0, nu * sizeof (float));
      for (int j = 0; j < patch->height; j++)
        for (int i = 0; i < patch->width; i++)
          {
            float c = patch->values[j * patch->width + i];
            const float *src = level->samples + (gsize) (v + j) * level->width + i;

            for (int u = 0; u < nu; u++)
              row_cross[u] += c * src[u];
          }
      for (int u = 0; u < nu; u++)
        {
          double sum = (double) box_sum (level->sum, sat_stride, u, v, patch->width, patch->height);
          double sum2 = (double) box_sum (level->sum2, sat_stride, u, v, patch->width, patch->height);

          map[(gsize) v * nu + u] = (float) ncc_of (row_cross[u], patch->norm, sum2 - sum * sum / n);
        }
    }

  for (int v = 0; v < nv; v++)
    for (int u = 0; u < nu; u++)
      {
        float value = map[(gsize) v * nu + u];
        gboolean peak = value > 0.0f;

        for (int dv = -1; dv <= 1 && peak; dv++)
          for (int du = -1; du <= 1 && peak; du++)
            {
              int uu = u + du, vv = v + dv;

              if ((du != 0 || dv != 0) && uu >= 0 && uu < nu && vv >= 0 && vv < nv)
                {
                  float other = map[(gsize) vv * nu + uu];

                  /* A plateau keeps its first point only. */
                  if (other > value || (other == value && (dv < 0 || (dv == 0 && du < 0))))
                    peak = FALSE;
                }
            }
        if (peak)
          {
            Candidate c = { u, v, value };

            g_array_append_val (peaks, c);
            best = MAX (best, value);
          }
      }

  /* A small move is the commonest, and a thin detail (a band at the
   * patch's edge) may sample so differently at this level that the place
   * it moved to is no peak at all: the best place near the old one, peak
   * or not, is always refined. */
  {
    int u0 = CLAMP (patch->x, 0, nu - 1), v0 = CLAMP (patch->y, 0, nv - 1);
    Candidate local = { u0, v0, map[(gsize) v0 * nu + u0] };

    for (int v = MAX (0, v0 - RL_IMAGE_MATCH_COARSE_REFINE); v <= MIN (nv - 1, v0 + RL_IMAGE_MATCH_COARSE_REFINE); v++)
      for (int u = MAX (0, u0 - RL_IMAGE_MATCH_COARSE_REFINE); u <= MIN (nu - 1, u0 + RL_IMAGE_MATCH_COARSE_REFINE); u++)
        if (map[(gsize) v * nu + u] > local.ncc)
          local = (Candidate) { u, v, map[(gsize) v * nu + u] };
    near[n_near++] = local;
  }

  /* Look-alikes (the same icon on every card) differ by a few hundredths
   * here, with the phase each is sampled at, so the best peaks alone could
   * all be other cards' icons: half the places go to the peaks nearest the
   * old place among those nearly as good as the best, the rest to the best. */
  for (guint i = 0; i < peaks->len; i++)
    {
      Candidate c = g_array_index (peaks, Candidate, i);

      if (c.ncc >= best - COARSE_TIE && (c.x != near[0].x || c.y != near[0].y))
        {
          guint n_band = n_near - 1;

          /* Ranked by nearness alone: NCC as a tie no longer counts. */
          c.ncc = -(double) distance2 (patch->x, patch->y, c.x, c.y);
          keep_candidate (near + 1, &n_band, capacity / 2 - 1, &c, patch->x, patch->y);
          n_near = n_band + 1;
        }
    }
  for (guint i = 0; i < n_near; i++)
    {
      Candidate *c = &near[i];

      c->ncc = map[(gsize) c->y * nu + c->x];
      out[n_out++] = *c;
    }
  for (guint i = 0; i < peaks->len; i++)
    {
      const Candidate *c = &g_array_index (peaks, Candidate, i);
      gboolean kept = FALSE;

      for (guint k = 0; k < n_near && !kept; k++)
        kept = near[k].x == c->x && near[k].y == c->y;
      if (!kept)
        keep_candidate (out + n_near, &n_best, capacity - n_near, c, patch->x, patch->y);
    }
  n_out += n_best;
  patch_clear (&patch_storage);
  return n_out;
}

/* Share of the patch's pixels (full size, top left (x0, y0) on the old
 * image, (x1, y1) on the new) whose Y′, Cb or Cr differ by more than the
 * tolerance. */
static double
changed_share (const RlImageMatcher *self,
               int                   x0,
               int                   y0,
               int                   x1,
               int                   y1,
               int                   w,
               int                   h)
{
  const RlPlane *old_planes[3] = { &self->old_image.y, &self->old_image.cb, &self->old_image.cr };
  const RlPlane *new_planes[3] = { &self->new_image.y, &self->new_image.cb, &self->new_image.cr };
  guint n_planes = self->chroma ? 3 : 1;
  guint64 changed = 0;

  for (int j = 0; j < h; j++)
    for (int i = 0; i < w; i++)
      for (guint k = 0; k < n_planes; k++)
        {
          int a = old_planes[k]->data[(gsize) (y0 + j) * old_planes[k]->rowstride + x0 + i];
          int b = new_planes[k]->data[(gsize) (y1 + j) * new_planes[k]->rowstride + x1 + i];

          if (ABS (a - b) > RL_IMAGE_MATCH_PIXEL_TOLERANCE)
            {
              changed++;
              break;
            }
        }
  return (double) changed / ((double) w * h);
}

/* The size × size square around the pin (px, py), inside the patch rect. */
static Rect
inner_rect (const Rect *rect,
            double      px,
            double      py,
            int         size)
{
  int w = MIN (size, rect->width);
  int h = MIN (size, rect->height);

  return (Rect) { CLAMP ((int) px - w / 2, rect->x, rect->x + rect->width - w),
                  CLAMP ((int) py - h / 2, rect->y, rect->y + rect->height - h), w, h };
}

/* Whether the core of the patch rect (RL_IMAGE_MATCH_CORE px around the
 * pin (px, py)) shows the same pixels with the patch found at (u, v). */
static gboolean
core_same (const RlImageMatcher *self,
           const Rect           *rect,
           double                px,
           double                py,
           int                   u,
           int                   v)
{
  Rect in = inner_rect (rect, px, py, RL_IMAGE_MATCH_CORE);
  int nu = u + in.x - rect->x, nv = v + in.y - rect->y;
  Patch core;
  double ncc;

  patch_init (&core, &self->old_pyramid.levels[0], in.x, in.y, in.width, in.height, FALSE);
  ncc = ncc_at (&core, &self->new_pyramid.levels[0], nu, nv);
  patch_clear (&core);
  return ncc >= RL_IMAGE_MATCH_SAME_NCC
         && changed_share (self, in.x, in.y, nu, nv, in.width, in.height) <= RL_IMAGE_MATCH_CHANGED_SHARE;
}

/* Whether the patch rect (full size) found at (u, v) on the new image
 * shows the same pixels: all of it, or, at the same place, its core (what
 * an edit beside the element leaves; a core is small, with look-alikes
 * elsewhere, so it only keeps a pin where it was). */
static gboolean
same_pixels (const RlImageMatcher *self,
             const Rect           *rect,
             double                px,
             double                py,
             int                   u,
             int                   v,
             double                ncc)
{
  if (ncc >= RL_IMAGE_MATCH_SAME_NCC
      && changed_share (self, rect->x, rect->y, u, v, rect->width, rect->height) <= RL_IMAGE_MATCH_CHANGED_SHARE)
    return TRUE;
  return u == rect->x && v == rect->y && core_same (self, rect, px, py, u, v);
}

/* Whether the RL_IMAGE_MATCH_CENTRE px around the pin (px, py) showed
 * something and, with the patch rect found at (u, v), show nothing now. */
static gboolean
centre_blanked (const RlImageMatcher *self,
                const Rect           *rect,
                double                px,
                double                py,
                int                   u,
                int                   v)
{
  Rect in = inner_rect (rect, px, py, RL_IMAGE_MATCH_CENTRE);
  double mean, old_stddev, new_stddev;

  window_stats (self->old_image.y.data, self->old_image.y.rowstride, in.x, in.y, in.width, in.height, &mean,
                &old_stddev);
  window_stats (self->new_image.y.data, self->new_image.y.rowstride, u + in.x - rect->x, v + in.y - rect->y,
                in.width, in.height, &mean, &new_stddev);
  return old_stddev >= RL_IMAGE_MATCH_FLAT_STDDEV && new_stddev < RL_IMAGE_MATCH_FLAT_STDDEV;
}

/* Magnitude of the luma gradient at (x, y) (central differences, edges
 * repeated). */
static inline int
gradient (const RlPlane *plane,
          int            x,
          int            y)
{
  const guint8 *row = plane->data + (gsize) y * plane->rowstride;
  const guint8 *up = plane->data + (gsize) MAX (y - 1, 0) * plane->rowstride;
  const guint8 *down = plane->data + (gsize) MIN (y + 1, plane->height - 1) * plane->rowstride;

  return ABS (row[MIN (x + 1, plane->width - 1)] - row[MAX (x - 1, 0)]) + ABS (down[x] - up[x]);
}

/* NCC of the luma gradients' magnitudes in the patch rect on the old
 * image and at (u, v) on the new (where it fits). */
static double
structure_ncc (const RlImageMatcher *self,
               const Rect           *rect,
               int                   u,
               int                   v)
{
  double n = (double) rect->width * rect->height;
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;

  for (int j = rect->y; j < rect->y + rect->height; j++)
    for (int i = rect->x; i < rect->x + rect->width; i++)
      {
        double a = gradient (&self->old_image.y, i, j);
        double b = gradient (&self->new_image.y, u + i - rect->x, v + j - rect->y);

        sa += a;
        sb += b;
        saa += a * a;
        sbb += b * b;
        sab += a * b;
      }
  return ncc_of (sab - sa * sb / n, sqrt (MAX (0.0, saa - sa * sa / n)), sbb - sb * sb / n);
}

/* The deepest level at which a w × h patch is still COARSE_PATCH wide,
 * present in both pyramids. */
static guint
coarse_level (const RlImageMatcher *self,
              const Rect           *rect)
{
  guint level = 0;

  while (level + 1 < MIN (self->old_pyramid.n_levels, self->new_pyramid.n_levels)
         && (MIN (rect->width, rect->height) >> (level + 1)) >= RL_IMAGE_MATCH_COARSE_PATCH)
    level++;
  return level;
}

/* Whether (u, v) is a window of the level the patch fits in. */
static inline gboolean
fits (const Patch *patch,
      const Level *level,
      int          u,
      int          v)
{
  return u >= 0 && v >= 0 && u + patch->width <= level->width && v + patch->height <= level->height;
}

/* The best place within radius of (cx, cy); FALSE when none fits. Within
 * RL_IMAGE_MATCH_REFINE it climbs from (cx, cy) to the best of each 3 × 3
 * until it stands on the best (the correlation is one peak that near a
 * place found at the level above; about half the windows of a full scan);
 * wider, every window is tried (a coarse peak may have neighbours). */
static gboolean
best_near (const Patch *patch,
           const Level *level,
           int          cx,
           int          cy,
           int          radius,
           Candidate   *best)
{
  enum { MAX_SIDE = 2 * MAX (RL_IMAGE_MATCH_REFINE, RL_IMAGE_MATCH_COARSE_REFINE) + 1 };
  gboolean known[MAX_SIDE * MAX_SIDE] = { FALSE };
  int side = 2 * radius + 1;
  gboolean have = FALSE;
  int u = cx, v = cy;

  g_assert (side <= MAX_SIDE);
  if (radius > RL_IMAGE_MATCH_REFINE || !fits (patch, level, cx, cy))
    {
      for (int y = cy - radius; y <= cy + radius; y++)
        for (int x = cx - radius; x <= cx + radius; x++)
          if (fits (patch, level, x, y))
            {
              Candidate here = { x, y, ncc_at (patch, level, x, y) };

              if (!have || better_candidate (&here, best, patch->x, patch->y))
                *best = here;
              have = TRUE;
            }
      return have;
    }

  *best = (Candidate) { cx, cy, ncc_at (patch, level, cx, cy) };
  known[radius * side + radius] = TRUE;
  for (;;)
    {
      for (int y = v - 1; y <= v + 1; y++)
        for (int x = u - 1; x <= u + 1; x++)
          {
            int at = (y - cy + radius) * side + (x - cx + radius);

            if (ABS (x - cx) <= radius && ABS (y - cy) <= radius && !known[at] && fits (patch, level, x, y))
              {
                Candidate here = { x, y, ncc_at (patch, level, x, y) };

                known[at] = TRUE;
                if (better_candidate (&here, best, patch->x, patch->y))
                  *best = here;
              }
          }
      if (best->x == u && best->y == v)
        return TRUE;
      u = best->x;
      v = best->y;
    }
}

/* Moves each candidate (a position of rect's patch at level l, in pixels
 * of that level) to its best place within radius pixels of where it
 * is; candidates that converge become one; best first. */
static guint
refine_at_level (const RlImageMatcher *self,
                 const Rect           *rect,
                 guint                 l,
                 int                   radius,
                 Candidate            *candidates,
                 guint                 n_candidates)
{
  const Level *level = &self->new_pyramid.levels[l];
  Candidate refined[RL_IMAGE_MATCH_CANDIDATES];
  guint n_refined = 0;
  Patch patch;

  patch_init (&patch, &self->old_pyramid.levels[l], rect->x >> l, rect->y >> l, rect->width >> l,
              rect->height >> l, FALSE);
  for (guint c = 0; c < n_candidates; c++)
    {
      Candidate best = { 0, 0, -2.0 };
      gboolean seen = best_near (&patch, level, candidates[c].x, candidates[c].y, radius, &best);

      for (guint k = 0; k < n_refined && seen; k++)
        if (refined[k].x == best.x && refined[k].y == best.y)
          seen = FALSE;
      if (seen)
        keep_candidate (refined, &n_refined, G_N_ELEMENTS (refined), &best, patch.x, patch.y);
    }
  patch_clear (&patch);
  memcpy (candidates, refined, n_refined * sizeof *candidates);
  return n_refined;
}

/* From a position of rect's patch at level l + 1 to the same place at
 * level l: twice as far, plus the pixel the patch's own corner gains when
 * it is halved with rounding down. */
/* Finer levels tell look-alikes apart: the better half goes on (two at
 * least; candidates are best first), and the one nearest the old place
 * (ox, oy) among those nearly as good as the best, wherever it ranks: how
 * well a look-alike fares at a coarse level is partly the phase it is
 * sampled at, and of equals the nearest is the one meant. */
static guint
prune (Candidate *candidates,
       guint      n_candidates,
       int        ox,
       int        oy)
{
  guint keep = MIN (n_candidates, MAX (2u, n_candidates / 2));
  guint nearest = 0;

  for (guint c = 1; c < n_candidates; c++)
    if (candidates[c].ncc >= candidates[0].ncc - COARSE_TIE
        && distance2 (ox, oy, candidates[c].x, candidates[c].y)
           < distance2 (ox, oy, candidates[nearest].x, candidates[nearest].y))
      nearest = c;
  if (nearest >= keep)
    candidates[keep++] = candidates[nearest];
  return keep;
}

static void
double_positions (const Rect *rect,
                  guint       l,
                  Candidate  *candidates,
                  guint       n_candidates)
{
  int bx = (rect->x >> l) - 2 * (rect->x >> (l + 1));
  int by = (rect->y >> l) - 2 * (rect->y >> (l + 1));

  for (guint c = 0; c < n_candidates; c++)
    {
      candidates[c].x = 2 * candidates[c].x + bx;
      candidates[c].y = 2 * candidates[c].y + by;
    }
}

/* rect at size × its size, around the same point, inside both images. */
static Rect
grown_rect (const RlImageMatcher *self,
            const Rect           *rect,
            int                   factor)
{
  int max_w = MIN (self->old_image.y.width, self->new_image.y.width);
  int max_h = MIN (self->old_image.y.height, self->new_image.y.height);
  int w = MIN (rect->width * factor, max_w);
  int h = MIN (rect->height * factor, max_h);
  int cx = rect->x + rect->width / 2;
  int cy = rect->y + rect->height / 2;

  return (Rect) { CLAMP (cx - w / 2, 0, self->old_image.y.width - w),
                  CLAMP (cy - h / 2, 0, self->old_image.y.height - h), w, h };
}

/* Coarse to fine: the best place of the patch rect (full size) on the new
 * image. The patch itself is searched first; when it is not found the same
 * (a paragraph's interior, a button changed), its surroundings at 2× and
 * 4× are, for what they have at coarse levels and the patch has not (a
 * paragraph's ragged edge, the block a button sits in), each refined to
 * the level where it is as many pixels as the patch at full size, and the
 * patch itself from there. */
static Candidate
search (RlImageMatcher *self,
        const Rect     *rect)
{
  Candidate best = { rect->x, rect->y, -1.0 };
  int last_width = 0, last_height = 0;

  for (guint k = 0; k <= CONTEXT_SCALES; k++)
    {
      Candidate candidates[RL_IMAGE_MATCH_CANDIDATES];
      Rect context = grown_rect (self, rect, 1 << k);
      guint top = coarse_level (self, &context);
      guint stop = MIN (k, top);
      guint n;

      /* Grown to the whole image already, or to the largest patch a flat
       * one grows to: nothing more to see, or enough seen. */
      if (context.width == last_width && context.height == last_height)
        break;
      if (k > 0 && MAX (context.width, context.height) > RL_IMAGE_MATCH_PATCH * RL_IMAGE_MATCH_MAX_GROWTH)
        break;
      last_width = context.width;
      last_height = context.height;

      n = search_level (self, &context, top, candidates, G_N_ELEMENTS (candidates));
      for (int l = (int) top - 1; l >= (int) stop && n > 0; l--)
        {
          double_positions (&context, (guint) l, candidates, n);
          /* A coarsest peak is blurred and may be a pixel or more off. */
          n = refine_at_level (self, &context, (guint) l,
                               l == (int) top - 1 ? RL_IMAGE_MATCH_COARSE_REFINE : RL_IMAGE_MATCH_REFINE,
                               candidates, n);
          n = prune (candidates, n, context.x >> l, context.y >> l);
        }
      if (k > 0 && n > 0)
        {
          /* From the surroundings' place to the patch's. */
          for (guint c = 0; c < n; c++)
            {
              candidates[c].x += (rect->x >> stop) - (context.x >> stop);
              candidates[c].y += (rect->y >> stop) - (context.y >> stop);
            }
          n = refine_at_level (self, rect, stop, RL_IMAGE_MATCH_REFINE, candidates, n);
        }
      for (int l = (int) stop - 1; l >= 0 && n > 0; l--)
        {
          double_positions (rect, (guint) l, candidates, n);
          n = refine_at_level (self, rect, (guint) l, RL_IMAGE_MATCH_REFINE, candidates, n);
        }
      if (n > 0 && better_candidate (&candidates[0], &best, rect->x, rect->y))
        best = candidates[0];
      if (best.ncc >= RL_IMAGE_MATCH_SAME_NCC)
        break;
    }
  return best;
}

/* BT.601 full range, in 8.8 fixed point; the offsets keep every
 * intermediate positive. */
static inline void
rgb_to_ycbcr (int     r,
              int     g,
              int     b,
              guint8 *y,
              guint8 *cb,
              guint8 *cr)
{
  *y = (guint8) ((77 * r + 150 * g + 29 * b + 128) >> 8);
  *cb = (guint8) ((-43 * r - 85 * g + 128 * b + 32768 + 128) >> 8);
  *cr = (guint8) ((128 * r - 107 * g - 21 * b + 32768 + 128) >> 8);
}

guint8 *
rl_image_planes_from_rgb (RlImagePlanes *planes,
                          int            width,
                          int            height,
                          int            rowstride,
                          int            n_channels,
                          const guint8  *pixels)
{
  gsize size = (gsize) width * height;
  guint8 *buffer;

  g_return_val_if_fail (planes != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (n_channels == 3 || n_channels == 4, NULL);
  g_return_val_if_fail (rowstride >= width * n_channels, NULL);
  g_return_val_if_fail (pixels != NULL, NULL);

  buffer = g_new (guint8, 3 * size);
  for (int j = 0; j < height; j++)
    {
      const guint8 *p = pixels + (gsize) j * rowstride;
      guint8 *y = buffer + (gsize) j * width;
      guint8 *cb = y + size;
      guint8 *cr = cb + size;

      /* Two loops, so that each runs without a branch (and vectorises). */
      if (n_channels == 3)
        for (int i = 0; i < width; i++)
          rgb_to_ycbcr (p[3 * i], p[3 * i + 1], p[3 * i + 2], y + i, cb + i, cr + i);
      else
        for (int i = 0; i < width; i++)
          {
            int a = p[4 * i + 3];
            int white = 255 * (255 - a) + 127;

            rgb_to_ycbcr ((p[4 * i] * a + white) / 255, (p[4 * i + 1] * a + white) / 255,
                          (p[4 * i + 2] * a + white) / 255, y + i, cb + i, cr + i);
          }
    }
  planes->y = (RlPlane) { width, height, width, buffer };
  planes->cb = (RlPlane) { width, height, width, buffer + size };
  planes->cr = (RlPlane) { width, height, width, buffer + 2 * size };
  return buffer;
}

static gboolean
plane_is_valid (const RlPlane *plane)
{
  return plane->data != NULL && plane->width > 0 && plane->height > 0 && plane->rowstride >= plane->width;
}

static gboolean
chroma_matches (const RlImagePlanes *planes)
{
  return plane_is_valid (&planes->cb) && plane_is_valid (&planes->cr)
         && planes->cb.width == planes->y.width && planes->cb.height == planes->y.height
         && planes->cr.width == planes->y.width && planes->cr.height == planes->y.height;
}

RlImageMatcher *
rl_image_matcher_new (const RlImagePlanes *old_image,
                      const RlImagePlanes *new_image)
{
  RlImageMatcher *self;

  g_return_val_if_fail (old_image != NULL && plane_is_valid (&old_image->y), NULL);
  g_return_val_if_fail (new_image != NULL && plane_is_valid (&new_image->y), NULL);

  self = g_new0 (RlImageMatcher, 1);
  self->old_image = *old_image;
  self->new_image = *new_image;
  self->chroma = chroma_matches (old_image) && chroma_matches (new_image);
  pyramid_init (&self->old_pyramid, &old_image->y);
  pyramid_init (&self->new_pyramid, &new_image->y);
  return self;
}

/* Remembers where a pin moved from and by how much, newest first. */
static void
remember_shift (RlImageMatcher *self,
                const Rect     *rect,
                int             dx,
                int             dy)
{
  if (self->n_shifts < MAX_SHIFTS)
    self->n_shifts++;
  memmove (self->shifts[1], self->shifts[0], (self->n_shifts - 1) * sizeof self->shifts[0]);
  self->shifts[0][0] = rect->x;
  self->shifts[0][1] = rect->y;
  self->shifts[0][2] = dx;
  self->shifts[0][3] = dy;
}

/* The patch moved as a pin near it did: the first such place with the
 * same pixels, or none. Only near ones: a layout shift moves neighbours
 * alike, and a shift from far away could land on a look-alike (the same
 * icon in another card) when the element itself is nearer. */
static gboolean
try_shifts (const RlImageMatcher *self,
            const Rect           *rect,
            Candidate            *found)
{
  const Level *level = &self->new_pyramid.levels[0];
  gboolean have = FALSE;
  Patch patch;

  if (self->n_shifts == 0)
    return FALSE;
  patch_init (&patch, &self->old_pyramid.levels[0], rect->x, rect->y, rect->width, rect->height, FALSE);
  for (guint i = 0; i < self->n_shifts && !have; i++)
    {
      int u = rect->x + self->shifts[i][2];
      int v = rect->y + self->shifts[i][3];
      gboolean tried = FALSE;

      if (ABS (self->shifts[i][0] - rect->x) > RL_IMAGE_MATCH_NEIGHBOURHOOD
          || ABS (self->shifts[i][1] - rect->y) > RL_IMAGE_MATCH_NEIGHBOURHOOD)
        continue;
      for (guint k = 0; k < i && !tried; k++)
        tried = self->shifts[k][2] == self->shifts[i][2] && self->shifts[k][3] == self->shifts[i][3]
                && ABS (self->shifts[k][0] - rect->x) <= RL_IMAGE_MATCH_NEIGHBOURHOOD
                && ABS (self->shifts[k][1] - rect->y) <= RL_IMAGE_MATCH_NEIGHBOURHOOD;
      if (!tried && u >= 0 && v >= 0 && u + rect->width <= level->width && v + rect->height <= level->height)
        {
          double ncc = ncc_at (&patch, level, u, v);

          if (ncc >= RL_IMAGE_MATCH_SAME_NCC
              && changed_share (self, rect->x, rect->y, u, v, rect->width, rect->height) <= RL_IMAGE_MATCH_CHANGED_SHARE)
            {
              *found = (Candidate) { u, v, ncc };
              have = TRUE;
            }
        }
    }
  patch_clear (&patch);
  return have;
}

RlPlacementStatus
rl_image_matcher_place (RlImageMatcher *self,
                        double          x,
                        double          y,
                        double         *new_x,
                        double         *new_y,
                        double         *score)
{
  const RlPlane *old_y, *new_y_plane;
  double px, py;
  Rect rect = { 0 };
  double stddev = 0.0, mean;
  gboolean same_place_fits;
  Candidate found, same;
  gboolean same_found;
  double share;
  RlPlacementStatus status;

  g_return_val_if_fail (self != NULL, RL_PLACEMENT_ORPHANED);

  if (new_x != NULL)
    *new_x = x;
  if (new_y != NULL)
    *new_y = y;
  if (score != NULL)
    *score = 0.0;
  /* Data from the wire or an old revision: orphaned, never a crash. */
  if (!isfinite (x) || !isfinite (y) || x < 0.0 || x > 1.0 || y < 0.0 || y > 1.0)
    return RL_PLACEMENT_ORPHANED;

  old_y = &self->old_image.y;
  new_y_plane = &self->new_image.y;
  px = x * old_y->width;
  py = y * old_y->height;

  /* The patch, grown while flat. */
  for (int size = RL_IMAGE_MATCH_PATCH; size <= RL_IMAGE_MATCH_PATCH * RL_IMAGE_MATCH_MAX_GROWTH; size *= 2)
    {
      int cx = CLAMP ((int) px, 0, old_y->width - 1);
      int cy = CLAMP ((int) py, 0, old_y->height - 1);

      rect.width = MIN (size, MIN (old_y->width, new_y_plane->width));
      rect.height = MIN (size, MIN (old_y->height, new_y_plane->height));
      rect.x = CLAMP (cx - rect.width / 2, 0, old_y->width - rect.width);
      rect.y = CLAMP (cy - rect.height / 2, 0, old_y->height - rect.height);
      window_stats (old_y->data, old_y->rowstride, rect.x, rect.y, rect.width, rect.height, &mean, &stddev);
      if (stddev >= RL_IMAGE_MATCH_FLAT_STDDEV)
        break;
    }

  same_place_fits = rect.x + rect.width <= new_y_plane->width && rect.y + rect.height <= new_y_plane->height;
  if (stddev < RL_IMAGE_MATCH_FLAT_STDDEV)
    {
      /* Nothing to follow: it stays where it was, if that is still there. */
      if (!same_place_fits)
        return RL_PLACEMENT_ORPHANED;
      share = changed_share (self, rect.x, rect.y, rect.x, rect.y, rect.width, rect.height);
      if (score != NULL)
        *score = 1.0 - share;
      if (new_x != NULL && new_y_plane->width != old_y->width)
        *new_x = px / new_y_plane->width;
      if (new_y != NULL && new_y_plane->height != old_y->height)
        *new_y = py / new_y_plane->height;
      return share <= RL_IMAGE_MATCH_CHANGED_SHARE ? RL_PLACEMENT_EXACT : RL_PLACEMENT_CHANGED;
    }

  found = (Candidate) { rect.x, rect.y, -1.0 };
  if (same_place_fits)
    {
      Patch patch;

      patch_init (&patch, &self->old_pyramid.levels[0], rect.x, rect.y, rect.width, rect.height, FALSE);
      found.ncc = ncc_at (&patch, &self->new_pyramid.levels[0], rect.x, rect.y);
      patch_clear (&patch);
    }
  same = found;
  if (found.ncc < RL_IMAGE_MATCH_SAME_NCC && !try_shifts (self, &rect, &found))
    {
      Candidate searched = search (self, &rect);

      /* Something still there, changed, keeps the pin unless the same
       * pixels are found elsewhere: a relabelled button is best matched a
       * few pixels off, and that is no reason to move. */
      if (found.ncc >= RL_IMAGE_MATCH_MIN_NCC
          ? searched.ncc >= RL_IMAGE_MATCH_MIN_NCC
            && same_pixels (self, &rect, px, py, searched.x, searched.y, searched.ncc)
          : better_candidate (&searched, &found, rect.x, rect.y))
        found = searched;
    }
  same_found = found.ncc >= RL_IMAGE_MATCH_MIN_NCC && same_pixels (self, &rect, px, py, found.x, found.y, found.ncc);
  /* Changed, and elsewhere: only with the same edges there (recoloured and
   * moved) or the same core (moved, a neighbour edited); another card's
   * smooth photo correlates too, its edges do not. */
  if (found.ncc >= RL_IMAGE_MATCH_MIN_NCC && !same_found && (found.x != rect.x || found.y != rect.y)
      && structure_ncc (self, &rect, found.x, found.y) < RL_IMAGE_MATCH_MOVED_STRUCTURE_NCC
      && !core_same (self, &rect, px, py, found.x, found.y))
    found = same;
  if (found.ncc < RL_IMAGE_MATCH_MIN_NCC)
    {
      double structure = same_place_fits ? structure_ncc (self, &rect, rect.x, rect.y) : 0.0;

      /* Restyled, not gone: every edge where it was. */
      if (structure >= RL_IMAGE_MATCH_STRUCTURE_NCC)
        {
          if (new_x != NULL && new_y_plane->width != old_y->width)
            *new_x = px / new_y_plane->width;
          if (new_y != NULL && new_y_plane->height != old_y->height)
            *new_y = py / new_y_plane->height;
          if (score != NULL)
            *score = MIN (structure, 1.0);
          return RL_PLACEMENT_CHANGED;
        }
      if (score != NULL)
        *score = MAX (0.0, found.ncc);
      return RL_PLACEMENT_ORPHANED;
    }

  if (same_found)
    {
      status = found.x == rect.x && found.y == rect.y ? RL_PLACEMENT_EXACT : RL_PLACEMENT_MOVED;
      if (status == RL_PLACEMENT_MOVED)
        remember_shift (self, &rect, found.x - rect.x, found.y - rect.y);
    }
  else if (centre_blanked (self, &rect, px, py, found.x, found.y))
    {
      /* What was right under the pin is gone. */
      if (score != NULL)
        *score = 0.0;
      return RL_PLACEMENT_ORPHANED;
    }
  else
    status = RL_PLACEMENT_CHANGED;

  /* The pin keeps its offset inside the patch; unmoved on a canvas of the
   * same size, its fractions are given back as they were. */
  if (new_x != NULL)
    *new_x = found.x == rect.x && new_y_plane->width == old_y->width
             ? x : CLAMP ((found.x + (px - rect.x)) / new_y_plane->width, 0.0, 1.0);
  if (new_y != NULL)
    *new_y = found.y == rect.y && new_y_plane->height == old_y->height
             ? y : CLAMP ((found.y + (py - rect.y)) / new_y_plane->height, 0.0, 1.0);
  if (score != NULL)
    *score = CLAMP (found.ncc, 0.0, 1.0);
  return status;
}

void
rl_image_matcher_free (RlImageMatcher *self)
{
  if (self == NULL)
    return;
  pyramid_clear (&self->old_pyramid);
  pyramid_clear (&self->new_pyramid);
  g_free (self);
}
