/* test-thread-panel.c — the threads panel and the banner under Xvfb, against
 * the real server: a real RlConnection and RlDocStore per user, the panel's
 * own widgets driven by their signals, actions and key bindings, and every
 * change checked on the server over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <string.h>

#include "rl-banner.h"
#include "rl-comment-row.h"
#include "rl-doc-store.h"
#include "rl-plaintext.h"
#include "rl-test-server.h"
#include "rl-thread-panel.h"
#include "rl-thread-row.h"
#include "rl-ui-test.h"

typedef struct
{
  RlUiTestWorld  world;     /* the mockup and the launch copy */
  RlConnection  *conn_a;
  RlConnection  *conn_b;
  RlDocStore    *sa;
  RlDocStore    *sb;
  GtkWindow     *window;
  RlThreadPanel *panel;
} Fixture;

/* ---- helpers --------------------------------------------------------------- */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlReviewState) state = rl_review_state_new ();
  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE | RL_UI_TEST_WORLD_PAGE);
  rl_test_server_start (f->world.server);

  f->conn_a = rl_ui_test_connect (f->world.server, f->world.ada);
  f->conn_b = rl_ui_test_connect (f->world.server, f->world.bob);
  f->sa = rl_ui_test_open_store (f->conn_a, f->world.image, RL_DOC_KIND_IMAGE);
  f->sb = rl_ui_test_open_store (f->conn_b, f->world.image, RL_DOC_KIND_IMAGE);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 420, 760);
  f->panel = RL_THREAD_PANEL (rl_thread_panel_new (state));
  gtk_window_set_child (f->window, GTK_WIDGET (f->panel));
  gtk_window_present (f->window);
  rl_ui_test_run (100);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (f->window);
  rl_ui_test_run (50);
  g_clear_object (&f->sa);
  g_clear_object (&f->sb);
  rl_connection_stop (f->conn_a);
  rl_connection_stop (f->conn_b);
  g_clear_object (&f->conn_a);
  g_clear_object (&f->conn_b);
  rl_ui_test_world_clear (&f->world);
}

static void
add_comment (RlDocStore *store,
             const char *thread_id,
             const char *body)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rl_doc_store_add_comment (store, thread_id, body, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (store), 5000));
}

/* The server's threads, over HTTP. */
static GPtrArray *
server_threads (Fixture *f)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/docs/%s/threads", f->world.image);
  g_autoptr(RlTestResponse) response = rl_test_http (f->world.server, "GET", path, f->world.ada, NULL, NULL);
  GPtrArray *threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  JsonArray *array;

  g_assert_cmpuint (response->status, ==, 200);
  array = json_object_get_array_member (json_node_get_object (response->json), "threads");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      RlThread *thread = rl_thread_from_json (json_array_get_element (array, i), NULL);

      g_assert_nonnull (thread);
      g_ptr_array_add (threads, thread);
    }
  return threads;
}

static RlThread *
server_thread (Fixture    *f,
               const char *id)
{
  g_autoptr(GPtrArray) threads = server_threads (f);

  for (guint i = 0; i < threads->len; i++)
    if (g_strcmp0 (((RlThread *) g_ptr_array_index (threads, i))->id, id) == 0)
      return rl_thread_ref (g_ptr_array_index (threads, i));
  return NULL;
}

static GPtrArray *
comment_rows (RlThreadRow *row)
{
  return rl_ui_test_find_all (GTK_WIDGET (row), rl_ui_test_is_of_type, GSIZE_TO_POINTER (RL_TYPE_COMMENT_ROW));
}

static const char *
comment_body (RlCommentRow *row)
{
  GtkWidget *label = rl_ui_test_find_class (GTK_WIDGET (row), "rl-comment-body");

  return gtk_label_get_text (GTK_LABEL (label));
}

/* The thread's own number, given by the server (0 while not known). */
static guint
own_number (RlThreadRow *row)
{
  return (guint) rl_thread_item_get_thread (rl_thread_row_get_item (row))->number;
}

/* What a row's badge says: its thread's own number, never its place; "…"
 * while the server has not given one. */
static char *
expected_badge (RlThreadRow *row)
{
  return own_number (row) > 0 ? g_strdup_printf ("%u", own_number (row)) : g_strdup ("…");
}

static void
type_text (GtkTextView *view,
           const char  *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);

  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_text_buffer_insert_at_cursor (buffer, text, -1);
}

static gboolean
trigger_matches (GtkShortcutTrigger *trigger,
                 guint               keyval,
                 GdkModifierType     mods)
{
  if (GTK_IS_KEYVAL_TRIGGER (trigger))
    return gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval
           && gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods;
  if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    return trigger_matches (gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)), keyval, mods)
           || trigger_matches (gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)), keyval, mods);
  return FALSE;
}

static gboolean
run_shortcuts (GtkWidget       *widget,
               GtkPropagationPhase phase,
               guint            keyval,
               GdkModifierType  mods)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller)
          || gtk_event_controller_get_propagation_phase (controller) != phase)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (trigger_matches (gtk_shortcut_get_trigger (shortcut), keyval, mods)
              && gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                               widget, gtk_shortcut_get_arguments (shortcut)))
            return TRUE;
        }
    }
  return FALSE;
}

/* A key press on the focus widget as GTK delivers it to shortcuts:
 * capture from the window down, then bubble back up. No synthetic events
 * exist in GTK 4, so the bindings themselves are run. */
static gboolean
press (Fixture         *f,
       guint            keyval,
       GdkModifierType  mods)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  gboolean handled = FALSE;

  g_assert_nonnull (focus);
  for (GtkWidget *w = focus; w; w = gtk_widget_get_parent (w))
    g_ptr_array_add (chain, w);
  for (guint i = chain->len; i > 0 && !handled; i--)
    handled = run_shortcuts (g_ptr_array_index (chain, i - 1), GTK_PHASE_CAPTURE, keyval, mods);
  for (guint i = 0; i < chain->len && !handled; i++)
    handled = run_shortcuts (g_ptr_array_index (chain, i), GTK_PHASE_BUBBLE, keyval, mods);
  rl_ui_test_run (20);
  return handled;
}

static void
answer_dialog (const char *response)
{
  AdwMessageDialog *dialog;

  rl_ui_test_run (50);
  dialog = rl_ui_test_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  rl_ui_test_run (20);
}

/* The panel's row of thread_id lists n comments. */
static gboolean
panel_has_n_comments (Fixture    *f,
                      const char *thread_id,
                      guint       n)
{
  RlThreadRow *row = rl_ui_test_panel_row (f->panel, thread_id);
  g_autoptr(GPtrArray) rows = row ? comment_rows (row) : NULL;

  return rows && rows->len == n;
}

/* The server's thread_id has n comments. */
static gboolean
server_has_n_comments (Fixture    *f,
                       const char *thread_id,
                       guint       n)
{
  g_autoptr(RlThread) thread = server_thread (f, thread_id);

  return thread && thread->comments->len == n;
}

/* The store's thread_id has n comments. */
static gboolean
store_has_n_comments (RlDocStore *store,
                      const char *thread_id,
                      guint       n)
{
  const RlThread *thread = rl_ui_test_store_thread (store, thread_id);

  return thread && thread->comments->len == n;
}

/* ---- tests ------------------------------------------------------------------ */

static void
test_lists_threads (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sb, 0.1, 0.1, "Bigger logo, please");
  g_autofree char *t2 = rl_ui_test_store_create_marker (f->sa, 0.5, 0.5, "Is this the final copy?");
  g_autofree char *t3 = rl_ui_test_store_create_marker (f->sb, 0.9, 0.9, "Align the buttons");
  g_autoptr(GPtrArray) rows1 = NULL;
  g_autoptr(GPtrArray) rows2 = NULL;
  g_autofree char *third = NULL;

  add_comment (f->sa, t1, "On it");
  g_assert_true (RL_UI_WAIT_UNTIL (store_has_n_comments (f->sa, t1, 2), 5000));
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (100);

  /* In creation order, each with its thread's own number. */
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 3);
  g_assert_cmpstr (rl_thread_row_get_thread_id (rl_ui_test_panel_row_at (f->panel, 0)), ==, t1);
  g_assert_cmpstr (rl_thread_row_get_thread_id (rl_ui_test_panel_row_at (f->panel, 1)), ==, t2);
  g_assert_cmpstr (rl_thread_row_get_thread_id (rl_ui_test_panel_row_at (f->panel, 2)), ==, t3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *number = expected_badge (rl_ui_test_panel_row_at (f->panel, i));

      g_assert_cmpstr (rl_ui_test_row_badge (rl_ui_test_panel_row_at (f->panel, i)), ==, number);
    }
  /* The server numbers them 1, 2, 3 in creation order. */
  g_assert_cmpstr (rl_ui_test_row_badge (rl_ui_test_panel_row_at (f->panel, 0)), ==, "1");
  g_assert_cmpstr (rl_ui_test_row_badge (rl_ui_test_panel_row_at (f->panel, 1)), ==, "2");
  g_assert_cmpstr (rl_ui_test_row_badge (rl_ui_test_panel_row_at (f->panel, 2)), ==, "3");
  third = g_strdup (rl_ui_test_row_badge (rl_ui_test_panel_row_at (f->panel, 2)));

  /* Comments with author and body, oldest first. */
  rows1 = comment_rows (rl_ui_test_panel_row_at (f->panel, 0));
  g_assert_cmpuint (rows1->len, ==, 2);
  g_assert_cmpstr (comment_body (g_ptr_array_index (rows1, 0)), ==, "Bigger logo, please");
  g_assert_cmpstr (comment_body (g_ptr_array_index (rows1, 1)), ==, "On it");
  g_assert_nonnull (rl_ui_test_find_class (g_ptr_array_index (rows1, 0), "heading"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (rl_ui_test_find_class (g_ptr_array_index (rows1, 0), "heading"))),
                   ==, "Bob");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (rl_ui_test_find_class (g_ptr_array_index (rows1, 1), "heading"))),
                   ==, "Ada");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (rl_ui_test_find_class (g_ptr_array_index (rows1, 1), "caption"))),
                   ==, "just now");
  rows2 = comment_rows (rl_ui_test_panel_row_at (f->panel, 1));
  g_assert_cmpuint (rows2->len, ==, 1);

  /* Deleting the first thread changes no other number. (Not the thread
   * Ada is in: that one would stay, saying so; test-panel-input.) */
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), NULL);
  g_assert_true (rl_doc_store_delete_thread (f->sb, t1, NULL));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sb), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (f->panel) == 2, 5000));
  g_assert_cmpstr (rl_thread_row_get_thread_id (rl_ui_test_panel_row_at (f->panel, 1)), ==, t3);
  g_assert_cmpstr (rl_ui_test_row_badge (rl_ui_test_panel_row_at (f->panel, 1)), ==, third);
  g_assert_cmpstr (rl_ui_test_row_badge (rl_ui_test_panel_row_at (f->panel, 1)), ==, "3");
}

static void
test_reply_reaches_server (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sb, 0.2, 0.3, "Contrast is too low");
  RlThreadRow *row;
  GtkTextView *view;
  GtkWidget *send;
  g_autofree char *left = NULL;

  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (50);
  row = rl_ui_test_panel_row_at (f->panel, 0);
  view = rl_ui_test_row_reply_view (row);

  /* Selecting the thread shows its reply box; the send button sends. */
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), t1);
  rl_ui_test_run (300);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  send = rl_ui_test_row_send_button (row);
  g_assert_false (gtk_widget_get_sensitive (send));   /* nothing typed */
  type_text (view, "Fixed in v3");
  g_assert_true (gtk_widget_get_sensitive (send));
  g_signal_emit_by_name (send, "clicked");
  left = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (left, ==, "");
  g_assert_true (RL_UI_WAIT_UNTIL (store_has_n_comments (f->sb, t1, 2), 5000));
  g_assert_true (server_has_n_comments (f, t1, 2));

  /* Ctrl+Enter in the box sends too. */
  gtk_widget_grab_focus (GTK_WIDGET (view));
  type_text (view, "And the icons");
  g_assert_true (press (f, GDK_KEY_Return, GDK_CONTROL_MASK));
  g_assert_true (RL_UI_WAIT_UNTIL (store_has_n_comments (f->sb, t1, 3), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  g_assert_true (server_has_n_comments (f, t1, 3));
  {
    g_autoptr(RlThread) thread = server_thread (f, t1);

    g_assert_cmpstr (((RlComment *) g_ptr_array_index (thread->comments, 1))->body, ==, "Fixed in v3");
    g_assert_cmpstr (((RlComment *) g_ptr_array_index (thread->comments, 2))->body, ==, "And the icons");
    g_assert_cmpstr (((RlComment *) g_ptr_array_index (thread->comments, 2))->author.name, ==, "Ada");
  }
  /* Own echoes show nothing twice. */
  rl_ui_test_run (200);
  g_assert_true (panel_has_n_comments (f, t1, 3));
}

static void
test_edit_delete_resolve (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *mine = rl_ui_test_store_create_marker (f->sa, 0.4, 0.4, "Move the logo left");
  g_autofree char *theirs = rl_ui_test_store_create_marker (f->sb, 0.6, 0.6, "Use the brand red");
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) their_rows = NULL;
  RlCommentRow *reply;
  GtkTextView *editor;
  RlThreadRow *row;

  add_comment (f->sa, mine, "Typo: lfet");
  add_comment (f->sb, mine, "Agreed");
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (100);
  row = rl_ui_test_panel_row (f->panel, mine);
  rows = comment_rows (row);
  g_assert_cmpuint (rows->len, ==, 3);

  /* Own comments have edit and delete; the first one only edit; Bob's none. */
  reply = g_ptr_array_index (rows, 1);
  g_assert_true (gtk_widget_get_visible (rl_ui_test_find_action (GTK_WIDGET (reply), "comment.edit")));
  g_assert_true (gtk_widget_get_visible (rl_ui_test_find_action (GTK_WIDGET (reply), "comment.delete")));
  g_assert_true (gtk_widget_get_visible (rl_ui_test_find_action (g_ptr_array_index (rows, 0), "comment.edit")));
  g_assert_false (gtk_widget_get_visible (rl_ui_test_find_action (g_ptr_array_index (rows, 0), "comment.delete")));
  g_assert_false (gtk_widget_get_visible (rl_ui_test_find_action (g_ptr_array_index (rows, 2), "comment.edit")));
  g_assert_false (gtk_widget_get_visible (rl_ui_test_find_action (g_ptr_array_index (rows, 2), "comment.delete")));
  /* Only the own thread can be deleted. */
  g_assert_true (gtk_widget_get_visible (rl_ui_test_find_action (GTK_WIDGET (row), "thread.delete")));
  g_assert_false (gtk_widget_get_visible (rl_ui_test_find_action (GTK_WIDGET (rl_ui_test_panel_row (f->panel, theirs)),
                                                                  "thread.delete")));

  /* Edit in place: the edit button, then Ctrl+Enter saves. */
  g_signal_emit_by_name (rl_ui_test_find_action (GTK_WIDGET (reply), "comment.edit"), "clicked");
  rl_ui_test_run (50);
  g_assert_true (rl_comment_row_is_editing (reply));
  editor = GTK_TEXT_VIEW (rl_ui_test_find_type (GTK_WIDGET (reply), GTK_TYPE_TEXT_VIEW));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (editor)));
  {
    g_autofree char *text = rl_ui_test_text_view_text (editor);

    g_assert_cmpstr (text, ==, "Typo: lfet");
  }
  type_text (editor, "Typo: left");
  g_assert_true (press (f, GDK_KEY_Return, GDK_CONTROL_MASK));
  g_assert_false (rl_comment_row_is_editing (reply));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  {
    g_autoptr(RlThread) thread = server_thread (f, mine);
    RlComment *edited = g_ptr_array_index (thread->comments, 1);

    g_assert_cmpstr (edited->body, ==, "Typo: left");
    g_assert_cmpint (edited->edited_at, >, 0);
  }
  g_assert_cmpstr (comment_body (reply), ==, "Typo: left");
  g_assert_true (gtk_widget_get_visible (rl_ui_test_find_class (GTK_WIDGET (reply), "dim-label")));
  {
    /* The "(edited)" mark is the second dim label (after the time). */
    g_autoptr(GPtrArray) dims = rl_ui_test_find_all (GTK_WIDGET (reply), rl_ui_test_has_css_class, "dim-label");
    g_assert_cmpuint (dims->len, ==, 2);
    g_assert_cmpstr (gtk_label_get_text (g_ptr_array_index (dims, 1)), ==, "(edited)");
    g_assert_true (gtk_widget_get_visible (g_ptr_array_index (dims, 1)));
  }

  /* Escape cancels an edit and sends nothing. */
  g_signal_emit_by_name (rl_ui_test_find_action (GTK_WIDGET (reply), "comment.edit"), "clicked");
  type_text (editor, "never sent");
  g_assert_true (press (f, GDK_KEY_Escape, 0));
  g_assert_false (rl_comment_row_is_editing (reply));
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (f->sa), ==, 0);

  /* Delete on Bob's comment does nothing: no dialog, nothing sent. */
  g_assert_true (gtk_widget_grab_focus (g_ptr_array_index (rows, 2)));
  g_assert_true (press (f, GDK_KEY_Delete, 0));
  rl_ui_test_run (50);
  g_assert_null (rl_ui_test_message_dialog ());

  /* Delete on the own first comment offers to delete the thread instead. */
  g_assert_true (gtk_widget_grab_focus (g_ptr_array_index (rows, 0)));
  g_assert_true (press (f, GDK_KEY_Delete, 0));
  rl_ui_test_run (50);
  g_assert_nonnull (rl_ui_test_message_dialog ());
  {
    g_autofree char *heading = own_number (row) > 0 ? g_strdup_printf ("Delete Thread %u?", own_number (row))
                                                    : g_strdup ("Delete Thread?");

    g_assert_cmpstr (adw_message_dialog_get_heading (rl_ui_test_message_dialog ()), ==, heading);
  }
  answer_dialog ("cancel");
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (f->sa), ==, 0);

  /* Delete on the focused own comment asks, then deletes. */
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (reply)));
  g_assert_true (press (f, GDK_KEY_Delete, 0));
  answer_dialog ("delete");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  g_assert_true (server_has_n_comments (f, mine, 2));
  g_assert_true (panel_has_n_comments (f, mine, 2));

  /* Resolve and reopen with the button. */
  g_signal_emit_by_name (rl_ui_test_find_action (GTK_WIDGET (row), "thread.toggle-resolved"), "clicked");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  {
    g_autoptr(RlThread) thread = server_thread (f, mine);

    g_assert_true (thread->resolved);
  }
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "resolved"));
  g_signal_emit_by_name (rl_ui_test_find_action (GTK_WIDGET (row), "thread.toggle-resolved"), "clicked");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  {
    g_autoptr(RlThread) thread = server_thread (f, mine);

    g_assert_false (thread->resolved);
  }
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "resolved"));

  /* Delete the thread: Cancel keeps it, Delete deletes it. */
  g_signal_emit_by_name (rl_ui_test_find_action (GTK_WIDGET (row), "thread.delete"), "clicked");
  answer_dialog ("cancel");
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (f->sa), ==, 0);
  g_assert_nonnull (rl_ui_test_panel_row (f->panel, mine));
  g_signal_emit_by_name (rl_ui_test_find_action (GTK_WIDGET (row), "thread.delete"), "clicked");
  answer_dialog ("delete");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  {
    g_autoptr(RlThread) gone = server_thread (f, mine);
    g_autoptr(RlThread) kept = server_thread (f, theirs);

    g_assert_null (gone);
    g_assert_nonnull (kept);
  }
  g_assert_null (rl_ui_test_panel_row (f->panel, mine));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 1);
  their_rows = comment_rows (rl_ui_test_panel_row (f->panel, theirs));
  g_assert_cmpuint (their_rows->len, ==, 1);
}

static void
test_teammate_reply_appears (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sa, 0.3, 0.7, "Headline too long");
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *t2 = NULL;
  GtkTextView *view;

  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (50);
  view = rl_ui_test_row_reply_view (rl_ui_test_panel_row_at (f->panel, 0));
  /* Ada is typing a reply when Bob's arrives: her text stays. */
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), t1);
  gtk_widget_grab_focus (GTK_WIDGET (view));
  type_text (view, "half-typed");

  add_comment (f->sb, t1, "Shortened it");
  g_assert_true (RL_UI_WAIT_UNTIL (panel_has_n_comments (f, t1, 2), 5000));
  rows = comment_rows (rl_ui_test_panel_row_at (f->panel, 0));
  g_assert_cmpstr (comment_body (g_ptr_array_index (rows, 1)), ==, "Shortened it");
  /* A teammate's comment is highlighted for a moment. */
  g_assert_true (gtk_widget_has_css_class (g_ptr_array_index (rows, 1), "rl-flash"));
  g_assert_false (gtk_widget_has_css_class (g_ptr_array_index (rows, 0), "rl-flash"));
  {
    g_autofree char *text = rl_ui_test_text_view_text (view);

    g_assert_cmpstr (text, ==, "half-typed");
  }
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));

  /* A teammate's new thread appears (highlighted) and keeps the rows. */
  t2 = rl_ui_test_store_create_marker (f->sb, 0.8, 0.2, "New marker from Bob");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (f->panel) == 2, 5000));
  g_assert_cmpstr (rl_thread_row_get_thread_id (rl_ui_test_panel_row_at (f->panel, 1)), ==, t2);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (rl_ui_test_panel_row_at (f->panel, 1)), "rl-flash"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (rl_ui_test_panel_row_at (f->panel, 0)), "rl-flash"));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  rl_ui_test_run (RL_FLASH_MS + 200);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (rl_ui_test_panel_row_at (f->panel, 1)), "rl-flash"));

  /* Own reply: shown once, its echo adds nothing. */
  type_text (view, "Thanks!");
  g_assert_true (press (f, GDK_KEY_Return, GDK_CONTROL_MASK));
  g_assert_true (panel_has_n_comments (f, t1, 3));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  rl_ui_test_run (300);
  g_assert_true (panel_has_n_comments (f, t1, 3));
  g_assert_true (server_has_n_comments (f, t1, 3));
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = comment_rows (rl_ui_test_panel_row_at (f->panel, 0));
  g_assert_false (gtk_widget_has_css_class (g_ptr_array_index (rows, 2), "rl-flash"));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  (*(guint *) data)++;
}

/* The list's height and scroll stay as they are for 200 ms. */
static void
wait_layout_settled (GtkAdjustment *adjustment)
{
  double upper = -1, value = -1;
  guint still = 0;

  for (guint i = 0; i < 250 && still < 10; i++)
    {
      rl_ui_test_run (20);
      still = gtk_adjustment_get_upper (adjustment) == upper && gtk_adjustment_get_value (adjustment) == value
              ? still + 1 : 0;
      upper = gtk_adjustment_get_upper (adjustment);
      value = gtk_adjustment_get_value (adjustment);
    }
  g_assert_cmpuint (still, >=, 10);
}

static void
test_selection_both_ways (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GtkListBox *list;
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;
  guint notified = 0;
  RlThreadRow *last, *sixth;

  for (guint i = 0; i < 14; i++)
    {
      g_autofree char *body = g_strdup_printf ("Marker %u with a longer text so that rows take some room", i + 1);

      g_ptr_array_add (ids, rl_ui_test_store_create_marker (f->sb, 0.05 * i, 0.5, body));
    }
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (f->sa) == 14, 5000));
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  g_signal_connect (rl_thread_panel_get_state (f->panel), "notify::selected-thread", G_CALLBACK (count_notify),
                    &notified);
  list = rl_ui_test_panel_list (f->panel);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (list),
                                                                                                  GTK_TYPE_SCROLLED_WINDOW)));
  /* Laid out (a loaded machine takes longer than a few frames). */
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment),
                                   5000));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);

  /* The window's activation focuses the first row, and the viewport keeps
   * a focused row in view: that happens first, then focus goes elsewhere,
   * as when a pin is clicked. */
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_window_is_active (f->window), 5000));
  gtk_window_set_focus (f->window, NULL);
  /* Settled: the focused row's scroll and the rows' wrapping are done (a
   * loaded machine takes longer than a few frames for them). */
  wait_layout_settled (adjustment);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);

  /* Property → list: selected and scrolled into view. */
  g_object_set (rl_thread_panel_get_state (f->panel), "selected-thread", g_ptr_array_index (ids, 13), NULL);
  g_assert_cmpuint (notified, ==, 1);
  last = rl_ui_test_panel_row (f->panel, g_ptr_array_index (ids, 13));
  g_assert_true (gtk_list_box_get_selected_row (list) == GTK_LIST_BOX_ROW (last));
  /* The scroll follows the next layout; on a loaded machine that can take
   * longer than a few frames. */
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_adjustment_get_value (adjustment) > 0, 5000));
  wait_layout_settled (adjustment);
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (last), GTK_WIDGET (list), &bounds));
  g_assert_cmpfloat (bounds.origin.y, >=, gtk_adjustment_get_value (adjustment) - 1);
  g_assert_cmpfloat (bounds.origin.y, <=,
                     gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment));

  /* List → property: a click selects the row. */
  gtk_list_box_select_row (list, GTK_LIST_BOX_ROW (rl_ui_test_panel_row (f->panel, g_ptr_array_index (ids, 2))));
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, g_ptr_array_index (ids, 2));
  /* Focus moving into a thread selects it too (keyboard users). */
  sixth = rl_ui_test_panel_row (f->panel, g_ptr_array_index (ids, 5));
  g_assert_true (gtk_widget_grab_focus (rl_ui_test_find_action (GTK_WIDGET (sixth), "thread.toggle-resolved")));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, g_ptr_array_index (ids, 5));

  /* Unknown id: nothing selected. A teammate deleting the selected thread
   * leaves it where it is, saying so, until the selection moves. */
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), "no-such-thread");
  g_assert_null (gtk_list_box_get_selected_row (list));
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), g_ptr_array_index (ids, 7));
  g_assert_true (rl_doc_store_delete_thread (f->sb, g_ptr_array_index (ids, 7), NULL));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_thread_row_get_deleted (rl_ui_test_panel_row (f->panel, g_ptr_array_index (ids, 7))),
                                   5000));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 14);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, g_ptr_array_index (ids, 7));
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), NULL);
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 13);
  g_assert_null (rl_ui_test_panel_row (f->panel, g_ptr_array_index (ids, 7)));

  /* One selected, one resolved, one edited: the screenshot. Focus goes
   * elsewhere, as when a pin is clicked (the viewport keeps the focused
   * row in view otherwise). */
  gtk_window_set_focus (f->window, NULL);
  rl_ui_test_run (500);
  g_assert_true (rl_doc_store_resolve_thread (f->sb, g_ptr_array_index (ids, 1), TRUE, NULL));
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), g_ptr_array_index (ids, 0));
  {
    g_autofree char *reply = rl_ui_test_store_create_marker (f->sa, 0.9, 0.9, "Please check the spacing");
    g_autoptr(RlThreadItem) item = NULL;
    const RlComment *first;
    GListModel *threads = rl_doc_store_get_threads (f->sa);

    add_comment (f->sb, g_ptr_array_index (ids, 0), "Spacing is 8 px everywhere now");
    item = g_list_model_get_item (threads, 0);
    first = g_ptr_array_index (rl_thread_item_get_thread (item)->comments, 0);
    g_assert_true (rl_doc_store_edit_comment (f->sb, g_ptr_array_index (ids, 0), first->id,
                                              "Marker 1: the header spacing is uneven", NULL));
    g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sb), 5000));
  }
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_seq (f->sa) == rl_doc_store_get_seq (f->sb), 5000));
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), NULL);
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), g_ptr_array_index (ids, 0));

  /* The highlight of Bob's reply fades out first (a CSS transition). */
  rl_ui_test_run (RL_FLASH_MS + 2000);
  /* Scrolled back up to it. */
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
  g_free (rl_ui_test_screenshot (GTK_WIDGET (f->panel), "thread-panel"));
}

static void
test_hide_resolved (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sa, 0.1, 0.2, "One");
  g_autofree char *t2 = rl_ui_test_store_create_marker (f->sa, 0.3, 0.4, "Two");
  g_autofree char *t3 = rl_ui_test_store_create_marker (f->sa, 0.5, 0.6, "Three");
  GtkWidget *stack;

  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (50);
  g_assert_true (rl_doc_store_resolve_thread (f->sa, t2, TRUE, NULL));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 3);

  g_object_set (rl_thread_panel_get_state (f->panel), "hide-resolved", TRUE, NULL);
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 2);
  g_assert_null (rl_ui_test_panel_row (f->panel, t2));
  /* Numbers stay the threads' own. */
  {
    g_autofree char *number = expected_badge (rl_ui_test_panel_row (f->panel, t3));

    g_assert_cmpstr (rl_ui_test_row_badge (rl_ui_test_panel_row (f->panel, t3)), ==, number);
  }

  /* Reopened by a teammate: it comes back in its place. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_seq (f->sb) == rl_doc_store_get_seq (f->sa), 5000));
  g_assert_true (rl_doc_store_resolve_thread (f->sb, t2, FALSE, NULL));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (f->panel) == 3, 5000));
  g_assert_cmpstr (rl_thread_row_get_thread_id (rl_ui_test_panel_row_at (f->panel, 1)), ==, t2);

  /* Every thread resolved and hidden: the empty state says so. (None is
   * the one Ada is in, which would stay until she leaves it:
   * test-panel-input.) */
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), NULL);
  g_assert_true (rl_doc_store_resolve_thread (f->sa, t1, TRUE, NULL));
  g_assert_true (rl_doc_store_resolve_thread (f->sa, t2, TRUE, NULL));
  g_assert_true (rl_doc_store_resolve_thread (f->sa, t3, TRUE, NULL));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 0);
  stack = rl_ui_test_find_type (GTK_WIDGET (f->panel), GTK_TYPE_STACK);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (gtk_stack_get_visible_child (GTK_STACK (stack)))),
                   ==, "No open threads");
  g_object_set (rl_thread_panel_get_state (f->panel), "hide-resolved", FALSE, NULL);
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 3);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "list");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
}

/* A delete the server refuses brings the thread back as a new item: the
 * panel still follows it (resolved by a teammate, the filter hides it). */
static void
test_refused_delete_followed (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sb, 0.4, 0.4, "Bob's own");

  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_seq (f->sa) == rl_doc_store_get_seq (f->sb), 5000));
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  g_object_set (rl_thread_panel_get_state (f->panel), "hide-resolved", TRUE, NULL);
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 1);
  /* Not the thread Ada is in (that one would stay, saying it was deleted:
   * test-panel-input). */
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), NULL);

  /* Ada may not delete Bob's thread: gone at once, back once refused. */
  g_assert_true (rl_doc_store_delete_thread (f->sa, t1, NULL));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (f->panel) == 1, 5000));

  /* Bob resolves it: hidden in Ada's panel. */
  g_assert_true (rl_doc_store_resolve_thread (f->sb, t1, TRUE, NULL));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (f->panel) == 0, 5000));
}

/* The thread Ada is typing in is deleted, then back (the delete was
 * refused): her text and the focus go on in its new row, the kept one goes. */
static void
test_refused_delete_keeps_draft (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sb, 0.4, 0.4, "Bob's own");
  g_autofree char *typed = NULL;
  RlThreadRow *kept, *back;
  GtkTextView *view;

  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_seq (f->sa) == rl_doc_store_get_seq (f->sb), 5000));
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), t1);
  kept = rl_ui_test_panel_row (f->panel, t1);
  view = rl_ui_test_row_reply_view (kept);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (view)));
  type_text (view, "half-typed");

  g_assert_true (rl_doc_store_delete_thread (f->sa, t1, NULL));
  g_assert_true (rl_thread_row_get_deleted (kept));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_row (f->panel, t1) != kept, 5000));
  g_assert_cmpuint (rl_ui_test_panel_n_rows (f->panel), ==, 1);
  back = rl_ui_test_panel_row (f->panel, t1);
  g_assert_false (rl_thread_row_get_deleted (back));
  view = rl_ui_test_row_reply_view (back);
  typed = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (typed, ==, "half-typed");
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, t1);
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  GtkWidget *stack;

  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (100);
  stack = rl_ui_test_find_type (GTK_WIDGET (f->panel), GTK_TYPE_STACK);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (gtk_stack_get_visible_child (GTK_STACK (stack)))),
                   ==, "No comments yet");
  g_free (rl_ui_test_screenshot (GTK_WIDGET (f->panel), "thread-panel-empty"));

  /* The first marker replaces the empty state. */
  g_free (rl_ui_test_store_create_marker (f->sb, 0.5, 0.5, "First!"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (f->panel) == 1, 5000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "list");
}

static void
test_keyboard (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sa, 0.1, 0.2, "Keyboard one");
  g_autofree char *t2 = rl_ui_test_store_create_marker (f->sa, 0.3, 0.4, "Keyboard two");
  RlThreadRow *row1;
  GtkWidget *resolve;
  GtkWidget *focus;
  gboolean reached = FALSE;
  g_autoptr(GPtrArray) rows = NULL;

  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (100);
  row1 = rl_ui_test_panel_row (f->panel, t1);
  resolve = rl_ui_test_find_action (GTK_WIDGET (row1), "thread.toggle-resolved");

  /* Tab into the panel lands in the first thread, which is selected. */
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_TAB_FORWARD));
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_true (focus == GTK_WIDGET (row1) || gtk_widget_is_ancestor (focus, GTK_WIDGET (row1)));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, t1);

  /* Tab reaches the resolve button; Return activates it. */
  for (guint i = 0; i < 10 && !reached; i++)
    {
      reached = gtk_root_get_focus (GTK_ROOT (f->window)) == resolve;
      if (!reached)
        g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_TAB_FORWARD));
    }
  g_assert_true (reached);
  g_assert_true (press (f, GDK_KEY_Return, 0));
  rl_ui_test_run (400);   /* a key-activated button clicks after its 250 ms flash */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  {
    g_autoptr(RlThread) thread = server_thread (f, t1);

    g_assert_true (thread->resolved);
  }
  /* Space on it reopens. */
  g_assert_true (press (f, GDK_KEY_space, 0));
  rl_ui_test_run (400);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  {
    g_autoptr(RlThread) thread = server_thread (f, t1);

    g_assert_false (thread->resolved);
  }

  /* Ctrl+R focuses the reply box; Ctrl+Enter sends. */
  g_assert_true (press (f, GDK_KEY_r, GDK_CONTROL_MASK));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) == GTK_WIDGET (rl_ui_test_row_reply_view (row1)));
  type_text (rl_ui_test_row_reply_view (row1), "Typed with the keyboard");
  g_assert_true (press (f, GDK_KEY_Return, GDK_CONTROL_MASK));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  g_assert_true (server_has_n_comments (f, t1, 2));

  /* Tab goes on through the comments (own: focusable, Delete asks). */
  rows = comment_rows (row1);
  g_assert_cmpuint (rows->len, ==, 2);
  reached = FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (row1));
  for (guint i = 0; i < 10 && !reached; i++)
    {
      g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_TAB_FORWARD));
      reached = gtk_root_get_focus (GTK_ROOT (f->window)) == g_ptr_array_index (rows, 1);
    }
  g_assert_true (reached);
  /* As after a key press: the focus ring shows. */
  gtk_window_set_focus_visible (f->window, TRUE);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->panel), "thread-panel-keyboard", 300);
  g_assert_true (press (f, GDK_KEY_Delete, 0));
  answer_dialog ("delete");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  g_assert_true (server_has_n_comments (f, t1, 1));

  /* Tab leaves the first thread for the second. */
  reached = FALSE;
  for (guint i = 0; i < 12 && !reached; i++)
    {
      GtkWidget *now, *row2;

      if (!gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_TAB_FORWARD))
        break;
      now = gtk_root_get_focus (GTK_ROOT (f->window));
      row2 = GTK_WIDGET (rl_ui_test_panel_row (f->panel, t2));
      reached = now && (now == row2 || gtk_widget_is_ancestor (now, row2));
    }
  g_assert_true (reached);
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, t2);
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sa, 0.1, 0.2, "Offline test");
  const char *reason;
  RlThreadRow *row;
  GtkTextView *view;
  GtkWidget *send, *resolve, *delete_thread, *edit, *error;
  g_autoptr(GPtrArray) rows = NULL;

  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (50);
  row = rl_ui_test_panel_row_at (f->panel, 0);
  view = rl_ui_test_row_reply_view (row);
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), t1);

  rl_review_state_set_connection (rl_thread_panel_get_state (f->panel), f->conn_a);
  rl_test_server_stop (f->world.server);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_connection_get_state (f->conn_a) != RL_CONNECTION_ONLINE, 5000));
  /* The state says why, from the connection. */
  reason = rl_review_state_get_cannot_create_reason (rl_thread_panel_get_state (f->panel));
  g_assert_nonnull (reason);

  send = rl_ui_test_row_send_button (row);
  resolve = rl_ui_test_find_action (GTK_WIDGET (row), "thread.toggle-resolved");
  delete_thread = rl_ui_test_find_action (GTK_WIDGET (row), "thread.delete");
  rows = comment_rows (row);
  edit = rl_ui_test_find_action (g_ptr_array_index (rows, 0), "comment.edit");
  type_text (view, "Written on the train");
  for (GtkWidget **w = (GtkWidget *[]) { send, resolve, delete_thread, edit, NULL }; *w; w++)
    {
      g_assert_false (gtk_widget_is_sensitive (*w));
      g_assert_cmpstr (gtk_widget_get_tooltip_text (*w), ==, reason);
    }

  /* Ctrl+Enter anyway: refused at once, the text stays and why shows. */
  gtk_widget_grab_focus (GTK_WIDGET (view));
  g_assert_true (press (f, GDK_KEY_Return, GDK_CONTROL_MASK));
  {
    g_autofree char *text = rl_ui_test_text_view_text (view);

    g_assert_cmpstr (text, ==, "Written on the train");
  }
  {
    /* The thread's own error label, not one of a comment. */
    g_autoptr(GPtrArray) errors = rl_ui_test_find_all (GTK_WIDGET (row), rl_ui_test_has_css_class, "error");
    error = NULL;
    for (guint i = 0; i < errors->len; i++)
      if (!gtk_widget_get_ancestor (g_ptr_array_index (errors, i), RL_TYPE_COMMENT_ROW))
        error = g_ptr_array_index (errors, i);
    g_assert_nonnull (error);
  }
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error)), "offline"));
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (f->sa), ==, 0);

  /* Back online: the same text goes with one press. */
  rl_test_server_start (f->world.server);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_connection_get_state (f->conn_a) == RL_CONNECTION_ONLINE, 10000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  g_assert_true (gtk_widget_is_sensitive (send));
  g_signal_emit_by_name (send, "clicked");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
  g_assert_true (server_has_n_comments (f, t1, 2));
  g_assert_false (gtk_widget_get_visible (error));
}

static void
test_restore_reply (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sa, 0.1, 0.2, "First");
  g_autofree char *t2 = rl_ui_test_store_create_marker (f->sa, 0.3, 0.2, "Second");
  GtkTextView *view;
  g_autofree char *text = NULL;

  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (50);
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), t1);
  rl_thread_panel_restore_reply (f->panel, t2, "the reply that failed", NULL);
  view = rl_ui_test_row_reply_view (rl_ui_test_panel_row (f->panel, t2));
  text = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (text, ==, "the reply that failed");
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, t2);
  rl_ui_test_run (300);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
}

static void
assert_label (GtkWidget  *widget,
              const char *expected)
{
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, expected);
}

/* The name with the thread's number, or the one without while it has none. */
#define assert_named(widget, with_number, without, number) \
  G_STMT_START { \
    g_autofree char *expected_ = (number) > 0 ? g_strdup_printf (with_number, (number)) : g_strdup (without); \
    assert_label ((widget), expected_); \
  } G_STMT_END

static void
test_accessible_names (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sb, 0.1, 0.2, "Bob's marker");
  g_autofree char *t2 = rl_ui_test_store_create_marker (f->sa, 0.3, 0.2, "Ada's marker");
  g_autoptr(GPtrArray) rows = NULL;
  RlThreadRow *row;
  guint n;

  add_comment (f->sa, t2, "Ada's reply");
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (50);
  row = rl_ui_test_panel_row (f->panel, t2);
  n = own_number (row);
  assert_named (GTK_WIDGET (row), "Thread %u by Ada", "Thread by Ada", n);
  assert_named (rl_ui_test_find_action (GTK_WIDGET (row), "thread.toggle-resolved"), "Resolve thread %u",
                "Resolve this thread", n);
  assert_named (rl_ui_test_find_action (GTK_WIDGET (row), "thread.delete"), "Delete thread %u", "Delete this thread",
                n);
  assert_named (rl_ui_test_row_send_button (row), "Reply to thread %u", "Reply to this thread", n);
  assert_named (GTK_WIDGET (rl_ui_test_row_reply_view (row)), "Reply text for thread %u",
                "Reply text for this thread", n);
  rows = comment_rows (row);
  assert_label (g_ptr_array_index (rows, 1), "Ada: Ada's reply");
  assert_label (rl_ui_test_find_action (g_ptr_array_index (rows, 1), "comment.edit"), "Edit comment by Ada");
  assert_label (rl_ui_test_find_action (g_ptr_array_index (rows, 1), "comment.delete"), "Delete comment by Ada");

  /* Names follow the state; the number is the thread's own, kept when an
   * earlier thread goes. */
  g_assert_true (rl_doc_store_resolve_thread (f->sa, t2, TRUE, NULL));
  assert_named (rl_ui_test_find_action (GTK_WIDGET (row), "thread.toggle-resolved"), "Reopen thread %u",
                "Reopen this thread", n);
  assert_named (GTK_WIDGET (row), "Thread %u by Ada, resolved", "Thread by Ada, resolved", n);
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), NULL);
  g_assert_true (rl_doc_store_delete_thread (f->sb, t1, NULL));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (f->panel) == 1, 5000));
  assert_named (rl_ui_test_find_action (GTK_WIDGET (row), "thread.toggle-resolved"), "Reopen thread %u",
                "Reopen this thread", n);
  assert_named (rl_ui_test_row_send_button (row), "Reply to thread %u", "Reply to this thread", n);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (f->sa), 5000));
}

/* An admin may edit and delete anyone's comments and threads (PROTOCOL.md §1). */
static void
test_admin (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *ann = rl_test_add_user (f->world.server, "acme", "Ann", "admin");
  g_autoptr(RlConnection) conn = rl_ui_test_connect (f->world.server, ann);
  g_autoptr(RlDocStore) store = rl_ui_test_open_store (conn, f->world.image, RL_DOC_KIND_IMAGE);
  g_autofree char *t1 = rl_ui_test_store_create_marker (f->sb, 0.1, 0.2, "Bob's marker");
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *user_id = NULL;
  gboolean admin = FALSE;
  RlThreadRow *row;

  add_comment (f->sb, t1, "Bob's reply");
  g_assert_true (RL_UI_WAIT_UNTIL (store_has_n_comments (store, t1, 2), 5000));
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), store, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (50);
  g_object_get (f->panel, "user-id", &user_id, "user-is-admin", &admin, NULL);
  g_assert_cmpstr (user_id, ==, rl_connection_get_welcome (conn)->user.id);
  g_assert_true (admin);

  row = rl_ui_test_panel_row (f->panel, t1);
  rows = comment_rows (row);
  g_assert_true (gtk_widget_get_visible (rl_ui_test_find_action (g_ptr_array_index (rows, 1), "comment.edit")));
  g_assert_true (gtk_widget_get_visible (rl_ui_test_find_action (g_ptr_array_index (rows, 1), "comment.delete")));
  g_assert_true (gtk_widget_get_visible (rl_ui_test_find_action (GTK_WIDGET (row), "thread.delete")));
  g_signal_emit_by_name (rl_ui_test_find_action (g_ptr_array_index (rows, 1), "comment.delete"), "clicked");
  answer_dialog ("delete");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (store), 5000));
  g_assert_true (server_has_n_comments (f, t1, 1));

  /* Ada (a member) sees none of that on Bob's thread. */
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), f->sa, RL_DOC_KIND_IMAGE);
  g_assert_true (RL_UI_WAIT_UNTIL (store_has_n_comments (f->sa, t1, 1), 5000));
  rl_ui_test_run (50);
  g_clear_pointer (&user_id, g_free);
  g_object_get (f->panel, "user-id", &user_id, "user-is-admin", &admin, NULL);
  g_assert_cmpstr (user_id, ==, rl_connection_get_welcome (f->conn_a)->user.id);
  g_assert_false (admin);
  row = rl_ui_test_panel_row (f->panel, t1);
  g_assert_false (gtk_widget_get_visible (rl_ui_test_find_action (GTK_WIDGET (row), "thread.delete")));
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = comment_rows (row);
  g_assert_false (gtk_widget_get_visible (rl_ui_test_find_action (g_ptr_array_index (rows, 0), "comment.edit")));
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), NULL, RL_DOC_KIND_IMAGE);
  rl_connection_stop (conn);
}

/* ---- banner ------------------------------------------------------------------ */

static void
count_clicks (RlBanner *banner,
              gpointer  data)
{
  (*(guint *) data)++;
}

static GtkWidget *
banner_button (RlBanner *banner)
{
  return rl_ui_test_find_type (GTK_WIDGET (banner), GTK_TYPE_BUTTON);
}

static GtkRevealer *
banner_revealer (RlBanner *banner)
{
  return GTK_REVEALER (rl_ui_test_find_type (GTK_WIDGET (banner), GTK_TYPE_REVEALER));
}

static void
test_banner (void)
{
  GtkWindow *window;
  GtkWidget *box;
  RlBanner *banner;
  guint clicks = 0;
  GtkWidget *button;
  GtkWidget *label;

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 640, 160);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  banner = RL_BANNER (rl_banner_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (banner));
  gtk_box_append (GTK_BOX (box), gtk_label_new ("Content"));
  gtk_window_set_child (window, box);
  g_signal_connect (banner, "button-clicked", G_CALLBACK (count_clicks), &clicks);
  gtk_window_present (window);
  rl_ui_test_run (100);

  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (banner), "banner"));
  g_assert_false (rl_banner_get_revealed (banner));
  g_assert_false (gtk_revealer_get_child_revealed (banner_revealer (banner)));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (banner)), ==, 0);

  g_object_set (banner,
                "title", "Connection lost. Reconnecting in 5 s…",
                "button-label", "Retry now",
                "revealed", TRUE,
                NULL);
  /* Slid in (longer than its transition on a loaded machine). */
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_revealer_get_child_revealed (banner_revealer (banner)) &&
                                   gtk_widget_get_height (GTK_WIDGET (banner)) > 20, 5000));
  g_assert_true (gtk_revealer_get_child_revealed (banner_revealer (banner)));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (banner)), >, 20);
  label = rl_ui_test_find_type (GTK_WIDGET (banner), GTK_TYPE_LABEL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "Connection lost. Reconnecting in 5 s…");
  button = banner_button (banner);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Retry now");
  g_free (rl_ui_test_screenshot (box, "banner"));

  /* The button, by click and by keyboard. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (clicks, ==, 1);
  g_assert_true (gtk_widget_grab_focus (button));
  gtk_widget_activate (button);
  /* A key-activated button clicks after its 250 ms flash. */
  g_assert_true (RL_UI_WAIT_UNTIL (clicks == 2, 5000));
  g_assert_cmpuint (clicks, ==, 2);

  /* No label, no button. */
  rl_banner_set_button_label (banner, NULL);
  g_assert_false (gtk_widget_get_visible (button));
  rl_banner_set_button_label (banner, "Sign in again");
  g_assert_true (gtk_widget_get_visible (button));
  rl_banner_set_button_label (banner, "");
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_cmpstr (rl_banner_get_title (banner), ==, "Connection lost. Reconnecting in 5 s…");

  rl_banner_set_revealed (banner, FALSE);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_revealer_get_child_revealed (banner_revealer (banner)) &&
                                   gtk_widget_get_height (GTK_WIDGET (banner)) == 0, 5000));
  g_assert_false (gtk_revealer_get_child_revealed (banner_revealer (banner)));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (banner)), ==, 0);
  g_assert_cmpuint (clicks, ==, 2);
  gtk_window_destroy (window);
}

/* ---- pages: text order, quoted text, orphans ------------------------------- */

/* Stands in for the page view: a thread is where its anchor says, unless
 * the test has made it an orphan. */
typedef struct
{
  GHashTable *orphans;
  guint       calls;
  gboolean    destroyed;
} FakePositions;

static gboolean
fake_position (const RlThread *thread,
               guint          *start,
               guint          *end,
               gpointer        data)
{
  FakePositions *fake = data;

  fake->calls++;
  if (g_hash_table_contains (fake->orphans, thread->id))
    return FALSE;
  *start = (guint) thread->anchor.start;
  *end = (guint) thread->anchor.end;
  return TRUE;
}

static void
fake_destroyed (gpointer data)
{
  ((FakePositions *) data)->destroyed = TRUE;
}

/* An annotation on the first occurrence of exact, as the page view makes it. */
static char *
annotate (RlDocStore *store,
          RlPageText *text,
          const char *exact,
          const char *body)
{
  guint end, start = rl_ui_test_page_find (text, exact, &end);

  return rl_ui_test_store_create_annotation (store, text, start, end, body);
}

static char *
ids_joined (const char *first,
            ...)
{
  g_autoptr(GString) out = g_string_new (first);
  va_list args;
  const char *id;

  va_start (args, first);
  while ((id = va_arg (args, const char *)))
    g_string_append_printf (out, " %s", id);
  va_end (args);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define assert_order(f, expected) \
  G_STMT_START { \
    g_autofree char *order_ = rl_ui_test_panel_order (f->panel); \
    g_assert_cmpstr (order_, ==, (expected)); \
  } G_STMT_END

/* Every row shows its thread's own number, whatever its place. */
static void
assert_badges (Fixture *f)
{
  for (guint i = 0; i < rl_ui_test_panel_n_rows (f->panel); i++)
    {
      g_autofree char *expected = expected_badge (rl_ui_test_panel_row_at (f->panel, i));

      g_assert_cmpstr (rl_ui_test_row_badge (rl_ui_test_panel_row_at (f->panel, i)), ==, expected);
    }
}

static void
test_page_text_order (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "data", "page.md", NULL);
  g_autoptr(RlPageText) text = rl_ui_test_page_from_file (path);
  g_autoptr(RlDocStore) sa = rl_doc_store_get (f->conn_a, f->world.page, RL_DOC_KIND_PAGE);
  g_autoptr(RlDocStore) sb = rl_doc_store_get (f->conn_b, f->world.page, RL_DOC_KIND_PAGE);
  FakePositions fake = { g_hash_table_new (g_str_hash, g_str_equal), 0, FALSE };
  g_autofree char *line = NULL;
  g_autofree char *hero = NULL;
  g_autofree char *title = NULL;
  g_autofree char *fit = NULL;
  g_autofree char *expected = NULL;
  RlThreadRow *hero_row;
  GtkWidget *header;
  g_autoptr(GError) error = NULL;

  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (sa), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (sb), 5000));
  /* Made out of text order. */
  line = annotate (sa, text, "one line", "Will it, on a phone?");
  hero = annotate (sa, text, "hero", "Which hero image?");
  title = annotate (sa, text, "Launch copy", "Working title");

  /* Without a position function: creation order, as for images. */
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), sa, RL_DOC_KIND_IMAGE);
  rl_ui_test_run (100);
  expected = ids_joined (line, hero, title, NULL);
  assert_order (f, expected);
  g_clear_pointer (&expected, g_free);

  /* With one: text order, each with its quote and its own number. */
  rl_review_state_set_position_func (rl_thread_panel_get_state (f->panel), fake_position, &fake, fake_destroyed);
  rl_ui_test_run (100);
  g_assert_cmpuint (fake.calls, >=, 3);
  expected = ids_joined (title, hero, line, NULL);
  assert_order (f, expected);
  g_clear_pointer (&expected, g_free);
  assert_badges (f);
  g_assert_cmpstr (rl_thread_row_get_quote (rl_ui_test_panel_row_at (f->panel, 0)), ==, "Launch copy");
  g_assert_cmpstr (rl_thread_row_get_quote (rl_ui_test_panel_row_at (f->panel, 1)), ==, "hero");
  g_assert_cmpstr (rl_thread_row_get_quote (rl_ui_test_panel_row_at (f->panel, 2)), ==, "one line");
  for (guint i = 0; i < 3; i++)
    {
      g_assert_null (gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (rl_ui_test_panel_row_at (f->panel, i))));
      g_assert_false (rl_thread_row_get_orphaned (rl_ui_test_panel_row_at (f->panel, i)));
    }

  /* A teammate's annotation lands in its place in the text. */
  fit = annotate (sb, text, "fit", "Fit at 1280 too?");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (sa) == 4, 5000));
  rl_ui_test_run (100);
  expected = ids_joined (title, hero, fit, line, NULL);
  assert_order (f, expected);
  g_clear_pointer (&expected, g_free);
  assert_badges (f);

  /* Its text is gone: listed last under "Orphaned", with why, the same row. */
  hero_row = rl_ui_test_panel_row (f->panel, hero);
  g_hash_table_add (fake.orphans, hero);
  rl_review_state_positions_changed (rl_thread_panel_get_state (f->panel));
  rl_ui_test_run (100);
  expected = ids_joined (title, fit, line, hero, NULL);
  assert_order (f, expected);
  g_clear_pointer (&expected, g_free);
  g_assert_true (rl_ui_test_panel_row (f->panel, hero) == hero_row);
  g_assert_true (rl_thread_panel_is_orphaned (f->panel, hero));
  g_assert_false (rl_thread_panel_is_orphaned (f->panel, fit));
  g_assert_true (rl_thread_row_get_orphaned (hero_row));
  g_assert_cmpstr (rl_thread_row_get_quote (hero_row), ==, "hero");
  header = gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (hero_row));
  g_assert_nonnull (header);
  g_assert_nonnull (rl_ui_test_find (header, rl_ui_test_is_label_saying, "Orphaned"));
  g_assert_nonnull (rl_ui_test_find (header, rl_ui_test_is_label_saying, "The text this was about has changed."));
  for (guint i = 0; i < 3; i++)
    g_assert_null (gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (rl_ui_test_panel_row_at (f->panel, i))));
  g_free (rl_ui_test_screenshot (GTK_WIDGET (f->panel), "thread-panel-page-orphaned"));

  /* Two orphans: one heading, oldest first. */
  g_hash_table_add (fake.orphans, title);
  rl_review_state_positions_changed (rl_thread_panel_get_state (f->panel));
  rl_ui_test_run (50);
  expected = ids_joined (fit, line, hero, title, NULL);
  assert_order (f, expected);
  g_clear_pointer (&expected, g_free);
  g_assert_nonnull (gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (rl_ui_test_panel_row_at (f->panel, 2))));
  g_assert_null (gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (rl_ui_test_panel_row_at (f->panel, 3))));

  /* Placed again: back in its place, no heading. */
  g_hash_table_remove_all (fake.orphans);
  rl_review_state_positions_changed (rl_thread_panel_get_state (f->panel));
  rl_ui_test_run (50);
  expected = ids_joined (title, hero, fit, line, NULL);
  assert_order (f, expected);
  g_clear_pointer (&expected, g_free);
  g_assert_false (rl_thread_row_get_orphaned (hero_row));
  for (guint i = 0; i < 4; i++)
    g_assert_null (gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (rl_ui_test_panel_row_at (f->panel, i))));

  /* The filter works on the sorted list. */
  g_assert_true (rl_doc_store_resolve_thread (sa, hero, TRUE, &error));
  g_assert_no_error (error);
  rl_review_state_set_hide_resolved (rl_thread_panel_get_state (f->panel), TRUE);
  rl_ui_test_run (100);
  expected = ids_joined (title, fit, line, NULL);
  assert_order (f, expected);
  g_clear_pointer (&expected, g_free);
  rl_review_state_set_hide_resolved (rl_thread_panel_get_state (f->panel), FALSE);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->panel), "thread-panel-page", 100);

  /* No function again: creation order; the old one's data is let go. */
  rl_review_state_set_position_func (rl_thread_panel_get_state (f->panel), NULL, NULL, NULL);
  rl_ui_test_run (50);
  g_assert_true (fake.destroyed);
  expected = ids_joined (line, hero, title, fit, NULL);
  assert_order (f, expected);
  g_clear_pointer (&expected, g_free);
  assert_badges (f);
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), NULL, RL_DOC_KIND_IMAGE);
  g_hash_table_unref (fake.orphans);
}

/* A row that moves (its text went: it goes under "Orphaned") is the same
 * row: the text typed in it, the focus and the selection stay. */
static void
test_moved_row_keeps_draft (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "data", "page.md", NULL);
  g_autoptr(RlPageText) text = rl_ui_test_page_from_file (path);
  g_autoptr(RlDocStore) sa = rl_doc_store_get (f->conn_a, f->world.page, RL_DOC_KIND_PAGE);
  FakePositions fake = { g_hash_table_new (g_str_hash, g_str_equal), 0, FALSE };
  g_autofree char *hero = NULL;
  g_autofree char *line = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *typed = NULL;
  RlThreadRow *row;
  GtkTextView *view;

  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_settled (sa), 5000));
  hero = annotate (sa, text, "hero", "Which hero image?");
  line = annotate (sa, text, "one line", "Will it, on a phone?");
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), sa, RL_DOC_KIND_PAGE);
  rl_review_state_set_position_func (rl_thread_panel_get_state (f->panel), fake_position, &fake, NULL);
  rl_ui_test_run (100);
  expected = ids_joined (hero, line, NULL);
  assert_order (f, expected);
  g_clear_pointer (&expected, g_free);

  row = rl_ui_test_panel_row (f->panel, hero);
  rl_review_state_set_selected_thread (rl_thread_panel_get_state (f->panel), hero);
  view = rl_ui_test_row_reply_view (row);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (view)));
  type_text (view, "half-typed");

  g_hash_table_add (fake.orphans, hero);
  rl_review_state_positions_changed (rl_thread_panel_get_state (f->panel));
  rl_ui_test_run (100);
  expected = ids_joined (line, hero, NULL);
  assert_order (f, expected);
  g_assert_true (rl_ui_test_panel_row (f->panel, hero) == row);
  typed = rl_ui_test_text_view_text (view);
  g_assert_cmpstr (typed, ==, "half-typed");
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  g_assert_cmpstr (rl_review_state_get_selected_thread (rl_thread_panel_get_state (f->panel)), ==, hero);
  g_assert_true (gtk_list_box_get_selected_row (rl_ui_test_panel_list (f->panel)) == GTK_LIST_BOX_ROW (row));
  rl_review_state_set_position_func (rl_thread_panel_get_state (f->panel), NULL, NULL, NULL);
  rl_review_state_set_store (rl_thread_panel_get_state (f->panel), NULL, RL_DOC_KIND_IMAGE);
  g_hash_table_unref (fake.orphans);
}

int
main (int    argc,
      char **argv)
{
  /* GTK's test accessibility backend keeps the names where tests can read them. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/thread-panel/lists-threads", Fixture, NULL, fixture_setup, test_lists_threads, fixture_teardown);
  g_test_add ("/thread-panel/reply", Fixture, NULL, fixture_setup, test_reply_reaches_server, fixture_teardown);
  g_test_add ("/thread-panel/edit-delete-resolve", Fixture, NULL, fixture_setup, test_edit_delete_resolve,
              fixture_teardown);
  g_test_add ("/thread-panel/teammate-reply", Fixture, NULL, fixture_setup, test_teammate_reply_appears,
              fixture_teardown);
  g_test_add ("/thread-panel/selection", Fixture, NULL, fixture_setup, test_selection_both_ways, fixture_teardown);
  g_test_add ("/thread-panel/hide-resolved", Fixture, NULL, fixture_setup, test_hide_resolved, fixture_teardown);
  g_test_add ("/thread-panel/refused-delete-followed", Fixture, NULL, fixture_setup, test_refused_delete_followed,
              fixture_teardown);
  g_test_add ("/thread-panel/refused-delete-keeps-draft", Fixture, NULL, fixture_setup, test_refused_delete_keeps_draft,
              fixture_teardown);
  g_test_add ("/thread-panel/empty", Fixture, NULL, fixture_setup, test_empty, fixture_teardown);
  g_test_add ("/thread-panel/keyboard", Fixture, NULL, fixture_setup, test_keyboard, fixture_teardown);
  g_test_add ("/thread-panel/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);
  g_test_add ("/thread-panel/restore-reply", Fixture, NULL, fixture_setup, test_restore_reply, fixture_teardown);
  g_test_add ("/thread-panel/accessible-names", Fixture, NULL, fixture_setup, test_accessible_names,
              fixture_teardown);
  g_test_add ("/thread-panel/admin", Fixture, NULL, fixture_setup, test_admin, fixture_teardown);
  g_test_add ("/thread-panel/page-text-order", Fixture, NULL, fixture_setup, test_page_text_order, fixture_teardown);
  g_test_add ("/thread-panel/moved-row-keeps-draft", Fixture, NULL, fixture_setup, test_moved_row_keeps_draft,
              fixture_teardown);
  g_test_add_func ("/banner/reveal-button", test_banner);
  return g_test_run ();
}
