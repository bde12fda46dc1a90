/* rl-cache-file.h — the files of the client's caches on disk (internal)
 *
 * What RlSnapshotCache and RlDocCache do alike: a directory per account
 * (mode 0700) keyed by the server URL and the user id, files in it named
 * by document id (mode 0600), read never through a symbolic link and never
 * past a bound, written whole under a temporary name and renamed, and
 * checked for their version and document before anything in them is used.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* How the names of files being written start. */
#define RL_CACHE_FILE_TEMP_PREFIX ".tmp-"

typedef enum
{
  RL_CACHE_FILE_WRITE_NONE = 0,
  /* On disk before the rename, so a power cut too leaves the old file or
   * the new one, never a torn one. */
  RL_CACHE_FILE_WRITE_SYNC = 1 << 0,
} RlCacheFileWriteFlags;

/* The SHA-256 of the server URL and the user id, so neither is readable
 * from a path and no URL character can reach the file system. */
char       *rl_cache_file_dup_account_key (const char             *server_url,
                                           const char             *user_id);
/* BASE/redline/NAME/KEY: the directory of one account's cache called name;
 * base NULL for g_get_user_cache_dir (). */
char       *rl_cache_file_dup_directory   (const char             *base,
                                           const char             *name,
                                           const char             *server_url,
                                           const char             *user_id);
/* 1–128 of [A-Za-z0-9_-], as the server makes them. */
gboolean    rl_cache_file_id_is_valid     (const char             *id);
/* directory/IDsuffix; NULL with G_IO_ERROR_INVALID_FILENAME for an id that
 * is not valid. */
char       *rl_cache_file_dup_path        (const char             *directory,
                                           const char             *id,
                                           const char             *suffix,
                                           GError                **error);
/* Sets G_IO_ERROR_INVALID_DATA, "path: why"; returns FALSE. */
gboolean    rl_cache_file_set_invalid     (GError                **error,
                                           const char             *path,
                                           const char             *why);

/* The whole of path, at most max bytes (blocking). Neither a symbolic link
 * nor anything but a regular file is read: INVALID_DATA; larger than max:
 * MESSAGE_TOO_LARGE, before anything is read. mark_used: the file's
 * modification time becomes now (see rl_cache_file_get_used_time). */
GBytes     *rl_cache_file_read            (const char             *path,
                                           goffset                 max,
                                           gboolean                mark_used,
                                           GError                **error);
/* Makes directory (0700) if need be and replaces path (0600) by header
 * (may be NULL) then body, written under a temporary name in directory
 * and renamed, then marked used (blocking). */
gboolean    rl_cache_file_write           (const char             *directory,
                                           const char             *path,
                                           GBytes                 *header,
                                           GBytes                 *body,
                                           RlCacheFileWriteFlags   flags,
                                           GError                **error);
/* When a file was last written or read with mark_used: its modification
 * time, strictly increasing within the process. */
gint64      rl_cache_file_get_used_time   (const struct stat      *st);

/* The JSON object data holds, owned by parser; NULL with INVALID_DATA. */
JsonObject *rl_cache_file_parse_object    (JsonParser             *parser,
                                           const char             *data,
                                           gsize                   length,
                                           const char             *path,
                                           GError                **error);
/* Whether object's member is a value of type (G_TYPE_INT64, G_TYPE_STRING…). */
gboolean    rl_cache_file_holds           (JsonObject             *object,
                                           const char             *member,
                                           GType                   type);
/* Whether object says it is of version and, unless doc is NULL, about doc;
 * FALSE with INVALID_DATA otherwise. */
gboolean    rl_cache_file_check_header    (JsonObject             *object,
                                           gint64                  version,
                                           const char             *doc,
                                           const char             *path,
                                           GError                **error);

G_END_DECLS
