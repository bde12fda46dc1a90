/* test-chaos.c — five clients change two documents (an image and a page)
 * at random while the server is SIGKILLed and restarted five times, links
 * are cut and, once, the server goes silent (SIGSTOP) past the ack timeout
 * and the dead-link time; at the end every store equals the server's
 * snapshot and no acknowledged change is missing. Its two-node variant does
 * the same to two nodes on one PostgreSQL database behind nginx (the
 * clients on both, the kills taking each down in turn) and ends by killing
 * one for good: its clients finish on the other
 *
 * The run is driven by one seeded PRNG: the seed is printed, and
 * RL_CHAOS_SEED=N replays it (the schedule, the clients and the changes;
 * the timing of the network is the machine's).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "rl-doc-store.h"
#include "rl-plaintext.h"
#include "rl-test-nginx.h"
#include "rl-test-pg.h"
#include "rl-test-server.h"
#include "rl-connection-private.h"

#define N_CLIENTS        5
#define N_DOCS           2
#define N_KILLS          5
#define N_DROPS          12
#define KILLS_MS         19000   /* the kills happen in this part of the run */
#define FREEZE_MS        4500    /* then the server stops answering (SIGSTOP) */
#define CHAOS_MS         26000
#define MUTATION_EVERY_MS 20
#define SETTLE_MS        30000

/* What one change does, from the client's side (its optimistic event) or
 * from the server's log: enough to replay it and to compare the two. */
typedef struct
{
  RlRequestType type;
  char         *broadcast_id;
  gint64        seq;
  char         *thread_id;
  char         *comment_id;   /* create-thread (its first), add/edit/delete-comment */
  char         *body;         /* create-thread, add/edit-comment */
  RlAnchor      anchor;       /* create-thread, move-thread */
  gboolean      resolved;     /* resolve-thread */
  int           client;       /* -1 for the server's log */
} Op;

static void
op_free (Op *op)
{
  g_free (op->broadcast_id);
  g_free (op->thread_id);
  g_free (op->comment_id);
  g_free (op->body);
  rl_anchor_clear (&op->anchor);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Op, op_free)

/* The request type an event answers (created/updated/deleted + change). */
static Op *
op_from_event (const RlEvent *event,
               gint64         seq,
               int            client)
{
  Op *op = g_new0 (Op, 1);

  op->broadcast_id = g_strdup (event->broadcast_id);
  op->seq = seq;
  op->thread_id = g_strdup (event->thread_id);
  op->client = client;
  switch (event->kind)
    {
    case RL_EVENT_CREATED:
      {
        const RlComment *first = g_ptr_array_index (event->thread->comments, 0);

        op->type = RL_REQUEST_CREATE_THREAD;
        g_clear_pointer (&op->thread_id, g_free);
        op->thread_id = g_strdup (event->thread->id);
        op->comment_id = g_strdup (first->id);
        op->body = g_strdup (first->body);
        rl_anchor_copy_into (&op->anchor, &event->thread->anchor);
      }
      break;
    case RL_EVENT_DELETED:
      op->type = RL_REQUEST_DELETE_THREAD;
      break;
    case RL_EVENT_UPDATED:
      switch (event->change)
        {
        case RL_CHANGE_COMMENT_ADDED:
        case RL_CHANGE_COMMENT_EDITED:
          op->type = event->change == RL_CHANGE_COMMENT_ADDED ? RL_REQUEST_ADD_COMMENT : RL_REQUEST_EDIT_COMMENT;
          op->comment_id = g_strdup (event->comment->id);
          op->body = g_strdup (event->comment->body);
          break;
        case RL_CHANGE_COMMENT_DELETED:
          op->type = RL_REQUEST_DELETE_COMMENT;
          op->comment_id = g_strdup (event->comment_id);
          break;
        case RL_CHANGE_RESOLVED:
          op->type = RL_REQUEST_RESOLVE_THREAD;
          op->resolved = event->resolved;
          break;
        case RL_CHANGE_MOVED:
          op->type = RL_REQUEST_MOVE_THREAD;
          rl_anchor_copy_into (&op->anchor, &event->anchor);
          break;
        case RL_CHANGE_NONE:
        default:
          g_assert_not_reached ();
        }
      break;
    default:
      g_assert_not_reached ();
    }
  return op;
}

/* What the client sent is what the server logged at that seq. */
static void
assert_op_equal (const Op *mine,
                 const Op *logged)
{
  g_assert_cmpstr (mine->broadcast_id, ==, logged->broadcast_id);
  g_assert_cmpint (mine->seq, ==, logged->seq);
  g_assert_cmpint (mine->type, ==, logged->type);
  g_assert_cmpstr (mine->thread_id, ==, logged->thread_id);
  g_assert_cmpstr (mine->comment_id, ==, logged->comment_id);
  g_assert_cmpstr (mine->body, ==, logged->body);
  g_assert_true (rl_anchor_equal (&mine->anchor, &logged->anchor));
  g_assert_cmpint (mine->resolved, ==, logged->resolved);
}

typedef struct _Chaos Chaos;
typedef struct _Client Client;

typedef struct
{
  RlDocKind     kind;
  char         *id;
  RlPageText   *text;        /* pages: what anchors count in */
  GPtrArray    *confirmed;   /* Op*, every change of ours the server committed */
  GPtrArray    *deleted;     /* ids of threads whose deletion was confirmed */
} Doc;

/* One client's store of one document. */
typedef struct
{
  Client       *client;
  Doc          *doc;
  RlDocStore   *store;
} Seat;

struct _Client
{
  Chaos        *chaos;
  int           index;
  const char   *name;
  gboolean      admin;
  const char   *token;       /* the team keeps it */
  char         *user_id;
  RlConnection *conn;
  Seat          seats[N_DOCS];   /* two stores on one connection */

  guint         sent;        /* mutations the store accepted to send */
  guint         not_sent;    /* refused at once (offline) */
  guint         confirmed;
  guint         failed;
  guint         failed_by_code[RL_ERROR_CONNECTION_LOST + 1];
  guint         doomed;      /* sent against a thread whose deletion was confirmed */
};

#define MAX_NODES 2

struct _Chaos
{
  /* One node on SQLite, or two on one PostgreSQL database behind nginx. */
  guint         n_nodes;
  RlTestServer *nodes[MAX_NODES];
  RlTestTeam    solo;        /* the one node's */
  RlTestCluster cluster;     /* the two nodes' */
  RlTestTeam   *team;        /* on the first node */
  RlTestNginx  *nginx;
  RlTestServer *server;      /* where clients go: the node, or nginx */
  char         *ws_url;
  GRand        *rand;
  Doc           docs[N_DOCS];
  Client        clients[N_CLIENTS];
  guint         counter;     /* makes every body unique */
};

static const struct
{
  const char *name;
  const char *role;
} people[N_CLIENTS] = {
  { "Ada", "admin" },
  { "Bob", "member" },
  { "Cy", "member" },
  { "Dee", "member" },
  { "Eve", "admin" },
};

/* ---- outcomes ---------------------------------------------------------- */

static void
on_confirmed (RlDocStore    *store,
              int            type,
              const RlEvent *event,
              gint64         seq,
              gpointer       data)
{
  Seat *seat = data;
  Op *op = op_from_event (event, seq, seat->client->index);

  g_assert_cmpint (op->type, ==, type);
  g_assert_cmpint (seq, >, 0);
  g_assert_cmpint (event->doc_kind, ==, seat->doc->kind);
  seat->client->confirmed++;
  if (type == RL_REQUEST_DELETE_THREAD)
    g_ptr_array_add (seat->doc->deleted, g_strdup (op->thread_id));
  g_ptr_array_add (seat->doc->confirmed, op);
}

static void
on_failed (RlDocStore    *store,
           int            type,
           const GError  *error,
           const char    *text,
           const RlEvent *change,
           gpointer       data)
{
  Client *client = ((Seat *) data)->client;

  g_assert_true (error->domain == RL_ERROR);
  g_assert_cmpint (error->code, >=, 0);
  g_assert_cmpint (error->code, <=, RL_ERROR_CONNECTION_LOST);
  /* Refused by the rules (someone else's, or gone), or cut off by the
   * chaos; anything else (bad-request, conflict, internal…) is a bug. */
  if (error->code != RL_ERROR_NOT_FOUND && error->code != RL_ERROR_FORBIDDEN &&
      error->code != RL_ERROR_CONNECTION_LOST && error->code != RL_ERROR_TIMEOUT)
    g_error ("%s: %s failed unexpectedly: %s (code %d)", client->name,
             rl_request_type_to_string (type), error->message, error->code);
  /* The text the user typed comes back for every typed change. */
  if (type == RL_REQUEST_CREATE_THREAD || type == RL_REQUEST_ADD_COMMENT || type == RL_REQUEST_EDIT_COMMENT)
    {
      g_assert_nonnull (text);
      g_assert_true (strstr (text, " #") != NULL);
    }
  client->failed++;
  client->failed_by_code[error->code]++;
}

/* ---- random changes -------------------------------------------------------- */

static char *
new_body (Chaos  *chaos,
          Client *client)
{
  return g_strdup_printf ("  %s #%u: %08x  ", client->name, ++chaos->counter, g_rand_int (chaos->rand));
}

/* A valid anchor: anywhere on the image, or a slice of the page's text
 * with up to 32 code points of context either side. */
static void
random_anchor (Chaos    *chaos,
               Doc      *doc,
               RlAnchor *anchor)
{
  anchor->kind = doc->kind;
  if (doc->kind == RL_DOC_KIND_IMAGE)
    {
      /* Now and then the very edges, which are in range too. */
      anchor->x = g_rand_int_range (chaos->rand, 0, 20) == 0 ? 1.0 : g_rand_double (chaos->rand);
      anchor->y = g_rand_int_range (chaos->rand, 0, 20) == 0 ? 0.0 : g_rand_double (chaos->rand);
    }
  else
    {
      guint n = rl_page_text_get_n_chars (doc->text);
      guint start = (guint) g_rand_int_range (chaos->rand, 0, (gint32) n);
      guint end = start + (guint) g_rand_int_range (chaos->rand, 1, (gint32) MIN (40, n - start) + 1);

      anchor->start = start;
      anchor->end = end;
      anchor->exact = rl_page_text_slice (doc->text, start, end);
      anchor->prefix = rl_page_text_slice (doc->text, start > 32 ? start - 32 : 0, start);
      anchor->suffix = rl_page_text_slice (doc->text, end, MIN (n, end + 32));
    }
}

static const RlThread *
random_thread (Chaos  *chaos,
               Seat   *seat,
               gboolean own)
{
  Client *client = seat->client;
  GListModel *threads = rl_doc_store_get_threads (seat->store);
  guint n = g_list_model_get_n_items (threads);
  guint start;

  if (n == 0)
    return NULL;
  start = (guint) g_rand_int_range (chaos->rand, 0, (gint32) n);
  for (guint k = 0; k < n; k++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, (start + k) % n);
      const RlThread *thread = rl_thread_item_get_thread (item);

      if (!own || g_strcmp0 (thread->created_by.id, client->user_id) == 0)
        return thread;   /* the item, held by the model, keeps it */
    }
  return NULL;
}

/* A comment of thread (never the first when not_first), preferably own. */
static const RlComment *
random_comment (Chaos          *chaos,
                Client         *client,
                const RlThread *thread,
                gboolean        not_first,
                gboolean        own)
{
  guint from = not_first ? 1 : 0;
  guint n = thread->comments->len;
  guint start;

  if (n <= from)
    return NULL;
  start = (guint) g_rand_int_range (chaos->rand, 0, (gint32) (n - from));
  for (guint k = 0; k < n - from; k++)
    {
      const RlComment *comment = g_ptr_array_index (thread->comments, from + (start + k) % (n - from));

      if (!own || g_strcmp0 (comment->author.id, client->user_id) == 0)
        return comment;
    }
  return NULL;
}

static void
counted (Client   *client,
         gboolean  sent,
         GError   *error)
{
  if (sent)
    {
      client->sent++;
      return;
    }
  /* Not sent at all: only when the link is down (nothing is queued). */
  g_assert_error (error, RL_ERROR, RL_ERROR_OFFLINE);
  client->not_sent++;
}

static void
mutate_with (Chaos          *chaos,
             Seat           *seat,
             const RlAnchor *anchor)
{
  Client *client = seat->client;
  RlDocStore *store = seat->store;
  Doc *doc = seat->doc;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = new_body (chaos, client);
  /* Members mostly keep to their own; now and then they try someone
   * else's and are refused. Admins may do anything. */
  gboolean own = !client->admin && g_rand_int_range (chaos->rand, 0, 10) != 0;
  int dice = g_rand_int_range (chaos->rand, 0, 100);
  const RlThread *thread = NULL;
  const RlComment *comment = NULL;
  gboolean sent;

  if (dice >= 90 && doc->deleted->len > 0)
    {
      /* A thread someone deleted (confirmed): must come back not-found. */
      const char *gone = g_ptr_array_index (doc->deleted,
                                            g_rand_int_range (chaos->rand, 0, (gint32) doc->deleted->len));
      g_autofree char *fake_comment = g_uuid_string_random ();

      switch (g_rand_int_range (chaos->rand, 0, 5))
        {
        case 0:
          sent = rl_doc_store_add_comment (store, gone, body, NULL, &error);
          break;
        case 1:
          sent = rl_doc_store_resolve_thread (store, gone, TRUE, &error);
          break;
        case 2:
          sent = rl_doc_store_move_thread (store, gone, anchor, &error);
          break;
        case 3:
          sent = rl_doc_store_edit_comment (store, gone, fake_comment, body, &error);
          break;
        default:
          sent = rl_doc_store_delete_thread (store, gone, &error);
          break;
        }
      counted (client, sent, error);
      if (sent)
        client->doomed++;
      return;
    }

  if (dice >= 20)
    thread = random_thread (chaos, seat, dice >= 62 && own);
  if (thread == NULL || dice < 20)
    {
      sent = rl_doc_store_create_thread (store, anchor, body, NULL, &error);
      counted (client, sent, error);
      return;
    }

  if (dice < 40)
    sent = rl_doc_store_add_comment (store, thread->id, body, NULL, &error);
  else if (dice < 50 && (comment = random_comment (chaos, client, thread, FALSE, own)))
    sent = rl_doc_store_edit_comment (store, thread->id, comment->id, body, &error);
  else if (dice < 62)
    sent = rl_doc_store_resolve_thread (store, thread->id, !thread->resolved, &error);
  else if (dice < 72)
    sent = rl_doc_store_move_thread (store, thread->id, anchor, &error);
  else if (dice < 82 && (comment = random_comment (chaos, client, thread, TRUE, own)))
    sent = rl_doc_store_delete_comment (store, thread->id, comment->id, &error);
  else if (dice >= 82)
    sent = rl_doc_store_delete_thread (store, thread->id, &error);
  else
    sent = rl_doc_store_add_comment (store, thread->id, body, NULL, &error);
  counted (client, sent, error);
}

static void
mutate_once (Chaos  *chaos,
             Client *client)
{
  Seat *seat = &client->seats[g_rand_int_range (chaos->rand, 0, N_DOCS)];
  RlAnchor anchor = { 0 };

  random_anchor (chaos, seat->doc, &anchor);
  mutate_with (chaos, seat, &anchor);
  rl_anchor_clear (&anchor);
}

static Client *
random_client (Chaos *chaos)
{
  return &chaos->clients[g_rand_int_range (chaos->rand, 0, N_CLIENTS)];
}

static gboolean
mutate_cb (gpointer data)
{
  Chaos *chaos = data;

  /* Now and then a few at once, so that several are in flight. */
  for (int n = g_rand_int_range (chaos->rand, 1, 4); n > 0; n--)
    mutate_once (chaos, random_client (chaos));
  return G_SOURCE_CONTINUE;
}

/* A burst of changes, then a few ms for them to reach the server: what
 * comes next (a kill, a cut) lands while they are in flight, some of them
 * committed and not yet acknowledged. */
static void
burst (Chaos  *chaos,
       Client *only)
{
  gint64 until;

  for (int n = 0; n < 8; n++)
    mutate_once (chaos, only ? only : random_client (chaos));
  until = g_get_monotonic_time () + 1000 * g_rand_int_range (chaos->rand, 0, 10);
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* ---- the server's word --------------------------------------------------- */

/* Every event of the document, from seq 1, by subscribing with since 0. */
static GPtrArray *
server_log (Chaos      *chaos,
            Doc        *doc,
            const char *token)
{
  g_autoptr(RlTestClient) raw = rl_test_client_new (chaos->server, token);
  GPtrArray *ops = g_ptr_array_new_with_free_func ((GDestroyNotify) op_free);

  rl_test_client_send_printf (raw, "{\"type\":\"subscribe\",\"req\":\"log\",\"doc\":\"%s\",\"since\":0}",
                              doc->id);
  for (;;)
    {
      JsonObject *object = rl_test_client_next (raw);
      const char *type = json_object_get_string_member (object, "type");
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
      g_autofree char *text = json_to_string (node, FALSE);
      g_autoptr(GError) error = NULL;
      RlMessage *message;

      json_object_unref (object);
      if (g_str_equal (type, "ack"))
        {
          g_assert_null (rl_test_ack_error (json_node_get_object (node)));
          g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "seq"), ==, ops->len);
          break;
        }
      if (g_str_equal (type, "presence"))
        continue;
      /* The whole log, not a reset snapshot: nothing was pruned. */
      g_assert_cmpstr (type, !=, "snapshot");
      message = rl_message_parse (text, strlen (text), &error);
      g_assert_no_error (error);
      g_assert_cmpint (message->type, ==, RL_MESSAGE_EVENT);
      g_assert_cmpstr (message->event->doc, ==, doc->id);
      g_assert_cmpint (message->event->doc_kind, ==, doc->kind);
      g_assert_cmpint (message->event->seq, ==, ops->len + 1);
      g_ptr_array_add (ops, op_from_event (message->event, message->event->seq, -1));
      rl_message_free (message);
    }
  return ops;
}

/* ---- an independent model, replayed from the log ---------------------------- */

typedef struct
{
  char    *id;
  char    *body;
  gboolean edited;
} ModelComment;

typedef struct
{
  char     *id;
  RlAnchor  anchor;
  gboolean  resolved;
  GPtrArray *comments;   /* ModelComment* */
} ModelThread;

static void
model_comment_free (ModelComment *comment)
{
  g_free (comment->id);
  g_free (comment->body);
  g_free (comment);
}

static void
model_thread_free (ModelThread *thread)
{
  g_free (thread->id);
  rl_anchor_clear (&thread->anchor);
  g_ptr_array_unref (thread->comments);
  g_free (thread);
}

static ModelComment *
model_comment_new (const char *id,
                   const char *body)
{
  ModelComment *comment = g_new0 (ModelComment, 1);

  comment->id = g_strdup (id);
  comment->body = g_strdup (body);
  return comment;
}

static guint
model_find_thread (GPtrArray  *model,
                   const char *id)
{
  for (guint i = 0; i < model->len; i++)
    if (g_str_equal (((ModelThread *) g_ptr_array_index (model, i))->id, id))
      return i;
  g_error ("the log names thread %s, which is not there", id);
}

static guint
model_find_comment (ModelThread *thread,
                    const char  *id)
{
  for (guint i = 0; i < thread->comments->len; i++)
    if (g_str_equal (((ModelComment *) g_ptr_array_index (thread->comments, i))->id, id))
      return i;
  g_error ("the log names comment %s of thread %s, which is not there", id, thread->id);
}

/* Every committed change names something present: a change refused as
 * not-found (a thread deleted first) never got into the log. */
static GPtrArray *
model_replay (GPtrArray *log)
{
  GPtrArray *model = g_ptr_array_new_with_free_func ((GDestroyNotify) model_thread_free);

  for (guint i = 0; i < log->len; i++)
    {
      const Op *op = g_ptr_array_index (log, i);
      ModelThread *thread;

      if (op->type == RL_REQUEST_CREATE_THREAD)
        {
          thread = g_new0 (ModelThread, 1);
          thread->id = g_strdup (op->thread_id);
          rl_anchor_copy_into (&thread->anchor, &op->anchor);
          thread->comments = g_ptr_array_new_with_free_func ((GDestroyNotify) model_comment_free);
          g_ptr_array_add (thread->comments, model_comment_new (op->comment_id, op->body));
          g_ptr_array_add (model, thread);
          continue;
        }
      thread = g_ptr_array_index (model, model_find_thread (model, op->thread_id));
      switch (op->type)
        {
        case RL_REQUEST_ADD_COMMENT:
          g_ptr_array_add (thread->comments, model_comment_new (op->comment_id, op->body));
          break;
        case RL_REQUEST_EDIT_COMMENT:
          {
            ModelComment *comment = g_ptr_array_index (thread->comments, model_find_comment (thread, op->comment_id));

            g_free (comment->body);
            comment->body = g_strdup (op->body);
            comment->edited = TRUE;
          }
          break;
        case RL_REQUEST_DELETE_COMMENT:
          {
            guint at = model_find_comment (thread, op->comment_id);

            g_assert_cmpuint (at, >, 0);   /* the first goes with its thread only */
            g_ptr_array_remove_index (thread->comments, at);
          }
          break;
        case RL_REQUEST_RESOLVE_THREAD:
          thread->resolved = op->resolved;
          break;
        case RL_REQUEST_MOVE_THREAD:
          rl_anchor_clear (&thread->anchor);
          rl_anchor_copy_into (&thread->anchor, &op->anchor);
          break;
        case RL_REQUEST_DELETE_THREAD:
          g_ptr_array_remove_index (model, model_find_thread (model, op->thread_id));
          break;
        case RL_REQUEST_CREATE_THREAD:
        case RL_REQUEST_SUBSCRIBE:
        case RL_REQUEST_UNSUBSCRIBE:
        default:
          g_assert_not_reached ();
        }
    }
  return model;
}

static void
assert_model_equals (GPtrArray *model,
                     GPtrArray *threads)
{
  g_assert_cmpuint (model->len, ==, threads->len);
  for (guint i = 0; i < model->len; i++)
    {
      ModelThread *expected = g_ptr_array_index (model, i);
      RlThread *thread = g_ptr_array_index (threads, i);

      g_assert_cmpstr (thread->id, ==, expected->id);
      g_assert_true (rl_anchor_equal (&thread->anchor, &expected->anchor));
      g_assert_cmpint (thread->resolved, ==, expected->resolved);
      g_assert_cmpuint (thread->comments->len, ==, expected->comments->len);
      for (guint k = 0; k < expected->comments->len; k++)
        {
          ModelComment *want = g_ptr_array_index (expected->comments, k);
          RlComment *comment = g_ptr_array_index (thread->comments, k);

          g_assert_cmpstr (comment->id, ==, want->id);
          g_assert_cmpstr (comment->body, ==, want->body);
          g_assert_cmpint (comment->edited_at != 0, ==, want->edited);
        }
    }
}

static const ModelThread *
model_thread (GPtrArray  *model,
              const char *id)
{
  for (guint i = 0; i < model->len; i++)
    if (g_str_equal (((ModelThread *) g_ptr_array_index (model, i))->id, id))
      return g_ptr_array_index (model, i);
  return NULL;
}

static const ModelComment *
model_comment (const ModelThread *thread,
               const char        *id)
{
  for (guint i = 0; thread && i < thread->comments->len; i++)
    if (g_str_equal (((ModelComment *) g_ptr_array_index (thread->comments, i))->id, id))
      return g_ptr_array_index (thread->comments, i);
  return NULL;
}

/* Whether a committed change after seq touches what op changed, so op's
 * effect may be gone from the final state. */
static gboolean
overridden (GPtrArray *log,
            const Op  *op)
{
  for (guint i = (guint) op->seq; i < log->len; i++)
    {
      const Op *later = g_ptr_array_index (log, i);

      if (g_strcmp0 (later->thread_id, op->thread_id) != 0)
        continue;
      if (later->type == RL_REQUEST_DELETE_THREAD)
        return TRUE;
      switch (op->type)
        {
        case RL_REQUEST_CREATE_THREAD:
        case RL_REQUEST_ADD_COMMENT:
        case RL_REQUEST_EDIT_COMMENT:
          if ((later->type == RL_REQUEST_EDIT_COMMENT || later->type == RL_REQUEST_DELETE_COMMENT) &&
              g_strcmp0 (later->comment_id, op->comment_id) == 0)
            return TRUE;
          break;
        case RL_REQUEST_RESOLVE_THREAD:
        case RL_REQUEST_MOVE_THREAD:
          if (later->type == op->type)
            return TRUE;
          break;
        default:
          break;
        }
    }
  return FALSE;
}

/* Every acknowledged change of ours is in the final state, unless a later
 * committed one changed or removed the same thing. */
static void
assert_acked_present (GPtrArray *model,
                      GPtrArray *log,
                      const Op  *op)
{
  const ModelThread *thread = model_thread (model, op->thread_id);
  const ModelComment *comment = op->comment_id ? model_comment (thread, op->comment_id) : NULL;

  /* Deletions stay done: ids are never reused. */
  if (op->type == RL_REQUEST_DELETE_THREAD)
    {
      g_assert_null (thread);
      return;
    }
  if (op->type == RL_REQUEST_DELETE_COMMENT)
    {
      g_assert_null (comment);
      return;
    }
  if (overridden (log, op))
    return;
  g_assert_nonnull (thread);
  switch (op->type)
    {
    case RL_REQUEST_CREATE_THREAD:
    case RL_REQUEST_ADD_COMMENT:
    case RL_REQUEST_EDIT_COMMENT:
      g_assert_nonnull (comment);
      g_assert_cmpstr (comment->body, ==, op->body);
      break;
    case RL_REQUEST_RESOLVE_THREAD:
      g_assert_cmpint (thread->resolved, ==, op->resolved);
      break;
    case RL_REQUEST_MOVE_THREAD:
      g_assert_true (rl_anchor_equal (&thread->anchor, &op->anchor));
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- the store against the snapshot --------------------------------------- */

static void
assert_store_equals (Seat      *seat,
                     gint64     head,
                     GPtrArray *threads)
{
  g_autoptr(GPtrArray) confirmed = rl_doc_store_dup_confirmed (seat->store);
  GListModel *shown = rl_doc_store_get_threads (seat->store);

  g_assert_cmpint (rl_doc_store_get_seq (seat->store), ==, head);
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (seat->store), ==, 0);
  g_assert_cmpuint (confirmed->len, ==, threads->len);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, threads->len);
  for (guint i = 0; i < threads->len; i++)
    {
      RlThread *theirs = g_ptr_array_index (threads, i);
      g_autoptr(RlThreadItem) item = g_list_model_get_item (shown, i);
      GListModel *comments = rl_thread_item_get_comments (item);

      g_assert_true (rl_thread_equal (g_ptr_array_index (confirmed, i), theirs));
      g_assert_true (rl_thread_equal (rl_thread_item_get_thread (item), theirs));
      g_assert_cmpuint (g_list_model_get_n_items (comments), ==, theirs->comments->len);
      for (guint k = 0; k < theirs->comments->len; k++)
        {
          g_autoptr(RlCommentItem) comment = g_list_model_get_item (comments, k);

          g_assert_true (rl_comment_equal (rl_comment_item_get_comment (comment),
                                           g_ptr_array_index (theirs->comments, k)));
        }
    }
}

/* ---- the run ------------------------------------------------------------------ */


/* Every client online, synced, nothing in flight, all at one head. */
static gboolean
all_settled (Chaos *chaos)
{
  for (int i = 0; i < N_CLIENTS; i++)
    {
      Client *client = &chaos->clients[i];

      if (rl_connection_get_state (client->conn) != RL_CONNECTION_ONLINE)
        return FALSE;
      for (int d = 0; d < N_DOCS; d++)
        {
          RlDocStore *store = client->seats[d].store;

          if (!rl_doc_store_is_synced (store) ||
              rl_doc_store_get_n_in_flight (store) != 0 ||
              rl_doc_store_get_seq (store) != rl_doc_store_get_seq (chaos->clients[0].seats[d].store))
            return FALSE;
        }
    }
  return TRUE;
}

/* Why all_settled is not yet TRUE, for the log of a failed run. */
static void
describe_unsettled (Chaos *chaos)
{
  for (guint n = 0; n < chaos->n_nodes; n++)
    {
      g_autofree char *log = NULL;

      g_file_get_contents (chaos->nodes[n]->stderr_path, &log, NULL, NULL);
      g_test_message ("node %u: %s; its log:\n%s", n,
                      chaos->nodes[n]->process == NULL ? "stopped"
                      : g_subprocess_get_identifier (chaos->nodes[n]->process) ? "running" : "exited",
                      log ? log : "(none)");
    }
  for (int i = 0; i < N_CLIENTS; i++)
    {
      Client *client = &chaos->clients[i];

      for (int d = 0; d < N_DOCS; d++)
        {
          RlDocStore *store = client->seats[d].store;

          g_test_message ("client %d (%s) doc %d: state %d, synced %d, in flight %u, seq %" G_GINT64_FORMAT,
                          i, client->name, d, rl_connection_get_state (client->conn),
                          rl_doc_store_is_synced (store), rl_doc_store_get_n_in_flight (store),
                          rl_doc_store_get_seq (store));
        }
    }
}

/* Every client's store of doc d is at head. */
static gboolean
all_at_head (Chaos  *chaos,
             int     d,
             gint64  head)
{
  for (int i = 0; i < N_CLIENTS; i++)
    if (rl_doc_store_get_seq (chaos->clients[i].seats[d].store) != head)
      return FALSE;
  return TRUE;
}

/* The client is online with every document synced. */
static gboolean
client_online (Client *client)
{
  if (rl_connection_get_state (client->conn) != RL_CONNECTION_ONLINE)
    return FALSE;
  for (int d = 0; d < N_DOCS; d++)
    if (!rl_doc_store_is_synced (client->seats[d].store))
      return FALSE;
  return TRUE;
}

static int
compare_ms (gconstpointer a,
            gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

typedef struct
{
  guint sent, not_sent, confirmed, uncertain, timed_out, refused, not_found, doomed, unacked_in_log;
} Totals;

/* The end state of one document, against the server's snapshot and log. */
static void
check_doc (Chaos  *chaos,
           int     d,
           Totals *totals)
{
  Doc *doc = &chaos->docs[d];
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/threads", doc->id);
  g_autoptr(RlTestResponse) response = rl_test_http (chaos->server, "GET", path, chaos->clients[0].token,
                                                     NULL, NULL);
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GPtrArray) model = NULL;
  g_autoptr(GHashTable) acked = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 head;
  JsonObject *body;
  JsonArray *array;

  if (response->status != 200)
    describe_unsettled (chaos);
  g_assert_cmpuint (response->status, ==, 200);
  body = json_node_get_object (response->json);
  array = json_object_get_array_member (body, "threads");
  head = json_object_get_int_member (body, "seq");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      RlThread *thread = rl_thread_from_json (json_array_get_element (array, i), NULL);

      g_assert_nonnull (thread);
      g_assert_cmpint (thread->anchor.kind, ==, doc->kind);
      g_ptr_array_add (threads, thread);
    }

  /* The head does not move any more; every store reaches it and shows
   * exactly the snapshot. */
  RL_TEST_WAIT_UNTIL (all_at_head (chaos, d, head), 10000);
  for (int i = 0; i < N_CLIENTS; i++)
    assert_store_equals (&chaos->clients[i].seats[d], head, threads);

  /* The log is complete (seq 1…head), replays to the snapshot, and holds
   * every acknowledged change of ours, as sent, at its seq. */
  log = server_log (chaos, doc, chaos->clients[0].token);
  g_assert_cmpint (log->len, ==, head);
  model = model_replay (log);
  assert_model_equals (model, threads);
  for (guint i = 0; i < doc->confirmed->len; i++)
    {
      const Op *op = g_ptr_array_index (doc->confirmed, i);

      g_assert_cmpint (op->seq, <=, log->len);
      assert_op_equal (op, g_ptr_array_index (log, op->seq - 1));
      g_assert_false (g_hash_table_contains (acked, op->broadcast_id));   /* once each */
      g_hash_table_add (acked, op->broadcast_id);
      assert_acked_present (model, log, op);
    }
  for (guint i = 0; i < log->len; i++)
    if (!g_hash_table_contains (acked, ((Op *) g_ptr_array_index (log, i))->broadcast_id))
      totals->unacked_in_log++;
  totals->confirmed += doc->confirmed->len;
  g_test_message ("%s: head %" G_GINT64_FORMAT ", %u threads, %u acknowledged changes",
                  rl_doc_kind_to_string (doc->kind), head, threads->len, doc->confirmed->len);
}

/* n_nodes 1: one server on SQLite, killed and restarted, frozen once.
 * n_nodes 2: two nodes on one PostgreSQL database behind nginx, the
 * clients on both; the kills take each node down in turn (its clients
 * reconnect through nginx to the other), the freeze stops the node the
 * last kill spared (where the clients are by then), and at the end that
 * node is killed for good while the clients settle on the other. */
static void
run_chaos (guint n_nodes)
{
  Chaos chaos = { 0 };
  const char *seed_env = g_getenv ("RL_CHAOS_SEED");
  guint32 seed = seed_env ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : g_random_int ();
  int kill_at[N_KILLS], restart_after[N_KILLS], drop_at[N_DROPS], drop_who[N_DROPS];
  int next_kill = 0, next_drop = 0, restart_at = -1, freeze_at, thaw_at = -1;
  int down = -1;   /* the node a kill took down, until its restart */
  /* The node the last kill spared, where every client is by then. */
  int frozen = N_KILLS % (int) n_nodes;
  gint64 start;
  guint timer;
  guint kills = 0, drops = 0;
  Totals totals = { 0 };
  guint confirmed_by_clients = 0;

  g_test_message ("seed %u (RL_CHAOS_SEED=%u replays it)", seed, seed);
  chaos.rand = g_rand_new_with_seed (seed);

  chaos.n_nodes = n_nodes;
  if (n_nodes == 1)
    {
      rl_test_team_init_on (&chaos.solo, rl_test_server_new ());
      chaos.team = &chaos.solo;
    }
  else
    {
      g_assert_cmpuint (n_nodes, ==, G_N_ELEMENTS (chaos.cluster.nodes));
      rl_test_cluster_init (&chaos.cluster);
      chaos.team = &chaos.cluster.team;
    }
  for (guint n = 0; n < n_nodes; n++)
    chaos.nodes[n] = n_nodes == 1 ? chaos.solo.server : chaos.cluster.nodes[n];
  /* Set up through the first node's command line. */
  chaos.server = chaos.nodes[0];
  for (int i = 0; i < N_CLIENTS; i++)
    {
      g_autofree char *person = g_strdup_printf ("%s:%s", people[i].name, people[i].role);

      chaos.clients[i].chaos = &chaos;
      chaos.clients[i].index = i;
      chaos.clients[i].name = people[i].name;
      chaos.clients[i].admin = g_str_equal (people[i].role, "admin");
      chaos.clients[i].token = rl_test_team_add_person (chaos.team, person);
    }
  chaos.docs[0].kind = RL_DOC_KIND_IMAGE;
  chaos.docs[0].id = rl_test_add_doc (chaos.server, "acme", "Mockup", "mockup.png");
  chaos.docs[1].kind = RL_DOC_KIND_PAGE;
  chaos.docs[1].id = rl_test_add_doc (chaos.server, "acme", "Copy", "page.md");
  {
    g_autofree char *file = g_test_build_filename (G_TEST_DIST, "data", "page.md", NULL);
    g_autofree char *markdown = NULL;
    gsize length;
    g_autoptr(GError) error = NULL;

    g_assert_true (g_file_get_contents (file, &markdown, &length, &error));
    /* The very function the server checks `exact` with. */
    chaos.docs[1].text = rl_page_text_new ("text/markdown", markdown, length, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rl_page_text_get_n_chars (chaos.docs[1].text), >, 40);
  }
  for (int d = 0; d < N_DOCS; d++)
    {
      chaos.docs[d].confirmed = g_ptr_array_new_with_free_func ((GDestroyNotify) op_free);
      chaos.docs[d].deleted = g_ptr_array_new_with_free_func (g_free);
    }
  for (guint n = 0; n < n_nodes; n++)
    rl_test_server_start (chaos.nodes[n]);
  if (n_nodes > 1)
    {
      chaos.nginx = rl_test_nginx_start (chaos.nodes, n_nodes);
      chaos.server = rl_test_nginx_front (chaos.nginx);
    }
  chaos.ws_url = g_strdup (chaos.server->ws_base);

  for (int i = 0; i < N_CLIENTS; i++)
    {
      Client *client = &chaos.clients[i];

      client->conn = rl_connection_new (chaos.ws_url, client->token, NULL);
      /* Quick retries, and during the freeze first the acks time out (3 s),
       * then the silent links are found dead (4 s). */
      rl_connection_set_timing (client->conn, 50, 500, 1, 4000, 3000);
      rl_connection_start (client->conn);
      for (int d = 0; d < N_DOCS; d++)
        {
          Seat *seat = &client->seats[d];

          seat->client = client;
          seat->doc = &chaos.docs[d];
          seat->store = rl_doc_store_get (client->conn, seat->doc->id, seat->doc->kind);
          g_signal_connect (seat->store, "mutation-confirmed", G_CALLBACK (on_confirmed), seat);
          g_signal_connect (seat->store, "mutation-failed", G_CALLBACK (on_failed), seat);
        }
      RL_TEST_WAIT_UNTIL (client_online (client), 10000);
      client->user_id = g_strdup (rl_connection_get_welcome (client->conn)->user.id);
    }

  /* The schedule: one kill in each fifth of the run (the server down for
   * 50–600 ms), links cut at random moments. */
  for (int i = 0; i < N_KILLS; i++)
    {
      int slot = (KILLS_MS - 1000) / N_KILLS;

      kill_at[i] = 1000 + i * slot + g_rand_int_range (chaos.rand, 0, slot - 700);
      restart_after[i] = g_rand_int_range (chaos.rand, 50, 600);
    }
  /* A network that stops carrying anything: the server is frozen (no RST,
   * no FIN), links go silent, requests go unanswered. */
  freeze_at = KILLS_MS + g_rand_int_range (chaos.rand, 0, 500);
  for (int i = 0; i < N_DROPS; i++)
    drop_at[i] = g_rand_int_range (chaos.rand, 300, CHAOS_MS);
  qsort (drop_at, N_DROPS, sizeof (int), compare_ms);
  for (int i = 0; i < N_DROPS; i++)
    drop_who[i] = g_rand_int_range (chaos.rand, 0, N_CLIENTS);

  timer = g_timeout_add (MUTATION_EVERY_MS, mutate_cb, &chaos);
  start = g_get_monotonic_time ();
  for (;;)
    {
      int elapsed;

      g_main_context_iteration (NULL, TRUE);
      elapsed = (int) ((g_get_monotonic_time () - start) / 1000);
      if (elapsed >= CHAOS_MS)
        break;
      if (down >= 0 && elapsed >= restart_at)
        {
          /* Same port, same database. */
          rl_test_server_start (chaos.nodes[down]);
          down = -1;
        }
      else if (down < 0 && next_kill < N_KILLS && elapsed >= kill_at[next_kill])
        {
          /* Each node in turn. */
          down = next_kill % (int) n_nodes;
          burst (&chaos, NULL);
          rl_test_server_kill (chaos.nodes[down]);
          restart_at = elapsed + restart_after[next_kill++];
          kills++;
        }
      if (down < 0 && freeze_at >= 0 && elapsed >= freeze_at)
        {
          g_assert_cmpint (next_kill, ==, N_KILLS);
          burst (&chaos, NULL);
          g_subprocess_send_signal (chaos.nodes[frozen]->process, SIGSTOP);
          thaw_at = elapsed + FREEZE_MS;
          freeze_at = -1;
        }
      if (thaw_at >= 0 && elapsed >= thaw_at)
        {
          g_subprocess_send_signal (chaos.nodes[frozen]->process, SIGCONT);
          thaw_at = -1;
        }
      while (next_drop < N_DROPS && elapsed >= drop_at[next_drop])
        {
          Client *client = &chaos.clients[drop_who[next_drop++]];

          if (rl_connection_get_state (client->conn) == RL_CONNECTION_ONLINE)
            {
              burst (&chaos, client);
              drops++;
            }
          rl_connection_drop_link (client->conn);
        }
    }
  g_source_remove (timer);
  if (thaw_at >= 0)
    g_subprocess_send_signal (chaos.nodes[frozen]->process, SIGCONT);
  g_assert_cmpint (freeze_at, ==, -1);
  if (down >= 0)
    rl_test_server_start (chaos.nodes[down]);
  g_assert_cmpuint (kills, ==, N_KILLS);
  if (n_nodes > 1)
    {
      /* The node the clients are on goes for good, mid-stream: they end
       * on the other through nginx. */
      burst (&chaos, NULL);
      rl_test_server_kill (chaos.nodes[frozen]);
    }

  /* Calm again: everyone back, synced, nothing in flight. */
  if (!RL_TEST_POLL_UNTIL (all_settled (&chaos), SETTLE_MS))
    {
      describe_unsettled (&chaos);
      g_error ("the clients did not settle within %d ms", SETTLE_MS);
    }
  for (int d = 0; d < N_DOCS; d++)
    check_doc (&chaos, d, &totals);

  for (int i = 0; i < N_CLIENTS; i++)
    {
      Client *client = &chaos.clients[i];

      /* Every change sent got exactly one answer. */
      g_assert_cmpuint (client->confirmed + client->failed, ==, client->sent);
      totals.sent += client->sent;
      confirmed_by_clients += client->confirmed;
      totals.not_sent += client->not_sent;
      totals.uncertain += client->failed_by_code[RL_ERROR_CONNECTION_LOST] + client->failed_by_code[RL_ERROR_TIMEOUT];
      totals.timed_out += client->failed_by_code[RL_ERROR_TIMEOUT];
      totals.refused += client->failed_by_code[RL_ERROR_NOT_FOUND] + client->failed_by_code[RL_ERROR_FORBIDDEN];
      totals.not_found += client->failed_by_code[RL_ERROR_NOT_FOUND];
      totals.doomed += client->doomed;
      /* A change on a thread whose deletion was confirmed is refused (or
       * was cut off before its answer). */
      g_assert_cmpuint (client->doomed, <=,
                        client->failed_by_code[RL_ERROR_NOT_FOUND] +
                        client->failed_by_code[RL_ERROR_CONNECTION_LOST] +
                        client->failed_by_code[RL_ERROR_TIMEOUT]);
    }
  g_assert_cmpuint (confirmed_by_clients, ==, totals.confirmed);
  /* What the logs hold beyond the acknowledged: only changes whose answer
   * was lost with the link (committed, then killed or cut), never a
   * refused one. */
  g_assert_cmpuint (totals.unacked_in_log, <=, totals.uncertain);

  g_test_message ("%u changes sent (%u not sent while offline): %u acknowledged, %u refused "
                  "(%u not found, %u on deleted threads), %u cut off or unanswered (%u timed out; "
                  "%u of all committed); %u kills, %u links cut, one freeze",
                  totals.sent, totals.not_sent, totals.confirmed, totals.refused, totals.not_found,
                  totals.doomed, totals.uncertain, totals.timed_out, totals.unacked_in_log, kills, drops);
  /* The run did exercise what it claims to. */
  for (int d = 0; d < N_DOCS; d++)
    g_assert_cmpuint (chaos.docs[d].confirmed->len, >, 100);
  g_assert_cmpuint (totals.doomed, >, 0);
  g_assert_cmpuint (totals.timed_out, >, 0);   /* the freeze */

  for (int i = 0; i < N_CLIENTS; i++)
    {
      Client *client = &chaos.clients[i];

      for (int d = 0; d < N_DOCS; d++)
        {
          g_signal_handlers_disconnect_by_data (client->seats[d].store, &client->seats[d]);
          g_clear_object (&client->seats[d].store);
        }
      rl_connection_stop (client->conn);
      g_clear_object (&client->conn);
      g_free (client->user_id);
    }
  g_clear_pointer (&chaos.nginx, rl_test_nginx_free);
  /* A node a kill took down has no process left: only those up stop. */
  if (n_nodes == 1)
    rl_test_team_clear (&chaos.solo);
  else
    rl_test_cluster_clear (&chaos.cluster);
  for (int d = 0; d < N_DOCS; d++)
    {
      g_ptr_array_unref (chaos.docs[d].confirmed);
      g_ptr_array_unref (chaos.docs[d].deleted);
      g_clear_pointer (&chaos.docs[d].text, rl_page_text_unref);
      g_free (chaos.docs[d].id);
    }
  g_rand_free (chaos.rand);
  g_free (chaos.ws_url);
}

static void
test_chaos (void)
{
  run_chaos (1);
}

static void
test_chaos_two_nodes (void)
{
  run_chaos (2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/chaos/five-clients-kills-and-cut-links", test_chaos);
  g_test_add_func ("/client/chaos/two-nodes-behind-nginx", test_chaos_two_nodes);
  return g_test_run ();
}
