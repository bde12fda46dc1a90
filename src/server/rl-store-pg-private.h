/* rl-store-pg-private.h — what the tests of the PostgreSQL store reach
 * that a server never does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-store-pg.h"

G_BEGIN_DECLS

/* The channel every node's notifications go on (tests send malformed ones
 * on it). */
#define RL_STORE_PG_CHANNEL "redline"

/* For tests only: how often the node says it is alive (default 5 s) and
 * after how long without a word it is dead (default 20 s), so that a
 * node's death is seen in a test's time. Restarts the heartbeat when it
 * runs; a very long heartbeat_ms is a node that stopped saying it is alive. */
void rl_store_pg_set_node_timing (RlStorePg *self,
                                  guint      heartbeat_ms,
                                  guint      dead_ms);

/* Whether the main connection is there now (not lost, nor being made
 * again). */
gboolean rl_store_pg_is_connected (RlStorePg *self);

G_END_DECLS
