/* rl-snapshot-cache.h — the last confirmed state of each open document, on disk
 *
 * So the app can show a document's markers when it starts offline. One
 * directory per account, BASE/redline/snapshots/KEY/ (mode 0700), where
 * BASE is the user's cache directory and KEY the SHA-256 of the server URL
 * and the user id; one file per document, DOC.json (mode 0600):
 *
 *   {"version":1,"doc":…,"kind":"image","snapshot":{"seq":N,"threads":[…]}}
 *
 * "snapshot" is the codec's threads body, the shape of GET …/threads.
 * Files are replaced atomically. A file that is not a regular file (a
 * symbolic link is not followed), cannot be read, is cut short, is of
 * another version, is larger than RL_SNAPSHOT_CACHE_MAX_BYTES or is about
 * another document is not used: load fails with a G_IO_ERROR.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-model.h"

G_BEGIN_DECLS

#define RL_SNAPSHOT_CACHE_VERSION   1
#define RL_SNAPSHOT_CACHE_MAX_BYTES (32 * 1024 * 1024)

#define RL_TYPE_SNAPSHOT_CACHE (rl_snapshot_cache_get_type ())
G_DECLARE_FINAL_TYPE (RlSnapshotCache, rl_snapshot_cache, RL, SNAPSHOT_CACHE, GObject)

/* base: the cache directory to use, NULL for g_get_user_cache_dir (). */
RlSnapshotCache *rl_snapshot_cache_new           (const char       *base,
                                                  const char       *server_url,
                                                  const char       *user_id);
/* The account's directory (it may not exist yet). */
const char      *rl_snapshot_cache_get_directory (RlSnapshotCache  *self);
/* KEY of the account's directories: the SHA-256 of the server URL and the
 * user id, so neither is readable from a path and no URL character can
 * reach the file system. */
char            *rl_snapshot_cache_dup_account_key (const char     *server_url,
                                                    const char     *user_id);
/* Whether doc may name a file: 1–128 of [A-Za-z0-9_-], as the server makes
 * them, so no id can reach outside the directory. */
gboolean         rl_snapshot_cache_doc_id_is_valid (const char     *doc);
/* The file of doc; NULL with G_IO_ERROR_INVALID_FILENAME for an id that is
 * not valid. */
char            *rl_snapshot_cache_dup_path      (RlSnapshotCache  *self,
                                                  const char       *doc,
                                                  GError          **error);

/* Reads doc's file (blocking: it is small and read once, when a document
 * opens). G_IO_ERROR_NOT_FOUND when there is none, INVALID_FILENAME,
 * MESSAGE_TOO_LARGE or INVALID_DATA when it is not used. threads: of
 * RlThread*. */
gboolean         rl_snapshot_cache_load          (RlSnapshotCache  *self,
                                                  const char       *doc,
                                                  RlDocKind        *kind,
                                                  gint64           *seq,
                                                  GPtrArray       **threads,
                                                  GError          **error);
/* Writes doc's file now (blocking). */
gboolean         rl_snapshot_cache_save          (RlSnapshotCache  *self,
                                                  const char       *doc,
                                                  RlDocKind         kind,
                                                  gint64            seq,
                                                  GPtrArray        *threads,
                                                  GError          **error);
/* The same, encoded now and written in a worker thread; writes land in the
 * order they were asked for, so the newest state is the one that stays. */
void             rl_snapshot_cache_save_async    (RlSnapshotCache  *self,
                                                  const char       *doc,
                                                  RlDocKind         kind,
                                                  gint64            seq,
                                                  GPtrArray        *threads,
                                                  GCancellable     *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer          user_data);
gboolean         rl_snapshot_cache_save_finish   (RlSnapshotCache  *self,
                                                  GAsyncResult     *result,
                                                  GError          **error);
/* Writes asked for and not yet on disk. */
guint            rl_snapshot_cache_get_n_pending (RlSnapshotCache  *self);

G_END_DECLS
