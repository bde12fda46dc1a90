/* rl-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-server.h"

#include <libsoup/soup.h>
#include <string.h>

#include "rl-access-log.h"
#include "rl-carry.h"
#include "rl-codec.h"
#include "rl-deflate.h"
#include "rl-gate.h"
#include "rl-hub.h"
#include "rl-limits.h"
#include "rl-metrics.h"
#include "rl-outbox.h"
#include "rl-peer.h"
#include "rl-read-cache.h"
#include "rl-subloop.h"
#include "rl-upload.h"
#include "rl-usage.h"
#include "rl-uuid.h"

#define LISTEN_BACKLOG        4096
#define SHUTDOWN_GRACE_MS     3000
#define PRINCIPAL_KEY         "rl-principal"
/* How often the store is asked what administration commands changed
 * (revoked tokens, removed documents): well within the second allowed. */
#define CHANGES_INTERVAL_MS   250
/* Set on messages: the error code a reply carries, the monotonic time the
 * request started, whether /metrics may be read; on peers: the client's
 * address. */
#define ERROR_CODE_KEY        "rl-error-code"
#define STARTED_KEY           "rl-started-us"
#define METRICS_ALLOWED_KEY   "rl-metrics-allowed"
#define REMOTE_KEY            "rl-remote"
#define UPLOAD_KEY            "rl-upload"
#define SOCKET_SLOT_KEY       "rl-socket-slot"
#define DEFLATE_KEY           "rl-deflate"
/* RFC 6585; libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

struct _RlServer
{
  GObject     parent_instance;
  SoupServer *soup;
  RlStore    *store;
  RlHub      *hub;
  RlUsage    *usage;
  RlReadCache *cache;
  GHashTable *peers;          /* RlPeer* (owned) */
  guint       alive_id;
  guint       ping_interval;
  gsize       send_queue_limit;
  GMainContext *ping_context; /* the connections' keepalive timers */
  guint       ping_tick_id;
  GSocket    *listener;
  gboolean    listener_tls;
  guint       listen_watch_id;
  guint64     accepted_seen;  /* the gate's count at the last look */
  guint       stalled_looks;  /* looks in a row with a client waiting and none accepted */
  guint       changes_id;
  char       *node;           /* this server's name among the store's nodes */
  gboolean    watching;       /* the other nodes' commits reach the hub */
  GPtrArray  *metrics_allow;  /* GInetAddressMask*: read /metrics without a token */
  /* uploads: decoded one at a time, off the main loop */
  GMainContext *context;      /* the server's own, where checks report */
  GThreadPool  *upload_checks;
  GPtrArray    *checks_done;  /* UploadCheck* back from the pool, not yet answered */
  GMutex        checks_lock;
  /* limits */
  RlGate     *gate;
  guint       limits[RL_SERVER_N_LIMITS];
  GHashTable *sockets_per_user; /* "tenant\nuser" → WebSockets, handshakes included */
  /* shutdown */
  GCallback   done;
  gpointer    done_data;
  guint       grace_id;
  gboolean    stopping;
};

G_DEFINE_FINAL_TYPE (RlServer, rl_server, G_TYPE_OBJECT)

static const guint limit_defaults[RL_SERVER_N_LIMITS] = {
  [RL_SERVER_LIMIT_HANDSHAKE_TIMEOUT] = RL_HANDSHAKE_TIMEOUT_SECONDS,
  [RL_SERVER_LIMIT_BODY_TIMEOUT] = RL_BODY_TIMEOUT_SECONDS,
  [RL_SERVER_LIMIT_MAX_UNAUTHENTICATED] = RL_MAX_UNAUTHENTICATED_PER_ADDRESS,
  [RL_SERVER_LIMIT_MAX_SOCKETS_PER_USER] = RL_MAX_SOCKETS_PER_USER,
};

/* The limits the gate keeps (it follows a connection until it is a
 * WebSocket); the others the server checks itself. */
static void (*const gate_setters[RL_SERVER_N_LIMITS]) (RlGate *gate, guint value) = {
  [RL_SERVER_LIMIT_HANDSHAKE_TIMEOUT] = rl_gate_set_handshake_timeout,
  [RL_SERVER_LIMIT_BODY_TIMEOUT] = rl_gate_set_body_timeout,
  [RL_SERVER_LIMIT_MAX_UNAUTHENTICATED] = rl_gate_set_max_unauthenticated,
};

/* ---- replies ---------------------------------------------------------------- */

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            char              *body)
{
  soup_server_message_set_status (msg, status, status == STATUS_TOO_MANY_REQUESTS ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
reply_error (SoupServerMessage *msg,
             RlErrorCode        code,
             const char        *message)
{
  /* Counted as a refusal once the request is finished. */
  g_object_set_data (G_OBJECT (msg), ERROR_CODE_KEY, GUINT_TO_POINTER (code + 1));
  reply_json (msg, rl_error_code_http_status (code), rl_error_body_serialize (code, message));
}

static void
reply_gerror (SoupServerMessage *msg,
              const GError      *error)
{
  reply_error (msg, error->domain == RL_ERROR ? (RlErrorCode) error->code : RL_ERROR_INTERNAL,
               error->message);
}

static void
reply_node (SoupServerMessage *msg,
            guint              status,
            JsonNode          *node)
{
  reply_json (msg, status, rl_json_to_string (node, NULL));
  json_node_unref (node);
}

static gboolean
require_method (SoupServerMessage *msg,
                const char        *method)
{
  if (g_str_equal (soup_server_message_get_method (msg), method))
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", method);
  g_object_set_data (G_OBJECT (msg), ERROR_CODE_KEY, GUINT_TO_POINTER (RL_ERROR_BAD_REQUEST + 1));
  reply_json (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
              rl_error_body_serialize (RL_ERROR_BAD_REQUEST, "method not allowed"));
  return FALSE;
}

/* ---- authentication ------------------------------------------------------------ */

static RlPrincipal *
principal_of (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), PRINCIPAL_KEY);
}

/* Whether the request announced a body (a length or chunks): then it must
 * not be answered by libsoup, which reads a whole body before it answers. */
static gboolean
announces_body (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_NONE:
      return FALSE;
    case SOUP_ENCODING_CONTENT_LENGTH:
      return soup_message_headers_get_content_length (headers) > 0;
    default:
      return TRUE;
    }
}

/* Refused from the headers: with a body announced the connection is closed
 * after the answer (the body is never read), else libsoup answers and may
 * keep the connection. */
static void
refuse (RlServer          *self,
        SoupServerMessage *msg,
        RlErrorCode        code,
        const char        *message)
{
  reply_error (msg, code, message);
  if (announces_body (msg))
    rl_gate_refuse (self->gate, msg);
}

/* The document a path's revisions belong to (POST …/docs/{id}/revisions),
 * or NULL. */
static char *
revisions_doc_of (const char *path)
{
  const char *prefix = "/api/v1/docs/";
  const char *rest, *slash;

  if (!g_str_has_prefix (path, prefix))
    return NULL;
  rest = path + strlen (prefix);
  slash = strchr (rest, '/');
  if (slash == NULL || slash == rest || !g_str_equal (slash, "/revisions"))
    return NULL;
  return g_strndup (rest, slash - rest);
}

/* A new document (POST /api/v1/docs) or a new revision of one. */
static gboolean
is_upload (SoupServerMessage *msg,
           const char        *path)
{
  g_autofree char *doc = NULL;

  if (!g_str_equal (soup_server_message_get_method (msg), "POST"))
    return FALSE;
  if (g_str_equal (path, "/api/v1/docs") || g_str_equal (path, "/api/v1/docs/"))
    return TRUE;
  doc = revisions_doc_of (path);
  return doc != NULL;
}

/* A viewer, a missing title, a type we do not take or a length over the
 * limit are all known before the body. */
static gboolean
check_upload_request (RlServer           *self,
                      const RlPrincipal  *who,
                      SoupServerMessage  *msg,
                      GHashTable         *query,
                      char              **clean_title,
                      RlDocument        **revised,
                      GError            **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *title = query ? g_hash_table_lookup (query, "title") : NULL;
  const char *mime = soup_message_headers_get_one (headers, "Content-Type");
  g_autofree char *revisions_of = revisions_doc_of (g_uri_get_path (soup_server_message_get_uri (msg)));
  g_autofree char *stripped = NULL;
  goffset length = -1;

  if (who->role == RL_ROLE_VIEWER)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_FORBIDDEN, "viewers can’t upload");
      return FALSE;
    }
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  if (revisions_of != NULL)
    {
      /* A new version of a document: of the tenant's, and of its kind. */
      g_autoptr(RlDocument) doc = rl_store_get_document (self->store, who->tenant, revisions_of);
      RlDocKind kind;

      if (doc == NULL)
        {
          g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such document");
          return FALSE;
        }
      if (!rl_upload_check_headers (mime, length, error))
        return FALSE;
      rl_doc_kind_for_mime (mime, &kind);
      if (kind != doc->kind)
        {
          g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST,
                       doc->kind == RL_DOC_KIND_IMAGE ? "a new version of an image must be an image"
                                                      : "a new version of a page must be Markdown or plain text");
          return FALSE;
        }
      if (revised)
        *revised = g_steal_pointer (&doc);
      return TRUE;
    }
  if (title == NULL || !g_utf8_validate (title, -1, NULL))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "a document needs a title (?title=…)");
      return FALSE;
    }
  stripped = g_strstrip (g_strdup (title));
  if (*stripped == '\0' || g_utf8_strlen (stripped, -1) > RL_TITLE_MAX_CHARS)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "a title is 1–200 characters");
      return FALSE;
    }
  if (!rl_upload_check_headers (mime, length, error))
    return FALSE;
  if (clean_title)
    *clean_title = g_steal_pointer (&stripped);
  return TRUE;
}

/* An upload's body, counted as it arrives: past the limit it is answered
 * 413 and its connection closed, nothing more read. */
static void
on_upload_chunk (SoupServerMessage *msg,
                 GBytes            *chunk,
                 RlServer          *self)
{
  RlUploadSink *sink = g_object_get_data (G_OBJECT (msg), UPLOAD_KEY);
  g_autoptr(GError) error = NULL;

  if (sink == NULL || rl_upload_sink_append (sink, chunk, &error))
    return;
  g_object_set_data (G_OBJECT (msg), UPLOAD_KEY, NULL);
  reply_gerror (msg, error);
  rl_gate_refuse (self->gate, msg);
}

/* Runs once the headers are in, before any body is read and before a
 * WebSocket upgrade: a bad token, a body where none is taken and an upload
 * that can't be accepted are answered from the headers alone. The token
 * itself is never logged. */
static void
on_got_headers (SoupServerMessage *msg,
                RlServer          *self)
{
  const char *api_paths[] = { "/api/v1/docs", "/api/v1/usage", "/api/v1/users", RL_WS_PATH };
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = g_uri_get_path (uri);
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GError) error = NULL;
  RlPrincipal *principal = NULL;
  gboolean api = FALSE;

  if (!rl_gate_headers_done (self->gate, msg))
    return;
  /* Answered already, by libsoup (a path that climbs out with ..) or an
   * early handler (/metrics). */
  if (soup_server_message_get_status (msg) != 0)
    {
      if (announces_body (msg))
        rl_gate_refuse (self->gate, msg);
      return;
    }

  /* Handlers match by prefix: the same paths get a token checked. */
  for (guint i = 0; i < G_N_ELEMENTS (api_paths); i++)
    api |= g_str_has_prefix (path, api_paths[i]);
  if (api)
    {
      const char *authorization = soup_message_headers_get_one (headers, "Authorization");

      if (authorization && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
        principal = rl_store_authenticate (self->store, authorization + 7);
      if (principal == NULL)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "WWW-Authenticate", "Bearer realm=\"redline\"");
          refuse (self, msg, RL_ERROR_UNAUTHORIZED, "a valid bearer token is required");
          return;
        }
      g_object_set_data_full (G_OBJECT (msg), PRINCIPAL_KEY, principal, (GDestroyNotify) rl_principal_free);
      rl_gate_authenticated (self->gate, msg);
    }

  if (principal && is_upload (msg, path))
    {
      goffset length = -1;

      if (g_uri_get_query (uri))
        query = soup_form_decode (g_uri_get_query (uri));
      if (!check_upload_request (self, principal, msg, query, NULL, NULL, &error))
        {
          refuse (self, msg, (RlErrorCode) error->code, error->message);
          return;
        }
      /* libsoup keeps nothing of it; the sink counts and keeps it once. */
      if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
        length = soup_message_headers_get_content_length (headers);
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      g_object_set_data_full (G_OBJECT (msg), UPLOAD_KEY, rl_upload_sink_new (length),
                              (GDestroyNotify) rl_upload_sink_free);
      g_signal_connect_object (msg, "got-chunk", G_CALLBACK (on_upload_chunk), self, 0);
      rl_gate_expect_body (self->gate, msg);
      return;
    }

  /* A body where none is taken: another method gets the route's 405, a GET
   * is refused for it. */
  if (announces_body (msg))
    {
      if (require_method (msg, "GET"))
        reply_error (msg, RL_ERROR_BAD_REQUEST, "this request takes no body");
      rl_gate_refuse (self->gate, msg);
    }
}

/* ---- HTTP API ------------------------------------------------------------------ */

/* 1.2: what the caller has not read in docs (of RlDocument*), counted in
 * one query for all of them (or only the one when there is one). */
static void
set_unread (RlServer          *self,
            const RlPrincipal *who,
            GPtrArray         *docs)
{
  g_autoptr(GPtrArray) unread = rl_store_get_unread (self->store, who->tenant, who->user.id,
                                                     docs->len == 1 ? ((RlDocument *) docs->pdata[0])->id : NULL);
  g_autoptr(GHashTable) by_doc = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < unread->len; i++)
    {
      RlActivityUnread *line = g_ptr_array_index (unread, i);

      g_hash_table_insert (by_doc, line->doc.id, line);
    }
  for (guint i = 0; i < docs->len; i++)
    {
      RlDocument *doc = g_ptr_array_index (docs, i);
      RlActivityUnread *line = g_hash_table_lookup (by_doc, doc->id);

      doc->has_unread = TRUE;
      if (line != NULL)
        doc->unread = line->counts;
    }
}

static void
list_documents (RlServer          *self,
                SoupServerMessage *msg,
                const RlPrincipal *who)
{
  g_autoptr(GPtrArray) docs = rl_store_list_documents (self->store, who->tenant);
  g_autoptr(JsonArray) array = json_array_sized_new (docs->len);
  JsonNode *root = json_node_new (JSON_NODE_ARRAY);

  if (docs->len > 0)
    set_unread (self, who, docs);
  for (guint i = 0; i < docs->len; i++)
    json_array_add_element (array, rl_document_to_json (g_ptr_array_index (docs, i)));
  json_node_set_array (root, array);
  reply_node (msg, SOUP_STATUS_OK, root);
}

/* An upload whose bytes are all in, checked by decoding it whole. A
 * mockup of 200 megapixels takes seconds and up to 800 MB to decode: done
 * on the main loop it would stall every WebSocket of the server for that
 * long, and several at once would multiply the memory. So the decoding
 * runs in a pool of one thread, uploads queue for it, and the answer is
 * made back on the main loop.
 *
 * A new revision goes to the pool twice: once to be checked, then, with
 * the document's threads as they are and its previous revision read on
 * the main loop, to carry the threads over (rl-carry); the store commits
 * it with their placements back on the main loop, where the few threads
 * made or moved meanwhile are placed inside the commit. */
typedef enum
{
  UPLOAD_CHECK,        /* in the pool: the content checked, a page's text model made */
  UPLOAD_CARRY,        /* in the pool: the threads placed on the new revision */
} UploadStage;

typedef struct
{
  SoupServerMessage *msg;          /* paused meanwhile */
  gulong             finished_id;
  gboolean           gone;         /* the client left before its answer */
  UploadStage        stage;
  char              *mime;
  char              *title;        /* a new document's */
  RlDocument        *revised;      /* a new revision's document (as checked from the headers) */
  char              *broadcast_id; /* a new revision's */
  GBytes            *content;
  /* the check's results */
  RlUploadChecked    checked;
  char              *text_model;   /* pages: the text model's JSON */
  GError            *error;
  /* carrying (a new revision) */
  GPtrArray         *threads;      /* RlThread*, at base_seq */
  gint64             base_seq;
  GBytes            *previous;     /* the previous revision's content (images) */
  RlCarry           *carry;
  GHashTable        *placements;   /* thread id → RlRevisionAnchor* */
} UploadCheck;

static void
upload_check_free (UploadCheck *check)
{
  if (check == NULL)
    return;
  g_clear_signal_handler (&check->finished_id, check->msg);
  g_clear_object (&check->msg);
  g_free (check->mime);
  g_free (check->title);
  g_clear_pointer (&check->revised, rl_document_free);
  g_free (check->broadcast_id);
  g_clear_pointer (&check->content, g_bytes_unref);
  rl_upload_checked_clear (&check->checked);
  g_free (check->text_model);
  g_clear_error (&check->error);
  g_clear_pointer (&check->threads, g_ptr_array_unref);
  g_clear_pointer (&check->previous, g_bytes_unref);
  g_clear_pointer (&check->carry, rl_carry_free);
  g_clear_pointer (&check->placements, g_hash_table_unref);
  g_free (check);
}

static void
on_upload_finished (SoupServerMessage *msg,
                    UploadCheck       *check)
{
  check->gone = TRUE;
}

static void
check_upload_thread (gpointer data,
                     gpointer user_data);

/* The checked revision goes back to the pool with what carrying its
 * threads needs from the store. */
static gboolean
carry_revision (RlServer    *self,
                UploadCheck *check)
{
  const RlPrincipal *who = principal_of (check->msg);
  g_autoptr(RlDocument) doc = rl_store_get_document (self->store, who->tenant, check->revised->id);

  if (doc == NULL)
    {
      reply_error (check->msg, RL_ERROR_NOT_FOUND, "no such document");
      return FALSE;
    }
  check->threads = rl_store_load_threads (self->store, who->tenant, doc->id, &check->base_seq);
  if (doc->kind == RL_DOC_KIND_IMAGE)
    {
      g_autofree char *etag = NULL;

      check->previous = rl_store_get_revision_content (self->store, who->tenant, doc->id, doc->revision, &etag);
      if (check->previous == NULL)
        {
          reply_error (check->msg, RL_ERROR_INTERNAL, "the document’s latest version could not be read");
          return FALSE;
        }
    }
  check->stage = UPLOAD_CARRY;
  g_thread_pool_push (self->upload_checks, check, NULL);
  return TRUE;
}

static void
answer_revision (RlServer    *self,
                 UploadCheck *check)
{
  const RlPrincipal *who = principal_of (check->msg);
  RlNewRevision revision = {
    .mime = check->checked.mime,
    .width = check->checked.width,
    .height = check->checked.height,
    .content = check->content,
    .text_model = check->text_model,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(RlEvent) event = NULL;
  g_autoptr(GPtrArray) activity = NULL;
  g_autofree char *serialized = NULL;

  event = rl_store_add_revision (self->store, who, check->revised->id, &revision, check->broadcast_id,
                                 check->placements, check->base_seq, rl_carry_place_thread, check->carry,
                                 &serialized, &activity, &error);
  if (event == NULL)
    {
      reply_gerror (check->msg, error);
      return;
    }
  /* The page's text anchors are checked against is the new one now. */
  rl_read_cache_forget (self->cache, who->tenant, check->revised->id);
  reply_node (check->msg, SOUP_STATUS_CREATED, rl_revision_to_json (event->added, check->revised->kind));
  rl_hub_publish (self->hub, who->tenant, check->revised->id, event->seq, g_steal_pointer (&serialized));
  /* 1.2: the `revision` items it added reach their users' feeds. */
  rl_hub_activity_notify_all (self->hub, activity);
}

/* Returns whether check went back to the pool (it is not to be freed). */
static gboolean
answer_upload (RlServer    *self,
               UploadCheck *check)
{
  const RlPrincipal *who = principal_of (check->msg);
  g_autoptr(RlDocument) doc = NULL;
  g_autoptr(GError) error = NULL;

  /* Nobody would learn its id: not added, the client retries. */
  if (check->gone || who == NULL)
    return FALSE;
  if (check->error != NULL)
    reply_gerror (check->msg, check->error);
  else if (check->revised != NULL && check->stage == UPLOAD_CHECK)
    {
      if (carry_revision (self, check))
        return TRUE;
    }
  else if (check->revised != NULL)
    answer_revision (self, check);
  else if ((doc = rl_store_add_document (self->store, who->tenant, &who->user, check->title, check->checked.mime,
                                         check->checked.width, check->checked.height, check->content,
                                         check->text_model, &error)) == NULL)
    reply_gerror (check->msg, error);
  else
    reply_node (check->msg, SOUP_STATUS_CREATED, rl_document_to_json (doc));
  soup_server_message_unpause (check->msg);
  return FALSE;
}

static gboolean
uploads_checked_cb (gpointer data)
{
  RlServer *self = data;
  g_autoptr(GPtrArray) done = NULL;

  g_mutex_lock (&self->checks_lock);
  done = g_steal_pointer (&self->checks_done);
  self->checks_done = g_ptr_array_new_with_free_func ((GDestroyNotify) upload_check_free);
  g_mutex_unlock (&self->checks_lock);
  for (guint i = 0; i < done->len; i++)
    if (answer_upload (self, g_ptr_array_index (done, i)))
      done->pdata[i] = NULL;   /* back in the pool */
  return G_SOURCE_REMOVE;
}

/* In the pool's thread: the previous revision decoded, the matchers made,
 * every thread placed on the new revision. */
static void
carry_threads (UploadCheck *check)
{
  gint64 start = g_get_monotonic_time ();

  if (check->checked.text != NULL)
    check->carry = rl_carry_new_for_page (check->checked.text);
  else
    {
      RlUploadChecked previous = { 0 };
      g_autoptr(GError) error = NULL;

      if (!rl_upload_check_content (check->revised->mime, check->previous, &previous, &error))
        {
          g_set_error (&check->error, RL_ERROR, RL_ERROR_INTERNAL,
                       "the document’s latest version could not be decoded: %s", error->message);
          return;
        }
      check->carry = rl_carry_new_for_image (previous.image, check->checked.image);
      rl_upload_checked_clear (&previous);
    }
  check->placements = rl_carry_place_all (check->carry, check->threads);
  g_debug ("%s: %u threads carried over to its new version in %.1f ms", check->revised->id,
           check->threads ? check->threads->len : 0, (g_get_monotonic_time () - start) / 1000.0);
}

/* In the pool's thread. */
static void
check_upload_thread (gpointer data,
                     gpointer user_data)
{
  UploadCheck *check = data;
  RlServer *self = user_data;
  g_autoptr(GSource) source = NULL;

  if (check->stage == UPLOAD_CARRY)
    carry_threads (check);
  else if (rl_upload_check_content (check->mime, check->content, &check->checked, &check->error) &&
           check->checked.text != NULL)
    check->text_model = rl_page_text_serialize (check->checked.text, NULL);
  g_mutex_lock (&self->checks_lock);
  g_ptr_array_add (self->checks_done, check);
  if (self->checks_done->len == 1)
    {
      source = g_idle_source_new ();
      g_source_set_callback (source, uploads_checked_cb, self, NULL);
      g_source_attach (source, self->context);
    }
  g_mutex_unlock (&self->checks_lock);
}

static void
upload_document (RlServer          *self,
                 SoupServerMessage *msg,
                 const RlPrincipal *who,
                 GHashTable        *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *mime = soup_message_headers_get_one (headers, "Content-Type");
  const char *broadcast_id = soup_message_headers_get_one (headers, "Redline-Broadcast-Id");
  RlUploadSink *sink = g_object_get_data (G_OBJECT (msg), UPLOAD_KEY);
  g_autoptr(GError) error = NULL;
  g_autofree char *clean_title = NULL;
  g_autoptr(RlDocument) revised = NULL;
  UploadCheck *check;

  /* Checked from the headers already, where the title is made. */
  if (sink == NULL || !check_upload_request (self, who, msg, query, &clean_title, &revised, &error))
    {
      if (error)
        reply_gerror (msg, error);
      else
        reply_error (msg, RL_ERROR_INTERNAL, "the upload was not read");
      return;
    }
  if (revised != NULL && broadcast_id != NULL && (strlen (broadcast_id) != 36 || !g_uuid_string_is_valid (broadcast_id)))
    {
      reply_error (msg, RL_ERROR_BAD_REQUEST, "“Redline-Broadcast-Id” must be a UUID");
      return;
    }
  check = g_new0 (UploadCheck, 1);
  check->msg = g_object_ref (msg);
  check->mime = g_strdup (mime);
  check->title = g_steal_pointer (&clean_title);
  check->revised = g_steal_pointer (&revised);
  if (check->revised)
    check->broadcast_id = broadcast_id ? g_ascii_strdown (broadcast_id, -1) : rl_uuid_new ();
  check->content = rl_upload_sink_steal (sink);
  g_object_set_data (G_OBJECT (msg), UPLOAD_KEY, NULL);
  check->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_upload_finished), check);
  soup_server_message_pause (msg);
  g_thread_pool_push (self->upload_checks, check, NULL);
}

/* Bytes with their strong ETag; If-None-Match answers 304. */
static void
serve_bytes (SoupServerMessage *msg,
             const char        *mime,
             GBytes            *content,
             const char        *etag)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", etag);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *if_none_match;

  soup_message_headers_replace (response, "ETag", quoted);
  soup_message_headers_replace (response, "Cache-Control", "private, no-cache");
  soup_message_headers_replace (response, "X-Content-Type-Options", "nosniff");

  if_none_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "If-None-Match");
  if (if_none_match && strstr (if_none_match, quoted))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, mime, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (content, NULL), g_bytes_get_size (content));
}

static void
serve_content (RlServer          *self,
               SoupServerMessage *msg,
               const RlPrincipal *who,
               const RlDocument  *doc)
{
  g_autofree char *etag = NULL;
  g_autoptr(GBytes) content = rl_store_get_content (self->store, who->tenant, doc->id, &etag);

  serve_bytes (msg, doc->mime, content, etag);
}

/* A revision number as a path segment: a positive decimal integer without
 * leading zeros; 0 for anything else. */
static gint64
parse_revision (const char *segment)
{
  guint64 number = 0;

  if (segment == NULL || *segment < '1' || *segment > '9' || strlen (segment) > 15 ||
      !g_ascii_string_to_unsigned (segment, 10, 1, G_MAXINT64, &number, NULL))
    return 0;
  return (gint64) number;
}

/* GET …/revisions, …/revisions/{n}, …/revisions/{n}/content and
 * …/revisions/{n}/text (docs/protocol.md, "Revisions"); POST …/revisions
 * is an upload. parts: what follows "revisions". */
static void
serve_revisions (RlServer          *self,
                 SoupServerMessage *msg,
                 const RlPrincipal *who,
                 const RlDocument  *doc,
                 GHashTable        *query,
                 char             **parts)
{
  g_autoptr(RlRevision) revision = NULL;
  gint64 number;

  if (parts[0] == NULL)
    {
      g_autoptr(GPtrArray) revisions = NULL;
      g_autoptr(JsonBuilder) builder = NULL;

      if (g_str_equal (soup_server_message_get_method (msg), "POST"))
        {
          upload_document (self, msg, who, query);
          return;
        }
      if (!require_method (msg, "GET"))
        return;
      revisions = rl_store_list_revisions (self->store, who->tenant, doc->id);
      if (revisions == NULL)
        {
          reply_error (msg, RL_ERROR_NOT_FOUND, "no such document");
          return;
        }
      builder = json_builder_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "revisions");
      json_builder_begin_array (builder);
      for (guint i = 0; i < revisions->len; i++)
        json_builder_add_value (builder, rl_revision_to_json (g_ptr_array_index (revisions, i), doc->kind));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      reply_node (msg, SOUP_STATUS_OK, json_builder_get_root (builder));
      return;
    }

  if (!require_method (msg, "GET"))
    return;
  number = parse_revision (parts[0]);
  if (number > 0)
    revision = rl_store_get_revision (self->store, who->tenant, doc->id, number);
  if (revision == NULL || (parts[1] != NULL && parts[2] != NULL))
    {
      reply_error (msg, RL_ERROR_NOT_FOUND, revision == NULL ? "no such revision" : "no such resource");
      return;
    }

  if (parts[1] == NULL)
    reply_node (msg, SOUP_STATUS_OK, rl_revision_to_json (revision, doc->kind));
  else if (g_str_equal (parts[1], "content"))
    {
      g_autofree char *etag = NULL;
      g_autoptr(GBytes) content = rl_store_get_revision_content (self->store, who->tenant, doc->id, number, &etag);

      if (content == NULL)
        reply_error (msg, RL_ERROR_NOT_FOUND, "no such revision");
      else
        serve_bytes (msg, revision->mime, content, etag);
    }
  else if (g_str_equal (parts[1], "text") && doc->kind == RL_DOC_KIND_PAGE)
    {
      char *model = rl_store_get_text_model (self->store, who->tenant, doc->id, number);

      if (model == NULL)
        reply_error (msg, RL_ERROR_NOT_FOUND, "no such revision");
      else
        reply_json (msg, SOUP_STATUS_OK, model);
    }
  else
    reply_error (msg, RL_ERROR_NOT_FOUND, "no such resource");
}

static void
handle_docs (SoupServer        *soup,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  RlServer *self = user_data;
  const RlPrincipal *who = principal_of (msg);
  g_auto(GStrv) parts = NULL;
  g_autoptr(RlDocument) doc = NULL;
  const char *rest;

  if (who == NULL)
    return;

  if (g_str_equal (path, "/api/v1/docs") || g_str_equal (path, "/api/v1/docs/"))
    {
      if (g_str_equal (soup_server_message_get_method (msg), "POST"))
        upload_document (self, msg, who, query);
      else if (require_method (msg, "GET"))
        list_documents (self, msg, who);
      return;
    }

  rest = path + strlen ("/api/v1/docs/");
  parts = g_strsplit (rest, "/", 6);
  if (parts[0] == NULL || (parts[1] != NULL && parts[2] != NULL && !g_str_equal (parts[1], "revisions")))
    {
      reply_error (msg, RL_ERROR_NOT_FOUND, "no such resource");
      return;
    }
  /* Another tenant's document is as absent as one that never existed. */
  doc = rl_store_get_document (self->store, who->tenant, parts[0]);
  if (doc == NULL)
    {
      reply_error (msg, RL_ERROR_NOT_FOUND, "no such document");
      return;
    }
  if (parts[1] != NULL && g_str_equal (parts[1], "revisions"))
    {
      serve_revisions (self, msg, who, doc, query, parts + 2);
      return;
    }
  if (!require_method (msg, "GET"))
    return;

  if (parts[1] == NULL)
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      g_ptr_array_add (one, doc);
      set_unread (self, who, one);
      reply_node (msg, SOUP_STATUS_OK, rl_document_to_json (doc));
    }
  else if (g_str_equal (parts[1], "content"))
    serve_content (self, msg, who, doc);
  else if (g_str_equal (parts[1], "threads"))
    {
      gint64 head = 0;
      g_autoptr(GPtrArray) threads = rl_store_load_threads (self->store, who->tenant, doc->id, &head);

      reply_json (msg, SOUP_STATUS_OK, rl_threads_body_serialize (head, threads));
    }
  else
    reply_error (msg, RL_ERROR_NOT_FOUND, "no such resource");
}

static void
handle_usage (SoupServer        *soup,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  RlServer *self = user_data;
  const RlPrincipal *who = principal_of (msg);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint64 messages, bytes;
  guint connections = 0;
  GHashTableIter iter;
  RlPeer *peer;

  if (who == NULL || !require_method (msg, "GET"))
    return;
  if (who->role != RL_ROLE_ADMIN)
    {
      reply_error (msg, RL_ERROR_FORBIDDEN, "usage is for admins");
      return;
    }

  rl_usage_get (self->usage, who->tenant, &messages, &bytes);
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &peer, NULL))
    if (!rl_peer_is_closed (peer) && g_str_equal (rl_peer_get_principal (peer)->tenant, who->tenant))
      connections++;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tenant");
  json_builder_add_string_value (builder, who->tenant);
  json_builder_set_member_name (builder, "pubSubMessageCount");
  json_builder_add_int_value (builder, (gint64) messages);
  json_builder_set_member_name (builder, "pubSubBandwidth");
  json_builder_add_int_value (builder, (gint64) bytes);
  json_builder_set_member_name (builder, "connections");
  json_builder_add_int_value (builder, connections);
  json_builder_end_object (builder);
  reply_node (msg, SOUP_STATUS_OK, json_builder_get_root (builder));
}

/* GET /api/v1/users (1.2): the tenant's members, for completing
 * mentions; with a strong ETag of the body, so a client asks cheaply. */
static void
handle_users (SoupServer        *soup,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  RlServer *self = user_data;
  const RlPrincipal *who = principal_of (msg);
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;
  g_autofree char *etag = NULL;
  gsize length;

  if (who == NULL)
    return;
  if (strcmp (path, "/api/v1/users") != 0)
    {
      reply_error (msg, RL_ERROR_NOT_FOUND, "no such resource");
      return;
    }
  if (!require_method (msg, "GET"))
    return;
  members = rl_store_list_members (self->store, who->tenant);
  text = rl_members_body_serialize (members);
  etag = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  length = strlen (text);
  body = g_bytes_new_take (g_steal_pointer (&text), length);
  serve_bytes (msg, "application/json", body, etag);
}

static void
handle_healthz (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
}

/* ---- metrics --------------------------------------------------------------------- */

/* An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d; masks
 * are written for the IPv4 address. */
static GInetAddress *
client_address (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  GInetAddress *address;
  const guint8 *bytes;
  static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;
  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  bytes = g_inet_address_to_bytes (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 && memcmp (bytes, mapped, 12) == 0)
    return g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
  return g_object_ref (address);
}

static gboolean
metrics_allowed_from (RlServer          *self,
                      SoupServerMessage *msg)
{
  g_autoptr(GInetAddress) address = NULL;

  if (self->metrics_allow == NULL)
    return FALSE;
  address = client_address (msg);
  for (guint i = 0; address && i < self->metrics_allow->len; i++)
    if (g_inet_address_mask_matches (g_ptr_array_index (self->metrics_allow, i), address))
      return TRUE;
  return FALSE;
}

/* /metrics: from an allowed address, or with an admin's token (of any
 * tenant: the figures are the server's, with no tenant in them). */
static void
authorize_metrics (SoupServer        *soup,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  RlServer *self = user_data;
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                            "Authorization");
  g_autoptr(RlPrincipal) principal = NULL;

  if (metrics_allowed_from (self, msg))
    {
      g_object_set_data (G_OBJECT (msg), METRICS_ALLOWED_KEY, GINT_TO_POINTER (TRUE));
      return;
    }
  if (authorization && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    principal = rl_store_authenticate (self->store, authorization + 7);
  if (principal == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer realm=\"redline\"");
      reply_error (msg, RL_ERROR_UNAUTHORIZED, "an admin's bearer token is required");
      return;
    }
  if (principal->role != RL_ROLE_ADMIN)
    {
      reply_error (msg, RL_ERROR_FORBIDDEN, "metrics are for admins");
      return;
    }
  g_object_set_data (G_OBJECT (msg), METRICS_ALLOWED_KEY, GINT_TO_POINTER (TRUE));
}

static void
handle_metrics (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  RlServer *self = user_data;
  RlMetricsLevels levels = { 0 };
  GHashTableIter iter;
  RlPeer *peer;
  char *text;

  if (!g_object_get_data (G_OBJECT (msg), METRICS_ALLOWED_KEY))
    return;
  if (!g_str_equal (path, "/metrics"))
    {
      reply_error (msg, RL_ERROR_NOT_FOUND, "no such resource");
      return;
    }
  if (!require_method (msg, "GET"))
    return;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &peer, NULL))
    if (!rl_peer_is_closed (peer))
      levels.connections++;
  rl_hub_get_levels (self->hub, &levels.subscribers, &levels.rooms);
  levels.node = self->watching ? self->node : NULL;
  levels.commit_groups = rl_store_get_group_commits (self->store);

  text = rl_metrics_format (rl_hub_get_metrics (self->hub), &levels);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4; charset=utf-8", SOUP_MEMORY_TAKE,
                                    text, strlen (text));
}

/* ---- access log ------------------------------------------------------------------ */

/* Every request: its start (for the access log), and its headers checked
 * once they are in, whatever its path: no body is read before it is
 * allowed. */
static void
on_request_started (SoupServer        *soup,
                    SoupServerMessage *msg,
                    RlServer          *self)
{
  gint64 *started = g_new (gint64, 1);

  *started = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), STARTED_KEY, started, g_free);
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (on_got_headers), self, 0);
}

/* Finished or aborted (a 500, or a client gone mid-way): either way one line.
 * A WebSocket upgrade never gets here; its session is logged at its end. */
static void
on_request_done (SoupServer        *soup,
                 SoupServerMessage *msg,
                 RlServer          *self)
{
  RlMetrics *metrics = rl_hub_get_metrics (self->hub);
  gint64 *started = g_object_get_data (G_OBJECT (msg), STARTED_KEY);
  guint code = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg), ERROR_CODE_KEY));
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  GUri *uri = soup_server_message_get_uri (msg);

  metrics->http_requests++;
  if (code > 0)
    rl_metrics_count_refusal (metrics, RL_METRICS_HTTP, (RlErrorCode) (code - 1));
  rl_access_log_http (soup_server_message_get_remote_host (msg), soup_server_message_get_method (msg),
                      uri ? g_uri_get_path (uri) : NULL, soup_server_message_get_status (msg),
                      body ? (gsize) body->length : 0,
                      started ? g_get_monotonic_time () - *started : 0);
}

/* Answered by the gate without libsoup (see rl_gate_refuse): logged and
 * counted all the same. */
static void
on_request_refused (RlGate            *gate,
                    SoupServerMessage *msg,
                    RlServer          *self)
{
  if (g_object_get_data (G_OBJECT (msg), ERROR_CODE_KEY) == NULL)
    {
      /* The gate's own: a timeout or the cap per address. */
      RlErrorCode code = soup_server_message_get_status (msg) == STATUS_TOO_MANY_REQUESTS
                           ? RL_ERROR_RATE_LIMITED : RL_ERROR_BAD_REQUEST;

      g_object_set_data (G_OBJECT (msg), ERROR_CODE_KEY, GUINT_TO_POINTER (code + 1));
    }
  on_request_done (NULL, msg, self);
}

static void
handle_not_found (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  reply_error (msg, RL_ERROR_NOT_FOUND, "no such resource");
}


/* ---- WebSocket ------------------------------------------------------------------- */

/* One WebSocket of a user, counted from its accepted handshake until it
 * closes (or the upgrade never happens). */
typedef struct
{
  GHashTable *counts;
  char       *user;
} SocketSlot;

static char *
user_key (const RlPrincipal *who)
{
  return g_strconcat (who->tenant, "\n", who->user.id, NULL);
}

static SocketSlot *
socket_slot_new (RlServer          *self,
                 const RlPrincipal *who)
{
  SocketSlot *slot = g_new0 (SocketSlot, 1);
  guint count;

  slot->counts = g_hash_table_ref (self->sockets_per_user);
  slot->user = user_key (who);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (slot->counts, slot->user));
  g_hash_table_insert (slot->counts, g_strdup (slot->user), GUINT_TO_POINTER (count + 1));
  return slot;
}

static void
socket_slot_free (SocketSlot *slot)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (slot->counts, slot->user));

  if (count <= 1)
    g_hash_table_remove (slot->counts, slot->user);
  else
    g_hash_table_insert (slot->counts, g_strdup (slot->user), GUINT_TO_POINTER (count - 1));
  g_hash_table_unref (slot->counts);
  g_free (slot->user);
  g_free (slot);
}

static void
on_peer_closed (RlPeer   *peer,
                RlServer *self)
{
  const RlPrincipal *who = rl_peer_get_principal (peer);
  RlTraffic traffic;
  gint64 opened_us;
  gushort code;
  gboolean by_server;

  rl_peer_get_session (peer, &traffic, &opened_us, &code, &by_server);
  rl_access_log_websocket (g_object_get_data (G_OBJECT (peer), REMOTE_KEY), RL_WS_PATH, who->tenant,
                           who->user.id, code, by_server, &traffic, g_get_monotonic_time () - opened_us);
  g_object_set_data (G_OBJECT (peer), SOCKET_SLOT_KEY, NULL);
  g_hash_table_remove (self->peers, peer);
  if (self->stopping && g_hash_table_size (self->peers) == 0 && self->done)
    {
      GCallback done = g_steal_pointer (&self->done);

      g_clear_handle_id (&self->grace_id, g_source_remove);
      ((void (*) (gpointer)) done) (self->done_data);
    }
}

/* The upgrade is ours, not soup_server_add_websocket_handler()'s, so that
 * the connection is made inside its subloop: libsoup attaches its sources to
 * the thread-default context of the moment (see rl-subloop.h). */
static void
complete_upgrade (RlServer          *self,
                  SoupServerMessage *msg)
{
  RlPrincipal *principal = g_object_steal_data (G_OBJECT (msg), PRINCIPAL_KEY);
  SocketSlot *slot = g_object_steal_data (G_OBJECT (msg), SOCKET_SLOT_KEY);
  RlDeflate *deflate = g_object_steal_data (G_OBJECT (msg), DEFLATE_KEY);
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(RlOutbox) outbox = NULL;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  RlSubloop *subloop;
  GMainContext *context;
  RlPeer *peer;

  stream = soup_server_message_steal_connection (msg);
  subloop = rl_subloop_new ();
  context = rl_subloop_get_context (subloop);
  outbox = rl_outbox_new (stream, context, self->send_queue_limit);
  g_main_context_push_thread_default (context);
  connection = soup_websocket_connection_new (G_IO_STREAM (outbox), soup_server_message_get_uri (msg),
                                              SOUP_WEBSOCKET_CONNECTION_SERVER,
                                              soup_message_headers_get_one (request, "Origin"),
                                              soup_message_headers_get_one (response, "Sec-WebSocket-Protocol"),
                                              deflate ? g_list_prepend (NULL, deflate) : NULL);
  g_main_context_pop_thread_default (context);
  rl_subloop_refresh (subloop);

  if (principal == NULL || self->stopping)
    {
      g_clear_pointer (&principal, rl_principal_free);
      g_clear_pointer (&slot, socket_slot_free);
      /* The subloop lives as long as the closing connection: its outbox
       * may still have the close frame to write from there. */
      g_object_set_data_full (G_OBJECT (connection), "rl-subloop", subloop, (GDestroyNotify) rl_subloop_free);
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      return;
    }
  peer = rl_peer_new (connection, principal, self->store, self->hub, self->usage, self->cache,
                      self->ping_interval, self->ping_context, subloop);
  g_object_set_data_full (G_OBJECT (peer), REMOTE_KEY, g_strdup (soup_server_message_get_remote_host (msg)),
                          g_free);
  if (slot)
    g_object_set_data_full (G_OBJECT (peer), SOCKET_SLOT_KEY, slot, (GDestroyNotify) socket_slot_free);
  g_signal_connect (peer, "closed", G_CALLBACK (on_peer_closed), self);
  g_hash_table_add (self->peers, peer);
}

static void
handle_websocket (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  RlServer *self = user_data;
  /* Newest first: libsoup takes the first of these the client offers. */
  const char *protocols[] = { RL_WS_SUBPROTOCOL_V12, RL_WS_SUBPROTOCOL_V11, RL_WS_SUBPROTOCOL, NULL };
  const RlPrincipal *who = principal_of (msg);
  g_autofree char *user = NULL;
  g_autofree char *accepted = NULL;
  const char *offers;
  RlDeflate *deflate;

  /* Handlers match by prefix; the WebSocket lives at exactly one path. */
  if (strcmp (path, RL_WS_PATH) != 0)
    {
      reply_error (msg, RL_ERROR_NOT_FOUND, "no such resource");
      return;
    }
  if (who == NULL)
    return;
  /* Before the upgrade, so the client hears why. */
  user = user_key (who);
  if (GPOINTER_TO_UINT (g_hash_table_lookup (self->sockets_per_user, user)) >= self->limits[RL_SERVER_LIMIT_MAX_SOCKETS_PER_USER])
    {
      reply_error (msg, RL_ERROR_RATE_LIMITED, "too many connections for this user");
      return;
    }
  /* A refusal (not an upgrade, wrong version or subprotocol) is answered
   * by libsoup, as its own WebSocket handler would. */
  if (!soup_websocket_server_process_handshake (msg, NULL, (char **) protocols, NULL, NULL))
    return;
  /* Extensions are ours too: libsoup's permessage-deflate would refuse the
   * connection over an offer it cannot take, and would inflate without
   * bound. A declined offer leaves the answer without the header. */
  offers = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                          "Sec-WebSocket-Extensions");
  if (offers && (deflate = rl_deflate_negotiate (offers, &accepted)))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Sec-WebSocket-Extensions", accepted);
      g_object_set_data_full (G_OBJECT (msg), DEFLATE_KEY, deflate, g_object_unref);
    }
  g_object_set_data_full (G_OBJECT (msg), SOCKET_SLOT_KEY, socket_slot_new (self, who),
                          (GDestroyNotify) socket_slot_free);
  g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (complete_upgrade), self,
                           G_CONNECT_SWAPPED);
}

static gboolean
check_alive_cb (gpointer data)
{
  RlServer *self = data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  RlPeer *peer;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &peer, NULL))
    rl_peer_check_alive (peer, now);
  return G_SOURCE_CONTINUE;
}

/* libsoup gives each connection a keepalive timer of its own; a thousand of
 * them in the main context would be walked on every turn of the loop, for
 * every event. They live in a context of their own, run once a second. */
static gboolean
ping_tick_cb (gpointer data)
{
  RlServer *self = data;

  while (g_main_context_iteration (self->ping_context, FALSE))
    ;
  return G_SOURCE_CONTINUE;
}

/* ---- what administration commands changed ------------------------------------------ */

/* Closes the user's connections made with a token that no longer works;
 * one made with the new token of a rotation, even before the rotation was
 * read here, stays. */
static guint
close_user_connections (RlServer   *self,
                        const char *tenant,
                        const char *user,
                        const char *reason)
{
  GHashTableIter iter;
  RlPeer *peer;
  guint closed = 0;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &peer, NULL))
    {
      const RlPrincipal *who = rl_peer_get_principal (peer);

      if (rl_peer_is_closed (peer) || !g_str_equal (who->tenant, tenant) || !g_str_equal (who->user.id, user) ||
          rl_store_token_is_current (self->store, who))
        continue;
      rl_peer_close (peer, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, reason);
      closed++;
    }
  return closed;
}

/* The command line changes the file from another process: a token it
 * revoked or replaced is refused by the next authentication (nothing is
 * cached), but open WebSockets authenticated before, and subscribers of a
 * removed document, are learnt of here. */
static gboolean
watch_changes_cb (gpointer data)
{
  RlServer *self = data;
  g_autoptr(GPtrArray) changes = rl_store_read_changes (self->store);

  for (guint i = 0; changes && i < changes->len; i++)
    {
      RlStoreChange *change = g_ptr_array_index (changes, i);
      guint closed;

      switch (change->kind)
        {
        case RL_STORE_CHANGE_USER_REVOKED:
        case RL_STORE_CHANGE_TOKEN_ROTATED:
          closed = close_user_connections (self, change->tenant, change->subject,
                                           change->kind == RL_STORE_CHANGE_USER_REVOKED ? "token revoked"
                                                                                        : "token replaced");
          g_printerr ("redline-server: %s user %s of %s: closed %u connection%s\n",
                      change->kind == RL_STORE_CHANGE_USER_REVOKED ? "revoked" : "new token for",
                      change->subject, change->tenant, closed, closed == 1 ? "" : "s");
          break;
        case RL_STORE_CHANGE_DOCUMENT_REMOVED:
        default:
          rl_hub_close_document (self->hub, change->tenant, change->subject,
                                 SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "document removed");
          rl_read_cache_forget (self->cache, change->tenant, change->subject);
          g_printerr ("redline-server: removed document %s of %s\n", change->subject, change->tenant);
          break;
        }
    }
  return G_SOURCE_CONTINUE;
}

/* ---- object --------------------------------------------------------------------- */

static void
rl_server_dispose (GObject *object)
{
  RlServer *self = RL_SERVER (object);

  g_clear_handle_id (&self->alive_id, g_source_remove);
  g_clear_handle_id (&self->ping_tick_id, g_source_remove);
  g_clear_handle_id (&self->grace_id, g_source_remove);
  g_clear_handle_id (&self->changes_id, g_source_remove);
  g_clear_handle_id (&self->listen_watch_id, g_source_remove);
  /* The check under way ends first; those still queued are dropped. */
  if (self->upload_checks != NULL)
    g_thread_pool_free (g_steal_pointer (&self->upload_checks), TRUE, TRUE);
  if (self->context != NULL)
    {
      GSource *pending;

      /* an answer for checks done meanwhile, not run yet */
      while ((pending = g_main_context_find_source_by_funcs_user_data (self->context, &g_idle_funcs,
                                                                       self)) != NULL)
        g_source_destroy (pending);
    }
  g_clear_pointer (&self->checks_done, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  if (self->soup)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->gate);
  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->sockets_per_user, g_hash_table_unref);
  g_clear_pointer (&self->ping_context, g_main_context_unref);
  g_clear_object (&self->soup);
  g_clear_object (&self->hub);
  g_clear_object (&self->cache);
  g_clear_object (&self->usage);
  g_clear_object (&self->store);
  g_clear_object (&self->listener);
  g_clear_pointer (&self->metrics_allow, g_ptr_array_unref);
  G_OBJECT_CLASS (rl_server_parent_class)->dispose (object);
}

static void
rl_server_finalize (GObject *object)
{
  RlServer *self = RL_SERVER (object);

  g_mutex_clear (&self->checks_lock);
  g_free (self->node);
  G_OBJECT_CLASS (rl_server_parent_class)->finalize (object);
}

static void
rl_server_class_init (RlServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rl_server_dispose;
  G_OBJECT_CLASS (klass)->finalize = rl_server_finalize;
}

static void
rl_server_init (RlServer *self)
{
  self->peers = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  self->sockets_per_user = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  memcpy (self->limits, limit_defaults, sizeof self->limits);
  self->ping_context = g_main_context_new ();
  self->ping_tick_id = g_timeout_add_seconds (1, ping_tick_cb, self);
  self->context = g_main_context_ref_thread_default ();
  self->checks_done = g_ptr_array_new_with_free_func ((GDestroyNotify) upload_check_free);
  g_mutex_init (&self->checks_lock);
  self->upload_checks = g_thread_pool_new_full (check_upload_thread, self, (GDestroyNotify) upload_check_free,
                                                1, FALSE, NULL);
}

RlServer *
rl_server_new (RlStore *store)
{
  RlServer *self = g_object_new (RL_TYPE_SERVER, NULL);

  self->store = g_object_ref (store);
  self->usage = rl_usage_new (store);
  self->cache = rl_read_cache_new (store);
  self->hub = rl_hub_new (store, self->usage);
  self->send_queue_limit = RL_OUTBOX_DEFAULT_LIMIT;
  rl_server_set_ping_interval (self, RL_PING_INTERVAL_SECONDS);
  self->changes_id = g_timeout_add (CHANGES_INTERVAL_MS, watch_changes_cb, self);
  return self;
}

void
rl_server_set_frame_interval (RlServer *self,
                              guint     ms)
{
  g_return_if_fail (RL_IS_SERVER (self));

  rl_hub_set_frame_interval (self->hub, ms);
}

void
rl_server_set_ping_interval (RlServer *self,
                             guint     seconds)
{
  g_return_if_fail (RL_IS_SERVER (self));
  g_return_if_fail (seconds > 0);

  self->ping_interval = seconds;
  g_clear_handle_id (&self->alive_id, g_source_remove);
  /* Checked twice per interval: a dead link is closed at most half an
   * interval late. */
  self->alive_id = g_timeout_add (seconds * 500, check_alive_cb, self);
}

void
rl_server_set_send_queue_limit (RlServer *self,
                                gsize     bytes)
{
  g_return_if_fail (RL_IS_SERVER (self));

  self->send_queue_limit = bytes;
}

GPtrArray *
rl_server_parse_addresses (const char  *addresses,
                           GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (addresses, ",", -1);
  g_autoptr(GPtrArray) masks = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = g_strstrip (parts[i]);
      GInetAddressMask *mask = g_inet_address_mask_new_from_string (part, NULL);

      if (mask == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s” is not an IP address or ADDRESS/BITS", part);
          return NULL;
        }
      g_ptr_array_add (masks, mask);
    }
  if (masks->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no address given");
      return NULL;
    }
  return g_steal_pointer (&masks);
}

void
rl_server_set_metrics_allow (RlServer  *self,
                             GPtrArray *masks)
{
  g_return_if_fail (RL_IS_SERVER (self));

  g_clear_pointer (&self->metrics_allow, g_ptr_array_unref);
  self->metrics_allow = masks ? g_ptr_array_ref (masks) : NULL;
}

void
rl_server_set_limit (RlServer      *self,
                     RlServerLimit  limit,
                     guint          value)
{
  g_return_if_fail (RL_IS_SERVER (self));
  g_return_if_fail (limit < RL_SERVER_N_LIMITS);
  g_return_if_fail (value > 0 || limit == RL_SERVER_LIMIT_MAX_UNAUTHENTICATED);

  self->limits[limit] = value;
  if (self->gate && gate_setters[limit])
    gate_setters[limit] (self->gate, value);
}

static gboolean
setup_soup (RlServer         *self,
            GTlsCertificate  *tls,
            GError          **error)
{
  self->soup = g_object_new (SOUP_TYPE_SERVER,
                             "server-header", "redline-server",
                             "tls-certificate", tls,
                             NULL);
  /* Frames are serialized once and sent to everyone as they are (and
   * compressed once for the connections that negotiated permessage-deflate,
   * see handle_websocket and rl-deflate.h). */

  /* The gate first: it follows a connection from its first request on. */
  self->gate = rl_gate_new (self->soup);
  for (guint limit = 0; limit < RL_SERVER_N_LIMITS; limit++)
    if (gate_setters[limit])
      gate_setters[limit] (self->gate, self->limits[limit]);
  g_signal_connect (self->gate, "refused", G_CALLBACK (on_request_refused), self);
  soup_server_add_handler (self->soup, "/api/v1/docs", handle_docs, self, NULL);
  soup_server_add_handler (self->soup, "/api/v1/usage", handle_usage, self, NULL);
  soup_server_add_handler (self->soup, "/api/v1/users", handle_users, self, NULL);
  soup_server_add_handler (self->soup, "/healthz", handle_healthz, self, NULL);
  soup_server_add_early_handler (self->soup, "/metrics", authorize_metrics, self, NULL);
  soup_server_add_handler (self->soup, "/metrics", handle_metrics, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (on_request_done), self);
  soup_server_add_handler (self->soup, RL_WS_PATH, handle_websocket, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_not_found, self, NULL);
  return TRUE;
}

static gboolean listen_watch_cb (gpointer data);

/* ---- several nodes --------------------------------------------------------------- */

/* 1.2: another node's event, for this node's followers of the tenant's
 * feeds: an unread-hint when it may change unread (when the announcement
 * could not carry its text, it may: a hint too many costs one re-read). */
static void
hint_remote_event (RlServer            *self,
                   const RlStoreRemote *remote)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(RlEvent) event = NULL;

  if (!rl_hub_has_followers (self->hub, remote->tenant))
    return;
  if (remote->serialized != NULL)
    {
      node = rl_json_parse (remote->serialized, strlen (remote->serialized), NULL);
      event = node != NULL ? rl_event_from_json (node, NULL) : NULL;
      if (event != NULL && !rl_hub_event_changes_unread (event))
        return;
    }
  rl_hub_unread_hint (self->hub, remote->tenant, remote->doc);
}

/* What the other nodes of a shared store did, for this node's rooms. */
static void
on_remote (const RlStoreRemote *remote,
           gpointer             data)
{
  RlServer *self = data;

  switch (remote->kind)
    {
    case RL_STORE_REMOTE_EVENT:
      rl_hub_publish_remote (self->hub, remote->tenant, remote->doc, remote->seq, g_strdup (remote->serialized));
      hint_remote_event (self, remote);
      break;
    case RL_STORE_REMOTE_VIEWERS:
      rl_hub_viewers_changed (self->hub, remote->tenant, remote->doc);
      break;
    case RL_STORE_REMOTE_ACTIVITY:
      rl_hub_activity_notify (self->hub, remote->tenant, remote->doc, remote->seq);
      break;
    case RL_STORE_REMOTE_LOST:
      /* The listener has said so in the log; events wait in the store's. */
      break;
    case RL_STORE_REMOTE_LINKED:
      /* Whatever was committed while nobody listened is in the log; and a
       * node silent that long may have been counted out by the others. */
      rl_hub_catch_up (self->hub);
      rl_hub_publish_viewers (self->hub);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
watch_other_nodes (RlServer *self,
                   guint     port)
{
  if (self->watching || !rl_store_is_shared (self->store))
    return;
  if (self->node == NULL)
    self->node = g_strdup_printf ("%s:%u", g_get_host_name (), port);
  self->watching = TRUE;
  rl_store_watch_remote (self->store, self->node, on_remote, self);
}

gboolean
rl_server_listen (RlServer         *self,
                  const char       *host,
                  guint             port,
                  GTlsCertificate  *tls,
                  char            **uri,
                  GError          **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *host_part = NULL;

  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not an IP address", host);
      return FALSE;
    }
  if (!setup_soup (self, tls, error))
    return FALSE;

  /* Our own listening socket: GSocket's default backlog of 10 stalls a burst
   * of clients reconnecting at once. */
  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  bind_address = g_inet_socket_address_new (address, (guint16) port);
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, bind_address, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;
  if (!soup_server_listen_socket (self->soup, socket, tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    return FALSE;

  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return FALSE;
  host_part = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6
                ? g_strdup_printf ("[%s]", host) : g_strdup (host);
  *uri = g_strdup_printf ("%s://%s:%u", tls ? "https" : "http", host_part,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  self->listener = g_steal_pointer (&socket);
  self->listener_tls = tls != NULL;
  if (self->listen_watch_id == 0)
    self->listen_watch_id = g_timeout_add (500, listen_watch_cb, self);
  watch_other_nodes (self, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  return TRUE;
}

void
rl_server_set_node (RlServer   *self,
                    const char *node)
{
  g_return_if_fail (!self->watching);
  g_free (self->node);
  self->node = g_strdup (node);
}

const char *
rl_server_get_node (RlServer *self)
{
  return self->node;
}

/* libsoup 3.2's listener stops for good when an accept fails: once the
 * server runs out of descriptors (a storm of clients past its limit), it
 * would never accept again, even with every client gone. Twice a second
 * the server looks: a client waiting in the backlog through two looks in a
 * row with no connection accepted meanwhile means nobody is accepting, and
 * the socket is listened on again (should the old listener still live, the
 * first of the two to find the backlog empty stops, as libsoup's does). */
static gboolean
listen_watch_cb (gpointer data)
{
  RlServer *self = data;
  guint64 accepted = rl_gate_get_accepted (self->gate);
  g_autoptr(GError) error = NULL;

  if (self->stopping || self->listener == NULL)
    return G_SOURCE_CONTINUE;
  if (accepted != self->accepted_seen ||
      !(g_socket_condition_check (self->listener, G_IO_IN) & G_IO_IN))
    {
      self->accepted_seen = accepted;
      self->stalled_looks = 0;
      return G_SOURCE_CONTINUE;
    }
  if (++self->stalled_looks < 2)
    return G_SOURCE_CONTINUE;
  self->stalled_looks = 0;
  g_printerr ("redline-server: no connection was accepted for a second with clients waiting (out of file descriptors?): "
              "accepting again\n");
  if (!soup_server_listen_socket (self->soup, self->listener,
                                  self->listener_tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &error))
    g_printerr ("redline-server: listening again failed: %s\n", error->message);
  return G_SOURCE_CONTINUE;
}

static gboolean
grace_expired_cb (gpointer data)
{
  RlServer *self = data;
  GCallback done = g_steal_pointer (&self->done);

  self->grace_id = 0;
  if (done)
    ((void (*) (gpointer)) done) (self->done_data);
  return G_SOURCE_REMOVE;
}

/* After the acks and events of the groups in flight at shutdown (their
 * completions run at the default priority, before this). */
static gboolean
close_peers_cb (gpointer data)
{
  RlServer *self = data;
  GHashTableIter iter;
  RlPeer *peer;

  rl_hub_flush_all (self->hub);

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &peer, NULL))
    rl_peer_close (peer, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
  rl_usage_save (self->usage);

  if (g_hash_table_size (self->peers) == 0)
    self->grace_id = g_idle_add (grace_expired_cb, self);
  else
    self->grace_id = g_timeout_add (SHUTDOWN_GRACE_MS, grace_expired_cb, self);
  return G_SOURCE_REMOVE;
}

void
rl_server_shutdown (RlServer  *self,
                    GCallback  done,
                    gpointer   user_data)
{
  g_return_if_fail (!self->stopping);

  self->stopping = TRUE;
  self->done = done;
  self->done_data = user_data;

  /* Stop accepting first; wait for the group commits in flight, whose
   * acks and events then go out before the connections close. */
  if (self->listener)
    g_socket_close (self->listener, NULL);
  rl_store_flush (self->store);
  self->grace_id = g_idle_add_full (G_PRIORITY_LOW, close_peers_cb, self, NULL);
}
