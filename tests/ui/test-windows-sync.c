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

#include "rl-annotation-composer.h"
#include "rl-application.h"
#include "rl-marker-composer.h"
#include "rl-test-server.h"
#include "rl-ui-test.h"
#include "rl-window.h"

typedef struct
{
  RlTestServer  *server;
  char          *ada;
  char          *bob;
  char          *image;
  char          *page;
  RlApplication *app;
  RlSession     *session;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = rl_test_server_new ();
  g_free (rl_test_server_admin (f->server, "tenant", "add", "acme", NULL));
  f->ada = rl_test_add_user (f->server, "acme", "Ada", "member");
  f->bob = rl_test_add_user (f->server, "acme", "Bob", "member");
  /* The page first: a new window's first look would be the page, so the
   * image shows in it only when New Window opens what the user looks at. */
  f->page = rl_test_add_doc (f->server, "acme", "Launch copy", "page.md");
  f->image = rl_test_add_doc (f->server, "acme", "Landing page", "mockup.png");
  rl_test_server_start (f->server);

  f->app = rl_application_new ("io.github.redline.Redline.SyncTest", G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, &error));
  g_assert_no_error (error);
  f->session = rl_session_new (f->server->ws_base, f->ada, NULL, NULL, &error);
  g_assert_no_error (error);
  rl_connection_set_timing (rl_session_get_connection (f->session), 300, 1500, 1, 3000, 3000);
  rl_application_add_session (f->app, f->session, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (f->app))))
    gtk_window_destroy (windows->data);
  rl_ui_test_run (50);
  g_clear_object (&f->app);
  g_clear_object (&f->session);
  rl_test_server_stop (f->server);
  rl_test_server_free (f->server);
  g_free (f->ada);
  g_free (f->bob);
  g_free (f->image);
  g_free (f->page);
}

/* ---- helpers ------------------------------------------------------------- */

static gboolean
window_ready (gpointer data)
{
  RlWindow *window = data;
  RlSession *session = rl_window_get_session (window);

  return session && rl_connection_get_state (rl_session_get_connection (session)) == RL_CONNECTION_ONLINE &&
         g_list_model_get_n_items (rl_window_get_documents (window)) == 2;
}

static gboolean
image_shown (gpointer data)
{
  RlWindow *window = data;
  GtkWidget *view = GTK_WIDGET (rl_window_get_image_view (window));

  return g_strcmp0 (rl_window_get_visible_page (window), "image") == 0 &&
         gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 100;
}

static RlWindow *
first_window (Fixture *f)
{
  RlWindow *window = rl_window_new (f->app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  rl_window_set_session (window, rl_application_get_current_session (f->app));
  g_assert_true (rl_window_get_session (window) == f->session);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rl_ui_test_wait_for (window_ready, window, 5000));
  return window;
}

typedef struct
{
  RlImageView *view;
  guint        n;
} PinWait;

static gboolean
has_n_pins (gpointer data)
{
  PinWait *wait = data;

  return rl_image_view_get_n_pins (wait->view) == wait->n;
}

static gboolean
wait_pins (RlWindow *window,
           guint     n)
{
  PinWait wait = { rl_window_get_image_view (window), n };

  return rl_ui_test_wait_for (has_n_pins, &wait, 5000);
}

static gboolean
panel_lists (RlWindow   *window,
             const char *text)
{
  return rl_ui_test_wait_for_label (GTK_WIDGET (rl_window_get_thread_panel (window)), text, 5000);
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* The last presence frame Bob reads within ms for doc (NULL: none came);
 * every other frame is kept out of the way. */
static JsonObject *
last_presence (RlTestClient *bob,
               const char   *doc,
               guint         ms)
{
  JsonObject *last = NULL;
  gint64 until = g_get_monotonic_time () + ms * 1000;
  gint64 left;

  while ((left = until - g_get_monotonic_time ()) > 0)
    {
      g_autofree char *raw = rl_test_client_next_raw (bob, (guint) (left / 1000) + 1);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *object;

      if (raw == NULL)
        break;
      json_parser_load_from_data (parser, raw, -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member (object, "type"), "presence") == 0 &&
          g_strcmp0 (json_object_get_string_member (object, "doc"), doc) == 0)
        {
          g_clear_pointer (&last, json_object_unref);
          last = json_object_ref (object);
        }
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

typedef struct
{
  RlWindow *window;
  guint     n;
} ViewersWait;

static gboolean
viewers_are (gpointer data)
{
  ViewersWait *wait = data;
  RlThreadPanel *panel = rl_window_get_thread_panel (wait->window);
  RlDocStore *store = rl_thread_panel_get_store (panel);
  GtkWidget *button = rl_window_get_viewers_button (wait->window);

  return store && rl_doc_store_get_viewer_count (store) == wait->n && gtk_widget_get_visible (button);
}

/* ---- New Window: one session, one store, one viewer ------------------------ */

static void
test_new_window (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (bob, f->image);
  g_autoptr(JsonObject) quiet = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "app.new-window");
  g_autofree char *bobs = NULL;
  RlWindow *a, *b;
  RlMarkerComposer *composer;
  ViewersWait viewers;
  double x, y;

  g_assert_true (accels && g_strv_contains ((const char *const *) accels, "<Control>n"));

  a = first_window (f);
  g_assert_true (rl_window_open_document (a, f->image));
  g_assert_true (rl_ui_test_wait_for (image_shown, a, 5000));
  /* Bob and Ada: two people, on two connections. */
  g_assert_true (presence_reaches (bob, f->image, 2, 2, 5000));

  /* New Window: the same account and document. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "new-window", NULL);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (f->app))), ==, 2);
  b = RL_WINDOW (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  g_assert_true (b != a);
  gtk_window_set_default_size (GTK_WINDOW (b), 1100, 700);
  g_assert_true (rl_window_get_session (b) == f->session);
  g_assert_true (rl_ui_test_wait_for (window_ready, b, 5000));
  g_assert_true (rl_ui_test_wait_for (image_shown, b, 5000));
  g_assert_cmpstr (rl_window_get_document_id (b), ==, f->image);

  /* One store, so one subscription; its presence serves both windows. */
  g_assert_true (rl_thread_panel_get_store (rl_window_get_thread_panel (a)) ==
                 rl_thread_panel_get_store (rl_window_get_thread_panel (b)));
  viewers = (ViewersWait) { b, 2 };
  g_assert_true (rl_ui_test_wait_for (viewers_are, &viewers, 3000));
  viewers.window = a;
  g_assert_true (viewers_are (&viewers));
  /* The server still sees Ada once: if it says anything, it is 2 and 2. */
  quiet = last_presence (bob, f->image, 1000);
  if (quiet != NULL)
    {
      g_assert_cmpint (json_object_get_int_member (quiet, "count"), ==, 2);
      g_assert_cmpint (json_object_get_int_member (quiet, "connections"), ==, 2);
    }

  /* A marker made in window A (click, type, Send) is in B at once. */
  composer = RL_MARKER_COMPOSER (rl_image_view_get_composer (rl_window_get_image_view (a)));
  g_assert_true (rl_image_view_image_to_widget (rl_window_get_image_view (a), 0.3, 0.4, &x, &y));
  rl_image_view_click_for_testing (rl_window_get_image_view (a), x, y);
  g_assert_true (rl_ui_test_wait_for (popover_shown, composer, 3000));
  rl_marker_composer_set_text (composer, "Made in the first window");
  g_assert_true (gtk_widget_activate (rl_marker_composer_get_send_button (composer)));
  g_assert_true (wait_pins (b, 1));
  g_assert_true (panel_lists (b, "Made in the first window"));
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
  bobs = rl_ui_test_create_thread (bob, f->image, "{\"x\":0.7,\"y\":0.2}", "Bob sees both windows");
  g_assert_true (wait_pins (a, 2));
  g_assert_true (wait_pins (b, 2));
  g_assert_true (panel_lists (a, "Bob sees both windows"));
  g_assert_true (panel_lists (b, "Bob sees both windows"));

  /* Closing B leaves A subscribed and live. */
  gtk_window_destroy (GTK_WINDOW (b));
  rl_ui_test_run (300);
  g_free (rl_ui_test_create_thread (bob, f->image, "{\"x\":0.5,\"y\":0.8}", "After the second window closed"));
  g_assert_true (wait_pins (a, 3));
  g_assert_true (panel_lists (a, "After the second window closed"));
}

/* ---- a page in two windows -------------------------------------------------- */

static gboolean
page_shown (gpointer data)
{
  RlWindow *window = data;
  GtkWidget *view = GTK_WIDGET (rl_window_get_page_view (window));

  return g_strcmp0 (rl_window_get_visible_page (window), "page") == 0 &&
         gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 100;
}

typedef struct
{
  RlPageView    *view;
  RlThreadPanel *panel;
  const char    *exact;
  char          *thread;
} QuoteWait;

/* A highlighted thread quoting exact, in the view's store. */
static gboolean
has_highlight_of (gpointer data)
{
  QuoteWait *wait = data;
  RlDocStore *store = rl_thread_panel_get_store (wait->panel);
  GListModel *threads;

  if (store == NULL)
    return FALSE;
  threads = rl_doc_store_get_threads (store);
  for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);
      const RlThread *thread = rl_thread_item_get_thread (item);

      if (g_strcmp0 (thread->anchor.exact, wait->exact) == 0 &&
          rl_page_view_get_thread_tag (wait->view, thread->id) != NULL)
        {
          g_free (wait->thread);
          wait->thread = g_strdup (thread->id);
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_page_two_windows (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (bob, f->page);
  g_autoptr(JsonObject) created = NULL;
  RlWindow *a, *b;
  RlPageView *view_a;
  RlAnnotationComposer *composer;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  QuoteWait quote = { NULL, NULL, "headline", NULL };
  const char *plain;
  const char *at;

  a = first_window (f);
  g_assert_true (rl_window_open_document (a, f->page));
  g_assert_true (rl_ui_test_wait_for (page_shown, a, 5000));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "new-window", NULL);
  b = RL_WINDOW (gtk_application_get_windows (GTK_APPLICATION (f->app))->data);
  g_assert_true (b != a);
  g_assert_true (rl_ui_test_wait_for (page_shown, b, 5000));
  g_assert_true (rl_thread_panel_get_store (rl_window_get_thread_panel (a)) ==
                 rl_thread_panel_get_store (rl_window_get_thread_panel (b)));
  g_assert_true (presence_reaches (bob, f->page, 2, 2, 5000));

  /* Ada selects "headline" in A and comments: B highlights it and lists it. */
  view_a = rl_window_get_page_view (a);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_page_view_get_text_view (view_a)));
  plain = rl_page_text_get_text (rl_page_view_get_page (view_a), NULL);
  at = strstr (plain, "headline");
  g_assert_nonnull (at);
  gtk_text_buffer_get_iter_at_offset (buffer, &start, (int) g_utf8_strlen (plain, at - plain));
  gtk_text_buffer_get_iter_at_offset (buffer, &end, (int) g_utf8_strlen (plain, at - plain) + 8);
  gtk_text_buffer_select_range (buffer, &start, &end);
  rl_ui_test_run (200);
  composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (view_a));
  g_assert_true (gtk_widget_activate (rl_page_view_get_comment_button (view_a)));
  g_assert_true (rl_ui_test_wait_for (popover_shown, composer, 3000));
  rl_annotation_composer_set_text (composer, "Shorter, please");
  g_assert_true (gtk_widget_activate (rl_annotation_composer_get_send_button (composer)));

  quote.view = rl_window_get_page_view (b);
  quote.panel = rl_window_get_thread_panel (b);
  g_assert_true (rl_ui_test_wait_for (has_highlight_of, &quote, 5000));
  g_assert_true (panel_lists (b, "Shorter, please"));
  created = rl_test_client_expect (bob, "new-text-chat");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (created, "thread"), "id"), ==,
                   quote.thread);
  g_free (quote.thread);
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
