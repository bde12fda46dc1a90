/* test-pg-listener.c — the PostgreSQL store's listening connection against
 * a real PostgreSQL (the private cluster build-aux/dev starts; its conninfo
 * in REDLINE_TEST_PG)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <libpq-fe.h>
#include <string.h>

#include "rl-store-pg-listener.h"
#include "rl-test-wait.h"

typedef struct
{
  GPtrArray *heard;         /* payloads, in order */
  guint      listening;     /* LISTENING callbacks */
  guint      lost;          /* LOST callbacks */
  gint64     lost_at_us[8];
} Ear;

static const char *
test_conninfo (void)
{
  const char *conninfo = g_getenv ("REDLINE_TEST_PG");

  if (conninfo == NULL || *conninfo == '\0')
    g_error ("REDLINE_TEST_PG is not set: run this test through ./build-aux/dev check, "
             "which starts a private PostgreSQL cluster for it");
  return conninfo;
}

static PGconn *
connect_ok (void)
{
  PGconn *conn = PQconnectdb (test_conninfo ());

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect to the test cluster: %s", PQerrorMessage (conn));
  return conn;
}

static void
exec_ok (PGconn     *conn,
         const char *query,
         int         n_params,
         const char *const *params)
{
  PGresult *result = PQexecParams (conn, query, n_params, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", query, PQresultErrorMessage (result));
  PQclear (result);
}

static void
ear_cb (RlPgListenerWhat  what,
        const char       *payload,
        gpointer          user_data)
{
  Ear *ear = user_data;

  switch (what)
    {
    case RL_PG_LISTENER_NOTIFIED:
      g_ptr_array_add (ear->heard, g_strdup (payload));
      break;
    case RL_PG_LISTENER_LISTENING:
      ear->listening++;
      break;
    case RL_PG_LISTENER_LOST:
      g_assert_nonnull (payload);
      if (ear->lost < G_N_ELEMENTS (ear->lost_at_us))
        ear->lost_at_us[ear->lost] = g_get_monotonic_time ();
      ear->lost++;
      break;
    default:
      g_assert_not_reached ();
    }
}

static char *
new_channel (void)
{
  return g_strdup_printf ("rl_test_%08x%08x", g_random_int (), g_random_int ());
}

static void
notify (PGconn     *conn,
        const char *channel,
        const char *payload)
{
  const char *params[] = { channel, payload };

  exec_ok (conn, "SELECT pg_notify($1, $2)", 2, params);
}

/* Every notification, in commit order, whole: those sent one by one, those
 * of one transaction, and one at the size PostgreSQL's limit allows. */
static void
test_notifies_in_order (void)
{
  g_autofree char *channel = new_channel ();
  Ear ear = { .heard = g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(RlPgListener) listener = rl_pg_listener_new (test_conninfo (), channel, ear_cb, &ear);
  PGconn *conn = connect_ok ();
  g_autofree char *big = g_malloc (7999 + 1);

  /* Nothing is called from inside rl_pg_listener_new. */
  g_assert_cmpuint (ear.listening, ==, 0);
  RL_TEST_WAIT_UNTIL (ear.listening >= 1, 10000);
  g_assert_true (rl_pg_listener_is_listening (listener));
  g_assert_cmpint (rl_pg_listener_get_backend (listener), >, 0);

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *payload = g_strdup_printf ("one %u", i);
      notify (conn, channel, payload);
    }
  exec_ok (conn, "BEGIN", 0, NULL);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *payload = g_strdup_printf ("txn %u", i);
      notify (conn, channel, payload);
    }
  /* Nothing is heard of a transaction before it commits. */
  notify (conn, "rl_test_elsewhere", "not ours");
  exec_ok (conn, "COMMIT", 0, NULL);
  memset (big, 'x', 7999);
  big[7999] = '\0';
  notify (conn, channel, big);

  RL_TEST_WAIT_UNTIL (ear.heard->len >= 101, 10000);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *want = g_strdup_printf ("%s %u", i < 50 ? "one" : "txn", i % 50);
      g_assert_cmpstr (g_ptr_array_index (ear.heard, i), ==, want);
    }
  g_assert_cmpstr (g_ptr_array_index (ear.heard, 100), ==, big);
  g_assert_cmpuint (ear.lost, ==, 0);
  g_assert_cmpuint (ear.listening, ==, 1);

  PQfinish (conn);
  g_clear_pointer (&listener, rl_pg_listener_free);
  g_ptr_array_unref (ear.heard);
}

/* The listening connection ended from outside: the listener says it lost
 * it, comes back by itself, and hears what is notified from then on. */
static void
test_recovers (void)
{
  g_autofree char *channel = new_channel ();
  Ear ear = { .heard = g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(RlPgListener) listener = rl_pg_listener_new (test_conninfo (), channel, ear_cb, &ear);
  PGconn *conn = connect_ok ();

  for (guint round = 1; round <= 3; round++)
    {
      g_autofree char *pid = NULL;
      g_autofree char *payload = g_strdup_printf ("after %u", round);
      const char *params[1];

      RL_TEST_WAIT_UNTIL (ear.listening >= round, 20000);
      pid = g_strdup_printf ("%d", rl_pg_listener_get_backend (listener));
      params[0] = pid;
      exec_ok (conn, "SELECT pg_terminate_backend($1::int)", 1, params);
      RL_TEST_WAIT_UNTIL (ear.lost >= round, 20000);
      g_assert_false (rl_pg_listener_is_listening (listener));
      g_assert_cmpint (rl_pg_listener_get_backend (listener), ==, 0);

      RL_TEST_WAIT_UNTIL (ear.listening >= round + 1, 20000);
      notify (conn, channel, payload);
      RL_TEST_WAIT_UNTIL (ear.heard->len >= round, 10000);
      g_assert_cmpstr (g_ptr_array_index (ear.heard, round - 1), ==, payload);
    }
  /* Each loss was one, and each came back at the first try. */
  g_assert_cmpuint (ear.lost, ==, 3);

  PQfinish (conn);
  g_clear_pointer (&listener, rl_pg_listener_free);
  g_ptr_array_unref (ear.heard);
}

static gboolean
tick_cb (gpointer user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* Nothing listens where it connects: it tries again and again, waiting
 * longer each time, and never holds up the main loop meanwhile. */
static void
test_backs_off (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GInetSocketAddress) bound = NULL;
  g_autofree char *conninfo = NULL;
  Ear ear = { .heard = g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(RlPgListener) listener = NULL;
  guint ticks = 0;
  guint tick_id;

  /* A port that is surely closed: bound, never listened on. */
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (socket, NULL));
  conninfo = g_strdup_printf ("host=127.0.0.1 port=%u user=postgres dbname=postgres",
                              g_inet_socket_address_get_port (bound));
  listener = rl_pg_listener_new (conninfo, "rl_test_nobody", ear_cb, &ear);
  tick_id = g_timeout_add (50, tick_cb, &ticks);

  RL_TEST_WAIT_UNTIL (ear.lost >= 4, 20000);
  g_assert_cmpuint (ear.listening, ==, 0);
  /* 0.5 s, 1 s, 2 s between the tries (a little more for the try itself). */
  g_assert_cmpint (ear.lost_at_us[1] - ear.lost_at_us[0], >=, 500 * 1000);
  g_assert_cmpint (ear.lost_at_us[2] - ear.lost_at_us[1], >=, 1000 * 1000);
  g_assert_cmpint (ear.lost_at_us[3] - ear.lost_at_us[2], >=, 2000 * 1000);
  g_assert_cmpint (ear.lost_at_us[3] - ear.lost_at_us[2], <, 3500 * 1000);
  /* The loop kept turning: 3.5 s of 50 ms ticks, most of them. */
  g_assert_cmpuint (ticks, >=, 50);

  g_source_remove (tick_id);
  g_clear_pointer (&listener, rl_pg_listener_free);
  g_ptr_array_unref (ear.heard);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg-listener/notifies-in-order", test_notifies_in_order);
  g_test_add_func ("/pg-listener/recovers", test_recovers);
  g_test_add_func ("/pg-listener/backs-off", test_backs_off);

  return g_test_run ();
}
