/* test-trust-input.c — a self-signed server trusted by the fingerprint its
 * invite link pins, with real pointer and keyboard (rl-ui-input)
 *
 * The server serves TLS from a self-signed certificate; a link that pins
 * another is refused in the Connect dialog with words that name both
 * certificates, and an account that pins another says so in its window's
 * banner and its connection button, and checks again when asked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "rl-application.h"
#include "rl-banner.h"
#include "rl-connect-dialog.h"
#include "rl-invite.h"
#include "rl-pinned-database.h"
#include "rl-test-server.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"
#include "rl-connection-private.h"

typedef struct
{
  RlTestTeam     team;
  RlTestServer  *server;
  char          *cert;
  char          *fp;          /* the server's certificate's, as kept */
  char          *other_fp;    /* another self-signed certificate's */
  const char    *ada;
  const char    *bea;
  RlApplication *app;
  RlSession     *session;
  RlWindow      *window;
} Fixture;

/* A new id each time: GtkApplication keeps a reference of its own once
 * registered on a bus. */
static RlApplication *
register_app (void)
{
  static guint n_apps;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("io.github.redline.Redline.TrustTest%u", ++n_apps);
  RlApplication *app = rl_application_new (id, G_APPLICATION_NON_UNIQUE);

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return app;
}

static char *
fingerprint_of (const char *cert)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (cert, &error);

  g_assert_no_error (error);
  return rl_certificate_fingerprint (certificate);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *other = NULL;

  rl_test_team_init (&f->team, "Ada:member", &f->ada, "Bea:member", &f->bea, NULL);
  f->server = f->team.server;
  rl_test_team_add_doc (&f->team, "acme", "Launch copy", "page.md");
  f->cert = rl_test_make_certificate (f->server->dir, "server", NULL);
  other = rl_test_make_certificate (f->server->dir, "other", NULL);
  f->fp = fingerprint_of (f->cert);
  f->other_fp = fingerprint_of (other);
  rl_test_server_use_tls (f->server, f->cert);
  rl_test_server_start (f->server);
  f->app = register_app ();
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
  rl_test_team_clear (&f->team);
  g_free (f->cert);
  g_free (f->fp);
  g_free (f->other_fp);
}

/* Ada's account, pinning fingerprint, as the app opens a saved one. */
static RlSession *
pinned_session (Fixture    *f,
                const char *fingerprint)
{
  g_autoptr(GTlsDatabase) pinned = rl_pinned_database_new (fingerprint);
  g_autoptr(GError) error = NULL;
  RlSession *session = rl_session_new (f->server->ws_base, f->ada, NULL, pinned, &error);

  g_assert_no_error (error);
  rl_connection_set_timing (rl_session_get_connection (session), 300, 1500, 1, 3000, 3000);
  rl_session_set_label (session, "Ada (Acme)");
  return session;
}

/* ---- finding what a person sees ------------------------------------------- */

typedef gboolean (*WidgetMatch) (GtkWidget *widget,
                                 gpointer   data);

static GtkWidget *
find_widget (GtkWidget   *root,
             WidgetMatch  match,
             gpointer     data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found)
        return found;
    }
  return NULL;
}

static gboolean
is_label_saying (GtkWidget *widget,
                 gpointer   text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget) &&
         g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_button_labelled (GtkWidget *widget,
                    gpointer   label)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_is_drawable (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
is_row_titled (GtkWidget *widget,
               gpointer   title)
{
  return ADW_IS_ENTRY_ROW (widget) && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static gboolean
is_connection_button (GtkWidget *widget,
                      gpointer   data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_is_drawable (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "win.retry-now") == 0;
}

static GtkWidget *
menu_item (GtkPopover *menu,
           const char *text)
{
  GtkWidget *label = find_widget (GTK_WIDGET (menu), is_label_saying, (gpointer) text);

  if (label == NULL)
    g_error ("the main menu has no item “%s”", text);
  return gtk_widget_get_ancestor (label, g_type_from_name ("GtkModelButton"));
}

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

/* The Connect dialog is on screen, laid out. */
static gboolean
connect_dialog_shown (void)
{
  RlConnectDialog *dialog = find_connect_dialog ();

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog)) &&
         gtk_widget_get_width (GTK_WIDGET (dialog)) > 100;
}

static GtkWidget *
dialog_part (RlConnectDialog *dialog,
             WidgetMatch      match,
             const char      *what)
{
  GtkWidget *part = find_widget (GTK_WIDGET (dialog), match, (gpointer) what);

  if (part == NULL)
    g_error ("the Connect dialog has no “%s”", what);
  return part;
}

/* Clicks into the row and pastes text over what it held (Ctrl+A, Ctrl+V),
 * as an invite link arrives: copied from a message. */
static void
paste_into (GtkWidget  *row,
            const char *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (row), text);
  rl_ui_input_click (row);
  rl_ui_input_key (GDK_KEY_a, GDK_CONTROL_MASK);
  rl_ui_input_key (GDK_KEY_v, GDK_CONTROL_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), text) == 0, 3000));
}

/* The window's session is online and it lists documents. */
static gboolean
window_online (RlWindow *window)
{
  RlSession *session = rl_window_get_session (window);

  return session && rl_connection_get_state (rl_session_get_connection (session)) == RL_CONNECTION_ONLINE &&
         g_list_model_get_n_items (rl_window_get_documents (window)) > 0;
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  rl_ui_test_run (400);   /* transitions finish */
  g_free (rl_ui_test_screenshot (widget, name));
}

/* What the mismatch is called, wherever it is said: the server, "another
 * certificate", and both fingerprints as people compare them. */
static void
assert_names_mismatch (const char *said,
                       Fixture    *f,
                       const char *trusted,
                       const char *presented)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", f->server->port);
  g_autofree char *trusted_shown = rl_fingerprint_to_display (trusted);
  g_autofree char *presented_shown = rl_fingerprint_to_display (presented);

  g_assert_nonnull (said);
  if (strstr (said, address) == NULL || strstr (said, "a different certificate") == NULL ||
      strstr (said, trusted_shown) == NULL || strstr (said, presented_shown) == NULL ||
      strstr (said, "TLS") != NULL)
    g_error ("“%s” does not name the certificate mismatch at %s (trusted %s, presented %s)", said, address,
             trusted_shown, presented_shown);
}

/* ---- the Connect dialog ----------------------------------------------------- */

/* Bea's invite link pins another certificate than the server's: the dialog
 * says so, naming both, at the link; Bea is not signed in and the window
 * keeps Ada. The link her admin sends again, with the right fingerprint,
 * signs her in. */
static void
test_connect_mismatch (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *wrong_link = NULL;
  g_autofree char *right_link = NULL;
  g_autoptr(GError) error = NULL;
  RlConnectDialog *dialog;
  GtkWidget *invite_row;
  GtkWidget *connect_button;
  GtkPopover *menu;

  f->session = pinned_session (f, f->fp);
  rl_application_add_session (f->app, f->session, TRUE);
  f->window = rl_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  rl_window_set_session (f->window, f->session);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (RL_UI_WAIT_UNTIL (window_online (f->window), 10000));

  wrong_link = rl_invite_format (f->server->ws_base, f->bea, f->other_fp, &error);
  g_assert_no_error (error);
  right_link = rl_invite_format (f->server->ws_base, f->bea, f->fp, &error);
  g_assert_no_error (error);

  /* "Connect to Server…" from the main menu, with the pointer. */
  menu = rl_ui_test_open_main_menu (f->window);
  rl_ui_input_click (menu_item (menu, "_Connect to Server…"));
  g_assert_true (RL_UI_WAIT_UNTIL (connect_dialog_shown (), 5000));
  dialog = find_connect_dialog ();
  invite_row = dialog_part (dialog, is_row_titled, "Invite link");
  connect_button = dialog_part (dialog, is_button_labelled, "C_onnect");

  paste_into (invite_row, wrong_link);
  rl_ui_input_click (connect_button);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_connect_dialog_get_checking (dialog), 10000));
  assert_names_mismatch (rl_connect_dialog_get_error (dialog), f, f->other_fp, f->fp);
  /* Shown, at the link, which stays as it was pasted. */
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (dialog), rl_connect_dialog_get_error (dialog)));
  g_assert_true (gtk_widget_has_css_class (invite_row, "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (invite_row)), ==, wrong_link);
  g_assert_true (find_connect_dialog () == dialog);
  g_assert_true (rl_window_get_session (f->window) == f->session);
  screenshot (GTK_WIDGET (dialog), "trust-input-connect-mismatch");

  /* Checked again with Enter in the row: the same answer. */
  rl_ui_input_click (invite_row);
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_connect_dialog_get_checking (dialog), 10000));
  assert_names_mismatch (rl_connect_dialog_get_error (dialog), f, f->other_fp, f->fp);

  /* The right link: welcomed, the window is Bea's. */
  paste_into (invite_row, right_link);
  rl_ui_input_click (connect_button);
  g_assert_true (RL_UI_WAIT_UNTIL (find_connect_dialog () == NULL, 10000));
  g_assert_cmpstr (rl_session_get_token (rl_window_get_session (f->window)), ==, f->bea);
  g_assert_cmpstr (rl_session_get_fingerprint (rl_window_get_session (f->window)), ==, f->fp);
  g_assert_true (RL_UI_WAIT_UNTIL (window_online (f->window), 10000));
}

/* ---- the window ------------------------------------------------------------- */

typedef struct
{
  guint attempts;
} Attempts;

static void
count_attempts (RlConnection *connection,
                GParamSpec   *pspec,
                Attempts     *attempts)
{
  if (rl_connection_get_state (connection) == RL_CONNECTION_CONNECTING)
    attempts->attempts++;
}

/* The nth attempt was made, and refused like the others. */
static gboolean
refused_again (RlConnection *connection,
               Attempts     *attempts,
               guint         n)
{
  return attempts->attempts >= n && rl_connection_get_state (connection) == RL_CONNECTION_UNTRUSTED;
}

static gboolean
is_message_dialog (GtkWidget *widget,
                   gpointer   data)
{
  return ADW_IS_MESSAGE_DIALOG (widget);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (is_message_dialog (window, NULL) && gtk_widget_get_visible (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* A message dialog is on screen, laid out. */
static gboolean
message_dialog_shown (void)
{
  AdwMessageDialog *dialog = find_message_dialog ();

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog)) &&
         gtk_widget_get_width (GTK_WIDGET (dialog)) > 100;
}

/* An account that pins another certificate than its server presents (the
 * server was replaced, or someone stands between): the window says so in
 * a banner that names the server and another certificate, its connection
 * button too, the document list says why it is empty, and nothing is
 * tried on its own. Details… names both fingerprints and checks again
 * when asked — refused again, nothing sent. */
static void
test_window_untrusted (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *address = NULL;
  g_autofree char *short_title = NULL;
  RlBanner *banner;
  RlConnection *connection;
  AdwMessageDialog *details;
  GtkWidget *details_button;
  GtkWidget *check_again;
  GtkWidget *connection_button;
  Attempts attempts = { 0 };

  f->session = pinned_session (f, f->other_fp);
  rl_application_add_session (f->app, f->session, TRUE);
  f->window = rl_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  rl_window_set_session (f->window, f->session);
  gtk_window_present (GTK_WINDOW (f->window));
  connection = rl_session_get_connection (f->session);

  banner = rl_window_get_banner (f->window, "untrusted");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (banner), 10000));
  g_assert_cmpint (rl_connection_get_state (connection), ==, RL_CONNECTION_UNTRUSTED);
  address = g_strdup_printf ("127.0.0.1:%u", f->server->port);
  short_title = g_strdup_printf ("Not connected: %s presented a different certificate from the one this account "
                                 "trusts. Nothing was sent to it.", address);
  g_assert_cmpstr (rl_banner_get_title (banner), ==, short_title);
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (f->window), short_title, 3000));
  g_assert_false (rl_banner_get_revealed (rl_window_get_banner (f->window, "reconnecting")));
  g_assert_false (rl_banner_get_revealed (rl_window_get_banner (f->window, "offline")));
  g_assert_false (rl_banner_get_revealed (rl_window_get_banner (f->window, "signed-out")));
  connection_button = find_widget (GTK_WIDGET (f->window), is_connection_button, NULL);
  g_assert_nonnull (connection_button);
  g_assert_true (g_str_has_prefix (gtk_widget_get_tooltip_text (connection_button),
                                   "Not connected: the server presented a different certificate"));
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (f->window), "Not Connected", 10000));
  screenshot (GTK_WIDGET (f->window), "trust-input-window-untrusted");

  /* Nothing more is tried on its own (retries would come within 1.5 s). */
  g_signal_connect (connection, "notify::state", G_CALLBACK (count_attempts), &attempts);
  rl_ui_test_run (2000);
  g_assert_cmpuint (attempts.attempts, ==, 0);

  /* Details…, clicked: both fingerprints. */
  details_button = find_widget (GTK_WIDGET (banner), is_button_labelled, "Details…");
  g_assert_nonnull (details_button);
  rl_ui_input_click (details_button);
  g_assert_true (RL_UI_WAIT_UNTIL (message_dialog_shown (), 5000));
  details = find_message_dialog ();
  assert_names_mismatch (adw_message_dialog_get_body (details), f, f->other_fp, f->fp);
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (details), adw_message_dialog_get_body (details)));
  screenshot (GTK_WIDGET (details), "trust-input-untrusted-details");

  /* Check Again, clicked: one more attempt, the same answer. */
  check_again = find_widget (GTK_WIDGET (details), is_button_labelled, "C_heck Again");
  g_assert_nonnull (check_again);
  rl_ui_input_click (check_again);
  g_assert_true (RL_UI_WAIT_UNTIL (find_message_dialog () == NULL, 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (refused_again (connection, &attempts, 1), 10000));
  g_assert_cmpuint (attempts.attempts, ==, 1);
  g_assert_true (rl_banner_get_revealed (banner));
  assert_names_mismatch (rl_connection_get_last_error (connection)->message, f, f->other_fp, f->fp);

  /* The connection button checks again too, from the keyboard's reach. */
  rl_ui_input_click (connection_button);
  g_assert_true (RL_UI_WAIT_UNTIL (refused_again (connection, &attempts, 2), 10000));
  g_assert_cmpuint (attempts.attempts, ==, 2);
  g_signal_handlers_disconnect_by_func (connection, count_attempts, &attempts);
}

int
main (int    argc,
      char **argv)
{
  int status;

  rl_ui_test_init (&argc, &argv);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/trust-input/connect-mismatch", test_connect_mismatch);
  ADD ("/trust-input/window-untrusted", test_window_untrusted);

  status = g_test_run ();
  /* TLS was done in this process: see rl_test_end_pool_threads. */
  rl_test_end_pool_threads ();
  return status;
}
