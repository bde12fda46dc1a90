/* rl-connect-dialog.h — "Connect to Server…": an invite link, or a server
 * address and a token, checked before anything uses them
 *
 * What is typed is checked first (rl_invite_parse, rl_server_url_normalize),
 * each mistake said under the field it is in. Then the server is asked,
 * with a spinner: only once it has welcomed the token does "connected" give
 * the new session (started and online) and the dialog close. A refused
 * token, a server that cannot be reached, a certificate that is not
 * trusted, a different certificate from the one an invite link pins (`fp`,
 * both fingerprints named; nothing is sent to that server) or no answer in
 * time is said in the dialog, in words that name the cause, and what was
 * typed is kept. Closing the dialog gives up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rl-session.h"

G_BEGIN_DECLS

#define RL_TYPE_CONNECT_DIALOG (rl_connect_dialog_get_type ())
G_DECLARE_FINAL_TYPE (RlConnectDialog, rl_connect_dialog, RL, CONNECT_DIALOG, AdwWindow)

/* How long the server may take to welcome the token. */
#define RL_CONNECT_DIALOG_TIMEOUT_MS 15000

/* server_url: prefills the address (signing in again); may be NULL.
 * fingerprint: the certificate that address's account pins (NULL: none),
 * kept for it as long as the address is not changed to another server. */
GtkWidget  *rl_connect_dialog_new         (GtkWindow       *parent,
                                           const char      *server_url,
                                           const char      *fingerprint);
/* What the Connect button does: TRUE when the fields are acceptable and
 * the server is being asked, else FALSE with the error shown. */
gboolean    rl_connect_dialog_submit      (RlConnectDialog *self);
void        rl_connect_dialog_set_invite  (RlConnectDialog *self,
                                           const char      *link);
void        rl_connect_dialog_set_server  (RlConnectDialog *self,
                                           const char      *server_url,
                                           const char      *token);
/* The error shown, or NULL. */
const char *rl_connect_dialog_get_error   (RlConnectDialog *self);
/* TRUE while the server is being asked. */
gboolean    rl_connect_dialog_get_checking (RlConnectDialog *self);

G_END_DECLS
