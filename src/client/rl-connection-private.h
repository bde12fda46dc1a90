/* rl-connection-private.h — test hooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-connection.h"

G_BEGIN_DECLS

/* Shorter timings for tests. */
void               rl_connection_set_timing     (RlConnection   *self,
                                                 guint           backoff_base_ms,
                                                 guint           backoff_cap_ms,
                                                 guint           ping_interval_s,
                                                 guint           dead_after_ms,
                                                 guint           ack_timeout_ms);

/* Links reopened for a resume or a network change (tests). */
guint              rl_connection_get_n_refreshes (RlConnection  *self);

/* Tests: offer no subprotocol newer than redline.v1.minor (0: v1 alone),
 * as an older client would; from the next link on. */
void               rl_connection_set_max_minor  (RlConnection   *self,
                                                 int             minor);

G_END_DECLS
