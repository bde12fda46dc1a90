/* rl-activity-feed.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-activity-feed-private.h"

#include "rl-error.h"
#include "rl-stream.h"

struct _RlActivityFeed
{
  GObject       parent_instance;

  RlConnection *connection;
  RlApi        *api;

  RlStream      stream;         /* the user's activity, by aseq */
  gint64        aseq;           /* the last applied; -1 before a snapshot */
  guint         drop_items;     /* tests: items to lose on the way */

  GHashTable   *unread;         /* doc id → RlActivityUnread*, only documents with some */
  GListStore   *recent;         /* RlActivityItem, newest first */
  GHashTable   *fetching;       /* doc id → GINT_TO_POINTER (asked again meanwhile) */
  GCancellable *cancellable;    /* the re-reads */
};

G_DEFINE_FINAL_TYPE (RlActivityFeed, rl_activity_feed, G_TYPE_OBJECT)

enum { PROP_0, PROP_ASEQ, PROP_SYNCED, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_ITEM_ADDED, SIGNAL_UNREAD_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* connection → RlActivityFeed (not owned) */
static GHashTable *registry;

static void
set_aseq (RlActivityFeed *self,
          gint64          aseq)
{
  if (self->aseq == aseq)
    return;
  self->aseq = aseq;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASEQ]);
}

/* ---- unread per document ---------------------------------------------------- */

static gboolean
counts_equal (const RlUnreadCounts *a,
              const RlUnreadCounts *b)
{
  return a->threads == b->threads && a->comments == b->comments && a->mentions == b->mentions;
}

/* doc's counts become counts (none: the document is dropped); tells when
 * they changed. */
static void
set_unread (RlActivityFeed       *self,
            const RlActivityDoc  *doc,
            const RlUnreadCounts *counts)
{
  RlActivityUnread *line = g_hash_table_lookup (self->unread, doc->id);
  RlUnreadCounts none = { 0 };
  g_autofree char *doc_id = g_strdup (doc->id);

  if (counts_equal (line ? &line->counts : &none, counts))
    return;
  if (counts->comments == 0 && counts->threads == 0 && counts->mentions == 0)
    g_hash_table_remove (self->unread, doc->id);
  else
    {
      if (line == NULL)
        {
          line = g_new0 (RlActivityUnread, 1);
          rl_activity_doc_copy_into (&line->doc, doc);
          g_hash_table_insert (self->unread, g_strdup (doc->id), line);
        }
      else if (g_strcmp0 (line->doc.title, doc->title) != 0)
        {
          g_free (line->doc.title);
          line->doc.title = g_strdup (doc->title);
        }
      line->counts = *counts;
    }
  g_signal_emit (self, signals[SIGNAL_UNREAD_CHANGED], 0, doc_id);
}

typedef struct
{
  RlActivityFeed *feed;
  char           *doc_id;
} Fetch;

static void fetch_unread (RlActivityFeed *self,
                          const char     *doc_id);

static void
document_read (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Fetch *fetch = data;
  g_autoptr(RlActivityFeed) self = fetch->feed;
  g_autofree char *doc_id = fetch->doc_id;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocument) doc = rl_api_get_document_finish (RL_API (source), result, &error);
  gboolean again;

  g_free (fetch);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  again = GPOINTER_TO_INT (g_hash_table_lookup (self->fetching, doc_id));
  g_hash_table_remove (self->fetching, doc_id);
  if (doc != NULL)
    {
      RlActivityDoc named = { .id = doc->id, .title = doc->title, .kind = doc->kind };
      RlUnreadCounts none = { 0 };

      set_unread (self, &named, doc->has_unread ? &doc->unread : &none);
    }
  else if (g_error_matches (error, RL_ERROR, RL_ERROR_NOT_FOUND))
    {
      /* Deleted, or no longer the user's to see: nothing is unread there. */
      RlActivityDoc named = { .id = doc_id };
      RlUnreadCounts none = { 0 };

      set_unread (self, &named, &none);
    }
  else
    g_debug ("activity: unread of %s not read: %s", doc_id, error->message);
  if (again)
    fetch_unread (self, doc_id);
}

static void
fetch_unread (RlActivityFeed *self,
              const char     *doc_id)
{
  Fetch *fetch;

  if (g_hash_table_contains (self->fetching, doc_id))
    {
      /* What it answers may predate the item: ask once more after it. */
      g_hash_table_replace (self->fetching, g_strdup (doc_id), GINT_TO_POINTER (TRUE));
      return;
    }
  g_hash_table_insert (self->fetching, g_strdup (doc_id), GINT_TO_POINTER (FALSE));
  fetch = g_new0 (Fetch, 1);
  fetch->feed = g_object_ref (self);
  fetch->doc_id = g_strdup (doc_id);
  rl_api_get_document (self->api, doc_id, self->cancellable, document_read, fetch);
}

/* ---- items ------------------------------------------------------------------ */

static gboolean
is_recent_kind (RlActivityKind kind)
{
  return kind == RL_ACTIVITY_MENTION || kind == RL_ACTIVITY_REPLY;
}

static void
add_recent (RlActivityFeed   *self,
            const RlActivity *activity)
{
  g_autoptr(RlActivityItem) item = rl_activity_item_new (activity);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->recent));

  if (n >= RL_ACTIVITY_FEED_MAX_RECENT)
    g_list_store_splice (self->recent, RL_ACTIVITY_FEED_MAX_RECENT - 1, n - (RL_ACTIVITY_FEED_MAX_RECENT - 1),
                         NULL, 0);
  g_list_store_insert (self->recent, 0, item);
}

static void
apply_item (RlActivityFeed   *self,
            const RlActivity *activity)
{
  gboolean was_synced;

  switch (rl_stream_step (self->aseq, activity->aseq))
    {
    case RL_STREAM_DUPLICATE:
      return;
    case RL_STREAM_APPLY:
      break;
    case RL_STREAM_GAP:
      g_debug ("activity: gap (have %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT ")",
               self->aseq, activity->aseq);
      was_synced = self->stream.subscribed;
      rl_stream_resubscribe (&self->stream);
      if (was_synced)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
      return;
    }
  set_aseq (self, activity->aseq);
  if (is_recent_kind (activity->kind))
    add_recent (self, activity);
  /* New comments, or read ones: the document's counts moved. */
  if (is_recent_kind (activity->kind) || activity->kind == RL_ACTIVITY_READ)
    fetch_unread (self, activity->doc.id);
  g_signal_emit (self, signals[SIGNAL_ITEM_ADDED], 0, activity);
}

/* The snapshot that starts the feed, or starts it over (reset: the log no
 * longer held what was missed). Its items newer than what was applied
 * before a reset are new to the user and told; the first snapshot's are
 * history. */
static void
apply_snapshot (RlActivityFeed  *self,
                const RlMessage *message)
{
  g_autoptr(GHashTable) before = g_steal_pointer (&self->unread);
  GHashTableIter iter;
  RlActivityUnread *line;
  gint64 last = self->aseq;
  guint n_recent = g_list_model_get_n_items (G_LIST_MODEL (self->recent));
  guint first = message->activities->len > RL_ACTIVITY_FEED_MAX_RECENT
                  ? message->activities->len - RL_ACTIVITY_FEED_MAX_RECENT : 0;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  /* Unread: what the snapshot says, each change told. */
  self->unread = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) rl_activity_unread_free);
  for (guint i = 0; i < message->unread->len; i++)
    {
      const RlActivityUnread *said = g_ptr_array_index (message->unread, i);

      char *key;

      line = g_hash_table_lookup (before, said->doc.id);
      if (line && counts_equal (&line->counts, &said->counts) &&
          g_hash_table_steal_extended (before, said->doc.id, (gpointer *) &key, (gpointer *) &line))
        {
          /* Unchanged: nothing to tell. */
          g_hash_table_insert (self->unread, key, line);
          continue;
        }
      set_unread (self, &said->doc, &said->counts);
    }
  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &line))
    if (!g_hash_table_contains (self->unread, line->doc.id))
      g_signal_emit (self, signals[SIGNAL_UNREAD_CHANGED], 0, line->doc.id);

  /* Recent: the snapshot's, newest first. */
  for (guint i = message->activities->len; i > first; i--)
    {
      const RlActivity *activity = g_ptr_array_index (message->activities, i - 1);

      if (is_recent_kind (activity->kind))
        g_ptr_array_add (items, rl_activity_item_new (activity));
    }
  g_list_store_splice (self->recent, 0, n_recent, items->pdata, items->len);

  set_aseq (self, message->aseq);
  if (last >= 0)
    for (guint i = 0; i < message->activities->len; i++)
      {
        const RlActivity *activity = g_ptr_array_index (message->activities, i);

        if (activity->aseq > last)
          g_signal_emit (self, signals[SIGNAL_ITEM_ADDED], 0, activity);
      }
}

static void
on_message (RlConnection *connection,
            RlMessage    *message,
            gpointer      data)
{
  RlActivityFeed *self = data;

  switch (message->type)
    {
    case RL_MESSAGE_ACTIVITY_SNAPSHOT:
      apply_snapshot (self, message);
      break;
    case RL_MESSAGE_ACTIVITY:
      if (self->aseq < 0)
        break;   /* before the snapshot: it will hold it */
      if (self->drop_items > 0)
        {
          self->drop_items--;
          g_debug ("activity: losing item %" G_GINT64_FORMAT " (test)", message->activity->aseq);
          break;
        }
      apply_item (self, message->activity);
      break;
    case RL_MESSAGE_UNREAD_HINT:
      /* Someone's comment or thread in the document, maybe none of the
       * user's items (a thread they are not in): its counts are read again,
       * coalesced like an item's. Before the snapshot, it will hold them. */
      if (self->aseq >= 0)
        fetch_unread (self, message->doc);
      break;
    case RL_MESSAGE_BATCH:
      for (guint i = 0; i < message->messages->len; i++)
        on_message (connection, g_ptr_array_index (message->messages, i), self);
      break;
    default:
      break;
    }
}

/* ---- subscription ----------------------------------------------------------- */

static void
subscribed (GObject   *owner,
            RlMessage *ack)
{
  RlActivityFeed *self = RL_ACTIVITY_FEED (owner);

  if (ack->aseq > self->aseq)
    {
      /* The ack's head is past what came: something was lost on the way. */
      g_debug ("activity: acked at %" G_GINT64_FORMAT " with %" G_GINT64_FORMAT " applied",
               ack->aseq, self->aseq);
      rl_stream_resubscribe (&self->stream);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
}

static RlRequest *
subscribe_request (GObject *owner)
{
  RlActivityFeed *self = RL_ACTIVITY_FEED (owner);
  RlRequest *request;

  if (!rl_connection_speaks_activity (self->connection))
    return NULL;
  request = rl_request_new (RL_REQUEST_SUBSCRIBE_ACTIVITY);
  if (self->aseq >= 0)
    {
      request->has_since = TRUE;
      request->since = self->aseq;
    }
  return request;
}

static void
on_state (RlConnection *connection,
          GParamSpec   *pspec,
          gpointer      data)
{
  RlActivityFeed *self = data;

  if (rl_connection_get_state (connection) == RL_CONNECTION_ONLINE)
    rl_stream_subscribe (&self->stream);
  else if (rl_stream_lost (&self->stream))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
}

/* ---- object ----------------------------------------------------------------- */

static void
rl_activity_feed_dispose (GObject *object)
{
  RlActivityFeed *self = RL_ACTIVITY_FEED (object);

  rl_stream_clear (&self->stream);
  g_cancellable_cancel (self->cancellable);
  if (self->connection)
    {
      /* Nobody listens any more: the server stops sending (fire and forget). */
      if (rl_stream_lost (&self->stream) && rl_connection_get_state (self->connection) == RL_CONNECTION_ONLINE)
        {
          g_autoptr(RlRequest) request = rl_request_new (RL_REQUEST_UNSUBSCRIBE_ACTIVITY);

          rl_connection_request (self->connection, request, NULL, NULL, NULL);
        }
      if (registry && g_hash_table_lookup (registry, self->connection) == self)
        g_hash_table_remove (registry, self->connection);
      g_signal_handlers_disconnect_by_data (self->connection, self);
      g_clear_object (&self->connection);
    }
  g_clear_object (&self->api);
  G_OBJECT_CLASS (rl_activity_feed_parent_class)->dispose (object);
}

static void
rl_activity_feed_finalize (GObject *object)
{
  RlActivityFeed *self = RL_ACTIVITY_FEED (object);

  g_clear_pointer (&self->unread, g_hash_table_unref);
  g_clear_pointer (&self->fetching, g_hash_table_unref);
  g_clear_object (&self->recent);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (rl_activity_feed_parent_class)->finalize (object);
}

static void
rl_activity_feed_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RlActivityFeed *self = RL_ACTIVITY_FEED (object);

  switch (prop_id)
    {
    case PROP_ASEQ:
      g_value_set_int64 (value, self->aseq);
      break;
    case PROP_SYNCED:
      g_value_set_boolean (value, self->stream.subscribed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_activity_feed_class_init (RlActivityFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_activity_feed_dispose;
  object_class->finalize = rl_activity_feed_finalize;
  object_class->get_property = rl_activity_feed_get_property;

  properties[PROP_ASEQ] =
    g_param_spec_int64 ("aseq", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SYNCED] =
    g_param_spec_boolean ("synced", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (const RlActivity *activity): a new item, of any kind, told exactly
   * once: never again when a reconnect or a gap replays it, nor for the
   * history a first snapshot brings (a reset's snapshot tells those of its
   * items that are newer than what was applied). What a notifier hears.
   * The handler's to read, not to keep. */
  signals[SIGNAL_ITEM_ADDED] =
    g_signal_new ("item-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RL_TYPE_ACTIVITY | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* (const char *doc_id): what is unread in that document changed
   * (rl_activity_feed_get_unread). */
  signals[SIGNAL_UNREAD_CHANGED] =
    g_signal_new ("unread-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
rl_activity_feed_init (RlActivityFeed *self)
{
  self->aseq = -1;
  self->unread = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) rl_activity_unread_free);
  self->recent = g_list_store_new (RL_TYPE_ACTIVITY_ITEM);
  self->fetching = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

RlActivityFeed *
rl_activity_feed_get (RlConnection *connection,
                      RlApi        *api)
{
  RlActivityFeed *self;

  g_return_val_if_fail (RL_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (RL_IS_API (api), NULL);

  if (registry == NULL)
    registry = g_hash_table_new (g_direct_hash, g_direct_equal);
  self = g_hash_table_lookup (registry, connection);
  if (self)
    return g_object_ref (self);

  self = g_object_new (RL_TYPE_ACTIVITY_FEED, NULL);
  self->connection = g_object_ref (connection);
  self->api = g_object_ref (api);
  g_hash_table_insert (registry, connection, self);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (connection, "notify::state", G_CALLBACK (on_state), self);
  rl_stream_init (&self->stream, connection, G_OBJECT (self), subscribe_request, subscribed);
  rl_stream_subscribe (&self->stream);
  return self;
}

RlConnection *
rl_activity_feed_get_connection (RlActivityFeed *self)
{
  g_return_val_if_fail (RL_IS_ACTIVITY_FEED (self), NULL);
  return self->connection;
}

gint64
rl_activity_feed_get_aseq (RlActivityFeed *self)
{
  g_return_val_if_fail (RL_IS_ACTIVITY_FEED (self), -1);
  return self->aseq;
}

gboolean
rl_activity_feed_is_synced (RlActivityFeed *self)
{
  g_return_val_if_fail (RL_IS_ACTIVITY_FEED (self), FALSE);
  return self->stream.subscribed;
}

GListModel *
rl_activity_feed_get_recent (RlActivityFeed *self)
{
  g_return_val_if_fail (RL_IS_ACTIVITY_FEED (self), NULL);
  return G_LIST_MODEL (self->recent);
}

gboolean
rl_activity_feed_get_unread (RlActivityFeed *self,
                             const char     *doc_id,
                             RlUnreadCounts *counts)
{
  RlActivityUnread *line;

  g_return_val_if_fail (RL_IS_ACTIVITY_FEED (self), FALSE);
  g_return_val_if_fail (doc_id != NULL, FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  line = g_hash_table_lookup (self->unread, doc_id);
  *counts = line ? line->counts : (RlUnreadCounts) { 0 };
  return line != NULL;
}

GPtrArray *
rl_activity_feed_dup_unread (RlActivityFeed *self)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_activity_unread_free);
  GHashTableIter iter;
  RlActivityUnread *line;

  g_return_val_if_fail (RL_IS_ACTIVITY_FEED (self), lines);
  g_hash_table_iter_init (&iter, self->unread);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &line))
    {
      RlActivityUnread *copy = g_new0 (RlActivityUnread, 1);

      rl_activity_doc_copy_into (&copy->doc, &line->doc);
      copy->counts = line->counts;
      g_ptr_array_add (lines, copy);
    }
  return lines;
}

void
rl_activity_feed_refresh_unread (RlActivityFeed *self,
                                 const char     *doc_id)
{
  g_return_if_fail (RL_IS_ACTIVITY_FEED (self));
  g_return_if_fail (doc_id != NULL);
  fetch_unread (self, doc_id);
}

guint
rl_activity_feed_get_n_gap_resubscribes (RlActivityFeed *self)
{
  g_return_val_if_fail (RL_IS_ACTIVITY_FEED (self), 0);
  return self->stream.gap_resubscribes;
}

void
rl_activity_feed_drop_items_for_testing (RlActivityFeed *self,
                                         guint           n)
{
  g_return_if_fail (RL_IS_ACTIVITY_FEED (self));
  self->drop_items = n;
}

guint
rl_activity_feed_get_n_fetching (RlActivityFeed *self)
{
  g_return_val_if_fail (RL_IS_ACTIVITY_FEED (self), 0);
  return g_hash_table_size (self->fetching);
}
