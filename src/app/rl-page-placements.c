/* rl-page-placements.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-page-placements.h"

#include <glib/gi18n.h>

#include "rl-doc-store.h"
#include "rl-reanchor.h"

struct _RlPagePlacements
{
  GObject       parent_instance;

  RlPageText   *page;
  GPtrArray    *placements;    /* RlPlacement*, in the threads' order */
  GHashTable   *places;        /* id → CachedPlace, for this page */
  RlReanchorer *reanchorer;    /* of this page's text, made when needed */
  gint64        revision;      /* the page's version (0: the latest, v1) */
};

G_DEFINE_FINAL_TYPE (RlPagePlacements, rl_page_placements, G_TYPE_OBJECT)

static void
placement_free (gpointer data)
{
  RlPlacement *placement = data;

  g_free (placement->id);
  g_free (placement->preview);
  g_free (placement);
}

typedef struct
{
  RlAnchor anchor;
  gboolean placed;
  guint    start;
  guint    end;
} CachedPlace;

static void
cached_place_free (gpointer data)
{
  CachedPlace *cached = data;

  rl_anchor_clear (&cached->anchor);
  g_free (cached);
}

/* Where an anchor sits on the current text: its own offsets where they
 * still hold exactly what it quotes, else re-found from exact and its
 * context (rl-reanchor.h). Remembered per thread until its anchor or the
 * page changes: a fuzzy search is not repeated for every live update. */
static gboolean
place_anchor (RlPagePlacements *self,
              const char       *thread_id,
              const RlAnchor   *anchor,
              guint            *start,
              guint            *end)
{
  CachedPlace *cached = g_hash_table_lookup (self->places, thread_id);

  if (cached == NULL || !rl_anchor_equal (&cached->anchor, anchor))
    {
      gsize n_bytes;
      const char *text = rl_page_text_get_text (self->page, &n_bytes);

      if (self->reanchorer == NULL)
        self->reanchorer = rl_reanchorer_new (text, n_bytes);
      cached = g_new0 (CachedPlace, 1);
      rl_anchor_copy_into (&cached->anchor, anchor);
      cached->placed = rl_reanchorer_place (self->reanchorer, anchor, &cached->start, &cached->end, NULL)
                         != RL_ANCHOR_ORPHANED;
      g_hash_table_replace (self->places, g_strdup (thread_id), cached);
    }
  *start = cached->start;
  *end = cached->end;
  return cached->placed;
}

static char *
make_preview (const RlThread *thread)
{
  const RlComment *first;
  g_autofree char *body = NULL;
  GString *preview;

  if (thread->comments == NULL || thread->comments->len == 0)
    return NULL;
  first = g_ptr_array_index (thread->comments, 0);
  body = g_strdup (first->body ? first->body : "");
  g_strdelimit (g_strstrip (body), "\n\t\r", ' ');
  preview = g_string_new (NULL);
  /* Translators: a highlight's tooltip: the first comment's author, then its first words */
  g_string_printf (preview, _("%s: "), first->author.name ? first->author.name : _("Someone"));
  if (g_utf8_strlen (body, -1) > 80)
    {
      g_autofree char *cut = g_utf8_substring (body, 0, 80);
      g_string_append (preview, cut);
      g_string_append (preview, "…");
    }
  else
    g_string_append (preview, body);
  return g_string_free (preview, FALSE);
}

static gboolean
same_placements (GPtrArray *a,
                 GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const RlPlacement *pa = g_ptr_array_index (a, i);
      const RlPlacement *pb = g_ptr_array_index (b, i);

      if (!g_str_equal (pa->id, pb->id) || pa->placed != pb->placed
          || (pa->placed && (pa->start != pb->start || pa->end != pb->end)))
        return FALSE;
    }
  return TRUE;
}

static void
rl_page_placements_finalize (GObject *object)
{
  RlPagePlacements *self = RL_PAGE_PLACEMENTS (object);

  g_ptr_array_unref (self->placements);
  g_hash_table_unref (self->places);
  g_clear_pointer (&self->reanchorer, rl_reanchorer_free);
  g_clear_pointer (&self->page, rl_page_text_unref);
  G_OBJECT_CLASS (rl_page_placements_parent_class)->finalize (object);
}

static void
rl_page_placements_class_init (RlPagePlacementsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_page_placements_finalize;
}

static void
rl_page_placements_init (RlPagePlacements *self)
{
  self->placements = g_ptr_array_new_with_free_func (placement_free);
  self->places = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_place_free);
}

RlPagePlacements *
rl_page_placements_new (void)
{
  return g_object_new (RL_TYPE_PAGE_PLACEMENTS, NULL);
}

void
rl_page_placements_set_page (RlPagePlacements *self,
                             RlPageText       *page)
{
  g_return_if_fail (RL_IS_PAGE_PLACEMENTS (self));

  if (page != NULL)
    rl_page_text_ref (page);
  g_clear_pointer (&self->page, rl_page_text_unref);
  self->page = page;
  g_hash_table_remove_all (self->places);
  g_clear_pointer (&self->reanchorer, rl_reanchorer_free);
}

gboolean
rl_page_placements_update (RlPagePlacements *self,
                           GListModel       *threads)
{
  g_autoptr(GPtrArray) old = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (RL_IS_PAGE_PLACEMENTS (self), FALSE);
  g_return_val_if_fail (threads == NULL || G_IS_LIST_MODEL (threads), FALSE);

  old = g_steal_pointer (&self->placements);
  self->placements = g_ptr_array_new_with_free_func (placement_free);
  if (threads != NULL && self->page != NULL)
    {
      guint n = g_list_model_get_n_items (threads);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);
          const RlThread *thread = rl_thread_item_get_thread (item);
          RlPlacement *placement = g_new0 (RlPlacement, 1);

          placement->id = g_strdup (thread->id);
          placement->index = i;
          placement->resolved = thread->resolved;
          const RlAnchor *anchor = rl_thread_get_anchor_on (thread, self->revision);

          /* No place on this version (orphaned there, or made later). */
          placement->placed = anchor != NULL &&
                              place_anchor (self, thread->id, anchor, &placement->start, &placement->end);
          placement->preview = make_preview (thread);
          g_ptr_array_add (self->placements, placement);
          g_hash_table_add (ids, placement->id);
        }
    }
  /* The places of threads that went are not remembered. */
  g_hash_table_iter_init (&iter, self->places);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (ids, key))
      g_hash_table_iter_remove (&iter);
  return !same_placements (old, self->placements);
}

guint
rl_page_placements_get_n (RlPagePlacements *self)
{
  g_return_val_if_fail (RL_IS_PAGE_PLACEMENTS (self), 0);
  return self->placements->len;
}

const RlPlacement *
rl_page_placements_get (RlPagePlacements *self,
                        guint             index)
{
  g_return_val_if_fail (RL_IS_PAGE_PLACEMENTS (self), NULL);
  g_return_val_if_fail (index < self->placements->len, NULL);
  return g_ptr_array_index (self->placements, index);
}

const RlPlacement *
rl_page_placements_find (RlPagePlacements *self,
                         const char       *thread_id)
{
  g_return_val_if_fail (RL_IS_PAGE_PLACEMENTS (self), NULL);

  if (thread_id == NULL)
    return NULL;
  for (guint i = 0; i < self->placements->len; i++)
    {
      const RlPlacement *placement = g_ptr_array_index (self->placements, i);

      if (g_str_equal (placement->id, thread_id))
        return placement;
    }
  return NULL;
}

void
rl_page_placements_set_revision (RlPagePlacements *self,
                                 gint64            revision)
{
  g_return_if_fail (RL_IS_PAGE_PLACEMENTS (self));
  self->revision = revision;
}
