/* rl-preferences-window.h — Preferences: notifications and accounts
 *
 * Notifications: the global switch (GSettings `notifications`) and the
 * documents muted one by one (`muted-documents`, named by
 * `muted-document-titles` and their accounts' labels), each with Unmute;
 * both follow the settings as they change. Accounts: every account the
 * keyring holds, each with Remove…, which asks first, then clears the
 * account's token from the keyring, forgets its muted documents and has
 * the application drop its session (rl_application_forget_account).
 * Without the settings schema the Notifications page is insensitive.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rl-application.h"

G_BEGIN_DECLS

#define RL_TYPE_PREFERENCES_WINDOW (rl_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (RlPreferencesWindow, rl_preferences_window, RL, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Transient for parent (may be NULL), modal; the keyring's accounts are
 * listed once it is made, and again after each removal. */
RlPreferencesWindow *rl_preferences_window_new (RlApplication *application,
                                                GtkWindow     *parent);

G_END_DECLS
