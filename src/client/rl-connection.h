/* rl-connection.h — one WebSocket to a Redline server that keeps itself up
 *
 * The connection opens `/api/v1/ws` with the account's token (PROTOCOL.md
 * §2), tells its state through the "state" property, and reconnects on its
 * own: exponential backoff with full jitter, at once when the network comes
 * back or on rl_connection_retry_now(). A link that goes silent (no frame
 * and no pong for the dead-link time) is dropped and reopened even when the
 * kernel sees nothing wrong. Requests get exactly one answer: the server's
 * ack, or an error when the link is not online (offline: nothing is
 * queued), when no ack comes in time, or when the link is lost first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-codec.h"

G_BEGIN_DECLS

typedef enum
{
  RL_CONNECTION_OFFLINE,       /* no network, or not started */
  RL_CONNECTION_CONNECTING,    /* first attempt */
  RL_CONNECTION_ONLINE,        /* welcomed */
  RL_CONNECTION_RECONNECTING,  /* lost; next-retry says when the next try is */
  RL_CONNECTION_UNAUTHORIZED,  /* the token was refused: no more tries */
  RL_CONNECTION_UNTRUSTED,     /* a different certificate from the pinned one: no more tries
                                * until rl_connection_retry_now() */
} RlConnectionState;

#define RL_TYPE_CONNECTION_STATE (rl_connection_state_get_type ())
GType rl_connection_state_get_type (void) G_GNUC_CONST;

#define RL_TYPE_CONNECTION (rl_connection_get_type ())
G_DECLARE_FINAL_TYPE (RlConnection, rl_connection, RL, CONNECTION, GObject)

/* Ack timeout of PROTOCOL.md §5. */
#define RL_CONNECTION_ACK_TIMEOUT_MS 10000
/* The newest protocol minor offered: redline.v1.2, then v1.1, then v1. */
#define RL_CONNECTION_MINOR 2
/* Our pings; the server's come every 20–30 s. Silence for this long means
 * the link is dead: found within a minute. */
#define RL_CONNECTION_PING_INTERVAL_S 15
#define RL_CONNECTION_DEAD_AFTER_MS 45000

/* url: ws:// or wss:// with host and port, e.g. "wss://review.example:8443";
 * tls_database: what to trust for wss (NULL: the system's); an
 * RlPinnedDatabase trusts one certificate, and a handshake that meets
 * another fails before the token is sent, in state untrusted. */
RlConnection      *rl_connection_new            (const char     *url,
                                                 const char     *token,
                                                 GTlsDatabase   *tls_database);
void               rl_connection_start          (RlConnection   *self);
/* Closes the link and stops retrying (state offline). */
void               rl_connection_stop           (RlConnection   *self);
/* Tries at once when not online (not when unauthorized; when untrusted,
 * the certificate is checked again). */
void               rl_connection_retry_now      (RlConnection   *self);

RlConnectionState  rl_connection_get_state      (RlConnection   *self);
/* Monotonic time (µs) of the next attempt; 0 when none is scheduled. */
gint64             rl_connection_get_next_retry (RlConnection   *self);
/* The welcome of the current link (NULL when not online). */
const RlMessage   *rl_connection_get_welcome    (RlConnection   *self);
/* Whether the current link speaks protocol 1.1 (its welcome says
 * "minor":1): revisions, their events and place-thread (docs/protocol.md,
 * "Revisions"). FALSE when not online or on a v1 server. */
gboolean           rl_connection_speaks_revisions (RlConnection *self);
/* The minor the current link's server chose (its welcome's "minor"): 2
 * for redline.v1.2, 1 for v1.1, 0 for v1 and when not online. It changes
 * only with a new link ("state" notifies online). */
int                rl_connection_get_minor      (RlConnection   *self);
/* Whether the current link speaks protocol 1.2 (minor ≥ 2): read state,
 * mark-read, mentions and the activity feed (docs/protocol.md,
 * "Activity"). FALSE when not online or on an older server. */
gboolean           rl_connection_speaks_activity (RlConnection  *self);
/* Why the last attempt to open the link failed, as the transport said it
 * (GIOError, GResolverError, GTlsError…), RL_ERROR_UNAUTHORIZED for a
 * refused token, or RL_CERTIFICATE_ERROR_MISMATCH (naming both
 * certificates) when untrusted; set before the state changes, NULL once
 * welcomed. */
const GError      *rl_connection_get_last_error (RlConnection  *self);
/* The server address, as given without a trailing slash. */
const char        *rl_connection_get_url        (RlConnection   *self);
/* Who the token belongs to, known before the first welcome: the app sets
 * the user id an earlier welcome of this account gave (ignored while
 * welcomed); every welcome replaces it. Document stores key their disk
 * cache with it and the URL, so what was cached shows while offline.
 * NULL until set or welcomed. */
void               rl_connection_set_user_id    (RlConnection   *self,
                                                 const char     *user_id);
const char        *rl_connection_get_user_id    (RlConnection   *self);

/* Sends request (a `req` is set when it has none) and finishes with the
 * ack (an RlMessage with ok TRUE) or an error: the ack's code in RL_ERROR,
 * RL_ERROR_OFFLINE when not online, RL_ERROR_TIMEOUT, or
 * RL_ERROR_CONNECTION_LOST. */
void               rl_connection_request        (RlConnection   *self,
                                                 RlRequest      *request,
                                                 GCancellable   *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer        user_data);
RlMessage         *rl_connection_request_finish (RlConnection   *self,
                                                 GAsyncResult   *result,
                                                 GError        **error);

/* After a resume from suspend (logind's PrepareForSleep, FALSE) the link is
 * reopened at once, as after a change of network: it may only look alive.
 * rl_connection_start() watches the system bus; tests give their own bus
 * (NULL stops watching). */
void               rl_connection_watch_sleep    (RlConnection   *self,
                                                 GDBusConnection *bus);

/* Drops the link as if the network had cut it (tests, and the app's
 * "resume from suspend" path): a reconnect follows. */
void               rl_connection_drop_link      (RlConnection   *self);

G_END_DECLS
