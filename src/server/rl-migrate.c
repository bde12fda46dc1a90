/* rl-migrate.c — moving a deployment from SQLite up to PostgreSQL: the copy,
 * then the comparison through the store interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-migrate.h"

#include "rl-error.h"

/* What a failed comparison adds: the copy is committed by then. */
#define NOT_TO_BE_SERVED \
  "The copy was committed but must not be served (was a server still writing to the SQLite file? stop it " \
  "first): drop the PostgreSQL database, make an empty one and migrate again"

typedef struct
{
  RlMigrateCounts *counts;
  GPtrArray       *tenants;     /* the ids copied */
} Copy;

static gboolean
on_copied (RlStoreRecordKind   kind,
           GVariant           *record,
           gpointer            user_data,
           GError            **error)
{
  Copy *copy = user_data;
  char *tenant;

  switch (kind)
    {
    case RL_STORE_RECORD_TENANT:
      g_variant_get_child (record, 0, "s", &tenant);
      g_ptr_array_add (copy->tenants, tenant);
      copy->counts->tenants++;
      break;
    case RL_STORE_RECORD_USER:
      copy->counts->users++;
      break;
    case RL_STORE_RECORD_DOCUMENT:
      copy->counts->documents++;
      break;
    case RL_STORE_RECORD_THREAD:
      copy->counts->threads++;
      break;
    case RL_STORE_RECORD_COMMENT:
      copy->counts->comments++;
      break;
    case RL_STORE_RECORD_EVENT:
      copy->counts->events++;
      break;
    case RL_STORE_RECORD_USAGE:
    case RL_STORE_RECORD_REVISION:
    case RL_STORE_RECORD_PLACEMENT:
    case RL_STORE_RECORD_MENTION:
    case RL_STORE_RECORD_READ_MARK:
    case RL_STORE_RECORD_ACTIVITY:
    default:
      break;
    }
  return TRUE;
}

static gboolean
differs (GError     **error,
         const char  *tenant,
         const char  *doc,
         const char  *what)
{
  g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL,
               "document %s of tenant %s differs after the copy: %s. " NOT_TO_BE_SERVED, doc, tenant, what);
  return FALSE;
}

/* Where the source's log starts: the smallest since it replays from (0
 * unless pruned; head when it replays nothing). Replaying works from there
 * on, so it is found by halves. */
static gint64
log_start (RlStore    *store,
           const char *tenant,
           const char *doc,
           gint64      head)
{
  gint64 low = 0, high = head;

  while (low < high)
    {
      gint64 mid = low + (high - low) / 2;
      g_autoptr(GPtrArray) events = rl_store_events_since (store, tenant, doc, mid, NULL);

      if (events != NULL)
        high = mid;
      else
        low = mid + 1;
    }
  return low;
}

/* The same threads (through the codec, as a snapshot would send them, their
 * placements too), the same log from where the source's starts (and not
 * before), the same revisions (each one's record, content and text model). */
static gboolean
verify_document (RlStore               *source,
                 RlStore               *target,
                 const RlDocumentInfo  *info,
                 guint64               *n_events,
                 gsize                 *n_bytes,
                 GError               **error)
{
  const char *tenant = info->tenant;
  const char *doc = info->doc->id;
  g_autoptr(GPtrArray) source_threads = NULL;
  g_autoptr(GPtrArray) target_threads = NULL;
  g_autoptr(GPtrArray) source_events = NULL;
  g_autoptr(GPtrArray) target_events = NULL;
  g_autoptr(GPtrArray) source_revisions = NULL;
  g_autoptr(GPtrArray) target_revisions = NULL;
  g_autofree char *source_snapshot = NULL;
  g_autofree char *target_snapshot = NULL;
  gint64 source_head = 0, target_head = 0, since;

  source_threads = rl_store_load_threads (source, tenant, doc, &source_head);
  target_threads = rl_store_load_threads (target, tenant, doc, &target_head);
  if (source_head != target_head)
    return differs (error, tenant, doc, "its head seq");
  source_snapshot = rl_message_serialize_snapshot (doc, source_head, source_threads, FALSE);
  target_snapshot = rl_message_serialize_snapshot (doc, target_head, target_threads, FALSE);
  if (g_strcmp0 (source_snapshot, target_snapshot) != 0)
    return differs (error, tenant, doc, "its threads");

  since = log_start (source, tenant, doc, source_head);
  source_events = rl_store_events_since (source, tenant, doc, since, NULL);
  target_events = rl_store_events_since (target, tenant, doc, since, NULL);
  if (since > 0)
    {
      g_autoptr(GPtrArray) before = rl_store_events_since (target, tenant, doc, since - 1, NULL);

      if (before != NULL)
        return differs (error, tenant, doc, "where its event log starts");
    }
  if (source_events == NULL || target_events == NULL || source_events->len != target_events->len)
    return differs (error, tenant, doc, "its event log");
  for (guint i = 0; i < source_events->len; i++)
    if (g_strcmp0 (g_ptr_array_index (source_events, i), g_ptr_array_index (target_events, i)) != 0)
      {
        g_autofree char *what = g_strdup_printf ("its logged event %" G_GINT64_FORMAT, since + 1 + i);

        return differs (error, tenant, doc, what);
      }

  /* Every revision: its record, its content and its text model. */
  source_revisions = rl_store_list_revisions (source, tenant, doc);
  target_revisions = rl_store_list_revisions (target, tenant, doc);
  if (source_revisions == NULL || target_revisions == NULL || source_revisions->len != target_revisions->len ||
      source_revisions->len == 0)
    return differs (error, tenant, doc, "its revisions");
  for (guint i = 0; i < source_revisions->len; i++)
    {
      RlRevision *a = g_ptr_array_index (source_revisions, i);
      RlRevision *b = g_ptr_array_index (target_revisions, i);
      g_autoptr(JsonNode) a_json = rl_revision_to_json (a, info->doc->kind);
      g_autoptr(JsonNode) b_json = rl_revision_to_json (b, info->doc->kind);
      g_autofree char *a_text = rl_json_to_string (a_json, NULL);
      g_autofree char *b_text = rl_json_to_string (b_json, NULL);
      g_autofree char *a_model = rl_store_get_text_model (source, tenant, doc, a->revision);
      g_autofree char *b_model = rl_store_get_text_model (target, tenant, doc, b->revision);
      g_autoptr(GBytes) source_content = NULL;
      g_autoptr(GBytes) target_content = NULL;
      g_autofree char *source_etag = NULL;
      g_autofree char *target_etag = NULL;
      g_autofree char *what = g_strdup_printf ("its revision %" G_GINT64_FORMAT, a->revision);

      source_content = rl_store_get_revision_content (source, tenant, doc, a->revision, &source_etag);
      target_content = rl_store_get_revision_content (target, tenant, doc, a->revision, &target_etag);
      if (g_strcmp0 (a_text, b_text) != 0 || g_strcmp0 (a_model, b_model) != 0 || source_content == NULL ||
          target_content == NULL || !g_bytes_equal (source_content, target_content) ||
          g_strcmp0 (source_etag, target_etag) != 0)
        return differs (error, tenant, doc, what);
      *n_bytes += g_bytes_get_size (source_content);
    }

  *n_events = source_events->len;
  return TRUE;
}

static gboolean
same_document (const RlDocumentInfo *a,
               const RlDocumentInfo *b)
{
  g_autoptr(JsonNode) a_json = rl_document_to_json (a->doc);
  g_autoptr(JsonNode) b_json = rl_document_to_json (b->doc);
  g_autofree char *a_text = rl_json_to_string (a_json, NULL);
  g_autofree char *b_text = rl_json_to_string (b_json, NULL);

  return g_strcmp0 (a->tenant, b->tenant) == 0 && g_strcmp0 (a_text, b_text) == 0 &&
         a->head_seq == b->head_seq && a->threads == b->threads;
}

static void
add_tenant (GPtrArray  *tenants,
            const char *tenant)
{
  if (!g_ptr_array_find_with_equal_func (tenants, tenant, g_str_equal, NULL))
    g_ptr_array_add (tenants, g_strdup (tenant));
}

static gboolean
verify (RlStore            *source,
        RlStore            *target,
        Copy               *copy,
        RlMigrateVerified   verified,
        gpointer            user_data,
        RlMigrateCounts    *checked,
        GError            **error)
{
  g_autoptr(GPtrArray) source_users = rl_store_list_users (source, NULL);
  g_autoptr(GPtrArray) target_users = rl_store_list_users (target, NULL);
  g_autoptr(GPtrArray) source_docs = rl_store_list_document_infos (source, NULL);
  g_autoptr(GPtrArray) target_docs = rl_store_list_document_infos (target, NULL);

  /* Every tenant the source has users or documents in is one, copied or not. */
  for (guint i = 0; i < source_users->len; i++)
    add_tenant (copy->tenants, ((RlUserInfo *) g_ptr_array_index (source_users, i))->tenant);
  for (guint i = 0; i < source_docs->len; i++)
    add_tenant (copy->tenants, ((RlDocumentInfo *) g_ptr_array_index (source_docs, i))->tenant);
  for (guint i = 0; i < copy->tenants->len; i++)
    {
      const char *tenant = g_ptr_array_index (copy->tenants, i);
      guint64 source_messages, source_bytes, target_messages, target_bytes;

      rl_store_get_usage (source, tenant, &source_messages, &source_bytes);
      rl_store_get_usage (target, tenant, &target_messages, &target_bytes);
      if (!rl_store_has_tenant (target, tenant) || source_messages != target_messages ||
          source_bytes != target_bytes)
        {
          g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL,
                       "tenant %s differs after the copy (%s). " NOT_TO_BE_SERVED, tenant,
                       rl_store_has_tenant (target, tenant) ? "its usage" : "missing");
          return FALSE;
        }
      checked->tenants++;
    }

  for (guint i = 0; i < MAX (source_users->len, target_users->len); i++)
    {
      RlUserInfo *a = i < source_users->len ? g_ptr_array_index (source_users, i) : NULL;
      RlUserInfo *b = i < target_users->len ? g_ptr_array_index (target_users, i) : NULL;

      if (a == NULL || b == NULL || g_strcmp0 (a->tenant, b->tenant) != 0 || g_strcmp0 (a->id, b->id) != 0 ||
          g_strcmp0 (a->name, b->name) != 0 || a->role != b->role || a->created_at != b->created_at ||
          a->revoked_at != b->revoked_at)
        {
          g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL,
                       "user %s of tenant %s differs after the copy. " NOT_TO_BE_SERVED,
                       (a ? a : b)->id, (a ? a : b)->tenant);
          return FALSE;
        }
      checked->users++;
    }

  for (guint i = 0; i < MAX (source_docs->len, target_docs->len); i++)
    {
      RlDocumentInfo *a = i < source_docs->len ? g_ptr_array_index (source_docs, i) : NULL;
      RlDocumentInfo *b = i < target_docs->len ? g_ptr_array_index (target_docs, i) : NULL;
      guint64 events = 0;
      gsize bytes = 0;

      if (a == NULL || b == NULL || !same_document (a, b))
        return differs (error, (a ? a : b)->tenant, (a ? a : b)->doc->id, "its record (or it is missing)");
      if (!verify_document (source, target, a, &events, &bytes, error))
        return FALSE;
      checked->documents++;
      checked->threads += (guint64) a->threads;
      checked->events += events;
      if (verified)
        verified (a->tenant, a->doc->id, (guint64) a->threads, events, bytes, user_data);
    }
  return TRUE;
}

gboolean
rl_migrate_run (RlStore            *source,
                RlStore            *target,
                RlMigrateCounts    *copied,
                RlMigrateVerified   verified,
                gpointer            user_data,
                RlMigrateCounts    *checked,
                GError            **error)
{
  g_autoptr(GPtrArray) tenants = g_ptr_array_new_with_free_func (g_free);
  Copy copy = { copied, tenants };

  gboolean done;

  *copied = (RlMigrateCounts) { 0 };
  *checked = (RlMigrateCounts) { 0 };
  /* The copy and its comparison read the source's one snapshot: a server
   * still writing to it cannot make them differ. */
  if (!rl_store_hold_snapshot (source, error))
    return FALSE;
  if (!rl_store_import (target, source, on_copied, &copy, error))
    {
      rl_store_release_snapshot (source);
      /* Nothing went: counts of a rolled-back copy would mislead. */
      *copied = (RlMigrateCounts) { 0 };
      return FALSE;
    }
  done = verify (source, target, &copy, verified, user_data, checked, error);
  rl_store_release_snapshot (source);
  return done;
}
