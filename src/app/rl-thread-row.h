/* rl-thread-row.h — one thread in the threads panel
 *
 * Its number (the thread's own, as on the image's pin; "…" until the
 * server has given it), the text it quotes (pages), its comments, resolve/reopen, delete
 * (after a confirmation), its placement on the version shown when it is
 * not exact ("Moved" and "Changed", with what it was on, a marker's also
 * as a crop of the version it was made on, and Confirm; "Not
 * found", with Place…: "place" asks the panel) and on which version it was
 * made when that is another, and a
 * reply box shown while the thread is
 * selected or holds text. Ctrl+R focuses the reply, Ctrl+Enter sends it.
 * While it has comments the user has not read (rl_doc_store_get_thread_unread)
 * it says "New" (and how many in its name for screen readers, "Thread 3
 * by Bob, 2 new comments"), with a "New" divider
 * above the first of them that stays there once they are read.
 * When the thread is deleted or hidden under the person typing in it, the
 * panel keeps the row and it says what happened (rl_thread_row_set_deleted,
 * rl_thread_row_set_kept_hidden).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-doc-store.h"
#include "rl-revision-images.h"

G_BEGIN_DECLS

#define RL_TYPE_THREAD_ROW (rl_thread_row_get_type ())
G_DECLARE_FINAL_TYPE (RlThreadRow, rl_thread_row, RL, THREAD_ROW, GtkListBoxRow)

RlThreadRow  *rl_thread_row_new           (RlDocStore   *store,
                                           RlThreadItem *item,
                                           const char   *user_id,
                                           gboolean      user_is_admin);
RlThreadItem *rl_thread_row_get_item      (RlThreadRow  *self);
const char   *rl_thread_row_get_thread_id (RlThreadRow  *self);
/* Its anchor can no longer be placed in the text (pages). */
void          rl_thread_row_set_orphaned  (RlThreadRow  *self,
                                           gboolean      orphaned);
gboolean      rl_thread_row_get_orphaned  (RlThreadRow  *self);
/* The version of the document shown (0: the latest, unnumbered): what the
 * placement badge and "Made on version N" are about. */
void          rl_thread_row_set_shown_revision (RlThreadRow *self,
                                                gint64       revision);
/* Where the pictures of older versions come from (NULL: none): a moved
 * or changed marker shows the version it was made on, cropped around its
 * pin, beside the words that say where it was. */
void          rl_thread_row_set_revision_images (RlThreadRow      *self,
                                                 RlRevisionImages *images);
/* The person is placing the thread anew: Place… says Cancel, and how. */
void          rl_thread_row_set_placing   (RlThreadRow  *self,
                                           gboolean      placing);
/* While held (a button is down in the panel) the reply box does not
 * close, so the rows below stay where the pointer aims; it may open. */
void          rl_thread_row_set_reply_held (RlThreadRow *self,
                                            gboolean     held);
/* The quoted text shown (a page annotation's exact), or NULL. */
const char   *rl_thread_row_get_quote     (RlThreadRow  *self);
void          rl_thread_row_set_user      (RlThreadRow  *self,
                                           const char   *user_id,
                                           gboolean      user_is_admin);
void          rl_thread_row_set_can_create (RlThreadRow *self,
                                            gboolean     can_create,
                                            const char  *reason);
void          rl_thread_row_update_times  (RlThreadRow  *self,
                                           gint64        now_ms);
/* From now on, comments that others add are highlighted. */
void          rl_thread_row_set_live      (RlThreadRow  *self,
                                           gboolean      live);
/* Puts text in the reply box, with mentions (of RlMention*, code points
 * into text; NULL: none) as mention spans again, shows it and focuses it. */
void          rl_thread_row_restore_reply (RlThreadRow  *self,
                                           const char   *text,
                                           GPtrArray    *mentions);
void          rl_thread_row_focus_reply   (RlThreadRow  *self);
/* Hides the errors (its own and its comments') that said the user was
 * offline: the link is back. */
void          rl_thread_row_clear_offline_errors (RlThreadRow *self);

/* Text typed here that would be lost if the row went: a reply, else an
 * edit in progress; NULL when there is none. "draft-changed" says when
 * that may have changed. */
char         *rl_thread_row_dup_draft     (RlThreadRow  *self);
gboolean      rl_thread_row_has_draft     (RlThreadRow  *self);
/* TRUE while the row's own resolve or delete runs: the person did it. */
gboolean      rl_thread_row_get_acting    (RlThreadRow  *self);
/* The person threw the kept row away ("dismissed"). */
gboolean      rl_thread_row_get_dismissed (RlThreadRow  *self);
/* The thread is gone from the document, but the row stays for the person
 * in it: it says so, offers Copy Text and Discard (or Dismiss), and
 * changes nothing any more. */
void          rl_thread_row_set_deleted   (RlThreadRow  *self);
gboolean      rl_thread_row_get_deleted   (RlThreadRow  *self);
/* The thread is resolved while resolved ones are hidden, but the row
 * stays for the person in it, saying so (resolved_by: who, or NULL). */
void          rl_thread_row_set_kept_hidden (RlThreadRow *self,
                                             gboolean     kept_hidden,
                                             const char  *resolved_by);
gboolean      rl_thread_row_get_kept_hidden (RlThreadRow *self);
/* The reply typed in from (the kept row of a thread that came back) goes
 * on here, focus and all. */
void          rl_thread_row_take_draft    (RlThreadRow  *self,
                                           RlThreadRow  *from);

G_END_DECLS
