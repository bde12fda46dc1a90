/* test-offline.c — an app started without its server shows what it saw
 * before: the document list, the mockup with its markers, the page with
 * its highlights, read-only, under the offline banner
 *
 * A first window, online, opens the documents as a person would; then the
 * server stops, and a new session for the same account (the server URL
 * and the user id the keyring keeps, as the app does at start) opens a new
 * window. Everything it shows comes from the disk caches.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rl-doc-cache.h"
#include "rl-plaintext.h"
#include "rl-snapshot-cache.h"
#include "rl-test-server.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window.h"

typedef struct
{
  RlTestServer *server;
  char         *ada;
  char         *bob;
  char         *image;
  char         *page;
  char         *user_id;      /* Ada's, as the welcome gave it */
  RlSession    *session;
  RlWindow     *window;
} Fixture;

static char *
demo_path (const char *name)
{
  return g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "demo", name, NULL);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *mockup = demo_path ("landing-mockup.png");
  g_autofree char *copy = demo_path ("launch-copy.md");

  f->server = rl_test_server_new ();
  g_free (rl_test_server_admin (f->server, "tenant", "add", "acme", NULL));
  f->ada = rl_test_add_user (f->server, "acme", "Ada", "member");
  f->bob = rl_test_add_user (f->server, "acme", "Bob", "member");
  f->image = rl_test_server_admin (f->server, "doc", "add", "--tenant", "acme", "--title", "Landing page",
                                   mockup, NULL);
  f->page = rl_test_server_admin (f->server, "doc", "add", "--tenant", "acme", "--title", "Launch copy",
                                  copy, NULL);
  rl_test_server_start (f->server);
}

static void
close_window (Fixture *f)
{
  if (f->window)
    gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  rl_ui_test_run (50);
  g_clear_object (&f->session);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  close_window (f);
  if (f->server->process)
    rl_test_server_stop (f->server);
  rl_test_server_free (f->server);
  g_free (f->ada);
  g_free (f->bob);
  g_free (f->image);
  g_free (f->page);
  g_free (f->user_id);
}

/* ---- helpers ------------------------------------------------------------- */

static RlPageText *
launch_copy (void)
{
  g_autofree char *path = demo_path ("launch-copy.md");
  g_autofree char *bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  RlPageText *text;

  g_assert_true (g_file_get_contents (path, &bytes, &length, &error));
  text = rl_page_text_new ("text/markdown", bytes, length, &error);
  g_assert_no_error (error);
  return text;
}

/* Bob's note on the first occurrence of exact. */
static char *
bob_annotates (RlTestClient *bob,
               const char   *doc,
               RlPageText   *text,
               const char   *exact,
               const char   *body)
{
  const char *plain = rl_page_text_get_text (text, NULL);
  const char *at = strstr (plain, exact);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *suffix = NULL;
  g_autofree char *anchor = NULL;
  guint start, end;

  g_assert_nonnull (at);
  start = (guint) g_utf8_strlen (plain, at - plain);
  end = start + (guint) g_utf8_strlen (exact, -1);
  prefix = rl_page_text_slice (text, start > 32 ? start - 32 : 0, start);
  suffix = rl_page_text_slice (text, end, MIN (end + 32, rl_page_text_get_n_chars (text)));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "start");
  json_builder_add_int_value (builder, start);
  json_builder_set_member_name (builder, "end");
  json_builder_add_int_value (builder, end);
  json_builder_set_member_name (builder, "exact");
  json_builder_add_string_value (builder, exact);
  json_builder_set_member_name (builder, "prefix");
  json_builder_add_string_value (builder, prefix);
  json_builder_set_member_name (builder, "suffix");
  json_builder_add_string_value (builder, suffix);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  anchor = json_to_string (root, FALSE);
  return rl_ui_test_create_thread (bob, doc, anchor, body);
}

static gboolean
online (gpointer data)
{
  Fixture *f = data;

  return rl_connection_get_state (rl_session_get_connection (f->session)) == RL_CONNECTION_ONLINE;
}

static gboolean
two_documents (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (rl_window_get_documents (f->window)) == 2;
}

static gboolean
image_with_pins (gpointer data)
{
  Fixture *f = data;
  GtkWidget *view = GTK_WIDGET (rl_window_get_image_view (f->window));

  return g_strcmp0 (rl_window_get_visible_page (f->window), "image") == 0 && gtk_widget_get_mapped (view) &&
         gtk_widget_get_width (view) > 100 && rl_image_view_get_n_pins (rl_window_get_image_view (f->window)) == 2;
}

typedef struct
{
  Fixture    *f;
  const char *a;
  const char *b;
} Highlights;

static GtkWidget *sidebar_row (Fixture    *f,
                               const char *title);

/* A click on a document in the sidebar, the pointer coming from the
 * window's title (a new window may open where the last one was, under a
 * pointer that has not moved). */
static void
click_row (Fixture    *f,
           const char *title)
{
  rl_ui_input_move (GTK_WIDGET (f->window), gtk_widget_get_width (GTK_WIDGET (f->window)) / 2.0, 10);
  rl_ui_input_click (sidebar_row (f, title));
}

static gboolean
page_with_highlights (gpointer data)
{
  Highlights *wait = data;
  RlPageView *view = rl_window_get_page_view (wait->f->window);

  return g_strcmp0 (rl_window_get_visible_page (wait->f->window), "page") == 0 &&
         gtk_widget_get_mapped (GTK_WIDGET (view)) && rl_page_view_get_thread_tag (view, wait->a) != NULL &&
         rl_page_view_get_thread_tag (view, wait->b) != NULL;
}

static gboolean
visible_page_is (gpointer data)
{
  Highlights *wait = data;

  return g_strcmp0 (rl_window_get_visible_page (wait->f->window), wait->a) == 0;
}

static gboolean
banner_revealed (gpointer data)
{
  return rl_banner_get_revealed (data);
}

static void
new_window (Fixture    *f,
            const char *user_id)
{
  g_autoptr(GError) error = NULL;

  f->session = rl_session_new (f->server->ws_base, f->ada, user_id, NULL, &error);
  g_assert_no_error (error);
  rl_connection_set_timing (rl_session_get_connection (f->session), 300, 1500, 1, 3000, 3000);
  f->window = rl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  rl_window_set_session (f->window, f->session);
  gtk_window_present (GTK_WINDOW (f->window));
}

/* The sidebar row that says title. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0 &&
      gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
sidebar_row (Fixture    *f,
             const char *title)
{
  GtkWidget *list = NULL;

  /* The list is the widget named "Documents" for assistive technologies;
   * its labels are the rows' titles (the header bar may say one too). */
  for (GtkWidget *w = find_label (GTK_WIDGET (f->window), "Documents"); w && !list; w = gtk_widget_get_parent (w))
    for (GtkWidget *c = gtk_widget_get_first_child (w); c && !list; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_STACK (c))
        list = c;
  g_assert_nonnull (list);
  return find_label (list, title);
}

/* Both documents' threads, contents and the list are on disk. */
static gboolean
all_kept (gpointer data)
{
  Fixture *f = data;
  g_autoptr(RlSnapshotCache) snapshots = rl_snapshot_cache_new (NULL, f->server->ws_base, f->user_id);
  g_autoptr(RlDocCache) documents = rl_doc_cache_new (NULL, f->server->ws_base, f->user_id, 0);
  g_autoptr(GPtrArray) list = rl_doc_cache_load_documents (documents, NULL);
  const char *docs[] = { f->image, f->page };

  if (list == NULL || list->len != 2)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_autofree char *snapshot = rl_snapshot_cache_dup_path (snapshots, docs[i], NULL);
      g_autofree char *content = rl_doc_cache_dup_content_path (documents, docs[i], NULL);

      if (!g_file_test (snapshot, G_FILE_TEST_IS_REGULAR) || !g_file_test (content, G_FILE_TEST_IS_REGULAR))
        return FALSE;
    }
  return TRUE;
}

static gboolean
nothing_pending (gpointer data)
{
  return rl_doc_cache_get_n_pending (data) == 0;
}

/* The list and the mockup's content are on disk. */
static gboolean
image_kept (gpointer data)
{
  Fixture *f = data;
  g_autoptr(RlDocCache) documents = rl_doc_cache_new (NULL, f->server->ws_base, f->user_id, 0);
  g_autoptr(GPtrArray) list = rl_doc_cache_load_documents (documents, NULL);
  g_autofree char *image = rl_doc_cache_dup_content_path (documents, f->image, NULL);

  return list != NULL && list->len == 2 && g_file_test (image, G_FILE_TEST_IS_REGULAR);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

/* ---- tests --------------------------------------------------------------- */

static void
test_offline_start (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RlPageText) text = launch_copy ();
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->server, f->bob);
  g_autofree char *pin_a = rl_ui_test_create_marker (bob, f->image, 0.3, 0.25, "Is this the final hero?");
  g_autofree char *pin_b = rl_ui_test_create_marker (bob, f->image, 0.7, 0.6, "Button contrast looks low");
  g_autofree char *note_a = bob_annotates (bob, f->page, text, "final copy", "Final, or for review?");
  g_autofree char *note_b = bob_annotates (bob, f->page, text, "Verbs first", "Keep this rule");
  Highlights highlights = { f, note_a, note_b };
  RlBanner *offline;
  RlThreadPanel *panel;

  rl_test_client_free (g_steal_pointer (&bob));

  /* Online: Ada opens the mockup, then the page, with the pointer. */
  new_window (f, NULL);
  g_assert_true (rl_ui_test_wait_for (online, f, 5000));
  g_assert_true (rl_ui_test_wait_for (two_documents, f, 5000));
  f->user_id = g_strdup (rl_connection_get_user_id (rl_session_get_connection (f->session)));
  rl_ui_test_run (300);
  click_row (f, "Landing page");
  g_assert_true (rl_ui_test_wait_for (image_with_pins, f, 5000));
  click_row (f, "Launch copy");
  g_assert_true (rl_ui_test_wait_for (page_with_highlights, &highlights, 5000));
  g_assert_true (rl_ui_test_wait_for (all_kept, f, 5000));
  close_window (f);

  /* On the train: no server. The app starts from the keyring's account. */
  rl_test_server_stop (f->server);
  new_window (f, f->user_id);
  /* Stopped: offline, nothing retried (as without a network at all). */
  rl_connection_stop (rl_session_get_connection (f->session));
  offline = rl_window_get_banner (f->window, "offline");
  g_assert_true (rl_ui_test_wait_for (banner_revealed, offline, 3000));
  g_assert_nonnull (strstr (rl_banner_get_title (offline), "Everything here stays visible"));

  /* The list seen before, and the first document with its markers. */
  g_assert_true (rl_ui_test_wait_for (two_documents, f, 3000));
  g_assert_true (rl_ui_test_wait_for (image_with_pins, f, 5000));
  g_assert_false (rl_image_view_get_can_create (rl_window_get_image_view (f->window)));
  panel = rl_window_get_thread_panel (f->window);
  g_assert_false (rl_thread_panel_get_can_create (panel));
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (panel), "Button contrast looks low", 3000));
  rl_ui_test_run (300);
  g_free (rl_ui_test_screenshot (GTK_WIDGET (f->window), "offline-start-image"));

  /* The page, by a click in the sidebar: its highlights, read-only. */
  click_row (f, "Launch copy");
  g_assert_true (rl_ui_test_wait_for (page_with_highlights, &highlights, 5000));
  g_assert_false (rl_page_view_get_can_create (rl_window_get_page_view (f->window)));
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (panel), "Keep this rule", 3000));
  g_assert_true (rl_banner_get_revealed (offline));
  rl_ui_test_run (300);
  g_free (rl_ui_test_screenshot (GTK_WIDGET (f->window), "offline-start-page"));
}

/* Listed before but never opened: the page says it opens when the server
 * is back, and does; an account with nothing kept says why the list is
 * empty. */
static void
test_not_kept (Fixture       *f,
               gconstpointer  data)
{
  Highlights error_page = { f, "error", NULL };
  Highlights page_shown = { f, "page", NULL };
  Highlights image_shown = { f, "image", NULL };
  RlApi *api;

  new_window (f, NULL);
  g_assert_true (rl_ui_test_wait_for (online, f, 5000));
  g_assert_true (rl_ui_test_wait_for (two_documents, f, 5000));
  f->user_id = g_strdup (rl_connection_get_user_id (rl_session_get_connection (f->session)));
  click_row (f, "Landing page");
  g_assert_true (rl_ui_test_wait_for (visible_page_is, &image_shown, 5000));
  g_assert_true (rl_ui_test_wait_for (image_kept, f, 5000));
  g_assert_true (rl_ui_test_wait_for (nothing_pending, rl_api_get_cache (rl_session_get_api (f->session)), 5000));
  close_window (f);
  /* The page listed, never opened (the pointer crossing its row on the way
   * may have opened it: its content goes). */
  {
    g_autoptr(RlDocCache) documents = rl_doc_cache_new (NULL, f->server->ws_base, f->user_id, 0);
    g_autofree char *page = rl_doc_cache_dup_content_path (documents, f->page, NULL);

    g_remove (page);
  }

  rl_test_server_stop (f->server);
  new_window (f, f->user_id);
  g_assert_true (rl_ui_test_wait_for (two_documents, f, 3000));
  click_row (f, "Launch copy");
  g_assert_true (rl_ui_test_wait_for (visible_page_is, &error_page, 5000));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (f->window), "Not Available Offline"));
  rl_ui_test_run (300);
  g_free (rl_ui_test_screenshot (GTK_WIDGET (f->window), "offline-not-kept"));

  /* Back: listed again, the page opens by itself; the mockup kept on disk
   * is asked for with its ETag and not sent again. */
  rl_test_server_start (f->server);
  rl_connection_retry_now (rl_session_get_connection (f->session));
  g_assert_true (rl_ui_test_wait_for (online, f, 5000));
  g_assert_true (rl_ui_test_wait_for (visible_page_is, &page_shown, 5000));
  api = rl_session_get_api (f->session);
  g_assert_cmpuint (rl_api_get_n_not_modified (api), ==, 0);
  click_row (f, "Landing page");
  g_assert_true (rl_ui_test_wait_for (visible_page_is, &image_shown, 5000));
  g_assert_cmpuint (rl_api_get_n_not_modified (api), ==, 1);
  close_window (f);

  /* Another account, nothing kept: the empty list says why. */
  rl_test_server_stop (f->server);
  new_window (f, "someone-else");
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (f->window), "No Documents Kept Offline", 5000));
  g_assert_cmpuint (g_list_model_get_n_items (rl_window_get_documents (f->window)), ==, 0);
  rl_ui_test_run (300);
  g_free (rl_ui_test_screenshot (GTK_WIDGET (f->window), "offline-nothing-kept"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = g_dir_make_tmp ("redline-offline-cache-XXXXXX", NULL);
  int status;

  /* Before anything asks for it: g_get_user_cache_dir () keeps the first answer. */
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  rl_ui_test_init (&argc, &argv);
  g_assert_cmpstr (g_get_user_cache_dir (), ==, cache);
  g_test_add ("/offline/start", Fixture, NULL, fixture_setup, test_offline_start, fixture_teardown);
  g_test_add ("/offline/not-kept", Fixture, NULL, fixture_setup, test_not_kept, fixture_teardown);
  status = g_test_run ();
  remove_tree (cache);
  return status;
}
