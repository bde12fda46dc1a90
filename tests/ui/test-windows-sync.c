/* test-windows-sync.c — two windows of one account, in step (issue 6 §7)
 *
 * Ada opens a second window with the app's "New Window" (Ctrl+N): it is on
 * the same session (one WebSocket) and shows the same document from the
 * same store (one subscription). Bob, a raw WebSocket client on the same
 * document, reads the server's presence: Ada stays one viewer on one
 * connection however many windows she has. What Ada does in one window
 * (a marker on the image, a comment on selected page text) shows in the
 * other at once, and closing one leaves the other live.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "rl-annotation-composer-private.h"
#include "rl-application.h"
#include "rl-marker-composer-private.h"
#include "rl-test-server.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"
#include "rl-image-view-private.h"
#include "rl-page-view-private.h"

typedef struct
{
  RlUiTestWorld  world;   /* its own documents: the page first */
  RlApplication *app;
  RlSession     *session;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_NO_DOCS);
  /* The page first: a new window's first look would be the page, so the
   * image shows in it only when New Window opens what the user looks at. */
  f->world.page = rl_test_team_add_doc (&f->world.team, "acme", "Launch copy", "page.md");
  f->world.image = rl_test_team_add_doc (&f->world.team, "acme", "Landing page", "mockup.png");
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
}

/* ---- helpers ------------------------------------------------------------- */

static RlWindow *
first_window (Fixture *f)
{
  RlWindow *window = rl_window_new (f->app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  rl_ui_test_window_start (window, rl_application_get_current_session (f->app), 2);
  g_assert_true (rl_window_get_session (window) == f->session);
  return window;
}

/* The last presence frame Bob reads within ms for doc (NULL: none came);
 * every other frame is kept out of the way. */
static JsonObject *
last_presence (RlTestClient *bob,
               const char   *doc,
               guint         ms)
{
  JsonObject *last = NULL;
  JsonObject *presence;
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while ((presence = rl_ui_test_next_presence (bob, doc, until)) != NULL)
    {
      g_clear_pointer (&last, json_object_unref);
      last = presence;
    }
  return last;
}

/* Bob reads presence until count and connections are these; FALSE after ms. */
static gboolean
presence_reaches (RlTestClient *bob,
                  const char   *doc,
                  gint64        count,
                  gint64        connections,
                  guint         ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_autoptr(JsonObject) presence = last_presence (bob, doc, 200);

      if (presence && json_object_get_int_member (presence, "count") == count &&
          json_object_get_int_member (presence, "connections") == connections)
        return TRUE;
    }
  return FALSE;
}

/* The window's document has n viewers, and its header shows them. */
static gboolean
viewers_are (RlWindow *window,
             guint     n)
{
  RlDocStore *store = rl_review_state_get_store (rl_thread_panel_get_state (rl_window_get_thread_panel (window)));

  return store && rl_doc_store_get_viewer_count (store) == n &&
         gtk_widget_get_visible (rl_window_get_viewers_button (window));
}

/* ---- New Window: one session, one store, one viewer ------------------------ */

static void
test_new_window (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (bob, f->world.image);
  g_autoptr(JsonObject) quiet = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "app.new-window");
  g_autofree char *bobs = NULL;
  RlWindow *a, *b;
  RlMarkerComposer *composer;
  double x, y;

  g_assert_true (accels && g_strv_contains ((const char *const *) accels, "<Control>n"));

  a = first_window (f);
  g_assert_true (rl_window_open_document (a, f->world.image));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (a, "image"), 5000));
  /* Bob and Ada: two people, on two connections. */
  g_assert_true (presence_reaches (bob, f->world.image, 2, 2, 5000));

  /* New Window: the same account and document. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "new-window", NULL);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (f->app))), ==, 2);
  b = RL_WINDOW (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  g_assert_true (b != a);
  gtk_window_set_default_size (GTK_WINDOW (b), 1100, 700);
  g_assert_true (rl_window_get_session (b) == f->session);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_online (b) && rl_ui_test_window_n_documents (b) == 2, 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (b, "image"), 5000));
  g_assert_cmpstr (rl_window_get_document_id (b), ==, f->world.image);

  /* One store, so one subscription; its presence serves both windows. */
  g_assert_true (rl_review_state_get_store (rl_thread_panel_get_state (rl_window_get_thread_panel (a))) ==
                 rl_review_state_get_store (rl_thread_panel_get_state (rl_window_get_thread_panel (b))));
  g_assert_true (RL_UI_WAIT_UNTIL (viewers_are (b, 2), 3000));
  g_assert_true (viewers_are (a, 2));
  /* The server still sees Ada once: if it says anything, it is 2 and 2. */
  quiet = last_presence (bob, f->world.image, 1000);
  if (quiet != NULL)
    {
      g_assert_cmpint (json_object_get_int_member (quiet, "count"), ==, 2);
      g_assert_cmpint (json_object_get_int_member (quiet, "connections"), ==, 2);
    }

  /* A marker made in window A (click, type, Send) is in B at once. */
  composer = RL_MARKER_COMPOSER (rl_image_view_get_composer (rl_window_get_image_view (a)));
  g_assert_true (rl_image_view_image_to_widget (rl_window_get_image_view (a), 0.3, 0.4, &x, &y));
  rl_image_view_click_for_testing (rl_window_get_image_view (a), x, y);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_marker_composer_set_text (composer, "Made in the first window");
  g_assert_true (gtk_widget_activate (rl_marker_composer_get_send_button (composer)));
  rl_ui_test_wait_pins (rl_window_get_image_view (b), 1);
  g_assert_true (rl_ui_test_panel_lists (b, "Made in the first window"));
  created = rl_test_client_expect (bob, "new-image-chat");
  g_assert_nonnull (created);
  {
    const char *id = json_object_get_string_member (json_object_get_object_member (created, "thread"), "id");
    double px, py;

    g_assert_true (rl_image_view_get_pin_position (rl_window_get_image_view (b), id, &px, &py));
    g_assert_cmpfloat_with_epsilon (px, 0.3, 0.01);
    g_assert_cmpfloat_with_epsilon (py, 0.4, 0.01);
  }

  /* A teammate's marker shows in both. */
  bobs = rl_ui_test_create_thread (bob, f->world.image, "{\"x\":0.7,\"y\":0.2}", "Bob sees both windows");
  rl_ui_test_wait_pins (rl_window_get_image_view (a), 2);
  rl_ui_test_wait_pins (rl_window_get_image_view (b), 2);
  g_assert_true (rl_ui_test_panel_lists (a, "Bob sees both windows"));
  g_assert_true (rl_ui_test_panel_lists (b, "Bob sees both windows"));

  /* Closing B leaves A subscribed and live. */
  gtk_window_destroy (GTK_WINDOW (b));
  rl_ui_test_run (300);
  g_free (rl_ui_test_create_thread (bob, f->world.image, "{\"x\":0.5,\"y\":0.8}", "After the second window closed"));
  rl_ui_test_wait_pins (rl_window_get_image_view (a), 3);
  g_assert_true (rl_ui_test_panel_lists (a, "After the second window closed"));
}

/* ---- a page in two windows -------------------------------------------------- */

/* A thread quoting exact in panel's store, highlighted in view; *thread
 * gets its id. */
static gboolean
has_highlight_of (RlPageView     *view,
                  RlThreadPanel  *panel,
                  const char     *exact,
                  char          **thread)
{
  RlDocStore *store = rl_review_state_get_store (rl_thread_panel_get_state (panel));
  GListModel *threads;

  if (store == NULL)
    return FALSE;
  threads = rl_doc_store_get_threads (store);
  for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);
      const RlThread *found = rl_thread_item_get_thread (item);

      if (g_strcmp0 (found->anchor.exact, exact) == 0 && rl_page_view_get_thread_tag (view, found->id) != NULL)
        {
          g_free (*thread);
          *thread = g_strdup (found->id);
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_page_two_windows (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (bob, f->world.page);
  g_autoptr(JsonObject) created = NULL;
  RlWindow *a, *b;
  RlPageView *view_a;
  RlAnnotationComposer *composer;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *thread = NULL;
  guint at;

  a = first_window (f);
  g_assert_true (rl_window_open_document (a, f->world.page));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (a, "page"), 5000));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "new-window", NULL);
  b = RL_WINDOW (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  g_assert_true (b != a);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (b, "page"), 5000));
  g_assert_true (rl_review_state_get_store (rl_thread_panel_get_state (rl_window_get_thread_panel (a))) ==
                 rl_review_state_get_store (rl_thread_panel_get_state (rl_window_get_thread_panel (b))));
  g_assert_true (presence_reaches (bob, f->world.page, 2, 2, 5000));

  /* Ada selects "headline" in A and comments: B highlights it and lists it. */
  view_a = rl_window_get_page_view (a);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_page_view_get_text_view (view_a)));
  at = rl_ui_test_page_find (rl_page_view_get_page (view_a), "headline", NULL);
  gtk_text_buffer_get_iter_at_offset (buffer, &start, (int) at);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, (int) at + 8);
  gtk_text_buffer_select_range (buffer, &start, &end);
  rl_ui_test_run (200);
  composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (view_a));
  g_assert_true (gtk_widget_activate (rl_page_view_get_comment_button (view_a)));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_annotation_composer_set_text (composer, "Shorter, please");
  g_assert_true (gtk_widget_activate (rl_annotation_composer_get_send_button (composer)));

  g_assert_true (RL_UI_WAIT_UNTIL (has_highlight_of (rl_window_get_page_view (b), rl_window_get_thread_panel (b),
                                                     "headline", &thread), 5000));
  g_assert_true (rl_ui_test_panel_lists (b, "Shorter, please"));
  created = rl_test_client_expect (bob, "new-text-chat");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (created, "thread"), "id"), ==,
                   thread);
}

int
main (int    argc,
      char **argv)
{
  /* No session bus: the app's keyring calls fail as without a Secret
   * Service, and nothing real is touched. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/redline-test-bus", TRUE);
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/windows-sync/new-window", Fixture, NULL, fixture_setup, test_new_window, fixture_teardown);
  g_test_add ("/windows-sync/page", Fixture, NULL, fixture_setup, test_page_two_windows, fixture_teardown);
  return g_test_run ();
}
