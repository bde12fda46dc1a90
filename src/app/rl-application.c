/* rl-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-application.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "redline-resources.h"
#include "rl-account.h"
#include "rl-connect-dialog.h"
#include "rl-invite.h"
#include "rl-notifier.h"
#include "rl-pinned-database.h"
#include "rl-preferences-window.h"
#include "rl-window.h"

struct _RlApplication
{
  AdwApplication  parent_instance;
  GPtrArray      *sessions;       /* of RlSession */
  GHashTable     *saved;          /* RlSession* whose token is in the keyring (or being saved) */
  RlSession      *current;        /* last used; kept in last-account */
  GMenu          *accounts_menu;
  GCancellable   *cancellable;
  GSettings      *settings;       /* NULL: the schema is not installed */
  char           *stdin_link;     /* read by --join-stdin, joined on activate */
  RlNotifier     *notifier;       /* the desktop notifications, one for every window */
  gboolean        opening;        /* the saved accounts are being opened (startup) */
  GPtrArray      *deferred;       /* of Deferred: actions asked for meanwhile */
};

/* An action activated before the saved accounts were open (a notification
 * clicked after the app quit starts it through D-Bus, and the action comes
 * at once): done again once they are. */
typedef struct
{
  char     *name;
  GVariant *parameter;
} Deferred;

static void
deferred_free (gpointer data)
{
  Deferred *deferred = data;

  g_free (deferred->name);
  g_clear_pointer (&deferred->parameter, g_variant_unref);
  g_free (deferred);
}

/* The saved accounts are open (or none could be): what was asked for
 * meanwhile is done now, before the startup's hold is let go. */
static void
accounts_opened (RlApplication *self)
{
  g_autoptr(GPtrArray) deferred = g_steal_pointer (&self->deferred);

  self->opening = FALSE;
  for (guint i = 0; deferred && i < deferred->len; i++)
    {
      Deferred *d = g_ptr_array_index (deferred, i);

      g_action_group_activate_action (G_ACTION_GROUP (self), d->name, d->parameter);
    }
}

gboolean
rl_application_defer_until_opened (RlApplication *self,
                                   const char    *action_name,
                                   GVariant      *parameter)
{
  Deferred *deferred;

  g_return_val_if_fail (RL_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (action_name != NULL, FALSE);

  if (!self->opening)
    return FALSE;
  if (self->deferred == NULL)
    self->deferred = g_ptr_array_new_with_free_func (deferred_free);
  deferred = g_new0 (Deferred, 1);
  deferred->name = g_strdup (action_name);
  deferred->parameter = parameter ? g_variant_ref_sink (parameter) : NULL;
  g_ptr_array_add (self->deferred, deferred);
  return TRUE;
}

G_DEFINE_FINAL_TYPE (RlApplication, rl_application, ADW_TYPE_APPLICATION)

static RlConnectDialog *show_connect_dialog (RlApplication *self,
                                             GtkWindow     *parent,
                                             const char    *server_url,
                                             const char    *fingerprint);

/* Accelerators, all in one place. */
static const struct
{
  const char *action;
  const char *accels[4];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.new-window", { "<Control>n", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.show-sidebar", { "F9", NULL } },
  { "win.show-threads", { "<Shift>F9", NULL } },
  { "win.hide-resolved", { "<Control>h", NULL } },
  { "win.upload", { "<Control>o", NULL } },
  { "win.upload-version", { "<Shift><Control>o", NULL } },
  { "win.compare-versions", { "<Shift><Control>c", NULL } },
  /* Unread (issue 19): the open document's next and previous unread
   * thread, and all of it read; for the shortcuts window's table too. */
  { "win.next-unread", { "<Alt>n", NULL } },
  { "win.previous-unread", { "<Alt><Shift>n", NULL } },
  { "win.mark-all-read", { "<Shift><Control>r", NULL } },
  /* Zoom, as in image viewers; the image's zoom menu shows these. */
  { "win.zoom-in", { "<Control>plus", "<Control>equal", "<Control>KP_Add" } },
  { "win.zoom-out", { "<Control>minus", "<Control>KP_Subtract", NULL } },
  { "win.zoom-fit", { "<Control>0", "<Control>KP_0", NULL } },
  { "win.zoom-original", { "<Control>1", "<Control>KP_1", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

/* "SERVER USER", as rl_session_dup_key says it: the keyring item's two
 * attributes, what last-account holds. */
static char *
account_key (RlAccount *account)
{
  return g_strdup_printf ("%s %s", rl_account_get_server_url (account), rl_account_get_user_id (account));
}

/* The last used account, for the next start; its user id is known from
 * the keyring or, for a new account, once the server welcomed it. */
static void
remember_current (RlApplication *self)
{
  g_autofree char *key = NULL;

  if (self->settings == NULL || self->current == NULL ||
      rl_connection_get_user_id (rl_session_get_connection (self->current)) == NULL)
    return;
  key = rl_session_dup_key (self->current);
  g_settings_set_string (self->settings, "last-account", key);
}

static void
set_current (RlApplication *self,
             RlSession     *session)
{
  self->current = session;
  remember_current (self);
}

static void
rebuild_accounts_menu (RlApplication *self)
{
  g_menu_remove_all (self->accounts_menu);
  for (guint i = 0; i < self->sessions->len; i++)
    {
      RlSession *session = g_ptr_array_index (self->sessions, i);
      g_autofree char *key = rl_session_dup_key (session);
      g_autoptr(GMenuItem) item = g_menu_item_new (rl_session_get_label (session), NULL);

      g_menu_item_set_action_and_target_value (item, "win.account", g_variant_new_string (key));
      g_menu_append_item (self->accounts_menu, item);
    }
}

static void
toast_on_windows_of (RlApplication *self,
                     RlSession     *session,
                     const char    *title)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (RL_IS_WINDOW (l->data) && rl_window_get_session (l->data) == session)
      {
        g_autoptr(AdwToast) toast = adw_toast_new (title);

        adw_toast_set_timeout (toast, 8);
        rl_window_add_toast (l->data, toast);
      }
}

typedef struct
{
  RlApplication *app;
  RlSession     *session;
} SaveData;

static void
account_saved (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  SaveData *save = data;
  g_autoptr(GError) error = NULL;

  if (!rl_account_save_finish (RL_ACCOUNT (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *title =
        /* Translators: %s says why, e.g. "no Secret Service is running" */
        g_strdup_printf (_("The account could not be saved in the keyring (%s); it works until Redline quits"),
                         error->message);

      toast_on_windows_of (save->app, save->session, title);
    }
  g_object_unref (save->app);
  g_object_unref (save->session);
  g_free (save);
}

/* Into the keyring, once: the item needs the user id, which only the
 * welcome tells. */
static void
save_session (RlApplication *self,
              RlSession     *session)
{
  const RlMessage *welcome = rl_connection_get_welcome (rl_session_get_connection (session));
  g_autoptr(RlAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  SaveData *save;

  if (welcome == NULL || g_hash_table_contains (self->saved, session))
    return;
  g_hash_table_add (self->saved, session);

  account = rl_account_new (rl_session_get_server_url (session), welcome->user.id,
                            rl_session_get_label (session), &error);
  /* The pinned certificate goes with it: trusted again at the next start. */
  if (account != NULL && !rl_account_set_fingerprint (account, rl_session_get_fingerprint (session), &error))
    g_clear_object (&account);
  if (account == NULL)
    {
      toast_on_windows_of (self, session, error->message);
      return;
    }
  save = g_new0 (SaveData, 1);
  save->app = g_object_ref (self);
  save->session = g_object_ref (session);
  rl_account_save (account, rl_session_get_token (session), self->cancellable, account_saved, save);
}

static void
on_session_state (RlConnection  *connection,
                  GParamSpec    *pspec,
                  RlSession     *session)
{
  RlApplication *self = g_object_get_data (G_OBJECT (session), "rl-application");

  if (self == NULL || rl_connection_get_welcome (connection) == NULL)
    return;
  rebuild_accounts_menu (self);
  if (session == self->current)
    remember_current (self);
  save_session (self, session);
}

static RlWindow *
window_for (RlApplication *self,
            GtkWindow     *window)
{
  if (window == NULL)
    window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL || !RL_IS_WINDOW (window))
    window = GTK_WINDOW (rl_window_new (self));
  return RL_WINDOW (window);
}

/* The session of this server and token, trusting the same certificate. */
static RlSession *
find_open_session (RlApplication *self,
                   const char    *server_url,
                   const char    *token,
                   const char    *fingerprint)
{
  for (guint i = 0; i < self->sessions->len; i++)
    {
      RlSession *open = g_ptr_array_index (self->sessions, i);

      if (g_str_equal (rl_session_get_server_url (open), server_url) &&
          g_str_equal (rl_session_get_token (open), token) &&
          g_strcmp0 (rl_session_get_fingerprint (open), fingerprint) == 0)
        return open;
    }
  return NULL;
}

/* ---- the keyring's accounts at startup ------------------------------------ */

/* One at a time, the last used first: the first opened is the one windows
 * show, whichever lookup would have finished first. */
typedef struct
{
  RlApplication *app;
  GPtrArray     *accounts;   /* of RlAccount */
  guint          next;
} Opening;

static void open_next_account (Opening *opening);

static void
token_found (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Opening *opening = data;
  RlApplication *self = opening->app;
  RlAccount *account = RL_ACCOUNT (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = rl_account_lookup_token_finish (account, result, &error);
  const char *fingerprint = rl_account_get_fingerprint (account);
  g_autoptr(RlSession) session = NULL;

  if (token != NULL && find_open_session (self, rl_account_get_server_url (account), token, fingerprint) != NULL)
    ;   /* joined already, by a link: one session per account */
  else if (token != NULL)
    {
      /* The certificate its invite link pinned, and no other. */
      g_autoptr(GTlsDatabase) pinned = fingerprint ? rl_pinned_database_new (fingerprint) : NULL;

      session = rl_session_new (rl_account_get_server_url (account), token, rl_account_get_user_id (account),
                                pinned, &error);
    }
  if (session != NULL)
    {
      /* Two accounts on one server are told apart before any welcome. */
      rl_session_set_label (session, rl_account_get_label (account));
      rl_application_add_session (self, session, TRUE);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    opening->next = opening->accounts->len;   /* shutting down */
  else if (error != NULL)
    g_debug ("account %s not opened: %s", rl_account_get_label (account), error->message);
  open_next_account (opening);
}

static void
open_next_account (Opening *opening)
{
  RlApplication *self = opening->app;

  if (opening->next < opening->accounts->len)
    {
      RlAccount *account = g_ptr_array_index (opening->accounts, opening->next++);

      rl_account_lookup_token (account, self->cancellable, token_found, opening);
      return;
    }
  g_ptr_array_unref (opening->accounts);
  g_free (opening);
  accounts_opened (self);
  g_application_release (G_APPLICATION (self));
  g_object_unref (self);
}

/* The accounts in the order they are opened: the one last-account names
 * (when the keyring still holds it), then the others as listed. */
static GPtrArray *
accounts_in_opening_order (GListModel *accounts,
                           const char *last)
{
  GPtrArray *ordered = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      RlAccount *account = g_list_model_get_item (accounts, i);
      g_autofree char *key = account_key (account);

      if (last != NULL && g_str_equal (key, last))
        g_ptr_array_insert (ordered, 0, account);
      else
        g_ptr_array_add (ordered, account);
    }
  return ordered;
}

static void
accounts_listed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  RlApplication *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) accounts = rl_account_list_all_finish (result, &error);
  g_autofree char *last = self->settings ? g_settings_get_string (self->settings, "last-account") : NULL;
  Opening *opening;

  if (accounts == NULL)
    {
      /* No keyring: the app still works with accounts joined now. */
      g_debug ("no saved accounts: %s", error->message);
      accounts_opened (self);
      g_application_release (G_APPLICATION (self));
      g_object_unref (self);
      return;
    }
  opening = g_new0 (Opening, 1);
  opening->app = self;   /* the reference taken at startup */
  opening->accounts = accounts_in_opening_order (accounts, last);
  open_next_account (opening);
}

/* ---- actions ------------------------------------------------------------- */

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (data));

  /* Closing each window lets it finish cleanly and keep its size (on
   * close-request); quit follows the last. One that stays is destroyed. */
  for (GList *l = g_list_copy (windows), *next; l; l = next)
    {
      g_autoptr(GtkWindow) window = g_object_ref (l->data);

      next = l->next;
      gtk_window_close (window);
      gtk_window_destroy (window);
      g_list_free_1 (l);
    }
  g_application_quit (G_APPLICATION (data));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       data)
{
  static const char *developers[] = { "The Redline developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (data));
  GtkWidget *about = adw_about_window_new ();

  g_object_set (about,
                "transient-for", parent,
                "application-name", _("Redline"),
                "application-icon", APP_ID,
                "version", PACKAGE_VERSION,
                "developer-name", _("The Redline developers"),
                "developers", developers,
                "comments", _("Review mockups together, in real time"),
                "license-type", GTK_LICENSE_GPL_3_0,
                NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
connect_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       data)
{
  rl_application_show_connect_dialog (data, gtk_application_get_active_window (GTK_APPLICATION (data)),
                                      NULL, NULL);
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       data)
{
  RlApplication *self = data;
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));
  RlWindow *from = active && RL_IS_WINDOW (active) ? RL_WINDOW (active) : NULL;
  RlSession *session = from && rl_window_get_session (from) ? rl_window_get_session (from) : self->current;
  RlWindow *window = rl_window_new (self);

  /* The same account (one session, one connection) and the document the
   * user is looking at: side by side, both windows show one store. */
  rl_window_set_session (window, session);
  if (from && rl_window_get_session (from) == session && rl_window_get_document_id (from))
    rl_window_open_document (window, rl_window_get_document_id (from));
  gtk_window_present (GTK_WINDOW (window));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (data));

  gtk_window_present (GTK_WINDOW (rl_preferences_window_new (data, parent)));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "connect", connect_action },
  { "new-window", new_window_action },
  { "preferences", preferences_action },
};

/* ---- application --------------------------------------------------------- */

static void
rl_application_startup (GApplication *app)
{
  RlApplication *self = RL_APPLICATION (app);

  G_APPLICATION_CLASS (rl_application_parent_class)->startup (app);

  self->settings = rl_settings_new ();
  self->notifier = rl_notifier_new (self, self->settings);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  /* Held until every saved account is opened, so a window can show one. */
  self->opening = TRUE;
  g_application_hold (app);
  rl_account_list_all (self->cancellable, accounts_listed, g_object_ref (self));
}

/* Joins link in window, or says in it why not. */
static void
join_or_say (RlApplication *self,
             RlWindow      *window,
             const char    *link)
{
  g_autoptr(GError) error = NULL;

  if (!rl_application_join (self, link, GTK_WINDOW (window), &error))
    {
      g_autofree char *title = g_strdup_printf (_("Could not open the invite link: %s"), error->message);
      g_autoptr(AdwToast) toast = adw_toast_new (title);

      adw_toast_set_timeout (toast, 0);
      rl_window_add_toast (window, toast);
    }
}

static void
rl_application_activate (GApplication *app)
{
  RlApplication *self = RL_APPLICATION (app);
  RlWindow *window = window_for (self, NULL);
  g_autofree char *link = g_steal_pointer (&self->stdin_link);

  if (rl_window_get_session (window) == NULL && self->current != NULL)
    rl_window_set_session (window, self->current);
  if (link != NULL)
    join_or_say (self, window, link);
  gtk_window_present (GTK_WINDOW (window));
}

static void
rl_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  RlApplication *self = RL_APPLICATION (app);
  RlWindow *window = window_for (self, NULL);
  g_autofree char *link = g_steal_pointer (&self->stdin_link);

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);

      join_or_say (self, window, uri);
    }
  /* Given on the command line as well: both are joined. */
  if (link != NULL)
    join_or_say (self, window, link);
  gtk_window_present (GTK_WINDOW (window));
}

/* The longest line --join-stdin reads: a link with the longest token, a
 * long host and a fingerprint is well under it. */
#define STDIN_LINK_MAX 4096

/* One line from standard input, without its line break and the blanks a
 * paste brings along; NULL with an error. Stops at the line break, so a
 * terminal need not send end-of-file. */
static char *
read_stdin_link (GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);

  if (isatty (STDIN_FILENO))
    g_printerr ("%s", _("Paste the invite link, then press Enter: "));
  for (;;)
    {
      char c;
      gssize got = read (STDIN_FILENO, &c, 1);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       /* Translators: %s says why, e.g. "Bad file descriptor" */
                       _("Could not read the invite link from standard input: %s"), g_strerror (saved));
          return NULL;
        }
      if (got == 0 || c == '\n')
        break;
      if (line->len >= STDIN_LINK_MAX)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The first line of standard input is too long for an invite link (at most %d bytes)"),
                       STDIN_LINK_MAX);
          return NULL;
        }
      g_string_append_c (line, c);
    }
  g_strstrip (line->str);
  if (line->str[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("Standard input holds no invite link"));
      return NULL;
    }
  return g_strdup (line->str);
}

/* --join-stdin: the link is checked here, where its error can be said on
 * the terminal that ran the command, then handed to the running instance
 * (over the session bus) or joined by this one once it is activated. */
static int
rl_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  RlApplication *self = RL_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  g_autofree char *link = NULL;
  g_autofree char *server_url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *fingerprint = NULL;

  if (!g_variant_dict_contains (options, "join-stdin"))
    return -1;
  link = read_stdin_link (&error);
  if (link == NULL || !rl_invite_parse (link, &server_url, &token, &fingerprint, &error) ||
      !g_application_register (app, NULL, &error))
    {
      g_printerr ("redline: %s\n", error->message);
      return 1;
    }
  if (g_application_get_is_remote (app))
    {
      g_autoptr(GFile) file = g_file_new_for_uri (link);
      GDBusConnection *bus = g_application_get_dbus_connection (app);

      g_application_open (app, &file, 1, "");
      /* Out before this process is. */
      if (bus != NULL)
        g_dbus_connection_flush_sync (bus, NULL, NULL);
      return 0;
    }
  self->stdin_link = g_steal_pointer (&link);
  return -1;
}

static void
rl_application_shutdown (GApplication *app)
{
  RlApplication *self = RL_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < self->sessions->len; i++)
    g_signal_handlers_disconnect_by_func (rl_session_get_connection (g_ptr_array_index (self->sessions, i)),
                                          on_session_state, g_ptr_array_index (self->sessions, i));
  G_APPLICATION_CLASS (rl_application_parent_class)->shutdown (app);
}

static void
rl_application_finalize (GObject *object)
{
  RlApplication *self = RL_APPLICATION (object);

  for (guint i = 0; i < self->sessions->len; i++)
    {
      RlSession *session = g_ptr_array_index (self->sessions, i);

      g_signal_handlers_disconnect_by_func (rl_session_get_connection (session), on_session_state, session);
      g_signal_handlers_disconnect_by_data (session, self);
      g_object_set_data (G_OBJECT (session), "rl-application", NULL);
    }
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_pointer (&self->deferred, g_ptr_array_unref);
  g_clear_pointer (&self->saved, g_hash_table_unref);
  g_clear_object (&self->accounts_menu);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->notifier);
  g_clear_object (&self->settings);
  g_free (self->stdin_link);
  G_OBJECT_CLASS (rl_application_parent_class)->finalize (object);
}

static void
rl_application_class_init (RlApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = rl_application_finalize;
  app_class->startup = rl_application_startup;
  app_class->activate = rl_application_activate;
  app_class->open = rl_application_open;
  app_class->handle_local_options = rl_application_handle_local_options;
  app_class->shutdown = rl_application_shutdown;
  rl_app_register_resources ();
}

static void
rl_application_init (RlApplication *self)
{
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->saved = g_hash_table_new (NULL, NULL);
  self->accounts_menu = g_menu_new ();
  self->cancellable = g_cancellable_new ();
  g_application_add_main_option (G_APPLICATION (self), "join-stdin", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE,
                                 _("Connect with the invite link read from standard input, kept off the command line"),
                                 NULL);
}

RlApplication *
rl_application_new (const char        *application_id,
                    GApplicationFlags  flags)
{
  return g_object_new (RL_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/redline/Redline",
                       NULL);
}

void
rl_app_register_resources (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      redline_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}

gboolean
rl_application_join (RlApplication  *self,
                     const char     *link,
                     GtkWindow      *window,
                     GError        **error)
{
  g_autofree char *server_url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *fingerprint = NULL;
  RlConnectDialog *dialog;
  RlSession *session;

  g_return_val_if_fail (RL_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (link != NULL, FALSE);

  if (!rl_invite_parse (link, &server_url, &token, &fingerprint, error))
    return FALSE;

  /* The same link twice is the same account: one connection. */
  session = find_open_session (self, server_url, token, fingerprint);
  if (session != NULL)
    {
      set_current (self, session);
      rl_window_set_session (window_for (self, window), session);
      return TRUE;
    }
  /* A new account is checked first, where its error can be said and fixed. */
  window = GTK_WINDOW (window_for (self, window));
  gtk_window_present (window);
  dialog = show_connect_dialog (self, window, NULL, NULL);
  rl_connect_dialog_set_invite (dialog, link);
  rl_connect_dialog_submit (dialog);
  return TRUE;
}

void
rl_application_add_session (RlApplication *self,
                            RlSession     *session,
                            gboolean       already_saved)
{
  g_return_if_fail (RL_IS_APPLICATION (self));
  g_return_if_fail (RL_IS_SESSION (session));

  if (g_ptr_array_find (self->sessions, session, NULL))
    return;
  g_ptr_array_add (self->sessions, g_object_ref (session));
  if (already_saved)
    g_hash_table_add (self->saved, session);
  g_object_set_data (G_OBJECT (session), "rl-application", self);
  g_signal_connect (rl_session_get_connection (session), "notify::state", G_CALLBACK (on_session_state), session);
  g_signal_connect_swapped (session, "notify::label", G_CALLBACK (rebuild_accounts_menu), self);
  if (self->notifier != NULL)
    rl_notifier_add_session (self->notifier, session);
  /* Open while the app runs, window or not (issue 19 §5): its activity
   * feed keeps the Activity view and the notifier current. What the
   * server counts as viewed goes with the document's last view
   * (RlDocStore unsubscribes), not with the connection. */
  rl_session_start (session);
  rebuild_accounts_menu (self);
  /* Checked before it was added: welcomed already. */
  save_session (self, session);

  if (self->current == NULL)
    {
      set_current (self, session);
      for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
        if (RL_IS_WINDOW (l->data) && rl_window_get_session (l->data) == NULL)
          rl_window_set_session (l->data, session);
    }
}

RlSession *
rl_application_find_session (RlApplication *self,
                             const char    *key)
{
  g_return_val_if_fail (RL_IS_APPLICATION (self), NULL);

  for (guint i = 0; i < self->sessions->len; i++)
    {
      RlSession *session = g_ptr_array_index (self->sessions, i);
      g_autofree char *its = rl_session_dup_key (session);

      if (g_str_equal (its, key))
        {
          set_current (self, session);
          return session;
        }
    }
  return NULL;
}

GPtrArray *
rl_application_get_sessions (RlApplication *self)
{
  g_return_val_if_fail (RL_IS_APPLICATION (self), NULL);
  return self->sessions;
}

RlNotifier *
rl_application_get_notifier (RlApplication *self)
{
  g_return_val_if_fail (RL_IS_APPLICATION (self), NULL);
  return self->notifier;
}

RlSession *
rl_application_get_current_session (RlApplication *self)
{
  g_return_val_if_fail (RL_IS_APPLICATION (self), NULL);
  return self->current;
}

GMenuModel *
rl_application_get_accounts_menu (RlApplication *self)
{
  g_return_val_if_fail (RL_IS_APPLICATION (self), NULL);
  return G_MENU_MODEL (self->accounts_menu);
}

/* The session at index leaves the app: the windows that show it show
 * replacement instead (NULL: the welcome page); it is stopped and
 * forgotten. */
static void
drop_session (RlApplication *self,
              guint          index,
              RlSession     *replacement)
{
  RlSession *old = g_ptr_array_index (self->sessions, index);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (RL_IS_WINDOW (l->data) && rl_window_get_session (l->data) == old)
      rl_window_set_session (l->data, replacement);
  if (self->current == old)
    self->current = NULL;
  g_signal_handlers_disconnect_by_func (rl_session_get_connection (old), on_session_state, old);
  g_signal_handlers_disconnect_by_data (old, self);
  g_object_set_data (G_OBJECT (old), "rl-application", NULL);
  g_hash_table_remove (self->saved, old);
  if (self->notifier != NULL)
    rl_notifier_remove_session (self->notifier, old);
  rl_session_stop (old);
  g_ptr_array_remove_index (self->sessions, index);
}

/* Another session of the same account (signed in again with a new token)
 * gives way to session, in every window that shows it. */
static void
replace_same_account (RlApplication *self,
                      RlSession     *session)
{
  g_autofree char *key = rl_session_dup_key (session);

  for (guint i = self->sessions->len; i > 0; i--)
    {
      RlSession *old = g_ptr_array_index (self->sessions, i - 1);
      g_autofree char *its = rl_session_dup_key (old);

      if (old == session || !g_str_equal (its, key))
        continue;
      drop_session (self, i - 1, session);
    }
}

/* Welcomed by its server: only now does it replace anything, and only now
 * is it kept in the keyring. */
static void
on_dialog_connected (RlConnectDialog *dialog,
                     RlSession       *checked,
                     RlApplication   *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  RlSession *session = find_open_session (self, rl_session_get_server_url (checked),
                                          rl_session_get_token (checked), rl_session_get_fingerprint (checked));

  /* Already open (the same link twice): one connection per account. */
  if (session == NULL)
    {
      session = checked;
      rl_application_add_session (self, session, FALSE);
      replace_same_account (self, session);
    }
  set_current (self, session);
  rl_window_set_session (window_for (self, parent), session);
}

static RlConnectDialog *
show_connect_dialog (RlApplication *self,
                     GtkWindow     *parent,
                     const char    *server_url,
                     const char    *fingerprint)
{
  GtkWidget *dialog = rl_connect_dialog_new (parent, server_url, fingerprint);

  g_signal_connect_object (dialog, "connected", G_CALLBACK (on_dialog_connected), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return RL_CONNECT_DIALOG (dialog);
}

void
rl_application_show_connect_dialog (RlApplication *self,
                                    GtkWindow     *parent,
                                    const char    *server_url,
                                    const char    *fingerprint)
{
  g_return_if_fail (RL_IS_APPLICATION (self));

  if (parent == NULL)
    {
      parent = GTK_WINDOW (window_for (self, NULL));
      gtk_window_present (parent);
    }
  show_connect_dialog (self, parent, server_url, fingerprint);
}

/* The session that takes the place of the account key: the current one
 * if it is another account's, else the first other, else none. */
static RlSession *
other_session (RlApplication *self,
               const char    *key)
{
  g_autofree char *current = self->current ? rl_session_dup_key (self->current) : NULL;

  if (current != NULL && !g_str_equal (current, key))
    return self->current;
  for (guint i = 0; i < self->sessions->len; i++)
    {
      RlSession *session = g_ptr_array_index (self->sessions, i);
      g_autofree char *its = rl_session_dup_key (session);

      if (!g_str_equal (its, key))
        return session;
    }
  return NULL;
}

void
rl_application_forget_account (RlApplication *self,
                               const char    *key)
{
  RlSession *next;
  g_autofree char *last = NULL;

  g_return_if_fail (RL_IS_APPLICATION (self));
  g_return_if_fail (key != NULL);

  next = other_session (self, key);
  for (guint i = self->sessions->len; i > 0; i--)
    {
      g_autofree char *its = rl_session_dup_key (g_ptr_array_index (self->sessions, i - 1));

      if (g_str_equal (its, key))
        drop_session (self, i - 1, next);
    }
  last = self->settings ? g_settings_get_string (self->settings, "last-account") : NULL;
  if (last != NULL && g_str_equal (last, key))
    g_settings_reset (self->settings, "last-account");
  if (self->current == NULL && next != NULL)
    set_current (self, next);
  rebuild_accounts_menu (self);
}

/* The app's settings, or NULL when the schema is not installed (an
 * uninstalled run without GSETTINGS_SCHEMA_DIR): then nothing is kept. */
GSettings *
rl_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "io.github.redline.Redline", TRUE);
  if (schema == NULL)
    {
      g_debug ("the settings schema io.github.redline.Redline is not installed: nothing is kept");
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}
