/* rl-comment-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-comment-item-private.h"

struct _RlCommentItem
{
  GObject    parent_instance;
  RlComment *comment;
};

G_DEFINE_FINAL_TYPE (RlCommentItem, rl_comment_item, G_TYPE_OBJECT)

static void
rl_comment_item_finalize (GObject *object)
{
  g_clear_pointer (&RL_COMMENT_ITEM (object)->comment, rl_comment_free);
  G_OBJECT_CLASS (rl_comment_item_parent_class)->finalize (object);
}

static void
rl_comment_item_class_init (RlCommentItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_comment_item_finalize;
}

static void
rl_comment_item_init (RlCommentItem *self)
{
}

RlCommentItem *
rl_comment_item_new (const RlComment *comment)
{
  RlCommentItem *self = g_object_new (RL_TYPE_COMMENT_ITEM, NULL);

  self->comment = rl_comment_copy (comment);
  return self;
}

const RlComment *
rl_comment_item_get_comment (RlCommentItem *self)
{
  g_return_val_if_fail (RL_IS_COMMENT_ITEM (self), NULL);
  return self->comment;
}
