/* rl-gate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-gate.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "rl-codec.h"
#include "rl-error.h"
#include "rl-limits.h"

/* Reads of a lingering close per turn of the loop, so that a fast client
 * does not hold the loop. */
#define DRAIN_READS_PER_TURN  64
#define DRAIN_BUFFER_BYTES    16384
/* RFC 6585; libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

typedef enum
{
  CONN_HANDSHAKE,   /* accepted: TLS handshake and the first request's head */
  CONN_HEAD,        /* a later request's head is arriving */
  CONN_BODY,        /* an upload's body is arriving */
  CONN_BUSY,        /* the request is being answered: the answer must keep moving */
  CONN_IDLE,        /* kept alive between requests */
  CONN_PENDING,     /* bytes came while idle, before libsoup started a request */
} ConnState;

typedef struct
{
  RlGate            *gate;
  GSocket           *socket;
  SoupServerMessage *msg;              /* the latest request libsoup made on it */
  gulong             disconnected_id;
  gulong             connected_id;
  char              *address;          /* counted against its address while set */
  ConnState          state;
  gboolean           connected;        /* libsoup's I/O exists: it can be taken */
  gboolean           over_cap;
  GQueue            *clock;            /* the queue it waits in, or NULL */
  GList              link;
  gint64             deadline;
  GSource           *watch;            /* idle: the client leaving */
} Conn;

typedef struct
{
  RlGate    *gate;
  GIOStream *stream;                   /* NULL: the socket is all there is */
  GSocket   *socket;
  GBytes    *answer;                   /* NULL: nothing to say */
  int        priority;                 /* of the draining */
  gsize      written;
  GSource   *source;                   /* writing, then draining */
  GSource   *timeout;
  GList      link;
} Refusal;

struct _RlGate
{
  GObject       parent_instance;
  SoupServer   *soup;                  /* not owned */
  GMainContext *context;
  GHashTable   *conns;                 /* GSocket* → Conn* (owned) */
  GHashTable   *unauthenticated;       /* address → count */
  GQueue        head_clock;            /* by deadline: all share one timeout */
  GQueue        body_clock;
  GQueue        refusals;
  GSource      *timer;
  gint64        handshake_timeout_us;
  gint64        body_timeout_us;
  guint         max_unauthenticated;
  guint64       accepted;              /* connections ever accepted */
};

G_DEFINE_FINAL_TYPE (RlGate, rl_gate, G_TYPE_OBJECT)

enum
{
  REFUSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refusal_start   (RlGate            *self,
                             GIOStream         *stream,
                             GSocket           *socket,
                             GBytes            *answer,
                             int                priority);
static void take_connection (RlGate            *self,
                             SoupServerMessage *msg,
                             GBytes            *answer);
static void refuse_with     (RlGate            *self,
                             SoupServerMessage *msg,
                             guint              status,
                             RlErrorCode        code,
                             char              *message);

/* ---- addresses ------------------------------------------------------------------ */

/* An IPv4 address, or the /64 of an IPv6 one: one host of a network gets as
 * many IPv6 addresses as it likes. */
static char *
address_key (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  GInetAddress *address;
  const guint8 *bytes;

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;
  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    return g_inet_address_to_string (address);

  bytes = g_inet_address_to_bytes (address);
  /* ::ffff:a.b.c.d, what a dual-stack socket sees of IPv4 */
  if (memcmp (bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
    return g_strdup_printf ("%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);
  return g_strdup_printf ("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", bytes[0], bytes[1], bytes[2],
                          bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
}

static guint
address_count (RlGate     *self,
               const char *address)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->unauthenticated, address));
}

static void
conn_uncount (Conn *conn)
{
  RlGate *self = conn->gate;
  guint count;

  if (conn->address == NULL)
    return;
  count = address_count (self, conn->address);
  if (count <= 1)
    g_hash_table_remove (self->unauthenticated, conn->address);
  else
    g_hash_table_insert (self->unauthenticated, g_strdup (conn->address), GUINT_TO_POINTER (count - 1));
  g_clear_pointer (&conn->address, g_free);
}

/* ---- clocks ---------------------------------------------------------------------- */

static void
update_timer (RlGate *self)
{
  Conn *head = g_queue_peek_head (&self->head_clock);
  Conn *body = g_queue_peek_head (&self->body_clock);
  gint64 next = -1;

  if (head)
    next = head->deadline;
  if (body && (next < 0 || body->deadline < next))
    next = body->deadline;
  g_source_set_ready_time (self->timer, next);
}

static void
conn_stop_clock (Conn *conn)
{
  if (conn->clock == NULL)
    return;
  g_queue_unlink (conn->clock, &conn->link);
  conn->clock = NULL;
}

/* Every connection on a clock waits the same time, so appending keeps each
 * queue in deadline order. */
static void
conn_start_clock (Conn      *conn,
                  ConnState  state)
{
  RlGate *self = conn->gate;
  gboolean body = state == CONN_BODY || state == CONN_BUSY;

  conn_stop_clock (conn);
  conn->state = state;
  conn->deadline = g_get_monotonic_time () + (body ? self->body_timeout_us : self->handshake_timeout_us);
  conn->clock = body ? &self->body_clock : &self->head_clock;
  g_queue_push_tail_link (conn->clock, &conn->link);
  if (conn->link.prev == NULL)
    update_timer (self);
}

/* ---- records ---------------------------------------------------------------------- */

static void
conn_clear_watch (Conn *conn)
{
  if (conn->watch)
    {
      g_source_destroy (conn->watch);
      g_clear_pointer (&conn->watch, g_source_unref);
    }
}

static void
conn_release_msg (Conn *conn)
{
  if (conn->msg == NULL)
    return;
  g_clear_signal_handler (&conn->disconnected_id, conn->msg);
  g_clear_signal_handler (&conn->connected_id, conn->msg);
  g_clear_object (&conn->msg);
}

static void
conn_free (Conn *conn)
{
  conn_stop_clock (conn);
  conn_uncount (conn);
  conn_clear_watch (conn);
  conn_release_msg (conn);
  g_clear_object (&conn->socket);
  g_free (conn);
}

static void
conn_forget (Conn *conn)
{
  g_hash_table_steal (conn->gate->conns, conn->socket);
  conn_free (conn);
}

static Conn *
lookup (RlGate            *self,
        SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  return socket ? g_hash_table_lookup (self->conns, socket) : NULL;
}

/* libsoup let go of the connection: it closed, or was taken (upgrade,
 * refusal). */
static void
on_disconnected (SoupServerMessage *msg,
                 Conn              *conn)
{
  conn_forget (conn);
}

static void
conn_follow (Conn              *conn,
             SoupServerMessage *msg)
{
  if (conn->msg == msg)
    return;
  conn_release_msg (conn);
  conn->msg = g_object_ref (msg);
  conn->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (on_disconnected), conn);
}

/* TLS is done (at once without TLS): libsoup reads the request now. */
static void
on_connected (SoupServerMessage *msg,
              Conn              *conn)
{
  RlGate *self = conn->gate;

  conn->connected = TRUE;
  g_clear_signal_handler (&conn->connected_id, msg);
  if (conn->over_cap)
    refuse_with (self, msg, STATUS_TOO_MANY_REQUESTS, RL_ERROR_RATE_LIMITED,
                 g_strdup ("too many connections from this address are not signed in yet"));
}

/* ---- idle connections --------------------------------------------------------------- */

/* libsoup 3.2 never lets go of a kept-alive connection whose client leaves
 * between requests (fixed in 3.3): the socket would stay open for good. So
 * an idle connection is watched, before libsoup's own source, and taken
 * back from libsoup the moment its client leaves. */
static gboolean
on_idle_readable (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      data)
{
  Conn *conn = data;
  char byte;
  gssize n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&conn->watch, g_source_unref);
  if (n > 0)
    {
      /* A next request: libsoup reads it and says so (request-started). */
      conn_start_clock (conn, CONN_PENDING);
      return G_SOURCE_REMOVE;
    }
  /* The end of the stream, or a reset. A request pipelined before it (in
   * libsoup's buffer already) goes unanswered; HTTP lets the client retry. */
  take_connection (conn->gate, conn->msg, NULL);
  return G_SOURCE_REMOVE;
}

static void
conn_watch_idle (Conn *conn)
{
  conn_clear_watch (conn);
  conn->watch = g_socket_create_source (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_priority (conn->watch, G_PRIORITY_HIGH);
  g_source_set_callback (conn->watch, G_SOURCE_FUNC (on_idle_readable), conn, NULL);
  g_source_attach (conn->watch, conn->gate->context);
}

/* ---- expiry ----------------------------------------------------------------------- */

static void
conn_expired (Conn *conn)
{
  RlGate *self = conn->gate;

  switch (conn->state)
    {
    case CONN_HANDSHAKE:
      if (!conn->connected)
        {
          /* Still in its TLS handshake, which libsoup has and ends itself
           * once the socket is shut; closed here should it not. */
          g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
          conn_start_clock (conn, CONN_PENDING);
          return;
        }
      G_GNUC_FALLTHROUGH;
    case CONN_HEAD:
      refuse_with (self, conn->msg, SOUP_STATUS_REQUEST_TIMEOUT, RL_ERROR_BAD_REQUEST,
                   g_strdup_printf ("the request did not arrive within %u s",
                                    (guint) (self->handshake_timeout_us / G_USEC_PER_SEC)));
      break;
    case CONN_BODY:
      refuse_with (self, conn->msg, SOUP_STATUS_REQUEST_TIMEOUT, RL_ERROR_BAD_REQUEST,
                   g_strdup_printf ("no more of the request’s body came within %u s",
                                    (guint) (self->body_timeout_us / G_USEC_PER_SEC)));
      break;
    case CONN_BUSY:
    case CONN_IDLE:
      take_connection (self, conn->msg, NULL);
      break;
    case CONN_PENDING:
      {
        /* Bytes came but no request (TLS records that were not one):
         * libsoup may have let go of it already, so it can't be taken.
         * Shut, and closed after libsoup has seen the end (its source
         * runs before a low-priority one). */
        g_autoptr(GSocket) socket = g_object_ref (conn->socket);

        g_socket_shutdown (socket, TRUE, TRUE, NULL);
        conn_forget (conn);
        refusal_start (self, NULL, socket, NULL, G_PRIORITY_LOW);
      }
      break;
    }
}

static gboolean
timer_cb (gpointer data)
{
  RlGate *self = data;
  gint64 now = g_get_monotonic_time ();
  GQueue *clocks[] = { &self->head_clock, &self->body_clock };

  for (guint i = 0; i < G_N_ELEMENTS (clocks); i++)
    {
      Conn *conn;

      while ((conn = g_queue_peek_head (clocks[i])) && conn->deadline <= now)
        {
          conn_stop_clock (conn);
          conn_expired (conn);
        }
    }
  update_timer (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     data)
{
  return callback (data);
}

static GSourceFuncs timer_funcs = { NULL, NULL, timer_dispatch, NULL, NULL, NULL };

/* ---- refusals ------------------------------------------------------------------------ */

static void
refusal_finish (Refusal *refusal)
{
  g_queue_unlink (&refusal->gate->refusals, &refusal->link);
  if (refusal->source)
    {
      g_source_destroy (refusal->source);
      g_source_unref (refusal->source);
    }
  g_source_destroy (refusal->timeout);
  g_source_unref (refusal->timeout);
  /* Closed before the stream goes, so that nothing tries to say goodbye
   * (a TLS close_notify) on it. */
  g_socket_close (refusal->socket, NULL);
  g_clear_object (&refusal->stream);
  g_object_unref (refusal->socket);
  g_clear_pointer (&refusal->answer, g_bytes_unref);
  g_free (refusal);
}

static gboolean
refusal_expired_cb (gpointer data)
{
  refusal_finish (data);
  return G_SOURCE_REMOVE;
}

static gboolean
refusal_drain_cb (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      data)
{
  Refusal *refusal = data;
  char buffer[DRAIN_BUFFER_BYTES];

  for (guint i = 0; i < DRAIN_READS_PER_TURN; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive_with_blocking (socket, buffer, sizeof buffer, FALSE, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      if (n <= 0)
        {
          refusal_finish (refusal);
          return G_SOURCE_REMOVE;
        }
    }
  return G_SOURCE_CONTINUE;
}

/* Nothing more to say: the client gets the end of the stream, and what it
 * still sends is thrown away until it has read that, or the time is up. */
static void
refusal_linger (Refusal *refusal)
{
  if (refusal->source)
    {
      g_source_destroy (refusal->source);
      g_source_unref (refusal->source);
    }
  g_socket_shutdown (refusal->socket, FALSE, TRUE, NULL);
  refusal->source = g_socket_create_source (refusal->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_priority (refusal->source, refusal->priority);
  g_source_set_callback (refusal->source, G_SOURCE_FUNC (refusal_drain_cb), refusal, NULL);
  g_source_attach (refusal->source, refusal->gate->context);
}

static gboolean
refusal_write_cb (GObject  *stream,
                  gpointer  data)
{
  Refusal *refusal = data;
  GPollableOutputStream *output = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (refusal->stream));
  gsize size;
  const guint8 *bytes = g_bytes_get_data (refusal->answer, &size);

  while (refusal->written < size)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (output, bytes + refusal->written,
                                                             size - refusal->written, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          if (refusal->source == NULL)
            {
              refusal->source = g_pollable_output_stream_create_source (output, NULL);
              g_source_set_callback (refusal->source, G_SOURCE_FUNC (refusal_write_cb), refusal, NULL);
              g_source_attach (refusal->source, refusal->gate->context);
            }
          return G_SOURCE_CONTINUE;
        }
      if (n < 0)
        {
          /* The client is gone. */
          refusal_finish (refusal);
          return G_SOURCE_REMOVE;
        }
      refusal->written += (gsize) n;
    }
  refusal_linger (refusal);
  return G_SOURCE_REMOVE;
}

/* Says answer (if any) on stream, shuts the socket's sending side, drains
 * what still comes for a while (at priority), closes. */
static void
refusal_start (RlGate    *self,
               GIOStream *stream,
               GSocket   *socket,
               GBytes    *answer,
               int        priority)
{
  Refusal *refusal = g_new0 (Refusal, 1);

  refusal->gate = self;
  refusal->stream = stream ? g_object_ref (stream) : NULL;
  refusal->socket = g_object_ref (socket);
  refusal->answer = answer ? g_bytes_ref (answer) : NULL;
  refusal->priority = priority;
  refusal->link.data = refusal;
  g_queue_push_tail_link (&self->refusals, &refusal->link);
  refusal->timeout = g_timeout_source_new (RL_GATE_LINGER_MS);
  g_source_set_callback (refusal->timeout, refusal_expired_cb, refusal, NULL);
  g_source_attach (refusal->timeout, self->context);

  if (refusal->answer && refusal->stream)
    refusal_write_cb (NULL, refusal);
  else
    refusal_linger (refusal);
}

/* Takes msg's connection from libsoup, says answer (if any) on it and
 * closes it. */
static void
take_connection (RlGate            *self,
                 SoupServerMessage *msg,
                 GBytes            *answer)
{
  g_autoptr(SoupServerMessage) hold = g_object_ref (msg);
  GSocket *socket = soup_server_message_get_socket (msg);
  g_autoptr(GSocket) socket_ref = socket ? g_object_ref (socket) : NULL;
  g_autoptr(GIOStream) stream = NULL;

  /* libsoup says "disconnected" from inside, which forgets the record. */
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL || socket_ref == NULL)
    return;
  refusal_start (self, stream, socket_ref, answer, G_PRIORITY_DEFAULT);
}

static gboolean
is_framing_header (const char *name)
{
  return g_ascii_strcasecmp (name, "Content-Length") == 0 || g_ascii_strcasecmp (name, "Transfer-Encoding") == 0 ||
         g_ascii_strcasecmp (name, "Connection") == 0;
}

/* What libsoup would have written for msg's answer, to close after. */
static GBytes *
answer_bytes (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  guint status = soup_server_message_get_status (msg);
  const char *reason = soup_server_message_get_reason_phrase (msg);
  GString *text = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  g_string_append_printf (text, "HTTP/1.1 %u %s\r\n", status, reason ? reason : soup_status_get_phrase (status));
  if (soup_message_headers_get_one (headers, "Date") == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *date = soup_date_time_to_string (now, SOUP_DATE_HTTP);

      g_string_append_printf (text, "Date: %s\r\n", date);
    }
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (!is_framing_header (name))
      g_string_append_printf (text, "%s: %s\r\n", name, value);
  g_string_append_printf (text, "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                          g_bytes_get_size (body));
  g_string_append_len (text, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body));
  return g_string_free_to_bytes (text);
}

/* The gate's own refusals: an error body of code, at status. */
static void
refuse_with (RlGate            *self,
             SoupServerMessage *msg,
             guint              status,
             RlErrorCode        code,
             char              *message)
{
  g_autofree char *owned = message;
  char *json = rl_error_body_serialize (code, message);

  soup_server_message_set_status (msg, status, status == STATUS_TOO_MANY_REQUESTS ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json, strlen (json));
  rl_gate_refuse (self, msg);
}

/* ---- libsoup's signals ------------------------------------------------------------------ */

/* libsoup 3.1.2 to 3.3 keeps, for good, the reference to every socket its
 * listener accepts (g_socket_accept's, never dropped; upstream fixed it in
 * 3.4.0, "soup-listener: Plug a leak"). Every connection a server ever had
 * left a closed GSocket behind, some 300 bytes: a server that runs for months
 * grows without end (issue 14's soak found it). The first request of a new
 * connection is started right after the accept, before libsoup or anyone
 * else takes another reference than the connection's own: two references
 * then mean the leaked one is there, and it is dropped, once. A libsoup that
 * does not leak it (a newer one, or a patched 3.2) shows one, and is left
 * alone. */
static void
release_leaked_accept_ref (GSocket *socket)
{
  if (soup_get_major_version () != 3 || soup_get_minor_version () >= 4)
    return;
  if (g_atomic_int_get (&G_OBJECT (socket)->ref_count) == 2)
    g_object_unref (socket);
}

static void
on_request_started (SoupServer        *soup,
                    SoupServerMessage *msg,
                    RlGate            *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Conn *conn;

  if (socket == NULL)
    return;
  conn = g_hash_table_lookup (self->conns, socket);
  if (conn)
    {
      /* The next request on a kept-alive connection: its first bytes are in. */
      conn_clear_watch (conn);
      conn_follow (conn, msg);
      conn_start_clock (conn, CONN_HEAD);
      return;
    }

  /* A new connection: its first request is made at accept, before a byte
   * is read (and before TLS). */
  release_leaked_accept_ref (socket);
  self->accepted++;
  conn = g_new0 (Conn, 1);
  conn->gate = self;
  conn->socket = g_object_ref (socket);
  conn->link.data = conn;
  g_hash_table_insert (self->conns, socket, conn);
  conn_follow (conn, msg);
  /* After libsoup's own handler, which starts reading the request. */
  conn->connected_id = g_signal_connect_after (msg, "connected", G_CALLBACK (on_connected), conn);
  conn->address = address_key (msg);
  if (conn->address)
    {
      guint count = address_count (self, conn->address);

      if (self->max_unauthenticated > 0 && count >= self->max_unauthenticated)
        {
          conn->over_cap = TRUE;
          g_clear_pointer (&conn->address, g_free);
        }
      else
        g_hash_table_insert (self->unauthenticated, g_strdup (conn->address), GUINT_TO_POINTER (count + 1));
    }
  conn_start_clock (conn, CONN_HANDSHAKE);
}

/* After every other handler (an access log reads the answer's size). */
static void
on_request_done (SoupServer        *soup,
                 SoupServerMessage *msg,
                 RlGate            *self)
{
  Conn *conn = lookup (self, msg);

  if (conn == NULL || conn->msg != msg)
    return;
  /* The request is kept (to take the connection back if needed), its
   * bodies need not be. */
  soup_message_body_truncate (soup_server_message_get_request_body (msg));
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  /* libsoup says "disconnected" next unless it keeps the connection alive. */
  conn_start_clock (conn, CONN_IDLE);
  conn_watch_idle (conn);
}

static void
on_progress (SoupServerMessage *msg,
             RlGate            *self)
{
  Conn *conn = lookup (self, msg);

  if (conn && conn->msg == msg && (conn->state == CONN_BODY || conn->state == CONN_BUSY))
    conn_start_clock (conn, conn->state);
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              RlGate            *self)
{
  on_progress (msg, self);
}

static void
on_wrote_body_data (SoupServerMessage *msg,
                    guint              size,
                    RlGate            *self)
{
  on_progress (msg, self);
}

static void
on_got_body (SoupServerMessage *msg,
             RlGate            *self)
{
  Conn *conn = lookup (self, msg);

  if (conn && conn->msg == msg && conn->state == CONN_BODY)
    conn_start_clock (conn, CONN_BUSY);
}

/* ---- object --------------------------------------------------------------------------- */

static void
rl_gate_dispose (GObject *object)
{
  RlGate *self = RL_GATE (object);
  Refusal *refusal;

  if (self->soup)
    {
      g_signal_handlers_disconnect_by_data (self->soup, self);
      g_clear_weak_pointer (&self->soup);
    }
  g_hash_table_remove_all (self->conns);
  while ((refusal = g_queue_peek_head (&self->refusals)))
    refusal_finish (refusal);
  if (self->timer)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  G_OBJECT_CLASS (rl_gate_parent_class)->dispose (object);
}

static void
rl_gate_finalize (GObject *object)
{
  RlGate *self = RL_GATE (object);

  g_hash_table_unref (self->conns);
  g_hash_table_unref (self->unauthenticated);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (rl_gate_parent_class)->finalize (object);
}

static void
rl_gate_class_init (RlGateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_gate_dispose;
  object_class->finalize = rl_gate_finalize;

  /* A request answered by the gate, just before its connection is taken:
   * libsoup will not say request-finished of it. */
  signals[REFUSED] = g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                   NULL, G_TYPE_NONE, 1, SOUP_TYPE_SERVER_MESSAGE);
}

static void
rl_gate_init (RlGate *self)
{
  self->conns = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) conn_free);
  self->unauthenticated = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->handshake_timeout_us = RL_HANDSHAKE_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  self->body_timeout_us = RL_BODY_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  self->max_unauthenticated = RL_MAX_UNAUTHENTICATED_PER_ADDRESS;
  self->context = g_main_context_ref_thread_default ();
  self->timer = g_source_new (&timer_funcs, sizeof (GSource));
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_attach (self->timer, self->context);
}

RlGate *
rl_gate_new (SoupServer *soup)
{
  RlGate *self = g_object_new (RL_TYPE_GATE, NULL);

  g_set_weak_pointer (&self->soup, soup);
  g_signal_connect (soup, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect_after (soup, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect_after (soup, "request-aborted", G_CALLBACK (on_request_done), self);
  return self;
}

void
rl_gate_set_handshake_timeout (RlGate *self,
                               guint   seconds)
{
  g_return_if_fail (RL_IS_GATE (self));
  g_return_if_fail (seconds > 0);

  self->handshake_timeout_us = (gint64) seconds * G_USEC_PER_SEC;
}

void
rl_gate_set_body_timeout (RlGate *self,
                          guint   seconds)
{
  g_return_if_fail (RL_IS_GATE (self));
  g_return_if_fail (seconds > 0);

  self->body_timeout_us = (gint64) seconds * G_USEC_PER_SEC;
}

void
rl_gate_set_max_unauthenticated (RlGate *self,
                                 guint   per_address)
{
  g_return_if_fail (RL_IS_GATE (self));

  self->max_unauthenticated = per_address;
}

gboolean
rl_gate_headers_done (RlGate            *self,
                      SoupServerMessage *msg)
{
  Conn *conn;

  g_return_val_if_fail (RL_IS_GATE (self), FALSE);

  conn = lookup (self, msg);
  if (conn == NULL)
    return TRUE;
  if (conn->over_cap)
    {
      /* The request came with the connection, before libsoup said it was
       * connected: refused here instead. */
      on_connected (msg, conn);
      return FALSE;
    }
  conn->connected = TRUE;
  conn_start_clock (conn, CONN_BUSY);
  g_signal_connect_object (msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), self, 0);
  return TRUE;
}

void
rl_gate_authenticated (RlGate            *self,
                       SoupServerMessage *msg)
{
  Conn *conn;

  g_return_if_fail (RL_IS_GATE (self));

  conn = lookup (self, msg);
  if (conn)
    conn_uncount (conn);
}

void
rl_gate_expect_body (RlGate            *self,
                     SoupServerMessage *msg)
{
  Conn *conn;

  g_return_if_fail (RL_IS_GATE (self));

  conn = lookup (self, msg);
  if (conn == NULL)
    return;
  conn_start_clock (conn, CONN_BODY);
  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (on_got_chunk), self, 0);
  g_signal_connect_object (msg, "got-body", G_CALLBACK (on_got_body), self, 0);
}

void
rl_gate_refuse (RlGate            *self,
                SoupServerMessage *msg)
{
  g_autoptr(SoupServerMessage) hold = g_object_ref (msg);
  g_autoptr(GBytes) answer = NULL;

  g_return_if_fail (RL_IS_GATE (self));
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));
  g_return_if_fail (soup_server_message_get_status (msg) != 0);

  answer = answer_bytes (msg);
  g_signal_emit (self, signals[REFUSED], 0, msg);
  take_connection (self, msg, answer);
}

guint64
rl_gate_get_accepted (RlGate *self)
{
  g_return_val_if_fail (RL_IS_GATE (self), 0);

  return self->accepted;
}
