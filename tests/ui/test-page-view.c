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

#include "rl-annotation-composer.h"
#include "rl-doc-store.h"
#include "rl-page-view.h"
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

typedef struct
{
  RlTestServer *server;
  char         *ada;
  char         *bob;
  char         *page_id;
  RlConnection *connection;   /* Ada's */
  RlDocStore   *store;
  RlPageText   *page;
  GtkWidget    *window;
  RlPageView   *view;
  GtkTextBuffer *buffer;
  guint         ranges_changed;
} Fixture;

static RlConnection *
online (Fixture    *f,
        const char *token)
{
  return rl_ui_test_connect (f->server, token);
}

static RlDocStore *
open_store (RlConnection *conn,
            const char   *doc)
{
  return rl_ui_test_open_store (conn, doc, RL_DOC_KIND_PAGE);
}

static RlPageText *
page_from (const char *markdown)
{
  g_autoptr(GError) error = NULL;
  RlPageText *page = rl_page_text_new ("text/markdown", markdown, strlen (markdown), &error);

  g_assert_no_error (error);
  return page;
}

static gboolean
view_ready (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_mapped (GTK_WIDGET (f->view)) && gtk_widget_get_width (GTK_WIDGET (f->view)) > 100;
}

/* The window's resize has come through (X configures it later). */
static gboolean
view_tall (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_height (GTK_WIDGET (f->view)) > 800;
}

static gboolean
view_narrow (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_width (GTK_WIDGET (f->view)) < 500;
}

static void
count_ranges_changed (Fixture *f)
{
  f->ranges_changed++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = rl_test_server_new ();
  g_free (rl_test_server_admin (f->server, "tenant", "add", "acme", NULL));
  f->ada = rl_test_add_user (f->server, "acme", "Ada", "member");
  f->bob = rl_test_add_user (f->server, "acme", "Bob", "member");
  f->page_id = rl_test_add_doc_bytes (f->server, "acme", "Spec", ".md", PAGE_MD, -1);
  rl_test_server_start (f->server);

  f->connection = online (f, f->ada);
  f->store = open_store (f->connection, f->page_id);
  f->page = page_from (PAGE_MD);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 520);
  f->view = RL_PAGE_VIEW (rl_page_view_new ());
  f->buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_page_view_get_text_view (f->view)));
  g_signal_connect_swapped (f->view, "ranges-changed", G_CALLBACK (count_ranges_changed), f);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
  rl_page_view_set_page (f->view, f->page);
  rl_page_view_set_store (f->view, f->store);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (rl_ui_test_wait_for (view_ready, f, 5000));
  rl_ui_test_run (200);
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
  rl_test_server_stop (f->server);
  rl_test_server_free (f->server);
  g_free (f->ada);
  g_free (f->bob);
  g_free (f->page_id);
}

/* ---- helpers ------------------------------------------------------------- */

/* The code-point offset of the nth (from 0) occurrence of needle in the
 * page's plain text. */
static guint
offset_of (RlPageText *page,
           const char *needle,
           guint       nth)
{
  const char *text = rl_page_text_get_text (page, NULL);
  const char *hit = strstr (text, needle);

  for (guint i = 0; hit != NULL && i < nth; i++)
    hit = strstr (hit + 1, needle);
  g_assert_nonnull (hit);
  return (guint) g_utf8_pointer_to_offset (text, hit);
}

static guint
length_of (const char *needle)
{
  return (guint) g_utf8_strlen (needle, -1);
}

typedef struct
{
  RlDocStore *store;
  guint       n;
} CountWait;

static gboolean
has_n_threads (gpointer data)
{
  CountWait *wait = data;

  return g_list_model_get_n_items (rl_doc_store_get_threads (wait->store)) == wait->n;
}

static void
wait_n_threads (RlDocStore *store,
                guint       n)
{
  CountWait wait = { store, n };

  g_assert_true (rl_ui_test_wait_for (has_n_threads, &wait, 5000));
}

static const RlThread *
thread_at (RlDocStore *store,
           guint       i)
{
  g_autoptr(RlThreadItem) item = g_list_model_get_item (rl_doc_store_get_threads (store), i);

  g_assert_nonnull (item);
  return rl_thread_item_get_thread (item);   /* the model keeps it */
}

/* A page anchor made the way the protocol says, independently of the view. */
static RlAnchor
expected_anchor (RlPageText *page,
                 guint       start,
                 guint       end)
{
  guint n = rl_page_text_get_n_chars (page);
  RlAnchor anchor = { .kind = RL_DOC_KIND_PAGE, .start = start, .end = end };

  anchor.exact = rl_page_text_slice (page, start, end);
  anchor.prefix = rl_page_text_slice (page, start >= 32 ? start - 32 : 0, start);
  anchor.suffix = rl_page_text_slice (page, end, end + 32 <= n ? end + 32 : n);
  return anchor;
}

static char *
create (RlDocStore *store,
        RlPageText *page,
        guint       start,
        guint       end,
        const char *body)
{
  RlAnchor anchor = expected_anchor (page, start, end);
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  g_assert_true (rl_doc_store_create_thread (store, &anchor, body, &id, &error));
  g_assert_no_error (error);
  rl_anchor_clear (&anchor);
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, store, 5000));
  return id;
}

typedef struct
{
  RlPageView *view;
  const char *id;
} TagWait;

static gboolean
has_tag (gpointer data)
{
  TagWait *wait = data;

  return rl_page_view_get_thread_tag (wait->view, wait->id) != NULL;
}

static void
wait_highlight (RlPageView *view,
                const char *id)
{
  TagWait wait = { view, id };

  g_assert_true (rl_ui_test_wait_for (has_tag, &wait, 5000));
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

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
count_click (int *clicks)
{
  (*clicks)++;
}

/* A button's activate shows it pressed for a moment, then clicks. */
static void
activate_button (GtkWidget *button)
{
  int clicks = 0;
  gulong id = g_signal_connect_swapped (button, "clicked", G_CALLBACK (count_click), &clicks);

  g_assert_true (gtk_widget_activate (button));
  while (clicks == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (button, id);
}

static void
screenshot (Fixture    *f,
            const char *name)
{
  rl_ui_test_run (150);
  g_free (rl_ui_test_screenshot (f->window, name));
}

static const char *
first_body (const RlThread *thread)
{
  return thread->comments->len ? ((RlComment *) g_ptr_array_index (thread->comments, 0))->body : NULL;
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
  const RlThread *seen = thread_at (bob, i);
  RlAnchor want = expected_anchor (page, start, end);

  g_assert_cmpint (seen->anchor.kind, ==, RL_DOC_KIND_PAGE);
  g_assert_cmpint (seen->anchor.start, ==, start);
  g_assert_cmpint (seen->anchor.end, ==, end);
  g_assert_cmpstr (seen->anchor.exact, ==, want.exact);
  g_assert_cmpstr (seen->anchor.prefix, ==, want.prefix);
  g_assert_cmpstr (seen->anchor.suffix, ==, want.suffix);
  g_assert_cmpstr (first_body (seen), ==, body);
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
  GtkTextView *text_view = GTK_TEXT_VIEW (rl_page_view_get_text_view (f->view));
  GdkRectangle visible;
  int margin;

  /* Offsets in the buffer are the anchors' code points: no bullet, no
   * table bar, no Markdown mark was inserted. */
  gtk_text_buffer_get_bounds (f->buffer, &start, &end);
  text = gtk_text_buffer_get_text (f->buffer, &start, &end, TRUE);
  g_assert_cmpstr (text, ==, rl_page_text_get_text (f->page, NULL));
  g_assert_cmpint (gtk_text_buffer_get_char_count (f->buffer), ==, rl_page_text_get_n_chars (f->page));
  g_assert_null (strstr (text, "- Free"));
  g_assert_null (strstr (text, "**"));

  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset_of (f->page, "Design review", 0));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "h1")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset_of (f->page, "Pricing", 0));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "h2")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset_of (f->page, "landing page", 0));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "strong")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset_of (f->page, "carefully", 0));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "emphasis")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset_of (f->page, "priority", 0));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "code")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset_of (f->page, "let price", 0));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "code-block")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset_of (f->page, "Zażółć", 0));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "quote")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset_of (f->page, "Plan", 0));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "table-header")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset_of (f->page, "0 zł", 0));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "table-cell")));
  gtk_text_buffer_get_iter_at_offset (f->buffer, &iter, offset_of (f->page, "Old pricing", 0));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "strikethrough")));

  /* List items are indented (bullets are drawn in that margin), nested
   * ones further. */
  {
    GtkTextIter item, nested, para;
    GdkRectangle r_item, r_nested, r_para;

    gtk_text_buffer_get_iter_at_offset (f->buffer, &item, offset_of (f->page, "Free plan", 0));
    gtk_text_buffer_get_iter_at_offset (f->buffer, &nested, offset_of (f->page, "nested item", 0));
    gtk_text_buffer_get_iter_at_offset (f->buffer, &para, offset_of (f->page, "Welcome", 0));
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
  screenshot (f, "page-view-styles");
}

/* ---- (1) select → Comment → composer → Bob sees the exact anchor --------- */

static void
test_select_creates (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RlConnection) bob_conn = online (f, f->bob);
  g_autoptr(RlDocStore) bob = open_store (bob_conn, f->page_id);
  RlAnnotationComposer *composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (f->view));
  GtkTextBuffer *typed = gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_annotation_composer_get_text_view (composer)));
  GtkWidget *button = rl_page_view_get_comment_button (f->view);
  guint start = offset_of (f->page, "landing page", 0);
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
  screenshot (f, "page-view-comment-button");

  /* The real button opens the real composer, quoting the selection. */
  activate_button (button);
  g_assert_true (rl_ui_test_wait_for (popover_shown, composer, 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, "landing page");
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_has_focus (rl_annotation_composer_get_text_view (composer)));
  gtk_text_buffer_insert_at_cursor (typed, "Say “home page” here?", -1);
  rl_ui_test_run (200);
  rl_ui_test_screenshot_with_popover (f->window, GTK_WIDGET (composer), "page-view-composer");
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (bob)), ==, 0);

  activate_button (rl_annotation_composer_get_send_button (composer));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (composer)));
  /* Shown at once as the selected highlight. */
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (f->store)), ==, 1);
  g_assert_cmpstr (rl_page_view_get_selected_thread (f->view), ==, thread_at (f->store, 0)->id);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, thread_at (f->store, 0)->id), start, end);
  draft = rl_annotation_composer_dup_text (composer);
  g_assert_cmpstr (draft, ==, "");

  /* The server took it (it checks exact against its own plain text) and
   * Bob sees exactly that anchor. */
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, f->store, 5000));
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (f->store)), ==, 1);
  wait_n_threads (bob, 1);
  assert_seen (bob, f->page, 0, start, end, "Say “home page” here?");

  /* Ctrl+Alt+M on a non-ASCII selection: offsets in code points (the
   * emoji is one, each Polish letter one). */
  pstart = offset_of (f->page, polish, 0);
  pend = pstart + length_of (polish);
  g_assert_cmpuint (pend - pstart, ==, 19);
  g_assert_cmpuint (pstart, <, (guint) (strstr (rl_page_text_get_text (f->page, NULL), polish)
                                        - rl_page_text_get_text (f->page, NULL)));
  select_range (f, pstart, pend);
  rl_ui_test_press_key (GTK_WIDGET (f->view), GDK_KEY_m, GDK_CONTROL_MASK | GDK_ALT_MASK);
  g_assert_true (rl_ui_test_wait_for (popover_shown, composer, 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, polish);
  gtk_text_buffer_insert_at_cursor (typed, "Polish test 🎉", -1);
  activate_button (rl_annotation_composer_get_send_button (composer));
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, f->store, 5000));
  wait_n_threads (bob, 2);
  assert_seen (bob, f->page, 1, pstart, pend, "Polish test 🎉");

  /* Offline: the send fails at once; the text stays, the error shows inside. */
  rl_connection_stop (f->connection);
  rl_page_view_open_composer (f->view, start, end, "Kept while offline");
  g_assert_true (rl_ui_test_wait_for (popover_shown, composer, 3000));
  activate_button (rl_annotation_composer_get_send_button (composer));
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
  guint link = offset_of (f->page, "the docs", 0);
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
  select_range (f, offset_of (f->page, "Second step", 0), offset_of (f->page, "Second step", 0) + 11);
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
  activate_button (button);
  g_assert_true (rl_ui_test_wait_for (popover_shown, composer, 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (RL_ANNOTATION_COMPOSER (composer)), ==, "Second step");
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (200);
  g_assert_cmpuint (g_list_model_get_n_items (rl_doc_store_get_threads (f->store)), ==, 0);

  /* can-create FALSE: the reason, no composer. */
  rl_page_view_set_can_create (f->view, FALSE);
  rl_page_view_set_cannot_create_reason (f->view, "Viewers cannot comment.");
  select_range (f, offset_of (f->page, "Second step", 0), offset_of (f->page, "Second step", 0) + 11);
  rl_ui_test_press_key (GTK_WIDGET (f->view), GDK_KEY_m, GDK_CONTROL_MASK | GDK_ALT_MASK);
  g_assert_true (rl_ui_test_wait_for (popover_shown, rl_page_view_get_notice (f->view), 3000));
  g_assert_false (gtk_widget_get_visible (composer));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_popover_get_child (GTK_POPOVER (rl_page_view_get_notice (f->view))))),
                   ==, "Viewers cannot comment.");
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
  g_autoptr(RlConnection) bob_conn = online (f, f->bob);
  g_autoptr(RlDocStore) bob = open_store (bob_conn, f->page_id);
  GtkAdjustment *vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (rl_page_view_get_text_view (f->view)));
  guint start = offset_of (f->page, "Paragraph two", 0);
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

  id = create (bob, f->page, start, end, "Footer copy is too long");
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
    g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, bob, 5000));
    rl_ui_test_run (300);
    g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, value);
    g_assert_true (rl_doc_store_delete_thread (bob, id, &error));
    g_assert_no_error (error);
    wait_n_threads (f->store, 0);
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
  g_autoptr(RlConnection) bob_conn = online (f, f->bob);
  g_autoptr(RlDocStore) bob = open_store (bob_conn, f->page_id);
  guint a = offset_of (f->page, "Paragraph one", 0), b = offset_of (f->page, "Paragraph three", 0);
  g_autofree char *open_id = create (bob, f->page, a, a + 13, "Open one");
  g_autofree char *done_id = create (bob, f->page, b, b + 15, "Resolved one");
  g_autoptr(GError) error = NULL;
  guint start, end;

  wait_highlight (f->view, open_id);
  wait_highlight (f->view, done_id);
  g_assert_cmpfloat (tag_alpha (rl_page_view_get_thread_tag (f->view, open_id)), ==,
                     tag_alpha (rl_page_view_get_thread_tag (f->view, done_id)));
  g_assert_true (rl_doc_store_resolve_thread (bob, done_id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, bob, 5000));
  rl_ui_test_run (300);
  /* Paler. */
  g_assert_cmpfloat (tag_alpha (rl_page_view_get_thread_tag (f->view, done_id)), <,
                     tag_alpha (rl_page_view_get_thread_tag (f->view, open_id)) / 2);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, done_id), b, b + 15);

  /* Hidden by the filter, still placed (the panel lists it). */
  rl_page_view_set_hide_resolved (f->view, TRUE);
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
  rl_page_view_set_hide_resolved (f->view, FALSE);
  assert_tag_covers (f->buffer, rl_page_view_get_thread_tag (f->view, done_id), b, b + 15);
}

/* ---- (4) overlapping annotations: both show, clicks are deterministic ---- */

static void
test_overlap (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(RlConnection) bob_conn = online (f, f->bob);
  g_autoptr(RlDocStore) bob = open_store (bob_conn, f->page_id);
  GtkTextTag *overlap = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (f->buffer), "thread-overlap");
  guint outer = offset_of (f->page, "Paragraph one about the header", 0);
  guint outer_end = outer + length_of ("Paragraph one about the header, which is long enough");
  guint inner = offset_of (f->page, "the header", 0);
  guint inner_end = inner + length_of ("the header");
  guint crossing = offset_of (f->page, "which is long", 0);
  guint crossing_end = offset_of (f->page, "to wrap across", 0) + length_of ("to wrap");
  g_autofree char *outer_id = create (bob, f->page, outer, outer_end, "The whole opening");
  g_autofree char *inner_id = create (bob, f->page, inner, inner_end, "Just these words");
  g_autofree char *cross_id = create (bob, f->page, crossing, crossing_end, "Crossing the end");
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
  g_assert_cmpstr (rl_page_view_get_selected_thread (f->view), ==, inner_id);
  rl_page_view_click_for_testing (f->view, inner + 1, FALSE);
  g_assert_cmpstr (rl_page_view_get_selected_thread (f->view), ==, outer_id);
  rl_page_view_click_for_testing (f->view, inner + 1, FALSE);
  g_assert_cmpstr (rl_page_view_get_selected_thread (f->view), ==, inner_id);
  rl_page_view_click_for_testing (f->view, outer + 1, FALSE);
  g_assert_cmpstr (rl_page_view_get_selected_thread (f->view), ==, outer_id);
  rl_page_view_click_for_testing (f->view, crossing_end - 1, FALSE);
  g_assert_cmpstr (rl_page_view_get_selected_thread (f->view), ==, cross_id);

  /* The selected one is stronger: its own tag over exactly its range. */
  rl_page_view_set_selected_thread (f->view, inner_id);
  assert_tag_covers (f->buffer, gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (f->buffer), "thread-selected"),
                     inner, inner_end);

  /* The screenshot: one selected, one resolved, overlapping ones. */
  resolved_id = create (bob, f->page, offset_of (f->page, "Paragraph three", 0),
                        offset_of (f->page, "Paragraph three", 0) + length_of ("Paragraph three about colours"),
                        "Fixed in the new palette");
  g_assert_true (rl_doc_store_resolve_thread (bob, resolved_id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, bob, 5000));
  wait_highlight (f->view, resolved_id);
  {
    g_autofree char *extra = create (bob, f->page, offset_of (f->page, "Free plan", 0),
                                     offset_of (f->page, "Free plan", 0) + 9, "Free for how long?");
    wait_highlight (f->view, extra);
  }
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 900);
  g_assert_true (rl_ui_test_wait_for (view_tall, f, 3000));
  /* The reader goes back to the top for the picture. */
  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (rl_page_view_get_text_view (f->view))), 0);
  rl_ui_test_run (300);
  screenshot (f, "page-view-annotations");
  /* Narrow: the column fills the window, bullets still in the margin. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 460, 900);
  g_assert_true (rl_ui_test_wait_for (view_narrow, f, 3000));
  rl_ui_test_run (300);
  screenshot (f, "page-view-narrow");
}

/* ---- (5) a new revision: moved anchors re-found, deleted ones orphaned --- */

static void
raw_create (RlTestClient *client,
            const char   *doc,
            RlPageText   *page,
            guint         start,
            guint         end,
            char        **thread_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *frame = NULL;
  g_autofree char *broadcast = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  RlAnchor anchor = expected_anchor (page, start, end);
  JsonObject *ack;

  *thread_id = rl_test_uuid ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "create-thread");
  json_builder_set_member_name (builder, "req");
  json_builder_add_string_value (builder, *thread_id);
  json_builder_set_member_name (builder, "broadcastId");
  json_builder_add_string_value (builder, broadcast);
  json_builder_set_member_name (builder, "doc");
  json_builder_add_string_value (builder, doc);
  json_builder_set_member_name (builder, "thread");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, *thread_id);
  json_builder_set_member_name (builder, "anchor");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "start");
  json_builder_add_int_value (builder, start);
  json_builder_set_member_name (builder, "end");
  json_builder_add_int_value (builder, end);
  json_builder_set_member_name (builder, "exact");
  json_builder_add_string_value (builder, anchor.exact);
  json_builder_set_member_name (builder, "prefix");
  json_builder_add_string_value (builder, anchor.prefix);
  json_builder_set_member_name (builder, "suffix");
  json_builder_add_string_value (builder, anchor.suffix);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "comment");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, comment);
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, "Written by hand");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  frame = json_to_string (root, FALSE);
  rl_test_client_send (client, frame);
  ack = rl_test_client_expect_ack (client, *thread_id);
  g_assert_null (rl_test_ack_error (ack));
  json_object_unref (ack);
  rl_anchor_clear (&anchor);
}

static void
test_reanchor (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestClient) raw = rl_test_client_new (f->server, f->bob);
  g_autoptr(JsonObject) snapshot = rl_test_client_subscribe (raw, f->page_id);
  const char *kept = "Paragraph four about motion";
  const char *deleted = "repeats the phrase landing page once more";
  const char *inserted = "A new opening paragraph, added in the second revision. ";
  guint kstart = offset_of (f->page, kept, 0), dstart = offset_of (f->page, deleted, 0);
  g_autofree char *kept_id = NULL, *deleted_id = NULL, *same_id = NULL;
  g_autoptr(GString) revised = g_string_new (PAGE_MD);
  g_autoptr(RlPageText) page2 = NULL;
  g_autofree char *slice = NULL;
  guint start, end, before;
  guint sstart = offset_of (f->page, "Design review", 0);

  raw_create (raw, f->page_id, f->page, kstart, kstart + length_of (kept), &kept_id);
  raw_create (raw, f->page_id, f->page, dstart, dstart + length_of (deleted), &deleted_id);
  raw_create (raw, f->page_id, f->page, sstart, sstart + length_of ("Design review"), &same_id);
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
  page2 = page_from (revised->str);
  before = f->ranges_changed;
  rl_page_view_set_page (f->view, page2);
  g_assert_cmpuint (f->ranges_changed, ==, before + 1);

  /* Moved: found after the new paragraph, the text there is the quote. */
  g_assert_true (rl_page_view_get_thread_range (f->view, kept_id, &start, &end));
  g_assert_cmpuint (start, ==, offset_of (page2, kept, 0));
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
  rl_page_view_set_selected_thread (f->view, NULL);
  rl_page_view_click_for_testing (f->view, rl_page_text_get_n_chars (page2) - 2, FALSE);
  g_assert_null (rl_page_view_get_selected_thread (f->view));

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
  g_test_add ("/page-view/select-creates", Fixture, NULL, fixture_setup, test_select_creates, fixture_teardown);
  g_test_add ("/page-view/menu-and-keyboard", Fixture, NULL, fixture_setup, test_menu_and_keyboard, fixture_teardown);
  g_test_add ("/page-view/remote-highlight", Fixture, NULL, fixture_setup, test_remote_highlight, fixture_teardown);
  g_test_add ("/page-view/resolved", Fixture, NULL, fixture_setup, test_resolved, fixture_teardown);
  g_test_add ("/page-view/overlap", Fixture, NULL, fixture_setup, test_overlap, fixture_teardown);
  g_test_add ("/page-view/reanchor", Fixture, NULL, fixture_setup, test_reanchor, fixture_teardown);
  return g_test_run ();
}
