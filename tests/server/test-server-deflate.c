/* test-server-deflate.c — permessage-deflate (RFC 7692) against the real
 * server, from raw clients that read every byte: the answer to an offer
 * (server_no_context_takeover always; an offer it cannot honour declined,
 * never refused), shared frames compressed once (RSV1, byte-identical for
 * every compressing subscriber, inflating to exactly what a plain
 * subscriber of the same room gets), what a client sends compressed, and a
 * compression bomb closed with 1009 before it is inflated
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <zlib.h>

#include "rl-test-server.h"

#define OFFER "permessage-deflate; client_max_window_bits"
/* A 140-character comment. */
#define BODY  "The header’s spacing is off by four pixels against the grid; align it with the card below and keep the 24 px rhythm throughout, please ok?"

/* Alice and the image "Mockup", the server started (rl-test-server.h). */
typedef RlTestImageFixture Fixture;

/* ---- on the raw WebSocket client (rl-test-server.h) ----------------------------- */

/* The value of the answer's Sec-WebSocket-Extensions, or NULL. */
static char *
answer_extensions (const char *head)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);

  for (guint i = 0; lines[i]; i++)
    if (g_ascii_strncasecmp (lines[i], "Sec-WebSocket-Extensions:", 25) == 0)
      return g_strstrip (g_strdup (lines[i] + 25));
  return NULL;
}

/* Raw deflate of data, flushed, its 00 00 ff ff removed (RFC 7692 §7.2.1). */
static GBytes *
deflate_message (const guint8 *data,
          gsize         length)
{
  z_stream stream = { 0 };
  gsize size = compressBound (length) + 64;
  guint8 *out = g_malloc (size);

  g_assert_cmpint (deflateInit2 (&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), ==, Z_OK);
  stream.next_in = (Bytef *) data;
  stream.avail_in = (uInt) length;
  stream.next_out = out;
  stream.avail_out = (uInt) size;
  g_assert_cmpint (deflate (&stream, Z_SYNC_FLUSH), ==, Z_OK);
  g_assert_cmpuint (stream.avail_in, ==, 0);
  size -= stream.avail_out;
  deflateEnd (&stream);
  g_assert_cmpmem (out + size - 4, 4, "\x00\x00\xff\xff", 4);
  return g_bytes_new_take (out, size - 4);
}

/* A message inflated alone, as a client of a server_no_context_takeover
 * server may: a fresh inflater, the tail put back. */
static char *
inflate_alone (GBytes *payload)
{
  z_stream stream = { 0 };
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  gsize length;
  const guint8 *data = g_bytes_get_data (payload, &length);
  guint8 chunk[4096];
  int result;

  g_byte_array_append (in, data, (guint) length);
  g_byte_array_append (in, (const guint8 *) "\x00\x00\xff\xff", 4);
  g_assert_cmpint (inflateInit2 (&stream, -15), ==, Z_OK);
  stream.next_in = in->data;
  stream.avail_in = in->len;
  do
    {
      stream.next_out = chunk;
      stream.avail_out = sizeof chunk;
      result = inflate (&stream, Z_SYNC_FLUSH);
      g_assert_true (result == Z_OK || result == Z_BUF_ERROR);
      g_string_append_len (out, (const char *) chunk, (gssize) (sizeof chunk - stream.avail_out));
    }
  while (stream.avail_in > 0 || stream.avail_out == 0);
  inflateEnd (&stream);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The server compresses a message for a connection that negotiated
 * permessage-deflate when it is at least this long; shorter ones (acks,
 * presence) go plain, RSV1 clear (RFC 7692 §6: chosen per message). The
 * server's RL_OUTBOX_DEFLATE_MIN_BYTES. */
#define DEFLATE_MIN_BYTES 128

/* The next data frame's text, inflated when compressed; on a connection
 * that negotiated deflate, asserts RSV1 is set exactly on the messages
 * long enough to be worth it, and never set on one that did not. The frame
 * itself in *raw_frame. */
static char *
next_text (RlTestRaw *raw,
           gboolean   negotiated,
           GBytes   **raw_frame)
{
  RlTestRawFrame frame = { 0 };
  gboolean compressed;
  char *text;

  for (;;)
    {
      g_assert_true (rl_test_raw_ws_next (raw, &frame));
      if ((frame.first & 0x0f) == 0x1)
        break;
      g_assert_cmphex (frame.first & 0x0f, ==, 0x9);   /* only a ping may come between */
      rl_test_raw_frame_clear (&frame);
    }
  g_assert_cmphex (frame.first & 0x80, ==, 0x80);
  g_assert_cmphex (frame.first & 0x30, ==, 0);
  compressed = (frame.first & 0x40) != 0;
  g_assert_true (negotiated || !compressed);
  if (compressed)
    text = inflate_alone (frame.payload);
  else
    text = g_strndup (g_bytes_get_data (frame.payload, NULL), g_bytes_get_size (frame.payload));
  if (negotiated)
    g_assert_cmpint (compressed, ==, strlen (text) >= DEFLATE_MIN_BYTES);
  if (raw_frame)
    *raw_frame = g_bytes_ref (frame.raw);
  rl_test_raw_frame_clear (&frame);
  return text;
}

/* The first data frame whose text holds needle (its raw frame too). */
static char *
text_with (RlTestRaw   *raw,
           gboolean     negotiated,
           const char  *needle,
           GBytes     **raw_frame)
{
  for (;;)
    {
      g_autoptr(GBytes) frame = NULL;
      char *text = next_text (raw, negotiated, &frame);

      if (strstr (text, needle))
        {
          *raw_frame = g_steal_pointer (&frame);
          return text;
        }
      g_free (text);
    }
}

static void
send_text (RlTestRaw  *raw,
           gboolean    compressed,
           const char *text)
{
  if (compressed)
    {
      g_autoptr(GBytes) payload = deflate_message ((const guint8 *) text, strlen (text));

      rl_test_raw_ws_send (raw, 0x1, TRUE, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
    }
  else
    rl_test_raw_ws_send (raw, 0x1, FALSE, (const guint8 *) text, strlen (text));
}

/* The close code of the close frame that comes before the end. */
static gushort
close_code (RlTestRaw *raw)
{
  RlTestRawFrame frame = { 0 };
  gushort code = 0;

  while (rl_test_raw_ws_next (raw, &frame))
    {
      if ((frame.first & 0x0f) == 0x8)
        {
          const guint8 *p = g_bytes_get_data (frame.payload, NULL);

          g_assert_cmpuint (g_bytes_get_size (frame.payload), >=, 2);
          code = (gushort) (p[0] << 8 | p[1]);
        }
      rl_test_raw_frame_clear (&frame);
      if (code)
        break;
    }
  return code;
}

/* ---- tests ------------------------------------------------------------------------ */

/* The answer carries the extension with server_no_context_takeover; even
 * the welcome (sent by libsoup on the connection) comes compressed. */
static void
test_negotiated (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *head = NULL;
  g_autoptr(RlTestRaw) raw = rl_test_raw_ws_connect (f->server, f->alice, 0, OFFER, &head);
  g_autofree char *extensions = answer_extensions (head);
  g_autofree char *welcome = NULL;

  g_assert_cmpstr (extensions, ==, "permessage-deflate; server_no_context_takeover");
  welcome = next_text (raw, TRUE, NULL);
  g_assert_true (g_str_has_prefix (welcome, "{\"type\":\"welcome\""));
}

/* Offers the server cannot honour are declined (the connection goes on,
 * plain); of several offers the first it can honour is the one taken. */
static void
test_offers (Fixture       *f,
             gconstpointer  data)
{
  static const struct { const char *offer; const char *answer; } cases[] = {
    { "permessage-deflate; server_max_window_bits=10", NULL },
    { "permessage-deflate; server_max_window_bits=16", NULL },
    { "permessage-deflate; client_max_window_bits=20", NULL },
    { "permessage-deflate; server_no_context_takeover=1", NULL },
    { "permessage-deflate; frobnicate", NULL },
    { "permessage-deflate; client_no_context_takeover; client_no_context_takeover", NULL },
    { "x-webkit-deflate-frame", NULL },
    { "permessage-deflate; server_max_window_bits=10, permessage-deflate; client_no_context_takeover",
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover" },
    { "permessage-deflate; server_no_context_takeover; server_max_window_bits=15",
      "permessage-deflate; server_no_context_takeover; server_max_window_bits=15" },
    { "permessage-deflate; client_max_window_bits=9", "permessage-deflate; server_no_context_takeover" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *head = NULL;
      g_autoptr(RlTestRaw) raw = rl_test_raw_ws_connect (f->server, f->alice, 0, cases[i].offer, &head);
      g_autofree char *extensions = answer_extensions (head);
      g_autofree char *welcome = NULL;

      g_test_message ("offer: %s", cases[i].offer);
      g_assert_cmpstr (extensions, ==, cases[i].answer);
      welcome = next_text (raw, cases[i].answer != NULL, NULL);
      g_assert_true (g_str_has_prefix (welcome, "{\"type\":\"welcome\""));
    }
}

/* Two compressing subscribers and a plain one in one room: the event's
 * frame is the same bytes for both compressing ones, RSV1 set, and inflates
 * to exactly the plain one's text; the plain one's frame has no RSV1. One
 * compressing subscriber sends its subscribe compressed; the short acks
 * come back plain. */
static void
test_shared (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *head_a = NULL, *head_b = NULL, *head_c = NULL;
  g_autoptr(RlTestRaw) a = rl_test_raw_ws_connect (f->server, f->alice, 0, OFFER, &head_a);
  g_autoptr(RlTestRaw) b = rl_test_raw_ws_connect (f->server, f->alice, 0, OFFER, &head_b);
  g_autoptr(RlTestRaw) c = rl_test_raw_ws_connect (f->server, f->alice, 0, NULL, &head_c);
  g_autoptr(RlTestClient) writer = rl_test_client_new (f->server, f->alice);
  g_autofree char *subscribe = g_strdup_printf ("{\"type\":\"subscribe\",\"req\":\"sub\",\"doc\":\"%s\"}", f->image);
  g_autofree char *bc = rl_test_uuid ();
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  g_autoptr(GBytes) frame_a = NULL, frame_b = NULL, frame_c = NULL;
  g_autoptr(GBytes) ack_a = NULL;
  g_autofree char *text_a = NULL, *text_b = NULL, *text_c = NULL, *ack = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) writer_ack = NULL;

  g_assert_nonnull (strstr (head_a, "server_no_context_takeover"));
  g_assert_null (answer_extensions (head_c));

  send_text (a, TRUE, subscribe);
  send_text (b, FALSE, subscribe);   /* compression is the sender's choice, per message */
  send_text (c, FALSE, subscribe);
  /* An ack is shorter than what is worth compressing: it comes plain,
   * RSV1 clear, to a connection that negotiated deflate too. */
  ack = text_with (a, TRUE, "\"req\":\"sub\"", &ack_a);
  g_assert_cmphex (((const guint8 *) g_bytes_get_data (ack_a, NULL))[0] & 0x40, ==, 0);
  g_assert_nonnull (strstr (ack, "\"type\":\"ack\""));
  g_assert_null (strstr (ack, "\"error\""));
  g_free (text_with (b, TRUE, "\"req\":\"sub\"", &frame_b));
  g_clear_pointer (&frame_b, g_bytes_unref);
  g_free (text_with (c, FALSE, "\"req\":\"sub\"", &frame_c));
  g_clear_pointer (&frame_c, g_bytes_unref);

  snapshot = rl_test_client_subscribe (writer, f->image);
  rl_test_client_send_printf (writer,
                              "{\"type\":\"create-thread\",\"req\":\"w\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.5,\"y\":0.5}},"
                              "\"comment\":{\"id\":\"%s\",\"body\":\"%s\"}}",
                              bc, f->image, thread, comment, BODY);
  writer_ack = rl_test_client_expect_ack (writer, "w");
  g_assert_null (rl_test_ack_error (writer_ack));

  text_a = text_with (a, TRUE, comment, &frame_a);
  text_b = text_with (b, TRUE, comment, &frame_b);
  text_c = text_with (c, FALSE, comment, &frame_c);
  g_assert_nonnull (strstr (text_c, BODY));
  g_assert_cmpstr (text_a, ==, text_c);
  g_assert_cmpstr (text_b, ==, text_c);
  g_assert_true (g_bytes_equal (frame_a, frame_b));
  g_assert_cmpuint (g_bytes_get_size (frame_a), <, g_bytes_get_size (frame_c));
  g_test_message ("event: %" G_GSIZE_FORMAT " bytes plain, %" G_GSIZE_FORMAT " compressed",
                  g_bytes_get_size (frame_c), g_bytes_get_size (frame_a));

  /* Counted: the two that offered it (not the plain one, nor the writer). */
  {
    g_autofree char *admin = rl_test_add_user (f->server, "acme", "Root", "admin");
    g_autoptr(RlTestResponse) metrics = rl_test_http (f->server, "GET", "/metrics", admin, NULL, NULL);
    g_autofree char *text = g_strndup (g_bytes_get_data (metrics->body, NULL), g_bytes_get_size (metrics->body));

    g_assert_cmpuint (metrics->status, ==, 200);
    g_assert_nonnull (strstr (text, "\nredline_connections_compressed_total 2\n"));
  }
}

/* zeros of size bytes compressed as one message, streamed from one small
 * buffer (about 1 byte in 1000 at level 9). */
static GBytes *
deflate_zeros (gsize size)
{
  static const guint8 zeros[1024 * 1024];
  z_stream stream = { 0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 chunk[64 * 1024];

  g_assert_cmpint (deflateInit2 (&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), ==, Z_OK);
  for (gsize done = 0; done < size; done += sizeof zeros)
    {
      gboolean last = done + sizeof zeros >= size;

      stream.next_in = (Bytef *) zeros;
      stream.avail_in = (uInt) MIN (sizeof zeros, size - done);
      do
        {
          stream.next_out = chunk;
          stream.avail_out = sizeof chunk;
          deflate (&stream, last ? Z_SYNC_FLUSH : Z_NO_FLUSH);
          g_byte_array_append (out, chunk, (guint) (sizeof chunk - stream.avail_out));
        }
      while (stream.avail_in > 0 || stream.avail_out == 0);
    }
  deflateEnd (&stream);
  g_assert_cmpmem (out->data + out->len - 4, 4, "\x00\x00\xff\xff", 4);
  return g_bytes_new (out->data, out->len - 4);
}

/* A compressed message that would inflate to 512 MB (half a megabyte on
 * the wire, under the 1 MiB a frame may have) closes the connection with
 * 1009, and the server never holds more than a little of it: its peak
 * memory barely moves. */
static void
test_bomb (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *head = NULL;
  g_autoptr(RlTestRaw) raw = rl_test_raw_ws_connect (f->server, f->alice, 0, OFFER, &head);
  g_autoptr(GBytes) bomb = deflate_zeros ((gsize) 512 * 1024 * 1024);
  g_autoptr(RlTestClient) other = NULL;
  g_autofree char *welcome = next_text (raw, TRUE, NULL);
  guint64 peak_before, peak_after;

  peak_before = rl_test_server_peak_rss (f->server);
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 1024 * 1024);
  rl_test_raw_ws_send (raw, 0x1, TRUE, g_bytes_get_data (bomb, NULL), g_bytes_get_size (bomb));
  g_assert_cmpuint (close_code (raw), ==, 1009);
  g_assert_true (rl_test_raw_closed_within (raw, 10000));
  peak_after = rl_test_server_peak_rss (f->server);
  g_test_message ("peak memory: %" G_GUINT64_FORMAT " bytes before, %" G_GUINT64_FORMAT " after",
                  peak_before, peak_after);
  g_assert_cmpuint (peak_after, <, peak_before + 32 * 1024 * 1024);

  /* The server goes on. */
  other = rl_test_client_new (f->server, f->alice);
  g_assert_nonnull (other);
}

/* Just under the limit inflates and is answered: the bound is the
 * message's size, not a guess. */
static void
test_limit_exact (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *head = NULL;
  g_autoptr(RlTestRaw) raw = rl_test_raw_ws_connect (f->server, f->alice, 0, OFFER, &head);
  g_autoptr(GString) request = g_string_new ("{\"type\":\"subscribe\",\"req\":\"big\",\"doc\":\"");
  g_autofree char *welcome = next_text (raw, TRUE, NULL);
  g_autoptr(GBytes) frame = NULL;
  g_autofree char *ack = NULL;

  /* 64 KiB exactly: an unknown document, so an error ack (not a close). */
  while (request->len < 64 * 1024 - 2)
    g_string_append_c (request, 'x');
  g_string_append (request, "\"}");
  g_assert_cmpuint (request->len, ==, 64 * 1024);
  send_text (raw, TRUE, request->str);
  ack = text_with (raw, TRUE, "\"req\":\"big\"", &frame);
  g_assert_nonnull (strstr (ack, "\"error\""));

  /* One byte more is refused with 1009. */
  g_string_insert_c (request, request->len - 2, 'x');
  send_text (raw, TRUE, request->str);
  g_assert_cmpuint (close_code (raw), ==, 1009);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, rl_test_image_fixture_setup, func, \
                                    rl_test_image_fixture_teardown)
  ADD ("/deflate/negotiated", test_negotiated);
  ADD ("/deflate/offers", test_offers);
  ADD ("/deflate/shared", test_shared);
  ADD ("/deflate/bomb", test_bomb);
  ADD ("/deflate/limit-exact", test_limit_exact);
#undef ADD

  return g_test_run ();
}
