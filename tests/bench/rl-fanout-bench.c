/* rl-fanout-bench.c — WebSocket fan-out load generator
 *
 * N subscribers on one document, W writers sending comments at a paced total
 * rate; measures deliveries per second, latency from send to receipt, bytes
 * per event, and the server's CPU (from /proc) per delivered event.
 *
 * Clients are raw non-blocking sockets on one epoll loop, so the generator
 * stays far lighter than the server it measures. Requests are built with the
 * shared library's codec; the first event frame every subscriber sees goes
 * through the full parser too, the rest are scanned for their send-time
 * marker ("@t=<µs>") only.
 *
 * --port2 (with --server-pid2) adds a second node of the same database:
 * subscribers and writers alternate between the two, and the CPU is both
 * nodes'.
 *
 * --peer-mode speaks to tests/bench/peers/ws-broadcast.js instead: writers
 * send a text the size of a created event, which the peer echoes to all.
 *
 * --deflate offers permessage-deflate (RFC 7692) and inflates what comes
 * compressed; bytes per event are then the compressed bytes on the wire.
 * --tls speaks wss (GIO's TLS over the same sockets, any certificate
 * accepted), so the server's CPU includes its encryption.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gio.h>
#include <zlib.h>

#include "rl-codec.h"
#include "rl-uuid.h"

typedef struct
{
  int       fd;
  GByteArray *in;
  gboolean  writer;
  gboolean  parsed_one;
} Client;

static struct
{
  const char *host;
  int         port;
  int         port2;
  const char *token;
  const char *doc;
  int         subscribers;
  int         writers;
  double      rate;
  double      seconds;
  double      warmup;
  int         server_pid;
  int         server_pid2;
  const char *db_pids;
  gboolean    peer_mode;
  gboolean    deflate;
  gboolean    tls;
  gboolean    repetitive_body;
} opt = { "127.0.0.1", 0, 0, "", "", 100, 0, 20, 8, 2, 0, 0, NULL, FALSE, FALSE, FALSE, FALSE };

/* With --tls: each socket's TLS connection, by descriptor. */
static GIOStream **tls_by_fd;
static int         tls_by_fd_size;

static struct
{
  gint64   window_start;
  gint64   window_end;
  guint64  delivered;
  guint64  frames;
  guint64  bytes;
  guint64  batches;
  guint64  events_seen;      /* every event received, in the window or not */
  guint64  sent_in_window;
  GArray  *latencies;        /* guint32 µs */
  guint64  acks_refused;     /* writers' acks with ok:false, in the window */
  GArray  *ack_latencies;    /* guint32 µs, send to ack, in the window */
} stats;

static char *thread_id;

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static void
die (const char *what)
{
  perror (what);
  exit (1);
}

static void
write_all (int         fd,
           const void *data,
           gsize       length)
{
  const char *p = data;

  if (fd < tls_by_fd_size && tls_by_fd[fd] != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!g_output_stream_write_all (g_io_stream_get_output_stream (tls_by_fd[fd]), data, length,
                                      NULL, NULL, &error))
        {
          fprintf (stderr, "write: %s\n", error->message);
          exit (1);
        }
      return;
    }
  while (length > 0)
    {
      ssize_t n = write (fd, p, length);

      if (n < 0)
        {
          if (errno == EAGAIN || errno == EINTR)
            {
              fd_set set;

              FD_ZERO (&set);
              FD_SET (fd, &set);
              select (fd + 1, NULL, &set, NULL, NULL);
              continue;
            }
          die ("write");
        }
      p += n;
      length -= (gsize) n;
    }
}

/* read(2), or through the socket's TLS connection: -1 with errno EAGAIN
 * when nothing is there (blocking with block). */
static ssize_t
read_some (int      fd,
           void    *buffer,
           gsize    size,
           gboolean block)
{
  g_autoptr(GError) error = NULL;
  GInputStream *input;
  gssize n;

  if (fd >= tls_by_fd_size || tls_by_fd[fd] == NULL)
    return block ? read (fd, buffer, size) : recv (fd, buffer, size, MSG_DONTWAIT);
  input = g_io_stream_get_input_stream (tls_by_fd[fd]);
  n = block ? g_input_stream_read (input, buffer, size, NULL, &error)
            : g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (input), buffer, size, NULL, &error);
  if (n < 0)
    errno = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) ? EAGAIN : EIO;
  return n;
}

/* A compressed message's text (RFC 7692: the tail 00 00 ff ff put back).
 * The server compresses with no context takeover: one inflater, reset for
 * every message. The result lives until the next call. */
static const char *
inflate_message (const guint8 *payload,
                 gsize         length,
                 gsize        *out_length)
{
  static z_stream stream;
  static gboolean ready;
  static GByteArray *out;
  static const guint8 tail[] = { 0x00, 0x00, 0xff, 0xff };

  if (!ready)
    {
      if (inflateInit2 (&stream, -15) != Z_OK)
        die ("inflateInit2");
      out = g_byte_array_new ();
      ready = TRUE;
    }
  inflateReset (&stream);
  g_byte_array_set_size (out, 0);
  for (int pass = 0; pass < 2; pass++)
    {
      stream.next_in = (Bytef *) (pass ? tail : payload);
      stream.avail_in = (uInt) (pass ? sizeof tail : length);
      do
        {
          gsize at = out->len;
          int result;

          g_byte_array_set_size (out, at + 16384);
          stream.next_out = out->data + at;
          stream.avail_out = 16384;
          result = inflate (&stream, Z_SYNC_FLUSH);
          g_byte_array_set_size (out, out->len - stream.avail_out);
          if (result != Z_OK && result != Z_BUF_ERROR)
            {
              fprintf (stderr, "bad compressed frame (%d)\n", result);
              exit (1);
            }
        }
      while (stream.avail_in > 0 || stream.avail_out == 0);
    }
  g_byte_array_append (out, (const guint8 *) "", 1);
  *out_length = out->len - 1;
  return (const char *) out->data;
}

/* Whether a compressed message begins with @prefix: inflates no more than
 * that (a writer looks for its acks among the batches it is also sent, and
 * must not pay for inflating every batch). */
static gboolean
inflated_has_prefix (const guint8 *payload,
                     gsize         length,
                     const char   *prefix)
{
  static z_stream stream;
  static gboolean ready;
  guint8 head[64];
  gsize want = strlen (prefix);

  g_assert (want <= sizeof head);
  if (!ready)
    {
      if (inflateInit2 (&stream, -15) != Z_OK)
        die ("inflateInit2");
      ready = TRUE;
    }
  inflateReset (&stream);
  stream.next_in = (Bytef *) payload;
  stream.avail_in = (uInt) length;
  stream.next_out = head;
  stream.avail_out = (uInt) want;
  inflate (&stream, Z_SYNC_FLUSH);
  return stream.avail_out == 0 && memcmp (head, prefix, want) == 0;
}

/* A masked client frame, as RFC 6455 requires of clients. */
static void
send_frame (int         fd,
            guint8      opcode,
            const char *payload,
            gsize       length)
{
  g_autofree guint8 *frame = g_malloc (length + 14);
  guint32 key = g_random_int ();
  const guint8 *mask = (const guint8 *) &key;
  gsize head = 0;

  frame[head++] = 0x80 | opcode;
  if (length < 126)
    frame[head++] = 0x80 | (guint8) length;
  else if (length < 65536)
    {
      frame[head++] = 0x80 | 126;
      frame[head++] = (guint8) (length >> 8);
      frame[head++] = (guint8) length;
    }
  else
    {
      frame[head++] = 0x80 | 127;
      for (int i = 7; i >= 0; i--)
        frame[head++] = (guint8) ((guint64) length >> (i * 8));
    }
  memcpy (frame + head, mask, 4);
  head += 4;
  for (gsize i = 0; i < length; i++)
    frame[head + i] = (guint8) payload[i] ^ mask[i % 4];
  write_all (fd, frame, head + length);
}

static gboolean
accept_any (void)
{
  return TRUE;
}

static int
connect_client (int port)
{
  struct sockaddr_in addr = { 0 };
  g_autofree char *request = NULL;
  char buf[4096];
  gsize got = 0;
  int fd = socket (AF_INET, SOCK_STREAM, 0), one = 1;

  if (fd < 0)
    die ("socket");
  addr.sin_family = AF_INET;
  addr.sin_port = htons ((guint16) port);
  inet_pton (AF_INET, opt.host, &addr.sin_addr);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    die ("connect");
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (opt.tls)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, &error);
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GIOStream) tls = NULL;

      if (socket == NULL)
        die ("g_socket_new_from_fd");
      connection = g_socket_connection_factory_create_connection (socket);
      tls = g_tls_client_connection_new (G_IO_STREAM (connection), NULL, &error);
      if (tls == NULL)
        {
          fprintf (stderr, "TLS: %s\n", error->message);
          exit (1);
        }
      /* A bench's own certificate: any is taken. */
      g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any), NULL);
      if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
        {
          fprintf (stderr, "TLS handshake: %s\n", error->message);
          exit (1);
        }
      if (fd >= tls_by_fd_size)
        {
          int size = MAX (fd + 1, 2 * tls_by_fd_size);

          tls_by_fd = g_renew (GIOStream *, tls_by_fd, size);
          memset (tls_by_fd + tls_by_fd_size, 0, (gsize) (size - tls_by_fd_size) * sizeof *tls_by_fd);
          tls_by_fd_size = size;
        }
      tls_by_fd[fd] = g_steal_pointer (&tls);
    }

  request = g_strdup_printf ("GET /api/v1/ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: redline.v1\r\n%s"
                             "Authorization: Bearer %s\r\n\r\n", opt.host, port,
                             opt.deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "",
                             opt.token);
  write_all (fd, request, strlen (request));
  /* Byte by byte up to the blank line, so no frame is swallowed. */
  while (got < sizeof buf - 1)
    {
      if (read_some (fd, buf + got, 1, TRUE) != 1)
        die ("handshake");
      got++;
      if (got >= 4 && memcmp (buf + got - 4, "\r\n\r\n", 4) == 0)
        break;
    }
  buf[got] = '\0';
  if (strncmp (buf, "HTTP/1.1 101", 12) != 0)
    {
      fprintf (stderr, "upgrade refused: %s\n", buf);
      exit (1);
    }
  if (opt.deflate && strstr (buf, "permessage-deflate") == NULL)
    {
      fprintf (stderr, "permessage-deflate was not accepted: %s\n", buf);
      exit (1);
    }
  return fd;
}

/* Blocking read of one whole text frame (setup only); pings are answered. */
static char *
read_frame_blocking (int fd)
{
  for (;;)
    {
      guint8 head[2], ext[8];
      guint64 length;
      char *payload;

      if (read_some (fd, head, 1, TRUE) != 1 || read_some (fd, head + 1, 1, TRUE) != 1)
        die ("read");
      length = head[1] & 0x7f;
      if (length >= 126)
        {
          int need = length == 126 ? 2 : 8;
          gsize got = 0;

          while ((int) got < need)
            {
              ssize_t n = read_some (fd, ext + got, need - got, TRUE);

              if (n <= 0)
                die ("read");
              got += (gsize) n;
            }
          length = 0;
          for (int i = 0; i < need; i++)
            length = (length << 8) | ext[i];
        }
      payload = g_malloc (length + 1);
      for (guint64 got = 0; got < length;)
        {
          ssize_t n = read_some (fd, payload + got, length - got, TRUE);
          if (n <= 0)
            die ("read");
          got += (guint64) n;
        }
      payload[length] = '\0';
      if ((head[0] & 0x0f) == 0x9)
        {
          send_frame (fd, 0xA, payload, length);
          g_free (payload);
          continue;
        }
      if ((head[0] & 0x0f) == 0x8)
        {
          fprintf (stderr, "closed during setup: %d %.*s\n", length >= 2 ? ((guint8) payload[0] << 8) | (guint8) payload[1] : 0,
                   length > 2 ? (int) length - 2 : 0, payload + 2);
          exit (1);
        }
      if (head[0] & 0x40)
        {
          gsize size;
          const char *text = inflate_message ((const guint8 *) payload, length, &size);

          g_free (payload);
          return g_strndup (text, size);
        }
      return payload;
    }
}

static void
send_request (int        fd,
              RlRequest *request)
{
  g_autofree char *text = rl_request_serialize (request);

  send_frame (fd, 0x1, text, strlen (text));
}

static void
wait_ack (int         fd,
          const char *req)
{
  for (;;)
    {
      g_autofree char *frame = read_frame_blocking (fd);
      g_autoptr(RlMessage) message = rl_message_parse (frame, strlen (frame), NULL);

      if (message && message->type == RL_MESSAGE_ACK && g_strcmp0 (message->req, req) == 0)
        {
          if (!message->ok)
            {
              fprintf (stderr, "request %s refused: %s\n", req, message->error_message);
              exit (1);
            }
          return;
        }
    }
}

static void
subscribe (int fd)
{
  g_autoptr(RlRequest) request = rl_request_new (RL_REQUEST_SUBSCRIBE);

  request->req = g_strdup ("sub");
  request->doc = g_strdup (opt.doc);
  send_request (fd, request);
  wait_ack (fd, "sub");
}

/* The marker, then text to 140 characters. The text is no run of one
 * letter, which deflate would squeeze to nothing: random letters drawn as
 * often as in English, in words of 2 to 8, so a compressed frame weighs what
 * one with a real comment would (each event's text its own).
 * --repetitive-body: the filler of earlier figures, runs of x. */
static char *
marker_body (gint64 t)
{
  static const char letters[] = "eeeeeeeeeeeetttttttttaaaaaaaaooooooooiiiiiiinnnnnnnsssssshhhhhhrrrrrr"
                                "ddddlllluuucccmmmwwffggyyppbbvkjxqz";
  GString *body = g_string_new (NULL);

  g_string_printf (body, "@t=%" G_GINT64_FORMAT " ", t);
  while (opt.repetitive_body && body->len < 140)
    g_string_append_c (body, body->len % 7 ? 'x' : ' ');
  while (body->len < 140)
    {
      int word = g_random_int_range (2, 9);

      for (int i = 0; i < word && body->len < 139; i++)
        g_string_append_c (body, letters[g_random_int_range (0, (int) sizeof letters - 1)]);
      g_string_append_c (body, ' ');
    }
  return g_string_free (body, FALSE);
}

static void
send_change (Client *writer)
{
  gint64 t = now_us ();
  g_autofree char *body = marker_body (t);

  if (t >= stats.window_start && t < stats.window_end)
    stats.sent_in_window++;

  if (opt.peer_mode)
    {
      /* About the size of a created event with a 140-character comment. */
      g_autofree char *bc = rl_uuid_new ();
      g_autofree char *text = g_strdup_printf (
        "{\"type\":\"new-image-chat\",\"doc\":\"%s\",\"seq\":1,\"broadcastId\":\"%s\",\"thread\":{\"id\":\"%s\","
        "\"doc\":\"%s\",\"anchor\":{\"x\":0.25,\"y\":0.75},\"resolved\":false,\"createdBy\":{\"id\":\"u1\",\"name\":\"Bench\"},"
        "\"createdAt\":\"2026-11-24T14:43:38.159Z\",\"updatedAt\":\"2026-11-24T14:43:38.159Z\",\"comments\":[{\"id\":\"%s\","
        "\"thread\":\"%s\",\"author\":{\"id\":\"u1\",\"name\":\"Bench\"},\"body\":\"%s\","
        "\"createdAt\":\"2026-11-24T14:43:38.159Z\",\"editedAt\":null}]}}",
        opt.doc, bc, bc, opt.doc, bc, bc, body);

      send_frame (writer->fd, 0x1, text, strlen (text));
      return;
    }

  {
    g_autoptr(RlRequest) request = rl_request_new (RL_REQUEST_ADD_COMMENT);

    /* The ack carries the send time back. */
    request->req = g_strdup_printf ("a%" G_GINT64_FORMAT, t);
    request->broadcast_id = rl_uuid_new ();
    request->doc = g_strdup (opt.doc);
    request->thread_id = g_strdup (thread_id);
    request->comment_id = rl_uuid_new ();
    request->body = g_steal_pointer (&body);
    send_request (writer->fd, request);
  }
}

/* A writer's frame: an ack is timed from its request's send time. */
static void
count_ack (const char *payload,
           gsize       length,
           gint64      received)
{
  const char *req = memmem (payload, length, "\"req\":\"a", 8);
  gint64 t;

  if (length < 13 || memcmp (payload, "{\"type\":\"ack\"", 13) != 0 || req == NULL)
    return;
  t = g_ascii_strtoll (req + 8, NULL, 10);
  if (t < stats.window_start || t >= stats.window_end)
    return;
  if (memmem (payload, length, "\"ok\":false", 10) != NULL)
    stats.acks_refused++;
  else
    {
      guint32 latency = (guint32) MIN (received - t, (gint64) G_MAXUINT32);

      g_array_append_val (stats.ack_latencies, latency);
    }
}

static void
count_payload (Client     *client,
               const char *payload,
               gsize       length,
               gsize       frame_bytes,
               gint64      received)
{
  const char *p = payload, *end = payload + length;
  gboolean carries_events = FALSE;

  stats.frames++;
  if (length > 16 && memcmp (payload, "{\"type\":\"batch\"", 15) == 0)
    stats.batches++;

  if (!client->parsed_one && memmem (payload, length, "@t=", 3))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *copy = g_strndup (payload, length);
      g_autoptr(RlMessage) message = rl_message_parse (copy, length, &error);

      /* The peer's frames are shaped like events but carry no real seq order. */
      if (message == NULL ||
          (message->type != RL_MESSAGE_EVENT && message->type != RL_MESSAGE_BATCH))
        {
          fprintf (stderr, "unexpected frame: %s\n", error ? error->message : copy);
          exit (1);
        }
      client->parsed_one = TRUE;
    }

  while (p < end && (p = memmem (p, (gsize) (end - p), "@t=", 3)) != NULL)
    {
      gint64 t = g_ascii_strtoll (p + 3, NULL, 10);

      stats.events_seen++;
      carries_events = TRUE;
      if (t >= stats.window_start && t < stats.window_end)
        {
          guint32 latency = (guint32) MIN (received - t, (gint64) G_MAXUINT32);

          stats.delivered++;
          g_array_append_val (stats.latencies, latency);
        }
      p += 3;
    }
  /* Bytes per event: the frames that carry events, header included (not
   * snapshots, presence or pings). */
  if (carries_events)
    stats.bytes += frame_bytes;
}

/* Consumes every whole frame in the client's buffer. */
static void
drain_frames (Client *client,
              gint64  received)
{
  GByteArray *in = client->in;
  gsize offset = 0;

  for (;;)
    {
      guint8 *p = in->data + offset;
      gsize avail = in->len - offset, head = 2;
      guint64 length;
      guint8 opcode;

      if (avail < 2)
        break;
      opcode = p[0] & 0x0f;
      length = p[1] & 0x7f;
      if (length == 126)
        {
          if (avail < 4)
            break;
          length = ((guint64) p[2] << 8) | p[3];
          head = 4;
        }
      else if (length == 127)
        {
          if (avail < 10)
            break;
          length = 0;
          for (int i = 0; i < 8; i++)
            length = (length << 8) | p[2 + i];
          head = 10;
        }
      if (avail < head + length)
        break;

      if (opcode == 0x9)
        send_frame (client->fd, 0xA, (const char *) p + head, length);
      else if (opcode == 0x8)
        {
          fprintf (stderr, "a connection was closed by the server: %d %.*s\n",
                   length >= 2 ? (p[head] << 8) | p[head + 1] : 0,
                   length > 2 ? (int) length - 2 : 0, (const char *) p + head + 2);
          exit (1);
        }
      else if (opcode == 0x1 && !client->writer && (p[0] & 0x40))
        {
          gsize size;
          const char *text = inflate_message (p + head, length, &size);

          count_payload (client, text, size, head + length, received);
        }
      else if (opcode == 0x1 && !client->writer)
        count_payload (client, (const char *) p + head, length, head + length, received);
      else if (opcode == 0x1 && (p[0] & 0x40))
        {
          if (inflated_has_prefix (p + head, length, "{\"type\":\"ack\""))
            {
              gsize size;
              const char *text = inflate_message (p + head, length, &size);

              count_ack (text, size, received);
            }
        }
      else if (opcode == 0x1)
        count_ack ((const char *) p + head, length, received);
      offset += head + length;
    }
  g_byte_array_remove_range (in, 0, (guint) offset);
}

static double
process_cpu_seconds (int pid)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_comm;

  if (pid <= 0)
    return 0;
  path = g_strdup_printf ("/proc/%d/stat", pid);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  after_comm = strrchr (contents, ')') + 2;
  fields = g_strsplit (after_comm, " ", -1);
  /* utime and stime are fields 14 and 15; after "pid (comm) " they are 11 and 12. */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
}

/* Every node's. */
static double
server_cpu_seconds (void)
{
  return process_cpu_seconds (opt.server_pid) + process_cpu_seconds (opt.server_pid2);
}

/* The database's processes (PostgreSQL's backends, its writer…). */
static double
db_cpu_seconds (void)
{
  g_auto(GStrv) pids = g_strsplit (opt.db_pids ? opt.db_pids : "", ",", -1);
  double total = 0;

  for (guint i = 0; pids[i] != NULL; i++)
    total += process_cpu_seconds (atoi (pids[i]));
  return total;
}

/* The server pings every 25 s and drops a connection silent for 55 s: in a
 * long set-up (a thousand TLS handshakes) the clients already set up read
 * what came, answering pings, every few seconds. */
static void
pump_set_up (GPtrArray *clients)
{
  for (guint i = 0; i < clients->len; i++)
    {
      Client *client = g_ptr_array_index (clients, i);
      guint8 buf[65536];
      ssize_t got;

      while ((got = read_some (client->fd, buf, sizeof buf, FALSE)) > 0)
        {
          g_byte_array_append (client->in, buf, (guint) got);
          drain_frames (client, now_us ());
        }
    }
}

static int
compare_u32 (gconstpointer a,
             gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

static double
array_percentile_ms (GArray *sorted,
                     double  p)
{
  guint n = sorted->len;

  if (n == 0)
    return 0;
  return g_array_index (sorted, guint32, MIN (n - 1, (guint) (p * n))) / 1000.0;
}

static double
percentile_ms (double p)
{
  return array_percentile_ms (stats.latencies, p);
}

int
main (int    argc,
      char **argv)
{
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &opt.port, "Server port on 127.0.0.1", "PORT" },
    { "port2", 0, 0, G_OPTION_ARG_INT, &opt.port2, "A second node's port: clients alternate between the two", "PORT" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &opt.token, "Bearer token", "TOKEN" },
    { "doc", 0, 0, G_OPTION_ARG_STRING, &opt.doc, "Document id", "ID" },
    { "subscribers", 0, 0, G_OPTION_ARG_INT, &opt.subscribers, "Subscribers", "N" },
    { "writers", 0, 0, G_OPTION_ARG_INT, &opt.writers, "Writers (default: rate/50, at least 4)", "W" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt.rate, "Changes per second, all writers together", "R" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt.seconds, "Measured seconds", "S" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &opt.warmup, "Seconds before measuring", "S" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &opt.server_pid, "Server process, for its CPU time", "PID" },
    { "server-pid2", 0, 0, G_OPTION_ARG_INT, &opt.server_pid2, "The second node's process", "PID" },
    { "db-pids", 0, 0, G_OPTION_ARG_STRING, &opt.db_pids, "The database's processes, for their CPU time", "PID,…" },
    { "peer-mode", 0, 0, G_OPTION_ARG_NONE, &opt.peer_mode, "Talk to the minimal broadcast peer", NULL },
    { "deflate", 0, 0, G_OPTION_ARG_NONE, &opt.deflate, "Offer permessage-deflate and inflate what comes", NULL },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &opt.tls, "wss: TLS to the server (any certificate)", NULL },
    { "repetitive-body", 0, 0, G_OPTION_ARG_NONE, &opt.repetitive_body, "Bodies of x runs (earlier figures' filler)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— WebSocket fan-out benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) clients = g_ptr_array_new ();
  struct rlimit limit = { 65536, 65536 };
  struct epoll_event events[256];
  gint64 start, stop_sending, stop_all, pumped_at;
  guint64 sent = 0;
  double cpu_before, cpu_after, window_seconds;
  double db_before = 0, db_after = 0;
  int epfd;
  int n_writers;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (opt.port <= 0 || (!opt.peer_mode && (!*opt.token || !*opt.doc)))
    {
      fprintf (stderr, "--port, --token and --doc are needed (--port alone with --peer-mode)\n");
      return 2;
    }
  if (setrlimit (RLIMIT_NOFILE, &limit) < 0)
    {
      limit.rlim_cur = limit.rlim_max = 8192;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  /* The server allows a connection 100 changes/s: spread the rate. */
  n_writers = opt.writers > 0 ? opt.writers : MAX (4, (int) (opt.rate / 50 + 0.999));
  if (opt.peer_mode && !*opt.doc)
    opt.doc = "peer";
  stats.latencies = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 1 << 20);
  stats.ack_latencies = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 1 << 16);

  /* Set-up: blocking handshakes and subscriptions, one client at a time. */
  pumped_at = now_us ();
  for (int i = 0; i < opt.subscribers + n_writers; i++)
    {
      Client *client = g_new0 (Client, 1);
      int index = i < opt.subscribers ? i : i - opt.subscribers;

      if (now_us () - pumped_at > 5 * G_USEC_PER_SEC)
        {
          pump_set_up (clients);
          pumped_at = now_us ();
        }
      /* Subscribers, then writers, each alternating between the nodes. */
      client->fd = connect_client (opt.port2 > 0 && index % 2 == 1 ? opt.port2 : opt.port);
      client->in = g_byte_array_sized_new (64 * 1024);
      client->writer = i >= opt.subscribers;
      if (!opt.peer_mode)
        {
          g_free (read_frame_blocking (client->fd));  /* welcome */
          subscribe (client->fd);
        }
      g_ptr_array_add (clients, client);
    }
  if (!opt.peer_mode)
    {
      Client *first = g_ptr_array_index (clients, opt.subscribers);
      g_autoptr(RlRequest) create = rl_request_new (RL_REQUEST_CREATE_THREAD);

      thread_id = rl_uuid_new ();
      create->req = g_strdup ("create");
      create->broadcast_id = rl_uuid_new ();
      create->doc = g_strdup (opt.doc);
      create->thread_id = g_strdup (thread_id);
      create->has_anchor = TRUE;
      create->anchor.kind = RL_DOC_KIND_IMAGE;
      create->anchor.x = create->anchor.y = 0.5;
      create->comment_id = rl_uuid_new ();
      create->body = g_strdup ("Benchmark thread");
      send_request (first->fd, create);
      wait_ack (first->fd, "create");
    }

  epfd = epoll_create1 (0);
  for (guint i = 0; i < clients->len; i++)
    {
      Client *client = g_ptr_array_index (clients, i);
      struct epoll_event ev = { .events = EPOLLIN, .data.ptr = client };

      epoll_ctl (epfd, EPOLL_CTL_ADD, client->fd, &ev);
    }

  start = now_us ();
  stats.window_start = start + (gint64) (opt.warmup * G_USEC_PER_SEC);
  stats.window_end = stats.window_start + (gint64) (opt.seconds * G_USEC_PER_SEC);
  stop_sending = stats.window_end;
  stop_all = stop_sending + 3 * G_USEC_PER_SEC;   /* let late deliveries land */
  cpu_before = -1;
  cpu_after = 0;

  for (;;)
    {
      gint64 now = now_us ();
      int n;

      if (cpu_before < 0 && now >= stats.window_start)
        {
          cpu_before = server_cpu_seconds ();
          db_before = db_cpu_seconds ();
        }
      if (now >= stop_sending && cpu_after == 0)
        {
          cpu_after = server_cpu_seconds ();
          db_after = db_cpu_seconds ();
        }
      if (now >= stop_all)
        break;

      if (now < stop_sending)
        {
          guint64 due = (guint64) ((now - start) * opt.rate / G_USEC_PER_SEC);

          while (sent < due)
            send_change (g_ptr_array_index (clients, opt.subscribers + (int) (sent++ % (guint64) n_writers)));
        }

      n = epoll_wait (epfd, events, G_N_ELEMENTS (events), 1);
      now = now_us ();
      for (int i = 0; i < n; i++)
        {
          Client *client = events[i].data.ptr;
          guint8 buf[65536];
          ssize_t got;

          /* TLS may hold decrypted bytes the socket no longer signals:
           * read until nothing is left (one read() for a plain socket). */
          do
            {
              got = read_some (client->fd, buf, sizeof buf, FALSE);
              if (got <= 0)
                {
                  if (got < 0 && (errno == EAGAIN || errno == EINTR))
                    break;
                  fprintf (stderr, "a connection ended\n");
                  return 1;
                }
              g_byte_array_append (client->in, buf, (guint) got);
              drain_frames (client, now);
            }
          while (opt.tls);
        }
    }

  window_seconds = opt.seconds;
  g_array_sort (stats.latencies, compare_u32);
  g_array_sort (stats.ack_latencies, compare_u32);
  {
    guint64 expected = stats.sent_in_window * (guint64) opt.subscribers;
    double cpu = cpu_after - MAX (cpu_before, 0);

    printf ("mode=%s nodes=%d subscribers=%d writers=%d rate=%.0f seconds=%.1f\n",
            opt.peer_mode ? "peer" : "redline", opt.port2 > 0 ? 2 : 1, opt.subscribers, n_writers, opt.rate,
            window_seconds);
    printf ("sent=%" G_GUINT64_FORMAT " delivered=%" G_GUINT64_FORMAT " expected=%" G_GUINT64_FORMAT
            " lost=%" G_GINT64_FORMAT "\n", stats.sent_in_window, stats.delivered, expected,
            (gint64) expected - (gint64) stats.delivered);
    printf ("delivered_per_s=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
            stats.delivered / window_seconds, percentile_ms (0.50), percentile_ms (0.90),
            percentile_ms (0.99), percentile_ms (1.0));
    printf ("server_cpu_s=%.2f server_cpu_us_per_event=%.2f bytes_per_event=%.0f frames=%" G_GUINT64_FORMAT
            " batch_frames=%" G_GUINT64_FORMAT "\n",
            cpu, stats.delivered ? cpu * 1e6 / stats.delivered : 0,
            stats.events_seen ? (double) stats.bytes / stats.events_seen : 0, stats.frames, stats.batches);
    /* Durable changes: acked ok in the window (sent in it, acked by the end). */
    printf ("acked=%u acked_per_s=%.0f ack_p50_ms=%.2f ack_p99_ms=%.2f ack_max_ms=%.2f refused=%" G_GUINT64_FORMAT "\n",
            stats.ack_latencies->len, stats.ack_latencies->len / window_seconds,
            array_percentile_ms (stats.ack_latencies, 0.50), array_percentile_ms (stats.ack_latencies, 0.99),
            array_percentile_ms (stats.ack_latencies, 1.0), stats.acks_refused);
    printf ("db_cpu_s=%.2f db_cpu_us_per_change=%.1f\n", db_after - db_before,
            stats.sent_in_window ? (db_after - db_before) * 1e6 / stats.sent_in_window : 0);
  }
  return 0;
}
