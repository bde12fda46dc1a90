/* test-window-input.c — the window as a person uses it: real pointer and
 * keyboard (rl-ui-input) on the app's real windows, against the real server
 *
 * Ada (tenant acme) and Gil (tenant globex) are two accounts of one app;
 * Bob is a raw WebSocket teammate of Ada's who reads the server's presence
 * frames, so what the server believes (who is viewing) is checked, not
 * what the app says about itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "rl-application.h"
#include "rl-connect-dialog-private.h"
#include "rl-test-server.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"
#include "rl-image-view-private.h"
#include "rl-connection-private.h"

typedef struct
{
  RlUiTestWorld  world;      /* the mockup and the launch copy */
  const char    *gil;
  const char    *globex_doc;
  RlApplication *app;
  RlSession     *ada_session;
  RlSession     *gil_session;
  RlWindow      *window;
} Fixture;

enum
{
  ADA_ONLY,
  WITH_GIL,
};

/* A session as the app opens an account the keyring holds: its user id
 * and its label known before any welcome. */
static RlSession *
saved_session (Fixture    *f,
               const char *token,
               const char *label)
{
  g_autofree char *user_id = rl_ui_test_user_id (f->world.server, token);
  RlSession *session = rl_ui_test_session_new (f->world.server->ws_base, token, user_id);

  rl_session_set_label (session, label);
  return session;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE | RL_UI_TEST_WORLD_PAGE);
  f->gil = rl_test_team_add_person (&f->world.team, "globex/Gil:member");
  f->globex_doc = rl_test_team_add_doc (&f->world.team, "globex", "Globex brief", "page.md");
  rl_test_server_start (f->world.server);

  f->ada_session = saved_session (f, f->world.ada, "Ada (Acme)");
  f->app = rl_ui_test_register_app (f->ada_session);
  /* Two accounts in the keyring, or Ada's alone (Gil's comes through
   * "Connect to Server…"). */
  if (GPOINTER_TO_INT (data) == WITH_GIL)
    {
      f->gil_session = saved_session (f, f->gil, "Gil (Globex)");
      rl_application_add_session (f->app, f->gil_session, TRUE);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_ui_test_close_app (&f->app);
  g_clear_object (&f->ada_session);
  g_clear_object (&f->gil_session);
  rl_ui_test_world_clear (&f->world);
}

/* ---- finding what a person sees -------------------------------------------- */

/* The sidebar's row of the document with that title (its row widget). */
static GtkWidget *
doc_row (RlWindow   *window,
         const char *title)
{
  GtkWidget *list = rl_ui_test_find_type (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW);
  GtkWidget *label;

  g_assert_nonnull (list);
  label = rl_ui_test_find_shown (list, rl_ui_test_is_label_saying, title);
  g_assert_nonnull (label);
  /* The list item widget: the list view's child. */
  while (gtk_widget_get_parent (label) != list)
    label = gtk_widget_get_parent (label);
  return label;
}

/* ---- waiting ------------------------------------------------------------- */

/* Online, with its account's documents listed. */
static gboolean
window_ready (RlWindow *window)
{
  return rl_ui_test_window_online (window) && rl_ui_test_window_n_documents (window) > 0;
}

/* A window of the app on session, showing the image, at width × height. */
static RlWindow *
open_window (Fixture   *f,
             RlSession *session,
             int        width,
             int        height)
{
  RlWindow *window = rl_window_new (f->app);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  rl_ui_test_window_start (window, session, 2);
  rl_ui_test_window_show (window, f->world.image, "image");
  rl_ui_test_run (300);
  return window;
}

/* ---- (1) documents open on a click, never on hover ------------------------- */

static void
test_documents_open_on_click (Fixture       *f,
                              gconstpointer  data)
{
  RlWindow *window = open_window (f, f->ada_session, 1280, 800);
  GtkWidget *page_row = doc_row (window, "Launch copy");
  GtkWidget *image_row = doc_row (window, "Landing page");
  GtkWidget *upload = rl_ui_test_find_shown (GTK_WIDGET (window), rl_ui_test_has_action, "win.upload");
  GtkWidget *menu_button = rl_ui_test_main_menu_button (window);
  GtkPopover *menu;

  f->window = window;
  g_assert_nonnull (upload);

  /* The pointer rests on the other document, then crosses the list to
   * Upload: what is open stays open. */
  rl_ui_input_hover (page_row);
  rl_ui_test_run (300);
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->world.image);
  rl_ui_input_hover (image_row);
  rl_ui_input_hover (page_row);
  rl_ui_input_hover (upload);
  rl_ui_test_run (300);
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->world.image);
  g_assert_cmpstr (rl_window_get_visible_page (window), ==, "image");

  /* The main menu opened with a click, the pointer over the list meanwhile. */
  rl_ui_input_click (menu_button);
  menu = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (menu)), 3000));
  rl_ui_input_hover (page_row);
  rl_ui_input_hover (image_row);
  rl_ui_input_hover (page_row);
  rl_ui_test_run (300);
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->world.image);
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_mapped (GTK_WIDGET (menu)), 3000));
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->world.image);

  /* A click opens. */
  rl_ui_input_click (page_row);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "page"), 5000));
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->world.page);
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "window-input-page-clicked", 400);

  /* The keyboard: the focus is on the clicked row; Up moves to the image
   * and opens it (selection follows focus, as in GtkStackSidebar). */
  rl_ui_input_key (GDK_KEY_Up, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "image"), 5000));
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->world.image);
  rl_ui_input_key (GDK_KEY_Down, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "page"), 5000));
  /* Ctrl+Up moves the focus alone; Enter opens what it is on. */
  rl_ui_input_key (GDK_KEY_Up, GDK_CONTROL_MASK);
  rl_ui_test_run (300);
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->world.page);
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "image"), 5000));
}

/* ---- what the header says, and what the server says --------------------- */

/* The header's viewer count says n, and its names are names
 * (comma-separated, sorted). */
static void
assert_viewers (RlWindow   *window,
                guint       n,
                const char *names)
{
  g_autofree char *count = g_strdup_printf ("%u", n);

  if (!RL_UI_WAIT_UNTIL (rl_ui_test_viewers_named (window, names) &&
                         rl_ui_test_has_label (rl_window_get_viewers_button (window), count), 5000))
    g_error ("the header does not show %u viewers (%s): it shows %s, “%s”", n, names,
             gtk_widget_get_visible (rl_window_get_viewers_button (window)) ? "the button" : "no button",
             gtk_widget_get_tooltip_text (rl_window_get_viewers_button (window)));
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* The names of a presence frame's users, sorted, comma-separated. */
static char *
presence_names (JsonObject *presence)
{
  JsonArray *users = json_object_get_array_member (presence, "users");
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (users); i++)
    g_ptr_array_add (names, (gpointer) json_object_get_string_member (json_array_get_object_element (users, i),
                                                                      "name"));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

/* Bob reads presence frames of doc until the server says names (sorted,
 * comma-separated) are viewing it; the app runs meanwhile. */
static void
bob_sees_viewers (RlTestClient *bob,
                  const char   *doc,
                  const char   *names)
{
  gint64 end = g_get_monotonic_time () + 8 * G_USEC_PER_SEC;
  g_autofree char *last = NULL;
  JsonObject *frame;

  while ((frame = rl_ui_test_next_presence (bob, doc, end)) != NULL)
    {
      g_autoptr(JsonObject) presence = frame;

      g_free (last);
      last = presence_names (presence);
      /* count is of distinct users, as the list is */
      g_assert_cmpint (json_object_get_int_member (presence, "count"), ==,
                       json_array_get_length (json_object_get_array_member (presence, "users")));
      if (g_str_equal (last, names))
        return;
    }
  g_error ("Bob never saw %s viewing (the server said last: %s)", names, last ? last : "nothing");
}

/* For ms, no presence frame of doc says other than names. */
static void
bob_keeps_seeing (RlTestClient *bob,
                  const char   *doc,
                  const char   *names,
                  guint         ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
  JsonObject *frame;

  while ((frame = rl_ui_test_next_presence (bob, doc, end)) != NULL)
    {
      g_autoptr(JsonObject) presence = frame;
      g_autofree char *seen = presence_names (presence);

      g_assert_cmpstr (seen, ==, names);
    }
}

/* ---- (2) the accounts, in the main menu, switched by clicking ------------- */

/* The session's connection is closed (no window shows it). */
static gboolean
online (RlSession *session)
{
  return rl_connection_get_state (rl_session_get_connection (session)) == RL_CONNECTION_ONLINE;
}

/* The window's first document is first_title. */
static gboolean
first_document_is (RlWindow   *window,
                   const char *first_title)
{
  GListModel *docs = rl_window_get_documents (window);
  g_autoptr(RlDocItem) first = g_list_model_get_n_items (docs) ? g_list_model_get_item (docs, 0) : NULL;

  return first != NULL && g_str_equal (rl_doc_item_get_title (first), first_title);
}

static void
wait_documents (RlWindow   *window,
                const char *first_title)
{
  g_assert_true (RL_UI_WAIT_UNTIL (first_document_is (window, first_title), 5000));
}

static void
test_accounts_menu (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (bob, f->world.image);
  RlWindow *window = open_window (f, f->ada_session, 1280, 800);
  g_autofree char *ada_label = NULL;
  GtkPopover *menu;
  GtkWidget *ada_item, *gil_item;

  f->window = window;
  bob_sees_viewers (bob, f->world.image, "Ada,Bob");
  assert_viewers (window, 2, "Ada,Bob");
  /* Gil's session is open without a window (issue 19 §5): welcomed, so
   * named as the server says, no longer by its keyring label. */
  g_assert_true (RL_UI_WAIT_UNTIL (online (f->gil_session), 5000));

  /* Both accounts of the keyring, the window's one checked. */
  menu = rl_ui_test_open_main_menu (window);
  ada_label = g_strdup (rl_session_get_label (f->ada_session));
  g_assert_true (g_str_has_prefix (ada_label, "Ada on 127.0.0.1:"));
  ada_item = rl_ui_test_menu_item (menu, ada_label);
  gil_item = rl_ui_test_menu_item (menu, rl_session_get_label (f->gil_session));
  g_assert_true (rl_ui_test_menu_item_checked (ada_item));
  g_assert_false (rl_ui_test_menu_item_checked (gil_item));
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (window), GTK_WIDGET (menu), "window-input-accounts-menu");

  /* A click on Gil's: the window is Gil's; Ada's connection stays open
   * (her activity stays live, issue 19 §5) but the mockup's last view is
   * gone: the server no longer counts her on it (no ghost viewer). */
  rl_ui_input_click (gil_item);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_mapped (GTK_WIDGET (menu)), 3000));
  g_assert_true (rl_window_get_session (window) == f->gil_session);
  g_assert_true (RL_UI_WAIT_UNTIL (window_ready (window), 5000));
  wait_documents (window, "Globex brief");
  bob_sees_viewers (bob, f->world.image, "Bob");
  g_assert_true (online (f->ada_session));

  /* Gil's is checked now, by the name the server gave. */
  menu = rl_ui_test_open_main_menu (window);
  g_assert_true (g_str_has_prefix (rl_session_get_label (f->gil_session), "Gil on 127.0.0.1:"));
  g_assert_true (rl_ui_test_menu_item_checked (rl_ui_test_menu_item (menu, rl_session_get_label (f->gil_session))));
  g_assert_false (rl_ui_test_menu_item_checked (rl_ui_test_menu_item (menu, ada_label)));
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (window), GTK_WIDGET (menu), "window-input-accounts-switched");

  /* And back to Ada's: she views the mockup again, and both sides say so;
   * Gil's connection stays open. */
  rl_ui_input_click (rl_ui_test_menu_item (menu, ada_label));
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_mapped (GTK_WIDGET (menu)), 3000));
  g_assert_true (rl_window_get_session (window) == f->ada_session);
  g_assert_true (RL_UI_WAIT_UNTIL (window_ready (window), 5000));
  wait_documents (window, "Landing page");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "image"), 5000));
  bob_sees_viewers (bob, f->world.image, "Ada,Bob");
  g_assert_true (online (f->gil_session));
  assert_viewers (window, 2, "Ada,Bob");
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "window-input-accounts-back", 400);
}

/* ---- (3) presence: right everywhere, and nobody left behind --------------- */

static RlWindow *
other_window (Fixture  *f,
              RlWindow *than)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (l->data != than && RL_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
test_presence (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (bob, f->world.image);
  RlWindow *window = open_window (f, f->ada_session, 1280, 800);
  RlWindow *second;
  GtkPopover *viewers;

  f->window = window;
  bob_sees_viewers (bob, f->world.image, "Ada,Bob");
  assert_viewers (window, 2, "Ada,Bob");

  /* Ada goes to the page: she leaves the mockup (Bob sees her go) and is
   * alone on the page. */
  rl_ui_input_click (doc_row (window, "Launch copy"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "page"), 5000));
  bob_sees_viewers (bob, f->world.image, "Bob");
  assert_viewers (window, 1, "Ada");

  /* Back to the mockup she opened before: both of them, both sides. */
  rl_ui_input_click (doc_row (window, "Landing page"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "image"), 5000));
  bob_sees_viewers (bob, f->world.image, "Ada,Bob");
  assert_viewers (window, 2, "Ada,Bob");
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "window-input-presence", 400);

  /* A second window (Ctrl+N) on the same mockup says the same, and Ada is
   * still one viewer. */
  rl_ui_input_key (GDK_KEY_n, GDK_CONTROL_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (other_window (f, f->window) != NULL, 5000));
  second = other_window (f, window);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (second, "image"), 5000));
  assert_viewers (second, 2, "Ada,Bob");
  assert_viewers (window, 2, "Ada,Bob");
  /* Its viewers, by name, a click away. */
  rl_ui_input_click (rl_window_get_viewers_button (second));
  viewers = gtk_menu_button_get_popover (GTK_MENU_BUTTON (rl_window_get_viewers_button (second)));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (viewers)), 3000));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (viewers), "Ada\nBob") ||
                 rl_ui_test_has_label (GTK_WIDGET (viewers), "Bob\nAda"));
  rl_ui_test_run (300);
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (second), GTK_WIDGET (viewers), "window-input-presence-names");
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_mapped (GTK_WIDGET (viewers)), 3000));

  /* Closed (Ctrl+W): the first window still says both, and the server
   * still counts Ada (her other window shows the mockup). */
  rl_ui_input_key (GDK_KEY_w, GDK_CONTROL_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (other_window (f, f->window) == NULL, 5000));
  assert_viewers (window, 2, "Ada,Bob");
  bob_keeps_seeing (bob, f->world.image, "Ada,Bob", 1000);
}

/* ---- (2) a new account is checked before it replaces anything ------------ */

static RlConnectDialog *
find_connect_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (RL_IS_CONNECT_DIALOG (window) && gtk_widget_get_visible (window))
        return RL_CONNECT_DIALOG (window);
    }
  return NULL;
}

/* The Connect dialog is open, laid out. */
static gboolean
connect_dialog_shown (void)
{
  RlConnectDialog *dialog = find_connect_dialog ();

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog)) &&
         gtk_widget_get_width (GTK_WIDGET (dialog)) > 100;
}

/* An entry row with the title data. */
static gboolean
is_row_titled (GtkWidget     *widget,
               gconstpointer  title)
{
  return ADW_IS_ENTRY_ROW (widget) && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static GtkWidget *
dialog_part (RlConnectDialog *dialog,
             RlUiTestMatch    match,
             const char      *what)
{
  GtkWidget *part = rl_ui_test_find (GTK_WIDGET (dialog), match, what);

  if (part == NULL)
    g_error ("the Connect dialog has no “%s”", what);
  return part;
}

/* Clicks into the row and pastes text over what it held (Ctrl+A, Ctrl+V),
 * as addresses and tokens are given: copied from an invite. Nothing is
 * done when the row says it already. */
static void
paste_into (GtkWidget  *row,
            const char *text)
{
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), text) == 0)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (row), text);
  rl_ui_input_click (row);
  rl_ui_input_key (GDK_KEY_a, GDK_CONTROL_MASK);
  rl_ui_input_key (GDK_KEY_v, GDK_CONTROL_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), text) == 0, 3000));
}

typedef struct
{
  RlConnectDialog *dialog;
  GtkWidget       *server_row;
  GtkWidget       *token_row;
  GtkWidget       *connect_button;
} Dialog;

/* Types server and token, clicks Connect, and waits for the answer: the
 * error said in the dialog (asserted to begin with said), what was typed
 * kept, and the window still on Ada's working session. */
static void
assert_refused (Fixture    *f,
                Dialog     *d,
                const char *server,
                const char *token,
                const char *said)
{
  const char *error;

  g_test_message ("connecting to %s", server);
  paste_into (d->server_row, server);
  paste_into (d->token_row, token);
  rl_ui_input_click (d->connect_button);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_connect_dialog_get_checking (d->dialog), 10000));
  error = rl_connect_dialog_get_error (d->dialog);
  if (error == NULL || !g_str_has_prefix (error, said))
    g_error ("the dialog says “%s”, not “%s…”", error ? error : "nothing", said);
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (d->dialog), error));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (d->server_row)), ==, server);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (d->token_row)), ==, token);
  g_assert_true (find_connect_dialog () == d->dialog);
  /* Nothing was replaced, nothing was saved. */
  g_assert_true (rl_window_get_session (f->window) == f->ada_session);
  g_assert_cmpint (rl_connection_get_state (rl_session_get_connection (f->ada_session)), ==, RL_CONNECTION_ONLINE);
  g_assert_cmpstr (rl_window_get_document_id (f->window), ==, f->world.image);
  g_assert_null (rl_window_get_last_toast (f->window));
}

/* A server that takes connections and never says a word. */
static gboolean
hold_connection (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source,
                 GPtrArray         *held)
{
  g_ptr_array_add (held, g_object_ref (connection));
  return TRUE;
}

/* A plain HTTP server (no TLS) that answers anything with 400, as most do
 * to bytes they cannot read. */
static gboolean
answer_plainly (GSocketService    *service,
                GSocketConnection *connection,
                GObject           *source,
                gpointer           data)
{
  static const char answer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_output_stream_write_all (out, answer, sizeof answer - 1, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* A second server, with TLS from a self-signed certificate the app does
 * not trust. */
static RlTestServer *
start_tls_server (void)
{
  RlTestServer *server = rl_test_server_new ();
  g_autofree char *cert = g_build_filename (server->dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (server->dir, "key.pem", NULL);
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                         "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                         "-addext", "subjectAltName=IP:127.0.0.1", NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  server->tls_cert = g_strdup (cert);
  server->tls_key = g_strdup (key);
  /* LeakSanitizer's tracer crashes on the threads GnuTLS leaves at the
   * server's exit (see test-server-api's TLS test). */
  server->no_leak_check = TRUE;
  rl_test_server_start (server);
  g_assert_true (g_str_has_prefix (server->ws_base, "wss://"));
  return server;
}

static void
test_connect_checked (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSocketService) silent = g_socket_service_new ();
  g_autoptr(GSocketService) plain = g_socket_service_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(RlTestServer) tls = start_tls_server ();
  g_autoptr(GError) error = NULL;
  guint closed;
  guint16 silent_port;
  g_autofree char *refused_port = NULL;
  g_autofree char *nothing_there = NULL;
  g_autofree char *silent_url = NULL;
  g_autofree char *silent_said = NULL;
  g_autofree char *refused_said = g_strdup_printf ("The server at %s refused this token", f->world.server->ws_base + 5);
  g_autofree char *tls_said = g_strdup_printf ("The TLS certificate of %s is not trusted", tls->ws_base + 6);
  g_autofree char *not_tls = NULL;
  g_autofree char *not_tls_said = NULL;
  guint16 plain_port;
  GtkPopover *menu;
  GtkWidget *spinner;
  Dialog d;

  silent_port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (silent), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (silent, "incoming", G_CALLBACK (hold_connection), held);
  g_socket_service_start (silent);
  silent_url = g_strdup_printf ("ws://127.0.0.1:%u", silent_port);
  plain_port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (plain), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (plain, "incoming", G_CALLBACK (answer_plainly), NULL);
  g_socket_service_start (plain);
  not_tls = g_strdup_printf ("wss://127.0.0.1:%u", plain_port);
  not_tls_said = g_strdup_printf ("The secure (TLS) connection to 127.0.0.1:%u failed", plain_port);
  silent_said = g_strdup_printf ("127.0.0.1:%u did not answer in time", silent_port);
  /* Taken once the services hold their ports: a port freed before they
   * bound theirs could be handed to one of them (a CI run got the plain
   * service's "not a WebSocket" instead of "nothing is listening"). */
  closed = rl_ui_test_closed_port ();
  refused_port = g_strdup_printf ("ws://127.0.0.1:%u", closed);
  nothing_there = g_strdup_printf ("Nothing is listening at 127.0.0.1:%u", closed);

  f->window = open_window (f, f->ada_session, 1280, 800);

  /* "Connect to Server…" from the main menu, with the pointer. */
  menu = rl_ui_test_open_main_menu (f->window);
  rl_ui_input_click (rl_ui_test_menu_item (menu, "Connect to Server…"));
  g_assert_true (RL_UI_WAIT_UNTIL (connect_dialog_shown (), 5000));
  d.dialog = find_connect_dialog ();
  d.server_row = dialog_part (d.dialog, is_row_titled, "Server address (wss://host:port)");
  d.token_row = dialog_part (d.dialog, is_row_titled, "Token");
  d.connect_button = dialog_part (d.dialog, rl_ui_test_is_button_labelled, "C_onnect");

  /* A token the server refuses, typed by hand. */
  rl_ui_input_click (d.token_row);
  rl_ui_input_type ("nobody.0123456789abcdef");
  assert_refused (f, &d, f->world.server->ws_base, "nobody.0123456789abcdef", refused_said);
  rl_ui_test_screenshot_settled (GTK_WIDGET (d.dialog), "window-input-connect-refused", 300);
  /* A port nothing listens on, a host that does not exist, TLS where the
   * server has none, a certificate nobody vouches for. */
  assert_refused (f, &d, refused_port, f->gil, nothing_there);
  assert_refused (f, &d, "ws://no-such-host.invalid:8765", f->gil,
                  "The host “no-such-host.invalid” was not found");
  assert_refused (f, &d, not_tls, f->gil, not_tls_said);
  assert_refused (f, &d, tls->ws_base, f->gil, tls_said);

  /* A server that never answers: the spinner says it is being asked, the
   * window is untouched meanwhile, and the dialog says when it gives up. */
  rl_connect_dialog_set_timeout (d.dialog, 1500);
  paste_into (d.server_row, silent_url);
  rl_ui_input_click (d.connect_button);
  g_assert_true (rl_connect_dialog_get_checking (d.dialog));
  spinner = rl_ui_test_find_type (GTK_WIDGET (d.dialog), GTK_TYPE_SPINNER);
  g_assert_nonnull (spinner);
  g_assert_true (gtk_widget_is_drawable (spinner));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  g_assert_false (gtk_widget_get_sensitive (d.connect_button));
  rl_ui_test_screenshot_settled (GTK_WIDGET (d.dialog), "window-input-connect-checking", 300);
  g_assert_true (rl_window_get_session (f->window) == f->ada_session);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_connect_dialog_get_checking (d.dialog), 5000));
  g_assert_true (g_str_has_prefix (rl_connect_dialog_get_error (d.dialog), silent_said));
  g_assert_true (rl_window_get_session (f->window) == f->ada_session);
  g_assert_cmpuint (held->len, >, 0);

  /* The right server and token: welcomed, the dialog closes, the window is
   * Gil's, Ada's connection stays open (no window shows it, her activity
   * stays live: issue 19 §5), and only now is the account saved (no keyring here: the window says so). */
  assert_refused (f, &d, f->world.server->ws_base, "nobody.0123456789abcdef", refused_said);
  paste_into (d.token_row, f->gil);
  rl_ui_input_click (d.connect_button);
  g_assert_true (RL_UI_WAIT_UNTIL (find_connect_dialog () == NULL, 5000));
  g_assert_cmpstr (rl_session_get_token (rl_window_get_session (f->window)), ==, f->gil);
  g_assert_true (RL_UI_WAIT_UNTIL (window_ready (f->window), 5000));
  wait_documents (f->window, "Globex brief");
  g_assert_true (online (f->ada_session));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_keyring_toast (f->window), 5000));

  /* Both accounts in the menu now, Gil's checked. */
  menu = rl_ui_test_open_main_menu (f->window);
  g_assert_true (rl_ui_test_menu_item_checked (rl_ui_test_menu_item (menu, rl_session_get_label (rl_window_get_session (f->window)))));
  g_assert_false (rl_ui_test_menu_item_checked (rl_ui_test_menu_item (menu, rl_session_get_label (f->ada_session))));
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_socket_service_stop (silent);
  g_socket_service_stop (plain);
  rl_test_server_stop (tls);
}

/* ---- (4) a narrow window folds its panels ------------------------------------ */

/* The documents' flap (the outer one) and the threads panel's. */
static AdwFlap *
sidebar_flap (RlWindow *window)
{
  GtkWidget *flap = rl_ui_test_find_type (GTK_WIDGET (window), ADW_TYPE_FLAP);

  g_assert_nonnull (flap);
  return ADW_FLAP (flap);
}

static AdwFlap *
threads_flap (RlWindow *window)
{
  GtkWidget *flap = gtk_widget_get_ancestor (GTK_WIDGET (rl_window_get_thread_panel (window)), ADW_TYPE_FLAP);

  g_assert_nonnull (flap);
  g_assert_true (ADW_FLAP (flap) != sidebar_flap (window));
  return ADW_FLAP (flap);
}

/* Folded or not, each panel shown or hidden, and done moving. */
static gboolean
folds_are (RlWindow *window,
           gboolean  folded,
           gboolean  sidebar,
           gboolean  threads)
{
  AdwFlap *flaps[2] = { sidebar_flap (window), threads_flap (window) };
  gboolean revealed[2] = { sidebar, threads };

  for (guint i = 0; i < 2; i++)
    if (adw_flap_get_folded (flaps[i]) != folded ||
        adw_flap_get_reveal_flap (flaps[i]) != revealed[i] ||
        adw_flap_get_reveal_progress (flaps[i]) != (revealed[i] ? 1.0 : 0.0))
      return FALSE;
  return TRUE;
}

static void
assert_folds (RlWindow *window,
              gboolean  folded,
              gboolean  sidebar,
              gboolean  threads)
{
  if (!RL_UI_WAIT_UNTIL (folds_are (window, folded, sidebar, threads), 5000))
    g_error ("expected %s, the documents %s, the threads %s; the window is %d px wide",
             folded ? "folded" : "not folded", sidebar ? "shown" : "hidden", threads ? "shown" : "hidden",
             gtk_widget_get_width (GTK_WIDGET (window)));
  rl_ui_test_run (100);
}

/* The X window has that width, and the window widget was given it (less
 * the border of client-side decorations). */
static gboolean
window_width_is (GtkWidget *widget,
                 int        width)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (widget));
  int given = gtk_widget_get_width (widget);

  return gdk_surface_get_width (surface) == width && given <= width && given >= width - 20;
}

static void
resize_and_wait (RlWindow *window,
                 int       width,
                 int       height)
{
  /* What a user's drag of the window's edge ends in. */
  rl_ui_input_wm_resize (GTK_WINDOW (window), width, height);
  if (!RL_UI_WAIT_UNTIL (window_width_is (GTK_WIDGET (window), width), 5000))
    {
      int min, nat;

      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      g_error ("the window is %d px wide, not %d (its minimum: %d, surface %d)", gtk_widget_get_width (GTK_WIDGET (window)),
               width, min, gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (window))));
    }
}

/* The left edge of widget on the screen. */
static int
screen_x (GtkWidget *widget)
{
  int x, y;

  rl_ui_input_screen_point (widget, 0, 0, &x, &y);
  return x;
}

static void
test_adaptive (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = rl_settings_new ();
  RlWindow *window = open_window (f, f->ada_session, 1280, 800);
  GtkWidget *view = GTK_WIDGET (rl_window_get_image_view (window));
  GtkWidget *panel = GTK_WIDGET (rl_window_get_thread_panel (window));
  GtkWidget *threads_toggle = rl_ui_test_find_shown (GTK_WIDGET (window), rl_ui_test_has_action, "win.show-threads");
  GtkWidget *sidebar_toggle = rl_ui_test_find_shown (GTK_WIDGET (window), rl_ui_test_has_action, "win.show-sidebar");
  RlWindow *narrow;
  int view_width;

  f->window = window;
  g_assert_nonnull (settings);
  g_assert_nonnull (threads_toggle);
  g_assert_nonnull (sidebar_toggle);
  assert_folds (window, FALSE, TRUE, TRUE);

  /* 800 × 600: both panels fold away, the mockup takes the width. */
  resize_and_wait (window, 800, 600);
  assert_folds (window, TRUE, FALSE, FALSE);
  view_width = gtk_widget_get_width (view);
  g_assert_cmpint (view_width, >=, gtk_widget_get_width (GTK_WIDGET (window)) - 20);
  /* Folding is not the user hiding the panel: the next wide window has it. */
  g_assert_true (g_settings_get_boolean (settings, "panel-visible"));
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "window-input-800x600-folded", 400);

  /* The header's toggle, clicked: the threads come over the mockup, which
   * keeps its size and place. */
  rl_ui_input_click (threads_toggle);
  assert_folds (window, TRUE, FALSE, TRUE);
  g_assert_true (gtk_widget_is_drawable (panel));
  g_assert_cmpint (gtk_widget_get_width (view), ==, view_width);
  g_assert_cmpint (screen_x (panel), <, screen_x (view) + view_width);
  g_assert_true (g_settings_get_boolean (settings, "panel-visible"));
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "window-input-800x600-threads", 400);
  /* Clicked again: gone. */
  rl_ui_input_click (threads_toggle);
  assert_folds (window, TRUE, FALSE, FALSE);
  g_assert_true (g_settings_get_boolean (settings, "panel-visible"));

  /* Shift+F9 and F9 from the keyboard, wherever the focus is. */
  rl_ui_input_key (GDK_KEY_F9, GDK_SHIFT_MASK);
  assert_folds (window, TRUE, FALSE, TRUE);
  rl_ui_input_key (GDK_KEY_F9, GDK_SHIFT_MASK);
  assert_folds (window, TRUE, FALSE, FALSE);
  rl_ui_input_key (GDK_KEY_F9, 0);
  assert_folds (window, TRUE, TRUE, FALSE);
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "window-input-800x600-documents", 400);
  /* A document picked there opens, and the list makes way for it. */
  rl_ui_input_click (doc_row (window, "Launch copy"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "page"), 5000));
  assert_folds (window, TRUE, FALSE, FALSE);
  rl_ui_input_click (sidebar_toggle);
  assert_folds (window, TRUE, TRUE, FALSE);
  rl_ui_input_click (doc_row (window, "Landing page"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "image"), 5000));
  assert_folds (window, TRUE, FALSE, FALSE);

  /* With the threads over the mockup, a click beside them closes them and
   * drops no marker. */
  rl_ui_input_key (GDK_KEY_F9, GDK_SHIFT_MASK);
  assert_folds (window, TRUE, FALSE, TRUE);
  rl_ui_input_click_at (view, 40, gtk_widget_get_height (view) / 2.0, 1);
  assert_folds (window, TRUE, FALSE, FALSE);
  g_assert_false (gtk_widget_get_mapped (rl_image_view_get_composer (rl_window_get_image_view (window))));

  /* Just wide enough (920 px): both beside the mockup, neither over it. */
  resize_and_wait (window, 920, 700);
  assert_folds (window, FALSE, TRUE, TRUE);
  g_assert_cmpint (screen_x (panel), >=, screen_x (view) + gtk_widget_get_width (view));
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "window-input-920x700", 400);
  /* The page too (its text has a minimum width of its own). */
  rl_ui_input_click (doc_row (window, "Launch copy"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "page"), 5000));
  assert_folds (window, FALSE, TRUE, TRUE);
  rl_ui_input_click (doc_row (window, "Landing page"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (window, "image"), 5000));

  /* 1280 × 800: both beside the mockup again. */
  resize_and_wait (window, 1280, 800);
  assert_folds (window, FALSE, TRUE, TRUE);
  g_assert_cmpint (screen_x (panel), >=, screen_x (view) + gtk_widget_get_width (view));
  g_assert_cmpint (screen_x (view), >=, screen_x (doc_row (window, "Landing page")) +
                                        gtk_widget_get_width (doc_row (window, "Landing page")));
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "window-input-1280x800", 400);

  /* Hidden by the user while wide: kept, and still hidden after a fold. */
  rl_ui_input_click (threads_toggle);
  assert_folds (window, FALSE, TRUE, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "panel-visible"));
  resize_and_wait (window, 800, 600);
  assert_folds (window, TRUE, FALSE, FALSE);
  resize_and_wait (window, 1280, 800);
  assert_folds (window, FALSE, TRUE, FALSE);
  g_settings_set_boolean (settings, "panel-visible", TRUE);
  assert_folds (window, FALSE, TRUE, TRUE);

  /* A window that opens narrow is folded from its first frame: nothing
   * slides away as it appears. */
  narrow = rl_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (narrow), 800, 600);
  rl_window_set_session (narrow, f->ada_session);
  gtk_window_present (GTK_WINDOW (narrow));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (narrow)) &&
                                   gtk_widget_get_width (GTK_WIDGET (narrow)) > 0, 5000));
  for (guint i = 0; i < 2; i++)
    {
      AdwFlap *flap = i == 0 ? sidebar_flap (narrow) : threads_flap (narrow);

      g_assert_true (adw_flap_get_folded (flap));
      g_assert_false (adw_flap_get_reveal_flap (flap));
      g_assert_cmpfloat (adw_flap_get_reveal_progress (flap), ==, 0);
    }
  g_assert_true (g_settings_get_boolean (settings, "panel-visible"));
  gtk_window_destroy (GTK_WINDOW (narrow));
}

/* ---- (5) a banner does not move the document ------------------------------ */

/* The banner's Retry Now button, on screen. */
static GtkWidget *
retry_button (RlBanner *banner)
{
  return rl_ui_test_find_shown (GTK_WIDGET (banner), rl_ui_test_is_button_labelled, "Retry Now");
}

/* The banner has slid in all the way. */
static gboolean
banner_shown (RlBanner *banner)
{
  GtkWidget *button = retry_button (banner);

  return button != NULL && gtk_widget_get_height (button) > 0 &&
         gtk_revealer_get_child_revealed (GTK_REVEALER (gtk_widget_get_ancestor (button, GTK_TYPE_REVEALER)));
}

/* The banner has slid out, and then is not visible at all (no room, no
 * layout time). */
static gboolean
banner_gone (RlBanner *banner)
{
  return !rl_banner_get_revealed (banner) &&
         !gtk_revealer_get_child_revealed (GTK_REVEALER (gtk_widget_get_first_child (GTK_WIDGET (banner)))) &&
         !gtk_widget_get_visible (GTK_WIDGET (banner));
}

static void
test_banner_floats (Fixture       *f,
                    gconstpointer  data)
{
  RlWindow *window = open_window (f, f->ada_session, 1280, 800);
  GtkWidget *view = GTK_WIDGET (rl_window_get_image_view (window));
  RlBanner *offline = rl_window_get_banner (window, "offline");
  RlConnection *connection = rl_session_get_connection (f->ada_session);
  int x0, y0, x1, y1, height;
  GtkWidget *retry;

  f->window = window;
  rl_ui_input_screen_point (view, 0, 0, &x0, &y0);
  height = gtk_widget_get_height (view);

  /* Offline: the banner floats over the document, which stays put. */
  rl_connection_stop (connection);
  g_assert_true (RL_UI_WAIT_UNTIL (banner_shown (offline), 5000));
  rl_ui_test_run (200);
  rl_ui_input_screen_point (view, 0, 0, &x1, &y1);
  g_assert_cmpint (x1, ==, x0);
  g_assert_cmpint (y1, ==, y0);
  g_assert_cmpint (gtk_widget_get_height (view), ==, height);
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "window-input-banner-offline", 400);

  /* Its button takes a click of the pointer: back online, banner gone,
   * the document still where it was. */
  retry = retry_button (offline);
  rl_ui_input_click (retry);
  g_assert_true (RL_UI_WAIT_UNTIL (window_ready (window), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (banner_gone (offline), 5000));
  rl_ui_input_screen_point (view, 0, 0, &x1, &y1);
  g_assert_cmpint (x1, ==, x0);
  g_assert_cmpint (y1, ==, y0);
  g_assert_cmpint (gtk_widget_get_height (view), ==, height);
}

/* ---- a server never reached was not "lost" ------------------------------ */

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *address = g_strdup_printf ("ws://127.0.0.1:%u", rl_ui_test_closed_port ());
  g_autoptr(GError) error = NULL;
  g_autoptr(RlSession) session = rl_session_new (address, f->world.ada, NULL, NULL, &error);
  RlBanner *reconnecting;

  /* A saved account whose server is down as the app starts: retried, and
   * said as it is. */
  g_assert_no_error (error);
  rl_connection_set_timing (rl_session_get_connection (session), 1000, 4000, 1, 3000, 3000);
  f->window = rl_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  rl_window_set_session (f->window, session);
  gtk_window_present (GTK_WINDOW (f->window));
  reconnecting = rl_window_get_banner (f->window, "reconnecting");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (reconnecting), 5000));
  g_assert_true (g_str_has_prefix (rl_banner_get_title (reconnecting), "Can’t reach the server. Retrying"));
  g_assert_cmpstr (rl_review_state_get_cannot_create_reason (rl_image_view_get_state (rl_window_get_image_view (f->window))), ==,
                   "The server can’t be reached yet; you can add markers once it is.");
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "window-input-unreachable", 400);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
}

int
main (int    argc,
      char **argv)
{
  /* No session bus: the app's keyring calls fail as without a Secret
   * Service, and nothing real is touched. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/redline-test-bus", TRUE);
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/window-input/documents-open-on-click", Fixture, GINT_TO_POINTER (ADA_ONLY), fixture_setup,
              test_documents_open_on_click, fixture_teardown);
  g_test_add ("/window-input/accounts-menu", Fixture, GINT_TO_POINTER (WITH_GIL), fixture_setup,
              test_accounts_menu, fixture_teardown);
  g_test_add ("/window-input/presence", Fixture, GINT_TO_POINTER (ADA_ONLY), fixture_setup, test_presence,
              fixture_teardown);
  g_test_add ("/window-input/connect-checked", Fixture, GINT_TO_POINTER (ADA_ONLY), fixture_setup,
              test_connect_checked, fixture_teardown);
  g_test_add ("/window-input/adaptive", Fixture, GINT_TO_POINTER (ADA_ONLY), fixture_setup, test_adaptive,
              fixture_teardown);
  g_test_add ("/window-input/banner-floats", Fixture, GINT_TO_POINTER (ADA_ONLY), fixture_setup,
              test_banner_floats, fixture_teardown);
  g_test_add ("/window-input/unreachable", Fixture, GINT_TO_POINTER (ADA_ONLY), fixture_setup, test_unreachable,
              fixture_teardown);
  return g_test_run ();
}
