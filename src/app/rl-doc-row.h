/* rl-doc-row.h — one document in the window's sidebar list
 *
 * Its kind's icon and title; with something unread in it (rl-activity-feed.h,
 * kept live as activity arrives and as the person reads, here or on another
 * computer) the title is bold and a pill counts the unread comments, with
 * an "@" when one of them mentions the user. Screen readers hear the same
 * as its description ("3 new comments, 1 mentions you"). Made for a
 * GtkListView's factory: bound to one document at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-activity-feed.h"
#include "rl-api.h"

G_BEGIN_DECLS

#define RL_TYPE_DOC_ROW (rl_doc_row_get_type ())
G_DECLARE_FINAL_TYPE (RlDocRow, rl_doc_row, RL, DOC_ROW, GtkWidget)

GtkWidget  *rl_doc_row_new             (void);
/* Shows item; feed (NULL: none) says what is unread in it, and until it
 * has subscribed (a link before 1.2, or not yet) the listing's counts do.
 * item NULL unbinds. */
void        rl_doc_row_bind            (RlDocRow       *self,
                                        RlDocItem      *item,
                                        RlActivityFeed *feed);
RlDocItem  *rl_doc_row_get_item        (RlDocRow       *self);
/* What the row shows as unread (all 0: nothing). */
void        rl_doc_row_get_unread      (RlDocRow       *self,
                                        RlUnreadCounts *counts);

G_END_DECLS
