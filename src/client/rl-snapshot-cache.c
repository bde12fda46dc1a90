/* rl-snapshot-cache.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-snapshot-cache.h"

#include "rl-cache-file.h"
#include "rl-cache-writer.h"
#include "rl-codec.h"

struct _RlSnapshotCache
{
  GObject        parent_instance;

  char          *directory;
  RlCacheWriter *writer;        /* the jobs of save_async */
};

G_DEFINE_FINAL_TYPE (RlSnapshotCache, rl_snapshot_cache, G_TYPE_OBJECT)

typedef struct
{
  char   *directory;
  char   *path;
  GBytes *contents;
} Job;

static void
job_free (Job *job)
{
  g_free (job->directory);
  g_free (job->path);
  g_bytes_unref (job->contents);
  g_free (job);
}

static GBytes *
encode (const char *doc,
        RlDocKind   kind,
        gint64      seq,
        GPtrArray  *threads)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  gsize length;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, RL_SNAPSHOT_CACHE_VERSION);
  json_builder_set_member_name (builder, "doc");
  json_builder_add_string_value (builder, doc);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, rl_doc_kind_to_string (kind));
  json_builder_set_member_name (builder, "snapshot");
  json_builder_add_value (builder, rl_threads_body_to_json (seq, threads));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = rl_json_to_string (root, &length);
  return g_bytes_new_take (text, length);
}

/* Either the old state or the new one after a crash, never half. */
static gboolean
write_file (const char  *directory,
            const char  *path,
            GBytes      *contents,
            GError     **error)
{
  return rl_cache_file_write (directory, path, NULL, contents, RL_CACHE_FILE_WRITE_SYNC, error);
}

static gboolean
write_job (gpointer   data,
           GError   **error)
{
  Job *job = data;

  return write_file (job->directory, job->path, job->contents, error);
}

static void
rl_snapshot_cache_finalize (GObject *object)
{
  RlSnapshotCache *self = RL_SNAPSHOT_CACHE (object);

  g_clear_object (&self->writer);
  g_free (self->directory);
  G_OBJECT_CLASS (rl_snapshot_cache_parent_class)->finalize (object);
}

static void
rl_snapshot_cache_class_init (RlSnapshotCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_snapshot_cache_finalize;
}

static void
rl_snapshot_cache_init (RlSnapshotCache *self)
{
  self->writer = rl_cache_writer_new (write_job, "snapshot cache");
}

RlSnapshotCache *
rl_snapshot_cache_new (const char *base,
                       const char *server_url,
                       const char *user_id)
{
  RlSnapshotCache *self;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  self = g_object_new (RL_TYPE_SNAPSHOT_CACHE, NULL);
  self->directory = rl_cache_file_dup_directory (base, "snapshots", server_url, user_id);
  return self;
}

char *
rl_snapshot_cache_dup_account_key (const char *server_url,
                                   const char *user_id)
{
  return rl_cache_file_dup_account_key (server_url, user_id);
}

const char *
rl_snapshot_cache_get_directory (RlSnapshotCache *self)
{
  g_return_val_if_fail (RL_IS_SNAPSHOT_CACHE (self), NULL);
  return self->directory;
}

gboolean
rl_snapshot_cache_doc_id_is_valid (const char *doc)
{
  return rl_cache_file_id_is_valid (doc);
}

char *
rl_snapshot_cache_dup_path (RlSnapshotCache  *self,
                            const char       *doc,
                            GError          **error)
{
  g_return_val_if_fail (RL_IS_SNAPSHOT_CACHE (self), NULL);
  return rl_cache_file_dup_path (self->directory, doc, ".json", error);
}

gboolean
rl_snapshot_cache_load (RlSnapshotCache  *self,
                        const char       *doc,
                        RlDocKind        *kind,
                        gint64           *seq,
                        GPtrArray       **threads,
                        GError          **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) read = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  const char *data;
  gsize length;
  gint64 head;

  g_return_val_if_fail (RL_IS_SNAPSHOT_CACHE (self), FALSE);
  g_return_val_if_fail (kind != NULL && seq != NULL && threads != NULL, FALSE);

  *threads = NULL;
  *seq = -1;
  path = rl_snapshot_cache_dup_path (self, doc, error);
  if (path == NULL)
    return FALSE;

  bytes = rl_cache_file_read (path, RL_SNAPSHOT_CACHE_MAX_BYTES, FALSE, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &length);
  parser = json_parser_new_immutable ();
  object = rl_cache_file_parse_object (parser, data, length, path, error);
  if (object == NULL || !rl_cache_file_check_header (object, RL_SNAPSHOT_CACHE_VERSION, doc, path, error))
    return FALSE;
  if (!rl_cache_file_holds (object, "kind", G_TYPE_STRING) ||
      !rl_doc_kind_from_string (json_object_get_string_member (object, "kind"), kind))
    return rl_cache_file_set_invalid (error, path, "no document kind");

  if (!rl_threads_body_from_json (json_object_get_member (object, "snapshot"), &head, &read, &local_error))
    return rl_cache_file_set_invalid (error, path, local_error->message);
  for (guint i = 0; i < read->len; i++)
    {
      const RlThread *thread = g_ptr_array_index (read, i);

      if (g_strcmp0 (thread->doc, doc) != 0)
        return rl_cache_file_set_invalid (error, path, "a thread of another document");
      if (thread->anchor.kind != *kind)
        return rl_cache_file_set_invalid (error, path, "a thread of another document kind");
    }

  *seq = head;
  *threads = g_steal_pointer (&read);
  return TRUE;
}

gboolean
rl_snapshot_cache_save (RlSnapshotCache  *self,
                        const char       *doc,
                        RlDocKind         kind,
                        gint64            seq,
                        GPtrArray        *threads,
                        GError          **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) contents = NULL;

  g_return_val_if_fail (RL_IS_SNAPSHOT_CACHE (self), FALSE);
  g_return_val_if_fail (seq >= 0, FALSE);

  path = rl_snapshot_cache_dup_path (self, doc, error);
  if (path == NULL)
    return FALSE;
  contents = encode (doc, kind, seq, threads);
  return write_file (self->directory, path, contents, error);
}

void
rl_snapshot_cache_save_async (RlSnapshotCache     *self,
                              const char          *doc,
                              RlDocKind            kind,
                              gint64               seq,
                              GPtrArray           *threads,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  char *path;
  Job *job;

  g_return_if_fail (RL_IS_SNAPSHOT_CACHE (self));
  g_return_if_fail (seq >= 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_snapshot_cache_save_async);
  path = rl_snapshot_cache_dup_path (self, doc, &error);
  if (path == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Encoded here: threads are shared with the main thread, not to be
   * touched from another. */
  job = g_new0 (Job, 1);
  job->directory = g_strdup (self->directory);
  job->path = path;
  job->contents = encode (doc, kind, seq, threads);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  rl_cache_writer_push (self->writer, task);
}

gboolean
rl_snapshot_cache_save_finish (RlSnapshotCache  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
rl_snapshot_cache_get_n_pending (RlSnapshotCache *self)
{
  g_return_val_if_fail (RL_IS_SNAPSHOT_CACHE (self), 0);
  return rl_cache_writer_get_n_pending (self->writer);
}
