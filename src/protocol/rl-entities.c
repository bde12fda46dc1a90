/* rl-entities.c — a binary search of the generated table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-entities.h"

#include <string.h>

/* Byte order, as the generator sorts: a name before every longer name it
 * begins. */
static int
compare_name (const char *name,
              gsize       length,
              const char *entry)
{
  gsize entry_length = strlen (entry);
  int order = memcmp (name, entry, MIN (length, entry_length));

  if (order != 0)
    return order;
  return length < entry_length ? -1 : length > entry_length ? 1 : 0;
}

const RlEntity *
rl_entity_lookup (const char *name,
                  gsize       length)
{
  guint low = 0, high = rl_entity_table_size;

  g_return_val_if_fail (name != NULL || length == 0, NULL);

  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      int order = compare_name (name, length, rl_entity_table[middle].name);

      if (order == 0)
        return &rl_entity_table[middle];
      if (order < 0)
        high = middle;
      else
        low = middle + 1;
    }
  return NULL;
}
