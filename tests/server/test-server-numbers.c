/* test-server-numbers.c — thread numbers against the real server: given
 * once per document in creation order, never reused or changed, on every
 * path a thread goes out by (ack, events, snapshot, its cache, HTTP), kept
 * across restarts and given to the threads of a database made before them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sqlite3.h>
#include <string.h>

#include "rl-test-server.h"

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *alice;      /* member */
  const char   *bob;        /* member */
  const char   *image;      /* image document */
  const char   *other;      /* another image document */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_team_init (&f->team, "Alice:member", &f->alice, "Bob:member", &f->bob, NULL);
  f->server = f->team.server;
  f->image = rl_test_team_add_doc (&f->team, "acme", "Mockup", "mockup.png");
  f->other = rl_test_team_add_doc (&f->team, "acme", "Other mockup", "mockup.png");
  rl_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_team_clear (&f->team);
}

/* Sends a create-thread without waiting; returns its req. */
static char *
send_create (RlTestClient *client,
             const char   *doc,
             const char   *thread)
{
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *bc = rl_test_uuid ();
  char *req = rl_test_uuid ();

  rl_test_client_send_printf (client,
                              "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.5,\"y\":0.5}},"
                              "\"comment\":{\"id\":\"%s\",\"body\":\"Tighter spacing\"}}",
                              req, bc, doc, thread, comment);
  return req;
}

/* Creates a thread and returns the number its ack gives it. */
static gint64
create (RlTestClient *client,
        const char   *doc,
        char        **thread_out)
{
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *req = send_create (client, doc, thread);
  g_autoptr(JsonObject) ack = rl_test_client_expect_ack (client, req);

  g_assert_null (rl_test_ack_error (ack));
  g_assert_true (json_object_has_member (ack, "number"));
  if (thread_out)
    *thread_out = g_steal_pointer (&thread);
  return json_object_get_int_member (ack, "number");
}

static void
delete_thread (RlTestClient *client,
               const char   *doc,
               const char   *thread)
{
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *bc = rl_test_uuid ();
  g_autoptr(JsonObject) ack = NULL;

  rl_test_client_send_printf (client,
                              "{\"type\":\"delete-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":\"%s\"}", req, bc, doc, thread);
  ack = rl_test_client_expect_ack (client, req);
  g_assert_null (rl_test_ack_error (ack));
  /* Only a create's ack says a number. */
  g_assert_false (json_object_has_member (ack, "number"));
}

/* The number of the thread with that id in a snapshot or threads body; 0
 * when the thread has none, -1 when it is absent. */
static gint64
number_in (JsonObject *body,
           const char *thread)
{
  JsonArray *threads = json_object_get_array_member (body, "threads");

  for (guint i = 0; i < json_array_get_length (threads); i++)
    {
      JsonObject *t = json_array_get_object_element (threads, i);

      if (g_str_equal (json_object_get_string_member (t, "id"), thread))
        return json_object_get_int_member_with_default (t, "number", 0);
    }
  return -1;
}

/* GET /api/v1/docs/{doc}/threads */
static RlTestResponse *
get_threads (Fixture    *f,
             const char *doc)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/threads", doc);
  RlTestResponse *response = rl_test_http (f->server, "GET", path, f->alice, NULL, NULL);

  g_assert_cmpuint (response->status, ==, 200);
  return response;
}

/* 1, 2, 3 in creation order, on the ack, on every subscriber's created
 * event, in snapshots (computed and cached) and over HTTP. */
static void
test_in_creation_order (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) sa = rl_test_client_subscribe (a, f->image);
  g_autoptr(JsonObject) sb = rl_test_client_subscribe (b, f->image);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  for (gint64 n = 1; n <= 3; n++)
    {
      char *thread = NULL;
      g_autoptr(JsonObject) echo = NULL;
      g_autoptr(JsonObject) seen = NULL;

      g_assert_cmpint (create (a, f->image, &thread), ==, n);
      g_ptr_array_add (ids, thread);
      /* The creator's echo and the teammate's event say it too. */
      echo = rl_test_client_expect (a, "new-image-chat");
      seen = rl_test_client_expect (b, "new-image-chat");
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (echo, "thread"), "number"), ==, n);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (seen, "thread"), "number"), ==, n);
    }

  /* Snapshots: the first is computed, the next comes from the room's cache. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(RlTestClient) late = rl_test_client_new (f->server, f->bob);
      g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (late, f->image);

      for (guint j = 0; j < ids->len; j++)
        g_assert_cmpint (number_in (snapshot, g_ptr_array_index (ids, j)), ==, j + 1);
    }

  /* HTTP. */
  {
    g_autoptr(RlTestResponse) response = get_threads (f, f->image);
    JsonObject *body = json_node_get_object (response->json);

    for (guint j = 0; j < ids->len; j++)
      g_assert_cmpint (number_in (body, g_ptr_array_index (ids, j)), ==, j + 1);
  }
}

/* Deleting a thread frees no number, the newest one included. */
static void
test_never_reused (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autofree char *first = NULL, *second = NULL, *third = NULL, *fourth = NULL;
  g_autoptr(RlTestClient) check = NULL;
  g_autoptr(JsonObject) snapshot = NULL;

  g_assert_cmpint (create (a, f->image, &first), ==, 1);
  g_assert_cmpint (create (a, f->image, &second), ==, 2);
  g_assert_cmpint (create (a, f->image, &third), ==, 3);

  /* Deleting 2 then creating gives 4, not 2 or 3. */
  delete_thread (a, f->image, second);
  g_assert_cmpint (create (a, f->image, &fourth), ==, 4);

  /* Deleting the newest does not free its number either. */
  delete_thread (a, f->image, fourth);
  g_assert_cmpint (create (a, f->image, NULL), ==, 5);

  /* The others kept theirs. */
  check = rl_test_client_new (f->server, f->bob);
  snapshot = rl_test_client_subscribe (check, f->image);
  g_assert_cmpint (number_in (snapshot, first), ==, 1);
  g_assert_cmpint (number_in (snapshot, second), ==, -1);
  g_assert_cmpint (number_in (snapshot, third), ==, 3);
  g_assert_cmpint (number_in (snapshot, fourth), ==, -1);

  /* A refused create gives no number away. */
  {
    g_autofree char *req = send_create (a, f->image, first);   /* a duplicate id */
    g_autoptr(JsonObject) ack = rl_test_client_expect_ack (a, req);

    g_assert_cmpstr (rl_test_ack_error (ack), ==, "conflict");
    g_assert_false (json_object_has_member (ack, "number"));
    g_assert_cmpint (create (a, f->image, NULL), ==, 6);
  }
}

/* Each document counts on its own. */
static void
test_per_document (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);

  g_assert_cmpint (create (a, f->image, NULL), ==, 1);
  g_assert_cmpint (create (a, f->image, NULL), ==, 2);
  g_assert_cmpint (create (a, f->other, NULL), ==, 1);
  g_assert_cmpint (create (a, f->image, NULL), ==, 3);
  g_assert_cmpint (create (a, f->other, NULL), ==, 2);
}

/* Two people creating at the same time on one document: distinct numbers,
 * none skipped. */
static void
test_concurrent_creators (Fixture       *f,
                          gconstpointer  data)
{
  const guint n = 30;
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autoptr(RlTestClient) b = rl_test_client_new (f->server, f->bob);
  g_autoptr(GPtrArray) reqs_a = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) reqs_b = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *numbers = g_new0 (gint64, 2 * n);
  guint got = 0;

  /* Both send everything before reading any answer. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *ta = rl_test_uuid (), *tb = rl_test_uuid ();

      g_ptr_array_add (reqs_a, send_create (a, f->image, ta));
      g_ptr_array_add (reqs_b, send_create (b, f->image, tb));
    }
  for (guint c = 0; c < 2; c++)
    {
      RlTestClient *client = c ? b : a;
      GPtrArray *reqs = c ? reqs_b : reqs_a;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(JsonObject) ack = rl_test_client_expect_ack (client, g_ptr_array_index (reqs, i));

          g_assert_null (rl_test_ack_error (ack));
          numbers[got] = json_object_get_int_member (ack, "number");
          g_assert_false (g_hash_table_contains (seen, &numbers[got]));
          g_hash_table_add (seen, &numbers[got]);
          got++;
        }
    }
  for (gint64 k = 1; k <= 2 * n; k++)
    g_assert_true (g_hash_table_contains (seen, &k));
}

/* The numbers and the counter are on disk: a restart (even a kill) keeps
 * both. */
static void
test_survive_restart (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autofree char *first = NULL, *second = NULL, *third = NULL;
  g_autoptr(JsonObject) snapshot = NULL;

  g_assert_cmpint (create (a, f->image, &first), ==, 1);
  g_assert_cmpint (create (a, f->image, &second), ==, 2);
  g_assert_cmpint (create (a, f->image, &third), ==, 3);
  delete_thread (a, f->image, third);

  rl_test_server_kill (f->server);
  g_clear_pointer (&a, rl_test_client_free);
  rl_test_server_start (f->server);

  a = rl_test_client_new (f->server, f->alice);
  snapshot = rl_test_client_subscribe (a, f->image);
  g_assert_cmpint (number_in (snapshot, first), ==, 1);
  g_assert_cmpint (number_in (snapshot, second), ==, 2);
  /* The deleted newest's number stays taken. */
  g_assert_cmpint (create (a, f->image, NULL), ==, 4);

  rl_test_server_stop (f->server);
  g_clear_pointer (&a, rl_test_client_free);
  rl_test_server_start (f->server);
  a = rl_test_client_new (f->server, f->alice);
  g_assert_cmpint (create (a, f->image, NULL), ==, 5);
}

static void
db_exec (sqlite3    *db,
         const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static int
db_int (sqlite3    *db,
        const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* A database of a server from before numbers (schema 1: no number, no
 * counter, created events without numbers) gets them on the first start:
 * in creation order (createdAt, then id), per document, and the counter
 * continues after them. */
static void
test_migration (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(RlTestClient) a = rl_test_client_new (f->server, f->alice);
  g_autofree char *early = NULL, *tie_1 = NULL, *tie_2 = NULL, *gone = NULL, *elsewhere = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  const char *tie_low, *tie_high;
  sqlite3 *db = NULL;

  create (a, f->image, &tie_1);
  create (a, f->image, &gone);
  create (a, f->image, &tie_2);
  create (a, f->image, &early);
  create (a, f->other, &elsewhere);
  delete_thread (a, f->image, gone);
  g_clear_pointer (&a, rl_test_client_free);
  rl_test_server_stop (f->server);

  /* Back to what a server before numbers left: schema 1 (without schema
   * 3's administration nor schema 4's revisions either), and creation
   * times that disagree with the order of the rows. */
  g_assert_cmpint (sqlite3_open_v2 (f->server->db, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (db_int (db, "PRAGMA user_version"), ==, RL_TEST_SCHEMA_VERSION);
  db_exec (db, "BEGIN;"
               RL_TEST_UNDO_SCHEMA_4
               "DROP TABLE admin_changes;"
               "ALTER TABLE users DROP COLUMN revoked_at;"
               "ALTER TABLE users DROP COLUMN token_generation;"
               "DROP INDEX threads_by_number;"
               "ALTER TABLE threads DROP COLUMN number;"
               "ALTER TABLE documents DROP COLUMN thread_numbers;"
               "ALTER TABLE documents DROP COLUMN unnumbered_seq;"
               "UPDATE events SET payload = json_remove (payload, '$.thread.number');"
               "PRAGMA user_version = 1;"
               "COMMIT;");
  sql = g_strdup_printf ("UPDATE threads SET created_at = 1000 WHERE id = '%s';"
                         "UPDATE threads SET created_at = 2000 WHERE id IN ('%s', '%s');",
                         early, tie_1, tie_2);
  db_exec (db, sql);
  g_assert_cmpint (db_int (db, "SELECT COUNT (*) FROM events WHERE payload LIKE '%\"number\"%'"), ==, 0);
  sqlite3_close (db);
  tie_low = strcmp (tie_1, tie_2) < 0 ? tie_1 : tie_2;
  tie_high = strcmp (tie_1, tie_2) < 0 ? tie_2 : tie_1;

  rl_test_server_start (f->server);
  a = rl_test_client_new (f->server, f->alice);
  snapshot = rl_test_client_subscribe (a, f->image);
  g_assert_cmpint (number_in (snapshot, early), ==, 1);
  g_assert_cmpint (number_in (snapshot, tie_low), ==, 2);
  g_assert_cmpint (number_in (snapshot, tie_high), ==, 3);
  /* Listed in that order too. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (snapshot, "threads"), 0), "id"), ==, early);
  g_clear_pointer (&snapshot, json_object_unref);
  snapshot = rl_test_client_subscribe (a, f->other);
  g_assert_cmpint (number_in (snapshot, elsewhere), ==, 1);

  /* A client that resyncs from before the upgrade holds threads without
   * numbers, and its replay would bring none: it gets a snapshot. */
  {
    g_autoptr(RlTestClient) old = rl_test_client_new (f->server, f->bob);
    g_autofree char *req = rl_test_uuid ();
    g_autoptr(JsonObject) reset = NULL;
    g_autoptr(JsonObject) ack = NULL;

    rl_test_client_send_printf (old, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\",\"since\":5}",
                                req, f->image);
    reset = rl_test_client_expect (old, "snapshot");
    g_assert_true (json_object_get_boolean_member (reset, "reset"));
    g_assert_cmpint (json_object_get_int_member (reset, "seq"), ==, 5);
    g_assert_cmpint (number_in (reset, early), ==, 1);
    ack = rl_test_client_expect_ack (old, req);
    g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 5);
  }

  /* The counter continues after them; later events carry numbers and
   * replay as usual. */
  g_assert_cmpint (create (a, f->image, NULL), ==, 4);
  g_assert_cmpint (create (a, f->other, NULL), ==, 2);
  g_assert_cmpint (create (a, f->image, NULL), ==, 5);
  {
    g_autoptr(RlTestClient) later = rl_test_client_new (f->server, f->bob);
    g_autofree char *req = rl_test_uuid ();
    g_autoptr(JsonObject) event = NULL;
    g_autoptr(JsonObject) ack = NULL;

    rl_test_client_send_printf (later, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\",\"since\":6}",
                                req, f->image);
    event = rl_test_client_expect (later, "new-image-chat");
    g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, 7);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (event, "thread"), "number"), ==, 5);
    ack = rl_test_client_expect_ack (later, req);
    g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 7);
  }

  /* Migrated all the way: schemas 3 and 4 too. */
  g_assert_cmpint (sqlite3_open_v2 (f->server->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (db_int (db, "PRAGMA user_version"), ==, RL_TEST_SCHEMA_VERSION);
  g_assert_cmpint (db_int (db, "SELECT COUNT (*) FROM users WHERE revoked_at = 0 AND token_generation = 0"), >, 0);
  sqlite3_close (db);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/server/numbers/in-creation-order", test_in_creation_order);
  ADD ("/server/numbers/never-reused", test_never_reused);
  ADD ("/server/numbers/per-document", test_per_document);
  ADD ("/server/numbers/concurrent-creators", test_concurrent_creators);
  ADD ("/server/numbers/survive-restart", test_survive_restart);
  ADD ("/server/numbers/migration", test_migration);

  return g_test_run ();
}
