/* rl-usage.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-usage.h"

#define SAVE_INTERVAL_SECONDS 2

typedef struct
{
  guint64 messages;         /* not yet saved */
  guint64 bytes;
} Pending;

struct _RlUsage
{
  GObject     parent_instance;
  RlStore    *store;
  GHashTable *pending;      /* tenant → Pending* */
  guint       save_id;
};

G_DEFINE_FINAL_TYPE (RlUsage, rl_usage, G_TYPE_OBJECT)

static gboolean
save_cb (gpointer data)
{
  rl_usage_save (RL_USAGE (data));
  return G_SOURCE_CONTINUE;
}

static void
rl_usage_dispose (GObject *object)
{
  RlUsage *self = RL_USAGE (object);

  if (self->store)
    rl_usage_save (self);
  g_clear_handle_id (&self->save_id, g_source_remove);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (rl_usage_parent_class)->dispose (object);
}

static void
rl_usage_finalize (GObject *object)
{
  RlUsage *self = RL_USAGE (object);

  g_clear_pointer (&self->pending, g_hash_table_unref);
  G_OBJECT_CLASS (rl_usage_parent_class)->finalize (object);
}

static void
rl_usage_class_init (RlUsageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rl_usage_dispose;
  G_OBJECT_CLASS (klass)->finalize = rl_usage_finalize;
}

static void
rl_usage_init (RlUsage *self)
{
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

RlUsage *
rl_usage_new (RlStore *store)
{
  RlUsage *self;

  g_return_val_if_fail (RL_IS_STORE (store), NULL);

  self = g_object_new (RL_TYPE_USAGE, NULL);
  self->store = g_object_ref (store);
  self->save_id = g_timeout_add_seconds (SAVE_INTERVAL_SECONDS, save_cb, self);
  return self;
}

void
rl_usage_count (RlUsage    *self,
                const char *tenant,
                guint64     frames,
                guint64     bytes)
{
  Pending *pending = g_hash_table_lookup (self->pending, tenant);

  if (frames == 0)
    return;
  if (pending == NULL)
    {
      pending = g_new0 (Pending, 1);
      g_hash_table_insert (self->pending, g_strdup (tenant), pending);
    }
  pending->messages += frames;
  pending->bytes += bytes;
}

void
rl_usage_get (RlUsage    *self,
              const char *tenant,
              guint64    *messages,
              guint64    *bytes)
{
  Pending *pending = g_hash_table_lookup (self->pending, tenant);

  rl_store_get_usage (self->store, tenant, messages, bytes);
  if (pending)
    {
      *messages += pending->messages;
      *bytes += pending->bytes;
    }
}

void
rl_usage_save (RlUsage *self)
{
  GHashTableIter iter;
  const char *tenant;
  Pending *pending;

  g_return_if_fail (self->store != NULL);

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, (gpointer *) &tenant, (gpointer *) &pending))
    {
      if (pending->messages == 0)
        continue;
      rl_store_add_usage (self->store, tenant, pending->messages, pending->bytes);
      pending->messages = pending->bytes = 0;
    }
}
