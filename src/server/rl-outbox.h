/* rl-outbox.h — the byte stream a WebSocket connection writes through
 *
 * libsoup 3.2 frames and copies every message for every connection, and
 * formats two debug lines as it does. The fan-out frames one event once
 * (rl_outbox_frame_text) and hands the same bytes to every subscriber's
 * outbox. The outbox sits between libsoup and the socket (or TLS) stream, so
 * its own frames (acks, pings, pongs, close) and the shared ones go out
 * whole and in order through one queue: written at once when nothing waits,
 * else queued (shared bytes by reference) and written when the socket can
 * take them. Writes never block libsoup; a subscriber that falls further
 * behind than the limit is refused new shared frames. A shared frame is
 * also made once compressed (rl_outbox_frame_deflated), for the
 * connections that negotiated permessage-deflate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RL_TYPE_OUTBOX (rl_outbox_get_type ())
G_DECLARE_FINAL_TYPE (RlOutbox, rl_outbox, RL, OUTBOX, GIOStream)

/* Queued bytes past which shared frames are refused. */
#define RL_OUTBOX_DEFAULT_LIMIT (8 * 1024 * 1024)

/* base: the upgraded connection; context: where the queue is written out
 * when the socket drains (the connection's subloop). */
RlOutbox *rl_outbox_new          (GIOStream     *base,
                                  GMainContext  *context,
                                  gsize          limit);
/* Sends a frame made by rl_outbox_frame_text (bytes kept by reference).
 * FALSE: the link failed, or the queue is past the limit. */
gboolean  rl_outbox_send_frame   (RlOutbox      *self,
                                  GBytes        *frame,
                                  GError       **error);

/* An unmasked final text frame (RFC 6455 §5.2), as a server sends it. */
GBytes   *rl_outbox_frame_text   (const char    *payload,
                                  gsize          length);
/* Messages shorter than this go uncompressed even to a connection that
 * negotiated permessage-deflate (RFC 7692 §6: compression is chosen per
 * message, by RSV1): an ack or a presence frame gains nothing from it, and
 * costs a compressor reset (a 64 KiB table cleared) to make and an inflater
 * to read. */
#define RL_OUTBOX_DEFLATE_MIN_BYTES 128
#define rl_outbox_worth_deflating(length) ((length) >= RL_OUTBOX_DEFLATE_MIN_BYTES)

/* The same message for a connection that negotiated permessage-deflate:
 * its payload compressed by rl_outbox_deflate, RSV1 set (RFC 7692 §6), or
 * the plain frame when it is not worth compressing. */
GBytes   *rl_outbox_frame_deflated (const char  *payload,
                                    gsize        length);
/* A message's payload as permessage-deflate sends it with no context
 * takeover (RFC 7692 §7.2.1): raw deflate of this message alone, flushed,
 * its trailing 00 00 ff ff removed; any receiver inflates it by itself.
 * The compressor is the calling thread's, reset after every message. */
GBytes   *rl_outbox_deflate      (const guint8  *data,
                                  gsize          length);

G_END_DECLS
