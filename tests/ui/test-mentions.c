/* test-mentions.c — "@" in a comment completes the tenant's members, and
 * mentions show with current names, under Xvfb with real keys (XTest),
 * against the real server
 *
 * Ada (her real window) replies to Carol's marker; Bob, Carol and Émile
 * are her teammates. What the server keeps is read from Bob's own
 * connection; what Bob is told, from his activity feed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rl-activity-feed.h"
#include "rl-comment-row.h"
#include "rl-composer-base.h"
#include "rl-image-view-private.h"
#include "rl-mention-completer-private.h"
#include "rl-test-server.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"

typedef struct
{
  RlTestTeam      team;
  RlTestServer   *server;
  const char     *ada;
  const char     *bob;
  const char     *carol;
  const char     *emile;
  const char     *image;
  char           *bob_id;
  char           *ada_id;
  char           *thread_id;    /* Carol's marker */
  RlConnection   *carol_conn;
  RlDocStore     *carol_store;
  RlConnection   *bob_conn;
  RlApi          *bob_api;
  RlDocStore     *bob_store;    /* what the server keeps, as Bob gets it */
  RlActivityFeed *bob_feed;
  GPtrArray      *bob_told;     /* of RlActivity*: Bob's feed items */
  RlSession      *session;      /* Ada's */
  RlWindow       *window;
  RlThreadPanel  *panel;
} Fixture;

static void
keep_activity (RlActivityFeed   *feed,
               const RlActivity *activity,
               GPtrArray        *told)
{
  g_ptr_array_add (told, rl_activity_copy (activity));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mockup = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "demo",
                                              "landing-mockup.png", NULL);

  rl_test_team_init (&f->team, "Ada Lovelace:member", &f->ada, "Bob Smith:member", &f->bob,
                     "Carol Díaz:member", &f->carol, "Émile Zola:member", &f->emile, NULL);
  f->server = f->team.server;
  f->image = rl_test_team_add_doc (&f->team, "acme", "Landing page", mockup);
  rl_test_server_start (f->server);
  f->bob_id = rl_ui_test_user_id (f->server, f->bob);
  f->ada_id = rl_ui_test_user_id (f->server, f->ada);

  f->carol_conn = rl_ui_test_connect (f->server, f->carol);
  f->carol_store = rl_ui_test_open_store (f->carol_conn, f->image, RL_DOC_KIND_IMAGE);
  f->thread_id = rl_ui_test_store_create_marker (f->carol_store, 0.3, 0.4, "Header spacing?");

  f->bob_conn = rl_ui_test_connect (f->server, f->bob);
  f->bob_api = rl_api_new (f->server->ws_base, f->bob, NULL, &error);
  g_assert_no_error (error);
  f->bob_store = rl_ui_test_open_store (f->bob_conn, f->image, RL_DOC_KIND_IMAGE);
  f->bob_feed = g_object_ref (rl_activity_feed_get (f->bob_conn, f->bob_api));
  f->bob_told = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_activity_free);
  g_signal_connect (f->bob_feed, "item-added", G_CALLBACK (keep_activity), f->bob_told);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_activity_feed_is_synced (f->bob_feed), 5000));

  f->session = rl_ui_test_session_new (f->server->ws_base, f->ada, NULL);
  f->window = rl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 700);
  rl_ui_test_window_start (f->window, f->session, 1);
  rl_ui_test_window_show (f->window, f->image, "image");
  f->panel = rl_window_get_thread_panel (f->window);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_panel_row (f->panel, f->thread_id) != NULL &&
                                   rl_ui_test_widget_placed (GTK_WIDGET (f->panel)), 5000));
  /* Ada's app has listed her teammates once welcomed. */
  g_assert_true (RL_UI_WAIT_UNTIL (
    g_list_model_get_n_items (rl_api_get_members (rl_session_get_api (f->session))) == 4, 5000));
  rl_ui_test_run (200);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_ui_test_close_window (&f->window, &f->session);
  g_clear_object (&f->bob_feed);
  g_clear_pointer (&f->bob_told, g_ptr_array_unref);
  g_clear_object (&f->bob_store);
  g_clear_object (&f->bob_api);
  rl_connection_stop (f->bob_conn);
  g_clear_object (&f->bob_conn);
  g_clear_object (&f->carol_store);
  rl_connection_stop (f->carol_conn);
  g_clear_object (&f->carol_conn);
  g_free (f->thread_id);
  g_free (f->bob_id);
  g_free (f->ada_id);
  rl_test_team_clear (&f->team);
}

/* ---- what Ada sees and does ----------------------------------------------- */

static RlThreadRow *
row (Fixture *f)
{
  RlThreadRow *row = rl_ui_test_panel_row (f->panel, f->thread_id);

  g_assert_nonnull (row);
  return row;
}

/* A click on widget once it is in place and nothing in the panel moves. */
static void
click (Fixture   *f,
       GtkWidget *widget)
{
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_widget_placed (widget), 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_revealers_still (GTK_WIDGET (f->panel)), 3000));
  rl_ui_input_click (widget);
}

/* Ada clicks into the reply box of Carol's marker (a click on its number
 * first, which opens it). */
static GtkTextView *
focus_reply (Fixture *f)
{
  GtkTextView *view = rl_ui_test_row_reply_view (row (f));

  if (!gtk_widget_get_mapped (GTK_WIDGET (view)))
    click (f, rl_ui_test_find_class (GTK_WIDGET (row (f)), "rl-thread-badge"));
  click (f, GTK_WIDGET (view));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  return view;
}

static RlMentionCompleter *
completer_of (GtkTextView *view)
{
  return rl_mention_completer_attach (view);
}

static gboolean
list_shown (GtkTextView *view)
{
  RlMentionCompleter *completer = completer_of (view);

  return rl_mention_completer_is_open (completer) &&
         rl_ui_test_widget_placed (rl_mention_completer_get_list (completer));
}

/* The names the list shows, in order, as "Name, Name". */
static char *
listed_names (GtkTextView *view)
{
  GtkWidget *list = rl_mention_completer_get_list (completer_of (view));
  g_autoptr(GString) names = g_string_new (NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (list); child; child = gtk_widget_get_next_sibling (child))
    {
      const char *name = g_object_get_data (G_OBJECT (child), "rl-member-name");

      g_assert_true (rl_ui_test_has_accessible_label (child, name));
      g_string_append_printf (names, "%s%s", names->len ? ", " : "", name);
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* The selected row's member's name. */
static const char *
selected_name (GtkTextView *view)
{
  GtkListBox *list = GTK_LIST_BOX (rl_mention_completer_get_list (completer_of (view)));
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (list);

  return selected ? g_object_get_data (G_OBJECT (selected), "rl-member-name") : NULL;
}

static void
assert_text (GtkTextView *view,
             const char  *text)
{
  g_autofree char *now = rl_ui_test_text_view_text (view);

  g_assert_cmpstr (now, ==, text);
}

/* The comment of Carol's thread with body, as Bob's store has it (what
 * the server sent him), once there. */
static const RlComment *
kept_comment (Fixture    *f,
              const char *body)
{
  const RlComment *found = NULL;

  g_assert_true (RL_UI_WAIT_UNTIL (({
    const RlThread *thread = rl_ui_test_store_thread (f->bob_store, f->thread_id);

    found = NULL;
    for (guint i = 0; thread != NULL && i < thread->comments->len; i++)
      if (g_strcmp0 (((RlComment *) g_ptr_array_index (thread->comments, i))->body, body) == 0)
        found = g_ptr_array_index (thread->comments, i);
    found != NULL;
  }), 5000));
  return found;
}

/* The comment row of Ada's panel whose body label shows text, once one does. */
static GtkLabel *
body_label_saying (Fixture    *f,
                   const char *text)
{
  GtkWidget *label = NULL;

  g_assert_true (RL_UI_WAIT_UNTIL ((label = rl_ui_test_find_shown (GTK_WIDGET (row (f)), rl_ui_test_is_label_saying,
                                                                   text)) != NULL, 5000));
  g_assert_true (rl_ui_test_has_css_class (label, "rl-comment-body"));
  return GTK_LABEL (label);
}

/* The label's attributes highlight exactly [start, end) of its text (bytes):
 * a background there and nowhere else; bold when strong. */
static void
assert_highlight (GtkLabel   *label,
                  const char *span,
                  gboolean    strong)
{
  PangoAttrList *attrs = gtk_label_get_attributes (label);
  const char *text = gtk_label_get_text (label);
  const char *at = strstr (text, span);
  g_autoptr(GSList) list = NULL;
  gboolean background = FALSE, bold = FALSE;

  g_assert_nonnull (attrs);
  g_assert_nonnull (at);
  list = pango_attr_list_get_attributes (attrs);
  for (GSList *l = list; l; l = l->next)
    {
      PangoAttribute *attr = l->data;

      if (attr->klass->type == PANGO_ATTR_BACKGROUND)
        {
          g_assert_cmpuint (attr->start_index, ==, at - text);
          g_assert_cmpuint (attr->end_index, ==, at - text + strlen (span));
          background = TRUE;
        }
      else if (attr->klass->type == PANGO_ATTR_WEIGHT)
        bold = ((PangoAttrInt *) attr)->value >= PANGO_WEIGHT_BOLD;
    }
  g_slist_free_full (g_steal_pointer (&list), (GDestroyNotify) pango_attribute_destroy);
  g_assert_true (background);
  g_assert_true (bold == strong);
}

/* ---- the tests ---------------------------------------------------------------- */

/* Ada calls Bob in: "@bo" lists Bob alone, Down and Enter insert him, the
 * server keeps the mention and Bob's feed tells him; renamed, he shows
 * with his new name in Ada's view. */
static void
test_complete_and_send (Fixture       *f,
                        gconstpointer  data)
{
  GtkTextView *view = focus_reply (f);
  g_autofree char *names = NULL;
  g_autofree char *renamed = NULL;
  const RlComment *comment;
  const RlMention *mention;
  const RlActivity *item;
  GtkLabel *label;

  /* "@" alone: every teammate but Ada herself, the first one selected;
   * Down moves (and wraps round). */
  rl_ui_input_type ("Looks off @");
  g_assert_true (RL_UI_WAIT_UNTIL (list_shown (view), 3000));
  names = listed_names (view);
  g_assert_cmpstr (names, ==, "Bob Smith, Carol Díaz, Émile Zola");
  g_assert_cmpstr (selected_name (view), ==, "Bob Smith");
  rl_ui_input_key (GDK_KEY_Down, 0);
  g_assert_cmpstr (selected_name (view), ==, "Carol Díaz");
  rl_ui_input_key (GDK_KEY_Up, 0);
  rl_ui_input_key (GDK_KEY_Up, 0);
  g_assert_cmpstr (selected_name (view), ==, "Émile Zola");
  /* The text kept the focus throughout. */
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));

  /* "@bo": Bob alone. */
  rl_ui_input_type ("bo");
  g_assert_true (RL_UI_WAIT_UNTIL (list_shown (view), 3000));
  g_clear_pointer (&names, g_free);
  names = listed_names (view);
  g_assert_cmpstr (names, ==, "Bob Smith");
  rl_ui_test_run (300);
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (f->window),
                                      rl_mention_completer_get_popover (completer_of (view)), "mentions-list");
  rl_ui_input_key (GDK_KEY_Down, 0);
  g_assert_cmpstr (selected_name (view), ==, "Bob Smith");
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_mention_completer_is_open (completer_of (view)), 3000));
  assert_text (view, "Looks off @Bob Smith ");
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));

  /* Sent: the server keeps the mention, in code points of the body. */
  rl_ui_input_key (GDK_KEY_Return, GDK_CONTROL_MASK);
  comment = kept_comment (f, "Looks off @Bob Smith");
  g_assert_cmpuint (comment->mentions->len, ==, 1);
  mention = g_ptr_array_index (comment->mentions, 0);
  g_assert_cmpstr (mention->user, ==, f->bob_id);
  g_assert_cmpint (mention->start, ==, 10);
  g_assert_cmpint (mention->end, ==, 20);

  /* Bob is told: a mention, of this comment. */
  g_assert_true (RL_UI_WAIT_UNTIL (f->bob_told->len >= 1, 5000));
  item = g_ptr_array_index (f->bob_told, 0);
  g_assert_cmpint (item->kind, ==, RL_ACTIVITY_MENTION);
  g_assert_cmpstr (item->thread, ==, f->thread_id);
  g_assert_cmpstr (item->actor.id, ==, f->ada_id);
  g_assert_cmpstr (item->comment->body, ==, "Looks off @Bob Smith");

  /* Ada's view: highlighted, not as strongly as a mention of her. */
  label = body_label_saying (f, "Looks off @Bob Smith");
  assert_highlight (label, "@Bob Smith", FALSE);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_revealers_still (GTK_WIDGET (f->panel)), 3000));
  rl_ui_test_screenshot_settled (GTK_WIDGET (f->window), "mentions-highlighted", 300);

  /* Bob is renamed: the comment is the same, the name shown is his new
   * one once Ada's app lists the members again (as "@" does). */
  renamed = rl_test_server_admin (f->server, "user", "rename", "--tenant", "acme", f->bob_id, "Robert Smith",
                                  NULL);
  view = focus_reply (f);
  rl_ui_input_type ("@");
  label = body_label_saying (f, "Looks off @Robert Smith");
  assert_highlight (label, "@Robert Smith", FALSE);
  g_assert_true (RL_UI_WAIT_UNTIL (list_shown (view), 3000));
  g_clear_pointer (&names, g_free);
  names = listed_names (view);
  g_assert_cmpstr (names, ==, "Robert Smith, Carol Díaz, Émile Zola");
  /* What the server keeps did not change: the id, the text as typed. */
  g_assert_cmpstr (kept_comment (f, "Looks off @Bob Smith")->id, ==, comment->id);
}

/* A mention of Ada is shown stronger in her own view. */
static void
test_mention_of_me (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_mention_free);
  g_autoptr(GError) error = NULL;
  GtkLabel *label;

  g_ptr_array_add (mentions, rl_mention_new (f->ada_id, 0, 13));
  g_ptr_array_add (mentions, rl_mention_new (f->bob_id, 18, 28));
  g_assert_true (rl_doc_store_add_comment_with_mentions (f->carol_store, f->thread_id,
                                                         "@Ada Lovelace and @Bob Smith, look", mentions, NULL,
                                                         &error));
  g_assert_no_error (error);
  label = body_label_saying (f, "@Ada Lovelace and @Bob Smith, look");
  {
    PangoAttrList *attrs = gtk_label_get_attributes (label);
    g_autoptr(GSList) list = pango_attr_list_get_attributes (attrs);
    guint backgrounds = 0, bold = 0;

    for (GSList *l = list; l; l = l->next)
      {
        PangoAttribute *attr = l->data;

        if (attr->klass->type == PANGO_ATTR_BACKGROUND)
          backgrounds++;
        /* Only Ada's own span is bold: bytes 0 to 13. */
        if (attr->klass->type == PANGO_ATTR_WEIGHT)
          {
            g_assert_cmpuint (attr->start_index, ==, 0);
            g_assert_cmpuint (attr->end_index, ==, 13);
            bold++;
          }
      }
    g_slist_free_full (g_steal_pointer (&list), (GDestroyNotify) pango_attribute_destroy);
    g_assert_cmpuint (backgrounds, ==, 2);
    g_assert_cmpuint (bold, ==, 1);
  }
}

/* Escape closes the list and nothing else: the reply is kept, still being
 * typed; in a comment being edited, the edit goes on. */
static void
test_escape_keeps_draft (Fixture       *f,
                         gconstpointer  data)
{
  GtkTextView *view = focus_reply (f);
  g_autofree char *names = NULL;
  GtkWidget *edit_button;
  RlCommentRow *comment_row;
  GtkTextView *edit_view;

  rl_ui_input_type ("Check @c");
  g_assert_true (RL_UI_WAIT_UNTIL (list_shown (view), 3000));
  names = listed_names (view);
  g_assert_cmpstr (names, ==, "Carol Díaz");
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_mention_completer_is_open (completer_of (view)), 3000));
  rl_ui_test_run (200);
  assert_text (view, "Check @c");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  /* Typing on after it does not bring the list back for that "@". */
  rl_ui_input_type ("a");
  rl_ui_test_run (200);
  g_assert_false (rl_mention_completer_is_open (completer_of (view)));
  assert_text (view, "Check @ca");
  /* A new "@" does, case and accents aside ("emi" is Émile). */
  rl_ui_input_type (" @EMI");
  g_assert_true (RL_UI_WAIT_UNTIL (list_shown (view), 3000));
  g_clear_pointer (&names, g_free);
  names = listed_names (view);
  g_assert_cmpstr (names, ==, "Émile Zola");
  rl_ui_input_key (GDK_KEY_Tab, 0);
  assert_text (view, "Check @ca @Émile Zola ");
  rl_ui_input_key (GDK_KEY_Return, GDK_CONTROL_MASK);
  g_assert_cmpuint (kept_comment (f, "Check @ca @Émile Zola")->mentions->len, ==, 1);

  /* Ada edits her reply (F2 on it): its mention is a span again; "@" and
   * Escape close the list, the edit stays open. */
  body_label_saying (f, "Check @ca @Émile Zola");
  comment_row = RL_COMMENT_ROW (gtk_widget_get_ancestor (
    GTK_WIDGET (body_label_saying (f, "Check @ca @Émile Zola")), RL_TYPE_COMMENT_ROW));
  edit_button = rl_ui_test_find_action (GTK_WIDGET (comment_row), "comment.edit");
  click (f, edit_button);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_comment_row_is_editing (comment_row), 3000));
  edit_view = GTK_TEXT_VIEW (rl_ui_test_find_type (GTK_WIDGET (comment_row), GTK_TYPE_TEXT_VIEW));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_has_focus (GTK_WIDGET (edit_view)), 3000));
  {
    g_autoptr(GPtrArray) spans = rl_mention_completer_dup_mentions (completer_of (edit_view));

    g_assert_cmpuint (spans->len, ==, 1);
    g_assert_cmpint (((RlMention *) g_ptr_array_index (spans, 0))->start, ==, 10);
    g_assert_cmpint (((RlMention *) g_ptr_array_index (spans, 0))->end, ==, 21);
  }
  rl_ui_input_type (" and @bob");
  g_assert_true (RL_UI_WAIT_UNTIL (list_shown (edit_view), 3000));
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_mention_completer_is_open (completer_of (edit_view)), 3000));
  rl_ui_test_run (200);
  g_assert_true (rl_comment_row_is_editing (comment_row));
  assert_text (edit_view, "Check @ca @Émile Zola and @bob");
  /* Saved: the kept mention goes with it, "@bob" typed is only text. */
  rl_ui_input_key (GDK_KEY_Return, GDK_CONTROL_MASK);
  {
    const RlComment *edited = kept_comment (f, "Check @ca @Émile Zola and @bob");

    g_assert_cmpuint (edited->mentions->len, ==, 1);
    g_assert_cmpint (((RlMention *) g_ptr_array_index (edited->mentions, 0))->start, ==, 10);
  }
}

/* A mention edited in its middle is plain text again: not sent as one. */
static void
test_broken_span (Fixture       *f,
                  gconstpointer  data)
{
  GtkTextView *view = focus_reply (f);
  const RlComment *comment;

  rl_ui_input_type ("Ping @bo");
  g_assert_true (RL_UI_WAIT_UNTIL (list_shown (view), 3000));
  rl_ui_input_key (GDK_KEY_Return, 0);
  assert_text (view, "Ping @Bob Smith ");
  {
    g_autoptr(GPtrArray) spans = rl_mention_completer_dup_mentions (completer_of (view));

    g_assert_cmpuint (spans->len, ==, 1);
  }
  /* Into "Smith": after "Sm", an "x". */
  for (guint i = 0; i < 4; i++)
    rl_ui_input_key (GDK_KEY_Left, 0);
  rl_ui_input_type ("x");
  assert_text (view, "Ping @Bob Smxith ");
  {
    g_autoptr(GPtrArray) spans = rl_mention_completer_dup_mentions (completer_of (view));

    g_assert_cmpuint (spans->len, ==, 0);
  }
  /* A click on a listed member inserts them too (the text keeps the focus). */
  rl_ui_input_key (GDK_KEY_End, GDK_CONTROL_MASK);
  rl_ui_input_type ("@em");
  g_assert_true (RL_UI_WAIT_UNTIL (list_shown (view), 3000));
  rl_ui_input_wait_still (rl_mention_completer_get_popover (completer_of (view)));
  rl_ui_input_click (gtk_widget_get_first_child (rl_mention_completer_get_list (completer_of (view))));
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_mention_completer_is_open (completer_of (view)), 3000));
  assert_text (view, "Ping @Bob Smxith @Émile Zola ");
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (view)));
  rl_ui_input_key (GDK_KEY_Return, GDK_CONTROL_MASK);
  comment = kept_comment (f, "Ping @Bob Smxith @Émile Zola");
  g_assert_cmpuint (comment->mentions->len, ==, 1);
  {
    g_autofree char *emile_id = rl_ui_test_user_id (f->server, f->emile);

    g_assert_cmpstr (((RlMention *) g_ptr_array_index (comment->mentions, 0))->user, ==, emile_id);
    g_assert_cmpint (((RlMention *) g_ptr_array_index (comment->mentions, 0))->start, ==, 17);
  }
  /* Bob was called in by no one. */
  rl_ui_test_run (300);
  for (guint i = 0; i < f->bob_told->len; i++)
    g_assert_cmpint (((RlActivity *) g_ptr_array_index (f->bob_told, i))->kind, !=, RL_ACTIVITY_MENTION);
}

/* The marker composer completes too; Escape there closes the list, and
 * the composer (a popover itself) stays open with the text. */
static void
test_marker_composer (Fixture       *f,
                      gconstpointer  data)
{
  RlImageView *image_view = rl_window_get_image_view (f->window);
  RlComposerBase *composer = RL_COMPOSER_BASE (rl_image_view_get_composer (image_view));
  GtkTextView *view = GTK_TEXT_VIEW (rl_composer_base_get_text_view (composer));
  g_autofree char *names = NULL;
  g_autofree char *text = NULL;
  const RlThread *thread = NULL;
  const RlComment *first;
  const RlMention *mention;

  /* A click on the image, away from Carol's pin, opens the composer. */
  rl_ui_input_click_at (GTK_WIDGET (image_view), gtk_widget_get_width (GTK_WIDGET (image_view)) * 0.6,
                        gtk_widget_get_height (GTK_WIDGET (image_view)) * 0.6, 1);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (composer)) &&
                                   gtk_widget_has_focus (GTK_WIDGET (view)), 3000));
  rl_ui_input_type ("New one for @");
  g_assert_true (RL_UI_WAIT_UNTIL (list_shown (view), 3000));
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_mention_completer_is_open (completer_of (view)), 3000));
  rl_ui_test_run (200);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (composer)));
  text = rl_composer_base_dup_text (composer);
  g_assert_cmpstr (text, ==, "New one for @");

  rl_ui_input_key (GDK_KEY_BackSpace, 0);
  rl_ui_input_type ("@dÍA");
  g_assert_true (RL_UI_WAIT_UNTIL (list_shown (view), 3000));
  names = listed_names (view);
  g_assert_cmpstr (names, ==, "Carol Díaz");
  rl_ui_input_key (GDK_KEY_Return, 0);
  assert_text (view, "New one for @Carol Díaz ");
  rl_ui_input_key (GDK_KEY_Return, GDK_CONTROL_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (composer)), 3000));

  /* The server keeps the new thread's first comment with the mention. */
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_store_n_threads (f->bob_store) == 2 &&
                                   (thread = rl_ui_test_store_thread_at (f->bob_store, 1)) != NULL &&
                                   thread->comments->len == 1, 5000));
  first = g_ptr_array_index (thread->comments, 0);
  g_assert_cmpstr (first->body, ==, "New one for @Carol Díaz");
  g_assert_cmpuint (first->mentions->len, ==, 1);
  mention = g_ptr_array_index (first->mentions, 0);
  g_assert_cmpint (mention->start, ==, 12);
  g_assert_cmpint (mention->end, ==, 23);
  {
    g_autofree char *carol_id = rl_ui_test_user_id (f->server, f->carol);

    g_assert_cmpstr (mention->user, ==, carol_id);
  }
}

int
main (int   argc,
      char *argv[])
{
  /* The accessible names are checked: GTK keeps them only for this. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/mentions/complete-and-send", Fixture, NULL, fixture_setup, test_complete_and_send,
              fixture_teardown);
  g_test_add ("/mentions/mention-of-me", Fixture, NULL, fixture_setup, test_mention_of_me, fixture_teardown);
  g_test_add ("/mentions/escape-keeps-draft", Fixture, NULL, fixture_setup, test_escape_keeps_draft,
              fixture_teardown);
  g_test_add ("/mentions/broken-span", Fixture, NULL, fixture_setup, test_broken_span, fixture_teardown);
  g_test_add ("/mentions/marker-composer", Fixture, NULL, fixture_setup, test_marker_composer, fixture_teardown);
  return g_test_run ();
}
