/* test-server-api.c — the HTTP API, tenant isolation on every endpoint and
 * request, durability across SIGKILL, graceful stop, TLS, usage and secrets,
 * all against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <sqlite3.h>
#include <string.h>

#include "rl-test-server.h"

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *admin;      /* acme admin */
  const char   *member;     /* acme member */
  const char   *viewer;     /* acme viewer */
  const char   *rival;      /* globex member */
  const char   *image;      /* acme image */
  const char   *page;       /* acme page */
  const char   *rival_doc;  /* globex image */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_team_init (&f->team, "Ada:admin", &f->admin,
                               "Mia:member", &f->member,
                               "Vic:viewer", &f->viewer,
                               "globex/Rex:member", &f->rival,
                               NULL);
  f->server = f->team.server;
  f->image = rl_test_team_add_doc (&f->team, "acme", "Mockup", "mockup.png");
  f->page = rl_test_team_add_doc (&f->team, "acme", "Copy", "page.md");
  f->rival_doc = rl_test_team_add_doc (&f->team, "globex", "Their mockup", "mockup.png");
  rl_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_team_clear (&f->team);
}

static GBytes *
read_data (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static JsonObject *
response_object (RlTestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

static guint
doc_count (Fixture    *f,
           const char *token)
{
  g_autoptr(RlTestResponse) list = rl_test_http (f->server, "GET", "/api/v1/docs", token, NULL, NULL);

  g_assert_cmpuint (list->status, ==, 200);
  return json_array_get_length (json_node_get_array (list->json));
}

/* Sends a create-thread of a marker; returns the ack. */
static JsonObject *
create_marker (RlTestClient *client,
               const char   *doc,
               const char   *thread,
               const char   *comment)
{
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *bc = rl_test_uuid ();

  rl_test_client_send_printf (client,
                              "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.5,\"y\":0.5}},"
                              "\"comment\":{\"id\":\"%s\",\"body\":\"Tighter spacing here\"}}",
                              req, bc, doc, thread, comment);
  return rl_test_client_expect_ack (client, req);
}

static void
test_healthz_and_not_found (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(RlTestResponse) health = rl_test_http (f->server, "GET", "/healthz", NULL, NULL, NULL);
  g_autoptr(RlTestResponse) missing = rl_test_http (f->server, "GET", "/api/v1/nothing", f->member, NULL, NULL);
  g_autoptr(RlTestResponse) no_token = rl_test_http (f->server, "GET", "/api/v1/docs", NULL, NULL, NULL);
  g_autoptr(RlTestResponse) wrong_method = rl_test_http (f->server, "DELETE", "/api/v1/docs", f->member, NULL, NULL);

  g_assert_cmpuint (health->status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (health->body, NULL), g_bytes_get_size (health->body), "ok", 2);
  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpstr (rl_test_response_error_code (missing), ==, "not-found");
  g_assert_cmpuint (no_token->status, ==, 401);
  g_assert_cmpstr (rl_test_response_error_code (no_token), ==, "unauthorized");
  g_assert_cmpuint (wrong_method->status, ==, 405);
  g_assert_cmpstr (rl_test_response_error_code (wrong_method), ==, "bad-request");
}

static void
test_documents (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(RlTestResponse) list = rl_test_http (f->server, "GET", "/api/v1/docs", f->member, NULL, NULL);
  g_autofree char *meta_path = g_strdup_printf ("/api/v1/docs/%s", f->image);
  g_autofree char *content_path = g_strdup_printf ("/api/v1/docs/%s/content", f->image);
  g_autoptr(RlTestResponse) meta = rl_test_http (f->server, "GET", meta_path, f->member, NULL, NULL);
  g_autoptr(RlTestResponse) content = rl_test_http (f->server, "GET", content_path, f->member, NULL, NULL);
  g_autoptr(GBytes) original = read_data ("mockup.png");
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) conditional = NULL;
  g_autoptr(GBytes) unchanged = NULL;
  g_autofree char *uri = g_strconcat (f->server->url, content_path, NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", f->member, NULL);
  JsonObject *doc = response_object (meta);
  JsonArray *docs = json_node_get_array (list->json);
  const char *etag;

  g_assert_cmpuint (list->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (docs), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (docs, 0), "id"), ==, f->image);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (docs, 1), "kind"), ==, "page");

  g_assert_cmpstr (json_object_get_string_member (doc, "kind"), ==, "image");
  g_assert_cmpstr (json_object_get_string_member (doc, "title"), ==, "Mockup");
  g_assert_cmpstr (json_object_get_string_member (doc, "mime"), ==, "image/png");
  g_assert_cmpint (json_object_get_int_member (doc, "width"), ==, 64);
  g_assert_cmpint (json_object_get_int_member (doc, "height"), ==, 48);
  g_assert_cmpint (json_object_get_int_member (doc, "size"), ==, (gint64) g_bytes_get_size (original));
  g_assert_nonnull (json_object_get_string_member (doc, "createdAt"));
  g_assert_nonnull (json_object_get_object_member (doc, "createdBy"));

  g_assert_cmpuint (content->status, ==, 200);
  g_assert_true (g_bytes_equal (content->body, original));
  g_assert_cmpstr (soup_message_headers_get_content_type (content->headers, NULL), ==, "image/png");
  etag = soup_message_headers_get_one (content->headers, "ETag");
  g_assert_nonnull (etag);

  conditional = soup_message_new ("GET", uri);
  soup_message_headers_replace (soup_message_get_request_headers (conditional), "Authorization", bearer);
  soup_message_headers_replace (soup_message_get_request_headers (conditional), "If-None-Match", etag);
  unchanged = soup_session_send_and_read (session, conditional, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (conditional), ==, 304);
}

static GBytes *
encode_image (const char *format)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 40, 30);
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  gdk_pixbuf_fill (pixbuf, 0x3584e4ff);
  gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, format, &error, NULL);
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static void
assert_upload (Fixture    *f,
               const char *token,
               const char *title_query,
               const char *mime,
               GBytes     *body,
               guint       status,
               const char *code)
{
  g_autofree char *path = g_strconcat ("/api/v1/docs", title_query, NULL);
  g_autoptr(RlTestResponse) response = rl_test_http (f->server, "POST", path, token, mime, body);

  if (response->status != status)
    g_error ("upload %s %s: expected %u, got %u", title_query, mime, status, response->status);
  if (code)
    g_assert_cmpstr (rl_test_response_error_code (response), ==, code);
}

static void
test_uploads (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) png = read_data ("mockup.png");
  g_autoptr(GBytes) jpeg = encode_image ("jpeg");
  g_autoptr(GBytes) garbage = read_data ("not-an-image.png");
  g_autoptr(GBytes) bomb = read_data ("bomb.png");
  g_autoptr(GBytes) bad_utf8 = read_data ("bad-utf8.md");
  g_autoptr(GBytes) markdown = g_bytes_new_static ("# Spec\n\nText", 12);
  g_autoptr(GBytes) plain = g_bytes_new_static ("Plain words", 11);
  g_autoptr(RlTestResponse) created = NULL;
  guint before;

  /* Good uploads. */
  created = rl_test_http (f->server, "POST", "/api/v1/docs?title=Hero%20v2", f->member, "image/png", png);
  g_assert_cmpuint (created->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (response_object (created), "title"), ==, "Hero v2");
  g_assert_cmpint (json_object_get_int_member (response_object (created), "width"), ==, 64);
  assert_upload (f, f->member, "?title=Photo", "image/jpeg", jpeg, 201, NULL);
  assert_upload (f, f->member, "?title=Spec", "text/markdown; charset=utf-8", markdown, 201, NULL);
  assert_upload (f, f->member, "?title=Notes", "text/plain", plain, 201, NULL);
  {
    /* WebP through the same pixbuf loader the server uses. */
    GSList *formats = gdk_pixbuf_get_formats ();
    gboolean writable = FALSE;

    for (GSList *l = formats; l; l = l->next)
      {
        g_autofree char *name = gdk_pixbuf_format_get_name (l->data);

        if (g_str_equal (name, "webp") && gdk_pixbuf_format_is_writable (l->data))
          writable = TRUE;
      }
    g_slist_free (formats);
    g_assert_true (writable);
    {
      g_autoptr(GBytes) webp = encode_image ("webp");

      assert_upload (f, f->member, "?title=Web", "image/webp", webp, 201, NULL);
    }
  }

  /* Refusals, each changing nothing. */
  before = doc_count (f, f->member);
  assert_upload (f, f->member, "?title=Fake", "image/png", garbage, 400, "bad-request");
  assert_upload (f, f->member, "?title=Bomb", "image/png", bomb, 413, "too-large");
  assert_upload (f, f->member, "?title=Liar", "image/png", jpeg, 400, "bad-request");
  assert_upload (f, f->member, "?title=Pdf", "application/pdf", png, 400, "bad-request");
  assert_upload (f, f->member, "?title=Bad", "text/markdown", bad_utf8, 400, "bad-request");
  assert_upload (f, f->member, "", "image/png", png, 400, "bad-request");
  assert_upload (f, f->member, "?title=%20%20", "image/png", png, 400, "bad-request");
  assert_upload (f, f->viewer, "?title=Nope", "image/png", png, 403, "forbidden");
  assert_upload (f, f->rival, "?title=Mine", "image/png", png, 201, NULL);
  g_assert_cmpuint (doc_count (f, f->member), ==, before);
}

static void
test_upload_too_large (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *uri = g_strconcat (f->server->url, "/api/v1/docs?title=Huge", NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", f->member, NULL);
  g_autoptr(RlTestResponse) health = NULL;
  gsize size = 50 * 1024 * 1024 + 1;

  /* Refused from its Content-Length, before the body is read. */
  body = g_bytes_new_take (g_malloc0 (size), size);
  msg = soup_message_new ("POST", uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  soup_message_set_request_body_from_bytes (msg, "image/png", body);
  g_bytes_unref (soup_session_send_and_read (session, msg, NULL, NULL));
  g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
  g_assert_cmpuint (doc_count (f, f->member), ==, 2);
  health = rl_test_http (f->server, "GET", "/healthz", NULL, NULL, NULL);
  g_assert_cmpuint (health->status, ==, 200);
}

static void
test_threads_endpoint_matches_snapshot (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->member);
  g_autoptr(JsonObject) empty = rl_test_client_subscribe (client, f->image);
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/threads", f->image);
  g_autoptr(RlTestResponse) threads = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonNode) snapshot_threads = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid ();
      g_autoptr(JsonObject) ack = create_marker (client, f->image, t, c);

      g_assert_null (rl_test_ack_error (ack));
    }

  threads = rl_test_http (f->server, "GET", path, f->member, NULL, NULL);
  g_assert_cmpuint (threads->status, ==, 200);
  {
    g_autoptr(RlTestClient) other = rl_test_client_new (f->server, f->admin);

    snapshot = rl_test_client_subscribe (other, f->image);
  }
  g_assert_cmpint (json_object_get_int_member (response_object (threads), "seq"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (snapshot, "seq"), ==, 3);
  snapshot_threads = json_node_ref (json_object_get_member (snapshot, "threads"));
  g_assert_true (json_node_equal (snapshot_threads, json_object_get_member (response_object (threads), "threads")));
}

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(RlTestResponse) before = rl_test_http (f->server, "GET", "/api/v1/usage", f->admin, NULL, NULL);
  g_autoptr(RlTestResponse) after = NULL;
  g_autoptr(RlTestResponse) denied = rl_test_http (f->server, "GET", "/api/v1/usage", f->member, NULL, NULL);
  g_autoptr(RlTestResponse) rival = NULL;
  g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->member);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (client, f->image);
  g_autofree char *rival_token = rl_test_add_user (f->server, "globex", "Gina", "admin");
  gint64 messages_before, bytes_before;

  g_assert_cmpuint (before->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (response_object (before), "tenant"), ==, "acme");
  messages_before = json_object_get_int_member (response_object (before), "pubSubMessageCount");
  bytes_before = json_object_get_int_member (response_object (before), "pubSubBandwidth");
  g_assert_cmpuint (denied->status, ==, 403);
  g_assert_cmpstr (rl_test_response_error_code (denied), ==, "forbidden");

  /* welcome + snapshot + ack (+ presence) reached the member's connection. */
  after = rl_test_http (f->server, "GET", "/api/v1/usage", f->admin, NULL, NULL);
  g_assert_cmpint (json_object_get_int_member (response_object (after), "pubSubMessageCount"), >=, messages_before + 3);
  g_assert_cmpint (json_object_get_int_member (response_object (after), "pubSubBandwidth"), >, bytes_before + 200);
  g_assert_cmpint (json_object_get_int_member (response_object (after), "connections"), ==, 1);

  /* Another tenant's counters are its own. */
  rival = rl_test_http (f->server, "GET", "/api/v1/usage", rival_token, NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (response_object (rival), "tenant"), ==, "globex");
  g_assert_cmpint (json_object_get_int_member (response_object (rival), "pubSubMessageCount"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (response_object (rival), "connections"), ==, 0);

  /* Kept across a restart. */
  {
    g_autoptr(RlTestResponse) restarted = NULL;
    gint64 counted = json_object_get_int_member (response_object (after), "pubSubMessageCount");

    g_clear_pointer (&client, rl_test_client_free);
    rl_test_server_stop (f->server);
    rl_test_server_start (f->server);
    restarted = rl_test_http (f->server, "GET", "/api/v1/usage", f->admin, NULL, NULL);
    g_assert_cmpint (json_object_get_int_member (response_object (restarted), "pubSubMessageCount"), >=, counted);
  }
}

static void
test_cross_tenant (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RlTestClient) owner = rl_test_client_new (f->server, f->member);
  g_autoptr(RlTestClient) intruder = rl_test_client_new (f->server, f->rival);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (owner, f->image);
  g_autoptr(JsonObject) after = NULL;
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  const char *suffixes[] = { "", "/content", "/threads" };
  const char *templates[] = {
    "{\"type\":\"subscribe\",\"doc\":\"{DOC}\"}",
    "{\"type\":\"subscribe\",\"doc\":\"{DOC}\",\"since\":0}",
    "{\"type\":\"unsubscribe\",\"doc\":\"{DOC}\"}",
    "{\"type\":\"create-thread\",\"broadcastId\":\"{BC}\",\"doc\":\"{DOC}\",\"thread\":{\"id\":\"{FRESH}\","
    "\"anchor\":{\"x\":0.1,\"y\":0.1}},\"comment\":{\"id\":\"{FRESH2}\",\"body\":\"mine\"}}",
    "{\"type\":\"add-comment\",\"broadcastId\":\"{BC}\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\","
    "\"comment\":{\"id\":\"{FRESH}\",\"body\":\"reply\"}}",
    "{\"type\":\"edit-comment\",\"broadcastId\":\"{BC}\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\","
    "\"comment\":{\"id\":\"{COMMENT}\",\"body\":\"hijacked\"}}",
    "{\"type\":\"delete-comment\",\"broadcastId\":\"{BC}\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"comment\":\"{COMMENT}\"}",
    "{\"type\":\"resolve-thread\",\"broadcastId\":\"{BC}\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"resolved\":true}",
    "{\"type\":\"move-thread\",\"broadcastId\":\"{BC}\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\",\"anchor\":{\"x\":0,\"y\":0}}",
    "{\"type\":\"delete-thread\",\"broadcastId\":\"{BC}\",\"doc\":\"{DOC}\",\"thread\":\"{THREAD}\"}",
    /* acme's real thread, addressed through globex's own document */
    "{\"type\":\"delete-thread\",\"broadcastId\":\"{BC}\",\"doc\":\"{RIVAL}\",\"thread\":\"{THREAD}\"}",
  };

  {
    g_autoptr(JsonObject) ack = create_marker (owner, f->image, thread, comment);

    g_assert_null (rl_test_ack_error (ack));
    json_object_unref (rl_test_client_expect (owner, "new-image-chat"));
  }

  /* HTTP: globex's token finds nothing of acme's, on every endpoint. */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s%s", f->image, suffixes[i]);
      g_autoptr(RlTestResponse) response = rl_test_http (f->server, "GET", path, f->rival, NULL, NULL);

      g_assert_cmpuint (response->status, ==, 404);
      g_assert_cmpstr (rl_test_response_error_code (response), ==, "not-found");
    }
  {
    g_autoptr(RlTestResponse) list = rl_test_http (f->server, "GET", "/api/v1/docs", f->rival, NULL, NULL);
    JsonArray *docs = json_node_get_array (list->json);

    g_assert_cmpuint (json_array_get_length (docs), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (docs, 0), "id"), ==, f->rival_doc);
  }

  /* WebSocket: every request naming acme's things answers not-found. */
  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      g_autofree char *bc = rl_test_uuid (), *fresh = rl_test_uuid (), *fresh2 = rl_test_uuid ();
      g_autofree char *req = rl_test_uuid ();
      g_autoptr(GString) json = g_string_new (templates[i]);
      g_autoptr(JsonObject) ack = NULL;

      g_string_replace (json, "{DOC}", f->image, 0);
      g_string_replace (json, "{RIVAL}", f->rival_doc, 0);
      g_string_replace (json, "{THREAD}", thread, 0);
      g_string_replace (json, "{COMMENT}", comment, 0);
      g_string_replace (json, "{BC}", bc, 0);
      g_string_replace (json, "{FRESH2}", fresh2, 0);
      g_string_replace (json, "{FRESH}", fresh, 0);
      g_string_insert (json, 1, "\"req\":\"\",");
      g_string_insert (json, 8, req);
      rl_test_client_send (intruder, json->str);
      ack = rl_test_client_expect_ack (intruder, req);
      if (g_strcmp0 (rl_test_ack_error (ack), "not-found") != 0)
        g_error ("%s: expected not-found, got %s", json->str, rl_test_ack_error (ack));
    }

  /* The owner heard nothing and its document is unchanged. */
  rl_test_client_assert_quiet (owner, 300);
  {
    g_autoptr(RlTestClient) check = rl_test_client_new (f->server, f->admin);
    JsonObject *t;

    after = rl_test_client_subscribe (check, f->image);
    g_assert_cmpint (json_object_get_int_member (after, "seq"), ==, 1);
    t = json_array_get_object_element (json_object_get_array_member (after, "threads"), 0);
    g_assert_false (json_object_get_boolean_member (t, "resolved"));
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                       json_object_get_array_member (t, "comments"), 0), "body"), ==, "Tighter spacing here");
  }

  /* Ids are per tenant: globex may use the same thread id on its document,
   * and acme sees nothing of it. */
  {
    g_autofree char *c2 = rl_test_uuid ();
    g_autoptr(JsonObject) ack = create_marker (intruder, f->rival_doc, thread, c2);

    g_assert_null (rl_test_ack_error (ack));
    rl_test_client_assert_quiet (owner, 300);
  }
}

static void
test_durability_sigkill (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->member);
  g_autoptr(JsonObject) first = rl_test_client_subscribe (client, f->image);
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func (g_free);
  gint64 last_seq = 0;

  for (guint i = 0; i < 20; i++)
    {
      char *t = rl_test_uuid ();
      g_autofree char *c = rl_test_uuid ();
      g_autoptr(JsonObject) ack = create_marker (client, f->image, t, c);

      g_assert_null (rl_test_ack_error (ack));
      last_seq = json_object_get_int_member (ack, "seq");
      g_ptr_array_add (threads, t);
    }
  g_assert_cmpint (last_seq, ==, 20);

  /* No goodbye: every acked change must be on disk already. */
  rl_test_server_kill (f->server);
  g_clear_pointer (&client, rl_test_client_free);
  rl_test_server_start (f->server);

  client = rl_test_client_new (f->server, f->member);
  after = rl_test_client_subscribe (client, f->image);
  g_assert_cmpint (json_object_get_int_member (after, "seq"), ==, 20);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (after, "threads")), ==, 20);
  for (guint i = 0; i < threads->len; i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                       json_object_get_array_member (after, "threads"), i), "id"), ==, g_ptr_array_index (threads, i));

  /* The log survived too: since-resync from 15 replays 16–20. */
  {
    g_autoptr(RlTestClient) late = rl_test_client_new (f->server, f->admin);
    g_autofree char *req = rl_test_uuid ();
    g_autoptr(JsonObject) ack = NULL;

    rl_test_client_send_printf (late, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\",\"since\":15}", req, f->image);
    for (gint64 seq = 16; seq <= 20; seq++)
      {
        g_autoptr(JsonObject) event = rl_test_client_expect (late, "new-image-chat");

        g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq);
      }
    ack = rl_test_client_expect_ack (late, req);
    g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 20);
  }

  /* The next change continues the sequence with no gap and no reuse. */
  {
    g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid ();
    g_autoptr(JsonObject) ack = create_marker (client, f->image, t, c);

    g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 21);
  }

  /* WAL mode and a versioned schema. */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (f->server->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_finalize (stmt);
    sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), >=, 1);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
}

static void
test_graceful_stop (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->member);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->admin);
  g_autoptr(JsonObject) sa = rl_test_client_subscribe (a, f->image);
  g_autoptr(JsonObject) sb = rl_test_client_subscribe (b, f->image);
  g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid ();
  g_autoptr(JsonObject) ack = create_marker (a, f->image, t, c);
  g_autoptr(JsonObject) after = NULL;

  g_assert_null (rl_test_ack_error (ack));
  /* SIGTERM: both links close with 1001 and the process exits 0. */
  g_subprocess_send_signal (f->server->process, SIGTERM);
  g_assert_cmpuint (rl_test_client_wait_closed (a, 5000), ==, 1001);
  g_assert_cmpuint (rl_test_client_wait_closed (b, 5000), ==, 1001);
  rl_test_server_stop_wait (f->server);

  rl_test_server_start (f->server);
  g_clear_pointer (&a, rl_test_client_free);
  a = rl_test_client_new (f->server, f->member);
  after = rl_test_client_subscribe (a, f->image);
  g_assert_cmpint (json_object_get_int_member (after, "seq"), ==, 1);
}

static char *
read_file_or_empty (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

static gboolean
memory_contains (const char *haystack,
                 gsize       length,
                 const char *needle)
{
  return memmem (haystack, length, needle, strlen (needle)) != NULL;
}

static void
test_tokens_hashed_and_never_logged (Fixture       *f,
                                     gconstpointer  data)
{
  const char *secret = strchr (f->member, '.') + 1;
  g_autofree char *wal = g_strconcat (f->server->db, "-wal", NULL);
  g_autofree char *db_bytes = NULL;
  g_autofree char *wal_bytes = NULL;
  gsize db_length = 0, wal_length = 0;
  g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->member);
  guint status;

  g_assert_cmpuint (strlen (secret), >=, 40);
  g_assert_null (rl_test_client_try (f->server, "x.bogus", &status));
  rl_test_server_stop (f->server);

  g_file_get_contents (f->server->db, &db_bytes, &db_length, NULL);
  g_file_get_contents (wal, &wal_bytes, &wal_length, NULL);
  g_assert_cmpuint (db_length, >, 0);
  g_assert_false (memory_contains (db_bytes, db_length, secret));
  if (wal_bytes)
    g_assert_false (memory_contains (wal_bytes, wal_length, secret));

  /* What the server wrote to stderr during this run never holds a token. */
  {
    g_autofree char *log = read_file_or_empty (f->server->stderr_path);

    g_assert_null (strstr (log, secret));
    g_assert_null (strstr (log, "bogus"));
  }
}

static void
test_tls (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *cert = g_build_filename (f->server->dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (f->server->dir, "key.pem", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupMessage) plain = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *https_uri = NULL;
  g_autofree char *http_uri = NULL;
  int status = 0;
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                         "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                         "-addext", "subjectAltName=IP:127.0.0.1", NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  rl_test_server_stop (f->server);
  f->server->tls_cert = g_strdup (cert);
  f->server->tls_key = g_strdup (key);
  /* LeakSanitizer's tracer crashes (SIGSEGV in its own thread) scanning the
   * threads glib-networking's GnuTLS backend leaves at exit: a tool fault,
   * not a leak. Memory errors are still caught; leaks are checked by every
   * other server in the suite, which run the same code without TLS. */
  f->server->no_leak_check = TRUE;
  f->server->port = 0;
  rl_test_server_start (f->server);
  g_assert_true (g_str_has_prefix (f->server->url, "https://127.0.0.1:"));

  /* A client that trusts exactly this certificate, nothing waived. */
  database = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  session = soup_session_new_with_options ("tls-database", database, NULL);
  https_uri = g_strconcat (f->server->url, "/api/v1/docs", NULL);
  msg = soup_message_new ("GET", https_uri);
  {
    g_autofree char *bearer = g_strconcat ("Bearer ", f->member, NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  }
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  /* wss:// through the fixture (same server, same certificate). */
  {
    g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->member);
    g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (client, f->image);
  }

  /* Plain HTTP to the TLS port fails. */
  http_uri = g_strdup_printf ("http://127.0.0.1:%u/healthz", f->server->port);
  plain = soup_message_new ("GET", http_uri);
  {
    g_autoptr(GError) plain_error = NULL;
    g_autoptr(GBytes) nothing = soup_session_send_and_read (session, plain, NULL, &plain_error);

    g_assert_true (plain_error != NULL || soup_message_get_status (plain) != 200);
  }
}

static void
test_admin_cli (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *garbage = g_test_build_filename (G_TEST_DIST, "data", "not-an-image.png", NULL);

  g_assert_cmpint (rl_test_server_admin_status (f->server, &err, "tenant", "add", "Bad_Tenant", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "tenant id"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_admin_status (f->server, &err, "user", "add", "--tenant", "nowhere", "--name", "X", NULL), !=, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_admin_status (f->server, &err, "user", "add", "--tenant", "acme", "--name", "X", "--role", "king", NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_admin_status (f->server, &err, "doc", "add", "--tenant", "acme", "--title", "G", garbage, NULL), !=, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_admin_status (f->server, &err, "frobnicate", NULL), ==, 2);
  g_assert_cmpuint (doc_count (f, f->member), ==, 2);

  /* A new user's token, alone on the last line, works at once. */
  {
    g_autofree char *token = rl_test_add_user (f->server, "acme", "New Person", "member");
    g_autoptr(RlTestClient) client = rl_test_client_new (f->server, token);
    JsonObject *user = json_object_get_object_member (json_node_get_object (client->welcome), "user");

    g_assert_cmpstr (json_object_get_string_member (user, "name"), ==, "New Person");
  }
}

static void
test_internal_error (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->member);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (client, f->image);
  g_autoptr(JsonObject) after = NULL;
  sqlite3 *db = NULL;

  /* Another process holds the database's write lock past the server's
   * patience: the change fails as `internal`, and nothing is half-applied. */
  g_assert_cmpint (sqlite3_open (f->server->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);
  {
    g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid ();
    g_autoptr(JsonObject) ack = create_marker (client, f->image, t, c);

    g_assert_cmpstr (rl_test_ack_error (ack), ==, "internal");
  }
  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  /* The lock is gone: the next change is seq 1, and the link never closed. */
  {
    g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid ();
    g_autoptr(JsonObject) ack = create_marker (client, f->image, t, c);

    g_assert_null (rl_test_ack_error (ack));
    g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 1);
  }
  g_assert_false (client->closed);
}

/* LeakSanitizer's exit-time check of this test process (the HTTP clients;
 * every server it starts is checked in its own process) now and then
 * crashes in the sanitizer's own thread tracer ("Tracer caught signal 11")
 * after the TLS test, with every test passed; so this one process skips it.
 * Read only by the sanitizer runtime. */
const char *__lsan_default_options (void);

const char *
__lsan_default_options (void)
{
  return "leak_check_at_exit=0";
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/server/http/healthz-and-errors", test_healthz_and_not_found);
  ADD ("/server/http/documents", test_documents);
  ADD ("/server/http/uploads", test_uploads);
  ADD ("/server/http/upload-too-large", test_upload_too_large);
  ADD ("/server/http/threads-match-snapshot", test_threads_endpoint_matches_snapshot);
  ADD ("/server/http/usage", test_usage);
  ADD ("/server/tenants/isolation", test_cross_tenant);
  ADD ("/server/lifecycle/durability-sigkill", test_durability_sigkill);
  ADD ("/server/lifecycle/graceful-stop", test_graceful_stop);
  ADD ("/server/lifecycle/tokens-hashed-never-logged", test_tokens_hashed_and_never_logged);
  ADD ("/server/lifecycle/tls", test_tls);
  ADD ("/server/lifecycle/admin-cli", test_admin_cli);
  ADD ("/server/lifecycle/internal-error", test_internal_error);

  return g_test_run ();
}
