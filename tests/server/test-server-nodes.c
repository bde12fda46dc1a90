/* test-server-nodes.c — two redline-server nodes on one PostgreSQL database
 * as their clients see them: a change committed through one reaches the
 * other's subscribers in seq order, exactly once, with its broadcastId;
 * the viewer count is of distinct users on both; a node that dies drops
 * out of it; a node that lost PostgreSQL catches up; usage is summed over
 * the nodes; /metrics names the node
 *
 * Each case gets a fresh database on the test run's private cluster
 * (rl-test-pg.h); the nodes are real server processes on it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libpq-fe.h>
#include <string.h>

#include "rl-test-pg.h"
#include "rl-test-server.h"

#define N_USERS 4

typedef struct
{
  RlTestCluster  cluster;
  RlTestPg      *pg;
  RlTestServer **nodes;            /* a and b */
  const char    *tokens[N_USERS];  /* Ada, Bea, Cy, Di */
  const char    *image;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static const char *const people[N_USERS] = { "Ada:member", "Bea:member", "Cy:member", "Di:member" };

  rl_test_cluster_init (&f->cluster);
  f->pg = f->cluster.pg;
  f->nodes = f->cluster.nodes;
  for (guint u = 0; u < N_USERS; u++)
    f->tokens[u] = rl_test_team_add_person (&f->cluster.team, people[u]);
  f->image = rl_test_team_add_doc (&f->cluster.team, "acme", "Mockup", "mockup.png");
  rl_test_cluster_start (&f->cluster);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_cluster_clear (&f->cluster);
}

static void
send_create (RlTestClient *client,
             const char   *doc,
             const char   *broadcast,
             const char   *body)
{
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();

  rl_test_client_send_printf (client,
                              "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":{\"id\":\"%s\",\"anchor\":{\"x\":0.25,\"y\":0.75}},"
                              "\"comment\":{\"id\":\"%s\",\"body\":\"%s\"}}",
                              req, broadcast, doc, thread, comment, body);
}

/* Reads events until seq last; each must be the one after the previous
 * (none twice, none missing). Returns their broadcastIds by seq - 1. */
static guint acks_seen;   /* by the last read_events */

static GPtrArray *
read_events (RlTestClient *client,
             gint64        after,
             gint64        last)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  gint64 seq = after;

  acks_seen = 0;
  g_ptr_array_set_size (ids, (guint) after);
  while (seq < last)
    {
      g_autoptr(JsonObject) frame = rl_test_client_next (client);
      const char *type = json_object_get_string_member (frame, "type");

      if (g_str_equal (type, "ack"))
        {
          g_assert_true (json_object_get_boolean_member (frame, "ok"));
          acks_seen++;
          continue;
        }
      if (g_str_equal (type, "presence"))
        continue;
      g_assert_cmpstr (type, ==, "new-image-chat");
      g_assert_cmpint (json_object_get_int_member (frame, "seq"), ==, seq + 1);
      seq++;
      g_ptr_array_add (ids, g_strdup (json_object_get_string_member (frame, "broadcastId")));
    }
  return ids;
}

/* Reads n more acks, each ok, skipping presence; no event may come. */
static void
wait_acks (RlTestClient *client,
           guint         n)
{
  while (n > 0)
    {
      g_autoptr(JsonObject) frame = rl_test_client_next (client);
      const char *type = json_object_get_string_member (frame, "type");

      if (g_str_equal (type, "presence"))
        continue;
      g_assert_cmpstr (type, ==, "ack");
      g_assert_true (json_object_get_boolean_member (frame, "ok"));
      n--;
    }
}

/* Changes committed through both nodes at once reach the subscribers of
 * both in seq order, exactly once, each with its originator's broadcastId:
 * those whose event is too long for a notification too. */
static void
test_fan_out (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(RlTestClient) wa = rl_test_client_new (f->nodes[0], f->tokens[0]);
  g_autoptr(RlTestClient) wb = rl_test_client_new (f->nodes[1], f->tokens[1]);
  g_autoptr(RlTestClient) sa = rl_test_client_new (f->nodes[0], f->tokens[2]);
  g_autoptr(RlTestClient) sb = rl_test_client_new (f->nodes[1], f->tokens[3]);
  RlTestClient *everyone[] = { wa, wb, sa, sb };
  g_autoptr(GHashTable) sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GString *long_body = g_string_new (NULL);
  const guint rounds = 30;

  for (guint i = 0; i < G_N_ELEMENTS (everyone); i++)
    {
      g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (everyone[i], f->image);

      g_assert_cmpint (json_object_get_int_member (snapshot, "seq"), ==, 0);
    }

  /* 4000 characters of three bytes each: 12 kB, past the 8000 bytes a
   * notification carries. */
  for (guint i = 0; i < 4000; i++)
    g_string_append (long_body, "€");

  /* Both writers at once, without waiting for their acks. */
  for (guint i = 0; i < rounds; i++)
    for (guint w = 0; w < 2; w++)
      {
        char *broadcast = rl_test_uuid ();

        send_create (w == 0 ? wa : wb, f->image, broadcast,
                     i == rounds / 2 ? long_body->str : "Cross the nodes");
        g_hash_table_add (sent, broadcast);
      }

  for (guint i = 0; i < G_N_ELEMENTS (everyone); i++)
    {
      g_autoptr(GPtrArray) ids = read_events (everyone[i], 0, 2 * rounds);

      /* A writer's acks come in their turn, but not necessarily before the
       * other node's events: a node that hears of a later seq reads the log
       * up to it, its own commits included, before their callbacks have
       * run. Each writer gets all its acks, ok. */
      if (i < 2)
        wait_acks (everyone[i], rounds - acks_seen);

      /* Every change, each once: the same set of broadcastIds as sent. */
      for (guint s = 0; s < ids->len; s++)
        g_assert_true (g_hash_table_contains (sent, g_ptr_array_index (ids, s)));
      for (guint s = 0; s < ids->len; s++)
        for (guint t = s + 1; t < ids->len; t++)
          g_assert_cmpstr (g_ptr_array_index (ids, s), !=, g_ptr_array_index (ids, t));
      rl_test_client_assert_quiet (everyone[i], 300);
    }
  g_string_free (long_body, TRUE);
}

/* The presence frame that says connections in all, within ms. */
static JsonObject *
wait_presence (RlTestClient *client,
               gint64        count,
               gint64        connections,
               guint         ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * G_GINT64_CONSTANT (1000);

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *raw = rl_test_client_next_raw (client, 250);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *frame;

      if (raw == NULL)
        {
          g_assert_false (client->closed);
          continue;
        }
      node = json_from_string (raw, NULL);
      g_assert_nonnull (node);
      frame = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (frame, "type", ""), "presence") == 0 &&
          json_object_get_int_member (frame, "count") == count &&
          json_object_get_int_member (frame, "connections") == connections)
        return json_object_ref (frame);
    }
  g_error ("no presence of %" G_GINT64_FORMAT " people in %" G_GINT64_FORMAT " connections within %u ms",
           count, connections, ms);
}

static gboolean
has_user (JsonObject *presence,
          const char *name)
{
  JsonArray *users = json_object_get_array_member (presence, "users");

  for (guint i = 0; i < json_array_get_length (users); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (users, i), "name"), name))
      return TRUE;
  return FALSE;
}

/* Distinct users over both nodes: Ada in two windows (one per node) counts
 * once; when node b is killed, its viewers drop out of node a's count
 * within 30 s. */
static void
test_presence (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestClient) ada_a = rl_test_client_new (f->nodes[0], f->tokens[0]);
  g_autoptr(RlTestClient) ada_b = rl_test_client_new (f->nodes[1], f->tokens[0]);
  g_autoptr(RlTestClient) bea_b = rl_test_client_new (f->nodes[1], f->tokens[1]);
  g_autoptr(JsonObject) s1 = rl_test_client_subscribe (ada_a, f->image);
  g_autoptr(JsonObject) s2 = rl_test_client_subscribe (ada_b, f->image);
  g_autoptr(JsonObject) s3 = rl_test_client_subscribe (bea_b, f->image);
  g_autoptr(JsonObject) both = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(JsonObject) left = NULL;
  gint64 killed_us;

  /* Each node's subscribers see the count of both. */
  both = wait_presence (ada_a, 2, 3, 10000);
  g_assert_true (has_user (both, "Ada"));
  g_assert_true (has_user (both, "Bea"));
  g_clear_pointer (&both, json_object_unref);
  both = wait_presence (bea_b, 2, 3, 10000);
  g_clear_pointer (&both, json_object_unref);

  /* A window closes on b: a hears of it. */
  g_clear_pointer (&ada_b, rl_test_client_free);
  left = wait_presence (ada_a, 2, 2, 10000);

  /* b dies without a word: its viewers go from a's count. */
  rl_test_server_kill (f->nodes[1]);
  killed_us = g_get_monotonic_time ();
  after = wait_presence (ada_a, 1, 1, 35000);
  g_test_message ("node b's viewers dropped out %.1f s after it was killed",
                  (g_get_monotonic_time () - killed_us) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - killed_us, <=, 30 * G_USEC_PER_SEC);
  g_assert_true (has_user (after, "Ada"));
  g_assert_false (has_user (after, "Bea"));
}

/* A node stopped as an administrator stops it (SIGTERM): its viewers leave
 * the other node's count at once, not after the dead node's 20 s. */
static void
test_presence_clean_stop (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(RlTestClient) ada_a = rl_test_client_new (f->nodes[0], f->tokens[0]);
  g_autoptr(RlTestClient) bea_b = rl_test_client_new (f->nodes[1], f->tokens[1]);
  g_autoptr(JsonObject) s1 = rl_test_client_subscribe (ada_a, f->image);
  g_autoptr(JsonObject) s2 = rl_test_client_subscribe (bea_b, f->image);
  g_autoptr(JsonObject) both = wait_presence (ada_a, 2, 2, 10000);
  g_autoptr(JsonObject) alone = NULL;
  gint64 stopped_us;

  rl_test_server_stop (f->nodes[1]);
  stopped_us = g_get_monotonic_time ();
  alone = wait_presence (ada_a, 1, 1, 10000);
  g_assert_cmpint (g_get_monotonic_time () - stopped_us, <, 5 * G_USEC_PER_SEC);
  g_assert_false (has_user (alone, "Bea"));
}

/* Ends node b's listening connection (PostgreSQL restarting, a network
 * cut): b says so in its log, comes back, and its subscribers get what was
 * committed on a meanwhile, in order, once. */
static void
test_catch_up (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestClient) wa = rl_test_client_new (f->nodes[0], f->tokens[0]);
  g_autoptr(RlTestClient) sb = rl_test_client_new (f->nodes[1], f->tokens[1]);
  g_autoptr(JsonObject) s1 = rl_test_client_subscribe (wa, f->image);
  g_autoptr(JsonObject) s2 = rl_test_client_subscribe (sb, f->image);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *log = NULL;
  PGconn *conn = PQconnectdb (f->pg->conninfo);
  const guint rounds = 20;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *broadcast = rl_test_uuid ();
      send_create (wa, f->image, broadcast, "Before");
    }
  before = read_events (sb, 0, 5);

  /* Every listening connection to this database: b's (a's too, which
   * comes back the same way). Then commit on a while b is deaf. */
  for (guint round = 0; round < rounds; round++)
    {
      g_autofree char *broadcast = rl_test_uuid ();

      if (round == 0)
        {
          PGresult *result = PQexec (conn, "SELECT pg_terminate_backend (pid) FROM pg_stat_activity "
                                           "WHERE datname = current_database () "
                                           "AND application_name = 'redline-server listener'");
          g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
          g_assert_cmpint (PQntuples (result), >=, 1);
          PQclear (result);
        }
      send_create (wa, f->image, broadcast, "While b was deaf");
    }
  all = read_events (sb, 5, 5 + rounds);
  g_assert_cmpuint (all->len, ==, 5 + rounds);
  rl_test_client_assert_quiet (sb, 500);

  g_assert_true (g_file_get_contents (f->nodes[1]->stderr_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "lost the PostgreSQL connection that brings other nodes' changes"));
  g_assert_nonnull (strstr (log, "catching up from the event log"));
  PQfinish (conn);
}

static gint64
usage_messages (RlTestServer *node,
                const char   *admin)
{
  g_autoptr(RlTestResponse) response = rl_test_http (node, "GET", "/api/v1/usage", admin, NULL, NULL);

  g_assert_cmpuint (response->status, ==, 200);
  return json_object_get_int_member (json_node_get_object (response->json), "pubSubMessageCount");
}

/* Both nodes report the same count, of at least at_least. */
static gboolean
usage_agrees (Fixture    *f,
              const char *admin,
              gint64      at_least)
{
  gint64 a = usage_messages (f->nodes[0], admin);
  gint64 b = usage_messages (f->nodes[1], admin);

  return a == b && a >= at_least;
}

/* Usage is the tenant's over every node: what went to a connection on b
 * is counted when asked through a, and the other way round. */
static void
test_usage_summed (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *admin = rl_test_add_user (f->nodes[0], "acme", "Ops", "admin");
  g_autoptr(RlTestClient) bea_b = rl_test_client_new (f->nodes[1], f->tokens[1]);
  g_autoptr(JsonObject) s1 = rl_test_client_subscribe (bea_b, f->image);
  g_autoptr(RlTestClient) ada_a = NULL;
  g_autoptr(JsonObject) s2 = NULL;
  gint64 after_b;

  /* welcome, snapshot and ack went out on b only: a counts them too once b
   * has saved (every 2 s). */
  RL_TEST_WAIT_UNTIL (usage_agrees (f, admin, 3), 10000);
  after_b = usage_messages (f->nodes[0], admin);

  ada_a = rl_test_client_new (f->nodes[0], f->tokens[0]);
  s2 = rl_test_client_subscribe (ada_a, f->image);
  RL_TEST_WAIT_UNTIL (usage_agrees (f, admin, after_b + 3), 10000);
}

/* /metrics is per node and says which one answers. */
static void
test_metrics_node (Fixture       *f,
                   gconstpointer  data)
{
  for (guint n = 0; n < 2; n++)
    {
      g_autoptr(RlTestResponse) response = NULL;
      g_autofree char *admin = rl_test_add_user (f->nodes[n], "acme", "Ops", "admin");
      g_autofree char *want = g_strdup_printf ("node=\"%s\"", n == 0 ? "a" : "b");
      g_autofree char *text = NULL;

      response = rl_test_http (f->nodes[n], "GET", "/metrics", admin, NULL, NULL);
      g_assert_cmpuint (response->status, ==, 200);
      text = g_strndup (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));
      g_assert_nonnull (strstr (text, "redline_build_info{"));
      g_assert_nonnull (strstr (text, want));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/nodes/fan-out", Fixture, NULL, fixture_setup, test_fan_out, fixture_teardown);
  g_test_add ("/server/nodes/presence", Fixture, NULL, fixture_setup, test_presence, fixture_teardown);
  g_test_add ("/server/nodes/presence-clean-stop", Fixture, NULL, fixture_setup, test_presence_clean_stop,
              fixture_teardown);
  g_test_add ("/server/nodes/catch-up", Fixture, NULL, fixture_setup, test_catch_up, fixture_teardown);
  g_test_add ("/server/nodes/usage-summed", Fixture, NULL, fixture_setup, test_usage_summed, fixture_teardown);
  g_test_add ("/server/nodes/metrics-node", Fixture, NULL, fixture_setup, test_metrics_node, fixture_teardown);

  return g_test_run ();
}
