/* rl-compare-window.h — two versions of the open document, compared
 *
 * A window of its own beside the document (Compare Versions…, Shift+Ctrl+C):
 * two drop-downs choose the versions (by default the one before the latest
 * and the latest), and the document's kind says the view: an image's
 * versions side by side, in onion skin or swiped (rl-image-compare), each
 * with its markers where they were placed on it; a page's changes inline
 * (rl-page-compare). The versions' contents come from the server (kept
 * with their ETags, rl-api.h), a page's as the text model it serves.
 * Read-only: nothing here changes a thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rl-api.h"
#include "rl-doc-store.h"

G_BEGIN_DECLS

#define RL_TYPE_COMPARE_WINDOW (rl_compare_window_get_type ())
G_DECLARE_FINAL_TYPE (RlCompareWindow, rl_compare_window, RL, COMPARE_WINDOW, AdwWindow)

/* For doc (of api's server), its threads in store (NULL: no markers),
 * latest its newest version (≥ 2). */
RlCompareWindow *rl_compare_window_new          (GtkWindow        *parent,
                                                 RlApi            *api,
                                                 RlDocStore       *store,
                                                 const RlDocument *doc,
                                                 gint64            latest);
/* The versions compared now (0 until the list came). */
void             rl_compare_window_get_versions (RlCompareWindow  *self,
                                                 gint64           *older,
                                                 gint64           *newer);
/* Compares these two versions. */
void             rl_compare_window_set_versions (RlCompareWindow  *self,
                                                 gint64            older,
                                                 gint64            newer);
/* Whether both versions' contents are shown. */
gboolean         rl_compare_window_is_loaded    (RlCompareWindow  *self);
/* The view shown: an RlImageCompare or an RlPageCompare. */
GtkWidget       *rl_compare_window_get_view     (RlCompareWindow  *self);

G_END_DECLS
