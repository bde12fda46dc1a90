/* test-api.c — the HTTP API client against the real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-api.h"
#include "rl-error.h"
#include "rl-test-server.h"

typedef struct
{
  RlTestServer *server;
  char         *ada;
  char         *vic;
  char         *zed;      /* another tenant */
  char         *image;
  char         *page;
  char         *foreign;  /* a document of the other tenant */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = rl_test_server_new ();
  g_free (rl_test_server_admin (f->server, "tenant", "add", "acme", NULL));
  g_free (rl_test_server_admin (f->server, "tenant", "add", "globex", NULL));
  f->ada = rl_test_add_user (f->server, "acme", "Ada", "member");
  f->vic = rl_test_add_user (f->server, "acme", "Vic", "viewer");
  f->zed = rl_test_add_user (f->server, "globex", "Zed", "member");
  f->image = rl_test_add_doc (f->server, "acme", "Mockup", "mockup.png");
  f->page = rl_test_add_doc (f->server, "acme", "Notes", "page.md");
  f->foreign = rl_test_add_doc (f->server, "globex", "Secret", "mockup.png");
  rl_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->server->process)
    rl_test_server_stop (f->server);
  rl_test_server_free (f->server);
  g_free (f->ada);
  g_free (f->vic);
  g_free (f->zed);
  g_free (f->image);
  g_free (f->page);
  g_free (f->foreign);
}

static RlApi *
api_for (Fixture    *f,
         const char *token)
{
  g_autoptr(GError) error = NULL;
  RlApi *api = rl_api_new (f->server->ws_base, token, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (api);
  return api;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  g_assert_true (rl_test_wait_until (is_set, slot, 10000));
  return *slot;
}

static GListModel *
list (RlApi   *api,
      GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_api_list_documents (api, NULL, store_result, &result);
  return rl_api_list_documents_finish (api, wait_result (&result), error);
}

static GBytes *
content (RlApi      *api,
         const char *doc,
         GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_api_get_content (api, doc, NULL, store_result, &result);
  return rl_api_get_content_finish (api, wait_result (&result), error);
}

static RlDocItem *
upload (RlApi      *api,
        GBytes     *bytes,
        const char *title,
        const char *type,
        GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_api_upload (api, bytes, title, type, NULL, store_result, &result);
  return rl_api_upload_finish (api, wait_result (&result), error);
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

  rl_api_list_documents (api, cancellable, store_result, &result);
  g_cancellable_cancel (cancellable);
  docs = rl_api_list_documents_finish (api, wait_result (&result), &error);
  g_assert_null (docs);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
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

  return g_test_run ();
}
