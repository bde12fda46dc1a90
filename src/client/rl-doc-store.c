/* rl-doc-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rl-doc-store-private.h"
#include "rl-error-text.h"
#include "rl-list-run.h"
#include "rl-limits.h"

#include "rl-snapshot-cache.h"
#include "rl-stream.h"
#include "rl-thread-item-private.h"
#include "rl-time.h"
#include "rl-uuid.h"

typedef struct
{
  char          *broadcast_id;
  RlRequestType  type;
  RlEvent       *event;       /* what it does, shaped as its echo */
  char          *text;        /* what the user typed, for a retry */
  gboolean       acked;
} Change;

static void
change_free (Change *change)
{
  g_free (change->broadcast_id);
  g_clear_pointer (&change->event, rl_event_free);
  g_free (change->text);
  g_free (change);
}

struct _RlDocStore
{
  GObject       parent_instance;

  RlConnection *connection;
  char         *doc;
  RlDocKind     kind;

  GPtrArray    *confirmed;    /* RlThread*, the server's state at seq */
  gint64        seq;
  GQueue        changes;      /* Change*, in flight, oldest first */
  GListStore   *threads;      /* RlThreadItem */
  GHashTable   *items;        /* thread id → RlThreadItem (not owned) */

  RlStream      stream;       /* its events, by seq */
  gboolean      resyncing;    /* re-subscribed after a lost link */
  guint         resync_count;

  RlSnapshotCache *cache;     /* of cache_user, on this connection's server */
  char         *cache_user;
  gboolean      cache_welcomed; /* cache_user is the welcome's: may be written */
  gboolean      from_cache;   /* confirmed came from the cache, not the server */
  guint         save_id;      /* a save of applied events is due */
  guint         drop_events;  /* tests: events to lose on the way */

  guint         viewer_count;
  GStrv         viewer_names;

  gint64        revision;     /* the document's latest; 0: not known (a v1 server) */
  RlRevision   *latest;       /* its details, when a revision-added said them */

  /* The user's read state (1.2, docs/protocol.md "Activity"). */
  gboolean      read_known;   /* the last subscribe's ack said it: a 1.2 link */
  gint64        read_floor;   /* everything up to it is read */
  GHashTable   *read_threads; /* thread id → gint64* marker above the floor */
  gint64        read_since;   /* comments made before it are read (the user was added then) */
  GQueue        read_sent;    /* broadcastIds of own mark-reads whose echo has not come */
  gboolean      opened;       /* the first subscribe of this open was answered */
  guint         new_since_open; /* unread comments then */
};

G_DEFINE_FINAL_TYPE (RlDocStore, rl_doc_store, G_TYPE_OBJECT)

enum { PROP_0, PROP_SEQ, PROP_VIEWER_COUNT, PROP_SYNCED, PROP_REVISION, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_MUTATION_FAILED,
  SIGNAL_MUTATION_CONFIRMED,
  SIGNAL_RESYNCED,
  SIGNAL_REVISION_ADDED,
  SIGNAL_UNREAD_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* connection → GHashTable (doc → RlDocStore, not owned) */
static GHashTable *registry;

static void refresh (RlDocStore *self);

/* Revisions only go up: a number from an older source (a document list
 * fetched before an upload) never lowers what is known. */
static gboolean
raise_revision (RlDocStore *self,
                gint64      revision)
{
  if (revision <= self->revision)
    return FALSE;
  self->revision = revision;
  if (self->latest && self->latest->revision != revision)
    g_clear_pointer (&self->latest, rl_revision_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);
  return TRUE;
}

/* ---- disk cache ------------------------------------------------------------
 * What was confirmed last is kept on disk per server, user and document, so
 * a store opened offline shows it (still unsynced, seq -1: events are not
 * applied and changes are refused until a snapshot replaces it). */

#define SAVE_DELAY_MS 1000

/* Shows the cached state of the user the connection names (the account's
 * before any welcome). */
static void
load_cache (RlDocStore *self)
{
  const char *user = rl_connection_get_user_id (self->connection);
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GError) error = NULL;
  RlDocKind kind;
  gint64 seq;

  if (user == NULL)
    return;
  if (!rl_snapshot_cache_doc_id_is_valid (self->doc))
    {
      g_debug ("store %s: not a document id to cache", self->doc);
      return;
    }
  self->cache = rl_snapshot_cache_new (NULL, rl_connection_get_url (self->connection), user);
  self->cache_user = g_strdup (user);
  self->cache_welcomed = FALSE;
  if (!rl_snapshot_cache_load (self->cache, self->doc, &kind, &seq, &threads, &error))
    {
      g_debug ("store %s: no cached snapshot: %s", self->doc, error->message);
      return;
    }
  if (kind != self->kind)
    {
      g_debug ("store %s: the cached snapshot is of another kind", self->doc);
      return;
    }
  for (guint i = 0; i < threads->len; i++)
    g_ptr_array_add (self->confirmed, rl_thread_ref (g_ptr_array_index (threads, i)));
  self->from_cache = TRUE;
  refresh (self);
}

/* The cache of the user the server welcomed: only it is written, so one
 * account's state never lands in another's directory. */
static RlSnapshotCache *
writable_cache (RlDocStore *self)
{
  const RlMessage *welcome = rl_connection_get_welcome (self->connection);

  if (welcome && welcome->user.id && rl_snapshot_cache_doc_id_is_valid (self->doc))
    {
      if (g_strcmp0 (self->cache_user, welcome->user.id) != 0)
        {
          g_clear_object (&self->cache);
          g_free (self->cache_user);
          self->cache_user = g_strdup (welcome->user.id);
          self->cache = rl_snapshot_cache_new (NULL, rl_connection_get_url (self->connection),
                                               self->cache_user);
        }
      self->cache_welcomed = TRUE;
    }
  return self->cache_welcomed ? self->cache : NULL;
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!rl_snapshot_cache_save_finish (RL_SNAPSHOT_CACHE (source), result, &error))
    g_debug ("snapshot not cached: %s", error->message);
}

static void
save_now (RlDocStore *self)
{
  g_clear_handle_id (&self->save_id, g_source_remove);
  if (self->cache_welcomed && self->seq >= 0)
    rl_snapshot_cache_save_async (self->cache, self->doc, self->kind, self->seq, self->confirmed,
                                  NULL, saved_cb, NULL);
}

static gboolean
save_due (gpointer data)
{
  RlDocStore *self = data;

  self->save_id = 0;
  save_now (self);
  return G_SOURCE_REMOVE;
}

/* At most one write a second however busy the document is. */
static void
save_soon (RlDocStore *self)
{
  if (self->save_id == 0 && writable_cache (self))
    self->save_id = g_timeout_add (SAVE_DELAY_MS, save_due, self);
}

/* rl_event_apply changes threads in place: shown threads are shared with
 * items, so the one to change is copied first. */
static gboolean
apply_copying (GPtrArray     *threads,
               const RlEvent *event)
{
  gboolean found;
  guint i;

  if (event->kind == RL_EVENT_REVISION_ADDED)
    {
      /* It places every thread anew. */
      for (i = 0; i < threads->len; i++)
        {
          RlThread *copy = rl_thread_copy (g_ptr_array_index (threads, i));

          rl_thread_unref (g_ptr_array_index (threads, i));
          g_ptr_array_index (threads, i) = copy;
        }
      return rl_event_apply (event, threads);
    }
  i = rl_event_find_thread (threads, event->thread_id, &found);
  if (found && event->kind == RL_EVENT_UPDATED)
    {
      RlThread *copy = rl_thread_copy (g_ptr_array_index (threads, i));

      rl_thread_unref (g_ptr_array_index (threads, i));
      g_ptr_array_index (threads, i) = copy;
    }
  return rl_event_apply (event, threads);
}

static gboolean
is_item (gpointer      item,
         gconstpointer other)
{
  return item == other;
}

/* What is shown: the confirmed state with every change in flight on top. */
static void
refresh (RlDocStore *self)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
  guint position, n_removed, n_added;

  for (guint i = 0; i < self->confirmed->len; i++)
    g_ptr_array_add (shown, rl_thread_ref (g_ptr_array_index (self->confirmed, i)));
  for (GList *l = self->changes.head; l; l = l->next)
    apply_copying (shown, ((Change *) l->data)->event);

  for (guint i = 0; i < shown->len; i++)
    {
      RlThread *thread = g_ptr_array_index (shown, i);
      RlThreadItem *item = g_hash_table_lookup (self->items, thread->id);

      if (item == NULL)
        {
          item = rl_thread_item_new ();
          g_hash_table_insert (self->items, g_strdup (thread->id), item);
        }
      g_object_ref (item);   /* for items */
      rl_thread_item_set_thread (item, thread);
      g_hash_table_add (keep, thread->id);
      g_ptr_array_add (items, item);
    }

  if (rl_list_find_changed_run (G_LIST_MODEL (self->threads), items, is_item, &position, &n_removed, &n_added))
    g_list_store_splice (self->threads, position, n_removed, items->pdata + position, n_added);

  /* Items of threads that are gone. */
  {
    GHashTableIter iter;
    const char *id;
    RlThreadItem *item;

    g_hash_table_iter_init (&iter, self->items);
    while (g_hash_table_iter_next (&iter, (gpointer *) &id, (gpointer *) &item))
      if (!g_hash_table_contains (keep, id))
        {
          g_object_unref (item);
          g_hash_table_iter_remove (&iter);
        }
  }
}

static Change *
find_change (RlDocStore *self,
             const char *broadcast_id)
{
  if (broadcast_id == NULL)
    return NULL;
  for (GList *l = self->changes.head; l; l = l->next)
    if (g_str_equal (((Change *) l->data)->broadcast_id, broadcast_id))
      return l->data;
  return NULL;
}

/* The revision a change was made on (0: the latest, unsaid). */
static gint64
change_revision (const Change *change)
{
  if (change->type == RL_REQUEST_CREATE_THREAD && change->event->thread)
    return change->event->thread->revision;
  if (change->type == RL_REQUEST_MOVE_THREAD || change->type == RL_REQUEST_PLACE_THREAD)
    return change->event->revision;
  return 0;
}

static void
fail_change (RlDocStore   *self,
             Change       *change,
             const GError *error)
{
  g_autoptr(GError) outdated = NULL;
  gint64 revision = change_revision (change);

  /* A conflict over a change made on an older revision than the latest:
   * a newer version arrived meanwhile (docs/protocol.md, "Requests that
   * name a revision"); said in those words. */
  if (g_error_matches (error, RL_ERROR, RL_ERROR_CONFLICT) && revision > 0 && revision < self->revision)
    {
      RlChange words = change->type != RL_REQUEST_CREATE_THREAD ? RL_CHANGE_MOVE_MARKER
                       : self->kind == RL_DOC_KIND_PAGE ? RL_CHANGE_NEW_COMMENT
                       : RL_CHANGE_NEW_MARKER;

      outdated = g_error_new_literal (RL_ERROR, RL_ERROR_CONFLICT, rl_error_outdated (words));
      error = outdated;
    }
  g_queue_remove (&self->changes, change);
  refresh (self);
  g_signal_emit (self, signals[SIGNAL_MUTATION_FAILED], 0, change->type, error, change->text, change->event);
  change_free (change);
}

/* ---- read state ------------------------------------------------------------
 * The server keeps what the user has read (a floor and per-thread markers
 * above it); the store applies its subscribe ack, the user's own mark-reads
 * at once, and read items from the user's other connections (they only
 * ever raise it, so their order does not matter). */

/* Own mark-reads remembered for their echo; one that never comes is
 * forgotten past this many. */
#define MAX_READ_SENT 64

static gint64
thread_read_up_to (RlDocStore *self,
                   const char *thread_id)
{
  gint64 *marker = thread_id ? g_hash_table_lookup (self->read_threads, thread_id) : NULL;

  return marker ? MAX (*marker, self->read_floor) : self->read_floor;
}

/* Raises the floor (thread_id NULL) or a thread's marker to seq; whether
 * anything changed. Markers at or below the floor are dropped. */
static gboolean
raise_read (RlDocStore *self,
            const char *thread_id,
            gint64      seq)
{
  if (seq <= thread_read_up_to (self, thread_id))
    return FALSE;
  if (thread_id == NULL)
    {
      GHashTableIter iter;
      gint64 *marker;

      self->read_floor = seq;
      g_hash_table_iter_init (&iter, self->read_threads);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &marker))
        if (*marker <= seq)
          g_hash_table_iter_remove (&iter);
    }
  else
    g_hash_table_replace (self->read_threads, g_strdup (thread_id), g_memdup2 (&seq, sizeof seq));
  return TRUE;
}

static gboolean
mentions_user (const RlComment *comment,
               const char      *user)
{
  for (guint i = 0; user && comment->mentions && i < comment->mentions->len; i++)
    if (g_strcmp0 (((RlMention *) g_ptr_array_index (comment->mentions, i))->user, user) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
comment_is_unread (RlDocStore      *self,
                   const RlComment *comment,
                   gint64           read_up_to)
{
  /* seq 0: from before unread tracking (or not committed yet); made
   * before the user was added: a new member's backlog is not news. */
  return self->read_known && comment->seq > 0 && comment->seq > read_up_to &&
         comment->created_at >= self->read_since &&
         g_strcmp0 (comment->author.id, rl_connection_get_user_id (self->connection)) != 0;
}

/* Unread comments of a shown thread, and of them those mentioning the user. */
static guint
count_thread_unread (RlDocStore     *self,
                     const RlThread *thread,
                     guint          *mentions)
{
  gint64 read_up_to = thread_read_up_to (self, thread->id);
  const char *me = rl_connection_get_user_id (self->connection);
  guint n = 0;

  for (guint i = 0; i < thread->comments->len; i++)
    {
      const RlComment *comment = g_ptr_array_index (thread->comments, i);

      if (comment_is_unread (self, comment, read_up_to))
        {
          n++;
          if (mentions && mentions_user (comment, me))
            (*mentions)++;
        }
    }
  return n;
}

static void
count_unread (RlDocStore     *self,
              RlUnreadCounts *counts)
{
  GListModel *threads = G_LIST_MODEL (self->threads);

  *counts = (RlUnreadCounts) { 0 };
  for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);
      guint mentions = 0;
      guint n = count_thread_unread (self, rl_thread_item_get_thread (item), &mentions);

      counts->threads += n > 0;
      counts->comments += n;
      counts->mentions += mentions;
    }
}

static void
unread_changed (RlDocStore *self)
{
  g_signal_emit (self, signals[SIGNAL_UNREAD_CHANGED], 0);
}

/* A subscribe's ack: the read state as the server keeps it (NULL: a link
 * before 1.2, where everything reads as read). Merged, not replaced: an
 * own mark-read may still be on its way. */
static void
apply_read_state (RlDocStore        *self,
                  const RlReadState *read)
{
  self->read_known = read != NULL;
  if (read)
    {
      self->read_since = read->since;
      raise_read (self, NULL, read->seq);
      for (guint i = 0; i < read->threads->len; i++)
        {
          const RlReadMarker *marker = g_ptr_array_index (read->threads, i);

          raise_read (self, marker->thread, marker->seq);
        }
    }
  if (!self->opened)
    {
      RlUnreadCounts counts;

      /* "N new since you were here": what this open found, kept as it was. */
      self->opened = TRUE;
      count_unread (self, &counts);
      self->new_since_open = counts.comments;
    }
  unread_changed (self);
}

/* A read item of the user's activity (any of their connections). */
static void
apply_read_activity (RlDocStore       *self,
                     const RlActivity *activity)
{
  GList *own = activity->broadcast_id
                 ? g_queue_find_custom (&self->read_sent, activity->broadcast_id, (GCompareFunc) g_strcmp0)
                 : NULL;

  if (own)
    {
      /* The echo of an own mark-read: already applied. */
      g_free (own->data);
      g_queue_delete_link (&self->read_sent, own);
      return;
    }
  if (raise_read (self, activity->thread, activity->seq))
    unread_changed (self);
}

static void
apply_event (RlDocStore    *self,
             const RlEvent *event)
{
  Change *own;
  gboolean added = FALSE;

  switch (rl_stream_step (self->seq, event->seq))
    {
    case RL_STREAM_DUPLICATE:
      return;
    case RL_STREAM_APPLY:
      break;
    case RL_STREAM_GAP:
      /* A gap: ask again for what is missing. */
      g_debug ("store %s: gap (have %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT ")",
                 self->doc, self->seq, event->seq);
      rl_stream_resubscribe (&self->stream);
      return;
    }
  if (!apply_copying (self->confirmed, event))
    g_warning ("store %s: event %" G_GINT64_FORMAT " names something absent", self->doc, event->seq);
  self->seq = event->seq;
  if (event->kind == RL_EVENT_REVISION_ADDED && event->added)
    added = raise_revision (self, event->added->revision);
  save_soon (self);
  if (self->resyncing)
    self->resync_count++;

  /* The echo of an own change: it is confirmed now, and already shown. */
  own = find_change (self, event->broadcast_id);
  if (own)
    g_queue_remove (&self->changes, own);
  refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
  if (self->read_known)
    unread_changed (self);
  if (own)
    {
      /* Confirmed here when the echo beat the ack; else it was on the ack. */
      if (!own->acked)
        g_signal_emit (self, signals[SIGNAL_MUTATION_CONFIRMED], 0, own->type, own->event, event->seq);
      change_free (own);
    }
  if (added)
    {
      g_clear_pointer (&self->latest, rl_revision_free);
      self->latest = rl_revision_copy (event->added);
      g_signal_emit (self, signals[SIGNAL_REVISION_ADDED], 0, self->latest, event->broadcast_id);
    }
}

static void
apply_snapshot (RlDocStore *self,
                RlMessage  *message)
{
  g_ptr_array_set_size (self->confirmed, 0);
  for (guint i = 0; i < message->threads->len; i++)
    g_ptr_array_add (self->confirmed, rl_thread_ref (g_ptr_array_index (message->threads, i)));
  self->seq = message->seq;
  self->from_cache = FALSE;
  raise_revision (self, message->revision);
  if (writable_cache (self))
    save_now (self);

  /* A snapshot holds every change the server has made: the ones acked are
   * in it, and would show twice. */
  for (GList *l = self->changes.head; l;)
    {
      Change *change = l->data;

      l = l->next;
      if (change->acked)
        {
          g_queue_remove (&self->changes, change);
          change_free (change);
        }
    }
  refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
  if (self->read_known)
    unread_changed (self);
}

static void
on_message (RlConnection *connection,
            RlMessage    *message,
            gpointer      data)
{
  RlDocStore *self = data;

  switch (message->type)
    {
    case RL_MESSAGE_SNAPSHOT:
      if (g_strcmp0 (message->doc, self->doc) == 0)
        apply_snapshot (self, message);
      break;
    case RL_MESSAGE_EVENT:
      if (g_strcmp0 (message->event->doc, self->doc) != 0 || self->seq < 0)
        break;
      if (self->drop_events > 0)
        {
          self->drop_events--;
          g_debug ("store %s: losing event %" G_GINT64_FORMAT " (test)", self->doc, message->event->seq);
          break;
        }
      apply_event (self, message->event);
      break;
    case RL_MESSAGE_BATCH:
      for (guint i = 0; i < message->messages->len; i++)
        on_message (connection, g_ptr_array_index (message->messages, i), self);
      break;
    case RL_MESSAGE_PRESENCE:
      if (g_strcmp0 (message->doc, self->doc) == 0)
        {
          g_strfreev (self->viewer_names);
          self->viewer_names = g_new0 (char *, message->users->len + 1);
          for (guint i = 0; i < message->users->len; i++)
            self->viewer_names[i] = g_strdup (((RlPerson *) g_ptr_array_index (message->users, i))->name);
          if (self->viewer_count != message->count)
            {
              self->viewer_count = message->count;
              g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEWER_COUNT]);
            }
        }
      break;
    case RL_MESSAGE_ACTIVITY:
      if (message->activity->kind == RL_ACTIVITY_READ && g_strcmp0 (message->activity->doc.id, self->doc) == 0)
        apply_read_activity (self, message->activity);
      break;
    case RL_MESSAGE_WELCOME:
    case RL_MESSAGE_ACK:
    default:
      break;
    }
}

static void
subscribed (GObject   *owner,
            RlMessage *ack)
{
  RlDocStore *self = RL_DOC_STORE (owner);

  apply_read_state (self, ack->read);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
  if (self->resyncing)
    {
      self->resyncing = FALSE;
      g_signal_emit (self, signals[SIGNAL_RESYNCED], 0, self->resync_count);
    }
}

static RlRequest *
subscribe_request (GObject *owner)
{
  RlDocStore *self = RL_DOC_STORE (owner);
  RlRequest *request = rl_request_new (RL_REQUEST_SUBSCRIBE);

  request->doc = g_strdup (self->doc);
  if (self->seq >= 0)
    {
      request->has_since = TRUE;
      request->since = self->seq;
    }
  return request;
}

static void
on_state (RlConnection *connection,
          GParamSpec   *pspec,
          gpointer      data)
{
  RlDocStore *self = data;

  if (rl_connection_get_state (connection) == RL_CONNECTION_ONLINE)
    {
      if (self->seq >= 0)
        {
          self->resyncing = TRUE;
          self->resync_count = 0;
        }
      rl_stream_subscribe (&self->stream);
    }
  else if (rl_stream_lost (&self->stream))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
}

/* ---- mutations ------------------------------------------------------------ */

typedef struct
{
  RlDocStore *store;
  char       *broadcast_id;
} Pending;

static guint
count_remembered (RlDocStore *self)
{
  guint n = 0;

  for (GList *l = self->changes.head; l; l = l->next)
    n += ((Change *) l->data)->acked;
  return n;
}

/* Keeps at most RL_DOC_STORE_MAX_REMEMBERED acked changes waiting for their
 * echo; a forgotten one's echo is applied like anyone else's, so nothing
 * shows twice. */
static void
forget_oldest_remembered (RlDocStore *self)
{
  guint n = count_remembered (self);

  if (n <= RL_DOC_STORE_MAX_REMEMBERED)
    return;
  for (GList *l = self->changes.head; l && n > RL_DOC_STORE_MAX_REMEMBERED;)
    {
      Change *change = l->data;

      l = l->next;
      if (!change->acked)
        continue;
      g_debug ("store %s: no echo for %s yet; forgetting it", self->doc, change->broadcast_id);
      g_queue_remove (&self->changes, change);
      change_free (change);
      n--;
    }
  refresh (self);
}

static void
mutation_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Pending *pending = data;
  g_autoptr(RlDocStore) self = pending->store;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlMessage) ack = rl_connection_request_finish (RL_CONNECTION (source), result, &error);
  Change *change = find_change (self, pending->broadcast_id);

  g_free (pending->broadcast_id);
  g_free (pending);
  if (change == NULL)
    return;   /* the echo came first */
  if (ack)
    {
      /* The echo is on its way; if it already passed (its seq is applied,
       * e.g. in a snapshot), the change is confirmed. */
      gboolean passed = ack->seq >= 0 && ack->seq <= self->seq;

      change->acked = TRUE;
      /* A new thread's number comes with its ack: shown at once (the item
       * notifies "thread"), since the echo, which says the same, may come
       * much later. What is shown is made from copies (rl_event_apply). */
      if (change->type == RL_REQUEST_CREATE_THREAD && ack->number > 0)
        change->event->thread->number = ack->number;
      if (passed)
        g_queue_remove (&self->changes, change);
      if (passed || change->type == RL_REQUEST_CREATE_THREAD)
        refresh (self);
      g_signal_emit (self, signals[SIGNAL_MUTATION_CONFIRMED], 0, change->type, change->event, ack->seq);
      if (passed)
        change_free (change);
      else
        forget_oldest_remembered (self);
      return;
    }
  fail_change (self, change, error);
}

static const RlPerson *
me (RlDocStore *self)
{
  const RlMessage *welcome = rl_connection_get_welcome (self->connection);

  return welcome ? &welcome->user : NULL;
}

/* Shows the change at once and sends it. */
static gboolean
send_change (RlDocStore  *self,
             RlRequest   *request,
             RlEvent     *event,
             const char  *text,
             GError     **error)
{
  Pending *pending;
  Change *change;

  if (rl_connection_get_state (self->connection) != RL_CONNECTION_ONLINE || self->seq < 0)
    {
      rl_event_free (event);
      g_set_error (error, RL_ERROR, RL_ERROR_OFFLINE, "%s", rl_error_text (RL_ERROR_OFFLINE));
      return FALSE;
    }
  change = g_new0 (Change, 1);
  change->broadcast_id = g_strdup (request->broadcast_id);
  change->type = request->type;
  change->event = event;
  change->text = g_strdup (text);
  g_queue_push_tail (&self->changes, change);
  refresh (self);

  pending = g_new0 (Pending, 1);
  pending->store = g_object_ref (self);
  pending->broadcast_id = g_strdup (request->broadcast_id);
  rl_connection_request (self->connection, request, NULL, mutation_cb, pending);
  return TRUE;
}

static RlRequest *
new_request (RlDocStore    *self,
             RlRequestType  type,
             const char    *thread_id)
{
  RlRequest *request = rl_request_new (type);

  request->broadcast_id = rl_uuid_new ();
  request->doc = g_strdup (self->doc);
  request->thread_id = g_strdup (thread_id);
  return request;
}

/* The revision a change is made on, as the server will make it: the
 * latest known on a 1.1 link; 0 (the latest, unsaid) on a v1 one. */
static gint64
request_revision (RlDocStore *self)
{
  return rl_connection_speaks_revisions (self->connection) ? self->revision : 0;
}

/* What the request will do once the server commits it, as its echo will
 * say: shown until then. comment: the one an edit changes, as shown. */
static RlEvent *
predict (RlDocStore             *self,
         const RlRequest        *request,
         const RlComment        *comment,
         const RlRevisionAnchor *placement)
{
  RlEventContext context = {
    .doc_kind = self->kind,
    .doc = self->doc,
    .by = me (self),
    .now = rl_time_now_ms (),
    .comment = comment,
    .revision = request_revision (self),
    .placement = placement,
  };

  return rl_event_new_for_request (request, &context);
}

static char *
checked_body (const char  *body,
              GError     **error)
{
  char *normalized = body ? rl_body_normalize (body) : NULL;

  if (normalized == NULL)
    g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, _("A comment is 1 to 4000 characters"));
  return normalized;
}

/* A comment of the shown state, or NULL. */
static const RlComment *
shown_comment (RlDocStore  *self,
               const char  *thread_id,
               const char  *comment_id)
{
  RlThreadItem *item = g_hash_table_lookup (self->items, thread_id);

  /* Only read: rl_thread_find_comment's thread is not const for the
   * callers that change what it finds. */
  return item ? rl_thread_find_comment ((RlThread *) rl_thread_item_get_thread (item), comment_id, NULL)
              : NULL;
}

/* The mentions of body (spans in code points of it as typed) shifted to
 * text, its trimmed form, and checked as the server will (sorted, not
 * overlapping, each "@" and more, inside text); *shifted NULL when there
 * are none, or on a link before 1.2, which keeps none. */
static gboolean
checked_mentions (RlDocStore  *self,
                  const char  *body,
                  const char  *text,
                  GPtrArray   *mentions,
                  GPtrArray  **shifted,
                  GError     **error)
{
  g_autoptr(GPtrArray) into = NULL;
  glong lead, n_chars;
  gint64 last_end = 0;

  *shifted = NULL;
  if (mentions == NULL || mentions->len == 0 || !rl_connection_speaks_activity (self->connection))
    return TRUE;
  /* text is a slice of body that starts where its white space ends. */
  lead = g_utf8_pointer_to_offset (body, strstr (body, text));
  n_chars = g_utf8_strlen (text, -1);
  into = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_mention_free);
  for (guint i = 0; i < mentions->len; i++)
    {
      const RlMention *mention = g_ptr_array_index (mentions, i);
      gint64 start = mention->start - lead, end = mention->end - lead;

      if (i >= RL_MENTIONS_MAX || mention->user == NULL || *mention->user == '\0' ||
          start < last_end || end <= start + 1 || end > n_chars ||
          g_utf8_get_char (g_utf8_offset_to_pointer (text, start)) != '@')
        {
          g_set_error_literal (error, RL_ERROR, RL_ERROR_BAD_REQUEST, rl_error_text (RL_ERROR_BAD_REQUEST));
          return FALSE;
        }
      g_ptr_array_add (into, rl_mention_new (mention->user, start, end));
      last_end = end;
    }
  *shifted = g_steal_pointer (&into);
  return TRUE;
}

/* A comment's body and mentions into request (create-thread, add- and
 * edit-comment); FALSE with the error when either is refused. */
static gboolean
set_comment (RlDocStore  *self,
             RlRequest   *request,
             const char  *body,
             GPtrArray   *mentions,
             GError     **error)
{
  g_autofree char *text = checked_body (body, error);

  if (text == NULL || !checked_mentions (self, body, text, mentions, &request->mentions, error))
    return FALSE;
  request->body = g_steal_pointer (&text);
  return TRUE;
}

gboolean
rl_doc_store_create_thread (RlDocStore      *self,
                            const RlAnchor  *anchor,
                            const char      *body,
                            char           **thread_id,
                            GError         **error)
{
  return rl_doc_store_create_thread_with_mentions (self, anchor, body, NULL, thread_id, error);
}

gboolean
rl_doc_store_create_thread_with_mentions (RlDocStore      *self,
                                          const RlAnchor  *anchor,
                                          const char      *body,
                                          GPtrArray       *mentions,
                                          char           **thread_id,
                                          GError         **error)
{
  g_autofree char *id = rl_uuid_new ();
  g_autoptr(RlRequest) request = NULL;

  g_return_val_if_fail (RL_IS_DOC_STORE (self), FALSE);

  request = new_request (self, RL_REQUEST_CREATE_THREAD, id);
  if (!set_comment (self, request, body, mentions, error))
    return FALSE;
  request->comment_id = rl_uuid_new ();
  request->has_anchor = TRUE;
  rl_anchor_copy_into (&request->anchor, anchor);
  request->revision = request_revision (self);

  if (!send_change (self, request, predict (self, request, NULL, NULL), body, error))
    return FALSE;
  if (thread_id)
    *thread_id = g_steal_pointer (&id);
  return TRUE;
}

gboolean
rl_doc_store_add_comment (RlDocStore  *self,
                          const char  *thread_id,
                          const char  *body,
                          char       **comment_id,
                          GError     **error)
{
  return rl_doc_store_add_comment_with_mentions (self, thread_id, body, NULL, comment_id, error);
}

gboolean
rl_doc_store_add_comment_with_mentions (RlDocStore  *self,
                                        const char  *thread_id,
                                        const char  *body,
                                        GPtrArray   *mentions,
                                        char       **comment_id,
                                        GError     **error)
{
  g_autoptr(RlRequest) request = NULL;

  g_return_val_if_fail (RL_IS_DOC_STORE (self), FALSE);

  request = new_request (self, RL_REQUEST_ADD_COMMENT, thread_id);
  if (!set_comment (self, request, body, mentions, error))
    return FALSE;
  request->comment_id = rl_uuid_new ();
  if (!send_change (self, request, predict (self, request, NULL, NULL), body, error))
    return FALSE;
  if (comment_id)
    *comment_id = g_strdup (request->comment_id);
  return TRUE;
}

gboolean
rl_doc_store_edit_comment (RlDocStore  *self,
                           const char  *thread_id,
                           const char  *comment_id,
                           const char  *body,
                           GError     **error)
{
  return rl_doc_store_edit_comment_with_mentions (self, thread_id, comment_id, body, NULL, error);
}

gboolean
rl_doc_store_edit_comment_with_mentions (RlDocStore  *self,
                                         const char  *thread_id,
                                         const char  *comment_id,
                                         const char  *body,
                                         GPtrArray   *mentions,
                                         GError     **error)
{
  g_autoptr(RlRequest) request = NULL;
  const RlComment *old;

  g_return_val_if_fail (RL_IS_DOC_STORE (self), FALSE);

  old = shown_comment (self, thread_id, comment_id);
  request = new_request (self, RL_REQUEST_EDIT_COMMENT, thread_id);
  if (!set_comment (self, request, body, mentions, error))
    return FALSE;
  request->comment_id = g_strdup (comment_id);
  return send_change (self, request, predict (self, request, old, NULL), body, error);
}

gboolean
rl_doc_store_delete_comment (RlDocStore  *self,
                             const char  *thread_id,
                             const char  *comment_id,
                             GError     **error)
{
  g_autoptr(RlRequest) request = new_request (self, RL_REQUEST_DELETE_COMMENT, thread_id);
  const RlComment *old = shown_comment (self, thread_id, comment_id);

  request->comment_id = g_strdup (comment_id);
  return send_change (self, request, predict (self, request, NULL, NULL), old ? old->body : NULL, error);
}

gboolean
rl_doc_store_resolve_thread (RlDocStore  *self,
                             const char  *thread_id,
                             gboolean     resolved,
                             GError     **error)
{
  g_autoptr(RlRequest) request = new_request (self, RL_REQUEST_RESOLVE_THREAD, thread_id);

  request->resolved = resolved;
  return send_change (self, request, predict (self, request, NULL, NULL), NULL, error);
}

gboolean
rl_doc_store_move_thread (RlDocStore      *self,
                          const char      *thread_id,
                          const RlAnchor  *anchor,
                          GError         **error)
{
  g_autoptr(RlRequest) request = new_request (self, RL_REQUEST_MOVE_THREAD, thread_id);

  request->has_anchor = TRUE;
  rl_anchor_copy_into (&request->anchor, anchor);
  request->revision = request_revision (self);
  return send_change (self, request, predict (self, request, NULL, NULL), NULL, error);
}

gboolean
rl_doc_store_place_thread (RlDocStore      *self,
                           const char      *thread_id,
                           const RlAnchor  *anchor,
                           GError         **error)
{
  g_autoptr(RlRequest) request = NULL;
  RlThreadItem *item;
  const RlRevisionAnchor *placement = NULL;

  g_return_val_if_fail (RL_IS_DOC_STORE (self), FALSE);
  g_return_val_if_fail (thread_id != NULL, FALSE);

  if (rl_connection_get_state (self->connection) == RL_CONNECTION_ONLINE &&
      (!rl_connection_speaks_revisions (self->connection) || self->revision <= 0))
    {
      g_set_error_literal (error, RL_ERROR, RL_ERROR_UNKNOWN_TYPE, rl_error_text (RL_ERROR_UNKNOWN_TYPE));
      return FALSE;
    }
  item = g_hash_table_lookup (self->items, thread_id);
  if (item)
    placement = rl_thread_get_placement (rl_thread_item_get_thread (item), self->revision);
  if (anchor == NULL && (placement == NULL || placement->status == RL_PLACEMENT_ORPHANED))
    {
      /* Nothing to confirm: the server would refuse it the same way. */
      g_set_error_literal (error, RL_ERROR, RL_ERROR_BAD_REQUEST, rl_error_text (RL_ERROR_BAD_REQUEST));
      return FALSE;
    }
  request = new_request (self, RL_REQUEST_PLACE_THREAD, thread_id);
  request->revision = self->revision;
  if (anchor)
    {
      request->has_anchor = TRUE;
      rl_anchor_copy_into (&request->anchor, anchor);
    }
  return send_change (self, request, predict (self, request, NULL, placement), NULL, error);
}

gboolean
rl_doc_store_delete_thread (RlDocStore  *self,
                            const char  *thread_id,
                            GError     **error)
{
  g_autoptr(RlRequest) request = new_request (self, RL_REQUEST_DELETE_THREAD, thread_id);

  return send_change (self, request, predict (self, request, NULL, NULL), NULL, error);
}

/* ---- object --------------------------------------------------------------- */

static void
rl_doc_store_dispose (GObject *object)
{
  RlDocStore *self = RL_DOC_STORE (object);

  rl_stream_clear (&self->stream);
  /* What is not on disk yet goes now: at once when nothing is being
   * written, else after it (so the newest state is the one that stays). */
  if (self->save_id != 0)
    {
      g_autoptr(GError) error = NULL;

      g_clear_handle_id (&self->save_id, g_source_remove);
      if (rl_snapshot_cache_get_n_pending (self->cache) > 0)
        save_now (self);
      else if (!rl_snapshot_cache_save (self->cache, self->doc, self->kind, self->seq, self->confirmed, &error))
        g_debug ("store %s: snapshot not cached: %s", self->doc, error->message);
    }
  if (self->connection)
    {
      GHashTable *docs = g_hash_table_lookup (registry, self->connection);

      /* Nobody looks at the document any more: teammates stop counting
       * this user as a viewer (fire and forget; a lost link says it too). */
      if (rl_stream_lost (&self->stream) && rl_connection_get_state (self->connection) == RL_CONNECTION_ONLINE)
        {
          g_autoptr(RlRequest) request = rl_request_new (RL_REQUEST_UNSUBSCRIBE);

          request->doc = g_strdup (self->doc);
          rl_connection_request (self->connection, request, NULL, NULL, NULL);
        }

      if (docs)
        {
          g_hash_table_remove (docs, self->doc);
          if (g_hash_table_size (docs) == 0)
            g_hash_table_remove (registry, self->connection);
        }
      g_signal_handlers_disconnect_by_data (self->connection, self);
      g_clear_object (&self->connection);
    }
  G_OBJECT_CLASS (rl_doc_store_parent_class)->dispose (object);
}

static void
rl_doc_store_finalize (GObject *object)
{
  RlDocStore *self = RL_DOC_STORE (object);
  GHashTableIter iter;
  RlThreadItem *item;

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &item))
    g_object_unref (item);
  g_hash_table_unref (self->items);
  g_clear_object (&self->threads);
  g_ptr_array_unref (self->confirmed);
  g_queue_clear_full (&self->changes, (GDestroyNotify) change_free);
  g_strfreev (self->viewer_names);
  g_clear_pointer (&self->latest, rl_revision_free);
  g_hash_table_unref (self->read_threads);
  g_queue_clear_full (&self->read_sent, g_free);
  g_clear_object (&self->cache);
  g_free (self->cache_user);
  g_free (self->doc);
  G_OBJECT_CLASS (rl_doc_store_parent_class)->finalize (object);
}

static void
rl_doc_store_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RlDocStore *self = RL_DOC_STORE (object);

  switch (prop_id)
    {
    case PROP_SEQ:
      g_value_set_int64 (value, self->seq);
      break;
    case PROP_VIEWER_COUNT:
      g_value_set_uint (value, self->viewer_count);
      break;
    case PROP_SYNCED:
      g_value_set_boolean (value, self->stream.subscribed);
      break;
    case PROP_REVISION:
      g_value_set_int64 (value, self->revision);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_doc_store_class_init (RlDocStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_doc_store_dispose;
  object_class->finalize = rl_doc_store_finalize;
  object_class->get_property = rl_doc_store_get_property;

  properties[PROP_SEQ] =
    g_param_spec_int64 ("seq", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEWER_COUNT] =
    g_param_spec_uint ("viewer-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SYNCED] =
    g_param_spec_boolean ("synced", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The document's latest revision, from the snapshot, the revision-added
   * events and the document's metadata; 0 while not known (a v1 server). */
  properties[PROP_REVISION] =
    g_param_spec_int64 ("revision", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (RlRequestType type, const GError *error, const char *text,
   * const RlEvent *change): a change was rolled back; text is what the user
   * typed (NULL for none); change is what it did, shaped as its echo (the
   * new thread with its anchor, or the thread and comment ids), so a retry
   * knows where it went. The handler's to read, not to keep. */
  signals[SIGNAL_MUTATION_FAILED] =
    g_signal_new ("mutation-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, RL_TYPE_REQUEST_TYPE, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING, RL_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* (RlRequestType type, const RlEvent *change, gint64 seq): the server
   * committed an own change at seq (said by its ack or its echo, whichever
   * came first: once per change). change is what it does, shaped as its
   * echo (ids, body, anchor), the handler's to read, not to keep. */
  signals[SIGNAL_MUTATION_CONFIRMED] =
    g_signal_new ("mutation-confirmed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, RL_TYPE_REQUEST_TYPE, RL_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_INT64);
  /* (guint n_updates): back after a lost link, with what arrived meanwhile. */
  signals[SIGNAL_RESYNCED] =
    g_signal_new ("resynced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
  /* (const RlRevision *revision, const char *broadcast_id): a
   * revision-added event brought a newer revision (after "revision"
   * notified); broadcast_id is the Redline-Broadcast-Id its uploader sent
   * (rl_api_upload_revision), so the window that uploaded it knows its
   * own. Nobody is switched to it: the app offers it. The handler's to
   * read, not to keep. */
  signals[SIGNAL_REVISION_ADDED] =
    g_signal_new ("revision-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, RL_TYPE_REVISION | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_STRING);
  /* What is unread may have changed (the read state, or the comments):
   * views ask again (rl_doc_store_get_unread, _get_thread_unread,
   * _is_comment_unread). */
  signals[SIGNAL_UNREAD_CHANGED] =
    g_signal_new ("unread-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
rl_doc_store_init (RlDocStore *self)
{
  self->confirmed = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  self->threads = g_list_store_new (RL_TYPE_THREAD_ITEM);
  self->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->seq = -1;
  g_queue_init (&self->changes);
  self->read_threads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_queue_init (&self->read_sent);
}

RlDocStore *
rl_doc_store_get (RlConnection *connection,
                  const char   *doc,
                  RlDocKind     kind)
{
  GHashTable *docs;
  RlDocStore *self;

  g_return_val_if_fail (RL_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (doc != NULL, NULL);

  if (registry == NULL)
    registry = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                      (GDestroyNotify) g_hash_table_unref);
  docs = g_hash_table_lookup (registry, connection);
  if (docs && (self = g_hash_table_lookup (docs, doc)))
    return g_object_ref (self);

  self = g_object_new (RL_TYPE_DOC_STORE, NULL);
  self->connection = g_object_ref (connection);
  self->doc = g_strdup (doc);
  self->kind = kind;
  if (docs == NULL)
    {
      docs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (registry, connection, docs);
    }
  g_hash_table_insert (docs, g_strdup (doc), self);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (connection, "notify::state", G_CALLBACK (on_state), self);
  rl_stream_init (&self->stream, connection, G_OBJECT (self), subscribe_request, subscribed);
  load_cache (self);
  rl_stream_subscribe (&self->stream);
  return self;
}

RlConnection *
rl_doc_store_get_connection (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), NULL);
  return self->connection;
}

const char *
rl_doc_store_get_doc_id (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), NULL);
  return self->doc;
}

GListModel *
rl_doc_store_get_threads (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), NULL);
  return G_LIST_MODEL (self->threads);
}

gint64
rl_doc_store_get_seq (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), -1);
  return self->seq;
}

gboolean
rl_doc_store_is_synced (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), FALSE);
  return self->stream.subscribed;
}

guint
rl_doc_store_get_viewer_count (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), 0);
  return self->viewer_count;
}

GStrv
rl_doc_store_dup_viewer_names (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), NULL);
  return self->viewer_names ? g_strdupv (self->viewer_names) : g_new0 (char *, 1);
}

GPtrArray *
rl_doc_store_dup_confirmed (RlDocStore *self)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);

  g_return_val_if_fail (RL_IS_DOC_STORE (self), copy);
  for (guint i = 0; i < self->confirmed->len; i++)
    g_ptr_array_add (copy, rl_thread_ref (g_ptr_array_index (self->confirmed, i)));
  return copy;
}

guint
rl_doc_store_get_n_in_flight (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), 0);
  return self->changes.length;
}

guint
rl_doc_store_get_n_remembered (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), 0);
  return count_remembered (self);
}

guint
rl_doc_store_get_n_gap_resubscribes (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), 0);
  return self->stream.gap_resubscribes;
}

void
rl_doc_store_drop_events_for_testing (RlDocStore *self,
                                      guint       n)
{
  g_return_if_fail (RL_IS_DOC_STORE (self));
  self->drop_events = n;
}

gboolean
rl_doc_store_is_from_cache (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), FALSE);
  return self->from_cache;
}

gint64
rl_doc_store_get_revision (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), 0);
  return self->revision;
}

const RlRevision *
rl_doc_store_get_latest_revision (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), NULL);
  return self->latest;
}

void
rl_doc_store_note_document (RlDocStore       *self,
                            const RlDocument *document)
{
  g_return_if_fail (RL_IS_DOC_STORE (self));
  g_return_if_fail (document != NULL);
  if (g_strcmp0 (document->id, self->doc) == 0)
    raise_revision (self, document->revision);
}

void
rl_doc_store_note_revision (RlDocStore       *self,
                            const RlRevision *revision)
{
  g_return_if_fail (RL_IS_DOC_STORE (self));
  g_return_if_fail (revision != NULL);
  if (revision->revision < self->revision)
    return;
  if (raise_revision (self, revision->revision) || self->latest == NULL)
    {
      g_clear_pointer (&self->latest, rl_revision_free);
      self->latest = rl_revision_copy (revision);
    }
}

/* ---- unread --------------------------------------------------------------- */

guint
rl_doc_store_get_thread_unread (RlDocStore *self,
                                const char *thread_id)
{
  RlThreadItem *item;

  g_return_val_if_fail (RL_IS_DOC_STORE (self), 0);
  g_return_val_if_fail (thread_id != NULL, 0);

  item = g_hash_table_lookup (self->items, thread_id);
  return item ? count_thread_unread (self, rl_thread_item_get_thread (item), NULL) : 0;
}

gboolean
rl_doc_store_is_comment_unread (RlDocStore *self,
                                const char *thread_id,
                                const char *comment_id)
{
  const RlComment *comment;

  g_return_val_if_fail (RL_IS_DOC_STORE (self), FALSE);
  g_return_val_if_fail (thread_id != NULL, FALSE);
  g_return_val_if_fail (comment_id != NULL, FALSE);

  comment = shown_comment (self, thread_id, comment_id);
  return comment && comment_is_unread (self, comment, thread_read_up_to (self, thread_id));
}

void
rl_doc_store_get_unread (RlDocStore     *self,
                         RlUnreadCounts *counts)
{
  g_return_if_fail (RL_IS_DOC_STORE (self));
  g_return_if_fail (counts != NULL);
  count_unread (self, counts);
}

guint
rl_doc_store_get_new_since_open (RlDocStore *self)
{
  g_return_val_if_fail (RL_IS_DOC_STORE (self), 0);
  return self->new_since_open;
}

static void
marked_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlMessage) ack = rl_connection_request_finish (RL_CONNECTION (source), result, &error);

  /* Shown as read already; the server has it at the next mark-read. */
  if (ack == NULL)
    g_debug ("mark-read not kept: %s", error->message);
}

gboolean
rl_doc_store_mark_read (RlDocStore  *self,
                        const char  *thread_id,
                        gint64       seq,
                        GError     **error)
{
  g_autoptr(RlRequest) request = NULL;

  g_return_val_if_fail (RL_IS_DOC_STORE (self), FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);

  if (rl_connection_get_state (self->connection) != RL_CONNECTION_ONLINE)
    {
      g_set_error_literal (error, RL_ERROR, RL_ERROR_OFFLINE, rl_error_text (RL_ERROR_OFFLINE));
      return FALSE;
    }
  /* Before 1.2 nothing is unread; nothing past what the store has is read. */
  if (!self->read_known || !rl_connection_speaks_activity (self->connection) ||
      !raise_read (self, thread_id, MIN (seq, self->seq)))
    return TRUE;

  request = new_request (self, RL_REQUEST_MARK_READ, thread_id);
  request->seq = MIN (seq, self->seq);
  g_queue_push_tail (&self->read_sent, g_strdup (request->broadcast_id));
  while (self->read_sent.length > MAX_READ_SENT)
    g_free (g_queue_pop_head (&self->read_sent));
  unread_changed (self);
  rl_connection_request (self->connection, request, NULL, marked_read_cb, NULL);
  return TRUE;
}
