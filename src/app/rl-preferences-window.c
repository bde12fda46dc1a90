/* rl-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-preferences-window.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rl-account.h"

struct _RlPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;
  AdwPreferencesPage   *notifications_page;
  GtkSwitch            *notifications_switch;
  GtkListBox           *muted_list;
  GtkListBox           *accounts_list;
  GtkLabel             *accounts_placeholder;

  RlApplication        *application;
  GSettings            *settings;   /* NULL: the schema is not installed */
  GtkStringList        *muted;      /* muted-documents' entries, as shown */
  GListModel           *accounts;   /* of RlAccount, as the keyring last listed them */
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (RlPreferencesWindow, rl_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* "SERVER USER": the key last-account and muted-documents name an account by. */
static char *
account_key (RlAccount *account)
{
  return g_strdup_printf ("%s %s", rl_account_get_server_url (account), rl_account_get_user_id (account));
}

/* A muted-documents entry's account ("SERVER USER") and document id: the
 * document id is its last word. FALSE for an entry that is not one. */
static gboolean
split_muted_entry (const char  *entry,
                   char       **account,
                   const char **doc_id)
{
  const char *space = strrchr (entry, ' ');

  if (space == NULL || space == entry || space[1] == '\0')
    return FALSE;
  *account = g_strndup (entry, space - entry);
  *doc_id = space + 1;
  return TRUE;
}

/* What the list names an account by: its label in the keyring, else its
 * server address. */
static char *
account_label (RlPreferencesWindow *self,
               const char          *key)
{
  for (guint i = 0; self->accounts && i < g_list_model_get_n_items (self->accounts); i++)
    {
      g_autoptr(RlAccount) account = g_list_model_get_item (self->accounts, i);
      g_autofree char *its = account_key (account);

      if (g_str_equal (its, key))
        return g_strdup (rl_account_get_label (account));
    }
  return g_strndup (key, strcspn (key, " "));
}

/* ---- muted documents ------------------------------------------------------ */

/* Drops entries from muted-documents, and their titles, as one change. */
static void
unmute (RlPreferencesWindow *self,
        gboolean           (*drop) (const char *entry, gconstpointer data),
        gconstpointer        data)
{
  g_auto(GStrv) entries = g_settings_get_strv (self->settings, "muted-documents");
  g_autoptr(GVariant) titles = g_settings_get_value (self->settings, "muted-document-titles");
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_auto(GStrv) kept_entries = NULL;
  GVariantBuilder kept_titles;
  GVariantIter iter;
  const char *entry, *title;

  for (guint i = 0; entries[i] != NULL; i++)
    if (!drop (entries[i], data))
      g_strv_builder_add (kept, entries[i]);
  kept_entries = g_strv_builder_end (kept);

  g_variant_builder_init (&kept_titles, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, titles);
  while (g_variant_iter_next (&iter, "{&s&s}", &entry, &title))
    if (!drop (entry, data))
      g_variant_builder_add (&kept_titles, "{ss}", entry, title);

  g_settings_delay (self->settings);
  g_settings_set_strv (self->settings, "muted-documents", (const char * const *) kept_entries);
  g_settings_set_value (self->settings, "muted-document-titles", g_variant_builder_end (&kept_titles));
  g_settings_apply (self->settings);
}

static gboolean
is_entry (const char    *entry,
          gconstpointer  data)
{
  return g_str_equal (entry, data);
}

static gboolean
is_of_account (const char    *entry,
               gconstpointer  data)
{
  g_autofree char *account = NULL;
  const char *doc_id;

  return split_muted_entry (entry, &account, &doc_id) && g_str_equal (account, data);
}

static void
on_unmute_clicked (GtkButton           *button,
                   RlPreferencesWindow *self)
{
  unmute (self, is_entry, g_object_get_data (G_OBJECT (button), "rl-muted-entry"));
}

static GtkWidget *
create_muted_row (gpointer item,
                  gpointer data)
{
  RlPreferencesWindow *self = data;
  const char *entry = gtk_string_object_get_string (item);
  g_autoptr(GVariant) titles = g_settings_get_value (self->settings, "muted-document-titles");
  g_autofree char *title = NULL;
  g_autofree char *account = NULL;
  g_autofree char *label = NULL;
  g_autofree char *unmute_label = NULL;
  const char *doc_id = entry;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Unmute"));

  if (split_muted_entry (entry, &account, &doc_id))
    label = account_label (self, account);
  if (!g_variant_lookup (titles, entry, "s", &title) || title[0] == '\0')
    {
      g_free (title);
      title = g_strdup (doc_id);
    }
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (label != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  /* Translators: the accessible name of a muted document's Unmute button; %s is its title */
  unmute_label = g_strdup_printf (_("Unmute %s"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, unmute_label, -1);
  g_object_set_data_full (G_OBJECT (button), "rl-muted-entry", g_strdup (entry), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_unmute_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

/* The list shows muted-documents as it is now (titles and labels too). */
static void
update_muted (RlPreferencesWindow *self)
{
  g_auto(GStrv) entries = g_settings_get_strv (self->settings, "muted-documents");

  gtk_string_list_splice (self->muted, 0, g_list_model_get_n_items (G_LIST_MODEL (self->muted)),
                          (const char * const *) entries);
}

/* ---- accounts ------------------------------------------------------------- */

static void list_accounts (RlPreferencesWindow *self);

typedef struct
{
  RlPreferencesWindow *self;
  RlAccount           *account;
} Removal;

static void
removal_free (Removal *removal)
{
  g_object_unref (removal->self);
  g_object_unref (removal->account);
  g_free (removal);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Removal, removal_free)

static void
account_deleted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(Removal) removal = data;
  RlPreferencesWindow *self = removal->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = account_key (removal->account);
  /* Gone already (another instance removed it): forgotten all the same. */
  gboolean deleted = rl_account_delete_finish (removal->account, result, &error) ||
                     g_error_matches (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_NOT_FOUND);

  if (deleted)
    {
      if (self->settings != NULL)
        unmute (self, is_of_account, key);
      rl_application_forget_account (self->application, key);
    }
  /* Closed meanwhile: nothing left to show it in. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (deleted)
    list_accounts (self);
  else
    {
      /* Translators: %s says why, e.g. "the keyring is locked" */
      g_autofree char *title = g_strdup_printf (_("The account could not be removed: %s"), error->message);

      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (title));
    }
}

static void
remove_response (AdwMessageDialog    *dialog,
                 const char          *response,
                 RlPreferencesWindow *self)
{
  RlAccount *account = g_object_get_data (G_OBJECT (dialog), "rl-account");
  Removal *removal;

  if (!g_str_equal (response, "remove"))
    return;
  removal = g_new0 (Removal, 1);
  removal->self = g_object_ref (self);
  removal->account = g_object_ref (account);
  /* Not the window's to cancel: once asked, it is done even if the window
   * closes meanwhile (the removal holds it until then). */
  rl_account_delete (account, NULL, account_deleted, removal);
}

static void
on_remove_clicked (GtkButton           *button,
                   RlPreferencesWindow *self)
{
  RlAccount *account = g_object_get_data (G_OBJECT (button), "rl-account");
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  /* Translators: %s is the account, e.g. "Ada on review.example" */
  heading = g_strdup_printf (_("Remove %s?"), rl_account_get_label (account));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Its sign-in token is cleared from this computer’s keyring and Redline "
                                     "disconnects from it: windows showing it switch to another account. Its "
                                     "documents and threads stay on the server; an invite link signs in again."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "rl-account", g_object_ref (account), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
create_account_row (gpointer item,
                    gpointer data)
{
  RlPreferencesWindow *self = data;
  RlAccount *account = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Remove…"));
  g_autofree char *remove_label = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), rl_account_get_label (account));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), rl_account_get_server_url (account));

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  /* Translators: the accessible name of an account's Remove… button; %s is the account */
  remove_label = g_strdup_printf (_("Remove %s…"), rl_account_get_label (account));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  g_object_set_data_full (G_OBJECT (button), "rl-account", g_object_ref (account), g_object_unref);
  g_signal_connect (button, "clicked", G_CALLBACK (on_remove_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static void
accounts_listed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(RlPreferencesWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) accounts = rl_account_list_all_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (accounts == NULL)
    {
      /* Translators: %s says why, e.g. "no Secret Service is running" */
      g_autofree char *why = g_strdup_printf (_("The keyring could not be read: %s"), error->message);

      gtk_label_set_label (self->accounts_placeholder, why);
      accounts = G_LIST_MODEL (g_list_store_new (RL_TYPE_ACCOUNT));
    }
  else
    gtk_label_set_label (self->accounts_placeholder, _("The keyring holds no accounts"));
  g_set_object (&self->accounts, accounts);
  gtk_list_box_bind_model (self->accounts_list, accounts, create_account_row, self, NULL);
  /* The muted documents' rows name their accounts by these labels. */
  if (self->settings != NULL)
    update_muted (self);
}

static void
list_accounts (RlPreferencesWindow *self)
{
  rl_account_list_all (self->cancellable, accounts_listed, g_object_ref (self));
}

/* ---- the window ----------------------------------------------------------- */

static void
rl_preferences_window_dispose (GObject *object)
{
  RlPreferencesWindow *self = RL_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), RL_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (rl_preferences_window_parent_class)->dispose (object);
}

static void
rl_preferences_window_finalize (GObject *object)
{
  RlPreferencesWindow *self = RL_PREFERENCES_WINDOW (object);

  g_clear_object (&self->application);
  g_clear_object (&self->settings);
  g_clear_object (&self->muted);
  g_clear_object (&self->accounts);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (rl_preferences_window_parent_class)->finalize (object);
}

static void
rl_preferences_window_class_init (RlPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_preferences_window_dispose;
  object_class->finalize = rl_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RlPreferencesWindow, notifications_page);
  gtk_widget_class_bind_template_child (widget_class, RlPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, RlPreferencesWindow, muted_list);
  gtk_widget_class_bind_template_child (widget_class, RlPreferencesWindow, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, RlPreferencesWindow, accounts_placeholder);
}

static void
rl_preferences_window_init (RlPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->muted = gtk_string_list_new (NULL);
  self->settings = rl_settings_new ();
  if (self->settings == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->notifications_page), FALSE);
      return;
    }
  g_settings_bind (self->settings, "notifications", self->notifications_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  gtk_list_box_bind_model (self->muted_list, G_LIST_MODEL (self->muted), create_muted_row, self, NULL);
  g_signal_connect_swapped (self->settings, "changed::muted-documents", G_CALLBACK (update_muted), self);
  g_signal_connect_swapped (self->settings, "changed::muted-document-titles", G_CALLBACK (update_muted), self);
  update_muted (self);
}

RlPreferencesWindow *
rl_preferences_window_new (RlApplication *application,
                           GtkWindow     *parent)
{
  RlPreferencesWindow *self;

  g_return_val_if_fail (RL_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (RL_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->application = g_object_ref (application);
  list_accounts (self);
  return self;
}
