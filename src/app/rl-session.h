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
 * account). NULL with an error for an address RlApi refuses. */
RlSession    *rl_session_new            (const char    *server_url,
                                         const char    *token,
                                         const char    *user_id,
                                         GTlsDatabase  *tls_database,
                                         GError       **error);
/* Starts the connection the first time a window shows the session. */
void          rl_session_start          (RlSession     *self);
RlConnection *rl_session_get_connection (RlSession     *self);
RlApi        *rl_session_get_api        (RlSession     *self);
const char   *rl_session_get_server_url (RlSession     *self);
/* "host[:port]", for subtitles. */
const char   *rl_session_get_host       (RlSession     *self);
/* The token, for the keyring only. */
const char   *rl_session_get_token      (RlSession     *self);
/* What menus call it: "NAME on HOST" once welcomed, else the host. */
const char   *rl_session_get_label      (RlSession     *self);
/* The server address and the user: one account, one key. */
char         *rl_session_dup_key        (RlSession     *self);

G_END_DECLS
