/* rl-page-text-view.h — the page's read-only text, with list bullets,
 * quote bars and table rules drawn under it
 *
 * A GtkTextView whose bullets, numbers, quote bars and table rules are
 * drawn (below the text layer), never text: buffer offsets stay the page's
 * code points. A table row stands on one line: the line break between two
 * of its cells shows as a tab (one code point for one), and the row's tab
 * stops are its table's columns. Only what is on screen is drawn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-plaintext.h"

G_BEGIN_DECLS

#define RL_TYPE_PAGE_TEXT_VIEW (rl_page_text_view_get_type ())
G_DECLARE_FINAL_TYPE (RlPageTextView, rl_page_text_view, RL, PAGE_TEXT_VIEW, GtkTextView)

GtkWidget *rl_page_text_view_new            (void);
/* The text the buffer shows for page: its plain text, but for the line
 * break between two cells of a table row, which is a tab. */
char      *rl_page_text_view_dup_shown_text (RlPageText     *page,
                                             gsize          *n_bytes);
/* Drops every bullet, quote bar and table. */
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
/* The table that the span at index of page is (RL_TEXT_SPAN_TABLE, shown
 * with rl_page_text_view_dup_shown_text), its text starting at x (buffer
 * pixels): each column as wide as its widest cell in the view's font, the
 * rows' cells placed at their columns by tab stops and aligned as the
 * table says, a header background and light cell rules drawn under it. */
void       rl_page_text_view_add_table      (RlPageTextView *self,
                                             RlPageText     *page,
                                             guint           index,
                                             int             x);

G_END_DECLS
