/* rl-thread-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-thread-row.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "rl-comment-row.h"
#include "rl-mention-completer.h"
#include "rl-pin-crop.h"
#include "rl-send-shortcut.h"

struct _RlThreadRow
{
  GtkListBoxRow  parent_instance;

  GtkLabel      *badge;
  GtkWidget     *resolved_tag;
  GtkWidget     *new_tag;        /* the thread has comments the user has not read */
  GtkLabel      *placement_badge;
  GtkWidget     *confirm_button;
  GtkWidget     *place_button;
  GtkLabel      *was_label;
  RlPinCrop     *origin_crop;
  GtkLabel      *made_on_label;
  GtkWidget     *resolve_button;
  GtkWidget     *delete_button;
  GtkLabel      *quote_label;
  GtkBox        *comments_box;
  GtkRevealer   *reply_revealer;
  GtkTextView   *reply_view;
  GtkWidget     *reply_placeholder;
  GtkWidget     *send_button;
  GtkLabel      *error_label;
  GtkWidget     *notice_box;
  GtkLabel      *notice_label;
  GtkWidget     *notice_buttons;
  GtkWidget     *copy_button;
  GtkWidget     *dismiss_button;

  RlDocStore    *store;
  RlThreadItem  *item;
  RlRevisionImages *images;      /* the panel's: the pictures of older versions */
  char          *thread_id;
  GHashTable    *comment_rows;   /* comment id → RlCommentRow (child of comments_box) */
  gboolean       orphaned;
  char          *user_id;
  gboolean       user_is_admin;
  gboolean       can_create;
  char          *reason;
  gboolean       live;
  gint64         shown_revision;   /* the version the window shows; 0: the latest, unnumbered */
  gboolean       placing;          /* the person is placing it anew ("Place…") */
  gboolean       reply_held;       /* the reply box does not close (a press in the panel) */
  guint          unread;           /* comments the user has not read */
  char          *first_new;        /* the comment the "New" divider is above, or NULL */

  /* What became of the thread while this row was kept for the person in it. */
  gboolean       deleted;
  gboolean       kept_hidden;
  char          *resolved_by;    /* who resolved it, when known */
  gboolean       acting;         /* inside this row's own resolve or delete */
  gboolean       dismissed;
};

G_DEFINE_FINAL_TYPE (RlThreadRow, rl_thread_row, GTK_TYPE_LIST_BOX_ROW)

enum { SIGNAL_DRAFT_CHANGED, SIGNAL_DISMISSED, SIGNAL_PLACE, N_SIGNALS };
static guint signals[N_SIGNALS];

static const RlThread *
thread_of (RlThreadRow *self)
{
  return rl_thread_item_get_thread (self->item);
}

static gboolean
can_delete_thread (RlThreadRow *self)
{
  const RlThread *thread = thread_of (self);

  return self->user_is_admin || (self->user_id && g_strcmp0 (thread->created_by.id, self->user_id) == 0);
}

static void
show_error (RlThreadRow  *self,
            const GError *error)
{
  rl_row_show_error (self->error_label, error);
}

/* Changes go out only while the panel allows them and the thread exists. */
static gboolean
can_change (RlThreadRow *self)
{
  return self->can_create && !self->deleted;
}

static const char *
cannot_change_reason (RlThreadRow *self)
{
  return self->deleted ? _("This thread was deleted.") : self->reason;
}

static char *
reply_text (RlThreadRow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->reply_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
reply_is_blank (RlThreadRow *self)
{
  g_autofree char *text = reply_text (self);

  return *g_strstrip (text) == '\0';
}

static void
update_reply (RlThreadRow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->reply_view);
  gboolean empty = gtk_text_buffer_get_char_count (buffer) == 0;
  gboolean selected = gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (self));

  gtk_widget_set_visible (self->reply_placeholder, empty);
  gtk_revealer_set_reveal_child (self->reply_revealer,
                                 selected || !empty
                                 || (self->reply_held && gtk_revealer_get_reveal_child (self->reply_revealer)));
  gtk_widget_set_sensitive (self->send_button, can_change (self) && !reply_is_blank (self));
  gtk_widget_set_tooltip_text (self->send_button,
                               can_change (self) ? _("Send Reply (Ctrl+Enter)") : cannot_change_reason (self));
}

/* The thread's own number, given by the server; 0 while not known (an own
 * new thread before the server has it). */
static guint
number_of (RlThreadRow *self)
{
  gint64 number = thread_of (self)->number;

  return number > 0 && number <= G_MAXUINT ? (guint) number : 0;
}

/* "2 new comments" for screen readers, or NULL. */
static char *
describe_unread (RlThreadRow *self)
{
  if (self->unread == 0)
    return NULL;
  /* Translators: a thread's unread comments, for screen readers */
  return g_strdup_printf (ngettext ("%u new comment", "%u new comments", self->unread), self->unread);
}

static void
update_names (RlThreadRow *self)
{
  const RlThread *thread = thread_of (self);
  guint number = number_of (self);
  g_autofree char *reply = NULL;
  g_autofree char *reply_box = NULL;
  g_autofree char *resolve = NULL;
  g_autofree char *delete = NULL;
  g_autofree char *row = NULL;
  g_autofree char *badge = NULL;

  if (number > 0)
    {
      badge = g_strdup_printf ("%u", number);
      /* Translators: %u is the number of a thread, as on its pin. */
      reply = g_strdup_printf (_("Reply to thread %u"), number);
      /* Translators: %u is the number of a thread, as on its pin. */
      reply_box = g_strdup_printf (_("Reply text for thread %u"), number);
      resolve = thread->resolved
        /* Translators: %u is the number of a thread, as on its pin. */
        ? g_strdup_printf (_("Reopen thread %u"), number)
        /* Translators: %u is the number of a thread, as on its pin. */
        : g_strdup_printf (_("Resolve thread %u"), number);
      /* Translators: %u is the number of a thread, as on its pin. */
      delete = g_strdup_printf (_("Delete thread %u"), number);
      row = thread->resolved
        /* Translators: a thread for screen readers: its number and who started it. */
        ? g_strdup_printf (_("Thread %u by %s, resolved"), number, thread->created_by.name)
        /* Translators: a thread for screen readers: its number and who started it. */
        : g_strdup_printf (_("Thread %u by %s"), number, thread->created_by.name);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->badge), NULL);
    }
  else
    {
      /* Not numbered yet: a neutral mark, never a position, which would
       * change as threads come and go. */
      badge = g_strdup ("…");
      reply = g_strdup (_("Reply to this thread"));
      reply_box = g_strdup (_("Reply text for this thread"));
      resolve = g_strdup (thread->resolved ? _("Reopen this thread") : _("Resolve this thread"));
      delete = g_strdup (_("Delete this thread"));
      row = thread->resolved
        /* Translators: a thread not numbered yet, for screen readers: who started it. */
        ? g_strdup_printf (_("Thread by %s, resolved"), thread->created_by.name)
        /* Translators: a thread not numbered yet, for screen readers: who started it. */
        : g_strdup_printf (_("Thread by %s"), thread->created_by.name);
      /* Translators: tooltip of a new thread's badge, before the server has given it its number */
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->badge), _("Not numbered yet"));
    }

  if (self->unread > 0)
    {
      g_autofree char *unread = describe_unread (self);
      char *named = NULL;

      /* Translators: a thread for screen readers and what is unread in it:
       * "Thread 3 by Bob, 2 new comments" */
      named = g_strdup_printf (_("%s, %s"), row, unread);
      g_free (row);
      row = named;
    }
  gtk_label_set_text (self->badge, badge);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->send_button), GTK_ACCESSIBLE_PROPERTY_LABEL, reply, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reply_view), GTK_ACCESSIBLE_PROPERTY_LABEL, reply_box, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->resolve_button), GTK_ACCESSIBLE_PROPERTY_LABEL, resolve, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->delete_button), GTK_ACCESSIBLE_PROPERTY_LABEL, delete, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, row, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->badge), GTK_ACCESSIBLE_PROPERTY_LABEL, row, -1);
}

/* A page annotation quotes its text in at most two lines (the panel is
 * narrow), its line breaks as spaces; the tooltip has all of it. */
static void
update_quote (RlThreadRow *self)
{
  const char *exact = thread_of (self)->anchor.exact;
  g_autofree char *flat = NULL;

  if (exact == NULL || *exact == '\0')
    {
      gtk_widget_set_visible (GTK_WIDGET (self->quote_label), FALSE);
      return;
    }
  flat = g_strdup (exact);
  g_strdelimit (flat, "\r\n\t", ' ');
  gtk_label_set_text (self->quote_label, g_strstrip (flat));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->quote_label), exact);
  gtk_widget_set_visible (GTK_WIDGET (self->quote_label), TRUE);
}

/* Its placement on the version shown, unless it is exact or a person
 * settled it: NULL when there is nothing to say. */
static const RlRevisionAnchor *
unsettled_placement (RlThreadRow *self)
{
  const RlRevisionAnchor *placement;

  if (self->shown_revision <= 0)
    return NULL;
  placement = rl_thread_get_placement (thread_of (self), self->shown_revision);
  if (placement == NULL || placement->status == RL_PLACEMENT_EXACT || placement->by.id != NULL)
    return NULL;
  return placement;
}

/* What a moved or changed thread was on, where it was made: its quote
 * (pages) or where its pin was (images), in words. */
static char *
describe_origin (RlThreadRow *self)
{
  const RlThread *thread = thread_of (self);
  const RlRevisionAnchor *origin = rl_thread_get_placement (thread, thread->revision);
  g_autofree char *flat = NULL;

  if (origin == NULL || origin->status == RL_PLACEMENT_ORPHANED)
    return NULL;
  if (origin->anchor.kind == RL_DOC_KIND_PAGE)
    {
      if (origin->anchor.exact == NULL || *origin->anchor.exact == '\0')
        return NULL;
      flat = g_strdup (origin->anchor.exact);
      g_strdelimit (flat, "\r\n\t", ' ');
      /* Translators: what a carried annotation quoted on the version it
       * was made on; %s is that text */
      return g_strdup_printf (_("Was “%s”"), g_strstrip (flat));
    }
  /* Translators: where a carried marker was on the version it was made
   * on: how far across and down the image, in percent */
  return g_strdup_printf (_("Was %d %% across, %d %% down"),
                          (int) round (origin->anchor.x * 100), (int) round (origin->anchor.y * 100));
}

/* Beside the words of a moved or changed marker (was, or NULL: none):
 * the version it was made on, cropped around where its pin was, the words
 * its tooltip and what screen readers hear of it; nothing until that
 * version's picture has come, or when it cannot. */
static void
update_origin_crop (RlThreadRow *self,
                    const char  *was)
{
  const RlThread *thread = thread_of (self);
  const RlRevisionAnchor *origin = rl_thread_get_placement (thread, thread->revision);
  g_autoptr(GdkTexture) crop = NULL;
  g_autofree char *label = NULL;
  double pin_x = 0.5, pin_y = 0.5;

  /* Drawn at twice its size in logical pixels: sharp on a 2× screen. */
  if (was != NULL && self->images != NULL && origin != NULL && origin->anchor.kind == RL_DOC_KIND_IMAGE)
    crop = rl_revision_images_dup_crop (self->images, thread->revision, origin->anchor.x, origin->anchor.y,
                                        2 * RL_PIN_CROP_WIDTH, 2 * RL_PIN_CROP_HEIGHT, &pin_x, &pin_y);
  rl_pin_crop_set_crop (self->origin_crop, crop, pin_x, pin_y);
  gtk_widget_set_visible (GTK_WIDGET (self->origin_crop), crop != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->origin_crop), was);
  if (crop == NULL)
    return;
  /* Translators: what screen readers call the picture beside a moved or
   * changed marker: the version it was made on, around its pin; %lld is
   * that version */
  label = g_strdup_printf (_("Where it was on version %lld"), (long long) thread->revision);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->origin_crop), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, was, -1);
}

/* The placement badge ("Moved", "Changed", "Not found"), what it was on,
 * Confirm, and on which version it was made; screen readers hear the
 * badge and the version in the row's description. */
static void
update_placement (RlThreadRow *self)
{
  const RlThread *thread = thread_of (self);
  const RlRevisionAnchor *placement = unsettled_placement (self);
  g_autofree char *score = NULL;
  g_autofree char *was = NULL;
  g_autofree char *made_on = NULL;
  g_autofree char *description = NULL;
  const char *badge = NULL;
  const char *classes[] = { "moved", "changed", "not-found" };
  gboolean confirmable = FALSE;
  gboolean placeable = FALSE;

  if (placement != NULL)
    switch (placement->status)
      {
      case RL_PLACEMENT_MOVED:
        /* Translators: a thread's badge: the server found its text or pixels
         * elsewhere on this version */
        badge = _("Moved");
        confirmable = TRUE;
        break;
      case RL_PLACEMENT_CHANGED:
        /* Translators: a thread's badge: what it was on differs on this
         * version; someone should look */
        badge = _("Changed");
        /* Translators: how alike a changed thread's place is to what it was
         * on, in percent ("72 % alike") */
        score = g_strdup_printf (_("%d %% alike"), (int) round (placement->score * 100));
        confirmable = TRUE;
        break;
      case RL_PLACEMENT_ORPHANED:
        /* Translators: a thread's badge: what it was on is not on this version */
        badge = _("Not found");
        placeable = TRUE;
        break;
      case RL_PLACEMENT_EXACT:
      default:
        break;
      }
  /* A carried page thread is re-attached on a new selection (Place…); a
   * carried marker by dragging its pin. */
  if (confirmable && thread->anchor.kind == RL_DOC_KIND_PAGE)
    placeable = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->placement_badge), classes[i]);
  if (badge != NULL)
    {
      gtk_label_set_text (self->placement_badge, badge);
      gtk_widget_add_css_class (GTK_WIDGET (self->placement_badge), classes[placement->status - RL_PLACEMENT_MOVED]);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->placement_badge), badge != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->placement_badge), score);

  if (confirmable)
    was = describe_origin (self);
  else if (self->placing && thread->anchor.kind == RL_DOC_KIND_IMAGE)
    /* Translators: on a thread being placed anew with "Place…" */
    was = g_strdup (_("Click on the image where this thread belongs."));
  gtk_label_set_text (self->was_label, was ? was : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->was_label), was);
  gtk_widget_set_visible (GTK_WIDGET (self->was_label), was != NULL);
  update_origin_crop (self, confirmable ? was : NULL);

  gtk_widget_set_visible (self->confirm_button, confirmable);
  gtk_widget_set_visible (self->place_button, placeable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "thread.place", placeable && can_change (self));
  gtk_button_set_label (GTK_BUTTON (self->place_button),
                        /* Translators: stops placing a thread anew */
                        self->placing ? _("Cancel")
                        /* Translators: places a thread anew on this version: one not
                         * found on it, or a page's carried elsewhere */
                        : _("Place…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->place_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->placing ? _("Stop placing this thread")
                                  : _("Place this thread on this version"), -1);
  gtk_widget_set_tooltip_text (self->place_button,
                               !can_change (self) ? cannot_change_reason (self)
                               : thread->anchor.kind == RL_DOC_KIND_PAGE ? _("Place it on the selected text")
                               : _("Place it where you click on the image next"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "thread.confirm-placement", confirmable && can_change (self));
  gtk_widget_set_tooltip_text (self->confirm_button,
                               !can_change (self) ? cannot_change_reason (self)
                               /* Translators: tooltip of Confirm on a carried thread */
                               : _("Keep this thread where it was carried"));

  if (thread->revision > 0 && self->shown_revision > 0 && thread->revision != self->shown_revision)
    /* Translators: on a thread in the panel; %lld is the version of the
     * document the thread was started on */
    made_on = g_strdup_printf (_("Made on version %lld"), (long long) thread->revision);
  gtk_label_set_text (self->made_on_label, made_on ? made_on : "");
  gtk_widget_set_visible (GTK_WIDGET (self->made_on_label), made_on != NULL);

  if (badge != NULL || made_on != NULL)
    {
      GStrvBuilder *builder = g_strv_builder_new ();
      g_auto(GStrv) parts = NULL;

      if (badge != NULL)
        g_strv_builder_add (builder, badge);
      if (score != NULL)
        g_strv_builder_add (builder, score);
      if (was != NULL)
        g_strv_builder_add (builder, was);
      if (made_on != NULL)
        g_strv_builder_add (builder, made_on);
      parts = g_strv_builder_end (builder);
      g_strv_builder_unref (builder);
      /* Translators: joins the parts of a thread's description for screen
       * readers ("Moved. Made on version 1") */
      description = g_strjoinv (_(". "), parts);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
    }
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

/* A version's picture came: the crop of the one this thread was made on. */
static void
on_image_ready (RlThreadRow      *self,
                gint64            revision,
                RlRevisionImages *images)
{
  if (revision == thread_of (self)->revision)
    update_placement (self);
}

static void
update_header (RlThreadRow *self)
{
  const RlThread *thread = thread_of (self);
  gboolean deletable = can_delete_thread (self);

  update_quote (self);
  if (thread->resolved)
    gtk_widget_add_css_class (GTK_WIDGET (self), "resolved");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "resolved");
  gtk_widget_set_visible (self->resolved_tag, thread->resolved);
  gtk_button_set_icon_name (GTK_BUTTON (self->resolve_button),
                            thread->resolved ? "edit-undo-symbolic" : "object-select-symbolic");
  gtk_widget_set_tooltip_text (self->resolve_button,
                               !can_change (self) ? cannot_change_reason (self)
                               : thread->resolved ? _("Reopen") : _("Resolve"));
  gtk_widget_set_visible (self->delete_button, deletable);
  gtk_widget_set_tooltip_text (self->delete_button,
                               can_change (self) ? _("Delete Thread") : cannot_change_reason (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "thread.toggle-resolved", can_change (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "thread.delete", can_change (self) && deletable);
  update_names (self);
  update_placement (self);
}

/* An edit in progress in one of the comments that would be lost, or NULL. */
static char *
edit_draft (RlThreadRow *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->comments_box));
       child; child = gtk_widget_get_next_sibling (child))
    {
      char *draft = rl_comment_row_dup_draft (RL_COMMENT_ROW (child));

      if (draft != NULL)
        return draft;
    }
  return NULL;
}

/* What the thread's going says, above the reply box where the person
 * types; the reply box's description says it too, for screen readers. */
static void
update_notice (RlThreadRow *self)
{
  g_autofree char *text = NULL;
  g_autofree char *edit = NULL;
  gboolean reply = !reply_is_blank (self);

  if (self->deleted)
    {
      edit = reply ? NULL : edit_draft (self);
      if (reply)
        text = g_strdup (_("This thread was deleted. Your reply was not sent."));
      else if (edit != NULL)
        text = g_strdup (_("This thread was deleted. Your edit was not saved."));
      else
        text = g_strdup (_("This thread was deleted."));
      gtk_widget_set_visible (self->copy_button, reply || edit != NULL);
      gtk_button_set_label (GTK_BUTTON (self->copy_button), _("Copy Text"));
      gtk_button_set_label (GTK_BUTTON (self->dismiss_button),
                            /* Translators: throws away the text typed in a deleted thread */
                            reply || edit != NULL ? _("Discard")
                            /* Translators: closes the notice of a deleted thread */
                            : _("Dismiss"));
      gtk_widget_set_visible (self->notice_buttons, TRUE);
    }
  else if (self->kept_hidden)
    {
      if (self->resolved_by != NULL)
        /* Translators: %s is who resolved the thread; "Hide Resolved" is on, so
         * the thread leaves the list once the person moves away from it */
        text = g_strdup_printf (_("Resolved by %s — hidden once you leave it."), self->resolved_by);
      else
        /* Translators: as "Resolved by %s — hidden once you leave it." */
        text = g_strdup (_("Resolved — hidden once you leave it."));
      gtk_widget_set_visible (self->notice_buttons, FALSE);
    }
  gtk_label_set_text (self->notice_label, text ? text : "");
  gtk_widget_set_visible (self->notice_box, text != NULL);
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->reply_view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->reply_view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
draft_changed (RlThreadRow *self)
{
  if (self->deleted || self->kept_hidden)
    update_notice (self);
  g_signal_emit (self, signals[SIGNAL_DRAFT_CHANGED], 0);
}

static void
sync_comments (RlThreadRow *self)
{
  GListModel *comments = rl_thread_item_get_comments (self->item);
  guint n = g_list_model_get_n_items (comments);
  g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
  GtkWidget *previous = NULL;
  GHashTableIter iter;
  gpointer id, row;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RlCommentItem) item = g_list_model_get_item (comments, i);
      const RlComment *comment = rl_comment_item_get_comment (item);
      RlCommentRow *comment_row = g_hash_table_lookup (self->comment_rows, comment->id);
      gboolean own = self->user_id && g_strcmp0 (comment->author.id, self->user_id) == 0;

      if (comment_row == NULL)
        {
          comment_row = rl_comment_row_new (self->store, self->thread_id);
          g_signal_connect_swapped (comment_row, "draft-changed", G_CALLBACK (draft_changed), self);
          gtk_box_append (self->comments_box, GTK_WIDGET (comment_row));
          g_hash_table_insert (self->comment_rows, g_strdup (comment->id), comment_row);
          if (self->live && !own)
            rl_row_flash (GTK_WIDGET (comment_row));
        }
      rl_comment_row_set_comment (comment_row, comment);
      rl_comment_row_set_permissions (comment_row, own || self->user_is_admin, i > 0);
      rl_comment_row_set_can_create (comment_row, can_change (self), cannot_change_reason (self));
      gtk_box_reorder_child_after (self->comments_box, GTK_WIDGET (comment_row), previous);
      previous = GTK_WIDGET (comment_row);
      g_hash_table_add (keep, (gpointer) comment->id);
    }

  /* Rows of deleted comments. */
  g_hash_table_iter_init (&iter, self->comment_rows);
  while (g_hash_table_iter_next (&iter, &id, &row))
    if (!g_hash_table_contains (keep, id))
      {
        gtk_box_remove (self->comments_box, row);
        g_hash_table_iter_remove (&iter);
      }
}

/* The "New" tag, and the divider above the first comment the user had
 * not read: it stays there once they read it, while the row is shown,
 * and moves to the first of newer ones that come unread. */
static void
update_unread (RlThreadRow *self)
{
  GListModel *comments = rl_thread_item_get_comments (self->item);
  guint unread = rl_doc_store_get_thread_unread (self->store, self->thread_id);
  const char *first_new = NULL;
  GHashTableIter iter;
  gpointer id, row;

  for (guint i = 0; i < g_list_model_get_n_items (comments) && unread > 0 && first_new == NULL; i++)
    {
      g_autoptr(RlCommentItem) item = g_list_model_get_item (comments, i);
      const RlComment *comment = rl_comment_item_get_comment (item);

      if (rl_doc_store_is_comment_unread (self->store, self->thread_id, comment->id))
        first_new = comment->id;
    }
  if (first_new != NULL && g_strcmp0 (first_new, self->first_new) != 0)
    {
      g_free (self->first_new);
      self->first_new = g_strdup (first_new);
    }
  else if (self->first_new != NULL && !g_hash_table_contains (self->comment_rows, self->first_new))
    g_clear_pointer (&self->first_new, g_free);
  g_hash_table_iter_init (&iter, self->comment_rows);
  while (g_hash_table_iter_next (&iter, &id, &row))
    rl_comment_row_set_first_new (row, g_strcmp0 (id, self->first_new) == 0);

  gtk_widget_set_visible (self->new_tag, unread > 0);
  if (unread > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "unread");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "unread");
  if (unread != self->unread)
    {
      self->unread = unread;
      update_names (self);
    }
}

static void
on_thread_changed (RlThreadRow *self)
{
  update_header (self);
  sync_comments (self);
  update_unread (self);
}

/* The people called in by the reply, in code points of reply_text's. */
static GPtrArray *
reply_mentions (RlThreadRow *self)
{
  return rl_mention_completer_dup_mentions (rl_mention_completer_attach (self->reply_view));
}

static void
send_reply (RlThreadRow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = reply_text (self);
  g_autoptr(GPtrArray) mentions = reply_mentions (self);

  if (reply_is_blank (self) || self->deleted)
    return;
  if (!rl_doc_store_add_comment_with_mentions (self->store, self->thread_id, text, mentions, NULL, &error))
    {
      /* Nothing was sent: what was typed stays, and the reason shows. */
      show_error (self, error);
      return;
    }
  show_error (self, NULL);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->reply_view), "", 0);
}

static void
on_send_clicked (RlThreadRow *self)
{
  send_reply (self);
}

static gboolean
send_shortcut (GtkWidget *widget,
               GVariant  *args,
               gpointer   data)
{
  send_reply (RL_THREAD_ROW (data));
  return TRUE;
}

static void
select_self (RlThreadRow *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  if (GTK_IS_LIST_BOX (parent) && !gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (self)))
    gtk_list_box_select_row (GTK_LIST_BOX (parent), GTK_LIST_BOX_ROW (self));
}

static void
on_focus_enter (RlThreadRow *self)
{
  /* Selection follows the keyboard, so the pin shows where focus is. */
  select_self (self);
}

/* The reply field has the focus but is not shown yet: its box is opening
 * (the revealer maps its child on its first frame). GTK runs no controller
 * of an unmapped widget, so a key typed now would reach no one. */
static gboolean
reply_is_opening (RlThreadRow *self)
{
  GtkWidget *view = GTK_WIDGET (self->reply_view);

  return gtk_widget_has_focus (view) && !gtk_widget_get_mapped (view);
}

/* Keys typed while the reply box opens go to the reply field all the same
 * (the row is mapped: it sees them first, in the capture phase). */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                RlThreadRow           *self)
{
  return reply_is_opening (self) && gtk_event_controller_key_forward (controller, GTK_WIDGET (self->reply_view));
}

static void
on_key_released (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 RlThreadRow           *self)
{
  if (reply_is_opening (self))
    gtk_event_controller_key_forward (controller, GTK_WIDGET (self->reply_view));
}

static void
on_state_flags_changed (RlThreadRow   *self,
                        GtkStateFlags  previous)
{
  GtkStateFlags now = gtk_widget_get_state_flags (GTK_WIDGET (self));

  if ((now ^ previous) & GTK_STATE_FLAG_SELECTED)
    update_reply (self);
}

/* GTK 4.8 cuts the link between a row's own actions and the buttons in it
 * when the list takes the row out and puts it back (it moved): the
 * buttons stay insensitive, and do nothing, whatever the actions say.
 * Bound again once the row is back, they follow the actions again. */
static void
rebind_actions (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_ACTIONABLE (child) && gtk_actionable_get_action_name (GTK_ACTIONABLE (child)) != NULL)
        {
          g_autofree char *name = g_strdup (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)));

          gtk_actionable_set_action_name (GTK_ACTIONABLE (child), NULL);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (child), name);
        }
      rebind_actions (child);
    }
}

static void
on_parent_changed (RlThreadRow *self)
{
  if (gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
    rebind_actions (GTK_WIDGET (self));
}

static void
reply_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  rl_thread_row_focus_reply (RL_THREAD_ROW (widget));
}

static void
toggle_resolved_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  RlThreadRow *self = RL_THREAD_ROW (widget);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  /* The person's own doing: the panel need not keep the row for them. */
  self->acting = TRUE;
  ok = rl_doc_store_resolve_thread (self->store, self->thread_id, !thread_of (self)->resolved, &error);
  self->acting = FALSE;
  show_error (self, ok ? NULL : error);
}

/* Keeps the thread where the server carried it, for everyone: the badge
 * goes at once (the store shows the change until its echo). */
static void
confirm_placement_activated (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  RlThreadRow *self = RL_THREAD_ROW (widget);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!can_change (self))
    return;
  g_object_ref (self);
  self->acting = TRUE;
  ok = rl_doc_store_place_thread (self->store, self->thread_id, NULL, &error);
  self->acting = FALSE;
  show_error (self, ok ? NULL : error);
  g_object_unref (self);
}

/* Starts (or stops) placing a thread anew on this version (not found on
 * it, or a page's carried): the panel tells the views, which place it. */
static void
place_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_PLACE], 0);
}

static void
delete_response (AdwMessageDialog *dialog,
                 const char       *response,
                 RlThreadRow      *self)
{
  g_autoptr(GError) error = NULL;

  gboolean ok;

  if (g_strcmp0 (response, "delete") != 0 || self->deleted)
    return;
  g_object_ref (self);
  self->acting = TRUE;
  ok = rl_doc_store_delete_thread (self->store, self->thread_id, &error);
  self->acting = FALSE;
  if (!ok)
    show_error (self, error);
  g_object_unref (self);
}

static void
copy_draft_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  RlThreadRow *self = RL_THREAD_ROW (widget);
  g_autofree char *draft = rl_thread_row_dup_draft (self);

  if (draft == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), draft);
  /* Translators: said by the Copy Text button once it has copied */
  gtk_button_set_label (GTK_BUTTON (self->copy_button), _("Copied"));
}

static void
dismiss_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  RlThreadRow *self = RL_THREAD_ROW (widget);

  /* The panel drops the row from here on: it may go while this runs. */
  g_object_ref (self);
  self->dismissed = TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->comments_box));
       child; child = gtk_widget_get_next_sibling (child))
    if (rl_comment_row_is_editing (RL_COMMENT_ROW (child)))
      gtk_widget_activate_action (child, "comment.cancel-edit", NULL);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->reply_view), "", 0);
  g_signal_emit (self, signals[SIGNAL_DISMISSED], 0);
  g_object_unref (self);
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  RlThreadRow *self = RL_THREAD_ROW (widget);
  guint n = thread_of (self)->comments->len;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  if (number_of (self) > 0)
    /* Translators: %u is the number of a thread, as on its pin. */
    heading = g_strdup_printf (_("Delete Thread %u?"), number_of (self));
  else
    heading = g_strdup (_("Delete Thread?"));
  if (thread_of (self)->anchor.kind == RL_DOC_KIND_PAGE)
    /* Translators: a page annotation is a highlight on some text */
    body = g_strdup_printf (ngettext ("The highlight and its comment are deleted for everyone.",
                                      "The highlight and its %u comments are deleted for everyone.", n), n);
  else
    body = g_strdup_printf (ngettext ("The marker and its comment are deleted for everyone.",
                                      "The marker and its %u comments are deleted for everyone.", n), n);
  rl_row_confirm_delete (widget, heading, body, G_CALLBACK (delete_response));
}

static void
rl_thread_row_dispose (GObject *object)
{
  RlThreadRow *self = RL_THREAD_ROW (object);

  rl_row_stop_flash (GTK_WIDGET (object));
  if (self->item)
    g_signal_handlers_disconnect_by_data (self->item, self);
  if (self->images)
    g_signal_handlers_disconnect_by_data (self->images, self);
  g_clear_object (&self->images);
  g_clear_pointer (&self->comment_rows, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), RL_TYPE_THREAD_ROW);
  g_clear_object (&self->item);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (rl_thread_row_parent_class)->dispose (object);
}

static void
rl_thread_row_finalize (GObject *object)
{
  RlThreadRow *self = RL_THREAD_ROW (object);

  g_free (self->thread_id);
  g_free (self->user_id);
  g_free (self->reason);
  g_free (self->resolved_by);
  g_free (self->first_new);
  G_OBJECT_CLASS (rl_thread_row_parent_class)->finalize (object);
}

static void
rl_thread_row_class_init (RlThreadRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_thread_row_dispose;
  object_class->finalize = rl_thread_row_finalize;

  g_type_ensure (RL_TYPE_PIN_CROP);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-thread-row.ui");
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, badge);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, resolved_tag);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, new_tag);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, placement_badge);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, place_button);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, was_label);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, origin_crop);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, made_on_label);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, resolve_button);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, quote_label);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, comments_box);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, reply_revealer);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, reply_view);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, reply_placeholder);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, send_button);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, error_label);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, notice_box);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, notice_label);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, notice_buttons);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, RlThreadRow, dismiss_button);
  gtk_widget_class_bind_template_callback (widget_class, on_send_clicked);

  /* The text that would be lost may have changed (rl_thread_row_has_draft). */
  signals[SIGNAL_DRAFT_CHANGED] =
    g_signal_new ("draft-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* The person threw away the kept row of a deleted thread (Discard or
   * Dismiss): the panel lets it go. */
  /* The person asked to place the thread anew, or to stop ("Place…"). */
  signals[SIGNAL_PLACE] =
    g_signal_new ("place", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_DISMISSED] =
    g_signal_new ("dismissed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "thread.reply", NULL, reply_activated);
  gtk_widget_class_install_action (widget_class, "thread.toggle-resolved", NULL, toggle_resolved_activated);
  gtk_widget_class_install_action (widget_class, "thread.delete", NULL, delete_activated);
  gtk_widget_class_install_action (widget_class, "thread.confirm-placement", NULL, confirm_placement_activated);
  gtk_widget_class_install_action (widget_class, "thread.place", NULL, place_activated);
  gtk_widget_class_install_action (widget_class, "thread.copy-draft", NULL, copy_draft_activated);
  gtk_widget_class_install_action (widget_class, "thread.dismiss", NULL, dismiss_activated);
  /* Anywhere in the thread: Ctrl+R replies. On the row itself Delete asks
   * to delete the thread (the focused comment's own Delete comes first). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "thread.reply", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "thread.delete", NULL);

  gtk_widget_class_set_css_name (widget_class, "row");
}

static void
rl_thread_row_init (RlThreadRow *self)
{
  GtkEventController *focus;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "rl-thread-row");
  self->comment_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->can_create = TRUE;

  rl_mention_completer_attach (self->reply_view);
  gtk_widget_add_controller (GTK_WIDGET (self->reply_view),
                             rl_send_shortcut_new (gtk_callback_action_new (send_shortcut, self, NULL)));

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (on_focus_enter), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  g_signal_connect (keys, "key-released", G_CALLBACK (on_key_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect (self, "state-flags-changed", G_CALLBACK (on_state_flags_changed), NULL);
  g_signal_connect (self, "notify::parent", G_CALLBACK (on_parent_changed), NULL);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->reply_view), "changed",
                            G_CALLBACK (update_reply), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->reply_view), "changed",
                            G_CALLBACK (draft_changed), self);
}

RlThreadRow *
rl_thread_row_new (RlDocStore   *store,
                   RlThreadItem *item,
                   const char   *user_id,
                   gboolean      user_is_admin)
{
  RlThreadRow *self = g_object_new (RL_TYPE_THREAD_ROW, NULL);

  self->store = g_object_ref (store);
  self->item = g_object_ref (item);
  self->thread_id = g_strdup (rl_thread_item_get_thread (item)->id);
  self->user_id = g_strdup (user_id);
  self->user_is_admin = user_is_admin;
  rl_mention_completer_set_connection (rl_mention_completer_attach (self->reply_view),
                                       rl_doc_store_get_connection (store));
  g_signal_connect_swapped (item, "notify::thread", G_CALLBACK (on_thread_changed), self);
  g_signal_connect_object (store, "unread-changed", G_CALLBACK (update_unread), self, G_CONNECT_SWAPPED);
  on_thread_changed (self);
  update_reply (self);
  return self;
}

RlThreadItem *
rl_thread_row_get_item (RlThreadRow *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ROW (self), NULL);
  return self->item;
}

const char *
rl_thread_row_get_thread_id (RlThreadRow *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ROW (self), NULL);
  return self->thread_id;
}

void
rl_thread_row_set_orphaned (RlThreadRow *self,
                            gboolean     orphaned)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  orphaned = !!orphaned;
  if (self->orphaned == orphaned)
    return;
  self->orphaned = orphaned;
  if (orphaned)
    gtk_widget_add_css_class (GTK_WIDGET (self), "orphaned");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "orphaned");
}

void
rl_thread_row_set_shown_revision (RlThreadRow *self,
                                  gint64       revision)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  if (self->shown_revision == revision)
    return;
  self->shown_revision = revision;
  update_placement (self);
}

void
rl_thread_row_set_revision_images (RlThreadRow      *self,
                                   RlRevisionImages *images)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));
  g_return_if_fail (images == NULL || RL_IS_REVISION_IMAGES (images));

  if (self->images == images)
    return;
  if (self->images)
    g_signal_handlers_disconnect_by_data (self->images, self);
  g_set_object (&self->images, images);
  if (images)
    g_signal_connect_swapped (images, "ready", G_CALLBACK (on_image_ready), self);
  update_placement (self);
}

void
rl_thread_row_set_placing (RlThreadRow *self,
                           gboolean     placing)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  placing = !!placing;
  if (self->placing == placing)
    return;
  self->placing = placing;
  update_placement (self);
}

void
rl_thread_row_set_reply_held (RlThreadRow *self,
                              gboolean     held)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  held = !!held;
  if (self->reply_held == held)
    return;
  self->reply_held = held;
  update_reply (self);
}

gboolean
rl_thread_row_get_orphaned (RlThreadRow *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ROW (self), FALSE);
  return self->orphaned;
}

const char *
rl_thread_row_get_quote (RlThreadRow *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ROW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->quote_label)) ? gtk_label_get_text (self->quote_label) : NULL;
}

void
rl_thread_row_set_user (RlThreadRow *self,
                        const char  *user_id,
                        gboolean     user_is_admin)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
  self->user_is_admin = user_is_admin;
  on_thread_changed (self);
}

static void
update_can_change (RlThreadRow *self)
{
  update_header (self);
  update_reply (self);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->comments_box));
       child; child = gtk_widget_get_next_sibling (child))
    rl_comment_row_set_can_create (RL_COMMENT_ROW (child), can_change (self), cannot_change_reason (self));
}

void
rl_thread_row_set_can_create (RlThreadRow *self,
                              gboolean     can_create,
                              const char  *reason)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  if (self->can_create == can_create && g_strcmp0 (self->reason, reason) == 0)
    return;
  self->can_create = can_create;
  g_free (self->reason);
  self->reason = g_strdup (reason);
  update_can_change (self);
}

void
rl_thread_row_update_times (RlThreadRow *self,
                            gint64       now_ms)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->comments_box));
       child; child = gtk_widget_get_next_sibling (child))
    rl_comment_row_update_time (RL_COMMENT_ROW (child), now_ms);
}

void
rl_thread_row_set_live (RlThreadRow *self,
                        gboolean     live)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));
  self->live = live;
}

void
rl_thread_row_restore_reply (RlThreadRow *self,
                             const char  *text,
                             GPtrArray   *mentions)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  rl_mention_completer_set_text (rl_mention_completer_attach (self->reply_view), text, mentions);
  rl_thread_row_focus_reply (self);
}

void
rl_thread_row_focus_reply (RlThreadRow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;

  g_return_if_fail (RL_IS_THREAD_ROW (self));

  select_self (self);
  gtk_revealer_set_reveal_child (self->reply_revealer, TRUE);
  buffer = gtk_text_view_get_buffer (self->reply_view);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_widget_grab_focus (GTK_WIDGET (self->reply_view));
}

void
rl_thread_row_clear_offline_errors (RlThreadRow *self)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  rl_row_clear_offline_error (self->error_label);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->comments_box));
       child; child = gtk_widget_get_next_sibling (child))
    rl_comment_row_clear_offline_error (RL_COMMENT_ROW (child));
}

char *
rl_thread_row_dup_draft (RlThreadRow *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ROW (self), NULL);

  if (!reply_is_blank (self))
    return reply_text (self);
  return edit_draft (self);
}

gboolean
rl_thread_row_has_draft (RlThreadRow *self)
{
  g_autofree char *draft = rl_thread_row_dup_draft (self);

  return draft != NULL;
}

gboolean
rl_thread_row_get_acting (RlThreadRow *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ROW (self), FALSE);
  return self->acting;
}

gboolean
rl_thread_row_get_dismissed (RlThreadRow *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ROW (self), FALSE);
  return self->dismissed;
}

void
rl_thread_row_set_deleted (RlThreadRow *self)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  if (self->deleted)
    return;
  self->deleted = TRUE;
  self->kept_hidden = FALSE;
  gtk_widget_add_css_class (GTK_WIDGET (self), "deleted");
  update_can_change (self);
  update_notice (self);
}

gboolean
rl_thread_row_get_deleted (RlThreadRow *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ROW (self), FALSE);
  return self->deleted;
}

void
rl_thread_row_set_kept_hidden (RlThreadRow *self,
                               gboolean     kept_hidden,
                               const char  *resolved_by)
{
  g_return_if_fail (RL_IS_THREAD_ROW (self));

  kept_hidden = !!kept_hidden;
  if (self->kept_hidden == kept_hidden && g_strcmp0 (self->resolved_by, resolved_by) == 0)
    return;
  self->kept_hidden = kept_hidden;
  g_free (self->resolved_by);
  self->resolved_by = g_strdup (resolved_by);
  update_notice (self);
}

gboolean
rl_thread_row_get_kept_hidden (RlThreadRow *self)
{
  g_return_val_if_fail (RL_IS_THREAD_ROW (self), FALSE);
  return self->kept_hidden;
}

void
rl_thread_row_take_draft (RlThreadRow *self,
                          RlThreadRow *from)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) mentions = NULL;
  gboolean focused;

  g_return_if_fail (RL_IS_THREAD_ROW (self));
  g_return_if_fail (RL_IS_THREAD_ROW (from));

  if (reply_is_blank (from))
    return;
  text = reply_text (from);
  mentions = reply_mentions (from);
  focused = gtk_widget_has_focus (GTK_WIDGET (from->reply_view));
  rl_mention_completer_set_text (rl_mention_completer_attach (self->reply_view), text, mentions);
  if (focused)
    rl_thread_row_focus_reply (self);
}
