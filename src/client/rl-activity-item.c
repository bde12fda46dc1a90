/* rl-activity-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-activity-item.h"

struct _RlActivityItem
{
  GObject     parent_instance;
  RlActivity *activity;
};

G_DEFINE_FINAL_TYPE (RlActivityItem, rl_activity_item, G_TYPE_OBJECT)

static void
rl_activity_item_finalize (GObject *object)
{
  g_clear_pointer (&RL_ACTIVITY_ITEM (object)->activity, rl_activity_free);
  G_OBJECT_CLASS (rl_activity_item_parent_class)->finalize (object);
}

static void
rl_activity_item_class_init (RlActivityItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_activity_item_finalize;
}

static void
rl_activity_item_init (RlActivityItem *self)
{
}

RlActivityItem *
rl_activity_item_new (const RlActivity *activity)
{
  RlActivityItem *self;

  g_return_val_if_fail (activity != NULL, NULL);

  self = g_object_new (RL_TYPE_ACTIVITY_ITEM, NULL);
  self->activity = rl_activity_copy (activity);
  return self;
}

const RlActivity *
rl_activity_item_get_activity (RlActivityItem *self)
{
  g_return_val_if_fail (RL_IS_ACTIVITY_ITEM (self), NULL);
  return self->activity;
}
