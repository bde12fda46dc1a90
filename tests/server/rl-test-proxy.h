/* rl-test-proxy.h — a TCP proxy in front of a test server that counts what
 * the client sends and can hold it back
 *
 * It runs in the default main context, so it moves bytes only while the
 * test iterates it (RL_TEST_WAIT_UNTIL, RL_UI_WAIT_UNTIL). A client
 * pointed at it ("ws://127.0.0.1:PORT") reaches the server through it;
 * what reaches the server is what it counts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RlTestProxy RlTestProxy;

/* Listens on 127.0.0.1, a free port; forwards to upstream_port there. */
RlTestProxy *rl_test_proxy_new            (guint        upstream_port);
void         rl_test_proxy_free           (RlTestProxy *proxy);
/* "ws://127.0.0.1:PORT", what RlApi and RlConnection take. */
const char  *rl_test_proxy_get_ws_base    (RlTestProxy *proxy);
/* Connections accepted so far, and those still open. */
guint        rl_test_proxy_get_n_accepted (RlTestProxy *proxy);
guint        rl_test_proxy_get_n_open     (RlTestProxy *proxy);
/* Bytes from clients forwarded to the server so far, all connections. */
guint64      rl_test_proxy_get_bytes_up   (RlTestProxy *proxy);
/* The same, leaving out WebSocket links (those whose first request asks
 * for the upgrade): what HTTP requests sent. */
guint64      rl_test_proxy_get_http_bytes_up (RlTestProxy *proxy);
/* Once an HTTP connection has forwarded this many bytes to the server,
 * what its client sends more is not read until rl_test_proxy_release (0:
 * never held). The client's writes then stall once the kernel's buffers
 * fill. WebSocket links are never held. */
void         rl_test_proxy_hold_after     (RlTestProxy *proxy,
                                           guint64      bytes);
/* Whether some connection is being held back now. */
gboolean     rl_test_proxy_is_holding     (RlTestProxy *proxy);
void         rl_test_proxy_release        (RlTestProxy *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlTestProxy, rl_test_proxy_free)

G_END_DECLS
