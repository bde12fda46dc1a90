/* rl-ui-keyring.h — a real keyring for the UI tests: a gnome-keyring-daemon
 * of the test's own on the private session bus (dbus-run-session
 * --config-file=tests/dbus-session.conf), as tests/client/test-account.c
 * runs one, and what the tests ask of it through libsecret
 *
 * The daemon's login keyring (password "pw") lives in a temporary folder
 * and is unlocked at start. Every call waits in the default main context
 * (libsecret's sync calls leak the proxies they make in a private one).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-account.h"

G_BEGIN_DECLS

typedef struct _RlUiKeyring RlUiKeyring;

/* Started and serving the session bus (asserted within 15 s); asserts that
 * no other Secret Service serves it, so no real keyring is touched. */
RlUiKeyring *rl_ui_keyring_start    (void);
/* Stops the daemon (asserted gone from the bus), removes its folder, and
 * forgets libsecret's service (the next keyring starts afresh). */
void         rl_ui_keyring_stop     (RlUiKeyring *keyring);

/* account's token stored as the app stores it (asserted). */
void         rl_ui_keyring_save     (RlAccount   *account,
                                     const char  *token);
/* account's item removed (asserted there and removed). */
void         rl_ui_keyring_delete   (RlAccount   *account);
/* How many items of the app's schema the keyring holds for server and
 * user. */
guint        rl_ui_keyring_n_items  (const char  *server,
                                     const char  *user);

G_END_DECLS
