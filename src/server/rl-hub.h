/* rl-hub.h — rooms (one per open document), presence and fan-out
 *
 * Events committed during one main-loop turn are sent together: one event
 * alone as itself, several as one `batch` frame, serialized once and written
 * with the same bytes to every subscriber. Nothing is held back when quiet.
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
 * answered with one, PROTOCOL.md §4). */
void         rl_hub_join             (RlHub            *self,
                                      RlSubscriber     *subscriber,
                                      const char       *tenant,
                                      const char       *doc);
void         rl_hub_leave            (RlHub            *self,
                                      RlSubscriber     *subscriber,
                                      const char       *tenant,
                                      const char       *doc);
/* Sends whatever the room still holds, so a new subscriber's snapshot and
 * the live stream meet exactly. */
void         rl_hub_flush_room       (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc);
void         rl_hub_flush_all        (RlHub            *self);
/* Queues an event (its one serialization, taken) for the room's subscribers. */
void         rl_hub_publish          (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc,
                                      char             *serialized);
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
