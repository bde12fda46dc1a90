/* rl-api.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rl-api.h"
#include "rl-error-text.h"

#include <libsoup/soup.h>
#include <string.h>

#include "rl-codec.h"
#include "rl-error.h"

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
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  self->authorization);
  return msg;
}

/* The error a finished exchange means, or NULL when it succeeded
 * (2xx, or 304 where allowed). */
static GError *
exchange_error (SoupMessage *msg,
                GBytes      *body,
                GError      *transport_error)
{
  GError *error = NULL;
  guint status;

  if (transport_error != NULL)
    {
      if (g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_error_copy (transport_error);
      /* Translators: %s is the reason from the network layer */
      return g_error_new (RL_ERROR, RL_ERROR_CONNECTION_LOST, _("Could not reach the server: %s"),
                          transport_error->message);
    }

  status = soup_message_get_status (msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status) || status == SOUP_STATUS_NOT_MODIFIED)
    return NULL;

  if (body != NULL &&
      rl_codec_error_from_body (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error))
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

static JsonNode *
parse_body (GBytes  *body,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body),
                                   &local_error))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, _("The server’s answer is not JSON: %s"),
                   local_error->message);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
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
  GError *exchange = exchange_error (msg, body, transport_error);

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
rl_api_finalize (GObject *object)
{
  RlApi *self = RL_API (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->authorization, g_free);
  g_clear_pointer (&self->content, g_hash_table_unref);
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
  self->session = soup_session_new ();
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

/* ---- list ---------------------------------------------------------------- */

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = exchange_finish_json (source, result, &error);
  g_autoptr(GPtrArray) docs = node ? rl_documents_from_json (node, &error) : NULL;
  g_autoptr(GListStore) store = NULL;

  if (docs == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  store = g_list_store_new (RL_TYPE_DOC_ITEM);
  /* The items take the documents over. */
  g_ptr_array_set_free_func (docs, NULL);
  for (guint i = 0; i < docs->len; i++)
    {
      g_autoptr(RlDocItem) item = rl_doc_item_new (g_ptr_array_index (docs, i));

      g_list_store_append (store, item);
    }
  g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
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
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    list_done, g_steal_pointer (&task));
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

static void
content_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RlApi *self = g_task_get_source_object (task);
  const char *doc_id = g_task_get_task_data (task);
  SoupMessage *msg;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = exchange_finish (source, result, &msg, &error);
  CachedContent *cached;
  const char *etag;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  cached = g_hash_table_lookup (self->content, doc_id);
  if (soup_message_get_status (msg) == SOUP_STATUS_NOT_MODIFIED)
    {
      if (cached == NULL)
        {
          /* Asked without an ETag, so a 304 is the server's mistake. */
          g_task_return_new_error (task, RL_ERROR, RL_ERROR_BAD_REQUEST,
                                   _("The server answered 304 to a request without If-None-Match"));
          return;
        }
      self->n_not_modified++;
      g_task_return_pointer (task, g_bytes_ref (cached->bytes), (GDestroyNotify) g_bytes_unref);
      return;
    }

  etag = soup_message_headers_get_one (soup_message_get_response_headers (msg), "ETag");
  if (etag != NULL)
    {
      cached = g_new0 (CachedContent, 1);
      cached->etag = g_strdup (etag);
      cached->bytes = g_bytes_ref (body);
      g_hash_table_replace (self->content, g_strdup (doc_id), cached);
    }
  g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) g_bytes_unref);
}

void
rl_api_get_content (RlApi               *self,
                    const char          *doc_id,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  CachedContent *cached;

  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (doc_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_api_get_content);
  g_task_set_task_data (task, g_strdup (doc_id), g_free);

  escaped = g_uri_escape_string (doc_id, NULL, FALSE);
  path = g_strdup_printf ("/api/v1/docs/%s/content", escaped);
  msg = new_message (self, "GET", path);
  cached = g_hash_table_lookup (self->content, doc_id);
  if (cached != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "If-None-Match", cached->etag);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    content_done, g_steal_pointer (&task));
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

static void
upload_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = exchange_finish_json (source, result, &error);
  RlDocument *doc = node ? rl_document_from_json (node, &error) : NULL;

  if (doc == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, rl_doc_item_new (doc), g_object_unref);
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
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (RL_IS_API (self));
  g_return_if_fail (content != NULL);
  g_return_if_fail (title != NULL);
  g_return_if_fail (content_type != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_api_upload);

  escaped = g_uri_escape_string (title, NULL, FALSE);
  path = g_strdup_printf ("/api/v1/docs?title=%s", escaped);
  msg = new_message (self, "POST", path);
  soup_message_set_request_body_from_bytes (msg, content_type, content);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    upload_done, g_steal_pointer (&task));
}

RlDocItem *
rl_api_upload_finish (RlApi         *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
