/* rl-deflate.h — permessage-deflate (RFC 7692) on the server's side
 *
 * The server always compresses with no context takeover: every message is
 * compressed alone (rl_outbox_deflate), so the hub compresses a shared
 * frame once for every connection that negotiated it, and what libsoup
 * sends itself on a connection (welcome, acks, snapshots) goes through the
 * same stateless compressor. An offer is accepted only when all of it can
 * be honoured; any other is declined (the connection goes on without the
 * extension), never refused. What a client sends compressed is inflated
 * with its message's size bounded by RL_MAX_FRAME_BYTES: past it the
 * connection closes with 1009, having inflated no more than that.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define RL_TYPE_DEFLATE (rl_deflate_get_type ())
G_DECLARE_FINAL_TYPE (RlDeflate, rl_deflate, RL, DEFLATE, SoupWebsocketExtension)

/* The first acceptable permessage-deflate offer of a request's
 * Sec-WebSocket-Extensions (offers: its value), configured for it; NULL
 * when none is. *response: the header value to answer with. */
RlDeflate *rl_deflate_negotiate (const char  *offers,
                                 char       **response);

G_END_DECLS
