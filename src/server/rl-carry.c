/* rl-carry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-carry.h"

#include "rl-image-match.h"
#include "rl-reanchor.h"

struct _RlCarry
{
  RlDocKind       kind;
  /* pages */
  RlReanchorer   *reanchorer;
  /* images: the planes (each buffer holds its three) the matcher borrows */
  guint8         *old_planes_data;
  guint8         *new_planes_data;
  RlImagePlanes   old_planes;
  RlImagePlanes   new_planes;
  RlImageMatcher *matcher;
};

RlCarry *
rl_carry_new_for_page (RlPageText *new_text)
{
  RlCarry *self = g_new0 (RlCarry, 1);
  gsize n_bytes = 0;
  const char *text = rl_page_text_get_text (new_text, &n_bytes);

  self->kind = RL_DOC_KIND_PAGE;
  self->reanchorer = rl_reanchorer_new (text, (gssize) n_bytes);
  return self;
}

static guint8 *
planes_of (GdkPixbuf     *pixbuf,
           RlImagePlanes *planes)
{
  return rl_image_planes_from_rgb (planes, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                                   gdk_pixbuf_get_rowstride (pixbuf), gdk_pixbuf_get_n_channels (pixbuf),
                                   gdk_pixbuf_read_pixels (pixbuf));
}

RlCarry *
rl_carry_new_for_image (GdkPixbuf *old_image,
                        GdkPixbuf *new_image)
{
  RlCarry *self = g_new0 (RlCarry, 1);

  g_return_val_if_fail (GDK_IS_PIXBUF (old_image) && GDK_IS_PIXBUF (new_image), NULL);
  g_return_val_if_fail (gdk_pixbuf_get_bits_per_sample (old_image) == 8 &&
                        gdk_pixbuf_get_bits_per_sample (new_image) == 8, NULL);

  self->kind = RL_DOC_KIND_IMAGE;
  self->old_planes_data = planes_of (old_image, &self->old_planes);
  self->new_planes_data = planes_of (new_image, &self->new_planes);
  self->matcher = rl_image_matcher_new (&self->old_planes, &self->new_planes);
  return self;
}

RlRevisionAnchor *
rl_carry_place (RlCarry        *self,
                const RlAnchor *from)
{
  g_autoptr(RlRevisionAnchor) placement = rl_revision_anchor_new ();

  g_return_val_if_fail (self != NULL && from != NULL, NULL);

  if (from->kind != self->kind)
    {
      /* Not the document's kind: nothing can be found for it. */
      placement->status = RL_PLACEMENT_ORPHANED;
      return g_steal_pointer (&placement);
    }

  if (self->kind == RL_DOC_KIND_PAGE)
    {
      RlAnchor placed;

      placement->status = rl_reanchorer_place_anchor (self->reanchorer, from, &placed, &placement->score);
      if (placement->status == RL_PLACEMENT_ORPHANED)
        rl_anchor_clear (&placed);
      else
        placement->anchor = placed;
    }
  else
    {
      double x = from->x, y = from->y;

      placement->status = rl_image_matcher_place (self->matcher, from->x, from->y, &x, &y, &placement->score);
      if (placement->status != RL_PLACEMENT_ORPHANED)
        {
          placement->anchor.kind = RL_DOC_KIND_IMAGE;
          placement->anchor.x = CLAMP (x, 0.0, 1.0);
          placement->anchor.y = CLAMP (y, 0.0, 1.0);
        }
    }
  /* The wire says a score on moved and changed only, within 0–1. */
  if (placement->status == RL_PLACEMENT_EXACT)
    placement->score = 1.0;
  placement->score = CLAMP (placement->score, 0.0, 1.0);
  return g_steal_pointer (&placement);
}

RlRevisionAnchor *
rl_carry_place_thread (const RlThread *thread,
                       const RlAnchor *from,
                       gpointer        user_data)
{
  return rl_carry_place (user_data, from);
}

GHashTable *
rl_carry_place_all (RlCarry   *self,
                    GPtrArray *threads)
{
  GHashTable *placements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) rl_revision_anchor_free);

  for (guint i = 0; threads != NULL && i < threads->len; i++)
    {
      const RlThread *thread = g_ptr_array_index (threads, i);

      g_hash_table_insert (placements, g_strdup (thread->id),
                           rl_carry_place (self, rl_thread_get_last_anchor (thread)));
    }
  return placements;
}

void
rl_carry_free (RlCarry *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->reanchorer, rl_reanchorer_free);
  g_clear_pointer (&self->matcher, rl_image_matcher_free);
  g_free (self->old_planes_data);
  g_free (self->new_planes_data);
  g_free (self);
}
