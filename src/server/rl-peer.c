/* rl-peer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-peer.h"

#include "rl-codec.h"
#include "rl-deflate.h"
#include "rl-limits.h"
#include "rl-metrics.h"
#include "rl-outbox.h"
#include "rl-subloop.h"
#include "rl-time.h"
#include "rl-uuid.h"

#define WINDOW_US               (60 * G_USEC_PER_SEC)
/* Mutations per second a connection may sustain, and its burst. */
#define MUTATION_RATE           100.0
#define MUTATION_BURST          200.0
/* Events per frame when replaying a log on `since`. */
#define REPLAY_BATCH            256
#define HARD_FRAME_LIMIT        (1024 * 1024)

struct _RlPeer
{
  GObject                  parent_instance;
  SoupWebsocketConnection *connection;
  RlOutbox                *outbox;          /* its stream: shared frames go here */
  RlSubloop               *subloop;         /* the connection's sources */
  RlPrincipal             *principal;
  RlStore                 *store;
  RlHub                   *hub;
  RlUsage                 *usage;
  RlReadCache             *cache;
  RlSubscriber            *subscriber;      /* what the rooms hold of it */
  char                    *id;
  GHashTable              *subscriptions;   /* doc id → RlDocument* */
  gint64                   last_heard_us;
  guint                    ping_interval;
  gint64                   bad_window_start_us;
  guint                    bad_in_window;
  double                   tokens;
  gint64                   tokens_at_us;
  guint                    leave_id;
  gboolean                 closed;
  int                      minor;           /* 1, 2: the connection chose redline.v1.1, v1.2 */
  gboolean                 following;       /* 1.2: it follows its user's activity feed */
  /* Answers owed, in request order: mutations being committed, and the
   * answers of those after them that must wait their turn. */
  GQueue                   owed;            /* of Owed* */
  /* Requests read while one that must see every earlier answer out first
   * (subscribe, unsubscribe) waits. */
  GQueue                   parked;          /* of Parked* */
  /* for the access log */
  RlTraffic                traffic;
  gint64                   opened_us;
  gushort                  close_code_sent;  /* 0 unless the server closed */
};

G_DEFINE_FINAL_TYPE (RlPeer, rl_peer, G_TYPE_OBJECT)

static gboolean subscriber_send_frame (gpointer    owner,
                                       GBytes     *frame,
                                       GError    **error);
static void     subscriber_overflow   (gpointer    owner);
static void     subscriber_close      (gpointer    owner,
                                       gushort     code,
                                       const char *reason);

static const RlSubscriberFuncs subscriber_funcs = {
  .send_frame = subscriber_send_frame,
  .overflow = subscriber_overflow,
  .close = subscriber_close,
};

enum {
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* An answer owed: text once known (NULL while its commit is in flight). */
typedef struct
{
  char *text;
} Owed;

static void
owed_free (Owed *owed)
{
  g_free (owed->text);
  g_free (owed);
}

/* A parked request, or one that could not be read (request NULL). */
typedef struct
{
  RlRequest *request;
  char      *req;
  GError    *error;
} Parked;

static void
parked_free (Parked *parked)
{
  g_clear_pointer (&parked->request, rl_request_free);
  g_free (parked->req);
  g_clear_error (&parked->error);
  g_free (parked);
}

static void
send_owned (RlPeer *self,
            char   *text)
{
  rl_peer_send (self, text, strlen (text));
  g_free (text);
}

/* An answer to a request: sent now, or after the answers owed before it. */
static void
answer (RlPeer *self,
        char   *text)
{
  Owed *owed;

  if (g_queue_is_empty (&self->owed))
    {
      send_owned (self, text);
      return;
    }
  owed = g_new0 (Owed, 1);
  owed->text = text;
  g_queue_push_tail (&self->owed, owed);
}

static void
send_ack_error (RlPeer      *self,
                const char  *req,
                RlErrorCode  code,
                const char  *message)
{
  rl_metrics_count_refusal (rl_hub_get_metrics (self->hub), RL_METRICS_WEBSOCKET, code);
  answer (self, rl_message_serialize_ack_error (req, code, message));
}

/* A request that breaks the rules costs; too many in a minute end the link. */
static void
count_bad_request (RlPeer *self)
{
  gint64 now = g_get_monotonic_time ();

  if (now - self->bad_window_start_us > WINDOW_US)
    {
      self->bad_window_start_us = now;
      self->bad_in_window = 0;
    }
  if (++self->bad_in_window > RL_BAD_REQUESTS_PER_MINUTE)
    rl_peer_close (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too many bad requests");
}

static gboolean
take_token (RlPeer *self)
{
  gint64 now = g_get_monotonic_time ();

  self->tokens = MIN (MUTATION_BURST,
                      self->tokens + (now - self->tokens_at_us) * MUTATION_RATE / G_USEC_PER_SEC);
  self->tokens_at_us = now;
  if (self->tokens < 1.0)
    return FALSE;
  self->tokens -= 1.0;
  return TRUE;
}

static void
fail_request (RlPeer       *self,
              const char   *req,
              const GError *error)
{
  RlErrorCode code = error->domain == RL_ERROR ? (RlErrorCode) error->code : RL_ERROR_INTERNAL;

  send_ack_error (self, req, code, error->message);
  if (code == RL_ERROR_BAD_REQUEST || code == RL_ERROR_UNKNOWN_TYPE)
    count_bad_request (self);
}

static void
handle_subscribe (RlPeer          *self,
                  const RlRequest *request)
{
  const char *tenant = self->principal->tenant;
  g_autoptr(RlDocument) doc = rl_store_get_document (self->store, tenant, request->doc);
  gint64 head = 0;

  if (doc == NULL)
    {
      send_ack_error (self, request->req, RL_ERROR_NOT_FOUND, "no such document");
      return;
    }

  /* Events already committed leave with this room's next flush; send them
   * first so the snapshot or replay below continues exactly from them. */
  rl_hub_flush_room (self->hub, tenant, request->doc);

  if (request->has_since)
    {
      g_autoptr(GPtrArray) events = rl_store_events_since (self->store, tenant, request->doc,
                                                           request->since, &head);

      /* A v1 connection cannot be replayed a revision-added: it gets the
       * document as it is now instead (docs/protocol.md, "Revisions"). */
      for (guint i = 0; events != NULL && self->minor < 1 && i < events->len; i++)
        if (rl_event_text_is_v11_only (g_ptr_array_index (events, i)))
          g_clear_pointer (&events, g_ptr_array_unref);
      if (events != NULL)
        {
          for (guint i = 0; i < events->len; i += REPLAY_BATCH)
            {
              guint n = MIN (REPLAY_BATCH, events->len - i);
              gsize length;

              if (n == 1)
                rl_peer_send (self, g_ptr_array_index (events, i), strlen (g_ptr_array_index (events, i)));
              else
                {
                  g_autofree char *batch = rl_message_serialize_batch ((const char * const *) events->pdata + i, n, &length);
                  rl_peer_send (self, batch, length);
                }
            }
        }
      else
        {
          g_autoptr(GPtrArray) threads = rl_store_load_threads (self->store, tenant, request->doc, &head);

          send_owned (self, rl_message_serialize_snapshot_at (request->doc, head, doc->revision, threads, TRUE));
        }
    }
  else
    {
      /* Where the room is, when there is one: no question to the store. */
      gint64 delivered = rl_hub_get_delivered (self->hub, tenant, request->doc);
      g_autofree char *snapshot = rl_read_cache_snapshot_at (self->cache, tenant, request->doc, delivered,
                                                             &head);

      rl_peer_send (self, snapshot, strlen (snapshot));
    }

  if (!g_hash_table_contains (self->subscriptions, request->doc))
    g_hash_table_insert (self->subscriptions, g_strdup (request->doc), g_steal_pointer (&doc));
  /* Every subscribe, the first or not, gets the room's presence. */
  /* The ack says where the stream is: past head when the room had sent
   * more, which the join has just brought this subscriber. */
  head = rl_hub_join (self->hub, self->subscriber, tenant, request->doc, head);
  /* 1.2: with the caller's read state of the document. */
  if (self->minor >= 2)
    {
      g_autoptr(RlReadState) read = rl_store_get_read_state (self->store, tenant, self->principal->user.id,
                                                             request->doc);

      send_owned (self, rl_message_serialize_ack_read (request->req, head, read));
      return;
    }
  send_owned (self, rl_message_serialize_ack_ok (request->req, head, 0));
}

/* 1.2: the caller's feed, from a snapshot or (since) a replay, then live. */
static void
handle_subscribe_activity (RlPeer          *self,
                           const RlRequest *request)
{
  const char *tenant = self->principal->tenant;
  const char *user = self->principal->user.id;
  g_autoptr(GPtrArray) items = NULL;
  gint64 head = 0;

  if (request->has_since)
    items = rl_store_activity_since (self->store, tenant, user, request->since, -1, &head);
  if (items != NULL)
    for (guint i = 0; i < items->len; i++)
      rl_peer_send (self, g_ptr_array_index (items, i), strlen (g_ptr_array_index (items, i)));
  else
    {
      /* No since, or the log no longer holds what follows it (or it is
       * past the head): the feed as it is now. */
      g_autofree char *snapshot = rl_hub_activity_snapshot (self->hub, tenant, user, request->has_since, &head);

      rl_peer_send (self, snapshot, strlen (snapshot));
    }
  rl_hub_activity_join (self->hub, self->subscriber, tenant, user, head);
  self->following = TRUE;
  send_owned (self, rl_message_serialize_ack_aseq (request->req, head));
}

static void
handle_unsubscribe_activity (RlPeer          *self,
                             const RlRequest *request)
{
  if (!rl_hub_activity_leave (self->hub, self->subscriber, self->principal->tenant, self->principal->user.id))
    {
      send_ack_error (self, request->req, RL_ERROR_NOT_FOUND, "not subscribed to the activity feed");
      return;
    }
  self->following = FALSE;
  send_owned (self, rl_message_serialize_ack_ok (request->req, -1, 0));
}

static void
handle_unsubscribe (RlPeer          *self,
                    const RlRequest *request)
{
  if (!g_hash_table_remove (self->subscriptions, request->doc))
    {
      send_ack_error (self, request->req, RL_ERROR_NOT_FOUND, "not subscribed to that document");
      return;
    }
  rl_hub_leave (self->hub, self->subscriber, self->principal->tenant, request->doc);
  send_owned (self, rl_message_serialize_ack_ok (request->req, -1, 0));
}

/* What only the document can tell: the anchor's kind and, on pages, that
 * `exact` is the very slice of the page's plain text. */
static gboolean
check_anchor (RlPeer            *self,
              const RlDocument  *doc,
              const RlAnchor    *anchor,
              GError           **error)
{
  g_autoptr(RlPageText) text = NULL;
  g_autofree char *slice = NULL;

  if (anchor->kind != doc->kind)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST,
                   doc->kind == RL_DOC_KIND_IMAGE ? "an image’s anchor is {x, y}"
                                                  : "a page’s anchor is {start, end, exact}");
      return FALSE;
    }
  if (anchor->kind == RL_DOC_KIND_IMAGE)
    return TRUE;

  text = rl_read_cache_get_page_text (self->cache, self->principal->tenant, doc->id, doc->revision, error);
  if (text == NULL)
    return FALSE;
  if (anchor->end > rl_page_text_get_n_chars (text))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "the anchor lies past the end of the page");
      return FALSE;
    }
  slice = rl_page_text_slice (text, (guint) anchor->start, (guint) anchor->end);
  if (g_strcmp0 (slice, anchor->exact) != 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "“exact” is not the page’s text at start–end");
      return FALSE;
    }
  return TRUE;
}

/* A mutation on its way to the store. */
typedef struct
{
  RlPeer *peer;
  Owed   *owed;
  char   *req;
  char   *doc;
  gint64  started_us;
} Commit;

static void
commit_free (Commit *commit)
{
  g_object_unref (commit->peer);
  g_free (commit->req);
  g_free (commit->doc);
  g_free (commit);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Commit, commit_free)

static void process_request (RlPeer    *self,
                             RlRequest *request,
                             gboolean   unparked);

/* Sends the answers now known, in order, up to the first still in flight;
 * then what was parked behind them. */
static void
pay_owed (RlPeer *self)
{
  Owed *owed;

  while ((owed = g_queue_peek_head (&self->owed)) != NULL && owed->text != NULL)
    {
      g_queue_pop_head (&self->owed);
      send_owned (self, g_steal_pointer (&owed->text));
      owed_free (owed);
    }
  /* A closed connection has left its rooms: what it asked for last stays
   * undone, unacked (its client rolls it back). */
  if (self->closed)
    g_queue_clear_full (&self->parked, (GDestroyNotify) parked_free);
  while (!g_queue_is_empty (&self->parked))
    {
      Parked *next = g_queue_peek_head (&self->parked);

      if (next->request != NULL && !rl_request_type_is_mutation (next->request->type) &&
          !g_queue_is_empty (&self->owed))
        break;
      g_queue_pop_head (&self->parked);
      if (next->request != NULL)
        process_request (self, g_steal_pointer (&next->request), TRUE);
      else
        fail_request (self, next->req, next->error);
      parked_free (next);
    }
}

/* A commit the store refused (or could not make): its error is what is owed. */
static void
refuse_commit (RlPeer       *self,
               Commit       *commit,
               const GError *error)
{
  RlErrorCode code = error->domain == RL_ERROR ? (RlErrorCode) error->code : RL_ERROR_INTERNAL;

  rl_metrics_count_refusal (rl_hub_get_metrics (self->hub), RL_METRICS_WEBSOCKET, code);
  commit->owed->text = rl_message_serialize_ack_error (commit->req, code, error->message);
  pay_owed (self);
  if (code == RL_ERROR_BAD_REQUEST || code == RL_ERROR_UNKNOWN_TYPE)
    count_bad_request (self);
}

static void
on_committed (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(Commit) commit = data;
  RlPeer *self = commit->peer;
  g_autoptr(RlEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) activity = NULL;
  char *serialized = NULL;

  event = rl_store_apply_finish (RL_STORE (source), result, &serialized, &activity, &error);
  if (event == NULL)
    {
      refuse_commit (self, commit, error);
      return;
    }
  rl_metrics_observe_commit (rl_hub_get_metrics (self->hub),
                             (g_get_monotonic_time () - commit->started_us) / (double) G_USEC_PER_SEC);
  rl_hub_get_metrics (self->hub)->events_committed++;

  /* Committed: every subscriber (this one included, whether or not it is
   * still there) gets the event, carrying the originator's broadcastId;
   * the ack leaves in its turn. A new thread's number is on its ack too:
   * its creator ignores the echo. */
  rl_hub_publish (self->hub, self->principal->tenant, commit->doc, event->seq, serialized);
  commit->owed->text = rl_message_serialize_ack_ok (commit->req, event->seq,
                                                    event->kind == RL_EVENT_CREATED ? event->thread->number : 0);
  /* 1.2: the items it added reach their users' feeds; and whoever follows
   * a feed of the tenant hears that the document's unread may have moved
   * (a comment in a thread they are not in names no item of theirs). */
  rl_hub_activity_notify_all (self->hub, activity);
  if (rl_hub_event_changes_unread (event))
    rl_hub_unread_hint (self->hub, self->principal->tenant, commit->doc);
  pay_owed (self);
}

/* 1.2: the caller's own read state, committed by the committer like a
 * mutation (its answer owed in its turn); every connection of theirs that
 * follows the feed (this one too) hears of it. */
static void
on_marked_read (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(Commit) commit = data;
  RlPeer *self = commit->peer;
  g_autoptr(RlStoreActivity) item = NULL;
  g_autoptr(GError) error = NULL;

  item = rl_store_mark_read_finish (RL_STORE (source), result, &error);
  if (item == NULL)
    {
      refuse_commit (self, commit, error);
      return;
    }
  /* The ack first (it heads what is owed: a mark-read waits for the answers
   * before it), then the read item, as the client expects its echo. */
  commit->owed->text = rl_message_serialize_ack_ok (commit->req, -1, 0);
  pay_owed (self);
  rl_hub_activity_notify (self->hub, item->tenant, item->user, item->aseq);
}

/* What a write costs before the committer: a token of the mutation bucket,
 * and its document found. The document, or NULL when refused (answered). */
static RlDocument *
document_to_write (RlPeer          *self,
                   const RlRequest *request)
{
  RlDocument *doc;

  if (!take_token (self))
    {
      send_ack_error (self, request->req, RL_ERROR_RATE_LIMITED, "slow down");
      return NULL;
    }
  doc = rl_store_get_document (self->store, self->principal->tenant, request->doc);
  if (doc == NULL)
    send_ack_error (self, request->req, RL_ERROR_NOT_FOUND, "no such document");
  return doc;
}

/* Committed with whatever else arrives meanwhile, off the main loop; its
 * answer is owed from now on, in its turn. */
static Commit *
owe_commit (RlPeer          *self,
            const RlRequest *request)
{
  Commit *commit = g_new0 (Commit, 1);

  commit->peer = g_object_ref (self);
  commit->owed = g_new0 (Owed, 1);
  commit->req = g_strdup (request->req);
  commit->doc = g_strdup (request->doc);
  commit->started_us = g_get_monotonic_time ();
  g_queue_push_tail (&self->owed, commit->owed);
  return commit;
}

static void
handle_mark_read (RlPeer          *self,
                  const RlRequest *request)
{
  /* Costs like a mutation: it writes. */
  g_autoptr(RlDocument) doc = document_to_write (self, request);

  if (doc != NULL)
    rl_store_mark_read_async (self->store, self->principal, doc, request, on_marked_read,
                              owe_commit (self, request));
}

static void
handle_mutation (RlPeer    *self,
                 RlRequest *request)
{
  g_autoptr(RlDocument) doc = NULL;
  g_autoptr(GError) error = NULL;

  doc = document_to_write (self, request);
  if (doc == NULL)
    return;
  if (request->has_anchor && !check_anchor (self, doc, &request->anchor, &error))
    {
      fail_request (self, request->req, error);
      return;
    }
  /* The anchor was checked on the latest revision as of now: a v1 client's
   * names none, so it is that one; a revision added before the commit
   * makes the store refuse it (docs/protocol.md, "Revisions"). */
  if (request->revision == 0)
    request->revision = doc->revision;

  rl_store_apply_async (self->store, self->principal, doc, request, on_committed, owe_commit (self, request));
}

/* A request read whole; it waits while it must not overtake an answer. */
static void
process_request (RlPeer    *self,
                 RlRequest *request_in,
                 gboolean   unparked)
{
  g_autoptr(RlRequest) request = request_in;

  if ((!unparked && !g_queue_is_empty (&self->parked)) ||
      (!rl_request_type_is_mutation (request->type) && !g_queue_is_empty (&self->owed)))
    {
      Parked *parked = g_new0 (Parked, 1);

      parked->request = g_steal_pointer (&request);
      if (unparked)
        g_queue_push_head (&self->parked, parked);
      else
        g_queue_push_tail (&self->parked, parked);
      return;
    }

  switch (request->type)
    {
    case RL_REQUEST_SUBSCRIBE:
      handle_subscribe (self, request);
      break;
    case RL_REQUEST_UNSUBSCRIBE:
      handle_unsubscribe (self, request);
      break;
    case RL_REQUEST_MARK_READ:
      handle_mark_read (self, request);
      break;
    case RL_REQUEST_SUBSCRIBE_ACTIVITY:
      handle_subscribe_activity (self, request);
      break;
    case RL_REQUEST_UNSUBSCRIBE_ACTIVITY:
      handle_unsubscribe_activity (self, request);
      break;
    case RL_REQUEST_CREATE_THREAD:
    case RL_REQUEST_ADD_COMMENT:
    case RL_REQUEST_EDIT_COMMENT:
    case RL_REQUEST_DELETE_COMMENT:
    case RL_REQUEST_RESOLVE_THREAD:
    case RL_REQUEST_MOVE_THREAD:
    case RL_REQUEST_DELETE_THREAD:
    default:
      handle_mutation (self, request);
      break;
    }
}

static void
on_message (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            RlPeer                  *self)
{
  g_autoptr(RlRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *req = NULL;
  RlMetrics *metrics = rl_hub_get_metrics (self->hub);
  gsize length;
  const char *data;

  self->last_heard_us = g_get_monotonic_time ();
  self->traffic.frames_in++;
  self->traffic.bytes_in += g_bytes_get_size (message);
  metrics->frames_received++;
  metrics->bytes_received += g_bytes_get_size (message);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      rl_peer_close (self, SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA, "text frames only");
      return;
    }

  data = g_bytes_get_data (message, &length);
  if (length > RL_MAX_FRAME_BYTES)
    {
      rl_peer_close (self, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "frames are at most 64 KiB");
      return;
    }
  request = rl_request_parse (data ? data : "", length, &req, &error);
  /* A v1 connection speaks v1: 1.1's request is no type of its, and a
   * revision named in a request is a member it does not have. */
  /* 1.2's requests are no type of a v1 or 1.1 connection's
   * (docs/protocol.md, "Activity"). */
  if (request != NULL && self->minor < 2 && rl_request_type_is_v12 (request->type))
    {
      g_clear_pointer (&request, rl_request_free);
      g_set_error (&error, RL_ERROR, RL_ERROR_UNKNOWN_TYPE, "unknown request type");
    }
  if (request != NULL && self->minor < 1)
    {
      if (request->type == RL_REQUEST_PLACE_THREAD)
        {
          g_clear_pointer (&request, rl_request_free);
          g_set_error (&error, RL_ERROR, RL_ERROR_UNKNOWN_TYPE, "unknown request type");
        }
      else
        request->revision = 0;
    }
  if (request == NULL)
    {
      /* Its answer waits its turn too, behind what is parked. */
      if (!g_queue_is_empty (&self->parked))
        {
          Parked *parked = g_new0 (Parked, 1);

          parked->req = g_steal_pointer (&req);
          parked->error = g_steal_pointer (&error);
          g_queue_push_tail (&self->parked, parked);
          return;
        }
      fail_request (self, req, error);
      return;
    }
  process_request (self, g_steal_pointer (&request), FALSE);
}

static void
on_pong (SoupWebsocketConnection *connection,
         GBytes                  *message,
         RlPeer                  *self)
{
  self->last_heard_us = g_get_monotonic_time ();
}

static gboolean
leave_all_cb (gpointer data)
{
  RlPeer *self = data;
  GHashTableIter iter;
  const char *doc;

  self->leave_id = 0;
  g_hash_table_iter_init (&iter, self->subscriptions);
  while (g_hash_table_iter_next (&iter, (gpointer *) &doc, NULL))
    rl_hub_leave (self->hub, self->subscriber, self->principal->tenant, doc);
  g_hash_table_remove_all (self->subscriptions);
  if (self->following)
    rl_hub_activity_leave (self->hub, self->subscriber, self->principal->tenant, self->principal->user.id);
  self->following = FALSE;
  g_signal_emit (self, signals[CLOSED], 0);
  return G_SOURCE_REMOVE;
}

static void
on_closed (SoupWebsocketConnection *connection,
           RlPeer                  *self)
{
  if (self->closed)
    return;
  self->closed = TRUE;
  /* Deferred: this may run inside a fan-out loop over a room's peers. */
  self->leave_id = g_idle_add_full (G_PRIORITY_DEFAULT, leave_all_cb, g_object_ref (self), g_object_unref);
}

static void
rl_peer_dispose (GObject *object)
{
  RlPeer *self = RL_PEER (object);

  if (self->connection)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);
  self->outbox = NULL;   /* the connection's */
  if (self->subscriber)
    rl_subscriber_disown (self->subscriber);
  g_clear_object (&self->subscriber);
  g_clear_object (&self->store);
  g_clear_object (&self->hub);
  g_clear_object (&self->usage);
  g_clear_object (&self->cache);
  G_OBJECT_CLASS (rl_peer_parent_class)->dispose (object);
}

static void
rl_peer_finalize (GObject *object)
{
  RlPeer *self = RL_PEER (object);

  g_clear_pointer (&self->principal, rl_principal_free);
  g_clear_pointer (&self->subscriptions, g_hash_table_unref);
  g_queue_clear_full (&self->owed, (GDestroyNotify) owed_free);
  g_queue_clear_full (&self->parked, (GDestroyNotify) parked_free);
  /* After the connection: its sources are in the subloop. */
  g_clear_pointer (&self->subloop, rl_subloop_free);
  g_free (self->id);
  G_OBJECT_CLASS (rl_peer_parent_class)->finalize (object);
}

static void
rl_peer_class_init (RlPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_peer_dispose;
  object_class->finalize = rl_peer_finalize;

  /* Emitted once, after the peer has left every room. */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rl_peer_init (RlPeer *self)
{
  self->subscriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) rl_document_free);
  self->tokens = MUTATION_BURST;
  self->tokens_at_us = self->last_heard_us = self->bad_window_start_us = g_get_monotonic_time ();
}

RlPeer *
rl_peer_new (SoupWebsocketConnection *connection,
             RlPrincipal             *principal,
             RlStore                 *store,
             RlHub                   *hub,
             RlUsage                 *usage,
             RlReadCache             *cache,
             guint                    ping_interval,
             GMainContext            *ping_context,
             RlSubloop               *subloop)
{
  RlPeer *self = g_object_new (RL_TYPE_PEER, NULL);
  g_autofree char *welcome = NULL;

  self->connection = g_object_ref (connection);
  self->outbox = RL_OUTBOX (soup_websocket_connection_get_io_stream (connection));
  self->subloop = subloop;
  self->principal = principal;
  self->store = g_object_ref (store);
  self->hub = g_object_ref (hub);
  self->usage = g_object_ref (usage);
  self->cache = g_object_ref (cache);
  self->id = rl_random_id_new ();
  self->subscriber = rl_subscriber_new (self->id, principal, &subscriber_funcs, self);
  /* Negotiated permessage-deflate: the rooms send it their compressed frames. */
  for (GList *l = soup_websocket_connection_get_extensions (connection); l != NULL; l = l->next)
    if (RL_IS_DEFLATE (l->data))
      {
        rl_subscriber_set_deflate (self->subscriber, TRUE);
        rl_hub_get_metrics (hub)->connections_compressed++;
      }
  /* The subprotocol it chose (docs/protocol.md, "Revisions", "Activity"). */
  if (g_strcmp0 (soup_websocket_connection_get_protocol (connection), RL_WS_SUBPROTOCOL_V12) == 0)
    self->minor = 2;
  else if (g_strcmp0 (soup_websocket_connection_get_protocol (connection), RL_WS_SUBPROTOCOL_V11) == 0)
    self->minor = 1;
  if (self->minor >= 1)
    rl_subscriber_set_revisions (self->subscriber, TRUE);
  self->ping_interval = ping_interval;
  self->opened_us = g_get_monotonic_time ();
  rl_hub_get_metrics (hub)->connections_opened++;

  /* libsoup drops the link at its own limit with unread bytes in flight, and
   * the peer may never see the close code; so its limit is a backstop and
   * the protocol's 1009 is given below, once the frame is read. */
  soup_websocket_connection_set_max_incoming_payload_size (connection, HARD_FRAME_LIMIT);
  /* libsoup attaches the keepalive timer to the thread-default context. */
  g_main_context_push_thread_default (ping_context);
  soup_websocket_connection_set_keepalive_interval (connection, ping_interval);
  g_main_context_pop_thread_default (ping_context);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (connection, "pong", G_CALLBACK (on_pong), self);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), self);

  welcome = rl_message_serialize_welcome (principal->tenant, &principal->user, principal->role,
                                          self->id, rl_time_now_ms (), self->minor);
  rl_peer_send (self, welcome, strlen (welcome));
  return self;
}

const RlPrincipal *
rl_peer_get_principal (RlPeer *self)
{
  return self->principal;
}

const char *
rl_peer_get_id (RlPeer *self)
{
  return self->id;
}

/* Not closed on our side and still open on libsoup's. */
static gboolean
can_send (RlPeer *self)
{
  return !self->closed &&
         soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN;
}

/* libsoup attaches what a send or a close needs (an output source when the
 * socket is full, a close timeout) to the thread-default context. Inside
 * another connection's subloop that would be the wrong one: its turns would
 * poll this connection's socket. The main context (NULL here) is fine. */
static GMainContext *
enter_own_context (RlPeer *self)
{
  GMainContext *current = g_main_context_get_thread_default ();
  GMainContext *own = rl_subloop_get_context (self->subloop);

  if (current == NULL || current == own)
    return NULL;
  g_main_context_push_thread_default (own);
  return own;
}

static void
leave_own_context (RlPeer       *self,
                   GMainContext *entered)
{
  if (entered == NULL)
    return;
  g_main_context_pop_thread_default (entered);
  rl_subloop_refresh (self->subloop);
}

static guint
send_text (RlPeer     *self,
           const char *text)
{
  GMainContext *entered;

  if (!can_send (self))
    return 0;
  entered = enter_own_context (self);
  soup_websocket_connection_send_text (self->connection, text);
  leave_own_context (self, entered);
  return 1;
}

void
rl_peer_send (RlPeer     *self,
              const char *text,
              gsize       length)
{
  if (send_text (self, text))
    {
      RlMetrics *metrics = rl_hub_get_metrics (self->hub);

      self->traffic.frames_out++;
      self->traffic.bytes_out += length;
      rl_usage_count (self->usage, self->principal->tenant, 1, length);
      metrics->frames_sent++;
      metrics->bytes_sent += length;
    }
}

/* The payload's length, from a frame of rl_outbox_frame_text or
 * rl_outbox_frame_deflated (RFC 6455 §5.2: a 2, 4 or 10 byte header). */
static gsize
payload_length (GBytes *frame)
{
  gsize size = g_bytes_get_size (frame);

  if (size - 2 < 126)
    return size - 2;
  if (size - 4 <= G_MAXUINT16)
    return size - 4;
  return size - 10;
}

/* The room's shared frames, through the subscriber: into the outbox, which
 * writes to the socket directly or queues and drains from the subloop (no
 * thread-default context is involved). */
static gboolean
subscriber_send_frame (gpointer   owner,
                       GBytes    *frame,
                       GError   **error)
{
  RlPeer *self = owner;

  if (!can_send (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the connection is closing");
      return FALSE;
    }
  if (!rl_outbox_send_frame (self->outbox, frame, error))
    return FALSE;
  self->traffic.frames_out++;
  self->traffic.bytes_out += payload_length (frame);
  return TRUE;
}

static void
subscriber_overflow (gpointer owner)
{
  RlPeer *self = owner;

  rl_hub_get_metrics (self->hub)->send_queue_drops++;
  g_debug ("peer %s: too far behind; closing", self->id);
  /* libsoup 3.2 sends no 1013 (try again later); 1008 is the closest it
   * allows. The client reconnects and resubscribes with since. */
  rl_peer_close (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too far behind; resubscribe with since");
}

static void
subscriber_close (gpointer    owner,
                  gushort     code,
                  const char *reason)
{
  /* It leaves its rooms later, from an idle (see on_closed). */
  rl_peer_close (owner, code, reason);
}

void
rl_peer_close (RlPeer     *self,
               gushort     code,
               const char *reason)
{
  GMainContext *entered;

  if (soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  self->close_code_sent = code;
  entered = enter_own_context (self);
  soup_websocket_connection_close (self->connection, code, reason);
  leave_own_context (self, entered);
}

gboolean
rl_peer_is_closed (RlPeer *self)
{
  return self->closed;
}

void
rl_peer_check_alive (RlPeer *self,
                     gint64  now_us)
{
  gint64 dead_after_us = (2 * (gint64) self->ping_interval + 5) * G_USEC_PER_SEC;

  if (now_us - self->last_heard_us > dead_after_us)
    rl_peer_close (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "no answer to pings");
}

void
rl_peer_get_session (RlPeer    *self,
                     RlTraffic *traffic,
                     gint64    *opened_us,
                     gushort   *close_code,
                     gboolean  *closed_by_server)
{
  *traffic = self->traffic;
  *opened_us = self->opened_us;
  *closed_by_server = self->close_code_sent != 0;
  if (self->close_code_sent != 0)
    *close_code = self->close_code_sent;
  else
    {
      *close_code = soup_websocket_connection_get_close_code (self->connection);
      /* RFC 6455 §7.1.5: no close frame came. */
      if (*close_code == 0)
        *close_code = SOUP_WEBSOCKET_CLOSE_ABNORMAL;
    }
}
