/* test-server-migrate.c — `redline-server migrate` moves a SQLite deployment
 * up to PostgreSQL: a deployment made through the real server (threads,
 * replies, edits, resolves, moves, deletes on an image and a page, a pruned
 * log, a revoked user, a rotated token, usage) is copied by the real binary,
 * and a server on the copy answers every client as the SQLite one did; a
 * second copy, a target that is not PostgreSQL, a source that is not SQLite
 * and a copy that fails midway are refused with nothing changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>

#include "rl-store-pg.h"
#include "rl-store-private.h"
#include "rl-store-sqlite.h"
#include "rl-test-pg.h"
#include "rl-test-server.h"

/* The SQLite server keeps this many events per document, so the page's log
 * (71 events) is pruned at seq 64 to 55…71. */
#define LOG_LIMIT "10"
#define PAGE_REPLIES 70

typedef struct
{
  char       *doc;
  char       *snapshot;     /* a plain subscribe's, as JSON text */
  gint64      since;        /* an old seq a client resyncs from */
  GPtrArray  *replayed;     /* what that resync sent: events as JSON text, or a reset snapshot */
  GBytes     *content;
} Seen;

static void
seen_free (Seen *seen)
{
  g_free (seen->doc);
  g_free (seen->snapshot);
  g_clear_pointer (&seen->replayed, g_ptr_array_unref);
  g_clear_pointer (&seen->content, g_bytes_unref);
  g_free (seen);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Seen, seen_free)

typedef struct
{
  RlTestTeam    team;
  RlTestServer *sqlite;
  RlTestPg     *pg;
  const char   *admin;        /* acme's */
  const char   *alice;
  const char   *bob;          /* revoked */
  const char   *carol_old;    /* rotated: refused */
  char         *carol;        /* her new token */
  const char   *gina;         /* globex's admin */
  const char   *image;
  const char   *page;
  const char   *notes;        /* globex's page */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_team_init (&f->team,
                     "Ada:admin", &f->admin,
                     "Alice:member", &f->alice,
                     "Bob:member", &f->bob,
                     "Carol:member", &f->carol_old,
                     "globex/Gina:admin", &f->gina,
                     NULL);
  f->sqlite = f->team.server;
  f->sqlite->extra_arg = g_strdup ("--event-log-limit=" LOG_LIMIT);
  f->pg = rl_test_pg_new ();
  f->image = rl_test_team_add_doc (&f->team, "acme", "Mockup", "mockup.png");
  f->page = rl_test_team_add_doc_bytes (&f->team, "acme", "Copy", ".txt", "Hello migrating world\n", -1);
  f->notes = rl_test_team_add_doc_bytes (&f->team, "globex", "Notes", ".txt", "Hello from the launch plans\n", -1);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_team_clear (&f->team);
  rl_test_pg_free (f->pg);
  g_free (f->carol);
}

/* ---- helpers ---------------------------------------------------------------------- */

static char *
object_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

static JsonObject *
send_ok (RlTestClient *client,
         const char   *format,
         ...) G_GNUC_PRINTF (2, 3);

/* Sends a request (format gets the req and a broadcastId first) and
 * asserts its ack is ok; returns the ack. */
static JsonObject *
send_ok (RlTestClient *client,
         const char   *format,
         ...)
{
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *bc = rl_test_uuid ();
  g_autofree char *rest = NULL;
  JsonObject *ack;
  va_list args;

  va_start (args, format);
  rest = g_strdup_vprintf (format, args);
  va_end (args);
  rl_test_client_send_printf (client, "{\"req\":\"%s\",\"broadcastId\":\"%s\",%s}", req, bc, rest);
  ack = rl_test_client_expect_ack (client, req);
  if (rl_test_ack_error (ack) != NULL)
    {
      g_autofree char *text = object_text (ack);

      g_error ("refused: %s (%s)", text, rest);
    }
  return ack;
}

/* A thread on doc (an image's marker, or the page's "Hello"); returns the
 * number its ack gives it, and its first comment's id and its seq. */
static gint64
create_thread (RlTestClient *client,
               const char   *doc,
               gboolean      page,
               const char   *thread,
               char        **comment_out,
               gint64       *seq_out)
{
  g_autofree char *comment = rl_test_uuid ();
  g_autoptr(JsonObject) ack = NULL;

  ack = send_ok (client, "\"type\":\"create-thread\",\"doc\":\"%s\",\"thread\":{\"id\":\"%s\",\"anchor\":%s},"
                 "\"comment\":{\"id\":\"%s\",\"body\":\"Tighter spacing\"}", doc, thread,
                 page ? "{\"start\":0,\"end\":5,\"exact\":\"Hello\"}"
                      : "{\"x\":0.25,\"y\":0.75}", comment);
  if (comment_out)
    *comment_out = g_steal_pointer (&comment);
  if (seq_out)
    *seq_out = json_object_get_int_member (ack, "seq");
  return json_object_get_int_member (ack, "number");
}

static char *
reply (RlTestClient *client,
       const char   *doc,
       const char   *thread,
       const char   *body)
{
  char *comment = rl_test_uuid ();

  g_autoptr(JsonObject) ack = send_ok (client, "\"type\":\"add-comment\",\"doc\":\"%s\",\"thread\":\"%s\","
                                       "\"comment\":{\"id\":\"%s\",\"body\":\"%s\"}", doc, thread, comment, body);
  return comment;
}

/* subscribe with since: what the server sends before the ack, presence
 * frames aside (events, or a reset snapshot), as JSON text. */
static GPtrArray *
resync (RlTestClient *client,
        const char   *doc,
        gint64        since)
{
  g_autofree char *req = rl_test_uuid ();
  GPtrArray *frames = g_ptr_array_new_with_free_func (g_free);

  rl_test_client_send_printf (client, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\",\"since\":%"
                              G_GINT64_FORMAT "}", req, doc, since);
  for (;;)
    {
      g_autoptr(JsonObject) frame = rl_test_client_next (client);
      const char *type = json_object_get_string_member (frame, "type");

      if (g_str_equal (type, "ack") && g_strcmp0 (json_object_get_string_member (frame, "req"), req) == 0)
        {
          g_assert_null (rl_test_ack_error (frame));
          break;
        }
      if (!g_str_equal (type, "presence"))
        g_ptr_array_add (frames, object_text (frame));
    }
  return frames;
}

static GBytes *
download (RlTestServer *server,
          const char   *token,
          const char   *doc)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/content", doc);
  g_autoptr(RlTestResponse) response = rl_test_http (server, "GET", path, token, NULL, NULL);

  g_assert_cmpuint (response->status, ==, 200);
  return g_bytes_ref (response->body);
}

/* What a client sees of doc: its snapshot, a resync from since, its content. */
static Seen *
look (RlTestServer *server,
      const char   *token,
      const char   *doc,
      gint64        since)
{
  g_autoptr(RlTestClient) client = rl_test_client_new (server, token);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (client, doc);
  g_autoptr(RlTestClient) later = rl_test_client_new (server, token);
  Seen *seen = g_new0 (Seen, 1);

  seen->doc = g_strdup (doc);
  seen->snapshot = object_text (snapshot);
  seen->since = since;
  seen->replayed = resync (later, doc, since);
  seen->content = download (server, token, doc);
  return seen;
}

static void
assert_same_view (RlTestServer *server,
                  const char   *token,
                  const Seen   *before)
{
  g_autoptr(Seen) now = look (server, token, before->doc, before->since);

  g_assert_cmpstr (now->snapshot, ==, before->snapshot);
  g_assert_cmpuint (now->replayed->len, ==, before->replayed->len);
  for (guint i = 0; i < before->replayed->len; i++)
    g_assert_cmpstr (g_ptr_array_index (now->replayed, i), ==, g_ptr_array_index (before->replayed, i));
  g_assert_true (g_bytes_equal (now->content, before->content));
}

/* The tenant's usage as its admin reads it: messages and bytes. */
static void
usage (RlTestServer *server,
       const char   *admin,
       gint64       *messages,
       gint64       *bytes)
{
  g_autoptr(RlTestResponse) response = rl_test_http (server, "GET", "/api/v1/usage", admin, NULL, NULL);
  JsonObject *body;

  g_assert_cmpuint (response->status, ==, 200);
  body = json_node_get_object (response->json);
  *messages = json_object_get_int_member (body, "pubSubMessageCount");
  *bytes = json_object_get_int_member (body, "pubSubBandwidth");
}

/* ---- the deployment ----------------------------------------------------------------- */

/* Threads, replies, edits, resolves, moves and deletes on the image, a long
 * thread on the page (its log pruned), one on globex's page; Bob revoked and
 * Carol's token rotated while the server serves. */
static void
make_deployment (Fixture *f)
{
  g_autoptr(RlTestClient) alice = NULL;
  g_autoptr(RlTestClient) bob = NULL;
  g_autoptr(RlTestClient) gina = NULL;
  g_autofree char *t1 = rl_test_uuid ();
  g_autofree char *t2 = rl_test_uuid ();
  g_autofree char *t3 = rl_test_uuid ();
  g_autofree char *p1 = rl_test_uuid ();
  g_autofree char *n1 = rl_test_uuid ();
  g_autofree char *t1_first = NULL;
  g_autofree char *bob_reply = NULL;
  g_autofree char *bob_id = rl_test_token_user (f->bob);
  g_autofree char *carol_id = rl_test_token_user (f->carol_old);
  g_autoptr(JsonObject) ack = NULL;

  rl_test_server_start (f->sqlite);
  alice = rl_test_client_new (f->sqlite, f->alice);
  bob = rl_test_client_new (f->sqlite, f->bob);
  gina = rl_test_client_new (f->sqlite, f->gina);

  g_assert_cmpint (create_thread (alice, f->image, FALSE, t1, &t1_first, NULL), ==, 1);
  g_assert_cmpint (create_thread (alice, f->image, FALSE, t2, NULL, NULL), ==, 2);
  g_assert_cmpint (create_thread (alice, f->image, FALSE, t3, NULL, NULL), ==, 3);
  g_free (reply (bob, f->image, t1, "Agreed"));
  g_clear_pointer (&ack, json_object_unref);
  ack = send_ok (alice, "\"type\":\"edit-comment\",\"doc\":\"%s\",\"thread\":\"%s\","
                 "\"comment\":{\"id\":\"%s\",\"body\":\"Tighter spacing, 8 px\"}", f->image, t1, t1_first);
  g_clear_pointer (&ack, json_object_unref);
  ack = send_ok (bob, "\"type\":\"resolve-thread\",\"doc\":\"%s\",\"thread\":\"%s\",\"resolved\":true",
                 f->image, t2);
  g_clear_pointer (&ack, json_object_unref);
  ack = send_ok (alice, "\"type\":\"delete-thread\",\"doc\":\"%s\",\"thread\":\"%s\"", f->image, t3);
  g_clear_pointer (&ack, json_object_unref);
  ack = send_ok (alice, "\"type\":\"move-thread\",\"doc\":\"%s\",\"thread\":\"%s\","
                 "\"anchor\":{\"x\":0.5,\"y\":0.125}", f->image, t1);
  bob_reply = reply (bob, f->image, t2, "Reopening soon");
  g_clear_pointer (&ack, json_object_unref);
  ack = send_ok (bob, "\"type\":\"delete-comment\",\"doc\":\"%s\",\"thread\":\"%s\",\"comment\":\"%s\"",
                 f->image, t2, bob_reply);
  /* 10 events on the image: the 10th's ack says so. */
  g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 10);

  g_assert_cmpint (create_thread (alice, f->page, TRUE, p1, NULL, NULL), ==, 1);
  for (int i = 0; i < PAGE_REPLIES; i++)
    {
      g_autofree char *body = g_strdup_printf ("Reply %d", i);

      g_free (reply (i % 2 ? alice : bob, f->page, p1, body));
    }
  g_assert_cmpint (create_thread (gina, f->notes, TRUE, n1, NULL, NULL), ==, 1);

  g_free (rl_test_server_admin (f->sqlite, "user", "revoke", "--tenant", "acme", bob_id, NULL));
  f->carol = rl_test_server_admin (f->sqlite, "token", "rotate", "--tenant", "acme", carol_id, NULL);
  g_assert_cmpuint (rl_test_client_wait_closed (bob, 5000), ==, 1008);
}

/* ---- the tests ------------------------------------------------------------------------ */

static void
test_moves_up (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestServer) pg_server = rl_test_server_new_on (f->pg->conninfo);
  g_autoptr(Seen) image = NULL;
  g_autoptr(Seen) page = NULL;
  g_autoptr(Seen) page_pruned = NULL;
  g_autoptr(Seen) notes = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  gint64 acme_messages, acme_bytes, globex_messages, globex_bytes, messages, bytes;
  guint status;

  make_deployment (f);

  /* What clients of the SQLite server see: a resync from seq 4 of the
   * image, from 60 of the page (in its log) and from 5 (pruned: a reset). */
  image = look (f->sqlite, f->admin, f->image, 4);
  page = look (f->sqlite, f->alice, f->page, 60);
  page_pruned = look (f->sqlite, f->alice, f->page, 5);
  notes = look (f->sqlite, f->gina, f->notes, 0);
  g_assert_cmpuint (image->replayed->len, ==, 6);
  g_assert_cmpuint (page->replayed->len, ==, 1 + PAGE_REPLIES - 60);
  g_assert_cmpuint (page_pruned->replayed->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (page_pruned->replayed, 0), "\"reset\":true"));

  /* Usage is saved when the server stops; read back with no WebSocket. */
  rl_test_server_stop (f->sqlite);
  rl_test_server_start (f->sqlite);
  usage (f->sqlite, f->admin, &acme_messages, &acme_bytes);
  usage (f->sqlite, f->gina, &globex_messages, &globex_bytes);
  g_assert_cmpint (acme_messages, >, 0);
  g_assert_cmpint (globex_messages, >, 0);
  rl_test_server_stop (f->sqlite);

  if (rl_test_server_cli (NULL, &out, &err, "migrate", "--from", f->sqlite->db, "--to", f->pg->conninfo, NULL) != 0)
    g_error ("migrate failed: %s", err);
  g_assert_cmpstr (err, ==, "");
  {
    g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
    g_autofree char *image_line = g_strdup_printf ("verified document %s of acme: 2 threads, 10 events,", f->image);
    /* The page's log (seq 1…71) was pruned at 64 to 55…71: 17 events. */
    g_autofree char *page_line = g_strdup_printf ("verified document %s of acme: 1 thread, 17 events,", f->page);
    guint n = g_strv_length (lines);

    g_assert_cmpuint (n, ==, 4);
    g_assert_true (g_str_has_prefix (lines[0], image_line));
    g_assert_true (g_str_has_prefix (lines[1], page_line));
    g_assert_cmpstr (lines[3], ==, "verified 3 documents, 4 threads, 28 events");
  }

  /* A server on the copy: usage first, before any connection adds to it. */
  rl_test_server_start (pg_server);
  usage (pg_server, f->admin, &messages, &bytes);
  g_assert_cmpint (messages, ==, acme_messages);
  g_assert_cmpint (bytes, ==, acme_bytes);
  usage (pg_server, f->gina, &messages, &bytes);
  g_assert_cmpint (messages, ==, globex_messages);
  g_assert_cmpint (bytes, ==, globex_bytes);

  /* The old tokens: those that worked work, the revoked and the replaced
   * one do not. */
  g_assert_null (rl_test_client_try (pg_server, f->bob, &status));
  g_assert_cmpuint (status, ==, 401);
  g_assert_null (rl_test_client_try (pg_server, f->carol_old, &status));
  g_assert_cmpuint (status, ==, 401);
  rl_test_client_free (rl_test_client_new (pg_server, f->carol));

  /* The same snapshots, the same resyncs (by seq), the same bytes. */
  assert_same_view (pg_server, f->admin, image);
  assert_same_view (pg_server, f->alice, page);
  assert_same_view (pg_server, f->alice, page_pruned);
  assert_same_view (pg_server, f->gina, notes);

  /* Numbers and seqs carry on where they were. */
  {
    g_autoptr(RlTestClient) alice = rl_test_client_new (pg_server, f->alice);
    g_autofree char *thread = rl_test_uuid ();
    g_autofree char *other = rl_test_uuid ();
    gint64 seq = 0;

    g_assert_cmpint (create_thread (alice, f->image, FALSE, thread, NULL, &seq), ==, 4);
    g_assert_cmpint (seq, ==, 11);
    g_assert_cmpint (create_thread (alice, f->page, TRUE, other, NULL, &seq), ==, 2);
    g_assert_cmpint (seq, ==, 1 + PAGE_REPLIES + 1);
  }
  rl_test_server_stop (pg_server);

  /* Twice: refused, nothing changed. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "migrate", "--from", f->sqlite->db, "--to", f->pg->conninfo,
                                       NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not empty"));
  g_assert_cmpstr (out, ==, "");
  rl_test_server_start (pg_server);
  {
    g_autoptr(RlTestClient) alice = rl_test_client_new (pg_server, f->alice);
    g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (alice, f->image);

    g_assert_cmpint (json_object_get_int_member (snapshot, "seq"), ==, 11);
  }
  rl_test_server_stop (pg_server);
  line = rl_test_server_admin (pg_server, "user", "list", NULL);
  g_assert_true (g_str_has_prefix (line, "globex\t"));
}

/* Neither a target that is not PostgreSQL nor a source that is not a SQLite
 * file: exit 1, said why, nothing made. */
static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *sqlite_target = g_build_filename (f->sqlite->dir, "target.db", NULL);
  g_autofree char *missing = g_build_filename (f->sqlite->dir, "missing.db", NULL);
  g_autofree char *text_file = g_build_filename (f->sqlite->dir, "notes.txt", NULL);
  struct
  {
    const char *from, *to, *says;
  } cases[] = {
    { f->sqlite->db, sqlite_target, "is not a PostgreSQL database" },
    { missing, f->pg->conninfo, "no database at" },
    { text_file, f->pg->conninfo, "is not a SQLite database" },
    { f->sqlite->dir, f->pg->conninfo, "cannot read" },
    { f->pg->conninfo, f->pg->conninfo, "not from PostgreSQL" },
  };
  g_autoptr(RlTestServer) pg_server = rl_test_server_new_on (f->pg->conninfo);
  g_autofree char *line = NULL;

  g_assert_true (g_file_set_contents (text_file, "SQLite is not what this is, and it is long enough", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_test_message ("--from %s --to %s", cases[i].from, cases[i].to);
      g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "migrate", "--from", cases[i].from, "--to", cases[i].to,
                                           NULL), ==, 1);
      g_assert_nonnull (strstr (err, cases[i].says));
      g_assert_cmpstr (out, ==, "");
    }
  g_assert_false (g_file_test (sqlite_target, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  /* The command line: --db is not how it names its databases. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "--db", f->sqlite->db, "migrate", "--from", f->sqlite->db,
                                         "--to", f->pg->conninfo, NULL), ==, 2);
    g_assert_nonnull (strstr (err, "--db"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "migrate", "--from", f->sqlite->db, NULL), ==, 2);
  }

  /* A database with a tenant of its own is not empty. */
  g_free (rl_test_server_admin (pg_server, "tenant", "add", "initech", NULL));
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "migrate", "--from", f->sqlite->db, "--to", f->pg->conninfo,
                                         NULL), ==, 1);
    g_assert_nonnull (strstr (err, "not empty"));
  }
  line = rl_test_server_admin (pg_server, "user", "list", NULL);
  g_assert_cmpstr (line, ==, "TENANT\tID\tNAME\tROLE\tCREATED\tREVOKED");
}

/* A record that cannot be copied (a comment that is not UTF-8, written
 * behind the server's back) fails the copy after every earlier record was
 * written: none of them stays. */
static void
test_all_or_nothing (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RlTestServer) pg_server = rl_test_server_new_on (f->pg->conninfo);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  sqlite3 *db = NULL;

  make_deployment (f);
  rl_test_server_stop (f->sqlite);

  /* The last document's thread: copied after everything else but usage. */
  g_assert_cmpint (sqlite3_open (f->sqlite->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE comments SET body = CAST (X'54C328' AS TEXT)"
                                     " WHERE tenant = 'globex'", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);

  g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "migrate", "--from", f->sqlite->db, "--to", f->pg->conninfo,
                                       NULL), ==, 1);
  g_assert_nonnull (strstr (err, "nothing was copied"));
  g_assert_nonnull (strstr (err, "not UTF-8"));

  /* Empty still: no tenant, no user, no document. */
  line = rl_test_server_admin (pg_server, "user", "list", NULL);
  g_assert_cmpstr (line, ==, "TENANT\tID\tNAME\tROLE\tCREATED\tREVOKED");
  g_free (line);
  line = rl_test_server_admin (pg_server, "doc", "list", NULL);
  g_assert_true (g_str_has_prefix (line, "TENANT\tID\t"));
}

/* The copy waits, after it has read the source's first records, until the
 * test lets it go: a trigger on the target's tenants waits for an advisory
 * lock the test holds. */
#define COPY_GATE_KEY "1919183983"

typedef struct
{
  PGconn  *conn;       /* the test's, holding the gate */
  gboolean done;
  int      status;
  char    *out;
  char    *err;
} Migrating;

static void
exec_ok (PGconn     *conn,
         const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
}

static gboolean
copy_waits (Migrating *migrating)
{
  PGresult *result = PQexec (migrating->conn, "SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                                              " AND NOT granted");
  gboolean waits;

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  waits = PQntuples (result) > 0;
  PQclear (result);
  return waits;
}

static void
migrated (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Migrating *migrating = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &migrating->out, &migrating->err,
                                        &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (G_SUBPROCESS (source)));
  migrating->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  migrating->done = TRUE;
}

/* A server still writing to the SQLite file while it is copied: its
 * commits after the copy's snapshot are in neither the copy nor the
 * comparison (both read that one snapshot), so the copy is verified, not
 * reported as differing. */
static void
test_writer_meanwhile (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RlTestServer) pg_server = rl_test_server_new_on (f->pg->conninfo);
  g_autoptr(RlTestClient) alice = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *line = NULL;
  Migrating migrating = { NULL };
  gint64 seq = 0;

  make_deployment (f);
  /* The target's schema, made by a server, and the gate on it. */
  line = rl_test_server_admin (pg_server, "user", "list", NULL);
  migrating.conn = PQconnectdb (f->pg->conninfo);
  g_assert_cmpint (PQstatus (migrating.conn), ==, CONNECTION_OK);
  exec_ok (migrating.conn, "SELECT pg_advisory_lock (" COPY_GATE_KEY ")");
  exec_ok (migrating.conn, "CREATE FUNCTION copy_gate () RETURNS trigger LANGUAGE plpgsql AS"
                           " $$ BEGIN PERFORM pg_advisory_lock_shared (" COPY_GATE_KEY "); RETURN NULL; END $$");
  exec_ok (migrating.conn, "CREATE TRIGGER copy_gate AFTER INSERT ON tenants"
                           " FOR EACH STATEMENT EXECUTE FUNCTION copy_gate ()");

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              g_getenv ("REDLINE_SERVER"), "migrate", "--from", f->sqlite->db,
                              "--to", f->pg->conninfo, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, migrated, &migrating);
  RL_TEST_WAIT_LOOKING (copy_waits (&migrating), 30000);

  /* The server commits a change meanwhile. */
  alice = rl_test_client_new (f->sqlite, f->alice);
  g_assert_cmpint (create_thread (alice, f->image, FALSE, thread, NULL, &seq), ==, 4);
  g_assert_cmpint (seq, ==, 11);

  exec_ok (migrating.conn, "SELECT pg_advisory_unlock (" COPY_GATE_KEY ")");
  RL_TEST_WAIT_UNTIL (migrating.done, 60000);
  if (migrating.status != 0)
    g_error ("migrate failed: %s", migrating.err);
  g_assert_nonnull (strstr (migrating.out, "verified 3 documents"));
  PQfinish (migrating.conn);
  g_free (migrating.out);
  g_free (migrating.err);
}

/* ---- revisions ------------------------------------------------------------------------ */

/* The image's pins, a tenth to the right: changed (a stand-in for the
 * image matcher, which is the server's). */
static RlRevisionAnchor *
place_right (const RlThread *thread,
             const RlAnchor *from,
             gpointer        user_data)
{
  RlRevisionAnchor *placement = rl_revision_anchor_new ();

  placement->status = from->kind == RL_DOC_KIND_IMAGE ? RL_PLACEMENT_CHANGED : RL_PLACEMENT_ORPHANED;
  if (placement->status == RL_PLACEMENT_CHANGED)
    {
      rl_anchor_copy_into (&placement->anchor, from);
      placement->anchor.x = MIN (from->x + 0.1, 1.0);
      placement->score = 0.654321;
    }
  return placement;
}

/* Revision 2 of doc, as who adds it; its event's seq. */
static gint64
add_revision (RlStore    *store,
              const char *token,
              const char *doc,
              const char *mime,
              GBytes     *content)
{
  g_autoptr(RlPrincipal) who = rl_store_authenticate (store, token);
  g_autofree char *model = g_str_has_prefix (mime, "text/") ? rl_store_text_model_for (mime, content) : NULL;
  RlNewRevision revision = { mime, 0, 0, content, model };
  g_autoptr(RlEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *serialized = NULL;

  g_assert_nonnull (who);
  if (model == NULL)
    {
      revision.width = 4;
      revision.height = 3;
    }
  event = rl_store_add_revision (store, who, doc, &revision, NULL, NULL, 0, place_right, NULL, &serialized, NULL,
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (event->added->revision, ==, 2);
  return event->seq;
}

/* A database a server before revisions left (schema 3) is carried up at
 * the next start: every document's content is its revision 1 (a page's
 * text model computed), every thread is made on it and placed exactly at
 * its anchor, and a client resyncing from before gets a snapshot. */
static void
test_schema_3 (Fixture       *f,
               gconstpointer  data)
{
  const char *docs[] = { f->image, f->page, f->notes };
  const char *tenants[] = { "acme", "acme", "globex" };
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *version = NULL;
  gint64 head = 0;

  make_deployment (f);
  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    g_ptr_array_add (contents, download (f->sqlite, i < 2 ? f->admin : f->gina, docs[i]));
  rl_test_server_stop (f->sqlite);
  store = rl_store_sqlite_open (f->sqlite->db, &error);
  g_assert_no_error (error);
  before = rl_store_load_threads (store, "acme", f->image, &head);
  g_assert_cmpint (head, ==, 10);
  g_clear_object (&store);

  g_assert_cmpint (sqlite3_open (f->sqlite->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN;" RL_TEST_UNDO_SCHEMA_4 "COMMIT;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = rl_store_sqlite_open (f->sqlite->db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (f->sqlite->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &version, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (version), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (version, 0), ==, RL_TEST_SCHEMA_VERSION);
  sqlite3_finalize (version);
  sqlite3_close (db);

  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      GBytes *content = g_ptr_array_index (contents, i);
      g_autoptr(GPtrArray) revisions = rl_store_list_revisions (store, tenants[i], docs[i]);
      g_autoptr(RlDocument) doc = rl_store_get_document (store, tenants[i], docs[i]);
      g_autoptr(GBytes) stored = NULL;
      g_autofree char *etag = NULL;
      g_autofree char *model = rl_store_get_text_model (store, tenants[i], docs[i], 1);
      g_autofree char *expected_etag = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, content);
      RlRevision *revision;

      g_assert_cmpint (doc->revision, ==, 1);
      g_assert_cmpuint (revisions->len, ==, 1);
      revision = g_ptr_array_index (revisions, 0);
      g_assert_cmpint (revision->revision, ==, 1);
      g_assert_cmpstr (revision->mime, ==, doc->mime);
      g_assert_cmpint (revision->size, ==, g_bytes_get_size (content));
      g_assert_cmpint (revision->created_at, ==, doc->created_at);
      g_assert_cmpstr (revision->etag, ==, expected_etag);
      stored = rl_store_get_revision_content (store, tenants[i], docs[i], 1, &etag);
      g_assert_true (g_bytes_equal (stored, content));
      g_assert_cmpstr (etag, ==, expected_etag);
      if (i == 0)
        g_assert_null (model);
      else
        {
          g_autofree char *expected = rl_store_text_model_for ("text/plain", content);

          g_assert_nonnull (expected);
          g_assert_cmpstr (model, ==, expected);
        }
    }

  /* Every thread made on revision 1, placed there exactly at its anchor. */
  {
    g_autoptr(GPtrArray) threads = rl_store_load_threads (store, "acme", f->image, &head);

    g_assert_cmpint (head, ==, 10);
    g_assert_cmpuint (threads->len, ==, before->len);
    for (guint i = 0; i < threads->len; i++)
      {
        RlThread *thread = g_ptr_array_index (threads, i);
        RlThread *was = g_ptr_array_index (before, i);
        RlRevisionAnchor *placement;

        g_assert_cmpstr (thread->id, ==, was->id);
        g_assert_cmpint (thread->revision, ==, 1);
        g_assert_cmpuint (thread->placements->len, ==, 1);
        placement = g_ptr_array_index (thread->placements, 0);
        g_assert_cmpint (placement->revision, ==, 1);
        g_assert_cmpint (placement->status, ==, RL_PLACEMENT_EXACT);
        g_assert_null (placement->by.id);
        g_assert_true (rl_anchor_equal (&placement->anchor, &was->anchor));
        g_assert_true (rl_anchor_equal (&thread->anchor, &was->anchor));
      }
  }

  /* The log's events carry no placements, nor do the threads a client
   * holds from them: a resync from any of them is a reset. */
  g_assert_null (rl_store_events_since (store, "acme", f->image, 4, NULL));
  g_assert_null (rl_store_events_since (store, "acme", f->image, 10, NULL));
  g_clear_object (&store);

  rl_test_server_start (f->sqlite);
  {
    g_autoptr(RlTestClient) alice = rl_test_client_new (f->sqlite, f->alice);
    g_autofree char *thread = rl_test_uuid ();

    frames = resync (alice, f->image, 4);
    g_assert_cmpuint (frames->len, ==, 1);
    g_assert_nonnull (strstr (g_ptr_array_index (frames, 0), "\"reset\":true"));
    g_assert_nonnull (strstr (g_ptr_array_index (frames, 0), "\"placements\":[{\"revision\":1,"));
    /* New threads are made on revision 1, and replay as usual. */
    g_assert_cmpint (create_thread (alice, f->image, FALSE, thread, NULL, NULL), ==, 4);
    {
      g_autoptr(RlTestClient) ada = rl_test_client_new (f->sqlite, f->admin);
      g_autofree char *later = rl_test_uuid ();
      g_autoptr(JsonObject) created = NULL;
      JsonObject *made;

      /* Up to date after the upgrade: no reset. */
      g_clear_pointer (&frames, g_ptr_array_unref);
      frames = resync (ada, f->image, 11);
      g_assert_cmpuint (frames->len, ==, 0);
      g_assert_cmpint (create_thread (alice, f->image, FALSE, later, NULL, NULL), ==, 5);
      created = rl_test_client_expect (ada, "new-image-chat");
      made = json_object_get_object_member (created, "thread");
      g_assert_cmpint (json_object_get_int_member (made, "revision"), ==, 1);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (made, "placements")), ==, 1);
    }
  }
  rl_test_server_stop (f->sqlite);
}

/* Revisions and placements are copied up to PostgreSQL as they are: every
 * revision's record, content and text model, every thread's placements. */
static void
test_moves_revisions (Fixture       *f,
                      gconstpointer  data)
{
  static const guint8 image_bytes[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
  };
  const char *docs[] = { f->image, f->page, f->notes };
  const char *tenants[] = { "acme", "acme", "globex" };
  g_autoptr(GBytes) image = g_bytes_new_static (image_bytes, sizeof image_bytes);
  g_autoptr(GBytes) page = g_bytes_new_static ("Hello again, migrating world\n", 29);
  g_autoptr(RlStore) source = NULL;
  g_autoptr(RlStore) target = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  make_deployment (f);
  rl_test_server_stop (f->sqlite);
  source = rl_store_sqlite_open (f->sqlite->db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (add_revision (source, f->admin, f->image, "image/png", image), ==, 11);
  g_assert_cmpint (add_revision (source, f->alice, f->page, "text/plain", page), ==, 1 + PAGE_REPLIES + 1);

  if (rl_test_server_cli (NULL, &out, &err, "migrate", "--from", f->sqlite->db, "--to", f->pg->conninfo, NULL) != 0)
    g_error ("migrate failed: %s", err);
  g_assert_nonnull (strstr (out, "verified 3 documents, 4 threads, 30 events"));

  target = rl_store_pg_open (f->pg->conninfo, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_autoptr(GPtrArray) source_revisions = rl_store_list_revisions (source, tenants[i], docs[i]);
      g_autoptr(GPtrArray) target_revisions = rl_store_list_revisions (target, tenants[i], docs[i]);
      g_autoptr(GPtrArray) source_threads = NULL;
      g_autoptr(GPtrArray) target_threads = NULL;
      gint64 source_head = 0, target_head = 0;

      g_assert_cmpuint (source_revisions->len, ==, i < 2 ? 2 : 1);
      g_assert_cmpuint (target_revisions->len, ==, source_revisions->len);
      for (guint r = 0; r < source_revisions->len; r++)
        {
          RlRevision *a = g_ptr_array_index (source_revisions, r);
          RlRevision *b = g_ptr_array_index (target_revisions, r);
          g_autoptr(GBytes) a_content = rl_store_get_revision_content (source, tenants[i], docs[i], a->revision, NULL);
          g_autoptr(GBytes) b_content = rl_store_get_revision_content (target, tenants[i], docs[i], b->revision, NULL);
          g_autofree char *a_model = rl_store_get_text_model (source, tenants[i], docs[i], a->revision);
          g_autofree char *b_model = rl_store_get_text_model (target, tenants[i], docs[i], b->revision);

          g_assert_cmpint (a->revision, ==, b->revision);
          g_assert_cmpstr (a->mime, ==, b->mime);
          g_assert_cmpstr (a->etag, ==, b->etag);
          g_assert_cmpint (a->created_at, ==, b->created_at);
          g_assert_cmpstr (a->created_by.id, ==, b->created_by.id);
          g_assert_true (g_bytes_equal (a_content, b_content));
          g_assert_cmpstr (a_model, ==, b_model);
          g_assert_true ((a_model != NULL) == (i > 0));
        }

      source_threads = rl_store_load_threads (source, tenants[i], docs[i], &source_head);
      target_threads = rl_store_load_threads (target, tenants[i], docs[i], &target_head);
      g_assert_cmpint (source_head, ==, target_head);
      g_assert_cmpuint (source_threads->len, ==, target_threads->len);
      for (guint t = 0; t < source_threads->len; t++)
        {
          RlThread *thread = g_ptr_array_index (target_threads, t);

          g_assert_true (rl_thread_equal (g_ptr_array_index (source_threads, t), thread));
          g_assert_cmpuint (thread->placements->len, ==, i < 2 ? 2 : 1);
        }
    }
  /* The score, exactly as it was. */
  {
    g_autoptr(GPtrArray) threads = rl_store_load_threads (target, "acme", f->image, NULL);
    RlRevisionAnchor *placement = g_ptr_array_index (((RlThread *) g_ptr_array_index (threads, 0))->placements, 1);

    g_assert_cmpint (placement->status, ==, RL_PLACEMENT_CHANGED);
    g_assert_cmpfloat (placement->score, ==, 0.654321);
  }
}


/* A database a server before protocol 1.2 left (schema 4) is carried up at
 * the next start: each comment takes the seq of the event that created it
 * where the log still holds that event, else 0 (never unread). */
static void
test_schema_4 (Fixture       *f,
               gconstpointer  data)
{
  const char *docs[] = { f->image, f->page };
  GPtrArray *before[G_N_ELEMENTS (docs)] = { NULL };
  gint64 log_start[G_N_ELEMENTS (docs)] = { 0 };
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  guint kept = 0, zeroed = 0;

  make_deployment (f);
  rl_test_server_stop (f->sqlite);
  store = rl_store_sqlite_open (f->sqlite->db, &error);
  g_assert_no_error (error);
  for (guint d = 0; d < G_N_ELEMENTS (docs); d++)
    before[d] = rl_store_load_threads (store, "acme", docs[d], NULL);
  g_clear_object (&store);

  g_assert_cmpint (sqlite3_open (f->sqlite->db, &db), ==, SQLITE_OK);
  for (guint d = 0; d < G_N_ELEMENTS (docs); d++)
    {
      sqlite3_stmt *first = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT MIN (seq) FROM events WHERE doc = ?1", -1, &first, NULL), ==,
                       SQLITE_OK);
      sqlite3_bind_text (first, 1, docs[d], -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (first), ==, SQLITE_ROW);
      log_start[d] = sqlite3_column_int64 (first, 0);
      sqlite3_finalize (first);
    }
  g_assert_cmpint (sqlite3_exec (db, "BEGIN;" RL_TEST_UNDO_SCHEMA_5 "COMMIT;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = rl_store_sqlite_open (f->sqlite->db, &error);
  g_assert_no_error (error);
  for (guint d = 0; d < G_N_ELEMENTS (docs); d++)
    {
      g_autoptr(GPtrArray) after = rl_store_load_threads (store, "acme", docs[d], NULL);

      g_assert_cmpuint (after->len, ==, before[d]->len);
      for (guint t = 0; t < after->len; t++)
        {
          RlThread *was = g_ptr_array_index (before[d], t), *is = g_ptr_array_index (after, t);

          g_assert_cmpuint (is->comments->len, ==, was->comments->len);
          for (guint c = 0; c < is->comments->len; c++)
            {
              RlComment *old = g_ptr_array_index (was->comments, c), *now = g_ptr_array_index (is->comments, c);

              g_assert_cmpint (old->seq, >, 0);
              g_assert_cmpint (now->seq, ==, old->seq >= log_start[d] ? old->seq : 0);
              if (now->seq > 0)
                kept++;
              else
                zeroed++;
            }
        }
    }
  /* Both cases happened: the page's log is pruned, the image's is whole. */
  g_assert_cmpuint (kept, >, 0);
  g_assert_cmpuint (zeroed, >, 0);
  for (guint d = 0; d < G_N_ELEMENTS (docs); d++)
    g_ptr_array_unref (before[d]);
}

/* What a server answers a 1.2 client, as JSON texts: the user's feed
 * replayed from 0, the documents' unread counts, a subscribe's read state. */
static GPtrArray *
look_12 (RlTestServer *server,
         const char   *token,
         const char   *doc)
{
  g_autoptr(RlTestClient) client = rl_test_client_new_v12 (server, token);
  g_autoptr(RlTestResponse) docs = rl_test_http (server, "GET", "/api/v1/docs", token, NULL, NULL);
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  JsonArray *listed;

  rl_test_client_send (client, "{\"type\":\"subscribe-activity\",\"req\":\"sa\",\"since\":0}");
  for (;;)
    {
      g_autoptr(JsonObject) frame = rl_test_client_next (client);

      g_ptr_array_add (seen, object_text (frame));
      if (g_str_equal (json_object_get_string_member (frame, "type"), "ack"))
        break;
    }
  listed = json_node_get_array (docs->json);
  for (guint i = 0; i < json_array_get_length (listed); i++)
    g_ptr_array_add (seen, object_text (json_object_get_object_member (json_array_get_object_element (listed, i),
                                                                       "unread")));
  rl_test_client_send_printf (client, "{\"type\":\"subscribe\",\"req\":\"s\",\"doc\":\"%s\"}", doc);
  {
    g_autoptr(JsonObject) ack = rl_test_client_expect_ack (client, "s");

    g_ptr_array_add (seen, object_text (json_object_get_object_member (ack, "read")));
  }
  return seen;
}

/* Mentions, read state and activity logs move up too: a server on the
 * copy answers a 1.2 client as the SQLite one did, and the user's log goes
 * on from its head. */
static void
test_moves_activity (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RlTestServer) pg_server = rl_test_server_new_on (f->pg->conninfo);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *alice_id = rl_test_token_user (f->alice);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 seq;

  make_deployment (f);
  {
    g_autoptr(RlTestClient) admin = rl_test_client_new (f->sqlite, f->admin);
    g_autoptr(RlTestClient) alice = rl_test_client_new_v12 (f->sqlite, f->alice);
    g_autoptr(JsonObject) ack = NULL;
    g_autofree char *comment = rl_test_uuid ();

    ack = send_ok (admin, "\"type\":\"create-thread\",\"doc\":\"%s\",\"thread\":{\"id\":\"%s\",\"anchor\":"
                   "{\"x\":0.5,\"y\":0.5}},\"comment\":{\"id\":\"%s\",\"body\":\"@Alice look\",\"mentions\":"
                   "[{\"user\":\"%s\",\"start\":0,\"end\":6}]}", f->image, thread, comment, alice_id);
    seq = json_object_get_int_member (ack, "seq");
    g_clear_pointer (&ack, json_object_unref);
    g_free (reply (admin, f->image, thread, "and this"));
    ack = send_ok (alice, "\"type\":\"mark-read\",\"doc\":\"%s\",\"thread\":\"%s\",\"seq\":%" G_GINT64_FORMAT,
                   f->image, thread, seq);
  }
  before = look_12 (f->sqlite, f->alice, f->image);
  rl_test_server_stop (f->sqlite);

  if (rl_test_server_cli (NULL, &out, &err, "migrate", "--from", f->sqlite->db, "--to", f->pg->conninfo, NULL) != 0)
    g_error ("migrate failed: %s", err);
  rl_test_server_start (pg_server);
  after = look_12 (pg_server, f->alice, f->image);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < before->len; i++)
    g_assert_cmpstr (g_ptr_array_index (after, i), ==, g_ptr_array_index (before, i));
  /* Something to compare: a mention and a read among them. */
  {
    gboolean mention = FALSE, read = FALSE;

    for (guint i = 0; i < before->len; i++)
      {
        mention |= strstr (g_ptr_array_index (before, i), "\"kind\":\"mention\"") != NULL;
        read |= strstr (g_ptr_array_index (before, i), "\"kind\":\"read\"") != NULL;
      }
    g_assert_true (mention && read);
  }

  /* Her log goes on from its head. */
  {
    g_autoptr(RlTestClient) admin = rl_test_client_new (pg_server, f->admin);
    g_autoptr(RlTestClient) alice = rl_test_client_new_v12 (pg_server, f->alice);
    g_autoptr(JsonObject) ack = NULL;
    g_autoptr(JsonObject) item = NULL;
    gint64 head;

    rl_test_client_send (alice, "{\"type\":\"subscribe-activity\",\"req\":\"sa\"}");
    ack = rl_test_client_expect_ack (alice, "sa");
    head = json_object_get_int_member (ack, "aseq");
    g_assert_cmpint (head, >=, 3);
    g_free (reply (admin, f->image, thread, "once more"));
    item = rl_test_client_expect (alice, "activity");
    g_assert_cmpint (json_object_get_int_member (item, "aseq"), ==, head + 1);
  }
  rl_test_server_stop (pg_server);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/server/migrate/moves-up", test_moves_up);
  ADD ("/server/migrate/refusals", test_refusals);
  ADD ("/server/migrate/all-or-nothing", test_all_or_nothing);
  ADD ("/server/migrate/writer-meanwhile", test_writer_meanwhile);
  ADD ("/server/migrate/schema-3", test_schema_3);
  ADD ("/server/migrate/moves-revisions", test_moves_revisions);
  ADD ("/server/migrate/schema-4", test_schema_4);
  ADD ("/server/migrate/moves-activity", test_moves_activity);
#undef ADD

  return g_test_run ();
}
