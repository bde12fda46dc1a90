/* rl-activity-feed-private.h — test hooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-activity-feed.h"

G_BEGIN_DECLS

/* Tests: the next n items are lost on the way, as if the server had
 * skipped them. */
void            rl_activity_feed_drop_items_for_testing (RlActivityFeed *self,
                                                         guint           n);
/* Tests: document re-reads in flight. */
guint           rl_activity_feed_get_n_fetching         (RlActivityFeed *self);

G_END_DECLS
