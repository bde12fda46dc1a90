/* rl-test-proxy.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-test-proxy.h"

#define CHUNK 65536

typedef struct _Link Link;

typedef struct
{
  Link          *link;
  gboolean       upward;       /* client → server */
  GInputStream  *in;
  GOutputStream *out;
  guint8         buffer[CHUNK];
} Pump;

struct _Link
{
  RlTestProxy       *proxy;
  GSocketConnection *client;
  GSocketConnection *server;
  GCancellable      *cancellable;
  guint64            up;
  gboolean           websocket; /* its request asked for an upgrade */
  gboolean           held;
  gboolean           closed;
  guint              refs;      /* one per operation under way */
  Pump               up_pump;
  Pump               down_pump;
};

struct _RlTestProxy
{
  GSocketService *service;
  GSocketClient  *connector;
  guint           upstream_port;
  char           *ws_base;
  GPtrArray      *open;         /* Link*, not owned */
  guint           n_accepted;
  guint           n_alive;      /* links not yet freed */
  guint64         bytes_up;
  guint64         http_bytes_up;
  guint64         hold_after;
  gboolean        released;
};

static void pump_read (Pump *pump);

static void
link_unref (Link *link)
{
  if (--link->refs > 0)
    return;
  if (link->server)
    g_io_stream_close (G_IO_STREAM (link->server), NULL, NULL);
  g_io_stream_close (G_IO_STREAM (link->client), NULL, NULL);
  g_clear_object (&link->server);
  g_clear_object (&link->client);
  g_clear_object (&link->cancellable);
  link->proxy->n_alive--;
  g_free (link);
}

/* Either side gone: both go. */
static void
link_shutdown (Link *link)
{
  if (link->closed)
    return;
  link->closed = TRUE;
  g_cancellable_cancel (link->cancellable);
  g_ptr_array_remove (link->proxy->open, link);
}

static void
pump_wrote (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Pump *pump = data;
  Link *link = pump->link;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);

  if (!ok || link->closed)
    link_shutdown (link);
  else
    pump_read (pump);
  link_unref (link);
}

static void
pump_got (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Pump *pump = data;
  Link *link = pump->link;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0 || link->closed)
    {
      link_shutdown (link);
      link_unref (link);
      return;
    }
  if (pump->upward)
    {
      /* The first request of a link says whether it becomes a WebSocket. */
      if (link->up == 0)
        link->websocket = g_strstr_len ((const char *) pump->buffer, n, "\r\nUpgrade: websocket\r\n") != NULL;
      link->up += (guint64) n;
      link->proxy->bytes_up += (guint64) n;
      if (!link->websocket)
        link->proxy->http_bytes_up += (guint64) n;
    }
  /* The operation's reference goes on to the write. */
  g_output_stream_write_all_async (pump->out, pump->buffer, (gsize) n, G_PRIORITY_DEFAULT, link->cancellable,
                                   pump_wrote, pump);
}

static void
pump_read (Pump *pump)
{
  Link *link = pump->link;
  RlTestProxy *proxy = link->proxy;
  gsize want = CHUNK;

  if (pump->upward && proxy->hold_after > 0 && !proxy->released)
    {
      if (link->up >= proxy->hold_after && !link->websocket)
        {
          link->held = TRUE;
          return;
        }
      want = (gsize) MIN ((guint64) want, proxy->hold_after - link->up);
    }
  link->refs++;
  g_input_stream_read_async (pump->in, pump->buffer, want, G_PRIORITY_DEFAULT, link->cancellable, pump_got, pump);
}

static void
upstream_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  Link *link = data;

  link->server = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, NULL);
  if (link->server == NULL || link->closed)
    {
      link_shutdown (link);
      link_unref (link);
      return;
    }
  link->up_pump = (Pump) { link, TRUE, g_io_stream_get_input_stream (G_IO_STREAM (link->client)),
                           g_io_stream_get_output_stream (G_IO_STREAM (link->server)), { 0 } };
  link->down_pump = (Pump) { link, FALSE, g_io_stream_get_input_stream (G_IO_STREAM (link->server)),
                             g_io_stream_get_output_stream (G_IO_STREAM (link->client)), { 0 } };
  pump_read (&link->up_pump);
  pump_read (&link->down_pump);
  link_unref (link);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           data)
{
  RlTestProxy *proxy = data;
  Link *link = g_new0 (Link, 1);

  link->proxy = proxy;
  link->client = g_object_ref (connection);
  link->cancellable = g_cancellable_new ();
  link->refs = 1;
  proxy->n_accepted++;
  proxy->n_alive++;
  g_ptr_array_add (proxy->open, link);
  g_socket_client_connect_to_host_async (proxy->connector, "127.0.0.1", (guint16) proxy->upstream_port,
                                         link->cancellable, upstream_connected, link);
  return TRUE;
}

RlTestProxy *
rl_test_proxy_new (guint upstream_port)
{
  RlTestProxy *proxy = g_new0 (RlTestProxy, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  proxy->upstream_port = upstream_port;
  proxy->open = g_ptr_array_new ();
  proxy->connector = g_socket_client_new ();
  proxy->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (proxy->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  proxy->ws_base = g_strdup_printf ("ws://127.0.0.1:%u",
                                    g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  g_signal_connect (proxy->service, "incoming", G_CALLBACK (on_incoming), proxy);
  g_socket_service_start (proxy->service);
  return proxy;
}

void
rl_test_proxy_free (RlTestProxy *proxy)
{
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  while (proxy->open->len > 0)
    link_shutdown (g_ptr_array_index (proxy->open, 0));
  /* Each link goes once its cancelled operations have answered. */
  while (proxy->n_alive > 0)
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (proxy->service);
  g_object_unref (proxy->connector);
  g_ptr_array_unref (proxy->open);
  g_free (proxy->ws_base);
  g_free (proxy);
}

const char *
rl_test_proxy_get_ws_base (RlTestProxy *proxy)
{
  return proxy->ws_base;
}

guint
rl_test_proxy_get_n_accepted (RlTestProxy *proxy)
{
  return proxy->n_accepted;
}

guint
rl_test_proxy_get_n_open (RlTestProxy *proxy)
{
  return proxy->open->len;
}

guint64
rl_test_proxy_get_bytes_up (RlTestProxy *proxy)
{
  return proxy->bytes_up;
}

guint64
rl_test_proxy_get_http_bytes_up (RlTestProxy *proxy)
{
  return proxy->http_bytes_up;
}

void
rl_test_proxy_hold_after (RlTestProxy *proxy,
                          guint64      bytes)
{
  proxy->hold_after = bytes;
  proxy->released = FALSE;
}

gboolean
rl_test_proxy_is_holding (RlTestProxy *proxy)
{
  for (guint i = 0; i < proxy->open->len; i++)
    if (((Link *) g_ptr_array_index (proxy->open, i))->held)
      return TRUE;
  return FALSE;
}

void
rl_test_proxy_release (RlTestProxy *proxy)
{
  proxy->released = TRUE;
  for (guint i = 0; i < proxy->open->len; i++)
    {
      Link *link = g_ptr_array_index (proxy->open, i);

      if (link->held)
        {
          link->held = FALSE;
          pump_read (&link->up_pump);
        }
    }
}
