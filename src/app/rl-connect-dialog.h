/* rl-connect-dialog.h — "Connect to server…": an invite link, or a server
 * address and a token
 *
 * Everything is checked before anything is tried (rl_invite_parse,
 * rl_server_url_normalize), each mistake said under the field it is in;
 * "connect" carries the normalized address and the token.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RL_TYPE_CONNECT_DIALOG (rl_connect_dialog_get_type ())
G_DECLARE_FINAL_TYPE (RlConnectDialog, rl_connect_dialog, RL, CONNECT_DIALOG, AdwWindow)

/* server_url: prefills the address (signing in again); may be NULL. */
GtkWidget  *rl_connect_dialog_new         (GtkWindow       *parent,
                                           const char      *server_url);
/* What the fields say; TRUE and "connect" emitted when it is acceptable,
 * else FALSE with the error shown (what the Connect button does). */
gboolean    rl_connect_dialog_submit      (RlConnectDialog *self);
void        rl_connect_dialog_set_invite  (RlConnectDialog *self,
                                           const char      *link);
void        rl_connect_dialog_set_server  (RlConnectDialog *self,
                                           const char      *server_url,
                                           const char      *token);
/* The error shown, or NULL. */
const char *rl_connect_dialog_get_error   (RlConnectDialog *self);

G_END_DECLS
