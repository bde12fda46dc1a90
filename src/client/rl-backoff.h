/* rl-backoff.h — reconnect delays: exponential backoff with full jitter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RL_BACKOFF_BASE_MS 500
#define RL_BACKOFF_CAP_MS  30000

/* The ceiling of the attempt-th retry (0 for the first): base·2^attempt,
 * at most cap. */
guint rl_backoff_ceiling_ms (guint  attempt,
                             guint  base_ms,
                             guint  cap_ms);

/* Full jitter: a delay drawn uniformly from [base/2, ceiling], so a crowd of
 * clients that lost the same server spreads out instead of returning at
 * once, and none hammers it faster than every base/2. rand may be NULL (the
 * global generator). */
guint rl_backoff_delay_ms   (guint  attempt,
                             guint  base_ms,
                             guint  cap_ms,
                             GRand *rand);

G_END_DECLS
