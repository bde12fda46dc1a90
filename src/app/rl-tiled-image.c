/* rl-tiled-image.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-tiled-image.h"

#include <math.h>

#include "rl-error.h"

#define TILE_SIZE 1024

typedef struct
{
  int              width;
  int              height;
  cairo_surface_t *surface;
  GdkTexture     **tiles;     /* cols × rows, made on first use */
  int              cols;
  int              rows;
} Level;

struct _RlTiledImage
{
  GObject        parent_instance;

  int            width;
  int            height;
  GPtrArray     *levels;       /* of Level*, [0] full size */
  GskRenderNode *node;         /* drawn for the key below */
  double         node_key[6];
};

G_DEFINE_FINAL_TYPE (RlTiledImage, rl_tiled_image, G_TYPE_OBJECT)

static void
level_free (Level *level)
{
  for (int i = 0; i < level->cols * level->rows; i++)
    g_clear_object (&level->tiles[i]);
  g_free (level->tiles);
  cairo_surface_destroy (level->surface);
  g_free (level);
}

static Level *
level_new (cairo_surface_t *surface)
{
  Level *level = g_new0 (Level, 1);

  level->surface = surface;
  level->width = cairo_image_surface_get_width (surface);
  level->height = cairo_image_surface_get_height (surface);
  level->cols = (level->width + TILE_SIZE - 1) / TILE_SIZE;
  level->rows = (level->height + TILE_SIZE - 1) / TILE_SIZE;
  level->tiles = g_new0 (GdkTexture *, level->cols * level->rows);
  return level;
}

/* Level n is level n − 1 halved (rounding up), made when first needed. */
static Level *
get_level (RlTiledImage *self,
           guint         n)
{
  while (self->levels->len <= n)
    {
      Level *prev = g_ptr_array_index (self->levels, self->levels->len - 1);
      int width = MAX (1, (prev->width + 1) / 2);
      int height = MAX (1, (prev->height + 1) / 2);
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
      cairo_t *cr = cairo_create (surface);

      cairo_scale (cr, (double) width / prev->width, (double) height / prev->height);
      cairo_set_source_surface (cr, prev->surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
      cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
      cairo_paint (cr);
      cairo_destroy (cr);
      cairo_surface_flush (surface);
      g_ptr_array_add (self->levels, level_new (surface));
    }
  return g_ptr_array_index (self->levels, n);
}

/* A tile shares the level's pixels (the surface lives as long as it). */
static GdkTexture *
get_tile (Level *level,
          int    col,
          int    row)
{
  GdkTexture **tile = &level->tiles[row * level->cols + col];

  if (*tile == NULL)
    {
      int x = col * TILE_SIZE;
      int y = row * TILE_SIZE;
      int width = MIN (TILE_SIZE, level->width - x);
      int height = MIN (TILE_SIZE, level->height - y);
      int stride = cairo_image_surface_get_stride (level->surface);
      guchar *data = cairo_image_surface_get_data (level->surface);
      g_autoptr(GBytes) bytes =
        g_bytes_new_with_free_func (data + (gsize) y * stride + (gsize) x * 4,
                                    (gsize) (height - 1) * stride + (gsize) width * 4,
                                    (GDestroyNotify) cairo_surface_destroy,
                                    cairo_surface_reference (level->surface));

      /* GDK_MEMORY_DEFAULT is cairo's ARGB32: premultiplied, native order. */
      *tile = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, stride);
    }
  return *tile;
}

static double
snap (double v,
      int    scale)
{
  return round (v * scale) / scale;
}

/* The smallest level still at least as large as drawn. */
static guint
level_for_zoom (RlTiledImage *self,
                double        zoom,
                int           scale)
{
  guint n = 0;

  while (zoom * scale <= pow (0.5, n + 1) && MIN (self->width, self->height) >> (n + 1) >= 16)
    n++;
  return n;
}

static GskRenderNode *
build_image_node (RlTiledImage          *self,
                  double                 zoom,
                  const graphene_rect_t *image,
                  const graphene_rect_t *visible,
                  int                    scale,
                  gboolean               cairo_renderer)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  GskRoundedRect outline;

  /* A hairline, not a blurred shadow: blurring a screen-sized rectangle
   * costs more than the image itself in the cairo renderer. */
  {
    GdkRGBA line = { 0, 0, 0, 0.15f };

    gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (image->origin.x - 1, image->origin.y - 1,
                                                                    image->size.width + 2, image->size.height + 2), 0);
    gtk_snapshot_append_border (snapshot, &outline, (float[4]) { 1, 1, 1, 1 },
                                (GdkRGBA[4]) { line, line, line, line });
  }

  if (zoom * scale > 1.0 + 1e-9)
    {
      Level *full = g_ptr_array_index (self->levels, 0);
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, visible);

      cairo_translate (cr, image->origin.x, image->origin.y);
      cairo_scale (cr, zoom, zoom);
      cairo_set_source_surface (cr, full->surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_rectangle (cr, 0, 0, self->width, self->height);
      cairo_fill (cr);
      cairo_destroy (cr);
    }
  else if (cairo_renderer)
    {
      /* The cairo renderer converts a texture's pixels every time it draws
       * it (68 ms a frame at 1:1 on 8000×6000); a cairo node painted from
       * the level's own surface is a plain blit. */
      Level *level = get_level (self, level_for_zoom (self, zoom, scale));
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, visible);

      cairo_translate (cr, snap (image->origin.x, scale), snap (image->origin.y, scale));
      cairo_scale (cr, image->size.width / level->width, image->size.height / level->height);
      cairo_set_source_surface (cr, level->surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
      cairo_rectangle (cr, 0, 0, level->width, level->height);
      cairo_fill (cr);
      cairo_destroy (cr);
    }
  else
    {
      Level *level;
      double sx, sy;
      int col0, col1, row0, row1;

      level = get_level (self, level_for_zoom (self, zoom, scale));
      sx = image->size.width / level->width;
      sy = image->size.height / level->height;
      col0 = MAX (0, (int) floor ((visible->origin.x - image->origin.x) / (TILE_SIZE * sx)));
      row0 = MAX (0, (int) floor ((visible->origin.y - image->origin.y) / (TILE_SIZE * sy)));
      col1 = MIN (level->cols - 1, (int) floor ((visible->origin.x + visible->size.width - image->origin.x) / (TILE_SIZE * sx)));
      row1 = MIN (level->rows - 1, (int) floor ((visible->origin.y + visible->size.height - image->origin.y) / (TILE_SIZE * sy)));
      for (int row = row0; row <= row1; row++)
        for (int col = col0; col <= col1; col++)
          {
            /* Edges on device pixels: no seams between tiles, and 1:1 is exact. */
            double x0 = snap (image->origin.x + col * TILE_SIZE * sx, scale);
            double x1 = snap (image->origin.x + MIN ((col + 1) * TILE_SIZE, level->width) * sx, scale);
            double y0 = snap (image->origin.y + row * TILE_SIZE * sy, scale);
            double y1 = snap (image->origin.y + MIN ((row + 1) * TILE_SIZE, level->height) * sy, scale);

            gtk_snapshot_append_texture (snapshot, get_tile (level, col, row),
                                         &GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0));
          }
    }
  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

static void
rl_tiled_image_finalize (GObject *object)
{
  RlTiledImage *self = RL_TILED_IMAGE (object);

  g_clear_pointer (&self->node, gsk_render_node_unref);
  g_ptr_array_unref (self->levels);
  G_OBJECT_CLASS (rl_tiled_image_parent_class)->finalize (object);
}

static void
rl_tiled_image_class_init (RlTiledImageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_tiled_image_finalize;
}

static void
rl_tiled_image_init (RlTiledImage *self)
{
  self->levels = g_ptr_array_new_with_free_func ((GDestroyNotify) level_free);
}

RlTiledImage *
rl_tiled_image_new (GdkTexture  *texture,
                    GError     **error)
{
  g_autoptr(RlTiledImage) self = NULL;
  cairo_surface_t *surface;
  int width, height;

  g_return_val_if_fail (GDK_IS_TEXTURE (texture), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_TOO_LARGE, "cannot hold a %d × %d image: %s", width, height,
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  gdk_texture_download (texture, cairo_image_surface_get_data (surface), cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);
  self = g_object_new (RL_TYPE_TILED_IMAGE, NULL);
  g_ptr_array_add (self->levels, level_new (surface));
  self->width = width;
  self->height = height;
  return g_steal_pointer (&self);
}

int
rl_tiled_image_get_width (RlTiledImage *self)
{
  g_return_val_if_fail (RL_IS_TILED_IMAGE (self), 0);
  return self->width;
}

int
rl_tiled_image_get_height (RlTiledImage *self)
{
  g_return_val_if_fail (RL_IS_TILED_IMAGE (self), 0);
  return self->height;
}

GskRenderNode *
rl_tiled_image_get_node (RlTiledImage *self,
                         double        zoom,
                         double        x,
                         double        y,
                         int           width,
                         int           height,
                         int           scale,
                         gboolean      cairo_renderer)
{
  double key[6] = { zoom, x, y, width, height, scale };
  graphene_rect_t image = GRAPHENE_RECT_INIT (x, y, self->width * zoom, self->height * zoom);
  graphene_rect_t visible;

  g_return_val_if_fail (RL_IS_TILED_IMAGE (self), NULL);

  if (self->node == NULL || memcmp (key, self->node_key, sizeof key) != 0)
    {
      g_clear_pointer (&self->node, gsk_render_node_unref);
      if (graphene_rect_intersection (&image, &GRAPHENE_RECT_INIT (0, 0, width, height), &visible))
        self->node = build_image_node (self, zoom, &image, &visible, scale, cairo_renderer);
      memcpy (self->node_key, key, sizeof key);
    }
  return self->node;
}
