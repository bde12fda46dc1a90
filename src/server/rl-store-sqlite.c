/* rl-store-sqlite.c — RlStore on SQLite (WAL, versioned schema)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-store-sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "rl-error.h"
#include "rl-store-private.h"
#include "rl-store-sql.h"
#include "rl-time.h"
#include "rl-uuid.h"

struct _RlStoreSqlite
{
  GObject       parent_instance;
  char         *path;
  sqlite3      *db;
  /* what other processes committed: see rl_store_sqlite_read_changes */
  sqlite3_stmt *data_version_stmt;
  gint64        data_version;
  gint64        change_cursor;
};

static void rl_store_sqlite_store_iface_init (RlStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RlStoreSqlite, rl_store_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RL_TYPE_STORE, rl_store_sqlite_store_iface_init))

/* Each entry moves the schema one version up; never edit a shipped one. */
static const char *migrations[] = {
  /* 1 */
  "CREATE TABLE tenants (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL);"
  "CREATE TABLE users (tenant TEXT NOT NULL REFERENCES tenants (id), id TEXT NOT NULL,"
  "  name TEXT NOT NULL, role TEXT NOT NULL, token_hash BLOB NOT NULL,"
  "  created_at INTEGER NOT NULL, PRIMARY KEY (id));"
  "CREATE TABLE documents (tenant TEXT NOT NULL REFERENCES tenants (id), id TEXT NOT NULL,"
  "  kind TEXT NOT NULL, title TEXT NOT NULL, mime TEXT NOT NULL, size INTEGER NOT NULL,"
  "  width INTEGER NOT NULL DEFAULT 0, height INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL, created_by_id TEXT NOT NULL, created_by_name TEXT NOT NULL,"
  "  etag TEXT NOT NULL, content BLOB NOT NULL, head_seq INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (tenant, id));"
  "CREATE TABLE threads (tenant TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,"
  "  anchor TEXT NOT NULL, resolved INTEGER NOT NULL DEFAULT 0,"
  "  created_by_id TEXT NOT NULL, created_by_name TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
  "  UNIQUE (tenant, id));"
  "CREATE INDEX threads_by_doc ON threads (tenant, doc);"
  "CREATE TABLE comments (tenant TEXT NOT NULL, id TEXT NOT NULL, thread TEXT NOT NULL,"
  "  author_id TEXT NOT NULL, author_name TEXT NOT NULL, body TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL, edited_at INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (tenant, id));"
  "CREATE INDEX comments_by_thread ON comments (tenant, thread);"
  "CREATE TABLE events (tenant TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,"
  "  payload TEXT NOT NULL, PRIMARY KEY (tenant, doc, seq)) WITHOUT ROWID;"
  "CREATE TABLE usage (tenant TEXT PRIMARY KEY, messages INTEGER NOT NULL DEFAULT 0,"
  "  bytes INTEGER NOT NULL DEFAULT 0);",

  /* 2: thread numbers. Each document counts the threads ever created in it
   * (never down, so a deleted thread's number is not given again); the
   * threads already there are numbered in creation order. The log's events
   * up to unnumbered_seq carry threads without their numbers: a client that
   * resyncs from there gets a snapshot instead. */
  "ALTER TABLE documents ADD COLUMN thread_numbers INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE documents ADD COLUMN unnumbered_seq INTEGER NOT NULL DEFAULT 0;"
  "UPDATE documents SET unnumbered_seq = head_seq;"
  "ALTER TABLE threads ADD COLUMN number INTEGER NOT NULL DEFAULT 0;"
  "CREATE TEMP TABLE numbering (thread INTEGER PRIMARY KEY, number INTEGER NOT NULL);"
  "INSERT INTO numbering SELECT rowid, ROW_NUMBER () OVER"
  "  (PARTITION BY tenant, doc ORDER BY created_at, id) FROM threads;"
  "UPDATE threads SET number = (SELECT number FROM numbering WHERE thread = threads.rowid);"
  "DROP TABLE numbering;"
  "UPDATE documents SET thread_numbers = (SELECT COALESCE (MAX (number), 0) FROM threads"
  "  WHERE threads.tenant = documents.tenant AND threads.doc = documents.id);"
  "CREATE UNIQUE INDEX threads_by_number ON threads (tenant, doc, number);",

  /* 3: administration. A revoked user's token is refused; a rotation gives a
   * new token and counts the user's token_generation up, so a server can
   * tell the connections made with an older one from those made with the
   * new one; every command
   * that must reach a server running on the same file (revoke, rotate,
   * remove a document) also appends to admin_changes in its transaction,
   * which the server reads when PRAGMA data_version says another process
   * committed. AUTOINCREMENT: a seq is never given twice, pruned or not. */
  "ALTER TABLE users ADD COLUMN revoked_at INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE admin_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
  "  tenant TEXT NOT NULL, subject TEXT NOT NULL, at INTEGER NOT NULL);",

  /* 4: revisions. A document's content is its revisions' (the latest's
   * metadata stays on the document for listings); each thread has a
   * placement on every revision from the one it was made on. What was
   * there becomes revision 1 (pages' text models are computed after this
   * script: fill_text_models), every thread made on it and placed exactly
   * at its anchor. The log's created and moved events up to
   * unrevisioned_seq carry no placements: a client that resyncs from there
   * gets a snapshot instead. */
  "CREATE TABLE revisions (tenant TEXT NOT NULL, doc TEXT NOT NULL, revision INTEGER NOT NULL,"
  "  mime TEXT NOT NULL, size INTEGER NOT NULL, width INTEGER NOT NULL DEFAULT 0,"
  "  height INTEGER NOT NULL DEFAULT 0, etag TEXT NOT NULL, content BLOB NOT NULL, text_model TEXT,"
  "  created_at INTEGER NOT NULL, created_by_id TEXT NOT NULL, created_by_name TEXT NOT NULL,"
  "  PRIMARY KEY (tenant, doc, revision));"
  "CREATE TABLE placements (tenant TEXT NOT NULL, doc TEXT NOT NULL, thread TEXT NOT NULL,"
  "  revision INTEGER NOT NULL, anchor TEXT, status TEXT NOT NULL, score REAL NOT NULL DEFAULT 0,"
  "  by_id TEXT, by_name TEXT, PRIMARY KEY (tenant, thread, revision));"
  "CREATE INDEX placements_by_doc ON placements (tenant, doc, revision);"
  "ALTER TABLE documents ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE documents ADD COLUMN unrevisioned_seq INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE threads ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;"
  "INSERT INTO revisions (tenant, doc, revision, mime, size, width, height, etag, content, created_at,"
  "  created_by_id, created_by_name) SELECT tenant, id, 1, mime, size, width, height, etag, content,"
  "  created_at, created_by_id, created_by_name FROM documents ORDER BY rowid;"
  "UPDATE documents SET revision = 1, unrevisioned_seq = head_seq;"
  "UPDATE threads SET revision = 1;"
  "INSERT INTO placements (tenant, doc, thread, revision, anchor, status)"
  "  SELECT tenant, doc, id, 1, anchor, 'exact' FROM threads ORDER BY rowid;"
  "ALTER TABLE documents DROP COLUMN content;",

  /* 5: unread, mentions and activity (protocol 1.2). A comment keeps the
   * seq of the event that created it: existing ones take it from the log
   * where it still holds that event, else 0 (from before unread tracking:
   * never unread). Each user counts their activity items (activity_seq,
   * taken under the user's row like a document's thread numbers); their
   * read state is a floor (thread '') and markers above it per thread. */
  "ALTER TABLE comments ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE users ADD COLUMN activity_seq INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE mentions (tenant TEXT NOT NULL, doc TEXT NOT NULL, thread TEXT NOT NULL,"
  "  comment TEXT NOT NULL, user_id TEXT NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,"
  "  PRIMARY KEY (tenant, comment, start_at)) WITHOUT ROWID;"
  "CREATE INDEX mentions_by_thread ON mentions (tenant, thread);"
  "CREATE INDEX mentions_by_doc ON mentions (tenant, doc);"
  "CREATE TABLE read_marks (tenant TEXT NOT NULL, user_id TEXT NOT NULL, doc TEXT NOT NULL,"
  "  thread TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (tenant, user_id, doc, thread)) WITHOUT ROWID;"
  "CREATE TABLE activity (tenant TEXT NOT NULL, user_id TEXT NOT NULL, aseq INTEGER NOT NULL,"
  "  kind TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (tenant, user_id, aseq)) WITHOUT ROWID;"
  "CREATE TEMP TABLE comment_seqs (tenant TEXT, comment TEXT, seq INTEGER);"
  "INSERT INTO comment_seqs SELECT tenant, json_extract (payload, '$.thread.comments[0].id'), seq FROM events"
  "  WHERE json_valid (payload) AND json_extract (payload, '$.type') IN ('new-image-chat', 'new-text-chat');"
  "INSERT INTO comment_seqs SELECT tenant, json_extract (payload, '$.change.comment.id'), seq FROM events"
  "  WHERE json_valid (payload) AND json_extract (payload, '$.change.kind') = 'comment-added';"
  "CREATE INDEX temp.comment_seqs_by_id ON comment_seqs (tenant, comment);"
  "UPDATE comments SET seq = COALESCE ((SELECT MAX (seq) FROM comment_seqs s"
  "  WHERE s.tenant = comments.tenant AND s.comment = comments.id), 0);"
  "DROP TABLE comment_seqs;",
};


/* ---- small SQLite helpers ------------------------------------------------ */

/* A statement is prepared once per connection and kept. prepare() takes the
 * connection's idle statement for that SQL, or prepares one; the autoptr
 * that holds it gives it back, reset, when it goes out of scope (a statement
 * still out when the same SQL is asked for again — a nested use — is simply
 * a second one, finalized on its way back). The cleanup sees only the
 * statement, so the idle ones are found through their connection in one
 * table for the process, under a lock: a server has two connections on two
 * threads, the main loop's and the committer's. */
typedef sqlite3_stmt Stmt;

#define IDLE_STATEMENTS_PER_CONNECTION 256

G_LOCK_DEFINE_STATIC (idle_statements);
/* sqlite3 * → GHashTable (its SQL text → the idle sqlite3_stmt *) */
static GHashTable *idle_statements;

static void
stmt_finalize_now (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
idle_statements_add_connection (sqlite3 *db)
{
  G_LOCK (idle_statements);
  if (idle_statements == NULL)
    idle_statements = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_hash_table_unref);
  g_hash_table_insert (idle_statements, db,
                       g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              stmt_finalize_now));
  G_UNLOCK (idle_statements);
}

/* Finalizes the connection's idle statements: before it closes. */
static void
idle_statements_remove_connection (sqlite3 *db)
{
  G_LOCK (idle_statements);
  if (idle_statements != NULL)
    g_hash_table_remove (idle_statements, db);
  G_UNLOCK (idle_statements);
}

static void
stmt_release (Stmt *stmt)
{
  GHashTable *idle;

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  G_LOCK (idle_statements);
  idle = idle_statements != NULL ? g_hash_table_lookup (idle_statements, sqlite3_db_handle (stmt)) : NULL;
  /* The key is the statement's own copy of its SQL: it lives as long as the
   * statement does. */
  if (idle != NULL && g_hash_table_size (idle) < IDLE_STATEMENTS_PER_CONNECTION &&
      !g_hash_table_contains (idle, sqlite3_sql (stmt)))
    {
      g_hash_table_insert (idle, (gpointer) sqlite3_sql (stmt), stmt);
      stmt = NULL;
    }
  G_UNLOCK (idle_statements);
  if (stmt != NULL)
    sqlite3_finalize (stmt);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stmt, stmt_release)

static gboolean
set_error_of (sqlite3  *db,
              GError  **error)
{
  g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "database error: %s", sqlite3_errmsg (db));
  return FALSE;
}

static gboolean
set_db_error (RlStoreSqlite  *self,
              GError        **error)
{
  return set_error_of (self->db, error);
}

/* The statements written for every store (rl-store-sql.h) number their
 * parameters as PostgreSQL does, $N: SQLite's ?N is the same parameter (its
 * $N would be a name, numbered in order of appearance). */
static char *
native_sql (const char *sql)
{
  char *native = g_strdup (sql);

  for (char *p = strchr (native, '$'); p != NULL; p = strchr (p + 1, '$'))
    if (g_ascii_isdigit (p[1]))
      *p = '?';
  return native;
}

static Stmt *
prepare (RlStoreSqlite *self,
         const char    *shared_sql)
{
  g_autofree char *native = strchr (shared_sql, '$') != NULL ? native_sql (shared_sql) : NULL;
  const char *sql = native != NULL ? native : shared_sql;
  Stmt *stmt = NULL;
  GHashTable *idle;

  G_LOCK (idle_statements);
  idle = idle_statements != NULL ? g_hash_table_lookup (idle_statements, self->db) : NULL;
  if (idle != NULL)
    g_hash_table_steal_extended (idle, sql, NULL, (gpointer *) &stmt);
  G_UNLOCK (idle_statements);
  if (stmt == NULL &&
      sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    g_error ("bad SQL (%s): %s", sqlite3_errmsg (self->db), sql);
  return stmt;
}

/* Binds text arguments 1..n, NULL-terminated. */
static Stmt *
prepare_with (RlStoreSqlite *self,
              const char    *sql,
              ...)
{
  Stmt *stmt = prepare (self, sql);
  va_list args;
  const char *arg;
  int i = 1;

  va_start (args, sql);
  while ((arg = va_arg (args, const char *)) != NULL)
    sqlite3_bind_text (stmt, i++, arg, -1, SQLITE_TRANSIENT);
  va_end (args);
  return stmt;
}

static gboolean
exec (RlStoreSqlite *self,
      const char    *sql,
      GError       **error)
{
  char *message = NULL;
  int rc;

  /* One statement (BEGIN, SAVEPOINT, COMMIT… on every change) is kept
   * prepared like any other; a script (a migration) runs as it is. */
  if (strchr (sql, ';') == NULL)
    {
      g_autoptr(Stmt) stmt = prepare (self, sql);

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        ;
      return rc == SQLITE_DONE || set_db_error (self, error);
    }
  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "database error: %s", message);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static char *
column_dup (Stmt *stmt,
            int   column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* The statement's current row, for the store-neutral *_from_row; next
 * steps it. */
typedef struct
{
  RlStoreRow  row;
  Stmt       *stmt;
} SqliteRow;

static gboolean
row_next (RlStoreRow  *row,
          GError     **error)
{
  Stmt *stmt = ((SqliteRow *) row)->stmt;
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_error_of (sqlite3_db_handle (stmt), error);
  return rc == SQLITE_ROW;
}

static const char *
row_text (const RlStoreRow *row,
          int               column)
{
  return (const char *) sqlite3_column_text (((const SqliteRow *) row)->stmt, column);
}

static gint64
row_number (const RlStoreRow *row,
            int               column)
{
  return sqlite3_column_int64 (((const SqliteRow *) row)->stmt, column);
}

static gboolean
row_flag (const RlStoreRow *row,
          int               column)
{
  return sqlite3_column_int (((const SqliteRow *) row)->stmt, column) != 0;
}

static double
row_real (const RlStoreRow *row,
          int               column)
{
  return sqlite3_column_double (((const SqliteRow *) row)->stmt, column);
}

#define ROW(stmt) (&(SqliteRow) { { row_next, row_text, row_number, row_flag, row_real }, (stmt) }.row)

static gboolean
step_done (RlStoreSqlite  *self,
           Stmt           *stmt,
           GError        **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_CONSTRAINT)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_CONFLICT, "that id is already taken");
      return FALSE;
    }
  return set_db_error (self, error);
}

/* ---- object --------------------------------------------------------------- */

static void
rl_store_sqlite_finalize (GObject *object)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (object);

  g_clear_pointer (&self->data_version_stmt, sqlite3_finalize);
  if (self->db != NULL)
    idle_statements_remove_connection (self->db);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_free (self->path);
  G_OBJECT_CLASS (rl_store_sqlite_parent_class)->finalize (object);
}

static void
rl_store_sqlite_class_init (RlStoreSqliteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_store_sqlite_finalize;
}

static void
rl_store_sqlite_init (RlStoreSqlite *self)
{
}

/* Migration 4's page revisions get their text models from the server's
 * own reader (no SQL can compute them). */
static gboolean
fill_text_models (RlStoreSqlite  *self,
                  GError        **error)
{
  g_autoptr(Stmt) pages = prepare (self, "SELECT r.rowid FROM revisions r JOIN documents d"
                                         " ON d.tenant = r.tenant AND d.id = r.doc"
                                         " WHERE d.kind = 'page' AND r.text_model IS NULL");
  g_autoptr(GArray) rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  while ((rc = sqlite3_step (pages)) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (pages, 0);

      g_array_append_val (rowids, rowid);
    }
  if (rc != SQLITE_DONE)
    return set_db_error (self, error);
  for (guint i = 0; i < rowids->len; i++)
    {
      g_autoptr(Stmt) read = prepare (self, "SELECT mime, content FROM revisions WHERE rowid = ?1");
      g_autoptr(Stmt) write = prepare (self, "UPDATE revisions SET text_model = ?2 WHERE rowid = ?1");
      g_autoptr(GBytes) content = NULL;
      g_autofree char *model = NULL;

      sqlite3_bind_int64 (read, 1, g_array_index (rowids, gint64, i));
      if (sqlite3_step (read) != SQLITE_ROW)
        return set_db_error (self, error);
      content = g_bytes_new (sqlite3_column_blob (read, 1), sqlite3_column_bytes (read, 1));
      model = rl_store_text_model_for ((const char *) sqlite3_column_text (read, 0), content);
      if (model == NULL)
        {
          /* Checked at upload: only a damaged file gets here. */
          g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "a page’s content is not a page’s text (revisions row %"
                       G_GINT64_FORMAT ")", g_array_index (rowids, gint64, i));
          return FALSE;
        }
      sqlite3_bind_int64 (write, 1, g_array_index (rowids, gint64, i));
      sqlite3_bind_text (write, 2, model, -1, SQLITE_TRANSIENT);
      if (!step_done (self, write, error))
        return FALSE;
    }
  return TRUE;
}

/* What a migration's script cannot do, run after it in its transaction. */
static gboolean (*const migration_steps[]) (RlStoreSqlite *self, GError **error) = {
  [3] = fill_text_models,
  [4] = NULL,
};
G_STATIC_ASSERT (G_N_ELEMENTS (migration_steps) == G_N_ELEMENTS (migrations));

static gboolean
migrate (RlStoreSqlite  *self,
         GError        **error)
{
  g_autoptr(Stmt) stmt = prepare (self, "PRAGMA user_version");
  int version;

  sqlite3_step (stmt);
  version = sqlite3_column_int (stmt, 0);
  /* Done with it: a statement still running forbids DROP TABLE. */
  sqlite3_reset (stmt);
  if (!rl_store_check_schema (version, G_N_ELEMENTS (migrations), error))
    return FALSE;

  for (int v = version; v < (int) G_N_ELEMENTS (migrations); v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec (self, migrations[v], error) ||
          (migration_steps[v] != NULL && !migration_steps[v] (self, error)) ||
          !exec (self, bump, error))
        {
          exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
      if (!exec (self, "COMMIT", error))
        return FALSE;
    }
  return TRUE;
}

static gint64
read_data_version (RlStoreSqlite *self)
{
  gint64 version = 0;

  if (sqlite3_step (self->data_version_stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (self->data_version_stmt, 0);
  sqlite3_reset (self->data_version_stmt);
  return version;
}

static gint64
last_change (RlStoreSqlite *self)
{
  g_autoptr(Stmt) stmt = prepare (self, "SELECT COALESCE (MAX (seq), 0) FROM admin_changes");

  return sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

RlStore *
rl_store_sqlite_open (const char  *path,
                      GError     **error)
{
  g_autoptr(RlStoreSqlite) self = g_object_new (RL_TYPE_STORE_SQLITE, NULL);

  self->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                       SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot open %s: %s", path,
                   self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }
  /* Only another process (a backup, an admin command) can hold the lock; the
   * main loop must not stall long for it, so the request fails instead. */
  sqlite3_busy_timeout (self->db, 2000);
  idle_statements_add_connection (self->db);

  /* WAL: a committed transaction survives the process being killed;
   * synchronous=FULL adds an fsync per commit so it survives power loss too. */
  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = FULL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error))
    return NULL;

  /* Changes are read from here on (rl_store_sqlite_read_changes). */
  self->data_version_stmt = prepare (self, "PRAGMA data_version");
  self->data_version = read_data_version (self);
  self->change_cursor = last_change (self);

  return RL_STORE (g_steal_pointer (&self));
}

/* ---- tenants and users ------------------------------------------------------ */

static gboolean
rl_store_sqlite_add_tenant (RlStore     *store,
                            const char  *tenant,
                            GError     **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = NULL;

  stmt = prepare_with (self, SQL_ADD_TENANT, tenant, NULL);
  sqlite3_bind_int64 (stmt, 2, rl_time_now_ms ());
  return step_done (self, stmt, error);
}

static gboolean
rl_store_sqlite_has_tenant (RlStore    *store,
                            const char *tenant)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare_with (self, SQL_HAS_TENANT, tenant, NULL);

  return sqlite3_step (stmt) == SQLITE_ROW;
}

static gboolean
rl_store_sqlite_add_user (RlStore     *store,
                          const char  *tenant,
                          const char  *id,
                          const char  *name,
                          RlRole       role,
                          GBytes      *hash,
                          GError     **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = NULL;
  gsize hash_len;
  const guint8 *hash_data = g_bytes_get_data (hash, &hash_len);

  stmt = prepare (self, SQL_ADD_USER);
  sqlite3_bind_text (stmt, 1, tenant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, rl_role_to_string (role), -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 5, hash_data, (int) hash_len, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, rl_time_now_ms ());
  return step_done (self, stmt, error);
}

static RlPrincipal *
rl_store_sqlite_authenticate (RlStore    *store,
                              const char *token)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = NULL;
  g_autoptr(GBytes) hash = NULL;
  g_autofree char *id = NULL;
  const char *secret = NULL;
  const guint8 *stored;
  RlPrincipal *principal;

  id = rl_store_split_token (token, &secret);
  if (id == NULL)
    return NULL;
  hash = rl_store_hash_secret (secret);

  stmt = prepare_with (self, SQL_AUTHENTICATE, id, NULL);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  stored = sqlite3_column_blob (stmt, 3);
  if (sqlite3_column_bytes (stmt, 3) != (int) g_bytes_get_size (hash) ||
      !rl_store_hash_equal (stored, g_bytes_get_data (hash, NULL), g_bytes_get_size (hash)))
    return NULL;

  principal = g_new0 (RlPrincipal, 1);
  principal->tenant = column_dup (stmt, 0);
  principal->user.id = g_steal_pointer (&id);
  principal->user.name = column_dup (stmt, 1);
  if (!rl_role_from_string ((const char *) sqlite3_column_text (stmt, 2), &principal->role))
    principal->role = RL_ROLE_VIEWER;
  principal->token_generation = sqlite3_column_int64 (stmt, 4);
  return principal;
}

/* ---- documents ------------------------------------------------------------- */

static gboolean
rl_store_sqlite_add_document (RlStore           *store,
                              const char        *tenant,
                              const RlDocument  *doc,
                              GError           **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = NULL;

  stmt = prepare (self, SQL_ADD_DOCUMENT);
  sqlite3_bind_text (stmt, 1, tenant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, doc->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, rl_doc_kind_to_string (doc->kind), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, doc->title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, doc->mime, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, doc->size);
  sqlite3_bind_int (stmt, 7, doc->width);
  sqlite3_bind_int (stmt, 8, doc->height);
  sqlite3_bind_int64 (stmt, 9, doc->created_at);
  sqlite3_bind_text (stmt, 10, doc->created_by.id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, doc->created_by.name, -1, SQLITE_TRANSIENT);
  return step_done (self, stmt, error);
}

static gboolean
rl_store_sqlite_insert_revision (RlStore           *store,
                                 const char        *tenant,
                                 const char        *doc,
                                 const RlRevision  *revision,
                                 GBytes            *content,
                                 const char        *text_model,
                                 GError           **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) insert = NULL;
  g_autoptr(Stmt) latest = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (content, &size);

  insert = prepare_with (self, SQL_INSERT_REVISION, tenant, doc, NULL);
  sqlite3_bind_int64 (insert, 3, revision->revision);
  sqlite3_bind_text (insert, 4, revision->mime, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 5, revision->size);
  sqlite3_bind_int (insert, 6, revision->width);
  sqlite3_bind_int (insert, 7, revision->height);
  sqlite3_bind_text (insert, 8, revision->etag, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 9, revision->created_at);
  sqlite3_bind_text (insert, 10, revision->created_by.id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 11, revision->created_by.name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob64 (insert, 12, size ? data : (const void *) "", size, SQLITE_STATIC);
  if (text_model != NULL)
    sqlite3_bind_text (insert, 13, text_model, -1, SQLITE_TRANSIENT);
  latest = prepare_with (self, SQL_LATEST_REVISION, tenant, doc, NULL);
  sqlite3_bind_int64 (latest, 3, revision->revision);
  sqlite3_bind_text (latest, 4, revision->mime, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (latest, 5, revision->size);
  sqlite3_bind_int (latest, 6, revision->width);
  sqlite3_bind_int (latest, 7, revision->height);
  sqlite3_bind_text (latest, 8, revision->etag, -1, SQLITE_TRANSIENT);
  return step_done (self, insert, error) && step_done (self, latest, error);
}

/* ?1 the tenant, NULL for every tenant's. */
static const char *const list_sql[] = {
  [RL_STORE_LIST_DOCUMENTS] = "SELECT " DOC_COLUMNS " FROM documents WHERE tenant = ?1 ORDER BY rowid",
  [RL_STORE_LIST_USERS] = "SELECT tenant, id, name, role, created_at, revoked_at FROM users"
                          " WHERE ?1 IS NULL OR tenant = ?1 ORDER BY tenant, rowid",
  [RL_STORE_LIST_DOCUMENT_INFOS] = "SELECT " DOC_COLUMNS ", tenant, head_seq,"
                                   " (SELECT COUNT (*) FROM threads t WHERE t.tenant = d.tenant AND t.doc = d.id)"
                                   " FROM documents d WHERE ?1 IS NULL OR tenant = ?1 ORDER BY tenant, rowid",
};

static GPtrArray *
rl_store_sqlite_list_rows (RlStore         *store,
                           RlStoreList      list,
                           const char      *tenant,
                           RlStoreFromRow   from_row,
                           GDestroyNotify   free_func)
{
  g_autoptr(Stmt) stmt = prepare_with (RL_STORE_SQLITE (store), list_sql[list], tenant, NULL);
  GPtrArray *records = g_ptr_array_new_with_free_func (free_func);

  if (tenant == NULL)
    sqlite3_bind_null (stmt, 1);
  rl_store_add_records_from_rows (records, ROW (stmt), from_row);
  return records;
}

static RlDocument *
rl_store_sqlite_get_document (RlStore    *store,
                              const char *tenant,
                              const char *doc)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare_with (self, SQL_GET_DOCUMENT, tenant, doc, NULL);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return rl_store_document_from_row (ROW (stmt));
}

static GPtrArray *
rl_store_sqlite_get_revisions (RlStore    *store,
                               const char *tenant,
                               const char *doc,
                               gint64      revision)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) exists = prepare_with (self, "SELECT 1 FROM documents WHERE tenant = ? AND id = ?",
                                         tenant, doc, NULL);
  g_autoptr(Stmt) stmt = NULL;
  GPtrArray *revisions;

  if (sqlite3_step (exists) != SQLITE_ROW)
    return NULL;
  stmt = prepare_with (self, "SELECT " REVISION_COLUMNS " FROM revisions WHERE tenant = ?1 AND doc = ?2"
                             " AND (?3 = 0 OR revision = ?3) ORDER BY revision", tenant, doc, NULL);
  sqlite3_bind_int64 (stmt, 3, revision);
  revisions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_revision_free);
  rl_store_add_records_from_rows (revisions, ROW (stmt), (RlStoreFromRow) rl_store_revision_from_row);
  return revisions;
}

static GBytes *
rl_store_sqlite_get_revision_content (RlStore     *store,
                                      const char  *tenant,
                                      const char  *doc,
                                      gint64       revision,
                                      char       **etag)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare_with (self, "SELECT r.content, r.etag FROM revisions r JOIN documents d"
                                             " ON d.tenant = r.tenant AND d.id = r.doc"
                                             " WHERE r.tenant = ?1 AND r.doc = ?2"
                                             " AND r.revision = CASE ?3 WHEN 0 THEN d.revision ELSE ?3 END",
                                       tenant, doc, NULL);

  sqlite3_bind_int64 (stmt, 3, revision);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  if (etag)
    *etag = column_dup (stmt, 1);
  return g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
}

static char *
rl_store_sqlite_get_text_model (RlStore    *store,
                                const char *tenant,
                                const char *doc,
                                gint64      revision)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare_with (self, SQL_GET_TEXT_MODEL, tenant, doc, NULL);

  sqlite3_bind_int64 (stmt, 3, revision);
  return sqlite3_step (stmt) == SQLITE_ROW ? column_dup (stmt, 0) : NULL;
}

/* ---- threads ---------------------------------------------------------------- */

static gint64
rl_store_sqlite_get_head (RlStore    *store,
                          const char *tenant,
                          const char *doc)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare_with (self, SQL_GET_HEAD, tenant, doc, NULL);

  return sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

static GPtrArray *
rl_store_sqlite_read_threads (RlStore     *store,
                              const char  *tenant,
                              const char  *doc,
                              gboolean     with_comments,
                              GError     **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) threads = prepare_with (self, SQL_THREADS_OF_DOC, tenant, doc, NULL);
  g_autoptr(Stmt) placements = prepare_with (self, SQL_PLACEMENTS_OF_DOC, tenant, doc, NULL);
  g_autoptr(Stmt) comments = with_comments ? prepare_with (self, SQL_COMMENTS_OF_DOC ("rowid"), tenant, doc, NULL)
                                           : NULL;

  return rl_store_threads_from_rows (ROW (threads), ROW (placements), comments ? ROW (comments) : NULL, doc, error);
}

static GPtrArray *
rl_store_sqlite_events_since (RlStore    *store,
                              const char *tenant,
                              const char *doc,
                              gint64      since,
                              gint64     *head_seq)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) bounds = prepare_with (self, SQL_LOG_BOUNDS, tenant, doc, NULL);
  g_autoptr(Stmt) stmt = NULL;
  gint64 head = 0, unnumbered = 0, unrevisioned = 0;

  if (sqlite3_step (bounds) == SQLITE_ROW)
    {
      head = sqlite3_column_int64 (bounds, 0);
      unnumbered = sqlite3_column_int64 (bounds, 1);
      unrevisioned = sqlite3_column_int64 (bounds, 2);
    }
  if (head_seq)
    *head_seq = head;
  if (!rl_store_log_reaches (since, head, unnumbered, unrevisioned))
    return NULL;

  stmt = prepare_with (self, SQL_EVENTS_SINCE, tenant, doc, NULL);
  sqlite3_bind_int64 (stmt, 3, since);
  sqlite3_bind_int64 (stmt, 4, head);
  return rl_store_events_from_rows (ROW (stmt), since, head);
}

/* ---- mutations -------------------------------------------------------------- */

static const char *const read_sql[] = SQL_READS ("");

static const char *const write_sql[] = SQL_WRITES;

static gboolean
rl_store_sqlite_read_number (RlStore      *store,
                             RlStoreRead   read,
                             const char   *tenant,
                             const char   *id,
                             gint64       *value,
                             GError      **error)
{
  g_autoptr(Stmt) stmt = prepare_with (RL_STORE_SQLITE (store), read_sql[read], tenant, id, NULL);

  *value = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
rl_store_sqlite_write_row (RlStore       *store,
                           RlStoreWrite   write,
                           const char    *tenant,
                           const char    *id,
                           GVariant      *value,
                           GError       **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(GVariant) owned = value ? g_variant_ref_sink (value) : NULL;
  g_autoptr(Stmt) stmt = prepare_with (self, write_sql[write], tenant, id, NULL);

  if (value == NULL)
    ;
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    sqlite3_bind_int (stmt, 3, g_variant_get_boolean (value) ? 1 : 0);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    sqlite3_bind_int64 (stmt, 3, g_variant_get_int64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    sqlite3_bind_text (stmt, 3, g_variant_get_string (value, NULL), -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_blob (stmt, 3, g_variant_get_data (value), (int) g_variant_get_size (value), SQLITE_TRANSIENT);
  return step_done (self, stmt, error);
}

static gboolean
rl_store_sqlite_insert_thread (RlStore         *store,
                               const char      *tenant,
                               const RlThread  *thread,
                               const char      *anchor_json,
                               GError         **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare (self, SQL_INSERT_THREAD);

  sqlite3_bind_text (stmt, 1, tenant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, thread->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, thread->doc, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, anchor_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, thread->created_by.id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, thread->created_by.name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, thread->created_at);
  sqlite3_bind_int64 (stmt, 8, thread->updated_at);
  sqlite3_bind_int64 (stmt, 9, thread->number);
  sqlite3_bind_int64 (stmt, 10, thread->revision);
  return step_done (self, stmt, error);
}

static gboolean
rl_store_sqlite_write_placement (RlStore                 *store,
                                 const char              *tenant,
                                 const char              *doc,
                                 const char              *thread,
                                 const RlRevisionAnchor  *placement,
                                 const char              *anchor_json,
                                 GError                 **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare_with (self, SQL_WRITE_PLACEMENT, tenant, doc, thread, NULL);

  sqlite3_bind_int64 (stmt, 4, placement->revision);
  if (anchor_json != NULL)
    sqlite3_bind_text (stmt, 5, anchor_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, rl_placement_status_to_string (placement->status), -1, SQLITE_STATIC);
  sqlite3_bind_double (stmt, 7, placement->score);
  if (placement->by.id != NULL)
    {
      sqlite3_bind_text (stmt, 8, placement->by.id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 9, placement->by.name, -1, SQLITE_TRANSIENT);
    }
  return step_done (self, stmt, error);
}

static gboolean
rl_store_sqlite_read_placement (RlStore            *store,
                                const char         *tenant,
                                const char         *thread,
                                gint64              revision,
                                RlRevisionAnchor  **placement,
                                GError            **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare_with (self, SQL_READ_PLACEMENT, tenant, thread, NULL);
  int rc;

  sqlite3_bind_int64 (stmt, 3, revision);
  *placement = NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *placement = rl_store_placement_from_row (ROW (stmt));
  else if (rc != SQLITE_DONE)
    return set_db_error (self, error);
  return TRUE;
}

static gboolean
rl_store_sqlite_insert_comment (RlStore          *store,
                                const char       *tenant,
                                const RlComment  *comment,
                                GError          **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare (self, SQL_INSERT_COMMENT);

  sqlite3_bind_text (stmt, 1, tenant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, comment->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, comment->thread, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, comment->author.id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, comment->author.name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, comment->body, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, comment->created_at);
  return step_done (self, stmt, error);
}

static gboolean
rl_store_sqlite_lookup_thread (RlStore     *store,
                               const char  *tenant,
                               const char  *doc,
                               const char  *thread,
                               char       **owner,
                               GError     **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare_with (self, SQL_LOOKUP_THREAD, tenant, doc, thread, NULL);

  *owner = sqlite3_step (stmt) == SQLITE_ROW ? column_dup (stmt, 0) : NULL;
  return TRUE;
}

static gboolean
rl_store_sqlite_lookup_comment (RlStore     *store,
                                const char  *tenant,
                                const char  *thread,
                                const char  *comment_id,
                                RlComment  **comment,
                                gboolean    *first,
                                GError     **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) find = prepare_with (self, SQL_LOOKUP_COMMENT ("rowid"), tenant, thread, comment_id, NULL);

  if (sqlite3_step (find) != SQLITE_ROW)
    return TRUE;
  *comment = rl_store_comment_from_row (ROW (find));
  *first = sqlite3_column_int (find, 8) != 0;
  return TRUE;
}

static gboolean
rl_store_sqlite_update_comment (RlStore          *store,
                                const char       *tenant,
                                const RlComment  *comment,
                                GError          **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare (self, SQL_UPDATE_COMMENT);

  sqlite3_bind_text (stmt, 1, comment->body, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, comment->edited_at);
  sqlite3_bind_text (stmt, 3, tenant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, comment->id, -1, SQLITE_TRANSIENT);
  return step_done (self, stmt, error);
}

static gboolean
rl_store_sqlite_append_event (RlStore     *store,
                              const char  *tenant,
                              const char  *doc,
                              gint64       seq,
                              const char  *serialized,
                              GError     **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) head = prepare_with (self, SQL_SET_HEAD, tenant, doc, NULL);
  g_autoptr(Stmt) insert = prepare_with (self, SQL_APPEND_EVENT, tenant, doc, NULL);

  sqlite3_bind_int64 (head, 3, seq);
  sqlite3_bind_int64 (insert, 3, seq);
  sqlite3_bind_text (insert, 4, serialized, -1, SQLITE_TRANSIENT);
  return step_done (self, head, error) && step_done (self, insert, error);
}

static const char *const query_sql[] = SQL_QUERIES;

static gboolean
rl_store_sqlite_run_query (RlStore         *store,
                           RlStoreQuery     query,
                           GVariant        *params,
                           RlStoreFromRow   from_row,
                           GDestroyNotify   free_func,
                           GPtrArray      **records,
                           GError         **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(GVariant) owned = g_variant_ref_sink (params);
  g_autoptr(Stmt) stmt = prepare (self, query_sql[query]);
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  for (gsize i = 0; i < g_variant_n_children (params); i++)
    {
      g_autoptr(GVariant) value = g_variant_get_child_value (params, i);

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        sqlite3_bind_int (stmt, (int) i + 1, g_variant_get_boolean (value) ? 1 : 0);
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        sqlite3_bind_int64 (stmt, (int) i + 1, g_variant_get_int64 (value));
      else
        sqlite3_bind_text (stmt, (int) i + 1, g_variant_get_string (value, NULL), -1, SQLITE_TRANSIENT);
    }
  if (from_row == NULL)
    return step_done (self, stmt, error);

  rows = g_ptr_array_new_with_free_func (free_func);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (ROW (stmt)));
  if (rc != SQLITE_DONE)
    return set_db_error (self, error);
  *records = g_steal_pointer (&rows);
  return TRUE;
}

static RlStore *
rl_store_sqlite_open_writer (RlStore  *store,
                             GError  **error)
{
  return rl_store_sqlite_open (RL_STORE_SQLITE (store)->path, error);
}

/* BEGIN IMMEDIATE: the write lock from the start, so a transaction never
 * fails midway for want of it. */
static const char *const step_sql[] = {
  [RL_STORE_STEP_BEGIN] = "BEGIN IMMEDIATE",
  [RL_STORE_STEP_COMMIT] = "COMMIT",
  [RL_STORE_STEP_ROLLBACK] = "ROLLBACK",
  [RL_STORE_STEP_SAVEPOINT] = "SAVEPOINT apply",
  [RL_STORE_STEP_ROLLBACK_TO_SAVEPOINT] = "ROLLBACK TO apply",
  [RL_STORE_STEP_RELEASE_SAVEPOINT] = "RELEASE apply",
  [RL_STORE_STEP_BEGIN_READ] = "SAVEPOINT read",
  [RL_STORE_STEP_END_READ] = "RELEASE read",
};

static gboolean
rl_store_sqlite_transaction_step (RlStore      *store,
                                  RlStoreStep   step,
                                  GError      **error)
{
  return exec (RL_STORE_SQLITE (store), step_sql[step], error);
}

/* ---- usage ------------------------------------------------------------------- */

static void
rl_store_sqlite_add_usage (RlStore    *store,
                           const char *tenant,
                           guint64     messages,
                           guint64     bytes)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare (self, "INSERT INTO usage (tenant, messages, bytes) VALUES (?1, ?2, ?3)"
                                        " ON CONFLICT (tenant) DO UPDATE SET messages = messages + ?2,"
                                        " bytes = bytes + ?3");

  sqlite3_bind_text (stmt, 1, tenant, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) messages);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) bytes);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("could not record usage: %s", sqlite3_errmsg (self->db));
}

static void
rl_store_sqlite_get_usage (RlStore    *store,
                           const char *tenant,
                           guint64    *messages,
                           guint64    *bytes)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare_with (self, SQL_GET_USAGE, tenant, NULL);

  *messages = *bytes = 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *messages = (guint64) sqlite3_column_int64 (stmt, 0);
      *bytes = (guint64) sqlite3_column_int64 (stmt, 1);
    }
}

/* ---- administration ------------------------------------------------------------ */

/* Inside the caller's transaction, so a serving process sees the change and
 * the note of it together. */
static gboolean
rl_store_sqlite_note_change (RlStore            *store,
                             RlStoreChangeKind   kind,
                             const char         *tenant,
                             const char         *subject,
                             GError            **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) insert = prepare_with (self, SQL_NOTE_CHANGE, rl_store_change_kind_to_string (kind), tenant,
                                         subject, NULL);
  g_autoptr(Stmt) prune = prepare (self, SQL_PRUNE_CHANGES);
  gint64 now = rl_time_now_ms ();

  sqlite3_bind_int64 (insert, 4, now);
  sqlite3_bind_int64 (prune, 1, now - RL_STORE_CHANGE_LOG_KEEP_MS);
  return step_done (self, insert, error) && step_done (self, prune, error);
}

static gboolean
rl_store_sqlite_remove_document (RlStore         *store,
                                 const char      *tenant,
                                 const char      *doc,
                                 RlStoreRemoval  *removed,
                                 GError         **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  const char *deletes[] = SQL_REMOVE_DOCUMENT_ROWS;
  gint64 uncounted[4];
  gint64 *counted[] = { &removed->comments, &removed->threads, &removed->events, &uncounted[0], &uncounted[1],
                        &uncounted[2], &uncounted[3] };
  g_autoptr(Stmt) row = prepare_with (self, SQL_REMOVE_DOCUMENT, tenant, doc, NULL);

  G_STATIC_ASSERT (G_N_ELEMENTS (deletes) == G_N_ELEMENTS (counted));
  if (!step_done (self, row, error))
    return FALSE;
  removed->documents = sqlite3_changes (self->db);
  for (guint i = 0; removed->documents > 0 && i < G_N_ELEMENTS (deletes); i++)
    {
      g_autoptr(Stmt) stmt = prepare_with (self, deletes[i], tenant, doc, NULL);

      if (!step_done (self, stmt, error))
        return FALSE;
      *counted[i] = sqlite3_changes (self->db);
    }
  return TRUE;
}

static gboolean
rl_store_sqlite_token_is_current (RlStore           *store,
                                  const RlPrincipal *who)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = prepare_with (self, SQL_TOKEN_IS_CURRENT, who->tenant, who->user.id, NULL);

  sqlite3_bind_int64 (stmt, 3, who->token_generation);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

static GPtrArray *
rl_store_sqlite_read_changes (RlStore *store)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autoptr(Stmt) stmt = NULL;
  gint64 version = read_data_version (self);

  /* Unchanged unless another connection committed: the usual answer, and
   * it reads nothing but the WAL index in shared memory. */
  if (version == self->data_version)
    return NULL;
  self->data_version = version;

  stmt = prepare (self, SQL_READ_CHANGES);
  sqlite3_bind_int64 (stmt, 1, self->change_cursor);
  return rl_store_changes_from_rows (ROW (stmt), &self->change_cursor);
}

/* ---- backup ------------------------------------------------------------------ */

/* Pages copied per step (1 MiB at SQLite's default page size). */
#define BACKUP_STEP_PAGES 256

static gboolean
set_backup_error (sqlite3     *db,
                  const char  *what,
                  const char  *path,
                  GError     **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: %s", what, path,
               db ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

static gboolean
fsync_path (const char  *path,
            gboolean     directory,
            GError     **error)
{
  int fd = g_open (path, (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC, 0);
  int saved;

  if (fd < 0 || fsync (fd) != 0)
    {
      saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot sync %s: %s",
                   path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Copies every page into a fresh database at tmp, all from one read
 * snapshot of the source. */
static gboolean
copy_to (RlStoreSqlite    *self,
         const char       *tmp,
         RlBackupProgress  progress,
         gpointer          user_data,
         gint64           *pages,
         GError          **error)
{
  sqlite3 *dest = NULL;
  sqlite3_backup *backup;
  Stmt *check = NULL;
  int rc;

  if (sqlite3_open_v2 (tmp, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      set_backup_error (dest, "cannot create", tmp, error);
      sqlite3_close (dest);
      return FALSE;
    }

  /* The read transaction pins one snapshot for every step below: a commit
   * by the server in between neither shows in the copy nor (as it would
   * without it) restarts the copy, and in WAL mode the server's writers
   * never wait for this reader. */
  if (!exec (self, "BEGIN", error) || !exec (self, "SELECT COUNT (*) FROM sqlite_schema", error))
    {
      exec (self, "ROLLBACK", NULL);
      sqlite3_close (dest);
      return FALSE;
    }

  backup = sqlite3_backup_init (dest, "main", self->db, "main");
  if (backup == NULL)
    {
      exec (self, "ROLLBACK", NULL);
      set_backup_error (dest, "cannot back up to", tmp, error);
      sqlite3_close (dest);
      return FALSE;
    }
  do
    {
      rc = sqlite3_backup_step (backup, BACKUP_STEP_PAGES);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        sqlite3_sleep (10);
      if (progress && (rc == SQLITE_OK || rc == SQLITE_DONE))
        progress (sqlite3_backup_pagecount (backup) - sqlite3_backup_remaining (backup),
                  sqlite3_backup_pagecount (backup), user_data);
    }
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  *pages = sqlite3_backup_pagecount (backup);
  sqlite3_backup_finish (backup);
  exec (self, "COMMIT", NULL);

  if (rc != SQLITE_DONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the backup failed: %s", sqlite3_errstr (rc));
      sqlite3_close (dest);
      return FALSE;
    }

  /* One self-contained file (the copied header says WAL), checked. */
  if (sqlite3_exec (dest, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (dest, "PRAGMA quick_check", -1, &check, NULL) != SQLITE_OK ||
      sqlite3_step (check) != SQLITE_ROW ||
      g_strcmp0 ((const char *) sqlite3_column_text (check, 0), "ok") != 0)
    {
      set_backup_error (dest, "the copy failed its check:", tmp, error);
      g_clear_pointer (&check, sqlite3_finalize);
      sqlite3_close (dest);
      return FALSE;
    }
  g_clear_pointer (&check, sqlite3_finalize);
  if (sqlite3_close (dest) != SQLITE_OK)
    return set_backup_error (NULL, "cannot close", tmp, error);
  return TRUE;
}

static gboolean
rl_store_sqlite_backup (RlStore           *store,
                        const char        *path,
                        gboolean           replace,
                        RlBackupProgress   progress,
                        gpointer           user_data,
                        gint64            *bytes,
                        GError           **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = NULL;
  gint64 pages = 0;
  GStatBuf st;

  if (g_stat (path, &st) == 0)
    {
      const char *source = sqlite3_db_filename (self->db, "main");
      GStatBuf own;

      /* --force must not replace the very file being served. */
      if (source && g_stat (source, &own) == 0 && own.st_dev == st.st_dev && own.st_ino == st.st_ino)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s is the database itself", path);
          return FALSE;
        }
      if (!replace)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s already exists", path);
          return FALSE;
        }
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no directory %s", dir);
      return FALSE;
    }

  /* Written beside it, then renamed: PATH is a whole backup or absent. */
  tmp = g_strdup_printf ("%s/.%s.%08x.tmp", dir, base, g_random_int ());
  if (!copy_to (self, tmp, progress, user_data, &pages, error) ||
      !fsync_path (tmp, FALSE, error))
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write %s: %s",
                   path, g_strerror (saved));
      return FALSE;
    }
  if (!fsync_path (dir, TRUE, error))
    return FALSE;
  if (bytes)
    *bytes = g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
  return TRUE;
}

/* ---- export ------------------------------------------------------------------- */

#define TEXT(stmt, column) ((const char *) sqlite3_column_text ((stmt), (column)))

/* A record's text travels as a GVariant string and PostgreSQL's text: UTF-8
 * without NUL, which the store wrote, but a file may hold anything.
 * nullable: a bit for each column that may be NULL (a maybe). */
static gboolean
row_is_utf8_or_null (Stmt        *stmt,
                     const char  *what,
                     guint        nullable,
                     GError     **error)
{
  for (int i = 0; i < sqlite3_column_count (stmt); i++)
    {
      const char *text;

      if (sqlite3_column_type (stmt, i) == SQLITE_NULL && (nullable & (1u << i)) != 0)
        continue;
      if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
        {
          g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "%s has no %s", what, sqlite3_column_name (stmt, i));
          return FALSE;
        }
      if (sqlite3_column_type (stmt, i) != SQLITE_TEXT)
        continue;
      text = TEXT (stmt, i);
      if (!g_utf8_validate (text, sqlite3_column_bytes (stmt, i), NULL))
        {
          g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "%s has a %s that is not UTF-8 text", what,
                       sqlite3_column_name (stmt, i));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
row_is_utf8 (Stmt        *stmt,
             const char  *what,
             GError     **error)
{
  return row_is_utf8_or_null (stmt, what, 0, error);
}

static GVariant *
column_bytestring (Stmt *stmt,
                   int   column)
{
  /* The blob first, then its size (SQLite's order). */
  const void *data = sqlite3_column_blob (stmt, column);
  g_autoptr(GBytes) bytes = g_bytes_new (data, sqlite3_column_bytes (stmt, column));

  return g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE);
}

static gboolean
hand_over (RlStoreRecordFunc   func,
           gpointer            user_data,
           RlStoreRecordKind   kind,
           GVariant           *record,
           GError            **error)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (record);

  g_assert (g_variant_is_of_type (owned, rl_store_record_type (kind)));
  return func (kind, owned, user_data, error);
}

static gboolean
step_finished (RlStoreSqlite  *self,
               int             rc,
               GError        **error)
{
  return rc == SQLITE_DONE || set_db_error (self, error);
}

/* A document's threads, their comments and its event log. */
static gboolean
export_document_rows (RlStoreSqlite      *self,
                      const char         *tenant,
                      const char         *doc,
                      RlStoreRecordFunc   func,
                      gpointer            user_data,
                      GError            **error)
{
  g_autoptr(Stmt) revisions = NULL;
  g_autoptr(Stmt) threads = NULL;
  g_autoptr(Stmt) comments = NULL;
  g_autoptr(Stmt) placements = NULL;
  g_autoptr(Stmt) events = NULL;
  g_autoptr(Stmt) mentions = NULL;
  int rc;

  revisions = prepare_with (self, "SELECT tenant, doc, revision, mime, size, width, height, etag, content,"
                                  " text_model, created_at, created_by_id, created_by_name FROM revisions"
                                  " WHERE tenant = ? AND doc = ? ORDER BY revision", tenant, doc, NULL);
  while ((rc = sqlite3_step (revisions)) == SQLITE_ROW)
    {
      GVariant *content;

      if (!row_is_utf8_or_null (revisions, "a revision", 1u << 9, error))
        return FALSE;
      content = column_bytestring (revisions, 8);
      if (!hand_over (func, user_data, RL_STORE_RECORD_REVISION,
                      g_variant_new ("(ssxsxiis@aymsxss)", TEXT (revisions, 0), TEXT (revisions, 1),
                                     sqlite3_column_int64 (revisions, 2), TEXT (revisions, 3),
                                     sqlite3_column_int64 (revisions, 4), sqlite3_column_int (revisions, 5),
                                     sqlite3_column_int (revisions, 6), TEXT (revisions, 7), content,
                                     TEXT (revisions, 9), sqlite3_column_int64 (revisions, 10),
                                     TEXT (revisions, 11), TEXT (revisions, 12)),
                      error))
        return FALSE;
    }
  if (!step_finished (self, rc, error))
    return FALSE;

  threads = prepare_with (self, "SELECT tenant, id, doc, anchor, resolved, created_by_id, created_by_name,"
                                " created_at, updated_at, number, revision FROM threads"
                                " WHERE tenant = ? AND doc = ? ORDER BY number", tenant, doc, NULL);
  while ((rc = sqlite3_step (threads)) == SQLITE_ROW)
    if (!row_is_utf8 (threads, "a thread", error) ||
        !hand_over (func, user_data, RL_STORE_RECORD_THREAD,
                    g_variant_new ("(ssssbssxxxx)", TEXT (threads, 0), TEXT (threads, 1), TEXT (threads, 2),
                                   TEXT (threads, 3), sqlite3_column_int (threads, 4) != 0, TEXT (threads, 5),
                                   TEXT (threads, 6), sqlite3_column_int64 (threads, 7),
                                   sqlite3_column_int64 (threads, 8), sqlite3_column_int64 (threads, 9),
                                   sqlite3_column_int64 (threads, 10)),
                    error))
      return FALSE;
  if (!step_finished (self, rc, error))
    return FALSE;

  /* In the order they were added: a thread's first comment first. */
  comments = prepare_with (self, "SELECT c.tenant, c.id, c.thread, c.author_id, c.author_name, c.body,"
                                 " c.created_at, c.edited_at, c.seq FROM comments c"
                                 " JOIN threads t ON t.tenant = c.tenant AND t.id = c.thread"
                                 " WHERE t.tenant = ? AND t.doc = ? ORDER BY c.rowid", tenant, doc, NULL);
  while ((rc = sqlite3_step (comments)) == SQLITE_ROW)
    if (!row_is_utf8 (comments, "a comment", error) ||
        !hand_over (func, user_data, RL_STORE_RECORD_COMMENT,
                    g_variant_new ("(ssssssxxx)", TEXT (comments, 0), TEXT (comments, 1), TEXT (comments, 2),
                                   TEXT (comments, 3), TEXT (comments, 4), TEXT (comments, 5),
                                   sqlite3_column_int64 (comments, 6), sqlite3_column_int64 (comments, 7),
                                   sqlite3_column_int64 (comments, 8)),
                    error))
      return FALSE;
  if (!step_finished (self, rc, error))
    return FALSE;

  placements = prepare_with (self, "SELECT tenant, doc, thread, revision, anchor, status, score, by_id, by_name"
                                   " FROM placements WHERE tenant = ? AND doc = ? ORDER BY revision, rowid",
                             tenant, doc, NULL);
  while ((rc = sqlite3_step (placements)) == SQLITE_ROW)
    if (!row_is_utf8_or_null (placements, "a placement", (1u << 4) | (1u << 7) | (1u << 8), error) ||
        !hand_over (func, user_data, RL_STORE_RECORD_PLACEMENT,
                    g_variant_new ("(sssxmssdmsms)", TEXT (placements, 0), TEXT (placements, 1),
                                   TEXT (placements, 2), sqlite3_column_int64 (placements, 3),
                                   TEXT (placements, 4), TEXT (placements, 5),
                                   sqlite3_column_double (placements, 6), TEXT (placements, 7),
                                   TEXT (placements, 8)),
                    error))
      return FALSE;
  if (!step_finished (self, rc, error))
    return FALSE;

  events = prepare_with (self, "SELECT tenant, doc, seq, payload FROM events WHERE tenant = ? AND doc = ?"
                               " ORDER BY seq", tenant, doc, NULL);
  while ((rc = sqlite3_step (events)) == SQLITE_ROW)
    if (!row_is_utf8 (events, "a logged event", error) ||
        !hand_over (func, user_data, RL_STORE_RECORD_EVENT,
                    g_variant_new ("(ssxs)", TEXT (events, 0), TEXT (events, 1), sqlite3_column_int64 (events, 2),
                                   TEXT (events, 3)),
                    error))
      return FALSE;
  if (!step_finished (self, rc, error))
    return FALSE;

  mentions = prepare_with (self, "SELECT tenant, doc, thread, comment, user_id, start_at, end_at FROM mentions"
                                 " WHERE tenant = ? AND doc = ? ORDER BY comment, start_at", tenant, doc, NULL);
  while ((rc = sqlite3_step (mentions)) == SQLITE_ROW)
    if (!row_is_utf8 (mentions, "a mention", error) ||
        !hand_over (func, user_data, RL_STORE_RECORD_MENTION,
                    g_variant_new ("(sssssxx)", TEXT (mentions, 0), TEXT (mentions, 1), TEXT (mentions, 2),
                                   TEXT (mentions, 3), TEXT (mentions, 4), sqlite3_column_int64 (mentions, 5),
                                   sqlite3_column_int64 (mentions, 6)),
                    error))
      return FALSE;
  return step_finished (self, rc, error);
}

static gboolean
export_all (RlStoreSqlite      *self,
            RlStoreRecordFunc   func,
            gpointer            user_data,
            GError            **error)
{
  g_autoptr(Stmt) tenants = prepare (self, "SELECT id, created_at FROM tenants ORDER BY rowid");
  g_autoptr(Stmt) users = NULL;
  g_autoptr(Stmt) documents = NULL;
  g_autoptr(Stmt) read_marks = NULL;
  g_autoptr(Stmt) activity = NULL;
  g_autoptr(Stmt) usage = NULL;
  int rc;

  while ((rc = sqlite3_step (tenants)) == SQLITE_ROW)
    if (!row_is_utf8 (tenants, "a tenant", error) ||
        !hand_over (func, user_data, RL_STORE_RECORD_TENANT,
                    g_variant_new ("(sx)", TEXT (tenants, 0), sqlite3_column_int64 (tenants, 1)), error))
      return FALSE;
  if (!step_finished (self, rc, error))
    return FALSE;

  users = prepare (self, "SELECT tenant, id, name, role, token_hash, created_at, revoked_at, token_generation,"
                         " activity_seq FROM users ORDER BY rowid");
  while ((rc = sqlite3_step (users)) == SQLITE_ROW)
    {
      GVariant *hash;

      if (!row_is_utf8 (users, "a user", error))
        return FALSE;
      hash = column_bytestring (users, 4);
      if (!hand_over (func, user_data, RL_STORE_RECORD_USER,
                      g_variant_new ("(ssss@ayxxxx)", TEXT (users, 0), TEXT (users, 1), TEXT (users, 2),
                                     TEXT (users, 3), hash, sqlite3_column_int64 (users, 5),
                                     sqlite3_column_int64 (users, 6), sqlite3_column_int64 (users, 7),
                                     sqlite3_column_int64 (users, 8)),
                      error))
        return FALSE;
    }
  if (!step_finished (self, rc, error))
    return FALSE;

  documents = prepare (self, "SELECT tenant, id, kind, title, mime, size, width, height, created_at,"
                             " created_by_id, created_by_name, etag, head_seq, thread_numbers,"
                             " unnumbered_seq, revision, unrevisioned_seq FROM documents ORDER BY rowid");
  while ((rc = sqlite3_step (documents)) == SQLITE_ROW)
    if (!row_is_utf8 (documents, "a document", error) ||
        !hand_over (func, user_data, RL_STORE_RECORD_DOCUMENT,
                    g_variant_new ("(sssssxiixsssxxxxx)", TEXT (documents, 0), TEXT (documents, 1),
                                   TEXT (documents, 2), TEXT (documents, 3), TEXT (documents, 4),
                                   sqlite3_column_int64 (documents, 5), sqlite3_column_int (documents, 6),
                                   sqlite3_column_int (documents, 7), sqlite3_column_int64 (documents, 8),
                                   TEXT (documents, 9), TEXT (documents, 10), TEXT (documents, 11),
                                   sqlite3_column_int64 (documents, 12), sqlite3_column_int64 (documents, 13),
                                   sqlite3_column_int64 (documents, 14), sqlite3_column_int64 (documents, 15),
                                   sqlite3_column_int64 (documents, 16)),
                    error) ||
        !export_document_rows (self, TEXT (documents, 0), TEXT (documents, 1), func, user_data, error))
      return FALSE;
  if (!step_finished (self, rc, error))
    return FALSE;

  read_marks = prepare (self, "SELECT tenant, user_id, doc, thread, seq FROM read_marks"
                              " ORDER BY tenant, user_id, doc, thread");
  while ((rc = sqlite3_step (read_marks)) == SQLITE_ROW)
    if (!row_is_utf8 (read_marks, "a read marker", error) ||
        !hand_over (func, user_data, RL_STORE_RECORD_READ_MARK,
                    g_variant_new ("(ssssx)", TEXT (read_marks, 0), TEXT (read_marks, 1), TEXT (read_marks, 2),
                                   TEXT (read_marks, 3), sqlite3_column_int64 (read_marks, 4)),
                    error))
      return FALSE;
  if (!step_finished (self, rc, error))
    return FALSE;

  activity = prepare (self, "SELECT tenant, user_id, aseq, kind, payload FROM activity"
                            " ORDER BY tenant, user_id, aseq");
  while ((rc = sqlite3_step (activity)) == SQLITE_ROW)
    if (!row_is_utf8 (activity, "an activity item", error) ||
        !hand_over (func, user_data, RL_STORE_RECORD_ACTIVITY,
                    g_variant_new ("(ssxss)", TEXT (activity, 0), TEXT (activity, 1),
                                   sqlite3_column_int64 (activity, 2), TEXT (activity, 3), TEXT (activity, 4)),
                    error))
      return FALSE;
  if (!step_finished (self, rc, error))
    return FALSE;

  usage = prepare (self, "SELECT tenant, messages, bytes FROM usage ORDER BY tenant");
  while ((rc = sqlite3_step (usage)) == SQLITE_ROW)
    if (!row_is_utf8 (usage, "a tenant's usage", error) ||
        !hand_over (func, user_data, RL_STORE_RECORD_USAGE,
                    g_variant_new ("(stt)", TEXT (usage, 0), (guint64) sqlite3_column_int64 (usage, 1),
                                   (guint64) sqlite3_column_int64 (usage, 2)),
                    error))
      return FALSE;
  return step_finished (self, rc, error);
}

static gboolean
rl_store_sqlite_export_records (RlStore            *store,
                                RlStoreRecordFunc   func,
                                gpointer            user_data,
                                GError            **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);
  gboolean done;

  /* One read transaction: every record from one snapshot (a held one's,
   * when there is one), and in WAL mode a server committing meanwhile
   * never waits for it. */
  if (!exec (self, "SAVEPOINT export", error))
    return FALSE;
  done = export_all (self, func, user_data, error);
  exec (self, "RELEASE export", NULL);
  return done;
}

static gboolean
rl_store_sqlite_hold_snapshot (RlStore  *store,
                               GError  **error)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);

  /* A read starts the transaction's snapshot (BEGIN alone takes none). */
  if (!exec (self, "BEGIN", error) || !exec (self, "SELECT COUNT (*) FROM sqlite_schema", error))
    {
      exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

static void
rl_store_sqlite_release_snapshot (RlStore *store)
{
  RlStoreSqlite *self = RL_STORE_SQLITE (store);

  exec (self, "COMMIT", NULL);
}

/* ---- RlStore ------------------------------------------------------------------ */

static void
rl_store_sqlite_store_iface_init (RlStoreInterface *iface)
{
  iface->add_tenant = rl_store_sqlite_add_tenant;
  iface->has_tenant = rl_store_sqlite_has_tenant;
  iface->add_user = rl_store_sqlite_add_user;
  iface->authenticate = rl_store_sqlite_authenticate;
  iface->add_document = rl_store_sqlite_add_document;
  iface->list_rows = rl_store_sqlite_list_rows;
  iface->run_query = rl_store_sqlite_run_query;
  iface->get_document = rl_store_sqlite_get_document;
  iface->get_revisions = rl_store_sqlite_get_revisions;
  iface->get_revision_content = rl_store_sqlite_get_revision_content;
  iface->get_text_model = rl_store_sqlite_get_text_model;
  iface->read_threads = rl_store_sqlite_read_threads;
  iface->insert_revision = rl_store_sqlite_insert_revision;
  iface->write_placement = rl_store_sqlite_write_placement;
  iface->read_placement = rl_store_sqlite_read_placement;
  iface->get_head = rl_store_sqlite_get_head;
  iface->events_since = rl_store_sqlite_events_since;
  iface->transaction_step = rl_store_sqlite_transaction_step;
  iface->read_number = rl_store_sqlite_read_number;
  iface->write_row = rl_store_sqlite_write_row;
  iface->insert_thread = rl_store_sqlite_insert_thread;
  iface->insert_comment = rl_store_sqlite_insert_comment;
  iface->lookup_thread = rl_store_sqlite_lookup_thread;
  iface->lookup_comment = rl_store_sqlite_lookup_comment;
  iface->update_comment = rl_store_sqlite_update_comment;
  iface->append_event = rl_store_sqlite_append_event;
  iface->open_writer = rl_store_sqlite_open_writer;
  iface->add_usage = rl_store_sqlite_add_usage;
  iface->get_usage = rl_store_sqlite_get_usage;
  iface->remove_document = rl_store_sqlite_remove_document;
  iface->note_change = rl_store_sqlite_note_change;
  iface->token_is_current = rl_store_sqlite_token_is_current;
  iface->read_changes = rl_store_sqlite_read_changes;
  iface->backup = rl_store_sqlite_backup;
  iface->export_records = rl_store_sqlite_export_records;
  iface->hold_snapshot = rl_store_sqlite_hold_snapshot;
  iface->release_snapshot = rl_store_sqlite_release_snapshot;
}
