/* rl-match-bench.c — re-anchoring threads across a revision (issue 18 §8)
 *
 * By hand, in a release build (docs/performance.md, "Re-anchoring across
 * revisions"):
 *
 *   meson setup build-release --buildtype=release
 *   ninja -C build-release tests/bench/rl-match-bench
 *   build-release/tests/bench/rl-match-bench [--runs 5] [--cpu]
 *
 * Pages: 500 annotations on a 100 KB page of Italian, Polish, Danish and
 * English prose, placed on its next revision (a paragraph added at the top,
 * one moved to the end, sentences reworded and deleted here and there), as
 * the server would: one RlReanchorer for the new text, then
 * rl_reanchorer_place_anchor per thread.
 *
 * Images: 200 pins at seeded random places on a 4000 × 3000 mockup (a grid
 * of 16 cards, rl-test-mockup.h) placed on its next revision, both read from
 * PNG files as the server would read uploads: decoding (GdkPixbuf), the
 * conversion to planes, the matcher's pyramids and the placing are timed
 * apart. Two revisions: every card's body shifted alike (one button
 * recoloured, one icon removed), and each card's shifted differently (16
 * displacements to search for).
 *
 * Each figure is the median of the runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "rl-image-match.h"
#include "rl-limits.h"
#include "rl-reanchor.h"
#include "rl-test-mockup.h"

#define PAGE_BYTES   100000
#define N_ANCHORS    500
#define N_PINS       200
#define MOCKUP_WIDTH 4000
#define MOCKUP_HEIGHT 3000

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
  return values[samples->len / 2];
}

/* Wall clock, or with --cpu the process's CPU time: the code is single
 * threaded, and on a shared machine the CPU time leaves out the waits for a
 * core that the wall clock counts. */
static gboolean cpu_clock;

static gint64
now (void)
{
  struct timespec ts;

  if (!cpu_clock)
    return g_get_monotonic_time ();
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static double
ms_since (gint64 start)
{
  return (now () - start) / 1000.0;
}

/* ---- pages ---------------------------------------------------------------- */

static char *
make_sentence (GRand *rand)
{
  GString *sentence = g_string_new (NULL);
  int n = g_rand_int_range (rand, 6, 18);

  for (int i = 0; i < n; i++)
    {
      const char *word = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];

      if (i > 0)
        g_string_append_c (sentence, ' ');
      if (i == 0)
        {
          g_autofree char *title = g_utf8_strup (word, g_utf8_next_char (word) - word);

          g_string_append (sentence, title);
          g_string_append (sentence, g_utf8_next_char (word));
        }
      else
        g_string_append (sentence, word);
    }
  g_string_append_c (sentence, '.');
  return g_string_free (sentence, FALSE);
}

/* Paragraphs of sentences; the page is the sentences joined by spaces and
 * the paragraphs by blank lines. */
static GPtrArray *
make_paragraphs (GRand *rand)
{
  GPtrArray *paragraphs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  gsize bytes = 0;

  while (bytes < PAGE_BYTES)
    {
      GPtrArray *sentences = g_ptr_array_new_with_free_func (g_free);
      int n = g_rand_int_range (rand, 3, 9);

      for (int i = 0; i < n; i++)
        {
          char *sentence = make_sentence (rand);

          bytes += strlen (sentence) + 1;
          g_ptr_array_add (sentences, sentence);
        }
      bytes += 1;
      g_ptr_array_add (paragraphs, sentences);
    }
  return paragraphs;
}

/* The page; starts (nullable) gets each sentence's code-point offset, in
 * paragraph order. */
static char *
join_page (GPtrArray *paragraphs,
           GArray    *starts)
{
  GString *page = g_string_new (NULL);
  glong offset = 0;

  for (guint p = 0; p < paragraphs->len; p++)
    {
      GPtrArray *sentences = g_ptr_array_index (paragraphs, p);

      if (p > 0)
        {
          g_string_append (page, "\n\n");
          offset += 2;
        }
      for (guint s = 0; s < sentences->len; s++)
        {
          const char *sentence = g_ptr_array_index (sentences, s);

          if (s > 0)
            {
              g_string_append_c (page, ' ');
              offset++;
            }
          if (starts != NULL)
            g_array_append_val (starts, offset);
          g_string_append (page, sentence);
          offset += g_utf8_strlen (sentence, -1);
        }
    }
  return g_string_free (page, FALSE);
}

static char *
cp_slice (const char *text,
          glong       start,
          glong       end)
{
  const char *from = g_utf8_offset_to_pointer (text, start);

  return g_strndup (from, g_utf8_offset_to_pointer (text, end) - from);
}

/* Annotations as the page view makes them: a run of words of a sentence,
 * with up to 32 code points of context either side. */
static RlAnchor *
make_anchors (GRand      *rand,
              const char *text,
              GArray     *starts)
{
  RlAnchor *anchors = g_new0 (RlAnchor, N_ANCHORS);
  glong n = g_utf8_strlen (text, -1);

  for (guint i = 0; i < N_ANCHORS; i++)
    {
      guint s = (guint) g_rand_int_range (rand, 0, (gint32) starts->len);
      glong start = g_array_index (starts, glong, s);
      glong end = s + 1 < starts->len ? g_array_index (starts, glong, s + 1) - 1 : n;
      g_autofree char *sentence = cp_slice (text, start, end);
      g_auto(GStrv) parts = g_strsplit (sentence, " ", -1);
      guint n_parts = g_strv_length (parts);
      guint first = (guint) g_rand_int_range (rand, 0, (gint32) n_parts);
      guint span = (guint) g_rand_int_range (rand, 2, 8);
      guint last = MIN (n_parts, first + span);
      RlAnchor *anchor = &anchors[i];

      for (guint w = 0; w < first; w++)
        start += g_utf8_strlen (parts[w], -1) + 1;
      end = start;
      for (guint w = first; w < last; w++)
        end += g_utf8_strlen (parts[w], -1) + (w + 1 < last ? 1 : 0);

      anchor->kind = RL_DOC_KIND_PAGE;
      anchor->start = start;
      anchor->end = end;
      anchor->exact = cp_slice (text, start, end);
      anchor->prefix = cp_slice (text, MAX (0, start - RL_CONTEXT_MAX_CHARS), start);
      anchor->suffix = cp_slice (text, end, MIN (n, end + RL_CONTEXT_MAX_CHARS));
    }
  return anchors;
}

/* The next revision: a paragraph added at the top, the fourth moved to the
 * end, one sentence in ten reworded (a word replaced) and one in twenty
 * deleted. */
static void
revise (GRand     *rand,
        GPtrArray *paragraphs)
{
  GPtrArray *added = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *moved;

  for (guint p = 0; p < paragraphs->len; p++)
    {
      GPtrArray *sentences = g_ptr_array_index (paragraphs, p);

      for (guint s = 0; s < sentences->len; s++)
        {
          double roll = g_rand_double (rand);

          if (roll < 0.05 && sentences->len > 1)
            g_ptr_array_remove_index (sentences, s--);
          else if (roll < 0.15)
            {
              g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (sentences, s), " ", -1);
              guint w = (guint) g_rand_int_range (rand, 1, (gint32) MAX (2u, g_strv_length (parts)));

              if (w < g_strv_length (parts))
                {
                  g_free (parts[w]);
                  parts[w] = g_strdup ("rivista");
                }
              g_free (g_ptr_array_index (sentences, s));
              g_ptr_array_index (sentences, s) = g_strjoinv (" ", parts);
            }
        }
    }

  for (int i = 0; i < 5; i++)
    g_ptr_array_add (added, make_sentence (rand));
  g_ptr_array_insert (paragraphs, 0, added);
  moved = g_ptr_array_steal_index (paragraphs, 4);
  g_ptr_array_add (paragraphs, moved);
}

static void
bench_pages (guint runs)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (18);
  g_autoptr(GPtrArray) paragraphs = make_paragraphs (rand);
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (glong));
  g_autofree char *old_text = join_page (paragraphs, starts);
  RlAnchor *anchors = make_anchors (rand, old_text, starts);
  g_autofree char *new_text = NULL;
  g_autoptr(GArray) prepare = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) total = g_array_new (FALSE, FALSE, sizeof (double));
  guint counts[4] = { 0 };

  revise (rand, paragraphs);
  new_text = join_page (paragraphs, NULL);

  for (guint run = 0; run < runs; run++)
    {
      gint64 start = now ();
      g_autoptr(RlReanchorer) reanchorer = rl_reanchorer_new (new_text, -1);
      double prepared = ms_since (start);
      double all;

      memset (counts, 0, sizeof counts);
      for (guint i = 0; i < N_ANCHORS; i++)
        {
          RlAnchor placed;

          counts[rl_reanchorer_place_anchor (reanchorer, &anchors[i], &placed, NULL)]++;
          rl_anchor_clear (&placed);
        }
      all = ms_since (start);
      g_array_append_val (prepare, prepared);
      g_array_append_val (total, all);
    }

  g_print ("page: %u threads, %zu -> %zu bytes: %.1f ms (of which the text %.1f ms); "
           "exact %u, moved %u, changed %u, orphaned %u\n",
           N_ANCHORS, strlen (old_text), strlen (new_text), median (total), median (prepare),
           counts[RL_PLACEMENT_EXACT], counts[RL_PLACEMENT_MOVED], counts[RL_PLACEMENT_CHANGED],
           counts[RL_PLACEMENT_ORPHANED]);

  for (guint i = 0; i < N_ANCHORS; i++)
    rl_anchor_clear (&anchors[i]);
  g_free (anchors);
}

/* ---- images --------------------------------------------------------------- */

static RlMockup
grid (void)
{
  RlMockup mockup = rl_mockup_base ();

  mockup.canvas_width = MOCKUP_WIDTH;
  mockup.canvas_height = MOCKUP_HEIGHT;
  mockup.columns = 4;
  mockup.rows = 4;
  return mockup;
}

static GdkPixbuf *
decode (const char *path)
{
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file (path, &error);

  if (pixbuf == NULL)
    g_error ("%s: %s", path, error->message);
  return pixbuf;
}

static guint8 *
planes_of (GdkPixbuf     *pixbuf,
           RlImagePlanes *planes)
{
  return rl_image_planes_from_rgb (planes, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                                   gdk_pixbuf_get_rowstride (pixbuf), gdk_pixbuf_get_n_channels (pixbuf),
                                   gdk_pixbuf_read_pixels (pixbuf));
}

static void
bench_images (const char     *dir,
              const char     *what,
              const RlMockup *revision,
              guint           runs)
{
  RlMockup base = grid ();
  g_autofree char *old_path = g_build_filename (dir, "old.png", NULL);
  g_autofree char *new_path = g_build_filename (dir, "new.png", NULL);
  g_autoptr(GArray) decoding = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) converting = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) pyramids = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) placing = g_array_new (FALSE, FALSE, sizeof (double));
  double pins[N_PINS][2];
  double found[N_PINS][2];
  gboolean moved[N_PINS];
  guint counts[4] = { 0 };
  guint astray = 0;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  if (!rl_mockup_write_png (&base, old_path) || !rl_mockup_write_png (revision, new_path))
    g_error ("cannot write the mockups in %s", dir);
  for (guint i = 0; i < N_PINS; i++)
    {
      pins[i][0] = g_rand_double (rand);
      pins[i][1] = g_rand_double (rand);
    }

  for (guint run = 0; run < runs; run++)
    {
      gint64 start = now ();
      g_autoptr(GdkPixbuf) old_pixbuf = decode (old_path);
      g_autoptr(GdkPixbuf) new_pixbuf = decode (new_path);
      double decoded = ms_since (start);
      RlImagePlanes old_planes, new_planes;
      g_autofree guint8 *old_buffer = NULL;
      g_autofree guint8 *new_buffer = NULL;
      g_autoptr(RlImageMatcher) matcher = NULL;
      double converted, built, placed;

      start = now ();
      old_buffer = planes_of (old_pixbuf, &old_planes);
      new_buffer = planes_of (new_pixbuf, &new_planes);
      converted = ms_since (start);

      start = now ();
      matcher = rl_image_matcher_new (&old_planes, &new_planes);
      built = ms_since (start);

      start = now ();
      memset (counts, 0, sizeof counts);
      for (guint i = 0; i < N_PINS; i++)
        {
          RlPlacementStatus status = rl_image_matcher_place (matcher, pins[i][0], pins[i][1], &found[i][0],
                                                             &found[i][1], NULL);

          counts[status]++;
          moved[i] = status == RL_PLACEMENT_MOVED;
        }
      placed = ms_since (start);

      g_array_append_val (decoding, decoded);
      g_array_append_val (converting, converted);
      g_array_append_val (pyramids, built);
      g_array_append_val (placing, placed);
    }

  /* A moved pin went with its card's body: anything else is a wrong place. */
  for (guint i = 0; i < N_PINS; i++)
    if (moved[i])
      {
        int card = (int) (pins[i][1] * MOCKUP_HEIGHT) / RL_MOCKUP_PITCH_Y * base.columns
                   + (int) (pins[i][0] * MOCKUP_WIDTH) / RL_MOCKUP_PITCH_X;
        double dx = found[i][0] * MOCKUP_WIDTH - pins[i][0] * MOCKUP_WIDTH;
        double dy = found[i][1] * MOCKUP_HEIGHT - pins[i][1] * MOCKUP_HEIGHT;

        if (fabs (dx - (revision->body_dx + card * revision->card_shift)) > 1.0
            || fabs (dy - (revision->body_dy + card * revision->card_shift)) > 1.0)
          {
            astray++;
            if (g_getenv ("RL_BENCH_VERBOSE"))
              g_printerr ("astray: card %d at (%.0f, %.0f) moved by (%.0f, %.0f)\n", card, pins[i][0] * MOCKUP_WIDTH,
                          pins[i][1] * MOCKUP_HEIGHT, dx, dy);
          }
      }

  g_print ("images (%s): %u pins, %dx%d: decoding both PNGs %.1f ms, planes %.1f ms, "
           "pyramids %.1f ms, placing %.1f ms; matching (planes + pyramids + placing) %.1f ms; "
           "exact %u, moved %u (not with their card's body: %u), changed %u, orphaned %u\n",
           what, N_PINS, MOCKUP_WIDTH, MOCKUP_HEIGHT, median (decoding), median (converting),
           median (pyramids), median (placing),
           median (converting) + median (pyramids) + median (placing),
           counts[RL_PLACEMENT_EXACT], counts[RL_PLACEMENT_MOVED], astray, counts[RL_PLACEMENT_CHANGED],
           counts[RL_PLACEMENT_ORPHANED]);
}

int
main (int    argc,
      char **argv)
{
  int runs = 5;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs per figure (the median is given)", "N" },
    { "cpu", 0, 0, G_OPTION_ARG_NONE, &cpu_clock, "Time with the process's CPU time, not the wall clock", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— re-anchoring across revisions");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  RlMockup shifted = grid ();
  RlMockup per_card = grid ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || runs < 1)
    {
      g_printerr ("%s\n", error ? error->message : "--runs must be at least 1");
      return 2;
    }

  g_print ("%s, median of %d runs\n", cpu_clock ? "CPU time" : "wall clock", runs);
  bench_pages ((guint) runs);

  dir = g_dir_make_tmp ("rl-match-bench-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);

  shifted.body_dx = 31;
  shifted.body_dy = 47;
  shifted.button[0] = 0.1;
  shifted.button[1] = 0.6;
  shifted.button[2] = 0.3;
  shifted.with_icon = FALSE;
  bench_images (dir, "one shift", &shifted, (guint) runs);

  per_card.body_dx = 5;
  per_card.body_dy = 9;
  per_card.card_shift = 3;
  bench_images (dir, "a shift per card", &per_card, (guint) runs);

  {
    g_autofree char *old_path = g_build_filename (dir, "old.png", NULL);
    g_autofree char *new_path = g_build_filename (dir, "new.png", NULL);

    g_unlink (old_path);
    g_unlink (new_path);
    g_rmdir (dir);
  }
  return 0;
}
