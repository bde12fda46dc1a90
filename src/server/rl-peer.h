/* rl-peer.h — one WebSocket connection of the server: it reads requests,
 * validates them, commits through the store and publishes through the hub
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "rl-access-log.h"
#include "rl-hub.h"
#include "rl-read-cache.h"
#include "rl-store.h"
#include "rl-usage.h"
#include "rl-subloop.h"

G_BEGIN_DECLS

#define RL_TYPE_PEER (rl_peer_get_type ())
G_DECLARE_FINAL_TYPE (RlPeer, rl_peer, RL, PEER, GObject)

/* Pings every ping_interval seconds; takes principal and subloop (where
 * the connection's sources are). What it sends is counted in usage; it joins
 * the hub's rooms as a subscriber of its own, and is closed with 1008 when it
 * falls too far behind their frames (the client resubscribes with since). */
RlPeer            *rl_peer_new           (SoupWebsocketConnection *connection,
                                          RlPrincipal             *principal,
                                          RlStore                 *store,
                                          RlHub                   *hub,
                                          RlUsage                 *usage,
                                          RlReadCache             *cache,
                                          guint                    ping_interval,
                                          GMainContext            *ping_context,
                                          RlSubloop               *subloop);
const RlPrincipal *rl_peer_get_principal (RlPeer                  *self);
const char        *rl_peer_get_id        (RlPeer                  *self);
/* Writes one text frame (NUL-terminated text of length bytes). */
void               rl_peer_send          (RlPeer                  *self,
                                          const char              *text,
                                          gsize                    length);
void               rl_peer_close         (RlPeer                  *self,
                                          gushort                  code,
                                          const char              *reason);
gboolean           rl_peer_is_closed     (RlPeer                  *self);
/* Closes the link when nothing (message or pong) came for two ping
 * intervals and a little more. */
void               rl_peer_check_alive   (RlPeer                  *self,
                                          gint64                   now_us);
/* What the session did, for the access log: its traffic, when it opened
 * (monotonic), and how it ended — the code the server sent when it closed
 * the link, else the client's (1006 when none came). */
void               rl_peer_get_session   (RlPeer                  *self,
                                          RlTraffic               *traffic,
                                          gint64                  *opened_us,
                                          gushort                 *close_code,
                                          gboolean                *closed_by_server);

G_END_DECLS
