/* rl-store.h — the durable store: tenants, users, documents, threads and
 * each document's event log
 *
 * An interface: RlStoreSqlite (rl-store-sqlite.h) is the embedded default,
 * RlStorePg (rl-store-pg.h) the store several nodes share.
 * Every implementation keeps the same promises, and tests/server/test-store.c
 * holds each of them to them. No SQL lives outside the implementations.
 *
 * Every mutation is checked and committed in one transaction (the server's
 * many in one, each in a savepoint of its own: rl_store_apply_async's group
 * commit, on a thread with its own connection); the event it produced is
 * serialized once, logged for `since` resync, and handed back for fan-out
 * with the same bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-codec.h"
#include "rl-model.h"

G_BEGIN_DECLS

/* Who is asking: the principal behind a token. */
typedef struct
{
  char     *tenant;
  RlPerson  user;
  RlRole    role;
  gint64    token_generation;   /* which of the user's tokens it was */
} RlPrincipal;

void         rl_principal_free (RlPrincipal *principal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlPrincipal, rl_principal_free)

/* An administration listing's user. */
typedef struct
{
  char   *tenant;
  char   *id;
  char   *name;
  RlRole  role;
  gint64  created_at;       /* ms since the epoch */
  gint64  revoked_at;       /* 0 while the user's token works */
} RlUserInfo;

void rl_user_info_free     (RlUserInfo     *info);

/* An administration listing's document. */
typedef struct
{
  char       *tenant;
  RlDocument *doc;
  gint64      head_seq;
  gint64      threads;
} RlDocumentInfo;

void rl_document_info_free (RlDocumentInfo *info);

/* What an administration command did that a server running on the same
 * file must act on (close that user's connections, or the document's). */
typedef enum
{
  RL_STORE_CHANGE_USER_REVOKED,
  RL_STORE_CHANGE_TOKEN_ROTATED,
  RL_STORE_CHANGE_DOCUMENT_REMOVED,
} RlStoreChangeKind;

typedef struct
{
  RlStoreChangeKind  kind;
  char              *tenant;
  char              *subject;   /* the user's id, or the document's */
} RlStoreChange;

void rl_store_change_free  (RlStoreChange  *change);

/* ---- several nodes on one store ------------------------------------------------ */

/* What the other nodes of a shared store did (see rl_store_watch_remote). */
typedef enum
{
  /* Another node committed tenant/doc's event seq; serialized is its one
   * serialization, or NULL when it did not fit in the notification: read it
   * from the log (rl_store_events_since). */
  RL_STORE_REMOTE_EVENT,
  /* The viewers of tenant/doc changed on some node (or a node died). */
  RL_STORE_REMOTE_VIEWERS,
  /* The link to the other nodes is down: what they commit meanwhile reaches
   * the log but not this node. */
  RL_STORE_REMOTE_LOST,
  /* The link is up (the first time, after each loss, and when the other
   * nodes had taken this one for dead): what was missed while it was down
   * is in the log, and the other nodes may have dropped this node's
   * viewers: say them again (rl_store_set_viewers). */
  RL_STORE_REMOTE_LINKED,
  /* Another node committed item seq of the activity log of tenant's user
   * (in doc's place): read it from the log (rl_store_activity_since). */
  RL_STORE_REMOTE_ACTIVITY,
} RlStoreRemoteKind;

typedef struct
{
  RlStoreRemoteKind  kind;
  const char        *tenant;      /* EVENT, VIEWERS and ACTIVITY */
  const char        *doc;         /* ACTIVITY: the user's id */
  gint64             seq;         /* EVENT; ACTIVITY: the aseq */
  const char        *serialized;  /* EVENT, or NULL */
} RlStoreRemote;

typedef void (*RlStoreRemoteFunc) (const RlStoreRemote *remote,
                                   gpointer             user_data);

/* One user viewing a document: on one node (with that node's connections),
 * or on all of them (connections summed). */
typedef struct
{
  char  *id;
  char  *name;
  guint  connections;
} RlViewer;

void rl_viewer_free        (RlViewer       *viewer);

/* One mutation of a group commit (the apply_group vfunc): what to apply
 * and, once the group is done, what came of it: event and serialized, or
 * error. */
/* An item a commit added to a user's activity log (protocol 1.2). */
typedef struct
{
  char   *tenant;
  char   *user;
  gint64  aseq;
} RlStoreActivity;

void rl_store_activity_free (RlStoreActivity *activity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlStoreActivity, rl_store_activity_free)

typedef struct
{
  RlPrincipal *who;
  RlDocument  *doc;
  RlRequest   *request;
  RlEvent     *event;
  char        *serialized;
  GError      *error;
  GPtrArray   *activity;     /* of RlStoreActivity*: the items it added */
} RlStoreApply;

void rl_store_apply_free   (RlStoreApply   *apply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlStoreApply, rl_store_apply_free)

/* How many of each went with a document (rl_store_remove_document). */
typedef struct
{
  gint64 documents;   /* 0: the tenant had no such document */
  gint64 threads;
  gint64 comments;
  gint64 events;
} RlStoreRemoval;

/* done of total pages copied so far. */
typedef void (*RlBackupProgress) (gint64   done,
                                  gint64   total,
                                  gpointer user_data);

/* ---- moving a deployment to another store ---------------------------------------- */

/* What rl_store_export hands over, in this order: every tenant, every user,
 * then document by document the document followed by its revisions (with
 * their content), threads, their comments, their placements, its event
 * log and its comments' mentions, then every read marker and activity
 * item, and last every tenant's usage.
 * Each record is a tuple of the GVariant type rl_store_record_type gives,
 * its fields as the store keeps them: token hashes, counters and serialized
 * events unchanged, so tokens keep working and a client's `since` too; a
 * maybe is a column that may be NULL. */
typedef enum
{
  /* (sx) id, created_at */
  RL_STORE_RECORD_TENANT,
  /* (ssssayxxxx) tenant, id, name, role, token_hash, created_at, revoked_at,
   * token_generation, activity_seq */
  RL_STORE_RECORD_USER,
  /* (sssssxiixsssxxxxx) tenant, id, kind, title, mime, size, width, height,
   * created_at, created_by_id, created_by_name, etag (the latest revision's
   * metadata), head_seq, thread_numbers (threads ever numbered),
   * unnumbered_seq, revision (the latest), unrevisioned_seq */
  RL_STORE_RECORD_DOCUMENT,
  /* (ssssbssxxxx) tenant, id, doc, anchor (JSON), resolved, created_by_id,
   * created_by_name, created_at, updated_at, number, revision */
  RL_STORE_RECORD_THREAD,
  /* (ssssssxxx) tenant, id, thread, author_id, author_name, body, created_at,
   * edited_at, seq — a thread's in the order they were added */
  RL_STORE_RECORD_COMMENT,
  /* (ssxs) tenant, doc, seq, payload (the event's one serialization) */
  RL_STORE_RECORD_EVENT,
  /* (stt) tenant, messages, bytes */
  RL_STORE_RECORD_USAGE,
  /* (ssxsxiisaymsxss) tenant, doc, revision, mime, size, width, height,
   * etag, content, text_model (pages' JSON), created_at, created_by_id,
   * created_by_name */
  RL_STORE_RECORD_REVISION,
  /* (sssxmssdmsms) tenant, doc, thread, revision, anchor (JSON; none when
   * orphaned), status, score, by_id, by_name (none unless a person settled
   * it) */
  RL_STORE_RECORD_PLACEMENT,
  /* (sssssxx) tenant, doc, thread, comment, user_id, start_at, end_at */
  RL_STORE_RECORD_MENTION,
  /* (ssssx) tenant, user_id, doc, thread ('' the floor), seq */
  RL_STORE_RECORD_READ_MARK,
  /* (ssxss) tenant, user_id, aseq, kind, payload */
  RL_STORE_RECORD_ACTIVITY,
} RlStoreRecordKind;

/* One record of an export; FALSE (and error) stops it. record is the
 * caller's: ref it to keep it. */
typedef gboolean (*RlStoreRecordFunc) (RlStoreRecordKind   kind,
                                       GVariant           *record,
                                       gpointer            user_data,
                                       GError            **error);

/* One step of a transaction, which each store says in its own SQL: the
 * dispatchers (rl-store.c) run every write between them. */
typedef enum
{
  RL_STORE_STEP_BEGIN,                  /* a read-write transaction */
  RL_STORE_STEP_COMMIT,
  RL_STORE_STEP_ROLLBACK,               /* whatever is open; cannot fail */
  RL_STORE_STEP_SAVEPOINT,
  RL_STORE_STEP_ROLLBACK_TO_SAVEPOINT,
  RL_STORE_STEP_RELEASE_SAVEPOINT,
  RL_STORE_STEP_BEGIN_READ,             /* one snapshot for a few reads (in
                                         * a held snapshot, when there is one) */
  RL_STORE_STEP_END_READ,               /* ends it; cannot fail */
} RlStoreStep;

/* A number read from one of a tenant's rows (the read_number vfunc),
 * which the transaction keeps as read until its commit. */
typedef enum
{
  RL_STORE_READ_DOCUMENT_HEAD,   /* the document's head seq; its other writers wait */
  RL_STORE_READ_THREAD_NUMBER,   /* the document's next thread number, taken */
  RL_STORE_READ_USER_REVOKED_AT, /* the user's revoked_at (0 while the token works) */
  RL_STORE_READ_DOCUMENT_REVISION, /* the document's latest revision */
  RL_STORE_READ_ACTIVITY_SEQ,    /* the user's next aseq, taken; the user's other writers wait */
} RlStoreRead;

/* A write of one of a tenant's rows (the write_row vfunc), by the id it
 * is keyed on, with the value of the type given (or none). */
typedef enum
{
  RL_STORE_WRITE_USER_REVOKED_AT,       /* x */
  RL_STORE_WRITE_USER_TOKEN,            /* ay: the new token's hash, a generation up */
  RL_STORE_WRITE_THREAD_RESOLVED,       /* b */
  RL_STORE_WRITE_THREAD_ANCHOR,         /* s: the anchor's JSON (its v1 anchor) */
  RL_STORE_WRITE_THREAD_UPDATED_AT,     /* x */
  RL_STORE_WRITE_DELETE_THREAD_COMMENTS,/* by the thread's id */
  RL_STORE_WRITE_DELETE_THREAD,
  RL_STORE_WRITE_DELETE_COMMENT,
  RL_STORE_WRITE_PRUNE_EVENTS,          /* x: by the document's id, the seq up to which */
  RL_STORE_WRITE_COMMENT_SEQ,           /* x: its event's seq */
  RL_STORE_WRITE_DELETE_COMMENT_MENTIONS, /* by the comment's id */
  RL_STORE_WRITE_DELETE_THREAD_MENTIONS,  /* by the thread's id */
  RL_STORE_WRITE_USER_NAME,             /* s */
} RlStoreWrite;

/* The statements of protocol 1.2 (rl-store-sql.h, SQL_QUERIES), run by
 * the run_query vfunc. */
typedef enum
{
  RL_STORE_QUERY_INSERT_MENTION,
  RL_STORE_QUERY_MENTIONS_OF_DOC,
  RL_STORE_QUERY_MENTIONS_OF_COMMENT,
  RL_STORE_QUERY_THREAD_PARTICIPANTS,
  RL_STORE_QUERY_DOC_PARTICIPANTS,
  RL_STORE_QUERY_THREAD_NUMBER,
  RL_STORE_QUERY_RAISE_READ_MARK,
  RL_STORE_QUERY_DROP_READ_MARKS,
  RL_STORE_QUERY_READ_MARKS,
  RL_STORE_QUERY_UNREAD,
  RL_STORE_QUERY_APPEND_ACTIVITY,
  RL_STORE_QUERY_PRUNE_ACTIVITY,
  RL_STORE_QUERY_ACTIVITY_SINCE,
  RL_STORE_QUERY_ACTIVITY_RECENT,
  RL_STORE_QUERY_ACTIVITY_HEAD,
  RL_STORE_QUERY_MEMBERS,
} RlStoreQuery;

/* A listing of records (the list_rows vfunc), oldest first: a tenant's,
 * or where tenant may be NULL every tenant's, by tenant. */
typedef enum
{
  RL_STORE_LIST_DOCUMENTS,       /* rl_store_document_from_row's columns; tenant not NULL */
  RL_STORE_LIST_USERS,           /* rl_store_user_info_from_row's */
  RL_STORE_LIST_DOCUMENT_INFOS,  /* rl_store_document_info_from_row's */
} RlStoreList;

/* A revision as it is added: what the upload checks found. */
typedef struct
{
  const char *mime;
  int         width;          /* images */
  int         height;
  GBytes     *content;
  const char *text_model;     /* pages: rl_page_text_serialize of its text; NULL for images */
} RlNewRevision;

/* A thread's placement on the new revision, from its anchor on the one before (its last placement that
 * has one); called inside the commit for a thread `placements` does not cover, or one created, moved or
 * placed after base_seq. Returns a new RlRevisionAnchor (its revision set by the store). */
typedef RlRevisionAnchor *(*RlStorePlaceFunc) (const RlThread *thread, const RlAnchor *from, gpointer user_data);

/* One row of a result, as a store reads it (rl-store-private.h), and what
 * makes a record of it. */
typedef struct _RlStoreRow RlStoreRow;
typedef gpointer (*RlStoreFromRow) (const RlStoreRow *row);

#define RL_TYPE_STORE (rl_store_get_type ())
G_DECLARE_INTERFACE (RlStore, rl_store, RL, STORE, GObject)

/* One operation per rl_store_* function below, with its promises. The
 * dispatchers (rl-store.c) check first what needs no query (a tenant id's
 * form, a user's name, which it passes trimmed, a content type, a tenant's
 * existence for a new user or document, a viewer's mutation), so a vfunc
 * gets only what passed. */
struct _RlStoreInterface
{
  GTypeInterface parent_iface;

  gboolean     (*add_tenant)          (RlStore            *self,
                                       const char         *tenant,
                                       GError            **error);
  gboolean     (*has_tenant)          (RlStore            *self,
                                       const char         *tenant);
  /* Keeps the user with their id and their token's hash (the dispatcher
   * makes both, and the token). */
  gboolean     (*add_user)            (RlStore            *self,
                                       const char         *tenant,
                                       const char         *id,
                                       const char         *name,
                                       RlRole              role,
                                       GBytes             *hash,
                                       GError            **error);
  RlPrincipal *(*authenticate)        (RlStore            *self,
                                       const char         *token);

  /* Keeps doc (the dispatcher makes it, its id and time included), as
   * yet without a revision (insert_revision, in the same transaction). */
  gboolean     (*add_document)        (RlStore            *self,
                                       const char         *tenant,
                                       const RlDocument   *doc,
                                       GError            **error);
  /* The records of a listing, each made by from_row from its row and
   * freed by free_func; none when it cannot be read (the store logs why). */
  GPtrArray   *(*list_rows)           (RlStore            *self,
                                       RlStoreList         list,
                                       const char         *tenant,
                                       RlStoreFromRow      from_row,
                                       GDestroyNotify      free_func);
  RlDocument  *(*get_document)        (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc);
  /* The document's revisions, oldest first (only revision n when n > 0),
   * of RlRevision*; NULL when the tenant has no such document. */
  GPtrArray   *(*get_revisions)       (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       gint64              revision);
  /* A revision's content (the latest's when revision is 0) and its etag;
   * NULL when absent. */
  GBytes      *(*get_revision_content) (RlStore           *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       gint64              revision,
                                       char              **etag);
  /* A revision's text model; NULL for an image's or when absent. */
  char        *(*get_text_model)      (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       gint64              revision);

  gint64       (*get_head)            (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc);
  GPtrArray   *(*events_since)        (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       gint64              since,
                                       gint64             *head_seq);

  /* Inside the caller's transaction: the document's threads in creation
   * order, each with its revision and placements, and its comments when
   * with_comments. */
  GPtrArray   *(*read_threads)        (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       gboolean            with_comments,
                                       GError            **error);

  /* Takes one step of a transaction (error ignored for a rollback). */
  gboolean     (*transaction_step)    (RlStore            *self,
                                       RlStoreStep         step,
                                       GError            **error);

  /* The reads and writes of a mutation or an administration change, which
   * the dispatcher checks (and for a mutation turns into its event): each
   * inside the transaction it opened and rolls back when one fails. */
  /* The new thread (not its comments), its anchor as JSON. */
  gboolean     (*insert_thread)       (RlStore            *self,
                                       const char         *tenant,
                                       const RlThread     *thread,
                                       const char         *anchor_json,
                                       GError            **error);
  gboolean     (*insert_comment)      (RlStore            *self,
                                       const char         *tenant,
                                       const RlComment    *comment,
                                       GError            **error);
  /* Keeps the document's revision (its number, mime, size, width, height,
   * etag, creation) with its content and text model (NULL: none), and
   * makes it the document's latest: the document's mime, size, width,
   * height and etag become the revision's. */
  gboolean     (*insert_revision)     (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       const RlRevision   *revision,
                                       GBytes             *content,
                                       const char         *text_model,
                                       GError            **error);
  /* Keeps the thread's placement on placement->revision, replacing the one
   * it had there; anchor_json NULL when orphaned. */
  gboolean     (*write_placement)     (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       const char         *thread,
                                       const RlRevisionAnchor *placement,
                                       const char         *anchor_json,
                                       GError            **error);
  /* In *placement the thread's placement on revision, or NULL when it has
   * none there. */
  gboolean     (*read_placement)      (RlStore            *self,
                                       const char         *tenant,
                                       const char         *thread,
                                       gint64              revision,
                                       RlRevisionAnchor  **placement,
                                       GError            **error);
  /* In *value what the row holds, or -1 when the tenant has none such. */
  gboolean     (*read_number)         (RlStore            *self,
                                       RlStoreRead         read,
                                       const char         *tenant,
                                       const char         *id,
                                       gint64             *value,
                                       GError            **error);
  gboolean     (*write_row)           (RlStore            *self,
                                       RlStoreWrite        write,
                                       const char         *tenant,
                                       const char         *id,
                                       GVariant           *value,
                                       GError            **error);
  /* In *owner the author of the document's thread, or NULL when it has no
   * such thread. */
  gboolean     (*lookup_thread)       (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       const char         *thread,
                                       char              **owner,
                                       GError            **error);
  /* In *comment the thread's comment (NULL: no such comment) and in *first
   * whether it is the thread's first. */
  gboolean     (*lookup_comment)      (RlStore            *self,
                                       const char         *tenant,
                                       const char         *thread,
                                       const char         *comment_id,
                                       RlComment         **comment,
                                       gboolean           *first,
                                       GError            **error);
  /* Keeps the comment's body and edited_at. */
  gboolean     (*update_comment)      (RlStore            *self,
                                       const char         *tenant,
                                       const RlComment    *comment,
                                       GError            **error);
  /* Makes seq the document's head and logs the event's one serialization
   * (the dispatcher keeps the log within the event log limit,
   * RL_STORE_WRITE_PRUNE_EVENTS); a shared store tells the other nodes at
   * the commit. */
  gboolean     (*append_event)        (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       gint64              seq,
                                       const char         *serialized,
                                       GError            **error);

  /* Runs query with params (a tuple of s, x and b: $1, $2 …) in the
   * caller's transaction, if one is open; with from_row, each row of its
   * result made a record into *records (new, freeing with free_func). */
  gboolean     (*run_query)           (RlStore            *self,
                                       RlStoreQuery        query,
                                       GVariant           *params,
                                       RlStoreFromRow      from_row,
                                       GDestroyNotify      free_func,
                                       GPtrArray         **records,
                                       GError            **error);

  /* A second store on the same database, with a connection of its own,
   * for the group committer's thread (only it ever uses it). */
  RlStore     *(*open_writer)         (RlStore            *self,
                                       GError            **error);
  /* Before a group's mutations (rl_store_apply_group): locks what they
   * will write, in one order every writer keeps; NULL where the
   * transaction's own lock is enough. */
  gboolean     (*lock_group)          (RlStore            *self,
                                       RlStoreApply      **applies,
                                       guint               n_applies,
                                       GError            **error);

  void         (*add_usage)           (RlStore            *self,
                                       const char         *tenant,
                                       guint64             messages,
                                       guint64             bytes);
  void         (*get_usage)           (RlStore            *self,
                                       const char         *tenant,
                                       guint64            *messages,
                                       guint64            *bytes);

  /* Deletes the document and, when there was one, its revisions, threads,
   * comments, placements and event log, counting those removed counts. */
  gboolean     (*remove_document)     (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       RlStoreRemoval     *removed,
                                       GError            **error);
  /* Logs an administration change for the processes serving the store
   * (read_changes), in the change's transaction. */
  gboolean     (*note_change)         (RlStore            *self,
                                       RlStoreChangeKind   kind,
                                       const char         *tenant,
                                       const char         *subject,
                                       GError            **error);
  gboolean     (*token_is_current)    (RlStore            *self,
                                       const RlPrincipal  *who);
  GPtrArray   *(*read_changes)        (RlStore            *self);
  gboolean     (*backup)              (RlStore            *self,
                                       const char         *path,
                                       gboolean            replace,
                                       RlBackupProgress    progress,
                                       gpointer            user_data,
                                       gint64             *bytes,
                                       GError            **error);

  /* Several nodes: NULL in a store only one server uses. */
  void         (*watch_remote)        (RlStore            *self,
                                       const char         *node,
                                       RlStoreRemoteFunc   func,
                                       gpointer            user_data);
  /* Returns who views the document everywhere then (get_viewers's). */
  GPtrArray   *(*set_viewers)         (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc,
                                       GPtrArray          *viewers);
  GPtrArray   *(*get_viewers)         (RlStore            *self,
                                       const char         *tenant,
                                       const char         *doc);

  /* Moving a deployment: NULL where the store is not a source (export) or
   * a destination (import) of one. */
  gboolean     (*export_records)      (RlStore            *self,
                                       RlStoreRecordFunc   func,
                                       gpointer            user_data,
                                       GError            **error);
  gboolean     (*hold_snapshot)       (RlStore            *self,
                                       GError            **error);
  void         (*release_snapshot)    (RlStore            *self);
  gboolean     (*import_records)      (RlStore            *self,
                                       RlStore            *source,
                                       RlStoreRecordFunc   copied,
                                       gpointer            user_data,
                                       GError            **error);
};

/* How many events per document are kept for resync (default 10 000). */
void         rl_store_set_event_log_limit (RlStore      *self,
                                           guint         limit);

gboolean     rl_store_add_tenant          (RlStore      *self,
                                           const char   *tenant,
                                           GError      **error);
gboolean     rl_store_has_tenant          (RlStore      *self,
                                           const char   *tenant);
/* Returns the new token; only its hash is stored. */
char        *rl_store_add_user            (RlStore      *self,
                                           const char   *tenant,
                                           const char   *name,
                                           RlRole        role,
                                           GError      **error);
/* NULL when the token is unknown; compares in constant time. */
RlPrincipal *rl_store_authenticate        (RlStore      *self,
                                           const char   *token);

/* The document with its revision 1 (content, and for a page text_model:
 * rl_page_text_serialize of its text). */
RlDocument  *rl_store_add_document        (RlStore      *self,
                                           const char   *tenant,
                                           const RlPerson *created_by,
                                           const char   *title,
                                           const char   *mime,
                                           int           width,
                                           int           height,
                                           GBytes       *content,
                                           const char   *text_model,
                                           GError      **error);
/* Of RlDocument*, oldest first. */
GPtrArray   *rl_store_list_documents      (RlStore      *self,
                                           const char   *tenant);
/* NULL when absent in that tenant. */
RlDocument  *rl_store_get_document        (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc);
/* The latest revision's content and etag. */
GBytes      *rl_store_get_content         (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc,
                                           char        **etag);

/* Adds the document's next revision (1 + its latest), made by who (members and admins; viewers
 * forbidden; another tenant's document not-found), in one transaction: the revision with its content,
 * etag (SHA-256 as for documents) and text model; each thread's placement on it (from placements:
 * thread id → RlRevisionAnchor*, computed by the caller from the threads as of head base_seq; for
 * threads not in it or changed after base_seq, from place()); the document's latest revision (and its
 * v1 metadata: mime, size, width, height, content, etag are the latest's); the revision-added event
 * (head + 1, broadcast_id as given) with every thread's placement, logged like any event. Returns the
 * event and *serialized like rl_store_apply, and in *activity (of RlStoreActivity*; activity may be
 * NULL) the revision items it added to users' activity logs. */
RlEvent     *rl_store_add_revision        (RlStore            *self,
                                           const RlPrincipal  *who,
                                           const char         *doc,
                                           const RlNewRevision *revision,
                                           const char         *broadcast_id,
                                           GHashTable         *placements,
                                           gint64              base_seq,
                                           RlStorePlaceFunc    place,
                                           gpointer            user_data,
                                           char              **serialized,
                                           GPtrArray         **activity,
                                           GError            **error);
/* Of RlRevision*, oldest first; NULL when the document is absent in that tenant. */
GPtrArray   *rl_store_list_revisions      (RlStore *self, const char *tenant, const char *doc);
/* NULL when absent. */
RlRevision  *rl_store_get_revision        (RlStore *self, const char *tenant, const char *doc, gint64 revision);
GBytes      *rl_store_get_revision_content (RlStore *self, const char *tenant, const char *doc,
                                           gint64 revision, char **etag);
/* A page revision's text model (its JSON); NULL for an image's or when absent. */
char        *rl_store_get_text_model      (RlStore *self, const char *tenant, const char *doc, gint64 revision);

/* Every thread of a document (creation order), with its revision and
 * placements, and the head seq they are at. */
GPtrArray   *rl_store_load_threads        (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc,
                                           gint64       *head_seq);
gint64       rl_store_get_head            (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc);
/* Serialized events with since < seq ≤ head, in order; NULL when the log no
 * longer holds them all (the caller sends a reset snapshot). */
GPtrArray   *rl_store_events_since        (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc,
                                           gint64        since,
                                           gint64       *head_seq);

/* Checks (existence, roles, ownership, duplicates) and commits a mutation.
 * On success returns the event with its seq and, in *serialized, its one
 * serialization; on failure an RL_ERROR and nothing changed. */
RlEvent     *rl_store_apply               (RlStore        *self,
                                           const RlPrincipal *who,
                                           const RlDocument  *doc,
                                           const RlRequest   *request,
                                           char             **serialized,
                                           GError           **error);

/* rl_store_apply off the caller's thread, with group commit: the
 * mutations asked for while a commit is in flight are committed together
 * in the next transaction (each checked alone, as rl_store_apply does),
 * on a thread with its own connection, so the disk never holds up the
 * caller's main context. who, doc and request are copied. callback runs in
 * the caller's thread-default main context once the mutation's transaction
 * committed (or it failed), always in the order the calls were made. */
void         rl_store_apply_async         (RlStore             *self,
                                           const RlPrincipal   *who,
                                           const RlDocument    *doc,
                                           const RlRequest     *request,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* The event (with its seq) and its one serialization, and in *activity
 * (of RlStoreActivity*; activity may be NULL) the items the mutation added
 * to users' activity logs (protocol 1.2); or NULL and error. */
RlEvent     *rl_store_apply_finish        (RlStore             *self,
                                           GAsyncResult        *result,
                                           char               **serialized,
                                           GPtrArray          **activity,
                                           GError             **error);
/* Blocks until every mutation asked for so far is committed (or failed);
 * their callbacks are still to run in their main context. For shutdown. */
void         rl_store_flush               (RlStore             *self);
/* Makes the committer (its thread and its own connection) now rather than
 * at the first rl_store_apply_async: a server does at start, so that a
 * database it cannot write to fails it at once and its descriptors are all
 * there before the first client. */
gboolean     rl_store_start_committer     (RlStore             *self,
                                           GError             **error);
/* How many transactions rl_store_apply_async has committed (each holding
 * a group of mutations): what /metrics and the tests read. */
guint64      rl_store_get_group_commits   (RlStore             *self);

void         rl_store_add_usage           (RlStore      *self,
                                           const char   *tenant,
                                           guint64       messages,
                                           guint64       bytes);
void         rl_store_get_usage           (RlStore      *self,
                                           const char   *tenant,
                                           guint64      *messages,
                                           guint64      *bytes);

/* ---- unread, mentions and activity (protocol 1.2) ----------------------------- */

/* Mutations check what they mention (a user of the caller's tenant, not
 * revoked, else not-found) and write, in their transaction, the activity
 * items they make: `mention` for whom a comment (new, or an edit adding
 * them) mentions, `reply` to a thread's other participants (its author,
 * its commenters, who was mentioned in it), `resolved` to them on a
 * resolve or reopen, `revision` (rl_store_add_revision) to whoever
 * uploaded the document or a version of it or has a thread or comment in
 * it; never to the one who acted. Each user's log keeps its last items
 * (aseq 1, 2, 3 …, no gaps) up to the limit. */

/* How many items each user's log keeps (default 1000). Set before the
 * first commit: the committer's writer takes it when it is made. */
void         rl_store_set_activity_log_limit (RlStore      *self,
                                              guint         limit);
/* Raises who's read marker of the document's thread (or, thread NULL, the
 * floor, dropping the markers at or below it) to seq; never lowers one.
 * seq must be 0 … the document's head (bad-request), the document and
 * thread exist in who's tenant (not-found). Appends a `read` item with
 * broadcast_id to who's log in the same transaction and returns it. */
RlStoreActivity *rl_store_mark_read         (RlStore            *self,
                                             const RlPrincipal  *who,
                                             const char         *doc,
                                             const char         *thread,
                                             gint64              seq,
                                             const char         *broadcast_id,
                                             GError            **error);
/* The same through the committer (rl_store_apply_async's queue and
 * groups, on its own connection), so the main loop never waits for the
 * write lock: request is the mark-read (doc, thread_id, seq,
 * broadcast_id), doc its document; any role. */
void         rl_store_mark_read_async     (RlStore             *self,
                                           const RlPrincipal   *who,
                                           const RlDocument    *doc,
                                           const RlRequest     *request,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
RlStoreActivity *rl_store_mark_read_finish (RlStore            *self,
                                            GAsyncResult       *result,
                                            GError            **error);
/* user's read state of doc: the floor, the markers above it, and when the
 * user was added (comments before it are read). */
RlReadState *rl_store_get_read_state      (RlStore      *self,
                                           const char   *tenant,
                                           const char   *user,
                                           const char   *doc);
/* What user has not read, per document of the tenant that has anything
 * unread (or only doc's, when not NULL), by document id: of
 * RlActivityUnread*. One query whatever the number of documents. */
GPtrArray   *rl_store_get_unread          (RlStore      *self,
                                           const char   *tenant,
                                           const char   *user,
                                           const char   *doc);
/* The last aseq of user's log (0: none yet); -1 when the tenant has no
 * such user. */
gint64       rl_store_get_activity_head   (RlStore      *self,
                                           const char   *tenant,
                                           const char   *user);
/* The serialized items since < aseq ≤ head (head: the log's, or upto when
 * that is smaller and not negative), in order; NULL when the log no longer
 * holds them all or since > head (the caller sends a reset snapshot). */
GPtrArray   *rl_store_activity_since      (RlStore      *self,
                                           const char   *tenant,
                                           const char   *user,
                                           gint64        since,
                                           gint64        upto,
                                           gint64       *head);
/* The last n mention and reply items of user's log, serialized, oldest
 * first. */
GPtrArray   *rl_store_activity_recent     (RlStore      *self,
                                           const char   *tenant,
                                           const char   *user,
                                           guint         n);
/* The tenant's users that are not revoked (RlMember*), oldest first. */
GPtrArray   *rl_store_list_members        (RlStore      *self,
                                           const char   *tenant);
/* Gives the user a new name (trimmed, 1–100 characters); mentions, which
 * keep ids, resolve to it. */
gboolean     rl_store_rename_user         (RlStore      *self,
                                           const char   *tenant,
                                           const char   *user,
                                           const char   *name,
                                           GError      **error);

/* ---- administration (the command line) ------------------------------------ */

/* Of RlUserInfo*, by tenant, oldest first; every tenant's when tenant is
 * NULL. Neither tokens nor their hashes. */
GPtrArray   *rl_store_list_users          (RlStore      *self,
                                           const char   *tenant);
/* The user's token is refused from now on, for good. When the user was
 * revoked already nothing changes and *was_revoked_at says when. */
gboolean     rl_store_revoke_user         (RlStore      *self,
                                           const char   *tenant,
                                           const char   *user,
                                           gint64       *was_revoked_at,
                                           GError      **error);
/* A new token for the user (returned; only its hash is kept); the old one
 * is refused from now on. A revoked user gets none (forbidden). */
char        *rl_store_rotate_token        (RlStore      *self,
                                           const char   *tenant,
                                           const char   *user,
                                           GError      **error);
/* Of RlDocumentInfo*, by tenant, oldest first; every tenant's when NULL. */
GPtrArray   *rl_store_list_document_infos (RlStore      *self,
                                           const char   *tenant);
/* Removes the document with its revisions, threads, their comments and
 * placements, and its event log, and says how many of some went. */
gboolean     rl_store_remove_document     (RlStore      *self,
                                           const char   *tenant,
                                           const char   *doc,
                                           gint64       *threads,
                                           gint64       *comments,
                                           gint64       *events,
                                           GError      **error);

/* Whether the token who was authenticated with still works: the user is
 * not revoked and has not been given a newer one. */
gboolean     rl_store_token_is_current    (RlStore      *self,
                                           const RlPrincipal *who);
/* Of RlStoreChange*, oldest first: those other processes committed since
 * the last call (or since the store was opened). NULL when there are none;
 * cheap enough to call every 250 ms. */
GPtrArray   *rl_store_read_changes        (RlStore      *self);

/* Writes a consistent copy of the whole database to path (one read
 * snapshot, copied in steps; a server writing meanwhile is not held up), as
 * one self-contained file that appears whole or not at all. Refuses an
 * existing path unless replace. *bytes: the copy's size. */
gboolean     rl_store_backup              (RlStore          *self,
                                           const char       *path,
                                           gboolean          replace,
                                           RlBackupProgress  progress,
                                           gpointer          user_data,
                                           gint64           *bytes,
                                           GError          **error);

/* ---- several nodes on one store ------------------------------------------------ */

/* Whether other servers (nodes) may commit to this store too: FALSE for
 * the embedded SQLite store. */
gboolean     rl_store_is_shared           (RlStore           *self);
/* From now on, func hears (in the caller's thread-default main context,
 * never from inside a store call) what the other nodes commit and who views
 * what there; this server is node (a name no other node uses, without tabs
 * or line breaks), and a node of that name that ran before is gone: its
 * viewers are dropped. Events this node commits are not told back. Once
 * per store. In a store that is not shared: nothing. */
void         rl_store_watch_remote        (RlStore           *self,
                                           const char        *node,
                                           RlStoreRemoteFunc  func,
                                           gpointer           user_data);
/* Who views the document on this node now (RlViewer*; empty or NULL when
 * no one), replacing what this node said before; the other nodes hear of it
 * (RL_STORE_REMOTE_VIEWERS). Only in a shared store, after watch_remote. */
void         rl_store_set_viewers         (RlStore           *self,
                                           const char        *tenant,
                                           const char        *doc,
                                           GPtrArray         *viewers);
/* Who views the document on every live node: distinct users, the one
 * viewing longest first, connections summed. A node not heard from for
 * 20 s is not live: its viewers are left out, and dropped (with
 * RL_STORE_REMOTE_VIEWERS on every node) within 30 s of its death. Only in
 * a shared store. */
GPtrArray   *rl_store_get_viewers         (RlStore           *self,
                                           const char        *tenant,
                                           const char        *doc);
/* rl_store_set_viewers, then rl_store_get_viewers as it is right after
 * (what this node said included), in one statement. */
GPtrArray   *rl_store_exchange_viewers    (RlStore           *self,
                                           const char        *tenant,
                                           const char        *doc,
                                           GPtrArray         *viewers);

/* ---- moving a deployment to another store ---------------------------------------- */

/* The GVariant type of a kind's records. */
const GVariantType *rl_store_record_type  (RlStoreRecordKind  kind);
/* Hands func every record of the store, in the order RlStoreRecordKind
 * says, all read from one snapshot (one read transaction: a server writing
 * meanwhile is not held up and none of its later commits shows). Only the
 * SQLite store exports (a deployment moves up from it). */
gboolean     rl_store_export              (RlStore           *self,
                                           RlStoreRecordFunc  func,
                                           gpointer           user_data,
                                           GError           **error);
/* From here until rl_store_release_snapshot, every read of the store (an
 * export included) sees one snapshot: one read transaction, so a server
 * writing meanwhile is not held up and none of its later commits shows.
 * Only a store that exports has it. */
gboolean     rl_store_hold_snapshot       (RlStore           *self,
                                           GError           **error);
void         rl_store_release_snapshot    (RlStore           *self);
/* Copies every record of source (its rl_store_export) into this store as
 * it is, all in one transaction: the whole deployment or, on any error,
 * nothing. Refused (conflict) when this store holds a tenant already, so
 * a copy is never made twice nor mixed with another deployment. copied (may
 * be NULL) hears of each record once written (not yet committed). Only the
 * PostgreSQL store imports. */
gboolean     rl_store_import              (RlStore           *self,
                                           RlStore           *source,
                                           RlStoreRecordFunc  copied,
                                           gpointer           user_data,
                                           GError           **error);

G_END_DECLS
