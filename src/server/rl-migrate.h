/* rl-migrate.h — moving a deployment from SQLite up to PostgreSQL
 *
 * The copy is the stores' own (rl_store_import of the source's
 * rl_store_export: one transaction, into an empty database); then every
 * tenant, user and document is read back through the store interface from
 * both and compared, document by document, so what a client would see —
 * its snapshot, the events a `since` replays, the content it downloads — is
 * the same on either.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-store.h"

G_BEGIN_DECLS

typedef struct
{
  guint64 tenants;
  guint64 users;
  guint64 documents;
  guint64 threads;
  guint64 comments;
  guint64 events;
} RlMigrateCounts;

/* One document found the same in both stores: its threads, the events of
 * its log and its content's size. */
typedef void (*RlMigrateVerified) (const char *tenant,
                                   const char *doc,
                                   guint64     threads,
                                   guint64     events,
                                   gsize       bytes,
                                   gpointer    user_data);

/* Copies source into target (which must hold no tenant) and counts in
 * *copied what went; nothing is copied on failure. Then compares the two,
 * telling verified of each document, and counts in *verified what it
 * compared. An error names the document (or user, tenant) that differs. */
gboolean rl_migrate_run (RlStore            *source,
                         RlStore            *target,
                         RlMigrateCounts    *copied,
                         RlMigrateVerified   verified,
                         gpointer            user_data,
                         RlMigrateCounts    *checked,
                         GError            **error);

G_END_DECLS
