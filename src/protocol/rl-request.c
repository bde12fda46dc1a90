/* rl-request.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-request.h"

#include <string.h>

#include "rl-json-private.h"
#include "rl-limits.h"

/* The nicks are the request names of the wire (request_names). */
G_DEFINE_ENUM_TYPE (RlRequestType, rl_request_type,
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_SUBSCRIBE, "subscribe"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_UNSUBSCRIBE, "unsubscribe"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_CREATE_THREAD, "create-thread"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_ADD_COMMENT, "add-comment"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_EDIT_COMMENT, "edit-comment"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_DELETE_COMMENT, "delete-comment"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_RESOLVE_THREAD, "resolve-thread"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_MOVE_THREAD, "move-thread"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_DELETE_THREAD, "delete-thread"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_PLACE_THREAD, "place-thread"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_MARK_READ, "mark-read"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_SUBSCRIBE_ACTIVITY, "subscribe-activity"),
                    G_DEFINE_ENUM_VALUE (RL_REQUEST_UNSUBSCRIBE_ACTIVITY, "unsubscribe-activity"))

static const char *request_names[] = {
  "subscribe", "unsubscribe", "create-thread", "add-comment", "edit-comment",
  "delete-comment", "resolve-thread", "move-thread", "delete-thread", "place-thread",
  "mark-read", "subscribe-activity", "unsubscribe-activity",
};

/* ---- requests ------------------------------------------------------------ */

RlRequest *
rl_request_new (RlRequestType type)
{
  RlRequest *request = g_new0 (RlRequest, 1);

  request->type = type;
  return request;
}

void
rl_request_free (RlRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->req);
  g_free (request->broadcast_id);
  g_free (request->doc);
  g_free (request->thread_id);
  g_free (request->comment_id);
  g_free (request->body);
  rl_anchor_clear (&request->anchor);
  g_clear_pointer (&request->mentions, g_ptr_array_unref);
  g_free (request);
}

const char *
rl_request_type_to_string (RlRequestType type)
{
  g_return_val_if_fail (type < G_N_ELEMENTS (request_names), "subscribe");
  return request_names[type];
}

gboolean
rl_request_type_is_mutation (RlRequestType type)
{
  return type >= RL_REQUEST_CREATE_THREAD && type <= RL_REQUEST_PLACE_THREAD;
}

gboolean
rl_request_type_is_v12 (RlRequestType type)
{
  return type >= RL_REQUEST_MARK_READ;
}

char *
rl_body_normalize (const char *body)
{
  const char *start = body, *end;
  glong n_chars;

  if (body == NULL || !g_utf8_validate (body, -1, NULL))
    return NULL;

  end = body + strlen (body);
  while (start < end && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  n_chars = g_utf8_strlen (start, end - start);
  if (n_chars < 1 || n_chars > RL_BODY_MAX_CHARS)
    return NULL;
  return g_strndup (start, end - start);
}

/* A `comment` member holding {id, body, mentions (1.2, optional)}. The
 * mentions' spans are in the body as sent; they are shifted to the trimmed
 * body, and one that reaches into the trimmed white space is refused. */
static gboolean
read_comment_member (JsonObject *object,
                     RlRequest  *request,
                     GError    **error)
{
  JsonObject *comment = rl_json_object_of (rl_json_member (object, "comment"));
  g_autoptr(GPtrArray) mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_mention_free);
  const char *body;
  gint64 lead, n_chars;

  if (comment == NULL)
    return rl_json_fail (error, "“comment” must be an object with id and body");
  if (!rl_json_read_uuid (comment, "id", &request->comment_id, error) ||
      !rl_json_read_string (comment, "body", &body, error))
    return FALSE;
  request->body = rl_body_normalize (body);
  if (request->body == NULL)
    return rl_json_fail (error, "a comment’s body must be 1–%d characters after trimming",
                         RL_BODY_MAX_CHARS);
  if (!rl_json_read_mentions (comment, body, mentions, error))
    return FALSE;
  if (mentions->len == 0)
    return TRUE;

  /* The trimmed body is a slice of the body as sent: find where it starts. */
  lead = g_utf8_pointer_to_offset (body, strstr (body, request->body));
  n_chars = g_utf8_strlen (request->body, -1);
  for (guint i = 0; i < mentions->len; i++)
    {
      RlMention *mention = g_ptr_array_index (mentions, i);

      if (mention->start < lead || mention->end > lead + n_chars)
        return rl_json_fail (error, "a mention lies in white space that trimming removes");
      mention->start -= lead;
      mention->end -= lead;
    }
  request->mentions = g_steal_pointer (&mentions);
  return TRUE;
}

/* The optional "revision" of create-, move- and place-thread (1.1); a
 * place-thread must name one. */
static gboolean
read_revision_member (JsonObject *object,
                      RlRequest  *request,
                      gboolean    required,
                      GError    **error)
{
  if (!required && !json_object_has_member (object, "revision"))
    return TRUE;
  return rl_json_read_revision (object, "revision", &request->revision, error);
}

/* The optional "since" of subscribe and subscribe-activity. (An
 * unsubscribe-activity has none; one given is ignored.) */
static gboolean
read_since_member (JsonObject *object,
                   RlRequest  *request,
                   GError    **error)
{
  JsonNode *node = rl_json_member (object, "since");

  if (request->type == RL_REQUEST_UNSUBSCRIBE_ACTIVITY || node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!rl_json_holds (node, G_TYPE_INT64) || json_node_get_int (node) < 0)
    return rl_json_fail (error, "“since” must be a non-negative integer");
  request->has_since = TRUE;
  request->since = json_node_get_int (node);
  return TRUE;
}

static gboolean
parse_request_fields (JsonObject *object,
                      RlRequest  *request,
                      GError    **error)
{
  JsonNode *node;

  if (request->type == RL_REQUEST_SUBSCRIBE_ACTIVITY || request->type == RL_REQUEST_UNSUBSCRIBE_ACTIVITY)
    return read_since_member (object, request, error);

  if (!rl_json_read_doc_id (object, &request->doc, error))
    return FALSE;

  if (rl_request_type_is_mutation (request->type) || request->type == RL_REQUEST_MARK_READ)
    {
      const char *broadcast_id;

      if (!rl_json_read_string (object, "broadcastId", &broadcast_id, error))
        return FALSE;
      /* Lenient on case here: it is echoed, never stored as an id. */
      if (strlen (broadcast_id) != 36 || !g_uuid_string_is_valid (broadcast_id))
        return rl_json_fail (error, "“broadcastId” must be a UUID");
      request->broadcast_id = g_strdup (broadcast_id);
    }

  switch (request->type)
    {
    case RL_REQUEST_SUBSCRIBE:
      return read_since_member (object, request, error);

    case RL_REQUEST_MARK_READ:
      node = rl_json_member (object, "thread");
      if (node != NULL && !JSON_NODE_HOLDS_NULL (node) &&
          !rl_json_read_uuid (object, "thread", &request->thread_id, error))
        return FALSE;
      node = rl_json_member (object, "seq");
      if (!rl_json_holds (node, G_TYPE_INT64) || json_node_get_int (node) < 0)
        return rl_json_fail (error, "“seq” must be a non-negative integer");
      request->seq = json_node_get_int (node);
      return TRUE;

    case RL_REQUEST_UNSUBSCRIBE:
      return TRUE;

    case RL_REQUEST_CREATE_THREAD:
      {
        JsonObject *thread = rl_json_object_of (rl_json_member (object, "thread"));

        if (thread == NULL)
          return rl_json_fail (error, "“thread” must be an object with id and anchor");
        if (!rl_json_read_uuid (thread, "id", &request->thread_id, error) ||
            !rl_anchor_from_json (rl_json_member (thread, "anchor"), &request->anchor, error) ||
            !read_revision_member (object, request, FALSE, error))
          return FALSE;
        request->has_anchor = TRUE;
        return read_comment_member (object, request, error);
      }

    case RL_REQUEST_ADD_COMMENT:
    case RL_REQUEST_EDIT_COMMENT:
      return rl_json_read_uuid (object, "thread", &request->thread_id, error) &&
             read_comment_member (object, request, error);

    case RL_REQUEST_DELETE_COMMENT:
      return rl_json_read_uuid (object, "thread", &request->thread_id, error) &&
             rl_json_read_uuid (object, "comment", &request->comment_id, error);

    case RL_REQUEST_RESOLVE_THREAD:
      if (!rl_json_read_uuid (object, "thread", &request->thread_id, error))
        return FALSE;
      node = rl_json_member (object, "resolved");
      if (!rl_json_holds (node, G_TYPE_BOOLEAN))
        return rl_json_fail (error, "“resolved” must be a boolean");
      request->resolved = json_node_get_boolean (node);
      return TRUE;

    case RL_REQUEST_MOVE_THREAD:
      if (!rl_json_read_uuid (object, "thread", &request->thread_id, error) ||
          !rl_anchor_from_json (rl_json_member (object, "anchor"), &request->anchor, error) ||
          !read_revision_member (object, request, FALSE, error))
        return FALSE;
      request->has_anchor = TRUE;
      return TRUE;

    case RL_REQUEST_PLACE_THREAD:
      if (!rl_json_read_uuid (object, "thread", &request->thread_id, error) ||
          !read_revision_member (object, request, TRUE, error))
        return FALSE;
      node = rl_json_member (object, "anchor");
      if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
        {
          if (!rl_anchor_from_json (node, &request->anchor, error))
            return FALSE;
          request->has_anchor = TRUE;
        }
      return TRUE;

    case RL_REQUEST_DELETE_THREAD:
      return rl_json_read_uuid (object, "thread", &request->thread_id, error);

    default:
      g_assert_not_reached ();
    }
}

RlRequest *
rl_request_parse (const char *text,
                  gsize       length,
                  char      **req_out,
                  GError    **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(RlRequest) request = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *req, *type;
  const char *type_name;
  int type_index = -1;

  if (req_out)
    *req_out = NULL;

  if (!g_utf8_validate_len (text, length, NULL))
    {
      rl_json_fail (error, "the frame is not valid UTF-8");
      return NULL;
    }
  root = rl_json_parse (text, length, &local_error);
  if (root == NULL)
    {
      rl_json_fail (error, "the frame is not valid JSON: %s", local_error->message);
      return NULL;
    }
  object = rl_json_object_of (root);
  if (object == NULL)
    {
      rl_json_fail (error, "a request must be a JSON object");
      return NULL;
    }

  req = rl_json_member (object, "req");
  if (req != NULL && !JSON_NODE_HOLDS_NULL (req))
    {
      if (!rl_json_holds (req, G_TYPE_STRING) || strlen (json_node_get_string (req)) > RL_REQ_MAX_BYTES ||
          !g_utf8_validate (json_node_get_string (req), -1, NULL))
        {
          rl_json_fail (error, "“req” must be a UTF-8 string of at most %d bytes", RL_REQ_MAX_BYTES);
          return NULL;
        }
      if (req_out)
        *req_out = g_strdup (json_node_get_string (req));
    }

  type = rl_json_member (object, "type");
  if (!rl_json_holds (type, G_TYPE_STRING))
    {
      rl_json_fail (error, "“type” must be a string");
      return NULL;
    }
  type_name = json_node_get_string (type);
  for (guint i = 0; i < G_N_ELEMENTS (request_names); i++)
    if (g_str_equal (type_name, request_names[i]))
      type_index = (int) i;
  if (type_index < 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_UNKNOWN_TYPE, "unknown request type");
      return NULL;
    }

  request = rl_request_new ((RlRequestType) type_index);
  if (req != NULL && rl_json_holds (req, G_TYPE_STRING))
    request->req = g_strdup (json_node_get_string (req));
  if (!parse_request_fields (object, request, error))
    return NULL;

  return g_steal_pointer (&request);
}

static void
add_comment_member (JsonBuilder     *builder,
                    const RlRequest *request)
{
  json_builder_set_member_name (builder, "comment");
  json_builder_begin_object (builder);
  rl_json_add_string (builder, "id", request->comment_id);
  rl_json_add_string (builder, "body", request->body);
  rl_json_build_mentions (builder, request->mentions);
  json_builder_end_object (builder);
}

char *
rl_request_serialize (const RlRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_string (builder, "type", rl_request_type_to_string (request->type));
  if (request->req)
    rl_json_add_string (builder, "req", request->req);
  if (request->broadcast_id)
    rl_json_add_string (builder, "broadcastId", request->broadcast_id);
  if (request->type != RL_REQUEST_SUBSCRIBE_ACTIVITY && request->type != RL_REQUEST_UNSUBSCRIBE_ACTIVITY)
    rl_json_add_string (builder, "doc", request->doc);

  switch (request->type)
    {
    case RL_REQUEST_SUBSCRIBE:
    case RL_REQUEST_SUBSCRIBE_ACTIVITY:
      if (request->has_since)
        rl_json_add_int (builder, "since", request->since);
      break;
    case RL_REQUEST_UNSUBSCRIBE_ACTIVITY:
      break;
    case RL_REQUEST_MARK_READ:
      if (request->thread_id)
        rl_json_add_string (builder, "thread", request->thread_id);
      rl_json_add_int (builder, "seq", request->seq);
      break;
    case RL_REQUEST_UNSUBSCRIBE:
      break;
    case RL_REQUEST_CREATE_THREAD:
      json_builder_set_member_name (builder, "thread");
      json_builder_begin_object (builder);
      rl_json_add_string (builder, "id", request->thread_id);
      rl_json_add_node (builder, "anchor", rl_anchor_to_json (&request->anchor));
      json_builder_end_object (builder);
      add_comment_member (builder, request);
      if (request->revision > 0)
        rl_json_add_int (builder, "revision", request->revision);
      break;
    case RL_REQUEST_ADD_COMMENT:
    case RL_REQUEST_EDIT_COMMENT:
      rl_json_add_string (builder, "thread", request->thread_id);
      add_comment_member (builder, request);
      break;
    case RL_REQUEST_DELETE_COMMENT:
      rl_json_add_string (builder, "thread", request->thread_id);
      rl_json_add_string (builder, "comment", request->comment_id);
      break;
    case RL_REQUEST_RESOLVE_THREAD:
      rl_json_add_string (builder, "thread", request->thread_id);
      json_builder_set_member_name (builder, "resolved");
      json_builder_add_boolean_value (builder, request->resolved);
      break;
    case RL_REQUEST_MOVE_THREAD:
    case RL_REQUEST_PLACE_THREAD:
      rl_json_add_string (builder, "thread", request->thread_id);
      if (request->has_anchor)
        rl_json_add_node (builder, "anchor", rl_anchor_to_json (&request->anchor));
      if (request->revision > 0)
        rl_json_add_int (builder, "revision", request->revision);
      break;
    case RL_REQUEST_DELETE_THREAD:
      rl_json_add_string (builder, "thread", request->thread_id);
      break;
    default:
      g_assert_not_reached ();
    }

  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}
