/* rl-activity-window.h — one Activity view across every account
 *
 * What is new for the user on EVERY account the app has open (issue 19
 * §5), live from each session's activity feed (rl-activity-feed.h): for
 * each account, its documents with unread comments (title, how many, "@"
 * when one mentions the user), then its recent mentions and replies in
 * those documents (who, what, where, when), newest first. Accounts get a
 * heading each only when there is more than one. Activating a row (click
 * or keyboard) runs app.open-thread (rl-notifier.h): the document, at the
 * thread for a mention or reply. "Nothing new" when nothing is unread.
 *
 * One per application: rl_activity_window_present shows the one open, or
 * makes it. The sessions are the application's (rl_application_get_sessions);
 * the view follows accounts coming and going through its accounts menu.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rl-application.h"

G_BEGIN_DECLS

/* Recent mentions and replies listed per account, at most. */
#define RL_ACTIVITY_WINDOW_MAX_RECENT 20

#define RL_TYPE_ACTIVITY_WINDOW (rl_activity_window_get_type ())
G_DECLARE_FINAL_TYPE (RlActivityWindow, rl_activity_window, RL, ACTIVITY_WINDOW, AdwWindow)

/* The application's Activity window, presented (made if none is open);
 * transient for parent when given. */
RlActivityWindow *rl_activity_window_present (RlApplication *application,
                                              GtkWindow     *parent);
/* The unread comments of every account, as the badge of the header's
 * Activity button says. */
guint             rl_activity_count_unread   (RlApplication *application);
/* Calls changed (swapped, on watcher) whenever what the view shows may
 * have changed: an account opened or dropped, an item, unread counts.
 * Disconnected when watcher goes. */
void              rl_activity_watch          (RlApplication *application,
                                              GObject       *watcher,
                                              GCallback      changed);

G_END_DECLS
