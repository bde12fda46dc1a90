/* test-activity-feed.c — unread, mentions and the activity feed (protocol
 * 1.2) of the client core against the real server: one person on two
 * computers (two connections of one user), teammates replying and
 * mentioning, a link cut under the feed, and a client that speaks 1.1 only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-activity-feed-private.h"
#include "rl-api.h"
#include "rl-client-test.h"
#include "rl-connection-private.h"
#include "rl-test-server.h"

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *ada;
  const char   *bob;
  const char   *image;
  char         *ada_id;
  char         *bob_id;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_team_init (&f->team, "Ada:member", &f->ada, "Bob:member", &f->bob, NULL);
  f->server = f->team.server;
  f->image = rl_test_team_start_with_image (&f->team, NULL);
  f->ada_id = rl_test_token_user (f->ada);
  f->bob_id = rl_test_token_user (f->bob);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_free (f->ada_id);
  g_free (f->bob_id);
  rl_test_team_clear (&f->team);
}

static RlApi *
new_api (Fixture    *f,
         const char *token)
{
  g_autoptr(GError) error = NULL;
  RlApi *api = rl_api_new (f->server->ws_base, token, NULL, &error);

  g_assert_no_error (error);
  return api;
}

static RlDocStore *
open_store (RlConnection *conn,
            const char   *doc)
{
  RlDocStore *store = rl_doc_store_get (conn, doc, RL_DOC_KIND_IMAGE);

  RL_TEST_WAIT_UNTIL (rl_doc_store_is_synced (store), 5000);
  return store;
}

static RlActivityFeed *
open_feed (RlConnection *conn,
           RlApi        *api)
{
  RlActivityFeed *feed = rl_activity_feed_get (conn, api);

  RL_TEST_WAIT_UNTIL (rl_activity_feed_is_synced (feed), 5000);
  return feed;
}

static guint
doc_unread_comments (RlDocStore *store)
{
  RlUnreadCounts counts;

  rl_doc_store_get_unread (store, &counts);
  return (guint) counts.comments;
}

static guint
feed_unread_comments (RlActivityFeed *feed,
                      const char     *doc)
{
  RlUnreadCounts counts;

  rl_activity_feed_get_unread (feed, doc, &counts);
  return (guint) counts.comments;
}

/* The seq of a shown comment. */
static gint64
comment_seq (RlDocStore *store,
             const char *thread_id,
             guint       index)
{
  GListModel *threads = rl_doc_store_get_threads (store);

  for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);
      const RlThread *thread = rl_thread_item_get_thread (item);

      if (g_str_equal (thread->id, thread_id))
        return ((RlComment *) g_ptr_array_index (thread->comments, index))->seq;
    }
  g_assert_not_reached ();
}

static void
count_signal (gpointer data)
{
  (*(guint *) data)++;
}

/* Bob starts a thread; Ada reads it on one computer and the other follows. */
static void
test_two_computers (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RlConnection) bob = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlConnection) ada1 = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlConnection) ada2 = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlApi) api1 = new_api (f, f->ada);
  g_autoptr(RlApi) api2 = new_api (f, f->ada);
  g_autoptr(RlDocStore) sb = open_store (bob, f->image);
  g_autoptr(RlDocStore) s1 = NULL;
  g_autoptr(RlDocStore) s2 = NULL;
  g_autoptr(RlActivityFeed) feed1 = NULL;
  g_autoptr(RlActivityFeed) feed2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = NULL;
  g_autofree char *other_id = NULL;
  g_autofree char *reply_id = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.5, .y = 0.5 };
  guint changed2 = 0;

  g_assert_cmpint (rl_connection_get_minor (ada1), ==, 2);
  g_assert_true (rl_connection_speaks_activity (ada1));

  /* Two threads by Bob before Ada opens the document. */
  g_assert_true (rl_doc_store_create_thread (sb, &anchor, "Logo too small", &thread_id, &error));
  g_assert_true (rl_doc_store_create_thread (sb, &anchor, "Colour is off", &other_id, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sb), 5000);

  feed1 = open_feed (ada1, api1);
  feed2 = open_feed (ada2, api2);
  s1 = open_store (ada1, f->image);
  s2 = open_store (ada2, f->image);
  g_signal_connect_swapped (s2, "unread-changed", G_CALLBACK (count_signal), &changed2);

  /* Unread on both, from the server's read state; the feed's snapshot agrees. */
  g_assert_cmpuint (rl_doc_store_get_thread_unread (s1, thread_id), ==, 1);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (s2, thread_id), ==, 1);
  g_assert_cmpuint (doc_unread_comments (s1), ==, 2);
  g_assert_cmpuint (rl_doc_store_get_new_since_open (s1), ==, 2);
  g_assert_cmpuint (feed_unread_comments (feed1, f->image), ==, 2);
  {
    RlUnreadCounts counts;

    g_assert_true (rl_activity_feed_get_unread (feed2, f->image, &counts));
    g_assert_cmpint (counts.threads, ==, 2);
    g_assert_cmpint (counts.mentions, ==, 0);
  }

  /* Ada reads the first thread on computer 1: shown read there at once,
   * and on computer 2 as soon as the read item arrives. */
  g_assert_true (rl_doc_store_mark_read (s1, thread_id, comment_seq (s1, thread_id, 0), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (s1, thread_id), ==, 0);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (s1, other_id), ==, 1);
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_thread_unread (s2, thread_id) == 0, 5000);
  g_assert_cmpuint (changed2, >, 0);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (s2, other_id), ==, 1);
  g_assert_cmpuint (doc_unread_comments (s2), ==, 1);
  /* The feeds re-read the document: one unread comment left. */
  RL_TEST_WAIT_UNTIL (feed_unread_comments (feed1, f->image) == 1, 5000);
  RL_TEST_WAIT_UNTIL (feed_unread_comments (feed2, f->image) == 1, 5000);
  /* What was new when the document was opened stays said. */
  g_assert_cmpuint (rl_doc_store_get_new_since_open (s1), ==, 2);
  g_assert_cmpuint (rl_doc_store_get_new_since_open (s2), ==, 2);

  /* Marking read again, or lower, sends nothing and changes nothing. */
  g_assert_true (rl_doc_store_mark_read (s1, thread_id, 0, &error));
  g_assert_cmpuint (rl_doc_store_get_thread_unread (s1, thread_id), ==, 0);

  /* A fresh computer 2 (its link cut, the store opened anew) finds it read. */
  g_clear_object (&s2);
  rl_connection_drop_link (ada2);
  g_assert_true (rl_client_test_wait_state (ada2, RL_CONNECTION_ONLINE, 5000));
  s2 = open_store (ada2, f->image);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (s2, thread_id), ==, 0);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (s2, other_id), ==, 1);
  g_assert_cmpuint (rl_doc_store_get_new_since_open (s2), ==, 1);

  /* Bob replies: the thread is unread on both computers again, the reply
   * only. */
  g_assert_true (rl_doc_store_add_comment (sb, thread_id, "Bigger now?", &reply_id, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_thread_unread (s1, thread_id) == 1, 5000);
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_thread_unread (s2, thread_id) == 1, 5000);
  g_assert_true (rl_doc_store_is_comment_unread (s2, thread_id, reply_id));
  {
    const RlThread *thread = rl_thread_item_get_thread (rl_client_test_thread_at (s2, 0));

    g_assert_false (rl_doc_store_is_comment_unread (s2, thread_id,
                                                    ((RlComment *) g_ptr_array_index (thread->comments, 0))->id));
  }

  /* Ada's own replies are never unread, on either computer. */
  g_assert_true (rl_doc_store_add_comment (s1, other_id, "On it", NULL, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (s1), 5000);
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_seq (s2) == rl_doc_store_get_seq (s1), 5000);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (s2, other_id), ==, 1);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (s1, other_id), ==, 1);

  /* Everything read on computer 2 (the floor): nothing left anywhere. */
  g_assert_true (rl_doc_store_mark_read (s2, NULL, rl_doc_store_get_seq (s2), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (doc_unread_comments (s2), ==, 0);
  RL_TEST_WAIT_UNTIL (doc_unread_comments (s1) == 0, 5000);
  RL_TEST_WAIT_UNTIL (feed_unread_comments (feed1, f->image) == 0, 5000);
  g_assert_false (rl_activity_feed_get_unread (feed1, f->image, &(RlUnreadCounts) { 0 }));
}

/* The names of the members model, for asserting. */
static RlMemberItem *
member_named (GListModel *members,
              const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(RlMemberItem) item = g_list_model_get_item (members, i);

      if (g_str_equal (rl_member_item_get_name (item), name))
        return item;   /* the model keeps it */
    }
  return NULL;
}

static void
keep_activity (RlActivityFeed   *feed,
               const RlActivity *activity,
               gpointer          data)
{
  g_ptr_array_add (data, rl_activity_copy (activity));
}

static GListModel *
list_users (RlApi *api)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *members;

  rl_api_list_users (api, NULL, rl_client_test_store_result, &result);
  members = rl_api_list_users_finish (api, rl_client_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return members;
}

/* Ada calls Bob into a thread: the mention is sent from the store, kept by
 * the server, and reaches Bob's feed; renamed, Bob still resolves. */
static void
test_mentions (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlConnection) ada = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlConnection) bob = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlApi) ada_api = new_api (f, f->ada);
  g_autoptr(RlApi) bob_api = new_api (f, f->bob);
  g_autoptr(RlActivityFeed) bob_feed = open_feed (bob, bob_api);
  g_autoptr(RlDocStore) sa = open_store (ada, f->image);
  g_autoptr(RlDocStore) sb = open_store (bob, f->image);
  g_autoptr(GPtrArray) told = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_activity_free);
  g_autoptr(GPtrArray) mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_mention_free);
  g_autoptr(GListModel) members = NULL;
  g_autoptr(GListModel) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = NULL;
  g_autofree char *comment_id = NULL;
  g_autofree char *renamed = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.2, .y = 0.8 };
  RlMemberItem *bob_item;
  const RlActivity *item;
  const RlComment *comment;
  guint not_modified;

  g_signal_connect (bob_feed, "item-added", G_CALLBACK (keep_activity), told);

  /* The composer completes members from the list. */
  members = list_users (ada_api);
  g_assert_true (members == rl_api_get_members (ada_api));
  g_assert_cmpuint (g_list_model_get_n_items (members), ==, 2);
  bob_item = member_named (members, "Bob");
  g_assert_nonnull (bob_item);
  g_assert_cmpstr (rl_member_item_get_id (bob_item), ==, f->bob_id);
  g_assert_true (rl_api_lookup_member (ada_api, f->bob_id) == bob_item);

  /* A span that is not "@…" is refused before anything is sent. */
  g_ptr_array_add (mentions, rl_mention_new (f->bob_id, 0, 4));
  g_assert_false (rl_doc_store_create_thread_with_mentions (sa, &anchor, "Bob, look", mentions, NULL, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (sa), ==, 0);

  /* Spans count in the body as typed; trimming shifts them. */
  g_ptr_array_set_size (mentions, 0);
  g_ptr_array_add (mentions, rl_mention_new (f->bob_id, 7, 11));
  g_assert_true (rl_doc_store_create_thread_with_mentions (sa, &anchor, "  Hey, @Bob: the logo", mentions,
                                                           &thread_id, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  comment = g_ptr_array_index (rl_thread_item_get_thread (rl_client_test_thread_at (sa, 0))->comments, 0);
  g_assert_cmpstr (comment->body, ==, "Hey, @Bob: the logo");
  g_assert_cmpuint (comment->mentions->len, ==, 1);
  g_assert_cmpint (((RlMention *) g_ptr_array_index (comment->mentions, 0))->start, ==, 5);
  g_assert_cmpint (((RlMention *) g_ptr_array_index (comment->mentions, 0))->end, ==, 9);

  /* Kept by the server: Bob's store has it as Ada's does. */
  RL_TEST_WAIT_UNTIL (g_list_model_get_n_items (rl_doc_store_get_threads (sb)) == 1, 5000);
  {
    g_autoptr(GPtrArray) theirs = rl_doc_store_dup_confirmed (sb);
    g_autoptr(GPtrArray) mine = rl_doc_store_dup_confirmed (sa);

    g_assert_true (rl_thread_equal (g_ptr_array_index (theirs, 0), g_ptr_array_index (mine, 0)));
  }

  /* Bob's feed: one mention item with the whole comment, at the top of
   * the recent list; his unread counts the mention. */
  RL_TEST_WAIT_UNTIL (told->len == 1, 5000);
  item = g_ptr_array_index (told, 0);
  g_assert_cmpint (item->kind, ==, RL_ACTIVITY_MENTION);
  g_assert_cmpstr (item->doc.id, ==, f->image);
  g_assert_cmpstr (item->thread, ==, thread_id);
  g_assert_cmpstr (item->actor.id, ==, f->ada_id);
  g_assert_true (rl_comment_equal (item->comment, comment));
  {
    g_autoptr(RlActivityItem) top = g_list_model_get_item (rl_activity_feed_get_recent (bob_feed), 0);

    g_assert_nonnull (top);
    g_assert_cmpint (rl_activity_item_get_activity (top)->aseq, ==, item->aseq);
  }
  {
    RlUnreadCounts counts = { 0 };

    RL_TEST_WAIT_UNTIL (rl_activity_feed_get_unread (bob_feed, f->image, &counts) && counts.mentions == 1, 5000);
    rl_doc_store_get_unread (sb, &counts);
    g_assert_cmpint (counts.mentions, ==, 1);
    g_assert_cmpint (counts.comments, ==, 1);
  }

  /* A reply that mentions him, and an edit that adds him to a comment in
   * a thread that was not his: one mention item each. */
  g_ptr_array_set_size (mentions, 0);
  g_ptr_array_add (mentions, rl_mention_new (f->bob_id, 0, 4));
  g_assert_true (rl_doc_store_add_comment_with_mentions (sa, thread_id, "@Bob still?", mentions, NULL, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (told->len == 2, 5000);
  g_assert_cmpint (((RlActivity *) g_ptr_array_index (told, 1))->kind, ==, RL_ACTIVITY_MENTION);
  g_clear_pointer (&thread_id, g_free);
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Footer?", &thread_id, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  comment_id = g_strdup (((RlComment *) g_ptr_array_index (
                            rl_thread_item_get_thread (rl_client_test_thread_at (sa, 1))->comments, 0))->id);
  g_ptr_array_set_size (mentions, 0);
  g_ptr_array_add (mentions, rl_mention_new (f->bob_id, 8, 12));
  g_assert_true (rl_doc_store_edit_comment_with_mentions (sa, thread_id, comment_id, "Footer? @Bob", mentions,
                                                          &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (told->len == 3, 5000);
  item = g_ptr_array_index (told, 2);
  g_assert_cmpint (item->kind, ==, RL_ACTIVITY_MENTION);
  g_assert_cmpstr (item->comment->id, ==, comment_id);
  g_assert_cmpuint (item->comment->mentions->len, ==, 1);

  /* Bob is renamed: the same member resolves, with his new name; the list
   * was asked with its ETag before. */
  renamed = rl_test_server_admin (f->server, "user", "rename", "--tenant", "acme", f->bob_id, "Robert", NULL);
  not_modified = rl_api_get_n_not_modified (ada_api);
  again = list_users (ada_api);
  g_assert_cmpuint (rl_api_get_n_not_modified (ada_api), ==, not_modified);
  g_assert_true (rl_api_lookup_member (ada_api, f->bob_id) == bob_item);
  g_assert_cmpstr (rl_member_item_get_name (bob_item), ==, "Robert");
  g_clear_object (&again);
  again = list_users (ada_api);
  g_assert_cmpuint (rl_api_get_n_not_modified (ada_api), ==, not_modified + 1);
  g_assert_cmpstr (rl_member_item_get_name (rl_api_lookup_member (ada_api, f->bob_id)), ==, "Robert");
}

typedef struct
{
  GHashTable *seen;      /* aseq → times told */
  GPtrArray  *replies;   /* comment ids of reply items, in order */
  guint       repeats;
} Told;

static void
tell (RlActivityFeed   *feed,
      const RlActivity *activity,
      gpointer          data)
{
  Told *told = data;
  gpointer key = GINT_TO_POINTER ((int) activity->aseq);
  guint times = GPOINTER_TO_UINT (g_hash_table_lookup (told->seen, key));

  if (times > 0)
    told->repeats++;
  g_hash_table_replace (told->seen, key, GUINT_TO_POINTER (times + 1));
  if (activity->kind == RL_ACTIVITY_REPLY)
    g_ptr_array_add (told->replies, g_strdup (activity->comment->id));
}

/* Bob replies n times in thread_id; the ids of his comments are appended. */
static void
bob_replies (RlDocStore *sb,
             const char *thread_id,
             guint       n,
             GPtrArray  *ids)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("Reply %u", ids->len + 1);
      char *id = NULL;

      g_assert_true (rl_doc_store_add_comment (sb, thread_id, text, &id, &error));
      g_assert_no_error (error);
      g_ptr_array_add (ids, id);
    }
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sb), 5000);
}

/* Every reply told once, in order, however the link went. */
static void
assert_told_once (Told      *told,
                  GPtrArray *ids)
{
  g_assert_cmpuint (told->repeats, ==, 0);
  g_assert_cmpuint (told->replies->len, ==, ids->len);
  for (guint i = 0; i < ids->len; i++)
    g_assert_cmpstr (g_ptr_array_index (told->replies, i), ==, g_ptr_array_index (ids, i));
}

/* Ada's feed across a stopped link, a lost item, and links cut under it:
 * each item told exactly once, none lost. */
static void
test_feed_reconnect (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RlConnection) ada = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlConnection) bob = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlApi) api = new_api (f, f->ada);
  g_autoptr(RlDocStore) sa = open_store (ada, f->image);
  g_autoptr(RlDocStore) sb = open_store (bob, f->image);
  g_autoptr(RlActivityFeed) feed = NULL;
  g_autoptr(RlActivityFeed) shared = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = NULL;
  Told told = { g_hash_table_new (NULL, NULL), g_ptr_array_new_with_free_func (g_free), 0 };
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.1, .y = 0.1 };
  gint64 aseq;

  /* Ada's thread: Bob's replies in it are hers to hear of. */
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Header spacing", &thread_id, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  RL_TEST_WAIT_UNTIL (g_list_model_get_n_items (rl_doc_store_get_threads (sb)) == 1, 5000);

  /* One reply before the feed: history, not told. */
  bob_replies (sb, thread_id, 1, ids);
  feed = open_feed (ada, api);
  shared = rl_activity_feed_get (ada, api);
  g_assert_true (shared == feed);
  g_signal_connect (feed, "item-added", G_CALLBACK (tell), &told);
  g_assert_cmpuint (g_list_model_get_n_items (rl_activity_feed_get_recent (feed)), ==, 1);
  g_ptr_array_set_size (ids, 0);

  /* Live. */
  bob_replies (sb, thread_id, 3, ids);
  RL_TEST_WAIT_UNTIL (told.replies->len == 3, 5000);

  /* While Ada is away, Bob goes on; back, she hears each once. */
  rl_connection_stop (ada);
  bob_replies (sb, thread_id, 3, ids);
  aseq = rl_activity_feed_get_aseq (feed);
  rl_connection_start (ada);
  RL_TEST_WAIT_UNTIL (told.replies->len == 6 && rl_activity_feed_is_synced (feed), 5000);
  g_assert_cmpint (rl_activity_feed_get_aseq (feed), ==, aseq + 3);
  assert_told_once (&told, ids);

  /* An item lost on the way: the gap brings it back. */
  rl_activity_feed_drop_items_for_testing (feed, 1);
  bob_replies (sb, thread_id, 2, ids);
  RL_TEST_WAIT_UNTIL (told.replies->len == 8 && rl_activity_feed_is_synced (feed), 5000);
  g_assert_cmpuint (rl_activity_feed_get_n_gap_resubscribes (feed), >=, 1);
  assert_told_once (&told, ids);

  /* Links cut while Bob writes: whatever crossed before the cut is not
   * told again after it. */
  for (guint round = 0; round < 3; round++)
    {
      bob_replies (sb, thread_id, 2, ids);
      rl_connection_drop_link (ada);
      g_assert_true (rl_client_test_wait_state (ada, RL_CONNECTION_ONLINE, 5000));
      RL_TEST_WAIT_UNTIL (told.replies->len == ids->len && rl_activity_feed_is_synced (feed), 5000);
    }
  assert_told_once (&told, ids);
  g_assert_cmpuint (g_hash_table_size (told.seen), ==, ids->len);
  /* Newest first, bounded. */
  {
    g_autoptr(RlActivityItem) top = g_list_model_get_item (rl_activity_feed_get_recent (feed), 0);

    g_assert_cmpstr (rl_activity_item_get_activity (top)->comment->id, ==, g_ptr_array_index (ids, ids->len - 1));
    g_assert_cmpuint (g_list_model_get_n_items (rl_activity_feed_get_recent (feed)), ==, ids->len + 1);
  }

  g_signal_handlers_disconnect_by_data (feed, &told);
  g_hash_table_unref (told.seen);
  g_ptr_array_unref (told.replies);
}

/* What GET /api/v1/docs says token's user has not read of doc: unread comments. */
static gint64
listed_unread_comments (Fixture    *f,
                        const char *token,
                        const char *doc)
{
  g_autoptr(RlTestResponse) listing = rl_test_http (f->server, "GET", "/api/v1/docs", token, NULL, NULL);
  JsonArray *docs;

  g_assert_cmpuint (listing->status, ==, 200);
  docs = json_node_get_array (listing->json);
  for (guint i = 0; i < json_array_get_length (docs); i++)
    {
      JsonObject *listed = json_array_get_object_element (docs, i);

      if (g_str_equal (json_object_get_string_member (listed, "id"), doc))
        return json_object_get_int_member (json_object_get_object_member (listed, "unread"), "comments");
    }
  g_assert_not_reached ();
}

/* Cy joins after Bob's thread and reply: that backlog is read for Cy in the
 * store (which learns when Cy was added from the ack) as in the listing;
 * Bob's next reply is unread in both, and is all a new open finds. */
static void
test_new_member_backlog (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(RlConnection) bob = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlDocStore) sb = open_store (bob, f->image);
  g_autoptr(RlConnection) cy = NULL;
  g_autoptr(RlDocStore) sc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = NULL;
  g_autofree char *old_reply_id = NULL;
  g_autofree char *reply_id = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.6, .y = 0.4 };
  const char *cy_token;

  g_assert_true (rl_doc_store_create_thread (sb, &anchor, "Grid is off by 2px", &thread_id, &error));
  g_assert_true (rl_doc_store_add_comment (sb, thread_id, "Also the gutter", &old_reply_id, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sb), 5000);

  /* Cy is added after both comments committed. */
  cy_token = rl_test_team_add_person (&f->team, "Cy:member");
  cy = rl_client_test_online (f->server, cy_token);
  sc = open_store (cy, f->image);
  g_assert_cmpint (listed_unread_comments (f, cy_token, f->image), ==, 0);
  g_assert_cmpuint (doc_unread_comments (sc), ==, 0);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (sc, thread_id), ==, 0);
  g_assert_false (rl_doc_store_is_comment_unread (sc, thread_id, old_reply_id));
  g_assert_cmpuint (rl_doc_store_get_new_since_open (sc), ==, 0);
  /* Ada, there before, has both unread. */
  g_assert_cmpint (listed_unread_comments (f, f->ada, f->image), ==, 2);

  /* Bob replies after Cy was added: unread for Cy in both. */
  g_assert_true (rl_doc_store_add_comment (sb, thread_id, "Fixed in the next upload", &reply_id, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_thread_unread (sc, thread_id) == 1, 5000);
  g_assert_true (rl_doc_store_is_comment_unread (sc, thread_id, reply_id));
  g_assert_false (rl_doc_store_is_comment_unread (sc, thread_id, old_reply_id));
  g_assert_cmpuint (doc_unread_comments (sc), ==, 1);
  g_assert_cmpint (listed_unread_comments (f, cy_token, f->image), ==, 1);

  /* Opened anew, "new since you were here" counts the reply only. */
  g_clear_object (&sc);
  sc = open_store (cy, f->image);
  g_assert_cmpuint (rl_doc_store_get_new_since_open (sc), ==, 1);
  g_assert_cmpuint (doc_unread_comments (sc), ==, 1);
}

static void
count_doc_signal (RlActivityFeed *feed,
                  const char     *doc_id,
                  gpointer        data)
{
  GHashTable *counts = data;

  g_hash_table_insert (counts, g_strdup (doc_id),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, doc_id)) + 1));
}

/* Bob's thread and reply, in a thread Ada is not in, on a document she does
 * not have open, name no item of hers: her feed's unread for it goes up
 * live all the same (the server's unread-hint), as the listing says. */
static void
test_unread_hint (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(RlConnection) bob = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlConnection) ada = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlApi) api = new_api (f, f->ada);
  g_autoptr(RlDocStore) sb = open_store (bob, f->image);
  g_autoptr(RlActivityFeed) feed = open_feed (ada, api);
  g_autoptr(GHashTable) changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.2, .y = 0.7 };
  guint told = 0;

  g_signal_connect (feed, "unread-changed", G_CALLBACK (count_doc_signal), changed);
  g_signal_connect_swapped (feed, "item-added", G_CALLBACK (count_signal), &told);
  g_assert_false (rl_activity_feed_get_unread (feed, f->image, &(RlUnreadCounts) { 0 }));

  g_assert_true (rl_doc_store_create_thread (sb, &anchor, "Kerning in the title", &thread_id, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (feed_unread_comments (feed, f->image) == 1, 5000);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (changed, f->image)), ==, 1);
  {
    RlUnreadCounts counts;

    g_assert_true (rl_activity_feed_get_unread (feed, f->image, &counts));
    g_assert_cmpint (counts.threads, ==, 1);
    g_assert_cmpint (counts.mentions, ==, 0);
  }

  /* Bob's reply in his own thread: up again, live. */
  g_assert_true (rl_doc_store_add_comment (sb, thread_id, "And the subtitle", NULL, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (feed_unread_comments (feed, f->image) == 2, 5000);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (changed, f->image)), ==, 2);
  g_assert_cmpint (listed_unread_comments (f, f->ada, f->image), ==, 2);
  /* None of it was an item of Ada's: the hint did it. */
  g_assert_cmpuint (told, ==, 0);
  RL_TEST_WAIT_UNTIL (rl_activity_feed_get_n_fetching (feed) == 0, 5000);
}

/* A client that offers 1.1 only (an older app): nothing breaks, nothing
 * is unread, mentions are dropped, the feed asks nothing. */
static void
test_v11_client (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(RlConnection) bob = rl_client_test_online (f->server, f->bob);
  g_autoptr(RlConnection) ada = rl_client_test_new_connection (f->server, f->ada);
  g_autoptr(RlApi) api = new_api (f, f->ada);
  g_autoptr(RlDocStore) sb = open_store (bob, f->image);
  g_autoptr(RlDocStore) sa = NULL;
  g_autoptr(RlActivityFeed) feed = NULL;
  g_autoptr(GPtrArray) mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_mention_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *thread_id = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.3, .y = 0.3 };
  guint told = 0;
  const RlThread *thread;

  rl_connection_set_max_minor (ada, 1);
  rl_connection_start (ada);
  g_assert_true (rl_client_test_wait_state (ada, RL_CONNECTION_ONLINE, 5000));
  g_assert_cmpint (rl_connection_get_minor (ada), ==, 1);
  g_assert_true (rl_connection_speaks_revisions (ada));
  g_assert_false (rl_connection_speaks_activity (ada));

  g_assert_true (rl_doc_store_create_thread (sb, &anchor, "Too much padding", &thread_id, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sb), 5000);

  feed = rl_activity_feed_get (ada, api);
  g_signal_connect_swapped (feed, "item-added", G_CALLBACK (count_signal), &told);
  sa = open_store (ada, f->image);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (sa, thread_id), ==, 0);
  g_assert_cmpuint (doc_unread_comments (sa), ==, 0);
  g_assert_cmpuint (rl_doc_store_get_new_since_open (sa), ==, 0);
  g_assert_true (rl_doc_store_mark_read (sa, NULL, rl_doc_store_get_seq (sa), &error));
  g_assert_no_error (error);

  /* Mentions are dropped, the comment goes through. */
  g_ptr_array_add (mentions, rl_mention_new (f->bob_id, 0, 4));
  g_assert_true (rl_doc_store_add_comment_with_mentions (sa, thread_id, "@Bob agreed", mentions, NULL, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  RL_TEST_WAIT_UNTIL (rl_doc_store_get_seq (sb) == rl_doc_store_get_seq (sa), 5000);
  thread = rl_thread_item_get_thread (rl_client_test_thread_at (sb, 0));
  g_assert_cmpuint (thread->comments->len, ==, 2);
  g_assert_cmpuint (((RlComment *) g_ptr_array_index (thread->comments, 1))->mentions->len, ==, 0);

  /* The feed never subscribed: nothing came, nothing is unread. */
  g_assert_false (rl_activity_feed_is_synced (feed));
  g_assert_cmpint (rl_activity_feed_get_aseq (feed), ==, -1);
  g_assert_cmpuint (told, ==, 0);
  {
    g_autoptr(GPtrArray) unread = rl_activity_feed_dup_unread (feed);

    g_assert_cmpuint (unread->len, ==, 0);
  }
  g_assert_cmpuint (rl_activity_feed_get_n_fetching (feed), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/client/unread/two-computers", test_two_computers);
  ADD ("/client/unread/mentions", test_mentions);
  ADD ("/client/unread/new-member-backlog", test_new_member_backlog);
  ADD ("/client/unread/hint", test_unread_hint);
  ADD ("/client/activity/reconnect", test_feed_reconnect);
  ADD ("/client/activity/v11-client", test_v11_client);
#undef ADD

  return g_test_run ();
}
