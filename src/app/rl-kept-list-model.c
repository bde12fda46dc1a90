/* rl-kept-list-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-kept-list-model.h"

#include "rl-list-run.h"

struct _RlKeptListModel
{
  GObject         parent_instance;

  GListModel     *model;
  GPtrArray      *items;      /* listed, owned */
  GHashTable     *kept;       /* the listed items the model has not */
  GHashTable     *released;   /* kept items to drop at the next update, owned */
  RlKeepFunc      keep_func;
  gpointer        keep_data;
  GDestroyNotify  keep_destroy;
  gboolean        emitting;   /* inside our own items-changed */
  gboolean        pending;    /* an update was asked for meanwhile */
};

static void rl_kept_list_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RlKeptListModel, rl_kept_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, rl_kept_list_model_list_model_init))

typedef struct
{
  gpointer item;
  gpointer after;   /* the model's item listed above it, NULL: first */
} Kept;

static gboolean
is_same (gpointer      item,
         gconstpointer element)
{
  return item == element;
}

/* The model's items in its order, each kept one after the item it
 * followed. */
static GPtrArray *
list_items (RlKeptListModel *self,
            GHashTable      *kept)
{
  guint n = g_list_model_get_n_items (self->model);
  g_autoptr(GHashTable) listed = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_autoptr(GArray) keep = g_array_new (FALSE, FALSE, sizeof (Kept));
  GPtrArray *items = g_ptr_array_new_full (n, g_object_unref);
  gpointer after = NULL;

  for (guint i = 0; i < n; i++)
    {
      /* Asked mid-change of what the model follows, it may be a step
       * behind: its next items-changed brings the rest. */
      gpointer item = g_list_model_get_item (self->model, i);

      if (item != NULL)
        g_hash_table_add (listed, item);
    }
  for (guint i = 0; i < self->items->len; i++)
    {
      gpointer item = g_ptr_array_index (self->items, i);

      if (g_hash_table_contains (listed, item))
        after = item;
      else if (!g_hash_table_contains (self->released, item) && self->keep_func (item, self->keep_data))
        {
          Kept k = { item, after };

          g_array_append_val (keep, k);
        }
    }

  for (guint k = 0; k < keep->len; k++)
    if (g_array_index (keep, Kept, k).after == NULL)
      g_ptr_array_add (items, g_object_ref (g_array_index (keep, Kept, k).item));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (self->model, i);

      if (item == NULL)
        continue;
      g_ptr_array_add (items, g_object_ref (item));
      for (guint k = 0; k < keep->len; k++)
        if (g_array_index (keep, Kept, k).after == (gpointer) item)
          g_ptr_array_add (items, g_object_ref (g_array_index (keep, Kept, k).item));
    }
  for (guint k = 0; k < keep->len; k++)
    g_hash_table_add (kept, g_array_index (keep, Kept, k).item);
  return items;
}

/* Lists anew and emits the run that differs; asked during our own
 * items-changed, right after it. */
static void
update (RlKeptListModel *self)
{
  if (self->model == NULL)
    return;
  if (self->emitting)
    {
      self->pending = TRUE;
      return;
    }
  do
    {
      g_autoptr(GHashTable) kept = g_hash_table_new (NULL, NULL);
      g_autoptr(GPtrArray) items = list_items (self, kept);
      guint position, removed, added;
      gboolean changed;

      self->pending = FALSE;
      g_hash_table_remove_all (self->released);
      changed = rl_list_find_changed_run (G_LIST_MODEL (self), items, is_same, &position, &removed, &added);
      g_ptr_array_unref (g_steal_pointer (&self->items));
      self->items = g_steal_pointer (&items);
      g_hash_table_unref (self->kept);
      self->kept = g_steal_pointer (&kept);
      if (changed)
        {
          self->emitting = TRUE;
          g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
          self->emitting = FALSE;
        }
    }
  while (self->pending);
}

static void
on_items_changed (RlKeptListModel *self)
{
  update (self);
}

static GType
rl_kept_list_model_get_item_type (GListModel *list)
{
  RlKeptListModel *self = RL_KEPT_LIST_MODEL (list);

  return g_list_model_get_item_type (self->model);
}

static guint
rl_kept_list_model_get_n_items (GListModel *list)
{
  RlKeptListModel *self = RL_KEPT_LIST_MODEL (list);

  return self->items->len;
}

static gpointer
rl_kept_list_model_get_item (GListModel *list,
                             guint       position)
{
  RlKeptListModel *self = RL_KEPT_LIST_MODEL (list);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
rl_kept_list_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = rl_kept_list_model_get_item_type;
  iface->get_n_items = rl_kept_list_model_get_n_items;
  iface->get_item = rl_kept_list_model_get_item;
}

static void
rl_kept_list_model_dispose (GObject *object)
{
  RlKeptListModel *self = RL_KEPT_LIST_MODEL (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  if (self->keep_destroy)
    self->keep_destroy (self->keep_data);
  self->keep_destroy = NULL;
  self->keep_data = NULL;
  G_OBJECT_CLASS (rl_kept_list_model_parent_class)->dispose (object);
}

static void
rl_kept_list_model_finalize (GObject *object)
{
  RlKeptListModel *self = RL_KEPT_LIST_MODEL (object);

  g_ptr_array_unref (self->items);
  g_hash_table_unref (self->kept);
  g_hash_table_unref (self->released);
  G_OBJECT_CLASS (rl_kept_list_model_parent_class)->finalize (object);
}

static void
rl_kept_list_model_class_init (RlKeptListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_kept_list_model_dispose;
  object_class->finalize = rl_kept_list_model_finalize;
}

static void
rl_kept_list_model_init (RlKeptListModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->kept = g_hash_table_new (NULL, NULL);
  self->released = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}

RlKeptListModel *
rl_kept_list_model_new (GListModel     *model,
                        RlKeepFunc      keep_func,
                        gpointer        user_data,
                        GDestroyNotify  destroy)
{
  RlKeptListModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);
  g_return_val_if_fail (keep_func != NULL, NULL);

  self = g_object_new (RL_TYPE_KEPT_LIST_MODEL, NULL);
  self->model = g_object_ref (model);
  self->keep_func = keep_func;
  self->keep_data = user_data;
  self->keep_destroy = destroy;
  g_signal_connect_swapped (model, "items-changed", G_CALLBACK (on_items_changed), self);
  update (self);
  return self;
}

gboolean
rl_kept_list_model_is_kept (RlKeptListModel *self,
                            gpointer         item)
{
  g_return_val_if_fail (RL_IS_KEPT_LIST_MODEL (self), FALSE);

  return g_hash_table_contains (self->kept, item);
}

void
rl_kept_list_model_recheck (RlKeptListModel *self)
{
  g_return_if_fail (RL_IS_KEPT_LIST_MODEL (self));

  if (g_hash_table_size (self->kept) > 0)
    update (self);
}

void
rl_kept_list_model_release (RlKeptListModel *self,
                            gpointer         item)
{
  g_return_if_fail (RL_IS_KEPT_LIST_MODEL (self));

  if (!g_hash_table_contains (self->kept, item))
    return;
  g_hash_table_add (self->released, g_object_ref (item));
  update (self);
}
