/* test-server-ops.c — running the server: the command line (help, version,
 * misuse), users and tokens revoked or rotated while the server serves,
 * documents listed and removed, a backup taken under write load and
 * restored, /metrics, and the access log — all against the real server,
 * the command line running as a process of its own on the same file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "rl-test-server.h"

/* A revoked or replaced token's connections close within this, counted
 * from when the command starts. */
#define CLOSE_BUDGET_MS 1000

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *admin;      /* acme admin, Ada */
  const char   *member;     /* acme member, Mia */
  const char   *other;      /* acme member, Bob */
  const char   *viewer;     /* acme viewer, Vic */
  const char   *rival;      /* globex member, Rex */
  const char   *image;      /* acme */
  const char   *image2;     /* acme */
  const char   *page;       /* acme */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_team_init (&f->team, "Ada:admin", &f->admin,
                               "Mia:member", &f->member,
                               "Bob:member", &f->other,
                               "Vic:viewer", &f->viewer,
                               "globex/Rex:member", &f->rival,
                               NULL);
  f->server = f->team.server;
  f->server->extra_arg = g_strdup (data);   /* NULL: none */
  f->image = rl_test_team_add_doc (&f->team, "acme", "Mockup", "mockup.png");
  f->image2 = rl_test_team_add_doc (&f->team, "acme", "Second mockup", "mockup.png");
  f->page = rl_test_team_add_doc (&f->team, "acme", "Copy", "page.md");
  rl_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_team_clear (&f->team);
}

/* ---- helpers --------------------------------------------------------------------- */

static gint64
ms_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / 1000;
}

/* The client is closed with code within CLOSE_BUDGET_MS of start_us. */
static void
assert_closed_in_time (RlTestClient *client,
                       gint64        start_us,
                       gushort       code)
{
  gint64 left = CLOSE_BUDGET_MS - ms_since (start_us);

  g_assert_cmpint (left, >, 0);
  g_assert_cmpuint (rl_test_client_wait_closed (client, (guint) left), ==, code);
  g_assert_cmpint (ms_since (start_us), <, CLOSE_BUDGET_MS);
}

static void
assert_http (RlTestServer *server,
             const char   *path,
             const char   *token,
             guint         status,
             const char   *code)
{
  g_autoptr(RlTestResponse) response = rl_test_http (server, "GET", path, token, NULL, NULL);

  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (rl_test_response_error_code (response), ==, code);
}

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
                              "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.25,\"y\":0.75}},"
                              "\"comment\":{\"id\":\"%s\",\"body\":\"Align the baseline\"}}",
                              req, bc, doc, thread, comment);
  return rl_test_client_expect_ack (client, req);
}

static JsonObject *
add_comment (RlTestClient *client,
             const char   *doc,
             const char   *thread)
{
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *bc = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();

  rl_test_client_send_printf (client,
                              "{\"type\":\"add-comment\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":\"%s\",\"comment\":{\"id\":\"%s\",\"body\":\"Agreed\"}}",
                              req, bc, doc, thread, comment);
  return rl_test_client_expect_ack (client, req);
}

static const char *
new_marker_ok (RlTestClient *client,
               const char   *doc,
               char        **thread)
{
  g_autofree char *comment = rl_test_uuid ();
  g_autoptr(JsonObject) ack = NULL;

  *thread = rl_test_uuid ();
  ack = create_marker (client, doc, *thread, comment);
  g_assert_null (rl_test_ack_error (ack));
  return *thread;
}

/* Subscribes and returns the ack's error code (NULL when it worked). */
static char *
subscribe_error (RlTestClient *client,
                 const char   *doc)
{
  g_autofree char *req = rl_test_uuid ();
  g_autoptr(JsonObject) ack = NULL;

  rl_test_client_send_printf (client, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\"}", req, doc);
  ack = rl_test_client_expect_ack (client, req);
  return g_strdup (rl_test_ack_error (ack));
}

/* Rows of a tab-separated listing (the header first). */
static GPtrArray *
tsv_rows (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_ptr_array_add (rows, g_strsplit (lines[i], "\t", -1));
  return rows;
}

/* The row whose column holds value, or NULL. */
static GStrv
tsv_find (GPtrArray  *rows,
          guint       column,
          const char *value)
{
  for (guint i = 1; i < rows->len; i++)
    {
      GStrv row = g_ptr_array_index (rows, i);

      if (g_strv_length (row) > column && g_str_equal (row[column], value))
        return row;
    }
  return NULL;
}

static gint64
count_rows (sqlite3    *db,
            const char *sql,
            const char *arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* ---- the command line --------------------------------------------------------------- */

static const char *commands[] = {
  "tenant add", "user add", "user list", "user revoke", "token rotate",
  "doc add", "doc list", "doc remove", "backup", "serve",
};

static void
test_cli_help_and_misuse (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *missing_db = g_build_filename (f->server->dir, "never-made.db", NULL);
  g_autofree char *db_option = g_strconcat ("--db=", f->server->db, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* Help and version need no database. */
  g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "--help", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Usage:\n  redline-server "));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_nonnull (strstr (out, commands[i]));
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "--version", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "redline-server "));
  g_assert_true (g_ascii_isdigit (out[strlen ("redline-server ")]));
  g_assert_cmpuint (strlen (strchr (out, '\n')), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(GStrv) words = g_strsplit (commands[i], " ", 2);
      g_autofree char *usage = g_strdup_printf ("Usage:\n  redline-server --db FILE %s", commands[i]);

      g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, words[0], words[1] ? words[1] : "--help",
                                           words[1] ? "--help" : NULL, NULL), ==, 0);
      g_assert_true (g_str_has_prefix (out, usage));
      g_assert_nonnull (strstr (out, "--help"));
      g_assert_cmpstr (err, ==, "");
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }
  /* A group lists its commands. */
  g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "user", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "user revoke"));
  g_assert_null (strstr (out, "doc remove"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Misuse: exit 2 with a message that says what and where to look; the
   * database is not even opened. */
  {
    /* Unused slots are NULL: each list ends there. */
    const char *misuses[][12] = {
      { NULL },
      { "--frobnicate", NULL },
      { "--db", NULL },
      { "--db", missing_db, NULL },
      { "--db", missing_db, "frobnicate", NULL },
      { "--db", missing_db, "user", NULL },
      { "--db", missing_db, "user", "frobnicate", NULL },
      { "--db", missing_db, "tenant", "add", NULL },
      { "--db", missing_db, "tenant", "add", "one", "two", NULL },
      { "--db", missing_db, "user", "add", "--tenant", "acme", NULL },
      { "--db", missing_db, "user", "add", "--tenant", "acme", "--name", "X", "--bogus", NULL },
      { "--db", missing_db, "user", "add", "--tenant", "acme", "--name", "X", "--role", "king" },
      { "--db", missing_db, "user", "add", "--tenant", NULL },
      { "--db", missing_db, "user", "revoke", "someone", NULL },
      { "--db", missing_db, "user", "revoke", "--tenant", "acme", NULL },
      { "--db", missing_db, "token", "rotate", "--tenant", "acme", "a", "b", NULL },
      { "--db", missing_db, "doc", "remove", "--tenant", "acme", NULL },
      { "--db", missing_db, "doc", "add", "--tenant", "acme", "--title", "T", NULL },
      { "--db", missing_db, "doc", "list", "extra", NULL },
      { "--db", missing_db, "backup", NULL },
      { "--db", missing_db, "serve", "--listen", "nowhere", NULL },
      { "--db", missing_db, "serve", "--ping-interval", "0", NULL },
      { "--db", missing_db, "serve", "--tls-cert", "cert.pem", NULL },
      { "--db", missing_db, "serve", "--metrics-allow", "not-an-address", NULL },
      { "user", "list", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (misuses); i++)
      {
        int status = rl_test_server_cliv (NULL, &out, &err, misuses[i]);

        if (status != 2)
          g_error ("misuse %u exited %d: %s", i, status, err);
        g_assert_true (g_str_has_prefix (err, "redline-server: "));
        g_assert_nonnull (strstr (err, "--help"));
        g_assert_cmpstr (out, ==, "");
        g_assert_false (g_file_test (missing_db, G_FILE_TEST_EXISTS));
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
      }
  }

  /* PROTOCOL.md §7 as written keeps working (the fixture ran tenant add,
   * user add, doc add and serve that way); `--db=FILE` and `--opt=value`
   * too; user add prints the token alone, and only it. */
  g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, db_option, "user", "add", "--tenant=acme", "--name=Zoë Ünicode",
                                       "--role=viewer", NULL), ==, 0);
  g_assert_nonnull (strchr (out, '.'));
  g_assert_cmpuint (strlen (strchr (out, '\n')), ==, 1);
  g_strstrip (out);
  {
    g_autoptr(RlTestClient) client = rl_test_client_new (f->server, out);
    JsonObject *user = json_object_get_object_member (json_node_get_object (client->welcome), "user");

    g_assert_cmpstr (json_object_get_string_member (user, "name"), ==, "Zoë Ünicode");
    g_assert_cmpstr (json_object_get_string_member (user, "role"), ==, "viewer");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A failure that is not misuse: exit 1, the database untouched. */
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "user", "add", "--tenant", "nowhere", "--name", "X", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "nowhere"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* §7's commands start a database; the others refuse a path without
   * one: a mistyped path leaves none behind. */
  g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "--db", missing_db, "user", "list", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no database"));
  g_assert_false (g_file_test (missing_db, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_cli (NULL, &out, &err, "--db", missing_db, "tenant", "add", "initech", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "initech\n");
  g_assert_true (g_file_test (missing_db, G_FILE_TEST_EXISTS));
}

/* ---- users and tokens ------------------------------------------------------------- */

static void
test_user_list (Fixture       *f,
                gconstpointer  data)
{
  const char *tokens[] = { f->admin, f->member, f->other, f->viewer, f->rival };
  const char *names[] = { "Ada", "Mia", "Bob", "Vic", "Rex" };
  const char *roles[] = { "admin", "member", "member", "viewer", "member" };
  const char *tenants[] = { "acme", "acme", "acme", "acme", "globex" };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *acme = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) acme_rows = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "user", "list", NULL), ==, 0);
  rows = tsv_rows (out);
  g_assert_cmpuint (rows->len, ==, 1 + G_N_ELEMENTS (tokens));
  g_assert_cmpstrv (g_ptr_array_index (rows, 0),
                    ((const char *[]) { "TENANT", "ID", "NAME", "ROLE", "CREATED", "REVOKED", NULL }));
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autofree char *id = rl_test_token_user (tokens[i]);
      const char *secret = strchr (tokens[i], '.') + 1;
      g_autofree char *hash_hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, secret, -1);
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize len = sizeof digest;
      g_autofree char *hash_b64 = NULL;
      GStrv row = tsv_find (rows, 1, id);
      gint64 created;

      g_checksum_update (checksum, (const guchar *) secret, -1);
      g_checksum_get_digest (checksum, digest, &len);
      hash_b64 = g_base64_encode (digest, len);

      g_assert_nonnull (row);
      g_assert_cmpuint (g_strv_length (row), ==, 6);
      g_assert_cmpstr (row[0], ==, tenants[i]);
      g_assert_cmpstr (row[2], ==, names[i]);
      g_assert_cmpstr (row[3], ==, roles[i]);
      g_assert_true (g_str_has_suffix (row[4], "Z"));
      {
        g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (row[4], NULL);

        g_assert_nonnull (time);
        created = g_date_time_to_unix (time);
        g_assert_cmpint (ABS (created - g_get_real_time () / G_USEC_PER_SEC), <, 600);
      }
      g_assert_cmpstr (row[5], ==, "-");

      /* Never the token, its secret or its hash, in any spelling. */
      g_assert_null (strstr (out, tokens[i]));
      g_assert_null (strstr (out, secret));
      g_assert_null (g_strstr_len (out, -1, hash_hex));
      g_assert_null (g_strstr_len (out, -1, hash_b64));
    }

  /* One tenant's only. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_cli (f->server, &acme, &err, "user", "list", "--tenant", "acme", NULL), ==, 0);
  acme_rows = tsv_rows (acme);
  g_assert_cmpuint (acme_rows->len, ==, 1 + 4);
  for (guint i = 1; i < acme_rows->len; i++)
    g_assert_cmpstr (((GStrv) g_ptr_array_index (acme_rows, i))[0], ==, "acme");
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "user", "list", "--tenant", "nowhere", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "nowhere"));

  /* The hashes really are in the file: the listing leaves them out. */
  g_assert_cmpint (sqlite3_open_v2 (f->server->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (count_rows (db, "SELECT COUNT (*) FROM users WHERE length (token_hash) = 32 AND ?1 IS NOT NULL",
                               "x"), ==, G_N_ELEMENTS (tokens));
  sqlite3_close (db);
}

static void
test_user_revoke (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *mia = rl_test_token_user (f->member);
  g_autofree char *bob = rl_test_token_user (f->other);
  g_autoptr(RlTestClient) first = rl_test_client_new (f->server, f->member);
  g_autoptr(RlTestClient) second = rl_test_client_new (f->server, f->member);
  g_autoptr(RlTestClient) bystander = rl_test_client_new (f->server, f->other);
  g_autoptr(JsonObject) first_snapshot = rl_test_client_subscribe (first, f->image);
  g_autoptr(JsonObject) bob_snapshot = rl_test_client_subscribe (bystander, f->image);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *thread = NULL;
  guint status = 0;
  gint64 started;

  /* The id in another tenant's name is no one there: nothing changes. */
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "user", "revoke", "--tenant", "globex", mia, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no user"));
  assert_http (f->server, "/api/v1/docs", f->member, 200, NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  started = g_get_monotonic_time ();
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "user", "revoke", "--tenant", "acme", mia, NULL), ==, 0);
  g_assert_nonnull (strstr (out, mia));

  /* Refused at once: HTTP and a new WebSocket. */
  assert_http (f->server, "/api/v1/docs", f->member, 401, "unauthorized");
  g_assert_null (rl_test_client_try (f->server, f->member, &status));
  g_assert_cmpuint (status, ==, 401);
  /* Both open links closed, policy, within the second. */
  assert_closed_in_time (first, started, 1008);
  assert_closed_in_time (second, started, 1008);

  /* Bob, on the same document, noticed nothing but Mia leaving. */
  g_assert_false (bystander->closed);
  new_marker_ok (bystander, f->image, &thread);
  assert_http (f->server, "/api/v1/docs", f->other, 200, NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Listed as revoked, with when; the others not. */
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "user", "list", NULL), ==, 0);
  rows = tsv_rows (out);
  {
    g_autoptr(GDateTime) revoked = g_date_time_new_from_iso8601 (tsv_find (rows, 1, mia)[5], NULL);

    g_assert_nonnull (revoked);
    g_assert_cmpstr (tsv_find (rows, 1, bob)[5], ==, "-");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Again: nothing more to do, said so. A new token for a revoked user
   * would bring them back: refused. An unknown user: refused. */
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "user", "revoke", "--tenant", "acme", mia, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "already"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "token", "rotate", "--tenant", "acme", mia, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "revoked"));
  g_assert_cmpstr (out, ==, "");
  assert_http (f->server, "/api/v1/docs", f->member, 401, "unauthorized");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "user", "revoke", "--tenant", "acme", "nobody", NULL), ==, 1);
  g_assert_false (bystander->closed);
}

static void
test_token_rotate (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *mia = rl_test_token_user (f->member);
  g_autoptr(RlTestClient) old_link = rl_test_client_new (f->server, f->member);
  g_autoptr(RlTestClient) other = rl_test_client_new (f->server, f->other);
  g_autoptr(RlTestClient) new_link = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *thread = NULL;
  g_autofree char *new_user = NULL;
  const char *token;
  JsonObject *user;
  guint status = 0;
  gint64 started;

  started = g_get_monotonic_time ();
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "token", "rotate", "--tenant", "acme", mia, NULL), ==, 0);
  /* The new token alone on the one line, as `user add` prints it. */
  g_assert_true (g_str_has_suffix (out, "\n"));
  g_assert_cmpuint (strlen (strchr (out, '\n')), ==, 1);
  g_strstrip (out);
  token = out;
  new_user = rl_test_token_user (token);
  g_assert_cmpstr (new_user, ==, mia);
  g_assert_cmpstr (token, !=, f->member);

  /* The old token is refused at once; the new one works at once. */
  assert_http (f->server, "/api/v1/docs", f->member, 401, "unauthorized");
  g_assert_null (rl_test_client_try (f->server, f->member, &status));
  g_assert_cmpuint (status, ==, 401);
  assert_http (f->server, "/api/v1/docs", token, 200, NULL);
  new_link = rl_test_client_new (f->server, token);
  user = json_object_get_object_member (json_node_get_object (new_link->welcome), "user");
  g_assert_cmpstr (json_object_get_string_member (user, "id"), ==, mia);
  g_assert_cmpstr (json_object_get_string_member (user, "name"), ==, "Mia");
  g_assert_cmpstr (json_object_get_string_member (user, "role"), ==, "member");

  /* The link of the old token closes within the second; the one made with
   * the new token (before the server even read of the rotation) and
   * everyone else's stay. */
  assert_closed_in_time (old_link, started, 1008);
  rl_test_client_assert_quiet (new_link, 600);
  g_assert_false (new_link->closed);
  g_assert_false (other->closed);
  new_marker_ok (new_link, f->image, &thread);

  /* Rotating again makes the previous new one old in turn. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  started = g_get_monotonic_time ();
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "token", "rotate", "--tenant", "acme", mia, NULL), ==, 0);
  assert_closed_in_time (new_link, started, 1008);
  g_assert_false (other->closed);
}

/* ---- documents ------------------------------------------------------------------ */

static void
test_doc_list_and_remove (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(RlTestClient) writer = rl_test_client_new (f->server, f->member);
  g_autoptr(RlTestClient) both = rl_test_client_new (f->server, f->admin);
  g_autoptr(RlTestClient) elsewhere = rl_test_client_new (f->server, f->other);
  g_autoptr(RlTestClient) late = NULL;
  g_autoptr(JsonObject) s1 = rl_test_client_subscribe (writer, f->image);
  g_autoptr(JsonObject) s2 = rl_test_client_subscribe (both, f->image);
  g_autoptr(JsonObject) s3 = rl_test_client_subscribe (both, f->image2);
  g_autoptr(JsonObject) s4 = rl_test_client_subscribe (elsewhere, f->image2);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *error_code = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *threads_path = g_strdup_printf ("/api/v1/docs/%s/threads", f->image);
  g_autofree char *content_path = g_strdup_printf ("/api/v1/docs/%s/content", f->image);
  g_autofree char *doc_path = g_strdup_printf ("/api/v1/docs/%s", f->image);
  char *threads[3] = { NULL };
  sqlite3 *db = NULL;
  gint64 started;

  /* Three threads, two replies: seq 5. The other image has one thread. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    new_marker_ok (writer, f->image, &threads[i]);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) ack = add_comment (writer, f->image, threads[0]);

      g_assert_null (rl_test_ack_error (ack));
      g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 4 + i);
    }
  new_marker_ok (elsewhere, f->image2, &kept);

  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "doc", "list", NULL), ==, 0);
  rows = tsv_rows (out);
  g_assert_cmpuint (rows->len, ==, 1 + 3);
  g_assert_cmpstrv (g_ptr_array_index (rows, 0),
                    ((const char *[]) { "TENANT", "ID", "KIND", "MIME", "SIZE", "SEQ", "THREADS", "CREATED",
                                        "TITLE", NULL }));
  {
    GStrv image = tsv_find (rows, 1, f->image);
    GStrv page = tsv_find (rows, 1, f->page);

    g_assert_cmpstrv (image + 5, ((const char *[]) { "5", "3", image[7], "Mockup", NULL }));
    g_assert_cmpstr (image[0], ==, "acme");
    g_assert_cmpstr (image[2], ==, "image");
    g_assert_cmpstr (image[3], ==, "image/png");
    g_assert_cmpstr (page[2], ==, "page");
    g_assert_cmpstr (page[3], ==, "text/markdown");
    g_assert_cmpstr (page[5], ==, "0");
    g_assert_cmpstr (tsv_find (rows, 1, f->image2)[5], ==, "1");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "doc", "list", "--tenant", "globex", NULL), ==, 0);
  rows = tsv_rows (out);
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Named in another tenant, it is not there: nothing goes. */
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "doc", "remove", "--tenant", "globex", f->image, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no document"));
  assert_http (f->server, threads_path, f->member, 200, NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  started = g_get_monotonic_time ();
  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "doc", "remove", "--tenant", "acme", f->image, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "3 threads, 5 comments and 5 logged events"));

  /* Not found at once, every way of asking. */
  assert_http (f->server, doc_path, f->member, 404, "not-found");
  assert_http (f->server, threads_path, f->member, 404, "not-found");
  assert_http (f->server, content_path, f->member, 404, "not-found");
  {
    g_autoptr(RlTestResponse) list = rl_test_http (f->server, "GET", "/api/v1/docs", f->member, NULL, NULL);
    JsonArray *docs = json_node_get_array (list->json);

    g_assert_cmpuint (json_array_get_length (docs), ==, 2);
    for (guint i = 0; i < json_array_get_length (docs); i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (docs, i), "id"), !=,
                       f->image);
  }

  /* Its subscribers are told: their links close (they come back and find
   * it gone); the other document's subscriber stays and keeps working. */
  assert_closed_in_time (writer, started, 1008);
  assert_closed_in_time (both, started, 1008);
  g_assert_false (elsewhere->closed);
  {
    g_autofree char *t = NULL;

    new_marker_ok (elsewhere, f->image2, &t);
  }
  late = rl_test_client_new (f->server, f->member);
  error_code = subscribe_error (late, f->image);
  g_assert_cmpstr (error_code, ==, "not-found");
  {
    g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid ();
    g_autoptr(JsonObject) ack = create_marker (late, f->image, t, c);

    g_assert_cmpstr (rl_test_ack_error (ack), ==, "not-found");
  }

  /* Its threads, comments and log are gone from the file; the other
   * document's are whole. */
  g_assert_cmpint (sqlite3_open_v2 (f->server->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (count_rows (db, "SELECT COUNT (*) FROM threads WHERE doc = ?", f->image), ==, 0);
  g_assert_cmpint (count_rows (db, "SELECT COUNT (*) FROM events WHERE doc = ?", f->image), ==, 0);
  g_assert_cmpint (count_rows (db, "SELECT COUNT (*) FROM documents WHERE id = ?", f->image), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_cmpint (count_rows (db, "SELECT COUNT (*) FROM comments WHERE thread = ?", threads[i]), ==, 0);
  g_assert_cmpint (count_rows (db, "SELECT COUNT (*) FROM threads WHERE doc = ?", f->image2), ==, 2);
  g_assert_cmpint (count_rows (db, "SELECT COUNT (*) FROM events WHERE doc = ?", f->image2), ==, 2);
  g_assert_cmpint (count_rows (db, "SELECT COUNT (*) FROM comments WHERE thread = ?", kept), ==, 1);
  sqlite3_close (db);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "doc", "remove", "--tenant", "acme", f->image, NULL), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_free (threads[i]);
}

/* ---- backup under write load -------------------------------------------------------- */

/* One committed change, as its ack told it. */
typedef struct
{
  char     *thread;
  char     *comment;        /* NULL for a resolve */
  gboolean  creates;
  gboolean  resolved;
} Op;

static void
op_free (Op *op)
{
  g_free (op->thread);
  g_free (op->comment);
  g_free (op);
}

typedef struct
{
  char       *id;
  GHashTable *ops;          /* seq → Op*: every committed change */
  gint64      head;         /* the highest seq acked */
} Doc;

typedef struct
{
  Op   *op;
  Doc  *doc;
} InFlight;

typedef struct
{
  RlTestClient *client;
  Doc         **docs;       /* the documents it writes to, in turn */
  guint         n_docs;
  guint         window;     /* requests in flight at most */
  guint         turn;
  GHashTable   *in_flight;  /* req → InFlight* */
  GHashTable   *created;    /* doc id → GPtrArray of its acked thread ids */
  GHashTable   *resolved;   /* thread id → last resolved value sent */
  gboolean      stopping;
  guint         acked;
  guint         refused;
} Writer;

static void
send_next (Writer *w)
{
  Doc *doc = w->docs[w->turn % w->n_docs];
  GPtrArray *threads = g_hash_table_lookup (w->created, doc->id);
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *bc = rl_test_uuid ();
  InFlight *flight = g_new0 (InFlight, 1);
  Op *op = g_new0 (Op, 1);
  guint kind = w->window == 1 || threads == NULL || threads->len == 0 ? 0 : w->turn % 3;

  flight->op = op;
  flight->doc = doc;
  if (kind == 0)
    {
      op->creates = TRUE;
      op->thread = rl_test_uuid ();
      op->comment = rl_test_uuid ();
      rl_test_client_send_printf (w->client,
                                  "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                  "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.5,\"y\":0.5}},"
                                  "\"comment\":{\"id\":\"%s\",\"body\":\"Body %s\"}}",
                                  req, bc, doc->id, op->thread, op->comment, op->comment);
    }
  else if (kind == 1)
    {
      op->thread = g_strdup (g_ptr_array_index (threads, g_random_int_range (0, (int) threads->len)));
      op->comment = rl_test_uuid ();
      rl_test_client_send_printf (w->client,
                                  "{\"type\":\"add-comment\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                  "\"thread\":\"%s\",\"comment\":{\"id\":\"%s\",\"body\":\"Body %s\"}}",
                                  req, bc, doc->id, op->thread, op->comment, op->comment);
    }
  else
    {
      op->thread = g_strdup (g_ptr_array_index (threads, g_random_int_range (0, (int) threads->len)));
      op->resolved = !GPOINTER_TO_INT (g_hash_table_lookup (w->resolved, op->thread));
      g_hash_table_insert (w->resolved, g_strdup (op->thread), GINT_TO_POINTER (op->resolved));
      rl_test_client_send_printf (w->client,
                                  "{\"type\":\"resolve-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                  "\"thread\":\"%s\",\"resolved\":%s}",
                                  req, bc, doc->id, op->thread, op->resolved ? "true" : "false");
    }
  g_hash_table_insert (w->in_flight, g_steal_pointer (&req), flight);
}

static void
on_writer_message (SoupWebsocketConnection *connection,
                   SoupWebsocketDataType    type,
                   GBytes                  *message,
                   Writer                  *w)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *frame;
  InFlight *flight;
  const char *req;

  /* The client's own queue got it too: this writer reads it here alone. */
  g_free (g_queue_pop_tail (w->client->frames));
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (message, NULL),
                                             (gssize) g_bytes_get_size (message), NULL));
  frame = json_node_get_object (json_parser_get_root (parser));
  if (!g_str_equal (json_object_get_string_member (frame, "type"), "ack"))
    return;
  req = json_object_get_string_member (frame, "req");
  flight = g_hash_table_lookup (w->in_flight, req);
  g_assert_nonnull (flight);

  if (json_object_get_boolean_member (frame, "ok"))
    {
      gint64 seq = json_object_get_int_member (frame, "seq");
      GPtrArray *threads;
      Op *op = g_steal_pointer (&flight->op);

      g_assert_false (g_hash_table_contains (flight->doc->ops, GINT_TO_POINTER (seq)));
      g_hash_table_insert (flight->doc->ops, GINT_TO_POINTER (seq), op);
      flight->doc->head = MAX (flight->doc->head, seq);
      w->acked++;
      if (op->creates)
        {
          threads = g_hash_table_lookup (w->created, flight->doc->id);
          if (threads == NULL)
            {
              threads = g_ptr_array_new_with_free_func (g_free);
              g_hash_table_insert (w->created, g_strdup (flight->doc->id), threads);
            }
          g_ptr_array_add (threads, g_strdup (op->thread));
        }
      w->turn++;
    }
  else
    {
      /* Over the per-connection rate: nothing changed; the same document
       * again (the orderly writer's alternation holds). */
      g_assert_cmpstr (rl_test_ack_error (frame), ==, "rate-limited");
      w->refused++;
    }
  g_hash_table_remove (w->in_flight, req);
  if (!w->stopping)
    while (g_hash_table_size (w->in_flight) < w->window)
      send_next (w);
}

static void
in_flight_free (InFlight *flight)
{
  g_clear_pointer (&flight->op, op_free);
  g_free (flight);
}

static Writer *
writer_start (RlTestServer *server,
              const char   *token,
              Doc         **docs,
              guint         n_docs,
              guint         window)
{
  Writer *w = g_new0 (Writer, 1);

  w->client = rl_test_client_new (server, token);
  w->docs = docs;
  w->n_docs = n_docs;
  w->window = window;
  w->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) in_flight_free);
  w->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  w->resolved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect_after (w->client->connection, "message", G_CALLBACK (on_writer_message), w);
  while (g_hash_table_size (w->in_flight) < w->window)
    send_next (w);
  return w;
}

static void
writer_free (Writer *w)
{
  g_signal_handlers_disconnect_by_data (w->client->connection, w);
  rl_test_client_free (w->client);
  g_hash_table_unref (w->in_flight);
  g_hash_table_unref (w->created);
  g_hash_table_unref (w->resolved);
  g_free (w);
}

static gboolean
writers_idle (Writer **writers)
{
  for (guint i = 0; writers[i]; i++)
    if (g_hash_table_size (writers[i]->in_flight) > 0)
      return FALSE;
  return TRUE;
}

/* Every one of the n_docs docs has had at least at_least changes acked. */
static gboolean
docs_at_least (Doc    **docs,
               guint    n_docs,
               gint64   at_least)
{
  for (guint i = 0; i < n_docs; i++)
    if (docs[i]->head < at_least)
      return FALSE;
  return TRUE;
}

static void
backup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_assert_true (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL));
  *(gboolean *) data = TRUE;
}

/* The threads a document had at seq, from the ops the acks told, as the
 * JSON a snapshot gives, reduced to what the ops decide: ids in creation
 * order, each with its comments' ids and bodies, and resolved. */
static char *
expected_threads (Doc    *doc,
                  gint64  seq)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GHashTable) comments = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) resolved = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) root = NULL;

  for (gint64 s = 1; s <= seq; s++)
    {
      Op *op = g_hash_table_lookup (doc->ops, GINT_TO_POINTER (s));

      g_assert_nonnull (op);   /* every seq is one of ours: no gap */
      if (op->creates)
        {
          g_ptr_array_add (order, op->thread);
          g_hash_table_insert (comments, op->thread, g_ptr_array_new ());
        }
      if (op->comment)
        g_ptr_array_add (g_hash_table_lookup (comments, op->thread), op->comment);
      else
        g_hash_table_insert (resolved, op->thread, GINT_TO_POINTER (op->resolved));
    }

  json_builder_begin_array (builder);
  for (guint i = 0; i < order->len; i++)
    {
      GPtrArray *list = g_hash_table_lookup (comments, g_ptr_array_index (order, i));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, g_ptr_array_index (order, i));
      json_builder_set_member_name (builder, "resolved");
      json_builder_add_boolean_value (builder, GPOINTER_TO_INT (g_hash_table_lookup (resolved,
                                                                                       g_ptr_array_index (order, i))));
      json_builder_set_member_name (builder, "comments");
      json_builder_begin_array (builder);
      for (guint c = 0; c < list->len; c++)
        {
          g_autofree char *body = g_strdup_printf ("Body %s", (char *) g_ptr_array_index (list, c));

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, g_ptr_array_index (list, c));
          json_builder_set_member_name (builder, "body");
          json_builder_add_string_value (builder, body);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* The same reduction of a /threads answer; *seq its head. */
static char *
served_threads (RlTestServer *server,
                const char   *token,
                const char   *doc,
                gint64       *seq)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/threads", doc);
  g_autoptr(RlTestResponse) response = rl_test_http (server, "GET", path, token, NULL, NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonObject *body;
  JsonArray *threads;

  g_assert_cmpuint (response->status, ==, 200);
  body = json_node_get_object (response->json);
  *seq = json_object_get_int_member (body, "seq");
  threads = json_object_get_array_member (body, "threads");

  json_builder_begin_array (builder);
  for (guint i = 0; i < json_array_get_length (threads); i++)
    {
      JsonObject *thread = json_array_get_object_element (threads, i);
      JsonArray *comments = json_object_get_array_member (thread, "comments");

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, json_object_get_string_member (thread, "id"));
      json_builder_set_member_name (builder, "resolved");
      json_builder_add_boolean_value (builder, json_object_get_boolean_member (thread, "resolved"));
      json_builder_set_member_name (builder, "comments");
      json_builder_begin_array (builder);
      for (guint c = 0; c < json_array_get_length (comments); c++)
        {
          JsonObject *comment = json_array_get_object_element (comments, c);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, json_object_get_string_member (comment, "id"));
          json_builder_set_member_name (builder, "body");
          json_builder_add_string_value (builder, json_object_get_string_member (comment, "body"));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static char *
add_big_doc (RlTestServer *server,
             const char   *title)
{
  g_autofree char *name = g_strdup_printf ("%s.png", title);
  g_autofree char *path = g_build_filename (server->dir, name, NULL);

  /* Noise does not compress: megabytes of pages for the copy to step
   * through while the writers commit. */
  rl_test_write_noisy_png (path, 1200, 1200);
  return rl_test_server_admin (server, "doc", "add", "--tenant", "acme", "--title", title, path, NULL);
}

/* Drops the caller's "unread" from every document of a listing. */
static void
without_unread (JsonNode *listing)
{
  JsonArray *docs = json_node_get_array (listing);

  for (guint i = 0; i < json_array_get_length (docs); i++)
    {
      JsonObject *doc = json_array_get_object_element (docs, i);

      g_assert_true (json_object_has_member (doc, "unread"));
      json_object_remove_member (doc, "unread");
    }
}

static void
test_backup_under_load (Fixture       *f,
                        gconstpointer  data)
{
  enum { A, B, C, X, Y, N_DOCS };
  g_autofree char *big1 = add_big_doc (f->server, "Big one");
  g_autofree char *big2 = add_big_doc (f->server, "Big two");
  g_autofree char *backup = g_build_filename (f->server->dir, "backup.db", NULL);
  g_autofree char *backup_wal = g_strconcat (backup, "-wal", NULL);
  g_autoptr(RlTestServer) restored = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Doc docs[N_DOCS];
  Doc *orderly_docs[] = { &docs[X], &docs[Y] };
  Doc *busy1_docs[] = { &docs[A], &docs[B] };
  Doc *busy2_docs[] = { &docs[B], &docs[C] };
  Writer *writers[4] = { NULL };
  gint64 before[N_DOCS], backed_up[N_DOCS];
  Doc *all[N_DOCS];
  gboolean done = FALSE;
  guint acked_before = 0, acked_after = 0;
  sqlite3 *db = NULL;

  for (guint i = 0; i < N_DOCS; i++)
    {
      g_autofree char *title = g_strdup_printf ("Load %u", i);

      docs[i].id = rl_test_add_doc (f->server, "acme", title, "mockup.png");
      docs[i].ops = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) op_free);
      docs[i].head = 0;
      all[i] = &docs[i];
    }

  /* The orderly writer commits X, Y, X, Y … one at a time, alone on
   * those two: any consistent copy holds a prefix of that order. The
   * busy ones keep four requests in flight, creating, replying and
   * resolving, two of them on one document. */
  writers[0] = writer_start (f->server, f->member, orderly_docs, 2, 1);
  writers[1] = writer_start (f->server, f->other, busy1_docs, 2, 4);
  writers[2] = writer_start (f->server, f->admin, busy2_docs, 2, 4);
  RL_TEST_WAIT_UNTIL (docs_at_least (all, N_DOCS, 6), 20000);

  for (guint i = 0; i < N_DOCS; i++)
    before[i] = docs[i].head;
  for (guint i = 0; writers[i]; i++)
    acked_before += writers[i]->acked;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, g_getenv ("REDLINE_SERVER"),
                              "--db", f->server->db, "backup", backup, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (process, NULL, backup_done_cb, &done);
  RL_TEST_WAIT_UNTIL (done, 30000);
  g_assert_true (g_subprocess_get_successful (process));
  for (guint i = 0; writers[i]; i++)
    acked_after += writers[i]->acked;
  /* The copy ran while changes were being committed. */
  g_assert_cmpuint (acked_after, >, acked_before);

  for (guint i = 0; writers[i]; i++)
    writers[i]->stopping = TRUE;
  RL_TEST_WAIT_UNTIL (writers_idle (writers), 20000);

  /* The model (the acks) matches what the live server has. */
  for (guint i = 0; i < N_DOCS; i++)
    {
      g_autofree char *expected = expected_threads (&docs[i], docs[i].head);
      gint64 seq;
      g_autofree char *served = served_threads (f->server, f->admin, docs[i].id, &seq);

      g_assert_cmpint (seq, ==, docs[i].head);
      g_assert_cmpstr (served, ==, expected);
    }

  /* The backup is one file: checked whole, no log beside it. */
  g_assert_false (g_file_test (backup_wal, G_FILE_TEST_EXISTS));
  g_assert_cmpint (sqlite3_open_v2 (backup, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  {
    sqlite3_stmt *check = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &check, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (check), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (check, 0), ==, "ok");
    sqlite3_finalize (check);
  }
  sqlite3_close (db);

  /* Restored: a server on a copy of that one file. */
  restored = rl_test_server_new ();
  {
    g_autoptr(GFile) from = g_file_new_for_path (backup);
    g_autoptr(GFile) to = g_file_new_for_path (restored->db);

    g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
  }
  rl_test_server_start (restored);
  {
    g_autoptr(RlTestResponse) live = rl_test_http (f->server, "GET", "/api/v1/docs", f->admin, NULL, NULL);
    g_autoptr(RlTestResponse) copy = rl_test_http (restored, "GET", "/api/v1/docs", f->admin, NULL, NULL);

    g_assert_cmpuint (copy->status, ==, 200);
    /* What the caller has not read (protocol 1.2) is theirs and moves on
     * with every comment after the copy: the documents are compared. */
    without_unread (live->json);
    without_unread (copy->json);
    g_assert_true (json_node_equal (live->json, copy->json));
  }

  /* Every document as it was at one moment of the copy: its threads are
   * exactly its head seq's state, and that head lies between what was
   * acked when the copy began and what the server ended with. */
  for (guint i = 0; i < N_DOCS; i++)
    {
      g_autofree char *served = served_threads (restored, f->admin, docs[i].id, &backed_up[i]);
      g_autofree char *expected = NULL;

      g_assert_cmpint (backed_up[i], >=, before[i]);
      g_assert_cmpint (backed_up[i], <=, docs[i].head);
      expected = expected_threads (&docs[i], backed_up[i]);
      g_assert_cmpstr (served, ==, expected);
    }
  {
    gint64 seq;
    g_autofree char *one = served_threads (restored, f->admin, big1, &seq);
    g_autofree char *two = served_threads (restored, f->admin, big2, &seq);
    g_autofree char *content = g_strdup_printf ("/api/v1/docs/%s/content", big2);
    g_autoptr(RlTestResponse) live = rl_test_http (f->server, "GET", content, f->admin, NULL, NULL);
    g_autoptr(RlTestResponse) copy = rl_test_http (restored, "GET", content, f->admin, NULL, NULL);

    g_assert_cmpstr (one, ==, "[]");
    g_assert_true (g_bytes_equal (live->body, copy->body));
  }

  g_test_message ("%u changes acked while the backup ran; heads at its start, in it, at the end: "
                  "A %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                  ", X %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                  acked_after - acked_before, before[A], backed_up[A], docs[A].head,
                  before[X], backed_up[X], docs[X].head);

  /* One moment for all documents: X and Y were committed in turn, so the
   * copy has as many of X's as of Y's, or one more. */
  g_assert_true (backed_up[X] == backed_up[Y] || backed_up[X] == backed_up[Y] + 1);

  /* The restored server goes on from there. */
  {
    g_autoptr(RlTestClient) client = rl_test_client_new (restored, f->member);
    g_autofree char *t = rl_test_uuid (), *c = rl_test_uuid ();
    g_autoptr(JsonObject) ack = create_marker (client, docs[A].id, t, c);

    g_assert_null (rl_test_ack_error (ack));
    g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, backed_up[A] + 1);
  }
  rl_test_server_stop (restored);

  /* A second backup to the same path is refused without --force. */
  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "backup", backup, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "exists"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "backup", "--force", backup, NULL), ==, 0);
    g_assert_nonnull (strstr (out, backup));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    /* Not even with --force over the file being served. */
    g_assert_cmpint (rl_test_server_cli (f->server, &out, &err, "backup", "--force", f->server->db, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "database itself"));
    assert_http (f->server, "/api/v1/docs", f->member, 200, NULL);
  }

  for (guint i = 0; writers[i]; i++)
    writer_free (writers[i]);
  for (guint i = 0; i < N_DOCS; i++)
    {
      g_free (docs[i].id);
      g_hash_table_unref (docs[i].ops);
    }
}

/* ---- metrics --------------------------------------------------------------------- */

typedef struct
{
  GHashTable *values;       /* "name{labels}" → double* */
  GHashTable *types;        /* family → type */
} Metrics;

static void
metrics_clear (Metrics *m)
{
  g_clear_pointer (&m->values, g_hash_table_unref);
  g_clear_pointer (&m->types, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Metrics, metrics_clear)

static double
metric (Metrics    *m,
        const char *key)
{
  double *value = g_hash_table_lookup (m->values, key);

  if (value == NULL)
    g_error ("no sample %s", key);
  return *value;
}

static gboolean
parse_value (const char *text,
             double     *value)
{
  char *end = NULL;

  if (g_str_equal (text, "+Inf") || g_str_equal (text, "-Inf") || g_str_equal (text, "NaN"))
    {
      *value = g_str_equal (text, "-Inf") ? -INFINITY : INFINITY;
      return TRUE;
    }
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

/* Parses the text exposition format strictly: every line a HELP, a TYPE
 * (once per family, before its samples) or a sample of a declared family
 * with valid name, labels and value; counters end in _total; histograms
 * have ascending, cumulative buckets ending at +Inf equal to _count, and
 * a _sum. */
static void
parse_metrics (const char *text,
               Metrics    *m)
{
  g_autoptr(GRegex) help = g_regex_new ("^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) [^\\n]*$", 0, 0, NULL);
  g_autoptr(GRegex) type = g_regex_new ("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$",
                                        0, 0, NULL);
  g_autoptr(GRegex) sample = g_regex_new ("^([a-zA-Z_:][a-zA-Z0-9_:]*)"
                                          "(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\""
                                          "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\")*\\})? (\\S+)$",
                                          0, 0, NULL);
  g_autoptr(GHashTable) helped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) sampled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *histogram = NULL;
  double last_le = -INFINITY, last_bucket = 0, inf_bucket = -1;
  gboolean has_sum = FALSE;
  static const char *histogram_suffixes[] = { "_bucket", "_sum", "_count" };

  m->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  m->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_true (g_str_has_suffix (text, "\n"));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i + 1] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      const char *line = lines[i];

      if (g_regex_match (help, line, 0, &match))
        {
          g_autofree char *name = g_match_info_fetch (match, 1);

          g_assert_false (g_hash_table_contains (sampled, name));
          g_assert_true (g_hash_table_add (helped, g_steal_pointer (&name)));
          continue;
        }
      g_clear_pointer (&match, g_match_info_free);
      if (g_regex_match (type, line, 0, &match))
        {
          g_autofree char *name = g_match_info_fetch (match, 1);
          g_autofree char *kind = g_match_info_fetch (match, 2);

          g_assert_false (g_hash_table_contains (m->types, name));
          g_assert_false (g_hash_table_contains (sampled, name));
          if (g_str_equal (kind, "counter"))
            g_assert_true (g_str_has_suffix (name, "_total"));
          g_hash_table_insert (m->types, g_steal_pointer (&name), g_steal_pointer (&kind));
          continue;
        }
      g_clear_pointer (&match, g_match_info_free);
      if (g_regex_match (sample, line, 0, &match))
        {
          g_autofree char *name = g_match_info_fetch (match, 1);
          g_autofree char *labels = g_match_info_fetch (match, 2);
          g_autofree char *text_value = g_match_info_fetch (match, 3);
          g_autofree char *key = g_strconcat (name, labels, NULL);
          g_autofree char *family = g_strdup (name);
          const char *kind;
          double *value = g_new (double, 1);

          if (!parse_value (text_value, value))
            g_error ("line %u: bad value in %s", i + 1, line);
          /* A histogram's samples are its name with a suffix. */
          for (guint s = 0; s < G_N_ELEMENTS (histogram_suffixes); s++)
            if (g_str_has_suffix (name, histogram_suffixes[s]) && !g_hash_table_contains (m->types, name))
              {
                g_autofree char *base = g_strndup (name, strlen (name) - strlen (histogram_suffixes[s]));

                if (g_strcmp0 (g_hash_table_lookup (m->types, base), "histogram") == 0)
                  {
                    g_free (family);
                    family = g_steal_pointer (&base);
                  }
              }
          kind = g_hash_table_lookup (m->types, family);
          if (kind == NULL)
            g_error ("line %u: %s has no TYPE before it", i + 1, line);
          g_assert_true (g_hash_table_contains (helped, family));
          g_hash_table_add (sampled, g_strdup (family));
          if (!g_str_equal (kind, "gauge"))
            g_assert_cmpfloat (*value, >=, 0);

          if (g_str_equal (kind, "histogram"))
            {
              if (g_strcmp0 (histogram, family) != 0)
                {
                  g_free (histogram);
                  histogram = g_strdup (family);
                  last_le = -INFINITY;
                  last_bucket = 0;
                  inf_bucket = -1;
                  has_sum = FALSE;
                }
              if (g_str_has_suffix (name, "_bucket"))
                {
                  g_autofree char *bound = NULL;
                  double le;

                  /* {le="…"} */
                  g_assert_true (g_str_has_prefix (labels, "{le=\"") && g_str_has_suffix (labels, "\"}"));
                  bound = g_strndup (labels + 5, strlen (labels) - 5 - 2);
                  g_assert_true (parse_value (bound, &le));
                  g_assert_cmpfloat (le, >, last_le);
                  g_assert_cmpfloat (*value, >=, last_bucket);
                  last_le = le;
                  last_bucket = *value;
                  if (isinf (le))
                    inf_bucket = *value;
                }
              else if (g_str_has_suffix (name, "_sum"))
                has_sum = TRUE;
              else
                {
                  g_assert_true (has_sum);
                  g_assert_cmpfloat (inf_bucket, ==, *value);
                }
            }
          else
            g_assert_cmpstr (name, ==, family);

          g_assert_false (g_hash_table_contains (m->values, key));
          g_hash_table_insert (m->values, g_steal_pointer (&key), value);
          continue;
        }
      g_error ("line %u is not valid exposition text: “%s”", i + 1, line);
    }
}

static void
fetch_metrics (RlTestServer *server,
               const char   *token,
               Metrics      *m)
{
  g_autoptr(RlTestResponse) response = rl_test_http (server, "GET", "/metrics", token, NULL, NULL);
  g_autofree char *text = NULL;

  g_assert_cmpuint (response->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (response->headers, NULL),
                                   "text/plain"));
  g_assert_cmpstr (soup_message_headers_get_one (response->headers, "Content-Type"), ==,
                   "text/plain; version=0.0.4; charset=utf-8");
  text = g_strndup (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));
  parse_metrics (text, m);
}

#define DELTA(after, before, key) (metric (&(after), key) - metric (&(before), key))
/* Changes written back to back; requests past the rate. */
#define BURST 100
#define FLOOD 600

static void
test_metrics (Fixture       *f,
              gconstpointer  data)
{
  g_auto(Metrics) first = { 0 };
  g_auto(Metrics) second = { 0 };
  g_auto(Metrics) third = { 0 };
  g_autoptr(RlTestClient) author = rl_test_client_new (f->server, f->member);
  g_autoptr(RlTestClient) watcher = rl_test_client_new (f->server, f->other);
  g_autoptr(JsonObject) s1 = rl_test_client_subscribe (author, f->image);
  g_autoptr(JsonObject) s2 = rl_test_client_subscribe (watcher, f->image);
  guint rate_limited = 0, not_found = 0, batches = 0, events = 0;

  /* Only an admin, with the contract's error bodies. */
  {
    g_autoptr(RlTestResponse) none = rl_test_http (f->server, "GET", "/metrics", NULL, NULL, NULL);
    g_autoptr(RlTestResponse) bad = rl_test_http (f->server, "GET", "/metrics", "nobody.nothing", NULL, NULL);

    g_assert_cmpuint (none->status, ==, 401);
    g_assert_cmpstr (rl_test_response_error_code (none), ==, "unauthorized");
    g_assert_nonnull (soup_message_headers_get_one (none->headers, "WWW-Authenticate"));
    g_assert_cmpuint (bad->status, ==, 401);
    g_assert_cmpstr (rl_test_response_error_code (bad), ==, "unauthorized");
  }
  assert_http (f->server, "/metrics", f->member, 403, "forbidden");
  assert_http (f->server, "/metrics", f->viewer, 403, "forbidden");
  assert_http (f->server, "/metrics/more", f->admin, 404, "not-found");
  {
    g_autoptr(GBytes) body = g_bytes_new_static ("x", 1);
    g_autoptr(RlTestResponse) post = rl_test_http (f->server, "POST", "/metrics", f->admin, "text/plain", body);

    g_assert_cmpuint (post->status, ==, 405);
  }

  fetch_metrics (f->server, f->admin, &first);
  g_assert_cmpfloat (metric (&first, "redline_connections"), ==, 2);
  g_assert_cmpfloat (metric (&first, "redline_subscribers"), ==, 2);
  g_assert_cmpfloat (metric (&first, "redline_rooms"), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (first.types, "redline_commit_duration_seconds"), ==, "histogram");
  /* The refusals above were counted, by code. */
  g_assert_cmpfloat (metric (&first, "redline_requests_refused_total{transport=\"http\",code=\"unauthorized\"}"), ==, 2);
  g_assert_cmpfloat (metric (&first, "redline_requests_refused_total{transport=\"http\",code=\"forbidden\"}"), ==, 2);
  g_assert_cmpfloat (metric (&first, "redline_requests_refused_total{transport=\"http\",code=\"not-found\"}"), ==, 1);
  g_assert_cmpfloat (metric (&first, "redline_requests_refused_total{transport=\"http\",code=\"bad-request\"}"), ==, 1);

  /* Three changes, seen by two subscribers; one bad request. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *t = NULL;

      new_marker_ok (author, f->image, &t);
    }
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) event = rl_test_client_expect (watcher, "new-image-chat");
    }
  {
    g_autoptr(JsonObject) ack = NULL;

    rl_test_client_send (author, "{\"type\":\"subscribe\",\"req\":\"bad\"}");
    ack = rl_test_client_expect_ack (author, "bad");
    g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
  }
  fetch_metrics (f->server, f->admin, &second);
  g_assert_cmpfloat (DELTA (second, first, "redline_events_committed_total"), ==, 3);
  g_assert_cmpfloat (DELTA (second, first, "redline_events_sent_total"), ==, 6);
  g_assert_cmpfloat (DELTA (second, first, "redline_commit_duration_seconds_count"), ==, 3);
  g_assert_cmpfloat (DELTA (second, first, "redline_commit_duration_seconds_bucket{le=\"+Inf\"}"), ==, 3);
  g_assert_cmpfloat (DELTA (second, first, "redline_commit_duration_seconds_sum"), >, 0);
  /* Three acks, a bad ack, and the events: one frame or more to each
   * subscriber (consecutive ones may share a batch). Frames in: four. */
  g_assert_cmpfloat (DELTA (second, first, "redline_frames_sent_total"), >=, 3 + 1 + 2);
  g_assert_cmpfloat (DELTA (second, first, "redline_sent_bytes_total"), >, 3 * 300);
  g_assert_cmpfloat (DELTA (second, first, "redline_frames_received_total"), ==, 4);
  g_assert_cmpfloat (DELTA (second, first, "redline_received_bytes_total"), >, 3 * 150);
  g_assert_cmpfloat (DELTA (second, first, "redline_requests_refused_total{transport=\"websocket\",code=\"bad-request\"}"),
                     ==, 1);
  /* The first scrape itself is counted by the second. */
  g_assert_cmpfloat (DELTA (second, first, "redline_http_requests_total"), ==, 1);

  /* Back to back, so the fan-out packs them: the batch frames the watcher
   * gets are the ones counted. */
  for (guint i = 0; i < BURST; i++)
    {
      g_autofree char *req = g_strdup_printf ("burst-%u", i);
      g_autofree char *bc = rl_test_uuid (), *t = rl_test_uuid (), *c = rl_test_uuid ();

      rl_test_client_send_printf (author,
                                  "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                                  "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.1,\"y\":0.1}},"
                                  "\"comment\":{\"id\":\"%s\",\"body\":\"Burst\"}}",
                                  req, bc, f->image, t, c);
    }
  for (guint i = 0; i < BURST; i++)
    {
      g_autofree char *req = g_strdup_printf ("burst-%u", i);
      g_autoptr(JsonObject) ack = rl_test_client_expect_ack (author, req);

      g_assert_null (rl_test_ack_error (ack));
    }
  while (events < BURST)
    {
      g_autofree char *raw = rl_test_client_next_raw (watcher, 10000);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *frame;

      g_assert_nonnull (raw);
      g_assert_true (json_parser_load_from_data (parser, raw, -1, NULL));
      frame = json_node_get_object (json_parser_get_root (parser));
      if (g_str_equal (json_object_get_string_member (frame, "type"), "batch"))
        {
          batches++;
          events += json_array_get_length (json_object_get_array_member (frame, "events"));
        }
      else if (g_str_equal (json_object_get_string_member (frame, "type"), "new-image-chat"))
        events++;
    }
  g_assert_cmpuint (events, ==, BURST);
  g_assert_cmpuint (batches, >, 0);

  /* Past the connection's rate: requests that take a token but no commit
   * (the document does not exist) come in far faster than it refills. */
  for (guint i = 0; i < FLOOD; i++)
    rl_test_client_send_printf (author,
                                "{\"type\":\"resolve-thread\",\"req\":\"flood-%u\",\"broadcastId\":\"%s\","
                                "\"doc\":\"no-such-doc\",\"thread\":\"%s\",\"resolved\":true}",
                                i, "9b2f7c1e-8d4a-4f6b-a3c5-1e2d3f4a5b6c", "2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d");
  for (guint i = 0; i < FLOOD; i++)
    {
      g_autofree char *req = g_strdup_printf ("flood-%u", i);
      g_autoptr(JsonObject) ack = rl_test_client_expect_ack (author, req);
      const char *code = rl_test_ack_error (ack);

      if (g_strcmp0 (code, "rate-limited") == 0)
        rate_limited++;
      else
        {
          g_assert_cmpstr (code, ==, "not-found");
          not_found++;
        }
    }
  g_assert_cmpuint (rate_limited, >, 0);
  g_assert_false (author->closed);

  fetch_metrics (f->server, f->admin, &third);
  g_assert_cmpfloat (DELTA (third, second, "redline_events_committed_total"), ==, BURST);
  g_assert_cmpfloat (DELTA (third, second, "redline_events_sent_total"), ==, 2 * BURST);
  g_assert_cmpfloat (DELTA (third, second, "redline_batches_sent_total"), ==, batches);
  g_assert_cmpfloat (DELTA (third, second, "redline_requests_refused_total{transport=\"websocket\",code=\"rate-limited\"}"),
                     ==, rate_limited);
  g_assert_cmpfloat (DELTA (third, second, "redline_requests_refused_total{transport=\"websocket\",code=\"not-found\"}"),
                     ==, not_found);
  g_assert_cmpfloat (metric (&third, "redline_send_queue_drops_total"), ==, 0);
  g_assert_cmpfloat (metric (&third, "redline_connections_opened_total"), ==, 2);
}

/* serve --metrics-allow: those addresses need no token; others still do. */
static void
test_metrics_allow (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(Metrics) m = { 0 };
  gboolean allowed = g_str_has_suffix (data, "127.0.0.1");

  if (allowed)
    {
      fetch_metrics (f->server, NULL, &m);
      g_assert_cmpfloat (metric (&m, "redline_connections"), ==, 0);
      assert_http (f->server, "/metrics", f->member, 200, NULL);
    }
  else
    {
      assert_http (f->server, "/metrics", NULL, 401, "unauthorized");
      assert_http (f->server, "/metrics", f->member, 403, "forbidden");
      fetch_metrics (f->server, f->admin, &m);
    }
}

/* ---- the access log --------------------------------------------------------------- */

/* The access lines of the server's stderr, each as key → value. */
static GPtrArray *
access_lines (RlTestServer *server,
              const char   *kind,
              char        **whole)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strdup_printf ("access %s ", kind);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);

  g_file_get_contents (server->stderr_path, whole, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (*whole, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      GHashTable *line;

      if (!g_str_has_prefix (lines[i], prefix))
        continue;
      line = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      fields = g_strsplit (lines[i] + strlen (prefix), " ", -1);
      for (guint j = 0; fields[j] != NULL; j++)
        {
          const char *eq = strchr (fields[j], '=');

          g_assert_nonnull (eq);
          g_assert_cmpuint (strlen (eq + 1), >, 0);
          g_hash_table_insert (line, g_strndup (fields[j], eq - fields[j]), g_strdup (eq + 1));
        }
      g_ptr_array_add (found, line);
    }
  return found;
}

/* The lines for method and path with that status: n of them, all with
 * that many bytes. */
static void
assert_http_lines (GPtrArray  *lines,
                   const char *method,
                   const char *path,
                   const char *status,
                   guint       n,
                   gsize       bytes)
{
  guint found = 0;

  for (guint i = 0; i < lines->len; i++)
    {
      GHashTable *line = g_ptr_array_index (lines, i);

      if (g_str_equal (g_hash_table_lookup (line, "method"), method) &&
          g_str_equal (g_hash_table_lookup (line, "path"), path) &&
          g_str_equal (g_hash_table_lookup (line, "status"), status))
        {
          g_assert_cmpstr (g_hash_table_lookup (line, "remote"), ==, "127.0.0.1");
          g_assert_cmpuint (g_ascii_strtoull (g_hash_table_lookup (line, "bytes"), NULL, 10), ==, bytes);
          found++;
        }
    }
  if (found != n)
    g_error ("%u access lines for %s %s %s, not %u", found, method, path, status, n);
}

static void
count_message (SoupWebsocketConnection *connection,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               guint                   *count)
{
  (*count)++;
}

static void
test_access_log (Fixture       *f,
                 gconstpointer  data)
{
  const char *tokens[] = { f->admin, f->member, f->other, f->viewer, f->rival };
  g_autofree char *with_query = g_strdup_printf ("/api/v1/docs?token=%s&access_token=%s", f->member, f->admin);
  g_autofree char *missing = g_strdup_printf ("/api/v1/docs/nope?token=%s", f->other);
  g_autofree char *refused = g_strdup_printf ("/api/v1/docs?token=%s", f->viewer);
  g_autofree char *ws_url = g_strdup (f->server->ws_url);
  g_autofree char *log = NULL;
  g_autofree char *admin_id = rl_test_token_user (f->admin);
  g_autoptr(GPtrArray) http = NULL;
  g_autoptr(GPtrArray) ws = NULL;
  g_autoptr(RlTestResponse) list = rl_test_http (f->server, "GET", "/api/v1/docs", f->member, NULL, NULL);
  g_autoptr(RlTestResponse) queried = rl_test_http (f->server, "GET", with_query, f->member, NULL, NULL);
  g_autoptr(RlTestResponse) not_found = rl_test_http (f->server, "GET", missing, f->other, NULL, NULL);
  g_autoptr(RlTestResponse) unauthorized = rl_test_http (f->server, "GET", refused, NULL, NULL, NULL);
  g_autoptr(RlTestResponse) health = rl_test_http (f->server, "GET", "/healthz", NULL, NULL, NULL);
  guint received = 0, status = 0;
  GHashTable *by_client, *by_server;

  g_assert_cmpuint (list->status, ==, 200);
  g_assert_true (g_bytes_equal (list->body, queried->body));
  g_assert_cmpuint (not_found->status, ==, 404);
  g_assert_cmpuint (unauthorized->status, ==, 401);

  /* A session the client ends, its token also in the URL's query. */
  g_free (f->server->ws_url);
  f->server->ws_url = g_strdup_printf ("%s?token=%s", ws_url, f->admin);
  {
    g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->admin);
    g_autoptr(JsonObject) snapshot = NULL;
    g_autoptr(JsonObject) event = NULL;
    g_autofree char *t = NULL;

    /* The welcome came already; count the rest as it arrives. */
    g_signal_connect (client->connection, "message", G_CALLBACK (count_message), &received);
    snapshot = rl_test_client_subscribe (client, f->image);
    new_marker_ok (client, f->image, &t);
    event = rl_test_client_expect (client, "new-image-chat");
    rl_test_client_assert_quiet (client, 300);
    soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    rl_test_client_wait_closed (client, 5000);
  }
  /* A refused upgrade is an HTTP request. */
  g_assert_null (rl_test_client_try (f->server, "nobody.nothing", &status));
  g_assert_cmpuint (status, ==, 401);
  g_free (f->server->ws_url);
  f->server->ws_url = g_steal_pointer (&ws_url);
  /* A session the server ends: one bad request too many. */
  {
    g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->other);

    for (guint i = 0; i < 51; i++)
      rl_test_client_send (client, "{\"type\":\"nonsense\"}");
    g_assert_cmpuint (rl_test_client_wait_closed (client, 5000), ==, 1008);
  }
  rl_test_server_stop (f->server);

  /* The five requests and the refused upgrade, nothing else; the path
   * without its query. */
  http = access_lines (f->server, "http", &log);
  g_assert_cmpuint (http->len, ==, 6);
  assert_http_lines (http, "GET", "/api/v1/docs", "200", 2, g_bytes_get_size (list->body));
  assert_http_lines (http, "GET", "/api/v1/docs/nope", "404", 1, g_bytes_get_size (not_found->body));
  assert_http_lines (http, "GET", "/api/v1/docs", "401", 1, g_bytes_get_size (unauthorized->body));
  assert_http_lines (http, "GET", "/healthz", "200", 1, 2);
  assert_http_lines (http, "GET", "/api/v1/ws", "401", 1, g_bytes_get_size (unauthorized->body));
  for (guint i = 0; i < http->len; i++)
    {
      GHashTable *line = g_ptr_array_index (http, i);
      double duration = g_ascii_strtod (g_hash_table_lookup (line, "duration_ms"), NULL);

      g_assert_cmpfloat (duration, >=, 0);
      g_assert_cmpfloat (duration, <, 10000);
      g_assert_null (strchr (g_hash_table_lookup (line, "path"), '?'));
    }
  g_clear_pointer (&log, g_free);

  /* One line per session, in the order they ended. */
  ws = access_lines (f->server, "websocket", &log);
  g_assert_cmpuint (ws->len, ==, 2);
  by_client = g_ptr_array_index (ws, 0);
  by_server = g_ptr_array_index (ws, 1);
  g_assert_cmpstr (g_hash_table_lookup (by_client, "path"), ==, "/api/v1/ws");
  g_assert_cmpstr (g_hash_table_lookup (by_client, "remote"), ==, "127.0.0.1");
  g_assert_cmpstr (g_hash_table_lookup (by_client, "tenant"), ==, "acme");
  g_assert_cmpstr (g_hash_table_lookup (by_client, "user"), ==, admin_id);
  g_assert_cmpstr (g_hash_table_lookup (by_client, "close"), ==, "1000");
  g_assert_cmpstr (g_hash_table_lookup (by_client, "closed_by"), ==, "client");
  /* In: subscribe, create. Out: the welcome and what the client counted. */
  g_assert_cmpstr (g_hash_table_lookup (by_client, "frames_in"), ==, "2");
  g_assert_cmpuint (g_ascii_strtoull (g_hash_table_lookup (by_client, "frames_out"), NULL, 10), ==, 1 + received);
  g_assert_cmpuint (g_ascii_strtoull (g_hash_table_lookup (by_client, "bytes_in"), NULL, 10), >, 200);
  g_assert_cmpuint (g_ascii_strtoull (g_hash_table_lookup (by_client, "bytes_out"), NULL, 10), >, 500);
  g_assert_cmpfloat (g_ascii_strtod (g_hash_table_lookup (by_client, "duration_ms"), NULL), >, 300);
  g_assert_cmpstr (g_hash_table_lookup (by_server, "close"), ==, "1008");
  g_assert_cmpstr (g_hash_table_lookup (by_server, "closed_by"), ==, "server");
  g_assert_cmpstr (g_hash_table_lookup (by_server, "frames_in"), ==, "51");

  /* No token, nor its secret, anywhere in what the server wrote. */
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_assert_null (strstr (log, tokens[i]));
      g_assert_null (strstr (log, strchr (tokens[i], '.') + 1));
    }
  g_assert_null (strstr (log, "nobody.nothing"));
  g_assert_null (strstr (log, "token="));
  g_assert_null (strstr (log, "Bearer"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, arg) \
  g_test_add (path, Fixture, arg, fixture_setup, func, fixture_teardown)

  ADD ("/server/ops/cli/help-and-misuse", test_cli_help_and_misuse, NULL);
  ADD ("/server/ops/user/list", test_user_list, NULL);
  ADD ("/server/ops/user/revoke", test_user_revoke, NULL);
  ADD ("/server/ops/token/rotate", test_token_rotate, NULL);
  ADD ("/server/ops/doc/list-and-remove", test_doc_list_and_remove, NULL);
  ADD ("/server/ops/backup/under-load", test_backup_under_load, NULL);
  ADD ("/server/ops/metrics/format-and-counts", test_metrics, NULL);
  ADD ("/server/ops/metrics/allowed-address", test_metrics_allow, "--metrics-allow=::1,127.0.0.1");
  ADD ("/server/ops/metrics/other-address", test_metrics_allow, "--metrics-allow=10.0.0.0/8,192.0.2.1");
  ADD ("/server/ops/access-log", test_access_log, NULL);

  return g_test_run ();
}
