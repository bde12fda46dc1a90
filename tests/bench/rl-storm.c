/* rl-storm.c — a server restart under thousands of subscribed clients
 *
 * Starts redline-server on a temporary SQLite file with U users and D image
 * documents, connects N clients (raw non-blocking sockets on one epoll loop,
 * see rl-bench-ws.h) spread over them, all subscribed, while one writer per
 * document keeps adding threads. Then it restarts the server as systemd
 * would (SIGTERM, a clean exit, started again on the same port and file):
 * every client is cut at once (1001), comes back with the app's own backoff
 * (rl-backoff.c: 250–500 ms for the first retry, doubling after a failed
 * one) and resubscribes with `since`, while the writers go on.
 *
 * It measures the time from the cut to the last client resynced (its
 * subscribe's ack), and checks, exiting 1 otherwise:
 * - every client is back and resynced within --deadline seconds;
 * - nothing is lost: every client's events continue its document's seq
 *   exactly across the restart (no gap, no repeat) and every client ends at
 *   its document's head as the server reports it;
 * - the old server exits 0 and the new one serves.
 *
 *   rl-storm --clients 10000 --users 10        # by hand: tests/bench/storm.sh
 *
 * One user holds clients/users connections, over the server's default of 32:
 * the storm raises --max-sockets-per-user (as a team with such users must;
 * see README), and lifts --max-unauthenticated-per-address (every client
 * comes from 127.0.0.1).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rl-backoff.h"
#include "rl-bench-ws.h"
#include "rl-codec.h"
#include "rl-uuid.h"

#define SETUP_IN_FLIGHT   256         /* handshakes at once while setting up */
#define WRITE_INTERVAL_US (200 * 1000) /* each writer: 5 changes a second */

static struct
{
  const char *server;
  const char *image;
  int         clients;
  int         users;
  int         docs;
  double      deadline;
  gboolean    no_writers;
  char      **server_args;
} opt = { NULL, NULL, 10000, 10, 10, 10, FALSE, NULL };

typedef enum
{
  C_IDLE,                   /* not started yet (set-up) */
  C_WAITING,                /* backing off until next_us */
  C_CONNECTING,
  C_UPGRADING,
  C_WELCOME,
  C_SUBSCRIBING,
  C_READY,
} ClientState;

typedef struct
{
  guint       index;
  guint       user;
  guint       doc;
  gboolean    writer;
  int         fd;
  ClientState state;
  GByteArray *in;
  GByteArray *out;
  guint32     epoll_events;
  gint64      seq;          /* last applied seq of its document */
  gint64      next_us;
  guint       attempt;      /* failed attempts since the last success */
  gint64      resynced_us;  /* after the cut: when its resync was acked */
  gboolean    cut;          /* lost its connection to the restart */
  gboolean    waiting_ack;  /* writer: a change in flight */
  guint64     counter;
} Client;

static struct
{
  guint64 connects;
  guint64 refused;
  guint64 conn_failures;    /* connect() refused or reset: server not back yet */
  guint64 resyncs;
  guint64 resets;
  guint64 events;
  guint64 gaps;
  guint64 repeats;
  guint64 writes;
  guint64 failures;
} storm;

static struct sockaddr_in server_addr;
static int server_port;
static char **tokens;
static char **doc_ids;
static int epfd;
static guint n_ready;
static guint n_resynced;
static gboolean restarting;  /* cut, not all back yet */
static gint64 *heads;        /* each document's head once the writers stopped */

static void G_GNUC_PRINTF (1, 2)
failure (const char *format,
         ...)
{
  va_list args;

  storm.failures++;
  if (storm.failures > 20)
    return;
  va_start (args, format);
  fprintf (stderr, "FAIL: ");
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
}

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
client_send_request (Client    *client,
                     RlRequest *request)
{
  g_autofree char *text = rl_request_serialize (request);

  rl_bench_ws_append_frame (client->out, RL_WS_OP_TEXT, text, strlen (text));
}

/* Lost: back after the app's backoff (the first retry after 250–500 ms). */
static void
client_lost (Client  *client,
             gint64   now,
             gboolean failed_attempt)
{
  if (client->fd >= 0)
    {
      close (client->fd);
      client->fd = -1;
    }
  if (client->state == C_READY)
    n_ready--;
  client->epoll_events = 0;
  client->waiting_ack = FALSE;
  g_byte_array_set_size (client->in, 0);
  g_byte_array_set_size (client->out, 0);
  if (!restarting)
    failure ("client %u: lost its connection outside the restart", client->index);
  client->state = C_WAITING;
  client->next_us = now + (gint64) rl_backoff_delay_ms (failed_attempt ? client->attempt : 0, RL_BACKOFF_BASE_MS,
                                                        RL_BACKOFF_CAP_MS, NULL) * 1000;
  if (failed_attempt)
    client->attempt++;
}

static void
client_connect (Client *client,
                gint64  now)
{
  client->fd = rl_bench_ws_connect (&server_addr, FALSE);
  if (client->fd < 0)
    {
      failure ("client %u: socket: %s", client->index, g_strerror (errno));
      client->state = C_WAITING;
      client->next_us = now + G_USEC_PER_SEC;
      return;
    }
  storm.connects++;
  client->state = C_CONNECTING;
  rl_bench_ws_append_upgrade (client->out, "127.0.0.1", server_port, tokens[client->user]);
  client_want (client, EPOLLIN | EPOLLOUT);
}

static void
writer_write (Client *client)
{
  g_autoptr(RlRequest) request = rl_request_new (RL_REQUEST_CREATE_THREAD);

  request->req = g_strdup_printf ("w%" G_GUINT64_FORMAT, ++client->counter);
  request->broadcast_id = rl_uuid_new ();
  request->doc = g_strdup (doc_ids[client->doc]);
  request->thread_id = rl_uuid_new ();
  request->comment_id = rl_uuid_new ();
  request->body = g_strdup_printf ("storm %u-%" G_GUINT64_FORMAT, client->index, client->counter);
  request->has_anchor = TRUE;
  request->anchor.kind = RL_DOC_KIND_IMAGE;
  request->anchor.x = request->anchor.y = 0.5;
  client_send_request (client, request);
  client->waiting_ack = TRUE;
}

static void
client_take_events (Client       *client,
                    const guint8 *payload,
                    gsize         length)
{
  const guint8 *p = payload, *end = payload + length;
  gint64 seq;

  while ((p = rl_bench_next_event_seq (p, end, payload, &seq)) != NULL)
    {
      storm.events++;
      if (seq == client->seq + 1)
        client->seq = seq;
      else if (seq <= client->seq)
        {
          storm.repeats++;
          failure ("client %u: seq %" G_GINT64_FORMAT " again after %" G_GINT64_FORMAT, client->index, seq,
                   client->seq);
        }
      else
        {
          storm.gaps++;
          failure ("client %u: seq %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT, client->index, seq,
                   client->seq);
          client->seq = seq;
        }
    }
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
      {
        guint code = length >= 2 ? (payload[0] << 8) | payload[1] : 0;

        if (code != 1001)
          failure ("client %u: closed with %u", client->index, code);
        /* Answered as RFC 6455 asks, then gone. */
        rl_bench_ws_append_frame (client->out, RL_WS_OP_CLOSE, payload, MIN (length, 2));
        rl_bench_ws_flush (client->fd, client->out);
        client->cut = TRUE;
        client_lost (client, now, FALSE);
        return;
      }
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
    {
      g_autoptr(RlMessage) ack = rl_message_parse ((const char *) payload, length, NULL);

      if (ack == NULL || !ack->ok)
        {
          failure ("client %u: refused: %s", client->index, ack ? ack->error_message : "unreadable ack");
          return;
        }
      if (g_strcmp0 (ack->req, "sub") == 0)
        {
          if (ack->seq != client->seq)
            failure ("client %u: subscribed at %" G_GINT64_FORMAT ", events reached %" G_GINT64_FORMAT,
                     client->index, ack->seq, client->seq);
          client->state = C_READY;
          client->attempt = 0;
          n_ready++;
          if (client->cut && client->resynced_us == 0)
            {
              client->resynced_us = now;
              n_resynced++;
            }
          if (client->writer)
            client->next_us = now + WRITE_INTERVAL_US;
        }
      else
        {
          storm.writes++;
          client->waiting_ack = FALSE;
        }
    }
  else if (g_str_has_prefix (type, "welcome\""))
    {
      g_autoptr(RlRequest) request = rl_request_new (RL_REQUEST_SUBSCRIBE);

      request->req = g_strdup ("sub");
      request->doc = g_strdup (doc_ids[client->doc]);
      if (client->seq >= 0)
        {
          request->has_since = TRUE;
          request->since = client->seq;
          storm.resyncs++;
        }
      client_send_request (client, request);
      client->state = C_SUBSCRIBING;
    }
  else if (g_str_has_prefix (type, "snapshot\""))
    {
      const guint8 *seq = memmem (payload, length, "\"seq\":", 6);

      if (client->seq >= 0)
        {
          storm.resets++;
          failure ("client %u: a snapshot where the log should have served since %" G_GINT64_FORMAT,
                   client->index, client->seq);
        }
      client->seq = seq ? g_ascii_strtoll ((const char *) seq + 6, NULL, 10) : -1;
    }
  else if (!g_str_has_prefix (type, "presence\""))
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
            {
              storm.conn_failures++;
              client_lost (client, now, TRUE);
            }
          return;
        }
      g_byte_array_remove_range (client->in, 0, (guint) head);
      if (status != 101)
        {
          storm.refused++;
          failure ("client %u: upgrade answered %u", client->index, status);
          client_lost (client, now, TRUE);
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
      client_take_frame (client, opcode, payload, length, now);
      if (client->fd < 0)
        return;
    }
  g_byte_array_remove_range (client->in, 0, (guint) offset);
  if (n == 0 || n < 0)
    {
      /* The end without a close frame: a restart that went too fast for it. */
      client->cut = TRUE;
      client_lost (client, now, client->state != C_READY);
    }
}

static void
client_event (Client  *client,
              guint32  events,
              gint64   now)
{
  if (client->state == C_CONNECTING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
    {
      int error = 0;
      socklen_t size = sizeof error;

      getsockopt (client->fd, SOL_SOCKET, SO_ERROR, &error, &size);
      if (error != 0)
        {
          /* Refused: the new server does not listen yet. */
          storm.conn_failures++;
          client_lost (client, now, TRUE);
          return;
        }
      client->state = C_UPGRADING;
    }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
    client_readable (client, now);
}

static void
client_tick (Client   *client,
             gint64    now,
             gboolean  writing)
{
  if (client->state == C_WAITING && now >= client->next_us)
    client_connect (client, now);
  else if (client->state == C_READY && client->writer && writing && !client->waiting_ack && now >= client->next_us)
    {
      writer_write (client);
      client->next_us = now + WRITE_INTERVAL_US;
    }
  if (client->fd >= 0 && client->out->len > 0 && !rl_bench_ws_flush (client->fd, client->out))
    {
      storm.conn_failures++;
      client->cut = TRUE;
      client_lost (client, now, client->state != C_READY);
      return;
    }
  if (client->fd >= 0 && client->state != C_CONNECTING)
    client_want (client, EPOLLIN | (client->out->len > 0 ? EPOLLOUT : 0));
}

/* Runs the loop until done says so or the deadline passes. */
static gboolean
run_until (Client   *clients,
           int       n,
           gboolean (*done) (Client *, int),
           gint64    deadline,
           gboolean  writing,
           gboolean  pace_setup)
{
  struct epoll_event events[1024];

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      int got;

      if (done (clients, n))
        return TRUE;
      if (now > deadline)
        return FALSE;
      if (pace_setup)
        {
          /* Set-up: a bounded number of handshakes at once. */
          guint in_flight = 0;

          for (int i = 0; i < n; i++)
            in_flight += clients[i].state >= C_CONNECTING && clients[i].state < C_READY;
          for (int i = 0; i < n && in_flight < SETUP_IN_FLIGHT; i++)
            if (clients[i].state == C_IDLE)
              {
                client_connect (&clients[i], now);
                in_flight++;
              }
        }
      got = epoll_wait (epfd, events, G_N_ELEMENTS (events), 5);
      now = g_get_monotonic_time ();
      for (int i = 0; i < got; i++)
        {
          Client *client = events[i].data.ptr;

          if (client->fd >= 0)
            client_event (client, events[i].events, now);
        }
      for (int i = 0; i < n; i++)
        client_tick (&clients[i], now, writing);
    }
}

/* How many clients are in each state, for a report. */
static char *
state_counts (Client *clients,
              int     n)
{
  static const char *names[] = { "idle", "waiting", "connecting", "upgrading", "welcome", "subscribing", "ready" };
  guint counts[G_N_ELEMENTS (names)] = { 0 };
  GString *text = g_string_new (NULL);

  for (int i = 0; i < n; i++)
    counts[clients[i].state]++;
  for (guint s = 0; s < G_N_ELEMENTS (names); s++)
    if (counts[s])
      g_string_append_printf (text, "%s%s %u", text->len ? ", " : "", names[s], counts[s]);
  return g_string_free (text, FALSE);
}

static gboolean
all_ready (Client *clients,
           int     n)
{
  return n_ready == (guint) n;
}

static gboolean
all_resynced (Client *clients,
              int     n)
{
  return n_resynced == (guint) n && n_ready == (guint) n;
}

static gboolean
all_at_head (Client *clients,
             int     n)
{
  for (int i = 0; i < n; i++)
    if (clients[i].seq != heads[clients[i].doc])
      return FALSE;
  return TRUE;
}

static gboolean
never (Client *clients,
       int     n)
{
  return FALSE;
}

static gboolean
writers_quiet (Client *clients,
               int     n)
{
  for (int i = 0; i < n; i++)
    if (clients[i].waiting_ack)
      return FALSE;
  return TRUE;
}

/* ---- the server ------------------------------------------------------------ */

static GSubprocess *
start_server (const char *db,
              const char *log,
              int         port)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup ("--max-sockets-per-user"));
  g_ptr_array_add (args, g_strdup_printf ("%d", opt.clients / opt.users + 64));
  g_ptr_array_add (args, g_strdup ("--max-unauthenticated-per-address"));
  g_ptr_array_add (args, g_strdup ("0"));
  for (guint i = 0; opt.server_args && opt.server_args[i]; i++)
    g_ptr_array_add (args, g_strdup (opt.server_args[i]));
  g_ptr_array_add (args, NULL);
  return rl_bench_start_server (opt.server, db, log, port, (const char * const *) args->pdata, NULL,
                                &server_port);
}

/* The document's head, from GET …/threads. */
static gint64
document_head (guint doc)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/threads", doc_ids[doc]);
  g_autofree char *body = rl_bench_http_get (&server_addr, path, tokens[0]);
  const char *seq;

  if (body == NULL || (seq = strstr (body, "\"seq\":")) == NULL)
    return -1;
  return g_ascii_strtoll (seq + 6, NULL, 10);
}

static void
server_exited_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) data = TRUE;
}

/* The server's memory and descriptors, for the figures. */
static void
print_server (GSubprocess *server,
              const char  *when)
{
  int pid = (int) g_ascii_strtoll (g_subprocess_get_identifier (server), NULL, 10);
  guint64 rss = 0, anon = 0;

  rl_bench_proc_memory (pid, &rss, &anon);
  printf ("storm: server %s: rss %" G_GUINT64_FORMAT " KiB (anon %" G_GUINT64_FORMAT " KiB), %d descriptors\n",
          when, rss, anon, rl_bench_proc_fds (pid));
  fflush (stdout);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

int
main (int    argc,
      char **argv)
{
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_FILENAME, &opt.server, "redline-server (default: $REDLINE_SERVER)", "PATH" },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &opt.image, "The image the documents are made of", "PNG" },
    { "clients", 0, 0, G_OPTION_ARG_INT, &opt.clients, "Subscribed clients (default 10000)", "N" },
    { "users", 0, 0, G_OPTION_ARG_INT, &opt.users, "Users they sign in as (default 10)", "N" },
    { "docs", 0, 0, G_OPTION_ARG_INT, &opt.docs, "Documents (default 10)", "N" },
    { "deadline", 0, 0, G_OPTION_ARG_DOUBLE, &opt.deadline, "Seconds all may take to be back (default 10)", "S" },
    { "no-writers", 0, 0, G_OPTION_ARG_NONE, &opt.no_writers, "No changes during the storm", NULL },
    { "server-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.server_args, "One more serve option", "ARG" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— restart redline-server under a crowd of clients");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *log = NULL;
  g_autofree Client *clients = NULL;
  g_autofree gint64 *times = NULL;
  gint64 start, ready_us, cut_us, exited_us, listening_us, back_us;
  guint64 fd_limit;
  int n;
  gboolean back;

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
  if (opt.server == NULL || opt.clients < 1 || opt.users < 1 || opt.docs < 1)
    {
      fprintf (stderr, "--server (or $REDLINE_SERVER), and positive numbers, please\n");
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  /* The clients need a descriptor per connection, the server (which
   * inherits the limit) two: the socket and the wakeup of the connection's
   * own main context. */
  n = opt.clients + (opt.no_writers ? 0 : opt.docs);
  fd_limit = rl_bench_raise_fd_limit ((guint64) n * 2 + 1024);
  if (fd_limit < (guint64) n * 2 + 64)
    {
      fprintf (stderr, "rl-storm: %d connections need %d descriptors in the server, over the limit of %"
               G_GUINT64_FORMAT " (ulimit -Hn)\n", n, n * 2 + 64, fd_limit);
      return 2;
    }

  dir = g_dir_make_tmp ("redline-storm-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "storm.db", NULL);
  log = g_build_filename (dir, "server.log", NULL);
  rl_bench_add_team (opt.server, db, "storm", "Storm", opt.users, opt.docs, opt.image, &tokens, &doc_ids);

  server = start_server (db, log, 0);
  rl_bench_loopback (&server_addr, server_port);
  printf ("storm: %d clients (and %d writers) on %d users, %d documents; descriptors allowed %" G_GUINT64_FORMAT "\n",
          opt.clients, opt.no_writers ? 0 : opt.docs, opt.users, opt.docs, fd_limit);
  fflush (stdout);

  epfd = epoll_create1 (EPOLL_CLOEXEC);
  clients = g_new0 (Client, n);
  for (int i = 0; i < n; i++)
    {
      Client *client = &clients[i];

      client->index = (guint) i;
      client->user = (guint) (i % opt.users);
      client->doc = (guint) (i % opt.docs);
      client->writer = i >= opt.clients;
      client->fd = -1;
      client->seq = -1;
      client->in = g_byte_array_new ();
      client->out = g_byte_array_new ();
    }

  /* Everyone subscribed, the writers writing. */
  start = g_get_monotonic_time ();
  if (!run_until (clients, n, all_ready, start + 120 * G_USEC_PER_SEC, TRUE, TRUE))
    {
      g_autofree char *counts = state_counts (clients, n);

      failure ("only %u of %d subscribed within 120 s (%s)", n_ready, n, counts);
    }
  ready_us = g_get_monotonic_time ();
  printf ("storm: all %d subscribed in %.2f s (%d handshakes at a time)\n", n, (ready_us - start) / 1e6,
          SETUP_IN_FLIGHT);
  print_server (server, "before the restart");
  fflush (stdout);
  run_until (clients, n, writers_quiet, ready_us + 2 * G_USEC_PER_SEC, TRUE, FALSE);
  /* Two seconds of ordinary life. */
  {
    gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    run_until (clients, n, never, until, TRUE, FALSE);
  }

  /* The restart: SIGTERM, a clean exit, the same command again. */
  restarting = TRUE;
  cut_us = g_get_monotonic_time ();
  g_subprocess_send_signal (server, SIGTERM);
  {
    /* The clients answer the closing server while it exits. */
    gboolean exited = FALSE;

    g_subprocess_wait_async (server, NULL, server_exited_cb, &exited);
    while (!exited)
      {
        struct epoll_event events[1024];
        int got = epoll_wait (epfd, events, G_N_ELEMENTS (events), 2);
        gint64 now = g_get_monotonic_time ();

        for (int i = 0; i < got; i++)
          {
            Client *client = events[i].data.ptr;

            if (client->fd >= 0)
              client_event (client, events[i].events, now);
          }
        for (int i = 0; i < n; i++)
          if (clients[i].state != C_WAITING)
            client_tick (&clients[i], now, FALSE);
        while (g_main_context_iteration (NULL, FALSE))
          ;
        if (now - cut_us > 60 * G_USEC_PER_SEC)
          g_error ("the server did not exit within 60 s of SIGTERM");
      }
    exited_us = g_get_monotonic_time ();
  }
  if (!g_subprocess_get_if_exited (server) || g_subprocess_get_exit_status (server) != 0)
    failure ("the old server did not exit cleanly");
  g_clear_object (&server);
  server = start_server (db, log, server_port);
  listening_us = g_get_monotonic_time ();

  back = run_until (clients, n, all_resynced, cut_us + (gint64) (opt.deadline * G_USEC_PER_SEC), TRUE, FALSE);
  back_us = g_get_monotonic_time ();
  print_server (server, "every client back");
  if (!back)
    {
      g_autofree char *counts = state_counts (clients, n);

      failure ("%u of %d connections resynced within %.0f s of the cut (%s)", n_resynced, n, opt.deadline, counts);
    }

  /* The writers stop (their last change acked, so the heads are final);
   * everyone reaches the head. */
  if (!run_until (clients, n, writers_quiet, g_get_monotonic_time () + 30 * G_USEC_PER_SEC, FALSE, FALSE))
    failure ("a writer's change was not acked within 30 s");
  heads = g_new0 (gint64, opt.docs);
  for (int d = 0; d < opt.docs; d++)
    heads[d] = document_head ((guint) d);
  run_until (clients, n, all_at_head, g_get_monotonic_time () + 30 * G_USEC_PER_SEC, FALSE, FALSE);
  for (int d = 0; d < opt.docs; d++)
    {
      guint behind = 0;

      for (int i = 0; i < n; i++)
        behind += clients[i].doc == (guint) d && clients[i].seq != heads[d];
      if (heads[d] < 0 || behind > 0)
        failure ("document %d: head %" G_GINT64_FORMAT ", %u clients elsewhere", d, heads[d], behind);
    }

  times = g_new0 (gint64, n);
  for (int i = 0; i < n; i++)
    times[i] = clients[i].resynced_us ? clients[i].resynced_us - cut_us : G_MAXINT64;
  qsort (times, n, sizeof (gint64), compare_gint64);
  printf ("storm: cut at 0; old server gone at %.2f s, new one listening at %.2f s; all %u back and resynced at %.2f s\n",
          (exited_us - cut_us) / 1e6, (listening_us - cut_us) / 1e6, n_resynced, (back_us - cut_us) / 1e6);
  printf ("storm: resynced after the cut: p50 %.2f s, p90 %.2f s, p99 %.2f s, last %.2f s\n",
          times[n / 2] / 1e6, times[n * 9 / 10] / 1e6, times[n * 99 / 100] / 1e6, times[n - 1] / 1e6);
  printf ("storm: connections %" G_GUINT64_FORMAT " (refused %" G_GUINT64_FORMAT ", failed %" G_GUINT64_FORMAT
          "); resyncs %" G_GUINT64_FORMAT ", resets %" G_GUINT64_FORMAT "; writes %" G_GUINT64_FORMAT
          "; events %" G_GUINT64_FORMAT ", gaps %" G_GUINT64_FORMAT ", repeats %" G_GUINT64_FORMAT "\n",
          storm.connects, storm.refused, storm.conn_failures, storm.resyncs, storm.resets, storm.writes,
          storm.events, storm.gaps, storm.repeats);

  for (int i = 0; i < n; i++)
    if (clients[i].fd >= 0)
      close (clients[i].fd);
  restarting = TRUE;
  g_subprocess_send_signal (server, SIGTERM);
  if (!g_subprocess_wait (server, NULL, &error) || !g_subprocess_get_if_exited (server) ||
      g_subprocess_get_exit_status (server) != 0)
    failure ("the new server did not stop cleanly (see %s)", log);

  for (int i = 0; i < n; i++)
    {
      g_byte_array_unref (clients[i].in);
      g_byte_array_unref (clients[i].out);
    }
  g_strfreev (tokens);
  g_strfreev (doc_ids);
  g_strfreev (opt.server_args);
  g_free (heads);
  close (epfd);

  printf ("storm: %s (%" G_GUINT64_FORMAT " failures)\n", storm.failures == 0 ? "PASS" : "FAIL", storm.failures);
  if (storm.failures == 0)
    rl_bench_remove_run (dir, db, log);
  else
    printf ("storm: the database and the servers' log are kept in %s\n", dir);
  return storm.failures == 0 ? 0 : 1;
}
