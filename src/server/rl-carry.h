/* rl-carry.h — carrying a document's threads over to its new revision
 *
 * When a revision is added the server places every thread of the
 * document on it, once, for every client (docs/protocol.md, "Revisions"):
 * a page thread's quote is found again in the new revision's text by the
 * text matcher (rl-reanchor.h), an image thread's pin follows the element
 * under it by the image matcher (rl-image-match.h). Each thread is placed
 * from its last placement that has an anchor (rl_thread_get_last_anchor),
 * so an orphan is looked for again on every later revision.
 *
 * An RlCarry holds what matching costs to prepare (the new text decoded and
 * normalised, the two images' planes and pyramids): made once per added
 * revision, off the main loop, then used for the whole batch and for the
 * few threads the store finds made or moved meanwhile (rl_carry_place, as
 * the store's RlStorePlaceFunc). Not for two threads at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "rl-codec.h"
#include "rl-plaintext.h"

G_BEGIN_DECLS

typedef struct _RlCarry RlCarry;

/* For a page: the new revision's text. */
RlCarry          *rl_carry_new_for_page  (RlPageText      *new_text);
/* For an image: the previous revision's pixels and the new one's. */
RlCarry          *rl_carry_new_for_image (GdkPixbuf       *old_image,
                                          GdkPixbuf       *new_image);
/* A thread's placement on the new revision from its anchor on an earlier
 * one (revision 0: the caller sets it). */
RlRevisionAnchor *rl_carry_place         (RlCarry         *self,
                                          const RlAnchor  *from);
/* rl_carry_place for each thread (from its last anchor): thread id →
 * RlRevisionAnchor*, as rl_store_add_revision takes them. */
GHashTable       *rl_carry_place_all     (RlCarry         *self,
                                          GPtrArray       *threads);
/* The same, in the RlStorePlaceFunc shape (user_data: the RlCarry). */
RlRevisionAnchor *rl_carry_place_thread  (const RlThread  *thread,
                                          const RlAnchor  *from,
                                          gpointer         user_data);
void              rl_carry_free          (RlCarry         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlCarry, rl_carry_free)

G_END_DECLS
