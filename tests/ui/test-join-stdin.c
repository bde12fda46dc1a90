/* test-join-stdin.c — `redline --join-stdin`: the invite link handed over
 * on standard input, as ./build-aux/dev run does, never on a command line
 *
 * The real app binary is started (twice: the second hands its link to the
 * first over the session bus) with the link written into its standard
 * input; all along, /proc/PID/cmdline and /proc/PID/environ of each are
 * read, and the token must never be there. That each joined is checked on
 * the server's side: Bob, a raw teammate, sees the user in the presence of
 * the document the app opened.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rl-client-test.h"
#include "rl-test-server.h"

typedef RlClientTestTeam Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_client_test_team_init (f, RL_CLIENT_TEST_WITH_BEA | RL_CLIENT_TEST_WITH_BOB);
  rl_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_client_test_team_clear (f);
}

/* ---- watching the processes' command lines -------------------------------- */

typedef struct
{
  GPtrArray  *pids;       /* of GINT_TO_POINTER (pid) still watched */
  const char *secrets[3];
  guint       reads;      /* files read */
  char       *found;      /* where a secret was seen, or NULL */
} Watch;

/* Whether the NUL-separated contents of /proc/PID/NAME hold a secret. */
static void
check_proc_file (Watch      *watch,
                 int         pid,
                 const char *name)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", pid, name);
  g_autofree char *contents = NULL;
  gsize length;

  /* Gone already, or not yet readable: nothing to see there. */
  if (!g_file_get_contents (path, &contents, &length, NULL))
    return;
  watch->reads++;
  for (guint i = 0; i < G_N_ELEMENTS (watch->secrets) && watch->secrets[i]; i++)
    if (memmem (contents, length, watch->secrets[i], strlen (watch->secrets[i])) != NULL && watch->found == NULL)
      watch->found = g_strdup_printf ("%s holds a token", path);
}

static gboolean
watch_tick (gpointer data)
{
  Watch *watch = data;

  for (guint i = 0; i < watch->pids->len; i++)
    {
      int pid = GPOINTER_TO_INT (g_ptr_array_index (watch->pids, i));

      check_proc_file (watch, pid, "cmdline");
      check_proc_file (watch, pid, "environ");
    }
  return G_SOURCE_CONTINUE;
}

static int
pid_of (GSubprocess *process)
{
  return atoi (g_subprocess_get_identifier (process));
}

/* ---- the app --------------------------------------------------------------- */

/* Starts the app binary with --join-stdin and writes line into its standard
 * input (nothing, closed, for NULL); its pid is watched from before. */
static GSubprocess *
start_app (Watch      *watch,
           const char *line,
           gboolean    capture_stderr)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *app;
  GOutputStream *in;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        (capture_stderr ? G_SUBPROCESS_FLAGS_STDERR_PIPE : 0));
  app = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("REDLINE_APP"), "--join-stdin", NULL);
  g_assert_no_error (error);
  g_ptr_array_add (watch->pids, GINT_TO_POINTER (pid_of (app)));
  watch_tick (watch);
  in = g_subprocess_get_stdin_pipe (app);
  if (line != NULL)
    {
      g_output_stream_write_all (in, line, strlen (line), NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_output_stream_close (in, NULL, &error);
  g_assert_no_error (error);
  return app;
}

typedef struct
{
  GSubprocess *process;
  gboolean     done;
} Exit;

static void
exited (GObject      *source,
        GAsyncResult *result,
        gpointer      data)
{
  Exit *exit = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  exit->done = TRUE;
}

/* Waits for process to end; its exit status. */
static int
wait_exit (GSubprocess *process,
           guint        ms)
{
  Exit exit = { process, FALSE };

  g_subprocess_wait_async (process, NULL, exited, &exit);
  RL_TEST_WAIT_UNTIL (exit.done, ms);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* What Bob hears until a presence frame of doc names name among its
 * viewers, or ms pass. */
static gboolean
bob_sees (RlTestClient *bob,
          const char   *name,
          guint         ms)
{
  g_autofree char *needle = g_strdup_printf ("\"name\":\"%s\"", name);
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      g_autofree char *frame = rl_test_client_next_raw (bob, 250);

      if (frame != NULL && strstr (frame, "\"type\":\"presence\"") != NULL && strstr (frame, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The app quits as its Quit does (app.quit, over the session bus). */
static void
quit_app (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autofree char *path = g_strconcat ("/", APP_ID, NULL);
  g_autoptr(GVariant) reply = NULL;

  g_assert_no_error (error);
  g_strdelimit (path, ".", '/');
  g_strdelimit (path, "-", '_');
  reply = g_dbus_connection_call_sync (bus, APP_ID, path, "org.gtk.Actions", "Activate",
                                       g_variant_new ("(sava{sv})", "quit", NULL, NULL), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
}

/* ---- tests ----------------------------------------------------------------- */

/* Ada's link joins the app started with it on standard input; Bea's, given
 * to a second `redline --join-stdin`, goes to the running app, which joins
 * her too, while the second process exits. Neither process ever has a
 * token in its command line or its environment. */
static void
test_join (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *ada_link = g_strdup_printf ("redline://127.0.0.1:%u/join?token=%s&tls=0\n", f->server->port,
                                               f->ada);
  g_autofree char *bea_link = g_strdup_printf ("  redline://127.0.0.1:%u/join?token=%s&tls=0  \n", f->server->port,
                                               f->bea);
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (bob, f->image);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GSubprocess) second = NULL;
  Watch watch = { g_ptr_array_new (), { f->ada, f->bea, NULL }, 0, NULL };
  guint tick = g_timeout_add (10, watch_tick, &watch);

  app = start_app (&watch, ada_link, FALSE);
  g_assert_true (bob_sees (bob, "Ada", 30000));

  second = start_app (&watch, bea_link, FALSE);
  g_assert_cmpint (wait_exit (second, 30000), ==, 0);
  g_assert_true (bob_sees (bob, "Bea", 30000));
  g_assert_null (g_subprocess_get_identifier (second));
  g_assert_nonnull (g_subprocess_get_identifier (app));

  watch_tick (&watch);
  quit_app ();
  g_assert_cmpint (wait_exit (app, 30000), ==, 0);
  g_source_remove (tick);

  /* Both were read, many times, while the links were handed over. */
  g_assert_cmpuint (watch.reads, >, 20);
  if (watch.found != NULL)
    g_error ("%s", watch.found);
  g_ptr_array_unref (watch.pids);
}

/* What is not an invite link is said on standard error, and the app does
 * not start: nothing, an empty line, a broken link, a line too long. */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *long_line = NULL;
  g_autofree char *bad_fp = g_strdup_printf ("redline://127.0.0.1:%u/join?token=%s&fp=12:34\n", f->server->port,
                                             f->ada);
  const struct
  {
    const char *line;
    const char *said;
  } cases[] = {
    { NULL, "Standard input holds no invite link" },
    { "   \n", "Standard input holds no invite link" },
    { "https://example.org/join?token=t\n", "An invite link must start with redline://" },
    { bad_fp, "fingerprint" },
    { NULL, "too long for an invite link (at most 4096 bytes)" },
  };
  Watch watch = { g_ptr_array_new (), { f->ada, NULL, NULL }, 0, NULL };

  long_line = g_strnfill (5000, 'x');
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *line = i == G_N_ELEMENTS (cases) - 1 ? long_line : cases[i].line;
      g_autoptr(GSubprocess) app = start_app (&watch, line, TRUE);
      g_autoptr(GDataInputStream) err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (app));
      g_autofree char *said = g_data_input_stream_read_line (err, NULL, NULL, NULL);

      g_assert_cmpint (wait_exit (app, 30000), ==, 1);
      g_assert_nonnull (said);
      if (!g_str_has_prefix (said, "redline: ") || strstr (said, cases[i].said) == NULL)
        g_error ("for case %u the app said “%s”, not “%s”", i, said, cases[i].said);
      g_assert_null (strstr (said, f->ada));
    }
  g_ptr_array_unref (watch.pids);
  g_assert_null (watch.found);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/join-stdin/join", Fixture, NULL, fixture_setup, test_join, fixture_teardown);
  g_test_add ("/join-stdin/refused", Fixture, NULL, fixture_setup, test_refused, fixture_teardown);

  return g_test_run ();
}
