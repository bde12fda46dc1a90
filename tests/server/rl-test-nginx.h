/* rl-test-nginx.h — Debian's nginx as the WebSocket load balancer in front
 * of several redline-server nodes, for the failover tests
 *
 * The configuration is the one docs/cluster.md gives (WebSocket upgrade,
 * long read timeouts, a failed node skipped for the next connections), in a
 * temporary directory; nginx runs in the foreground as a child of the test
 * and is stopped by rl_test_nginx_free.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-test-server.h"

G_BEGIN_DECLS

typedef struct _RlTestNginx RlTestNginx;

/* Starts nginx on a free 127.0.0.1 port, balancing over the servers (each
 * started already), and waits until it accepts connections. */
RlTestNginx  *rl_test_nginx_start    (RlTestServer **servers,
                                      guint          n_servers);
/* What clients connect to: a server whose url, ws_url, ws_base and port
 * are nginx's (no process of its own: never start or stop it). */
RlTestServer *rl_test_nginx_front    (RlTestNginx   *nginx);
void          rl_test_nginx_free     (RlTestNginx   *nginx);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlTestNginx, rl_test_nginx_free)

G_END_DECLS
