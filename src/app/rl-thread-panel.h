/* rl-thread-panel.h — every thread of the open document, with its comments
 *
 * Threads in creation order, each with its own number (RlThread.number,
 * given by the server, as on its pin; for pages in text order with their
 * quoted text: rl_thread_panel_set_position_func); comments with author,
 * relative time (refreshed every minute) and an "edited" mark; reply,
 * edit, delete, resolve/reopen and delete thread, each one call on the
 * store. "selected-thread" follows the list's selection and selects (and
 * scrolls to) a row when set. While "can-create" is FALSE every button that
 * changes something is insensitive and its tooltip says
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

#include "rl-doc-store.h"

G_BEGIN_DECLS

#define RL_TYPE_THREAD_PANEL (rl_thread_panel_get_type ())
G_DECLARE_FINAL_TYPE (RlThreadPanel, rl_thread_panel, RL, THREAD_PANEL, GtkWidget)

GtkWidget  *rl_thread_panel_new                 (void);
void        rl_thread_panel_set_store           (RlThreadPanel *self,
                                                 RlDocStore    *store);
RlDocStore *rl_thread_panel_get_store           (RlThreadPanel *self);
/* Puts text back into the reply box of thread_id and focuses it: the
 * "Retry" of a failed reply or edit. */
void        rl_thread_panel_restore_reply       (RlThreadPanel *self,
                                                 const char    *thread_id,
                                                 const char    *text);

/* Where a thread's anchor lies in the document's text now (code points);
 * FALSE when it cannot be placed: the thread is orphaned. */
typedef gboolean (*RlThreadPanelPositionFunc) (const RlThread *thread,
                                               guint          *start,
                                               guint          *end,
                                               gpointer        user_data);
/* With a position function (pages) threads are listed in text order, by
 * start then end, each with the text it quotes (and its own number);
 * orphaned ones follow under an "Orphaned" heading, never dropped. Without
 * one (images) it is creation order, numbered as the pins. */
void        rl_thread_panel_set_position_func   (RlThreadPanel *self,
                                                 RlThreadPanelPositionFunc func,
                                                 gpointer       user_data,
                                                 GDestroyNotify destroy);
/* The positions changed (the page view placed its ranges again): sorts
 * anew, moving rows only where the order changed. */
void        rl_thread_panel_refresh_order       (RlThreadPanel *self);
/* Whether the position function could not place thread_id. */
gboolean    rl_thread_panel_is_orphaned         (RlThreadPanel *self,
                                                 const char    *thread_id);

const char *rl_thread_panel_get_selected_thread (RlThreadPanel *self);
void        rl_thread_panel_set_selected_thread (RlThreadPanel *self,
                                                 const char    *thread_id);
gboolean    rl_thread_panel_get_hide_resolved   (RlThreadPanel *self);
void        rl_thread_panel_set_hide_resolved   (RlThreadPanel *self,
                                                 gboolean       hide_resolved);
gboolean    rl_thread_panel_get_can_create      (RlThreadPanel *self);
void        rl_thread_panel_set_can_create      (RlThreadPanel *self,
                                                 gboolean       can_create);
const char *rl_thread_panel_get_cannot_create_reason (RlThreadPanel *self);
void        rl_thread_panel_set_cannot_create_reason (RlThreadPanel *self,
                                                      const char    *reason);

/* Picking a thread: "thread-activated" (its id) is emitted when a person
 * picks a row (a click on it, or Enter), also one already selected, so the
 * document can bring that thread into view every time. */

/* Selects thread_id and puts the keyboard in its reply box (shown), when
 * the panel is on screen: a pin was clicked, a reply comes next. */
void        rl_thread_panel_focus_reply         (RlThreadPanel *self,
                                                 const char    *thread_id);
G_END_DECLS
