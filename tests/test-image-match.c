/* test-image-match.c — following pins to a new revision of a mockup
 *
 * The corpus: a mockup drawn with cairo (rl-test-mockup.h: a header with a
 * logo and navigation, a paragraph of text-like stripes, a photo-like
 * block of noise, two buttons, an icon), then drawn again with one edit, and pins
 * on its elements placed from the one onto the other. Every case checks
 * the status and where the pin went, to a pixel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "rl-image-match.h"
#include "rl-test-mockup.h"

#define WIDTH  RL_MOCKUP_CARD_WIDTH
#define HEIGHT RL_MOCKUP_CARD_HEIGHT

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

typedef struct
{
  guint8        *rgb;
  guint8        *buffer;
  RlImagePlanes  planes;
} Image;

static void
image_init (Image        *image,
            const RlMockup *layout)
{
  image->rgb = rl_mockup_render (layout);
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
               const RlMockup      *edited,
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
assert_pins (const RlMockup            *edited,
             const RlPlacementStatus *expected,
             gboolean                 luma_only)
{
  RlMockup base = rl_mockup_base ();
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
  RlMockup layout = rl_mockup_base ();
  const RlPlacementStatus expected[N_PINS] = { RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT,
                                               RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT, RL_PLACEMENT_EXACT };

  assert_pins (&layout, expected, FALSE);
}

/* Everything under the header moves right and down (a banner added, a
 * column widened): those pins follow it, the logo's stays. */
static void
test_shifted_layout (void)
{
  RlMockup layout = rl_mockup_base ();
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
  RlMockup layout = rl_mockup_base ();
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
  RlMockup layout = rl_mockup_base ();
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
  RlMockup layout = rl_mockup_base ();
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
  RlMockup layout = rl_mockup_base ();
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
  RlMockup layout = rl_mockup_base ();
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
