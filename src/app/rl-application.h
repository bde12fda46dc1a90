/* rl-application.h — the app: one instance, its accounts, windows and actions
 *
 * One session (RlSession: connection + API) per account, shared by every
 * window on it. Started with a redline:// invite link it joins that server
 * and, on the welcome, keeps the token in the keyring (never in a file);
 * started plainly it opens the accounts the keyring holds, the last used
 * first, or asks the user to connect.
 *
 * `--join-stdin` reads the invite link from standard input instead of the
 * command line: a process's command line is readable by every user of the
 * machine (/proc/PID/cmdline, ps), its environment by the same user and by
 * every process it starts; a pipe is read by this process alone. The link
 * goes to the running instance, if there is one, over the session bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rl-session.h"

G_BEGIN_DECLS

#define RL_TYPE_APPLICATION (rl_application_get_type ())
G_DECLARE_FINAL_TYPE (RlApplication, rl_application, RL, APPLICATION, AdwApplication)

/* flags: G_APPLICATION_HANDLES_OPEN is always added (invite links). */
RlApplication *rl_application_new          (const char        *application_id,
                                            GApplicationFlags  flags);

/* The app's GResource (templates, CSS); once per process. Tests that build
 * widgets without an RlApplication call it first. */
void           rl_app_register_resources   (void);

/* Joins the server of an invite link, shown in window (NULL: the active
 * one or a new one): the session already open for it at once; a new
 * account once its server has welcomed the token, checked in the Connect
 * dialog (a spinner; why not, if not). FALSE only for a link that is not
 * one (nothing is tried). */
gboolean       rl_application_join         (RlApplication     *self,
                                            const char        *link,
                                            GtkWindow         *window,
                                            GError           **error);
/* Adds a session (the keyring path does; tests inject their own), makes
 * it the last used and starts it. Saved to the keyring on its first
 * welcome unless already_saved. */
void           rl_application_add_session  (RlApplication     *self,
                                            RlSession         *session,
                                            gboolean           already_saved);
RlSession     *rl_application_find_session (RlApplication     *self,
                                            const char        *key);
/* While the saved accounts are being opened at startup: keeps the action
 * action_name (of the app) with parameter (sunk if floating) to be
 * activated again once they are, and TRUE; FALSE when they are open. For
 * an action that needs an account's session (app.open-thread). */
gboolean       rl_application_defer_until_opened (RlApplication *self,
                                                  const char    *action_name,
                                                  GVariant      *parameter);
/* The desktop notifications of every account's activity (rl-notifier.h);
 * NULL before startup. */
typedef struct _RlNotifier RlNotifier;
RlNotifier    *rl_application_get_notifier (RlApplication *self);
/* Every open account's session (RlSession*), not to be changed; the
 * accounts menu changes whenever it does. */
GPtrArray     *rl_application_get_sessions (RlApplication *self);
/* The last used session, or NULL. */
RlSession     *rl_application_get_current_session (RlApplication *self);
/* An account removed from the keyring (Preferences): its session, if one
 * is open, is stopped and dropped; the windows that showed it show the
 * current account, or another, or the welcome page when none is left;
 * last-account forgets it. key: "SERVER USER", as rl_session_dup_key. */
void           rl_application_forget_account (RlApplication *self,
                                              const char    *key);
/* "Accounts" items: win.account with the session key. */
GMenuModel    *rl_application_get_accounts_menu   (RlApplication *self);
/* server_url: prefilled (sign in again); may be NULL; fingerprint: the
 * certificate that server's account pins, or NULL. */
void           rl_application_show_connect_dialog (RlApplication *self,
                                                   GtkWindow     *parent,
                                                   const char    *server_url,
                                                   const char    *fingerprint);

/* The app's settings (io.github.redline.Redline), or NULL when the schema
 * is not installed. */
GSettings     *rl_settings_new            (void);

G_END_DECLS
