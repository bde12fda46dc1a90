/* test-diff.c — the changes between two versions of a page's text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-diff.h"

/* Code points [start, end) of text, appended to out. */
static void
append_slice (GString    *out,
              const char *text,
              guint       start,
              guint       end)
{
  const char *from = g_utf8_offset_to_pointer (text, start);
  const char *to = g_utf8_offset_to_pointer (text, end);

  g_string_append_len (out, from, to - from);
}

/* Checks what every diff promises (runs in order, without gaps, each of
 * its kind's shape, no two neighbours alike, a change's deletion before its
 * insertion, both texts reproduced) and gives it as one string to read:
 * equal text as it is, deleted text as [-…-], inserted text as {+…+}. */
static char *
check_diff (const char *old_text,
            const char *new_text)
{
  g_autoptr(GArray) runs = rl_diff_texts (old_text, -1, new_text, -1);
  g_autoptr(GString) old_again = g_string_new (NULL);
  g_autoptr(GString) new_again = g_string_new (NULL);
  GString *shown = g_string_new (NULL);
  guint old_pos = 0, new_pos = 0;

  for (guint i = 0; i < runs->len; i++)
    {
      const RlDiffRun *run = &g_array_index (runs, RlDiffRun, i);

      g_assert_cmpuint (run->old_start, ==, old_pos);
      g_assert_cmpuint (run->new_start, ==, new_pos);
      g_assert_cmpuint (run->old_start, <=, run->old_end);
      g_assert_cmpuint (run->new_start, <=, run->new_end);
      g_assert_true (run->old_start < run->old_end || run->new_start < run->new_end);
      if (i > 0)
        {
          const RlDiffRun *before = &g_array_index (runs, RlDiffRun, i - 1);

          g_assert_cmpint (before->kind, !=, run->kind);
          g_assert_false (before->kind == RL_DIFF_INSERTED && run->kind == RL_DIFF_DELETED);
        }
      switch (run->kind)
        {
        case RL_DIFF_EQUAL:
          {
            g_autoptr(GString) a = g_string_new (NULL);
            g_autoptr(GString) b = g_string_new (NULL);

            append_slice (a, old_text, run->old_start, run->old_end);
            append_slice (b, new_text, run->new_start, run->new_end);
            g_assert_cmpstr (a->str, ==, b->str);
            append_slice (old_again, old_text, run->old_start, run->old_end);
            append_slice (new_again, new_text, run->new_start, run->new_end);
            g_string_append (shown, a->str);
          }
          break;
        case RL_DIFF_DELETED:
          g_assert_cmpuint (run->new_start, ==, run->new_end);
          append_slice (old_again, old_text, run->old_start, run->old_end);
          g_string_append (shown, "[-");
          append_slice (shown, old_text, run->old_start, run->old_end);
          g_string_append (shown, "-]");
          break;
        case RL_DIFF_INSERTED:
          g_assert_cmpuint (run->old_start, ==, run->old_end);
          append_slice (new_again, new_text, run->new_start, run->new_end);
          g_string_append (shown, "{+");
          append_slice (shown, new_text, run->new_start, run->new_end);
          g_string_append (shown, "+}");
          break;
        default:
          g_assert_not_reached ();
        }
      old_pos = run->old_end;
      new_pos = run->new_end;
    }
  g_assert_cmpuint (old_pos, ==, g_utf8_strlen (old_text, -1));
  g_assert_cmpuint (new_pos, ==, g_utf8_strlen (new_text, -1));
  g_assert_cmpstr (old_again->str, ==, old_text);
  g_assert_cmpstr (new_again->str, ==, new_text);
  return g_string_free (shown, FALSE);
}

static guint
n_runs (const char *old_text,
        const char *new_text)
{
  g_autoptr(GArray) runs = rl_diff_texts (old_text, -1, new_text, -1);

  return runs->len;
}

static void
test_empty_and_identical (void)
{
  g_autoptr(GArray) none = rl_diff_texts (NULL, 0, NULL, 0);
  g_autofree char *same = check_diff ("Zażółć gęślą jaźń 👩‍💻", "Zażółć gęślą jaźń 👩‍💻");
  g_autofree char *from_nothing = check_diff ("", "Ny tekst.");
  g_autofree char *to_nothing = check_diff ("Gammel tekst.", "");

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpstr (same, ==, "Zażółć gęślą jaźń 👩‍💻");
  g_assert_cmpuint (n_runs ("abc", "abc"), ==, 1);
  g_assert_cmpstr (from_nothing, ==, "{+Ny tekst.+}");
  g_assert_cmpstr (to_nothing, ==, "[-Gammel tekst.-]");
}

/* The edits of issue 18 §6 (the same pages as test-reanchor's corpus), as
 * a reader should see them. */
static const struct
{
  const char *name;
  const char *old_text;
  const char *new_text;
  const char *shown;
} corpus[] = {
  {
    "reworded, sentence deleted, paragraph inserted",
    "Pricing\n\n"
    "Redline has one plan for every team, billed monthly. "
    "Start your free trial today and invite your colleagues. "
    "Questions? Write to us at any time and we answer within a day.\n\n"
    "Every plan includes unlimited reviewers and version history.",
    "Pricing\n\n"
    "New this spring: yearly billing with two months free.\n\n"
    "Redline has a single plan for every team, billed monthly. "
    "Start your free trial today and invite your colleagues.\n\n"
    "Every plan includes unlimited reviewers and version history.",
    "Pricing\n\n"
    "{+New this spring: yearly billing with two months free.\n\n+}"
    "Redline has [-one-]{+a single+} plan for every team, billed monthly. "
    "Start your free trial today and invite your colleagues.[- "
    "Questions? Write to us at any time and we answer within a day.-]\n\n"
    "Every plan includes unlimited reviewers and version history.",
  },
  {
    "a paragraph moved to the end",
    "Install the app from Flathub.\n\n"
    "Sign in with the invitation your administrator sent you.\n\n"
    "Open a mockup and click anywhere to leave a comment.",
    "Install the app from Flathub.\n\n"
    "Open a mockup and click anywhere to leave a comment.\n\n"
    "Sign in with the invitation your administrator sent you.",
    "Install the app from Flathub.\n\n"
    "[-Sign in with the invitation your administrator sent you.\n\n-]"
    "Open a mockup and click anywhere to leave a comment."
    "{+\n\nSign in with the invitation your administrator sent you.+}",
  },
  {
    "Italian: a word changed, a sentence deleted",
    "La revisione è già pronta: più spazio tra i pulsanti, perché il menù era troppo stretto. "
    "Il caffè della pagina iniziale è ancora quello vecchio. "
    "Città e attività compaiono in ordine alfabetico.",
    "La revisione è già pronta: più spazio tra i pulsanti, perché il menù era troppo affollato. "
    "Città e attività compaiono in ordine alfabetico.",
    /* As few edits as the other way round: Myers' script keeps the later
     * full stop, so the word and the sentence read as one replacement. */
    "La revisione è già pronta: più spazio tra i pulsanti, perché il menù era troppo "
    "[-stretto. Il caffè della pagina iniziale è ancora quello vecchio-]{+affollato+}. "
    "Città e attività compaiono in ordine alfabetico.",
  },
  {
    "Polish: a sentence inserted before, a word changed",
    "Zażółć gęślą jaźń. Przycisk „Zapisz” jest za mały na ekranie logowania. "
    "Źródło obrazka w stopce się nie ładuje.",
    "Poprawki po przeglądzie z czwartku. "
    "Zażółć gęślą jaźń. Przycisk „Zapisz” jest za mały na ekranie logowania. "
    "Źródło ilustracji w stopce się nie ładuje.",
    "{+Poprawki po przeglądzie z czwartku. +}"
    "Zażółć gęślą jaźń. Przycisk „Zapisz” jest za mały na ekranie logowania. "
    "Źródło [-obrazka-]{+ilustracji+} w stopce się nie ładuje.",
  },
  {
    "Danish: a word in quotes changed",
    "Blåbærgrøden på side to er for sød. Ændr teksten på knappen til »Køb nu«. "
    "Øverste linje skal være fed.",
    "Blåbærgrøden på side to er for sød. Ændr teksten på knappen til »Bestil nu«. "
    "Øverste linje skal være fed.",
    "Blåbærgrøden på side to er for sød. Ændr teksten på knappen til »[-Køb-]{+Bestil+} nu«. "
    "Øverste linje skal være fed.",
  },
  {
    "emoji: sequences stay whole",
    "Ship it 🚀 once the 👩‍💻 review is done ✅ and the copy is final.",
    "🎉 Ship it 🚀🚀 once the 👩‍🔬 review is done ✅ and the copy is final.",
    "{+🎉 +}Ship it {+🚀+}🚀 once the [-👩‍💻-]{+👩‍🔬+} review is done ✅ and the copy is final.",
  },
  {
    "accents and spelling: character by character",
    "The colour of the café sign. Perche no?",
    "The color of the cafè sign. Perché no?",
    "The colo[-u-]r of the caf[-é-]{+è+} sign. Perch[-e-]{+é+} no?",
  },
};

static void
test_corpus (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
    {
      g_autofree char *shown = check_diff (corpus[i].old_text, corpus[i].new_text);

      g_test_message ("%s: %s", corpus[i].name, shown);
      g_assert_cmpstr (shown, ==, corpus[i].shown);
    }
}

/* Offsets count code points: a Danish and an emoji text, changed at the
 * end, give the change at the code point where it is. */
static void
test_code_points (void)
{
  g_autoptr(GArray) runs = rl_diff_texts ("Blåbær 👩‍💻 nu", -1, "Blåbær 👩‍💻 snart", -1);
  const RlDiffRun *equal = &g_array_index (runs, RlDiffRun, 0);
  const RlDiffRun *deleted = &g_array_index (runs, RlDiffRun, 1);
  const RlDiffRun *inserted = &g_array_index (runs, RlDiffRun, 2);

  g_assert_cmpuint (runs->len, ==, 3);
  /* "Blåbær " 7, the emoji 3, a space. */
  g_assert_cmpint (equal->kind, ==, RL_DIFF_EQUAL);
  g_assert_cmpuint (equal->old_end, ==, 11);
  g_assert_cmpuint (equal->new_end, ==, 11);
  g_assert_cmpint (deleted->kind, ==, RL_DIFF_DELETED);
  g_assert_cmpuint (deleted->old_start, ==, 11);
  g_assert_cmpuint (deleted->old_end, ==, 13);
  g_assert_cmpuint (deleted->new_start, ==, 11);
  g_assert_cmpint (inserted->kind, ==, RL_DIFF_INSERTED);
  g_assert_cmpuint (inserted->new_start, ==, 11);
  g_assert_cmpuint (inserted->new_end, ==, 16);
  g_assert_cmpuint (inserted->old_start, ==, 13);
}

/* Not UTF-8: read with U+FFFD, the offsets counting the text as read. */
static void
test_invalid_utf8 (void)
{
  g_autoptr(GArray) runs = rl_diff_texts ("ok \xff ok", -1, "ok \xff ja", -1);
  const RlDiffRun *last = &g_array_index (runs, RlDiffRun, runs->len - 1);

  /* "ok", a space, U+FFFD, a space: the change starts at 5. */
  g_assert_cmpuint (runs->len, ==, 3);
  g_assert_cmpuint (g_array_index (runs, RlDiffRun, 0).old_end, ==, 5);
  g_assert_cmpuint (last->old_end, ==, 7);
  g_assert_cmpuint (last->new_start, ==, 5);
  g_assert_cmpuint (last->new_end, ==, 7);
}

/* A page of n_words words from a small vocabulary, seeded. */
static GString *
make_page (guint   n_words,
           guint32 seed)
{
  static const char *words[] = {
    "review", "mockup", "the", "button", "città", "zażółć", "blåbær", "🚀", "header", "colour",
    "spacing", "a", "is", "too", "large", "small", "font", "menu", "perché", "ładuje",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  GString *page = g_string_new (NULL);

  for (guint i = 0; i < n_words; i++)
    {
      g_string_append (page, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
      if (i % 12 == 11)
        g_string_append (page, i % 96 == 95 ? ".\n\n" : ". ");
      else
        g_string_append_c (page, ' ');
    }
  return page;
}

/* A 100 KB page with a realistic edit: a paragraph moved, words changed
 * here and there, a sentence added. The time is a message, not a test. */
static void
test_big_page (void)
{
  g_autoptr(GString) old_page = make_page (96 * 167, 18);
  g_autoptr(GString) new_page = g_string_new (old_page->str);
  g_autoptr(GArray) runs = NULL;
  g_autofree char *shown = NULL;
  const char *para, *para_end;
  gint64 t0, t1;
  guint n_changes = 0;

  g_assert_cmpuint (old_page->len, >=, 100 * 1000);
  /* The second paragraph moved to the end. */
  para = strstr (new_page->str, ".\n\n") + 3;
  para_end = strstr (para, ".\n\n") + 3;
  {
    g_autofree char *moved = g_strndup (para, para_end - para);

    g_string_erase (new_page, para - new_page->str, para_end - para);
    /* The page ends with a paragraph's end, as the moved one does. */
    g_string_append (new_page, moved);
  }
  for (guint i = 1; i <= 20; i++)
    {
      char *at = new_page->str + i * (new_page->len / 22);

      while (*at != ' ')
        at++;
      g_string_insert (new_page, at - new_page->str, " inserted word");
    }
  g_string_prepend (new_page, "A new first sentence. ");

  t0 = g_get_monotonic_time ();
  runs = rl_diff_texts (old_page->str, old_page->len, new_page->str, new_page->len);
  t1 = g_get_monotonic_time ();
  g_test_message ("diff of a %zu-byte page: %.2f ms, %u runs", old_page->len, (t1 - t0) / 1000.0, runs->len);

  for (guint i = 0; i < runs->len; i++)
    {
      const RlDiffRun *run = &g_array_index (runs, RlDiffRun, i);

      if (run->kind != RL_DIFF_EQUAL)
        n_changes++;
    }
  /* Each edit is its own change, not a page-wide replacement: the moved
   * paragraph (deleted, inserted), 20 insertions, the first sentence. */
  g_assert_cmpuint (n_changes, ==, 23);
  shown = check_diff (old_page->str, new_page->str);
}

/* A page rewritten from top to bottom, too big to diff within the budget:
 * one deletion and one insertion, in linear memory. */
static void
test_total_rewrite (void)
{
  g_autoptr(GString) old_page = make_page (20000, 1);
  g_autoptr(GString) new_page = make_page (20000, 2);
  g_autofree char *small = check_diff ("Alpha beta gamma delta.", "Uno due tre quattro cinque!");
  g_autoptr(GArray) runs = NULL;
  gint64 t0, t1;

  /* Small: the shared spaces fold away. */
  g_assert_cmpstr (small, ==, "[-Alpha beta gamma delta.-]{+Uno due tre quattro cinque!+}");

  t0 = g_get_monotonic_time ();
  runs = rl_diff_texts (old_page->str, old_page->len, new_page->str, new_page->len);
  t1 = g_get_monotonic_time ();
  g_test_message ("total rewrite of a %zu-byte page: %.2f ms, %u runs", old_page->len, (t1 - t0) / 1000.0,
                  runs->len);
  /* The common head and tail (a space, a full stop) set aside, the rest
   * is one replacement. */
  {
    guint n_deleted = 0, n_inserted = 0, n_equal_chars = 0;

    for (guint i = 0; i < runs->len; i++)
      {
        const RlDiffRun *run = &g_array_index (runs, RlDiffRun, i);

        n_deleted += run->kind == RL_DIFF_DELETED;
        n_inserted += run->kind == RL_DIFF_INSERTED;
        if (run->kind == RL_DIFF_EQUAL)
          {
            g_assert_true (i == 0 || i == runs->len - 1);
            n_equal_chars += run->old_end - run->old_start;
          }
      }
    g_assert_cmpuint (n_deleted, ==, 1);
    g_assert_cmpuint (n_inserted, ==, 1);
    g_assert_cmpuint (n_equal_chars, <, 16);
  }
  g_free (check_diff (old_page->str, new_page->str));
}

/* Inputs that would cost the square of their size without the bounds: one
 * word of 50 000 letters changed at its end (not refined by characters),
 * and a page of one word repeated, with words inserted all along it (every
 * insertion could slide anywhere). Both texts given back, in bounded time. */
static void
test_pathological (void)
{
  g_autoptr(GString) long_old = g_string_new (NULL);
  g_autoptr(GString) long_new = NULL;
  g_autoptr(GString) same_old = g_string_new (NULL);
  g_autoptr(GString) same_new = g_string_new (NULL);
  g_autoptr(GArray) runs = NULL;
  gint64 t0, t1;

  for (guint i = 0; i < 50000; i++)
    g_string_append_c (long_old, 'a');
  long_new = g_string_new (long_old->str);
  g_string_append_c (long_old, 'x');
  g_string_append_c (long_new, 'y');
  t0 = g_get_monotonic_time ();
  runs = rl_diff_texts (long_old->str, -1, long_new->str, -1);
  t1 = g_get_monotonic_time ();
  g_test_message ("one 50 000-letter word changed: %.2f ms", (t1 - t0) / 1000.0);
  g_assert_cmpuint (runs->len, ==, 2);
  g_free (check_diff (long_old->str, long_new->str));

  for (guint i = 0; i < 20000; i++)
    {
      g_string_append (same_old, "la ");
      g_string_append (same_new, i % 7 == 0 ? "la la " : "la ");
    }
  t0 = g_get_monotonic_time ();
  g_clear_pointer (&runs, g_array_unref);
  runs = rl_diff_texts (same_old->str, -1, same_new->str, -1);
  t1 = g_get_monotonic_time ();
  g_test_message ("a repeated word, %u insertions: %.2f ms, %u runs", 20000 / 7 + 1, (t1 - t0) / 1000.0, runs->len);
  g_free (check_diff (same_old->str, same_new->str));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/diff/empty-and-identical", test_empty_and_identical);
  g_test_add_func ("/diff/corpus", test_corpus);
  g_test_add_func ("/diff/code-points", test_code_points);
  g_test_add_func ("/diff/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/diff/big-page", test_big_page);
  g_test_add_func ("/diff/total-rewrite", test_total_rewrite);
  g_test_add_func ("/diff/pathological", test_pathological);
  return g_test_run ();
}
