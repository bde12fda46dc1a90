/* rl-session.h — one account in use: its connection and its HTTP API
 *
 * Windows on the same account share one session, so one WebSocket (and
 * through rl_doc_store_get one store per document) serves them all. The
 * token is kept in memory only, by the connection and the API client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-api.h"
#include "rl-connection.h"

G_BEGIN_DECLS

#define RL_TYPE_SESSION (rl_session_get_type ())
G_DECLARE_FINAL_TYPE (RlSession, rl_session, RL, SESSION, GObject)

/* server_url: "ws://…" or "wss://…" as rl_server_url_normalize gives it;
 * user_id: the account's, known from an earlier welcome (NULL for a new
 * account); tls_database: what the connection and the API trust (NULL:
 * the system's; an RlPinnedDatabase for an account that pins its server's
 * certificate). NULL with an error for an address RlApi refuses. */
RlSession    *rl_session_new            (const char    *server_url,
                                         const char    *token,
                                         const char    *user_id,
                                         GTlsDatabase  *tls_database,
                                         GError       **error);
/* Starts the connection: the app keeps every account's started while it
 * runs, shown in a window or not (its activity feed stays current). */
void          rl_session_start          (RlSession     *self);
/* Closes the connection: the account is dropped (removed, or signed in
 * again), or its check failed. */
void          rl_session_stop           (RlSession     *self);
gboolean      rl_session_is_started     (RlSession     *self);
/* Starts the session and finishes once the server has welcomed its token
 * (TRUE), or with why not: RL_ERROR_UNAUTHORIZED for a refused token, the
 * transport's error (GIOError, GResolverError, GTlsError…) for a link that
 * could not be made, RL_ERROR_TIMEOUT when nothing came within timeout_ms,
 * RL_ERROR_OFFLINE without a network. A session that failed is stopped. */
void          rl_session_check_async    (RlSession           *self,
                                         guint                timeout_ms,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean      rl_session_check_finish   (RlSession     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
RlConnection *rl_session_get_connection (RlSession     *self);
RlApi        *rl_session_get_api        (RlSession     *self);
const char   *rl_session_get_server_url (RlSession     *self);
/* "host[:port]", for subtitles. */
const char   *rl_session_get_host       (RlSession     *self);
/* The token, for the keyring only. */
const char   *rl_session_get_token      (RlSession     *self);
/* The pinned certificate's SHA-256 (rl-pinned-database.h), or NULL. */
const char   *rl_session_get_fingerprint (RlSession    *self);
/* What menus call it: "NAME on HOST" once welcomed, else the label set
 * (the keyring's, for a saved account), else the host. */
const char   *rl_session_get_label      (RlSession     *self);
/* Ignored once welcomed: the welcome names the user. */
void          rl_session_set_label      (RlSession     *self,
                                         const char    *label);
/* The server address and the user: one account, one key. */
char         *rl_session_dup_key        (RlSession     *self);
/* The API of the session that made connection (its members, for
 * mentions: listed anew on each welcome), or NULL for a connection made
 * without one. */
RlApi        *rl_session_lookup_api     (RlConnection  *connection);

G_END_DECLS
