/* rl-marker-composer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-marker-composer.h"

#include <glib/gi18n.h>

struct _RlMarkerComposer
{
  GtkPopover  parent_instance;
  GtkTextView *text_view;
  GtkLabel    *error_label;
  GtkButton   *send_button;
};

G_DEFINE_FINAL_TYPE (RlMarkerComposer, rl_marker_composer, GTK_TYPE_POPOVER)

enum { SIGNAL_SUBMIT, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
update_send_enabled (RlMarkerComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
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
rl_marker_composer_map (GtkWidget *widget)
{
  RlMarkerComposer *self = RL_MARKER_COMPOSER (widget);

  GTK_WIDGET_CLASS (rl_marker_composer_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
rl_marker_composer_class_init (RlMarkerComposerClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->map = rl_marker_composer_map;

  /* The user asked to send what is typed (Send, or Ctrl+Enter). */
  signals[SIGNAL_SUBMIT] =
    g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-marker-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, RlMarkerComposer, text_view);
  gtk_widget_class_bind_template_child (widget_class, RlMarkerComposer, error_label);
  gtk_widget_class_bind_template_child (widget_class, RlMarkerComposer, send_button);
  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_activated);
}

static void
rl_marker_composer_init (RlMarkerComposer *self)
{
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

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
rl_marker_composer_new (void)
{
  return g_object_new (RL_TYPE_MARKER_COMPOSER, NULL);
}

char *
rl_marker_composer_dup_text (RlMarkerComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (RL_IS_MARKER_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
rl_marker_composer_set_text (RlMarkerComposer *self,
                             const char       *text)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;

  g_return_if_fail (RL_IS_MARKER_COMPOSER (self));

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_set_text (buffer, text ? text : "", -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
}

void
rl_marker_composer_set_error (RlMarkerComposer *self,
                              const char       *message)
{
  g_return_if_fail (RL_IS_MARKER_COMPOSER (self));

  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

const char *
rl_marker_composer_get_error (RlMarkerComposer *self)
{
  g_return_val_if_fail (RL_IS_MARKER_COMPOSER (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

GtkWidget *
rl_marker_composer_get_text_view (RlMarkerComposer *self)
{
  g_return_val_if_fail (RL_IS_MARKER_COMPOSER (self), NULL);
  return GTK_WIDGET (self->text_view);
}

GtkWidget *
rl_marker_composer_get_send_button (RlMarkerComposer *self)
{
  g_return_val_if_fail (RL_IS_MARKER_COMPOSER (self), NULL);
  return GTK_WIDGET (self->send_button);
}
