/* test-reanchor.c — re-finding page annotations in a changed text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <time.h>

#include "rl-json.h"
#include "rl-limits.h"
#include "rl-reanchor.h"

/* Untouched by an orphan: set before every call to see it. */
#define UNTOUCHED 4242u

/* Code points [start, end) of text, as a new string. */
static char *
cp_slice (const char *text,
          glong       start,
          glong       end)
{
  const char *from = g_utf8_offset_to_pointer (text, start);
  const char *to = g_utf8_offset_to_pointer (text, end);

  return g_strndup (from, (gsize) (to - from));
}

/* The code-point offset of the n-th (from 0) occurrence of needle. */
static guint
cp_find_nth (const char *text,
             const char *needle,
             guint       n)
{
  const char *at = text;

  for (guint i = 0;; i++)
    {
      at = strstr (at, needle);
      g_assert_nonnull (at);
      if (i == n)
        break;
      at++;
    }
  return (guint) g_utf8_pointer_to_offset (text, at);
}

static guint
cp_find (const char *text,
         const char *needle)
{
  return cp_find_nth (text, needle, 0);
}

static guint
cp_len (const char *str)
{
  return (guint) g_utf8_strlen (str, -1);
}

/* What the page view makes on a selection: offsets, the quote and up to 32
 * code points of context either side. */
static void
anchor_from (RlAnchor   *anchor,
             const char *text,
             guint       start,
             guint       end)
{
  guint n = cp_len (text);

  memset (anchor, 0, sizeof *anchor);
  anchor->kind = RL_DOC_KIND_PAGE;
  anchor->start = start;
  anchor->end = end;
  anchor->exact = cp_slice (text, start, end);
  anchor->prefix = cp_slice (text, start > RL_CONTEXT_MAX_CHARS ? start - RL_CONTEXT_MAX_CHARS : 0, start);
  anchor->suffix = cp_slice (text, end, MIN (n, end + RL_CONTEXT_MAX_CHARS));
}

static void
anchor_on (RlAnchor   *anchor,
           const char *text,
           const char *quote,
           guint       nth)
{
  guint start = cp_find_nth (text, quote, nth);

  anchor_from (anchor, text, start, start + cp_len (quote));
}

typedef struct
{
  RlAnchorFit fit;
  guint       start;
  guint       end;
  double      score;
} Placed;

static Placed
place (const char     *text,
       const RlAnchor *anchor)
{
  Placed p = { RL_ANCHOR_EXACT, UNTOUCHED, UNTOUCHED, -1.0 };

  p.fit = rl_reanchor (text, -1, anchor, &p.start, &p.end, &p.score);
  g_assert_cmpfloat (p.score, >=, 0.0);
  g_assert_cmpfloat (p.score, <=, 1.0);
  return p;
}

/* The fit, the range, and that the range holds what is expected. */
static void
assert_placed (const char     *text,
               const RlAnchor *anchor,
               RlAnchorFit     fit,
               const char     *expected)
{
  Placed p = place (text, anchor);
  g_autofree char *got = NULL;

  g_assert_cmpint (p.fit, ==, fit);
  g_assert_cmpuint (p.start, <, p.end);
  g_assert_cmpuint (p.end, <=, cp_len (text));
  got = cp_slice (text, p.start, p.end);
  g_assert_cmpstr (got, ==, expected);
}

static void
assert_orphaned (const char     *text,
                 const RlAnchor *anchor)
{
  Placed p = place (text, anchor);

  g_assert_cmpint (p.fit, ==, RL_ANCHOR_ORPHANED);
  g_assert_cmpuint (p.start, ==, UNTOUCHED);
  g_assert_cmpuint (p.end, ==, UNTOUCHED);
}

static const char *OLD_PAGE =
  "Onboarding copy review.\n"
  "The welcome screen greets new users with a short headline and a button.\n"
  "Please review the final copy before Friday so the team can ship it.\n"
  "Pricing starts at nine euros a month and you can cancel at any time.\n"
  "Thanks for reading.";

static void
test_unchanged (void)
{
  RlAnchor a;
  Placed p;

  anchor_on (&a, OLD_PAGE, "review the final copy", 0);
  p = place (OLD_PAGE, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_EXACT);
  g_assert_cmpuint (p.start, ==, a.start);
  g_assert_cmpuint (p.end, ==, a.end);
  g_assert_cmpfloat (p.score, ==, 1.0);
  rl_anchor_clear (&a);
}

static void
test_inserted_before (void)
{
  const char *insert = "Draft 2, changed on Monday.\n";
  g_autofree char *page = g_strconcat (insert, OLD_PAGE, NULL);
  RlAnchor a;
  Placed p;

  anchor_on (&a, OLD_PAGE, "review the final copy", 0);
  p = place (page, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
  g_assert_cmpuint (p.start, ==, a.start + cp_len (insert));
  g_assert_cmpuint (p.end, ==, a.end + cp_len (insert));
  /* The quote and its context are all still there. */
  g_assert_cmpfloat (p.score, ==, 1.0);
  rl_anchor_clear (&a);
}

static const char *FILLER =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
  "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut "
  "aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse. ";

static void
test_repeated_context_wins (void)
{
  g_autofree char *old = g_strconcat ("Toolbar: Save changes. ", FILLER, "Dialog footer: Save changes and close.", NULL);
  /* The dialog moved to the top; the toolbar's occurrence is now the
   * nearer one to the old start, but only the dialog's context matches. */
  g_autofree char *page = g_strconcat ("Dialog footer: Save changes and close. ", FILLER, FILLER,
                                       "Toolbar: Save changes. ", FILLER, NULL);
  RlAnchor a;
  Placed p;
  guint right, wrong;

  anchor_on (&a, old, "Save changes", 1);
  right = cp_find_nth (page, "Save changes", 0);
  wrong = cp_find_nth (page, "Save changes", 1);
  g_assert_cmpuint (ABS ((gint64) wrong - a.start), <, ABS ((gint64) right - a.start));

  p = place (page, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
  g_assert_cmpuint (p.start, ==, right);
  g_assert_cmpuint (p.end, ==, right + cp_len ("Save changes"));
  rl_anchor_clear (&a);

  /* And the toolbar's anchor goes the other way. */
  anchor_on (&a, old, "Save changes", 0);
  p = place (page, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
  g_assert_cmpuint (p.start, ==, wrong);
  rl_anchor_clear (&a);
}

static void
test_repeated_nearest (void)
{
  const char *unit = "Click Save changes to keep it. ";
  g_autofree char *old = g_strjoin ("", unit, unit, unit, unit, unit, NULL);
  g_autofree char *page = g_strconcat ("Twenty chars here.. ", old, NULL);
  RlAnchor a;
  Placed p;

  g_assert_cmpuint (cp_len ("Twenty chars here.. "), ==, 20);
  /* The third of five identical sentences: the second and the third have the
   * same context in the new text, and the second is nearer the old start. */
  anchor_on (&a, old, "Save changes", 2);
  g_assert_cmpuint (a.start, ==, 2 * 31 + 6);
  p = place (page, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
  g_assert_cmpuint (p.start, ==, 20 + 31 + 6);
  rl_anchor_clear (&a);

  /* No context at all: the nearest of three, before or after the old start. */
  memset (&a, 0, sizeof a);
  a.kind = RL_DOC_KIND_PAGE;
  a.exact = g_strdup ("Save");
  a.start = 50;
  a.end = 54;
  p = place ("Save ....... Save ....................... Save ........................ Save", &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
  g_assert_cmpuint (p.start, ==, 42);
  a.start = 55;
  a.end = 59;
  p = place ("Save ....... Save ....................... Save ........................ Save", &a);
  g_assert_cmpuint (p.start, ==, 42);
  a.start = 60;
  a.end = 64;
  p = place ("Save ....... Save ....................... Save ........................ Save", &a);
  g_assert_cmpuint (p.start, ==, 72);
  rl_anchor_clear (&a);
}

static void
test_edited_quote (void)
{
  RlAnchor a;
  Placed p;

  /* A word changed. */
  anchor_on (&a, OLD_PAGE, "review the final copy", 0);
  {
    g_autofree char *page = g_strdup (OLD_PAGE);
    char *at = strstr (page, "final copy");
    g_autofree char *edited = NULL;

    *at = '\0';
    edited = g_strconcat ("New intro line.\n", page, "finished copy", at + strlen ("final copy"), NULL);
    assert_placed (edited, &a, RL_ANCHOR_FUZZY, "review the finished copy");
    p = place (edited, &a);
    g_assert_cmpfloat (p.score, <, 1.0);
    g_assert_cmpfloat (p.score, >, 0.7);
  }
  rl_anchor_clear (&a);

  /* A typo fixed. */
  {
    const char *old = "Most users recieve the confirmation mail within a minute of signing up.";
    const char *page = "Most users receive the confirmation mail within a minute of signing up.";

    anchor_on (&a, old, "users recieve the confirmation", 0);
    assert_placed (page, &a, RL_ANCHOR_FUZZY, "users receive the confirmation");
    rl_anchor_clear (&a);
  }

  /* Punctuation added inside the quote and after it. */
  {
    const char *old = "Header text. Sign up now and get started today with the starter plan.";
    const char *page = "Header text. Sign up, now! And get started today with the starter plan.";

    anchor_on (&a, old, "Sign up now and get started today", 0);
    assert_placed (page, &a, RL_ANCHOR_FUZZY, "Sign up, now! And get started today");
    rl_anchor_clear (&a);
  }

  /* A short quote whose word was rewritten is still placed, because its
   * surroundings agree (its own similarity alone is under 0.8). */
  {
    const char *old = "The hero banner has a big button. Start free trial is its label, in bold.";
    const char *page = "The hero banner has a big button. Start your free trial is its label, in bold.";

    anchor_on (&a, old, "Start free trial", 0);
    assert_placed (page, &a, RL_ANCHOR_FUZZY, "Start your free trial");
    /* The same edit with the surroundings gone too is not enough. */
    assert_orphaned ("Something else entirely. Start your free trial. Nothing matches here at all.", &a);
    rl_anchor_clear (&a);
  }
}

static void
test_deleted_passage (void)
{
  const char *old = OLD_PAGE;
  g_autofree char *page = NULL;
  RlAnchor a;
  Placed p;

  anchor_on (&a, old, "Pricing starts at nine euros a month", 0);
  {
    g_autofree char *head = g_strndup (old, strstr (old, "Pricing") - old);
    const char *tail = strstr (old, "Thanks");

    page = g_strconcat (head, tail, NULL);
  }
  p = place (page, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_ORPHANED);
  g_assert_cmpuint (p.start, ==, UNTOUCHED);
  g_assert_cmpuint (p.end, ==, UNTOUCHED);
  /* Its context is still there (the sentences either side now touch), but
   * context alone places nothing. */
  g_assert_cmpfloat (p.score, <, RL_REANCHOR_MIN_SIMILARITY);
  rl_anchor_clear (&a);
}

static void
test_text_edges (void)
{
  const char *old = "Headline copy for the landing page, second draft";
  RlAnchor a;

  /* At the very start: no prefix. */
  anchor_on (&a, old, "Headline copy", 0);
  g_assert_cmpstr (a.prefix, ==, "");
  assert_placed ("Headline copy for the landing page", &a, RL_ANCHOR_EXACT, "Headline copy");
  a.start = 5;
  a.end = 18;
  assert_placed ("Headline copy for the landing page", &a, RL_ANCHOR_MOVED, "Headline copy");
  assert_placed ("Headline copies for the landing page", &a, RL_ANCHOR_FUZZY, "Headline copies");
  rl_anchor_clear (&a);

  /* At the very end: no suffix, and the quote ends the new text too. */
  anchor_on (&a, old, "second draft", 0);
  g_assert_cmpstr (a.suffix, ==, "");
  assert_placed ("A preface. Headline copy for the landing page, second draft", &a, RL_ANCHOR_MOVED, "second draft");
  assert_placed ("Headline copy for the new landing page, secund draft", &a, RL_ANCHOR_FUZZY, "secund draft");
  /* The whole text is the quote. */
  rl_anchor_clear (&a);
  anchor_from (&a, "second draft", 0, 12);
  assert_placed ("second draft", &a, RL_ANCHOR_EXACT, "second draft");
  assert_placed ("second draft!", &a, RL_ANCHOR_EXACT, "second draft");
  a.start = 1;
  a.end = 13;
  assert_placed ("second draft", &a, RL_ANCHOR_MOVED, "second draft");
  rl_anchor_clear (&a);
}

static void
test_non_ascii (void)
{
  RlAnchor a;
  Placed p;

  /* Italian accents: offsets count code points, not bytes. */
  {
    const char *old = "Perché la città è più bella di sera? Sì, è così.";
    const char *page = "Però: perché la città è più bella di sera? Sì, è così.";

    anchor_on (&a, old, "città è più bella", 0);
    p = place (page, &a);
    g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
    g_assert_cmpuint (p.start, ==, 16);
    g_assert_cmpuint (p.end, ==, 33);
    assert_placed ("Perché la cittá è più bella di sera? Sì, è così.", &a, RL_ANCHOR_FUZZY, "cittá è più bella");
    rl_anchor_clear (&a);
  }

  /* Polish. */
  {
    const char *old = "Zażółć gęślą jaźń. Źdźbło trawy, łąka i żółte śliwki.";
    const char *page = "Wstęp: ąęłśżź. Zażółć gęślą jaźń. Źdźbło trawy, łąka i żółte śliwki.";

    anchor_on (&a, old, "łąka i żółte śliwki", 0);
    p = place (page, &a);
    g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
    g_assert_cmpuint (p.start, ==, cp_find (page, "łąka"));
    g_assert_cmpuint (p.end, ==, cp_len (page) - 1);
    assert_placed ("Wstęp. Zażółć gęślą jaźń. Źdźbło trawy, łąki i żółte śliwki.", &a, RL_ANCHOR_FUZZY,
                   "łąki i żółte śliwki");
    rl_anchor_clear (&a);
  }

  /* Danish. */
  {
    const char *old = "Rødgrød med fløde. Blåbærtærte på øen er bedst om sommeren.";
    const char *page = "Æbleskiver først. Rødgrød med fløde. Blåbærtærte på øen er bedst om sommeren!";

    anchor_on (&a, old, "Blåbærtærte på øen", 0);
    assert_placed (page, &a, RL_ANCHOR_MOVED, "Blåbærtærte på øen");
    p = place (page, &a);
    g_assert_cmpuint (p.start, ==, 37);
    assert_placed ("Rødgrød med fløde. Blåbærtærte på øerne er bedst om sommeren.", &a, RL_ANCHOR_FUZZY,
                   "Blåbærtærte på øerne");
    rl_anchor_clear (&a);
  }

  /* Astral characters are one code point each. */
  {
    const char *old = "Launch 🚀 day: 🎉 party at noon 🍕 for everyone.";
    const char *page = "👋👋👋 Launch 🚀 day: 🎉 party at noon 🍕 for everyone.";

    anchor_on (&a, old, "🎉 party at noon 🍕", 0);
    g_assert_cmpuint (a.start, ==, 14);
    p = place (page, &a);
    g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
    g_assert_cmpuint (p.start, ==, 18);
    g_assert_cmpuint (p.end, ==, 18 + 17);
    assert_placed ("👋 Launch 🚀 day: 🎊 party at noon 🍕 for everyone.", &a, RL_ANCHOR_FUZZY, "🎊 party at noon 🍕");
    rl_anchor_clear (&a);
  }
}

static void
test_normalisation (void)
{
  /* "Caffè latte" with the grave as a combining mark: 12 code points. */
  const char *decomposed = "Il Caffe\xcc\x80 latte e\xcc\x81 pronto.";
  const char *precomposed = "Il Caffè latte é pronto.";
  RlAnchor a;
  Placed p;

  g_assert_cmpuint (cp_len (decomposed), ==, cp_len (precomposed) + 2);

  /* Precomposed quote, decomposed text: found, and the range covers the
   * combining mark in the text's own code points. */
  anchor_on (&a, precomposed, "Caffè", 0);
  p = place (decomposed, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
  g_assert_cmpuint (p.start, ==, 3);
  g_assert_cmpuint (p.end, ==, 9);
  rl_anchor_clear (&a);

  /* After the combining marks, offsets are shifted by them. */
  anchor_on (&a, precomposed, "latte é pronto", 0);
  p = place (decomposed, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
  g_assert_cmpuint (p.start, ==, 10);
  g_assert_cmpuint (p.end, ==, 10 + 15);
  rl_anchor_clear (&a);

  /* Decomposed quote, precomposed text. */
  anchor_on (&a, decomposed, "Caffe\xcc\x80 latte", 0);
  p = place (precomposed, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
  g_assert_cmpuint (p.start, ==, 3);
  g_assert_cmpuint (p.end, ==, 14);
  rl_anchor_clear (&a);

  /* Offsets that are right but the forms differ: still EXACT. */
  memset (&a, 0, sizeof a);
  a.kind = RL_DOC_KIND_PAGE;
  a.exact = g_strdup ("Caffè");
  a.start = 3;
  a.end = 9;
  p = place (decomposed, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_EXACT);
  g_assert_cmpuint (p.end, ==, 9);

  /* A match never splits a base letter from its mark: the unaccented quote
   * takes the whole accented letter. */
  g_free (a.exact);
  a.exact = g_strdup ("Caffe latte");
  a.start = 30;
  a.end = 41;
  p = place (decomposed, &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_FUZZY);
  g_assert_cmpuint (p.start, ==, 3);
  g_assert_cmpuint (p.end, ==, 15);
  rl_anchor_clear (&a);

  /* Case-sensitive: a change of case only is an edit, not an occurrence. */
  anchor_on (&a, precomposed, "pronto", 0);
  p = place ("IL CAFFÈ LATTE É PRONTO.", &a);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_ORPHANED);
  rl_anchor_clear (&a);
}

/* Deterministic prose, varied enough that long passages do not repeat. */
static char *
make_prose (guint32 seed,
            gsize   min_bytes)
{
  static const char *words[] = {
    "design", "review", "mockup", "button", "header", "colour", "spacing", "copy", "layout", "icon",
    "the", "a", "of", "and", "to", "with", "for", "in", "on", "is", "team", "draft", "page", "grid",
    "token", "shadow", "border", "font", "weight", "contrast", "accent", "menu", "dialog", "toast",
    "banner", "panel", "thread", "comment", "pin", "marker", "zoom", "scroll", "cursor", "focus",
    "label", "tooltip", "badge", "avatar", "status", "sidebar", "footer", "card", "list", "row",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  GString *out = g_string_new (NULL);

  while (out->len < min_bytes)
    {
      guint n = (guint) g_rand_int_range (rand, 6, 18);

      for (guint i = 0; i < n; i++)
        {
          const char *w = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];

          if (i == 0)
            {
              g_string_append_c (out, g_ascii_toupper (w[0]));
              g_string_append (out, w + 1);
            }
          else
            g_string_append_printf (out, " %s", w);
        }
      g_string_append (out, g_rand_int_range (rand, 0, 5) == 0 ? ".\n" : ". ");
    }
  return g_string_free (out, FALSE);
}

/* text with the ASCII byte range [at, at + len) replaced by with. */
static char *
splice (const char *text,
        gsize       at,
        gsize       len,
        const char *with)
{
  GString *out = g_string_new_len (text, (gssize) at);

  g_string_append (out, with);
  g_string_append (out, text + at + len);
  return g_string_free (out, FALSE);
}

static void
test_long_quote (void)
{
  g_autofree char *prose = make_prose (7, 12000);
  g_autofree char *quote = NULL;
  RlAnchor a;
  Placed p;

  /* About 3000 code points from the middle of the page (all ASCII, so
   * bytes and code points agree and splicing is simple). */
  anchor_from (&a, prose, 4000, 7000);
  quote = g_strdup (a.exact);

  /* Moved. */
  {
    g_autofree char *page = g_strconcat ("A new first paragraph.\n", prose, NULL);

    p = place (page, &a);
    g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
    g_assert_cmpuint (p.start, ==, 4000 + 23);
    g_assert_cmpuint (p.end, ==, 7000 + 23);
  }

  /* Edited in the middle (a word replaced, a sentence inserted). */
  {
    g_autofree char *e1 = splice (prose, 5500, 6, "REPLACED WORD");
    g_autofree char *e2 = splice (e1, 6000, 0, "An extra sentence. ");
    g_autofree char *page = g_strconcat ("Intro.\n", e2, NULL);
    guint extra = 13 - 6 + 19;

    p = place (page, &a);
    g_assert_cmpint (p.fit, ==, RL_ANCHOR_FUZZY);
    g_assert_cmpuint (p.start, ==, 4000 + 7);
    g_assert_cmpuint (p.end, ==, 7000 + 7 + extra);
    g_assert_cmpfloat (p.score, >, 0.95);
  }

  /* Its first 40 characters rewritten: found from its tail. */
  {
    g_autofree char *page = splice (prose, 4000, 40, "Something completely different went here, ok.");

    p = place (page, &a);
    g_assert_cmpint (p.fit, ==, RL_ANCHOR_FUZZY);
    /* 40 code points became 45. Where the rewritten start begins is a
     * matter of taste (all of it is edits); near the old one. */
    g_assert_cmpuint (p.end, ==, 7000 + 5);
    g_assert_cmpuint (p.start, >=, 4000 - 20);
    g_assert_cmpuint (p.start, <=, 4000 + 5);
  }

  /* Its last 40 characters rewritten: found from its head. */
  {
    g_autofree char *page = splice (prose, 6960, 40, "Something completely different went here, ok.");

    p = place (page, &a);
    g_assert_cmpint (p.fit, ==, RL_ANCHOR_FUZZY);
    g_assert_cmpuint (p.start, ==, 4000);
    g_assert_cmpuint (p.end, >=, 7000 + 5 - 20);
    g_assert_cmpuint (p.end, <=, 7000 + 5 + 20);
  }

  /* Half of it gone: orphaned. */
  {
    g_autofree char *page = splice (prose, 4500, 1500, "");

    assert_orphaned (page, &a);
  }
  rl_anchor_clear (&a);
}

static void
test_degenerate (void)
{
  RlAnchor a = { 0 };
  Placed p;
  guint start = UNTOUCHED, end = UNTOUCHED;

  a.kind = RL_DOC_KIND_PAGE;
  a.exact = g_strdup ("hello");
  a.start = 0;
  a.end = 5;

  /* Empty text, NULL text of no length. */
  assert_orphaned ("", &a);
  g_assert_cmpint (rl_reanchor (NULL, 0, &a, &start, &end, NULL), ==, RL_ANCHOR_ORPHANED);
  g_assert_cmpuint (start, ==, UNTOUCHED);

  /* Exact longer than the text. */
  g_free (a.exact);
  a.exact = g_strdup ("hello there, this quote is far longer than the text");
  a.end = 51;
  assert_orphaned ("hello", &a);
  assert_orphaned ("hello there", &a);

  /* Offsets past the end of the text are just stale. */
  g_free (a.exact);
  a.exact = g_strdup ("world");
  a.start = 100;
  a.end = 105;
  assert_placed ("hello world", &a, RL_ANCHOR_MOVED, "world");

  /* Invalid anchors: orphans, never crashes. */
  a.start = 6;
  a.end = 11;
  assert_placed ("hello world", &a, RL_ANCHOR_EXACT, "world");
  a.start = 11;
  a.end = 6;
  assert_orphaned ("hello world", &a);
  a.start = -1;
  a.end = 4;
  assert_orphaned ("hello world", &a);
  a.start = 6;
  a.end = 11;
  a.kind = RL_DOC_KIND_IMAGE;
  assert_orphaned ("hello world", &a);
  a.kind = RL_DOC_KIND_PAGE;
  g_clear_pointer (&a.exact, g_free);
  assert_orphaned ("hello world", &a);
  a.exact = g_strdup ("");
  assert_orphaned ("hello world", &a);
  g_free (a.exact);
  a.exact = g_strdup ("wor\xff\xfeld");
  assert_orphaned ("hello world", &a);
  /* Broken context is only no help. */
  g_free (a.exact);
  a.exact = g_strdup ("world");
  a.prefix = g_strdup ("\xc3");
  a.suffix = g_strdup ("\xe2\x82");
  a.start = 0;
  a.end = 5;
  assert_placed ("hello world", &a, RL_ANCHOR_MOVED, "world");

  /* A text that is not UTF-8 is read with a replacement character. */
  p.fit = rl_reanchor ("he\xffllo world", -1, &a, &p.start, &p.end, NULL);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
  g_assert_cmpuint (p.start, ==, 7);
  /* An explicit length stops before the rest. */
  p.fit = rl_reanchor ("hello world and more", 11, &a, &p.start, &p.end, &p.score);
  g_assert_cmpint (p.fit, ==, RL_ANCHOR_MOVED);
  g_assert_cmpuint (p.end, ==, 11);
  g_assert_cmpint (rl_reanchor ("hello worl", 10, &a, NULL, NULL, NULL), ==, RL_ANCHOR_FUZZY);
  g_assert_cmpint (rl_reanchor ("hello wor", 9, &a, NULL, NULL, NULL), ==, RL_ANCHOR_ORPHANED);
  rl_anchor_clear (&a);
}

typedef struct
{
  RlAnchor    anchor;
  RlAnchorFit expected_fit;
  guint       expected_start;
  guint       expected_end;
} Case;

/* 200 anchors on a 100 KB page: a paragraph inserted at the top moves them
 * all, one in four also has a character of its quote changed. Every one
 * must land where it belongs; the time is printed, not asserted. */
static void
test_batch_benchmark (void)
{
  g_autofree char *old = make_prose (42, 100 * 1024);
  const char *insert = "A new opening paragraph for this revision.\n";
  guint n_insert = cp_len (insert);
  guint n_old = cp_len (old);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  Case cases[200];
  g_autoptr(GString) page = g_string_new (old);
  g_autoptr(RlReanchorer) reanchorer = NULL;
  guint counts[RL_ANCHOR_ORPHANED + 1] = { 0 };
  gint64 t0, t1, t2;

  /* Non-overlapping ranges, in order, so edits never touch another quote
   * or its context. */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint slot = n_old / G_N_ELEMENTS (cases);
      guint start = i * slot + 40 + (guint) g_rand_int_range (rand, 0, (gint32) slot - 200);
      guint end = start + (guint) g_rand_int_range (rand, 30, 120);

      anchor_from (&cases[i].anchor, old, start, end);
      cases[i].expected_fit = i % 4 == 3 ? RL_ANCHOR_FUZZY : RL_ANCHOR_MOVED;
      cases[i].expected_start = start + n_insert;
      cases[i].expected_end = end + n_insert;
    }
  /* Edits from the end, so earlier byte offsets (all ASCII) hold. */
  for (guint i = G_N_ELEMENTS (cases); i-- > 0;)
    if (cases[i].expected_fit == RL_ANCHOR_FUZZY)
      {
        gsize mid = (gsize) (cases[i].anchor.start + cases[i].anchor.end) / 2;

        page->str[mid] = page->str[mid] == '#' ? '%' : '#';
      }
  g_string_prepend (page, insert);

  t0 = g_get_monotonic_time ();
  reanchorer = rl_reanchorer_new (page->str, (gssize) page->len);
  t1 = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Placed p = { 0, UNTOUCHED, UNTOUCHED, 0 };

      p.fit = rl_reanchorer_place (reanchorer, &cases[i].anchor, &p.start, &p.end, &p.score);
      counts[p.fit]++;
      g_assert_cmpint (p.fit, ==, cases[i].expected_fit);
      g_assert_cmpuint (p.start, ==, cases[i].expected_start);
      g_assert_cmpuint (p.end, ==, cases[i].expected_end);
    }
  t2 = g_get_monotonic_time ();

  g_test_message ("reanchor benchmark: %u anchors on a %zu-byte page: prepare %.2f ms, place %.2f ms "
                  "(%u moved, %u fuzzy)",
                  (guint) G_N_ELEMENTS (cases), page->len, (t1 - t0) / 1000.0, (t2 - t1) / 1000.0,
                  counts[RL_ANCHOR_MOVED], counts[RL_ANCHOR_FUZZY]);

  /* The one-shot form agrees with the batch. */
  for (guint i = 0; i < 8; i++)
    {
      guint s = 0, e = 0;

      g_assert_cmpint (rl_reanchor (page->str, (gssize) page->len, &cases[i].anchor, &s, &e, NULL),
                       ==, cases[i].expected_fit);
      g_assert_cmpuint (s, ==, cases[i].expected_start);
      g_assert_cmpuint (e, ==, cases[i].expected_end);
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    rl_anchor_clear (&cases[i].anchor);
}

/* Found by hand, probing the reanchorer with long pages beside
 * fuzz-reanchor: GLib's g_utf8_normalize shifts the rest of its buffer for
 * every composition it makes, and the whole page went through it to see
 * whether it was NFC. A 1.5 MB page of 600 000 precomposed accents ("é",
 * "ế": NFC already, like an ordinary page in Vietnamese) took 28 s of CPU in
 * the app's main loop, 300 000 "e" + U+0301 took 3.5 s; now 0.05 s each. */
static void
test_long_accented_pages (void)
{
  g_autoptr(GString) precomposed = g_string_new (NULL);
  g_autoptr(GString) decomposed = g_string_new (NULL);
  GString *pages[] = { precomposed, decomposed };

  for (guint i = 0; i < 300000; i++)
    {
      g_string_append (precomposed, "\xc3\xa9\xe1\xba\xbf");   /* é ế */
      g_string_append (decomposed, "e\xcc\x81");                /* e + U+0301 */
    }
  g_string_append (precomposed, " the end");
  g_string_append (decomposed, " the end");

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(RlReanchorer) reanchorer = NULL;
      RlAnchor anchor = { .kind = RL_DOC_KIND_PAGE, .start = 3, .end = 10,
                          .exact = (char *) "the end", .prefix = (char *) " ", .suffix = (char *) "" };
      guint start = 0, end = 0;
      clock_t begin = clock ();
      double seconds;
      guint n_chars = (guint) g_utf8_strlen (pages[i]->str, -1);

      reanchorer = rl_reanchorer_new (pages[i]->str, (gssize) pages[i]->len);
      g_assert_cmpint (rl_reanchorer_place (reanchorer, &anchor, &start, &end, NULL), ==, RL_ANCHOR_MOVED);
      seconds = (double) (clock () - begin) / CLOCKS_PER_SEC;
      g_assert_cmpuint (start, ==, n_chars - 7);
      g_assert_cmpuint (end, ==, n_chars);
      g_test_message ("%s page of %zu bytes: %.3f s of CPU", i == 0 ? "precomposed" : "decomposed", pages[i]->len,
                      seconds);
      g_assert_cmpfloat (seconds, <, 1.0);
    }
}

/* ---- the corpus: revisions of real pages, as the server places threads -- */

/* A thread on the old revision, and what it must become on the new one:
 * its status and the quote it then holds (the expected_nth occurrence of
 * expected in the new text; NULL for an orphan). */
typedef struct
{
  const char        *quote;
  guint              nth;
  RlPlacementStatus  status;
  const char        *expected;
  guint              expected_nth;
} CorpusThread;

typedef struct
{
  const char   *name;
  const char   *old_text;
  const char   *new_text;
  CorpusThread  threads[6];
} CorpusRevision;

static const CorpusRevision corpus[] = {
  {
    "reworded, deleted and moved (English pricing page)",
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
    {
      { "one plan for every team", 0, RL_PLACEMENT_CHANGED, "single plan for every team", 0 },
      { "Start your free trial today", 0, RL_PLACEMENT_MOVED, "Start your free trial today", 0 },
      { "Write to us at any time", 0, RL_PLACEMENT_ORPHANED, NULL, 0 },
      { "Pricing", 0, RL_PLACEMENT_EXACT, "Pricing", 0 },
      { "unlimited reviewers and version history", 0, RL_PLACEMENT_MOVED,
        "unlimited reviewers and version history", 0 },
    },
  },
  {
    "a paragraph moved to the end",
    "Install the app from Flathub.\n\n"
    "Sign in with the invitation your administrator sent you.\n\n"
    "Open a mockup and click anywhere to leave a comment.",
    "Install the app from Flathub.\n\n"
    "Open a mockup and click anywhere to leave a comment.\n\n"
    "Sign in with the invitation your administrator sent you.",
    {
      { "the invitation your administrator sent you", 0, RL_PLACEMENT_MOVED,
        "the invitation your administrator sent you", 0 },
      { "click anywhere", 0, RL_PLACEMENT_MOVED, "click anywhere", 0 },
      { "Install the app", 0, RL_PLACEMENT_EXACT, "Install the app", 0 },
    },
  },
  {
    "Italian: accents, a word changed, a sentence deleted",
    "La revisione è già pronta: più spazio tra i pulsanti, perché il menù era troppo stretto. "
    "Il caffè della pagina iniziale è ancora quello vecchio. "
    "Città e attività compaiono in ordine alfabetico.",
    "La revisione è già pronta: più spazio tra i pulsanti, perché il menù era troppo affollato. "
    "Città e attività compaiono in ordine alfabetico.",
    {
      { "più spazio tra i pulsanti", 0, RL_PLACEMENT_EXACT, "più spazio tra i pulsanti", 0 },
      { "perché il menù era troppo stretto", 0, RL_PLACEMENT_CHANGED, "perché il menù era troppo affollato", 0 },
      { "Il caffè della pagina iniziale", 0, RL_PLACEMENT_ORPHANED, NULL, 0 },
      { "Città e attività", 0, RL_PLACEMENT_MOVED, "Città e attività", 0 },
    },
  },
  {
    "Polish: diacritics, text inserted before",
    "Zażółć gęślą jaźń. Przycisk „Zapisz” jest za mały na ekranie logowania. "
    "Źródło obrazka w stopce się nie ładuje.",
    "Poprawki po przeglądzie z czwartku. "
    "Zażółć gęślą jaźń. Przycisk „Zapisz” jest za mały na ekranie logowania. "
    "Źródło ilustracji w stopce się nie ładuje.",
    {
      { "Przycisk „Zapisz” jest za mały", 0, RL_PLACEMENT_MOVED, "Przycisk „Zapisz” jest za mały", 0 },
      { "Źródło obrazka w stopce", 0, RL_PLACEMENT_CHANGED, "Źródło ilustracji w stopce", 0 },
      { "gęślą jaźń", 0, RL_PLACEMENT_MOVED, "gęślą jaźń", 0 },
    },
  },
  {
    "Danish: æ, ø, å, a sentence reworded",
    "Blåbærgrøden på side to er for sød. Ændr teksten på knappen til »Køb nu«. "
    "Øverste linje skal være fed.",
    "Blåbærgrøden på side to er for sød. Ændr teksten på knappen til »Bestil nu«. "
    "Øverste linje skal være fed.",
    {
      { "Blåbærgrøden på side to", 0, RL_PLACEMENT_EXACT, "Blåbærgrøden på side to", 0 },
      { "teksten på knappen til »Køb nu«", 0, RL_PLACEMENT_CHANGED, "teksten på knappen til »Bestil nu«", 0 },
      { "Øverste linje skal være fed", 0, RL_PLACEMENT_MOVED, "Øverste linje skal være fed", 0 },
    },
  },
  {
    /* One code point each: 🚀, ✅; 👩‍💻 is three (woman, ZWJ, laptop). */
    "emoji: offsets count code points",
    "Ship it 🚀 once the 👩‍💻 review is done ✅ and the copy is final.",
    "🎉 Ship it 🚀🚀 once the 👩‍💻 review is done ✅ and the copy is final.",
    {
      { "review is done ✅", 0, RL_PLACEMENT_MOVED, "review is done ✅", 0 },
      { "👩‍💻", 0, RL_PLACEMENT_MOVED, "👩‍💻", 0 },
      { "Ship it", 0, RL_PLACEMENT_MOVED, "Ship it", 0 },
    },
  },
};

/* Through the wire's own checks: what the server stores is valid there. */
static void
assert_valid_on_the_wire (const RlAnchor *anchor)
{
  g_autoptr(JsonNode) node = rl_anchor_to_json (anchor);
  g_autoptr(GError) error = NULL;
  RlAnchor read;

  g_assert_true (rl_anchor_from_json (node, &read, &error));
  g_assert_no_error (error);
  g_assert_true (rl_anchor_equal (&read, anchor));
  rl_anchor_clear (&read);
}

static void
test_corpus (void)
{
  for (guint r = 0; r < G_N_ELEMENTS (corpus); r++)
    {
      const CorpusRevision *revision = &corpus[r];
      g_autoptr(RlReanchorer) reanchorer = rl_reanchorer_new (revision->new_text, -1);

      for (guint t = 0; t < G_N_ELEMENTS (revision->threads) && revision->threads[t].quote != NULL; t++)
        {
          const CorpusThread *thread = &revision->threads[t];
          RlAnchor old, placed;
          double score = -1;
          RlPlacementStatus status;

          anchor_on (&old, revision->old_text, thread->quote, thread->nth);
          status = rl_reanchorer_place_anchor (reanchorer, &old, &placed, &score);
          g_test_message ("%s: “%s” %s [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") “%s” score %.3f",
                          revision->name, thread->quote, rl_placement_status_to_string (status), placed.start,
                          placed.end, placed.exact, score);
          g_assert_cmpstr (rl_placement_status_to_string (status), ==, rl_placement_status_to_string (thread->status));
          g_assert_cmpfloat (score, >=, 0.0);
          g_assert_cmpfloat (score, <=, 1.0);

          if (thread->status == RL_PLACEMENT_ORPHANED)
            {
              /* No anchor on the new revision (the thread keeps its own). */
              g_assert_cmpint (placed.kind, ==, 0);
              g_assert_cmpint (placed.start, ==, 0);
              g_assert_cmpint (placed.end, ==, 0);
              g_assert_null (placed.exact);
              g_assert_null (placed.prefix);
              g_assert_null (placed.suffix);
            }
          else
            {
              guint start = cp_find_nth (revision->new_text, thread->expected, thread->expected_nth);
              guint n = cp_len (revision->new_text);
              g_autofree char *prefix = cp_slice (revision->new_text, start > RL_CONTEXT_MAX_CHARS
                                                  ? start - RL_CONTEXT_MAX_CHARS : 0, start);
              g_autofree char *suffix = NULL;

              g_assert_cmpint (placed.kind, ==, RL_DOC_KIND_PAGE);
              g_assert_cmpint (placed.start, ==, start);
              g_assert_cmpint (placed.end, ==, start + cp_len (thread->expected));
              g_assert_cmpstr (placed.exact, ==, thread->expected);
              suffix = cp_slice (revision->new_text, placed.end, MIN (n, placed.end + RL_CONTEXT_MAX_CHARS));
              g_assert_cmpstr (placed.prefix, ==, prefix);
              g_assert_cmpstr (placed.suffix, ==, suffix);
              g_assert_cmpuint (cp_len (placed.prefix), <=, RL_CONTEXT_MAX_CHARS);
              g_assert_cmpuint (cp_len (placed.suffix), <=, RL_CONTEXT_MAX_CHARS);
              if (thread->status == RL_PLACEMENT_EXACT)
                g_assert_cmpint (placed.start, ==, old.start);
              else if (thread->status == RL_PLACEMENT_CHANGED)
                g_assert_cmpfloat (score, <, 1.0);
              assert_valid_on_the_wire (&placed);
              /* Placed again on the same text, it is where it is. */
              {
                RlAnchor again;

                g_assert_cmpint (rl_reanchorer_place_anchor (reanchorer, &placed, &again, NULL), ==,
                                 RL_PLACEMENT_EXACT);
                g_assert_true (rl_anchor_equal (&again, &placed));
                rl_anchor_clear (&again);
              }
            }
          rl_anchor_clear (&old);
          rl_anchor_clear (&placed);
        }
    }
}

/* Every fit has its one status; anything unplaceable is an orphan. */
static void
test_place_anchor_mapping (void)
{
  g_autoptr(RlReanchorer) reanchorer = rl_reanchorer_new (OLD_PAGE, -1);
  RlAnchor image = { .kind = RL_DOC_KIND_IMAGE, .x = 0.5, .y = 0.25 };
  RlAnchor placed;
  RlAnchor old;
  double score = -1;

  anchor_on (&old, OLD_PAGE, "review the final copy", 0);
  g_assert_cmpint (rl_reanchorer_place_anchor (reanchorer, &old, &placed, &score), ==, RL_PLACEMENT_EXACT);
  g_assert_cmpfloat (score, ==, 1.0);
  g_assert_true (rl_anchor_equal (&placed, &old));
  rl_anchor_clear (&placed);
  rl_anchor_clear (&old);

  g_assert_cmpint (rl_reanchorer_place_anchor (reanchorer, &image, &placed, NULL), ==, RL_PLACEMENT_ORPHANED);
  g_assert_null (placed.exact);
  g_assert_cmpint (placed.start, ==, 0);
  rl_anchor_clear (&placed);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reanchor/unchanged", test_unchanged);
  g_test_add_func ("/reanchor/inserted-before", test_inserted_before);
  g_test_add_func ("/reanchor/repeated-context-wins", test_repeated_context_wins);
  g_test_add_func ("/reanchor/repeated-nearest", test_repeated_nearest);
  g_test_add_func ("/reanchor/edited-quote", test_edited_quote);
  g_test_add_func ("/reanchor/deleted-passage", test_deleted_passage);
  g_test_add_func ("/reanchor/text-edges", test_text_edges);
  g_test_add_func ("/reanchor/non-ascii", test_non_ascii);
  g_test_add_func ("/reanchor/normalisation", test_normalisation);
  g_test_add_func ("/reanchor/long-quote", test_long_quote);
  g_test_add_func ("/reanchor/degenerate", test_degenerate);
  g_test_add_func ("/reanchor/batch-benchmark", test_batch_benchmark);
  g_test_add_func ("/reanchor/long-accented-pages", test_long_accented_pages);
  g_test_add_func ("/reanchor/place-anchor-mapping", test_place_anchor_mapping);
  g_test_add_func ("/reanchor/corpus", test_corpus);

  return g_test_run ();
}
