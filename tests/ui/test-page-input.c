/* test-page-input.c — the page view used as a person uses it: text
 * selected by dragging the mouse, the floating Comment button clicked, the
 * comment typed and sent with the Send button; real pointer and keyboard
 * events through the X server (rl-ui-input.h), against the real server,
 * with a raw WebSocket client as the teammate who must see the result
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
#include "rl-ui-input.h"
#include "rl-ui-test.h"

static const char PAGE_MD[] =
  "# Launch copy\n"
  "\n"
  "Welcome to the **landing page** copy. Read it carefully and comment on what\n"
  "reads wrong; every teammate sees your highlight at once.\n"
  "\n"
  "## Pricing\n"
  "\n"
  "Free for small teams, and a Pro plan with priority support for the rest.\n"
  "\n"
  "The final paragraph repeats the phrase landing page once more.\n"
  "\n"
  "## Appendix\n"
  "\n"
  "Filler one, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler two, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler three, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler four, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler five, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler six, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler seven, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler eight, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler nine, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler ten, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler eleven, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler twelve, so that the page is taller than the window and scrolls.\n"
  "\n"
  "The very end of the page.\n";

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
  GtkTextView  *text_view;
  RlTestClient *teammate;     /* Bob, raw protocol */
} Fixture;

static gboolean
view_ready (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_mapped (GTK_WIDGET (f->view)) && gtk_widget_get_width (GTK_WIDGET (f->view)) > 100;
}

/* The app's own style, as the window loads it. */
static void
load_css (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) provider = NULL;

  if (loaded)
    return;
  loaded = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/redline/Redline/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  JsonObject *snapshot;

  f->server = rl_test_server_new ();
  g_free (rl_test_server_admin (f->server, "tenant", "add", "acme", NULL));
  f->ada = rl_test_add_user (f->server, "acme", "Ada", "member");
  f->bob = rl_test_add_user (f->server, "acme", "Bob", "member");
  f->page_id = rl_test_add_doc_bytes (f->server, "acme", "Launch copy", ".md", PAGE_MD, -1);
  rl_test_server_start (f->server);

  f->connection = rl_ui_test_connect (f->server, f->ada);
  f->store = rl_ui_test_open_store (f->connection, f->page_id, RL_DOC_KIND_PAGE);
  f->page = rl_page_text_new ("text/markdown", PAGE_MD, strlen (PAGE_MD), &error);
  g_assert_no_error (error);
  f->teammate = rl_test_client_new (f->server, f->bob);
  snapshot = rl_test_client_subscribe (f->teammate, f->page_id);
  json_object_unref (snapshot);

  load_css ();
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 560);
  f->view = RL_PAGE_VIEW (rl_page_view_new ());
  f->text_view = GTK_TEXT_VIEW (rl_page_view_get_text_view (f->view));
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
  rl_test_client_free (f->teammate);
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

/* The code-point offset of needle in the page's plain text. */
static guint
offset_of (Fixture    *f,
           const char *needle)
{
  const char *text = rl_page_text_get_text (f->page, NULL);
  const char *hit = strstr (text, needle);

  g_assert_nonnull (hit);
  return (guint) g_utf8_pointer_to_offset (text, hit);
}

/* Where the character at offset is drawn, in the text view's own
 * coordinates: its left edge, half way down its line. */
static void
char_point (Fixture *f,
            guint    offset,
            double  *x,
            double  *y)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (f->text_view);
  GtkTextIter iter;
  GdkRectangle rect;
  int wx, wy;

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, offset);
  gtk_text_view_get_iter_location (f->text_view, &iter, &rect);
  gtk_text_view_buffer_to_window_coords (f->text_view, GTK_TEXT_WINDOW_WIDGET, rect.x, rect.y, &wx, &wy);
  *x = wx + 1;
  *y = wy + rect.height / 2.0;
}

/* Presses on the first character of needle and lets go just before the
 * character after it, as a hand selects a phrase. */
static void
drag_select (Fixture    *f,
             const char *needle)
{
  guint start = offset_of (f, needle);
  guint end = start + (guint) g_utf8_strlen (needle, -1);
  double x0, y0, x1, y1;

  char_point (f, start, &x0, &y0);
  char_point (f, end, &x1, &y1);
  rl_ui_input_drag (GTK_WIDGET (f->text_view), x0, y0, x1, y1);
}

static char *
selected_text (Fixture *f)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (f->text_view);
  GtkTextIter a, b;

  if (!gtk_text_buffer_get_selection_bounds (buffer, &a, &b))
    return NULL;
  return gtk_text_buffer_get_text (buffer, &a, &b, FALSE);
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
widget_hidden (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

/* The teammate's next event of that type, skipping anything else. */
static JsonObject *
teammate_expects (Fixture    *f,
                  const char *type)
{
  return rl_test_client_expect (f->teammate, type);
}

/* ---- the Comment button under the pointer -------------------------------- */

static void
test_comment_button_click (Fixture       *f,
                           gconstpointer  data)
{
  GtkWidget *button = rl_page_view_get_comment_button (f->view);
  RlAnnotationComposer *composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (f->view));
  g_autofree char *selected = NULL;
  g_autofree char *typed = NULL;
  JsonObject *event;
  JsonObject *thread, *anchor, *comment;

  /* A phrase selected with the mouse shows the button beside it. */
  g_assert_false (gtk_widget_get_visible (button));
  drag_select (f, "landing page");
  selected = selected_text (f);
  g_assert_cmpstr (selected, ==, "landing page");
  g_assert_true (rl_ui_test_wait_for (widget_mapped, button, 3000));
  rl_ui_input_hover (button);
  rl_ui_test_run (100);
  g_free (rl_ui_test_screenshot (f->window, "page-input-comment-button"));

  /* A click on it opens the composer on that phrase: the press does not
   * reach the text under the button, so the selection stays. */
  rl_ui_input_click (button);
  g_assert_true (rl_ui_test_wait_for (widget_mapped, composer, 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, "landing page");
  g_assert_true (gtk_widget_has_focus (rl_annotation_composer_get_text_view (composer)));

  /* Typed, then sent with the Send button. */
  rl_ui_input_type ("Say “home page” here?");
  typed = rl_annotation_composer_dup_text (composer);
  g_assert_cmpstr (typed, ==, "Say “home page” here?");
  rl_ui_test_run (100);
  rl_ui_test_screenshot_with_popover (f->window, GTK_WIDGET (composer), "page-input-composer");
  rl_ui_input_click (rl_annotation_composer_get_send_button (composer));
  g_assert_true (rl_ui_test_wait_for (widget_hidden, composer, 3000));

  /* The teammate gets the annotation on exactly that phrase. */
  event = teammate_expects (f, "new-text-chat");
  thread = json_object_get_object_member (event, "thread");
  anchor = json_object_get_object_member (thread, "anchor");
  g_assert_cmpstr (json_object_get_string_member (anchor, "exact"), ==, "landing page");
  g_assert_cmpint (json_object_get_int_member (anchor, "start"), ==, offset_of (f, "landing page"));
  comment = json_array_get_object_element (json_object_get_array_member (thread, "comments"), 0);
  g_assert_cmpstr (json_object_get_string_member (comment, "body"), ==, "Say “home page” here?");
  json_object_unref (event);
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, f->store, 5000));
  rl_ui_test_run (100);
  g_free (rl_ui_test_screenshot (f->window, "page-input-annotated"));
}

/* The button goes with the text as it scrolls, and away with it. */
static void
test_comment_button_scrolls (Fixture       *f,
                             gconstpointer  data)
{
  GtkWidget *button = rl_page_view_get_comment_button (f->view);
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (f->text_view));
  graphene_point_t before, after;
  double x, y;

  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >, gtk_adjustment_get_page_size (adjustment));
  drag_select (f, "Read it carefully");
  rl_ui_test_run (100);
  g_assert_true (rl_ui_test_wait_for (widget_mapped, button, 3000));
  g_assert_true (gtk_widget_compute_point (button, f->window, &GRAPHENE_POINT_INIT (0, 0), &before));

  /* A wheel click down: the selection and the button move up together. */
  char_point (f, offset_of (f, "Pricing"), &x, &y);
  rl_ui_input_scroll_at (GTK_WIDGET (f->text_view), x, y, 1, 0);
  g_assert_true (rl_ui_test_wait_for (widget_mapped, button, 3000));
  rl_ui_test_run (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 10);
  g_assert_true (gtk_widget_compute_point (button, f->window, &GRAPHENE_POINT_INIT (0, 0), &after));
  g_assert_cmpfloat (fabs ((before.y - after.y) - gtk_adjustment_get_value (adjustment)), <, 1);

  /* Scrolled out of view: no button floating over unrelated text. */
  rl_ui_input_scroll_at (GTK_WIDGET (f->text_view), x, y, 12, 0);
  rl_ui_test_run (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 100);
  g_assert_false (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_get_visible (button));

  /* Back: it is there again, where it was, and it still works. */
  rl_ui_input_scroll_at (GTK_WIDGET (f->text_view), x, y, -20, 0);
  g_assert_true (rl_ui_test_wait_for (widget_mapped, button, 3000));
  rl_ui_test_run (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
  g_assert_true (gtk_widget_compute_point (button, f->window, &GRAPHENE_POINT_INIT (0, 0), &after));
  g_assert_cmpfloat (fabs (after.y - before.y), <, 1);
  rl_ui_input_click (button);
  g_assert_true (rl_ui_test_wait_for (widget_mapped, rl_page_view_get_composer (f->view), 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (f->view))),
                   ==, "Read it carefully");
}

int
main (int   argc,
      char *argv[])
{
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/page-input/comment-button-click", Fixture, NULL, fixture_setup, test_comment_button_click,
              fixture_teardown);
  g_test_add ("/page-input/comment-button-scrolls", Fixture, NULL, fixture_setup, test_comment_button_scrolls,
              fixture_teardown);
  return g_test_run ();
}
