/* rl-annotation-composer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-annotation-composer.h"

#include <glib/gi18n.h>

struct _RlAnnotationComposer
{
  GtkPopover   parent_instance;
  GtkLabel    *quote_label;
  GtkTextView *text_view;
  GtkLabel    *error_label;
  GtkButton   *send_button;
  char        *quote;
};

G_DEFINE_FINAL_TYPE (RlAnnotationComposer, rl_annotation_composer, GTK_TYPE_POPOVER)

enum { SIGNAL_SUBMIT, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
update_send_enabled (RlAnnotationComposer *self)
{
  g_autofree char *text = rl_annotation_composer_dup_text (self);

  /* A comment of blanks only would be refused by the server anyway. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", *g_strstrip (text) != '\0');
}

static void
send_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_SUBMIT], 0);
}

static void
rl_annotation_composer_map (GtkWidget *widget)
{
  RlAnnotationComposer *self = RL_ANNOTATION_COMPOSER (widget);

  GTK_WIDGET_CLASS (rl_annotation_composer_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
rl_annotation_composer_finalize (GObject *object)
{
  RlAnnotationComposer *self = RL_ANNOTATION_COMPOSER (object);

  g_free (self->quote);
  G_OBJECT_CLASS (rl_annotation_composer_parent_class)->finalize (object);
}

static void
rl_annotation_composer_class_init (RlAnnotationComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = rl_annotation_composer_finalize;
  widget_class->map = rl_annotation_composer_map;

  /* The user asked to send what is typed (Send, or Ctrl+Enter). */
  signals[SIGNAL_SUBMIT] =
    g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_activated);
}

static void
rl_annotation_composer_init (RlAnnotationComposer *self)
{
  GtkEventController *shortcuts;
  GtkWidget *box, *heading, *scroller, *bottom, *hint;

  gtk_popover_set_position (GTK_POPOVER (self), GTK_POS_BOTTOM);
  gtk_widget_add_css_class (GTK_WIDGET (self), "annotation-composer");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_popover_set_child (GTK_POPOVER (self), box);

  heading = gtk_label_new (_("Comment on selection"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);

  self->quote_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->quote_label, 0);
  gtk_label_set_wrap (self->quote_label, TRUE);
  gtk_label_set_wrap_mode (self->quote_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (self->quote_label, 3);
  gtk_label_set_ellipsize (self->quote_label, PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (self->quote_label, 40);
  gtk_widget_add_css_class (GTK_WIDGET (self->quote_label), "annotation-quote");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->quote_label));

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 72);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 200);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scroller), 300);
  gtk_widget_add_css_class (scroller, "card");
  gtk_box_append (GTK_BOX (box), scroller);

  self->text_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (self->text_view, FALSE);
  gtk_text_view_set_top_margin (self->text_view, 8);
  gtk_text_view_set_bottom_margin (self->text_view, 8);
  gtk_text_view_set_left_margin (self->text_view, 8);
  gtk_text_view_set_right_margin (self->text_view, 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Comment"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->text_view));

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_label_set_max_width_chars (self->error_label, 36);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (box), bottom);
  /* Translators: the keyboard shortcut that sends the comment */
  hint = gtk_label_new (_("Ctrl+Enter to send"));
  gtk_widget_set_hexpand (hint, TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_widget_add_css_class (hint, "caption");
  gtk_box_append (GTK_BOX (bottom), hint);
  self->send_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Send")));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->send_button), "composer.send");
  gtk_widget_add_css_class (GTK_WIDGET (self->send_button), "suggested-action");
  gtk_box_append (GTK_BOX (bottom), GTK_WIDGET (self->send_button));

  /* Capture phase: the text view would otherwise take Ctrl+Enter as a newline. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                          gtk_named_action_new ("composer.send")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (update_send_enabled), self, G_CONNECT_SWAPPED);
  update_send_enabled (self);
}

GtkWidget *
rl_annotation_composer_new (void)
{
  return g_object_new (RL_TYPE_ANNOTATION_COMPOSER, NULL);
}

void
rl_annotation_composer_set_quote (RlAnnotationComposer *self,
                                  const char           *quote)
{
  g_autofree char *shown = NULL;

  g_return_if_fail (RL_IS_ANNOTATION_COMPOSER (self));

  g_free (self->quote);
  self->quote = g_strdup (quote);
  /* Translators: the annotated passage, quoted */
  shown = quote && *quote ? g_strdup_printf (_("“%s”"), quote) : g_strdup ("");
  gtk_label_set_text (self->quote_label, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->quote_label), quote && *quote);
}

const char *
rl_annotation_composer_get_quote (RlAnnotationComposer *self)
{
  g_return_val_if_fail (RL_IS_ANNOTATION_COMPOSER (self), NULL);
  return self->quote;
}

char *
rl_annotation_composer_dup_text (RlAnnotationComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (RL_IS_ANNOTATION_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
rl_annotation_composer_set_text (RlAnnotationComposer *self,
                                 const char           *text)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;

  g_return_if_fail (RL_IS_ANNOTATION_COMPOSER (self));

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_set_text (buffer, text ? text : "", -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
}

void
rl_annotation_composer_set_error (RlAnnotationComposer *self,
                                  const char           *message)
{
  g_return_if_fail (RL_IS_ANNOTATION_COMPOSER (self));

  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

const char *
rl_annotation_composer_get_error (RlAnnotationComposer *self)
{
  g_return_val_if_fail (RL_IS_ANNOTATION_COMPOSER (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

GtkWidget *
rl_annotation_composer_get_text_view (RlAnnotationComposer *self)
{
  g_return_val_if_fail (RL_IS_ANNOTATION_COMPOSER (self), NULL);
  return GTK_WIDGET (self->text_view);
}

GtkWidget *
rl_annotation_composer_get_send_button (RlAnnotationComposer *self)
{
  g_return_val_if_fail (RL_IS_ANNOTATION_COMPOSER (self), NULL);
  return GTK_WIDGET (self->send_button);
}
