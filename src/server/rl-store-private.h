/* rl-store-private.h — what every RlStore implementation shares
 *
 * Tokens are made and checked the same way whatever keeps their hashes, so
 * a token stays valid when a deployment moves from one store to another.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A token's secret part: 32 random bytes, URL-safe base64 without padding. */
char     *rl_store_new_secret  (void);
/* What the store keeps of a secret (SHA-256). */
GBytes   *rl_store_hash_secret (const char   *secret);
/* Compares two hashes in constant time. */
gboolean  rl_store_hash_equal  (const guint8 *a,
                                const guint8 *b,
                                gsize         len);

G_END_DECLS
