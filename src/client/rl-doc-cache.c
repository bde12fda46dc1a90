/* rl-doc-cache.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-doc-cache-private.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rl-cache-file.h"
#include "rl-cache-writer.h"
#include "rl-codec.h"
#include "rl-limits.h"

#define LIST_NAME          "documents.json"
#define CONTENT_SUFFIX     ".content"
#define HEADER_MAX         4096
#define ETAG_MAX           1024
#define CONTENT_FILE_MAX   ((goffset) RL_UPLOAD_MAX_BYTES + HEADER_MAX)
/* A temporary file this old was left by a crash, not by a write under way. */
#define STALE_TEMP_USEC    (G_USEC_PER_SEC * 600)

struct _RlDocCache
{
  GObject        parent_instance;

  char          *directory;
  char          *user_id;
  guint64        budget;
  RlCacheWriter *writer;        /* the saves */
};

G_DEFINE_FINAL_TYPE (RlDocCache, rl_doc_cache, G_TYPE_OBJECT)

/* One write; a content write then evicts down to the budget. */
typedef struct
{
  char    *directory;
  char    *path;
  char    *name;        /* the file's name in directory */
  GBytes  *header;      /* NULL for the list */
  GBytes  *body;
  guint64  budget;      /* 0: nothing to evict (the list) */
} Job;

typedef struct
{
  char *path;
  char *doc;
  char *etag;           /* out */
} Load;

static void
job_free (Job *job)
{
  g_free (job->directory);
  g_free (job->path);
  g_free (job->name);
  g_clear_pointer (&job->header, g_bytes_unref);
  g_bytes_unref (job->body);
  g_free (job);
}

static void
load_free (Load *load)
{
  g_free (load->path);
  g_free (load->doc);
  g_free (load->etag);
  g_free (load);
}

typedef struct
{
  char    *name;
  goffset  size;
  gint64   used;
} Entry;

static void
entry_clear (Entry *entry)
{
  g_free (entry->name);
}

static int
by_use (gconstpointer a,
        gconstpointer b)
{
  const Entry *x = a;
  const Entry *y = b;

  if (x->used != y->used)
    return x->used < y->used ? -1 : 1;
  return strcmp (x->name, y->name);
}

/* The contents' files in directory, and their total size; temporary files
 * left by a crash are removed on the way. */
static GArray *
scan (const char *directory,
      guint64    *total)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  gint64 now = g_get_real_time ();
  const char *name;

  g_array_set_clear_func (entries, (GDestroyNotify) entry_clear);
  *total = 0;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);
      struct stat st;
      Entry entry;

      if (lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (g_str_has_prefix (name, RL_CACHE_FILE_TEMP_PREFIX))
        {
          if (now - rl_cache_file_get_used_time (&st) > STALE_TEMP_USEC)
            g_unlink (path);
          continue;
        }
      if (!g_str_has_suffix (name, CONTENT_SUFFIX))
        continue;
      entry.name = g_strdup (name);
      entry.size = st.st_size;
      entry.used = rl_cache_file_get_used_time (&st);
      g_array_append_val (entries, entry);
      *total += (guint64) st.st_size;
    }
  return entries;
}

/* Removes the least recently used contents until the rest fit in budget;
 * keep (just written) stays. */
static void
evict (const char *directory,
       guint64     budget,
       const char *keep)
{
  guint64 total;
  g_autoptr(GArray) entries = scan (directory, &total);

  g_array_sort (entries, by_use);
  for (guint i = 0; i < entries->len && total > budget; i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);
      g_autofree char *path = NULL;

      if (g_strcmp0 (entry->name, keep) == 0)
        continue;
      path = g_build_filename (directory, entry->name, NULL);
      if (g_unlink (path) == 0)
        {
          g_debug ("document cache: evicted %s (%" G_GOFFSET_FORMAT " bytes)", entry->name, entry->size);
          total -= (guint64) entry->size;
        }
    }
}

static gboolean
run_job (gpointer   data,
         GError   **error)
{
  Job *job = data;

  if (!rl_cache_file_write (job->directory, job->path, job->header, job->body, RL_CACHE_FILE_WRITE_NONE, error))
    return FALSE;
  if (job->budget > 0)
    evict (job->directory, job->budget, job->name);
  return TRUE;
}

static void
queue_job (RlDocCache *self,
           GTask      *task,
           Job        *job)
{
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  rl_cache_writer_push (self->writer, task);
}

static void
rl_doc_cache_finalize (GObject *object)
{
  RlDocCache *self = RL_DOC_CACHE (object);

  g_clear_object (&self->writer);
  g_free (self->directory);
  g_free (self->user_id);
  G_OBJECT_CLASS (rl_doc_cache_parent_class)->finalize (object);
}

static void
rl_doc_cache_class_init (RlDocCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_doc_cache_finalize;
}

static void
rl_doc_cache_init (RlDocCache *self)
{
  self->writer = rl_cache_writer_new (run_job, "document cache");
}

RlDocCache *
rl_doc_cache_new (const char *base,
                  const char *server_url,
                  const char *user_id,
                  guint64     budget)
{
  RlDocCache *self;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  self = g_object_new (RL_TYPE_DOC_CACHE, NULL);
  self->directory = rl_cache_file_dup_directory (base, "documents", server_url, user_id);
  self->user_id = g_strdup (user_id);
  self->budget = budget > 0 ? budget : RL_DOC_CACHE_DEFAULT_BUDGET;
  return self;
}

const char *
rl_doc_cache_get_directory (RlDocCache *self)
{
  g_return_val_if_fail (RL_IS_DOC_CACHE (self), NULL);
  return self->directory;
}

const char *
rl_doc_cache_get_user_id (RlDocCache *self)
{
  g_return_val_if_fail (RL_IS_DOC_CACHE (self), NULL);
  return self->user_id;
}

guint64
rl_doc_cache_get_budget (RlDocCache *self)
{
  g_return_val_if_fail (RL_IS_DOC_CACHE (self), 0);
  return self->budget;
}

char *
rl_doc_cache_dup_content_path (RlDocCache  *self,
                               const char  *doc,
                               GError     **error)
{
  g_return_val_if_fail (RL_IS_DOC_CACHE (self), NULL);
  return rl_cache_file_dup_path (self->directory, doc, CONTENT_SUFFIX, error);
}

/* ---- the list ------------------------------------------------------------ */

GPtrArray *
rl_doc_cache_load_documents (RlDocCache  *self,
                             GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  gsize length;
  const char *data;

  g_return_val_if_fail (RL_IS_DOC_CACHE (self), NULL);

  path = g_build_filename (self->directory, LIST_NAME, NULL);
  bytes = rl_cache_file_read (path, RL_DOC_CACHE_LIST_MAX_BYTES, FALSE, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &length);
  parser = json_parser_new_immutable ();
  object = rl_cache_file_parse_object (parser, data, length, path, error);
  if (object == NULL || !rl_cache_file_check_header (object, RL_DOC_CACHE_VERSION, NULL, path, error))
    return NULL;
  docs = rl_documents_from_json (json_object_get_member (object, "documents"), &local_error);
  if (docs == NULL)
    {
      rl_cache_file_set_invalid (error, path, local_error->message);
      return NULL;
    }
  for (guint i = 0; i < docs->len; i++)
    {
      const RlDocument *doc = g_ptr_array_index (docs, i);

      if (!rl_cache_file_id_is_valid (doc->id))
        {
          rl_cache_file_set_invalid (error, path, "a document id that cannot name a file");
          return NULL;
        }
    }
  return g_steal_pointer (&docs);
}

void
rl_doc_cache_save_documents_async (RlDocCache          *self,
                                   GPtrArray           *docs,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  Job *job;
  gsize length;
  char *text;

  g_return_if_fail (RL_IS_DOC_CACHE (self));
  g_return_if_fail (docs != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_doc_cache_save_documents_async);

  /* Encoded here: the documents belong to the main thread. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, RL_DOC_CACHE_VERSION);
  json_builder_set_member_name (builder, "documents");
  json_builder_begin_array (builder);
  for (guint i = 0; i < docs->len; i++)
    json_builder_add_value (builder, rl_document_to_json (g_ptr_array_index (docs, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = rl_json_to_string (root, &length);

  job = g_new0 (Job, 1);
  job->directory = g_strdup (self->directory);
  job->name = g_strdup (LIST_NAME);
  job->path = g_build_filename (self->directory, LIST_NAME, NULL);
  job->body = g_bytes_new_take (text, length);
  queue_job (self, task, job);
}

gboolean
rl_doc_cache_save_documents_finish (RlDocCache    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- contents ------------------------------------------------------------ */

/* What may go into an HTTP header as it is: printable ASCII, no line break. */
static gboolean
etag_is_valid (const char *etag)
{
  gsize i;

  if (etag == NULL)
    return FALSE;
  for (i = 0; etag[i] != '\0'; i++)
    if (i >= ETAG_MAX || etag[i] < 0x20 || etag[i] > 0x7e)
      return FALSE;
  return i > 0;
}

static GBytes *
parse_content (GBytes      *file,
               const char  *path,
               const char  *doc,
               char       **etag,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *sha256 = NULL;
  g_autoptr(GBytes) content = NULL;
  JsonObject *header;
  gsize length, offset;
  const char *data = g_bytes_get_data (file, &length);
  const char *end = data ? memchr (data, '\n', MIN (length, HEADER_MAX)) : NULL;

  if (end == NULL)
    {
      rl_cache_file_set_invalid (error, path, "no header");
      return NULL;
    }
  header = rl_cache_file_parse_object (parser, data, (gsize) (end - data), path, error);
  if (header == NULL || !rl_cache_file_check_header (header, RL_DOC_CACHE_VERSION, doc, path, error))
    return NULL;
  if (!rl_cache_file_holds (header, "etag", G_TYPE_STRING) ||
      !etag_is_valid (json_object_get_string_member (header, "etag")))
    {
      rl_cache_file_set_invalid (error, path, "no valid ETag");
      return NULL;
    }
  offset = (gsize) (end - data) + 1;
  if (!rl_cache_file_holds (header, "size", G_TYPE_INT64) ||
      json_object_get_int_member (header, "size") != (gint64) (length - offset))
    {
      rl_cache_file_set_invalid (error, path, "not of the size it says");
      return NULL;
    }
  content = g_bytes_new_from_bytes (file, offset, length - offset);
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, content);
  if (!rl_cache_file_holds (header, "sha256", G_TYPE_STRING) ||
      g_strcmp0 (json_object_get_string_member (header, "sha256"), sha256) != 0)
    {
      rl_cache_file_set_invalid (error, path, "fails its checksum");
      return NULL;
    }
  *etag = g_strdup (json_object_get_string_member (header, "etag"));
  return g_steal_pointer (&content);
}

static void
load_in_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  Load *load = data;
  g_autoptr(GBytes) file = NULL;
  GBytes *content;
  GError *error = NULL;

  file = rl_cache_file_read (load->path, CONTENT_FILE_MAX, TRUE, &error);
  content = file ? parse_content (file, load->path, load->doc, &load->etag, &error) : NULL;
  if (content == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, content, (GDestroyNotify) g_bytes_unref);
}

void
rl_doc_cache_load_content_async (RlDocCache          *self,
                                 const char          *doc,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Load *load;
  char *path;

  g_return_if_fail (RL_IS_DOC_CACHE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_doc_cache_load_content_async);
  path = rl_doc_cache_dup_content_path (self, doc, &error);
  if (path == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  load = g_new0 (Load, 1);
  load->path = path;
  load->doc = g_strdup (doc);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  g_task_run_in_thread (task, load_in_thread);
}

GBytes *
rl_doc_cache_load_content_finish (RlDocCache    *self,
                                  GAsyncResult  *result,
                                  char         **etag,
                                  GError       **error)
{
  GBytes *content;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  content = g_task_propagate_pointer (G_TASK (result), error);
  if (etag != NULL)
    {
      Load *load = g_task_get_task_data (G_TASK (result));

      *etag = content ? g_strdup (load->etag) : NULL;
    }
  return content;
}

void
rl_doc_cache_save_content_async (RlDocCache          *self,
                                 const char          *doc,
                                 const char          *etag,
                                 GBytes              *content,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *text = NULL;
  GError *error = NULL;
  char *path;
  Job *job;

  g_return_if_fail (RL_IS_DOC_CACHE (self));
  g_return_if_fail (content != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_doc_cache_save_content_async);
  path = rl_doc_cache_dup_content_path (self, doc, &error);
  if (path == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!etag_is_valid (etag))
    {
      g_free (path);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not an ETag");
      return;
    }
  if (g_bytes_get_size (content) > RL_UPLOAD_MAX_BYTES ||
      g_bytes_get_size (content) + HEADER_MAX > self->budget)
    {
      g_free (path);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "%s: larger than the cache may keep", doc);
      return;
    }

  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, content);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, RL_DOC_CACHE_VERSION);
  json_builder_set_member_name (builder, "doc");
  json_builder_add_string_value (builder, doc);
  json_builder_set_member_name (builder, "etag");
  json_builder_add_string_value (builder, etag);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) g_bytes_get_size (content));
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sha256);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = rl_json_to_string (root, NULL);

  job = g_new0 (Job, 1);
  job->directory = g_strdup (self->directory);
  job->path = path;
  job->name = g_path_get_basename (path);
  /* JSON text has no raw line break: the first one ends the header. */
  job->header = g_bytes_new_take (g_strconcat (text, "\n", NULL), strlen (text) + 1);
  job->body = g_bytes_ref (content);
  job->budget = self->budget;
  queue_job (self, task, job);
}

gboolean
rl_doc_cache_save_content_finish (RlDocCache    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
rl_doc_cache_get_n_pending (RlDocCache *self)
{
  g_return_val_if_fail (RL_IS_DOC_CACHE (self), 0);
  return rl_cache_writer_get_n_pending (self->writer);
}

guint64
rl_doc_cache_get_content_bytes (RlDocCache *self)
{
  guint64 total;
  g_autoptr(GArray) entries = NULL;

  g_return_val_if_fail (RL_IS_DOC_CACHE (self), 0);
  entries = scan (self->directory, &total);
  return total;
}
