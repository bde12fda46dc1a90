/* rl-store-private.h — what every RlStore implementation shares
 *
 * Tokens are made and checked the same way whatever keeps their hashes, so
 * a token stays valid when a deployment moves from one store to another.
 * The rules of a mutation live here too, and what a mutation does is
 * written once in rl-store.c over each store's statements, so every store
 * refuses the same things with the same errors and writes the same rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rl-store.h"

G_BEGIN_DECLS

/* A token's secret part: 32 random bytes, URL-safe base64 without padding. */
char     *rl_store_new_secret  (void);
/* What the store keeps of a secret (SHA-256). */
GBytes   *rl_store_hash_secret (const char   *secret);
/* Compares two hashes in constant time. */
gboolean  rl_store_hash_equal  (const guint8 *a,
                                const guint8 *b,
                                gsize         len);

/* A token is the user's id, a dot and the secret: the id locates the row,
 * only the secret is checked, by hash. */
char     *rl_store_make_token  (const char   *user,
                                const char   *secret);
/* The user's id (returned) and, in *secret, the secret part; NULL when
 * token cannot be one. */
char     *rl_store_split_token (const char   *token,
                                const char  **secret);

/* A database of schema version, for a store that knows versions up to
 * known: FALSE (and error) when it is newer, made by a newer server. */
gboolean  rl_store_check_schema (int           version,
                                 int           known,
                                 GError      **error);

/* How many events per document are kept unless the server says otherwise. */
#define RL_STORE_DEFAULT_EVENT_LOG_LIMIT 10000

/* After appending seq: the seq up to which the log is pruned now, or 0 when
 * not now (a bounded log, pruned every 64 events rather than every one). */
gint64    rl_store_prune_upto  (gint64        seq,
                                guint         limit);

/* Only the author of a thread or comment, or an admin, may change it. */
gboolean  rl_store_may_modify  (const RlPrincipal  *who,
                                const char         *owner,
                                GError            **error);
/* Whether the comment may be deleted: the first goes only with its thread. */
gboolean  rl_store_may_delete_comment (gboolean     first,
                                       GError     **error);
/* A revoked user gets no new token: revocation is of the person. */
gboolean  rl_store_may_rotate  (const char   *user,
                                gint64        revoked_at,
                                GError      **error);

/* How long a change stays in a store's change log (note_change): every
 * serving process or node reads it within a second; one started later
 * finds its effect in the tables instead. */
#define RL_STORE_CHANGE_LOG_KEEP_MS (24 * 60 * 60 * 1000)

/* What an administration change is called in a change log. */
const char *rl_store_change_kind_to_string   (RlStoreChangeKind  kind);
gboolean    rl_store_change_kind_from_string (const char        *str,
                                              RlStoreChangeKind *kind);

/* One row of a query's result, as a store reads it: a column's text (NULL
 * for NULL), its number, its truth and its real number (exactly as kept);
 * next moves it on through the result, so the loops over rows below are
 * every store's. A store embeds it first in a row of its own; the
 * *_from_row functions below make the records of every store from it, so
 * each store's SELECT names its columns in their order. */
struct _RlStoreRow
{
  /* To the next row (from before the first): FALSE after the last one, or
   * (and error) when it could not be read. */
  gboolean    (*next)   (RlStoreRow       *row,
                         GError          **error);
  const char *(*text)   (const RlStoreRow *row,
                         int               column);
  gint64      (*number) (const RlStoreRow *row,
                         int               column);
  gboolean    (*flag)   (const RlStoreRow *row,
                         int               column);
  double      (*real)   (const RlStoreRow *row,
                         int               column);
};

/* id, kind, title, mime, size, width, height, created_at, created_by_id,
 * created_by_name, revision (DOC_COLUMNS, rl-store-sql.h) */
RlDocument     *rl_store_document_from_row      (const RlStoreRow *row);
/* DOC_COLUMNS, then tenant, head_seq and how many threads */
RlDocumentInfo *rl_store_document_info_from_row (const RlStoreRow *row);
/* id, anchor (JSON), resolved, created_by_id, created_by_name, created_at,
 * updated_at, number, revision (THREAD_COLUMNS), of doc */
RlThread       *rl_store_thread_from_row        (const RlStoreRow *row,
                                                 const char       *doc);
/* revision, mime, size, width, height, etag, created_at, created_by_id,
 * created_by_name (a store's REVISION_COLUMNS) */
RlRevision     *rl_store_revision_from_row      (const RlStoreRow *row);
/* thread, revision, anchor (JSON or NULL), status, score, by_id, by_name
 * (a store's PLACEMENT_COLUMNS): the placement (column 0 names its thread) */
RlRevisionAnchor *rl_store_placement_from_row   (const RlStoreRow *row);
/* A page's text model as a revision keeps it, computed by the server's
 * own reader (rl_page_text_new); NULL when content is no page of mime. */
char           *rl_store_text_model_for         (const char       *mime,
                                                 GBytes           *content);
/* id, thread, author_id, author_name, body, created_at, edited_at
 * (COMMENT_COLUMNS) */
RlComment      *rl_store_comment_from_row       (const RlStoreRow *row);
/* tenant, id, name, role, created_at, revoked_at */
RlUserInfo     *rl_store_user_info_from_row     (const RlStoreRow *row);
/* seq, kind, tenant, subject; NULL for a kind of a newer server */
RlStoreChange  *rl_store_change_from_row        (const RlStoreRow *row);

/* Each of rows' records (from_row) added to records, from its first row;
 * a row that cannot be read ends them. */
void            rl_store_add_records_from_rows  (GPtrArray        *records,
                                                 RlStoreRow       *rows,
                                                 RlStoreFromRow    from_row);
/* The threads of doc (rows of THREAD_COLUMNS, by number), each with its
 * placements (rows of PLACEMENT_COLUMNS) and, unless comment_rows is NULL, its
 * comments (rows of COMMENT_COLUMNS), in their rows' order: NULL and error
 * when a row could not be read. */
GPtrArray      *rl_store_threads_from_rows      (RlStoreRow       *thread_rows,
                                                 RlStoreRow       *placement_rows,
                                                 RlStoreRow       *comment_rows,
                                                 const char       *doc,
                                                 GError          **error);
/* Whether a document's log can bring a client at since up to head: not
 * when the client is ahead, nor from before unnumbered or unrevisioned
 * (the seqs up to which its events lack thread numbers or revisions; 0
 * for none): then only a reset helps. */
gboolean        rl_store_log_reaches            (gint64            since,
                                                 gint64            head,
                                                 gint64            unnumbered,
                                                 gint64            unrevisioned);
/* The payloads of rows (seq, payload) from since + 1 to head, or NULL when
 * one is missing (pruned: a gap). */
GPtrArray      *rl_store_events_from_rows       (RlStoreRow       *rows,
                                                 gint64            since,
                                                 gint64            head);
/* The changes of rows (seq, kind, tenant, subject), *cursor moved to the
 * last seq read; NULL when there are none but a newer server's kinds. */
GPtrArray      *rl_store_changes_from_rows      (RlStoreRow       *rows,
                                                 gint64           *cursor);

/* What a record of kind is called in an error ("a tenant"). */
const char     *rl_store_record_name            (RlStoreRecordKind kind);

/* What a store runs inside a transaction: store-neutral code calling the
 * store's vfuncs, or the store's own statements. */
typedef gboolean (*RlStoreBody) (RlStore   *self,
                                 gpointer   data,
                                 GError   **error);

/* Runs body inside one read-write transaction: committed when body
 * returns TRUE, rolled back (and body's error) when it returns FALSE. */
gboolean  rl_store_run_in_transaction (RlStore       *self,
                                       RlStoreBody    body,
                                       gpointer       data,
                                       GError       **error);

/* Applies every one of applies (none failed yet) in ONE transaction, each
 * in a savepoint of its own: one that fails its checks is rolled back
 * alone and gets its error, the others go on and get their events with
 * consecutive seqs, in the order given. FALSE (and error) when the
 * transaction itself could not commit: then none is applied. For the
 * committer's writer. */
gboolean  rl_store_apply_group (RlStore       *self,
                                RlStoreApply **applies,
                                guint          n_applies,
                                GError       **error);

/* ---- protocol 1.2 (rl-store-activity.c), inside a mutation's transaction ---- */

/* Every user the request mentions is one of tenant's, not revoked; else
 * not-found. */
gboolean   rl_store_check_mentions         (RlStore           *self,
                                            const char        *tenant,
                                            const RlRequest   *request,
                                            GError           **error);
/* A comment's mentions as kept (RlMention*). */
GPtrArray *rl_store_read_comment_mentions  (RlStore           *self,
                                            const char        *tenant,
                                            const char        *comment,
                                            GError           **error);
/* Keeps the mentions of the comment event makes or edits; drops those of
 * a comment or thread it deletes. */
gboolean   rl_store_write_mentions         (RlStore           *self,
                                            const char        *tenant,
                                            const RlEvent     *event,
                                            GError           **error);
/* The activity items of a logged event (old_mentions: an edited comment's
 * before the edit), each added to out as an RlStoreActivity. */
gboolean   rl_store_note_activity          (RlStore           *self,
                                            const RlPrincipal *who,
                                            const RlDocument  *doc,
                                            const RlEvent     *event,
                                            GPtrArray         *old_mentions,
                                            GPtrArray         *out,
                                            GError           **error);
gboolean   rl_store_note_revision_activity (RlStore           *self,
                                            const RlPrincipal *who,
                                            const RlDocument  *doc,
                                            const RlEvent     *event,
                                            GPtrArray         *out,
                                            GError           **error);
/* Before a group's mutations, where several writers' transactions run at
 * once (PostgreSQL): the user rows any of them may append activity to (or
 * check a mention against) locked once, all in one order (tenant and id
 * sorted), so that two nodes' groups whose recipients overlap never take
 * them in opposite orders (which PostgreSQL answers with a deadlock). */
gboolean   rl_store_lock_group_recipients  (RlStore           *self,
                                            RlStoreApply     **applies,
                                            guint              n_applies,
                                            GError           **error);
/* A mark-read (apply's request, of type RL_REQUEST_MARK_READ) in the
 * caller's transaction (rl_store_mark_read's body): its `read` item in
 * apply->activity. */
gboolean   rl_store_apply_mark_read        (RlStore           *self,
                                            RlStoreApply      *apply,
                                            GError           **error);
/* Gives the comments of threads (doc's) their mentions. */
gboolean   rl_store_attach_mentions        (RlStore           *self,
                                            const char        *tenant,
                                            const char        *doc,
                                            GPtrArray         *threads,
                                            GError           **error);
/* The committer's writer keeps its store's activity log limit. */
void       rl_store_copy_activity_log_limit (RlStore          *from,
                                             RlStore          *to);

/* Test only: a group's writes are held back this long before their COMMIT
 * when REDLINE_TEST_HOLD_COMMIT_MS is set (so a test can kill the server
 * in the middle of a group); nothing when unset. */
void      rl_store_test_hold_commit  (void);
/* Test only: the same between a group's mutations, with
 * REDLINE_TEST_HOLD_BETWEEN_MS (so that two nodes' groups interleave the
 * locks their mutations take); nothing when unset. */
void      rl_store_test_hold_between (void);

G_END_DECLS
