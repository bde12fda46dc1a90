/* test-window.c — the whole window under Xvfb, against the real server
 *
 * Ada's window is built on a session made here (the keyring is tested in
 * tests/client/test-account.c); Bob is a raw WebSocket client whose
 * changes Ada must see; Vic is a viewer, whose markers the server refuses.
 * The app's own path (an invite link, the keyring save) runs with no
 * session bus at all, so no real keyring is ever touched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "rl-application.h"
#include "rl-connect-dialog-private.h"
#include "rl-invite.h"
#include "rl-annotation-composer-private.h"
#include "rl-marker-composer-private.h"
#include "rl-plaintext.h"
#include "rl-test-server.h"
#include "rl-ui-test.h"
#include "rl-thread-row.h"
#include "rl-upload-row.h"
#include "rl-window-private.h"
#include "rl-image-view-private.h"
#include "rl-page-view-private.h"

typedef struct
{
  RlUiTestWorld world;   /* the mockup and the launch copy */
  const char   *vic;
  RlSession    *session;
  RlWindow     *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE | RL_UI_TEST_WORLD_PAGE);
  f->vic = rl_test_team_add_person (&f->world.team, "Vic:viewer");
  rl_test_server_start (f->world.server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_ui_test_close_window (&f->window, &f->session);
  rl_ui_test_world_clear (&f->world);
}

/* ---- helpers ------------------------------------------------------------- */

/* Ada's window on the image, online. */
static void
open_window (Fixture    *f,
             const char *token)
{
  f->session = rl_ui_test_session_new (f->world.server->ws_base, token, NULL);
  f->window = rl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  g_assert_cmpstr (rl_window_get_visible_page (f->window), ==, "welcome");
  rl_ui_test_window_start (f->window, f->session, 2);
  rl_ui_test_window_show (f->window, f->world.image, "image");
  rl_ui_test_run (300);
}

/* Longer than the panel rows' highlight of a teammate's change. */
#define RL_FLASH_WAIT_MS 2000

/* No pin is highlighted as a teammate's new one any more. */
static gboolean
highlights_over (Fixture *f)
{
  RlImageView *view = rl_window_get_image_view (f->window);
  GListModel *threads = rl_doc_store_get_threads (rl_review_state_get_store (rl_thread_panel_get_state (rl_window_get_thread_panel (f->window))));

  for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);

      if (rl_image_view_pin_is_highlighted (view, rl_thread_item_get_thread (item)->id))
        return FALSE;
    }
  return TRUE;
}

/* ---- pages: the page view, its highlights, the panel in text order -------- */

static gboolean toast_has_retry (Fixture *f);

static RlPageText *
load_page_text (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "page.md", NULL);

  return rl_ui_test_page_from_file (path);
}

/* The panel's rows are in that order. */
static gboolean
order_is (Fixture    *f,
          const char *expected)
{
  g_autofree char *order = rl_ui_test_panel_order (rl_window_get_thread_panel (f->window));

  return g_strcmp0 (order, expected) == 0;
}

static void
open_page (Fixture *f)
{
  rl_ui_test_window_show (f->window, f->world.page, "page");
  rl_ui_test_run (200);
}

static void
test_page (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(RlPageText) text = load_page_text ();
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autofree char *hero = rl_ui_test_create_annotation (bob, f->world.page, text, "hero",
                                                        "Which hero image, the dark one?");
  g_autofree char *line = NULL;
  g_autofree char *title = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *expected = NULL;
  RlPageView *view;
  RlThreadPanel *panel;
  guint start, end, s, e;

  open_window (f, f->world.ada);
  open_page (f);
  view = rl_window_get_page_view (f->window);
  panel = rl_window_get_thread_panel (f->window);

  /* The page's plain text, and Bob's annotation highlighted where it is. */
  shown = rl_ui_test_text_view_text (GTK_TEXT_VIEW (rl_page_view_get_text_view (view)));
  g_assert_cmpstr (shown, ==, rl_page_text_get_text (text, NULL));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_page_view_get_thread_tag (view, hero) != NULL, 5000));
  start = rl_ui_test_page_find (text, "hero", &end);
  g_assert_true (rl_page_view_get_thread_range (view, hero, &s, &e));
  g_assert_cmpuint (s, ==, start);
  g_assert_cmpuint (e, ==, end);
  g_assert_true (rl_ui_test_panel_lists (f->window, "Which hero image, the dark one?"));
  g_assert_true (rl_review_state_get_can_create (rl_page_view_get_state (view)));

  /* Bob annotates after and before it, live: highlights and rows in text order. */
  line = rl_ui_test_create_annotation (bob, f->world.page, text, "one line", "On a phone too?");
  title = rl_ui_test_create_annotation (bob, f->world.page, text, "Launch copy", "Working title, or final?");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_page_view_get_thread_tag (view, line) != NULL, 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_page_view_get_thread_tag (view, title) != NULL, 5000));
  g_assert_true (rl_ui_test_panel_lists (f->window, "Working title, or final?"));
  expected = g_strjoin (" ", title, hero, line, NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (order_is (f, expected), 3000));

  /* One selection, both ways; one filter. */
  rl_review_state_set_selected_thread (rl_page_view_get_state (view), line);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (panel)), ==, line);
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (panel), hero);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_page_view_get_state (view)), ==, hero);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "hide-resolved", NULL);
  g_assert_true (rl_review_state_get_hide_resolved (rl_page_view_get_state (view)));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "hide-resolved", NULL);
  g_assert_false (rl_review_state_get_hide_resolved (rl_page_view_get_state (view)));

  /* The picture: after the "just added" highlights. */
  rl_ui_test_run (RL_FLASH_WAIT_MS + 500);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "window-page-annotations", 400);

  /* A new revision without the word "hero": the panel lists its thread
   * last, under "Orphaned"; the others keep their places. */
  {
    g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "page.md", NULL);
    g_autofree char *bytes = NULL;
    g_autoptr(GString) revised = NULL;
    g_autoptr(RlPageText) page2 = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *order2 = NULL;

    g_assert_true (g_file_get_contents (path, &bytes, NULL, &error));
    revised = g_string_new (bytes);
    g_assert_cmpuint (g_string_replace (revised, "The **hero** headline", "The headline", 1), ==, 1);
    page2 = rl_page_text_new ("text/markdown", revised->str, revised->len, &error);
    g_assert_no_error (error);
    rl_page_view_set_page (view, page2);
    order2 = g_strjoin (" ", title, line, hero, NULL);
    g_assert_true (RL_UI_WAIT_UNTIL (order_is (f, order2), 3000));
    g_assert_true (rl_thread_panel_is_orphaned (panel, hero));
    g_assert_false (rl_thread_panel_is_orphaned (panel, line));
    g_assert_null (rl_page_view_get_thread_tag (view, hero));
    g_assert_true (rl_ui_test_panel_lists (f->window, "Orphaned"));
    g_assert_true (rl_ui_test_panel_lists (f->window, "Which hero image, the dark one?"));
    rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "window-page-orphaned", 400);

    /* The first revision again: all placed, in text order. */
    rl_page_view_set_page (view, text);
    g_assert_true (RL_UI_WAIT_UNTIL (order_is (f, expected), 3000));
    g_assert_false (rl_thread_panel_is_orphaned (panel, hero));
  }

  /* Offline: the page view cannot create, and says why. */
  rl_connection_stop (rl_session_get_connection (f->session));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (rl_window_get_banner (f->window, "offline")), 3000));
  g_assert_false (rl_review_state_get_can_create (rl_page_view_get_state (view)));
  g_assert_nonnull (strstr (rl_review_state_get_cannot_create_reason (rl_page_view_get_state (view)), "comment"));
  g_assert_cmpstr (rl_review_state_get_cannot_create_reason (rl_page_view_get_state (view)), ==, rl_review_state_get_cannot_create_reason (rl_thread_panel_get_state (panel)));

  /* Back to the image and to the page: the panel follows. */
  rl_connection_retry_now (rl_session_get_connection (f->session));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_online (f->window), 5000));
  rl_ui_test_window_show (f->window, f->world.image, "image");
  open_page (f);
  g_assert_true (RL_UI_WAIT_UNTIL (order_is (f, expected), 3000));
}

/* A refused comment on a selection: Retry reopens the composer there, with the text. */
static void
test_page_failed_create (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(RlPageText) text = load_page_text ();
  RlPageView *view;
  RlAnnotationComposer *composer;
  GtkTextBuffer *buffer;
  GtkTextIter a, b;
  AdwToast *toast;
  g_autofree char *typed = NULL;
  guint start, end;

  open_window (f, f->vic);
  open_page (f);
  view = rl_window_get_page_view (f->window);
  composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (view));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_page_view_get_text_view (view)));

  start = rl_ui_test_page_find (text, "headline", &end);
  gtk_text_buffer_get_iter_at_offset (buffer, &a, (int) start);
  gtk_text_buffer_get_iter_at_offset (buffer, &b, (int) end);
  gtk_text_buffer_select_range (buffer, &a, &b);
  rl_ui_test_run (200);
  g_assert_true (gtk_widget_activate (rl_page_view_get_comment_button (view)));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_annotation_composer_set_text (composer, "Viewers can't comment");
  g_assert_true (gtk_widget_activate (rl_annotation_composer_get_send_button (composer)));

  g_assert_true (RL_UI_WAIT_UNTIL (toast_has_retry (f), 5000));
  toast = rl_window_get_last_toast (f->window);
  g_assert_nonnull (strstr (adw_toast_get_title (toast), "Comment not added"));
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (100);
  gtk_text_buffer_get_start_iter (buffer, &a);
  gtk_text_buffer_place_cursor (buffer, &a);   /* the selection is gone */

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->window), adw_toast_get_action_name (toast),
                                                    adw_toast_get_action_target_value (toast)));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  typed = rl_annotation_composer_dup_text (composer);
  g_assert_cmpstr (typed, ==, "Viewers can't comment");
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, "headline");
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (100);
}

/* ---- the documents, existing markers, a teammate's marker ----------------- */

static void
test_documents_and_markers (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autofree char *first = rl_ui_test_create_marker (bob, f->world.image, 0.22, 0.18, "The logo feels cramped here");
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  GListModel *docs;
  gboolean kinds[2] = { FALSE, FALSE };
  RlImageView *view;
  double px, py;

  open_window (f, f->world.ada);
  view = rl_window_get_image_view (f->window);

  /* The sidebar lists both documents, each with its kind. */
  docs = rl_window_get_documents (f->window);
  for (guint i = 0; i < g_list_model_get_n_items (docs); i++)
    {
      g_autoptr(RlDocItem) item = g_list_model_get_item (docs, i);

      kinds[rl_doc_item_get_kind (item)] = TRUE;
    }
  g_assert_true (kinds[RL_DOC_KIND_IMAGE] && kinds[RL_DOC_KIND_PAGE]);

  /* The existing marker is a pin and a thread in the panel. */
  rl_ui_test_wait_pins (rl_window_get_image_view (f->window), 1);
  g_assert_true (rl_ui_test_panel_lists (f->window, "The logo feels cramped here"));

  /* Bob is watching too: two viewers, by name. */
  snapshot = rl_test_client_subscribe (bob, f->world.image);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_viewers_named (f->window, "Bob,Ada"), 5000));

  /* A teammate's markers appear in the view and in the panel. */
  second = rl_ui_test_create_marker (bob, f->world.image, 0.62, 0.35, "Can this button be our primary colour?");
  third = rl_ui_test_create_marker (bob, f->world.image, 0.40, 0.72, "Spacing between the cards is uneven");
  rl_ui_test_wait_pins (rl_window_get_image_view (f->window), 3);
  g_assert_true (rl_ui_test_panel_lists (f->window, "Can this button be our primary colour?"));
  g_assert_true (rl_ui_test_panel_lists (f->window, "Spacing between the cards is uneven"));
  g_assert_true (rl_image_view_get_pin_position (view, second, &px, &py));
  g_assert_cmpfloat_with_epsilon (px, 0.62, 0.001);
  g_assert_cmpfloat_with_epsilon (py, 0.35, 0.001);
  g_assert_true (rl_review_state_get_can_create (rl_image_view_get_state (view)));
  /* The "just added" highlights run out first: the picture of the README. */
  g_assert_true (RL_UI_WAIT_UNTIL (highlights_over (f), 10000));
  rl_ui_test_run (RL_FLASH_WAIT_MS);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "window-with-markers", 400);

  /* A pin's thread opens in the panel: the selection is one, both ways. */
  rl_review_state_set_selected_thread (rl_image_view_get_state (view), second);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (rl_window_get_thread_panel (f->window))), ==, second);
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (rl_window_get_thread_panel (f->window)), third);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_image_view_get_state (view)), ==, third);
  rl_review_state_set_selected_thread (rl_image_view_get_state (view), second);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "window-thread-open", 400);

  /* The filter is one too, and a window action. */
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "hide-resolved", NULL);
  g_assert_true (rl_review_state_get_hide_resolved (rl_image_view_get_state (view)));
  g_assert_true (rl_review_state_get_hide_resolved (rl_thread_panel_get_state (rl_window_get_thread_panel (f->window))));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "hide-resolved", NULL);
  g_assert_false (rl_review_state_get_hide_resolved (rl_thread_panel_get_state (rl_window_get_thread_panel (f->window))));

  /* A page opens in the page view; back to the image. */
  open_page (f);
  rl_ui_test_window_show (f->window, f->world.image, "image");
  rl_ui_test_wait_pins (rl_window_get_image_view (f->window), 3);
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  RlWindow *welcome = rl_window_new (NULL);

  /* No account yet: the window asks to connect. */
  gtk_window_set_default_size (GTK_WINDOW (welcome), 1000, 700);
  gtk_window_present (GTK_WINDOW (welcome));
  rl_ui_test_run (400);
  g_assert_cmpstr (rl_window_get_visible_page (welcome), ==, "welcome");
  g_free (rl_ui_test_screenshot (GTK_WIDGET (welcome), "window-welcome"));
  gtk_window_destroy (GTK_WINDOW (welcome));

  open_window (f, f->world.ada);
  g_assert_cmpuint (rl_image_view_get_n_pins (rl_window_get_image_view (f->window)), ==, 0);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "window-empty", 400);
}

/* ---- lost, offline, back: banners and what was synced --------------------- */

static void
test_reconnect (Fixture       *f,
                gconstpointer  data)
{
  RlBanner *reconnecting, *offline;
  RlConnection *connection;
  RlImageView *view;
  AdwToast *toast;

  open_window (f, f->world.ada);
  connection = rl_session_get_connection (f->session);
  view = rl_window_get_image_view (f->window);
  reconnecting = rl_window_get_banner (f->window, "reconnecting");
  offline = rl_window_get_banner (f->window, "offline");
  g_assert_false (rl_banner_get_revealed (reconnecting));
  g_assert_false (rl_banner_get_revealed (offline));

  /* The server dies: the reconnecting banner counts down, creating is off. */
  rl_test_server_kill (f->world.server);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (reconnecting), 5000));
  g_assert_true (g_str_has_prefix (rl_banner_get_title (reconnecting), "Connection lost. Reconnecting"));
  g_assert_false (rl_review_state_get_can_create (rl_image_view_get_state (view)));
  g_assert_nonnull (rl_review_state_get_cannot_create_reason (rl_image_view_get_state (view)));
  g_assert_false (rl_review_state_get_can_create (rl_thread_panel_get_state (rl_window_get_thread_panel (f->window))));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "window-reconnecting", 400);

  /* Stopped: offline, nothing retried. */
  rl_connection_stop (connection);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (offline), 2000));
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_banner_get_revealed (reconnecting), 2000));
  g_assert_false (rl_review_state_get_can_create (rl_image_view_get_state (view)));
  g_assert_cmpstr (rl_review_state_get_cannot_create_reason (rl_thread_panel_get_state (rl_window_get_thread_panel (f->window))), ==,
                   rl_review_state_get_cannot_create_reason (rl_image_view_get_state (view)));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "window-offline", 400);

  /* While Ada is away, Bob adds two markers. */
  rl_test_server_start (f->world.server);
  {
    g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
    g_autofree char *a = rl_ui_test_create_marker (bob, f->world.image, 0.3, 0.3, "Missed one");
    g_autofree char *b = rl_ui_test_create_marker (bob, f->world.image, 0.5, 0.5, "Missed two");
  }

  /* The banner's Retry now: back, banners gone, the two synced and said. */
  g_signal_emit_by_name (offline, "button-clicked");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_online (f->window), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_banner_get_revealed (offline), 2000));
  g_assert_false (rl_banner_get_revealed (reconnecting));
  rl_ui_test_wait_pins (rl_window_get_image_view (f->window), 2);
  g_assert_true (rl_ui_test_panel_lists (f->window, "Missed two"));
  g_assert_true (rl_review_state_get_can_create (rl_image_view_get_state (view)));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_window_get_last_toast (f->window) != NULL, 5000));
  toast = rl_window_get_last_toast (f->window);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "2 updates synced");
}

/* ---- a refused marker keeps its text: Retry reopens the composer --------- */

/* The last toast offers Retry. */
static gboolean
toast_has_retry (Fixture *f)
{
  AdwToast *toast = rl_window_get_last_toast (f->window);

  return toast && g_strcmp0 (adw_toast_get_action_name (toast), "win.retry-change") == 0;
}

/* A text view holding the text data. */
static gboolean
holds_text (GtkWidget     *widget,
            gconstpointer  text)
{
  g_autofree char *there = GTK_IS_TEXT_VIEW (widget) ? rl_ui_test_text_view_text (GTK_TEXT_VIEW (widget)) : NULL;

  return there != NULL && g_strcmp0 (there, text) == 0;
}

static void
test_failed_send (Fixture       *f,
                  gconstpointer  data)
{
  RlImageView *view;
  RlMarkerComposer *composer;
  AdwToast *toast;
  g_autofree char *text = NULL;
  double x, y;

  open_window (f, f->vic);
  view = rl_window_get_image_view (f->window);
  composer = RL_MARKER_COMPOSER (rl_image_view_get_composer (view));

  g_assert_true (rl_image_view_image_to_widget (view, 0.7, 0.25, &x, &y));
  rl_image_view_click_for_testing (view, x, y);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_marker_composer_set_text (composer, "Viewers can't post this");
  g_assert_true (gtk_widget_activate (rl_marker_composer_get_send_button (composer)));

  /* The server refuses; the toast says so and offers Retry. */
  g_assert_true (RL_UI_WAIT_UNTIL (toast_has_retry (f), 5000));
  toast = rl_window_get_last_toast (f->window);
  g_assert_nonnull (strstr (adw_toast_get_title (toast), "Marker not added"));
  g_assert_cmpuint (rl_image_view_get_n_pins (view), ==, 0);
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (100);

  /* Retry: the composer is back where it was, with the text. */
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->window), adw_toast_get_action_name (toast),
                                                    adw_toast_get_action_target_value (toast)));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  text = rl_marker_composer_dup_text (composer);
  g_assert_cmpstr (text, ==, "Viewers can't post this");
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (100);

  /* A refused reply: Retry puts the text back into that thread's reply box. */
  {
    g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
    g_autofree char *thread = rl_ui_test_create_marker (bob, f->world.image, 0.5, 0.5, "Bob's question");
    RlDocStore *store = rl_review_state_get_store (rl_thread_panel_get_state (rl_window_get_thread_panel (f->window)));
    g_autoptr(GError) error = NULL;
    AdwToast *before = rl_window_get_last_toast (f->window);
    GtkWidget *panel = GTK_WIDGET (rl_window_get_thread_panel (f->window));

    rl_ui_test_wait_pins (rl_window_get_image_view (f->window), 1);
    g_assert_true (rl_doc_store_add_comment (store, thread, "My reply, kept", NULL, &error));
    g_assert_no_error (error);
    g_assert_true (RL_UI_WAIT_UNTIL ((toast = rl_window_get_last_toast (f->window)) != NULL && toast != before, 5000));
    toast = rl_window_get_last_toast (f->window);
    g_assert_nonnull (strstr (adw_toast_get_title (toast), "Reply not sent"));
    g_assert_cmpstr (adw_toast_get_action_name (toast), ==, "win.retry-change");
    g_assert_null (rl_ui_test_find (panel, holds_text, "My reply, kept"));
    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->window), adw_toast_get_action_name (toast),
                                                      adw_toast_get_action_target_value (toast)));
    g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_find (panel, holds_text, "My reply, kept") != NULL, 3000));
  }
}

/* ---- uploads and a refused token ---------------------------------------- */

static RlUploadRow *
upload_row (Fixture *f)
{
  return (RlUploadRow *) rl_ui_test_find_type (GTK_WIDGET (f->window), RL_TYPE_UPLOAD_ROW);
}

static void
test_upload (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "data", "page.md", NULL);
  g_autofree char *header = g_test_build_filename (G_TEST_DIST, "ui", "rl-ui-test.h", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (page);
  g_autoptr(GFile) wrong = g_file_new_for_path (header);
  AdwToast *toast;

  open_window (f, f->world.ada);
  g_list_store_append (files, file);
  rl_window_upload_files (f->window, G_LIST_MODEL (files));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_n_documents (f->window) == 3, 5000));
  toast = rl_window_get_last_toast (f->window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Uploaded “page”");
  /* The new page is open. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (f->window, "page"), 5000));

  /* A file of another kind is not sent at all: its row under the list
   * says so. */
  g_list_store_remove_all (files);
  g_list_store_append (files, wrong);
  rl_window_upload_files (f->window, G_LIST_MODEL (files));
  g_assert_true (RL_UI_WAIT_UNTIL (upload_row (f) != NULL && rl_upload_row_get_error (upload_row (f)) != NULL, 5000));
  g_assert_nonnull (strstr (rl_upload_row_get_error (upload_row (f)), "is not a PNG"));
  g_assert_cmpuint (g_list_model_get_n_items (rl_window_get_documents (f->window)), ==, 3);
  g_assert_true (rl_window_get_last_toast (f->window) == toast);
}

/* The window's session is refused. */
static gboolean
unauthorized (Fixture *f)
{
  return rl_connection_get_state (rl_session_get_connection (f->session)) == RL_CONNECTION_UNAUTHORIZED;
}

static void
test_signed_out (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  RlBanner *banner;

  f->session = rl_session_new (f->world.server->ws_base, "not-a-token", NULL, NULL, &error);
  g_assert_no_error (error);
  f->window = rl_window_new (NULL);
  rl_window_set_session (f->window, f->session);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (RL_UI_WAIT_UNTIL (unauthorized (f), 5000));
  banner = rl_window_get_banner (f->window, "signed-out");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (banner), 2000));
  g_assert_cmpstr (rl_banner_get_button_label (banner), ==, "Sign In Again");
  /* A token that never worked is not one the server "no longer" takes. */
  g_assert_cmpstr (rl_banner_get_title (banner), ==, "You’re signed out: the server refused this account’s token.");
  g_assert_false (rl_banner_get_revealed (rl_window_get_banner (f->window, "reconnecting")));
  g_assert_false (rl_review_state_get_can_create (rl_image_view_get_state (rl_window_get_image_view (f->window))));

  /* An account the keyring holds (its user known from an earlier welcome)
   * whose token the server refuses now: that one it no longer accepts. */
  {
    g_autoptr(RlTestClient) ada = rl_test_client_new (f->world.server, f->world.ada);
    JsonObject *user = json_object_get_object_member (json_node_get_object (ada->welcome), "user");
    g_autofree char *revoked = g_strconcat (json_object_get_string_member (user, "id"), ".revoked", NULL);

    g_clear_object (&f->session);
    f->session = rl_session_new (f->world.server->ws_base, revoked, json_object_get_string_member (user, "id"), NULL,
                                 &error);
    g_assert_no_error (error);
    rl_window_set_session (f->window, f->session);
    g_assert_true (RL_UI_WAIT_UNTIL (unauthorized (f), 5000));
    g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (banner), 2000));
    g_assert_cmpstr (rl_banner_get_title (banner), ==,
                     "You’re signed out: the server no longer accepts this account’s token.");
  }
}

/* ---- the connect dialog's checks ----------------------------------------- */

static void
on_connected (RlConnectDialog *dialog,
              RlSession       *session,
              guint           *connected)
{
  (*connected)++;
}

static void
test_connect_dialog (void)
{
  GtkWidget *dialog = rl_connect_dialog_new (NULL, NULL, NULL);
  RlConnectDialog *self = RL_CONNECT_DIALOG (dialog);
  guint port = rl_ui_test_closed_port ();
  g_autofree char *link = g_strdup_printf ("  redline://127.0.0.1:%u/join?token=abc-123&tls=0  ", port);
  g_autofree char *address = g_strdup_printf ("ws://127.0.0.1:%u/", port);
  g_autofree char *server_url = g_strdup_printf ("ws://127.0.0.1:%u", port);
  g_autofree char *nothing_there = g_strdup_printf ("Nothing is listening at 127.0.0.1:%u", port);
  guint connected = 0;

  g_signal_connect (dialog, "connected", G_CALLBACK (on_connected), &connected);
  gtk_window_present (GTK_WINDOW (dialog));

  /* Nothing typed. */
  g_assert_false (rl_connect_dialog_submit (self));
  g_assert_nonnull (rl_connect_dialog_get_error (self));

  /* A bad link: its own error, nothing tried. */
  rl_connect_dialog_set_invite (self, "https://127.0.0.1/join?token=abc");
  g_assert_null (rl_connect_dialog_get_error (self));   /* typing clears it */
  g_assert_false (rl_connect_dialog_submit (self));
  g_assert_nonnull (strstr (rl_connect_dialog_get_error (self), "redline://"));
  rl_connect_dialog_set_invite (self, "redline://127.0.0.1:8765/join?token=abc&tls=2");
  g_assert_false (rl_connect_dialog_submit (self));
  g_assert_nonnull (strstr (rl_connect_dialog_get_error (self), "tls"));
  g_assert_false (rl_connect_dialog_get_checking (self));
  /* Slow under the sanitizers: shown and sized before the picture. */
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (dialog) && gtk_widget_get_width (dialog) > 0, 5000));
  rl_ui_test_screenshot_settled (dialog, "connect-dialog-error", 200);

  /* A good link, with the blanks a paste brings: its server is asked, and
   * why it did not answer is said (nothing listens there). */
  rl_connect_dialog_set_invite (self, link);
  g_assert_true (rl_connect_dialog_submit (self));
  g_assert_true (rl_connect_dialog_get_checking (self));
  g_assert_cmpstr (rl_session_get_server_url (rl_connect_dialog_get_session (self)), ==, server_url);
  g_assert_cmpstr (rl_session_get_token (rl_connect_dialog_get_session (self)), ==, "abc-123");
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_connect_dialog_get_checking (self), 5000));
  g_assert_true (g_str_has_prefix (rl_connect_dialog_get_error (self), nothing_there));

  /* Or an address and a token, both checked before anything is tried. */
  rl_connect_dialog_set_invite (self, "");
  rl_connect_dialog_set_server (self, "http://127.0.0.1:8765", "abc");
  g_assert_false (rl_connect_dialog_submit (self));
  rl_connect_dialog_set_server (self, "ws://127.0.0.1:8765", "bad token!");
  g_assert_false (rl_connect_dialog_submit (self));
  g_assert_false (rl_connect_dialog_get_checking (self));
  rl_connect_dialog_set_server (self, address, "abc");
  g_assert_true (rl_connect_dialog_submit (self));
  g_assert_cmpstr (rl_session_get_server_url (rl_connect_dialog_get_session (self)), ==, server_url);
  g_assert_cmpstr (rl_session_get_token (rl_connect_dialog_get_session (self)), ==, "abc");
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_connect_dialog_get_checking (self), 5000));
  g_assert_true (g_str_has_prefix (rl_connect_dialog_get_error (self), nothing_there));
  g_assert_cmpuint (connected, ==, 0);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* ---- the app: an invite link, no keyring ---------------------------------- */

static void
test_app_join (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlApplication) app = rl_ui_test_register_app (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *link = NULL;
  GtkWindow *window;
  RlSession *session;

  g_assert_false (rl_application_join (app, "redline://127.0.0.1/join", NULL, &error));
  g_assert_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_TOKEN);
  g_clear_error (&error);
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (app)));

  link = rl_invite_format (f->world.server->ws_base, f->world.ada, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rl_application_join (app, link, NULL, &error));
  g_assert_no_error (error);
  window = gtk_application_get_windows (GTK_APPLICATION (app))->data;
  gtk_window_present (window);
  g_assert_true (gtk_application_get_active_window (GTK_APPLICATION (app)) == window);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_online (RL_WINDOW (window)) &&
                                   rl_ui_test_window_n_documents (RL_WINDOW (window)) == 2, 5000));

  /* No Secret Service: the session works on, and the user is told. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_keyring_toast (RL_WINDOW (window)), 5000));

  /* The same link again is the same session: one connection. */
  session = rl_window_get_session (RL_WINDOW (window));
  g_assert_true (rl_application_join (app, link, window, &error));
  g_assert_true (rl_window_get_session (RL_WINDOW (window)) == session);
  g_assert_true (rl_application_get_current_session (app) == session);

  gtk_window_destroy (window);
  rl_ui_test_run (50);
}

int
main (int    argc,
      char **argv)
{
  /* No session bus: the app's keyring calls fail as without a Secret
   * Service, and nothing real is touched. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/redline-test-bus", TRUE);
  rl_ui_test_init (&argc, &argv);

  g_test_add ("/window/empty", Fixture, NULL, fixture_setup, test_empty, fixture_teardown);
  g_test_add ("/window/documents-and-markers", Fixture, NULL, fixture_setup, test_documents_and_markers,
              fixture_teardown);
  g_test_add ("/window/reconnect", Fixture, NULL, fixture_setup, test_reconnect, fixture_teardown);
  g_test_add ("/window/failed-send", Fixture, NULL, fixture_setup, test_failed_send, fixture_teardown);
  g_test_add ("/window/upload", Fixture, NULL, fixture_setup, test_upload, fixture_teardown);
  g_test_add ("/window/page", Fixture, NULL, fixture_setup, test_page, fixture_teardown);
  g_test_add ("/window/page-failed-create", Fixture, NULL, fixture_setup, test_page_failed_create,
              fixture_teardown);
  g_test_add ("/window/signed-out", Fixture, NULL, fixture_setup, test_signed_out, fixture_teardown);
  g_test_add_func ("/window/connect-dialog", test_connect_dialog);
  g_test_add ("/window/app-join", Fixture, NULL, fixture_setup, test_app_join, fixture_teardown);

  return g_test_run ();
}
