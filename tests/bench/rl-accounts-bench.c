/* rl-accounts-bench.c — the app idle with every account open (issue 19 §5),
 * measured by hand
 *
 * Starts the real redline-server on a temporary SQLite file with three
 * users in three tenants, makes the app (RlApplication, its notifier) with
 * the three accounts' sessions open and no window, waits until each
 * account's activity feed is subscribed, then lets the main loop run idle
 * and prints the app process's CPU time over that span (getrusage: user +
 * system; the server is another process):
 *   idle_seconds    the idle span
 *   idle_cpu_ms     CPU time the app used in it
 *   idle_cpu_pct    the same as a share of one core
 *
 *   xvfb-run -a dbus-run-session -- build/tests/bench/rl-accounts-bench [--idle-seconds 60]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <sys/resource.h>

#include "rl-activity-feed.h"
#include "rl-application.h"
#include "rl-test-server.h"

#define N_ACCOUNTS 3

static gint64
cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec +
         (gint64) usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
}

static gboolean
all_synced (RlActivityFeed **feeds)
{
  for (guint i = 0; i < N_ACCOUNTS; i++)
    if (!rl_activity_feed_is_synced (feeds[i]))
      return FALSE;
  return TRUE;
}

static gboolean
stop_loop (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  int idle_seconds = 60;
  GOptionEntry entries[] = {
    { "idle-seconds", 0, 0, G_OPTION_ARG_INT, &idle_seconds, "Idle span", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *tokens[N_ACCOUNTS];
  RlActivityFeed *feeds[N_ACCOUNTS];
  RlTestTeam team;
  RlApplication *app;
  gint64 deadline, cpu_before, wall_before, cpu_used, wall_used;
  gboolean done = FALSE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  gtk_init ();
  adw_init ();

  rl_test_team_init (&team, "Ada:member", &tokens[0], "globex/Gil:member", &tokens[1],
                     "initech/Ivy:member", &tokens[2], NULL);
  rl_test_server_start (team.server);

  app = rl_application_new ("io.github.redline.Redline.AccountsBench", G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("app not registered: %s", error->message);
  for (guint i = 0; i < N_ACCOUNTS; i++)
    {
      /* The default timings (keepalive and all), as the app runs. */
      g_autoptr(RlSession) session = rl_session_new (team.server->ws_base, tokens[i], NULL, NULL, &error);

      if (session == NULL)
        g_error ("session: %s", error->message);
      rl_application_add_session (app, session, TRUE);
      feeds[i] = rl_activity_feed_get (rl_session_get_connection (session), rl_session_get_api (session));
    }
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!all_synced (feeds) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (!all_synced (feeds))
    g_error ("the three feeds did not subscribe within 10 s");
  /* Settled: what the welcome started (members listed, caches) is done. */
  g_timeout_add_seconds (1, stop_loop, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  done = FALSE;
  cpu_before = cpu_us ();
  wall_before = g_get_monotonic_time ();
  g_timeout_add_seconds (idle_seconds, stop_loop, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  cpu_used = cpu_us () - cpu_before;
  wall_used = g_get_monotonic_time () - wall_before;
  if (!all_synced (feeds))
    g_error ("a feed lost its subscription while idle");

  g_print ("idle_seconds %.1f\n", wall_used / (double) G_USEC_PER_SEC);
  g_print ("idle_cpu_ms %.1f\n", cpu_used / 1000.0);
  g_print ("idle_cpu_pct %.3f\n", 100.0 * cpu_used / (double) wall_used);

  for (guint i = 0; i < N_ACCOUNTS; i++)
    g_object_unref (feeds[i]);
  g_object_unref (app);
  rl_test_team_clear (&team);
  return 0;
}
