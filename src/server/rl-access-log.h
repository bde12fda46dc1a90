/* rl-access-log.h — one line on standard error per HTTP request and per
 * WebSocket session, in logfmt:
 *
 *   access http remote=127.0.0.1 method=GET path=/api/v1/docs status=200 bytes=512 duration_ms=0.84
 *   access websocket remote=127.0.0.1 path=/api/v1/ws tenant=acme user=k3… close=1000 closed_by=client
 *          frames_in=12 bytes_in=4120 frames_out=40 bytes_out=30211 duration_ms=60210.5
 *
 * The path never carries its query (tokens travel there in invite links);
 * headers are never logged. Bytes outside printable ASCII, spaces, quotes
 * and '%' are written %XX, so a line stays one line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 frames_in;
  guint64 bytes_in;
  guint64 frames_out;
  guint64 bytes_out;
} RlTraffic;

/* bytes: the response body's. */
void rl_access_log_http      (const char      *remote,
                              const char      *method,
                              const char      *path,
                              guint            status,
                              gsize            bytes,
                              gint64           duration_us);
/* close_code: sent by the server when closed_by_server, else received
 * (1006 when the link ended without a close frame). */
void rl_access_log_websocket (const char      *remote,
                              const char      *path,
                              const char      *tenant,
                              const char      *user,
                              gushort          close_code,
                              gboolean         closed_by_server,
                              const RlTraffic *traffic,
                              gint64           duration_us);

G_END_DECLS
