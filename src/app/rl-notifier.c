/* rl-notifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-notifier-private.h"

#include <glib/gi18n.h>

#include "rl-activity-feed.h"
#include "rl-window.h"

/* A notification's body shows at most this much of a comment. */
#define BODY_MAX_CHARS 200
/* Notifications remembered for batching and withdrawing; an older one is
 * forgotten (left to the desktop). */
#define MAX_BATCHES 64

/* One notification: items of one thread and kind class. */
typedef struct
{
  char      *id;             /* the notification's */
  char      *account_key;
  char      *doc_id;
  char      *thread_id;
  gboolean   mention;
  GPtrArray *names;          /* of char *: who, each once, in order */
  guint      n_items;
  gint64     last_doc_seq;
  gint64     last_at;        /* monotonic µs of its last item */
  gboolean   open;           /* may take more items */
} Batch;

struct _RlNotifier
{
  GObject         parent_instance;

  RlApplication  *application;   /* not referenced: it owns the notifier */
  GSettings      *settings;      /* NULL: all notified, nothing muted */
  GHashTable     *last_aseq;     /* account key → gint64 *: the last item given */
  GPtrArray      *batches;       /* of Batch, oldest first */
  GHashTable     *feeds;         /* RlSession → Hearing: its feed, heard */
  guint           serial;
  gint64          batch_us;
};

G_DEFINE_FINAL_TYPE (RlNotifier, rl_notifier, G_TYPE_OBJECT)

static void
batch_free (gpointer data)
{
  Batch *batch = data;

  g_free (batch->id);
  g_free (batch->account_key);
  g_free (batch->doc_id);
  g_free (batch->thread_id);
  g_ptr_array_unref (batch->names);
  g_free (batch);
}

/* ---- what is notified ---------------------------------------------------- */

/* Any window of the process: a dialog (the About window, say) may have no
 * application set. */
static gboolean
app_focused (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (gtk_window_is_active (window))
        return TRUE;
    }
  return FALSE;
}

static gboolean
muted (RlNotifier       *self,
       const char       *account_key,
       const RlActivity *activity)
{
  g_auto(GStrv) entries = NULL;
  g_autofree char *entry = NULL;

  if (self->settings == NULL)
    return FALSE;
  if (!g_settings_get_boolean (self->settings, "notifications"))
    return TRUE;
  entries = g_settings_get_strv (self->settings, "muted-documents");
  entry = rl_notifier_mute_entry (account_key, activity->doc.id);
  return g_strv_contains ((const char *const *) entries, entry);
}

/* Whether aseq of the account was given or marked seen before (a
 * reconnect's or a replay's); it is the account's last one from now on. */
static gboolean
seen_before (RlNotifier *self,
             const char *account_key,
             gint64      aseq)
{
  gint64 *last = g_hash_table_lookup (self->last_aseq, account_key);

  if (last != NULL && aseq <= *last)
    return TRUE;
  if (last == NULL)
    {
      last = g_new (gint64, 1);
      g_hash_table_insert (self->last_aseq, g_strdup (account_key), last);
    }
  *last = aseq;
  return FALSE;
}

/* ---- the words ----------------------------------------------------------- */

/* "Bob replied in #4 on Landing page", "Bob and Ada mentioned you in #4 on
 * Landing page"… */
static char *
batch_title (Batch      *batch,
             gint64      number,
             const char *doc_title)
{
  const char *first = g_ptr_array_index (batch->names, 0);
  const char *second = batch->names->len > 1 ? g_ptr_array_index (batch->names, 1) : NULL;
  guint others = batch->names->len > 2 ? batch->names->len - 2 : 0;
  int n = (int) number;

  if (batch->mention && second == NULL)
    /* Translators: "Bob mentioned you in #4 on Landing page": a person,
     * a thread's number, a document's title */
    return g_strdup_printf (_("%s mentioned you in #%d on %s"), first, n, doc_title);
  if (batch->mention && others == 0)
    /* Translators: "Bob and Ada mentioned you in #4 on Landing page" */
    return g_strdup_printf (_("%s and %s mentioned you in #%d on %s"), first, second, n, doc_title);
  if (batch->mention)
    /* Translators: "Bob, Ada and 2 others mentioned you in #4 on Landing page" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %s and %u other mentioned you in #%d on %s",
                                         "%s, %s and %u others mentioned you in #%d on %s", others),
                            first, second, others, n, doc_title);
  if (second == NULL)
    /* Translators: "Bob replied in #4 on Landing page": a person, a
     * thread's number, a document's title */
    return g_strdup_printf (_("%s replied in #%d on %s"), first, n, doc_title);
  if (others == 0)
    /* Translators: "Bob and Ada replied in #4 on Landing page" */
    return g_strdup_printf (_("%s and %s replied in #%d on %s"), first, second, n, doc_title);
  /* Translators: "Bob, Ada and 2 others replied in #4 on Landing page" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %s and %u other replied in #%d on %s",
                                       "%s, %s and %u others replied in #%d on %s", others),
                          first, second, others, n, doc_title);
}

/* The last comment (cut short), after how many there are when more than
 * one. */
static char *
batch_body (Batch      *batch,
            const char *comment)
{
  g_autofree char *text = NULL;

  if (comment == NULL)
    comment = "";
  if (g_utf8_strlen (comment, -1) > BODY_MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (comment, 0, BODY_MAX_CHARS - 1);

      text = g_strconcat (cut, "…", NULL);
    }
  else
    text = g_strdup (comment);
  if (batch->n_items == 1)
    return g_steal_pointer (&text);
  /* Translators: how many new comments a notification stands for, then
   * the last one's text */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new comment; the last: %s",
                                       "%u new comments; the last: %s", batch->n_items),
                          batch->n_items, text);
}

/* ---- batches ------------------------------------------------------------- */

static Batch *
find_open_batch (RlNotifier       *self,
                 const char       *account_key,
                 const RlActivity *activity,
                 gboolean          mention,
                 gint64            now)
{
  for (guint i = 0; i < self->batches->len; i++)
    {
      Batch *batch = g_ptr_array_index (self->batches, i);

      if (batch->open && batch->mention == mention && now - batch->last_at < self->batch_us &&
          g_str_equal (batch->account_key, account_key) && g_str_equal (batch->doc_id, activity->doc.id) &&
          g_str_equal (batch->thread_id, activity->thread))
        return batch;
    }
  return NULL;
}

static Batch *
batch_new (RlNotifier       *self,
           const char       *account_key,
           const RlActivity *activity,
           gboolean          mention)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->id = g_strdup_printf ("%s %s %s %s %u", mention ? "mention" : "reply", account_key, activity->doc.id,
                               activity->thread, ++self->serial);
  batch->account_key = g_strdup (account_key);
  batch->doc_id = g_strdup (activity->doc.id);
  batch->thread_id = g_strdup (activity->thread);
  batch->mention = mention;
  batch->names = g_ptr_array_new_with_free_func (g_free);
  batch->open = TRUE;
  if (self->batches->len >= MAX_BATCHES)
    g_ptr_array_remove_index (self->batches, 0);
  g_ptr_array_add (self->batches, batch);
  return batch;
}

static gboolean
can_notify (RlNotifier *self)
{
  return g_application_get_dbus_connection (G_APPLICATION (self->application)) != NULL;
}

static void
notify_item (RlNotifier       *self,
             const char       *account_key,
             const RlActivity *activity)
{
  gboolean mention = activity->kind == RL_ACTIVITY_MENTION;
  gint64 now = g_get_monotonic_time ();
  const char *name = activity->actor.name != NULL && activity->actor.name[0] != '\0' ? activity->actor.name
                                                                                     : _("Someone");
  Batch *batch = find_open_batch (self, account_key, activity, mention, now);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  /* Without a session bus nothing can show it (and GLib's backends would
   * complain of the missing connection): nothing is sent. */
  if (!can_notify (self))
    return;
  if (batch == NULL)
    batch = batch_new (self, account_key, activity, mention);
  batch->n_items++;
  batch->last_at = now;
  batch->last_doc_seq = MAX (batch->last_doc_seq, activity->doc_seq);
  if (!g_ptr_array_find_with_equal_func (batch->names, name, g_str_equal, NULL))
    g_ptr_array_add (batch->names, g_strdup (name));

  title = batch_title (batch, activity->thread_number, activity->doc.title ? activity->doc.title : "");
  body = batch_body (batch, activity->comment ? activity->comment->body : NULL);
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  if (mention)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.open-thread", "(sss)", account_key,
                                                activity->doc.id, activity->thread);
  /* The same id: the desktop replaces what it shows. */
  g_application_send_notification (G_APPLICATION (self->application), batch->id, notification);
}

/* What a `read` item covers is read: its notifications go. */
static void
withdraw_read (RlNotifier       *self,
               const char       *account_key,
               const RlActivity *activity)
{
  for (guint i = self->batches->len; i > 0; i--)
    {
      Batch *batch = g_ptr_array_index (self->batches, i - 1);

      if (!g_str_equal (batch->account_key, account_key) || !g_str_equal (batch->doc_id, activity->doc.id) ||
          (activity->thread != NULL && !g_str_equal (batch->thread_id, activity->thread)) ||
          batch->last_doc_seq > activity->seq)
        continue;
      if (can_notify (self))
        g_application_withdraw_notification (G_APPLICATION (self->application), batch->id);
      g_ptr_array_remove_index (self->batches, i - 1);
    }
}

/* Looked at: what comes next is news of its own. */
static void
on_window_active (GtkWindow  *window,
                  GParamSpec *pspec,
                  RlNotifier *self)
{
  if (!gtk_window_is_active (window))
    return;
  for (guint i = 0; i < self->batches->len; i++)
    ((Batch *) g_ptr_array_index (self->batches, i))->open = FALSE;
}

static void
on_window_added (RlNotifier *self,
                 GtkWindow  *window)
{
  g_signal_connect_object (window, "notify::is-active", G_CALLBACK (on_window_active), self, 0);
}

/* ---- the sessions' feeds -------------------------------------------------- */

typedef struct
{
  RlNotifier *notifier;   /* not referenced: it disconnects before it goes */
  RlSession  *session;
} Heard;

typedef struct
{
  RlActivityFeed *feed;
  gulong          handler;
} Hearing;

static void
heard_free (gpointer  data,
            GClosure *closure)
{
  Heard *heard = data;

  g_object_unref (heard->session);
  g_free (heard);
}

static void
on_item_added (RlActivityFeed   *feed,
               const RlActivity *activity,
               Heard            *heard)
{
  g_autofree char *key = rl_session_dup_key (heard->session);

  rl_notifier_add_item (heard->notifier, key, activity);
}

/* The feed heard no more. */
static void
stop_hearing (gpointer data)
{
  Hearing *hearing = data;

  g_clear_signal_handler (&hearing->handler, hearing->feed);
  g_object_unref (hearing->feed);
  g_free (hearing);
}

/* ---- app.open-thread ----------------------------------------------------- */

static void
open_thread_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       data)
{
  RlApplication *application = data;
  RlWindow *window = NULL;
  RlSession *session;
  const char *key;
  const char *doc;
  const char *thread;

  g_variant_get (parameter, "(&s&s&s)", &key, &doc, &thread);
  session = rl_application_find_session (application, key);
  /* Started by this click (D-Bus activation): the accounts are still
   * being opened; done again once they are. */
  if (session == NULL && rl_application_defer_until_opened (application, "open-thread", parameter))
    return;
  if (session == NULL)
    {
      /* An account no longer open: the app as a plain start shows it. */
      g_application_activate (G_APPLICATION (application));
      return;
    }
  /* The window last focused on that account, else a new one. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l && !window; l = l->next)
    if (RL_IS_WINDOW (l->data) && rl_window_get_session (l->data) == session)
      window = l->data;
  if (window == NULL)
    {
      window = rl_window_new (application);
      rl_window_set_session (window, session);
    }
  /* No thread (the Activity view's unread document): the document. */
  if (*thread == '\0')
    rl_window_open_document (window, doc);
  else
    rl_window_show_thread (window, doc, thread);
  gtk_window_present (GTK_WINDOW (window));
}

/* ---- object -------------------------------------------------------------- */

static void
rl_notifier_finalize (GObject *object)
{
  RlNotifier *self = RL_NOTIFIER (object);

  g_clear_pointer (&self->feeds, g_hash_table_unref);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->last_aseq, g_hash_table_unref);
  g_clear_pointer (&self->batches, g_ptr_array_unref);
  G_OBJECT_CLASS (rl_notifier_parent_class)->finalize (object);
}

static void
rl_notifier_class_init (RlNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_notifier_finalize;
}

static void
rl_notifier_init (RlNotifier *self)
{
  self->last_aseq = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->batches = g_ptr_array_new_with_free_func (batch_free);
  self->feeds = g_hash_table_new_full (NULL, NULL, g_object_unref, stop_hearing);
  self->batch_us = RL_NOTIFIER_BATCH_MS * G_TIME_SPAN_MILLISECOND;
}

RlNotifier *
rl_notifier_new (RlApplication *application,
                 GSettings     *settings)
{
  static const GActionEntry actions[] = {
    { "open-thread", open_thread_action, "(sss)" },
  };
  RlNotifier *self;

  g_return_val_if_fail (RL_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (RL_TYPE_NOTIFIER, NULL);
  self->application = application;
  g_set_object (&self->settings, settings);
  g_action_map_add_action_entries (G_ACTION_MAP (application), actions, G_N_ELEMENTS (actions), application);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l; l = l->next)
    on_window_added (self, l->data);
  g_signal_connect_object (application, "window-added", G_CALLBACK (on_window_added), self, G_CONNECT_SWAPPED);
  return self;
}

void
rl_notifier_add_session (RlNotifier *self,
                         RlSession  *session)
{
  Hearing *hearing;
  Heard *heard;

  g_return_if_fail (RL_IS_NOTIFIER (self));
  g_return_if_fail (RL_IS_SESSION (session));

  if (g_hash_table_contains (self->feeds, session))
    return;
  heard = g_new0 (Heard, 1);
  heard->notifier = self;
  heard->session = g_object_ref (session);
  hearing = g_new0 (Hearing, 1);
  hearing->feed = rl_activity_feed_get (rl_session_get_connection (session), rl_session_get_api (session));
  hearing->handler = g_signal_connect_data (hearing->feed, "item-added", G_CALLBACK (on_item_added), heard,
                                            heard_free, 0);
  g_hash_table_insert (self->feeds, g_object_ref (session), hearing);
}

void
rl_notifier_remove_session (RlNotifier *self,
                            RlSession  *session)
{
  g_return_if_fail (RL_IS_NOTIFIER (self));
  g_return_if_fail (RL_IS_SESSION (session));

  g_hash_table_remove (self->feeds, session);
}

void
rl_notifier_add_item (RlNotifier       *self,
                      const char       *account_key,
                      const RlActivity *activity)
{
  g_return_if_fail (RL_IS_NOTIFIER (self));
  g_return_if_fail (account_key != NULL);
  g_return_if_fail (activity != NULL && activity->doc.id != NULL);

  if (seen_before (self, account_key, activity->aseq))
    return;
  if (activity->kind == RL_ACTIVITY_READ)
    {
      withdraw_read (self, account_key, activity);
      return;
    }
  if ((activity->kind != RL_ACTIVITY_MENTION && activity->kind != RL_ACTIVITY_REPLY) || activity->thread == NULL)
    return;
  if (app_focused () || muted (self, account_key, activity))
    return;
  notify_item (self, account_key, activity);
}

char *
rl_notifier_mute_entry (const char *account_key,
                        const char *doc_id)
{
  g_return_val_if_fail (account_key != NULL && doc_id != NULL, NULL);
  return g_strconcat (account_key, " ", doc_id, NULL);
}

void
rl_notifier_set_batch_ms (RlNotifier *self,
                          guint       batch_ms)
{
  g_return_if_fail (RL_IS_NOTIFIER (self));
  self->batch_us = (gint64) batch_ms * G_TIME_SPAN_MILLISECOND;
}
