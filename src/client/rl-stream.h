/* rl-stream.h — what every numbered stream the client follows shares
 *
 * A document's events (seq) and a user's activity feed (aseq) are kept the
 * same way (PROTOCOL.md §5, docs/protocol.md "Activity"): an entry is
 * applied only when its number is the last applied + 1; a smaller one is a
 * duplicate, dropped; a larger one is a gap, and the stream is subscribed
 * again with `since`. A subscribe that fails on a link that stays up, from
 * a server that was slow or busy, is asked again after a while; a lost
 * link brings a new subscribe when it is back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  RL_STREAM_APPLY,      /* the next one */
  RL_STREAM_DUPLICATE,  /* applied before: dropped */
  RL_STREAM_GAP,        /* some are missing: subscribe again with since */
} RlStreamStep;

/* After a subscribe that failed on a live link. */
#define RL_STREAM_RESUBSCRIBE_MS 1000

/* What to do with number when last was the last applied. */
RlStreamStep rl_stream_step           (gint64        last,
                                       gint64        number);

/* After a subscribe failed with error: when it is one a live link gets
 * over (no ack in time, rate-limited, an internal error) and no retry is
 * due yet, schedules resubscribe (data) in RL_STREAM_RESUBSCRIBE_MS and
 * keeps its source id in *resubscribe_id; whether it did. The owner
 * removes the source when it goes. */
gboolean     rl_stream_retry_later    (guint        *resubscribe_id,
                                       const GError *error,
                                       GSourceFunc   resubscribe,
                                       gpointer      data);

G_END_DECLS
