/* rl-comment-row.h — one comment of a thread in the threads panel
 *
 * A "New" divider above it when it is the first the user had not read;
 * author, relative time, "edited" mark and body; the author (or an admin)
 * edits it in place and deletes it after a confirmation (Delete on the
 * focused comment asks too). Each change is one call on the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-doc-store.h"

G_BEGIN_DECLS

#define RL_TYPE_COMMENT_ROW (rl_comment_row_get_type ())
/* How long a teammate's new comment or thread stays highlighted. */
#define RL_FLASH_MS 1600

G_DECLARE_FINAL_TYPE (RlCommentRow, rl_comment_row, RL, COMMENT_ROW, GtkWidget)

RlCommentRow *rl_comment_row_new             (RlDocStore      *store,
                                              const char      *thread_id);
/* Shows comment (copied); keeps an edit in progress. */
void          rl_comment_row_set_comment     (RlCommentRow    *self,
                                              const RlComment *comment);
const char   *rl_comment_row_get_id          (RlCommentRow    *self);
/* can_modify: own comment or admin; deletable: not the thread's first. */
void          rl_comment_row_set_permissions (RlCommentRow    *self,
                                              gboolean         can_modify,
                                              gboolean         deletable);
/* While not online the buttons stay visible but insensitive, saying why. */
void          rl_comment_row_set_can_create  (RlCommentRow    *self,
                                              gboolean         can_create,
                                              const char      *reason);
void          rl_comment_row_update_time     (RlCommentRow    *self,
                                              gint64           now_ms);
gboolean      rl_comment_row_is_editing      (RlCommentRow    *self);
/* The text of an edit in progress that differs from the comment (what
 * would be lost), or NULL; "draft-changed" says when that may change. */
char         *rl_comment_row_dup_draft       (RlCommentRow    *self);
/* Hides an error that said the user was offline: the link is back. */
void          rl_comment_row_clear_offline_error (RlCommentRow *self);

/* The first comment the user had not read (of what they saw unread in
 * the thread): a "New" divider above it. */
void          rl_comment_row_set_first_new   (RlCommentRow    *self,
                                              gboolean         first_new);
gboolean      rl_comment_row_get_first_new   (RlCommentRow    *self);

/* Shared with the thread row (RlThreadRow). */
/* Shows in label what to tell the user about a change the store refused
 * at once; error NULL hides it. */
void          rl_row_show_error              (GtkLabel        *label,
                                              const GError    *error);
/* Hides what rl_row_show_error shows when it said the user was offline. */
void          rl_row_clear_offline_error     (GtkLabel        *label);
/* "Delete …?" over row's window: Cancel (the default) or a destructive
 * Delete; on_response (dialog, response, row) gets "delete" to go on. */
void          rl_row_confirm_delete          (GtkWidget       *row,
                                              const char      *heading,
                                              const char      *body,
                                              GCallback        on_response);
/* A short highlight ("rl-flash", RL_FLASH_MS): a teammate just wrote it;
 * again restarts it. Rows stop it in dispose. */
void          rl_row_flash                   (GtkWidget       *row);
void          rl_row_stop_flash              (GtkWidget       *row);

G_END_DECLS
