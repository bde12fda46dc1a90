/* rl-comment-item.h — one comment as a list item
 *
 * The items of an RlThreadItem's comments: a comment's value, never
 * changed in place (an edit replaces the item).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rl-model.h"

G_BEGIN_DECLS

#define RL_TYPE_COMMENT_ITEM (rl_comment_item_get_type ())
G_DECLARE_FINAL_TYPE (RlCommentItem, rl_comment_item, RL, COMMENT_ITEM, GObject)

const RlComment *rl_comment_item_get_comment (RlCommentItem *self);

G_END_DECLS
