/* rl-comment-item-private.h — what the thread item makes comment items with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-comment-item.h"

G_BEGIN_DECLS

/* Holds a copy of comment. */
RlCommentItem *rl_comment_item_new (const RlComment *comment);

G_END_DECLS
