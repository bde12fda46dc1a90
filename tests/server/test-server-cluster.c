/* test-server-cluster.c — redline-server on PostgreSQL: one node serving
 * over real sockets, two nodes on one database writing one document at
 * once, and the administration commands against a serving node
 *
 * Each case gets a fresh database on the test run's private cluster
 * (rl-test-pg.h); the nodes are real server processes on it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-activity.h"
#include "rl-codec.h"
#include "rl-store-pg.h"
#include "rl-test-pg.h"
#include "rl-test-server.h"

#define WRITERS_PER_NODE   20
#define CHANGES_PER_WRITER 5    /* a create, then replies to it */
#define USERS              8    /* the writers' users (a user's sockets are limited per node) */

typedef struct
{
  RlTestCluster  cluster;
  RlTestPg      *pg;
  RlTestServer **nodes;
  const char    *tokens[USERS];
  const char    *image;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_cluster_init (&f->cluster);
  f->pg = f->cluster.pg;
  f->nodes = f->cluster.nodes;
  for (guint u = 0; u < USERS; u++)
    {
      g_autofree char *person = g_strdup_printf ("Writer %u:member", u);

      f->tokens[u] = rl_test_team_add_person (&f->cluster.team, person);
    }
  f->image = rl_test_team_add_doc (&f->cluster.team, "acme", "Mockup", "mockup.png");
  rl_test_cluster_start (&f->cluster);
}

/* The same with the nodes holding REDLINE_TEST_HOLD_BETWEEN_MS (data)
 * between a group's mutations. */
static void
fixture_setup_hold_between (Fixture       *f,
                            gconstpointer  data)
{
  g_setenv ("REDLINE_TEST_HOLD_BETWEEN_MS", data, TRUE);
  fixture_setup (f, data);
  g_unsetenv ("REDLINE_TEST_HOLD_BETWEEN_MS");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_cluster_clear (&f->cluster);
}

static RlStore *
open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  RlStore *store = rl_store_pg_open (f->pg->conninfo, &error);

  g_assert_no_error (error);
  return store;
}

static char *
create_request (const char *req,
                const char *doc,
                const char *thread,
                const char *comment,
                const char *broadcast)
{
  return g_strdup_printf ("{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                          "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.5,\"y\":0.5}},"
                          "\"comment\":{\"id\":\"%s\",\"body\":\"Here\"}}",
                          req, broadcast, doc, thread, comment);
}

static char *
reply_request (const char *req,
               const char *doc,
               const char *thread,
               const char *comment,
               const char *broadcast)
{
  return g_strdup_printf ("{\"type\":\"add-comment\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                          "\"thread\":\"%s\",\"comment\":{\"id\":\"%s\",\"body\":\"And here\"}}",
                          req, broadcast, doc, thread, comment);
}

/* The server on PostgreSQL serves the protocol: subscribe, create, reply,
 * each change to every subscriber and in the next one's snapshot. */
static void
test_loop (Fixture       *f,
           gconstpointer  data)
{
  RlTestServer *node = f->nodes[0];
  g_autoptr(RlTestClient) a = rl_test_client_new (node, f->tokens[0]);
  g_autoptr(RlTestClient) b = rl_test_client_new (node, f->tokens[1]);
  g_autoptr(RlTestClient) c = NULL;
  g_autoptr(JsonObject) snap_a = rl_test_client_subscribe (a, f->image);
  g_autoptr(JsonObject) snap_b = rl_test_client_subscribe (b, f->image);
  g_autoptr(JsonObject) snap_c = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) replied = NULL;
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *first = rl_test_uuid ();
  g_autofree char *second = rl_test_uuid ();
  g_autofree char *bc_create = rl_test_uuid ();
  g_autofree char *bc_reply = rl_test_uuid ();
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *create = create_request (req, f->image, thread, first, bc_create);
  g_autofree char *reply_req = rl_test_uuid ();
  g_autofree char *reply = reply_request (reply_req, f->image, thread, second, bc_reply);
  JsonArray *threads, *comments;

  g_assert_cmpint (json_object_get_int_member (snap_a, "seq"), ==, 0);

  rl_test_client_send (a, create);
  ack = rl_test_client_expect_ack (a, req);
  g_assert_null (rl_test_ack_error (ack));
  g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 1);
  /* Everyone gets it, the originator too (its echo). */
  for (guint i = 0; i < 2; i++)
    {
      created = rl_test_client_expect (i ? b : a, "new-image-chat");
      g_assert_cmpstr (json_object_get_string_member (created, "broadcastId"), ==, bc_create);
      g_assert_cmpint (json_object_get_int_member (created, "seq"), ==, 1);
      g_clear_pointer (&created, json_object_unref);
    }
  g_clear_pointer (&ack, json_object_unref);

  rl_test_client_send (b, reply);
  ack = rl_test_client_expect_ack (b, reply_req);
  g_assert_null (rl_test_ack_error (ack));
  g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, 2);
  replied = rl_test_client_expect (a, "image-chat-updated");
  g_assert_cmpstr (json_object_get_string_member (replied, "broadcastId"), ==, bc_reply);
  g_assert_cmpint (json_object_get_int_member (replied, "seq"), ==, 2);

  /* A later subscriber, on a new connection, gets both from the database. */
  c = rl_test_client_new (node, f->tokens[2]);
  snap_c = rl_test_client_subscribe (c, f->image);
  g_assert_cmpint (json_object_get_int_member (snap_c, "seq"), ==, 2);
  threads = json_object_get_array_member (snap_c, "threads");
  g_assert_cmpuint (json_array_get_length (threads), ==, 1);
  comments = json_object_get_array_member (json_array_get_object_element (threads, 0), "comments");
  g_assert_cmpuint (json_array_get_length (comments), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (comments, 1), "id"), ==, second);
}

typedef struct
{
  RlTestClient *client;
  guint         node;
  GPtrArray    *reqs;          /* what it sent, in order */
  GPtrArray    *broadcasts;    /* the same order */
  GPtrArray    *comments;      /* the same order */
  char         *thread;
} Writer;

static void
writer_free (Writer *writer)
{
  g_clear_pointer (&writer->client, rl_test_client_free);
  g_ptr_array_unref (writer->reqs);
  g_ptr_array_unref (writer->broadcasts);
  g_ptr_array_unref (writer->comments);
  g_free (writer->thread);
  g_free (writer);
}

/* Twenty writers on each of two nodes on one database, all at once, on one
 * document: every seq from 1 to N exactly once, N the changes acked, and
 * every acked change in the final state. */
static void
test_two_nodes_one_document (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) writers = g_ptr_array_new_with_free_func ((GDestroyNotify) writer_free);
  /* broadcastId → the comment id it carried, for every acked change */
  g_autoptr(GHashTable) acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) seqs = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) comment_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  gint64 head = 0, n_acked = 0;
  guint switches = 0, last_node = G_MAXUINT;
  g_autoptr(GHashTable) seq_node = g_hash_table_new (g_direct_hash, g_direct_equal);

  /* Every writer connected before any writes. */
  for (guint w = 0; w < 2 * WRITERS_PER_NODE; w++)
    {
      Writer *writer = g_new0 (Writer, 1);

      writer->node = w % 2;
      writer->client = rl_test_client_new (f->nodes[writer->node], f->tokens[w % USERS]);
      writer->reqs = g_ptr_array_new_with_free_func (g_free);
      writer->broadcasts = g_ptr_array_new_with_free_func (g_free);
      writer->comments = g_ptr_array_new_with_free_func (g_free);
      writer->thread = rl_test_uuid ();
      g_ptr_array_add (writers, writer);
    }

  /* All of it sent at once, without waiting: the two nodes write together. */
  for (guint w = 0; w < writers->len; w++)
    {
      Writer *writer = g_ptr_array_index (writers, w);

      for (guint i = 0; i < CHANGES_PER_WRITER; i++)
        {
          char *req = rl_test_uuid ();
          char *broadcast = rl_test_uuid ();
          char *comment = rl_test_uuid ();
          g_autofree char *text = i == 0 ? create_request (req, f->image, writer->thread, comment, broadcast)
                                         : reply_request (req, f->image, writer->thread, comment, broadcast);

          g_ptr_array_add (writer->reqs, req);
          g_ptr_array_add (writer->broadcasts, broadcast);
          g_ptr_array_add (writer->comments, comment);
          rl_test_client_send (writer->client, text);
        }
    }

  /* Every change acked ok, each with a seq no other change got. */
  for (guint w = 0; w < writers->len; w++)
    {
      Writer *writer = g_ptr_array_index (writers, w);

      for (guint i = 0; i < writer->reqs->len; i++)
        {
          g_autoptr(JsonObject) ack = rl_test_client_expect_ack (writer->client, g_ptr_array_index (writer->reqs, i));
          gint64 seq;

          g_assert_null (rl_test_ack_error (ack));
          seq = json_object_get_int_member (ack, "seq");
          g_assert_cmpint (seq, >=, 1);
          g_assert_false (g_hash_table_contains (seqs, GINT_TO_POINTER ((int) seq)));
          g_hash_table_add (seqs, GINT_TO_POINTER ((int) seq));
          g_hash_table_insert (seq_node, GINT_TO_POINTER ((int) seq), GUINT_TO_POINTER (writer->node));
          g_hash_table_insert (acked, g_strdup (g_ptr_array_index (writer->broadcasts, i)),
                               g_strdup (g_ptr_array_index (writer->comments, i)));
          n_acked++;
        }
    }
  g_assert_cmpint (n_acked, ==, 2 * WRITERS_PER_NODE * CHANGES_PER_WRITER);

  /* The log: seq 1 … N, each exactly once and in order, N the acked
   * changes, each of them an acked change (by its broadcastId). */
  store = open_store (f);
  events = rl_store_events_since (store, "acme", f->image, 0, &head);
  g_assert_nonnull (events);
  g_assert_cmpint (head, ==, n_acked);
  g_assert_cmpuint (events->len, ==, n_acked);
  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(GError) error = NULL;
      const char *text = g_ptr_array_index (events, i);
      g_autoptr(RlMessage) message = rl_message_parse (text, strlen (text), &error);
      guint node;

      g_assert_no_error (error);
      g_assert_cmpint (message->event->seq, ==, i + 1);
      g_assert_true (g_hash_table_contains (acked, message->event->broadcast_id));
      g_assert_true (g_hash_table_contains (seqs, GINT_TO_POINTER ((int) message->event->seq)));
      node = GPOINTER_TO_UINT (g_hash_table_lookup (seq_node, GINT_TO_POINTER ((int) message->event->seq)));
      if (node != last_node)
        switches++;
      last_node = node;
    }
  /* How much the two nodes' writes interleaved in the log. */
  g_test_message ("the log switched node %u times in %u events", switches, events->len);

  /* The final state holds every acked change: each writer's thread with
   * all its comments. */
  threads = rl_store_load_threads (store, "acme", f->image, &head);
  g_assert_cmpint (head, ==, n_acked);
  g_assert_cmpuint (threads->len, ==, writers->len);
  for (guint t = 0; t < threads->len; t++)
    {
      RlThread *thread = g_ptr_array_index (threads, t);

      g_assert_cmpint (thread->number, ==, t + 1);
      g_assert_cmpuint (thread->comments->len, ==, CHANGES_PER_WRITER);
      for (guint c = 0; c < thread->comments->len; c++)
        g_hash_table_add (comment_ids, ((RlComment *) g_ptr_array_index (thread->comments, c))->id);
    }
  for (guint w = 0; w < writers->len; w++)
    {
      Writer *writer = g_ptr_array_index (writers, w);

      for (guint i = 0; i < writer->comments->len; i++)
        g_assert_true (g_hash_table_contains (comment_ids, g_ptr_array_index (writer->comments, i)));
    }
}

#define RECIPIENT_WRITERS 3   /* per node */
#define RECIPIENT_ROUNDS  8   /* each writer's pairs of replies */

/* A thread started (and acked) by token's user on doc, on node; its id. */
static char *
start_thread (RlTestServer *node,
              const char   *token,
              const char   *doc)
{
  g_autoptr(RlTestClient) client = rl_test_client_new (node, token);
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();
  char *thread = rl_test_uuid ();
  g_autofree char *text = create_request (req, doc, thread, comment, broadcast);
  g_autoptr(JsonObject) ack = NULL;

  rl_test_client_send (client, text);
  ack = rl_test_client_expect_ack (client, req);
  g_assert_null (rl_test_ack_error (ack));
  return thread;
}

/* Pat's threads on documents A and D, Quinn's on B and C, each theirs
 * alone. Writers on node a reply in A then B, over and over; writers on
 * node b in C then D: a group on a locks Pat's row then Quinn's, a group on
 * b Quinn's then Pat's, and the nodes hold between a group's mutations so
 * the two meet. Every reply is acked ok (none `internal` from a deadlock),
 * and every user's activity log runs 1 … head with no gap, Pat's and
 * Quinn's with one item per reply in their threads. */
static void
test_opposite_recipients (Fixture       *f,
                          gconstpointer  data)
{
  const char *docs[4];
  g_auto(GStrv) threads = g_new0 (char *, 5);
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_test_client_free);
  g_autoptr(GPtrArray) reqs = g_ptr_array_new_with_free_func (g_free);   /* per client, RECIPIENT_ROUNDS * 2 */
  g_autoptr(RlStore) store = NULL;
  guint failed = 0;

  for (guint d = 0; d < G_N_ELEMENTS (docs); d++)
    {
      g_autofree char *title = g_strdup_printf ("Screen %c", 'A' + d);

      docs[d] = rl_test_team_add_doc (&f->cluster.team, "acme", title, "mockup.png");
    }
  /* tokens[0] is Pat, tokens[1] Quinn. */
  threads[0] = start_thread (f->nodes[0], f->tokens[0], docs[0]);
  threads[1] = start_thread (f->nodes[0], f->tokens[1], docs[1]);
  threads[2] = start_thread (f->nodes[1], f->tokens[1], docs[2]);
  threads[3] = start_thread (f->nodes[1], f->tokens[0], docs[3]);

  for (guint w = 0; w < 2 * RECIPIENT_WRITERS; w++)
    {
      guint node = w % 2;
      RlTestClient *client = rl_test_client_new (f->nodes[node], f->tokens[2 + w]);

      g_ptr_array_add (clients, client);
    }
  /* All sent at once, without waiting. */
  for (guint round = 0; round < RECIPIENT_ROUNDS; round++)
    for (guint w = 0; w < clients->len; w++)
      for (guint k = 0; k < 2; k++)
        {
          guint t = 2 * (w % 2) + k;   /* node a: A, B; node b: C, D */
          char *req = rl_test_uuid ();
          g_autofree char *comment = rl_test_uuid ();
          g_autofree char *broadcast = rl_test_uuid ();
          g_autofree char *text = reply_request (req, docs[t], threads[t], comment, broadcast);

          rl_test_client_send (g_ptr_array_index (clients, w), text);
          g_ptr_array_add (reqs, req);
        }
  for (guint round = 0, r = 0; round < RECIPIENT_ROUNDS; round++)
    for (guint w = 0; w < clients->len; w++)
      for (guint k = 0; k < 2; k++, r++)
        {
          g_autoptr(JsonObject) ack = rl_test_client_expect_ack (g_ptr_array_index (clients, w),
                                                                 g_ptr_array_index (reqs, r));
          const char *code = rl_test_ack_error (ack);

          if (code != NULL)
            {
              g_test_message ("a reply was answered %s", code);
              failed++;
            }
        }
  g_assert_cmpuint (failed, ==, 0);

  /* Every log gap-free; Pat and Quinn told of every reply in their threads
   * (the writers of their own threads' replies after theirs too). */
  store = open_store (f);
  for (guint u = 0; u < 2 + 2 * RECIPIENT_WRITERS; u++)
    {
      g_autofree char *user = rl_test_token_user (f->tokens[u]);
      gint64 head = -1;
      g_autoptr(GPtrArray) items = rl_store_activity_since (store, "acme", user, 0, -1, &head);

      g_assert_nonnull (items);
      g_assert_cmpint (head, ==, (gint64) items->len);
      for (guint i = 0; i < items->len; i++)
        {
          g_autoptr(GError) error = NULL;
          const char *text = g_ptr_array_index (items, i);
          g_autoptr(JsonNode) node = rl_json_parse (text, strlen (text), &error);
          g_autoptr(RlActivity) item = NULL;

          g_assert_no_error (error);
          item = rl_activity_new_from_json (node, &error);
          g_assert_no_error (error);
          g_assert_cmpint (item->aseq, ==, i + 1);
        }
      if (u < 2)
        g_assert_cmpint (head, ==, 2 * RECIPIENT_WRITERS * RECIPIENT_ROUNDS);
    }
}

/* The administration commands work on PostgreSQL, and what they commit
 * reaches both serving nodes: a revoked user's connections close on each. */
static void
test_admin (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(RlTestClient) on_a = rl_test_client_new (f->nodes[0], f->tokens[0]);
  g_autoptr(RlTestClient) on_b = rl_test_client_new (f->nodes[1], f->tokens[0]);
  g_autoptr(RlTestClient) bystander = rl_test_client_new (f->nodes[1], f->tokens[1]);
  g_autofree char *user = rl_test_token_user (f->tokens[0]);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *backup = g_build_filename (f->nodes[0]->dir, "copy.db", NULL);

  out = rl_test_server_admin (f->nodes[1], "user", "revoke", "--tenant", "acme", user, NULL);
  g_assert_nonnull (strstr (out, user));
  g_assert_cmpuint (rl_test_client_wait_closed (on_a, 5000), ==, 1008);
  g_assert_cmpuint (rl_test_client_wait_closed (on_b, 5000), ==, 1008);
  g_assert_false (bystander->closed);
  g_clear_pointer (&out, g_free);

  out = rl_test_server_admin (f->nodes[0], "doc", "list", NULL);
  g_assert_nonnull (strstr (out, f->image));
  g_clear_pointer (&out, g_free);

  /* Backed up with pg_dump: the command says so and writes nothing. */
  g_assert_cmpint (rl_test_server_admin_status (f->nodes[0], &err, "backup", backup, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "pg_dump"));
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));
}

/* Nodes starting together on an empty database take turns to make its
 * schema: every one of them starts, none trips over another's tables. */
static void
test_migrate_together (void)
{
  g_autoptr(RlTestPg) pg = rl_test_pg_new ();
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *tenant = g_strdup_printf ("t%u", i);
      GSubprocess *process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                               g_getenv ("REDLINE_SERVER"), "--db", pg->conninfo,
                                               "tenant", "add", tenant, NULL);

      g_assert_no_error (error);
      g_ptr_array_add (processes, process);
    }
  for (guint i = 0; i < processes->len; i++)
    {
      GSubprocess *process = g_ptr_array_index (processes, i);

      g_assert_true (g_subprocess_wait (process, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
    }

  store = rl_store_pg_open (pg->conninfo, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < processes->len; i++)
    {
      g_autofree char *tenant = g_strdup_printf ("t%u", i);

      g_assert_true (rl_store_has_tenant (store, tenant));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/cluster/loop", Fixture, NULL, fixture_setup, test_loop, fixture_teardown);
  g_test_add ("/server/cluster/two-nodes-one-document", Fixture, NULL, fixture_setup,
              test_two_nodes_one_document, fixture_teardown);
  g_test_add ("/server/cluster/opposite-recipients", Fixture, "20", fixture_setup_hold_between,
              test_opposite_recipients, fixture_teardown);
  g_test_add_func ("/server/cluster/migrate-together", test_migrate_together);
  g_test_add ("/server/cluster/admin", Fixture, NULL, fixture_setup, test_admin, fixture_teardown);

  return g_test_run ();
}
