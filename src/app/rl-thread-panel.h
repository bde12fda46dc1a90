/* rl-thread-panel.h — every thread of the open document, with its comments
 *
 * Threads in creation order, numbered as their pins; comments with author,
 * relative time (refreshed every minute) and an "edited" mark; reply,
 * edit, delete, resolve/reopen and delete thread, each one call on the
 * store. "selected-thread" follows the list's selection and selects (and
 * scrolls to) a row when set. While "can-create" is FALSE every button that
 * changes something is insensitive and its tooltip says
 * "cannot-create-reason". Own comments (and any, for an admin: PROTOCOL.md
 * §1) can be edited and deleted; whose they are is read from the store's
 * connection ("user-id", "user-is-admin", read only).
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
G_END_DECLS
