/* rl-account.h — a server and a user on it, the token kept in the keyring
 *
 * An account is a server address (ws:// or wss://, normalized by
 * rl_server_url_normalize) and the user id the server's welcome named. The
 * token lives only in the Secret Service (libsecret), in the default
 * collection, as an item of the schema RL_ACCOUNT_SCHEMA_NAME with the
 * attributes `server` and `user`, and `fingerprint` for an account that
 * trusts one self-signed certificate (the SHA-256 its invite link pinned,
 * rl-pinned-database.h), so that the app trusts it again at the next
 * start; nothing of it is written to plain files or logged. One (server,
 * user) pair is one item: saving again replaces the token, the label and
 * the fingerprint, it never adds a second item.
 *
 * Every keyring call may fail with RL_ACCOUNT_ERROR_NO_KEYRING (no session
 * bus or no Secret Service), RL_ACCOUNT_ERROR_LOCKED (the keyring is locked
 * and the unlock prompt was dismissed or could not be shown), or
 * RL_ACCOUNT_ERROR_FAILED; a cancelled call answers G_IO_ERROR_CANCELLED.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RL_ACCOUNT_SCHEMA_NAME "io.github.redline.Redline.Account"

#define RL_ACCOUNT_ERROR (rl_account_error_quark ())

typedef enum
{
  RL_ACCOUNT_ERROR_INVALID,     /* a bad server address, user id or token */
  RL_ACCOUNT_ERROR_NO_KEYRING,  /* no session bus, or no Secret Service on it */
  RL_ACCOUNT_ERROR_LOCKED,      /* the keyring is locked and was not unlocked */
  RL_ACCOUNT_ERROR_NOT_FOUND,   /* no token is stored for this account */
  RL_ACCOUNT_ERROR_FAILED,      /* the keyring refused; the message says why */
} RlAccountError;

GQuark rl_account_error_quark (void);

#define RL_TYPE_ACCOUNT (rl_account_get_type ())
G_DECLARE_FINAL_TYPE (RlAccount, rl_account, RL, ACCOUNT, GObject)

/* server_url: as rl_server_url_normalize takes; label: what the user sees
 * (NULL or blank: "USER on HOST"). NULL with RL_ACCOUNT_ERROR_INVALID. */
RlAccount   *rl_account_new             (const char           *server_url,
                                         const char           *user_id,
                                         const char           *label,
                                         GError              **error);

/* "wss://host[:port]": the form RlConnection takes. */
const char  *rl_account_get_server_url  (RlAccount            *self);
const char  *rl_account_get_user_id     (RlAccount            *self);
/* TRUE for wss://. */
gboolean     rl_account_get_tls         (RlAccount            *self);
const char  *rl_account_get_label       (RlAccount            *self);
/* Kept in the keyring by the next rl_account_save(). */
void         rl_account_set_label       (RlAccount            *self,
                                         const char           *label);
/* The pinned certificate's SHA-256 (64 lower-case hexadecimal digits), or
 * NULL: the server is trusted as the system's certificate authorities
 * say. */
const char  *rl_account_get_fingerprint (RlAccount            *self);
/* Kept by the next rl_account_save(); any spelling rl_fingerprint_normalize
 * takes, or NULL for none. FALSE with RL_ACCOUNT_ERROR_INVALID for one that
 * is not a fingerprint, or on a ws:// account (no TLS, nothing to pin). */
gboolean     rl_account_set_fingerprint (RlAccount            *self,
                                         const char           *fingerprint,
                                         GError              **error);
/* Same server and same user: the same keyring item. */
gboolean     rl_account_equal           (RlAccount            *a,
                                         RlAccount            *b);

/* Stores token (replacing the one stored for this account, if any), the
 * label and the fingerprint. */
void         rl_account_save            (RlAccount            *self,
                                         const char           *token,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean     rl_account_save_finish     (RlAccount            *self,
                                         GAsyncResult         *result,
                                         GError              **error);

/* The stored token (free it with g_free), or NULL with
 * RL_ACCOUNT_ERROR_NOT_FOUND when there is none. */
void         rl_account_lookup_token    (RlAccount            *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
char        *rl_account_lookup_token_finish (RlAccount        *self,
                                         GAsyncResult         *result,
                                         GError              **error);

/* Removes the account's item; RL_ACCOUNT_ERROR_NOT_FOUND when there was
 * none. */
void         rl_account_delete          (RlAccount            *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean     rl_account_delete_finish   (RlAccount            *self,
                                         GAsyncResult         *result,
                                         GError              **error);

/* Every stored account (tokens are not read) with its fingerprint, sorted
 * by label: a GListModel of RlAccount. An item whose fingerprint is not
 * one is left out rather than trusted some other way. Asks to unlock a
 * locked keyring; RL_ACCOUNT_ERROR_LOCKED when it stays locked. */
void         rl_account_list_all        (GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
GListModel  *rl_account_list_all_finish (GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
