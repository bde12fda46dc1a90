/* rl-window.h — a Redline window: documents, the open document, its threads
 *
 * A window shows one session (an account in use): the tenant's documents
 * in the sidebar, the open one in the middle, its threads on the right,
 * and across the top what the connection is doing. Without a session it
 * invites the user to connect.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rl-application.h"
#include "rl-banner.h"
#include "rl-image-view.h"
#include "rl-page-view.h"
#include "rl-session.h"
#include "rl-thread-panel.h"

G_BEGIN_DECLS

#define RL_TYPE_WINDOW (rl_window_get_type ())
G_DECLARE_FINAL_TYPE (RlWindow, rl_window, RL, WINDOW, AdwApplicationWindow)

/* Narrower than this, the documents and the threads panel fold: shown
 * over the document when asked for (the header's toggles, F9, Shift+F9). */
#define RL_WINDOW_FOLD_WIDTH 900

RlWindow      *rl_window_new              (RlApplication *application);
/* NULL shows the "Connect to a Redline server" page. */
void           rl_window_set_session      (RlWindow      *self,
                                           RlSession     *session);
RlSession     *rl_window_get_session      (RlWindow      *self);
void           rl_window_add_toast        (RlWindow      *self,
                                           AdwToast      *toast);
/* Uploads each file (GFile) as a new document: each has a row under the
 * document list with its progress and a Cancel button, or why it was
 * refused; the new document opens. */
void           rl_window_upload_files     (RlWindow      *self,
                                           GListModel    *files);

/* Selects the document in the sidebar (which opens it); FALSE when it is
 * not listed yet: then it opens once the list comes, if it is there. */
gboolean       rl_window_open_document    (RlWindow      *self,
                                           const char    *doc_id);
/* Opens doc_id (as rl_window_open_document) and, once it is shown and
 * lists thread_id, selects that thread and brings it into view: a
 * notification clicked. Asking again replaces what was asked. */
void           rl_window_show_thread      (RlWindow      *self,
                                           const char    *doc_id,
                                           const char    *thread_id);
/* The open document's id, or NULL. */
const char    *rl_window_get_document_id  (RlWindow      *self);

G_END_DECLS
