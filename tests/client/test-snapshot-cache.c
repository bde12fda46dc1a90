/* test-snapshot-cache.c — the last confirmed state on disk, shown offline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "rl-client-test.h"
#include "rl-doc-store.h"
#include "rl-snapshot-cache.h"
#include "rl-test-server.h"

/* XDG_CACHE_HOME of this run, set before anything asks for it. */
static char *cache_home;

typedef RlClientTestTeam Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_client_test_team_init (f, RL_CLIENT_TEST_WITH_BOB);
  rl_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_client_test_team_clear (f);
}

static char *
replace (const char *text,
         const char *from,
         const char *to)
{
  GString *out = g_string_new (text);

  g_assert_cmpuint (g_string_replace (out, from, to, 0), >, 0);
  return g_string_free (out, FALSE);
}

static RlDocStore *
open_store (RlConnection *conn,
            const char   *doc)
{
  RlDocStore *store = rl_doc_store_get (conn, doc, RL_DOC_KIND_IMAGE);

  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (store), 5000);
  return store;
}

/* The server's threads and head, over HTTP. */
static GPtrArray *
server_threads (Fixture    *f,
                const char *doc,
                gint64     *seq)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/threads", doc);
  g_autoptr(RlTestResponse) response = rl_test_http (f->server, "GET", path, f->ada, NULL, NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *threads = NULL;

  g_assert_cmpuint (response->status, ==, 200);
  g_assert_true (rl_threads_body_from_json (response->json, seq, &threads, &error));
  g_assert_no_error (error);
  return threads;
}

static void
assert_same_threads (GPtrArray *a,
                     GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_true (rl_thread_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)));
}

/* What is shown equals threads, item by item. */
static void
assert_shows (RlDocStore *store,
              GPtrArray  *threads)
{
  GListModel *model = rl_doc_store_get_threads (store);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, threads->len);
  for (guint i = 0; i < threads->len; i++)
    {
      RlThreadItem *item = rl_client_test_thread_at (store, i);
      const RlThread *thread = g_ptr_array_index (threads, i);

      g_assert_true (rl_thread_equal (rl_thread_item_get_thread (item), thread));
      g_assert_cmpuint (g_list_model_get_n_items (rl_thread_item_get_comments (item)), ==, thread->comments->len);
    }
}

/* The cache holds doc as it was at seq. */
static gboolean
cached_at (RlSnapshotCache *cache,
           const char      *doc,
           gint64           seq)
{
  g_autoptr(GPtrArray) threads = NULL;
  RlDocKind kind;
  gint64 cached_seq;

  return rl_snapshot_cache_load (cache, doc, &kind, &cached_seq, &threads, NULL) && cached_seq == seq;
}

/* A copy of a list model kept current from items-changed alone: if the
 * signal ever lies about positions, the copy and the model part. */
typedef struct
{
  GListModel *model;
  GPtrArray  *copy;
  guint       signals;
} Shadow;

static void
shadow_check (Shadow *shadow)
{
  g_assert_cmpuint (shadow->copy->len, ==, g_list_model_get_n_items (shadow->model));
  for (guint i = 0; i < shadow->copy->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (shadow->model, i);

      g_assert_true (item == g_ptr_array_index (shadow->copy, i));
    }
}

static void
shadow_changed (GListModel *model,
                guint       position,
                guint       removed,
                guint       added,
                gpointer    data)
{
  Shadow *shadow = data;

  g_assert_cmpuint (position + removed, <=, shadow->copy->len);
  g_ptr_array_remove_range (shadow->copy, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (shadow->copy, (int) (position + i), g_list_model_get_item (model, position + i));
  shadow->signals++;
  shadow_check (shadow);
}

static void
shadow_init (Shadow     *shadow,
             GListModel *model)
{
  shadow->model = model;
  shadow->copy = g_ptr_array_new_with_free_func (g_object_unref);
  shadow->signals = 0;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (shadow->copy, g_list_model_get_item (model, i));
  g_signal_connect (model, "items-changed", G_CALLBACK (shadow_changed), shadow);
}

static void
shadow_clear (Shadow *shadow)
{
  g_signal_handlers_disconnect_by_data (shadow->model, shadow);
  g_ptr_array_unref (shadow->copy);
}

static void
test_offline_shows_last_state (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(RlConnection) a = rl_client_test_online (f->server, f->ada);
  g_autoptr(RlDocStore) sa = open_store (a, f->image);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(RlSnapshotCache) cache = NULL;
  g_autofree char *ada_id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.25, .y = 0.75 };
  gint64 head;
  GStatBuf st;

  ada_id = g_strdup (rl_connection_get_welcome (a)->user.id);
  cache = rl_snapshot_cache_new (NULL, rl_connection_get_url (a), ada_id);

  /* Three markers, a reply, one resolved: on disk within a second or so. */
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Logo too small", &t1, &error));
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Wrong blue", &t2, &error));
  g_assert_true (rl_doc_store_create_thread (sa, &anchor, "Typo in footer", &t3, &error));
  g_assert_true (rl_doc_store_add_comment (sa, t1, "And the tagline", NULL, &error));
  g_assert_true (rl_doc_store_resolve_thread (sa, t3, TRUE, &error));
  g_assert_no_error (error);
  RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sa), 5000);
  g_assert_cmpint (rl_doc_store_get_seq (sa), ==, 5);
  RL_TEST_WAIT_UNTIL (cached_at (cache, f->image, 5), 5000);
  before = server_threads (f, f->image, &head);
  g_assert_cmpint (head, ==, 5);

  /* Private: the file 0600, its directory 0700. */
  path = rl_snapshot_cache_dup_path (cache, f->image, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (path, cache_home));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (rl_snapshot_cache_get_directory (cache), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* The app quits, the server goes away. */
  g_clear_object (&sa);
  rl_connection_stop (a);
  rl_test_server_stop (f->server);

  {
    /* Started again offline: the markers show, unsynced, read only. */
    g_autoptr(RlConnection) c = rl_client_test_new_connection (f->server, f->ada);
    g_autoptr(RlConnection) other = rl_client_test_new_connection (f->server, f->bob);
    g_autoptr(RlDocStore) sc = NULL;
    g_autoptr(RlDocStore) so = NULL;
    g_autoptr(GPtrArray) confirmed = NULL;
    g_autoptr(RlThreadItem) kept = NULL;
    g_autoptr(RlConnection) d = NULL;
    g_autoptr(RlConnection) b = NULL;
    g_autoptr(RlDocStore) sd = NULL;
    g_autoptr(RlDocStore) sb = NULL;
    Shadow shadow;

    rl_connection_set_user_id (c, ada_id);
    g_assert_cmpstr (rl_connection_get_user_id (c), ==, ada_id);
    sc = rl_doc_store_get (c, f->image, RL_DOC_KIND_IMAGE);
    g_assert_false (rl_doc_store_is_synced (sc));
    g_assert_true (rl_doc_store_is_from_cache (sc));
    g_assert_cmpint (rl_doc_store_get_seq (sc), ==, -1);
    confirmed = rl_doc_store_dup_confirmed (sc);
    assert_same_threads (confirmed, before);
    assert_shows (sc, before);
    /* With their numbers, as the server gave them. */
    for (guint i = 0; i < 3; i++)
      g_assert_cmpint (rl_thread_item_get_thread (rl_client_test_thread_at (sc, i))->number, ==, i + 1);
    g_assert_false (rl_doc_store_add_comment (sc, t1, "Typed offline", NULL, &error));
    g_assert_error (error, RL_ERROR, RL_ERROR_OFFLINE);
    g_clear_error (&error);
    g_assert_cmpuint (rl_doc_store_get_n_in_flight (sc), ==, 0);
    assert_shows (sc, before);

    /* Another user's cache is not this one. */
    rl_connection_set_user_id (other, "someone-else");
    so = rl_doc_store_get (other, f->image, RL_DOC_KIND_IMAGE);
    g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (so)), ==, 0);
    g_assert_false (rl_doc_store_is_from_cache (so));

    /* Meanwhile, elsewhere: the server is back, Ada deletes a marker, Bob
     * replies and adds one. */
    rl_test_server_start (f->server);
    d = rl_client_test_online (f->server, f->ada);
    b = rl_client_test_online (f->server, f->bob);
    sd = open_store (d, f->image);
    sb = open_store (b, f->image);
    g_assert_true (rl_doc_store_delete_thread (sd, t2, &error));
    g_assert_true (rl_doc_store_add_comment (sb, t1, "Agreed", NULL, &error));
    g_assert_true (rl_doc_store_create_thread (sb, &anchor, "New here", NULL, &error));
    g_assert_no_error (error);
    RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sd), 5000);
    RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sb), 5000);
    /* Gone (their last state written as they go): c alone writes now. */
    g_clear_object (&sd);
    g_clear_object (&sb);
    after = server_threads (f, f->image, &head);
    g_assert_cmpint (head, ==, 8);

    /* Online: the snapshot replaces the cached state, with items-changed
     * that tell the truth and the untouched marker's item kept. */
    kept = g_object_ref (rl_client_test_thread_at (sc, 2));
    g_assert_cmpstr (rl_thread_item_get_thread (kept)->id, ==, t3);
    shadow_init (&shadow, rl_doc_store_get_threads (sc));
    rl_connection_start (c);
    RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sc), 5000);
    g_assert_false (rl_doc_store_is_from_cache (sc));
    g_assert_cmpint (rl_doc_store_get_seq (sc), ==, 8);
    g_assert_cmpuint (shadow.signals, >, 0);
    shadow_check (&shadow);
    shadow_clear (&shadow);
    assert_shows (sc, after);
    g_clear_pointer (&confirmed, g_ptr_array_unref);
    confirmed = rl_doc_store_dup_confirmed (sc);
    assert_same_threads (confirmed, after);
    g_assert_true (rl_client_test_thread_at (sc, 1) == kept);

    /* Changes work again, and the cache follows the server. */
    g_assert_true (rl_doc_store_add_comment (sc, t1, "Back online", NULL, &error));
    g_assert_no_error (error);
    RL_TEST_WAIT_UNTIL (rl_client_test_store_settled (sc), 5000);
    RL_TEST_WAIT_UNTIL (cached_at (cache, f->image, 9), 5000);
    {
      g_autoptr(GPtrArray) cached = NULL;
      g_autoptr(GPtrArray) now = server_threads (f, f->image, &head);
      RlDocKind kind;
      gint64 seq;

      g_assert_true (rl_snapshot_cache_load (cache, f->image, &kind, &seq, &cached, &error));
      g_assert_no_error (error);
      g_assert_cmpint (kind, ==, RL_DOC_KIND_IMAGE);
      g_assert_cmpint (seq, ==, head);
      assert_same_threads (cached, now);
    }
  }
}

/* ---- bad files ------------------------------------------------------------ */

typedef struct
{
  char            *base;
  RlSnapshotCache *cache;
  RlConnection    *conn;    /* never connects: nothing listens there */
} Files;

static void
files_setup (Files         *f,
             gconstpointer  data)
{
  f->base = g_build_filename (cache_home, "files", NULL);
  /* The store uses the XDG cache directory, so this one does too. */
  f->cache = rl_snapshot_cache_new (NULL, "ws://127.0.0.1:9", "u-files");
  f->conn = rl_connection_new ("ws://127.0.0.1:9", "token", NULL);
  rl_connection_set_user_id (f->conn, "u-files");
  g_assert_cmpint (g_mkdir_with_parents (rl_snapshot_cache_get_directory (f->cache), 0700), ==, 0);
}

static void
files_teardown (Files         *f,
                gconstpointer  data)
{
  rl_client_test_remove_tree (rl_snapshot_cache_get_directory (f->cache));
  g_clear_object (&f->conn);
  g_clear_object (&f->cache);
  g_free (f->base);
}

static RlThread *
make_thread (const char *doc,
             RlDocKind   kind)
{
  RlThread *thread = rl_thread_new ();
  RlComment *comment = rl_comment_new ();
  g_autofree char *id = rl_test_uuid ();

  thread->id = g_strdup (id);
  thread->doc = g_strdup (doc);
  thread->anchor.kind = kind;
  if (kind == RL_DOC_KIND_IMAGE)
    {
      thread->anchor.x = 0.5;
      thread->anchor.y = 0.5;
    }
  else
    {
      thread->anchor.start = 0;
      thread->anchor.end = 4;
      thread->anchor.exact = g_strdup ("Home");
      thread->anchor.prefix = g_strdup ("");
      thread->anchor.suffix = g_strdup (" page");
    }
  thread->created_by.id = g_strdup ("u-files");
  thread->created_by.name = g_strdup ("Ada");
  thread->created_at = thread->updated_at = 1764000000123;
  comment->id = rl_test_uuid ();
  comment->thread = g_strdup (id);
  comment->author.id = g_strdup ("u-files");
  comment->author.name = g_strdup ("Ada");
  comment->body = g_strdup ("Cached");
  comment->created_at = 1764000000123;
  g_ptr_array_add (thread->comments, comment);
  return thread;
}

static char *
valid_text (Files      *f,
            const char *doc)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = rl_snapshot_cache_dup_path (f->cache, doc, NULL);
  char *text;

  g_ptr_array_add (threads, make_thread (doc, RL_DOC_KIND_IMAGE));
  g_assert_true (rl_snapshot_cache_save (f->cache, doc, RL_DOC_KIND_IMAGE, 3, threads, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* doc's file holds text; loading it fails with code, and a store opened
 * on it shows nothing, writes nothing and does not crash. */
static void
assert_not_used (Files      *f,
                 const char *doc,
                 const char *text,
                 gssize      length,
                 int         code)
{
  g_autofree char *path = rl_snapshot_cache_dup_path (f->cache, doc, NULL);
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocStore) store = NULL;
  g_autofree char *left = NULL;
  gsize left_length;
  RlDocKind kind;
  gint64 seq = 99;

  g_assert_true (g_file_set_contents (path, text, length, NULL));
  g_assert_false (rl_snapshot_cache_load (f->cache, doc, &kind, &seq, &threads, &error));
  g_assert_error (error, G_IO_ERROR, code);
  g_assert_null (threads);
  g_assert_cmpint (seq, ==, -1);

  store = rl_doc_store_get (f->conn, doc, RL_DOC_KIND_IMAGE);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (store)), ==, 0);
  g_assert_false (rl_doc_store_is_from_cache (store));
  g_assert_false (rl_doc_store_is_synced (store));
  g_clear_object (&store);
  g_assert_true (g_file_get_contents (path, &left, &left_length, NULL));
  g_assert_cmpmem (left, left_length, text, length < 0 ? strlen (text) : (gsize) length);
}

typedef struct
{
  RlSnapshotCache *cache;
  GPtrArray       *threads;
  guint            done;
} Chain;

/* Each write, once done, asks for the next one. */
static void
chain_saved (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Chain *chain = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (rl_snapshot_cache_save_finish (RL_SNAPSHOT_CACHE (source), result, &error));
  g_assert_no_error (error);
  if (++chain->done < 3)
    rl_snapshot_cache_save_async (chain->cache, "page-1", RL_DOC_KIND_PAGE, 200 + chain->done, chain->threads,
                                  NULL, chain_saved, chain);
}

static void
test_round_trip (Files         *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocStore) store = NULL;
  g_autoptr(RlSnapshotCache) elsewhere = rl_snapshot_cache_new (NULL, "ws://127.0.0.1:10", "u-files");
  RlDocKind kind;
  gint64 seq;

  g_ptr_array_add (threads, make_thread ("page-1", RL_DOC_KIND_PAGE));
  g_ptr_array_add (threads, make_thread ("page-1", RL_DOC_KIND_PAGE));
  g_assert_true (rl_snapshot_cache_save (f->cache, "page-1", RL_DOC_KIND_PAGE, 17, threads, &error));
  g_assert_no_error (error);
  g_assert_true (rl_snapshot_cache_load (f->cache, "page-1", &kind, &seq, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, RL_DOC_KIND_PAGE);
  g_assert_cmpint (seq, ==, 17);
  assert_same_threads (back, threads);

  /* Another server is another directory. */
  g_assert_cmpstr (rl_snapshot_cache_get_directory (elsewhere), !=, rl_snapshot_cache_get_directory (f->cache));
  g_assert_false (rl_snapshot_cache_load (elsewhere, "page-1", &kind, &seq, &back, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A store opened on it offline shows it; opened as another kind, not. */
  store = rl_doc_store_get (f->conn, "page-1", RL_DOC_KIND_PAGE);
  g_assert_true (rl_doc_store_is_from_cache (store));
  assert_shows (store, threads);
  g_clear_object (&store);
  store = rl_doc_store_get (f->conn, "page-1", RL_DOC_KIND_IMAGE);
  g_assert_false (rl_doc_store_is_from_cache (store));
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (store)), ==, 0);
  g_clear_object (&store);

  /* Async writes land in order: the last one stays. */
  for (gint64 i = 0; i < 5; i++)
    rl_snapshot_cache_save_async (f->cache, "page-1", RL_DOC_KIND_PAGE, 100 + i, threads, NULL, NULL, NULL);
  g_assert_cmpuint (rl_snapshot_cache_get_n_pending (f->cache), ==, 5);
  while (rl_snapshot_cache_get_n_pending (f->cache) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_clear_pointer (&back, g_ptr_array_unref);
  g_assert_true (rl_snapshot_cache_load (f->cache, "page-1", &kind, &seq, &back, &error));
  g_assert_cmpint (seq, ==, 104);

  /* A write asked for from the callback of the one before. */
  {
    Chain chain = { f->cache, threads, 0 };

    rl_snapshot_cache_save_async (f->cache, "page-1", RL_DOC_KIND_PAGE, 200, threads, NULL, chain_saved, &chain);
    while (chain.done < 3 || rl_snapshot_cache_get_n_pending (f->cache) > 0)
      g_main_context_iteration (NULL, TRUE);
    g_clear_pointer (&back, g_ptr_array_unref);
    g_assert_true (rl_snapshot_cache_load (f->cache, "page-1", &kind, &seq, &back, &error));
    g_assert_cmpint (seq, ==, 202);
  }
}

static void
test_bad_files (Files         *f,
                gconstpointer  data)
{
  g_autofree char *valid = valid_text (f, "doc-valid");
  g_autofree char *other_doc = valid_text (f, "doc-other");
  g_autofree char *wrong_version = NULL;
  g_autofree char *big_path = NULL;
  g_autofree char *dir_path = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GError) error = NULL;
  RlDocKind kind;
  gint64 seq;
  int fd;

  g_assert_true (rl_snapshot_cache_load (f->cache, "doc-valid", &kind, &seq, &threads, &error));
  g_assert_no_error (error);
  g_clear_pointer (&threads, g_ptr_array_unref);

  assert_not_used (f, "doc-garbage", "\x01\x02 not json \xff", -1, G_IO_ERROR_INVALID_DATA);
  assert_not_used (f, "doc-empty", "", 0, G_IO_ERROR_INVALID_DATA);
  for (gsize cut = 1; cut < strlen (valid); cut += 37)
    {
      g_autofree char *doc = g_strdup_printf ("doc-cut-%" G_GSIZE_FORMAT, cut);
      /* The same document, cut short anywhere. */
      g_autofree char *text = replace (valid, "doc-valid", doc);

      assert_not_used (f, doc, text, (gssize) cut, G_IO_ERROR_INVALID_DATA);
    }
  wrong_version = replace (valid, "\"version\":1", "\"version\":2");
  {
    g_autofree char *text = replace (wrong_version, "doc-valid", "doc-version");

    assert_not_used (f, "doc-version", text, -1, G_IO_ERROR_INVALID_DATA);
  }
  /* doc-other's file, under another name. */
  assert_not_used (f, "doc-renamed", other_doc, -1, G_IO_ERROR_INVALID_DATA);
  assert_not_used (f, "doc-array", "[1,2,3]", -1, G_IO_ERROR_INVALID_DATA);
  assert_not_used (f, "doc-nothreads",
                   "{\"version\":1,\"doc\":\"doc-nothreads\",\"kind\":\"image\",\"snapshot\":{\"seq\":1}}",
                   -1, G_IO_ERROR_INVALID_DATA);
  assert_not_used (f, "doc-badthread",
                   "{\"version\":1,\"doc\":\"doc-badthread\",\"kind\":\"image\","
                   "\"snapshot\":{\"seq\":1,\"threads\":[{\"id\":\"x\"}]}}",
                   -1, G_IO_ERROR_INVALID_DATA);
  assert_not_used (f, "doc-kind",
                   "{\"version\":1,\"doc\":\"doc-kind\",\"kind\":\"video\",\"snapshot\":{\"seq\":1,\"threads\":[]}}",
                   -1, G_IO_ERROR_INVALID_DATA);
  assert_not_used (f, "doc-negative",
                   "{\"version\":1,\"doc\":\"doc-negative\",\"kind\":\"image\",\"snapshot\":{\"seq\":-4,\"threads\":[]}}",
                   -1, G_IO_ERROR_INVALID_DATA);
  {
    /* A page thread in an image document's file. */
    g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
    g_autofree char *path = rl_snapshot_cache_dup_path (f->cache, "doc-mixed", NULL);
    g_autofree char *saved = NULL;
    g_autofree char *text = NULL;

    g_ptr_array_add (pages, make_thread ("doc-mixed", RL_DOC_KIND_PAGE));
    g_assert_true (rl_snapshot_cache_save (f->cache, "doc-mixed", RL_DOC_KIND_PAGE, 1, pages, NULL));
    g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
    text = replace (saved, "\"kind\":\"page\"", "\"kind\":\"image\"");
    assert_not_used (f, "doc-mixed", text, -1, G_IO_ERROR_INVALID_DATA);
  }

  /* Huge: refused before it is read (sparse, so cheap to make). */
  big_path = rl_snapshot_cache_dup_path (f->cache, "doc-huge", NULL);
  fd = g_open (big_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, RL_SNAPSHOT_CACHE_MAX_BYTES + 1), ==, 0);
  close (fd);
  g_assert_false (rl_snapshot_cache_load (f->cache, "doc-huge", &kind, &seq, &threads, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_clear_error (&error);
  {
    g_autoptr(RlDocStore) store = rl_doc_store_get (f->conn, "doc-huge", RL_DOC_KIND_IMAGE);

    g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (store)), ==, 0);
  }

  /* A directory where the file should be. */
  dir_path = rl_snapshot_cache_dup_path (f->cache, "doc-dir", NULL);
  g_assert_cmpint (g_mkdir (dir_path, 0700), ==, 0);
  g_assert_false (rl_snapshot_cache_load (f->cache, "doc-dir", &kind, &seq, &threads, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* A symbolic link to a file that would be valid: not followed. */
  {
    g_autofree char *text = replace (valid, "doc-valid", "doc-link");
    g_autofree char *target = g_build_filename (rl_snapshot_cache_get_directory (f->cache), "elsewhere", NULL);
    g_autofree char *link_path = rl_snapshot_cache_dup_path (f->cache, "doc-link", NULL);

    g_assert_true (g_file_set_contents (target, text, -1, NULL));
    g_assert_cmpint (symlink (target, link_path), ==, 0);
    g_assert_false (rl_snapshot_cache_load (f->cache, "doc-link", &kind, &seq, &threads, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
  }

  /* None at all. */
  g_assert_false (rl_snapshot_cache_load (f->cache, "doc-none", &kind, &seq, &threads, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_doc_id_checked (Files         *f,
                     gconstpointer  data)
{
  const char *bad[] = { "../escape", "..", ".", "", "a/b", "a\\b", "x.json", "doc id", "ünï", "/etc/passwd", NULL };
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *long_id = g_strnfill (128, 'a');
  g_autofree char *too_long = g_strnfill (129, 'a');
  g_autofree char *outside = NULL;
  g_autofree char *planted = NULL;
  RlDocKind kind;
  gint64 seq;

  g_assert_true (rl_snapshot_cache_doc_id_is_valid ("6pcx4n1rv2qpawcikntdemfowa"));
  g_assert_true (rl_snapshot_cache_doc_id_is_valid ("A_b-9"));
  g_assert_true (rl_snapshot_cache_doc_id_is_valid (long_id));
  g_assert_false (rl_snapshot_cache_doc_id_is_valid (too_long));
  g_assert_false (rl_snapshot_cache_doc_id_is_valid (NULL));
  for (guint i = 0; bad[i]; i++)
    {
      g_autofree char *path = rl_snapshot_cache_dup_path (f->cache, bad[i], &error);
      g_autoptr(GPtrArray) read = NULL;

      g_assert_false (rl_snapshot_cache_doc_id_is_valid (bad[i]));
      g_assert_null (path);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
      g_clear_error (&error);
      g_assert_false (rl_snapshot_cache_save (f->cache, bad[i], RL_DOC_KIND_IMAGE, 1, threads, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
      g_clear_error (&error);
      g_assert_false (rl_snapshot_cache_load (f->cache, bad[i], &kind, &seq, &read, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
      g_clear_error (&error);
    }

  /* A valid file where "../escape" would lead: a store on that id must
   * not read it (and must not write there). */
  outside = g_path_get_dirname (rl_snapshot_cache_get_directory (f->cache));
  planted = g_build_filename (outside, "escape.json", NULL);
  {
    g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;
    g_autoptr(RlDocStore) store = NULL;

    g_ptr_array_add (one, make_thread ("../escape", RL_DOC_KIND_IMAGE));
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "version");
    json_builder_add_int_value (builder, RL_SNAPSHOT_CACHE_VERSION);
    json_builder_set_member_name (builder, "doc");
    json_builder_add_string_value (builder, "../escape");
    json_builder_set_member_name (builder, "kind");
    json_builder_add_string_value (builder, "image");
    json_builder_set_member_name (builder, "snapshot");
    json_builder_add_value (builder, rl_threads_body_to_json (1, one));
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    text = rl_json_to_string (root, NULL);
    g_assert_true (g_file_set_contents (planted, text, -1, NULL));

    store = rl_doc_store_get (f->conn, "../escape", RL_DOC_KIND_IMAGE);
    g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (store)), ==, 0);
    g_assert_false (rl_doc_store_is_from_cache (store));
  }
  g_remove (planted);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = NULL;
  int status;

  /* Before anything reads it: g_get_user_cache_dir () keeps the first answer. */
  tmp = g_dir_make_tmp ("redline-cache-XXXXXX", NULL);
  g_assert_nonnull (tmp);
  cache_home = tmp;
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpstr (g_get_user_cache_dir (), ==, cache_home);

  g_test_add ("/client/cache/offline-shows-last-state", Fixture, NULL,
              fixture_setup, test_offline_shows_last_state, fixture_teardown);
  g_test_add ("/client/cache/round-trip", Files, NULL, files_setup, test_round_trip, files_teardown);
  g_test_add ("/client/cache/bad-files", Files, NULL, files_setup, test_bad_files, files_teardown);
  g_test_add ("/client/cache/doc-id-checked", Files, NULL, files_setup, test_doc_id_checked, files_teardown);

  status = g_test_run ();
  rl_client_test_remove_tree (cache_home);
  return status;
}
