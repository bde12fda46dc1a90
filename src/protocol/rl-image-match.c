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

typedef struct
{
  int           width;
  int           height;
  int           stride;
  const guint8 *data;      /* level 0: the caller's plane; above: owned */
  guint8       *owned;
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
};

/* The old image's patch at one level, zero-mean. */
typedef struct
{
  int    x;                /* top left, pixels of that level */
  int    y;
  int    width;
  int    height;
  float *values;
  double norm;             /* sqrt (Σ values²) */
} Patch;

typedef struct
{
  int    x;                /* the patch's top left on the new image */
  int    y;
  double ncc;
} Candidate;

static void
pyramid_init (Pyramid       *pyramid,
              const RlPlane *plane)
{
  Level *level = &pyramid->levels[0];

  memset (pyramid, 0, sizeof *pyramid);
  *level = (Level) { plane->width, plane->height, plane->rowstride, plane->data, NULL, NULL, NULL, NULL };
  pyramid->n_levels = 1;

  while (pyramid->n_levels < MAX_LEVELS && level->width >= 2 && level->height >= 2)
    {
      Level *next = &pyramid->levels[pyramid->n_levels++];
      int w = level->width / 2;
      int h = level->height / 2;

      next->width = w;
      next->height = h;
      next->stride = w;
      next->owned = g_new (guint8, (gsize) w * h);
      for (int j = 0; j < h; j++)
        {
          const guint8 *a = level->data + (gsize) (2 * j) * level->stride;
          const guint8 *b = a + level->stride;
          guint8 *out = next->owned + (gsize) j * w;

          for (int i = 0; i < w; i++)
            out[i] = (guint8) ((a[2 * i] + a[2 * i + 1] + b[2 * i] + b[2 * i + 1] + 2) / 4);
        }
      next->data = next->owned;
      level = next;
    }
}

static void
pyramid_clear (Pyramid *pyramid)
{
  for (guint l = 0; l < pyramid->n_levels; l++)
    {
      g_clear_pointer (&pyramid->levels[l].owned, g_free);
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
      const guint8 *row = level->data + (gsize) j * level->stride;
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
            int          h)
{
  double mean, stddev;
  double norm2 = 0.0;

  window_stats (level->data, level->stride, x, y, w, h, &mean, &stddev);
  *patch = (Patch) { x, y, w, h, g_new (float, (gsize) w * h), 0.0 };
  for (int j = 0; j < h; j++)
    for (int i = 0; i < w; i++)
      {
        float v = (float) (level->data[(gsize) (y + j) * level->stride + x + i] - mean);

        patch->values[j * w + i] = v;
        norm2 += (double) v * v;
      }
  patch->norm = sqrt (norm2);
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

/* NCC of the patch against the new level's window with top left (u, v). */
static double
ncc_at (const Patch *patch,
        const Level *level,
        int          u,
        int          v)
{
  double cross = 0.0;
  guint64 sum = 0;
  guint64 sum2 = 0;
  double n = (double) patch->width * patch->height;

  for (int j = 0; j < patch->height; j++)
    {
      const guint8 *row = level->data + (gsize) (v + j) * level->stride + u;
      const float *p = patch->values + (gsize) j * patch->width;
      float row_cross = 0.0f;
      guint32 row_sum = 0;
      guint32 row_sum2 = 0;

      for (int i = 0; i < patch->width; i++)
        {
          row_cross += p[i] * row[i];
          row_sum += row[i];
          row_sum2 += (guint32) row[i] * row[i];
        }
      cross += row_cross;
      sum += row_sum;
      sum2 += row_sum2;
    }
  return ncc_of (cross, patch->norm, sum2 - (double) sum * sum / n);
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
search_level (const Patch *patch,
              Level       *level,
              Candidate   *out,
              guint        capacity)
{
  int nu = level->width - patch->width + 1;
  int nv = level->height - patch->height + 1;
  int sat_stride = level->width + 1;
  double n = (double) patch->width * patch->height;
  g_autofree float *map = g_new (float, (gsize) nu * nv);
  g_autofree float *row_cross = g_new (float, nu);
  guint n_out = 0;

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

            keep_candidate (out, &n_out, capacity, &c, patch->x, patch->y);
          }
      }
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

/* The deepest level at which a w × h patch is still COARSE_PATCH wide,
 * present in both pyramids. */
static guint
coarse_level (const RlImageMatcher *self,
              int                   w,
              int                   h)
{
  guint level = 0;

  while (level + 1 < MIN (self->old_pyramid.n_levels, self->new_pyramid.n_levels)
         && (MIN (w, h) >> (level + 1)) >= RL_IMAGE_MATCH_COARSE_PATCH)
    level++;
  return level;
}

/* Coarse to fine: the best place of the full-size patch (x0, y0, w, h) on
 * the new image. */
static Candidate
search (RlImageMatcher *self,
        int             x0,
        int             y0,
        int             w,
        int             h)
{
  Candidate candidates[RL_IMAGE_MATCH_CANDIDATES];
  guint top = coarse_level (self, w, h);
  guint n_candidates;
  Patch patch;

  patch_init (&patch, &self->old_pyramid.levels[top], x0 >> top, y0 >> top, w >> top, h >> top);
  n_candidates = search_level (&patch, &self->new_pyramid.levels[top], candidates, G_N_ELEMENTS (candidates));
  patch_clear (&patch);

  for (int l = (int) top - 1; l >= 0 && n_candidates > 0; l--)
    {
      const Level *level = &self->new_pyramid.levels[l];
      Candidate refined[RL_IMAGE_MATCH_CANDIDATES];
      guint n_refined = 0;

      patch_init (&patch, &self->old_pyramid.levels[l], x0 >> l, y0 >> l, w >> l, h >> l);
      for (guint c = 0; c < n_candidates; c++)
        {
          Candidate best = { 0, 0, -2.0 };
          gboolean seen = FALSE;

          for (int v = 2 * candidates[c].y - RL_IMAGE_MATCH_REFINE; v <= 2 * candidates[c].y + RL_IMAGE_MATCH_REFINE; v++)
            for (int u = 2 * candidates[c].x - RL_IMAGE_MATCH_REFINE; u <= 2 * candidates[c].x + RL_IMAGE_MATCH_REFINE; u++)
              if (u >= 0 && v >= 0 && u + patch.width <= level->width && v + patch.height <= level->height)
                {
                  Candidate here = { u, v, ncc_at (&patch, level, u, v) };

                  if (!seen || better_candidate (&here, &best, patch.x, patch.y))
                    best = here;
                  seen = TRUE;
                }
          /* Two candidates that converged are one. */
          for (guint k = 0; k < n_refined && seen; k++)
            if (refined[k].x == best.x && refined[k].y == best.y)
              seen = FALSE;
          if (seen)
            keep_candidate (refined, &n_refined, G_N_ELEMENTS (refined), &best, patch.x, patch.y);
        }
      patch_clear (&patch);
      /* Finer levels tell look-alikes apart: fewer need to go on. */
      n_candidates = l == 0 ? n_refined : MIN (n_refined, MAX (2u, n_candidates / 2));
      memcpy (candidates, refined, n_candidates * sizeof *candidates);
    }

  if (n_candidates == 0)
    return (Candidate) { x0, y0, 0.0 };
  return candidates[0];
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

      for (int i = 0; i < width; i++, p += n_channels)
        {
          int r = p[0], g = p[1], b = p[2];
          gsize at = (gsize) j * width + i;

          if (n_channels == 4)
            {
              int a = p[3];

              r = (r * a + 255 * (255 - a) + 127) / 255;
              g = (g * a + 255 * (255 - a) + 127) / 255;
              b = (b * a + 255 * (255 - a) + 127) / 255;
            }
          /* BT.601 full range, in 8.8 fixed point; the offsets keep every
           * intermediate positive. */
          buffer[at] = (guint8) ((77 * r + 150 * g + 29 * b + 128) >> 8);
          buffer[size + at] = (guint8) ((-43 * r - 85 * g + 128 * b + 32768 + 128) >> 8);
          buffer[2 * size + at] = (guint8) ((128 * r - 107 * g - 21 * b + 32768 + 128) >> 8);
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
  int w = 0, h = 0, x0 = 0, y0 = 0;
  double stddev = 0.0, mean;
  gboolean same_place_fits;
  Candidate found;
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

      w = MIN (size, MIN (old_y->width, new_y_plane->width));
      h = MIN (size, MIN (old_y->height, new_y_plane->height));
      x0 = CLAMP (cx - w / 2, 0, old_y->width - w);
      y0 = CLAMP (cy - h / 2, 0, old_y->height - h);
      window_stats (old_y->data, old_y->rowstride, x0, y0, w, h, &mean, &stddev);
      if (stddev >= RL_IMAGE_MATCH_FLAT_STDDEV)
        break;
    }

  same_place_fits = x0 + w <= new_y_plane->width && y0 + h <= new_y_plane->height;
  if (stddev < RL_IMAGE_MATCH_FLAT_STDDEV)
    {
      /* Nothing to follow: it stays where it was, if that is still there. */
      if (!same_place_fits)
        return RL_PLACEMENT_ORPHANED;
      share = changed_share (self, x0, y0, x0, y0, w, h);
      if (score != NULL)
        *score = 1.0 - share;
      if (new_x != NULL && new_y_plane->width != old_y->width)
        *new_x = px / new_y_plane->width;
      if (new_y != NULL && new_y_plane->height != old_y->height)
        *new_y = py / new_y_plane->height;
      return share <= RL_IMAGE_MATCH_CHANGED_SHARE ? RL_PLACEMENT_EXACT : RL_PLACEMENT_CHANGED;
    }

  found = (Candidate) { x0, y0, -1.0 };
  if (same_place_fits)
    {
      Patch patch;

      patch_init (&patch, &self->old_pyramid.levels[0], x0, y0, w, h);
      found.ncc = ncc_at (&patch, &self->new_pyramid.levels[0], x0, y0);
      patch_clear (&patch);
    }
  if (found.ncc < RL_IMAGE_MATCH_SAME_NCC)
    {
      Candidate searched = search (self, x0, y0, w, h);

      if (better_candidate (&searched, &found, x0, y0))
        found = searched;
    }
  if (found.ncc < RL_IMAGE_MATCH_MIN_NCC)
    {
      if (score != NULL)
        *score = MAX (0.0, found.ncc);
      return RL_PLACEMENT_ORPHANED;
    }

  share = changed_share (self, x0, y0, found.x, found.y, w, h);
  if (found.ncc >= RL_IMAGE_MATCH_SAME_NCC && share <= RL_IMAGE_MATCH_CHANGED_SHARE)
    status = found.x == x0 && found.y == y0 ? RL_PLACEMENT_EXACT : RL_PLACEMENT_MOVED;
  else
    status = RL_PLACEMENT_CHANGED;

  /* The pin keeps its offset inside the patch; unmoved on a canvas of the
   * same size, its fractions are given back as they were. */
  if (new_x != NULL)
    *new_x = found.x == x0 && new_y_plane->width == old_y->width
             ? x : CLAMP ((found.x + (px - x0)) / new_y_plane->width, 0.0, 1.0);
  if (new_y != NULL)
    *new_y = found.y == y0 && new_y_plane->height == old_y->height
             ? y : CLAMP ((found.y + (py - y0)) / new_y_plane->height, 0.0, 1.0);
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
