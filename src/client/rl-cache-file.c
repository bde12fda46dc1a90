/* rl-cache-file.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-cache-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#define ID_MAX 128

static void
set_errno_error (GError    **error,
                 int          saved,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
}

char *
rl_cache_file_dup_account_key (const char *server_url,
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

char *
rl_cache_file_dup_directory (const char *base,
                             const char *name,
                             const char *server_url,
                             const char *user_id)
{
  g_autofree char *key = rl_cache_file_dup_account_key (server_url, user_id);

  return g_build_filename (base ? base : g_get_user_cache_dir (), "redline", name, key, NULL);
}

gboolean
rl_cache_file_id_is_valid (const char *id)
{
  gsize i;

  if (id == NULL)
    return FALSE;
  for (i = 0; id[i] != '\0'; i++)
    if (i >= ID_MAX || !(g_ascii_isalnum (id[i]) || id[i] == '-' || id[i] == '_'))
      return FALSE;
  return i > 0;
}

char *
rl_cache_file_dup_path (const char  *directory,
                        const char  *id,
                        const char  *suffix,
                        GError     **error)
{
  g_autofree char *name = NULL;

  if (!rl_cache_file_id_is_valid (id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME, "not a document id: “%s”",
                   id ? id : "(null)");
      return NULL;
    }
  name = g_strconcat (id, suffix, NULL);
  return g_build_filename (directory, name, NULL);
}

gboolean
rl_cache_file_set_invalid (GError    **error,
                           const char *path,
                           const char *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path, why);
  return FALSE;
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
    g_debug ("cache: cannot mark a file used: %s", g_strerror (errno));
}

gint64
rl_cache_file_get_used_time (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

/* The whole of path, at most max bytes. Neither a symbolic link nor
 * anything but a regular file is opened for reading (a FIFO would block). */
GBytes *
rl_cache_file_read (const char  *path,
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
        rl_cache_file_set_invalid (error, path, "a symbolic link");
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
      rl_cache_file_set_invalid (error, path, "not a regular file");
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
      rl_cache_file_set_invalid (error, path, "cut short while read");
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
 * or the new one. Synced only when asked: a content file torn by a power
 * cut fails its checks and is fetched again. */
gboolean
rl_cache_file_write (const char             *directory,
                     const char             *path,
                     GBytes                 *header,
                     GBytes                 *body,
                     RlCacheFileWriteFlags   flags,
                     GError                **error)
{
  g_autofree char *temp = NULL;
  gboolean ok;
  int fd;

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      set_errno_error (error, errno, directory);
      return FALSE;
    }
  temp = g_build_filename (directory, RL_CACHE_FILE_TEMP_PREFIX "XXXXXX", NULL);
  fd = g_mkstemp_full (temp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_errno_error (error, errno, temp);
      return FALSE;
    }
  ok = write_all (fd, header, temp, error) && write_all (fd, body, temp, error);
  if (ok)
    stamp (fd);
  if (ok && (flags & RL_CACHE_FILE_WRITE_SYNC) && fsync (fd) != 0)
    {
      set_errno_error (error, errno, temp);
      ok = FALSE;
    }
  if (close (fd) != 0 && ok)
    {
      set_errno_error (error, errno, temp);
      ok = FALSE;
    }
  if (ok && g_rename (temp, path) != 0)
    {
      set_errno_error (error, errno, path);
      ok = FALSE;
    }
  if (!ok)
    g_unlink (temp);
  return ok;
}

JsonObject *
rl_cache_file_parse_object (JsonParser  *parser,
                            const char  *data,
                            gsize        length,
                            const char  *path,
                            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      rl_cache_file_set_invalid (error, path, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      rl_cache_file_set_invalid (error, path, "not a JSON object");
      return NULL;
    }
  return json_node_get_object (root);
}

gboolean
rl_cache_file_holds (JsonObject *object,
                     const char *member,
                     GType       type)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

gboolean
rl_cache_file_check_header (JsonObject  *object,
                            gint64       version,
                            const char  *doc,
                            const char  *path,
                            GError     **error)
{
  if (!rl_cache_file_holds (object, "version", G_TYPE_INT64) ||
      json_object_get_int_member (object, "version") != version)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not of version %" G_GINT64_FORMAT, path,
                   version);
      return FALSE;
    }
  if (doc != NULL &&
      (!rl_cache_file_holds (object, "doc", G_TYPE_STRING) ||
       g_strcmp0 (json_object_get_string_member (object, "doc"), doc) != 0))
    return rl_cache_file_set_invalid (error, path, "about another document");
  return TRUE;
}
