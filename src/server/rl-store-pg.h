/* rl-store-pg.h — RlStore on PostgreSQL (libpq): several server nodes on
 * one database
 *
 * A versioned schema, migrated when a node opens the database (one step per
 * transaction, nodes starting together take turns). Each document's seq is
 * given under its row's lock, so writers on any number of connections and
 * nodes get seq = head + 1, gapless, committed before apply returns. What
 * another node or an administration command commits (revocations,
 * rotations, removals) reaches every serving store through
 * rl_store_read_changes. Each commit of an event notifies every node (LISTEN
 * on a connection of its own, rl-store-pg-listener.h), the event's bytes
 * with it when they fit in a notification; nodes say who views what in the
 * database, and that they are alive every 5 s: one not heard from for 20 s
 * is dead and its viewers are dropped. Backups are PostgreSQL's own (pg_dump):
 * rl_store_backup refuses. A lost connection fails the operation under way
 * (rolled back by the server) and is re-established by the next one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-store.h"

G_BEGIN_DECLS

#define RL_TYPE_STORE_PG (rl_store_pg_get_type ())
G_DECLARE_FINAL_TYPE (RlStorePg, rl_store_pg, RL, STORE_PG, GObject)

/* Whether a --db value names a PostgreSQL database rather than a SQLite
 * file: a postgresql:// or postgres:// URI, or a key=value conninfo. */
gboolean  rl_store_pg_is_conninfo (const char  *db);

/* Connects (conninfo: a URI or key=value pairs, as libpq takes them) and
 * migrates the schema to this server's version when needed; a database
 * whose schema is newer than this server is refused. */
RlStore  *rl_store_pg_open        (const char  *conninfo,
                                   GError     **error);

G_END_DECLS
