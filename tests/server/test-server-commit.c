/* test-server-commit.c — group commit against the real server: many
 * writers on one document, each acked in its own order with gapless seqs;
 * a server killed in the middle of a group keeps every acked change and no
 * half of another; SIGTERM waits for the group in flight
 *
 * The crash and shutdown cases hold each group between its writes and its
 * COMMIT with the test-only REDLINE_TEST_HOLD_COMMIT_MS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rl-test-server.h"

#define WRITERS        64
#define PER_WRITER     8      /* mutations each, pipelined */
#define MALFORMED_AT   1      /* the writer's request that lacks its fields */
#define BAD_AT         3      /* the writer's request that names no thread */
#define HOLD_MS        "300"

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *token;
  const char   *admin;
  const char   *doc;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_team_init (&f->team, "Alice:member", &f->token, "Ada:admin", &f->admin, NULL);
  f->server = f->team.server;
  /* The writers are one user's connections. */
  f->server->extra_arg = g_strdup ("--max-sockets-per-user=128");
  f->doc = rl_test_team_add_doc (&f->team, "acme", "Mockup", "mockup.png");
  /* Only this server's environment: the launcher copies it at the start. */
  if (data != NULL)
    g_setenv ("REDLINE_TEST_HOLD_COMMIT_MS", data, TRUE);
  rl_test_server_start (f->server);
  g_unsetenv ("REDLINE_TEST_HOLD_COMMIT_MS");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_team_clear (&f->team);
}

/* Ids are UUIDs: writer and n in the last group; a thread's first
 * comment has the thread's id with 1 for the first group. */
static char *
thread_id (guint writer,
           guint n)
{
  return g_strdup_printf ("00000000-0000-4000-8000-%06u%06u", writer, n);
}

static char *
comment_id_of (const char *thread)
{
  return g_strconcat ("00000001", thread + 8, NULL);
}

static void
send_create (RlTestClient *client,
             const char   *doc,
             guint         writer,
             guint         n)
{
  g_autofree char *id = thread_id (writer, n);
  g_autofree char *comment = comment_id_of (id);
  g_autofree char *bc = rl_test_uuid ();

  rl_test_client_send_printf (client,
                              "{\"type\":\"create-thread\",\"req\":\"%u-%u\",\"broadcastId\":\"%s\","
                              "\"doc\":\"%s\",\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.5,\"y\":0.5}},"
                              "\"comment\":{\"id\":\"%s\",\"body\":\"Group %u\"}}",
                              writer, n, bc, doc, id, comment, n);
}

/* The next ack, skipping presence, snapshots and events. */
static JsonObject *
next_ack (RlTestClient *client)
{
  for (;;)
    {
      JsonObject *object = rl_test_client_next (client);

      if (g_str_equal (json_object_get_string_member (object, "type"), "ack"))
        return object;
      json_object_unref (object);
    }
}

/* A counter of the server's /metrics. */
static guint64
counter (Fixture    *f,
         const char *name)
{
  g_autoptr(RlTestResponse) response = rl_test_http (f->server, "GET", "/metrics", f->admin, NULL, NULL);
  g_autofree char *prefix = g_strconcat ("\n", name, " ", NULL);
  g_autofree char *text = NULL;
  const char *line;

  g_assert_cmpuint (response->status, ==, 200);
  text = g_strndup (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));
  line = strstr (text, prefix);
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen (prefix), NULL, 10);
}

/* 64 connections write to one document at once, each pipelining its
 * requests with a malformed one, one the store refuses and a subscribe
 * among them: every connection's acks come in its request order (the
 * subscribe's after the mutations before it), each change has its seq, and
 * the seqs of all are 1..N, committed in far fewer transactions. */
static void
test_many_writers (Fixture       *f,
                   gconstpointer  data)
{
  RlTestClient *clients[WRITERS];
  g_autoptr(GHashTable) seqs = g_hash_table_new (NULL, NULL);
  guint changes = 0;

  for (guint w = 0; w < WRITERS; w++)
    clients[w] = rl_test_client_new (f->server, f->token);

  for (guint w = 0; w < WRITERS; w++)
    for (guint n = 0; n < PER_WRITER; n++)
      {
        if (n == MALFORMED_AT)
          /* Refused before it reaches the store: its ack must still wait
           * for the commits before it. */
          rl_test_client_send_printf (clients[w], "{\"type\":\"add-comment\",\"req\":\"%u-%u\",\"doc\":\"%s\"}",
                                      w, n, f->doc);
        else if (n == BAD_AT)
          rl_test_client_send_printf (clients[w],
                                      "{\"type\":\"add-comment\",\"req\":\"%u-%u\",\"broadcastId\":\"%s\","
                                      "\"doc\":\"%s\",\"thread\":\"00000009-0000-4000-8000-000000000000\","
                                      "\"comment\":{\"id\":\"00000009-0000-4000-8000-%012u\",\"body\":\"Lost\"}}",
                                      w, n, "6f1c5d2e-0000-4000-8000-000000000001", f->doc, w);
        else if (n == PER_WRITER - 2)
          rl_test_client_send_printf (clients[w], "{\"type\":\"subscribe\",\"req\":\"%u-%u\",\"doc\":\"%s\"}",
                                      w, n, f->doc);
        else
          send_create (clients[w], f->doc, w, n);
      }

  for (guint w = 0; w < WRITERS; w++)
    {
      gint64 last = 0;

      for (guint n = 0; n < PER_WRITER; n++)
        {
          g_autoptr(JsonObject) ack = next_ack (clients[w]);
          g_autofree char *req = g_strdup_printf ("%u-%u", w, n);
          gint64 seq;

          g_assert_cmpstr (json_object_get_string_member (ack, "req"), ==, req);
          if (n == BAD_AT)
            {
              g_assert_cmpstr (rl_test_ack_error (ack), ==, "not-found");
              continue;
            }
          if (n == MALFORMED_AT)
            {
              g_assert_cmpstr (rl_test_ack_error (ack), ==, "bad-request");
              continue;
            }
          if (!json_object_get_boolean_member (ack, "ok"))
            g_error ("%s: refused: %s", req, rl_test_ack_error (ack));
          seq = json_object_get_int_member (ack, "seq");
          if (n == PER_WRITER - 2)
            {
              /* The head it subscribed at holds every change acked before. */
              g_assert_cmpint (seq, >=, last);
              continue;
            }
          g_assert_cmpint (seq, >, last);
          last = seq;
          g_assert_false (g_hash_table_contains (seqs, GINT_TO_POINTER ((int) seq)));
          g_hash_table_add (seqs, GINT_TO_POINTER ((int) seq));
          changes++;
        }
    }

  /* Gapless: the changes took exactly 1..N. */
  g_assert_cmpuint (changes, ==, WRITERS * (PER_WRITER - 3));
  for (guint s = 1; s <= changes; s++)
    g_assert_true (g_hash_table_contains (seqs, GINT_TO_POINTER ((int) s)));

  /* Committed in groups: far fewer transactions than changes. */
  g_assert_cmpuint (counter (f, "redline_events_committed_total"), ==, changes);
  g_test_message ("%u changes in %" G_GUINT64_FORMAT " transactions", changes,
                  counter (f, "redline_commit_groups_total"));
  g_assert_cmpuint (counter (f, "redline_commit_groups_total"), >=, 1);
  g_assert_cmpuint (counter (f, "redline_commit_groups_total"), <=, changes / 4);

  for (guint w = 0; w < WRITERS; w++)
    rl_test_client_free (clients[w]);
}

/* Every thread a fresh subscriber gets, checked whole (its one comment),
 * and the log replayed from 0: seqs 1..H in order, one created event per
 * thread. Returns the thread ids. */
static GHashTable *
read_back (Fixture *f)
{
  g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->token);
  GHashTable *threads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) ack = NULL;
  JsonArray *list;
  gint64 head;

  rl_test_client_send_printf (client, "{\"type\":\"subscribe\",\"req\":\"s\",\"doc\":\"%s\"}", f->doc);
  snapshot = rl_test_client_expect (client, "snapshot");
  head = json_object_get_int_member (snapshot, "seq");
  list = json_object_get_array_member (snapshot, "threads");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *thread = json_array_get_object_element (list, i);
      const char *id = json_object_get_string_member (thread, "id");
      JsonArray *comments = json_object_get_array_member (thread, "comments");
      g_autofree char *comment_id = comment_id_of (id);

      /* Nothing half there: a thread is there with its comment or not at all. */
      g_assert_cmpuint (json_array_get_length (comments), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (comments, 0), "id"), ==,
                       comment_id);
      g_hash_table_add (threads, g_strdup (id));
    }
  g_assert_cmpint (head, ==, g_hash_table_size (threads));
  ack = rl_test_client_expect_ack (client, "s");
  g_clear_pointer (&ack, json_object_unref);

  /* The log: 1..head, in order, nothing missing. */
  rl_test_client_send_printf (client, "{\"type\":\"subscribe\",\"req\":\"r\",\"doc\":\"%s\",\"since\":0}", f->doc);
  for (gint64 seq = 1; seq <= head; seq++)
    {
      g_autoptr(JsonObject) event = rl_test_client_expect (client, "new-image-chat");

      g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq);
      g_assert_true (g_hash_table_contains (threads,
                                            json_object_get_string_member (
                                              json_object_get_object_member (event, "thread"), "id")));
    }
  ack = rl_test_client_expect_ack (client, "r");
  g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, head);
  return threads;
}

#define CRASH_WRITERS    16
#define CRASH_PER_WRITER 20

/* A frame has come to one of the writers. */
static gboolean
any_frame (RlTestClient **clients)
{
  for (guint w = 0; w < CRASH_WRITERS; w++)
    if (!g_queue_is_empty (clients[w]->frames))
      return TRUE;
  return FALSE;
}

/* Takes every frame already received; each is an ack that succeeded. */
static void
collect_acks (RlTestClient **clients,
              GPtrArray     *acked)
{
  for (guint w = 0; w < CRASH_WRITERS; w++)
    {
      char *raw;

      while ((raw = g_queue_pop_head (clients[w]->frames)) != NULL)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          JsonObject *ack;

          g_assert_true (json_parser_load_from_data (parser, raw, -1, NULL));
          g_free (raw);
          ack = json_node_get_object (json_parser_get_root (parser));
          g_assert_cmpstr (json_object_get_string_member (ack, "type"), ==, "ack");
          g_assert_true (json_object_get_boolean_member (ack, "ok"));
          g_ptr_array_add (acked, g_strdup (json_object_get_string_member (ack, "req")));
        }
    }
}

/* Killed (SIGKILL) while a group is held between its writes and its
 * COMMIT: after a restart every acked change is there, whole, the others
 * are absent or whole, and the seqs have no gap. */
static void
test_crash_in_group (Fixture       *f,
                     gconstpointer  data)
{
  RlTestClient *clients[CRASH_WRITERS];
  g_autoptr(GPtrArray) acked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) threads = NULL;
  guint unacked = 0;

  for (guint w = 0; w < CRASH_WRITERS; w++)
    clients[w] = rl_test_client_new (f->server, f->token);
  for (guint w = 0; w < CRASH_WRITERS; w++)
    for (guint n = 0; n < CRASH_PER_WRITER; n++)
      send_create (clients[w], f->doc, w, n);

  /* The first group's acks: the next group is now held before its COMMIT
   * (HOLD_MS), with the rest of the requests in it or queued behind. */
  RL_TEST_WAIT_UNTIL (any_frame (clients), 5000);
  collect_acks (clients, acked);
  g_assert_cmpuint (acked->len, >, 0);
  rl_test_server_kill (f->server);

  /* What else was acked before the kill counts too. */
  collect_acks (clients, acked);
  for (guint w = 0; w < CRASH_WRITERS; w++)
    rl_test_client_free (clients[w]);
  g_assert_cmpuint (acked->len, <, CRASH_WRITERS * CRASH_PER_WRITER);

  rl_test_server_start (f->server);
  threads = read_back (f);
  for (guint i = 0; i < acked->len; i++)
    {
      guint w, n;
      g_autofree char *id = NULL;

      g_assert_cmpint (sscanf (acked->pdata[i], "%u-%u", &w, &n), ==, 2);
      id = thread_id (w, n);
      g_assert_true (g_hash_table_contains (threads, id));
    }
  for (guint w = 0; w < CRASH_WRITERS; w++)
    for (guint n = 0; n < CRASH_PER_WRITER; n++)
      {
        g_autofree char *id = thread_id (w, n);

        if (!g_hash_table_contains (threads, id))
          unacked++;
      }
  /* The held group never committed. */
  g_assert_cmpuint (unacked, >, 0);
}

/* SIGTERM while a group is held before its COMMIT: the server waits for
 * it, and every request it had read is acked before the connection closes. */
static void
test_shutdown_waits (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RlTestClient) client = rl_test_client_new (f->server, f->token);
  g_autoptr(JsonObject) first = NULL;

  for (guint n = 0; n < CRASH_PER_WRITER; n++)
    send_create (client, f->doc, 0, n);
  first = next_ack (client);
  g_assert_cmpstr (json_object_get_string_member (first, "req"), ==, "0-0");

  /* The other requests are in the group held now. */
  g_subprocess_send_signal (f->server->process, SIGTERM);
  for (guint n = 1; n < CRASH_PER_WRITER; n++)
    {
      g_autoptr(JsonObject) ack = next_ack (client);
      g_autofree char *req = g_strdup_printf ("0-%u", n);

      g_assert_cmpstr (json_object_get_string_member (ack, "req"), ==, req);
      g_assert_true (json_object_get_boolean_member (ack, "ok"));
      g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, n + 1);
    }
  g_assert_cmpuint (rl_test_client_wait_closed (client, 5000), ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  rl_test_server_stop_wait (f->server);
}

/* A mark-read goes through the committer too: while a group holds the
 * write lock (1500 ms before its COMMIT), another connection's mark-read
 * waits in the committer's queue, not on the main loop, which goes on
 * answering (/healthz) with the mark-read's ack still to come; then both
 * are acked ok. */
static void
test_mark_read_off_the_loop (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(RlTestClient) writer = rl_test_client_new (f->server, f->token);
  g_autoptr(RlTestClient) reader = rl_test_client_new_v12 (f->server, f->admin);
  g_autoptr(RlTestResponse) health = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) marked = NULL;
  g_autofree char *broadcast = rl_test_uuid ();

  send_create (writer, f->doc, 0, 0);
  rl_test_client_send_printf (reader, "{\"type\":\"mark-read\",\"req\":\"m\",\"broadcastId\":\"%s\","
                                      "\"doc\":\"%s\",\"seq\":0}", broadcast, f->doc);
  health = rl_test_http (f->server, "GET", "/healthz", NULL, NULL, NULL);
  g_assert_cmpuint (health->status, ==, 200);
  /* The group is still held: no answer yet. */
  rl_test_client_assert_quiet (reader, 300);

  created = next_ack (writer);
  g_assert_null (rl_test_ack_error (created));
  marked = rl_test_client_expect_ack (reader, "m");
  g_assert_null (rl_test_ack_error (marked));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/commit/many-writers", Fixture, NULL, fixture_setup, test_many_writers, fixture_teardown);
  g_test_add ("/server/commit/crash-in-group", Fixture, HOLD_MS, fixture_setup, test_crash_in_group,
              fixture_teardown);
  g_test_add ("/server/commit/mark-read-off-the-loop", Fixture, "1500", fixture_setup, test_mark_read_off_the_loop,
              fixture_teardown);
  g_test_add ("/server/commit/shutdown-waits", Fixture, HOLD_MS, fixture_setup, test_shutdown_waits,
              fixture_teardown);
  return g_test_run ();
}
