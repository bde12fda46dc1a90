/* rl-event.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-event.h"

#include "rl-json-private.h"

static const char *change_names[] = {
  NULL, "comment-added", "comment-edited", "comment-deleted", "resolved", "moved",
};

/* [event kind][doc kind] — PROTOCOL.md §4 */
static const char *event_names[3][2] = {
  { "new-image-chat", "new-text-chat" },
  { "image-chat-updated", "updated-text-chat" },
  { "deleted-image-chat", "deleted-text-chat" },
};

RlEvent *
rl_event_new (RlEventKind kind,
              RlDocKind   doc_kind)
{
  RlEvent *event = g_new0 (RlEvent, 1);

  event->kind = kind;
  event->doc_kind = doc_kind;
  return event;
}

G_DEFINE_BOXED_TYPE (RlEvent, rl_event, rl_event_copy, rl_event_free)

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
  g_clear_pointer (&event->added, rl_revision_free);
  g_clear_pointer (&event->placements, g_ptr_array_unref);
  g_clear_pointer (&event->placed, g_ptr_array_unref);
  g_free (event);
}

void
rl_event_add_placement (RlEvent                *event,
                        const char             *thread_id,
                        const RlRevisionAnchor *placement)
{
  g_return_if_fail (event->kind == RL_EVENT_REVISION_ADDED);

  if (event->placements == NULL)
    {
      event->placements = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_revision_anchor_free);
      event->placed = g_ptr_array_new_with_free_func (g_free);
    }
  g_ptr_array_add (event->placements, rl_revision_anchor_copy (placement));
  g_ptr_array_add (event->placed, g_strdup (thread_id));
}

RlEvent *
rl_event_copy (const RlEvent *event)
{
  RlEvent *copy;

  g_return_val_if_fail (event != NULL, NULL);

  copy = rl_event_new (event->kind, event->doc_kind);
  copy->doc = g_strdup (event->doc);
  copy->seq = event->seq;
  copy->broadcast_id = g_strdup (event->broadcast_id);
  copy->thread = event->thread ? rl_thread_ref (event->thread) : NULL;
  copy->thread_id = g_strdup (event->thread_id);
  copy->change = event->change;
  copy->comment = event->comment ? rl_comment_copy (event->comment) : NULL;
  copy->comment_id = g_strdup (event->comment_id);
  copy->resolved = event->resolved;
  rl_person_copy_into (&copy->by, &event->by);
  rl_anchor_copy_into (&copy->anchor, &event->anchor);
  copy->revision = event->revision;
  copy->added = event->added ? rl_revision_copy (event->added) : NULL;
  for (guint i = 0; event->placements != NULL && i < event->placements->len; i++)
    rl_event_add_placement (copy, g_ptr_array_index (event->placed, i), g_ptr_array_index (event->placements, i));
  return copy;
}

/* A comment the request makes: by the context's person, made now. */
/* A comment's mentions become the request's (none when it has none). */
static void
copy_mentions (RlComment       *comment,
               const RlRequest *request)
{
  g_ptr_array_set_size (comment->mentions, 0);
  for (guint i = 0; request->mentions != NULL && i < request->mentions->len; i++)
    g_ptr_array_add (comment->mentions, rl_mention_copy (g_ptr_array_index (request->mentions, i)));
}

static RlComment *
new_comment (const RlRequest      *request,
             const RlEventContext *context)
{
  RlComment *comment = rl_comment_new ();

  comment->id = g_strdup (request->comment_id);
  comment->thread = g_strdup (request->thread_id);
  if (context->by)
    rl_person_copy_into (&comment->author, context->by);
  comment->body = g_strdup (request->body);
  comment->created_at = context->now;
  copy_mentions (comment, request);
  return comment;
}

RlEvent *
rl_event_new_for_request (const RlRequest      *request,
                          const RlEventContext *context)
{
  g_autoptr(RlEvent) event = NULL;
  RlEventKind kind;

  g_return_val_if_fail (request != NULL && context != NULL, NULL);
  g_return_val_if_fail (rl_request_type_is_mutation (request->type), NULL);

  if (request->type == RL_REQUEST_CREATE_THREAD)
    kind = RL_EVENT_CREATED;
  else if (request->type == RL_REQUEST_DELETE_THREAD)
    kind = RL_EVENT_DELETED;
  else
    kind = RL_EVENT_UPDATED;
  event = rl_event_new (kind, context->doc_kind);
  event->doc = g_strdup (context->doc);
  event->broadcast_id = g_strdup (request->broadcast_id);
  event->thread_id = g_strdup (request->thread_id);

  switch (request->type)
    {
    case RL_REQUEST_CREATE_THREAD:
      event->thread = rl_thread_new ();
      event->thread->id = g_strdup (request->thread_id);
      event->thread->doc = g_strdup (context->doc);
      event->thread->number = context->number;
      rl_anchor_copy_into (&event->thread->anchor, &request->anchor);
      if (context->by)
        rl_person_copy_into (&event->thread->created_by, context->by);
      event->thread->created_at = event->thread->updated_at = context->now;
      g_ptr_array_add (event->thread->comments, new_comment (request, context));
      if (context->revision > 0)
        {
          RlRevisionAnchor *placement = rl_revision_anchor_new ();

          placement->revision = context->revision;
          placement->status = RL_PLACEMENT_EXACT;
          rl_anchor_copy_into (&placement->anchor, &request->anchor);
          event->thread->revision = context->revision;
          g_ptr_array_add (event->thread->placements, placement);
        }
      break;

    case RL_REQUEST_ADD_COMMENT:
      event->change = RL_CHANGE_COMMENT_ADDED;
      event->comment = new_comment (request, context);
      break;

    case RL_REQUEST_EDIT_COMMENT:
      event->change = RL_CHANGE_COMMENT_EDITED;
      event->comment = context->comment ? rl_comment_copy (context->comment)
                                        : new_comment (request, context);
      g_free (event->comment->body);
      event->comment->body = g_strdup (request->body);
      event->comment->edited_at = context->now;
      copy_mentions (event->comment, request);
      break;

    case RL_REQUEST_DELETE_COMMENT:
      event->change = RL_CHANGE_COMMENT_DELETED;
      event->comment_id = g_strdup (request->comment_id);
      break;

    case RL_REQUEST_RESOLVE_THREAD:
      event->change = RL_CHANGE_RESOLVED;
      event->resolved = request->resolved;
      if (context->by)
        rl_person_copy_into (&event->by, context->by);
      break;

    case RL_REQUEST_MOVE_THREAD:
    case RL_REQUEST_PLACE_THREAD:
      event->change = RL_CHANGE_MOVED;
      if (request->has_anchor)
        rl_anchor_copy_into (&event->anchor, &request->anchor);
      else if (context->placement != NULL)
        rl_anchor_copy_into (&event->anchor, &context->placement->anchor);
      event->revision = context->revision;
      if (context->revision > 0 && context->by)
        rl_person_copy_into (&event->by, context->by);
      break;

    case RL_REQUEST_DELETE_THREAD:
      break;

    case RL_REQUEST_SUBSCRIBE:
    case RL_REQUEST_UNSUBSCRIBE:
    default:
      g_assert_not_reached ();
    }

  return g_steal_pointer (&event);
}

void
rl_event_set_seq (RlEvent *event,
                  gint64   seq)
{
  event->seq = seq;
  if (event->kind == RL_EVENT_CREATED && event->thread->comments->len > 0)
    ((RlComment *) g_ptr_array_index (event->thread->comments, 0))->seq = seq;
  else if (event->kind == RL_EVENT_UPDATED && event->change == RL_CHANGE_COMMENT_ADDED)
    event->comment->seq = seq;
}

const char *
rl_event_type_name (RlEventKind kind,
                    RlDocKind   doc_kind)
{
  g_return_val_if_fail (kind <= RL_EVENT_REVISION_ADDED && doc_kind <= RL_DOC_KIND_PAGE, NULL);
  if (kind == RL_EVENT_REVISION_ADDED)
    return "revision-added";
  return event_names[kind][doc_kind];
}

char *
rl_event_serialize (const RlEvent *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  rl_json_add_string (builder, "type", rl_event_type_name (event->kind, event->doc_kind));
  rl_json_add_string (builder, "doc", event->doc);
  rl_json_add_int (builder, "seq", event->seq);
  rl_json_add_string (builder, "broadcastId", event->broadcast_id);

  switch (event->kind)
    {
    case RL_EVENT_CREATED:
      json_builder_set_member_name (builder, "thread");
      rl_json_build_thread (builder, event->thread);
      break;

    case RL_EVENT_UPDATED:
      rl_json_add_string (builder, "thread", event->thread_id);
      json_builder_set_member_name (builder, "change");
      json_builder_begin_object (builder);
      rl_json_add_string (builder, "kind", change_names[event->change]);
      switch (event->change)
        {
        case RL_CHANGE_COMMENT_ADDED:
        case RL_CHANGE_COMMENT_EDITED:
          json_builder_set_member_name (builder, "comment");
          rl_json_build_comment (builder, event->comment);
          break;
        case RL_CHANGE_COMMENT_DELETED:
          rl_json_add_string (builder, "comment", event->comment_id);
          break;
        case RL_CHANGE_RESOLVED:
          json_builder_set_member_name (builder, "resolved");
          json_builder_add_boolean_value (builder, event->resolved);
          rl_json_add_person (builder, "by", &event->by);
          break;
        case RL_CHANGE_MOVED:
          rl_json_add_node (builder, "anchor", rl_anchor_to_json (&event->anchor));
          if (event->revision > 0)
            {
              rl_json_add_int (builder, "revision", event->revision);
              rl_json_add_string (builder, "status", rl_placement_status_to_string (RL_PLACEMENT_EXACT));
              if (event->by.id)
                rl_json_add_person (builder, "by", &event->by);
            }
          break;
        case RL_CHANGE_NONE:
        default:
          g_assert_not_reached ();
        }
      json_builder_end_object (builder);
      break;

    case RL_EVENT_DELETED:
      rl_json_add_string (builder, "thread", event->thread_id);
      break;

    case RL_EVENT_REVISION_ADDED:
      rl_json_add_node (builder, "revision", rl_revision_to_json (event->added, event->doc_kind));
      json_builder_set_member_name (builder, "placements");
      json_builder_begin_array (builder);
      for (guint i = 0; event->placements != NULL && i < event->placements->len; i++)
        json_builder_add_value (builder, rl_revision_anchor_to_json (g_ptr_array_index (event->placements, i),
                                                                     g_ptr_array_index (event->placed, i)));
      json_builder_end_array (builder);
      break;

    default:
      g_assert_not_reached ();
    }

  json_builder_end_object (builder);
  return rl_json_builder_to_string (builder, NULL);
}

/* A revision-added's revision and placements: each names a thread once,
 * each is on the new revision, each anchor of the document's kind. */
static gboolean
read_revision_added (JsonObject  *object,
                     RlEvent     *event,
                     GError     **error)
{
  JsonObject *revision = rl_json_object_of (rl_json_member (object, "revision"));
  JsonNode *placements = rl_json_member (object, "placements");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *mime;
  RlDocKind kind;
  JsonArray *array;

  /* The kind comes from the revision's type: the event's name is the
   * same for images and pages. */
  if (revision == NULL)
    return rl_json_fail (error, "“revision” must be a revision object");
  if (!rl_json_read_string (revision, "mime", &mime, error))
    return FALSE;
  if (!rl_doc_kind_for_mime (mime, &kind))
    return rl_json_fail (error, "a revision’s “mime” must be a supported type");
  event->doc_kind = kind;
  event->added = rl_revision_from_json (rl_json_member (object, "revision"), kind, error);
  if (event->added == NULL)
    return FALSE;
  if (placements == NULL || !JSON_NODE_HOLDS_ARRAY (placements))
    return rl_json_fail (error, "“placements” must be an array");
  array = json_node_get_array (placements);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(RlRevisionAnchor) placement = rl_revision_anchor_from_json (element, error);
      g_autofree char *thread_id = NULL;

      if (placement == NULL ||
          !rl_json_read_uuid (json_node_get_object (element), "thread", &thread_id, error))
        return FALSE;
      if (placement->revision != event->added->revision)
        return rl_json_fail (error, "a placement of revision-added must be on the new revision");
      if (placement->status != RL_PLACEMENT_ORPHANED && placement->anchor.kind != kind)
        return rl_json_fail (error, "a placement’s anchor must be of the document’s kind");
      if (!g_hash_table_add (seen, g_strdup (thread_id)))
        return rl_json_fail (error, "a thread is placed twice");
      rl_event_add_placement (event, thread_id, placement);
    }
  return TRUE;
}

gboolean
rl_event_text_is_v11_only (const char *serialized)
{
  return serialized != NULL && g_str_has_prefix (serialized, "{\"type\":\"revision-added\"");
}

/* The members of an event object, its kinds set. */
static gboolean
read_event_fields (JsonObject  *object,
                   RlEvent     *event,
                   GError     **error)
{
  const char *doc, *broadcast_id;

  if (!rl_json_read_string (object, "doc", &doc, error) ||
      !rl_json_read_int (object, "seq", &event->seq, error) ||
      !rl_json_read_optional_string (object, "broadcastId", &broadcast_id, error))
    return FALSE;
  event->doc = g_strdup (doc);
  event->broadcast_id = g_strdup (broadcast_id);

  if (event->kind == RL_EVENT_REVISION_ADDED)
    return read_revision_added (object, event, error);

  if (event->kind == RL_EVENT_CREATED)
    {
      event->thread = rl_thread_from_json (rl_json_member (object, "thread"), error);
      if (event->thread == NULL)
        return FALSE;
      event->thread_id = g_strdup (event->thread->id);
    }
  else
    {
      const char *thread_id;

      if (!rl_json_read_string (object, "thread", &thread_id, error))
        return FALSE;
      event->thread_id = g_strdup (thread_id);
    }

  if (event->kind == RL_EVENT_UPDATED)
    {
      JsonObject *change = rl_json_object_of (rl_json_member (object, "change"));
      const char *change_kind;
      int found = -1;

      if (change == NULL)
        return rl_json_fail (error, "“change” must be an object with a kind");
      if (!rl_json_read_string (change, "kind", &change_kind, error))
        return FALSE;
      for (guint i = 1; i < G_N_ELEMENTS (change_names); i++)
        if (g_str_equal (change_kind, change_names[i]))
          found = (int) i;
      if (found < 0)
        return rl_json_fail (error, "unknown change “%s”", change_kind);
      event->change = (RlChangeKind) found;

      switch (event->change)
        {
        case RL_CHANGE_COMMENT_ADDED:
        case RL_CHANGE_COMMENT_EDITED:
          event->comment = rl_comment_from_json (rl_json_member (change, "comment"), error);
          if (event->comment == NULL)
            return FALSE;
          break;
        case RL_CHANGE_COMMENT_DELETED:
          {
            const char *comment_id;

            if (!rl_json_read_string (change, "comment", &comment_id, error))
              return FALSE;
            event->comment_id = g_strdup (comment_id);
          }
          break;
        case RL_CHANGE_RESOLVED:
          if (!rl_json_holds (rl_json_member (change, "resolved"), G_TYPE_BOOLEAN))
            return rl_json_fail (error, "“resolved” must be a boolean");
          event->resolved = json_node_get_boolean (rl_json_member (change, "resolved"));
          if (!rl_json_read_person (rl_json_member (change, "by"), &event->by, error))
            return FALSE;
          break;
        case RL_CHANGE_MOVED:
          if (!rl_anchor_from_json (rl_json_member (change, "anchor"), &event->anchor, error))
            return FALSE;
          if (json_object_has_member (change, "revision"))
            {
              JsonNode *by = rl_json_member (change, "by");

              if (!rl_json_read_revision (change, "revision", &event->revision, error))
                return FALSE;
              if (by != NULL && !rl_json_read_person (by, &event->by, error))
                return FALSE;
            }
          break;
        case RL_CHANGE_NONE:
        default:
          g_assert_not_reached ();
        }
    }

  return TRUE;
}

RlEvent *
rl_event_from_json (JsonNode  *node,
                    GError   **error)
{
  JsonObject *object = rl_json_object_of (node);
  g_autoptr(RlEvent) event = NULL;
  const char *type;
  int kind = -1, doc_kind = -1;

  if (object == NULL)
    {
      rl_json_fail (error, "an event must be an object");
      return NULL;
    }
  if (!rl_json_read_string (object, "type", &type, error))
    return NULL;
  if (g_str_equal (type, "revision-added"))
    {
      kind = RL_EVENT_REVISION_ADDED;
      doc_kind = RL_DOC_KIND_IMAGE;   /* read from the revision */
    }
  for (guint k = 0; k < 3; k++)
    for (guint d = 0; d < 2; d++)
      if (g_str_equal (type, event_names[k][d]))
        {
          kind = (int) k;
          doc_kind = (int) d;
        }
  if (kind < 0)
    {
      rl_json_fail (error, "unknown message type “%s”", type);
      return NULL;
    }

  event = rl_event_new ((RlEventKind) kind, (RlDocKind) doc_kind);
  if (!read_event_fields (object, event, error))
    return NULL;
  return g_steal_pointer (&event);
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

/* Sets thread's placement on placement's revision: replaces the one it
 * has there, or follows its last; FALSE for any other revision. */
static gboolean
set_placement (RlThread               *thread,
               const RlRevisionAnchor *placement)
{
  RlRevisionAnchor *copy;
  gint64 next = thread->revision + thread->placements->len;

  if (thread->revision <= 0 || placement->revision < thread->revision || placement->revision > next)
    return FALSE;
  copy = rl_revision_anchor_copy (placement);
  if (placement->revision == next)
    g_ptr_array_add (thread->placements, copy);
  else
    {
      guint i = (guint) (placement->revision - thread->revision);

      rl_revision_anchor_free (g_ptr_array_index (thread->placements, i));
      g_ptr_array_index (thread->placements, i) = copy;
    }
  /* The v1 anchor: the latest placement that has one. */
  for (guint i = thread->placements->len; i > 0; i--)
    {
      RlRevisionAnchor *last = g_ptr_array_index (thread->placements, i - 1);

      if (last->status != RL_PLACEMENT_ORPHANED)
        {
          if (!rl_anchor_equal (&thread->anchor, &last->anchor))
            {
              rl_anchor_clear (&thread->anchor);
              rl_anchor_copy_into (&thread->anchor, &last->anchor);
            }
          break;
        }
    }
  return TRUE;
}

static gboolean
apply_revision_added (const RlEvent *event,
                      GPtrArray     *threads)
{
  for (guint i = 0; event->placements != NULL && i < event->placements->len; i++)
    {
      gboolean found;
      guint index = rl_event_find_thread (threads, g_ptr_array_index (event->placed, i), &found);
      RlThread *thread;
      RlRevisionAnchor *placement = g_ptr_array_index (event->placements, i);

      if (!found)
        return FALSE;
      thread = g_ptr_array_index (threads, index);
      if (placement->revision != thread->revision + thread->placements->len || !set_placement (thread, placement))
        return FALSE;
    }
  return TRUE;
}

gboolean
rl_event_apply (const RlEvent *event,
                GPtrArray     *threads)
{
  gboolean found;
  guint index;
  RlThread *thread;

  if (event->kind == RL_EVENT_REVISION_ADDED)
    return apply_revision_added (event, threads);
  index = rl_event_find_thread (threads, event->thread_id, &found);

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
      if (event->revision > 0 && thread->revision > 0)
        {
          RlRevisionAnchor placement = {
            .revision = event->revision,
            .status = RL_PLACEMENT_EXACT,
            .anchor = event->anchor,
            .by = event->by,
          };

          return set_placement (thread, &placement);
        }
      rl_anchor_clear (&thread->anchor);
      rl_anchor_copy_into (&thread->anchor, &event->anchor);
      return TRUE;
    case RL_CHANGE_NONE:
    default:
      return FALSE;
    }
}
