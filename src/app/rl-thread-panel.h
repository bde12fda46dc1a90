/* rl-thread-panel.h — every thread of the open document, with its comments
 *
 * The review state's threads (rl-review-state.h: creation order, or for
 * pages text order with orphans under an "Orphaned" heading), each with
 * its own number (RlThread.number, given by the server, as on its pin;
 * for pages with their quoted text); comments with author, relative time
 * (refreshed every minute) and an "edited" mark; reply, edit, delete,
 * resolve/reopen and delete thread, each one call on the store. The
 * state's selection follows the list's and selects (and scrolls to) a row
 * when set elsewhere. While the state's "can-create" is FALSE every button
 * that changes something is insensitive and its tooltip says its
 * "cannot-create-reason". Own comments (and any, for an admin: PROTOCOL.md
 * §1) can be edited and deleted; whose they are is read from the store's
 * connection ("user-id", "user-is-admin", read only).
 *
 * Typed text is never lost and the selection never moves by itself: a
 * thread that leaves the list (a teammate deleted it, or resolved it while
 * resolved ones are hidden) keeps its row while it holds the selection or
 * text typed in it, saying what happened (for a deleted one with Copy Text
 * and Discard); it goes once the person leaves it or discards the text. A
 * send refused because the user was offline stops saying so once the link
 * is back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-api.h"
#include "rl-review-view.h"

G_BEGIN_DECLS

#define RL_TYPE_THREAD_PANEL (rl_thread_panel_get_type ())
G_DECLARE_FINAL_TYPE (RlThreadPanel, rl_thread_panel, RL, THREAD_PANEL, RlReviewView)

/* Lists the state's threads (rl_review_state_get_threads), for whichever
 * document its store is; the selection, the filter and whether one may
 * create are the state's. */
GtkWidget  *rl_thread_panel_new                 (RlReviewState *state);
RlReviewState *rl_thread_panel_get_state        (RlThreadPanel *self);
/* Where the pictures of the open image's older versions come from (the
 * session's; NULL: none): a moved or changed marker's row shows the
 * version it was made on around its pin, each version fetched and
 * decoded once while the document stays open. */
void        rl_thread_panel_set_api             (RlThreadPanel *self,
                                                 RlApi         *api);
/* Puts text back into the reply box of thread_id, with its mentions (of
 * RlMention*, code points into text; NULL: none), and focuses it: the
 * "Retry" of a failed reply or edit. */
void        rl_thread_panel_restore_reply       (RlThreadPanel *self,
                                                 const char    *thread_id,
                                                 const char    *text,
                                                 GPtrArray     *mentions);
/* Whether the state's position function could not place thread_id. */
gboolean    rl_thread_panel_is_orphaned         (RlThreadPanel *self,
                                                 const char    *thread_id);

/* Picking a thread: "thread-activated" (its id) is emitted when a person
 * picks a row (a click on it, or Enter), also one already selected, so the
 * document can bring that thread into view every time. */

/* Selects thread_id and puts the keyboard in its reply box (shown), when
 * the panel is on screen: a pin was clicked, a reply comes next. */
void        rl_thread_panel_focus_reply         (RlThreadPanel *self,
                                                 const char    *thread_id);
/* The panel's scrolling: what is in view moves with it. */
GtkAdjustment *rl_thread_panel_get_vadjustment  (RlThreadPanel *self);
/* The threads whose rows are on screen now: mapped and at least partly
 * inside the panel's scrolled view (thread ids; empty while the panel is
 * not shown). */
GPtrArray  *rl_thread_panel_dup_threads_in_view (RlThreadPanel *self);

G_END_DECLS
