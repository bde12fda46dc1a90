/* test-server-protocol.c — the WebSocket protocol against the real server:
 * welcome, subscribe, every mutation and event, echo, presence, resync,
 * batching, and every error code a request can earn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-test-server.h"

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *alice;      /* member, acme */
  const char   *bob;        /* member, acme */
  const char   *vera;       /* viewer, acme */
  const char   *ada;        /* admin, acme */
  const char   *image;      /* image document, acme */
  const char   *page;       /* page document, acme */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_team_init (&f->team, "Alice:member", &f->alice,
                               "Bob:member", &f->bob,
                               "Vera:viewer", &f->vera,
                               "Ada:admin", &f->ada,
                               NULL);
  f->server = f->team.server;
  if (data)
    f->server->extra_arg = g_strdup (data);
  f->image = rl_test_team_add_doc (&f->team, "acme", "Mockup", "mockup.png");
  f->page = rl_test_team_add_doc (&f->team, "acme", "Copy", "page.md");
  rl_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_team_clear (&f->team);
}

/* Fills {DOC}, {THREAD}, {COMMENT}, {BC}, {FRESH} and {LONG} in a template. */
static char *
fill (const char *template,
      const char *doc,
      const char *thread,
      const char *comment,
      const char *bc,
      const char *fresh,
      const char *long_body)
{
  GString *out = g_string_new (template);

  g_string_replace (out, "{DOC}", doc, 0);
  g_string_replace (out, "{THREAD}", thread, 0);
  g_string_replace (out, "{COMMENT}", comment, 0);
  g_string_replace (out, "{BC}", bc, 0);
  g_string_replace (out, "{FRESH}", fresh ? fresh : "", 0);
  g_string_replace (out, "{LONG}", long_body ? long_body : "", 0);
  return g_string_free (out, FALSE);
}

/* Sends a create-thread on the image at (x, y); returns the ack. */
static JsonObject *
create_marker (RlTestClient *client,
               const char   *doc,
               const char   *thread,
               const char   *comment,
               const char   *broadcast,
               const char   *body)
{
  g_autofree char *req = rl_test_uuid ();

  rl_test_client_send_printf (client,
                              "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.25,\"y\":0.75}},"
                              "\"comment\":{\"id\":\"%s\",\"body\":\"%s\"}}",
                              req, broadcast, doc, thread, comment, body);
  return rl_test_client_expect_ack (client, req);
}

/* Sends a request (a JSON object without req; one is added) and returns the ack. */
static JsonObject *
request (RlTestClient *client,
         const char   *json)
{
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *text = g_strdup_printf ("{\"req\":\"%s\",%s", req, json + 1);

  rl_test_client_send (client, text);
  return rl_test_client_expect_ack (client, req);
}

static void
test_unauthorized (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *forged = g_strconcat (f->alice, "x", NULL);
  g_autoptr(RlTestResponse) response = NULL;
  guint status = 0;

  g_assert_null (rl_test_client_try (f->server, NULL, &status));
  g_assert_cmpuint (status, ==, 401);
  g_assert_null (rl_test_client_try (f->server, "not-a-token", &status));
  g_assert_cmpuint (status, ==, 401);
  g_assert_null (rl_test_client_try (f->server, forged, &status));
  g_assert_cmpuint (status, ==, 401);

  response = rl_test_http (f->server, "GET", "/api/v1/docs", forged, NULL, NULL);
  g_assert_cmpuint (response->status, ==, 401);
  g_assert_cmpstr (rl_test_response_error_code (response), ==, "unauthorized");
}

static void
test_welcome (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->alice);
  JsonObject *welcome = json_node_get_object (client->welcome);
  JsonObject *user = json_object_get_object_member (welcome, "user");

  g_assert_cmpint (json_object_get_int_member (welcome, "protocol"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (welcome, "tenant"), ==, "acme");
  g_assert_cmpstr (json_object_get_string_member (user, "name"), ==, "Alice");
  g_assert_cmpstr (json_object_get_string_member (user, "role"), ==, "member");
  g_assert_true (g_str_has_prefix (f->alice, json_object_get_string_member (user, "id")));
  g_assert_cmpuint (strlen (json_object_get_string_member (welcome, "connection")), >=, 16);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (welcome, "serverTime"), "Z"));
}

static void
test_two_clients_and_echo (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) snap_a = rl_test_client_subscribe (a, f->image);
  g_autoptr(JsonObject) snap_b = rl_test_client_subscribe (b, f->image);
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) seen_a = NULL;
  g_autoptr(JsonObject) seen_b = NULL;
  g_autoptr(JsonObject) snap_c = NULL;
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();
  JsonObject *created, *first;

  g_assert_cmpint (json_object_get_int_member (snap_a, "seq"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snap_a, "threads")), ==, 0);

  ack = create_marker (a, f->image, thread, comment, broadcast, "Make the logo bigger");
  g_assert_null (rl_test_ack_error (ack));
  g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 1);

  /* Everyone, the originator included, gets the event with its broadcastId. */
  seen_a = rl_test_client_expect (a, "new-image-chat");
  seen_b = rl_test_client_expect (b, "new-image-chat");
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *event = i ? seen_b : seen_a;

      g_assert_cmpstr (json_object_get_string_member (event, "broadcastId"), ==, broadcast);
      g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (event, "doc"), ==, f->image);
    }
  created = json_object_get_object_member (seen_b, "thread");
  g_assert_cmpstr (json_object_get_string_member (created, "id"), ==, thread);
  g_assert_false (json_object_get_boolean_member (created, "resolved"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (created, "createdBy"), "name"), ==, "Alice");
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (created, "anchor"), "x"), ==, 0.25);
  first = json_array_get_object_element (json_object_get_array_member (created, "comments"), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, comment);
  g_assert_cmpstr (json_object_get_string_member (first, "thread"), ==, thread);
  g_assert_cmpstr (json_object_get_string_member (first, "body"), ==, "Make the logo bigger");
  g_assert_true (json_object_get_null_member (first, "editedAt"));

  /* A third client that subscribes later sees it in the snapshot. */
  {
    g_autoptr(RlTestClient) c = rl_test_client_new (f->server, f->vera);

    snap_c = rl_test_client_subscribe (c, f->image);
    g_assert_cmpint (json_object_get_int_member (snap_c, "seq"), ==, 1);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snap_c, "threads")), ==, 1);
  }
}

static void
test_created_event_size (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(JsonObject) snap = rl_test_client_subscribe (a, f->image);
  g_autoptr(JsonObject) ack = NULL;
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();
  g_autofree char *body = g_strnfill (140, 'w');
  g_autofree char *raw = NULL;

  ack = create_marker (a, f->image, thread, comment, broadcast, body);
  g_assert_null (rl_test_ack_error (ack));
  /* The ack came first; the event is the next frame that is not presence. */
  do
    {
      g_clear_pointer (&raw, g_free);
      raw = rl_test_client_next_raw (a, 5000);
      g_assert_nonnull (raw);
    }
  while (strstr (raw, "\"type\":\"presence\""));
  g_assert_nonnull (strstr (raw, "\"type\":\"new-image-chat\""));
  g_assert_nonnull (strstr (raw, body));
  g_test_message ("created event with a 140-character comment: %zu bytes", strlen (raw));
  g_assert_cmpuint (strlen (raw), <, 1024);
}

static void
test_every_mutation (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) snap_a = rl_test_client_subscribe (a, f->image);
  g_autoptr(JsonObject) snap_b = rl_test_client_subscribe (b, f->image);
  g_autoptr(JsonObject) final = NULL;
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *c1 = rl_test_uuid ();
  g_autofree char *c2 = rl_test_uuid ();
  const struct { const char *json; const char *event; const char *change; } steps[] = {
    { "{\"type\":\"add-comment\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\","
      "\"comment\":{\"id\":\"{COMMENT}\",\"body\":\"  Agreed, and the CTA too.  \"}}", "image-chat-updated", "comment-added" },
    { "{\"type\":\"edit-comment\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\","
      "\"comment\":{\"id\":\"{COMMENT}\",\"body\":\"Agreed.\"}}", "image-chat-updated", "comment-edited" },
    { "{\"type\":\"resolve-thread\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\","
      "\"resolved\":true}", "image-chat-updated", "resolved" },
    { "{\"type\":\"delete-comment\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\","
      "\"comment\":\"{COMMENT}\"}", "image-chat-updated", "comment-deleted" },
    { "{\"type\":\"delete-thread\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\"}",
      "deleted-image-chat", NULL },
  };
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autofree char *bc = rl_test_uuid ();

  ack = create_marker (a, f->image, thread, c1, bc, "First");
  g_assert_null (rl_test_ack_error (ack));
  created = rl_test_client_expect (b, "new-image-chat");
  g_clear_pointer (&ack, json_object_unref);

  /* Bob replies; Alice (the thread's author) moves it. */
  {
    g_autofree char *bcm = rl_test_uuid ();
    g_autofree char *move = g_strdup_printf ("{\"type\":\"move-thread\",\"doc\":\"%s\",\"thread\":\"%s\","
                                             "\"broadcastId\":\"%s\",\"anchor\":{\"x\":1,\"y\":0}}",
                                             f->image, thread, bcm);
    g_autoptr(JsonObject) moved = NULL;

    ack = request (a, move);
    g_assert_null (rl_test_ack_error (ack));
    g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 2);
    g_clear_pointer (&ack, json_object_unref);
    moved = rl_test_client_expect (b, "image-chat-updated");
    /* Alice hears her own echo of the move as well. */
    json_object_unref (rl_test_client_expect (a, "image-chat-updated"));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (moved, "change"), "kind"), ==, "moved");
    g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (
                         json_object_get_object_member (moved, "change"), "anchor"), "x"), ==, 1.0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *broadcast = rl_test_uuid ();
      g_autofree char *json = fill (steps[i].json, f->image, thread, c2, broadcast, NULL, NULL);
      g_autoptr(JsonObject) event = NULL;

      /* Bob replies, edits and deletes his own reply and resolves; only
       * Alice, the thread's author, may delete the thread. */
      RlTestClient *actor = steps[i].change ? b : a;
      RlTestClient *other = steps[i].change ? a : b;

      ack = request (actor, json);
      if (rl_test_ack_error (ack))
        g_error ("step %u: %s", i, rl_test_ack_error (ack));
      g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 3 + i);
      g_clear_pointer (&ack, json_object_unref);

      event = rl_test_client_expect (other, steps[i].event);
      g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, 3 + i);
      g_assert_cmpstr (json_object_get_string_member (event, "broadcastId"), ==, broadcast);
      g_assert_cmpstr (json_object_get_string_member (event, "thread"), ==, thread);
      if (steps[i].change)
        {
          JsonObject *change = json_object_get_object_member (event, "change");

          g_assert_cmpstr (json_object_get_string_member (change, "kind"), ==, steps[i].change);
          if (g_str_equal (steps[i].change, "comment-added"))
            g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (change, "comment"), "body"),
                             ==, "Agreed, and the CTA too.");
          if (g_str_equal (steps[i].change, "comment-edited"))
            {
              JsonObject *comment = json_object_get_object_member (change, "comment");

              g_assert_cmpstr (json_object_get_string_member (comment, "body"), ==, "Agreed.");
              g_assert_false (json_object_get_null_member (comment, "editedAt"));
            }
          if (g_str_equal (steps[i].change, "resolved"))
            {
              g_assert_true (json_object_get_boolean_member (change, "resolved"));
              g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (change, "by"), "name"), ==, "Bob");
            }
          if (g_str_equal (steps[i].change, "comment-deleted"))
            g_assert_cmpstr (json_object_get_string_member (change, "comment"), ==, c2);
        }
      /* The originator hears its own echo too. */
      g_clear_pointer (&event, json_object_unref);
      event = rl_test_client_expect (actor, steps[i].event);
      g_assert_cmpstr (json_object_get_string_member (event, "broadcastId"), ==, broadcast);
    }

  {
    g_autoptr(RlTestClient) c = rl_test_client_new (f->server, f->bob);

    final = rl_test_client_subscribe (c, f->image);
    g_assert_cmpint (json_object_get_int_member (final, "seq"), ==, 7);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (final, "threads")), ==, 0);
  }
}

static void
test_page_annotations (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) snap_a = rl_test_client_subscribe (a, f->page);
  g_autoptr(JsonObject) snap_b = rl_test_client_subscribe (b, f->page);
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();
  g_autofree char *json = NULL;
  JsonObject *anchor;

  /* The page's plain text is "Launch copy\nThe hero headline must fit on one
   * line at 1440 px.\n…": "hero" is code points 16–20. */
  json = g_strdup_printf ("{\"type\":\"create-thread\",\"doc\":\"%s\",\"broadcastId\":\"%s\","
                          "\"thread\":{\"id\":\"%s\",\"anchor\":{\"start\":16,\"end\":20,\"exact\":\"hero\","
                          "\"prefix\":\"Launch copy\\nThe \",\"suffix\":\" headline\"}},"
                          "\"comment\":{\"id\":\"%s\",\"body\":\"Hero or headline?\"}}",
                          f->page, broadcast, thread, comment);
  ack = request (a, json);
  g_assert_null (rl_test_ack_error (ack));
  event = rl_test_client_expect (b, "new-text-chat");
  anchor = json_object_get_object_member (json_object_get_object_member (event, "thread"), "anchor");
  g_assert_cmpint (json_object_get_int_member (anchor, "start"), ==, 16);
  g_assert_cmpstr (json_object_get_string_member (anchor, "exact"), ==, "hero");
  g_assert_cmpstr (json_object_get_string_member (anchor, "suffix"), ==, " headline");
  g_clear_pointer (&ack, json_object_unref);
  g_clear_pointer (&event, json_object_unref);

  /* `exact` must be the page's text at start–end. */
  {
    g_autofree char *t2 = rl_test_uuid (), *c2 = rl_test_uuid (), *b2 = rl_test_uuid ();
    g_autofree char *wrong = g_strdup_printf ("{\"type\":\"create-thread\",\"doc\":\"%s\",\"broadcastId\":\"%s\","
                                              "\"thread\":{\"id\":\"%s\",\"anchor\":{\"start\":16,\"end\":20,\"exact\":\"HERO\"}},"
                                              "\"comment\":{\"id\":\"%s\",\"body\":\"x\"}}", f->page, b2, t2, c2);
    g_autofree char *past = g_strdup_printf ("{\"type\":\"create-thread\",\"doc\":\"%s\",\"broadcastId\":\"%s\","
                                             "\"thread\":{\"id\":\"%s\",\"anchor\":{\"start\":9000,\"end\":9004,\"exact\":\"hero\"}},"
                                             "\"comment\":{\"id\":\"%s\",\"body\":\"x\"}}", f->page, b2, t2, c2);
    g_autofree char *image_anchor = g_strdup_printf ("{\"type\":\"create-thread\",\"doc\":\"%s\",\"broadcastId\":\"%s\","
                                                     "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.5,\"y\":0.5}},"
                                                     "\"comment\":{\"id\":\"%s\",\"body\":\"x\"}}", f->page, b2, t2, c2);

    ack = request (a, wrong);
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
    g_clear_pointer (&ack, json_object_unref);
    ack = request (a, past);
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
    g_clear_pointer (&ack, json_object_unref);
    ack = request (a, image_anchor);
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
    g_clear_pointer (&ack, json_object_unref);
  }

  {
    g_autofree char *b3 = rl_test_uuid (), *c3 = rl_test_uuid ();
    g_autofree char *reply = g_strdup_printf ("{\"type\":\"add-comment\",\"doc\":\"%s\",\"thread\":\"%s\","
                                              "\"broadcastId\":\"%s\",\"comment\":{\"id\":\"%s\",\"body\":\"Headline.\"}}",
                                              f->page, thread, b3, c3);
    g_autofree char *b4 = rl_test_uuid ();
    g_autofree char *del = g_strdup_printf ("{\"type\":\"delete-thread\",\"doc\":\"%s\",\"thread\":\"%s\","
                                            "\"broadcastId\":\"%s\"}", f->page, thread, b4);

    ack = request (b, reply);
    g_assert_null (rl_test_ack_error (ack));
    g_clear_pointer (&ack, json_object_unref);
    event = rl_test_client_expect (a, "updated-text-chat");
    g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, 2);
    g_clear_pointer (&event, json_object_unref);

    /* Bob may not delete Alice's annotation; Alice may. */
    ack = request (b, del);
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "forbidden");
    g_clear_pointer (&ack, json_object_unref);
    ack = request (a, del);
    g_assert_null (rl_test_ack_error (ack));
    event = rl_test_client_expect (b, "deleted-text-chat");
    g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, 3);
  }
}

static void
test_presence (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestClient) a1 = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) a2 = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) s1 = rl_test_client_subscribe (a1, f->image);
  g_autoptr(JsonObject) s2 = rl_test_client_subscribe (a2, f->image);
  g_autoptr(JsonObject) s3 = rl_test_client_subscribe (b, f->image);
  JsonObject *presence = NULL;

  /* Coalesced updates: the last one settles on 2 people in 3 connections. */
  for (;;)
    {
      g_clear_pointer (&presence, json_object_unref);
      presence = rl_test_client_expect (b, "presence");
      if (json_object_get_int_member (presence, "connections") == 3)
        break;
    }
  g_assert_cmpint (json_object_get_int_member (presence, "count"), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (presence, "users")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (presence, "doc"), ==, f->image);
  g_clear_pointer (&presence, json_object_unref);

  /* One of Alice's two windows closes: still two people. */
  g_clear_pointer (&a2, rl_test_client_free);
  presence = rl_test_client_expect (b, "presence");
  g_assert_cmpint (json_object_get_int_member (presence, "count"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (presence, "connections"), ==, 2);
  g_clear_pointer (&presence, json_object_unref);

  g_clear_pointer (&a1, rl_test_client_free);
  presence = rl_test_client_expect (b, "presence");
  g_assert_cmpint (json_object_get_int_member (presence, "count"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (presence, "users"), 0), "name"), ==, "Bob");
  json_object_unref (presence);
}

/* Subscribes (again or not) and returns the presence frame that the
 * subscribe brings, read within a second with the snapshot and the ack. */
static JsonObject *
subscribe_for_presence (RlTestClient *client,
                        const char   *doc)
{
  g_autofree char *req = rl_test_uuid ();
  JsonObject *presence = NULL;
  gboolean acked = FALSE;
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;

  rl_test_client_send_printf (client, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\"}", req, doc);
  while (!acked || presence == NULL)
    {
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      g_autofree char *raw = left_ms > 0 ? rl_test_client_next_raw (client, (guint) left_ms) : NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;
      const char *type;

      if (raw == NULL)
        g_error ("a subscribe brought no presence within a second (acked: %d)", acked);
      g_assert_true (json_parser_load_from_data (parser, raw, -1, NULL));
      object = json_node_get_object (json_parser_get_root (parser));
      type = json_object_get_string_member (object, "type");
      if (g_str_equal (type, "ack"))
        {
          g_assert_cmpstr (json_object_get_string_member (object, "req"), ==, req);
          g_assert_true (json_object_get_boolean_member (object, "ok"));
          acked = TRUE;
        }
      else if (g_str_equal (type, "presence"))
        {
          g_clear_pointer (&presence, json_object_unref);
          presence = json_object_ref (object);
        }
    }
  return presence;
}

/* Every subscribe gets the room's presence, not only a connection's first:
 * an app that opens a document again on the same link shows who is there. */
static void
test_presence_on_every_subscribe (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) first = subscribe_for_presence (a, f->image);
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) bob_first = NULL;
  g_autoptr(JsonObject) bob_again = NULL;
  JsonObject *presence = NULL;

  g_assert_cmpint (json_object_get_int_member (first, "count"), ==, 1);
  bob_first = subscribe_for_presence (b, f->image);
  /* Let the room's coalesced frame for Bob's joining pass first. */
  do
    {
      g_clear_pointer (&presence, json_object_unref);
      presence = rl_test_client_expect (a, "presence");
    }
  while (json_object_get_int_member (presence, "count") != 2);
  g_clear_pointer (&presence, json_object_unref);
  rl_test_client_assert_quiet (b, 400);

  /* Subscribed again on the same link: promptly told, still counted once. */
  bob_again = subscribe_for_presence (b, f->image);
  g_assert_cmpint (json_object_get_int_member (bob_again, "count"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (bob_again, "connections"), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (bob_again, "users")), ==, 2);
  again = subscribe_for_presence (a, f->image);
  g_assert_cmpint (json_object_get_int_member (again, "count"), ==, 2);

  /* Bob leaves the document (not the link): Alice sees one viewer… */
  {
    g_autofree char *req = rl_test_uuid ();
    g_autoptr(JsonObject) ack = NULL;

    rl_test_client_send_printf (b, "{\"type\":\"unsubscribe\",\"req\":\"%s\",\"doc\":\"%s\"}", req, f->image);
    ack = rl_test_client_expect_ack (b, req);
    g_assert_null (rl_test_ack_error (ack));
  }
  do
    {
      g_clear_pointer (&presence, json_object_unref);
      presence = rl_test_client_expect (a, "presence");
    }
  while (json_object_get_int_member (presence, "count") != 1);
  g_assert_cmpint (json_object_get_int_member (presence, "connections"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (presence, "users"), 0), "name"), ==, "Alice");
  g_clear_pointer (&presence, json_object_unref);

  /* …and two again when he comes back; he is told as well. */
  g_clear_pointer (&bob_again, json_object_unref);
  bob_again = subscribe_for_presence (b, f->image);
  g_assert_cmpint (json_object_get_int_member (bob_again, "count"), ==, 2);
  do
    {
      g_clear_pointer (&presence, json_object_unref);
      presence = rl_test_client_expect (a, "presence");
    }
  while (json_object_get_int_member (presence, "count") != 2);
  json_object_unref (presence);
}

static void
test_resync_since (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) sa = rl_test_client_subscribe (a, f->image);
  g_autoptr(JsonObject) sb = rl_test_client_subscribe (b, f->image);
  g_autofree char *req = rl_test_uuid ();
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(GPtrArray) broadcasts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid ();
      char *bc = rl_test_uuid ();

      g_ptr_array_add (broadcasts, bc);
      g_clear_pointer (&ack, json_object_unref);
      ack = create_marker (a, f->image, t, c, bc, "change");
      g_assert_null (rl_test_ack_error (ack));
      if (i == 1)
        {
          /* Bob has seen 1 and 2, then his link drops. */
          g_autoptr(JsonObject) e1 = rl_test_client_expect (b, "new-image-chat");
          g_autoptr(JsonObject) e2 = rl_test_client_expect (b, "new-image-chat");

          g_assert_cmpint (json_object_get_int_member (e2, "seq"), ==, 2);
          g_clear_pointer (&b, rl_test_client_free);
        }
    }

  b = rl_test_client_new (f->server, f->bob);
  rl_test_client_send_printf (b, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\",\"since\":2}", req, f->image);
  /* Exactly the missed events, in order, then the ack at the head. */
  for (guint seq = 3; seq <= 5; seq++)
    {
      g_autoptr(JsonObject) event = rl_test_client_expect (b, "new-image-chat");

      g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq);
      g_assert_cmpstr (json_object_get_string_member (event, "broadcastId"), ==,
                       g_ptr_array_index (broadcasts, seq - 1));
    }
  g_clear_pointer (&ack, json_object_unref);
  ack = rl_test_client_expect (b, "ack");
  g_assert_cmpstr (json_object_get_string_member (ack, "req"), ==, req);
  g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 5);

  /* Up to date: nothing to replay. */
  {
    g_autofree char *req2 = rl_test_uuid ();
    g_autoptr(JsonObject) ack2 = NULL;

    rl_test_client_send_printf (b, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\",\"since\":5}", req2, f->image);
    ack2 = rl_test_client_expect (b, "ack");
    g_assert_cmpint (json_object_get_int_member (ack2, "seq"), ==, 5);
  }
}

static void
test_resync_reset (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(JsonObject) sa = rl_test_client_subscribe (a, f->image);
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autofree char *req = rl_test_uuid ();

  /* The fixture keeps 5 events per document; 70 overflow it. */
  for (guint i = 0; i < 70; i++)
    {
      g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid (), *bc = rl_test_uuid ();
      g_autoptr(JsonObject) one = create_marker (a, f->image, t, c, bc, "change");

      g_assert_null (rl_test_ack_error (one));
    }

  /* A client that last saw seq 1 comes back. */
  g_clear_pointer (&a, rl_test_client_free);
  a = rl_test_client_new (f->server, f->bob);
  rl_test_client_send_printf (a, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\",\"since\":1}", req, f->image);
  snapshot = rl_test_client_expect (a, "snapshot");
  g_assert_true (json_object_get_boolean_member (snapshot, "reset"));
  g_assert_cmpint (json_object_get_int_member (snapshot, "seq"), ==, 70);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "threads")), ==, 70);
  ack = rl_test_client_expect_ack (a, req);
  g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 70);
}

static void
test_batching (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) sa = rl_test_client_subscribe (a, f->image);
  g_autoptr(JsonObject) sb = rl_test_client_subscribe (b, f->image);
  guint batches = 0, events = 0;
  gint64 expected = 1;

  /* Quiet: one change arrives alone, not in a batch. */
  {
    g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid (), *bc = rl_test_uuid ();
    g_autoptr(JsonObject) ack = create_marker (a, f->image, t, c, bc, "alone");
    g_autofree char *raw = NULL;

    do
      {
        g_clear_pointer (&raw, g_free);
        raw = rl_test_client_next_raw (b, 5000);
      }
    while (raw && strstr (raw, "\"type\":\"presence\""));
    g_assert_nonnull (raw);
    g_assert_true (g_str_has_prefix (raw, "{\"type\":\"new-image-chat\""));
    expected = 2;
  }

  /* Busy: 100 changes written back to back reach Bob packed, in order. */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid (), *bc = rl_test_uuid ();

      rl_test_client_send_printf (a, "{\"type\":\"create-thread\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                     "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.1,\"y\":0.1}},"
                                     "\"comment\":{\"id\":\"%s\",\"body\":\"burst\"}}", bc, f->image, t, c);
    }
  while (events < 100)
    {
      g_autofree char *raw = rl_test_client_next_raw (b, 10000);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *frame;
      const char *type;

      g_assert_nonnull (raw);
      g_assert_true (json_parser_load_from_data (parser, raw, -1, NULL));
      frame = json_node_get_object (json_parser_get_root (parser));
      type = json_object_get_string_member (frame, "type");
      if (g_str_equal (type, "presence"))
        continue;
      if (g_str_equal (type, "batch"))
        {
          JsonArray *list = json_object_get_array_member (frame, "events");

          batches++;
          for (guint i = 0; i < json_array_get_length (list); i++, events++)
            g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (list, i), "seq"), ==, expected++);
        }
      else
        {
          g_assert_cmpstr (type, ==, "new-image-chat");
          g_assert_cmpint (json_object_get_int_member (frame, "seq"), ==, expected++);
          events++;
        }
    }
  g_test_message ("100 events arrived in %u batch frames", batches);
  g_assert_cmpuint (batches, >, 0);
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->bob);
  g_autoptr(RlTestClient) v = rl_test_client_new (f->server, f->vera);
  g_autoptr(RlTestClient) admin = rl_test_client_new (f->server, f->ada);
  g_autoptr(JsonObject) sa = rl_test_client_subscribe (a, f->image);
  g_autoptr(JsonObject) sb = rl_test_client_subscribe (b, f->image);
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *bc = rl_test_uuid ();
  g_autofree char *long_body = g_strnfill (4001, 'x');
  g_autoptr(JsonObject) ack = NULL;
  struct { const char *json; const char *code; } cases[] = {
    { "{\"type\":\"teleport\",\"doc\":\"{DOC}\"}", "unknown-type" },
    /* 1.1's request, on a connection that chose redline.v1 */
    { "{\"type\":\"place-thread\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"revision\":1}", "unknown-type" },
    { "{\"doc\":\"{DOC}\"}", "bad-request" },
    { "{\"type\":42}", "bad-request" },
    { "{\"type\":\"subscribe\"}", "bad-request" },
    { "{\"type\":\"subscribe\",\"doc\":\"{DOC}\",\"since\":-1}", "bad-request" },
    { "{\"type\":\"subscribe\",\"doc\":\"{DOC}\",\"since\":\"3\"}", "bad-request" },
    { "{\"type\":\"subscribe\",\"doc\":\"nope\"}", "not-found" },
    { "{\"type\":\"resolve-thread\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"resolved\":true}", "bad-request" },
    { "{\"type\":\"resolve-thread\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"nope\",\"resolved\":true}", "bad-request" },
    { "{\"type\":\"resolve-thread\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"resolved\":\"yes\"}", "bad-request" },
    { "{\"type\":\"resolve-thread\",\"doc\":\"{DOC}\",\"thread\":\"NOT-A-UUID\",\"broadcastId\":\"{BC}\",\"resolved\":true}", "bad-request" },
    { "{\"type\":\"resolve-thread\",\"doc\":\"{DOC}\",\"thread\":\"{FRESH}\",\"broadcastId\":\"{BC}\",\"resolved\":true}", "not-found" },
    { "{\"type\":\"resolve-thread\",\"doc\":\"nope\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"resolved\":true}", "not-found" },
    { "{\"type\":\"add-comment\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"comment\":{\"id\":\"{FRESH}\",\"body\":\"   \"}}", "bad-request" },
    { "{\"type\":\"add-comment\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"comment\":{\"id\":\"{FRESH}\",\"body\":\"{LONG}\"}}", "bad-request" },
    { "{\"type\":\"add-comment\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"comment\":{\"id\":\"{FRESH}\",\"body\":7}}", "bad-request" },
    { "{\"type\":\"add-comment\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"comment\":{\"id\":\"{COMMENT}\",\"body\":\"dup\"}}", "conflict" },
    { "{\"type\":\"move-thread\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"anchor\":{\"x\":1.5,\"y\":0}}", "bad-request" },
    { "{\"type\":\"move-thread\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"anchor\":{\"x\":\"0.5\",\"y\":0}}", "bad-request" },
    { "{\"type\":\"move-thread\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"anchor\":{\"start\":0,\"end\":1,\"exact\":\"x\"}}", "bad-request" },
    { "{\"type\":\"delete-comment\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"comment\":\"{COMMENT}\"}", "bad-request" },
    { "{\"type\":\"delete-comment\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"broadcastId\":\"{BC}\",\"comment\":\"{FRESH}\"}", "not-found" },
  };

  ack = create_marker (a, f->image, thread, comment, bc, "Alice’s marker");
  g_assert_null (rl_test_ack_error (ack));
  g_clear_pointer (&ack, json_object_unref);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *fresh = rl_test_uuid (), *bc2 = rl_test_uuid ();
      g_autofree char *json = fill (cases[i].json, f->image, thread, comment, bc2, fresh, long_body);

      ack = request (a, json);
      if (g_strcmp0 (rl_test_ack_error (ack), cases[i].code) != 0)
        g_error ("case %u (%s): expected %s, got %s", i, json, cases[i].code, rl_test_ack_error (ack));
      g_assert_false (json_object_get_boolean_member (ack, "ok"));
      g_assert_nonnull (json_object_get_string_member (json_object_get_object_member (ack, "error"), "message"));
      g_clear_pointer (&ack, json_object_unref);
    }

  /* A duplicate thread id. */
  {
    g_autofree char *c2 = rl_test_uuid (), *bc2 = rl_test_uuid ();

    ack = create_marker (b, f->image, thread, c2, bc2, "dup");
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "conflict");
    g_clear_pointer (&ack, json_object_unref);
  }

  /* Roles and ownership. */
  {
    g_autofree char *t2 = rl_test_uuid (), *c2 = rl_test_uuid (), *bc2 = rl_test_uuid ();
    g_autofree char *edit = g_strdup_printf ("{\"type\":\"edit-comment\",\"doc\":\"%s\",\"thread\":\"%s\","
                                             "\"broadcastId\":\"%s\",\"comment\":{\"id\":\"%s\",\"body\":\"mine now\"}}",
                                             f->image, thread, bc2, comment);
    g_autofree char *move = g_strdup_printf ("{\"type\":\"move-thread\",\"doc\":\"%s\",\"thread\":\"%s\","
                                             "\"broadcastId\":\"%s\",\"anchor\":{\"x\":0,\"y\":0}}",
                                             f->image, thread, bc2);
    g_autofree char *resolve = g_strdup_printf ("{\"type\":\"resolve-thread\",\"doc\":\"%s\",\"thread\":\"%s\","
                                                "\"broadcastId\":\"%s\",\"resolved\":true}", f->image, thread, bc2);

    ack = create_marker (v, f->image, t2, c2, bc2, "viewer");
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "forbidden");
    g_clear_pointer (&ack, json_object_unref);
    ack = request (v, resolve);
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "forbidden");
    g_clear_pointer (&ack, json_object_unref);
    ack = request (b, edit);
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "forbidden");
    g_clear_pointer (&ack, json_object_unref);
    ack = request (b, move);
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "forbidden");
    g_clear_pointer (&ack, json_object_unref);
    /* Any member may resolve; an admin may edit anyone's comment. */
    ack = request (b, resolve);
    g_assert_null (rl_test_ack_error (ack));
    g_clear_pointer (&ack, json_object_unref);
    ack = request (admin, edit);
    g_assert_null (rl_test_ack_error (ack));
    g_clear_pointer (&ack, json_object_unref);
  }

  /* No failed request changed anything: two successful changes since. */
  {
    g_autoptr(RlTestClient) c = rl_test_client_new (f->server, f->bob);
    g_autoptr(JsonObject) snap = rl_test_client_subscribe (c, f->image);
    JsonObject *t = json_array_get_object_element (json_object_get_array_member (snap, "threads"), 0);

    g_assert_cmpint (json_object_get_int_member (snap, "seq"), ==, 3);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snap, "threads")), ==, 1);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (t, "comments")), ==, 1);
    g_assert_true (json_object_get_boolean_member (t, "resolved"));
  }

  /* The connection that sent every bad request is still healthy. */
  {
    g_autofree char *t3 = rl_test_uuid (), *c3 = rl_test_uuid (), *bc3 = rl_test_uuid ();

    ack = create_marker (a, f->image, t3, c3, bc3, "still here");
    g_assert_null (rl_test_ack_error (ack));
  }
}

static void
test_malformed_frames (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  const char *bad[] = { "not json", "[1,2,3]", "\"string\"", "{\"type\":", "null", "{}" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) ack = NULL;

      rl_test_client_send (a, bad[i]);
      ack = rl_test_client_expect (a, "ack");
      g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
      /* Its req could not be read. */
      g_assert_true (json_object_get_null_member (ack, "req"));
    }
  /* A readable req is echoed even when the rest is wrong. */
  {
    g_autoptr(JsonObject) ack = NULL;

    rl_test_client_send (a, "{\"req\":\"r-1\",\"type\":\"create-thread\"}");
    ack = rl_test_client_expect_ack (a, "r-1");
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
  }
  g_assert_false (a->closed);
}

static void
test_bad_frames_close (Fixture       *f,
                       gconstpointer  data)
{
  /* Invalid UTF-8 in a text frame: 1007. libsoup refuses to send it, so the
   * raw frame is written to the socket by hand. */
  {
    g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
    GIOStream *stream = soup_websocket_connection_get_io_stream (a->connection);
    /* FIN + text, masked, length 4, mask 0, payload ff fe fd fc */
    const guint8 frame[] = { 0x81, 0x84, 0, 0, 0, 0, 0xff, 0xfe, 0xfd, 0xfc };

    g_output_stream_write_all (g_io_stream_get_output_stream (stream), frame, sizeof frame, NULL, NULL, NULL);
    g_assert_cmpuint (rl_test_client_wait_closed (a, 5000), ==, 1007);
  }
  /* A binary frame: 1003. */
  {
    g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
    g_autoptr(GBytes) bytes = g_bytes_new_static ("\x01\x02", 2);

    soup_websocket_connection_send_message (a->connection, SOUP_WEBSOCKET_DATA_BINARY, bytes);
    g_assert_cmpuint (rl_test_client_wait_closed (a, 5000), ==, 1003);
  }
  /* A frame over 64 KiB: 1009. */
  {
    g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
    g_autofree char *body = g_strnfill (70 * 1024, 'x');
    g_autofree char *json = g_strdup_printf ("{\"type\":\"subscribe\",\"doc\":\"%s\",\"pad\":\"%s\"}", f->image, body);

    rl_test_client_send (a, json);
    g_assert_cmpuint (rl_test_client_wait_closed (a, 5000), ==, 1009);
  }
  /* More than 50 bad requests in a minute: 1008. */
  {
    g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);

    for (guint i = 0; i < 60; i++)
      rl_test_client_send (a, "{\"type\":\"nonsense\"}");
    g_assert_cmpuint (rl_test_client_wait_closed (a, 5000), ==, 1008);
  }
  /* The server is unharmed. */
  {
    g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
    g_autoptr(JsonObject) snap = rl_test_client_subscribe (a, f->image);
  }
}

static void
test_rate_limited (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(JsonObject) snap = rl_test_client_subscribe (a, f->image);
  guint limited = 0, ok = 0;

  /* Far more than a person can do in a moment: the excess is refused.
   * Changes of threads that do not exist pass the limiter like any other
   * but commit nothing, so how fast the disk is (a loaded sanitizer run
   * commits under 100 a second, the refill rate) does not matter. */
  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *t = rl_test_uuid (), *bc = rl_test_uuid ();

      rl_test_client_send_printf (a, "{\"type\":\"resolve-thread\",\"req\":\"r%u\",\"broadcastId\":\"%s\","
                                     "\"doc\":\"%s\",\"thread\":\"%s\",\"resolved\":true}", i, bc, f->image, t);
    }
  while (ok + limited < 400)
    {
      g_autoptr(JsonObject) frame = rl_test_client_next (a);

      if (!g_str_equal (json_object_get_string_member (frame, "type"), "ack"))
        continue;
      g_assert_false (json_object_get_boolean_member (frame, "ok"));
      if (g_strcmp0 (rl_test_ack_error (frame), "not-found") == 0)
        ok++;
      else
        {
          g_assert_cmpstr (rl_test_ack_error (frame), ==, "rate-limited");
          limited++;
        }
    }
  g_test_message ("%u let through, %u rate-limited", ok, limited);
  g_assert_cmpuint (ok, >=, 200);
  g_assert_cmpuint (limited, >, 0);

  /* A moment later the bucket has refilled: a real change goes through. */
  g_usleep (G_USEC_PER_SEC / 2);
  {
    g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid (), *bc = rl_test_uuid ();
    g_autoptr(JsonObject) ack = NULL;

    rl_test_client_send_printf (a, "{\"type\":\"create-thread\",\"req\":\"after\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                   "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.1,\"y\":0.1}},"
                                   "\"comment\":{\"id\":\"%s\",\"body\":\"after the flood\"}}", bc, f->image, t, c);
    ack = rl_test_client_expect_ack (a, "after");
    g_assert_null (rl_test_ack_error (ack));
  }
  g_assert_false (a->closed);
}

/* Reads one server frame (unmasked) from a blocking socket; returns its
 * opcode, or -1 at end of stream. */
static int
read_frame (GSocket *socket)
{
  guint8 head[2], ext[8];
  guint64 length;
  g_autofree guint8 *payload = NULL;
  gssize n;

  n = g_socket_receive (socket, (char *) head, 1, NULL, NULL);
  if (n <= 0)
    return -1;
  g_assert_cmpint (g_socket_receive (socket, (char *) head + 1, 1, NULL, NULL), ==, 1);
  length = head[1] & 0x7f;
  if (length >= 126)
    {
      guint need = length == 126 ? 2 : 8;
      gsize got = 0;

      while (got < need)
        {
          n = g_socket_receive (socket, (char *) ext + got, need - got, NULL, NULL);
          if (n <= 0)
            return -1;
          got += (gsize) n;
        }
      length = 0;
      for (guint i = 0; i < need; i++)
        length = (length << 8) | ext[i];
    }
  payload = g_malloc (length + 1);
  for (guint64 got = 0; got < length;)
    {
      n = g_socket_receive (socket, (char *) payload + got, length - got, NULL, NULL);
      if (n <= 0)
        return -1;
      got += (guint64) n;
    }
  return head[0] & 0x0f;
}

static void
test_keepalive (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_text = NULL;
  g_autoptr(GString) response = g_string_new (NULL);
  g_autoptr(RlTestClient) responsive = NULL;
  GSocket *socket;
  guint pings = 0;
  gint64 start, elapsed;
  int opcode;

  connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1", (guint16) f->server->port, NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  g_socket_set_timeout (socket, 20);
  request_text = g_strdup_printf ("GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: redline.v1\r\n"
                                  "Authorization: Bearer %s\r\n\r\n", f->alice);
  g_assert_cmpint (g_socket_send (socket, request_text, strlen (request_text), NULL, &error), ==, (gssize) strlen (request_text));
  while (!strstr (response->str, "\r\n\r\n"))
    {
      char c;

      g_assert_cmpint (g_socket_receive (socket, &c, 1, NULL, &error), ==, 1);
      g_string_append_c (response, c);
    }
  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 101"));

  /* The server pings every second (this fixture's interval); a client that
   * never answers is dropped after two intervals and five seconds more. */
  start = g_get_monotonic_time ();
  while ((opcode = read_frame (socket)) >= 0 && opcode != 0x8)
    if (opcode == 0x9)
      pings++;
  elapsed = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("%u pings, dropped after %" G_GINT64_FORMAT " ms", pings, elapsed);
  g_assert_cmpuint (pings, >=, 3);
  g_assert_cmpint (elapsed, >=, 6000);
  g_assert_cmpint (elapsed, <, 12000);

  /* A client that answers pings (libsoup does, while its main loop runs)
   * outlives the same window and more. */
  responsive = rl_test_client_new (f->server, f->bob);
  rl_test_run_for (8000);
  g_assert_false (responsive->closed);
  {
    g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (responsive, f->image);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/server/auth/unauthorized", test_unauthorized);
  ADD ("/server/ws/welcome", test_welcome);
  ADD ("/server/ws/two-clients-and-echo", test_two_clients_and_echo);
  ADD ("/server/ws/created-event-size", test_created_event_size);
  ADD ("/server/ws/every-mutation", test_every_mutation);
  ADD ("/server/ws/page-annotations", test_page_annotations);
  ADD ("/server/ws/presence", test_presence);
  ADD ("/server/ws/presence-on-every-subscribe", test_presence_on_every_subscribe);
  ADD ("/server/ws/resync-since", test_resync_since);
  g_test_add ("/server/ws/resync-reset", Fixture, "--event-log-limit=5", fixture_setup, test_resync_reset, fixture_teardown);
  ADD ("/server/ws/batching", test_batching);
  ADD ("/server/ws/errors", test_errors);
  ADD ("/server/ws/malformed-frames", test_malformed_frames);
  ADD ("/server/ws/bad-frames-close", test_bad_frames_close);
  ADD ("/server/ws/rate-limited", test_rate_limited);
  g_test_add ("/server/ws/keepalive", Fixture, "--ping-interval=1", fixture_setup, test_keepalive, fixture_teardown);

  return g_test_run ();
}
