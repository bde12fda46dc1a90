/* rl-placement.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-placement.h"

#include <string.h>

/* The nicks are the wire names (status_names). */
G_DEFINE_ENUM_TYPE (RlPlacementStatus, rl_placement_status,
                    G_DEFINE_ENUM_VALUE (RL_PLACEMENT_EXACT, "exact"),
                    G_DEFINE_ENUM_VALUE (RL_PLACEMENT_MOVED, "moved"),
                    G_DEFINE_ENUM_VALUE (RL_PLACEMENT_CHANGED, "changed"),
                    G_DEFINE_ENUM_VALUE (RL_PLACEMENT_ORPHANED, "orphaned"))

static const char *status_names[] = { "exact", "moved", "changed", "orphaned" };

const char *
rl_placement_status_to_string (RlPlacementStatus status)
{
  g_return_val_if_fail (status <= RL_PLACEMENT_ORPHANED, "orphaned");
  return status_names[status];
}

gboolean
rl_placement_status_from_string (const char        *str,
                                 RlPlacementStatus *status)
{
  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (strcmp (str, status_names[i]) == 0)
      {
        *status = (RlPlacementStatus) i;
        return TRUE;
      }
  return FALSE;
}
