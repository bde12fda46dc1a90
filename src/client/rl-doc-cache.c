/* rl-doc-cache.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-doc-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rl-codec.h"
#include "rl-limits.h"
#include "rl-snapshot-cache.h"

#define LIST_NAME          "documents.json"
#define CONTENT_SUFFIX     ".content"
#define TEMP_PREFIX        ".tmp-"
#define HEADER_MAX         4096
#define ETAG_MAX           1024
#define CONTENT_FILE_MAX   ((goffset) RL_UPLOAD_MAX_BYTES + HEADER_MAX)
/* A temporary file this old was left by a crash, not by a write under way. */
#define STALE_TEMP_USEC    (G_USEC_PER_SEC * 600)

struct _RlDocCache
{
  GObject  parent_instance;

  char    *directory;
  char    *user_id;
  guint64  budget;
  GQueue   jobs;        /* GTask* of the saves, oldest first; the head is being written */
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

static gboolean
invalid (GError    **error,
         const char *path,
         const char *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path, why);
  return FALSE;
}

static void
set_errno_error (GError    **error,
                 int          saved,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
}

/* The time a file was last used, strictly increasing within the process,
 * so the order of uses survives a coarse clock. */
static gint64
next_stamp (void)
{
  static GMutex lock;
  static gint64 last;
  gint64 now = g_get_real_time ();

  g_mutex_lock (&lock);
  if (now <= last)
    now = last + 1;
  last = now;
  g_mutex_unlock (&lock);
  return now;
}

/* Marks the open file as used now (its modification time is the LRU clock). */
static void
stamp (int fd)
{
  gint64 now = next_stamp ();
  struct timespec times[2];

  times[0].tv_sec = now / G_USEC_PER_SEC;
  times[0].tv_nsec = (now % G_USEC_PER_SEC) * 1000;
  times[1] = times[0];
  if (futimens (fd, times) != 0)
    g_debug ("document cache: cannot mark a file used: %s", g_strerror (errno));
}

static gint64
used_time (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

/* The whole of path, at most max bytes. Neither a symbolic link nor
 * anything but a regular file is opened for reading (a FIFO would block). */
static GBytes *
read_file (const char  *path,
           goffset      max,
           gboolean     mark_used,
           GError     **error)
{
  struct stat st;
  guint8 *data;
  gsize got = 0;
  int fd;

  fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ELOOP)
        invalid (error, path, "a symbolic link");
      else
        set_errno_error (error, saved, path);
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, path);
      close (fd);
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      invalid (error, path, "not a regular file");
      return NULL;
    }
  /* Looked at before reading, so a huge file is never read at all. */
  if (st.st_size > max)
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "%s: larger than %" G_GOFFSET_FORMAT " bytes",
                   path, max);
      return NULL;
    }
  data = g_try_malloc (MAX (st.st_size, 1));
  if (data == NULL)
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "%s: no memory to read it", path);
      return NULL;
    }
  while (got < (gsize) st.st_size)
    {
      gssize n = read (fd, data + got, (gsize) st.st_size - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error (error, errno, path);
          close (fd);
          g_free (data);
          return NULL;
        }
      if (n == 0)
        break;
      got += (gsize) n;
    }
  if (mark_used && got == (gsize) st.st_size)
    stamp (fd);
  close (fd);
  if (got < (gsize) st.st_size)
    {
      g_free (data);
      invalid (error, path, "cut short while read");
      return NULL;
    }
  return g_bytes_new_take (data, got);
}

static gboolean
write_all (int           fd,
           GBytes       *bytes,
           const char   *path,
           GError      **error)
{
  gsize length;
  const guint8 *data = bytes ? g_bytes_get_data (bytes, &length) : NULL;
  gsize done = 0;

  while (data != NULL && done < length)
    {
      gssize n = write (fd, data + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error (error, errno, path);
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

/* Written under a temporary name, then renamed: a crash leaves the old file
 * or the new one. Not synced: a cache file torn by a power cut fails its
 * checks and is fetched again. */
static gboolean
write_file (Job     *job,
            GError **error)
{
  g_autofree char *temp = NULL;
  gboolean ok;
  int fd;

  if (g_mkdir_with_parents (job->directory, 0700) != 0)
    {
      set_errno_error (error, errno, job->directory);
      return FALSE;
    }
  temp = g_build_filename (job->directory, TEMP_PREFIX "XXXXXX", NULL);
  fd = g_mkstemp_full (temp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_errno_error (error, errno, temp);
      return FALSE;
    }
  ok = write_all (fd, job->header, temp, error) && write_all (fd, job->body, temp, error);
  if (ok)
    stamp (fd);
  if (close (fd) != 0 && ok)
    {
      set_errno_error (error, errno, temp);
      ok = FALSE;
    }
  if (ok && g_rename (temp, job->path) != 0)
    {
      set_errno_error (error, errno, job->path);
      ok = FALSE;
    }
  if (!ok)
    g_unlink (temp);
  return ok;
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
      if (g_str_has_prefix (name, TEMP_PREFIX))
        {
          if (now - used_time (&st) > STALE_TEMP_USEC)
            g_unlink (path);
          continue;
        }
      if (!g_str_has_suffix (name, CONTENT_SUFFIX))
        continue;
      entry.name = g_strdup (name);
      entry.size = st.st_size;
      entry.used = used_time (&st);
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

static void
run_job (GTask        *task,
         gpointer      source,
         gpointer      data,
         GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;

  if (!write_file (job, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->budget > 0)
    evict (job->directory, job->budget, job->name);
  g_task_return_boolean (task, TRUE);
}

static void start_next (RlDocCache *self);

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  RlDocCache *self = RL_DOC_CACHE (source);
  g_autoptr(GTask) job = g_queue_pop_head (&self->jobs);
  GError *error = NULL;

  /* Before the caller hears back: its callback may ask for another write. */
  start_next (self);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (job, TRUE);
  else
    {
      g_debug ("document cache: %s", error->message);
      g_task_return_error (job, error);
    }
}

/* One write at a time: an eviction never races a write of the same cache. */
static void
start_next (RlDocCache *self)
{
  GTask *job = g_queue_peek_head (&self->jobs);
  g_autoptr(GTask) writer = NULL;

  if (job == NULL)
    return;
  writer = g_task_new (self, NULL, job_done, NULL);
  g_task_set_source_tag (writer, start_next);
  /* Read only, and the job's: it stays queued until job_done. */
  g_task_set_task_data (writer, g_task_get_task_data (job), NULL);
  g_task_run_in_thread (writer, run_job);
}

static void
queue_job (RlDocCache *self,
           GTask      *task,
           Job        *job)
{
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_queue_push_tail (&self->jobs, g_object_ref (task));
  if (self->jobs.length == 1)
    start_next (self);
}

static void
rl_doc_cache_finalize (GObject *object)
{
  RlDocCache *self = RL_DOC_CACHE (object);

  /* Every job's writer holds a reference: none is left here. */
  g_warn_if_fail (g_queue_is_empty (&self->jobs));
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
  g_queue_init (&self->jobs);
}

RlDocCache *
rl_doc_cache_new (const char *base,
                  const char *server_url,
                  const char *user_id,
                  guint64     budget)
{
  RlDocCache *self;
  g_autofree char *key = NULL;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  key = rl_snapshot_cache_dup_account_key (server_url, user_id);
  self = g_object_new (RL_TYPE_DOC_CACHE, NULL);
  self->directory = g_build_filename (base ? base : g_get_user_cache_dir (), "redline", "documents", key, NULL);
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
  g_autofree char *name = NULL;

  g_return_val_if_fail (RL_IS_DOC_CACHE (self), NULL);
  if (!rl_snapshot_cache_doc_id_is_valid (doc))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME, "not a document id: “%s”",
                   doc ? doc : "(null)");
      return NULL;
    }
  name = g_strconcat (doc, CONTENT_SUFFIX, NULL);
  return g_build_filename (self->directory, name, NULL);
}

/* ---- the list ------------------------------------------------------------ */

static JsonObject *
parse_object (JsonParser  *parser,
              const char  *data,
              gsize        length,
              const char  *path,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      invalid (error, path, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid (error, path, "not a JSON object");
      return NULL;
    }
  return json_node_get_object (root);
}

static gboolean
holds (JsonObject *object,
       const char *member,
       GType       type)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
has_version (JsonObject *object)
{
  return holds (object, "version", G_TYPE_INT64) &&
         json_object_get_int_member (object, "version") == RL_DOC_CACHE_VERSION;
}

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
  bytes = read_file (path, RL_DOC_CACHE_LIST_MAX_BYTES, FALSE, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &length);
  parser = json_parser_new_immutable ();
  object = parse_object (parser, data, length, path, error);
  if (object == NULL)
    return NULL;
  if (!has_version (object))
    {
      invalid (error, path, "not of version " G_STRINGIFY (RL_DOC_CACHE_VERSION));
      return NULL;
    }
  docs = rl_documents_from_json (json_object_get_member (object, "documents"), &local_error);
  if (docs == NULL)
    {
      invalid (error, path, local_error->message);
      return NULL;
    }
  for (guint i = 0; i < docs->len; i++)
    {
      const RlDocument *doc = g_ptr_array_index (docs, i);

      if (!rl_snapshot_cache_doc_id_is_valid (doc->id))
        {
          invalid (error, path, "a document id that cannot name a file");
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
      invalid (error, path, "no header");
      return NULL;
    }
  header = parse_object (parser, data, (gsize) (end - data), path, error);
  if (header == NULL)
    return NULL;
  if (!has_version (header))
    {
      invalid (error, path, "not of version " G_STRINGIFY (RL_DOC_CACHE_VERSION));
      return NULL;
    }
  if (!holds (header, "doc", G_TYPE_STRING) || g_strcmp0 (json_object_get_string_member (header, "doc"), doc) != 0)
    {
      invalid (error, path, "about another document");
      return NULL;
    }
  if (!holds (header, "etag", G_TYPE_STRING) || !etag_is_valid (json_object_get_string_member (header, "etag")))
    {
      invalid (error, path, "no valid ETag");
      return NULL;
    }
  offset = (gsize) (end - data) + 1;
  if (!holds (header, "size", G_TYPE_INT64) || json_object_get_int_member (header, "size") != (gint64) (length - offset))
    {
      invalid (error, path, "not of the size it says");
      return NULL;
    }
  content = g_bytes_new_from_bytes (file, offset, length - offset);
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, content);
  if (!holds (header, "sha256", G_TYPE_STRING) || g_strcmp0 (json_object_get_string_member (header, "sha256"), sha256) != 0)
    {
      invalid (error, path, "fails its checksum");
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

  file = read_file (load->path, CONTENT_FILE_MAX, TRUE, &error);
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
  return self->jobs.length;
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
