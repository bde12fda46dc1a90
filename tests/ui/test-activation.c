/* test-activation.c — a notification clicked after Redline quit still
 * opens it: D-Bus activation (issue 19 §4)
 *
 * GNOME Shell runs a clicked notification's action with
 * org.freedesktop.Application.ActivateAction on the app id's bus name,
 * whether or not the app runs. Each test starts its own session bus (a
 * dbus-daemon whose only service directory is a temporary folder) holding
 * the service file data/ generates, with Exec= on the binary built here
 * (REDLINE_DBUS_SERVICE, tests/ui/meson.build), and no instance of the
 * app: the bus is what starts it. The app has no account there (no Secret
 * Service on that bus), so app.open-thread can only show the app; what is
 * proved is that the call is accepted, that the process the bus started
 * owns the name, and that it maps a window of its own (Xvfb: _NET_WM_PID
 * and _GTK_APPLICATION_ID of the mapped toplevel, and the window exported
 * on the bus). Started as a plain service with nothing asked of it, it
 * opens no window: it quits on its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>

#include "rl-ui-test.h"

typedef struct
{
  char            *dir;       /* the bus's config, its service folder, the app's XDG folders */
  GSubprocess     *daemon;
  GDBusConnection *bus;
  char            *app_path;  /* the app id as an object path */
} Fixture;

/* In the bus's process, between fork and exec: an aborted test leaves no
 * bus behind (and the app it started quits with its bus). */
static void
die_with_test (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *services = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *service_text = NULL;
  g_autofree char *service_copy = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  const char *service = g_getenv ("REDLINE_DBUS_SERVICE");

  g_assert_nonnull (service);
  f->dir = g_dir_make_tmp ("redline-activation-XXXXXX", &error);
  g_assert_no_error (error);
  services = g_build_filename (f->dir, "services", NULL);
  g_assert_cmpint (g_mkdir (services, 0700), ==, 0);
  g_assert_true (g_file_get_contents (service, &service_text, NULL, &error));
  g_assert_no_error (error);
  service_copy = g_build_filename (services, APP_ID ".service", NULL);
  g_assert_true (g_file_set_contents (service_copy, service_text, -1, &error));
  g_assert_no_error (error);

  config = g_strdup_printf ("<busconfig>\n"
                            "  <type>session</type>\n"
                            "  <listen>unix:tmpdir=/tmp</listen>\n"
                            "  <auth>EXTERNAL</auth>\n"
                            "  <servicedir>%s</servicedir>\n"
                            "  <policy context=\"default\">\n"
                            "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                            "    <allow eavesdrop=\"true\"/>\n"
                            "    <allow own=\"*\"/>\n"
                            "  </policy>\n"
                            "</busconfig>\n", services);
  config_path = g_build_filename (f->dir, "bus.conf", NULL);
  g_assert_true (g_file_set_contents (config_path, config, -1, &error));
  g_assert_no_error (error);

  /* What the bus starts inherits its environment: caches and settings in
   * the temporary folder. */
  for (guint i = 0; i < 3; i++)
    {
      static const char *names[] = { "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME" };
      g_autofree char *path = g_build_filename (f->dir, names[i], NULL);

      g_subprocess_launcher_setenv (launcher, names[i], path, TRUE);
    }
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  f->daemon = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork", "--print-address=1",
                                           "--config-file", config_path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->daemon));
  address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  f->bus = g_dbus_connection_new_for_address_sync (address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (f->bus, FALSE);

  f->app_path = g_strconcat ("/", APP_ID, NULL);
  g_strdelimit (f->app_path, ".", '/');
}

/* ---- the bus --------------------------------------------------------------- */

static GVariant *
call (Fixture            *f,
      const char         *path,
      const char         *interface,
      const char         *method,
      GVariant           *parameters,
      const GVariantType *reply_type,
      GError            **error)
{
  /* The app starts in the call: generous for the sanitized build. */
  return g_dbus_connection_call_sync (f->bus, APP_ID, path, interface, method, parameters, reply_type,
                                      G_DBUS_CALL_FLAGS_NONE, 120000, NULL, error);
}

static GVariant *
call_bus (Fixture    *f,
          const char *method,
          GVariant   *parameters,
          const char *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (f->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                 "org.freedesktop.DBus", method, parameters,
                                                 G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE, -1,
                                                 NULL, &error);

  g_assert_no_error (error);
  return reply;
}

static void
activate_action (Fixture    *f,
                 const char *name,
                 GVariant   *parameter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder parameters;

  g_variant_builder_init (&parameters, G_VARIANT_TYPE ("av"));
  if (parameter != NULL)
    g_variant_builder_add (&parameters, "v", parameter);
  reply = call (f, f->app_path, "org.freedesktop.Application", "ActivateAction",
                g_variant_new ("(sav@a{sv})", name, &parameters, g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                NULL, &error);
  g_assert_no_error (error);
}

/* A notification's default action, as rl-notifier.c sets it: an account
 * this app does not have, any document and thread. */
static void
activate_open_thread (Fixture *f)
{
  activate_action (f, "open-thread",
                   g_variant_new ("(sss)", "https://redline.example 01ACCOUNT", "01DOCUMENT", "01THREAD"));
}

/* The pid of the process that owns the app's name. */
static guint32
owner_pid (Fixture *f)
{
  g_autoptr(GVariant) pid = call_bus (f, "GetConnectionUnixProcessID", g_variant_new ("(s)", APP_ID), "(u)");
  guint32 value;

  g_variant_get (pid, "(u)", &value);
  return value;
}

/* Whether the app has a window exported on the bus: GtkApplication puts
 * each of its windows' actions at APP_PATH/window/N. */
static gboolean
has_window_node (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, f->app_path, "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
                                    G_VARIANT_TYPE ("(s)"), &error);
  g_autoptr(GDBusNodeInfo) node = NULL;
  const char *xml;

  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &xml);
  node = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  for (guint i = 0; node->nodes && node->nodes[i]; i++)
    if (g_strcmp0 (node->nodes[i]->path, "window") == 0)
      return TRUE;
  return FALSE;
}

static void
on_vanished (GDBusConnection *bus,
             const char      *name,
             gpointer         data)
{
  *(gboolean *) data = TRUE;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) owned = call_bus (f, "NameHasOwner", g_variant_new ("(s)", APP_ID), "(b)");
  gboolean has_owner;

  /* The app quits as the user quits it, before its bus goes. */
  g_variant_get (owned, "(b)", &has_owner);
  if (has_owner)
    {
      gboolean vanished = FALSE;
      guint watch = g_bus_watch_name_on_connection (f->bus, APP_ID, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                    on_vanished, &vanished, NULL);

      activate_action (f, "quit", NULL);
      while (!vanished)
        g_main_context_iteration (NULL, TRUE);
      g_bus_unwatch_name (watch);
    }
  g_clear_object (&f->bus);
  g_subprocess_send_signal (f->daemon, SIGTERM);
  g_subprocess_wait (f->daemon, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->daemon);
  rl_ui_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->app_path);
}

/* ---- the X server ---------------------------------------------------------- */

/* A window property of 32-bit items (CARDINAL) or of bytes (UTF8_STRING),
 * as a string of what it holds; NULL when it is not set. */
static char *
window_property (Display    *display,
                 Window      window,
                 const char *name)
{
  Atom type;
  int format;
  unsigned long n_items;
  unsigned long after;
  unsigned char *value = NULL;
  char *text = NULL;

  if (XGetWindowProperty (display, window, XInternAtom (display, name, False), 0, 1024, False, AnyPropertyType,
                          &type, &format, &n_items, &after, &value) != Success || value == NULL)
    return NULL;
  if (format == 32 && n_items == 1)
    text = g_strdup_printf ("%lu", *(unsigned long *) value);
  else if (format == 8)
    text = g_strndup ((const char *) value, n_items);
  XFree (value);
  return text;
}

/* Waits for a toplevel of the app id, of the process pid, to be mapped
 * (Xvfb runs no window manager: toplevels are the root's children, whose
 * MapNotify the root's SubstructureNotify brings). */
static void
wait_for_window_mapped (Display *display,
                        guint32  pid)
{
  g_autofree char *want_pid = g_strdup_printf ("%u", pid);
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      XEvent event;

      while (XPending (display) > 0)
        {
          g_autofree char *app_id = NULL;
          g_autofree char *its_pid = NULL;

          XNextEvent (display, &event);
          if (event.type != MapNotify)
            continue;
          app_id = window_property (display, event.xmap.window, "_GTK_APPLICATION_ID");
          its_pid = window_property (display, event.xmap.window, "_NET_WM_PID");
          if (g_strcmp0 (app_id, APP_ID) == 0 && g_strcmp0 (its_pid, want_pid) == 0)
            return;
        }
      {
        struct pollfd fd = { ConnectionNumber (display), POLLIN, 0 };
        gint64 left = deadline - g_get_monotonic_time ();

        if (left <= 0)
          g_error ("no window of %s (pid %u) was mapped", APP_ID, pid);
        poll (&fd, 1, (int) (left / 1000));
      }
    }
}

/* ---- tests ----------------------------------------------------------------- */

/* No instance runs: the click's ActivateAction starts the app through its
 * service file, and the process started maps a window of the app. */
static void
test_activate_starts_app (Fixture       *f,
                          gconstpointer  data)
{
  Display *display = XOpenDisplay (NULL);
  g_autoptr(GVariant) owned = NULL;
  gboolean has_owner;

  g_assert_nonnull (display);
  owned = call_bus (f, "NameHasOwner", g_variant_new ("(s)", APP_ID), "(b)");
  g_variant_get (owned, "(b)", &has_owner);
  g_assert_false (has_owner);

  XSelectInput (display, DefaultRootWindow (display), SubstructureNotifyMask);
  XSync (display, False);
  activate_open_thread (f);
  /* The window may come only once the app has read its saved accounts
   * (none here): the action waits for them. */
  wait_for_window_mapped (display, owner_pid (f));
  g_assert_true (has_window_node (f));
  XCloseDisplay (display);
}

/* Started as a service (as the bus starts it for any call), the app opens
 * no window by itself: with nothing asked of it, it quits on its own once
 * its startup is done, which a window (GtkApplication holds the app for
 * each) would prevent. */
static void
test_service_start_opens_nothing (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GVariant) started = NULL;
  gboolean vanished = FALSE;
  guint watch;
  guint32 result;

  started = call_bus (f, "StartServiceByName", g_variant_new ("(su)", APP_ID, 0), "(u)");
  g_variant_get (started, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);   /* DBUS_START_REPLY_SUCCESS: started now */
  watch = g_bus_watch_name_on_connection (f->bus, APP_ID, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, on_vanished,
                                          &vanished, NULL);
  while (!vanished)
    g_main_context_iteration (NULL, TRUE);
  g_bus_unwatch_name (watch);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/activation/activate-starts-app", Fixture, NULL, fixture_setup, test_activate_starts_app,
              fixture_teardown);
  g_test_add ("/activation/service-start-opens-nothing", Fixture, NULL, fixture_setup,
              test_service_start_opens_nothing, fixture_teardown);
  return g_test_run ();
}
