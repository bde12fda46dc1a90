/* test-doc-store.c — document stores of two clients against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>

#include "rl-client-test.h"
#include "rl-doc-store-private.h"
#include "rl-test-server.h"
#include "rl-connection-private.h"

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *ada;
  const char   *bob;
  const char   *vic;
  const char   *image;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_team_init (&f->team, "Ada:member", &f->ada, "Bob:member", &f->bob, "Vic:viewer", &f->vic, NULL);
  f->server = f->team.server;
  f->image = rl_test_team_start_with_image (&f->team, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_team_clear (&f->team);
}

static RlDocStore *
open_store (RlConnection *conn,
            const char   *doc)
{
  RlDocStore *store = rl_doc_store_get (conn, doc, RL_DOC_KIND_IMAGE);

  RL_TEST_WAIT_UNTIL (rl_doc_store_is_synced (store), 5000);
  return store;
}

static guint
count_threads (RlDocStore *store)
{
  return g_list_model_get_n_items (rl_doc_store_get_threads (store));
}

/* The store's confirmed state equals the server's snapshot over HTTP. */
static void
assert_equals_server (Fixture    *f,
                      RlDocStore *store)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/threads", f->image);
  RlTestResponse *response = rl_test_http (f->server, "GET", path, f->ada, NULL, NULL);
  JsonObject *body = json_node_get_object (response->json);
  JsonArray *threads = json_object_get_array_member (body, "threads");
  g_autoptr(GPtrArray) mine = rl_doc_store_dup_confirmed (store);

  g_assert_cmpint (json_object_get_int_member (body, "seq"), ==, rl_doc_store_get_seq (store));
  g_assert_cmpuint (json_array_get_length (threads), ==, mine->len);
  for (guint i = 0; i < mine->len; i++)
    {
      g_autoptr(RlThread) theirs = rl_thread_from_json (json_array_get_element (threads, i), NULL);

      g_assert_nonnull (theirs);
      g_assert_true (rl_thread_equal (theirs, g_ptr_array_index (mine, i)));
    }
  rl_test_response_free (response);
}

static void
count_changes (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               gpointer    data)
{
  guint *changes = data;

  *changes += added + removed;
}

static void
test_two_clients_converge (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlConnection) b = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlDocStore) sa = open_store (a, f->image);
  g_autoptr(RlDocStore) sb = open_store (b, f->image);
  g_autoptr(RlDocStore) again = rl_doc_store_get (a, f->image, RL_DOC_KIND_IMAGE);
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.5, .y = 0.25 };
  guint changes_a = 0;
  const RlThread *shown;

  /* Two windows on one document share one store. */
  g_assert_true (sa == again);

  g_signal_connect (rl_doc_store_get_threads (sa), "items-changed", G_CALLBACK (count_changes), &changes_a);
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "  Bigger logo, please  ", &thread_id, &error));
  g_assert_no_error (error);

  /* Shown at once, before the server said anything. */
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (sa)), ==, 1);
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (sa), ==, 1);
  shown = rl_thread_item_get_thread (rl_client_test_thread_at (sa, 0));
  g_assert_cmpstr (shown->id, ==, thread_id);
  g_assert_cmpstr (((RlComment *) g_ptr_array_index (shown->comments, 0))->body, ==, "Bigger logo, please");
  g_assert_cmpstr (shown->created_by.name, ==, "Ada");

  /* The other client sees it; the echo confirms it without a second copy. */
  RL_TEST_WAIT_UNTIL (count_threads (sb) == 1, 5000);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  g_assert_cmpint (rl_doc_store_get_seq (sa), ==, 1);
  g_assert_cmpint (rl_doc_store_get_seq (sb), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (sa)), ==, 1);
  g_assert_cmpuint (changes_a, ==, 1);

  /* Bob replies and resolves; Ada sees both. */
  g_assert_true (rl_doc_store_add_comment (sb, thread_id, "Done in v2", NULL, &error));
  g_assert_true (rl_doc_store_resolve_thread (sb, thread_id, TRUE, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sb), 5000);
  while (rl_doc_store_get_seq (sa) < 3)
    g_main_context_iteration (NULL, TRUE);
  shown = rl_thread_item_get_thread (rl_client_test_thread_at (sa, 0));
  g_assert_cmpuint (shown->comments->len, ==, 2);
  g_assert_true (shown->resolved);
  g_assert_cmpuint (g_list_model_get_n_items (rl_thread_item_get_comments (rl_client_test_thread_at (sa, 0))), ==, 2);
  g_assert_cmpuint (changes_a, ==, 1);

  /* Ada moves it, edits her comment; then deletes Bob's? Not hers: refused. */
  anchor.x = 0.75;
  g_assert_true (rl_doc_store_move_thread (sa, thread_id, &anchor, &error));
  g_assert_true (rl_doc_store_edit_comment (sa, thread_id,
                                            ((RlComment *) g_ptr_array_index (shown->comments, 0))->id,
                                            "Bigger logo", &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  while (rl_doc_store_get_seq (sb) < 5)
    g_main_context_iteration (NULL, TRUE);

  assert_equals_server (f, sa);
  assert_equals_server (f, sb);

  /* Presence: two people (coalesced by the server, so it may lag). */
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_viewer_count (sa) == 2, 3000);
  {
    g_auto(GStrv) names = rl_doc_store_dup_viewer_names (sa);

    g_assert_true (g_strv_contains ((const char * const *) names, "Ada"));
    g_assert_true (g_strv_contains ((const char * const *) names, "Bob"));
  }

  /* Bob may not delete Ada's thread: gone at once, back when refused. */
  g_assert_true (rl_doc_store_delete_thread (sb, thread_id, &error));
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (sb)), ==, 0);
  RL_TEST_WAIT_UNTIL (count_threads (sb) == 1, 5000);
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (sb), ==, 0);

  /* Ada may; it goes from both. */
  g_assert_true (rl_doc_store_delete_thread (sa, thread_id, &error));
  RL_TEST_WAIT_UNTIL (count_threads (sb) == 0, 5000);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  assert_equals_server (f, sa);
  assert_equals_server (f, sb);
}

typedef struct
{
  int      type;
  GError  *error;
  char    *text;
  double   x, y;       /* the anchor of a rolled-back create */
  guint    n;
} Failure;

static void
on_failed (RlDocStore    *store,
           int            type,
           const GError  *error,
           const char    *text,
           const RlEvent *change,
           gpointer       data)
{
  Failure *failure = data;

  g_assert_nonnull (change);
  if (type == RL_REQUEST_CREATE_THREAD)
    {
      failure->x = change->thread->anchor.x;
      failure->y = change->thread->anchor.y;
    }
  failure->type = type;
  g_clear_error (&failure->error);
  failure->error = g_error_copy (error);
  g_free (failure->text);
  failure->text = g_strdup (text);
  failure->n++;
}

static void
test_rollback_forbidden (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(RlConnection) v = rl_client_test_online (f->server, f->vic);
  g_autoptr(RlDocStore) store = open_store (v, f->image);
  g_autoptr(GError) error = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.1, .y = 0.9 };
  Failure failure = { 0 };

  g_signal_connect (store, "mutation-failed", G_CALLBACK (on_failed), &failure);
  g_assert_true (rl_doc_store_create_thread (store, &anchor, "Viewers cannot add this", NULL, &error));
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (store)), ==, 1);

  /* Refused: rolled back, and the text comes back for a retry. */
  RL_TEST_WAIT_UNTIL (failure.n > 0, 5000);
  g_assert_cmpint (failure.type, ==, RL_REQUEST_CREATE_THREAD);
  g_assert_error (failure.error, RL_ERROR, RL_ERROR_FORBIDDEN);
  g_assert_cmpstr (failure.text, ==, "Viewers cannot add this");
  /* …and where it was, for the retry. */
  g_assert_cmpfloat (failure.x, ==, 0.1);
  g_assert_cmpfloat (failure.y, ==, 0.9);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (store)), ==, 0);
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (store), ==, 0);
  assert_equals_server (f, store);
  g_clear_error (&failure.error);
  g_free (failure.text);
}

static void
test_offline_fails_at_once (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlDocStore) store = open_store (a, f->image);
  g_autoptr(GError) error = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.3, .y = 0.3 };

  rl_connection_stop (a);
  g_assert_false (rl_doc_store_create_thread (store, &anchor, "Typed while offline", NULL, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_OFFLINE);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (store)), ==, 0);
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (store), ==, 0);
  g_clear_error (&error);

  /* Nothing was queued: back online, the server still has nothing. */
  rl_connection_start (a);
  RL_TEST_WAIT_UNTIL (rl_doc_store_is_synced (store), 5000);
  g_assert_cmpint (rl_doc_store_get_seq (store), ==, 0);
  assert_equals_server (f, store);
}

static void
on_resynced (RlDocStore *store,
             guint       n,
             gpointer    data)
{
  *(int *) data = (int) n;
}

static void
test_resync_after_disconnect (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlConnection) b = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlDocStore) sa = open_store (a, f->image);
  g_autoptr(RlDocStore) sb = open_store (b, f->image);
  g_autoptr(GError) error = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.5, .y = 0.5 };
  int missed = -1;

  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Before", NULL, &error));
  RL_TEST_WAIT_UNTIL (count_threads (sb) == 1, 5000);

  /* Bob's link is gone while Ada makes three changes. */
  rl_connection_stop (b);
  for (int i = 0; i < 3; i++)
    g_assert_true (rl_doc_store_create_thread (sa, &anchor, "While Bob was away", NULL, &error));
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (sb)), ==, 1);

  /* Back: exactly the three missed events, counted. */
  g_signal_connect (sb, "resynced", G_CALLBACK (on_resynced), &missed);
  rl_connection_start (b);
  RL_TEST_WAIT_UNTIL (missed >= 0, 5000);
  g_assert_cmpint (missed, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (sb)), ==, 4);
  g_assert_cmpint (rl_doc_store_get_seq (sb), ==, 4);
  assert_equals_server (f, sb);
}

/* Settled with seq as its head. */
static gboolean
settled_at (RlDocStore *store,
            gint64      seq)
{
  return rl_client_test_store_settled (store) && rl_doc_store_get_seq (store) == seq;
}

static void
test_gap_resubscribes (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlConnection) b = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlDocStore) sa = open_store (a, f->image);
  g_autoptr(RlDocStore) sb = open_store (b, f->image);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.2, .y = 0.4 };

  /* Bob's store loses the first event on the way. */
  rl_doc_store_drop_events_for_testing (sb, 1);
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "One", &first, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  rl_test_run_for (300);
  g_assert_cmpint (rl_doc_store_get_seq (sb), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (sb)), ==, 0);
  g_assert_cmpuint (rl_doc_store_get_n_gap_resubscribes (sb), ==, 0);

  /* The next event shows the gap: Bob asks again with `since` and ends
   * with exactly the server's state. */
  g_assert_true (rl_doc_store_add_comment (sa, first, "Two", NULL, &error));
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Three", NULL, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (settled_at (sb, 3), 5000);
  g_assert_cmpuint (rl_doc_store_get_n_gap_resubscribes (sb), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (sb)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (rl_thread_item_get_comments (rl_client_test_thread_at (sb, 0))), ==, 2);
  assert_equals_server (f, sb);
  /* Ada's own answers come on her connection, in no order with Bob's:
   * an ASan run under load saw her at 2 here. */
  RL_TEST_WAIT_UNTIL (settled_at (sa, 3), 5000);
  assert_equals_server (f, sa);
  g_assert_cmpuint (rl_doc_store_get_n_gap_resubscribes (sa), ==, 0);
}

/* Every request the store remembers has been answered. */
static gboolean
all_acked (RlDocStore *store)
{
  return rl_doc_store_get_n_in_flight (store) == rl_doc_store_get_n_remembered (store);
}

static void
track_most (GListModel *model,
            guint       position,
            guint       removed,
            guint       added,
            gpointer    data)
{
  guint *most = data;

  *most = MAX (*most, g_list_model_get_n_items (model));
}

static void
test_remembered_ids_bounded (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlDocStore) store = open_store (a, f->image);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.6, .y = 0.6 };
  const guint n = RL_DOC_STORE_MAX_REMEMBERED + 44;
  Failure failure = { 0 };
  guint most = 0, n_threads = 0, n_comments = 0;
  GListModel *threads = rl_doc_store_get_threads (store);

  g_signal_connect (store, "mutation-failed", G_CALLBACK (on_failed), &failure);
  g_signal_connect (threads, "items-changed", G_CALLBACK (track_most), &most);

  /* Every echo is lost: each change is acked and then waits for an echo
   * that does not come. A third are new threads, the rest replies. */
  rl_doc_store_drop_events_for_testing (store, G_MAXUINT);
  for (guint i = 0; i < n; i++)
    {
      if (i % 3 == 0)
        {
          g_clear_pointer (&thread_id, g_free);
          g_assert_true (rl_doc_store_create_thread (store, &anchor, "Marker", &thread_id, &error));
          n_threads++;
        }
      else
        {
          g_assert_true (rl_doc_store_add_comment (store, thread_id, "Reply", NULL, &error));
        }
      n_comments++;
      g_assert_no_error (error);
      /* The server allows bursts of 200 changes, 100 a second after. */
      if (i % 150 == 149)
        {
          RL_TEST_WAIT_UNTIL (all_acked (store), 10000);
          rl_test_run_for (1600);
        }
    }
  RL_TEST_WAIT_UNTIL (all_acked (store), 10000);
  g_assert_cmpuint (failure.n, ==, 0);
  g_assert_cmpint (rl_doc_store_get_seq (store), ==, 0);

  /* Bounded: the oldest were forgotten. */
  g_assert_cmpuint (rl_doc_store_get_n_remembered (store), ==, RL_DOC_STORE_MAX_REMEMBERED);
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (store), ==, RL_DOC_STORE_MAX_REMEMBERED);

  /* The link heals; the next echo shows the gap, the resubscribe brings
   * every lost echo, forgotten or remembered: each is shown once. */
  rl_doc_store_drop_events_for_testing (store, 0);
  g_assert_true (rl_doc_store_add_comment (store, thread_id, "Last", NULL, &error));
  g_assert_no_error (error);
  n_comments++;
  RL_TEST_WAIT_UNTIL (settled_at (store, n + 1), 10000);
  g_assert_cmpuint (failure.n, ==, 0);
  g_assert_cmpuint (rl_doc_store_get_n_gap_resubscribes (store), ==, 1);
  g_assert_cmpuint (rl_doc_store_get_n_remembered (store), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (threads), ==, n_threads);
  g_assert_cmpuint (most, <=, n_threads);
  {
    guint shown_comments = 0;

    for (guint i = 0; i < n_threads; i++)
      {
        RlThreadItem *item = rl_client_test_thread_at (store, i);
        const RlThread *thread = rl_thread_item_get_thread (item);

        g_assert_false (g_hash_table_contains (ids, thread->id));
        g_hash_table_add (ids, thread->id);
        for (guint j = 0; j < thread->comments->len; j++)
          {
            const RlComment *comment = g_ptr_array_index (thread->comments, j);

            g_assert_false (g_hash_table_contains (ids, comment->id));
            g_hash_table_add (ids, comment->id);
          }
        g_assert_cmpuint (g_list_model_get_n_items (rl_thread_item_get_comments (item)), ==, thread->comments->len);
        shown_comments += thread->comments->len;
      }
    g_assert_cmpuint (shown_comments, ==, n_comments);
  }
  assert_equals_server (f, store);
  g_clear_error (&failure.error);
  g_free (failure.text);
}

static void
on_replay_acked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(GError) error = NULL;
  RlMessage *ack = rl_connection_request_finish (RL_CONNECTION (source), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ack);
  rl_message_free (ack);
  *(gboolean *) data = TRUE;
}

/* The server sends events the store already has (asked again with an old
 * since on the same connection): every one is dropped, nothing is shown
 * twice, and the next new event still applies. */
static void
test_duplicates_dropped (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlConnection) b = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlDocStore) sa = open_store (a, f->image);
  g_autoptr(RlDocStore) sb = open_store (b, f->image);
  g_autoptr(RlRequest) replay = rl_request_new (RL_REQUEST_SUBSCRIBE);
  g_autoptr(GError) error = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.25, .y = 0.5 };
  gboolean acked = FALSE;
  guint changes = 0;

  for (int i = 0; i < 3; i++)
    g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Once", NULL, &error));
  RL_TEST_WAIT_UNTIL (settled_at (sb, 3), 5000);

  g_signal_connect (rl_doc_store_get_threads (sb), "items-changed", G_CALLBACK (count_changes), &changes);
  replay->doc = g_strdup (f->image);
  replay->has_since = TRUE;
  replay->since = 0;
  rl_connection_request (b, replay, NULL, on_replay_acked, &acked);
  RL_TEST_WAIT_UNTIL (acked, 5000);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpint (rl_doc_store_get_seq (sb), ==, 3);
  g_assert_cmpuint (rl_doc_store_get_n_gap_resubscribes (sb), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (sb)), ==, 3);
  assert_equals_server (f, sb);

  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "New", NULL, &error));
  RL_TEST_WAIT_UNTIL (settled_at (sb, 4), 5000);
  g_assert_cmpuint (changes, ==, 1);
  assert_equals_server (f, sb);
  g_signal_handlers_disconnect_by_data (rl_doc_store_get_threads (sb), &changes);

  /* A reply is one comment added, the first comment's item stays. */
  {
    RlThreadItem *first = rl_client_test_thread_at (sb, 0);
    GListModel *comments = rl_thread_item_get_comments (first);
    g_autoptr(GObject) before = g_list_model_get_item (comments, 0);
    g_autoptr(GObject) after = NULL;
    guint comment_changes = 0;

    g_signal_connect (comments, "items-changed", G_CALLBACK (count_changes), &comment_changes);
    g_assert_true (rl_doc_store_add_comment (sa, rl_thread_item_get_thread (first)->id, "Reply", NULL, &error));
    RL_TEST_WAIT_UNTIL (settled_at (sb, 5), 5000);
    g_assert_cmpuint (comment_changes, ==, 1);
    g_assert_cmpuint (g_list_model_get_n_items (comments), ==, 2);
    after = g_list_model_get_item (comments, 0);
    g_assert_true (before == after);
    g_signal_handlers_disconnect_by_data (comments, &comment_changes);
  }
}

/* A subscribe that fails while the link stays up (the server did not answer
 * in time) is asked again: the store syncs without waiting for a drop. */
static void
test_subscribe_retried (Fixture       *f,
                        gconstpointer  data)
{
  GPid pid = atoi (g_subprocess_get_identifier (f->server->process));
  g_autoptr(RlConnection) conn = rl_connection_new (f->server->ws_base, f->ada, NULL);
  g_autoptr(RlDocStore) store = NULL;

  /* Acks within 400 ms; the link is dead only after 8 s of silence. */
  rl_connection_set_timing (conn, 100, 800, 1, 8000, 400);
  rl_connection_start (conn);
  while (rl_connection_get_state (conn) != RL_CONNECTION_ONLINE)
    g_main_context_iteration (NULL, TRUE);

  kill (pid, SIGSTOP);
  store = rl_doc_store_get (conn, f->image, RL_DOC_KIND_IMAGE);
  rl_test_run_for (1200);   /* the subscribe times out */
  kill (pid, SIGCONT);
  g_assert_false (rl_doc_store_is_synced (store));
  g_assert_cmpint (rl_connection_get_state (conn), ==, RL_CONNECTION_ONLINE);

  RL_TEST_WAIT_UNTIL (rl_doc_store_is_synced (store), 5000);
  g_assert_cmpint (rl_connection_get_state (conn), ==, RL_CONNECTION_ONLINE);
  rl_connection_stop (conn);
}

/* ---- thread numbers ------------------------------------------------------ */

static void
record_number (RlThreadItem *item,
               GParamSpec   *pspec,
               gpointer      data)
{
  GArray *seen = data;
  gint64 number = rl_thread_item_get_thread (item)->number;

  g_array_append_val (seen, number);
}

static void
on_confirmed_number (RlDocStore    *store,
                     int            type,
                     const RlEvent *change,
                     gint64         seq,
                     gpointer       data)
{
  if (type == RL_REQUEST_CREATE_THREAD)
    *(gint64 *) data = change->thread->number;
}

/* An own new thread has no number until the server gives one; its ack does
 * (the echo, which the creator may never see, is not needed), and a
 * rollback of something else loses nothing of it. */
static void
test_own_thread_numbered_by_ack (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlDocStore) store = open_store (a, f->image);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL, *second = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.4, .y = 0.6 };
  Failure failure = { 0 };
  gint64 confirmed_number = -1;
  RlThreadItem *item;

  g_assert_true (rl_doc_store_create_thread (store, &anchor, "First", &first, &error));
  RL_TEST_WAIT_UNTIL (settled_at (store, 1), 5000);
  g_assert_cmpint (rl_thread_item_get_thread (rl_client_test_thread_at (store, 0))->number, ==, 1);

  /* The echo of the next one is lost on the way: only its ack can say. */
  g_signal_connect (store, "mutation-confirmed", G_CALLBACK (on_confirmed_number), &confirmed_number);
  rl_doc_store_drop_events_for_testing (store, 1);
  g_assert_true (rl_doc_store_create_thread (store, &anchor, "Second", &second, &error));
  g_assert_no_error (error);
  item = rl_client_test_thread_at (store, 1);
  g_assert_cmpstr (rl_thread_item_get_thread (item)->id, ==, second);
  g_assert_cmpint (rl_thread_item_get_thread (item)->number, ==, 0);
  g_signal_connect (item, "notify::thread", G_CALLBACK (record_number), seen);

  RL_TEST_WAIT_UNTIL (rl_thread_item_get_thread (item)->number == 2, 5000);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpint (g_array_index (seen, gint64, 0), ==, 2);
  g_assert_cmpint (confirmed_number, ==, 2);
  g_assert_cmpint (rl_doc_store_get_seq (store), ==, 1);   /* no echo: only the ack */
  g_assert_true (item == rl_client_test_thread_at (store, 1));

  /* A refused change on it (its first comment can't be deleted) is rolled
   * back; the thread keeps its number and its comment. */
  g_signal_connect (store, "mutation-failed", G_CALLBACK (on_failed), &failure);
  g_assert_true (rl_doc_store_delete_comment (store, second,
                                              ((RlComment *) g_ptr_array_index (rl_thread_item_get_thread (item)->comments, 0))->id,
                                              &error));
  g_assert_cmpuint (rl_thread_item_get_thread (item)->comments->len, ==, 0);
  RL_TEST_WAIT_UNTIL (failure.n > 0, 5000);
  g_assert_error (failure.error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (store)), ==, 2);
  g_assert_true (item == rl_client_test_thread_at (store, 1));
  g_assert_cmpint (rl_thread_item_get_thread (item)->number, ==, 2);
  g_assert_cmpuint (rl_thread_item_get_thread (item)->comments->len, ==, 1);
  g_assert_cmpint (rl_thread_item_get_thread (rl_client_test_thread_at (store, 0))->number, ==, 1);

  /* The next event shows the gap; after the resync every number is the
   * server's, and the item still shows 2. */
  g_assert_true (rl_doc_store_add_comment (store, first, "Reply", NULL, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (settled_at (store, 3), 5000);
  g_assert_cmpuint (rl_doc_store_get_n_gap_resubscribes (store), ==, 1);
  g_assert_cmpint (rl_thread_item_get_thread (rl_client_test_thread_at (store, 1))->number, ==, 2);
  assert_equals_server (f, store);
  g_clear_error (&failure.error);
  g_free (failure.text);
}

/* A teammate's thread arrives with its number; after a resync (a replay
 * with since, a thread deleted meanwhile) the numbers are the server's. */
static void
test_numbers_from_teammates_and_resync (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlConnection) b = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlDocStore) sa = open_store (a, f->image);
  g_autoptr(RlDocStore) sb = open_store (b, f->image);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL, *second = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.7, .y = 0.2 };
  int missed = -1;

  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "One", &first, &error));
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Two", &second, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (count_threads (sb) == 2, 5000);
  g_assert_cmpint (rl_thread_item_get_thread (rl_client_test_thread_at (sb, 0))->number, ==, 1);
  g_assert_cmpint (rl_thread_item_get_thread (rl_client_test_thread_at (sb, 1))->number, ==, 2);

  /* Bob is away while Ada deletes 2 and creates two more: 3 and 4. */
  rl_connection_stop (b);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  g_assert_true (rl_doc_store_delete_thread (sa, second, &error));
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Three", NULL, &error));
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Four", NULL, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);

  g_signal_connect (sb, "resynced", G_CALLBACK (on_resynced), &missed);
  rl_connection_start (b);
  RL_TEST_WAIT_UNTIL (missed >= 0, 5000);
  g_assert_cmpint (missed, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (sb)), ==, 3);
  g_assert_cmpint (rl_thread_item_get_thread (rl_client_test_thread_at (sb, 0))->number, ==, 1);
  g_assert_cmpint (rl_thread_item_get_thread (rl_client_test_thread_at (sb, 1))->number, ==, 3);
  g_assert_cmpint (rl_thread_item_get_thread (rl_client_test_thread_at (sb, 2))->number, ==, 4);
  assert_equals_server (f, sb);
  assert_equals_server (f, sa);
}

/* ---- presence ------------------------------------------------------------ */

/* Reads the raw client's presence frames until one counts n viewers. */
static void
wait_presence_count (RlTestClient *client,
                     gint64        n)
{
  for (;;)
    {
      g_autoptr(JsonObject) presence = rl_test_client_expect (client, "presence");

      if (json_object_get_int_member (presence, "count") == n)
        return;
    }
}

/* A released store unsubscribes: a teammate stops counting Ada once she
 * leaves the document, counts her again when she comes back, and the new
 * store knows who is there. */
static void
test_unsubscribes_when_released (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (bob, f->image);
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlDocStore) store = open_store (a, f->image);

  wait_presence_count (bob, 2);
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_viewer_count (store) == 2, 3000);

  /* Ada closes the document; her link stays up. */
  g_clear_object (&store);
  wait_presence_count (bob, 1);
  g_assert_cmpint (rl_connection_get_state (a), ==, RL_CONNECTION_ONLINE);

  /* She opens it again: counted again, and her new store says so. */
  store = open_store (a, f->image);
  wait_presence_count (bob, 2);
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_viewer_count (store) == 2, 3000);
  {
    g_auto(GStrv) names = rl_doc_store_dup_viewer_names (store);

    g_assert_cmpuint (g_strv_length (names), ==, 2);
    g_assert_true (g_strv_contains ((const char * const *) names, "Ada"));
    g_assert_true (g_strv_contains ((const char * const *) names, "Bob"));
  }

  /* Released while the link is down: nothing to send, nothing breaks. */
  rl_connection_stop (a);
  g_clear_object (&store);
  wait_presence_count (bob, 1);
}


/* ---- revisions (docs/protocol.md, "Revisions") ------------------------------ */

/* tests/data/name's bytes. */
static GBytes *
data_file (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

/* Bob uploads mockup.png again as the image's next revision, over HTTP;
 * its number. (The store's loop does not run meanwhile.) */
static gint64
upload_revision (Fixture *f)
{
  g_autoptr(GBytes) png = data_file ("mockup.png");
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/revisions", f->image);
  RlTestResponse *response = rl_test_http (f->server, "POST", path, f->bob, "image/png", png);
  gint64 revision;

  g_assert_cmpuint (response->status, ==, 201);
  revision = json_object_get_int_member (json_node_get_object (response->json), "revision");
  rl_test_response_free (response);
  return revision;
}

typedef struct
{
  guint       n;
  RlRevision *last;
} Added;

/* Connected swapped: the counter first. */
static void
count_notify (guint *count)
{
  (*count)++;
}

static void
on_revision_added (RlDocStore       *store,
                   const RlRevision *revision,
                   const char       *broadcast_id,
                   gpointer          data)
{
  Added *added = data;

  g_clear_pointer (&added->last, rl_revision_free);
  added->last = rl_revision_copy (revision);
  added->n++;
}

static void
test_revisions_tracked (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlDocStore) store = open_store (a, f->image);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlThread) optimistic = NULL;
  g_autofree char *thread_id = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.4, .y = 0.6 };
  const RlThread *shown;
  RlRevisionAnchor *placement;
  Added added = { 0 };
  guint notified = 0;

  /* A 1.1 link: the snapshot said the latest revision. */
  g_assert_true (rl_connection_speaks_revisions (a));
  g_assert_cmpint (rl_doc_store_get_revision (store), ==, 1);

  /* A thread made on it, shown as the echo will be: on revision 1, its
   * placement there exact. */
  g_assert_true (rl_doc_store_create_thread (store, &anchor, "Align this", &thread_id, &error));
  g_assert_no_error (error);
  optimistic = rl_thread_copy (rl_thread_item_get_thread (rl_client_test_thread_at (store, 0)));
  g_assert_cmpint (optimistic->revision, ==, 1);
  g_assert_cmpuint (optimistic->placements->len, ==, 1);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (store), 5000);
  shown = rl_thread_item_get_thread (rl_client_test_thread_at (store, 0));
  g_assert_cmpint (shown->revision, ==, optimistic->revision);
  g_assert_true (rl_revision_anchor_equal (g_ptr_array_index (shown->placements, 0),
                                           g_ptr_array_index (optimistic->placements, 0)));
  assert_equals_server (f, store);

  /* A teammate's new revision: known, notified, announced with its
   * details, and every thread placed on it. */
  g_signal_connect (store, "revision-added", G_CALLBACK (on_revision_added), &added);
  g_signal_connect_swapped (store, "notify::revision", G_CALLBACK (count_notify), &notified);
  g_assert_cmpint (upload_revision (f), ==, 2);
  RL_TEST_WAIT_UNTIL (added.n == 1, 5000);
  g_assert_cmpint (rl_doc_store_get_revision (store), ==, 2);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (added.last->revision, ==, 2);
  g_assert_cmpstr (added.last->mime, ==, "image/png");
  g_assert_cmpstr (added.last->created_by.name, ==, "Bob");
  g_assert_cmpint (rl_doc_store_get_latest_revision (store)->revision, ==, 2);
  shown = rl_thread_item_get_thread (rl_client_test_thread_at (store, 0));
  placement = rl_thread_get_placement (shown, 2);
  g_assert_nonnull (placement);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_EXACT);
  assert_equals_server (f, store);

  /* What the document list says never lowers it. */
  {
    RlDocument listed = { .id = (char *) f->image, .revision = 1 };

    rl_doc_store_note_document (store, &listed);
    g_assert_cmpint (rl_doc_store_get_revision (store), ==, 2);
    listed.revision = 3;
    rl_doc_store_note_document (store, &listed);
    g_assert_cmpint (rl_doc_store_get_revision (store), ==, 3);
    g_assert_null (rl_doc_store_get_latest_revision (store));
  }

  /* A second store, opened after: its snapshot says 2. */
  {
    g_autoptr(RlConnection) b = rl_client_test_online (f->server, f->bob);
    g_autoptr(RlDocStore) bob = open_store (b, f->image);

    RL_TEST_WAIT_UNTIL (rl_doc_store_get_revision (bob) == 2, 5000);
    assert_equals_server (f, bob);
  }
  g_clear_pointer (&added.last, rl_revision_free);
}

static void
test_place_thread (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlConnection) b = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlDocStore) store = open_store (a, f->image);
  g_autoptr(RlDocStore) bob = open_store (b, f->image);
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.2, .y = 0.3 };
  RlAnchor elsewhere = { .kind = RL_DOC_KIND_IMAGE, .x = 0.7, .y = 0.8 };
  const RlThread *shown;
  const RlRevisionAnchor *placement;

  g_assert_true (rl_doc_store_create_thread (store, &anchor, "Check this", &thread_id, &error));
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (store), 5000);
  upload_revision (f);
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_revision (store) == 2 && rl_doc_store_get_revision (bob) == 2, 5000);

  /* Confirmed where the server put it: exact, by Ada, at once and after. */
  g_assert_true (rl_doc_store_place_thread (store, thread_id, NULL, &error));
  g_assert_no_error (error);
  placement = rl_thread_get_placement (rl_thread_item_get_thread (rl_client_test_thread_at (store, 0)), 2);
  g_assert_cmpstr (placement->by.name, ==, "Ada");
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (store), 5000);
  placement = rl_thread_get_placement (rl_thread_item_get_thread (rl_client_test_thread_at (store, 0)), 2);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_EXACT);
  g_assert_cmpstr (placement->by.name, ==, "Ada");
  assert_equals_server (f, store);

  /* Placed anew by Bob: Ada sees it there, on revision 2 and as its anchor. */
  g_assert_true (rl_doc_store_place_thread (bob, thread_id, &elsewhere, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (bob), 5000);
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_seq (store) == rl_doc_store_get_seq (bob), 5000);
  shown = rl_thread_item_get_thread (rl_client_test_thread_at (store, 0));
  placement = rl_thread_get_placement (shown, 2);
  g_assert_true (rl_anchor_equal (&placement->anchor, &elsewhere));
  g_assert_cmpstr (placement->by.name, ==, "Bob");
  g_assert_true (rl_anchor_equal (&shown->anchor, &elsewhere));
  /* Its place on revision 1 stays where it was made. */
  g_assert_true (rl_anchor_equal (&rl_thread_get_placement (shown, 1)->anchor, &anchor));
  g_assert_true (rl_anchor_equal (rl_thread_get_anchor_on (shown, 1), &anchor));
  assert_equals_server (f, store);
  assert_equals_server (f, bob);

  /* Nothing to confirm on a thread the store does not show. */
  g_assert_false (rl_doc_store_place_thread (store, "00000000-0000-4000-8000-000000000000", NULL, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
}

static void
test_conflict_over_older_revision (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlDocStore) store = open_store (a, f->image);
  g_autoptr(GError) error = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.5, .y = 0.5 };
  Failure failure = { 0 };

  g_signal_connect (store, "mutation-failed", G_CALLBACK (on_failed), &failure);
  /* The new revision is committed while Ada's store has not heard of it:
   * her marker names revision 1, and the server refuses it. */
  upload_revision (f);
  g_assert_cmpint (rl_doc_store_get_revision (store), ==, 1);
  g_assert_true (rl_doc_store_create_thread (store, &anchor, "Made on the old one", NULL, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (failure.n > 0, 5000);

  /* Rolled back, said in words, the text kept for a retry. */
  g_assert_cmpint (failure.type, ==, RL_REQUEST_CREATE_THREAD);
  g_assert_error (failure.error, RL_ERROR, RL_ERROR_CONFLICT);
  g_assert_cmpstr (failure.error->message, ==, "A newer version of this document was just uploaded. Your text is kept.");
  g_assert_cmpstr (failure.text, ==, "Made on the old one");
  g_assert_cmpint (rl_doc_store_get_revision (store), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (store)), ==, 0);
  assert_equals_server (f, store);

  /* On the latest, it is made. */
  g_assert_true (rl_doc_store_create_thread (store, &anchor, "Made on the new one", NULL, &error));
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (store), 5000);
  g_assert_cmpuint (failure.n, ==, 1);
  g_assert_cmpint (rl_thread_item_get_thread (rl_client_test_thread_at (store, 0))->revision, ==, 2);
  assert_equals_server (f, store);
  g_clear_error (&failure.error);
  g_free (failure.text);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/client/store/two-clients-converge", test_two_clients_converge);
  ADD ("/client/store/rollback-forbidden", test_rollback_forbidden);
  ADD ("/client/store/offline-fails-at-once", test_offline_fails_at_once);
  ADD ("/client/store/resync-after-disconnect", test_resync_after_disconnect);
  ADD ("/client/store/gap-resubscribes", test_gap_resubscribes);
  ADD ("/client/store/remembered-ids-bounded", test_remembered_ids_bounded);
  ADD ("/client/store/duplicates-dropped", test_duplicates_dropped);
  ADD ("/client/store/subscribe-retried", test_subscribe_retried);
  ADD ("/client/store/own-thread-numbered-by-ack", test_own_thread_numbered_by_ack);
  ADD ("/client/store/numbers-from-teammates-and-resync", test_numbers_from_teammates_and_resync);
  ADD ("/client/store/unsubscribes-when-released", test_unsubscribes_when_released);
  ADD ("/client/store/revisions-tracked", test_revisions_tracked);
  ADD ("/client/store/place-thread", test_place_thread);
  ADD ("/client/store/conflict-over-older-revision", test_conflict_over_older_revision);

  return g_test_run ();
}
