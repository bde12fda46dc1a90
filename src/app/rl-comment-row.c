/* rl-comment-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-comment-row.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "rl-error-text.h"
#include "rl-mention-completer.h"
#include "rl-mentions.h"
#include "rl-relative-time.h"
#include "rl-send-shortcut.h"

struct _RlCommentRow
{
  GtkWidget    parent_instance;

  GtkLabel    *author_label;
  GtkLabel    *time_label;
  GtkLabel    *edited_label;
  GtkWidget   *buttons;
  GtkWidget   *edit_button;
  GtkWidget   *delete_button;
  GtkStack    *body_stack;
  GtkLabel    *body_label;
  GtkTextView *edit_view;
  GtkLabel    *error_label;
  GtkWidget   *new_divider;

  RlDocStore  *store;
  char        *thread_id;
  RlComment   *comment;
  gboolean     can_modify;
  gboolean     deletable;
  gboolean     can_create;
  char        *reason;
};

G_DEFINE_FINAL_TYPE (RlCommentRow, rl_comment_row, GTK_TYPE_WIDGET)

enum { SIGNAL_DRAFT_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (RlCommentRow *self,
            const GError *error)
{
  rl_row_show_error (self->error_label, error);
}

static void
update_actions (RlCommentRow *self)
{
  const char *author = self->comment ? self->comment->author.name : "";
  g_autofree char *edit_name = NULL;
  g_autofree char *delete_name = NULL;
  const char *tooltip_edit = self->can_create ? _("Edit") : self->reason;
  const char *tooltip_delete = self->can_create ? _("Delete") : self->reason;

  gtk_widget_set_visible (self->edit_button, self->can_modify);
  gtk_widget_set_visible (self->delete_button, self->can_modify && self->deletable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "comment.edit", self->can_modify && self->can_create);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "comment.save", self->can_modify && self->can_create);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "comment.delete",
                                 self->can_modify && self->deletable && self->can_create);
  gtk_widget_set_tooltip_text (self->edit_button, tooltip_edit);
  gtk_widget_set_tooltip_text (self->delete_button, tooltip_delete);

  /* Translators: %s is the name of a comment's author. */
  edit_name = g_strdup_printf (_("Edit comment by %s"), author);
  /* Translators: %s is the name of a comment's author. */
  delete_name = g_strdup_printf (_("Delete comment by %s"), author);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->edit_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, edit_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->delete_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, delete_name, -1);
}

/* The comment as a screen reader names it, with the text as shown. */
static void
update_accessible_label (RlCommentRow *self)
{
  g_autofree char *label = NULL;

  if (self->comment == NULL)
    return;
  /* Translators: how a screen reader names a comment: author, then the text. */
  label = g_strdup_printf (_("%s: %s"), self->comment->author.name, gtk_label_get_text (self->body_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
stop_editing (RlCommentRow *self)
{
  gboolean had_focus = gtk_widget_has_focus (GTK_WIDGET (self->edit_view));

  gtk_stack_set_visible_child_name (self->body_stack, "view");
  show_error (self, NULL);
  if (had_focus)
    gtk_widget_grab_focus (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_DRAFT_CHANGED], 0);
}

static void
edit_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  RlCommentRow *self = RL_COMMENT_ROW (widget);

  if (self->comment == NULL)
    return;
  /* Its mentions are spans again: kept unless edited inside. */
  rl_mention_completer_set_text (rl_mention_completer_attach (self->edit_view),
                                 self->comment->body, self->comment->mentions);
  gtk_stack_set_visible_child_name (self->body_stack, "edit");
  show_error (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->edit_view));
  g_signal_emit (self, signals[SIGNAL_DRAFT_CHANGED], 0);
}

static void
edit_text_changed (RlCommentRow *self)
{
  if (rl_comment_row_is_editing (self))
    g_signal_emit (self, signals[SIGNAL_DRAFT_CHANGED], 0);
}

static void
cancel_edit_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  stop_editing (RL_COMMENT_ROW (widget));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  RlCommentRow *self = RL_COMMENT_ROW (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->edit_view);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *trimmed = NULL;
  g_autoptr(GPtrArray) mentions = NULL;
  GtkTextIter start, end;

  if (self->comment == NULL || !rl_comment_row_is_editing (self))
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  trimmed = g_strstrip (g_strdup (text));
  mentions = rl_mention_completer_dup_mentions (rl_mention_completer_attach (self->edit_view));
  /* The same text with the same people (a span edited away is a change). */
  if (g_strcmp0 (trimmed, self->comment->body) == 0 &&
      (g_strcmp0 (text, self->comment->body) != 0 || rl_mentions_equal (mentions, self->comment->mentions)))
    {
      stop_editing (self);   /* nothing to send */
      return;
    }
  if (!rl_doc_store_edit_comment_with_mentions (self->store, self->thread_id, self->comment->id, text, mentions,
                                                &error))
    {
      /* The editor stays open with what was typed. */
      show_error (self, error);
      return;
    }
  stop_editing (self);
}

static void
delete_response (AdwMessageDialog *dialog,
                 const char       *response,
                 RlCommentRow     *self)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0 || self->comment == NULL)
    return;
  if (!rl_doc_store_delete_comment (self->store, self->thread_id, self->comment->id, &error))
    show_error (self, error);
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  RlCommentRow *self = RL_COMMENT_ROW (widget);
  g_autofree char *body = NULL;

  if (self->comment == NULL)
    return;
  /* Translators: %s is the name of a comment's author. */
  body = g_strdup_printf (_("The comment by %s is deleted for everyone."), self->comment->author.name);
  rl_row_confirm_delete (widget, _("Delete Comment?"), body, G_CALLBACK (delete_response));
}

/* Delete on the focused comment: asks to delete it when that is allowed;
 * on the own first comment it goes on to the thread (which is deleted
 * instead, PROTOCOL.md §8); on anyone else's it does nothing. */
static gboolean
delete_key (GtkWidget *widget,
            GVariant  *args,
            gpointer   data)
{
  RlCommentRow *self = RL_COMMENT_ROW (widget);

  if (!self->can_modify)
    return TRUE;
  if (!self->deletable)
    return FALSE;
  if (self->can_create)
    delete_activated (widget, "comment.delete", NULL);
  return TRUE;
}

static void
rl_comment_row_dispose (GObject *object)
{
  RlCommentRow *self = RL_COMMENT_ROW (object);

  rl_row_stop_flash (GTK_WIDGET (object));
  gtk_widget_dispose_template (GTK_WIDGET (object), RL_TYPE_COMMENT_ROW);
  /* Unnamed template children are not unparented by it in GTK 4.8. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (child);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (rl_comment_row_parent_class)->dispose (object);
}

static void
rl_comment_row_finalize (GObject *object)
{
  RlCommentRow *self = RL_COMMENT_ROW (object);

  g_clear_pointer (&self->comment, rl_comment_free);
  g_free (self->thread_id);
  g_free (self->reason);
  G_OBJECT_CLASS (rl_comment_row_parent_class)->finalize (object);
}

static void
rl_comment_row_class_init (RlCommentRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_comment_row_dispose;
  object_class->finalize = rl_comment_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-comment-row.ui");
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, author_label);
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, edited_label);
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, buttons);
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, body_stack);
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, body_label);
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, edit_view);
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, error_label);
  gtk_widget_class_bind_template_child (widget_class, RlCommentRow, new_divider);

  gtk_widget_class_install_action (widget_class, "comment.edit", NULL, edit_activated);
  gtk_widget_class_install_action (widget_class, "comment.cancel-edit", NULL, cancel_edit_activated);
  gtk_widget_class_install_action (widget_class, "comment.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "comment.delete", NULL, delete_activated);
  /* On the focused comment: Delete asks, F2 edits (as for a file name). */
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Delete, 0, delete_key, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Delete, 0, delete_key, NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "comment.edit", NULL);

  /* An edit began or ended, or its text changed (rl_comment_row_dup_draft). */
  signals[SIGNAL_DRAFT_CHANGED] =
    g_signal_new ("draft-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rl-comment-row");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
rl_comment_row_init (RlCommentRow *self)
{
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->can_create = TRUE;

  /* In the editor, before the text view sees the keys. */
  shortcuts = rl_send_shortcut_new (gtk_named_action_new ("comment.save"));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("comment.cancel-edit")));
  gtk_widget_add_controller (GTK_WIDGET (self->edit_view), shortcuts);
  /* After them: GTK asks the controllers added last first, so with its
   * list open Escape closes the list, not the editor. */
  rl_mention_completer_attach (self->edit_view);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->edit_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Comment text"), -1);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->edit_view), "changed",
                            G_CALLBACK (edit_text_changed), self);
  g_signal_connect_swapped (self->body_label, "notify::label", G_CALLBACK (update_accessible_label), self);
  update_actions (self);
}

RlCommentRow *
rl_comment_row_new (RlDocStore *store,
                    const char *thread_id)
{
  RlCommentRow *self = g_object_new (RL_TYPE_COMMENT_ROW, NULL);

  self->store = g_object_ref (store);
  self->thread_id = g_strdup (thread_id);
  rl_mention_completer_set_connection (rl_mention_completer_attach (self->edit_view),
                                       rl_doc_store_get_connection (store));
  return self;
}

void
rl_comment_row_set_comment (RlCommentRow    *self,
                            const RlComment *comment)
{
  g_return_if_fail (RL_IS_COMMENT_ROW (self));
  g_return_if_fail (comment != NULL);

  if (self->comment && rl_comment_equal (self->comment, comment))
    return;
  g_clear_pointer (&self->comment, rl_comment_free);
  self->comment = rl_comment_copy (comment);

  gtk_label_set_text (self->author_label, comment->author.name);
  /* Mentions by their current names; "notify::label" names the row anew. */
  rl_mention_label_set (self->body_label, comment->body, comment->mentions,
                        rl_doc_store_get_connection (self->store));
  gtk_widget_set_visible (GTK_WIDGET (self->edited_label), comment->edited_at > 0);
  if (comment->edited_at > 0)
    {
      /* xgettext:no-c-format */
      /* Translators: when a comment was edited, in g_date_time_format()'s
       * notation (%c is the C library's form, which follows LC_TIME, not the
       * language): your language's usual date and time, e.g. "%d/%m/%Y %H:%M". */
      g_autofree char *when = rl_local_time_format (comment->edited_at, _("%c"));
      /* Translators: %s is a date and time. */
      g_autofree char *tooltip = g_strdup_printf (_("Edited %s"), when ? when : "");

      gtk_widget_set_tooltip_text (GTK_WIDGET (self->edited_label), tooltip);
    }
  update_accessible_label (self);
  rl_comment_row_update_time (self, g_get_real_time () / 1000);
  update_actions (self);
}

const char *
rl_comment_row_get_id (RlCommentRow *self)
{
  g_return_val_if_fail (RL_IS_COMMENT_ROW (self), NULL);
  return self->comment ? self->comment->id : NULL;
}

void
rl_comment_row_set_permissions (RlCommentRow *self,
                                gboolean      can_modify,
                                gboolean      deletable)
{
  g_return_if_fail (RL_IS_COMMENT_ROW (self));

  /* The thread row says it again on every change of the thread. */
  if (self->can_modify == can_modify && self->deletable == deletable)
    return;
  self->can_modify = can_modify;
  self->deletable = deletable;
  if (!can_modify && rl_comment_row_is_editing (self))
    stop_editing (self);
  update_actions (self);
}

void
rl_comment_row_set_can_create (RlCommentRow *self,
                               gboolean      can_create,
                               const char   *reason)
{
  g_return_if_fail (RL_IS_COMMENT_ROW (self));

  if (self->can_create == can_create && g_strcmp0 (self->reason, reason) == 0)
    return;
  self->can_create = can_create;
  g_free (self->reason);
  self->reason = g_strdup (reason);
  update_actions (self);
}

void
rl_comment_row_update_time (RlCommentRow *self,
                            gint64        now_ms)
{
  g_autofree char *text = NULL;
  g_autofree char *full = NULL;

  g_return_if_fail (RL_IS_COMMENT_ROW (self));

  if (self->comment == NULL)
    return;
  text = rl_relative_time_format (self->comment->created_at, now_ms);
  gtk_label_set_text (self->time_label, text);
  full = rl_local_time_format (self->comment->created_at, "%c");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->time_label), full);
}

gboolean
rl_comment_row_is_editing (RlCommentRow *self)
{
  g_return_val_if_fail (RL_IS_COMMENT_ROW (self), FALSE);
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->body_stack), "edit") == 0;
}

char *
rl_comment_row_dup_draft (RlCommentRow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (RL_IS_COMMENT_ROW (self), NULL);

  if (!rl_comment_row_is_editing (self) || self->comment == NULL)
    return NULL;
  buffer = gtk_text_view_get_buffer (self->edit_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0' || g_strcmp0 (trimmed, self->comment->body) == 0)
    return NULL;
  return g_steal_pointer (&text);
}

void
rl_comment_row_clear_offline_error (RlCommentRow *self)
{
  g_return_if_fail (RL_IS_COMMENT_ROW (self));
  rl_row_clear_offline_error (self->error_label);
}

void
rl_comment_row_set_first_new (RlCommentRow *self,
                              gboolean      first_new)
{
  g_return_if_fail (RL_IS_COMMENT_ROW (self));
  gtk_widget_set_visible (self->new_divider, first_new);
}

gboolean
rl_comment_row_get_first_new (RlCommentRow *self)
{
  g_return_val_if_fail (RL_IS_COMMENT_ROW (self), FALSE);
  return gtk_widget_get_visible (self->new_divider);
}

/* ---- shared with the thread row ------------------------------------------ */

#define OFFLINE_KEY "rl-offline-error"

void
rl_row_show_error (GtkLabel     *label,
                   const GError *error)
{
  const char *text = error ? rl_error_refusal (RL_CHANGE_IN_THREAD, error) : NULL;

  g_return_if_fail (GTK_IS_LABEL (label));

  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
  /* Remembered: "you're offline" stops being true once the link is back. */
  g_object_set_data (G_OBJECT (label), OFFLINE_KEY,
                     GINT_TO_POINTER (g_error_matches (error, RL_ERROR, RL_ERROR_OFFLINE)));
}

void
rl_row_clear_offline_error (GtkLabel *label)
{
  g_return_if_fail (GTK_IS_LABEL (label));

  if (g_object_get_data (G_OBJECT (label), OFFLINE_KEY))
    rl_row_show_error (label, NULL);
}

void
rl_row_confirm_delete (GtkWidget  *row,
                       const char *heading,
                       const char *body,
                       GCallback   on_response)
{
  GtkRoot *root;
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWidget *dialog;

  g_return_if_fail (GTK_IS_WIDGET (row));

  root = gtk_widget_get_root (row);
  /* GTK keeps the toplevel once the builder is gone, until it is closed. */
  builder = gtk_builder_new_from_resource ("/io/github/redline/Redline/rl-delete-dialog.ui");
  dialog = GTK_WIDGET (gtk_builder_get_object (builder, "dialog"));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (dialog), heading);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  g_signal_connect_object (dialog, "response", on_response, row, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

#define FLASH_KEY "rl-flash-source"

static void
remove_source (gpointer id)
{
  g_source_remove (GPOINTER_TO_UINT (id));
}

static gboolean
flash_done (gpointer data)
{
  GtkWidget *row = data;

  gtk_widget_remove_css_class (row, "rl-flash");
  g_object_steal_data (G_OBJECT (row), FLASH_KEY);   /* the source is done */
  return G_SOURCE_REMOVE;
}

void
rl_row_flash (GtkWidget *row)
{
  g_return_if_fail (GTK_IS_WIDGET (row));

  gtk_widget_add_css_class (row, "rl-flash");
  /* Replacing the data removes a flash still running: it starts again. */
  g_object_set_data_full (G_OBJECT (row), FLASH_KEY,
                          GUINT_TO_POINTER (g_timeout_add (RL_FLASH_MS, flash_done, row)), remove_source);
}

void
rl_row_stop_flash (GtkWidget *row)
{
  g_return_if_fail (GTK_IS_WIDGET (row));
  g_object_set_data (G_OBJECT (row), FLASH_KEY, NULL);
}
