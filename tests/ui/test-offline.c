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
#include "rl-window-private.h"

typedef struct
{
  RlUiTestWorld world;        /* the mockup; its page: the demo's launch copy */
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
  g_autofree char *copy = demo_path ("launch-copy.md");

  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE);
  f->world.page = rl_test_team_add_doc (&f->world.team, "acme", "Launch copy", copy);
  rl_test_server_start (f->world.server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_ui_test_close_window (&f->window, &f->session);
  rl_ui_test_world_clear (&f->world);
  g_free (f->user_id);
}

/* ---- helpers ------------------------------------------------------------- */

static RlPageText *
launch_copy (void)
{
  g_autofree char *path = demo_path ("launch-copy.md");

  return rl_ui_test_page_from_file (path);
}

/* The image shown, laid out, with its two pins. */
static gboolean
image_with_pins (Fixture *f)
{
  return rl_ui_test_window_shows (f->window, "image") &&
         rl_image_view_get_n_pins (rl_window_get_image_view (f->window)) == 2;
}

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

/* The page shown with the highlights of threads a and b. */
static gboolean
page_with_highlights (Fixture    *f,
                      const char *a,
                      const char *b)
{
  RlPageView *view = rl_window_get_page_view (f->window);

  return g_strcmp0 (rl_window_get_visible_page (f->window), "page") == 0 &&
         gtk_widget_get_mapped (GTK_WIDGET (view)) && rl_page_view_get_thread_tag (view, a) != NULL &&
         rl_page_view_get_thread_tag (view, b) != NULL;
}

/* What the window shows is page ("image", "page", "error"…). */
static gboolean
visible_page_is (Fixture    *f,
                 const char *page)
{
  return g_strcmp0 (rl_window_get_visible_page (f->window), page) == 0;
}

static void
new_window (Fixture    *f,
            const char *user_id)
{
  f->session = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, user_id);
  f->window = rl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  rl_window_set_session (f->window, f->session);
  gtk_window_present (GTK_WINDOW (f->window));
}

static GtkWidget *
sidebar_row (Fixture    *f,
             const char *title)
{
  GtkWidget *heading = rl_ui_test_find_shown (GTK_WIDGET (f->window), rl_ui_test_is_label_saying, "Documents");
  GtkWidget *list = NULL;

  /* The list is the widget named "Documents" for assistive technologies;
   * its labels are the rows' titles (the header bar may say one too). */
  for (GtkWidget *w = heading; w && !list; w = gtk_widget_get_parent (w))
    for (GtkWidget *c = gtk_widget_get_first_child (w); c && !list; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_STACK (c))
        list = c;
  g_assert_nonnull (list);
  return rl_ui_test_find_shown (list, rl_ui_test_is_label_saying, title);
}

/* Both documents' threads, contents and the list are on disk. */
static gboolean
all_kept (Fixture *f)
{  g_autoptr(RlSnapshotCache) snapshots = rl_snapshot_cache_new (NULL, f->world.server->ws_base, f->user_id);
  g_autoptr(RlDocCache) documents = rl_doc_cache_new (NULL, f->world.server->ws_base, f->user_id, 0);
  g_autoptr(GPtrArray) list = rl_doc_cache_load_documents (documents, NULL);
  const char *docs[] = { f->world.image, f->world.page };

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

/* The list and the mockup's content are on disk. */
static gboolean
image_kept (Fixture *f)
{  g_autoptr(RlDocCache) documents = rl_doc_cache_new (NULL, f->world.server->ws_base, f->user_id, 0);
  g_autoptr(GPtrArray) list = rl_doc_cache_load_documents (documents, NULL);
  g_autofree char *image = rl_doc_cache_dup_content_path (documents, f->world.image, NULL);

  return list != NULL && list->len == 2 && g_file_test (image, G_FILE_TEST_IS_REGULAR);
}

/* ---- tests --------------------------------------------------------------- */

static void
test_offline_start (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RlPageText) text = launch_copy ();
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autofree char *pin_a = rl_ui_test_create_marker (bob, f->world.image, 0.3, 0.25, "Is this the final hero?");
  g_autofree char *pin_b = rl_ui_test_create_marker (bob, f->world.image, 0.7, 0.6, "Button contrast looks low");
  g_autofree char *note_a = rl_ui_test_create_annotation (bob, f->world.page, text, "final copy",
                                                          "Final, or for review?");
  g_autofree char *note_b = rl_ui_test_create_annotation (bob, f->world.page, text, "Verbs first", "Keep this rule");
  RlBanner *offline;
  RlThreadPanel *panel;

  rl_test_client_free (g_steal_pointer (&bob));

  /* Online: Ada opens the mockup, then the page, with the pointer. */
  new_window (f, NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_online (f->window), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_n_documents (f->window) == 2, 5000));
  f->user_id = g_strdup (rl_connection_get_user_id (rl_session_get_connection (f->session)));
  rl_ui_test_run (300);
  click_row (f, "Landing page");
  g_assert_true (RL_UI_WAIT_UNTIL (image_with_pins (f), 5000));
  click_row (f, "Launch copy");
  g_assert_true (RL_UI_WAIT_UNTIL (page_with_highlights (f, note_a, note_b), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (all_kept (f), 5000));
  rl_ui_test_close_window (&f->window, &f->session);

  /* On the train: no server. The app starts from the keyring's account. */
  rl_test_server_stop (f->world.server);
  new_window (f, f->user_id);
  /* Stopped: offline, nothing retried (as without a network at all). */
  rl_connection_stop (rl_session_get_connection (f->session));
  offline = rl_window_get_banner (f->window, "offline");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (offline), 3000));
  g_assert_nonnull (strstr (rl_banner_get_title (offline), "Everything here stays visible"));

  /* The list seen before, and the first document with its markers. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_n_documents (f->window) == 2, 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (image_with_pins (f), 5000));
  g_assert_false (rl_review_state_get_can_create (rl_image_view_get_state (rl_window_get_image_view (f->window))));
  panel = rl_window_get_thread_panel (f->window);
  g_assert_false (rl_review_state_get_can_create (rl_thread_panel_get_state (panel)));
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (panel), "Button contrast looks low", 3000));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "offline-start-image", 300);

  /* The page, by a click in the sidebar: its highlights, read-only. */
  click_row (f, "Launch copy");
  g_assert_true (RL_UI_WAIT_UNTIL (page_with_highlights (f, note_a, note_b), 5000));
  g_assert_false (rl_review_state_get_can_create (rl_page_view_get_state (rl_window_get_page_view (f->window))));
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (panel), "Keep this rule", 3000));
  g_assert_true (rl_banner_get_revealed (offline));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "offline-start-page", 300);
}

/* Listed before but never opened: the page says it opens when the server
 * is back, and does; an account with nothing kept says why the list is
 * empty. */
static void
test_not_kept (Fixture       *f,
               gconstpointer  data)
{
  RlDocCache *cache;
  RlApi *api;

  new_window (f, NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_online (f->window), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_n_documents (f->window) == 2, 5000));
  f->user_id = g_strdup (rl_connection_get_user_id (rl_session_get_connection (f->session)));
  click_row (f, "Landing page");
  g_assert_true (RL_UI_WAIT_UNTIL (visible_page_is (f, "image"), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (image_kept (f), 5000));
  cache = rl_api_get_cache (rl_session_get_api (f->session));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_cache_get_n_pending (cache) == 0, 5000));
  rl_ui_test_close_window (&f->window, &f->session);
  /* The page listed, never opened (the pointer crossing its row on the way
   * may have opened it: its content goes). */
  {
    g_autoptr(RlDocCache) documents = rl_doc_cache_new (NULL, f->world.server->ws_base, f->user_id, 0);
    g_autofree char *page = rl_doc_cache_dup_content_path (documents, f->world.page, NULL);

    g_remove (page);
  }

  rl_test_server_stop (f->world.server);
  new_window (f, f->user_id);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_n_documents (f->window) == 2, 3000));
  click_row (f, "Launch copy");
  g_assert_true (RL_UI_WAIT_UNTIL (visible_page_is (f, "error"), 5000));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (f->window), "Not Available Offline"));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "offline-not-kept", 300);

  /* Back: listed again, the page opens by itself; the mockup kept on disk
   * is asked for with its ETag and not sent again. */
  rl_test_server_start (f->world.server);
  rl_connection_retry_now (rl_session_get_connection (f->session));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_online (f->window), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (visible_page_is (f, "page"), 5000));
  api = rl_session_get_api (f->session);
  g_assert_cmpuint (rl_api_get_n_not_modified (api), ==, 0);
  click_row (f, "Landing page");
  g_assert_true (RL_UI_WAIT_UNTIL (visible_page_is (f, "image"), 5000));
  g_assert_cmpuint (rl_api_get_n_not_modified (api), ==, 1);
  rl_ui_test_close_window (&f->window, &f->session);

  /* Another account, nothing kept: the empty list says why. */
  rl_test_server_stop (f->world.server);
  new_window (f, "someone-else");
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (f->window), "No Documents Kept Offline", 5000));
  g_assert_cmpuint (g_list_model_get_n_items (rl_window_get_documents (f->window)), ==, 0);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "offline-nothing-kept", 300);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = rl_ui_test_private_cache ("offline");
  int status;

  rl_ui_test_init (&argc, &argv);
  g_assert_cmpstr (g_get_user_cache_dir (), ==, cache);
  g_test_add ("/offline/start", Fixture, NULL, fixture_setup, test_offline_start, fixture_teardown);
  g_test_add ("/offline/not-kept", Fixture, NULL, fixture_setup, test_not_kept, fixture_teardown);
  status = g_test_run ();
  rl_ui_test_remove_tree (cache);
  return status;
}
