/* rl-committer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-committer.h"

#include "rl-store-private.h"

/* At most this many mutations to a transaction. */
#define MAX_GROUP 1024

typedef struct
{
  RlStoreApply *apply;
  GTask        *task;
} Job;

struct _RlCommitter
{
  GObject    parent_instance;
  RlStore   *writer;
  GThread   *thread;
  GMutex     lock;
  GCond      cond;
  /* under lock */
  GQueue     queue;         /* of Job*, oldest first */
  gboolean   busy;          /* the thread holds a group */
  gboolean   stopping;
  guint      event_log_limit;  /* 0: unchanged */
  guint64    transactions;
};

G_DEFINE_FINAL_TYPE (RlCommitter, rl_committer, G_TYPE_OBJECT)

static void
job_free (Job *job)
{
  g_clear_pointer (&job->apply, rl_store_apply_free);
  g_clear_object (&job->task);
  g_free (job);
}

/* In the tasks' main context: each returns, in the order pushed. */
static gboolean
return_group (gpointer data)
{
  GPtrArray *group = data;

  for (guint i = 0; i < group->len; i++)
    {
      Job *job = group->pdata[i];

      g_task_return_pointer (job->task, g_steal_pointer (&job->apply),
                             (GDestroyNotify) rl_store_apply_free);
    }
  return G_SOURCE_REMOVE;
}

/* On the thread: commits the group's mutations that have not failed yet. */
static gboolean
commit_group (RlCommitter *self,
              GPtrArray   *group)
{
  g_autoptr(GPtrArray) applies = g_ptr_array_sized_new (group->len);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < group->len; i++)
    {
      RlStoreApply *apply = ((Job *) group->pdata[i])->apply;

      if (apply->error == NULL)
        g_ptr_array_add (applies, apply);
    }
  if (applies->len == 0)
    return FALSE;

  if (!rl_store_apply_group (self->writer, (RlStoreApply **) applies->pdata, applies->len, &error))
    {
      /* Nothing of the group is in the store. */
      for (guint i = 0; i < applies->len; i++)
        {
          RlStoreApply *apply = applies->pdata[i];

          g_clear_pointer (&apply->event, rl_event_free);
          g_clear_pointer (&apply->serialized, g_free);
          g_clear_error (&apply->error);
          apply->error = g_error_copy (error);
        }
      return FALSE;
    }
  return TRUE;
}

static gpointer
run_thread (gpointer data)
{
  RlCommitter *self = data;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      g_autoptr(GPtrArray) group = NULL;
      GMainContext *context;
      guint limit;
      gboolean committed;

      while (g_queue_is_empty (&self->queue) && !self->stopping)
        g_cond_wait (&self->cond, &self->lock);
      if (g_queue_is_empty (&self->queue))
        break;

      /* Everything that arrived while the last group was in flight. */
      group = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
      while (!g_queue_is_empty (&self->queue) && group->len < MAX_GROUP)
        g_ptr_array_add (group, g_queue_pop_head (&self->queue));
      limit = self->event_log_limit;
      self->event_log_limit = 0;
      self->busy = TRUE;
      g_mutex_unlock (&self->lock);

      if (limit > 0)
        rl_store_set_event_log_limit (self->writer, limit);
      committed = commit_group (self, group);
      context = g_task_get_context (((Job *) group->pdata[0])->task);
      g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, return_group,
                                  g_steal_pointer (&group), (GDestroyNotify) g_ptr_array_unref);

      g_mutex_lock (&self->lock);
      if (committed)
        self->transactions++;
      self->busy = FALSE;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

static void
rl_committer_dispose (GObject *object)
{
  RlCommitter *self = RL_COMMITTER (object);

  if (self->thread != NULL)
    {
      /* What was pushed is committed first. */
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      g_clear_pointer (&self->thread, g_thread_join);
    }
  g_clear_object (&self->writer);
  G_OBJECT_CLASS (rl_committer_parent_class)->dispose (object);
}

static void
rl_committer_finalize (GObject *object)
{
  RlCommitter *self = RL_COMMITTER (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) job_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (rl_committer_parent_class)->finalize (object);
}

static void
rl_committer_class_init (RlCommitterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_committer_dispose;
  object_class->finalize = rl_committer_finalize;
}

static void
rl_committer_init (RlCommitter *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->queue);
}

RlCommitter *
rl_committer_new (RlStore *writer)
{
  RlCommitter *self;

  g_return_val_if_fail (RL_IS_STORE (writer), NULL);

  self = g_object_new (RL_TYPE_COMMITTER, NULL);
  self->writer = g_object_ref (writer);
  self->thread = g_thread_new ("rl-committer", run_thread, self);
  return self;
}

void
rl_committer_set_event_log_limit (RlCommitter *self,
                                  guint        limit)
{
  g_return_if_fail (RL_IS_COMMITTER (self));

  g_mutex_lock (&self->lock);
  self->event_log_limit = MAX (limit, 1);
  g_mutex_unlock (&self->lock);
}

void
rl_committer_push (RlCommitter  *self,
                   RlStoreApply *apply,
                   GTask        *task)
{
  Job *job;

  g_return_if_fail (RL_IS_COMMITTER (self));

  job = g_new0 (Job, 1);
  job->apply = apply;
  job->task = task;
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->queue, job);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
rl_committer_flush (RlCommitter *self)
{
  g_return_if_fail (RL_IS_COMMITTER (self));

  g_mutex_lock (&self->lock);
  while (!g_queue_is_empty (&self->queue) || self->busy)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

guint64
rl_committer_get_transactions (RlCommitter *self)
{
  guint64 transactions;

  g_return_val_if_fail (RL_IS_COMMITTER (self), 0);

  g_mutex_lock (&self->lock);
  transactions = self->transactions;
  g_mutex_unlock (&self->lock);
  return transactions;
}
