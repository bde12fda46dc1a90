/* test-window.c — the whole window under Xvfb, against the real server
 *
 * Ada's window is built on a session made here (the keyring is tested in
 * tests/client/test-account.c); Bob is a raw WebSocket client whose
 * changes Ada must see; Vic is a viewer, whose markers the server refuses.
 * The app's own path (an invite link, the keyring save) runs with no
 * session bus at all, so no real keyring is ever touched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "rl-application.h"
#include "rl-connect-dialog.h"
#include "rl-invite.h"
#include "rl-annotation-composer.h"
#include "rl-marker-composer.h"
#include "rl-plaintext.h"
#include "rl-test-server.h"
#include "rl-ui-test.h"
#include "rl-thread-row.h"
#include "rl-upload-row.h"
#include "rl-window.h"

typedef struct
{
  RlTestServer *server;
  char         *ada;
  char         *vic;
  char         *bob;
  char         *image;
  char         *page;
  RlSession    *session;
  RlWindow     *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *mockup = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "demo",
                                              "landing-mockup.png", NULL);

  f->server = rl_test_server_new ();
  g_free (rl_test_server_admin (f->server, "tenant", "add", "acme", NULL));
  f->ada = rl_test_add_user (f->server, "acme", "Ada", "member");
  f->bob = rl_test_add_user (f->server, "acme", "Bob", "member");
  f->vic = rl_test_add_user (f->server, "acme", "Vic", "viewer");
  f->image = rl_test_server_admin (f->server, "doc", "add", "--tenant", "acme", "--title", "Landing page",
                                   mockup, NULL);
  f->page = rl_test_add_doc (f->server, "acme", "Launch copy", "page.md");
  rl_test_server_start (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window)
    gtk_window_destroy (GTK_WINDOW (f->window));
  rl_ui_test_run (50);
  g_clear_object (&f->session);
  if (f->server->process)
    rl_test_server_stop (f->server);
  rl_test_server_free (f->server);
  g_free (f->ada);
  g_free (f->vic);
  g_free (f->bob);
  g_free (f->image);
  g_free (f->page);
}

/* ---- helpers ------------------------------------------------------------- */

static gboolean
window_online (gpointer data)
{
  Fixture *f = data;

  return rl_connection_get_state (rl_session_get_connection (f->session)) == RL_CONNECTION_ONLINE;
}

static gboolean
documents_listed (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (rl_window_get_documents (f->window)) == 2;
}

static gboolean
image_shown (gpointer data)
{
  Fixture *f = data;
  GtkWidget *view = GTK_WIDGET (rl_window_get_image_view (f->window));

  return g_strcmp0 (rl_window_get_visible_page (f->window), "image") == 0 &&
         gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 100;
}

/* Ada's window on the image, online. */
static void
open_window (Fixture    *f,
             const char *token)
{
  g_autoptr(GError) error = NULL;

  f->session = rl_session_new (f->server->ws_base, token, NULL, NULL, &error);
  g_assert_no_error (error);
  rl_connection_set_timing (rl_session_get_connection (f->session), 300, 1500, 1, 3000, 3000);
  f->window = rl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  g_assert_cmpstr (rl_window_get_visible_page (f->window), ==, "welcome");
  rl_window_set_session (f->window, f->session);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (rl_ui_test_wait_for (window_online, f, 5000));
  g_assert_true (rl_ui_test_wait_for (documents_listed, f, 5000));
  g_assert_true (rl_window_open_document (f->window, f->image));
  g_assert_true (rl_ui_test_wait_for (image_shown, f, 5000));
  rl_ui_test_run (300);
}

/* The panel shows a comment with this text. */
static gboolean
panel_lists (Fixture    *f,
             const char *text)
{
  return rl_ui_test_wait_for_label (GTK_WIDGET (rl_window_get_thread_panel (f->window)), text, 5000);
}

typedef struct
{
  RlImageView *view;
  guint        n;
} PinWait;

static gboolean
has_n_pins (gpointer data)
{
  PinWait *wait = data;

  return rl_image_view_get_n_pins (wait->view) == wait->n;
}

static void
wait_pins (Fixture *f,
           guint    n)
{
  PinWait wait = { rl_window_get_image_view (f->window), n };

  g_assert_true (rl_ui_test_wait_for (has_n_pins, &wait, 5000));
}

static gboolean
banner_revealed (gpointer data)
{
  return rl_banner_get_revealed (data);
}

static gboolean
banner_hidden (gpointer data)
{
  return !rl_banner_get_revealed (data);
}

static gboolean
viewers_two (gpointer data)
{
  Fixture *f = data;
  GtkWidget *button = rl_window_get_viewers_button (f->window);
  const char *tooltip = gtk_widget_get_tooltip_text (button);

  return gtk_widget_get_visible (button) && tooltip && strstr (tooltip, "Bob") && strstr (tooltip, "Ada");
}

/* Longer than the panel rows' highlight of a teammate's change. */
#define RL_FLASH_WAIT_MS 2000

static gboolean
highlights_over (gpointer data)
{
  Fixture *f = data;
  RlImageView *view = rl_window_get_image_view (f->window);
  GListModel *threads = rl_doc_store_get_threads (rl_thread_panel_get_store (rl_window_get_thread_panel (f->window)));

  for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);

      if (rl_image_view_pin_is_highlighted (view, rl_thread_item_get_thread (item)->id))
        return FALSE;
    }
  return TRUE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
screenshot (Fixture    *f,
            const char *name)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  g_autofree char *path = NULL;
  gboolean painted = FALSE;
  gulong id;

  rl_ui_test_run (400);   /* revealers finish their transitions */
  /* Taken right after a frame: a change since (the banner's countdown)
   * leaves nothing to take until the next one is drawn. */
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (window);
  g_assert_true (rl_ui_test_wait_for (is_true, &painted, 5000));
  g_signal_handler_disconnect (clock, id);
  path = rl_ui_test_screenshot (window, name);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* ---- pages: the page view, its highlights, the panel in text order -------- */

static gboolean popover_shown   (gpointer data);
static gboolean toast_has_retry (gpointer data);

static RlPageText *
load_page_text (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "page.md", NULL);
  g_autofree char *bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  RlPageText *text;

  g_assert_true (g_file_get_contents (path, &bytes, &length, &error));
  text = rl_page_text_new ("text/markdown", bytes, length, &error);
  g_assert_no_error (error);
  return text;
}

/* Where exact first occurs in the plain text, in code points. */
static void
find_exact (RlPageText *text,
            const char *exact,
            guint      *start,
            guint      *end)
{
  const char *plain = rl_page_text_get_text (text, NULL);
  const char *at = strstr (plain, exact);

  g_assert_nonnull (at);
  *start = (guint) g_utf8_strlen (plain, at - plain);
  *end = *start + (guint) g_utf8_strlen (exact, -1);
}

/* Bob's annotation on the first occurrence of exact, as raw protocol. */
static char *
bob_annotates (RlTestClient *bob,
               const char   *doc,
               RlPageText   *text,
               const char   *exact,
               const char   *body)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *broadcast = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *prefix = NULL;
  g_autofree char *suffix = NULL;
  g_autofree char *frame = NULL;
  char *thread = rl_test_uuid ();
  JsonObject *ack;
  guint start, end;

  find_exact (text, exact, &start, &end);
  prefix = rl_page_text_slice (text, start > 32 ? start - 32 : 0, start);
  suffix = rl_page_text_slice (text, end, MIN (end + 32, rl_page_text_get_n_chars (text)));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "create-thread");
  json_builder_set_member_name (builder, "req");
  json_builder_add_string_value (builder, thread);
  json_builder_set_member_name (builder, "broadcastId");
  json_builder_add_string_value (builder, broadcast);
  json_builder_set_member_name (builder, "doc");
  json_builder_add_string_value (builder, doc);
  json_builder_set_member_name (builder, "thread");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, thread);
  json_builder_set_member_name (builder, "anchor");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "start");
  json_builder_add_int_value (builder, start);
  json_builder_set_member_name (builder, "end");
  json_builder_add_int_value (builder, end);
  json_builder_set_member_name (builder, "exact");
  json_builder_add_string_value (builder, exact);
  json_builder_set_member_name (builder, "prefix");
  json_builder_add_string_value (builder, prefix);
  json_builder_set_member_name (builder, "suffix");
  json_builder_add_string_value (builder, suffix);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "comment");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, comment);
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, body);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  frame = json_generator_to_data (generator, NULL);
  rl_test_client_send (bob, frame);
  ack = rl_test_client_expect_ack (bob, thread);
  g_assert_null (rl_test_ack_error (ack));
  json_object_unref (ack);
  return thread;
}

static gboolean
page_shown (gpointer data)
{
  Fixture *f = data;
  GtkWidget *view = GTK_WIDGET (rl_window_get_page_view (f->window));

  return g_strcmp0 (rl_window_get_visible_page (f->window), "page") == 0 &&
         gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 100;
}

typedef struct
{
  RlPageView *view;
  const char *thread;
} TagWait;

static gboolean
has_tag (gpointer data)
{
  TagWait *wait = data;

  return rl_page_view_get_thread_tag (wait->view, wait->thread) != NULL;
}

/* The panel's rows, in order, as "id id id". */
static char *
panel_order (Fixture *f)
{
  GtkWidget *panel = GTK_WIDGET (rl_window_get_thread_panel (f->window));
  g_autoptr(GString) out = g_string_new (NULL);
  GtkWidget *list = NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (panel); child && !list;)
    {
      if (GTK_IS_LIST_BOX (child))
        list = child;
      else if (gtk_widget_get_first_child (child))
        child = gtk_widget_get_first_child (child);
      else
        {
          while (child && !gtk_widget_get_next_sibling (child))
            child = gtk_widget_get_parent (child);
          child = child ? gtk_widget_get_next_sibling (child) : NULL;
        }
    }
  g_assert_nonnull (list);
  for (int i = 0; gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i); i++)
    {
      RlThreadRow *row = RL_THREAD_ROW (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i));

      g_string_append_printf (out, "%s%s", i ? " " : "", rl_thread_row_get_thread_id (row));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct
{
  Fixture    *f;
  const char *expected;
} OrderWait;

static gboolean
order_is (gpointer data)
{
  OrderWait *wait = data;
  g_autofree char *order = panel_order (wait->f);

  return g_strcmp0 (order, wait->expected) == 0;
}

static char *
buffer_text (RlPageView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_page_view_get_text_view (view)));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static void
open_page (Fixture *f)
{
  g_assert_true (rl_window_open_document (f->window, f->page));
  g_assert_true (rl_ui_test_wait_for (page_shown, f, 5000));
  rl_ui_test_run (200);
}

static void
test_page (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(RlPageText) text = load_page_text ();
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->server, f->bob);
  g_autofree char *hero = bob_annotates (bob, f->page, text, "hero", "Which hero image, the dark one?");
  g_autofree char *line = NULL;
  g_autofree char *title = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *expected = NULL;
  RlPageView *view;
  RlThreadPanel *panel;
  guint start, end, s, e;
  TagWait tag_wait;
  OrderWait order_wait = { f, NULL };

  open_window (f, f->ada);
  open_page (f);
  view = rl_window_get_page_view (f->window);
  panel = rl_window_get_thread_panel (f->window);

  /* The page's plain text, and Bob's annotation highlighted where it is. */
  shown = buffer_text (view);
  g_assert_cmpstr (shown, ==, rl_page_text_get_text (text, NULL));
  tag_wait = (TagWait) { view, hero };
  g_assert_true (rl_ui_test_wait_for (has_tag, &tag_wait, 5000));
  find_exact (text, "hero", &start, &end);
  g_assert_true (rl_page_view_get_thread_range (view, hero, &s, &e));
  g_assert_cmpuint (s, ==, start);
  g_assert_cmpuint (e, ==, end);
  g_assert_true (panel_lists (f, "Which hero image, the dark one?"));
  g_assert_true (rl_page_view_get_can_create (view));

  /* Bob annotates after and before it, live: highlights and rows in text order. */
  line = bob_annotates (bob, f->page, text, "one line", "On a phone too?");
  title = bob_annotates (bob, f->page, text, "Launch copy", "Working title, or final?");
  tag_wait.thread = line;
  g_assert_true (rl_ui_test_wait_for (has_tag, &tag_wait, 5000));
  tag_wait.thread = title;
  g_assert_true (rl_ui_test_wait_for (has_tag, &tag_wait, 5000));
  g_assert_true (panel_lists (f, "Working title, or final?"));
  expected = g_strjoin (" ", title, hero, line, NULL);
  order_wait.expected = expected;
  g_assert_true (rl_ui_test_wait_for (order_is, &order_wait, 3000));

  /* One selection, both ways; one filter. */
  rl_page_view_set_selected_thread (view, line);
  g_assert_cmpstr (rl_thread_panel_get_selected_thread (panel), ==, line);
  rl_thread_panel_set_selected_thread (panel, hero);
  g_assert_cmpstr (rl_page_view_get_selected_thread (view), ==, hero);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "hide-resolved", NULL);
  g_assert_true (rl_page_view_get_hide_resolved (view));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "hide-resolved", NULL);
  g_assert_false (rl_page_view_get_hide_resolved (view));

  /* The picture: after the "just added" highlights. */
  rl_ui_test_run (RL_FLASH_WAIT_MS + 500);
  screenshot (f, "window-page-annotations");

  /* A new revision without the word "hero": the panel lists its thread
   * last, under "Orphaned"; the others keep their places. */
  {
    g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "page.md", NULL);
    g_autofree char *bytes = NULL;
    g_autoptr(GString) revised = NULL;
    g_autoptr(RlPageText) page2 = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *order2 = NULL;

    g_assert_true (g_file_get_contents (path, &bytes, NULL, &error));
    revised = g_string_new (bytes);
    g_assert_cmpuint (g_string_replace (revised, "The **hero** headline", "The headline", 1), ==, 1);
    page2 = rl_page_text_new ("text/markdown", revised->str, revised->len, &error);
    g_assert_no_error (error);
    rl_page_view_set_page (view, page2);
    order2 = g_strjoin (" ", title, line, hero, NULL);
    order_wait.expected = order2;
    g_assert_true (rl_ui_test_wait_for (order_is, &order_wait, 3000));
    g_assert_true (rl_thread_panel_is_orphaned (panel, hero));
    g_assert_false (rl_thread_panel_is_orphaned (panel, line));
    g_assert_null (rl_page_view_get_thread_tag (view, hero));
    g_assert_true (panel_lists (f, "Orphaned"));
    g_assert_true (panel_lists (f, "Which hero image, the dark one?"));
    screenshot (f, "window-page-orphaned");

    /* The first revision again: all placed, in text order. */
    rl_page_view_set_page (view, text);
    order_wait.expected = expected;
    g_assert_true (rl_ui_test_wait_for (order_is, &order_wait, 3000));
    g_assert_false (rl_thread_panel_is_orphaned (panel, hero));
  }

  /* Offline: the page view cannot create, and says why. */
  rl_connection_stop (rl_session_get_connection (f->session));
  g_assert_true (rl_ui_test_wait_for (banner_revealed, rl_window_get_banner (f->window, "offline"), 3000));
  g_assert_false (rl_page_view_get_can_create (view));
  g_assert_nonnull (strstr (rl_page_view_get_cannot_create_reason (view), "comment"));
  g_assert_cmpstr (rl_page_view_get_cannot_create_reason (view), ==, rl_thread_panel_get_cannot_create_reason (panel));

  /* Back to the image and to the page: the panel follows. */
  rl_connection_retry_now (rl_session_get_connection (f->session));
  g_assert_true (rl_ui_test_wait_for (window_online, f, 5000));
  g_assert_true (rl_window_open_document (f->window, f->image));
  g_assert_true (rl_ui_test_wait_for (image_shown, f, 5000));
  open_page (f);
  g_assert_true (rl_ui_test_wait_for (order_is, &order_wait, 3000));
}

/* A refused comment on a selection: Retry reopens the composer there, with the text. */
static void
test_page_failed_create (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(RlPageText) text = load_page_text ();
  RlPageView *view;
  RlAnnotationComposer *composer;
  GtkTextBuffer *buffer;
  GtkTextIter a, b;
  AdwToast *toast;
  g_autofree char *typed = NULL;
  guint start, end;

  open_window (f, f->vic);
  open_page (f);
  view = rl_window_get_page_view (f->window);
  composer = RL_ANNOTATION_COMPOSER (rl_page_view_get_composer (view));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (rl_page_view_get_text_view (view)));

  find_exact (text, "headline", &start, &end);
  gtk_text_buffer_get_iter_at_offset (buffer, &a, (int) start);
  gtk_text_buffer_get_iter_at_offset (buffer, &b, (int) end);
  gtk_text_buffer_select_range (buffer, &a, &b);
  rl_ui_test_run (200);
  g_assert_true (gtk_widget_activate (rl_page_view_get_comment_button (view)));
  g_assert_true (rl_ui_test_wait_for (popover_shown, composer, 3000));
  rl_annotation_composer_set_text (composer, "Viewers can't comment");
  g_assert_true (gtk_widget_activate (rl_annotation_composer_get_send_button (composer)));

  g_assert_true (rl_ui_test_wait_for (toast_has_retry, f, 5000));
  toast = rl_window_get_last_toast (f->window);
  g_assert_nonnull (strstr (adw_toast_get_title (toast), "Comment not added"));
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (100);
  gtk_text_buffer_get_start_iter (buffer, &a);
  gtk_text_buffer_place_cursor (buffer, &a);   /* the selection is gone */

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->window), adw_toast_get_action_name (toast),
                                                    adw_toast_get_action_target_value (toast)));
  g_assert_true (rl_ui_test_wait_for (popover_shown, composer, 3000));
  typed = rl_annotation_composer_dup_text (composer);
  g_assert_cmpstr (typed, ==, "Viewers can't comment");
  g_assert_cmpstr (rl_annotation_composer_get_quote (composer), ==, "headline");
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (100);
}

/* ---- the documents, existing markers, a teammate's marker ----------------- */

static void
test_documents_and_markers (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->server, f->bob);
  g_autofree char *first = rl_ui_test_create_marker (bob, f->image, 0.22, 0.18, "The logo feels cramped here");
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  GListModel *docs;
  gboolean kinds[2] = { FALSE, FALSE };
  RlImageView *view;
  double px, py;

  open_window (f, f->ada);
  view = rl_window_get_image_view (f->window);

  /* The sidebar lists both documents, each with its kind. */
  docs = rl_window_get_documents (f->window);
  for (guint i = 0; i < g_list_model_get_n_items (docs); i++)
    {
      g_autoptr(RlDocItem) item = g_list_model_get_item (docs, i);

      kinds[rl_doc_item_get_kind (item)] = TRUE;
    }
  g_assert_true (kinds[RL_DOC_KIND_IMAGE] && kinds[RL_DOC_KIND_PAGE]);

  /* The existing marker is a pin and a thread in the panel. */
  wait_pins (f, 1);
  g_assert_true (panel_lists (f, "The logo feels cramped here"));

  /* Bob is watching too: two viewers, by name. */
  snapshot = rl_test_client_subscribe (bob, f->image);
  g_assert_true (rl_ui_test_wait_for (viewers_two, f, 5000));

  /* A teammate's markers appear in the view and in the panel. */
  second = rl_ui_test_create_marker (bob, f->image, 0.62, 0.35, "Can this button be our primary colour?");
  third = rl_ui_test_create_marker (bob, f->image, 0.40, 0.72, "Spacing between the cards is uneven");
  wait_pins (f, 3);
  g_assert_true (panel_lists (f, "Can this button be our primary colour?"));
  g_assert_true (panel_lists (f, "Spacing between the cards is uneven"));
  g_assert_true (rl_image_view_get_pin_position (view, second, &px, &py));
  g_assert_cmpfloat_with_epsilon (px, 0.62, 0.001);
  g_assert_cmpfloat_with_epsilon (py, 0.35, 0.001);
  g_assert_true (rl_image_view_get_can_create (view));
  /* The "just added" highlights run out first: the picture of the README. */
  g_assert_true (rl_ui_test_wait_for (highlights_over, f, 10000));
  rl_ui_test_run (RL_FLASH_WAIT_MS);
  screenshot (f, "window-with-markers");

  /* A pin's thread opens in the panel: the selection is one, both ways. */
  rl_image_view_set_selected_thread (view, second);
  g_assert_cmpstr (rl_thread_panel_get_selected_thread (rl_window_get_thread_panel (f->window)), ==, second);
  rl_thread_panel_set_selected_thread (rl_window_get_thread_panel (f->window), third);
  g_assert_cmpstr (rl_image_view_get_selected_thread (view), ==, third);
  rl_image_view_set_selected_thread (view, second);
  screenshot (f, "window-thread-open");

  /* The filter is one too, and a window action. */
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "hide-resolved", NULL);
  g_assert_true (rl_image_view_get_hide_resolved (view));
  g_assert_true (rl_thread_panel_get_hide_resolved (rl_window_get_thread_panel (f->window)));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "hide-resolved", NULL);
  g_assert_false (rl_thread_panel_get_hide_resolved (rl_window_get_thread_panel (f->window)));

  /* A page opens in the page view; back to the image. */
  open_page (f);
  g_assert_true (rl_window_open_document (f->window, f->image));
  g_assert_true (rl_ui_test_wait_for (image_shown, f, 5000));
  wait_pins (f, 3);
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  RlWindow *welcome = rl_window_new (NULL);

  /* No account yet: the window asks to connect. */
  gtk_window_set_default_size (GTK_WINDOW (welcome), 1000, 700);
  gtk_window_present (GTK_WINDOW (welcome));
  rl_ui_test_run (400);
  g_assert_cmpstr (rl_window_get_visible_page (welcome), ==, "welcome");
  g_free (rl_ui_test_screenshot (GTK_WIDGET (welcome), "window-welcome"));
  gtk_window_destroy (GTK_WINDOW (welcome));

  open_window (f, f->ada);
  g_assert_cmpuint (rl_image_view_get_n_pins (rl_window_get_image_view (f->window)), ==, 0);
  screenshot (f, "window-empty");
}

static gboolean
has_toast (gpointer data)
{
  Fixture *f = data;

  return rl_window_get_last_toast (f->window) != NULL;
}

/* ---- lost, offline, back: banners and what was synced --------------------- */

static void
test_reconnect (Fixture       *f,
                gconstpointer  data)
{
  RlBanner *reconnecting, *offline;
  RlConnection *connection;
  RlImageView *view;
  AdwToast *toast;

  open_window (f, f->ada);
  connection = rl_session_get_connection (f->session);
  view = rl_window_get_image_view (f->window);
  reconnecting = rl_window_get_banner (f->window, "reconnecting");
  offline = rl_window_get_banner (f->window, "offline");
  g_assert_false (rl_banner_get_revealed (reconnecting));
  g_assert_false (rl_banner_get_revealed (offline));

  /* The server dies: the reconnecting banner counts down, creating is off. */
  rl_test_server_kill (f->server);
  g_assert_true (rl_ui_test_wait_for (banner_revealed, reconnecting, 5000));
  g_assert_true (g_str_has_prefix (rl_banner_get_title (reconnecting), "Connection lost. Reconnecting"));
  g_assert_false (rl_image_view_get_can_create (view));
  g_assert_nonnull (rl_image_view_get_cannot_create_reason (view));
  g_assert_false (rl_thread_panel_get_can_create (rl_window_get_thread_panel (f->window)));
  screenshot (f, "window-reconnecting");

  /* Stopped: offline, nothing retried. */
  rl_connection_stop (connection);
  g_assert_true (rl_ui_test_wait_for (banner_revealed, offline, 2000));
  g_assert_true (rl_ui_test_wait_for (banner_hidden, reconnecting, 2000));
  g_assert_false (rl_image_view_get_can_create (view));
  g_assert_cmpstr (rl_thread_panel_get_cannot_create_reason (rl_window_get_thread_panel (f->window)), ==,
                   rl_image_view_get_cannot_create_reason (view));
  screenshot (f, "window-offline");

  /* While Ada is away, Bob adds two markers. */
  rl_test_server_start (f->server);
  {
    g_autoptr(RlTestClient) bob = rl_test_client_new (f->server, f->bob);
    g_autofree char *a = rl_ui_test_create_marker (bob, f->image, 0.3, 0.3, "Missed one");
    g_autofree char *b = rl_ui_test_create_marker (bob, f->image, 0.5, 0.5, "Missed two");
  }

  /* The banner's Retry now: back, banners gone, the two synced and said. */
  g_signal_emit_by_name (offline, "button-clicked");
  g_assert_true (rl_ui_test_wait_for (window_online, f, 5000));
  g_assert_true (rl_ui_test_wait_for (banner_hidden, offline, 2000));
  g_assert_false (rl_banner_get_revealed (reconnecting));
  wait_pins (f, 2);
  g_assert_true (panel_lists (f, "Missed two"));
  g_assert_true (rl_image_view_get_can_create (view));
  g_assert_true (rl_ui_test_wait_for (has_toast, f, 5000));
  toast = rl_window_get_last_toast (f->window);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "2 updates synced");
}

typedef struct
{
  Fixture  *f;
  AdwToast *old;
} ToastWait;

static gboolean
has_toast_other_than (gpointer data)
{
  ToastWait *wait = data;
  AdwToast *toast = rl_window_get_last_toast (wait->f->window);

  return toast != NULL && toast != wait->old;
}

/* ---- a refused marker keeps its text: Retry reopens the composer --------- */

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
toast_has_retry (gpointer data)
{
  Fixture *f = data;
  AdwToast *toast = rl_window_get_last_toast (f->window);

  return toast && g_strcmp0 (adw_toast_get_action_name (toast), "win.retry-change") == 0;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} TextWait;

static gboolean
has_text_view (GtkWidget  *widget,
               const char *text)
{
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;
      g_autofree char *there = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      there = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      if (g_strcmp0 (there, text) == 0)
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_text_view (child, text))
      return TRUE;
  return FALSE;
}

static gboolean
text_view_shown (gpointer data)
{
  TextWait *wait = data;

  return has_text_view (wait->root, wait->text);
}

static void
test_failed_send (Fixture       *f,
                  gconstpointer  data)
{
  RlImageView *view;
  RlMarkerComposer *composer;
  AdwToast *toast;
  g_autofree char *text = NULL;
  double x, y;

  open_window (f, f->vic);
  view = rl_window_get_image_view (f->window);
  composer = RL_MARKER_COMPOSER (rl_image_view_get_composer (view));

  g_assert_true (rl_image_view_image_to_widget (view, 0.7, 0.25, &x, &y));
  rl_image_view_click_for_testing (view, x, y);
  g_assert_true (rl_ui_test_wait_for (popover_shown, composer, 3000));
  rl_marker_composer_set_text (composer, "Viewers can't post this");
  g_assert_true (gtk_widget_activate (rl_marker_composer_get_send_button (composer)));

  /* The server refuses; the toast says so and offers Retry. */
  g_assert_true (rl_ui_test_wait_for (toast_has_retry, f, 5000));
  toast = rl_window_get_last_toast (f->window);
  g_assert_nonnull (strstr (adw_toast_get_title (toast), "Marker not added"));
  g_assert_cmpuint (rl_image_view_get_n_pins (view), ==, 0);
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (100);

  /* Retry: the composer is back where it was, with the text. */
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->window), adw_toast_get_action_name (toast),
                                                    adw_toast_get_action_target_value (toast)));
  g_assert_true (rl_ui_test_wait_for (popover_shown, composer, 3000));
  text = rl_marker_composer_dup_text (composer);
  g_assert_cmpstr (text, ==, "Viewers can't post this");
  gtk_popover_popdown (GTK_POPOVER (composer));
  rl_ui_test_run (100);

  /* A refused reply: Retry puts the text back into that thread's reply box. */
  {
    g_autoptr(RlTestClient) bob = rl_test_client_new (f->server, f->bob);
    g_autofree char *thread = rl_ui_test_create_marker (bob, f->image, 0.5, 0.5, "Bob's question");
    RlDocStore *store = rl_thread_panel_get_store (rl_window_get_thread_panel (f->window));
    g_autoptr(GError) error = NULL;
    ToastWait toast_wait = { f, rl_window_get_last_toast (f->window) };
    TextWait text_wait = { GTK_WIDGET (rl_window_get_thread_panel (f->window)), "My reply, kept" };

    wait_pins (f, 1);
    g_assert_true (rl_doc_store_add_comment (store, thread, "My reply, kept", NULL, &error));
    g_assert_no_error (error);
    g_assert_true (rl_ui_test_wait_for (has_toast_other_than, &toast_wait, 5000));
    toast = rl_window_get_last_toast (f->window);
    g_assert_nonnull (strstr (adw_toast_get_title (toast), "Reply not sent"));
    g_assert_cmpstr (adw_toast_get_action_name (toast), ==, "win.retry-change");
    g_assert_false (text_view_shown (&text_wait));
    g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->window), adw_toast_get_action_name (toast),
                                                      adw_toast_get_action_target_value (toast)));
    g_assert_true (rl_ui_test_wait_for (text_view_shown, &text_wait, 3000));
  }
}

/* ---- uploads and a refused token ---------------------------------------- */

static RlUploadRow *
find_upload_row (GtkWidget *root)
{
  if (RL_IS_UPLOAD_ROW (root))
    return RL_UPLOAD_ROW (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      RlUploadRow *row = find_upload_row (child);

      if (row != NULL)
        return row;
    }
  return NULL;
}

static gboolean
upload_failed (gpointer data)
{
  Fixture *f = data;
  RlUploadRow *row = find_upload_row (GTK_WIDGET (f->window));

  return row != NULL && rl_upload_row_get_error (row) != NULL;
}

static gboolean
three_documents (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (rl_window_get_documents (f->window)) == 3;
}

static void
test_upload (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "data", "page.md", NULL);
  g_autofree char *header = g_test_build_filename (G_TEST_DIST, "ui", "rl-ui-test.h", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (page);
  g_autoptr(GFile) wrong = g_file_new_for_path (header);
  AdwToast *toast;

  open_window (f, f->ada);
  g_list_store_append (files, file);
  rl_window_upload_files (f->window, G_LIST_MODEL (files));
  g_assert_true (rl_ui_test_wait_for (three_documents, f, 5000));
  toast = rl_window_get_last_toast (f->window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Uploaded “page”");
  /* The new page is open. */
  g_assert_true (rl_ui_test_wait_for (page_shown, f, 5000));

  /* A file of another kind is not sent at all: its row under the list
   * says so. */
  g_list_store_remove_all (files);
  g_list_store_append (files, wrong);
  rl_window_upload_files (f->window, G_LIST_MODEL (files));
  g_assert_true (rl_ui_test_wait_for (upload_failed, f, 5000));
  g_assert_nonnull (strstr (rl_upload_row_get_error (find_upload_row (GTK_WIDGET (f->window))), "is not a PNG"));
  g_assert_cmpuint (g_list_model_get_n_items (rl_window_get_documents (f->window)), ==, 3);
  g_assert_true (rl_window_get_last_toast (f->window) == toast);
}

static gboolean
unauthorized (gpointer data)
{
  Fixture *f = data;

  return rl_connection_get_state (rl_session_get_connection (f->session)) == RL_CONNECTION_UNAUTHORIZED;
}

static void
test_signed_out (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  RlBanner *banner;

  f->session = rl_session_new (f->server->ws_base, "not-a-token", NULL, NULL, &error);
  g_assert_no_error (error);
  f->window = rl_window_new (NULL);
  rl_window_set_session (f->window, f->session);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (rl_ui_test_wait_for (unauthorized, f, 5000));
  banner = rl_window_get_banner (f->window, "signed-out");
  g_assert_true (rl_ui_test_wait_for (banner_revealed, banner, 2000));
  g_assert_cmpstr (rl_banner_get_button_label (banner), ==, "Sign In Again");
  /* A token that never worked is not one the server "no longer" takes. */
  g_assert_cmpstr (rl_banner_get_title (banner), ==, "You’re signed out: the server refused this account’s token.");
  g_assert_false (rl_banner_get_revealed (rl_window_get_banner (f->window, "reconnecting")));
  g_assert_false (rl_image_view_get_can_create (rl_window_get_image_view (f->window)));

  /* An account the keyring holds (its user known from an earlier welcome)
   * whose token the server refuses now: that one it no longer accepts. */
  {
    g_autoptr(RlTestClient) ada = rl_test_client_new (f->server, f->ada);
    JsonObject *user = json_object_get_object_member (json_node_get_object (ada->welcome), "user");
    g_autofree char *revoked = g_strconcat (json_object_get_string_member (user, "id"), ".revoked", NULL);

    g_clear_object (&f->session);
    f->session = rl_session_new (f->server->ws_base, revoked, json_object_get_string_member (user, "id"), NULL,
                                 &error);
    g_assert_no_error (error);
    rl_window_set_session (f->window, f->session);
    g_assert_true (rl_ui_test_wait_for (unauthorized, f, 5000));
    g_assert_true (rl_ui_test_wait_for (banner_revealed, banner, 2000));
    g_assert_cmpstr (rl_banner_get_title (banner), ==,
                     "You’re signed out: the server no longer accepts this account’s token.");
  }
}

/* ---- the connect dialog's checks ----------------------------------------- */

static void
on_connected (RlConnectDialog *dialog,
              RlSession       *session,
              guint           *connected)
{
  (*connected)++;
}

static gboolean
widget_sized (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

static gboolean
not_checking (gpointer data)
{
  return !rl_connect_dialog_get_checking (data);
}

/* A port nothing listens on (it did a moment ago). */
static guint
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

static void
test_connect_dialog (void)
{
  GtkWidget *dialog = rl_connect_dialog_new (NULL, NULL, NULL);
  RlConnectDialog *self = RL_CONNECT_DIALOG (dialog);
  guint port = closed_port ();
  g_autofree char *link = g_strdup_printf ("  redline://127.0.0.1:%u/join?token=abc-123&tls=0  ", port);
  g_autofree char *address = g_strdup_printf ("ws://127.0.0.1:%u/", port);
  g_autofree char *server_url = g_strdup_printf ("ws://127.0.0.1:%u", port);
  g_autofree char *nothing_there = g_strdup_printf ("Nothing is listening at 127.0.0.1:%u", port);
  guint connected = 0;

  g_signal_connect (dialog, "connected", G_CALLBACK (on_connected), &connected);
  gtk_window_present (GTK_WINDOW (dialog));

  /* Nothing typed. */
  g_assert_false (rl_connect_dialog_submit (self));
  g_assert_nonnull (rl_connect_dialog_get_error (self));

  /* A bad link: its own error, nothing tried. */
  rl_connect_dialog_set_invite (self, "https://127.0.0.1/join?token=abc");
  g_assert_null (rl_connect_dialog_get_error (self));   /* typing clears it */
  g_assert_false (rl_connect_dialog_submit (self));
  g_assert_nonnull (strstr (rl_connect_dialog_get_error (self), "redline://"));
  rl_connect_dialog_set_invite (self, "redline://127.0.0.1:8765/join?token=abc&tls=2");
  g_assert_false (rl_connect_dialog_submit (self));
  g_assert_nonnull (strstr (rl_connect_dialog_get_error (self), "tls"));
  g_assert_false (rl_connect_dialog_get_checking (self));
  /* Slow under the sanitizers: shown and sized before the picture. */
  g_assert_true (rl_ui_test_wait_for (widget_sized, dialog, 5000));
  rl_ui_test_run (200);
  g_free (rl_ui_test_screenshot (dialog, "connect-dialog-error"));

  /* A good link, with the blanks a paste brings: its server is asked, and
   * why it did not answer is said (nothing listens there). */
  rl_connect_dialog_set_invite (self, link);
  g_assert_true (rl_connect_dialog_submit (self));
  g_assert_true (rl_connect_dialog_get_checking (self));
  g_assert_cmpstr (rl_session_get_server_url (rl_connect_dialog_get_session (self)), ==, server_url);
  g_assert_cmpstr (rl_session_get_token (rl_connect_dialog_get_session (self)), ==, "abc-123");
  g_assert_true (rl_ui_test_wait_for (not_checking, self, 5000));
  g_assert_true (g_str_has_prefix (rl_connect_dialog_get_error (self), nothing_there));

  /* Or an address and a token, both checked before anything is tried. */
  rl_connect_dialog_set_invite (self, "");
  rl_connect_dialog_set_server (self, "http://127.0.0.1:8765", "abc");
  g_assert_false (rl_connect_dialog_submit (self));
  rl_connect_dialog_set_server (self, "ws://127.0.0.1:8765", "bad token!");
  g_assert_false (rl_connect_dialog_submit (self));
  g_assert_false (rl_connect_dialog_get_checking (self));
  rl_connect_dialog_set_server (self, address, "abc");
  g_assert_true (rl_connect_dialog_submit (self));
  g_assert_cmpstr (rl_session_get_server_url (rl_connect_dialog_get_session (self)), ==, server_url);
  g_assert_cmpstr (rl_session_get_token (rl_connect_dialog_get_session (self)), ==, "abc");
  g_assert_true (rl_ui_test_wait_for (not_checking, self, 5000));
  g_assert_true (g_str_has_prefix (rl_connect_dialog_get_error (self), nothing_there));
  g_assert_cmpuint (connected, ==, 0);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* ---- the app: an invite link, no keyring ---------------------------------- */

static gboolean
app_window_ready (gpointer data)
{
  RlApplication *app = data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  RlSession *session = window ? rl_window_get_session (RL_WINDOW (window)) : NULL;

  return session && rl_connection_get_state (rl_session_get_connection (session)) == RL_CONNECTION_ONLINE &&
         g_list_model_get_n_items (rl_window_get_documents (RL_WINDOW (window))) == 2;
}

static gboolean
keyring_toast (gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (data);
  AdwToast *toast = window ? rl_window_get_last_toast (RL_WINDOW (window)) : NULL;

  return toast && strstr (adw_toast_get_title (toast), "could not be saved");
}

static void
test_app_join (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlApplication) app = rl_application_new ("io.github.redline.Redline.Test", G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *link = NULL;
  GtkWindow *window;
  RlSession *session;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_assert_false (rl_application_join (app, "redline://127.0.0.1/join", NULL, &error));
  g_assert_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_TOKEN);
  g_clear_error (&error);
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (app)));

  link = rl_invite_format (f->server->ws_base, f->ada, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rl_application_join (app, link, NULL, &error));
  g_assert_no_error (error);
  window = gtk_application_get_windows (GTK_APPLICATION (app))->data;
  gtk_window_present (window);
  g_assert_true (rl_ui_test_wait_for (app_window_ready, app, 5000));

  /* No Secret Service: the session works on, and the user is told. */
  g_assert_true (rl_ui_test_wait_for (keyring_toast, app, 5000));

  /* The same link again is the same session: one connection. */
  session = rl_window_get_session (RL_WINDOW (window));
  g_assert_true (rl_application_join (app, link, window, &error));
  g_assert_true (rl_window_get_session (RL_WINDOW (window)) == session);
  g_assert_true (rl_application_get_current_session (app) == session);

  gtk_window_destroy (window);
  rl_ui_test_run (50);
}

/* Under LeakSanitizer: whole stacks for allocations. GLib and GTK have no
 * frame pointers, so the fast unwinder stops after g_malloc and no
 * suppression (tests/lsan.supp: GLib's quark block, dropped on purpose
 * once this many tests have made 2048 quarks) could match. Read only by
 * the sanitizer runtime; env LSAN_OPTIONS still applies on top. */
const char *__lsan_default_options (void);

const char *
__lsan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

int
main (int    argc,
      char **argv)
{
  /* No session bus: the app's keyring calls fail as without a Secret
   * Service, and nothing real is touched. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/redline-test-bus", TRUE);
  rl_ui_test_init (&argc, &argv);

  g_test_add ("/window/empty", Fixture, NULL, fixture_setup, test_empty, fixture_teardown);
  g_test_add ("/window/documents-and-markers", Fixture, NULL, fixture_setup, test_documents_and_markers,
              fixture_teardown);
  g_test_add ("/window/reconnect", Fixture, NULL, fixture_setup, test_reconnect, fixture_teardown);
  g_test_add ("/window/failed-send", Fixture, NULL, fixture_setup, test_failed_send, fixture_teardown);
  g_test_add ("/window/upload", Fixture, NULL, fixture_setup, test_upload, fixture_teardown);
  g_test_add ("/window/page", Fixture, NULL, fixture_setup, test_page, fixture_teardown);
  g_test_add ("/window/page-failed-create", Fixture, NULL, fixture_setup, test_page_failed_create,
              fixture_teardown);
  g_test_add ("/window/signed-out", Fixture, NULL, fixture_setup, test_signed_out, fixture_teardown);
  g_test_add_func ("/window/connect-dialog", test_connect_dialog);
  g_test_add ("/window/app-join", Fixture, NULL, fixture_setup, test_app_join, fixture_teardown);

  return g_test_run ();
}
