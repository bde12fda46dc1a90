/* rl-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-window-private.h"
#include "rl-application.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rl-banner.h"
#include "rl-compare-window.h"
#include "rl-error-text.h"
#include "rl-pinned-database.h"
#include "rl-error.h"
#include "rl-image-view.h"
#include "rl-notifier.h"
#include "rl-page-view.h"
#include "rl-plaintext.h"
#include "rl-review-state.h"
#include "rl-thread-panel.h"
#include "rl-retry-controller.h"
#include "rl-doc-row.h"
#include "rl-unread-controller.h"
#include "rl-activity-button.h"
#include "rl-upload-controller.h"
#include "rl-uuid.h"

struct _RlWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toasts;
  AdwWindowTitle       *title;
  GtkToggleButton      *sidebar_button;
  GtkToggleButton      *threads_button;
  GtkToggleButton      *hide_resolved_button;
  GtkMenuButton        *menu_button;
  GtkMenuButton        *versions_button; /* every version of the open document, to show one */
  GtkMenuButton        *viewers_button;
  GtkLabel             *viewers_label;
  GtkLabel             *viewers_names;
  GtkButton            *connection_button;
  GtkImage             *connection_icon;
  GtkStack             *main_stack;
  AdwFlap              *flap;
  GtkStack             *doc_list_stack;
  AdwStatusPage        *doc_list_status;
  GtkListView          *doc_list;
  GtkStack             *doc_stack;
  GtkSpinner           *spinner;
  AdwStatusPage        *error_page;
  AdwFlap              *threads_flap;
  GMenu                *accounts_section;

  RlReviewState        *state;         /* the open document's, shared by the views and the panel */
  RlImageView          *image_view;
  RlPageView           *page_view;
  RlThreadPanel        *panel;
  RlBanner             *reconnecting_banner;
  RlBanner             *offline_banner;
  RlBanner             *signed_out_banner;
  RlBanner             *untrusted_banner;
  RlBanner             *version_banner;      /* a newer version is there to show */
  RlBanner             *unread_banner;       /* "N new since you were here" */
  GtkWidget            *untrusted_dialog;    /* its Details…, while shown */

  RlSession            *session;
  gboolean              was_online;
  GListStore           *documents;
  GtkSingleSelection   *selection;
  GCancellable         *list_cancellable;
  gboolean              listed_once;
  char                 *pending_doc;   /* to open once listed */
  gboolean              content_unreachable; /* the open document's content could not be fetched */
  guint                 countdown_id;

  RlDocItem            *doc;
  RlDocStore           *store;
  GCancellable         *content_cancellable;
  gint64                loading_revision; /* being fetched to be shown; 0: none */
  char                 *version_broadcast_id; /* of this window's last new version */
  GtkDropTarget        *version_drop;  /* a file dropped on the open document */

  RlUploadController   *uploads;
  RlRetryController    *retries;       /* the open document's failed changes */
  RlUnreadController   *unread;        /* the open document's unread: read, announced, gone through */
  RlActivityFeed       *feed;          /* the session's: what is unread in each document */
  AdwToast             *last_toast;

  GSettings            *settings;      /* NULL: the schema is not installed */
  gboolean              folded;        /* narrow: the panels show over the document */
  gboolean              sidebar_wanted; /* what the wide window shows */
  gboolean              threads_wanted; /* the same, kept in panel-visible */

  char                 *wanted_doc;    /* a thread asked for (a notification's): */
  char                 *wanted_thread; /* selected once its document shows it */
};

G_DEFINE_FINAL_TYPE (RlWindow, rl_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void open_document (RlWindow  *self,
                           RlDocItem *item);
static void update_account_state (RlWindow *self);
static void close_document (RlWindow *self);
static void update_version (RlWindow *self);
static void update_unread_actions (RlWindow *self);
static void reveal_in_page (RlWindow   *self,
                            const char *thread_id);
static void on_selection_changed (GtkSingleSelection *selection,
                                  GParamSpec         *pspec,
                                  RlWindow           *self);

static void
set_accessible_label (gpointer    widget,
                      const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
show_toast (RlWindow *self,
            AdwToast *toast)
{
  if (self->toasts == NULL)
    return;   /* disposed */
  g_set_object (&self->last_toast, toast);
  /* The overlay takes a reference of its own (transfer full). */
  adw_toast_overlay_add_toast (self->toasts, g_object_ref (toast));
}

/* ---- the store's news ---------------------------------------------------- */

static void
update_viewers (RlWindow *self)
{
  g_auto(GStrv) names = NULL;
  g_autofree char *list = NULL;
  g_autofree char *count = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *label = NULL;
  gboolean online;
  guint n;

  /* A store is only open with a session (close_document before it changes). */
  if (self->store == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->viewers_button), FALSE);
      return;
    }
  n = rl_doc_store_get_viewer_count (self->store);
  names = rl_doc_store_dup_viewer_names (self->store);
  list = names ? g_strjoinv ("\n", names) : g_strdup ("");
  count = g_strdup_printf ("%u", n);
  gtk_label_set_label (self->viewers_label, count);
  gtk_label_set_label (self->viewers_names, *list ? list : _("Nobody yet"));
  if (names && names[0])
    {
      g_autofree char *joined = g_strjoinv (", ", names);

      /* Translators: the viewer count's tooltip; %s is a list of names */
      tooltip = g_strdup_printf (_("Viewing now: %s"), joined);
    }
  else
    tooltip = g_strdup (_("Nobody is viewing this document"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->viewers_button), tooltip);
  label = g_strdup_printf (ngettext ("%u viewer", "%u viewers", n), n);
  set_accessible_label (self->viewers_button, label);
  /* Presence is only known while online; a stale count would mislead. */
  online = rl_connection_get_state (rl_session_get_connection (self->session)) == RL_CONNECTION_ONLINE;
  gtk_widget_set_visible (GTK_WIDGET (self->viewers_button), n > 0 && online);
}

static void
on_resynced (RlDocStore *store,
             guint       n_updates,
             RlWindow   *self)
{
  g_autofree char *title = NULL;
  g_autoptr(AdwToast) toast = NULL;

  if (n_updates == 0)
    title = g_strdup (_("Back online, nothing was missed"));
  else
    title = g_strdup_printf (ngettext ("%u update synced", "%u updates synced", n_updates), n_updates);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 4);
  show_toast (self, toast);
}

/* ---- connection state ---------------------------------------------------- */

static void
update_countdown (RlWindow *self)
{
  gint64 next = rl_connection_get_next_retry (rl_session_get_connection (self->session));
  gint64 left = next ? (next - g_get_monotonic_time () + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC : 0;
  g_autofree char *title = NULL;

  if (left > 0 && rl_review_state_get_reached (self->state))
    /* Translators: the reconnecting banner; %d is seconds */
    title = g_strdup_printf (ngettext ("Connection lost. Reconnecting in %d s…",
                                       "Connection lost. Reconnecting in %d s…", (gulong) left),
                             (int) left);
  else if (rl_review_state_get_reached (self->state))
    title = g_strdup (_("Connection lost. Reconnecting…"));
  else if (left > 0)
    /* Translators: the banner while the server was never reached (it was
     * not lost: it was not there); %d is seconds */
    title = g_strdup_printf (ngettext ("Can’t reach the server. Retrying in %d s…",
                                       "Can’t reach the server. Retrying in %d s…", (gulong) left),
                             (int) left);
  else
    title = g_strdup (_("Can’t reach the server. Retrying…"));
  rl_banner_set_title (self->reconnecting_banner, title);
}

static gboolean
countdown_tick (gpointer data)
{
  update_countdown (data);
  return G_SOURCE_CONTINUE;
}

static void
refresh_documents (RlWindow *self);

/* Retrying a server not reached yet: nothing was lost. */
#define LOOK_UNREACHED (RL_CONNECTION_UNTRUSTED + 1)

/* What each state shows: the connection button's icon and tooltip (why
 * nothing can be added meanwhile is the review state's). */
static const struct
{
  const char *icon;
  const char *tooltip;
} connection_looks[] = {
  [RL_CONNECTION_ONLINE] = {
    "network-wired-symbolic", N_("Connected") },
  [RL_CONNECTION_CONNECTING] = {
    "network-wired-acquiring-symbolic", N_("Connecting…") },
  [RL_CONNECTION_RECONNECTING] = {
    "network-wired-acquiring-symbolic", N_("Connection lost, reconnecting (click to retry now)") },
  [RL_CONNECTION_OFFLINE] = {
    "network-wired-offline-symbolic", N_("Offline (click to retry)") },
  [RL_CONNECTION_UNAUTHORIZED] = {
    "dialog-password-symbolic", N_("Signed out: the server refused the token") },
  [RL_CONNECTION_UNTRUSTED] = {
    "channel-insecure-symbolic", N_("Not connected: the server presented a different certificate (click to check again)") },
  [LOOK_UNREACHED] = {
    "network-wired-acquiring-symbolic", N_("Can’t reach the server, retrying (click to retry now)") },
};

static void
update_connection (RlWindow *self)
{
  RlConnection *connection = self->session ? rl_session_get_connection (self->session) : NULL;
  RlConnectionState state = connection ? rl_connection_get_state (connection) : RL_CONNECTION_OFFLINE;
  const char *tooltip;
  guint look = state;

  g_return_if_fail ((guint) state < G_N_ELEMENTS (connection_looks));
  /* The state hears of the connection first: it knows if it was reached. */
  if (state == RL_CONNECTION_RECONNECTING && !rl_review_state_get_reached (self->state))
    look = LOOK_UNREACHED;
  tooltip = _(connection_looks[look].tooltip);

  gtk_widget_set_visible (GTK_WIDGET (self->connection_button), connection != NULL);
  gtk_image_set_from_icon_name (self->connection_icon, connection_looks[look].icon);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->connection_button), tooltip);
  set_accessible_label (self->connection_button, tooltip);

  rl_banner_set_revealed (self->reconnecting_banner, connection && state == RL_CONNECTION_RECONNECTING);
  rl_banner_set_revealed (self->offline_banner, connection && state == RL_CONNECTION_OFFLINE);
  rl_banner_set_revealed (self->signed_out_banner, connection && state == RL_CONNECTION_UNAUTHORIZED);
  rl_banner_set_revealed (self->untrusted_banner, connection && state == RL_CONNECTION_UNTRUSTED);
  if (state == RL_CONNECTION_UNTRUSTED)
    {
      /* Translators: the banner when the server's certificate is not the
       * pinned one; %s is "host:port". Details… shows both fingerprints */
      g_autofree char *title = g_strdup_printf (_("Not connected: %s presented a different certificate from the one "
                                                  "this account trusts. Nothing was sent to it."),
                                                rl_session_get_host (self->session));

      rl_banner_set_title (self->untrusted_banner, title);
    }
  else if (self->untrusted_dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->untrusted_dialog));
  if (state == RL_CONNECTION_UNAUTHORIZED)
    /* "No longer" only for a token that once worked: an account kept in the
     * keyring, or one welcomed before (both name the user). */
    rl_banner_set_title (self->signed_out_banner,
                         rl_connection_get_user_id (connection) != NULL
                         ? _("You’re signed out: the server no longer accepts this account’s token.")
                         : _("You’re signed out: the server refused this account’s token."));

  if (state == RL_CONNECTION_RECONNECTING)
    {
      update_countdown (self);
      if (self->countdown_id == 0)
        self->countdown_id = g_timeout_add_seconds (1, countdown_tick, self);
    }
  else
    g_clear_handle_id (&self->countdown_id, g_source_remove);

  update_viewers (self);
  update_account_state (self);

  /* Back: what may have been uploaded meanwhile. */
  if (state == RL_CONNECTION_ONLINE && !self->was_online)
    refresh_documents (self);
  self->was_online = state == RL_CONNECTION_ONLINE;
}

static void
on_banner_retry (RlWindow *self)
{
  if (self->session)
    rl_connection_retry_now (rl_session_get_connection (self->session));
}

static void
on_untrusted_response (RlWindow   *self,
                       const char *response)
{
  if (g_str_equal (response, "check"))
    on_banner_retry (self);
}

/* Both fingerprints, to compare with what the team says, and a way to
 * check again from there. */
static void
on_untrusted_details (RlWindow *self)
{
  RlConnection *connection = self->session ? rl_session_get_connection (self->session) : NULL;
  const GError *error = connection ? rl_connection_get_last_error (connection) : NULL;
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWidget *dialog;

  if (error == NULL || self->untrusted_dialog != NULL)
    return;
  /* GTK keeps the toplevel once the builder is gone, until it is closed. */
  builder = gtk_builder_new_from_resource ("/io/github/redline/Redline/rl-untrusted-dialog.ui");
  dialog = GTK_WIDGET (gtk_builder_get_object (builder, "dialog"));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), error->message);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_untrusted_response), self, G_CONNECT_SWAPPED);
  self->untrusted_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->untrusted_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_sign_in_again (RlWindow *self)
{
  RlApplication *app = RL_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (app && self->session)
    rl_application_show_connect_dialog (app, GTK_WINDOW (self), rl_session_get_server_url (self->session),
                                        rl_session_get_fingerprint (self->session));
}

/* ---- documents ----------------------------------------------------------- */

static gboolean
find_document (RlWindow   *self,
               const char *doc_id,
               guint      *position)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->documents)); i++)
    {
      g_autoptr(RlDocItem) item = g_list_model_get_item (G_LIST_MODEL (self->documents), i);

      if (g_str_equal (rl_doc_item_get_id (item), doc_id))
        {
          if (position)
            *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
select_document (RlWindow   *self,
                 const char *doc_id)
{
  guint position;

  if (find_document (self, doc_id, &position))
    gtk_single_selection_set_selected (self->selection, position);
}

/* Shows docs in the sidebar; the open document stays open, and selected
 * when it is still listed. from_server: the server's list, not the one
 * kept from before. */
static void
show_documents (RlWindow   *self,
                GListModel *docs,
                gboolean    from_server)
{
  g_autofree char *open_id = self->doc ? g_strdup (rl_doc_item_get_id (self->doc)) : NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (docs);
  guint position;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (docs, i));
  g_signal_handlers_block_by_func (self->selection, on_selection_changed, self);
  g_list_store_splice (self->documents, 0, g_list_model_get_n_items (G_LIST_MODEL (self->documents)),
                       items->pdata, items->len);
  if (open_id == NULL || !find_document (self, open_id, &position))
    position = GTK_INVALID_LIST_POSITION;
  else if (self->store != NULL)
    {
      g_autoptr(RlDocItem) listed = g_list_model_get_item (G_LIST_MODEL (self->documents), position);

      /* A newer version listed is offered, as one announced live is. */
      rl_doc_store_note_document (self->store, rl_doc_item_get_document (listed));
    }
  gtk_single_selection_set_selected (self->selection, position);
  g_signal_handlers_unblock_by_func (self->selection, on_selection_changed, self);
  adw_status_page_set_icon_name (self->doc_list_status, "document-send-symbolic");
  adw_status_page_set_title (self->doc_list_status, _("No Documents"));
  adw_status_page_set_description (self->doc_list_status, _("Upload a mockup or drop files here."));
  gtk_stack_set_visible_child_name (self->doc_list_stack, n ? "list" : "empty");

  if (open_id == NULL)
    {
      if (self->pending_doc != NULL && find_document (self, self->pending_doc, NULL))
        select_document (self, self->pending_doc);
      else if (!self->listed_once && n > 0)
        gtk_single_selection_set_selected (self->selection, 0);   /* a first look at something */
    }
  else if (from_server && self->content_unreachable && position != GTK_INVALID_LIST_POSITION)
    {
      /* Its content could not be fetched while away: now it can. */
      g_autoptr(RlDocItem) item = g_list_model_get_item (G_LIST_MODEL (self->documents), position);

      open_document (self, item);
    }
  if (from_server)
    {
      g_clear_pointer (&self->pending_doc, g_free);
      self->listed_once = TRUE;
    }
}

static void
documents_listed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(RlWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) docs = rl_api_list_documents_finish (RL_API (source), result, &error);

  if (docs != NULL)
    {
      show_documents (self, docs, TRUE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* What is listed (the list kept from before, say) stays. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->documents)) > 0)
    return;
  if (g_error_matches (error, RL_CERTIFICATE_ERROR, RL_CERTIFICATE_ERROR_MISMATCH))
    {
      /* The banner says which server and has the details. */
      adw_status_page_set_icon_name (self->doc_list_status, "channel-insecure-symbolic");
      adw_status_page_set_title (self->doc_list_status, _("Not Connected"));
      adw_status_page_set_description (self->doc_list_status,
                                       _("The server’s certificate is not the one this account trusts, so nothing was sent to it."));
    }
  else if (g_error_matches (error, RL_ERROR, RL_ERROR_CONNECTION_LOST))
    {
      adw_status_page_set_icon_name (self->doc_list_status, "network-offline-symbolic");
      adw_status_page_set_title (self->doc_list_status, _("No Documents Kept Offline"));
      adw_status_page_set_description (self->doc_list_status,
                                       _("The server can’t be reached. Documents you open while connected stay available here when you’re offline."));
    }
  else
    {
      adw_status_page_set_title (self->doc_list_status, _("Could Not Load Documents"));
      adw_status_page_set_description (self->doc_list_status, error->message);
    }
  gtk_stack_set_visible_child_name (self->doc_list_stack, "empty");
}

static void
refresh_documents (RlWindow *self)
{
  if (self->session == NULL)
    return;
  /* Until the server answers, or if it can't: the list seen last time. */
  if (!self->listed_once && g_list_model_get_n_items (G_LIST_MODEL (self->documents)) == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GListModel) kept = rl_api_load_cached_documents (rl_session_get_api (self->session), &error);

      if (kept != NULL)
        show_documents (self, kept, FALSE);
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_debug ("no document list kept: %s", error->message);
    }
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();
  rl_api_list_documents (rl_session_get_api (self->session), self->list_cancellable,
                         documents_listed, g_object_ref (self));
}

static void
close_document (RlWindow *self)
{
  g_cancellable_cancel (self->content_cancellable);
  g_clear_object (&self->content_cancellable);
  if (self->store)
    {
      g_signal_handlers_disconnect_by_data (self->store, self);
      g_signal_handlers_disconnect_by_data (rl_doc_store_get_threads (self->store), self);
    }
  rl_retry_controller_set_store (self->retries, NULL, RL_DOC_KIND_IMAGE);
  rl_unread_controller_set_store (self->unread, NULL);
  update_unread_actions (self);
  /* The store first: the panel asks the page view where threads are. */
  rl_review_state_set_store (self->state, NULL, RL_DOC_KIND_IMAGE);
  rl_review_state_set_position_func (self->state, NULL, NULL, NULL);
  rl_image_view_set_texture (self->image_view, NULL);
  rl_page_view_set_page (self->page_view, NULL);
  rl_review_state_set_revision (self->state, 0);
  self->loading_revision = 0;
  g_clear_object (&self->store);
  g_clear_object (&self->doc);
  update_viewers (self);
  update_version (self);
}

/* Where the page view placed a thread: the panel lists pages in text order. */
static gboolean
page_position (const RlThread *thread,
               guint          *start,
               guint          *end,
               gpointer        data)
{
  RlWindow *self = data;

  return self->page_view != NULL && rl_page_view_get_thread_range (self->page_view, thread->id, start, end);
}

/* ---- versions --------------------------------------------------------------
 * The window shows one version of the open document (the state's revision,
 * 0 from a server without revisions). A newer one is offered in a banner,
 * never switched to under the reader, but for the one this window uploaded. */

/* Every version of the open document, newest first, in the header's
 * Versions menu: any of them is shown in place (an older one read-only). */
static void
update_versions_menu (RlWindow *self,
                      gint64    latest)
{
  g_autoptr(GMenu) menu = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->versions_button), self->doc != NULL && latest > 1);
  if (self->doc == NULL || latest < 2)
    return;
  menu = g_menu_new ();
  for (gint64 n = latest; n >= 1; n--)
    {
      g_autoptr(GMenuItem) item = NULL;
      g_autofree char *label = NULL;

      if (n == latest)
        /* Translators: the newest version of a document in the Versions menu; %lld is its number */
        label = g_strdup_printf (_("Version %lld (latest)"), (long long) n);
      else
        /* Translators: a version of a document in a list to choose from; %lld is its number */
        label = g_strdup_printf (_("Version %lld"), (long long) n);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "win.show-version", g_variant_new_int64 (n));
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (self->versions_button, G_MENU_MODEL (menu));
}

/* The version shown, in the header: "Version 3", who uploaded it and when. */
static void
update_version (RlWindow *self)
{
  gint64 shown = rl_review_state_get_revision (self->state);
  gint64 latest = self->store ? rl_doc_store_get_revision (self->store) : 0;
  const RlRevision *details = self->store ? rl_doc_store_get_latest_revision (self->store) : NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *banner = NULL;

  if (self->title == NULL)
    return;   /* disposed */
  if (shown > 0)
    {
      const RlDocument *doc = rl_doc_item_get_document (self->doc);
      g_autofree char *description = NULL;
      g_autofree char *when = NULL;
      const char *who = NULL;
      gint64 at = 0;

      /* Translators: the version of a document shown, e.g. "Version 3" */
      subtitle = g_strdup_printf (_("Version %lld"), (long long) shown);
      if (details != NULL && details->revision == shown)
        {
          who = details->created_by.name;
          at = details->created_at;
        }
      else if (doc != NULL && doc->revision == shown && shown == 1)
        {
          who = doc->created_by.name;
          at = doc->created_at;
        }
      if (who != NULL && at > 0)
        {
          g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (at / 1000);

          when = time ? g_date_time_format (time, "%x %X") : NULL;
        }
      if (who != NULL && when != NULL)
        /* Translators: who uploaded the version shown, and when */
        description = g_strdup_printf (_("Uploaded by %s on %s"), who, when);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->title), description);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->title), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      description ? description : subtitle, -1);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->title), NULL);
  adw_window_title_set_subtitle (self->title, subtitle ? subtitle : "");

  /* Offered while a newer one than shown (or on its way) is there. */
  if (shown > 0 && latest > MAX (shown, self->loading_revision))
    {
      /* Translators: a banner over the document; %lld is a version's number */
      banner = g_strdup_printf (_("Version %lld is available"), (long long) latest);
      rl_banner_set_title (self->version_banner, banner);
      rl_banner_set_revealed (self->version_banner, TRUE);
    }
  else
    rl_banner_set_revealed (self->version_banner, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.upload-version",
                                 self->doc != NULL && rl_doc_store_get_revision (self->store) > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-versions",
                                 self->doc != NULL && rl_doc_store_get_revision (self->store) > 1);
  update_versions_menu (self, latest);
}

typedef struct
{
  RlWindow *window;
  gint64    revision;   /* 0: the latest of a server without revisions */
  gboolean  in_place;   /* another version of the document shown */
} Load;

static void
load_free (Load *load)
{
  g_object_unref (load->window);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Load, load_free)

static Load *
load_new (RlWindow *self,
          gint64    revision,
          gboolean  in_place)
{
  Load *load = g_new0 (Load, 1);

  load->window = g_object_ref (self);
  load->revision = revision;
  load->in_place = in_place;
  return load;
}

/* Why the document could not be shown: the error page for a document
 * being opened, a toast for another version of the one shown. */
static void
show_load_error (RlWindow     *self,
                 Load         *load,
                 const GError *error)
{
  if (load->in_place)
    {
      g_autofree char *title = NULL;
      g_autoptr(AdwToast) toast = NULL;

      self->loading_revision = 0;
      /* Translators: %lld is a version's number, then %s why */
      title = g_strdup_printf (_("Version %lld could not be shown: %s"), (long long) load->revision,
                               rl_error_reason (error));
      toast = adw_toast_new (title);
      show_toast (self, toast);
      update_version (self);
      return;
    }
  if (g_error_matches (error, RL_ERROR, RL_ERROR_CONNECTION_LOST))
    {
      /* Opened again once the server lists the documents again. */
      self->content_unreachable = TRUE;
      adw_status_page_set_icon_name (self->error_page, "network-offline-symbolic");
      adw_status_page_set_title (self->error_page, _("Not Available Offline"));
      adw_status_page_set_description (self->error_page,
                                       _("The server can’t be reached, and this document was not opened here before. It opens when the connection is back."));
    }
  else
    adw_status_page_set_description (self->error_page, error->message);
  gtk_stack_set_visible_child_name (self->doc_stack, "error");
}

/* Whether what came back is for the document and version still wanted;
 * stops the spinner when it is. */
static gboolean
load_still_wanted (Load         *load,
                   const GError *error)
{
  RlWindow *self = load->window;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  gtk_spinner_stop (self->spinner);
  return self->doc != NULL && self->page_view != NULL;   /* else closed meanwhile */
}

/* The version is shown from now on: the views place threads on it. */
static void
set_shown_revision (RlWindow *self,
                    gint64    revision)
{
  self->loading_revision = 0;
  rl_review_state_set_revision (self->state, revision);
  update_version (self);
}

static void
show_page (RlWindow   *self,
           Load       *load,
           RlPageText *text);

/* A page's text (NULL: error says why) for load, shown if still wanted. */
static void
page_loaded (Load         *load,
             RlPageText   *text,
             const GError *error)
{
  if (!load_still_wanted (load, error))
    return;
  if (text == NULL)
    show_load_error (load->window, load, error);
  else
    show_page (load->window, load, text);
}

static void
show_page (RlWindow   *self,
           Load       *load,
           RlPageText *text)
{
  set_shown_revision (self, load->revision);
  rl_page_view_set_page (self->page_view, text);
  /* The state's store once the text is in, so every thread is placed (or
   * known to be orphaned) when the panel makes the rows. */
  rl_review_state_set_position_func (self->state, page_position, self, NULL);
  rl_review_state_set_store (self->state, self->store, RL_DOC_KIND_PAGE);
  gtk_stack_set_visible_child_name (self->doc_stack, "page");
}

/* A server without a page's text model (a v1 server), or none reachable:
 * its file as plain text, never parsed here, so no anchor can count
 * otherwise than the server's. */
static void
plain_page_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(Load) load = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rl_api_get_content_finish (RL_API (source), result, &error);
  g_autoptr(RlPageText) text = NULL;

  if (bytes != NULL)
    {
      gsize length;
      const char *contents = g_bytes_get_data (bytes, &length);

      text = rl_page_text_new_plain (contents ? contents : "", length, &error);
    }
  page_loaded (load, text, error);
}

static void
page_text_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(Load) load = data;
  RlWindow *self = load->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlPageText) text = rl_api_get_page_text_finish (RL_API (source), result, &error);

  /* No text model: a server without revisions (offline, the one kept
   * answers, or nothing: never the file, whose text anchors do not count in). */
  if (text == NULL && !load->in_place && g_error_matches (error, RL_ERROR, RL_ERROR_NOT_FOUND))
    {
      g_debug ("no text model of %s: %s", rl_doc_item_get_id (self->doc), error->message);
      rl_api_get_content (RL_API (source), rl_doc_item_get_id (self->doc), self->content_cancellable,
                          plain_page_loaded, g_steal_pointer (&load));
      return;
    }
  page_loaded (load, text, error);
}

static void
image_loaded (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(Load) load = data;
  RlWindow *self = load->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  if (g_async_result_is_tagged (result, rl_api_get_revision_content))
    bytes = rl_api_get_revision_content_finish (RL_API (source), result, &error);
  else
    bytes = rl_api_get_content_finish (RL_API (source), result, &error);
  if (!load_still_wanted (load, error))
    return;
  if (bytes != NULL)
    texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    {
      show_load_error (self, load, error);
      return;
    }
  set_shown_revision (self, load->revision);
  rl_image_view_set_texture (self->image_view, texture);
  gtk_stack_set_visible_child_name (self->doc_stack, "image");
}

/* Fetches the version revision of the open document (0: its content, on
 * a server without revisions) and shows it. */
static void
load_revision (RlWindow *self,
               gint64    revision,
               gboolean  in_place)
{
  RlApi *api = rl_session_get_api (self->session);
  const char *id = rl_doc_item_get_id (self->doc);
  Load *load = load_new (self, revision, in_place);

  g_cancellable_cancel (self->content_cancellable);
  g_clear_object (&self->content_cancellable);
  self->content_cancellable = g_cancellable_new ();
  if (in_place)
    {
      self->loading_revision = revision;
      update_version (self);
    }
  if (rl_doc_item_get_kind (self->doc) == RL_DOC_KIND_PAGE && revision > 0)
    rl_api_get_page_text (api, id, revision, self->content_cancellable, page_text_loaded, load);
  else if (rl_doc_item_get_kind (self->doc) == RL_DOC_KIND_PAGE)
    rl_api_get_content (api, id, self->content_cancellable, plain_page_loaded, load);
  else if (revision > 0)
    rl_api_get_revision_content (api, id, revision, self->content_cancellable, image_loaded, load);
  else
    rl_api_get_content (api, id, self->content_cancellable, image_loaded, load);
}

/* The banner's Show: the newest version, in place; the selection stays. */
static void
on_show_latest (RlWindow *self)
{
  if (self->store != NULL && rl_doc_store_get_revision (self->store) > rl_review_state_get_revision (self->state))
    load_revision (self, rl_doc_store_get_revision (self->store), TRUE);
}

static void
on_revision_added (RlDocStore       *store,
                   const RlRevision *revision,
                   const char       *broadcast_id,
                   RlWindow         *self)
{
  /* The one this window uploaded: shown at once. */
  if (broadcast_id != NULL && g_strcmp0 (broadcast_id, self->version_broadcast_id) == 0)
    load_revision (self, revision->revision, TRUE);
  else
    update_version (self);
}

/* This window's new version is in: shown at once (its event may come
 * before or after). */
static void
on_version_uploaded (RlWindow         *self,
                     const char       *doc_id,
                     const RlRevision *revision,
                     RlSession        *session)
{
  g_autofree char *title = NULL;
  g_autoptr(AdwToast) toast = NULL;

  /* Translators: %lld is a version's number */
  title = g_strdup_printf (_("Version %lld uploaded"), (long long) revision->revision);
  toast = adw_toast_new (title);
  show_toast (self, toast);
  if (session != self->session || self->doc == NULL || g_strcmp0 (rl_doc_item_get_id (self->doc), doc_id) != 0)
    return;
  rl_doc_store_note_revision (self->store, revision);
  if (rl_review_state_get_revision (self->state) < revision->revision &&
      self->loading_revision < revision->revision)
    load_revision (self, revision->revision, TRUE);
}

/* The version after the latest, as the upload will number it. */
static gint64
next_revision (RlWindow *self)
{
  return rl_doc_store_get_revision (self->store) + 1;
}

static void
new_version_broadcast_id (RlWindow *self)
{
  g_free (self->version_broadcast_id);
  self->version_broadcast_id = rl_uuid_new ();
}

static void
upload_version_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  RlWindow *self = RL_WINDOW (widget);

  if (self->doc == NULL || self->session == NULL)
    return;
  new_version_broadcast_id (self);
  rl_upload_controller_choose_version (self->uploads, GTK_WINDOW (self), rl_doc_item_get_document (self->doc),
                                       self->version_broadcast_id);
}

static void load_revision (RlWindow *self,
                           gint64    revision,
                           gboolean  in_place);

/* Shows version n of the open document in place (an older one read-only;
 * the selection stays). */
static void
show_version_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RlWindow *self = RL_WINDOW (widget);
  gint64 n = g_variant_get_int64 (parameter);

  if (self->doc == NULL || self->store == NULL || n < 1 || n > rl_doc_store_get_revision (self->store) ||
      n == rl_review_state_get_revision (self->state))
    return;
  load_revision (self, n, TRUE);
}

static void
compare_versions_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  RlWindow *self = RL_WINDOW (widget);
  gint64 latest;
  RlCompareWindow *compare;

  if (self->doc == NULL || self->session == NULL || self->store == NULL)
    return;
  latest = rl_doc_store_get_revision (self->store);
  if (latest < 2)
    return;
  compare = rl_compare_window_new (GTK_WINDOW (self), rl_session_get_api (self->session), self->store,
                                   rl_doc_item_get_document (self->doc), latest);
  gtk_window_present (GTK_WINDOW (compare));
}

typedef struct
{
  RlWindow  *window;
  GFile     *file;
  RlDocItem *doc;
} DroppedVersion;

static void
dropped_version_free (gpointer  data,
                      GClosure *closure)
{
  DroppedVersion *dropped = data;

  g_object_unref (dropped->window);
  g_object_unref (dropped->file);
  g_object_unref (dropped->doc);
  g_free (dropped);
}

static void
drop_response (AdwMessageDialog *dialog,
               const char       *response,
               DroppedVersion   *dropped)
{
  RlWindow *self = dropped->window;

  /* Still the document it was dropped on. */
  if (g_str_equal (response, "upload") && self->doc == dropped->doc)
    {
      new_version_broadcast_id (self);
      rl_upload_controller_upload_version (self->uploads, dropped->file, rl_doc_item_get_document (self->doc),
                                           self->version_broadcast_id);
    }
}

/* Asks before a dropped file, checked, becomes the open document's next
 * version. */
static void
ask_version (RlWindow *self,
             GFile    *file)
{
  g_autofree char *name = NULL;
  g_autofree char *heading = NULL;
  DroppedVersion *dropped;
  GtkWidget *dialog;

  name = g_file_get_basename (file);
  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    {
      g_free (name);
      name = g_file_get_parse_name (file);
    }
  /* Translators: a question before a dropped file is uploaded; the first %s
   * is the file's name, then the version's number, then the document's title */
  heading = g_strdup_printf (_("Upload “%s” as version %lld of “%s”?"), name,
                             (long long) next_revision (self), rl_doc_item_get_title (self->doc));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Everyone who has the document open is offered the new version; its threads are carried over."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "upload", _("_Upload"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "upload", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "upload");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  dropped = g_new0 (DroppedVersion, 1);
  dropped->window = g_object_ref (self);
  dropped->file = g_object_ref (file);
  dropped->doc = g_object_ref (self->doc);
  g_signal_connect_data (dialog, "response", G_CALLBACK (drop_response), dropped,
                         dropped_version_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
version_file_checked (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  DroppedVersion *dropped = user_data;
  RlWindow *self = dropped->window;
  g_autoptr(GError) error = NULL;

  if (!rl_api_check_revision_file_finish (RL_API (source), result, &error))
    {
      /* Said at once, before anyone is asked: nothing was sent. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->toasts != NULL)
        {
          /* A toast's title is markup; a file's name can hold "&" or "<". */
          g_autofree char *title = g_markup_escape_text (error->message, -1);
          g_autoptr(AdwToast) toast = adw_toast_new (title);

          adw_toast_set_timeout (toast, 10);
          adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
          show_toast (self, toast);
        }
    }
  /* Still the document it was dropped on. */
  else if (self->doc == dropped->doc && self->toasts != NULL)
    ask_version (self, dropped->file);
  dropped_version_free (dropped, NULL);
}

/* Checks a dropped file as an upload would (its kind, its bytes, its size)
 * and, when it can be the open document's next version, asks before it
 * becomes one; when it cannot, says why at once and asks nothing. */
void
rl_window_offer_version (RlWindow *self,
                         GFile    *file)
{
  DroppedVersion *dropped;

  g_return_if_fail (RL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->doc == NULL || self->store == NULL || self->session == NULL)
    return;
  dropped = g_new0 (DroppedVersion, 1);
  dropped->window = g_object_ref (self);
  dropped->file = g_object_ref (file);
  dropped->doc = g_object_ref (self->doc);
  rl_api_check_revision_file (rl_session_get_api (self->session), rl_doc_item_get_id (self->doc),
                              rl_doc_item_get_kind (self->doc), file, NULL, version_file_checked, dropped);
}

/* Only on a document that has versions (a server that numbers them). */
static GdkDragAction
on_version_drop_enter (GtkDropTarget *target,
                       double         x,
                       double         y,
                       RlWindow      *self)
{
  return self->store != NULL && rl_doc_store_get_revision (self->store) > 0 ? GDK_ACTION_COPY : 0;
}

static gboolean
on_version_drop_accept (GtkDropTarget *target,
                        GdkDrop       *drop,
                        RlWindow      *self)
{
  return self->session != NULL && self->store != NULL && rl_doc_store_get_revision (self->store) > 0 &&
         (gdk_drop_get_actions (drop) & GDK_ACTION_COPY) != 0 &&
         gdk_content_formats_contain_gtype (gdk_drop_get_formats (drop), G_TYPE_FILE);
}

static gboolean
on_version_drop (GtkDropTarget *target,
                 const GValue  *value,
                 double         x,
                 double         y,
                 RlWindow      *self)
{
  GFile *file = g_value_get_object (value);

  if (file == NULL || self->doc == NULL)
    return FALSE;
  rl_window_offer_version (self, file);
  return TRUE;
}

static void
open_document (RlWindow  *self,
               RlDocItem *item)
{
  RlConnection *connection;

  if (self->session == NULL || self->image_view == NULL)
    return;
  if (item == NULL)
    {
      item = gtk_single_selection_get_selected_item (self->selection);
      if (item == NULL || item == self->doc)
        return;
    }
  /* item may be the document open now: held while that one closes. */
  g_object_ref (item);
  close_document (self);
  self->doc = item;
  self->content_unreachable = FALSE;
  adw_status_page_set_icon_name (self->error_page, "dialog-error-symbolic");
  adw_status_page_set_title (self->error_page, _("Could Not Open the Document"));
  adw_window_title_set_title (self->title, rl_doc_item_get_title (item));
  gtk_window_set_title (GTK_WINDOW (self), rl_doc_item_get_title (item));

  connection = rl_session_get_connection (self->session);
  self->store = rl_doc_store_get (connection, rl_doc_item_get_id (item), rl_doc_item_get_kind (item));
  g_signal_connect_swapped (self->store, "notify::viewer-count", G_CALLBACK (update_viewers), self);
  g_signal_connect (self->store, "resynced", G_CALLBACK (on_resynced), self);
  g_signal_connect_swapped (self->store, "notify::revision", G_CALLBACK (update_version), self);
  g_signal_connect (self->store, "revision-added", G_CALLBACK (on_revision_added), self);
  rl_doc_store_note_document (self->store, rl_doc_item_get_document (item));
  rl_retry_controller_set_store (self->retries, self->store, rl_doc_item_get_kind (item));
  rl_unread_controller_set_store (self->unread, self->store);
  update_viewers (self);

  /* A page's threads are listed once its text places them (show_page). */
  if (rl_doc_item_get_kind (item) == RL_DOC_KIND_IMAGE)
    rl_review_state_set_store (self->state, self->store, RL_DOC_KIND_IMAGE);
  gtk_stack_set_visible_child_name (self->doc_stack, "loading");
  gtk_spinner_start (self->spinner);
  /* The version the list named: the latest when it was listed. */
  load_revision (self, rl_doc_item_get_document (item)->revision, FALSE);
}

static void
on_selection_changed (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      RlWindow           *self)
{
  open_document (self, NULL);
  /* Picked in the sidebar shown over the folded window: it makes way. */
  if (self->folded)
    adw_flap_set_reveal_flap (self->flap, FALSE);
}

/* Enter on a row the focus reached without selecting it (Ctrl+arrows). */
static void
on_doc_activated (GtkListView *list,
                  guint        position,
                  RlWindow    *self)
{
  gtk_single_selection_set_selected (self->selection, position);
}

static void
setup_doc_row (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item)
{
  gtk_list_item_set_child (list_item, rl_doc_row_new ());
}

static void
bind_doc_row (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              RlWindow                 *self)
{
  rl_doc_row_bind (RL_DOC_ROW (gtk_list_item_get_child (list_item)), gtk_list_item_get_item (list_item),
                   self->feed);
}

static void
unbind_doc_row (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item)
{
  rl_doc_row_bind (RL_DOC_ROW (gtk_list_item_get_child (list_item)), NULL, NULL);
}

/* ---- unread ---------------------------------------------------------------- */

static void
update_unread_actions (RlWindow *self)
{
  gboolean unread = rl_unread_controller_has_unread (self->unread);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.mark-all-read", unread);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-unread", unread);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous-unread", unread);
}

/* What the open document's store knows is unread and the list shows
 * differ (comments that were no activity of the user's, say): the list
 * asks the server again. */
static void
on_open_unread_changed (RlWindow *self)
{
  RlUnreadCounts listed, open;

  update_unread_actions (self);
  if (self->feed == NULL || self->store == NULL || rl_activity_feed_get_aseq (self->feed) < 0)
    return;
  rl_activity_feed_get_unread (self->feed, rl_doc_item_get_id (self->doc), &listed);
  rl_doc_store_get_unread (self->store, &open);
  if (listed.threads != open.threads || listed.comments != open.comments || listed.mentions != open.mentions)
    rl_activity_feed_refresh_unread (self->feed, rl_doc_item_get_id (self->doc));
}

static void
unread_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RlWindow *self = RL_WINDOW (widget);

  if (g_str_equal (action_name, "win.mark-all-read"))
    rl_unread_controller_mark_all_read (self->unread);
  else
    rl_unread_controller_go_to_unread (self->unread, g_str_equal (action_name, "win.next-unread"));
}

/* ---- upload -------------------------------------------------------------- */

static void
on_uploaded (RlWindow  *self,
             RlDocItem *item,
             RlSession *session)
{
  g_autofree char *title = g_strdup_printf (_("Uploaded “%s”"), rl_doc_item_get_title (item));
  g_autoptr(AdwToast) toast = adw_toast_new (title);

  show_toast (self, toast);
  /* The window may show another account by now. */
  if (session == self->session)
    {
      g_list_store_append (self->documents, item);
      gtk_stack_set_visible_child_name (self->doc_list_stack, "list");
      select_document (self, rl_doc_item_get_id (item));
      refresh_documents (self);
    }
}

void
rl_window_upload_files (RlWindow   *self,
                        GListModel *files)
{
  g_return_if_fail (RL_IS_WINDOW (self));

  if (self->session == NULL)
    return;
  rl_upload_controller_upload_files (self->uploads, files);
}

static void
upload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RlWindow *self = RL_WINDOW (widget);

  rl_upload_controller_choose_files (self->uploads, GTK_WINDOW (self));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         RlWindow      *self)
{
  GSList *files = g_value_get_boxed (value);
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_FILE);

  if (self->session == NULL)
    return FALSE;
  for (GSList *l = files; l; l = l->next)
    g_list_store_append (store, l->data);
  rl_window_upload_files (self, G_LIST_MODEL (store));
  return TRUE;
}

/* ---- actions ------------------------------------------------------------- */

static void
retry_now_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  on_banner_retry (RL_WINDOW (widget));
}

static void
retry_change_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RlWindow *self = RL_WINDOW (widget);
  g_autoptr(RlRetry) retry = rl_retry_controller_take (self->retries, g_variant_get_uint32 (parameter));

  if (retry == NULL)
    return;
  if (self->doc == NULL || !g_str_equal (rl_doc_item_get_id (self->doc), retry->doc_id))
    select_document (self, retry->doc_id);
  if (self->doc != NULL && g_str_equal (rl_doc_item_get_id (self->doc), retry->doc_id))
    {
      if (retry->type == RL_REQUEST_CREATE_THREAD && retry->kind == RL_DOC_KIND_PAGE)
        rl_page_view_open_composer (self->page_view, retry->start, retry->end, retry->text);
      else if (retry->type == RL_REQUEST_CREATE_THREAD)
        rl_image_view_open_composer (self->image_view, retry->x, retry->y, retry->text);
      else
        {
          adw_flap_set_reveal_flap (self->threads_flap, TRUE);
          rl_thread_panel_restore_reply (self->panel, retry->thread_id, retry->text, retry->mentions);
        }
    }
}

/* Ctrl +/−/0/1 anywhere in the window (rl-application.c binds them) do
 * what the image's zoom controls do; enabled while the image is shown. */
static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RlWindow *self = RL_WINDOW (widget);
  g_autofree char *image_action = g_strconcat ("image.", action_name + strlen ("win."), NULL);

  /* "win.zoom-in" → "image.zoom-in" */
  if (self->image_view != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->image_view), image_action, NULL);
}

static void
update_zoom_actions (RlWindow *self)
{
  static const char *const actions[] = { "win.zoom-in", "win.zoom-out", "win.zoom-fit", "win.zoom-original" };
  gboolean shown = self->image_view != NULL && gtk_widget_get_mapped (GTK_WIDGET (self->image_view));

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i], shown);
}

/* win.account: its state is the key of the window's account, so the
 * accounts section of the main menu shows it checked; a new state (a
 * click on another account) switches to that account. */
static void
on_account_change_state (GSimpleAction *action,
                         GVariant      *value,
                         RlWindow      *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  RlSession *session = NULL;

  if (app != NULL && RL_IS_APPLICATION (app))
    session = rl_application_find_session (RL_APPLICATION (app), g_variant_get_string (value, NULL));
  if (session != NULL)
    rl_window_set_session (self, session);
}

static void
update_account_state (RlWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "account");
  g_autofree char *key = self->session ? rl_session_dup_key (self->session) : g_strdup ("");
  g_autoptr(GVariant) state = action ? g_action_get_state (action) : NULL;

  if (state != NULL && !g_str_equal (g_variant_get_string (state, NULL), key))
    g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_string (key));
}

/* The application is set after construction: its accounts join the menu
 * then. */
static void
on_application_changed (RlWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (self->accounts_section == NULL)
    return;
  g_menu_remove_all (self->accounts_section);
  if (app != NULL && RL_IS_APPLICATION (app))
    g_menu_append_section (self->accounts_section, NULL,
                           rl_application_get_accounts_menu (RL_APPLICATION (app)));
}

/* ---- notifications ------------------------------------------------------- */

/* The open document's entry in muted-documents, or NULL: none open. */
static char *
mute_entry (RlWindow *self)
{
  g_autofree char *key = NULL;

  if (self->session == NULL || self->doc == NULL)
    return NULL;
  key = rl_session_dup_key (self->session);
  return rl_notifier_mute_entry (key, rl_doc_item_get_id (self->doc));
}

/* win.mute-notifications says whether the open document is muted. */
static void
update_mute_action (RlWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "mute-notifications");
  g_autofree char *entry = mute_entry (self);
  g_auto(GStrv) muted = NULL;
  gboolean on = FALSE;

  if (action == NULL)
    return;
  if (entry != NULL && self->settings != NULL)
    {
      muted = g_settings_get_strv (self->settings, "muted-documents");
      on = g_strv_contains ((const char *const *) muted, entry);
    }
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), entry != NULL && self->settings != NULL);
  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (on));
}

/* Kept in the settings, which every window and Preferences follow: the
 * entry, and the title Preferences names it by (muted-document-titles). */
static void
on_mute_change_state (GSimpleAction *action,
                      GVariant      *value,
                      RlWindow      *self)
{
  g_autofree char *entry = mute_entry (self);
  gboolean mute = g_variant_get_boolean (value);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GVariant) titles = NULL;
  g_auto(GStrv) muted = NULL;
  g_auto(GStrv) next = NULL;
  GVariantBuilder next_titles;
  GVariantIter iter;
  const char *key;
  const char *title;

  if (entry == NULL || self->settings == NULL)
    return;
  muted = g_settings_get_strv (self->settings, "muted-documents");
  for (guint i = 0; muted[i] != NULL; i++)
    if (!g_str_equal (muted[i], entry))
      g_strv_builder_add (builder, muted[i]);
  if (mute)
    g_strv_builder_add (builder, entry);
  next = g_strv_builder_end (builder);

  titles = g_settings_get_value (self->settings, "muted-document-titles");
  g_variant_builder_init (&next_titles, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, titles);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &title))
    if (!g_str_equal (key, entry))
      g_variant_builder_add (&next_titles, "{ss}", key, title);
  if (mute)
    g_variant_builder_add (&next_titles, "{ss}", entry, rl_doc_item_get_title (self->doc));

  g_settings_delay (self->settings);
  g_settings_set_strv (self->settings, "muted-documents", (const char *const *) next);
  g_settings_set_value (self->settings, "muted-document-titles", g_variant_builder_end (&next_titles));
  g_settings_apply (self->settings);
}

static gboolean
lists_thread (RlWindow   *self,
              const char *thread_id)
{
  GListModel *threads = rl_review_state_get_threads (self->state);

  for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);

      if (g_str_equal (rl_thread_item_get_thread (item)->id, thread_id))
        return TRUE;
    }
  return FALSE;
}

/* The thread asked for, once its document is shown and lists it: selected
 * (the panel scrolls to it) and brought into view. */
static void
select_wanted_thread (RlWindow *self)
{
  g_autofree char *thread = NULL;
  const char *page;

  if (self->wanted_thread == NULL || self->doc == NULL ||
      !g_str_equal (rl_doc_item_get_id (self->doc), self->wanted_doc))
    return;
  page = rl_doc_item_get_kind (self->doc) == RL_DOC_KIND_PAGE ? "page" : "image";
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->doc_stack), page) != 0 ||
      rl_review_state_get_store (self->state) != self->store || !lists_thread (self, self->wanted_thread))
    return;
  thread = g_steal_pointer (&self->wanted_thread);
  g_clear_pointer (&self->wanted_doc, g_free);
  rl_review_state_set_selected_thread (self->state, thread);
  if (rl_doc_item_get_kind (self->doc) == RL_DOC_KIND_PAGE)
    reveal_in_page (self, thread);
  else
    rl_image_view_reveal_thread (self->image_view, thread);
}

static void
setup_notifications (RlWindow *self)
{
  g_autoptr(GSimpleAction) mute = g_simple_action_new_stateful ("mute-notifications", NULL,
                                                                 g_variant_new_boolean (FALSE));

  g_signal_connect (mute, "change-state", G_CALLBACK (on_mute_change_state), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (mute));
  if (self->settings != NULL)
    g_signal_connect_swapped (self->settings, "changed::muted-documents", G_CALLBACK (update_mute_action), self);
  g_signal_connect_object (self->state, "notify::store", G_CALLBACK (update_mute_action), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->state, "notify::store", G_CALLBACK (select_wanted_thread), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (rl_review_state_get_threads (self->state), "items-changed",
                           G_CALLBACK (select_wanted_thread), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc_stack, "notify::visible-child-name", G_CALLBACK (select_wanted_thread), self,
                           G_CONNECT_SWAPPED);
  update_mute_action (self);
}

/* ---- folding ------------------------------------------------------------- */

/* What the wide window shows is the user's choice, and kept (the threads
 * panel's in panel-visible); a panel shown over the folded window is not. */
static void
on_sidebar_revealed (RlWindow *self)
{
  if (!self->folded)
    self->sidebar_wanted = adw_flap_get_reveal_flap (self->flap);
}

static void
on_threads_revealed (RlWindow *self)
{
  gboolean revealed = adw_flap_get_reveal_flap (self->threads_flap);

  if (self->folded)
    return;
  self->threads_wanted = revealed;
  if (self->settings != NULL && g_settings_get_boolean (self->settings, "panel-visible") != revealed)
    g_settings_set_boolean (self->settings, "panel-visible", revealed);
}

/* Changed in another window, or elsewhere (dconf). */
static void
on_panel_visible_changed (RlWindow *self)
{
  self->threads_wanted = g_settings_get_boolean (self->settings, "panel-visible");
  if (!self->folded)
    adw_flap_set_reveal_flap (self->threads_flap, self->threads_wanted);
}

/* Below RL_WINDOW_FOLD_WIDTH both panels fold (libadwaita 1.2 has no
 * breakpoints; one width for both, so they never fight over the room):
 * hidden, the document takes the width, and the header's toggles (F9,
 * Shift+F9) show them over it. Wide again, they are back as they were.
 * Wide, the flaps fold "auto" rather than "never": they then ask only
 * for their folded minimum width, so the window can be made narrow (an
 * unfolded flap's minimum is its panel's and its content's together);
 * at 900 px and more the document's small minimum keeps them unfolded. */
static void
set_folded (RlWindow *self,
            gboolean  folded)
{
  AdwFlapFoldPolicy policy = folded ? ADW_FLAP_FOLD_POLICY_ALWAYS : ADW_FLAP_FOLD_POLICY_AUTO;

  if (self->folded == folded)
    return;
  /* First, so that hiding them here is not taken for the user's choice. */
  self->folded = folded;
  adw_flap_set_fold_policy (self->flap, policy);
  adw_flap_set_fold_policy (self->threads_flap, policy);
  adw_flap_set_reveal_flap (self->flap, !folded && self->sidebar_wanted);
  adw_flap_set_reveal_flap (self->threads_flap, !folded && self->threads_wanted);
}

/* A window that opens narrow is folded before it is shown: no panels
 * sliding away in its first frames. */
static void
on_default_width (RlWindow *self)
{
  int width, height;

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0)
    set_folded (self, width < RL_WINDOW_FOLD_WIDTH);
}

static void
rl_window_size_allocate (GtkWidget *widget,
                         int        width,
                         int        height,
                         int        baseline)
{
  set_folded (RL_WINDOW (widget), width < RL_WINDOW_FOLD_WIDTH);
  GTK_WIDGET_CLASS (rl_window_parent_class)->size_allocate (widget, width, height, baseline);
}

/* ---- window -------------------------------------------------------------- */

/* The template's closure: the header's toggles are there with an account. */
static gboolean
has_session (gpointer   widget,
             RlSession *session)
{
  return session != NULL;
}

static void
reveal_in_page (RlWindow   *self,
                const char *thread_id)
{
  if (self->doc != NULL && rl_doc_item_get_kind (self->doc) == RL_DOC_KIND_PAGE)
    rl_page_view_reveal_thread (self->page_view, thread_id);
}

/* The size the window was given or resized to (GTK keeps default-width
 * and -height so while it is not maximized) and whether it is maximized:
 * the next window starts so. */
static void
restore_state (RlWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");

  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_state (RlWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
rl_window_close_request (GtkWindow *window)
{
  RlWindow *self = RL_WINDOW (window);

  if (self->settings != NULL)
    save_state (self);
  return GTK_WINDOW_CLASS (rl_window_parent_class)->close_request (window);
}

static void
rl_window_constructed (GObject *object)
{
  RlWindow *self = RL_WINDOW (object);

  G_OBJECT_CLASS (rl_window_parent_class)->constructed (object);
  /* After the construct properties, which include maximized. */
  if (self->settings != NULL)
    restore_state (self);
}

static void
rl_window_dispose (GObject *object)
{
  RlWindow *self = RL_WINDOW (object);

  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  /* What is still on its way ends without the window's widgets. */
  if (self->uploads != NULL)
    rl_upload_controller_stop (self->uploads);
  if (self->image_view)
    close_document (self);
  if (self->unread != NULL)
    g_signal_handlers_disconnect_by_data (self->unread, self);
  g_clear_object (&self->unread);
  g_clear_object (&self->feed);
  if (self->session)
    g_signal_handlers_disconnect_by_data (rl_session_get_connection (self->session), self);
  g_clear_object (&self->session);
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  g_clear_object (&self->last_toast);
  if (self->untrusted_dialog != NULL)
    {
      GtkWidget *dialog = self->untrusted_dialog;

      g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->untrusted_dialog);
      self->untrusted_dialog = NULL;
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
  /* The bindings end with the window: its view can outlive it a moment
   * (its hide-resolved action holds it), and must not follow them then. */
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->settings != NULL && self->state != NULL)
    g_settings_unbind (self->state, "hide-resolved");
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), RL_TYPE_WINDOW);
  G_OBJECT_CLASS (rl_window_parent_class)->dispose (object);
}

static void
rl_window_finalize (GObject *object)
{
  RlWindow *self = RL_WINDOW (object);

  g_clear_object (&self->documents);
  g_clear_object (&self->selection);
  g_free (self->pending_doc);
  g_free (self->version_broadcast_id);
  g_free (self->wanted_doc);
  g_free (self->wanted_thread);
  G_OBJECT_CLASS (rl_window_parent_class)->finalize (object);
}

static void
rl_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RlWindow *self = RL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  RlWindow *self = RL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      rl_window_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_window_class_init (RlWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = rl_window_constructed;
  object_class->dispose = rl_window_dispose;
  object_class->finalize = rl_window_finalize;
  object_class->get_property = rl_window_get_property;
  object_class->set_property = rl_window_set_property;
  widget_class->size_allocate = rl_window_size_allocate;
  window_class->close_request = rl_window_close_request;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, RL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (RL_TYPE_ACTIVITY_BUTTON);
  g_type_ensure (RL_TYPE_REVIEW_STATE);
  g_type_ensure (RL_TYPE_IMAGE_VIEW);
  g_type_ensure (RL_TYPE_PAGE_VIEW);
  g_type_ensure (RL_TYPE_THREAD_PANEL);
  g_type_ensure (RL_TYPE_BANNER);
  g_type_ensure (RL_TYPE_UPLOAD_CONTROLLER);
  g_type_ensure (RL_TYPE_RETRY_CONTROLLER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RlWindow, state);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, image_view);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, page_view);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, panel);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, reconnecting_banner);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, offline_banner);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, signed_out_banner);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, untrusted_banner);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, version_banner);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, unread_banner);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, uploads);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, retries);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, title);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, threads_button);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, hide_resolved_button);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, versions_button);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, viewers_button);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, viewers_label);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, viewers_names);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, connection_button);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, connection_icon);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, doc_list_stack);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, doc_list_status);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, doc_list);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, doc_stack);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, threads_flap);
  gtk_widget_class_bind_template_child (widget_class, RlWindow, accounts_section);
  gtk_widget_class_bind_template_callback (widget_class, has_session);
  gtk_widget_class_bind_template_callback (widget_class, show_toast);
  gtk_widget_class_bind_template_callback (widget_class, on_uploaded);
  gtk_widget_class_bind_template_callback (widget_class, on_version_uploaded);
  gtk_widget_class_bind_template_callback (widget_class, on_show_latest);
  gtk_widget_class_bind_template_callback (widget_class, on_doc_activated);
  gtk_widget_class_bind_template_callback (widget_class, setup_doc_row);
  gtk_widget_class_bind_template_callback (widget_class, bind_doc_row);
  gtk_widget_class_bind_template_callback (widget_class, unbind_doc_row);
  gtk_widget_class_bind_template_callback (widget_class, update_zoom_actions);
  gtk_widget_class_bind_template_callback (widget_class, reveal_in_page);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_retry);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_again);
  gtk_widget_class_bind_template_callback (widget_class, on_untrusted_details);
  gtk_widget_class_bind_template_callback (widget_class, rl_image_view_reveal_thread);
  gtk_widget_class_bind_template_callback (widget_class, rl_thread_panel_focus_reply);
  gtk_widget_class_bind_template_callback (widget_class, rl_review_state_positions_changed);

  gtk_widget_class_install_action (widget_class, "win.upload", NULL, upload_action);
  gtk_widget_class_install_action (widget_class, "win.upload-version", NULL, upload_version_action);
  gtk_widget_class_install_action (widget_class, "win.compare-versions", NULL, compare_versions_action);
  gtk_widget_class_install_action (widget_class, "win.show-version", "x", show_version_action);
  gtk_widget_class_install_action (widget_class, "win.retry-now", NULL, retry_now_action);
  gtk_widget_class_install_action (widget_class, "win.retry-change", "u", retry_change_action);
  gtk_widget_class_install_action (widget_class, "win.mark-all-read", NULL, unread_action);
  gtk_widget_class_install_action (widget_class, "win.next-unread", NULL, unread_action);
  gtk_widget_class_install_action (widget_class, "win.previous-unread", NULL, unread_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-original", NULL, zoom_action);
}

static void
rl_window_init (RlWindow *self)
{
  g_autoptr(GPropertyAction) sidebar = NULL;
  g_autoptr(GPropertyAction) threads = NULL;
  g_autoptr(GPropertyAction) hide_resolved = NULL;
  g_autoptr(GSimpleAction) account = NULL;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  update_zoom_actions (self);

  /* Stateful window actions that are widget properties. */
  sidebar = g_property_action_new ("show-sidebar", self->flap, "reveal-flap");
  threads = g_property_action_new ("show-threads", self->threads_flap, "reveal-flap");
  hide_resolved = g_property_action_new ("hide-resolved", self->state, "hide-resolved");
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (sidebar));
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (threads));
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (hide_resolved));
  account = g_simple_action_new_stateful ("account", G_VARIANT_TYPE_STRING, g_variant_new_string (""));
  g_signal_connect (account, "change-state", G_CALLBACK (on_account_change_state), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (account));
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_changed), NULL);

  /* The panel and the filter follow the settings in every window, and
   * whatever changes them (the actions, Retry showing the panel) is kept. */
  self->settings = rl_settings_new ();
  self->sidebar_wanted = TRUE;
  self->threads_wanted = TRUE;
  if (self->settings != NULL)
    {
      self->threads_wanted = g_settings_get_boolean (self->settings, "panel-visible");
      adw_flap_set_reveal_flap (self->threads_flap, self->threads_wanted);
      g_signal_connect_swapped (self->settings, "changed::panel-visible", G_CALLBACK (on_panel_visible_changed),
                                self);
      g_settings_bind (self->settings, "hide-resolved", self->state, "hide-resolved",
                       G_SETTINGS_BIND_DEFAULT);
    }
  g_signal_connect_swapped (self->flap, "notify::reveal-flap", G_CALLBACK (on_sidebar_revealed), self);
  g_signal_connect (self, "notify::default-width", G_CALLBACK (on_default_width), NULL);
  g_signal_connect_swapped (self->threads_flap, "notify::reveal-flap", G_CALLBACK (on_threads_revealed), self);

  self->documents = g_list_store_new (RL_TYPE_DOC_ITEM);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->documents)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  /* The open document is the selected one: a click or the arrow keys
   * (selection follows focus, as in GtkStackSidebar) open it, and Enter
   * where Ctrl+arrows moved the focus alone; hovering does nothing (no
   * single-click-activate, which selects on hover). */
  g_signal_connect (self->selection, "notify::selected", G_CALLBACK (on_selection_changed), self);
  gtk_list_view_set_model (self->doc_list, GTK_SELECTION_MODEL (self->selection));

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self->flap), GTK_EVENT_CONTROLLER (drop));
  /* A file dropped on the open document may be its next version (asked
   * first); elsewhere, and with no document open, files are new documents. */
  self->version_drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (self->version_drop, "accept", G_CALLBACK (on_version_drop_accept), self);
  g_signal_connect (self->version_drop, "enter", G_CALLBACK (on_version_drop_enter), self);
  g_signal_connect (self->version_drop, "drop", G_CALLBACK (on_version_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self->doc_stack), GTK_EVENT_CONTROLLER (self->version_drop));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.upload-version", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-versions", FALSE);
  setup_notifications (self);

  self->unread = rl_unread_controller_new (GTK_WINDOW (self), self->panel, self->unread_banner);
  g_signal_connect_swapped (self->unread, "thread-shown", G_CALLBACK (reveal_in_page), self);
  g_signal_connect_swapped (self->unread, "unread-changed", G_CALLBACK (on_open_unread_changed), self);
  update_unread_actions (self);

  update_connection (self);
}

RlWindow *
rl_window_new (RlApplication *application)
{
  return g_object_new (RL_TYPE_WINDOW, "application", application, NULL);
}

void
rl_window_set_session (RlWindow  *self,
                       RlSession *session)
{
  g_return_if_fail (RL_IS_WINDOW (self));
  g_return_if_fail (session == NULL || RL_IS_SESSION (session));

  if (self->session == session)
    return;

  close_document (self);
  g_cancellable_cancel (self->list_cancellable);
  if (self->session)
    g_signal_handlers_disconnect_by_data (rl_session_get_connection (self->session), self);
  g_set_object (&self->session, session);
  g_clear_object (&self->feed);
  rl_review_state_set_connection (self->state, NULL);
  rl_thread_panel_set_api (self->panel, session ? rl_session_get_api (session) : NULL);
  g_list_store_remove_all (self->documents);
  g_clear_pointer (&self->pending_doc, g_free);
  self->listed_once = FALSE;
  self->was_online = FALSE;
  gtk_stack_set_visible_child_name (self->doc_stack, "none");
  adw_window_title_set_title (self->title, _("Redline"));
  gtk_window_set_title (GTK_WINDOW (self), _("Redline"));

  if (session == NULL)
    {
      adw_window_title_set_subtitle (self->title, NULL);
      gtk_stack_set_visible_child_name (self->main_stack, "welcome");
    }
  else
    {
      RlConnection *connection = rl_session_get_connection (session);

      adw_window_title_set_subtitle (self->title, rl_session_get_host (session));
      gtk_stack_set_visible_child_name (self->main_stack, "session");
      /* The state first: the window reads whether the server was reached. */
      rl_review_state_set_connection (self->state, connection);
      g_signal_connect_swapped (connection, "notify::state", G_CALLBACK (update_connection), self);
      rl_session_start (session);
      /* Before the list: its rows show what the feed says is unread. */
      self->feed = rl_activity_feed_get (connection, rl_session_get_api (session));
      refresh_documents (self);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.upload", session != NULL);
  update_connection (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

RlSession *
rl_window_get_session (RlWindow *self)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), NULL);
  return self->session;
}

void
rl_window_add_toast (RlWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (RL_IS_WINDOW (self));
  show_toast (self, toast);
}

gboolean
rl_window_open_document (RlWindow   *self,
                         const char *doc_id)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (doc_id != NULL, FALSE);

  select_document (self, doc_id);
  if (self->doc != NULL && g_str_equal (rl_doc_item_get_id (self->doc), doc_id))
    return TRUE;
  if (!self->listed_once && self->session != NULL)
    {
      g_free (self->pending_doc);
      self->pending_doc = g_strdup (doc_id);
    }
  return FALSE;
}

void
rl_window_show_thread (RlWindow   *self,
                       const char *doc_id,
                       const char *thread_id)
{
  g_return_if_fail (RL_IS_WINDOW (self));
  g_return_if_fail (doc_id != NULL && thread_id != NULL);

  g_free (self->wanted_doc);
  g_free (self->wanted_thread);
  self->wanted_doc = g_strdup (doc_id);
  self->wanted_thread = g_strdup (thread_id);
  rl_window_open_document (self, doc_id);
  select_wanted_thread (self);
}

const char *
rl_window_get_document_id (RlWindow *self)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), NULL);
  return self->doc ? rl_doc_item_get_id (self->doc) : NULL;
}

GListModel *
rl_window_get_documents (RlWindow *self)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->documents);
}

const char *
rl_window_get_visible_page (RlWindow *self)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), NULL);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "welcome") == 0)
    return "welcome";
  return gtk_stack_get_visible_child_name (self->doc_stack);
}

RlImageView *
rl_window_get_image_view (RlWindow *self)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), NULL);
  return self->image_view;
}

RlPageView *
rl_window_get_page_view (RlWindow *self)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), NULL);
  return self->page_view;
}

RlThreadPanel *
rl_window_get_thread_panel (RlWindow *self)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), NULL);
  return self->panel;
}

RlBanner *
rl_window_get_banner (RlWindow   *self,
                      const char *name)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), NULL);
  if (g_str_equal (name, "reconnecting"))
    return self->reconnecting_banner;
  if (g_str_equal (name, "offline"))
    return self->offline_banner;
  if (g_str_equal (name, "signed-out"))
    return self->signed_out_banner;
  if (g_str_equal (name, "untrusted"))
    return self->untrusted_banner;
  if (g_str_equal (name, "version"))
    return self->version_banner;
  if (g_str_equal (name, "unread"))
    return self->unread_banner;
  g_return_val_if_reached (NULL);
}

gint64
rl_window_get_shown_revision (RlWindow *self)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), 0);
  return rl_review_state_get_revision (self->state);
}

AdwToast *
rl_window_get_last_toast (RlWindow *self)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), NULL);
  return self->last_toast;
}

GtkWidget *
rl_window_get_viewers_button (RlWindow *self)
{
  g_return_val_if_fail (RL_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->viewers_button);
}
