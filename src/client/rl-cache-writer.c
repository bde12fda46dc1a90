/* rl-cache-writer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-cache-writer.h"

struct _RlCacheWriter
{
  GObject           parent_instance;

  RlCacheWriteFunc  write;
  char             *what;
  GQueue            jobs;       /* GTask* of the writes, oldest first; the head is being written */
};

G_DEFINE_FINAL_TYPE (RlCacheWriter, rl_cache_writer, G_TYPE_OBJECT)

static void
write_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  RlCacheWriter *self = source;
  GError *error = NULL;

  if (self->write (data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void start_next (RlCacheWriter *self);

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  RlCacheWriter *self = RL_CACHE_WRITER (source);
  g_autoptr(GTask) job = g_queue_pop_head (&self->jobs);
  GError *error = NULL;

  /* Before the caller hears back: its callback may ask for another write. */
  start_next (self);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (job, TRUE);
  else
    {
      g_debug ("%s: %s", self->what, error->message);
      g_task_return_error (job, error);
    }
}

/* One write at a time, so an older state never lands after a newer one,
 * and an eviction never races a write of the same cache. */
static void
start_next (RlCacheWriter *self)
{
  GTask *job = g_queue_peek_head (&self->jobs);
  g_autoptr(GTask) writer = NULL;

  if (job == NULL)
    return;
  writer = g_task_new (self, NULL, written_cb, NULL);
  g_task_set_source_tag (writer, start_next);
  /* Read only, and the job's: it stays queued until written_cb. */
  g_task_set_task_data (writer, g_task_get_task_data (job), NULL);
  g_task_run_in_thread (writer, write_in_thread);
}

static void
rl_cache_writer_finalize (GObject *object)
{
  RlCacheWriter *self = RL_CACHE_WRITER (object);

  /* A queued task's source is the cache that owns this writer, and the
   * one being written holds it too: none is left here. */
  g_warn_if_fail (g_queue_is_empty (&self->jobs));
  g_free (self->what);
  G_OBJECT_CLASS (rl_cache_writer_parent_class)->finalize (object);
}

static void
rl_cache_writer_class_init (RlCacheWriterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_cache_writer_finalize;
}

static void
rl_cache_writer_init (RlCacheWriter *self)
{
  g_queue_init (&self->jobs);
}

RlCacheWriter *
rl_cache_writer_new (RlCacheWriteFunc  write,
                     const char       *what)
{
  RlCacheWriter *self;

  g_return_val_if_fail (write != NULL, NULL);
  g_return_val_if_fail (what != NULL, NULL);

  self = g_object_new (RL_TYPE_CACHE_WRITER, NULL);
  self->write = write;
  self->what = g_strdup (what);
  return self;
}

void
rl_cache_writer_push (RlCacheWriter *self,
                      GTask         *task)
{
  g_return_if_fail (RL_IS_CACHE_WRITER (self));
  g_return_if_fail (G_IS_TASK (task));

  g_queue_push_tail (&self->jobs, g_object_ref (task));
  if (self->jobs.length == 1)
    start_next (self);
}

guint
rl_cache_writer_get_n_pending (RlCacheWriter *self)
{
  g_return_val_if_fail (RL_IS_CACHE_WRITER (self), 0);
  return self->jobs.length;
}
