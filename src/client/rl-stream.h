/* rl-stream.h — following one numbered stream of a connection
 *
 * A document's events (seq) and a user's activity feed (aseq) are kept the
 * same way (PROTOCOL.md §5, docs/protocol.md "Activity"): subscribed
 * whenever the connection is online (with `since` once something was
 * applied); an entry applied only when its number is the last applied + 1
 * (a smaller one is a duplicate, dropped; a larger one a gap, and the
 * stream is subscribed again with since). A subscribe that fails on a link
 * that stays up, from a server that was slow or busy, is asked again after
 * a while; a lost link brings a new subscribe when it is back.
 *
 * RlStream is that bookkeeping, embedded in its owner (RlDocStore,
 * RlActivityFeed), which says what to send and what an ack means.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-connection.h"

G_BEGIN_DECLS

typedef enum
{
  RL_STREAM_APPLY,      /* the next one */
  RL_STREAM_DUPLICATE,  /* applied before: dropped */
  RL_STREAM_GAP,        /* some are missing: subscribe again with since */
} RlStreamStep;

/* After a subscribe that failed on a live link. */
#define RL_STREAM_RESUBSCRIBE_MS 1000

/* The subscribe to send now (with since when something was applied), or
 * NULL when there is none to send (the link does not speak it). */
typedef RlRequest *(*RlStreamRequestFunc) (GObject   *owner);
/* The subscribe was answered: the stream is subscribed. */
typedef void       (*RlStreamAckedFunc)   (GObject   *owner,
                                           RlMessage *ack);

typedef struct
{
  RlConnection        *connection;     /* the owner's */
  GObject             *owner;          /* not owned: it embeds the stream */
  RlStreamRequestFunc  request;
  RlStreamAckedFunc    acked;
  gboolean             subscribed;     /* a subscribe was answered on this link */
  gboolean             subscribing;
  guint                resubscribe_id; /* a subscribe failed on a live link: asked again */
  guint                gap_resubscribes;
} RlStream;

/* What to do with number when last was the last applied. */
RlStreamStep rl_stream_step           (gint64               last,
                                       gint64               number);

void         rl_stream_init           (RlStream            *stream,
                                       RlConnection        *connection,
                                       GObject             *owner,
                                       RlStreamRequestFunc  request,
                                       RlStreamAckedFunc    acked);
/* Stops asking again (the owner's dispose). */
void         rl_stream_clear          (RlStream            *stream);
/* Subscribes when online and not already asking. */
void         rl_stream_subscribe      (RlStream            *stream);
/* A gap (or an ack that says something was missed): subscribes again. */
void         rl_stream_resubscribe    (RlStream            *stream);
/* The link is gone: no longer subscribed; whether it was. */
gboolean     rl_stream_lost           (RlStream            *stream);

G_END_DECLS
