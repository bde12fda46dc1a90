/* rl-pinned-database.h — trust in exactly one certificate, for a
 * self-signed server
 *
 * An account whose invite link carried `fp` (rl-invite.h) trusts the one
 * certificate whose SHA-256 fingerprint that is, and nothing else: no
 * certificate authority, not even one the system trusts, can vouch for
 * another. Its name and dates are not checked either: the fingerprint is
 * the server's identity, as a host key is for SSH. RlConnection and RlApi
 * take it as their GTlsDatabase; the handshake with any other certificate
 * fails before a byte of the request (and so the token) is sent, and
 * rl_pinned_database_watch() keeps what was presented instead, so the error
 * can name both fingerprints (RL_CERTIFICATE_ERROR_MISMATCH).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define RL_CERTIFICATE_ERROR (rl_certificate_error_quark ())

typedef enum
{
  RL_CERTIFICATE_ERROR_MISMATCH,  /* the server presented a different certificate from the pinned one */
} RlCertificateError;

GQuark rl_certificate_error_quark (void);

#define RL_TYPE_PINNED_DATABASE (rl_pinned_database_get_type ())
G_DECLARE_FINAL_TYPE (RlPinnedDatabase, rl_pinned_database, RL, PINNED_DATABASE, GTlsDatabase)

/* fingerprint: as rl_fingerprint_normalize gives it (64 lower-case
 * hexadecimal digits). */
GTlsDatabase *rl_pinned_database_new             (const char       *fingerprint);
const char   *rl_pinned_database_get_fingerprint (RlPinnedDatabase *self);

/* Keeps the certificate msg's server presents when the handshake refuses
 * it, for rl_pinned_database_mismatch_error(); accepts nothing. */
void          rl_pinned_database_watch           (SoupMessage      *msg);
/* When database is pinned and msg's handshake refused the certificate
 * presented (watched), RL_CERTIFICATE_ERROR_MISMATCH naming the server
 * ("host:port") and both fingerprints; otherwise NULL. */
GError       *rl_pinned_database_mismatch_error  (GTlsDatabase     *database,
                                                  SoupMessage      *msg);

/* The SHA-256 fingerprint of certificate's DER encoding, as kept (64
 * lower-case hexadecimal digits). */
char         *rl_certificate_fingerprint         (GTlsCertificate  *certificate);
/* As people compare it: upper case, a colon between each two digits
 * ("AB:CD:…"), as `openssl x509 -fingerprint -sha256` prints it. */
char         *rl_fingerprint_to_display          (const char       *fingerprint);

G_END_DECLS
