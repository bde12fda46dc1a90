/* test-server-fanout.c — the fan-out path against the real server, seen from
 * a subscriber that stops reading: what the socket cannot take waits in the
 * server, the bytes that finally arrive are whole frames in order (events
 * and pings never interleave), and one that falls too far behind is closed
 * with 1013 and loses nothing by resubscribing with since
 *
 * The slow subscriber is a raw socket with a tiny receive buffer, so that
 * the kernel holds almost nothing for it and every frame is read and checked
 * byte by byte here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-test-server.h"

/* The server's kernel send buffer grows to megabytes on loopback: the
 * events must be more than it holds (16 KB each: 4000 four-byte characters),
 * from two writers so no connection passes the mutation burst. */
#define N_WRITERS  2
#define PER_WRITER 180
#define N_EVENTS   (N_WRITERS * PER_WRITER)
#define BODY_CHARS 4000
#define BODY_BYTES (BODY_CHARS * 4)

/* Alice and the image "Mockup", the server started with the test's data
 * as its extra serve option (rl-test-server.h). */
typedef RlTestImageFixture Fixture;

/* ---- a raw WebSocket client (rl-test-server.h's) ---------------------------- */

/* The readers' receive buffer: tiny (set before connecting, so the window
 * offered stays small). */
#define SMALL_WINDOW 4096

/* The next frame, checked the way a strict client would: final, no
 * extension bits, a known opcode, and the stream never reset. FALSE at its
 * end, which must be an orderly one with no frame cut in half. */
static gboolean
raw_next_frame (RlTestRaw      *raw,
                RlTestRawFrame *frame)
{
  guint8 opcode;

  if (!rl_test_raw_ws_next (raw, frame))
    {
      g_assert_false (raw->reset);
      g_assert_cmpuint (raw->in->len, ==, 0);      /* no frame cut in half */
      return FALSE;
    }
  g_assert_false (raw->reset);
  g_assert_cmphex (frame->first & 0x80, ==, 0x80);  /* FIN: we never fragment */
  g_assert_cmphex (frame->first & 0x70, ==, 0);     /* no extension bits */
  opcode = frame->first & 0x0f;
  g_assert_true (opcode == 0x1 || opcode == 0x8 || opcode == 0x9);
  return TRUE;
}

static JsonObject *
parse_object (GBytes *payload)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (payload, &length);

  g_assert_true (g_utf8_validate (data, (gssize) length, NULL));
  json_parser_load_from_data (parser, data, (gssize) length, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

typedef struct
{
  gint64  last_seq;          /* of the events seen, in order */
  guint   events;
  guint   pings;
  gint    close_code;        /* -1: none */
  gboolean acked;
} Seen;

/* Takes one event object: seqs must follow each other. */
static void
seen_event (Seen       *seen,
            JsonObject *event)
{
  gint64 seq = json_object_get_int_member (event, "seq");

  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "new-image-chat");
  g_assert_cmpint (seq, ==, seen->last_seq + 1);
  seen->last_seq = seq;
  seen->events++;
}

/* Reads frames until the ack with req (when given), or the end. */
static void
raw_read_until (RlTestRaw  *raw,
                Seen       *seen,
                const char *req)
{
  RlTestRawFrame frame;

  while (raw_next_frame (raw, &frame))
    {
      g_autoptr(GBytes) whole = frame.raw;
      g_autoptr(GBytes) payload = frame.payload;
      g_autoptr(JsonObject) object = NULL;
      const char *type;

      if ((frame.first & 0x0f) == 0x9)
        {
          seen->pings++;
          continue;
        }
      if ((frame.first & 0x0f) == 0x8)
        {
          gsize length;
          const guint8 *p = g_bytes_get_data (payload, &length);

          g_assert_cmpuint (length, >=, 2);
          seen->close_code = p[0] << 8 | p[1];
          g_test_message ("close %d after %u events", seen->close_code, seen->events);
          continue;
        }
      g_assert_cmpint (seen->close_code, ==, -1);       /* nothing after a close */
      object = parse_object (payload);
      type = json_object_get_string_member (object, "type");
      if (g_str_equal (type, "batch"))
        {
          JsonArray *events = json_object_get_array_member (object, "events");

          for (guint i = 0; i < json_array_get_length (events); i++)
            seen_event (seen, json_array_get_object_element (events, i));
        }
      else if (g_str_has_suffix (type, "-image-chat"))
        seen_event (seen, object);
      else if (g_str_equal (type, "ack") && req &&
               g_strcmp0 (json_object_get_string_member (object, "req"), req) == 0)
        {
          g_assert_true (json_object_get_boolean_member (object, "ok"));
          seen->acked = TRUE;
          return;
        }
    }
}

/* ---- the writer ---------------------------------------------------------------- */

typedef struct
{
  RlTestClient *client;
  guint         acked;
} Writer;

/* Reads what came to writer: whether it has had wanted acks by now. */
static gboolean
acked_at_least (Writer *writer,
                guint   wanted)
{
  while (writer->acked < wanted)
    {
      g_autofree char *raw = rl_test_client_next_raw (writer->client, 0);

      if (raw == NULL)
        return FALSE;
      if (strstr (raw, "\"type\":\"ack\""))
        {
          g_assert_nonnull (strstr (raw, "\"ok\":true"));
          writer->acked++;
        }
    }
  return TRUE;
}

static void
writer_wait_acks (Writer *writer,
                  guint   wanted)
{
  RL_TEST_WAIT_UNTIL (acked_at_least (writer, wanted), 30000);
}

/* Sends PER_WRITER markers with long bodies at once (within the burst). */
static void
writer_send_all (Writer     *writer,
                 const char *doc)
{
  g_autoptr(GString) body = g_string_new (NULL);

  for (guint i = 0; i < BODY_CHARS; i++)
    g_string_append (body, "\xf0\x9f\x8e\xa8");   /* U+1F3A8 ARTIST PALETTE */

  for (guint i = 0; i < PER_WRITER; i++)
    {
      g_autofree char *bc = rl_test_uuid ();
      g_autofree char *thread = rl_test_uuid ();
      g_autofree char *comment = rl_test_uuid ();

      rl_test_client_send_printf (writer->client,
                                  "{\"type\":\"create-thread\",\"req\":\"w%u\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                  "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.5,\"y\":0.5}},"
                                  "\"comment\":{\"id\":\"%s\",\"body\":\"%s\"}}",
                                  i, bc, doc, thread, comment, body->str);
    }
}

/* ---- tests ------------------------------------------------------------------------ */

static void
raw_subscribe (RlTestRaw  *raw,
               const char *doc,
               gint64      since)
{
  g_autofree char *text = since < 0
    ? g_strdup_printf ("{\"type\":\"subscribe\",\"req\":\"sub\",\"doc\":\"%s\"}", doc)
    : g_strdup_printf ("{\"type\":\"subscribe\",\"req\":\"sub\",\"doc\":\"%s\",\"since\":%" G_GINT64_FORMAT "}",
                       doc, since);

  rl_test_raw_ws_send_text (raw, text);
}

/* A subscriber that reads nothing for seconds, with pings due meanwhile,
 * then gets every byte: whole frames, events in seq order, pings between
 * frames and never inside one. */
static guint64
kernel_send_buffer_max (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents ("/proc/sys/net/ipv4/tcp_wmem", &text, NULL, NULL));
  fields = g_strsplit_set (g_strstrip (text), " \t", -1);
  return g_ascii_strtoull (fields[g_strv_length (fields) - 1], NULL, 10);
}

static void
writers_start (Writer       *writers,
               RlTestServer *server,
               const char   *token,
               const char   *doc)
{
  for (guint i = 0; i < N_WRITERS; i++)
    {
      writers[i] = (Writer) { rl_test_client_new (server, token), 0 };
      writer_send_all (&writers[i], doc);
    }
}

static void
writers_wait (Writer *writers,
              guint   each)
{
  for (guint i = 0; i < N_WRITERS; i++)
    writer_wait_acks (&writers[i], each);
}

static void
writers_free (Writer *writers)
{
  for (guint i = 0; i < N_WRITERS; i++)
    rl_test_client_free (writers[i].client);
}

static void
test_slow_reader_gets_everything (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(RlTestRaw) slow = rl_test_raw_ws_connect (f->server, f->alice, SMALL_WINDOW, NULL, NULL);
  g_autofree char *unsubscribe = g_strdup_printf ("{\"type\":\"unsubscribe\",\"req\":\"unsub\",\"doc\":\"%s\"}",
                                                  f->image);
  Writer writers[N_WRITERS];
  Seen seen = { .last_seq = 0, .close_code = -1 };

  /* More than the kernel can hold for the subscriber: the rest can only
   * have waited in the server's queue. */
  g_assert_cmpuint ((guint64) N_EVENTS * BODY_BYTES, >, kernel_send_buffer_max () + 256 * 1024);

  raw_subscribe (slow, f->image, -1);
  raw_read_until (slow, &seen, "sub");
  g_assert_true (seen.acked);
  g_assert_cmpuint (seen.events, ==, 0);
  slow->received = 0;

  writers_start (writers, f->server, f->alice, f->image);
  writers_wait (writers, PER_WRITER);
  /* Four more ping intervals while the subscriber still reads nothing: at
   * least two pings are due even on a loaded machine, whose timers run
   * late (2.5 s once saw one). */
  rl_test_run_for (4000);

  seen.acked = FALSE;
  rl_test_raw_ws_send_text (slow, unsubscribe);
  raw_read_until (slow, &seen, "unsub");
  g_assert_true (seen.acked);
  g_assert_cmpuint (seen.events, ==, N_EVENTS);
  g_assert_cmpint (seen.last_seq, ==, N_EVENTS);
  g_assert_cmpint (seen.close_code, ==, -1);
  g_assert_cmpuint (seen.pings, >=, 2);
  g_assert_cmpuint (slow->received, >, (guint64) N_EVENTS * BODY_BYTES);

  writers_free (writers);
}

/* Past the queue limit the subscriber is closed with 1013; the events it had
 * are whole and in order, and a resubscribe with since brings the rest. */
static void
test_too_far_behind_is_closed (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(RlTestRaw) slow = rl_test_raw_ws_connect (f->server, f->alice, SMALL_WINDOW, NULL, NULL);
  g_autoptr(RlTestRaw) again = NULL;
  Writer writers[N_WRITERS];
  Seen seen = { .last_seq = 0, .close_code = -1 };
  Seen rest;

  raw_subscribe (slow, f->image, -1);
  raw_read_until (slow, &seen, "sub");
  g_assert_true (seen.acked);

  writers_start (writers, f->server, f->alice, f->image);
  writers_wait (writers, PER_WRITER);

  /* The subscriber is closed (policy: too far behind) but first gets, whole
   * and in order, what was queued for it; then the link ends. */
  raw_read_until (slow, &seen, NULL);
  g_assert_cmpint (seen.close_code, ==, 1008);
  g_assert_cmpuint (seen.events, >, 0);
  g_assert_cmpuint (seen.events, <, N_EVENTS);

  /* /metrics counted the one subscriber it dropped. */
  {
    g_autofree char *admin = rl_test_add_user (f->server, "acme", "Ada", "admin");
    g_autoptr(RlTestResponse) metrics = rl_test_http (f->server, "GET", "/metrics", admin, NULL, NULL);
    g_autofree char *text = g_strndup (g_bytes_get_data (metrics->body, NULL), g_bytes_get_size (metrics->body));

    g_assert_cmpuint (metrics->status, ==, 200);
    g_assert_nonnull (strstr (text, "\nredline_send_queue_drops_total 1\n"));
  }

  again = rl_test_raw_ws_connect (f->server, f->alice, SMALL_WINDOW, NULL, NULL);
  rest = (Seen) { .last_seq = seen.last_seq, .close_code = -1 };
  raw_subscribe (again, f->image, seen.last_seq);
  raw_read_until (again, &rest, "sub");
  g_assert_true (rest.acked);
  g_assert_cmpint (rest.last_seq, ==, N_EVENTS);
  g_assert_cmpuint (seen.events + rest.events, ==, N_EVENTS);

  writers_free (writers);
}

/* The WebSocket lives at exactly RL_WS_PATH: a longer path is not it, even
 * though handlers match by prefix. */
static void
test_only_the_ws_path (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RlTestResponse) longer = rl_test_http (f->server, "GET", "/api/v1/ws/api/v1/ws", f->alice, NULL, NULL);
  g_autoptr(RlTestResponse) plain = rl_test_http (f->server, "GET", "/api/v1/ws", f->alice, NULL, NULL);
  guint status = 0;
  g_autoptr(RlTestClient) client = NULL;

  g_assert_cmpuint (longer->status, ==, 404);
  g_assert_cmpstr (rl_test_response_error_code (longer), ==, "not-found");
  /* Not an upgrade: refused by the handshake check. */
  g_assert_cmpuint (plain->status, ==, 400);
  client = rl_test_client_try (f->server, f->alice, &status);
  g_assert_nonnull (client);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/fanout/slow-reader-gets-everything", Fixture, "--ping-interval=1",
              rl_test_image_fixture_setup, test_slow_reader_gets_everything, rl_test_image_fixture_teardown);
  g_test_add ("/server/fanout/too-far-behind-is-closed", Fixture, "--send-queue-limit=65536",
              rl_test_image_fixture_setup, test_too_far_behind_is_closed, rl_test_image_fixture_teardown);

  g_test_add ("/server/fanout/only-the-ws-path", Fixture, NULL,
              rl_test_image_fixture_setup, test_only_the_ws_path, rl_test_image_fixture_teardown);

  return g_test_run ();
}
