/* rl-server.h — the SoupServer: HTTP API, WebSocket upgrade, graceful stop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-store.h"

G_BEGIN_DECLS

#define RL_TYPE_SERVER (rl_server_get_type ())
G_DECLARE_FINAL_TYPE (RlServer, rl_server, RL, SERVER, GObject)

RlServer *rl_server_new        (RlStore          *store);
/* Seconds between WebSocket pings (default RL_PING_INTERVAL_SECONDS); a
 * connection silent for two intervals and 5 s more is closed. */
void      rl_server_set_frame_interval (RlServer *self,
                                        guint     ms);
void      rl_server_set_ping_interval (RlServer   *self,
                                       guint       seconds);
/* Bytes a connection may fall behind before it is closed with 1008 (default
 * RL_OUTBOX_DEFAULT_LIMIT); the client resubscribes with since. */
void      rl_server_set_send_queue_limit (RlServer *self,
                                          gsize     bytes);
/* Comma-separated addresses (or ADDRESS/BITS) as GInetAddressMask*. */
GPtrArray *rl_server_parse_addresses  (const char  *addresses,
                                       GError     **error);
/* Masks (of rl_server_parse_addresses) of the clients that may read
 * /metrics without a token; anyone else needs an admin's. NULL: none. */
void      rl_server_set_metrics_allow (RlServer    *self,
                                       GPtrArray   *masks);
/* What the server bounds for each connection, each with its default. */
typedef enum
{
  /* Seconds a connection has for its TLS handshake and request head (and
   * between keep-alive requests): RL_HANDSHAKE_TIMEOUT_SECONDS. */
  RL_SERVER_LIMIT_HANDSHAKE_TIMEOUT,
  /* Seconds an upload's body (or an answer) may stand still:
   * RL_BODY_TIMEOUT_SECONDS. */
  RL_SERVER_LIMIT_BODY_TIMEOUT,
  /* Connections an address may hold before they authenticate (0: no cap):
   * RL_MAX_UNAUTHENTICATED_PER_ADDRESS. One more gets 429. */
  RL_SERVER_LIMIT_MAX_UNAUTHENTICATED,
  /* WebSocket connections of one user (RL_MAX_SOCKETS_PER_USER); one more
   * is refused with 429 before the upgrade. */
  RL_SERVER_LIMIT_MAX_SOCKETS_PER_USER,
  RL_SERVER_N_LIMITS,
} RlServerLimit;

/* Sets one of the limits; only the unauthenticated cap may be 0. */
void      rl_server_set_limit (RlServer      *self,
                               RlServerLimit  limit,
                               guint          value);
/* This server's name among the nodes of a shared store (PostgreSQL), which
 * no other node may use; default HOST:PORT (the machine's name and the port
 * it listens on). Before rl_server_listen, which starts hearing the other
 * nodes. */
void        rl_server_set_node (RlServer   *self,
                                const char *node);
/* NULL until it listens, and when the store is not shared. */
const char *rl_server_get_node (RlServer   *self);
/* tls: NULL for plain HTTP. On success *uri is what clients connect to. */
gboolean  rl_server_listen     (RlServer         *self,
                                const char       *host,
                                guint             port,
                                GTlsCertificate  *tls,
                                char            **uri,
                                GError          **error);
/* Stops accepting, closes every WebSocket with 1001, sends what is pending;
 * calls done once every connection has closed (or after a grace period). */
void      rl_server_shutdown   (RlServer         *self,
                                GCallback         done,
                                gpointer          user_data);

G_END_DECLS
