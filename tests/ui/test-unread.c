/* test-unread.c — unread in the app, on two computers of one person
 * (issue 19 §1)
 *
 * Ada has two computers: two sessions (two connections) of her one token,
 * each with its window, both looking at the page. Bob, a raw client of the
 * real server, replies twice in a thread Ada started on the image, the
 * second reply mentioning her. Both of Ada's document lists show it live
 * on the image's row: bold, a pill of 2, an "@", "2 new comments, 1
 * mentions you" for screen readers. Ada opens the image on one computer
 * (a click on its row): "2 new comments since you were here" slides down
 * and nothing moves — the panel is where it was, nothing is selected, and
 * the thread, below what the panel shows, stays unread however long she
 * looks. Alt+N (real keys) selects it and brings it into view; its "New"
 * divider is above Bob's first reply. Selected in her focused window, it
 * is read: her other computer's list clears, live.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>

#include "rl-comment-row.h"
#include "rl-doc-row.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-unread-controller.h"
#include "rl-window-private.h"

/* Ada's threads on the image: more than the panel shows at once. */
#define N_THREADS 12

typedef struct
{
  RlUiTestWorld  world;
  RlApplication *app;
  RlSession     *here;     /* Ada's first computer */
  RlSession     *there;    /* her second: the same token, another connection */
  RlWindow      *window;
  RlWindow      *other;
  char          *ada_id;
  char          *last_thread;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestClient) ada = NULL;

  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE | RL_UI_TEST_WORLD_PAGE);
  rl_test_server_start (f->world.server);
  f->ada_id = rl_ui_test_user_id (f->world.server, f->world.ada);

  /* Ada's own threads: never unread to her. */
  ada = rl_test_client_new_v12 (f->world.server, f->world.ada);
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_autofree char *body = g_strdup_printf ("Check spacing number %u", i + 1);

      g_free (f->last_thread);
      f->last_thread = rl_ui_test_create_marker (ada, f->world.image, 0.1 + 0.06 * i, 0.5, body);
    }

  f->here = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
  f->there = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
  f->app = rl_ui_test_register_app (f->here);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_ui_test_close_app (&f->app);
  g_clear_object (&f->here);
  g_clear_object (&f->there);
  g_free (f->ada_id);
  g_free (f->last_thread);
  rl_ui_test_world_clear (&f->world);
}

/* ---- helpers ------------------------------------------------------------- */

static gboolean
is_doc_row_of (GtkWidget     *widget,
               gconstpointer  doc_id)
{
  return RL_IS_DOC_ROW (widget) && rl_doc_row_get_item (RL_DOC_ROW (widget)) != NULL &&
         g_strcmp0 (rl_doc_item_get_id (rl_doc_row_get_item (RL_DOC_ROW (widget))), doc_id) == 0;
}

/* The window's sidebar row of doc (asserted there). */
static RlDocRow *
doc_row (RlWindow   *window,
         const char *doc)
{
  GtkWidget *row = rl_ui_test_find (GTK_WIDGET (window), is_doc_row_of, doc);

  g_assert_nonnull (row);
  return RL_DOC_ROW (row);
}

/* The row shows comments unread, mentions of them mentioning Ada, and
 * says so to screen readers in those words (NULL: nothing unread). */
static gboolean
row_shows (RlWindow   *window,
           const char *doc,
           gint64      comments,
           gint64      mentions,
           const char *description)
{
  RlDocRow *row = doc_row (window, doc);
  GtkWidget *pill = rl_ui_test_find_class (GTK_WIDGET (row), "rl-unread-pill");
  GtkWidget *mention = rl_ui_test_find_class (GTK_WIDGET (row), "rl-unread-mention");
  GtkWidget *title = rl_ui_test_find_type (GTK_WIDGET (row), GTK_TYPE_LABEL);
  RlUnreadCounts counts;
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, comments);

  rl_doc_row_get_unread (row, &counts);
  if (counts.comments != comments || counts.mentions != mentions)
    return FALSE;
  if (description != NULL)
    {
      g_autofree char *mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (row),
                                                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                                      description);
      if (mismatch != NULL)
        return FALSE;
    }
  else if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION))
    return FALSE;
  if (comments == 0)
    return !gtk_widget_get_visible (pill) && !gtk_widget_get_visible (mention) &&
           !gtk_widget_has_css_class (title, "heading");
  return gtk_widget_get_visible (pill) && g_str_equal (gtk_label_get_text (GTK_LABEL (pill)), count) &&
         gtk_widget_get_visible (mention) == (mentions > 0) && gtk_widget_has_css_class (title, "heading");
}

static RlDocStore *
open_store (RlWindow *window)
{
  return rl_review_state_get_store (rl_thread_panel_get_state (rl_window_get_thread_panel (window)));
}

static gboolean
in_view (RlWindow   *window,
         const char *thread_id)
{
  g_autoptr(GPtrArray) shown = rl_thread_panel_dup_threads_in_view (rl_window_get_thread_panel (window));

  for (guint i = 0; i < shown->len; i++)
    if (g_str_equal (g_ptr_array_index (shown, i), thread_id))
      return TRUE;
  return FALSE;
}

/* Which of the row's comments the "New" divider is above (-1: none; -2:
 * more than one), Bob's first reply asserted as the one at 1. */
static int
first_new_at (RlThreadRow *row)
{
  GListModel *comments = rl_thread_item_get_comments (rl_thread_row_get_item (row));
  g_autoptr(GPtrArray) rows = rl_ui_test_find_all (GTK_WIDGET (row), rl_ui_test_is_of_type,
                                                   GSIZE_TO_POINTER (RL_TYPE_COMMENT_ROW));
  int at = -1;

  g_assert_cmpuint (g_list_model_get_n_items (comments), ==, 3);
  for (guint i = 0; i < g_list_model_get_n_items (comments); i++)
    {
      g_autoptr(RlCommentItem) item = g_list_model_get_item (comments, i);
      const RlComment *comment = rl_comment_item_get_comment (item);

      if (i == 1)
        g_assert_cmpstr (comment->body, ==, "Moved it 4px left");
      for (guint j = 0; j < rows->len; j++)
        if (g_str_equal (rl_comment_row_get_id (g_ptr_array_index (rows, j)), comment->id) &&
            rl_comment_row_get_first_new (g_ptr_array_index (rows, j)))
          at = at == -1 ? (int) i : -2;
    }
  return at;
}

/* Ada's window on each computer, both on the page. */
static void
start_windows (Fixture *f)
{
  f->other = rl_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->other), 700, 600);
  rl_ui_test_window_start (f->other, f->there, 2);
  rl_ui_test_window_show (f->other, f->world.page, "page");
  f->window = rl_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 560);
  rl_ui_test_window_start (f->window, f->here, 2);
  rl_ui_test_window_show (f->window, f->world.page, "page");
}

/* The window comes on top (there is no window manager to raise it) and a
 * click on its title gives it the keyboard, the other not. */
static void
focus (RlWindow *window,
       RlWindow *away)
{
  Display *display = gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (window)));

  XRaiseWindow (display, gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))));
  XSync (display, False);
  rl_ui_input_click (rl_ui_test_find_type (GTK_WIDGET (window), ADW_TYPE_WINDOW_TITLE));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_window_is_active (GTK_WINDOW (window)) &&
                                   !gtk_window_is_active (GTK_WINDOW (away)), 3000));
}

static const char *
selected_thread (RlWindow *window)
{
  return rl_review_state_get_selected_thread (rl_thread_panel_get_state (rl_window_get_thread_panel (window)));
}

/* Bob replies in thread of the image, mentioning whom mentions (a JSON
 * array, or NULL) says. */
static void
bob_replies (Fixture    *f,
             const char *thread,
             const char *body,
             const char *mentions)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new_v12 (f->world.server, f->world.bob);
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *extra = NULL;

  extra = g_strdup_printf (",\"comment\":{\"id\":\"%s\",\"body\":\"%s\"%s%s}", comment, body,
                           mentions ? ",\"mentions\":" : "", mentions ? mentions : "");
  rl_ui_test_thread_request (bob, "add-comment", f->world.image, thread, extra);
}

/* The app's accelerators of action include keyval with mods. */
static gboolean
has_accel (RlApplication   *app,
           const char      *action,
           guint            keyval,
           GdkModifierType  mods)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  for (guint i = 0; accels != NULL && accels[i] != NULL; i++)
    {
      guint key;
      GdkModifierType held;

      if (gtk_accelerator_parse (accels[i], &key, &held) && gdk_keyval_to_lower (key) == keyval && held == mods)
        return TRUE;
    }
  return FALSE;
}

/* ---- the test ------------------------------------------------------------ */

static void
test_two_computers (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *mentions = NULL;
  RlThreadPanel *panel;
  GtkAdjustment *scroll;
  RlBanner *banner;
  RlDocStore *store;
  RlThreadRow *row;

  g_assert_true (has_accel (f->app, "win.next-unread", GDK_KEY_n, GDK_ALT_MASK));
  g_assert_true (has_accel (f->app, "win.previous-unread", GDK_KEY_n, GDK_ALT_MASK | GDK_SHIFT_MASK));
  g_assert_true (has_accel (f->app, "win.mark-all-read", GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK));

  /* Both computers look at the page; the image is not open anywhere. */
  start_windows (f);
  g_assert_true (row_shows (f->window, f->world.image, 0, 0, NULL));
  g_assert_true (row_shows (f->other, f->world.image, 0, 0, NULL));

  /* Bob replies twice in Ada's last thread, mentioning her the second time. */
  bob_replies (f, f->last_thread, "Moved it 4px left", NULL);
  mentions = g_strdup_printf ("[{\"user\":\"%s\",\"start\":0,\"end\":4}]", f->ada_id);
  bob_replies (f, f->last_thread, "@Ada better now?", mentions);
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->window, f->world.image, 2, 1, "2 new comments, 1 mentions you"), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->other, f->world.image, 2, 1, "2 new comments, 1 mentions you"), 5000));
  g_assert_true (row_shows (f->window, f->world.page, 0, 0, NULL));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "unread-list-pill", 300);

  /* Ada opens the image with a click on its row. */
  rl_ui_input_click (GTK_WIDGET (doc_row (f->window, f->world.image)));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (f->window, "image"), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_window_is_active (GTK_WINDOW (f->window)), 3000));
  panel = rl_window_get_thread_panel (f->window);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (panel) == N_THREADS, 5000));
  banner = rl_window_get_banner (f->window, "unread");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (banner), 5000));
  g_assert_cmpstr (rl_banner_get_title (banner), ==, "2 new comments since you were here");
  g_assert_cmpstr (rl_banner_get_button_label (banner), ==, "Show");

  /* Nothing moved: the panel is at its top, nothing is selected, and the
   * thread below what it shows stays unread however long she looks. */
  scroll = rl_thread_panel_get_vadjustment (panel);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_revealers_still (GTK_WIDGET (f->window)), 3000));
  g_assert_cmpfloat (gtk_adjustment_get_value (scroll), ==, 0);
  g_assert_null (rl_review_state_get_selected_thread (rl_thread_panel_get_state (panel)));
  g_assert_false (in_view (f->window, f->last_thread));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "unread-banner", RL_UNREAD_READ_MS + 500);
  store = open_store (f->window);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (store, f->last_thread), ==, 2);
  g_assert_cmpuint (rl_doc_store_get_new_since_open (store), ==, 2);
  g_assert_cmpfloat (gtk_adjustment_get_value (scroll), ==, 0);
  g_assert_null (rl_review_state_get_selected_thread (rl_thread_panel_get_state (panel)));
  g_assert_true (row_shows (f->other, f->world.image, 2, 1, "2 new comments, 1 mentions you"));
  row = rl_ui_test_panel_row (panel, f->last_thread);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (rl_ui_test_find_class (GTK_WIDGET (row), "rl-new-tag")));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Thread 12 by Ada, 2 new comments");
  g_assert_cmpint (first_new_at (row), ==, 1);

  /* Alt+N: the unread thread, selected and brought into view. */
  rl_ui_input_key (GDK_KEY_n, GDK_ALT_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (g_strcmp0 (rl_review_state_get_selected_thread (rl_thread_panel_get_state (panel)),
                                              f->last_thread) == 0, 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (in_view (f->window, f->last_thread), 3000));
  g_assert_cmpfloat (gtk_adjustment_get_value (scroll), >, 0);

  /* Its "New" divider is above Bob's first reply, and only there. */
  g_assert_cmpint (first_new_at (row), ==, 1);

  /* Selected in her focused window, it is read: here, and on her other
   * computer, live; the divider stays where it was while she looks. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_thread_unread (store, f->last_thread) == 0, 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->other, f->world.image, 0, 0, NULL), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->window, f->world.image, 0, 0, NULL), 5000));
  g_assert_false (rl_banner_get_revealed (banner));
  g_assert_false (gtk_widget_get_visible (rl_ui_test_find_class (GTK_WIDGET (row), "rl-new-tag")));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, "Thread 12 by Ada");
  g_assert_cmpint (first_new_at (row), ==, 1);
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "unread-new-divider", 300);
}

/* What marks read, and what does not: a thread on screen in a window in
 * the background stays unread, and is read about a second after the
 * window is focused; Alt+Shift+N goes backwards from the end; Mark All as
 * Read and a reply read what was never on screen; each time the other
 * computer's list clears live. */
static void
test_what_reads (Fixture       *f,
                 gconstpointer  data)
{
  RlThreadPanel *panel;
  RlDocStore *store;
  g_autofree char *first = NULL;
  g_autofree char *eleventh = NULL;
  gint64 focused_at;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;

  start_windows (f);
  rl_ui_test_window_show (f->window, f->world.image, "image");
  panel = rl_window_get_thread_panel (f->window);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_n_rows (panel) == N_THREADS, 5000));
  store = open_store (f->window);
  first = g_strdup (rl_ui_test_store_thread_at (store, 0)->id);
  eleventh = g_strdup (rl_ui_test_store_thread_at (store, N_THREADS - 2)->id);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_revealers_still (GTK_WIDGET (f->window)), 3000));
  g_assert_true (in_view (f->window, first));

  /* The other computer has the keyboard: on screen here is not seen. */
  focus (f->other, f->window);
  bob_replies (f, first, "Fixed", NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_thread_unread (store, first) == 1, 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->other, f->world.image, 1, 0, "1 new comment"), 5000));
  rl_ui_test_run (RL_UNREAD_READ_MS + 500);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (store, first), ==, 1);
  g_assert_true (in_view (f->window, first));
  g_assert_true (gtk_widget_get_visible (rl_ui_test_find_class (GTK_WIDGET (rl_ui_test_panel_row (panel, first)),
                                                                "rl-new-tag")));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (rl_ui_test_panel_row (panel, first)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Thread 1 by Ada, 1 new comment");
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "unread-new-tag", 300);
  g_assert_cmpuint (rl_doc_store_get_thread_unread (store, first), ==, 1);
  g_assert_true (row_shows (f->other, f->world.image, 1, 0, "1 new comment"));

  /* Focused: read about a second later, and cleared over there. */
  focus (f->window, f->other);
  focused_at = g_get_monotonic_time ();
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_thread_unread (store, first) == 0, 3000));
  g_assert_cmpint (g_get_monotonic_time () - focused_at, >=, RL_UNREAD_READ_MS * 1000 / 2);
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->other, f->world.image, 0, 0, NULL), 5000));

  /* Alt+Shift+N from nothing selected: the last unread, then the one
   * before it. */
  bob_replies (f, eleventh, "Eleven", NULL);
  bob_replies (f, f->last_thread, "Twelve", NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_thread_unread (store, f->last_thread) == 1 &&
                                   rl_doc_store_get_thread_unread (store, eleventh) == 1, 5000));
  g_assert_null (selected_thread (f->window));
  rl_ui_input_key (GDK_KEY_n, GDK_ALT_MASK | GDK_SHIFT_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (g_strcmp0 (selected_thread (f->window), f->last_thread) == 0, 3000));
  rl_ui_input_key (GDK_KEY_n, GDK_ALT_MASK | GDK_SHIFT_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (g_strcmp0 (selected_thread (f->window), eleventh) == 0, 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->other, f->world.image, 0, 0, NULL), 5000));

  /* In the background, Mark All as Read reads what was not looked at. */
  focus (f->other, f->window);
  bob_replies (f, first, "Again", NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->other, f->world.image, 1, 0, "1 new comment"), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_thread_unread (store, first) == 1, 5000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.mark-all-read", NULL));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_thread_unread (store, first) == 0, 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->other, f->world.image, 0, 0, NULL), 5000));

  /* A reply reads its thread, in the background too. */
  bob_replies (f, first, "And again", NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_thread_unread (store, first) == 1, 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->other, f->world.image, 1, 0, "1 new comment"), 5000));
  g_assert_true (rl_doc_store_add_comment (store, first, "Thanks", &reply, &error));
  g_assert_no_error (error);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_doc_store_get_thread_unread (store, first) == 0, 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->other, f->world.image, 0, 0, NULL), 5000));
}

/* The banner's Show: the first unread thread, selected and in view; the
 * banner goes. */
static void
test_show (Fixture       *f,
           gconstpointer  data)
{
  RlBanner *banner;
  GtkWidget *show;

  start_windows (f);
  bob_replies (f, f->last_thread, "Moved it 4px left", NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->window, f->world.image, 1, 0, "1 new comment"), 5000));
  rl_ui_input_click (GTK_WIDGET (doc_row (f->window, f->world.image)));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (f->window, "image"), 5000));
  banner = rl_window_get_banner (f->window, "unread");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (banner), 5000));
  g_assert_cmpstr (rl_banner_get_title (banner), ==, "1 new comment since you were here");
  g_assert_null (selected_thread (f->window));
  show = rl_ui_test_find (GTK_WIDGET (banner), rl_ui_test_is_button_labelled, "Show");
  g_assert_nonnull (show);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (show), 3000));
  rl_ui_input_wait_still (show);
  rl_ui_input_click (show);
  g_assert_true (RL_UI_WAIT_UNTIL (g_strcmp0 (selected_thread (f->window), f->last_thread) == 0, 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (in_view (f->window, f->last_thread), 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_banner_get_revealed (banner), 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (row_shows (f->other, f->world.image, 0, 0, NULL), 5000));
}

int
main (int   argc,
      char *argv[])
{
  /* Screen readers' names and descriptions kept, to be read back. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  rl_ui_test_init (&argc, &argv);
  g_assert_true (rl_ui_input_available ());
  g_test_add ("/unread/two-computers", Fixture, NULL, fixture_setup, test_two_computers, fixture_teardown);
  g_test_add ("/unread/show", Fixture, NULL, fixture_setup, test_show, fixture_teardown);
  g_test_add ("/unread/what-reads", Fixture, NULL, fixture_setup, test_what_reads, fixture_teardown);
  return g_test_run ();
}
