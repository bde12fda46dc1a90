/* main.c — the redline app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "rl-application.h"

/* RL_STARTUP_TIMING=1 prints how long the first window took to paint its
 * first frame (tests/bench/rl-app-bench reads it). */
static gint64 started_us;

static void
on_first_paint (GdkFrameClock *clock,
                gpointer       data)
{
  g_print ("first frame after %.1f ms\n", (g_get_monotonic_time () - started_us) / 1000.0);
  g_signal_handlers_disconnect_by_func (clock, on_first_paint, data);
}

static void
on_window_realized (GtkWidget *window,
                    gpointer   data)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_first_paint), NULL);
  g_signal_handlers_disconnect_by_func (window, on_window_realized, data);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 gpointer        data)
{
  g_signal_connect (window, "realize", G_CALLBACK (on_window_realized), NULL);
  g_signal_handlers_disconnect_by_func (app, on_window_added, data);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(RlApplication) app = NULL;

  started_us = g_get_monotonic_time ();
  setlocale (LC_ALL, "");
  /* An uninstalled run (./build-aux/dev run) points at build/po. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("REDLINE_LOCALEDIR") ? g_getenv ("REDLINE_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = rl_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  if (g_getenv ("RL_STARTUP_TIMING"))
    g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
