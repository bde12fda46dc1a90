/* test-page-view.c — the page view under Xvfb, against the real server:
 * Ada's view (a real RlConnection and RlDocStore) on a Markdown page, Bob
 * as a second client with a store of his own, and a raw WebSocket client
 * where an anchor must be written by hand
 *
 * Selections are made in the real buffer; the Comment button, the
 * composer's text view and its Send button are the real widgets, activated
 * for real. Pointer events cannot be synthesised in GTK 4, so a click on a
 * highlight goes through rl_page_view_click_for_testing: the handler the
 * click gesture calls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "rl-annotation-composer-private.h"
#include "rl-doc-store.h"
#include "rl-page-view-private.h"
#include "rl-plaintext.h"
#include "rl-test-server.h"
#include "rl-ui-test.h"

static const char PAGE_MD[] =
  "# Design review — Café ☕\n"
  "\n"
  "Welcome to the **landing page** copy. Read it _carefully_ and comment on what\n"
  "reads wrong; every teammate sees your highlight at once.\n"
  "\n"
  "## Pricing\n"
  "\n"
  "- Free plan for **small** teams\n"
  "- Pro plan with `priority` support\n"
  "  - nested item about invoices\n"
  "\n"
  "1. First step\n"
  "2. Second step of the onboarding\n"
  "\n"
  "> A quote from Zażółć gęślą jaźń 🎉 the customer who loved it.\n"
  "\n"
  "| Plan | Price |\n"
  "|------|-------|\n"
  "| Free | 0 zł  |\n"
  "| Pro  | 12 €  |\n"
  "\n"
  "```\n"
  "let price = 12;\n"
  "```\n"
  "\n"
  "See [the docs](https://example.com/docs) for more. ~~Old pricing~~ is gone.\n"
  "\n"
  "## Details\n"
  "\n"
  "Paragraph one about the header, which is long enough to wrap across more than one line in the readable column.\n"
  "\n"
  "Paragraph two about the footer and the legal links at the bottom of the page.\n"
  "\n"
  "Paragraph three about colours, contrast and the dark style of the landing page.\n"
  "\n"
  "Paragraph four about motion: nothing should move while someone is reading.\n"
  "\n"
  "The final paragraph repeats the phrase landing page once more.\n";

/* A pricing table, aligned (left, right, centre, default), with a row whose
 * first and last cells are empty. */
static const char PRICING_MD[] =
  "# Pricing\n"
  "\n"
  "| Plan | Seats | Price / month | Support |\n"
  "|:-----|------:|:---------------:|---------|\n"
  "| Free | 1 | 0 € | Forum |\n"
  "| Team | 10 | 12 € | Email |\n"
  "| Enterprise | 250 | **on request** | Named manager |\n"
  "|  | 1000+ | `call us` | |\n"
  "\n"
  "After the table.\n";

typedef struct
{
  RlUiTestWorld world;        /* its page: the test's data, else PAGE_MD */
  RlConnection *connection;   /* Ada's */
  RlDocStore   *store;
  RlPageText   *page;
  GtkWidget    *window;
  RlPageView   *view;
  GtkTextBuffer *buffer;
  guint         ranges_changed;
} Fixture;

static void
count_ranges_changed (Fixture *f)
{
  f->ranges_changed++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlReviewState) state = rl_review_state_new ();
  const char *markdown = data ? data : PAGE_MD;
  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_NO_DOCS);
  f->world.page = rl_test_team_add_doc_bytes (&f->world.team, "acme", "Spec", ".md", markdown, -1);
  rl_test_server_start (f->world.server);

  f->connection = rl_ui_test_connect (f->world.server, f->world.ada);
  f->store = rl_ui_test_open_store (f->connection, f->world.page, RL_DOC_KIND_PAGE);
  f->page = rl_ui_test_page_from_markdown (markdown);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 520);
  f->view = RL_PAGE_VIEW (rl_page_view_new (state));
  f->buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_page_view_get_text_view (f->view)));
  g_signal_connect_swapped (f->view, "ranges-changed", G_CALLBACK (count_ranges_changed), f);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
  rl_page_view_set_page (f->view, f->page);
  rl_review_state_set_store (rl_page_view_get_state (f->view), f->store, RL_DOC_KIND_PAGE);
  rl_ui_test_present (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  rl_ui_test_run (50);
  g_clear_pointer (&f->page, rl_page_text_unref);
  g_clear_object (&f->store);
  rl_connection_stop (f->connection);
  g_clear_object (&f->connection);
  rl_ui_test_world_clear (&f->world);
}

/* ---- helpers ------------------------------------------------------------- */

static guint
length_of (const char *needle)
{
  return (guint) g_utf8_strlen (needle, -1);
}

static void
wait_highlight (RlPageView *view,
                const char *id)
{
  g_assert_true (RL_UI_WAIT_UNTIL (rl_page_view_get_thread_tag (view, id) != NULL, 5000));
}

/* The tag is on exactly [start, end) of the buffer and nowhere else. */
static void
assert_tag_covers (GtkTextBuffer *buffer,
                   GtkTextTag    *tag,
                   guint          start,
                   guint          end)
{
  GtkTextIter iter;

  g_assert_nonnull (tag);
  gtk_text_buffer_get_start_iter (buffer, &iter);
  if (!gtk_text_iter_starts_tag (&iter, tag))
    g_assert_true (gtk_text_iter_forward_to_tag_toggle (&iter, tag));
  g_assert_true (gtk_text_iter_starts_tag (&iter, tag));
  g_assert_cmpuint (gtk_text_iter_get_offset (&iter), ==, start);
  g_assert_true (gtk_text_iter_forward_to_tag_toggle (&iter, tag));
  g_assert_true (gtk_text_iter_ends_tag (&iter, tag));
  g_assert_cmpuint (gtk_text_iter_get_offset (&iter), ==, end);
  g_assert_false (gtk_text_iter_forward_to_tag_toggle (&iter, tag));
}

static void
select_range (Fixture *f,
              guint    start,
              guint    end)
{
  GtkTextIter a, b;

  gtk_text_buffer_get_iter_at_offset (f->buffer, &a, start);
  gtk_text_buffer_get_iter_at_offset (f->buffer, &b, end);
  gtk_text_buffer_select_range (f->buffer, &b, &a);
}

/* Bob's store holds one thread with exactly the anchor the protocol asks
 * for at [start, end) of the page. */
static void
assert_seen (RlDocStore *bob,
             RlPageText *page,
             guint       i,
             guint       start,
             guint       end,
             const char *body)
{
  const RlThread *seen = rl_ui_test_store_thread_at (bob, i);
  RlAnchor want = rl_ui_test_page_anchor (page, start, end);

  g_assert_cmpint (seen->anchor.kind, ==, RL_DOC_KIND_PAGE);
  g_assert_cmpint (seen->anchor.start, ==, start);
  g_assert_cmpint (seen->anchor.end, ==, end);
  g_assert_cmpstr (seen->anchor.exact, ==, want.exact);
  g_assert_cmpstr (seen->anchor.prefix, ==, want.prefix);
  g_assert_cmpstr (seen->anchor.suffix, ==, want.suffix);
  g_assert_cmpstr (rl_ui_test_first_body (seen), ==, body);
  rl_anchor_clear (&want);
}

/* ---- the buffer is the plain text, styled -------------------------------- */

static void
test_text_and_styles (Fixture       *f,
                      gconstpointer  data)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (f->buffer);
  GtkTextIter start, end, iter;
  g_autofree char *text = NULL;
  g_autoptr(GString) shown = g_string_new (rl_page_text_get_text (f->page, NULL));
  GtkTextView *text_view = GTK_TEXT_VIEW (rl_page_view_get_text_view (f->view));
  GdkRectangle visible;
  int margin;

  /* Offsets in the buffer are the anchors' code points: no bullet, no
   * table bar, no Markdown mark was inserted. The buffer is the plain text
   * but for the line break between two cells of a table row, shown as a
   * tab (one code point for one) so that the row stands on one line. */
  gtk_text_buffer_get_bounds (f->buffer, &start, &end);
  text = gtk_text_buffer_get_text (f->buffer, &start, &end, TRUE);
  g_assert_cmpuint (g_string_replace (shown, "Plan\nPrice\nFree\n0 zł\nPro\n12 €",
                                      "Plan\tPrice\nFree\t0 zł\nPro\t12 €", 0), ==, 1);
  g_assert_cmpstr (text, ==, shown->str);
  g_assert_cmpint (gtk_text_buffer_get_char_count (f->buffer), ==, rl_page_text_get_n_chars (f->page));
  g_assert_null (strstr (text, "- Free"));
  g_assert_null (strstr (text, "**"));

  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "Design review", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "h1")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "Pricing", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "h2")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "landing page", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "strong")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "carefully", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "emphasis")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "priority", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "code")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "let price", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "code-block")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "Zażółć", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "quote")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "Plan", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "table-header")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "0 zł", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "table-cell")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "Old pricing", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "strikethrough")));

  /* List items are indented (bullets are drawn in that margin), nested
   * ones further. */
  {
    GtkTextIter item, nested, para;
    GdkRectangle r_item, r_nested, r_para;

    gtk_text_buffer_get_iter_at_offset (f->buffer, &item, rl_ui_test_page_find (f->page, "Free plan", NULL));
    gtk_text_buffer_get_iter_at_offset (f->buffer, &nested, rl_ui_test_page_find (f->page, "nested item", NULL));
    gtk_text_buffer_get_iter_at_offset (f->buffer, &para, rl_ui_test_page_find (f->page, "Welcome", NULL));
    gtk_text_view_get_iter_location (text_view, &item, &r_item);
    gtk_text_view_get_iter_location (text_view, &nested, &r_nested);
    gtk_text_view_get_iter_location (text_view, &para, &r_para);
    g_assert_cmpint (r_item.x, >, r_para.x + 10);
    g_assert_cmpint (r_nested.x, >, r_item.x + 10);
  }

  /* Readable line length: in a wide window the text column is centred
   * and narrower than the window. */
  gtk_text_view_get_visible_rect (text_view, &visible);
  margin = gtk_widget_get_width (GTK_WIDGET (f->view)) - visible.width;
  g_assert_cmpint (visible.width, <, 900);
  g_assert_cmpint (margin, >, 100);
  rl_ui_test_screenshot_settled (f->window, "page-view-styles", 150);
}

/* ---- tables read as tables ---------------------------------------------- */

/* Where the character at offset is drawn, buffer coordinates. */
static GdkRectangle
char_rect (Fixture *f,
           guint    offset)
{
  GtkTextIter iter;
  GdkRectangle rect;

  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset);
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (rl_page_view_get_text_view (f->view)), &iter, &rect);
  return rect;
}

/* The left and right edge of needle, the nth time the page has it. */
static void
cell_edges (Fixture    *f,
            const char *needle,
            int        *left,
            int        *right,
            int        *y)
{
  guint start = rl_ui_test_page_find (f->page, needle, NULL);
  GdkRectangle first = char_rect (f, start);
  GdkRectangle last = char_rect (f, start + length_of (needle) - 1);

  g_assert_cmpint (first.y, ==, last.y);
  *left = first.x;
  *right = last.x + last.width;
  *y = first.y;
}

static void
test_table (Fixture       *f,
            gconstpointer  data)
{
  static const char *rows[][4] = {
    { "Plan", "Seats", "Price / month", "Support" },
    { "Free", "1", "0 €", "Forum" },
    { "Team", "10", "12 €", "Email" },
    { "Enterprise", "250", "on request", "Named manager" },
    { NULL, "1000+", "call us", NULL },
  };
  g_autoptr(RlConnection) bob_conn = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob = rl_ui_test_open_store (bob_conn, f->world.page, RL_DOC_KIND_PAGE);
  RlAnnotationComposer *composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (f->view));
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (f->buffer);
  int left[5][4], right[5][4], y[5][4];
  guint team, price, after;
  GtkTextIter iter;

  /* The plain text is the one anchors count in: a cell per line. */
  g_assert_nonnull (strstr (rl_page_text_get_text (f->page, NULL),
                            "Plan\nSeats\nPrice / month\nSupport\nFree\n1\n0 €\nForum\n"));
  g_assert_cmpint (gtk_text_buffer_get_char_count (f->buffer), ==, rl_page_text_get_n_chars (f->page));

  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    for (guint c = 0; c < 4; c++)
      if (rows[r][c] != NULL)
        cell_edges (f, rows[r][c], &left[r][c], &right[r][c], &y[r][c]);

  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      /* A row's cells on one line, side by side, and the rows one below
       * the other. */
      int before = -1;

      for (int c = 0; c < 4; c++)
        if (rows[r][c] != NULL)
          {
            if (before >= 0)
              {
                g_assert_cmpint (y[r][c], ==, y[r][before]);
                g_assert_cmpint (left[r][c], >, right[r][before]);
              }
            before = c;
          }
      if (r > 0)
        g_assert_cmpint (y[r][1], >, y[r - 1][1]);

      /* Columns aligned across the rows: the first to the left, the
       * second to the right, the third centred, the fourth to the left. */
      if (r == 0)
        continue;
      if (rows[r][0] != NULL)
        g_assert_cmpint (left[r][0], ==, left[0][0]);
      g_assert_cmpint (right[r][1], ==, right[0][1]);
      g_assert_cmpint (ABS ((left[r][2] + right[r][2]) - (left[0][2] + right[0][2])), <=, 2);
      if (rows[r][3] != NULL)
        g_assert_cmpint (left[r][3], ==, left[0][3]);
    }
  /* The widest cell sets its column: the next one starts after it. */
  g_assert_cmpint (left[0][1], >, right[3][0]);
  g_assert_cmpint (left[3][3], >, right[0][2]);
  /* The paragraph after the table is below it, at the page's margin. */
  after = rl_ui_test_page_find (f->page, "After the table", NULL);
  g_assert_cmpint (char_rect (f, after).y, >, y[4][1]);
  g_assert_cmpint (char_rect (f, after).x, <, left[0][0]);
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, rl_ui_test_page_find (f->page, "Seats", NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "table-header")));

  /* A selection across two cells quotes the plain text (a line break
   * between them, not the tab shown), and Bob sees that exact anchor. */
  team = rl_ui_test_page_find (f->page, "Team", NULL);
  gtk_widget_grab_focus (GTK_WIDGET (f->view));
  select_range (f, team, team + length_of ("Team\n10"));
  rl_ui_test_run (100);
  rl_ui_test_activate_button (rl_page_view_get_comment_button (f->view));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, "Team\n10");
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_annotation_composer_get_text_view (composer))),
                                    "Ten seats only?", -1);
  rl_ui_test_activate_button (rl_annotation_composer_get_send_button (composer));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (bob) == 1, 5000));
  assert_seen (bob, f->page, 0, team, team + length_of ("Team\n10"), "Ten seats only?");

  /* One cell, by the keyboard. */
  price = rl_ui_test_page_find (f->page, "12 €", NULL);
  select_range (f, price, price + length_of ("12 €"));
  rl_ui_test_press_key (GTK_WIDGET (f->view), GDK_KEY_m, GDK_CONTROL_MASK | GDK_ALT_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, "12 €");
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_annotation_composer_get_text_view (composer))),
                                    "Per seat?", -1);
  rl_ui_test_activate_button (rl_annotation_composer_get_send_button (composer));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (bob) == 2, 5000));
  assert_seen (bob, f->page, 1, price, price + length_of ("12 €"), "Per seat?");
  wait_highlight (f->view, rl_ui_test_store_thread_at (f->store, 1)->id);
  rl_ui_test_screenshot_settled (f->window, "page-view-table", 150);
}

/* ---- (1) select → Comment → composer → Bob sees the exact anchor --------- */

static void
test_select_creates (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RlConnection) bob_conn = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob = rl_ui_test_open_store (bob_conn, f->world.page, RL_DOC_KIND_PAGE);
  RlAnnotationComposer *composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (f->view));
  GtkTextBuffer *typed = gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_annotation_composer_get_text_view (composer)));
  GtkWidget *button = rl_page_view_get_comment_button (f->view);
  guint start = rl_ui_test_page_find (f->page, "landing page", NULL);
  guint end = start + length_of ("landing page");
  g_autofree char *draft = NULL;
  const char *polish = "Zażółć gęślą jaźń 🎉";
  guint pstart, pend;

  /* Nothing selected: no button. */
  g_assert_false (gtk_widget_get_visible (button));
  gtk_widget_grab_focus (GTK_WIDGET (f->view));
  select_range (f, start, end);
  rl_ui_test_run (100);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_get_mapped (button));
  rl_ui_test_screenshot_settled (f->window, "page-view-comment-button", 150);

  /* The real button opens the real composer, quoting the selection. */
  rl_ui_test_activate_button (button);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, "landing page");
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_has_focus (rl_annotation_composer_get_text_view (composer)));
  gtk_text_buffer_insert_at_cursor (typed, "Say “home page” here?", -1);
  rl_ui_test_run (200);
  rl_ui_test_screenshot_with_popover (f->window, GTK_WIDGET (composer), "page-view-composer");
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (bob)), ==, 0);

  rl_ui_test_activate_button (rl_annotation_composer_get_send_button (composer));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (composer)));
  /* Shown at once as the selected highlight. */
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (f->store)), ==, 1);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_page_view_get_state (f->view)), ==, rl_ui_test_store_thread_at (f->store, 0)->id);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, rl_ui_test_store_thread_at (f->store, 0)->id),
                     start, end);
  draft = rl_annotation_composer_dup_text (composer);
  g_assert_cmpstr (draft, ==, "");

  /* The server took it (it checks exact against its own plain text) and
   * Bob sees exactly that anchor. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (f->store)), ==, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (bob) == 1, 5000));
  assert_seen (bob, f->page, 0, start, end, "Say “home page” here?");

  /* Ctrl+Alt+M on a non-ASCII selection: offsets in code points (the
   * emoji is one, each Polish letter one). */
  pstart = rl_ui_test_page_find (f->page, polish, NULL);
  pend = pstart + length_of (polish);
  g_assert_cmpuint (pend - pstart, ==, 19);
  g_assert_cmpuint (pstart, <, (guint) (strstr (rl_page_text_get_text (f->page, NULL), polish)
                                        - rl_page_text_get_text (f->page, NULL)));
  select_range (f, pstart, pend);
  rl_ui_test_press_key (GTK_WIDGET (f->view), GDK_KEY_m, GDK_CONTROL_MASK | GDK_ALT_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, polish);
  gtk_text_buffer_insert_at_cursor (typed, "Polish test 🎉", -1);
  rl_ui_test_activate_button (rl_annotation_composer_get_send_button (composer));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (bob) == 2, 5000));
  assert_seen (bob, f->page, 1, pstart, pend, "Polish test 🎉");

  /* Offline: the send fails at once; the text stays, the error shows inside. */
  rl_connection_stop (f->connection);
  rl_page_view_open_composer (f->view, start, end, "Kept while offline");
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_ui_test_activate_button (rl_annotation_composer_get_send_button (composer));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer)));
  g_assert_nonnull (rl_annotation_composer_get_error (composer));
  g_clear_pointer (&draft, g_free);
  draft = rl_annotation_composer_dup_text (composer);
  g_assert_cmpstr (draft, ==, "Kept while offline");
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (f->store)), ==, 2);
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (100);
}

/* The context menu offers commenting and opening links; the button is
 * reachable with Tab; a refused create shows why instead of a composer. */
static void
test_menu_and_keyboard (Fixture       *f,
                        gconstpointer  data)
{
  GMenuModel *menu = gtk_text_view_get_extra_menu (GTK_TEXT_VIEW (rl_page_view_get_text_view (f->view)));
  GtkWidget *button = rl_page_view_get_comment_button (f->view);
  GtkWidget *composer = rl_page_view_get_composer (f->view);
  GtkWidget *text_view = rl_page_view_get_text_view (f->view);
  gboolean has_comment = FALSE, has_open = FALSE;
  guint link = rl_ui_test_page_find (f->page, "the docs", NULL);
  guint second = rl_ui_test_page_find (f->page, "Second step", NULL);
  GtkTextIter iter;
  GtkTextTag *link_tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (f->buffer), "link");
  PangoUnderline underline;

  g_assert_nonnull (menu);
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *label = NULL, *action = NULL;

      g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label);
      g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
      if (g_strcmp0 (action, "page.comment") == 0 && g_strcmp0 (label, "Co_mment on Selection") == 0)
        has_comment = TRUE;
      if (g_strcmp0 (action, "page.open-link") == 0 && g_strcmp0 (label, "_Open Link") == 0)
        has_open = TRUE;
    }
  g_assert_true (has_comment);
  g_assert_true (has_open);

  /* (7) links: styled, with their target, only over the link text. */
  g_assert_cmpstr (rl_page_view_get_link_at (f->view, link), ==, "https://example.com/docs");
  g_assert_cmpstr (rl_page_view_get_link_at (f->view, link + length_of ("the docs") - 1), ==,
                   "https://example.com/docs");
  g_assert_null (rl_page_view_get_link_at (f->view, link + length_of ("the docs")));
  g_assert_null (rl_page_view_get_link_at (f->view, link - 1));
  assert_tag_covers (f->buffer, link_tag, link, link + length_of ("the docs"));
  g_object_get (link_tag, "underline", &underline, NULL);
  g_assert_cmpint (underline, ==, PANGO_UNDERLINE_SINGLE);
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, link);
  g_assert_true (gtk_text_iter_has_tag (&iter, link_tag));

  /* Keyboard: select, Tab reaches the floating button, Enter opens the
   * composer. */
  gtk_widget_grab_focus (text_view);
  second = rl_ui_test_page_find (f->page, "Second step", NULL);
  select_range (f, second, second + 11);
  rl_ui_test_run (100);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_has_focus (text_view));
  {
    /* The text view's own Tab handler, as the key press would run it. */
    GListModel *controllers = gtk_widget_observe_controllers (text_view);
    gboolean handled = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
      {
        g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
          g_signal_emit_by_name (controller, "key-pressed", GDK_KEY_Tab, 0, 0, &handled);
      }
    g_object_unref (controllers);
    g_assert_true (handled);
  }
  g_assert_true (gtk_widget_has_focus (button));
  rl_ui_test_activate_button (button);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (RL_ANNOTATION_COMPOSER (composer)), ==, "Second step");
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (200);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (f->store)), ==, 0);

  /* can-create FALSE: the reason, no composer. */
  rl_review_state_set_connection (rl_page_view_get_state (f->view), f->connection);
  rl_connection_stop (f->connection);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_review_state_get_can_create (rl_page_view_get_state (f->view)), 3000));
  select_range (f, second, second + 11);
  rl_ui_test_press_key (GTK_WIDGET (f->view), GDK_KEY_m, GDK_CONTROL_MASK | GDK_ALT_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (rl_page_view_get_notice (f->view))), 3000));
  g_assert_false (gtk_widget_get_visible (composer));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_popover_get_child (GTK_POPOVER (rl_page_view_get_notice (f->view))))),
                   ==, rl_review_state_get_cannot_create_reason (rl_page_view_get_state (f->view)));
  gtk_popover_popdown (GTK_POPOVER (rl_page_view_get_notice (f->view)));
  rl_ui_test_run (100);
}

/* ---- (2) Bob's annotation appears as a highlight; nothing moves ---------- */

static guint
first_visible_offset (RlPageView *view)
{
  GtkTextView *text_view = GTK_TEXT_VIEW (rl_page_view_get_text_view (view));
  GdkRectangle visible;
  GtkTextIter iter;

  gtk_text_view_get_visible_rect (text_view, &visible);
  gtk_text_view_get_line_at_y (text_view, &iter, visible.y, NULL);
  return gtk_text_iter_get_offset (&iter);
}

static void
test_remote_highlight (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RlConnection) bob_conn = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob = rl_ui_test_open_store (bob_conn, f->world.page, RL_DOC_KIND_PAGE);
  GtkAdjustment *vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (rl_page_view_get_text_view (f->view)));
  guint start = rl_ui_test_page_find (f->page, "Paragraph two", NULL);
  guint end = start + length_of ("Paragraph two about the footer");
  guint before_changes;
  double value;
  guint first;
  g_autofree char *id = NULL;
  g_autofree char *preview = NULL;
  GtkTextIter cursor;

  /* The reader is half-way down, the caret somewhere above. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadj), >, gtk_adjustment_get_page_size (vadj) + 100);
  gtk_adjustment_set_value (vadj, (gtk_adjustment_get_upper (vadj) - gtk_adjustment_get_page_size (vadj)) / 2);
  rl_ui_test_run (200);
  value = gtk_adjustment_get_value (vadj);
  g_assert_cmpfloat (value, >, 50);
  first = first_visible_offset (f->view);
  before_changes = f->ranges_changed;

  id = rl_ui_test_store_create_annotation (bob, f->page, start, end, "Footer copy is too long");
  wait_highlight (f->view, id);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, id), start, end);
  g_assert_cmpuint (f->ranges_changed, >, before_changes);
  g_assert_true (rl_page_view_get_thread_range (f->view, id, &(guint) { 0 }, NULL));

  /* Applying it moved nothing. */
  rl_ui_test_run (300);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, value);
  g_assert_cmpuint (first_visible_offset (f->view), ==, first);
  gtk_text_buffer_get_iter_at_mark (f->buffer, &cursor, gtk_text_buffer_get_insert (f->buffer));
  g_assert_cmpuint (gtk_text_iter_get_offset (&cursor), ==, 0);

  /* Hover: the first comment's author and words. */
  preview = rl_page_view_dup_preview_at (f->view, start + 3);
  g_assert_cmpstr (preview, ==, "Bob: Footer copy is too long");
  g_assert_null (rl_page_view_dup_preview_at (f->view, end));

  /* A reply and a delete: tags only, still no movement. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (rl_doc_store_add_comment (bob, id, "and the legal links", NULL, &error));
    g_assert_no_error (error);
    g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (bob), 5000));
    rl_ui_test_run (300);
    g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, value);
    g_assert_true (rl_doc_store_delete_thread (bob, id, &error));
    g_assert_no_error (error);
    g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (f->store) == 0, 5000));
    rl_ui_test_run (300);
    g_assert_null (rl_page_view_get_thread_tag (f->view, id));
    g_assert_false (rl_page_view_get_thread_range (f->view, id, NULL, NULL));
    g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, value);
    g_assert_cmpuint (first_visible_offset (f->view), ==, first);
  }
}

/* ---- (3) resolved paler, hidden by hide-resolved ------------------------- */

static double
tag_alpha (GtkTextTag *tag)
{
  GdkRGBA *color = NULL;
  double alpha;

  g_object_get (tag, "background-rgba", &color, NULL);
  g_assert_nonnull (color);
  alpha = color->alpha;
  gdk_rgba_free (color);
  return alpha;
}

static void
test_resolved (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlConnection) bob_conn = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob = rl_ui_test_open_store (bob_conn, f->world.page, RL_DOC_KIND_PAGE);
  guint a = rl_ui_test_page_find (f->page, "Paragraph one", NULL);
  guint b = rl_ui_test_page_find (f->page, "Paragraph three", NULL);
  g_autofree char *open_id = rl_ui_test_store_create_annotation (bob, f->page, a, a + 13, "Open one");
  g_autofree char *done_id = rl_ui_test_store_create_annotation (bob, f->page, b, b + 15, "Resolved one");
  g_autoptr(GError) error = NULL;
  guint start, end;

  wait_highlight (f->view, open_id);
  wait_highlight (f->view, done_id);
  g_assert_cmpfloat (tag_alpha (rl_page_view_get_thread_tag (f->view, open_id)), ==,
                     tag_alpha (rl_page_view_get_thread_tag (f->view, done_id)));
  g_assert_true (rl_doc_store_resolve_thread (bob, done_id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (bob), 5000));
  rl_ui_test_run (300);
  /* Paler. */
  g_assert_cmpfloat (tag_alpha (rl_page_view_get_thread_tag (f->view, done_id)), <,
                     tag_alpha (rl_page_view_get_thread_tag (f->view, open_id)) / 2);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, done_id), b, b + 15);

  /* Hidden by the filter, still placed (the panel lists it). */
  rl_review_state_set_hide_resolved (rl_page_view_get_state (f->view), TRUE);
  g_assert_null (rl_page_view_get_thread_tag (f->view, done_id));
  {
    /* Its tag, if it is kept, is on no character. */
    g_autofree char *name = g_strconcat ("thread:", done_id, NULL);
    GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (f->buffer), name);
    GtkTextIter iter;

    gtk_text_buffer_get_start_iter (f->buffer, &iter);
    if (tag != NULL)
      {
        g_assert_false (gtk_text_iter_has_tag (&iter, tag));
        g_assert_false (gtk_text_iter_forward_to_tag_toggle (&iter, tag));
      }
  }
  g_assert_true (rl_page_view_get_thread_range (f->view, done_id, &start, &end));
  g_assert_cmpuint (start, ==, b);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, open_id), a, a + 13);
  rl_review_state_set_hide_resolved (rl_page_view_get_state (f->view), FALSE);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, done_id), b, b + 15);
}

/* ---- (4) overlapping annotations: both show, clicks are deterministic ---- */

static void
test_overlap (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(RlConnection) bob_conn = rl_ui_test_connect (f->world.server, f->world.bob);
  g_autoptr(RlDocStore) bob = rl_ui_test_open_store (bob_conn, f->world.page, RL_DOC_KIND_PAGE);
  GtkTextTag *overlap = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (f->buffer), "thread-overlap");
  guint outer = rl_ui_test_page_find (f->page, "Paragraph one about the header", NULL);
  guint outer_end = outer + length_of ("Paragraph one about the header, which is long enough");
  guint inner = rl_ui_test_page_find (f->page, "the header", NULL);
  guint inner_end = inner + length_of ("the header");
  guint crossing = rl_ui_test_page_find (f->page, "which is long", NULL);
  guint crossing_end = rl_ui_test_page_find (f->page, "to wrap across", NULL) + length_of ("to wrap");
  guint three;
  g_autofree char *outer_id = rl_ui_test_store_create_annotation (bob, f->page, outer, outer_end, "The whole opening");
  g_autofree char *inner_id = rl_ui_test_store_create_annotation (bob, f->page, inner, inner_end, "Just these words");
  g_autofree char *cross_id = rl_ui_test_store_create_annotation (bob, f->page, crossing, crossing_end,
                                                                  "Crossing the end");
  g_autofree char *resolved_id = NULL;
  g_autofree char *preview = NULL;
  g_autoptr(GError) error = NULL;
  GtkTextIter iter;

  wait_highlight (f->view, outer_id);
  wait_highlight (f->view, inner_id);
  wait_highlight (f->view, cross_id);
  /* Each keeps its own tag over its own range. */
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, outer_id), outer, outer_end);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, inner_id), inner, inner_end);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, cross_id), crossing, crossing_end);
  /* The overlaps are marked (darker, underlined); the rest is not. */
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, inner + 2);
  g_assert_true (gtk_text_iter_has_tag (&iter, overlap));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, crossing + 2);
  g_assert_true (gtk_text_iter_has_tag (&iter, overlap));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, outer + 2);
  g_assert_false (gtk_text_iter_has_tag (&iter, overlap));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, crossing_end - 1);
  g_assert_false (gtk_text_iter_has_tag (&iter, overlap));
  /* The inner one is drawn over the outer one. */
  g_assert_cmpint (gtk_text_tag_get_priority (rl_page_view_get_thread_tag (f->view, inner_id)), >,
                   gtk_text_tag_get_priority (rl_page_view_get_thread_tag (f->view, outer_id)));
  /* The preview names both, the innermost first. */
  preview = rl_page_view_dup_preview_at (f->view, inner + 1);
  g_assert_cmpstr (preview, ==, "Bob: Just these words\nBob: The whole opening");

  /* A click in the overlap picks the innermost, the next click the outer
   * one, then back; outside the overlap only the outer one is there. */
  rl_page_view_click_for_testing (f->view, inner + 1, FALSE);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_page_view_get_state (f->view)), ==, inner_id);
  rl_page_view_click_for_testing (f->view, inner + 1, FALSE);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_page_view_get_state (f->view)), ==, outer_id);
  rl_page_view_click_for_testing (f->view, inner + 1, FALSE);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_page_view_get_state (f->view)), ==, inner_id);
  rl_page_view_click_for_testing (f->view, outer + 1, FALSE);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_page_view_get_state (f->view)), ==, outer_id);
  rl_page_view_click_for_testing (f->view, crossing_end - 1, FALSE);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_page_view_get_state (f->view)), ==, cross_id);

  /* The selected one is stronger: its own tag over exactly its range. */
  rl_review_state_set_selected_thread (rl_page_view_get_state (f->view), inner_id);
  assert_tag_covers (f->buffer, gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (f->buffer), "thread-selected"),
                     inner, inner_end);

  /* The screenshot: one selected, one resolved, overlapping ones. */
  three = rl_ui_test_page_find (f->page, "Paragraph three", NULL);
  resolved_id = rl_ui_test_store_create_annotation (bob, f->page, three, three + length_of ("Paragraph three about colours"),
                                                    "Fixed in the new palette");
  g_assert_true (rl_doc_store_resolve_thread (bob, resolved_id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (bob), 5000));
  wait_highlight (f->view, resolved_id);
  {
    guint plan = rl_ui_test_page_find (f->page, "Free plan", NULL);
    g_autofree char *extra = rl_ui_test_store_create_annotation (bob, f->page, plan, plan + 9, "Free for how long?");

    wait_highlight (f->view, extra);
  }
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 900);
  /* The window's resize comes through once X has configured it. */
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_height (GTK_WIDGET (f->view)) > 800, 3000));
  /* The reader goes back to the top for the picture. */
  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (rl_page_view_get_text_view (f->view))), 0);
  rl_ui_test_run (300);
  rl_ui_test_screenshot_settled (f->window, "page-view-annotations", 150);
  /* Narrow: the column fills the window, bullets still in the margin. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 460, 900);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (f->view)) < 500, 3000));
  rl_ui_test_run (300);
  rl_ui_test_screenshot_settled (f->window, "page-view-narrow", 150);
}

/* ---- (5) a new revision: moved anchors re-found, deleted ones orphaned --- */

static void
test_reanchor (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestClient) raw = rl_test_client_new (f->world.server, f->world.bob);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (raw, f->world.page);
  const char *kept = "Paragraph four about motion";
  const char *deleted = "repeats the phrase landing page once more";
  const char *inserted = "A new opening paragraph, added in the second revision. ";
  guint kstart = rl_ui_test_page_find (f->page, kept, NULL), dstart = rl_ui_test_page_find (f->page, deleted, NULL);
  g_autofree char *kept_id = NULL, *deleted_id = NULL, *same_id = NULL;
  g_autoptr(GString) revised = g_string_new (PAGE_MD);
  g_autoptr(RlPageText) page2 = NULL;
  g_autofree char *slice = NULL;
  guint start, end, before;
  guint sstart = rl_ui_test_page_find (f->page, "Design review", NULL);

  kept_id = rl_ui_test_create_annotation (raw, f->world.page, f->page, kept, "Written by hand");
  deleted_id = rl_ui_test_create_annotation (raw, f->world.page, f->page, deleted, "Written by hand");
  same_id = rl_ui_test_create_annotation (raw, f->world.page, f->page, "Design review", "Written by hand");
  wait_highlight (f->view, kept_id);
  wait_highlight (f->view, deleted_id);
  wait_highlight (f->view, same_id);
  /* On the page they were made on: where they were made. */
  g_assert_true (rl_page_view_get_thread_range (f->view, kept_id, &start, &end));
  g_assert_cmpuint (start, ==, kstart);
  g_assert_cmpuint (end, ==, kstart + length_of (kept));

  /* The next revision: a paragraph before, the last paragraph gone. */
  g_string_replace (revised, "## Details\n\n", "## Details\n\nA new opening paragraph, added in the second revision. Yes.\n\n", 1);
  g_string_replace (revised, "The final paragraph repeats the phrase landing page once more.\n", "", 1);
  page2 = rl_ui_test_page_from_markdown (revised->str);
  before = f->ranges_changed;
  rl_page_view_set_page (f->view, page2);
  g_assert_cmpuint (f->ranges_changed, ==, before + 1);

  /* Moved: found after the new paragraph, the text there is the quote. */
  g_assert_true (rl_page_view_get_thread_range (f->view, kept_id, &start, &end));
  g_assert_cmpuint (start, ==, rl_ui_test_page_find (page2, kept, NULL));
  g_assert_cmpuint (start, >, kstart + length_of (inserted) - 1);
  slice = rl_page_text_slice (page2, start, end);
  g_assert_cmpstr (slice, ==, kept);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, kept_id), start, end);
  /* Before the change: untouched. */
  g_assert_true (rl_page_view_get_thread_range (f->view, same_id, &start, &end));
  g_assert_cmpuint (start, ==, sstart);
  /* Deleted passage: orphaned, not highlighted, still in the store. */
  g_assert_false (rl_page_view_get_thread_range (f->view, deleted_id, &start, &end));
  g_assert_null (rl_page_view_get_thread_tag (f->view, deleted_id));
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (f->store)), ==, 3);
  /* Clicking where it was selects nothing new. */
  rl_review_state_set_selected_thread (rl_page_view_get_state (f->view), NULL);
  rl_page_view_click_for_testing (f->view, rl_page_text_get_n_chars (page2) - 2, FALSE);
  g_assert_null (rl_review_state_get_selected_thread (rl_page_view_get_state (f->view)));

  /* Back on the original: all three placed again, exactly. */
  rl_page_view_set_page (f->view, f->page);
  g_assert_true (rl_page_view_get_thread_range (f->view, deleted_id, &start, &end));
  g_assert_cmpuint (start, ==, dstart);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, deleted_id), dstart, dstart + length_of (deleted));
}

int
main (int    argc,
      char **argv)
{
  rl_ui_test_init (&argc, &argv);

  g_test_add ("/page-view/text-and-styles", Fixture, NULL, fixture_setup, test_text_and_styles, fixture_teardown);
  g_test_add ("/page-view/table", Fixture, PRICING_MD, fixture_setup, test_table, fixture_teardown);
  g_test_add ("/page-view/select-creates", Fixture, NULL, fixture_setup, test_select_creates, fixture_teardown);
  g_test_add ("/page-view/menu-and-keyboard", Fixture, NULL, fixture_setup, test_menu_and_keyboard, fixture_teardown);
  g_test_add ("/page-view/remote-highlight", Fixture, NULL, fixture_setup, test_remote_highlight, fixture_teardown);
  g_test_add ("/page-view/resolved", Fixture, NULL, fixture_setup, test_resolved, fixture_teardown);
  g_test_add ("/page-view/overlap", Fixture, NULL, fixture_setup, test_overlap, fixture_teardown);
  g_test_add ("/page-view/reanchor", Fixture, NULL, fixture_setup, test_reanchor, fixture_teardown);
  return g_test_run ();
}
