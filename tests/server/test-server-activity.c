/* test-server-activity.c — protocol 1.2 against the real server: unread,
 * mentions and the activity feed
 *
 * docs/protocol.md, "Activity": the server keeps each user's read state
 * (two computers of one user agree, live), mentions are kept by user id
 * and call the mentioned in, one feed per connection carries what
 * concerns its user across the tenant's documents and resumes after a
 * reconnect with nothing lost or repeated, and v1 and 1.1 connections see
 * none of it. Absence is proven by order: the next item a user gets is the
 * one that was meant for them, with the aseq that says nothing came before.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-test-server.h"

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *ada;          /* admin */
  const char   *bo;           /* member */
  const char   *cy;           /* member */
  const char   *dee;          /* member, concerned by nothing */
  const char   *rex;          /* globex member */
  const char   *image;
} Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  rl_test_team_init (&f->team, "Ada:admin", &f->ada, "Bo:member", &f->bo, "Cy:member", &f->cy,
                     "Dee:member", &f->dee, "globex/Rex:member", &f->rex, NULL);
  f->server = f->team.server;
  f->image = rl_test_team_start_with_image (&f->team, data);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  rl_test_team_clear (&f->team);
}

/* ---- requests -------------------------------------------------------------- */

static char *
user_of (const char *token)
{
  return rl_test_token_user (token);
}

/* A {"user","start","end"} mention of token's user. */
static char *
mention_of (const char *token,
            gint64      start,
            gint64      end)
{
  g_autofree char *user = user_of (token);

  return g_strdup_printf ("{\"user\":\"%s\",\"start\":%" G_GINT64_FORMAT ",\"end\":%" G_GINT64_FORMAT "}",
                          user, start, end);
}

/* Sends a create-thread with body and mentions (a JSON array or NULL);
 * returns the ack (the caller checks it). */
static JsonObject *
create_thread (RlTestClient *client,
               const char   *doc,
               const char   *body,
               const char   *mentions,
               char        **thread_out)
{
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();

  rl_test_client_send_printf (client,
                              "{\"type\":\"create-thread\",\"req\":\"c\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.5,\"y\":0.5}},"
                              "\"comment\":{\"id\":\"%s\",\"body\":\"%s\"%s%s}}",
                              broadcast, doc, thread, comment, body, mentions ? ",\"mentions\":" : "",
                              mentions ? mentions : "");
  if (thread_out)
    *thread_out = g_steal_pointer (&thread);
  return rl_test_client_expect_ack (client, "c");
}

static JsonObject *
add_comment (RlTestClient *client,
             const char   *doc,
             const char   *thread,
             const char   *body,
             const char   *mentions)
{
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();

  rl_test_client_send_printf (client,
                              "{\"type\":\"add-comment\",\"req\":\"a\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":\"%s\",\"comment\":{\"id\":\"%s\",\"body\":\"%s\"%s%s}}",
                              broadcast, doc, thread, comment, body, mentions ? ",\"mentions\":" : "",
                              mentions ? mentions : "");
  return rl_test_client_expect_ack (client, "a");
}

static gint64
ok_seq (JsonObject *ack)
{
  g_assert_null (rl_test_ack_error (ack));
  return json_object_get_int_member (ack, "seq");
}

/* subscribe-activity (since < 0: none): the snapshot or the replayed
 * items (in *frames, of JsonObject*), and the ack's aseq. */
static gint64
subscribe_activity (RlTestClient *client,
                    gint64        since,
                    GPtrArray    *frames)
{
  g_autoptr(JsonObject) ack = NULL;

  if (since < 0)
    rl_test_client_send (client, "{\"type\":\"subscribe-activity\",\"req\":\"sa\"}");
  else
    rl_test_client_send_printf (client, "{\"type\":\"subscribe-activity\",\"req\":\"sa\",\"since\":%" G_GINT64_FORMAT "}",
                                since);
  for (;;)
    {
      JsonObject *frame = rl_test_client_next (client);
      const char *type = json_object_get_string_member (frame, "type");

      if (g_str_equal (type, "ack"))
        {
          ack = frame;
          break;
        }
      /* Unread hints (no items, not logged) may come at any time. */
      if (g_str_equal (type, "unread-hint"))
        {
          json_object_unref (frame);
          continue;
        }
      g_assert_true (g_str_equal (type, "activity") || g_str_equal (type, "activity-snapshot"));
      g_ptr_array_add (frames, frame);
    }
  g_assert_cmpstr (json_object_get_string_member (ack, "req"), ==, "sa");
  g_assert_null (rl_test_ack_error (ack));
  return json_object_get_int_member (ack, "aseq");
}

/* The next activity item, skipping what else comes (events, presence). */
static JsonObject *
next_item (RlTestClient *client)
{
  return rl_test_client_expect (client, "activity");
}

static GPtrArray *
frames_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

/* The unread counts GET /api/v1/docs gives token's user for doc. */
static void
listed_unread (Fixture    *f,
               const char *token,
               const char *doc,
               gint64     *threads,
               gint64     *comments,
               gint64     *mentions)
{
  g_autoptr(RlTestResponse) listing = rl_test_http (f->server, "GET", "/api/v1/docs", token, NULL, NULL);
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s", doc);
  g_autoptr(RlTestResponse) one = rl_test_http (f->server, "GET", path, token, NULL, NULL);
  JsonArray *docs;
  JsonObject *unread = NULL, *unread_one;

  g_assert_cmpuint (listing->status, ==, 200);
  docs = json_node_get_array (listing->json);
  for (guint i = 0; i < json_array_get_length (docs); i++)
    {
      JsonObject *listed = json_array_get_object_element (docs, i);

      if (g_str_equal (json_object_get_string_member (listed, "id"), doc))
        unread = json_object_get_object_member (listed, "unread");
    }
  g_assert_nonnull (unread);
  *threads = json_object_get_int_member (unread, "threads");
  *comments = json_object_get_int_member (unread, "comments");
  *mentions = json_object_get_int_member (unread, "mentions");
  /* The document alone says the same. */
  g_assert_cmpuint (one->status, ==, 200);
  unread_one = json_object_get_object_member (json_node_get_object (one->json), "unread");
  g_assert_cmpint (json_object_get_int_member (unread_one, "threads"), ==, *threads);
  g_assert_cmpint (json_object_get_int_member (unread_one, "comments"), ==, *comments);
  g_assert_cmpint (json_object_get_int_member (unread_one, "mentions"), ==, *mentions);
}

/* ---- unread across two computers ----------------------------------------------- */

/* Bo on two computers: A reads the thread, B's unread clears live (the
 * `read` item, with A's broadcastId, reaches both), the listing agrees, and
 * B's next subscribe carries the read state. */
static void
test_unread_two_computers (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(RlTestClient) ada = rl_test_client_new (f->server, f->ada);
  g_autoptr(RlTestClient) a = rl_test_client_new_v12 (f->server, f->bo);
  g_autoptr(RlTestClient) b = rl_test_client_new_v12 (f->server, f->bo);
  g_autoptr(GPtrArray) frames = frames_new ();
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) read_a = NULL;
  g_autoptr(JsonObject) read_b = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autofree char *thread = NULL;
  g_autofree char *broadcast = rl_test_uuid ();
  JsonObject *unread, *read;
  gint64 threads, comments, mentions, seq;

  g_assert_cmpint (subscribe_activity (a, -1, frames), ==, 0);
  g_assert_cmpint (subscribe_activity (b, -1, frames), ==, 0);
  g_assert_cmpuint (frames->len, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (frames, 0), "type"), ==, "activity-snapshot");
  g_ptr_array_set_size (frames, 0);

  ack = create_thread (ada, f->image, "Too tight", NULL, &thread);
  seq = ok_seq (ack);
  listed_unread (f, f->bo, f->image, &threads, &comments, &mentions);
  g_assert_cmpint (threads, ==, 1);
  g_assert_cmpint (comments, ==, 1);
  g_assert_cmpint (mentions, ==, 0);
  /* Ada wrote it: nothing unread for her. */
  listed_unread (f, f->ada, f->image, &threads, &comments, &mentions);
  g_assert_cmpint (comments, ==, 0);

  /* B's feed, resubscribed, lists the document as unread. */
  subscribe_activity (b, -1, frames);
  unread = json_array_get_object_element (json_object_get_array_member (g_ptr_array_index (frames, 0), "unread"), 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (unread, "doc"), "id"), ==, f->image);
  g_assert_cmpint (json_object_get_int_member (unread, "comments"), ==, 1);

  /* A opens the document (its ack: nothing read yet) and reads the thread. */
  g_clear_pointer (&ack, json_object_unref);
  rl_test_client_send_printf (a, "{\"type\":\"subscribe\",\"req\":\"s\",\"doc\":\"%s\"}", f->image);
  ack = rl_test_client_expect_ack (a, "s");
  read = json_object_get_object_member (ack, "read");
  g_assert_nonnull (read);
  g_assert_cmpint (json_object_get_int_member (read, "seq"), ==, 0);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (read, "threads")), ==, 0);
  g_clear_pointer (&ack, json_object_unref);
  rl_test_client_send_printf (a, "{\"type\":\"mark-read\",\"req\":\"m\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                 "\"thread\":\"%s\",\"seq\":%" G_GINT64_FORMAT "}", broadcast, f->image, thread, seq);
  ack = rl_test_client_expect_ack (a, "m");
  g_assert_null (rl_test_ack_error (ack));
  g_assert_false (json_object_has_member (ack, "seq"));

  /* Both computers hear it, with A's broadcastId (A ignores its echo). */
  read_b = next_item (b);
  read_a = next_item (a);
  g_assert_cmpstr (json_object_get_string_member (read_b, "kind"), ==, "read");
  g_assert_cmpstr (json_object_get_string_member (read_b, "broadcastId"), ==, broadcast);
  g_assert_cmpstr (json_object_get_string_member (read_b, "thread"), ==, thread);
  g_assert_cmpint (json_object_get_int_member (read_b, "seq"), ==, seq);
  g_assert_cmpint (json_object_get_int_member (read_b, "aseq"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (read_a, "aseq"), ==, 1);

  listed_unread (f, f->bo, f->image, &threads, &comments, &mentions);
  g_assert_cmpint (threads, ==, 0);
  g_assert_cmpint (comments, ==, 0);

  /* B opens the document: its ack carries the marker. */
  g_clear_pointer (&ack, json_object_unref);
  rl_test_client_send_printf (b, "{\"type\":\"subscribe\",\"req\":\"s\",\"doc\":\"%s\"}", f->image);
  ack = rl_test_client_expect_ack (b, "s");
  read = json_object_get_object_member (ack, "read");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (read, "threads"), thread), ==, seq);

  /* A reply from Ada is unread again: its seq is above the marker. */
  g_clear_pointer (&ack, json_object_unref);
  ack = add_comment (ada, f->image, thread, "And now?", NULL);
  ok_seq (ack);
  listed_unread (f, f->bo, f->image, &threads, &comments, &mentions);
  g_assert_cmpint (threads, ==, 1);
  g_assert_cmpint (comments, ==, 1);
}

/* ---- mentions ------------------------------------------------------------------ */

/* Kept by id and sent with the comment; the mentioned (only) hears of it;
 * a renamed user still resolves through /api/v1/users; another tenant's
 * user is not found and nothing changes. */
static void
test_mentions (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestClient) ada = rl_test_client_new (f->server, f->ada);
  g_autoptr(RlTestClient) bo = rl_test_client_new_v12 (f->server, f->bo);
  g_autoptr(RlTestClient) cy = rl_test_client_new_v12 (f->server, f->cy);
  g_autoptr(GPtrArray) frames = frames_new ();
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) item = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(RlTestResponse) users = NULL;
  g_autoptr(RlTestResponse) again = NULL;
  g_autoptr(RlTestResponse) renamed = NULL;
  g_autofree char *bo_id = user_of (f->bo);
  g_autofree char *mention_bo = mention_of (f->bo, 3, 6);
  g_autofree char *mentions = g_strdup_printf ("[%s]", mention_bo);
  g_autofree char *rex_mention = mention_of (f->rex, 0, 4);
  g_autofree char *rex_mentions = g_strdup_printf ("[%s]", rex_mention);
  g_autofree char *cy_mention = mention_of (f->cy, 0, 3);
  g_autofree char *cy_mentions = g_strdup_printf ("[%s]", cy_mention);
  g_autofree char *thread = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *out = NULL;
  g_autofree char *threads_path = g_strdup_printf ("/api/v1/docs/%s/threads", f->image);
  const char *headers_etag;
  JsonObject *comment, *span;
  JsonArray *list;
  gboolean found = FALSE;
  gint64 seq;

  subscribe_activity (bo, -1, frames);
  subscribe_activity (cy, -1, frames);

  /* Another tenant's user: not-found, and no seq taken. */
  ack = create_thread (ada, f->image, "@Rex?", rex_mentions, NULL);
  g_assert_cmpstr (rl_test_ack_error (ack), ==, "not-found");
  g_clear_pointer (&ack, json_object_unref);
  /* Spans must start at an "@" and lie in the body. */
  ack = create_thread (ada, f->image, "hi Bo", mentions, NULL);
  g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
  g_clear_pointer (&ack, json_object_unref);

  /* Sent with leading blanks: the span is shifted with the trimming. */
  ack = create_thread (ada, f->image, "   @Bo, look", mentions, &thread);
  seq = ok_seq (ack);
  g_assert_cmpint (seq, ==, 1);
  item = next_item (bo);
  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "mention");
  g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (item, "docSeq"), ==, seq);
  g_assert_cmpint (json_object_get_int_member (item, "threadNumber"), ==, 1);
  comment = json_object_get_object_member (item, "comment");
  g_assert_cmpstr (json_object_get_string_member (comment, "body"), ==, "@Bo, look");
  g_assert_cmpint (json_object_get_int_member (comment, "seq"), ==, seq);
  span = json_array_get_object_element (json_object_get_array_member (comment, "mentions"), 0);
  g_assert_cmpstr (json_object_get_string_member (span, "user"), ==, bo_id);
  g_assert_cmpint (json_object_get_int_member (span, "start"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (span, "end"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (item, "actor"), "name"), ==, "Ada");
  g_clear_pointer (&item, json_object_unref);

  /* Unread, and a mention among it. */
  {
    gint64 threads, comments, mentioned;

    listed_unread (f, f->bo, f->image, &threads, &comments, &mentioned);
    g_assert_cmpint (mentioned, ==, 1);
  }

  /* The snapshot has the comment's seq and mentions too. */
  snapshot = rl_test_client_subscribe (bo, f->image);
  comment = json_array_get_object_element (
    json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (snapshot, "threads"), 0),
                                  "comments"), 0);
  g_assert_cmpint (json_object_get_int_member (comment, "seq"), ==, seq);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (comment, "mentions")), ==, 1);

  /* Cy was not mentioned: her first item is the one meant for her. */
  ack = add_comment (ada, f->image, thread, "@Cy too", cy_mentions);
  ok_seq (ack);
  item = next_item (cy);
  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "mention");
  g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, 1);
  g_clear_pointer (&item, json_object_unref);
  /* Bo was mentioned in the thread: Ada's comment is a reply for him. */
  item = next_item (bo);
  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "reply");
  g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, 2);
  g_clear_pointer (&item, json_object_unref);

  /* The members, with an ETag; renamed, Bo's id is the same and his name new. */
  users = rl_test_http (f->server, "GET", "/api/v1/users", f->dee, NULL, NULL);
  g_assert_cmpuint (users->status, ==, 200);
  headers_etag = soup_message_headers_get_one (users->headers, "ETag");
  g_assert_nonnull (headers_etag);
  etag = g_strdup (headers_etag);
  list = json_node_get_array (users->json);
  g_assert_cmpuint (json_array_get_length (list), ==, 4);   /* acme's four, not Rex */
  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autofree char *url = g_strconcat (f->server->url, "/api/v1/users", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    g_autofree char *bearer = g_strconcat ("Bearer ", f->dee, NULL);
    g_autoptr(GBytes) body = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
    soup_message_headers_replace (soup_message_get_request_headers (msg), "If-None-Match", etag);
    body = soup_session_send_and_read (session, msg, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 304);
  }
  out = rl_test_server_admin (f->server, "user", "rename", "--tenant", "acme", bo_id, "Bodil", NULL);
  renamed = rl_test_http (f->server, "GET", "/api/v1/users", f->dee, NULL, NULL);
  g_assert_cmpstr (soup_message_headers_get_one (renamed->headers, "ETag"), !=, etag);
  list = json_node_get_array (renamed->json);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *user = json_array_get_object_element (list, i);

      if (g_str_equal (json_object_get_string_member (user, "id"), bo_id))
        {
          g_assert_cmpstr (json_object_get_string_member (user, "name"), ==, "Bodil");
          g_assert_cmpstr (json_object_get_string_member (user, "role"), ==, "member");
          found = TRUE;
        }
    }
  g_assert_true (found);
  /* The mention still names him by id. */
  again = rl_test_http (f->server, "GET", threads_path, f->ada, NULL, NULL);
  comment = json_array_get_object_element (
    json_object_get_array_member (
      json_array_get_object_element (json_object_get_array_member (json_node_get_object (again->json), "threads"), 0),
      "comments"), 0);
  span = json_array_get_object_element (json_object_get_array_member (comment, "mentions"), 0);
  g_assert_cmpstr (json_object_get_string_member (span, "user"), ==, bo_id);
}

/* ---- participants ----------------------------------------------------------------- */

/* Replies, resolutions and revisions reach the thread's (or document's)
 * participants; never the one who acted, nor anyone else, nor another
 * tenant. */
static void
test_participants (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RlTestClient) ada = rl_test_client_new (f->server, f->ada);
  g_autoptr(RlTestClient) bo = rl_test_client_new_v12 (f->server, f->bo);
  g_autoptr(RlTestClient) cy = rl_test_client_new_v12 (f->server, f->cy);
  g_autoptr(RlTestClient) dee = rl_test_client_new_v12 (f->server, f->dee);
  g_autoptr(RlTestClient) rex = rl_test_client_new_v12 (f->server, f->rex);
  g_autoptr(RlTestClient) ada12 = rl_test_client_new_v12 (f->server, f->ada);
  g_autoptr(GPtrArray) frames = frames_new ();
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) item = NULL;
  g_autofree char *thread = NULL;
  g_autofree char *broadcast = rl_test_uuid ();
  g_autofree char *png = g_test_build_filename (G_TEST_DIST, "data", "mockup.png", NULL);
  g_autofree char *revisions = g_strdup_printf ("/api/v1/docs/%s/revisions", f->image);
  g_autoptr(RlTestResponse) upload = NULL;
  g_autoptr(GBytes) content = NULL;
  char *bytes = NULL;
  gsize length = 0;

  subscribe_activity (bo, -1, frames);
  subscribe_activity (cy, -1, frames);
  subscribe_activity (dee, -1, frames);
  subscribe_activity (rex, -1, frames);
  subscribe_activity (ada12, -1, frames);

  /* Bo starts a thread, Cy replies: Bo hears of it, Cy (the actor) not. */
  ack = create_thread (bo, f->image, "Spacing?", NULL, &thread);
  ok_seq (ack);
  g_clear_pointer (&ack, json_object_unref);
  ack = add_comment (cy, f->image, thread, "Looks off", NULL);
  ok_seq (ack);
  g_clear_pointer (&ack, json_object_unref);
  item = next_item (bo);
  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "reply");
  g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (item, "comment"), "body"), ==,
                   "Looks off");
  g_clear_pointer (&item, json_object_unref);

  /* Ada resolves it: Bo and Cy hear of it. */
  rl_test_client_send_printf (ada, "{\"type\":\"resolve-thread\",\"req\":\"r\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                   "\"thread\":\"%s\",\"resolved\":true}", broadcast, f->image, thread);
  ack = rl_test_client_expect_ack (ada, "r");
  ok_seq (ack);
  g_clear_pointer (&ack, json_object_unref);
  item = next_item (bo);
  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "resolved");
  g_assert_true (json_object_get_boolean_member (item, "resolved"));
  g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, 2);
  g_clear_pointer (&item, json_object_unref);
  item = next_item (cy);
  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "resolved");
  g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, 1);
  g_clear_pointer (&item, json_object_unref);

  /* A new version by Ada: whoever has a thread or comment in it. */
  g_assert_true (g_file_get_contents (png, &bytes, &length, NULL));
  content = g_bytes_new_take (bytes, length);
  upload = rl_test_http (f->server, "POST", revisions, f->ada, "image/png", content);
  g_assert_cmpuint (upload->status, ==, 201);
  item = next_item (bo);
  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "revision");
  g_assert_cmpint (json_object_get_int_member (item, "revision"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, 3);
  g_clear_pointer (&item, json_object_unref);
  item = next_item (cy);
  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "revision");
  g_clear_pointer (&item, json_object_unref);

  /* Ada acted every time, Dee had nothing to do with it, Rex is another
   * tenant's: their logs are empty, and no item reached them live (it
   * would have come before the ack of a new subscribe-activity). */
  {
    RlTestClient *others[] = { ada12, dee, rex };

    for (guint i = 0; i < G_N_ELEMENTS (others); i++)
      {
        g_ptr_array_set_size (frames, 0);
        g_assert_cmpint (subscribe_activity (others[i], 0, frames), ==, 0);
        g_assert_cmpuint (frames->len, ==, 0);
      }
  }
}

/* ---- reconnecting ------------------------------------------------------------------ */

static void
mention_bo (Fixture      *f,
            RlTestClient *ada,
            const char   *thread)
{
  g_autofree char *mention = mention_of (f->bo, 0, 3);
  g_autofree char *mentions = g_strdup_printf ("[%s]", mention);
  g_autoptr(JsonObject) ack = add_comment (ada, f->image, thread, "@Bo", mentions);

  ok_seq (ack);
}

/* The feed across a dropped socket: subscribe-activity with since brings
 * exactly what was missed, in order, then live items go on from there. */
static void
test_reconnect (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(RlTestClient) ada = rl_test_client_new (f->server, f->ada);
  g_autoptr(RlTestClient) bo = rl_test_client_new_v12 (f->server, f->bo);
  g_autoptr(GPtrArray) frames = frames_new ();
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) item = NULL;
  g_autofree char *thread = NULL;
  gint64 last = 0, head;

  subscribe_activity (bo, -1, frames);
  ack = create_thread (ada, f->image, "Start", NULL, &thread);
  ok_seq (ack);
  for (guint i = 0; i < 3; i++)
    mention_bo (f, ada, thread);
  /* Two of the three arrive, then the socket drops mid-stream. */
  for (guint i = 0; i < 2; i++)
    {
      item = next_item (bo);
      g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, last + 1);
      last++;
      g_clear_pointer (&item, json_object_unref);
    }
  g_clear_pointer (&bo, rl_test_client_free);
  for (guint i = 0; i < 2; i++)
    mention_bo (f, ada, thread);

  /* Back with since: items 3, 4, 5, once each and in order. */
  bo = rl_test_client_new_v12 (f->server, f->bo);
  g_ptr_array_set_size (frames, 0);
  head = subscribe_activity (bo, last, frames);
  g_assert_cmpint (head, ==, 5);
  g_assert_cmpuint (frames->len, ==, 3);
  for (guint i = 0; i < frames->len; i++)
    {
      JsonObject *frame = g_ptr_array_index (frames, i);

      g_assert_cmpstr (json_object_get_string_member (frame, "type"), ==, "activity");
      g_assert_cmpint (json_object_get_int_member (frame, "aseq"), ==, last + 1 + i);
    }
  /* Live from there: the next is 6, nothing repeated before it. */
  mention_bo (f, ada, thread);
  item = next_item (bo);
  g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, 6);
  g_clear_pointer (&item, json_object_unref);

  /* Past the head: a reset snapshot at the head. */
  g_ptr_array_set_size (frames, 0);
  g_assert_cmpint (subscribe_activity (bo, 99, frames), ==, 6);
  g_assert_cmpuint (frames->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (frames, 0), "type"), ==, "activity-snapshot");
  g_assert_true (json_object_get_boolean_member (g_ptr_array_index (frames, 0), "reset"));
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (frames, 0), "aseq"), ==, 6);
}

/* A log that no longer holds what follows since: a reset snapshot. */
static void
test_pruned (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(RlTestClient) ada = rl_test_client_new (f->server, f->ada);
  g_autoptr(RlTestClient) bo = rl_test_client_new_v12 (f->server, f->bo);
  g_autoptr(GPtrArray) frames = frames_new ();
  g_autoptr(JsonObject) ack = NULL;
  g_autofree char *thread = NULL;
  JsonObject *snapshot;
  JsonArray *items;

  ack = create_thread (ada, f->image, "Start", NULL, &thread);
  ok_seq (ack);
  for (guint i = 0; i < 4; i++)
    mention_bo (f, ada, thread);
  g_assert_cmpint (subscribe_activity (bo, 1, frames), ==, 4);
  g_assert_cmpuint (frames->len, ==, 1);
  snapshot = g_ptr_array_index (frames, 0);
  g_assert_cmpstr (json_object_get_string_member (snapshot, "type"), ==, "activity-snapshot");
  g_assert_true (json_object_get_boolean_member (snapshot, "reset"));
  /* The two the log keeps, oldest first. */
  items = json_object_get_array_member (snapshot, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0), "aseq"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 1), "aseq"), ==, 4);
  /* From the start of what it keeps: a replay. */
  g_ptr_array_set_size (frames, 0);
  g_assert_cmpint (subscribe_activity (bo, 2, frames), ==, 4);
  g_assert_cmpuint (frames->len, ==, 2);
}

/* ---- older connections, hostile input --------------------------------------------- */

static JsonObject *
next_not_presence (RlTestClient *client)
{
  for (;;)
    {
      JsonObject *frame = rl_test_client_next (client);

      if (!g_str_equal (json_object_get_string_member (frame, "type"), "presence"))
        return frame;
      json_object_unref (frame);
    }
}

/* v1 and 1.1 connections: 1.2's requests are unknown types, their
 * subscribe ack has no read state, and no activity frame reaches them. */
static void
test_older_connections (Fixture       *f,
                        gconstpointer  data)
{
  RlTestClient *clients[] = { rl_test_client_new (f->server, f->bo), rl_test_client_new_v11 (f->server, f->bo) };
  g_autoptr(RlTestClient) ada = rl_test_client_new (f->server, f->ada);
  g_autoptr(RlTestClient) bo12 = rl_test_client_new_v12 (f->server, f->bo);
  g_autoptr(GPtrArray) frames = frames_new ();
  g_autoptr(JsonObject) item = NULL;
  g_autofree char *thread = NULL;
  g_autofree char *broadcast = rl_test_uuid ();

  subscribe_activity (bo12, -1, frames);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      const char *requests[] = {
        "{\"type\":\"subscribe-activity\",\"req\":\"x\"}",
        "{\"type\":\"unsubscribe-activity\",\"req\":\"x\"}",
      };
      g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (clients[i], f->image);
      g_autoptr(JsonObject) ack = NULL;

      for (guint r = 0; r < G_N_ELEMENTS (requests); r++)
        {
          rl_test_client_send (clients[i], requests[r]);
          ack = rl_test_client_expect_ack (clients[i], "x");
          g_assert_cmpstr (rl_test_ack_error (ack), ==, "unknown-type");
          g_clear_pointer (&ack, json_object_unref);
        }
      rl_test_client_send_printf (clients[i], "{\"type\":\"mark-read\",\"req\":\"x\",\"broadcastId\":\"%s\","
                                              "\"doc\":\"%s\",\"seq\":0}", broadcast, f->image);
      ack = rl_test_client_expect_ack (clients[i], "x");
      g_assert_cmpstr (rl_test_ack_error (ack), ==, "unknown-type");
      g_clear_pointer (&ack, json_object_unref);
      /* Their subscribe's ack has no read state. */
      rl_test_client_send_printf (clients[i], "{\"type\":\"subscribe\",\"req\":\"s\",\"doc\":\"%s\"}", f->image);
      ack = rl_test_client_expect_ack (clients[i], "s");
      g_assert_false (json_object_has_member (ack, "read"));
    }

  /* Bo is mentioned: his 1.2 connection hears of it; the others get the
   * event (with the comment's additive members) and nothing else. */
  {
    g_autofree char *mention = mention_of (f->bo, 0, 3);
    g_autofree char *mentions = g_strdup_printf ("[%s]", mention);
    g_autoptr(JsonObject) ack = create_thread (ada, f->image, "@Bo", mentions, &thread);

    ok_seq (ack);
  }
  item = next_item (bo12);
  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "mention");
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autoptr(JsonObject) event = rl_test_client_expect (clients[i], "new-image-chat");
      JsonObject *comment = json_array_get_object_element (
        json_object_get_array_member (json_object_get_object_member (event, "thread"), "comments"), 0);

      g_assert_true (json_object_has_member (comment, "seq"));
      g_assert_true (json_object_has_member (comment, "mentions"));
    }
  /* Then Ada's next change: it is the next frame they get (an activity
   * frame would have come before its event: it is sent at once). */
  {
    g_autoptr(JsonObject) ack = add_comment (ada, f->image, thread, "more", NULL);

    ok_seq (ack);
  }
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autoptr(JsonObject) next = next_not_presence (clients[i]);

      g_assert_cmpstr (json_object_get_string_member (next, "type"), ==, "image-chat-updated");
      rl_test_client_free (clients[i]);
    }
}

#define SPAM 600

/* Out-of-range seqs, other tenants' ids, huge mention lists, spam: clear
 * errors, nothing changed, the connection serves on. */
static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(RlTestClient) bo = rl_test_client_new_v12 (f->server, f->bo);
  g_autoptr(RlTestClient) ada = rl_test_client_new (f->server, f->ada);
  g_autoptr(GPtrArray) frames = frames_new ();
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GString) many = g_string_new ("[");
  g_autofree char *thread = NULL;
  g_autofree char *rex_doc = rl_test_add_doc (f->server, "globex", "Theirs", "mockup.png");
  g_autofree char *user = user_of (f->bo);
  g_autofree char *nowhere = rl_test_uuid ();
  guint limited = 0, done = 0;
  gint64 seq, threads, comments, mentions;

  ack = create_thread (ada, f->image, "Start", NULL, &thread);
  seq = ok_seq (ack);
  g_clear_pointer (&ack, json_object_unref);
  subscribe_activity (bo, -1, frames);

  /* Past the head, another tenant's document, a thread of none. */
  rl_test_client_send_printf (bo, "{\"type\":\"mark-read\",\"req\":\"m\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                  "\"seq\":%" G_GINT64_FORMAT "}", thread, f->image, seq + 1);
  ack = rl_test_client_expect_ack (bo, "m");
  g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
  g_clear_pointer (&ack, json_object_unref);
  rl_test_client_send_printf (bo, "{\"type\":\"mark-read\",\"req\":\"m\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                  "\"seq\":0}", thread, rex_doc);
  ack = rl_test_client_expect_ack (bo, "m");
  g_assert_cmpstr (rl_test_ack_error (ack), ==, "not-found");
  g_clear_pointer (&ack, json_object_unref);
  rl_test_client_send_printf (bo, "{\"type\":\"mark-read\",\"req\":\"m\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                  "\"thread\":\"%s\",\"seq\":1}", thread, f->image, nowhere);
  ack = rl_test_client_expect_ack (bo, "m");
  g_assert_cmpstr (rl_test_ack_error (ack), ==, "not-found");
  g_clear_pointer (&ack, json_object_unref);
  listed_unread (f, f->bo, f->image, &threads, &comments, &mentions);
  g_assert_cmpint (comments, ==, 1);

  /* 33 mentions. */
  for (guint i = 0; i < 33; i++)
    {
      g_string_append (body, "@Bo ");
      g_string_append_printf (many, "%s{\"user\":\"%s\",\"start\":%u,\"end\":%u}", i ? "," : "", user, 4 * i,
                              4 * i + 3);
    }
  g_string_append (many, "]");
  ack = add_comment (ada, f->image, thread, body->str, many->str);
  g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
  g_clear_pointer (&ack, json_object_unref);

  /* Spam: the mutation bucket runs dry, and says so. */
  for (guint i = 0; i < SPAM; i++)
    rl_test_client_send_printf (bo, "{\"type\":\"mark-read\",\"req\":\"spam\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                    "\"seq\":%" G_GINT64_FORMAT "}", thread, f->image, seq);
  while (done < SPAM)
    {
      g_autoptr(JsonObject) frame = rl_test_client_next (bo);

      if (!g_str_equal (json_object_get_string_member (frame, "type"), "ack"))
        continue;
      done++;
      if (g_strcmp0 (rl_test_ack_error (frame), "rate-limited") == 0)
        limited++;
      else
        g_assert_null (rl_test_ack_error (frame));
    }
  g_assert_cmpuint (limited, >, 0);
  listed_unread (f, f->bo, f->image, &threads, &comments, &mentions);
  g_assert_cmpint (comments, ==, 0);
  /* Still serving. */
  g_ptr_array_set_size (frames, 0);
  subscribe_activity (bo, -1, frames);
}

/* ---- unread hints --------------------------------------------------------------- */

/* The next frame is an unread-hint; its document. */
static char *
next_hint (RlTestClient *client)
{
  g_autoptr(JsonObject) frame = rl_test_client_next (client);

  g_assert_cmpstr (json_object_get_string_member (frame, "type"), ==, "unread-hint");
  g_assert_cmpuint (json_object_get_size (frame), ==, 2);
  return g_strdup (json_object_get_string_member (frame, "doc"));
}

/* The next frame is the ack of a request sent now (req "q"): nothing came
 * before it. Its error code (NULL: ok). */
static char *
next_is_ack (RlTestClient *client,
             const char   *request)
{
  g_autoptr(JsonObject) frame = NULL;

  rl_test_client_send (client, request);
  frame = rl_test_client_next (client);
  g_assert_cmpstr (json_object_get_string_member (frame, "type"), ==, "ack");
  g_assert_cmpstr (json_object_get_string_member (frame, "req"), ==, "q");
  return g_strdup (rl_test_ack_error (frame));
}

/* Bo comments in a thread Ada is not in, on a document she has not open:
 * no item of hers, but her feed-following connection is told, in one
 * hint per second at most (ten comments at once: two, the last after
 * them all); not her connection that does not follow the feed, nor her
 * 1.1 one, nor another tenant's. */
static void
test_unread_hint (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(RlTestClient) bo = rl_test_client_new (f->server, f->bo);
  g_autoptr(RlTestClient) ada = rl_test_client_new_v12 (f->server, f->ada);
  g_autoptr(RlTestClient) ada_quiet = rl_test_client_new_v12 (f->server, f->ada);
  g_autoptr(RlTestClient) ada11 = rl_test_client_new_v11 (f->server, f->ada);
  g_autoptr(RlTestClient) rex = rl_test_client_new_v12 (f->server, f->rex);
  g_autoptr(GPtrArray) frames = frames_new ();
  g_autoptr(JsonObject) ack = NULL;
  g_autofree char *thread = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *error = NULL;
  g_autofree char *other = rl_test_add_doc (f->server, "acme", "Other", "mockup.png");
  guint hints = 0, acked = 0;
  gboolean strict;
  gint64 threads, comments, mentions;
  gint64 started, all_acked;

  ack = create_thread (bo, f->image, "Start", NULL, &thread);
  ok_seq (ack);
  g_clear_pointer (&ack, json_object_unref);
  subscribe_activity (ada, -1, frames);
  subscribe_activity (rex, -1, frames);

  /* Ten replies at once: the first is told at once, the rest in one hint
   * when a second has passed since (one more only when the machine took
   * longer than that second to commit them all). */
  started = g_get_monotonic_time ();
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *comment = rl_test_uuid ();
      g_autofree char *broadcast = rl_test_uuid ();

      rl_test_client_send_printf (bo, "{\"type\":\"add-comment\",\"req\":\"a\",\"broadcastId\":\"%s\","
                                      "\"doc\":\"%s\",\"thread\":\"%s\",\"comment\":{\"id\":\"%s\","
                                      "\"body\":\"more\"}}", broadcast, f->image, thread, comment);
    }
  while (acked < 10)
    {
      g_autoptr(JsonObject) frame = rl_test_client_expect_ack (bo, "a");

      g_assert_null (rl_test_ack_error (frame));
      acked++;
    }
  all_acked = g_get_monotonic_time ();
  /* All committed within a second of the first: its hint's one pending
   * successor covers them all. A slower machine may need one more. */
  strict = all_acked - started < G_TIME_SPAN_SECOND;
  g_test_message ("ten replies committed in %" G_GINT64_FORMAT " ms%s",
                  (all_acked - started) / G_TIME_SPAN_MILLISECOND, strict ? "" : ": a third hint allowed");
  for (; hints < 2; hints++)
    {
      g_clear_pointer (&hint, g_free);
      hint = next_hint (ada);
      g_assert_cmpstr (hint, ==, f->image);
    }
  /* What a hint says is "read it again": it is there. */
  listed_unread (f, f->ada, f->image, &threads, &comments, &mentions);
  g_assert_cmpint (threads, ==, 1);
  g_assert_cmpint (comments, ==, 11);

  /* A thread on another document: told at once, and nothing more of the
   * first came before it. */
  ack = create_thread (bo, other, "Elsewhere", NULL, NULL);
  ok_seq (ack);
  g_clear_pointer (&hint, g_free);
  hint = next_hint (ada);
  if (!strict && g_strcmp0 (hint, f->image) == 0)
    {
      g_clear_pointer (&hint, g_free);
      hint = next_hint (ada);
    }
  g_assert_cmpstr (hint, ==, other);

  /* The others heard nothing (a hint is sent at the commit, before any
   * later answer): the next frame each gets is the answer to a request. */
  error = next_is_ack (rex, "{\"type\":\"unsubscribe-activity\",\"req\":\"q\"}");
  g_assert_null (error);
  error = next_is_ack (ada_quiet, "{\"type\":\"unsubscribe-activity\",\"req\":\"q\"}");
  g_assert_cmpstr (error, ==, "not-found");
  g_clear_pointer (&error, g_free);
  error = next_is_ack (ada11, "{\"type\":\"subscribe-activity\",\"req\":\"q\"}");
  g_assert_cmpstr (error, ==, "unknown-type");
  /* Nor any item for Ada: her log is empty. */
  g_ptr_array_set_size (frames, 0);
  g_assert_cmpint (subscribe_activity (ada, 0, frames), ==, 0);
  g_assert_cmpuint (frames->len, ==, 0);
}

/* ---- two nodes ---------------------------------------------------------------- */

/* With PostgreSQL and two nodes: items committed on one node reach the
 * user's feed on the other, once and in order, the `read` of a mark-read
 * too. */
static void
test_two_nodes (void)
{
  RlTestCluster cluster;
  const char *ada, *bo;
  const char *image;
  g_autoptr(GPtrArray) frames = frames_new ();
  g_autofree char *thread = NULL;
  g_autofree char *broadcast = rl_test_uuid ();

  rl_test_cluster_init (&cluster);
  ada = rl_test_team_add_person (&cluster.team, "Ada:admin");
  bo = rl_test_team_add_person (&cluster.team, "Bo:member");
  image = rl_test_team_add_doc (&cluster.team, "acme", "Mockup", "mockup.png");
  rl_test_cluster_start (&cluster);
  {
    g_autoptr(RlTestClient) ada_a = rl_test_client_new (cluster.nodes[0], ada);
    g_autoptr(RlTestClient) bo_a = rl_test_client_new_v12 (cluster.nodes[0], bo);
    g_autoptr(RlTestClient) bo_b = rl_test_client_new_v12 (cluster.nodes[1], bo);
    g_autofree char *mention = mention_of (bo, 0, 3);
    g_autofree char *mentions = g_strdup_printf ("[%s]", mention);
    g_autoptr(JsonObject) ack = NULL;
    g_autoptr(JsonObject) item = NULL;
    gint64 seq;

    subscribe_activity (bo_b, -1, frames);
    ack = create_thread (ada_a, image, "@Bo", mentions, &thread);
    seq = ok_seq (ack);
    g_clear_pointer (&ack, json_object_unref);
    for (guint i = 0; i < 3; i++)
      {
        g_autoptr(JsonObject) more = add_comment (ada_a, image, thread, "@Bo", mentions);

        ok_seq (more);
      }
    for (guint i = 0; i < 4; i++)
      {
        item = next_item (bo_b);
        g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "mention");
        g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, i + 1);
        g_clear_pointer (&item, json_object_unref);
      }
    /* Read on node a, heard on node b. */
    rl_test_client_send_printf (bo_a, "{\"type\":\"mark-read\",\"req\":\"m\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                      "\"seq\":%" G_GINT64_FORMAT "}", broadcast, image, seq + 3);
    ack = rl_test_client_expect_ack (bo_a, "m");
    g_assert_null (rl_test_ack_error (ack));
    item = next_item (bo_b);
    g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "read");
    g_assert_cmpstr (json_object_get_string_member (item, "broadcastId"), ==, broadcast);
    g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, 5);
  }
  rl_test_cluster_clear (&cluster);
}

/* With two nodes: Bo's thread, committed on node a, reaches Ada's
 * feed-following connection on node b as a hint (node b's own doing, from
 * the event's announcement), and no item. */
static void
test_unread_hint_two_nodes (void)
{
  RlTestCluster cluster;
  const char *ada, *bo;
  const char *image;
  g_autoptr(GPtrArray) frames = frames_new ();

  rl_test_cluster_init (&cluster);
  ada = rl_test_team_add_person (&cluster.team, "Ada:admin");
  bo = rl_test_team_add_person (&cluster.team, "Bo:member");
  image = rl_test_team_add_doc (&cluster.team, "acme", "Mockup", "mockup.png");
  rl_test_cluster_start (&cluster);
  {
    g_autoptr(RlTestClient) bo_a = rl_test_client_new (cluster.nodes[0], bo);
    g_autoptr(RlTestClient) ada_b = rl_test_client_new_v12 (cluster.nodes[1], ada);
    g_autoptr(JsonObject) ack = NULL;
    g_autofree char *hint = NULL;

    subscribe_activity (ada_b, -1, frames);
    ack = create_thread (bo_a, image, "From node a", NULL, NULL);
    ok_seq (ack);
    hint = next_hint (ada_b);
    g_assert_cmpstr (hint, ==, image);
    g_ptr_array_set_size (frames, 0);
    g_assert_cmpint (subscribe_activity (ada_b, 0, frames), ==, 0);
    g_assert_cmpuint (frames->len, ==, 0);
  }
  rl_test_cluster_clear (&cluster);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/activity/unread-two-computers", Fixture, NULL, setup, test_unread_two_computers, teardown);
  g_test_add ("/activity/mentions", Fixture, NULL, setup, test_mentions, teardown);
  g_test_add ("/activity/participants", Fixture, NULL, setup, test_participants, teardown);
  g_test_add ("/activity/reconnect", Fixture, NULL, setup, test_reconnect, teardown);
  g_test_add ("/activity/pruned", Fixture, "--activity-log-limit=2", setup, test_pruned, teardown);
  g_test_add ("/activity/older-connections", Fixture, NULL, setup, test_older_connections, teardown);
  g_test_add ("/activity/hostile", Fixture, NULL, setup, test_hostile, teardown);
  g_test_add ("/activity/unread-hint", Fixture, NULL, setup, test_unread_hint, teardown);
  g_test_add_func ("/activity/two-nodes", test_two_nodes);
  g_test_add_func ("/activity/unread-hint/two-nodes", test_unread_hint_two_nodes);

  return g_test_run ();
}
