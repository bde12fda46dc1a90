/* rl-test-mockup.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-test-mockup.h"

#include <cairo.h>

RlMockup
rl_mockup_base (void)
{
  return (RlMockup) {
    .canvas_width = RL_MOCKUP_CARD_WIDTH,
    .canvas_height = RL_MOCKUP_CARD_HEIGHT,
    .columns = 1,
    .rows = 1,
    .button = { 0.11, 0.38, 0.85 },
    .label = 5,
    .icon = { 0.9, 0.1, 0.1 },
    .with_icon = TRUE,
  };
}

/* A paragraph: lines of words of seeded random lengths. */
static void
draw_text (cairo_t *cr,
           double   x,
           double   y,
           double   width,
           int      n_lines,
           guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  cairo_set_source_rgb (cr, 0.2, 0.2, 0.22);
  for (int line = 0; line < n_lines; line++)
    {
      double end = x + width * (line == n_lines - 1 ? 0.55 : g_rand_double_range (rand, 0.8, 1.0));

      for (double at = x; at < end;)
        {
          double word = g_rand_double_range (rand, 14, 60);

          cairo_rectangle (cr, at, y + line * 22, MIN (word, end - at), 9);
          at += word + 7;
        }
    }
  cairo_fill (cr);
}

/* A photo: smooth noise, 6 px blocks of seeded random colours. */
static void
draw_photo (cairo_t *cr,
            double   x,
            double   y,
            int      width,
            int      height,
            guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (int j = 0; j < height; j += 6)
    for (int i = 0; i < width; i += 6)
      {
        double base = g_rand_double (rand);

        cairo_set_source_rgb (cr, 0.3 + 0.5 * base, 0.4 + 0.4 * g_rand_double (rand), 0.2 + 0.3 * base);
        cairo_rectangle (cr, x + i, y + j, 6, 6);
        cairo_fill (cr);
      }
}

/* A button: its fill, and a label of seeded random words. */
static void
draw_button (cairo_t      *cr,
             double        x,
             double        y,
             const double *fill,
             guint32       seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  cairo_set_source_rgb (cr, fill[0], fill[1], fill[2]);
  cairo_rectangle (cr, x, y, 150, 46);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  for (double at = x + 22; at < x + 118;)
    {
      double word = g_rand_double_range (rand, 8, 34);
      double top = g_rand_double_range (rand, 15, 20);

      cairo_rectangle (cr, at, y + top, MIN (word, x + 128 - at), 28 - top);
      at += word + 6;
    }
  cairo_fill (cr);
}

/* One card, its top left at the origin; card 0 carries the edits. */
static void
draw_card (cairo_t        *cr,
           const RlMockup *mockup,
           guint32         card)
{
  static const double secondary[3] = { 0.85, 0.86, 0.88 };
  static const double base_button[3] = { 0.11, 0.38, 0.85 };
  static const double base_icon[3] = { 0.9, 0.1, 0.1 };
  const double *button = card == 0 ? mockup->button : base_button;
  const double *icon = card == 0 ? mockup->icon : base_icon;
  guint32 seed = card * 101;
  int dx = mockup->body_dx + (int) card * mockup->card_shift;
  int dy = mockup->body_dy + (int) card * mockup->card_shift;

  /* The header, which never moves. */
  cairo_set_source_rgb (cr, 0.16, 0.17, 0.2);
  cairo_rectangle (cr, 0, 0, RL_MOCKUP_CARD_WIDTH, 64);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.95, 0.6, 0.1);
  cairo_rectangle (cr, 24, 16, 72 + card % 7 * 5, 32);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.8, 0.8, 0.85);
  for (int i = 0; i < 4; i++)
    cairo_rectangle (cr, 520 + i * 92, 27, 50 + 9 * i + (card + i) % 5 * 4, 10);
  cairo_fill (cr);

  cairo_translate (cr, dx, dy);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.12);
  cairo_rectangle (cr, 40, 110, 300 - card % 9 * 11, 22);
  cairo_fill (cr);
  draw_text (cr, 40, 160, 360, 14, 7 + seed);
  draw_photo (cr, 500, 110, 300, 210, 11 + seed);
  draw_button (cr, 420, 540, secondary, 3 + seed);
  draw_button (cr, 595, 540, button, card == 0 ? mockup->label : 5 + seed);
  if (card != 0 || mockup->with_icon)
    {
      cairo_set_source_rgb (cr, icon[0], icon[1], icon[2]);
      cairo_arc (cr, 120, 590, 20, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

static cairo_surface_t *
draw (const RlMockup *mockup)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, mockup->canvas_width,
                                                         mockup->canvas_height);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  for (int r = 0; r < MAX (mockup->rows, 1); r++)
    for (int c = 0; c < MAX (mockup->columns, 1); c++)
      {
        cairo_save (cr);
        cairo_translate (cr, mockup->origin_x + c * RL_MOCKUP_PITCH_X, mockup->origin_y + r * RL_MOCKUP_PITCH_Y);
        draw_card (cr, mockup, (guint32) (r * MAX (mockup->columns, 1) + c));
        cairo_restore (cr);
      }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

guint8 *
rl_mockup_render (const RlMockup *mockup)
{
  cairo_surface_t *surface = draw (mockup);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  guint8 *rgb = g_new (guint8, (gsize) mockup->canvas_width * mockup->canvas_height * 3);

  for (int j = 0; j < mockup->canvas_height; j++)
    for (int i = 0; i < mockup->canvas_width; i++)
      {
        guint32 pixel = *(const guint32 *) (const void *) (data + (gsize) j * stride + 4 * i);
        guint8 *out = rgb + ((gsize) j * mockup->canvas_width + i) * 3;

        out[0] = (pixel >> 16) & 0xff;
        out[1] = (pixel >> 8) & 0xff;
        out[2] = pixel & 0xff;
      }
  cairo_surface_destroy (surface);
  return rgb;
}

gboolean
rl_mockup_write_png (const RlMockup *mockup,
                     const char     *path)
{
  cairo_surface_t *surface = draw (mockup);
  cairo_status_t status = cairo_surface_write_to_png (surface, path);

  cairo_surface_destroy (surface);
  return status == CAIRO_STATUS_SUCCESS;
}
