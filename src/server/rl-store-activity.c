/* rl-store-activity.c — RlStore's part of protocol 1.2: mentions, read
 * state, unread counts and each user's activity log
 *
 * Store-neutral like rl-store.c: every statement is one of SQL_QUERIES
 * (rl-store-sql.h), run through the run_query vfunc, so both stores write
 * the same rows. The activity of a change is written in the change's own
 * transaction: a committed comment has its items, a refused one none.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-store-private.h"

#include <string.h>

#include "rl-limits.h"
#include "rl-time.h"

static G_DEFINE_QUARK (rl-store-activity-log-limit, activity_log_limit)

void
rl_store_activity_free (RlStoreActivity *activity)
{
  if (activity == NULL)
    return;
  g_free (activity->tenant);
  g_free (activity->user);
  g_free (activity);
}

void
rl_store_set_activity_log_limit (RlStore *self,
                                 guint    limit)
{
  g_return_if_fail (RL_IS_STORE (self));

  g_object_set_qdata (G_OBJECT (self), activity_log_limit_quark (), GUINT_TO_POINTER (MAX (limit, 1)));
}

void
rl_store_copy_activity_log_limit (RlStore *from,
                                  RlStore *to)
{
  gpointer limit = g_object_get_qdata (G_OBJECT (from), activity_log_limit_quark ());

  if (limit != NULL)
    g_object_set_qdata (G_OBJECT (to), activity_log_limit_quark (), limit);
}

static guint
activity_log_limit (RlStore *self)
{
  gpointer limit = g_object_get_qdata (G_OBJECT (self), activity_log_limit_quark ());

  return limit ? GPOINTER_TO_UINT (limit) : RL_ACTIVITY_LOG_LIMIT;
}

/* ---- rows ---------------------------------------------------------------------- */

static gboolean
run_query (RlStore         *self,
           RlStoreQuery     query,
           GVariant        *params,
           GError         **error)
{
  return RL_STORE_GET_IFACE (self)->run_query (self, query, params, NULL, NULL, NULL, error);
}

static GPtrArray *
run_rows (RlStore         *self,
          RlStoreQuery     query,
          GVariant        *params,
          RlStoreFromRow   from_row,
          GDestroyNotify   free_func,
          GError         **error)
{
  GPtrArray *records = NULL;

  if (!RL_STORE_GET_IFACE (self)->run_query (self, query, params, from_row, free_func, &records, error))
    return NULL;
  return records;
}

static gpointer
text_from_row (const RlStoreRow *row)
{
  return g_strdup (row->text (row, 0));
}

static gpointer
number_from_row (const RlStoreRow *row)
{
  gint64 *number = g_new (gint64, 1);

  *number = row->number (row, 0);
  return number;
}

/* A mention with the comment it is of (comment, user, start, end). */
typedef struct
{
  char      *comment;
  RlMention *mention;
} MentionRow;

static void
mention_row_free (MentionRow *row)
{
  g_free (row->comment);
  rl_mention_free (row->mention);
  g_free (row);
}

static gpointer
mention_from_row (const RlStoreRow *row)
{
  MentionRow *mention = g_new0 (MentionRow, 1);

  mention->comment = g_strdup (row->text (row, 0));
  mention->mention = rl_mention_new (row->text (row, 1), row->number (row, 2), row->number (row, 3));
  return mention;
}

/* An item of a log (aseq, payload). */
typedef struct
{
  gint64  aseq;
  char   *payload;
} ActivityRow;

static void
activity_row_free (ActivityRow *row)
{
  g_free (row->payload);
  g_free (row);
}

static gpointer
activity_from_row (const RlStoreRow *row)
{
  ActivityRow *activity = g_new0 (ActivityRow, 1);

  activity->aseq = row->number (row, 0);
  activity->payload = g_strdup (row->text (row, 1));
  return activity;
}

static gpointer
unread_from_row (const RlStoreRow *row)
{
  RlActivityUnread *unread = g_new0 (RlActivityUnread, 1);

  unread->doc.id = g_strdup (row->text (row, 0));
  unread->doc.title = g_strdup (row->text (row, 1));
  rl_doc_kind_from_string (row->text (row, 2), &unread->doc.kind);
  unread->counts.threads = row->number (row, 3);
  unread->counts.comments = row->number (row, 4);
  unread->counts.mentions = row->number (row, 5);
  return unread;
}

static gpointer
member_from_row (const RlStoreRow *row)
{
  RlMember *member = g_new0 (RlMember, 1);

  member->person.id = g_strdup (row->text (row, 0));
  member->person.name = g_strdup (row->text (row, 1));
  rl_role_from_string (row->text (row, 2), &member->role);
  return member;
}

/* A row of the read state: a marker (thread '' the floor, NULL when the
 * user has none) and when the user was added. */
typedef struct
{
  char   *thread;
  gint64  seq;
  gint64  since;
} ReadMarkRow;

static gpointer
read_mark_from_row (const RlStoreRow *row)
{
  ReadMarkRow *mark = g_new0 (ReadMarkRow, 1);

  mark->thread = g_strdup (row->text (row, 0));
  mark->seq = row->number (row, 1);
  mark->since = row->number (row, 2);
  return mark;
}

static void
read_mark_free (ReadMarkRow *mark)
{
  g_free (mark->thread);
  g_free (mark);
}

/* ---- inside a mutation's transaction ----------------------------------------------- */

gboolean
rl_store_check_mentions (RlStore          *self,
                         const char       *tenant,
                         const RlRequest  *request,
                         GError          **error)
{
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);

  for (guint i = 0; request->mentions != NULL && i < request->mentions->len; i++)
    {
      const RlMention *mention = g_ptr_array_index (request->mentions, i);
      gint64 revoked_at = -1;

      if (!iface->read_number (self, RL_STORE_READ_USER_REVOKED_AT, tenant, mention->user, &revoked_at, error))
        return FALSE;
      /* Another tenant's user, or a revoked one, is no one to call in. */
      if (revoked_at != 0)
        {
          g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such user to mention");
          return FALSE;
        }
    }
  return TRUE;
}

GPtrArray *
rl_store_read_comment_mentions (RlStore     *self,
                                const char  *tenant,
                                const char  *comment,
                                GError     **error)
{
  g_autoptr(GPtrArray) rows = run_rows (self, RL_STORE_QUERY_MENTIONS_OF_COMMENT,
                                        g_variant_new ("(ss)", tenant, comment),
                                        mention_from_row, (GDestroyNotify) mention_row_free, error);
  GPtrArray *mentions;

  if (rows == NULL)
    return NULL;
  mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_mention_free);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (mentions, rl_mention_copy (((MentionRow *) g_ptr_array_index (rows, i))->mention));
  return mentions;
}

/* The comment an event makes or changes (created, added, edited). */
static const RlComment *
event_comment (const RlEvent *event)
{
  if (event->kind == RL_EVENT_CREATED)
    return event->thread->comments->len > 0 ? g_ptr_array_index (event->thread->comments, 0) : NULL;
  if (event->kind == RL_EVENT_UPDATED &&
      (event->change == RL_CHANGE_COMMENT_ADDED || event->change == RL_CHANGE_COMMENT_EDITED))
    return event->comment;
  return NULL;
}

gboolean
rl_store_write_mentions (RlStore        *self,
                         const char     *tenant,
                         const RlEvent  *event,
                         GError        **error)
{
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  const RlComment *comment = event_comment (event);

  if (event->kind == RL_EVENT_DELETED)
    return iface->write_row (self, RL_STORE_WRITE_DELETE_THREAD_MENTIONS, tenant, event->thread_id, NULL, error);
  if (event->kind == RL_EVENT_UPDATED && event->change == RL_CHANGE_COMMENT_DELETED)
    return iface->write_row (self, RL_STORE_WRITE_DELETE_COMMENT_MENTIONS, tenant, event->comment_id, NULL, error);
  if (comment == NULL)
    return TRUE;
  /* An edit's mentions replace the comment's. */
  if (event->kind == RL_EVENT_UPDATED && event->change == RL_CHANGE_COMMENT_EDITED &&
      !iface->write_row (self, RL_STORE_WRITE_DELETE_COMMENT_MENTIONS, tenant, comment->id, NULL, error))
    return FALSE;
  for (guint i = 0; i < comment->mentions->len; i++)
    {
      const RlMention *mention = g_ptr_array_index (comment->mentions, i);

      if (!run_query (self, RL_STORE_QUERY_INSERT_MENTION,
                      g_variant_new ("(sssssxx)", tenant, event->doc, comment->thread, comment->id,
                                     mention->user, mention->start, mention->end),
                      error))
        return FALSE;
    }
  return TRUE;
}

/* Appends item (its aseq taken) to user's log, pruned to the limit, and
 * says so in out; a user the tenant does not have gets nothing. */
static gboolean
append_activity (RlStore     *self,
                 const char  *tenant,
                 const char  *user,
                 RlActivity  *item,
                 GPtrArray   *out,
                 GError     **error)
{
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  g_autofree char *payload = NULL;
  RlStoreActivity *added;
  gint64 aseq = -1, upto;
  guint limit = activity_log_limit (self);

  if (!iface->read_number (self, RL_STORE_READ_ACTIVITY_SEQ, tenant, user, &aseq, error))
    return FALSE;
  if (aseq < 0)
    return TRUE;
  item->aseq = aseq;
  payload = rl_activity_serialize (item);
  if (!run_query (self, RL_STORE_QUERY_APPEND_ACTIVITY,
                  g_variant_new ("(ssxss)", tenant, user, aseq, rl_activity_kind_to_string (item->kind), payload),
                  error))
    return FALSE;
  upto = aseq > limit ? aseq - limit : 0;
  if (upto > 0 && !run_query (self, RL_STORE_QUERY_PRUNE_ACTIVITY, g_variant_new ("(ssx)", tenant, user, upto),
                              error))
    return FALSE;
  added = g_new0 (RlStoreActivity, 1);
  added->tenant = g_strdup (tenant);
  added->user = g_strdup (user);
  added->aseq = aseq;
  g_ptr_array_add (out, added);
  return TRUE;
}

static RlActivity *
new_item (RlActivityKind     kind,
          const RlPrincipal *who,
          const RlDocument  *doc,
          gint64             doc_seq)
{
  RlActivity *item = rl_activity_new (kind);

  item->at = rl_time_now_ms ();
  rl_person_copy_into (&item->actor, &who->user);
  item->doc.id = g_strdup (doc->id);
  item->doc.title = g_strdup (doc->title);
  item->doc.kind = doc->kind;
  item->doc_seq = doc_seq;
  return item;
}

static gboolean
mentions_user (GPtrArray  *mentions,
               const char *user)
{
  for (guint i = 0; mentions != NULL && i < mentions->len; i++)
    if (g_strcmp0 (((RlMention *) g_ptr_array_index (mentions, i))->user, user) == 0)
      return TRUE;
  return FALSE;
}

/* Users in a stable order (ids sorted), so that writers of several users'
 * logs take their rows' locks in one order. */
static int
compare_users (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
sort_users (GPtrArray *users)
{
  g_ptr_array_sort (users, compare_users);
}

gboolean
rl_store_note_activity (RlStore            *self,
                        const RlPrincipal  *who,
                        const RlDocument   *doc,
                        const RlEvent      *event,
                        GPtrArray          *old_mentions,
                        GPtrArray          *out,
                        GError            **error)
{
  const char *tenant = who->tenant;
  const RlComment *comment = event_comment (event);
  g_autoptr(GPtrArray) participants = NULL;
  g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) mentioned = g_ptr_array_new ();
  gint64 number = 0;
  RlActivityKind kind;

  if (event->kind == RL_EVENT_CREATED)
    kind = RL_ACTIVITY_REPLY;   /* no one else is in a new thread: only mentions */
  else if (event->kind == RL_EVENT_UPDATED && event->change == RL_CHANGE_COMMENT_ADDED)
    kind = RL_ACTIVITY_REPLY;
  else if (event->kind == RL_EVENT_UPDATED && event->change == RL_CHANGE_COMMENT_EDITED)
    kind = RL_ACTIVITY_MENTION;
  else if (event->kind == RL_EVENT_UPDATED && event->change == RL_CHANGE_RESOLVED)
    kind = RL_ACTIVITY_RESOLVED;
  else
    return TRUE;

  if (event->kind == RL_EVENT_CREATED)
    number = event->thread->number;
  else
    {
      g_autoptr(GPtrArray) numbers = run_rows (self, RL_STORE_QUERY_THREAD_NUMBER,
                                               g_variant_new ("(ss)", tenant, event->thread_id),
                                               number_from_row, g_free, error);

      if (numbers == NULL)
        return FALSE;
      number = numbers->len > 0 ? *(gint64 *) g_ptr_array_index (numbers, 0) : 0;
    }

  /* Mentions first (new ones only, on an edit): they take precedence. */
  g_hash_table_add (done, who->user.id);
  for (guint i = 0; comment != NULL && i < comment->mentions->len; i++)
    {
      char *user = ((RlMention *) g_ptr_array_index (comment->mentions, i))->user;

      if (!g_hash_table_contains (done, user) && !mentions_user (old_mentions, user))
        {
          g_hash_table_add (done, user);
          g_ptr_array_add (mentioned, user);
        }
    }
  sort_users (mentioned);
  for (guint i = 0; i < mentioned->len; i++)
    {
      g_autoptr(RlActivity) item = new_item (RL_ACTIVITY_MENTION, who, doc, event->seq);

      item->thread = g_strdup (event->thread_id);
      item->thread_number = number;
      item->comment = rl_comment_copy (comment);
      if (!append_activity (self, tenant, g_ptr_array_index (mentioned, i), item, out, error))
        return FALSE;
    }
  if (event->kind == RL_EVENT_CREATED || kind == RL_ACTIVITY_MENTION)
    return TRUE;

  participants = run_rows (self, RL_STORE_QUERY_THREAD_PARTICIPANTS, g_variant_new ("(ss)", tenant, event->thread_id),
                           text_from_row, g_free, error);
  if (participants == NULL)
    return FALSE;
  sort_users (participants);
  for (guint i = 0; i < participants->len; i++)
    {
      const char *user = g_ptr_array_index (participants, i);
      g_autoptr(RlActivity) item = NULL;

      if (user == NULL || g_hash_table_contains (done, user))
        continue;
      item = new_item (kind, who, doc, event->seq);
      item->thread = g_strdup (event->thread_id);
      item->thread_number = number;
      if (kind == RL_ACTIVITY_REPLY)
        item->comment = rl_comment_copy (comment);
      else
        item->resolved = event->resolved;
      if (!append_activity (self, tenant, user, item, out, error))
        return FALSE;
    }
  return TRUE;
}

/* Whom a group's mutations may write activity to, as "tenant\tuser" keys
 * in seen: their authors (who become participants of the threads they
 * write in, for the mutations after them), whom they mention, and the
 * participants of the threads they reply in or resolve. The documents are
 * locked already, so no one else adds to those threads before the commit. */
static gboolean
add_group_recipients (RlStore            *self,
                      const RlStoreApply *apply,
                      GHashTable         *seen,
                      GError            **error)
{
  const char *tenant = apply->who->tenant;
  const RlRequest *request = apply->request;
  g_autoptr(GPtrArray) participants = NULL;

  g_hash_table_add (seen, g_strconcat (tenant, "\t", apply->who->user.id, NULL));
  for (guint i = 0; request->mentions != NULL && i < request->mentions->len; i++)
    g_hash_table_add (seen, g_strconcat (tenant, "\t", ((RlMention *) g_ptr_array_index (request->mentions, i))->user,
                                         NULL));
  if (request->type != RL_REQUEST_ADD_COMMENT && request->type != RL_REQUEST_RESOLVE_THREAD)
    return TRUE;
  participants = run_rows (self, RL_STORE_QUERY_THREAD_PARTICIPANTS, g_variant_new ("(ss)", tenant, request->thread_id),
                           text_from_row, g_free, error);
  if (participants == NULL)
    return FALSE;
  for (guint i = 0; i < participants->len; i++)
    if (g_ptr_array_index (participants, i) != NULL)
      g_hash_table_add (seen, g_strconcat (tenant, "\t", (char *) g_ptr_array_index (participants, i), NULL));
  return TRUE;
}

gboolean
rl_store_lock_group_recipients (RlStore       *self,
                                RlStoreApply **applies,
                                guint          n_applies,
                                GError       **error)
{
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GList) keys = NULL;

  for (guint i = 0; i < n_applies; i++)
    if (!add_group_recipients (self, applies[i], seen, error))
      return FALSE;
  keys = g_list_sort (g_hash_table_get_keys (seen), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      g_auto(GStrv) parts = g_strsplit (l->data, "\t", 2);
      gint64 revoked_at = -1;

      /* The read that locks a user's row to the commit (a mention's check). */
      if (!iface->read_number (self, RL_STORE_READ_USER_REVOKED_AT, parts[0], parts[1], &revoked_at, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
rl_store_note_revision_activity (RlStore            *self,
                                 const RlPrincipal  *who,
                                 const RlDocument   *doc,
                                 const RlEvent      *event,
                                 GPtrArray          *out,
                                 GError            **error)
{
  g_autoptr(GPtrArray) participants = run_rows (self, RL_STORE_QUERY_DOC_PARTICIPANTS,
                                                g_variant_new ("(ss)", who->tenant, doc->id),
                                                text_from_row, g_free, error);

  if (participants == NULL)
    return FALSE;
  sort_users (participants);
  for (guint i = 0; i < participants->len; i++)
    {
      const char *user = g_ptr_array_index (participants, i);
      g_autoptr(RlActivity) item = NULL;

      if (user == NULL || g_strcmp0 (user, who->user.id) == 0)
        continue;
      item = new_item (RL_ACTIVITY_REVISION, who, doc, event->seq);
      item->revision = event->added->revision;
      if (!append_activity (self, who->tenant, user, item, out, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
rl_store_attach_mentions (RlStore     *self,
                          const char  *tenant,
                          const char  *doc,
                          GPtrArray   *threads,
                          GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) comments = NULL;

  rows = run_rows (self, RL_STORE_QUERY_MENTIONS_OF_DOC, g_variant_new ("(ss)", tenant, doc),
                   mention_from_row, (GDestroyNotify) mention_row_free, error);
  if (rows == NULL)
    return FALSE;
  if (rows->len == 0)
    return TRUE;
  comments = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < threads->len; i++)
    {
      RlThread *thread = g_ptr_array_index (threads, i);

      for (guint j = 0; j < thread->comments->len; j++)
        {
          RlComment *comment = g_ptr_array_index (thread->comments, j);

          g_hash_table_insert (comments, comment->id, comment);
        }
    }
  for (guint i = 0; i < rows->len; i++)
    {
      MentionRow *row = g_ptr_array_index (rows, i);
      RlComment *comment = g_hash_table_lookup (comments, row->comment);

      if (comment != NULL)
        g_ptr_array_add (comment->mentions, g_steal_pointer (&row->mention));
    }
  return TRUE;
}

/* ---- operations ------------------------------------------------------------------- */

typedef struct
{
  const RlPrincipal *who;
  const char        *doc;
  const char        *thread;
  gint64             seq;
  const char        *broadcast_id;
  GPtrArray         *out;
} MarkRead;

static gboolean
mark_read_body (RlStore   *self,
                gpointer   data,
                GError   **error)
{
  MarkRead *mark = data;
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  const char *tenant = mark->who->tenant;
  g_autoptr(RlDocument) doc = iface->get_document (self, tenant, mark->doc);
  g_autoptr(RlActivity) item = NULL;
  gint64 head;

  if (doc == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such document");
      return FALSE;
    }
  head = iface->get_head (self, tenant, mark->doc);
  if (mark->seq > head)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "“seq” is past the document’s head");
      return FALSE;
    }
  if (mark->thread != NULL)
    {
      g_autofree char *owner = NULL;

      if (!iface->lookup_thread (self, tenant, mark->doc, mark->thread, &owner, error))
        return FALSE;
      if (owner == NULL)
        {
          g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such thread");
          return FALSE;
        }
    }
  if (!run_query (self, RL_STORE_QUERY_RAISE_READ_MARK,
                  g_variant_new ("(ssssx)", tenant, mark->who->user.id, mark->doc,
                                 mark->thread ? mark->thread : "", mark->seq),
                  error))
    return FALSE;
  if (mark->thread == NULL &&
      !run_query (self, RL_STORE_QUERY_DROP_READ_MARKS,
                  g_variant_new ("(sss)", tenant, mark->who->user.id, mark->doc), error))
    return FALSE;

  item = new_item (RL_ACTIVITY_READ, mark->who, doc, 0);
  item->thread = g_strdup (mark->thread);
  item->seq = mark->seq;
  item->broadcast_id = g_strdup (mark->broadcast_id);
  return append_activity (self, tenant, mark->who->user.id, item, mark->out, error);
}

gboolean
rl_store_apply_mark_read (RlStore       *self,
                          RlStoreApply  *apply,
                          GError       **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_store_activity_free);
  const RlRequest *request = apply->request;
  MarkRead mark = { apply->who, request->doc, request->thread_id, request->seq, request->broadcast_id, out };

  if (request->seq < 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "“seq” must be a non-negative integer");
      return FALSE;
    }
  if (!mark_read_body (self, &mark, error))
    return FALSE;
  if (out->len == 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such user");
      return FALSE;
    }
  g_clear_pointer (&apply->activity, g_ptr_array_unref);
  apply->activity = g_steal_pointer (&out);
  return TRUE;
}

RlStoreActivity *
rl_store_mark_read (RlStore            *self,
                    const RlPrincipal  *who,
                    const char         *doc,
                    const char         *thread,
                    gint64              seq,
                    const char         *broadcast_id,
                    GError            **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_store_activity_free);
  MarkRead mark = { who, doc, thread, seq, broadcast_id, out };

  g_return_val_if_fail (RL_IS_STORE (self), NULL);

  if (seq < 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "“seq” must be a non-negative integer");
      return NULL;
    }
  if (!rl_store_run_in_transaction (self, mark_read_body, &mark, error))
    return NULL;
  if (out->len == 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such user");
      return NULL;
    }
  return g_ptr_array_steal_index (out, 0);
}

RlReadState *
rl_store_get_read_state (RlStore    *self,
                         const char *tenant,
                         const char *user,
                         const char *doc)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) marks = run_rows (self, RL_STORE_QUERY_READ_MARKS, g_variant_new ("(sss)", tenant, user, doc),
                                         read_mark_from_row, (GDestroyNotify) read_mark_free, &error);
  RlReadState *state;

  if (marks == NULL)
    g_warning ("cannot read the read state: %s", error->message);
  /* No row: the store failed (warned), or the user is gone (revoked users
   * keep their row): no floor, no markers. */
  if (marks == NULL || marks->len == 0)
    return rl_read_state_new (0, 0);
  state = rl_read_state_new (0, ((ReadMarkRow *) g_ptr_array_index (marks, 0))->since);
  for (guint i = 0; i < marks->len; i++)
    {
      const ReadMarkRow *mark = g_ptr_array_index (marks, i);

      if (mark->thread != NULL && *mark->thread == '\0')
        state->seq = mark->seq;
    }
  for (guint i = 0; i < marks->len; i++)
    {
      const ReadMarkRow *mark = g_ptr_array_index (marks, i);

      if (mark->thread != NULL && *mark->thread != '\0' && mark->seq > state->seq)
        rl_read_state_add (state, mark->thread, mark->seq);
    }
  return state;
}

GPtrArray *
rl_store_get_unread (RlStore    *self,
                     const char *tenant,
                     const char *user,
                     const char *doc)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *unread = run_rows (self, RL_STORE_QUERY_UNREAD, g_variant_new ("(sss)", tenant, user, doc ? doc : ""),
                                unread_from_row, (GDestroyNotify) rl_activity_unread_free, &error);

  if (unread == NULL)
    {
      g_warning ("cannot count what is unread: %s", error->message);
      return g_ptr_array_new_with_free_func ((GDestroyNotify) rl_activity_unread_free);
    }
  return unread;
}

gint64
rl_store_get_activity_head (RlStore    *self,
                            const char *tenant,
                            const char *user)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) heads = run_rows (self, RL_STORE_QUERY_ACTIVITY_HEAD, g_variant_new ("(ss)", tenant, user),
                                         number_from_row, g_free, &error);

  if (heads == NULL)
    {
      g_warning ("cannot read an activity log: %s", error->message);
      return -1;
    }
  return heads->len > 0 ? *(gint64 *) g_ptr_array_index (heads, 0) : -1;
}

GPtrArray *
rl_store_activity_since (RlStore    *self,
                         const char *tenant,
                         const char *user,
                         gint64      since,
                         gint64      upto,
                         gint64     *head)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);

  /* The head and the items from one snapshot. */
  if (!iface->transaction_step (self, RL_STORE_STEP_BEGIN_READ, &error))
    {
      g_warning ("cannot read an activity log: %s", error->message);
      return NULL;
    }
  *head = rl_store_get_activity_head (self, tenant, user);
  if (*head >= 0 && since <= *head)
    rows = run_rows (self, RL_STORE_QUERY_ACTIVITY_SINCE, g_variant_new ("(ssx)", tenant, user, since),
                     activity_from_row, (GDestroyNotify) activity_row_free, &error);
  iface->transaction_step (self, RL_STORE_STEP_END_READ, NULL);
  if (upto >= 0 && upto < *head)
    *head = upto;
  if (rows == NULL)
    return NULL;
  /* Every one of since + 1 … head, or none: a pruned log is a gap. */
  for (guint i = 0; i < rows->len; i++)
    {
      ActivityRow *row = g_ptr_array_index (rows, i);

      if (row->aseq > *head)
        break;
      if (row->aseq != since + 1 + (gint64) i)
        return NULL;
      g_ptr_array_add (items, g_steal_pointer (&row->payload));
    }
  if ((gint64) items->len != *head - since)
    return NULL;
  return g_steal_pointer (&items);
}

GPtrArray *
rl_store_activity_recent (RlStore    *self,
                          const char *tenant,
                          const char *user,
                          guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = run_rows (self, RL_STORE_QUERY_ACTIVITY_RECENT,
                                        g_variant_new ("(ssx)", tenant, user, (gint64) n),
                                        activity_from_row, (GDestroyNotify) activity_row_free, &error);
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);

  if (rows == NULL)
    {
      g_warning ("cannot read an activity log: %s", error->message);
      return items;
    }
  /* Newest first from the store: oldest first here. */
  for (guint i = rows->len; i > 0; i--)
    g_ptr_array_add (items, g_steal_pointer (&((ActivityRow *) g_ptr_array_index (rows, i - 1))->payload));
  return items;
}

GPtrArray *
rl_store_list_members (RlStore    *self,
                       const char *tenant)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *members = run_rows (self, RL_STORE_QUERY_MEMBERS, g_variant_new ("(s)", tenant),
                                 member_from_row, (GDestroyNotify) rl_member_free, &error);

  if (members == NULL)
    {
      g_warning ("cannot list users: %s", error->message);
      return g_ptr_array_new_with_free_func ((GDestroyNotify) rl_member_free);
    }
  return members;
}

typedef struct
{
  const char *tenant;
  const char *user;
  const char *name;
} Rename;

static gboolean
rename_body (RlStore   *self,
             gpointer   data,
             GError   **error)
{
  Rename *rename = data;
  RlStoreInterface *iface = RL_STORE_GET_IFACE (self);
  gint64 revoked_at = -1;

  if (!iface->read_number (self, RL_STORE_READ_USER_REVOKED_AT, rename->tenant, rename->user, &revoked_at, error))
    return FALSE;
  if (revoked_at < 0)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no user “%s” in tenant “%s”", rename->user, rename->tenant);
      return FALSE;
    }
  return iface->write_row (self, RL_STORE_WRITE_USER_NAME, rename->tenant, rename->user,
                           g_variant_new_string (rename->name), error);
}

gboolean
rl_store_rename_user (RlStore     *self,
                      const char  *tenant,
                      const char  *user,
                      const char  *name,
                      GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name ? name : ""));
  Rename rename = { tenant, user, trimmed };

  g_return_val_if_fail (RL_IS_STORE (self), FALSE);

  if (!g_utf8_validate (trimmed, -1, NULL) || *trimmed == '\0' ||
      g_utf8_strlen (trimmed, -1) > RL_NAME_MAX_CHARS)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST, "a user needs a name");
      return FALSE;
    }
  return rl_store_run_in_transaction (self, rename_body, &rename, error);
}
