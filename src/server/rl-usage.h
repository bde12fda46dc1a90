/* rl-usage.h — usage metering: the frames and bytes sent to each tenant's
 * connections
 *
 * Counts are kept here and added to the store every two seconds and when
 * the meter goes (at shutdown); what it reports is what the store holds
 * (every node's saved counts, when several share one store) plus this
 * node's counts not saved yet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rl-store.h"

G_BEGIN_DECLS

#define RL_TYPE_USAGE (rl_usage_get_type ())
G_DECLARE_FINAL_TYPE (RlUsage, rl_usage, RL, USAGE, GObject)

RlUsage *rl_usage_new   (RlStore    *store);
/* frames frames of bytes bytes in all went to tenant's connections. */
void     rl_usage_count (RlUsage    *self,
                         const char *tenant,
                         guint64     frames,
                         guint64     bytes);
/* The tenant's usage: saved (by every node) plus pending here. */
void     rl_usage_get   (RlUsage    *self,
                         const char *tenant,
                         guint64    *messages,
                         guint64    *bytes);
/* Adds the pending counts to the store. */
void     rl_usage_save  (RlUsage    *self);

G_END_DECLS
