/* rl-metrics.h — the server's counters, read at /metrics in the Prometheus
 * text exposition format (version 0.0.4)
 *
 * Plain fields, bumped where things happen (one main loop: no atomics);
 * what is a level rather than a count (connections, subscribers) is passed
 * in when the text is made.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rl-error.h"

G_BEGIN_DECLS

/* Upper bounds, in seconds, of the commit latency histogram's buckets. */
#define RL_METRICS_COMMIT_BUCKETS 12

/* The codes a request can be refused with (the wire's, RL_ERROR_UNAUTHORIZED
 * included). */
#define RL_METRICS_N_CODES (RL_ERROR_UNAUTHORIZED + 1)

typedef enum
{
  RL_METRICS_HTTP,
  RL_METRICS_WEBSOCKET,
  RL_METRICS_N_TRANSPORTS
} RlMetricsTransport;

typedef struct
{
  guint64 connections_opened;    /* WebSocket sessions */
  guint64 connections_compressed; /* of which negotiated permessage-deflate */
  guint64 frames_sent;
  guint64 bytes_sent;            /* payload bytes */
  guint64 frames_received;
  guint64 bytes_received;
  guint64 events_committed;
  guint64 events_sent;           /* one per event per subscriber it reached */
  guint64 batches_sent;          /* batch frames built by the fan-out */
  guint64 send_queue_drops;      /* subscribers closed as too far behind */
  guint64 refused[RL_METRICS_N_TRANSPORTS][RL_METRICS_N_CODES];
  guint64 http_requests;
  guint64 commit_buckets[RL_METRICS_COMMIT_BUCKETS];   /* not cumulative */
  guint64 commit_count;
  double  commit_seconds;
  gint64  started_at_ms;
} RlMetrics;

/* Levels, read when the text is made. */
typedef struct
{
  guint connections;             /* open WebSockets */
  guint subscribers;             /* subscriptions: connection × document */
  guint rooms;                   /* documents with a subscriber */
  guint64 commit_groups;         /* transactions of group commit */
  const char *node;              /* which node answers (NULL: the only server) */
} RlMetricsLevels;

RlMetrics *rl_metrics_new            (void);
void       rl_metrics_free           (RlMetrics          *self);
void       rl_metrics_count_refusal  (RlMetrics          *self,
                                      RlMetricsTransport  transport,
                                      RlErrorCode         code);
void       rl_metrics_observe_commit (RlMetrics          *self,
                                      double              seconds);
/* The exposition text. */
char      *rl_metrics_format         (RlMetrics          *self,
                                      const RlMetricsLevels *levels);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlMetrics, rl_metrics_free)

G_END_DECLS
