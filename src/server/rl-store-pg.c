/* rl-store-pg.c — RlStore on PostgreSQL (libpq, versioned schema)
 *
 * Every statement is prepared once per connection and run with its values
 * as parameters (content as binary bytea); nothing is built into SQL text.
 * The server is single-threaded, so the calls are synchronous; a lost
 * connection is made again without blocking the main loop (the operations
 * asked for meanwhile fail at once), except the committer's writer's, which
 * has a thread of its own and makes it again as it needs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-store-pg.h"

#include <libpq-fe.h>
#include <string.h>

#include "rl-error.h"
#include "rl-store-pg-dialer.h"
#include "rl-store-pg-listener.h"
#include "rl-store-pg-private.h"
#include "rl-store-private.h"
#include "rl-store-sql.h"
#include "rl-time.h"
#include "rl-uuid.h"

/* pg_advisory_xact_lock's key for schema migrations ("rdln"). */
#define MIGRATION_LOCK_KEY "1919183982"

#define MAX_PARAMS 17

/* A node says it is alive this often, and is dead after this long without
 * a word: any live node removes its viewers at its next heartbeat, so they
 * are gone from every count within 25 s of its death. */
#define HEARTBEAT_MS (5 * 1000)
#define DEAD_AFTER_MS (20 * 1000)

/* PostgreSQL refuses a notification's payload of 8000 bytes or more. */
#define NOTIFY_PAYLOAD_MAX 7999

struct _RlStorePg
{
  GObject            parent_instance;
  char              *conninfo;
  PGconn            *conn;
  GHashTable        *statements;     /* SQL text → prepared statement name, this connection's */
  guint              next_statement;
  gint64             change_cursor;  /* the last admin_changes seq read */
  gboolean           in_transaction; /* begun and not yet committed nor rolled back */
  gboolean           blocking;       /* a lost connection is made again by the next operation */
  RlPgDialer        *dialer;         /* makes a lost connection again; NULL until one is lost */

  /* Several nodes (rl_store_pg_watch_remote) */
  char              *node;           /* this node's name; NULL until watched */
  RlStoreRemoteFunc  remote_func;
  gpointer           remote_data;
  RlPgListener      *listener;
  guint              heartbeat_id;
  guint              heartbeat_ms;
  guint              dead_ms;
  gboolean           heartbeat_failing;  /* said once in the log, until it works again */
};

static void rl_store_pg_store_iface_init (RlStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RlStorePg, rl_store_pg, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RL_TYPE_STORE, rl_store_pg_store_iface_init))

/* Each entry moves the schema one version up; never edit a shipped one.
 * The same tables as the SQLite store's, so a deployment moves from one
 * to the other row by row; ord keeps insertion order (SQLite's rowid). */
static const char *migrations[] = {
  /* 1 */
  "CREATE TABLE tenants (id text PRIMARY KEY, created_at bigint NOT NULL);"
  "CREATE TABLE users (tenant text NOT NULL REFERENCES tenants (id), id text PRIMARY KEY,"
  "  name text NOT NULL, role text NOT NULL, token_hash bytea NOT NULL,"
  "  created_at bigint NOT NULL, revoked_at bigint NOT NULL DEFAULT 0,"
  "  token_generation bigint NOT NULL DEFAULT 0,"
  "  ord bigint GENERATED ALWAYS AS IDENTITY);"
  "CREATE TABLE documents (tenant text NOT NULL REFERENCES tenants (id), id text NOT NULL,"
  "  kind text NOT NULL, title text NOT NULL, mime text NOT NULL, size bigint NOT NULL,"
  "  width integer NOT NULL DEFAULT 0, height integer NOT NULL DEFAULT 0,"
  "  created_at bigint NOT NULL, created_by_id text NOT NULL, created_by_name text NOT NULL,"
  "  etag text NOT NULL, content bytea NOT NULL, head_seq bigint NOT NULL DEFAULT 0,"
  "  thread_numbers bigint NOT NULL DEFAULT 0, unnumbered_seq bigint NOT NULL DEFAULT 0,"
  "  ord bigint GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (tenant, id));"
  "CREATE TABLE threads (tenant text NOT NULL, id text NOT NULL, doc text NOT NULL,"
  "  anchor text NOT NULL, resolved boolean NOT NULL DEFAULT false,"
  "  created_by_id text NOT NULL, created_by_name text NOT NULL,"
  "  created_at bigint NOT NULL, updated_at bigint NOT NULL, number bigint NOT NULL,"
  "  PRIMARY KEY (tenant, id), UNIQUE (tenant, doc, number));"
  "CREATE TABLE comments (tenant text NOT NULL, id text NOT NULL, thread text NOT NULL,"
  "  author_id text NOT NULL, author_name text NOT NULL, body text NOT NULL,"
  "  created_at bigint NOT NULL, edited_at bigint NOT NULL DEFAULT 0,"
  "  ord bigint GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (tenant, id));"
  "CREATE INDEX comments_by_thread ON comments (tenant, thread, ord);"
  "CREATE TABLE events (tenant text NOT NULL, doc text NOT NULL, seq bigint NOT NULL,"
  "  payload text NOT NULL, PRIMARY KEY (tenant, doc, seq));"
  "CREATE TABLE usage (tenant text PRIMARY KEY, messages bigint NOT NULL DEFAULT 0,"
  "  bytes bigint NOT NULL DEFAULT 0);"
  /* Revocations, rotations and removals, for every serving node to read
   * (rl_store_pg_read_changes); written under a table lock, so seqs are
   * committed in order and a reader's cursor never skips one. */
  "CREATE TABLE admin_changes (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
  "  kind text NOT NULL, tenant text NOT NULL, subject text NOT NULL, at bigint NOT NULL);"
  "CREATE INDEX admin_changes_by_time ON admin_changes (at);",
  /* 2 */
  /* Who is viewing what on each live node. Unlogged: nothing here outlives
   * the nodes, so it costs no WAL, and a database crash empties it as it
   * should. seen_at is the database's clock, the one every node shares;
   * stamp is the transaction that last said the row; ord is the order
   * users started viewing in. A node's rows may outlive its row for a
   * moment (a node taken for dead), never for long: a heartbeat removes
   * them. */
  "CREATE UNLOGGED TABLE nodes (name text PRIMARY KEY, seen_at timestamptz NOT NULL);"
  "CREATE UNLOGGED TABLE viewers (node text NOT NULL, tenant text NOT NULL, doc text NOT NULL,"
  "  user_id text NOT NULL, user_name text NOT NULL, connections integer NOT NULL,"
  "  stamp bigint NOT NULL, ord bigint GENERATED ALWAYS AS IDENTITY,"
  "  PRIMARY KEY (node, tenant, doc, user_id));"
  "CREATE INDEX viewers_by_doc ON viewers (tenant, doc);",
  /* 3: revisions (the SQLite store's schema 4). A document's content is its
   * revisions' (the latest's metadata stays on the document for listings);
   * each thread has a placement on every revision from the one it was made
   * on. What was there becomes revision 1 (pages' text models are computed
   * after this script: fill_text_models), every thread made on it and
   * placed exactly at its anchor. The log's created and moved events up to
   * unrevisioned_seq carry no placements: a client that resyncs from there
   * gets a snapshot instead. */
  "CREATE TABLE revisions (tenant text NOT NULL, doc text NOT NULL, revision bigint NOT NULL,"
  "  mime text NOT NULL, size bigint NOT NULL, width integer NOT NULL DEFAULT 0,"
  "  height integer NOT NULL DEFAULT 0, etag text NOT NULL, content bytea NOT NULL, text_model text,"
  "  created_at bigint NOT NULL, created_by_id text NOT NULL, created_by_name text NOT NULL,"
  "  PRIMARY KEY (tenant, doc, revision));"
  "CREATE TABLE placements (tenant text NOT NULL, doc text NOT NULL, thread text NOT NULL,"
  "  revision bigint NOT NULL, anchor text, status text NOT NULL,"
  "  score double precision NOT NULL DEFAULT 0, by_id text, by_name text,"
  "  PRIMARY KEY (tenant, thread, revision));"
  "CREATE INDEX placements_by_doc ON placements (tenant, doc, revision);"
  "ALTER TABLE documents ADD COLUMN revision bigint NOT NULL DEFAULT 0,"
  "  ADD COLUMN unrevisioned_seq bigint NOT NULL DEFAULT 0;"
  "ALTER TABLE threads ADD COLUMN revision bigint NOT NULL DEFAULT 0;"
  "INSERT INTO revisions (tenant, doc, revision, mime, size, width, height, etag, content, created_at,"
  "  created_by_id, created_by_name) SELECT tenant, id, 1, mime, size, width, height, etag, content,"
  "  created_at, created_by_id, created_by_name FROM documents ORDER BY ord;"
  "UPDATE documents SET revision = 1, unrevisioned_seq = head_seq;"
  "UPDATE threads SET revision = 1;"
  "INSERT INTO placements (tenant, doc, thread, revision, anchor, status)"
  "  SELECT tenant, doc, id, 1, anchor, 'exact' FROM threads ORDER BY tenant, doc, number;"
  "ALTER TABLE documents DROP COLUMN content;",
  /* 4: unread, mentions and activity (the SQLite store's schema 5). A
   * comment keeps the seq of the event that created it: existing ones take
   * it from the log where it still holds that event, else 0 (never
   * unread). Each user counts their activity items (activity_seq, taken
   * under the user's row lock); their read state is a floor (thread '')
   * and markers above it per thread. */
  "ALTER TABLE comments ADD COLUMN seq bigint NOT NULL DEFAULT 0;"
  "ALTER TABLE users ADD COLUMN activity_seq bigint NOT NULL DEFAULT 0;"
  "CREATE TABLE mentions (tenant text NOT NULL, doc text NOT NULL, thread text NOT NULL,"
  "  comment text NOT NULL, user_id text NOT NULL, start_at bigint NOT NULL, end_at bigint NOT NULL,"
  "  PRIMARY KEY (tenant, comment, start_at));"
  "CREATE INDEX mentions_by_thread ON mentions (tenant, thread);"
  "CREATE INDEX mentions_by_doc ON mentions (tenant, doc);"
  "CREATE TABLE read_marks (tenant text NOT NULL, user_id text NOT NULL, doc text NOT NULL,"
  "  thread text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (tenant, user_id, doc, thread));"
  "CREATE TABLE activity (tenant text NOT NULL, user_id text NOT NULL, aseq bigint NOT NULL,"
  "  kind text NOT NULL, payload text NOT NULL, PRIMARY KEY (tenant, user_id, aseq));"
  "UPDATE comments c SET seq = s.seq FROM (SELECT tenant, comment, MAX (seq) AS seq FROM"
  "  (SELECT tenant, payload::jsonb #>> '{thread,comments,0,id}' AS comment, seq FROM events"
  "   WHERE payload::jsonb ->> 'type' IN ('new-image-chat', 'new-text-chat')"
  "   UNION ALL SELECT tenant, payload::jsonb #>> '{change,comment,id}', seq FROM events"
  "   WHERE payload::jsonb #>> '{change,kind}' = 'comment-added') e"
  "  GROUP BY tenant, comment) s WHERE c.tenant = s.tenant AND c.id = s.comment;",
};

/* ---- statements and their parameters ----------------------------------------- */

typedef PGresult Result;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Result, PQclear)

typedef struct
{
  int         n;
  const char *values[MAX_PARAMS];
  int         lengths[MAX_PARAMS];
  int         formats[MAX_PARAMS];
  char       *owned[MAX_PARAMS];
} Params;

/* Drops the parameters from the n-th on, for a statement that takes the
 * first n. */
static void
params_truncate (Params *params,
                 int     n)
{
  for (int i = n; i < params->n; i++)
    g_free (params->owned[i]);
  params->n = MIN (params->n, n);
}

static void
params_clear (Params *params)
{
  params_truncate (params, 0);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Params, params_clear)

/* NULL is SQL's NULL. */
static void
add_text (Params     *params,
          const char *value)
{
  g_assert (params->n < MAX_PARAMS);
  params->values[params->n] = value;
  params->lengths[params->n] = 0;
  params->formats[params->n] = 0;
  params->owned[params->n] = NULL;
  params->n++;
}

/* add_text () of each, up to a NULL (so for none that may be NULL). */
static void
add_texts (Params     *params,
           const char *first,
           ...)
{
  va_list args;

  va_start (args, first);
  for (const char *value = first; value != NULL; value = va_arg (args, const char *))
    add_text (params, value);
  va_end (args);
}

static void
add_int (Params *params,
         gint64  value)
{
  char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  add_text (params, text);
  params->owned[params->n - 1] = text;
}

static void
add_bytes (Params       *params,
           const guint8 *data,
           gsize         len)
{
  g_assert (params->n < MAX_PARAMS && len <= G_MAXINT);
  /* A NULL value would be SQL's NULL, not an empty value. */
  params->values[params->n] = len > 0 ? (const char *) data : "";
  params->lengths[params->n] = (int) len;
  params->formats[params->n] = 1;
  params->owned[params->n] = NULL;
  params->n++;
}

static void
add_double (Params *params,
            double  value)
{
  char *text = g_malloc (G_ASCII_DTOSTR_BUF_SIZE);

  /* Enough digits to read back as the same double. */
  add_text (params, g_ascii_dtostr (text, G_ASCII_DTOSTR_BUF_SIZE, value));
  params->owned[params->n - 1] = text;
}

static void
set_error_from (RlStorePg     *self,
                const Result  *result,
                GError       **error)
{
  const char *state = result ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  g_autofree char *message = g_strdup (result && *PQresultErrorMessage (result)
                                       ? PQresultErrorMessage (result) : PQerrorMessage (self->conn));

  g_strchomp (message);
  if (PQstatus (self->conn) != CONNECTION_OK)
    g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "lost the connection to PostgreSQL: %s", message);
  else if (state && g_str_has_prefix (state, "23"))
    /* integrity_constraint_violation: a unique key, as SQLite says it */
    g_set_error (error, RL_ERROR, RL_ERROR_CONFLICT, "that id is already taken");
  else
    g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "database error: %s", message);
}

/* The connection's parameters; what conninfo (expanded from dbname) says
 * overrides the defaults before it: a connection made blocking (at the
 * start, and the writer's again) gives up on a silent host after 5 s, and
 * keepalives find a connection whose peer vanished. */
static const char *const connect_keywords[] = {
  "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
  "dbname", "fallback_application_name", NULL,
};

static void
connect_values (const char  *conninfo,
                const char **values)
{
  const char *defaults[] = { "5", "1", "5", "3", "3", conninfo, "redline-server", NULL };

  G_STATIC_ASSERT (G_N_ELEMENTS (defaults) == G_N_ELEMENTS (connect_keywords));
  memcpy (values, defaults, sizeof defaults);
}

/* PostgreSQL's notices ("already exists, skipping") are not ours to print. */
static void
ignore_notice (void       *data,
               const char *message)
{
  g_debug ("PostgreSQL: %s", message);
}

/* A new connection in place of the lost one: nothing prepared on it yet. */
static void
replace_connection (RlStorePg *self,
                    PGconn    *conn)
{
  g_clear_pointer (&self->conn, PQfinish);
  self->conn = conn;
  PQsetNoticeProcessor (self->conn, ignore_notice, NULL);
  g_hash_table_remove_all (self->statements);
  self->in_transaction = FALSE;
}

static void
dialed (PGconn     *conn,
        const char *why,
        gpointer    user_data)
{
  RlStorePg *self = user_data;

  if (conn == NULL)
    {
      guint pause = rl_pg_dialer_redial (self->dialer);

      g_message ("cannot connect to PostgreSQL again (%s); trying again in %.1f s", why, pause / 1000.0);
      return;
    }
  replace_connection (self, conn);
  rl_pg_dialer_reset_backoff (self->dialer);
  g_message ("connected to PostgreSQL again");
}

/* Starts making the lost connection again, unless that is under way. */
static void
redial (RlStorePg *self)
{
  if (self->dialer == NULL)
    {
      const char *values[G_N_ELEMENTS (connect_keywords)];

      connect_values (self->conninfo, values);
      self->dialer = rl_pg_dialer_new (connect_keywords, values, dialed, self);
    }
  if (rl_pg_dialer_is_dialing (self->dialer))
    return;
  g_message ("the connection to PostgreSQL was lost; connecting again");
  rl_pg_dialer_dial (self->dialer);
}

/* A connection lost since the last operation is made again (its prepared
 * statements with it); one lost during an operation failed that one: inside
 * a transaction, nothing more runs (it would run outside it). On the main
 * loop, the new connection is made without waiting for it: until it is
 * there, every operation fails at once. */
static gboolean
ensure_connected (RlStorePg  *self,
                  GError    **error)
{
  if (PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;
  if (self->in_transaction)
    {
      set_error_from (self, NULL, error);
      return FALSE;
    }
  if (self->blocking)
    {
      g_message ("the connection to PostgreSQL was lost; connecting again");
      g_hash_table_remove_all (self->statements);
      PQreset (self->conn);
      if (PQstatus (self->conn) == CONNECTION_OK)
        return TRUE;
      set_error_from (self, NULL, error);
      return FALSE;
    }

  redial (self);
  g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "lost the connection to PostgreSQL; connecting again");
  return FALSE;
}

/* Runs sql (prepared on first use) with params; results in binary when
 * binary, else as text. NULL and error on failure. */
static Result *
run (RlStorePg  *self,
     const char *sql,
     Params     *params,
     gboolean    binary,
     GError    **error)
{
  const char *name;
  Result *result;

  /* PostgreSQL's text is UTF-8: bad input is refused here, not by the server. */
  for (int i = 0; params && i < params->n; i++)
    if (params->formats[i] == 0 && params->values[i] && !g_utf8_validate (params->values[i], -1, NULL))
      {
        g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "text that is not UTF-8");
        return NULL;
      }
  if (!ensure_connected (self, error))
    return NULL;

  name = g_hash_table_lookup (self->statements, sql);
  if (name == NULL)
    {
      g_autofree char *new_name = g_strdup_printf ("rl%u", self->next_statement++);
      g_autoptr(Result) prepared = PQprepare (self->conn, new_name, sql, 0, NULL);

      if (PQresultStatus (prepared) != PGRES_COMMAND_OK)
        {
          set_error_from (self, prepared, error);
          return NULL;
        }
      name = new_name;
      g_hash_table_insert (self->statements, (gpointer) sql, g_steal_pointer (&new_name));
    }

  result = PQexecPrepared (self->conn, name, params ? params->n : 0, params ? params->values : NULL,
                           params ? params->lengths : NULL, params ? params->formats : NULL, binary ? 1 : 0);
  if (PQresultStatus (result) == PGRES_COMMAND_OK || PQresultStatus (result) == PGRES_TUPLES_OK)
    return result;
  set_error_from (self, result, error);
  PQclear (result);
  /* Lost midway: the next operations need not wait for the new one. */
  if (PQstatus (self->conn) != CONNECTION_OK && !self->blocking)
    redial (self);
  return NULL;
}

/* run () for a statement whose rows are not needed. */
static gboolean
run_done (RlStorePg  *self,
          const char *sql,
          Params     *params,
          GError    **error)
{
  g_autoptr(Result) result = run (self, sql, params, FALSE, error);

  return result != NULL;
}

/* For the operations that have no error to return: the server's log. */
static void
warn (const char   *what,
      const GError *error)
{
  g_warning ("%s: %s", what, error->message);
}

/* run () for the operations that have no error to return: a failure is
 * said in the server's log (what could not be done) and is NULL. */
static Result *
query (RlStorePg  *self,
       const char *what,
       const char *sql,
       Params     *params,
       gboolean    binary)
{
  g_autoptr(GError) error = NULL;
  Result *result = run (self, sql, params, binary, &error);

  if (result == NULL)
    warn (what, error);
  return result;
}

/* query () for whether it finds a row. */
static gboolean
query_exists (RlStorePg  *self,
              const char *what,
              const char *sql,
              Params     *params)
{
  g_autoptr(Result) result = query (self, what, sql, params, FALSE);

  return result != NULL && PQntuples (result) > 0;
}

static char *
value_dup (const Result *result,
           int           row,
           int           column)
{
  return PQgetisnull (result, row, column) ? NULL : g_strdup (PQgetvalue (result, row, column));
}

static gint64
value_int (const Result *result,
           int           row,
           int           column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

static gboolean
value_bool (const Result *result,
            int           row,
            int           column)
{
  return PQgetvalue (result, row, column)[0] == 't';
}

/* The result's row, for the store-neutral *_from_row; next moves it on. */
typedef struct
{
  RlStoreRow    row;
  const Result *result;
  int           index;
} PgRow;

static gboolean
row_next (RlStoreRow  *row,
          GError     **error)
{
  PgRow *pg = (PgRow *) row;

  return ++pg->index < PQntuples (pg->result);
}

static const char *
row_text (const RlStoreRow *row,
          int               column)
{
  const PgRow *pg = (const PgRow *) row;

  return PQgetisnull (pg->result, pg->index, column) ? NULL : PQgetvalue (pg->result, pg->index, column);
}

static gint64
row_number (const RlStoreRow *row,
            int               column)
{
  return value_int (((const PgRow *) row)->result, ((const PgRow *) row)->index, column);
}

static gboolean
row_flag (const RlStoreRow *row,
          int               column)
{
  return value_bool (((const PgRow *) row)->result, ((const PgRow *) row)->index, column);
}

/* PostgreSQL (12 and later) writes a double in its shortest exact form. */
static double
row_real (const RlStoreRow *row,
          int               column)
{
  return g_ascii_strtod (PQgetvalue (((const PgRow *) row)->result, ((const PgRow *) row)->index, column), NULL);
}

#define ROW(result, index) (&(PgRow) { { row_next, row_text, row_number, row_flag, row_real }, (result), (index) }.row)
/* Before the result's first row: for rl_store_*_from_rows. */
#define ROWS(result) ROW (result, -1)

/* ---- transactions ------------------------------------------------------------------ */

/* Whatever is open is rolled back (nothing to do when the connection is
 * gone: the server rolled it back). */
static void
rollback (RlStorePg *self)
{
  g_autoptr(GError) error = NULL;

  if (PQstatus (self->conn) == CONNECTION_OK && PQtransactionStatus (self->conn) != PQTRANS_IDLE &&
      !run_done (self, "ROLLBACK", NULL, &error))
    g_debug ("ROLLBACK: %s", error->message);
  self->in_transaction = FALSE;
}

static gboolean
begin (RlStorePg  *self,
       const char *sql,
       GError    **error)
{
  if (!ensure_connected (self, error))
    return FALSE;
  /* Left open by an operation that failed midway? Never carried on. */
  rollback (self);
  if (!run_done (self, sql, NULL, error))
    return FALSE;
  self->in_transaction = TRUE;
  return TRUE;
}

static gboolean
commit (RlStorePg  *self,
        GError    **error)
{
  if (run_done (self, "COMMIT", NULL, error))
    {
      self->in_transaction = FALSE;
      return TRUE;
    }
  rollback (self);
  return FALSE;
}

static const char *const savepoint_sql[] = {
  [RL_STORE_STEP_SAVEPOINT] = "SAVEPOINT apply",
  [RL_STORE_STEP_ROLLBACK_TO_SAVEPOINT] = "ROLLBACK TO SAVEPOINT apply",
  [RL_STORE_STEP_RELEASE_SAVEPOINT] = "RELEASE SAVEPOINT apply",
};

/* A transaction is read committed: the writes lock the rows they read. */
static gboolean
rl_store_pg_transaction_step (RlStore      *store,
                              RlStoreStep   step,
                              GError      **error)
{
  RlStorePg *self = RL_STORE_PG (store);

  switch (step)
    {
    case RL_STORE_STEP_BEGIN:
      return begin (self, "BEGIN", error);
    case RL_STORE_STEP_COMMIT:
      return commit (self, error);
    case RL_STORE_STEP_BEGIN_READ:
      return begin (self, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", error);
    case RL_STORE_STEP_ROLLBACK:
    case RL_STORE_STEP_END_READ:   /* nothing to commit */
      rollback (self);
      return TRUE;
    default:
      return run_done (self, savepoint_sql[step], NULL, error);
    }
}

/* ---- object ------------------------------------------------------------------------ */

static void
rl_store_pg_finalize (GObject *object)
{
  RlStorePg *self = RL_STORE_PG (object);

  /* Nothing more is said for this node: the others take it for dead. */
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  g_clear_pointer (&self->listener, rl_pg_listener_free);
  g_clear_pointer (&self->dialer, rl_pg_dialer_free);
  g_clear_pointer (&self->node, g_free);
  g_clear_pointer (&self->conn, PQfinish);
  g_clear_pointer (&self->conninfo, g_free);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  G_OBJECT_CLASS (rl_store_pg_parent_class)->finalize (object);
}

static void
rl_store_pg_class_init (RlStorePgClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_store_pg_finalize;
}

static void
rl_store_pg_init (RlStorePg *self)
{
  self->heartbeat_ms = HEARTBEAT_MS;
  self->dead_ms = DEAD_AFTER_MS;
  /* Keys are the SQL literals of this file. */
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

/* Migration 3's page revisions get their text models from the server's
 * own reader (no SQL can compute them). */
static gboolean
fill_text_models (RlStorePg  *self,
                  GError    **error)
{
  g_autoptr(Result) pages = run (self, "SELECT r.tenant, r.doc, r.revision FROM revisions r JOIN documents d"
                                       " ON d.tenant = r.tenant AND d.id = r.doc"
                                       " WHERE d.kind = 'page' AND r.text_model IS NULL", NULL, FALSE, error);

  if (pages == NULL)
    return FALSE;
  for (int row = 0; row < PQntuples (pages); row++)
    {
      g_auto(Params) params = { 0 };
      g_autoptr(Result) page = NULL;
      g_autoptr(GBytes) content = NULL;
      g_autofree char *mime = NULL;
      g_autofree char *model = NULL;

      add_text (&params, PQgetvalue (pages, row, 0));
      add_text (&params, PQgetvalue (pages, row, 1));
      add_text (&params, PQgetvalue (pages, row, 2));
      /* Binary results: the content as it is, the mime as its text. */
      page = run (self, "SELECT content, mime FROM revisions WHERE tenant = $1 AND doc = $2 AND revision = $3::bigint",
                  &params, TRUE, error);
      if (page == NULL)
        return FALSE;
      if (PQntuples (page) == 0)
        continue;
      content = g_bytes_new (PQgetvalue (page, 0, 0), PQgetlength (page, 0, 0));
      mime = g_strndup (PQgetvalue (page, 0, 1), PQgetlength (page, 0, 1));
      model = rl_store_text_model_for (mime, content);
      if (model == NULL)
        {
          /* Checked at upload: only a damaged database gets here. */
          g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "a page’s content is not a page’s text (document %s of"
                       " tenant %s)", PQgetvalue (pages, row, 1), PQgetvalue (pages, row, 0));
          return FALSE;
        }
      add_text (&params, model);
      if (!run_done (self, "UPDATE revisions SET text_model = $4 WHERE tenant = $1 AND doc = $2"
                           " AND revision = $3::bigint", &params, error))
        return FALSE;
    }
  return TRUE;
}

/* What a migration's script cannot do, run after it in its transaction. */
static gboolean (*const migration_steps[]) (RlStorePg *self, GError **error) = {
  [2] = fill_text_models,
  [3] = NULL,
};
G_STATIC_ASSERT (G_N_ELEMENTS (migration_steps) == G_N_ELEMENTS (migrations));

/* One step: under the migration lock, reads the version and, when behind,
 * moves it one up. *done when there is nothing more to do. */
static gboolean
migrate_step (RlStorePg  *self,
              gboolean   *done,
              GError    **error)
{
  g_autoptr(Result) version_result = NULL;
  g_auto(Params) params = { 0 };
  Result *step;
  int version = 0;

  /* Nodes starting together take turns: the lock is held to the commit. */
  if (!begin (self, "BEGIN", error) ||
      !run_done (self, "SELECT pg_advisory_xact_lock (" MIGRATION_LOCK_KEY ")", NULL, error) ||
      !run_done (self, "CREATE TABLE IF NOT EXISTS redline_schema (version integer NOT NULL)", NULL, error))
    goto fail;
  version_result = run (self, "SELECT version FROM redline_schema", NULL, FALSE, error);
  if (version_result == NULL)
    goto fail;
  if (PQntuples (version_result) == 0)
    {
      if (!run_done (self, "INSERT INTO redline_schema (version) VALUES (0)", NULL, error))
        goto fail;
    }
  else
    version = (int) value_int (version_result, 0, 0);

  if (!rl_store_check_schema (version, G_N_ELEMENTS (migrations), error))
    goto fail;
  *done = version == (int) G_N_ELEMENTS (migrations);
  if (!*done)
    {
      /* Several statements, no values: the simple protocol runs them. */
      step = PQexec (self->conn, migrations[version]);
      if (PQresultStatus (step) != PGRES_COMMAND_OK)
        {
          set_error_from (self, step, error);
          PQclear (step);
          goto fail;
        }
      PQclear (step);
      if (migration_steps[version] != NULL && !migration_steps[version] (self, error))
        goto fail;
      add_int (&params, version + 1);
      if (!run_done (self, "UPDATE redline_schema SET version = $1", &params, error))
        goto fail;
    }
  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

gboolean
rl_store_pg_is_conninfo (const char *db)
{
  return db != NULL && (g_str_has_prefix (db, "postgresql://") || g_str_has_prefix (db, "postgres://") ||
                        strchr (db, '=') != NULL);
}

RlStore *
rl_store_pg_open (const char  *conninfo,
                  GError     **error)
{
  g_autoptr(RlStorePg) self = g_object_new (RL_TYPE_STORE_PG, NULL);
  const char *values[G_N_ELEMENTS (connect_keywords)];
  g_autoptr(Result) cursor = NULL;
  gboolean done = FALSE;

  self->conninfo = g_strdup (conninfo);
  connect_values (conninfo, values);
  self->conn = PQconnectdbParams (connect_keywords, values, 1);
  if (self->conn == NULL || PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strdup (self->conn ? PQerrorMessage (self->conn) : "out of memory");

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect to PostgreSQL: %s",
                   g_strchomp (message));
      return NULL;
    }
  PQsetNoticeProcessor (self->conn, ignore_notice, NULL);

  while (!done)
    if (!migrate_step (self, &done, error))
      return NULL;

  /* Changes are read from here on (rl_store_pg_read_changes). */
  cursor = run (self, "SELECT COALESCE (MAX (seq), 0) FROM admin_changes", NULL, FALSE, error);
  if (cursor == NULL)
    return NULL;
  self->change_cursor = value_int (cursor, 0, 0);

  return RL_STORE (g_steal_pointer (&self));
}

/* ---- tenants and users ----------------------------------------------------------- */

static gboolean
rl_store_pg_add_tenant (RlStore     *store,
                        const char  *tenant,
                        GError     **error)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };

  add_text (&params, tenant);
  add_int (&params, rl_time_now_ms ());
  return run_done (self, SQL_ADD_TENANT, &params, error);
}

static gboolean
rl_store_pg_has_tenant (RlStore    *store,
                        const char *tenant)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };

  add_text (&params, tenant);
  return query_exists (self, "cannot look up a tenant", SQL_HAS_TENANT, &params);
}

static gboolean
rl_store_pg_add_user (RlStore     *store,
                      const char  *tenant,
                      const char  *id,
                      const char  *name,
                      RlRole       role,
                      GBytes      *hash,
                      GError     **error)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  gsize hash_len;
  const guint8 *hash_data = g_bytes_get_data (hash, &hash_len);

  add_texts (&params, tenant, id, name, rl_role_to_string (role), NULL);
  add_bytes (&params, hash_data, hash_len);
  add_int (&params, rl_time_now_ms ());
  return run_done (self, SQL_ADD_USER, &params, error);
}

static RlPrincipal *
rl_store_pg_authenticate (RlStore    *store,
                          const char *token)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(Result) result = NULL;
  g_autofree char *id = NULL;
  const char *secret = NULL;
  guint8 *stored;
  size_t stored_len = 0;
  gboolean equal;
  RlPrincipal *principal;

  id = rl_store_split_token (token, &secret);
  if (id == NULL || !g_utf8_validate (id, -1, NULL))
    return NULL;
  hash = rl_store_hash_secret (secret);

  add_text (&params, id);
  result = query (self, "cannot authenticate", SQL_AUTHENTICATE, &params, FALSE);
  if (result == NULL)
      return NULL;
  if (PQntuples (result) == 0)
    return NULL;
  stored = PQunescapeBytea ((const unsigned char *) PQgetvalue (result, 0, 3), &stored_len);
  equal = stored != NULL && stored_len == g_bytes_get_size (hash) &&
          rl_store_hash_equal (stored, g_bytes_get_data (hash, NULL), stored_len);
  PQfreemem (stored);
  if (!equal)
    return NULL;

  principal = g_new0 (RlPrincipal, 1);
  principal->tenant = value_dup (result, 0, 0);
  principal->user.id = g_steal_pointer (&id);
  principal->user.name = value_dup (result, 0, 1);
  if (!rl_role_from_string (PQgetvalue (result, 0, 2), &principal->role))
    principal->role = RL_ROLE_VIEWER;
  principal->token_generation = value_int (result, 0, 4);
  return principal;
}

/* ---- documents ----------------------------------------------------------------------- */

static gboolean
rl_store_pg_add_document (RlStore           *store,
                          const char        *tenant,
                          const RlDocument  *doc,
                          GError           **error)
{
  g_auto(Params) params = { 0 };

  add_texts (&params, tenant, doc->id, rl_doc_kind_to_string (doc->kind), doc->title, doc->mime, NULL);
  add_int (&params, doc->size);
  add_int (&params, doc->width);
  add_int (&params, doc->height);
  add_int (&params, doc->created_at);
  add_text (&params, doc->created_by.id);
  add_text (&params, doc->created_by.name);
  return run_done (RL_STORE_PG (store), SQL_ADD_DOCUMENT, &params, error);
}

static gboolean
rl_store_pg_insert_revision (RlStore           *store,
                             const char        *tenant,
                             const char        *doc,
                             const RlRevision  *revision,
                             GBytes            *content,
                             const char        *text_model,
                             GError           **error)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  gsize size;
  const guint8 *data = g_bytes_get_data (content, &size);

  if (size > G_MAXINT)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_TOO_LARGE, "the content is too large");
      return FALSE;
    }
  add_texts (&params, tenant, doc, NULL);
  add_int (&params, revision->revision);
  add_text (&params, revision->mime);
  add_int (&params, revision->size);
  add_int (&params, revision->width);
  add_int (&params, revision->height);
  add_text (&params, revision->etag);
  add_int (&params, revision->created_at);
  add_text (&params, revision->created_by.id);
  add_text (&params, revision->created_by.name);
  add_bytes (&params, data, size);
  add_text (&params, text_model);
  if (!run_done (self, SQL_INSERT_REVISION, &params, error))
    return FALSE;
  /* The latest revision's metadata: the first eight of the same. */
  params_truncate (&params, 8);
  return run_done (self, SQL_LATEST_REVISION, &params, error);
}

/* $1 the tenant, NULL for every tenant's; and what a failure is logged as. */
static const struct
{
  const char *sql;
  const char *what;
} lists[] = {
  [RL_STORE_LIST_DOCUMENTS] = { "SELECT " DOC_COLUMNS " FROM documents WHERE tenant = $1 ORDER BY ord",
                                "cannot list documents" },
  [RL_STORE_LIST_USERS] = { "SELECT tenant, id, name, role, created_at, revoked_at FROM users"
                            " WHERE $1::text IS NULL OR tenant = $1 ORDER BY tenant, ord", "cannot list users" },
  [RL_STORE_LIST_DOCUMENT_INFOS] = { "SELECT " DOC_COLUMNS ", tenant, head_seq,"
                                     " (SELECT COUNT (*) FROM threads t WHERE t.tenant = d.tenant AND t.doc = d.id)"
                                     " FROM documents d WHERE $1::text IS NULL OR tenant = $1 ORDER BY tenant, ord",
                                     "cannot list documents" },
};

static GPtrArray *
rl_store_pg_list_rows (RlStore         *store,
                       RlStoreList      list,
                       const char      *tenant,
                       RlStoreFromRow   from_row,
                       GDestroyNotify   free_func)
{
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func (free_func);

  add_text (&params, tenant);
  result = query (RL_STORE_PG (store), lists[list].what, lists[list].sql, &params, FALSE);
  if (result != NULL)
    rl_store_add_records_from_rows (records, ROWS (result), from_row);
  return records;
}

static RlDocument *
rl_store_pg_get_document (RlStore    *store,
                          const char *tenant,
                          const char *doc)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  add_texts (&params, tenant, doc, NULL);
  result = query (self, "cannot read a document", SQL_GET_DOCUMENT, &params, FALSE);
  if (result == NULL || PQntuples (result) == 0)
    return NULL;
  return rl_store_document_from_row (ROW (result, 0));
}

static GPtrArray *
rl_store_pg_get_revisions (RlStore    *store,
                           const char *tenant,
                           const char *doc,
                           gint64      revision)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;
  GPtrArray *revisions;

  add_texts (&params, tenant, doc, NULL);
  add_int (&params, revision);
  /* The document's row joined, so an absent document is told from one
   * without that revision. */
  result = query (self, "cannot read a document's revisions",
                  "SELECT r.revision, r.mime, r.size, r.width, r.height, r.etag, r.created_at, r.created_by_id,"
                  " r.created_by_name FROM documents d LEFT JOIN revisions r"
                  " ON r.tenant = d.tenant AND r.doc = d.id AND ($3::bigint = 0 OR r.revision = $3)"
                  " WHERE d.tenant = $1 AND d.id = $2 ORDER BY r.revision", &params, FALSE);
  if (result == NULL || PQntuples (result) == 0)
    return NULL;
  revisions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_revision_free);
  for (int row = 0; row < PQntuples (result); row++)
    if (!PQgetisnull (result, row, 0))
      g_ptr_array_add (revisions, rl_store_revision_from_row (ROW (result, row)));
  return revisions;
}

static GBytes *
rl_store_pg_get_revision_content (RlStore     *store,
                                  const char  *tenant,
                                  const char  *doc,
                                  gint64       revision,
                                  char       **etag)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  add_texts (&params, tenant, doc, NULL);
  add_int (&params, revision);
  /* Binary results: the content as it is, the etag as its text. */
  result = query (self, "cannot read a document's content",
                  "SELECT r.content, r.etag FROM revisions r JOIN documents d ON d.tenant = r.tenant AND d.id = r.doc"
                  " WHERE r.tenant = $1 AND r.doc = $2"
                  " AND r.revision = CASE WHEN $3::bigint = 0 THEN d.revision ELSE $3 END", &params, TRUE);
  if (result == NULL || PQntuples (result) == 0)
    return NULL;
  if (etag)
    *etag = g_strndup (PQgetvalue (result, 0, 1), PQgetlength (result, 0, 1));
  return g_bytes_new (PQgetvalue (result, 0, 0), PQgetlength (result, 0, 0));
}

static char *
rl_store_pg_get_text_model (RlStore    *store,
                            const char *tenant,
                            const char *doc,
                            gint64      revision)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  add_texts (&params, tenant, doc, NULL);
  add_int (&params, revision);
  result = query (self, "cannot read a revision's text", SQL_GET_TEXT_MODEL, &params, FALSE);
  if (result == NULL || PQntuples (result) == 0)
    return NULL;
  return value_dup (result, 0, 0);
}

/* ---- threads ---------------------------------------------------------------------------- */

static gint64
rl_store_pg_get_head (RlStore    *store,
                      const char *tenant,
                      const char *doc)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  add_texts (&params, tenant, doc, NULL);
  result = query (self, "cannot read a document's head", SQL_GET_HEAD, &params, FALSE);
  return result && PQntuples (result) > 0 ? value_int (result, 0, 0) : 0;
}

static GPtrArray *
rl_store_pg_read_threads (RlStore     *store,
                          const char  *tenant,
                          const char  *doc,
                          gboolean     with_comments,
                          GError     **error)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) threads = NULL;
  g_autoptr(Result) placements = NULL;
  g_autoptr(Result) comments = NULL;

  add_texts (&params, tenant, doc, NULL);
  if ((threads = run (self, SQL_THREADS_OF_DOC, &params, FALSE, error)) == NULL ||
      (placements = run (self, SQL_PLACEMENTS_OF_DOC, &params, FALSE, error)) == NULL ||
      (with_comments && (comments = run (self, SQL_COMMENTS_OF_DOC ("ord"), &params, FALSE, error)) == NULL))
    return NULL;
  return rl_store_threads_from_rows (ROWS (threads), ROWS (placements), comments ? ROWS (comments) : NULL, doc,
                                     error);
}

static GPtrArray *
rl_store_pg_events_since (RlStore    *store,
                          const char *tenant,
                          const char *doc,
                          gint64      since,
                          gint64     *head_seq)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) bounds = NULL;
  g_autoptr(Result) result = NULL;
  gint64 head = 0, unnumbered = 0, unrevisioned = 0;

  add_texts (&params, tenant, doc, NULL);
  bounds = query (self, "cannot read the event log", SQL_LOG_BOUNDS, &params, FALSE);
  if (bounds == NULL)
      return NULL;
  if (PQntuples (bounds) > 0)
    {
      head = value_int (bounds, 0, 0);
      unnumbered = value_int (bounds, 0, 1);
      unrevisioned = value_int (bounds, 0, 2);
    }
  if (head_seq)
    *head_seq = head;
  if (!rl_store_log_reaches (since, head, unnumbered, unrevisioned))
    return NULL;

  add_int (&params, since);
  add_int (&params, head);
  result = query (self, "cannot read the event log", SQL_EVENTS_SINCE, &params, FALSE);
  if (result == NULL)
      return NULL;
  return rl_store_events_from_rows (ROWS (result), since, head);
}

/* ---- notifications ------------------------------------------------------------------------ */

/* A notification's payload: fields split by tabs (which no node name,
 * tenant or document id holds), the serialized event last, when it fits:
 *
 *   E <node> <tenant> <doc> <seq> [<serialized>]   an event was committed
 *   V <node> <tenant> <doc>                         the viewers changed
 *
 * node: the one that committed the event or changed its own viewers (it is
 * not told of it); empty when no node of the cluster did: an event from a
 * store nobody watches, or viewers removed for a node that died or
 * restarted (every node hears of those). */
#define KIND_EVENT "E"
#define KIND_VIEWERS "V"
#define KIND_ACTIVITY "A"

/* Whether a value can be a field of a payload. */
static gboolean
is_field (const char *value)
{
  return value != NULL && strpbrk (value, "\t\n") == NULL;
}

/* Sent inside the caller's transaction: delivered at its commit, in commit
 * order, and not at all when it rolls back. */
static gboolean
notify (RlStorePg   *self,
        const char  *payload,
        GError     **error)
{
  g_auto(Params) params = { 0 };

  add_text (&params, RL_STORE_PG_CHANNEL);
  add_text (&params, payload);
  return run_done (self, "SELECT pg_notify ($1, $2)", &params, error);
}

static gboolean
notify_event (RlStorePg   *self,
              const char  *tenant,
              const char  *doc,
              gint64       seq,
              const char  *serialized,
              GError     **error)
{
  g_autoptr(GString) payload = g_string_new (NULL);

  g_string_append_printf (payload, KIND_EVENT "\t%s\t%s\t%s\t%" G_GINT64_FORMAT,
                          self->node ? self->node : "", tenant, doc, seq);
  /* Else the nodes read it from the log. */
  if (payload->len + 1 + strlen (serialized) <= NOTIFY_PAYLOAD_MAX)
    g_string_append_printf (payload, "\t%s", serialized);
  return notify (self, payload->str, error);
}

/* ---- mutations ----------------------------------------------------------------------------- */

static const char *const read_sql[] = SQL_READS (" FOR UPDATE");

static const char *const write_sql[] = SQL_WRITES;

static gboolean
rl_store_pg_read_number (RlStore      *store,
                         RlStoreRead   read,
                         const char   *tenant,
                         const char   *id,
                         gint64       *value,
                         GError      **error)
{
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  add_texts (&params, tenant, id, NULL);
  result = run (RL_STORE_PG (store), read_sql[read], &params, FALSE, error);
  if (result == NULL)
    return FALSE;
  *value = PQntuples (result) > 0 ? value_int (result, 0, 0) : -1;
  return TRUE;
}

static gboolean
rl_store_pg_write_row (RlStore       *store,
                       RlStoreWrite   write,
                       const char    *tenant,
                       const char    *id,
                       GVariant      *value,
                       GError       **error)
{
  g_autoptr(GVariant) owned = value ? g_variant_ref_sink (value) : NULL;
  g_auto(Params) params = { 0 };

  add_texts (&params, tenant, id, NULL);
  if (value == NULL)
    ;
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    add_text (&params, g_variant_get_boolean (value) ? "true" : "false");
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    add_int (&params, g_variant_get_int64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    add_text (&params, g_variant_get_string (value, NULL));
  else
    add_bytes (&params, g_variant_get_data (value), g_variant_get_size (value));
  return run_done (RL_STORE_PG (store), write_sql[write], &params, error);
}

static gboolean
rl_store_pg_insert_thread (RlStore         *store,
                           const char      *tenant,
                           const RlThread  *thread,
                           const char      *anchor_json,
                           GError         **error)
{
  g_auto(Params) params = { 0 };

  add_texts (&params, tenant, thread->id, thread->doc, anchor_json, thread->created_by.id, thread->created_by.name,
             NULL);
  add_int (&params, thread->created_at);
  add_int (&params, thread->updated_at);
  add_int (&params, thread->number);
  add_int (&params, thread->revision);
  return run_done (RL_STORE_PG (store), SQL_INSERT_THREAD, &params, error);
}

static gboolean
rl_store_pg_write_placement (RlStore                 *store,
                             const char              *tenant,
                             const char              *doc,
                             const char              *thread,
                             const RlRevisionAnchor  *placement,
                             const char              *anchor_json,
                             GError                 **error)
{
  g_auto(Params) params = { 0 };

  add_texts (&params, tenant, doc, thread, NULL);
  add_int (&params, placement->revision);
  add_text (&params, anchor_json);
  add_text (&params, rl_placement_status_to_string (placement->status));
  add_double (&params, placement->score);
  add_text (&params, placement->by.id);
  add_text (&params, placement->by.id ? placement->by.name : NULL);
  return run_done (RL_STORE_PG (store), SQL_WRITE_PLACEMENT, &params, error);
}

static gboolean
rl_store_pg_read_placement (RlStore            *store,
                            const char         *tenant,
                            const char         *thread,
                            gint64              revision,
                            RlRevisionAnchor  **placement,
                            GError            **error)
{
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  *placement = NULL;
  add_texts (&params, tenant, thread, NULL);
  add_int (&params, revision);
  result = run (RL_STORE_PG (store), SQL_READ_PLACEMENT, &params, FALSE, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) > 0)
    *placement = rl_store_placement_from_row (ROW (result, 0));
  return TRUE;
}

static gboolean
rl_store_pg_insert_comment (RlStore          *store,
                            const char       *tenant,
                            const RlComment  *comment,
                            GError          **error)
{
  g_auto(Params) params = { 0 };

  add_texts (&params, tenant, comment->id, comment->thread, comment->author.id, comment->author.name, comment->body,
             NULL);
  add_int (&params, comment->created_at);
  return run_done (RL_STORE_PG (store), SQL_INSERT_COMMENT, &params, error);
}

static gboolean
rl_store_pg_lookup_thread (RlStore     *store,
                           const char  *tenant,
                           const char  *doc,
                           const char  *thread,
                           char       **owner,
                           GError     **error)
{
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  add_texts (&params, tenant, doc, thread, NULL);
  result = run (RL_STORE_PG (store), SQL_LOOKUP_THREAD, &params, FALSE, error);
  if (result == NULL)
    return FALSE;
  *owner = PQntuples (result) > 0 ? value_dup (result, 0, 0) : NULL;
  return TRUE;
}

static gboolean
rl_store_pg_lookup_comment (RlStore     *store,
                            const char  *tenant,
                            const char  *thread,
                            const char  *comment_id,
                            RlComment  **comment,
                            gboolean    *first,
                            GError     **error)
{
  g_auto(Params) params = { 0 };
  g_autoptr(Result) find = NULL;

  add_texts (&params, tenant, thread, comment_id, NULL);
  find = run (RL_STORE_PG (store), SQL_LOOKUP_COMMENT ("ord"), &params, FALSE, error);
  if (find == NULL)
    return FALSE;
  if (PQntuples (find) > 0)
    {
      *comment = rl_store_comment_from_row (ROW (find, 0));
      *first = value_bool (find, 0, 8);
    }
  return TRUE;
}

static gboolean
rl_store_pg_update_comment (RlStore          *store,
                            const char       *tenant,
                            const RlComment  *comment,
                            GError          **error)
{
  g_auto(Params) params = { 0 };

  add_text (&params, comment->body);
  add_int (&params, comment->edited_at);
  add_text (&params, tenant);
  add_text (&params, comment->id);
  return run_done (RL_STORE_PG (store), SQL_UPDATE_COMMENT, &params, error);
}

/* seq is the head read under the document's row lock, plus one. */
static gboolean
rl_store_pg_append_event (RlStore     *store,
                          const char  *tenant,
                          const char  *doc,
                          gint64       seq,
                          const char  *serialized,
                          GError     **error)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };

  add_texts (&params, tenant, doc, NULL);
  add_int (&params, seq);
  if (!run_done (self, SQL_SET_HEAD, &params, error))
    return FALSE;
  add_text (&params, serialized);
  if (!run_done (self, SQL_APPEND_EVENT, &params, error))
    return FALSE;
  /* At the commit, so under the row lock: each document's in seq order. */
  return notify_event (self, tenant, doc, seq, serialized, error);
}

static const char *const query_sql[] = SQL_QUERIES;

static gboolean
rl_store_pg_run_query (RlStore         *store,
                       RlStoreQuery     query,
                       GVariant        *values,
                       RlStoreFromRow   from_row,
                       GDestroyNotify   free_func,
                       GPtrArray      **records,
                       GError         **error)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (values);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  for (gsize i = 0; i < g_variant_n_children (values); i++)
    {
      g_autoptr(GVariant) value = g_variant_get_child_value (values, i);

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        add_text (&params, g_variant_get_boolean (value) ? "true" : "false");
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        add_int (&params, g_variant_get_int64 (value));
      else
        {
          /* Kept by the tuple, which outlives the statement. */
          add_text (&params, g_variant_get_string (value, NULL));
        }
    }
  result = run (RL_STORE_PG (store), query_sql[query], &params, FALSE, error);
  if (result == NULL)
    return FALSE;
  /* An item of a user's log: the other nodes read it at the commit. */
  if (query == RL_STORE_QUERY_APPEND_ACTIVITY)
    {
      RlStorePg *self = RL_STORE_PG (store);
      g_autofree char *payload = g_strdup_printf (KIND_ACTIVITY "\t%s\t%s\t%s\t%s", self->node ? self->node : "",
                                                  params.values[0], params.values[1], params.values[2]);

      if (!notify (self, payload, error))
        return FALSE;
    }
  if (from_row != NULL)
    {
      *records = g_ptr_array_new_with_free_func (free_func);
      rl_store_add_records_from_rows (*records, ROWS (result), from_row);
    }
  return TRUE;
}

static RlStore *
rl_store_pg_open_writer (RlStore  *store,
                         GError  **error)
{
  RlStorePg *self = RL_STORE_PG (store);
  RlStore *writer = rl_store_pg_open (self->conninfo, error);

  /* Its events are this node's: the node's listener must know them for its
   * own and not deliver them a second time. (The writer is made on the
   * first apply, after a server's watch_remote.) */
  if (writer != NULL)
    {
      RL_STORE_PG (writer)->node = g_strdup (self->node);
      /* On the committer's thread, which has no main loop to wait on. */
      RL_STORE_PG (writer)->blocking = TRUE;
    }
  return writer;
}

static int
compare_doc_keys (gconstpointer a,
                  gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* Every document of the group locked first, in one order on every node, so
 * two nodes' groups over the same documents never deadlock; then, the same
 * way, every user the group may write activity to. */
static gboolean
rl_store_pg_lock_group (RlStore       *store,
                        RlStoreApply **applies,
                        guint          n_applies,
                        GError       **error)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n_applies; i++)
    {
      char *key = g_strconcat (applies[i]->who->tenant, "\t", applies[i]->doc->id, NULL);

      if (g_hash_table_contains (seen, key))
        {
          g_free (key);
          continue;
        }
      g_hash_table_add (seen, key);
      g_ptr_array_add (keys, key);
    }
  g_ptr_array_sort (keys, compare_doc_keys);
  for (guint i = 0; i < keys->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (keys->pdata[i], "\t", 2);
      g_auto(Params) params = { 0 };

      add_text (&params, parts[0]);
      add_text (&params, parts[1]);
      if (!run_done (self, "SELECT 1 FROM documents WHERE tenant = $1 AND id = $2 FOR UPDATE", &params, error))
        return FALSE;
    }
  return rl_store_lock_group_recipients (store, applies, n_applies, error);
}

/* ---- usage ------------------------------------------------------------------------------------ */

static void
rl_store_pg_add_usage (RlStore    *store,
                       const char *tenant,
                       guint64     messages,
                       guint64     bytes)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(GError) error = NULL;

  add_text (&params, tenant);
  add_int (&params, (gint64) messages);
  add_int (&params, (gint64) bytes);
  if (!run_done (self, "INSERT INTO usage (tenant, messages, bytes) VALUES ($1, $2, $3)"
                       " ON CONFLICT (tenant) DO UPDATE SET messages = usage.messages + EXCLUDED.messages,"
                       " bytes = usage.bytes + EXCLUDED.bytes", &params, &error))
    warn ("could not record usage", error);
}

static void
rl_store_pg_get_usage (RlStore    *store,
                       const char *tenant,
                       guint64    *messages,
                       guint64    *bytes)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  *messages = *bytes = 0;
  add_text (&params, tenant);
  result = query (self, "cannot read usage", SQL_GET_USAGE, &params, FALSE);
  if (result && PQntuples (result) > 0)
    {
      *messages = (guint64) value_int (result, 0, 0);
      *bytes = (guint64) value_int (result, 0, 1);
    }
}

/* ---- administration ----------------------------------------------------------------------------- */

/* Inside the caller's transaction, so a serving node sees the change and the
 * note of it together. The table lock makes the notes commit in seq order. */
static gboolean
rl_store_pg_note_change (RlStore            *store,
                         RlStoreChangeKind   kind,
                         const char         *tenant,
                         const char         *subject,
                         GError            **error)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_auto(Params) prune = { 0 };
  gint64 now = rl_time_now_ms ();

  add_texts (&params, rl_store_change_kind_to_string (kind), tenant, subject, NULL);
  add_int (&params, now);
  add_int (&prune, now - RL_STORE_CHANGE_LOG_KEEP_MS);
  return run_done (self, "LOCK TABLE admin_changes IN SHARE ROW EXCLUSIVE MODE", NULL, error) &&
         run_done (self, SQL_NOTE_CHANGE, &params, error) &&
         run_done (self, SQL_PRUNE_CHANGES, &prune, error);
}

static gboolean
rl_store_pg_remove_document (RlStore         *store,
                             const char      *tenant,
                             const char      *doc,
                             RlStoreRemoval  *removed,
                             GError         **error)
{
  RlStorePg *self = RL_STORE_PG (store);
  const char *deletes[] = SQL_REMOVE_DOCUMENT_ROWS;
  gint64 uncounted[4];
  gint64 *counted[] = { &removed->comments, &removed->threads, &removed->events, &uncounted[0], &uncounted[1],
                        &uncounted[2], &uncounted[3] };
  g_auto(Params) params = { 0 };
  g_autoptr(Result) row = NULL;

  G_STATIC_ASSERT (G_N_ELEMENTS (deletes) == G_N_ELEMENTS (counted));
  add_texts (&params, tenant, doc, NULL);
  row = run (self, SQL_REMOVE_DOCUMENT, &params, FALSE, error);
  if (row == NULL)
    return FALSE;
  removed->documents = g_ascii_strtoll (PQcmdTuples (row), NULL, 10);
  for (guint i = 0; removed->documents > 0 && i < G_N_ELEMENTS (deletes); i++)
    {
      g_autoptr(Result) result = run (self, deletes[i], &params, FALSE, error);

      if (result == NULL)
        return FALSE;
      *counted[i] = g_ascii_strtoll (PQcmdTuples (result), NULL, 10);
    }
  return TRUE;
}

static gboolean
rl_store_pg_token_is_current (RlStore           *store,
                              const RlPrincipal *who)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };

  add_texts (&params, who->tenant, who->user.id, NULL);
  add_int (&params, who->token_generation);
  return query_exists (self, "cannot check a token", SQL_TOKEN_IS_CURRENT, &params);
}

static GPtrArray *
rl_store_pg_read_changes (RlStore *store)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  /* One index probe past the cursor: usually no row. */
  add_int (&params, self->change_cursor);
  result = query (self, "cannot read administration changes", SQL_READ_CHANGES, &params, FALSE);
  if (result == NULL)
      return NULL;
  return rl_store_changes_from_rows (ROWS (result), &self->change_cursor);
}

/* ---- moving a deployment in: import -------------------------------------------------------- */

/* Each kind's columns, in its record's order (RlStoreRecordKind). */
static const char *import_statements[] = {
  [RL_STORE_RECORD_TENANT] = "INSERT INTO tenants (id, created_at) VALUES ($1, $2)",
  [RL_STORE_RECORD_USER] = "INSERT INTO users (tenant, id, name, role, token_hash, created_at, revoked_at,"
                           " token_generation, activity_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
  [RL_STORE_RECORD_DOCUMENT] = "INSERT INTO documents (tenant, id, kind, title, mime, size, width, height,"
                               " created_at, created_by_id, created_by_name, etag, head_seq, thread_numbers,"
                               " unnumbered_seq, revision, unrevisioned_seq) VALUES ($1, $2, $3, $4, $5, $6, $7,"
                               " $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
  [RL_STORE_RECORD_THREAD] = "INSERT INTO threads (tenant, id, doc, anchor, resolved, created_by_id,"
                             " created_by_name, created_at, updated_at, number, revision)"
                             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
  [RL_STORE_RECORD_COMMENT] = "INSERT INTO comments (tenant, id, thread, author_id, author_name, body,"
                              " created_at, edited_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
  [RL_STORE_RECORD_EVENT] = "INSERT INTO events (tenant, doc, seq, payload) VALUES ($1, $2, $3, $4)",
  [RL_STORE_RECORD_USAGE] = "INSERT INTO usage (tenant, messages, bytes) VALUES ($1, $2, $3)",
  [RL_STORE_RECORD_REVISION] = "INSERT INTO revisions (tenant, doc, revision, mime, size, width, height, etag,"
                               " content, text_model, created_at, created_by_id, created_by_name)"
                               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
  [RL_STORE_RECORD_PLACEMENT] = "INSERT INTO placements (tenant, doc, thread, revision, anchor, status, score,"
                                " by_id, by_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
  [RL_STORE_RECORD_MENTION] = "INSERT INTO mentions (tenant, doc, thread, comment, user_id, start_at, end_at)"
                              " VALUES ($1, $2, $3, $4, $5, $6, $7)",
  [RL_STORE_RECORD_READ_MARK] = "INSERT INTO read_marks (tenant, user_id, doc, thread, seq)"
                                " VALUES ($1, $2, $3, $4, $5)",
  [RL_STORE_RECORD_ACTIVITY] = "INSERT INTO activity (tenant, user_id, aseq, kind, payload)"
                               " VALUES ($1, $2, $3, $4, $5)",
};

typedef struct
{
  RlStorePg          *self;
  RlStore            *source;
  RlStoreRecordFunc   copied;
  gpointer            user_data;
} Import;

/* Writes one record as it is: each field of the tuple is the parameter of
 * the same place in its kind's statement. */
static gboolean
import_record (RlStoreRecordKind   kind,
               GVariant           *record,
               gpointer            user_data,
               GError            **error)
{
  Import *import = user_data;
  RlStorePg *self = import->self;
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_auto(Params) params = { 0 };

  if ((guint) kind >= G_N_ELEMENTS (import_statements) ||
      !g_variant_is_of_type (record, rl_store_record_type (kind)))
    {
      g_set_error (error, RL_ERROR, RL_ERROR_INTERNAL, "a record of an unknown kind or shape");
      return FALSE;
    }
  for (gsize i = 0; i < g_variant_n_children (record); i++)
    {
      GVariant *field = g_variant_get_child_value (record, i);

      g_ptr_array_add (fields, field);
      if (g_variant_is_of_type (field, G_VARIANT_TYPE_STRING))
        add_text (&params, g_variant_get_string (field, NULL));
      else if (g_variant_is_of_type (field, G_VARIANT_TYPE ("ms")))
        {
          GVariant *value = g_variant_get_maybe (field);

          /* NULL for none; kept with the fields while it is sent. */
          if (value != NULL)
            g_ptr_array_add (fields, value);
          add_text (&params, value ? g_variant_get_string (value, NULL) : NULL);
        }
      else if (g_variant_is_of_type (field, G_VARIANT_TYPE_DOUBLE))
        add_double (&params, g_variant_get_double (field));
      else if (g_variant_is_of_type (field, G_VARIANT_TYPE_INT64))
        add_int (&params, g_variant_get_int64 (field));
      else if (g_variant_is_of_type (field, G_VARIANT_TYPE_INT32))
        add_int (&params, g_variant_get_int32 (field));
      else if (g_variant_is_of_type (field, G_VARIANT_TYPE_BOOLEAN))
        add_text (&params, g_variant_get_boolean (field) ? "true" : "false");
      else if (g_variant_is_of_type (field, G_VARIANT_TYPE_UINT64))
        {
          if (g_variant_get_uint64 (field) > G_MAXINT64)
            {
              g_set_error (error, RL_ERROR, RL_ERROR_TOO_LARGE, "%s has a count too large to keep",
                           rl_store_record_name (kind));
              return FALSE;
            }
          add_int (&params, (gint64) g_variant_get_uint64 (field));
        }
      else
        {
          gsize len = 0;
          const guint8 *data = g_variant_get_fixed_array (field, &len, 1);

          if (len > G_MAXINT)
            {
              g_set_error (error, RL_ERROR, RL_ERROR_TOO_LARGE, "%s is too large to copy",
                           rl_store_record_name (kind));
              return FALSE;
            }
          add_bytes (&params, data, len);
        }
    }
  if (!run_done (self, import_statements[kind], &params, error))
    {
      g_prefix_error (error, "cannot copy %s: ", rl_store_record_name (kind));
      return FALSE;
    }
  return import->copied == NULL || import->copied (kind, record, import->user_data, error);
}

/* In the import's transaction: the tenants' table stays locked to its end,
 * so two imports at once cannot both find the database empty. */
static gboolean
import_all (RlStore   *store,
            gpointer   data,
            GError   **error)
{
  RlStorePg *self = RL_STORE_PG (store);
  Import *import = data;
  g_autoptr(Result) tenants = NULL;
  gint64 count;

  if (!run_done (self, "LOCK TABLE tenants IN SHARE ROW EXCLUSIVE MODE", NULL, error))
    return FALSE;
  tenants = run (self, "SELECT COUNT (*) FROM tenants", NULL, FALSE, error);
  if (tenants == NULL)
    return FALSE;
  count = value_int (tenants, 0, 0);
  if (count > 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_CONFLICT,
                   "the PostgreSQL database is not empty: it holds %" G_GINT64_FORMAT " tenant%s already "
                   "(a deployment moves only into an empty database)", count, count == 1 ? "" : "s");
      return FALSE;
    }
  return rl_store_export (import->source, import_record, import, error);
}

static gboolean
rl_store_pg_import_records (RlStore            *store,
                            RlStore            *source,
                            RlStoreRecordFunc   copied,
                            gpointer            user_data,
                            GError            **error)
{
  Import import = { RL_STORE_PG (store), source, copied, user_data };

  return rl_store_run_in_transaction (store, import_all, &import, error);
}

/* ---- backup ----------------------------------------------------------------------------------- */

static gboolean
rl_store_pg_backup (RlStore           *store,
                    const char        *path,
                    gboolean           replace,
                    RlBackupProgress   progress,
                    gpointer           user_data,
                    gint64            *bytes,
                    GError           **error)
{
  g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST,
               "a PostgreSQL database is backed up with PostgreSQL’s own tools (pg_dump, or the "
               "deployment’s base backups), not with redline-server backup");
  return FALSE;
}

/* ---- several nodes ---------------------------------------------------------------------------- */

/* How long ago is too long for a node, in the database's clock. */
#define DEAD_BEFORE "clock_timestamp () - $1::float8 * interval '1 millisecond'"

/* Rows of (user, name, connections), the one viewing longest first; a
 * row of NULLs is none. */
static GPtrArray *
viewers_from_rows (const Result *result)
{
  GPtrArray *viewers = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_viewer_free);

  for (int row = 0; result && row < PQntuples (result); row++)
    {
      RlViewer *viewer;

      if (PQgetisnull (result, row, 0))
        continue;
      viewer = g_new0 (RlViewer, 1);
      viewer->id = value_dup (result, row, 0);
      viewer->name = value_dup (result, row, 1);
      viewer->connections = (guint) CLAMP (value_int (result, row, 2), 0, G_MAXUINT);
      g_ptr_array_add (viewers, viewer);
    }
  return viewers;
}

static void
tell (RlStorePg         *self,
      RlStoreRemoteKind  kind,
      const char        *tenant,
      const char        *doc,
      gint64             seq,
      const char        *serialized)
{
  RlStoreRemote remote = { kind, tenant, doc, seq, serialized };

  self->remote_func (&remote, self->remote_data);
}

/* A notification from the channel: anyone who can connect may send one, so
 * what is not ours (a malformed one) is said in the log and dropped. */
static void
hear (RlStorePg  *self,
      const char *payload)
{
  g_auto(GStrv) fields = NULL;
  guint n;
  gint64 seq = 0;

  if (payload == NULL || !g_utf8_validate (payload, -1, NULL))
    goto malformed;
  /* The serialized event, last, is the rest of the payload. */
  fields = g_strsplit (payload, "\t", 6);
  n = g_strv_length (fields);
  if (n < 4 || *fields[2] == '\0' || *fields[3] == '\0')
    goto malformed;

  if (g_str_equal (fields[0], KIND_EVENT) && n >= 5)
    {
      if (!g_ascii_string_to_signed (fields[4], 10, 1, G_MAXINT64, &seq, NULL) ||
          (n == 6 && *fields[5] == '\0'))
        goto malformed;
      /* This node's own events reach its subscribers without the store. */
      if (g_str_equal (fields[1], self->node))
        return;
      tell (self, RL_STORE_REMOTE_EVENT, fields[2], fields[3], seq, n == 6 ? fields[5] : NULL);
      return;
    }
  if (g_str_equal (fields[0], KIND_ACTIVITY) && n == 5)
    {
      if (!g_ascii_string_to_signed (fields[4], 10, 1, G_MAXINT64, &seq, NULL))
        goto malformed;
      if (!g_str_equal (fields[1], self->node))
        tell (self, RL_STORE_REMOTE_ACTIVITY, fields[2], fields[3], seq, NULL);
      return;
    }
  if (g_str_equal (fields[0], KIND_VIEWERS) && n == 4)
    {
      if (!g_str_equal (fields[1], self->node))
        {
          tell (self, RL_STORE_REMOTE_VIEWERS, fields[2], fields[3], 0, NULL);
        }
      return;
    }

malformed:
  {
    /* Enough of it to recognise, on one line. */
    g_autofree char *shown = g_strescape (payload ? payload : "", NULL);

    if (strlen (shown) > 80)
      strcpy (shown + 77, "...");
    g_message ("ignored a notification on PostgreSQL's “%s” channel that is not a node's: “%s”",
               RL_STORE_PG_CHANNEL, shown);
  }
}

static void
listener_cb (RlPgListenerWhat  what,
             const char       *payload,
             gpointer          user_data)
{
  RlStorePg *self = user_data;

  switch (what)
    {
    case RL_PG_LISTENER_NOTIFIED:
      hear (self, payload);
      break;
    case RL_PG_LISTENER_LOST:
      tell (self, RL_STORE_REMOTE_LOST, NULL, NULL, 0, NULL);
      break;
    case RL_PG_LISTENER_LISTENING:
      tell (self, RL_STORE_REMOTE_LINKED, NULL, NULL, 0, NULL);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The node's row, fresh, and none of its viewers (those of a previous run,
 * or those it said before the others took it for dead): one transaction.
 * Every node hears of the documents they were on. */
static gboolean
register_node (RlStorePg  *self,
               GError    **error)
{
  g_auto(Params) params = { 0 };

  add_text (&params, self->node);
  if (!begin (self, "BEGIN", error))
    return FALSE;
  if (!run_done (self, "INSERT INTO nodes (name, seen_at) VALUES ($1, clock_timestamp ())"
                       " ON CONFLICT (name) DO UPDATE SET seen_at = EXCLUDED.seen_at", &params, error) ||
      !run_done (self, "WITH gone AS (DELETE FROM viewers WHERE node = $1 RETURNING tenant, doc)"
                       " SELECT pg_notify ('" RL_STORE_PG_CHANNEL "',"
                       " concat_ws (E'\\t', '" KIND_VIEWERS "', '', tenant, doc))"
                       " FROM (SELECT DISTINCT tenant, doc FROM gone) d", &params, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/* Keeps the node's row fresh. *registered: it was missing (the others took
 * this node for dead, or it never got in) and is there again, without
 * viewers. */
static gboolean
say_alive (RlStorePg  *self,
           gboolean   *registered,
           GError    **error)
{
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  *registered = FALSE;
  add_text (&params, self->node);
  result = run (self, "UPDATE nodes SET seen_at = clock_timestamp () WHERE name = $1", &params, FALSE, error);
  if (result == NULL)
    return FALSE;
  if (g_strcmp0 (PQcmdTuples (result), "0") != 0)
    return TRUE;
  if (!register_node (self, error))
    return FALSE;
  *registered = TRUE;
  return TRUE;
}

/* Removes the nodes not heard from for dead_ms, and the viewers of any node
 * that has no row; every node hears of the documents they were on. */
static gboolean
reap_dead_nodes (RlStorePg  *self,
                 GError    **error)
{
  g_auto(Params) params = { 0 };

  add_int (&params, self->dead_ms);
  /* One statement, one snapshot: the viewers of the nodes it removes, and
   * those of nodes removed before (whose rows it does not see). */
  return run_done (self, "WITH dead AS (DELETE FROM nodes WHERE seen_at < " DEAD_BEFORE " RETURNING name),"
                         " gone AS (DELETE FROM viewers v WHERE v.node IN (SELECT name FROM dead)"
                         "   OR NOT EXISTS (SELECT 1 FROM nodes n WHERE n.name = v.node) RETURNING tenant, doc)"
                         " SELECT pg_notify ('" RL_STORE_PG_CHANNEL "',"
                         " concat_ws (E'\\t', '" KIND_VIEWERS "', '', tenant, doc))"
                         " FROM (SELECT DISTINCT tenant, doc FROM gone) d", &params, error);
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  RlStorePg *self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean registered = FALSE;

  if (!say_alive (self, &registered, &error) || !reap_dead_nodes (self, &error))
    {
      if (!self->heartbeat_failing)
        g_message ("cannot tell PostgreSQL that node “%s” is alive (%s); the other nodes take it for "
                   "dead after %u s", self->node, error->message, self->dead_ms / 1000);
      self->heartbeat_failing = TRUE;
      return G_SOURCE_CONTINUE;
    }
  if (self->heartbeat_failing)
    g_message ("node “%s” tells PostgreSQL it is alive again", self->node);
  self->heartbeat_failing = FALSE;

  /* Its viewers are gone: the server says them again on LINKED (the
   * listener says LINKED itself when it is not listening yet). */
  if (registered && self->listener && rl_pg_listener_is_listening (self->listener))
    {
      g_message ("node “%s” was taken for dead by the other nodes; it is back among them", self->node);
      tell (self, RL_STORE_REMOTE_LINKED, NULL, NULL, 0, NULL);
    }
  return G_SOURCE_CONTINUE;
}

static void
start_heartbeat (RlStorePg *self)
{
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  self->heartbeat_id = g_timeout_add (self->heartbeat_ms, heartbeat_cb, self);
}

void
rl_store_pg_set_node_timing (RlStorePg *self,
                             guint      heartbeat_ms,
                             guint      dead_ms)
{
  g_return_if_fail (RL_IS_STORE_PG (self));
  g_return_if_fail (heartbeat_ms > 0 && dead_ms > 0);

  self->heartbeat_ms = heartbeat_ms;
  self->dead_ms = dead_ms;
  if (self->heartbeat_id != 0)
    start_heartbeat (self);
}

gboolean
rl_store_pg_is_connected (RlStorePg *self)
{
  g_return_val_if_fail (RL_IS_STORE_PG (self), FALSE);

  return PQstatus (self->conn) == CONNECTION_OK;
}

static void
rl_store_pg_watch_remote (RlStore           *store,
                          const char        *node,
                          RlStoreRemoteFunc  func,
                          gpointer           user_data)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self->node == NULL);
  g_return_if_fail (*node != '\0' && is_field (node) && g_utf8_validate (node, -1, NULL));

  self->node = g_strdup (node);
  self->remote_func = func;
  self->remote_data = user_data;
  /* When it fails, the heartbeat tries again (and says LINKED then). */
  if (!register_node (self, &error))
    {
      g_message ("cannot register node “%s” on PostgreSQL (%s); trying again in %u s", node, error->message,
                 self->heartbeat_ms / 1000);
      self->heartbeat_failing = TRUE;
    }
  start_heartbeat (self);
  self->listener = rl_pg_listener_new (self->conninfo, RL_STORE_PG_CHANNEL, listener_cb, self);
}

/* The rows of the viewers of a document (the parameters tenant and doc)
 * on every node not taken for dead (the parameter dead_ms), and more. */
#define VIEWERS_ALIVE(tenant, doc, dead_ms, more) \
  "SELECT v.user_id, v.user_name, v.connections, v.ord FROM viewers v JOIN nodes n ON n.name = v.node" \
  " WHERE v.tenant = " tenant " AND v.doc = " doc \
  " AND n.seen_at >= clock_timestamp () - " dead_ms "::float8 * interval '1 millisecond'" more
/* Users of those rows, with a name as the node that has had them longest
 * says it, their connections summed; first: the order they came in. */
#define VIEWERS_BY_USER(rows) \
  "SELECT user_id, (array_agg (user_name ORDER BY ord))[1] AS user_name, SUM (connections) AS connections," \
  " MIN (ord) AS first FROM (" rows ") r GROUP BY user_id"

static GPtrArray *
rl_store_pg_set_viewers (RlStore    *store,
                         const char *tenant,
                         const char *doc,
                         GPtrArray  *viewers)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) given = NULL;
  g_autofree char *given_json = NULL;
  g_autofree char *payload = NULL;
  g_autoptr(Result) result = NULL;

  g_return_val_if_fail (self->node != NULL, NULL);
  g_return_val_if_fail (is_field (tenant) && is_field (doc), NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; viewers && i < viewers->len; i++)
    {
      const RlViewer *viewer = g_ptr_array_index (viewers, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, viewer->id);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, viewer->name);
      json_builder_set_member_name (builder, "connections");
      json_builder_add_int_value (builder, MIN (viewer->connections, G_MAXINT32));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  given = json_builder_get_root (builder);
  given_json = rl_json_to_string (given, NULL);
  payload = g_strjoin ("\t", KIND_VIEWERS, self->node, tenant, doc, NULL);

  add_text (&params, self->node);
  add_text (&params, tenant);
  add_text (&params, doc);
  add_int (&params, self->dead_ms);
  add_text (&params, given_json);
  add_text (&params, RL_STORE_PG_CHANNEL);
  add_text (&params, payload);
  /* One statement (one snapshot, one transaction): the node's rows made
   * what it says (those still there keep their place, ord), the others
   * told, and who views the document everywhere read back, this node's
   * from what it wrote (the statement does not see its own writes). */
  result = query (self, "cannot record who views a document",
                  "WITH given AS (SELECT * FROM ROWS FROM (json_to_recordset ($5::json)"
                  "   AS (id text, name text, connections integer))"
                  "   WITH ORDINALITY AS g (id, name, connections, i)),"
                  " said AS (INSERT INTO viewers (node, tenant, doc, user_id, user_name, connections, stamp)"
                  "   SELECT $1, $2, $3, id, name, connections, txid_current () FROM given ORDER BY i"
                  "   ON CONFLICT (node, tenant, doc, user_id) DO UPDATE SET user_name = EXCLUDED.user_name,"
                  "   connections = EXCLUDED.connections, stamp = EXCLUDED.stamp"
                  "   RETURNING user_id, user_name, connections, ord),"
                  " gone AS (DELETE FROM viewers WHERE node = $1 AND tenant = $2 AND doc = $3"
                  "   AND user_id NOT IN (SELECT id FROM given)),"
                  " told AS (SELECT pg_notify ($6, $7))"
                  " SELECT a.user_id, a.user_name, a.connections FROM told LEFT JOIN ("
                  VIEWERS_BY_USER ("SELECT * FROM said UNION ALL "
                                   VIEWERS_ALIVE ("$2", "$3", "$4", " AND v.node <> $1"))
                  ") a ON true ORDER BY a.first", &params, FALSE);
  return viewers_from_rows (result);
}

static GPtrArray *
rl_store_pg_get_viewers (RlStore    *store,
                         const char *tenant,
                         const char *doc)
{
  RlStorePg *self = RL_STORE_PG (store);
  g_auto(Params) params = { 0 };
  g_autoptr(Result) result = NULL;

  add_text (&params, tenant);
  add_text (&params, doc);
  add_int (&params, self->dead_ms);
  result = query (self, "cannot read who views a document",
                  "SELECT user_id, user_name, connections FROM ("
                  VIEWERS_BY_USER (VIEWERS_ALIVE ("$1", "$2", "$3", "")) ") a ORDER BY first", &params, FALSE);
  return viewers_from_rows (result);
}

/* ---- RlStore ------------------------------------------------------------------------------------ */

static void
rl_store_pg_store_iface_init (RlStoreInterface *iface)
{
  iface->add_tenant = rl_store_pg_add_tenant;
  iface->has_tenant = rl_store_pg_has_tenant;
  iface->add_user = rl_store_pg_add_user;
  iface->authenticate = rl_store_pg_authenticate;
  iface->add_document = rl_store_pg_add_document;
  iface->list_rows = rl_store_pg_list_rows;
  iface->get_document = rl_store_pg_get_document;
  iface->get_revisions = rl_store_pg_get_revisions;
  iface->get_revision_content = rl_store_pg_get_revision_content;
  iface->get_text_model = rl_store_pg_get_text_model;
  iface->read_threads = rl_store_pg_read_threads;
  iface->insert_revision = rl_store_pg_insert_revision;
  iface->write_placement = rl_store_pg_write_placement;
  iface->read_placement = rl_store_pg_read_placement;
  iface->get_head = rl_store_pg_get_head;
  iface->events_since = rl_store_pg_events_since;
  iface->transaction_step = rl_store_pg_transaction_step;
  iface->read_number = rl_store_pg_read_number;
  iface->write_row = rl_store_pg_write_row;
  iface->insert_thread = rl_store_pg_insert_thread;
  iface->insert_comment = rl_store_pg_insert_comment;
  iface->lookup_thread = rl_store_pg_lookup_thread;
  iface->lookup_comment = rl_store_pg_lookup_comment;
  iface->update_comment = rl_store_pg_update_comment;
  iface->run_query = rl_store_pg_run_query;
  iface->append_event = rl_store_pg_append_event;
  iface->open_writer = rl_store_pg_open_writer;
  iface->lock_group = rl_store_pg_lock_group;
  iface->add_usage = rl_store_pg_add_usage;
  iface->get_usage = rl_store_pg_get_usage;
  iface->remove_document = rl_store_pg_remove_document;
  iface->note_change = rl_store_pg_note_change;
  iface->import_records = rl_store_pg_import_records;
  iface->token_is_current = rl_store_pg_token_is_current;
  iface->read_changes = rl_store_pg_read_changes;
  iface->backup = rl_store_pg_backup;
  iface->watch_remote = rl_store_pg_watch_remote;
  iface->set_viewers = rl_store_pg_set_viewers;
  iface->get_viewers = rl_store_pg_get_viewers;
}
