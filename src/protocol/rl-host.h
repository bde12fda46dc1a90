/* rl-host.h — what a server address's host may be, for the invite link the
 * server prints and the app reads (one rule for both)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE for a DNS name or IPv4 address (GUri has already turned IDN into
 * ASCII), or an IPv6 literal that GUri took out of its brackets. A zone id
 * ("%eth0") means nothing on another machine, so it is refused; so is a
 * trailing dot. */
gboolean rl_host_is_valid (const char *host);

G_END_DECLS
