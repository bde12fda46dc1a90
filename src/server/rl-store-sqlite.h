/* rl-store-sqlite.h — RlStore on SQLite: the embedded default
 *
 * One file in WAL mode with a versioned schema; every commit is fsynced.
 * Another process (an administration command, a backup) may open the same
 * file meanwhile: the revocations, rotations and removals it commits reach
 * a serving store through rl_store_read_changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-store.h"

G_BEGIN_DECLS

#define RL_TYPE_STORE_SQLITE (rl_store_sqlite_get_type ())
G_DECLARE_FINAL_TYPE (RlStoreSqlite, rl_store_sqlite, RL, STORE_SQLITE, GObject)

/* Opens the database at path, making it (and migrating its schema to this
 * server's version) when needed. */
RlStore *rl_store_sqlite_open (const char  *path,
                               GError     **error);

G_END_DECLS
