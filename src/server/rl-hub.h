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
#include "rl-plaintext.h"
#include "rl-store.h"

G_BEGIN_DECLS

typedef struct _RlPeer RlPeer;

#define RL_TYPE_HUB (rl_hub_get_type ())
G_DECLARE_FINAL_TYPE (RlHub, rl_hub, RL, HUB, GObject)

RlHub       *rl_hub_new              (RlStore          *store);

/* Adds peer to the document's room (once) and schedules presence for the
 * room; a peer already in it gets the presence alone (every subscribe is
 * answered with one, PROTOCOL.md §4). */
void         rl_hub_join             (RlHub            *self,
                                      RlPeer           *peer,
                                      const char       *tenant,
                                      const char       *doc);
void         rl_hub_leave            (RlHub            *self,
                                      RlPeer           *peer,
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
/* The document's snapshot frame at its head, cached until the next event. */
char        *rl_hub_snapshot         (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc,
                                      gint64           *seq);
/* The page's plain text, parsed once per server run. */
RlPageText  *rl_hub_get_page_text    (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc,
                                      GError          **error);

/* Usage: frames frames of bytes bytes in all went to tenant's connections. */
void         rl_hub_count_sent       (RlHub            *self,
                                      const char       *tenant,
                                      guint64           frames,
                                      guint64           bytes);
void         rl_hub_get_usage        (RlHub            *self,
                                      const char       *tenant,
                                      guint64          *messages,
                                      guint64          *bytes);
/* Writes pending usage counts to the store. */
void         rl_hub_save_usage       (RlHub            *self);

/* The server's counters (the hub's, for the server and its peers). */
RlMetrics   *rl_hub_get_metrics      (RlHub            *self);
/* Subscriptions (connection × document) and documents with subscribers. */
void         rl_hub_get_levels       (RlHub            *self,
                                      guint            *subscribers,
                                      guint            *rooms);
/* The document is gone: its subscribers' connections are closed with code
 * (after what was committed before), its caches dropped. */
void         rl_hub_close_document   (RlHub            *self,
                                      const char       *tenant,
                                      const char       *doc,
                                      gushort           code,
                                      const char       *reason);

G_END_DECLS
