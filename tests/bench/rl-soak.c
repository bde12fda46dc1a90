/* rl-soak.c — hours of a team's traffic on a real redline-server
 *
 * Starts redline-server on a temporary SQLite file with U users and D image
 * documents, then runs N WebSocket clients (raw non-blocking sockets on one
 * epoll loop, see rl-bench-ws.h) for the given time. Each client subscribes
 * to its document and does random operations on threads it created —
 * create, reply, edit, delete a reply, resolve, move, delete — one at a
 * time, at most a few threads alive each, so what is created is deleted
 * again and the data stays bounded. Each connection lives a random while
 * and ends with a clean close (a close frame) or an abrupt drop (FIN or
 * RST, a request possibly still in flight); the client comes back,
 * resubscribes with `since` (now and then without, for a fresh snapshot)
 * and goes on.
 *
 * What it checks, and exits 1 when any fails:
 * - every event a client gets continues its document's seq exactly (no
 *   gap, no repeat), across every resync;
 * - every acknowledged operation is in the server's final state: at the
 *   end the threads of every document (GET …/threads) are exactly the
 *   model the clients' acks built — thread ids, anchors, resolved, every
 *   comment's id and body in order. A request cut by a drop is counted
 *   once its event is seen (the client resubscribes with since and looks
 *   for its broadcastId), else as never made;
 * - the server's resident memory after the warm-up stays within the
 *   tolerance of what it was at the end of the warm-up, and stays there
 *   once every client has gone;
 * - the server's open descriptors come back to what they were before the
 *   first client;
 * - the server stops cleanly (exit 0: under AddressSanitizer, no leak).
 *
 *   rl-soak --seconds 1800                    # by hand: tests/bench/soak.sh
 *   rl-soak --seconds 180 --warmup 60         # the test run's soak
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rl-bench-ws.h"
#include "rl-codec.h"
#include "rl-uuid.h"

#define MAX_OWNED            3      /* threads a client keeps alive at once */
#define MAX_COMMENTS         5
#define ACK_TIMEOUT_US       (30 * G_USEC_PER_SEC)
#define CLOSE_TIMEOUT_US     (5 * G_USEC_PER_SEC)
/* A request cut by a drop whose event has not come this long after the
 * client resubscribed was never read by the server. */
#define UNKNOWN_SETTLE_US    (10 * G_USEC_PER_SEC)

static struct
{
  const char *server;
  const char *image;
  int         connections;
  int         users;
  int         docs;
  double      seconds;
  double      warmup;
  double      think_ms;
  double      lifetime_s;
  double      tolerance;
  double      linger;
  double      cut_chance;
  gboolean    no_memory_check;
  gboolean    quiet;
  char      **server_args;
} opt = { NULL, NULL, 500, 50, 10, 180, -1, 1500, 6, 0.10, 0, 0.03, FALSE, FALSE, NULL };

typedef enum
{
  OP_CREATE,
  OP_REPLY,
  OP_EDIT,
  OP_DELETE_COMMENT,
  OP_RESOLVE,
  OP_MOVE,
  OP_DELETE_THREAD,
  N_OPS
} OpKind;

static const char *op_names[N_OPS] = { "create", "reply", "edit", "delete-comment", "resolve", "move", "delete" };

typedef struct
{
  char *id;
  char *body;
} Comment;

typedef struct
{
  char      *id;
  guint      doc;
  gboolean   resolved;
  double     x, y;
  GPtrArray *comments;       /* Comment* */
  gboolean   uncertain;      /* a request on it was cut by a drop */
} Thread;

typedef struct
{
  OpKind    kind;
  char     *req;
  char     *broadcast_id;
  char     *thread_id;
  char     *comment_id;
  char     *body;
  double    x, y;
  gboolean  resolved;
  guint     doc;
  gint64    sent_us;
  gint64    cut_us;          /* when the drop cut it */
} Op;

typedef enum
{
  C_WAITING,                 /* disconnected until next_us */
  C_CONNECTING,
  C_UPGRADING,
  C_WELCOME,
  C_SUBSCRIBING,
  C_READY,
  C_CLOSING,                 /* sent a close frame, waits for the server's */
} ClientState;

typedef struct
{
  guint       index;
  guint       user;
  guint       doc;
  int         fd;
  ClientState state;
  GByteArray *in;
  GByteArray *out;
  guint32     epoll_events;
  gint64      seq;           /* last applied seq of its document, -1 before any */
  gint64      next_us;       /* WAITING: reconnect; READY: next operation */
  gint64      leave_us;      /* READY: the end of this connection */
  gint64      close_deadline_us;
  gint64      subscribed_us;
  gint64      connect_us;    /* when this connection was started */
  Op         *inflight;
  GPtrArray  *unknown;       /* Op* cut by a drop, outcome not seen yet */
  GPtrArray  *owned;         /* thread ids (char*, in the model's table) */
  guint64     counter;
} Client;

static struct
{
  GHashTable *threads;       /* id → Thread*: what the acks built */
  GHashTable *deleted;       /* ids of threads whose deletion was acked */
  guint64     ops[N_OPS];
  guint64     acked;
  guint64     cut;           /* requests cut by a drop */
  guint64     cut_committed; /* … whose event came after all */
  guint64     connects;
  guint64     clean_closes;
  guint64     fin_drops;
  guint64     rst_drops;
  guint64     refused;       /* upgrades refused (429 …): retried */
  guint64     resyncs;       /* subscribe with since */
  guint64     snapshots;
  guint64     resets;
  guint64     events;
  guint64     gaps;
  guint64     repeats;
  guint64     failures;      /* anything that must not happen */
  GArray     *back_us;       /* gint64: connect to subscribe's ack, each time */
  GArray     *ack_us;        /* gint64: request sent to its ack */
} soak;

static struct sockaddr_in server_addr;
static int server_port;
static int server_pid;
static char **tokens;
static char **doc_ids;
static int epfd;
static gboolean winding_down;

static void G_GNUC_PRINTF (1, 2)
failure (const char *format,
         ...)
{
  va_list args;

  soak.failures++;
  if (soak.failures > 20)
    return;
  va_start (args, format);
  fprintf (stderr, "FAIL: ");
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
}

static double
random_between (double low,
                double high)
{
  return g_random_double_range (low, high);
}

/* ---- the model ------------------------------------------------------------- */

static void
comment_free (Comment *comment)
{
  g_free (comment->id);
  g_free (comment->body);
  g_free (comment);
}

static void
thread_free (Thread *thread)
{
  g_free (thread->id);
  g_ptr_array_unref (thread->comments);
  g_free (thread);
}

static void
op_free (Op *op)
{
  g_free (op->req);
  g_free (op->broadcast_id);
  g_free (op->thread_id);
  g_free (op->comment_id);
  g_free (op->body);
  g_free (op);
}

static Comment *
comment_new (const char *id,
             const char *body)
{
  Comment *comment = g_new0 (Comment, 1);

  comment->id = g_strdup (id);
  comment->body = g_strdup (body);
  return comment;
}

static int
find_comment (Thread     *thread,
              const char *id)
{
  for (guint i = 0; i < thread->comments->len; i++)
    if (g_str_equal (((Comment *) g_ptr_array_index (thread->comments, i))->id, id))
      return (int) i;
  return -1;
}

static void
owned_remove (Client     *client,
              const char *id)
{
  for (guint i = 0; i < client->owned->len; i++)
    if (g_str_equal (g_ptr_array_index (client->owned, i), id))
      {
        g_ptr_array_remove_index_fast (client->owned, i);
        return;
      }
}

/* The operation took effect: the model follows. */
static void
op_apply (Client *client,
          Op     *op)
{
  Thread *thread = g_hash_table_lookup (soak.threads, op->thread_id);
  int at;

  soak.ops[op->kind]++;
  if (op->kind == OP_CREATE)
    {
      thread = g_new0 (Thread, 1);
      thread->id = g_strdup (op->thread_id);
      thread->doc = op->doc;
      thread->x = op->x;
      thread->y = op->y;
      thread->comments = g_ptr_array_new_with_free_func ((GDestroyNotify) comment_free);
      g_ptr_array_add (thread->comments, comment_new (op->comment_id, op->body));
      g_hash_table_insert (soak.threads, thread->id, thread);
      g_ptr_array_add (client->owned, g_strdup (thread->id));
      return;
    }
  if (thread == NULL)
    {
      failure ("client %u: %s on a thread the model lacks", client->index, op_names[op->kind]);
      return;
    }
  thread->uncertain = FALSE;
  switch (op->kind)
    {
    case OP_REPLY:
      g_ptr_array_add (thread->comments, comment_new (op->comment_id, op->body));
      break;
    case OP_EDIT:
      at = find_comment (thread, op->comment_id);
      if (at >= 0)
        {
          Comment *comment = g_ptr_array_index (thread->comments, at);

          g_free (comment->body);
          comment->body = g_strdup (op->body);
        }
      break;
    case OP_DELETE_COMMENT:
      at = find_comment (thread, op->comment_id);
      if (at >= 0)
        g_ptr_array_remove_index (thread->comments, (guint) at);
      break;
    case OP_RESOLVE:
      thread->resolved = op->resolved;
      break;
    case OP_MOVE:
      thread->x = op->x;
      thread->y = op->y;
      break;
    case OP_DELETE_THREAD:
      owned_remove (client, op->thread_id);
      g_hash_table_add (soak.deleted, g_strdup (op->thread_id));
      g_hash_table_remove (soak.threads, op->thread_id);
      break;
    case OP_CREATE:
    case N_OPS:
    default:
      g_assert_not_reached ();
    }
}

/* A cut request that never reached the server: the thread is free again. */
static void
op_forget (Op *op)
{
  Thread *thread = g_hash_table_lookup (soak.threads, op->thread_id);

  if (thread)
    thread->uncertain = FALSE;
}

static char *
random_body (Client *client)
{
  GString *body = g_string_new (NULL);
  int length = g_random_int_range (8, 160);

  g_string_printf (body, "soak %u-%" G_GUINT64_FORMAT, client->index, client->counter);
  while ((int) body->len < length)
    g_string_append_c (body, "abcdefghij klmnop"[g_random_int_range (0, 17)]);
  g_strstrip (body->str);
  return g_string_free (body, FALSE);
}

/* Anchors on a 1/1024 grid survive the JSON round trip exactly. */
static double
random_fraction (void)
{
  return g_random_int_range (0, 1025) / 1024.0;
}

static Op *
choose_op (Client *client)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new ();
  Op *op = g_new0 (Op, 1);
  Thread *thread;
  double r = g_random_double ();

  for (guint i = 0; i < client->owned->len; i++)
    {
      Thread *t = g_hash_table_lookup (soak.threads, g_ptr_array_index (client->owned, i));

      if (t && !t->uncertain)
        g_ptr_array_add (ready, t);
    }

  op->doc = client->doc;
  op->broadcast_id = rl_uuid_new ();
  op->req = g_strdup_printf ("op-%" G_GUINT64_FORMAT, ++client->counter);

  if (ready->len == 0 || (client->owned->len < MAX_OWNED && r < 0.2))
    {
      if (client->owned->len >= MAX_OWNED + client->unknown->len)
        {
          op_free (op);
          return NULL;
        }
      op->kind = OP_CREATE;
      op->thread_id = rl_uuid_new ();
      op->comment_id = rl_uuid_new ();
      op->body = random_body (client);
      op->x = random_fraction ();
      op->y = random_fraction ();
      return op;
    }

  thread = g_ptr_array_index (ready, g_random_int_range (0, (int) ready->len));
  op->thread_id = g_strdup (thread->id);
  op->doc = thread->doc;
  r = g_random_double ();
  if (r < (client->owned->len >= MAX_OWNED ? 0.3 : 0.12))
    op->kind = OP_DELETE_THREAD;
  else if (r < 0.35 && thread->comments->len < MAX_COMMENTS)
    op->kind = OP_REPLY;
  else if (r < 0.55)
    op->kind = OP_EDIT;
  else if (r < 0.65 && thread->comments->len > 1)
    op->kind = OP_DELETE_COMMENT;
  else if (r < 0.82)
    op->kind = OP_RESOLVE;
  else
    op->kind = OP_MOVE;

  switch (op->kind)
    {
    case OP_REPLY:
      op->comment_id = rl_uuid_new ();
      op->body = random_body (client);
      break;
    case OP_EDIT:
      op->comment_id = g_strdup (((Comment *) g_ptr_array_index (
        thread->comments, g_random_int_range (0, (int) thread->comments->len)))->id);
      op->body = random_body (client);
      break;
    case OP_DELETE_COMMENT:
      /* Never the first: that one goes with its thread. */
      op->comment_id = g_strdup (((Comment *) g_ptr_array_index (
        thread->comments, g_random_int_range (1, (int) thread->comments->len)))->id);
      break;
    case OP_RESOLVE:
      op->resolved = !thread->resolved;
      break;
    case OP_MOVE:
      op->x = random_fraction ();
      op->y = random_fraction ();
      break;
    case OP_CREATE:
    case OP_DELETE_THREAD:
    case N_OPS:
    default:
      break;
    }
  return op;
}

static char *
op_serialize (const Op *op)
{
  static const RlRequestType types[N_OPS] = {
    RL_REQUEST_CREATE_THREAD, RL_REQUEST_ADD_COMMENT, RL_REQUEST_EDIT_COMMENT, RL_REQUEST_DELETE_COMMENT,
    RL_REQUEST_RESOLVE_THREAD, RL_REQUEST_MOVE_THREAD, RL_REQUEST_DELETE_THREAD,
  };
  g_autoptr(RlRequest) request = rl_request_new (types[op->kind]);

  request->req = g_strdup (op->req);
  request->broadcast_id = g_strdup (op->broadcast_id);
  request->doc = g_strdup (doc_ids[op->doc]);
  request->thread_id = g_strdup (op->thread_id);
  request->comment_id = g_strdup (op->comment_id);
  request->body = g_strdup (op->body);
  request->resolved = op->resolved;
  if (op->kind == OP_CREATE || op->kind == OP_MOVE)
    {
      request->has_anchor = TRUE;
      request->anchor.kind = RL_DOC_KIND_IMAGE;
      request->anchor.x = op->x;
      request->anchor.y = op->y;
    }
  return rl_request_serialize (request);
}

/* ---- clients ------------------------------------------------------------------ */

static void
client_want (Client  *client,
             guint32  events)
{
  struct epoll_event ev = { .events = events, .data.ptr = client };

  if (client->epoll_events == events)
    return;
  epoll_ctl (epfd, client->epoll_events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, client->fd, &ev);
  client->epoll_events = events;
}

static void
client_send_text (Client     *client,
                  const char *text)
{
  rl_bench_ws_append_frame (client->out, RL_WS_OP_TEXT, text, strlen (text));
}

static void
client_schedule_op (Client *client,
                    gint64  now)
{
  client->next_us = now + (gint64) (random_between (0, 2 * opt.think_ms) * 1000);
}

/* The connection is over, however it ended. */
static void
client_disconnect (Client  *client,
                   gint64   now,
                   gboolean expected)
{
  if (client->fd >= 0)
    {
      close (client->fd);   /* leaves the epoll set too */
      client->fd = -1;
    }
  client->epoll_events = 0;
  g_byte_array_set_size (client->in, 0);
  g_byte_array_set_size (client->out, 0);
  if (client->inflight)
    {
      Thread *thread = g_hash_table_lookup (soak.threads, client->inflight->thread_id);

      soak.cut++;
      client->inflight->cut_us = now;
      if (thread)
        thread->uncertain = TRUE;
      g_ptr_array_add (client->unknown, g_steal_pointer (&client->inflight));
    }
  if (!expected && !winding_down)
    failure ("client %u: the server ended the connection", client->index);
  client->state = C_WAITING;
  client->next_us = now + (gint64) (random_between (20, 400) * 1000);
}

/* Ends a connection the way a person's laptop does: a close frame, or the
 * link gone (FIN, or RST with data unread). */
static void
client_leave (Client *client,
              gint64  now)
{
  double r = g_random_double ();

  if (r < 0.4)
    {
      static const guint8 normal[] = { 0x03, 0xe8 };

      rl_bench_ws_append_frame (client->out, RL_WS_OP_CLOSE, normal, sizeof normal);
      rl_bench_ws_flush (client->fd, client->out);
      client->state = C_CLOSING;
      client->close_deadline_us = now + CLOSE_TIMEOUT_US;
      soak.clean_closes++;
      return;
    }
  if (r < 0.7)
    soak.fin_drops++;
  else
    {
      rl_bench_ws_set_reset (client->fd);
      soak.rst_drops++;
    }
  client_disconnect (client, now, TRUE);
}

static void
client_connect (Client *client,
                gint64  now)
{
  client->fd = rl_bench_ws_connect (&server_addr, FALSE);
  if (client->fd < 0)
    {
      failure ("client %u: socket: %s", client->index, g_strerror (errno));
      client->next_us = now + G_USEC_PER_SEC;
      return;
    }
  soak.connects++;
  client->connect_us = now;
  client->state = C_CONNECTING;
  client->close_deadline_us = now + ACK_TIMEOUT_US;
  rl_bench_ws_append_upgrade (client->out, "127.0.0.1", server_port, tokens[client->user]);
  client_want (client, EPOLLIN | EPOLLOUT);
}

static void
client_subscribe (Client *client)
{
  g_autoptr(RlRequest) request = rl_request_new (RL_REQUEST_SUBSCRIBE);
  g_autofree char *text = NULL;

  request->req = g_strdup ("sub");
  request->doc = g_strdup (doc_ids[client->doc]);
  /* Mostly a resync; now and then a fresh view. A request cut by a drop is
   * only found among the events, so that client always resyncs. */
  if (client->seq >= 0 && (client->unknown->len > 0 || g_random_double () < 0.85))
    {
      request->has_since = TRUE;
      request->since = client->seq;
      soak.resyncs++;
    }
  text = rl_request_serialize (request);
  client_send_text (client, text);
  client->state = C_SUBSCRIBING;
}

/* A cut request's event is here: it was committed after all. */
static void
client_look_for_unknown (Client       *client,
                         const guint8 *payload,
                         gsize         length)
{
  for (guint i = 0; i < client->unknown->len;)
    {
      Op *op = g_ptr_array_index (client->unknown, i);

      if (memmem (payload, length, op->broadcast_id, strlen (op->broadcast_id)))
        {
          soak.cut_committed++;
          op_apply (client, op);
          g_ptr_array_remove_index (client->unknown, i);
          op_free (op);
          continue;
        }
      i++;
    }
}

static gint64
read_seq (const guint8 *p,
          const guint8 *end)
{
  return g_ascii_strtoll ((const char *) p + strlen ("\"seq\":"), NULL, 10);
  (void) end;
}

/* Every "seq" of an event or batch frame, in order. */
static void
client_take_events (Client       *client,
                    const guint8 *payload,
                    gsize         length)
{
  const guint8 *p = payload, *end = payload + length;
  gint64 seq;

  while ((p = rl_bench_next_event_seq (p, end, payload, &seq)) != NULL)
    {
      soak.events++;
      if (seq == client->seq + 1)
        client->seq = seq;
      else if (seq <= client->seq)
        {
          soak.repeats++;
          failure ("client %u: seq %" G_GINT64_FORMAT " again after %" G_GINT64_FORMAT, client->index, seq,
                   client->seq);
        }
      else
        {
          soak.gaps++;
          failure ("client %u: seq %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT, client->index, seq,
                   client->seq);
          client->seq = seq;
        }
    }
  if (client->unknown->len > 0)
    client_look_for_unknown (client, payload, length);
}

static void
client_take_ack (Client       *client,
                 const guint8 *payload,
                 gsize         length,
                 gint64        now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlMessage) ack = rl_message_parse ((const char *) payload, length, &error);

  if (ack == NULL || ack->type != RL_MESSAGE_ACK)
    {
      failure ("client %u: unreadable ack: %s", client->index, error ? error->message : "?");
      return;
    }
  if (g_strcmp0 (ack->req, "sub") == 0)
    {
      gint64 took = now - client->connect_us;

      if (!ack->ok)
        {
          failure ("client %u: subscribe refused: %s", client->index, ack->error_message);
          return;
        }
      if (ack->seq != client->seq)
        failure ("client %u: subscribed at %" G_GINT64_FORMAT ", events reached %" G_GINT64_FORMAT,
                 client->index, ack->seq, client->seq);
      client->state = C_READY;
      g_array_append_val (soak.back_us, took);
      client->subscribed_us = now;
      client->leave_us = now + (gint64) (random_between (0.1, 1.9) * opt.lifetime_s * G_USEC_PER_SEC);
      client_schedule_op (client, now);
      return;
    }
  if (client->inflight == NULL || g_strcmp0 (ack->req, client->inflight->req) != 0)
    {
      failure ("client %u: an ack for %s, none expected", client->index, ack->req);
      return;
    }
  if (!ack->ok)
    failure ("client %u: %s refused: %s", client->index, op_names[client->inflight->kind], ack->error_message);
  else
    {
      gint64 took = now - client->inflight->sent_us;

      g_array_append_val (soak.ack_us, took);
      soak.acked++;
      op_apply (client, client->inflight);
    }
  g_clear_pointer (&client->inflight, op_free);
  client_schedule_op (client, now);
}

static void
client_take_frame (Client       *client,
                   guint8        opcode,
                   const guint8 *payload,
                   gsize         length,
                   gint64        now)
{
  static const char prefix[] = "{\"type\":\"";
  const char *type;

  switch (opcode)
    {
    case RL_WS_OP_PING:
      rl_bench_ws_append_frame (client->out, RL_WS_OP_PONG, payload, length);
      return;
    case RL_WS_OP_PONG:
      return;
    case RL_WS_OP_CLOSE:
      if (client->state != C_CLOSING && !winding_down)
        failure ("client %u: closed by the server (%d)", client->index,
                 length >= 2 ? (payload[0] << 8) | payload[1] : 0);
      client_disconnect (client, now, TRUE);
      return;
    case RL_WS_OP_TEXT:
      break;
    default:
      failure ("client %u: frame with opcode %u", client->index, opcode);
      return;
    }

  if (length < sizeof prefix || memcmp (payload, prefix, sizeof prefix - 1) != 0)
    {
      failure ("client %u: a frame without its type first", client->index);
      return;
    }
  type = (const char *) payload + sizeof prefix - 1;
  if (g_str_has_prefix (type, "ack\""))
    client_take_ack (client, payload, length, now);
  else if (g_str_has_prefix (type, "welcome\""))
    {
      if (client->state != C_WELCOME)
        failure ("client %u: a welcome out of turn", client->index);
      client_subscribe (client);
    }
  else if (g_str_has_prefix (type, "snapshot\""))
    {
      const guint8 *seq = memmem (payload, length, "\"seq\":", 6);

      soak.snapshots++;
      if (memmem (payload, MIN (length, 200), "\"reset\":true", 12))
        {
          /* The log no longer reaches back: what was cut can't be found. */
          soak.resets++;
          for (guint i = 0; i < client->unknown->len; i++)
            failure ("client %u: a reset snapshot hides a cut request", client->index);
        }
      client->seq = seq ? read_seq (seq, payload + length) : -1;
    }
  else if (g_str_has_prefix (type, "presence\""))
    ;
  else
    client_take_events (client, payload, length);
}

static void
client_readable (Client *client,
                 gint64  now)
{
  gssize n = rl_bench_ws_fill (client->fd, client->in);
  gsize offset = 0;

  if (n < 0 && errno == EAGAIN)
    return;
  if (client->state == C_UPGRADING)
    {
      guint status = 0;
      gsize head = rl_bench_ws_parse_head (client->in, &status);

      if (head == 0)
        {
          if (n <= 0)
            client_disconnect (client, now, winding_down);
          return;
        }
      g_byte_array_remove_range (client->in, 0, (guint) head);
      if (status != 101)
        {
          /* A cap (429) answers a burst of reconnects: come back later. */
          soak.refused++;
          if (status != 429)
            failure ("client %u: upgrade answered %u", client->index, status);
          client_disconnect (client, now, TRUE);
          return;
        }
      client->state = C_WELCOME;
    }

  for (;;)
    {
      guint8 opcode;
      gboolean final;
      const guint8 *payload;
      gsize length;

      if (!rl_bench_ws_next_frame (client->in, &offset, &opcode, &final, &payload, &length))
        break;
      if (!final)
        failure ("client %u: a fragmented frame", client->index);
      client_take_frame (client, opcode, payload, length, now);
      if (client->fd < 0)
        return;
    }
  g_byte_array_remove_range (client->in, 0, (guint) offset);
  if (n == 0 || (n < 0 && errno != EAGAIN))
    client_disconnect (client, now, client->state == C_CLOSING || winding_down);
}

static void
client_event (Client   *client,
              guint32   events,
              gint64    now)
{
  if (client->state == C_CONNECTING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
    {
      int error = 0;
      socklen_t size = sizeof error;

      getsockopt (client->fd, SOL_SOCKET, SO_ERROR, &error, &size);
      if (error != 0)
        {
          failure ("client %u: connect: %s", client->index, g_strerror (error));
          client_disconnect (client, now, TRUE);
          return;
        }
      client->state = C_UPGRADING;
    }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
    client_readable (client, now);
}

/* What is due for one client now. */
static void
client_tick (Client *client,
             gint64  now)
{
  switch (client->state)
    {
    case C_WAITING:
      /* Winding down, only to find out about a cut request. */
      if ((!winding_down || client->unknown->len > 0) && now >= client->next_us)
        client_connect (client, now);
      break;
    case C_CONNECTING:
    case C_UPGRADING:
    case C_WELCOME:
    case C_SUBSCRIBING:
      if (now > client->close_deadline_us)
        {
          failure ("client %u: no subscription within %d s", client->index,
                   (int) (ACK_TIMEOUT_US / G_USEC_PER_SEC));
          client_disconnect (client, now, TRUE);
        }
      break;
    case C_READY:
      /* Cut requests whose event never came were never read. */
      for (guint i = 0; i < client->unknown->len;)
        {
          Op *op = g_ptr_array_index (client->unknown, i);

          if (now - MAX (op->cut_us, client->subscribed_us) > UNKNOWN_SETTLE_US)
            {
              op_forget (op);
              g_ptr_array_remove_index (client->unknown, i);
              op_free (op);
              continue;
            }
          i++;
        }
      if (client->inflight)
        {
          if (now - client->inflight->sent_us > ACK_TIMEOUT_US)
            {
              failure ("client %u: no ack for %s in %d s", client->index, op_names[client->inflight->kind],
                       (int) (ACK_TIMEOUT_US / G_USEC_PER_SEC));
              g_clear_pointer (&client->inflight, op_free);
            }
          break;
        }
      if (winding_down)
        break;
      if (now >= client->leave_us)
        {
          client_leave (client, now);
          break;
        }
      if (now >= client->next_us)
        {
          g_autofree char *text = NULL;

          client->inflight = choose_op (client);
          if (client->inflight == NULL)
            {
              client_schedule_op (client, now);
              break;
            }
          client->inflight->sent_us = now;
          text = op_serialize (client->inflight);
          client_send_text (client, text);
          if (g_random_double () < opt.cut_chance)
            {
              /* Gone right after the request left: the server may or may
               * not have read it. */
              rl_bench_ws_flush (client->fd, client->out);
              client_leave (client, now);
              return;
            }
        }
      break;
    case C_CLOSING:
      if (now > client->close_deadline_us)
        {
          failure ("client %u: no close frame back in %d s", client->index,
                   (int) (CLOSE_TIMEOUT_US / G_USEC_PER_SEC));
          client_disconnect (client, now, TRUE);
        }
      break;
    default:
      break;
    }

  if (client->fd >= 0 && client->out->len > 0)
    {
      if (!rl_bench_ws_flush (client->fd, client->out))
        client_disconnect (client, now, client->state == C_CLOSING || winding_down);
    }
  if (client->fd >= 0 && client->state != C_CONNECTING)
    client_want (client, EPOLLIN | (client->out->len > 0 ? EPOLLOUT : 0));
}

/* ---- the final state ------------------------------------------------------------- */

static void
check_document (guint doc)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/threads", doc_ids[doc]);
  g_autofree char *body = rl_bench_http_get (&server_addr, path, tokens[0]);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  Thread *expected;
  gint64 head;

  if (body == NULL || (root = json_from_string (body, &error)) == NULL ||
      !rl_threads_body_from_json (root, &head, &threads, &error))
    {
      failure ("document %u: no threads: %s", doc, error ? error->message : "no answer");
      return;
    }
  for (guint i = 0; i < threads->len; i++)
    {
      RlThread *thread = g_ptr_array_index (threads, i);

      g_hash_table_add (seen, thread->id);
      expected = g_hash_table_lookup (soak.threads, thread->id);
      if (expected == NULL)
        {
          failure ("document %u: thread %s %s", doc, thread->id,
                   g_hash_table_contains (soak.deleted, thread->id) ? "deleted (acked) but still there"
                                                                    : "was never acked");
          continue;
        }
      if (expected->doc != doc)
        failure ("thread %s: in document %u, made in %u", thread->id, doc, expected->doc);
      if (thread->resolved != expected->resolved)
        failure ("thread %s: resolved %d, acked %d", thread->id, thread->resolved, expected->resolved);
      if (thread->anchor.x != expected->x || thread->anchor.y != expected->y)
        failure ("thread %s: at %g,%g, acked %g,%g", thread->id, thread->anchor.x, thread->anchor.y,
                 expected->x, expected->y);
      if (thread->comments->len != expected->comments->len)
        {
          failure ("thread %s: %u comments, acked %u", thread->id, thread->comments->len,
                   expected->comments->len);
          continue;
        }
      for (guint c = 0; c < thread->comments->len; c++)
        {
          RlComment *got = g_ptr_array_index (thread->comments, c);
          Comment *want = g_ptr_array_index (expected->comments, c);

          if (!g_str_equal (got->id, want->id) || !g_str_equal (got->body, want->body))
            failure ("thread %s: comment %u is %s “%s”, acked %s “%s”", thread->id, c, got->id, got->body,
                     want->id, want->body);
        }
    }
  g_hash_table_iter_init (&iter, soak.threads);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &expected))
    if (expected->doc == doc && !g_hash_table_contains (seen, expected->id))
      failure ("document %u: acked thread %s is missing", doc, expected->id);
}

/* ---- main ------------------------------------------------------------------------- */

typedef struct
{
  double  t;
  guint64 rss;
  guint64 anon;
  int     fds;
} Sample;

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* "p50 … ms, p99 … ms, max … ms" of a list of µs (sorted in place). */
static char *
describe_times (GArray *times)
{
  gint64 *t = (gint64 *) (gpointer) times->data;
  guint n = times->len;

  if (n == 0)
    return g_strdup ("none");
  g_array_sort (times, compare_gint64);
  return g_strdup_printf ("p50 %.1f ms, p99 %.1f ms, max %.1f ms (%u)", t[n / 2] / 1e3, t[n * 99 / 100] / 1e3,
                          t[n - 1] / 1e3, n);
}

static guint
count_connected (Client *clients)
{
  guint n = 0;

  for (int i = 0; i < opt.connections; i++)
    n += clients[i].state == C_READY;
  return n;
}

int
main (int    argc,
      char **argv)
{
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_FILENAME, &opt.server, "redline-server (default: $REDLINE_SERVER)", "PATH" },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &opt.image, "The image the documents are made of", "PNG" },
    { "connections", 0, 0, G_OPTION_ARG_INT, &opt.connections, "Clients (default 500)", "N" },
    { "users", 0, 0, G_OPTION_ARG_INT, &opt.users, "Users they sign in as (default 50)", "N" },
    { "docs", 0, 0, G_OPTION_ARG_INT, &opt.docs, "Documents (default 10)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt.seconds, "How long (default 180)", "S" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &opt.warmup, "Warm-up before memory is compared (default a third)", "S" },
    { "think-ms", 0, 0, G_OPTION_ARG_DOUBLE, &opt.think_ms, "Mean pause between a client's operations", "MS" },
    { "lifetime", 0, 0, G_OPTION_ARG_DOUBLE, &opt.lifetime_s, "Mean seconds a connection lives (default 6)", "S" },
    { "tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &opt.tolerance, "Allowed growth of RSS after warm-up (0.10)", "F" },
    { "no-memory-check", 0, 0, G_OPTION_ARG_NONE, &opt.no_memory_check,
      "Report memory, do not judge it (AddressSanitizer's quarantine grows by design)", NULL },
    { "linger", 0, 0, G_OPTION_ARG_DOUBLE, &opt.linger,
      "Seconds the server is left running once every client has gone (to look at it)", "S" },
    { "cut-chance", 0, 0, G_OPTION_ARG_DOUBLE, &opt.cut_chance,
      "Chance that a connection is dropped right after a request (0.03)", "F" },
    { "server-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.server_args, "One more serve option", "ARG" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet, "Only the summary", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— soak redline-server with churning clients");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *log = NULL;
  g_autofree char *url = NULL;
  g_autofree Client *clients = NULL;
  struct epoll_event events[512];
  gint64 start, end, next_sample, next_report;
  guint64 base_rss = 0, base_anon = 0, warm_rss = 0, warm_anon = 0, peak_rss = 0, peak_anon = 0;
  guint64 gone_rss = 0, gone_anon = 0;
  int base_fds, gone_fds = -1;
  gboolean memory_ok = TRUE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (opt.server == NULL)
    opt.server = g_getenv ("REDLINE_SERVER");
  if (opt.image == NULL)
    opt.image = TESTS_SRCDIR "/data/mockup.png";
  if (opt.server == NULL || opt.connections < 1 || opt.users < 1 || opt.docs < 1 || opt.seconds <= 0)
    {
      fprintf (stderr, "--server (or $REDLINE_SERVER), and positive numbers, please\n");
      return 2;
    }
  if (opt.warmup < 0)
    opt.warmup = opt.seconds / 3;
  signal (SIGPIPE, SIG_IGN);
  rl_bench_raise_fd_limit ((guint64) opt.connections * 4 + 256);

  dir = g_dir_make_tmp ("redline-soak-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "soak.db", NULL);
  log = g_build_filename (dir, "server.log", NULL);
  rl_bench_add_team (opt.server, db, "soak", "Soak", opt.users, opt.docs, opt.image, &tokens, &doc_ids);

  server = rl_bench_start_server (opt.server, db, log, 0, (const char * const *) opt.server_args, &url,
                                  &server_port);
  server_pid = (int) g_ascii_strtoll (g_subprocess_get_identifier (server), NULL, 10);
  rl_bench_loopback (&server_addr, server_port);
  /* The server's own set-up is done once it answers. */
  g_free (rl_bench_http_get (&server_addr, "/healthz", ""));
  base_fds = rl_bench_proc_fds (server_pid);
  rl_bench_proc_memory (server_pid, &base_rss, &base_anon);
  printf ("soak: %d connections, %d users, %d documents, %.0f s (warm-up %.0f s); server pid %d, %s\n",
          opt.connections, opt.users, opt.docs, opt.seconds, opt.warmup, server_pid, url);
  printf ("soak: before any client: rss %" G_GUINT64_FORMAT " KiB (anon %" G_GUINT64_FORMAT " KiB), %d descriptors\n",
          base_rss, base_anon, base_fds);
  fflush (stdout);

  soak.threads = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) thread_free);
  soak.deleted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  soak.back_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  soak.ack_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  clients = g_new0 (Client, opt.connections);
  start = g_get_monotonic_time ();
  for (int i = 0; i < opt.connections; i++)
    {
      Client *client = &clients[i];

      client->index = (guint) i;
      client->user = (guint) (i % opt.users);
      client->doc = (guint) (i % opt.docs);
      client->fd = -1;
      client->seq = -1;
      client->in = g_byte_array_new ();
      client->out = g_byte_array_new ();
      client->unknown = g_ptr_array_new ();
      client->owned = g_ptr_array_new_with_free_func (g_free);
      /* Everyone arrives within the first two seconds. */
      client->next_us = start + g_random_int_range (0, 2 * G_USEC_PER_SEC);
    }

  end = start + (gint64) (opt.seconds * G_USEC_PER_SEC);
  next_sample = start + G_USEC_PER_SEC;
  next_report = start + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      int n;

      if (!winding_down && now >= end)
        winding_down = TRUE;
      if (winding_down)
        {
          /* Let every request in flight be answered and every cut one be
           * found or settled, then everyone goes. */
          gboolean busy = FALSE;

          for (int i = 0; i < opt.connections; i++)
            busy |= clients[i].inflight != NULL || clients[i].unknown->len > 0;
          if (!busy || now > end + 2 * UNKNOWN_SETTLE_US + ACK_TIMEOUT_US)
            break;
        }

      n = epoll_wait (epfd, events, G_N_ELEMENTS (events), 10);
      now = g_get_monotonic_time ();
      for (int i = 0; i < n; i++)
        {
          Client *client = events[i].data.ptr;

          if (client->fd >= 0)
            client_event (client, events[i].events, now);
        }
      for (int i = 0; i < opt.connections; i++)
        client_tick (&clients[i], now);

      if (now >= next_sample)
        {
          Sample sample = { (now - start) / (double) G_USEC_PER_SEC, 0, 0, rl_bench_proc_fds (server_pid) };

          rl_bench_proc_memory (server_pid, &sample.rss, &sample.anon);
          g_array_append_val (samples, sample);
          next_sample += G_USEC_PER_SEC;
        }
      if (now >= next_report && !opt.quiet && samples->len > 0)
        {
          Sample *last = &g_array_index (samples, Sample, samples->len - 1);

          printf ("t=%4.0fs ready=%u acked=%" G_GUINT64_FORMAT " events=%" G_GUINT64_FORMAT
                  " connects=%" G_GUINT64_FORMAT " live-threads=%u rss=%" G_GUINT64_FORMAT " anon=%"
                  G_GUINT64_FORMAT " fds=%d failures=%" G_GUINT64_FORMAT "\n",
                  last->t, count_connected (clients), soak.acked, soak.events, soak.connects,
                  g_hash_table_size (soak.threads), last->rss, last->anon, last->fds, soak.failures);
          fflush (stdout);
          next_report += 10 * G_USEC_PER_SEC;
        }
    }

  /* Everyone goes, half cleanly. */
  for (int i = 0; i < opt.connections; i++)
    {
      Client *client = &clients[i];

      if (client->unknown->len > 0)
        failure ("client %u: %u cut requests never settled", client->index, client->unknown->len);
      if (client->fd >= 0)
        {
          if (client->state == C_READY && i % 2 == 0)
            {
              static const guint8 normal[] = { 0x03, 0xe8 };

              rl_bench_ws_append_frame (client->out, RL_WS_OP_CLOSE, normal, sizeof normal);
              rl_bench_ws_flush (client->fd, client->out);
            }
          close (client->fd);
          client->fd = -1;
        }
    }

  /* What every ack built is what the server has. */
  for (int d = 0; d < opt.docs; d++)
    check_document ((guint) d);

  /* Descriptors back where they were; memory as after the warm-up. */
  for (int i = 0; i < 150; i++)
    {
      gone_fds = rl_bench_proc_fds (server_pid);
      if (gone_fds == base_fds)
        break;
      g_usleep (100 * 1000);
    }
  g_usleep (1500 * 1000);
  rl_bench_proc_memory (server_pid, &gone_rss, &gone_anon);
  if (gone_fds != base_fds)
    failure ("the server holds %d descriptors with every client gone, %d before the first", gone_fds, base_fds);

  for (guint i = 0; i < samples->len; i++)
    {
      Sample *sample = &g_array_index (samples, Sample, i);

      if (sample->t <= opt.warmup)
        {
          warm_rss = sample->rss;
          warm_anon = sample->anon;
        }
      else
        {
          peak_rss = MAX (peak_rss, sample->rss);
          peak_anon = MAX (peak_anon, sample->anon);
        }
    }
  printf ("soak: operations acked %" G_GUINT64_FORMAT " (create %" G_GUINT64_FORMAT ", reply %" G_GUINT64_FORMAT
          ", edit %" G_GUINT64_FORMAT ", delete-comment %" G_GUINT64_FORMAT ", resolve %" G_GUINT64_FORMAT
          ", move %" G_GUINT64_FORMAT ", delete %" G_GUINT64_FORMAT "); cut by a drop %" G_GUINT64_FORMAT
          " (%" G_GUINT64_FORMAT " committed)\n",
          soak.acked, soak.ops[OP_CREATE], soak.ops[OP_REPLY], soak.ops[OP_EDIT], soak.ops[OP_DELETE_COMMENT],
          soak.ops[OP_RESOLVE], soak.ops[OP_MOVE], soak.ops[OP_DELETE_THREAD], soak.cut, soak.cut_committed);
  printf ("soak: connections %" G_GUINT64_FORMAT " (clean closes %" G_GUINT64_FORMAT ", FIN drops %"
          G_GUINT64_FORMAT ", RST drops %" G_GUINT64_FORMAT ", refused %" G_GUINT64_FORMAT "); resyncs %"
          G_GUINT64_FORMAT ", snapshots %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " reset); events %"
          G_GUINT64_FORMAT ", gaps %" G_GUINT64_FORMAT ", repeats %" G_GUINT64_FORMAT "; threads left %u\n",
          soak.connects, soak.clean_closes, soak.fin_drops, soak.rst_drops, soak.refused, soak.resyncs,
          soak.snapshots, soak.resets, soak.events, soak.gaps, soak.repeats, g_hash_table_size (soak.threads));
  {
    g_autofree char *back = describe_times (soak.back_us);
    g_autofree char *acks = describe_times (soak.ack_us);

    printf ("soak: connect to subscribed (resync or snapshot): %s\n", back);
    printf ("soak: request to ack: %s\n", acks);
  }
  printf ("soak: server rss KiB: before %" G_GUINT64_FORMAT ", after warm-up %" G_GUINT64_FORMAT ", peak after %"
          G_GUINT64_FORMAT " (%+.1f %%), every client gone %" G_GUINT64_FORMAT " (%+.1f %%)\n",
          base_rss, warm_rss, peak_rss, warm_rss ? 100.0 * ((double) peak_rss / warm_rss - 1) : 0, gone_rss,
          warm_rss ? 100.0 * ((double) gone_rss / warm_rss - 1) : 0);
  printf ("soak: server anon KiB: before %" G_GUINT64_FORMAT ", after warm-up %" G_GUINT64_FORMAT
          ", peak after %" G_GUINT64_FORMAT ", every client gone %" G_GUINT64_FORMAT "\n",
          base_anon, warm_anon, peak_anon, gone_anon);
  printf ("soak: server descriptors: before %d, every client gone %d\n", base_fds, gone_fds);

  if (!opt.no_memory_check)
    {
      if (warm_rss == 0 || peak_rss > warm_rss * (1 + opt.tolerance))
        memory_ok = FALSE;
      if (gone_rss > warm_rss * (1 + opt.tolerance))
        memory_ok = FALSE;
      if (!memory_ok)
        failure ("the server's memory grew more than %.0f %% after the warm-up", opt.tolerance * 100);
    }

  if (opt.linger > 0)
    {
      printf ("soak: the server (pid %d) stays up %.0f s\n", server_pid, opt.linger);
      fflush (stdout);
      g_usleep ((gulong) (opt.linger * G_USEC_PER_SEC));
    }
  g_subprocess_send_signal (server, SIGTERM);
  if (!g_subprocess_wait (server, NULL, &error) || !g_subprocess_get_if_exited (server) ||
      g_subprocess_get_exit_status (server) != 0)
    {
      g_autofree char *text = NULL;

      g_file_get_contents (log, &text, NULL, NULL);
      failure ("the server did not stop cleanly; its last words:\n%s",
               text ? text + (strlen (text) > 4000 ? strlen (text) - 4000 : 0) : "");
    }

  for (int i = 0; i < opt.connections; i++)
    {
      Client *client = &clients[i];

      g_byte_array_unref (client->in);
      g_byte_array_unref (client->out);
      g_clear_pointer (&client->inflight, op_free);
      g_ptr_array_set_free_func (client->unknown, (GDestroyNotify) op_free);
      g_ptr_array_unref (client->unknown);
      g_ptr_array_unref (client->owned);
    }
  g_hash_table_unref (soak.threads);
  g_hash_table_unref (soak.deleted);
  g_array_unref (soak.back_us);
  g_array_unref (soak.ack_us);
  g_strfreev (tokens);
  g_strfreev (doc_ids);
  g_strfreev (opt.server_args);
  close (epfd);

  printf ("soak: %s (%" G_GUINT64_FORMAT " failures)\n", soak.failures == 0 ? "PASS" : "FAIL", soak.failures);
  if (soak.failures == 0)
    rl_bench_remove_run (dir, db, log);
  else
    printf ("soak: the database and the server's log are kept in %s\n", dir);
  return soak.failures == 0 ? 0 : 1;
}
