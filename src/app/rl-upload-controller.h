/* rl-upload-controller.h — the window's uploads: each file a row under the
 * document list, with its progress and a Cancel button, or why it was
 * refused; "uploaded" tells the window of each new document
 *
 * It puts its rows in the box it is given (shown while it has one) and
 * moves the keyboard to the next row, or to focus-fallback, when a focused
 * row goes. It uploads on its session; a file that lands after the window
 * has moved to another account is still announced, with the session it
 * was sent on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-session.h"

G_BEGIN_DECLS

#define RL_TYPE_UPLOAD_CONTROLLER (rl_upload_controller_get_type ())
G_DECLARE_FINAL_TYPE (RlUploadController, rl_upload_controller, RL, UPLOAD_CONTROLLER, GObject)

RlUploadController *rl_upload_controller_new         (void);
/* Each file (GFile) uploaded as a new document on the session; nothing
 * without one. */
void                rl_upload_controller_upload_files (RlUploadController *self,
                                                       GListModel         *files);
/* Asks for files in a file chooser over parent, and uploads them. */
void                rl_upload_controller_choose_files (RlUploadController *self,
                                                       GtkWindow          *parent);
/* file uploaded as a new version of doc on the session, its row like a new
 * document's; "version-uploaded" tells of the new revision. broadcast_id
 * (may be NULL) is sent with it, so the revision-added event it causes
 * says it (rl_api_upload_revision). */
void                rl_upload_controller_upload_version (RlUploadController *self,
                                                         GFile              *file,
                                                         const RlDocument   *doc,
                                                         const char         *broadcast_id);
/* Asks for one file of doc's kind in a file chooser over parent, and
 * uploads it as doc's new version. */
void                rl_upload_controller_choose_version (RlUploadController *self,
                                                         GtkWindow          *parent,
                                                         const RlDocument   *doc,
                                                         const char         *broadcast_id);
/* Cancels every upload and forgets the rows' box: what is still on its
 * way ends without touching a widget or saying "uploaded". */
void                rl_upload_controller_stop         (RlUploadController *self);

G_END_DECLS
