/* rl-list-run.h — the one run of a list model that differs from new elements
 *
 * Client models are updated by splicing only that run, so a list view
 * keeps the rows (and the focus, and the scroll position) of everything
 * around it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Whether a model's item already shows an element of what is to be shown. */
typedef gboolean (*RlShowsFunc) (gpointer item, gconstpointer element);

/* The one run where model and elements differ, past the ends where its
 * items already show them: *n_removed items from *position are to be
 * replaced by *n_added elements. FALSE when nothing differs. */
gboolean     rl_list_find_changed_run  (GListModel     *model,
                                        GPtrArray      *elements,
                                        RlShowsFunc     shows,
                                        guint          *position,
                                        guint          *n_removed,
                                        guint          *n_added);

G_END_DECLS
