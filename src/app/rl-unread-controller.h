/* rl-unread-controller.h — what the person has not read in the open
 * document: marked read as they read it, announced, and gone through
 *
 * A thread counts as read (rl_doc_store_mark_read, which the server keeps
 * for the user's other computers) once the person had a chance to see it:
 * its row was on screen in the threads panel for RL_UNREAD_READ_MS while
 * the window was focused, it was selected while the window was focused,
 * or they replied in it. Nothing is marked while the window is in the
 * background; what is on screen then counts from when it is focused.
 *
 * Opening a document with something unread slides down its banner, "N new
 * since you were here" (rl_doc_store_get_new_since_open), without moving
 * anything; its Show selects the first unread thread, as "next unread" does.
 * The banner goes once everything is read, or with the document.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-banner.h"
#include "rl-doc-store.h"
#include "rl-thread-panel.h"

G_BEGIN_DECLS

/* How long a thread shown on screen takes to count as read. */
#define RL_UNREAD_READ_MS 1000

#define RL_TYPE_UNREAD_CONTROLLER (rl_unread_controller_get_type ())
G_DECLARE_FINAL_TYPE (RlUnreadController, rl_unread_controller, RL, UNREAD_CONTROLLER, GObject)

/* window: whether the person looks (is-active); panel: what is on screen,
 * and its state's threads and selection; banner: the one it fills. Held
 * weakly: the window owns them all. */
RlUnreadController *rl_unread_controller_new          (GtkWindow          *window,
                                                       RlThreadPanel      *panel,
                                                       RlBanner           *banner);
/* The open document's store; NULL: none open. */
void                rl_unread_controller_set_store    (RlUnreadController *self,
                                                       RlDocStore         *store);
/* Selects the next (forward) or previous unread thread among those the
 * panel lists, after (before) the selected one, around the end; FALSE
 * when none is unread. "thread-shown" tells the window to bring it into
 * view. */
gboolean            rl_unread_controller_go_to_unread (RlUnreadController *self,
                                                       gboolean            forward);
/* Marks the whole document read, up to what the store has. */
void                rl_unread_controller_mark_all_read (RlUnreadController *self);
/* Whether anything in the open document is unread. */
gboolean            rl_unread_controller_has_unread   (RlUnreadController *self);

G_END_DECLS
