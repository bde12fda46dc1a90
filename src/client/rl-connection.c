/* rl-connection.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-connection-private.h"
#include "rl-error-text.h"

#include <libsoup/soup.h>

#include "rl-backoff.h"
#include "rl-error.h"
#include "rl-limits.h"
#include "rl-pinned-database.h"

G_DEFINE_ENUM_TYPE (RlConnectionState, rl_connection_state,
                    G_DEFINE_ENUM_VALUE (RL_CONNECTION_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (RL_CONNECTION_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (RL_CONNECTION_ONLINE, "online"),
                    G_DEFINE_ENUM_VALUE (RL_CONNECTION_RECONNECTING, "reconnecting"),
                    G_DEFINE_ENUM_VALUE (RL_CONNECTION_UNAUTHORIZED, "unauthorized"),
                    G_DEFINE_ENUM_VALUE (RL_CONNECTION_UNTRUSTED, "untrusted"))

struct _RlConnection
{
  GObject                  parent_instance;

  char                    *url;
  char                    *token;
  char                    *user_id;       /* the account's, then the last welcome's */
  SoupSession             *session;
  GNetworkMonitor         *monitor;
  GDBusConnection         *sleep_bus;     /* where logind's PrepareForSleep comes */
  guint                    sleep_watch;
  GCancellable            *sleep_lookup;  /* the system bus, asked for at start */
  guint                    refreshes;     /* links reopened for a resume or a network change */

  RlConnectionState        state;
  gboolean                 running;
  SoupWebsocketConnection *socket;
  GCancellable            *connecting;    /* the attempt under way */
  SoupMessage             *handshake;     /* its upgrade request */
  RlMessage               *welcome;
  GError                  *last_error;    /* why the last attempt failed; NULL once welcomed */

  guint                    attempt;       /* failed attempts since the last welcome */
  guint                    retry_id;
  gint64                   next_retry;

  gint64                   last_heard;    /* monotonic µs */
  guint                    silence_id;

  GHashTable              *pending;       /* req → GTask */
  guint64                  next_req;

  guint                    backoff_base_ms;
  guint                    backoff_cap_ms;
  guint                    ping_interval_s;
  guint                    dead_after_ms;
  guint                    ack_timeout_ms;
  int                      max_minor;     /* the newest minor offered (tests offer less) */
};

G_DEFINE_FINAL_TYPE (RlConnection, rl_connection, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, PROP_NEXT_RETRY, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_MESSAGE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void connect_now (RlConnection *self);

/* ---- state ------------------------------------------------------------- */

static void
set_state (RlConnection      *self,
           RlConnectionState  state)
{
  if (self->state == state)
    return;
  g_debug ("connection %s: %s → %s", self->url,
           g_enum_get_value (g_type_class_peek (RL_TYPE_CONNECTION_STATE), (int) self->state)->value_nick,
           g_enum_get_value (g_type_class_peek (RL_TYPE_CONNECTION_STATE), (int) state)->value_nick);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_next_retry (RlConnection *self,
                gint64        when)
{
  if (self->next_retry == when)
    return;
  self->next_retry = when;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_RETRY]);
}

static void
fail_pending (RlConnection *self,
              RlErrorCode   code,
              const char   *message)
{
  g_autoptr(GList) tasks = NULL;

  /* Each request gets its one answer; the table is emptied first so a
   * callback that sends again starts afresh. */
  tasks = g_hash_table_get_values (self->pending);
  g_hash_table_remove_all (self->pending);   /* frees the keys, not the tasks */
  /* message is for the log; the user reads what the code means. */
  if (tasks)
    g_debug ("connection %s: %u requests failed: %s", self->url, g_list_length (tasks), message);
  for (GList *l = tasks; l; l = l->next)
    {
      GTask *task = l->data;

      g_task_return_new_error (task, RL_ERROR, code, "%s", rl_error_text (code));
      g_object_unref (task);
    }
}

/* ---- the link ---------------------------------------------------------- */

static void
schedule_retry (RlConnection *self);

static gboolean
silence_cb (gpointer data)
{
  RlConnection *self = data;
  gint64 quiet_ms = (g_get_monotonic_time () - self->last_heard) / 1000;

  self->silence_id = 0;
  if (self->socket == NULL)
    return G_SOURCE_REMOVE;
  if (quiet_ms >= self->dead_after_ms)
    {
      g_debug ("connection %s: silent for %" G_GINT64_FORMAT " ms, dropping it", self->url, quiet_ms);
      rl_connection_drop_link (self);
      return G_SOURCE_REMOVE;
    }
  /* One timer per dead-link period, not a poll. */
  self->silence_id = g_timeout_add ((guint) (self->dead_after_ms - quiet_ms), silence_cb, self);
  return G_SOURCE_REMOVE;
}

static void
heard (RlConnection *self)
{
  self->last_heard = g_get_monotonic_time ();
  if (self->silence_id == 0)
    self->silence_id = g_timeout_add (self->dead_after_ms, silence_cb, self);
}

static void
release_socket (RlConnection *self)
{
  g_clear_handle_id (&self->silence_id, g_source_remove);
  if (self->socket)
    {
      g_signal_handlers_disconnect_by_data (self->socket, self);
      if (soup_websocket_connection_get_state (self->socket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->socket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      g_clear_object (&self->socket);
    }
  g_clear_pointer (&self->welcome, rl_message_free);
}

/* The link is gone (closed, silent, or failed to open). */
static void
link_lost (RlConnection *self,
           const char   *why)
{
  gboolean was_online = self->state == RL_CONNECTION_ONLINE;

  g_debug ("connection %s: lost (%s)", self->url, why);
  release_socket (self);
  fail_pending (self, RL_ERROR_CONNECTION_LOST, why);
  if (!self->running)
    {
      set_state (self, RL_CONNECTION_OFFLINE);
      return;
    }
  if (was_online)
    self->attempt = 0;
  schedule_retry (self);
}

static void
dispatch_message (RlConnection *self,
                  RlMessage    *message)
{
  if (message->type == RL_MESSAGE_ACK && message->req)
    {
      GTask *task = g_hash_table_lookup (self->pending, message->req);

      if (task)
        {
          g_hash_table_remove (self->pending, message->req);   /* the key only */
          if (message->ok)
            g_task_return_pointer (task, message, (GDestroyNotify) rl_message_free);
          else
            {
              g_task_return_error (task, rl_error_new_translated (message->error_code,
                                                                  message->error_message));
              rl_message_free (message);
            }
          g_object_unref (task);
          return;
        }
    }
  if (message->type == RL_MESSAGE_WELCOME)
    {
      g_clear_pointer (&self->welcome, rl_message_free);
      self->welcome = message;
      g_free (self->user_id);
      self->user_id = g_strdup (message->user.id);
      g_clear_error (&self->last_error);
      self->attempt = 0;
      set_next_retry (self, 0);
      set_state (self, RL_CONNECTION_ONLINE);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, message);
  rl_message_free (message);
}

static void
on_message (SoupWebsocketConnection *socket,
            int                      type,
            GBytes                  *bytes,
            gpointer                 data)
{
  RlConnection *self = data;
  g_autoptr(GError) error = NULL;
  RlMessage *message;
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);
  g_autofree char *copy = NULL;

  heard (self);
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;
  copy = g_strndup (text, length);
  message = rl_message_parse (copy, length, &error);
  if (message == NULL)
    {
      /* A server we do not understand is not a reason to drop the link. */
      g_warning ("ignoring a frame from %s: %s", self->url, error->message);
      return;
    }
  dispatch_message (self, message);
}

static void
on_pong (SoupWebsocketConnection *socket,
         GBytes                  *message,
         gpointer                 data)
{
  heard (data);
}

static void
on_closed (SoupWebsocketConnection *socket,
           gpointer                 data)
{
  RlConnection *self = data;
  g_autofree char *why = g_strdup_printf ("closed by the server (%u)",
                                          soup_websocket_connection_get_close_code (socket));

  link_lost (self, why);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GCancellable) attempt = data;
  g_autoptr(RlConnection) self = g_object_steal_data (G_OBJECT (attempt), "rl-connection");
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  SoupWebsocketConnection *socket;

  socket = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  /* Given up (stopped, or replaced after a resume) — even if it got
   * through just before. */
  if (g_cancellable_is_cancelled (attempt) || attempt != self->connecting)
    {
      g_clear_object (&socket);
      return;
    }
  g_clear_object (&self->connecting);
  msg = g_steal_pointer (&self->handshake);
  if (socket == NULL)
    {
      /* Kept before the state changes, so those told can read it. */
      g_clear_error (&self->last_error);
      if (msg && soup_message_get_status (msg) == SOUP_STATUS_UNAUTHORIZED)
        {
          self->last_error = g_error_new_literal (RL_ERROR, RL_ERROR_UNAUTHORIZED,
                                                  rl_error_text (RL_ERROR_UNAUTHORIZED));
          /* A refused token will not get better by retrying. */
          self->running = FALSE;
          set_next_retry (self, 0);
          set_state (self, RL_CONNECTION_UNAUTHORIZED);
          return;
        }
      self->last_error = rl_pinned_database_mismatch_error (soup_session_get_tls_database (self->session), msg);
      if (self->last_error != NULL)
        {
          /* Not the pinned certificate: the handshake stopped before the
           * request went out. Trying again meets the same one. */
          g_debug ("connection %s: %s", self->url, self->last_error->message);
          self->running = FALSE;
          set_next_retry (self, 0);
          set_state (self, RL_CONNECTION_UNTRUSTED);
          return;
        }
      self->last_error = g_error_copy (error);
      link_lost (self, error->message);
      return;
    }

  self->socket = socket;
  soup_websocket_connection_set_keepalive_interval (socket, self->ping_interval_s);
  /* libsoup's default (128 KiB) is less than a snapshot of a busy document
   * or a replay batch of 256 events; still bounded against a rogue server. */
  soup_websocket_connection_set_max_incoming_payload_size (socket, 64 * 1024 * 1024);
  g_signal_connect (socket, "message", G_CALLBACK (on_message), self);
  g_signal_connect (socket, "pong", G_CALLBACK (on_pong), self);
  g_signal_connect (socket, "closed", G_CALLBACK (on_closed), self);
  heard (self);
  /* Online once welcomed (dispatch_message). */
}

static void
connect_now (RlConnection *self)
{
  g_autofree char *ws_url = g_strconcat (self->url, "/api/v1/ws", NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);
  /* Newest first: the server picks the first it speaks (docs/protocol.md,
   * "Which connections speak 1.1"); a test may offer less. */
  const char *offered[] = { RL_WS_SUBPROTOCOL_V12, RL_WS_SUBPROTOCOL_V11, RL_WS_SUBPROTOCOL, NULL };
  const char **protocols = offered + (RL_CONNECTION_MINOR - MIN (self->max_minor, RL_CONNECTION_MINOR));
  g_autoptr(SoupMessage) msg = NULL;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  set_next_retry (self, 0);
  if (self->connecting || self->socket)
    return;

  msg = soup_message_new (SOUP_METHOD_GET, ws_url);
  if (msg == NULL)
    {
      g_warning ("not a server address: %s", self->url);
      self->running = FALSE;
      set_state (self, RL_CONNECTION_OFFLINE);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  rl_pinned_database_watch (msg);
  if (self->state != RL_CONNECTION_RECONNECTING)
    set_state (self, RL_CONNECTION_CONNECTING);
  self->connecting = g_cancellable_new ();
  /* connected_cb reads the status of a refused upgrade from it. */
  g_set_object (&self->handshake, msg);
  /* The attempt's reference to self rides on its cancellable. */
  g_object_set_data_full (G_OBJECT (self->connecting), "rl-connection", g_object_ref (self), g_object_unref);
  soup_session_websocket_connect_async (self->session, msg, NULL, (char **) protocols,
                                        G_PRIORITY_DEFAULT, self->connecting,
                                        connected_cb, g_object_ref (self->connecting));
}

/* Gives up the attempt under way; its connected_cb sees it cancelled. */
static void
cancel_attempt (RlConnection *self)
{
  if (self->connecting)
    g_cancellable_cancel (self->connecting);
  g_clear_object (&self->connecting);
  g_clear_object (&self->handshake);
}

static gboolean
retry_cb (gpointer data)
{
  RlConnection *self = data;

  self->retry_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (RlConnection *self)
{
  guint delay;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (!g_network_monitor_get_network_available (self->monitor))
    {
      /* Nothing to try until the network is back (network-changed). */
      set_next_retry (self, 0);
      set_state (self, RL_CONNECTION_OFFLINE);
      return;
    }
  delay = rl_backoff_delay_ms (self->attempt++, self->backoff_base_ms, self->backoff_cap_ms, NULL);
  self->retry_id = g_timeout_add (delay, retry_cb, self);
  set_next_retry (self, g_get_monotonic_time () + (gint64) delay * 1000);
  set_state (self, RL_CONNECTION_RECONNECTING);
}

/* After a resume or a change of network the link may only look alive (its
 * peer forgot it, its route is gone): reopen it at once rather than wait for
 * the keepalive to notice; the stores resubscribe with since. */
static void
refresh_link (RlConnection *self,
              const char   *why)
{
  if (!self->running || self->state == RL_CONNECTION_UNAUTHORIZED)
    return;
  g_debug ("connection %s: reopened (%s)", self->url, why);
  self->refreshes++;
  /* An attempt begun before may hang on the old route. */
  cancel_attempt (self);
  if (self->socket)
    link_lost (self, why);
  self->attempt = 0;
  if (self->state != RL_CONNECTION_OFFLINE || g_network_monitor_get_network_available (self->monitor))
    {
      set_state (self, RL_CONNECTION_RECONNECTING);
      connect_now (self);
    }
}

static void
on_prepare_for_sleep (GDBusConnection *bus,
                      const char      *sender,
                      const char      *path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         data)
{
  gboolean going_to_sleep;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &going_to_sleep);
  if (!going_to_sleep)
    refresh_link (data, "resumed from suspend");
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         data)
{
  RlConnection *self = data;

  if (!self->running)
    return;
  if (available && (self->socket != NULL || self->connecting != NULL))
    refresh_link (self, "the network changed");
  else if (available)
    {
      /* Back: no reason to wait out the backoff. */
      self->attempt = 0;
      set_state (self, RL_CONNECTION_RECONNECTING);
      connect_now (self);
    }
  else if (!available && self->socket == NULL)
    {
      g_clear_handle_id (&self->retry_id, g_source_remove);
      set_next_retry (self, 0);
      set_state (self, RL_CONNECTION_OFFLINE);
    }
}

/* ---- requests ---------------------------------------------------------- */

static gboolean
ack_timeout_cb (gpointer data)
{
  GTask *task = data;
  RlConnection *self = g_task_get_source_object (task);
  const char *req = g_task_get_task_data (task);

  if (g_hash_table_remove (self->pending, req))   /* the key only */
    {
      g_task_return_new_error (task, RL_ERROR, RL_ERROR_TIMEOUT, "%s", rl_error_text (RL_ERROR_TIMEOUT));
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

void
rl_connection_request (RlConnection        *self,
                       RlRequest           *request,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *frame = NULL;
  g_autoptr(GSource) timeout = NULL;

  g_return_if_fail (RL_IS_CONNECTION (self));
  g_return_if_fail (request != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_connection_request);

  if (self->state != RL_CONNECTION_ONLINE || self->socket == NULL)
    {
      /* Nothing is queued for later (PROTOCOL.md §5). */
      g_task_return_new_error (task, RL_ERROR, RL_ERROR_OFFLINE, "%s", rl_error_text (RL_ERROR_OFFLINE));
      return;
    }
  if (soup_websocket_connection_get_state (self->socket) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      /* Closing (a read failed, or the server said goodbye): "closed",
       * which makes it lost, is still to come, and libsoup refuses sends. */
      g_task_return_new_error (task, RL_ERROR, RL_ERROR_CONNECTION_LOST, "%s", rl_error_text (RL_ERROR_CONNECTION_LOST));
      return;
    }
  if (request->req == NULL)
    request->req = g_strdup_printf ("r%" G_GUINT64_FORMAT, ++self->next_req);
  g_task_set_task_data (task, g_strdup (request->req), g_free);

  frame = rl_request_serialize (request);
  g_hash_table_insert (self->pending, g_strdup (request->req), g_object_ref (task));

  timeout = g_timeout_source_new (self->ack_timeout_ms);
  g_task_attach_source (task, timeout, ack_timeout_cb);
  soup_websocket_connection_send_text (self->socket, frame);
}

RlMessage *
rl_connection_request_finish (RlConnection  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Stops retrying, cancels the attempt under way, closes the link and
 * answers every request in flight. */
static void
tear_down (RlConnection *self,
           const char   *why)
{
  self->running = FALSE;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  cancel_attempt (self);
  release_socket (self);
  fail_pending (self, RL_ERROR_CONNECTION_LOST, why);
}

/* ---- object ------------------------------------------------------------ */

static void
rl_connection_dispose (GObject *object)
{
  RlConnection *self = RL_CONNECTION (object);

  if (self->pending)
    tear_down (self, "connection closed");
  if (self->monitor)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  rl_connection_watch_sleep (self, NULL);
  if (self->sleep_lookup)
    g_cancellable_cancel (self->sleep_lookup);
  g_clear_object (&self->sleep_lookup);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (rl_connection_parent_class)->dispose (object);
}

static void
rl_connection_finalize (GObject *object)
{
  RlConnection *self = RL_CONNECTION (object);

  g_free (self->url);
  g_free (self->token);
  g_free (self->user_id);
  g_clear_error (&self->last_error);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  G_OBJECT_CLASS (rl_connection_parent_class)->finalize (object);
}

static void
rl_connection_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RlConnection *self = RL_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_NEXT_RETRY:
      g_value_set_int64 (value, self->next_retry);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_connection_class_init (RlConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_connection_dispose;
  object_class->finalize = rl_connection_finalize;
  object_class->get_property = rl_connection_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RL_TYPE_CONNECTION_STATE, RL_CONNECTION_OFFLINE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEXT_RETRY] =
    g_param_spec_int64 ("next-retry", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Every frame but acks and the welcome: snapshots, events, batches,
   * presence. The RlMessage is the handler's to read, not to keep. */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RL_TYPE_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
rl_connection_init (RlConnection *self)
{
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->backoff_base_ms = RL_BACKOFF_BASE_MS;
  self->backoff_cap_ms = RL_BACKOFF_CAP_MS;
  self->ping_interval_s = RL_CONNECTION_PING_INTERVAL_S;
  self->dead_after_ms = RL_CONNECTION_DEAD_AFTER_MS;
  self->ack_timeout_ms = RL_CONNECTION_ACK_TIMEOUT_MS;
  self->max_minor = RL_CONNECTION_MINOR;
}

RlConnection *
rl_connection_new (const char   *url,
                   const char   *token,
                   GTlsDatabase *tls_database)
{
  RlConnection *self;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  self = g_object_new (RL_TYPE_CONNECTION, NULL);
  self->url = g_strdup (url);
  while (g_str_has_suffix (self->url, "/"))
    self->url[strlen (self->url) - 1] = '\0';
  self->token = g_strdup (token);
  self->session = soup_session_new ();
  /* permessage-deflate: the manager offers libsoup's deflate extension
   * (the server compresses each message alone; see docs/protocol.md). */
  soup_session_add_feature_by_type (self->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  if (tls_database)
    soup_session_set_tls_database (self->session, tls_database);
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self);
  return self;
}

static void
got_system_bus (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(RlConnection) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, &error);

  g_clear_object (&self->sleep_lookup);
  if (bus == NULL)
    {
      /* No system bus (a container, a test): resumes are found by the
       * keepalive alone. */
      g_debug ("connection %s: no system bus: %s", self->url, error->message);
      return;
    }
  if (self->sleep_bus == NULL)
    rl_connection_watch_sleep (self, bus);
}

void
rl_connection_start (RlConnection *self)
{
  g_return_if_fail (RL_IS_CONNECTION (self));

  if (self->running)
    return;
  self->running = TRUE;
  self->attempt = 0;
  if (self->sleep_bus == NULL && self->sleep_lookup == NULL)
    {
      self->sleep_lookup = g_cancellable_new ();
      g_bus_get (G_BUS_TYPE_SYSTEM, self->sleep_lookup, got_system_bus, g_object_ref (self));
    }
  connect_now (self);
}

void
rl_connection_watch_sleep (RlConnection    *self,
                           GDBusConnection *bus)
{
  g_return_if_fail (RL_IS_CONNECTION (self));

  if (self->sleep_bus && self->sleep_watch)
    g_dbus_connection_signal_unsubscribe (self->sleep_bus, self->sleep_watch);
  self->sleep_watch = 0;
  g_clear_object (&self->sleep_bus);
  if (bus == NULL)
    return;
  if (self->sleep_lookup)
    g_cancellable_cancel (self->sleep_lookup);
  self->sleep_bus = g_object_ref (bus);
  self->sleep_watch = g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                                          "org.freedesktop.login1.Manager", "PrepareForSleep",
                                                          "/org/freedesktop/login1", NULL,
                                                          G_DBUS_SIGNAL_FLAGS_NONE, on_prepare_for_sleep,
                                                          self, NULL);
}

guint
rl_connection_get_n_refreshes (RlConnection *self)
{
  g_return_val_if_fail (RL_IS_CONNECTION (self), 0);
  return self->refreshes;
}

void
rl_connection_stop (RlConnection *self)
{
  g_return_if_fail (RL_IS_CONNECTION (self));

  tear_down (self, "disconnected");
  set_next_retry (self, 0);
  set_state (self, RL_CONNECTION_OFFLINE);
}

void
rl_connection_retry_now (RlConnection *self)
{
  g_return_if_fail (RL_IS_CONNECTION (self));

  if (self->state == RL_CONNECTION_UNAUTHORIZED || self->socket || self->connecting)
    return;
  self->running = TRUE;
  connect_now (self);
}

void
rl_connection_drop_link (RlConnection *self)
{
  g_return_if_fail (RL_IS_CONNECTION (self));

  if (self->socket)
    link_lost (self, "link dropped");
}

RlConnectionState
rl_connection_get_state (RlConnection *self)
{
  g_return_val_if_fail (RL_IS_CONNECTION (self), RL_CONNECTION_OFFLINE);
  return self->state;
}

gint64
rl_connection_get_next_retry (RlConnection *self)
{
  g_return_val_if_fail (RL_IS_CONNECTION (self), 0);
  return self->next_retry;
}

gboolean
rl_connection_speaks_revisions (RlConnection *self)
{
  g_return_val_if_fail (RL_IS_CONNECTION (self), FALSE);
  return self->welcome != NULL && self->welcome->minor >= 1;
}

int
rl_connection_get_minor (RlConnection *self)
{
  g_return_val_if_fail (RL_IS_CONNECTION (self), 0);
  return self->welcome != NULL ? self->welcome->minor : 0;
}

gboolean
rl_connection_speaks_activity (RlConnection *self)
{
  g_return_val_if_fail (RL_IS_CONNECTION (self), FALSE);
  return rl_connection_get_minor (self) >= 2;
}

void
rl_connection_set_max_minor (RlConnection *self,
                             int           minor)
{
  g_return_if_fail (RL_IS_CONNECTION (self));
  g_return_if_fail (minor >= 0);
  self->max_minor = minor;
}

const RlMessage *
rl_connection_get_welcome (RlConnection *self)
{
  g_return_val_if_fail (RL_IS_CONNECTION (self), NULL);
  return self->welcome;
}

void
rl_connection_set_timing (RlConnection *self,
                          guint         backoff_base_ms,
                          guint         backoff_cap_ms,
                          guint         ping_interval_s,
                          guint         dead_after_ms,
                          guint         ack_timeout_ms)
{
  g_return_if_fail (RL_IS_CONNECTION (self));

  self->backoff_base_ms = backoff_base_ms;
  self->backoff_cap_ms = backoff_cap_ms;
  self->ping_interval_s = ping_interval_s;
  self->dead_after_ms = dead_after_ms;
  self->ack_timeout_ms = ack_timeout_ms;
}

const GError *
rl_connection_get_last_error (RlConnection *self)
{
  g_return_val_if_fail (RL_IS_CONNECTION (self), NULL);
  return self->last_error;
}

const char *
rl_connection_get_url (RlConnection *self)
{
  g_return_val_if_fail (RL_IS_CONNECTION (self), NULL);
  return self->url;
}

void
rl_connection_set_user_id (RlConnection *self,
                           const char   *user_id)
{
  g_return_if_fail (RL_IS_CONNECTION (self));
  if (self->welcome == NULL)
    {
      g_free (self->user_id);
      self->user_id = g_strdup (user_id);
    }
}

const char *
rl_connection_get_user_id (RlConnection *self)
{
  g_return_val_if_fail (RL_IS_CONNECTION (self), NULL);
  return self->user_id;
}
