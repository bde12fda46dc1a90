/* test-settle.c — people settle where threads were carried (issue 18),
 * against the real server under Xvfb
 *
 * Ada reads a mockup with three markers of Bob's: on the primary button,
 * on the logo and on the round icon. Bob uploads the next version over
 * HTTP, its body shifted and the icon gone. Once Ada shows it, the
 * button's row says "Moved" (in words for screen readers too), where it
 * was, in words and as version 1 cropped around its pin, and on which
 * version it was made; Confirm, clicked through the X
 * server, settles it for Bob as well. The logo's is exact: no badge. The
 * icon's is under "Not found on this version" with its count, never
 * dropped; "This Version" and "All", chosen with the keyboard, filter it
 * out and back; Place… and a click on the image put it anew. On a page,
 * a reworded quote says "Changed", how alike in its tooltip, and the quote
 * it had; a deleted one is placed with Place… on the text selected with
 * the pointer, and the reworded one re-attached to its new words the same
 * way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "rl-banner.h"
#include "rl-marker-composer.h"
#include "rl-page-view-private.h"
#include "rl-pin-crop.h"
#include "rl-test-mockup.h"
#include "rl-test-server.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"

/* A page and its next version: the Italian paragraph moved up, "fair"
 * reworded, the sentence about cancelling deleted. */
static const char page_v1[] =
  "# Pricing\n\n"
  "Our plans are simple and fair for every team.\n\n"
  "Cancel at any time, no questions asked.\n\n"
  "Prezzi chiari per ogni squadra, senza sorprese.\n";
static const char page_v2[] =
  "# Pricing\n\n"
  "Prezzi chiari per ogni squadra, senza sorprese.\n\n"
  "Our plans are simple and honest for every team.\n";

typedef struct
{
  RlUiTestWorld  world;      /* the mockup of rl-test-mockup.h as "Home", the page as "Pricing" */
  RlApplication *app;
  RlSession     *session;    /* Ada's */
  char          *dir;        /* the versions' files */
  char          *second;     /* the next version: shifted, the icon gone */
  char          *page_second; /* page_v2 */
  int            width;
  int            height;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  RlMockup first = rl_mockup_base ();
  RlMockup second = rl_mockup_base ();
  g_autofree char *first_path = NULL;

  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_NO_DOCS);
  f->dir = g_build_filename (g_test_get_dir (G_TEST_BUILT), "settle-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->dir));
  first_path = g_build_filename (f->dir, "home.png", NULL);
  g_assert_true (rl_mockup_write_png (&first, first_path));
  second.body_dx = 40;
  second.body_dy = 30;
  second.with_icon = FALSE;
  f->second = g_build_filename (f->dir, "home v2.png", NULL);
  g_assert_true (rl_mockup_write_png (&second, f->second));
  f->width = first.canvas_width;
  f->height = first.canvas_height;
  f->world.image = rl_test_team_add_doc (&f->world.team, "acme", "Home", first_path);
  f->world.page = rl_test_team_add_doc_bytes (&f->world.team, "acme", "Pricing", ".md", page_v1, -1);
  f->page_second = g_build_filename (f->dir, "pricing v2.md", NULL);
  g_assert_true (g_file_set_contents (f->page_second, page_v2, -1, NULL));
  rl_test_server_start (f->world.server);
  f->session = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
  f->app = rl_ui_test_register_app (f->session);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_ui_test_close_app (&f->app);
  g_clear_object (&f->session);
  rl_ui_test_world_clear (&f->world);
  rl_ui_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->second);
  g_free (f->page_second);
}

/* ---- helpers ------------------------------------------------------------- */

/* Bob uploads path as the next version of doc over HTTP; its number. */
static gint64
teammate_uploads (Fixture    *f,
                  const char *doc,
                  const char *path,
                  const char *type)
{
  return rl_ui_test_upload_version (f->world.server, f->world.bob, doc, path, type);
}

/* Shows the version the banner offers, with a click on its Show. */
static void
show_offered (RlWindow *window,
              gint64    revision)
{
  GtkWidget *show;

  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (rl_window_get_banner (window, "version")), 5000));
  show = rl_ui_test_find (GTK_WIDGET (rl_window_get_banner (window, "version")), rl_ui_test_is_button_labelled,
                          "Show");
  g_assert_nonnull (show);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (show), 3000));
  rl_ui_input_wait_still (show);
  rl_ui_input_click (show);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_window_get_shown_revision (window) == revision, 5000));
}

/* Picks thread's row as a hand does, a click on its number, and waits
 * until no row moves: the reply box of the one picked before closes once
 * the click is over, and the rows below move up while it does. */
static void
pick_row (RlThreadPanel *panel,
          const char    *thread)
{
  GtkWidget *number = rl_ui_test_find_class (GTK_WIDGET (rl_ui_test_panel_row (panel, thread)), "rl-thread-badge");

  g_assert_nonnull (number);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_revealers_still (GTK_WIDGET (panel)), 3000));
  rl_ui_input_wait_still (number);
  rl_ui_input_click (number);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (panel)), ==, thread);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_revealers_still (GTK_WIDGET (panel)), 3000));
}

/* Selects words on the page as a hand does: a drag from inside their
 * first character to inside their last, through the X server. */
static void
drag_select (RlPageView *view,
             const char *words)
{
  GtkTextView *text_view = GTK_TEXT_VIEW (rl_page_view_get_text_view (view));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextIter start, end, last;
  GdkRectangle first_rect, last_rect;
  int x0, y0, x1, y1;
  g_autofree char *selected = NULL;

  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, words, 0, &start, &end, NULL));
  last = end;
  gtk_text_iter_backward_char (&last);
  gtk_text_view_get_iter_location (text_view, &start, &first_rect);
  gtk_text_view_get_iter_location (text_view, &last, &last_rect);
  gtk_text_view_buffer_to_window_coords (text_view, GTK_TEXT_WINDOW_WIDGET, first_rect.x + 1,
                                         first_rect.y + first_rect.height / 2, &x0, &y0);
  gtk_text_view_buffer_to_window_coords (text_view, GTK_TEXT_WINDOW_WIDGET, last_rect.x + last_rect.width - 1,
                                         last_rect.y + last_rect.height / 2, &x1, &y1);
  rl_ui_input_drag (GTK_WIDGET (text_view), x0, y0, x1, y1);
  g_assert_true (gtk_text_buffer_get_selection_bounds (buffer, &start, &end));
  selected = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (selected, ==, words);
}

/* A label under root, shown, that says text. */
static GtkWidget *
shown_label (GtkWidget  *root,
             const char *text)
{
  return rl_ui_test_find_shown (root, rl_ui_test_is_label_saying, text);
}

/* The accessible description of widget is description. */
static void
assert_description (GtkWidget  *widget,
                    const char *description)
{
  g_autofree char *mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                                  description);

  g_assert_null (mismatch);
}

/* thread's placement on revision in store is exact, settled by who. */
static gboolean
settled_by (RlDocStore *store,
            const char *thread,
            gint64      revision,
            const char *who)
{
  const RlThread *found = rl_ui_test_store_thread (store, thread);
  const RlRevisionAnchor *placement = found ? rl_thread_get_placement (found, revision) : NULL;

  return placement != NULL && placement->status == RL_PLACEMENT_EXACT && g_strcmp0 (placement->by.id, who) == 0
         && rl_doc_store_get_n_in_flight (store) == 0;
}

/* ---- carried, confirmed, not found, filtered ----------------------------- */

/* The crop beside row's words, shown, or NULL. */
static RlPinCrop *
shown_crop (RlThreadRow *row)
{
  GtkWidget *crop = rl_ui_test_find_type (GTK_WIDGET (row), RL_TYPE_PIN_CROP);

  return crop != NULL && gtk_widget_get_visible (crop) && rl_pin_crop_get_texture (RL_PIN_CROP (crop)) != NULL
         ? RL_PIN_CROP (crop) : NULL;
}

/* How far crop's pixels are from image's from (left, top) on, on average
 * over every channel (0–255); both are opaque. */
static double
mean_difference (GdkTexture *crop,
                 GdkPixbuf  *image,
                 int         left,
                 int         top)
{
  int width = gdk_texture_get_width (crop);
  int height = gdk_texture_get_height (crop);
  g_autofree guint8 *pixels = g_malloc ((gsize) width * height * 4);
  const guint8 *source = gdk_pixbuf_read_pixels (image);
  int stride = gdk_pixbuf_get_rowstride (image);
  int channels = gdk_pixbuf_get_n_channels (image);
  double sum = 0;

  g_assert_cmpint (left, >=, 0);
  g_assert_cmpint (top, >=, 0);
  g_assert_cmpint (left + width, <=, gdk_pixbuf_get_width (image));
  g_assert_cmpint (top + height, <=, gdk_pixbuf_get_height (image));
  /* Cairo's ARGB32: B, G, R, A in memory here (little-endian). */
  gdk_texture_download (crop, pixels, (gsize) width * 4);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *want = source + (gsize) (top + y) * stride + (gsize) (left + x) * channels;
        const guint8 *got = pixels + ((gsize) y * width + x) * 4;

        sum += ABS (got[2] - want[0]) + ABS (got[1] - want[1]) + ABS (got[0] - want[2]);
      }
  return sum / (3.0 * width * height);
}

/* The crop is version 1 (not 2) around (x, y), where the pin was, the pin
 * in its middle, one image pixel a texture pixel (the mockup is small). */
static void
assert_crop_of_first (Fixture   *f,
                      RlPinCrop *crop,
                      double     x,
                      double     y)
{
  GdkTexture *texture = rl_pin_crop_get_texture (crop);
  g_autofree char *first_path = g_build_filename (f->dir, "home.png", NULL);
  g_autoptr(GdkPixbuf) first = gdk_pixbuf_new_from_file (first_path, NULL);
  g_autoptr(GdkPixbuf) second = gdk_pixbuf_new_from_file (f->second, NULL);
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  int left = (int) round (x - width / 2.0);
  int top = (int) round (y - height / 2.0);
  double pin_x, pin_y;

  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_cmpint (width, ==, 2 * RL_PIN_CROP_WIDTH);
  g_assert_cmpint (height, ==, 2 * RL_PIN_CROP_HEIGHT);
  rl_pin_crop_get_pin (crop, &pin_x, &pin_y);
  g_assert_cmpfloat_with_epsilon (pin_x, 0.5, 0.01);
  g_assert_cmpfloat_with_epsilon (pin_y, 0.5, 0.01);
  g_assert_cmpfloat (mean_difference (texture, first, left, top), <, 1.0);
  /* The same place on version 2 (the layout shifted) is far from it. */
  g_assert_cmpfloat (mean_difference (texture, second, left, top), >, 10.0);
  /* Drawn RL_PIN_CROP_WIDTH × RL_PIN_CROP_HEIGHT, in its proportions. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (crop)), ==, RL_PIN_CROP_WIDTH);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (crop)), ==, RL_PIN_CROP_HEIGHT);
}

static void
test_settle (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autofree char *button = rl_ui_test_create_marker (bob, f->world.image, 670.0 / f->width, 562.0 / f->height,
                                                      "Button label too small");
  g_autofree char *logo = rl_ui_test_create_marker (bob, f->world.image, 60.0 / f->width, 30.0 / f->height,
                                                    "Logo needs more room");
  g_autofree char *icon = rl_ui_test_create_marker (bob, f->world.image, 120.0 / f->width, 590.0 / f->height,
                                                    "Icon off-brand");
  g_autoptr(RlConnection) bob_link = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob_store = rl_ui_test_open_store (bob_link, f->world.image, RL_DOC_KIND_IMAGE);
  g_autofree char *ada_id = rl_ui_test_user_id (f->world.server, f->world.ada);
  g_autofree char *was = NULL;
  g_autofree char *description = NULL;
  g_autofree char *order = NULL;
  g_autofree char *expected_order = NULL;
  RlWindow *window = rl_window_new (f->app);
  RlThreadPanel *panel;
  RlThreadRow *row;
  RlPinCrop *crop;
  GtkWidget *confirm, *header, *this_version, *all, *place;
  RlImageView *view;
  const RlRevisionAnchor *placement;
  double x, y, px, py;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  rl_ui_test_window_start (window, f->session, 2);
  rl_ui_test_window_show (window, f->world.image, "image");
  view = rl_window_get_image_view (window);
  rl_ui_test_wait_pins (view, 3);
  panel = rl_window_get_thread_panel (window);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (panel) == 3, 5000));
  /* One version: nothing carried, nothing to filter. */
  g_assert_null (shown_label (GTK_WIDGET (panel), "Moved"));
  g_assert_null (rl_ui_test_find_shown (GTK_WIDGET (panel), rl_ui_test_is_button_labelled, "This Version"));

  g_assert_cmpint (teammate_uploads (f, f->world.image, f->second, "image/png"), ==, 2);
  show_offered (window, 2);

  /* The button's marker moved with the button: "Moved", where it was, on
   * which version it was made; Confirm. */
  row = rl_ui_test_panel_row (panel, button);
  g_assert_nonnull (row);
  g_assert_true (RL_UI_WAIT_UNTIL (shown_label (GTK_WIDGET (row), "Moved") != NULL, 5000));
  g_assert_nonnull (shown_label (GTK_WIDGET (row), "Made on version 1"));
  was = g_strdup_printf ("Was %d %% across, %d %% down", (int) round (670.0 / f->width * 100),
                         (int) round (562.0 / f->height * 100));
  g_assert_nonnull (shown_label (GTK_WIDGET (row), was));
  description = g_strdup_printf ("Moved. %s. Made on version 1", was);
  assert_description (GTK_WIDGET (row), description);
  /* Beside the words: version 1 around where the pin was, the words its
   * tooltip and what screen readers hear of it. */
  g_assert_true (RL_UI_WAIT_UNTIL ((crop = shown_crop (row)) != NULL, 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (crop)) > 0, 3000));
  assert_crop_of_first (f, crop, 670.0, 562.0);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (crop)), ==, was);
  g_assert_true (rl_ui_test_has_accessible_label (GTK_WIDGET (crop), "Where it was on version 1"));
  assert_description (GTK_WIDGET (crop), was);
  confirm = rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Confirm");
  g_assert_nonnull (confirm);
  g_assert_true (rl_ui_test_has_accessible_label (confirm, "Confirm where this thread was carried"));
  g_assert_true (gtk_widget_get_focusable (confirm));

  /* The logo's is exact: no badge, no Confirm. */
  row = rl_ui_test_panel_row (panel, logo);
  g_assert_null (rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Confirm"));
  g_assert_null (shown_label (GTK_WIDGET (row), "Moved"));
  g_assert_null (shown_label (GTK_WIDGET (row), "Changed"));
  g_assert_null (shown_label (GTK_WIDGET (row), "Not found"));
  g_assert_null (shown_crop (row));

  /* The icon's: last, under "Not found on this version" (1), never dropped. */
  row = rl_ui_test_panel_row (panel, icon);
  g_assert_nonnull (row);
  g_assert_nonnull (shown_label (GTK_WIDGET (row), "Not found"));
  g_assert_null (rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Confirm"));
  assert_description (GTK_WIDGET (row), "Not found. Made on version 1");
  g_assert_null (shown_crop (row));
  header = gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (row));
  g_assert_nonnull (header);
  g_assert_nonnull (shown_label (header, "Not found on this version"));
  g_assert_nonnull (shown_label (header, "1"));
  g_assert_true (rl_ui_test_has_accessible_label (header, "Not found on this version: 1 thread"));
  order = rl_ui_test_panel_order (panel);
  g_assert_true (g_str_has_suffix (order, icon));
  rl_ui_test_screenshot_quiet (GTK_WIDGET (window), panel, "settle-carried");

  /* Confirm, clicked: the badge goes at once, and Bob's copy has it
   * settled by Ada. */
  row = rl_ui_test_panel_row (panel, button);
  pick_row (panel, button);
  rl_ui_input_wait_still (confirm);
  rl_ui_input_click (confirm);
  g_assert_true (RL_UI_WAIT_UNTIL (shown_label (GTK_WIDGET (row), "Moved") == NULL, 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (settled_by (bob_store, button, 2, ada_id), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (settled_by (rl_review_state_get_store (rl_thread_panel_get_state (panel)),
                                               button, 2, ada_id), 5000));
  g_assert_null (rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Confirm"));
  assert_description (GTK_WIDGET (row), "Made on version 1");
  /* The crop went with the badge. */
  g_assert_null (shown_crop (row));

  /* "This Version" with the keyboard: the icon's thread is not placed on
   * version 2; "All" brings it back under its heading. */
  this_version = rl_ui_test_find_shown (GTK_WIDGET (panel), rl_ui_test_is_button_labelled, "This Version");
  all = rl_ui_test_find_shown (GTK_WIDGET (panel), rl_ui_test_is_button_labelled, "All");
  g_assert_nonnull (this_version);
  g_assert_nonnull (all);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (all)));
  g_assert_true (gtk_widget_grab_focus (this_version));
  rl_ui_input_key (GDK_KEY_space, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (panel) == 2, 3000));
  g_assert_null (rl_ui_test_panel_row (panel, icon));
  g_free (order);
  order = rl_ui_test_panel_order (panel);
  expected_order = g_strdup_printf ("%s %s", button, logo);
  g_assert_cmpstr (order, ==, expected_order);
  g_assert_false (rl_ui_test_has_label (GTK_WIDGET (panel), "Not found on this version"));
  rl_ui_test_screenshot_quiet (GTK_WIDGET (window), panel, "settle-this-version");
  /* Tab to "All", Space. */
  rl_ui_input_key (GDK_KEY_Tab, 0);
  g_assert_true (gtk_widget_has_focus (all));
  rl_ui_input_key (GDK_KEY_space, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (panel) == 3, 3000));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (all)));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (this_version)));
  row = rl_ui_test_panel_row (panel, icon);
  g_assert_nonnull (row);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (row)) != NULL, 3000));
  g_assert_nonnull (shown_label (gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (row)), "Not found on this version"));
  rl_ui_test_screenshot_quiet (GTK_WIDGET (window), panel, "settle-all");

  /* Place…, clicked, then a click on the image: placed there, for Bob too;
   * no longer under "Not found on this version". */
  place = rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Place…");
  g_assert_nonnull (place);
  g_assert_true (rl_ui_test_has_accessible_label (place, "Place this thread on this version"));
  pick_row (panel, icon);
  rl_ui_input_wait_still (place);
  rl_ui_input_click (place);
  g_assert_true (RL_UI_WAIT_UNTIL (g_strcmp0 (rl_review_state_get_placing_thread (rl_thread_panel_get_state (panel)),
                                              icon) == 0, 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (shown_label (GTK_WIDGET (row), "Click on the image where this thread belongs.")
                                   != NULL, 3000));
  g_assert_false (rl_image_view_get_pin_position (view, icon, &px, &py));
  g_assert_true (rl_image_view_image_to_widget (view, 0.3, 0.6, &x, &y));
  rl_ui_input_click_at (GTK_WIDGET (view), x, y, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (settled_by (bob_store, icon, 2, ada_id), 5000));
  placement = rl_thread_get_placement (rl_ui_test_store_thread (bob_store, icon), 2);
  g_assert_cmpfloat_with_epsilon (placement->anchor.x, 0.3, 0.01);
  g_assert_cmpfloat_with_epsilon (placement->anchor.y, 0.6, 0.01);
  g_assert_null (rl_review_state_get_placing_thread (rl_thread_panel_get_state (panel)));
  /* Its pin is where the click was. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_image_view_get_pin_position (view, icon, &px, &py), 3000));
  g_assert_cmpfloat_with_epsilon (px, 0.3, 0.01);
  g_assert_cmpfloat_with_epsilon (py, 0.6, 0.01);
  /* No composer opened by that click: it placed. */
  g_assert_false (gtk_widget_get_visible (rl_ui_test_find_type (GTK_WIDGET (view), RL_TYPE_MARKER_COMPOSER)));
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_ui_test_has_label (GTK_WIDGET (panel), "Not found on this version"), 3000));
  row = rl_ui_test_panel_row (panel, icon);
  g_assert_null (shown_label (GTK_WIDGET (row), "Not found"));
  rl_ui_test_screenshot_quiet (GTK_WIDGET (window), panel, "settle-placed");
}

/* ---- a page: changed, with its score and quote; placed on a selection --- */

static void
test_settle_page (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autoptr(RlPageText) page = rl_ui_test_page_from_markdown (page_v1);
  g_autofree char *reworded = rl_ui_test_create_annotation (bob, f->world.page, page, "simple and fair for every team",
                                                            "Is it fair?");
  g_autofree char *deleted = rl_ui_test_create_annotation (bob, f->world.page, page, "Cancel at any time",
                                                           "Say how");
  g_autoptr(RlConnection) bob_link = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob_store = rl_ui_test_open_store (bob_link, f->world.page, RL_DOC_KIND_PAGE);
  g_autofree char *ada_id = rl_ui_test_user_id (f->world.server, f->world.ada);
  g_autofree char *alike = NULL;
  g_autofree char *description = NULL;
  RlWindow *window = rl_window_new (f->app);
  RlThreadPanel *panel;
  RlThreadRow *row;
  GtkWidget *badge, *place;
  RlPageView *view;
  const RlRevisionAnchor *placement;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  rl_ui_test_window_start (window, f->session, 2);
  rl_ui_test_window_show (window, f->world.page, "page");
  view = rl_window_get_page_view (window);
  panel = rl_window_get_thread_panel (window);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (panel) == 2, 5000));

  g_assert_cmpint (teammate_uploads (f, f->world.page, f->page_second, "text/markdown"), ==, 2);
  show_offered (window, 2);

  /* Reworded: "Changed", how alike in its tooltip and the row's
   * description, the quote it had on version 1 beside it. */
  row = rl_ui_test_panel_row (panel, reworded);
  g_assert_nonnull (row);
  g_assert_true (RL_UI_WAIT_UNTIL ((badge = shown_label (GTK_WIDGET (row), "Changed")) != NULL, 5000));
  placement = rl_thread_get_placement (rl_ui_test_store_thread (bob_store, reworded), 2);
  g_assert_nonnull (placement);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_CHANGED);
  alike = g_strdup_printf ("%d %% alike", (int) round (placement->score * 100));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (badge), ==, alike);
  g_assert_nonnull (shown_label (GTK_WIDGET (row), "Was “simple and fair for every team”"));
  description = g_strdup_printf ("Changed. %s. Was “simple and fair for every team”. Made on version 1", alike);
  assert_description (GTK_WIDGET (row), description);
  g_assert_nonnull (rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Confirm"));

  /* Deleted: not found; Place… with text selected puts it there. */
  row = rl_ui_test_panel_row (panel, deleted);
  g_assert_nonnull (shown_label (GTK_WIDGET (row), "Not found"));
  pick_row (panel, deleted);
  drag_select (view, "senza sorprese");
  place = rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Place…");
  g_assert_nonnull (place);
  rl_ui_input_wait_still (place);
  rl_ui_input_click (place);
  g_assert_true (RL_UI_WAIT_UNTIL (settled_by (bob_store, deleted, 2, ada_id), 5000));
  placement = rl_thread_get_placement (rl_ui_test_store_thread (bob_store, deleted), 2);
  g_assert_cmpstr (placement->anchor.exact, ==, "senza sorprese");
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_ui_test_has_label (GTK_WIDGET (panel), "Not found on this version"), 3000));

  /* Reworded: re-attached with Place… to words selected with the pointer,
   * not those it was carried to: for Bob too, and its badge goes. */
  row = rl_ui_test_panel_row (panel, reworded);
  placement = rl_thread_get_placement (rl_ui_test_store_thread (bob_store, reworded), 2);
  g_assert_cmpstr (placement->anchor.exact, !=, "plans are simple and honest");
  pick_row (panel, reworded);
  drag_select (view, "plans are simple and honest");
  place = rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Place…");
  g_assert_nonnull (place);
  g_assert_true (rl_ui_test_has_accessible_label (place, "Place this thread on this version"));
  rl_ui_test_screenshot_quiet (GTK_WIDGET (window), panel, "settle-page-reselected");
  rl_ui_input_wait_still (place);
  rl_ui_input_click (place);
  g_assert_true (RL_UI_WAIT_UNTIL (settled_by (bob_store, reworded, 2, ada_id), 5000));
  placement = rl_thread_get_placement (rl_ui_test_store_thread (bob_store, reworded), 2);
  g_assert_cmpstr (placement->anchor.exact, ==, "plans are simple and honest");
  /* The selection gave way to its highlight: nothing offers to comment. */
  g_assert_false (gtk_widget_get_visible (rl_page_view_get_comment_button (view)));
  g_assert_true (RL_UI_WAIT_UNTIL (shown_label (GTK_WIDGET (row), "Changed") == NULL, 3000));
  g_assert_null (rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Confirm"));
  g_assert_null (rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Place…"));
  rl_ui_test_screenshot_quiet (GTK_WIDGET (window), panel, "settle-page");
}

int
main (int   argc,
      char *argv[])
{
  /* Accessible names and descriptions are kept for the checks. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  rl_ui_test_init (&argc, &argv);

  g_test_add ("/settle/carried-confirmed-not-found-filtered", Fixture, NULL, fixture_setup, test_settle,
              fixture_teardown);
  g_test_add ("/settle/page-changed-placed-on-selection", Fixture, NULL, fixture_setup, test_settle_page,
              fixture_teardown);

  return g_test_run ();
}
