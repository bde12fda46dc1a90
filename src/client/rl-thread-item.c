/* rl-thread-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-thread-item-private.h"

#include "rl-comment-item-private.h"
#include "rl-list-run.h"

struct _RlThreadItem
{
  GObject     parent_instance;
  RlThread   *thread;
  GListStore *comments;
};

G_DEFINE_FINAL_TYPE (RlThreadItem, rl_thread_item, G_TYPE_OBJECT)

enum { PROP_0, PROP_THREAD, N_PROPS };
static GParamSpec *properties[N_PROPS];

static gboolean
comment_item_shows (gpointer      item,
                    gconstpointer comment)
{
  return rl_comment_equal (rl_comment_item_get_comment (item), comment);
}

static void
rl_thread_item_finalize (GObject *object)
{
  RlThreadItem *self = RL_THREAD_ITEM (object);

  g_clear_pointer (&self->thread, rl_thread_unref);
  g_clear_object (&self->comments);
  G_OBJECT_CLASS (rl_thread_item_parent_class)->finalize (object);
}

static void
rl_thread_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  if (prop_id == PROP_THREAD)
    g_value_set_boxed (value, RL_THREAD_ITEM (object)->thread);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
rl_thread_item_class_init (RlThreadItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rl_thread_item_finalize;
  object_class->get_property = rl_thread_item_get_property;
  properties[PROP_THREAD] =
    g_param_spec_boxed ("thread", NULL, NULL, RL_TYPE_THREAD,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rl_thread_item_init (RlThreadItem *self)
{
  self->comments = g_list_store_new (RL_TYPE_COMMENT_ITEM);
}

const RlThread *
rl_thread_item_get_thread (RlThreadItem *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ITEM (self), NULL);
  return self->thread;
}

GListModel *
rl_thread_item_get_comments (RlThreadItem *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ITEM (self), NULL);
  return G_LIST_MODEL (self->comments);
}

RlThreadItem *
rl_thread_item_new (void)
{
  return g_object_new (RL_TYPE_THREAD_ITEM, NULL);
}

void
rl_thread_item_set_thread (RlThreadItem *self,
                           RlThread     *thread)
{
  gboolean unchanged;
  guint position, n_removed, n_added;

  g_return_if_fail (RL_IS_THREAD_ITEM (self));

  if (self->thread == thread)
    return;
  /* Nothing a reader can see changed: the new value is kept quietly. */
  unchanged = self->thread && rl_thread_equal (self->thread, thread);
  g_clear_pointer (&self->thread, rl_thread_unref);
  self->thread = rl_thread_ref (thread);
  if (unchanged)
    return;

  /* Only the comments that changed get new items (an edit replaces one, a
   * reply adds one): rows bound to the others stay. */
  if (rl_list_find_changed_run (G_LIST_MODEL (self->comments), thread->comments, comment_item_shows,
                                &position, &n_removed, &n_added))
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = position; i < position + n_added; i++)
        g_ptr_array_add (items, rl_comment_item_new (g_ptr_array_index (thread->comments, i)));
      g_list_store_splice (self->comments, position, n_removed, items->pdata, items->len);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THREAD]);
}
