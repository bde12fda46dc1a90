/* rl-client-test.h — what the client tests share: the team they start from,
 * connections to the real server (tests/server/rl-test-server.h), stores on
 * them, results of asynchronous calls, and files to clean up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-connection.h"
#include "rl-doc-store.h"
#include "rl-test-server.h"

G_BEGIN_DECLS

/* Who is in the team besides Ada. */
typedef enum
{
  RL_CLIENT_TEST_ADA_ONLY = 0,
  RL_CLIENT_TEST_WITH_BEA = 1 << 0,
  RL_CLIENT_TEST_WITH_BOB = 1 << 1,
} RlClientTestMembers;

/* A server with the tenant "acme", its members (tokens) and the image
 * document "Mockup" (tests/data/mockup.png). */
typedef struct
{
  RlTestTeam    team;        /* what holds it all */
  RlTestServer *server;
  const char   *ada;
  const char   *bea;         /* NULL unless asked for */
  const char   *bob;         /* NULL unless asked for */
  const char   *image;       /* Mockup's id */
} RlClientTestTeam;

/* Makes the team's server, not started yet (so that options can be set),
 * with Ada, then Bea and Bob when asked, and Mockup. */
void          rl_client_test_team_init      (RlClientTestTeam    *team,
                                             RlClientTestMembers  members);
/* Stops the server when it runs (asserting a clean exit) and frees it all. */
void          rl_client_test_team_clear     (RlClientTestTeam    *team);

/* A connection to server with token, quick to retry (100–800 ms) and to
 * find a dead link (3 s); not started. */
RlConnection *rl_client_test_new_connection (RlTestServer  *server,
                                             const char    *token);
/* The same, started and online. */
RlConnection *rl_client_test_online         (RlTestServer  *server,
                                             const char    *token);

/* Iterates until conn is in state, or ms pass; whether it is. */
gboolean      rl_client_test_wait_state     (RlConnection      *conn,
                                             RlConnectionState  state,
                                             guint              ms);

/* Whether store is synced with nothing in flight. */
gboolean      rl_client_test_store_settled  (RlDocStore    *store);
/* The i-th thread of store (the model keeps it). */
RlThreadItem *rl_client_test_thread_at      (RlDocStore    *store,
                                             guint          i);

/* A GAsyncReadyCallback that keeps a reference to the result in data, a
 * GAsyncResult **. */
void          rl_client_test_store_result   (GObject       *source,
                                             GAsyncResult  *result,
                                             gpointer       data);
/* Iterates until *slot is set (asserting it is within 10 s); *slot. */
GAsyncResult *rl_client_test_wait_result    (GAsyncResult **slot);

/* Removes path and all under it, following no symbolic link. */
void          rl_client_test_remove_tree    (const char    *path);

G_END_DECLS
