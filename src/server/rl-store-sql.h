/* rl-store-sql.h — the statements every store runs alike
 *
 * Written once, with PostgreSQL's $N placeholders: the SQLite store reads
 * them as its own ?N when it prepares them. What the dialects say
 * differently (the column that keeps insertion order, an upsert that adds,
 * a NULL parameter's type, the locks) stays in each store. Only the store
 * implementations include this: no SQL outside them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-store.h"

/* The columns the store-neutral *_from_row read, in their order
 * (rl-store-private.h). */
#define DOC_COLUMNS "id, kind, title, mime, size, width, height, created_at, created_by_id, created_by_name," \
  " revision"
#define REVISION_COLUMNS "revision, mime, size, width, height, etag, created_at, created_by_id, created_by_name"
#define THREAD_COLUMNS "id, anchor, resolved, created_by_id, created_by_name, created_at, updated_at, number," \
  " revision"
#define PLACEMENT_COLUMNS "thread, revision, anchor, status, score, by_id, by_name"
#define COMMENT_COLUMNS "id, thread, author_id, author_name, body, created_at, edited_at, seq"

/* ---- tenants and users ---- */

#define SQL_ADD_TENANT "INSERT INTO tenants (id, created_at) VALUES ($1, $2)"
#define SQL_HAS_TENANT "SELECT 1 FROM tenants WHERE id = $1"
#define SQL_ADD_USER "INSERT INTO users (tenant, id, name, role, token_hash, created_at)" \
  " VALUES ($1, $2, $3, $4, $5, $6)"
#define SQL_AUTHENTICATE "SELECT tenant, name, role, token_hash, token_generation FROM users" \
  " WHERE id = $1 AND revoked_at = 0"
#define SQL_TOKEN_IS_CURRENT "SELECT 1 FROM users WHERE tenant = $1 AND id = $2" \
  " AND revoked_at = 0 AND token_generation = $3"

/* ---- documents and revisions ---- */

/* Its revision, etag and metadata are its first revision's (insert_revision). */
#define SQL_ADD_DOCUMENT "INSERT INTO documents (tenant, id, kind, title, mime, size, width, height," \
  " created_at, created_by_id, created_by_name, etag)" \
  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '')"
#define SQL_GET_DOCUMENT "SELECT " DOC_COLUMNS " FROM documents WHERE tenant = $1 AND id = $2"
#define SQL_INSERT_REVISION "INSERT INTO revisions (tenant, doc, " REVISION_COLUMNS ", content, text_model)" \
  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
/* The latest revision's metadata on its document, for listings. */
#define SQL_LATEST_REVISION "UPDATE documents SET revision = $3, mime = $4, size = $5, width = $6, height = $7," \
  " etag = $8 WHERE tenant = $1 AND id = $2"
#define SQL_GET_TEXT_MODEL "SELECT text_model FROM revisions WHERE tenant = $1 AND doc = $2 AND revision = $3"

/* The row goes first (in PostgreSQL deleting it takes its lock: a writer of
 * the document waits, then finds it gone); then, in this order, what was
 * the document's: comments first, as they find their document through
 * their threads. The first three are counted (RlStoreRemoval). */
#define SQL_REMOVE_DOCUMENT "DELETE FROM documents WHERE tenant = $1 AND id = $2"
#define SQL_REMOVE_DOCUMENT_ROWS { \
    "DELETE FROM comments WHERE tenant = $1 AND thread IN" \
    " (SELECT id FROM threads WHERE tenant = $1 AND doc = $2)", \
    "DELETE FROM threads WHERE tenant = $1 AND doc = $2", \
    "DELETE FROM events WHERE tenant = $1 AND doc = $2", \
    "DELETE FROM placements WHERE tenant = $1 AND doc = $2", \
    "DELETE FROM revisions WHERE tenant = $1 AND doc = $2", \
    "DELETE FROM mentions WHERE tenant = $1 AND doc = $2", \
    "DELETE FROM read_marks WHERE tenant = $1 AND doc = $2", \
  }

/* ---- threads, placements and comments ---- */

#define SQL_GET_HEAD "SELECT head_seq FROM documents WHERE tenant = $1 AND id = $2"
/* Numbers are creation order (rows before numbers were numbered by their
 * creation times). */
#define SQL_THREADS_OF_DOC "SELECT " THREAD_COLUMNS " FROM threads WHERE tenant = $1 AND doc = $2 ORDER BY number"
#define SQL_PLACEMENTS_OF_DOC "SELECT " PLACEMENT_COLUMNS " FROM placements WHERE tenant = $1 AND doc = $2" \
  " ORDER BY revision"
/* order: the store's column that keeps insertion order */
#define SQL_COMMENTS_OF_DOC(order) "SELECT c.id, c.thread, c.author_id, c.author_name, c.body," \
  " c.created_at, c.edited_at, c.seq FROM comments c" \
  " JOIN threads t ON t.tenant = c.tenant AND t.id = c.thread" \
  " WHERE t.tenant = $1 AND t.doc = $2 ORDER BY c." order
/* COMMENT_COLUMNS, then whether it is its thread's first */
#define SQL_LOOKUP_COMMENT(order) "SELECT " COMMENT_COLUMNS ", " order " = (SELECT MIN (" order ")" \
  " FROM comments WHERE tenant = $1 AND thread = $2)" \
  " FROM comments WHERE tenant = $1 AND thread = $2 AND id = $3"
#define SQL_INSERT_THREAD "INSERT INTO threads (tenant, id, doc, anchor, resolved, created_by_id," \
  " created_by_name, created_at, updated_at, number, revision)" \
  " VALUES ($1, $2, $3, $4, false, $5, $6, $7, $8, $9, $10)"
#define SQL_LOOKUP_THREAD "SELECT created_by_id FROM threads WHERE tenant = $1 AND doc = $2 AND id = $3"
#define SQL_WRITE_PLACEMENT "INSERT INTO placements (tenant, doc, thread, revision, anchor, status," \
  " score, by_id, by_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)" \
  " ON CONFLICT (tenant, thread, revision) DO UPDATE SET" \
  " anchor = EXCLUDED.anchor, status = EXCLUDED.status," \
  " score = EXCLUDED.score, by_id = EXCLUDED.by_id," \
  " by_name = EXCLUDED.by_name"
#define SQL_READ_PLACEMENT "SELECT " PLACEMENT_COLUMNS " FROM placements" \
  " WHERE tenant = $1 AND thread = $2 AND revision = $3"
/* Its seq is its event's, written once the event is logged
 * (RL_STORE_WRITE_COMMENT_SEQ). */
#define SQL_INSERT_COMMENT "INSERT INTO comments (tenant, " COMMENT_COLUMNS ")" \
  " VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0)"
#define SQL_UPDATE_COMMENT "UPDATE comments SET body = $1, edited_at = $2 WHERE tenant = $3 AND id = $4"

/* ---- the event log ---- */

/* head_seq, then the seqs up to which the log's events lack thread numbers
 * and revisions (rl_store_log_reaches) */
#define SQL_LOG_BOUNDS "SELECT head_seq, unnumbered_seq, unrevisioned_seq FROM documents" \
  " WHERE tenant = $1 AND id = $2"
/* $3 the seq after which, $4 the head */
#define SQL_EVENTS_SINCE "SELECT seq, payload FROM events WHERE tenant = $1 AND doc = $2" \
  " AND seq > $3 AND seq <= $4 ORDER BY seq"
/* $1 the tenant, $2 the document, $3 the seq (and $4 the event); the log
 * is pruned by RL_STORE_WRITE_PRUNE_EVENTS */
#define SQL_SET_HEAD "UPDATE documents SET head_seq = $3 WHERE tenant = $1 AND id = $2"
#define SQL_APPEND_EVENT "INSERT INTO events (tenant, doc, seq, payload) VALUES ($1, $2, $3, $4)"

/* ---- mutations ---- */

/* $1 the tenant, $2 the row's id; locked follows the statements that read a
 * row the mutation goes on to change (PostgreSQL locks it to the commit;
 * SQLite's BEGIN IMMEDIATE holds the database's one write lock already). */
#define SQL_READS(locked) { \
    [RL_STORE_READ_DOCUMENT_HEAD] = "SELECT head_seq FROM documents WHERE tenant = $1 AND id = $2" locked, \
    [RL_STORE_READ_THREAD_NUMBER] = "UPDATE documents SET thread_numbers = thread_numbers + 1" \
                                    " WHERE tenant = $1 AND id = $2 RETURNING thread_numbers", \
    [RL_STORE_READ_USER_REVOKED_AT] = "SELECT revoked_at FROM users WHERE tenant = $1 AND id = $2" locked, \
    [RL_STORE_READ_DOCUMENT_REVISION] = "SELECT revision FROM documents WHERE tenant = $1 AND id = $2" locked, \
    [RL_STORE_READ_ACTIVITY_SEQ] = "UPDATE users SET activity_seq = activity_seq + 1" \
                                   " WHERE tenant = $1 AND id = $2 RETURNING activity_seq", \
  }

/* $1 the tenant, $2 the row's id, $3 the value. */
#define SQL_WRITES { \
    [RL_STORE_WRITE_USER_REVOKED_AT] = "UPDATE users SET revoked_at = $3 WHERE tenant = $1 AND id = $2", \
    [RL_STORE_WRITE_USER_TOKEN] = "UPDATE users SET token_hash = $3, token_generation = token_generation + 1" \
                                  " WHERE tenant = $1 AND id = $2", \
    [RL_STORE_WRITE_THREAD_RESOLVED] = "UPDATE threads SET resolved = $3 WHERE tenant = $1 AND id = $2", \
    [RL_STORE_WRITE_THREAD_ANCHOR] = "UPDATE threads SET anchor = $3 WHERE tenant = $1 AND id = $2", \
    [RL_STORE_WRITE_THREAD_UPDATED_AT] = "UPDATE threads SET updated_at = $3 WHERE tenant = $1 AND id = $2", \
    [RL_STORE_WRITE_DELETE_THREAD_COMMENTS] = "DELETE FROM comments WHERE tenant = $1 AND thread = $2", \
    [RL_STORE_WRITE_DELETE_THREAD] = "DELETE FROM threads WHERE tenant = $1 AND id = $2", \
    [RL_STORE_WRITE_DELETE_COMMENT] = "DELETE FROM comments WHERE tenant = $1 AND id = $2", \
    [RL_STORE_WRITE_PRUNE_EVENTS] = "DELETE FROM events WHERE tenant = $1 AND doc = $2 AND seq <= $3", \
    [RL_STORE_WRITE_COMMENT_SEQ] = "UPDATE comments SET seq = $3 WHERE tenant = $1 AND id = $2", \
    [RL_STORE_WRITE_DELETE_COMMENT_MENTIONS] = "DELETE FROM mentions WHERE tenant = $1 AND comment = $2", \
    [RL_STORE_WRITE_DELETE_THREAD_MENTIONS] = "DELETE FROM mentions WHERE tenant = $1 AND thread = $2", \
    [RL_STORE_WRITE_USER_NAME] = "UPDATE users SET name = $3 WHERE tenant = $1 AND id = $2", \
  }

/* ---- unread, mentions and activity (protocol 1.2) ---- */

/* Every statement run through the run_query vfunc, by RlStoreQuery; each
 * store runs them alike. Booleans are compared as such. */
#define SQL_QUERIES { \
    /* $1 tenant, $2 doc, $3 thread, $4 comment, $5 user, $6 start, $7 end */ \
    [RL_STORE_QUERY_INSERT_MENTION] = "INSERT INTO mentions (tenant, doc, thread, comment, user_id," \
                                      " start_at, end_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", \
    /* comment, user, start, end of a document's comments ($1 tenant, $2 doc) */ \
    [RL_STORE_QUERY_MENTIONS_OF_DOC] = "SELECT comment, user_id, start_at, end_at FROM mentions" \
                                       " WHERE tenant = $1 AND doc = $2 ORDER BY comment, start_at", \
    [RL_STORE_QUERY_MENTIONS_OF_COMMENT] = "SELECT comment, user_id, start_at, end_at FROM mentions" \
                                           " WHERE tenant = $1 AND comment = $2 ORDER BY start_at", \
    /* Who a thread concerns: its author, its commenters, who is mentioned in it. */ \
    [RL_STORE_QUERY_THREAD_PARTICIPANTS] = "SELECT created_by_id FROM threads WHERE tenant = $1 AND id = $2" \
                                           " UNION SELECT author_id FROM comments WHERE tenant = $1 AND thread = $2" \
                                           " UNION SELECT user_id FROM mentions WHERE tenant = $1 AND thread = $2", \
    /* Whom a document's revision concerns: who uploaded it or a revision of it, who
     * made a thread or a comment in it. */ \
    [RL_STORE_QUERY_DOC_PARTICIPANTS] = "SELECT created_by_id FROM documents WHERE tenant = $1 AND id = $2" \
                                        " UNION SELECT created_by_id FROM revisions WHERE tenant = $1 AND doc = $2" \
                                        " UNION SELECT created_by_id FROM threads WHERE tenant = $1 AND doc = $2" \
                                        " UNION SELECT c.author_id FROM comments c JOIN threads t" \
                                        " ON t.tenant = c.tenant AND t.id = c.thread" \
                                        " WHERE t.tenant = $1 AND t.doc = $2", \
    /* A thread's number ($1 tenant, $2 thread) */ \
    [RL_STORE_QUERY_THREAD_NUMBER] = "SELECT number FROM threads WHERE tenant = $1 AND id = $2", \
    /* $1 tenant, $2 user, $3 doc, $4 thread ('' the floor), $5 seq: never lowered */ \
    [RL_STORE_QUERY_RAISE_READ_MARK] = "INSERT INTO read_marks (tenant, user_id, doc, thread, seq)" \
                                       " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant, user_id, doc, thread)" \
                                       " DO UPDATE SET seq = CASE WHEN excluded.seq > read_marks.seq" \
                                       " THEN excluded.seq ELSE read_marks.seq END", \
    /* Markers at or below the floor say nothing: dropped ($1 tenant, $2 user, $3 doc). */ \
    [RL_STORE_QUERY_DROP_READ_MARKS] = "DELETE FROM read_marks WHERE tenant = $1 AND user_id = $2 AND doc = $3" \
                                       " AND thread <> '' AND seq <= (SELECT seq FROM read_marks WHERE" \
                                       " tenant = $1 AND user_id = $2 AND doc = $3 AND thread = '')", \
    /* thread ('' the floor; NULL: no marks), seq, and the user's created_at on every row;
     * no row: no such user */ \
    [RL_STORE_QUERY_READ_MARKS] = "SELECT r.thread, r.seq, u.created_at FROM users u LEFT JOIN read_marks r" \
                                  " ON r.tenant = u.tenant AND r.user_id = u.id AND r.doc = $3" \
                                  " WHERE u.tenant = $1 AND u.id = $2 ORDER BY r.thread", \
    /* Per document of the tenant ($1) with any, what user $2 has not read: doc, title,
     * kind, threads, comments, mentions; one document's only when $3 is not ''. A comment is unread
     * when another wrote it, after the user was added, above the floor and its
     * thread's marker; seq 0 (from before unread tracking) never is. */ \
    [RL_STORE_QUERY_UNREAD] = "SELECT t.doc, d.title, d.kind, COUNT (DISTINCT c.thread), COUNT (*)," \
                              " SUM (CASE WHEN EXISTS (SELECT 1 FROM mentions m WHERE m.tenant = c.tenant" \
                              " AND m.comment = c.id AND m.user_id = $2) THEN 1 ELSE 0 END)" \
                              " FROM comments c JOIN threads t ON t.tenant = c.tenant AND t.id = c.thread" \
                              " JOIN documents d ON d.tenant = t.tenant AND d.id = t.doc" \
                              " JOIN users u ON u.tenant = c.tenant AND u.id = $2" \
                              " LEFT JOIN read_marks f ON f.tenant = c.tenant AND f.user_id = $2" \
                              " AND f.doc = t.doc AND f.thread = ''" \
                              " LEFT JOIN read_marks r ON r.tenant = c.tenant AND r.user_id = $2" \
                              " AND r.doc = t.doc AND r.thread = t.id" \
                              " WHERE c.tenant = $1 AND ($3 = '' OR t.doc = $3) AND c.author_id <> $2" \
                              " AND c.seq > 0 AND c.created_at >= u.created_at" \
                              " AND c.seq > COALESCE (f.seq, 0) AND c.seq > COALESCE (r.seq, 0)" \
                              " GROUP BY t.doc, d.title, d.kind ORDER BY t.doc", \
    /* $1 tenant, $2 user, $3 aseq, $4 kind, $5 payload */ \
    [RL_STORE_QUERY_APPEND_ACTIVITY] = "INSERT INTO activity (tenant, user_id, aseq, kind, payload)" \
                                       " VALUES ($1, $2, $3, $4, $5)", \
    /* $3 the aseq up to which */ \
    [RL_STORE_QUERY_PRUNE_ACTIVITY] = "DELETE FROM activity WHERE tenant = $1 AND user_id = $2 AND aseq <= $3", \
    /* aseq, payload with $3 < aseq ($1 tenant, $2 user) */ \
    [RL_STORE_QUERY_ACTIVITY_SINCE] = "SELECT aseq, payload FROM activity WHERE tenant = $1 AND user_id = $2" \
                                      " AND aseq > $3 ORDER BY aseq", \
    /* The last $3 mention and reply items, newest first */ \
    [RL_STORE_QUERY_ACTIVITY_RECENT] = "SELECT aseq, payload FROM activity WHERE tenant = $1 AND user_id = $2" \
                                       " AND kind IN ('mention', 'reply') ORDER BY aseq DESC LIMIT $3", \
    /* The head of a user's log ($1 tenant, $2 user); no row: no such user */ \
    [RL_STORE_QUERY_ACTIVITY_HEAD] = "SELECT activity_seq FROM users WHERE tenant = $1 AND id = $2", \
    /* id, name, role of a tenant's users that are not revoked, oldest first */ \
    [RL_STORE_QUERY_MEMBERS] = "SELECT id, name, role FROM users WHERE tenant = $1 AND revoked_at = 0" \
                               " ORDER BY created_at, id", \
  }

/* ---- usage and administration ---- */

#define SQL_GET_USAGE "SELECT messages, bytes FROM usage WHERE tenant = $1"
#define SQL_NOTE_CHANGE "INSERT INTO admin_changes (kind, tenant, subject, at) VALUES ($1, $2, $3, $4)"
#define SQL_PRUNE_CHANGES "DELETE FROM admin_changes WHERE at < $1"
/* seq, kind, tenant, subject (rl_store_change_from_row) past $1 */
#define SQL_READ_CHANGES "SELECT seq, kind, tenant, subject FROM admin_changes WHERE seq > $1 ORDER BY seq"
