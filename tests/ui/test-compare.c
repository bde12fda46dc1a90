/* test-compare.c — comparing two versions: an image side by side, as an
 * onion skin and swiped, and a page's changes inline, with a person's
 * pointer and keys through the X server; screenshots compare-*.png
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "rl-image-compare.h"
#include "rl-page-compare.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"

/* The older version red and 400 × 300, the newer blue and grown at its
 * right to 480 × 300. */
#define OLDER_W 400
#define NEWER_W 480
#define IMAGE_H 300

typedef struct
{
  GtkWindow *window;
  GtkWidget *compare;
} Fixture;

static GdkTexture *
solid_texture (int     width,
               int     height,
               guint8  r,
               guint8  g,
               guint8  b)
{
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels = g_malloc ((gsize) width * height * 4);

  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      pixels[i * 4] = r;
      pixels[i * 4 + 1] = g;
      pixels[i * 4 + 2] = b;
      pixels[i * 4 + 3] = 255;
    }
  bytes = g_bytes_new_take (pixels, (gsize) width * height * 4);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, (gsize) width * 4);
}

/* What the widget shows now, as pixels (R, G, B, A per pixel). */
typedef struct
{
  int     width;
  int     height;
  guint8 *data;
} Pixels;

static void
pixels_clear (Pixels *pixels)
{
  g_free (pixels->data);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pixels, pixels_clear)

static Pixels
render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  Pixels pixels = { gtk_widget_get_width (widget), gtk_widget_get_height (widget), NULL };

  rl_ui_test_run (50);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), pixels.width, pixels.height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, pixels.width, pixels.height));
  pixels.data = g_malloc ((gsize) pixels.width * pixels.height * 4);
  /* Cairo's order on a little-endian machine: B, G, R, A. */
  gdk_texture_download (texture, pixels.data, (gsize) pixels.width * 4);
  return pixels;
}

/* The pixel at (x, y) is (r, g, b), each within tolerance. */
static gboolean
pixel_is (const Pixels *pixels,
          double        x,
          double        y,
          int           r,
          int           g,
          int           b,
          int           tolerance)
{
  const guint8 *p = pixels->data + ((gsize) y * pixels->width + (gsize) x) * 4;

  g_test_message ("pixel (%.0f, %.0f): %d %d %d", x, y, p[2], p[1], p[0]);
  return ABS (p[2] - r) <= tolerance && ABS (p[1] - g) <= tolerance && ABS (p[0] - b) <= tolerance;
}

/* ---- images -------------------------------------------------------------- */

static void
image_setup (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GdkTexture) older = solid_texture (OLDER_W, IMAGE_H, 220, 30, 30);
  g_autoptr(GdkTexture) newer = solid_texture (NEWER_W, IMAGE_H, 30, 60, 220);
  const RlComparePin older_pins[] = {
    { 0.5, 0.5, 1, RL_PLACEMENT_EXACT },
    { 0.1, 0.1, 2, RL_PLACEMENT_EXACT },
  };
  const RlComparePin newer_pins[] = {
    { 0.6, 0.5, 1, RL_PLACEMENT_MOVED },
    { 0.0, 0.0, 2, RL_PLACEMENT_ORPHANED },
    { 0.2, 0.8, 3, RL_PLACEMENT_EXACT },
  };

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 900, 560);
  f->compare = rl_image_compare_new ();
  rl_image_compare_set_images (RL_IMAGE_COMPARE (f->compare), older, 2, newer, 3);
  rl_image_compare_set_pins (RL_IMAGE_COMPARE (f->compare), older_pins, G_N_ELEMENTS (older_pins), newer_pins,
                             G_N_ELEMENTS (newer_pins));
  gtk_window_set_child (f->window, f->compare);
  rl_ui_test_present (f->window, f->compare);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (f->window);
  rl_ui_test_run (50);
}

static GtkWidget *
mode_button (Fixture    *f,
             const char *label)
{
  GtkWidget *button = rl_ui_test_find (f->compare, rl_ui_test_is_button_labelled, label);

  g_assert_nonnull (button);
  return button;
}

static void
bounds (Fixture         *f,
        gboolean         newer,
        graphene_rect_t *rect)
{
  g_assert_true (rl_image_compare_get_image_bounds (RL_IMAGE_COMPARE (f->compare), newer, rect));
}

/* Clicked through the X server, each mode shows what it should. */
static void
test_image_modes (Fixture       *f,
                  gconstpointer  data)
{
  RlImageCompare *compare = RL_IMAGE_COMPARE (f->compare);
  g_autoptr(GPtrArray) pins = rl_ui_test_find_all (f->compare, rl_ui_test_has_css_class, "rl-compare-pin");
  g_autoptr(GPtrArray) older_pins = rl_ui_test_find_all (f->compare, rl_ui_test_has_css_class, "older");
  graphene_rect_t old_rect, new_rect;

  /* Both versions' pins but the orphan; the older's dimmed. */
  g_assert_cmpuint (pins->len, ==, 4);
  g_assert_cmpuint (older_pins->len, ==, 2);
  g_assert_nonnull (rl_ui_test_find (f->compare, rl_ui_test_has_accessible_label, "Marker 3"));

  /* Side by side: as wide as each other, the older on the left, labelled. */
  g_assert_cmpint (rl_image_compare_get_mode (compare), ==, RL_IMAGE_COMPARE_SIDE_BY_SIDE);
  g_assert_true (rl_ui_test_has_label (f->compare, "Version 2"));
  g_assert_true (rl_ui_test_has_label (f->compare, "Version 3"));
  bounds (f, FALSE, &old_rect);
  bounds (f, TRUE, &new_rect);
  g_assert_cmpfloat_with_epsilon (old_rect.size.width, new_rect.size.width, 0.01);
  g_assert_cmpfloat (old_rect.origin.x + old_rect.size.width, <, new_rect.origin.x);
  /* The grown canvas is shown as wide, so less tall. */
  g_assert_cmpfloat (new_rect.size.height, <, old_rect.size.height);
  {
    g_auto (Pixels) shown = render (f->compare);

    g_assert_true (pixel_is (&shown, old_rect.origin.x + 20, old_rect.origin.y + 20, 220, 30, 30, 2));
    g_assert_true (pixel_is (&shown, new_rect.origin.x + 20, new_rect.origin.y + 20, 30, 60, 220, 2));
  }
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "compare-side-by-side", 100);

  rl_ui_input_click (mode_button (f, "Onion Skin"));
  g_assert_cmpint (rl_image_compare_get_mode (compare), ==, RL_IMAGE_COMPARE_ONION_SKIN);
  /* One scale, from the top-left corner: the older's box is the newer's,
   * narrower by its width. */
  bounds (f, FALSE, &old_rect);
  bounds (f, TRUE, &new_rect);
  g_assert_cmpfloat_with_epsilon (old_rect.origin.x, new_rect.origin.x, 0.01);
  g_assert_cmpfloat_with_epsilon (old_rect.origin.y, new_rect.origin.y, 0.01);
  g_assert_cmpfloat_with_epsilon (old_rect.size.width / new_rect.size.width, (double) OLDER_W / NEWER_W, 0.001);
  g_assert_cmpfloat_with_epsilon (old_rect.size.height, new_rect.size.height, 0.01);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "compare-onion-skin", 100);

  rl_ui_input_click (mode_button (f, "Swipe"));
  g_assert_cmpint (rl_image_compare_get_mode (compare), ==, RL_IMAGE_COMPARE_SWIPE);
  g_assert_true (rl_ui_test_widget_placed (rl_ui_test_find_class (f->compare, "rl-swipe-handle")));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "compare-swipe", 100);

  rl_ui_input_click (mode_button (f, "Side by Side"));
  g_assert_cmpint (rl_image_compare_get_mode (compare), ==, RL_IMAGE_COMPARE_SIDE_BY_SIDE);
  g_assert_false (gtk_widget_get_child_visible (rl_ui_test_find_class (f->compare, "rl-swipe-handle")));
}

/* The divider dragged with the mouse, then moved with the keys: left of
 * it the older shows, right of it the newer. */
static void
test_swipe (Fixture       *f,
            gconstpointer  data)
{
  RlImageCompare *compare = RL_IMAGE_COMPARE (f->compare);
  GtkWidget *handle;
  graphene_rect_t rect;
  graphene_point_t centre;
  double split, mid_y;

  rl_ui_input_click (mode_button (f, "Swipe"));
  handle = rl_ui_test_find_class (f->compare, "rl-swipe-handle");
  g_assert_cmpfloat (rl_image_compare_get_swipe (compare), ==, 0.5);
  bounds (f, TRUE, &rect);
  g_assert_true (gtk_widget_compute_point (handle, f->compare,
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (handle) / 2.0f,
                                                                 gtk_widget_get_height (handle) / 2.0f),
                                           &centre));
  g_assert_cmpfloat (fabs (centre.x - (rect.origin.x + rect.size.width / 2)), <, 1.5);

  /* A quarter of the way across, by the handle. */
  rl_ui_input_drag (f->compare, centre.x, centre.y, rect.origin.x + rect.size.width / 4, centre.y);
  g_assert_cmpfloat (fabs (rl_image_compare_get_swipe (compare) - 0.25), <, 0.01);
  g_assert_true (gtk_widget_has_focus (handle));
  split = rect.origin.x + rect.size.width * rl_image_compare_get_swipe (compare);
  mid_y = rect.origin.y + rect.size.height / 3;
  {
    g_auto (Pixels) shown = render (f->compare);

    g_assert_true (pixel_is (&shown, split - 10, mid_y, 220, 30, 30, 2));
    g_assert_true (pixel_is (&shown, split + 10, mid_y, 30, 60, 220, 2));
    g_assert_true (pixel_is (&shown, rect.origin.x + rect.size.width * 0.75, mid_y, 30, 60, 220, 2));
  }
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "compare-swipe-dragged", 100);

  /* A press away from the divider does not move it. */
  rl_ui_input_drag (f->compare, rect.origin.x + rect.size.width * 0.8, mid_y, rect.origin.x + 10, mid_y);
  g_assert_cmpfloat (fabs (rl_image_compare_get_swipe (compare) - 0.25), <, 0.01);

  /* The keys: Right a step, Shift+Right a fine one, End, Home. */
  gtk_widget_grab_focus (handle);
  rl_ui_input_key (GDK_KEY_Right, 0);
  g_assert_cmpfloat (fabs (rl_image_compare_get_swipe (compare) - 0.30), <, 0.011);
  rl_ui_input_key (GDK_KEY_Right, GDK_SHIFT_MASK);
  g_assert_cmpfloat (fabs (rl_image_compare_get_swipe (compare) - 0.31), <, 0.011);
  rl_ui_input_key (GDK_KEY_End, 0);
  g_assert_cmpfloat (rl_image_compare_get_swipe (compare), ==, 1.0);
  /* Named, and its place a value screen readers read. */
  g_assert_true (rl_ui_test_has_accessible_label (handle, "Divider between the versions"));
  gtk_test_accessible_assert_property (handle, GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, 100.0);
  {
    g_auto (Pixels) shown = render (f->compare);

    /* All the older now, as far as it goes; the newer where it is wider. */
    g_assert_true (pixel_is (&shown, rect.origin.x + rect.size.width * 0.5, mid_y, 220, 30, 30, 2));
    g_assert_false (pixel_is (&shown, rect.origin.x + rect.size.width * 0.95, mid_y, 30, 60, 220, 2));
  }
  rl_ui_input_key (GDK_KEY_Home, 0);
  g_assert_cmpfloat (rl_image_compare_get_swipe (compare), ==, 0.0);
  rl_ui_input_key (GDK_KEY_Left, 0);
  g_assert_cmpfloat (rl_image_compare_get_swipe (compare), ==, 0.0);
}

/* The onion skin's slider, from the keyboard: the newer's opacity, seen. */
static void
test_onion (Fixture       *f,
            gconstpointer  data)
{
  RlImageCompare *compare = RL_IMAGE_COMPARE (f->compare);
  GtkWidget *scale;
  graphene_rect_t rect;

  rl_ui_input_click (mode_button (f, "Onion Skin"));
  scale = rl_ui_test_find_type (f->compare, GTK_TYPE_SCALE);
  g_assert_nonnull (scale);
  g_assert_true (rl_ui_test_has_accessible_label (scale, "Opacity of the newer version"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (scale), 3000));
  g_assert_cmpfloat (rl_image_compare_get_opacity (compare), ==, 0.5);

  /* From the mode button just clicked, past Swipe, Tab reaches the slider. */
  rl_ui_input_key (GDK_KEY_Tab, 0);
  rl_ui_input_key (GDK_KEY_Tab, 0);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) == scale);
  rl_ui_input_key (GDK_KEY_Right, 0);
  rl_ui_input_key (GDK_KEY_Right, 0);
  g_assert_cmpfloat (fabs (rl_image_compare_get_opacity (compare) - 0.7), <, 1e-9);
  bounds (f, FALSE, &rect);
  {
    g_auto (Pixels) shown = render (f->compare);

    /* 70 % blue over red. */
    g_assert_true (pixel_is (&shown, rect.origin.x + 30, rect.origin.y + 30, 87, 51, 163, 3));
  }
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "compare-onion-skin-70", 100);

  rl_ui_input_key (GDK_KEY_End, 0);
  g_assert_cmpfloat (rl_image_compare_get_opacity (compare), ==, 1.0);
  {
    g_auto (Pixels) shown = render (f->compare);

    g_assert_true (pixel_is (&shown, rect.origin.x + 30, rect.origin.y + 30, 30, 60, 220, 2));
  }
}

/* ---- pages --------------------------------------------------------------- */

static const char *old_page =
  "Pricing\n\n"
  "Redline has one plan for every team, billed monthly. "
  "Start your free trial today and invite your colleagues. "
  "Questions? Write to us at any time and we answer within a day.\n\n"
  "Every plan includes unlimited reviewers and version history.";
static const char *new_page =
  "Pricing\n\n"
  "New this spring: yearly billing with two months free.\n\n"
  "Redline has a single plan for every team, billed monthly. "
  "Start your free trial today and invite your colleagues.\n\n"
  "Every plan includes unlimited reviewers and version history.";

static void
page_setup (Fixture       *f,
            gconstpointer  data)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 640, 420);
  f->compare = rl_page_compare_new ();
  rl_page_compare_set_texts (RL_PAGE_COMPARE (f->compare), old_page, 1, new_page, 2);
  gtk_window_set_child (f->window, f->compare);
  rl_ui_test_present (f->window, f->compare);
}

/* The buffer's text from offset start that has tag, up to where it stops. */
static char *
tagged_at (GtkTextBuffer *buffer,
           guint          start,
           const char    *tag_name)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  GtkTextIter from, to;

  gtk_text_buffer_get_iter_at_offset (buffer, &from, (int) start);
  if (!gtk_text_iter_has_tag (&from, tag))
    return NULL;
  to = from;
  gtk_text_iter_forward_to_tag_toggle (&to, tag);
  return gtk_text_iter_get_text (&from, &to);
}

static guint
offset_of (const char *text,
           const char *needle)
{
  const char *at = strstr (text, needle);

  g_assert_nonnull (at);
  return (guint) g_utf8_pointer_to_offset (text, at);
}

static guint
cursor_offset (GtkTextBuffer *buffer)
{
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  return (guint) gtk_text_iter_get_offset (&iter);
}

/* A known edit: the new text with the old one's deleted words struck
 * through in place, the new ones tagged; Alt+Down and Alt+Up go from
 * change to change and say what each is. */
static void
test_page (Fixture       *f,
           gconstpointer  data)
{
  RlPageCompare *compare = RL_PAGE_COMPARE (f->compare);
  GtkTextView *view = rl_page_compare_get_text_view (compare);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  g_autofree char *text = rl_ui_test_text_view_text (view);
  const char *shown =
    "Pricing\n\n"
    "New this spring: yearly billing with two months free.\n\n"
    "Redline has onea single plan for every team, billed monthly. "
    "Start your free trial today and invite your colleagues. "
    "Questions? Write to us at any time and we answer within a day.\n\n"
    "Every plan includes unlimited reviewers and version history.";
  g_autofree char *inserted = NULL;
  g_autofree char *deleted = NULL;
  g_autofree char *replacing = NULL;
  g_autofree char *sentence = NULL;
  guint new_offset = 0;

  g_assert_cmpstr (text, ==, shown);
  inserted = tagged_at (buffer, offset_of (shown, "New this"), "rl-inserted");
  g_assert_cmpstr (inserted, ==, "New this spring: yearly billing with two months free.\n\n");
  deleted = tagged_at (buffer, offset_of (shown, "onea"), "rl-deleted");
  g_assert_cmpstr (deleted, ==, "one");
  replacing = tagged_at (buffer, offset_of (shown, "a single"), "rl-inserted");
  g_assert_cmpstr (replacing, ==, "a single");
  sentence = tagged_at (buffer, offset_of (shown, " Questions?"), "rl-deleted");
  g_assert_cmpstr (sentence, ==, " Questions? Write to us at any time and we answer within a day.");
  g_assert_null (tagged_at (buffer, offset_of (shown, "Pricing"), "rl-inserted"));
  g_assert_null (tagged_at (buffer, offset_of (shown, "Pricing"), "rl-deleted"));
  g_assert_true (rl_ui_test_has_label (f->compare, "2 insertions, 2 deletions"));
  g_assert_true (rl_ui_test_has_accessible_label (GTK_WIDGET (view), "Changes from Version 1 to Version 2"));
  g_assert_cmpuint (rl_page_compare_get_n_changes (compare), ==, 3);

  /* Deleted text is not in the newer text: no anchor can start there. */
  g_assert_false (rl_page_compare_to_new_offset (compare, offset_of (shown, "onea") + 1, &new_offset));
  g_assert_true (rl_page_compare_to_new_offset (compare, offset_of (shown, "a single"), &new_offset));
  g_assert_cmpuint (new_offset, ==, offset_of (new_page, "a single"));
  g_assert_true (rl_page_compare_to_new_offset (compare, offset_of (shown, "Every plan"), &new_offset));
  g_assert_cmpuint (new_offset, ==, offset_of (new_page, "Every plan"));

  /* The keys, through the X server, with the text focused. */
  rl_ui_input_click (GTK_WIDGET (view));
  rl_ui_input_key (GDK_KEY_Down, GDK_ALT_MASK);
  g_assert_cmpint (rl_page_compare_get_current (compare), ==, 0);
  g_assert_cmpuint (cursor_offset (buffer), ==, offset_of (shown, "New this"));
  g_assert_true (rl_ui_test_has_label (f->compare,
                                       "Inserted: New this spring: yearly billing with two months free.\n\n"));
  rl_ui_input_key (GDK_KEY_Down, GDK_ALT_MASK);
  g_assert_cmpuint (cursor_offset (buffer), ==, offset_of (shown, "onea"));
  g_assert_true (rl_ui_test_has_label (f->compare, "Replaced “one” with “a single”"));
  rl_ui_input_key (GDK_KEY_Down, GDK_ALT_MASK);
  g_assert_cmpuint (cursor_offset (buffer), ==, offset_of (shown, " Questions?"));
  /* The last one: Next does nothing more, and says so by being off. */
  rl_ui_input_key (GDK_KEY_Down, GDK_ALT_MASK);
  g_assert_cmpint (rl_page_compare_get_current (compare), ==, 2);
  g_assert_false (gtk_widget_get_sensitive (rl_ui_test_find (f->compare, rl_ui_test_has_accessible_label,
                                                             "Next Change")));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "compare-page", 100);

  rl_ui_input_key (GDK_KEY_Up, GDK_ALT_MASK);
  g_assert_cmpint (rl_page_compare_get_current (compare), ==, 1);
  g_assert_cmpuint (cursor_offset (buffer), ==, offset_of (shown, "onea"));
  /* The Previous button, clicked. */
  rl_ui_input_click (rl_ui_test_find (f->compare, rl_ui_test_has_accessible_label, "Previous Change"));
  g_assert_cmpint (rl_page_compare_get_current (compare), ==, 0);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "compare-page-dark", 300);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

int
main (int   argc,
      char *argv[])
{
  /* Accessible names and values are read back (a test AT context). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/compare/image/modes", Fixture, NULL, image_setup, test_image_modes, fixture_teardown);
  g_test_add ("/compare/image/swipe", Fixture, NULL, image_setup, test_swipe, fixture_teardown);
  g_test_add ("/compare/image/onion", Fixture, NULL, image_setup, test_onion, fixture_teardown);
  g_test_add ("/compare/page", Fixture, NULL, page_setup, test_page, fixture_teardown);
  return g_test_run ();
}
