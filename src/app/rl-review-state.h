/* rl-review-state.h — what a window's views of the open document share
 *
 * One per window: the open document's store, the selected thread, whether
 * resolved threads are hidden, whether one may add a thread now (and, when
 * not, why: from the connection's state, in the words of the document's
 * kind), and the threads shown, as a list model: the store's, without the
 * resolved ones while they are hidden (and, unless all versions' are
 * asked for, without those not placed on the version shown); for pages
 * sorted by where they sit in the text (a position function), orphans
 * after them; last, the threads not found on the version shown. The image view, the
 * page view and the thread panel each take this one object and write
 * their changes to it; none keeps a copy.
 *
 * The selection is dropped when another document opens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-doc-store.h"

G_BEGIN_DECLS

#define RL_TYPE_REVIEW_STATE (rl_review_state_get_type ())
G_DECLARE_FINAL_TYPE (RlReviewState, rl_review_state, RL, REVIEW_STATE, GObject)

RlReviewState *rl_review_state_new                      (void);

/* The session's connection, open document or not; NULL: none. */
void           rl_review_state_set_connection           (RlReviewState *self,
                                                         RlConnection  *connection);
RlConnection  *rl_review_state_get_connection           (RlReviewState *self);
/* Whether the connection has been online since it was set: a server
 * never reached is not "lost". */
gboolean       rl_review_state_get_reached              (RlReviewState *self);

/* The open document's store and kind; NULL: none open. */
void           rl_review_state_set_store                (RlReviewState *self,
                                                         RlDocStore    *store,
                                                         RlDocKind      kind);
RlDocStore    *rl_review_state_get_store                (RlReviewState *self);
RlDocKind      rl_review_state_get_kind                 (RlReviewState *self);

const char    *rl_review_state_get_selected_thread      (RlReviewState *self);
void           rl_review_state_set_selected_thread      (RlReviewState *self,
                                                         const char    *thread_id);
gboolean       rl_review_state_get_hide_resolved        (RlReviewState *self);
void           rl_review_state_set_hide_resolved        (RlReviewState *self,
                                                         gboolean       hide_resolved);
/* Derived from the connection: TRUE only while it is online (and
 * without one: nothing says no). */
gboolean       rl_review_state_get_can_create           (RlReviewState *self);
/* Why not, in words for the person; NULL while one can. */
const char    *rl_review_state_get_cannot_create_reason (RlReviewState *self);

/* The version of the document shown (docs/protocol.md, "Revisions"): the
 * views show each thread where it is placed on it (rl_thread_get_anchor_on);
 * 0: the latest, as a server without revisions says. Nothing can be added
 * while an older version than the store's latest is shown. It stays when
 * the store changes: the window sets it with the document. */
gint64         rl_review_state_get_revision             (RlReviewState *self);
void           rl_review_state_set_revision             (RlReviewState *self,
                                                         gint64         revision);

/* Whether the threads shown are every thread, made on any version (TRUE,
 * the default), or only those placed on the version shown (made on it or
 * carried to it, and not "not found" there). */
gboolean       rl_review_state_get_all_versions         (RlReviewState *self);
void           rl_review_state_set_all_versions         (RlReviewState *self,
                                                         gboolean       all_versions);
/* Whether the thread's placement on the version shown is orphaned: the
 * server did not find it there (docs/protocol.md, "Revisions"). */
gboolean       rl_review_state_is_not_found             (RlReviewState  *self,
                                                         const RlThread *thread);

/* The thread not found on the version shown that the person is placing
 * anew ("Place…"), or NULL: the image view's next click, or the page
 * view's selection, places it. Dropped with the store or the version. */
const char    *rl_review_state_get_placing_thread       (RlReviewState *self);
void           rl_review_state_set_placing_thread       (RlReviewState *self,
                                                         const char    *thread_id);
/* Places the placing thread at anchor (place-thread, optimistic) and
 * selects it; placing ends either way. */
gboolean       rl_review_state_place_thread             (RlReviewState   *self,
                                                         const RlAnchor  *anchor,
                                                         GError         **error);

/* Of RlThreadItem: the threads shown (see above). */
GListModel    *rl_review_state_get_threads              (RlReviewState *self);
/* Whether item is one of the store's threads now, shown or not. */
gboolean       rl_review_state_has_thread               (RlReviewState *self,
                                                         RlThreadItem  *item);

/* Where a thread's anchor lies in the document's text now (code points);
 * FALSE when it cannot be placed: the thread is orphaned. */
typedef gboolean (*RlReviewStatePositionFunc) (const RlThread *thread,
                                               guint          *start,
                                               guint          *end,
                                               gpointer        user_data);
/* With one (pages) the threads are in text order, by start then end, then
 * age; orphaned ones after them all, by age. Without one (images) it is
 * creation order. Either way those not found on the version shown come
 * last, by age. */
void           rl_review_state_set_position_func        (RlReviewState            *self,
                                                         RlReviewStatePositionFunc func,
                                                         gpointer                  user_data,
                                                         GDestroyNotify            destroy);
/* The positions changed (the page view placed its ranges again): sorted
 * anew; "positions-changed" tells the views. */
void           rl_review_state_positions_changed        (RlReviewState *self);
/* Whether the position function cannot place the thread. */
gboolean       rl_review_state_is_orphaned              (RlReviewState  *self,
                                                         const RlThread *thread);
gboolean       rl_review_state_has_position_func        (RlReviewState *self);

G_END_DECLS
