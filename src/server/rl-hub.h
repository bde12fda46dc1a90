/* rl-hub.h — rooms (one per open document), presence and fan-out
 *
 * Events committed during one main-loop turn are sent together: one event
 * alone as itself, several as one `batch` frame, serialized once and written
 * with the same bytes to every subscriber. Nothing is held back when quiet.
 *
 * Events may be committed on other nodes too (several servers on one
 * store). Each room knows the last seq it has delivered; whatever the order
 * and however often an event is announced, the room's subscribers get each
 * seq once and in order: one already delivered is dropped, and one that
 * leaves a gap (or comes without its text) brings what is missing from the
 * store's log, or a snapshot with "reset": true when the log no longer holds
 * it (PROTOCOL.md §5). A document nobody here watches costs nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rl-metrics.h"
#include "rl-store.h"
#include "rl-subscriber.h"
#include "rl-usage.h"

G_BEGIN_DECLS

#define RL_TYPE_HUB (rl_hub_get_type ())
G_DECLARE_FINAL_TYPE (RlHub, rl_hub, RL, HUB, GObject)

/* What the rooms send is counted in usage. */
RlHub       *rl_hub_new              (RlStore          *store,
                                      RlUsage          *usage);

/* Adds subscriber to the document's room (once) and schedules presence for
 * the room; one already in it gets the presence alone (every subscribe is
 * answered with one, PROTOCOL.md §4). seq: where the snapshot or replay it
 * was just sent leaves it. Its stream goes on right after seq: the others
 * first get what they had not been sent up to seq (the head may have moved
 * on another node), and it gets what they had been sent past seq. Returns
 * the seq its stream is at then, which its subscribe's ack says: seq, or
 * further when the room had sent more (a commit that landed between the
 * store's read and the join). */
gint64       rl_hub_join             (RlHub            *self,
                                      RlSubscriber     *subscriber,
                                      const char       *tenant,
                                      const char       *doc,
                                      gint64            seq);
/* The seq up to which the document's room has sent or queued every event,
 * or -1 when nobody here watches it: a subscriber that joins with a
 * snapshot at that seq continues right after it, whatever the store's head
 * is by then (the room brings it what follows, as it comes). */
gint64       rl_hub_get_delivered    (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc);
void         rl_hub_leave            (RlHub            *self,
                                      RlSubscriber     *subscriber,
                                      const char       *tenant,
                                      const char       *doc);
/* Sends whatever the room still holds, so a new subscriber's snapshot and
 * the live stream meet exactly. */
/* A busy room sends at most one frame per interval (0: one per turn of
 * the main loop); a quiet one sends at once. */
#define RL_HUB_FRAME_INTERVAL_MS 16
void         rl_hub_set_frame_interval (RlHub          *self,
                                        guint           ms);
void         rl_hub_flush_room       (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc);
void         rl_hub_flush_all        (RlHub            *self);
/* Queues an event committed here (at seq; its one serialization, taken)
 * for the room's subscribers. */
void         rl_hub_publish          (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc,
                                      gint64            seq,
                                      char             *serialized);
/* The same for an event committed on another node; serialized (taken) is
 * NULL when the announcement could not carry it: it is read from the log. */
void         rl_hub_publish_remote   (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc,
                                      gint64            seq,
                                      char             *serialized);
/* Every room reads from the log what it has not delivered (after the link
 * that announces other nodes' events was lost and is back). */
void         rl_hub_catch_up         (RlHub            *self);
/* Presence with several nodes (a shared store): each room tells the store
 * who views its document here, and its presence frames count the distinct
 * users of every node (rl_store_get_viewers). */
/* Another node's viewers of the document changed: its room (if any) sends
 * presence again (coalesced as always). */
void         rl_hub_viewers_changed  (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc);
/* Tells the store again who views each room's document here (after the
 * link to the other nodes was lost: a node silent too long is counted out). */
void         rl_hub_publish_viewers  (RlHub            *self);

/* ---- activity feeds (protocol 1.2) ---- */

/* rl_hub_activity_notify for each item a commit added (RlStoreActivity*). */
void         rl_hub_activity_notify_all (RlHub         *self,
                                         GPtrArray     *activity);

/* A user's activity-snapshot as it is now (reset: "reset":true), and its
 * aseq in *aseq. */
char        *rl_hub_activity_snapshot (RlHub           *self,
                                       const char      *tenant,
                                       const char      *user,
                                       gboolean         reset,
                                       gint64          *aseq);
/* subscriber follows tenant's user's feed from aseq on (its snapshot or
 * replay left it there); again: from there on, once. */
void         rl_hub_activity_join     (RlHub           *self,
                                       RlSubscriber    *subscriber,
                                       const char      *tenant,
                                       const char      *user,
                                       gint64           aseq);
/* FALSE when it did not follow it. */
gboolean     rl_hub_activity_leave    (RlHub           *self,
                                       RlSubscriber    *subscriber,
                                       const char      *tenant,
                                       const char      *user);
/* The user's log holds items up to aseq (committed here or on another
 * node): each follower gets, once and in order, what it was not sent, read
 * from the log; one whose items the log no longer holds is sent a reset
 * activity-snapshot. */
void         rl_hub_activity_notify   (RlHub           *self,
                                       const char      *tenant,
                                       const char      *user,
                                       gint64           aseq);

/* ---- unread hints (protocol 1.2) ---- */

/* A hint goes to a connection at most once per interval per document; one
 * asked for within it goes at its end (one, however many were asked). */
#define RL_HUB_HINT_INTERVAL_MS 1000
/* Past this many documents hinted to one connection, those whose interval
 * is over are forgotten (a hint for them would go at once anyway). */
#define RL_HUB_HINTS_KEPT 64
/* Whether event (committed here or on another node) may change someone's
 * unread counts of its document: a comment or thread created or deleted. */
gboolean     rl_hub_event_changes_unread (const RlEvent *event);
/* Whether any connection here follows the feed of one of tenant's users. */
gboolean     rl_hub_has_followers    (RlHub           *self,
                                      const char      *tenant);
/* What is unread in tenant's doc may have changed for anyone: every
 * connection here that follows a feed of tenant's (and no other) is sent
 * {"type":"unread-hint","doc":…}, coalesced as above. Not logged, no aseq:
 * it carries no data, so a lost one costs nothing (docs/protocol.md,
 * "Activity"). */
void         rl_hub_unread_hint       (RlHub           *self,
                                       const char      *tenant,
                                       const char      *doc);

/* The server's counters (the hub's, for the server and its peers). */
RlMetrics   *rl_hub_get_metrics      (RlHub            *self);
/* Subscriptions (connection × document) and documents with subscribers. */
void         rl_hub_get_levels       (RlHub            *self,
                                      guint            *subscribers,
                                      guint            *rooms);
/* The document is gone: its subscribers are closed with code (after what
 * was committed before). */
void         rl_hub_close_document   (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc,
                                      gushort           code,
                                      const char       *reason);

G_END_DECLS
