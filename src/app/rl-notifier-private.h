/* rl-notifier-private.h — the notifier's test hooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-notifier.h"

G_BEGIN_DECLS

/* How long after an item of a thread the next one joins its notification
 * (RL_NOTIFIER_BATCH_MS unless set): a test of what comes after it need
 * not wait that long. */
void rl_notifier_set_batch_ms (RlNotifier *self,
                               guint       batch_ms);

G_END_DECLS
