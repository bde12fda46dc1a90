/* rl-member-item.h — one member of the tenant, for mentions
 *
 * The items of rl_api_get_members (GET /api/v1/users, protocol 1.2): a
 * person's id, current name and role. An item stays the same object while
 * its person is listed; a rename changes "name" in place, so a mention
 * (which names the id only) shows the current name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rl-model.h"

G_BEGIN_DECLS

#define RL_TYPE_MEMBER_ITEM (rl_member_item_get_type ())
G_DECLARE_FINAL_TYPE (RlMemberItem, rl_member_item, RL, MEMBER_ITEM, GObject)

RlMemberItem *rl_member_item_new      (const RlMember *member);
const char   *rl_member_item_get_id   (RlMemberItem   *self);
/* "notify::name" when the person is renamed. */
const char   *rl_member_item_get_name (RlMemberItem   *self);
RlRole        rl_member_item_get_role (RlMemberItem   *self);
/* Takes the name and role of member (of the same id); notifies what changed. */
void          rl_member_item_update   (RlMemberItem   *self,
                                       const RlMember *member);

G_END_DECLS
