/* rl-member-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-member-item.h"

struct _RlMemberItem
{
  GObject   parent_instance;
  RlMember  member;
};

G_DEFINE_FINAL_TYPE (RlMemberItem, rl_member_item, G_TYPE_OBJECT)

enum { PROP_0, PROP_ID, PROP_NAME, PROP_ROLE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
rl_member_item_finalize (GObject *object)
{
  rl_person_clear (&RL_MEMBER_ITEM (object)->member.person);
  G_OBJECT_CLASS (rl_member_item_parent_class)->finalize (object);
}

static void
rl_member_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RlMemberItem *self = RL_MEMBER_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->member.person.id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->member.person.name);
      break;
    case PROP_ROLE:
      g_value_set_string (value, rl_role_to_string (self->member.role));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_member_item_class_init (RlMemberItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rl_member_item_finalize;
  object_class->get_property = rl_member_item_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* "viewer", "member" or "admin", for expressions. */
  properties[PROP_ROLE] =
    g_param_spec_string ("role", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rl_member_item_init (RlMemberItem *self)
{
}

RlMemberItem *
rl_member_item_new (const RlMember *member)
{
  RlMemberItem *self;

  g_return_val_if_fail (member != NULL, NULL);

  self = g_object_new (RL_TYPE_MEMBER_ITEM, NULL);
  rl_person_copy_into (&self->member.person, &member->person);
  self->member.role = member->role;
  return self;
}

const char *
rl_member_item_get_id (RlMemberItem *self)
{
  g_return_val_if_fail (RL_IS_MEMBER_ITEM (self), NULL);
  return self->member.person.id;
}

const char *
rl_member_item_get_name (RlMemberItem *self)
{
  g_return_val_if_fail (RL_IS_MEMBER_ITEM (self), NULL);
  return self->member.person.name;
}

RlRole
rl_member_item_get_role (RlMemberItem *self)
{
  g_return_val_if_fail (RL_IS_MEMBER_ITEM (self), RL_ROLE_VIEWER);
  return self->member.role;
}

void
rl_member_item_update (RlMemberItem   *self,
                       const RlMember *member)
{
  g_return_if_fail (RL_IS_MEMBER_ITEM (self));
  g_return_if_fail (member != NULL);
  g_return_if_fail (g_strcmp0 (member->person.id, self->member.person.id) == 0);

  if (g_strcmp0 (member->person.name, self->member.person.name) != 0)
    {
      g_free (self->member.person.name);
      self->member.person.name = g_strdup (member->person.name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }
  if (member->role != self->member.role)
    {
      self->member.role = member->role;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
    }
}
