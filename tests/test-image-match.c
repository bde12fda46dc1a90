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
#include <gdk-pixbuf/gdk-pixbuf.h>
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

/* A file of the real-UI corpus, read as the server reads an upload. */
typedef struct
{
  GdkPixbuf     *pixbuf;
  guint8        *buffer;
  RlImagePlanes  planes;
} CorpusImage;

static void
corpus_image_init (CorpusImage *image,
                   const char  *file)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "image-match", file, NULL);
  g_autoptr(GError) error = NULL;

  image->pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  image->buffer = rl_image_planes_from_rgb (&image->planes, gdk_pixbuf_get_width (image->pixbuf),
                                            gdk_pixbuf_get_height (image->pixbuf),
                                            gdk_pixbuf_get_rowstride (image->pixbuf),
                                            gdk_pixbuf_get_n_channels (image->pixbuf),
                                            gdk_pixbuf_read_pixels (image->pixbuf));
}

static void
corpus_image_clear (CorpusImage *image)
{
  g_clear_object (&image->pixbuf);
  g_clear_pointer (&image->buffer, g_free);
}

static GKeyFile *
corpus_manifest (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "image-match", "manifest.ini", NULL);
  g_autoptr(GKeyFile) manifest = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_file (manifest, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&manifest);
}

/* A pin of the manifest, "X Y STATUS [NEW-X NEW-Y]" (pixels of the old
 * image and of the new), placed by matcher: the status expected and, for
 * all but an orphan, the new place to within 2 px. */
static void
assert_corpus_pin (RlImageMatcher    *matcher,
                   const char        *group,
                   const char        *pin,
                   const char        *value,
                   const CorpusImage *old_image,
                   const CorpusImage *new_image)
{
  int old_width = old_image->planes.y.width, old_height = old_image->planes.y.height;
  int new_width = new_image->planes.y.width, new_height = new_image->planes.y.height;
  int x = 0, y = 0, want_x = 0, want_y = 0;
  char status_name[16] = "";
  int fields = sscanf (value, "%d %d %15s %d %d", &x, &y, status_name, &want_x, &want_y);
  RlPlacementStatus expected, status;
  double new_x = -1, new_y = -1, score = -1;

  g_assert_true (rl_placement_status_from_string (status_name, &expected));
  g_assert_cmpint (fields, ==, expected == RL_PLACEMENT_ORPHANED ? 3 : 5);
  status = rl_image_matcher_place (matcher, (double) x / old_width, (double) y / old_height,
                                   &new_x, &new_y, &score);
  g_test_message ("%s %s: %s (expected %s) at (%.1f, %.1f), score %.3f", group, pin,
                  rl_placement_status_to_string (status), status_name, new_x * new_width,
                  new_y * new_height, score);
  g_assert_cmpstr (rl_placement_status_to_string (status), ==, status_name);
  g_assert_cmpfloat (score, >=, 0.0);
  g_assert_cmpfloat (score, <=, 1.0);
  if (status == RL_PLACEMENT_ORPHANED)
    {
      g_assert_cmpfloat (new_x, ==, (double) x / old_width);
      g_assert_cmpfloat (new_y, ==, (double) y / old_height);
      g_assert_cmpfloat (score, <, RL_IMAGE_MATCH_MIN_NCC);
      return;
    }
  g_assert_cmpfloat_with_epsilon (new_x * new_width, want_x, 2.0);
  g_assert_cmpfloat_with_epsilon (new_y * new_height, want_y, 2.0);
}

/* One pair of the corpus: each pin alone, then all in one batch. */
static void
test_real_ui (gconstpointer data)
{
  const char *group = data;
  g_autoptr(GKeyFile) manifest = corpus_manifest ();
  g_autofree char *old_file = g_key_file_get_string (manifest, group, "old", NULL);
  g_autofree char *new_file = g_key_file_get_string (manifest, group, "new", NULL);
  g_auto(GStrv) keys = g_key_file_get_keys (manifest, group, NULL, NULL);
  g_autoptr(RlImageMatcher) batch = NULL;
  CorpusImage old_image, new_image;
  guint n_pins = 0;

  g_assert_nonnull (old_file);
  g_assert_nonnull (new_file);
  corpus_image_init (&old_image, old_file);
  corpus_image_init (&new_image, new_file);
  batch = rl_image_matcher_new (&old_image.planes, &new_image.planes);
  for (guint k = 0; keys[k] != NULL; k++)
    {
      g_autofree char *value = NULL;
      g_autoptr(RlImageMatcher) alone = NULL;

      if (g_str_equal (keys[k], "old") || g_str_equal (keys[k], "new"))
        continue;
      value = g_key_file_get_string (manifest, group, keys[k], NULL);
      alone = rl_image_matcher_new (&old_image.planes, &new_image.planes);
      assert_corpus_pin (alone, group, keys[k], value, &old_image, &new_image);
      assert_corpus_pin (batch, group, keys[k], value, &old_image, &new_image);
      n_pins++;
    }
  g_assert_cmpuint (n_pins, >, 0);
  corpus_image_clear (&old_image);
  corpus_image_clear (&new_image);
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
  g_autoptr(GKeyFile) manifest = NULL;
  g_auto(GStrv) groups = NULL;

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

  manifest = corpus_manifest ();
  groups = g_key_file_get_groups (manifest, NULL);
  for (guint g = 0; groups[g] != NULL; g++)
    {
      g_autofree char *path = g_strconcat ("/image-match/real-ui/", groups[g], NULL);

      g_test_add_data_func (path, groups[g], test_real_ui);
    }

  return g_test_run ();
}
