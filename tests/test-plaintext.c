/* test-plaintext.c — the page's one plain text (PROTOCOL.md §8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <time.h>

#include "rl-error.h"
#include "rl-json.h"
#include "rl-plaintext-private.h"

static char *
md (const char *source)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlPageText) text = rl_page_text_new ("text/markdown", source, strlen (source), &error);

  g_assert_no_error (error);
  return g_strdup (rl_page_text_get_text (text, NULL));
}

#define ASSERT_MD(source, expected) \
  G_STMT_START { g_autofree char *got_ = md (source); g_assert_cmpstr (got_, ==, expected); } G_STMT_END

static void
test_blocks (void)
{
  ASSERT_MD ("# Title\n\nSome text.", "Title\nSome text.");
  ASSERT_MD ("Title\n=====\n\nSub\n---\n", "Title\nSub");
  ASSERT_MD ("one\ntwo  \nthree\\\nfour", "one two\nthree\nfour");
  ASSERT_MD ("A *b* **c** ~~d~~ _e_ __f__", "A b c d e f");
  ASSERT_MD ("> quoted\n>\n> twice", "quoted\ntwice");
  ASSERT_MD ("before\n\n***\n\nafter", "before\nafter");
  ASSERT_MD ("", "");
  ASSERT_MD ("\n\n\n", "");
}

static void
test_lists (void)
{
  ASSERT_MD ("- one\n- two\n- three", "one\ntwo\nthree");
  ASSERT_MD ("- one\n\n- two\n\n  more\n", "one\ntwo\nmore");
  ASSERT_MD ("1. first\n2. second", "first\nsecond");
  ASSERT_MD ("- a\n  - b\n  - c\n- d", "a\nb\nc\nd");
  ASSERT_MD ("* star\n+ plus", "star\nplus");
}

static void
test_tables (void)
{
  ASSERT_MD ("| Name | Size |\n|------|-----:|\n| Logo | 48 |\n| CTA | *16* |", "Name\nSize\nLogo\n48\nCTA\n16");
  /* An empty cell adds nothing, not even a separator. */
  ASSERT_MD ("| a | b |\n|---|---|\n|   | c |", "a\nb\nc");
}

/* The table, its rows and cells as spans, over the same plain text: a view
 * knows which lines are one row, each cell's column and its alignment. */
static void
test_table_structure (void)
{
  const char *source = "Prices\n\n| Plan | Price | Note |\n|:-----|------:|:----:|\n| Free | 0 € | |\n|  | 9 € | *best* |\n";
  g_autoptr(RlPageText) text = rl_page_text_new ("text/markdown", source, strlen (source), NULL);
  static const struct
  {
    RlTextSpanKind kind;
    guint          start, end;
    int            level, number;
    RlTextAlign    align;
  } expected[] = {
    { RL_TEXT_SPAN_PARAGRAPH, 0, 6, 0, 0, RL_TEXT_ALIGN_DEFAULT },
    { RL_TEXT_SPAN_TABLE, 7, 40, 0, 0, RL_TEXT_ALIGN_DEFAULT },
    { RL_TEXT_SPAN_TABLE_ROW, 7, 22, 1, 0, RL_TEXT_ALIGN_DEFAULT },
    { RL_TEXT_SPAN_TABLE_CELL, 7, 11, 1, 1, RL_TEXT_ALIGN_LEFT },
    { RL_TEXT_SPAN_TABLE_CELL, 12, 17, 1, 2, RL_TEXT_ALIGN_RIGHT },
    { RL_TEXT_SPAN_TABLE_CELL, 18, 22, 1, 3, RL_TEXT_ALIGN_CENTER },
    { RL_TEXT_SPAN_TABLE_ROW, 23, 31, 0, 0, RL_TEXT_ALIGN_DEFAULT },
    { RL_TEXT_SPAN_TABLE_CELL, 23, 27, 0, 1, RL_TEXT_ALIGN_LEFT },
    { RL_TEXT_SPAN_TABLE_CELL, 28, 31, 0, 2, RL_TEXT_ALIGN_RIGHT },
    /* The empty first cell adds nothing; the next one keeps its column. */
    { RL_TEXT_SPAN_TABLE_ROW, 32, 40, 0, 0, RL_TEXT_ALIGN_DEFAULT },
    { RL_TEXT_SPAN_TABLE_CELL, 32, 35, 0, 2, RL_TEXT_ALIGN_RIGHT },
    { RL_TEXT_SPAN_TABLE_CELL, 36, 40, 0, 3, RL_TEXT_ALIGN_CENTER },
    { RL_TEXT_SPAN_EMPHASIS, 36, 40, 0, 0, RL_TEXT_ALIGN_DEFAULT },
  };
  const RlTextSpan *spans;
  guint n;

  g_assert_cmpstr (rl_page_text_get_text (text, NULL), ==, "Prices\nPlan\nPrice\nNote\nFree\n0 €\n9 €\nbest");
  spans = rl_page_text_get_spans (text, &n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (spans[i].kind, ==, expected[i].kind);
      g_assert_cmpuint (spans[i].start, ==, expected[i].start);
      g_assert_cmpuint (spans[i].end, ==, expected[i].end);
      g_assert_cmpint (spans[i].level, ==, expected[i].level);
      g_assert_cmpint (spans[i].number, ==, expected[i].number);
      g_assert_cmpint (spans[i].align, ==, expected[i].align);
    }
}

static void
test_code (void)
{
  ASSERT_MD ("Use `Start  free` now.", "Use Start  free now.");
  ASSERT_MD ("```\nline 1\n  line 2\n```\n", "line 1\n  line 2");
  ASSERT_MD ("para\n\n    indented\n    code\n\nend", "para\nindented\ncode\nend");
  ASSERT_MD ("```c\n**not bold** &amp;\n```", "**not bold** &amp;");
  ASSERT_MD ("```\n```\n\nafter", "after");
}

static void
test_inline_content (void)
{
  ASSERT_MD ("A &amp; B &lt;3 &copy; &#65;&#x1F600; &nosuch; &#0;", "A & B <3 © A😀 &nosuch; \xEF\xBF\xBD");
  ASSERT_MD ("See ![the logo](logo.png \"t\") here", "See the logo here");
  ASSERT_MD ("A [link](https://example.com) and <https://x.org>", "A link and https://x.org");
  ASSERT_MD ("Raw <b>html</b> inline", "Raw html inline");
  ASSERT_MD ("<div>\nblock html\n</div>\n\nafter", "after");
  ASSERT_MD ("\\*escaped\\*", "*escaped*");
}

/* Every HTML5 name, from the generated table: rare ones, two code points,
 * astral planes; what is not a name stays as written, and so does a legacy
 * name without its ';' (md4c reports only "&name;"). */
static void
test_entities_html5 (void)
{
  ASSERT_MD ("a &NotNestedGreaterGreater; b", "a \u2AA2\u0338 b");
  ASSERT_MD ("&bne;", "=\u20E5");
  ASSERT_MD ("&Afr; &zopf; &fjlig;", "\U0001D504 \U0001D56B fj");
  ASSERT_MD ("&nGt; &ThickSpace; &sup; &sup1; &supE;", "\u226B\u20D2 \u205F\u200A \u2283 \u00B9 \u2AC6");
  ASSERT_MD ("&AElig; &zwnj; &Zopf; &aacute;", "\u00C6 \u200C \u2124 \u00E1");
  ASSERT_MD ("&notanentity; &Amp; &amp &copy x &sup0;", "&notanentity; &Amp; &amp &copy x &sup0;");
  ASSERT_MD ("`&bne;` and &amp;", "&bne; and &");
}

static void
test_newlines_bom_and_plain (void)
{
  g_autoptr(RlPageText) plain = NULL;
  g_autoptr(GError) error = NULL;
  const char *source = "\xEF\xBB\xBF# keep *marks*\r\nline two\rline three\n";

  ASSERT_MD ("\xEF\xBB\xBF# Title\r\n\r\nBody\r\nmore", "Title\nBody more");
  plain = rl_page_text_new ("text/plain; charset=utf-8", source, strlen (source), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rl_page_text_get_text (plain, NULL), ==, "# keep *marks*\nline two\nline three\n");
}

static void
test_rejects (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlPageText) bad = rl_page_text_new ("text/markdown", "ok \xff\xfe", 5, &error);

  g_assert_null (bad);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_assert_null (rl_page_text_new ("application/pdf", "x", 1, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
}

static void
test_code_points_and_slices (void)
{
  const char *source = "# Zażółć 😀\n\nKøb *nu* 🎉!";
  g_autoptr(RlPageText) text = rl_page_text_new ("TEXT/MARKDOWN", source, strlen (source), NULL);
  g_autofree char *slice = NULL;

  g_assert_cmpstr (rl_page_text_get_text (text, NULL), ==, "Zażółć 😀\nKøb nu 🎉!");
  /* Astral characters count as one code point. */
  g_assert_cmpuint (rl_page_text_get_n_chars (text), ==, 18);
  slice = rl_page_text_slice (text, 7, 13);
  g_assert_cmpstr (slice, ==, "😀\nKøb ");
  g_assert_null (rl_page_text_slice (text, 5, 19));
  g_assert_null (rl_page_text_slice (text, 6, 5));
  g_free (slice);
  slice = rl_page_text_slice (text, 18, 18);
  g_assert_cmpstr (slice, ==, "");
}

static void
test_spans (void)
{
  const char *source = "# Title\n\nSome *em* and [a link](https://x.org).\n\n1. one\n2. **two**\n\n| h |\n|---|\n| `c` |";
  g_autoptr(RlPageText) text = rl_page_text_new ("text/markdown", source, strlen (source), NULL);
  const RlTextSpan *spans;
  guint n;
  gboolean saw_em = FALSE, saw_link = FALSE, saw_item2 = FALSE, saw_th = FALSE, saw_code = FALSE;

  g_assert_cmpstr (rl_page_text_get_text (text, NULL), ==, "Title\nSome em and a link.\none\ntwo\nh\nc");
  spans = rl_page_text_get_spans (text, &n);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpint (spans[0].kind, ==, RL_TEXT_SPAN_HEADING);
  g_assert_cmpuint (spans[0].start, ==, 0);
  g_assert_cmpuint (spans[0].end, ==, 5);
  g_assert_cmpint (spans[0].level, ==, 1);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_assert_cmpuint (spans[i - 1].start, <=, spans[i].start);
      if (spans[i].kind == RL_TEXT_SPAN_EMPHASIS)
        {
          saw_em = TRUE;
          g_assert_cmpuint (spans[i].start, ==, 11);
          g_assert_cmpuint (spans[i].end, ==, 13);
        }
      if (spans[i].kind == RL_TEXT_SPAN_LINK)
        {
          saw_link = TRUE;
          g_assert_cmpstr (spans[i].href, ==, "https://x.org");
          g_assert_cmpuint (spans[i].start, ==, 18);
          g_assert_cmpuint (spans[i].end, ==, 24);
        }
      if (spans[i].kind == RL_TEXT_SPAN_LIST_ITEM && spans[i].number == 2)
        {
          saw_item2 = TRUE;
          g_assert_cmpuint (spans[i].start, ==, 30);
          g_assert_cmpint (spans[i].level, ==, 1);
          /* the item comes before the strong span inside it */
          g_assert_cmpint (spans[i + 1].kind, ==, RL_TEXT_SPAN_STRONG);
        }
      if (spans[i].kind == RL_TEXT_SPAN_TABLE_CELL && spans[i].level == 1)
        saw_th = TRUE;
      if (spans[i].kind == RL_TEXT_SPAN_CODE)
        {
          saw_code = TRUE;
          g_assert_cmpuint (spans[i].start, ==, 36);
        }
    }
  g_assert_true (saw_em && saw_link && saw_item2 && saw_th && saw_code);
}

static void
test_offsets_long_text (void)
{
  g_autoptr(GString) source = g_string_new (NULL);
  g_autoptr(RlPageText) text = NULL;
  const char *plain;
  guint n;

  for (guint i = 0; i < 2000; i++)
    g_string_append (source, i % 3 ? "żółw " : "sø🎉 ");
  text = rl_page_text_new ("text/plain", source->str, source->len, NULL);
  plain = rl_page_text_get_text (text, NULL);
  n = rl_page_text_get_n_chars (text);
  g_assert_cmpuint (n, ==, (guint) g_utf8_strlen (source->str, -1));
  for (guint i = 0; i <= n; i++)
    g_assert_cmpuint (rl_page_text_offset_to_byte (text, i), ==,
                      (gsize) (g_utf8_offset_to_pointer (plain, i) - plain));
}

/* Found by fuzz-plaintext: md4c 0.4.8 pairs a "~" inside a link's
 * destination with one after it, then leaves a strikethrough it never
 * entered ("a [b](~)c~ d") or enters one it never leaves ("~a [b](~)"). The
 * walk popped the paragraph for it, cut the paragraph's span short, and
 * popped an empty stack at the end (a critical on every such upload). */
static void
test_unbalanced_md4c (void)
{
  static const struct
  {
    const char *source;
    const char *text;
    RlTextSpanKind outer;
    guint          outer_end;
  } cases[] = {
    { "a [b](~)c~ d", "a bc d", RL_TEXT_SPAN_PARAGRAPH, 6 },
    { "**a [b](~)c~ d**", "a bc d", RL_TEXT_SPAN_PARAGRAPH, 6 },
    { "# x [y](~)~ z", "x y z", RL_TEXT_SPAN_HEADING, 5 },
    { "~a [b](~)", "a b", RL_TEXT_SPAN_PARAGRAPH, 3 },
    { "[](~)~", "", RL_TEXT_SPAN_PARAGRAPH, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RlPageText) text = rl_page_text_new ("text/markdown", cases[i].source, strlen (cases[i].source),
                                                     &error);
      const RlTextSpan *spans;
      guint n;
      gboolean link = FALSE;

      g_assert_no_error (error);
      g_assert_cmpstr (rl_page_text_get_text (text, NULL), ==, cases[i].text);
      spans = rl_page_text_get_spans (text, &n);
      if (cases[i].outer_end == 0)
        {
          g_assert_cmpuint (n, ==, 0);
          continue;
        }
      /* The block's span covers its whole text; the link is inside it. */
      g_assert_cmpuint (n, >=, 2);
      g_assert_cmpint (spans[0].kind, ==, cases[i].outer);
      g_assert_cmpuint (spans[0].start, ==, 0);
      g_assert_cmpuint (spans[0].end, ==, cases[i].outer_end);
      for (guint k = 1; k < n; k++)
        {
          g_assert_cmpuint (spans[k].start, >=, spans[0].start);
          g_assert_cmpuint (spans[k].end, <=, spans[0].end);
          if (spans[k].kind == RL_TEXT_SPAN_LINK)
            {
              link = TRUE;
              g_assert_cmpstr (spans[k].href, ==, "~");
              g_assert_cmpuint (spans[k].end - spans[k].start, ==, 1);
            }
        }
      g_assert_true (link);
    }
}

/* Found by hand, probing the page text with pathological pages beside
 * fuzz-plaintext (whose inputs stay a few KB long): each piece of text
 * looked at every open block for one still waiting for its first text, so a
 * page's cost was its depth times its lines. A 1 MB page 20 000 quotes deep
 * took 9 s of CPU (a 50 MiB upload, many minutes of a server worker); it
 * takes 0.05 s. The bound is CPU time, 20 times that, far under 9 s. */
static void
test_deep_nesting_linear (void)
{
  g_autoptr(GString) source = g_string_new (NULL);
  g_autoptr(RlPageText) text = NULL;
  clock_t start;
  double seconds;

  for (guint i = 0; i < 20000; i++)
    g_string_append (source, "> ");
  g_string_append (source, "a\n");
  for (guint i = 0; i < 500000; i++)
    g_string_append (source, "b\n");

  start = clock ();
  text = rl_page_text_new ("text/markdown", source->str, source->len, NULL);
  seconds = (double) (clock () - start) / CLOCKS_PER_SEC;
  g_assert_nonnull (text);
  g_assert_cmpuint (rl_page_text_get_n_chars (text), ==, 1 + 2 * 500000);
  g_test_message ("20 000 quotes deep, 1 MB: %.2f s of CPU", seconds);
  g_assert_cmpfloat (seconds, <, 1.0);
}

/* md → model → JSON text → model: the same model. */
static void
assert_round_trip (RlPageText *text)
{
  gsize length;
  g_autofree char *json = rl_page_text_serialize (text, &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) parsed = rl_json_parse (json, length, &error);
  g_autoptr(RlPageText) back = NULL;

  g_assert_no_error (error);
  back = rl_page_text_new_from_json (parsed, &error);
  g_assert_no_error (error);
  g_assert_true (rl_page_text_equal (text, back));
}

static guint
round_trip_dir (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = g_dir_open (dir, 0, &error);
  const char *name;
  guint n = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      g_autoptr(RlPageText) text = NULL;
      gsize length;

      /* Corpora of other tests live in folders beside the pages. */
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      g_file_get_contents (path, &data, &length, &error);
      g_assert_no_error (error);
      text = rl_page_text_new ("text/markdown", data, length, NULL);
      if (text == NULL)
        {
          g_assert_false (g_utf8_validate_len (data, length, NULL));
          continue;
        }
      g_test_message ("%s: %u code points", path, rl_page_text_get_n_chars (text));
      assert_round_trip (text);
      n++;
    }
  return n;
}

/* Every page the tests have: the fixtures and the fuzzer's seeds. */
static void
test_json_round_trip (void)
{
  g_autofree char *data = g_test_build_filename (G_TEST_DIST, "data", NULL);
  g_autofree char *corpus = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "fuzz-plaintext", NULL);
  const char *source = "# T\n\n- a\n  - b\n    1. c\n\n> q **s** [l](h) ![i](src) `c` ~~d~~ *e*\n\n"
                       "```\ncode\n```\n\n| x | y |\n|:-:|--:|\n| 1 | 2 |";
  g_autoptr(RlPageText) every_kind = rl_page_text_new ("text/markdown", source, strlen (source), NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(JsonNode) node = rl_page_text_to_json (every_kind);
  g_autofree char *json = rl_json_to_string (node, NULL);
  const RlTextSpan *spans;
  guint n;

  g_assert_cmpuint (round_trip_dir (data), >=, 1);
  /* Found by fuzz-page-text-json: json-glib 1.6 writes U+001F raw, and
   * rl_json_parse refuses a control character in a string. */
  {
    g_autoptr(RlPageText) controls = rl_page_text_new ("text/markdown", "a\x1f\x01" "b\x7f", 5, NULL);
    g_autofree char *serialized = rl_page_text_serialize (controls, NULL);

    g_assert_nonnull (strstr (serialized, "\"a\\u001f\\u0001b\\u007f\""));
    assert_round_trip (controls);
  }
  g_assert_cmpuint (round_trip_dir (corpus), >=, 10);

  /* Every kind, every member. */
  assert_round_trip (every_kind);
  spans = rl_page_text_get_spans (every_kind, &n);
  for (guint i = 0; i < n; i++)
    g_hash_table_add (seen, GINT_TO_POINTER (spans[i].kind));
  g_assert_cmpuint (g_hash_table_size (seen), ==, RL_TEXT_SPAN_IMAGE + 1);
  g_assert_nonnull (strstr (json, "{\"kind\":\"heading\",\"start\":0,\"end\":1,\"level\":1}"));
  g_assert_nonnull (strstr (json, "{\"kind\":\"link\",\"start\":12,\"end\":13,\"href\":\"h\"}"));
  g_assert_nonnull (strstr (json, "\"kind\":\"table-cell\",\"start\":27,\"end\":28,\"level\":1,\"number\":1,\"align\":\"center\"}"));
  g_assert_nonnull (strstr (json, "{\"kind\":\"list-item\",\"start\":4,\"end\":7,\"level\":2,\"number\":0}"));
  g_assert_nonnull (strstr (json, "{\"kind\":\"emphasis\""));
  g_assert_null (strstr (json, "\"kind\":\"strong\",\"start\":10,\"end\":11,\"level\""));
}

static void
assert_json_refused (const char *json,
                     const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = rl_json_parse (json, strlen (json), &error);
  g_autoptr(RlPageText) text = NULL;

  g_assert_no_error (error);
  text = rl_page_text_new_from_json (node, &error);
  g_assert_null (text);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  if (strstr (error->message, message) == NULL)
    g_error ("%s: “%s” does not say “%s”", json, error->message, message);
}

static void
test_json_refuses (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(RlPageText) text = NULL;
  const char *ok = "{\"text\":\"ab\\ncd\",\"spans\":[{\"kind\":\"table\",\"start\":0,\"end\":5},"
                   "{\"kind\":\"table-row\",\"start\":0,\"end\":5,\"level\":0},"
                   "{\"kind\":\"table-cell\",\"start\":0,\"end\":2,\"level\":0,\"number\":1},"
                   "{\"kind\":\"table-cell\",\"start\":3,\"end\":5,\"level\":0,\"number\":3,\"align\":\"right\"}],"
                   "\"later\":true}";

  /* What is right is read, an unknown member of the object aside. */
  node = rl_json_parse (ok, strlen (ok), &error);
  text = rl_page_text_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rl_page_text_get_n_chars (text), ==, 5);

  /* A node made in memory rather than read by rl_json_parse is checked too. */
  g_clear_pointer (&node, json_node_unref);
  node = json_from_string ("{\"spans\":[]}", NULL);
  json_object_set_string_member (json_node_get_object (node), "text", "ok \xff");
  g_assert_null (rl_page_text_new_from_json (node, &error));
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "valid UTF-8"));

  assert_json_refused ("[]", "must be an object");
  assert_json_refused ("{\"spans\":[]}", "“text” must be a string");
  assert_json_refused ("{\"text\":\"a\"}", "“spans” must be an array");
  assert_json_refused ("{\"text\":\"a\",\"spans\":[1]}", "span 0 must be an object");
  assert_json_refused ("{\"text\":\"a\",\"spans\":[{\"kind\":\"bold\",\"start\":0,\"end\":1}]}", "unknown kind “bold”");
  assert_json_refused ("{\"text\":\"a\",\"spans\":[{\"kind\":\"Strong\",\"start\":0,\"end\":1}]}", "unknown kind");
  assert_json_refused ("{\"text\":\"a\",\"spans\":[{\"kind\":\"strong\",\"start\":0}]}", "“end” must be an integer");
  assert_json_refused ("{\"text\":\"a\",\"spans\":[{\"kind\":\"strong\",\"start\":0,\"end\":1.0}]}", "“end” must be an integer");
  assert_json_refused ("{\"text\":\"😀\",\"spans\":[{\"kind\":\"strong\",\"start\":0,\"end\":2}]}", "≤ 1 (the text's code points)");
  assert_json_refused ("{\"text\":\"ab\",\"spans\":[{\"kind\":\"strong\",\"start\":1,\"end\":1}]}", "0 ≤ start < end");
  assert_json_refused ("{\"text\":\"ab\",\"spans\":[{\"kind\":\"strong\",\"start\":-1,\"end\":1}]}", "0 ≤ start < end");
  assert_json_refused ("{\"text\":\"ab\",\"spans\":[{\"kind\":\"heading\",\"start\":0,\"end\":1,\"level\":7}]}", "1 to 6");
  assert_json_refused ("{\"text\":\"ab\",\"spans\":[{\"kind\":\"heading\",\"start\":0,\"end\":1}]}", "“level” must be an integer");
  assert_json_refused ("{\"text\":\"ab\",\"spans\":[{\"kind\":\"strong\",\"start\":0,\"end\":1,\"level\":1}]}",
                       "a strong span has no “level”");
  assert_json_refused ("{\"text\":\"ab\",\"spans\":[{\"kind\":\"link\",\"start\":0,\"end\":1}]}", "“href” must be a string");
  assert_json_refused ("{\"text\":\"ab\",\"spans\":[{\"kind\":\"list-item\",\"start\":0,\"end\":1,\"level\":1,\"number\":-1}]}",
                       "“number” is an integer from 0");
  assert_json_refused ("{\"text\":\"ab\",\"spans\":[{\"kind\":\"list-item\",\"start\":0,\"end\":1,\"level\":2,\"number\":0}]}",
                       "at most one deeper");
  assert_json_refused ("{\"text\":\"ab\",\"spans\":[{\"kind\":\"strong\",\"start\":1,\"end\":2},{\"kind\":\"code\",\"start\":0,\"end\":1}]}",
                       "span 1 is out of document order");
  assert_json_refused ("{\"text\":\"abc\",\"spans\":[{\"kind\":\"quote\",\"start\":0,\"end\":2},{\"kind\":\"paragraph\",\"start\":1,\"end\":3}]}",
                       "span 1 crosses span 0");
  assert_json_refused ("{\"text\":\"abc\",\"spans\":[{\"kind\":\"strong\",\"start\":0,\"end\":2},{\"kind\":\"paragraph\",\"start\":0,\"end\":1}]}",
                       "a block inside an inline span");
  assert_json_refused ("{\"text\":\"abc\",\"spans\":[{\"kind\":\"table-row\",\"start\":0,\"end\":2,\"level\":0}]}",
                       "a table holds rows");
  assert_json_refused ("{\"text\":\"abc\",\"spans\":[{\"kind\":\"table\",\"start\":0,\"end\":2},{\"kind\":\"table-cell\",\"start\":0,\"end\":1,\"level\":0,\"number\":1}]}",
                       "a table holds rows");
  assert_json_refused ("{\"text\":\"abc\",\"spans\":[{\"kind\":\"table\",\"start\":0,\"end\":3},{\"kind\":\"table-row\",\"start\":0,\"end\":3,\"level\":2}]}",
                       "is 1 (header) or 0");
  assert_json_refused ("{\"text\":\"a\\nb\",\"spans\":[{\"kind\":\"table\",\"start\":0,\"end\":3},{\"kind\":\"table-row\",\"start\":0,\"end\":3,\"level\":0},"
                       "{\"kind\":\"table-cell\",\"start\":0,\"end\":1,\"level\":0,\"number\":2},"
                       "{\"kind\":\"table-cell\",\"start\":2,\"end\":3,\"level\":0,\"number\":2}]}",
                       "increasing column");
  assert_json_refused ("{\"text\":\"a\\nb\",\"spans\":[{\"kind\":\"table\",\"start\":0,\"end\":3},{\"kind\":\"table-row\",\"start\":0,\"end\":3,\"level\":0},"
                       "{\"kind\":\"table-cell\",\"start\":0,\"end\":1,\"level\":0,\"number\":1,\"align\":\"middle\"}]}",
                       "left, center or right");
  assert_json_refused ("{\"text\":\"a\\nb\",\"spans\":[{\"kind\":\"table\",\"start\":0,\"end\":3},{\"kind\":\"table-row\",\"start\":0,\"end\":3,\"level\":0},"
                       "{\"kind\":\"table-cell\",\"start\":0,\"end\":3,\"level\":0,\"number\":1},{\"kind\":\"paragraph\",\"start\":0,\"end\":1}]}",
                       "a cell no block");
}

/* The limits: what is at a limit is read, one more is refused. (The
 * limits themselves are what fuzz-page-text-json checks pages against.) */
static void
test_json_limits (void)
{
  const char *json = "{\"text\":\"abcd\",\"spans\":[{\"kind\":\"paragraph\",\"start\":0,\"end\":4},"
                     "{\"kind\":\"strong\",\"start\":1,\"end\":2}]}";
  g_autoptr(JsonNode) node = rl_json_parse (json, strlen (json), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlPageText) text = NULL;

  text = rl_page_text_new_from_json_limited (node, 4, 2, &error);
  g_assert_no_error (error);
  g_clear_pointer (&text, rl_page_text_unref);

  text = rl_page_text_new_from_json_limited (node, 3, 2, &error);
  g_assert_null (text);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_assert_cmpstr (error->message, ==, "a page's text is at most 3 bytes");
  g_clear_error (&error);

  text = rl_page_text_new_from_json_limited (node, 4, 1, &error);
  g_assert_null (text);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_assert_cmpstr (error->message, ==, "a page's text has at most 1 spans");
  g_clear_error (&error);

  /* Found by fuzz-page-text-json: md4c writes each tab indenting a code
   * block's line as up to four spaces, so a page's text may be four times
   * its size; the limits are the largest upload's. */
  {
    const char *tabs = "\t\t\t\t\t\tx";
    g_autoptr(RlPageText) code = rl_page_text_new ("text/markdown", tabs, strlen (tabs), NULL);

    g_assert_cmpstr (rl_page_text_get_text (code, NULL), ==, "                    x");
    g_assert_cmpuint (RL_PAGE_TEXT_MAX_BYTES, ==, 4 * (gsize) RL_UPLOAD_MAX_BYTES);
    g_assert_cmpuint (RL_PAGE_TEXT_MAX_SPANS, ==, RL_UPLOAD_MAX_BYTES);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plaintext/blocks", test_blocks);
  g_test_add_func ("/plaintext/lists", test_lists);
  g_test_add_func ("/plaintext/tables", test_tables);
  g_test_add_func ("/plaintext/table-structure", test_table_structure);
  g_test_add_func ("/plaintext/code", test_code);
  g_test_add_func ("/plaintext/inline-content", test_inline_content);
  g_test_add_func ("/plaintext/entities-html5", test_entities_html5);
  g_test_add_func ("/plaintext/newlines-bom-plain", test_newlines_bom_and_plain);
  g_test_add_func ("/plaintext/rejects", test_rejects);
  g_test_add_func ("/plaintext/code-points-and-slices", test_code_points_and_slices);
  g_test_add_func ("/plaintext/spans", test_spans);
  g_test_add_func ("/plaintext/unbalanced-md4c", test_unbalanced_md4c);
  g_test_add_func ("/plaintext/deep-nesting-linear", test_deep_nesting_linear);
  g_test_add_func ("/plaintext/offsets-long-text", test_offsets_long_text);
  g_test_add_func ("/plaintext/json-round-trip", test_json_round_trip);
  g_test_add_func ("/plaintext/json-refuses", test_json_refuses);
  g_test_add_func ("/plaintext/json-limits", test_json_limits);

  return g_test_run ();
}
