/* test-versions.c — new versions of a document, live and never switched
 * under the reader (issue 18), against the real server under Xvfb
 *
 * Bob, a teammate, uploads a version over HTTP while Ada reads: her view
 * stays as it was (the same image, zoom and scroll), a banner offers the
 * new one, and Show (clicked through the X server) loads it in place with
 * each marker where the server carried it and her selection kept. Ada
 * uploads one herself with Upload New Version… (Shift+Ctrl+O, the file
 * chooser driven by keys) and by dropping a file on the document, dragged
 * from a file manager's window through the X server (asked first): her
 * window shows it at once, her other window offers it; a dropped file of
 * another kind is refused, saying why, and reaches no server. A page
 * renders from the server's text model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "rl-api.h"
#include "rl-application.h"
#include "rl-banner.h"
#include "rl-compare-window.h"
#include "rl-image-compare.h"
#include "rl-image-view-private.h"
#include "rl-page-text-view.h"
#include "rl-page-view-private.h"
#include "rl-test-server.h"
#include "rl-upload-row.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"

/* A page with what the walk decodes and lays out: an entity and a table. */
static const char page_markdown[] =
  "# Pricing\n"
  "\n"
  "Plans for teams &hellip; and for one &amp; all.\n"
  "\n"
  "| Plan | Seats | Price |\n"
  "|:-----|:-----:|------:|\n"
  "| Solo | 1 | 0 € |\n"
  "| Team | 10 | 9 € |\n";

typedef struct
{
  RlUiTestWorld  world;      /* the landing mockup, and the pricing page */
  RlApplication *app;
  RlSession     *session;    /* Ada's */
  char          *dir;        /* files to upload */
  char          *shifted;    /* the mockup, its layout moved down */
} Fixture;

/* The mockup with everything 60 px lower, on a canvas of the same size:
 * what a designer's next version often is. */
static char *
write_shifted_mockup (const char *dir)
{
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "..", "data", "demo", "landing-mockup.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) original = gdk_pixbuf_new_from_file (source, &error);
  g_autoptr(GdkPixbuf) shifted = NULL;
  char *path = g_build_filename (dir, "Landing v2.png", NULL);
  int width, height;

  g_assert_no_error (error);
  width = gdk_pixbuf_get_width (original);
  height = gdk_pixbuf_get_height (original);
  shifted = gdk_pixbuf_new (GDK_COLORSPACE_RGB, gdk_pixbuf_get_has_alpha (original), 8, width, height);
  gdk_pixbuf_fill (shifted, 0xffffffff);
  gdk_pixbuf_copy_area (original, 0, 0, width, height - 60, shifted, 0, 60);
  gdk_pixbuf_save (shifted, path, "png", &error, NULL);
  g_assert_no_error (error);
  return path;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE);
  f->world.page = rl_test_team_add_doc_bytes (&f->world.team, "acme", "Pricing", ".md",
                                              page_markdown, -1);
  rl_test_server_start (f->world.server);
  f->session = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
  f->app = rl_ui_test_register_app (f->session);
  /* In the build tree, not /tmp: the file chooser lists each folder the
   * typed path goes through, and a shared /tmp can hold thousands. */
  f->dir = g_build_filename (g_test_get_dir (G_TEST_BUILT), "versions-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (f->dir));
  f->shifted = write_shifted_mockup (f->dir);
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
  g_free (f->shifted);
}

/* ---- helpers ------------------------------------------------------------- */

/* A window of Ada's on doc, shown in its view of kind ("image", "page"). */
static RlWindow *
open_window (Fixture    *f,
             const char *doc,
             const char *kind)
{
  RlWindow *window = rl_window_new (f->app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  rl_ui_test_window_start (window, f->session, 2);
  rl_ui_test_window_show (window, doc, kind);
  rl_ui_test_run (200);
  return window;
}

static RlReviewState *
state_of (RlWindow *window)
{
  return rl_thread_panel_get_state (rl_window_get_thread_panel (window));
}

static RlDocStore *
store_of (RlWindow *window)
{
  return rl_review_state_get_store (state_of (window));
}

/* The header's subtitle: the version shown. */
static const char *
version_shown (RlWindow *window)
{
  AdwWindowTitle *title = ADW_WINDOW_TITLE (rl_ui_test_find_type (GTK_WIDGET (window), ADW_TYPE_WINDOW_TITLE));

  return adw_window_title_get_subtitle (title);
}

/* The banner offers a newer version, saying which. */
static gboolean
offers (RlWindow   *window,
        const char *title)
{
  RlBanner *banner = rl_window_get_banner (window, "version");

  return rl_banner_get_revealed (banner) && g_strcmp0 (rl_banner_get_title (banner), title) == 0;
}

/* Bob uploads path as the next version of doc over HTTP; its number. */
static gint64
teammate_uploads (Fixture    *f,
                  const char *doc,
                  const char *path,
                  const char *type)
{
  return rl_ui_test_upload_version (f->world.server, f->world.bob, doc, path, type);
}

/* Where the window shows thread's pin; asserted shown. */
static void
pin_at (RlWindow   *window,
        const char *thread,
        double     *x,
        double     *y)
{
  g_assert_true (rl_image_view_get_pin_position (rl_window_get_image_view (window), thread, x, y));
}

/* ---- a teammate's version: offered, shown on Show ------------------------ */

static void
test_offered_not_switched (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autofree char *thread = rl_ui_test_create_marker (bob, f->world.image, 0.5, 0.3, "Headline too tight");
  RlWindow *window = open_window (f, f->world.image, "image");
  RlImageView *view = rl_window_get_image_view (window);
  GtkScrollable *scrollable = GTK_SCROLLABLE (view);
  const RlRevisionAnchor *placement;
  g_autoptr(GObject) image = NULL;
  double zoom, hvalue, vvalue, x, y, x1, y1;
  GtkWidget *show;

  rl_ui_test_wait_pins (view, 1);
  g_assert_cmpstr (version_shown (window), ==, "Version 1");
  /* Ada reads closely: zoomed in, scrolled, the thread selected. */
  rl_image_view_zoom_at (view, 2 * rl_image_view_get_fit_zoom (view), 200, 150);
  rl_ui_test_run (100);
  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (scrollable), 120);
  rl_review_state_set_selected_thread (state_of (window), thread);
  rl_ui_test_run (200);
  /* Held, so that another image cannot take its address. */
  image = g_object_ref (rl_image_view_get_image_for_testing (view));
  zoom = rl_image_view_get_zoom (view);
  hvalue = gtk_adjustment_get_value (gtk_scrollable_get_hadjustment (scrollable));
  vvalue = gtk_adjustment_get_value (gtk_scrollable_get_vadjustment (scrollable));
  pin_at (window, thread, &x1, &y1);

  g_assert_cmpint (teammate_uploads (f, f->world.image, f->shifted, "image/png"), ==, 2);

  /* Offered; nothing of what she looks at moved. */
  g_assert_true (RL_UI_WAIT_UNTIL (offers (window, "Version 2 is available"), 5000));
  rl_ui_test_run (300);
  g_assert_true (rl_image_view_get_image_for_testing (view) == (gpointer) image);
  g_assert_cmpfloat (rl_image_view_get_zoom (view), ==, zoom);
  g_assert_cmpfloat (gtk_adjustment_get_value (gtk_scrollable_get_hadjustment (scrollable)), ==, hvalue);
  g_assert_cmpfloat (gtk_adjustment_get_value (gtk_scrollable_get_vadjustment (scrollable)), ==, vvalue);
  pin_at (window, thread, &x, &y);
  g_assert_cmpfloat (x, ==, x1);
  g_assert_cmpfloat (y, ==, y1);
  g_assert_cmpstr (version_shown (window), ==, "Version 1");
  /* An older version takes no new markers, and says why. */
  g_assert_false (rl_review_state_get_can_create (state_of (window)));
  g_assert_cmpstr (rl_review_state_get_cannot_create_reason (state_of (window)), ==,
                   "This is an older version; show the latest to add markers.");
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "version-offered", 200);

  /* Show, clicked: the new version in place, the marker where the server
   * carried it, the selection kept. */
  show = rl_ui_test_find (GTK_WIDGET (rl_window_get_banner (window, "version")), rl_ui_test_is_button_labelled,
                          "Show");
  g_assert_nonnull (show);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (show), 3000));
  rl_ui_input_wait_still (show);
  rl_ui_input_click (show);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_window_get_shown_revision (window) == 2, 5000));
  g_assert_true (rl_image_view_get_image_for_testing (view) != (gpointer) image);
  g_assert_cmpstr (version_shown (window), ==, "Version 2");
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_banner_get_revealed (rl_window_get_banner (window, "version")), 3000));
  g_assert_cmpstr (rl_review_state_get_selected_thread (state_of (window)), ==, thread);
  g_assert_true (rl_review_state_get_can_create (state_of (window)));
  placement = rl_thread_get_placement (rl_ui_test_store_thread (store_of (window), thread), 2);
  g_assert_nonnull (placement);
  g_assert_cmpint (placement->status, !=, RL_PLACEMENT_ORPHANED);
  pin_at (window, thread, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, placement->anchor.x, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, placement->anchor.y, 1e-9);
  /* The layout moved down 60 px: so did the marker. */
  g_assert_cmpfloat (y, >, y1);
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "version-shown", 200);
}

/* ---- Ada's own version: from the keyboard, and by a drop -------------------- */

/* An editable that holds the text data. */
static gboolean
is_text_saying (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_TEXT (widget) && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (widget)), data) == 0;
}

static GtkWidget *
file_chooser (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER (window) && gtk_widget_get_mapped (window))
        return window;
    }
  return NULL;
}

static void
test_upload_from_keyboard (Fixture       *f,
                           gconstpointer  data)
{
  /* Ada's other window first: the one she works in is presented last. */
  RlWindow *other = open_window (f, f->world.image, "image");
  RlWindow *window = open_window (f, f->world.image, "image");
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "win.upload-version");
  g_autoptr(GListModel) filters = NULL;
  GtkWidget *chooser;

  g_assert_true (accels && g_strv_contains ((const char *const *) accels, "<Shift><Control>o"));
  rl_ui_test_present (GTK_WINDOW (window), GTK_WIDGET (rl_window_get_image_view (window)));
  rl_ui_input_key (GDK_KEY_o, GDK_SHIFT_MASK | GDK_CONTROL_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (file_chooser () != NULL, 5000));
  chooser = file_chooser ();
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (chooser)) == GTK_WINDOW (window));
  /* Only images can be an image's next version. */
  filters = gtk_file_chooser_get_filters (GTK_FILE_CHOOSER (chooser));
  g_assert_cmpuint (g_list_model_get_n_items (filters), ==, 1);
  {
    g_autoptr(GtkFileFilter) filter = g_list_model_get_item (filters, 0);

    g_assert_cmpstr (gtk_file_filter_get_name (filter), ==, "Images (PNG, JPEG, WebP)");
  }
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (chooser)), ==, "Upload New Version of “Landing page”");

  /* The file's path typed in the location entry, then Enter. */
  rl_ui_input_settle ();
  rl_ui_input_key (GDK_KEY_l, GDK_CONTROL_MASK);
  rl_ui_test_run (300);
  rl_ui_input_type (f->shifted);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_find_shown (chooser, is_text_saying, f->shifted) != NULL, 5000));
  rl_ui_input_settle ();
  rl_ui_test_screenshot_settled (chooser, "version-upload-chooser", 200);
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (file_chooser () == NULL, 5000));

  /* This window shows its own version at once; the other offers it. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_window_get_shown_revision (window) == 2, 10000));
  g_assert_cmpstr (version_shown (window), ==, "Version 2");
  g_assert_false (rl_banner_get_revealed (rl_window_get_banner (window, "version")));
  g_assert_true (RL_UI_WAIT_UNTIL (offers (other, "Version 2 is available"), 5000));
  g_assert_cmpint (rl_window_get_shown_revision (other), ==, 1);
  g_assert_cmpstr (version_shown (other), ==, "Version 1");
  rl_ui_test_screenshot_settled (GTK_WIDGET (other), "version-offered-other-window", 200);
}

/* ---- compare two versions ------------------------------------------------ */

static RlCompareWindow *
compare_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (RL_IS_COMPARE_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return RL_COMPARE_WINDOW (window);
    }
  return NULL;
}

/* Compare Versions… from the keyboard: the version before the latest and
 * the latest, the marker on each where it was placed, swiped with a click
 * through the X server; Escape closes it. */
static void
test_compare (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autofree char *thread = rl_ui_test_create_marker (bob, f->world.image, 0.5, 0.3, "Headline too tight");
  RlWindow *window = open_window (f, f->world.image, "image");
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "win.compare-versions");
  RlCompareWindow *compare;
  RlImageCompare *view;
  graphene_rect_t older, newer;
  GtkWidget *swipe;
  gint64 from, to;

  g_assert_true (accels && g_strv_contains ((const char *const *) accels, "<Shift><Control>c"));
  rl_ui_test_wait_pins (rl_window_get_image_view (window), 1);
  /* One version: nothing to compare, the shortcut does nothing. */
  rl_ui_test_present (GTK_WINDOW (window), GTK_WIDGET (rl_window_get_image_view (window)));
  rl_ui_input_key (GDK_KEY_c, GDK_SHIFT_MASK | GDK_CONTROL_MASK);
  rl_ui_test_run (500);
  g_assert_null (compare_window ());
  g_assert_cmpint (teammate_uploads (f, f->world.image, f->shifted, "image/png"), ==, 2);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_revision (store_of (window)) == 2, 5000));

  rl_ui_test_present (GTK_WINDOW (window), GTK_WIDGET (rl_window_get_image_view (window)));
  rl_ui_input_key (GDK_KEY_c, GDK_SHIFT_MASK | GDK_CONTROL_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (compare_window () != NULL, 5000));
  compare = compare_window ();
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (compare)) == GTK_WINDOW (window));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_compare_window_is_loaded (compare), 10000));
  rl_compare_window_get_versions (compare, &from, &to);
  g_assert_cmpint (from, ==, 1);
  g_assert_cmpint (to, ==, 2);
  view = RL_IMAGE_COMPARE (rl_compare_window_get_view (compare));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_image_compare_get_image_bounds (view, FALSE, &older) &&
                                   rl_image_compare_get_image_bounds (view, TRUE, &newer), 5000));
  g_assert_cmpint (rl_image_compare_get_mode (view), ==, RL_IMAGE_COMPARE_SIDE_BY_SIDE);
  g_assert_cmpfloat (older.origin.x + older.size.width, <=, newer.origin.x);
  rl_ui_test_screenshot_settled (GTK_WIDGET (compare), "version-compare-side-by-side", 200);

  swipe = rl_ui_test_find (GTK_WIDGET (compare), rl_ui_test_is_button_labelled, "Swipe");
  g_assert_nonnull (swipe);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (swipe), 3000));
  rl_ui_input_wait_still (swipe);
  rl_ui_input_click (swipe);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_image_compare_get_mode (view) == RL_IMAGE_COMPARE_SWIPE, 3000));
  rl_ui_test_screenshot_settled (GTK_WIDGET (compare), "version-compare-swipe", 200);

  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (compare_window () == NULL, 5000));
}

/* Opens the header's Versions menu with a click and clicks its item text. */
static void
choose_version (RlWindow   *window,
                const char *text)
{
  GtkWidget *button = rl_ui_test_find (GTK_WIDGET (window), rl_ui_test_has_icon_name, "document-open-recent-symbolic");
  GtkPopover *menu;
  GtkWidget *item;

  g_assert_nonnull (button);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (button) && rl_ui_test_widget_placed (button), 5000));
  rl_ui_input_wait_still (button);
  rl_ui_input_click (button);
  menu = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (menu)), 5000));
  rl_ui_test_run (300);
  item = rl_ui_test_menu_item (menu, text);
  rl_ui_input_wait_still (item);
  rl_ui_input_click (item);
}

/* Any version is shown again from the header's Versions menu: an older one
 * in place, read-only, each marker where it was placed on it; back to the
 * latest the same way. */
static void
test_show_older (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autofree char *thread = rl_ui_test_create_marker (bob, f->world.image, 0.5, 0.3, "Headline too tight");
  RlWindow *window = open_window (f, f->world.image, "image");
  const RlRevisionAnchor *placement;
  double x, y1, y2;

  rl_ui_test_wait_pins (rl_window_get_image_view (window), 1);
  g_assert_cmpint (teammate_uploads (f, f->world.image, f->shifted, "image/png"), ==, 2);
  g_assert_true (RL_UI_WAIT_UNTIL (offers (window, "Version 2 is available"), 5000));
  pin_at (window, thread, &x, &y1);

  rl_ui_test_present (GTK_WINDOW (window), GTK_WIDGET (rl_window_get_image_view (window)));
  choose_version (window, "Version 2 (latest)");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_window_get_shown_revision (window) == 2, 5000));
  g_assert_cmpstr (version_shown (window), ==, "Version 2");
  g_assert_true (rl_review_state_get_can_create (state_of (window)));
  placement = rl_thread_get_placement (rl_ui_test_store_thread (store_of (window), thread), 2);
  pin_at (window, thread, &x, &y2);
  g_assert_cmpfloat_with_epsilon (y2, placement->anchor.y, 1e-9);

  choose_version (window, "Version 1");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_window_get_shown_revision (window) == 1, 5000));
  g_assert_cmpstr (version_shown (window), ==, "Version 1");
  g_assert_false (rl_review_state_get_can_create (state_of (window)));
  pin_at (window, thread, &x, &y1);
  g_assert_cmpfloat_with_epsilon (y1, rl_thread_get_placement (rl_ui_test_store_thread (store_of (window), thread),
                                                               1)->anchor.y, 1e-9);
  g_assert_cmpfloat (y1, <, y2);
  /* An older version shown: the newer one is offered again. */
  g_assert_true (RL_UI_WAIT_UNTIL (offers (window, "Version 2 is available"), 3000));
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "version-older-shown", 200);
}

/* ---- a file dropped on the document, from a file manager ------------------ */

/* Where widget's left edge is on the screen. */
static int
screen_x (GtkWidget *widget)
{
  int x, y;

  rl_ui_input_screen_point (widget, 0, 0, &x, &y);
  return x;
}

/* A small window beside Ada's (right of their 1100 px), as a file manager
 * is, showing the file at path: its drag source offers the file as
 * Nautilus does (a GdkFileList). The file's widget, to drag from. */
static GtkWidget *
file_manager_new (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *name = g_file_get_basename (file);
  GSList files = { file, NULL };
  GdkFileList *list = gdk_file_list_new_from_list (&files);
  g_autoptr(GdkContentProvider) content = gdk_content_provider_new_typed (GDK_TYPE_FILE_LIST, list);
  GtkDragSource *source = gtk_drag_source_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *icon = gtk_label_new (name);

  g_boxed_free (GDK_TYPE_FILE_LIST, list);
  gtk_drag_source_set_content (source, content);
  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  gtk_widget_add_controller (icon, GTK_EVENT_CONTROLLER (source));
  gtk_window_set_title (GTK_WINDOW (window), "Files");
  gtk_window_set_default_size (GTK_WINDOW (window), 320, 200);
  gtk_window_set_child (GTK_WINDOW (window), icon);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (icon), 5000));
  rl_ui_input_wm_move (GTK_WINDOW (window), 1180, 80);
  g_assert_true (RL_UI_WAIT_UNTIL (screen_x (icon) >= 1180, 5000));
  rl_ui_input_wait_still (icon);
  return icon;
}

static void
file_manager_close (GtkWidget *icon)
{
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (icon)));
}

/* Drags the file shown by icon onto the middle of window's image, through
 * the X server, and waits for the window to ask about it. */
static AdwMessageDialog *
drop_file (GtkWidget *icon,
           RlWindow  *window)
{
  GtkWidget *view = GTK_WIDGET (rl_window_get_image_view (window));
  AdwMessageDialog *dialog;

  rl_ui_input_drop_on (icon, gtk_widget_get_width (icon) / 2.0, gtk_widget_get_height (icon) / 2.0,
                       view, gtk_widget_get_width (view) / 2.0, gtk_widget_get_height (view) / 2.0);
  g_assert_true (RL_UI_WAIT_UNTIL ((dialog = rl_ui_test_message_dialog ()) != NULL, 5000));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  /* It has the keyboard, as the window a person answers in. */
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_window_is_active (GTK_WINDOW (dialog)), 5000));
  rl_ui_input_settle ();
  return dialog;
}

/* How many revisions the server holds of doc. */
static guint
server_revisions (Fixture    *f,
                  const char *doc)
{
  g_autofree char *route = g_strdup_printf ("/api/v1/docs/%s/revisions", doc);
  RlTestResponse *response = rl_test_http (f->world.server, "GET", route, f->world.ada, NULL, NULL);
  guint n;

  g_assert_cmpuint (response->status, ==, 200);
  n = json_array_get_length (json_object_get_array_member (json_node_get_object (response->json), "revisions"));
  rl_test_response_free (response);
  return n;
}

static void
test_drop_asks_first (Fixture       *f,
                      gconstpointer  data)
{
  RlWindow *other = open_window (f, f->world.image, "image");
  RlWindow *window = open_window (f, f->world.image, "image");
  GtkWidget *icon;
  AdwMessageDialog *dialog;

  rl_ui_test_present (GTK_WINDOW (window), GTK_WIDGET (rl_window_get_image_view (window)));
  icon = file_manager_new (f->shifted);
  dialog = drop_file (icon, window);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Upload “Landing v2.png” as version 2 of “Landing page”?");
  rl_ui_test_screenshot_settled (GTK_WIDGET (dialog), "version-drop-asks", 200);

  /* Cancelled: nothing sent. */
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_message_dialog () == NULL, 5000));
  rl_ui_test_run (500);
  g_assert_cmpint (rl_doc_store_get_revision (store_of (window)), ==, 1);
  g_assert_cmpuint (server_revisions (f, f->world.image), ==, 1);

  /* Dropped again, and Upload (the default, Enter). */
  drop_file (icon, window);
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_window_get_shown_revision (window) == 2, 10000));
  g_assert_cmpuint (server_revisions (f, f->world.image), ==, 2);
  g_assert_false (rl_banner_get_revealed (rl_window_get_banner (window, "version")));
  g_assert_true (RL_UI_WAIT_UNTIL (offers (other, "Version 2 is available"), 5000));
  g_assert_cmpint (rl_window_get_shown_revision (other), ==, 1);
  file_manager_close (icon);
}

/* The error shown under the document list for the upload of name, or NULL
 * (none yet, or no such upload). */
static const char *
upload_error (RlWindow   *window,
              const char *name)
{
  g_autoptr(GPtrArray) rows = rl_ui_test_find_all (GTK_WIDGET (window), rl_ui_test_is_of_type,
                                                   GSIZE_TO_POINTER (RL_TYPE_UPLOAD_ROW));

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (rl_upload_row_get_name (g_ptr_array_index (rows, i)), name) == 0)
      return rl_upload_row_get_error (g_ptr_array_index (rows, i));
  return NULL;
}

/* A file that cannot be the image's next version, dropped: a page, and
 * bytes that are no image under an image's name. The window reads the file
 * as the upload would before it asks anything: it says at once why it
 * cannot be a version, asks nothing, and nothing reaches the server. */
static void
test_drop_wrong_kind (Fixture       *f,
                      gconstpointer  data)
{
  static const struct
  {
    const char *name;
    const char *contents;
    const char *error;
  } files[] = {
    { "Notes.md", "# Notes\n\nThe headline is too tight.\n",
      "“Notes.md” is not a PNG, JPEG or WebP image; a new version of an image must be one" },
    { "Broken.png", "these bytes are no image at all\n",
      "“Broken.png” can’t be read as a PNG image; it may be damaged: export it again and upload the new file" },
  };
  RlWindow *window = open_window (f, f->world.image, "image");
  GtkWidget *view = GTK_WIDGET (rl_window_get_image_view (window));

  rl_ui_test_present (GTK_WINDOW (window), view);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, files[i].name, NULL);
      g_autoptr(GError) error = NULL;
      AdwToast *before = rl_window_get_last_toast (window);
      GtkWidget *icon;

      g_file_set_contents (path, files[i].contents, -1, &error);
      g_assert_no_error (error);
      icon = file_manager_new (path);
      rl_ui_input_drop_on (icon, gtk_widget_get_width (icon) / 2.0, gtk_widget_get_height (icon) / 2.0,
                           view, gtk_widget_get_width (view) / 2.0, gtk_widget_get_height (view) / 2.0);
      g_assert_true (RL_UI_WAIT_UNTIL (rl_window_get_last_toast (window) != before, 10000));
      g_assert_cmpstr (adw_toast_get_title (rl_window_get_last_toast (window)), ==, files[i].error);
      /* Nobody was asked, and no upload was started. */
      g_assert_null (rl_ui_test_message_dialog ());
      g_assert_null (upload_error (window, files[i].name));
      rl_ui_test_screenshot_settled (GTK_WIDGET (window), i == 0 ? "version-drop-refused-page"
                                                                 : "version-drop-refused-broken", 200);
      file_manager_close (icon);
    }
  /* Nothing reached the server, nothing changed in the window. */
  rl_ui_test_run (500);
  g_assert_null (rl_ui_test_message_dialog ());
  g_assert_cmpuint (server_revisions (f, f->world.image), ==, 1);
  g_assert_cmpint (rl_doc_store_get_revision (store_of (window)), ==, 1);
  g_assert_cmpint (rl_window_get_shown_revision (window), ==, 1);
  g_assert_cmpstr (version_shown (window), ==, "Version 1");
}

/* ---- a page from the server's text model ------------------------------------ */

static RlPageText *
server_text (Fixture    *f,
             const char *doc,
             gint64      revision)
{
  g_autofree char *route = g_strdup_printf ("/api/v1/docs/%s/revisions/%" G_GINT64_FORMAT "/text", doc, revision);
  RlTestResponse *response = rl_test_http (f->world.server, "GET", route, f->world.ada, NULL, NULL);
  g_autoptr(GError) error = NULL;
  RlPageText *text;

  g_assert_cmpuint (response->status, ==, 200);
  text = rl_page_text_new_from_json (response->json, &error);
  g_assert_no_error (error);
  rl_test_response_free (response);
  return text;
}

static void
test_page_from_server_text (Fixture       *f,
                            gconstpointer  data)
{
  RlWindow *window = open_window (f, f->world.page, "page");
  RlPageView *view = rl_window_get_page_view (window);
  g_autoptr(RlPageText) model = server_text (f, f->world.page, 1);
  g_autoptr(RlPageText) local = rl_ui_test_page_from_markdown (page_markdown);
  g_autofree char *shown = NULL;
  g_autofree char *expected = NULL;
  gsize n_bytes;

  /* What is shown is the server's model, laid out. */
  g_assert_true (rl_page_text_equal (rl_page_view_get_page (view), model));
  shown = rl_ui_test_text_view_text (GTK_TEXT_VIEW (rl_page_view_get_text_view (view)));
  expected = rl_page_text_view_dup_shown_text (model, &n_bytes);
  g_assert_cmpstr (shown, ==, expected);
  /* The entity decoded, the table laid out: as the page read before, when
   * the app parsed it itself. */
  g_assert_true (rl_page_text_equal (model, local));
  g_assert_nonnull (strstr (shown, "Plans for teams … and for one & all."));
  g_assert_cmpstr (version_shown (window), ==, "Version 1");

  /* A new version of the page: offered, then shown from its own model. */
  {
    g_autofree char *path = g_build_filename (f->dir, "Pricing v2.md", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(RlPageText) second = NULL;
    GtkWidget *show;

    g_file_set_contents (path, "# Pricing\n\nNew plans &mdash; soon.\n", -1, &error);
    g_assert_no_error (error);
    g_assert_cmpint (teammate_uploads (f, f->world.page, path, "text/markdown"), ==, 2);
    g_assert_true (RL_UI_WAIT_UNTIL (offers (window, "Version 2 is available"), 5000));
    g_assert_true (rl_page_text_equal (rl_page_view_get_page (view), model));
    show = rl_ui_test_find (GTK_WIDGET (rl_window_get_banner (window, "version")), rl_ui_test_is_button_labelled,
                            "Show");
    g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (show), 3000));
    rl_ui_input_wait_still (show);
    rl_ui_input_click (show);
    g_assert_true (RL_UI_WAIT_UNTIL (rl_window_get_shown_revision (window) == 2, 5000));
    second = server_text (f, f->world.page, 2);
    g_assert_true (rl_page_text_equal (rl_page_view_get_page (view), second));
  }
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "version-page", 200);
}

int
main (int   argc,
      char *argv[])
{
  rl_ui_test_init (&argc, &argv);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/versions/offered-not-switched", test_offered_not_switched);
  ADD ("/versions/upload-from-keyboard", test_upload_from_keyboard);
  ADD ("/versions/drop-asks-first", test_drop_asks_first);
  ADD ("/versions/drop-wrong-kind", test_drop_wrong_kind);
  ADD ("/versions/page-from-server-text", test_page_from_server_text);
  ADD ("/versions/compare", test_compare);
  ADD ("/versions/show-older", test_show_older);

  return g_test_run ();
}
