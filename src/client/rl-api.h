/* rl-api.h — the HTTP API of a Redline server (PROTOCOL.md §6)
 *
 * One RlApi per account: the same token and TLS trust as its RlConnection,
 * over http:// or https:// of the same host and port as the account's ws://
 * or wss:// address. Every call is asynchronous and cancellable; a refusal
 * answers the error body's code in RL_ERROR (a body without one: the code
 * of the HTTP status), a server that cannot be reached answers
 * RL_ERROR_CONNECTION_LOST, a body the codec refuses RL_ERROR_BAD_REQUEST.
 *
 * With a cache (rl_api_set_cache), the document list and the contents
 * fetched are kept on disk too, so what was seen before shows offline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-doc-cache.h"
#include "rl-error.h"
#include "rl-member-item.h"
#include "rl-model.h"
#include "rl-plaintext.h"

G_BEGIN_DECLS

/* A document of the list, for list views. */
#define RL_TYPE_DOC_ITEM (rl_doc_item_get_type ())
G_DECLARE_FINAL_TYPE (RlDocItem, rl_doc_item, RL, DOC_ITEM, GObject)

/* Takes doc. */
RlDocItem        *rl_doc_item_new          (RlDocument  *doc);
const RlDocument *rl_doc_item_get_document (RlDocItem   *self);
const char       *rl_doc_item_get_id       (RlDocItem   *self);
const char       *rl_doc_item_get_title    (RlDocItem   *self);
RlDocKind         rl_doc_item_get_kind     (RlDocItem   *self);

#define RL_TYPE_API (rl_api_get_type ())
G_DECLARE_FINAL_TYPE (RlApi, rl_api, RL, API, GObject)

/* server_url: the account's "ws://HOST[:PORT]" or "wss://HOST[:PORT]";
 * tls_database: what to trust for https (NULL: the system's). NULL with
 * RL_ERROR_BAD_REQUEST for an address that is not ws:// or wss://. */
RlApi       *rl_api_new                     (const char           *server_url,
                                             const char           *token,
                                             GTlsDatabase         *tls_database,
                                             GError              **error);
/* "http://HOST[:PORT]" or "https://HOST[:PORT]". */
const char  *rl_api_get_base_url            (RlApi                *self);

/* Keeps the document list and the contents fetched in cache as well, and
 * reads them from it: a content request asks with the kept ETag (a 304
 * answers the kept bytes), and so does one to a server that cannot be
 * reached. Only a writable cache is written (the session makes it so once
 * the server has named the user); what was fetched before is written then.
 * NULL: none. */
void         rl_api_set_cache               (RlApi                *self,
                                             RlDocCache           *cache,
                                             gboolean              writable);
RlDocCache  *rl_api_get_cache               (RlApi                *self);
/* The list last kept in the cache, a GListModel of RlDocItem; NULL with
 * the cache's error when there is none (blocking: the file is small). */
GListModel  *rl_api_load_cached_documents   (RlApi                *self,
                                             GError              **error);

/* GET /api/v1/docs: a GListModel of RlDocItem, in the server's order. */
void         rl_api_list_documents          (RlApi                *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GListModel  *rl_api_list_documents_finish   (RlApi                *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* GET /api/v1/docs/{id}/content. Bytes fetched once are kept in memory
 * (and in the cache) with their ETag and asked for again with
 * If-None-Match; a 304 answers them, and so does a server that cannot be
 * reached (RL_ERROR_CONNECTION_LOST, or a proxy's 502, 503 or 504). */
void         rl_api_get_content             (RlApi                *self,
                                             const char           *doc_id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GBytes      *rl_api_get_content_finish      (RlApi                *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* How many content requests the server answered 304 Not Modified. */
guint        rl_api_get_n_not_modified      (RlApi                *self);

/* POST /api/v1/docs?title=…: the new document. Content over the upload
 * limit is refused (RL_ERROR_TOO_LARGE) before anything is sent. */
void         rl_api_upload                  (RlApi                *self,
                                             GBytes               *content,
                                             const char           *title,
                                             const char           *content_type,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
RlDocItem   *rl_api_upload_finish           (RlApi                *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* Uploads file as a new document, its body streamed from the file. Before
 * anything is sent, the file is checked as the server would: its type
 * (RL_ERROR_BAD_REQUEST unless PNG, JPEG, WebP, Markdown or plain text),
 * its size (RL_ERROR_TOO_LARGE over RL_UPLOAD_MAX_BYTES, BAD_REQUEST when
 * empty) and, from an image's header alone, its size in pixels
 * (RL_ERROR_TOO_LARGE over RL_IMAGE_MAX_SIDE a side or RL_IMAGE_MAX_PIXELS).
 * title: NULL for the file's name without its extension. progress_callback
 * (may be NULL) hears the bytes sent of the total, from 0 once the checks
 * pass. Every error's message is a sentence for the person who asked, that
 * names the file and what to do: the server's codes in RL_ERROR (forbidden
 * for a viewer, too-large, bad-request for a file it cannot read…),
 * RL_ERROR_OFFLINE or CONNECTION_LOST when the server cannot be reached or
 * the link drops, G_IO_ERROR for a file that cannot be read, and
 * G_IO_ERROR_CANCELLED once cancellable is cancelled (the transfer stops;
 * the server keeps nothing). */
void         rl_api_upload_file             (RlApi                *self,
                                             GFile                *file,
                                             const char           *title,
                                             GCancellable         *cancellable,
                                             GFileProgressCallback progress_callback,
                                             gpointer              progress_data,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
RlDocItem   *rl_api_upload_file_finish      (RlApi                *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* What a refusal with code of an upload of the file name (of type, or NULL)
 * means, in the words rl_api_upload_file uses: for a refusal known before
 * asking (a viewer's, say). */
GError      *rl_api_new_upload_error        (RlErrorCode           code,
                                             const char           *name,
                                             const char           *type);

/* Revisions (docs/protocol.md, "Revisions"). */

/* POST /api/v1/docs/{id}/revisions: file as a new version of the document
 * doc_id of kind, checked and streamed as rl_api_upload_file does (the
 * same errors in the same words), and refused before anything is sent
 * (RL_ERROR_BAD_REQUEST) when it is not of the document's kind.
 * broadcast_id (may be NULL) goes in the Redline-Broadcast-Id header, so
 * the revision-added event it causes says it. The new revision. */
void         rl_api_upload_revision         (RlApi                *self,
                                             const char           *doc_id,
                                             RlDocKind             kind,
                                             GFile                *file,
                                             const char           *broadcast_id,
                                             GCancellable         *cancellable,
                                             GFileProgressCallback progress_callback,
                                             gpointer              progress_data,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
RlRevision  *rl_api_upload_revision_finish  (RlApi                *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* Checks file as rl_api_upload_revision would before sending anything (its
 * kind, what its bytes are, its size, an image's pixels), and sends
 * nothing: TRUE, or the error rl_api_upload_revision would give, in the
 * same words. For asking about a file only when it can be a version. */
void         rl_api_check_revision_file     (RlApi                *self,
                                             const char           *doc_id,
                                             RlDocKind             kind,
                                             GFile                *file,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean     rl_api_check_revision_file_finish (RlApi             *self,
                                                GAsyncResult      *result,
                                                GError           **error);
/* GET /api/v1/docs/{id}/revisions: a GPtrArray of RlRevision*, oldest
 * first (each checked as of kind, numbered 1, 2, 3 …). */
void         rl_api_list_revisions          (RlApi                *self,
                                             const char           *doc_id,
                                             RlDocKind             kind,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray   *rl_api_list_revisions_finish   (RlApi                *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* GET /api/v1/docs/{id}/revisions/{n}/content, kept with its ETag and asked
 * for again with If-None-Match as rl_api_get_content does (a revision never
 * changes, so a 304 is the rule); on disk too, as the document's content,
 * so the version shown last answers when the server cannot be reached. */
void         rl_api_get_revision_content    (RlApi                *self,
                                             const char           *doc_id,
                                             gint64                revision,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GBytes      *rl_api_get_revision_content_finish (RlApi            *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* GET /api/v1/docs/{id}/revisions/{n}/text: a page revision's text model,
 * checked (rl_page_text_new_from_json). RL_ERROR_NOT_FOUND from a server
 * without revisions. Kept as the page's content in the cache, so that
 * revision's model answers when the server cannot be reached. */
void         rl_api_get_page_text           (RlApi                *self,
                                             const char           *doc_id,
                                             gint64                revision,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
RlPageText  *rl_api_get_page_text_finish    (RlApi                *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* Protocol 1.2 (docs/protocol.md, "Activity"). */

/* GET /api/v1/docs/{id}: the document's metadata, with what the caller
 * has not read in it (its has_unread and unread; absent from a server
 * before 1.2). Free with rl_document_free. */
void         rl_api_get_document            (RlApi                *self,
                                             const char           *doc_id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
RlDocument  *rl_api_get_document_finish     (RlApi                *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* GET /api/v1/users: the tenant's members, for completing mentions. Asked
 * with the ETag of the last answer (a 304 answers what this RlApi holds,
 * and so does a server that cannot be reached once listed); finishes with
 * rl_api_get_members' model, brought up to date (a reference).
 * RL_ERROR_NOT_FOUND from a server before 1.2. */
void         rl_api_list_users              (RlApi                *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GListModel  *rl_api_list_users_finish       (RlApi                *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* The members as last listed: a GListModel of RlMemberItem in the
 * server's order, the same object for the RlApi's life (empty until the
 * first rl_api_list_users). A person listed again keeps their item, whose
 * "name" notifies when they were renamed. */
GListModel  *rl_api_get_members             (RlApi                *self);
/* The member with user_id as last listed (a mention's user: show their
 * current name), or NULL (not listed yet, revoked, or someone else's). */
RlMemberItem *rl_api_lookup_member          (RlApi                *self,
                                             const char           *user_id);

/* The upload type of a file: its content type when it is one the server
 * takes (PNG, JPEG, WebP, Markdown, plain text), guessed from the name when
 * the type is vague; NULL otherwise. */
char        *rl_api_upload_type_for_file    (const char           *filename,
                                             const char           *content_type);

G_END_DECLS
