/* test-panel-input.c — the threads panel used as a person uses it: real
 * pointer and keyboard events through the X server (rl-ui-input.h) on
 * Ada's panel, against the real server, while Bob works on the same
 * document as a raw WebSocket client (the teammate whose changes arrive,
 * and who must receive what Ada sends)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "rl-comment-row.h"
#include "rl-doc-store.h"
#include "rl-test-server.h"
#include "rl-thread-panel.h"
#include "rl-thread-row.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"

typedef struct
{
  RlTestServer  *server;
  char          *ada;
  char          *bob;
  char          *doc;
  RlConnection  *connection;   /* Ada's */
  RlDocStore    *store;
  RlTestClient  *bob_client;   /* raw protocol */
  GtkWindow     *window;
  RlThreadPanel *panel;
} Fixture;

static gboolean
panel_ready (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_mapped (GTK_WIDGET (f->panel)) && gtk_widget_get_width (GTK_WIDGET (f->panel)) > 100;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  JsonObject *snapshot;

  f->server = rl_test_server_new ();
  g_free (rl_test_server_admin (f->server, "tenant", "add", "acme", NULL));
  f->ada = rl_test_add_user (f->server, "acme", "Ada", "member");
  f->bob = rl_test_add_user (f->server, "acme", "Bob", "member");
  f->doc = rl_test_add_doc (f->server, "acme", "Mockup", "mockup.png");
  rl_test_server_start (f->server);

  f->connection = rl_ui_test_connect (f->server, f->ada);
  f->store = rl_ui_test_open_store (f->connection, f->doc, RL_DOC_KIND_IMAGE);
  f->bob_client = rl_test_client_new (f->server, f->bob);
  snapshot = rl_test_client_subscribe (f->bob_client, f->doc);
  json_object_unref (snapshot);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 420, 760);
  f->panel = RL_THREAD_PANEL (rl_thread_panel_new ());
  gtk_window_set_child (f->window, GTK_WIDGET (f->panel));
  rl_thread_panel_set_store (f->panel, f->store);
  gtk_window_present (f->window);
  g_assert_true (rl_ui_test_wait_for (panel_ready, f, 5000));
  rl_ui_test_run (200);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (f->window);
  rl_ui_test_run (50);
  g_clear_pointer (&f->bob_client, rl_test_client_free);
  g_clear_object (&f->store);
  rl_connection_stop (f->connection);
  g_clear_object (&f->connection);
  rl_test_server_stop (f->server);
  rl_test_server_free (f->server);
  g_free (f->ada);
  g_free (f->bob);
  g_free (f->doc);
}

/* ---- finding widgets ------------------------------------------------------ */

typedef gboolean (*Match) (GtkWidget *widget, gconstpointer data);

static void
collect (GtkWidget     *widget,
         Match          match,
         gconstpointer  data,
         GPtrArray     *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      if (match (child, data))
        g_ptr_array_add (out, child);
      collect (child, match, data, out);
    }
}

static GtkWidget *
find (GtkWidget     *widget,
      Match          match,
      gconstpointer  data)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect (widget, match, data, found);
  return found->len ? g_ptr_array_index (found, 0) : NULL;
}

static gboolean
is_type (GtkWidget     *widget,
         gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

static gboolean
has_class (GtkWidget     *widget,
           gconstpointer  data)
{
  return gtk_widget_has_css_class (widget, data);
}

static gboolean
has_action (GtkWidget     *widget,
            gconstpointer  data)
{
  return GTK_IS_ACTIONABLE (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

/* A visible button that says label. */
static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_is_drawable (widget)
         && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

static gboolean
is_send_button (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_BUTTON (widget)
         && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)), "document-send-symbolic") == 0;
}

static GtkListBox *
panel_list (Fixture *f)
{
  GtkWidget *list = find (GTK_WIDGET (f->panel), is_type, GSIZE_TO_POINTER (GTK_TYPE_LIST_BOX));

  g_assert_nonnull (list);
  return GTK_LIST_BOX (list);
}

static RlThreadRow *
row_for (Fixture    *f,
         const char *thread_id)
{
  GtkListBox *list = panel_list (f);

  for (int i = 0; gtk_list_box_get_row_at_index (list, i); i++)
    {
      RlThreadRow *row = RL_THREAD_ROW (gtk_list_box_get_row_at_index (list, i));

      if (g_strcmp0 (rl_thread_row_get_thread_id (row), thread_id) == 0)
        return row;
    }
  return NULL;
}

static guint
n_rows (Fixture *f)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (panel_list (f), (int) n))
    n++;
  return n;
}

static GtkTextView *
reply_view (RlThreadRow *row)
{
  g_autoptr(GPtrArray) views = g_ptr_array_new ();

  collect (GTK_WIDGET (row), is_type, GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW), views);
  for (guint i = 0; i < views->len; i++)
    if (!gtk_widget_get_ancestor (g_ptr_array_index (views, i), RL_TYPE_COMMENT_ROW))
      return g_ptr_array_index (views, i);
  g_assert_not_reached ();
}

static char *
buffer_text (GtkTextView *view)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
  return gtk_text_buffer_get_text (gtk_text_view_get_buffer (view), &start, &end, FALSE);
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Mapped and given its place: a hand can aim at it. */
static gboolean
widget_placed (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0 && gtk_widget_get_height (data) > 0;
}

static gboolean
is_editing (gpointer data)
{
  return rl_comment_row_is_editing (data);
}

/* ---- the store and the teammate ------------------------------------------ */

typedef struct
{
  RlDocStore *store;
  const char *thread_id;
  guint       n_comments;   /* 0: the thread is gone */
} StoreWait;

static const RlThread *
store_thread (RlDocStore *store,
              const char *thread_id)
{
  GListModel *threads = rl_doc_store_get_threads (store);

  for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);

      if (g_strcmp0 (rl_thread_item_get_thread (item)->id, thread_id) == 0)
        return rl_thread_item_get_thread (item);   /* the model keeps it */
    }
  return NULL;
}

static gboolean
store_has (gpointer data)
{
  StoreWait *wait = data;
  const RlThread *thread = store_thread (wait->store, wait->thread_id);

  if (wait->n_comments == 0)
    return thread == NULL;
  return thread != NULL && thread->comments->len == wait->n_comments;
}

static void
wait_store (Fixture    *f,
            const char *thread_id,
            guint       n_comments)
{
  StoreWait wait = { f->store, thread_id, n_comments };

  g_assert_true (rl_ui_test_wait_for (store_has, &wait, 5000));
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

/* Ada's thread, made through her store and acknowledged. */
static char *
ada_creates (Fixture    *f,
             double      x,
             double      y,
             const char *body)
{
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = x, .y = y };
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  g_assert_true (rl_doc_store_create_thread (f->store, &anchor, body, &id, &error));
  g_assert_no_error (error);
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, f->store, 5000));
  return id;
}

/* A request of Bob's on a thread, acknowledged; extra is more members. */
static void
bob_requests (Fixture    *f,
              const char *type,
              const char *thread_id,
              const char *extra)
{
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();
  JsonObject *ack;

  rl_test_client_send_printf (f->bob_client,
                              "{\"type\":\"%s\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":\"%s\"%s}",
                              type, req, broadcast, f->doc, thread_id, extra ? extra : "");
  ack = rl_test_client_expect_ack (f->bob_client, req);
  g_assert_null (rl_test_ack_error (ack));
  json_object_unref (ack);
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

      if (g_strcmp0 (json_object_get_string_member (event, "type"), "image-chat-updated") == 0
          && g_strcmp0 (json_object_get_string_member (event, "thread"), thread_id) == 0)
        {
          JsonObject *change = json_object_ref (json_object_get_object_member (event, "change"));

          json_object_unref (event);
          return change;
        }
      json_object_unref (event);
    }
}

/* No reply box of the panel is opening or closing: rows stay where a hand
 * aims. */
static gboolean
panel_still (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) revealers = g_ptr_array_new ();

  collect (GTK_WIDGET (f->panel), is_type, GSIZE_TO_POINTER (GTK_TYPE_REVEALER), revealers);
  for (guint i = 0; i < revealers->len; i++)
    {
      GtkRevealer *revealer = g_ptr_array_index (revealers, i);

      if (gtk_revealer_get_reveal_child (revealer) != gtk_revealer_get_child_revealed (revealer))
        return FALSE;
    }
  return TRUE;
}

/* A click on widget once it is in place and nothing is moving. */
static void
click (Fixture   *f,
       GtkWidget *widget)
{
  g_assert_nonnull (widget);
  g_assert_true (rl_ui_test_wait_for (widget_placed, widget, 3000));
  g_assert_true (rl_ui_test_wait_for (panel_still, f, 3000));
  rl_ui_input_click (widget);
}

/* Selects a thread as a hand does: a click on its number. */
static void
click_row (Fixture    *f,
           const char *thread_id)
{
  RlThreadRow *row = row_for (f, thread_id);
  GtkWidget *badge;

  g_assert_nonnull (row);
  badge = find (GTK_WIDGET (row), has_class, "rl-thread-badge");
  click (f, badge);
  g_assert_cmpstr (rl_thread_panel_get_selected_thread (f->panel), ==, thread_id);
}

static gboolean
revealed (gpointer data)
{
  GtkWidget *revealer = gtk_widget_get_ancestor (data, GTK_TYPE_REVEALER);

  return gtk_revealer_get_child_revealed (GTK_REVEALER (revealer)) && widget_placed (data);
}

/* Clicks into the thread's reply field and types text there. */
static GtkTextView *
type_reply (Fixture    *f,
            const char *thread_id,
            const char *text)
{
  GtkTextView *view = reply_view (row_for (f, thread_id));

  g_assert_true (rl_ui_test_wait_for (revealed, view, 3000));
  click (f, GTK_WIDGET (view));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  rl_ui_input_type (text);
  return view;
}

/* The notice of a kept row (its text), or NULL when none shows. */
static const char *
notice_of (RlThreadRow *row)
{
  GtkWidget *notice = find (GTK_WIDGET (row), has_class, "rl-thread-notice");

  if (notice == NULL || !gtk_widget_get_visible (notice))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (gtk_widget_get_first_child (notice)));
}

typedef struct
{
  RlThreadRow *row;
  const char  *text;
} NoticeWait;

static gboolean
notice_says (gpointer data)
{
  NoticeWait *wait = data;

  return g_strcmp0 (notice_of (wait->row), wait->text) == 0;
}

static void
wait_notice (RlThreadRow *row,
             const char  *text)
{
  NoticeWait wait = { row, text };

  if (!rl_ui_test_wait_for (notice_says, &wait, 5000))
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

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

/* What the clipboard holds, read back as a paste would. */
static char *
clipboard_text (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, clipboard_read, &text);
  g_assert_true (rl_ui_test_wait_for (is_set, &text, 3000));
  return text;
}

/* A message dialog is open: *data gets it. */
static gboolean
dialog_open (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_mapped (window))
        {
          *(GtkWidget **) data = window;
          return TRUE;
        }
    }
  return FALSE;
}

/* No row is lit up as a teammate's new thread any more. */
static gboolean
no_flash (gpointer data)
{
  Fixture *f = data;

  return find (GTK_WIDGET (f->panel), has_class, "rl-flash") == NULL;
}

static void
screenshot (Fixture    *f,
            const char *name)
{
  g_assert_true (rl_ui_test_wait_for (no_flash, f, RL_FLASH_MS + 3000));
  rl_ui_test_run (700);   /* the highlight's fade (a CSS transition) */
  g_free (rl_ui_test_screenshot (GTK_WIDGET (f->window), name));
}

/* ---- (3) editing a comment keeps its lines -------------------------------- */

static void
test_edit_multiline (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *t1 = ada_creates (f, 0.3, 0.3, "Line one\nLine two");
  g_autofree char *typed = NULL;
  g_autoptr(JsonObject) change = NULL;
  RlThreadRow *row;
  RlCommentRow *comment;
  GtkWidget *edit, *editor, *save;
  JsonObject *edited;

  row = row_for (f, t1);
  g_assert_nonnull (row);
  comment = RL_COMMENT_ROW (find (GTK_WIDGET (row), is_type, GSIZE_TO_POINTER (RL_TYPE_COMMENT_ROW)));
  edit = find (GTK_WIDGET (comment), has_action, "comment.edit");

  /* The edit button opens an editor with the whole comment, both lines. */
  g_assert_true (rl_ui_test_wait_for (widget_placed, edit, 3000));
  rl_ui_input_click (edit);
  g_assert_true (rl_ui_test_wait_for (is_editing, comment, 3000));
  editor = find (GTK_WIDGET (comment), is_type, GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));
  g_assert_true (rl_ui_test_wait_for (widget_mapped, editor, 3000));
  g_assert_true (gtk_widget_has_focus (editor));
  typed = buffer_text (GTK_TEXT_VIEW (editor));
  g_assert_cmpstr (typed, ==, "Line one\nLine two");
  /* Tall enough to show both lines. */
  g_assert_cmpint (gtk_widget_get_height (editor), >=, 2 * 14);

  /* Enter starts a third line; Save sends the three. */
  rl_ui_input_key (GDK_KEY_End, GDK_CONTROL_MASK);
  rl_ui_input_type ("\nLine three");
  g_clear_pointer (&typed, g_free);
  typed = buffer_text (GTK_TEXT_VIEW (editor));
  g_assert_cmpstr (typed, ==, "Line one\nLine two\nLine three");
  g_assert_true (rl_comment_row_is_editing (comment));
  screenshot (f, "panel-input-edit");
  save = find (GTK_WIDGET (comment), is_button_labelled, "Save");
  g_assert_nonnull (save);
  rl_ui_input_click (save);
  g_assert_false (rl_comment_row_is_editing (comment));

  change = bob_receives_change (f, t1);
  g_assert_cmpstr (json_object_get_string_member (change, "kind"), ==, "comment-edited");
  edited = json_object_get_object_member (change, "comment");
  g_assert_cmpstr (json_object_get_string_member (edited, "body"), ==, "Line one\nLine two\nLine three");
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, f->store, 5000));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (GTK_WIDGET (comment), has_class, "rl-comment-body"))),
                   ==, "Line one\nLine two\nLine three");

  /* Escape cancels: nothing is sent, the comment is as it was. */
  g_assert_true (rl_ui_test_wait_for (widget_placed, edit, 3000));
  rl_ui_input_click (edit);
  g_assert_true (rl_ui_test_wait_for (is_editing, comment, 3000));
  rl_ui_input_type (" never sent");
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_false (rl_comment_row_is_editing (comment));
  g_assert_cmpuint (rl_doc_store_get_n_in_flight (f->store), ==, 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find (GTK_WIDGET (comment), has_class, "rl-comment-body"))),
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
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, f->store, 5000));
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
  row = row_for (f, t2);
  g_assert_nonnull (row);
  wait_notice (row, "This thread was deleted. Your reply was not sent.");
  g_assert_true (reply_view (row) == view);
  kept = buffer_text (view);
  g_assert_cmpstr (kept, ==, typed);
  g_assert_cmpstr (rl_thread_panel_get_selected_thread (f->panel), ==, t2);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  g_assert_cmpuint (n_rows (f), ==, 3);
  g_assert_true (gtk_widget_get_prev_sibling (GTK_WIDGET (row)) == GTK_WIDGET (row_for (f, t1)));
  /* Nothing can be sent to a thread that is gone. */
  g_assert_false (gtk_widget_is_sensitive (find (GTK_WIDGET (row), is_send_button, NULL)));
  screenshot (f, "panel-input-deleted");

  /* The notice's buttons are on the keyboard path, just before the text. */
  rl_ui_input_key (GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_true (gtk_widget_has_focus (find (GTK_WIDGET (row), is_button_labelled, "Discard")));
  rl_ui_input_key (GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_true (gtk_widget_has_focus (find (GTK_WIDGET (row), is_button_labelled, "Copy Text")));
  rl_ui_input_key (GDK_KEY_Tab, 0);
  rl_ui_input_key (GDK_KEY_Tab, 0);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  g_assert_cmpstr (rl_thread_panel_get_selected_thread (f->panel), ==, t2);

  /* Typing goes on where it was. */
  rl_ui_input_key (GDK_KEY_End, GDK_CONTROL_MASK);
  rl_ui_input_type ("!");
  g_clear_pointer (&kept, g_free);
  kept = buffer_text (view);
  g_assert_cmpstr (kept, ==, "I'd keep the red,\nbut darker!");

  /* Copy Text puts it on the clipboard. */
  copy = find (GTK_WIDGET (row), is_button_labelled, "Copy Text");
  g_assert_nonnull (copy);
  click (f, copy);
  copied = clipboard_text (GTK_WIDGET (f->panel));
  g_assert_cmpstr (copied, ==, "I'd keep the red,\nbut darker!");

  /* Discard lets it go; the selection goes nowhere else. */
  discard = find (GTK_WIDGET (row), is_button_labelled, "Discard");
  g_assert_nonnull (discard);
  click (f, discard);
  g_assert_null (row_for (f, t2));
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_null (rl_thread_panel_get_selected_thread (f->panel));
  g_assert_null (gtk_list_box_get_selected_row (panel_list (f)));
  rl_ui_test_run (100);
  g_assert_null (rl_thread_panel_get_selected_thread (f->panel));

  /* The thread Ada is reading (nothing typed) goes the same way: it says
   * so and stays until she dismisses it. */
  click_row (f, t3);
  bob_requests (f, "delete-thread", t3, NULL);
  wait_store (f, t3, 0);
  row = row_for (f, t3);
  g_assert_nonnull (row);
  wait_notice (row, "This thread was deleted.");
  g_assert_null (find (GTK_WIDGET (row), is_button_labelled, "Copy Text"));
  g_assert_cmpstr (rl_thread_panel_get_selected_thread (f->panel), ==, t3);
  click (f, find (GTK_WIDGET (row), is_button_labelled, "Dismiss"));
  g_assert_null (row_for (f, t3));
  g_assert_null (rl_thread_panel_get_selected_thread (f->panel));
  g_assert_cmpuint (n_rows (f), ==, 1);
}

static void
test_reply_kept_when_resolved (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *t1 = bob_creates (f, 0.2, 0.2, "Logo too small");
  g_autofree char *t2 = bob_creates (f, 0.5, 0.5, "Button colour");
  g_autofree char *t3 = bob_creates (f, 0.8, 0.8, "Footer spacing");
  g_autofree char *kept = NULL;
  g_autoptr(JsonObject) change = NULL;
  GtkTextView *view;
  RlThreadRow *row;

  rl_thread_panel_set_hide_resolved (f->panel, TRUE);
  click_row (f, t2);
  view = type_reply (f, t2, "Almost there");

  /* Bob resolves it: resolved threads are hidden, but not this one yet. */
  bob_requests (f, "resolve-thread", t2, ",\"resolved\":true");
  row = row_for (f, t2);
  g_assert_nonnull (row);
  wait_notice (row, "Resolved by Bob — hidden once you leave it.");
  kept = buffer_text (view);
  g_assert_cmpstr (kept, ==, "Almost there");
  g_assert_cmpstr (rl_thread_panel_get_selected_thread (f->panel), ==, t2);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  g_assert_cmpuint (n_rows (f), ==, 3);
  screenshot (f, "panel-input-resolved-kept");

  /* The reply still goes, with the Send button. */
  rl_ui_input_type (", thanks");
  click (f, find (GTK_WIDGET (row), is_send_button, NULL));
  change = bob_receives_change (f, t2);
  while (g_strcmp0 (json_object_get_string_member (change, "kind"), "comment-added") != 0)
    {
      g_clear_pointer (&change, json_object_unref);
      change = bob_receives_change (f, t2);
    }
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (change, "comment"), "body"),
                   ==, "Almost there, thanks");
  wait_store (f, t2, 2);
  g_assert_nonnull (row_for (f, t2));

  /* Once Ada leaves it, it is hidden like the others. */
  click_row (f, t3);
  g_assert_null (row_for (f, t2));
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_cmpstr (rl_thread_panel_get_selected_thread (f->panel), ==, t3);
}

/* An edit in progress is typed text too: Bob deletes the thread while Ada
 * edits her reply in it. */
static void
test_edit_kept_when_deleted (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *t1 = bob_creates (f, 0.5, 0.5, "Button colour");
  g_autofree char *copied = NULL;
  g_autoptr(GPtrArray) comments = g_ptr_array_new ();
  RlCommentRow *mine;
  RlThreadRow *row;
  GtkWidget *editor;
  g_autoptr(GError) error = NULL;

  g_assert_true (rl_doc_store_add_comment (f->store, t1, "Darker red?", NULL, &error));
  g_assert_no_error (error);
  wait_store (f, t1, 2);
  row = row_for (f, t1);
  collect (GTK_WIDGET (row), is_type, GSIZE_TO_POINTER (RL_TYPE_COMMENT_ROW), comments);
  g_assert_cmpuint (comments->len, ==, 2);
  mine = g_ptr_array_index (comments, 1);
  click (f, find (GTK_WIDGET (mine), has_action, "comment.edit"));
  g_assert_true (rl_ui_test_wait_for (is_editing, mine, 3000));
  editor = find (GTK_WIDGET (mine), is_type, GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));
  rl_ui_input_key (GDK_KEY_End, GDK_CONTROL_MASK);
  rl_ui_input_type (" Like #B22");

  bob_requests (f, "delete-thread", t1, NULL);
  wait_store (f, t1, 0);

  g_assert_true (row_for (f, t1) == row);
  wait_notice (row, "This thread was deleted. Your edit was not saved.");
  g_assert_true (rl_comment_row_is_editing (mine));
  g_assert_true (gtk_widget_has_focus (editor));
  /* Nothing can be saved to a thread that is gone. */
  g_assert_false (gtk_widget_is_sensitive (find (GTK_WIDGET (mine), is_button_labelled, "Save")));

  click (f, find (GTK_WIDGET (row), is_button_labelled, "Copy Text"));
  copied = clipboard_text (GTK_WIDGET (f->panel));
  g_assert_cmpstr (copied, ==, "Darker red? Like #B22");
  click (f, find (GTK_WIDGET (row), is_button_labelled, "Discard"));
  g_assert_null (row_for (f, t1));
  g_assert_cmpuint (n_rows (f), ==, 0);
}

/* Ada's own resolve and delete, with the buttons: what she resolves with
 * nothing typed goes (hide resolved is on), what she typed stays; the
 * selection never lands on another thread by itself. */
static void
test_own_changes (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *t1 = ada_creates (f, 0.2, 0.2, "Logo too small");
  g_autofree char *t2 = ada_creates (f, 0.5, 0.5, "Button colour");
  g_autofree char *t3 = ada_creates (f, 0.8, 0.8, "Footer spacing");
  g_autofree char *kept = NULL;
  GtkTextView *view;
  RlThreadRow *row;
  GtkWidget *dialog;

  rl_thread_panel_set_hide_resolved (f->panel, TRUE);

  /* Resolving the thread she is in, nothing typed: it goes, and nothing
   * else is selected in its place. */
  click_row (f, t3);
  click (f, find (GTK_WIDGET (row_for (f, t3)), has_action, "thread.toggle-resolved"));
  g_assert_null (row_for (f, t3));
  g_assert_cmpuint (n_rows (f), ==, 2);
  rl_ui_test_run (100);
  g_assert_null (rl_thread_panel_get_selected_thread (f->panel));
  g_assert_null (gtk_list_box_get_selected_row (panel_list (f)));

  /* With a reply typed: it stays, saying it is resolved. */
  click_row (f, t2);
  view = type_reply (f, t2, "One more thing");
  row = row_for (f, t2);
  click (f, find (GTK_WIDGET (row), has_action, "thread.toggle-resolved"));
  g_assert_true (row_for (f, t2) == row);
  wait_notice (row, "Resolved — hidden once you leave it.");
  kept = buffer_text (view);
  g_assert_cmpstr (kept, ==, "One more thing");

  /* Deleting another thread through its button and the dialog. */
  click (f, find (GTK_WIDGET (row_for (f, t1)), has_action, "thread.delete"));
  g_assert_true (rl_ui_test_wait_for (dialog_open, &dialog, 3000));
  click (f, find (dialog, is_button_labelled, "_Delete"));
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, f->store, 5000));
  g_assert_null (row_for (f, t1));
  rl_ui_test_run (100);
  g_assert_null (rl_thread_panel_get_selected_thread (f->panel));
  /* The resolved one with Ada's text is still there. */
  g_assert_true (row_for (f, t2) == row);
  g_clear_pointer (&kept, g_free);
  kept = buffer_text (view);
  g_assert_cmpstr (kept, ==, "One more thing");
  g_assert_cmpuint (n_rows (f), ==, 1);
}

/* ---- (4) "You're offline" goes once the link is back ----------------------- */

static gboolean
connection_offline (gpointer data)
{
  return rl_connection_get_state (data) != RL_CONNECTION_ONLINE;
}

static gboolean
connection_online (gpointer data)
{
  return rl_connection_get_state (data) == RL_CONNECTION_ONLINE;
}

/* The thread's own error line (not one of a comment's). */
static GtkWidget *
thread_error (RlThreadRow *row)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new ();

  collect (GTK_WIDGET (row), has_class, "error", errors);
  for (guint i = 0; i < errors->len; i++)
    if (!gtk_widget_get_ancestor (g_ptr_array_index (errors, i), RL_TYPE_COMMENT_ROW))
      return g_ptr_array_index (errors, i);
  g_assert_not_reached ();
}

static gboolean
hidden (gpointer data)
{
  return !gtk_widget_get_visible (data);
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
  row = row_for (f, t1);
  send = find (GTK_WIDGET (row), is_send_button, NULL);
  error = thread_error (row);

  /* The server goes away; the send is refused at once and says why. */
  rl_test_server_stop (f->server);
  g_assert_true (rl_ui_test_wait_for (connection_offline, f->connection, 5000));
  click (f, send);
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error)), "offline"));
  kept = buffer_text (view);
  g_assert_cmpstr (kept, ==, "Written on the train");
  screenshot (f, "panel-input-offline");

  /* Back: the line goes by itself, the text is still there to send. */
  rl_test_server_start (f->server);
  g_assert_true (rl_ui_test_wait_for (connection_online, f->connection, 10000));
  g_assert_true (rl_ui_test_wait_for (hidden, error, 3000));
  g_clear_pointer (&kept, g_free);
  kept = buffer_text (view);
  g_assert_cmpstr (kept, ==, "Written on the train");

  /* And it goes with one click. Bob comes back too. */
  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, f->store, 5000));
  g_clear_pointer (&f->bob_client, rl_test_client_free);
  f->bob_client = rl_test_client_new (f->server, f->bob);
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
  RlThreadRow *row = row_for (f, thread_id);

  g_assert_nonnull (row);
  return gtk_label_get_text (GTK_LABEL (find (GTK_WIDGET (row), has_class, "rl-thread-badge")));
}

typedef struct
{
  Fixture    *f;
  const char *thread_id;
  const char *text;
} BadgeWait;

static gboolean
badge_says (gpointer data)
{
  BadgeWait *wait = data;

  return row_for (wait->f, wait->thread_id) != NULL
         && g_strcmp0 (badge_of (wait->f, wait->thread_id), wait->text) == 0;
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
  BadgeWait wait = { f, NULL, NULL };

  g_assert_cmpstr (badge_of (f, t1), ==, "1");
  g_assert_cmpstr (badge_of (f, t2), ==, "2");
  g_assert_cmpstr (badge_of (f, t3), ==, "3");

  /* Bob deletes thread 2: the others keep theirs, "see #3" still means it. */
  bob_requests (f, "delete-thread", t2, NULL);
  wait_store (f, t2, 0);
  g_assert_null (row_for (f, t2));
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_cmpstr (badge_of (f, t1), ==, "1");
  g_assert_cmpstr (badge_of (f, t3), ==, "3");

  /* Ada's new thread: a neutral mark until the server numbers it, then the
   * next number, never one given before. */
  g_assert_true (rl_doc_store_create_thread (f->store, &anchor, "Is this final?", &t4, NULL));
  g_assert_cmpstr (badge_of (f, t4), ==, "…");
  wait.thread_id = t4;
  wait.text = "4";
  g_assert_true (rl_ui_test_wait_for (badge_says, &wait, 5000));
  g_assert_cmpstr (badge_of (f, t1), ==, "1");
  g_assert_cmpstr (badge_of (f, t3), ==, "3");
  screenshot (f, "panel-input-numbers");
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
  g_test_add ("/panel-input/own-changes", Fixture, NULL, fixture_setup, test_own_changes, fixture_teardown);
  g_test_add ("/panel-input/offline-error-clears", Fixture, NULL, fixture_setup, test_offline_error_clears,
              fixture_teardown);
  g_test_add ("/panel-input/numbers-stay", Fixture, NULL, fixture_setup, test_numbers_stay, fixture_teardown);
  return g_test_run ();
}
