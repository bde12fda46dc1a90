/* rl-backoff.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-backoff.h"

guint
rl_backoff_ceiling_ms (guint attempt,
                       guint base_ms,
                       guint cap_ms)
{
  guint64 ceiling = base_ms;

  for (guint i = 0; i < attempt && ceiling < cap_ms; i++)
    ceiling *= 2;
  return (guint) MIN (ceiling, (guint64) cap_ms);
}

guint
rl_backoff_delay_ms (guint  attempt,
                     guint  base_ms,
                     guint  cap_ms,
                     GRand *rand)
{
  guint ceiling = rl_backoff_ceiling_ms (attempt, base_ms, cap_ms);
  guint floor = MIN (base_ms / 2, ceiling);

  if (ceiling <= floor)
    return ceiling;
  /* g_rand_int_range's end is exclusive. */
  return (guint) (rand ? g_rand_int_range (rand, (gint32) floor, (gint32) ceiling + 1)
                       : g_random_int_range ((gint32) floor, (gint32) ceiling + 1));
}
