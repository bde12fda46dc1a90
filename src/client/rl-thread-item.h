/* rl-thread-item.h — one thread as a list item
 *
 * The items of RlDocStore's thread list. An item stays the same object for
 * as long as its thread is shown: when the thread changes, "thread" is
 * notified and only the comments that changed get new items.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-comment-item.h"

G_BEGIN_DECLS

#define RL_TYPE_THREAD_ITEM (rl_thread_item_get_type ())
G_DECLARE_FINAL_TYPE (RlThreadItem, rl_thread_item, RL, THREAD_ITEM, GObject)

/* The thread as shown now ("notify::thread" when it changes). */
const RlThread  *rl_thread_item_get_thread   (RlThreadItem *self);
/* Of RlCommentItem, oldest first. */
GListModel      *rl_thread_item_get_comments (RlThreadItem *self);

G_END_DECLS
