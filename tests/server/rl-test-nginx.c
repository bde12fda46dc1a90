/* rl-test-nginx.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-test-nginx.h"

#include <glib/gstdio.h>
#include <signal.h>

struct _RlTestNginx
{
  RlTestServer *front;       /* its dir holds the configuration and logs */
  GSubprocess  *process;
};

static const char *
nginx_binary (void)
{
  return g_file_test ("/usr/sbin/nginx", G_FILE_TEST_IS_EXECUTABLE) ? "/usr/sbin/nginx" : "nginx";
}

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
accepts (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

/* The configuration docs/cluster.md recommends, with test-sized timeouts. */
static char *
configuration (const char     *dir,
               guint           port,
               RlTestServer  **servers,
               guint           n_servers)
{
  GString *upstream = g_string_new (NULL);

  for (guint i = 0; i < n_servers; i++)
    g_string_append_printf (upstream, "    server 127.0.0.1:%u max_fails=0;\n",
                            servers[i]->port);
  return g_strdup_printf (
    "daemon off;\n"
    "master_process off;\n"
    "pid %1$s/nginx.pid;\n"
    "error_log %1$s/error.log info;\n"
    "events { worker_connections 1024; }\n"
    "http {\n"
    "  access_log off;\n"
    "  client_body_temp_path %1$s/body;\n"
    "  proxy_temp_path %1$s/proxy;\n"
    "  fastcgi_temp_path %1$s/fastcgi;\n"
    "  uwsgi_temp_path %1$s/uwsgi;\n"
    "  scgi_temp_path %1$s/scgi;\n"
    "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
    "  upstream redline {\n"
    "%2$s"
    "  }\n"
    "  server {\n"
    "    listen 127.0.0.1:%3$u;\n"
    "    client_max_body_size 64m;\n"
    "    location / {\n"
    "      proxy_pass http://redline;\n"
    "      proxy_http_version 1.1;\n"
    "      proxy_set_header Upgrade $http_upgrade;\n"
    "      proxy_set_header Connection $connection_upgrade;\n"
    "      proxy_set_header Host $host;\n"
    "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
    "      proxy_connect_timeout 2s;\n"
    "      proxy_read_timeout 3600s;\n"
    "      proxy_send_timeout 3600s;\n"
    "      proxy_buffering off;\n"
    "      proxy_next_upstream error timeout;\n"
    "    }\n"
    "  }\n"
    "}\n",
    dir, upstream->str, port);
}

RlTestNginx *
rl_test_nginx_start (RlTestServer **servers,
                     guint          n_servers)
{
  RlTestNginx *nginx = g_new0 (RlTestNginx, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *log_path = NULL;
  RlTestServer *front;

  g_assert_cmpuint (n_servers, >, 0);
  nginx->front = front = rl_test_server_new ();
  front->port = free_port ();
  front->url = g_strdup_printf ("http://127.0.0.1:%u", front->port);
  front->ws_base = g_strdup_printf ("ws://127.0.0.1:%u", front->port);
  front->ws_url = g_strdup_printf ("%s/api/v1/ws", front->ws_base);

  conf = configuration (front->dir, front->port, servers, n_servers);
  conf_path = g_build_filename (front->dir, "nginx.conf", NULL);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));
  log_path = g_build_filename (front->dir, "error.log", NULL);

  /* -e: nginx opens its default error log before it reads error_log. */
  nginx->process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                     nginx_binary (), "-p", front->dir, "-c", conf_path,
                                     "-e", log_path, NULL);
  if (nginx->process == NULL)
    g_error ("cannot start nginx (Debian's package nginx; build-aux/dev installs it): %s", error->message);

  for (guint tries = 0; !accepts (front->port); tries++)
    {
      g_autofree char *log = NULL;

      if (tries > 200 || g_subprocess_get_identifier (nginx->process) == NULL)
        {
          g_file_get_contents (log_path, &log, NULL, NULL);
          g_error ("nginx did not start listening on port %u: %s", front->port, log ? log : "(no log)");
        }
      g_usleep (25 * 1000);
    }
  return nginx;
}

RlTestServer *
rl_test_nginx_front (RlTestNginx *nginx)
{
  return nginx->front;
}

void
rl_test_nginx_free (RlTestNginx *nginx)
{
  if (nginx == NULL)
    return;
  if (nginx->process != NULL)
    {
      /* Fast shutdown: a graceful one waits for every WebSocket. */
      g_subprocess_send_signal (nginx->process, SIGTERM);
      g_subprocess_wait (nginx->process, NULL, NULL);
      g_object_unref (nginx->process);
    }
  rl_test_server_free (nginx->front);
  g_free (nginx);
}
