/* rl-page-view.h — a page document (Markdown or plain text) with its
 * annotations as highlights
 *
 * A read-only GtkTextView in its own GtkScrolledWindow. The buffer's text
 * IS the page's plain text (rl-plaintext.h), inserted once, so buffer
 * character offsets are the anchors' code points; styling, bullets and
 * highlights are tags and drawing only, never characters. Selecting text
 * shows a floating "Comment" button at the selection's end (Tab reaches
 * it); it, Ctrl+Alt+M and the context menu's "Comment on Selection" open
 * the composer. Every thread of the store is placed on the text (exact
 * offsets first, then re-anchored from exact + prefix/suffix); the ones
 * that cannot be placed are orphaned: not highlighted. Live changes only
 * change tags: the text never moves under the reader.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-plaintext.h"
#include "rl-review-view.h"

G_BEGIN_DECLS

#define RL_TYPE_PAGE_VIEW (rl_page_view_get_type ())
G_DECLARE_FINAL_TYPE (RlPageView, rl_page_view, RL, PAGE_VIEW, RlReviewView)

/* Shows the state's store while it is a page's; its selection, filter
 * and whether one may create are the state's. */
GtkWidget  *rl_page_view_new                 (RlReviewState *state);
RlReviewState *rl_page_view_get_state        (RlPageView  *self);
/* The page's plain text and spans; NULL clears. */
void        rl_page_view_set_page            (RlPageView  *self,
                                              RlPageText  *page);
RlPageText *rl_page_view_get_page            (RlPageView  *self);
/* Reopens the composer for [start, end) with text typed: the "Retry" of a
 * failed create. */
void        rl_page_view_open_composer       (RlPageView  *self,
                                              guint        start,
                                              guint        end,
                                              const char  *text);
/* Where the thread sits now (after re-anchoring): FALSE when it is
 * orphaned or unknown. */
gboolean    rl_page_view_get_thread_range    (RlPageView  *self,
                                              const char  *thread_id,
                                              guint       *start,
                                              guint       *end);

/* Brings the thread's passage into the middle of the view, every time it
 * is asked (picking a thread in the panel, again or not); FALSE when the
 * thread has no place on the page (orphaned or unknown). */
gboolean    rl_page_view_reveal_thread       (RlPageView  *self,
                                              const char  *thread_id);

/* The highlight tag of a thread, or NULL when it is not highlighted
 * (orphaned, or resolved while resolved ones are hidden). */
GtkTextTag *rl_page_view_get_thread_tag      (RlPageView  *self,
                                              const char  *thread_id);
/* The link target at a code point offset, or NULL. */
const char *rl_page_view_get_link_at         (RlPageView  *self,
                                              guint        offset);
/* The preview a hover over offset shows, or NULL. */
char       *rl_page_view_dup_preview_at      (RlPageView  *self,
                                              guint        offset);

G_END_DECLS
