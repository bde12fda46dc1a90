/* rl-api.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rl-api.h"
#include "rl-error-text.h"
#include "rl-list-run.h"
#include "rl-member-item.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <libsoup/soup.h>
#include <string.h>

#include "rl-codec.h"
#include "rl-error.h"
#include "rl-limits.h"
#include "rl-pinned-database.h"
#include "rl-snapshot-cache.h"

/* ---- document item ------------------------------------------------------- */

struct _RlDocItem
{
  GObject     parent_instance;
  RlDocument *doc;
};

G_DEFINE_FINAL_TYPE (RlDocItem, rl_doc_item, G_TYPE_OBJECT)

enum
{
  ITEM_PROP_0,
  ITEM_PROP_ID,
  ITEM_PROP_TITLE,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
rl_doc_item_finalize (GObject *object)
{
  RlDocItem *self = RL_DOC_ITEM (object);

  g_clear_pointer (&self->doc, rl_document_free);
  G_OBJECT_CLASS (rl_doc_item_parent_class)->finalize (object);
}

static void
rl_doc_item_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  RlDocItem *self = RL_DOC_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_ID:
      g_value_set_string (value, rl_doc_item_get_id (self));
      break;
    case ITEM_PROP_TITLE:
      g_value_set_string (value, rl_doc_item_get_title (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_doc_item_class_init (RlDocItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rl_doc_item_finalize;
  object_class->get_property = rl_doc_item_get_property;

  item_properties[ITEM_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
rl_doc_item_init (RlDocItem *self)
{
}

RlDocItem *
rl_doc_item_new (RlDocument *doc)
{
  RlDocItem *self;

  g_return_val_if_fail (doc != NULL, NULL);

  self = g_object_new (RL_TYPE_DOC_ITEM, NULL);
  self->doc = doc;
  return self;
}

const RlDocument *
rl_doc_item_get_document (RlDocItem *self)
{
  g_return_val_if_fail (RL_IS_DOC_ITEM (self), NULL);
  return self->doc;
}

const char *
rl_doc_item_get_id (RlDocItem *self)
{
  g_return_val_if_fail (RL_IS_DOC_ITEM (self), NULL);
  return self->doc->id;
}

const char *
rl_doc_item_get_title (RlDocItem *self)
{
  g_return_val_if_fail (RL_IS_DOC_ITEM (self), NULL);
  return self->doc->title;
}

RlDocKind
rl_doc_item_get_kind (RlDocItem *self)
{
  g_return_val_if_fail (RL_IS_DOC_ITEM (self), RL_DOC_KIND_IMAGE);
  return self->doc->kind;
}

/* ---- API ----------------------------------------------------------------- */

/* Long enough for a slow link, short enough that a request into a network
 * that drops everything falls back to the cache within half a minute. */
#define IO_TIMEOUT_SECONDS 30

typedef struct
{
  char   *etag;     /* as the server quoted it */
  GBytes *bytes;
} CachedContent;

struct _RlApi
{
  GObject      parent_instance;
  SoupSession *session;
  char        *base_url;
  char        *authorization;
  GHashTable  *content;       /* doc id → CachedContent */
  guint        n_not_modified;
  RlDocCache  *cache;
  gboolean     cache_writable;
  GPtrArray   *listed;        /* RlDocItem* of the last list, to keep once writable */
  GListStore  *members;       /* RlMemberItem, as GET /api/v1/users said last */
  GHashTable  *member_items;  /* user id → RlMemberItem (the store's) */
};

G_DEFINE_FINAL_TYPE (RlApi, rl_api, G_TYPE_OBJECT)

static void
cached_content_free (CachedContent *cached)
{
  g_free (cached->etag);
  g_bytes_unref (cached->bytes);
  g_free (cached);
}

static SoupMessage *
new_message (RlApi      *self,
             const char *method,
             const char *path_and_query)
{
  g_autofree char *url = g_strconcat (self->base_url, path_and_query, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  if (msg != NULL)
    {
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    self->authorization);
      rl_pinned_database_watch (msg);
    }
  return msg;
}

/* Sends msg for task, which done takes over with the exchange. */
static void
send_message (RlApi               *self,
              SoupMessage         *msg,
              GTask               *task,
              GAsyncReadyCallback  done)
{
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    done, task);
}

/* The error a finished exchange means, or NULL when it succeeded
 * (2xx, or 304 where allowed). */
static GError *
exchange_error (SoupSession *session,
                SoupMessage *msg,
                GBytes      *body,
                GError      *transport_error)
{
  GError *error = NULL;
  guint status;

  if (transport_error != NULL)
    {
      if (g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_error_copy (transport_error);
      /* Not the pinned certificate: said as such, never as a TLS failure. */
      error = rl_pinned_database_mismatch_error (soup_session_get_tls_database (session), msg);
      if (error != NULL)
        return error;
      /* Translators: %s is the reason from the network layer */
      return g_error_new (RL_ERROR, RL_ERROR_CONNECTION_LOST, _("Could not reach the server: %s"),
                          transport_error->message);
    }

  status = soup_message_get_status (msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status) || status == SOUP_STATUS_NOT_MODIFIED)
    return NULL;

  if (body != NULL &&
      rl_error_body_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error))
    {
      GError *translated = rl_error_new_translated (error->code, error->message);

      g_error_free (error);
      return translated;
    }

  /* A proxy or a broken server: the status is all there is. */
  for (RlErrorCode code = RL_ERROR_BAD_REQUEST; code <= RL_ERROR_UNAUTHORIZED; code++)
    if (rl_error_code_http_status (code) == status)
      {
        g_autofree char *detail = g_strdup_printf ("HTTP %u %s", status, soup_message_get_reason_phrase (msg));

        return rl_error_new_translated (code, detail);
      }
  /* Translators: %u is an HTTP status code, %s its reason phrase ("Bad Gateway") */
  return g_error_new (RL_ERROR, RL_ERROR_INTERNAL, _("The server answered %u %s"), status,
                      soup_message_get_reason_phrase (msg));
}

/* Whether a failed exchange means the server could not be reached: no
 * answer at all, or a proxy's word that the server behind it is away. */
static gboolean
is_unreachable (SoupMessage  *msg,
                const GError *error)
{
  guint status = msg ? soup_message_get_status (msg) : 0;

  /* What answered is not the pinned server: the one we trust is away. */
  return g_error_matches (error, RL_ERROR, RL_ERROR_CONNECTION_LOST) ||
         g_error_matches (error, RL_CERTIFICATE_ERROR, RL_CERTIFICATE_ERROR_MISMATCH) ||
         status == SOUP_STATUS_BAD_GATEWAY || status == SOUP_STATUS_SERVICE_UNAVAILABLE ||
         status == SOUP_STATUS_GATEWAY_TIMEOUT;
}

static JsonNode *
parse_body (GBytes  *body,
            GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);
  JsonNode *root = rl_json_parse (data ? data : "", size, &local_error);

  if (root == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, _("The server’s answer is not JSON: %s"),
                   local_error->message);
      return NULL;
    }
  return root;
}

/* The body of a finished exchange, or NULL with the error it means. */
static GBytes *
exchange_finish (GObject       *source,
                 GAsyncResult  *result,
                 SoupMessage  **msg_out,
                 GError       **error)
{
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) transport_error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &transport_error);
  GError *exchange = exchange_error (SOUP_SESSION (source), msg, body, transport_error);

  if (msg_out)
    *msg_out = msg;
  if (exchange != NULL)
    {
      g_propagate_error (error, exchange);
      return NULL;
    }
  return g_steal_pointer (&body);
}

/* The same, its body parsed. */
static JsonNode *
exchange_finish_json (GObject       *source,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_autoptr(GBytes) body = exchange_finish (source, result, NULL, error);

  return body ? parse_body (body, error) : NULL;
}

static void
documents_kept (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!rl_doc_cache_save_documents_finish (RL_DOC_CACHE (source), result, &error))
    g_debug ("document list not cached: %s", error->message);
}

static void
content_kept (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!rl_doc_cache_save_content_finish (RL_DOC_CACHE (source), result, &error))
    g_debug ("content not cached: %s", error->message);
}

static void
keep_documents (RlApi *self)
{
  g_autoptr(GPtrArray) docs = NULL;

  if (self->cache == NULL || !self->cache_writable || self->listed == NULL)
    return;
  docs = g_ptr_array_sized_new (self->listed->len);
  for (guint i = 0; i < self->listed->len; i++)
    g_ptr_array_add (docs, (gpointer) rl_doc_item_get_document (g_ptr_array_index (self->listed, i)));
  rl_doc_cache_save_documents_async (self->cache, docs, NULL, documents_kept, NULL);
}

static void
keep_content (RlApi      *self,
              const char *doc_id,
              const char *etag,
              GBytes     *bytes)
{
  if (self->cache != NULL && self->cache_writable)
    rl_doc_cache_save_content_async (self->cache, doc_id, etag, bytes, NULL, content_kept, NULL);
}

static void
rl_api_finalize (GObject *object)
{
  RlApi *self = RL_API (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->authorization, g_free);
  g_clear_pointer (&self->content, g_hash_table_unref);
  g_clear_object (&self->cache);
  g_clear_pointer (&self->listed, g_ptr_array_unref);
  g_clear_pointer (&self->member_items, g_hash_table_unref);
  g_clear_object (&self->members);
  G_OBJECT_CLASS (rl_api_parent_class)->finalize (object);
}

static void
rl_api_class_init (RlApiClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_api_finalize;
}

static void
rl_api_init (RlApi *self)
{
  self->content = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) cached_content_free);
  self->members = g_list_store_new (RL_TYPE_MEMBER_ITEM);
  self->member_items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

RlApi *
rl_api_new (const char   *server_url,
            const char   *token,
            GTlsDatabase *tls_database,
            GError      **error)
{
  g_autoptr(RlApi) self = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *http_scheme;
  int port;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (scheme != NULL && g_ascii_strcasecmp (scheme, "ws") == 0)
    http_scheme = "http";
  else if (scheme != NULL && g_ascii_strcasecmp (scheme, "wss") == 0)
    http_scheme = "https";
  else
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, _("“%s” is not a ws:// or wss:// address"), server_url);
      return NULL;
    }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, _("“%s” has no host"), server_url);
      return NULL;
    }

  self = g_object_new (RL_TYPE_API, NULL);
  port = g_uri_get_port (uri);
  {
    g_autoptr(GUri) http = g_uri_build (G_URI_FLAGS_NONE, http_scheme, NULL, g_uri_get_host (uri),
                                        port, "", NULL, NULL);

    self->base_url = g_uri_to_string (http);
  }
  self->authorization = g_strconcat ("Bearer ", token, NULL);
  self->session = soup_session_new_with_options ("timeout", IO_TIMEOUT_SECONDS, NULL);
  if (tls_database)
    soup_session_set_tls_database (self->session, tls_database);
  return g_steal_pointer (&self);
}

const char *
rl_api_get_base_url (RlApi *self)
{
  g_return_val_if_fail (RL_IS_API (self), NULL);
  return self->base_url;
}

void
rl_api_set_cache (RlApi      *self,
                  RlDocCache *cache,
                  gboolean    writable)
{
  gboolean was_writable;
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (cache == NULL || RL_IS_DOC_CACHE (cache));

  was_writable = self->cache == cache && self->cache_writable;
  g_set_object (&self->cache, cache);
  self->cache_writable = cache != NULL && writable;
  if (!self->cache_writable || was_writable)
    return;
  /* What came before the server named the user. */
  keep_documents (self);
  g_hash_table_iter_init (&iter, self->content);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      CachedContent *cached = value;

      keep_content (self, key, cached->etag, cached->bytes);
    }
}

RlDocCache *
rl_api_get_cache (RlApi *self)
{
  g_return_val_if_fail (RL_IS_API (self), NULL);
  return self->cache;
}

static GListModel *
items_of (GPtrArray *docs)
{
  GListStore *store = g_list_store_new (RL_TYPE_DOC_ITEM);

  /* The items take the documents over. */
  g_ptr_array_set_free_func (docs, NULL);
  for (guint i = 0; i < docs->len; i++)
    {
      g_autoptr(RlDocItem) item = rl_doc_item_new (g_ptr_array_index (docs, i));

      g_list_store_append (store, item);
    }
  return G_LIST_MODEL (store);
}

GListModel *
rl_api_load_cached_documents (RlApi   *self,
                              GError **error)
{
  g_autoptr(GPtrArray) docs = NULL;

  g_return_val_if_fail (RL_IS_API (self), NULL);

  if (self->cache == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no document cache");
      return NULL;
    }
  docs = rl_doc_cache_load_documents (self->cache, error);
  return docs ? items_of (docs) : NULL;
}

/* ---- list ---------------------------------------------------------------- */

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RlApi *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = exchange_finish_json (source, result, &error);
  g_autoptr(GPtrArray) docs = node ? rl_documents_from_json (node, &error) : NULL;
  g_autoptr(GListModel) items = NULL;

  if (docs == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  items = items_of (docs);
  g_clear_pointer (&self->listed, g_ptr_array_unref);
  self->listed = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    g_ptr_array_add (self->listed, g_list_model_get_item (items, i));
  keep_documents (self);
  g_task_return_pointer (task, g_steal_pointer (&items), g_object_unref);
}

void
rl_api_list_documents (RlApi               *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_return_if_fail (RL_IS_API (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_api_list_documents);
  msg = new_message (self, "GET", "/api/v1/docs");
  send_message (self, msg, g_steal_pointer (&task), list_done);
}

GListModel *
rl_api_list_documents_finish (RlApi         *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- content ------------------------------------------------------------- */

typedef struct
{
  char     *doc_id;
  char     *key;        /* in memory: the doc id, or "doc id/revision" */
  char     *path;       /* what is asked for */
  gboolean  keep_on_disk; /* kept on disk under the doc id too */
  char     *own_tag;    /* kept under this tag instead of the ETag, and only
                         * what has it answers (a page's text model) */
  char     *etag;       /* asked with If-None-Match: the ETag of kept */
  GBytes   *kept;       /* from memory or the cache */
  gboolean  from_disk;
} ContentRequest;

static void
content_request_free (ContentRequest *request)
{
  g_free (request->doc_id);
  g_free (request->key);
  g_free (request->path);
  g_free (request->own_tag);
  g_free (request->etag);
  g_clear_pointer (&request->kept, g_bytes_unref);
  g_free (request);
}

/* Keeps bytes in memory as doc_id's content, with the ETag that names them. */
static void
remember_content (RlApi      *self,
                  const char *doc_id,
                  const char *etag,
                  GBytes     *bytes)
{
  CachedContent *cached = g_new0 (CachedContent, 1);

  cached->etag = g_strdup (etag);
  cached->bytes = g_bytes_ref (bytes);
  g_hash_table_replace (self->content, g_strdup (doc_id), cached);
}

/* The kept bytes answer: a 304, or a server out of reach. Only what the
 * server confirmed (confirmed: a 304 to this token) is kept in memory, to
 * be written to the cache the welcome names. */
static void
return_kept (RlApi          *self,
             GTask          *task,
             ContentRequest *request,
             gboolean        confirmed)
{
  if (request->from_disk && confirmed)
    remember_content (self, request->key, request->etag, request->kept);
  g_task_return_pointer (task, g_bytes_ref (request->kept), (GDestroyNotify) g_bytes_unref);
}

static void
content_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RlApi *self = g_task_get_source_object (task);
  ContentRequest *request = g_task_get_task_data (task);
  SoupMessage *msg;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = exchange_finish (source, result, &msg, &error);
  const char *etag;

  if (body == NULL)
    {
      if (request->kept != NULL && is_unreachable (msg, error) &&
          (request->own_tag == NULL || g_strcmp0 (request->etag, request->own_tag) == 0))
        {
          g_debug ("content of %s from the cache: %s", request->doc_id, error->message);
          return_kept (self, task, request, FALSE);
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (soup_message_get_status (msg) == SOUP_STATUS_NOT_MODIFIED)
    {
      if (request->kept == NULL)
        {
          /* Asked without an ETag, so a 304 is the server's mistake. */
          g_task_return_new_error (task, RL_ERROR, RL_ERROR_BAD_REQUEST,
                                   _("The server answered 304 to a request without If-None-Match"));
          return;
        }
      self->n_not_modified++;
      return_kept (self, task, request, TRUE);
      return;
    }

  etag = request->own_tag ? request->own_tag
                          : soup_message_headers_get_one (soup_message_get_response_headers (msg), "ETag");
  if (etag != NULL)
    {
      remember_content (self, request->key, etag, body);
      if (request->keep_on_disk)
        keep_content (self, request->doc_id, etag, body);
    }
  g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) g_bytes_unref);
}

static void
send_content_request (GTask *task)
{
  RlApi *self = g_task_get_source_object (task);
  ContentRequest *request = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;

  msg = new_message (self, "GET", request->path);
  if (request->etag != NULL && request->own_tag == NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "If-None-Match", request->etag);
  send_message (self, msg, task, content_done);
}

static void
content_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  ContentRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  request->kept = rl_doc_cache_load_content_finish (RL_DOC_CACHE (source), result, &request->etag, &error);
  if (request->kept != NULL)
    request->from_disk = TRUE;
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("content of %s not read from the cache: %s", request->doc_id, error->message);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  send_content_request (task);
}

/* "/api/v1/docs/{id}" and what follows, the id escaped. */
static char *
doc_path (const char *doc_id,
          const char *format,
          ...) G_GNUC_PRINTF (2, 3);

static char *
doc_path (const char *doc_id,
          const char *format,
          ...)
{
  g_autofree char *escaped = g_uri_escape_string (doc_id, NULL, FALSE);
  g_autofree char *rest = NULL;
  va_list args;

  va_start (args, format);
  rest = g_strdup_vprintf (format, args);
  va_end (args);
  return g_strconcat ("/api/v1/docs/", escaped, rest, NULL);
}

/* Asks for content at path, with the ETag of what is kept under key. */
static void
get_content (RlApi               *self,
             const char          *doc_id,
             char                *key,
             char                *path,
             gboolean             keep_on_disk,
             char                *own_tag,
             GCancellable        *cancellable,
             gpointer             source_tag,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task;
  ContentRequest *request;
  CachedContent *cached;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  request = g_new0 (ContentRequest, 1);
  request->doc_id = g_strdup (doc_id);
  request->key = key;
  request->path = path;
  request->keep_on_disk = keep_on_disk;
  request->own_tag = own_tag;
  g_task_set_task_data (task, request, (GDestroyNotify) content_request_free);

  cached = g_hash_table_lookup (self->content, request->key);
  if (cached != NULL)
    {
      request->etag = g_strdup (cached->etag);
      request->kept = g_bytes_ref (cached->bytes);
    }
  else if (keep_on_disk && self->cache != NULL && rl_snapshot_cache_doc_id_is_valid (doc_id))
    {
      rl_doc_cache_load_content_async (self->cache, doc_id, cancellable, content_read, task);
      return;
    }
  send_content_request (task);
}

void
rl_api_get_content (RlApi               *self,
                    const char          *doc_id,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (doc_id != NULL);

  get_content (self, doc_id, g_strdup (doc_id), doc_path (doc_id, "/content"), TRUE, NULL,
               cancellable, rl_api_get_content, callback, user_data);
}

GBytes *
rl_api_get_content_finish (RlApi         *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

guint
rl_api_get_n_not_modified (RlApi *self)
{
  g_return_val_if_fail (RL_IS_API (self), 0);
  return self->n_not_modified;
}

/* ---- upload -------------------------------------------------------------- */

typedef struct
{
  GFile                 *file;
  char                  *name;          /* the file's, as people see it */
  char                  *title;
  char                  *type;
  goffset                size;
  goffset                sent;
  GFileProgressCallback  progress;
  gpointer               progress_data;
  SoupMessage           *msg;
  gulong                 wrote_id;
  char                  *doc_id;        /* a new revision of it; NULL: a new document */
  RlDocKind              kind;          /* the document's */
  char                  *broadcast_id;  /* Redline-Broadcast-Id of a revision */
  gboolean               check_only;    /* rl_api_check_revision_file: stop before reading */
} Upload;

static void
upload_free (Upload *upload)
{
  if (upload->wrote_id != 0)
    g_signal_handler_disconnect (upload->msg, upload->wrote_id);
  g_clear_object (&upload->msg);
  g_clear_object (&upload->file);
  g_free (upload->name);
  g_free (upload->title);
  g_free (upload->type);
  g_free (upload->doc_id);
  g_free (upload->broadcast_id);
  g_free (upload);
}

static gboolean
is_image_type (const char *type)
{
  return type != NULL && g_str_has_prefix (type, "image/");
}

/* "PNG", "JPEG" or "WebP": what people call the image types the server takes. */
static const char *
image_type_name (const char *type)
{
  if (g_strcmp0 (type, "image/jpeg") == 0)
    return "JPEG";
  if (g_strcmp0 (type, "image/webp") == 0)
    return "WebP";
  return "PNG";
}

/* A new version of another kind than its document. */
static GError *
kind_error (const char *name,
            RlDocKind   kind)
{
  if (kind == RL_DOC_KIND_IMAGE)
    /* Translators: %s is a file name; a new version of a mockup must be an image */
    return g_error_new (RL_ERROR, RL_ERROR_BAD_REQUEST,
                        _("“%s” is not a PNG, JPEG or WebP image; a new version of an image must be one"), name);
  /* Translators: %s is a file name; a new version of a page must be text */
  return g_error_new (RL_ERROR, RL_ERROR_BAD_REQUEST,
                      _("“%s” is not a Markdown or text file; a new version of a page must be one"), name);
}

static GError *
too_large_error (const char *name,
                 goffset     size)
{
  g_autofree char *file_size = g_format_size ((guint64) size);
  g_autofree char *limit = g_format_size (RL_UPLOAD_MAX_BYTES);

  /* Translators: an upload refused before it is sent; the first %s is a
   * file name, the second its size ("63.2 MB"), the third the limit */
  return g_error_new (RL_ERROR, RL_ERROR_TOO_LARGE, _("“%s” is %s; the server takes files up to %s"),
                      name, file_size, limit);
}

/* The error of a finished or failed upload, in words that say what to do.
 * One of another domain than RL_ERROR is the file's, which could not be
 * read: exchange_error puts every failed exchange in RL_ERROR. */
static GError *
upload_error (const GError *error,
              const char   *name,
              const char   *type,
              goffset       sent)
{
  g_autofree char *limit = NULL;

  if (error->domain != RL_ERROR)
    /* Translators: %s is a file name, then why it could not be read */
    return g_error_new (error->domain, error->code, _("Could not read “%s”: %s"), name, error->message);
  switch (error->code)
    {
    case RL_ERROR_CONNECTION_LOST:
      if (sent > 0)
        /* Translators: %s is a file name */
        return g_error_new (RL_ERROR, RL_ERROR_CONNECTION_LOST,
                            _("The connection was lost while uploading “%s”; upload it again when you’re back online"),
                            name);
      if (g_network_monitor_get_network_available (g_network_monitor_get_default ()))
        return g_error_new (RL_ERROR, RL_ERROR_CONNECTION_LOST,
                            _("The server can’t be reached; upload “%s” again once it is back"), name);
      /* No network at all: offline. */
      G_GNUC_FALLTHROUGH;
    case RL_ERROR_OFFLINE:
      return g_error_new (RL_ERROR, RL_ERROR_OFFLINE, _("You’re offline; upload “%s” again when you’re back"), name);
    case RL_ERROR_FORBIDDEN:
      /* Translators: "Viewers" is the read-only role of a team's account
       * (viewer, member, admin), not the people looking at a document now */
      return g_error_new_literal (RL_ERROR, RL_ERROR_FORBIDDEN,
                                  _("Viewers can’t upload documents; ask an admin of your team to make you a member"));
    case RL_ERROR_TOO_LARGE:
      limit = g_format_size (RL_UPLOAD_MAX_BYTES);
      if (is_image_type (type))
        /* Translators: %s is a file name, %d pixels, %d megapixels, then %s a file size ("52.4 MB") */
        return g_error_new (RL_ERROR, RL_ERROR_TOO_LARGE,
                            _("“%s” is too large for the server, which takes images up to %d pixels a side and %d megapixels, in files up to %s"),
                            name, RL_IMAGE_MAX_SIDE, RL_IMAGE_MAX_PIXELS / 1000000, limit);
      /* Translators: %s is a file name, then a file size ("52.4 MB") */
      return g_error_new (RL_ERROR, RL_ERROR_TOO_LARGE,
                          _("“%s” is too large for the server, which takes files up to %s"), name, limit);
    case RL_ERROR_BAD_REQUEST:
      if (is_image_type (type))
        /* Translators: %s is a file name, then "PNG", "JPEG" or "WebP" */
        return g_error_new (RL_ERROR, RL_ERROR_BAD_REQUEST,
                            _("The server could not read “%s” as a %s image; it may be damaged: export it again and upload the new file"),
                            name, image_type_name (type));
      return g_error_new (RL_ERROR, RL_ERROR_BAD_REQUEST,
                          _("The server could not read “%s” as text; save it as UTF-8 and upload it again"), name);
    case RL_ERROR_UNAUTHORIZED:
      return g_error_new (RL_ERROR, RL_ERROR_UNAUTHORIZED,
                          _("You’re signed out; sign in again, then upload “%s”"), name);
    case RL_ERROR_RATE_LIMITED:
      return g_error_new (RL_ERROR, RL_ERROR_RATE_LIMITED,
                          _("The server is busy; upload “%s” again in a moment"), name);
    case RL_ERROR_TIMEOUT:
      return g_error_new (RL_ERROR, RL_ERROR_TIMEOUT,
                          _("The server did not answer in time; upload “%s” again later"), name);
    default:
      return g_error_new (RL_ERROR, error->code,
                          _("The server could not store “%s”; try again later, and tell its admin if this goes on"),
                          name);
    }
}

static void
upload_return_error (GTask        *task,
                     const GError *error)
{
  Upload *upload = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_error (task, upload_error (error, upload->name, upload->type, upload->sent));
}

static void
upload_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = exchange_finish_json (source, result, &error);
  RlDocument *doc = NULL;

  if (upload != NULL && upload->doc_id != NULL)
    {
      RlRevision *revision = node ? rl_revision_from_json (node, upload->kind, &error) : NULL;

      if (revision == NULL)
        upload_return_error (task, error);
      else
        g_task_return_pointer (task, revision, (GDestroyNotify) rl_revision_free);
      return;
    }
  doc = node ? rl_document_from_json (node, &error) : NULL;
  if (upload != NULL && upload->wrote_id != 0)
    {
      g_signal_handler_disconnect (upload->msg, upload->wrote_id);
      upload->wrote_id = 0;
    }
  if (doc == NULL)
    {
      if (upload != NULL)
        upload_return_error (task, error);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, rl_doc_item_new (doc), g_object_unref);
}

static char *
upload_path (const char *title)
{
  g_autofree char *escaped = g_uri_escape_string (title, NULL, FALSE);

  return g_strdup_printf ("/api/v1/docs?title=%s", escaped);
}

void
rl_api_upload (RlApi               *self,
               GBytes              *content,
               const char          *title,
               const char          *content_type,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (content != NULL);
  g_return_if_fail (title != NULL);
  g_return_if_fail (content_type != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_api_upload);
  if (g_bytes_get_size (content) > RL_UPLOAD_MAX_BYTES)
    {
      g_task_return_error (task, too_large_error (title, (goffset) g_bytes_get_size (content)));
      return;
    }

  path = upload_path (title);
  msg = new_message (self, "POST", path);
  soup_message_set_request_body_from_bytes (msg, content_type, content);
  send_message (self, msg, g_steal_pointer (&task), upload_done);
}

RlDocItem *
rl_api_upload_finish (RlApi         *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
upload_wrote (SoupMessage *msg,
              guint        chunk_size,
              gpointer     data)
{
  Upload *upload = data;

  upload->sent = MIN (upload->sent + (goffset) chunk_size, upload->size);
  if (upload->progress)
    upload->progress (upload->sent, upload->size, upload->progress_data);
}

static void
upload_opened (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RlApi *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) stream = g_file_read_finish (G_FILE (source), result, &error);
  g_autofree char *path = NULL;

  if (stream == NULL)
    {
      upload_return_error (task, error);
      return;
    }

  if (upload->doc_id != NULL)
    path = doc_path (upload->doc_id, "/revisions");
  else
    path = upload_path (upload->title);
  upload->msg = new_message (self, "POST", path);
  if (upload->broadcast_id != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (upload->msg), "Redline-Broadcast-Id",
                                  upload->broadcast_id);
  /* Streamed: the file is never all in memory, and each piece written
   * is progress. */
  soup_message_set_request_body (upload->msg, upload->type, G_INPUT_STREAM (stream), upload->size);
  upload->wrote_id = g_signal_connect (upload->msg, "wrote-body-data", G_CALLBACK (upload_wrote), upload);
  if (upload->progress)
    upload->progress (0, upload->size, upload->progress_data);
  send_message (self, upload->msg, g_steal_pointer (&task), upload_done);
}

static void
upload_open (GTask *task)
{
  Upload *upload = g_task_get_task_data (task);

  /* Everything that can be told without sending it was checked. */
  if (upload->check_only)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_file_read_async (upload->file, G_PRIORITY_DEFAULT, g_task_get_cancellable (task), upload_opened, task);
}

/* The accepted type an image's format is, or NULL. */
static const char *
accepted_image_type (GdkPixbufFormat *format)
{
  static const char *const accepted[] = { "image/png", "image/jpeg", "image/webp" };
  g_auto(GStrv) types = gdk_pixbuf_format_get_mime_types (format);

  for (guint i = 0; types && types[i]; i++)
    for (guint j = 0; j < G_N_ELEMENTS (accepted); j++)
      if (g_str_equal (types[i], accepted[j]))
        return accepted[j];
  return NULL;
}

/* Whether this machine's GdkPixbuf reads images of type (a missing WebP
 * loader is no reason to refuse: the server decides). */
static gboolean
can_read_type (const char *type)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l; l = l->next)
    if (g_strcmp0 (accepted_image_type (l->data), type) == 0)
      return TRUE;
  return FALSE;
}

static void
upload_header_read (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GdkPixbufFormat *format;
  const char *type;
  int width = 0, height = 0;

  format = gdk_pixbuf_get_file_info_finish (result, &width, &height, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (format == NULL)
    {
      if (can_read_type (upload->type))
        {
          /* Translators: %s is a file name, then "PNG", "JPEG" or "WebP" */
          g_task_return_new_error (task, RL_ERROR, RL_ERROR_BAD_REQUEST,
                                   _("“%s” can’t be read as a %s image; it may be damaged: export it again and upload the new file"),
                                   upload->name, image_type_name (upload->type));
          return;
        }
      upload_open (g_steal_pointer (&task));
      return;
    }
  /* The bytes say what the file is, whatever its name says. */
  type = accepted_image_type (format);
  if (type != NULL && upload->doc_id != NULL && upload->kind != RL_DOC_KIND_IMAGE)
    {
      g_task_return_error (task, kind_error (upload->name, upload->kind));
      return;
    }
  if (type == NULL)
    {
      g_task_return_new_error (task, RL_ERROR, RL_ERROR_BAD_REQUEST,
                               _("“%s” is not a PNG, JPEG, WebP, Markdown or text file"), upload->name);
      return;
    }
  g_free (upload->type);
  upload->type = g_strdup (type);
  if (width > RL_IMAGE_MAX_SIDE || height > RL_IMAGE_MAX_SIDE || (gint64) width * height > RL_IMAGE_MAX_PIXELS)
    {
      /* Translators: an image refused before it is sent: a file name, its
       * width × height, then the limits */
      g_task_return_new_error (task, RL_ERROR, RL_ERROR_TOO_LARGE,
                               _("“%s” is %d × %d pixels; the server takes images up to %d pixels a side and %d megapixels"),
                               upload->name, width, height, RL_IMAGE_MAX_SIDE, RL_IMAGE_MAX_PIXELS / 1000000);
      return;
    }
  upload_open (g_steal_pointer (&task));
}

/* A title from a file name: without its extension, at most as long as the
 * server takes. */
static char *
title_for_name (const char *name)
{
  g_autofree char *base = g_strdup (name);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  g_strstrip (base);
  if (*base == '\0')
    return g_strdup (_("Untitled"));
  return g_utf8_substring (base, 0, MIN (g_utf8_strlen (base, -1), RL_TITLE_MAX_CHARS));
}

static void
upload_info_read (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);
  g_autofree char *path = NULL;
  GCancellable *cancellable;
  const char *display_name;

  if (info == NULL)
    {
      upload_return_error (task, error);
      return;
    }

  display_name = g_file_info_get_attribute_string (info, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME);
  if (display_name != NULL && g_utf8_validate (display_name, -1, NULL))
    {
      g_free (upload->name);
      upload->name = g_strdup (display_name);
    }
  if (upload->title == NULL)
    upload->title = title_for_name (upload->name);

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                               _("“%s” is a folder; upload the files in it instead"), upload->name);
      return;
    }
  /* The type first: a file of another kind is refused, however large. */
  upload->type = rl_api_upload_type_for_file (upload->name,
                                              g_file_info_get_attribute_string (info, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE));
  if (upload->type == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_task_return_new_error (task, RL_ERROR, RL_ERROR_BAD_REQUEST,
                               _("“%s” is not a PNG, JPEG, WebP, Markdown or text file"), upload->name);
      return;
    }
  if (upload->doc_id != NULL)
    {
      RlDocKind kind;

      /* A new version is of the document's kind: an image for an image. */
      if (!rl_doc_kind_for_mime (upload->type, &kind) || kind != upload->kind)
        {
          g_task_return_error (task, kind_error (upload->name, upload->kind));
          return;
        }
    }
  upload->size = g_file_info_get_size (info);
  if (upload->size > RL_UPLOAD_MAX_BYTES)
    {
      g_task_return_error (task, too_large_error (upload->name, upload->size));
      return;
    }
  if (upload->size <= 0)
    {
      g_task_return_new_error (task, RL_ERROR, RL_ERROR_BAD_REQUEST, _("“%s” is empty"), upload->name);
      return;
    }

  /* An image's size in pixels is in its header: read that alone. */
  path = g_file_get_path (upload->file);
  cancellable = g_task_get_cancellable (task);
  if (is_image_type (upload->type) && path != NULL)
    gdk_pixbuf_get_file_info_async (path, cancellable, upload_header_read, g_steal_pointer (&task));
  else
    upload_open (g_steal_pointer (&task));
}

/* Uploads file as a new document (doc_id NULL) or a new revision of doc_id. */
static void
start_upload (RlApi                 *self,
              GFile                 *file,
              const char            *title,
              const char            *doc_id,
              RlDocKind              kind,
              const char            *broadcast_id,
              gboolean               check_only,
              GCancellable          *cancellable,
              GFileProgressCallback  progress_callback,
              gpointer               progress_data,
              gpointer               source_tag,
              GAsyncReadyCallback    callback,
              gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  Upload *upload;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  upload = g_new0 (Upload, 1);
  upload->doc_id = g_strdup (doc_id);
  upload->kind = kind;
  upload->broadcast_id = g_strdup (broadcast_id);
  upload->check_only = check_only;
  upload->file = g_object_ref (file);
  upload->name = g_file_get_parse_name (file);
  {
    g_autofree char *basename = g_file_get_basename (file);

    if (basename != NULL && g_utf8_validate (basename, -1, NULL))
      {
        g_free (upload->name);
        upload->name = g_steal_pointer (&basename);
      }
  }
  upload->title = g_strdup (title);
  upload->progress = progress_callback;
  upload->progress_data = progress_data;
  g_task_set_task_data (task, upload, (GDestroyNotify) upload_free);
  g_file_query_info_async (file,
                           G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                           G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                           G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                           G_FILE_ATTRIBUTE_STANDARD_TYPE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, cancellable,
                           upload_info_read, g_steal_pointer (&task));
}

void
rl_api_upload_file (RlApi                 *self,
                    GFile                 *file,
                    const char            *title,
                    GCancellable          *cancellable,
                    GFileProgressCallback  progress_callback,
                    gpointer               progress_data,
                    GAsyncReadyCallback    callback,
                    gpointer               user_data)
{
  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (G_IS_FILE (file));

  start_upload (self, file, title, NULL, RL_DOC_KIND_IMAGE, NULL, FALSE, cancellable, progress_callback, progress_data,
                rl_api_upload_file, callback, user_data);
}

RlDocItem *
rl_api_upload_file_finish (RlApi         *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GError *
rl_api_new_upload_error (RlErrorCode  code,
                         const char  *name,
                         const char  *type)
{
  g_autoptr(GError) error = g_error_new_literal (RL_ERROR, code, rl_error_text (code));

  g_return_val_if_fail (name != NULL, NULL);
  return upload_error (error, name, type, 0);
}

char *
rl_api_upload_type_for_file (const char *filename,
                             const char *content_type)
{
  static const char *const accepted[] = {
    "image/png", "image/jpeg", "image/webp", "text/markdown", "text/plain",
  };
  g_autofree char *mime = NULL;
  const char *lower_name;

  if (content_type != NULL)
    mime = g_content_type_get_mime_type (content_type);
  /* A Markdown file is often only "text/plain" or "application/octet-stream"
   * to the system's database: its name says more. */
  lower_name = filename ? strrchr (filename, '.') : NULL;
  if (lower_name != NULL && (g_ascii_strcasecmp (lower_name, ".md") == 0 ||
                             g_ascii_strcasecmp (lower_name, ".markdown") == 0))
    return g_strdup ("text/markdown");
  if (mime == NULL || g_str_equal (mime, "application/octet-stream"))
    {
      g_autofree char *type = filename ? g_content_type_guess (filename, NULL, 0, NULL) : NULL;

      g_free (mime);
      mime = type ? g_content_type_get_mime_type (type) : NULL;
    }
  for (guint i = 0; mime && i < G_N_ELEMENTS (accepted); i++)
    if (g_str_equal (mime, accepted[i]))
      return g_steal_pointer (&mime);
  if (mime != NULL && g_str_equal (mime, "text/x-markdown"))
    return g_strdup ("text/markdown");
  return NULL;
}

/* ---- revisions ------------------------------------------------------------ */

void
rl_api_get_revision_content (RlApi               *self,
                             const char          *doc_id,
                             gint64               revision,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (doc_id != NULL);
  g_return_if_fail (revision > 0);

  /* On disk too, as the document's content: what was shown last opens
   * offline. */
  get_content (self, doc_id, g_strdup_printf ("%s/%" G_GINT64_FORMAT, doc_id, revision),
               doc_path (doc_id, "/revisions/%" G_GINT64_FORMAT "/content", revision), TRUE, NULL,
               cancellable, rl_api_get_revision_content, callback, user_data);
}

GBytes *
rl_api_get_revision_content_finish (RlApi         *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
revisions_listed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RlDocKind kind = GPOINTER_TO_INT (g_task_get_task_data (task));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = exchange_finish_json (source, result, &error);
  g_autoptr(GPtrArray) revisions = NULL;
  JsonArray *array;

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      !json_object_has_member (json_node_get_object (node), "revisions") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (node), "revisions")))
    {
      g_task_return_new_error (task, RL_ERROR, RL_ERROR_BAD_REQUEST,
                               _("The server’s list of versions is malformed"));
      return;
    }
  array = json_object_get_array_member (json_node_get_object (node), "revisions");
  revisions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_revision_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      RlRevision *revision = rl_revision_from_json (json_array_get_element (array, i), kind, &error);

      if (revision == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* Oldest first, numbered from 1 up by one. */
      if (revision->revision != (gint64) i + 1)
        {
          rl_revision_free (revision);
          g_task_return_new_error (task, RL_ERROR, RL_ERROR_BAD_REQUEST,
                                   _("The server’s list of versions is malformed"));
          return;
        }
      g_ptr_array_add (revisions, revision);
    }
  g_task_return_pointer (task, g_steal_pointer (&revisions), (GDestroyNotify) g_ptr_array_unref);
}

void
rl_api_list_revisions (RlApi               *self,
                       const char          *doc_id,
                       RlDocKind            kind,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (doc_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_api_list_revisions);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);
  path = doc_path (doc_id, "/revisions");
  msg = new_message (self, "GET", path);
  send_message (self, msg, g_steal_pointer (&task), revisions_listed);
}

GPtrArray *
rl_api_list_revisions_finish (RlApi         *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
page_text_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(JsonNode) node = body ? parse_body (body, &error) : NULL;
  RlPageText *text = node ? rl_page_text_new_from_json (node, &error) : NULL;

  if (text == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, text, (GDestroyNotify) rl_page_text_unref);
}

void
rl_api_get_page_text (RlApi               *self,
                      const char          *doc_id,
                      gint64               revision,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (doc_id != NULL);
  g_return_if_fail (revision > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_api_get_page_text);
  /* Kept on disk as the page's content, under a tag of its own that names
   * the revision: a page shown before opens offline from its model. */
  get_content (self, doc_id, g_strdup_printf ("%s/%" G_GINT64_FORMAT "/text", doc_id, revision),
               doc_path (doc_id, "/revisions/%" G_GINT64_FORMAT "/text", revision), TRUE,
               g_strdup_printf ("\"redline-text-%" G_GINT64_FORMAT "\"", revision),
               cancellable, NULL, page_text_done, task);
}

RlPageText *
rl_api_get_page_text_finish (RlApi         *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rl_api_upload_revision (RlApi                 *self,
                        const char            *doc_id,
                        RlDocKind              kind,
                        GFile                 *file,
                        const char            *broadcast_id,
                        GCancellable          *cancellable,
                        GFileProgressCallback  progress_callback,
                        gpointer               progress_data,
                        GAsyncReadyCallback    callback,
                        gpointer               user_data)
{
  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (doc_id != NULL);
  g_return_if_fail (G_IS_FILE (file));

  start_upload (self, file, NULL, doc_id, kind, broadcast_id, FALSE, cancellable, progress_callback, progress_data,
                rl_api_upload_revision, callback, user_data);
}

void
rl_api_check_revision_file (RlApi               *self,
                            const char          *doc_id,
                            RlDocKind            kind,
                            GFile               *file,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (doc_id != NULL);
  g_return_if_fail (G_IS_FILE (file));

  start_upload (self, file, NULL, doc_id, kind, NULL, TRUE, cancellable, NULL, NULL,
                rl_api_check_revision_file, callback, user_data);
}

gboolean
rl_api_check_revision_file_finish (RlApi         *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

RlRevision *
rl_api_upload_revision_finish (RlApi         *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- one document, members (1.2) ------------------------------------------ */

static void
document_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = exchange_finish_json (source, result, &error);
  RlDocument *doc = node ? rl_document_from_json (node, &error) : NULL;

  if (doc == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, doc, (GDestroyNotify) rl_document_free);
}

void
rl_api_get_document (RlApi               *self,
                     const char          *doc_id,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (doc_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_api_get_document);
  path = doc_path (doc_id, "%s", "");
  msg = new_message (self, "GET", path);
  send_message (self, msg, g_steal_pointer (&task), document_done);
}

RlDocument *
rl_api_get_document_finish (RlApi         *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
is_member_item (gpointer      item,
                gconstpointer other)
{
  return item == other;
}

/* The members model becomes members: items of those still listed are kept
 * (and renamed in place), only the run that differs is spliced. */
static void
update_members (RlApi     *self,
                GPtrArray *members)
{
  g_autoptr(GHashTable) items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_object_unref);
  guint position, n_removed, n_added;

  for (guint i = 0; i < members->len; i++)
    {
      const RlMember *member = g_ptr_array_index (members, i);
      RlMemberItem *item = g_hash_table_lookup (self->member_items, member->person.id);

      if (g_hash_table_contains (items, member->person.id))
        continue;   /* listed twice: the first counts */
      if (item)
        {
          g_object_ref (item);
          rl_member_item_update (item, member);
        }
      else
        item = rl_member_item_new (member);
      g_hash_table_insert (items, g_strdup (member->person.id), g_object_ref (item));
      g_ptr_array_add (shown, item);
    }
  g_hash_table_unref (self->member_items);
  self->member_items = g_steal_pointer (&items);
  if (rl_list_find_changed_run (G_LIST_MODEL (self->members), shown, is_member_item, &position, &n_removed, &n_added))
    g_list_store_splice (self->members, position, n_removed, shown->pdata + position, n_added);
}

static void
users_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RlApi *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(JsonNode) node = body ? parse_body (body, &error) : NULL;
  g_autoptr(GPtrArray) members = node ? rl_members_from_json (node, &error) : NULL;

  if (members == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  update_members (self, members);
  g_task_return_pointer (task, g_object_ref (self->members), g_object_unref);
}

void
rl_api_list_users (RlApi               *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RL_IS_API (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_api_list_users);
  /* Kept in memory with its ETag, as content is (not on disk: the list is
   * asked for again each session). The key is no document id. */
  get_content (self, "users", g_strdup ("/api/v1/users"), g_strdup ("/api/v1/users"), FALSE, NULL,
               cancellable, NULL, users_done, task);
}

GListModel *
rl_api_list_users_finish (RlApi         *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GListModel *
rl_api_get_members (RlApi *self)
{
  g_return_val_if_fail (RL_IS_API (self), NULL);
  return G_LIST_MODEL (self->members);
}

RlMemberItem *
rl_api_lookup_member (RlApi      *self,
                      const char *user_id)
{
  g_return_val_if_fail (RL_IS_API (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);
  return g_hash_table_lookup (self->member_items, user_id);
}
