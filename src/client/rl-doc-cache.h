/* rl-doc-cache.h — the documents an account has seen, on disk
 *
 * So an app that starts without a network lists the documents it listed
 * before and opens the ones it opened before (their threads are kept by
 * RlSnapshotCache). One directory per account, BASE/redline/documents/KEY/
 * (mode 0700), KEY as in RlSnapshotCache (the server URL and the user id,
 * hashed); in it, files of mode 0600:
 *
 *   documents.json  {"version":1,"documents":[…]}: the last list, each
 *                   document as the codec writes it
 *   DOC.content     one line of JSON, {"version":1,"doc":…,"etag":…,
 *                   "size":N,"sha256":…}, then the N bytes of the content
 *
 * A document's content never changes once uploaded, so it is kept by id,
 * with the ETag the server gave it (the API asks with If-None-Match; a 304
 * answers from here). Contents are bounded by a byte budget: after each
 * write, the least recently used (written or read) are removed until the
 * rest fit. Files are written under a temporary name and renamed, so a
 * crash leaves the old file or the new one. A file that is not a regular
 * file, is larger than it may be, cannot be read, is cut short, fails its
 * checksum, or is of another version or document is not used: the load
 * fails with a G_IO_ERROR, and nothing else changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-model.h"

G_BEGIN_DECLS

#define RL_DOC_CACHE_VERSION         1
/* What the contents of one account may take on disk, by default. */
#define RL_DOC_CACHE_DEFAULT_BUDGET  ((guint64) 256 * 1024 * 1024)
/* The largest list file read. */
#define RL_DOC_CACHE_LIST_MAX_BYTES  (8 * 1024 * 1024)

#define RL_TYPE_DOC_CACHE (rl_doc_cache_get_type ())
G_DECLARE_FINAL_TYPE (RlDocCache, rl_doc_cache, RL, DOC_CACHE, GObject)

/* base: the cache directory to use, NULL for g_get_user_cache_dir ();
 * budget: bytes the contents may take (0: RL_DOC_CACHE_DEFAULT_BUDGET). */
RlDocCache *rl_doc_cache_new                 (const char          *base,
                                              const char          *server_url,
                                              const char          *user_id,
                                              guint64              budget);
/* The account's directory (it may not exist yet). */
const char *rl_doc_cache_get_directory       (RlDocCache          *self);
const char *rl_doc_cache_get_user_id         (RlDocCache          *self);
guint64     rl_doc_cache_get_budget          (RlDocCache          *self);
/* The file of doc's content; NULL with G_IO_ERROR_INVALID_FILENAME for an
 * id rl_snapshot_cache_doc_id_is_valid refuses. */
char       *rl_doc_cache_dup_content_path    (RlDocCache          *self,
                                              const char          *doc,
                                              GError             **error);

/* The last list saved, of RlDocument* (blocking: the file is small).
 * G_IO_ERROR_NOT_FOUND when there is none; INVALID_DATA or
 * MESSAGE_TOO_LARGE when it is not used (a document id that could not
 * name a file makes the whole list unused). */
GPtrArray  *rl_doc_cache_load_documents      (RlDocCache          *self,
                                              GError             **error);
/* docs: of RlDocument*, encoded now, written in the worker. */
void        rl_doc_cache_save_documents_async (RlDocCache         *self,
                                               GPtrArray          *docs,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean    rl_doc_cache_save_documents_finish (RlDocCache        *self,
                                                GAsyncResult      *result,
                                                GError           **error);

/* doc's content and its ETag, read and checked in a worker thread; a read
 * counts as a use. */
void        rl_doc_cache_load_content_async  (RlDocCache          *self,
                                              const char          *doc,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GBytes     *rl_doc_cache_load_content_finish (RlDocCache          *self,
                                              GAsyncResult        *result,
                                              char               **etag,
                                              GError             **error);
/* Keeps content under doc with etag (printable ASCII, as the server sent
 * it), then removes the least recently used until the budget holds.
 * G_IO_ERROR_NO_SPACE for content larger than the budget or an upload,
 * INVALID_ARGUMENT for an ETag that is not one. */
void        rl_doc_cache_save_content_async  (RlDocCache          *self,
                                              const char          *doc,
                                              const char          *etag,
                                              GBytes              *content,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    rl_doc_cache_save_content_finish (RlDocCache          *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* Writes asked for and not yet done (they are done one at a time, in the
 * order asked). */
guint       rl_doc_cache_get_n_pending       (RlDocCache          *self);

G_END_DECLS
