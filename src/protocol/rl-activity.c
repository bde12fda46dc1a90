/* rl-activity.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-activity.h"

#include <string.h>

#include "rl-json-private.h"

static const char *kind_names[] = { "mention", "reply", "resolved", "revision", "read" };

G_DEFINE_BOXED_TYPE (RlActivity, rl_activity, rl_activity_copy, rl_activity_free)

const char *
rl_activity_kind_to_string (RlActivityKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (kind_names), "read");
  return kind_names[kind];
}

gboolean
rl_activity_kind_from_string (const char     *str,
                              RlActivityKind *kind)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (str, kind_names[i]))
      {
        *kind = (RlActivityKind) i;
        return TRUE;
      }
  return FALSE;
}

void
rl_activity_doc_clear (RlActivityDoc *doc)
{
  g_clear_pointer (&doc->id, g_free);
  g_clear_pointer (&doc->title, g_free);
}

void
rl_activity_doc_copy_into (RlActivityDoc       *dest,
                           const RlActivityDoc *src)
{
  dest->id = g_strdup (src->id);
  dest->title = g_strdup (src->title);
  dest->kind = src->kind;
}

RlActivity *
rl_activity_new (RlActivityKind kind)
{
  RlActivity *activity = g_new0 (RlActivity, 1);

  activity->kind = kind;
  return activity;
}

RlActivity *
rl_activity_copy (const RlActivity *activity)
{
  RlActivity *copy = g_new0 (RlActivity, 1);

  *copy = *activity;   /* the numbers and flags; what is owned follows */
  rl_person_copy_into (&copy->actor, &activity->actor);
  rl_activity_doc_copy_into (&copy->doc, &activity->doc);
  copy->thread = g_strdup (activity->thread);
  copy->comment = activity->comment ? rl_comment_copy (activity->comment) : NULL;
  copy->broadcast_id = g_strdup (activity->broadcast_id);
  return copy;
}

void
rl_activity_free (RlActivity *activity)
{
  if (activity == NULL)
    return;
  rl_person_clear (&activity->actor);
  rl_activity_doc_clear (&activity->doc);
  g_free (activity->thread);
  g_clear_pointer (&activity->comment, rl_comment_free);
  g_free (activity->broadcast_id);
  g_free (activity);
}

/* What each kind carries beyond aseq, kind, at, actor and doc. */
static gboolean
kind_has_thread (RlActivityKind kind)
{
  return kind == RL_ACTIVITY_MENTION || kind == RL_ACTIVITY_REPLY || kind == RL_ACTIVITY_RESOLVED;
}

static gboolean
kind_has_comment (RlActivityKind kind)
{
  return kind == RL_ACTIVITY_MENTION || kind == RL_ACTIVITY_REPLY;
}

static void
build_doc (JsonBuilder         *builder,
           const RlActivityDoc *doc)
{
  json_builder_set_member_name (builder, "doc");
  json_builder_begin_object (builder);
  rl_json_add_string (builder, "id", doc->id);
  rl_json_add_string (builder, "title", doc->title);
  rl_json_add_string (builder, "kind", rl_doc_kind_to_string (doc->kind));
  json_builder_end_object (builder);
}

static gboolean
read_doc (JsonNode       *node,
          RlActivityDoc  *doc,
          GError        **error)
{
  JsonObject *object = rl_json_object_of (node);
  const char *id, *title, *kind;

  if (object == NULL)
    return rl_json_fail (error, "“doc” must be an object with id, title and kind");
  if (!rl_json_read_string (object, "id", &id, error) ||
      !rl_json_read_string (object, "title", &title, error) ||
      !rl_json_read_string (object, "kind", &kind, error))
    return FALSE;
  if (!rl_doc_kind_from_string (kind, &doc->kind))
    return rl_json_fail (error, "unknown document kind");
  doc->id = g_strdup (id);
  doc->title = g_strdup (title);
  return TRUE;
}

JsonNode *
rl_activity_to_json (const RlActivity *activity)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_string (builder, "type", "activity");
  rl_json_add_int (builder, "aseq", activity->aseq);
  rl_json_add_string (builder, "kind", rl_activity_kind_to_string (activity->kind));
  rl_json_add_time (builder, "at", activity->at, FALSE);
  rl_json_add_person (builder, "actor", &activity->actor);
  build_doc (builder, &activity->doc);
  if (activity->kind != RL_ACTIVITY_READ)
    rl_json_add_int (builder, "docSeq", activity->doc_seq);
  if (activity->thread != NULL && (kind_has_thread (activity->kind) || activity->kind == RL_ACTIVITY_READ))
    {
      rl_json_add_string (builder, "thread", activity->thread);
      if (activity->thread_number > 0)
        rl_json_add_int (builder, "threadNumber", activity->thread_number);
    }
  if (kind_has_comment (activity->kind) && activity->comment != NULL)
    {
      json_builder_set_member_name (builder, "comment");
      rl_json_build_comment (builder, activity->comment);
    }
  switch (activity->kind)
    {
    case RL_ACTIVITY_RESOLVED:
      json_builder_set_member_name (builder, "resolved");
      json_builder_add_boolean_value (builder, activity->resolved);
      break;
    case RL_ACTIVITY_REVISION:
      rl_json_add_int (builder, "revision", activity->revision);
      break;
    case RL_ACTIVITY_READ:
      rl_json_add_int (builder, "seq", activity->seq);
      rl_json_add_string (builder, "broadcastId", activity->broadcast_id);
      break;
    case RL_ACTIVITY_MENTION:
    case RL_ACTIVITY_REPLY:
    default:
      break;
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

char *
rl_activity_serialize (const RlActivity *activity)
{
  g_autoptr(JsonNode) node = rl_activity_to_json (activity);

  return rl_json_to_string (node, NULL);
}

static gboolean
read_non_negative (JsonObject  *object,
                   const char  *name,
                   gint64      *out,
                   GError     **error)
{
  if (!rl_json_read_int (object, name, out, error))
    return FALSE;
  if (*out < 0)
    return rl_json_fail (error, "“%s” must be a non-negative integer", name);
  return TRUE;
}

RlActivity *
rl_activity_new_from_json (JsonNode  *node,
                           GError   **error)
{
  JsonObject *object = rl_json_object_of (node);
  g_autoptr(RlActivity) activity = NULL;
  const char *type, *kind, *thread, *broadcast_id;
  RlActivityKind activity_kind;

  if (object == NULL)
    {
      rl_json_fail (error, "an activity item must be an object");
      return NULL;
    }
  if (!rl_json_read_optional_string (object, "type", &type, error))
    return NULL;
  if (type != NULL && !g_str_equal (type, "activity"))
    {
      rl_json_fail (error, "an activity item’s type is “activity”");
      return NULL;
    }
  if (!rl_json_read_string (object, "kind", &kind, error))
    return NULL;
  if (!rl_activity_kind_from_string (kind, &activity_kind))
    {
      rl_json_fail (error, "unknown activity kind");
      return NULL;
    }
  activity = rl_activity_new (activity_kind);
  if (!rl_json_read_int (object, "aseq", &activity->aseq, error) ||
      !rl_json_read_time (object, "at", FALSE, &activity->at, error) ||
      !rl_json_read_person (rl_json_member (object, "actor"), &activity->actor, error) ||
      !read_doc (rl_json_member (object, "doc"), &activity->doc, error))
    return NULL;
  if (activity->aseq < 1)
    {
      rl_json_fail (error, "“aseq” must be a positive integer");
      return NULL;
    }
  if (activity_kind != RL_ACTIVITY_READ && !read_non_negative (object, "docSeq", &activity->doc_seq, error))
    return NULL;

  if (kind_has_thread (activity_kind) || activity_kind == RL_ACTIVITY_READ)
    {
      if (!(activity_kind == RL_ACTIVITY_READ
              ? rl_json_read_optional_string (object, "thread", &thread, error)
              : rl_json_read_string (object, "thread", &thread, error)))
        return NULL;
      activity->thread = g_strdup (thread);
      if (json_object_has_member (object, "threadNumber"))
        {
          JsonNode *number = rl_json_member (object, "threadNumber");

          if (!rl_json_holds (number, G_TYPE_INT64) || json_node_get_int (number) < 1)
            {
              rl_json_fail (error, "“threadNumber” must be a positive integer");
              return NULL;
            }
          activity->thread_number = json_node_get_int (number);
        }
    }
  if (kind_has_comment (activity_kind))
    {
      activity->comment = rl_comment_from_json (rl_json_member (object, "comment"), error);
      if (activity->comment == NULL)
        return NULL;
    }

  switch (activity_kind)
    {
    case RL_ACTIVITY_RESOLVED:
      {
        JsonNode *resolved = rl_json_member (object, "resolved");

        if (!rl_json_holds (resolved, G_TYPE_BOOLEAN))
          {
            rl_json_fail (error, "“resolved” must be a boolean");
            return NULL;
          }
        activity->resolved = json_node_get_boolean (resolved);
      }
      break;
    case RL_ACTIVITY_REVISION:
      if (!rl_json_read_revision (object, "revision", &activity->revision, error))
        return NULL;
      break;
    case RL_ACTIVITY_READ:
      if (!read_non_negative (object, "seq", &activity->seq, error) ||
          !rl_json_read_string (object, "broadcastId", &broadcast_id, error))
        return NULL;
      activity->broadcast_id = g_strdup (broadcast_id);
      break;
    case RL_ACTIVITY_MENTION:
    case RL_ACTIVITY_REPLY:
    default:
      break;
    }
  return g_steal_pointer (&activity);
}

void
rl_activity_unread_free (RlActivityUnread *unread)
{
  if (unread == NULL)
    return;
  rl_activity_doc_clear (&unread->doc);
  g_free (unread);
}

/* ---- read state ---------------------------------------------------------- */

static void
read_marker_free (RlReadMarker *marker)
{
  g_free (marker->thread);
  g_free (marker);
}

RlReadState *
rl_read_state_new (gint64 seq,
                   gint64 since)
{
  RlReadState *state = g_new0 (RlReadState, 1);

  state->seq = seq;
  state->since = since;
  state->threads = g_ptr_array_new_with_free_func ((GDestroyNotify) read_marker_free);
  return state;
}

void
rl_read_state_free (RlReadState *state)
{
  if (state == NULL)
    return;
  g_ptr_array_unref (state->threads);
  g_free (state);
}

void
rl_read_state_add (RlReadState *state,
                   const char  *thread,
                   gint64       seq)
{
  RlReadMarker *marker = g_new0 (RlReadMarker, 1);
  guint i = 0;

  while (i < state->threads->len &&
         strcmp (((RlReadMarker *) g_ptr_array_index (state->threads, i))->thread, thread) < 0)
    i++;
  marker->thread = g_strdup (thread);
  marker->seq = seq;
  g_ptr_array_insert (state->threads, (int) i, marker);
}

JsonNode *
rl_read_state_to_json (const RlReadState *state)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_int (builder, "seq", state->seq);
  json_builder_set_member_name (builder, "threads");
  json_builder_begin_object (builder);
  for (guint i = 0; i < state->threads->len; i++)
    {
      const RlReadMarker *marker = g_ptr_array_index (state->threads, i);

      rl_json_add_int (builder, marker->thread, marker->seq);
    }
  json_builder_end_object (builder);
  rl_json_add_time (builder, "since", state->since, FALSE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

RlReadState *
rl_read_state_from_json (JsonNode  *node,
                         GError   **error)
{
  JsonObject *object = rl_json_object_of (node), *threads;
  g_autoptr(RlReadState) state = NULL;
  g_autoptr(GList) names = NULL;
  gint64 seq, since;

  if (object == NULL)
    {
      rl_json_fail (error, "“read” must be an object with seq, threads and since");
      return NULL;
    }
  if (!read_non_negative (object, "seq", &seq, error) ||
      !rl_json_read_time (object, "since", FALSE, &since, error))
    return NULL;
  threads = rl_json_object_of (rl_json_member (object, "threads"));
  if (threads == NULL)
    {
      rl_json_fail (error, "“read.threads” must be an object");
      return NULL;
    }
  state = rl_read_state_new (seq, since);
  names = json_object_get_members (threads);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *marker = json_object_get_member (threads, l->data);

      if (!g_utf8_validate (l->data, -1, NULL) ||
          !rl_json_holds (marker, G_TYPE_INT64) || json_node_get_int (marker) <= seq)
        {
          rl_json_fail (error, "a thread’s read marker must be an integer above the floor");
          return NULL;
        }
      rl_read_state_add (state, l->data, json_node_get_int (marker));
    }
  return g_steal_pointer (&state);
}

/* ---- activity-snapshot ------------------------------------------------- */

char *
rl_activity_snapshot_serialize (gint64              aseq,
                                gboolean            reset,
                                GPtrArray          *unread,
                                const char * const *items,
                                guint               n_items)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *head = NULL;
  gsize length;
  GString *out;

  json_builder_begin_object (builder);
  rl_json_add_string (builder, "type", "activity-snapshot");
  rl_json_add_int (builder, "aseq", aseq);
  if (reset)
    {
      json_builder_set_member_name (builder, "reset");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_set_member_name (builder, "unread");
  json_builder_begin_array (builder);
  for (guint i = 0; unread != NULL && i < unread->len; i++)
    {
      const RlActivityUnread *line = g_ptr_array_index (unread, i);

      json_builder_begin_object (builder);
      build_doc (builder, &line->doc);
      rl_json_add_int (builder, "threads", line->counts.threads);
      rl_json_add_int (builder, "comments", line->counts.comments);
      rl_json_add_int (builder, "mentions", line->counts.mentions);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  head = rl_json_builder_to_string (builder, &length);

  /* The items are already serialized: splice them, never re-encode. */
  out = g_string_new_len (head, length - 1);   /* without its closing brace */
  g_string_append (out, ",\"items\":[");
  for (guint i = 0; i < n_items; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, items[i]);
    }
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}
