/* test-store.c — what every RlStore promises, held against each
 * implementation in store_kinds[]
 *
 * Each case gets a fresh, empty store of one kind with one world in it (a
 * tenant, an admin, a member, a viewer, an image) and talks to it only
 * through rl-store.h; "a second process" is a second handle on the same
 * store. A new implementation joins by adding a row to store_kinds[].
 * PostgreSQL's cases each get a fresh database on the test run's private
 * cluster (tests/server/rl-test-pg.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <string.h>

#include "rl-codec.h"
#include "rl-error.h"
#include "rl-store-pg-private.h"
#include "rl-store-pg.h"
#include "rl-store-private.h"
#include "rl-store-sqlite.h"
#include "rl-store.h"
#include "rl-test-pg.h"
#include "rl-test-wait.h"
#include "rl-uuid.h"

/* ---- the implementations ------------------------------------------------------- */

/* What rl_store_backup does for a kind. */
typedef enum
{
  BACKUP_FILE,      /* writes a file that open () opens as a store */
  BACKUP_REFUSED,   /* refuses: the database has its own tools */
} Backup;

typedef struct
{
  const char  *name;
  /* Where a fresh, empty store of this kind lives, given a private
   * temporary directory; *resource, when set, is given to drop () at the
   * end of the case. */
  char       *(*new_location) (const char  *dir,
                               gpointer    *resource);
  void        (*drop)         (gpointer     resource);
  RlStore    *(*open)         (const char  *location,
                               GError     **error);
  Backup       backup;
  /* Cuts every connection to the store at location, as a database
   * restarting would; NULL when a store has none to lose. A kind that has
   * them has the two below. */
  void        (*lose_connections) (gpointer  resource);
  /* Turns the main loop until the store has its connection again (it
   * makes it without blocking the loop). */
  void        (*wait_connected)   (RlStore     *store);
  /* Holds every new connection to the store in its start-up (as a
   * database slow to answer would) until the returned handle is given to
   * release_connections. */
  gpointer    (*hold_connections)    (gpointer     resource);
  void        (*release_connections) (gpointer     held);
  /* Whether several servers (nodes) may share the store; a shared kind
   * has the two below. */
  gboolean     shared;
  /* Sends payload on the channel the nodes notify each other on. */
  void        (*notify_raw)   (gpointer     resource,
                               const char  *payload);
  /* The test-only heartbeat and death intervals of a node. */
  void        (*set_node_timing) (RlStore *store,
                                  guint    heartbeat_ms,
                                  guint    dead_ms);
} StoreKind;

static char *
sqlite_new_location (const char *dir,
                     gpointer   *resource)
{
  return g_build_filename (dir, "team.db", NULL);
}

static char *
pg_new_location (const char *dir,
                 gpointer   *resource)
{
  RlTestPg *pg = rl_test_pg_new ();

  *resource = pg;
  return g_strdup (pg->conninfo);
}

static void
pg_notify_raw (gpointer    resource,
               const char *payload)
{
  rl_test_pg_notify (resource, RL_STORE_PG_CHANNEL, payload);
}

static void
pg_set_node_timing (RlStore *store,
                    guint    heartbeat_ms,
                    guint    dead_ms)
{
  rl_store_pg_set_node_timing (RL_STORE_PG (store), heartbeat_ms, dead_ms);
}

static void
pg_wait_connected (RlStore *store)
{
  RL_TEST_WAIT_UNTIL (rl_store_pg_is_connected (RL_STORE_PG (store)), 10000);
}

/* A rename left uncommitted holds the database's lock that a connection's
 * start-up takes (so that it never starts in a database being dropped or
 * renamed); once rolled back, the start-ups carry on. */
static gpointer
pg_hold_connections (gpointer resource)
{
  RlTestPg *pg = resource;
  PGconn *conn = PQconnectdb (g_getenv ("REDLINE_TEST_PG"));
  g_autofree char *held_name = g_strconcat (pg->name, "_held", NULL);
  g_autofree char *from = PQescapeIdentifier (conn, pg->name, strlen (pg->name));
  g_autofree char *to = PQescapeIdentifier (conn, held_name, strlen (held_name));
  g_autofree char *rename = g_strdup_printf ("ALTER DATABASE %s RENAME TO %s", from, to);
  PGresult *result;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, "BEGIN");
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  PQclear (result);
  result = PQexec (conn, rename);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", rename, PQresultErrorMessage (result));
  PQclear (result);
  return conn;
}

static void
pg_release_connections (gpointer held)
{
  PGconn *conn = held;

  PQclear (PQexec (conn, "ROLLBACK"));
  PQfinish (conn);
}

static const StoreKind store_kinds[] = {
  /* One server's file: honestly not shared. */
  { "sqlite", sqlite_new_location, NULL, rl_store_sqlite_open, BACKUP_FILE, NULL, NULL, NULL, NULL, FALSE,
    NULL, NULL },
  { "postgresql", pg_new_location, (GDestroyNotify) rl_test_pg_free, rl_store_pg_open, BACKUP_REFUSED,
    (void (*) (gpointer)) rl_test_pg_disconnect_all, pg_wait_connected, pg_hold_connections,
    pg_release_connections, TRUE,
    pg_notify_raw, pg_set_node_timing },
};

/* ---- the world ---------------------------------------------------------------- */

typedef struct
{
  const StoreKind *kind;
  char            *dir;
  char            *location;
  gpointer         resource;
  RlStore         *store;
  char            *admin_token;
  char            *member_token;
  RlPrincipal     *admin;
  RlPrincipal     *member;
  RlPrincipal     *viewer;
  RlDocument      *doc;
} Fixture;

static const guint8 png_bytes[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 1, 2, 3 };

static RlPrincipal *
authenticate_ok (RlStore    *store,
                 const char *token)
{
  RlPrincipal *principal = rl_store_authenticate (store, token);

  g_assert_nonnull (principal);
  return principal;
}

static char *
add_user_ok (RlStore    *store,
             const char *tenant,
             const char *name,
             RlRole      role)
{
  g_autoptr(GError) error = NULL;
  char *token = rl_store_add_user (store, tenant, name, role, &error);

  g_assert_no_error (error);
  g_assert_nonnull (token);
  return token;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static (png_bytes, sizeof png_bytes);
  g_autofree char *viewer_token = NULL;

  fixture->kind = data;
  fixture->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->location = fixture->kind->new_location (fixture->dir, &fixture->resource);
  fixture->store = fixture->kind->open (fixture->location, &error);
  g_assert_no_error (error);
  g_assert_true (RL_IS_STORE (fixture->store));

  rl_store_add_tenant (fixture->store, "acme", &error);
  g_assert_no_error (error);
  fixture->admin_token = add_user_ok (fixture->store, "acme", "Ada", RL_ROLE_ADMIN);
  fixture->member_token = add_user_ok (fixture->store, "acme", "Bo", RL_ROLE_MEMBER);
  viewer_token = add_user_ok (fixture->store, "acme", "Cy", RL_ROLE_VIEWER);
  fixture->admin = authenticate_ok (fixture->store, fixture->admin_token);
  fixture->member = authenticate_ok (fixture->store, fixture->member_token);
  fixture->viewer = authenticate_ok (fixture->store, viewer_token);

  fixture->doc = rl_store_add_document (fixture->store, "acme", &fixture->admin->user, "Home", "image/png",
                                        1600, 1000, content, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->doc);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->doc, rl_document_free);
  g_clear_pointer (&fixture->admin, rl_principal_free);
  g_clear_pointer (&fixture->member, rl_principal_free);
  g_clear_pointer (&fixture->viewer, rl_principal_free);
  g_clear_pointer (&fixture->admin_token, g_free);
  g_clear_pointer (&fixture->member_token, g_free);
  g_clear_object (&fixture->store);
  if (fixture->kind->drop)
    g_clear_pointer (&fixture->resource, fixture->kind->drop);
  remove_tree (fixture->dir);
  g_clear_pointer (&fixture->location, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

/* ---- requests --------------------------------------------------------------- */

static RlRequest *
request_new (RlRequestType  type,
             const char    *doc,
             const char    *thread_id)
{
  RlRequest *request = rl_request_new (type);

  request->broadcast_id = rl_uuid_new ();
  request->doc = g_strdup (doc);
  request->thread_id = g_strdup (thread_id);
  return request;
}

static RlRequest *
create_thread_request (const char *doc,
                       const char *thread_id,
                       const char *comment_id,
                       const char *body)
{
  RlRequest *request = request_new (RL_REQUEST_CREATE_THREAD, doc, thread_id);

  request->comment_id = g_strdup (comment_id);
  request->body = g_strdup (body);
  request->has_anchor = TRUE;
  request->anchor.kind = RL_DOC_KIND_IMAGE;
  request->anchor.x = 0.25;
  request->anchor.y = 0.75;
  return request;
}

static RlRequest *
comment_request (RlRequestType  type,
                 const char    *doc,
                 const char    *thread_id,
                 const char    *comment_id,
                 const char    *body)
{
  RlRequest *request = request_new (type, doc, thread_id);

  request->comment_id = g_strdup (comment_id);
  request->body = g_strdup (body);
  return request;
}

/* Applies request as who; returns the event's seq and, in *serialized when
 * given, its serialization (checked to say the same seq and broadcastId). */
static gint64
apply_ok (RlStore           *store,
          const RlPrincipal *who,
          const RlDocument  *doc,
          const RlRequest   *request,
          char             **serialized_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *serialized = NULL;
  g_autoptr(RlEvent) event = rl_store_apply (store, who, doc, request, &serialized, &error);
  g_autoptr(RlMessage) message = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (event);
  g_assert_nonnull (serialized);
  g_assert_cmpstr (event->doc, ==, doc->id);
  g_assert_cmpstr (event->broadcast_id, ==, request->broadcast_id);
  g_assert_cmpstr (event->thread_id, ==, request->thread_id);

  message = rl_message_parse (serialized, strlen (serialized), &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, RL_MESSAGE_EVENT);
  g_assert_cmpint (message->event->seq, ==, event->seq);
  g_assert_cmpstr (message->event->broadcast_id, ==, request->broadcast_id);

  if (serialized_out)
    *serialized_out = g_steal_pointer (&serialized);
  return event->seq;
}

static void
apply_fails (RlStore           *store,
             const RlPrincipal *who,
             const RlDocument  *doc,
             const RlRequest   *request,
             RlErrorCode        code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *serialized = NULL;
  gint64 head = rl_store_get_head (store, who->tenant, doc->id);
  g_autoptr(RlEvent) event = rl_store_apply (store, who, doc, request, &serialized, &error);

  g_assert_error (error, RL_ERROR, (gint) code);
  g_assert_null (event);
  g_assert_null (serialized);
  /* Nothing changed: no seq was given away. */
  g_assert_cmpint (rl_store_get_head (store, who->tenant, doc->id), ==, head);
}

static gint64
create_thread (Fixture           *fixture,
               const RlPrincipal *who,
               const char        *thread_id,
               const char        *comment_id)
{
  g_autoptr(RlRequest) request = create_thread_request (fixture->doc->id, thread_id, comment_id, "Too tight");

  return apply_ok (fixture->store, who, fixture->doc, request, NULL);
}

/* ---- group commit ----------------------------------------------------------------- */

#define GROUP_APPLIES 200
#define GROUP_BAD     100   /* a create that reuses the first thread's id */
#define GROUP_VIEWER  150   /* asked for by a viewer */

typedef struct
{
  RlStore   *store;
  guint      done;
  gboolean   out_of_order;
  RlEvent   *events[GROUP_APPLIES];
  char      *serialized[GROUP_APPLIES];
  GError    *errors[GROUP_APPLIES];
} Group;

typedef struct
{
  Group *group;
  guint  index;
} GroupApply;

static void
group_applied (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autofree GroupApply *apply = data;
  Group *group = apply->group;

  if (apply->index != group->done)
    group->out_of_order = TRUE;
  group->events[apply->index] = rl_store_apply_finish (group->store, result, &group->serialized[apply->index],
                                                       NULL, &group->errors[apply->index]);
  group->done++;
}

/* Asked for at once, the applies end in far fewer transactions than there
 * are of them; each gets its seq, gapless and in order; the two that fail
 * their checks fail alone, with their own errors, and take no seq. */
static void
test_group_commit (Fixture       *fixture,
                   gconstpointer  data)
{
  Group group = { .store = fixture->store };
  g_autoptr(GPtrArray) log = NULL;
  gint64 seq = 0, head = 0;

  for (guint i = 0; i < GROUP_APPLIES; i++)
    {
      g_autofree char *thread_id = g_strdup_printf ("t%u", i == GROUP_BAD ? 0 : i);
      g_autofree char *comment_id = g_strdup_printf ("c%u", i);
      g_autoptr(RlRequest) request = create_thread_request (fixture->doc->id, thread_id, comment_id, "Group");
      GroupApply *apply = g_new0 (GroupApply, 1);

      apply->group = &group;
      apply->index = i;
      rl_store_apply_async (fixture->store, i == GROUP_VIEWER ? fixture->viewer : fixture->member,
                            fixture->doc, request, group_applied, apply);
    }
  while (group.done < GROUP_APPLIES)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (group.out_of_order);
  for (guint i = 0; i < GROUP_APPLIES; i++)
    {
      if (i == GROUP_BAD)
        {
          g_assert_error (group.errors[i], RL_ERROR, RL_ERROR_CONFLICT);
          g_assert_null (group.events[i]);
          g_assert_null (group.serialized[i]);
        }
      else if (i == GROUP_VIEWER)
        {
          g_assert_error (group.errors[i], RL_ERROR, RL_ERROR_FORBIDDEN);
          g_assert_null (group.events[i]);
        }
      else
        {
          g_assert_no_error (group.errors[i]);
          g_assert_nonnull (group.events[i]);
          g_assert_cmpint (group.events[i]->seq, ==, ++seq);
          g_assert_nonnull (group.serialized[i]);
        }
    }
  g_assert_cmpint (seq, ==, GROUP_APPLIES - 2);

  /* Committed for good: what a reader sees afterwards is the same log. */
  log = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 0, &head);
  g_assert_cmpint (head, ==, seq);
  g_assert_nonnull (log);
  g_assert_cmpuint (log->len, ==, (guint) seq);
  for (guint i = 0, e = 0; i < GROUP_APPLIES; i++)
    if (group.events[i] != NULL)
      g_assert_cmpstr (g_ptr_array_index (log, e++), ==, group.serialized[i]);

  /* One transaction per group, and the groups held many each. */
  g_assert_cmpuint (rl_store_get_group_commits (fixture->store), >=, 1);
  g_assert_cmpuint (rl_store_get_group_commits (fixture->store), <=, GROUP_APPLIES / 10);

  for (guint i = 0; i < GROUP_APPLIES; i++)
    {
      g_clear_pointer (&group.events[i], rl_event_free);
      g_clear_pointer (&group.serialized[i], g_free);
      g_clear_error (&group.errors[i]);
    }
}

/* The event log limit set on the store holds for what it commits in groups. */
static void
test_group_commit_log_limit (Fixture       *fixture,
                             gconstpointer  data)
{
  Group group = { .store = fixture->store };
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) recent = NULL;
  gint64 head = 0;

  rl_store_set_event_log_limit (fixture->store, 10);
  for (guint i = 0; i < 140; i++)
    {
      g_autofree char *thread_id = g_strdup_printf ("t%u", i);
      g_autoptr(RlRequest) request = create_thread_request (fixture->doc->id, thread_id, thread_id, "Limit");
      GroupApply *apply = g_new0 (GroupApply, 1);

      apply->group = &group;
      apply->index = i;
      rl_store_apply_async (fixture->store, fixture->member, fixture->doc, request, group_applied, apply);
    }
  while (group.done < 140)
    g_main_context_iteration (NULL, TRUE);

  /* Pruned (every 64 seqs) down to the limit's 10. */
  all = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 0, &head);
  g_assert_null (all);
  g_assert_cmpint (head, ==, 140);
  recent = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 130, &head);
  g_assert_nonnull (recent);
  g_assert_cmpuint (recent->len, ==, 10);

  for (guint i = 0; i < 140; i++)
    {
      g_assert_no_error (group.errors[i]);
      g_clear_pointer (&group.events[i], rl_event_free);
      g_clear_pointer (&group.serialized[i], g_free);
    }
}

/* ---- cases ---------------------------------------------------------------------- */

static void
test_tenants (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rl_store_has_tenant (fixture->store, "acme"));
  g_assert_false (rl_store_has_tenant (fixture->store, "globex"));

  g_assert_true (rl_store_add_tenant (fixture->store, "globex", &error));
  g_assert_no_error (error);
  g_assert_true (rl_store_has_tenant (fixture->store, "globex"));

  g_assert_false (rl_store_add_tenant (fixture->store, "globex", &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_CONFLICT);
  g_clear_error (&error);

  g_assert_false (rl_store_add_tenant (fixture->store, "Not/An-Id", &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_assert_false (rl_store_has_tenant (fixture->store, "Not/An-Id"));
}

static void
test_users (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *id = NULL;
  g_autoptr(RlPrincipal) principal = NULL;
  g_autoptr(GPtrArray) users = NULL;
  RlUserInfo *info;

  g_assert_null (rl_store_add_user (fixture->store, "globex", "Di", RL_ROLE_MEMBER, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (rl_store_add_user (fixture->store, "acme", " \t ", RL_ROLE_MEMBER, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  /* The name is kept trimmed; the token is the user's id and a secret. */
  token = add_user_ok (fixture->store, "acme", "  Di  ", RL_ROLE_MEMBER);
  g_assert_nonnull (strchr (token, '.'));
  id = g_strndup (token, strchr (token, '.') - token);
  principal = authenticate_ok (fixture->store, token);
  g_assert_cmpstr (principal->tenant, ==, "acme");
  g_assert_cmpstr (principal->user.id, ==, id);
  g_assert_cmpstr (principal->user.name, ==, "Di");
  g_assert_cmpint (principal->role, ==, RL_ROLE_MEMBER);
  g_assert_cmpstr (fixture->admin->user.name, ==, "Ada");
  g_assert_cmpint (fixture->admin->role, ==, RL_ROLE_ADMIN);
  g_assert_cmpint (fixture->viewer->role, ==, RL_ROLE_VIEWER);

  /* One wrong character of the secret, no secret, no token. */
  wrong = g_strdup (token);
  wrong[strlen (wrong) - 1] = wrong[strlen (wrong) - 1] == 'A' ? 'B' : 'A';
  g_assert_null (rl_store_authenticate (fixture->store, wrong));
  g_assert_null (rl_store_authenticate (fixture->store, id));
  g_assert_null (rl_store_authenticate (fixture->store, ""));
  g_assert_null (rl_store_authenticate (fixture->store, NULL));

  /* Listed oldest first, without any token. */
  rl_store_add_tenant (fixture->store, "globex", &error);
  g_assert_no_error (error);
  g_free (add_user_ok (fixture->store, "globex", "Eve", RL_ROLE_ADMIN));
  users = rl_store_list_users (fixture->store, "acme");
  g_assert_cmpuint (users->len, ==, 4);
  info = g_ptr_array_index (users, 0);
  g_assert_cmpstr (info->tenant, ==, "acme");
  g_assert_cmpstr (info->id, ==, fixture->admin->user.id);
  g_assert_cmpstr (info->name, ==, "Ada");
  g_assert_cmpint (info->role, ==, RL_ROLE_ADMIN);
  g_assert_cmpint (info->created_at, >, 0);
  g_assert_cmpint (info->revoked_at, ==, 0);
  info = g_ptr_array_index (users, 3);
  g_assert_cmpstr (info->id, ==, id);
  g_assert_cmpstr (info->name, ==, "Di");
  g_clear_pointer (&users, g_ptr_array_unref);

  users = rl_store_list_users (fixture->store, NULL);
  g_assert_cmpuint (users->len, ==, 5);
  g_assert_cmpstr (((RlUserInfo *) g_ptr_array_index (users, 4))->tenant, ==, "globex");
  g_clear_pointer (&users, g_ptr_array_unref);

  users = rl_store_list_users (fixture->store, "initech");
  g_assert_cmpuint (users->len, ==, 0);
}

static void
test_documents (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) page = g_bytes_new_static ("# Home\n", 7);
  g_autofree char *page_model = rl_store_text_model_for ("text/markdown", page);
  g_autoptr(GBytes) content = NULL;
  g_autoptr(RlDocument) doc = NULL;
  g_autoptr(RlDocument) second = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *expected_etag = g_compute_checksum_for_data (G_CHECKSUM_SHA256, png_bytes, sizeof png_bytes);

  doc = rl_store_get_document (fixture->store, "acme", fixture->doc->id);
  g_assert_nonnull (doc);
  g_assert_cmpstr (doc->id, ==, fixture->doc->id);
  g_assert_cmpint (doc->kind, ==, RL_DOC_KIND_IMAGE);
  g_assert_cmpstr (doc->title, ==, "Home");
  g_assert_cmpstr (doc->mime, ==, "image/png");
  g_assert_cmpint (doc->size, ==, sizeof png_bytes);
  g_assert_cmpint (doc->width, ==, 1600);
  g_assert_cmpint (doc->height, ==, 1000);
  g_assert_cmpint (doc->created_at, ==, fixture->doc->created_at);
  g_assert_cmpstr (doc->created_by.id, ==, fixture->admin->user.id);
  g_assert_cmpstr (doc->created_by.name, ==, "Ada");

  content = rl_store_get_content (fixture->store, "acme", fixture->doc->id, &etag);
  g_assert_nonnull (content);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content), png_bytes, sizeof png_bytes);
  g_assert_cmpstr (etag, ==, expected_etag);

  second = rl_store_add_document (fixture->store, "acme", &fixture->member->user, "Notes", "text/markdown",
                                  0, 0, page, page_model, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second->kind, ==, RL_DOC_KIND_PAGE);
  docs = rl_store_list_documents (fixture->store, "acme");
  g_assert_cmpuint (docs->len, ==, 2);
  g_assert_cmpstr (((RlDocument *) g_ptr_array_index (docs, 0))->id, ==, fixture->doc->id);
  g_assert_cmpstr (((RlDocument *) g_ptr_array_index (docs, 1))->id, ==, second->id);
  g_clear_pointer (&docs, g_ptr_array_unref);

  /* Another tenant sees none of it. */
  rl_store_add_tenant (fixture->store, "globex", &error);
  g_assert_no_error (error);
  g_assert_null (rl_store_get_document (fixture->store, "globex", fixture->doc->id));
  g_assert_null (rl_store_get_content (fixture->store, "globex", fixture->doc->id, NULL));
  docs = rl_store_list_documents (fixture->store, "globex");
  g_assert_cmpuint (docs->len, ==, 0);
  g_assert_null (rl_store_get_document (fixture->store, "acme", "no-such-document"));

  g_assert_null (rl_store_add_document (fixture->store, "acme", &fixture->admin->user, "Clip", "video/mp4",
                                        0, 0, page, NULL, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_assert_null (rl_store_add_document (fixture->store, "initech", &fixture->admin->user, "Home", "image/png",
                                        1, 1, page, NULL, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
}

static void
test_apply (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *thread_id = rl_uuid_new ();
  g_autofree char *first_id = rl_uuid_new ();
  g_autofree char *reply_id = rl_uuid_new ();
  g_autofree char *created = NULL;
  g_autofree char *replied = NULL;
  g_autoptr(RlRequest) create = create_thread_request (fixture->doc->id, thread_id, first_id, "Too tight");
  g_autoptr(RlRequest) reply = comment_request (RL_REQUEST_ADD_COMMENT, fixture->doc->id, thread_id,
                                                reply_id, "Agreed");
  g_autoptr(RlRequest) resolve = request_new (RL_REQUEST_RESOLVE_THREAD, fixture->doc->id, thread_id);
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlEvent) event = NULL;
  g_autofree char *serialized = NULL;
  RlThread *thread;
  RlComment *comment;
  gint64 head = -1;

  g_assert_cmpint (rl_store_get_head (fixture->store, "acme", fixture->doc->id), ==, 0);

  /* The create's event carries the whole thread, numbered. */
  event = rl_store_apply (fixture->store, fixture->member, fixture->doc, create, &serialized, &error);
  g_assert_no_error (error);
  g_assert_cmpint (event->seq, ==, 1);
  g_assert_cmpint (event->kind, ==, RL_EVENT_CREATED);
  g_assert_nonnull (event->thread);
  g_assert_cmpint (event->thread->number, ==, 1);
  g_assert_cmpstr (event->thread->created_by.id, ==, fixture->member->user.id);
  g_assert_cmpuint (event->thread->comments->len, ==, 1);
  created = g_steal_pointer (&serialized);

  g_assert_cmpint (apply_ok (fixture->store, fixture->admin, fixture->doc, reply, &replied), ==, 2);
  resolve->resolved = TRUE;
  g_assert_cmpint (apply_ok (fixture->store, fixture->admin, fixture->doc, resolve, NULL), ==, 3);
  g_assert_cmpint (rl_store_get_head (fixture->store, "acme", fixture->doc->id), ==, 3);

  threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, &head);
  g_assert_cmpint (head, ==, 3);
  g_assert_cmpuint (threads->len, ==, 1);
  thread = g_ptr_array_index (threads, 0);
  g_assert_cmpstr (thread->id, ==, thread_id);
  g_assert_cmpstr (thread->doc, ==, fixture->doc->id);
  g_assert_cmpint (thread->number, ==, 1);
  g_assert_true (thread->resolved);
  g_assert_cmpint (thread->anchor.kind, ==, RL_DOC_KIND_IMAGE);
  g_assert_cmpfloat (thread->anchor.x, ==, 0.25);
  g_assert_cmpfloat (thread->anchor.y, ==, 0.75);
  g_assert_cmpuint (thread->comments->len, ==, 2);
  comment = g_ptr_array_index (thread->comments, 0);
  g_assert_cmpstr (comment->id, ==, first_id);
  g_assert_cmpstr (comment->body, ==, "Too tight");
  g_assert_cmpstr (comment->author.name, ==, "Bo");
  comment = g_ptr_array_index (thread->comments, 1);
  g_assert_cmpstr (comment->id, ==, reply_id);
  g_assert_cmpstr (comment->author.id, ==, fixture->admin->user.id);

  /* The log hands back the very bytes the apply serialized, in order. */
  events = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 0, &head);
  g_assert_nonnull (events);
  g_assert_cmpint (head, ==, 3);
  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (events, 0), ==, created);
  g_assert_cmpstr (g_ptr_array_index (events, 1), ==, replied);
  g_clear_pointer (&events, g_ptr_array_unref);

  events = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 1, NULL);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (events, 0), ==, replied);
  g_clear_pointer (&events, g_ptr_array_unref);

  /* Up to date: nothing to send, which is not a reset. */
  events = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 3, NULL);
  g_assert_nonnull (events);
  g_assert_cmpuint (events->len, ==, 0);
  g_clear_pointer (&events, g_ptr_array_unref);

  /* Ahead of the store: only a reset helps. */
  g_assert_null (rl_store_events_since (fixture->store, "acme", fixture->doc->id, 4, &head));
  g_assert_cmpint (head, ==, 3);
}

static void
test_apply_refused (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *thread_id = rl_uuid_new ();
  g_autofree char *first_id = rl_uuid_new ();
  g_autofree char *other_id = rl_uuid_new ();
  g_autoptr(RlRequest) by_viewer = create_thread_request (fixture->doc->id, other_id, other_id, "Hi");
  g_autoptr(RlRequest) duplicate = create_thread_request (fixture->doc->id, thread_id, other_id, "Again");
  g_autoptr(RlRequest) edit = comment_request (RL_REQUEST_EDIT_COMMENT, fixture->doc->id, thread_id,
                                               first_id, "Mine now");
  g_autoptr(RlRequest) delete_first = comment_request (RL_REQUEST_DELETE_COMMENT, fixture->doc->id, thread_id,
                                                       first_id, NULL);
  g_autoptr(RlRequest) to_nowhere = comment_request (RL_REQUEST_ADD_COMMENT, fixture->doc->id, other_id,
                                                     other_id, "Hello?");
  g_autoptr(RlRequest) delete_thread = request_new (RL_REQUEST_DELETE_THREAD, fixture->doc->id, thread_id);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) threads = NULL;

  g_assert_cmpint (create_thread (fixture, fixture->admin, thread_id, first_id), ==, 1);

  apply_fails (fixture->store, fixture->viewer, fixture->doc, by_viewer, RL_ERROR_FORBIDDEN);
  apply_fails (fixture->store, fixture->member, fixture->doc, duplicate, RL_ERROR_CONFLICT);
  apply_fails (fixture->store, fixture->member, fixture->doc, edit, RL_ERROR_FORBIDDEN);
  apply_fails (fixture->store, fixture->member, fixture->doc, delete_thread, RL_ERROR_FORBIDDEN);
  apply_fails (fixture->store, fixture->admin, fixture->doc, delete_first, RL_ERROR_BAD_REQUEST);
  apply_fails (fixture->store, fixture->member, fixture->doc, to_nowhere, RL_ERROR_NOT_FOUND);

  /* The author may; then the thread is gone. */
  g_assert_cmpint (apply_ok (fixture->store, fixture->admin, fixture->doc, edit, NULL), ==, 2);
  g_assert_cmpint (apply_ok (fixture->store, fixture->admin, fixture->doc, delete_thread, NULL), ==, 3);
  events = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 0, NULL);
  g_assert_cmpuint (events->len, ==, 3);
  threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, NULL);
  g_assert_cmpuint (threads->len, ==, 0);
}

static void
test_thread_numbers (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(GStrv) ids = g_new0 (char *, 5);
  g_autoptr(RlRequest) delete_second = NULL;
  g_autoptr(GPtrArray) threads = NULL;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *comment_id = rl_uuid_new ();

      ids[i] = rl_uuid_new ();
      if (i == 3)
        {
          /* A deleted thread's number is not given again. */
          delete_second = request_new (RL_REQUEST_DELETE_THREAD, fixture->doc->id, ids[1]);
          apply_ok (fixture->store, fixture->member, fixture->doc, delete_second, NULL);
        }
      create_thread (fixture, fixture->member, ids[i], comment_id);
    }

  threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, NULL);
  g_assert_cmpuint (threads->len, ==, 3);
  g_assert_cmpstr (((RlThread *) g_ptr_array_index (threads, 0))->id, ==, ids[0]);
  g_assert_cmpint (((RlThread *) g_ptr_array_index (threads, 0))->number, ==, 1);
  g_assert_cmpstr (((RlThread *) g_ptr_array_index (threads, 1))->id, ==, ids[2]);
  g_assert_cmpint (((RlThread *) g_ptr_array_index (threads, 1))->number, ==, 3);
  g_assert_cmpstr (((RlThread *) g_ptr_array_index (threads, 2))->id, ==, ids[3]);
  g_assert_cmpint (((RlThread *) g_ptr_array_index (threads, 2))->number, ==, 4);
}

static void
test_event_log_limit (Fixture       *fixture,
                      gconstpointer  data)
{
  const guint limit = 10;
  g_autofree char *thread_id = rl_uuid_new ();
  g_autofree char *first_id = rl_uuid_new ();
  g_autoptr(GPtrArray) events = NULL;
  gint64 head = 0;

  rl_store_set_event_log_limit (fixture->store, limit);
  create_thread (fixture, fixture->member, thread_id, first_id);
  for (guint i = 1; i < 200; i++)
    {
      g_autofree char *comment_id = rl_uuid_new ();
      g_autoptr(RlRequest) reply = comment_request (RL_REQUEST_ADD_COMMENT, fixture->doc->id, thread_id,
                                                    comment_id, "More");

      head = apply_ok (fixture->store, fixture->member, fixture->doc, reply, NULL);
    }
  g_assert_cmpint (head, ==, 200);

  /* The last limit events are always there … */
  events = rl_store_events_since (fixture->store, "acme", fixture->doc->id, head - limit, NULL);
  g_assert_nonnull (events);
  g_assert_cmpuint (events->len, ==, limit);
  /* … and the log does not grow without bound: the start is gone. */
  g_assert_null (rl_store_events_since (fixture->store, "acme", fixture->doc->id, 0, NULL));
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  guint64 messages = 1, bytes = 1;

  rl_store_get_usage (fixture->store, "acme", &messages, &bytes);
  g_assert_cmpuint (messages, ==, 0);
  g_assert_cmpuint (bytes, ==, 0);

  rl_store_add_usage (fixture->store, "acme", 3, 100);
  rl_store_add_usage (fixture->store, "acme", 2, G_GUINT64_CONSTANT (5000000000));
  rl_store_get_usage (fixture->store, "acme", &messages, &bytes);
  g_assert_cmpuint (messages, ==, 5);
  g_assert_cmpuint (bytes, ==, G_GUINT64_CONSTANT (5000000100));

  rl_store_get_usage (fixture->store, "globex", &messages, &bytes);
  g_assert_cmpuint (messages, ==, 0);
  g_assert_cmpuint (bytes, ==, 0);
}

static void
test_revoke (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = NULL;
  gint64 was_revoked_at = -1;

  g_assert_true (rl_store_token_is_current (fixture->store, fixture->member));
  g_assert_true (rl_store_revoke_user (fixture->store, "acme", fixture->member->user.id, &was_revoked_at, &error));
  g_assert_no_error (error);
  g_assert_cmpint (was_revoked_at, ==, 0);
  g_assert_null (rl_store_authenticate (fixture->store, fixture->member_token));
  g_assert_false (rl_store_token_is_current (fixture->store, fixture->member));
  g_assert_true (rl_store_token_is_current (fixture->store, fixture->admin));

  /* Again: nothing changes, and it says since when. */
  g_assert_true (rl_store_revoke_user (fixture->store, "acme", fixture->member->user.id, &was_revoked_at, &error));
  g_assert_no_error (error);
  g_assert_cmpint (was_revoked_at, >, 0);
  users = rl_store_list_users (fixture->store, "acme");
  g_assert_cmpint (((RlUserInfo *) g_ptr_array_index (users, 1))->revoked_at, ==, was_revoked_at);

  /* A revoked user gets no new token. */
  g_assert_null (rl_store_rotate_token (fixture->store, "acme", fixture->member->user.id, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_null (rl_store_authenticate (fixture->store, fixture->member_token));

  g_assert_false (rl_store_revoke_user (fixture->store, "acme", "nobody", NULL, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* A user is found in their own tenant only. */
  rl_store_add_tenant (fixture->store, "globex", &error);
  g_assert_no_error (error);
  g_assert_false (rl_store_revoke_user (fixture->store, "globex", fixture->admin->user.id, NULL, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
  g_assert_true (rl_store_token_is_current (fixture->store, fixture->admin));
}

static void
test_rotate (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(RlPrincipal) principal = NULL;

  token = rl_store_rotate_token (fixture->store, "acme", fixture->admin->user.id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_cmpstr (token, !=, fixture->admin_token);

  g_assert_null (rl_store_authenticate (fixture->store, fixture->admin_token));
  g_assert_false (rl_store_token_is_current (fixture->store, fixture->admin));
  principal = authenticate_ok (fixture->store, token);
  g_assert_cmpstr (principal->user.id, ==, fixture->admin->user.id);
  g_assert_cmpint (principal->role, ==, RL_ROLE_ADMIN);
  g_assert_cmpint (principal->token_generation, ==, fixture->admin->token_generation + 1);
  g_assert_true (rl_store_token_is_current (fixture->store, principal));
  g_assert_true (rl_store_token_is_current (fixture->store, fixture->member));
}

static void
test_remove_document (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = rl_uuid_new ();
  g_autofree char *b = rl_uuid_new ();
  g_autofree char *ca = rl_uuid_new ();
  g_autofree char *cb = rl_uuid_new ();
  g_autofree char *reply_id = rl_uuid_new ();
  g_autoptr(RlRequest) reply = comment_request (RL_REQUEST_ADD_COMMENT, fixture->doc->id, a, reply_id, "Yes");
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  RlDocumentInfo *info;
  gint64 n_threads = -1, n_comments = -1, n_events = -1;

  create_thread (fixture, fixture->member, a, ca);
  create_thread (fixture, fixture->member, b, cb);
  apply_ok (fixture->store, fixture->admin, fixture->doc, reply, NULL);

  infos = rl_store_list_document_infos (fixture->store, NULL);
  g_assert_cmpuint (infos->len, ==, 1);
  info = g_ptr_array_index (infos, 0);
  g_assert_cmpstr (info->tenant, ==, "acme");
  g_assert_cmpstr (info->doc->id, ==, fixture->doc->id);
  g_assert_cmpstr (info->doc->title, ==, "Home");
  g_assert_cmpint (info->head_seq, ==, 3);
  g_assert_cmpint (info->threads, ==, 2);
  g_clear_pointer (&infos, g_ptr_array_unref);

  g_assert_true (rl_store_remove_document (fixture->store, "acme", fixture->doc->id,
                                           &n_threads, &n_comments, &n_events, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_threads, ==, 2);
  g_assert_cmpint (n_comments, ==, 3);
  g_assert_cmpint (n_events, ==, 3);

  g_assert_null (rl_store_get_document (fixture->store, "acme", fixture->doc->id));
  g_assert_null (rl_store_get_content (fixture->store, "acme", fixture->doc->id, NULL));
  g_assert_cmpint (rl_store_get_head (fixture->store, "acme", fixture->doc->id), ==, 0);
  threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, NULL);
  g_assert_cmpuint (threads->len, ==, 0);
  infos = rl_store_list_document_infos (fixture->store, "acme");
  g_assert_cmpuint (infos->len, ==, 0);

  g_assert_false (rl_store_remove_document (fixture->store, "acme", fixture->doc->id, NULL, NULL, NULL, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
}

/* ---- revisions ------------------------------------------------------------------ */

static const guint8 png_bytes_2[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 9, 8, 7, 6, 5 };

/* What a place () was asked for: each thread's id, in order. */
typedef struct
{
  GPtrArray          *asked;
  RlPlacementStatus   status;
} Placer;

/* The store's fallback matcher in these cases: the pin a tenth to the
 * right, or orphaned. */
static RlRevisionAnchor *
place_nudged (const RlThread *thread,
              const RlAnchor *from,
              gpointer        user_data)
{
  Placer *placer = user_data;
  RlRevisionAnchor *placement = rl_revision_anchor_new ();

  g_ptr_array_add (placer->asked, g_strdup (thread->id));
  placement->status = placer->status;
  placement->revision = 99;   /* the store sets it */
  if (placer->status != RL_PLACEMENT_ORPHANED)
    {
      rl_anchor_copy_into (&placement->anchor, from);
      placement->anchor.x += 0.1;
      placement->score = 0.5;
    }
  return placement;
}

/* A pin at x, halfway down. */
static void
set_pin (RlAnchor *anchor,
         double    x)
{
  anchor->kind = RL_DOC_KIND_IMAGE;
  anchor->x = x;
  anchor->y = 0.5;
}

static RlRevisionAnchor *
placement_new (RlPlacementStatus status,
               double            x,
               double            score)
{
  RlRevisionAnchor *placement = rl_revision_anchor_new ();

  placement->status = status;
  set_pin (&placement->anchor, x);
  placement->score = score;
  return placement;
}

/* Adds revision as who; the event, its bytes checked to parse back as it. */
static RlEvent *
add_revision_ok (Fixture              *fixture,
                 const RlPrincipal    *who,
                 const RlDocument     *doc,
                 const RlNewRevision  *revision,
                 GHashTable           *placements,
                 gint64                base_seq,
                 Placer               *placer,
                 char                **serialized_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *serialized = NULL;
  g_autofree char *broadcast_id = rl_uuid_new ();
  g_autoptr(RlMessage) message = NULL;
  RlEvent *event;

  event = rl_store_add_revision (fixture->store, who, doc->id, revision, broadcast_id, placements, base_seq,
                                 place_nudged, placer, &serialized, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  g_assert_cmpint (event->kind, ==, RL_EVENT_REVISION_ADDED);
  g_assert_cmpstr (event->broadcast_id, ==, broadcast_id);
  message = rl_message_parse (serialized, strlen (serialized), &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, RL_MESSAGE_EVENT);
  g_assert_cmpint (message->event->kind, ==, RL_EVENT_REVISION_ADDED);
  g_assert_cmpint (message->event->seq, ==, event->seq);
  g_assert_cmpint (message->event->added->revision, ==, event->added->revision);
  g_assert_cmpuint (message->event->placements ? message->event->placements->len : 0, ==,
                    event->placements ? event->placements->len : 0);
  if (serialized_out)
    *serialized_out = g_steal_pointer (&serialized);
  return event;
}

static void
add_revision_fails (Fixture              *fixture,
                    const RlPrincipal    *who,
                    const char           *doc,
                    const RlNewRevision  *revision,
                    RlErrorCode           code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *serialized = NULL;
  g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func (g_free);
  Placer placer = { asked, RL_PLACEMENT_MOVED };
  g_autoptr(RlEvent) event = NULL;

  event = rl_store_add_revision (fixture->store, who, doc, revision, NULL, NULL, 0, place_nudged, &placer,
                                 &serialized, NULL, &error);
  g_assert_error (error, RL_ERROR, (gint) code);
  g_assert_null (event);
  g_assert_null (serialized);
}

static RlThread *
find_thread (GPtrArray  *threads,
             const char *id)
{
  gboolean found = FALSE;
  guint i = rl_event_find_thread (threads, id, &found);

  g_assert_true (found);
  return g_ptr_array_index (threads, i);
}

static void
test_revisions (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *a = rl_uuid_new ();
  g_autofree char *b = rl_uuid_new ();
  g_autofree char *c = rl_uuid_new ();
  g_autofree char *ca = rl_uuid_new ();
  g_autofree char *cb = rl_uuid_new ();
  g_autofree char *cc = rl_uuid_new ();
  g_autoptr(GBytes) content = g_bytes_new_static (png_bytes_2, sizeof png_bytes_2);
  g_autoptr(GHashTable) placements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                            (GDestroyNotify) rl_revision_anchor_free);
  g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) revisions = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(RlEvent) event = NULL;
  g_autoptr(RlMessage) message = NULL;
  g_autoptr(RlRevision) revision = NULL;
  g_autoptr(RlDocument) doc = NULL;
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *serialized = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *expected_etag = g_compute_checksum_for_data (G_CHECKSUM_SHA256, png_bytes_2,
                                                                sizeof png_bytes_2);
  RlNewRevision second = { "image/png", 800, 500, content, NULL };
  Placer placer = { asked, RL_PLACEMENT_CHANGED };
  RlRevisionAnchor *placement;
  RlThread *thread;
  gint64 base_seq = 0, head = 0;

  /* A new document is its revision 1; threads are made on it, exactly. */
  g_assert_cmpint (fixture->doc->revision, ==, 1);
  revisions = rl_store_list_revisions (fixture->store, "acme", fixture->doc->id);
  g_assert_cmpuint (revisions->len, ==, 1);
  revision = g_ptr_array_steal_index (revisions, 0);
  g_assert_cmpint (revision->revision, ==, 1);
  g_assert_cmpstr (revision->mime, ==, "image/png");
  g_assert_cmpint (revision->size, ==, sizeof png_bytes);
  g_assert_cmpint (revision->width, ==, 1600);
  g_assert_cmpint (revision->height, ==, 1000);
  g_assert_cmpstr (revision->created_by.id, ==, fixture->admin->user.id);
  g_clear_pointer (&revision, rl_revision_free);
  g_clear_pointer (&revisions, g_ptr_array_unref);

  create_thread (fixture, fixture->member, a, ca);
  create_thread (fixture, fixture->member, b, cb);
  before = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, &base_seq);
  g_assert_cmpint (base_seq, ==, 2);
  thread = find_thread (before, a);
  g_assert_cmpint (thread->revision, ==, 1);
  g_assert_cmpuint (thread->placements->len, ==, 1);
  placement = g_ptr_array_index (thread->placements, 0);
  g_assert_cmpint (placement->revision, ==, 1);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_EXACT);
  g_assert_true (rl_anchor_equal (&placement->anchor, &thread->anchor));

  /* The caller matched a and b as of base_seq; c is made while it did, and
   * a placement given for it anyway is not taken: place () makes it. */
  g_hash_table_insert (placements, a, placement_new (RL_PLACEMENT_MOVED, 0.3, 0.94));
  g_hash_table_insert (placements, b, placement_new (RL_PLACEMENT_ORPHANED, 0, 0));
  g_hash_table_insert (placements, c, placement_new (RL_PLACEMENT_EXACT, 0.9, 0));
  rl_anchor_clear (&((RlRevisionAnchor *) g_hash_table_lookup (placements, b))->anchor);
  create_thread (fixture, fixture->admin, c, cc);

  event = add_revision_ok (fixture, fixture->member, fixture->doc, &second, placements, base_seq, &placer,
                           &serialized);
  g_assert_cmpint (event->seq, ==, 4);
  g_assert_cmpint (event->added->revision, ==, 2);
  g_assert_cmpstr (event->added->etag, ==, expected_etag);
  g_assert_cmpstr (event->added->created_by.id, ==, fixture->member->user.id);
  g_assert_cmpuint (event->placements->len, ==, 3);
  g_assert_cmpuint (asked->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (asked, 0), ==, c);

  /* The document's metadata and content are the latest's; revision 1 stays. */
  doc = rl_store_get_document (fixture->store, "acme", fixture->doc->id);
  g_assert_cmpint (doc->revision, ==, 2);
  g_assert_cmpint (doc->size, ==, sizeof png_bytes_2);
  g_assert_cmpint (doc->width, ==, 800);
  g_assert_cmpint (doc->height, ==, 500);
  stored = rl_store_get_content (fixture->store, "acme", fixture->doc->id, &etag);
  g_assert_cmpmem (g_bytes_get_data (stored, NULL), g_bytes_get_size (stored), png_bytes_2, sizeof png_bytes_2);
  g_assert_cmpstr (etag, ==, expected_etag);
  g_clear_pointer (&stored, g_bytes_unref);
  g_clear_pointer (&etag, g_free);
  stored = rl_store_get_revision_content (fixture->store, "acme", fixture->doc->id, 1, &etag);
  g_assert_cmpmem (g_bytes_get_data (stored, NULL), g_bytes_get_size (stored), png_bytes, sizeof png_bytes);
  g_clear_pointer (&stored, g_bytes_unref);
  g_assert_null (rl_store_get_revision_content (fixture->store, "acme", fixture->doc->id, 3, NULL));
  g_assert_null (rl_store_get_text_model (fixture->store, "acme", fixture->doc->id, 2));

  revisions = rl_store_list_revisions (fixture->store, "acme", fixture->doc->id);
  g_assert_cmpuint (revisions->len, ==, 2);
  g_assert_cmpint (((RlRevision *) g_ptr_array_index (revisions, 0))->revision, ==, 1);
  g_assert_cmpint (((RlRevision *) g_ptr_array_index (revisions, 1))->revision, ==, 2);
  revision = rl_store_get_revision (fixture->store, "acme", fixture->doc->id, 2);
  g_assert_cmpint (revision->width, ==, 800);
  g_assert_cmpstr (revision->etag, ==, expected_etag);
  g_assert_null (rl_store_get_revision (fixture->store, "acme", fixture->doc->id, 3));
  g_assert_null (rl_store_get_revision (fixture->store, "acme", fixture->doc->id, 0));

  /* What was stored: each thread's placement on 2, its v1 anchor the last
   * that has one. */
  after = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, &head);
  g_assert_cmpint (head, ==, 4);
  thread = find_thread (after, a);
  g_assert_cmpuint (thread->placements->len, ==, 2);
  placement = g_ptr_array_index (thread->placements, 1);
  g_assert_cmpint (placement->revision, ==, 2);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_MOVED);
  g_assert_cmpfloat (placement->score, ==, 0.94);
  g_assert_null (placement->by.id);
  g_assert_cmpfloat (thread->anchor.x, ==, 0.3);
  thread = find_thread (after, b);
  placement = g_ptr_array_index (thread->placements, 1);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_ORPHANED);
  g_assert_cmpfloat (thread->anchor.x, ==, 0.25);
  thread = find_thread (after, c);
  g_assert_cmpint (thread->revision, ==, 1);
  placement = g_ptr_array_index (thread->placements, 1);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_CHANGED);
  g_assert_cmpfloat (placement->anchor.x, ==, 0.35);

  /* The event's bytes, applied to the threads as they were, make them as
   * they are; and the log hands back the same bytes. */
  g_ptr_array_unref (before);
  before = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, NULL);
  for (guint i = 0; i < before->len; i++)
    {
      RlThread *old = g_ptr_array_index (before, i);

      g_ptr_array_set_size (old->placements, 1);
    }
  message = rl_message_parse (serialized, strlen (serialized), &error);
  g_assert_no_error (error);
  g_assert_true (rl_event_apply (message->event, before));
  g_assert_cmpuint (before->len, ==, after->len);
  for (guint i = 0; i < after->len; i++)
    g_assert_true (rl_thread_equal (g_ptr_array_index (before, i), g_ptr_array_index (after, i)));
  events = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 3, NULL);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (events, 0), ==, serialized);
  g_clear_pointer (&events, g_ptr_array_unref);

  /* A mutation's event says the latest revision. */
  g_clear_pointer (&event, rl_event_free);
  g_clear_pointer (&serialized, g_free);
  {
    g_autofree char *d = rl_uuid_new ();
    g_autofree char *cd = rl_uuid_new ();
    g_autoptr(RlRequest) create = create_thread_request (fixture->doc->id, d, cd, "Next");

    event = rl_store_apply (fixture->store, fixture->member, fixture->doc, create, &serialized, &error);
    g_assert_no_error (error);
    g_assert_cmpint (event->thread->revision, ==, 2);
    g_assert_cmpuint (event->thread->placements->len, ==, 1);
  }
}

static void
test_revisions_refused (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = g_bytes_new_static (png_bytes_2, sizeof png_bytes_2);
  g_autoptr(GBytes) page = g_bytes_new_static ("# Home\n", 7);
  g_autoptr(GError) error = NULL;
  RlNewRevision image = { "image/png", 800, 500, content, NULL };
  RlNewRevision text = { "text/markdown", 0, 0, page, NULL };
  g_autoptr(RlPrincipal) stranger = NULL;
  g_autoptr(GPtrArray) revisions = NULL;
  g_autofree char *stranger_token = NULL;

  /* Viewers may not; nothing changed. */
  add_revision_fails (fixture, fixture->viewer, fixture->doc->id, &image, RL_ERROR_FORBIDDEN);
  add_revision_fails (fixture, fixture->member, "no-such-document", &image, RL_ERROR_NOT_FOUND);
  add_revision_fails (fixture, fixture->member, fixture->doc->id, &text, RL_ERROR_BAD_REQUEST);
  revisions = rl_store_list_revisions (fixture->store, "acme", fixture->doc->id);
  g_assert_cmpuint (revisions->len, ==, 1);
  g_assert_cmpint (rl_store_get_head (fixture->store, "acme", fixture->doc->id), ==, 0);

  /* Another tenant's document is not found, by any call. */
  rl_store_add_tenant (fixture->store, "globex", &error);
  g_assert_no_error (error);
  stranger_token = add_user_ok (fixture->store, "globex", "Eve", RL_ROLE_ADMIN);
  stranger = authenticate_ok (fixture->store, stranger_token);
  add_revision_fails (fixture, stranger, fixture->doc->id, &image, RL_ERROR_NOT_FOUND);
  g_assert_null (rl_store_list_revisions (fixture->store, "globex", fixture->doc->id));
  g_assert_null (rl_store_get_revision (fixture->store, "globex", fixture->doc->id, 1));
  g_assert_null (rl_store_get_revision_content (fixture->store, "globex", fixture->doc->id, 1, NULL));
  g_assert_null (rl_store_list_revisions (fixture->store, "acme", "no-such-document"));
}

static void
test_revisions_of_pages (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GBytes) first = g_bytes_new_static ("# Home\n\nWelcome", 15);
  g_autoptr(GBytes) next = g_bytes_new_static ("# Home\n\nWelcome back", 20);
  g_autofree char *first_model = rl_store_text_model_for ("text/markdown", first);
  g_autofree char *next_model = rl_store_text_model_for ("text/markdown", next);
  g_autofree char *stored = NULL;
  g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(RlDocument) doc = NULL;
  g_autoptr(RlEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  RlNewRevision revision = { "text/plain", 0, 0, next, next_model };
  Placer placer = { asked, RL_PLACEMENT_MOVED };

  doc = rl_store_add_document (fixture->store, "acme", &fixture->member->user, "Copy", "text/markdown", 0, 0,
                               first, first_model, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first_model);
  stored = rl_store_get_text_model (fixture->store, "acme", doc->id, 1);
  g_assert_cmpstr (stored, ==, first_model);
  g_clear_pointer (&stored, g_free);

  event = add_revision_ok (fixture, fixture->admin, doc, &revision, NULL, 0, &placer, NULL);
  g_assert_cmpint (event->added->revision, ==, 2);
  g_assert_cmpstr (event->added->mime, ==, "text/plain");
  stored = rl_store_get_text_model (fixture->store, "acme", doc->id, 2);
  g_assert_cmpstr (stored, ==, next_model);
  g_clear_pointer (&stored, g_free);
  g_assert_null (rl_store_get_text_model (fixture->store, "acme", doc->id, 3));
  g_assert_null (rl_store_get_text_model (fixture->store, "globex", doc->id, 1));
}

/* Adds revision 2 of the fixture's image, every thread placed by placer. */
static void
add_second_revision (Fixture *fixture,
                     Placer  *placer)
{
  g_autoptr(GBytes) content = g_bytes_new_static (png_bytes_2, sizeof png_bytes_2);
  RlNewRevision second = { "image/png", 800, 500, content, NULL };
  g_autoptr(RlEvent) event = add_revision_ok (fixture, fixture->member, fixture->doc, &second, NULL, 0, placer,
                                              NULL);

  g_assert_cmpint (event->added->revision, ==, 2);
}

static RlRequest *
move_request (const char *doc,
              const char *thread_id,
              gint64      revision,
              double      x)
{
  RlRequest *request = request_new (RL_REQUEST_MOVE_THREAD, doc, thread_id);

  request->has_anchor = TRUE;
  set_pin (&request->anchor, x);
  request->revision = revision;
  return request;
}

static RlRevisionAnchor *
placement_on (Fixture    *fixture,
              const char *thread_id,
              gint64      revision)
{
  g_autoptr(GPtrArray) threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, NULL);
  RlRevisionAnchor *placement = rl_thread_get_placement (find_thread (threads, thread_id), revision);

  g_assert_nonnull (placement);
  return rl_revision_anchor_copy (placement);
}

static void
test_revision_conflicts (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *a = rl_uuid_new ();
  g_autofree char *ca = rl_uuid_new ();
  g_autofree char *b = rl_uuid_new ();
  g_autofree char *cb = rl_uuid_new ();
  g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(RlRequest) old_create = create_thread_request (fixture->doc->id, b, cb, "On 1");
  g_autoptr(RlRequest) old_move = move_request (fixture->doc->id, a, 1, 0.6);
  g_autoptr(RlRequest) move = move_request (fixture->doc->id, a, 2, 0.6);
  g_autoptr(RlRequest) v1_move = move_request (fixture->doc->id, a, 0, 0.7);
  g_autoptr(RlRevisionAnchor) placement = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  Placer placer = { asked, RL_PLACEMENT_CHANGED };

  create_thread (fixture, fixture->member, a, ca);
  add_second_revision (fixture, &placer);

  /* On an older revision: refused, nothing changed. */
  old_create->revision = 1;
  apply_fails (fixture->store, fixture->member, fixture->doc, old_create, RL_ERROR_CONFLICT);
  apply_fails (fixture->store, fixture->member, fixture->doc, old_move, RL_ERROR_CONFLICT);
  threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, NULL);
  g_assert_cmpuint (threads->len, ==, 1);
  g_clear_pointer (&threads, g_ptr_array_unref);

  /* On the latest, or unsaid: made there, and a move settles the placement. */
  old_create->revision = 2;
  apply_ok (fixture->store, fixture->member, fixture->doc, old_create, NULL);
  placement = placement_on (fixture, b, 2);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_EXACT);
  g_assert_null (rl_store_get_revision (fixture->store, "acme", fixture->doc->id, 3));
  g_clear_pointer (&placement, rl_revision_anchor_free);

  apply_ok (fixture->store, fixture->member, fixture->doc, move, NULL);
  placement = placement_on (fixture, a, 2);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_EXACT);
  g_assert_cmpfloat (placement->anchor.x, ==, 0.6);
  g_assert_cmpstr (placement->by.id, ==, fixture->member->user.id);
  g_clear_pointer (&placement, rl_revision_anchor_free);

  apply_ok (fixture->store, fixture->member, fixture->doc, v1_move, NULL);
  placement = placement_on (fixture, a, 2);
  g_assert_cmpfloat (placement->anchor.x, ==, 0.7);
  g_assert_cmpstr (placement->by.id, ==, fixture->member->user.id);
  g_clear_pointer (&placement, rl_revision_anchor_free);
  /* Revision 1's stays as it was. */
  placement = placement_on (fixture, a, 1);
  g_assert_cmpfloat (placement->anchor.x, ==, 0.25);
}

static RlRequest *
place_request (const char *doc,
               const char *thread_id,
               gint64      revision)
{
  RlRequest *request = request_new (RL_REQUEST_PLACE_THREAD, doc, thread_id);

  request->revision = revision;
  return request;
}

static void
test_place_thread (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *a = rl_uuid_new ();
  g_autofree char *ca = rl_uuid_new ();
  g_autofree char *b = rl_uuid_new ();
  g_autofree char *cb = rl_uuid_new ();
  g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(RlRequest) confirm = place_request (fixture->doc->id, a, 2);
  g_autoptr(RlRequest) old_confirm = place_request (fixture->doc->id, a, 1);
  g_autoptr(RlRequest) confirm_orphan = place_request (fixture->doc->id, b, 2);
  g_autoptr(RlRequest) reattach = place_request (fixture->doc->id, b, 2);
  g_autoptr(RlRequest) ghost = place_request (fixture->doc->id, "no-such-thread", 2);
  g_autoptr(RlRevisionAnchor) placement = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlEvent) event = NULL;
  g_autofree char *serialized = NULL;
  Placer placer = { asked, RL_PLACEMENT_CHANGED };

  create_thread (fixture, fixture->admin, a, ca);
  add_second_revision (fixture, &placer);
  placer.status = RL_PLACEMENT_ORPHANED;
  create_thread (fixture, fixture->admin, b, cb);
  {
    g_autoptr(GBytes) content = g_bytes_new_static (png_bytes, sizeof png_bytes);
    RlNewRevision third = { "image/png", 1600, 1000, content, NULL };
    g_autoptr(GHashTable) placements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                              (GDestroyNotify) rl_revision_anchor_free);
    g_autoptr(RlEvent) added = NULL;

    /* a changed on 3 (given), b orphaned (by place ()). */
    g_hash_table_insert (placements, a, placement_new (RL_PLACEMENT_CHANGED, 0.45, 0.6));
    added = add_revision_ok (fixture, fixture->member, fixture->doc, &third, placements,
                             rl_store_get_head (fixture->store, "acme", fixture->doc->id), &placer, NULL);
    g_assert_cmpint (added->added->revision, ==, 3);
  }
  confirm->revision = old_confirm->revision = confirm_orphan->revision = reattach->revision = 3;
  ghost->revision = 3;
  old_confirm->revision = 2;

  /* Refused: a viewer, an older revision, no such thread, an orphan to confirm. */
  apply_fails (fixture->store, fixture->viewer, fixture->doc, confirm, RL_ERROR_FORBIDDEN);
  apply_fails (fixture->store, fixture->member, fixture->doc, old_confirm, RL_ERROR_CONFLICT);
  apply_fails (fixture->store, fixture->member, fixture->doc, ghost, RL_ERROR_NOT_FOUND);
  event = rl_store_apply (fixture->store, fixture->member, fixture->doc, confirm_orphan, &serialized, &error);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_assert_cmpstr (error->message, ==, "an orphaned thread has no place to confirm; place it");
  g_assert_null (event);
  g_clear_error (&error);

  /* Any member confirms where the server put it: exact, by them. */
  event = rl_store_apply (fixture->store, fixture->member, fixture->doc, confirm, &serialized, &error);
  g_assert_no_error (error);
  g_assert_cmpint (event->change, ==, RL_CHANGE_MOVED);
  g_assert_cmpint (event->revision, ==, 3);
  g_assert_cmpfloat (event->anchor.x, ==, 0.45);
  g_assert_cmpstr (event->by.id, ==, fixture->member->user.id);
  placement = placement_on (fixture, a, 3);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_EXACT);
  g_assert_cmpfloat (placement->anchor.x, ==, 0.45);
  g_assert_cmpstr (placement->by.id, ==, fixture->member->user.id);
  g_clear_pointer (&placement, rl_revision_anchor_free);
  g_clear_pointer (&event, rl_event_free);
  g_clear_pointer (&serialized, g_free);

  /* An orphan is re-attached with an anchor. */
  reattach->has_anchor = TRUE;
  set_pin (&reattach->anchor, 0.8);
  apply_ok (fixture->store, fixture->member, fixture->doc, reattach, NULL);
  placement = placement_on (fixture, b, 3);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_EXACT);
  g_assert_cmpfloat (placement->anchor.x, ==, 0.8);
  g_assert_cmpstr (placement->by.id, ==, fixture->member->user.id);
  {
    g_autoptr(GPtrArray) threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, NULL);

    g_assert_cmpfloat (find_thread (threads, b)->anchor.x, ==, 0.8);
  }
}

static void
test_revisions_removed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *a = rl_uuid_new ();
  g_autofree char *ca = rl_uuid_new ();
  g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocument) again = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static (png_bytes, sizeof png_bytes);
  Placer placer = { asked, RL_PLACEMENT_MOVED };

  create_thread (fixture, fixture->member, a, ca);
  add_second_revision (fixture, &placer);
  g_assert_true (rl_store_remove_document (fixture->store, "acme", fixture->doc->id, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (rl_store_list_revisions (fixture->store, "acme", fixture->doc->id));
  g_assert_null (rl_store_get_revision (fixture->store, "acme", fixture->doc->id, 2));
  g_assert_null (rl_store_get_revision_content (fixture->store, "acme", fixture->doc->id, 1, NULL));
  g_assert_null (rl_store_get_content (fixture->store, "acme", fixture->doc->id, NULL));

  /* Nothing of it is left behind: the same thread id is free again. */
  again = rl_store_add_document (fixture->store, "acme", &fixture->admin->user, "Home", "image/png", 1600, 1000,
                                 content, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(RlRequest) create = create_thread_request (again->id, a, ca, "Again");
    g_autoptr(GPtrArray) threads = NULL;

    apply_ok (fixture->store, fixture->member, again, create, NULL);
    threads = rl_store_load_threads (fixture->store, "acme", again->id, NULL);
    g_assert_cmpuint (find_thread (threads, a)->placements->len, ==, 1);
  }
}

/* What another process commits reaches a serving store, in order, once. */
static void
test_changes (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlStore) other = fixture->kind->open (fixture->location, &error);
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *token = NULL;
  RlStoreChange *change;

  g_assert_no_error (error);
  g_assert_null (rl_store_read_changes (fixture->store));

  g_assert_true (rl_store_revoke_user (other, "acme", fixture->member->user.id, NULL, &error));
  token = rl_store_rotate_token (other, "acme", fixture->admin->user.id, &error);
  g_assert_no_error (error);
  g_assert_true (rl_store_remove_document (other, "acme", fixture->doc->id, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  changes = rl_store_read_changes (fixture->store);
  g_assert_nonnull (changes);
  g_assert_cmpuint (changes->len, ==, 3);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (change->kind, ==, RL_STORE_CHANGE_USER_REVOKED);
  g_assert_cmpstr (change->tenant, ==, "acme");
  g_assert_cmpstr (change->subject, ==, fixture->member->user.id);
  change = g_ptr_array_index (changes, 1);
  g_assert_cmpint (change->kind, ==, RL_STORE_CHANGE_TOKEN_ROTATED);
  g_assert_cmpstr (change->subject, ==, fixture->admin->user.id);
  change = g_ptr_array_index (changes, 2);
  g_assert_cmpint (change->kind, ==, RL_STORE_CHANGE_DOCUMENT_REMOVED);
  g_assert_cmpstr (change->subject, ==, fixture->doc->id);
  g_assert_null (rl_store_read_changes (fixture->store));
  g_clear_pointer (&changes, g_ptr_array_unref);

  /* The next one comes alone. */
  g_assert_true (rl_store_revoke_user (other, "acme", fixture->viewer->user.id, NULL, &error));
  g_assert_no_error (error);
  changes = rl_store_read_changes (fixture->store);
  g_assert_nonnull (changes);
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpint (change->kind, ==, RL_STORE_CHANGE_USER_REVOKED);
  g_assert_cmpstr (change->subject, ==, fixture->viewer->user.id);
  g_assert_null (rl_store_read_changes (fixture->store));

  /* And the serving store sees their effect. */
  g_assert_false (rl_store_token_is_current (fixture->store, fixture->member));
  g_assert_false (rl_store_token_is_current (fixture->store, fixture->admin));
  g_assert_null (rl_store_get_document (fixture->store, "acme", fixture->doc->id));
}

/* Writers on two handles at once: every seq once, no gap, nothing lost. */
static void
test_two_writers (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlStore) other = fixture->kind->open (fixture->location, &error);
  g_autoptr(GHashTable) broadcast_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  gint64 head = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *thread_id = rl_uuid_new ();
      g_autofree char *comment_id = rl_uuid_new ();
      g_autoptr(RlRequest) create = create_thread_request (fixture->doc->id, thread_id, comment_id, "Here");
      RlStore *store = i % 2 ? other : fixture->store;

      g_assert_cmpint (apply_ok (store, fixture->member, fixture->doc, create, NULL), ==, i + 1);
      g_hash_table_add (broadcast_ids, g_strdup (create->broadcast_id));
    }

  events = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 0, &head);
  g_assert_cmpint (head, ==, 40);
  g_assert_cmpuint (events->len, ==, 40);
  for (guint i = 0; i < events->len; i++)
    {
      const char *text = g_ptr_array_index (events, i);
      g_autoptr(RlMessage) message = rl_message_parse (text, strlen (text), &error);

      g_assert_no_error (error);
      g_assert_cmpint (message->event->seq, ==, i + 1);
      g_assert_true (g_hash_table_remove (broadcast_ids, message->event->broadcast_id));
      g_assert_cmpint (message->event->thread->number, ==, i + 1);
    }
  g_assert_cmpuint (g_hash_table_size (broadcast_ids), ==, 0);
  threads = rl_store_load_threads (other, "acme", fixture->doc->id, &head);
  g_assert_cmpuint (threads->len, ==, 40);
  g_assert_cmpint (head, ==, 40);
}

/* Everything committed is there when the store is opened again. */
static void
test_reopen (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = rl_uuid_new ();
  g_autofree char *comment_id = rl_uuid_new ();
  g_autoptr(RlPrincipal) principal = NULL;
  g_autoptr(RlDocument) doc = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint64 messages = 0, bytes = 0;
  gint64 head = 0;

  create_thread (fixture, fixture->member, thread_id, comment_id);
  rl_store_add_usage (fixture->store, "acme", 7, 70);
  g_clear_object (&fixture->store);

  fixture->store = fixture->kind->open (fixture->location, &error);
  g_assert_no_error (error);
  principal = authenticate_ok (fixture->store, fixture->member_token);
  g_assert_cmpstr (principal->user.id, ==, fixture->member->user.id);
  doc = rl_store_get_document (fixture->store, "acme", fixture->doc->id);
  g_assert_nonnull (doc);
  threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, &head);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpint (head, ==, 1);
  events = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 0, NULL);
  g_assert_cmpuint (events->len, ==, 1);
  rl_store_get_usage (fixture->store, "acme", &messages, &bytes);
  g_assert_cmpuint (messages, ==, 7);
  g_assert_cmpuint (bytes, ==, 70);
}

static void
test_backup (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = rl_uuid_new ();
  g_autofree char *comment_id = rl_uuid_new ();
  g_autofree char *later_thread_id = rl_uuid_new ();
  g_autofree char *later_comment_id = rl_uuid_new ();
  g_autofree char *path = g_build_filename (fixture->dir, "copy", NULL);
  g_autoptr(RlStore) copy = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(RlPrincipal) principal = NULL;
  gint64 bytes = 0, head = 0;

  create_thread (fixture, fixture->member, thread_id, comment_id);
  g_assert_true (rl_store_backup (fixture->store, path, FALSE, NULL, NULL, &bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bytes, >, 0);

  /* A later change is not in the copy. */
  create_thread (fixture, fixture->member, later_thread_id, later_comment_id);
  copy = fixture->kind->open (path, &error);
  g_assert_no_error (error);
  principal = authenticate_ok (copy, fixture->admin_token);
  threads = rl_store_load_threads (copy, "acme", fixture->doc->id, &head);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpint (head, ==, 1);
  g_clear_object (&copy);

  g_assert_false (rl_store_backup (fixture->store, path, FALSE, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (rl_store_backup (fixture->store, path, TRUE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* A store that keeps its data in a database server backs up with its tools. */
static void
test_backup_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "copy", NULL);

  g_assert_false (rl_store_backup (fixture->store, path, FALSE, NULL, NULL, NULL, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "pg_dump"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* A connection cut between operations fails the next one with an error that
 * says so, changes nothing, and the one after works on a new connection. */
static void
test_connection_lost (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *thread_id = rl_uuid_new ();
  g_autofree char *comment_id = rl_uuid_new ();
  g_autofree char *later_thread_id = rl_uuid_new ();
  g_autofree char *later_comment_id = rl_uuid_new ();
  g_autoptr(RlRequest) create = create_thread_request (fixture->doc->id, thread_id, comment_id, "Lost?");
  g_autoptr(GError) error = NULL;
  g_autofree char *serialized = NULL;
  g_autoptr(RlEvent) event = NULL;
  g_autoptr(GPtrArray) threads = NULL;

  create_thread (fixture, fixture->member, later_thread_id, later_comment_id);
  fixture->kind->lose_connections (fixture->resource);

  event = rl_store_apply (fixture->store, fixture->member, fixture->doc, create, &serialized, &error);
  g_assert_null (event);
  g_assert_null (serialized);
  g_assert_error (error, RL_ERROR, RL_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "connection"));
  g_clear_error (&error);

  /* Connected again: nothing of the failed one is there; it can be retried. */
  fixture->kind->wait_connected (fixture->store);
  g_assert_cmpint (rl_store_get_head (fixture->store, "acme", fixture->doc->id), ==, 1);
  g_assert_cmpint (apply_ok (fixture->store, fixture->member, fixture->doc, create, NULL), ==, 2);
  threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, NULL);
  g_assert_cmpuint (threads->len, ==, 2);
}

/* How late a timer of TICK_MS fired, at the worst. */
#define TICK_MS 20

typedef struct
{
  gint64 last;
  gint64 worst_late;
} Ticks;

static gboolean
tick_cb (gpointer data)
{
  Ticks *ticks = data;
  gint64 now = g_get_monotonic_time ();

  ticks->worst_late = MAX (ticks->worst_late, now - ticks->last - TICK_MS * 1000);
  ticks->last = now;
  return G_SOURCE_CONTINUE;
}

/* A connection lost is made again without blocking the main loop: while
 * the database is slow to let a connection in (a connection made blocking
 * would wait there, up to its 5 s timeout), a timer keeps firing on time,
 * each operation asked for meanwhile fails at once saying why, and the
 * store works again once the database lets the connection in. */
static void
test_reconnect_without_blocking (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *thread_id = rl_uuid_new ();
  g_autofree char *comment_id = rl_uuid_new ();
  g_autoptr(RlRequest) create = create_thread_request (fixture->doc->id, thread_id, comment_id, "Back?");
  g_autoptr(GError) error = NULL;
  Ticks ticks = { 0, 0 };
  gpointer held = NULL;
  guint tick_id, failed = 0;

  g_assert_true (rl_store_add_tenant (fixture->store, "before", &error));
  fixture->kind->lose_connections (fixture->resource);
  held = fixture->kind->hold_connections (fixture->resource);

  ticks.last = g_get_monotonic_time ();
  tick_id = g_timeout_add (TICK_MS, tick_cb, &ticks);
  for (guint n = 0;; n++)
    {
      g_autofree char *tenant = g_strdup_printf ("after-%u", n);
      gint64 started = g_get_monotonic_time ();
      gboolean added = rl_store_add_tenant (fixture->store, tenant, &error);

      g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC / 2);
      if (added)
        break;
      g_assert_error (error, RL_ERROR, RL_ERROR_INTERNAL);
      g_assert_nonnull (strstr (error->message, "connection"));
      g_clear_error (&error);
      /* Held through many turns of the loop, then let in. */
      if (++failed == 20)
        g_clear_pointer (&held, fixture->kind->release_connections);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick_id);
  g_assert_null (held);
  g_assert_cmpint (ticks.worst_late, <, G_USEC_PER_SEC / 2);

  /* Everything works on the new connection, prepared statements too. */
  g_assert_true (rl_store_has_tenant (fixture->store, "before"));
  g_assert_cmpint (apply_ok (fixture->store, fixture->member, fixture->doc, create, NULL), ==, 1);
  g_assert_cmpint (rl_store_get_head (fixture->store, "acme", fixture->doc->id), ==, 1);
}

/* ---- several nodes on one store ---------------------------------------------------- */

/* What a node heard, as it heard it. */
typedef struct
{
  RlStoreRemoteKind  kind;
  char              *tenant;
  char              *doc;
  gint64             seq;
  char              *serialized;
} Heard;

static void
heard_free (Heard *heard)
{
  g_free (heard->tenant);
  g_free (heard->doc);
  g_free (heard->serialized);
  g_free (heard);
}

/* A server's view of a shared store: its handle, watched as one node. */
typedef struct
{
  RlStore   *store;
  GPtrArray *heard;     /* Heard*, in order */
  guint      events;
  guint      viewers;
  guint      linked;
  guint      lost;
} Node;

static void
remote_cb (const RlStoreRemote *remote,
           gpointer             user_data)
{
  Node *node = user_data;
  Heard *heard = g_new0 (Heard, 1);

  heard->kind = remote->kind;
  heard->tenant = g_strdup (remote->tenant);
  heard->doc = g_strdup (remote->doc);
  heard->seq = remote->seq;
  heard->serialized = g_strdup (remote->serialized);
  g_ptr_array_add (node->heard, heard);
  switch (remote->kind)
    {
    case RL_STORE_REMOTE_EVENT:
      g_assert_nonnull (remote->tenant);
      g_assert_nonnull (remote->doc);
      node->events++;
      break;
    case RL_STORE_REMOTE_VIEWERS:
      g_assert_nonnull (remote->tenant);
      g_assert_nonnull (remote->doc);
      node->viewers++;
      break;
    case RL_STORE_REMOTE_LINKED:
      node->linked++;
      break;
    case RL_STORE_REMOTE_LOST:
      node->lost++;
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
node_clear (Node *node)
{
  g_clear_object (&node->store);
  g_clear_pointer (&node->heard, g_ptr_array_unref);
}

/* A second handle on the fixture's store, watched as node name. */
static void
node_start (Fixture    *fixture,
            Node       *node,
            const char *name)
{
  g_autoptr(GError) error = NULL;

  node->store = fixture->kind->open (fixture->location, &error);
  g_assert_no_error (error);
  g_assert_true (rl_store_is_shared (node->store));
  node->heard = g_ptr_array_new_with_free_func ((GDestroyNotify) heard_free);
  rl_store_watch_remote (node->store, name, remote_cb, node);
  /* Never from inside the call. */
  g_assert_cmpuint (node->heard->len, ==, 0);
}

/* Nodes a and b, both linked. */
static void
nodes_start (Fixture *fixture,
             Node    *a,
             Node    *b)
{
  node_start (fixture, a, "a");
  node_start (fixture, b, "b");
  RL_TEST_WAIT_LOOKING (a->linked > 0 && b->linked > 0, 10000);
}

/* The node's i-th EVENT. */
static Heard *
nth_event (Node  *node,
           guint  i)
{
  for (guint k = 0; k < node->heard->len; k++)
    {
      Heard *heard = g_ptr_array_index (node->heard, k);

      if (heard->kind == RL_STORE_REMOTE_EVENT && i-- == 0)
        return heard;
    }
  g_assert_not_reached ();
}

/* The node's last VIEWERS. */
static Heard *
last_viewers (Node *node)
{
  for (guint k = node->heard->len; k > 0; k--)
    {
      Heard *heard = g_ptr_array_index (node->heard, k - 1);

      if (heard->kind == RL_STORE_REMOTE_VIEWERS)
        return heard;
    }
  g_assert_not_reached ();
}

static gint64
create_thread_on (RlStore           *store,
                  Fixture           *fixture,
                  const char        *body,
                  char             **serialized)
{
  g_autofree char *thread_id = rl_uuid_new ();
  g_autofree char *comment_id = rl_uuid_new ();
  g_autoptr(RlRequest) create = create_thread_request (fixture->doc->id, thread_id, comment_id, body);

  return apply_ok (store, fixture->member, fixture->doc, create, serialized);
}

static void
add_viewer (GPtrArray  *viewers,
            const char *id,
            const char *name,
            guint       connections)
{
  RlViewer *viewer = g_new0 (RlViewer, 1);

  viewer->id = g_strdup (id);
  viewer->name = g_strdup (name);
  viewer->connections = connections;
  g_ptr_array_add (viewers, viewer);
}

static GPtrArray *
viewers_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) rl_viewer_free);
}

/* The document's viewers as "id:name:connections" joined by spaces. */
static char *
viewers_text (GPtrArray *viewers)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_nonnull (viewers);
  for (guint i = 0; i < viewers->len; i++)
    {
      const RlViewer *viewer = g_ptr_array_index (viewers, i);

      g_string_append_printf (out, "%s%s:%s:%u", i ? " " : "", viewer->id, viewer->name, viewer->connections);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
viewers_of (RlStore    *store,
            const char *doc)
{
  g_autoptr(GPtrArray) viewers = rl_store_get_viewers (store, "acme", doc);

  return viewers_text (viewers);
}

static gboolean
viewers_are (RlStore    *store,
             const char *doc,
             const char *expected)
{
  g_autofree char *viewers = viewers_of (store, doc);

  return g_str_equal (viewers, expected);
}

static void
test_is_shared (Fixture       *fixture,
                gconstpointer  data)
{
  g_assert_cmpint (rl_store_is_shared (fixture->store), ==, fixture->kind->shared);
}

/* What one node commits reaches the other with its seq and its very
 * bytes, never the node itself; a store no node watches notifies too. */
/* What a node commits in groups (on its committer's own connection) is its
 * own: the other node hears it, the node itself does not. */
static void
test_remote_group_commit (Fixture       *fixture,
                          gconstpointer  data)
{
  Node a = { 0 }, b = { 0 };
  Group group = { .store = NULL };

  nodes_start (fixture, &a, &b);
  group.store = a.store;
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *thread_id = g_strdup_printf ("t%u", i);
      g_autoptr(RlRequest) request = create_thread_request (fixture->doc->id, thread_id, thread_id, "Node a");
      GroupApply *apply = g_new0 (GroupApply, 1);

      apply->group = &group;
      apply->index = i;
      rl_store_apply_async (a.store, fixture->member, fixture->doc, request, group_applied, apply);
    }
  while (group.done < 10)
    g_main_context_iteration (NULL, TRUE);
  RL_TEST_WAIT_LOOKING (b.events == 10, 10000);
  for (guint i = 0; i < 10; i++)
    {
      g_assert_no_error (group.errors[i]);
      g_assert_cmpint (nth_event (&b, i)->seq, ==, i + 1);
      g_assert_cmpstr (nth_event (&b, i)->serialized, ==, group.serialized[i]);
      g_clear_pointer (&group.events[i], rl_event_free);
      g_clear_pointer (&group.serialized[i], g_free);
    }

  /* b's next commit reaches a first of all: a heard none of its own. */
  g_assert_cmpint (create_thread_on (b.store, fixture, "From b", NULL), ==, 11);
  RL_TEST_WAIT_LOOKING (a.events == 1, 10000);
  g_assert_cmpint (nth_event (&a, 0)->seq, ==, 11);

  node_clear (&a);
  node_clear (&b);
}

static void
test_remote_events (Fixture       *fixture,
                    gconstpointer  data)
{
  Node a = { 0 }, b = { 0 };
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  Heard *heard;

  nodes_start (fixture, &a, &b);

  g_assert_cmpint (create_thread_on (a.store, fixture, "From a", &first), ==, 1);
  RL_TEST_WAIT_LOOKING (b.events == 1, 10000);
  heard = nth_event (&b, 0);
  g_assert_cmpstr (heard->tenant, ==, "acme");
  g_assert_cmpstr (heard->doc, ==, fixture->doc->id);
  g_assert_cmpint (heard->seq, ==, 1);
  g_assert_cmpstr (heard->serialized, ==, first);

  /* Notifications come in commit order: had a heard its own seq 1, it
   * would have before b's seq 2. */
  g_assert_cmpint (create_thread_on (b.store, fixture, "From b", &second), ==, 2);
  RL_TEST_WAIT_LOOKING (a.events == 1, 10000);
  heard = nth_event (&a, 0);
  g_assert_cmpint (heard->seq, ==, 2);
  g_assert_cmpstr (heard->serialized, ==, second);

  /* Through a handle that is no node: both hear it, and b not its own. */
  g_assert_cmpint (create_thread_on (fixture->store, fixture, "From no node", &third), ==, 3);
  RL_TEST_WAIT_LOOKING (a.events == 2 && b.events == 2, 10000);
  g_assert_cmpint (nth_event (&a, 1)->seq, ==, 3);
  g_assert_cmpint (nth_event (&b, 1)->seq, ==, 3);
  g_assert_cmpstr (nth_event (&b, 1)->serialized, ==, third);
  g_assert_cmpuint (a.viewers + a.lost, ==, 0);
  g_assert_cmpuint (b.viewers + b.lost, ==, 0);

  node_clear (&a);
  node_clear (&b);
}

/* Writers on two nodes, one after the other: each hears the other's in seq
 * order, each once. */
static void
test_remote_order (Fixture       *fixture,
                   gconstpointer  data)
{
  Node a = { 0 }, b = { 0 };
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func (g_free);
  Node *nodes[] = { &a, &b };

  nodes_start (fixture, &a, &b);
  for (guint i = 0; i < 50; i++)
    {
      char *serialized = NULL;

      g_assert_cmpint (create_thread_on (nodes[i % 2]->store, fixture, "Turn", &serialized), ==, i + 1);
      g_ptr_array_add (sent, serialized);
    }
  RL_TEST_WAIT_LOOKING (a.events == 25 && b.events == 25, 20000);

  /* b heard a's (seq 1, 3, …, 49), a heard b's (2, 4, …, 50). */
  for (guint n = 0; n < 2; n++)
    for (guint i = 0; i < 25; i++)
      {
        Heard *heard = nth_event (nodes[1 - n], i);
        gint64 seq = 2 * i + 1 + n;

        g_assert_cmpstr (heard->tenant, ==, "acme");
        g_assert_cmpstr (heard->doc, ==, fixture->doc->id);
        g_assert_cmpint (heard->seq, ==, seq);
        g_assert_cmpstr (heard->serialized, ==, g_ptr_array_index (sent, seq - 1));
      }

  /* And nothing twice: the next one is the next each hears. */
  g_assert_cmpint (create_thread_on (fixture->store, fixture, "Last", NULL), ==, 51);
  RL_TEST_WAIT_LOOKING (a.events == 26 && b.events == 26, 10000);
  g_assert_cmpint (nth_event (&a, 25)->seq, ==, 51);
  g_assert_cmpint (nth_event (&b, 25)->seq, ==, 51);

  node_clear (&a);
  node_clear (&b);
}

/* An event too large for a notification is told without its bytes; the
 * log has them. */
static void
test_remote_large_event (Fixture       *fixture,
                         gconstpointer  data)
{
  Node a = { 0 }, b = { 0 };
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *large = NULL;
  g_autofree char *small = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 head = 0;

  nodes_start (fixture, &a, &b);
  /* 3000 characters (the protocol allows 4000), 9000 bytes. */
  for (guint i = 0; i < 3000; i++)
    g_string_append (body, "€");
  g_assert_cmpint (create_thread_on (a.store, fixture, body->str, &large), ==, 1);
  g_assert_cmpuint (strlen (large), >, 9000);
  g_assert_cmpint (create_thread_on (a.store, fixture, "Small again", &small), ==, 2);

  RL_TEST_WAIT_LOOKING (b.events == 2, 10000);
  g_assert_cmpint (nth_event (&b, 0)->seq, ==, 1);
  g_assert_null (nth_event (&b, 0)->serialized);
  g_assert_cmpint (nth_event (&b, 1)->seq, ==, 2);
  g_assert_cmpstr (nth_event (&b, 1)->serialized, ==, small);

  events = rl_store_events_since (b.store, "acme", fixture->doc->id, nth_event (&b, 0)->seq - 1, &head);
  g_assert_nonnull (events);
  g_assert_cmpint (head, ==, 2);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (events, 0), ==, large);

  node_clear (&a);
  node_clear (&b);
}

/* The viewer count is of distinct users on every node, connections
 * summed, the one viewing longest first. */
static void
test_remote_viewers (Fixture       *fixture,
                     gconstpointer  data)
{
  Node a = { 0 }, b = { 0 }, again = { 0 };
  g_autoptr(GPtrArray) on_a = viewers_new ();
  g_autoptr(GPtrArray) on_b = viewers_new ();
  g_autoptr(GPtrArray) elsewhere = viewers_new ();
  g_autoptr(GPtrArray) bob_only = viewers_new ();
  g_autoptr(GPtrArray) none = viewers_new ();
  const char *doc = fixture->doc->id;
  Heard *heard;

  nodes_start (fixture, &a, &b);
  g_assert_true (viewers_are (a.store, doc, ""));

  add_viewer (on_a, "alice", "Alice", 2);
  add_viewer (on_a, "bob", "Bob", 1);
  rl_store_set_viewers (a.store, "acme", doc, on_a);
  RL_TEST_WAIT_LOOKING (b.viewers == 1, 10000);
  heard = last_viewers (&b);
  g_assert_cmpstr (heard->tenant, ==, "acme");
  g_assert_cmpstr (heard->doc, ==, doc);

  add_viewer (on_b, "alice", "Alice", 1);
  rl_store_set_viewers (b.store, "acme", doc, on_b);
  RL_TEST_WAIT_LOOKING (a.viewers == 1, 10000);
  g_assert_cmpstr (last_viewers (&a)->doc, ==, doc);

  g_assert_true (viewers_are (a.store, doc, "alice:Alice:3 bob:Bob:1"));
  g_assert_true (viewers_are (b.store, doc, "alice:Alice:3 bob:Bob:1"));
  g_assert_true (viewers_are (fixture->store, doc, "alice:Alice:3 bob:Bob:1"));

  /* Another document's are its own. */
  add_viewer (elsewhere, "carol", "Carol", 1);
  rl_store_set_viewers (a.store, "acme", "elsewhere", elsewhere);
  RL_TEST_WAIT_LOOKING (b.viewers == 2, 10000);
  g_assert_cmpstr (last_viewers (&b)->doc, ==, "elsewhere");
  g_assert_true (viewers_are (b.store, "elsewhere", "carol:Carol:1"));
  g_assert_true (viewers_are (b.store, doc, "alice:Alice:3 bob:Bob:1"));

  /* Replaced: alice left a; bob, there since before alice came to b, is
   * now the one viewing longest. A node is not told of its own. */
  add_viewer (bob_only, "bob", "Bob", 1);
  rl_store_set_viewers (a.store, "acme", doc, bob_only);
  RL_TEST_WAIT_LOOKING (b.viewers == 3, 10000);
  g_assert_cmpuint (a.viewers, ==, 1);
  g_assert_true (viewers_are (b.store, doc, "bob:Bob:1 alice:Alice:1"));

  rl_store_set_viewers (a.store, "acme", doc, none);
  rl_store_set_viewers (b.store, "acme", doc, NULL);
  RL_TEST_WAIT_LOOKING (b.viewers == 4 && a.viewers == 2, 10000);
  g_assert_true (viewers_are (a.store, doc, ""));

  /* A node that starts again under its name drops what it said before. */
  rl_store_set_viewers (a.store, "acme", doc, on_a);
  RL_TEST_WAIT_LOOKING (b.viewers == 5, 10000);
  g_assert_true (viewers_are (b.store, doc, "alice:Alice:2 bob:Bob:1"));
  node_clear (&a);
  node_start (fixture, &again, "a");
  RL_TEST_WAIT_LOOKING (b.viewers >= 6 && viewers_are (b.store, doc, ""), 10000);
  g_assert_true (viewers_are (b.store, "elsewhere", ""));

  node_clear (&again);
  node_clear (&b);
}

/* Saying a node's viewers and reading everyone's in one go gives what a
 * read right after would: this node's as just said, the others' as they
 * are. */
static void
test_remote_viewers_exchange (Fixture       *fixture,
                              gconstpointer  data)
{
  Node a = { 0 }, b = { 0 };
  g_autoptr(GPtrArray) on_a = viewers_new ();
  g_autoptr(GPtrArray) on_b = viewers_new ();
  g_autoptr(GPtrArray) bob_only = viewers_new ();
  g_autoptr(GPtrArray) none = viewers_new ();
  const char *doc = fixture->doc->id;
  struct
  {
    GPtrArray  *said;
    const char *expected;
  } steps[] = {
    { on_a, "alice:Alice:3 bob:Bob:1" },
    { bob_only, "alice:Alice:1 bob:Bob:1" },
    { none, "alice:Alice:1" },
    { on_a, "alice:Alice:3 bob:Bob:1" },
  };

  nodes_start (fixture, &a, &b);
  add_viewer (on_b, "alice", "Alice", 1);
  rl_store_set_viewers (b.store, "acme", doc, on_b);
  RL_TEST_WAIT_UNTIL (a.viewers == 1, 10000);
  add_viewer (on_a, "alice", "Alice", 2);
  add_viewer (on_a, "bob", "Bob", 1);
  add_viewer (bob_only, "bob", "Bob", 1);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GPtrArray) everywhere = rl_store_exchange_viewers (a.store, "acme", doc, steps[i].said);
      g_autofree char *text = viewers_text (everywhere);

      g_assert_cmpstr (text, ==, steps[i].expected);
      g_assert_true (viewers_are (a.store, doc, steps[i].expected));
      g_assert_true (viewers_are (b.store, doc, steps[i].expected));
      /* The others hear of it as of a plain set. */
      RL_TEST_WAIT_UNTIL (b.viewers == i + 1, 10000);
    }
  /* A node is not told of its own. */
  g_assert_cmpuint (a.viewers, ==, 1);

  node_clear (&a);
  node_clear (&b);
}

/* A node that dies: its viewers leave every count within the deadline (a
 * dead time and a heartbeat), and the others hear of it; one alive stays,
 * however long. */
static void
test_remote_dead_node (Fixture       *fixture,
                       gconstpointer  data)
{
  const guint heartbeat_ms = 100, dead_ms = 1000;
  Node a = { 0 }, b = { 0 };
  g_autoptr(GPtrArray) on_a = viewers_new ();
  g_autoptr(GPtrArray) on_b = viewers_new ();
  const char *doc = fixture->doc->id;
  guint heard_before;
  gint64 died_at;

  nodes_start (fixture, &a, &b);
  fixture->kind->set_node_timing (a.store, heartbeat_ms, dead_ms);
  fixture->kind->set_node_timing (b.store, heartbeat_ms, dead_ms);
  add_viewer (on_a, "alice", "Alice", 1);
  add_viewer (on_b, "bob", "Bob", 1);
  rl_store_set_viewers (a.store, "acme", doc, on_a);
  rl_store_set_viewers (b.store, "acme", doc, on_b);
  RL_TEST_WAIT_LOOKING (a.viewers == 1 && b.viewers == 1, 10000);

  /* Alive for longer than the dead time: still counted. */
  rl_test_run_for (3 * dead_ms);
  g_assert_true (viewers_are (b.store, doc, "alice:Alice:1 bob:Bob:1"));
  g_assert_cmpuint (b.viewers, ==, 1);

  /* Gone without a word. */
  heard_before = b.viewers;
  node_clear (&a);
  died_at = g_get_monotonic_time ();
  RL_TEST_WAIT_LOOKING (b.viewers > heard_before && viewers_are (b.store, doc, "bob:Bob:1"),
                        dead_ms + 2 * heartbeat_ms + 1000);
  g_assert_cmpint (g_get_monotonic_time () - died_at, >=, (dead_ms - heartbeat_ms) * 1000);
  g_assert_cmpstr (last_viewers (&b)->tenant, ==, "acme");
  g_assert_cmpstr (last_viewers (&b)->doc, ==, doc);

  node_clear (&b);
}

/* A node taken for dead (its heartbeat stopped) and then heard again is
 * told LINKED, so that its server says its viewers again. */
static void
test_remote_node_back (Fixture       *fixture,
                       gconstpointer  data)
{
  const guint heartbeat_ms = 100, dead_ms = 1000;
  Node a = { 0 }, b = { 0 };
  g_autoptr(GPtrArray) on_a = viewers_new ();
  const char *doc = fixture->doc->id;
  guint linked_before;

  nodes_start (fixture, &a, &b);
  fixture->kind->set_node_timing (a.store, heartbeat_ms, dead_ms);
  fixture->kind->set_node_timing (b.store, heartbeat_ms, dead_ms);
  add_viewer (on_a, "alice", "Alice", 1);
  rl_store_set_viewers (a.store, "acme", doc, on_a);
  RL_TEST_WAIT_LOOKING (b.viewers == 1, 10000);

  /* Both stop saying they are alive: no one removes a's viewers, yet a
   * node not heard from for the dead time is not counted. */
  fixture->kind->set_node_timing (a.store, G_MAXINT, dead_ms);
  fixture->kind->set_node_timing (b.store, G_MAXINT, dead_ms);
  RL_TEST_WAIT_LOOKING (viewers_are (b.store, doc, ""), 10 * dead_ms);
  g_assert_cmpuint (b.viewers, ==, 1);

  /* b speaks again, and takes a for dead. */
  fixture->kind->set_node_timing (b.store, heartbeat_ms, dead_ms);
  RL_TEST_WAIT_LOOKING (b.viewers == 2, 10 * heartbeat_ms + 1000);
  g_assert_true (viewers_are (b.store, doc, ""));
  linked_before = a.linked;
  g_assert_cmpuint (a.lost, ==, 0);

  /* It speaks again: it is told to say its viewers again, and once said
   * they count. */
  fixture->kind->set_node_timing (a.store, heartbeat_ms, dead_ms);
  RL_TEST_WAIT_LOOKING (a.linked > linked_before, 10 * heartbeat_ms + 1000);
  rl_store_set_viewers (a.store, "acme", doc, on_a);
  g_assert_true (viewers_are (b.store, doc, "alice:Alice:1"));
  rl_test_run_for (2 * dead_ms);
  g_assert_true (viewers_are (b.store, doc, "alice:Alice:1"));

  node_clear (&a);
  node_clear (&b);
}

/* Whatever else arrives on the channel is ignored without harm. */
static void
test_remote_malformed (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *malformed[] = {
    "", "hello", "E", "V", "E\tz", "E\tz\tacme\tdoc", "E\tz\tacme\tdoc\t0", "E\tz\tacme\tdoc\t-3",
    "E\tz\tacme\tdoc\t12x", "E\tz\tacme\tdoc\t99999999999999999999", "E\tz\tacme\tdoc\t5\t",
    "E\tz\t\tdoc\t5\t{}", "E\tz\tacme\t\t5", "V\tz\tacme", "V\tz\tacme\tdoc\textra", "V\tz\t\tdoc",
    "X\tz\tacme\tdoc", "e\tz\tacme\tdoc\t5",
  };
  Node a = { 0 }, b = { 0 };
  g_autofree char *serialized = NULL;

  nodes_start (fixture, &a, &b);
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    fixture->kind->notify_raw (fixture->resource, malformed[i]);

  /* Heard after all of them (commit order): nothing came before it. */
  g_assert_cmpint (create_thread_on (a.store, fixture, "After the noise", &serialized), ==, 1);
  RL_TEST_WAIT_LOOKING (b.events == 1, 10000);
  g_assert_cmpstr (nth_event (&b, 0)->serialized, ==, serialized);
  g_assert_cmpuint (b.heard->len, ==, b.linked + 1);
  g_assert_cmpuint (a.heard->len, ==, a.linked);

  node_clear (&a);
  node_clear (&b);
}

/* ---- unread, mentions and activity (protocol 1.2) ------------------------------ */

#define BROADCAST_ID "5b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

static void
add_mention (RlRequest  *request,
             const char *user,
             gint64      start,
             gint64      end)
{
  if (request->mentions == NULL)
    request->mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_mention_free);
  g_ptr_array_add (request->mentions, rl_mention_new (user, start, end));
}

/* user's log from since on, each item parsed (aseq checked to follow). */
static GPtrArray *
activity_of (Fixture    *fixture,
             const char *user,
             gint64      since)
{
  g_autoptr(GPtrArray) texts = NULL;
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_activity_free);
  gint64 head = -1;

  texts = rl_store_activity_since (fixture->store, "acme", user, since, -1, &head);
  g_assert_nonnull (texts);
  g_assert_cmpint (head, ==, since + (gint64) texts->len);
  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(RlMessage) message = rl_message_parse (text, strlen (text), &error);

      g_assert_no_error (error);
      g_assert_cmpint (message->type, ==, RL_MESSAGE_ACTIVITY);
      g_assert_cmpint (message->activity->aseq, ==, since + 1 + i);
      g_ptr_array_add (items, g_steal_pointer (&message->activity));
    }
  return items;
}

static RlActivity *
nth_item (GPtrArray *items,
          guint      i)
{
  return g_ptr_array_index (items, i);
}

static RlPrincipal *
add_member (Fixture    *fixture,
            const char *tenant,
            const char *name)
{
  g_autofree char *token = add_user_ok (fixture->store, tenant, name, RL_ROLE_MEMBER);

  return authenticate_ok (fixture->store, token);
}

/* A comment keeps its event's seq, an edit keeps it; mentions are kept
 * structured and resolve to the user whoever they are called now; another
 * tenant's user, a revoked one or a stranger is not found and nothing
 * changes; the mentioned get one `mention` item (an edit only for whom it
 * adds), never the author. */
static void
test_comment_seq_mentions (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *thread = rl_uuid_new ();
  g_autofree char *first = rl_uuid_new ();
  g_autofree char *reply = rl_uuid_new ();
  g_autoptr(RlRequest) create = create_thread_request (fixture->doc->id, thread, first, "@Bo look");
  g_autoptr(RlRequest) add = comment_request (RL_REQUEST_ADD_COMMENT, fixture->doc->id, thread, reply, "ok @Cy");
  g_autoptr(RlRequest) edit = comment_request (RL_REQUEST_EDIT_COMMENT, fixture->doc->id, thread, first,
                                               "@Bo and @Cy look");
  g_autoptr(RlRequest) stranger = comment_request (RL_REQUEST_ADD_COMMENT, fixture->doc->id, thread, reply, "@X");
  g_autoptr(RlPrincipal) outsider = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  RlThread *loaded;
  RlComment *comment;
  RlMention *mention;
  gint64 created, added, edited;

  rl_store_add_tenant (fixture->store, "globex", &error);
  g_assert_no_error (error);
  outsider = add_member (fixture, "globex", "Gina");

  add_mention (create, fixture->member->user.id, 0, 3);
  created = apply_ok (fixture->store, fixture->admin, fixture->doc, create, NULL);

  /* Another tenant's user, or no user at all: not found, nothing changed. */
  add_mention (stranger, outsider->user.id, 0, 2);
  apply_fails (fixture->store, fixture->member, fixture->doc, stranger, RL_ERROR_NOT_FOUND);
  g_clear_pointer (&stranger->mentions, g_ptr_array_unref);
  add_mention (stranger, "nobody", 0, 2);
  apply_fails (fixture->store, fixture->member, fixture->doc, stranger, RL_ERROR_NOT_FOUND);

  add_mention (add, fixture->viewer->user.id, 3, 6);
  added = apply_ok (fixture->store, fixture->member, fixture->doc, add, NULL);

  threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, NULL);
  loaded = g_ptr_array_index (threads, 0);
  comment = g_ptr_array_index (loaded->comments, 0);
  g_assert_cmpint (comment->seq, ==, created);
  g_assert_cmpuint (comment->mentions->len, ==, 1);
  mention = g_ptr_array_index (comment->mentions, 0);
  g_assert_cmpstr (mention->user, ==, fixture->member->user.id);
  g_assert_cmpint (mention->start, ==, 0);
  g_assert_cmpint (mention->end, ==, 3);
  comment = g_ptr_array_index (loaded->comments, 1);
  g_assert_cmpint (comment->seq, ==, added);
  g_assert_cmpuint (comment->mentions->len, ==, 1);
  g_clear_pointer (&threads, g_ptr_array_unref);

  /* Bo: mentioned in the new thread (no reply to his own comment). */
  items = activity_of (fixture, fixture->member->user.id, 0);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (nth_item (items, 0)->kind, ==, RL_ACTIVITY_MENTION);
  g_assert_cmpint (nth_item (items, 0)->doc_seq, ==, created);
  g_assert_cmpstr (nth_item (items, 0)->thread, ==, thread);
  g_assert_cmpint (nth_item (items, 0)->thread_number, ==, 1);
  g_assert_cmpstr (nth_item (items, 0)->comment->id, ==, first);
  g_assert_cmpstr (nth_item (items, 0)->actor.id, ==, fixture->admin->user.id);
  g_assert_cmpstr (nth_item (items, 0)->doc.title, ==, "Home");
  g_clear_pointer (&items, g_ptr_array_unref);
  /* Cy: mentioned in Bo's reply (a mention, not also a reply). */
  items = activity_of (fixture, fixture->viewer->user.id, 0);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (nth_item (items, 0)->kind, ==, RL_ACTIVITY_MENTION);
  g_assert_cmpstr (nth_item (items, 0)->comment->id, ==, reply);
  g_clear_pointer (&items, g_ptr_array_unref);
  /* Ada: the reply in her thread. */
  items = activity_of (fixture, fixture->admin->user.id, 0);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (nth_item (items, 0)->kind, ==, RL_ACTIVITY_REPLY);
  g_assert_cmpint (nth_item (items, 0)->comment->seq, ==, added);
  g_clear_pointer (&items, g_ptr_array_unref);
  g_assert_cmpint (rl_store_get_activity_head (fixture->store, "globex", outsider->user.id), ==, 0);

  /* An edit keeps the seq; only whom it adds is told (Cy), not Bo again. */
  add_mention (edit, fixture->member->user.id, 0, 3);
  add_mention (edit, fixture->viewer->user.id, 8, 11);
  edited = apply_ok (fixture->store, fixture->admin, fixture->doc, edit, NULL);
  threads = rl_store_load_threads (fixture->store, "acme", fixture->doc->id, NULL);
  comment = g_ptr_array_index (((RlThread *) g_ptr_array_index (threads, 0))->comments, 0);
  g_assert_cmpint (comment->seq, ==, created);
  g_assert_cmpuint (comment->mentions->len, ==, 2);
  g_assert_cmpint (rl_store_get_activity_head (fixture->store, "acme", fixture->member->user.id), ==, 1);
  items = activity_of (fixture, fixture->viewer->user.id, 1);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (nth_item (items, 0)->kind, ==, RL_ACTIVITY_MENTION);
  g_assert_cmpint (nth_item (items, 0)->doc_seq, ==, edited);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* A revoked user is no one to mention either. */
  g_clear_pointer (&stranger->mentions, g_ptr_array_unref);
  g_assert_true (rl_store_revoke_user (fixture->store, "acme", fixture->viewer->user.id, NULL, &error));
  g_assert_no_error (error);
  add_mention (stranger, fixture->viewer->user.id, 0, 2);
  apply_fails (fixture->store, fixture->member, fixture->doc, stranger, RL_ERROR_NOT_FOUND);
}

/* Replies and resolutions reach the thread's participants, revisions the
 * document's, never the actor nor anyone else; the log keeps its last
 * items, and asking from before them (or past the head) finds nothing. */
static void
test_activity_log (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *thread = rl_uuid_new ();
  g_autofree char *first = rl_uuid_new ();
  g_autofree char *reply = rl_uuid_new ();
  g_autoptr(RlRequest) add = comment_request (RL_REQUEST_ADD_COMMENT, fixture->doc->id, thread, reply, "Agreed");
  g_autoptr(RlRequest) resolve = request_new (RL_REQUEST_RESOLVE_THREAD, fixture->doc->id, thread);
  g_autoptr(RlPrincipal) outsider = add_member (fixture, "acme", "Di");
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func (g_free);
  Placer placer = { asked, RL_PLACEMENT_EXACT };
  gint64 resolved, head = -1;

  g_assert_cmpint (rl_store_get_activity_head (fixture->store, "acme", fixture->member->user.id), ==, 0);
  g_assert_cmpint (rl_store_get_activity_head (fixture->store, "acme", "nobody"), ==, -1);
  create_thread (fixture, fixture->member, thread, first);
  apply_ok (fixture->store, fixture->admin, fixture->doc, add, NULL);
  resolve->resolved = TRUE;
  resolved = apply_ok (fixture->store, fixture->admin, fixture->doc, resolve, NULL);
  add_second_revision (fixture, &placer);

  /* Bo started the thread: Ada's reply and her resolution. */
  items = activity_of (fixture, fixture->member->user.id, 0);
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpint (nth_item (items, 0)->kind, ==, RL_ACTIVITY_REPLY);
  g_assert_cmpstr (nth_item (items, 0)->comment->body, ==, "Agreed");
  g_assert_cmpint (nth_item (items, 1)->kind, ==, RL_ACTIVITY_RESOLVED);
  g_assert_true (nth_item (items, 1)->resolved);
  g_assert_cmpint (nth_item (items, 1)->doc_seq, ==, resolved);
  g_clear_pointer (&items, g_ptr_array_unref);
  /* Ada uploaded the document and commented: Bo's new version. */
  items = activity_of (fixture, fixture->admin->user.id, 0);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (nth_item (items, 0)->kind, ==, RL_ACTIVITY_REVISION);
  g_assert_cmpint (nth_item (items, 0)->revision, ==, 2);
  g_assert_cmpstr (nth_item (items, 0)->actor.id, ==, fixture->member->user.id);
  g_clear_pointer (&items, g_ptr_array_unref);
  /* Di and Cy have nothing to do with it. */
  g_assert_cmpint (rl_store_get_activity_head (fixture->store, "acme", outsider->user.id), ==, 0);
  g_assert_cmpint (rl_store_get_activity_head (fixture->store, "acme", fixture->viewer->user.id), ==, 0);

  /* Past the head: none. */
  g_assert_null (rl_store_activity_since (fixture->store, "acme", fixture->member->user.id, 3, -1, &head));
  g_assert_cmpint (head, ==, 2);
  texts = rl_store_activity_since (fixture->store, "acme", fixture->member->user.id, 2, -1, &head);
  g_assert_cmpuint (texts->len, ==, 0);
  g_clear_pointer (&texts, g_ptr_array_unref);
  texts = rl_store_activity_recent (fixture->store, "acme", fixture->member->user.id, 50);
  g_assert_cmpuint (texts->len, ==, 1);   /* the reply; resolutions are not recent items */
  g_clear_pointer (&texts, g_ptr_array_unref);

  /* Kept to the limit: the oldest go, and a resync from before them finds a gap. */
  rl_store_set_activity_log_limit (fixture->store, 2);
  resolve->resolved = FALSE;
  g_free (resolve->broadcast_id);
  resolve->broadcast_id = rl_uuid_new ();
  apply_ok (fixture->store, fixture->admin, fixture->doc, resolve, NULL);
  g_assert_null (rl_store_activity_since (fixture->store, "acme", fixture->member->user.id, 0, -1, &head));
  g_assert_cmpint (head, ==, 3);
  items = activity_of (fixture, fixture->member->user.id, 1);
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_false (nth_item (items, 1)->resolved);
}

/* Unread per user: others' comments after the user was added, above the
 * floor and the thread's marker; marking read raises, never lowers, is
 * checked, and says so in the user's own log. */
static void
test_unread (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *a = rl_uuid_new ();
  g_autofree char *ca = rl_uuid_new ();
  g_autofree char *b = rl_uuid_new ();
  g_autofree char *cb = rl_uuid_new ();
  g_autofree char *reply = rl_uuid_new ();
  g_autofree char *own = rl_uuid_new ();
  g_autofree char *own_comment = rl_uuid_new ();
  g_autoptr(RlRequest) mention = comment_request (RL_REQUEST_ADD_COMMENT, fixture->doc->id, a, reply, "@Bo?");
  g_autoptr(GPtrArray) unread = NULL;
  g_autoptr(RlReadState) state = NULL;
  g_autoptr(RlStoreActivity) read = NULL;
  g_autoptr(RlPrincipal) late = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  RlActivityUnread *line;
  gint64 seq_a, seq_b, head;

  seq_a = create_thread (fixture, fixture->admin, a, ca);
  seq_b = create_thread (fixture, fixture->admin, b, cb);
  add_mention (mention, fixture->member->user.id, 0, 3);
  head = apply_ok (fixture->store, fixture->admin, fixture->doc, mention, NULL);
  create_thread (fixture, fixture->member, own, own_comment);   /* his own: never unread */

  unread = rl_store_get_unread (fixture->store, "acme", fixture->member->user.id, NULL);
  g_assert_cmpuint (unread->len, ==, 1);
  line = g_ptr_array_index (unread, 0);
  g_assert_cmpstr (line->doc.id, ==, fixture->doc->id);
  g_assert_cmpstr (line->doc.title, ==, "Home");
  g_assert_cmpint (line->counts.threads, ==, 2);
  g_assert_cmpint (line->counts.comments, ==, 3);
  g_assert_cmpint (line->counts.mentions, ==, 1);
  g_clear_pointer (&unread, g_ptr_array_unref);
  /* Ada wrote them all. */
  unread = rl_store_get_unread (fixture->store, "acme", fixture->admin->user.id, NULL);
  g_assert_cmpuint (unread->len, ==, 1);
  g_assert_cmpint (((RlActivityUnread *) g_ptr_array_index (unread, 0))->counts.comments, ==, 1);
  g_clear_pointer (&unread, g_ptr_array_unref);

  /* Thread a read to its end: b's comment is left. */
  read = rl_store_mark_read (fixture->store, fixture->member, fixture->doc->id, a, head, BROADCAST_ID, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read->aseq, >, 0);
  unread = rl_store_get_unread (fixture->store, "acme", fixture->member->user.id, fixture->doc->id);
  line = g_ptr_array_index (unread, 0);
  g_assert_cmpint (line->counts.threads, ==, 1);
  g_assert_cmpint (line->counts.comments, ==, 1);
  g_assert_cmpint (line->counts.mentions, ==, 0);
  g_clear_pointer (&unread, g_ptr_array_unref);
  g_clear_pointer (&read, rl_store_activity_free);

  /* Lower: changes nothing. Past the head, another thread or document: refused. */
  read = rl_store_mark_read (fixture->store, fixture->member, fixture->doc->id, a, seq_a, BROADCAST_ID, &error);
  g_assert_no_error (error);
  g_clear_pointer (&read, rl_store_activity_free);
  g_assert_null (rl_store_mark_read (fixture->store, fixture->member, fixture->doc->id, NULL, head + 100,
                                     BROADCAST_ID, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_assert_null (rl_store_mark_read (fixture->store, fixture->member, fixture->doc->id, ca, 1, BROADCAST_ID, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (rl_store_mark_read (fixture->store, fixture->member, "nodoc", NULL, 0, BROADCAST_ID, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  state = rl_store_get_read_state (fixture->store, "acme", fixture->member->user.id, fixture->doc->id);
  g_assert_cmpint (state->seq, ==, 0);
  g_assert_cmpuint (state->threads->len, ==, 1);
  g_assert_cmpstr (((RlReadMarker *) g_ptr_array_index (state->threads, 0))->thread, ==, a);
  g_assert_cmpint (((RlReadMarker *) g_ptr_array_index (state->threads, 0))->seq, ==, head);
  g_clear_pointer (&state, rl_read_state_free);

  /* The floor past b: everything read; the marker at or below it goes. */
  read = rl_store_mark_read (fixture->store, fixture->member, fixture->doc->id, NULL, head, BROADCAST_ID, &error);
  g_assert_no_error (error);
  unread = rl_store_get_unread (fixture->store, "acme", fixture->member->user.id, NULL);
  g_assert_cmpuint (unread->len, ==, 0);
  g_clear_pointer (&unread, g_ptr_array_unref);
  state = rl_store_get_read_state (fixture->store, "acme", fixture->member->user.id, fixture->doc->id);
  g_assert_cmpint (state->seq, ==, head);
  g_assert_cmpuint (state->threads->len, ==, 0);
  g_assert_cmpint (seq_b, <, head);

  /* Each mark-read is an item of his own log, with its broadcastId. */
  items = activity_of (fixture, fixture->member->user.id, 0);
  g_assert_cmpint (nth_item (items, items->len - 1)->kind, ==, RL_ACTIVITY_READ);
  g_assert_cmpint (nth_item (items, items->len - 1)->seq, ==, head);
  g_assert_null (nth_item (items, items->len - 1)->thread);
  g_assert_cmpstr (nth_item (items, items->len - 1)->broadcast_id, ==, BROADCAST_ID);
  g_assert_cmpint (read->aseq, ==, items->len);

  /* Someone added later has no backlog. */
  late = add_member (fixture, "acme", "Eve");
  unread = rl_store_get_unread (fixture->store, "acme", late->user.id, NULL);
  g_assert_cmpuint (unread->len, ==, 0);
}

static RlMember *
find_member (GPtrArray  *members,
             const char *id)
{
  for (guint i = 0; i < members->len; i++)
    if (g_str_equal (((RlMember *) g_ptr_array_index (members, i))->person.id, id))
      return g_ptr_array_index (members, i);
  return NULL;
}

/* The members to mention: not revoked, any role; a rename keeps the id. */
static void
test_members (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) members = rl_store_list_members (fixture->store, "acme");
  g_autoptr(GError) error = NULL;
  RlMember *member;

  g_assert_cmpuint (members->len, ==, 3);
  member = find_member (members, fixture->member->user.id);
  g_assert_true (member != NULL && g_str_equal (member->person.name, "Bo") && member->role == RL_ROLE_MEMBER);
  member = find_member (members, fixture->viewer->user.id);
  g_assert_true (member != NULL && member->role == RL_ROLE_VIEWER);
  g_clear_pointer (&members, g_ptr_array_unref);

  g_assert_true (rl_store_rename_user (fixture->store, "acme", fixture->member->user.id, "  Bodil ", &error));
  g_assert_no_error (error);
  g_assert_true (rl_store_revoke_user (fixture->store, "acme", fixture->viewer->user.id, NULL, &error));
  members = rl_store_list_members (fixture->store, "acme");
  g_assert_cmpuint (members->len, ==, 2);
  g_assert_null (find_member (members, fixture->viewer->user.id));
  member = find_member (members, fixture->member->user.id);
  g_assert_true (member != NULL && g_str_equal (member->person.name, "Bodil"));

  g_assert_false (rl_store_rename_user (fixture->store, "acme", "nobody", "X", &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (rl_store_rename_user (fixture->store, "acme", fixture->member->user.id, " ", &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
}

/* ---- registration ------------------------------------------------------------ */

typedef void (*StoreTest) (Fixture       *fixture,
                           gconstpointer  data);

static const struct
{
  const char *name;
  StoreTest   func;
  enum { ANY_KIND, BACKUP_FILE_ONLY, BACKUP_REFUSED_ONLY, CONNECTED_ONLY, SHARED_ONLY } kinds;
} store_tests[] = {
  { "tenants", test_tenants, ANY_KIND },
  { "users", test_users, ANY_KIND },
  { "documents", test_documents, ANY_KIND },
  { "apply", test_apply, ANY_KIND },
  { "apply-refused", test_apply_refused, ANY_KIND },
  { "group-commit", test_group_commit, ANY_KIND },
  { "group-commit-log-limit", test_group_commit_log_limit, ANY_KIND },
  { "thread-numbers", test_thread_numbers, ANY_KIND },
  { "event-log-limit", test_event_log_limit, ANY_KIND },
  { "usage", test_usage, ANY_KIND },
  { "revoke", test_revoke, ANY_KIND },
  { "rotate", test_rotate, ANY_KIND },
  { "remove-document", test_remove_document, ANY_KIND },
  { "revisions", test_revisions, ANY_KIND },
  { "revisions-refused", test_revisions_refused, ANY_KIND },
  { "revisions-of-pages", test_revisions_of_pages, ANY_KIND },
  { "revision-conflicts", test_revision_conflicts, ANY_KIND },
  { "place-thread", test_place_thread, ANY_KIND },
  { "revisions-removed", test_revisions_removed, ANY_KIND },
  { "changes", test_changes, ANY_KIND },
  { "two-writers", test_two_writers, ANY_KIND },
  { "reopen", test_reopen, ANY_KIND },
  { "backup", test_backup, BACKUP_FILE_ONLY },
  { "backup-refused", test_backup_refused, BACKUP_REFUSED_ONLY },
  { "connection-lost", test_connection_lost, CONNECTED_ONLY },
  { "reconnect-without-blocking", test_reconnect_without_blocking, CONNECTED_ONLY },
  { "is-shared", test_is_shared, ANY_KIND },
  { "remote-events", test_remote_events, SHARED_ONLY },
  { "remote-group-commit", test_remote_group_commit, SHARED_ONLY },
  { "remote-order", test_remote_order, SHARED_ONLY },
  { "remote-large-event", test_remote_large_event, SHARED_ONLY },
  { "remote-viewers", test_remote_viewers, SHARED_ONLY },
  { "remote-viewers-exchange", test_remote_viewers_exchange, SHARED_ONLY },
  { "remote-dead-node", test_remote_dead_node, SHARED_ONLY },
  { "remote-node-back", test_remote_node_back, SHARED_ONLY },
  { "remote-malformed", test_remote_malformed, SHARED_ONLY },
  { "comment-seq-mentions", test_comment_seq_mentions, ANY_KIND },
  { "activity-log", test_activity_log, ANY_KIND },
  { "unread", test_unread, ANY_KIND },
  { "members", test_members, ANY_KIND },
};

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint k = 0; k < G_N_ELEMENTS (store_kinds); k++)
    for (guint t = 0; t < G_N_ELEMENTS (store_tests); t++)
      {
        g_autofree char *path = NULL;

        const StoreKind *kind = &store_kinds[k];

        if ((store_tests[t].kinds == BACKUP_FILE_ONLY && kind->backup != BACKUP_FILE) ||
            (store_tests[t].kinds == BACKUP_REFUSED_ONLY && kind->backup != BACKUP_REFUSED) ||
            (store_tests[t].kinds == CONNECTED_ONLY && kind->lose_connections == NULL) ||
            (store_tests[t].kinds == SHARED_ONLY && !kind->shared))
          continue;
        path = g_strdup_printf ("/store/%s/%s", store_kinds[k].name, store_tests[t].name);
        g_test_add (path, Fixture, &store_kinds[k], fixture_set_up, store_tests[t].func, fixture_tear_down);
      }

  return g_test_run ();
}
