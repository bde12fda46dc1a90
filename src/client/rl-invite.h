/* rl-invite.h — invite links and server addresses, checked strictly
 *
 * An invite link is `redline://HOST[:PORT]/join?token=TOKEN&tls=0|1[&fp=FP]`.
 * It is something a user pastes, so everything in it is checked and each
 * kind of mistake gets its own error: scheme `redline`; a host (a DNS name,
 * an IPv4 address or a bracketed IPv6 literal); an optional port 1–65535;
 * the path exactly `/join`; exactly the parameters `token` (required, 1–1024
 * of the URL-safe characters `A–Z a–z 0–9 - . _ ~`), `tls` (`0` or `1`) and
 * `fp`, each at most once; no user info and no fragment.
 *
 * `fp` pins the server's certificate (a self-signed one): the SHA-256 of
 * its DER encoding, as 64 hexadecimal digits in either case, bare or in 32
 * pairs separated by colons (`openssl x509 -fingerprint -sha256` prints
 * the latter). It needs TLS: `fp` with `tls=0` is refused. The app then
 * trusts that certificate and no other (rl-pinned-database.h).
 *
 * A link without `tls` means TLS on (wss): a link that forgets the flag is
 * never downgraded to clear text; plain ws needs an explicit `tls=0`. A link
 * without a port means the scheme's default (443 for wss, 80 for ws); the
 * server address leaves a default port out, so one server has one spelling.
 *
 * Leading or trailing blanks are a mistake here: the caller strips what a
 * paste brought along.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RL_INVITE_ERROR (rl_invite_error_quark ())

typedef enum
{
  RL_INVITE_ERROR_MALFORMED,  /* not a URI, or a broken query */
  RL_INVITE_ERROR_SCHEME,     /* not redline:// (or, for an address, not ws/wss) */
  RL_INVITE_ERROR_USERINFO,   /* user:password@ in front of the host */
  RL_INVITE_ERROR_HOST,       /* missing or not a host name or address */
  RL_INVITE_ERROR_PORT,       /* empty, 0 or above 65535 */
  RL_INVITE_ERROR_PATH,       /* not /join (or, for an address, not empty) */
  RL_INVITE_ERROR_FRAGMENT,   /* a #… part */
  RL_INVITE_ERROR_PARAMETER,  /* unknown or repeated parameter */
  RL_INVITE_ERROR_TOKEN,      /* missing, empty, too long or bad characters */
  RL_INVITE_ERROR_TLS,        /* tls other than 0 or 1 */
  RL_INVITE_ERROR_FINGERPRINT, /* fp not a SHA-256 fingerprint, or with tls=0 */
} RlInviteError;

/* The longest token a link may carry. */
#define RL_INVITE_TOKEN_MAX 1024
/* A SHA-256 fingerprint as kept: lower-case hexadecimal, no colons. */
#define RL_FINGERPRINT_LENGTH 64

GQuark    rl_invite_error_quark   (void);

/* Parses link; on success sets server_url to "ws://HOST[:PORT]" or
 * "wss://HOST[:PORT]" (host in lower case, IPv6 in brackets), token, and
 * fingerprint to the pinned certificate's (as rl_fingerprint_normalize
 * gives it) or NULL when the link pins none. */
gboolean  rl_invite_parse         (const char  *link,
                                   char       **server_url,
                                   char       **token,
                                   char       **fingerprint,
                                   GError     **error);

/* The invite link for a server address (as rl_server_url_normalize takes),
 * a token and a certificate fingerprint (NULL: none; wss:// only); NULL
 * with an error when one is not acceptable. */
char     *rl_invite_format        (const char  *server_url,
                                   const char  *token,
                                   const char  *fingerprint,
                                   GError     **error);

/* A SHA-256 fingerprint as an invite link's `fp` may spell it, in the one
 * form it is kept and compared in: 64 lower-case hexadecimal digits. */
char     *rl_fingerprint_normalize (const char *text,
                                    GError    **error);

/* Checks a ws:// or wss:// server address (host, optional port, nothing
 * else but a trailing "/") and returns it as "SCHEME://HOST[:PORT]", host
 * in lower case, so that one server has one spelling (the account key). */
char     *rl_server_url_normalize (const char  *url,
                                   GError     **error);

G_END_DECLS
