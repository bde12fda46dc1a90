/* rl-page-view-private.h — the view's real widgets and test hook
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-page-view.h"

G_BEGIN_DECLS

/* The real widgets, for tests and the window: the text view, the floating
 * Comment button, the composer (an RlAnnotationComposer), the "cannot
 * comment" notice. */
GtkWidget  *rl_page_view_get_text_view       (RlPageView  *self);
GtkWidget  *rl_page_view_get_comment_button  (RlPageView  *self);
GtkWidget  *rl_page_view_get_composer        (RlPageView  *self);
GtkWidget  *rl_page_view_get_notice          (RlPageView  *self);

/* Test hook: the handler a primary click released without dragging at
 * that offset runs (selects the highlight there; a link opens unless
 * open_links is FALSE). Pointer events cannot be synthesised in GTK 4. */
void        rl_page_view_click_for_testing   (RlPageView  *self,
                                              guint        offset,
                                              gboolean     open_links);

G_END_DECLS
