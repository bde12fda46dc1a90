/* rl-activity-feed.h — what concerns the user across the tenant, kept current
 *
 * One subscription per connection (protocol 1.2, docs/protocol.md
 * "Activity") delivers the user's activity: mentions of them, replies in
 * threads that are theirs, resolutions, new revisions, and what they marked
 * read on any of their connections. The feed subscribes whenever the
 * connection is online on a 1.2 link (with `since` after the first time)
 * and keeps the items strictly in aseq order as RlDocStore keeps a
 * document's events (rl-stream.h): a duplicate is dropped, a gap
 * subscribes again with since, a reset starts over from its snapshot. So
 * a reconnect loses nothing and repeats nothing.
 *
 * It holds what is unread per document (the snapshot's, then re-read over
 * HTTP for each document an item or an unread-hint names, one request at
 * a time per document) and the recent mentions and replies. The hint
 * keeps a document's counts live when nothing of it is the user's
 * activity (a comment in a thread they are not in). On a link before 1.2 it
 * stays empty and asks nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-activity-item.h"
#include "rl-api.h"
#include "rl-connection.h"

G_BEGIN_DECLS

#define RL_TYPE_ACTIVITY_FEED (rl_activity_feed_get_type ())
G_DECLARE_FINAL_TYPE (RlActivityFeed, rl_activity_feed, RL, ACTIVITY_FEED, GObject)

/* Mentions and replies kept in the recent list. */
#define RL_ACTIVITY_FEED_MAX_RECENT 100

/* The one feed of connection (a session's): every caller shares it and
 * its subscription, so each item is told once however many windows look.
 * api: the same account's, for re-reading a document's unread counts. */
RlActivityFeed *rl_activity_feed_get          (RlConnection   *connection,
                                               RlApi          *api);

RlConnection   *rl_activity_feed_get_connection (RlActivityFeed *self);
/* The last aseq applied; -1 before the first snapshot ("aseq" notifies). */
gint64          rl_activity_feed_get_aseq     (RlActivityFeed *self);
/* Subscribed on the current link, nothing missing ("synced" notifies). */
gboolean        rl_activity_feed_is_synced    (RlActivityFeed *self);
/* The recent mentions and replies, a GListModel of RlActivityItem, newest
 * first, at most RL_ACTIVITY_FEED_MAX_RECENT: the snapshot's (the last
 * ones of the server's log), then each new one at the top. */
GListModel     *rl_activity_feed_get_recent   (RlActivityFeed *self);
/* What the user has not read in the document doc_id; FALSE (counts all 0)
 * when nothing, as far as the feed knows. */
gboolean        rl_activity_feed_get_unread   (RlActivityFeed *self,
                                               const char     *doc_id,
                                               RlUnreadCounts *counts);
/* Every document with something unread, of RlActivityUnread* (the
 * document's id, title and kind, and its counts), a copy. */
GPtrArray      *rl_activity_feed_dup_unread   (RlActivityFeed *self);
/* Reads doc_id's unread counts again (GET /api/v1/docs/{id}), as after an
 * item naming it: for the app when it knows they changed otherwise (a
 * comment that is no activity of the user's). Coalesced: one request per
 * document at a time, and one more after it when asked meanwhile. */
void            rl_activity_feed_refresh_unread (RlActivityFeed *self,
                                                 const char     *doc_id);
/* How often a gap in aseqs made the feed subscribe again with since. */
guint           rl_activity_feed_get_n_gap_resubscribes (RlActivityFeed *self);

G_END_DECLS
