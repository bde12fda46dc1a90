/* rl-message.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-message.h"

#include <string.h>

#include "rl-json-private.h"
#include "rl-limits.h"

/* ---- what the server sends ----------------------------------------------- */

char *
rl_message_serialize_welcome (const char     *tenant,
                              const RlPerson *user,
                              RlRole          role,
                              const char     *connection,
                              gint64          server_time,
                              int             minor)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_string (builder, "type", "welcome");
  rl_json_add_int (builder, "protocol", RL_PROTOCOL_VERSION);
  if (minor > 0)
    rl_json_add_int (builder, "minor", minor);
  rl_json_add_string (builder, "tenant", tenant);
  json_builder_set_member_name (builder, "user");
  json_builder_begin_object (builder);
  rl_json_add_string (builder, "id", user->id);
  rl_json_add_string (builder, "name", user->name);
  rl_json_add_string (builder, "role", rl_role_to_string (role));
  json_builder_end_object (builder);
  rl_json_add_string (builder, "connection", connection);
  rl_json_add_time (builder, "serverTime", server_time, FALSE);
  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}

/* Opens an ack's object: its type, req and ok. */
static void
begin_ack (JsonBuilder *builder,
           const char  *req,
           gboolean     ok)
{
  json_builder_begin_object (builder);
  rl_json_add_string (builder, "type", "ack");
  rl_json_add_string (builder, "req", req);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, ok);
}

char *
rl_message_serialize_ack_ok (const char *req,
                             gint64      seq,
                             gint64      number)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  begin_ack (builder, req, TRUE);
  if (seq >= 0)
    rl_json_add_int (builder, "seq", seq);
  if (number > 0)
    rl_json_add_int (builder, "number", number);
  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}

char *
rl_message_serialize_ack_read (const char        *req,
                               gint64             seq,
                               const RlReadState *read)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  begin_ack (builder, req, TRUE);
  rl_json_add_int (builder, "seq", seq);
  rl_json_add_node (builder, "read", rl_read_state_to_json (read));
  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}

char *
rl_message_serialize_ack_aseq (const char *req,
                               gint64      aseq)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  begin_ack (builder, req, TRUE);
  rl_json_add_int (builder, "aseq", aseq);
  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}

char *
rl_message_serialize_ack_error (const char  *req,
                                RlErrorCode  code,
                                const char  *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  begin_ack (builder, req, FALSE);
  rl_json_build_error (builder, code, message);
  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}

char *
rl_message_serialize_snapshot (const char *doc,
                               gint64      seq,
                               GPtrArray  *threads,
                               gboolean    reset)
{
  return rl_message_serialize_snapshot_at (doc, seq, 0, threads, reset);
}

char *
rl_message_serialize_snapshot_at (const char *doc,
                                  gint64      seq,
                                  gint64      revision,
                                  GPtrArray  *threads,
                                  gboolean    reset)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_string (builder, "type", "snapshot");
  rl_json_add_string (builder, "doc", doc);
  rl_json_add_int (builder, "seq", seq);
  if (revision > 0)
    rl_json_add_int (builder, "revision", revision);
  if (reset)
    {
      json_builder_set_member_name (builder, "reset");
      json_builder_add_boolean_value (builder, TRUE);
    }
  rl_json_build_threads (builder, threads);
  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}

char *
rl_message_serialize_presence (const char *doc,
                               guint       count,
                               guint       connections,
                               GPtrArray  *users)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_string (builder, "type", "presence");
  rl_json_add_string (builder, "doc", doc);
  rl_json_add_int (builder, "count", count);
  rl_json_add_int (builder, "connections", connections);
  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      const RlPerson *user = g_ptr_array_index (users, i);

      json_builder_begin_object (builder);
      rl_json_add_string (builder, "id", user->id);
      rl_json_add_string (builder, "name", user->name);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}

char *
rl_message_serialize_unread_hint (const char *doc)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_string (builder, "type", "unread-hint");
  rl_json_add_string (builder, "doc", doc);
  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}

char *
rl_message_serialize_batch (const char * const *events,
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

/* ---- reading it ------------------------------------------------------------ */

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
  g_clear_pointer (&message->read, rl_read_state_free);
  g_clear_pointer (&message->activity, rl_activity_free);
  g_clear_pointer (&message->unread, g_ptr_array_unref);
  g_clear_pointer (&message->activities, g_ptr_array_unref);
  g_free (message);
}

static void
person_free (RlPerson *person)
{
  rl_person_clear (person);
  g_free (person);
}

G_DEFINE_BOXED_TYPE (RlMessage, rl_message, rl_message_copy, rl_message_free)

static gpointer
copy_thread (gconstpointer thread,
             gpointer      data)
{
  return rl_thread_ref ((RlThread *) thread);
}

static gpointer
copy_person (gconstpointer person,
             gpointer      data)
{
  RlPerson *copy = g_new0 (RlPerson, 1);

  rl_person_copy_into (copy, person);
  return copy;
}

static gpointer
copy_message (gconstpointer message,
              gpointer      data)
{
  return rl_message_copy (message);
}

static gpointer
copy_activity (gconstpointer activity,
               gpointer      data)
{
  return rl_activity_copy (activity);
}

static gpointer
copy_unread (gconstpointer unread,
             gpointer      data)
{
  const RlActivityUnread *line = unread;
  RlActivityUnread *copy = g_new0 (RlActivityUnread, 1);

  rl_activity_doc_copy_into (&copy->doc, &line->doc);
  copy->counts = line->counts;
  return copy;
}

static RlReadState *
copy_read_state (const RlReadState *read)
{
  RlReadState *copy = rl_read_state_new (read->seq, read->since);

  for (guint i = 0; i < read->threads->len; i++)
    {
      const RlReadMarker *marker = g_ptr_array_index (read->threads, i);

      rl_read_state_add (copy, marker->thread, marker->seq);
    }
  return copy;
}

/* The arrays keep their free functions (g_ptr_array_copy takes them). */
RlMessage *
rl_message_copy (const RlMessage *message)
{
  RlMessage *copy;

  g_return_val_if_fail (message != NULL, NULL);

  copy = g_new (RlMessage, 1);
  *copy = *message;   /* the numbers and flags; what is owned follows */
  copy->tenant = g_strdup (message->tenant);
  rl_person_copy_into (&copy->user, &message->user);
  copy->connection = g_strdup (message->connection);
  copy->req = g_strdup (message->req);
  copy->error_message = g_strdup (message->error_message);
  copy->doc = g_strdup (message->doc);
  copy->threads = message->threads ? g_ptr_array_copy (message->threads, copy_thread, NULL) : NULL;
  copy->event = message->event ? rl_event_copy (message->event) : NULL;
  copy->users = message->users ? g_ptr_array_copy (message->users, copy_person, NULL) : NULL;
  copy->messages = message->messages ? g_ptr_array_copy (message->messages, copy_message, NULL) : NULL;
  copy->read = message->read ? copy_read_state (message->read) : NULL;
  copy->activity = message->activity ? rl_activity_copy (message->activity) : NULL;
  copy->unread = message->unread ? g_ptr_array_copy (message->unread, copy_unread, NULL) : NULL;
  copy->activities = message->activities ? g_ptr_array_copy (message->activities, copy_activity, NULL) : NULL;
  return copy;
}

static RlMessage *parse_message_object (JsonNode *node, GError **error);

static gpointer
unread_from_json (JsonNode  *node,
                  GError   **error)
{
  JsonObject *object = rl_json_object_of (node);
  g_autoptr(RlActivityUnread) line = g_new0 (RlActivityUnread, 1);
  JsonObject *doc;
  const char *id, *title, *kind;

  if (object == NULL || (doc = rl_json_object_of (rl_json_member (object, "doc"))) == NULL)
    {
      rl_json_fail (error, "an unread line must be an object with a doc");
      return NULL;
    }
  if (!rl_json_read_string (doc, "id", &id, error) ||
      !rl_json_read_string (doc, "title", &title, error) ||
      !rl_json_read_string (doc, "kind", &kind, error) ||
      !rl_unread_counts_from_json (node, &line->counts, error))
    return NULL;
  if (!rl_doc_kind_from_string (kind, &line->doc.kind))
    {
      rl_json_fail (error, "unknown document kind");
      return NULL;
    }
  line->doc.id = g_strdup (id);
  line->doc.title = g_strdup (title);
  return g_steal_pointer (&line);
}

/* {"type":"activity-snapshot","aseq":H,"reset"?,"unread":[…],"items":[…]}:
 * the items in order, each at most H. */
static gboolean
parse_activity_snapshot (JsonObject  *object,
                         RlMessage   *message,
                         GError     **error)
{
  JsonNode *reset = rl_json_member (object, "reset");

  message->type = RL_MESSAGE_ACTIVITY_SNAPSHOT;
  if (!rl_json_read_int (object, "aseq", &message->aseq, error))
    return FALSE;
  if (message->aseq < 0)
    return rl_json_fail (error, "“aseq” must be a non-negative integer");
  message->reset = rl_json_holds (reset, G_TYPE_BOOLEAN) && json_node_get_boolean (reset);
  message->unread = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_activity_unread_free);
  message->activities = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_activity_free);
  if (!rl_json_read_array (rl_json_member (object, "unread"), "“unread” must be an array",
                           unread_from_json, message->unread, error) ||
      !rl_json_read_array (rl_json_member (object, "items"), "“items” must be an array",
                           (RlJsonElementFromJson) rl_activity_new_from_json, message->activities, error))
    return FALSE;
  for (guint i = 0; i < message->activities->len; i++)
    {
      const RlActivity *item = g_ptr_array_index (message->activities, i);

      if (item->aseq > message->aseq ||
          (i > 0 && item->aseq <= ((RlActivity *) g_ptr_array_index (message->activities, i - 1))->aseq))
        return rl_json_fail (error, "a snapshot’s items are in order, none past its aseq");
    }
  return TRUE;
}

static gboolean
parse_message_fields (JsonNode   *node,
                      const char *type,
                      RlMessage  *message,
                      GError    **error)
{
  JsonObject *object = rl_json_object_of (node);

  if (g_str_equal (type, "welcome"))
    {
      JsonObject *user = rl_json_object_of (rl_json_member (object, "user"));
      const char *tenant, *connection, *role;
      gint64 protocol;

      message->type = RL_MESSAGE_WELCOME;
      if (!rl_json_read_int (object, "protocol", &protocol, error) ||
          !rl_json_read_string (object, "tenant", &tenant, error) ||
          !rl_json_read_string (object, "connection", &connection, error) ||
          !rl_json_read_time (object, "serverTime", FALSE, &message->server_time, error) ||
          !rl_json_read_person (rl_json_member (object, "user"), &message->user, error) ||
          !rl_json_read_string (user, "role", &role, error))
        return FALSE;
      if (!rl_role_from_string (role, &message->role))
        return rl_json_fail (error, "unknown role");
      if (json_object_has_member (object, "minor"))
        {
          gint64 minor;

          if (!rl_json_read_int (object, "minor", &minor, error))
            return FALSE;
          if (minor < 0 || minor > G_MAXINT)
            return rl_json_fail (error, "“minor” must be a non-negative integer");
          message->minor = (int) minor;
        }
      message->protocol = (int) protocol;
      message->tenant = g_strdup (tenant);
      message->connection = g_strdup (connection);
      return TRUE;
    }

  if (g_str_equal (type, "ack"))
    {
      JsonNode *ok = rl_json_member (object, "ok");
      const char *req;

      message->type = RL_MESSAGE_ACK;
      message->seq = -1;
      message->aseq = -1;
      if (!rl_json_read_optional_string (object, "req", &req, error))
        return FALSE;
      message->req = g_strdup (req);
      if (!rl_json_holds (ok, G_TYPE_BOOLEAN))
        return rl_json_fail (error, "“ok” must be a boolean");
      message->ok = json_node_get_boolean (ok);
      if (rl_json_member (object, "seq") && !rl_json_read_int (object, "seq", &message->seq, error))
        return FALSE;
      if (!rl_json_read_thread_number (object, &message->number, error))
        return FALSE;
      if (rl_json_member (object, "aseq"))
        {
          /* One error either way: a bad number is not also a negative one. */
          if (!rl_json_read_int (object, "aseq", &message->aseq, error))
            return FALSE;
          if (message->aseq < 0)
            return rl_json_fail (error, "“aseq” must be a non-negative integer");
        }
      if (rl_json_member (object, "read") &&
          (message->read = rl_read_state_from_json (rl_json_member (object, "read"), error)) == NULL)
        return FALSE;
      if (!message->ok)
        {
          JsonObject *err = rl_json_object_of (rl_json_member (object, "error"));
          const char *code, *text;

          if (err == NULL)
            return rl_json_fail (error, "a failed ack must carry an error");
          if (!rl_json_read_string (err, "code", &code, error) ||
              !rl_json_read_optional_string (err, "message", &text, error))
            return FALSE;
          if (!rl_error_code_from_string (code, &message->error_code))
            message->error_code = RL_ERROR_INTERNAL;
          message->error_message = g_strdup (text);
        }
      return TRUE;
    }

  if (g_str_equal (type, "snapshot"))
    {
      JsonNode *reset = rl_json_member (object, "reset");
      const char *doc;

      message->type = RL_MESSAGE_SNAPSHOT;
      if (!rl_json_read_string (object, "doc", &doc, error) ||
          !rl_json_read_int (object, "seq", &message->seq, error))
        return FALSE;
      if (json_object_has_member (object, "revision") &&
          !rl_json_read_revision (object, "revision", &message->revision, error))
        return FALSE;
      message->doc = g_strdup (doc);
      message->reset = rl_json_holds (reset, G_TYPE_BOOLEAN) && json_node_get_boolean (reset);
      message->threads = rl_json_read_threads (object, error);
      return message->threads != NULL;
    }

  if (g_str_equal (type, "presence"))
    {
      JsonNode *users = rl_json_member (object, "users");
      const char *doc;
      gint64 count, connections;

      message->type = RL_MESSAGE_PRESENCE;
      if (!rl_json_read_string (object, "doc", &doc, error) ||
          !rl_json_read_int (object, "count", &count, error) ||
          !rl_json_read_int (object, "connections", &connections, error))
        return FALSE;
      message->doc = g_strdup (doc);
      message->count = (guint) CLAMP (count, 0, G_MAXUINT);
      message->connections = (guint) CLAMP (connections, 0, G_MAXUINT);
      message->users = g_ptr_array_new_with_free_func ((GDestroyNotify) person_free);
      if (users == NULL || !JSON_NODE_HOLDS_ARRAY (users))
        return rl_json_fail (error, "“users” must be an array");
      for (guint i = 0; i < json_array_get_length (json_node_get_array (users)); i++)
        {
          RlPerson *person = g_new0 (RlPerson, 1);

          g_ptr_array_add (message->users, person);
          if (!rl_json_read_person (json_array_get_element (json_node_get_array (users), i), person, error))
            return FALSE;
        }
      return TRUE;
    }

  if (g_str_equal (type, "batch"))
    {
      JsonNode *events = rl_json_member (object, "events");

      message->type = RL_MESSAGE_BATCH;
      if (events == NULL || !JSON_NODE_HOLDS_ARRAY (events))
        return rl_json_fail (error, "“events” must be an array");
      message->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_message_free);
      for (guint i = 0; i < json_array_get_length (json_node_get_array (events)); i++)
        {
          JsonNode *inner = json_array_get_element (json_node_get_array (events), i);
          RlMessage *parsed;

          if (rl_json_object_of (inner) == NULL)
            return rl_json_fail (error, "a batch holds objects");
          parsed = parse_message_object (inner, error);
          if (parsed == NULL)
            return FALSE;
          g_ptr_array_add (message->messages, parsed);
          if (parsed->type == RL_MESSAGE_BATCH)
            return rl_json_fail (error, "a batch does not nest");
        }
      return TRUE;
    }

  if (g_str_equal (type, "activity"))
    {
      message->type = RL_MESSAGE_ACTIVITY;
      message->activity = rl_activity_new_from_json (node, error);
      if (message->activity == NULL)
        return FALSE;
      message->aseq = message->activity->aseq;
      return TRUE;
    }

  if (g_str_equal (type, "activity-snapshot"))
    return parse_activity_snapshot (object, message, error);

  if (g_str_equal (type, "unread-hint"))
    {
      const char *doc;

      message->type = RL_MESSAGE_UNREAD_HINT;
      if (!rl_json_read_string (object, "doc", &doc, error))
        return FALSE;
      message->doc = g_strdup (doc);
      return TRUE;
    }

  message->type = RL_MESSAGE_EVENT;
  message->event = rl_event_from_json (node, error);
  if (message->event == NULL)
    return FALSE;
  message->doc = g_strdup (message->event->doc);
  message->seq = message->event->seq;
  return TRUE;
}

/* node holds an object. */
static RlMessage *
parse_message_object (JsonNode  *node,
                      GError   **error)
{
  g_autoptr(RlMessage) message = g_new0 (RlMessage, 1);
  const char *type;

  if (!rl_json_read_string (rl_json_object_of (node), "type", &type, error) ||
      !parse_message_fields (node, type, message, error))
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

  if (root == NULL)
    {
      rl_json_fail (error, "not valid JSON: %s", local_error->message);
      return NULL;
    }
  if (rl_json_object_of (root) == NULL)
    {
      rl_json_fail (error, "a message must be a JSON object");
      return NULL;
    }
  return parse_message_object (root, error);
}

