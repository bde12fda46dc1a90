/* test-image-view.c — the image view under Xvfb, against the real server:
 * Ada's window (a real RlConnection and RlDocStore), Bob and Ann as second
 * clients with stores of their own
 *
 * Pointer events cannot be synthesised in GTK 4, so clicks and pin drags go
 * through rl_image_view_click_for_testing / _drag_pin_for_testing: the very
 * handlers the gestures call. The composer, its text view and its Send
 * button are the real widgets, activated for real; keys are the view's own
 * shortcuts, found by their trigger and activated.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "rl-doc-store.h"
#include "rl-image-view-private.h"
#include "rl-marker-composer-private.h"
#include "rl-test-server.h"
#include "rl-ui-test.h"

typedef struct
{
  RlUiTestWorld world;        /* the landing mockup */
  const char   *ann;          /* admin */
  RlConnection *connection;   /* Ada's */
  RlDocStore   *store;
  GtkWidget    *window;
  RlImageView  *view;
} Fixture;

static GdkTexture *
load_mockup (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "demo",
                                            "landing-mockup.png", NULL);
  g_autoptr(GError) error = NULL;
  GdkTexture *texture = gdk_texture_new_from_filename (path, &error);

  g_assert_no_error (error);
  return texture;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GdkTexture) texture = load_mockup ();
  g_autoptr(RlReviewState) state = rl_review_state_new ();
  GtkWidget *scroller;

  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE);
  f->ann = rl_test_team_add_person (&f->world.team, "Ann:admin");
  rl_test_server_start (f->world.server);

  f->connection = rl_ui_test_connect (f->world.server, f->world.ada);
  f->store = rl_ui_test_open_store (f->connection, f->world.image, RL_DOC_KIND_IMAGE);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 600);
  scroller = gtk_scrolled_window_new ();
  f->view = RL_IMAGE_VIEW (rl_image_view_new (state));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (f->view));
  gtk_window_set_child (GTK_WINDOW (f->window), scroller);
  rl_image_view_set_texture (f->view, texture);
  rl_review_state_set_store (rl_image_view_get_state (f->view), f->store, RL_DOC_KIND_IMAGE);
  rl_ui_test_present (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  rl_ui_test_run (50);
  g_clear_object (&f->store);
  rl_connection_stop (f->connection);
  g_clear_object (&f->connection);
  rl_ui_test_world_clear (&f->world);
}

/* ---- (1) a click creates a marker a second client sees ------------------- */

static void
test_click_creates (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RlConnection) bob_conn = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob = rl_ui_test_open_store (bob_conn, f->world.image, RL_DOC_KIND_IMAGE);
  RlMarkerComposer *composer = RL_MARKER_COMPOSER (rl_image_view_get_composer (f->view));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_marker_composer_get_text_view (composer)));
  g_autofree char *text = NULL;
  const RlThread *seen;
  double x, y, px, py;

  g_assert_true (rl_image_view_image_to_widget (f->view, 0.25, 0.4, &x, &y));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (composer)));
  rl_image_view_click_for_testing (f->view, x, y);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  /* Typed into the real text view; nothing sent yet. */
  g_assert_true (gtk_widget_has_focus (rl_marker_composer_get_text_view (composer)));
  gtk_text_buffer_insert_at_cursor (buffer, "The hero headline wraps too early", -1);
  rl_ui_test_run (200);
  rl_ui_test_screenshot_with_popover (f->window, GTK_WIDGET (composer), "image-view-composer");
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (bob)), ==, 0);

  rl_ui_test_activate_button (rl_marker_composer_get_send_button (composer));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (composer)));
  /* Shown at once, selected, and the draft is gone. */
  g_assert_cmpuint (rl_image_view_get_n_pins (f->view), ==, 1);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_image_view_get_state (f->view)), ==, rl_ui_test_store_thread_at (f->store, 0)->id);
  text = rl_marker_composer_dup_text (composer);
  g_assert_cmpstr (text, ==, "");

  /* Bob sees it at that very position. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (bob) == 1, 5000));
  seen = rl_ui_test_store_thread_at (bob, 0);
  g_assert_cmpstr (rl_ui_test_first_body (seen), ==, "The hero headline wraps too early");
  g_assert_cmpfloat_with_epsilon (seen->anchor.x, 0.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (seen->anchor.y, 0.4, 1e-9);
  g_assert_cmpstr (seen->created_by.id, ==, rl_connection_get_user_id (f->connection));

  /* Our own marker, after its echo: one pin, no "teammate" highlight. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  rl_ui_test_run (300);
  g_assert_cmpuint (rl_image_view_get_n_pins (f->view), ==, 1);
  g_assert_true (rl_image_view_get_pin_position (f->view, seen->id, &px, &py));
  g_assert_cmpfloat_with_epsilon (px, 0.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (py, 0.4, 1e-9);
  g_assert_false (rl_image_view_pin_is_highlighted (f->view, seen->id));

  /* A click on a pin is no click on empty image: no composer, it selects. */
  rl_review_state_set_selected_thread (rl_image_view_get_state (f->view), NULL);

  /* Keyboard: Enter on the view itself opens the composer at the centre. */
  gtk_widget_grab_focus (GTK_WIDGET (f->view));
  rl_ui_test_press_key (GTK_WIDGET (f->view), GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  gtk_text_buffer_insert_at_cursor (buffer, "Centre", -1);
  /* Closing (Escape, a click away) sends nothing and keeps the text as a
   * draft (test-image-input drives that with real keys). */
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (300);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (f->store)), ==, 1);
  g_clear_pointer (&text, g_free);
  text = rl_marker_composer_dup_text (composer);
  g_assert_cmpstr (text, ==, "");
  g_assert_cmpuint (rl_composer_base_get_drafts (RL_COMPOSER_BASE (composer))->len, ==, 1);
  g_assert_cmpstr (rl_composer_draft_get_text (g_ptr_array_index (rl_composer_base_get_drafts (RL_COMPOSER_BASE (composer)), 0)),
                   ==, "Centre");

  /* Offline: the send fails at once; the text stays, the error shows inside. */
  rl_connection_stop (f->connection);
  rl_image_view_open_composer (f->view, 0.6, 0.6, "Kept while offline");
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_ui_test_activate_button (rl_marker_composer_get_send_button (composer));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer)));
  g_assert_nonnull (rl_marker_composer_get_error (composer));
  g_clear_pointer (&text, g_free);
  text = rl_marker_composer_dup_text (composer);
  g_assert_cmpstr (text, ==, "Kept while offline");
  g_assert_cmpuint (rl_image_view_get_n_pins (f->view), ==, 1);
  rl_ui_test_run (200);
  rl_ui_test_screenshot_with_popover (f->window, GTK_WIDGET (composer), "image-view-composer-offline");
  gtk_popover_popdown (GTK_POPOVER (composer));
}

/* ---- (2) a second client's marker appears, once -------------------------- */

typedef struct
{
  RlImageView *view;
  guint        calls;
  gboolean     in_step;
} StepCheck;

static void
check_in_step (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               StepCheck  *check)
{
  /* Connected after the view: by now the view has handled this change. */
  check->calls++;
  check->in_step &= rl_image_view_get_n_pins (check->view) == g_list_model_get_n_items (model);
}

static void
test_remote_marker (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RlConnection) bob_conn = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob = rl_ui_test_open_store (bob_conn, f->world.image, RL_DOC_KIND_IMAGE);
  StepCheck check = { f->view, 0, TRUE };
  g_autofree char *id = NULL;
  GtkWidget *pin;
  double x, y;

  g_signal_connect (rl_doc_store_get_threads (f->store), "items-changed", G_CALLBACK (check_in_step), &check);
  id = rl_ui_test_store_create_marker (bob, 0.7, 0.3, "Logo is blurry at this size");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_image_view_get_n_pins (f->view) == 1, 5000));
  g_assert_true (rl_image_view_get_pin_position (f->view, id, &x, &y));
  g_assert_cmpfloat_with_epsilon (x, 0.7, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, 0.3, 1e-9);
  /* A teammate's: highlighted for a moment. */
  g_assert_true (rl_image_view_pin_is_highlighted (f->view, id));
  pin = rl_image_view_get_pin (f->view, id);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (pin), ==, "Marker 1: Logo is blurry at this size");
  g_assert_true (gtk_widget_get_focusable (pin));

  /* Bob's echo comes and goes: still one pin in Ada's view. */
  rl_ui_test_run (500);
  g_assert_cmpuint (rl_image_view_get_n_pins (f->view), ==, 1);
  g_assert_cmpuint (check.calls, >=, 1);
  g_assert_true (check.in_step);
  /* The highlight is short. */
  rl_ui_test_run (1500);
  g_assert_false (rl_image_view_pin_is_highlighted (f->view, id));
  g_signal_handlers_disconnect_by_func (rl_doc_store_get_threads (f->store), check_in_step, &check);
}

/* ---- (3) zoom ------------------------------------------------------------ */

static void
assert_point_fixed (Fixture *f,
                    double   zoom,
                    double   x,
                    double   y)
{
  double ix, iy, jx, jy;

  g_assert_true (rl_image_view_widget_to_image (f->view, x, y, &ix, &iy));
  rl_image_view_zoom_at (f->view, zoom, x, y);
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_zoom (f->view), zoom, 1e-12);
  g_assert_true (rl_image_view_widget_to_image (f->view, x, y, &jx, &jy));
  g_assert_cmpfloat_with_epsilon (jx, ix, 1e-6);
  g_assert_cmpfloat_with_epsilon (jy, iy, 1e-6);
  rl_ui_test_run (50);
  /* Still true once laid out (the allocation kept the scroll values). */
  g_assert_true (rl_image_view_widget_to_image (f->view, x, y, &jx, &jy));
  g_assert_cmpfloat_with_epsilon (jx, ix, 1e-6);
  g_assert_cmpfloat_with_epsilon (jy, iy, 1e-6);
}

static void
test_zoom (Fixture       *f,
           gconstpointer  data)
{
  GtkWidget *widget = GTK_WIDGET (f->view);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double fit = MIN ((width - 48.0) / 1440, (height - 48.0) / 900);
  GtkAdjustment *hadj = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (f->view));
  double x, y, x2, y2, zoom;

  rl_ui_test_screenshot_settled (f->window, "image-view-empty", 100);

  /* Fit to the window, centred. */
  g_assert_true (rl_image_view_is_fit (f->view));
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_zoom (f->view), fit, 1e-12);
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_fit_zoom (f->view), fit, 1e-12);
  g_assert_true (rl_image_view_image_to_widget (f->view, 0.5, 0.5, &x, &y));
  g_assert_cmpfloat_with_epsilon (x, width / 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, height / 2.0, 1e-9);
  g_assert_true (rl_image_view_image_to_widget (f->view, 0, 0, &x, &y));
  g_assert_true (x >= 24.0 - 1e-9 && y >= 24.0 - 1e-9);
  g_assert_true (fabs (x - 24.0) < 1e-9 || fabs (y - 24.0) < 1e-9);

  /* About the pointer: the image point under it stays put. */
  assert_point_fixed (f, 2.0, width * 0.3, height * 0.6);
  assert_point_fixed (f, 3.7, width * 0.8, height * 0.2);
  assert_point_fixed (f, 1.1, width * 0.5, height * 0.5);
  g_assert_false (rl_image_view_is_fit (f->view));

  /* Scrollbars pan: the image moves by what the adjustment moves. */
  g_assert_true (rl_image_view_image_to_widget (f->view, 0.5, 0.5, &x, &y));
  gtk_adjustment_set_value (hadj, gtk_adjustment_get_value (hadj) + 50);
  g_assert_true (rl_image_view_image_to_widget (f->view, 0.5, 0.5, &x2, &y2));
  g_assert_cmpfloat_with_epsilon (x2, x - 50, 1e-9);
  g_assert_cmpfloat_with_epsilon (y2, y, 1e-9);

  /* Keys: + and − step by the same factor, 0 fits again; with Ctrl too. */
  zoom = rl_image_view_get_zoom (f->view);
  rl_ui_test_press_key (widget, GDK_KEY_plus, 0);
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_zoom (f->view), zoom * 1.25, 1e-9);
  rl_ui_test_press_key (widget, GDK_KEY_minus, 0);
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_zoom (f->view), zoom, 1e-9);
  rl_ui_test_press_key (widget, GDK_KEY_plus, GDK_CONTROL_MASK);
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_zoom (f->view), zoom * 1.25, 1e-9);
  rl_ui_test_press_key (widget, GDK_KEY_minus, GDK_CONTROL_MASK);
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_zoom (f->view), zoom, 1e-9);
  rl_ui_test_press_key (widget, GDK_KEY_0, 0);
  g_assert_true (rl_image_view_is_fit (f->view));
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_zoom (f->view), fit, 1e-12);
  rl_image_view_zoom_at (f->view, 2.0, 10, 10);
  rl_ui_test_press_key (widget, GDK_KEY_0, GDK_CONTROL_MASK);
  g_assert_true (rl_image_view_is_fit (f->view));

  /* Bounds. */
  rl_image_view_zoom_at (f->view, 1000, 10, 10);
  g_assert_cmpfloat (rl_image_view_get_zoom (f->view), ==, 32.0);
  rl_image_view_zoom_at (f->view, 1e-6, 10, 10);
  g_assert_cmpfloat (rl_image_view_get_zoom (f->view), >, 0.0);

  /* 400 % about the logo: pixels stay sharp squares. */
  rl_image_view_zoom_to_fit (f->view);
  rl_ui_test_run (50);
  g_assert_true (rl_image_view_image_to_widget (f->view, 0.08, 0.05, &x, &y));
  rl_image_view_zoom_at (f->view, 4.0, x, y);
  rl_ui_test_screenshot_settled (f->window, "image-view-zoom-400", 100);
}

/* ---- (4) dragging a pin -------------------------------------------------- */

static void
test_drag (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(RlConnection) bob_conn = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob = rl_ui_test_open_store (bob_conn, f->world.image, RL_DOC_KIND_IMAGE);
  g_autofree char *mine = rl_ui_test_store_create_marker (f->store, 0.3, 0.3, "Move me");
  g_autofree char *theirs = NULL;
  double zoom = rl_image_view_get_zoom (f->view);
  double x, y;

  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (bob) == 1, 5000));
  /* The author drags it by (100, 50) px: the server has the new place. */
  rl_image_view_drag_pin_for_testing (f->view, mine, 100, 50);
  g_assert_true (rl_image_view_get_pin_position (f->view, mine, &x, &y));
  g_assert_cmpfloat_with_epsilon (x, 0.3 + 100 / (1440 * zoom), 1e-9);
  g_assert_cmpfloat_with_epsilon (y, 0.3 + 50 / (900 * zoom), 1e-9);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  rl_ui_test_run (300);
  g_assert_cmpfloat_with_epsilon (rl_ui_test_store_thread_at (bob, 0)->anchor.x, 0.3 + 100 / (1440 * zoom), 1e-9);
  g_assert_cmpfloat_with_epsilon (rl_ui_test_store_thread_at (bob, 0)->anchor.y, 0.3 + 50 / (900 * zoom), 1e-9);

  /* Bob's marker: Ada may not move it; the drag is a click (it selects). */
  theirs = rl_ui_test_store_create_marker (bob, 0.6, 0.6, "Not yours");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_image_view_get_n_pins (f->view) == 2, 5000));
  rl_image_view_drag_pin_for_testing (f->view, theirs, 120, -80);
  g_assert_true (rl_image_view_get_pin_position (f->view, theirs, &x, &y));
  g_assert_cmpfloat_with_epsilon (x, 0.6, 1e-12);
  g_assert_cmpfloat_with_epsilon (y, 0.6, 1e-12);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_image_view_get_state (f->view)), ==, theirs);
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (f->store), ==, 0);
  rl_ui_test_run (300);
  g_assert_cmpfloat_with_epsilon (rl_ui_test_store_thread_at (bob, 1)->anchor.x, 0.6, 1e-12);
  g_assert_cmpfloat_with_epsilon (rl_ui_test_store_thread_at (bob, 1)->anchor.y, 0.6, 1e-12);

  /* An admin may move anyone's. */
  {
    g_autoptr(RlConnection) ann_conn = rl_ui_test_connect (f->world.server, f->ann);
    g_autoptr(RlDocStore) ann = rl_ui_test_open_store (ann_conn, f->world.image, RL_DOC_KIND_IMAGE);
    g_autoptr(RlReviewState) state = rl_review_state_new ();
    GtkWidget *window = gtk_window_new ();
    RlImageView *view = RL_IMAGE_VIEW (rl_image_view_new (state));
    g_autoptr(GdkTexture) texture = load_mockup ();
    double ann_zoom;

    gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
    gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
    rl_image_view_set_texture (view, texture);
    rl_review_state_set_store (rl_image_view_get_state (view), ann, RL_DOC_KIND_IMAGE);
    gtk_window_present (GTK_WINDOW (window));
    rl_ui_test_run (300);
    g_assert_cmpuint (rl_image_view_get_n_pins (view), ==, 2);
    ann_zoom = rl_image_view_get_zoom (view);
    rl_image_view_drag_pin_for_testing (view, theirs, -72, 0);
    g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (ann), 5000));
    rl_ui_test_run (300);
    g_assert_cmpfloat_with_epsilon (rl_ui_test_store_thread_at (bob, 1)->anchor.x, 0.6 - 72 / (1440 * ann_zoom), 1e-9);
    /* …and Ada's view follows. */
    g_assert_true (rl_image_view_get_pin_position (f->view, theirs, &x, &y));
    g_assert_cmpfloat_with_epsilon (x, 0.6 - 72 / (1440 * ann_zoom), 1e-9);
    gtk_window_destroy (GTK_WINDOW (window));
    rl_ui_test_run (50);
    rl_connection_stop (ann_conn);
  }

  /* From the keyboard: Alt+Right three times and Alt+Shift+Down twice move
   * Ada's own pin (30 px, 2 px), Enter sends it. */
  {
    GtkWidget *pin = rl_image_view_get_pin (f->view, mine);
    double x0, y0;

    zoom = rl_image_view_get_zoom (f->view);
    g_assert_true (rl_image_view_get_pin_position (f->view, mine, &x0, &y0));
    for (int i = 0; i < 3; i++)
      rl_ui_test_press_key (pin, GDK_KEY_Right, GDK_ALT_MASK);
    for (int i = 0; i < 2; i++)
      rl_ui_test_press_key (pin, GDK_KEY_Down, GDK_ALT_MASK | GDK_SHIFT_MASK);
    g_assert_true (rl_image_view_get_pin_position (f->view, mine, &x, &y));
    g_assert_cmpfloat_with_epsilon (x, x0 + 30 / (1440 * zoom), 1e-9);
    g_assert_cmpfloat_with_epsilon (y, y0 + 2 / (900 * zoom), 1e-9);
    g_assert_cmpuint (rl_doc_store_get_n_in_flight (f->store), ==, 0);   /* not sent yet */
    rl_ui_test_press_key (pin, GDK_KEY_Return, 0);
    g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
    rl_ui_test_run (300);
    g_assert_cmpfloat_with_epsilon (rl_ui_test_store_thread_at (bob, 0)->anchor.x, x0 + 30 / (1440 * zoom), 1e-9);
    g_assert_cmpfloat_with_epsilon (rl_ui_test_store_thread_at (bob, 0)->anchor.y, y0 + 2 / (900 * zoom), 1e-9);

    /* Escape puts a keyboard move back; nothing is sent. */
    rl_ui_test_press_key (pin, GDK_KEY_Left, GDK_ALT_MASK);
    rl_ui_test_press_key (pin, GDK_KEY_Escape, 0);
    rl_ui_test_run (1000);
    g_assert_true (rl_image_view_get_pin_position (f->view, mine, &x, &y));
    g_assert_cmpfloat_with_epsilon (x, x0 + 30 / (1440 * zoom), 1e-9);
    g_assert_cmpfloat_with_epsilon (rl_ui_test_store_thread_at (bob, 0)->anchor.x, x0 + 30 / (1440 * zoom), 1e-9);

    /* Bob's pin does not move from Ada's keyboard. */
    rl_ui_test_press_key (rl_image_view_get_pin (f->view, theirs), GDK_KEY_Right, GDK_ALT_MASK);
    rl_ui_test_run (1000);
    g_assert_cmpuint (rl_doc_store_get_n_in_flight (f->store), ==, 0);
    g_assert_true (rl_image_view_get_pin_position (f->view, theirs, &x, &y));
    g_assert_cmpfloat_with_epsilon (x, rl_ui_test_store_thread_at (bob, 1)->anchor.x, 1e-12);
  }
}

/* ---- (5) resolved pins --------------------------------------------------- */

static void
test_hide_resolved (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RlConnection) bob_conn = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob = rl_ui_test_open_store (bob_conn, f->world.image, RL_DOC_KIND_IMAGE);
  g_autofree char *a = rl_ui_test_store_create_marker (f->store, 0.12, 0.08, "Logo needs more room");
  g_autofree char *b = rl_ui_test_store_create_marker (bob, 0.5, 0.42, "Headline: use the display weight");
  g_autofree char *c = rl_ui_test_store_create_marker (f->store, 0.76, 0.62, "This card's shadow is too heavy");
  g_autofree char *d = rl_ui_test_store_create_marker (bob, 0.3, 0.8, "Footer links are hard to read");
  g_autoptr(GError) error = NULL;
  GtkWidget *pin_a, *pin_c, *pin_d;
  double x, y;

  g_assert_true (RL_UI_WAIT_UNTIL (rl_image_view_get_n_pins (f->view) == 4, 5000));
  g_assert_true (rl_doc_store_resolve_thread (bob, b, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (f->store) > 1 &&
                                   rl_ui_test_store_thread_at (f->store, 1)->resolved, 5000));
  rl_review_state_set_selected_thread (rl_image_view_get_state (f->view), c);
  rl_ui_test_run (1800);   /* past the teammates' highlight */
  rl_ui_test_screenshot_settled (f->window, "image-view-markers", 100);

  g_assert_cmpuint (rl_image_view_get_n_pins (f->view), ==, 4);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (rl_image_view_get_pin (f->view, b)), ==,
                   "Marker 2 (resolved): Headline: use the display weight");
  rl_review_state_set_hide_resolved (rl_image_view_get_state (f->view), TRUE);
  g_assert_cmpuint (rl_image_view_get_n_pins (f->view), ==, 3);
  g_assert_false (rl_image_view_get_pin_position (f->view, b, &x, &y));
  g_assert_true (rl_image_view_get_pin_position (f->view, a, &x, &y));

  /* Tab walks the shown pins in number order, skipping the hidden one. */
  pin_a = rl_image_view_get_pin (f->view, a);
  pin_c = rl_image_view_get_pin (f->view, c);
  pin_d = rl_image_view_get_pin (f->view, d);
  gtk_widget_grab_focus (GTK_WIDGET (f->view));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (f->view)));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->view), GTK_DIR_TAB_FORWARD));
  g_assert_true (gtk_widget_has_focus (pin_a));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->view), GTK_DIR_TAB_FORWARD));
  g_assert_true (gtk_widget_has_focus (pin_c));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->view), GTK_DIR_TAB_FORWARD));
  g_assert_true (gtk_widget_has_focus (pin_d));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->view), GTK_DIR_LEFT));
  g_assert_true (gtk_widget_has_focus (pin_c));
  /* Enter on a pin selects it (and does not open the composer). */
  rl_review_state_set_selected_thread (rl_image_view_get_state (f->view), NULL);
  rl_ui_test_press_key (pin_c, GDK_KEY_Return, 0);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_image_view_get_state (f->view)), ==, c);
  g_assert_false (gtk_widget_get_visible (rl_image_view_get_composer (f->view)));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->view), GTK_DIR_TAB_FORWARD));
  g_assert_true (gtk_widget_has_focus (pin_d));
  /* After the last pin, the zoom controls (Zoom Out, the level, Zoom In);
   * then Tab leaves the view. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->view), GTK_DIR_TAB_FORWARD));
      g_assert_true (GTK_IS_BUTTON (gtk_root_get_focus (GTK_ROOT (f->window))));
    }
  g_assert_false (gtk_widget_child_focus (GTK_WIDGET (f->view), GTK_DIR_TAB_FORWARD));
  rl_ui_test_screenshot_settled (f->window, "image-view-resolved-hidden", 100);

  rl_review_state_set_hide_resolved (rl_image_view_get_state (f->view), FALSE);
  g_assert_cmpuint (rl_image_view_get_n_pins (f->view), ==, 4);
  g_assert_true (rl_image_view_get_pin_position (f->view, b, &x, &y));
  g_assert_cmpfloat_with_epsilon (x, 0.5, 1e-9);

  /* A thread deleted elsewhere takes its pin (and the selection) along. */
  rl_review_state_set_selected_thread (rl_image_view_get_state (f->view), d);
  g_assert_true (rl_doc_store_delete_thread (bob, d, &error));
  g_assert_no_error (error);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_image_view_get_n_pins (f->view) == 3, 5000));
  g_assert_null (rl_review_state_get_selected_thread (rl_image_view_get_state (f->view)));
  g_assert_null (rl_image_view_get_pin (f->view, d));
}

/* ---- (6) cannot create --------------------------------------------------- */

static void
test_cannot_create (Fixture       *f,
                    gconstpointer  data)
{
  RlReviewState *state = rl_image_view_get_state (f->view);
  const char *reason;
  GtkWidget *composer = rl_image_view_get_composer (f->view);
  GtkWidget *notice = rl_image_view_get_notice (f->view);
  double x, y;

  g_assert_true (rl_review_state_get_can_create (rl_image_view_get_state (f->view)));
  /* Offline: the state says why, from the connection. */
  rl_review_state_set_connection (state, f->connection);
  rl_connection_stop (f->connection);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_review_state_get_can_create (state), 3000));
  reason = rl_review_state_get_cannot_create_reason (state);
  g_assert_nonnull (reason);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (f->view)), ==, reason);

  g_assert_true (rl_image_view_image_to_widget (f->view, 0.5, 0.5, &x, &y));
  rl_image_view_click_for_testing (f->view, x, y);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (notice), 3000));
  g_assert_false (gtk_widget_get_visible (composer));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_popover_get_child (GTK_POPOVER (notice)))), ==, reason);
  /* The keyboard path is refused the same way. */
  gtk_widget_grab_focus (GTK_WIDGET (f->view));
  rl_ui_test_press_key (GTK_WIDGET (f->view), GDK_KEY_m, GDK_CONTROL_MASK | GDK_ALT_MASK);
  g_assert_false (gtk_widget_get_visible (composer));
  rl_ui_test_run (200);
  rl_ui_test_screenshot_with_popover (f->window, notice, "image-view-cannot-create");
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (f->store)), ==, 0);

  /* Back online: a click opens the composer again. */
  rl_connection_retry_now (f->connection);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_review_state_get_can_create (state), 5000));
  g_assert_null (gtk_widget_get_tooltip_text (GTK_WIDGET (f->view)));
  rl_image_view_click_for_testing (f->view, x, y);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  gtk_popover_popdown (GTK_POPOVER (composer));

  /* Outside the image: nothing at all. */
  rl_ui_test_run (100);
  rl_image_view_click_for_testing (f->view, 2, 2);
  rl_ui_test_run (100);
  g_assert_false (gtk_widget_get_visible (composer));
}

/* ---- by hand: an 8000 × 6000 mockup -------------------------------------- */

static double
time_frame (GtkWidget *window)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);
  gint64 start = g_get_monotonic_time ();

  /* What a frame costs: snapshot the tree, render it (cairo renderer). */
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  /* Nothing to draw (the window is between a relayout and its frame). */
  if (node == NULL)
    return 0;
  g_object_unref (gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height)));
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
test_large (Fixture       *f,
            gconstpointer  data)
{
  const int width = 8000, height = 6000;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  guint32 *pixels = g_new (guint32, (gsize) width * height);
  GtkAdjustment *hadj = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (f->view));
  const double zooms[] = { 0, 0.5, 1.0, 4.0 };
  gint64 start;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      pixels[(gsize) y * width + x] = 0xff000000u | ((x * 255 / width) << 16) | ((y * 255 / height) << 8)
                                      | (((x / 40 + y / 40) & 1) ? 0xd0 : 0x30);
  bytes = g_bytes_new_take (pixels, (gsize) width * height * 4);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, width * 4);
  for (guint i = 0; i < 200; i++)
    g_free (rl_ui_test_store_create_marker (f->store, g_random_double (), g_random_double (), "A marker"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_image_view_get_n_pins (f->view) == 200, 5000));

  start = g_get_monotonic_time ();
  rl_image_view_set_texture (f->view, texture);
  g_test_message ("set_texture 8000×6000: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  rl_ui_test_run (100);

  for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
    {
      double first, worst = 0, total = 0;
      const int frames = 20;

      if (zooms[z] == 0)
        rl_image_view_zoom_to_fit (f->view);
      else
        rl_image_view_zoom_at (f->view, zooms[z], 450, 300);
      rl_ui_test_run (30);
      first = time_frame (f->window);
      for (int i = 0; i < frames; i++)
        {
          double ms;

          gtk_adjustment_set_value (hadj, gtk_adjustment_get_value (hadj) + 13);
          rl_ui_test_run (1);
          ms = time_frame (f->window);
          worst = MAX (worst, ms);
          total += ms;
        }
      g_test_message ("zoom %.3f: first frame %.1f ms, panning %.1f ms mean, %.1f ms worst",
                      rl_image_view_get_zoom (f->view), first, total / frames, worst);
      /* Only a sanity bound: the figures are for the report. */
      g_assert_cmpfloat (worst, <, 2000);
    }
}

int
main (int    argc,
      char **argv)
{
  rl_ui_test_init (&argc, &argv);

  g_test_add ("/image-view/click-creates", Fixture, NULL, fixture_setup, test_click_creates, fixture_teardown);
  g_test_add ("/image-view/remote-marker", Fixture, NULL, fixture_setup, test_remote_marker, fixture_teardown);
  g_test_add ("/image-view/zoom", Fixture, NULL, fixture_setup, test_zoom, fixture_teardown);
  g_test_add ("/image-view/drag", Fixture, NULL, fixture_setup, test_drag, fixture_teardown);
  g_test_add ("/image-view/hide-resolved", Fixture, NULL, fixture_setup, test_hide_resolved, fixture_teardown);
  g_test_add ("/image-view/cannot-create", Fixture, NULL, fixture_setup, test_cannot_create, fixture_teardown);
  if (g_test_perf ())
    g_test_add ("/image-view/large", Fixture, NULL, fixture_setup, test_large, fixture_teardown);
  return g_test_run ();
}
