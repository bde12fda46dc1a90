/* rl-store.c — the store interface: each rl_store_* call goes to the
 * implementation's vfunc; what every implementation shares lives here too
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-store.h"

#include <string.h>
#include <sys/random.h>

#include "rl-error.h"
#include "rl-limits.h"
#include "rl-store-private.h"
#include "rl-time.h"
#include "rl-uuid.h"

G_DEFINE_INTERFACE (RlStore, rl_store, G_TYPE_OBJECT)

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

/* ---- operations ----------------------------------------------------------------- */

void
rl_store_set_event_log_limit (RlStore *self,
                              guint    limit)
{
  g_return_if_fail (RL_IS_STORE (self));

  RL_STORE_GET_IFACE (self)->set_event_log_limit (self, limit);
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
  return RL_STORE_GET_IFACE (self)->add_user (self, tenant, trimmed, role, error);
}

RlPrincipal *
rl_store_authenticate (RlStore    *self,
                       const char *token)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->authenticate (self, token);
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
                       GError         **error)
{
  RlDocKind kind;

  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  if (!rl_doc_kind_for_mime (mime, &kind))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "unsupported content type");
      return NULL;
    }
  if (!rl_store_has_tenant (self, tenant))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no tenant “%s”", tenant);
      return NULL;
    }
  return RL_STORE_GET_IFACE (self)->add_document (self, tenant, created_by, title, mime, width, height, content,
                                                   error);
}

GPtrArray *
rl_store_list_documents (RlStore    *self,
                         const char *tenant)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->list_documents (self, tenant);
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

  return RL_STORE_GET_IFACE (self)->get_content (self, tenant, doc, etag);
}

GPtrArray *
rl_store_load_threads (RlStore    *self,
                       const char *tenant,
                       const char *doc,
                       gint64     *head_seq)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->load_threads (self, tenant, doc, head_seq);
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
  g_return_val_if_fail (RL_IS_STORE (self), NULL);
  g_return_val_if_fail (rl_request_type_is_mutation (request->type), NULL);

  if (who->role == RL_ROLE_VIEWER)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_FORBIDDEN, "viewers can’t change anything");
      return NULL;
    }
  return RL_STORE_GET_IFACE (self)->apply (self, who, doc, request, serialized, error);
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

  return RL_STORE_GET_IFACE (self)->list_users (self, tenant);
}

gboolean
rl_store_revoke_user (RlStore     *self,
                      const char  *tenant,
                      const char  *user,
                      gint64      *was_revoked_at,
                      GError     **error)
{
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  return RL_STORE_GET_IFACE (self)->revoke_user (self, tenant, user, was_revoked_at, error);
}

char *
rl_store_rotate_token (RlStore     *self,
                       const char  *tenant,
                       const char  *user,
                       GError     **error)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->rotate_token (self, tenant, user, error);
}

GPtrArray *
rl_store_list_document_infos (RlStore    *self,
                              const char *tenant)
{
  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  return RL_STORE_GET_IFACE (self)->list_document_infos (self, tenant);
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
  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  return RL_STORE_GET_IFACE (self)->remove_document (self, tenant, doc, threads, comments, events, error);
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
  g_return_if_fail (rl_store_is_shared (self));
  RL_STORE_GET_IFACE (self)->set_viewers (self, tenant, doc, viewers);
}

GPtrArray *
rl_store_get_viewers (RlStore    *self,
                      const char *tenant,
                      const char *doc)
{
  g_return_val_if_fail (rl_store_is_shared (self), NULL);
  return RL_STORE_GET_IFACE (self)->get_viewers (self, tenant, doc);
}

/* ---- moving a deployment to another store ------------------------------------------ */

static const char *record_types[] = {
  [RL_STORE_RECORD_TENANT] = "(sx)",
  [RL_STORE_RECORD_USER] = "(ssssayxxx)",
  [RL_STORE_RECORD_DOCUMENT] = "(sssssxiixsssayxxx)",
  [RL_STORE_RECORD_THREAD] = "(ssssbssxxx)",
  [RL_STORE_RECORD_COMMENT] = "(ssssssxx)",
  [RL_STORE_RECORD_EVENT] = "(ssxs)",
  [RL_STORE_RECORD_USAGE] = "(stt)",
};

const GVariantType *
rl_store_record_type (RlStoreRecordKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (record_types), NULL);

  return G_VARIANT_TYPE (record_types[kind]);
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
