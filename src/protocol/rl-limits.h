/* rl-limits.h — numbers both sides must agree on (PROTOCOL.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#define RL_PROTOCOL_VERSION        1
#define RL_WS_SUBPROTOCOL          "redline.v1"
/* Protocol 1.1 (docs/protocol.md, "Revisions"): a client offers it first. */
#define RL_WS_SUBPROTOCOL_V11      "redline.v1.1"
/* Protocol 1.2 (docs/protocol.md, "Activity"): offered before 1.1. */
#define RL_WS_SUBPROTOCOL_V12      "redline.v1.2"
#define RL_WS_PATH                 "/api/v1/ws"

#define RL_MAX_FRAME_BYTES         (64 * 1024)
#define RL_BODY_MAX_CHARS          4000
#define RL_CONTEXT_MAX_CHARS       32          /* anchor prefix / suffix */
#define RL_REQ_MAX_BYTES           128         /* the client's `req` tag */
#define RL_TITLE_MAX_CHARS         200
#define RL_NAME_MAX_CHARS          100
#define RL_TENANT_ID_MAX           40
#define RL_UPLOAD_MAX_BYTES        (50 * 1024 * 1024)
#define RL_USER_ID_MAX_BYTES       64
#define RL_MENTIONS_MAX            32          /* mentions in one comment (1.2) */
#define RL_ACTIVITY_SNAPSHOT_ITEMS 50          /* mention and reply items in an activity-snapshot */
#define RL_ACTIVITY_LOG_LIMIT      1000        /* items kept per user (serve --activity-log-limit) */

/* Decoded images: a mockup of 8000×6000 must pass; decompression bombs must not. */
#define RL_IMAGE_MAX_SIDE          32768
#define RL_IMAGE_MAX_PIXELS        (200 * 1000 * 1000)

#define RL_PING_INTERVAL_SECONDS   25          /* server pings every 20–30 s */
#define RL_DEAD_AFTER_SECONDS      (2 * RL_PING_INTERVAL_SECONDS + 5)
#define RL_ACK_TIMEOUT_SECONDS     10

#define RL_BAD_REQUESTS_PER_MINUTE 50
#define RL_PRESENCE_MIN_INTERVAL_MS 250        /* presence coalesced to ≤ 4/s */

/* The server's defenses (serve options change them; clients never see them
 * except as 408, 413 and 429 answers). */
#define RL_HANDSHAKE_TIMEOUT_SECONDS       10  /* TLS + request head; also idle keep-alive */
#define RL_BODY_TIMEOUT_SECONDS            30  /* an upload without a byte; an answer not moving */
#define RL_MAX_SOCKETS_PER_USER            32  /* WebSocket connections of one user */
#define RL_MAX_UNAUTHENTICATED_PER_ADDRESS 64  /* connections not signed in yet, per address */
