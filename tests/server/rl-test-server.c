/* rl-test-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-test-server.h"

#include <fcntl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_MS 10000

/* ---- exit under LeakSanitizer ------------------------------------------------ */

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer's check at exit stops every thread to read its stack and
 * its thread-local storage; a thread exiting at that moment (GLib's idle
 * pool threads leave after 15 s) has freed them, and the tracer dies on
 * signal 11: the test "fails" with no leak. So before that check (atexit
 * runs last-registered first, and the sanitizer registered its own at
 * start-up), the pool threads are ended and waited for. */
__attribute__ ((constructor)) static void
threads_settle_at_exit (void)
{
  atexit (rl_test_end_pool_threads);
}
#endif

/* ---- waiting ---------------------------------------------------------------- */

gboolean
rl_test_wait_until (gboolean (*cond) (gpointer),
                    gpointer   data,
                    guint      ms)
{
  return RL_TEST_POLL_UNTIL (cond (data), ms);
}

char *
rl_test_token_user (const char *token)
{
  const char *dot = strchr (token, '.');

  g_assert_nonnull (dot);
  return g_strndup (token, dot - token);
}

char *
rl_test_uuid (void)
{
  return g_uuid_string_random ();
}

/* ---- the server process ------------------------------------------------------- */

static const char *
server_binary (void)
{
  const char *path = g_getenv ("REDLINE_SERVER");

  g_assert_nonnull (path);
  return path;
}

/* In the server's process, between fork and exec: it stops (SIGTERM, its
 * clean shutdown) when the test that started it dies, so a test that
 * aborts leaves no server behind; data, when not 0, limits its descriptors. */
static void
server_child_setup (gpointer data)
{
  if (data != NULL)
    {
      struct rlimit limit = { GPOINTER_TO_UINT (data), GPOINTER_TO_UINT (data) };

      setrlimit (RLIMIT_NOFILE, &limit);
    }
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

RlTestServer *
rl_test_server_new (void)
{
  RlTestServer *server = g_new0 (RlTestServer, 1);
  g_autoptr(GError) error = NULL;

  server->dir = g_dir_make_tmp ("redline-test-XXXXXX", &error);
  g_assert_no_error (error);
  server->db = g_build_filename (server->dir, "redline.db", NULL);
  server->stderr_path = g_build_filename (server->dir, "server-stderr.log", NULL);
  return server;
}

RlTestServer *
rl_test_server_new_on (const char *db)
{
  RlTestServer *server = rl_test_server_new ();

  g_free (server->db);
  server->db = g_strdup (db);
  return server;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
rl_test_server_free (RlTestServer *server)
{
  if (server == NULL)
    return;
  if (server->process)
    rl_test_server_kill (server);
  remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->db);
  g_free (server->url);
  g_free (server->ws_url);
  g_free (server->ws_base);
  g_free (server->tls_cert);
  g_free (server->tls_key);
  g_free (server->extra_arg);
  g_strfreev (server->extra_args);
  g_free (server->asan_options);
  g_free (server->stderr_path);
  g_free (server);
}

int
rl_test_server_cliv (RlTestServer       *server,
                     char              **out,
                     char              **err,
                     const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) server_binary ());
  if (server)
    {
      g_ptr_array_add (argv, (char *) "--db");
      g_ptr_array_add (argv, server->db);
    }
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static int
cli_valist (RlTestServer  *server,
            char         **out,
            char         **err,
            const char    *first_arg,
            va_list        args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);
  return rl_test_server_cliv (server, out, err, (const char * const *) argv->pdata);
}

int
rl_test_server_cli (RlTestServer  *server,
                    char         **out,
                    char         **err,
                    const char    *first_arg,
                    ...)
{
  va_list args;
  int status;

  va_start (args, first_arg);
  status = cli_valist (server, out, err, first_arg, args);
  va_end (args);
  return status;
}

char *
rl_test_server_admin (RlTestServer *server,
                      const char   *first_arg,
                      ...)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  va_list args;
  int status;
  guint n;

  va_start (args, first_arg);
  status = cli_valist (server, &out, &err, first_arg, args);
  va_end (args);
  if (status != 0)
    g_error ("admin command failed (%d): %s", status, err);
  g_strstrip (out);
  lines = g_strsplit (out, "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >, 0);
  return g_strdup (lines[n - 1]);
}

int
rl_test_server_admin_status (RlTestServer *server,
                             char        **err,
                             const char   *first_arg,
                             ...)
{
  g_autofree char *out = NULL;
  va_list args;
  int status;

  va_start (args, first_arg);
  status = cli_valist (server, &out, err, first_arg, args);
  va_end (args);
  return status;
}

/* ---- TLS ------------------------------------------------------------------ */

static void
run_openssl (const char * const *argv,
             char              **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl %s failed: %s", argv[1], err);
}

char *
rl_test_make_certificate (const char *dir,
                          const char *name,
                          const char *issuer)
{
  g_autofree char *file = g_strconcat (name, ".pem", NULL);
  g_autofree char *key_file = g_strconcat (name, "-key.pem", NULL);
  char *cert = g_build_filename (dir, file, NULL);
  g_autofree char *key = g_build_filename (dir, key_file, NULL);
  g_autofree char *subject = g_strdup_printf ("/CN=127.0.0.1/O=Redline test %s", name);

  if (issuer == NULL)
    {
      const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                             "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", subject,
                             "-addext", "subjectAltName=IP:127.0.0.1", NULL };

      run_openssl (argv, NULL);
    }
  else
    {
      g_autofree char *csr_file = g_strconcat (name, ".csr", NULL);
      g_autofree char *csr = g_build_filename (dir, csr_file, NULL);
      g_autofree char *ca_file = g_strconcat (issuer, ".pem", NULL);
      g_autofree char *ca_key_file = g_strconcat (issuer, "-key.pem", NULL);
      g_autofree char *ca = g_build_filename (dir, ca_file, NULL);
      g_autofree char *ca_key = g_build_filename (dir, ca_key_file, NULL);
      const char *request[] = { "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                "-nodes", "-keyout", key, "-out", csr, "-subj", subject,
                                "-addext", "subjectAltName=IP:127.0.0.1", NULL };
      const char *sign[] = { "openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                             "-out", cert, "-days", "1", "-copy_extensions", "copyall", NULL };

      run_openssl (request, NULL);
      run_openssl (sign, NULL);
    }
  return cert;
}

char *
rl_test_certificate_fingerprint (const char *cert)
{
  const char *argv[] = { "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert, NULL };
  g_autofree char *out = NULL;
  const char *equals;

  run_openssl (argv, &out);
  /* "sha256 Fingerprint=AB:CD:…" */
  equals = strchr (out, '=');
  g_assert_nonnull (equals);
  return g_strstrip (g_strdup (equals + 1));
}

void
rl_test_server_use_tls (RlTestServer *server,
                        const char   *cert)
{
  g_autofree char *base = g_strndup (cert, strlen (cert) - strlen (".pem"));

  g_assert_true (g_str_has_suffix (cert, ".pem"));
  g_free (server->tls_cert);
  g_free (server->tls_key);
  server->tls_cert = g_strdup (cert);
  server->tls_key = g_strconcat (base, "-key.pem", NULL);
  /* LeakSanitizer's tracer crashes (SIGSEGV in its own thread) scanning the
   * threads glib-networking's GnuTLS backend leaves at the server's exit: a
   * tool fault, not a leak (see test-server-api's TLS test). */
  server->no_leak_check = TRUE;
}

/* GLib's pool threads still there, the spawner aside ("pool-spawner"
 * makes them; the others are named "pool-…" or "pool"). */
static guint
count_pool_threads (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  while (tasks != NULL && (tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_has_prefix (comm, "pool") &&
          !g_str_has_prefix (comm, "pool-spawner"))
        n++;
    }
  return n;
}

void
rl_test_end_pool_threads (void)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* A pool thread waits half a second for more work, then joins the idle
   * ones, which end at once when none may stay. */
  g_thread_pool_set_max_unused_threads (0);
  while (count_pool_threads () > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_thread_pool_stop_unused_threads ();
      /* No event says a thread ended: look every 20 ms. */
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
}

typedef struct
{
  char     *line;
  gboolean  done;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  LineRead *read = data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  read->done = TRUE;
}

void
rl_test_server_start (RlTestServer *server)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  LineRead read = { 0 };
  const char *url;

  g_assert_null (server->process);
  g_ptr_array_add (argv, g_strdup (server_binary ()));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (server->db));
  g_ptr_array_add (argv, g_strdup ("serve"));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", server->port));
  if (server->tls_cert)
    {
      g_ptr_array_add (argv, g_strdup ("--tls-cert"));
      g_ptr_array_add (argv, g_strdup (server->tls_cert));
      g_ptr_array_add (argv, g_strdup ("--tls-key"));
      g_ptr_array_add (argv, g_strdup (server->tls_key));
    }
  if (server->extra_arg)
    g_ptr_array_add (argv, g_strdup (server->extra_arg));
  for (guint i = 0; server->extra_args && server->extra_args[i]; i++)
    g_ptr_array_add (argv, g_strdup (server->extra_args[i]));
  g_ptr_array_add (argv, NULL);

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

    g_subprocess_launcher_set_stderr_file_path (launcher, server->stderr_path);
    g_subprocess_launcher_set_child_setup (launcher, server_child_setup,
                                           GUINT_TO_POINTER (server->max_descriptors), NULL);
    if (server->no_leak_check || server->asan_options)
      {
        g_autofree char *asan = g_strconcat (g_getenv ("ASAN_OPTIONS") ? g_getenv ("ASAN_OPTIONS") : "",
                                             server->no_leak_check ? ":detect_leaks=0" : "",
                                             server->asan_options ? ":" : "",
                                             server->asan_options ? server->asan_options : "", NULL);

        g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
      }
    server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
    g_assert_no_error (error);
  }

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, line_read_cb, &read);
  (void) RL_TEST_POLL_UNTIL (read.done, 20000);
  g_assert_nonnull (read.line);
  g_assert_true (g_str_has_prefix (read.line, "listening on "));

  url = read.line + strlen ("listening on ");
  g_clear_pointer (&server->url, g_free);
  g_clear_pointer (&server->ws_url, g_free);
  g_clear_pointer (&server->ws_base, g_free);
  server->url = g_strdup (url);
  server->ws_url = g_strdup_printf ("%s%s/api/v1/ws", g_str_has_prefix (url, "https") ? "wss" : "ws",
                                    strchr (url, ':'));
  server->ws_base = g_strdup_printf ("%s%s", g_str_has_prefix (url, "https") ? "wss" : "ws", strchr (url, ':'));
  server->port = (guint) g_ascii_strtoull (strrchr (url, ':') + 1, NULL, 10);
  g_free (read.line);
}

typedef struct
{
  gboolean done;
} WaitExit;

static void
exit_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  ((WaitExit *) data)->done = TRUE;
}

static void
wait_exit (RlTestServer *server)
{
  WaitExit wait = { 0 };

  g_subprocess_wait_async (server->process, NULL, exit_cb, &wait);
  RL_TEST_WAIT_UNTIL (wait.done, 30000);
}

void
rl_test_server_stop_wait (RlTestServer *server)
{
  g_assert_nonnull (server->process);
  wait_exit (server);
  if (!g_subprocess_get_if_exited (server->process) || g_subprocess_get_exit_status (server->process) != 0)
    {
      g_autofree char *log = NULL;

      g_file_get_contents (server->stderr_path, &log, NULL, NULL);
      g_printerr ("redline-server's stderr:\n%s\n", log ? log : "");
    }
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_clear_object (&server->process);
}

void
rl_test_server_stop (RlTestServer *server)
{
  g_assert_nonnull (server->process);
  g_subprocess_send_signal (server->process, SIGTERM);
  rl_test_server_stop_wait (server);
}

int
rl_test_server_pid (RlTestServer *server)
{
  g_assert_nonnull (server->process);
  return (int) g_ascii_strtoll (g_subprocess_get_identifier (server->process), NULL, 10);
}

guint64
rl_test_server_peak_rss (RlTestServer *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", rl_test_server_pid (server));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10) * 1024;
}

guint
rl_test_server_open_fds (RlTestServer *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", rl_test_server_pid (server));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir))
    n++;
  return n;
}

void
rl_test_server_kill (RlTestServer *server)
{
  g_assert_nonnull (server->process);
  g_subprocess_force_exit (server->process);
  wait_exit (server);
  g_clear_object (&server->process);
}

/* ---- the tenant and its people ---------------------------------------------------- */

const char *
rl_test_team_add_person (RlTestTeam *team,
                         const char *person)
{
  const char *slash = strchr (person, '/');
  g_autofree char *tenant = slash ? g_strndup (person, slash - person) : g_strdup ("acme");
  g_auto(GStrv) name_role = g_strsplit (slash ? slash + 1 : person, ":", 2);
  char *token;

  g_assert_cmpuint (g_strv_length (name_role), ==, 2);
  if (g_strcmp0 (tenant, "acme") != 0 && !g_hash_table_contains (team->tenants, tenant))
    {
      g_free (rl_test_server_admin (team->server, "tenant", "add", tenant, NULL));
      g_hash_table_add (team->tenants, g_strdup (tenant));
    }
  token = rl_test_add_user (team->server, tenant, name_role[0], name_role[1]);
  g_ptr_array_add (team->kept, token);
  return token;
}

void
rl_test_team_init_on (RlTestTeam   *team,
                      RlTestServer *server)
{
  *team = (RlTestTeam) {
    .server = server,
    .tenants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    .kept = g_ptr_array_new_with_free_func (g_free),
  };
  g_free (rl_test_server_admin (team->server, "tenant", "add", "acme", NULL));
}

void
rl_test_team_init (RlTestTeam *team,
                   const char *first_person,
                   ...)
{
  va_list args;

  rl_test_team_init_on (team, rl_test_server_new ());
  va_start (args, first_person);
  for (const char *person = first_person; person; person = va_arg (args, const char *))
    *va_arg (args, const char **) = rl_test_team_add_person (team, person);
  va_end (args);
}

const char *
rl_test_team_add_doc (RlTestTeam *team,
                      const char *tenant,
                      const char *title,
                      const char *data_file)
{
  g_autofree char *path = g_path_is_absolute (data_file)
                            ? g_strdup (data_file)
                            : g_test_build_filename (G_TEST_DIST, "data", data_file, NULL);
  char *id = rl_test_server_admin (team->server, "doc", "add", "--tenant", tenant, "--title", title, path, NULL);

  g_ptr_array_add (team->kept, id);
  return id;
}

const char *
rl_test_team_add_doc_bytes (RlTestTeam *team,
                            const char *tenant,
                            const char *title,
                            const char *suffix,
                            const char *bytes,
                            gssize      length)
{
  char *id = rl_test_add_doc_bytes (team->server, tenant, title, suffix, bytes, length);

  g_ptr_array_add (team->kept, id);
  return id;
}

void
rl_test_team_clear (RlTestTeam *team)
{
  if (team->server != NULL && team->server->process != NULL)
    rl_test_server_stop (team->server);
  g_clear_pointer (&team->server, rl_test_server_free);
  g_clear_pointer (&team->tenants, g_hash_table_unref);
  g_clear_pointer (&team->kept, g_ptr_array_unref);
}

const char *
rl_test_team_start_with_image (RlTestTeam *team,
                               const char *extra_arg)
{
  const char *image = rl_test_team_add_doc (team, "acme", "Mockup", "mockup.png");

  if (extra_arg != NULL)
    {
      g_free (team->server->extra_arg);
      team->server->extra_arg = g_strdup (extra_arg);
    }
  rl_test_server_start (team->server);
  return image;
}

void
rl_test_image_fixture_setup (RlTestImageFixture *f,
                             gconstpointer       extra_arg)
{
  rl_test_team_init (&f->team, "Alice:member", &f->alice, NULL);
  f->server = f->team.server;
  f->image = rl_test_team_start_with_image (&f->team, extra_arg);
}

void
rl_test_image_fixture_teardown (RlTestImageFixture *f,
                                gconstpointer       data)
{
  rl_test_team_clear (&f->team);
}

/* ---- two nodes on one database ------------------------------------------------- */

void
rl_test_cluster_init (RlTestCluster *cluster)
{
  *cluster = (RlTestCluster) { rl_test_pg_new () };
  for (guint n = 0; n < G_N_ELEMENTS (cluster->nodes); n++)
    {
      cluster->nodes[n] = rl_test_server_new_on (cluster->pg->conninfo);
      cluster->nodes[n]->extra_arg = g_strdup_printf ("--node=%c", 'a' + n);
    }
  rl_test_team_init_on (&cluster->team, cluster->nodes[0]);
}

void
rl_test_cluster_start (RlTestCluster *cluster)
{
  for (guint n = 0; n < G_N_ELEMENTS (cluster->nodes); n++)
    rl_test_server_start (cluster->nodes[n]);
}

void
rl_test_cluster_clear (RlTestCluster *cluster)
{
  rl_test_team_clear (&cluster->team);   /* node a's too */
  cluster->nodes[0] = NULL;
  for (guint n = 1; n < G_N_ELEMENTS (cluster->nodes); n++)
    {
      if (cluster->nodes[n] != NULL && cluster->nodes[n]->process != NULL)
        rl_test_server_stop (cluster->nodes[n]);
      g_clear_pointer (&cluster->nodes[n], rl_test_server_free);
    }
  g_clear_pointer (&cluster->pg, rl_test_pg_free);
}

char *
rl_test_add_user (RlTestServer *server,
                  const char   *tenant,
                  const char   *name,
                  const char   *role)
{
  return rl_test_server_admin (server, "user", "add", "--tenant", tenant, "--name", name,
                               "--role", role, NULL);
}

char *
rl_test_add_doc (RlTestServer *server,
                 const char   *tenant,
                 const char   *title,
                 const char   *data_file)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", data_file, NULL);

  return rl_test_server_admin (server, "doc", "add", "--tenant", tenant, "--title", title, path, NULL);
}

char *
rl_test_add_doc_bytes (RlTestServer *server,
                       const char   *tenant,
                       const char   *title,
                       const char   *suffix,
                       const char   *bytes,
                       gssize        length)
{
  g_autofree char *name = g_strdup_printf ("upload-%u%s", g_random_int (), suffix);
  g_autofree char *path = g_build_filename (server->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, bytes, length, &error);
  g_assert_no_error (error);
  return rl_test_server_admin (server, "doc", "add", "--tenant", tenant, "--title", title, path, NULL);
}

/* ---- HTTP ---------------------------------------------------------------------- */

static gboolean
accept_any_certificate (SoupMessage          *msg,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              data)
{
  return TRUE;
}

void
rl_test_response_free (RlTestResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_free (response);
}

RlTestResponse *
rl_test_http (RlTestServer *server,
              const char   *method,
              const char   *path,
              const char   *token,
              const char   *content_type,
              GBytes       *body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strconcat (server->url, path, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  RlTestResponse *response = g_new0 (RlTestResponse, 1);

  msg = soup_message_new (method, uri);
  g_assert_nonnull (msg);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  if (token)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  if (body)
    soup_message_set_request_body_from_bytes (msg, content_type, body);

  response->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  response->status = soup_message_get_status (msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  if (g_bytes_get_size (response->body) > 0 &&
      json_parser_load_from_data (parser, g_bytes_get_data (response->body, NULL),
                                  (gssize) g_bytes_get_size (response->body), NULL))
    response->json = json_node_ref (json_parser_get_root (parser));
  return response;
}

const char *
rl_test_response_error_code (RlTestResponse *response)
{
  JsonObject *object, *error;

  if (response->json == NULL || !JSON_NODE_HOLDS_OBJECT (response->json))
    return NULL;
  object = json_node_get_object (response->json);
  if (!json_object_has_member (object, "error"))
    return NULL;
  error = json_object_get_object_member (object, "error");
  g_assert_true (json_object_has_member (error, "message"));
  return json_object_get_string_member (error, "code");
}

/* ---- WebSocket ------------------------------------------------------------------ */

static void
on_ws_message (SoupWebsocketConnection *connection,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               RlTestClient            *client)
{
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  g_queue_push_tail (client->frames, g_strndup (data, length));
}

static void
on_ws_closed (SoupWebsocketConnection *connection,
              RlTestClient            *client)
{
  client->closed = TRUE;
  client->close_code = soup_websocket_connection_get_close_code (connection);
}

typedef struct
{
  RlTestClient *client;
  SoupMessage  *msg;
  gboolean      done;
} Connecting;

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Connecting *connecting = data;

  connecting->client->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, NULL);
  connecting->done = TRUE;
}

static RlTestClient *
client_try (RlTestServer *server,
            const char   *token,
            const char  **protocols,
            guint        *status)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", server->ws_url);
  RlTestClient *client = g_new0 (RlTestClient, 1);
  Connecting connecting = { client, msg, FALSE };

  client->frames = g_queue_new ();
  client->unpacked = g_queue_new ();
  client->session = soup_session_new ();
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  if (token)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }

  soup_session_websocket_connect_async (client->session, msg, NULL, (char **) protocols,
                                        G_PRIORITY_DEFAULT, NULL, connected_cb, &connecting);
  RL_TEST_WAIT_UNTIL (connecting.done, DEFAULT_TIMEOUT_MS);
  client->http_status = soup_message_get_status (msg);
  if (status)
    *status = client->http_status;

  if (client->connection == NULL)
    {
      rl_test_client_free (client);
      return NULL;
    }
  soup_websocket_connection_set_max_incoming_payload_size (client->connection, 0);
  g_signal_connect (client->connection, "message", G_CALLBACK (on_ws_message), client);
  g_signal_connect (client->connection, "closed", G_CALLBACK (on_ws_closed), client);
  return client;
}

RlTestClient *
rl_test_client_try (RlTestServer *server,
                    const char   *token,
                    guint        *status)
{
  const char *protocols[] = { "redline.v1", NULL };

  return client_try (server, token, protocols, status);
}

/* Connected with protocols, the server having chosen chosen; the welcome
 * read, with its minor (absent: 0). */
static RlTestClient *
client_new (RlTestServer *server,
            const char   *token,
            const char  **protocols,
            const char   *chosen,
            gint64        minor)
{
  RlTestClient *client = client_try (server, token, protocols, NULL);
  JsonObject *welcome;

  g_assert_nonnull (client);
  g_assert_cmpstr (soup_websocket_connection_get_protocol (client->connection), ==, chosen);
  welcome = rl_test_client_next (client);
  g_assert_cmpstr (json_object_get_string_member (welcome, "type"), ==, "welcome");
  g_assert_cmpint (json_object_get_int_member_with_default (welcome, "minor", 0), ==, minor);
  client->welcome = json_node_init_object (json_node_alloc (), welcome);
  json_object_unref (welcome);
  return client;
}

RlTestClient *
rl_test_client_new (RlTestServer *server,
                    const char   *token)
{
  const char *protocols[] = { "redline.v1", NULL };

  return client_new (server, token, protocols, "redline.v1", 0);
}

RlTestClient *
rl_test_client_new_v11 (RlTestServer *server,
                        const char   *token)
{
  const char *protocols[] = { "redline.v1.1", "redline.v1", NULL };

  return client_new (server, token, protocols, "redline.v1.1", 1);
}

RlTestClient *
rl_test_client_new_v12 (RlTestServer *server,
                        const char   *token)
{
  const char *protocols[] = { "redline.v1.2", "redline.v1.1", "redline.v1", NULL };

  return client_new (server, token, protocols, "redline.v1.2", 2);
}

void
rl_test_client_free (RlTestClient *client)
{
  if (client == NULL)
    return;
  if (client->connection)
    {
      g_signal_handlers_disconnect_by_data (client->connection, client);
      if (soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&client->connection);
    }
  g_clear_object (&client->session);
  g_queue_free_full (client->frames, g_free);
  g_queue_free_full (client->unpacked, (GDestroyNotify) json_object_unref);
  g_clear_pointer (&client->welcome, json_node_unref);
  g_free (client);
}

void
rl_test_client_send (RlTestClient *client,
                     const char   *text)
{
  soup_websocket_connection_send_text (client->connection, text);
}

void
rl_test_client_send_printf (RlTestClient *client,
                            const char   *format,
                            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  rl_test_client_send (client, text);
}

char *
rl_test_client_next_raw (RlTestClient *client,
                         guint         timeout_ms)
{
  (void) RL_TEST_POLL_UNTIL (client->frames->length > 0 || client->closed, timeout_ms);
  return g_queue_pop_head (client->frames);
}

static JsonObject *
next_with_timeout (RlTestClient *client,
                   guint         timeout_ms)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *raw = NULL;
  JsonObject *object;

  if (client->unpacked->length > 0)
    return g_queue_pop_head (client->unpacked);

  raw = rl_test_client_next_raw (client, timeout_ms);
  if (raw == NULL)
    return NULL;
  json_parser_load_from_data (parser, raw, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));

  if (g_strcmp0 (json_object_get_string_member (object, "type"), "batch") == 0)
    {
      JsonArray *events = json_object_get_array_member (object, "events");

      g_assert_cmpuint (json_array_get_length (events), >=, 2);
      for (guint i = 0; i < json_array_get_length (events); i++)
        g_queue_push_tail (client->unpacked, json_object_ref (json_array_get_object_element (events, i)));
      return g_queue_pop_head (client->unpacked);
    }
  return json_object_ref (object);
}

JsonObject *
rl_test_client_next (RlTestClient *client)
{
  JsonObject *object = next_with_timeout (client, DEFAULT_TIMEOUT_MS);

  if (object == NULL)
    g_error ("no frame arrived (closed: %d, code %u)", client->closed, client->close_code);
  return object;
}

JsonObject *
rl_test_client_expect (RlTestClient *client,
                       const char   *type)
{
  for (;;)
    {
      JsonObject *object = rl_test_client_next (client);
      const char *got = json_object_get_string_member (object, "type");

      if (g_str_equal (got, type))
        return object;
      if (!g_str_equal (got, "presence") && !g_str_equal (got, "unread-hint"))
        {
          g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
          g_autofree char *text = json_to_string (node, FALSE);

          g_error ("expected a %s frame, got %s", type, text);
        }
      json_object_unref (object);
    }
}

JsonObject *
rl_test_client_expect_ack (RlTestClient *client,
                           const char   *req)
{
  for (;;)
    {
      JsonObject *object = rl_test_client_next (client);
      const char *type = json_object_get_string_member (object, "type");

      if (g_str_equal (type, "ack"))
        {
          g_assert_cmpstr (json_object_get_string_member_with_default (object, "req", NULL), ==, req);
          return object;
        }
      json_object_unref (object);
    }
}

void
rl_test_client_assert_quiet (RlTestClient *client,
                             guint         ms)
{
  for (;;)
    {
      g_autoptr(JsonObject) object = next_with_timeout (client, ms);

      if (object == NULL)
        return;
      if (!g_str_equal (json_object_get_string_member (object, "type"), "presence"))
        {
          g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
          g_autofree char *text = json_to_string (node, FALSE);

          g_error ("expected silence, got %s", text);
        }
    }
}

gushort
rl_test_client_wait_closed (RlTestClient *client,
                            guint         timeout_ms)
{
  RL_TEST_WAIT_UNTIL (client->closed, timeout_ms);
  return client->close_code;
}

JsonObject *
rl_test_client_subscribe (RlTestClient *client,
                          const char   *doc)
{
  g_autofree char *req = rl_test_uuid ();
  g_autoptr(JsonObject) ack = NULL;
  JsonObject *snapshot;

  rl_test_client_send_printf (client, "{\"type\":\"subscribe\",\"req\":\"%s\",\"doc\":\"%s\"}", req, doc);
  snapshot = rl_test_client_expect (client, "snapshot");
  g_assert_cmpstr (json_object_get_string_member (snapshot, "doc"), ==, doc);
  ack = rl_test_client_expect_ack (client, req);
  g_assert_null (rl_test_ack_error (ack));
  g_assert_cmpint (json_object_get_int_member (ack, "seq"), ==, json_object_get_int_member (snapshot, "seq"));
  return snapshot;
}

const char *
rl_test_ack_error (JsonObject *ack)
{
  g_assert_cmpstr (json_object_get_string_member (ack, "type"), ==, "ack");
  if (json_object_get_boolean_member (ack, "ok"))
    return NULL;
  return json_object_get_string_member (json_object_get_object_member (ack, "error"), "code");
}

/* ---- a raw client -------------------------------------------------------- */

RlTestRaw *
rl_test_raw_connect (RlTestServer *server,
                     int           receive_buffer)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", server->port);
  g_autoptr(GError) error = NULL;
  RlTestRaw *raw = g_new0 (RlTestRaw, 1);

  raw->in = g_byte_array_new ();
  raw->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  if (receive_buffer > 0)
    g_assert_cmpint (setsockopt (g_socket_get_fd (raw->socket), SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                                 sizeof receive_buffer), ==, 0);
  g_socket_connect (raw->socket, address, NULL, &error);
  g_assert_no_error (error);
  return raw;
}

void
rl_test_raw_free (RlTestRaw *raw)
{
  if (raw == NULL)
    return;
  g_socket_close (raw->socket, NULL);
  g_object_unref (raw->socket);
  g_byte_array_unref (raw->in);
  g_free (raw);
}

gboolean
rl_test_raw_send (RlTestRaw  *raw,
                  const char *data,
                  gssize      length)
{
  gsize left = length < 0 ? strlen (data) : (gsize) length;

  while (left > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      if (!g_socket_condition_timed_wait (raw->socket, G_IO_OUT, DEFAULT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND,
                                          NULL, &error))
        g_error ("the server stopped reading: %s", error->message);
      n = g_socket_send_with_blocking (raw->socket, data, left, FALSE, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      if (n < 0)
        return FALSE;
      raw->sent += (guint64) n;
      data += n;
      left -= (gsize) n;
    }
  return TRUE;
}

gboolean
rl_test_raw_read_some (RlTestRaw *raw,
                       gint64     until)
{
  char buffer[65536];

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gint64 left = until - g_get_monotonic_time ();
      gssize n;

      if (left <= 0 || !g_socket_condition_timed_wait (raw->socket, G_IO_IN, left, NULL, NULL))
        return FALSE;
      n = g_socket_receive_with_blocking (raw->socket, buffer, sizeof buffer, FALSE, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      if (n <= 0)
        {
          raw->closed = TRUE;
          raw->reset = n < 0;
        }
      else
        {
          g_byte_array_append (raw->in, (const guint8 *) buffer, (guint) n);
          raw->received += (guint64) n;
        }
      return TRUE;
    }
}

RlTestRawAnswer *
rl_test_raw_answer (RlTestRaw *raw,
                    guint      ms)
{
  gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      const char *data = (const char *) raw->in->data;
      const char *end = raw->in->len ? g_strstr_len (data, raw->in->len, "\r\n\r\n") : NULL;

      if (end)
        {
          gsize head_length = (gsize) (end - data) + 4;
          g_autofree char *head = g_strndup (data, head_length);
          g_autofree char *lower = g_ascii_strdown (head, -1);
          const char *field = strstr (lower, "\r\ncontent-length:");
          gsize body_length = field ? g_ascii_strtoull (field + strlen ("\r\ncontent-length:"), NULL, 10) : 0;

          if (raw->in->len >= head_length + body_length)
            {
              RlTestRawAnswer *answer = g_new0 (RlTestRawAnswer, 1);
              g_autoptr(JsonParser) parser = json_parser_new ();

              /* libsoup answers what it could not parse as HTTP/1.0 */
              if (!g_str_has_prefix (head, "HTTP/1.1 ") && !g_str_has_prefix (head, "HTTP/1.0 "))
                g_error ("not an answer: %s", head);
              answer->status = (guint) g_ascii_strtoull (head + strlen ("HTTP/1.1 "), NULL, 10);
              if (body_length > 0 &&
                  json_parser_load_from_data (parser, data + head_length, (gssize) body_length, NULL))
                answer->json = json_node_ref (json_parser_get_root (parser));
              answer->head = g_steal_pointer (&head);
              g_byte_array_remove_range (raw->in, 0, (guint) (head_length + body_length));
              return answer;
            }
        }
      if (raw->closed || !rl_test_raw_read_some (raw, until))
        return NULL;
    }
}

void
rl_test_raw_answer_free (RlTestRawAnswer *answer)
{
  if (answer == NULL)
    return;
  g_free (answer->head);
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer);
}

gboolean
rl_test_raw_closed_within (RlTestRaw *raw,
                           guint      ms)
{
  gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (!raw->closed)
    if (!rl_test_raw_read_some (raw, until))
      return FALSE;
  return raw->in->len == 0;
}

/* ---- a raw WebSocket client ------------------------------------------- */

void
rl_test_raw_frame_clear (RlTestRawFrame *frame)
{
  g_clear_pointer (&frame->raw, g_bytes_unref);
  g_clear_pointer (&frame->payload, g_bytes_unref);
}

RlTestRaw *
rl_test_raw_ws_connect (RlTestServer  *server,
                        const char    *token,
                        int            receive_buffer,
                        const char    *extensions,
                        char         **head)
{
  RlTestRaw *raw = rl_test_raw_connect (server, receive_buffer);
  g_autofree char *offer = extensions ? g_strdup_printf ("Sec-WebSocket-Extensions: %s\r\n", extensions)
                                      : g_strdup ("");
  g_autofree char *request = NULL;
  g_autoptr(RlTestRawAnswer) answer = NULL;

  request = g_strdup_printf ("GET /api/v1/ws HTTP/1.1\r\n"
                             "Host: 127.0.0.1:%u\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "Sec-WebSocket-Protocol: redline.v1\r\n"
                             "%s"
                             "Authorization: Bearer %s\r\n\r\n", server->port, offer, token);
  g_assert_true (rl_test_raw_send (raw, request, -1));
  answer = rl_test_raw_answer (raw, 20000);
  g_assert_nonnull (answer);
  g_assert_true (g_str_has_prefix (answer->head, "HTTP/1.1 101"));
  if (head)
    *head = g_strdup (answer->head);
  raw->received = raw->in->len;
  return raw;
}

void
rl_test_raw_ws_send (RlTestRaw    *raw,
                     guint8        opcode,
                     gboolean      compressed,
                     const guint8 *payload,
                     gsize         length)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  const guint8 mask[4] = { 0x5a, 0x11, 0xc3, 0x7e };
  guint8 header[10] = { (guint8) (0x80 | (compressed ? 0x40 : 0) | opcode), 0x80 };
  gsize size = 2;

  if (length < 126)
    header[1] |= (guint8) length;
  else if (length <= G_MAXUINT16)
    {
      header[1] |= 126;
      header[2] = (guint8) (length >> 8);
      header[3] = (guint8) length;
      size = 4;
    }
  else
    {
      header[1] |= 127;
      for (int i = 0; i < 8; i++)
        header[2 + i] = (guint8) ((guint64) length >> (56 - 8 * i));
      size = 10;
    }
  g_byte_array_append (frame, header, (guint) size);
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < length; i++)
    {
      guint8 c = payload[i] ^ mask[i % 4];

      g_byte_array_append (frame, &c, 1);
    }
  g_assert_true (rl_test_raw_send (raw, (const char *) frame->data, frame->len));
}

void
rl_test_raw_ws_send_text (RlTestRaw  *raw,
                          const char *text)
{
  rl_test_raw_ws_send (raw, 0x1, FALSE, (const guint8 *) text, strlen (text));
}

gboolean
rl_test_raw_ws_next (RlTestRaw      *raw,
                     RlTestRawFrame *frame)
{
  for (;;)
    {
      if (raw->in->len >= 2)
        {
          const guint8 *p = raw->in->data;
          guint64 length = p[1] & 0x7f;
          gsize header = 2;

          g_assert_cmphex (p[1] & 0x80, ==, 0);   /* a server never masks */
          if (length == 126 && raw->in->len >= 4)
            {
              length = (guint64) p[2] << 8 | p[3];
              header = 4;
            }
          else if (length == 127 && raw->in->len >= 10)
            {
              length = 0;
              for (int i = 0; i < 8; i++)
                length = length << 8 | p[2 + i];
              header = 10;
            }
          if ((length < 126 || header > 2) && raw->in->len >= header + length)
            {
              frame->first = p[0];
              frame->raw = g_bytes_new (p, header + length);
              frame->payload = g_bytes_new (p + header, length);
              g_byte_array_remove_range (raw->in, 0, (guint) (header + length));
              return TRUE;
            }
        }
      if (raw->closed)
        return FALSE;
      g_assert_true (rl_test_raw_read_some (raw, g_get_monotonic_time () + 20 * G_USEC_PER_SEC));
    }
}

/* ---- files for uploads --------------------------------------------------- */

void
rl_test_write_noisy_png (const char *path,
                         int         width,
                         int         height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) error = NULL;
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width * 3; x++)
      pixels[y * stride + x] = (guint8) g_rand_int (rand);
  /* Noise does not compress: the file stays as large as the pixels. */
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, "compression", "1", NULL));
  g_assert_no_error (error);
}

void
rl_test_write_sparse (const char *path,
                      goffset     size)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
  g_assert_cmpint (close (fd), ==, 0);
}
