/* rl-ui-keyring.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-ui-keyring.h"

#include <libsecret/secret.h>
#include <signal.h>
#include <sys/prctl.h>

#include "rl-test-wait.h"
#include "rl-ui-test.h"

/* In the daemon's process, between fork and exec. */
static void
die_with_test (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

#define SECRETS_NAME "org.freedesktop.secrets"

struct _RlUiKeyring
{
  GDBusConnection *bus;
  GSubprocess     *daemon;
  char            *dir;
};

static char *
secrets_owner (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  char *owner = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", SECRETS_NAME), G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply)
    g_variant_get (reply, "(s)", &owner);
  return owner;
}

/* The name of the Secret Service is owned (by daemon, alive) as wanted. */
static gboolean
secrets_owned_as_wanted (GDBusConnection *bus,
                         GSubprocess     *daemon,
                         gboolean         want_owner)
{
  g_autofree char *owner = secrets_owner (bus);

  if (want_owner && g_subprocess_get_identifier (daemon) == NULL)
    return TRUE;   /* it exited: no point in waiting */
  return (owner != NULL) == want_owner;
}

RlUiKeyring *
rl_ui_keyring_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *control = NULL;
  g_autofree char *control_arg = NULL;
  g_autofree char *log = NULL;
  RlUiKeyring *keyring = g_new0 (RlUiKeyring, 1);
  GOutputStream *password;

  g_assert_nonnull (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  keyring->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  owner = secrets_owner (keyring->bus);
  if (owner != NULL)
    g_error ("A Secret Service (%s) already runs on this session bus; run this test inside "
             "dbus-run-session --config-file=tests/dbus-session.conf so no real keyring is touched", owner);
  keyring->dir = g_dir_make_tmp ("redline-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  data_home = g_build_filename (keyring->dir, "data", NULL);
  control = g_build_filename (keyring->dir, "control", NULL);
  control_arg = g_strconcat ("--control-directory=", control, NULL);
  log = g_build_filename (keyring->dir, "daemon.log", NULL);
  g_assert_cmpint (g_mkdir_with_parents (data_home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (control, 0700), ==, 0);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  /* Gone with the test, even one that aborts: the next test on this bus
   * must find no Secret Service but its own. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  keyring->daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground", "--unlock",
                                                 "--components=secrets", control_arg, NULL);
  g_assert_no_error (error);
  /* --unlock reads the login keyring's password up to the end of stdin. */
  password = g_subprocess_get_stdin_pipe (keyring->daemon);
  g_output_stream_write_all (password, "pw", 2, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (password, NULL, &error);
  g_assert_no_error (error);

  /* The bus is another process: looked at every 10 ms. */
  if (!RL_TEST_LOOK_UNTIL (secrets_owned_as_wanted (keyring->bus, keyring->daemon, TRUE), 15000) ||
      g_subprocess_get_identifier (keyring->daemon) == NULL)
    {
      g_autofree char *said = NULL;

      g_file_get_contents (log, &said, NULL, NULL);
      g_error ("gnome-keyring-daemon did not serve the bus; it said: %s", said ? said : "nothing");
    }
  return keyring;
}

void
rl_ui_keyring_stop (RlUiKeyring *keyring)
{
  secret_service_disconnect ();
  g_subprocess_send_signal (keyring->daemon, SIGTERM);
  g_assert_true (g_subprocess_wait (keyring->daemon, NULL, NULL));
  g_assert_true (RL_TEST_LOOK_UNTIL (secrets_owned_as_wanted (keyring->bus, keyring->daemon, FALSE), 10000));
  rl_ui_test_remove_tree (keyring->dir);
  g_free (keyring->dir);
  g_object_unref (keyring->daemon);
  g_object_unref (keyring->bus);
  g_free (keyring);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

void
rl_ui_keyring_save (RlAccount  *account,
                    const char *token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  rl_account_save (account, token, NULL, on_done, &result);
  g_assert_true (RL_UI_WAIT_UNTIL (result != NULL, 10000));
  g_assert_true (rl_account_save_finish (account, result, &error));
  g_assert_no_error (error);
}

void
rl_ui_keyring_delete (RlAccount *account)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  rl_account_delete (account, NULL, on_done, &result);
  g_assert_true (RL_UI_WAIT_UNTIL (result != NULL, 10000));
  g_assert_true (rl_account_delete_finish (account, result, &error));
  g_assert_no_error (error);
}

guint
rl_ui_keyring_n_items (const char *server,
                       const char *user)
{
  /* The app's schema (rl-account.c), written out: the test reads the
   * keyring as any other client of it would. */
  static const SecretSchema schema = {
    RL_ACCOUNT_SCHEMA_NAME,
    SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "fingerprint", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GList *items;
  guint n;

  secret_password_search (&schema, SECRET_SEARCH_ALL, NULL, on_done, &result, "server", server, "user", user, NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (result != NULL, 10000));
  items = secret_password_search_finish (result, &error);
  g_assert_no_error (error);
  n = g_list_length (items);
  g_list_free_full (items, g_object_unref);
  return n;
}
