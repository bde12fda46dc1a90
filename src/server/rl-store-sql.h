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
#define COMMENT_COLUMNS "id, thread, author_id, author_name, body, created_at, edited_at"

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
  " c.created_at, c.edited_at FROM comments c" \
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
#define SQL_INSERT_COMMENT "INSERT INTO comments (tenant, " COMMENT_COLUMNS ")" \
  " VALUES ($1, $2, $3, $4, $5, $6, $7, 0)"
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
  }

/* ---- usage and administration ---- */

#define SQL_GET_USAGE "SELECT messages, bytes FROM usage WHERE tenant = $1"
#define SQL_NOTE_CHANGE "INSERT INTO admin_changes (kind, tenant, subject, at) VALUES ($1, $2, $3, $4)"
#define SQL_PRUNE_CHANGES "DELETE FROM admin_changes WHERE at < $1"
/* seq, kind, tenant, subject (rl_store_change_from_row) past $1 */
#define SQL_READ_CHANGES "SELECT seq, kind, tenant, subject FROM admin_changes WHERE seq > $1 ORDER BY seq"
