/* rl-metrics.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-metrics.h"

#include "rl-time.h"

/* A commit is an fsync or two: a millisecond on an SSD, tens on a disk, up
 * to the 2 s busy timeout when another process holds the lock. */
static const double commit_bounds[RL_METRICS_COMMIT_BUCKETS] = {
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
};

static const char *transport_names[RL_METRICS_N_TRANSPORTS] = { "http", "websocket" };

RlMetrics *
rl_metrics_new (void)
{
  RlMetrics *self = g_new0 (RlMetrics, 1);

  self->started_at_ms = rl_time_now_ms ();
  return self;
}

void
rl_metrics_free (RlMetrics *self)
{
  g_free (self);
}

void
rl_metrics_count_refusal (RlMetrics          *self,
                          RlMetricsTransport  transport,
                          RlErrorCode         code)
{
  if ((guint) code < RL_METRICS_N_CODES)
    self->refused[transport][code]++;
}

void
rl_metrics_observe_commit (RlMetrics *self,
                           double     seconds)
{
  for (guint i = 0; i < RL_METRICS_COMMIT_BUCKETS; i++)
    if (seconds <= commit_bounds[i])
      {
        self->commit_buckets[i]++;
        break;
      }
  self->commit_count++;
  self->commit_seconds += seconds;
}

static void
family (GString    *out,
        const char *name,
        const char *type,
        const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample (GString    *out,
        const char *name,
        const char *help,
        const char *type,
        guint64     value)
{
  family (out, name, type, help);
  g_string_append_printf (out, "%s %" G_GUINT64_FORMAT "\n", name, value);
}

static void
append_double (GString *out,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* Locale-independent, shortest exact form. */
  g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, value));
}

char *
rl_metrics_format (RlMetrics             *self,
                   const RlMetricsLevels *levels)
{
  GString *out = g_string_new (NULL);
  guint64 cumulative = 0;

  family (out, "redline_build_info", "gauge", "The server's version (always 1).");
  /* Several nodes behind one address: the node says which answered. Its
   * name is checked to be letters, digits and . _ : - (no escaping). */
  if (levels->node != NULL)
    g_string_append_printf (out, "redline_build_info{version=\"%s\",node=\"%s\"} 1\n", PACKAGE_VERSION, levels->node);
  else
    g_string_append_printf (out, "redline_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
  family (out, "redline_start_time_seconds", "gauge", "When the server started, in seconds since the Unix epoch.");
  append_double (g_string_append (out, "redline_start_time_seconds "), self->started_at_ms / 1000.0);
  g_string_append_c (out, '\n');

  sample (out, "redline_connections", "Open WebSocket connections.", "gauge", levels->connections);
  sample (out, "redline_connections_opened_total", "WebSocket connections accepted.", "counter",
          self->connections_opened);
  sample (out, "redline_connections_compressed_total",
          "WebSocket connections accepted with permessage-deflate.", "counter", self->connections_compressed);
  sample (out, "redline_subscribers", "Subscriptions: a connection subscribed to a document counts once per document.",
          "gauge", levels->subscribers);
  sample (out, "redline_rooms", "Documents with at least one subscriber.", "gauge", levels->rooms);

  sample (out, "redline_events_committed_total", "Changes committed, each given the next seq of its document.",
          "counter", self->events_committed);
  sample (out, "redline_commit_groups_total", "Transactions that committed changes, each holding those that arrived "
          "while the one before was in flight.", "counter", levels->commit_groups);
  sample (out, "redline_events_sent_total", "Events sent to subscribers, counting each subscriber reached.",
          "counter", self->events_sent);
  sample (out, "redline_batches_sent_total", "Batch frames the fan-out made (each goes to every subscriber of its document).",
          "counter", self->batches_sent);
  sample (out, "redline_frames_sent_total", "WebSocket text frames sent (events, batches, acks, snapshots, presence).",
          "counter", self->frames_sent);
  sample (out, "redline_sent_bytes_total", "Payload bytes of the WebSocket text frames sent.", "counter",
          self->bytes_sent);
  sample (out, "redline_frames_received_total", "WebSocket data frames received.", "counter",
          self->frames_received);
  sample (out, "redline_received_bytes_total", "Payload bytes of the WebSocket data frames received.", "counter",
          self->bytes_received);
  sample (out, "redline_send_queue_drops_total",
          "Connections closed (1008) for falling further behind than the send queue limit.", "counter",
          self->send_queue_drops);
  sample (out, "redline_http_requests_total", "HTTP requests answered (WebSocket upgrades not included).",
          "counter", self->http_requests);

  family (out, "redline_requests_refused_total", "counter",
          "Requests refused, by error code (rate-limited included) and transport.");
  for (guint t = 0; t < RL_METRICS_N_TRANSPORTS; t++)
    for (guint c = 0; c < RL_METRICS_N_CODES; c++)
      g_string_append_printf (out, "redline_requests_refused_total{transport=\"%s\",code=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              transport_names[t], rl_error_code_to_string ((RlErrorCode) c), self->refused[t][c]);

  family (out, "redline_commit_duration_seconds", "histogram",
          "Time to commit a change (its transaction, fsync included).");
  for (guint i = 0; i < RL_METRICS_COMMIT_BUCKETS; i++)
    {
      cumulative += self->commit_buckets[i];
      g_string_append (out, "redline_commit_duration_seconds_bucket{le=\"");
      append_double (out, commit_bounds[i]);
      g_string_append_printf (out, "\"} %" G_GUINT64_FORMAT "\n", cumulative);
    }
  g_string_append_printf (out, "redline_commit_duration_seconds_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n",
                          self->commit_count);
  append_double (g_string_append (out, "redline_commit_duration_seconds_sum "), self->commit_seconds);
  g_string_append_printf (out, "\nredline_commit_duration_seconds_count %" G_GUINT64_FORMAT "\n",
                          self->commit_count);

  return g_string_free (out, FALSE);
}
