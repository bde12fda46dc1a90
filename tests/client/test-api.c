/* test-api.c — the HTTP API client against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "rl-api.h"
#include "rl-client-test.h"
#include "rl-error.h"
#include "rl-limits.h"
#include "rl-test-proxy.h"
#include "rl-test-server.h"

typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;
  const char   *ada;
  const char   *vic;
  const char   *zed;      /* another tenant */
  const char   *image;
  const char   *page;
  const char   *foreign;  /* a document of the other tenant */
  char         *dir;      /* files to upload, a cache */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_test_team_init (&f->team, "Ada:member", &f->ada,
                               "Vic:viewer", &f->vic,
                               "globex/Zed:member", &f->zed,
                               NULL);
  f->server = f->team.server;
  f->image = rl_test_team_add_doc (&f->team, "acme", "Mockup", "mockup.png");
  f->page = rl_test_team_add_doc (&f->team, "acme", "Notes", "page.md");
  f->foreign = rl_test_team_add_doc (&f->team, "globex", "Secret", "mockup.png");
  rl_test_server_start (f->server);
  f->dir = g_dir_make_tmp ("redline-api-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_test_team_clear (&f->team);
  rl_client_test_remove_tree (f->dir);
  g_free (f->dir);
}

static RlApi *
api_for_url (const char *ws_base,
             const char *token)
{
  g_autoptr(GError) error = NULL;
  RlApi *api = rl_api_new (ws_base, token, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (api);
  return api;
}

static RlApi *
api_for (Fixture    *f,
         const char *token)
{
  return api_for_url (f->server->ws_base, token);
}

static GListModel *
list (RlApi   *api,
      GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_api_list_documents (api, NULL, rl_client_test_store_result, &result);
  return rl_api_list_documents_finish (api, rl_client_test_wait_result (&result), error);
}

static GBytes *
content (RlApi      *api,
         const char *doc,
         GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_api_get_content (api, doc, NULL, rl_client_test_store_result, &result);
  return rl_api_get_content_finish (api, rl_client_test_wait_result (&result), error);
}

static RlDocItem *
upload (RlApi      *api,
        GBytes     *bytes,
        const char *title,
        const char *type,
        GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_api_upload (api, bytes, title, type, NULL, rl_client_test_store_result, &result);
  return rl_api_upload_finish (api, rl_client_test_wait_result (&result), error);
}

static GBytes *
data_file (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, &error);

  g_assert_no_error (error);
  return g_mapped_file_get_bytes (file);
}

static RlDocItem *
find (GListModel *docs,
      const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (docs); i++)
    {
      g_autoptr(RlDocItem) item = g_list_model_get_item (docs, i);

      if (g_str_equal (rl_doc_item_get_id (item), id))
        return item;
    }
  return NULL;
}

static void
test_addresses (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlApi) plain = rl_api_new ("ws://127.0.0.1:8765", "t", NULL, &error);
  g_autoptr(RlApi) tls = rl_api_new ("wss://review.example", "t", NULL, &error);
  g_autoptr(RlApi) bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (rl_api_get_base_url (plain), ==, "http://127.0.0.1:8765");
  g_assert_cmpstr (rl_api_get_base_url (tls), ==, "https://review.example");

  bad = rl_api_new ("http://127.0.0.1:8765", "t", NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  bad = rl_api_new ("not an address", "t", NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
}

static void
test_upload_types (void)
{
  static const struct { const char *name; const char *type; const char *expected; } cases[] = {
    { "a.png", "image/png", "image/png" },
    { "a.jpg", "image/jpeg", "image/jpeg" },
    { "a.webp", "image/webp", "image/webp" },
    { "notes.md", "text/plain", "text/markdown" },
    { "notes.MARKDOWN", NULL, "text/markdown" },
    { "a.txt", "text/plain", "text/plain" },
    { "a.png", "application/octet-stream", "image/png" },
    { "a.gif", "image/gif", NULL },
    { "a.pdf", "application/pdf", NULL },
    { "noname", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *type = rl_api_upload_type_for_file (cases[i].name, cases[i].type);

      g_assert_cmpstr (type, ==, cases[i].expected);
    }
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(RlApi) api = api_for (f, f->ada);
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) docs = list (api, &error);
  RlDocItem *image, *page;

  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_item_type (docs), ==, RL_TYPE_DOC_ITEM);
  g_assert_cmpuint (g_list_model_get_n_items (docs), ==, 2);
  image = find (docs, f->image);
  page = find (docs, f->page);
  g_assert_nonnull (image);
  g_assert_nonnull (page);
  g_assert_cmpint (rl_doc_item_get_kind (image), ==, RL_DOC_KIND_IMAGE);
  g_assert_cmpstr (rl_doc_item_get_title (image), ==, "Mockup");
  g_assert_cmpint (rl_doc_item_get_document (image)->width, >, 0);
  g_assert_cmpint (rl_doc_item_get_kind (page), ==, RL_DOC_KIND_PAGE);
  g_assert_cmpstr (rl_doc_item_get_document (page)->mime, ==, "text/markdown");
  /* The other tenant's document is not listed. */
  g_assert_null (find (docs, f->foreign));
}

static void
test_content_etag (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(RlApi) api = api_for (f, f->ada);
  g_autoptr(GBytes) expected = data_file ("mockup.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = content (api, f->image, &error);
  g_autoptr(GBytes) second = NULL;

  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (first, expected));
  g_assert_cmpuint (rl_api_get_n_not_modified (api), ==, 0);

  /* Asked again with If-None-Match: the server says 304, the bytes are the
   * ones kept. */
  second = content (api, f->image, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (second, expected));
  g_assert_cmpuint (rl_api_get_n_not_modified (api), ==, 1);

  /* A fresh client has nothing kept: a full answer. */
  {
    g_autoptr(RlApi) other = api_for (f, f->ada);
    g_autoptr(GBytes) third = content (other, f->image, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (third, expected));
    g_assert_cmpuint (rl_api_get_n_not_modified (other), ==, 0);
  }
}

static void
test_upload (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(RlApi) api = api_for (f, f->ada);
  g_autoptr(GBytes) png = data_file ("mockup.png");
  g_autoptr(GBytes) md = data_file ("page.md");
  g_autoptr(GBytes) garbage = data_file ("not-an-image.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocItem) image = upload (api, png, "  Login screen ", "image/png", &error);
  g_autoptr(RlDocItem) page = NULL;
  g_autoptr(RlDocItem) refused = NULL;
  g_autoptr(GListModel) docs = NULL;
  g_autoptr(GBytes) back = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (rl_doc_item_get_kind (image), ==, RL_DOC_KIND_IMAGE);
  g_assert_cmpstr (rl_doc_item_get_title (image), ==, "Login screen");
  g_assert_cmpint (rl_doc_item_get_document (image)->width, >, 0);

  page = upload (api, md, "Spec & notes?", "text/markdown", &error);
  g_assert_no_error (error);
  g_assert_cmpint (rl_doc_item_get_kind (page), ==, RL_DOC_KIND_PAGE);
  /* The title went through the query string unharmed. */
  g_assert_cmpstr (rl_doc_item_get_title (page), ==, "Spec & notes?");

  docs = list (api, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (docs), ==, 4);
  g_assert_nonnull (find (docs, rl_doc_item_get_id (image)));
  g_assert_nonnull (find (docs, rl_doc_item_get_id (page)));
  back = content (api, rl_doc_item_get_id (page), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, md));

  /* Not a PNG, whatever it says. */
  refused = upload (api, garbage, "Broken", "image/png", &error);
  g_assert_null (refused);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);

  refused = upload (api, png, "Gif", "image/gif", &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_assert_true (error->domain == RL_ERROR);
  g_clear_error (&error);

  /* Nothing of the refused ones was added. */
  g_clear_object (&docs);
  docs = list (api, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (docs), ==, 4);
}

static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlApi) ada = api_for (f, f->ada);
  g_autoptr(RlApi) vic = api_for (f, f->vic);
  g_autoptr(RlApi) nobody = api_for (f, "not-a-token");
  g_autoptr(GBytes) png = data_file ("mockup.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GListModel) docs = NULL;
  g_autoptr(RlDocItem) item = NULL;

  /* Another tenant's document is as absent as one that never was. */
  bytes = content (ada, f->foreign, &error);
  g_assert_null (bytes);
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  bytes = content (ada, "no-such-doc", &error);
  g_assert_null (bytes);
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  item = upload (vic, png, "Mine", "image/png", &error);
  g_assert_null (item);
  g_assert_error (error, RL_ERROR, RL_ERROR_FORBIDDEN);
  g_clear_error (&error);

  docs = list (nobody, &error);
  g_assert_null (docs);
  g_assert_error (error, RL_ERROR, RL_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* A server that is gone. */
  rl_test_server_stop (f->server);
  docs = list (ada, &error);
  g_assert_null (docs);
  g_assert_error (error, RL_ERROR, RL_ERROR_CONNECTION_LOST);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(RlApi) api = api_for (f, f->ada);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) docs = NULL;

  rl_api_list_documents (api, cancellable, rl_client_test_store_result, &result);
  g_cancellable_cancel (cancellable);
  docs = rl_api_list_documents_finish (api, rl_client_test_wait_result (&result), &error);
  g_assert_null (docs);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ---- the disk cache ------------------------------------------------------ */

static void
test_content_cache (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *base = g_build_filename (f->dir, "cache", NULL);
  g_autoptr(RlDocCache) cache = rl_doc_cache_new (base, f->server->ws_base, "ada", 0);
  g_autoptr(GBytes) expected = data_file ("mockup.png");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = rl_doc_cache_dup_content_path (cache, f->image, NULL);

  /* Fetched while the cache may not be written (the server has not named
   * the user yet): nothing on disk; once it may, what was fetched is. */
  {
    g_autoptr(RlApi) api = api_for (f, f->ada);
    g_autoptr(GListModel) docs = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GPtrArray) kept = NULL;

    rl_api_set_cache (api, cache, FALSE);
    docs = list (api, &error);
    g_assert_no_error (error);
    bytes = content (api, f->image, &error);
    g_assert_no_error (error);
    RL_TEST_WAIT_UNTIL (rl_doc_cache_get_n_pending (cache) == 0, 5000);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    kept = rl_doc_cache_load_documents (cache, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error (&error);

    rl_api_set_cache (api, cache, TRUE);
    RL_TEST_WAIT_UNTIL (rl_doc_cache_get_n_pending (cache) == 0, 5000);
    g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    kept = rl_doc_cache_load_documents (cache, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (kept->len, ==, 2);
  }

  /* A new client (nothing in memory) asks with the kept ETag: 304, and the
   * bytes come from the disk. */
  {
    g_autoptr(RlApi) api = api_for (f, f->ada);
    g_autoptr(GBytes) bytes = NULL;

    rl_api_set_cache (api, cache, FALSE);
    bytes = content (api, f->image, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (bytes, expected));
    g_assert_cmpuint (rl_api_get_n_not_modified (api), ==, 1);
  }

  /* A corrupt file is not used: a full answer, and the file is whole again. */
  {
    g_autoptr(RlApi) api = api_for (f, f->ada);
    g_autoptr(GBytes) bytes = NULL;
    g_autofree char *text = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (path, &text, &length, NULL));
    text[length - 3] ^= 0x40;
    g_assert_true (g_file_set_contents (path, text, (gssize) length, NULL));
    rl_api_set_cache (api, cache, TRUE);
    bytes = content (api, f->image, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (bytes, expected));
    g_assert_cmpuint (rl_api_get_n_not_modified (api), ==, 0);
    RL_TEST_WAIT_UNTIL (rl_doc_cache_get_n_pending (cache) == 0, 5000);
    g_clear_pointer (&bytes, g_bytes_unref);
    {
      g_autoptr(RlApi) again = api_for (f, f->ada);

      rl_api_set_cache (again, cache, FALSE);
      bytes = content (again, f->image, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rl_api_get_n_not_modified (again), ==, 1);
    }
  }

  /* The server gone: the kept content and list answer; what was never
   * fetched cannot. */
  rl_test_server_stop (f->server);
  {
    g_autoptr(RlApi) api = api_for (f, f->ada);
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GListModel) docs = NULL;
    g_autoptr(GListModel) kept = NULL;

    rl_api_set_cache (api, cache, FALSE);
    bytes = content (api, f->image, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (bytes, expected));
    g_clear_pointer (&bytes, g_bytes_unref);
    bytes = content (api, f->page, &error);
    g_assert_null (bytes);
    g_assert_error (error, RL_ERROR, RL_ERROR_CONNECTION_LOST);
    g_clear_error (&error);

    docs = list (api, &error);
    g_assert_null (docs);
    g_assert_error (error, RL_ERROR, RL_ERROR_CONNECTION_LOST);
    g_clear_error (&error);
    kept = rl_api_load_cached_documents (api, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (kept), ==, 2);
    g_assert_nonnull (find (kept, f->image));
    g_assert_nonnull (find (kept, f->page));
  }
}

/* ---- uploads from files -------------------------------------------------- */

typedef struct
{
  GArray  *sent;       /* goffset, as reported */
  goffset  total;
} Progress;

static void
on_progress (goffset  current,
             goffset  total,
             gpointer data)
{
  Progress *progress = data;

  g_array_append_val (progress->sent, current);
  progress->total = total;
}

static RlDocItem *
upload_file (RlApi       *api,
             const char  *path,
             Progress    *progress,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);

  rl_api_upload_file (api, file, NULL, NULL, progress ? on_progress : NULL, progress, rl_client_test_store_result,
                      &result);
  return rl_api_upload_file_finish (api, rl_client_test_wait_result (&result), error);
}

static char *
file_in (Fixture    *f,
         const char *name,
         const char *contents,
         gssize      length)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  return path;
}

static char *
copy_of (Fixture    *f,
         const char *data_name,
         const char *name)
{
  g_autoptr(GBytes) bytes = data_file (data_name);

  return file_in (f, name, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));
}

/* Refused with a message that says all of words; nothing reached the server. */
static void
assert_refused_before_sending (RlApi        *api,
                               RlTestProxy  *proxy,
                               const char   *path,
                               GQuark        domain,
                               gint          code,
                               const char   *const *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocItem) item = NULL;
  Progress progress = { g_array_new (FALSE, FALSE, sizeof (goffset)), 0 };

  item = upload_file (api, path, &progress, &error);
  g_assert_null (item);
  g_assert_error (error, domain, code);
  for (guint i = 0; words[i]; i++)
    if (strstr (error->message, words[i]) == NULL)
      g_error ("“%s” does not say “%s”", error->message, words[i]);
  g_assert_cmpuint (progress.sent->len, ==, 0);
  g_assert_cmpuint (rl_test_proxy_get_n_accepted (proxy), ==, 0);
  g_assert_cmpuint (rl_test_proxy_get_bytes_up (proxy), ==, 0);
  g_array_unref (progress.sent);
}

static void
test_upload_checked_first (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(RlTestProxy) proxy = rl_test_proxy_new (f->server->port);
  g_autoptr(RlApi) api = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *plan = g_build_filename (f->dir, "plan.png", NULL);
  g_autofree char *big_pdf = g_build_filename (f->dir, "big.pdf", NULL);
  g_autofree char *empty = file_in (f, "empty.md", "", 0);
  g_autofree char *pdf = file_in (f, "brief.pdf", "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", -1);
  /* A GIF of one pixel, under a PNG's name. */
  g_autofree char *gif = file_in (f, "pixel.png",
                                  "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
                                  "\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", 43);
  g_autofree char *bomb = copy_of (f, "bomb.png", "bomb.png");
  g_autofree char *broken = copy_of (f, "not-an-image.png", "broken.png");
  g_autofree char *folder = g_build_filename (f->dir, "Mockups", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "gone.png", NULL);
  g_autofree char *size = g_format_size (60 * 1024 * 1024);
  g_autofree char *limit = g_format_size (RL_UPLOAD_MAX_BYTES);
  gint64 start;

  api = api_for_url (rl_test_proxy_get_ws_base (proxy), f->ada);

  /* 60 MiB, never read (a hole): refused with its size and the limit, at once. */
  rl_test_write_sparse (plan, 60 * 1024 * 1024);
  start = g_get_monotonic_time ();
  {
    const char *words[] = { "“plan.png”", size, limit, NULL };

    assert_refused_before_sending (api, proxy, plan, RL_ERROR, RL_ERROR_TOO_LARGE, words);
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  {
    /* The type first: a large file of another type says its type. */
    const char *words[] = { "“big.pdf”", "PNG, JPEG, WebP, Markdown or text", NULL };

    rl_test_write_sparse (big_pdf, 60 * 1024 * 1024);
    assert_refused_before_sending (api, proxy, big_pdf, RL_ERROR, RL_ERROR_BAD_REQUEST, words);
  }
  {
    const char *words[] = { "“brief.pdf”", "PNG, JPEG, WebP, Markdown or text", NULL };

    assert_refused_before_sending (api, proxy, pdf, RL_ERROR, RL_ERROR_BAD_REQUEST, words);
  }
  {
    const char *words[] = { "“pixel.png”", "PNG, JPEG, WebP, Markdown or text", NULL };

    assert_refused_before_sending (api, proxy, gif, RL_ERROR, RL_ERROR_BAD_REQUEST, words);
  }
  {
    const char *words[] = { "“empty.md”", "empty", NULL };

    assert_refused_before_sending (api, proxy, empty, RL_ERROR, RL_ERROR_BAD_REQUEST, words);
  }
  {
    /* 60000 × 60000 in its header: refused from the header alone. */
    const char *words[] = { "“bomb.png”", "60000 × 60000 pixels", "32768", "200 megapixels", NULL };

    assert_refused_before_sending (api, proxy, bomb, RL_ERROR, RL_ERROR_TOO_LARGE, words);
  }
  {
    const char *words[] = { "“broken.png”", "PNG image", "export it again", NULL };

    assert_refused_before_sending (api, proxy, broken, RL_ERROR, RL_ERROR_BAD_REQUEST, words);
  }
  {
    const char *words[] = { "“Mockups”", "folder", NULL };

    g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
    assert_refused_before_sending (api, proxy, folder, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, words);
  }
  {
    const char *words[] = { "“gone.png”", NULL };

    assert_refused_before_sending (api, proxy, missing, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, words);
  }

  /* Nothing was added. */
  {
    g_autoptr(RlApi) direct = api_for (f, f->ada);
    g_autoptr(GListModel) docs = list (direct, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (docs), ==, 2);
  }
}

static void
test_upload_refusals_worded (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(RlApi) vic = api_for (f, f->vic);
  g_autoptr(RlApi) ada = api_for (f, f->ada);
  g_autoptr(RlApi) nobody = api_for (f, "not-a-token");
  g_autofree char *png = copy_of (f, "mockup.png", "Hero.png");
  g_autofree char *bad_page = copy_of (f, "bad-utf8.md", "Notes.md");
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocItem) item = NULL;

  /* The server's refusals, mapped to what the person can do: never the
   * server's developer text. */
  item = upload_file (vic, png, NULL, &error);
  g_assert_null (item);
  g_assert_error (error, RL_ERROR, RL_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "Viewers can’t upload"));
  g_assert_nonnull (strstr (error->message, "ask an admin"));
  g_clear_error (&error);

  item = upload_file (ada, bad_page, NULL, &error);
  g_assert_null (item);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "“Notes.md”"));
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);

  item = upload_file (nobody, png, NULL, &error);
  g_assert_null (item);
  g_assert_error (error, RL_ERROR, RL_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "sign in again"));
  g_clear_error (&error);

  rl_test_server_stop (f->server);
  item = upload_file (ada, png, NULL, &error);
  g_assert_null (item);
  g_assert_true (g_error_matches (error, RL_ERROR, RL_ERROR_CONNECTION_LOST) ||
                 g_error_matches (error, RL_ERROR, RL_ERROR_OFFLINE));
  g_assert_nonnull (strstr (error->message, "upload “Hero.png” again"));
}

static void
test_upload_progress (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(RlApi) api = api_for (f, f->ada);
  g_autofree char *path = g_build_filename (f->dir, "Noisy board.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocItem) item = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) sent = NULL;
  Progress progress = { g_array_new (FALSE, FALSE, sizeof (goffset)), 0 };

  rl_test_write_noisy_png (path, 1400, 1200);
  mapped = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  sent = g_mapped_file_get_bytes (mapped);
  g_assert_cmpuint (g_bytes_get_size (sent), >, 4 * 1024 * 1024);

  item = upload_file (api, path, &progress, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rl_doc_item_get_title (item), ==, "Noisy board");
  g_assert_cmpint (rl_doc_item_get_document (item)->width, ==, 1400);
  g_assert_cmpint (rl_doc_item_get_document (item)->height, ==, 1200);

  /* From 0, increasing, in many steps, to the whole file. */
  g_assert_cmpint (progress.total, ==, (goffset) g_bytes_get_size (sent));
  g_assert_cmpuint (progress.sent->len, >, 10);
  g_assert_cmpint (g_array_index (progress.sent, goffset, 0), ==, 0);
  for (guint i = 1; i < progress.sent->len; i++)
    g_assert_cmpint (g_array_index (progress.sent, goffset, i), >, g_array_index (progress.sent, goffset, i - 1));
  g_assert_cmpint (g_array_index (progress.sent, goffset, progress.sent->len - 1), ==, progress.total);
  g_array_unref (progress.sent);

  /* What the server keeps is the file, byte for byte. */
  back = content (api, rl_doc_item_get_id (item), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, sent));
}

static void
test_upload_cancel (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RlTestProxy) proxy = rl_test_proxy_new (f->server->port);
  g_autoptr(RlApi) api = api_for_url (rl_test_proxy_get_ws_base (proxy), f->ada);
  g_autofree char *path = g_build_filename (f->dir, "Big board.png", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocItem) item = NULL;
  Progress progress = { g_array_new (FALSE, FALSE, sizeof (goffset)), 0 };
  goffset last;

  rl_test_write_noisy_png (path, 2000, 1800);
  /* The server gets the first MiB, then the transfer stalls mid-way. */
  rl_test_proxy_hold_after (proxy, 1024 * 1024);
  rl_api_upload_file (api, file, NULL, cancellable, on_progress, &progress, rl_client_test_store_result, &result);
  RL_TEST_WAIT_UNTIL (rl_test_proxy_is_holding (proxy), 10000);
  (void) RL_TEST_POLL_UNTIL (result != NULL, 300);
  g_assert_null (result);
  last = g_array_index (progress.sent, goffset, progress.sent->len - 1);
  g_assert_cmpint (last, >, 0);
  g_assert_cmpint (last, <, progress.total);

  g_cancellable_cancel (cancellable);
  item = rl_api_upload_file_finish (api, rl_client_test_wait_result (&result), &error);
  g_assert_null (item);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* What was held goes on to the server, then the end: it keeps nothing. */
  rl_test_proxy_release (proxy);
  RL_TEST_WAIT_UNTIL (rl_test_proxy_get_n_open (proxy) == 0, 10000);
  {
    g_autoptr(RlApi) direct = api_for (f, f->ada);
    g_autoptr(GListModel) docs = list (direct, NULL);

    g_assert_cmpuint (g_list_model_get_n_items (docs), ==, 2);
  }
  g_array_unref (progress.sent);
}


/* ---- revisions (docs/protocol.md, "Revisions") ------------------------------ */

static RlRevision *
upload_revision (RlApi      *api,
                 const char *doc,
                 RlDocKind   kind,
                 const char *path,
                 GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);

  rl_api_upload_revision (api, doc, kind, file, "5e0c4a3b-6d2f-4b8e-9a1c-2f7d8e9b0a11", NULL, NULL, NULL,
                          rl_client_test_store_result, &result);
  return rl_api_upload_revision_finish (api, rl_client_test_wait_result (&result), error);
}

static GBytes *
revision_content (RlApi      *api,
                  const char *doc,
                  gint64      revision,
                  GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_api_get_revision_content (api, doc, revision, NULL, rl_client_test_store_result, &result);
  return rl_api_get_revision_content_finish (api, rl_client_test_wait_result (&result), error);
}

static RlPageText *
page_text (RlApi      *api,
           const char *doc,
           gint64      revision,
           GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_api_get_page_text (api, doc, revision, NULL, rl_client_test_store_result, &result);
  return rl_api_get_page_text_finish (api, rl_client_test_wait_result (&result), error);
}

static GPtrArray *
revisions (RlApi      *api,
           const char *doc,
           RlDocKind   kind,
           GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_api_list_revisions (api, doc, kind, NULL, rl_client_test_store_result, &result);
  return rl_api_list_revisions_finish (api, rl_client_test_wait_result (&result), error);
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_revisions (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(RlApi) api = api_for (f, f->ada);
  g_autoptr(RlApi) viewer = api_for (f, f->vic);
  g_autoptr(GError) error = NULL;
  g_autofree char *png_path = g_test_build_filename (G_TEST_DIST, "data", "mockup.png", NULL);
  g_autofree char *md_path = write_file (f, "notes v2.md", "# Notes\n\nPrices &hellip; now:\n\n| Plan | € |\n|:--|--:|\n| Team | 9 |\n");
  g_autoptr(GBytes) png = data_file ("mockup.png");
  g_autoptr(RlRevision) second = NULL;
  g_autoptr(RlRevision) page_second = NULL;
  g_autoptr(RlRevision) refused = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(RlPageText) text = NULL;
  g_autoptr(RlPageText) none = NULL;

  /* A new version of the image, then of the page. */
  second = upload_revision (api, f->image, RL_DOC_KIND_IMAGE, png_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second->revision, ==, 2);
  g_assert_cmpstr (second->mime, ==, "image/png");
  g_assert_cmpstr (second->created_by.name, ==, "Ada");
  page_second = upload_revision (api, f->page, RL_DOC_KIND_PAGE, md_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (page_second->revision, ==, 2);
  g_assert_cmpstr (page_second->mime, ==, "text/markdown");

  /* Not of the document's kind: refused before anything is sent. */
  refused = upload_revision (api, f->image, RL_DOC_KIND_IMAGE, md_path, &error);
  g_assert_null (refused);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_assert_cmpstr (error->message, ==, "“notes v2.md” is not a PNG, JPEG or WebP image; a new version of an image must be one");
  g_clear_error (&error);
  /* A viewer's: the server's refusal, in the upload's words. */
  refused = upload_revision (viewer, f->image, RL_DOC_KIND_IMAGE, png_path, &error);
  g_assert_null (refused);
  g_assert_error (error, RL_ERROR, RL_ERROR_FORBIDDEN);
  g_clear_error (&error);

  listed = revisions (api, f->image, RL_DOC_KIND_IMAGE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpint (((RlRevision *) g_ptr_array_index (listed, 0))->revision, ==, 1);
  g_assert_cmpstr (((RlRevision *) g_ptr_array_index (listed, 1))->etag, ==, second->etag);

  /* A revision's bytes, asked again with their ETag: 304. */
  first = revision_content (api, f->image, 1, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (first, png));
  again = revision_content (api, f->image, 1, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, png));
  g_assert_cmpuint (rl_api_get_n_not_modified (api), ==, 1);

  /* A page revision's text model, as the server computed it at upload. */
  text = page_text (api, f->page, 2, &error);
  g_assert_no_error (error);
  {
    g_autoptr(RlPageText) expected = NULL;
    g_autofree char *md = NULL;
    gsize length;

    g_file_get_contents (md_path, &md, &length, &error);
    g_assert_no_error (error);
    expected = rl_page_text_new ("text/markdown", md, length, &error);
    g_assert_no_error (error);
    g_assert_true (rl_page_text_equal (text, expected));
  }
  /* An image has none; a revision that does not exist neither. */
  none = page_text (api, f->image, 1, &error);
  g_assert_null (none);
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  none = page_text (api, f->page, 3, &error);
  g_assert_null (none);
  g_assert_error (error, RL_ERROR, RL_ERROR_NOT_FOUND);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/addresses", test_addresses);
  g_test_add_func ("/api/upload-types", test_upload_types);
  g_test_add ("/api/list", Fixture, NULL, fixture_setup, test_list, fixture_teardown);
  g_test_add ("/api/content-etag", Fixture, NULL, fixture_setup, test_content_etag, fixture_teardown);
  g_test_add ("/api/upload", Fixture, NULL, fixture_setup, test_upload, fixture_teardown);
  g_test_add ("/api/refusals", Fixture, NULL, fixture_setup, test_refusals, fixture_teardown);
  g_test_add ("/api/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/api/content-cache", Fixture, NULL, fixture_setup, test_content_cache, fixture_teardown);
  g_test_add ("/api/upload-checked-first", Fixture, NULL, fixture_setup, test_upload_checked_first, fixture_teardown);
  g_test_add ("/api/upload-refusals-worded", Fixture, NULL, fixture_setup, test_upload_refusals_worded,
              fixture_teardown);
  g_test_add ("/api/upload-progress", Fixture, NULL, fixture_setup, test_upload_progress, fixture_teardown);
  g_test_add ("/api/upload-cancel", Fixture, NULL, fixture_setup, test_upload_cancel, fixture_teardown);
  g_test_add ("/api/revisions", Fixture, NULL, fixture_setup, test_revisions, fixture_teardown);

  return g_test_run ();
}
