/* rl-mention-completer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-mention-completer-private.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "rl-member-item.h"
#include "rl-mentions.h"
#include "rl-session.h"

#define COMPLETER_KEY "rl-mention-completer"
#define USER_KEY      "rl-member-id"
#define NAME_KEY      "rl-member-name"
#define SPAN_TEXT_KEY "rl-mention-text"
/* How far back from the caret an "@" is still being completed. */
#define MAX_QUERY     64
#define MAX_ROWS      8

struct _RlMentionCompleter
{
  GObject        parent_instance;

  GtkTextView   *view;       /* owns this */
  GtkTextBuffer *buffer;
  GtkWidget     *popover;    /* a child of view while shown */
  GtkListBox    *list;

  RlConnection  *connection;
  GListModel    *members;    /* its session's, while there is one */
  GCancellable  *listing;

  GtkTextMark   *trigger;    /* the "@" being completed; NULL: none */
  GtkTextMark   *dismissed;  /* the "@" Escape closed the list for */
  GPtrArray     *spans;      /* GtkTextTag*: the mentions in the text */
  gboolean       changing;   /* the completer itself edits the text */
};

G_DEFINE_FINAL_TYPE (RlMentionCompleter, rl_mention_completer, G_TYPE_OBJECT)

static void update (RlMentionCompleter *self);

static void
get_iter_at (RlMentionCompleter *self,
             GtkTextIter        *iter,
             GtkTextMark        *mark)
{
  gtk_text_buffer_get_iter_at_mark (self->buffer, iter, mark);
}

static void
clear_mark (RlMentionCompleter *self,
            GtkTextMark       **mark)
{
  if (*mark != NULL)
    gtk_text_buffer_delete_mark (self->buffer, *mark);
  *mark = NULL;
}

static gboolean
in_span (RlMentionCompleter *self,
         const GtkTextIter  *iter)
{
  for (guint i = 0; i < self->spans->len; i++)
    if (gtk_text_iter_has_tag (iter, g_ptr_array_index (self->spans, i)))
      return TRUE;
  return FALSE;
}

/* Whether a "@" after c starts a word. */
static gboolean
starts_word_after (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_OPEN_PUNCTUATION:
    case G_UNICODE_INITIAL_PUNCTUATION:
      return TRUE;
    default:
      return g_unichar_isspace (c);
    }
}

/* The "@" before the caret being completed (at word start, on the caret's
 * line, in no mention) and what follows it up to the caret. */
static gboolean
find_trigger (RlMentionCompleter *self,
              GtkTextIter        *at,
              char              **query)
{
  GtkTextIter cursor, iter;

  if (gtk_text_buffer_get_has_selection (self->buffer))
    return FALSE;
  get_iter_at (self, &cursor, gtk_text_buffer_get_insert (self->buffer));
  iter = cursor;
  for (guint n = 0; n <= MAX_QUERY && gtk_text_iter_backward_char (&iter); n++)
    {
      gunichar c = gtk_text_iter_get_char (&iter);
      GtkTextIter before = iter, after = iter;

      if (c == '\n' || in_span (self, &iter))
        return FALSE;
      if (c != '@')
        continue;
      if (gtk_text_iter_backward_char (&before) && !starts_word_after (gtk_text_iter_get_char (&before)))
        return FALSE;
      gtk_text_iter_forward_char (&after);
      *query = gtk_text_iter_get_text (&after, &cursor);
      if (g_unichar_isspace (g_utf8_get_char (*query)))
        {
          g_clear_pointer (query, g_free);
          return FALSE;
        }
      *at = iter;
      return TRUE;
    }
  return FALSE;
}

static void
select_row (RlMentionCompleter *self,
            GtkListBoxRow      *row)
{
  gtk_list_box_select_row (self->list, row);
  /* Said to assistive technologies once shown (GTK 4.8 cannot refer to
   * a widget not on screen yet). */
  if (row != NULL && gtk_widget_get_mapped (GTK_WIDGET (row)))
    gtk_accessible_update_relation (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_RELATION_ACTIVE_DESCENDANT,
                                    row, -1);
  else
    gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_RELATION_ACTIVE_DESCENDANT);
}

static void
close_list (RlMentionCompleter *self)
{
  clear_mark (self, &self->trigger);
  if (self->popover == NULL)
    return;
  if (gtk_widget_get_visible (self->popover))
    gtk_popover_popdown (GTK_POPOVER (self->popover));
  /* A text view takes no children it did not make: it is its child only
   * while it shows (and the view is on screen, so not being disposed). */
  if (gtk_widget_get_parent (self->popover) != NULL)
    gtk_widget_unparent (self->popover);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_STATE_EXPANDED, FALSE, -1);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_RELATION_ACTIVE_DESCENDANT);
}

static GtkWidget *
member_row (RlMemberItem *member)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  const char *name = rl_member_item_get_name (member);
  GtkWidget *avatar = adw_avatar_new (24, name, TRUE);
  GtkWidget *label = gtk_label_new (name);

  gtk_widget_set_focusable (row, FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), avatar);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_object_set_data_full (G_OBJECT (row), USER_KEY, g_strdup (rl_member_item_get_id (member)), g_free);
  g_object_set_data_full (G_OBJECT (row), NAME_KEY, g_strdup (name), g_free);
  return row;
}

/* The list holds the members query matches; how many. */
static guint
fill (RlMentionCompleter *self,
      const char         *query)
{
  g_autofree char *folded = rl_mention_fold (query);
  const char *me = rl_connection_get_user_id (self->connection);
  guint n = 0;

  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self->list)));)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; self->members != NULL && i < g_list_model_get_n_items (self->members) && n < MAX_ROWS; i++)
    {
      g_autoptr(RlMemberItem) member = g_list_model_get_item (self->members, i);

      /* Calling oneself in calls no one. */
      if (g_strcmp0 (rl_member_item_get_id (member), me) == 0 ||
          !rl_mention_name_matches (rl_member_item_get_name (member), folded))
        continue;
      gtk_list_box_append (self->list, member_row (member));
      n++;
    }
  select_row (self, gtk_list_box_get_row_at_index (self->list, 0));
  return n;
}

static void
listed (GObject      *source,
        GAsyncResult *result,
        gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) members = rl_api_list_users_finish (RL_API (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (members == NULL)
    g_debug ("Members not listed: %s", error->message);
  /* Renames change names in place: shown again either way. */
  update (RL_MENTION_COMPLETER (data));
}

/* The members as the server says them now (a 304 when nothing changed). */
static void
ask_members (RlMentionCompleter *self)
{
  RlApi *api = self->connection ? rl_session_lookup_api (self->connection) : NULL;

  if (api == NULL)
    return;
  g_cancellable_cancel (self->listing);
  g_clear_object (&self->listing);
  self->listing = g_cancellable_new ();
  rl_api_list_users (api, self->listing, listed, self);
}

static void
place_popover (RlMentionCompleter *self,
               const GtkTextIter  *at)
{
  GdkRectangle location;
  int x, y;

  gtk_text_view_get_iter_location (self->view, at, &location);
  gtk_text_view_buffer_to_window_coords (self->view, GTK_TEXT_WINDOW_WIDGET, location.x, location.y, &x, &y);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover),
                               &(GdkRectangle) { x, y, 1, MAX (location.height, 1) });
}

/* What is typed decides whether the list shows, and what it holds. */
static void
update (RlMentionCompleter *self)
{
  g_autofree char *query = NULL;
  GtkTextIter at, dismissed;
  gboolean fresh;

  if (self->changing || self->popover == NULL)
    return;
  if (self->connection == NULL || !gtk_widget_has_focus (GTK_WIDGET (self->view)) ||
      !find_trigger (self, &at, &query))
    {
      close_list (self);
      clear_mark (self, &self->dismissed);
      return;
    }
  if (self->dismissed != NULL)
    {
      get_iter_at (self, &dismissed, self->dismissed);
      if (gtk_text_iter_equal (&dismissed, &at))
        return;
      clear_mark (self, &self->dismissed);
    }
  fresh = self->trigger == NULL;
  if (fresh)
    self->trigger = gtk_text_buffer_create_mark (self->buffer, NULL, &at, TRUE);
  else
    gtk_text_buffer_move_mark (self->buffer, self->trigger, &at);
  if (fill (self, query) == 0)
    {
      if (gtk_widget_get_visible (self->popover))
        gtk_popover_popdown (GTK_POPOVER (self->popover));
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_STATE_EXPANDED, FALSE, -1);
    }
  else
    {
      if (gtk_widget_get_parent (self->popover) == NULL)
        gtk_widget_set_parent (self->popover, GTK_WIDGET (self->view));
      place_popover (self, &at);
      if (!gtk_widget_get_visible (self->popover))
        gtk_popover_popup (GTK_POPOVER (self->popover));
      else
        gtk_popover_present (GTK_POPOVER (self->popover));
      select_row (self, gtk_list_box_get_selected_row (self->list));
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_STATE_EXPANDED, TRUE, -1);
    }
  if (fresh)
    ask_members (self);
}

static GtkTextTag *
new_span (RlMentionCompleter *self,
          const char         *user,
          const char         *text)
{
  GtkTextTag *tag = gtk_text_buffer_create_tag (self->buffer, NULL,
                                                "background-rgba", &(GdkRGBA) { 0.21, 0.52, 0.89, 0.2 },
                                                NULL);

  g_object_set_data_full (G_OBJECT (tag), USER_KEY, g_strdup (user), g_free);
  g_object_set_data_full (G_OBJECT (tag), SPAN_TEXT_KEY, g_strdup (text), g_free);
  g_ptr_array_add (self->spans, g_object_ref (tag));
  return tag;
}

static void
break_span (RlMentionCompleter *self,
            guint               index)
{
  GtkTextTag *tag = g_ptr_array_index (self->spans, index);

  gtk_text_tag_table_remove (gtk_text_buffer_get_tag_table (self->buffer), tag);
  g_ptr_array_remove_index (self->spans, index);
}

/* Where tag is in the text: FALSE when nowhere, or in more than one piece. */
static gboolean
span_range (RlMentionCompleter *self,
            GtkTextTag         *tag,
            GtkTextIter        *start,
            GtkTextIter        *end)
{
  GtkTextIter next;

  gtk_text_buffer_get_start_iter (self->buffer, start);
  if (!gtk_text_iter_starts_tag (start, tag) && !gtk_text_iter_forward_to_tag_toggle (start, tag))
    return FALSE;
  *end = *start;
  gtk_text_iter_forward_to_tag_toggle (end, tag);
  next = *end;
  return !gtk_text_iter_forward_to_tag_toggle (&next, tag);
}

/* A span still holds the name inserted, or it is plain text again: text
 * typed inside it, or part of it deleted. Typed right after it, text may
 * take its tag: that part is not the mention. */
static void
sweep_spans (RlMentionCompleter *self)
{
  for (guint i = self->spans->len; i-- > 0;)
    {
      GtkTextTag *tag = g_ptr_array_index (self->spans, i);
      const char *expected = g_object_get_data (G_OBJECT (tag), SPAN_TEXT_KEY);
      g_autofree char *text = NULL;
      GtkTextIter start, end;

      if (!span_range (self, tag, &start, &end))
        {
          break_span (self, i);
          continue;
        }
      text = gtk_text_iter_get_text (&start, &end);
      if (!g_str_has_prefix (text, expected))
        break_span (self, i);
      else if (strlen (text) > strlen (expected))
        {
          GtkTextIter tail = start;

          gtk_text_iter_forward_chars (&tail, g_utf8_strlen (expected, -1));
          gtk_text_buffer_remove_tag (self->buffer, tag, &tail, &end);
        }
    }
}

static void
buffer_changed (RlMentionCompleter *self)
{
  if (self->changing)
    return;
  sweep_spans (self);
  update (self);
}

static void
mark_set (RlMentionCompleter *self,
          const GtkTextIter  *location,
          GtkTextMark        *mark)
{
  if (mark == gtk_text_buffer_get_insert (self->buffer))
    update (self);
}

/* The member of row in place of the "@…" typed, then a space. */
static void
insert_member (RlMentionCompleter *self,
               GtkListBoxRow      *row)
{
  const char *user = g_object_get_data (G_OBJECT (row), USER_KEY);
  const char *name = g_object_get_data (G_OBJECT (row), NAME_KEY);
  g_autofree char *text = g_strconcat ("@", name, NULL);
  GtkTextIter start, end;

  if (self->trigger == NULL || user == NULL)
    return;
  get_iter_at (self, &start, self->trigger);
  get_iter_at (self, &end, gtk_text_buffer_get_insert (self->buffer));
  close_list (self);
  self->changing = TRUE;
  gtk_text_buffer_begin_user_action (self->buffer);
  gtk_text_buffer_delete (self->buffer, &start, &end);
  gtk_text_buffer_insert_with_tags (self->buffer, &start, text, -1, new_span (self, user, text), NULL);
  if (!g_unichar_isspace (gtk_text_iter_get_char (&start)))
    gtk_text_buffer_insert (self->buffer, &start, " ", 1);
  else
    gtk_text_iter_forward_char (&start);
  gtk_text_buffer_place_cursor (self->buffer, &start);
  gtk_text_buffer_end_user_action (self->buffer);
  self->changing = FALSE;
  /* The text changed under the guard: what the view's others saw is right;
   * the spans are checked once, now. */
  sweep_spans (self);
}

static void
move_selection (RlMentionCompleter *self,
                int                 step)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list);
  int n = 0, index;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list)); child;
       child = gtk_widget_get_next_sibling (child))
    n++;
  if (n == 0)
    return;
  index = row ? gtk_list_box_row_get_index (row) + step : 0;
  select_row (self, gtk_list_box_get_row_at_index (self->list, (index + n) % n));
}

static gboolean
key_pressed (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             RlMentionCompleter    *self)
{
  GtkListBoxRow *row;

  if (!rl_mention_completer_is_open (self))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      move_selection (self, -1);
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      move_selection (self, 1);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_Tab:
      /* Ctrl+Enter still sends. */
      if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
        return FALSE;
      row = gtk_list_box_get_selected_row (self->list);
      if (row != NULL)
        insert_member (self, row);
      return TRUE;
    case GDK_KEY_Escape:
      /* Only the list closes: the composer and its text stay. */
      if (self->trigger != NULL)
        {
          GtkTextIter at;

          get_iter_at (self, &at, self->trigger);
          clear_mark (self, &self->dismissed);
          self->dismissed = gtk_text_buffer_create_mark (self->buffer, NULL, &at, TRUE);
        }
      close_list (self);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
row_activated (RlMentionCompleter *self,
               GtkListBoxRow      *row)
{
  insert_member (self, row);
}

static void
focus_left (RlMentionCompleter *self)
{
  close_list (self);
}

static void
view_unmapped (RlMentionCompleter *self)
{
  close_list (self);
}

static void
rl_mention_completer_dispose (GObject *object)
{
  RlMentionCompleter *self = RL_MENTION_COMPLETER (object);

  /* Gone with the view (its data): the view is no more to update. */
  if (self->members != NULL)
    g_signal_handlers_disconnect_by_data (self->members, self);
  g_clear_object (&self->members);
  g_clear_object (&self->connection);
  g_cancellable_cancel (self->listing);
  g_clear_object (&self->listing);
  if (self->popover != NULL && gtk_widget_get_parent (self->popover) != NULL)
    gtk_widget_unparent (self->popover);
  g_clear_object (&self->popover);
  G_OBJECT_CLASS (rl_mention_completer_parent_class)->dispose (object);
}

static void
rl_mention_completer_finalize (GObject *object)
{
  RlMentionCompleter *self = RL_MENTION_COMPLETER (object);

  g_ptr_array_unref (self->spans);
  g_clear_object (&self->buffer);
  G_OBJECT_CLASS (rl_mention_completer_parent_class)->finalize (object);
}

static void
rl_mention_completer_class_init (RlMentionCompleterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_mention_completer_dispose;
  object_class->finalize = rl_mention_completer_finalize;
}

static void
rl_mention_completer_init (RlMentionCompleter *self)
{
  self->spans = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
set_up (RlMentionCompleter *self,
        GtkTextView        *view)
{
  GtkEventController *keys, *focus;

  self->view = view;
  self->buffer = g_object_ref (gtk_text_view_get_buffer (view));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_SINGLE);
  gtk_list_box_set_activate_on_single_click (self->list, TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self->list), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "rl-mention-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  /* Translators: the list that opens on "@" in a comment */
                                  _("People to mention"), -1);
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (row_activated), self, G_CONNECT_SWAPPED);

  /* Not autohide: it takes no grab and no focus, the text keeps both. */
  self->popover = g_object_ref_sink (gtk_popover_new ());
  gtk_popover_set_autohide (GTK_POPOVER (self->popover), FALSE);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_popover_set_position (GTK_POPOVER (self->popover), GTK_POS_BOTTOM);
  gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
  gtk_widget_set_focusable (self->popover, FALSE);
  gtk_widget_set_can_focus (self->popover, FALSE);
  gtk_widget_add_css_class (self->popover, "rl-mention-popover");
  gtk_popover_set_child (GTK_POPOVER (self->popover), GTK_WIDGET (self->list));

  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_AUTOCOMPLETE, GTK_ACCESSIBLE_AUTOCOMPLETE_LIST,
                                  GTK_ACCESSIBLE_PROPERTY_HAS_POPUP, TRUE,
                                  -1);

  /* Before the view's own keys and its shortcuts (Escape cancels an edit). */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (key_pressed), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (view), keys);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "leave", G_CALLBACK (focus_left), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (view), focus);

  g_signal_connect_object (self->buffer, "changed", G_CALLBACK (buffer_changed), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->buffer, "mark-set", G_CALLBACK (mark_set), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (view, "unmap", G_CALLBACK (view_unmapped), self, G_CONNECT_SWAPPED);
}

RlMentionCompleter *
rl_mention_completer_attach (GtkTextView *view)
{
  RlMentionCompleter *self;

  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), NULL);

  self = g_object_get_data (G_OBJECT (view), COMPLETER_KEY);
  if (self != NULL)
    return self;
  self = g_object_new (RL_TYPE_MENTION_COMPLETER, NULL);
  g_object_set_data_full (G_OBJECT (view), COMPLETER_KEY, self, g_object_unref);
  set_up (self, view);
  return self;
}

static void
members_changed (RlMentionCompleter *self)
{
  if (self->trigger != NULL)
    update (self);
}

void
rl_mention_completer_set_connection (RlMentionCompleter *self,
                                     RlConnection       *connection)
{
  RlApi *api;

  g_return_if_fail (RL_IS_MENTION_COMPLETER (self));
  g_return_if_fail (connection == NULL || RL_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;
  if (self->members != NULL)
    g_signal_handlers_disconnect_by_data (self->members, self);
  g_clear_object (&self->members);
  g_set_object (&self->connection, connection);
  api = connection ? rl_session_lookup_api (connection) : NULL;
  if (api != NULL)
    {
      self->members = g_object_ref (rl_api_get_members (api));
      g_signal_connect_swapped (self->members, "items-changed", G_CALLBACK (members_changed), self);
    }
  if (self->buffer != NULL)
    close_list (self);
}

gboolean
rl_mention_completer_is_open (RlMentionCompleter *self)
{
  g_return_val_if_fail (RL_IS_MENTION_COMPLETER (self), FALSE);
  return self->popover != NULL && gtk_widget_get_visible (self->popover);
}

static int
by_start (gconstpointer a,
          gconstpointer b)
{
  const RlMention *x = *(RlMention **) a;
  const RlMention *y = *(RlMention **) b;

  return (x->start > y->start) - (x->start < y->start);
}

GPtrArray *
rl_mention_completer_dup_mentions (RlMentionCompleter *self)
{
  GPtrArray *mentions;

  g_return_val_if_fail (RL_IS_MENTION_COMPLETER (self), NULL);

  sweep_spans (self);
  mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_mention_free);
  for (guint i = 0; i < self->spans->len; i++)
    {
      GtkTextTag *tag = g_ptr_array_index (self->spans, i);
      GtkTextIter start, end;

      if (span_range (self, tag, &start, &end))
        g_ptr_array_add (mentions, rl_mention_new (g_object_get_data (G_OBJECT (tag), USER_KEY),
                                                   gtk_text_iter_get_offset (&start),
                                                   gtk_text_iter_get_offset (&end)));
    }
  g_ptr_array_sort (mentions, by_start);
  return mentions;
}

void
rl_mention_completer_set_text (RlMentionCompleter *self,
                               const char         *text,
                               GPtrArray          *mentions)
{
  GtkTextTagTable *table;
  gint64 after = 0;
  int length;
  GtkTextIter end;

  g_return_if_fail (RL_IS_MENTION_COMPLETER (self));

  table = gtk_text_buffer_get_tag_table (self->buffer);
  self->changing = TRUE;
  close_list (self);
  clear_mark (self, &self->dismissed);
  for (guint i = 0; i < self->spans->len; i++)
    gtk_text_tag_table_remove (table, g_ptr_array_index (self->spans, i));
  g_ptr_array_set_size (self->spans, 0);
  gtk_text_buffer_set_text (self->buffer, text ? text : "", -1);
  length = gtk_text_buffer_get_char_count (self->buffer);
  for (guint i = 0; mentions != NULL && i < mentions->len; i++)
    {
      const RlMention *mention = g_ptr_array_index (mentions, i);
      g_autofree char *span = NULL;
      GtkTextIter start, stop;

      if (mention->user == NULL || mention->start < after || mention->end <= mention->start + 1 ||
          mention->end > length)
        continue;
      gtk_text_buffer_get_iter_at_offset (self->buffer, &start, mention->start);
      gtk_text_buffer_get_iter_at_offset (self->buffer, &stop, mention->end);
      if (gtk_text_iter_get_char (&start) != '@')
        continue;
      span = gtk_text_iter_get_text (&start, &stop);
      gtk_text_buffer_apply_tag (self->buffer, new_span (self, mention->user, span), &start, &stop);
      after = mention->end;
    }
  gtk_text_buffer_get_end_iter (self->buffer, &end);
  gtk_text_buffer_place_cursor (self->buffer, &end);
  self->changing = FALSE;
}

GtkWidget *
rl_mention_completer_get_popover (RlMentionCompleter *self)
{
  g_return_val_if_fail (RL_IS_MENTION_COMPLETER (self), NULL);
  return self->popover;
}

GtkWidget *
rl_mention_completer_get_list (RlMentionCompleter *self)
{
  g_return_val_if_fail (RL_IS_MENTION_COMPLETER (self), NULL);
  return GTK_WIDGET (self->list);
}
