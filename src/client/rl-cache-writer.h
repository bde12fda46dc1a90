/* rl-cache-writer.h — a cache's writes, one at a time, in a worker thread
 * (internal)
 *
 * RlSnapshotCache and RlDocCache queue each write as the GTask of the call
 * that asked for it; the writer runs them one after the other, in the
 * order asked, and returns each one's result on its task.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Does one write, in a worker thread; job is the queued task's data, read
 * only. */
typedef gboolean (*RlCacheWriteFunc) (gpointer   job,
                                      GError   **error);

#define RL_TYPE_CACHE_WRITER (rl_cache_writer_get_type ())
G_DECLARE_FINAL_TYPE (RlCacheWriter, rl_cache_writer, RL, CACHE_WRITER, GObject)

/* what: the cache, for debug messages ("document cache"). */
RlCacheWriter *rl_cache_writer_new           (RlCacheWriteFunc  write,
                                              const char       *what);
/* Queues task, whose data is the job for write; once written, the task
 * returns a boolean or the error. */
void           rl_cache_writer_push          (RlCacheWriter    *self,
                                              GTask            *task);
/* Writes queued and not yet done. */
guint          rl_cache_writer_get_n_pending (RlCacheWriter    *self);

G_END_DECLS
