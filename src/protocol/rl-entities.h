/* rl-entities.h — HTML5 named character references, for the page's plain text
 *
 * The table is generated (build-aux/gen-entities.py) and complete: every
 * name of the WHATWG list that ends in ';', without its '&' and ';'.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;          /* without '&' and ';' */
  gunichar    points[2];     /* the second is 0 for a name of one code point */
} RlEntity;

extern const RlEntity rl_entity_table[];
extern const guint    rl_entity_table_size;

/* The entity named by the length bytes at name (without '&' and ';'), or
 * NULL when HTML5 has no such name. */
const RlEntity *rl_entity_lookup (const char *name,
                                  gsize       length);

G_END_DECLS
