/* rl-window-private.h — the window's parts, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-window.h"

G_BEGIN_DECLS

/* What tests look at. */
GListModel    *rl_window_get_documents    (RlWindow      *self);
/* "welcome", or the document area's page: "none", "loading", "error",
 * "image", "page". */
const char    *rl_window_get_visible_page (RlWindow      *self);
RlImageView   *rl_window_get_image_view   (RlWindow      *self);
RlPageView    *rl_window_get_page_view    (RlWindow      *self);
RlThreadPanel *rl_window_get_thread_panel (RlWindow      *self);
/* "reconnecting", "offline", "signed-out", "untrusted", "version" or
 * "unread". */
RlBanner      *rl_window_get_banner       (RlWindow      *self,
                                           const char    *name);
AdwToast      *rl_window_get_last_toast   (RlWindow      *self);
GtkWidget     *rl_window_get_viewers_button (RlWindow    *self);
/* The version of the open document shown (0: none numbered). */
gint64         rl_window_get_shown_revision (RlWindow    *self);
/* What a file dropped on the open document does: checks it as an upload
 * would and asks whether to upload it as the next version, or says at
 * once (a toast) why it cannot be one (the drop target's "drop" handler). */
void           rl_window_offer_version    (RlWindow      *self,
                                           GFile         *file);

G_END_DECLS
