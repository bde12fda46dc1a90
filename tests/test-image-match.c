/* test-image-match.c — following pins to a new revision of a mockup
 *
 * The corpus: a mockup drawn here with cairo (a header with a logo and
 * navigation, a paragraph of text-like stripes, a photo-like block of
 * noise, two buttons, an icon), then drawn again with one edit, and pins
 * on its elements placed from the one onto the other. Every case checks
 * the status and where the pin went, to a pixel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <cairo.h>
#include <math.h>
#include <string.h>

#include "rl-image-match.h"

#define WIDTH  900
#define HEIGHT 700

typedef struct
{
  int    canvas_width;
  int    canvas_height;
  /* Where the whole mockup is drawn on its canvas. */
  int    origin_x;
  int    origin_y;
  /* Everything below the header moves by this (a shifted layout). */
  int    body_dx;
  int    body_dy;
  /* The primary button's fill, and what its label says. */
  double button[3];
  guint32 label;
  /* The icon's fill; FALSE: removed. */
  double icon[3];
  gboolean with_icon;
} Layout;

/* Where the pins are, on the mockup as first drawn. */
typedef enum
{
  PIN_LOGO,
  PIN_BUTTON,
  PIN_PHOTO,
  PIN_TEXT,
  PIN_ICON,
  /* On blank paper between the text and the buttons: its own patch is
   * flat, grown it holds the ends of the text's lines. */
  PIN_BLANK,
  N_PINS,
} Pin;

static const struct
{
  int  x;
  int  y;
  gboolean body;           /* moves with the body */
} pins[N_PINS] = {
  [PIN_LOGO] = { 60, 30, FALSE },
  [PIN_BUTTON] = { 670, 562, TRUE },
  [PIN_PHOTO] = { 650, 230, TRUE },
  [PIN_TEXT] = { 160, 224, TRUE },
  [PIN_ICON] = { 120, 590, TRUE },
  [PIN_BLANK] = { 455, 420, TRUE },
};

static Layout
base_layout (void)
{
  return (Layout) {
    .canvas_width = WIDTH,
    .canvas_height = HEIGHT,
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

/* The mockup as the RGB bytes a decoder gives. */
static guint8 *
render (const Layout *layout)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, layout->canvas_width,
                                                         layout->canvas_height);
  cairo_t *cr = cairo_create (surface);
  const double secondary[3] = { 0.85, 0.86, 0.88 };
  int stride;
  const guint8 *data;
  guint8 *rgb;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_translate (cr, layout->origin_x, layout->origin_y);

  /* The header, which never moves. */
  cairo_set_source_rgb (cr, 0.16, 0.17, 0.2);
  cairo_rectangle (cr, 0, 0, WIDTH, 64);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.95, 0.6, 0.1);
  cairo_rectangle (cr, 24, 16, 72, 32);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.8, 0.8, 0.85);
  for (int i = 0; i < 4; i++)
    cairo_rectangle (cr, 520 + i * 92, 27, 50 + 9 * i, 10);
  cairo_fill (cr);

  cairo_translate (cr, layout->body_dx, layout->body_dy);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.12);
  cairo_rectangle (cr, 40, 110, 300, 22);
  cairo_fill (cr);
  draw_text (cr, 40, 160, 360, 14, 7);
  draw_photo (cr, 500, 110, 300, 210, 11);
  draw_button (cr, 420, 540, secondary, 3);
  draw_button (cr, 595, 540, layout->button, layout->label);
  if (layout->with_icon)
    {
      cairo_set_source_rgb (cr, layout->icon[0], layout->icon[1], layout->icon[2]);
      cairo_arc (cr, 120, 590, 20, 0, 2 * G_PI);
      cairo_fill (cr);
    }

  cairo_destroy (cr);
  cairo_surface_flush (surface);
  stride = cairo_image_surface_get_stride (surface);
  data = cairo_image_surface_get_data (surface);
  rgb = g_new (guint8, (gsize) layout->canvas_width * layout->canvas_height * 3);
  for (int j = 0; j < layout->canvas_height; j++)
    for (int i = 0; i < layout->canvas_width; i++)
      {
        guint32 pixel = *(const guint32 *) (const void *) (data + (gsize) j * stride + 4 * i);
        guint8 *out = rgb + ((gsize) j * layout->canvas_width + i) * 3;

        out[0] = (pixel >> 16) & 0xff;
        out[1] = (pixel >> 8) & 0xff;
        out[2] = pixel & 0xff;
      }
  cairo_surface_destroy (surface);
  return rgb;
}

typedef struct
{
  guint8        *rgb;
  guint8        *buffer;
  RlImagePlanes  planes;
} Image;

static void
image_init (Image        *image,
            const Layout *layout)
{
  image->rgb = render (layout);
  image->buffer = rl_image_planes_from_rgb (&image->planes, layout->canvas_width, layout->canvas_height,
                                            layout->canvas_width * 3, 3, image->rgb);
}

static void
image_clear (Image *image)
{
  g_clear_pointer (&image->rgb, g_free);
  g_clear_pointer (&image->buffer, g_free);
}

/* Checks one placement against the status expected and the place the
 * edit moved the pin to. */
static void
assert_placed (RlImageMatcher    *matcher,
               const Layout      *edited,
               Pin                p,
               RlPlacementStatus  expected)
{
  double x = (double) pins[p].x / WIDTH;
  double y = (double) pins[p].y / HEIGHT;
  double new_x = -1, new_y = -1, score = -1;
  RlPlacementStatus status = rl_image_matcher_place (matcher, x, y, &new_x, &new_y, &score);
  double want_x = pins[p].x + edited->origin_x + (pins[p].body ? edited->body_dx : 0);
  double want_y = pins[p].y + edited->origin_y + (pins[p].body ? edited->body_dy : 0);

  g_test_message ("pin %u: %s at (%.1f, %.1f), score %.3f", p, rl_placement_status_to_string (status),
                  new_x * edited->canvas_width, new_y * edited->canvas_height, score);
  g_assert_cmpstr (rl_placement_status_to_string (status), ==, rl_placement_status_to_string (expected));
  g_assert_cmpfloat (score, >=, 0.0);
  g_assert_cmpfloat (score, <=, 1.0);
  if (status == RL_PLACEMENT_ORPHANED)
    {
      g_assert_cmpfloat (new_x, ==, x);
      g_assert_cmpfloat (new_y, ==, y);
      g_assert_cmpfloat (score, <, RL_IMAGE_MATCH_MIN_NCC);
      return;
    }
  g_assert_cmpfloat_with_epsilon (new_x * edited->canvas_width, want_x, 1.0);
  g_assert_cmpfloat_with_epsilon (new_y * edited->canvas_height, want_y, 1.0);
  if (status == RL_PLACEMENT_EXACT && edited->canvas_width == WIDTH && edited->canvas_height == HEIGHT)
    {
      /* Unmoved on a canvas of the same size: the very same fractions. */
      g_assert_cmpfloat (new_x, ==, x);
      g_assert_cmpfloat (new_y, ==, y);
    }
}

/* Places every pin of the base mockup on the edited one, each alone (a
 * matcher of its own: found by the search, nothing learnt from another
 * pin) and all in one batch (where displacements found are tried first). */
static void
assert_pins (const Layout            *edited,
             const RlPlacementStatus *expected,
             gboolean                 luma_only)
{
  Layout base = base_layout ();
  Image old_image, new_image;
  g_autoptr(RlImageMatcher) batch = NULL;

  image_init (&old_image, &base);
  image_init (&new_image, edited);
  if (luma_only)
    {
      old_image.planes.cb = old_image.planes.cr = (RlPlane) { 0 };
      new_image.planes.cb = new_image.planes.cr = (RlPlane) { 0 };
    }

  for (guint p = 0; p < N_PINS; p++)
    {
      g_autoptr(RlImageMatcher) alone = rl_image_matcher_new (&old_image.planes, &new_image.planes);

      assert_placed (alone, edited, p, expected[p]);
    }
  batch = rl_image_matcher_new (&old_image.planes, &new_image.planes);
  for (guint p = 0; p < N_PINS; p++)
    assert_placed (batch, edited, p, expected[p]);

  image_clear (&old_image);
  image_clear (&new_image);
}

static void
test_untouched (void)
{
  Layout layout = base_layout ();
  const RlPlacementStatus expected[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT,
                                               RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT };

  assert_pins (&layout, expected, FALSE);
}

/* Everything under the header moves right and down (a banner added, a
 * column widened): those pins follow it, the logo's stays. */
static void
test_shifted_layout (void)
{
  Layout layout = base_layout ();
  const RlPlacementStatus expected[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_MOVED, RL_PLACEMENT_MOVED,
                                               RL_PLACEMENT_MOVED, RL_PLACEMENT_MOVED, RL_PLACEMENT_MOVED };

  layout.body_dx = 37;
  layout.body_dy = 53;
  assert_pins (&layout, expected, FALSE);

  /* Up and left too. */
  layout.body_dx = -23;
  layout.body_dy = -10;
  assert_pins (&layout, expected, FALSE);
}

/* The primary button goes from blue to green: the same shape (NCC ≈ 1,
 * it ignores brightness), but not the same pixels. */
static void
test_recoloured_button (void)
{
  Layout layout = base_layout ();
  const RlPlacementStatus expected[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_CHANGED, RL_PLACEMENT_EXACT,
                                               RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT };

  layout.button[0] = 0.1;
  layout.button[1] = 0.6;
  layout.button[2] = 0.3;
  assert_pins (&layout, expected, FALSE);

  /* Recoloured and moved: changed, and found where it went. */
  layout.body_dx = 29;
  layout.body_dy = 41;
  {
    const RlPlacementStatus moved[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_CHANGED, RL_PLACEMENT_MOVED,
                                              RL_PLACEMENT_MOVED, RL_PLACEMENT_MOVED, RL_PLACEMENT_MOVED };

    assert_pins (&layout, moved, FALSE);
  }
}

/* The button says something else: the same button, changed. */
static void
test_relabelled_button (void)
{
  Layout layout = base_layout ();
  const RlPlacementStatus expected[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_CHANGED, RL_PLACEMENT_EXACT,
                                               RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT };

  layout.label = 11;
  assert_pins (&layout, expected, FALSE);
}

/* The red icon turned green at the same brightness: luma alone cannot see
 * it, chroma does. */
static void
test_recoloured_same_luma (void)
{
  Layout layout = base_layout ();
  const RlPlacementStatus expected[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT,
                                               RL_PLACEMENT_EXACT, RL_PLACEMENT_CHANGED, RL_PLACEMENT_EXACT };
  const RlPlacementStatus luma_blind[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT,
                                                 RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT };

  /* BT.601 Y′ of (0.9, 0.1, 0.1) and of (0.1, 0.5075, 0.1) are both 0.339. */
  layout.icon[0] = 0.1;
  layout.icon[1] = 0.5075;
  layout.icon[2] = 0.1;
  assert_pins (&layout, expected, FALSE);
  assert_pins (&layout, luma_blind, TRUE);
}

/* The icon is gone: nothing on the new image looks like it. */
static void
test_element_removed (void)
{
  Layout layout = base_layout ();
  const RlPlacementStatus expected[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT,
                                               RL_PLACEMENT_EXACT, RL_PLACEMENT_ORPHANED, RL_PLACEMENT_EXACT };

  layout.with_icon = FALSE;
  assert_pins (&layout, expected, FALSE);

  /* Gone while the rest moved. */
  layout.body_dx = 31;
  layout.body_dy = 17;
  {
    const RlPlacementStatus moved[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_MOVED, RL_PLACEMENT_MOVED,
                                              RL_PLACEMENT_MOVED, RL_PLACEMENT_ORPHANED, RL_PLACEMENT_MOVED };

    assert_pins (&layout, moved, FALSE);
  }
}

/* The same mockup on a larger canvas, same pixel scale. Grown at the right
 * and bottom, the content stays where it was: exact, at new fractions.
 * Centred on the larger canvas, all of it moved. */
static void
test_resized_canvas (void)
{
  Layout layout = base_layout ();
  const RlPlacementStatus in_place[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT,
                                               RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT };
  const RlPlacementStatus centred[N_PINS] = { RL_PLACEMENT_MOVED, RL_PLACEMENT_MOVED, RL_PLACEMENT_MOVED,
                                              RL_PLACEMENT_MOVED, RL_PLACEMENT_MOVED, RL_PLACEMENT_MOVED };

  layout.canvas_width = 1180;
  layout.canvas_height = 860;
  assert_pins (&layout, in_place, FALSE);

  layout.origin_x = 140;
  layout.origin_y = 80;
  assert_pins (&layout, centred, FALSE);
}

/* Flat images, a flat patch, pins out of range and the smallest images:
 * no division by zero, no match everywhere, no crash. */
static void
test_degenerate (void)
{
  guint8 white[64 * 48];
  guint8 grey[64 * 48];
  guint8 one = 200;
  RlImagePlanes a = { { 64, 48, 64, white }, { 0 }, { 0 } };
  RlImagePlanes b = { { 64, 48, 64, grey }, { 0 }, { 0 } };
  RlImagePlanes dot = { { 1, 1, 1, &one }, { 0 }, { 0 } };
  g_autoptr(RlImageMatcher) same = NULL;
  g_autoptr(RlImageMatcher) darker = NULL;
  g_autoptr(RlImageMatcher) tiny = NULL;
  double x = -1, y = -1, score = -1;

  memset (white, 255, sizeof white);
  memset (grey, 128, sizeof grey);

  /* Flat on flat, unchanged: it stays, exact. */
  same = rl_image_matcher_new (&a, &a);
  g_assert_cmpint (rl_image_matcher_place (same, 0.3, 0.7, &x, &y, &score), ==, RL_PLACEMENT_EXACT);
  g_assert_cmpfloat (x, ==, 0.3);
  g_assert_cmpfloat (y, ==, 0.7);
  g_assert_cmpfloat (score, ==, 1.0);

  /* Flat, another colour: changed in place, score 0 (every pixel differs). */
  darker = rl_image_matcher_new (&a, &b);
  g_assert_cmpint (rl_image_matcher_place (darker, 0.3, 0.7, &x, &y, &score), ==, RL_PLACEMENT_CHANGED);
  g_assert_cmpfloat (x, ==, 0.3);
  g_assert_cmpfloat (score, ==, 0.0);

  /* Out of range or not a number: orphaned, untouched. */
  g_assert_cmpint (rl_image_matcher_place (same, NAN, 0.5, &x, &y, &score), ==, RL_PLACEMENT_ORPHANED);
  g_assert_cmpint (rl_image_matcher_place (same, 0.5, 1.5, &x, &y, &score), ==, RL_PLACEMENT_ORPHANED);
  g_assert_cmpfloat (y, ==, 1.5);
  g_assert_cmpfloat (score, ==, 0.0);
  g_assert_cmpint (rl_image_matcher_place (same, -0.1, 0.5, NULL, NULL, NULL), ==, RL_PLACEMENT_ORPHANED);

  /* A 1 × 1 image, and a pin on the far edges. */
  tiny = rl_image_matcher_new (&dot, &a);
  g_assert_cmpint (rl_image_matcher_place (tiny, 1.0, 1.0, &x, &y, &score), ==, RL_PLACEMENT_CHANGED);
  g_assert_cmpint (rl_image_matcher_place (same, 1.0, 0.0, &x, &y, &score), ==, RL_PLACEMENT_EXACT);
  g_assert_cmpfloat (x, ==, 1.0);
  g_assert_cmpfloat (y, ==, 0.0);
}

static void
test_status_names (void)
{
  static const char *names[] = { "exact", "moved", "changed", "orphaned" };
  g_autoptr(GEnumClass) klass = g_type_class_ref (RL_TYPE_PLACEMENT_STATUS);
  RlPlacementStatus status;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GEnumValue *value = g_enum_get_value (klass, (int) i);

      g_assert_cmpstr (rl_placement_status_to_string ((RlPlacementStatus) i), ==, names[i]);
      g_assert_true (rl_placement_status_from_string (names[i], &status));
      g_assert_cmpint (status, ==, i);
      g_assert_nonnull (value);
      g_assert_cmpstr (value->value_nick, ==, names[i]);
    }
  status = RL_PLACEMENT_MOVED;
  g_assert_false (rl_placement_status_from_string ("Exact", &status));
  g_assert_false (rl_placement_status_from_string ("fuzzy", &status));
  g_assert_false (rl_placement_status_from_string ("", &status));
  g_assert_false (rl_placement_status_from_string (NULL, &status));
  g_assert_cmpint (status, ==, RL_PLACEMENT_MOVED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image-match/status-names", test_status_names);
  g_test_add_func ("/image-match/untouched", test_untouched);
  g_test_add_func ("/image-match/shifted-layout", test_shifted_layout);
  g_test_add_func ("/image-match/recoloured-button", test_recoloured_button);
  g_test_add_func ("/image-match/relabelled-button", test_relabelled_button);
  g_test_add_func ("/image-match/recoloured-same-luma", test_recoloured_same_luma);
  g_test_add_func ("/image-match/element-removed", test_element_removed);
  g_test_add_func ("/image-match/resized-canvas", test_resized_canvas);
  g_test_add_func ("/image-match/degenerate", test_degenerate);

  return g_test_run ();
}
