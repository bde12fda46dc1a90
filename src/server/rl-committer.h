/* rl-committer.h — group commit: a store's mutations committed on a thread
 * of their own, as many to a transaction as arrived while the one before
 * was in flight
 *
 * Used by rl_store_apply_async (rl-store.c) for every store: the thread
 * works on a second store on the same database (the open_writer vfunc) and
 * commits each group with rl_store_apply_group. Tasks are returned in
 * their main context in the order they were pushed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-store.h"

G_BEGIN_DECLS

#define RL_TYPE_COMMITTER (rl_committer_get_type ())
G_DECLARE_FINAL_TYPE (RlCommitter, rl_committer, RL, COMMITTER, GObject)

/* writer: the store only the committer's thread will use from now on. */
RlCommitter *rl_committer_new                 (RlStore      *writer);
/* Passed on to the writer before its next group. */
void         rl_committer_set_event_log_limit (RlCommitter  *self,
                                               guint         limit);
/* Queues apply (taken); task (taken) returns it, done, as a pointer. An
 * apply with its error already set is returned in its turn, untouched. */
void         rl_committer_push                (RlCommitter  *self,
                                               RlStoreApply *apply,
                                               GTask        *task);
/* Blocks until everything pushed so far is committed (or failed). */
void         rl_committer_flush               (RlCommitter  *self);
/* How many transactions the thread has committed. */
guint64      rl_committer_get_transactions    (RlCommitter  *self);

G_END_DECLS
