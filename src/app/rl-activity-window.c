/* rl-activity-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-activity-window.h"

#include <glib/gi18n.h>

#include "rl-activity-feed.h"
#include "rl-relative-time.h"

struct _RlActivityWindow
{
  AdwWindow      parent_instance;
  RlApplication *application;   /* not referenced: it outlives its windows */
  GtkStack      *stack;         /* "empty" (Nothing new) or "list" */
  GtkBox        *groups;        /* a heading and a list per account */
  guint          rebuild_id;
};

G_DEFINE_FINAL_TYPE (RlActivityWindow, rl_activity_window, ADW_TYPE_WINDOW)

#define WATCH_CHANGED "rl-activity-changed"
#define WATCH_APP     "rl-activity-app"

/* ---- watching every account's feed ---------------------------------------- */

static void
on_feed_changed (GObject *watcher)
{
  GCallback changed = g_object_get_data (watcher, WATCH_CHANGED);

  ((void (*) (GObject *)) changed) (watcher);
}

/* Each open account's feed, heard once by watcher. */
static void
hook_feeds (GObject *watcher)
{
  RlApplication *application = g_object_get_data (watcher, WATCH_APP);
  GPtrArray *sessions = rl_application_get_sessions (application);

  for (guint i = 0; i < sessions->len; i++)
    {
      RlSession *session = g_ptr_array_index (sessions, i);
      g_autoptr(RlActivityFeed) feed = rl_activity_feed_get (rl_session_get_connection (session),
                                                             rl_session_get_api (session));

      if (g_signal_handler_find (feed, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL, on_feed_changed,
                                 watcher) != 0)
        continue;
      g_signal_connect_object (feed, "unread-changed", G_CALLBACK (on_feed_changed), watcher, G_CONNECT_SWAPPED);
      g_signal_connect_object (feed, "notify::aseq", G_CALLBACK (on_feed_changed), watcher, G_CONNECT_SWAPPED);
      g_signal_connect_object (rl_activity_feed_get_recent (feed), "items-changed", G_CALLBACK (on_feed_changed),
                               watcher, G_CONNECT_SWAPPED);
    }
}

static void
on_accounts_changed (GObject *watcher)
{
  hook_feeds (watcher);
  on_feed_changed (watcher);
}

void
rl_activity_watch (RlApplication *application,
                   GObject       *watcher,
                   GCallback      changed)
{
  g_return_if_fail (RL_IS_APPLICATION (application));
  g_return_if_fail (G_IS_OBJECT (watcher));
  g_return_if_fail (changed != NULL);

  g_object_set_data (watcher, WATCH_APP, application);
  g_object_set_data (watcher, WATCH_CHANGED, changed);
  /* The accounts menu is rebuilt whenever a session comes, goes or is
   * welcomed. */
  g_signal_connect_object (rl_application_get_accounts_menu (application), "items-changed",
                           G_CALLBACK (on_accounts_changed), watcher, G_CONNECT_SWAPPED);
  hook_feeds (watcher);
}

guint
rl_activity_count_unread (RlApplication *application)
{
  GPtrArray *sessions;
  guint total = 0;

  g_return_val_if_fail (RL_IS_APPLICATION (application), 0);

  sessions = rl_application_get_sessions (application);
  for (guint i = 0; i < sessions->len; i++)
    {
      RlSession *session = g_ptr_array_index (sessions, i);
      g_autoptr(RlActivityFeed) feed = rl_activity_feed_get (rl_session_get_connection (session),
                                                             rl_session_get_api (session));
      g_autoptr(GPtrArray) unread = rl_activity_feed_dup_unread (feed);

      for (guint j = 0; j < unread->len; j++)
        {
          RlActivityUnread *line = g_ptr_array_index (unread, j);

          total += (guint) CLAMP (line->counts.comments, 0, G_MAXUINT - total);
        }
    }
  return total;
}

/* ---- rows ----------------------------------------------------------------- */

static void
set_open_target (GtkWidget  *row,
                 const char *account_key,
                 const char *doc_id,
                 const char *thread_id)
{
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "app.open-thread");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "(sss)", account_key, doc_id, thread_id);
}

static GtkWidget *
unread_row (const char             *account_key,
            const RlActivityUnread *line)
{
  guint comments = (guint) CLAMP (line->counts.comments, 0, G_MAXUINT);
  guint threads = (guint) CLAMP (line->counts.threads, 0, G_MAXUINT);
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *count = g_strdup_printf ("%u", comments);
  g_autofree char *new_comments = NULL;
  g_autofree char *in_threads = NULL;
  g_autofree char *counts = NULL;
  GtkWidget *pill;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), line->doc.title ? line->doc.title : "");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* Each count in its own plural: "3 new comments" "in 1 thread". */
  new_comments = g_strdup_printf (ngettext ("%u new comment", "%u new comments", comments), comments);
  /* Translators: after "3 new comments" under a document in the Activity
   * view: in how many threads they are */
  in_threads = g_strdup_printf (ngettext ("in %u thread", "in %u threads", threads), threads);
  /* Translators: under a document's title in the Activity view: "3 new
   * comments" then "in 2 threads" */
  counts = g_strdup_printf (C_("activity counts", "%s %s"), new_comments, in_threads);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), counts);
  if (line->counts.mentions > 0)
    {
      GtkWidget *at = gtk_label_new ("@");

      gtk_widget_add_css_class (at, "rl-unread-mention");
      /* Translators: the "@" beside a document in the Activity view */
      gtk_widget_set_tooltip_text (at, _("Mentions you"));
      gtk_widget_set_valign (at, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), at);
    }
  pill = gtk_label_new (count);
  gtk_widget_add_css_class (pill, "rl-unread-pill");
  gtk_widget_add_css_class (pill, "numeric");
  gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), pill);
  set_open_target (row, account_key, line->doc.id, "");
  return row;
}

static GtkWidget *
item_row (const char       *account_key,
          const RlActivity *activity,
          gint64            now_ms)
{
  GtkWidget *row = adw_action_row_new ();
  const char *who = activity->actor.name && *activity->actor.name ? activity->actor.name : _("Someone");
  const char *doc_title = activity->doc.title ? activity->doc.title : "";
  int number = (int) CLAMP (activity->thread_number, 0, G_MAXINT);
  g_autofree char *title = NULL;
  g_autofree char *when = rl_relative_time_format (activity->at, now_ms);
  g_autofree char *subtitle = NULL;
  g_autofree char *body = NULL;
  GtkWidget *time;

  if (activity->kind == RL_ACTIVITY_MENTION)
    title = g_strdup_printf (_("%s mentioned you in #%d on %s"), who, number, doc_title);
  else
    title = g_strdup_printf (_("%s replied in #%d on %s"), who, number, doc_title);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (activity->comment != NULL && activity->comment->body != NULL)
    {
      body = g_strdup (activity->comment->body);
      g_strdelimit (body, "\n\r\t", ' ');
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), body);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
    }
  time = gtk_label_new (when);
  gtk_widget_add_css_class (time, "dim-label");
  gtk_widget_add_css_class (time, "caption");
  gtk_widget_set_valign (time, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), time);
  /* Translators: a mention or reply in the Activity view for screen
   * readers: "Bob replied in #4 on Landing page, 5 minutes ago: the text" */
  subtitle = g_strdup_printf (_("%s, %s: %s"), title, when, body ? body : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, subtitle, -1);
  set_open_target (row, account_key, activity->doc.id, activity->thread);
  return row;
}

/* What an account has new: its unread documents, then its recent mentions
 * and replies in them; NULL when nothing. */
static GtkWidget *
account_list (RlSession *session,
              gint64     now_ms)
{
  g_autoptr(RlActivityFeed) feed = rl_activity_feed_get (rl_session_get_connection (session),
                                                         rl_session_get_api (session));
  g_autoptr(GPtrArray) unread = rl_activity_feed_dup_unread (feed);
  GListModel *recent = rl_activity_feed_get_recent (feed);
  g_autofree char *key = rl_session_dup_key (session);
  GtkWidget *list;
  guint shown = 0;

  if (unread->len == 0)
    return NULL;
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < unread->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (list), unread_row (key, g_ptr_array_index (unread, i)));
  for (guint i = 0; i < g_list_model_get_n_items (recent) && shown < RL_ACTIVITY_WINDOW_MAX_RECENT; i++)
    {
      g_autoptr(RlActivityItem) item = g_list_model_get_item (recent, i);
      const RlActivity *activity = rl_activity_item_get_activity (item);
      RlUnreadCounts counts;

      /* What is new: in a document still unread. */
      if (activity->thread == NULL || !rl_activity_feed_get_unread (feed, activity->doc.id, &counts))
        continue;
      gtk_list_box_append (GTK_LIST_BOX (list), item_row (key, activity, now_ms));
      shown++;
    }
  return list;
}

/* The focused row's target, to focus it again once rebuilt. */
static GVariant *
focused_target (RlActivityWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  while (focus != NULL && !GTK_IS_LIST_BOX_ROW (focus))
    focus = gtk_widget_get_parent (focus);
  if (focus == NULL || gtk_actionable_get_action_target_value (GTK_ACTIONABLE (focus)) == NULL)
    return NULL;
  return g_variant_ref (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (focus)));
}

static void
focus_target (RlActivityWindow *self,
              GVariant         *target)
{
  for (GtkWidget *list = gtk_widget_get_first_child (GTK_WIDGET (self->groups)); list;
       list = gtk_widget_get_next_sibling (list))
    for (GtkWidget *row = GTK_IS_LIST_BOX (list) ? gtk_widget_get_first_child (list) : NULL; row;
         row = gtk_widget_get_next_sibling (row))
      {
        GVariant *its = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (row));

        if (its != NULL && g_variant_equal (its, target))
          {
            gtk_widget_grab_focus (row);
            return;
          }
      }
}

static gboolean
rebuild (gpointer data)
{
  RlActivityWindow *self = data;
  GPtrArray *sessions = rl_application_get_sessions (self->application);
  g_autoptr(GVariant) focused = focused_target (self);
  gint64 now_ms = g_get_real_time () / 1000;
  GtkWidget *child;
  gboolean any = FALSE;

  self->rebuild_id = 0;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->groups))) != NULL)
    gtk_box_remove (self->groups, child);
  for (guint i = 0; i < sessions->len; i++)
    {
      RlSession *session = g_ptr_array_index (sessions, i);
      GtkWidget *list = account_list (session, now_ms);

      if (list == NULL)
        continue;
      if (sessions->len > 1)
        {
          GtkWidget *heading = gtk_label_new (rl_session_get_label (session));

          gtk_label_set_xalign (GTK_LABEL (heading), 0);
          gtk_label_set_ellipsize (GTK_LABEL (heading), PANGO_ELLIPSIZE_END);
          gtk_widget_add_css_class (heading, "heading");
          if (any)
            gtk_widget_set_margin_top (heading, 18);
          gtk_box_append (self->groups, heading);
          gtk_accessible_update_relation (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_RELATION_LABELLED_BY, heading,
                                          NULL, -1);
        }
      gtk_box_append (self->groups, list);
      any = TRUE;
    }
  gtk_stack_set_visible_child_name (self->stack, any ? "list" : "empty");
  if (focused != NULL)
    focus_target (self, focused);
  return G_SOURCE_REMOVE;
}

/* Coalesced: a snapshot changes many things at once. */
static void
queue_rebuild (RlActivityWindow *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (rebuild, self);
}

/* ---- object ------------------------------------------------------------- */

static void
rl_activity_window_dispose (GObject *object)
{
  RlActivityWindow *self = RL_ACTIVITY_WINDOW (object);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  G_OBJECT_CLASS (rl_activity_window_parent_class)->dispose (object);
}

static void
rl_activity_window_class_init (RlActivityWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rl_activity_window_dispose;
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rl_activity_window_init (RlActivityWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *empty = adw_status_page_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  gtk_window_set_title (GTK_WINDOW (self), _("Activity"));
  gtk_window_set_default_size (GTK_WINDOW (self), 480, 600);
  gtk_box_append (GTK_BOX (box), header);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "mail-unread-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("Nothing new"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Unread comments, mentions and replies of every account show here"));
  gtk_stack_add_named (self->stack, empty, "empty");

  self->groups = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_widget_set_margin_top (GTK_WIDGET (self->groups), 18);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->groups), 18);
  gtk_widget_set_margin_start (GTK_WIDGET (self->groups), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->groups), 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->groups));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_stack_add_named (self->stack, scrolled, "list");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), box);
}

RlActivityWindow *
rl_activity_window_present (RlApplication *application,
                            GtkWindow     *parent)
{
  RlActivityWindow *self = NULL;

  g_return_val_if_fail (RL_IS_APPLICATION (application), NULL);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l && !self; l = l->next)
    if (RL_IS_ACTIVITY_WINDOW (l->data))
      self = l->data;
  if (self == NULL)
    {
      self = g_object_new (RL_TYPE_ACTIVITY_WINDOW, "application", application, NULL);
      self->application = application;
      rl_activity_watch (application, G_OBJECT (self), G_CALLBACK (queue_rebuild));
      rebuild (self);
    }
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  gtk_window_present (GTK_WINDOW (self));
  return self;
}
