/* rl-thread-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-thread-panel.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "rl-comment-row.h"
#include "rl-kept-list-model.h"
#include "rl-review-view.h"
#include "rl-thread-row.h"

struct _RlThreadPanel
{
  GtkWidget           parent_instance;

  GtkWidget          *version_bar;
  GtkToggleButton    *this_version_button;
  GtkToggleButton    *all_versions_button;
  GtkStack           *stack;
  AdwStatusPage      *empty_page;
  GtkScrolledWindow  *scroller;
  GtkListBox         *list;

  RlReviewState      *state;
  RlDocStore         *store;       /* the state's */
  RlKeptListModel    *threads;     /* the state's threads and the kept ones: the list's model */
  RlApi              *api;         /* where the pictures of older versions come from */
  RlRevisionImages   *images;      /* the open image's versions, for the rows' crops */
  GHashTable         *rows;        /* RlThreadItem → its RlThreadRow, owned: the listed ones */
  GHashTable         *resolvers;   /* thread id → who resolved it last (a teammate's name) */
  GHashTable         *known;       /* ids of threads seen, owned */
  GHashTable         *fresh;       /* ids a teammate just added: highlight once */
  gint64              last_seq;    /* the store's seq after the last change seen */

  char               *user_id;
  gboolean            user_is_admin;

  gboolean            selecting;   /* the selection is being shown from the state */
  gboolean            picking;     /* the state's selection is being set from the list */
  gboolean            quiet_focus; /* focus moves on its own: it selects nothing */
  GtkWidget          *moving_focus; /* the focus in a row that moves, put back after */
  gboolean            pressed;     /* a button is down in the list: no row gets shorter */
  guint               scroll_id;
  guint               scroll_frames;
  int                 scroll_list_height;   /* at the last try */
  guint               tick_id;
};

G_DEFINE_FINAL_TYPE (RlThreadPanel, rl_thread_panel, RL_TYPE_REVIEW_VIEW)

enum {
  PROP_0,
  PROP_USER_ID,
  PROP_USER_IS_ADMIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum { SIGNAL_THREAD_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The state this view shows: RlReviewView's. */
static inline RlReviewState *
state_of (RlThreadPanel *self)
{
  return rl_review_view_get_state (RL_REVIEW_VIEW (self));
}

#define TIME_REFRESH_S 60

static gboolean item_is_orphaned (RlThreadPanel *self,
                                  gpointer       item);
static gboolean item_is_not_found (RlThreadPanel *self,
                                   gpointer       item);

/* The row listed for thread_id, if any. */
static RlThreadRow *
find_row (RlThreadPanel *self,
          const char    *thread_id)
{
  GHashTableIter iter;
  gpointer row;

  if (thread_id == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    if (gtk_widget_get_parent (row) == GTK_WIDGET (self->list)
        && g_strcmp0 (rl_thread_row_get_thread_id (row), thread_id) == 0)
      return row;
  return NULL;
}

static void
update_empty (RlThreadPanel *self)
{
  guint all = self->store ? g_list_model_get_n_items (rl_doc_store_get_threads (self->store)) : 0;

  /* A kept row (its thread gone, the person still in it) is shown too. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->threads)) > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "list");
      return;
    }
  if (all > 0 && !rl_review_state_get_all_versions (state_of (self)))
    {
      /* Translators: the threads panel, when "This Version" lists nothing */
      adw_status_page_set_title (self->empty_page, _("No threads on this version"));
      adw_status_page_set_description (self->empty_page, _("Threads of other versions are listed under All."));
    }
  else if (all > 0)
    {
      adw_status_page_set_title (self->empty_page, _("No open threads"));
      adw_status_page_set_description (self->empty_page,
                                       g_dngettext (GETTEXT_PACKAGE,
                                                    "The resolved thread is hidden.",
                                                    "The resolved threads are hidden.", all));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No comments yet"));
      adw_status_page_set_description (self->empty_page,
                                       rl_review_state_has_position_func (state_of (self))
                                       ? _("Select text on the page and comment on it to start a thread.")
                                       : _("Click anywhere on the mockup to drop a marker and start a thread."));
    }
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static gboolean
scroll_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  RlThreadPanel *self = data;
  RlThreadRow *row = find_row (self, rl_review_state_get_selected_thread (state_of (self)));
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;

  if (row == NULL)
    {
      self->scroll_id = 0;
      return G_SOURCE_REMOVE;
    }
  /* A row inserted this turn has no size yet: try on the next frame. */
  if (gtk_widget_get_height (GTK_WIDGET (row)) <= 0
      || !gtk_widget_compute_bounds (GTK_WIDGET (row), GTK_WIDGET (self->list), &bounds))
    return G_SOURCE_CONTINUE;
  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  gtk_adjustment_clamp_page (adjustment, bounds.origin.y, bounds.origin.y + bounds.size.height);
  /* Rows above may still grow (their text wraps once they have a width),
   * and the list's height with them: until the row is really in view and
   * the list has kept its height for a frame, try again on the next frames
   * (60 at most). */
  if (++self->scroll_frames < 60 &&
      (bounds.origin.y < gtk_adjustment_get_value (adjustment) - 1 ||
       bounds.origin.y + bounds.size.height >
         gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) + 1 ||
       gtk_widget_get_height (GTK_WIDGET (self->list)) != self->scroll_list_height))
    {
      self->scroll_list_height = gtk_widget_get_height (GTK_WIDGET (self->list));
      return G_SOURCE_CONTINUE;
    }
  self->scroll_id = 0;
  return G_SOURCE_REMOVE;
}

static void
scroll_to_selected (RlThreadPanel *self)
{
  self->scroll_frames = 0;
  self->scroll_list_height = -1;
  if (self->scroll_id == 0)
    self->scroll_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->list), scroll_tick, self, NULL);
}

/* The list shows the selected thread as selected, without a notify. */
static void
select_row (RlThreadPanel *self)
{
  RlThreadRow *row = find_row (self, rl_review_state_get_selected_thread (state_of (self)));

  self->selecting = TRUE;
  if (row == NULL)
    gtk_list_box_unselect_all (self->list);
  else if (gtk_list_box_get_selected_row (self->list) != GTK_LIST_BOX_ROW (row))
    {
      /* A row the list took out and put back (it moved) still says it is
       * selected, and GTK selects no row that says so. */
      gtk_list_box_unselect_all (self->list);
      gtk_list_box_select_row (self->list, GTK_LIST_BOX_ROW (row));
    }
  self->selecting = FALSE;
}

/* What the kept rows say (deleted, or hidden and by whom); listed ones say
 * nothing. */
static void
show_kept_rows (RlThreadPanel *self)
{
  GListModel *threads = G_LIST_MODEL (self->threads);

  for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);
      RlThreadRow *row = g_hash_table_lookup (self->rows, item);

      if (row == NULL)
        continue;
      if (!rl_kept_list_model_is_kept (self->threads, item))
        rl_thread_row_set_kept_hidden (row, FALSE, NULL);
      else if (rl_review_state_has_thread (state_of (self), item))
        rl_thread_row_set_kept_hidden (row, TRUE, g_hash_table_lookup (self->resolvers,
                                                                       rl_thread_row_get_thread_id (row)));
      else
        rl_thread_row_set_deleted (row);
    }
}

/* A kept row goes once it holds neither the selection nor a draft. */
static void
release_kept_rows (RlThreadPanel *self)
{
  rl_kept_list_model_recheck (self->threads);
  show_kept_rows (self);
}

static void
on_row_selected (RlThreadPanel *self,
                 GtkListBoxRow *row)
{
  const char *id = row ? rl_thread_row_get_thread_id (RL_THREAD_ROW (row)) : NULL;

  if (self->selecting)
    return;
  /* Focus moved on its own (its row went): the selection stays where the
   * person put it. */
  if (self->quiet_focus)
    {
      select_row (self);
      return;
    }
  if (g_strcmp0 (id, rl_review_state_get_selected_thread (state_of (self))) == 0)
    return;
  self->picking = TRUE;
  rl_review_state_set_selected_thread (state_of (self), id);
  self->picking = FALSE;
}

static void
on_row_draft_changed (RlThreadPanel *self,
                      RlThreadRow   *row)
{
  if (rl_thread_row_get_deleted (row) || rl_thread_row_get_kept_hidden (row))
    release_kept_rows (self);
}

static void
on_row_dismissed (RlThreadPanel *self,
                  RlThreadRow   *row)
{
  if (g_strcmp0 (rl_thread_row_get_thread_id (row), rl_review_state_get_selected_thread (state_of (self))) == 0)
    rl_review_state_set_selected_thread (state_of (self), NULL);
  release_kept_rows (self);
}

/* Place… on a row: the views place that thread next (its own again:
 * they stop). */
static void
on_row_place (RlThreadPanel *self,
              RlThreadRow   *row)
{
  const char *id = rl_thread_row_get_thread_id (row);

  if (g_strcmp0 (rl_review_state_get_placing_thread (state_of (self)), id) == 0)
    id = NULL;
  rl_review_state_set_placing_thread (state_of (self), id);
}

/* A click on a row (activate-on-single-click) or Enter on it: picked,
 * selected or not. */
static void
on_row_activated (RlThreadPanel *self,
                  GtkListBoxRow *row)
{
  if (RL_IS_THREAD_ROW (row))
    g_signal_emit (self, signals[SIGNAL_THREAD_ACTIVATED], 0, rl_thread_row_get_thread_id (RL_THREAD_ROW (row)));
}

static RlThreadRow *
make_row (RlThreadPanel *self,
          RlThreadItem  *item)
{
  RlThreadRow *row = rl_thread_row_new (self->store, item, self->user_id, self->user_is_admin);
  const RlThread *thread = rl_thread_item_get_thread (item);

  rl_thread_row_set_can_create (row, rl_review_state_get_can_create (state_of (self)),
                                rl_review_state_get_cannot_create_reason (state_of (self)));
  rl_thread_row_set_live (row, TRUE);
  rl_thread_row_set_shown_revision (row, rl_review_state_get_revision (state_of (self)));
  rl_thread_row_set_revision_images (row, self->images);
  g_signal_connect_object (row, "draft-changed", G_CALLBACK (on_row_draft_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "dismissed", G_CALLBACK (on_row_dismissed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "place", G_CALLBACK (on_row_place), self, G_CONNECT_SWAPPED);
  rl_thread_row_set_placing (row, g_strcmp0 (rl_review_state_get_placing_thread (state_of (self)),
                                             thread->id) == 0);
  rl_thread_row_set_reply_held (row, self->pressed);
  if (g_hash_table_remove (self->fresh, thread->id)
      && g_strcmp0 (thread->created_by.id, self->user_id) != 0)
    rl_row_flash (GTK_WIDGET (row));
  return row;
}

/* Whether the row of a thread that left the list stays for the person in
 * it: while it holds their selection or text, unless they made it go
 * (Discard, deleting the thread, resolving it with nothing typed). */
static gboolean
keeps_row (RlThreadPanel *self,
           RlThreadRow   *row)
{
  if (self->store == NULL || rl_thread_row_get_dismissed (row))
    return FALSE;
  if (rl_thread_row_get_acting (row))
    return rl_review_state_has_thread (state_of (self), rl_thread_row_get_item (row)) && rl_thread_row_has_draft (row);
  return rl_thread_row_has_draft (row)
         || g_strcmp0 (rl_thread_row_get_thread_id (row), rl_review_state_get_selected_thread (state_of (self))) == 0;
}

static gboolean
has_focus_within (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* The row with the focus goes: the focus moves to a neighbour without
 * selecting it (else GTK would move it to the first row, selecting thread
 * 1 and scrolling the document to it). */
static void
move_focus_from (RlThreadPanel *self,
                 GtkWidget     *row,
                 GHashTable    *going)
{
  GtkWidget *to = NULL;

  for (GtkWidget *w = gtk_widget_get_next_sibling (row); w && to == NULL; w = gtk_widget_get_next_sibling (w))
    if (RL_IS_THREAD_ROW (w) && !g_hash_table_contains (going, w))
      to = w;
  for (GtkWidget *w = gtk_widget_get_prev_sibling (row); w && to == NULL; w = gtk_widget_get_prev_sibling (w))
    if (RL_IS_THREAD_ROW (w) && !g_hash_table_contains (going, w))
      to = w;
  self->quiet_focus = TRUE;
  if (to == NULL || !gtk_widget_grab_focus (to))
    gtk_root_set_focus (gtk_widget_get_root (row), NULL);
  self->quiet_focus = FALSE;
}

/* The list's row for a thread: made once, and the same row again when the
 * thread moves, so it keeps what is typed and focused in it. */
static GtkWidget *
create_row (gpointer item,
            gpointer data)
{
  RlThreadPanel *self = data;
  RlThreadRow *row = g_hash_table_lookup (self->rows, item);

  if (row == NULL)
    {
      row = g_object_ref_sink (make_row (self, item));
      rl_thread_row_set_orphaned (row, item_is_orphaned (self, item));
      g_hash_table_insert (self->rows, item, row);
    }
  return g_object_ref (GTK_WIDGET (row));
}

/* The kept-list rule: a thread that left the list (deleted, or resolved
 * while resolved ones are hidden) keeps its row while keeps_row says so. */
static gboolean
keeps_thread (gpointer item,
              gpointer data)
{
  RlThreadPanel *self = data;
  RlThreadRow *row = g_hash_table_lookup (self->rows, item);

  return row != NULL && keeps_row (self, row);
}

/* Before the list takes a change: the focus in a row that goes moves to a
 * neighbour (move_focus_from); the focus in a row that moves is put back
 * after it (rows_changed); the selection stays where the person put it,
 * unless its row goes (the person deleted the thread). */
static void
rows_changing (RlThreadPanel *self,
               guint          position,
               guint          removed,
               guint          added)
{
  g_autoptr(GHashTable) coming = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_autoptr(GHashTable) going = g_hash_table_new (NULL, NULL);
  RlThreadRow *selected = find_row (self, rl_review_state_get_selected_thread (state_of (self)));
  GtkWidget *focused = NULL;

  for (guint i = 0; i < added; i++)
    g_hash_table_add (coming, g_list_model_get_item (G_LIST_MODEL (self->threads), position + i));
  for (guint i = 0; i < removed; i++)
    {
      GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (self->list, (int) (position + i)));

      if (!g_hash_table_contains (coming, rl_thread_row_get_item (RL_THREAD_ROW (row))))
        g_hash_table_add (going, row);
      if (has_focus_within (row))
        focused = row;
    }
  if (focused != NULL && g_hash_table_contains (going, focused))
    move_focus_from (self, focused, going);
  else if (focused != NULL)
    g_set_object (&self->moving_focus, gtk_root_get_focus (gtk_widget_get_root (focused)));
  self->quiet_focus = selected == NULL || !g_hash_table_contains (going, selected);
}

/* What was typed in the kept row of a thread that came back (a refused
 * delete brings it back as a new item) goes on in its new row; then the
 * kept row goes. */
static void
hand_over_returned (RlThreadPanel *self)
{
  GListModel *threads = G_LIST_MODEL (self->threads);
  guint n = g_list_model_get_n_items (threads);
  g_autoptr(GPtrArray) returned = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RlThreadItem) old = g_list_model_get_item (threads, i);
      const char *id = rl_thread_item_get_thread (old)->id;

      if (!rl_kept_list_model_is_kept (self->threads, old))
        continue;
      for (guint j = 0; j < n; j++)
        {
          g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, j);

          if (rl_kept_list_model_is_kept (self->threads, item)
              || !g_str_equal (rl_thread_item_get_thread (item)->id, id))
            continue;
          rl_thread_row_take_draft (g_hash_table_lookup (self->rows, item), g_hash_table_lookup (self->rows, old));
          g_ptr_array_add (returned, g_object_ref (old));
        }
    }
  for (guint i = 0; i < returned->len; i++)
    rl_kept_list_model_release (self->threads, g_ptr_array_index (returned, i));
}

/* After the list took a change: the focus back in a moved row, rows no
 * longer listed dropped, and what the rows, headers and selection show. */
static void
rows_changed (RlThreadPanel *self)
{
  GHashTableIter iter;
  gpointer row;

  if (self->moving_focus != NULL && gtk_widget_get_root (self->moving_focus) != NULL)
    gtk_widget_grab_focus (self->moving_focus);
  g_clear_object (&self->moving_focus);
  self->quiet_focus = FALSE;
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    if (gtk_widget_get_parent (row) != GTK_WIDGET (self->list))
      g_hash_table_iter_remove (&iter);
  show_kept_rows (self);
  gtk_list_box_invalidate_headers (self->list);
  select_row (self);
  update_empty (self);
  hand_over_returned (self);
}

/* The heading of the threads not found on the version shown, saying how
 * many there are. */
static void
update_not_found_header (RlThreadPanel *self,
                         GtkListBoxRow *row)
{
  GListModel *threads = G_LIST_MODEL (self->threads);
  GtkWidget *header = gtk_list_box_row_get_header (row);
  GtkWidget *count;
  g_autofree char *number = NULL;
  g_autofree char *label = NULL;
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);

      n += item_is_not_found (self, item);
    }
  if (header == NULL || !gtk_widget_has_css_class (header, "rl-not-found-header"))
    {
      GtkWidget *title;

      header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      gtk_widget_add_css_class (header, "rl-orphaned-header");
      gtk_widget_add_css_class (header, "rl-not-found-header");
      /* Translators: heading above the threads the server could not find a
       * place for on the version shown */
      title = gtk_label_new (_("Not found on this version"));
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_label_set_wrap (GTK_LABEL (title), TRUE);
      gtk_widget_add_css_class (title, "heading");
      count = gtk_label_new (NULL);
      gtk_widget_set_valign (count, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (count, "rl-section-count");
      gtk_widget_add_css_class (count, "caption");
      gtk_box_append (GTK_BOX (header), title);
      gtk_box_append (GTK_BOX (header), count);
      gtk_list_box_row_set_header (row, header);
    }
  count = gtk_widget_get_last_child (header);
  number = g_strdup_printf ("%u", n);
  gtk_label_set_text (GTK_LABEL (count), number);
  /* Translators: the heading above threads not found on the version
   * shown, for screen readers; %u is how many */
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Not found on this version: %u thread",
                                        "Not found on this version: %u threads", n), n);
  gtk_accessible_update_property (GTK_ACCESSIBLE (header), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* Above the first thread not found on the version shown, "Not found on
 * this version" with their count; above the first other one that cannot
 * be placed in the text, "Orphaned". */
static void
update_row_header (GtkListBoxRow *row,
                   GtkListBoxRow *before,
                   gpointer       data)
{
  RlThreadPanel *self = data;
  gboolean not_found = item_is_not_found (self, rl_thread_row_get_item (RL_THREAD_ROW (row)));
  gboolean after_not_found = before && item_is_not_found (self, rl_thread_row_get_item (RL_THREAD_ROW (before)));
  gboolean orphaned = !not_found && item_is_orphaned (self, rl_thread_row_get_item (RL_THREAD_ROW (row)));
  gboolean after_orphan = before && item_is_orphaned (self, rl_thread_row_get_item (RL_THREAD_ROW (before)));
  GtkWidget *header, *title, *why;

  if (not_found && !after_not_found)
    {
      update_not_found_header (self, row);
      return;
    }
  if (!orphaned || after_orphan)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }
  header = gtk_list_box_row_get_header (row);
  if (header != NULL && !gtk_widget_has_css_class (header, "rl-not-found-header"))
    return;
  header = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_add_css_class (header, "rl-orphaned-header");
  /* Translators: heading above annotations whose text is no longer on the page */
  title = gtk_label_new (_("Orphaned"));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");
  why = gtk_label_new (_("The text this was about has changed."));
  gtk_label_set_xalign (GTK_LABEL (why), 0);
  gtk_label_set_wrap (GTK_LABEL (why), TRUE);
  gtk_widget_add_css_class (why, "dim-label");
  gtk_widget_add_css_class (why, "caption");
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), why);
  gtk_accessible_update_property (GTK_ACCESSIBLE (header), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Orphaned: the text this was about has changed."), -1);
  gtk_list_box_row_set_header (row, header);
}

static gboolean
item_is_not_found (RlThreadPanel *self,
                   gpointer       item)
{
  return rl_review_state_is_not_found (state_of (self), rl_thread_item_get_thread (item));
}

static gboolean
item_is_orphaned (RlThreadPanel *self,
                  gpointer       item)
{
  return rl_review_state_is_orphaned (state_of (self), rl_thread_item_get_thread (item));
}

/* For pages, where each thread is in the text: the "Orphaned" ones. Numbers
 * are the threads' own (RlThread.number, given by the server), never
 * positions: each row shows its thread's. */
static void
update_orphaned (RlThreadPanel *self)
{
  GHashTableIter iter;
  gpointer item, row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &item, &row))
    if (rl_review_state_has_thread (state_of (self), item))
      rl_thread_row_set_orphaned (row, item_is_orphaned (self, item));
}

/* Runs before the shown threads change ("threads-arriving"): numbers
 * and highlights are known when create_row makes the rows. Only the added
 * items can be new: a thread whose deletion the server refused comes back
 * as a new item with a known id. */
static void
on_threads_arriving (RlThreadPanel *self,
                     guint          position,
                     guint          removed,
                     guint          added)
{
  GListModel *threads = rl_doc_store_get_threads (self->store);
  gboolean live = self->last_seq >= 0;   /* what the first look or snapshot brings is not news */

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(RlThreadItem) thread_item = g_list_model_get_item (threads, i);
      const char *id = rl_thread_item_get_thread (thread_item)->id;

      if (!g_hash_table_contains (self->known, id))
        {
          g_hash_table_add (self->known, g_strdup (id));
          if (live)
            g_hash_table_add (self->fresh, g_strdup (id));
        }
    }
  update_orphaned (self);
  self->last_seq = rl_doc_store_get_seq (self->store);
}

/* The order follows through the state's threads; which are orphaned and
 * where the heading goes is told here. */
static void
on_positions_changed (RlThreadPanel *self)
{
  update_orphaned (self);
  gtk_list_box_invalidate_headers (self->list);
  update_empty (self);
}

static gboolean
refresh_times (gpointer data)
{
  RlThreadPanel *self = data;
  gint64 now = g_get_real_time () / 1000;
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    rl_thread_row_update_times (row, now);
  return G_SOURCE_CONTINUE;
}

static void
for_each_row (RlThreadPanel *self,
              void         (*func) (RlThreadPanel *, RlThreadRow *))
{
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    func (self, row);
}

static void
row_set_reply_held (RlThreadPanel *self,
                    RlThreadRow   *row)
{
  rl_thread_row_set_reply_held (row, self->pressed);
}

/* A press on a row selects it (its button takes the focus), and the row
 * selected before closes its reply box: the rows below it would move up
 * under the pointer before the release, and the click miss what it was
 * aimed at. So no reply box closes between a press and its release. */
static gboolean
on_list_event (GtkEventControllerLegacy *controller,
               GdkEvent                 *event,
               RlThreadPanel            *self)
{
  gboolean pressed = self->pressed;

  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
      pressed = TRUE;
      break;
    case GDK_BUTTON_RELEASE:
    case GDK_TOUCH_END:
    case GDK_TOUCH_CANCEL:
      pressed = FALSE;
      break;
    case GDK_MOTION_NOTIFY:
      /* A release that went elsewhere (a popover grabbed it) holds no
       * longer than the next move with no button down. */
      if ((gdk_event_get_modifier_state (event) & (GDK_BUTTON1_MASK | GDK_BUTTON2_MASK | GDK_BUTTON3_MASK)) == 0)
        pressed = FALSE;
      break;
    default:
      break;
    }
  if (pressed != self->pressed)
    {
      self->pressed = pressed;
      for_each_row (self, row_set_reply_held);
    }
  return GDK_EVENT_PROPAGATE;
}

static void
row_set_can_create (RlThreadPanel *self,
                    RlThreadRow   *row)
{
  rl_thread_row_set_can_create (row, rl_review_state_get_can_create (state_of (self)),
                                rl_review_state_get_cannot_create_reason (state_of (self)));
}

static void
on_can_create_changed (RlReviewView *view)
{
  for_each_row (RL_THREAD_PANEL (view), row_set_can_create);
}

static void
row_set_user (RlThreadPanel *self,
              RlThreadRow   *row)
{
  rl_thread_row_set_user (row, self->user_id, self->user_is_admin);
}

/* Whose comments are own: the welcome's user (the account's before any
 * welcome); kept while offline so the buttons stay where they were. */
static void
update_user (RlThreadPanel *self)
{
  RlConnection *connection = rl_doc_store_get_connection (self->store);
  const RlMessage *welcome = rl_connection_get_welcome (connection);
  const char *user_id = welcome ? welcome->user.id : rl_connection_get_user_id (connection);
  gboolean user_is_admin = welcome ? welcome->role == RL_ROLE_ADMIN : self->user_is_admin;
  gboolean id_changed, admin_changed;

  if (user_id == NULL)
    return;
  id_changed = g_strcmp0 (self->user_id, user_id) != 0;
  admin_changed = self->user_is_admin != user_is_admin;
  if (!id_changed && !admin_changed)
    return;
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
  self->user_is_admin = user_is_admin;
  for_each_row (self, row_set_user);
  if (id_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_ID]);
  if (admin_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_IS_ADMIN]);
}

static void
row_clear_offline_errors (RlThreadPanel *self,
                          RlThreadRow   *row)
{
  rl_thread_row_clear_offline_errors (row);
}

static void
on_connection_state (RlThreadPanel *self)
{
  update_user (self);
  /* "You're offline" stops being true: the text is still there to send. */
  if (rl_connection_get_state (rl_doc_store_get_connection (self->store)) == RL_CONNECTION_ONLINE)
    for_each_row (self, row_clear_offline_errors);
}

/* Who resolved a thread, for the notice of a row kept while its thread is
 * hidden: the store keeps no such thing, the resolved event says it. */
static void
note_resolver (RlThreadPanel   *self,
               const RlMessage *message)
{
  const RlEvent *event = message->event;
  RlThreadRow *row;
  gboolean teammate;

  if (message->type == RL_MESSAGE_BATCH)
    {
      for (guint i = 0; i < message->messages->len; i++)
        note_resolver (self, g_ptr_array_index (message->messages, i));
      return;
    }
  if (message->type != RL_MESSAGE_EVENT || event->kind != RL_EVENT_UPDATED || event->change != RL_CHANGE_RESOLVED
      || event->thread_id == NULL || !g_hash_table_contains (self->known, event->thread_id))
    return;
  teammate = event->by.name != NULL && g_strcmp0 (event->by.id, self->user_id) != 0;
  if (event->resolved && teammate)
    g_hash_table_replace (self->resolvers, g_strdup (event->thread_id), g_strdup (event->by.name));
  else
    g_hash_table_remove (self->resolvers, event->thread_id);
  row = find_row (self, event->thread_id);
  if (row != NULL && rl_thread_row_get_kept_hidden (row))
    rl_thread_row_set_kept_hidden (row, TRUE, g_hash_table_lookup (self->resolvers, event->thread_id));
}

static void
on_message (RlConnection  *connection,
            RlMessage     *message,
            RlThreadPanel *self)
{
  note_resolver (self, message);
}

/* The filter of versions is offered once the document has more than one. */
static void
update_version_bar (RlThreadPanel *self)
{
  gtk_widget_set_visible (self->version_bar, self->store != NULL && rl_doc_store_get_revision (self->store) > 1);
}

static void
disconnect_store (RlThreadPanel *self)
{
  if (self->store == NULL)
    return;
  g_signal_handlers_disconnect_by_data (rl_doc_store_get_connection (self->store), self);
  g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
}

/* The pictures of the open image's versions; another document's, or a
 * page's, none. */
static void
update_images (RlThreadPanel *self)
{
  RlDocStore *store = rl_review_state_get_store (state_of (self));
  gboolean image = store != NULL && rl_review_state_get_kind (state_of (self)) == RL_DOC_KIND_IMAGE;

  rl_revision_images_set_document (self->images, image ? self->api : NULL,
                                   image ? rl_doc_store_get_doc_id (store) : NULL);
}

/* Another document (or none): what was known of the last one goes. */
static void
on_store_changed (RlReviewView *view)
{
  RlThreadPanel *self = RL_THREAD_PANEL (view);
  RlDocStore *store = rl_review_state_get_store (state_of (self));

  if (self->store == store)
    return;
  disconnect_store (self);
  update_version_bar (self);
  g_hash_table_remove_all (self->known);
  g_hash_table_remove_all (self->fresh);
  g_hash_table_remove_all (self->resolvers);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  self->last_seq = -1;
  update_images (self);
  if (store == NULL)
    return;

  self->store = g_object_ref (store);
  g_signal_connect_swapped (rl_doc_store_get_connection (store), "notify::state", G_CALLBACK (on_connection_state),
                            self);
  g_signal_connect (rl_doc_store_get_connection (store), "message", G_CALLBACK (on_message), self);
  g_signal_connect_swapped (store, "notify::revision", G_CALLBACK (update_version_bar), self);
  update_version_bar (self);
  update_user (self);
  self->tick_id = g_timeout_add_seconds (TIME_REFRESH_S, refresh_times, self);
}

static void
row_set_shown_revision (RlThreadPanel *self,
                        RlThreadRow   *row)
{
  rl_thread_row_set_shown_revision (row, rl_review_state_get_revision (state_of (self)));
}

/* Another version shown: what each row says of its placement, and which
 * are not found. */
static void
on_revision_changed (RlReviewView *view)
{
  RlThreadPanel *self = RL_THREAD_PANEL (view);

  for_each_row (self, row_set_shown_revision);
  gtk_list_box_invalidate_headers (self->list);
  update_empty (self);
}

static void
row_set_placing (RlThreadPanel *self,
                 RlThreadRow   *row)
{
  rl_thread_row_set_placing (row, g_strcmp0 (rl_review_state_get_placing_thread (state_of (self)),
                                             rl_thread_row_get_thread_id (row)) == 0);
}

static void
on_placing_changed (RlReviewView *view)
{
  for_each_row (RL_THREAD_PANEL (view), row_set_placing);
}

static void
on_selection_changed (RlReviewView *view)
{
  RlThreadPanel *self = RL_THREAD_PANEL (view);

  select_row (self);
  /* Picked in the list: it is where the person is looking already. */
  if (!self->picking && rl_review_state_get_selected_thread (state_of (self)) != NULL)
    scroll_to_selected (self);
  release_kept_rows (self);
}

static void
rl_thread_panel_constructed (GObject *object)
{
  RlThreadPanel *self = RL_THREAD_PANEL (object);

  G_OBJECT_CLASS (rl_thread_panel_parent_class)->constructed (object);

  g_signal_connect_swapped (state_of (self), "threads-arriving", G_CALLBACK (on_threads_arriving), self);
  g_signal_connect_swapped (state_of (self), "positions-changed", G_CALLBACK (on_positions_changed), self);
  g_signal_connect_swapped (state_of (self), "notify::all-versions", G_CALLBACK (update_empty), self);
  /* "This Version" and "All" are one choice: the state's. */
  g_object_bind_property (state_of (self), "all-versions", self->all_versions_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (state_of (self), "all-versions", self->this_version_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  if (self->store != NULL)
    {
      GListModel *threads = rl_doc_store_get_threads (self->store);

      on_threads_arriving (self, 0, 0, g_list_model_get_n_items (threads));
    }
  /* The list's rows follow the model; before and after each change the
   * panel looks after the focus and what the rows say. */
  self->threads = rl_kept_list_model_new (rl_review_state_get_threads (state_of (self)), keeps_thread, self, NULL);
  g_signal_connect_swapped (self->threads, "items-changed", G_CALLBACK (rows_changing), self);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->threads), create_row, self, NULL);
  g_signal_connect_object (self->threads, "items-changed", G_CALLBACK (rows_changed), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  /* A row kept where it was changes no place in the list, but what it
   * says: connected after the model, which decides. */
  g_signal_connect_object (rl_review_state_get_threads (state_of (self)), "items-changed", G_CALLBACK (show_kept_rows),
                           self, G_CONNECT_SWAPPED);
  rows_changed (self);
}

static void
rl_thread_panel_dispose (GObject *object)
{
  RlThreadPanel *self = RL_THREAD_PANEL (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->scroll_id)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list), self->scroll_id);
  self->scroll_id = 0;
  if (state_of (self) != NULL)
    {
      g_signal_handlers_disconnect_by_data (rl_review_state_get_threads (state_of (self)), self);
      g_signal_handlers_disconnect_by_data (state_of (self), self);
    }
  disconnect_store (self);
  if (self->images != NULL)
    rl_revision_images_set_document (self->images, NULL, NULL);
  /* The list removes its rows as it goes: no row-selected to hear then,
   * and no header to ask the state (and its page view, maybe gone) for. */
  g_signal_handlers_disconnect_by_data (self->list, self);
  gtk_list_box_set_header_func (self->list, NULL, NULL, NULL);
  if (self->threads != NULL)
    g_signal_handlers_disconnect_by_data (self->threads, self);
  gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->threads);
  g_clear_object (&self->moving_focus);
  g_hash_table_remove_all (self->rows);
  gtk_widget_dispose_template (GTK_WIDGET (object), RL_TYPE_THREAD_PANEL);
  /* Unnamed template children are not unparented by it in GTK 4.8. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  G_OBJECT_CLASS (rl_thread_panel_parent_class)->dispose (object);
}

static void
rl_thread_panel_finalize (GObject *object)
{
  RlThreadPanel *self = RL_THREAD_PANEL (object);

  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_pointer (&self->fresh, g_hash_table_unref);
  g_clear_pointer (&self->resolvers, g_hash_table_unref);
  g_clear_object (&self->images);
  g_clear_object (&self->api);
  g_free (self->user_id);
  G_OBJECT_CLASS (rl_thread_panel_parent_class)->finalize (object);
}

static void
rl_thread_panel_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  RlThreadPanel *self = RL_THREAD_PANEL (object);

  switch (prop_id)
    {
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_USER_IS_ADMIN:
      g_value_set_boolean (value, self->user_is_admin);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_thread_panel_class_init (RlThreadPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  RlReviewViewClass *review_class = RL_REVIEW_VIEW_CLASS (klass);

  object_class->constructed = rl_thread_panel_constructed;
  object_class->dispose = rl_thread_panel_dispose;
  object_class->finalize = rl_thread_panel_finalize;
  object_class->get_property = rl_thread_panel_get_property;
  review_class->store_changed = on_store_changed;
  review_class->selection_changed = on_selection_changed;
  review_class->can_create_changed = on_can_create_changed;
  review_class->revision_changed = on_revision_changed;
  review_class->placing_changed = on_placing_changed;

  /* Read from the store's connection. */
  properties[PROP_USER_ID] =
    g_param_spec_string ("user-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_IS_ADMIN] =
    g_param_spec_boolean ("user-is-admin", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A person picked the thread's row (click or Enter), even if selected. */
  signals[SIGNAL_THREAD_ACTIVATED] =
    g_signal_new ("thread-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-thread-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, RlThreadPanel, version_bar);
  gtk_widget_class_bind_template_child (widget_class, RlThreadPanel, this_version_button);
  gtk_widget_class_bind_template_child (widget_class, RlThreadPanel, all_versions_button);
  gtk_widget_class_bind_template_child (widget_class, RlThreadPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, RlThreadPanel, empty_page);
  gtk_widget_class_bind_template_child (widget_class, RlThreadPanel, scroller);
  gtk_widget_class_bind_template_child (widget_class, RlThreadPanel, list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_list_event);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rl-thread-panel");
}

static void
rl_thread_panel_init (RlThreadPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->last_seq = -1;
  self->rows = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->resolvers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->fresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->images = rl_revision_images_new ();
  gtk_list_box_set_header_func (self->list, update_row_header, self, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Threads"), -1);
}

GtkWidget *
rl_thread_panel_new (RlReviewState *state)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (state), NULL);

  return g_object_new (RL_TYPE_THREAD_PANEL, "state", state, NULL);
}

RlReviewState *
rl_thread_panel_get_state (RlThreadPanel *self)
{
  g_return_val_if_fail (RL_IS_THREAD_PANEL (self), NULL);
  return state_of (self);
}

void
rl_thread_panel_set_api (RlThreadPanel *self,
                         RlApi         *api)
{
  g_return_if_fail (RL_IS_THREAD_PANEL (self));
  g_return_if_fail (api == NULL || RL_IS_API (api));

  if (g_set_object (&self->api, api))
    update_images (self);
}

void
rl_thread_panel_restore_reply (RlThreadPanel *self,
                               const char    *thread_id,
                               const char    *text,
                               GPtrArray     *mentions)
{
  RlThreadRow *row;

  g_return_if_fail (RL_IS_THREAD_PANEL (self));
  g_return_if_fail (thread_id != NULL);

  rl_review_state_set_selected_thread (state_of (self), thread_id);
  row = find_row (self, thread_id);
  if (row)
    rl_thread_row_restore_reply (row, text, mentions);
}

gboolean
rl_thread_panel_is_orphaned (RlThreadPanel *self,
                             const char    *thread_id)
{
  RlThreadRow *row;

  g_return_val_if_fail (RL_IS_THREAD_PANEL (self), FALSE);

  row = find_row (self, thread_id);
  if (row != NULL)
    return item_is_orphaned (self, rl_thread_row_get_item (row));
  if (self->store != NULL)
    {
      GListModel *threads = rl_doc_store_get_threads (self->store);

      for (guint i = 0; i < g_list_model_get_n_items (threads); i++)
        {
          g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);

          if (g_strcmp0 (rl_thread_item_get_thread (item)->id, thread_id) == 0)
            return item_is_orphaned (self, item);
        }
    }
  return FALSE;
}

void
rl_thread_panel_focus_reply (RlThreadPanel *self,
                             const char    *thread_id)
{
  RlThreadRow *row;

  g_return_if_fail (RL_IS_THREAD_PANEL (self));
  g_return_if_fail (thread_id != NULL);

  rl_review_state_set_selected_thread (state_of (self), thread_id);
  row = find_row (self, thread_id);
  /* A folded or hidden panel takes no keys: they stay where they were. */
  if (row == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  rl_thread_row_focus_reply (row);
}

GtkAdjustment *
rl_thread_panel_get_vadjustment (RlThreadPanel *self)
{
  g_return_val_if_fail (RL_IS_THREAD_PANEL (self), NULL);
  return gtk_scrolled_window_get_vadjustment (self->scroller);
}

GPtrArray *
rl_thread_panel_dup_threads_in_view (RlThreadPanel *self)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  int height = gtk_widget_get_height (GTK_WIDGET (self->scroller));
  GHashTableIter iter;
  gpointer row;

  g_return_val_if_fail (RL_IS_THREAD_PANEL (self), ids);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self->scroller)) || height <= 0)
    return ids;
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    {
      graphene_rect_t bounds;

      if (gtk_widget_get_parent (row) != GTK_WIDGET (self->list) || !gtk_widget_get_mapped (row)
          || !gtk_widget_compute_bounds (row, GTK_WIDGET (self->scroller), &bounds))
        continue;
      if (bounds.size.height > 0 && bounds.origin.y < height && bounds.origin.y + bounds.size.height > 0)
        g_ptr_array_add (ids, g_strdup (rl_thread_row_get_thread_id (row)));
    }
  return ids;
}
