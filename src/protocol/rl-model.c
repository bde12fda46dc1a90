/* rl-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-model.h"

#include <string.h>

G_DEFINE_BOXED_TYPE (RlThread, rl_thread, rl_thread_ref, rl_thread_unref)
G_DEFINE_BOXED_TYPE (RlRevision, rl_revision, rl_revision_copy, rl_revision_free)

G_DEFINE_ENUM_TYPE (RlPlacementStatus, rl_placement_status,
                    G_DEFINE_ENUM_VALUE (RL_PLACEMENT_EXACT, "exact"),
                    G_DEFINE_ENUM_VALUE (RL_PLACEMENT_MOVED, "moved"),
                    G_DEFINE_ENUM_VALUE (RL_PLACEMENT_CHANGED, "changed"),
                    G_DEFINE_ENUM_VALUE (RL_PLACEMENT_ORPHANED, "orphaned"))

static const char *role_names[] = { "viewer", "member", "admin" };
static const char *status_names[] = { "exact", "moved", "changed", "orphaned" };
static const char *kind_names[] = { "image", "page" };

const char *
rl_role_to_string (RlRole role)
{
  g_return_val_if_fail (role <= RL_ROLE_ADMIN, "viewer");
  return role_names[role];
}

gboolean
rl_role_from_string (const char *str,
                     RlRole     *role)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (role_names); i++)
    {
      if (g_str_equal (str, role_names[i]))
        {
          *role = (RlRole) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
rl_doc_kind_to_string (RlDocKind kind)
{
  g_return_val_if_fail (kind <= RL_DOC_KIND_PAGE, "image");
  return kind_names[kind];
}

gboolean
rl_doc_kind_from_string (const char *str,
                         RlDocKind  *kind)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (kind_names); i++)
    {
      if (g_str_equal (str, kind_names[i]))
        {
          *kind = (RlDocKind) i;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
rl_doc_kind_for_mime (const char *mime,
                      RlDocKind  *kind)
{
  g_autofree char *base = NULL;
  const char *semi;

  if (mime == NULL)
    return FALSE;
  semi = strchr (mime, ';');
  base = g_ascii_strdown (mime, semi ? semi - mime : -1);
  g_strstrip (base);

  if (g_str_equal (base, "image/png") || g_str_equal (base, "image/jpeg") ||
      g_str_equal (base, "image/webp"))
    *kind = RL_DOC_KIND_IMAGE;
  else if (g_str_equal (base, "text/markdown") || g_str_equal (base, "text/plain"))
    *kind = RL_DOC_KIND_PAGE;
  else
    return FALSE;
  return TRUE;
}

const char *
rl_placement_status_to_string (RlPlacementStatus status)
{
  g_return_val_if_fail (status <= RL_PLACEMENT_ORPHANED, "orphaned");
  return status_names[status];
}

gboolean
rl_placement_status_from_string (const char        *str,
                                 RlPlacementStatus *status)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (status_names); i++)
    {
      if (g_str_equal (str, status_names[i]))
        {
          *status = (RlPlacementStatus) i;
          return TRUE;
        }
    }
  return FALSE;
}

void
rl_person_clear (RlPerson *person)
{
  g_clear_pointer (&person->id, g_free);
  g_clear_pointer (&person->name, g_free);
}

void
rl_person_copy_into (RlPerson       *dest,
                     const RlPerson *src)
{
  dest->id = g_strdup (src->id);
  dest->name = g_strdup (src->name);
}

void
rl_anchor_clear (RlAnchor *anchor)
{
  g_clear_pointer (&anchor->exact, g_free);
  g_clear_pointer (&anchor->prefix, g_free);
  g_clear_pointer (&anchor->suffix, g_free);
}

void
rl_anchor_copy_into (RlAnchor       *dest,
                     const RlAnchor *src)
{
  *dest = *src;
  dest->exact = g_strdup (src->exact);
  dest->prefix = g_strdup (src->prefix);
  dest->suffix = g_strdup (src->suffix);
}

gboolean
rl_anchor_equal (const RlAnchor *a,
                 const RlAnchor *b)
{
  if (a->kind != b->kind)
    return FALSE;
  if (a->kind == RL_DOC_KIND_IMAGE)
    return a->x == b->x && a->y == b->y;
  return a->start == b->start && a->end == b->end &&
         g_strcmp0 (a->exact, b->exact) == 0 &&
         g_strcmp0 (a->prefix, b->prefix) == 0 &&
         g_strcmp0 (a->suffix, b->suffix) == 0;
}

RlRevisionAnchor *
rl_revision_anchor_new (void)
{
  return g_new0 (RlRevisionAnchor, 1);
}

RlRevisionAnchor *
rl_revision_anchor_copy (const RlRevisionAnchor *placement)
{
  RlRevisionAnchor *copy = g_new0 (RlRevisionAnchor, 1);

  copy->revision = placement->revision;
  copy->status = placement->status;
  rl_anchor_copy_into (&copy->anchor, &placement->anchor);
  copy->score = placement->score;
  rl_person_copy_into (&copy->by, &placement->by);
  return copy;
}

void
rl_revision_anchor_free (RlRevisionAnchor *placement)
{
  if (placement == NULL)
    return;
  rl_anchor_clear (&placement->anchor);
  rl_person_clear (&placement->by);
  g_free (placement);
}

gboolean
rl_revision_anchor_equal (const RlRevisionAnchor *a,
                    const RlRevisionAnchor *b)
{
  return a->revision == b->revision && a->status == b->status &&
         (a->status == RL_PLACEMENT_ORPHANED || rl_anchor_equal (&a->anchor, &b->anchor)) &&
         a->score == b->score && g_strcmp0 (a->by.id, b->by.id) == 0;
}

RlRevision *
rl_revision_copy (const RlRevision *revision)
{
  RlRevision *copy = g_new0 (RlRevision, 1);

  *copy = *revision;
  copy->mime = g_strdup (revision->mime);
  copy->etag = g_strdup (revision->etag);
  rl_person_copy_into (&copy->created_by, &revision->created_by);
  return copy;
}

void
rl_revision_free (RlRevision *revision)
{
  if (revision == NULL)
    return;
  g_free (revision->mime);
  g_free (revision->etag);
  rl_person_clear (&revision->created_by);
  g_free (revision);
}

RlMention *
rl_mention_new (const char *user,
                gint64      start,
                gint64      end)
{
  RlMention *mention = g_new0 (RlMention, 1);

  mention->user = g_strdup (user);
  mention->start = start;
  mention->end = end;
  return mention;
}

RlMention *
rl_mention_copy (const RlMention *mention)
{
  return rl_mention_new (mention->user, mention->start, mention->end);
}

void
rl_mention_free (RlMention *mention)
{
  if (mention == NULL)
    return;
  g_free (mention->user);
  g_free (mention);
}

gboolean
rl_mentions_equal (GPtrArray *a,
                   GPtrArray *b)
{
  guint n_a = a ? a->len : 0, n_b = b ? b->len : 0;

  if (n_a != n_b)
    return FALSE;
  for (guint i = 0; i < n_a; i++)
    {
      const RlMention *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->user, y->user) != 0 || x->start != y->start || x->end != y->end)
        return FALSE;
    }
  return TRUE;
}

void
rl_member_free (RlMember *member)
{
  if (member == NULL)
    return;
  rl_person_clear (&member->person);
  g_free (member);
}

RlComment *
rl_comment_new (void)
{
  RlComment *comment = g_new0 (RlComment, 1);

  comment->mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_mention_free);
  return comment;
}

RlComment *
rl_comment_copy (const RlComment *comment)
{
  RlComment *copy = rl_comment_new ();

  copy->id = g_strdup (comment->id);
  copy->thread = g_strdup (comment->thread);
  rl_person_copy_into (&copy->author, &comment->author);
  copy->body = g_strdup (comment->body);
  copy->created_at = comment->created_at;
  copy->edited_at = comment->edited_at;
  copy->seq = comment->seq;
  for (guint i = 0; comment->mentions != NULL && i < comment->mentions->len; i++)
    g_ptr_array_add (copy->mentions, rl_mention_copy (g_ptr_array_index (comment->mentions, i)));
  return copy;
}

void
rl_comment_free (RlComment *comment)
{
  if (comment == NULL)
    return;
  g_free (comment->id);
  g_free (comment->thread);
  rl_person_clear (&comment->author);
  g_free (comment->body);
  g_clear_pointer (&comment->mentions, g_ptr_array_unref);
  g_free (comment);
}

gboolean
rl_comment_equal (const RlComment *a,
                  const RlComment *b)
{
  return g_strcmp0 (a->id, b->id) == 0 &&
         g_strcmp0 (a->body, b->body) == 0 &&
         g_strcmp0 (a->author.id, b->author.id) == 0 &&
         a->created_at == b->created_at &&
         a->edited_at == b->edited_at &&
         rl_mentions_equal (a->mentions, b->mentions);
}

RlThread *
rl_thread_new (void)
{
  RlThread *thread = g_new0 (RlThread, 1);

  g_ref_count_init (&thread->ref_count);
  thread->comments = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_comment_free);
  thread->placements = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_revision_anchor_free);
  return thread;
}

RlThread *
rl_thread_ref (RlThread *thread)
{
  g_return_val_if_fail (thread != NULL, NULL);
  g_ref_count_inc (&thread->ref_count);
  return thread;
}

void
rl_thread_unref (RlThread *thread)
{
  g_return_if_fail (thread != NULL);

  if (!g_ref_count_dec (&thread->ref_count))
    return;
  g_free (thread->id);
  g_free (thread->doc);
  rl_anchor_clear (&thread->anchor);
  rl_person_clear (&thread->created_by);
  g_ptr_array_unref (thread->comments);
  g_ptr_array_unref (thread->placements);
  g_free (thread);
}

RlThread *
rl_thread_copy (const RlThread *thread)
{
  RlThread *copy = rl_thread_new ();

  copy->id = g_strdup (thread->id);
  copy->doc = g_strdup (thread->doc);
  copy->number = thread->number;
  rl_anchor_copy_into (&copy->anchor, &thread->anchor);
  copy->resolved = thread->resolved;
  rl_person_copy_into (&copy->created_by, &thread->created_by);
  copy->created_at = thread->created_at;
  copy->updated_at = thread->updated_at;
  for (guint i = 0; i < thread->comments->len; i++)
    g_ptr_array_add (copy->comments, rl_comment_copy (g_ptr_array_index (thread->comments, i)));
  copy->revision = thread->revision;
  for (guint i = 0; i < thread->placements->len; i++)
    g_ptr_array_add (copy->placements, rl_revision_anchor_copy (g_ptr_array_index (thread->placements, i)));
  return copy;
}

RlRevisionAnchor *
rl_thread_get_placement (const RlThread *thread,
                         gint64          revision)
{
  for (guint i = 0; i < thread->placements->len; i++)
    {
      RlRevisionAnchor *placement = g_ptr_array_index (thread->placements, i);

      if (placement->revision == revision)
        return placement;
    }
  return NULL;
}

const RlAnchor *
rl_thread_get_last_anchor (const RlThread *thread)
{
  for (guint i = thread->placements->len; i > 0; i--)
    {
      const RlRevisionAnchor *placement = g_ptr_array_index (thread->placements, i - 1);

      if (placement->status != RL_PLACEMENT_ORPHANED)
        return &placement->anchor;
    }
  return &thread->anchor;
}

const RlAnchor *
rl_thread_get_anchor_on (const RlThread *thread,
                         gint64          revision)
{
  const RlRevisionAnchor *placement;

  if (revision <= 0 || thread->placements == NULL || thread->placements->len == 0)
    return &thread->anchor;
  placement = rl_thread_get_placement (thread, revision);
  if (placement == NULL || placement->status == RL_PLACEMENT_ORPHANED)
    return NULL;
  return &placement->anchor;
}

RlComment *
rl_thread_find_comment (RlThread   *thread,
                        const char *comment_id,
                        guint      *index)
{
  for (guint i = 0; i < thread->comments->len; i++)
    {
      RlComment *comment = g_ptr_array_index (thread->comments, i);

      if (g_strcmp0 (comment->id, comment_id) == 0)
        {
          if (index)
            *index = i;
          return comment;
        }
    }
  return NULL;
}

gboolean
rl_thread_equal (const RlThread *a,
                 const RlThread *b)
{
  if (g_strcmp0 (a->id, b->id) != 0 ||
      a->number != b->number ||
      !rl_anchor_equal (&a->anchor, &b->anchor) ||
      a->resolved != b->resolved ||
      g_strcmp0 (a->created_by.id, b->created_by.id) != 0 ||
      a->created_at != b->created_at ||
      a->comments->len != b->comments->len ||
      a->revision != b->revision ||
      a->placements->len != b->placements->len)
    return FALSE;

  for (guint i = 0; i < a->placements->len; i++)
    if (!rl_revision_anchor_equal (g_ptr_array_index (a->placements, i),
                             g_ptr_array_index (b->placements, i)))
      return FALSE;

  for (guint i = 0; i < a->comments->len; i++)
    if (!rl_comment_equal (g_ptr_array_index (a->comments, i),
                           g_ptr_array_index (b->comments, i)))
      return FALSE;
  return TRUE;
}

void
rl_document_free (RlDocument *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->id);
  g_free (doc->title);
  g_free (doc->mime);
  rl_person_clear (&doc->created_by);
  g_free (doc);
}
