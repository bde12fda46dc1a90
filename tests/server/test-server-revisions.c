/* test-server-revisions.c — versions of a document against the real server
 *
 * docs/protocol.md, "Revisions": a member uploads a new version over HTTP;
 * the server carries every thread over (the text matcher on pages, the
 * image matcher on images) and tells the 1.1 connections in one
 * revision-added event; older versions stay readable; v1 connections keep
 * working and see the latest version; a thread is made, moved and settled
 * on the latest version only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-test-mockup.h"
#include "rl-test-server.h"

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *ada;          /* admin */
  const char   *alice;        /* member */
  const char   *vic;          /* viewer */
  const char   *rex;          /* globex member */
  char         *dir;
} Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  rl_test_team_init (&f->team, "Ada:admin", &f->ada, "Alice:member", &f->alice, "Vic:viewer", &f->vic,
                     "globex/Rex:member", &f->rex, NULL);
  f->server = f->team.server;
  f->dir = g_dir_make_tmp ("rl-revisions-XXXXXX", NULL);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  rl_test_team_clear (&f->team);
  {
    g_autoptr(GFile) dir = g_file_new_for_path (f->dir);
    g_autoptr(GFileEnumerator) children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                     G_FILE_QUERY_INFO_NONE, NULL, NULL);
    GFileInfo *info;

    while (children && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
      {
        g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

        g_file_delete (child, NULL, NULL);
        g_object_unref (info);
      }
    g_file_delete (dir, NULL, NULL);
  }
  g_free (f->dir);
}

/* The mockup as a PNG file in the fixture's folder, and its bytes. */
static GBytes *
mockup_png (Fixture        *f,
            const RlMockup *mockup,
            const char     *name,
            char          **path_out)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  char *contents = NULL;
  gsize length = 0;

  g_assert_true (rl_mockup_write_png (mockup, path));
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  if (path_out)
    *path_out = g_steal_pointer (&path);
  return g_bytes_new_take (contents, length);
}

static RlTestResponse *
upload_revision (Fixture    *f,
                 const char *token,
                 const char *doc,
                 const char *type,
                 GBytes     *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/revisions", doc);

  return rl_test_http (f->server, "POST", path, token, type, body);
}

/* GET path, built from "/api/v1/docs/" + doc + tail. */
static RlTestResponse *
get (Fixture    *f,
     const char *token,
     const char *doc,
     const char *tail)
{
  g_autofree char *path = g_strconcat ("/api/v1/docs/", doc, tail, NULL);

  return rl_test_http (f->server, "GET", path, token, NULL, NULL);
}

static void
assert_error (RlTestResponse *response,
              guint           status,
              const char     *code)
{
  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (rl_test_response_error_code (response), ==, code);
}

/* An image thread by client at (x, y) px of a canvas width × height; its
 * ack. */
static JsonObject *
create_marker (RlTestClient *client,
               const char   *doc,
               const char   *thread,
               double        x,
               double        y,
               int           width,
               int           height,
               gint64        revision)
{
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();
  g_autofree char *named = revision > 0 ? g_strdup_printf (",\"revision\":%" G_GINT64_FORMAT, revision)
                                        : g_strdup ("");

  rl_test_client_send_printf (client,
                              "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":%.6f,\"y\":%.6f}},"
                              "\"comment\":{\"id\":\"%s\",\"body\":\"Look here\"}%s}",
                              req, broadcast, doc, thread, x / width, y / height, comment, named);
  return rl_test_client_expect_ack (client, req);
}

/* The next frame of that type, skipping whatever comes before it (the
 * echoes of one's own changes, presence). */
static JsonObject *
expect_skipping (RlTestClient *client,
                 const char   *type)
{
  for (;;)
    {
      JsonObject *frame = rl_test_client_next (client);

      if (g_str_equal (json_object_get_string_member (frame, "type"), type))
        return frame;
      json_object_unref (frame);
    }
}

/* The placement of thread in a revision-added's list. */
static JsonObject *
placement_of (JsonObject *event,
              const char *thread)
{
  JsonArray *placements = json_object_get_array_member (event, "placements");

  for (guint i = 0; i < json_array_get_length (placements); i++)
    {
      JsonObject *placement = json_array_get_object_element (placements, i);

      if (g_str_equal (json_object_get_string_member (placement, "thread"), thread))
        return placement;
    }
  g_error ("no placement for %s", thread);
}

static void
test_http (Fixture       *f,
           gconstpointer  data)
{
  RlMockup first = rl_mockup_base ();
  RlMockup second = rl_mockup_base ();
  g_autofree char *first_path = NULL;
  g_autoptr(GBytes) first_png = NULL;
  g_autoptr(GBytes) second_png = NULL;
  g_autoptr(GBytes) text = g_bytes_new_static ("# Not an image\n", 15);
  const char *doc;
  const char *page;
  JsonObject *object;
  JsonArray *list;
  const char *etag;
  const char *bad_paths[] = { "0", "01", "x", "3", "-1", "1/text", "1/content/more", "1.0" };

  second.body_dx = 40;
  second.body_dy = 30;
  first_png = mockup_png (f, &first, "first.png", &first_path);
  second_png = mockup_png (f, &second, "second.png", NULL);
  doc = rl_test_team_add_doc (&f->team, "acme", "Home", first_path);
  page = rl_test_team_add_doc (&f->team, "acme", "Copy", "page.md");
  rl_test_server_start (f->server);

  /* Refused before anything is stored: a viewer, another tenant, a page
   * for an image, no such document. */
  {
    g_autoptr(RlTestResponse) viewer = upload_revision (f, f->vic, doc, "image/png", second_png);
    g_autoptr(RlTestResponse) other = upload_revision (f, f->rex, doc, "image/png", second_png);
    g_autoptr(RlTestResponse) kind = upload_revision (f, f->alice, doc, "text/markdown", text);
    g_autoptr(RlTestResponse) kind_page = upload_revision (f, f->alice, page, "image/png", second_png);
    g_autoptr(RlTestResponse) absent = upload_revision (f, f->alice, "nope", "image/png", second_png);
    g_autoptr(RlTestResponse) broken = upload_revision (f, f->alice, doc, "image/png", text);

    assert_error (viewer, 403, "forbidden");
    assert_error (other, 404, "not-found");
    assert_error (kind, 400, "bad-request");
    assert_error (kind_page, 400, "bad-request");
    assert_error (absent, 404, "not-found");
    assert_error (broken, 400, "bad-request");
  }
  /* A hostile image as a new version: refused before its pixels are
   * allocated, nothing stored. */
  {
    g_autofree char *bomb_path = g_test_build_filename (G_TEST_DIST, "data", "bomb.png", NULL);
    g_autofree char *bomb = NULL;
    gsize bomb_length = 0;
    g_autoptr(GBytes) bomb_bytes = NULL;
    g_autoptr(RlTestResponse) refused = NULL;

    g_assert_true (g_file_get_contents (bomb_path, &bomb, &bomb_length, NULL));
    bomb_bytes = g_bytes_new (bomb, bomb_length);
    refused = upload_revision (f, f->alice, doc, "image/png", bomb_bytes);
    assert_error (refused, 413, "too-large");
  }
  {
    g_autoptr(RlTestResponse) list_one = get (f, f->alice, doc, "/revisions");

    g_assert_cmpuint (list_one->status, ==, 200);
    list = json_object_get_array_member (json_node_get_object (list_one->json), "revisions");
    g_assert_cmpuint (json_array_get_length (list), ==, 1);
  }

  /* Alice adds version 2. */
  {
    g_autoptr(RlTestResponse) added = upload_revision (f, f->alice, doc, "image/png", second_png);

    g_assert_cmpuint (added->status, ==, 201);
    object = json_node_get_object (added->json);
    g_assert_cmpint (json_object_get_int_member (object, "revision"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (object, "mime"), ==, "image/png");
    g_assert_cmpint (json_object_get_int_member (object, "size"), ==, (gint64) g_bytes_get_size (second_png));
    g_assert_cmpint (json_object_get_int_member (object, "width"), ==, second.canvas_width);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "createdBy"), "name"),
                     ==, "Alice");
  }

  /* The document is its latest version; both versions stay readable. */
  {
    g_autoptr(RlTestResponse) meta = get (f, f->alice, doc, "");
    g_autoptr(RlTestResponse) list_two = get (f, f->alice, doc, "/revisions");
    g_autoptr(RlTestResponse) latest = get (f, f->alice, doc, "/content");
    g_autoptr(RlTestResponse) one = get (f, f->alice, doc, "/revisions/1/content");
    g_autoptr(RlTestResponse) two = get (f, f->alice, doc, "/revisions/2/content");
    g_autoptr(RlTestResponse) two_meta = get (f, f->alice, doc, "/revisions/2");
    g_autoptr(RlTestResponse) no_text = get (f, f->alice, doc, "/revisions/2/text");
    g_autoptr(RlTestResponse) other = get (f, f->rex, doc, "/revisions/1/content");

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (meta->json), "revision"), ==, 2);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (meta->json), "size"), ==,
                     (gint64) g_bytes_get_size (second_png));
    list = json_object_get_array_member (json_node_get_object (list_two->json), "revisions");
    g_assert_cmpuint (json_array_get_length (list), ==, 2);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (list, 0), "revision"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (list, 1), "revision"), ==, 2);
    g_assert_true (g_bytes_equal (latest->body, second_png));
    g_assert_true (g_bytes_equal (one->body, first_png));
    g_assert_true (g_bytes_equal (two->body, second_png));
    g_assert_cmpstr (soup_message_headers_get_content_type (one->headers, NULL), ==, "image/png");
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (two_meta->json), "revision"), ==, 2);
    assert_error (no_text, 404, "not-found");
    assert_error (other, 404, "not-found");

    /* Each version's bytes have their own strong ETag. */
    etag = soup_message_headers_get_one (one->headers, "ETag");
    g_assert_nonnull (etag);
    g_assert_cmpstr (etag, !=, soup_message_headers_get_one (two->headers, "ETag"));
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/revisions/1/content", doc);
      g_autoptr(RlTestResponse) again = NULL;

      again = rl_test_http (f->server, "GET", path, f->alice, NULL, NULL);
      g_assert_cmpstr (soup_message_headers_get_one (again->headers, "ETag"), ==, etag);
    }
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad_paths); i++)
    {
      g_autofree char *tail = g_strconcat ("/revisions/", bad_paths[i], NULL);
      g_autoptr(RlTestResponse) bad = get (f, f->alice, doc, tail);

      if (bad->status != 404)
        g_error ("revisions/%s answered %u", bad_paths[i], bad->status);
      assert_error (bad, 404, "not-found");
    }

  /* A page's version has its text model: the plain text anchors count in. */
  {
    g_autoptr(GBytes) v2 = g_bytes_new_static ("# Launch copy\n\nNew words &hellip; here.\n", 39);
    g_autoptr(RlTestResponse) added = upload_revision (f, f->alice, page, "text/markdown", v2);
    g_autoptr(RlTestResponse) model = get (f, f->alice, page, "/revisions/2/text");
    g_autoptr(RlTestResponse) model_one = get (f, f->alice, page, "/revisions/1/text");

    g_assert_cmpuint (added->status, ==, 201);
    g_assert_cmpuint (model->status, ==, 200);
    object = json_node_get_object (model->json);
    g_assert_cmpstr (json_object_get_string_member (object, "text"), ==, "Launch copy\nNew words … here.");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "spans")), >, 0);
    g_assert_true (g_str_has_prefix (json_object_get_string_member (json_node_get_object (model_one->json), "text"),
                                     "Launch copy\nThe hero headline"));
  }
}

/* A shifted layout with the icon gone: the button's marker moves with the
 * button, the header's stays, the icon's is orphaned; a 1.1 viewer hears
 * it in one revision-added, a v1 viewer does not and, resubscribing, gets
 * the document as it is now. */
static void
test_carry_image (Fixture       *f,
                  gconstpointer  data)
{
  RlMockup first = rl_mockup_base ();
  RlMockup second = rl_mockup_base ();
  g_autofree char *first_path = NULL;
  g_autoptr(GBytes) first_png = NULL;
  g_autoptr(GBytes) second_png = NULL;
  g_autoptr(RlTestClient) alice = NULL;
  g_autoptr(RlTestClient) old = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) old_snapshot = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *button = rl_test_uuid ();
  g_autofree char *logo = rl_test_uuid ();
  g_autofree char *icon = rl_test_uuid ();
  gint64 seq_before;
  JsonObject *placement, *anchor;
  const char *doc;
  int w = first.canvas_width, h = first.canvas_height;

  second.body_dx = 40;
  second.body_dy = 30;
  second.with_icon = FALSE;
  first_png = mockup_png (f, &first, "first.png", &first_path);
  second_png = mockup_png (f, &second, "second.png", NULL);
  doc = rl_test_team_add_doc (&f->team, "acme", "Home", first_path);
  rl_test_server_start (f->server);

  alice = rl_test_client_new_v11 (f->server, f->alice);
  old = rl_test_client_new (f->server, f->ada);
  snapshot = rl_test_client_subscribe (alice, doc);
  g_assert_cmpint (json_object_get_int_member (snapshot, "revision"), ==, 1);
  old_snapshot = rl_test_client_subscribe (old, doc);

  {
    g_autoptr(JsonObject) a1 = create_marker (alice, doc, button, 670, 562, w, h, 1);
    g_autoptr(JsonObject) a2 = create_marker (alice, doc, logo, 60, 30, w, h, 1);
    g_autoptr(JsonObject) a3 = create_marker (alice, doc, icon, 120, 590, w, h, 0);

    g_assert_null (rl_test_ack_error (a1));
    g_assert_null (rl_test_ack_error (a2));
    g_assert_null (rl_test_ack_error (a3));
    seq_before = json_object_get_int_member (a3, "seq");
  }
  /* Made on version 1, exact there. */
  {
    g_autoptr(JsonObject) created = expect_skipping (old, "new-image-chat");
    JsonObject *thread = json_object_get_object_member (created, "thread");
    JsonObject *first_placement = json_array_get_object_element (json_object_get_array_member (thread, "placements"), 0);

    g_assert_cmpint (json_object_get_int_member (thread, "revision"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (first_placement, "status"), ==, "exact");
  }

  {
    g_autoptr(RlTestResponse) added = upload_revision (f, f->alice, doc, "image/png", second_png);

    g_assert_cmpuint (added->status, ==, 201);
  }

  event = expect_skipping (alice, "revision-added");
  g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq_before + 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (event, "revision"), "revision"), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (event, "placements")), ==, 3);

  placement = placement_of (event, button);
  g_assert_cmpstr (json_object_get_string_member (placement, "status"), ==, "moved");
  anchor = json_object_get_object_member (placement, "anchor");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (anchor, "x"), (670.0 + 40) / w, 2.5 / w);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (anchor, "y"), (562.0 + 30) / h, 2.5 / h);
  g_assert_cmpfloat (json_object_get_double_member (placement, "score"), >=, 0.97);

  placement = placement_of (event, logo);
  g_assert_cmpstr (json_object_get_string_member (placement, "status"), ==, "exact");

  placement = placement_of (event, icon);
  g_assert_cmpstr (json_object_get_string_member (placement, "status"), ==, "orphaned");
  g_assert_true (json_node_is_null (json_object_get_member (placement, "anchor")));

  /* The v1 viewer was not sent it: its next event shows the gap. */
  {
    g_autoptr(JsonObject) ack = NULL;
    g_autoptr(JsonObject) next = NULL;
    g_autofree char *req = rl_test_uuid ();
    g_autofree char *broadcast = rl_test_uuid ();

    rl_test_client_send_printf (alice, "{\"type\":\"resolve-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\","
                                "\"doc\":\"%s\",\"thread\":\"%s\",\"resolved\":true}", req, broadcast, doc, logo);
    ack = rl_test_client_expect_ack (alice, req);
    g_assert_null (rl_test_ack_error (ack));
    /* Its threads' creations, then the resolve: nothing of 1.1 between. */
    for (;;)
      {
        next = rl_test_client_next (old);
        g_assert_cmpstr (json_object_get_string_member (next, "type"), !=, "revision-added");
        if (g_str_equal (json_object_get_string_member (next, "type"), "image-chat-updated"))
          break;
        g_clear_pointer (&next, json_object_unref);
      }
    g_assert_cmpint (json_object_get_int_member (next, "seq"), ==, seq_before + 2);
  }

  /* It resubscribes from before the revision: the document as it is now. */
  {
    g_autofree char *req = rl_test_uuid ();
    g_autoptr(JsonObject) reset = NULL;
    g_autoptr(JsonObject) ack = NULL;
    JsonArray *threads;

    rl_test_client_send_printf (old, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\",\"since\":%" G_GINT64_FORMAT "}",
                                req, doc, seq_before);
    reset = rl_test_client_expect (old, "snapshot");
    g_assert_true (json_object_get_boolean_member_with_default (reset, "reset", FALSE));
    g_assert_cmpint (json_object_get_int_member (reset, "seq"), ==, seq_before + 2);
    threads = json_object_get_array_member (reset, "threads");
    for (guint i = 0; i < json_array_get_length (threads); i++)
      {
        JsonObject *thread = json_array_get_object_element (threads, i);
        JsonObject *v1_anchor = json_object_get_object_member (thread, "anchor");

        /* The v1 anchor is the latest placement's (the orphan keeps its last). */
        if (g_str_equal (json_object_get_string_member (thread, "id"), button))
          g_assert_cmpfloat_with_epsilon (json_object_get_double_member (v1_anchor, "x"), (670.0 + 40) / w, 2.5 / w);
        if (g_str_equal (json_object_get_string_member (thread, "id"), icon))
          g_assert_cmpfloat_with_epsilon (json_object_get_double_member (v1_anchor, "x"), 120.0 / w, 0.5 / w);
      }
    ack = rl_test_client_expect_ack (old, req);
    g_assert_null (rl_test_ack_error (ack));
  }

  /* A 1.1 client resubscribing from before it is replayed it. */
  {
    g_autoptr(RlTestClient) again = rl_test_client_new_v11 (f->server, f->alice);
    g_autofree char *req = rl_test_uuid ();
    g_autoptr(JsonObject) replayed = NULL;
    g_autoptr(JsonObject) ack = NULL;

    rl_test_client_send_printf (again, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\",\"since\":%" G_GINT64_FORMAT "}",
                                req, doc, seq_before);
    replayed = rl_test_client_next (again);
    g_assert_cmpstr (json_object_get_string_member (replayed, "type"), ==, "revision-added");
    g_assert_cmpint (json_object_get_int_member (replayed, "seq"), ==, seq_before + 1);
    ack = rl_test_client_expect_ack (again, req);
    g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, seq_before + 2);
  }
}

/* A page's threads carried by the text matcher: a quote moved with its
 * paragraph, a reworded one changed, a deleted one orphaned; each carried
 * anchor is valid on the new text. */
static void
test_carry_page (Fixture       *f,
                 gconstpointer  data)
{
  const char *v1 = "# Pricing\n\n"
                   "Our plans are simple and fair for every team.\n\n"
                   "Cancel at any time, no questions asked.\n\n"
                   "Prezzi chiari per ogni squadra, senza sorprese.\n";
  const char *v2 = "# Pricing\n\n"
                   "Prezzi chiari per ogni squadra, senza sorprese.\n\n"
                   "Our plans are simple and honest for every team.\n";
  g_autoptr(GBytes) v2_bytes = g_bytes_new_static (v2, strlen (v2));
  g_autoptr(RlTestClient) alice = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *italian = rl_test_uuid ();
  g_autofree char *reworded = rl_test_uuid ();
  g_autofree char *deleted = rl_test_uuid ();
  struct { const char *id; const char *quote; const char *status; } threads[] = {
    { italian, "Prezzi chiari per ogni squadra", "moved" },
    { reworded, "simple and fair for every team", "changed" },
    { deleted, "Cancel at any time", "orphaned" },
  };
  const char *plain_v1 = "Pricing\nOur plans are simple and fair for every team.\n"
                         "Cancel at any time, no questions asked.\nPrezzi chiari per ogni squadra, senza sorprese.";
  g_autoptr(RlTestResponse) model = NULL;
  const char *new_text;
  const char *doc;

  doc = rl_test_team_add_doc_bytes (&f->team, "acme", "Pricing", ".md", v1, -1);
  rl_test_server_start (f->server);
  alice = rl_test_client_new_v11 (f->server, f->alice);
  snapshot = rl_test_client_subscribe (alice, doc);

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      const char *at = strstr (plain_v1, threads[i].quote);
      glong start = g_utf8_pointer_to_offset (plain_v1, at);
      glong end = start + g_utf8_strlen (threads[i].quote, -1);
      g_autofree char *req = rl_test_uuid ();
      g_autofree char *comment = rl_test_uuid ();
      g_autofree char *broadcast = rl_test_uuid ();
      g_autoptr(JsonObject) ack = NULL;

      rl_test_client_send_printf (alice,
                                  "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                  "\"thread\":{\"id\":\"%s\",\"anchor\":{\"start\":%ld,\"end\":%ld,\"exact\":\"%s\"}},"
                                  "\"comment\":{\"id\":\"%s\",\"body\":\"Check\"}}",
                                  req, broadcast, doc, threads[i].id, start, end, threads[i].quote, comment);
      ack = rl_test_client_expect_ack (alice, req);
      g_assert_null (rl_test_ack_error (ack));
    }

  {
    g_autoptr(RlTestResponse) added = upload_revision (f, f->alice, doc, "text/markdown", v2_bytes);

    g_assert_cmpuint (added->status, ==, 201);
  }
  event = expect_skipping (alice, "revision-added");
  model = get (f, f->alice, doc, "/revisions/2/text");
  new_text = json_object_get_string_member (json_node_get_object (model->json), "text");

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      JsonObject *placement = placement_of (event, threads[i].id);
      JsonObject *anchor;
      g_autofree char *slice = NULL;
      gint64 start, end;

      if (!g_str_equal (json_object_get_string_member (placement, "status"), threads[i].status))
        g_error ("“%s”: %s, expected %s", threads[i].quote, json_object_get_string_member (placement, "status"),
                 threads[i].status);
      if (g_str_equal (threads[i].status, "orphaned"))
        continue;
      anchor = json_object_get_object_member (placement, "anchor");
      start = json_object_get_int_member (anchor, "start");
      end = json_object_get_int_member (anchor, "end");
      slice = g_utf8_substring (new_text, start, end);
      g_assert_cmpstr (json_object_get_string_member (anchor, "exact"), ==, slice);
      if (g_str_equal (threads[i].status, "changed"))
        g_assert_cmpfloat (json_object_get_double_member (placement, "score"), <, 1.0);
    }

  /* A thread made on version 2 counts in version 2's text: the server
   * checks anchors against the latest. */
  {
    const char *quote = "honest";
    const char *at = strstr (new_text, quote);
    glong start = g_utf8_pointer_to_offset (new_text, at);
    g_autofree char *req = rl_test_uuid ();
    g_autofree char *comment = rl_test_uuid ();
    g_autofree char *broadcast = rl_test_uuid ();
    g_autofree char *thread = rl_test_uuid ();
    g_autoptr(JsonObject) ack = NULL;

    rl_test_client_send_printf (alice,
                                "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                "\"thread\":{\"id\":\"%s\",\"anchor\":{\"start\":%ld,\"end\":%ld,\"exact\":\"%s\"}},"
                                "\"comment\":{\"id\":\"%s\",\"body\":\"Good\"},\"revision\":2}",
                                req, broadcast, doc, thread, start, start + 6, quote, comment);
    ack = rl_test_client_expect_ack (alice, req);
    g_assert_null (rl_test_ack_error (ack));
  }
}

/* client sends place-thread for thread on version 2 (anchor: a JSON
 * object, or NULL to confirm); its ack. */
static JsonObject *
place_thread (RlTestClient *client,
              const char   *doc,
              const char   *thread,
              const char   *anchor)
{
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();
  g_autofree char *member = anchor ? g_strconcat (",\"anchor\":", anchor, NULL) : g_strdup ("");

  rl_test_client_send_printf (client, "{\"type\":\"place-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":\"%s\",\"revision\":2%s}", req, broadcast, doc, thread, member);
  return rl_test_client_expect_ack (client, req);
}

/* Threads are made, moved and settled on the latest version only; any
 * member settles a carried thread; a v1 connection has no place-thread. */
static void
test_settle (Fixture       *f,
             gconstpointer  data)
{
  RlMockup first = rl_mockup_base ();
  RlMockup second = rl_mockup_base ();
  g_autofree char *first_path = NULL;
  g_autoptr(GBytes) first_png = NULL;
  g_autoptr(GBytes) second_png = NULL;
  g_autoptr(RlTestClient) alice = NULL;
  g_autoptr(RlTestClient) ada = NULL;
  g_autoptr(RlTestClient) vic = NULL;
  g_autoptr(JsonObject) s1 = NULL;
  g_autoptr(JsonObject) s2 = NULL;
  g_autoptr(JsonObject) s3 = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *button = rl_test_uuid ();
  g_autofree char *icon = rl_test_uuid ();
  int w = first.canvas_width, h = first.canvas_height;
  const char *doc;

  second.body_dx = 40;
  second.body_dy = 30;
  second.with_icon = FALSE;
  first_png = mockup_png (f, &first, "first.png", &first_path);
  second_png = mockup_png (f, &second, "second.png", NULL);
  doc = rl_test_team_add_doc (&f->team, "acme", "Home", first_path);
  rl_test_server_start (f->server);
  alice = rl_test_client_new_v11 (f->server, f->alice);
  ada = rl_test_client_new_v11 (f->server, f->ada);
  vic = rl_test_client_new_v11 (f->server, f->vic);
  s1 = rl_test_client_subscribe (alice, doc);
  s2 = rl_test_client_subscribe (ada, doc);
  s3 = rl_test_client_subscribe (vic, doc);

  {
    g_autoptr(JsonObject) a1 = create_marker (ada, doc, button, 670, 562, w, h, 1);
    g_autoptr(JsonObject) a2 = create_marker (ada, doc, icon, 120, 590, w, h, 1);

    g_assert_null (rl_test_ack_error (a1));
    g_assert_null (rl_test_ack_error (a2));
  }
  {
    g_autoptr(RlTestResponse) added = upload_revision (f, f->alice, doc, "image/png", second_png);

    g_assert_cmpuint (added->status, ==, 201);
  }
  event = expect_skipping (alice, "revision-added");

  /* Made or moved on version 1 now: refused, nothing changes. */
  {
    g_autofree char *late = rl_test_uuid ();
    g_autoptr(JsonObject) ack = create_marker (alice, doc, late, 100, 100, w, h, 1);
    g_autofree char *req = rl_test_uuid ();
    g_autofree char *broadcast = rl_test_uuid ();
    g_autoptr(JsonObject) move_ack = NULL;

    g_assert_cmpstr (rl_test_ack_error (ack), ==, "conflict");
    rl_test_client_send_printf (ada, "{\"type\":\"move-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                "\"thread\":\"%s\",\"anchor\":{\"x\":0.5,\"y\":0.5},\"revision\":1}",
                                req, broadcast, doc, button);
    move_ack = rl_test_client_expect_ack (ada, req);
    g_assert_cmpstr (rl_test_ack_error (move_ack), ==, "conflict");
  }

  /* Alice (not its author) confirms the moved button's marker; the orphan
   * cannot be confirmed, only placed; a viewer settles nothing. */
  {
    g_autoptr(JsonObject) ack = place_thread (alice, doc, button, NULL);
    g_autoptr(JsonObject) seen = NULL;
    JsonObject *change;

    g_assert_null (rl_test_ack_error (ack));
    seen = expect_skipping (ada, "image-chat-updated");
    change = json_object_get_object_member (seen, "change");
    g_assert_cmpstr (json_object_get_string_member (change, "kind"), ==, "moved");
    g_assert_cmpint (json_object_get_int_member (change, "revision"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (change, "status"), ==, "exact");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (change, "by"), "name"), ==, "Alice");
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_object_get_object_member (change, "anchor"), "x"),
                                    (670.0 + 40) / w, 2.5 / w);
  }
  {
    g_autoptr(JsonObject) ack = place_thread (alice, doc, icon, NULL);

    g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
  }
  {
    g_autoptr(JsonObject) ack = place_thread (vic, doc, icon, "{\"x\":0.25,\"y\":0.75}");

    g_assert_cmpstr (rl_test_ack_error (ack), ==, "forbidden");
  }
  {
    g_autoptr(JsonObject) ack = place_thread (alice, doc, icon, "{\"x\":0.25,\"y\":0.75}");
    g_autoptr(RlTestResponse) threads = NULL;
    JsonArray *list;

    g_assert_null (rl_test_ack_error (ack));

    /* What every client reads: the icon's thread placed on version 2 by Alice. */
    threads = get (f, f->ada, doc, "/threads");
    list = json_object_get_array_member (json_node_get_object (threads->json), "threads");
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *thread = json_array_get_object_element (list, i);
        JsonArray *placements = json_object_get_array_member (thread, "placements");
        JsonObject *last = json_array_get_object_element (placements, json_array_get_length (placements) - 1);

        g_assert_cmpuint (json_array_get_length (placements), ==, 2);
        g_assert_cmpint (json_object_get_int_member (last, "revision"), ==, 2);
        g_assert_cmpstr (json_object_get_string_member (last, "status"), ==, "exact");
        g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (last, "by"), "name"), ==, "Alice");
        if (g_str_equal (json_object_get_string_member (thread, "id"), icon))
          g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (thread, "anchor"), "x"),
                             ==, 0.25);
      }
  }

  /* A v1 connection has no such request. */
  {
    g_autoptr(RlTestClient) v1 = rl_test_client_new (f->server, f->ada);
    g_autoptr(JsonObject) ack = place_thread (v1, doc, button, NULL);

    g_assert_cmpstr (rl_test_ack_error (ack), ==, "unknown-type");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/revisions/http", Fixture, NULL, setup, test_http, teardown);
  g_test_add ("/revisions/carry-image", Fixture, NULL, setup, test_carry_image, teardown);
  g_test_add ("/revisions/carry-page", Fixture, NULL, setup, test_carry_page, teardown);
  g_test_add ("/revisions/settle", Fixture, NULL, setup, test_settle, teardown);
  return g_test_run ();
}
