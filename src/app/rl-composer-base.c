/* rl-composer-base.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-composer-base.h"

#include <glib/gi18n.h>

typedef struct
{
  GtkBox            *box;
  GtkLabel          *heading;
  GtkScrolledWindow *scroller;
  GtkTextView       *text_view;
  GtkLabel          *error_label;
  GtkButton         *send_button;
} RlComposerBasePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (RlComposerBase, rl_composer_base, GTK_TYPE_POPOVER)

enum {
  PROP_0,
  PROP_HEADING,
  PROP_TEXT_WIDTH,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_SUBMIT, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
update_send_enabled (RlComposerBase *self)
{
  g_autofree char *text = rl_composer_base_dup_text (self);

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
rl_composer_base_map (GtkWidget *widget)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (RL_COMPOSER_BASE (widget));

  GTK_WIDGET_CLASS (rl_composer_base_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (priv->text_view));
}

static void
rl_composer_base_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (RL_COMPOSER_BASE (object));

  switch (prop_id)
    {
    case PROP_HEADING:
      g_value_set_string (value, gtk_label_get_text (priv->heading));
      break;
    case PROP_TEXT_WIDTH:
      g_value_set_int (value, gtk_scrolled_window_get_min_content_width (priv->scroller));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_composer_base_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (RL_COMPOSER_BASE (object));

  switch (prop_id)
    {
    case PROP_HEADING:
      gtk_label_set_text (priv->heading, g_value_get_string (value));
      break;
    case PROP_TEXT_WIDTH:
      gtk_scrolled_window_set_min_content_width (priv->scroller, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_composer_base_class_init (RlComposerBaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = rl_composer_base_get_property;
  object_class->set_property = rl_composer_base_set_property;
  widget_class->map = rl_composer_base_map;

  properties[PROP_HEADING] =
    g_param_spec_string ("heading", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /* The least width of the text, in pixels. */
  properties[PROP_TEXT_WIDTH] =
    g_param_spec_int ("text-width", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user asked to send what is typed (Send, or Ctrl+Enter). */
  signals[SIGNAL_SUBMIT] =
    g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_activated);
}

static void
rl_composer_base_init (RlComposerBase *self)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (self);
  GtkEventController *shortcuts;
  GtkWidget *bottom, *hint;

  gtk_popover_set_position (GTK_POPOVER (self), GTK_POS_BOTTOM);

  priv->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 8));
  gtk_popover_set_child (GTK_POPOVER (self), GTK_WIDGET (priv->box));

  priv->heading = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (priv->heading, 0);
  gtk_widget_add_css_class (GTK_WIDGET (priv->heading), "heading");
  gtk_box_append (priv->box, GTK_WIDGET (priv->heading));

  priv->scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_policy (priv->scroller, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (priv->scroller, 72);
  gtk_scrolled_window_set_max_content_height (priv->scroller, 200);
  gtk_scrolled_window_set_propagate_natural_height (priv->scroller, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (priv->scroller), "card");
  gtk_box_append (priv->box, GTK_WIDGET (priv->scroller));

  priv->text_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (priv->text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (priv->text_view, FALSE);
  gtk_text_view_set_top_margin (priv->text_view, 8);
  gtk_text_view_set_bottom_margin (priv->text_view, 8);
  gtk_text_view_set_left_margin (priv->text_view, 8);
  gtk_text_view_set_right_margin (priv->text_view, 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (priv->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Comment"), -1);
  gtk_scrolled_window_set_child (priv->scroller, GTK_WIDGET (priv->text_view));

  priv->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_visible (GTK_WIDGET (priv->error_label), FALSE);
  gtk_label_set_wrap (priv->error_label, TRUE);
  gtk_label_set_xalign (priv->error_label, 0);
  gtk_label_set_max_width_chars (priv->error_label, 36);
  gtk_widget_add_css_class (GTK_WIDGET (priv->error_label), "error");
  gtk_box_append (priv->box, GTK_WIDGET (priv->error_label));

  bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (priv->box, bottom);
  /* Translators: the keyboard shortcut that sends the comment */
  hint = gtk_label_new (_("Ctrl+Enter to send"));
  gtk_widget_set_hexpand (hint, TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_widget_add_css_class (hint, "caption");
  gtk_box_append (GTK_BOX (bottom), hint);
  priv->send_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Send")));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (priv->send_button), "composer.send");
  gtk_widget_add_css_class (GTK_WIDGET (priv->send_button), "suggested-action");
  gtk_box_append (GTK_BOX (bottom), GTK_WIDGET (priv->send_button));

  /* Capture phase: the text view would otherwise take Ctrl+Enter as a newline. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                          gtk_named_action_new ("composer.send")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  g_signal_connect_object (gtk_text_view_get_buffer (priv->text_view), "changed",
                           G_CALLBACK (update_send_enabled), self, G_CONNECT_SWAPPED);
  update_send_enabled (self);
}

char *
rl_composer_base_dup_text (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  buffer = gtk_text_view_get_buffer (priv->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
rl_composer_base_set_text (RlComposerBase *self,
                           const char     *text)
{
  RlComposerBasePrivate *priv;
  GtkTextBuffer *buffer;
  GtkTextIter end;

  g_return_if_fail (RL_IS_COMPOSER_BASE (self));

  priv = rl_composer_base_get_instance_private (self);
  buffer = gtk_text_view_get_buffer (priv->text_view);
  gtk_text_buffer_set_text (buffer, text ? text : "", -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
}

void
rl_composer_base_set_error (RlComposerBase *self,
                            const char     *message)
{
  RlComposerBasePrivate *priv;

  g_return_if_fail (RL_IS_COMPOSER_BASE (self));

  priv = rl_composer_base_get_instance_private (self);
  gtk_label_set_text (priv->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (priv->error_label), message != NULL);
}

const char *
rl_composer_base_get_error (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  if (!gtk_widget_get_visible (GTK_WIDGET (priv->error_label)))
    return NULL;
  return gtk_label_get_text (priv->error_label);
}

GtkWidget *
rl_composer_base_get_text_view (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  return GTK_WIDGET (priv->text_view);
}

GtkWidget *
rl_composer_base_get_send_button (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  return GTK_WIDGET (priv->send_button);
}

void
rl_composer_base_add_header (RlComposerBase *self,
                             GtkWidget      *child)
{
  RlComposerBasePrivate *priv;

  g_return_if_fail (RL_IS_COMPOSER_BASE (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  priv = rl_composer_base_get_instance_private (self);
  gtk_box_insert_child_after (priv->box, child, gtk_widget_get_prev_sibling (GTK_WIDGET (priv->scroller)));
}
