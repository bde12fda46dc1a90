/* test-settings.c — what the app keeps in GSettings between runs
 *
 * The schema compiled in build/data (GSETTINGS_SCHEMA_DIR) with the memory
 * backend (GSETTINGS_BACKEND=memory): each test resets every key first.
 * Windows are the app's real ones, on a registered RlApplication (its
 * accelerators) and a session on the real server. Xvfb runs no window
 * manager, so the test does what one would: it resizes the X window and
 * sets its _NET_WM_STATE. The last account is opened from a real keyring:
 * a gnome-keyring-daemon of the test's own on the private session bus
 * (dbus-run-session), as in tests/client/test-account.c; it is switched
 * to another in the main menu with real clicks (rl-ui-input).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "rl-account.h"
#include "rl-application.h"
#include "rl-review-state.h"
#include "rl-thread-panel.h"
#include "rl-test-server.h"
#include "rl-ui-input.h"
#include "rl-ui-keyring.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"

#define SCHEMA_ID "io.github.redline.Redline"

typedef struct
{
  RlUiTestWorld  world;   /* the mockup */
  GSettings     *settings;
  RlApplication *app;
  RlSession     *session;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->settings = g_settings_new (SCHEMA_ID);
  rl_ui_test_reset_settings (f->settings);
  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE);
  rl_test_server_start (f->world.server);
}

/* The app, registered (so its accelerators are set), with Ada's session. */
static void
start_app (Fixture *f)
{
  f->session = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
  f->app = rl_ui_test_register_app (f->session);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->app)
    rl_ui_test_destroy_windows (f->app);
  /* The app's keyring listing at startup ends (no Secret Service here). */
  rl_ui_test_run (200);
  g_clear_object (&f->app);
  g_clear_object (&f->session);
  /* libsecret keeps one service per process: the next test starts afresh. */
  secret_service_disconnect ();
  rl_ui_test_world_clear (&f->world);
  g_clear_object (&f->settings);
}

/* ---- helpers ------------------------------------------------------------- */

/* A window of the app on Ada's session, showing the image. */
static RlWindow *
open_window (Fixture *f)
{
  RlWindow *window = rl_window_new (f->app);

  rl_ui_test_window_start (window, f->session, 1);
  rl_ui_test_window_show (window, f->world.image, "image");
  return window;
}

/* The window's default size is width × height. */
static gboolean
has_default_size (RlWindow *window,
                  int       width,
                  int       height)
{
  int w, h;

  gtk_window_get_default_size (GTK_WINDOW (window), &w, &h);
  return w == width && h == height;
}

/* The X window's size (the widget is a few pixels smaller: the border
 * of client-side decorations). */
static gboolean
has_surface_size (RlWindow *window,
                  int       width,
                  int       height)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  return surface != NULL && gdk_surface_get_width (surface) == width && gdk_surface_get_height (surface) == height;
}

/* The flap the panel is in (beside the document, or over it when folded). */
static AdwFlap *
panel_flap (RlWindow *window)
{
  GtkWidget *flap = gtk_widget_get_ancestor (GTK_WIDGET (rl_window_get_thread_panel (window)), ADW_TYPE_FLAP);

  g_assert_nonnull (flap);
  return ADW_FLAP (flap);
}

static gboolean
panel_gone (RlWindow *window)
{
  AdwFlap *flap = panel_flap (window);

  return !adw_flap_get_reveal_flap (flap) && adw_flap_get_reveal_progress (flap) == 0;
}

static gboolean
panel_shown (RlWindow *window)
{
  AdwFlap *flap = panel_flap (window);

  return adw_flap_get_reveal_flap (flap) && adw_flap_get_reveal_progress (flap) == 1;
}

/* ---- (1) the window's size ---------------------------------------------- */

static void
test_window_size (Fixture       *f,
                  gconstpointer  data)
{
  RlWindow *window;
  int width, height;

  start_app (f);

  /* Set before the window is made: it starts at that size. */
  g_settings_set_int (f->settings, "window-width", 900);
  g_settings_set_int (f->settings, "window-height", 640);
  window = rl_window_new (f->app);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);
  g_assert_false (gtk_window_is_maximized (GTK_WINDOW (window)));
  gtk_window_destroy (GTK_WINDOW (window));

  window = open_window (f);
  g_assert_true (RL_UI_WAIT_UNTIL (has_surface_size (window, 900, 640), 3000));

  /* Resized by the user: nothing is written until it closes. */
  rl_ui_input_wm_resize (GTK_WINDOW (window), 1100, 720);
  g_assert_true (RL_UI_WAIT_UNTIL (has_default_size (window, 1100, 720), 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (has_surface_size (window, 1100, 720), 3000));
  g_assert_cmpint (g_settings_get_int (f->settings, "window-width"), ==, 900);

  /* Closed (Ctrl+W, the title bar's button): the size is kept. */
  gtk_window_close (GTK_WINDOW (window));
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (f->app)));
  g_assert_cmpint (g_settings_get_int (f->settings, "window-width"), ==, 1100);
  g_assert_cmpint (g_settings_get_int (f->settings, "window-height"), ==, 720);
  g_assert_false (g_settings_get_boolean (f->settings, "window-maximized"));

  /* The next window (the next start) has it. */
  window = open_window (f);
  g_assert_true (has_default_size (window, 1100, 720));
  g_assert_true (RL_UI_WAIT_UNTIL (has_surface_size (window, 1100, 720), 3000));
}

/* ---- (2) maximized ----------------------------------------------------- */

static void
test_window_maximized (Fixture       *f,
                       gconstpointer  data)
{
  RlWindow *window;

  start_app (f);
  g_settings_set_int (f->settings, "window-width", 1000);
  g_settings_set_int (f->settings, "window-height", 700);
  window = open_window (f);

  rl_ui_input_wm_maximize (GTK_WINDOW (window));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_window_is_maximized (GTK_WINDOW (window)), 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (has_surface_size (window, 1600, 1000), 3000));

  /* Quit (Ctrl+Q) closes every window: the state is kept, with the size
   * the window had before it was maximized (it returns to that). */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (f->app)));
  g_assert_true (g_settings_get_boolean (f->settings, "window-maximized"));
  g_assert_cmpint (g_settings_get_int (f->settings, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (f->settings, "window-height"), ==, 700);

  /* The next window starts maximized, its size kept for unmaximizing. */
  window = rl_window_new (f->app);
  g_assert_true (gtk_window_is_maximized (GTK_WINDOW (window)));
  g_assert_true (has_default_size (window, 1000, 700));
  rl_ui_test_window_start (window, f->session, 1);
  g_assert_true (gtk_window_is_maximized (GTK_WINDOW (window)));
}

/* ---- (3) the conversations panel ---------------------------------------- */

static void
test_panel_visible (Fixture       *f,
                    gconstpointer  data)
{
  RlWindow *first, *second;
  GList *windows;

  start_app (f);
  first = open_window (f);
  g_assert_true (adw_flap_get_reveal_flap (panel_flap (first)));
  g_assert_true (RL_UI_WAIT_UNTIL (panel_shown (first), 3000));

  /* Shift+F9 hides it, and that is kept. */
  rl_ui_test_press_key (GTK_WIDGET (first), GDK_KEY_F9, GDK_SHIFT_MASK);
  g_assert_true (RL_UI_WAIT_UNTIL (panel_gone (first), 3000));
  g_assert_false (g_settings_get_boolean (f->settings, "panel-visible"));

  /* A new window (Ctrl+N) starts without it. */
  rl_ui_test_press_key (GTK_WIDGET (first), GDK_KEY_n, GDK_CONTROL_MASK);
  windows = gtk_application_get_windows (GTK_APPLICATION (f->app));
  g_assert_cmpuint (g_list_length (windows), ==, 2);
  second = RL_WINDOW (windows->data == first ? windows->next->data : windows->data);
  g_assert_false (adw_flap_get_reveal_flap (panel_flap (second)));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_shows (second, "image"), 5000));
  g_assert_true (panel_gone (second));
  rl_ui_test_screenshot_settled (GTK_WIDGET (second), "settings-panel-hidden", 400);

  /* Shown again from the other window: the setting, and so both. */
  g_action_group_activate_action (G_ACTION_GROUP (second), "show-threads", NULL);
  g_assert_true (g_settings_get_boolean (f->settings, "panel-visible"));
  g_assert_true (adw_flap_get_reveal_flap (panel_flap (second)));
  g_assert_true (adw_flap_get_reveal_flap (panel_flap (first)));

  /* Changed elsewhere (another instance, dconf): followed. */
  g_settings_set_boolean (f->settings, "panel-visible", FALSE);
  g_assert_true (RL_UI_WAIT_UNTIL (panel_gone (first), 3000));
  g_assert_true (RL_UI_WAIT_UNTIL (panel_gone (second), 3000));
}

/* ---- (4) hide resolved --------------------------------------------------- */

static void
test_hide_resolved (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autofree char *open = NULL;
  g_autofree char *done = NULL;
  RlWindow *window;
  RlThreadPanel *panel;

  open = rl_ui_test_create_marker (bob, f->world.image, 0.30, 0.40, "Still open here");
  done = rl_ui_test_create_marker (bob, f->world.image, 0.60, 0.40, "Fixed already");
  rl_ui_test_thread_request (bob, "resolve-thread", f->world.image, done, ",\"resolved\":true");

  /* On in the settings: the new window lists only the open thread. */
  g_settings_set_boolean (f->settings, "hide-resolved", TRUE);
  start_app (f);
  window = open_window (f);
  panel = rl_window_get_thread_panel (window);
  g_assert_true (rl_review_state_get_hide_resolved (rl_thread_panel_get_state (panel)));
  g_assert_true (rl_review_state_get_hide_resolved (rl_image_view_get_state (rl_window_get_image_view (window))));
  g_assert_true (rl_ui_test_panel_lists (window, "Still open here"));
  rl_ui_test_run (300);
  g_assert_false (rl_ui_test_has_label (GTK_WIDGET (panel), "Fixed already"));

  /* Ctrl+H shows it, and that is kept. */
  rl_ui_test_press_key (GTK_WIDGET (window), GDK_KEY_h, GDK_CONTROL_MASK);
  g_assert_false (g_settings_get_boolean (f->settings, "hide-resolved"));
  g_assert_false (rl_review_state_get_hide_resolved (rl_thread_panel_get_state (panel)));
  g_assert_true (rl_ui_test_panel_lists (window, "Fixed already"));

  /* And Ctrl+H again hides it again. */
  rl_ui_test_press_key (GTK_WIDGET (window), GDK_KEY_h, GDK_CONTROL_MASK);
  g_assert_true (g_settings_get_boolean (f->settings, "hide-resolved"));
  rl_ui_test_run (300);
  g_assert_false (rl_ui_test_has_label (GTK_WIDGET (panel), "Fixed already"));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (panel), "Still open here"));
}

/* ---- (5) the last account, from a real keyring --------------------------- */

/* How many saved accounts the app has opened (its accounts menu lists them). */
static guint
n_accounts_opened (RlApplication *app)
{
  return g_menu_model_get_n_items (rl_application_get_accounts_menu (app));
}

static char *
current_key (RlApplication *app)
{
  RlSession *current = rl_application_get_current_session (app);

  g_assert_nonnull (current);
  return rl_session_dup_key (current);
}

/* The app's session of the account key ("SERVER USER"), or NULL. */
static RlSession *
session_of (RlApplication *app,
            const char    *key)
{
  GPtrArray *sessions = rl_application_get_sessions (app);

  for (guint i = 0; i < sessions->len; i++)
    {
      g_autofree char *its = rl_session_dup_key (g_ptr_array_index (sessions, i));

      if (g_strcmp0 (its, key) == 0)
        return g_ptr_array_index (sessions, i);
    }
  return NULL;
}

/* Whether session is welcomed, so named as the server says. */
static gboolean
welcomed (RlSession *session)
{
  return session != NULL &&
         rl_connection_get_state (rl_session_get_connection (session)) == RL_CONNECTION_ONLINE;
}

static void
test_last_account (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  RlUiKeyring *keyring;
  g_autofree char *ada_id = rl_ui_test_user_id (f->world.server, f->world.ada);
  g_autofree char *bob_id = rl_ui_test_user_id (f->world.server, f->world.bob);
  g_autofree char *ada_key = g_strdup_printf ("%s %s", f->world.server->ws_base, ada_id);
  g_autofree char *bob_key = g_strdup_printf ("%s %s", f->world.server->ws_base, bob_id);
  g_autofree char *key = NULL;
  g_autofree char *saved = NULL;
  const char *label;
  const char *ada_label;
  g_autoptr(RlAccount) ada = NULL;
  g_autoptr(RlAccount) bob = NULL;
  RlWindow *window;
  GtkPopover *menu;

  keyring = rl_ui_keyring_start ();

  /* Two accounts in the keyring; listed by label, Ada comes first. */
  ada = rl_account_new (f->world.server->ws_base, ada_id, "Ada", &error);
  g_assert_no_error (error);
  bob = rl_account_new (f->world.server->ws_base, bob_id, "Bob", &error);
  g_assert_no_error (error);
  rl_ui_keyring_save (ada, f->world.ada);
  rl_ui_keyring_save (bob, f->world.bob);

  /* Bob's was used last: at the start it is the one opened first, and the
   * first window shows it. */
  g_settings_set_string (f->settings, "last-account", bob_key);
  f->app = rl_ui_test_register_app (NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (n_accounts_opened (f->app) == 2, 10000));
  key = current_key (f->app);
  g_assert_cmpstr (key, ==, bob_key);
  g_application_activate (G_APPLICATION (f->app));
  window = RL_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (window);
  g_assert_true (rl_window_get_session (window) == rl_application_get_current_session (f->app));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_online (window) &&
                                   rl_ui_test_window_n_documents (window) == 1, 5000));

  /* The main menu, opened with a click, lists both, each by the name the
   * server gave once welcomed (every account's connection is open while
   * the app runs, issue 19), Bob's checked. The window the app opened by
   * itself may be laid out only now: the hand aims where its menu button
   * ends up. */
  g_assert_true (RL_UI_WAIT_UNTIL (welcomed (session_of (f->app, ada_key)), 5000));
  ada_label = rl_session_get_label (session_of (f->app, ada_key));
  g_assert_true (g_str_has_prefix (ada_label, "Ada on "));
  rl_ui_input_wait_still (rl_ui_test_main_menu_button (window));
  menu = rl_ui_test_open_main_menu (window);
  label = rl_session_get_label (rl_window_get_session (window));
  g_assert_true (rl_ui_test_menu_item_checked (rl_ui_test_menu_item (menu, label)));
  g_assert_true (g_str_has_prefix (rl_session_get_label (rl_window_get_session (window)), "Bob on "));
  g_assert_false (rl_ui_test_menu_item_checked (rl_ui_test_menu_item (menu, ada_label)));

  /* Switched to Ada's with a click there: hers is kept for next time. */
  rl_ui_input_click (rl_ui_test_menu_item (menu, ada_label));
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_mapped (GTK_WIDGET (menu)), 3000));
  g_clear_pointer (&key, g_free);
  key = rl_session_dup_key (rl_window_get_session (window));
  g_assert_cmpstr (key, ==, ada_key);
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (f->settings, "last-account");
  g_assert_cmpstr (saved, ==, ada_key);

  /* The next start opens Ada's first, though Bob's is listed after. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  g_clear_object (&f->app);
  f->app = rl_ui_test_register_app (NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (n_accounts_opened (f->app) == 2, 10000));
  g_clear_pointer (&key, g_free);
  key = current_key (f->app);
  g_assert_cmpstr (key, ==, ada_key);
  rl_ui_test_destroy_windows (f->app);
  g_clear_object (&f->app);

  /* Bob's again, then gone from the keyring: the first account (Ada's)
   * is opened, and becomes the last used. */
  g_settings_set_string (f->settings, "last-account", bob_key);
  rl_ui_keyring_delete (bob);
  f->app = rl_ui_test_register_app (NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (n_accounts_opened (f->app) == 1, 10000));
  g_clear_pointer (&key, g_free);
  key = current_key (f->app);
  g_assert_cmpstr (key, ==, ada_key);
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (f->settings, "last-account");
  g_assert_cmpstr (saved, ==, ada_key);
  rl_ui_test_destroy_windows (f->app);
  g_clear_object (&f->app);
  rl_ui_test_run (100);

  rl_ui_keyring_stop (keyring);
}

/* ---- a thread asked for while the accounts open ---------------------------- */

/* Clicking a notification after the app quit starts it (D-Bus activation)
 * and asks at once for app.open-thread, while the saved accounts are still
 * being read from the keyring: the window comes once they are open, on
 * that account, showing that thread. */
static void
test_open_thread_while_opening (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autofree char *thread = rl_ui_test_create_marker (bob, f->world.image, 0.4, 0.6, "Tighter kerning?");
  g_autofree char *ada_id = rl_ui_test_user_id (f->world.server, f->world.ada);
  g_autofree char *ada_key = g_strdup_printf ("%s %s", f->world.server->ws_base, ada_id);
  g_autoptr(RlAccount) ada = NULL;
  RlUiKeyring *keyring = rl_ui_keyring_start ();
  RlWindow *window = NULL;

  ada = rl_account_new (f->world.server->ws_base, ada_id, "Ada", &error);
  g_assert_no_error (error);
  rl_ui_keyring_save (ada, f->world.ada);

  f->app = rl_ui_test_register_app (NULL);
  /* Nothing is open yet: the keyring is still being read. */
  g_assert_null (rl_application_find_session (f->app, ada_key));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "open-thread",
                                  g_variant_new ("(sss)", ada_key, f->world.image, thread));
  g_assert_true (RL_UI_WAIT_UNTIL ((window = RL_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app))))
                                   != NULL, 10000));
  g_assert_true (rl_window_get_session (window) == rl_application_find_session (f->app, ada_key));
  g_assert_true (RL_UI_WAIT_UNTIL (g_strcmp0 (rl_window_get_document_id (window), f->world.image) == 0 &&
                                   g_strcmp0 (rl_review_state_get_selected_thread (
                                                rl_thread_panel_get_state (rl_window_get_thread_panel (window))),
                                              thread) == 0, 10000));
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (f->app))), ==, 1);

  rl_ui_test_destroy_windows (f->app);
  g_clear_object (&f->app);
  rl_ui_test_run (100);
  rl_ui_keyring_stop (keyring);
}

/* ---- (6) no schema -------------------------------------------------------- */

/* An uninstalled run without GSETTINGS_SCHEMA_DIR: the app runs, keeping
 * nothing. Run as a subprocess with the variable pointing nowhere. */
static void
test_no_schema (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *empty = NULL;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      RlWindow *window;
      int width, height;

      g_assert_null (g_settings_schema_source_lookup (g_settings_schema_source_get_default (), SCHEMA_ID, TRUE));
      start_app (f);
      window = open_window (f);
      gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
      g_assert_cmpint (width, ==, 1280);   /* the template's */
      g_assert_cmpint (height, ==, 820);
      g_action_group_activate_action (G_ACTION_GROUP (window), "show-threads", NULL);
      g_assert_true (RL_UI_WAIT_UNTIL (panel_gone (window), 3000));
      g_action_group_activate_action (G_ACTION_GROUP (window), "hide-resolved", NULL);
      g_assert_true (rl_review_state_get_hide_resolved (rl_thread_panel_get_state (rl_window_get_thread_panel (window))));
      gtk_window_close (GTK_WINDOW (window));
      g_assert_null (gtk_application_get_windows (GTK_APPLICATION (f->app)));
      return;
    }
  empty = g_dir_make_tmp ("redline-no-schema-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("GSETTINGS_SCHEMA_DIR", empty, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_rmdir (empty);
}

/* Settings made only in the subprocess (the schema is not there). */
static void
no_schema_setup (Fixture       *f,
                 gconstpointer  data)
{
  if (!g_test_subprocess ())
    return;
  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE);
  rl_test_server_start (f->world.server);
}

static void
no_schema_teardown (Fixture       *f,
                    gconstpointer  data)
{
  if (!g_test_subprocess ())
    return;
  fixture_teardown (f, data);
}

int
main (int    argc,
      char **argv)
{
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/settings/window-size", Fixture, NULL, fixture_setup, test_window_size, fixture_teardown);
  g_test_add ("/settings/window-maximized", Fixture, NULL, fixture_setup, test_window_maximized, fixture_teardown);
  g_test_add ("/settings/panel-visible", Fixture, NULL, fixture_setup, test_panel_visible, fixture_teardown);
  g_test_add ("/settings/hide-resolved", Fixture, NULL, fixture_setup, test_hide_resolved, fixture_teardown);
  g_test_add ("/settings/last-account", Fixture, NULL, fixture_setup, test_last_account, fixture_teardown);
  g_test_add ("/settings/open-thread-while-opening", Fixture, NULL, fixture_setup, test_open_thread_while_opening,
              fixture_teardown);
  g_test_add ("/settings/no-schema", Fixture, NULL, no_schema_setup, test_no_schema, no_schema_teardown);
  return g_test_run ();
}
