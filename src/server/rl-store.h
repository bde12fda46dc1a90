/* rl-store.h — the durable store: tenants, users, documents, threads and
 * each document's event log (the embedded default is SQLite)
 *
 * Every mutation is checked and committed in one transaction; the event it
 * produced is serialized once, logged for `since` resync, and handed back
 * for fan-out with the same bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-codec.h"
#include "rl-model.h"

G_BEGIN_DECLS

/* Who is asking: the principal behind a token. */
typedef struct
{
  char     *tenant;
  RlPerson  user;
  RlRole    role;
} RlPrincipal;

void         rl_principal_free (RlPrincipal *principal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlPrincipal, rl_principal_free)

#define RL_TYPE_STORE (rl_store_get_type ())
G_DECLARE_FINAL_TYPE (RlStore, rl_store, RL, STORE, GObject)

RlStore     *rl_store_open                (const char   *path,
                                           GError      **error);
/* How many events per document are kept for resync (default 10 000). */
void         rl_store_set_event_log_limit (RlStore      *self,
                                           guint         limit);

gboolean     rl_store_add_tenant          (RlStore      *self,
                                           const char   *tenant,
                                           GError      **error);
gboolean     rl_store_has_tenant          (RlStore      *self,
                                           const char   *tenant);
/* Returns the new token; only its hash is stored. */
char        *rl_store_add_user            (RlStore      *self,
                                           const char   *tenant,
                                           const char   *name,
                                           RlRole        role,
                                           GError      **error);
/* NULL when the token is unknown; compares in constant time. */
RlPrincipal *rl_store_authenticate        (RlStore      *self,
                                           const char   *token);

RlDocument  *rl_store_add_document        (RlStore      *self,
                                           const char   *tenant,
                                           const RlPerson *created_by,
                                           const char   *title,
                                           const char   *mime,
                                           int           width,
                                           int           height,
                                           GBytes       *content,
                                           GError      **error);
/* Of RlDocument*, oldest first. */
GPtrArray   *rl_store_list_documents      (RlStore      *self,
                                           const char   *tenant);
/* NULL when absent in that tenant. */
RlDocument  *rl_store_get_document        (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc);
GBytes      *rl_store_get_content         (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc,
                                           char        **etag);

/* Every thread of a document (creation order) and the head seq they are at. */
GPtrArray   *rl_store_load_threads        (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc,
                                           gint64       *head_seq);
gint64       rl_store_get_head            (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc);
/* Serialized events with since < seq ≤ head, in order; NULL when the log no
 * longer holds them all (the caller sends a reset snapshot). */
GPtrArray   *rl_store_events_since        (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc,
                                           gint64        since,
                                           gint64       *head_seq);

/* Checks (existence, roles, ownership, duplicates) and commits a mutation.
 * On success returns the event with its seq and, in *serialized, its one
 * serialization; on failure an RL_ERROR and nothing changed. */
RlEvent     *rl_store_apply               (RlStore        *self,
                                           const RlPrincipal *who,
                                           const RlDocument  *doc,
                                           const RlRequest   *request,
                                           char             **serialized,
                                           GError           **error);

void         rl_store_add_usage           (RlStore      *self,
                                           const char   *tenant,
                                           guint64       messages,
                                           guint64       bytes);
void         rl_store_get_usage           (RlStore      *self,
                                           const char   *tenant,
                                           guint64      *messages,
                                           guint64      *bytes);

G_END_DECLS
