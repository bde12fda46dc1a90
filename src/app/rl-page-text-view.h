/* rl-page-text-view.h — the page's read-only text, with list bullets and
 * quote bars drawn under it
 *
 * A GtkTextView whose bullets, numbers and quote bars are drawn (below
 * the text layer), never text: buffer offsets stay the page's code
 * points. Only what is on screen is drawn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RL_TYPE_PAGE_TEXT_VIEW (rl_page_text_view_get_type ())
G_DECLARE_FINAL_TYPE (RlPageTextView, rl_page_text_view, RL, PAGE_TEXT_VIEW, GtkTextView)

GtkWidget *rl_page_text_view_new            (void);
/* Drops every bullet and quote bar. */
void       rl_page_text_view_clear_marks    (RlPageTextView *self);
/* A list item's bullet or number (label), right-aligned before margin
 * (buffer pixels) on the line of offset; added in offset order. */
void       rl_page_text_view_add_bullet     (RlPageTextView *self,
                                             guint           offset,
                                             int             margin,
                                             const char     *label);
/* A quote's bar at x (buffer pixels) beside the lines of [start, end). */
void       rl_page_text_view_add_quote_bar  (RlPageTextView *self,
                                             guint           start,
                                             guint           end,
                                             int             x);

G_END_DECLS
