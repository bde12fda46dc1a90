/* test-connection.c — the client connection against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>

#include "rl-backoff.h"
#include "rl-client-test.h"
#include "rl-connection-private.h"
#include "rl-error.h"
#include "rl-test-server.h"
#include "rl-uuid.h"

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *token;
  const char   *viewer;
  const char   *image;
  RlConnection *conn;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_team_init (&f->team, "Ada:member", &f->token, "Vic:viewer", &f->viewer, NULL);
  f->server = f->team.server;
  f->image = rl_test_team_add_doc (&f->team, "acme", "Mockup", "mockup.png");
  rl_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->conn);
  /* A test that stopped the server with SIGSTOP lets it go on first. */
  if (f->server->process)
    kill (atoi (g_subprocess_get_identifier (f->server->process)), SIGCONT);
  rl_test_team_clear (&f->team);
}

typedef struct
{
  gboolean   done;
  RlMessage *ack;
  GError    *error;
} Answer;

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Answer *answer = data;

  answer->ack = rl_connection_request_finish (RL_CONNECTION (source), result, &answer->error);
  answer->done = TRUE;
}

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->ack, rl_message_free);
  g_clear_error (&answer->error);
  answer->done = FALSE;
}

/* Sends and waits for the one answer. */
static void
request_and_wait (RlConnection *conn,
                  RlRequest    *request,
                  Answer       *answer,
                  guint         ms)
{
  answer_clear (answer);
  rl_connection_request (conn, request, NULL, answered, answer);
  RL_TEST_WAIT_UNTIL (answer->done, ms);
}

static RlRequest *
new_marker (const char *doc)
{
  RlRequest *request = rl_request_new (RL_REQUEST_CREATE_THREAD);

  request->broadcast_id = rl_uuid_new ();
  request->doc = g_strdup (doc);
  request->thread_id = rl_uuid_new ();
  request->comment_id = rl_uuid_new ();
  request->body = g_strdup ("The logo is too small");
  request->has_anchor = TRUE;
  request->anchor.kind = RL_DOC_KIND_IMAGE;
  request->anchor.x = 0.25;
  request->anchor.y = 0.75;
  return request;
}

static RlConnection *
connect_to (Fixture    *f,
            const char *token)
{
  RlConnection *conn = rl_connection_new (f->server->ws_base, token, NULL);

  /* Fast retries and a dead link found in 1.5 s, so the test runs quickly. */
  rl_connection_set_timing (conn, 100, 800, 1, 1500, 1000);
  return conn;
}

/* ---- backoff -------------------------------------------------------------- */

static void
test_backoff_bounds (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  g_assert_cmpuint (rl_backoff_ceiling_ms (0, 500, 30000), ==, 500);
  g_assert_cmpuint (rl_backoff_ceiling_ms (1, 500, 30000), ==, 1000);
  g_assert_cmpuint (rl_backoff_ceiling_ms (5, 500, 30000), ==, 16000);
  g_assert_cmpuint (rl_backoff_ceiling_ms (6, 500, 30000), ==, 30000);
  g_assert_cmpuint (rl_backoff_ceiling_ms (1000, 500, 30000), ==, 30000);

  for (guint attempt = 0; attempt < 40; attempt++)
    {
      guint ceiling = rl_backoff_ceiling_ms (attempt, 500, 30000);
      guint lo = G_MAXUINT, hi = 0;

      for (int i = 0; i < 2000; i++)
        {
          guint delay = rl_backoff_delay_ms (attempt, 500, 30000, rand);

          g_assert_cmpuint (delay, >=, 250);
          g_assert_cmpuint (delay, <=, ceiling);
          lo = MIN (lo, delay);
          hi = MAX (hi, delay);
        }
      /* Full jitter: the draws cover the range, they are not one value. */
      g_assert_cmpuint (lo, <, 250 + (ceiling - 250) / 10 + 1);
      g_assert_cmpuint (hi, >, ceiling - (ceiling - 250) / 10 - 1);
    }
}

/* ---- connection ---------------------------------------------------------- */

static void
test_connect_online (Fixture       *f,
                     gconstpointer  data)
{
  const RlMessage *welcome;

  f->conn = connect_to (f, f->token);
  g_assert_cmpint (rl_connection_get_state (f->conn), ==, RL_CONNECTION_OFFLINE);
  rl_connection_start (f->conn);
  g_assert_cmpint (rl_connection_get_state (f->conn), ==, RL_CONNECTION_CONNECTING);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));

  welcome = rl_connection_get_welcome (f->conn);
  g_assert_nonnull (welcome);
  g_assert_cmpstr (welcome->tenant, ==, "acme");
  g_assert_cmpstr (welcome->user.name, ==, "Ada");
  g_assert_cmpint (rl_connection_get_next_retry (f->conn), ==, 0);
  g_assert_null (rl_connection_get_last_error (f->conn));

  /* The app offers permessage-deflate, and the server took it. */
  {
    g_autofree char *admin = rl_test_add_user (f->server, "acme", "Root", "admin");
    g_autoptr(RlTestResponse) metrics = rl_test_http (f->server, "GET", "/metrics", admin, NULL, NULL);
    g_autofree char *text = g_strndup (g_bytes_get_data (metrics->body, NULL), g_bytes_get_size (metrics->body));

    g_assert_cmpuint (metrics->status, ==, 200);
    g_assert_nonnull (strstr (text, "\nredline_connections_compressed_total 1\n"));
  }
}

static void
test_unauthorized (Fixture       *f,
                   gconstpointer  data)
{
  f->conn = connect_to (f, "not-a-token");
  rl_connection_start (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_UNAUTHORIZED, 5000));
  g_assert_cmpint (rl_connection_get_next_retry (f->conn), ==, 0);
  /* Why, for whoever has to tell the user. */
  g_assert_error ((GError *) rl_connection_get_last_error (f->conn), RL_ERROR, RL_ERROR_UNAUTHORIZED);

  /* No retries: it stays refused. */
  g_assert_false (rl_client_test_wait_state (f->conn, RL_CONNECTION_CONNECTING, 1000));
  g_assert_cmpint (rl_connection_get_state (f->conn), ==, RL_CONNECTION_UNAUTHORIZED);
  rl_connection_retry_now (f->conn);
  g_assert_cmpint (rl_connection_get_state (f->conn), ==, RL_CONNECTION_UNAUTHORIZED);
}

static void
test_requests (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlRequest) marker = new_marker (f->image);
  g_autoptr(RlConnection) viewer = NULL;
  g_autoptr(RlRequest) forbidden = new_marker (f->image);
  Answer answer = { 0 };

  /* Not started: fails at once, nothing is queued. */
  f->conn = connect_to (f, f->token);
  rl_connection_request (f->conn, marker, NULL, answered, &answer);
  RL_TEST_WAIT_UNTIL (answer.done, 100);
  g_assert_error (answer.error, RL_ERROR, RL_ERROR_OFFLINE);

  rl_connection_start (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));
  request_and_wait (f->conn, marker, &answer, 5000);
  g_assert_no_error (answer.error);
  g_assert_true (answer.ack->ok);
  g_assert_cmpint (answer.ack->seq, ==, 1);
  g_assert_cmpstr (answer.ack->req, ==, marker->req);

  /* The same ids again: the server's error code comes back as the error. */
  g_clear_pointer (&marker->req, g_free);
  request_and_wait (f->conn, marker, &answer, 5000);
  g_assert_error (answer.error, RL_ERROR, RL_ERROR_CONFLICT);

  viewer = connect_to (f, f->viewer);
  rl_connection_start (viewer);
  g_assert_true (rl_client_test_wait_state (viewer, RL_CONNECTION_ONLINE, 5000));
  request_and_wait (viewer, forbidden, &answer, 5000);
  g_assert_error (answer.error, RL_ERROR, RL_ERROR_FORBIDDEN);
  answer_clear (&answer);
}

static void
on_next_retry (GObject    *object,
               GParamSpec *pspec,
               gpointer    data)
{
  GArray *delays = data;
  gint64 next = rl_connection_get_next_retry (RL_CONNECTION (object));

  if (next != 0)
    {
      gint64 delay_ms = (next - g_get_monotonic_time ()) / 1000;

      g_array_append_val (delays, delay_ms);
    }
}

static void
test_reconnect_after_restart (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GArray) delays = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 until;

  f->conn = connect_to (f, f->token);
  rl_connection_start (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));
  g_signal_connect (f->conn, "notify::next-retry", G_CALLBACK (on_next_retry), delays);

  rl_test_server_kill (f->server);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_RECONNECTING, 5000));

  /* Three seconds down: several retries, every delay within the bounds of
   * this timing (base 100 ms: at least 50 ms; cap 800 ms). */
  until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpint (rl_connection_get_state (f->conn), ==, RL_CONNECTION_RECONNECTING);
  /* Each failed attempt says why: nothing listens there now. */
  g_assert_error ((GError *) rl_connection_get_last_error (f->conn), G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (delays->len, >=, 4);
  for (guint i = 0; i < delays->len; i++)
    {
      gint64 delay = g_array_index (delays, gint64, i);

      g_test_message ("retry %u after %" G_GINT64_FORMAT " ms", i, delay);
      g_assert_cmpint (delay, >=, 49);
      g_assert_cmpint (delay, <=, 800);
    }

  rl_test_server_start (f->server);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));
  g_assert_cmpint (rl_connection_get_next_retry (f->conn), ==, 0);
  g_assert_null (rl_connection_get_last_error (f->conn));
}

static void
test_retry_now (Fixture       *f,
                gconstpointer  data)
{
  f->conn = connect_to (f, f->token);
  /* A long backoff, so only retry_now can bring it back quickly. */
  rl_connection_set_timing (f->conn, 60000, 60000, 1, 1500, 1000);
  rl_connection_start (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));

  rl_test_server_kill (f->server);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_RECONNECTING, 5000));
  g_assert_cmpint (rl_connection_get_next_retry (f->conn) - g_get_monotonic_time (), >, 20 * G_USEC_PER_SEC);

  rl_test_server_start (f->server);
  rl_connection_retry_now (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 3000));
}

static void
test_dead_link (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(RlRequest) marker = new_marker (f->image);
  GPid pid = atoi (g_subprocess_get_identifier (f->server->process));
  Answer answer = { 0 };
  gint64 start;

  f->conn = connect_to (f, f->token);
  /* Dead after 3 s of silence; acks may take 10 s. */
  rl_connection_set_timing (f->conn, 100, 800, 1, 3000, 10000);
  rl_connection_start (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));

  /* The server stops answering but its sockets stay open: the kernel sees
   * nothing wrong. The request in flight fails as connection-lost once the
   * silence says the link is dead. */
  kill (pid, SIGSTOP);
  start = g_get_monotonic_time ();
  rl_connection_request (f->conn, marker, NULL, answered, &answer);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_RECONNECTING, 6000));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  RL_TEST_WAIT_UNTIL (answer.done, 1000);
  g_assert_error (answer.error, RL_ERROR, RL_ERROR_CONNECTION_LOST);
  answer_clear (&answer);

  kill (pid, SIGCONT);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));
}

static void
test_ack_timeout (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(RlRequest) marker = new_marker (f->image);
  GPid pid = atoi (g_subprocess_get_identifier (f->server->process));
  Answer answer = { 0 };

  f->conn = connect_to (f, f->token);
  /* Acks within 500 ms; the link is declared dead only after 30 s. */
  rl_connection_set_timing (f->conn, 100, 800, 10, 30000, 500);
  rl_connection_start (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));

  kill (pid, SIGSTOP);
  rl_connection_request (f->conn, marker, NULL, answered, &answer);
  RL_TEST_WAIT_UNTIL (answer.done, 3000);
  g_assert_error (answer.error, RL_ERROR, RL_ERROR_TIMEOUT);
  answer_clear (&answer);
  kill (pid, SIGCONT);
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  f->conn = connect_to (f, f->token);
  rl_connection_start (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));
  rl_connection_stop (f->conn);
  g_assert_cmpint (rl_connection_get_state (f->conn), ==, RL_CONNECTION_OFFLINE);
  /* Stopped means stopped: no retry comes. */
  g_assert_false (rl_client_test_wait_state (f->conn, RL_CONNECTION_CONNECTING, 800));
  g_assert_false (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 200));
}

/* ---- links that only look alive ---------------------------------------- */

/* A connection whose backoff is long: anything that comes back quickly was
 * reopened at once, not retried. */
static RlConnection *
connect_slow_retries (Fixture *f)
{
  RlConnection *conn = rl_connection_new (f->server->ws_base, f->token, NULL);

  rl_connection_set_timing (conn, 20000, 30000, 15, 45000, 10000);
  return conn;
}

static char *
link_id (RlConnection *conn)
{
  const RlMessage *welcome = rl_connection_get_welcome (conn);

  return welcome ? g_strdup (welcome->connection) : NULL;
}

static gboolean
on_a_new_link (RlConnection *conn,
               const char   *old)
{
  g_autofree char *id = link_id (conn);

  return rl_connection_get_state (conn) == RL_CONNECTION_ONLINE && id && g_strcmp0 (id, old) != 0;
}

/* Another peer on the test's session bus: logind, or a stranger. */
static GDBusConnection *
new_bus_peer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection *peer;

  g_assert_no_error (error);
  peer = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, &error);
  g_assert_no_error (error);
  return peer;
}

/* logind says the machine woke up (PrepareForSleep false, from the name
 * org.freedesktop.login1 — here on the test's private bus): the link is
 * reopened at once, without waiting for the keepalive or a backoff. */
static void
test_resume_reopens (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr(GDBusConnection) logind = NULL;
  g_autofree char *before = NULL;
  guint owner;

  g_assert_no_error (error);   /* the test runner gives every test a session bus */
  logind = new_bus_peer ();
  owner = g_bus_own_name_on_connection (logind, "org.freedesktop.login1", G_BUS_NAME_OWNER_FLAGS_NONE,
                                        NULL, NULL, NULL, NULL);

  f->conn = connect_slow_retries (f);
  rl_connection_watch_sleep (f->conn, bus);
  rl_connection_start (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));
  before = link_id (f->conn);

  /* Going to sleep changes nothing by itself. */
  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                                 "PrepareForSleep", g_variant_new ("(b)", TRUE), &error);
  g_assert_no_error (error);
  (void) RL_TEST_POLL_UNTIL (on_a_new_link (f->conn, before), 500);
  g_assert_cmpuint (rl_connection_get_n_refreshes (f->conn), ==, 0);

  /* Awake: a new link within a moment (the backoff would be 0–20 s). */
  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                                 "PrepareForSleep", g_variant_new ("(b)", FALSE), &error);
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (on_a_new_link (f->conn, before), 3000);
  g_assert_cmpuint (rl_connection_get_n_refreshes (f->conn), ==, 1);

  /* Someone else saying so is not logind. */
  {
    g_autoptr(GDBusConnection) other = new_bus_peer ();
    g_autofree char *now = link_id (f->conn);

    g_dbus_connection_emit_signal (other, NULL, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                                   "PrepareForSleep", g_variant_new ("(b)", FALSE), &error);
    g_assert_no_error (error);
    (void) RL_TEST_POLL_UNTIL (on_a_new_link (f->conn, now), 700);
    g_assert_cmpuint (rl_connection_get_n_refreshes (f->conn), ==, 1);
  }
  g_bus_unown_name (owner);
}

/* Neither a system bus nor logind on it (a container, the Flatpak without
 * its talk name, logind restarting): the link opens all the same; once
 * logind owns its name, its PrepareForSleep is heard. */
static void
test_resume_without_logind (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr(GDBusConnection) logind = NULL;
  g_autofree char *before = NULL;
  g_autofree char *missing = g_build_filename (g_get_tmp_dir (), "redline-no-system-bus", "socket", NULL);
  g_autofree char *no_bus = g_strconcat ("unix:path=", missing, NULL);
  guint owner;

  g_assert_no_error (error);

  /* No system bus: the start asks for one, is refused, and goes online. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", no_bus, TRUE);
  f->conn = connect_slow_retries (f);
  rl_connection_start (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");

  /* A bus where nobody owns org.freedesktop.login1: watched all the same,
   * and a stranger saying it woke up is not listened to. */
  rl_connection_watch_sleep (f->conn, bus);
  before = link_id (f->conn);
  logind = new_bus_peer ();
  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                                 "PrepareForSleep", g_variant_new ("(b)", FALSE), &error);
  g_assert_no_error (error);
  (void) RL_TEST_POLL_UNTIL (on_a_new_link (f->conn, before), 700);
  g_assert_cmpuint (rl_connection_get_n_refreshes (f->conn), ==, 0);

  /* logind comes (back): heard from then on. */
  owner = g_bus_own_name_on_connection (logind, "org.freedesktop.login1", G_BUS_NAME_OWNER_FLAGS_NONE,
                                        NULL, NULL, NULL, NULL);
  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                                 "PrepareForSleep", g_variant_new ("(b)", FALSE), &error);
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (on_a_new_link (f->conn, before), 3000);
  g_assert_cmpuint (rl_connection_get_n_refreshes (f->conn), ==, 1);
  g_bus_unown_name (owner);
}

/* The network changed under a live link (another Wi-Fi, a VPN): reopened at
 * once. GNetworkMonitor's own signal stands for the system's news. */
static void
test_network_change_reopens (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *before = NULL;

  f->conn = connect_slow_retries (f);
  rl_connection_start (f->conn);
  g_assert_true (rl_client_test_wait_state (f->conn, RL_CONNECTION_ONLINE, 5000));
  before = link_id (f->conn);
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);
  RL_TEST_WAIT_UNTIL (on_a_new_link (f->conn, before), 3000);
  g_assert_cmpuint (rl_connection_get_n_refreshes (f->conn), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  g_test_add_func ("/client/backoff/bounds", test_backoff_bounds);
  ADD ("/client/connection/online", test_connect_online);
  ADD ("/client/connection/unauthorized", test_unauthorized);
  ADD ("/client/connection/requests", test_requests);
  ADD ("/client/connection/reconnect-after-restart", test_reconnect_after_restart);
  ADD ("/client/connection/retry-now", test_retry_now);
  ADD ("/client/connection/dead-link", test_dead_link);
  ADD ("/client/connection/ack-timeout", test_ack_timeout);
  ADD ("/client/connection/stop", test_stop);
  ADD ("/client/connection/resume-reopens", test_resume_reopens);
  ADD ("/client/connection/resume-without-logind", test_resume_without_logind);
  ADD ("/client/connection/network-change-reopens", test_network_change_reopens);

  return g_test_run ();
}
