/* rl-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-window.h"

#include <glib/gi18n.h>

struct _RlWindow
{
  AdwApplicationWindow  parent_instance;
  AdwWindowTitle       *title;
};

G_DEFINE_FINAL_TYPE (RlWindow, rl_window, ADW_TYPE_APPLICATION_WINDOW)

static void
rl_window_class_init (RlWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RlWindow, title);
}

static void
rl_window_init (RlWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

RlWindow *
rl_window_new (RlApplication *application)
{
  return g_object_new (RL_TYPE_WINDOW, "application", application, NULL);
}
