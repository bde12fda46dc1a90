/* rl-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-json-private.h"

#include <math.h>
#include <string.h>

#include "rl-limits.h"
#include "rl-time.h"
#include "rl-uuid.h"

/* ---- reading JSON -------------------------------------------------------- */

gboolean
rl_json_fail (GError    **error,
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

  return rl_json_fail (error, "%s", message);
}

JsonNode *
rl_json_member (JsonObject *object,
                const char *name)
{
  return object ? json_object_get_member (object, name) : NULL;
}

gboolean
rl_json_holds (JsonNode *node,
               GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

gboolean
rl_json_holds_number (JsonNode *node)
{
  return rl_json_holds (node, G_TYPE_INT64) || rl_json_holds (node, G_TYPE_DOUBLE);
}

JsonObject *
rl_json_object_of (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* A required string member. */
gboolean
rl_json_read_string (JsonObject  *object,
                     const char  *name,
                     const char **out,
                     GError     **error)
{
  JsonNode *node = rl_json_member (object, name);

  *out = NULL;
  if (!rl_json_holds (node, G_TYPE_STRING))
    return rl_json_fail (error, "“%s” must be a string", name);
  *out = json_node_get_string (node);
  if (*out == NULL)
    return rl_json_fail (error, "“%s” must be a string", name);
  /* json-glib reads a lone surrogate escape ("\ud800") as the surrogate's
   * bytes, which are not UTF-8: no frame may carry them on. */
  if (!g_utf8_validate (*out, -1, NULL))
    {
      *out = NULL;
      return rl_json_fail (error, "“%s” must be valid UTF-8", name);
    }
  return TRUE;
}

gboolean
rl_json_read_optional_string (JsonObject  *object,
                              const char  *name,
                              const char **out,
                              GError     **error)
{
  JsonNode *node = rl_json_member (object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  return rl_json_read_string (object, name, out, error);
}

gboolean
rl_json_read_int (JsonObject *object,
                  const char *name,
                  gint64     *out,
                  GError    **error)
{
  JsonNode *node = rl_json_member (object, name);

  *out = 0;
  if (!rl_json_holds (node, G_TYPE_INT64))
    return rl_json_fail (error, "“%s” must be an integer", name);
  *out = json_node_get_int (node);
  return TRUE;
}

gboolean
rl_json_read_uuid (JsonObject  *object,
                   const char  *name,
                   char       **out,
                   GError     **error)
{
  const char *str;

  if (!rl_json_read_string (object, name, &str, error))
    return FALSE;
  if (!rl_uuid_is_valid (str))
    return rl_json_fail (error, "“%s” must be a lower-case UUID", name);
  *out = g_strdup (str);
  return TRUE;
}

gboolean
rl_json_read_doc_id (JsonObject  *object,
                     char       **out,
                     GError     **error)
{
  const char *str;

  if (!rl_json_read_string (object, "doc", &str, error))
    return FALSE;
  if (str == NULL || *str == '\0' || strlen (str) > 64)
    return rl_json_fail (error, "“doc” is not a document id");
  *out = g_strdup (str);
  return TRUE;
}

gboolean
rl_json_read_time (JsonObject *object,
                   const char *name,
                   gboolean    nullable,
                   gint64     *out,
                   GError    **error)
{
  JsonNode *node = rl_json_member (object, name);

  *out = 0;
  if (nullable && (node == NULL || JSON_NODE_HOLDS_NULL (node)))
    return TRUE;
  if (!rl_json_holds (node, G_TYPE_STRING) || !rl_time_parse (json_node_get_string (node), out))
    return rl_json_fail (error, "“%s” must be an RFC 3339 time", name);
  return TRUE;
}

/* A thread's optional "number" (of a thread, or of a create-thread's ack).
 * Additive: absent from servers before numbers (0), positive when given. */
gboolean
rl_json_read_thread_number (JsonObject *object,
                            gint64     *out,
                            GError    **error)
{
  JsonNode *node = rl_json_member (object, "number");

  *out = 0;
  if (node == NULL)
    return TRUE;
  if (!rl_json_holds (node, G_TYPE_INT64) || json_node_get_int (node) < 1)
    return rl_json_fail (error, "“number” must be a positive integer");
  *out = json_node_get_int (node);
  return TRUE;
}

/* A revision number: a positive integer (1, 2, 3 … per document). */
gboolean
rl_json_read_revision (JsonObject *object,
                       const char *name,
                       gint64     *out,
                       GError    **error)
{
  JsonNode *node = rl_json_member (object, name);

  *out = 0;
  if (!rl_json_holds (node, G_TYPE_INT64) || json_node_get_int (node) < 1)
    return rl_json_fail (error, "“%s” must be a positive integer", name);
  *out = json_node_get_int (node);
  return TRUE;
}

gboolean
rl_json_read_person (JsonNode  *node,
                     RlPerson  *person,
                     GError   **error)
{
  JsonObject *object = rl_json_object_of (node);
  const char *id, *name;

  if (object == NULL)
    return rl_json_fail (error, "a person must be an object");
  if (!rl_json_read_string (object, "id", &id, error) || !rl_json_read_string (object, "name", &name, error))
    return FALSE;
  person->id = g_strdup (id);
  person->name = g_strdup (name);
  return TRUE;
}

gboolean
rl_json_read_mentions (JsonObject  *object,
                       const char  *body,
                       GPtrArray   *into,
                       GError     **error)
{
  JsonNode *node = rl_json_member (object, "mentions");
  JsonArray *array;
  glong n_chars = g_utf8_strlen (body, -1);
  gint64 last_end = 0;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return rl_json_fail (error, "“mentions” must be an array");
  array = json_node_get_array (node);
  if (json_array_get_length (array) > RL_MENTIONS_MAX)
    return rl_json_fail (error, "a comment mentions at most %d people", RL_MENTIONS_MAX);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *mention = rl_json_object_of (json_array_get_element (array, i));
      const char *user;
      gint64 start, end;

      if (mention == NULL)
        return rl_json_fail (error, "a mention must be an object with user, start and end");
      if (!rl_json_read_string (mention, "user", &user, error) ||
          !rl_json_read_int (mention, "start", &start, error) ||
          !rl_json_read_int (mention, "end", &end, error))
        return FALSE;
      if (*user == '\0' || strlen (user) > RL_USER_ID_MAX_BYTES)
        return rl_json_fail (error, "a mention’s “user” is not a user id");
      if (start < last_end || end <= start + 1 || end > n_chars)
        return rl_json_fail (error, "mentions must be sorted, not overlapping, inside the body and longer than “@”");
      if (g_utf8_get_char (g_utf8_offset_to_pointer (body, start)) != '@')
        return rl_json_fail (error, "a mention must start with “@”");
      g_ptr_array_add (into, rl_mention_new (user, start, end));
      last_end = end;
    }
  return TRUE;
}

gboolean
rl_json_read_array (JsonNode         *node,
                    const char       *what,
                    RlJsonElementFromJson   from_json,
                    GPtrArray        *into,
                    GError          **error)
{
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return rl_json_fail (error, "%s", what);
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

GPtrArray *
rl_json_read_threads (JsonObject  *object,
                      GError     **error)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);

  if (!rl_json_read_array (rl_json_member (object, "threads"), "“threads” must be an array",
                           (RlJsonElementFromJson) rl_thread_from_json, threads, error))
    return NULL;
  return g_steal_pointer (&threads);
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
      rl_json_fail (error, "not UTF-8");
      return NULL;
    }
  /* json-glib 1.6 reads more than JSON: single quotes, comments, hex
   * numbers, and values one after another, of which it keeps the first and
   * leaks the others. Only one strict value gets to it. */
  if (!scan_value (&scan, 0))
    {
      rl_json_fail (error, "%s at byte %td", scan.problem, scan.p - text);
      return NULL;
    }
  scan_space (&scan);
  if (scan.p != scan.end)
    {
      rl_json_fail (error, "more after the value at byte %td", scan.p - text);
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

/* json-glib 1.6 writes every double with 17 significant digits (a pin at
 * y = 0.654321 went out as 0.65432100000000004) and cannot be told
 * otherwise, so the tree is written here, byte for byte as json-glib's
 * compact generator writes it except for doubles and U+001F (which it left
 * raw, though RFC 8259 §7 requires every control character escaped). */
static void
write_string (GString    *out,
              const char *str)
{
  g_string_append_c (out, '"');
  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          /* DEL needs no escape, but json-glib gave it one: kept, so that
           * nothing else of what is stored or sent changes. */
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

/* The shortest decimal that reads back as the same double: the fewest
 * significant digits that round-trip, the exponent without "+" or leading
 * zeros, and ".0" on a whole number so that it reads back as a double, not
 * an integer. JSON has no infinity or NaN: those are written as null (the
 * codec never writes one; anchors are checked finite). */
static void
write_double (GString *out,
              double   value)
{
  static const char *formats[] = {
    "%.1g", "%.2g", "%.3g", "%.4g", "%.5g", "%.6g", "%.7g", "%.8g", "%.9g",
    "%.10g", "%.11g", "%.12g", "%.13g", "%.14g", "%.15g", "%.16g", "%.17g",
  };
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  const char *exponent;

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  /* 17 significant digits always round-trip (IEEE 754 binary64). */
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_ascii_strtod (g_ascii_formatd (buffer, sizeof buffer, formats[i], value), NULL) == value)
      break;

  exponent = strpbrk (buffer, "eE");
  if (exponent == NULL)
    {
      g_string_append (out, buffer);
      if (strchr (buffer, '.') == NULL)
        g_string_append (out, ".0");
      return;
    }
  g_string_append_len (out, buffer, exponent - buffer);
  g_string_append_c (out, 'e');
  exponent++;
  if (*exponent == '-')
    g_string_append_c (out, *exponent++);
  else if (*exponent == '+')
    exponent++;
  while (exponent[0] == '0' && exponent[1] != '\0')
    exponent++;
  g_string_append (out, exponent);
}

static void
write_node (GString  *out,
            JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            write_string (out, name);
            g_string_append_c (out, ':');
            write_node (out, member);
          }
        g_string_append_c (out, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            write_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          write_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING:
          write_string (out, json_node_get_string (node));
          break;
        default:
          g_string_append (out, "null");
          break;
        }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

char *
rl_json_to_string (JsonNode *node,
                   gsize    *length)
{
  GString *out = g_string_sized_new (256);

  if (node != NULL)
    write_node (out, node);
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

char *
rl_json_builder_to_string (JsonBuilder *builder,
                           gsize       *length)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return rl_json_to_string (root, length);
}

void
rl_json_add_string (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
rl_json_add_int (JsonBuilder *builder,
                 const char  *name,
                 gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
rl_json_add_time (JsonBuilder *builder,
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

void
rl_json_add_person (JsonBuilder    *builder,
                    const char     *name,
                    const RlPerson *person)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  rl_json_add_string (builder, "id", person->id);
  rl_json_add_string (builder, "name", person->name);
  json_builder_end_object (builder);
}

void
rl_json_add_node (JsonBuilder *builder,
                  const char  *name,
                  JsonNode    *node)
{
  if (name)
    json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, node);
}

/* ---- anchors, comments, threads, documents ------------------------------- */

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
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
      rl_json_add_int (builder, "start", anchor->start);
      rl_json_add_int (builder, "end", anchor->end);
      rl_json_add_string (builder, "exact", anchor->exact ? anchor->exact : "");
      rl_json_add_string (builder, "prefix", anchor->prefix ? anchor->prefix : "");
      rl_json_add_string (builder, "suffix", anchor->suffix ? anchor->suffix : "");
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
  JsonObject *object = rl_json_object_of (node);
  gboolean image, page;

  memset (anchor, 0, sizeof *anchor);
  if (object == NULL)
    return rl_json_fail (error, "“anchor” must be an object");

  image = json_object_has_member (object, "x") || json_object_has_member (object, "y");
  page = json_object_has_member (object, "start") || json_object_has_member (object, "end") ||
         json_object_has_member (object, "exact");
  if (image == page)
    return rl_json_fail (error, "“anchor” must have either x and y or start, end and exact");

  if (image)
    {
      JsonNode *x = rl_json_member (object, "x"), *y = rl_json_member (object, "y");

      if (!rl_json_holds_number (x) || !rl_json_holds_number (y))
        return rl_json_fail (error, "anchor “x” and “y” must be numbers");
      anchor->kind = RL_DOC_KIND_IMAGE;
      anchor->x = json_node_get_double (x);
      anchor->y = json_node_get_double (y);
      if (!isfinite (anchor->x) || !isfinite (anchor->y) ||
          anchor->x < 0 || anchor->x > 1 || anchor->y < 0 || anchor->y > 1)
        return rl_json_fail (error, "anchor “x” and “y” must be between 0 and 1");
    }
  else
    {
      JsonNode *start = rl_json_member (object, "start"), *end = rl_json_member (object, "end");
      const char *exact, *prefix, *suffix;

      if (!rl_json_holds (start, G_TYPE_INT64) || !rl_json_holds (end, G_TYPE_INT64))
        return rl_json_fail (error, "anchor “start” and “end” must be integers");
      if (!rl_json_read_string (object, "exact", &exact, error) ||
          !rl_json_read_optional_string (object, "prefix", &prefix, error) ||
          !rl_json_read_optional_string (object, "suffix", &suffix, error))
        return FALSE;

      anchor->kind = RL_DOC_KIND_PAGE;
      anchor->start = json_node_get_int (start);
      anchor->end = json_node_get_int (end);
      if (anchor->start < 0 || anchor->end <= anchor->start)
        return rl_json_fail (error, "anchor must have 0 ≤ start < end");
      if ((gint64) g_utf8_strlen (exact, -1) != anchor->end - anchor->start)
        return rl_json_fail (error, "anchor “exact” must be end − start code points long");
      if (!context_is_valid (prefix) || !context_is_valid (suffix))
        return rl_json_fail (error, "anchor “prefix” and “suffix” are at most %d code points",
                             RL_CONTEXT_MAX_CHARS);
      anchor->exact = g_strdup (exact);
      anchor->prefix = g_strdup (prefix ? prefix : "");
      anchor->suffix = g_strdup (suffix ? suffix : "");
    }

  return TRUE;
}

void
rl_json_build_mentions (JsonBuilder *builder,
                        GPtrArray   *mentions)
{
  if (mentions == NULL || mentions->len == 0)
    return;
  json_builder_set_member_name (builder, "mentions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < mentions->len; i++)
    {
      const RlMention *mention = g_ptr_array_index (mentions, i);

      json_builder_begin_object (builder);
      rl_json_add_string (builder, "user", mention->user);
      rl_json_add_int (builder, "start", mention->start);
      rl_json_add_int (builder, "end", mention->end);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

void
rl_json_build_comment (JsonBuilder     *builder,
                       const RlComment *comment)
{
  json_builder_begin_object (builder);
  rl_json_add_string (builder, "id", comment->id);
  rl_json_add_string (builder, "thread", comment->thread);
  rl_json_add_person (builder, "author", &comment->author);
  rl_json_add_string (builder, "body", comment->body);
  rl_json_add_time (builder, "createdAt", comment->created_at, FALSE);
  rl_json_add_time (builder, "editedAt", comment->edited_at, TRUE);
  /* 1.2, additive: absent from older servers' comments, and 0 is never sent. */
  if (comment->seq > 0)
    rl_json_add_int (builder, "seq", comment->seq);
  rl_json_build_mentions (builder, comment->mentions);
  json_builder_end_object (builder);
}

JsonNode *
rl_comment_to_json (const RlComment *comment)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  rl_json_build_comment (builder, comment);
  return json_builder_get_root (builder);
}

RlComment *
rl_comment_from_json (JsonNode  *node,
                      GError   **error)
{
  JsonObject *object = rl_json_object_of (node);
  g_autoptr(RlComment) comment = rl_comment_new ();
  const char *id, *thread, *body;
  JsonNode *seq;

  if (object == NULL)
    {
      rl_json_fail (error, "a comment must be an object");
      return NULL;
    }
  if (!rl_json_read_string (object, "id", &id, error) ||
      !rl_json_read_string (object, "thread", &thread, error) ||
      !rl_json_read_string (object, "body", &body, error) ||
      !rl_json_read_person (rl_json_member (object, "author"), &comment->author, error) ||
      !rl_json_read_time (object, "createdAt", FALSE, &comment->created_at, error) ||
      !rl_json_read_time (object, "editedAt", TRUE, &comment->edited_at, error) ||
      !rl_json_read_mentions (object, body, comment->mentions, error))
    return NULL;
  seq = rl_json_member (object, "seq");
  if (seq != NULL)
    {
      if (!rl_json_holds (seq, G_TYPE_INT64) || json_node_get_int (seq) < 0)
        {
          rl_json_fail (error, "a comment’s “seq” must be a non-negative integer");
          return NULL;
        }
      comment->seq = json_node_get_int (seq);
    }
  comment->id = g_strdup (id);
  comment->thread = g_strdup (thread);
  comment->body = g_strdup (body);
  return g_steal_pointer (&comment);
}

JsonNode *
rl_revision_anchor_to_json (const RlRevisionAnchor *placement,
                      const char        *thread)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (thread)
    rl_json_add_string (builder, "thread", thread);
  rl_json_add_int (builder, "revision", placement->revision);
  if (placement->status == RL_PLACEMENT_ORPHANED)
    {
      json_builder_set_member_name (builder, "anchor");
      json_builder_add_null_value (builder);
    }
  else
    rl_json_add_node (builder, "anchor", rl_anchor_to_json (&placement->anchor));
  rl_json_add_string (builder, "status", rl_placement_status_to_string (placement->status));
  if (placement->status == RL_PLACEMENT_MOVED || placement->status == RL_PLACEMENT_CHANGED)
    add_double (builder, "score", placement->score);
  if (placement->by.id)
    rl_json_add_person (builder, "by", &placement->by);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

RlRevisionAnchor *
rl_revision_anchor_from_json (JsonNode  *node,
                        GError   **error)
{
  JsonObject *object = rl_json_object_of (node);
  g_autoptr(RlRevisionAnchor) placement = rl_revision_anchor_new ();
  const char *status;
  JsonNode *anchor, *score, *by;

  if (object == NULL)
    {
      rl_json_fail (error, "a placement must be an object");
      return NULL;
    }
  if (!rl_json_read_string (object, "status", &status, error))
    return NULL;
  if (!rl_placement_status_from_string (status, &placement->status))
    {
      rl_json_fail (error, "unknown placement status “%s”", status);
      return NULL;
    }
  if (!rl_json_read_revision (object, "revision", &placement->revision, error))
    return NULL;
  anchor = rl_json_member (object, "anchor");
  if (placement->status == RL_PLACEMENT_ORPHANED)
    {
      if (anchor != NULL && !JSON_NODE_HOLDS_NULL (anchor))
        {
          rl_json_fail (error, "an orphaned placement has no anchor");
          return NULL;
        }
    }
  else if (!rl_anchor_from_json (anchor, &placement->anchor, error))
    return NULL;
  score = rl_json_member (object, "score");
  if (score != NULL)
    {
      if (!rl_json_holds_number (score) || !isfinite (json_node_get_double (score)) ||
          json_node_get_double (score) < 0 || json_node_get_double (score) > 1)
        {
          rl_json_fail (error, "a placement’s “score” must be a number from 0 to 1");
          return NULL;
        }
      placement->score = json_node_get_double (score);
    }
  by = rl_json_member (object, "by");
  if (by != NULL && !rl_json_read_person (by, &placement->by, error))
    return NULL;
  return g_steal_pointer (&placement);
}

JsonNode *
rl_revision_to_json (const RlRevision *revision,
                     RlDocKind         kind)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_int (builder, "revision", revision->revision);
  rl_json_add_string (builder, "mime", revision->mime);
  rl_json_add_int (builder, "size", revision->size);
  if (kind == RL_DOC_KIND_IMAGE)
    {
      rl_json_add_int (builder, "width", revision->width);
      rl_json_add_int (builder, "height", revision->height);
    }
  rl_json_add_string (builder, "etag", revision->etag);
  rl_json_add_time (builder, "createdAt", revision->created_at, FALSE);
  rl_json_add_person (builder, "createdBy", &revision->created_by);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

RlRevision *
rl_revision_from_json (JsonNode  *node,
                       RlDocKind  kind,
                       GError   **error)
{
  JsonObject *object = rl_json_object_of (node);
  g_autoptr(RlRevision) revision = g_new0 (RlRevision, 1);
  const char *mime, *etag;
  RlDocKind mime_kind;
  JsonNode *size;

  if (object == NULL)
    {
      rl_json_fail (error, "a revision must be an object");
      return NULL;
    }
  size = rl_json_member (object, "size");
  if (!rl_json_read_revision (object, "revision", &revision->revision, error) ||
      !rl_json_read_string (object, "mime", &mime, error) ||
      !rl_json_read_string (object, "etag", &etag, error) ||
      !rl_json_read_time (object, "createdAt", FALSE, &revision->created_at, error) ||
      !rl_json_read_person (rl_json_member (object, "createdBy"), &revision->created_by, error))
    return NULL;
  if (!rl_doc_kind_for_mime (mime, &mime_kind) || mime_kind != kind)
    {
      rl_json_fail (error, "a revision’s “mime” must be of the document’s kind");
      return NULL;
    }
  if (!rl_json_holds (size, G_TYPE_INT64) || json_node_get_int (size) < 0)
    {
      rl_json_fail (error, "a revision’s “size” must be a non-negative integer");
      return NULL;
    }
  revision->size = json_node_get_int (size);
  if (kind == RL_DOC_KIND_IMAGE)
    {
      JsonNode *w = rl_json_member (object, "width"), *h = rl_json_member (object, "height");

      if (!rl_json_holds (w, G_TYPE_INT64) || !rl_json_holds (h, G_TYPE_INT64) ||
          json_node_get_int (w) <= 0 || json_node_get_int (h) <= 0 ||
          json_node_get_int (w) > G_MAXINT || json_node_get_int (h) > G_MAXINT)
        {
          rl_json_fail (error, "an image revision must have a positive width and height");
          return NULL;
        }
      revision->width = (int) json_node_get_int (w);
      revision->height = (int) json_node_get_int (h);
    }
  revision->mime = g_strdup (mime);
  revision->etag = g_strdup (etag);
  return g_steal_pointer (&revision);
}

void
rl_json_build_thread (JsonBuilder    *builder,
                      const RlThread *thread)
{
  json_builder_begin_object (builder);
  rl_json_add_string (builder, "id", thread->id);
  rl_json_add_string (builder, "doc", thread->doc);
  if (thread->number > 0)
    rl_json_add_int (builder, "number", thread->number);
  rl_json_add_node (builder, "anchor", rl_anchor_to_json (&thread->anchor));
  json_builder_set_member_name (builder, "resolved");
  json_builder_add_boolean_value (builder, thread->resolved);
  rl_json_add_person (builder, "createdBy", &thread->created_by);
  rl_json_add_time (builder, "createdAt", thread->created_at, FALSE);
  rl_json_add_time (builder, "updatedAt", thread->updated_at, FALSE);
  json_builder_set_member_name (builder, "comments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < thread->comments->len; i++)
    rl_json_build_comment (builder, g_ptr_array_index (thread->comments, i));
  json_builder_end_array (builder);
  if (thread->revision > 0)
    {
      rl_json_add_int (builder, "revision", thread->revision);
      json_builder_set_member_name (builder, "placements");
      json_builder_begin_array (builder);
      for (guint i = 0; i < thread->placements->len; i++)
        json_builder_add_value (builder, rl_revision_anchor_to_json (g_ptr_array_index (thread->placements, i), NULL));
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}

JsonNode *
rl_thread_to_json (const RlThread *thread)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  rl_json_build_thread (builder, thread);
  return json_builder_get_root (builder);
}

void
rl_json_build_threads (JsonBuilder *builder,
                       GPtrArray   *threads)
{
  json_builder_set_member_name (builder, "threads");
  json_builder_begin_array (builder);
  for (guint i = 0; threads != NULL && i < threads->len; i++)
    rl_json_build_thread (builder, g_ptr_array_index (threads, i));
  json_builder_end_array (builder);
}

/* A 1.1 server's "revision" and "placements" (both or neither): the
 * placements are for the thread's revision and every one after it, in
 * order, each of the thread's kind. */
static gboolean
read_thread_placements (JsonObject  *object,
                        RlThread    *thread,
                        GError     **error)
{
  JsonNode *placements = rl_json_member (object, "placements");

  if (!json_object_has_member (object, "revision") && placements == NULL)
    return TRUE;
  if (!rl_json_read_revision (object, "revision", &thread->revision, error))
    return FALSE;
  if (!rl_json_read_array (placements, "“placements” must be an array",
                           (RlJsonElementFromJson) rl_revision_anchor_from_json, thread->placements, error))
    return FALSE;
  for (guint i = 0; i < thread->placements->len; i++)
    {
      RlRevisionAnchor *placement = g_ptr_array_index (thread->placements, i);

      if (placement->revision != thread->revision + i)
        return rl_json_fail (error, "a thread’s placements must be one per revision from its own, in order");
      if (placement->status != RL_PLACEMENT_ORPHANED && placement->anchor.kind != thread->anchor.kind)
        return rl_json_fail (error, "a placement’s anchor must be of the thread’s kind");
    }
  if (thread->placements->len == 0)
    return rl_json_fail (error, "a thread must have its placement on its own revision");
  return TRUE;
}

RlThread *
rl_thread_from_json (JsonNode  *node,
                     GError   **error)
{
  JsonObject *object = rl_json_object_of (node);
  g_autoptr(RlThread) thread = rl_thread_new ();
  JsonNode *comments, *resolved;
  const char *id, *doc;

  if (object == NULL)
    {
      rl_json_fail (error, "a thread must be an object");
      return NULL;
    }
  resolved = rl_json_member (object, "resolved");
  comments = rl_json_member (object, "comments");
  if (!rl_json_read_string (object, "id", &id, error) ||
      !rl_json_read_string (object, "doc", &doc, error) ||
      !rl_anchor_from_json (rl_json_member (object, "anchor"), &thread->anchor, error) ||
      !rl_json_read_person (rl_json_member (object, "createdBy"), &thread->created_by, error) ||
      !rl_json_read_time (object, "createdAt", FALSE, &thread->created_at, error) ||
      !rl_json_read_time (object, "updatedAt", FALSE, &thread->updated_at, error))
    return NULL;
  if (!rl_json_holds (resolved, G_TYPE_BOOLEAN))
    {
      rl_json_fail (error, "“resolved” must be a boolean");
      return NULL;
    }
  if (!rl_json_read_thread_number (object, &thread->number, error))
    return NULL;
  if (!rl_json_read_array (comments, "“comments” must be an array", (RlJsonElementFromJson) rl_comment_from_json,
                           thread->comments, error))
    return NULL;
  if (!read_thread_placements (object, thread, error))
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
  rl_json_add_string (builder, "id", doc->id);
  rl_json_add_string (builder, "kind", rl_doc_kind_to_string (doc->kind));
  rl_json_add_string (builder, "title", doc->title);
  rl_json_add_string (builder, "mime", doc->mime);
  rl_json_add_int (builder, "size", doc->size);
  if (doc->kind == RL_DOC_KIND_IMAGE)
    {
      rl_json_add_int (builder, "width", doc->width);
      rl_json_add_int (builder, "height", doc->height);
    }
  rl_json_add_time (builder, "createdAt", doc->created_at, FALSE);
  rl_json_add_person (builder, "createdBy", &doc->created_by);
  if (doc->revision > 0)
    rl_json_add_int (builder, "revision", doc->revision);
  if (doc->has_unread)
    rl_json_add_node (builder, "unread", rl_unread_counts_to_json (&doc->unread));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

RlDocument *
rl_document_from_json (JsonNode  *node,
                       GError   **error)
{
  JsonObject *object = rl_json_object_of (node);
  g_autoptr(RlDocument) doc = g_new0 (RlDocument, 1);
  const char *id, *kind, *title, *mime;
  JsonNode *size;

  if (object == NULL)
    {
      rl_json_fail (error, "a document must be an object");
      return NULL;
    }
  size = rl_json_member (object, "size");
  if (!rl_json_read_string (object, "id", &id, error) ||
      !rl_json_read_string (object, "kind", &kind, error) ||
      !rl_json_read_string (object, "title", &title, error) ||
      !rl_json_read_string (object, "mime", &mime, error) ||
      !rl_json_read_time (object, "createdAt", FALSE, &doc->created_at, error) ||
      !rl_json_read_person (rl_json_member (object, "createdBy"), &doc->created_by, error))
    return NULL;
  if (!rl_doc_kind_from_string (kind, &doc->kind) || !rl_json_holds (size, G_TYPE_INT64))
    {
      rl_json_fail (error, "malformed document");
      return NULL;
    }
  if (json_object_has_member (object, "revision") &&
      !rl_json_read_revision (object, "revision", &doc->revision, error))
    return NULL;
  if (json_object_has_member (object, "unread"))
    {
      if (!rl_unread_counts_from_json (rl_json_member (object, "unread"), &doc->unread, error))
        return NULL;
      doc->has_unread = TRUE;
    }
  doc->id = g_strdup (id);
  doc->title = g_strdup (title);
  doc->mime = g_strdup (mime);
  doc->size = json_node_get_int (size);
  if (doc->kind == RL_DOC_KIND_IMAGE)
    {
      JsonNode *w = rl_json_member (object, "width"), *h = rl_json_member (object, "height");

      if (!rl_json_holds (w, G_TYPE_INT64) || !rl_json_holds (h, G_TYPE_INT64))
        {
          rl_json_fail (error, "an image document must have width and height");
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

  if (!rl_json_read_array (node, "a document list must be an array", (RlJsonElementFromJson) rl_document_from_json,
                           docs, error))
    return NULL;
  return g_steal_pointer (&docs);
}

JsonNode *
rl_unread_counts_to_json (const RlUnreadCounts *counts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_int (builder, "threads", counts->threads);
  rl_json_add_int (builder, "comments", counts->comments);
  rl_json_add_int (builder, "mentions", counts->mentions);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
rl_unread_counts_from_json (JsonNode        *node,
                            RlUnreadCounts  *counts,
                            GError         **error)
{
  JsonObject *object = rl_json_object_of (node);

  memset (counts, 0, sizeof *counts);
  if (object == NULL)
    return rl_json_fail (error, "“unread” must be an object");
  if (!rl_json_read_int (object, "threads", &counts->threads, error) ||
      !rl_json_read_int (object, "comments", &counts->comments, error) ||
      !rl_json_read_int (object, "mentions", &counts->mentions, error))
    return FALSE;
  if (counts->threads < 0 || counts->comments < counts->threads || counts->mentions < 0 ||
      counts->mentions > counts->comments)
    return rl_json_fail (error, "unread counts must be 0 ≤ threads ≤ comments and mentions ≤ comments");
  return TRUE;
}

char *
rl_members_body_serialize (GPtrArray *members)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < members->len; i++)
    {
      const RlMember *member = g_ptr_array_index (members, i);

      json_builder_begin_object (builder);
      rl_json_add_string (builder, "id", member->person.id);
      rl_json_add_string (builder, "name", member->person.name);
      rl_json_add_string (builder, "role", rl_role_to_string (member->role));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return rl_json_builder_to_string (builder, NULL);
}

static gpointer
member_from_json (JsonNode  *node,
                  GError   **error)
{
  g_autoptr(RlMember) member = g_new0 (RlMember, 1);
  const char *role;

  if (!rl_json_read_person (node, &member->person, error) ||
      !rl_json_read_string (rl_json_object_of (node), "role", &role, error))
    return NULL;
  if (!rl_role_from_string (role, &member->role))
    {
      rl_json_fail (error, "unknown role");
      return NULL;
    }
  return g_steal_pointer (&member);
}

GPtrArray *
rl_members_from_json (JsonNode  *node,
                      GError   **error)
{
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_member_free);

  if (!rl_json_read_array (node, "a user list must be an array", member_from_json, members, error))
    return NULL;
  return g_steal_pointer (&members);
}

/* ---- HTTP bodies --------------------------------------------------------- */

char *
rl_threads_body_serialize (gint64     seq,
                           GPtrArray *threads)
{
  g_autoptr(JsonNode) root = rl_threads_body_to_json (seq, threads);

  return rl_json_to_string (root, NULL);
}

JsonNode *
rl_threads_body_to_json (gint64     seq,
                         GPtrArray *threads)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_int (builder, "seq", seq);
  rl_json_build_threads (builder, threads);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
rl_threads_body_from_json (JsonNode   *node,
                           gint64     *seq,
                           GPtrArray **threads,
                           GError    **error)
{
  JsonObject *object = rl_json_object_of (node);
  gint64 head;

  *seq = -1;
  *threads = NULL;
  if (object == NULL)
    return rl_json_fail (error, "a threads body must be a JSON object");
  if (!rl_json_read_int (object, "seq", &head, error))
    return FALSE;
  if (head < 0)
    return rl_json_fail (error, "“seq” must not be negative");
  *threads = rl_json_read_threads (object, error);
  if (*threads == NULL)
    return FALSE;
  *seq = head;
  return TRUE;
}

void
rl_json_build_error (JsonBuilder *builder,
                     RlErrorCode  code,
                     const char  *message)
{
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  rl_json_add_string (builder, "code", rl_error_code_to_string (code));
  rl_json_add_string (builder, "message", message ? message : "");
  json_builder_end_object (builder);
}

char *
rl_error_body_serialize (RlErrorCode  code,
                         const char  *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_build_error (builder, code, message);
  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}

gboolean
rl_error_body_parse (const char  *text,
                     gsize        length,
                     GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *inner;
  const char *code, *message;
  RlErrorCode value;

  if (text == NULL || (root = rl_json_parse (text, length, NULL)) == NULL)
    return FALSE;
  object = rl_json_object_of (root);
  inner = rl_json_object_of (rl_json_member (object, "error"));
  if (inner == NULL || !rl_json_holds (rl_json_member (inner, "code"), G_TYPE_STRING))
    return FALSE;
  code = json_object_get_string_member (inner, "code");
  message = rl_json_holds (rl_json_member (inner, "message"), G_TYPE_STRING)
              ? json_object_get_string_member (inner, "message") : code;
  if (!rl_error_code_from_string (code, &value))
    value = RL_ERROR_INTERNAL;
  g_set_error_literal (error, RL_ERROR, value, message);
  return TRUE;
}
