/* test-server-hostile.c — the real server against clients that lie, stall and
 * flood: raw sockets writing exact bytes, the server's memory read from /proc
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "rl-test-server.h"

#define MIB                 (1024 * 1024)
#define UPLOAD_LIMIT        (50 * MIB)
#define RSS_LIMIT           (80 * MIB)
#define ANSWER_TIMEOUT_MS   5000
/* What the tests run the server with, unless a test says otherwise. */
#define HANDSHAKE_TIMEOUT_S 2
#define BODY_TIMEOUT_S      2

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *member;
  const char   *viewer;
  const char   *admin;
  const char   *doc;
} Fixture;

static void
fixture_setup_options (Fixture       *f,
                       gconstpointer  data,
                       const char    *asan_options)
{
  const char * const *extra = data;
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();

  rl_test_team_init (&f->team, "Mia:member", &f->member,
                               "Vic:viewer", &f->viewer,
                               "Ada:admin", &f->admin,
                               NULL);
  f->server = f->team.server;
  f->doc = rl_test_team_add_doc (&f->team, "acme", "Mockup", "mockup.png");

  g_strv_builder_add (args, "--handshake-timeout=" G_STRINGIFY (HANDSHAKE_TIMEOUT_S));
  g_strv_builder_add (args, "--body-timeout=" G_STRINGIFY (BODY_TIMEOUT_S));
  if (extra)
    g_strv_builder_addv (args, (const char **) extra);
  f->server->extra_args = g_strv_builder_end (args);
  f->server->asan_options = g_strdup (asan_options);
  rl_test_server_start (f->server);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup_options (f, data, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_team_clear (&f->team);
}

/* ---- what the raw client (rl-test-server.h) sends ----------------------------------- */

/* A chunked body of total bytes in chunks of 1 MiB, written as fast as the
 * server takes it, until an answer (or the end) arrives: a client that
 * stops at the answer. */
static void
raw_send_chunked (RlTestRaw *raw,
                  guint64    total)
{
  const gsize chunk = MIB;
  g_autoptr(GString) frame = g_string_new (NULL);
  guint64 body = 0;
  gsize offset = 0;

  g_string_append_printf (frame, "%" G_GSIZE_MODIFIER "x\r\n", chunk);
  g_string_set_size (frame, frame->len + chunk);
  memset (frame->str + frame->len - chunk, 'x', chunk);
  g_string_append (frame, "\r\n");

  while (body < total)
    {
      g_autoptr(GError) error = NULL;
      GIOCondition ready;
      gssize n;

      g_assert_true (g_socket_condition_timed_wait (raw->socket, G_IO_IN | G_IO_OUT, 10 * G_USEC_PER_SEC,
                                                    NULL, NULL));
      ready = g_socket_condition_check (raw->socket, G_IO_IN | G_IO_OUT | G_IO_HUP | G_IO_ERR);
      if (ready & (G_IO_IN | G_IO_HUP | G_IO_ERR))
        return;
      n = g_socket_send_with_blocking (raw->socket, frame->str + offset, frame->len - offset, FALSE, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      if (n < 0)
        return;
      raw->sent += (guint64) n;
      offset += (gsize) n;
      if (offset == frame->len)
        {
          offset = 0;
          body += chunk;
        }
    }
  rl_test_raw_send (raw, "0\r\n\r\n", -1);
}

static const char *
answer_code (RlTestRawAnswer *answer)
{
  JsonObject *error;

  g_assert_nonnull (answer->json);
  error = json_object_get_object_member (json_node_get_object (answer->json), "error");
  g_assert_nonnull (error);
  return json_object_get_string_member (error, "code");
}

static char *
request_head (const char *method,
              const char *path,
              const char *token,
              const char *more)
{
  g_autofree char *authorization = token ? g_strdup_printf ("Authorization: Bearer %s\r\n", token) : NULL;

  return g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s\r\n", method, path,
                          authorization ? authorization : "", more ? more : "");
}

static char *
websocket_head (const char *token)
{
  return request_head ("GET", "/api/v1/ws", token,
                       "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                       "Sec-WebSocket-Protocol: redline.v1\r\n");
}

static guint
doc_count (Fixture *f)
{
  g_autoptr(RlTestResponse) list = rl_test_http (f->server, "GET", "/api/v1/docs", f->member, NULL, NULL);

  g_assert_cmpuint (list->status, ==, 200);
  return json_array_get_length (json_node_get_array (list->json));
}

static void
assert_healthy (Fixture *f)
{
  g_autoptr(RlTestResponse) health = rl_test_http (f->server, "GET", "/healthz", NULL, NULL, NULL);

  g_assert_cmpuint (health->status, ==, 200);
}

static void
assert_peak_rss_under_limit (Fixture *f)
{
  guint64 peak = rl_test_server_peak_rss (f->server);

  g_test_message ("server peak RSS: %" G_GUINT64_FORMAT " KiB", peak / 1024);
  g_assert_cmpuint (peak, <, RSS_LIMIT);
}

/* ---- bodies that are not allowed ------------------------------------------------------ */

/* A body that is not allowed, by its length: refused from the headers, or
 * counted as it arrives and refused at the limit, and the connection closed
 * after the answer. */
typedef struct
{
  const char *path;
  const char *title;
  gboolean    member;        /* the member's token, else none */
  gboolean    chunked;       /* sent in chunks of 1 MiB, else only announced */
  guint64     length;
  guint       status;
  const char *code;
  gboolean    asks_for_token; /* the answer says how to sign in, and that it closes */
  guint64     sent_over;     /* chunked: at least this much was read before the answer */
  gboolean    measured;      /* the server's peak memory stays under RSS_LIMIT */
  gboolean    same_docs;     /* nothing was stored */
  gboolean    healthy;       /* the server answers after */
} RefusedBody;

static const RefusedBody refused_bodies[] = {
  /* 100 MiB announced without a token: 401, not one byte of the body awaited. */
  { "/server/hostile/no-token-length", "Flood", FALSE, FALSE, 100 * MIB, 401, "unauthorized",
    .asks_for_token = TRUE, .healthy = TRUE },
  /* The case: 100 MiB chunked with no token at all, answered long
   * before the body was all there: it was never waited for. */
  { "/server/hostile/no-token-chunked-100mib", "Flood", FALSE, TRUE, 100 * MIB, 401, "unauthorized",
    .measured = TRUE, .healthy = TRUE },
  /* The case: 300 MiB chunked with a member's token is counted as it
   * arrives and refused at the limit. */
  { "/server/hostile/member-chunked-300mib", "Flood", TRUE, TRUE, 300 * MIB, 413, "too-large",
    .sent_over = UPLOAD_LIMIT, .measured = TRUE, .same_docs = TRUE, .healthy = TRUE },
  /* A Content-Length over the limit is refused from the headers. */
  { "/server/hostile/member-length-over-limit", "Huge", TRUE, FALSE, UPLOAD_LIMIT + 1, 413, "too-large" },
};

/* Under AddressSanitizer freed memory waits in a quarantine (256 MiB) before
 * it is reused, which would measure ASan, not the server: a small one for the
 * servers whose memory is measured. Nothing else changes. */
static void
fixture_setup_refused_body (Fixture       *f,
                            gconstpointer  data)
{
  const RefusedBody *c = data;

  fixture_setup_options (f, NULL, c->measured ? "quarantine_size_mb=1" : NULL);
}

static void
test_refused_body (Fixture       *f,
                   gconstpointer  data)
{
  const RefusedBody *c = data;
  g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
  g_autofree char *path = g_strdup_printf ("/api/v1/docs?title=%s", c->title);
  g_autofree char *more = c->chunked
    ? g_strdup ("Content-Type: image/png\r\nTransfer-Encoding: chunked\r\n")
    : g_strdup_printf ("Content-Type: image/png\r\nContent-Length: %" G_GUINT64_FORMAT "\r\n", c->length);
  g_autofree char *head = request_head ("POST", path, c->member ? f->member : NULL, more);
  g_autoptr(RlTestRawAnswer) answer = NULL;
  guint before = c->same_docs ? doc_count (f) : 0;

  g_assert_true (rl_test_raw_send (raw, head, -1));
  if (c->chunked)
    raw_send_chunked (raw, c->length);
  answer = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
  g_assert_nonnull (answer);
  g_assert_cmpuint (answer->status, ==, c->status);
  g_assert_cmpstr (answer_code (answer), ==, c->code);
  if (c->asks_for_token)
    {
      g_assert_nonnull (strstr (answer->head, "WWW-Authenticate: Bearer"));
      g_assert_nonnull (strstr (answer->head, "Connection: close"));
    }
  g_assert_true (rl_test_raw_closed_within (raw, ANSWER_TIMEOUT_MS));
  if (c->chunked)
    {
      g_test_message ("sent %" G_GUINT64_FORMAT " KiB before the answer", raw->sent / 1024);
      if (c->sent_over > 0)
        g_assert_cmpuint (raw->sent, >, c->sent_over);
      g_assert_cmpuint (raw->sent, <, c->length);
    }
  if (c->measured)
    assert_peak_rss_under_limit (f);
  if (c->same_docs)
    g_assert_cmpuint (doc_count (f), ==, before);
  if (c->healthy)
    assert_healthy (f);
}

/* The limit is exact and chunks are summed: 50 MiB chunked is read whole
 * (and refused for what it is, not for its size); a viewer's upload or one
 * of a type never taken is refused before its body. */
static void
test_upload_limit_exact (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *head = request_head ("POST", "/api/v1/docs?title=Exact", f->member,
                                        "Content-Type: image/png\r\nTransfer-Encoding: chunked\r\n");
  g_autofree char *viewer = request_head ("POST", "/api/v1/docs?title=Nope", f->viewer,
                                          "Content-Type: image/png\r\nContent-Length: 1048576\r\n");
  g_autofree char *pdf = request_head ("POST", "/api/v1/docs?title=Pdf", f->member,
                                       "Content-Type: application/pdf\r\nTransfer-Encoding: chunked\r\n");
  struct { const char *head; guint status; const char *code; } refused[] = {
    { viewer, 403, "forbidden" },
    { pdf, 400, "bad-request" },
  };

  {
    g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
    g_autoptr(RlTestRawAnswer) answer = NULL;

    g_assert_true (rl_test_raw_send (raw, head, -1));
    raw_send_chunked (raw, UPLOAD_LIMIT);
    answer = rl_test_raw_answer (raw, 20000);
    g_assert_nonnull (answer);
    g_assert_cmpuint (answer->status, ==, 400);
    g_assert_cmpstr (answer_code (answer), ==, "bad-request");
  }
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
      g_autoptr(RlTestRawAnswer) answer = NULL;

      g_assert_true (rl_test_raw_send (raw, refused[i].head, -1));
      answer = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
      g_assert_nonnull (answer);
      g_assert_cmpuint (answer->status, ==, refused[i].status);
      g_assert_cmpstr (answer_code (answer), ==, refused[i].code);
      g_assert_true (rl_test_raw_closed_within (raw, ANSWER_TIMEOUT_MS));
    }
}

/* A big mockup is decoded whole to be checked: seconds for 100 megapixels.
 * Meanwhile the server keeps serving its WebSockets: an ack comes back
 * while the upload is still being checked, and the upload is answered
 * after. (Checked on the main loop, every WebSocket of the server waited
 * for the decoding: the ack came after the upload's answer.) */
static void
test_upload_checked_aside (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 10000, 10000);
  g_autofree char *png = NULL;
  gsize png_length;
  g_autoptr(GError) error = NULL;
  g_autofree char *more = NULL;
  g_autofree char *head = NULL;
  g_autofree char *req = rl_test_uuid ();
  g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->member);
  g_autoptr(RlTestRaw) raw = NULL;
  g_autoptr(RlTestRawAnswer) answer = NULL;
  g_autoptr(JsonObject) ack = NULL;
  gint64 asked, acked, answered;

  gdk_pixbuf_fill (pixbuf, 0x336699ff);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &png, &png_length, "png", &error, "compression", "1", NULL));
  g_assert_no_error (error);
  json_object_unref (rl_test_client_subscribe (client, f->doc));

  more = g_strdup_printf ("Content-Type: image/png\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n", png_length);
  head = request_head ("POST", "/api/v1/docs?title=Large", f->member, more);
  raw = rl_test_raw_connect (f->server, 0);
  g_assert_true (rl_test_raw_send (raw, head, -1));
  g_assert_true (rl_test_raw_send (raw, png, (gssize) png_length));
  /* The body (a few MB on loopback) is in within milliseconds; the
   * decoding takes a second or more. */
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);

  asked = g_get_monotonic_time ();
  rl_test_client_send_printf (client, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\"}",
                              req, f->doc);
  ack = rl_test_client_expect_ack (client, req);
  acked = g_get_monotonic_time ();
  g_assert_null (rl_test_ack_error (ack));
  g_assert_false (g_socket_condition_check (raw->socket, G_IO_IN) & G_IO_IN);

  answer = rl_test_raw_answer (raw, 60000);
  answered = g_get_monotonic_time ();
  g_assert_nonnull (answer);
  g_assert_cmpuint (answer->status, ==, 201);
  g_test_message ("ack after %.3f s, upload answered %.3f s after the ask",
                  (acked - asked) / 1e6, (answered - asked) / 1e6);
  g_assert_cmpint (answered, >, acked);
}

/* Bodies where none is taken: refused from the headers and closed, with or
 * without a token, whatever their length — a GET's as such, another method
 * with the 405 its route gives. */
static void
test_body_where_none_is_taken (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *doc_path = g_strdup_printf ("/api/v1/docs/%s", f->doc);
  g_autofree char *get_docs = request_head ("GET", "/api/v1/docs", f->member, "Content-Length: 10\r\n");
  g_autofree char *healthz = request_head ("GET", "/healthz", NULL, "Content-Length: 1073741824\r\n");
  g_autofree char *chunked = request_head ("GET", "/healthz", NULL, "Transfer-Encoding: chunked\r\n");
  g_autofree char *post_doc = request_head ("POST", doc_path, f->member, "Content-Length: 5\r\n");
  g_autofree char *missing = request_head ("PUT", "/nothing/here", NULL, "Content-Length: 1048576\r\n");
  g_autofree char *no_token = request_head ("GET", "/api/v1/docs", NULL, "Content-Length: 1048576\r\n");
  g_autofree char *ws = websocket_head (f->member);
  g_autofree char *ws_body = NULL;
  struct { const char *head; const char *body; guint status; const char *code; } cases[] = {
    { get_docs, "0123456789", 400, "bad-request" },
    { healthz, NULL, 400, "bad-request" },
    { chunked, "5\r\nhello\r\n0\r\n\r\n", 400, "bad-request" },
    { post_doc, "hello", 405, "bad-request" },
    { missing, NULL, 405, "bad-request" },
    { no_token, NULL, 401, "unauthorized" },
    { NULL, NULL, 400, "bad-request" },
  };

  /* A WebSocket upgrade with a body. */
  ws[strlen (ws) - 2] = '\0';
  ws_body = g_strconcat (ws, "Content-Length: 3\r\n\r\n", NULL);
  cases[G_N_ELEMENTS (cases) - 1].head = ws_body;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
      g_autoptr(RlTestRawAnswer) answer = NULL;

      g_assert_true (rl_test_raw_send (raw, cases[i].head, -1));
      if (cases[i].body)
        rl_test_raw_send (raw, cases[i].body, -1);
      answer = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
      if (answer == NULL)
        g_error ("case %u: no answer", i);
      g_assert_cmpuint (answer->status, ==, cases[i].status);
      g_assert_cmpstr (answer_code (answer), ==, cases[i].code);
      if (cases[i].status == 405)
        g_assert_nonnull (strstr (answer->head, "Allow: GET\r\n"));
      g_assert_true (rl_test_raw_closed_within (raw, ANSWER_TIMEOUT_MS));
    }
  /* Without a body, the same requests are answered as ever. */
  assert_healthy (f);
  g_assert_cmpuint (doc_count (f), ==, 1);
}

/* What the gate answers on a connection it takes from libsoup (which then
 * says nothing of the request) is in the access log and the metrics all
 * the same. */
static void
test_refusals_logged_and_counted (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *upload = request_head ("POST", "/api/v1/docs?title=x", NULL,
                                          "Content-Type: image/png\r\nContent-Length: 1048576\r\n");
  g_autofree char *healthz = request_head ("GET", "/healthz", NULL, "Content-Length: 5\r\n");
  const char *cases[] = { upload, healthz, NULL };
  const char *lines[] = {
    "method=POST path=/api/v1/docs status=401 ",
    "method=GET path=/healthz status=400 ",
    "method=- path=- status=408 ",
  };
  g_autoptr(RlTestResponse) metrics = NULL;
  g_autofree char *log = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
      g_autoptr(RlTestRawAnswer) answer = NULL;

      if (cases[i])
        g_assert_true (rl_test_raw_send (raw, cases[i], -1));
      answer = rl_test_raw_answer (raw, (HANDSHAKE_TIMEOUT_S + 2) * 1000);
      g_assert_nonnull (answer);
      g_assert_true (rl_test_raw_closed_within (raw, ANSWER_TIMEOUT_MS));
    }

  g_assert_true (g_file_get_contents (f->server->stderr_path, &log, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    if (strstr (log, lines[i]) == NULL)
      g_error ("no “%s” in the access log:\n%s", lines[i], log);

  metrics = rl_test_http (f->server, "GET", "/metrics", f->admin, NULL, NULL);
  g_assert_cmpuint (metrics->status, ==, 200);
  text = g_strndup (g_bytes_get_data (metrics->body, NULL), g_bytes_get_size (metrics->body));
  g_assert_nonnull (strstr (text, "\nredline_requests_refused_total{transport=\"http\",code=\"unauthorized\"} 1\n"));
  g_assert_nonnull (strstr (text, "\nredline_requests_refused_total{transport=\"http\",code=\"bad-request\"} 2\n"));
}

/* ---- lengths that lie ------------------------------------------------------------------------ */

/* A Content-Length shorter than what follows: the rest is the next request,
 * answered when it is one, refused and closed when it is garbage. */
static void
test_length_shorter_than_body (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *upload = request_head ("POST", "/api/v1/docs?title=Notes", f->member,
                                          "Content-Type: text/plain\r\nContent-Length: 5\r\n");
  g_autofree char *next = request_head ("GET", "/healthz", NULL, NULL);
  g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
  g_autoptr(RlTestRawAnswer) created = NULL;
  g_autoptr(RlTestRawAnswer) health = NULL;
  g_autoptr(RlTestRawAnswer) garbage = NULL;
  g_autofree char *bytes = g_strconcat (upload, "hello", next, upload, "hello", "garbage garbage\r\n\r\n", NULL);

  g_assert_true (rl_test_raw_send (raw, bytes, -1));
  created = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
  g_assert_nonnull (created);
  g_assert_cmpuint (created->status, ==, 201);
  health = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
  g_assert_nonnull (health);
  g_assert_cmpuint (health->status, ==, 200);
  g_clear_pointer (&created, rl_test_raw_answer_free);
  created = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
  g_assert_nonnull (created);
  g_assert_cmpuint (created->status, ==, 201);
  garbage = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
  g_assert_nonnull (garbage);
  g_assert_cmpuint (garbage->status, ==, 400);
  g_assert_true (rl_test_raw_closed_within (raw, ANSWER_TIMEOUT_MS));
  g_assert_cmpuint (doc_count (f), ==, 3);
}

/* A Content-Length longer than what comes: the body clock runs out, 408,
 * and the connection is closed; nothing is stored. */
static void
test_length_longer_than_body (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *upload = request_head ("POST", "/api/v1/docs?title=Notes", f->member,
                                          "Content-Type: text/plain\r\nContent-Length: 1000\r\n");
  g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
  g_autoptr(RlTestRawAnswer) answer = NULL;
  gint64 start;

  g_assert_true (rl_test_raw_send (raw, upload, -1));
  g_assert_true (rl_test_raw_send (raw, "only ten b", -1));
  start = g_get_monotonic_time ();
  answer = rl_test_raw_answer (raw, (BODY_TIMEOUT_S + 3) * 1000);
  g_assert_nonnull (answer);
  g_assert_cmpuint (answer->status, ==, 408);
  g_assert_cmpstr (answer_code (answer), ==, "bad-request");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, (BODY_TIMEOUT_S * 1000 - 100) * 1000);
  g_assert_true (rl_test_raw_closed_within (raw, ANSWER_TIMEOUT_MS));
  g_assert_cmpuint (doc_count (f), ==, 1);
}

/* The body clock is per chunk, not for the whole body: a slow upload whose
 * bytes keep coming is taken. */
static void
test_slow_body_kept (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *upload = request_head ("POST", "/api/v1/docs?title=Slow", f->member,
                                          "Content-Type: text/plain\r\nContent-Length: 8\r\n");
  g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
  g_autoptr(RlTestRawAnswer) answer = NULL;
  const char *pieces[] = { "sl", "ow", " b", "ut" };

  g_assert_true (rl_test_raw_send (raw, upload, -1));
  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      /* The pace under test: the whole body takes longer than the timeout. */
      g_usleep (BODY_TIMEOUT_S * G_USEC_PER_SEC * 3 / 5);
      g_assert_true (rl_test_raw_send (raw, pieces[i], -1));
    }
  answer = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
  g_assert_nonnull (answer);
  g_assert_cmpuint (answer->status, ==, 201);
  g_assert_cmpuint (doc_count (f), ==, 2);
}

/* ---- slow and idle connections ----------------------------------------------------------- */

/* Headers trickled a byte a second: 408 when the head is not in by the
 * timeout, and the server answers others all the while. */
static void
test_headers_trickled (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *head = request_head ("GET", "/api/v1/docs", f->member, NULL);
  g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
  g_autoptr(RlTestRawAnswer) answer = NULL;
  gint64 start = g_get_monotonic_time ();
  gsize i;

  for (i = 0; head[i] != '\0'; i++)
    {
      if (!rl_test_raw_send (raw, head + i, 1) || rl_test_raw_read_some (raw, g_get_monotonic_time () + G_USEC_PER_SEC))
        break;
      assert_healthy (f);
    }
  g_assert_cmpuint (i, <, strlen (head));
  answer = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
  g_assert_nonnull (answer);
  g_assert_cmpuint (answer->status, ==, 408);
  g_assert_cmpstr (answer_code (answer), ==, "bad-request");
  g_assert_cmpint (g_get_monotonic_time () - start, <, (HANDSHAKE_TIMEOUT_S + 2) * G_USEC_PER_SEC);
  g_assert_true (rl_test_raw_closed_within (raw, ANSWER_TIMEOUT_MS));
}

/* libsoup 3.2 never lets go of a kept-alive connection whose client leaves
 * between requests: each one was an open descriptor for good. And a
 * connection left idle is closed by the server. */
static void
test_idle_connections_closed (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *health = request_head ("GET", "/healthz", NULL, NULL);
  guint baseline = rl_test_server_open_fds (f->server);
  gint64 start;

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
      g_autoptr(RlTestRawAnswer) answer = NULL;

      g_assert_true (rl_test_raw_send (raw, health, -1));
      answer = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
      g_assert_nonnull (answer);
      g_assert_cmpuint (answer->status, ==, 200);
    }
  /* Well before the idle timeout. */
  start = g_get_monotonic_time ();
  while (rl_test_server_open_fds (f->server) > baseline &&
         g_get_monotonic_time () - start < HANDSHAKE_TIMEOUT_S * G_USEC_PER_SEC / 2)
    g_usleep (20 * 1000);
  g_assert_cmpuint (rl_test_server_open_fds (f->server), <=, baseline);

  {
    g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
    g_autoptr(RlTestRawAnswer) answer = NULL;

    g_assert_true (rl_test_raw_send (raw, health, -1));
    answer = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
    g_assert_nonnull (answer);
    g_assert_cmpuint (answer->status, ==, 200);
    start = g_get_monotonic_time ();
    g_assert_true (rl_test_raw_closed_within (raw, (HANDSHAKE_TIMEOUT_S + 2) * 1000));
    g_assert_cmpint (g_get_monotonic_time () - start, >=, (HANDSHAKE_TIMEOUT_S * 1000 - 100) * 1000);
  }
}

/* A client that stops reading an answer holds it no longer than the body
 * timeout: the server cuts the connection and lets the answer go. */
static void
test_reader_that_stops (Fixture       *f,
                        gconstpointer  data)
{
  const gsize size = 24 * MIB;   /* more than the sockets' buffers hold */
  g_autofree char *text = g_malloc (size);
  g_autofree char *doc = NULL;
  g_autofree char *path = NULL;
  g_autofree char *head = NULL;
  g_autoptr(RlTestRaw) raw = NULL;
  gsize received = 0;
  gint64 start;

  memset (text, 'a', size);
  doc = rl_test_add_doc_bytes (f->server, "acme", "Long", ".txt", text, (gssize) size);
  path = g_strdup_printf ("/api/v1/docs/%s/content", doc);
  head = request_head ("GET", path, f->member, NULL);
  raw = rl_test_raw_connect (f->server, 0);
  g_assert_true (rl_test_raw_send (raw, head, -1));
  /* The pace under test: a client that does not read. */
  g_usleep ((BODY_TIMEOUT_S + 1) * G_USEC_PER_SEC);
  start = g_get_monotonic_time ();
  while (!raw->closed)
    {
      g_assert_true (rl_test_raw_read_some (raw, start + ANSWER_TIMEOUT_MS * 1000));
      received += raw->in->len;
      g_byte_array_set_size (raw->in, 0);
    }
  g_test_message ("%" G_GSIZE_FORMAT " KiB of %" G_GSIZE_FORMAT " received before the cut", received / 1024, size / 1024);
  g_assert_cmpuint (received, <, size);
  assert_healthy (f);
}

/* A WebSocket handshake that never completes, and a connection that says
 * nothing, get 408 at the handshake timeout and are closed. */
static void
test_handshake_timeout (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *ws = websocket_head (f->member);
  g_autoptr(RlTestRaw) partial = rl_test_raw_connect (f->server, 0);
  g_autoptr(RlTestRaw) silent = rl_test_raw_connect (f->server, 0);
  RlTestRaw *both[] = { partial, silent };
  gint64 start = g_get_monotonic_time ();

  g_assert_true (rl_test_raw_send (partial, ws, (gssize) strlen (ws) / 2));
  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      g_autoptr(RlTestRawAnswer) answer = rl_test_raw_answer (both[i], (HANDSHAKE_TIMEOUT_S + 2) * 1000);

      g_assert_nonnull (answer);
      g_assert_cmpuint (answer->status, ==, 408);
      g_assert_cmpstr (answer_code (answer), ==, "bad-request");
      g_assert_true (rl_test_raw_closed_within (both[i], ANSWER_TIMEOUT_MS));
    }
  g_assert_cmpint (g_get_monotonic_time () - start, >=, (HANDSHAKE_TIMEOUT_S * 1000 - 100) * 1000);

  /* Completed in time, the handshake is what it always was. */
  {
    g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->member);
  }
}

/* Over TLS: a client that never starts its handshake is closed at the
 * timeout (nothing can be said to it), one that stops in its request head
 * is answered 408 through TLS, and one that leaves between requests with a
 * close_notify — which libsoup 3.2 reads as a request and then forgets —
 * gives its descriptor back within the timeout. */
static GIOStream *
tls_connect (Fixture    *f,
             const char *cert)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("127.0.0.1", (guint16) f->server->port);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) f->server->port, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), HANDSHAKE_TIMEOUT_S + 3);
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, &error);
  g_assert_no_error (error);
  database = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  /* The server shuts its side without a close_notify once it has answered. */
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  return tls;
}

/* Everything until the end of the stream (or the socket's timeout). */
static char *
tls_read_all (GIOStream *tls)
{
  g_autoptr(GByteArray) all = g_byte_array_new ();
  char buffer[4096];
  gssize n;

  while ((n = g_input_stream_read (g_io_stream_get_input_stream (tls), buffer, sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (all, (const guint8 *) buffer, (guint) n);
  g_byte_array_append (all, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&all), FALSE);
}

static void
test_tls_timeouts (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *cert = g_build_filename (f->server->dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (f->server->dir, "key.pem", NULL);
  g_autofree char *head = request_head ("GET", "/api/v1/docs", f->member, NULL);
  g_autofree char *health = request_head ("GET", "/healthz", NULL, NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                         "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                         "-addext", "subjectAltName=IP:127.0.0.1", NULL };
  int status = 0;
  guint baseline;
  gint64 start;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  rl_test_server_stop (f->server);
  f->server->tls_cert = g_strdup (cert);
  f->server->tls_key = g_strdup (key);
  /* As in test-server-api: LeakSanitizer's tracer crashes on the threads
   * GnuTLS leaves at exit. */
  f->server->no_leak_check = TRUE;
  rl_test_server_start (f->server);
  baseline = rl_test_server_open_fds (f->server);

  {
    g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);

    start = g_get_monotonic_time ();
    g_assert_true (rl_test_raw_closed_within (raw, (HANDSHAKE_TIMEOUT_S + 2) * 1000));
    g_assert_cmpint (g_get_monotonic_time () - start, >=, (HANDSHAKE_TIMEOUT_S * 1000 - 100) * 1000);
  }
  {
    g_autoptr(GIOStream) tls = tls_connect (f, cert);
    g_autofree char *answer = NULL;

    g_output_stream_write_all (g_io_stream_get_output_stream (tls), head, strlen (head) / 2, NULL, NULL, &error);
    g_assert_no_error (error);
    answer = tls_read_all (tls);
    g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 408 "));
    g_assert_nonnull (strstr (answer, "\"bad-request\""));
  }

  {
    for (guint i = 0; i < 5; i++)
      {
        g_autoptr(GIOStream) other = tls_connect (f, cert);
        g_autoptr(GString) answer = g_string_new (NULL);
        char buffer[4096];

        g_output_stream_write_all (g_io_stream_get_output_stream (other), health, strlen (health), NULL, NULL, &error);
        g_assert_no_error (error);
        while (!g_str_has_suffix (answer->str, "\r\n\r\nok"))
          {
            gssize n = g_input_stream_read (g_io_stream_get_input_stream (other), buffer, sizeof buffer, NULL, &error);

            g_assert_no_error (error);
            g_assert_cmpint (n, >, 0);
            g_string_append_len (answer, buffer, n);
          }
        g_assert_true (g_str_has_prefix (answer->str, "HTTP/1.1 200 "));
        g_io_stream_close (other, NULL, NULL);
      }
    start = g_get_monotonic_time ();
    while (rl_test_server_open_fds (f->server) > baseline &&
           g_get_monotonic_time () - start < (HANDSHAKE_TIMEOUT_S + 2) * G_USEC_PER_SEC)
      g_usleep (50 * 1000);
    g_test_message ("descriptors back after %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
    g_assert_cmpuint (rl_test_server_open_fds (f->server), <=, baseline);
  }
}

/* ---- connection limits ----------------------------------------------------------------------- */

/* Whether raw is answered 429 (and closed) within ms. */
static gboolean
raw_is_refused (RlTestRaw *raw,
                guint      ms)
{
  g_autoptr(RlTestRawAnswer) answer = rl_test_raw_answer (raw, ms);

  if (answer == NULL)
    return FALSE;
  g_assert_cmpuint (answer->status, ==, 429);
  g_assert_cmpstr (answer_code (answer), ==, "rate-limited");
  g_assert_true (rl_test_raw_closed_within (raw, ANSWER_TIMEOUT_MS));
  return TRUE;
}

/* Four connections that have not authenticated fill an address: a fifth
 * is answered 429 at once (before it says anything) and closed, WebSocket
 * or not; one that authenticates, or goes, frees its place. */
static void
test_unauthenticated_per_address (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *docs = request_head ("GET", "/api/v1/docs", f->member, NULL);
  g_autofree char *health = request_head ("GET", "/healthz", NULL, NULL);
  g_autoptr(GPtrArray) waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_test_raw_free);
  guint status = 0;

  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (waiting, rl_test_raw_connect (f->server, 0));
  /* Answered in the order the server accepted them: the first four are
   * the server's before the fifth. */
  {
    g_autoptr(RlTestRaw) fifth = rl_test_raw_connect (f->server, 0);

    g_assert_true (raw_is_refused (fifth, ANSWER_TIMEOUT_MS));
  }
  g_assert_null (rl_test_client_try (f->server, f->member, &status));
  g_assert_cmpuint (status, ==, 429);
  for (guint i = 0; i < waiting->len; i++)
    g_assert_null (rl_test_raw_answer (g_ptr_array_index (waiting, i), 0));

  /* One authenticates: it no longer counts, and a WebSocket gets in. */
  {
    RlTestRaw *first = g_ptr_array_index (waiting, 0);
    g_autoptr(RlTestRawAnswer) answer = NULL;
    g_autoptr(RlTestClient) client = NULL;

    g_assert_true (rl_test_raw_send (first, docs, -1));
    answer = rl_test_raw_answer (first, ANSWER_TIMEOUT_MS);
    g_assert_nonnull (answer);
    g_assert_cmpuint (answer->status, ==, 200);
    client = rl_test_client_new (f->server, f->member);
  }
  /* The place is taken again by a connection without a token, answered
   * or not. */
  {
    g_autoptr(RlTestRaw) over = NULL;
    g_autoptr(RlTestRawAnswer) answer = NULL;

    g_ptr_array_add (waiting, rl_test_raw_connect (f->server, 0));
    over = rl_test_raw_connect (f->server, 0);
    g_assert_true (raw_is_refused (over, ANSWER_TIMEOUT_MS));
    g_assert_true (rl_test_raw_send (g_ptr_array_index (waiting, 4), health, -1));
    answer = rl_test_raw_answer (g_ptr_array_index (waiting, 4), ANSWER_TIMEOUT_MS);
    g_assert_nonnull (answer);
    g_assert_cmpuint (answer->status, ==, 200);
  }
  /* Two go away: two places, not more. */
  g_ptr_array_remove_range (waiting, 1, 2);
  {
    g_autoptr(RlTestRaw) one = NULL;
    g_autoptr(RlTestRaw) two = NULL;
    g_autoptr(RlTestRaw) three = NULL;
    gint64 start = g_get_monotonic_time ();

    /* The server sees them go on its next turn. */
    for (;;)
      {
        g_autoptr(RlTestRaw) probe = rl_test_raw_connect (f->server, 0);

        if (!raw_is_refused (probe, 500))
          {
            one = g_steal_pointer (&probe);
            break;
          }
        g_assert_cmpint (g_get_monotonic_time () - start, <, ANSWER_TIMEOUT_MS * 1000);
      }
    two = rl_test_raw_connect (f->server, 0);
    three = rl_test_raw_connect (f->server, 0);
    g_assert_false (raw_is_refused (two, 500));
    g_assert_true (raw_is_refused (three, ANSWER_TIMEOUT_MS));
  }
}

/* A user's WebSockets are capped: one more is refused with 429 before the
 * upgrade; another user is not affected, and a closed one frees its place. */
static void
test_sockets_per_user (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_test_client_free);
  g_autofree char *ws = websocket_head (f->member);
  g_autoptr(RlTestClient) admin = NULL;
  g_autoptr(RlTestClient) again = NULL;
  gint64 start;
  guint status = 0;

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (clients, rl_test_client_new (f->server, f->member));
  g_assert_null (rl_test_client_try (f->server, f->member, &status));
  g_assert_cmpuint (status, ==, 429);
  {
    g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
    g_autoptr(RlTestRawAnswer) answer = NULL;

    g_assert_true (rl_test_raw_send (raw, ws, -1));
    answer = rl_test_raw_answer (raw, ANSWER_TIMEOUT_MS);
    g_assert_nonnull (answer);
    g_assert_cmpuint (answer->status, ==, 429);
    g_assert_cmpstr (answer_code (answer), ==, "rate-limited");
  }
  admin = rl_test_client_new (f->server, f->admin);

  /* The open ones work as ever. */
  for (guint i = 0; i < clients->len; i++)
    {
      g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (g_ptr_array_index (clients, i), f->doc);
    }

  g_ptr_array_remove_index (clients, 0);
  start = g_get_monotonic_time ();
  while ((again = rl_test_client_try (f->server, f->member, &status)) == NULL)
    {
      g_assert_cmpuint (status, ==, 429);
      g_assert_cmpint (g_get_monotonic_time () - start, <, ANSWER_TIMEOUT_MS * 1000);
      g_usleep (20 * 1000);
    }
  g_assert_null (rl_test_client_try (f->server, f->member, &status));
  g_assert_cmpuint (status, ==, 429);
}

/* The limits' options refuse nonsense with a usage error (exit 2). */
/* A storm of clients past the server's descriptor limit: libsoup 3.2's
 * listener stops for good when an accept fails. Once the clients are gone
 * the server accepts again, and says in its log what happened. */
static void
test_out_of_descriptors (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) flood = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_test_raw_free);
  g_autofree char *head = request_head ("GET", "/api/v1/docs", f->member, NULL);
  g_autofree char *log = NULL;

  rl_test_server_stop (f->server);
  f->server->max_descriptors = 96;
  rl_test_server_start (f->server);

  /* More connections than it has descriptors: the last ones wait in the
   * backlog, and an accept failed for want of a descriptor. */
  for (guint i = 0; i < 150; i++)
    g_ptr_array_add (flood, rl_test_raw_connect (f->server, 0));
  for (gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
       rl_test_server_open_fds (f->server) < f->server->max_descriptors - 2 && g_get_monotonic_time () < until;)
    g_usleep (20000);
  g_assert_cmpuint (rl_test_server_open_fds (f->server), >=, f->server->max_descriptors - 2);
  /* It says so while they wait (a slow build reaches its limit later than
   * the count above does). */
  for (gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
       g_get_monotonic_time () < until; g_usleep (50000))
    {
      g_clear_pointer (&log, g_free);
      if (g_file_get_contents (f->server->stderr_path, &log, NULL, NULL) && strstr (log, "out of file descriptors?"))
        break;
    }
  g_ptr_array_set_size (flood, 0);

  {
    g_autoptr(RlTestRaw) raw = rl_test_raw_connect (f->server, 0);
    g_autoptr(RlTestRawAnswer) answer = NULL;

    g_assert_true (rl_test_raw_send (raw, head, -1));
    answer = rl_test_raw_answer (raw, 10000);
    g_assert_nonnull (answer);
    g_assert_cmpuint (answer->status, ==, 200);
  }
  g_clear_pointer (&log, g_free);
  g_assert_true (g_file_get_contents (f->server->stderr_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "out of file descriptors?"));
}

static void
test_limit_options (Fixture       *f,
                    gconstpointer  data)
{
  const char *bad[] = { "--handshake-timeout=0", "--handshake-timeout=301", "--body-timeout=0",
                        "--max-sockets-per-user=0", "--max-sockets-per-user=many",
                        "--max-unauthenticated-per-address=-1" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (rl_test_server_admin_status (f->server, &err, "serve", "--listen", "127.0.0.1:0",
                                                    bad[i], NULL), ==, 2);
      g_assert_nonnull (strstr (err, "takes"));
    }
}

int
main (int    argc,
      char **argv)
{
  static const char * const address_cap[] = { "--handshake-timeout=60", "--max-unauthenticated-per-address=4", NULL };
  static const char * const user_cap[] = { "--max-sockets-per-user=3", NULL };

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, options) \
  g_test_add (path, Fixture, options, fixture_setup, func, fixture_teardown)

  for (guint i = 0; i < G_N_ELEMENTS (refused_bodies); i++)
    g_test_add (refused_bodies[i].path, Fixture, &refused_bodies[i], fixture_setup_refused_body, test_refused_body,
                fixture_teardown);
  ADD ("/server/hostile/upload-limit-exact", test_upload_limit_exact, NULL);
  ADD ("/server/hostile/upload-checked-aside", test_upload_checked_aside, NULL);
  ADD ("/server/hostile/body-where-none-is-taken", test_body_where_none_is_taken, NULL);
  ADD ("/server/hostile/refusals-logged-and-counted", test_refusals_logged_and_counted, NULL);
  ADD ("/server/hostile/length-shorter-than-body", test_length_shorter_than_body, NULL);
  ADD ("/server/hostile/length-longer-than-body", test_length_longer_than_body, NULL);
  ADD ("/server/hostile/slow-body-kept", test_slow_body_kept, NULL);
  ADD ("/server/hostile/headers-trickled", test_headers_trickled, NULL);
  ADD ("/server/hostile/idle-connections-closed", test_idle_connections_closed, NULL);
  ADD ("/server/hostile/reader-that-stops", test_reader_that_stops, NULL);
  ADD ("/server/limits/handshake-timeout", test_handshake_timeout, NULL);
  ADD ("/server/limits/tls-timeouts", test_tls_timeouts, NULL);
  ADD ("/server/limits/unauthenticated-per-address", test_unauthenticated_per_address, address_cap);
  ADD ("/server/limits/sockets-per-user", test_sockets_per_user, user_cap);
  ADD ("/server/limits/options", test_limit_options, NULL);
  ADD ("/server/limits/out-of-descriptors", test_out_of_descriptors, NULL);

  return g_test_run ();
}
