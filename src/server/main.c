/* main.c — redline-server: administration commands and `serve`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "rl-error.h"
#include "rl-epoll.h"
#include "rl-invite-link.h"
#include "rl-server.h"
#include "rl-store.h"
#include "rl-upload.h"

static const char usage_text[] =
  "Usage:\n"
  "  redline-server --db FILE tenant add ID\n"
  "  redline-server --db FILE user add --tenant ID --name NAME [--role viewer|member|admin]\n"
  "                 [--invite-for HOST:PORT|wss://HOST[:PORT]|ws://HOST[:PORT] [--tls-cert FILE]]\n"
  "  redline-server --db FILE doc add --tenant ID --title TITLE [--mime TYPE] PATH\n"
  "  redline-server --db FILE serve --listen HOST:PORT [--tls-cert FILE --tls-key FILE]\n"
  "                 [--event-log-limit N] [--ping-interval SECONDS] [--send-queue-limit BYTES]\n";

static int
usage_error (const char *message)
{
  if (message)
    g_printerr ("redline-server: %s\n", message);
  g_printerr ("%s", usage_text);
  return 2;
}

static int
fail (const GError *error)
{
  g_printerr ("redline-server: %s\n", error->message);
  return 1;
}

/* Parses "--name value" options out of argv[first..]; the rest stay positional. */
static gboolean
parse_options (int          argc,
               char       **argv,
               int          first,
               const char **names,
               const char **values,
               GPtrArray   *positional,
               GError     **error)
{
  for (int i = first; i < argc; i++)
    {
      gboolean matched = FALSE;

      for (guint n = 0; names[n] != NULL; n++)
        {
          gsize len = strlen (names[n]);

          if (strncmp (argv[i], names[n], len) == 0 && argv[i][len] == '=')
            {
              values[n] = argv[i] + len + 1;
              matched = TRUE;
            }
          else if (g_str_equal (argv[i], names[n]))
            {
              if (i + 1 >= argc)
                {
                  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s needs a value", names[n]);
                  return FALSE;
                }
              values[n] = argv[++i];
              matched = TRUE;
            }
          if (matched)
            break;
        }

      if (!matched)
        {
          if (g_str_has_prefix (argv[i], "--"))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, "unknown option %s", argv[i]);
              return FALSE;
            }
          g_ptr_array_add (positional, argv[i]);
        }
    }
  return TRUE;
}

static const char *
guess_mime (const char *path)
{
  static const struct { const char *suffix, *mime; } table[] = {
    { ".png", "image/png" }, { ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" },
    { ".webp", "image/webp" }, { ".md", "text/markdown" }, { ".markdown", "text/markdown" },
    { ".txt", "text/plain" },
  };
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_has_suffix (lower, table[i].suffix))
      return table[i].mime;
  return NULL;
}

static int
cmd_tenant_add (RlStore *store,
                int      argc,
                char   **argv)
{
  g_autoptr(GError) error = NULL;

  if (argc != 1)
    return usage_error ("tenant add takes one ID");
  if (!rl_store_add_tenant (store, argv[0], &error))
    return fail (error);
  g_print ("%s\n", argv[0]);
  return 0;
}

static int
cmd_user_add (RlStore *store,
              int      argc,
              char   **argv)
{
  const char *names[] = { "--tenant", "--name", "--role", "--invite-for", "--tls-cert", NULL };
  const char *values[5] = { NULL, NULL, "member", NULL, NULL };
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *link = NULL;
  g_autofree char *pinned = NULL;
  RlRole role;

  if (!parse_options (argc, argv, 0, names, values, rest, &error))
    return usage_error (error->message);
  if (values[0] == NULL || values[1] == NULL || rest->len > 0)
    return usage_error ("user add needs --tenant and --name");
  if (!rl_role_from_string (values[2], &role))
    return usage_error ("--role is viewer, member or admin");
  if (values[4] != NULL && values[3] == NULL)
    return usage_error ("--tls-cert goes with --invite-for");
  /* The address and the certificate are checked before anyone is added. */
  if (values[3] != NULL && (link = rl_invite_link_for (values[3], values[4], "t", &pinned, &error)) == NULL)
    return error->domain == G_OPTION_ERROR ? usage_error (error->message) : fail (error);
  g_clear_pointer (&link, g_free);
  g_clear_pointer (&pinned, g_free);

  token = rl_store_add_user (store, values[0], values[1], role, &error);
  if (token == NULL)
    return fail (error);
  if (values[3] == NULL)
    {
      /* The token is shown once, alone on the last line; only its hash is kept. */
      g_print ("%s\n", token);
      return 0;
    }
  /* Or the new member's invite link, alone on the last line: it holds the
   * token (and the self-signed certificate's fingerprint). */
  link = rl_invite_link_for (values[3], values[4], token, &pinned, &error);
  if (link == NULL)
    return fail (error);
  if (pinned != NULL)
    g_printerr ("redline-server: the link pins the self-signed certificate SHA-256 %s; a new certificate needs "
                "new invite links\n", pinned);
  g_print ("%s\n", link);
  return 0;
}

static int
cmd_doc_add (RlStore *store,
             int      argc,
             char   **argv)
{
  const char *names[] = { "--tenant", "--title", "--mime", NULL };
  const char *values[3] = { NULL, NULL, NULL };
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(RlDocument) doc = NULL;
  g_autofree char *mime = NULL;
  const char *path;
  RlPerson admin = { (char *) "admin", (char *) "Administrator" };
  int width, height;

  if (!parse_options (argc, argv, 0, names, values, rest, &error))
    return usage_error (error->message);
  if (values[0] == NULL || values[1] == NULL || rest->len != 1)
    return usage_error ("doc add needs --tenant, --title and one PATH");
  path = g_ptr_array_index (rest, 0);
  if (values[2] == NULL)
    values[2] = guess_mime (path);
  if (values[2] == NULL)
    return usage_error ("cannot tell the file’s type: pass --mime");

  file = g_mapped_file_new (path, FALSE, &error);
  if (file == NULL)
    return fail (error);
  content = g_mapped_file_get_bytes (file);
  if (!rl_upload_check (values[2], content, &mime, &width, &height, &error))
    return fail (error);
  doc = rl_store_add_document (store, values[0], &admin, values[1], mime, width, height, content, &error);
  if (doc == NULL)
    return fail (error);
  g_print ("%s\n", doc->id);
  return 0;
}

typedef struct
{
  GMainLoop *loop;
  RlServer  *server;
  gboolean   stopping;
} ServeState;

static void
on_shutdown_done (gpointer data)
{
  ServeState *state = data;

  g_main_loop_quit (state->loop);
}

static gboolean
on_signal (gpointer data)
{
  ServeState *state = data;

  if (state->stopping)
    return G_SOURCE_CONTINUE;
  state->stopping = TRUE;
  g_printerr ("redline-server: stopping\n");
  rl_server_shutdown (state->server, G_CALLBACK (on_shutdown_done), state);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_listen (const char  *listen,
              char       **host,
              guint       *port)
{
  const char *colon = strrchr (listen, ':');
  guint64 value;

  if (colon == NULL || colon == listen)
    return FALSE;
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    return FALSE;
  if (listen[0] == '[' && colon[-1] == ']')
    *host = g_strndup (listen + 1, colon - listen - 2);
  else
    *host = g_strndup (listen, colon - listen);
  *port = (guint) value;
  return TRUE;
}

static void
drop_message (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        data)
{
}

static int
cmd_serve (RlStore *store,
           int      argc,
           char   **argv)
{
  const char *names[] = { "--listen", "--tls-cert", "--tls-key", "--event-log-limit", "--ping-interval",
                          "--send-queue-limit", NULL };
  const char *values[6] = { "127.0.0.1:8765", NULL, NULL, NULL, NULL, NULL };
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) tls = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(RlServer) server = NULL;
  g_autofree char *host = NULL;
  g_autofree char *uri = NULL;
  ServeState state = { 0 };
  guint port, sigterm, sigint;

  if (!parse_options (argc, argv, 0, names, values, rest, &error))
    return usage_error (error->message);
  if (rest->len > 0 || !parse_listen (values[0], &host, &port))
    return usage_error ("serve needs --listen HOST:PORT");
  if ((values[1] == NULL) != (values[2] == NULL))
    return usage_error ("--tls-cert and --tls-key go together");
  if (values[3])
    {
      guint64 limit;

      if (!g_ascii_string_to_unsigned (values[3], 10, 1, G_MAXUINT, &limit, NULL))
        return usage_error ("--event-log-limit takes a positive number");
      rl_store_set_event_log_limit (store, (guint) limit);
    }
  if (values[1])
    {
      tls = g_tls_certificate_new_from_files (values[1], values[2], &error);
      if (tls == NULL)
        return fail (error);
    }

  server = rl_server_new (store);
  if (values[4])
    {
      guint64 seconds;

      if (!g_ascii_string_to_unsigned (values[4], 10, 1, 300, &seconds, NULL))
        return usage_error ("--ping-interval takes 1–300 seconds");
      rl_server_set_ping_interval (server, (guint) seconds);
    }
  if (values[5])
    {
      guint64 bytes;

      if (!g_ascii_string_to_unsigned (values[5], 10, 1024, G_MAXUINT32, &bytes, NULL))
        return usage_error ("--send-queue-limit takes 1024 bytes or more");
      rl_server_set_send_queue_limit (server, (gsize) bytes);
    }
  if (!rl_server_listen (server, host, port, tls, &uri, &error))
    return fail (error);

  /* libsoup logs two debug lines per frame it sends (our own frames: acks,
   * snapshots); GLib's default handler reads the environment for each one
   * before dropping it. */
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_message, NULL);

  /* Every turn of the loop would otherwise walk every connection's socket. */
  if (g_getenv ("REDLINE_POLL") == NULL || g_strcmp0 (g_getenv ("REDLINE_POLL"), "epoll") == 0)
    rl_epoll_install (NULL);
  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  state.server = server;
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &state);
  sigint = g_unix_signal_add (SIGINT, on_signal, &state);

  /* Scripts and tests wait for this line: stdout, alone, flushed. */
  g_print ("listening on %s\n", uri);
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigterm);
  g_source_remove (sigint);
  g_clear_object (&server);
  rl_epoll_uninstall (NULL);
  /* GLib's idle worker threads (TLS handshakes ran there) end before the
   * process does, so nothing is mid-exit when it goes. */
  g_thread_pool_set_max_unused_threads (0);
  g_thread_pool_stop_unused_threads ();
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(RlStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *db = NULL;
  int i = 1;

  setlocale (LC_ALL, "");

  while (i < argc && g_str_has_prefix (argv[i], "--"))
    {
      if (g_str_equal (argv[i], "--help"))
        {
          g_print ("%s", usage_text);
          return 0;
        }
      if (g_str_equal (argv[i], "--db") && i + 1 < argc)
        db = argv[(i += 2) - 1];
      else if (g_str_has_prefix (argv[i], "--db="))
        db = argv[i++] + 5;
      else
        return usage_error ("unknown option");
    }
  if (db == NULL)
    return usage_error ("--db FILE is required");
  if (i >= argc)
    return usage_error (NULL);
  if (g_str_has_prefix (db, "postgres://") || g_str_has_prefix (db, "postgresql://"))
    {
      g_printerr ("redline-server: this build has only the SQLite store\n");
      return 1;
    }

  store = rl_store_open (db, &error);
  if (store == NULL)
    return fail (error);

  if (g_str_equal (argv[i], "serve"))
    return cmd_serve (store, argc - i - 1, argv + i + 1);
  if (i + 1 >= argc || !g_str_equal (argv[i + 1], "add"))
    return usage_error (NULL);
  if (g_str_equal (argv[i], "tenant"))
    return cmd_tenant_add (store, argc - i - 2, argv + i + 2);
  if (g_str_equal (argv[i], "user"))
    return cmd_user_add (store, argc - i - 2, argv + i + 2);
  if (g_str_equal (argv[i], "doc"))
    return cmd_doc_add (store, argc - i - 2, argv + i + 2);
  return usage_error (NULL);
}
