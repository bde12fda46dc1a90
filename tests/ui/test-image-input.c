/* test-image-input.c — the image view and the composers with a person's
 * hands: real pointer and keyboard events through the X server
 * (rl-ui-input.h), in the app's real window, against the real server
 *
 * Ada works in the window (an RlApplication, so its accelerators are
 * there); Bob is a raw WebSocket client on the same mockup, whose view of
 * the server is what the assertions read. Set-up steps (opening a
 * document, a zoom to start from) may use the API; the behaviour under
 * test is always driven by clicks, drags, wheel clicks and keys.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "rl-annotation-composer.h"
#include "rl-application.h"
#include "rl-marker-composer.h"
#include "rl-test-server.h"
#include "rl-thread-row.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"
#include "rl-image-view-private.h"
#include "rl-page-view-private.h"

typedef struct
{
  RlUiTestWorld  world;      /* the mockup and the launch copy */
  RlApplication *app;
  RlSession     *session;
  RlWindow      *window;
  RlImageView   *view;
  RlTestClient  *teammate;   /* Bob, subscribed to the image */
} Fixture;

/* ---- helpers ------------------------------------------------------------- */

/* The image shown, laid out, its threads synced. */
static void
show_image (Fixture *f)
{
  RlThreadPanel *panel = rl_window_get_thread_panel (f->window);

  g_assert_true (rl_window_open_document (f->window, f->world.image));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (f->window, "image") &&
                                   rl_doc_store_is_synced (rl_review_state_get_store (rl_thread_panel_get_state (panel))), 5000));
  rl_ui_test_run (200);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  JsonObject *snapshot;

  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE | RL_UI_TEST_WORLD_PAGE);
  rl_test_server_start (f->world.server);

  /* An app of its own per test: the app outlives its test a moment, until
   * its look into the keyring (at startup) comes back. */
  f->session = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
  f->app = rl_ui_test_register_app (f->session);

  f->window = rl_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  rl_ui_test_window_start (f->window, f->session, 2);
  f->view = rl_window_get_image_view (f->window);
  show_image (f);

  f->teammate = rl_test_client_new (f->world.server, f->world.bob);
  snapshot = rl_test_client_subscribe (f->teammate, f->world.image);
  json_object_unref (snapshot);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_ui_test_close_app (&f->app);
  g_clear_pointer (&f->teammate, rl_test_client_free);
  g_clear_object (&f->session);
  rl_ui_test_world_clear (&f->world);
}

/* A widget of the view by its accessible name (asserted to exist). */
static GtkWidget *
named (GtkWidget  *root,
       const char *label)
{
  GtkWidget *widget = rl_ui_test_find_shown (root, rl_ui_test_has_accessible_label, label);

  g_assert_nonnull (widget);
  return widget;
}

static GtkWidget *
focus_of (Fixture *f)
{
  return gtk_root_get_focus (GTK_ROOT (f->window));
}

/* The image point in the middle of what the view shows. */
static void
centre_point (Fixture *f,
              double  *x,
              double  *y)
{
  g_assert_true (rl_image_view_widget_to_image (f->view, gtk_widget_get_width (GTK_WIDGET (f->view)) / 2.0,
                                                gtk_widget_get_height (GTK_WIDGET (f->view)) / 2.0, x, y));
}

/* (x, y) in the view moved less than a screen pixel. */
static void
assert_same_point (Fixture *f,
                   double   x0,
                   double   y0,
                   double   x1,
                   double   y1)
{
  double zoom = rl_image_view_get_zoom (f->view);

  g_assert_cmpfloat (fabs (x1 - x0) * 1440 * zoom, <, 1.5);
  g_assert_cmpfloat (fabs (y1 - y0) * 900 * zoom, <, 1.5);
}

static void
wait_zoom (Fixture *f,
           double   zoom)
{
  g_assert_true (RL_UI_WAIT_UNTIL (fabs (rl_image_view_get_zoom (f->view) - zoom) < 1e-9, 2000));
}

static void
wait_pins (Fixture *f,
           guint    n)
{
  g_assert_true (RL_UI_WAIT_UNTIL (rl_image_view_get_n_pins (f->view) == n, 5000));
}

/* The pin is laid out where its anchor is: a hand can aim at it. */
static gboolean
pin_placed (Fixture    *f,
            const char *id)
{
  GtkWidget *pin = rl_image_view_get_pin (f->view, id);
  graphene_rect_t bounds;
  double fx, fy, x, y;

  if (pin == NULL || !gtk_widget_get_mapped (pin) || gtk_widget_get_width (pin) <= 0 ||
      !rl_image_view_get_pin_position (f->view, id, &fx, &fy) ||
      !rl_image_view_image_to_widget (f->view, fx, fy, &x, &y) ||
      !gtk_widget_compute_bounds (pin, GTK_WIDGET (f->view), &bounds))
    return FALSE;
  return fabs (bounds.origin.x + bounds.size.width / 2 - x) <= 1 && fabs (bounds.origin.y + bounds.size.height / 2 - y) <= 1;
}

static void
wait_placed (Fixture    *f,
             const char *id)
{
  g_assert_true (RL_UI_WAIT_UNTIL (pin_placed (f, id), 3000));
}

/* The row of thread_id in the panel (asserted there). */
static RlThreadRow *
row_of (Fixture    *f,
        const char *thread_id)
{
  RlThreadRow *row = rl_ui_test_panel_row (rl_window_get_thread_panel (f->window), thread_id);

  g_assert_nonnull (row);
  return row;
}

/* The thread whose row holds the keyboard focus, or NULL. */
static const char *
focused_thread (Fixture *f)
{
  GtkWidget *focus = focus_of (f);
  GtkWidget *row = focus ? gtk_widget_get_ancestor (focus, RL_TYPE_THREAD_ROW) : NULL;

  return row ? rl_thread_row_get_thread_id (RL_THREAD_ROW (row)) : NULL;
}

static const char *
first_body (JsonObject *thread)
{
  JsonArray *comments = json_object_get_array_member (thread, "comments");

  return json_object_get_string_member (json_array_get_object_element (comments, 0), "body");
}

/* Bob's next thread-created event: its thread (owned by the event). */
static JsonObject *
teammate_sees_created (Fixture     *f,
                       JsonObject **event)
{
  *event = rl_test_client_expect (f->teammate, "new-image-chat");
  g_assert_nonnull (*event);
  return json_object_get_object_member (*event, "thread");
}

/* A marker Bob makes from another connection (the teammate client sees
 * it go by). */
static char *
bob_marker (Fixture    *f,
            double      x,
            double      y,
            const char *body)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  char *id = rl_ui_test_create_marker (bob, f->world.image, x, y, body);

  json_object_unref (rl_test_client_expect (f->teammate, "new-image-chat"));
  return id;
}

/* The composer open, with the focus in its text. */
static RlComposerBase *
composer_of (Fixture *f)
{
  return RL_COMPOSER_BASE (rl_image_view_get_composer (f->view));
}

static char *
composer_text (Fixture *f)
{
  return rl_composer_base_dup_text (composer_of (f));
}

static GtkWidget *
draft_pin (Fixture *f)
{
  return rl_ui_test_find_shown (GTK_WIDGET (f->view), rl_ui_test_has_css_class, "rl-draft-pin");
}

static guint
n_draft_pins (Fixture *f)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (f->view)); child;
       child = gtk_widget_get_next_sibling (child))
    n += gtk_widget_get_visible (child) && gtk_widget_has_css_class (child, "rl-draft-pin");
  return n;
}

/* ---- (1) the zoom controls on the canvas --------------------------------- */

static void
test_zoom_controls (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *view = GTK_WIDGET (f->view);
  GtkWidget *zoom_in = named (view, "Zoom In");
  GtkWidget *zoom_out = named (view, "Zoom Out");
  GtkWidget *level = named (view, "Zoom Level");
  GtkWidget *composer = GTK_WIDGET (composer_of (f));
  GtkWidget *menu, *item;
  double fit = rl_image_view_get_zoom (f->view);
  double x0, y0, x1, y1, zoom;
  g_autofree char *shown = NULL;

  g_assert_true (rl_image_view_is_fit (f->view));
  /* The level says what it is. */
  shown = g_strdup_printf ("%d%%", (int) round (fit * 100));
  g_assert_true (rl_ui_test_has_label (level, shown));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (level), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, shown);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "image-input-zoom-fit", 150);

  /* A mouse user deep in with Ctrl+wheel (once the image overflows the
   * view, the point under the pointer stays put) ... */
  rl_ui_input_scroll_at (view, 200, 150, -6, GDK_CONTROL_MASK);
  g_assert_true (rl_image_view_widget_to_image (f->view, 200, 150, &x0, &y0));
  rl_ui_input_scroll_at (view, 200, 150, -2, GDK_CONTROL_MASK);
  g_assert_cmpfloat (rl_image_view_get_zoom (f->view), >, fit * 5);
  g_assert_true (rl_image_view_widget_to_image (f->view, 200, 150, &x1, &y1));
  assert_same_point (f, x0, y0, x1, y1);

  /* ... zooms out with a click, about the middle, and no marker starts. */
  zoom = rl_image_view_get_zoom (f->view);
  centre_point (f, &x0, &y0);
  rl_ui_input_click (zoom_out);
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_zoom (f->view), zoom / 1.25, 1e-9);
  centre_point (f, &x1, &y1);
  assert_same_point (f, x0, y0, x1, y1);
  g_assert_false (gtk_widget_get_visible (composer));
  /* A click on the controls' own edge (their padding, left of Zoom Out)
   * is no click on the image either. */
  rl_ui_input_click_at (gtk_widget_get_parent (zoom_in), 2, gtk_widget_get_height (zoom_in) / 2.0 + 2, 1);
  g_assert_false (gtk_widget_get_visible (composer));

  /* ... and back to the whole mockup in two clicks: the level, Best Fit. */
  rl_ui_input_click (level);
  menu = rl_ui_test_find_shown (view, rl_ui_test_is_of_type, GSIZE_TO_POINTER (GTK_TYPE_POPOVER_MENU));
  g_assert_nonnull (menu);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (menu)), 3000));
  rl_ui_test_run (100);
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (f->window), menu, "image-input-zoom-menu");
  item = rl_ui_test_find_shown (menu, rl_ui_test_is_label_saying, "Best Fit");
  g_assert_nonnull (item);
  rl_ui_input_click (item);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (menu)), 3000));
  g_assert_true (rl_image_view_is_fit (f->view));
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_zoom (f->view), fit, 1e-9);
  g_assert_false (gtk_widget_get_visible (composer));

  /* 100 %, from the menu; Zoom In from fit stops at 100 % on the way. */
  rl_ui_input_click (level);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (menu)), 3000));
  rl_ui_test_run (100);
  item = rl_ui_test_find_shown (menu, rl_ui_test_is_label_saying, "100%");
  g_assert_nonnull (item);
  rl_ui_input_click (item);
  wait_zoom (f, 1.0);
  g_assert_true (rl_ui_test_has_label (level, "100%"));
  rl_ui_input_click (zoom_in);
  wait_zoom (f, 1.25);
  rl_ui_input_click (zoom_out);
  wait_zoom (f, 1.0);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "image-input-zoom-100", 150);

  /* The keyboard reaches them: Tab from the view (no pins yet) to Zoom
   * Out, on to the level and Zoom In; Enter presses. */
  gtk_widget_grab_focus (view);
  rl_ui_input_key (GDK_KEY_Tab, 0);
  g_assert_true (focus_of (f) == zoom_out);
  rl_ui_input_key (GDK_KEY_Tab, 0);
  g_assert_true (focus_of (f) == level);
  rl_ui_input_key (GDK_KEY_Tab, 0);
  g_assert_true (focus_of (f) == zoom_in);
  rl_ui_input_key (GDK_KEY_Return, 0);
  wait_zoom (f, 1.25);
  rl_ui_input_key (GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_true (focus_of (f) == level);
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (menu)), 3000));
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (menu)), 3000));
  g_assert_false (gtk_widget_get_visible (composer));
}

/* ---- (1) Ctrl +/−/0/1 anywhere in the window ------------------------------ */

static void
test_zoom_keys_anywhere (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *id = bob_marker (f, 0.8, 0.2, "Check the contrast");
  double fit = rl_image_view_get_zoom (f->view);
  GtkTextView *reply;
  g_autofree char *typed = NULL;
  double x0, y0, x1, y1;

  wait_pins (f, 1);
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (rl_window_get_thread_panel (f->window)),
                                            "Check the contrast", 5000));
  /* Typing a reply in the panel: the focus is far from the canvas. */
  rl_ui_input_click (rl_ui_test_find_shown (GTK_WIDGET (row_of (f, id)), rl_ui_test_has_css_class, "rl-thread-badge"));
  rl_ui_test_run (300);
  reply = GTK_TEXT_VIEW (rl_ui_test_find_shown (GTK_WIDGET (row_of (f, id)), rl_ui_test_is_of_type,
                                                GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW)));
  g_assert_nonnull (reply);
  rl_ui_input_click (GTK_WIDGET (reply));
  g_assert_true (focus_of (f) == GTK_WIDGET (reply));
  rl_ui_input_type ("Agreed");

  centre_point (f, &x0, &y0);
  rl_ui_input_key (GDK_KEY_plus, GDK_CONTROL_MASK);
  wait_zoom (f, fit * 1.25);
  centre_point (f, &x1, &y1);
  assert_same_point (f, x0, y0, x1, y1);
  rl_ui_input_key (GDK_KEY_minus, GDK_CONTROL_MASK);
  wait_zoom (f, fit);
  rl_ui_input_key (GDK_KEY_equal, GDK_CONTROL_MASK);
  wait_zoom (f, fit * 1.25);
  rl_ui_input_key (GDK_KEY_KP_Subtract, GDK_CONTROL_MASK);
  wait_zoom (f, fit);
  rl_ui_input_key (GDK_KEY_KP_Add, GDK_CONTROL_MASK);
  wait_zoom (f, fit * 1.25);
  rl_ui_input_key (GDK_KEY_1, GDK_CONTROL_MASK);
  wait_zoom (f, 1.0);
  rl_ui_input_key (GDK_KEY_0, GDK_CONTROL_MASK);
  wait_zoom (f, fit);
  g_assert_true (rl_image_view_is_fit (f->view));

  /* None of it was typed, and the focus never left the reply. */
  g_assert_true (focus_of (f) == GTK_WIDGET (reply));
  typed = rl_ui_test_text_view_text (reply);
  g_assert_cmpstr (typed, ==, "Agreed");

  /* Plain + and − are text there. */
  rl_ui_input_type ("+-");
  g_clear_pointer (&typed, g_free);
  typed = rl_ui_test_text_view_text (reply);
  g_assert_cmpstr (typed, ==, "Agreed+-");
  g_assert_cmpfloat_with_epsilon (rl_image_view_get_zoom (f->view), fit, 1e-9);

  /* On a page, the keys are the page's: the image's zoom is not touched. */
  g_assert_true (rl_window_open_document (f->window, f->world.page));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (f->window, "page"), 5000));
  rl_ui_test_run (200);
  rl_ui_input_click (rl_page_view_get_text_view (rl_window_get_page_view (f->window)));
  rl_ui_input_key (GDK_KEY_plus, GDK_CONTROL_MASK);
  rl_ui_test_run (100);
  g_assert_cmpfloat (rl_image_view_get_zoom (f->view), <=, fit + 1e-9);
}

/* ---- (2) a click on a pin puts the keyboard in its reply ----------------- */

/* The keyboard is in a thread's reply. */
static gboolean
reply_focused (Fixture *f)
{
  return focused_thread (f) != NULL && GTK_IS_TEXT_VIEW (focus_of (f));
}

static void
test_pin_click_focuses_reply (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *id = bob_marker (f, 0.45, 0.5, "Logo too close to the edge");
  JsonObject *event, *change, *comment;
  GtkWidget *pin;
  double x, y;

  wait_pins (f, 1);
  pin = rl_image_view_get_pin (f->view, id);
  wait_placed (f, id);
  rl_ui_input_click (pin);
  g_assert_true (RL_UI_WAIT_UNTIL (reply_focused (f), 2000));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_image_view_get_state (f->view)), ==, id);
  g_assert_cmpstr (focused_thread (f), ==, id);
  g_assert_true (GTK_IS_TEXT_VIEW (focus_of (f)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (composer_of (f))));

  /* The next keys are the reply, sent as Bob sees it. */
  rl_ui_input_type ("Moved it in by 8 px");
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "image-input-pin-reply", 150);
  rl_ui_input_key (GDK_KEY_Return, GDK_CONTROL_MASK);
  event = rl_test_client_expect (f->teammate, "image-chat-updated");
  change = json_object_get_object_member (event, "change");
  g_assert_cmpstr (json_object_get_string_member (event, "thread"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (change, "kind"), ==, "comment-added");
  comment = json_object_get_object_member (change, "comment");
  g_assert_cmpstr (json_object_get_string_member (comment, "body"), ==, "Moved it in by 8 px");
  json_object_unref (event);

  /* A drag is no click: the pin keeps the focus, no reply is begun. */
  g_assert_true (rl_image_view_image_to_widget (f->view, 0.2, 0.7, &x, &y));
  rl_ui_input_click_at (GTK_WIDGET (f->view), x, y, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer_of (f))), 3000));
  rl_ui_input_type ("Mine");
  rl_ui_input_key (GDK_KEY_Return, GDK_CONTROL_MASK);
  wait_pins (f, 2);
  json_object_unref (rl_test_client_expect (f->teammate, "new-image-chat"));
  {
    const char *mine = rl_review_state_get_selected_thread (rl_image_view_get_state (f->view));
    GtkWidget *own = rl_image_view_get_pin (f->view, mine);

    g_assert_nonnull (own);
    wait_placed (f, mine);
    rl_ui_input_drag (own, gtk_widget_get_width (own) / 2.0, gtk_widget_get_height (own) / 2.0,
                      gtk_widget_get_width (own) / 2.0 + 60, gtk_widget_get_height (own) / 2.0);
    g_assert_null (focused_thread (f));
    g_assert_true (focus_of (f) == own);
  }
}

/* ---- (3) picking a thread brings its pin to the middle, every time -------- */

/* The selected thread's pin is in the middle of the view. */
static gboolean
pin_centred (Fixture *f)
{
  const char *id = rl_review_state_get_selected_thread (rl_image_view_get_state (f->view));
  double fx, fy, x, y;

  if (id == NULL || !rl_image_view_get_pin_position (f->view, id, &fx, &fy))
    return FALSE;
  rl_image_view_image_to_widget (f->view, fx, fy, &x, &y);
  return fabs (x - gtk_widget_get_width (GTK_WIDGET (f->view)) / 2.0) <= 1.0 &&
         fabs (y - gtk_widget_get_height (GTK_WIDGET (f->view)) / 2.0) <= 1.0;
}

static void
test_pick_thread_centres (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *far = bob_marker (f, 0.7, 0.65, "Footer links are tiny");
  g_autofree char *corner = bob_marker (f, 0.02, 0.03, "Favicon missing");
  g_autofree char *near = bob_marker (f, 0.75, 0.7, "Copyright year is old");
  GtkWidget *view = GTK_WIDGET (f->view);
  GtkAdjustment *hadj = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (view));
  GtkAdjustment *vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  GtkWidget *badge;

  wait_pins (f, 3);
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (rl_window_get_thread_panel (f->window)),
                                            "Copyright year is old", 5000));
  /* Set-up: at 200 %, the top left corner shown. */
  rl_image_view_zoom_at (f->view, 2.0, 0, 0);
  rl_ui_test_run (100);

  badge = rl_ui_test_find_shown (GTK_WIDGET (row_of (f, far)), rl_ui_test_has_css_class, "rl-thread-badge");
  rl_ui_input_click (badge);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_image_view_get_state (f->view)), ==, far);
  g_assert_true (RL_UI_WAIT_UNTIL (pin_centred (f), 1000));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "image-input-pick-centred", 150);

  /* Scrolled away with the wheel (the pin still in sight), picked again:
   * in the middle again, though it was selected all along. */
  rl_ui_input_scroll_at (view, 100, 100, 2, 0);
  rl_ui_test_run (100);
  g_assert_false (pin_centred (f));
  rl_ui_input_click (badge);
  g_assert_true (RL_UI_WAIT_UNTIL (pin_centred (f), 1000));

  /* Enter on the row (the focus is on it after the click) does the same. */
  rl_ui_input_scroll_at (view, 100, 100, -2, 0);
  rl_ui_test_run (100);
  g_assert_false (pin_centred (f));
  g_assert_nonnull (gtk_widget_get_ancestor (focus_of (f), RL_TYPE_THREAD_ROW));
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (pin_centred (f), 1000));

  /* Another pin in sight but off the middle: to the middle too (not just
   * into view). */
  {
    double fx, fy, x, y;

    g_assert_true (rl_image_view_get_pin_position (f->view, near, &fx, &fy));
    g_assert_true (rl_image_view_image_to_widget (f->view, fx, fy, &x, &y));
    g_assert_cmpfloat (x, <, gtk_widget_get_width (view) - 40);
    g_assert_cmpfloat (y, <, gtk_widget_get_height (view) - 40);
    rl_ui_input_click (rl_ui_test_find_shown (GTK_WIDGET (row_of (f, near)), rl_ui_test_has_css_class,
                                              "rl-thread-badge"));
    g_assert_cmpstr (rl_review_state_get_selected_thread (rl_image_view_get_state (f->view)), ==, near);
    g_assert_true (RL_UI_WAIT_UNTIL (pin_centred (f), 1000));
  }

  /* Near a corner: as far as the image's edge allows. */
  rl_ui_input_click (rl_ui_test_find_shown (GTK_WIDGET (row_of (f, corner)), rl_ui_test_has_css_class,
                                            "rl-thread-badge"));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_image_view_get_state (f->view)), ==, corner);
  g_assert_cmpfloat (gtk_adjustment_get_value (hadj), ==, 0);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, 0);
}

/* ---- (4) a marker's typed text is never thrown away ---------------------- */

static void
test_marker_draft_kept (Fixture       *f,
                        gconstpointer  data)
{
  GtkWidget *view = GTK_WIDGET (f->view);
  GtkWidget *composer = GTK_WIDGET (composer_of (f));
  g_autofree char *text = NULL;
  double x, y;

  /* Escape keeps it: a draft pin where the marker would go. */
  g_assert_true (rl_image_view_image_to_widget (f->view, 0.4, 0.3, &x, &y));
  rl_ui_input_click_at (view, x, y, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_ui_input_type ("The hero image is cropped");
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));
  g_assert_cmpuint (n_draft_pins (f), ==, 1);
  g_assert_cmpuint (rl_image_view_get_n_pins (f->view), ==, 0);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (draft_pin (f)), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Unsent marker: The hero image is cropped");
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "image-input-draft-pin", 150);

  /* A click on it opens it again, with the text. */
  rl_ui_input_click (draft_pin (f));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  text = composer_text (f);
  g_assert_cmpstr (text, ==, "The hero image is cropped");
  g_assert_cmpuint (n_draft_pins (f), ==, 0);
  rl_ui_input_type (" on the left");

  /* A click elsewhere keeps it too. */
  rl_ui_input_click (GTK_WIDGET (rl_window_get_thread_panel (f->window)));
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));
  g_assert_cmpuint (n_draft_pins (f), ==, 1);
  rl_ui_input_click (draft_pin (f));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_clear_pointer (&text, g_free);
  text = composer_text (f);
  g_assert_cmpstr (text, ==, "The hero image is cropped on the left");
  rl_ui_test_run (100);
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (f->window), composer, "image-input-draft-reopened");

  /* Another document and back: still there. */
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));
  g_assert_true (rl_window_open_document (f->window, f->world.page));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (f->window, "page"), 5000));
  show_image (f);
  /* Its pin comes with the image, once it is decoded again (slower on a
   * loaded machine than show_image's wait). */
  g_assert_true (RL_UI_WAIT_UNTIL (n_draft_pins (f) == 1, 5000));
  rl_ui_input_click (draft_pin (f));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_clear_pointer (&text, g_free);
  text = composer_text (f);
  g_assert_cmpstr (text, ==, "The hero image is cropped on the left");

  /* Discard throws it away: nothing kept, nothing sent. */
  rl_ui_input_click (rl_composer_base_get_discard_button (composer_of (f)));
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));
  g_assert_cmpuint (n_draft_pins (f), ==, 0);
  g_assert_true (rl_image_view_image_to_widget (f->view, 0.4, 0.3, &x, &y));
  rl_ui_input_click_at (view, x, y, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_clear_pointer (&text, g_free);
  text = composer_text (f);
  g_assert_cmpstr (text, ==, "");

  /* Escape on an empty composer leaves nothing behind. */
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));
  g_assert_cmpuint (n_draft_pins (f), ==, 0);
  rl_test_client_assert_quiet (f->teammate, 300);
}

/* ---- (4) the same for a page annotation ---------------------------------- */

/* Where offset is in the page's text view (its middle, vertically). */
static void
offset_point (GtkTextView *text_view,
              guint        offset,
              double      *x,
              double      *y)
{
  GtkTextIter iter;
  GdkRectangle rect;
  int wx, wy;

  gtk_text_buffer_get_iter_at_offset (gtk_text_view_get_buffer (text_view), &iter, offset);
  gtk_text_view_get_iter_location (text_view, &iter, &rect);
  gtk_text_view_buffer_to_window_coords (text_view, GTK_TEXT_WINDOW_WIDGET, rect.x, rect.y + rect.height / 2, &wx, &wy);
  *x = wx;
  *y = wy;
}

static gboolean
range_marked (GtkTextView *text_view,
              guint        start,
              guint        end)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "composing");
  GtkTextIter iter;

  g_assert_nonnull (tag);
  for (guint i = start; i < end; i++)
    {
      gtk_text_buffer_get_iter_at_offset (buffer, &iter, i);
      if (!gtk_text_iter_has_tag (&iter, tag))
        return FALSE;
    }
  return TRUE;
}

static void
test_annotation_draft_kept (Fixture       *f,
                            gconstpointer  data)
{
  RlPageView *page_view = rl_window_get_page_view (f->window);
  GtkTextView *text_view = GTK_TEXT_VIEW (rl_page_view_get_text_view (page_view));
  GtkWidget *composer = rl_page_view_get_composer (page_view);
  RlComposerBase *base = RL_COMPOSER_BASE (composer);
  guint start, end;
  double x0, y0, x1, y1;
  g_autofree char *text = NULL;

  g_assert_true (rl_window_open_document (f->window, f->world.page));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (f->window, "page"), 5000));
  rl_ui_test_run (300);
  start = rl_ui_test_page_find (rl_page_view_get_page (page_view), "headline", &end);

  /* Drag across a word, Ctrl+Alt+M, type, Escape: kept, still marked. */
  offset_point (text_view, start, &x0, &y0);
  offset_point (text_view, end, &x1, &y1);
  rl_ui_input_drag (GTK_WIDGET (text_view), x0 + 1, y0, x1 - 1, y1);
  rl_ui_input_key (GDK_KEY_m, GDK_CONTROL_MASK | GDK_ALT_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (RL_ANNOTATION_COMPOSER (composer)), ==, "headline");
  rl_ui_input_type ("Say “title”");
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));
  g_assert_true (range_marked (text_view, start, end));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "image-input-annotation-draft", 150);

  /* A click in the marked passage opens it again, with the text. */
  rl_ui_input_click_at (GTK_WIDGET (text_view), (x0 + x1) / 2, y0, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  text = rl_composer_base_dup_text (base);
  g_assert_cmpstr (text, ==, "Say “title”");
  g_assert_cmpstr (rl_annotation_composer_get_quote (RL_ANNOTATION_COMPOSER (composer)), ==, "headline");

  /* A click elsewhere in the page keeps it as well. */
  rl_ui_input_type (" instead");
  offset_point (text_view, 2, &x0, &y0);
  rl_ui_input_click_at (GTK_WIDGET (text_view), x0, y0, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));
  g_assert_true (range_marked (text_view, start, end));
  offset_point (text_view, start + 3, &x0, &y0);
  rl_ui_input_click_at (GTK_WIDGET (text_view), x0, y0, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_clear_pointer (&text, g_free);
  text = rl_composer_base_dup_text (base);
  g_assert_cmpstr (text, ==, "Say “title” instead");
  rl_ui_test_run (100);
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (f->window), composer, "image-input-annotation-reopened");

  /* Discard: gone, unmarked; nothing was sent. */
  rl_ui_input_click (rl_composer_base_get_discard_button (base));
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));
  g_assert_false (range_marked (text_view, start, start + 1));
  g_assert_cmpuint (rl_composer_base_get_drafts (base)->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (rl_review_state_get_store (rl_thread_panel_get_state (rl_window_get_thread_panel (f->window))))), ==, 0);
}

/* ---- (5) the main flows, as a person does them ---------------------------- */

static void
test_main_flows (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *view = GTK_WIDGET (f->view);
  GtkWidget *composer = GTK_WIDGET (composer_of (f));
  JsonObject *event, *thread, *anchor, *change;
  g_autofree char *first = NULL;
  double x, y, fx, fy;
  int w, h;

  /* A click on the mockup, typing, the Send button. */
  g_assert_true (rl_image_view_image_to_widget (f->view, 0.3, 0.25, &x, &y));
  rl_ui_input_click_at (view, x, y, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_ui_input_type ("Headline wraps at 1280 px");
  rl_ui_test_run (100);
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (f->window), composer, "image-input-flow-typed");
  rl_ui_input_click (rl_composer_base_get_send_button (RL_COMPOSER_BASE (composer)));
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));
  thread = teammate_sees_created (f, &event);
  g_assert_cmpstr (first_body (thread), ==, "Headline wraps at 1280 px");
  anchor = json_object_get_object_member (thread, "anchor");
  g_assert_cmpfloat (fabs (json_object_get_double_member (anchor, "x") - 0.3) * 1440 * rl_image_view_get_zoom (f->view), <, 1.5);
  g_assert_cmpfloat (fabs (json_object_get_double_member (anchor, "y") - 0.25) * 900 * rl_image_view_get_zoom (f->view), <, 1.5);
  first = g_strdup (json_object_get_string_member (thread, "id"));
  json_object_unref (event);
  wait_pins (f, 1);
  g_assert_cmpuint (n_draft_pins (f), ==, 0);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "image-input-flow-sent", 150);

  /* Another, sent with Ctrl+Enter. */
  g_assert_true (rl_image_view_image_to_widget (f->view, 0.75, 0.6, &x, &y));
  rl_ui_input_click_at (view, x, y, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_ui_input_type ("CTA colour fails contrast\nSee WCAG 1.4.3");
  rl_ui_input_key (GDK_KEY_Return, GDK_CONTROL_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));
  thread = teammate_sees_created (f, &event);
  g_assert_cmpstr (first_body (thread), ==, "CTA colour fails contrast\nSee WCAG 1.4.3");
  json_object_unref (event);
  wait_pins (f, 2);

  /* The first pin dragged 80 px right, 40 down: Bob sees the move. */
  {
    GtkWidget *pin = rl_image_view_get_pin (f->view, first);
    double zoom = rl_image_view_get_zoom (f->view);

    wait_placed (f, first);
    w = gtk_widget_get_width (pin);
    h = gtk_widget_get_height (pin);
    rl_ui_input_drag (pin, w / 2.0, h / 2.0, w / 2.0 + 80, h / 2.0 + 40);
    event = rl_test_client_expect (f->teammate, "image-chat-updated");
    g_assert_cmpstr (json_object_get_string_member (event, "thread"), ==, first);
    change = json_object_get_object_member (event, "change");
    g_assert_cmpstr (json_object_get_string_member (change, "kind"), ==, "moved");
    anchor = json_object_get_object_member (change, "anchor");
    g_assert_cmpfloat (fabs (json_object_get_double_member (anchor, "x") - (0.3 + 80 / (1440 * zoom))) * 1440 * zoom, <, 2);
    g_assert_cmpfloat (fabs (json_object_get_double_member (anchor, "y") - (0.25 + 40 / (900 * zoom))) * 900 * zoom, <, 2);
    json_object_unref (event);
    g_assert_true (rl_image_view_get_pin_position (f->view, first, &fx, &fy));
    g_assert_cmpfloat (fabs (fx - (0.3 + 80 / (1440 * zoom))) * 1440 * zoom, <, 2);
    g_assert_false (gtk_widget_get_visible (composer));
  }
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "image-input-flow-moved", 150);
}

/* ---- (6) pins show the server's numbers ----------------------------------- */

/* The pin of id is there, and says label. */
static gboolean
pin_says (Fixture    *f,
          const char *id,
          const char *label)
{
  GtkWidget *pin = rl_image_view_get_pin (f->view, id);

  return pin != NULL && g_strcmp0 (gtk_widget_get_tooltip_text (pin), label) == 0;
}

static void
assert_pin_says (Fixture    *f,
                 const char *id,
                 const char *label)
{
  if (!RL_UI_WAIT_UNTIL (pin_says (f, id, label), 5000))
    g_error ("pin %s says “%s”, not “%s”", id,
             rl_image_view_get_pin (f->view, id) ? gtk_widget_get_tooltip_text (rl_image_view_get_pin (f->view, id)) : "(gone)",
             label);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (rl_image_view_get_pin (f->view, id)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, label);
}

static void
test_numbers (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *one = bob_marker (f, 0.2, 0.3, "Logo");
  g_autofree char *two = bob_marker (f, 0.4, 0.5, "Headline");
  g_autofree char *three = bob_marker (f, 0.6, 0.7, "Footer");
  JsonObject *event;
  double x, y;

  wait_pins (f, 3);
  assert_pin_says (f, one, "Marker 1: Logo");
  assert_pin_says (f, two, "Marker 2: Headline");
  assert_pin_says (f, three, "Marker 3: Footer");

  /* Bob deletes #2: #1 and #3 keep their numbers ("see #3" still means
   * the footer). */
  rl_ui_test_thread_request (f->teammate, "delete-thread", f->world.image, two, NULL);
  wait_pins (f, 2);
  assert_pin_says (f, one, "Marker 1: Logo");
  assert_pin_says (f, three, "Marker 3: Footer");

  /* Ada's own, made by clicking, is 4 once the server has numbered it:
   * never 2 (the place freed) nor 3 (its place in the list). */
  g_assert_true (rl_image_view_image_to_widget (f->view, 0.8, 0.2, &x, &y));
  rl_ui_input_click_at (GTK_WIDGET (f->view), x, y, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer_of (f))), 3000));
  rl_ui_input_type ("Nav spacing");
  rl_ui_input_key (GDK_KEY_Return, GDK_CONTROL_MASK);
  wait_pins (f, 3);
  /* Past Bob's own deletion going by, whichever side of the ack it came. */
  while (!g_str_equal (json_object_get_string_member ((event = rl_test_client_next (f->teammate)), "type"),
                       "new-image-chat"))
    json_object_unref (event);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (event, "thread"), "number"), ==, 4);
  assert_pin_says (f, json_object_get_string_member (json_object_get_object_member (event, "thread"), "id"),
                   "Marker 4: Nav spacing");
  json_object_unref (event);
  assert_pin_says (f, three, "Marker 3: Footer");
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "image-input-numbers", 150);
}

/* A send refused as offline says so; once the link is back the error
 * goes by itself (it is no longer true), the text still there to send. */
static void
test_offline_error_clears (Fixture       *f,
                           gconstpointer  data)
{
  RlConnection *connection = rl_session_get_connection (f->session);
  RlComposerBase *composer = composer_of (f);
  RlDocStore *store;
  g_autofree char *typed = NULL;
  JsonObject *event, *thread, *snapshot;
  double x, y;

  g_assert_true (rl_image_view_image_to_widget (f->view, 0.4, 0.5, &x, &y));
  rl_ui_input_click_at (GTK_WIDGET (f->view), x, y, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_ui_input_type ("Written on the train");

  rl_test_server_stop (f->world.server);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_connection_get_state (connection) != RL_CONNECTION_ONLINE, 5000));
  rl_ui_input_click (rl_composer_base_get_send_button (composer));
  g_assert_nonnull (rl_composer_base_get_error (composer));
  g_assert_nonnull (strstr (rl_composer_base_get_error (composer), "offline"));
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (f->window), GTK_WIDGET (composer), "image-input-offline");

  rl_test_server_start (f->world.server);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_composer_base_get_error (composer) == NULL, 10000));
  typed = rl_composer_base_dup_text (composer);
  g_assert_cmpstr (typed, ==, "Written on the train");

  /* And it goes, with the button, once the document is synced again. */
  store = rl_review_state_get_store (rl_thread_panel_get_state (rl_window_get_thread_panel (f->window)));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (store), 5000));
  rl_test_client_free (f->teammate);
  f->teammate = rl_test_client_new (f->world.server, f->world.bob);
  snapshot = rl_test_client_subscribe (f->teammate, f->world.image);
  json_object_unref (snapshot);
  rl_ui_input_wait_still (rl_composer_base_get_send_button (composer));
  rl_ui_input_click (rl_composer_base_get_send_button (composer));
  thread = teammate_sees_created (f, &event);
  g_assert_cmpstr (first_body (thread), ==, "Written on the train");
  json_object_unref (event);
}

int
main (int   argc,
      char *argv[])
{
  /* Accessible names are read back (a test AT context, not none). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/image-input/zoom-controls", Fixture, NULL, fixture_setup, test_zoom_controls, fixture_teardown);
  g_test_add ("/image-input/zoom-keys-anywhere", Fixture, NULL, fixture_setup, test_zoom_keys_anywhere,
              fixture_teardown);
  g_test_add ("/image-input/pin-click-focuses-reply", Fixture, NULL, fixture_setup, test_pin_click_focuses_reply,
              fixture_teardown);
  g_test_add ("/image-input/pick-thread-centres", Fixture, NULL, fixture_setup, test_pick_thread_centres,
              fixture_teardown);
  g_test_add ("/image-input/marker-draft-kept", Fixture, NULL, fixture_setup, test_marker_draft_kept,
              fixture_teardown);
  g_test_add ("/image-input/annotation-draft-kept", Fixture, NULL, fixture_setup, test_annotation_draft_kept,
              fixture_teardown);
  g_test_add ("/image-input/main-flows", Fixture, NULL, fixture_setup, test_main_flows, fixture_teardown);
  g_test_add ("/image-input/numbers", Fixture, NULL, fixture_setup, test_numbers, fixture_teardown);
  g_test_add ("/image-input/offline-error-clears", Fixture, NULL, fixture_setup, test_offline_error_clears,
              fixture_teardown);
  return g_test_run ();
}
