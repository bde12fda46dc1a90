/* rl-activity-button.h — the header's Activity button, with the badge of
 * every account's unread comments
 *
 * Opens the application's Activity window (rl-activity-window.h). The badge
 * shows the total of unread comments across the accounts, live; none when
 * nothing is unread. Screen readers hear "Activity, N unread".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RL_TYPE_ACTIVITY_BUTTON (rl_activity_button_get_type ())
G_DECLARE_FINAL_TYPE (RlActivityButton, rl_activity_button, RL, ACTIVITY_BUTTON, GtkButton)

/* The badge's text: "" when it is hidden. */
const char *rl_activity_button_get_badge (RlActivityButton *self);

G_END_DECLS
