/* test-upload.c — uploads as a person sees them: shown under the document
 * list with their progress, cancelled with a click or from the keyboard,
 * refused before anything is sent when the server would refuse them, and
 * every refusal in words
 *
 * The window's session goes through a proxy (tests/server/rl-test-proxy)
 * that counts what HTTP requests send and can hold a transfer mid-way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rl-limits.h"
#include "rl-test-proxy.h"
#include "rl-test-server.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-upload-row.h"
#include "rl-window-private.h"

typedef struct
{
  RlUiTestWorld world;   /* with documents of its own */
  RlTestProxy  *proxy;
  const char   *vic;
  char         *dir;
  RlSession    *session;
  RlWindow     *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_NO_DOCS);
  /* A tiny mockup: the window has next to nothing to draw while the
   * uploads run (the landing mockup costs a tenth of a second a test). */
  f->world.image = rl_test_team_add_doc (&f->world.team, "acme", "Mockup", "mockup.png");
  f->world.page = rl_test_team_add_doc (&f->world.team, "acme", "Notes", "page.md");
  f->vic = rl_test_team_add_person (&f->world.team, "Vic:viewer");
  rl_test_server_start (f->world.server);
  f->proxy = rl_test_proxy_new (f->world.server->port);
  f->dir = g_dir_make_tmp ("redline-upload-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_ui_test_close_window (&f->window, &f->session);
  g_clear_pointer (&f->proxy, rl_test_proxy_free);
  rl_ui_test_world_clear (&f->world);
  rl_ui_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* ---- helpers ------------------------------------------------------------- */

/* token's window, through the proxy, online, its documents listed. */
static void
open_window (Fixture    *f,
             const char *token)
{
  g_autoptr(GError) error = NULL;

  f->session = rl_session_new (rl_test_proxy_get_ws_base (f->proxy), token, NULL, NULL, &error);
  g_assert_no_error (error);
  f->window = rl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  rl_ui_test_window_start (f->window, f->session, 2);
  rl_ui_test_run (300);
}

/* The upload rows shown, in order. */
static GPtrArray *
upload_rows (Fixture *f)
{
  return rl_ui_test_find_all (GTK_WIDGET (f->window), rl_ui_test_is_of_type, GSIZE_TO_POINTER (RL_TYPE_UPLOAD_ROW));
}

static RlUploadRow *
upload_row (Fixture *f,
            guint    i)
{
  g_autoptr(GPtrArray) rows = upload_rows (f);

  return i < rows->len ? g_ptr_array_index (rows, i) : NULL;
}

static guint
n_upload_rows (Fixture *f)
{
  g_autoptr(GPtrArray) rows = upload_rows (f);

  return rows->len;
}

static guint
n_failed (Fixture *f)
{
  g_autoptr(GPtrArray) rows = upload_rows (f);
  guint failed = 0;

  for (guint i = 0; i < rows->len; i++)
    failed += rl_upload_row_get_error (g_ptr_array_index (rows, i)) != NULL;
  return failed;
}

/* The first row has sent something, not all, and the proxy holds the rest. */
static gboolean
upload_held_midway (Fixture *f)
{
  RlUploadRow *row = upload_row (f, 0);

  return row != NULL && rl_test_proxy_is_holding (f->proxy) && rl_upload_row_get_fraction (row) > 0 &&
         rl_upload_row_get_fraction (row) < 1;
}

/* How many documents the server lists to Ada, asked directly. */
static guint
server_documents (Fixture *f)
{
  g_autoptr(RlTestResponse) response = rl_test_http (f->world.server, "GET", "/api/v1/docs", f->world.ada, NULL, NULL);

  g_assert_cmpuint (response->status, ==, 200);
  return json_array_get_length (json_node_get_array (response->json));
}

static char *
big_board (Fixture *f)
{
  char *path = g_build_filename (f->dir, "Big board.png", NULL);

  /* About 10 MB of noise: more than the kernel's socket buffers hold. */
  rl_test_write_noisy_png (path, 2000, 1800);
  return path;
}

static void
upload_paths (Fixture    *f,
              const char *first,
              ...)
{
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
  va_list args;

  va_start (args, first);
  for (const char *path = first; path; path = va_arg (args, const char *))
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      g_list_store_append (files, file);
    }
  va_end (args);
  rl_window_upload_files (f->window, G_LIST_MODEL (files));
}

/* ---- tests --------------------------------------------------------------- */

/* Its row shows the progress; a click on Cancel stops it; the server keeps
 * nothing. */
static void
test_progress_and_cancel (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *path = big_board (f);
  RlUploadRow *row;
  guint open;

  open_window (f, f->world.ada);
  /* The server gets the first MiB, then the transfer stalls. */
  rl_test_proxy_hold_after (f->proxy, 1024 * 1024);

  /* Set up as a drop or the file chooser would (GTK's chooser leaks in
   * libcloudproviders, which LeakSanitizer cannot be told to ignore). */
  upload_paths (f, path, NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (upload_held_midway (f), 10000));
  row = upload_row (f, 0);
  g_assert_cmpstr (rl_upload_row_get_name (row), ==, "Big board.png");
  g_assert_nonnull (strstr (rl_upload_row_get_status (row), " of "));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (f->window), "Big board.png"));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "upload-progress", 200);

  open = rl_test_proxy_get_n_open (f->proxy);
  rl_ui_input_click (rl_upload_row_get_button (row));
  g_assert_true (RL_UI_WAIT_UNTIL (n_upload_rows (f) == 0, 5000));

  /* What the proxy held reaches the server, then the end of a cut body. */
  rl_test_proxy_release (f->proxy);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_test_proxy_get_n_open (f->proxy) < open, 10000));
  g_assert_cmpuint (server_documents (f), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (rl_window_get_documents (f->window)), ==, 2);
}

typedef struct
{
  GArray   *fractions;
} FractionLog;

static void
on_fraction (GtkProgressBar *bar,
             GParamSpec     *pspec,
             FractionLog    *log)
{
  double fraction = gtk_progress_bar_get_fraction (bar);

  g_array_append_val (log->fractions, fraction);
}

/* A document other than the world's is open. */
static gboolean
new_document_open (Fixture *f)
{
  const char *open = rl_window_get_document_id (f->window);

  return open != NULL && g_strcmp0 (open, f->world.image) != 0 && g_strcmp0 (open, f->world.page) != 0;
}

/* The Cancel button is reached from the keyboard; an upload let through
 * goes from 0 to all, then opens. */
static void
test_keyboard_and_complete (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *path = big_board (f);
  GtkWidget *upload_button;
  RlUploadRow *row;
  FractionLog log = { g_array_new (FALSE, FALSE, sizeof (double)) };
  AdwToast *toast;

  open_window (f, f->world.ada);
  rl_test_proxy_hold_after (f->proxy, 1024 * 1024);
  upload_paths (f, path, NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (upload_held_midway (f), 10000));
  row = upload_row (f, 0);

  /* From the Upload button, one Shift+Tab back: the row's Cancel button;
   * Space presses it. */
  upload_button = rl_ui_test_find_shown (GTK_WIDGET (f->window), rl_ui_test_has_action, "win.upload");
  gtk_widget_grab_focus (upload_button);
  rl_ui_input_key (GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_true (gtk_widget_has_focus (rl_upload_row_get_button (row)));
  rl_ui_input_key (GDK_KEY_space, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (n_upload_rows (f) == 0, 5000));
  /* The focus did not fall out of the sidebar. */
  g_assert_true (gtk_widget_has_focus (upload_button));

  /* Again, and let through this time. */
  rl_test_proxy_release (f->proxy);
  rl_test_proxy_hold_after (f->proxy, 1024 * 1024);
  upload_paths (f, path, NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (upload_held_midway (f), 10000));
  row = upload_row (f, 0);
  g_signal_connect (rl_ui_test_find_type (GTK_WIDGET (row), GTK_TYPE_PROGRESS_BAR),
                    "notify::fraction", G_CALLBACK (on_fraction), &log);
  rl_test_proxy_release (f->proxy);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_n_documents (f->window) == 3, 20000));
  g_assert_true (RL_UI_WAIT_UNTIL (n_upload_rows (f) == 0, 5000));

  /* Increasing, to all of it. */
  g_assert_cmpuint (log.fractions->len, >, 3);
  for (guint i = 1; i < log.fractions->len; i++)
    g_assert_cmpfloat (g_array_index (log.fractions, double, i), >, g_array_index (log.fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (log.fractions, double, log.fractions->len - 1), ==, 1.0);
  g_array_unref (log.fractions);

  toast = rl_window_get_last_toast (f->window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Uploaded “Big board”");
  g_assert_true (RL_UI_WAIT_UNTIL (new_document_open (f), 5000));
  g_assert_cmpuint (server_documents (f), ==, 3);
}

static gboolean
says (RlUploadRow *row,
      const char  *words)
{
  const char *error = rl_upload_row_get_error (row);

  if (error == NULL || strstr (error, words) == NULL)
    {
      g_test_message ("“%s” does not say “%s”", error ? error : "(nothing)", words);
      return FALSE;
    }
  return TRUE;
}

/* Too large, of another type, too many pixels: refused before a byte is
 * sent, each in its row and in words; dismissed with a click. */
static void
test_refused_before_sending (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *plan = g_build_filename (f->dir, "plan.png", NULL);
  g_autofree char *brief = g_build_filename (f->dir, "brief.pdf", NULL);
  g_autofree char *bomb = g_build_filename (f->dir, "bomb.png", NULL);
  g_autofree char *bomb_data = g_test_build_filename (G_TEST_DIST, "data", "bomb.png", NULL);
  g_autofree char *bomb_bytes = NULL;
  g_autofree char *size = g_format_size (60 * 1024 * 1024);
  g_autofree char *limit = g_format_size (RL_UPLOAD_MAX_BYTES);
  gsize bomb_length;
  guint64 sent_before;
  guint accepted_before;

  rl_test_write_sparse (plan, 60 * 1024 * 1024);
  g_assert_true (g_file_set_contents (brief, "%PDF-1.4\n", -1, NULL));
  g_assert_true (g_file_get_contents (bomb_data, &bomb_bytes, &bomb_length, NULL));
  g_assert_true (g_file_set_contents (bomb, bomb_bytes, (gssize) bomb_length, NULL));

  open_window (f, f->world.ada);
  sent_before = rl_test_proxy_get_http_bytes_up (f->proxy);
  accepted_before = rl_test_proxy_get_n_accepted (f->proxy);
  /* Three files at once, as a drop brings them. */
  upload_paths (f, plan, brief, bomb, NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (n_failed (f) == 3, 5000));

  g_assert_true (says (upload_row (f, 0), "“plan.png”"));
  g_assert_true (says (upload_row (f, 0), size));
  g_assert_true (says (upload_row (f, 0), limit));
  g_assert_true (says (upload_row (f, 1), "“brief.pdf” is not a PNG, JPEG, WebP, Markdown or text file"));
  g_assert_true (says (upload_row (f, 2), "60000 × 60000 pixels"));
  g_assert_true (says (upload_row (f, 2), "200 megapixels"));
  /* Nothing went to the server: no connection, not a byte. */
  g_assert_cmpuint (rl_test_proxy_get_http_bytes_up (f->proxy), ==, sent_before);
  g_assert_cmpuint (rl_test_proxy_get_n_accepted (f->proxy), ==, accepted_before);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "upload-refused", 200);

  /* Dismissed one by one with the pointer. */
  rl_ui_input_click (rl_upload_row_get_button (upload_row (f, 1)));
  g_assert_true (RL_UI_WAIT_UNTIL (n_upload_rows (f) == 2, 3000));
  g_assert_true (says (upload_row (f, 0), "“plan.png”"));
  g_assert_true (says (upload_row (f, 1), "“bomb.png”"));
  g_assert_cmpuint (server_documents (f), ==, 2);
}

/* A viewer is told, before anything is sent, why not and whom to ask. */
static void
test_viewer (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "mockup.png", NULL);
  guint64 sent_before;

  open_window (f, f->vic);
  sent_before = rl_test_proxy_get_http_bytes_up (f->proxy);
  upload_paths (f, path, NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (n_failed (f) == 1, 5000));
  g_assert_true (says (upload_row (f, 0), "Viewers can’t upload documents; ask an admin of your team"));
  g_assert_cmpuint (rl_test_proxy_get_http_bytes_up (f->proxy), ==, sent_before);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "upload-viewer", 200);

  rl_ui_input_click (rl_upload_row_get_button (upload_row (f, 0)));
  g_assert_true (RL_UI_WAIT_UNTIL (n_upload_rows (f) == 0, 3000));
  g_assert_cmpuint (server_documents (f), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  /* Nothing of this run lands in the user's cache. */
  g_autofree char *cache = rl_ui_test_private_cache ("upload");
  int status;

  rl_ui_test_init (&argc, &argv);
  g_test_add ("/upload/progress-and-cancel", Fixture, NULL, fixture_setup, test_progress_and_cancel,
              fixture_teardown);
  g_test_add ("/upload/keyboard-and-complete", Fixture, NULL, fixture_setup, test_keyboard_and_complete,
              fixture_teardown);
  g_test_add ("/upload/refused-before-sending", Fixture, NULL, fixture_setup, test_refused_before_sending,
              fixture_teardown);
  g_test_add ("/upload/viewer", Fixture, NULL, fixture_setup, test_viewer, fixture_teardown);
  status = g_test_run ();
  rl_ui_test_remove_tree (cache);
  return status;
}
