/* rl-doc-store.h — one open document's threads, kept current
 *
 * The store subscribes to its document on the connection whenever that is
 * online (with `since` after the first time), applies events strictly in
 * seq order (duplicates dropped, a gap resubscribes) and shows the user's
 * own changes at once: what it exposes is the server's state plus the
 * user's changes still in flight. The echo of an own change carries its
 * broadcastId and moves it from "in flight" to "confirmed" without showing
 * anything twice ("mutation-confirmed" says so, once, on the ack or the
 * echo, whichever comes first); a refused, unanswered or cut-off change is
 * rolled back and "mutation-failed" says why, with the text the user typed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-connection.h"
#include "rl-thread-item.h"

G_BEGIN_DECLS

#define RL_TYPE_DOC_STORE (rl_doc_store_get_type ())
G_DECLARE_FINAL_TYPE (RlDocStore, rl_doc_store, RL, DOC_STORE, GObject)

/* The one store of doc on connection: windows on one document share it and
 * its subscription. Until its first snapshot it shows what the disk cache
 * (rl-snapshot-cache.h) holds for the connection's URL and user id
 * (rl_connection_get_user_id: the account's before any welcome), unsynced
 * and with seq -1, so markers show offline and changes are refused. Every
 * snapshot is written there, and applied events at most once a second;
 * only after a welcome, for the welcomed user. */
RlDocStore  *rl_doc_store_get            (RlConnection   *connection,
                                          const char     *doc,
                                          RlDocKind       kind);

/* The connection the store was opened on (its welcome says who the user is). */
RlConnection *rl_doc_store_get_connection (RlDocStore    *self);
/* The id of its document. */
const char  *rl_doc_store_get_doc_id     (RlDocStore     *self);
/* Of RlThreadItem, in creation order. */
GListModel  *rl_doc_store_get_threads    (RlDocStore     *self);
/* The last seq applied; -1 before the first snapshot. */
gint64       rl_doc_store_get_seq        (RlDocStore     *self);
gboolean     rl_doc_store_is_synced      (RlDocStore     *self);
/* TRUE while what is shown came from the disk cache (no snapshot yet). */
gboolean     rl_doc_store_is_from_cache  (RlDocStore     *self);
/* Presence: distinct viewers and their names. */
guint        rl_doc_store_get_viewer_count (RlDocStore   *self);
GStrv        rl_doc_store_dup_viewer_names (RlDocStore   *self);
/* The server's state alone (no change in flight): of RlThread*. */
GPtrArray   *rl_doc_store_dup_confirmed  (RlDocStore     *self);

/* Mutations. Each is shown at once; FALSE with RL_ERROR_OFFLINE (or
 * RL_ERROR_BAD_REQUEST for an empty or too long body) when it cannot even
 * be sent: nothing is queued. The new ids come back where asked. */
gboolean     rl_doc_store_create_thread  (RlDocStore     *self,
                                          const RlAnchor *anchor,
                                          const char     *body,
                                          char          **thread_id,
                                          GError        **error);
gboolean     rl_doc_store_add_comment    (RlDocStore     *self,
                                          const char     *thread_id,
                                          const char     *body,
                                          char          **comment_id,
                                          GError        **error);
gboolean     rl_doc_store_edit_comment   (RlDocStore     *self,
                                          const char     *thread_id,
                                          const char     *comment_id,
                                          const char     *body,
                                          GError        **error);
/* Mentions (1.2): the same three with the people the comment calls in,
 * of RlMention* (rl-model.h): a user id (rl_api_list_users) and the span
 * of body, in code points of it as given (before trimming), that names
 * them, starting with "@"; sorted, not overlapping, at most
 * RL_MENTIONS_MAX. Malformed spans (or one in white space that trimming
 * removes) fail with RL_ERROR_BAD_REQUEST and send nothing. The comment
 * shown and sent carries them shifted to the trimmed body; a link before
 * 1.2 keeps none (they are dropped, the text stays). An edit's mentions
 * replace the comment's: the entry points without them (NULL) leave none. */
gboolean     rl_doc_store_create_thread_with_mentions (RlDocStore     *self,
                                                       const RlAnchor *anchor,
                                                       const char     *body,
                                                       GPtrArray      *mentions,
                                                       char          **thread_id,
                                                       GError        **error);
gboolean     rl_doc_store_add_comment_with_mentions   (RlDocStore     *self,
                                                       const char     *thread_id,
                                                       const char     *body,
                                                       GPtrArray      *mentions,
                                                       char          **comment_id,
                                                       GError        **error);
gboolean     rl_doc_store_edit_comment_with_mentions  (RlDocStore     *self,
                                                       const char     *thread_id,
                                                       const char     *comment_id,
                                                       const char     *body,
                                                       GPtrArray      *mentions,
                                                       GError        **error);
gboolean     rl_doc_store_delete_comment (RlDocStore     *self,
                                          const char     *thread_id,
                                          const char     *comment_id,
                                          GError        **error);
gboolean     rl_doc_store_resolve_thread (RlDocStore     *self,
                                          const char     *thread_id,
                                          gboolean        resolved,
                                          GError        **error);
gboolean     rl_doc_store_move_thread    (RlDocStore     *self,
                                          const char     *thread_id,
                                          const RlAnchor *anchor,
                                          GError        **error);
gboolean     rl_doc_store_delete_thread  (RlDocStore     *self,
                                          const char     *thread_id,
                                          GError        **error);
/* Settles a thread's placement on the latest revision (1.1 place-thread):
 * anchor NULL confirms where the server put it (RL_ERROR_BAD_REQUEST when
 * it is orphaned there: nothing to confirm), else places it at anchor.
 * RL_ERROR_UNKNOWN_TYPE on a link that does not speak 1.1. */
gboolean     rl_doc_store_place_thread   (RlDocStore     *self,
                                          const char     *thread_id,
                                          const RlAnchor *anchor,
                                          GError        **error);

/* Revisions (docs/protocol.md, "Revisions"). The document's latest
 * revision ("revision" notifies; 0 while not known, a v1 server), from the
 * snapshot, each revision-added event (which also places every thread:
 * rl_event_apply) and what the app knows of the document. A 1.1 link's
 * create-thread and move-thread say it as the one the person looks at, so
 * a change made while a newer one arrived is refused (RL_ERROR_CONFLICT)
 * and rolled back like any refusal, its text kept; what is shown until
 * the echo is made on it, as the server will. "revision-added" says a
 * newer revision arrived over the link; nothing switches to it. */
gint64       rl_doc_store_get_revision   (RlDocStore     *self);
/* The latest revision's details when known (a revision-added event or
 * rl_doc_store_note_revision said them), else NULL. */
const RlRevision *rl_doc_store_get_latest_revision (RlDocStore *self);
/* The document's metadata (e.g. from the document list): its revision
 * raises what is known, never lowers it. */
void         rl_doc_store_note_document  (RlDocStore       *self,
                                          const RlDocument *document);
/* A revision learnt over HTTP (an own upload's answer, a list). */
void         rl_doc_store_note_revision  (RlDocStore       *self,
                                          const RlRevision *revision);

/* Unread (1.2, docs/protocol.md "Activity"). The server keeps, per user
 * and document, what they have read (so it follows them from one computer
 * to the next); the subscribe's ack tells the store. A comment is unread
 * when someone else wrote it (the user's own, sent from anywhere, never
 * are) after what the user has read of its thread, and after the user was
 * added (the ack says when: a new member's backlog is not news). The user's other
 * connections' mark-reads arrive as `read` items of their activity feed
 * (rl-activity-feed.h, which must be subscribed on this connection for it)
 * and apply at once. "unread-changed" says when to ask again. On a link
 * before 1.2, and before the first subscribe's ack, nothing is unread. */

/* Unread comments of a shown thread (0 for one not shown). */
guint        rl_doc_store_get_thread_unread (RlDocStore  *self,
                                             const char  *thread_id);
/* Whether a shown comment is unread. */
gboolean     rl_doc_store_is_comment_unread (RlDocStore  *self,
                                             const char  *thread_id,
                                             const char  *comment_id);
/* The document's total: threads with an unread comment, unread comments,
 * and those of them that mention the user. */
void         rl_doc_store_get_unread     (RlDocStore     *self,
                                          RlUnreadCounts *counts);
/* "N new since you were here": the unread comments the first subscribe of
 * this store (this open of the document) found, kept as they were however
 * much is read later; 0 until then (and on a link before 1.2). */
guint        rl_doc_store_get_new_since_open (RlDocStore *self);
/* Marks the thread (thread_id NULL: the whole document) read up to seq, a
 * document seq (a comment's seq, or rl_doc_store_get_seq for everything
 * shown; more than the store has is read as that), shown at once and sent
 * as mark-read. Only raises: a seq already read sends nothing. FALSE with
 * RL_ERROR_OFFLINE when not online; TRUE and nothing sent on a link before
 * 1.2. A refusal is only logged (what is read stays read here). */
gboolean     rl_doc_store_mark_read      (RlDocStore     *self,
                                          const char     *thread_id,
                                          gint64          seq,
                                          GError        **error);

/* Changes still in flight (shown, not yet confirmed by their echo). */
guint        rl_doc_store_get_n_in_flight (RlDocStore    *self);

/* Own changes acked but whose echo has not come: remembered (and shown)
 * until it does, so it is not shown twice; an echo that never comes must
 * not keep them for ever, so past this many the oldest is forgotten (its
 * echo, if it comes later, is then shown like anyone else's). */
#define RL_DOC_STORE_MAX_REMEMBERED 256
guint        rl_doc_store_get_n_remembered (RlDocStore   *self);
/* How often a gap in seqs made the store subscribe again with `since`. */
guint        rl_doc_store_get_n_gap_resubscribes (RlDocStore *self);

G_END_DECLS
