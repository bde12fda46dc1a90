/* test-panel-input.c — the threads panel used as a person uses it: real
 * pointer and keyboard events through the X server (rl-ui-input.h) on
 * Ada's panel, against the real server, while Bob works on the same
 * document as a raw WebSocket client (the teammate whose changes arrive,
 * and who must receive what Ada sends)
 *
 * The panel is on its own with the landing mockup, or (IN_WINDOW) in
 * Ada's real window showing the launch copy, where the panel lists the
 * threads in text order as the page view places them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "rl-comment-row.h"
#include "rl-doc-store.h"
#include "rl-mention-completer.h"
#include "rl-test-server.h"
#include "rl-thread-panel.h"
#include "rl-thread-row.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"

typedef struct
{
  RlUiTestWorld  world;        /* the mockup, or the launch copy */
  const char    *doc;          /* the one of them the test works on */
  RlConnection  *connection;   /* Ada's */
  RlDocStore    *store;
  RlTestClient  *bob_client;   /* raw protocol */
  RlSession     *session;      /* Ada's window's (IN_WINDOW) */
  RlPageText    *page;         /* the launch copy's text (IN_WINDOW) */
  GtkWindow     *window;
  RlThreadPanel *panel;
} Fixture;

/* The fixture's data: Ada's real window on the launch copy. */
#define IN_WINDOW GINT_TO_POINTER (1)

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlReviewState) state = NULL;
  RlDocKind kind = data == IN_WINDOW ? RL_DOC_KIND_PAGE : RL_DOC_KIND_IMAGE;
  JsonObject *snapshot;

  rl_ui_test_world_init (&f->world, data == IN_WINDOW ? RL_UI_TEST_WORLD_PAGE : RL_UI_TEST_WORLD_IMAGE);
  f->doc = data == IN_WINDOW ? f->world.page : f->world.image;
  rl_test_server_start (f->world.server);

  f->connection = rl_ui_test_connect (f->world.server, f->world.ada);
  f->store = rl_ui_test_open_store (f->connection, f->doc, kind);
  f->bob_client = rl_test_client_new (f->world.server, f->world.bob);
  snapshot = rl_test_client_subscribe (f->bob_client, f->doc);
  json_object_unref (snapshot);

  if (data == IN_WINDOW)
    {
      g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "data", "page.md", NULL);
      RlPageView *view;

      f->page = rl_ui_test_page_from_file (path);
      f->session = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
      f->window = GTK_WINDOW (rl_window_new (NULL));
      gtk_window_set_default_size (f->window, 1100, 700);
      rl_ui_test_window_start (RL_WINDOW (f->window), f->session, 1);
      rl_ui_test_window_show (RL_WINDOW (f->window), f->doc, "page");
      view = rl_window_get_page_view (RL_WINDOW (f->window));
      g_assert_true (RL_UI_WAIT_UNTIL (rl_page_view_get_page (view) != NULL, 5000));
      f->panel = rl_window_get_thread_panel (RL_WINDOW (f->window));
      g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (GTK_WIDGET (f->panel)), 5000));
      rl_ui_test_run (200);
      return;
    }

  state = rl_review_state_new ();
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 420, 760);
  f->panel = RL_THREAD_PANEL (rl_thread_panel_new (state));
  gtk_window_set_child (f->window, GTK_WIDGET (f->panel));
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->store, RL_DOC_KIND_IMAGE);
  rl_ui_test_present (f->window, GTK_WIDGET (f->panel));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (f->window);
  rl_ui_test_run (50);
  g_clear_object (&f->session);
  g_clear_pointer (&f->page, rl_page_text_unref);
  g_clear_pointer (&f->bob_client, rl_test_client_free);
  g_clear_object (&f->store);
  rl_connection_stop (f->connection);
  g_clear_object (&f->connection);
  rl_ui_test_world_clear (&f->world);
}

/* ---- the store and the teammate ------------------------------------------ */

/* Ada's store has thread_id with n_comments (0: the thread is gone). */
static void
wait_store (Fixture    *f,
            const char *thread_id,
            guint       n_comments)
{
  const RlThread *thread;

  if (n_comments == 0)
    g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_thread (f->store, thread_id) == NULL, 5000));
  else
    g_assert_true (RL_UI_WAIT_UNTIL ((thread = rl_ui_test_store_thread (f->store, thread_id)) != NULL &&
                                     thread->comments->len == n_comments, 5000));
}

/* Bob's marker, seen by Ada's store. */
static char *
bob_creates (Fixture    *f,
             double      x,
             double      y,
             const char *body)
{
  char *id = rl_ui_test_create_marker (f->bob_client, f->doc, x, y, body);

  wait_store (f, id, 1);
  return id;
}

/* Bob's annotation on the first occurrence of exact, seen by Ada's store. */
static char *
bob_annotates (Fixture    *f,
               const char *exact,
               const char *body)
{
  char *id = rl_ui_test_create_annotation (f->bob_client, f->doc, f->page, exact, body);

  wait_store (f, id, 1);
  return id;
}

/* A request of Bob's on a thread, acknowledged; extra is more members. */
static void
bob_requests (Fixture    *f,
              const char *type,
              const char *thread_id,
              const char *extra)
{
  rl_ui_test_thread_request (f->bob_client, type, f->doc, thread_id, extra);
}

/* The next update event Bob receives about thread_id (anything else is
 * skipped); its change. */
static JsonObject *
bob_receives_change (Fixture    *f,
                     const char *thread_id)
{
  for (;;)
    {
      JsonObject *event = rl_test_client_next (f->bob_client);
      const char *type = json_object_get_string_member (event, "type");

      if ((g_strcmp0 (type, "image-chat-updated") == 0 || g_strcmp0 (type, "updated-text-chat") == 0)
          && g_strcmp0 (json_object_get_string_member (event, "thread"), thread_id) == 0)
        {
          JsonObject *change = json_object_ref (json_object_get_object_member (event, "change"));

          json_object_unref (event);
          return change;
        }
      json_object_unref (event);
    }
}

/* The body of the next comment added to thread_id that Bob receives (its
 * other changes are skipped). */
static char *
bob_receives_reply (Fixture    *f,
                    const char *thread_id)
{
  for (;;)
    {
      g_autoptr(JsonObject) change = bob_receives_change (f, thread_id);

      if (g_strcmp0 (json_object_get_string_member (change, "kind"), "comment-added") == 0)
        return g_strdup (json_object_get_string_member (json_object_get_object_member (change, "comment"), "body"));
    }
}

/* A click on widget once it is in place and nothing is moving. */
static void
click (Fixture   *f,
       GtkWidget *widget)
{
  g_assert_nonnull (widget);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (widget), 3000));
  /* No reply box of the panel opening or closing: rows stay where a hand aims. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_revealers_still (GTK_WIDGET (f->panel)), 3000));
  rl_ui_input_click (widget);
}

/* Selects a thread as a hand does: a click on its number. */
static void
click_row (Fixture    *f,
           const char *thread_id)
{
  RlThreadRow *row = rl_ui_test_panel_row (f->panel, thread_id);
  GtkWidget *badge;

  g_assert_nonnull (row);
  badge = rl_ui_test_find_class (GTK_WIDGET (row), "rl-thread-badge");
  click (f, badge);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, thread_id);
}

/* Its revealer has opened all the way, and it has its place. */
static gboolean
revealed (GtkWidget *widget)
{
  GtkWidget *revealer = gtk_widget_get_ancestor (widget, GTK_TYPE_REVEALER);

  return gtk_revealer_get_child_revealed (GTK_REVEALER (revealer)) && rl_ui_test_widget_placed (widget);
}

/* Clicks into the thread's reply field and types text there. */
static GtkTextView *
type_reply (Fixture    *f,
            const char *thread_id,
            const char *text)
{
  GtkTextView *view = rl_ui_test_row_reply_view (rl_ui_test_panel_row (f->panel, thread_id));

  g_assert_true (RL_UI_WAIT_UNTIL (revealed (GTK_WIDGET (view)), 3000));
  click (f, GTK_WIDGET (view));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  rl_ui_input_type (text);
  return view;
}

/* The notice of a kept row (its text), or NULL when none shows. */
static const char *
notice_of (RlThreadRow *row)
{
  GtkWidget *notice = rl_ui_test_find_class (GTK_WIDGET (row), "rl-thread-notice");

  if (notice == NULL || !gtk_widget_get_visible (notice))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (gtk_widget_get_first_child (notice)));
}

static void
wait_notice (RlThreadRow *row,
             const char  *text)
{
  if (!RL_UI_WAIT_UNTIL (g_strcmp0 (notice_of (row), text) == 0, 5000))
    g_error ("the notice says “%s”, not “%s”", notice_of (row), text);
}

static void
clipboard_read (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  char **text = data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

/* What the clipboard holds, read back as a paste would. */
static char *
clipboard_text (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, clipboard_read, &text);
  g_assert_true (RL_UI_WAIT_UNTIL (text != NULL, 3000));
  return text;
}

/* ---- (3) editing a comment keeps its lines -------------------------------- */

static void
test_edit_multiline (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->store, 0.3, 0.3, "Line one\nLine two");
  g_autofree char *typed = NULL;
  g_autoptr(JsonObject) change = NULL;
  RlThreadRow *row;
  RlCommentRow *comment;
  GtkWidget *edit, *editor, *save;
  JsonObject *edited;

  row = rl_ui_test_panel_row (f->panel, t1);
  g_assert_nonnull (row);
  comment = RL_COMMENT_ROW (rl_ui_test_find_type (GTK_WIDGET (row), RL_TYPE_COMMENT_ROW));
  edit = rl_ui_test_find_action (GTK_WIDGET (comment), "comment.edit");

  /* The edit button opens an editor with the whole comment, both lines. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (edit), 3000));
  rl_ui_input_click (edit);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_comment_row_is_editing (comment), 3000));
  editor = rl_ui_test_find_type (GTK_WIDGET (comment), GTK_TYPE_TEXT_VIEW);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (editor), 3000));
  g_assert_true (gtk_widget_has_focus (editor));
  typed = rl_ui_test_text_view_text (GTK_TEXT_VIEW (editor));
  g_assert_cmpstr (typed, ==, "Line one\nLine two");
  /* Tall enough to show both lines. */
  g_assert_cmpint (gtk_widget_get_height (editor), >=, 2 * 14);

  /* Enter starts a third line; Save sends the three. */
  rl_ui_input_key (GDK_KEY_End, GDK_CONTROL_MASK);
  rl_ui_input_type ("\nLine three");
  g_clear_pointer (&typed, g_free);
  typed = rl_ui_test_text_view_text (GTK_TEXT_VIEW (editor));
  g_assert_cmpstr (typed, ==, "Line one\nLine two\nLine three");
  g_assert_true (rl_comment_row_is_editing (comment));
  rl_ui_test_screenshot_quiet (GTK_WIDGET (f->window), f->panel, "panel-input-edit");
  save = rl_ui_test_find_shown (GTK_WIDGET (comment), rl_ui_test_is_button_labelled, "Save");
  g_assert_nonnull (save);
  rl_ui_input_click (save);
  g_assert_false (rl_comment_row_is_editing (comment));

  change = bob_receives_change (f, t1);
  g_assert_cmpstr (json_object_get_string_member (change, "kind"), ==, "comment-edited");
  edited = json_object_get_object_member (change, "comment");
  g_assert_cmpstr (json_object_get_string_member (edited, "body"), ==, "Line one\nLine two\nLine three");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (rl_ui_test_find_class (GTK_WIDGET (comment), "rl-comment-body"))),
                   ==, "Line one\nLine two\nLine three");

  /* Escape cancels: nothing is sent, the comment is as it was. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (edit), 3000));
  rl_ui_input_click (edit);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_comment_row_is_editing (comment), 3000));
  rl_ui_input_type (" never sent");
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_false (rl_comment_row_is_editing (comment));
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (f->store), ==, 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (rl_ui_test_find_class (GTK_WIDGET (comment), "rl-comment-body"))),
                   ==, "Line one\nLine two\nLine three");

  /* F2 on the focused comment edits it; Ctrl+Enter saves, line breaks and all. */
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (comment)));
  rl_ui_input_key (GDK_KEY_F2, 0);
  g_assert_true (rl_comment_row_is_editing (comment));
  rl_ui_input_key (GDK_KEY_End, GDK_CONTROL_MASK);
  rl_ui_input_key (GDK_KEY_Return, GDK_SHIFT_MASK);
  rl_ui_input_type ("— Ada");
  rl_ui_input_key (GDK_KEY_Return, GDK_CONTROL_MASK);
  g_assert_false (rl_comment_row_is_editing (comment));
  g_clear_pointer (&change, json_object_unref);
  change = bob_receives_change (f, t1);
  edited = json_object_get_object_member (change, "comment");
  g_assert_cmpstr (json_object_get_string_member (edited, "body"), ==, "Line one\nLine two\nLine three\n— Ada");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
}

/* ---- (2) typed text survives its thread ---------------------------------- */

static void
test_reply_kept_when_deleted (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *t1 = bob_creates (f, 0.2, 0.2, "Logo too small");
  g_autofree char *t2 = bob_creates (f, 0.5, 0.5, "Button colour");
  g_autofree char *t3 = bob_creates (f, 0.8, 0.8, "Footer spacing");
  const char *typed = "I'd keep the red,\nbut darker";
  g_autofree char *kept = NULL;
  g_autofree char *copied = NULL;
  GtkTextView *view;
  RlThreadRow *row;
  GtkWidget *copy, *discard;

  /* Ada is half way through a reply to thread 2 when Bob deletes it. */
  click_row (f, t2);
  view = type_reply (f, t2, typed);
  bob_requests (f, "delete-thread", t2, NULL);
  wait_store (f, t2, 0);

  /* Her text is still there, the row says what happened, nothing moved. */
  row = rl_ui_test_panel_row (f->panel, t2);
  g_assert_nonnull (row);
  wait_notice (row, "This thread was deleted. Your reply was not sent.");
  g_assert_true (rl_ui_test_row_reply_view (row) == view);
  kept = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (kept, ==, typed);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, t2);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 3);
  g_assert_true (gtk_widget_get_prev_sibling (GTK_WIDGET (row)) == GTK_WIDGET (rl_ui_test_panel_row (f->panel, t1)));
  /* Nothing can be sent to a thread that is gone. */
  g_assert_false (gtk_widget_is_sensitive (rl_ui_test_row_send_button (row)));
  rl_ui_test_screenshot_quiet (GTK_WIDGET (f->window), f->panel, "panel-input-deleted");

  /* The notice's buttons are on the keyboard path, just before the text. */
  rl_ui_input_key (GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_true (gtk_widget_has_focus (rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled,
                                                              "Discard")));
  rl_ui_input_key (GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_true (gtk_widget_has_focus (rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled,
                                                              "Copy Text")));
  rl_ui_input_key (GDK_KEY_Tab, 0);
  rl_ui_input_key (GDK_KEY_Tab, 0);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, t2);

  /* Typing goes on where it was. */
  rl_ui_input_key (GDK_KEY_End, GDK_CONTROL_MASK);
  rl_ui_input_type ("!");
  g_clear_pointer (&kept, g_free);
  kept = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (kept, ==, "I'd keep the red,\nbut darker!");

  /* Copy Text puts it on the clipboard. */
  copy = rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Copy Text");
  g_assert_nonnull (copy);
  click (f, copy);
  copied = clipboard_text (GTK_WIDGET (f->panel));
  g_assert_cmpstr (copied, ==, "I'd keep the red,\nbut darker!");

  /* Discard lets it go; the selection goes nowhere else. */
  discard = rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Discard");
  g_assert_nonnull (discard);
  click (f, discard);
  g_assert_null (rl_ui_test_panel_row (f->panel, t2));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 2);
  g_assert_null (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)));
  g_assert_null (gtk_list_box_get_selected_row (rl_ui_test_panel_list (f->panel)));
  rl_ui_test_run (100);
  g_assert_null (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)));

  /* The thread Ada is reading (nothing typed) goes the same way: it says
   * so and stays until she dismisses it. */
  click_row (f, t3);
  bob_requests (f, "delete-thread", t3, NULL);
  wait_store (f, t3, 0);
  row = rl_ui_test_panel_row (f->panel, t3);
  g_assert_nonnull (row);
  wait_notice (row, "This thread was deleted.");
  g_assert_null (rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Copy Text"));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, t3);
  click (f, rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Dismiss"));
  g_assert_null (rl_ui_test_panel_row (f->panel, t3));
  g_assert_null (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 1);
}

static void
test_reply_kept_when_resolved (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *t1 = bob_creates (f, 0.2, 0.2, "Logo too small");
  g_autofree char *t2 = bob_creates (f, 0.5, 0.5, "Button colour");
  g_autofree char *t3 = bob_creates (f, 0.8, 0.8, "Footer spacing");
  g_autofree char *kept = NULL;
  g_autofree char *reply = NULL;
  GtkTextView *view;
  RlThreadRow *row;

  rl_review_state_set_hide_resolved (rl_thread_panel_get_state (f->panel), TRUE);
  click_row (f, t2);
  view = type_reply (f, t2, "Almost there");

  /* Bob resolves it: resolved threads are hidden, but not this one yet. */
  bob_requests (f, "resolve-thread", t2, ",\"resolved\":true");
  row = rl_ui_test_panel_row (f->panel, t2);
  g_assert_nonnull (row);
  wait_notice (row, "Resolved by Bob — hidden once you leave it.");
  kept = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (kept, ==, "Almost there");
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, t2);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 3);
  rl_ui_test_screenshot_quiet (GTK_WIDGET (f->window), f->panel, "panel-input-resolved-kept");

  /* The reply still goes, with the Send button. */
  rl_ui_input_type (", thanks");
  click (f, rl_ui_test_row_send_button (row));
  reply = bob_receives_reply (f, t2);
  g_assert_cmpstr (reply, ==, "Almost there, thanks");
  wait_store (f, t2, 2);
  g_assert_nonnull (rl_ui_test_panel_row (f->panel, t2));

  /* Once Ada leaves it, it is hidden like the others. */
  click_row (f, t3);
  g_assert_null (rl_ui_test_panel_row (f->panel, t2));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 2);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, t3);
}

/* An edit in progress is typed text too: Bob deletes the thread while Ada
 * edits her reply in it. */
static void
test_edit_kept_when_deleted (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *t1 = bob_creates (f, 0.5, 0.5, "Button colour");
  g_autofree char *copied = NULL;
  g_autoptr(GPtrArray) comments = NULL;
  RlCommentRow *mine;
  RlThreadRow *row;
  GtkWidget *editor;
  g_autoptr(GError) error = NULL;

  g_assert_true (rl_doc_store_add_comment (f->store, t1, "Darker red?", NULL, &error));
  g_assert_no_error (error);
  wait_store (f, t1, 2);
  row = rl_ui_test_panel_row (f->panel, t1);
  comments = rl_ui_test_find_all (GTK_WIDGET (row), rl_ui_test_is_of_type, GSIZE_TO_POINTER (RL_TYPE_COMMENT_ROW));
  g_assert_cmpuint (comments->len, ==, 2);
  mine = g_ptr_array_index (comments, 1);
  click (f, rl_ui_test_find_action (GTK_WIDGET (mine), "comment.edit"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_comment_row_is_editing (mine), 3000));
  editor = rl_ui_test_find_type (GTK_WIDGET (mine), GTK_TYPE_TEXT_VIEW);
  rl_ui_input_key (GDK_KEY_End, GDK_CONTROL_MASK);
  rl_ui_input_type (" Like #B22");

  bob_requests (f, "delete-thread", t1, NULL);
  wait_store (f, t1, 0);

  g_assert_true (rl_ui_test_panel_row (f->panel, t1) == row);
  wait_notice (row, "This thread was deleted. Your edit was not saved.");
  g_assert_true (rl_comment_row_is_editing (mine));
  g_assert_true (gtk_widget_has_focus (editor));
  /* Nothing can be saved to a thread that is gone. */
  g_assert_false (gtk_widget_is_sensitive (rl_ui_test_find_shown (GTK_WIDGET (mine), rl_ui_test_is_button_labelled,
                                                                  "Save")));

  click (f, rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Copy Text"));
  copied = clipboard_text (GTK_WIDGET (f->panel));
  g_assert_cmpstr (copied, ==, "Darker red? Like #B22");
  click (f, rl_ui_test_find_shown (GTK_WIDGET (row), rl_ui_test_is_button_labelled, "Discard"));
  g_assert_null (rl_ui_test_panel_row (f->panel, t1));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 0);
}

/* Ada's own resolve and delete, with the buttons: what she resolves with
 * nothing typed goes (hide resolved is on), what she typed stays; the
 * selection never lands on another thread by itself. */
static void
test_own_changes (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->store, 0.2, 0.2, "Logo too small");
  g_autofree char *t2 = rl_ui_test_store_create_marker (f->store, 0.5, 0.5, "Button colour");
  g_autofree char *t3 = rl_ui_test_store_create_marker (f->store, 0.8, 0.8, "Footer spacing");
  g_autofree char *kept = NULL;
  GtkTextView *view;
  RlThreadRow *row;
  AdwMessageDialog *dialog;

  rl_review_state_set_hide_resolved (rl_thread_panel_get_state (f->panel), TRUE);

  /* Resolving the thread she is in, nothing typed: it goes, and nothing
   * else is selected in its place. */
  click_row (f, t3);
  click (f, rl_ui_test_find_action (GTK_WIDGET (rl_ui_test_panel_row (f->panel, t3)), "thread.toggle-resolved"));
  g_assert_null (rl_ui_test_panel_row (f->panel, t3));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 2);
  rl_ui_test_run (100);
  g_assert_null (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)));
  g_assert_null (gtk_list_box_get_selected_row (rl_ui_test_panel_list (f->panel)));

  /* With a reply typed: it stays, saying it is resolved. */
  click_row (f, t2);
  view = type_reply (f, t2, "One more thing");
  row = rl_ui_test_panel_row (f->panel, t2);
  click (f, rl_ui_test_find_action (GTK_WIDGET (row), "thread.toggle-resolved"));
  g_assert_true (rl_ui_test_panel_row (f->panel, t2) == row);
  wait_notice (row, "Resolved — hidden once you leave it.");
  kept = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (kept, ==, "One more thing");

  /* Deleting another thread through its button and the dialog. */
  click (f, rl_ui_test_find_action (GTK_WIDGET (rl_ui_test_panel_row (f->panel, t1)), "thread.delete"));
  g_assert_true (RL_UI_WAIT_UNTIL ((dialog = rl_ui_test_message_dialog ()) != NULL, 3000));
  click (f, rl_ui_test_find_shown (GTK_WIDGET (dialog), rl_ui_test_is_button_labelled, "_Delete"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  g_assert_null (rl_ui_test_panel_row (f->panel, t1));
  rl_ui_test_run (100);
  g_assert_null (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)));
  /* The resolved one with Ada's text is still there. */
  g_assert_true (rl_ui_test_panel_row (f->panel, t2) == row);
  g_clear_pointer (&kept, g_free);
  kept = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (kept, ==, "One more thing");
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 1);
}

/* ---- (1) typed text survives its row moving ------------------------------- */

/* The panel lists the threads of expected ("id id id"), in that order. */
static gboolean
panel_order_is (Fixture    *f,
                const char *expected)
{
  g_autofree char *order = rl_ui_test_panel_order (f->panel);

  return g_strcmp0 (order, expected) == 0;
}

static void
wait_order (Fixture    *f,
            const char *expected)
{
  g_autofree char *order = NULL;

  if (RL_UI_WAIT_UNTIL (panel_order_is (f, expected), 5000))
    return;
  order = rl_ui_test_panel_order (f->panel);
  g_error ("the panel lists “%s”, not “%s”", order, expected);
}

/* Ada's reply is where she left it: the whole of text in the same field
 * of the same row, which is still thread_id's, selected, with the focus. */
static void
assert_reply_kept (Fixture     *f,
                   RlThreadRow *row,
                   const char  *thread_id,
                   GtkTextView *view,
                   const char  *text)
{
  g_autofree char *typed = rl_ui_test_text_view_text (view);

  g_assert_true (rl_ui_test_panel_row (f->panel, thread_id) == row);
  g_assert_cmpstr (rl_thread_row_get_thread_id (row), ==, thread_id);
  g_assert_true (rl_ui_test_row_reply_view (row) == view);
  g_assert_cmpstr (typed, ==, text);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, thread_id);
  g_assert_true (gtk_list_box_get_selected_row (rl_ui_test_panel_list (f->panel)) == GTK_LIST_BOX_ROW (row));
}

/* Once the panel lists order, Ada's row is at place at with her reply as
 * she left it (typed), and what she types next (more) goes on in it. */
static void
assert_moved_and_type_on (Fixture     *f,
                          const char  *order,
                          guint        at,
                          RlThreadRow *row,
                          const char  *thread_id,
                          GtkTextView *view,
                          const char  *typed,
                          const char  *more)
{
  g_autofree char *whole = g_strconcat (typed, more, NULL);

  wait_order (f, order);
  g_assert_true (rl_ui_test_panel_row_at (f->panel, at) == row);
  assert_reply_kept (f, row, thread_id, view, typed);
  rl_ui_input_type (more);
  assert_reply_kept (f, row, thread_id, view, whole);
}

/* In Ada's window the panel lists the page's threads in text order. She
 * is half way through a reply when Bob adds a thread above hers, then
 * moves hers above all the others: she types on, and all she typed goes. */
static void
test_reply_kept_when_moved (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *t1 = bob_annotates (f, "hero", "Which hero image?");
  g_autofree char *t2 = bob_annotates (f, "Start free", "Too pushy?");
  g_autofree char *t0 = NULL;
  g_autofree char *first = g_strjoin (" ", t1, t2, NULL);
  g_autofree char *added = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *anchor = NULL;
  g_autofree char *move = NULL;
  g_autofree char *reply = NULL;
  GtkTextView *view;
  RlThreadRow *row;

  wait_order (f, first);
  click_row (f, t2);
  view = type_reply (f, t2, "Keep it, ");
  row = rl_ui_test_panel_row (f->panel, t2);
  g_assert_true (rl_ui_test_panel_row_at (f->panel, 1) == row);

  /* Bob's new thread sorts before it: Ada's row goes down one. */
  t0 = bob_annotates (f, "Launch copy", "Title case?");
  added = g_strjoin (" ", t0, t1, t2, NULL);
  assert_moved_and_type_on (f, added, 2, row, t2, view, "Keep it, ", "but ");

  /* Bob moves her thread to the title's first word: it sorts first, its
   * row leaves its place in the list and comes back at the top. */
  anchor = rl_ui_test_annotation_anchor (f->page, "Launch");
  move = g_strdup_printf (",\"anchor\":%s", anchor);
  bob_requests (f, "move-thread", t2, move);
  moved = g_strjoin (" ", t2, t0, t1, NULL);
  assert_moved_and_type_on (f, moved, 0, row, t2, view, "Keep it, but ", "drop the caps");
  rl_ui_test_screenshot_quiet (GTK_WIDGET (f->window), f->panel, "panel-input-moved-kept");

  /* The whole reply goes with the Send button. */
  click (f, rl_ui_test_row_send_button (row));
  reply = bob_receives_reply (f, t2);
  g_assert_cmpstr (reply, ==, "Keep it, but drop the caps");
  wait_store (f, t2, 2);
}

/* Ada calls Bob into her reply ("@bo", Enter); Bob adds a thread above
 * hers and moves hers to the top (her row goes down, then leaves its place
 * and comes back), then her client's delete of the thread is refused (it
 * comes back as a new row, her reply handed over): the mention goes with
 * the text all the way, and the server keeps it. */
static void
test_mention_kept_when_moved (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *t1 = bob_annotates (f, "Start free", "Too pushy?");
  g_autofree char *t0 = NULL;
  g_autofree char *added = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *anchor = NULL;
  g_autofree char *move = NULL;
  g_autofree char *bob_id = rl_ui_test_user_id (f->world.server, f->world.bob);
  g_autoptr(JsonObject) change = NULL;
  JsonObject *comment;
  JsonArray *mentions;
  JsonObject *mention;
  RlDocStore *window_store = rl_review_state_get_store (rl_thread_panel_get_state (f->panel));
  GtkTextView *view;
  RlThreadRow *row;

  g_assert_true (RL_UI_WAIT_UNTIL (
    g_list_model_get_n_items (rl_api_get_members (rl_session_get_api (f->session))) == 2, 5000));
  wait_order (f, t1);
  click_row (f, t1);
  view = type_reply (f, t1, "Ask @bo");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_mention_completer_is_open (rl_mention_completer_attach (view)), 3000));
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_mention_completer_is_open (rl_mention_completer_attach (view)), 3000));
  row = rl_ui_test_panel_row (f->panel, t1);
  assert_reply_kept (f, row, t1, view, "Ask @Bob ");

  t0 = bob_annotates (f, "Launch copy", "Title case?");
  added = g_strjoin (" ", t0, t1, NULL);
  assert_moved_and_type_on (f, added, 1, row, t1, view, "Ask @Bob ", "about ");
  anchor = rl_ui_test_annotation_anchor (f->page, "Launch");
  move = g_strdup_printf (",\"anchor\":%s", anchor);
  bob_requests (f, "move-thread", t1, move);
  moved = g_strjoin (" ", t1, t0, NULL);
  assert_moved_and_type_on (f, moved, 0, row, t1, view, "Ask @Bob about ", "it");

  /* Her client deletes the thread and the server refuses: the thread comes
   * back as a new row, which takes her reply over, the mention with it. */
  g_assert_true (rl_doc_store_delete_thread (window_store, t1, NULL));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (window_store), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_row (f->panel, t1) != row, 5000));
  wait_order (f, moved);
  row = rl_ui_test_panel_row (f->panel, t1);
  view = rl_ui_test_row_reply_view (row);
  assert_reply_kept (f, row, t1, view, "Ask @Bob about it");

  click (f, rl_ui_test_row_send_button (row));
  for (;;)
    {
      change = bob_receives_change (f, t1);
      if (g_strcmp0 (json_object_get_string_member (change, "kind"), "comment-added") == 0)
        break;
      g_clear_pointer (&change, json_object_unref);
    }
  comment = json_object_get_object_member (change, "comment");
  g_assert_cmpstr (json_object_get_string_member (comment, "body"), ==, "Ask @Bob about it");
  g_assert_true (json_object_has_member (comment, "mentions"));
  mentions = json_object_get_array_member (comment, "mentions");
  g_assert_cmpuint (json_array_get_length (mentions), ==, 1);
  mention = json_array_get_object_element (mentions, 0);
  g_assert_cmpstr (json_object_get_string_member (mention, "user"), ==, bob_id);
  g_assert_cmpint (json_object_get_int_member (mention, "start"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (mention, "end"), ==, 8);
  wait_store (f, t1, 2);
}

/* Ada is typing in Bob's thread when her client deletes it and the server
 * refuses (the panel offers no Delete on a teammate's thread: her store
 * asks, as a client that still took her for an admin would). The thread
 * comes back as a new row: what she typed is in it, with the focus, and
 * her typing goes on there. */
static void
test_reply_kept_when_delete_refused (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *t1 = bob_creates (f, 0.4, 0.4, "Bob's own");
  g_autoptr(JsonObject) change = NULL;
  g_autoptr(RlThreadRow) kept = NULL;   /* looked at after the list let it go */
  GtkTextView *view;
  RlThreadRow *back;

  click_row (f, t1);
  view = type_reply (f, t1, "Half typed, ");
  kept = g_object_ref (rl_ui_test_panel_row (f->panel, t1));

  g_assert_true (rl_doc_store_delete_thread (f->store, t1, NULL));
  g_assert_true (rl_thread_row_get_deleted (kept));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_row (f->panel, t1) != kept, 5000));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 1);
  back = rl_ui_test_panel_row (f->panel, t1);
  g_assert_false (rl_thread_row_get_deleted (back));
  g_assert_null (notice_of (back));
  view = rl_ui_test_row_reply_view (back);
  assert_reply_kept (f, back, t1, view, "Half typed, ");

  /* She types on at once, while the new row's reply box is still opening
   * (its revealer has not shown the field yet): no key is lost. */
  rl_ui_input_type ("half to come");
  assert_reply_kept (f, back, t1, view, "Half typed, half to come");
  rl_ui_test_screenshot_quiet (GTK_WIDGET (f->window), f->panel, "panel-input-refused-kept");

  click (f, rl_ui_test_row_send_button (back));
  change = bob_receives_change (f, t1);
  g_assert_cmpstr (json_object_get_string_member (change, "kind"), ==, "comment-added");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (change, "comment"), "body"),
                   ==, "Half typed, half to come");
  wait_store (f, t1, 2);
}

/* ---- (4) "You're offline" goes once the link is back ----------------------- */

/* The thread's own error line (not one of a comment's). */
static GtkWidget *
thread_error (RlThreadRow *row)
{
  g_autoptr(GPtrArray) errors = rl_ui_test_find_all (GTK_WIDGET (row), rl_ui_test_has_css_class, "error");
  for (guint i = 0; i < errors->len; i++)
    if (!gtk_widget_get_ancestor (g_ptr_array_index (errors, i), RL_TYPE_COMMENT_ROW))
      return g_ptr_array_index (errors, i);
  g_assert_not_reached ();
}

static void
test_offline_error_clears (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *t1 = bob_creates (f, 0.4, 0.4, "Check the contrast");
  g_autofree char *kept = NULL;
  g_autoptr(JsonObject) change = NULL;
  GtkTextView *view;
  GtkWidget *error, *send;
  RlThreadRow *row;
  JsonObject *snapshot;

  click_row (f, t1);
  view = type_reply (f, t1, "Written on the train");
  row = rl_ui_test_panel_row (f->panel, t1);
  send = rl_ui_test_row_send_button (row);
  error = thread_error (row);

  /* The server goes away; the send is refused at once and says why. */
  rl_test_server_stop (f->world.server);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_connection_get_state (f->connection) != RL_CONNECTION_ONLINE, 5000));
  click (f, send);
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error)), "offline"));
  kept = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (kept, ==, "Written on the train");
  rl_ui_test_screenshot_quiet (GTK_WIDGET (f->window), f->panel, "panel-input-offline");

  /* Back: the line goes by itself, the text is still there to send. */
  rl_test_server_start (f->world.server);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_connection_get_state (f->connection) == RL_CONNECTION_ONLINE, 10000));
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (error), 3000));
  g_clear_pointer (&kept, g_free);
  kept = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (kept, ==, "Written on the train");

  /* And it goes with one click. Bob comes back too. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->store), 5000));
  g_clear_pointer (&f->bob_client, rl_test_client_free);
  f->bob_client = rl_test_client_new (f->world.server, f->world.bob);
  snapshot = rl_test_client_subscribe (f->bob_client, f->doc);
  json_object_unref (snapshot);
  click (f, send);
  change = bob_receives_change (f, t1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (change, "comment"), "body"),
                   ==, "Written on the train");
  g_assert_false (gtk_widget_get_visible (error));
}

/* ---- (5) numbers are the threads' own ------------------------------------ */

static const char *
badge_of (Fixture    *f,
          const char *thread_id)
{
  RlThreadRow *row = rl_ui_test_panel_row (f->panel, thread_id);

  g_assert_nonnull (row);
  return rl_ui_test_row_badge (row);
}

static void
test_numbers_stay (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *t1 = bob_creates (f, 0.2, 0.2, "Logo too small");
  g_autofree char *t2 = bob_creates (f, 0.5, 0.5, "Button colour");
  g_autofree char *t3 = bob_creates (f, 0.8, 0.8, "Footer spacing");
  g_autofree char *t4 = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = 0.1, .y = 0.9 };

  g_assert_cmpstr (badge_of (f, t1), ==, "1");
  g_assert_cmpstr (badge_of (f, t2), ==, "2");
  g_assert_cmpstr (badge_of (f, t3), ==, "3");

  /* Bob deletes thread 2: the others keep theirs, "see #3" still means it. */
  bob_requests (f, "delete-thread", t2, NULL);
  wait_store (f, t2, 0);
  g_assert_null (rl_ui_test_panel_row (f->panel, t2));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 2);
  g_assert_cmpstr (badge_of (f, t1), ==, "1");
  g_assert_cmpstr (badge_of (f, t3), ==, "3");

  /* Ada's new thread: a neutral mark until the server numbers it, then the
   * next number, never one given before. */
  g_assert_true (rl_doc_store_create_thread (f->store, &anchor, "Is this final?", &t4, NULL));
  g_assert_cmpstr (badge_of (f, t4), ==, "…");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_row (f->panel, t4) != NULL &&
                                   g_strcmp0 (badge_of (f, t4), "4") == 0, 5000));
  g_assert_cmpstr (badge_of (f, t1), ==, "1");
  g_assert_cmpstr (badge_of (f, t3), ==, "3");
  rl_ui_test_screenshot_quiet (GTK_WIDGET (f->window), f->panel, "panel-input-numbers");
}

/* ---- a click on a row never misses ----------------------------------------- */

/* Ada has the first thread's reply box open and clicks Resolve on the
 * second's row, just below, at a hand's speed: press and release, no
 * pause. The press selects the second row, and the first one's reply box
 * closes; were it to close before the release, the row clicked would move
 * up under the pointer and the click miss its button. */
static void
click_below_selected (Fixture *f)
{
  g_autofree char *t1 = bob_creates (f, 0.2, 0.2, "Logo too small");
  g_autofree char *t2 = bob_creates (f, 0.5, 0.5, "Button colour");
  GtkTextView *view;
  GtkWidget *resolve;
  const RlThread *thread;

  click_row (f, t1);
  view = rl_ui_test_row_reply_view (rl_ui_test_panel_row (f->panel, t1));
  g_assert_true (RL_UI_WAIT_UNTIL (revealed (GTK_WIDGET (view)), 3000));
  resolve = rl_ui_test_find_action (GTK_WIDGET (rl_ui_test_panel_row (f->panel, t2)), "thread.toggle-resolved");
  click (f, resolve);
  g_assert_true (RL_UI_WAIT_UNTIL ((thread = rl_ui_test_store_thread (f->store, t2)) != NULL && thread->resolved,
                                   3000));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, t2);
  /* The first one's box closes once the click is over. */
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_revealer_get_reveal_child (GTK_REVEALER (
                                     gtk_widget_get_ancestor (GTK_WIDGET (view), GTK_TYPE_REVEALER))), 3000));
  rl_ui_test_screenshot_quiet (GTK_WIDGET (f->window), f->panel, "panel-input-click-below");
}

static void
test_click_below_selected (Fixture       *f,
                           gconstpointer  data)
{
  click_below_selected (f);
}

/* Without animations the reply box closes at once, not over 150 ms: a
 * box closed on the press moves the row before any release can come. */
static void
test_click_below_selected_instant (Fixture       *f,
                                   gconstpointer  data)
{
  GtkSettings *settings = gtk_settings_get_default ();
  gboolean animations;

  g_object_get (settings, "gtk-enable-animations", &animations, NULL);
  g_object_set (settings, "gtk-enable-animations", FALSE, NULL);
  click_below_selected (f);
  g_object_set (settings, "gtk-enable-animations", animations, NULL);
}

int
main (int   argc,
      char *argv[])
{
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/panel-input/edit-multiline", Fixture, NULL, fixture_setup, test_edit_multiline, fixture_teardown);
  g_test_add ("/panel-input/reply-kept-when-deleted", Fixture, NULL, fixture_setup, test_reply_kept_when_deleted,
              fixture_teardown);
  g_test_add ("/panel-input/reply-kept-when-resolved", Fixture, NULL, fixture_setup, test_reply_kept_when_resolved,
              fixture_teardown);
  g_test_add ("/panel-input/edit-kept-when-deleted", Fixture, NULL, fixture_setup, test_edit_kept_when_deleted,
              fixture_teardown);
  g_test_add ("/panel-input/reply-kept-when-moved", Fixture, IN_WINDOW, fixture_setup, test_reply_kept_when_moved,
              fixture_teardown);
  g_test_add ("/panel-input/mention-kept-when-moved", Fixture, IN_WINDOW, fixture_setup,
              test_mention_kept_when_moved, fixture_teardown);
  g_test_add ("/panel-input/reply-kept-when-delete-refused", Fixture, NULL, fixture_setup,
              test_reply_kept_when_delete_refused, fixture_teardown);
  g_test_add ("/panel-input/own-changes", Fixture, NULL, fixture_setup, test_own_changes, fixture_teardown);
  g_test_add ("/panel-input/offline-error-clears", Fixture, NULL, fixture_setup, test_offline_error_clears,
              fixture_teardown);
  g_test_add ("/panel-input/numbers-stay", Fixture, NULL, fixture_setup, test_numbers_stay, fixture_teardown);
  g_test_add ("/panel-input/click-below-selected", Fixture, NULL, fixture_setup, test_click_below_selected,
              fixture_teardown);
  g_test_add ("/panel-input/click-below-selected-instant", Fixture, NULL, fixture_setup,
              test_click_below_selected_instant, fixture_teardown);
  return g_test_run ();
}
