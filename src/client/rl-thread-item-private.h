/* rl-thread-item-private.h — what the document store shows threads with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-thread-item.h"

G_BEGIN_DECLS

/* An item that shows nothing until rl_thread_item_set_thread. */
RlThreadItem *rl_thread_item_new        (void);
/* Shows thread (holding a reference); comments keep their items where id
 * and content match. Notifies "thread" unless nothing a reader can see
 * changed. */
void          rl_thread_item_set_thread (RlThreadItem *self,
                                         RlThread     *thread);

G_END_DECLS
