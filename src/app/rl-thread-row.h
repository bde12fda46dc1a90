/* rl-thread-row.h — one thread in the threads panel
 *
 * Its number (as on the image's pin), the text it quotes (pages), its comments, resolve/reopen, delete
 * (after a confirmation) and a reply box shown while the thread is
 * selected or holds text. Ctrl+R focuses the reply, Ctrl+Enter sends it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-doc-store.h"

G_BEGIN_DECLS

#define RL_TYPE_THREAD_ROW (rl_thread_row_get_type ())
G_DECLARE_FINAL_TYPE (RlThreadRow, rl_thread_row, RL, THREAD_ROW, GtkListBoxRow)

RlThreadRow  *rl_thread_row_new           (RlDocStore   *store,
                                           RlThreadItem *item,
                                           const char   *user_id,
                                           gboolean      user_is_admin);
RlThreadItem *rl_thread_row_get_item      (RlThreadRow  *self);
const char   *rl_thread_row_get_thread_id (RlThreadRow  *self);
/* Index in the store's threads + 1: the pin's number. */
void          rl_thread_row_set_number    (RlThreadRow  *self,
                                           guint         number);
/* Its anchor can no longer be placed in the text (pages). */
void          rl_thread_row_set_orphaned  (RlThreadRow  *self,
                                           gboolean      orphaned);
gboolean      rl_thread_row_get_orphaned  (RlThreadRow  *self);
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
/* Puts text in the reply box, shows it and focuses it. */
void          rl_thread_row_restore_reply (RlThreadRow  *self,
                                           const char   *text);
void          rl_thread_row_focus_reply   (RlThreadRow  *self);

G_END_DECLS
