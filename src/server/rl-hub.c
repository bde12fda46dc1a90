/* rl-hub.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-hub.h"

#include <string.h>

#include "rl-codec.h"
#include "rl-limits.h"
#include "rl-metrics.h"
#include "rl-outbox.h"

/* A batch frame stays well under what ordinary clients accept in one frame. */
#define BATCH_MAX_BYTES (60 * 1024)

#define HINT_INTERVAL_US (RL_HUB_HINT_INTERVAL_MS * G_GINT64_CONSTANT (1000))

typedef struct
{
  RlHub      *hub;
  char       *key;
  char       *tenant;
  char       *doc;
  GPtrArray  *subscribers;  /* RlSubscriber* */
  GHashTable *viewers;      /* user id → RlViewer* */
  GPtrArray  *pending;      /* serialized events of this main-loop turn */
  gint64      delivered;    /* the last seq sent or queued to every subscriber */
  gboolean    dirty;        /* listed in the hub's dirty rooms */
  gint64      last_frame_us; /* when the room's events last went out */
  guint       presence_id;
  gint64      presence_sent_us;
  gboolean    viewers_changed; /* here, since the other nodes last heard */
} Room;

/* One subscription to a user's activity feed (protocol 1.2): the
 * subscriber and the last aseq it was sent, and the unread hints it was
 * lately sent (doc id → Hint*). */
typedef struct
{
  RlSubscriber *subscriber;
  gint64        sent;
  GHashTable   *hints;
} Reader;

/* The connections of one user that follow their feed. */
typedef struct
{
  char      *tenant;
  char      *user;
  GPtrArray *readers;       /* Reader* */
} Feed;

/* The last unread-hint of one document to one reader, and whether one
 * more is owed at the end of its interval. */
typedef struct
{
  RlHub        *hub;
  Feed         *feed;
  RlSubscriber *subscriber; /* the reader's */
  char         *doc;
  gint64        sent_us;
  guint         pending_id;
} Hint;

struct _RlHub
{
  GObject     parent_instance;
  RlStore    *store;
  RlUsage    *usage;
  GHashTable *rooms;        /* "tenant/doc" → Room* */
  GHashTable *feeds;        /* "tenant/user" → Feed* */
  GPtrArray  *dirty;        /* Room* with pending events, not owned */
  GSource    *flusher;
  RlMetrics  *metrics;
  gboolean    shared;       /* other nodes serve the store's documents too */
  gint64      frame_interval_us;
};

G_DEFINE_FINAL_TYPE (RlHub, rl_hub, G_TYPE_OBJECT)

static char *
room_key (const char *tenant,
          const char *doc)
{
  return g_strconcat (tenant, "/", doc, NULL);
}

static void
room_free (Room *room)
{
  if (room->dirty)
    g_ptr_array_remove_fast (room->hub->dirty, room);
  g_clear_handle_id (&room->presence_id, g_source_remove);
  g_free (room->key);
  g_free (room->tenant);
  g_free (room->doc);
  g_ptr_array_unref (room->subscribers);
  g_hash_table_unref (room->viewers);
  g_ptr_array_unref (room->pending);
  g_free (room);
}

static void
hint_free (Hint *hint)
{
  g_clear_handle_id (&hint->pending_id, g_source_remove);
  g_free (hint->doc);
  g_free (hint);
}

static void
reader_free (Reader *reader)
{
  g_hash_table_unref (reader->hints);
  g_object_unref (reader->subscriber);
  g_free (reader);
}

static void
feed_free (Feed *feed)
{
  g_free (feed->tenant);
  g_free (feed->user);
  g_ptr_array_unref (feed->readers);
  g_free (feed);
}

/* A timeout that runs func (data) once, at due_us (monotonic) or right
 * after: the milliseconds rounded up, never early. */
static guint
timeout_at (gint64      due_us,
            gint64      now_us,
            GSourceFunc func,
            gpointer    data)
{
  return g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) ((due_us - now_us + 999) / 1000), func, data, NULL);
}

static Room *
lookup_room (RlHub      *self,
             const char *tenant,
             const char *doc)
{
  g_autofree char *key = room_key (tenant, doc);

  return g_hash_table_lookup (self->rooms, key);
}

/* The frame of text a subscriber is sent: framed (plain, or compressed for
 * one that negotiated deflate) the first time one asks, then shared. */
static GBytes *
frame_for (RlSubscriber  *subscriber,
           GBytes       **plain,
           GBytes       **deflated,
           const char    *text,
           gsize          length)
{
  if (rl_subscriber_get_deflate (subscriber) && rl_outbox_worth_deflating (length))
    {
      if (*deflated == NULL)
        *deflated = rl_outbox_frame_deflated (text, length);
      return *deflated;
    }
  if (*plain == NULL)
    *plain = rl_outbox_frame_text (text, length);
  return *plain;
}

/* Sends text to the room's subscribers, or to only one of them; returns
 * how many it went to. v11_only: only to those of them that chose
 * redline.v1.1. */
static guint64
room_send_to (Room         *room,
              RlSubscriber *only,
              gboolean      v11_only,
              const char   *text,
              gsize         length)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) deflated = NULL;
  guint64 sent = 0;

  /* Framed once (twice at most: plain and compressed); every subscriber's
   * outbox gets the same bytes. */
  for (guint i = 0; i < (only ? 1 : room->subscribers->len); i++)
    {
      RlSubscriber *subscriber = only ? only : g_ptr_array_index (room->subscribers, i);

      if (v11_only && !rl_subscriber_get_revisions (subscriber))
        continue;
      sent += rl_subscriber_send_frame (subscriber, frame_for (subscriber, &plain, &deflated, text, length));
    }
  /* A room is one tenant's: count its frames once, not per connection. */
  rl_usage_count (room->hub->usage, room->tenant, sent, sent * length);
  room->hub->metrics->frames_sent += sent;
  room->hub->metrics->bytes_sent += sent * length;
  return sent;
}

static guint64
room_send (Room       *room,
           const char *text,
           gsize       length)
{
  return room_send_to (room, NULL, FALSE, text, length);
}

/* events[0..n_events) in order, none 1.1's only: one alone as itself,
 * more in batch frames. */
static void
room_send_run (Room               *room,
               RlSubscriber       *only,
               const char * const *events,
               guint               n_events)
{
  RlMetrics *metrics = room->hub->metrics;
  guint first = 0;

  if (n_events == 1)
    {
      metrics->events_sent += room_send_to (room, only, FALSE, events[0], strlen (events[0]));
      return;
    }

  while (first < n_events)
    {
      g_autofree char *batch = NULL;
      gsize size = 0, length;
      guint n = 0;

      while (first + n < n_events && (n == 0 || size + strlen (events[first + n]) < BATCH_MAX_BYTES))
        size += strlen (events[first + n++]) + 1;
      /* The last of a long run may be left alone: sent as itself, as one
       * event always is (docs/protocol.md). */
      if (n == 1)
        {
          metrics->events_sent += room_send_to (room, only, FALSE, events[first], strlen (events[first]));
          first++;
          continue;
        }

      batch = rl_message_serialize_batch (events + first, n, &length);
      metrics->events_sent += n * room_send_to (room, only, FALSE, batch, length);
      metrics->batches_sent++;
      first += n;
    }
}

/* events[0..n_events) in order. An event only 1.1 connections are sent (a
 * revision-added) goes alone, to them: a v1 connection sees its seq as a
 * gap and resubscribes, and its replay is a reset snapshot (docs/
 * protocol.md, "Revisions"). */
static void
room_send_events (Room               *room,
                  RlSubscriber       *only,
                  const char * const *events,
                  guint               n_events)
{
  guint first = 0;

  for (guint i = 0; i < n_events; i++)
    if (rl_event_text_is_v11_only (events[i]))
      {
        if (i > first)
          room_send_run (room, only, events + first, i - first);
        room->hub->metrics->events_sent += room_send_to (room, only, TRUE, events[i], strlen (events[i]));
        first = i + 1;
      }
  if (n_events > first)
    room_send_run (room, only, events + first, n_events - first);
}

static void
room_flush (Room *room)
{
  if (room->dirty)
    {
      g_ptr_array_remove_fast (room->hub->dirty, room);
      room->dirty = FALSE;
    }
  room_send_events (room, NULL, (const char * const *) room->pending->pdata, room->pending->len);
  g_ptr_array_set_size (room->pending, 0);
  room->last_frame_us = g_get_monotonic_time ();
}

/* Queues the event that follows what the room has delivered. */
static void
room_queue (Room   *room,
            gint64  seq,
            char   *serialized)
{
  g_assert (seq == room->delivered + 1);

  g_ptr_array_add (room->pending, serialized);
  room->delivered = seq;
  /* Leaves when the loop is about to poll again (see flusher_prepare). */
  if (!room->dirty)
    {
      room->dirty = TRUE;
      g_ptr_array_add (room->hub->dirty, room);
    }
}

/* What the log no longer holds is given as the document itself: what the
 * room owes goes out first, then a snapshot with "reset": true at the head
 * (PROTOCOL.md §5), and the room continues from there. */
static void
room_reset (Room *room)
{
  g_autoptr(GPtrArray) threads = NULL;
  g_autofree char *frame = NULL;
  gint64 head = 0;

  if (room->pending->len > 0)
    room_flush (room);
  threads = rl_store_load_threads (room->hub->store, room->tenant, room->doc, &head);
  frame = rl_message_serialize_snapshot (room->doc, head, threads, TRUE);
  room_send (room, frame, strlen (frame));
  room->delivered = head;
}

/* Queues from the log every event the room has not delivered, up to the
 * store's head, or resets the room when the log no longer holds them. */
static void
room_catch_up (Room *room)
{
  gint64 head = 0;
  g_autoptr(GPtrArray) events = rl_store_events_since (room->hub->store, room->tenant, room->doc,
                                                       room->delivered, &head);

  if (head <= room->delivered)
    return;   /* nothing missed (or the document is gone: its removal closes the room) */
  if (events == NULL)
    {
      room_reset (room);
      return;
    }
  for (guint i = 0; i < events->len; i++)
    room_queue (room, room->delivered + 1, g_steal_pointer (&events->pdata[i]));
}

/* An event committed at seq, here or on another node: queued when it is
 * the next one, dropped when it went out already, and when some came before
 * it that the room has not had (or it comes without its text), read from
 * the log with them. */
static void
room_offer (Room   *room,
            gint64  seq,
            char   *serialized)
{
  if (seq <= room->delivered)
    {
      g_free (serialized);
      return;
    }
  if (seq == room->delivered + 1 && serialized != NULL)
    {
      room_queue (room, seq, serialized);
      return;
    }
  g_free (serialized);
  room_catch_up (room);
}

/* The flusher runs right before the main loop polls (libuv calls this a
 * "prepare handle"): every event committed while the last poll's sources
 * were dispatched leaves now, the ones of one room in one batch frame, and
 * a lone event as itself, at no extra turn of the loop. An idle source would
 * cost a whole extra poll over every connection per event.
 *
 * A busy room sends at most one frame per frame interval: what comes within
 * the interval after its last frame waits for the interval's end (the poll
 * is woken then) and leaves in one batch. A room that has been quiet for an
 * interval sends at once, so a lone change is never held back (PROTOCOL.md
 * §4); under load, fewer and fuller frames cost the kernel one write per
 * subscriber per frame instead of per turn of the loop, and compress better,
 * each frame being compressed alone. */
static gboolean
flusher_prepare (GSource *source,
                 int     *timeout)
{
  RlHub *self = *(RlHub **) (source + 1);
  gint64 now = g_get_monotonic_time ();
  gint64 wait_us = -1;

  for (guint i = self->dirty->len; i > 0; i--)
    {
      Room *room = g_ptr_array_index (self->dirty, i - 1);
      gint64 due = room->last_frame_us + self->frame_interval_us;

      /* room_flush takes the room off the list (the last one in its place). */
      if (now >= due)
        room_flush (room);
      else if (wait_us < 0 || due - now < wait_us)
        wait_us = due - now;
    }
  *timeout = wait_us < 0 ? -1 : (int) ((wait_us + 999) / 1000);
  return FALSE;
}

static GSourceFuncs flusher_funcs = { .prepare = flusher_prepare };

/* This node's viewers of the room's document, for the other nodes; and
 * who views it everywhere then, read in the same statement. */
static GPtrArray *
room_publish_viewers (Room *room)
{
  g_autoptr(GPtrArray) viewers = g_ptr_array_new ();
  GHashTableIter iter;
  RlViewer *viewer;

  room->viewers_changed = FALSE;
  g_hash_table_iter_init (&iter, room->viewers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &viewer))
    g_ptr_array_add (viewers, viewer);
  return rl_store_exchange_viewers (room->hub->store, room->tenant, room->doc, viewers);
}

/* Who views the document: here, or on every node when the store is shared
 * (distinct users, connections summed). */
static char *
room_presence_frame (Room *room)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new ();
  g_autoptr(GPtrArray) everywhere = NULL;
  g_autofree RlPerson *people = NULL;
  guint connections = 0;

  if (room->hub->shared)
    {
      if (room->viewers_changed)
        everywhere = room_publish_viewers (room);
      else
        everywhere = rl_store_get_viewers (room->hub->store, room->tenant, room->doc);
    }
  if (everywhere != NULL)
    {
      people = g_new0 (RlPerson, everywhere->len + 1);
      for (guint i = 0; i < everywhere->len; i++)
        {
          RlViewer *viewer = g_ptr_array_index (everywhere, i);

          people[i].id = viewer->id;
          people[i].name = viewer->name;
          connections += viewer->connections;
          g_ptr_array_add (users, &people[i]);
        }
    }
  else
    {
      GHashTableIter iter;
      RlViewer *viewer;
      guint i = 0;

      people = g_new0 (RlPerson, g_hash_table_size (room->viewers) + 1);
      g_hash_table_iter_init (&iter, room->viewers);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &viewer))
        {
          people[i].id = viewer->id;
          people[i].name = viewer->name;
          g_ptr_array_add (users, &people[i++]);
        }
      connections = room->subscribers->len;
    }
  return rl_message_serialize_presence (room->doc, users->len, connections, users);
}

static void
room_send_presence (Room *room)
{
  g_autofree char *frame = room_presence_frame (room);

  room_send (room, frame, strlen (frame));
  room->presence_sent_us = g_get_monotonic_time ();
}

static gboolean
room_presence_cb (gpointer data)
{
  Room *room = data;

  room->presence_id = 0;
  room_send_presence (room);
  return G_SOURCE_REMOVE;
}

/* Presence is coalesced: at most one frame per RL_PRESENCE_MIN_INTERVAL_MS. */
static void
room_schedule_presence (Room *room)
{
  gint64 due_us, now_us;

  if (room->presence_id != 0)
    return;

  now_us = g_get_monotonic_time ();
  due_us = room->presence_sent_us + RL_PRESENCE_MIN_INTERVAL_MS * 1000;
  if (room->presence_sent_us == 0 || due_us <= now_us)
    room->presence_id = g_idle_add_full (G_PRIORITY_DEFAULT, room_presence_cb, room, NULL);
  else
    room->presence_id = timeout_at (due_us, now_us, room_presence_cb, room);
}

static void
rl_hub_dispose (GObject *object)
{
  RlHub *self = RL_HUB (object);

  if (self->flusher)
    g_source_destroy (self->flusher);
  g_clear_pointer (&self->flusher, g_source_unref);
  g_clear_pointer (&self->rooms, g_hash_table_unref);
  g_clear_pointer (&self->feeds, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_ptr_array_unref);
  g_clear_object (&self->usage);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (rl_hub_parent_class)->dispose (object);
}

static void
rl_hub_finalize (GObject *object)
{
  RlHub *self = RL_HUB (object);

  g_clear_pointer (&self->metrics, rl_metrics_free);
  G_OBJECT_CLASS (rl_hub_parent_class)->finalize (object);
}

static void
rl_hub_class_init (RlHubClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rl_hub_dispose;
  G_OBJECT_CLASS (klass)->finalize = rl_hub_finalize;
}

static void
rl_hub_init (RlHub *self)
{
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) room_free);
  self->feeds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) feed_free);
  self->dirty = g_ptr_array_new ();
  self->metrics = rl_metrics_new ();
  self->frame_interval_us = RL_HUB_FRAME_INTERVAL_MS * 1000;
}

RlHub *
rl_hub_new (RlStore *store,
            RlUsage *usage)
{
  RlHub *self;

  g_return_val_if_fail (RL_IS_STORE (store), NULL);
  g_return_val_if_fail (RL_IS_USAGE (usage), NULL);

  self = g_object_new (RL_TYPE_HUB, NULL);
  self->store = g_object_ref (store);
  self->usage = g_object_ref (usage);
  self->shared = rl_store_is_shared (store);
  self->flusher = g_source_new (&flusher_funcs, sizeof (GSource) + sizeof (RlHub *));
  *(RlHub **) (self->flusher + 1) = self;
  /* Prepared first: GLib skips preparing lower priorities once a higher
   * one is ready. It never becomes ready itself. */
  g_source_set_priority (self->flusher, G_MININT);
  g_source_set_name (self->flusher, "redline event flusher");
  g_source_attach (self->flusher, NULL);
  return self;
}

/* A subscriber whose snapshot or replay is at seq while the room has
 * delivered more: it gets the rest from the log, alone; when the log no
 * longer holds it, the whole room is reset, so all go on from one head. */
static void
room_bring_forward (Room         *room,
                    RlSubscriber *subscriber,
                    gint64        seq)
{
  g_autoptr(GPtrArray) events = rl_store_events_since (room->hub->store, room->tenant, room->doc, seq, NULL);
  guint owed = (guint) (room->delivered - seq);

  if (events == NULL || events->len < owed)
    {
      room_reset (room);
      return;
    }
  room_send_events (room, subscriber, (const char * const *) events->pdata, owed);
}

gint64
rl_hub_join (RlHub        *self,
             RlSubscriber *subscriber,
             const char   *tenant,
             const char   *doc,
             gint64        seq)
{
  const RlPrincipal *who = rl_subscriber_get_principal (subscriber);
  Room *room = lookup_room (self, tenant, doc);
  gboolean again = FALSE;
  guint index = 0;
  RlViewer *viewer;

  if (room == NULL)
    {
      room = g_new0 (Room, 1);
      room->hub = self;
      room->key = room_key (tenant, doc);
      room->tenant = g_strdup (tenant);
      room->doc = g_strdup (doc);
      room->subscribers = g_ptr_array_new_with_free_func (g_object_unref);
      room->viewers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) rl_viewer_free);
      room->pending = g_ptr_array_new_with_free_func (g_free);
      room->delivered = seq;
      g_hash_table_insert (self->rooms, room->key, room);
      g_ptr_array_add (room->subscribers, g_object_ref (subscriber));
    }
  else
    {
      /* Subscribed again (a client's new view of the document): out of the
       * list while the others are brought to seq, which it has already. */
      again = g_ptr_array_find (room->subscribers, subscriber, &index);
      if (again)
        g_ptr_array_steal_index (room->subscribers, index);

      /* The head may have moved on another node since the room's last
       * event: the others get what they miss of it before this one
       * joins, so the stream it continues with starts right after seq. */
      if (seq > room->delivered)
        room_catch_up (room);
      if (room->pending->len > 0)
        room_flush (room);

      if (again)
        g_ptr_array_insert (room->subscribers, (int) index, subscriber);
      else
        g_ptr_array_add (room->subscribers, g_object_ref (subscriber));
      if (seq < room->delivered)
        room_bring_forward (room, subscriber, seq);
    }

  if (again)
    {
      /* Nothing changed for the others, but this one is owed the presence
       * now, unless the room's next frame is already on its way. */
      if (room->presence_id == 0)
        {
          g_autofree char *frame = room_presence_frame (room);

          room_send_to (room, subscriber, FALSE, frame, strlen (frame));
        }
      return room->delivered;
    }

  viewer = g_hash_table_lookup (room->viewers, who->user.id);
  if (viewer == NULL)
    {
      viewer = g_new0 (RlViewer, 1);
      viewer->id = g_strdup (who->user.id);
      viewer->name = g_strdup (who->user.name);
      g_hash_table_insert (room->viewers, viewer->id, viewer);
    }
  viewer->connections++;
  room->viewers_changed = TRUE;
  room_schedule_presence (room);
  return room->delivered;
}

gint64
rl_hub_get_delivered (RlHub      *self,
                      const char *tenant,
                      const char *doc)
{
  Room *room = lookup_room (self, tenant, doc);

  return room != NULL ? room->delivered : -1;
}

void
rl_hub_leave (RlHub        *self,
              RlSubscriber *subscriber,
              const char   *tenant,
              const char   *doc)
{
  const RlPrincipal *who = rl_subscriber_get_principal (subscriber);
  Room *room = lookup_room (self, tenant, doc);
  RlViewer *viewer;
  guint index;

  if (room == NULL || !g_ptr_array_find (room->subscribers, subscriber, &index))
    return;
  /* Keeps the others' order: they are served in the order they came. */
  g_ptr_array_remove_index (room->subscribers, index);

  viewer = g_hash_table_lookup (room->viewers, who->user.id);
  if (viewer && --viewer->connections == 0)
    g_hash_table_remove (room->viewers, who->user.id);
  room->viewers_changed = TRUE;

  if (room->subscribers->len == 0)
    {
      /* The other nodes' viewers hear that nobody is left here. */
      if (self->shared)
        room_publish_viewers (room);
      /* Nobody left to tell; the events are in the log already. */
      g_hash_table_remove (self->rooms, room->key);
      return;
    }
  room_schedule_presence (room);
}

void
rl_hub_set_frame_interval (RlHub *self,
                           guint  ms)
{
  g_return_if_fail (RL_IS_HUB (self));

  self->frame_interval_us = (gint64) ms * 1000;
}

void
rl_hub_flush_room (RlHub      *self,
                   const char *tenant,
                   const char *doc)
{
  Room *room = lookup_room (self, tenant, doc);

  if (room && room->pending->len > 0)
    room_flush (room);
}

void
rl_hub_flush_all (RlHub *self)
{
  /* room_flush takes the room off the list. */
  while (self->dirty->len > 0)
    room_flush (g_ptr_array_index (self->dirty, self->dirty->len - 1));
}

void
rl_hub_publish (RlHub      *self,
                const char *tenant,
                const char *doc,
                gint64      seq,
                char       *serialized)
{
  Room *room;

  g_return_if_fail (serialized != NULL);

  room = lookup_room (self, tenant, doc);
  if (room == NULL)
    g_free (serialized);
  else
    room_offer (room, seq, serialized);
}

void
rl_hub_publish_remote (RlHub      *self,
                       const char *tenant,
                       const char *doc,
                       gint64      seq,
                       char       *serialized)
{
  Room *room = lookup_room (self, tenant, doc);

  /* A document nobody here watches costs nothing. */
  if (room == NULL)
    g_free (serialized);
  else
    room_offer (room, seq, serialized);
}

void
rl_hub_catch_up (RlHub *self)
{
  GHashTableIter iter;
  Room *room;
  Feed *feed;
  g_autoptr(GPtrArray) feeds = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    room_catch_up (room);
  /* And every feed, up to its user's head. */
  g_hash_table_iter_init (&iter, self->feeds);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &feed))
    g_ptr_array_add (feeds, feed);
  for (guint i = 0; i < feeds->len; i++)
    {
      feed = g_ptr_array_index (feeds, i);
      rl_hub_activity_notify (self, feed->tenant, feed->user,
                              rl_store_get_activity_head (self->store, feed->tenant, feed->user));
    }
}

/* ---- activity feeds (protocol 1.2) ------------------------------------------ */

static Feed *
lookup_feed (RlHub      *self,
             const char *tenant,
             const char *user)
{
  g_autofree char *key = room_key (tenant, user);

  return g_hash_table_lookup (self->feeds, key);
}

/* Sends text to one subscriber of tenant, framed as frame_for does (the
 * frames kept in *plain and *deflated for other subscribers), counted
 * like a room's frames. */
static void
send_counted (RlHub         *self,
              const char    *tenant,
              RlSubscriber  *subscriber,
              GBytes       **plain,
              GBytes       **deflated,
              const char    *text,
              gsize          length)
{
  guint sent = rl_subscriber_send_frame (subscriber, frame_for (subscriber, plain, deflated, text, length));

  rl_usage_count (self->usage, tenant, sent, sent * length);
  self->metrics->frames_sent += sent;
  self->metrics->bytes_sent += sent * length;
}

/* Sends text to one subscriber, counted like a room's frames. */
static void
feed_send (RlHub        *self,
           Feed         *feed,
           RlSubscriber *subscriber,
           const char   *text)
{
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) deflated = NULL;

  send_counted (self, feed->tenant, subscriber, &plain, &deflated, text, strlen (text));
}

char *
rl_hub_activity_snapshot (RlHub      *self,
                          const char *tenant,
                          const char *user,
                          gboolean    reset,
                          gint64     *aseq)
{
  g_autoptr(GPtrArray) unread = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) recent = g_ptr_array_new ();
  gint64 head;

  head = MAX (rl_store_get_activity_head (self->store, tenant, user), 0);
  unread = rl_store_get_unread (self->store, tenant, user, NULL);
  items = rl_store_activity_recent (self->store, tenant, user, RL_ACTIVITY_SNAPSHOT_ITEMS);
  /* Only what is at or before the snapshot's aseq: the rest follows live. */
  for (guint i = 0; i < items->len; i++)
    {
      const char *item = g_ptr_array_index (items, i);
      g_autoptr(JsonNode) node = rl_json_parse (item, strlen (item), NULL);
      JsonObject *object = node ? json_node_get_object (node) : NULL;

      if (object != NULL && json_object_get_int_member_with_default (object, "aseq", G_MAXINT64) <= head)
        g_ptr_array_add (recent, (gpointer) item);
    }
  *aseq = head;
  return rl_activity_snapshot_serialize (head, reset, unread, (const char * const *) recent->pdata, recent->len);
}

void
rl_hub_activity_join (RlHub        *self,
                      RlSubscriber *subscriber,
                      const char   *tenant,
                      const char   *user,
                      gint64        aseq)
{
  g_autofree char *key = room_key (tenant, user);
  Feed *feed = g_hash_table_lookup (self->feeds, key);
  Reader *reader;

  if (feed == NULL)
    {
      feed = g_new0 (Feed, 1);
      feed->tenant = g_strdup (tenant);
      feed->user = g_strdup (user);
      feed->readers = g_ptr_array_new_with_free_func ((GDestroyNotify) reader_free);
      g_hash_table_insert (self->feeds, g_steal_pointer (&key), feed);
    }
  /* Subscribing again: from where the new snapshot or replay left it. */
  for (guint i = 0; i < feed->readers->len; i++)
    {
      reader = g_ptr_array_index (feed->readers, i);
      if (reader->subscriber == subscriber)
        {
          reader->sent = aseq;
          return;
        }
    }
  reader = g_new0 (Reader, 1);
  reader->subscriber = g_object_ref (subscriber);
  reader->sent = aseq;
  reader->hints = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) hint_free);
  g_ptr_array_add (feed->readers, reader);
}

gboolean
rl_hub_activity_leave (RlHub        *self,
                       RlSubscriber *subscriber,
                       const char   *tenant,
                       const char   *user)
{
  g_autofree char *key = room_key (tenant, user);
  Feed *feed = g_hash_table_lookup (self->feeds, key);

  for (guint i = 0; feed != NULL && i < feed->readers->len; i++)
    if (((Reader *) g_ptr_array_index (feed->readers, i))->subscriber == subscriber)
      {
        g_ptr_array_remove_index (feed->readers, i);
        if (feed->readers->len == 0)
          g_hash_table_remove (self->feeds, key);
        return TRUE;
      }
  return FALSE;
}

void
rl_hub_activity_notify_all (RlHub     *self,
                            GPtrArray *activity)
{
  for (guint i = 0; activity != NULL && i < activity->len; i++)
    {
      RlStoreActivity *item = g_ptr_array_index (activity, i);

      rl_hub_activity_notify (self, item->tenant, item->user, item->aseq);
    }
}


/* Readers by what they were sent last, lowest first. */
static gint
compare_sent (gconstpointer a,
              gconstpointer b)
{
  const Reader *x = *(const Reader * const *) a;
  const Reader *y = *(const Reader * const *) b;

  return x->sent < y->sent ? -1 : x->sent > y->sent;
}

/* What one reader missed up to aseq: items read from the log, or a reset
 * snapshot when the log no longer serves them (items NULL). */
static void
send_missed (RlHub        *self,
             Feed         *feed,
             RlSubscriber *subscriber,
             const char   *tenant,
             const char   *user,
             GPtrArray    *items,
             gint64        aseq)
{
  if (items == NULL)
    {
      gint64 head = 0;
      g_autofree char *snapshot = rl_hub_activity_snapshot (self, tenant, user, TRUE, &head);

      feed_send (self, feed, subscriber, snapshot);
      rl_hub_activity_join (self, subscriber, tenant, user, MAX (head, aseq));
      return;
    }
  for (guint j = 0; j < items->len; j++)
    feed_send (self, feed, subscriber, g_ptr_array_index (items, j));
}

void
rl_hub_activity_notify (RlHub      *self,
                        const char *tenant,
                        const char *user,
                        gint64      aseq)
{
  Feed *feed = lookup_feed (self, tenant, user);
  g_autoptr(GPtrArray) readers = NULL;

  if (feed == NULL)
    return;
  /* The feed's readers as they are now: a send may close one. */
  readers = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < feed->readers->len; i++)
    {
      Reader *reader = g_ptr_array_index (feed->readers, i);
      Reader *copy;

      if (reader->sent >= aseq)
        continue;
      copy = g_new (Reader, 1);
      *copy = *reader;
      g_ptr_array_add (readers, copy);
      reader->sent = aseq;
    }
  /* Each reader gets what it was not sent, up to aseq, from the log (items
   * are few: no batching); one the log no longer serves is reset. The
   * user's connections were mostly sent the same: the log is read once for
   * each point they start from, not once per connection. */
  g_ptr_array_sort (readers, compare_sent);
  for (guint i = 0; i < readers->len;)
    {
      gint64 since = ((Reader *) g_ptr_array_index (readers, i))->sent;
      gint64 head = 0;
      g_autoptr(GPtrArray) items = rl_store_activity_since (self->store, tenant, user, since, aseq, &head);

      for (; i < readers->len && ((Reader *) g_ptr_array_index (readers, i))->sent == since; i++)
        send_missed (self, feed, ((Reader *) g_ptr_array_index (readers, i))->subscriber, tenant, user, items,
                     aseq);
    }
}

/* ---- unread hints (protocol 1.2) --------------------------------------------- */

/* A document's hint, serialized and framed once for every reader it goes
 * to at one commit (its frames made when a reader first needs them). */
typedef struct
{
  char   *text;
  gsize   length;
  GBytes *plain;
  GBytes *deflated;
} HintText;

static void
hint_text_init (HintText   *shared,
                const char *doc)
{
  shared->text = rl_message_serialize_unread_hint (doc);
  shared->length = strlen (shared->text);
  shared->plain = shared->deflated = NULL;
}

static void
hint_text_clear (HintText *shared)
{
  g_clear_pointer (&shared->text, g_free);
  g_clear_pointer (&shared->plain, g_bytes_unref);
  g_clear_pointer (&shared->deflated, g_bytes_unref);
}

static void
hint_send (Hint     *hint,
           HintText *shared)
{
  hint->sent_us = g_get_monotonic_time ();
  send_counted (hint->hub, hint->feed->tenant, hint->subscriber, &shared->plain, &shared->deflated, shared->text,
                shared->length);
}

static gboolean
hint_pending_cb (gpointer data)
{
  Hint *hint = data;
  HintText shared;

  hint->pending_id = 0;
  hint_text_init (&shared, hint->doc);
  hint_send (hint, &shared);
  hint_text_clear (&shared);
  return G_SOURCE_REMOVE;
}

/* The reader's hints whose interval is over and that owe nothing: a hint
 * now would go at once anyway. */
static void
reader_prune_hints (Reader *reader,
                    gint64  now_us)
{
  GHashTableIter iter;
  Hint *hint;

  g_hash_table_iter_init (&iter, reader->hints);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &hint))
    if (hint->pending_id == 0 && now_us - hint->sent_us >= HINT_INTERVAL_US)
      g_hash_table_iter_remove (&iter);
}

/* doc's hint to one reader: at once when its last is an interval old,
 * else one at the interval's end (only one, however many come). */
static void
reader_offer_hint (RlHub      *self,
                   Feed       *feed,
                   Reader     *reader,
                   const char *doc,
                   HintText   *shared)
{
  gint64 now_us = g_get_monotonic_time ();
  Hint *hint = g_hash_table_lookup (reader->hints, doc);
  gint64 due_us;

  if (hint == NULL)
    {
      if (g_hash_table_size (reader->hints) >= RL_HUB_HINTS_KEPT)
        reader_prune_hints (reader, now_us);
      hint = g_new0 (Hint, 1);
      hint->hub = self;
      hint->feed = feed;
      hint->subscriber = reader->subscriber;
      hint->doc = g_strdup (doc);
      g_hash_table_insert (reader->hints, hint->doc, hint);
      hint_send (hint, shared);
      return;
    }
  if (hint->pending_id != 0)
    return;
  due_us = hint->sent_us + HINT_INTERVAL_US;
  if (due_us <= now_us)
    hint_send (hint, shared);
  else
    hint->pending_id = timeout_at (due_us, now_us, hint_pending_cb, hint);
}

gboolean
rl_hub_event_changes_unread (const RlEvent *event)
{
  switch (event->kind)
    {
    case RL_EVENT_CREATED:
    case RL_EVENT_DELETED:
      return TRUE;
    case RL_EVENT_UPDATED:
      return event->change == RL_CHANGE_COMMENT_ADDED || event->change == RL_CHANGE_COMMENT_DELETED;
    case RL_EVENT_REVISION_ADDED:
    default:
      return FALSE;
    }
}

gboolean
rl_hub_has_followers (RlHub      *self,
                      const char *tenant)
{
  GHashTableIter iter;
  Feed *feed;

  g_hash_table_iter_init (&iter, self->feeds);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &feed))
    if (g_str_equal (feed->tenant, tenant))
      return TRUE;
  return FALSE;
}

void
rl_hub_unread_hint (RlHub      *self,
                    const char *tenant,
                    const char *doc)
{
  GHashTableIter iter;
  Feed *feed;
  HintText shared;

  g_return_if_fail (RL_IS_HUB (self));

  hint_text_init (&shared, doc);
  /* Sending never takes a reader away (a closed connection leaves later,
   * from an idle), so the feeds are walked as they are. */
  g_hash_table_iter_init (&iter, self->feeds);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &feed))
    {
      if (!g_str_equal (feed->tenant, tenant))
        continue;
      for (guint i = 0; i < feed->readers->len; i++)
        reader_offer_hint (self, feed, g_ptr_array_index (feed->readers, i), doc, &shared);
    }
  hint_text_clear (&shared);
}

RlMetrics *
rl_hub_get_metrics (RlHub *self)
{
  return self->metrics;
}

void
rl_hub_get_levels (RlHub *self,
                   guint *subscribers,
                   guint *rooms)
{
  GHashTableIter iter;
  Room *room;

  *subscribers = 0;
  *rooms = g_hash_table_size (self->rooms);
  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    *subscribers += room->subscribers->len;
}

void
rl_hub_close_document (RlHub      *self,
                       const char *tenant,
                       const char *doc,
                       gushort     code,
                       const char *reason)
{
  Room *room = lookup_room (self, tenant, doc);
  g_autoptr(GPtrArray) subscribers = NULL;

  if (room == NULL)
    return;
  /* What was committed before the removal still goes out first. */
  if (room->pending->len > 0)
    room_flush (room);
  /* A copy: a subscriber's owner may leave the room as it closes. */
  subscribers = g_ptr_array_new_full (room->subscribers->len, g_object_unref);
  for (guint i = 0; i < room->subscribers->len; i++)
    g_ptr_array_add (subscribers, g_object_ref (g_ptr_array_index (room->subscribers, i)));
  for (guint i = 0; i < subscribers->len; i++)
    rl_subscriber_close (g_ptr_array_index (subscribers, i), code, reason);
}

void
rl_hub_viewers_changed (RlHub      *self,
                        const char *tenant,
                        const char *doc)
{
  Room *room = lookup_room (self, tenant, doc);

  if (room != NULL)
    room_schedule_presence (room);
}

void
rl_hub_publish_viewers (RlHub *self)
{
  GHashTableIter iter;
  Room *room;

  g_return_if_fail (self->shared);
  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    {
      g_autoptr(GPtrArray) everywhere = room_publish_viewers (room);

      room_schedule_presence (room);
    }
}
