/* rl-review-view.h — a widget that shows the window's one review state
 *
 * The image view, the page view and the thread panel derive from it: it
 * holds their "state" (construct-only; a fresh one when none is given),
 * and calls the subclass when a part of the state it shows changes — the
 * store, the selection, the resolved filter, whether one may create (and
 * why not). store_changed and can_create_changed are also called once,
 * when the widget is constructed, so the subclass starts from the state.
 * The calls stop, and the state is let go, when the widget is disposed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-review-state.h"

G_BEGIN_DECLS

#define RL_TYPE_REVIEW_VIEW (rl_review_view_get_type ())
G_DECLARE_DERIVABLE_TYPE (RlReviewView, rl_review_view, RL, REVIEW_VIEW, GtkWidget)

struct _RlReviewViewClass
{
  GtkWidgetClass parent_class;

  /* Each may be NULL: that part of the state does not concern the view. */
  void (*store_changed)      (RlReviewView *self);  /* "store" (and kind) */
  void (*selection_changed)  (RlReviewView *self);  /* "selected-thread" */
  void (*filter_changed)     (RlReviewView *self);  /* "hide-resolved" */
  void (*can_create_changed) (RlReviewView *self);  /* "can-create", "cannot-create-reason" */
  void (*revision_changed)   (RlReviewView *self);  /* "revision": another version shown */
  void (*placing_changed)    (RlReviewView *self);  /* "placing-thread" */
};

RlReviewState *rl_review_view_get_state                 (RlReviewView *self);
/* The state's store while the open document is of kind; NULL otherwise. */
RlDocStore    *rl_review_view_get_store_of_kind         (RlReviewView *self,
                                                         RlDocKind     kind);
/* Why nothing can be added now, in the state's words; fallback (the
 * view's, translated) when it gives none. */
const char    *rl_review_view_get_cannot_create_message (RlReviewView *self,
                                                         const char   *fallback);

G_END_DECLS
