/* rl-snapshot-cache.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-snapshot-cache.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "rl-codec.h"

#define DOC_ID_MAX 128

struct _RlSnapshotCache
{
  GObject  parent_instance;

  char    *directory;
  GQueue   jobs;        /* GTask* of save_async, oldest first; the head is being written */
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

static gboolean
write_file (const char  *directory,
            const char  *path,
            GBytes      *contents,
            GError     **error)
{
  gsize length;
  const char *data = g_bytes_get_data (contents, &length);

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot make %s: %s", directory, g_strerror (saved));
      return FALSE;
    }
  /* Either the old state or the new one after a crash, never half. */
  return g_file_set_contents_full (path, data, (gssize) length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static void
write_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;

  if (write_file (job->directory, job->path, job->contents, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void start_next (RlSnapshotCache *self);

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  RlSnapshotCache *self = RL_SNAPSHOT_CACHE (source);
  g_autoptr(GTask) job = g_queue_pop_head (&self->jobs);
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* Before the caller hears back: its callback may ask for another write. */
  start_next (self);
  if (ok)
    g_task_return_boolean (job, TRUE);
  else
    {
      g_debug ("snapshot cache: %s", error->message);
      g_task_return_error (job, error);
    }
}

/* One write at a time, so an older state never lands after a newer one. */
static void
start_next (RlSnapshotCache *self)
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
rl_snapshot_cache_finalize (GObject *object)
{
  RlSnapshotCache *self = RL_SNAPSHOT_CACHE (object);

  /* Every job's writer holds a reference: none is left here. */
  g_warn_if_fail (g_queue_is_empty (&self->jobs));
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
  g_queue_init (&self->jobs);
}

RlSnapshotCache *
rl_snapshot_cache_new (const char *base,
                       const char *server_url,
                       const char *user_id)
{
  RlSnapshotCache *self;
  g_autofree char *key = NULL;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  key = rl_snapshot_cache_dup_account_key (server_url, user_id);
  self = g_object_new (RL_TYPE_SNAPSHOT_CACHE, NULL);
  self->directory = g_build_filename (base ? base : g_get_user_cache_dir (), "redline", "snapshots", key, NULL);
  return self;
}

char *
rl_snapshot_cache_dup_account_key (const char *server_url,
                                   const char *user_id)
{
  g_autoptr(GChecksum) checksum = NULL;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) server_url, -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  g_checksum_update (checksum, (const guchar *) user_id, -1);
  return g_strdup (g_checksum_get_string (checksum));
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
  gsize i;

  if (doc == NULL)
    return FALSE;
  for (i = 0; doc[i] != '\0'; i++)
    if (i >= DOC_ID_MAX || !(g_ascii_isalnum (doc[i]) || doc[i] == '-' || doc[i] == '_'))
      return FALSE;
  return i > 0;
}

char *
rl_snapshot_cache_dup_path (RlSnapshotCache  *self,
                            const char       *doc,
                            GError          **error)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (RL_IS_SNAPSHOT_CACHE (self), NULL);
  if (!rl_snapshot_cache_doc_id_is_valid (doc))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME, "not a document id: “%s”",
                   doc ? doc : "(null)");
      return NULL;
    }
  name = g_strconcat (doc, ".json", NULL);
  return g_build_filename (self->directory, name, NULL);
}

static gboolean
invalid (GError    **error,
         const char *path,
         const char *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path, why);
  return FALSE;
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
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) read = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *node;
  GStatBuf st;
  gsize length;
  gint64 head;

  g_return_val_if_fail (RL_IS_SNAPSHOT_CACHE (self), FALSE);
  g_return_val_if_fail (kind != NULL && seq != NULL && threads != NULL, FALSE);

  *threads = NULL;
  *seq = -1;
  path = rl_snapshot_cache_dup_path (self, doc, error);
  if (path == NULL)
    return FALSE;

  /* Looked at before reading, so a huge file is never read at all. */
  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    return invalid (error, path, "not a regular file");
  if (st.st_size > RL_SNAPSHOT_CACHE_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "%s: larger than %d bytes",
                   path, RL_SNAPSHOT_CACHE_MAX_BYTES);
      return FALSE;
    }
  if (!g_file_get_contents (path, &text, &length, error))
    return FALSE;
  if (length > RL_SNAPSHOT_CACHE_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "%s: grew past %d bytes",
                   path, RL_SNAPSHOT_CACHE_MAX_BYTES);
      return FALSE;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, &local_error))
    return invalid (error, path, local_error->message);
  node = json_parser_get_root (parser);
  object = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (object == NULL)
    return invalid (error, path, "not a JSON object");

  node = json_object_get_member (object, "version");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) != RL_SNAPSHOT_CACHE_VERSION)
    return invalid (error, path, "not of version " G_STRINGIFY (RL_SNAPSHOT_CACHE_VERSION));

  node = json_object_get_member (object, "doc");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (node), doc) != 0)
    return invalid (error, path, "about another document");

  node = json_object_get_member (object, "kind");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      !rl_doc_kind_from_string (json_node_get_string (node), kind))
    return invalid (error, path, "no document kind");

  if (!rl_threads_body_from_json (json_object_get_member (object, "snapshot"), &head, &read, &local_error))
    return invalid (error, path, local_error->message);
  for (guint i = 0; i < read->len; i++)
    {
      const RlThread *thread = g_ptr_array_index (read, i);

      if (g_strcmp0 (thread->doc, doc) != 0)
        return invalid (error, path, "a thread of another document");
      if (thread->anchor.kind != *kind)
        return invalid (error, path, "a thread of another document kind");
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
  g_queue_push_tail (&self->jobs, g_steal_pointer (&task));
  if (self->jobs.length == 1)
    start_next (self);
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
  return self->jobs.length;
}
