/* rl-codec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-codec.h"

#include <math.h>
#include <string.h>

#include "rl-limits.h"
#include "rl-time.h"
#include "rl-uuid.h"

static const char *request_names[] = {
  "subscribe", "unsubscribe", "create-thread", "add-comment", "edit-comment",
  "delete-comment", "resolve-thread", "move-thread", "delete-thread",
};

static const char *change_names[] = {
  NULL, "comment-added", "comment-edited", "comment-deleted", "resolved", "moved",
};

/* [event kind][doc kind] — PROTOCOL.md §4 */
static const char *event_names[3][2] = {
  { "new-image-chat", "new-text-chat" },
  { "image-chat-updated", "updated-text-chat" },
  { "deleted-image-chat", "deleted-text-chat" },
};

/* ---- reading JSON -------------------------------------------------------- */

static gboolean G_GNUC_PRINTF (2, 3)
fail (GError    **error,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (RL_ERROR, RL_ERROR_BAD_REQUEST, format, args));
  va_end (args);
  return FALSE;
}

/* json-glib quotes the token it stopped at in its messages, as it was: bytes
 * that need not be UTF-8, and the message goes back in an ack. */
static gboolean
fail_json (GError       **error,
           const GError  *json_error)
{
  g_autofree char *message = g_utf8_make_valid (json_error->message, -1);

  return fail (error, "%s", message);
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object ? json_object_get_member (object, name) : NULL;
}

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
holds_number (JsonNode *node)
{
  return holds (node, G_TYPE_INT64) || holds (node, G_TYPE_DOUBLE);
}

static JsonObject *
object_of (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* A required string member. */
static gboolean
read_string (JsonObject  *object,
             const char  *name,
             const char **out,
             GError     **error)
{
  JsonNode *node = member (object, name);

  *out = NULL;
  if (!holds (node, G_TYPE_STRING))
    return fail (error, "“%s” must be a string", name);
  *out = json_node_get_string (node);
  if (*out == NULL)
    return fail (error, "“%s” must be a string", name);
  /* json-glib reads a lone surrogate escape ("\ud800") as the surrogate's
   * bytes, which are not UTF-8: no frame may carry them on. */
  if (!g_utf8_validate (*out, -1, NULL))
    {
      *out = NULL;
      return fail (error, "“%s” must be valid UTF-8", name);
    }
  return TRUE;
}

static gboolean
read_optional_string (JsonObject  *object,
                      const char  *name,
                      const char **out,
                      GError     **error)
{
  JsonNode *node = member (object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  return read_string (object, name, out, error);
}

static gboolean
read_uuid (JsonObject  *object,
           const char  *name,
           char       **out,
           GError     **error)
{
  const char *str;

  if (!read_string (object, name, &str, error))
    return FALSE;
  if (!rl_uuid_is_valid (str))
    return fail (error, "“%s” must be a lower-case UUID", name);
  *out = g_strdup (str);
  return TRUE;
}

static gboolean
read_doc_id (JsonObject  *object,
             char       **out,
             GError     **error)
{
  const char *str;

  if (!read_string (object, "doc", &str, error))
    return FALSE;
  if (str == NULL || *str == '\0' || strlen (str) > 64)
    return fail (error, "“doc” is not a document id");
  *out = g_strdup (str);
  return TRUE;
}

static gboolean
read_time (JsonObject *object,
           const char *name,
           gboolean    nullable,
           gint64     *out,
           GError    **error)
{
  JsonNode *node = member (object, name);

  *out = 0;
  if (nullable && (node == NULL || JSON_NODE_HOLDS_NULL (node)))
    return TRUE;
  if (!holds (node, G_TYPE_STRING) || !rl_time_parse (json_node_get_string (node), out))
    return fail (error, "“%s” must be an RFC 3339 time", name);
  return TRUE;
}

/* A thread's optional "number" (of a thread, or of a create-thread's ack).
 * Additive: absent from servers before numbers (0), positive when given. */
static gboolean
read_thread_number (JsonObject *object,
                    gint64     *out,
                    GError    **error)
{
  JsonNode *node = member (object, "number");

  *out = 0;
  if (node == NULL)
    return TRUE;
  if (!holds (node, G_TYPE_INT64) || json_node_get_int (node) < 1)
    return fail (error, "“number” must be a positive integer");
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_person (JsonNode  *node,
             RlPerson  *person,
             GError   **error)
{
  JsonObject *object = object_of (node);
  const char *id, *name;

  if (object == NULL)
    return fail (error, "a person must be an object");
  if (!read_string (object, "id", &id, error) || !read_string (object, "name", &name, error))
    return FALSE;
  person->id = g_strdup (id);
  person->name = g_strdup (name);
  return TRUE;
}

/* Appends each element of an array, read by from_json, to into; what names
 * the array in the error when node is not one. */
typedef gpointer (*ElementFromJson) (JsonNode *node, GError **error);

static gboolean
read_array (JsonNode         *node,
            const char       *what,
            ElementFromJson   from_json,
            GPtrArray        *into,
            GError          **error)
{
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return fail (error, "%s", what);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gpointer element = from_json (json_array_get_element (array, i), error);

      if (element == NULL)
        return FALSE;
      g_ptr_array_add (into, element);
    }
  return TRUE;
}

/* ---- strict JSON --------------------------------------------------------- */

/* Our messages nest five levels deep; json-glib recurses once per level. */
#define JSON_MAX_DEPTH 32

typedef struct
{
  const char *p;
  const char *end;
  const char *problem;
} JsonScan;

static gboolean
scan_fail (JsonScan   *scan,
           const char *problem)
{
  scan->problem = problem;
  return FALSE;
}

static void
scan_space (JsonScan *scan)
{
  while (scan->p < scan->end && (*scan->p == ' ' || *scan->p == '\t' || *scan->p == '\n' || *scan->p == '\r'))
    scan->p++;
}

static gboolean
scan_literal (JsonScan   *scan,
              const char *word)
{
  gsize len = strlen (word);

  if ((gsize) (scan->end - scan->p) < len || memcmp (scan->p, word, len) != 0)
    return scan_fail (scan, "an unexpected character");
  scan->p += len;
  return TRUE;
}

/* Four hex digits after "\u"; -1 when they are not. */
static int
scan_hex4 (JsonScan *scan)
{
  int value = 0;

  if (scan->end - scan->p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (scan->p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  scan->p += 4;
  return value;
}

static gboolean
scan_string (JsonScan *scan)
{
  scan->p++;
  while (scan->p < scan->end)
    {
      guchar c = (guchar) *scan->p++;
      int unit;

      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return scan_fail (scan, "a control character in a string");
      if (c != '\\')
        continue;
      if (scan->p == scan->end)
        break;
      c = (guchar) *scan->p++;
      if (c != 'u')
        {
          if (memchr ("\"\\/bfnrt", c, 8) == NULL)
            return scan_fail (scan, "an unknown escape");
          continue;
        }
      /* json-glib cuts a string at U+0000 and keeps a lone surrogate as
       * bytes that are not UTF-8: neither is a string C can carry on. */
      unit = scan_hex4 (scan);
      if (unit < 0)
        return scan_fail (scan, "a \\u escape without four hex digits");
      if (unit == 0)
        return scan_fail (scan, "U+0000 in a string");
      if (unit >= 0xDC00 && unit <= 0xDFFF)
        return scan_fail (scan, "a lone surrogate escape");
      if (unit >= 0xD800 && unit <= 0xDBFF)
        {
          if (scan->end - scan->p < 2 || scan->p[0] != '\\' || scan->p[1] != 'u')
            return scan_fail (scan, "a lone surrogate escape");
          scan->p += 2;
          unit = scan_hex4 (scan);
          if (unit < 0xDC00 || unit > 0xDFFF)
            return scan_fail (scan, "a lone surrogate escape");
        }
    }
  return scan_fail (scan, "an unterminated string");
}

static gboolean
scan_digits (JsonScan *scan)
{
  const char *start = scan->p;

  while (scan->p < scan->end && g_ascii_isdigit (*scan->p))
    scan->p++;
  return scan->p > start || scan_fail (scan, "a malformed number");
}

static gboolean
scan_number (JsonScan *scan)
{
  if (scan->p < scan->end && *scan->p == '-')
    scan->p++;
  if (scan->p < scan->end && *scan->p == '0')
    scan->p++;
  else if (!scan_digits (scan))
    return FALSE;
  if (scan->p < scan->end && *scan->p == '.')
    {
      scan->p++;
      if (!scan_digits (scan))
        return FALSE;
    }
  if (scan->p < scan->end && (*scan->p == 'e' || *scan->p == 'E'))
    {
      scan->p++;
      if (scan->p < scan->end && (*scan->p == '+' || *scan->p == '-'))
        scan->p++;
      if (!scan_digits (scan))
        return FALSE;
    }
  return TRUE;
}

static gboolean
scan_value (JsonScan *scan,
            guint     depth)
{
  gboolean object;
  char close;

  scan_space (scan);
  if (scan->p == scan->end)
    return scan_fail (scan, "an unexpected end");
  switch (*scan->p)
    {
    case '"':
      return scan_string (scan);
    case 't':
      return scan_literal (scan, "true");
    case 'f':
      return scan_literal (scan, "false");
    case 'n':
      return scan_literal (scan, "null");
    case '{':
    case '[':
      break;
    default:
      return scan_number (scan);
    }

  object = *scan->p == '{';
  close = object ? '}' : ']';
  if (depth == JSON_MAX_DEPTH)
    return scan_fail (scan, "values nested too deep");
  scan->p++;
  scan_space (scan);
  if (scan->p < scan->end && *scan->p == close)
    {
      scan->p++;
      return TRUE;
    }
  for (;;)
    {
      if (object)
        {
          scan_space (scan);
          if (scan->p == scan->end || *scan->p != '"')
            return scan_fail (scan, "a member without a name");
          if (!scan_string (scan))
            return FALSE;
          scan_space (scan);
          if (scan->p == scan->end || *scan->p != ':')
            return scan_fail (scan, "a member name without “:”");
          scan->p++;
        }
      if (!scan_value (scan, depth + 1))
        return FALSE;
      scan_space (scan);
      if (scan->p == scan->end)
        return scan_fail (scan, "an unexpected end");
      if (*scan->p == close)
        {
          scan->p++;
          return TRUE;
        }
      if (*scan->p != ',')
        return scan_fail (scan, "a missing “,”");
      scan->p++;
    }
}

JsonNode *
rl_json_parse (const char  *text,
               gsize        length,
               GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonScan scan = { text, text + length, NULL };

  if (!g_utf8_validate_len (text, length, NULL))
    {
      fail (error, "not UTF-8");
      return NULL;
    }
  /* json-glib 1.6 reads more than JSON: single quotes, comments, hex
   * numbers, and values one after another, of which it keeps the first and
   * leaks the others. Only one strict value gets to it. */
  if (!scan_value (&scan, 0))
    {
      fail (error, "%s at byte %td", scan.problem, scan.p - text);
      return NULL;
    }
  scan_space (&scan);
  if (scan.p != scan.end)
    {
      fail (error, "more after the value at byte %td", scan.p - text);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, &local_error))
    {
      fail_json (error, local_error);
      return NULL;
    }
  return json_parser_steal_root (parser);
}

/* ---- writing JSON -------------------------------------------------------- */

char *
rl_json_to_string (JsonNode *node,
                   gsize    *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, length);
}

static char *
builder_to_string (JsonBuilder *builder,
                   gsize       *length)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return rl_json_to_string (root, length);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          gint64       ms,
          gboolean     nullable)
{
  json_builder_set_member_name (builder, name);
  if (nullable && ms == 0)
    json_builder_add_null_value (builder);
  else
    {
      g_autofree char *str = rl_time_format (ms);
      json_builder_add_string_value (builder, str);
    }
}

static void
add_person (JsonBuilder    *builder,
            const char     *name,
            const RlPerson *person)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  add_string (builder, "id", person->id);
  add_string (builder, "name", person->name);
  json_builder_end_object (builder);
}

static void
add_node (JsonBuilder *builder,
          const char  *name,
          JsonNode    *node)
{
  if (name)
    json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, node);
}

/* ---- anchors, comments, threads, documents ------------------------------- */

/* json-glib 1.6 adds ".0" to a double written without a point, exponent or
 * not: 2e-08 became "2e-08.0", which no parser reads (its own included).
 * Such a value is moved by the least step that gives it a point. */
static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  while (isfinite (value) && strpbrk (g_ascii_dtostr (buffer, sizeof buffer, value), "eE") != NULL &&
         strchr (buffer, '.') == NULL)
    value = nextafter (value, value < 1.0 ? 1.0 : 0.0);
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

JsonNode *
rl_anchor_to_json (const RlAnchor *anchor)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (anchor->kind == RL_DOC_KIND_IMAGE)
    {
      add_double (builder, "x", anchor->x);
      add_double (builder, "y", anchor->y);
    }
  else
    {
      add_int (builder, "start", anchor->start);
      add_int (builder, "end", anchor->end);
      add_string (builder, "exact", anchor->exact ? anchor->exact : "");
      add_string (builder, "prefix", anchor->prefix ? anchor->prefix : "");
      add_string (builder, "suffix", anchor->suffix ? anchor->suffix : "");
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
context_is_valid (const char *str)
{
  return str == NULL || g_utf8_strlen (str, -1) <= RL_CONTEXT_MAX_CHARS;
}

gboolean
rl_anchor_from_json (JsonNode  *node,
                     RlAnchor  *anchor,
                     GError   **error)
{
  JsonObject *object = object_of (node);
  gboolean image, page;

  memset (anchor, 0, sizeof *anchor);
  if (object == NULL)
    return fail (error, "“anchor” must be an object");

  image = json_object_has_member (object, "x") || json_object_has_member (object, "y");
  page = json_object_has_member (object, "start") || json_object_has_member (object, "end") ||
         json_object_has_member (object, "exact");
  if (image == page)
    return fail (error, "“anchor” must have either x and y or start, end and exact");

  if (image)
    {
      JsonNode *x = member (object, "x"), *y = member (object, "y");

      if (!holds_number (x) || !holds_number (y))
        return fail (error, "anchor “x” and “y” must be numbers");
      anchor->kind = RL_DOC_KIND_IMAGE;
      anchor->x = json_node_get_double (x);
      anchor->y = json_node_get_double (y);
      if (!isfinite (anchor->x) || !isfinite (anchor->y) ||
          anchor->x < 0 || anchor->x > 1 || anchor->y < 0 || anchor->y > 1)
        return fail (error, "anchor “x” and “y” must be between 0 and 1");
    }
  else
    {
      JsonNode *start = member (object, "start"), *end = member (object, "end");
      const char *exact, *prefix, *suffix;

      if (!holds (start, G_TYPE_INT64) || !holds (end, G_TYPE_INT64))
        return fail (error, "anchor “start” and “end” must be integers");
      if (!read_string (object, "exact", &exact, error) ||
          !read_optional_string (object, "prefix", &prefix, error) ||
          !read_optional_string (object, "suffix", &suffix, error))
        return FALSE;

      anchor->kind = RL_DOC_KIND_PAGE;
      anchor->start = json_node_get_int (start);
      anchor->end = json_node_get_int (end);
      if (anchor->start < 0 || anchor->end <= anchor->start)
        return fail (error, "anchor must have 0 ≤ start < end");
      if ((gint64) g_utf8_strlen (exact, -1) != anchor->end - anchor->start)
        return fail (error, "anchor “exact” must be end − start code points long");
      if (!context_is_valid (prefix) || !context_is_valid (suffix))
        return fail (error, "anchor “prefix” and “suffix” are at most %d code points",
                     RL_CONTEXT_MAX_CHARS);
      anchor->exact = g_strdup (exact);
      anchor->prefix = g_strdup (prefix ? prefix : "");
      anchor->suffix = g_strdup (suffix ? suffix : "");
    }

  return TRUE;
}

static void
build_comment (JsonBuilder     *builder,
               const RlComment *comment)
{
  json_builder_begin_object (builder);
  add_string (builder, "id", comment->id);
  add_string (builder, "thread", comment->thread);
  add_person (builder, "author", &comment->author);
  add_string (builder, "body", comment->body);
  add_time (builder, "createdAt", comment->created_at, FALSE);
  add_time (builder, "editedAt", comment->edited_at, TRUE);
  json_builder_end_object (builder);
}

JsonNode *
rl_comment_to_json (const RlComment *comment)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  build_comment (builder, comment);
  return json_builder_get_root (builder);
}

RlComment *
rl_comment_from_json (JsonNode  *node,
                      GError   **error)
{
  JsonObject *object = object_of (node);
  g_autoptr(RlComment) comment = rl_comment_new ();
  const char *id, *thread, *body;

  if (object == NULL)
    {
      fail (error, "a comment must be an object");
      return NULL;
    }
  if (!read_string (object, "id", &id, error) ||
      !read_string (object, "thread", &thread, error) ||
      !read_string (object, "body", &body, error) ||
      !read_person (member (object, "author"), &comment->author, error) ||
      !read_time (object, "createdAt", FALSE, &comment->created_at, error) ||
      !read_time (object, "editedAt", TRUE, &comment->edited_at, error))
    return NULL;
  comment->id = g_strdup (id);
  comment->thread = g_strdup (thread);
  comment->body = g_strdup (body);
  return g_steal_pointer (&comment);
}

static void
build_thread (JsonBuilder    *builder,
              const RlThread *thread)
{
  json_builder_begin_object (builder);
  add_string (builder, "id", thread->id);
  add_string (builder, "doc", thread->doc);
  if (thread->number > 0)
    add_int (builder, "number", thread->number);
  add_node (builder, "anchor", rl_anchor_to_json (&thread->anchor));
  json_builder_set_member_name (builder, "resolved");
  json_builder_add_boolean_value (builder, thread->resolved);
  add_person (builder, "createdBy", &thread->created_by);
  add_time (builder, "createdAt", thread->created_at, FALSE);
  add_time (builder, "updatedAt", thread->updated_at, FALSE);
  json_builder_set_member_name (builder, "comments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < thread->comments->len; i++)
    build_comment (builder, g_ptr_array_index (thread->comments, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

JsonNode *
rl_thread_to_json (const RlThread *thread)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  build_thread (builder, thread);
  return json_builder_get_root (builder);
}

RlThread *
rl_thread_from_json (JsonNode  *node,
                     GError   **error)
{
  JsonObject *object = object_of (node);
  g_autoptr(RlThread) thread = rl_thread_new ();
  JsonNode *comments, *resolved;
  const char *id, *doc;

  if (object == NULL)
    {
      fail (error, "a thread must be an object");
      return NULL;
    }
  resolved = member (object, "resolved");
  comments = member (object, "comments");
  if (!read_string (object, "id", &id, error) ||
      !read_string (object, "doc", &doc, error) ||
      !rl_anchor_from_json (member (object, "anchor"), &thread->anchor, error) ||
      !read_person (member (object, "createdBy"), &thread->created_by, error) ||
      !read_time (object, "createdAt", FALSE, &thread->created_at, error) ||
      !read_time (object, "updatedAt", FALSE, &thread->updated_at, error))
    return NULL;
  if (!holds (resolved, G_TYPE_BOOLEAN))
    {
      fail (error, "“resolved” must be a boolean");
      return NULL;
    }
  if (!read_thread_number (object, &thread->number, error))
    return NULL;
  if (!read_array (comments, "“comments” must be an array", (ElementFromJson) rl_comment_from_json,
                   thread->comments, error))
    return NULL;
  thread->id = g_strdup (id);
  thread->doc = g_strdup (doc);
  thread->resolved = json_node_get_boolean (resolved);
  return g_steal_pointer (&thread);
}

JsonNode *
rl_document_to_json (const RlDocument *doc)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "id", doc->id);
  add_string (builder, "kind", rl_doc_kind_to_string (doc->kind));
  add_string (builder, "title", doc->title);
  add_string (builder, "mime", doc->mime);
  add_int (builder, "size", doc->size);
  if (doc->kind == RL_DOC_KIND_IMAGE)
    {
      add_int (builder, "width", doc->width);
      add_int (builder, "height", doc->height);
    }
  add_time (builder, "createdAt", doc->created_at, FALSE);
  add_person (builder, "createdBy", &doc->created_by);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

RlDocument *
rl_document_from_json (JsonNode  *node,
                       GError   **error)
{
  JsonObject *object = object_of (node);
  g_autoptr(RlDocument) doc = g_new0 (RlDocument, 1);
  const char *id, *kind, *title, *mime;
  JsonNode *size;

  if (object == NULL)
    {
      fail (error, "a document must be an object");
      return NULL;
    }
  size = member (object, "size");
  if (!read_string (object, "id", &id, error) ||
      !read_string (object, "kind", &kind, error) ||
      !read_string (object, "title", &title, error) ||
      !read_string (object, "mime", &mime, error) ||
      !read_time (object, "createdAt", FALSE, &doc->created_at, error) ||
      !read_person (member (object, "createdBy"), &doc->created_by, error))
    return NULL;
  if (!rl_doc_kind_from_string (kind, &doc->kind) || !holds (size, G_TYPE_INT64))
    {
      fail (error, "malformed document");
      return NULL;
    }
  doc->id = g_strdup (id);
  doc->title = g_strdup (title);
  doc->mime = g_strdup (mime);
  doc->size = json_node_get_int (size);
  if (doc->kind == RL_DOC_KIND_IMAGE)
    {
      JsonNode *w = member (object, "width"), *h = member (object, "height");

      if (!holds (w, G_TYPE_INT64) || !holds (h, G_TYPE_INT64))
        {
          fail (error, "an image document must have width and height");
          return NULL;
        }
      doc->width = (int) json_node_get_int (w);
      doc->height = (int) json_node_get_int (h);
    }
  return g_steal_pointer (&doc);
}

GPtrArray *
rl_documents_from_json (JsonNode  *node,
                        GError   **error)
{
  g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_document_free);

  if (!read_array (node, "a document list must be an array", (ElementFromJson) rl_document_from_json,
                   docs, error))
    return NULL;
  return g_steal_pointer (&docs);
}

gboolean
rl_codec_error_from_body (const char  *text,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *inner;
  const char *code, *message;
  RlErrorCode value;

  if (text == NULL || (root = rl_json_parse (text, length, NULL)) == NULL)
    return FALSE;
  object = object_of (root);
  inner = object_of (member (object, "error"));
  if (inner == NULL || !holds (member (inner, "code"), G_TYPE_STRING))
    return FALSE;
  code = json_object_get_string_member (inner, "code");
  message = holds (member (inner, "message"), G_TYPE_STRING)
              ? json_object_get_string_member (inner, "message") : code;
  if (!rl_error_code_from_string (code, &value))
    value = RL_ERROR_INTERNAL;
  g_set_error_literal (error, RL_ERROR, value, message);
  return TRUE;
}

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
  g_free (request);
}

const char *
rl_request_type_to_string (RlRequestType type)
{
  g_return_val_if_fail (type <= RL_REQUEST_DELETE_THREAD, "subscribe");
  return request_names[type];
}

gboolean
rl_request_type_is_mutation (RlRequestType type)
{
  return type >= RL_REQUEST_CREATE_THREAD;
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

/* A `comment` member holding {id, body}. */
static gboolean
read_comment_member (JsonObject *object,
                     RlRequest  *request,
                     GError    **error)
{
  JsonObject *comment = object_of (member (object, "comment"));
  const char *body;

  if (comment == NULL)
    return fail (error, "“comment” must be an object with id and body");
  if (!read_uuid (comment, "id", &request->comment_id, error) ||
      !read_string (comment, "body", &body, error))
    return FALSE;
  request->body = rl_body_normalize (body);
  if (request->body == NULL)
    return fail (error, "a comment’s body must be 1–%d characters after trimming",
                 RL_BODY_MAX_CHARS);
  return TRUE;
}

static gboolean
parse_request_fields (JsonObject *object,
                      RlRequest  *request,
                      GError    **error)
{
  JsonNode *node;

  if (!read_doc_id (object, &request->doc, error))
    return FALSE;

  if (rl_request_type_is_mutation (request->type))
    {
      const char *broadcast_id;

      if (!read_string (object, "broadcastId", &broadcast_id, error))
        return FALSE;
      /* Lenient on case here: it is echoed, never stored as an id. */
      if (strlen (broadcast_id) != 36 || !g_uuid_string_is_valid (broadcast_id))
        return fail (error, "“broadcastId” must be a UUID");
      request->broadcast_id = g_strdup (broadcast_id);
    }

  switch (request->type)
    {
    case RL_REQUEST_SUBSCRIBE:
      node = member (object, "since");
      if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
        {
          if (!holds (node, G_TYPE_INT64) || json_node_get_int (node) < 0)
            return fail (error, "“since” must be a non-negative integer");
          request->has_since = TRUE;
          request->since = json_node_get_int (node);
        }
      return TRUE;

    case RL_REQUEST_UNSUBSCRIBE:
      return TRUE;

    case RL_REQUEST_CREATE_THREAD:
      {
        JsonObject *thread = object_of (member (object, "thread"));

        if (thread == NULL)
          return fail (error, "“thread” must be an object with id and anchor");
        if (!read_uuid (thread, "id", &request->thread_id, error) ||
            !rl_anchor_from_json (member (thread, "anchor"), &request->anchor, error))
          return FALSE;
        request->has_anchor = TRUE;
        return read_comment_member (object, request, error);
      }

    case RL_REQUEST_ADD_COMMENT:
    case RL_REQUEST_EDIT_COMMENT:
      return read_uuid (object, "thread", &request->thread_id, error) &&
             read_comment_member (object, request, error);

    case RL_REQUEST_DELETE_COMMENT:
      return read_uuid (object, "thread", &request->thread_id, error) &&
             read_uuid (object, "comment", &request->comment_id, error);

    case RL_REQUEST_RESOLVE_THREAD:
      if (!read_uuid (object, "thread", &request->thread_id, error))
        return FALSE;
      node = member (object, "resolved");
      if (!holds (node, G_TYPE_BOOLEAN))
        return fail (error, "“resolved” must be a boolean");
      request->resolved = json_node_get_boolean (node);
      return TRUE;

    case RL_REQUEST_MOVE_THREAD:
      if (!read_uuid (object, "thread", &request->thread_id, error) ||
          !rl_anchor_from_json (member (object, "anchor"), &request->anchor, error))
        return FALSE;
      request->has_anchor = TRUE;
      return TRUE;

    case RL_REQUEST_DELETE_THREAD:
      return read_uuid (object, "thread", &request->thread_id, error);

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
      fail (error, "the frame is not valid UTF-8");
      return NULL;
    }
  root = rl_json_parse (text, length, &local_error);
  if (root == NULL)
    {
      fail (error, "the frame is not valid JSON: %s", local_error->message);
      return NULL;
    }
  object = object_of (root);
  if (object == NULL)
    {
      fail (error, "a request must be a JSON object");
      return NULL;
    }

  req = member (object, "req");
  if (req != NULL && !JSON_NODE_HOLDS_NULL (req))
    {
      if (!holds (req, G_TYPE_STRING) || strlen (json_node_get_string (req)) > RL_REQ_MAX_BYTES ||
          !g_utf8_validate (json_node_get_string (req), -1, NULL))
        {
          fail (error, "“req” must be a UTF-8 string of at most %d bytes", RL_REQ_MAX_BYTES);
          return NULL;
        }
      if (req_out)
        *req_out = g_strdup (json_node_get_string (req));
    }

  type = member (object, "type");
  if (!holds (type, G_TYPE_STRING))
    {
      fail (error, "“type” must be a string");
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
  if (req != NULL && holds (req, G_TYPE_STRING))
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
  add_string (builder, "id", request->comment_id);
  add_string (builder, "body", request->body);
  json_builder_end_object (builder);
}

char *
rl_request_serialize (const RlRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "type", rl_request_type_to_string (request->type));
  if (request->req)
    add_string (builder, "req", request->req);
  if (request->broadcast_id)
    add_string (builder, "broadcastId", request->broadcast_id);
  add_string (builder, "doc", request->doc);

  switch (request->type)
    {
    case RL_REQUEST_SUBSCRIBE:
      if (request->has_since)
        add_int (builder, "since", request->since);
      break;
    case RL_REQUEST_UNSUBSCRIBE:
      break;
    case RL_REQUEST_CREATE_THREAD:
      json_builder_set_member_name (builder, "thread");
      json_builder_begin_object (builder);
      add_string (builder, "id", request->thread_id);
      add_node (builder, "anchor", rl_anchor_to_json (&request->anchor));
      json_builder_end_object (builder);
      add_comment_member (builder, request);
      break;
    case RL_REQUEST_ADD_COMMENT:
    case RL_REQUEST_EDIT_COMMENT:
      add_string (builder, "thread", request->thread_id);
      add_comment_member (builder, request);
      break;
    case RL_REQUEST_DELETE_COMMENT:
      add_string (builder, "thread", request->thread_id);
      add_string (builder, "comment", request->comment_id);
      break;
    case RL_REQUEST_RESOLVE_THREAD:
      add_string (builder, "thread", request->thread_id);
      json_builder_set_member_name (builder, "resolved");
      json_builder_add_boolean_value (builder, request->resolved);
      break;
    case RL_REQUEST_MOVE_THREAD:
      add_string (builder, "thread", request->thread_id);
      add_node (builder, "anchor", rl_anchor_to_json (&request->anchor));
      break;
    case RL_REQUEST_DELETE_THREAD:
      add_string (builder, "thread", request->thread_id);
      break;
    default:
      g_assert_not_reached ();
    }

  json_builder_end_object (builder);
  return builder_to_string (builder, NULL);
}

/* ---- events -------------------------------------------------------------- */

RlEvent *
rl_event_new (RlEventKind kind,
              RlDocKind   doc_kind)
{
  RlEvent *event = g_new0 (RlEvent, 1);

  event->kind = kind;
  event->doc_kind = doc_kind;
  return event;
}

void
rl_event_free (RlEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->doc);
  g_free (event->broadcast_id);
  g_clear_pointer (&event->thread, rl_thread_unref);
  g_free (event->thread_id);
  g_clear_pointer (&event->comment, rl_comment_free);
  g_free (event->comment_id);
  rl_person_clear (&event->by);
  rl_anchor_clear (&event->anchor);
  g_free (event);
}

const char *
rl_event_type_name (RlEventKind kind,
                    RlDocKind   doc_kind)
{
  g_return_val_if_fail (kind <= RL_EVENT_DELETED && doc_kind <= RL_DOC_KIND_PAGE, NULL);
  return event_names[kind][doc_kind];
}

char *
rl_event_serialize (const RlEvent *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "type", rl_event_type_name (event->kind, event->doc_kind));
  add_string (builder, "doc", event->doc);
  add_int (builder, "seq", event->seq);
  add_string (builder, "broadcastId", event->broadcast_id);

  switch (event->kind)
    {
    case RL_EVENT_CREATED:
      json_builder_set_member_name (builder, "thread");
      build_thread (builder, event->thread);
      break;

    case RL_EVENT_UPDATED:
      add_string (builder, "thread", event->thread_id);
      json_builder_set_member_name (builder, "change");
      json_builder_begin_object (builder);
      add_string (builder, "kind", change_names[event->change]);
      switch (event->change)
        {
        case RL_CHANGE_COMMENT_ADDED:
        case RL_CHANGE_COMMENT_EDITED:
          json_builder_set_member_name (builder, "comment");
          build_comment (builder, event->comment);
          break;
        case RL_CHANGE_COMMENT_DELETED:
          add_string (builder, "comment", event->comment_id);
          break;
        case RL_CHANGE_RESOLVED:
          json_builder_set_member_name (builder, "resolved");
          json_builder_add_boolean_value (builder, event->resolved);
          add_person (builder, "by", &event->by);
          break;
        case RL_CHANGE_MOVED:
          add_node (builder, "anchor", rl_anchor_to_json (&event->anchor));
          break;
        case RL_CHANGE_NONE:
        default:
          g_assert_not_reached ();
        }
      json_builder_end_object (builder);
      break;

    case RL_EVENT_DELETED:
      add_string (builder, "thread", event->thread_id);
      break;

    default:
      g_assert_not_reached ();
    }

  json_builder_end_object (builder);
  return builder_to_string (builder, NULL);
}

guint
rl_event_find_thread (GPtrArray  *threads,
                      const char *id,
                      gboolean   *found)
{
  for (guint i = 0; i < threads->len; i++)
    {
      RlThread *thread = g_ptr_array_index (threads, i);

      if (g_str_equal (thread->id, id))
        {
          *found = TRUE;
          return i;
        }
    }
  *found = FALSE;
  return 0;
}

gboolean
rl_event_apply (const RlEvent *event,
                GPtrArray     *threads)
{
  gboolean found;
  guint index = rl_event_find_thread (threads, event->thread_id, &found);
  RlThread *thread;

  if (event->kind == RL_EVENT_CREATED)
    {
      if (found)
        return FALSE;
      g_ptr_array_add (threads, rl_thread_copy (event->thread));
      return TRUE;
    }
  if (!found)
    return FALSE;
  if (event->kind == RL_EVENT_DELETED)
    {
      g_ptr_array_remove_index (threads, index);
      return TRUE;
    }

  thread = g_ptr_array_index (threads, index);
  switch (event->change)
    {
    case RL_CHANGE_COMMENT_ADDED:
      if (rl_thread_find_comment (thread, event->comment->id, NULL))
        return FALSE;
      g_ptr_array_add (thread->comments, rl_comment_copy (event->comment));
      return TRUE;
    case RL_CHANGE_COMMENT_EDITED:
      {
        guint i;

        if (!rl_thread_find_comment (thread, event->comment->id, &i))
          return FALSE;
        rl_comment_free (g_ptr_array_index (thread->comments, i));
        g_ptr_array_index (thread->comments, i) = rl_comment_copy (event->comment);
        return TRUE;
      }
    case RL_CHANGE_COMMENT_DELETED:
      {
        guint i;

        if (!rl_thread_find_comment (thread, event->comment_id, &i))
          return FALSE;
        g_ptr_array_remove_index (thread->comments, i);
        return TRUE;
      }
    case RL_CHANGE_RESOLVED:
      thread->resolved = event->resolved;
      return TRUE;
    case RL_CHANGE_MOVED:
      rl_anchor_clear (&thread->anchor);
      rl_anchor_copy_into (&thread->anchor, &event->anchor);
      return TRUE;
    case RL_CHANGE_NONE:
    default:
      return FALSE;
    }
}

/* ---- server → client ----------------------------------------------------- */

char *
rl_codec_welcome (const char     *tenant,
                  const RlPerson *user,
                  RlRole          role,
                  const char     *connection,
                  gint64          server_time)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "type", "welcome");
  add_int (builder, "protocol", RL_PROTOCOL_VERSION);
  add_string (builder, "tenant", tenant);
  json_builder_set_member_name (builder, "user");
  json_builder_begin_object (builder);
  add_string (builder, "id", user->id);
  add_string (builder, "name", user->name);
  add_string (builder, "role", rl_role_to_string (role));
  json_builder_end_object (builder);
  add_string (builder, "connection", connection);
  add_time (builder, "serverTime", server_time, FALSE);
  json_builder_end_object (builder);
  return builder_to_string (builder, NULL);
}

char *
rl_codec_ack_ok (const char *req,
                 gint64      seq,
                 gint64      number)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "type", "ack");
  add_string (builder, "req", req);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, TRUE);
  if (seq >= 0)
    add_int (builder, "seq", seq);
  if (number > 0)
    add_int (builder, "number", number);
  json_builder_end_object (builder);
  return builder_to_string (builder, NULL);
}

static void
build_error (JsonBuilder *builder,
             RlErrorCode  code,
             const char  *message)
{
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  add_string (builder, "code", rl_error_code_to_string (code));
  add_string (builder, "message", message ? message : "");
  json_builder_end_object (builder);
}

char *
rl_codec_ack_error (const char  *req,
                    RlErrorCode  code,
                    const char  *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "type", "ack");
  add_string (builder, "req", req);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, FALSE);
  build_error (builder, code, message);
  json_builder_end_object (builder);
  return builder_to_string (builder, NULL);
}

char *
rl_codec_error_body (RlErrorCode  code,
                     const char  *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  build_error (builder, code, message);
  json_builder_end_object (builder);
  return builder_to_string (builder, NULL);
}

static void
build_threads (JsonBuilder *builder,
               GPtrArray   *threads)
{
  json_builder_set_member_name (builder, "threads");
  json_builder_begin_array (builder);
  for (guint i = 0; threads != NULL && i < threads->len; i++)
    build_thread (builder, g_ptr_array_index (threads, i));
  json_builder_end_array (builder);
}

char *
rl_codec_snapshot (const char *doc,
                   gint64      seq,
                   GPtrArray  *threads,
                   gboolean    reset)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "type", "snapshot");
  add_string (builder, "doc", doc);
  add_int (builder, "seq", seq);
  if (reset)
    {
      json_builder_set_member_name (builder, "reset");
      json_builder_add_boolean_value (builder, TRUE);
    }
  build_threads (builder, threads);
  json_builder_end_object (builder);
  return builder_to_string (builder, NULL);
}

JsonNode *
rl_threads_body_to_json (gint64     seq,
                         GPtrArray *threads)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_int (builder, "seq", seq);
  build_threads (builder, threads);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

char *
rl_codec_threads_body (gint64     seq,
                       GPtrArray *threads)
{
  g_autoptr(JsonNode) root = rl_threads_body_to_json (seq, threads);

  return rl_json_to_string (root, NULL);
}

char *
rl_codec_presence (const char *doc,
                   guint       count,
                   guint       connections,
                   GPtrArray  *users)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "type", "presence");
  add_string (builder, "doc", doc);
  add_int (builder, "count", count);
  add_int (builder, "connections", connections);
  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      const RlPerson *user = g_ptr_array_index (users, i);

      json_builder_begin_object (builder);
      add_string (builder, "id", user->id);
      add_string (builder, "name", user->name);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return builder_to_string (builder, NULL);
}

char *
rl_codec_batch (const char * const *events,
                guint               n_events,
                gsize              *length)
{
  static const char head[] = "{\"type\":\"batch\",\"events\":[";
  gsize total = sizeof head + 2;
  GString *out;

  /* The events are already serialized: splice them, never re-encode. */
  for (guint i = 0; i < n_events; i++)
    total += strlen (events[i]) + 1;
  out = g_string_sized_new (total);
  g_string_append_len (out, head, sizeof head - 1);
  for (guint i = 0; i < n_events; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, events[i]);
    }
  g_string_append (out, "]}");
  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

/* ---- parsing what the server sends ---------------------------------------- */

void
rl_message_free (RlMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->tenant);
  rl_person_clear (&message->user);
  g_free (message->connection);
  g_free (message->req);
  g_free (message->error_message);
  g_free (message->doc);
  g_clear_pointer (&message->threads, g_ptr_array_unref);
  g_clear_pointer (&message->event, rl_event_free);
  g_clear_pointer (&message->users, g_ptr_array_unref);
  g_clear_pointer (&message->messages, g_ptr_array_unref);
  g_free (message);
}

static void
person_free (RlPerson *person)
{
  rl_person_clear (person);
  g_free (person);
}

static gboolean
read_int (JsonObject *object,
          const char *name,
          gint64     *out,
          GError    **error)
{
  JsonNode *node = member (object, name);

  *out = 0;
  if (!holds (node, G_TYPE_INT64))
    return fail (error, "“%s” must be an integer", name);
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
parse_event (JsonObject  *object,
             const char  *type,
             RlMessage   *message,
             GError     **error)
{
  g_autoptr(RlEvent) event = NULL;
  const char *doc, *broadcast_id;
  int kind = -1, doc_kind = -1;

  for (guint k = 0; k < 3; k++)
    for (guint d = 0; d < 2; d++)
      if (g_str_equal (type, event_names[k][d]))
        {
          kind = (int) k;
          doc_kind = (int) d;
        }
  if (kind < 0)
    return fail (error, "unknown message type “%s”", type);

  event = rl_event_new ((RlEventKind) kind, (RlDocKind) doc_kind);
  if (!read_string (object, "doc", &doc, error) ||
      !read_int (object, "seq", &event->seq, error) ||
      !read_optional_string (object, "broadcastId", &broadcast_id, error))
    return FALSE;
  event->doc = g_strdup (doc);
  event->broadcast_id = g_strdup (broadcast_id);

  if (event->kind == RL_EVENT_CREATED)
    {
      event->thread = rl_thread_from_json (member (object, "thread"), error);
      if (event->thread == NULL)
        return FALSE;
      event->thread_id = g_strdup (event->thread->id);
    }
  else
    {
      const char *thread_id;

      if (!read_string (object, "thread", &thread_id, error))
        return FALSE;
      event->thread_id = g_strdup (thread_id);
    }

  if (event->kind == RL_EVENT_UPDATED)
    {
      JsonObject *change = object_of (member (object, "change"));
      const char *change_kind;
      int found = -1;

      if (change == NULL)
        return fail (error, "“change” must be an object with a kind");
      if (!read_string (change, "kind", &change_kind, error))
        return FALSE;
      for (guint i = 1; i < G_N_ELEMENTS (change_names); i++)
        if (g_str_equal (change_kind, change_names[i]))
          found = (int) i;
      if (found < 0)
        return fail (error, "unknown change “%s”", change_kind);
      event->change = (RlChangeKind) found;

      switch (event->change)
        {
        case RL_CHANGE_COMMENT_ADDED:
        case RL_CHANGE_COMMENT_EDITED:
          event->comment = rl_comment_from_json (member (change, "comment"), error);
          if (event->comment == NULL)
            return FALSE;
          break;
        case RL_CHANGE_COMMENT_DELETED:
          {
            const char *comment_id;

            if (!read_string (change, "comment", &comment_id, error))
              return FALSE;
            event->comment_id = g_strdup (comment_id);
          }
          break;
        case RL_CHANGE_RESOLVED:
          if (!holds (member (change, "resolved"), G_TYPE_BOOLEAN))
            return fail (error, "“resolved” must be a boolean");
          event->resolved = json_node_get_boolean (member (change, "resolved"));
          if (!read_person (member (change, "by"), &event->by, error))
            return FALSE;
          break;
        case RL_CHANGE_MOVED:
          if (!rl_anchor_from_json (member (change, "anchor"), &event->anchor, error))
            return FALSE;
          break;
        case RL_CHANGE_NONE:
        default:
          g_assert_not_reached ();
        }
    }

  message->doc = g_strdup (event->doc);
  message->seq = event->seq;
  message->event = g_steal_pointer (&event);
  return TRUE;
}

static RlMessage *parse_message_object (JsonObject *object, GError **error);

/* The "threads" array of a snapshot or a threads body, every thread checked. */
static GPtrArray *
read_threads (JsonObject  *object,
              GError     **error)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);

  if (!read_array (member (object, "threads"), "“threads” must be an array",
                   (ElementFromJson) rl_thread_from_json, threads, error))
    return NULL;
  return g_steal_pointer (&threads);
}

static gboolean
parse_message_fields (JsonObject *object,
                      const char *type,
                      RlMessage  *message,
                      GError    **error)
{
  if (g_str_equal (type, "welcome"))
    {
      JsonObject *user = object_of (member (object, "user"));
      const char *tenant, *connection, *role;
      gint64 protocol;

      message->type = RL_MESSAGE_WELCOME;
      if (!read_int (object, "protocol", &protocol, error) ||
          !read_string (object, "tenant", &tenant, error) ||
          !read_string (object, "connection", &connection, error) ||
          !read_time (object, "serverTime", FALSE, &message->server_time, error) ||
          !read_person (member (object, "user"), &message->user, error) ||
          !read_string (user, "role", &role, error))
        return FALSE;
      if (!rl_role_from_string (role, &message->role))
        return fail (error, "unknown role");
      message->protocol = (int) protocol;
      message->tenant = g_strdup (tenant);
      message->connection = g_strdup (connection);
      return TRUE;
    }

  if (g_str_equal (type, "ack"))
    {
      JsonNode *ok = member (object, "ok");
      const char *req;

      message->type = RL_MESSAGE_ACK;
      message->seq = -1;
      if (!read_optional_string (object, "req", &req, error))
        return FALSE;
      message->req = g_strdup (req);
      if (!holds (ok, G_TYPE_BOOLEAN))
        return fail (error, "“ok” must be a boolean");
      message->ok = json_node_get_boolean (ok);
      if (member (object, "seq") && !read_int (object, "seq", &message->seq, error))
        return FALSE;
      if (!read_thread_number (object, &message->number, error))
        return FALSE;
      if (!message->ok)
        {
          JsonObject *err = object_of (member (object, "error"));
          const char *code, *text;

          if (err == NULL)
            return fail (error, "a failed ack must carry an error");
          if (!read_string (err, "code", &code, error) ||
              !read_optional_string (err, "message", &text, error))
            return FALSE;
          if (!rl_error_code_from_string (code, &message->error_code))
            message->error_code = RL_ERROR_INTERNAL;
          message->error_message = g_strdup (text);
        }
      return TRUE;
    }

  if (g_str_equal (type, "snapshot"))
    {
      JsonNode *reset = member (object, "reset");
      const char *doc;

      message->type = RL_MESSAGE_SNAPSHOT;
      if (!read_string (object, "doc", &doc, error) ||
          !read_int (object, "seq", &message->seq, error))
        return FALSE;
      message->doc = g_strdup (doc);
      message->reset = holds (reset, G_TYPE_BOOLEAN) && json_node_get_boolean (reset);
      message->threads = read_threads (object, error);
      return message->threads != NULL;
    }

  if (g_str_equal (type, "presence"))
    {
      JsonNode *users = member (object, "users");
      const char *doc;
      gint64 count, connections;

      message->type = RL_MESSAGE_PRESENCE;
      if (!read_string (object, "doc", &doc, error) ||
          !read_int (object, "count", &count, error) ||
          !read_int (object, "connections", &connections, error))
        return FALSE;
      message->doc = g_strdup (doc);
      message->count = (guint) CLAMP (count, 0, G_MAXUINT);
      message->connections = (guint) CLAMP (connections, 0, G_MAXUINT);
      message->users = g_ptr_array_new_with_free_func ((GDestroyNotify) person_free);
      if (users == NULL || !JSON_NODE_HOLDS_ARRAY (users))
        return fail (error, "“users” must be an array");
      for (guint i = 0; i < json_array_get_length (json_node_get_array (users)); i++)
        {
          RlPerson *person = g_new0 (RlPerson, 1);

          g_ptr_array_add (message->users, person);
          if (!read_person (json_array_get_element (json_node_get_array (users), i), person, error))
            return FALSE;
        }
      return TRUE;
    }

  if (g_str_equal (type, "batch"))
    {
      JsonNode *events = member (object, "events");

      message->type = RL_MESSAGE_BATCH;
      if (events == NULL || !JSON_NODE_HOLDS_ARRAY (events))
        return fail (error, "“events” must be an array");
      message->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_message_free);
      for (guint i = 0; i < json_array_get_length (json_node_get_array (events)); i++)
        {
          JsonObject *inner = object_of (json_array_get_element (json_node_get_array (events), i));
          RlMessage *parsed;

          if (inner == NULL)
            return fail (error, "a batch holds objects");
          parsed = parse_message_object (inner, error);
          if (parsed == NULL)
            return FALSE;
          g_ptr_array_add (message->messages, parsed);
          if (parsed->type == RL_MESSAGE_BATCH)
            return fail (error, "a batch does not nest");
        }
      return TRUE;
    }

  message->type = RL_MESSAGE_EVENT;
  return parse_event (object, type, message, error);
}

static RlMessage *
parse_message_object (JsonObject *object,
                      GError    **error)
{
  g_autoptr(RlMessage) message = g_new0 (RlMessage, 1);
  const char *type;

  if (!read_string (object, "type", &type, error) ||
      !parse_message_fields (object, type, message, error))
    return NULL;
  return g_steal_pointer (&message);
}

RlMessage *
rl_message_parse (const char *text,
                  gsize       length,
                  GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = rl_json_parse (text, length, &local_error);
  JsonObject *object;

  if (root == NULL)
    {
      fail (error, "not valid JSON: %s", local_error->message);
      return NULL;
    }
  object = object_of (root);
  if (object == NULL)
    {
      fail (error, "a message must be a JSON object");
      return NULL;
    }
  return parse_message_object (object, error);
}

gboolean
rl_threads_body_from_json (JsonNode   *node,
                           gint64     *seq,
                           GPtrArray **threads,
                           GError    **error)
{
  JsonObject *object = object_of (node);
  gint64 head;

  *seq = -1;
  *threads = NULL;
  if (object == NULL)
    return fail (error, "a threads body must be a JSON object");
  if (!read_int (object, "seq", &head, error))
    return FALSE;
  if (head < 0)
    return fail (error, "“seq” must not be negative");
  *threads = read_threads (object, error);
  if (*threads == NULL)
    return FALSE;
  *seq = head;
  return TRUE;
}
