/* test-doc-cache.c — the documents seen before, on disk: bounded, checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rl-client-test.h"
#include "rl-codec.h"
#include "rl-doc-cache-private.h"
#include "rl-limits.h"
#include "rl-snapshot-cache.h"

#define KIB 1024

typedef struct
{
  char       *base;
  RlDocCache *cache;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->base = g_dir_make_tmp ("redline-doc-cache-XXXXXX", NULL);
  g_assert_nonnull (f->base);
  /* Room for three contents of 100 KiB and their headers, not four. */
  f->cache = rl_doc_cache_new (f->base, "ws://127.0.0.1:9", "user-1", 350 * KIB);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->cache);
  rl_client_test_remove_tree (f->base);
  g_free (f->base);
}

static gboolean
save_content (RlDocCache  *cache,
              const char  *doc,
              const char  *etag,
              GBytes      *bytes,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_doc_cache_save_content_async (cache, doc, etag, bytes, NULL, rl_client_test_store_result, &result);
  return rl_doc_cache_save_content_finish (cache, rl_client_test_wait_result (&result), error);
}

static GBytes *
load_content (RlDocCache  *cache,
              const char  *doc,
              char       **etag,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_doc_cache_load_content_async (cache, doc, NULL, rl_client_test_store_result, &result);
  return rl_doc_cache_load_content_finish (cache, rl_client_test_wait_result (&result), etag, error);
}

static gboolean
save_documents (RlDocCache  *cache,
                GPtrArray   *docs,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_doc_cache_save_documents_async (cache, docs, NULL, rl_client_test_store_result, &result);
  return rl_doc_cache_save_documents_finish (cache, rl_client_test_wait_result (&result), error);
}

/* n bytes that do not repeat, seeded. */
static GBytes *
noise (gsize   n,
       guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (n);

  for (gsize i = 0; i < n; i++)
    data[i] = (guint8) g_rand_int (rand);
  return g_bytes_new_take (data, n);
}

static RlDocument *
make_document (const char *id,
               RlDocKind   kind,
               const char *title)
{
  RlDocument *doc = g_new0 (RlDocument, 1);

  doc->id = g_strdup (id);
  doc->kind = kind;
  doc->title = g_strdup (title);
  doc->mime = g_strdup (kind == RL_DOC_KIND_IMAGE ? "image/png" : "text/markdown");
  doc->size = 1234;
  doc->width = kind == RL_DOC_KIND_IMAGE ? 800 : 0;
  doc->height = kind == RL_DOC_KIND_IMAGE ? 600 : 0;
  doc->created_at = 1700000000000;
  doc->created_by.id = g_strdup ("user-1");
  doc->created_by.name = g_strdup ("Ada");
  return doc;
}

static gboolean
has_content (Fixture    *f,
             const char *doc)
{
  g_autofree char *path = rl_doc_cache_dup_content_path (f->cache, doc, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_document_free);
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GBytes) bytes = noise (10 * KIB, 1);
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;
  g_autoptr(RlDocCache) other_user = rl_doc_cache_new (f->base, "ws://127.0.0.1:9", "user-2", 0);
  g_autoptr(RlDocCache) other_server = rl_doc_cache_new (f->base, "ws://127.0.0.1:10", "user-1", 0);
  GStatBuf st;

  /* Nothing yet. */
  back = rl_doc_cache_load_documents (f->cache, &error);
  g_assert_null (back);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  read = load_content (f->cache, "doc-a", &etag, &error);
  g_assert_null (read);
  g_assert_null (etag);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_ptr_array_add (docs, make_document ("doc-a", RL_DOC_KIND_IMAGE, "Landing page"));
  g_ptr_array_add (docs, make_document ("doc-b", RL_DOC_KIND_PAGE, "Launch copy"));
  g_assert_true (save_documents (f->cache, docs, &error));
  g_assert_no_error (error);
  back = rl_doc_cache_load_documents (f->cache, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const RlDocument *a = g_ptr_array_index (docs, i);
      const RlDocument *b = g_ptr_array_index (back, i);

      g_assert_cmpstr (a->id, ==, b->id);
      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_cmpstr (a->title, ==, b->title);
      g_assert_cmpstr (a->mime, ==, b->mime);
      g_assert_cmpint (a->width, ==, b->width);
      g_assert_cmpint (a->created_at, ==, b->created_at);
    }

  g_assert_true (save_content (f->cache, "doc-a", "\"abc123\"", bytes, &error));
  g_assert_no_error (error);
  read = load_content (f->cache, "doc-a", &etag, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (read, bytes));
  g_assert_cmpstr (etag, ==, "\"abc123\"");

  /* Private: the directory 0700, the files 0600. */
  g_assert_cmpint (g_stat (rl_doc_cache_get_directory (f->cache), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  {
    g_autofree char *path = rl_doc_cache_dup_content_path (f->cache, "doc-a", NULL);

    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }

  /* Another user, another server: another directory, nothing there. */
  g_assert_cmpstr (rl_doc_cache_get_directory (other_user), !=, rl_doc_cache_get_directory (f->cache));
  g_assert_cmpstr (rl_doc_cache_get_directory (other_server), !=, rl_doc_cache_get_directory (f->cache));
  g_clear_pointer (&back, g_ptr_array_unref);
  back = rl_doc_cache_load_documents (other_user, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&read, g_bytes_unref);
  read = load_content (other_server, "doc-a", NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_bounded (Fixture       *f,
              gconstpointer  data)
{
  const char *names[] = { "doc-a", "doc-b", "doc-c", "doc-d" };
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GBytes) huge = noise (351 * KIB, 9);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_ptr_array_add (contents, noise (100 * KIB, i + 2));

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *etag = g_strdup_printf ("\"etag-%u\"", i);

      g_assert_true (save_content (f->cache, names[i], etag, g_ptr_array_index (contents, i), &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (rl_doc_cache_get_content_bytes (f->cache), <=, rl_doc_cache_get_budget (f->cache));
  g_assert_cmpuint (rl_doc_cache_get_content_bytes (f->cache), >=, 300 * KIB);

  /* doc-a is read: doc-b is now the least recently used. */
  {
    g_autoptr(GBytes) read = load_content (f->cache, "doc-a", NULL, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (read, g_ptr_array_index (contents, 0)));
  }

  /* A fourth does not fit with the three: doc-b goes, the rest stays. */
  g_assert_true (save_content (f->cache, "doc-d", "\"etag-3\"", g_ptr_array_index (contents, 3), &error));
  g_assert_no_error (error);
  g_assert_true (has_content (f, "doc-a"));
  g_assert_false (has_content (f, "doc-b"));
  g_assert_true (has_content (f, "doc-c"));
  g_assert_true (has_content (f, "doc-d"));
  g_assert_cmpuint (rl_doc_cache_get_content_bytes (f->cache), <=, rl_doc_cache_get_budget (f->cache));

  /* Larger than the whole budget: not kept, and nothing evicted for it. */
  g_assert_false (save_content (f->cache, "doc-huge", "\"etag-h\"", huge, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_false (has_content (f, "doc-huge"));
  g_assert_true (has_content (f, "doc-a"));
  g_assert_true (has_content (f, "doc-c"));
  g_assert_true (has_content (f, "doc-d"));

  /* Writes land one at a time, in order: the last of a burst stays. */
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *etag = g_strdup_printf ("\"burst-%u\"", i);

      rl_doc_cache_save_content_async (f->cache, "doc-c", etag, g_ptr_array_index (contents, i % 4), NULL,
                                       NULL, NULL);
    }
  g_assert_cmpuint (rl_doc_cache_get_n_pending (f->cache), ==, 5);
  while (rl_doc_cache_get_n_pending (f->cache) > 0)
    g_main_context_iteration (NULL, TRUE);
  {
    g_autofree char *etag = NULL;
    g_autoptr(GBytes) read = load_content (f->cache, "doc-c", &etag, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (etag, ==, "\"burst-4\"");
    g_assert_true (g_bytes_equal (read, g_ptr_array_index (contents, 0)));
  }
  g_assert_cmpuint (rl_doc_cache_get_content_bytes (f->cache), <=, rl_doc_cache_get_budget (f->cache));

  /* A temporary file a crash left long ago goes at the next write; a new
   * one (a write under way elsewhere) stays. */
  {
    g_autofree char *stale = g_build_filename (rl_doc_cache_get_directory (f->cache), ".tmp-stale1", NULL);
    g_autofree char *fresh = g_build_filename (rl_doc_cache_get_directory (f->cache), ".tmp-fresh1", NULL);
    struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

    g_assert_true (g_file_set_contents (stale, "half", -1, NULL));
    g_assert_true (g_file_set_contents (fresh, "half", -1, NULL));
    g_assert_cmpint (utimensat (AT_FDCWD, stale, old, 0), ==, 0);
    g_assert_true (save_content (f->cache, "doc-b", "\"etag-b\"", g_ptr_array_index (contents, 1), &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (fresh, G_FILE_TEST_EXISTS));
  }
}

static void
write_raw (const char *path,
           const char *data,
           gssize      length)
{
  g_autoptr(GError) error = NULL;

  g_remove (path);
  g_assert_true (g_file_set_contents (path, data, length, &error));
  g_assert_no_error (error);
}

static void
assert_content_refused (Fixture    *f,
                        const char *doc,
                        gint        code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;
  g_autoptr(GBytes) read = load_content (f->cache, doc, &etag, &error);

  g_assert_null (read);
  g_assert_null (etag);
  g_assert_error (error, G_IO_ERROR, code);
}

static char *
replace (const char *text,
         gsize       length,
         const char *from,
         const char *to)
{
  GString *out = g_string_new_len (text, (gssize) length);

  g_assert_cmpuint (g_string_replace (out, from, to, 1), ==, 1);
  return g_string_free (out, FALSE);
}

static void
test_bad_contents (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) bytes = noise (4 * KIB, 7);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *valid = NULL;
  gsize valid_length;
  gsize header_length;
  int fd;

  g_assert_true (save_content (f->cache, "doc-valid", "\"v\"", bytes, &error));
  g_assert_no_error (error);
  path = rl_doc_cache_dup_content_path (f->cache, "doc-valid", NULL);
  g_assert_true (g_file_get_contents (path, &valid, &valid_length, NULL));
  header_length = (gsize) ((char *) memchr (valid, '\n', valid_length) - valid) + 1;

  /* Garbage, empty, and the file cut short anywhere. */
  write_raw (path, "\x01\x02 not json \xff\n\x03", -1);
  assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
  write_raw (path, "", 0);
  assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
  for (gsize cut = 1; cut < valid_length; cut += 397)
    {
      write_raw (path, valid, (gssize) cut);
      assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
    }
  /* One byte of the content changed: the checksum fails. */
  {
    g_autofree char *flipped = g_memdup2 (valid, valid_length);

    flipped[valid_length - 10] ^= 0x20;
    write_raw (path, flipped, (gssize) valid_length);
    assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
  }
  /* Another version, another document, an ETag that would break a header. */
  {
    g_autofree char *text = replace (valid, valid_length, "\"version\":1", "\"version\":2");

    write_raw (path, text, (gssize) valid_length);
    assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
  }
  {
    g_autofree char *other = rl_doc_cache_dup_content_path (f->cache, "doc-other", NULL);

    write_raw (other, valid, (gssize) valid_length);
    assert_content_refused (f, "doc-other", G_IO_ERROR_INVALID_DATA);
  }
  {
    g_autofree char *header = g_strndup (valid, header_length - 1);
    g_autofree char *bad_header = replace (header, strlen (header), "\"\\\"v\\\"\"",
                                           "\"\\\"v\\\"\\r\\nX-Evil: 1\"");
    g_autoptr(GString) text = g_string_new (bad_header);

    g_string_append_c (text, '\n');
    g_string_append_len (text, valid + header_length, (gssize) (valid_length - header_length));
    write_raw (path, text->str, (gssize) text->len);
    assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
  }
  /* A header that says another size. */
  {
    g_autofree char *size = g_strdup_printf ("\"size\":%d", 4 * KIB);
    g_autofree char *text = replace (valid, valid_length, size, "\"size\":4095");

    write_raw (path, text, -1);
    assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
  }
  /* No line break in the first 4 KiB. */
  {
    g_autofree char *text = g_strnfill (8 * KIB, 'x');

    write_raw (path, text, -1);
    assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
  }

  /* Huge: refused before it is read (sparse, so cheap to make). */
  g_remove (path);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) RL_UPLOAD_MAX_BYTES + 8 * KIB), ==, 0);
  close (fd);
  assert_content_refused (f, "doc-valid", G_IO_ERROR_MESSAGE_TOO_LARGE);

  /* Not a regular file: a directory, a FIFO (which must not block), a
   * symbolic link to a valid file elsewhere. */
  g_remove (path);
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
  g_rmdir (path);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
  g_remove (path);
  {
    g_autofree char *elsewhere = g_build_filename (f->base, "elsewhere.content", NULL);

    write_raw (elsewhere, valid, (gssize) valid_length);
    g_assert_cmpint (symlink (elsewhere, path), ==, 0);
    assert_content_refused (f, "doc-valid", G_IO_ERROR_INVALID_DATA);
    g_remove (path);
  }

  /* The real thing again: read. */
  write_raw (path, valid, (gssize) valid_length);
  {
    g_autoptr(GBytes) read = load_content (f->cache, "doc-valid", NULL, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (read, bytes));
  }

  /* What is not saved: an ETag with a line break, content larger than an
   * upload may be. */
  g_assert_false (save_content (f->cache, "doc-new", "\"a\"\r\nX-Evil: 1", bytes, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (save_content (f->cache, "doc-new", "", bytes, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (has_content (f, "doc-new"));
}

static void
assert_list_refused (Fixture    *f,
                     const char *text,
                     gssize      length,
                     gint        code)
{
  g_autofree char *path = g_build_filename (rl_doc_cache_get_directory (f->cache), "documents.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) docs = NULL;

  write_raw (path, text, length);
  docs = rl_doc_cache_load_documents (f->cache, &error);
  g_assert_null (docs);
  g_assert_error (error, G_IO_ERROR, code);
}

static void
test_bad_lists (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_document_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (rl_doc_cache_get_directory (f->cache), "documents.json", NULL);
  g_autofree char *valid = NULL;
  gsize length;
  int fd;

  g_ptr_array_add (docs, make_document ("doc-a", RL_DOC_KIND_IMAGE, "Landing page"));
  g_assert_true (save_documents (f->cache, docs, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &valid, &length, NULL));

  assert_list_refused (f, "\x01\x02 not json \xff", -1, G_IO_ERROR_INVALID_DATA);
  assert_list_refused (f, "", 0, G_IO_ERROR_INVALID_DATA);
  assert_list_refused (f, "[1,2,3]", -1, G_IO_ERROR_INVALID_DATA);
  for (gsize cut = 1; cut < length; cut += 23)
    assert_list_refused (f, valid, (gssize) cut, G_IO_ERROR_INVALID_DATA);
  {
    g_autofree char *text = replace (valid, length, "\"version\":1", "\"version\":7");

    assert_list_refused (f, text, -1, G_IO_ERROR_INVALID_DATA);
  }
  {
    g_autofree char *text = replace (valid, length, "\"kind\":\"image\"", "\"kind\":\"video\"");

    assert_list_refused (f, text, -1, G_IO_ERROR_INVALID_DATA);
  }
  /* A document id that would lead out of the directory: the list is not used. */
  {
    g_autofree char *text = replace (valid, length, "\"id\":\"doc-a\"", "\"id\":\"../../escape\"");

    assert_list_refused (f, text, -1, G_IO_ERROR_INVALID_DATA);
  }
  g_remove (path);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, RL_DOC_CACHE_LIST_MAX_BYTES + 1), ==, 0);
  close (fd);
  {
    g_autoptr(GPtrArray) none = rl_doc_cache_load_documents (f->cache, &error);

    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  }
}

static void
test_doc_id_checked (Fixture       *f,
                     gconstpointer  data)
{
  const char *bad[] = { "../escape", "..", ".", "", "a/b", "a\\b", "doc id", "ünï", "/etc/passwd", NULL };
  g_autoptr(GBytes) bytes = noise (KIB, 3);
  g_autoptr(GError) error = NULL;
  g_autofree char *planted = NULL;

  for (guint i = 0; bad[i]; i++)
    {
      g_autofree char *path = rl_doc_cache_dup_content_path (f->cache, bad[i], &error);

      g_assert_null (path);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
      g_clear_error (&error);
      g_assert_false (save_content (f->cache, bad[i], "\"e\"", bytes, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
      g_clear_error (&error);
      assert_content_refused (f, bad[i], G_IO_ERROR_INVALID_FILENAME);
    }

  /* A valid file where "../escape" would lead is not read. */
  g_assert_true (save_content (f->cache, "escape", "\"e\"", bytes, &error));
  g_assert_no_error (error);
  planted = g_build_filename (rl_doc_cache_get_directory (f->cache), "..", "escape.content", NULL);
  {
    g_autofree char *path = rl_doc_cache_dup_content_path (f->cache, "escape", NULL);

    g_assert_cmpint (g_rename (path, planted), ==, 0);
  }
  assert_content_refused (f, "../escape", G_IO_ERROR_INVALID_FILENAME);
  g_remove (planted);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/client/doc-cache/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/client/doc-cache/bounded", Fixture, NULL, fixture_setup, test_bounded, fixture_teardown);
  g_test_add ("/client/doc-cache/bad-contents", Fixture, NULL, fixture_setup, test_bad_contents, fixture_teardown);
  g_test_add ("/client/doc-cache/bad-lists", Fixture, NULL, fixture_setup, test_bad_lists, fixture_teardown);
  g_test_add ("/client/doc-cache/doc-id-checked", Fixture, NULL, fixture_setup, test_doc_id_checked,
              fixture_teardown);

  return g_test_run ();
}
