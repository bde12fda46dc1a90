/* rl-fake-notifications.c — gnome-shell's side of GNotification, for the
 * UI tests, on the suite's private session bus
 *
 * Owns org.gtk.Notifications (what GLib's "gtk" notification backend talks
 * to) and answers AddNotification (app_id, id, a{sv}) and
 * RemoveNotification (app_id, id) as gnome-shell does: one notification per
 * app and id, an id added again replaces it. Every call is recorded and
 * told to the test, in order, as the signal
 *   io.github.redline.FakeNotifications.Called (s method, s app_id, s id,
 *                                                a{sv} notification)
 * (an empty dictionary for a removal), on /org/gtk/Notifications. The test
 * clicks a notification with
 *   io.github.redline.FakeNotifications.Click (s app_id, s id)
 * which does what a click does in gnome-shell: the notification's default
 * action "app.NAME" with its target is activated through
 * org.freedesktop.Application.ActivateAction on the app's bus name and
 * object path (none: Activate), the notification goes, and the answer comes
 * once the app has answered (its error, if it failed; an error for an id
 * not shown). And
 *   io.github.redline.FakeNotifications.Sync (s token)
 * records ("Sync", "", token, {}) after every call received before it:
 * once the test has seen it, it has seen those (no waiting for what does
 * not come).
 *
 * Exits 0 on SIGTERM or SIGINT, 1 when it cannot have the name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib-unix.h>
#include <string.h>

#define NOTIFICATIONS_PATH "/org/gtk/Notifications"
#define FAKE_INTERFACE     "io.github.redline.FakeNotifications"

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "      <arg type='a{sv}' name='notification' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "    </method>"
  "  </interface>"
  "  <interface name='" FAKE_INTERFACE "'>"
  "    <method name='Click'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "    </method>"
  "    <method name='Sync'>"
  "      <arg type='s' name='token' direction='in'/>"
  "    </method>"
  "    <signal name='Called'>"
  "      <arg type='s' name='method'/>"
  "      <arg type='s' name='app_id'/>"
  "      <arg type='s' name='id'/>"
  "      <arg type='a{sv}' name='notification'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

typedef struct
{
  GMainLoop  *loop;
  GHashTable *shown;   /* "APP_ID\nID" → the notification's a{sv} */
  int         status;
} Service;

static char *
shown_key (const char *app_id,
           const char *id)
{
  return g_strconcat (app_id, "\n", id, NULL);
}

/* gnome-shell's object path for an app id: dots are slashes, dashes
 * underscores. */
static char *
app_object_path (const char *app_id)
{
  g_autofree char *path = g_strconcat ("/", app_id, NULL);

  g_strdelimit (path, ".", '/');
  g_strdelimit (path, "-", '_');
  return g_steal_pointer (&path);
}

static void
record (GDBusConnection *connection,
        const char      *method,
        const char      *app_id,
        const char      *id,
        GVariant        *notification)
{
  g_autoptr(GError) error = NULL;

  if (!g_dbus_connection_emit_signal (connection, NULL, NOTIFICATIONS_PATH, FAKE_INTERFACE, "Called",
                                      g_variant_new ("(sss@a{sv})", method, app_id, id, notification), &error))
    g_printerr ("rl-fake-notifications: %s\n", error->message);
}

static void
app_answered (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GDBusMethodInvocation) invocation = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
click (Service               *service,
       GDBusConnection       *connection,
       const char            *app_id,
       const char            *id,
       GDBusMethodInvocation *invocation)
{
  g_autofree char *key = shown_key (app_id, id);
  g_autofree char *path = app_object_path (app_id);
  g_autoptr(GVariant) notification = NULL;
  g_autoptr(GVariant) target = NULL;
  const char *action = NULL;
  GVariantBuilder targets;
  GVariant *params;

  notification = g_hash_table_lookup (service->shown, key);
  if (notification == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "no notification %s of %s is shown", id, app_id);
      return;
    }
  g_variant_ref (notification);
  g_variant_lookup (notification, "default-action", "&s", &action);
  target = g_variant_lookup_value (notification, "default-action-target", NULL);
  /* Clicked, it goes, as in gnome-shell. */
  g_hash_table_remove (service->shown, key);

  if (action != NULL && g_str_has_prefix (action, "app."))
    {
      g_variant_builder_init (&targets, G_VARIANT_TYPE ("av"));
      if (target != NULL)
        g_variant_builder_add (&targets, "v", target);
      params = g_variant_new ("(sav@a{sv})", action + strlen ("app."), &targets,
                              g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
      g_dbus_connection_call (connection, app_id, path, "org.freedesktop.Application", "ActivateAction", params,
                              NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, app_answered,
                              g_object_ref (invocation));
    }
  else
    g_dbus_connection_call (connection, app_id, path, "org.freedesktop.Application", "Activate",
                            g_variant_new ("(@a{sv})", g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                            NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, app_answered, g_object_ref (invocation));
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               data)
{
  Service *service = data;
  const char *app_id;
  const char *id;

  if (g_str_equal (method_name, "AddNotification"))
    {
      g_autoptr(GVariant) notification = NULL;

      g_variant_get (parameters, "(&s&s@a{sv})", &app_id, &id, &notification);
      g_hash_table_replace (service->shown, shown_key (app_id, id), g_variant_ref (notification));
      record (connection, method_name, app_id, id, notification);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "RemoveNotification"))
    {
      g_autofree char *key = NULL;

      g_variant_get (parameters, "(&s&s)", &app_id, &id);
      key = shown_key (app_id, id);
      g_hash_table_remove (service->shown, key);
      record (connection, method_name, app_id, id, g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "Sync"))
    {
      g_variant_get (parameters, "(&s)", &id);
      record (connection, method_name, "", id, g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "Click"))
    {
      g_variant_get (parameters, "(&s&s)", &app_id, &id);
      click (service, connection, app_id, id, invocation);
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "no method %s", method_name);
}

static const GDBusInterfaceVTable vtable = { method_call, NULL, NULL, { 0 } };

static void
bus_acquired (GDBusConnection *connection,
              const char      *name,
              gpointer         data)
{
  Service *service = data;
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; node->interfaces[i] != NULL; i++)
    if (g_dbus_connection_register_object (connection, NOTIFICATIONS_PATH, node->interfaces[i], &vtable,
                                           service, NULL, &error) == 0)
      {
        g_printerr ("rl-fake-notifications: %s\n", error->message);
        service->status = 1;
        g_main_loop_quit (service->loop);
        return;
      }
}

static void
name_lost (GDBusConnection *connection,
           const char      *name,
           gpointer         data)
{
  Service *service = data;

  g_printerr ("rl-fake-notifications: could not own %s on the session bus\n", name);
  service->status = 1;
  g_main_loop_quit (service->loop);
}

static gboolean
stop (gpointer data)
{
  Service *service = data;

  g_main_loop_quit (service->loop);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  Service service = { 0 };
  guint owner;

  service.loop = g_main_loop_new (NULL, FALSE);
  service.shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  g_unix_signal_add (SIGTERM, stop, &service);
  g_unix_signal_add (SIGINT, stop, &service);
  owner = g_bus_own_name (G_BUS_TYPE_SESSION, "org.gtk.Notifications", G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                          bus_acquired, NULL, name_lost, &service, NULL);
  g_main_loop_run (service.loop);
  g_bus_unown_name (owner);
  g_hash_table_unref (service.shown);
  g_main_loop_unref (service.loop);
  return service.status;
}
