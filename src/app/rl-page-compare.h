/* rl-page-compare.h — what changed between two versions of a page, inline
 *
 * A read-only view of the newer text with the changes from the older one
 * (rl-diff.h) in place: inserted text underlined and tinted, deleted text
 * struck through where it was (put into the display buffer, marked with the
 * "rl-deleted" tag; it is not part of the newer text, and
 * rl_page_compare_to_new_offset() says so for any place in the buffer, so
 * no anchor is ever made on it). Above it a summary ("12 insertions,
 * 3 deletions") and Previous/Next Change buttons; Alt+Up and Alt+Down do
 * the same from the keyboard. Going to a change puts the text cursor at
 * its start, scrolls to it, and says what it is ("Inserted: …") in a
 * status line that screen readers announce. The text view's accessible
 * name names the two versions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RL_TYPE_PAGE_COMPARE (rl_page_compare_get_type ())
G_DECLARE_FINAL_TYPE (RlPageCompare, rl_page_compare, RL, PAGE_COMPARE, GtkWidget)

GtkWidget   *rl_page_compare_new            (void);

/* Shows the changes from old_text (revision old_revision) to new_text
 * (new_revision): the page texts that anchors count in, UTF-8. */
void         rl_page_compare_set_texts      (RlPageCompare *self,
                                             const char    *old_text,
                                             guint          old_revision,
                                             const char    *new_text,
                                             guint          new_revision);

GtkTextView *rl_page_compare_get_text_view  (RlPageCompare *self);
/* The number of changes (a replacement is one), and the one gone to last
 * (-1 before any). */
guint        rl_page_compare_get_n_changes  (RlPageCompare *self);
int          rl_page_compare_get_current    (RlPageCompare *self);
/* Goes to the next or previous change (from the last one gone to); FALSE
 * when there is none that way. */
gboolean     rl_page_compare_next_change    (RlPageCompare *self);
gboolean     rl_page_compare_previous_change (RlPageCompare *self);

/* Where a place in the display buffer (a character offset) is in the newer
 * text, in code points; FALSE inside deleted text, which the newer text
 * does not have. */
gboolean     rl_page_compare_to_new_offset  (RlPageCompare *self,
                                             guint          buffer_offset,
                                             guint         *new_offset);

G_END_DECLS
