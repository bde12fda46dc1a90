/* rl-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-application.h"

#include <glib/gi18n.h>

#include "redline-resources.h"
#include "rl-window.h"

struct _RlApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (RlApplication, rl_application, ADW_TYPE_APPLICATION)

static void
rl_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (rl_window_new (RL_APPLICATION (app)));
  gtk_window_present (window);
}

static void
rl_application_class_init (RlApplicationClass *klass)
{
  G_APPLICATION_CLASS (klass)->activate = rl_application_activate;
  rl_app_register_resources ();
}

static void
rl_application_init (RlApplication *self)
{
}

RlApplication *
rl_application_new (const char        *application_id,
                    GApplicationFlags  flags)
{
  return g_object_new (RL_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", "/io/github/redline/Redline",
                       NULL);
}

void
rl_app_register_resources (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      redline_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}
