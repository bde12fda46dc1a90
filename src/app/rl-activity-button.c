/* rl-activity-button.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-activity-button.h"

#include <glib/gi18n.h>

#include "rl-activity-window.h"

struct _RlActivityButton
{
  GtkButton      parent_instance;
  GtkLabel      *badge;
  RlApplication *application;   /* the root's, once rooted */
};

G_DEFINE_FINAL_TYPE (RlActivityButton, rl_activity_button, GTK_TYPE_BUTTON)

static void
update_badge (RlActivityButton *self)
{
  guint total = self->application ? rl_activity_count_unread (self->application) : 0;
  g_autofree char *text = total > 0 ? g_strdup_printf ("%u", total) : g_strdup ("");
  g_autofree char *label = NULL;

  gtk_label_set_label (self->badge, text);
  gtk_widget_set_visible (GTK_WIDGET (self->badge), total > 0);
  if (total > 0)
    /* Translators: the Activity button for screen readers, %u: the unread
     * comments of every account */
    label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Activity, %u unread", "Activity, %u unread", total),
                             total);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label ? label : _("Activity"), -1);
}

static void
rl_activity_button_clicked (GtkButton *button)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));
  RlActivityButton *self = RL_ACTIVITY_BUTTON (button);

  if (self->application != NULL)
    rl_activity_window_present (self->application, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
}

/* The root window's application, once it has one: a window's template
 * (and this button in it) is made before its application is set. */
static void
attach (RlActivityButton *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *application = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  if (self->application == NULL && application != NULL && RL_IS_APPLICATION (application))
    {
      self->application = RL_APPLICATION (application);
      rl_activity_watch (self->application, G_OBJECT (self), G_CALLBACK (update_badge));
    }
  update_badge (self);
}

static void
rl_activity_button_root (GtkWidget *widget)
{
  GtkRoot *root;

  GTK_WIDGET_CLASS (rl_activity_button_parent_class)->root (widget);
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    g_signal_connect_object (root, "notify::application", G_CALLBACK (attach), widget, G_CONNECT_SWAPPED);
  attach (RL_ACTIVITY_BUTTON (widget));
}

static void
rl_activity_button_unroot (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (root != NULL)
    g_signal_handlers_disconnect_by_func (root, attach, widget);
  GTK_WIDGET_CLASS (rl_activity_button_parent_class)->unroot (widget);
}

static void
rl_activity_button_class_init (RlActivityButtonClass *klass)
{
  GTK_WIDGET_CLASS (klass)->root = rl_activity_button_root;
  GTK_WIDGET_CLASS (klass)->unroot = rl_activity_button_unroot;
  GTK_BUTTON_CLASS (klass)->clicked = rl_activity_button_clicked;
}

static void
rl_activity_button_init (RlActivityButton *self)
{
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("mail-unread-symbolic");

  gtk_widget_set_margin_end (icon, 4);
  gtk_widget_set_margin_top (icon, 2);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), icon);
  self->badge = GTK_LABEL (gtk_label_new (""));
  gtk_widget_add_css_class (GTK_WIDGET (self->badge), "rl-activity-badge");
  gtk_widget_add_css_class (GTK_WIDGET (self->badge), "numeric");
  gtk_widget_set_halign (GTK_WIDGET (self->badge), GTK_ALIGN_END);
  gtk_widget_set_valign (GTK_WIDGET (self->badge), GTK_ALIGN_START);
  gtk_widget_set_can_target (GTK_WIDGET (self->badge), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->badge), FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), GTK_WIDGET (self->badge));
  gtk_button_set_child (GTK_BUTTON (self), overlay);
  /* Translators: the header button that opens the Activity view */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), _("Activity"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Activity"), -1);
}

const char *
rl_activity_button_get_badge (RlActivityButton *self)
{
  g_return_val_if_fail (RL_IS_ACTIVITY_BUTTON (self), NULL);
  return gtk_label_get_label (self->badge);
}
