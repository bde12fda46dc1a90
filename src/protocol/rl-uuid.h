/* rl-uuid.h — client-made ids (PROTOCOL.md §1, §8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A fresh random UUID v4, lower case. */
char     *rl_uuid_new          (void);
/* TRUE for a lower-case UUID in the 8-4-4-4-12 form. */
gboolean  rl_uuid_is_valid     (const char *str);
/* A random, URL-safe id carrying at least 128 random bits (server-made ids). */
char     *rl_random_id_new     (void);
/* TRUE when str is a tenant id: [a-z0-9-]{1,40}. */
gboolean  rl_tenant_id_is_valid (const char *str);

G_END_DECLS
