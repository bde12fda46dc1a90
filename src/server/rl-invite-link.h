/* rl-invite-link.h — the invite link `user add --invite-for` prints
 *
 * The link the app reads (rl-invite.h in the client core, and
 * docs/protocol.md, "Invite links"): `redline://HOST[:PORT]/join?token=…&
 * tls=0|1[&fp=…]`. The public address is `HOST:PORT` (TLS on), or a
 * `wss://` or `ws://` address (port optional); `fp` is added when the
 * certificate given is self-signed: no authority vouches for it, so the
 * app trusts exactly it. A certificate an authority signed is not pinned
 * (it is renewed; the authority vouches for the next one).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* address: the server's public address; cert_path: the PEM certificate it
 * serves (NULL: none known). Sets *pinned_fp to the fingerprint put in the
 * link ("AB:CD:…", for the operator) or NULL. NULL with G_OPTION_ERROR for
 * an address that is not one (or a certificate with ws://), another error
 * for a certificate that can't be read. */
char *rl_invite_link_for (const char  *address,
                          const char  *cert_path,
                          const char  *token,
                          char       **pinned_fp,
                          GError     **error);

G_END_DECLS
