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

#include "rl-annotation-composer-private.h"
#include "rl-comment-row.h"
#include "rl-doc-store.h"
#include "rl-page-view-private.h"
#include "rl-plaintext.h"
#include "rl-test-server.h"
#include "rl-thread-panel.h"
#include "rl-thread-row.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"

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
  "Filler thirteen, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler fourteen, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler fifteen, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler sixteen, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler seventeen, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler eighteen, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler nineteen, so that the page is taller than the window and scrolls.\n"
  "\n"
  "Filler twenty, so that the page is taller than the window and scrolls.\n"
  "\n"
  "The very end of the page.\n";

typedef struct
{
  RlUiTestWorld world;        /* its page: PAGE_MD */
  RlConnection *connection;   /* Ada's */
  RlDocStore   *store;
  RlPageText   *page;
  GtkWidget    *window;
  RlPageView   *view;
  GtkTextView  *text_view;
  RlTestClient *teammate;     /* Bob, raw protocol */
  RlThreadPanel *panel;       /* beside the page, as in the window (WITH_PANEL) */
  RlSession    *session;      /* Ada's, in the app's own window (IN_WINDOW) */
} Fixture;

/* The fixture's data: the threads panel beside the page view, or the
 * app's window with the page open in it. */
#define WITH_PANEL GINT_TO_POINTER (1)
#define IN_WINDOW  GINT_TO_POINTER (2)

/* Where the page view placed a thread, as the window tells the panel. */
static gboolean
page_position (const RlThread *thread,
               guint          *start,
               guint          *end,
               gpointer        data)
{
  Fixture *f = data;

  return rl_page_view_get_thread_range (f->view, thread->id, start, end);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlReviewState) state = rl_review_state_new ();
  JsonObject *snapshot;
  int width, height;

  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_NO_DOCS);
  f->world.page = rl_test_team_add_doc_bytes (&f->world.team, "acme", "Launch copy", ".md", PAGE_MD, -1);
  rl_test_server_start (f->world.server);

  f->connection = rl_ui_test_connect (f->world.server, f->world.ada);
  f->store = rl_ui_test_open_store (f->connection, f->world.page, RL_DOC_KIND_PAGE);
  f->page = rl_ui_test_page_from_markdown (PAGE_MD);
  f->teammate = rl_test_client_new (f->world.server, f->world.bob);
  snapshot = rl_test_client_subscribe (f->teammate, f->world.page);
  json_object_unref (snapshot);

  if (data == IN_WINDOW)
    {
      f->session = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
      f->window = GTK_WIDGET (rl_window_new (NULL));
      gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 600);
      rl_ui_test_window_start (RL_WINDOW (f->window), f->session, 1);
      g_assert_true (rl_window_open_document (RL_WINDOW (f->window), f->world.page));
      f->view = rl_window_get_page_view (RL_WINDOW (f->window));
      f->text_view = GTK_TEXT_VIEW (rl_page_view_get_text_view (f->view));
      f->panel = rl_window_get_thread_panel (RL_WINDOW (f->window));
      /* The page shown, laid out. */
      g_assert_true (RL_UI_WAIT_UNTIL (g_strcmp0 (rl_window_get_visible_page (RL_WINDOW (f->window)), "page") == 0 &&
                                       rl_page_view_get_page (f->view) != NULL &&
                                       gtk_widget_get_mapped (GTK_WIDGET (f->text_view)) &&
                                       gtk_widget_get_height (GTK_WIDGET (f->text_view)) > 100, 5000));
      rl_ui_test_run (200);
      return;
    }
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 560);
  f->view = RL_PAGE_VIEW (rl_page_view_new (state));
  f->text_view = GTK_TEXT_VIEW (rl_page_view_get_text_view (f->view));
  gtk_widget_set_hexpand (GTK_WIDGET (f->view), TRUE);
  if (data == WITH_PANEL)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

      /* Wired as the window wires them (rl-window.c). */
      gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 560);
      f->panel = RL_THREAD_PANEL (rl_thread_panel_new (state));
      gtk_widget_set_size_request (GTK_WIDGET (f->panel), 360, -1);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (f->view));
      gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (f->panel));
      gtk_window_set_child (GTK_WINDOW (f->window), box);
      g_signal_connect_object (f->view, "ranges-changed", G_CALLBACK (rl_review_state_positions_changed), state,
                               G_CONNECT_SWAPPED);
    }
  else
    gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
  rl_page_view_set_page (f->view, f->page);
  if (f->panel != NULL)
    rl_review_state_set_position_func (state, page_position, f, NULL);
  rl_review_state_set_store (state, f->store, RL_DOC_KIND_PAGE);
  gtk_window_present (GTK_WINDOW (f->window));
  /* Mapped at the size asked for (the X server configures it a little later). */
  gtk_window_get_default_size (GTK_WINDOW (f->window), &width, &height);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (f->view)) &&
                                   gtk_widget_get_width (f->window) == width &&
                                   gtk_widget_get_height (f->window) == height &&
                                   rl_page_view_get_page (f->view) != NULL, 5000));
  rl_ui_test_run (200);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* A popover left open as its window goes keeps the pointer from the
   * next test's window under Xvfb. */
  gtk_popover_popdown (GTK_POPOVER (rl_page_view_get_composer (f->view)));
  rl_ui_test_run (50);
  gtk_window_destroy (GTK_WINDOW (f->window));
  rl_ui_test_run (50);
  g_clear_object (&f->session);
  rl_test_client_free (f->teammate);
  g_clear_pointer (&f->page, rl_page_text_unref);
  g_clear_object (&f->store);
  rl_connection_stop (f->connection);
  g_clear_object (&f->connection);
  rl_ui_test_world_clear (&f->world);
}

/* ---- helpers ------------------------------------------------------------- */

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
  guint end, start = rl_ui_test_page_find (f->page, needle, &end);
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

/* Bob's annotation on the first occurrence of needle, as raw protocol,
 * seen by Ada's store; its id. */
static char *
bob_annotates (Fixture    *f,
               const char *needle,
               const char *body)
{
  char *id = rl_ui_test_create_annotation (f->teammate, f->world.page, f->page, needle, body);

  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_thread (f->store, id) != NULL, 5000));
  return id;
}

/* The panel's rows, top to bottom, as "badge badge …". */
static char *
panel_badges (Fixture *f)
{
  GtkWidget *list = GTK_WIDGET (rl_ui_test_panel_list (f->panel));
  GString *out = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (list); row; row = gtk_widget_get_next_sibling (row))
    if (RL_IS_THREAD_ROW (row))
      g_string_append_printf (out, "%s%s", out->len ? " " : "", rl_ui_test_row_badge (RL_THREAD_ROW (row)));
  return g_string_free (out, FALSE);
}

/* The panel's badges say badges. */
static gboolean
panel_shows (Fixture    *f,
             const char *badges)
{
  g_autofree char *shown = panel_badges (f);

  return g_strcmp0 (shown, badges) == 0;
}

static void
wait_badges (Fixture    *f,
             const char *badges)
{
  if (!RL_UI_WAIT_UNTIL (panel_shows (f, badges), 5000))
    {
      g_autofree char *shown = panel_badges (f);

      g_error ("the panel shows “%s”, not “%s”", shown, badges);
    }
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
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (button), 3000));
  rl_ui_input_hover (button);
  rl_ui_test_screenshot_settled (f->window, "page-input-comment-button", 100);

  /* A click on it opens the composer on that phrase: the press does not
   * reach the text under the button, so the selection stays. */
  rl_ui_input_click (button);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, "landing page");
  g_assert_true (gtk_widget_has_focus (rl_annotation_composer_get_text_view (composer)));

  /* Typed, then sent with the Send button. */
  rl_ui_input_type ("Say “home page” here?");
  typed = rl_annotation_composer_dup_text (composer);
  g_assert_cmpstr (typed, ==, "Say “home page” here?");
  rl_ui_test_run (100);
  rl_ui_test_screenshot_with_popover (f->window, GTK_WIDGET (composer), "page-input-composer");
  rl_ui_input_click (rl_annotation_composer_get_send_button (composer));
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));

  /* The teammate gets the annotation on exactly that phrase. */
  event = rl_test_client_expect (f->teammate, "new-text-chat");
  thread = json_object_get_object_member (event, "thread");
  anchor = json_object_get_object_member (thread, "anchor");
  g_assert_cmpstr (json_object_get_string_member (anchor, "exact"), ==, "landing page");
  g_assert_cmpint (json_object_get_int_member (anchor, "start"), ==,
                   rl_ui_test_page_find (f->page, "landing page", NULL));
  comment = json_array_get_object_element (json_object_get_array_member (thread, "comments"), 0);
  g_assert_cmpstr (json_object_get_string_member (comment, "body"), ==, "Say “home page” here?");
  json_object_unref (event);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  rl_ui_test_screenshot_settled (f->window, "page-input-annotated", 100);
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
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (button), 3000));
  g_assert_true (gtk_widget_compute_point (button, f->window, &GRAPHENE_POINT_INIT (0, 0), &before));

  /* A wheel click down: the selection and the button move up together. */
  char_point (f, rl_ui_test_page_find (f->page, "Pricing", NULL), &x, &y);
  rl_ui_input_scroll_at (GTK_WIDGET (f->text_view), x, y, 1, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (button), 3000));
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
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (button), 3000));
  rl_ui_test_run (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
  g_assert_true (gtk_widget_compute_point (button, f->window, &GRAPHENE_POINT_INIT (0, 0), &after));
  g_assert_cmpfloat (fabs (after.y - before.y), <, 1);
  rl_ui_input_click (button);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (rl_page_view_get_composer (f->view)), 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (f->view))),
                   ==, "Read it carefully");
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (rl_page_view_get_composer (f->view)), 3000));
}

/* The same with the keyboard: a selection made with Shift+arrows, Tab to
 * the button, Return; Escape goes back to the text. */
static void
test_comment_button_keyboard (Fixture       *f,
                              gconstpointer  data)
{
  GtkWidget *button = rl_page_view_get_comment_button (f->view);
  RlAnnotationComposer *composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (f->view));
  g_autofree char *selected = NULL;
  double x, y;

  /* The caret before "landing", then two words selected. */
  char_point (f, rl_ui_test_page_find (f->page, "landing page", NULL), &x, &y);
  rl_ui_input_click_at (GTK_WIDGET (f->text_view), x, y, 1);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (f->text_view)));
  rl_ui_input_key (GDK_KEY_Right, GDK_SHIFT_MASK | GDK_CONTROL_MASK);
  rl_ui_input_key (GDK_KEY_Right, GDK_SHIFT_MASK | GDK_CONTROL_MASK);
  selected = selected_text (f);
  g_assert_cmpstr (selected, ==, "landing page");
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (button), 3000));

  /* Tab reaches the button; Shift+Tab goes back; Tab and Return comment. */
  rl_ui_input_key (GDK_KEY_Tab, 0);
  g_assert_true (gtk_widget_has_focus (button));
  rl_ui_input_key (GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (f->text_view)));
  rl_ui_input_key (GDK_KEY_Tab, 0);
  g_assert_true (gtk_widget_has_focus (button));
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, "landing page");
  g_assert_true (gtk_widget_has_focus (rl_annotation_composer_get_text_view (composer)));
}

/* ---- "You're offline" goes once the link is back -------------------------- */

static void
test_offline_error_clears (Fixture       *f,
                           gconstpointer  data)
{
  GtkWidget *button = rl_page_view_get_comment_button (f->view);
  RlAnnotationComposer *composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (f->view));
  g_autofree char *typed = NULL;
  JsonObject *event, *snapshot;

  drag_select (f, "landing page");
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (button), 3000));
  rl_ui_input_click (button);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_ui_input_type ("Written on the train");

  /* The server goes away: Send says why, the text stays. */
  rl_test_server_stop (f->world.server);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_connection_get_state (f->connection) != RL_CONNECTION_ONLINE, 5000));
  rl_ui_input_click (rl_annotation_composer_get_send_button (composer));
  g_assert_nonnull (rl_annotation_composer_get_error (composer));
  g_assert_nonnull (strstr (rl_annotation_composer_get_error (composer), "offline"));
  rl_ui_test_screenshot_with_popover (f->window, GTK_WIDGET (composer), "page-input-offline");

  /* Back: the error goes by itself; the text is still there, and goes. */
  rl_test_server_start (f->world.server);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_annotation_composer_get_error (composer) == NULL, 10000));
  typed = rl_annotation_composer_dup_text (composer);
  g_assert_cmpstr (typed, ==, "Written on the train");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  rl_test_client_free (f->teammate);
  f->teammate = rl_test_client_new (f->world.server, f->world.bob);
  snapshot = rl_test_client_subscribe (f->teammate, f->world.page);
  json_object_unref (snapshot);
  /* The popover shrank with its error line gone: aim where it is now. */
  rl_ui_input_wait_still (rl_annotation_composer_get_send_button (composer));
  rl_ui_input_click (rl_annotation_composer_get_send_button (composer));
  event = rl_test_client_expect (f->teammate, "new-text-chat");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_object_get_object_member (event, "thread"), "anchor"), "exact"), ==, "landing page");
  json_object_unref (event);
}

/* ---- numbers and the panel beside the page -------------------------------- */

/* Annotating earlier in the page puts the new thread first in the list, in
 * text order, and changes no number: "see #2" still means the same. */
static void
test_numbers_in_text_order (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *last = bob_annotates (f, "The very end of the page", "End on a question?");
  g_autofree char *pricing = bob_annotates (f, "Pricing", "Say Plans?");
  RlAnnotationComposer *composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (f->view));
  GtkWidget *button = rl_page_view_get_comment_button (f->view);

  /* Text order: Pricing (2) before the end of the page (1). */
  wait_badges (f, "2 1");
  g_assert_nonnull (rl_ui_test_panel_row (f->panel, pricing));
  g_assert_nonnull (rl_ui_test_panel_row (f->panel, last));

  /* Ada annotates a phrase above both, with the mouse. */
  drag_select (f, "landing page");
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (button), 3000));
  rl_ui_input_click (button);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)), 3000));
  rl_ui_input_type ("Say home page?");
  rl_ui_input_click (rl_annotation_composer_get_send_button (composer));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));

  /* First in the list, numbered 3 by the server; the others keep theirs. */
  wait_badges (f, "3 2 1");
  rl_ui_test_screenshot_quiet (f->window, f->panel, "page-input-numbers");
}

/* ---- picking a thread brings its passage into the middle ------------------ */

/* Where the thread's passage is, as a share of the visible height: 0.5 is
 * the middle of the view. */
static double
passage_middle (Fixture    *f,
                const char *thread_id)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (f->text_view);
  GtkTextIter start, end;
  GdkRectangle first, last, visible;
  guint s, e;

  g_assert_true (rl_page_view_get_thread_range (f->view, thread_id, &s, &e));
  gtk_text_buffer_get_iter_at_offset (buffer, &start, s);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, e - 1);
  gtk_text_view_get_iter_location (f->text_view, &start, &first);
  gtk_text_view_get_iter_location (f->text_view, &end, &last);
  gtk_text_view_get_visible_rect (f->text_view, &visible);
  return ((first.y + last.y + last.height) / 2.0 - visible.y) / visible.height;
}

/* The passage is in the middle of the view (the view scrolls there
 * smoothly, over a few frames). */
static gboolean
passage_centred (Fixture    *f,
                 const char *thread_id)
{
  return fabs (passage_middle (f, thread_id) - 0.5) < 0.03;
}

static void
test_reveal_thread (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *below = bob_annotates (f, "Filler fourteen", "Cut this one?");
  g_autofree char *above = bob_annotates (f, "Read it carefully", "Too bossy?");
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (f->text_view));
  double x, y;

  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (GTK_WIDGET (f->text_view)), 3000));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
  g_assert_cmpfloat (passage_middle (f, below), >, 1.0);   /* below the fold */

  /* Picked: in the middle of the view, not at its edge. */
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), below);
  g_assert_true (rl_page_view_reveal_thread (f->view, below));
  g_assert_true (RL_UI_WAIT_UNTIL (passage_centred (f, below), 3000));
  rl_ui_test_screenshot_quiet (f->window, f->panel, "page-input-revealed");

  /* Scrolled away with the wheel, then picked again (still selected):
   * back in the middle. */
  char_point (f, rl_ui_test_page_find (f->page, "Filler fourteen", NULL), &x, &y);
  rl_ui_input_scroll_at (GTK_WIDGET (f->text_view), x, y, -30, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_adjustment_get_value (adjustment) == 0, 3000));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_page_view_get_state (f->view)), ==, below);
  g_assert_true (rl_page_view_reveal_thread (f->view, below));
  g_assert_true (RL_UI_WAIT_UNTIL (passage_centred (f, below), 3000));

  /* Near the top of the page it goes as far as the page lets it. */
  g_assert_true (rl_page_view_reveal_thread (f->view, above));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_adjustment_get_value (adjustment) == 0, 3000));
  g_assert_cmpfloat (passage_middle (f, above), >, 0);
  g_assert_cmpfloat (passage_middle (f, above), <, 0.5);

  /* Nowhere to go for a thread the page does not have. */
  g_assert_false (rl_page_view_reveal_thread (f->view, "no-such-thread"));
}

/* In the app's window: a click on a thread's row brings its passage into
 * the middle of the page, and so does a click on it again later. */
static void
test_window_pick_reveals (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *below = bob_annotates (f, "Filler fourteen", "Cut this one?");
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (f->text_view));
  RlThreadRow *row;
  GtkWidget *badge;
  double x, y;

  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_row (f->panel, below) != NULL, 5000));
  row = rl_ui_test_panel_row (f->panel, below);
  badge = rl_ui_test_find_class (GTK_WIDGET (row), "rl-thread-badge");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (badge), 3000));
  g_assert_cmpfloat (passage_middle (f, below), >, 1.0);

  rl_ui_input_click (badge);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_page_view_get_state (f->view)), ==, below);
  g_assert_true (RL_UI_WAIT_UNTIL (passage_centred (f, below), 3000));
  g_free (rl_ui_test_screenshot (f->window, "page-input-window-picked"));

  /* Away with the wheel, then the same row again. */
  char_point (f, rl_ui_test_page_find (f->page, "Filler fourteen", NULL), &x, &y);
  rl_ui_input_scroll_at (GTK_WIDGET (f->text_view), x, y, -30, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_adjustment_get_value (adjustment) == 0, 3000));
  rl_ui_input_click (badge);
  g_assert_true (RL_UI_WAIT_UNTIL (passage_centred (f, below), 3000));
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
  g_test_add ("/page-input/comment-button-keyboard", Fixture, NULL, fixture_setup, test_comment_button_keyboard,
              fixture_teardown);
  g_test_add ("/page-input/offline-error-clears", Fixture, NULL, fixture_setup, test_offline_error_clears,
              fixture_teardown);
  g_test_add ("/page-input/numbers-in-text-order", Fixture, WITH_PANEL, fixture_setup, test_numbers_in_text_order,
              fixture_teardown);
  g_test_add ("/page-input/reveal-thread", Fixture, WITH_PANEL, fixture_setup, test_reveal_thread, fixture_teardown);
  g_test_add ("/page-input/window-pick-reveals", Fixture, IN_WINDOW, fixture_setup, test_window_pick_reveals,
              fixture_teardown);
  return g_test_run ();
}
