/* rl-invite-uri.h — the invite link's form, for the server that prints it
 * and the app that formats it (one form for both)
 *
 * docs/protocol.md, "Invite links": `redline://HOST[:PORT]/join?token=…&
 * tls=0|1[&fp=…]`, without the port when it is the scheme's default (443
 * with TLS, 80 without), so one server has one link.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The link to host (already checked: rl_host_is_valid) on port (-1: the
 * scheme's default) with token (already checked); fingerprint, the pinned
 * certificate's as the link spells it, or NULL, goes only with tls. */
char *rl_invite_uri_build (gboolean    tls,
                           const char *host,
                           int         port,
                           const char *token,
                           const char *fingerprint);

G_END_DECLS
