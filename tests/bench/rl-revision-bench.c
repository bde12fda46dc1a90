/* rl-revision-bench.c — adding a revision on the real server (issue 18 §8)
 *
 * By hand, in a release build (docs/performance.md, "Re-anchoring across
 * revisions"):
 *
 *   meson setup build-release --buildtype=release
 *   ninja -C build-release tests/bench/rl-revision-bench src/server/redline-server
 *   REDLINE_SERVER=build-release/src/server/redline-server \
 *     build-release/tests/bench/rl-revision-bench [--runs 5]
 *
 * What rl-match-bench times in the library, end to end through the server:
 * a page of 100 KB with 500 annotations and a 4000 × 3000 mockup with 200
 * pins, each given new versions over HTTP (POST …/revisions) while a 1.1
 * client watches the document. Timed from the request's first byte: the
 * 201 (the upload checked, the previous version read and decoded, every
 * thread carried over, the commit) and the revision-added event at the
 * watching client. Versions alternate between two contents, so every run
 * carries every thread again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "rl-test-mockup.h"
#include "rl-test-server.h"

#define PAGE_BYTES    100000
#define N_ANNOTATIONS 500
#define N_PINS        200
#define MOCKUP_COLS   4
#define MOCKUP_ROWS   4

static const char *words[] = {
  "della", "revisione", "perché", "città", "già", "più", "caffè", "è", "proposta", "schermo",
  "zażółć", "gęślą", "jaźń", "łódź", "źródło", "przycisk", "wersja", "użytkownik", "ćma", "śnieg",
  "på", "øre", "blåbær", "æble", "forslag", "skærm", "knap", "udgave", "brugeren", "ændring",
  "the", "review", "button", "header", "layout", "colour", "pricing", "team", "design", "page",
};

static double
median (GArray *samples)
{
  double *values = (double *) (void *) samples->data;

  for (guint i = 1; i < samples->len; i++)
    for (guint j = i; j > 0 && values[j - 1] > values[j]; j--)
      {
        double t = values[j];

        values[j] = values[j - 1];
        values[j - 1] = t;
      }
  return samples->len ? values[samples->len / 2] : 0;
}

/* Paragraphs of seeded sentences, as plain text (its plain text is itself). */
static GPtrArray *
make_paragraphs (GRand *rand)
{
  GPtrArray *paragraphs = g_ptr_array_new_with_free_func (g_free);
  gsize bytes = 0;

  while (bytes < PAGE_BYTES)
    {
      GString *paragraph = g_string_new (NULL);
      int sentences = g_rand_int_range (rand, 3, 9);

      for (int s = 0; s < sentences; s++)
        {
          int n = g_rand_int_range (rand, 6, 18);

          for (int i = 0; i < n; i++)
            {
              if (paragraph->len > 0)
                g_string_append_c (paragraph, ' ');
              g_string_append (paragraph, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
            }
          g_string_append_c (paragraph, '.');
        }
      bytes += paragraph->len + 2;
      g_ptr_array_add (paragraphs, g_string_free (paragraph, FALSE));
    }
  return paragraphs;
}

static char *
join (GPtrArray *paragraphs)
{
  GString *page = g_string_new (NULL);

  for (guint i = 0; i < paragraphs->len; i++)
    {
      if (i > 0)
        g_string_append (page, "\n\n");
      g_string_append (page, g_ptr_array_index (paragraphs, i));
    }
  return g_string_free (page, FALSE);
}

/* The next version: a paragraph added at the top, the fourth moved to the
 * end, one paragraph in ten with a word changed. */
static char *
edit_page (GPtrArray *paragraphs,
           GRand     *rand)
{
  g_autoptr(GPtrArray) edited = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (edited, g_strdup ("Una proposta nuova per la pagina, przycisk på skærm."));
  for (guint i = 0; i < paragraphs->len; i++)
    {
      GString *paragraph;
      const char *space;

      if (i == 3)
        continue;
      paragraph = g_string_new (g_ptr_array_index (paragraphs, i));
      space = strchr (paragraph->str, ' ');
      if (space != NULL && g_rand_int_range (rand, 0, 10) == 0)
        g_string_insert (paragraph, space - paragraph->str + 1, "nuovo ");
      g_ptr_array_add (edited, g_string_free (paragraph, FALSE));
    }
  g_ptr_array_add (edited, g_strdup (g_ptr_array_index (paragraphs, 3)));
  return join (edited);
}

static void
wait_acks (RlTestClient *client,
           guint         n)
{
  for (guint acked = 0; acked < n;)
    {
      g_autoptr(JsonObject) frame = rl_test_client_next (client);

      if (g_str_equal (json_object_get_string_member (frame, "type"), "ack"))
        {
          if (!json_object_get_boolean_member (frame, "ok"))
            g_error ("refused: %s", json_object_get_string_member (json_object_get_object_member (frame, "error"),
                                                                  "message"));
          acked++;
        }
    }
}

/* A connection may make 100 changes a second (rl-peer.c): each hundred
 * acked, then a second's pause. */
static void
pace (RlTestClient *client)
{
  wait_acks (client, 100);
  g_usleep (G_USEC_PER_SEC);
}

static void
wait_revision (RlTestClient *client)
{
  for (;;)
    {
      g_autoptr(JsonObject) frame = rl_test_client_next (client);

      if (g_str_equal (json_object_get_string_member (frame, "type"), "revision-added"))
        return;
    }
}

static void
create_thread (RlTestClient *client,
               const char   *doc,
               const char   *anchor)
{
  g_autofree char *thread = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();

  rl_test_client_send_printf (client,
                              "{\"type\":\"create-thread\",\"req\":\"r\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":{\"id\":\"%s\",\"anchor\":%s},\"comment\":{\"id\":\"%s\",\"body\":\"Check\"}}",
                              broadcast, doc, thread, anchor, comment);
}

/* Uploads versions alternately (of type) and times each: the 201, and the
 * revision-added at the watching client. */
static void
time_versions (RlTestServer *server,
               const char   *token,
               RlTestClient *watcher,
               const char   *doc,
               const char   *type,
               GBytes       *versions[2],
               guint         runs,
               const char   *what)
{
  g_autoptr(GArray) answered = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) heard = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/revisions", doc);

  for (guint run = 0; run < runs; run++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(RlTestResponse) response = rl_test_http (server, "POST", path, token, type, versions[(run + 1) % 2]);
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      if (response->status != 201)
        g_error ("%s: %u %.*s", what, response->status, (int) g_bytes_get_size (response->body),
                 (const char *) g_bytes_get_data (response->body, NULL));
      g_array_append_val (answered, ms);
      wait_revision (watcher);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (heard, ms);
    }
  g_print ("%-44s answered %8.1f ms   revision-added heard %8.1f ms   (median of %u)\n",
           what, median (answered), median (heard), runs);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (18);
  RlTestTeam team;
  const char *alice = NULL;
  guint runs = 5;

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
      runs = (guint) g_ascii_strtoull (argv[++i], NULL, 10);

  rl_test_team_init (&team, "Alice:member", &alice, NULL);

  /* The page and its annotations: a run of words of a sentence. */
  {
    g_autoptr(GPtrArray) paragraphs = make_paragraphs (rand);
    g_autofree char *page = join (paragraphs);
    g_autofree char *edited = edit_page (paragraphs, rand);
    g_autoptr(RlTestClient) client = NULL;
    g_autoptr(JsonObject) snapshot = NULL;
    GBytes *versions[2] = { g_bytes_new (page, strlen (page)), g_bytes_new (edited, strlen (edited)) };
    const char *doc = rl_test_team_add_doc_bytes (&team, "acme", "Copy", ".txt", page, -1);
    glong n_chars = g_utf8_strlen (page, -1);

    rl_test_server_start (team.server);
    client = rl_test_client_new_v11 (team.server, alice);
    snapshot = rl_test_client_subscribe (client, doc);
    for (guint i = 0; i < N_ANNOTATIONS; i++)
      {
        glong start = g_rand_int_range (rand, 0, (gint32) n_chars - 60);
        glong end = start + g_rand_int_range (rand, 8, 40);
        const char *from = g_utf8_offset_to_pointer (page, start);
        g_autofree char *exact = g_strndup (from, g_utf8_offset_to_pointer (page, end) - from);
        g_autoptr(JsonBuilder) builder = json_builder_new ();
        g_autoptr(JsonNode) node = NULL;
        g_autofree char *anchor = NULL;

        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "start");
        json_builder_add_int_value (builder, start);
        json_builder_set_member_name (builder, "end");
        json_builder_add_int_value (builder, end);
        json_builder_set_member_name (builder, "exact");
        json_builder_add_string_value (builder, exact);
        json_builder_end_object (builder);
        node = json_builder_get_root (builder);
        anchor = json_to_string (node, FALSE);
        create_thread (client, doc, anchor);
        if (i % 100 == 99)
          pace (client);
      }
    time_versions (team.server, alice, client, doc, "text/plain", versions, runs,
                   "page, 100 KB, 500 annotations");
    g_bytes_unref (versions[0]);
    g_bytes_unref (versions[1]);
  }

  /* The mockup and its pins. */
  {
    RlMockup first = rl_mockup_base ();
    RlMockup second;
    g_autofree char *dir = g_dir_make_tmp ("rl-revision-bench-XXXXXX", NULL);
    g_autofree char *first_path = g_build_filename (dir, "first.png", NULL);
    g_autofree char *second_path = g_build_filename (dir, "second.png", NULL);
    g_autoptr(RlTestClient) client = NULL;
    g_autoptr(JsonObject) snapshot = NULL;
    GBytes *versions[2];
    char *contents;
    gsize length;
    const char *doc;

    first.columns = MOCKUP_COLS;
    first.rows = MOCKUP_ROWS;
    first.canvas_width = 4000;
    first.canvas_height = 3000;
    second = first;
    second.body_dx = 31;
    second.body_dy = 47;
    g_assert_true (rl_mockup_write_png (&first, first_path));
    g_assert_true (rl_mockup_write_png (&second, second_path));
    g_assert_true (g_file_get_contents (first_path, &contents, &length, NULL));
    versions[0] = g_bytes_new_take (contents, length);
    g_assert_true (g_file_get_contents (second_path, &contents, &length, NULL));
    versions[1] = g_bytes_new_take (contents, length);
    doc = rl_test_team_add_doc (&team, "acme", "Home", first_path);

    client = rl_test_client_new_v11 (team.server, alice);
    snapshot = rl_test_client_subscribe (client, doc);
    for (guint i = 0; i < N_PINS; i++)
      {
        g_autofree char *anchor = g_strdup_printf ("{\"x\":%.4f,\"y\":%.4f}", g_rand_double (rand),
                                                   g_rand_double (rand));

        create_thread (client, doc, anchor);
        if (i % 100 == 99)
          pace (client);
      }
    time_versions (team.server, alice, client, doc, "image/png", versions, runs,
                   "image, 4000 x 3000 PNG, 200 pins");
    g_bytes_unref (versions[0]);
    g_bytes_unref (versions[1]);
    g_unlink (first_path);
    g_unlink (second_path);
    g_rmdir (dir);
  }

  rl_test_team_clear (&team);
  return 0;
}
