/* rl-store.c — the store interface: each rl_store_* call goes to the
 * implementation's vfunc; what every implementation shares lives here too:
 * the shape of a transaction (its steps are the store's), what a mutation
 * and an administration change check and write (the statements are the
 * store's), and the records read from a row
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-store.h"

#include <string.h>
#include <sys/random.h>

#include "rl-committer.h"
#include "rl-error.h"
#include "rl-limits.h"
#include "rl-plaintext.h"
#include "rl-store-private.h"
#include "rl-time.h"
#include "rl-uuid.h"

G_DEFINE_INTERFACE (RlStore, rl_store, G_TYPE_OBJECT)

/* The store's RlCommitter (rl_store_apply_async), and the event log limit
 * last set, which its writer must keep too. */
static GQuark committer_quark       (void);
static GQuark event_log_limit_quark (void);
static G_DEFINE_QUARK (rl-store-committer, committer)
static G_DEFINE_QUARK (rl-store-event-log-limit, event_log_limit)

static void
rl_store_default_init (RlStoreInterface *iface)
{
}

/* ---- records ------------------------------------------------------------------ */

void
rl_principal_free (RlPrincipal *principal)
{
  if (principal == NULL)
    return;
  g_free (principal->tenant);
  rl_person_clear (&principal->user);
  g_free (principal);
}

void
rl_user_info_free (RlUserInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->tenant);
  g_free (info->id);
  g_free (info->name);
  g_free (info);
}

void
rl_document_info_free (RlDocumentInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->tenant);
  g_clear_pointer (&info->doc, rl_document_free);
  g_free (info);
}

void
rl_store_change_free (RlStoreChange *change)
{
  if (change == NULL)
    return;
  g_free (change->tenant);
  g_free (change->subject);
  g_free (change);
}

void
rl_viewer_free (RlViewer *viewer)
{
  if (viewer == NULL)
    return;
  g_free (viewer->id);
  g_free (viewer->name);
  g_free (viewer);
}

/* ---- rows ------------------------------------------------------------------------ */

static char *
row_dup (const RlStoreRow *row,
         int               column)
{
  return g_strdup (row->text (row, column));
}

RlDocument *
rl_store_document_from_row (const RlStoreRow *row)
{
  RlDocument *doc = g_new0 (RlDocument, 1);

  doc->id = row_dup (row, 0);
  rl_doc_kind_from_string (row->text (row, 1), &doc->kind);
  doc->title = row_dup (row, 2);
  doc->mime = row_dup (row, 3);
  doc->size = row->number (row, 4);
  doc->width = (int) row->number (row, 5);
  doc->height = (int) row->number (row, 6);
  doc->created_at = row->number (row, 7);
  doc->created_by.id = row_dup (row, 8);
  doc->created_by.name = row_dup (row, 9);
  doc->revision = row->number (row, 10);
  return doc;
}

RlDocumentInfo *
rl_store_document_info_from_row (const RlStoreRow *row)
{
  RlDocumentInfo *info = g_new0 (RlDocumentInfo, 1);

  info->doc = rl_store_document_from_row (row);
  info->tenant = row_dup (row, 11);
  info->head_seq = row->number (row, 12);
  info->threads = row->number (row, 13);
  return info;
}

RlThread *
rl_store_thread_from_row (const RlStoreRow *row,
                          const char       *doc)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  RlThread *thread = rl_thread_new ();

  thread->id = row_dup (row, 0);
  thread->doc = g_strdup (doc);
  if (json_parser_load_from_data (parser, row->text (row, 1), -1, NULL))
    rl_anchor_from_json (json_parser_get_root (parser), &thread->anchor, NULL);
  thread->resolved = row->flag (row, 2);
  thread->created_by.id = row_dup (row, 3);
  thread->created_by.name = row_dup (row, 4);
  thread->created_at = row->number (row, 5);
  thread->updated_at = row->number (row, 6);
  thread->number = row->number (row, 7);
  thread->revision = row->number (row, 8);
  return thread;
}

RlRevision *
rl_store_revision_from_row (const RlStoreRow *row)
{
  RlRevision *revision = g_new0 (RlRevision, 1);

  revision->revision = row->number (row, 0);
  revision->mime = row_dup (row, 1);
  revision->size = row->number (row, 2);
  revision->width = (int) row->number (row, 3);
  revision->height = (int) row->number (row, 4);
  revision->etag = row_dup (row, 5);
  revision->created_at = row->number (row, 6);
  revision->created_by.id = row_dup (row, 7);
  revision->created_by.name = row_dup (row, 8);
  return revision;
}

RlRevisionAnchor *
rl_store_placement_from_row (const RlStoreRow *row)
{
  RlRevisionAnchor *placement = rl_revision_anchor_new ();
  const char *anchor = row->text (row, 2);

  placement->revision = row->number (row, 1);
  if (anchor != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      if (json_parser_load_from_data (parser, anchor, -1, NULL))
        rl_anchor_from_json (json_parser_get_root (parser), &placement->anchor, NULL);
    }
  if (!rl_placement_status_from_string (row->text (row, 3), &placement->status))
    placement->status = anchor ? RL_PLACEMENT_CHANGED : RL_PLACEMENT_ORPHANED;
  placement->score = row->real (row, 4);
  placement->by.id = row_dup (row, 5);
  placement->by.name = row_dup (row, 6);
  return placement;
}

char *
rl_store_text_model_for (const char *mime,
                         GBytes     *content)
{
  g_autoptr(RlPageText) text = NULL;
  gsize size;
  const char *data = g_bytes_get_data (content, &size);

  text = rl_page_text_new (mime, data ? data : "", size, NULL);
  return text ? rl_page_text_serialize (text, NULL) : NULL;
}

RlComment *
rl_store_comment_from_row (const RlStoreRow *row)
{
  RlComment *comment = rl_comment_new ();

  comment->id = row_dup (row, 0);
  comment->thread = row_dup (row, 1);
  comment->author.id = row_dup (row, 2);
  comment->author.name = row_dup (row, 3);
  comment->body = row_dup (row, 4);
  comment->created_at = row->number (row, 5);
  comment->edited_at = row->number (row, 6);
  comment->seq = row->number (row, 7);
  return comment;
}

RlUserInfo *
rl_store_user_info_from_row (const RlStoreRow *row)
{
  RlUserInfo *info = g_new0 (RlUserInfo, 1);

  info->tenant = row_dup (row, 0);
  info->id = row_dup (row, 1);
  info->name = row_dup (row, 2);
  if (!rl_role_from_string (row->text (row, 3), &info->role))
    info->role = RL_ROLE_VIEWER;
  info->created_at = row->number (row, 4);
  info->revoked_at = row->number (row, 5);
  return info;
}

RlStoreChange *
rl_store_change_from_row (const RlStoreRow *row)
{
  RlStoreChangeKind kind;
  RlStoreChange *change;

  if (!rl_store_change_kind_from_string (row->text (row, 1), &kind))
    return NULL;
  change = g_new0 (RlStoreChange, 1);
  change->kind = kind;
  change->tenant = row_dup (row, 2);
  change->subject = row_dup (row, 3);
  return change;
}

void
rl_store_add_records_from_rows (GPtrArray      *records,
                                RlStoreRow     *rows,
                                RlStoreFromRow  from_row)
{
  while (rows->next (rows, NULL))
    g_ptr_array_add (records, from_row (rows));
}

GPtrArray *
rl_store_threads_from_rows (RlStoreRow  *thread_rows,
                            RlStoreRow  *placement_rows,
                            RlStoreRow  *comment_rows,
                            const char  *doc,
                            GError     **error)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  GError *local_error = NULL;

  while (thread_rows->next (thread_rows, &local_error))
    {
      RlThread *thread = rl_store_thread_from_row (thread_rows, doc);

      g_ptr_array_add (threads, thread);
      g_hash_table_insert (by_id, thread->id, thread);
    }
  while (local_error == NULL && placement_rows->next (placement_rows, &local_error))
    {
      RlThread *thread = g_hash_table_lookup (by_id, placement_rows->text (placement_rows, 0));

      if (thread)
        g_ptr_array_add (thread->placements, rl_store_placement_from_row (placement_rows));
    }
  while (local_error == NULL && comment_rows != NULL && comment_rows->next (comment_rows, &local_error))
    {
      RlThread *thread = g_hash_table_lookup (by_id, comment_rows->text (comment_rows, 1));

      if (thread)
        g_ptr_array_add (thread->comments, rl_store_comment_from_row (comment_rows));
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&threads);
}

gboolean
rl_store_log_reaches (gint64 since,
                      gint64 head,
                      gint64 unnumbered,
                      gint64 unrevisioned)
{
  if (since > head)
    return FALSE;   /* the client is ahead of this store */
  /* It may hold threads from before numbers (and no event will give them
   * theirs; or a database moved from SQLite). */
  if (unnumbered > 0 && since <= unnumbered)
    return FALSE;
  /* Likewise threads without their revisions and placements. */
  if (unrevisioned > 0 && since <= unrevisioned)
    return FALSE;
  return TRUE;
}

GPtrArray *
rl_store_events_from_rows (RlStoreRow *rows,
                           gint64      since,
                           gint64      head)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  gint64 expected = since + 1;

  while (rows->next (rows, NULL))
    {
      if (rows->number (rows, 0) != expected++)
        return NULL;   /* pruned: a gap */
      g_ptr_array_add (events, row_dup (rows, 1));
    }
  if (expected != head + 1)
    return NULL;
  return g_steal_pointer (&events);
}

GPtrArray *
rl_store_changes_from_rows (RlStoreRow *rows,
                            gint64     *cursor)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_store_change_free);

  while (rows->next (rows, NULL))
    {
      RlStoreChange *change = rl_store_change_from_row (rows);

      *cursor = rows->number (rows, 0);
      if (change != NULL)   /* else a kind from a newer server */
        g_ptr_array_add (changes, change);
    }
  if (changes->len == 0)
    return NULL;
  return g_steal_pointer (&changes);
}

/* ---- tokens ------------------------------------------------------------------- */

char *
rl_store_new_secret (void)
{
  guint8 bytes[32];
  gsize done = 0;
  char *b64;

  while (done < sizeof bytes)
    {
      ssize_t r = getrandom (bytes + done, sizeof bytes - done, 0);
      if (r > 0)
        done += (gsize) r;
    }
  b64 = g_base64_encode (bytes, sizeof bytes);
  /* URL-safe, unpadded: a token travels in invite links. */
  for (char *p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }
  return b64;
}

GBytes *
rl_store_hash_secret (const char *secret)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) secret, -1);
  g_checksum_get_digest (checksum, digest, &len);
  return g_bytes_new (digest, len);
}

gboolean
rl_store_hash_equal (const guint8 *a,
                     const guint8 *b,
                     gsize         len)
{
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

char *
rl_store_make_token (const char *user,
                     const char *secret)
{
  return g_strdup_printf ("%s.%s", user, secret);
}

char *
rl_store_split_token (const char  *token,
                      const char **secret)
{
  const char *dot;

  if (token == NULL || (dot = strchr (token, '.')) == NULL || dot - token > 64)
    return NULL;
  *secret = dot + 1;
  return g_strndup (token, dot - token);
}

/* ---- rules ------------------------------------------------------------------- */

gboolean
rl_store_check_schema (int      version,
                       int      known,
                       GError **error)
{
  if (version <= known)
    return TRUE;
  g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "the database has schema version %d, newer than this server’s %d",
               version, known);
  return FALSE;
}

gint64
rl_store_prune_upto (gint64 seq,
                     guint  limit)
{
  /* A client further behind than the log gets a reset snapshot. */
  if (seq > (gint64) limit && seq % 64 == 0)
    return seq - limit;
  return 0;
}

gboolean
rl_store_may_modify (const RlPrincipal  *who,
                     const char         *owner,
                     GError            **error)
{
  if (who->role == RL_ROLE_ADMIN || g_strcmp0 (who->user.id, owner) == 0)
    return TRUE;
  g_set_error (error, RL_ERROR, RL_ERROR_FORBIDDEN, "only its author or an admin may do that");
  return FALSE;
}

gboolean
rl_store_may_delete_comment (gboolean   first,
                             GError   **error)
{
  if (!first)
    return TRUE;
  g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "the first comment can’t be deleted: delete the thread");
  return FALSE;
}

gboolean
rl_store_may_rotate (const char  *user,
                     gint64       revoked_at,
                     GError     **error)
{
  g_autofree char *when = NULL;

  if (revoked_at == 0)
    return TRUE;
  when = rl_time_format (revoked_at);
  g_set_error (error, RL_ERROR, RL_ERROR_FORBIDDEN, "user “%s” was revoked at %s; add a new user instead",
               user, when);
  return FALSE;
}

/* Threads are made, moved and placed on the latest revision only: the
 * revision asked for (0: unsaid, v1) must be it. */
static gboolean
is_latest (gint64    asked,
           gint64    latest,
           GError  **error)
{
  if (asked == 0 || asked == latest)
    return TRUE;
  g_set_error (error, RL_ERROR, RL_ERROR_CONFLICT, "a newer version of this document exists");
  return FALSE;
}

static const char *change_kinds[] = {
  [RL_STORE_CHANGE_USER_REVOKED] = "user-revoked",
  [RL_STORE_CHANGE_TOKEN_ROTATED] = "token-rotated",
  [RL_STORE_CHANGE_DOCUMENT_REMOVED] = "document-removed",
};

const char *
rl_store_change_kind_to_string (RlStoreChangeKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (change_kinds), NULL);

  return change_kinds[kind];
}

gboolean
rl_store_change_kind_from_string (const char        *str,
                                  RlStoreChangeKind *kind)
{
  for (guint k = 0; k < G_N_ELEMENTS (change_kinds); k++)
    if (g_strcmp0 (str, change_kinds[k]) == 0)
      {
        *kind = (RlStoreChangeKind) k;
        return TRUE;
      }
  return FALSE;
}

/* ---- transactions --------------------------------------------------------------- */

/* The limit last set (rl_store_set_event_log_limit), or the default. */
static guint
event_log_limit (RlStore *self)
{
  gpointer limit = g_object_get_qdata (G_OBJECT (self), event_log_limit_quark ());

  return limit != NULL ? GPOINTER_TO_UINT (limit) : RL_STORE_DEFAULT_EVENT_LOG_LIMIT;
}

/* Inside a mutation's transaction: the event gets the seq after head,
 * which becomes the document's head, and is logged in its one
 * serialization (in *serialized); the log is kept bounded. */
static gboolean
log_event (RlStore     *self,
           const char  *tenant,
           const char  *doc,
           gint64       head,
           RlEvent     *event,
           char       **serialized,
           GError     **error)
{
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  gint64 upto;

  rl_event_set_seq (event, head + 1);
  *serialized = rl_event_serialize (event);
  upto = rl_store_prune_upto (event->seq, event_log_limit (self));
  return iface->append_event (self, tenant, doc, event->seq, *serialized, error) &&
         (upto == 0 || iface->write_row (self, RL_STORE_WRITE_PRUNE_EVENTS, tenant, doc,
                                         g_variant_new_int64 (upto), error));
}

static gboolean
take_step (RlStore      *self,
           RlStoreStep   step,
           GError      **error)
{
  return RL_STORE_GET_IFACE (self)->transaction_step (self, step, error);
}

gboolean
rl_store_run_in_transaction (RlStore      *self,
                             RlStoreBody   body,
                             gpointer      data,
                             GError      **error)
{
  if (!take_step (self, RL_STORE_STEP_BEGIN, error))
    return FALSE;
  if (!body (self, data, error) || !take_step (self, RL_STORE_STEP_COMMIT, error))
    {
      take_step (self, RL_STORE_STEP_ROLLBACK, NULL);
      return FALSE;
    }
  return TRUE;
}

/* ---- mutations ------------------------------------------------------------------ */

static RlEvent *
create_thread (RlStore            *self,
               const RlPrincipal  *who,
               const RlRequest    *request,
               RlEventContext     *context,
               GError            **error)
{
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  g_autoptr(RlEvent) event = NULL;
  g_autoptr(JsonNode) anchor = rl_anchor_to_json (&request->anchor);
  g_autofree char *anchor_json = rl_json_to_string (anchor, NULL);

  if (!is_latest (request->revision, context->revision, error))
    return NULL;
  /* Under the document's lock: concurrent creators on one document get
   * consecutive numbers, and a refused create gives none away. */
  if (!iface->read_number (self, RL_STORE_READ_THREAD_NUMBER, who->tenant, context->doc, &context->number, error))
    return NULL;
  if (context->number < 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such document");
      return NULL;
    }
  event = rl_event_new_for_request (request, context);
  if (!iface->insert_thread (self, who->tenant, event->thread, anchor_json, error) ||
      !iface->insert_comment (self, who->tenant, g_ptr_array_index (event->thread->comments, 0), error))
    return NULL;
  /* Its placement on the revision it is made on: exact. */
  for (guint i = 0; i < event->thread->placements->len; i++)
    if (!iface->write_placement (self, who->tenant, context->doc, event->thread->id,
                                 g_ptr_array_index (event->thread->placements, i), anchor_json, error))
      return NULL;
  return g_steal_pointer (&event);
}

/* A move or a place-thread: the thread's v1 anchor and its placement on
 * the latest revision, settled by a person (exact). */
static gboolean
settle_placement (RlStore            *self,
                  const char         *tenant,
                  const RlEvent      *event,
                  GError            **error)
{
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  g_autoptr(JsonNode) anchor = rl_anchor_to_json (&event->anchor);
  g_autofree char *anchor_json = rl_json_to_string (anchor, NULL);
  RlRevisionAnchor placement = {
    .revision = event->revision,
    .status = RL_PLACEMENT_EXACT,
    .anchor = event->anchor,
    .by = event->by,
  };

  if (!iface->write_row (self, RL_STORE_WRITE_THREAD_ANCHOR, tenant, event->thread_id,
                         g_variant_new_string (anchor_json), error))
    return FALSE;
  return event->revision <= 0 ||
         iface->write_placement (self, tenant, event->doc, event->thread_id, &placement, anchor_json, error);
}

/* An edit or a deletion of a comment: its event, NULL when refused. */
static RlEvent *
change_comment (RlStore            *self,
                const RlPrincipal  *who,
                const RlRequest    *request,
                RlEventContext     *context,
                GError            **error)
{
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  g_autoptr(RlComment) comment = NULL;
  g_autoptr(RlEvent) event = NULL;
  gboolean first = FALSE;

  if (!iface->lookup_comment (self, who->tenant, request->thread_id, request->comment_id, &comment, &first, error))
    return NULL;
  if (comment == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such comment");
      return NULL;
    }
  if (!rl_store_may_modify (who, comment->author.id, error))
    return NULL;

  if (request->type == RL_REQUEST_DELETE_COMMENT)
    {
      if (!rl_store_may_delete_comment (first, error))
        return NULL;
      event = rl_event_new_for_request (request, context);
      if (!iface->write_row (self, RL_STORE_WRITE_DELETE_COMMENT, who->tenant, event->comment_id, NULL, error))
        return NULL;
      return g_steal_pointer (&event);
    }
  context->comment = comment;
  event = rl_event_new_for_request (request, context);
  if (!iface->update_comment (self, who->tenant, event->comment, error))
    return NULL;
  return g_steal_pointer (&event);
}

/* Any mutation of an existing thread: its event, NULL when refused. */
static RlEvent *
change_thread (RlStore            *self,
               const RlPrincipal  *who,
               const RlRequest    *request,
               RlEventContext     *context,
               GError            **error)
{
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  g_autoptr(RlEvent) event = NULL;
  g_autofree char *owner = NULL;
  const char *tenant = who->tenant;

  if (!iface->lookup_thread (self, tenant, context->doc, request->thread_id, &owner, error))
    return NULL;
  if (owner == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such thread");
      return NULL;
    }

  switch (request->type)
    {
    case RL_REQUEST_ADD_COMMENT:
      event = rl_event_new_for_request (request, context);
      if (!iface->insert_comment (self, tenant, event->comment, error))
        return NULL;
      break;

    case RL_REQUEST_EDIT_COMMENT:
    case RL_REQUEST_DELETE_COMMENT:
      event = change_comment (self, who, request, context, error);
      if (event == NULL)
        return NULL;
      break;

    case RL_REQUEST_RESOLVE_THREAD:
      event = rl_event_new_for_request (request, context);
      if (!iface->write_row (self, RL_STORE_WRITE_THREAD_RESOLVED, tenant, request->thread_id,
                             g_variant_new_boolean (event->resolved), error))
        return NULL;
      break;

    case RL_REQUEST_MOVE_THREAD:
      if (!rl_store_may_modify (who, owner, error) || !is_latest (request->revision, context->revision, error))
        return NULL;
      event = rl_event_new_for_request (request, context);
      if (!settle_placement (self, tenant, event, error))
        return NULL;
      break;

    case RL_REQUEST_PLACE_THREAD:
      {
        g_autoptr(RlRevisionAnchor) current = NULL;

        /* Any member settles it, on the latest revision only. */
        if (!is_latest (request->revision, context->revision, error))
          return NULL;
        if (!request->has_anchor)
          {
            if (!iface->read_placement (self, tenant, request->thread_id, context->revision, &current, error))
              return NULL;
            if (current == NULL || current->status == RL_PLACEMENT_ORPHANED)
              {
                g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST,
                             "an orphaned thread has no place to confirm; place it");
                return NULL;
              }
            context->placement = current;
          }
        event = rl_event_new_for_request (request, context);
        context->placement = NULL;
        if (!settle_placement (self, tenant, event, error))
          return NULL;
      }
      break;

    case RL_REQUEST_DELETE_THREAD:
      if (!rl_store_may_modify (who, owner, error))
        return NULL;
      event = rl_event_new_for_request (request, context);
      if (!iface->write_row (self, RL_STORE_WRITE_DELETE_THREAD_COMMENTS, tenant, request->thread_id, NULL, error) ||
          !iface->write_row (self, RL_STORE_WRITE_DELETE_THREAD, tenant, request->thread_id, NULL, error))
        return NULL;
      return g_steal_pointer (&event);

    case RL_REQUEST_SUBSCRIBE:
    case RL_REQUEST_UNSUBSCRIBE:
    case RL_REQUEST_CREATE_THREAD:
    default:
      g_assert_not_reached ();
    }

  if (!iface->write_row (self, RL_STORE_WRITE_THREAD_UPDATED_AT, tenant, request->thread_id,
                         g_variant_new_int64 (context->now), error))
    return NULL;
  return g_steal_pointer (&event);
}

/* One mutation, in the caller's transaction: checked, written, and its
 * event logged with the next seq. */
static gboolean
apply_body (RlStore   *self,
            gpointer   data,
            GError   **error)
{
  RlStoreApply *apply = data;
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  RlEventContext context = { apply->doc->kind, apply->doc->id, &apply->who->user, rl_time_now_ms (), 0, NULL, 0, NULL };
  const char *tenant = apply->who->tenant;
  g_autoptr(RlEvent) event = NULL;
  g_autofree char *serialized = NULL;
  g_autoptr(GPtrArray) old_mentions = NULL;
  g_autoptr(GPtrArray) activity = NULL;
  const RlComment *comment;
  gint64 head = -1;

  /* The document's lock orders every writer of the document (on any
   * connection of any node): each sees the head the one before committed. */
  if (!iface->read_number (self, RL_STORE_READ_DOCUMENT_HEAD, tenant, apply->doc->id, &head, error))
    return FALSE;
  if (head < 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND,
                   apply->request->type == RL_REQUEST_CREATE_THREAD ? "no such document" : "no such thread");
      return FALSE;
    }
  /* Every event says the latest revision (v1 readers skip what it adds). */
  if (!iface->read_number (self, RL_STORE_READ_DOCUMENT_REVISION, tenant, apply->doc->id, &context.revision,
                           error))
    return FALSE;

  /* 1.2: whom it mentions are the tenant's; what an edit mentioned before. */
  if (!rl_store_check_mentions (self, tenant, apply->request, error))
    return FALSE;
  if (apply->request->type == RL_REQUEST_EDIT_COMMENT &&
      (old_mentions = rl_store_read_comment_mentions (self, tenant, apply->request->comment_id, error)) == NULL)
    return FALSE;

  if (apply->request->type == RL_REQUEST_CREATE_THREAD)
    event = create_thread (self, apply->who, apply->request, &context, error);
  else
    event = change_thread (self, apply->who, apply->request, &context, error);
  if (event == NULL)
    return FALSE;

  if (!log_event (self, tenant, apply->doc->id, head, event, &serialized, error))
    return FALSE;
  /* The comment it makes keeps its event's seq; its mentions and the
   * activity it makes are written in the same transaction. */
  comment = event->kind == RL_EVENT_CREATED ? g_ptr_array_index (event->thread->comments, 0)
            : event->change == RL_CHANGE_COMMENT_ADDED ? event->comment : NULL;
  if (comment != NULL &&
      !iface->write_row (self, RL_STORE_WRITE_COMMENT_SEQ, tenant, comment->id, g_variant_new_int64 (comment->seq),
                         error))
    return FALSE;
  if (!rl_store_write_mentions (self, tenant, event, error))
    return FALSE;
  activity = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_store_activity_free);
  if (!rl_store_note_activity (self, apply->who, apply->doc, event, old_mentions, activity, error))
    return FALSE;
  apply->event = g_steal_pointer (&event);
  apply->serialized = g_steal_pointer (&serialized);
  g_clear_pointer (&apply->activity, g_ptr_array_unref);
  apply->activity = g_steal_pointer (&activity);
  return TRUE;
}

typedef struct
{
  RlStoreApply **applies;
  guint          n_applies;
} Group;

static gboolean
apply_group_body (RlStore   *self,
                  gpointer   data,
                  GError   **error)
{
  Group *group = data;
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);

  if (iface->lock_group != NULL && !iface->lock_group (self, group->applies, group->n_applies, error))
    return FALSE;
  for (guint i = 0; i < group->n_applies; i++)
    {
      RlStoreApply *apply = group->applies[i];

      if (!take_step (self, RL_STORE_STEP_SAVEPOINT, error))
        return FALSE;
      /* A refused one leaves nothing behind; the others go on. */
      if (!(apply->request->type == RL_REQUEST_MARK_READ ? rl_store_apply_mark_read (self, apply, &apply->error)
                                                          : apply_body (self, apply, &apply->error)) &&
          !take_step (self, RL_STORE_STEP_ROLLBACK_TO_SAVEPOINT, error))
        return FALSE;
      if (!take_step (self, RL_STORE_STEP_RELEASE_SAVEPOINT, error))
        return FALSE;
      if (i + 1 < group->n_applies)
        rl_store_test_hold_between ();
    }
  rl_store_test_hold_commit ();
  return TRUE;
}

gboolean
rl_store_apply_group (RlStore       *self,
                      RlStoreApply **applies,
                      guint          n_applies,
                      GError       **error)
{
  Group group = { applies, n_applies };

  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  return rl_store_run_in_transaction (self, apply_group_body, &group, error);
}

/* ---- operations ----------------------------------------------------------------- */

void
rl_store_set_event_log_limit (RlStore *self,
                              guint    limit)
{
  RlCommitter *committer;

  g_return_if_fail (RL_IS_STORE (self));

  limit = MAX (limit, 1);
  /* The committer's writer, made later or now, keeps the same limit. */
  g_object_set_qdata (G_OBJECT (self), event_log_limit_quark (), GUINT_TO_POINTER (limit));
  committer = g_object_get_qdata (G_OBJECT (self), committer_quark ());
  if (committer != NULL)
    rl_committer_set_event_log_limit (committer, limit);
}

gboolean
rl_store_add_tenant (RlStore     *self,
                     const char  *tenant,
                     GError     **error)
{
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  if (!rl_tenant_id_is_valid (tenant))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST,
                   "a tenant id is 1–40 characters of a–z, 0–9 and “-”");
      return FALSE;
    }
  return RL_STORE_GET_IFACE (self)->add_tenant (self, tenant, error);
}

gboolean
rl_store_has_tenant (RlStore    *self,
                     const char *tenant)
{
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  return RL_STORE_GET_IFACE (self)->has_tenant (self, tenant);
}

char *
rl_store_add_user (RlStore     *self,
                   const char  *tenant,
                   const char  *name,
                   RlRole       role,
                   GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name ? name : ""));
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GBytes) hash = NULL;

  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  if (!rl_store_has_tenant (self, tenant))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no tenant “%s”", tenant);
      return NULL;
    }
  if (!g_utf8_validate (trimmed, -1, NULL) || *trimmed == '\0' ||
      g_utf8_strlen (trimmed, -1) > RL_NAME_MAX_CHARS)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "a user needs a name");
      return NULL;
    }
  id = rl_random_id_new ();
  secret = rl_store_new_secret ();
  hash = rl_store_hash_secret (secret);
  if (!RL_STORE_GET_IFACE (self)->add_user (self, tenant, id, trimmed, role, hash, error))
    return NULL;
  return rl_store_make_token (id, secret);
}

RlPrincipal *
rl_store_authenticate (RlStore    *self,
                       const char *token)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->authenticate (self, token);
}

/* A document's new revision: its row, made the latest. */
typedef struct
{
  const char    *tenant;
  RlDocument    *doc;           /* add_document: the new one */
  RlRevision     revision;
  GBytes        *content;
  const char    *text_model;
} NewRevision;

static void
new_revision_init (NewRevision         *new_revision,
                   const RlPerson      *created_by,
                   const char          *mime,
                   int                  width,
                   int                  height,
                   GBytes              *content,
                   const char          *text_model)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (content, &size);

  new_revision->revision.mime = (char *) mime;
  new_revision->revision.size = (gint64) size;
  new_revision->revision.width = width;
  new_revision->revision.height = height;
  new_revision->revision.etag = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
  new_revision->revision.created_at = rl_time_now_ms ();
  new_revision->revision.created_by = *created_by;
  new_revision->content = content;
  new_revision->text_model = text_model;
}

static gboolean
add_document_body (RlStore   *self,
                   gpointer   data,
                   GError   **error)
{
  NewRevision *first = data;
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);

  return iface->add_document (self, first->tenant, first->doc, error) &&
         iface->insert_revision (self, first->tenant, first->doc->id, &first->revision, first->content,
                                 first->text_model, error);
}

RlDocument *
rl_store_add_document (RlStore         *self,
                       const char      *tenant,
                       const RlPerson  *created_by,
                       const char      *title,
                       const char      *mime,
                       int              width,
                       int              height,
                       GBytes          *content,
                       const char      *text_model,
                       GError         **error)
{
  g_autoptr(RlDocument) doc = g_new0 (RlDocument, 1);
  NewRevision first = { tenant, doc };
  gboolean added;

  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  if (!rl_doc_kind_for_mime (mime, &doc->kind))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "unsupported content type");
      return NULL;
    }
  if (!rl_store_has_tenant (self, tenant))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no tenant “%s”", tenant);
      return NULL;
    }
  new_revision_init (&first, created_by, mime, width, height, content,
                     doc->kind == RL_DOC_KIND_PAGE ? text_model : NULL);
  first.revision.revision = 1;
  doc->id = rl_random_id_new ();
  doc->title = g_strdup (title);
  doc->mime = g_strdup (mime);
  doc->size = first.revision.size;
  doc->width = width;
  doc->height = height;
  doc->created_at = first.revision.created_at;
  rl_person_copy_into (&doc->created_by, created_by);
  doc->revision = 1;
  added = rl_store_run_in_transaction (self, add_document_body, &first, error);
  g_free (first.revision.etag);
  if (!added)
    return NULL;
  return g_steal_pointer (&doc);
}

GPtrArray *
rl_store_list_documents (RlStore    *self,
                         const char *tenant)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->list_rows (self, RL_STORE_LIST_DOCUMENTS, tenant,
                                               (RlStoreFromRow) rl_store_document_from_row,
                                               (GDestroyNotify) rl_document_free);
}

RlDocument *
rl_store_get_document (RlStore    *self,
                       const char *tenant,
                       const char *doc)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->get_document (self, tenant, doc);
}

GBytes *
rl_store_get_content (RlStore     *self,
                      const char  *tenant,
                      const char  *doc,
                      char       **etag)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->get_revision_content (self, tenant, doc, 0, etag);
}

/* What add_revision works with, and what came of it. */
typedef struct
{
  const RlPrincipal   *who;
  const char          *doc;
  NewRevision          new_revision;
  const char          *broadcast_id;
  GHashTable          *placements;
  gint64               base_seq;
  RlStorePlaceFunc     place;
  gpointer             user_data;
  RlEvent             *event;
  char                *serialized;
  GPtrArray           *activity;     /* of RlStoreActivity* */
} AddRevision;

/* The ids of the threads created, moved or placed after base_seq (their
 * placements must be made again), or NULL when that is every thread: the
 * log no longer says, or a revision was added meanwhile (the caller's
 * placements are on the one before it). */
static GHashTable *
changed_since (RlStore     *self,
               const char  *tenant,
               const char  *doc,
               gint64       base_seq)
{
  g_autoptr(GPtrArray) events = RL_STORE_GET_IFACE (self)->events_since (self, tenant, doc, base_seq, NULL);
  g_autoptr(GHashTable) changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (events == NULL)
    return NULL;
  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autoptr(RlEvent) event = NULL;

      if (!json_parser_load_from_data (parser, g_ptr_array_index (events, i), -1, NULL) ||
          (event = rl_event_from_json (json_parser_get_root (parser), NULL)) == NULL ||
          event->kind == RL_EVENT_REVISION_ADDED)
        return NULL;
      if (event->kind == RL_EVENT_CREATED)
        g_hash_table_add (changed, g_strdup (event->thread->id));
      else if (event->kind == RL_EVENT_UPDATED && event->change == RL_CHANGE_MOVED)
        g_hash_table_add (changed, g_strdup (event->thread_id));
    }
  return g_steal_pointer (&changed);
}

/* Where a thread is carried from: its last placement that has an anchor
 * (its v1 anchor is that one's). */
static const RlAnchor *
placed_from (const RlThread *thread)
{
  for (guint i = thread->placements->len; i > 0; i--)
    {
      RlRevisionAnchor *placement = g_ptr_array_index (thread->placements, i - 1);

      if (placement->status != RL_PLACEMENT_ORPHANED)
        return &placement->anchor;
    }
  return &thread->anchor;
}

static gboolean
add_revision_body (RlStore   *self,
                   gpointer   data,
                   GError   **error)
{
  AddRevision *add = data;
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  const char *tenant = add->who->tenant;
  g_autoptr(RlDocument) doc = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GHashTable) changed = NULL;
  g_autoptr(RlEvent) event = NULL;
  g_autofree char *serialized = NULL;
  RlDocKind kind;
  gint64 head = -1, latest = -1;

  /* The document's lock: no mutation of it commits in between. */
  if (!iface->read_number (self, RL_STORE_READ_DOCUMENT_HEAD, tenant, add->doc, &head, error) ||
      !iface->read_number (self, RL_STORE_READ_DOCUMENT_REVISION, tenant, add->doc, &latest, error))
    return FALSE;
  if (head < 0 || (doc = iface->get_document (self, tenant, add->doc)) == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such document");
      return FALSE;
    }
  if (!rl_doc_kind_for_mime (add->new_revision.revision.mime, &kind) || kind != doc->kind)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST,
                   doc->kind == RL_DOC_KIND_PAGE ? "a new version of a page must be text/markdown or text/plain"
                                                 : "a new version of an image must be an image");
      return FALSE;
    }
  threads = iface->read_threads (self, tenant, add->doc, FALSE, error);
  if (threads == NULL)
    return FALSE;
  changed = changed_since (self, tenant, add->doc, add->base_seq);

  add->new_revision.revision.revision = latest + 1;
  if (!iface->insert_revision (self, tenant, add->doc, &add->new_revision.revision, add->new_revision.content,
                               kind == RL_DOC_KIND_PAGE ? add->new_revision.text_model : NULL, error))
    return FALSE;

  event = rl_event_new (RL_EVENT_REVISION_ADDED, kind);
  event->doc = g_strdup (add->doc);
  event->broadcast_id = g_strdup (add->broadcast_id);
  event->added = rl_revision_copy (&add->new_revision.revision);
  for (guint i = 0; i < threads->len; i++)
    {
      RlThread *thread = g_ptr_array_index (threads, i);
      const RlRevisionAnchor *given = NULL;
      g_autoptr(RlRevisionAnchor) placement = NULL;
      g_autofree char *anchor_json = NULL;

      if (changed != NULL && add->placements != NULL && !g_hash_table_contains (changed, thread->id))
        given = g_hash_table_lookup (add->placements, thread->id);
      placement = given ? rl_revision_anchor_copy (given) : add->place (thread, placed_from (thread), add->user_data);
      if (placement == NULL)
        {
          /* Never dropped: nothing good enough was found. */
          placement = rl_revision_anchor_new ();
          placement->status = RL_PLACEMENT_ORPHANED;
        }
      placement->revision = event->added->revision;
      /* The server's placement: no person settled it. */
      rl_person_clear (&placement->by);
      if (placement->status == RL_PLACEMENT_ORPHANED)
        rl_anchor_clear (&placement->anchor);
      else
        {
          g_autoptr(JsonNode) anchor = rl_anchor_to_json (&placement->anchor);

          anchor_json = rl_json_to_string (anchor, NULL);
          if (!iface->write_row (self, RL_STORE_WRITE_THREAD_ANCHOR, tenant, thread->id,
                                 g_variant_new_string (anchor_json), error))
            return FALSE;
        }
      if (!iface->write_placement (self, tenant, add->doc, thread->id, placement, anchor_json, error))
        return FALSE;
      rl_event_add_placement (event, thread->id, placement);
    }

  if (!log_event (self, tenant, add->doc, head, event, &serialized, error))
    return FALSE;
  g_ptr_array_set_size (add->activity, 0);
  if (!rl_store_note_revision_activity (self, add->who, doc, event, add->activity, error))
    return FALSE;
  add->event = g_steal_pointer (&event);
  add->serialized = g_steal_pointer (&serialized);
  return TRUE;
}

RlEvent *
rl_store_add_revision (RlStore              *self,
                       const RlPrincipal    *who,
                       const char           *doc,
                       const RlNewRevision  *revision,
                       const char           *broadcast_id,
                       GHashTable           *placements,
                       gint64                base_seq,
                       RlStorePlaceFunc      place,
                       gpointer              user_data,
                       char                **serialized,
                       GPtrArray           **activity,
                       GError              **error)
{
  AddRevision add = { who, doc, { who->tenant }, broadcast_id, placements, base_seq, place, user_data };
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_store_activity_free);
  gboolean added;

  g_return_val_if_fail (RL_IS_STORE (self), NULL);
  g_return_val_if_fail (revision != NULL && revision->mime != NULL && revision->content != NULL, NULL);
  g_return_val_if_fail (place != NULL, NULL);

  if (who->role == RL_ROLE_VIEWER)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_FORBIDDEN, "viewers can’t change anything");
      return NULL;
    }
  new_revision_init (&add.new_revision, &who->user, revision->mime, revision->width, revision->height,
                     revision->content, revision->text_model);
  add.activity = items;
  added = rl_store_run_in_transaction (self, add_revision_body, &add, error);
  g_free (add.new_revision.revision.etag);
  if (!added)
    {
      g_clear_pointer (&add.event, rl_event_free);
      g_clear_pointer (&add.serialized, g_free);
      return NULL;
    }
  *serialized = add.serialized;
  if (activity != NULL)
    *activity = g_steal_pointer (&items);
  return add.event;
}

GPtrArray *
rl_store_list_revisions (RlStore    *self,
                         const char *tenant,
                         const char *doc)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->get_revisions (self, tenant, doc, 0);
}

RlRevision *
rl_store_get_revision (RlStore    *self,
                       const char *tenant,
                       const char *doc,
                       gint64      revision)
{
  g_autoptr(GPtrArray) revisions = NULL;

  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  if (revision <= 0)
    return NULL;
  revisions = RL_STORE_GET_IFACE (self)->get_revisions (self, tenant, doc, revision);
  if (revisions == NULL || revisions->len == 0)
    return NULL;
  return g_ptr_array_steal_index (revisions, 0);
}

GBytes *
rl_store_get_revision_content (RlStore     *self,
                               const char  *tenant,
                               const char  *doc,
                               gint64       revision,
                               char       **etag)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  if (revision <= 0)
    return NULL;
  return RL_STORE_GET_IFACE (self)->get_revision_content (self, tenant, doc, revision, etag);
}

char *
rl_store_get_text_model (RlStore    *self,
                         const char *tenant,
                         const char *doc,
                         gint64      revision)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  if (revision <= 0)
    return NULL;
  return RL_STORE_GET_IFACE (self)->get_text_model (self, tenant, doc, revision);
}

GPtrArray *
rl_store_load_threads (RlStore    *self,
                       const char *tenant,
                       const char *doc,
                       gint64     *head_seq)
{
  RlStoreInterface *iface;
  g_autoptr(GError) error = NULL;
  GPtrArray *threads = NULL;
  gint64 head = 0;

  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  iface = RL_STORE_GET_IFACE (self);
  /* One snapshot, so the threads and the head agree. */
  if (take_step (self, RL_STORE_STEP_BEGIN_READ, &error))
    {
      head = iface->get_head (self, tenant, doc);
      threads = iface->read_threads (self, tenant, doc, TRUE, &error);
      if (threads != NULL && !rl_store_attach_mentions (self, tenant, doc, threads, &error))
        g_clear_pointer (&threads, g_ptr_array_unref);
      take_step (self, RL_STORE_STEP_END_READ, NULL);
    }
  if (threads == NULL)
    {
      /* What it promises is a list: an empty one, and the log says why. */
      g_warning ("cannot load threads: %s", error->message);
      threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
      head = 0;
    }
  if (head_seq)
    *head_seq = head;
  return threads;
}

gint64
rl_store_get_head (RlStore    *self,
                   const char *tenant,
                   const char *doc)
{
  g_return_val_if_fail (RL_IS_STORE (self), 0);

  return RL_STORE_GET_IFACE (self)->get_head (self, tenant, doc);
}

GPtrArray *
rl_store_events_since (RlStore    *self,
                       const char *tenant,
                       const char *doc,
                       gint64      since,
                       gint64     *head_seq)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->events_since (self, tenant, doc, since, head_seq);
}

RlEvent *
rl_store_apply (RlStore            *self,
                const RlPrincipal  *who,
                const RlDocument   *doc,
                const RlRequest    *request,
                char              **serialized,
                GError            **error)
{
  RlStoreApply apply = { 0 };

  g_return_val_if_fail (RL_IS_STORE (self), NULL);
  g_return_val_if_fail (rl_request_type_is_mutation (request->type), NULL);

  if (who->role == RL_ROLE_VIEWER)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_FORBIDDEN, "viewers can’t change anything");
      return NULL;
    }
  /* The store's vfunc reads them only: no copies. */
  apply.who = (RlPrincipal *) who;
  apply.doc = (RlDocument *) doc;
  apply.request = (RlRequest *) request;
  if (!rl_store_run_in_transaction (self, apply_body, &apply, error))
    {
      g_clear_pointer (&apply.event, rl_event_free);
      g_clear_pointer (&apply.serialized, g_free);
      g_clear_pointer (&apply.activity, g_ptr_array_unref);
      return NULL;
    }
  g_clear_pointer (&apply.activity, g_ptr_array_unref);
  *serialized = apply.serialized;
  return apply.event;
}

void
rl_store_apply_free (RlStoreApply *apply)
{
  if (apply == NULL)
    return;
  g_clear_pointer (&apply->who, rl_principal_free);
  g_clear_pointer (&apply->doc, rl_document_free);
  g_clear_pointer (&apply->request, rl_request_free);
  g_clear_pointer (&apply->event, rl_event_free);
  g_clear_pointer (&apply->serialized, g_free);
  g_clear_pointer (&apply->activity, g_ptr_array_unref);
  g_clear_error (&apply->error);
  g_free (apply);
}

static RlPrincipal *
principal_copy (const RlPrincipal *who)
{
  RlPrincipal *copy = g_new0 (RlPrincipal, 1);

  copy->tenant = g_strdup (who->tenant);
  rl_person_copy_into (&copy->user, &who->user);
  copy->role = who->role;
  copy->token_generation = who->token_generation;
  return copy;
}

static RlDocument *
document_copy (const RlDocument *doc)
{
  RlDocument *copy = g_new0 (RlDocument, 1);

  copy->id = g_strdup (doc->id);
  copy->kind = doc->kind;
  copy->title = g_strdup (doc->title);
  copy->mime = g_strdup (doc->mime);
  copy->size = doc->size;
  copy->width = doc->width;
  copy->height = doc->height;
  copy->created_at = doc->created_at;
  rl_person_copy_into (&copy->created_by, &doc->created_by);
  copy->revision = doc->revision;
  return copy;
}

static gpointer
copy_mention (gconstpointer mention,
              gpointer      data)
{
  return rl_mention_copy (mention);
}

static RlRequest *
request_copy (const RlRequest *request)
{
  RlRequest *copy = rl_request_new (request->type);

  copy->req = g_strdup (request->req);
  copy->broadcast_id = g_strdup (request->broadcast_id);
  copy->doc = g_strdup (request->doc);
  copy->has_since = request->has_since;
  copy->since = request->since;
  copy->thread_id = g_strdup (request->thread_id);
  copy->comment_id = g_strdup (request->comment_id);
  copy->body = g_strdup (request->body);
  copy->has_anchor = request->has_anchor;
  rl_anchor_copy_into (&copy->anchor, &request->anchor);
  copy->resolved = request->resolved;
  copy->revision = request->revision;
  copy->seq = request->seq;
  if (request->mentions != NULL)
    copy->mentions = g_ptr_array_copy (request->mentions, copy_mention, NULL);
  return copy;
}

/* The store's committer, made on first use. */
static RlCommitter *
get_committer (RlStore  *self,
               GError  **error)
{
  RlCommitter *committer = g_object_get_qdata (G_OBJECT (self), committer_quark ());
  g_autoptr(RlStore) writer = NULL;

  if (committer != NULL)
    return committer;
  writer = RL_STORE_GET_IFACE (self)->open_writer (self, error);
  if (writer == NULL)
    return NULL;
  rl_store_copy_activity_log_limit (self, writer);
  committer = rl_committer_new (writer);
  if (g_object_get_qdata (G_OBJECT (self), event_log_limit_quark ()) != NULL)
    rl_committer_set_event_log_limit (committer,
                                      GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (self),
                                                                            event_log_limit_quark ())));
  g_object_set_qdata_full (G_OBJECT (self), committer_quark (), committer, g_object_unref);
  return committer;
}

/* A committer's answer: the apply, or NULL and its error. */
static RlStoreApply *
propagate_apply (GAsyncResult  *result,
                 GError       **error)
{
  g_autoptr(RlStoreApply) apply = g_task_propagate_pointer (G_TASK (result), NULL);

  if (apply->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&apply->error));
      return NULL;
    }
  return g_steal_pointer (&apply);
}

/* apply to the committer, its answer to task (or at once, refused, when
 * there can be no committer). */
static void
push_apply (RlStore      *self,
            RlStoreApply *apply_in,
            GTask        *task_in)
{
  g_autoptr(RlStoreApply) apply = apply_in;
  g_autoptr(GTask) task = task_in;
  RlCommitter *committer;

  committer = get_committer (self, apply->error ? NULL : &apply->error);
  if (committer == NULL)
    {
      /* No second connection: nothing else is queued behind this either. */
      g_task_return_pointer (task, g_steal_pointer (&apply), (GDestroyNotify) rl_store_apply_free);
      return;
    }
  /* A refused one too goes through the queue, so callbacks keep the order. */
  rl_committer_push (committer, g_steal_pointer (&apply), g_steal_pointer (&task));
}

static RlStoreApply *
apply_new (const RlPrincipal *who,
           const RlDocument  *doc,
           const RlRequest   *request)
{
  RlStoreApply *apply = g_new0 (RlStoreApply, 1);

  apply->who = principal_copy (who);
  apply->doc = document_copy (doc);
  apply->request = request_copy (request);
  return apply;
}

void
rl_store_apply_async (RlStore             *self,
                      const RlPrincipal   *who,
                      const RlDocument    *doc,
                      const RlRequest     *request,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;
  RlStoreApply *apply;

  g_return_if_fail (RL_IS_STORE (self));
  g_return_if_fail (rl_request_type_is_mutation (request->type));

  /* No cancellable: once asked for, a mutation may be committed, and then
   * its event must be published whoever is still there to hear the ack. */
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, rl_store_apply_async);

  apply = apply_new (who, doc, request);
  if (who->role == RL_ROLE_VIEWER)
    g_set_error (&apply->error, RL_ERROR, RL_ERROR_FORBIDDEN, "viewers can’t change anything");
  push_apply (self, apply, task);
}

void
rl_store_mark_read_async (RlStore             *self,
                          const RlPrincipal   *who,
                          const RlDocument    *doc,
                          const RlRequest     *request,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RL_IS_STORE (self));
  g_return_if_fail (request->type == RL_REQUEST_MARK_READ);

  /* Like a mutation, and for the same reason without a cancellable: once
   * committed, its read item must reach the user's feeds. Any role. */
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, rl_store_mark_read_async);
  push_apply (self, apply_new (who, doc, request), task);
}

RlStoreActivity *
rl_store_mark_read_finish (RlStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(RlStoreApply) apply = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rl_store_mark_read_async, NULL);

  apply = propagate_apply (result, error);
  return apply ? g_ptr_array_steal_index (apply->activity, 0) : NULL;
}

RlEvent *
rl_store_apply_finish (RlStore       *self,
                       GAsyncResult  *result,
                       char         **serialized,
                       GPtrArray    **activity,
                       GError       **error)
{
  g_autoptr(RlStoreApply) apply = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rl_store_apply_async, NULL);

  apply = propagate_apply (result, error);
  if (apply == NULL)
    return NULL;
  *serialized = g_steal_pointer (&apply->serialized);
  if (activity != NULL)
    *activity = apply->activity ? g_steal_pointer (&apply->activity)
                                : g_ptr_array_new_with_free_func ((GDestroyNotify) rl_store_activity_free);
  return g_steal_pointer (&apply->event);
}

void
rl_store_flush (RlStore *self)
{
  RlCommitter *committer;

  g_return_if_fail (RL_IS_STORE (self));

  committer = g_object_get_qdata (G_OBJECT (self), committer_quark ());
  if (committer != NULL)
    rl_committer_flush (committer);
}

gboolean
rl_store_start_committer (RlStore  *self,
                          GError  **error)
{
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  return get_committer (self, error) != NULL;
}

guint64
rl_store_get_group_commits (RlStore *self)
{
  RlCommitter *committer = g_object_get_qdata (G_OBJECT (self), committer_quark ());

  return committer ? rl_committer_get_transactions (committer) : 0;
}

/* Test only: sleeps the milliseconds the environment variable says (read once). */
static void
test_hold (const char *variable,
           gsize      *once,
           guint      *hold_ms)
{
  if (g_once_init_enter (once))
    {
      const char *value = g_getenv (variable);

      *hold_ms = value ? (guint) g_ascii_strtoull (value, NULL, 10) : 0;
      g_once_init_leave (once, 1);
    }
  if (*hold_ms > 0)
    g_usleep (*hold_ms * 1000);
}

void
rl_store_test_hold_commit (void)
{
  static gsize once;
  static guint hold_ms;

  test_hold ("REDLINE_TEST_HOLD_COMMIT_MS", &once, &hold_ms);
}

void
rl_store_test_hold_between (void)
{
  static gsize once;
  static guint hold_ms;

  test_hold ("REDLINE_TEST_HOLD_BETWEEN_MS", &once, &hold_ms);
}

void
rl_store_add_usage (RlStore    *self,
                    const char *tenant,
                    guint64     messages,
                    guint64     bytes)
{
  g_return_if_fail (RL_IS_STORE (self));

  RL_STORE_GET_IFACE (self)->add_usage (self, tenant, messages, bytes);
}

void
rl_store_get_usage (RlStore    *self,
                    const char *tenant,
                    guint64    *messages,
                    guint64    *bytes)
{
  g_return_if_fail (RL_IS_STORE (self));

  RL_STORE_GET_IFACE (self)->get_usage (self, tenant, messages, bytes);
}

GPtrArray *
rl_store_list_users (RlStore    *self,
                     const char *tenant)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->list_rows (self, RL_STORE_LIST_USERS, tenant,
                                               (RlStoreFromRow) rl_store_user_info_from_row,
                                               (GDestroyNotify) rl_user_info_free);
}

/* What an administration change works on. */
typedef struct
{
  const char     *tenant;
  const char     *subject;        /* the user's id, or the document's */
  gint64          revoked_at;     /* revoke: what the user's was */
  GBytes         *hash;           /* rotate: the new token's */
  RlStoreRemoval  removed;        /* remove */
} AdminChange;

/* The user's revoked_at, or -1 (and not-found) when the tenant has no such user. */
static gint64
lookup_user (RlStore      *self,
             AdminChange  *change,
             GError      **error)
{
  gint64 revoked_at = -1;

  if (!RL_STORE_GET_IFACE (self)->read_number (self, RL_STORE_READ_USER_REVOKED_AT, change->tenant, change->subject,
                                               &revoked_at, error))
    return -1;
  if (revoked_at < 0)
    g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "tenant “%s” has no user “%s”", change->tenant,
                 change->subject);
  return revoked_at;
}

static gboolean
revoke_user (RlStore   *self,
             gpointer   data,
             GError   **error)
{
  AdminChange *change = data;

  change->revoked_at = lookup_user (self, change, error);
  if (change->revoked_at < 0)
    return FALSE;
  if (change->revoked_at > 0)
    return TRUE;
  return RL_STORE_GET_IFACE (self)->write_row (self, RL_STORE_WRITE_USER_REVOKED_AT, change->tenant, change->subject,
                                               g_variant_new_int64 (rl_time_now_ms ()), error) &&
         RL_STORE_GET_IFACE (self)->note_change (self, RL_STORE_CHANGE_USER_REVOKED, change->tenant,
                                                 change->subject, error);
}

static gboolean
rotate_token (RlStore   *self,
              gpointer   data,
              GError   **error)
{
  AdminChange *change = data;
  gint64 revoked_at = lookup_user (self, change, error);

  if (revoked_at < 0 || !rl_store_may_rotate (change->subject, revoked_at, error))
    return FALSE;
  return RL_STORE_GET_IFACE (self)->write_row (self, RL_STORE_WRITE_USER_TOKEN, change->tenant, change->subject,
                                               g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, change->hash,
                                                                         TRUE), error) &&
         RL_STORE_GET_IFACE (self)->note_change (self, RL_STORE_CHANGE_TOKEN_ROTATED, change->tenant,
                                                 change->subject, error);
}

static gboolean
remove_document (RlStore   *self,
                 gpointer   data,
                 GError   **error)
{
  AdminChange *change = data;

  if (!RL_STORE_GET_IFACE (self)->remove_document (self, change->tenant, change->subject, &change->removed,
                                                   error))
    return FALSE;
  if (change->removed.documents == 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "tenant “%s” has no document “%s”", change->tenant,
                   change->subject);
      return FALSE;
    }
  return RL_STORE_GET_IFACE (self)->note_change (self, RL_STORE_CHANGE_DOCUMENT_REMOVED, change->tenant,
                                                 change->subject, error);
}

gboolean
rl_store_revoke_user (RlStore     *self,
                      const char  *tenant,
                      const char  *user,
                      gint64      *was_revoked_at,
                      GError     **error)
{
  AdminChange change = { .tenant = tenant, .subject = user };

  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  if (!rl_store_run_in_transaction (self, revoke_user, &change, error))
    return FALSE;
  if (was_revoked_at)
    *was_revoked_at = change.revoked_at;
  return TRUE;
}

char *
rl_store_rotate_token (RlStore     *self,
                       const char  *tenant,
                       const char  *user,
                       GError     **error)
{
  g_autofree char *secret = NULL;
  g_autoptr(GBytes) hash = NULL;
  AdminChange change = { .tenant = tenant, .subject = user };

  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  secret = rl_store_new_secret ();
  hash = rl_store_hash_secret (secret);
  change.hash = hash;
  if (!rl_store_run_in_transaction (self, rotate_token, &change, error))
    return NULL;
  return rl_store_make_token (user, secret);
}

GPtrArray *
rl_store_list_document_infos (RlStore    *self,
                              const char *tenant)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->list_rows (self, RL_STORE_LIST_DOCUMENT_INFOS, tenant,
                                               (RlStoreFromRow) rl_store_document_info_from_row,
                                               (GDestroyNotify) rl_document_info_free);
}

gboolean
rl_store_remove_document (RlStore     *self,
                          const char  *tenant,
                          const char  *doc,
                          gint64      *threads,
                          gint64      *comments,
                          gint64      *events,
                          GError     **error)
{
  AdminChange change = { .tenant = tenant, .subject = doc };

  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  if (!rl_store_run_in_transaction (self, remove_document, &change, error))
    return FALSE;
  if (threads)
    *threads = change.removed.threads;
  if (comments)
    *comments = change.removed.comments;
  if (events)
    *events = change.removed.events;
  return TRUE;
}

gboolean
rl_store_token_is_current (RlStore           *self,
                           const RlPrincipal *who)
{
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  return RL_STORE_GET_IFACE (self)->token_is_current (self, who);
}

GPtrArray *
rl_store_read_changes (RlStore *self)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->read_changes (self);
}

gboolean
rl_store_backup (RlStore           *self,
                 const char        *path,
                 gboolean           replace,
                 RlBackupProgress   progress,
                 gpointer           user_data,
                 gint64            *bytes,
                 GError           **error)
{
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  return RL_STORE_GET_IFACE (self)->backup (self, path, replace, progress, user_data, bytes, error);
}

/* ---- several nodes on one store -------------------------------------------------- */

gboolean
rl_store_is_shared (RlStore *self)
{
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);
  return RL_STORE_GET_IFACE (self)->watch_remote != NULL;
}

void
rl_store_watch_remote (RlStore           *self,
                       const char        *node,
                       RlStoreRemoteFunc  func,
                       gpointer           user_data)
{
  g_return_if_fail (RL_IS_STORE (self));
  g_return_if_fail (node != NULL && func != NULL);
  if (RL_STORE_GET_IFACE (self)->watch_remote != NULL)
    RL_STORE_GET_IFACE (self)->watch_remote (self, node, func, user_data);
}

void
rl_store_set_viewers (RlStore    *self,
                      const char *tenant,
                      const char *doc,
                      GPtrArray  *viewers)
{
  g_autoptr(GPtrArray) everywhere = NULL;

  g_return_if_fail (rl_store_is_shared (self));
  everywhere = RL_STORE_GET_IFACE (self)->set_viewers (self, tenant, doc, viewers);
}

GPtrArray *
rl_store_get_viewers (RlStore    *self,
                      const char *tenant,
                      const char *doc)
{
  g_return_val_if_fail (rl_store_is_shared (self), NULL);
  return RL_STORE_GET_IFACE (self)->get_viewers (self, tenant, doc);
}

GPtrArray *
rl_store_exchange_viewers (RlStore    *self,
                           const char *tenant,
                           const char *doc,
                           GPtrArray  *viewers)
{
  g_return_val_if_fail (rl_store_is_shared (self), NULL);
  return RL_STORE_GET_IFACE (self)->set_viewers (self, tenant, doc, viewers);
}

/* ---- moving a deployment to another store ------------------------------------------ */

/* Each kind's tuple, and what a record of it is called in an error. */
static const struct
{
  const char *type;
  const char *name;
} records[] = {
  [RL_STORE_RECORD_TENANT] = { "(sx)", "a tenant" },
  [RL_STORE_RECORD_USER] = { "(ssssayxxxx)", "a user" },
  [RL_STORE_RECORD_DOCUMENT] = { "(sssssxiixsssxxxxx)", "a document" },
  [RL_STORE_RECORD_THREAD] = { "(ssssbssxxxx)", "a thread" },
  [RL_STORE_RECORD_COMMENT] = { "(ssssssxxx)", "a comment" },
  [RL_STORE_RECORD_EVENT] = { "(ssxs)", "a logged event" },
  [RL_STORE_RECORD_USAGE] = { "(stt)", "a tenant’s usage" },
  [RL_STORE_RECORD_REVISION] = { "(ssxsxiisaymsxss)", "a revision" },
  [RL_STORE_RECORD_PLACEMENT] = { "(sssxmssdmsms)", "a placement" },
  [RL_STORE_RECORD_MENTION] = { "(sssssxx)", "a mention" },
  [RL_STORE_RECORD_READ_MARK] = { "(ssssx)", "a read marker" },
  [RL_STORE_RECORD_ACTIVITY] = { "(ssxss)", "an activity item" },
};

const GVariantType *
rl_store_record_type (RlStoreRecordKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (records), NULL);

  return G_VARIANT_TYPE (records[kind].type);
}

const char *
rl_store_record_name (RlStoreRecordKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (records), NULL);

  return records[kind].name;
}

gboolean
rl_store_export (RlStore            *self,
                 RlStoreRecordFunc   func,
                 gpointer            user_data,
                 GError            **error)
{
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (RL_STORE_GET_IFACE (self)->export_records == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "a deployment moves from a SQLite database only");
      return FALSE;
    }
  return RL_STORE_GET_IFACE (self)->export_records (self, func, user_data, error);
}

gboolean
rl_store_hold_snapshot (RlStore  *self,
                        GError  **error)
{
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  if (RL_STORE_GET_IFACE (self)->hold_snapshot == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "a deployment moves from a SQLite database only");
      return FALSE;
    }
  return RL_STORE_GET_IFACE (self)->hold_snapshot (self, error);
}

void
rl_store_release_snapshot (RlStore *self)
{
  g_return_if_fail (RL_IS_STORE (self));
  g_return_if_fail (RL_STORE_GET_IFACE (self)->release_snapshot != NULL);

  RL_STORE_GET_IFACE (self)->release_snapshot (self);
}

gboolean
rl_store_import (RlStore            *self,
                 RlStore            *source,
                 RlStoreRecordFunc   copied,
                 gpointer            user_data,
                 GError            **error)
{
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);
  g_return_val_if_fail (RL_IS_STORE (source), FALSE);
  g_return_val_if_fail (source != self, FALSE);

  if (RL_STORE_GET_IFACE (self)->import_records == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "a deployment moves into a PostgreSQL database only");
      return FALSE;
    }
  if (RL_STORE_GET_IFACE (source)->export_records == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "a deployment moves from a SQLite database only");
      return FALSE;
    }
  return RL_STORE_GET_IFACE (self)->import_records (self, source, copied, user_data, error);
}
