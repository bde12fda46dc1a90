/* rl-activity-item.h — one item of the activity feed as a list item
 *
 * The items of RlActivityFeed's recent list: an activity's value (a
 * mention or a reply, with the whole comment), never changed in place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rl-activity.h"

G_BEGIN_DECLS

#define RL_TYPE_ACTIVITY_ITEM (rl_activity_item_get_type ())
G_DECLARE_FINAL_TYPE (RlActivityItem, rl_activity_item, RL, ACTIVITY_ITEM, GObject)

/* A copy of activity. */
RlActivityItem   *rl_activity_item_new          (const RlActivity *activity);
const RlActivity *rl_activity_item_get_activity (RlActivityItem   *self);

G_END_DECLS
