/* test-notifications.c — desktop notifications of mentions and replies
 * (issue 19 §4, §8), observed on the suite's private session bus
 *
 * A fake gnome-shell (rl-fake-notifications) owns org.gtk.Notifications
 * and tells every AddNotification and RemoveNotification it gets; the app
 * under test is a real GApplication owning its name on that bus, with
 * GLib's "gtk" notification backend, as on a GNOME desktop. Its account
 * (Ada's) is on the real server, whose activity feed brings the items:
 * Ada's threads are made from her other computer (a raw 1.2 client, which
 * also marks them read), and Bob, Carol, Dan and Erin reply and mention
 * her as raw clients. The keyboard focus is moved as a window manager
 * moves it (Xvfb runs none).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "rl-activity-button.h"
#include "rl-activity-feed.h"
#include "rl-activity-window.h"
#include "rl-application.h"
#include "rl-notifier-private.h"
#include "rl-test-server.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"

#define FAKE_PATH      "/org/gtk/Notifications"
#define FAKE_INTERFACE "io.github.redline.FakeNotifications"

/* Who writes to Ada (raw clients). */
typedef enum
{
  BOB,
  CAROL,
  DAN,
  ERIN,
  N_PEOPLE
} Person;

typedef struct
{
  RlUiTestWorld    world;
  const char      *tokens[N_PEOPLE];
  RlTestClient    *people[N_PEOPLE];
  RlTestClient    *ada2;         /* Ada's other computer */
  GSubprocess     *service;
  gboolean         service_exited;
  gboolean         service_owned;
  GDBusConnection *bus;
  guint            subscription;
  GPtrArray       *calls;        /* of GVariant (sssa{sv}), as the service got them */
  guint            syncs;
  GSettings       *settings;
  RlSession       *session;
  RlActivityFeed  *feed;         /* the app's, of Ada's session */
  RlApplication   *app;
  char            *app_id;
  char            *account;      /* Ada's account key */
  char            *threads[2];   /* Ada's, on the image */
  const char      *rex;          /* a second account of the app: Rex, in globex */
  const char      *sam;          /* who writes to Rex (a raw client) */
  const char      *globex_doc;
} Fixture;

/* ---- the fake gnome-shell ------------------------------------------------ */

static void
on_called (GDBusConnection *bus,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *signal,
           GVariant        *parameters,
           gpointer         data)
{
  Fixture *f = data;

  g_ptr_array_add (f->calls, g_variant_ref (parameters));
}

static void
service_appeared (GDBusConnection *bus,
                  const char      *name,
                  const char      *owner,
                  gpointer         data)
{
  ((Fixture *) data)->service_owned = TRUE;
}

static void
service_vanished (GDBusConnection *bus,
                  const char      *name,
                  gpointer         data)
{
  ((Fixture *) data)->service_owned = FALSE;
}

static void
service_exited (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  ((Fixture *) data)->service_exited = TRUE;
}

static void
start_service (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  guint watch;
  const char *path = g_getenv ("REDLINE_FAKE_NOTIFICATIONS");

  g_assert_nonnull (path);
  f->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  f->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  f->subscription = g_dbus_connection_signal_subscribe (f->bus, NULL, FAKE_INTERFACE, "Called",
                                                        FAKE_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_called, f,
                                                        NULL);
  f->service = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (f->service, NULL, service_exited, f);
  /* Owned once its objects are there. */
  watch = g_bus_watch_name_on_connection (f->bus, "org.gtk.Notifications", G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          service_appeared, service_vanished, f, NULL);
  g_assert_true (RL_UI_WAIT_UNTIL (f->service_owned || f->service_exited, 5000));
  g_bus_unwatch_name (watch);
  g_assert_false (f->service_exited);
  g_assert_true (f->service_owned);
}

static void
stop_service (Fixture *f)
{
  g_dbus_connection_signal_unsubscribe (f->bus, f->subscription);
  g_subprocess_send_signal (f->service, SIGTERM);
  g_assert_true (RL_UI_WAIT_UNTIL (f->service_exited, 5000));
  g_assert_true (g_subprocess_get_successful (f->service));
  g_clear_object (&f->service);
  g_clear_pointer (&f->calls, g_ptr_array_unref);
  g_clear_object (&f->bus);
}

/* Whether the last call the service told is the Sync of token. */
static gboolean
synced (Fixture    *f,
        const char *token)
{
  const char *method;
  const char *id;

  if (f->calls->len == 0)
    return FALSE;
  g_variant_get (g_ptr_array_index (f->calls, f->calls->len - 1), "(&s&s&s@a{sv})", &method, NULL, &id, NULL);
  return g_str_equal (method, "Sync") && g_str_equal (id, token);
}

/* Until the service has told every call the app made before now: its
 * Sync comes after them on the bus, and is told after them. */
static void
settle (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *token = g_strdup_printf ("sync-%u", ++f->syncs);
  reply = g_dbus_connection_call_sync (f->bus, "org.gtk.Notifications", FAKE_PATH, FAKE_INTERFACE, "Sync",
                                       g_variant_new ("(s)", token), NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
                                       &error);
  g_assert_no_error (error);
  g_assert_true (RL_UI_WAIT_UNTIL (synced (f, token), 5000));
  g_ptr_array_remove_index (f->calls, f->calls->len - 1);
}

/* The ith call: its method and id; *notification, if asked, its a{sv}. */
static const char *
call_at (Fixture    *f,
         guint       i,
         const char *method,
         GVariant  **notification)
{
  GVariant *call;
  const char *its_method;
  const char *app_id;
  const char *id;

  g_assert_cmpuint (i, <, f->calls->len);
  call = g_ptr_array_index (f->calls, i);
  g_variant_get (call, "(&s&s&s@a{sv})", &its_method, &app_id, &id, notification ? notification : NULL);
  g_assert_cmpstr (its_method, ==, method);
  g_assert_cmpstr (app_id, ==, f->app_id);
  return id;
}

/* The ith call is an AddNotification of title and body; its id. */
static const char *
assert_added (Fixture    *f,
              guint       i,
              const char *title,
              const char *body)
{
  g_autoptr(GVariant) notification = NULL;
  const char *id = call_at (f, i, "AddNotification", &notification);
  const char *its_title = NULL;
  const char *its_body = NULL;

  g_assert_true (g_variant_lookup (notification, "title", "&s", &its_title));
  g_assert_true (g_variant_lookup (notification, "body", "&s", &its_body));
  g_assert_cmpstr (its_title, ==, title);
  g_assert_cmpstr (its_body, ==, body);
  return id;
}

/* ---- the world ----------------------------------------------------------- */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static const char *const names[N_PEOPLE] = { NULL, "Carol:member", "Dan:member", "Erin:member" };
  static guint n_apps;
  g_autoptr(GError) error = NULL;

  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE | RL_UI_TEST_WORLD_PAGE);
  f->tokens[BOB] = f->world.bob;
  for (Person p = CAROL; p < N_PEOPLE; p++)
    f->tokens[p] = rl_test_team_add_person (&f->world.team, names[p]);
  f->rex = rl_test_team_add_person (&f->world.team, "globex/Rex:member");
  f->sam = rl_test_team_add_person (&f->world.team, "globex/Sam:member");
  f->globex_doc = rl_test_team_add_doc (&f->world.team, "globex", "Globex mockup", "mockup.png");
  rl_test_server_start (f->world.server);
  for (Person p = BOB; p < N_PEOPLE; p++)
    f->people[p] = rl_test_client_new_v12 (f->world.server, f->tokens[p]);
  f->ada2 = rl_test_client_new_v12 (f->world.server, f->world.ada);
  f->threads[0] = rl_ui_test_create_marker (f->ada2, f->world.image, 0.25, 0.3, "Can the headline be one line?");
  f->threads[1] = rl_ui_test_create_marker (f->ada2, f->world.image, 0.7, 0.55, "This button needs more contrast.");

  start_service (f);
  f->settings = rl_settings_new ();
  g_assert_nonnull (f->settings);
  g_settings_reset (f->settings, "notifications");
  g_settings_reset (f->settings, "muted-documents");
  g_settings_reset (f->settings, "muted-document-titles");

  /* Unique, as a desktop's app is: it owns its name, which gnome-shell
   * calls when a notification is clicked. */
  f->app_id = g_strdup_printf ("io.github.redline.Redline.NotifyTest%u", ++n_apps);
  f->app = rl_application_new (f->app_id, G_APPLICATION_DEFAULT_FLAGS);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_application_get_is_remote (G_APPLICATION (f->app)));
  f->session = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
  rl_application_add_session (f->app, f->session, TRUE);
  f->feed = rl_activity_feed_get (rl_session_get_connection (f->session), rl_session_get_api (f->session));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_ui_test_close_app (&f->app);
  g_clear_object (&f->feed);
  g_clear_object (&f->session);
  g_clear_object (&f->settings);
  stop_service (f);
  g_free (f->app_id);
  g_free (f->account);
  g_free (f->threads[0]);
  g_free (f->threads[1]);
  for (Person p = BOB; p < N_PEOPLE; p++)
    g_clear_pointer (&f->people[p], rl_test_client_free);
  g_clear_pointer (&f->ada2, rl_test_client_free);
  rl_ui_test_world_clear (&f->world);
}

/* A window of the app on Ada's account, online, the image open, the
 * activity feed subscribed. */
static RlWindow *
open_window (Fixture *f)
{
  RlWindow *window = rl_window_new (f->app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  rl_ui_test_window_start (window, f->session, 2);
  rl_ui_test_window_show (window, f->world.image, "image");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_activity_feed_is_synced (f->feed), 5000));
  if (f->account == NULL)
    f->account = rl_session_dup_key (f->session);
  return window;
}

/* client comments body in thread of doc, mentioning user_id (the body
 * starts with "@" and a four-letter name) unless NULL, and feed has it;
 * the comment's seq. */
static gint64
comment_as (RlTestClient   *client,
            RlActivityFeed *feed,
            const char     *doc,
            const char     *thread,
            const char     *body,
            const char     *user_id)
{
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *mentions = user_id ? g_strdup_printf (",\"mentions\":[{\"user\":\"%s\",\"start\":0,\"end\":4}]",
                                                         user_id)
                                      : g_strdup ("");
  g_autoptr(JsonObject) ack = NULL;
  gint64 aseq = rl_activity_feed_get_aseq (feed);

  g_assert_true (user_id == NULL || body[0] == '@');
  rl_test_client_send_printf (client,
                              "{\"type\":\"add-comment\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":\"%s\",\"comment\":{\"id\":\"%s\",\"body\":\"%s\"%s}}",
                              req, broadcast, doc, thread, comment, body, mentions);
  ack = rl_test_client_expect_ack (client, req);
  g_assert_null (rl_test_ack_error (ack));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_activity_feed_get_aseq (feed) > aseq, 5000));
  return json_object_get_int_member (ack, "seq");
}

/* who comments body in Ada's thread i (mentioning her: body starts with
 * "@Ada"), and the app's feed has it; the comment's seq. */
static gint64
say (Fixture    *f,
     Person      who,
     guint       i,
     const char *body,
     gboolean    mention)
{
  g_autofree char *ada = rl_test_token_user (f->world.ada);

  g_assert_true (!mention || g_str_has_prefix (body, "@Ada"));
  return comment_as (f->people[who], f->feed, f->world.image, f->threads[i], body, mention ? ada : NULL);
}

/* Ada reads thread i (-1: the whole image) up to seq on her other
 * computer, and the app's feed hears it. */
static void
read_on_other_computer (Fixture *f,
                        int      i,
                        gint64   seq)
{
  g_autofree char *broadcast = rl_test_uuid ();
  g_autofree char *req = rl_test_uuid ();
  g_autofree char *thread = i >= 0 ? g_strdup_printf (",\"thread\":\"%s\"", f->threads[i]) : g_strdup ("");
  g_autoptr(JsonObject) ack = NULL;
  gint64 aseq = rl_activity_feed_get_aseq (f->feed);

  rl_test_client_send_printf (f->ada2,
                              "{\"type\":\"mark-read\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\"%s,"
                              "\"seq\":%" G_GINT64_FORMAT "}",
                              req, broadcast, f->world.image, thread, seq);
  ack = rl_test_client_expect_ack (f->ada2, req);
  g_assert_null (rl_test_ack_error (ack));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_activity_feed_get_aseq (f->feed) > aseq, 5000));
}

/* ---- sent while unfocused, never while focused ------------------------- */

static void
test_unfocused (Fixture       *f,
                gconstpointer  data)
{
  RlWindow *window = open_window (f);
  g_autoptr(GVariant) notification = NULL;
  g_autoptr(GVariant) target = NULL;
  const char *action = NULL;
  const char *key, *doc, *thread;

  rl_ui_input_wm_focus (GTK_WINDOW (window));
  say (f, BOB, 0, "Seen while looking", FALSE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 0);

  /* Turned away: the next one is sent, and the one seen before never is. */
  rl_ui_input_wm_focus_elsewhere ();
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 0);
  say (f, BOB, 0, "Shorter, yes", FALSE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 1);
  assert_added (f, 0, "Bob replied in #1 on Landing page", "Shorter, yes");
  call_at (f, 0, "AddNotification", &notification);
  g_assert_true (g_variant_lookup (notification, "default-action", "&s", &action));
  g_assert_cmpstr (action, ==, "app.open-thread");
  target = g_variant_lookup_value (notification, "default-action-target", G_VARIANT_TYPE ("(sss)"));
  g_assert_nonnull (target);
  g_variant_get (target, "(&s&s&s)", &key, &doc, &thread);
  g_assert_cmpstr (key, ==, f->account);
  g_assert_cmpstr (doc, ==, f->world.image);
  g_assert_cmpstr (thread, ==, f->threads[0]);

  /* Back: nothing while looked at, again. */
  rl_ui_input_wm_focus (GTK_WINDOW (window));
  say (f, BOB, 1, "@Ada what do you think?", TRUE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 1);
  /* A resolution is not notified. */
  rl_ui_input_wm_focus_elsewhere ();
  {
    gint64 aseq = rl_activity_feed_get_aseq (f->feed);

    rl_ui_test_thread_request (f->people[BOB], "resolve-thread", f->world.image, f->threads[1],
                               ",\"resolved\":true");
    g_assert_true (RL_UI_WAIT_UNTIL (rl_activity_feed_get_aseq (f->feed) > aseq, 5000));
  }
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 1);
}

/* ---- batched --------------------------------------------------------------- */

static void
test_batched (Fixture       *f,
              gconstpointer  data)
{
  RlWindow *window = open_window (f);
  const char *id;

  rl_ui_input_wm_focus_elsewhere ();
  say (f, BOB, 0, "One line it is", FALSE);
  say (f, CAROL, 0, "Agreed", FALSE);
  say (f, BOB, 0, "Pushed a new version", FALSE);
  settle (f);
  /* One notification, replaced twice. */
  g_assert_cmpuint (f->calls->len, ==, 3);
  id = assert_added (f, 0, "Bob replied in #1 on Landing page", "One line it is");
  g_assert_cmpstr (assert_added (f, 1, "Bob and Carol replied in #1 on Landing page",
                                 "2 new comments; the last: Agreed"), ==, id);
  g_assert_cmpstr (assert_added (f, 2, "Bob and Carol replied in #1 on Landing page",
                                 "3 new comments; the last: Pushed a new version"), ==, id);

  /* A mention is never worded as a reply: one of its own. */
  say (f, DAN, 0, "@Ada can you check?", TRUE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 4);
  g_assert_cmpstr (assert_added (f, 3, "Dan mentioned you in #1 on Landing page", "@Ada can you check?"), !=, id);
  /* Another thread: another notification. */
  say (f, BOB, 1, "Darker blue?", FALSE);
  settle (f);
  g_assert_cmpstr (assert_added (f, 4, "Bob replied in #2 on Landing page", "Darker blue?"), !=, id);

  /* Three people, and more. */
  say (f, ERIN, 0, "Late to this", FALSE);
  settle (f);
  g_assert_cmpstr (assert_added (f, 5, "Bob, Carol and 1 other replied in #1 on Landing page",
                                 "4 new comments; the last: Late to this"), ==, id);

  /* Looked at in between: what comes next is news of its own. */
  rl_ui_input_wm_focus (GTK_WINDOW (window));
  rl_ui_input_wm_focus_elsewhere ();
  say (f, CAROL, 0, "One more thing", FALSE);
  settle (f);
  g_assert_cmpstr (assert_added (f, 6, "Carol replied in #1 on Landing page", "One more thing"), !=, id);
  id = call_at (f, 6, "AddNotification", NULL);

  /* Not within the batching time: its own too. */
  rl_notifier_set_batch_ms (rl_application_get_notifier (f->app), 0);
  say (f, BOB, 0, "And another", FALSE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 8);
  g_assert_cmpstr (assert_added (f, 7, "Bob replied in #1 on Landing page", "And another"), !=, id);
}

/* ---- never twice ----------------------------------------------------------- */

static void
test_not_duplicated (Fixture       *f,
                     gconstpointer  data)
{
  RlWindow *first = open_window (f);
  RlWindow *second = open_window (f);
  RlConnection *connection = rl_session_get_connection (f->session);
  g_autoptr(RlActivityItem) told = NULL;

  g_assert_true (rl_window_get_session (first) == rl_window_get_session (second));
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (f->app))), ==, 2);
  rl_ui_input_wm_focus_elsewhere ();
  say (f, BOB, 0, "Once", FALSE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 1);

  /* The link cut and made again: the feed resumes, nothing is told twice. */
  rl_connection_drop_link (connection);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_connection_get_state (connection) != RL_CONNECTION_ONLINE, 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_connection_get_state (connection) == RL_CONNECTION_ONLINE &&
                                   rl_activity_feed_is_synced (f->feed), 10000));
  say (f, BOB, 1, "Twice?", FALSE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 2);
  assert_added (f, 1, "Bob replied in #2 on Landing page", "Twice?");

  /* The same item given again (a replay, another session of the account):
   * nothing. */
  told = g_list_model_get_item (rl_activity_feed_get_recent (f->feed), 0);
  g_assert_nonnull (told);
  rl_notifier_add_item (rl_application_get_notifier (f->app), f->account, rl_activity_item_get_activity (told));
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 2);
}

/* ---- muted ----------------------------------------------------------------- */

/* The main menu's Mute Notifications, clicked (real input). */
static void
click_mute (RlWindow *window)
{
  GtkPopover *menu = rl_ui_test_open_main_menu (window);
  GtkWidget *item = rl_ui_test_menu_item (menu, "Mute Notifications");

  rl_ui_input_click (item);
  g_assert_true (RL_UI_WAIT_UNTIL (!gtk_widget_get_mapped (GTK_WIDGET (menu)), 5000));
}

static void
test_muted (Fixture       *f,
            gconstpointer  data)
{
  RlWindow *window = open_window (f);
  g_autofree char *entry = rl_notifier_mute_entry (f->account, f->world.image);
  g_autoptr(GVariant) titles = NULL;
  g_auto(GStrv) muted = NULL;
  const char *title = NULL;
  GtkPopover *menu;

  click_mute (window);
  muted = g_settings_get_strv (f->settings, "muted-documents");
  g_assert_cmpstrv (muted, ((const char *const[]) { entry, NULL }));
  titles = g_settings_get_value (f->settings, "muted-document-titles");
  g_assert_true (g_variant_lookup (titles, entry, "&s", &title));
  g_assert_cmpstr (title, ==, "Landing page");
  menu = rl_ui_test_open_main_menu (window);
  g_assert_true (rl_ui_test_menu_item_checked (rl_ui_test_menu_item (menu, "Mute Notifications")));
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (window), GTK_WIDGET (menu), "notifications-muted-menu");
  gtk_popover_popdown (menu);

  rl_ui_input_wm_focus_elsewhere ();
  say (f, BOB, 0, "Muted", FALSE);
  say (f, BOB, 1, "@Ada muted too", TRUE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 0);

  /* Unmuted: news again. */
  rl_ui_input_wm_focus (GTK_WINDOW (window));
  click_mute (window);
  g_clear_pointer (&muted, g_strfreev);
  g_clear_pointer (&titles, g_variant_unref);
  muted = g_settings_get_strv (f->settings, "muted-documents");
  g_assert_cmpuint (g_strv_length (muted), ==, 0);
  titles = g_settings_get_value (f->settings, "muted-document-titles");
  g_assert_cmpuint (g_variant_n_children (titles), ==, 0);
  rl_ui_input_wm_focus_elsewhere ();
  say (f, BOB, 0, "Heard", FALSE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 1);
  assert_added (f, 0, "Bob replied in #1 on Landing page", "Heard");

  /* Every notification switched off (Preferences). */
  g_settings_set_boolean (f->settings, "notifications", FALSE);
  say (f, BOB, 1, "@Ada anyone?", TRUE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 1);
  g_settings_set_boolean (f->settings, "notifications", TRUE);
  say (f, BOB, 1, "@Ada now?", TRUE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 2);
  assert_added (f, 1, "Bob mentioned you in #2 on Landing page", "@Ada now?");
}

/* ---- withdrawn once read --------------------------------------------------- */

static void
test_read (Fixture       *f,
           gconstpointer  data)
{
  const char *first, *second;
  gint64 seq;

  open_window (f);
  rl_ui_input_wm_focus_elsewhere ();
  say (f, BOB, 0, "First", FALSE);
  seq = say (f, BOB, 0, "Second", FALSE);
  say (f, BOB, 1, "Other thread", FALSE);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 3);
  first = call_at (f, 1, "AddNotification", NULL);
  second = call_at (f, 2, "AddNotification", NULL);

  /* Read on Ada's other computer, but not all it stands for: it stays. */
  read_on_other_computer (f, 0, seq - 1);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 3);
  /* All of it: it goes, and the other thread's stays. */
  read_on_other_computer (f, 0, seq);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 4);
  g_assert_cmpstr (call_at (f, 3, "RemoveNotification", NULL), ==, first);

  /* The whole document read: the other goes too. */
  read_on_other_computer (f, -1, seq + 1);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 5);
  g_assert_cmpstr (call_at (f, 4, "RemoveNotification", NULL), ==, second);
}

/* ---- clicked --------------------------------------------------------------- */

static void
clicked (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

/* What gnome-shell does when the notification id is clicked; returns
 * once the app has answered (it answers from this main loop). */
static void
click (Fixture    *f,
       const char *id)
{
  gboolean done = FALSE;

  g_dbus_connection_call (f->bus, "org.gtk.Notifications", FAKE_PATH, FAKE_INTERFACE, "Click",
                          g_variant_new ("(ss)", f->app_id, id), NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
                          clicked, &done);
  g_assert_true (RL_UI_WAIT_UNTIL (done, 10000));
}

/* The window the app shows on Ada's account, once there is one. */
static RlWindow *
shown_window (Fixture *f)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (f->app));

  return windows && RL_IS_WINDOW (windows->data) ? windows->data : NULL;
}

/* The window shows the image with thread i selected in the panel, in
 * sight. */
static gboolean
shows_image_thread (RlWindow   *window,
                    const char *doc,
                    const char *thread)
{
  RlThreadPanel *panel = rl_window_get_thread_panel (window);
  RlThreadRow *row;
  graphene_rect_t bounds;
  GtkWidget *scroller;

  if (!rl_ui_test_window_shows (window, "image") || g_strcmp0 (rl_window_get_document_id (window), doc))
    return FALSE;
  row = rl_ui_test_panel_row (panel, thread);
  if (row == NULL || gtk_list_box_get_selected_row (rl_ui_test_panel_list (panel)) != GTK_LIST_BOX_ROW (row))
    return FALSE;
  scroller = gtk_widget_get_ancestor (GTK_WIDGET (row), GTK_TYPE_SCROLLED_WINDOW);
  return rl_ui_test_widget_placed (GTK_WIDGET (row)) &&
         gtk_widget_compute_bounds (GTK_WIDGET (row), scroller, &bounds) && bounds.origin.y >= 0 &&
         bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scroller);
}

static gboolean
shows_thread (RlWindow *window,
              Fixture  *f,
              guint     i)
{
  return shows_image_thread (window, f->world.image, f->threads[i]);
}

static void
test_clicked (Fixture       *f,
              gconstpointer  data)
{
  RlWindow *window = open_window (f);
  g_autofree char *last = NULL;
  const char *id;

  /* Enough threads that the one asked for is below the panel's fold. */
  for (guint n = 0; n < 10; n++)
    {
      g_autofree char *body = g_strdup_printf ("Point %u", n + 3);

      g_free (last);
      last = rl_ui_test_create_marker (f->ada2, f->world.image, 0.05 + 0.09 * n, 0.9, body);
    }
  g_free (f->threads[1]);
  f->threads[1] = g_strdup (last);

  rl_ui_input_wm_focus_elsewhere ();
  say (f, BOB, 1, "The twelfth point", FALSE);
  settle (f);
  id = assert_added (f, 0, "Bob replied in #12 on Landing page", "The twelfth point");
  /* The window closed since: the click brings one, on the account. */
  rl_ui_test_destroy_windows (f->app);
  rl_ui_test_run (50);
  g_assert_null (shown_window (f));
  click (f, id);
  g_assert_true (RL_UI_WAIT_UNTIL (shown_window (f) != NULL, 5000));
  window = shown_window (f);
  g_assert_true (rl_window_get_session (window) == f->session);
  g_assert_true (RL_UI_WAIT_UNTIL (shows_thread (window, f, 1), 10000));
  g_assert_true (rl_ui_test_panel_lists (window, "Point 12"));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Landing page");
  rl_ui_test_screenshot_settled (GTK_WIDGET (window), "notifications-clicked", 500);
  /* Shown, selected, in the focused window: read, so the notification
   * that brought her there is withdrawn. */
  g_assert_true (RL_UI_WAIT_UNTIL (f->calls->len >= 2, 10000));
  g_assert_cmpstr (call_at (f, 1, "RemoveNotification", NULL), ==, id);

  /* A window on the account, showing another document: that one shows
   * the thread, no other window comes. */
  rl_ui_test_window_show (window, f->world.page, "page");
  rl_ui_input_wm_focus_elsewhere ();
  say (f, BOB, 0, "@Ada the headline", TRUE);
  settle (f);
  id = assert_added (f, 2, "Bob mentioned you in #1 on Landing page", "@Ada the headline");
  click (f, id);
  g_assert_true (RL_UI_WAIT_UNTIL (shows_thread (window, f, 0), 10000));
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (f->app))), ==, 1);
}


/* ---- the Activity view across accounts (issue 19 §5) ---------------------- */

static RlActivityWindow *
activity_window (Fixture *f)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (RL_IS_ACTIVITY_WINDOW (l->data))
      return l->data;
  return NULL;
}

/* A window of the app showing session, or NULL. */
static RlWindow *
window_on (Fixture   *f,
           RlSession *session)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l; l = l->next)
    if (RL_IS_WINDOW (l->data) && rl_window_get_session (l->data) == session)
      return l->data;
  return NULL;
}

/* The activatable row of the Activity view whose title is title. */
static GtkWidget *
activity_row (Fixture    *f,
              const char *title)
{
  GtkWidget *label = rl_ui_test_find_shown (GTK_WIDGET (activity_window (f)), rl_ui_test_is_label_saying, title);

  return label ? gtk_widget_get_ancestor (label, GTK_TYPE_LIST_BOX_ROW) : NULL;
}

static void
test_activity_view (Fixture       *f,
                    gconstpointer  data)
{
  RlWindow *window = open_window (f);
  g_autoptr(RlTestClient) rex2 = rl_test_client_new_v12 (f->world.server, f->rex);
  g_autoptr(RlTestClient) sam = rl_test_client_new_v12 (f->world.server, f->sam);
  g_autofree char *rex_thread = rl_ui_test_create_marker (rex2, f->globex_doc, 0.4, 0.4, "Is the logo final?");
  g_autofree char *rex_id = rl_test_token_user (f->rex);
  g_autoptr(RlSession) rex = rl_ui_test_session_new (f->world.server->ws_base, f->rex, NULL);
  g_autoptr(RlActivityFeed) rex_feed = NULL;
  RlConnection *rex_connection = rl_session_get_connection (rex);
  RlActivityButton *button;
  RlWindow *opened;
  GtkWidget *row;

  /* Rex's account, which no window shows: open and its feed live all the
   * same. */
  rl_application_add_session (f->app, rex, TRUE);
  rex_feed = rl_activity_feed_get (rex_connection, rl_session_get_api (rex));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_activity_feed_is_synced (rex_feed), 5000));
  g_assert_null (window_on (f, rex));

  /* Nothing unread anywhere: the badge is hidden, the view says so. */
  rl_ui_input_wm_focus (GTK_WINDOW (window));
  button = RL_ACTIVITY_BUTTON (rl_ui_test_find_type (GTK_WIDGET (window), RL_TYPE_ACTIVITY_BUTTON));
  g_assert_nonnull (button);
  g_assert_cmpstr (rl_activity_button_get_badge (button), ==, "");
  rl_ui_input_click (GTK_WIDGET (button));
  g_assert_true (RL_UI_WAIT_UNTIL (activity_window (f) != NULL, 3000));
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (activity_window (f)), "Nothing new", 3000));
  rl_ui_test_screenshot_settled (GTK_WIDGET (activity_window (f)), "activity-empty", 400);

  /* Bob replies to Ada, Sam mentions Rex: both in the view, live, each
   * under its account; the badge counts both. Focused: nothing notified. */
  rl_ui_input_wm_focus (GTK_WINDOW (activity_window (f)));
  say (f, BOB, 0, "Shorter, yes", FALSE);
  comment_as (sam, rex_feed, f->globex_doc, rex_thread, "@Rex not yet, see v2", rex_id);
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (activity_window (f)),
                                            "Sam mentioned you in #1 on Globex mockup", 5000));
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (activity_window (f)),
                                            "Bob replied in #1 on Landing page", 5000));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (activity_window (f)), "Globex mockup"));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (activity_window (f)), "Landing page"));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (activity_window (f)), rl_session_get_label (rex)));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (activity_window (f)), rl_session_get_label (f->session)));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (activity_window (f)), "@"));
  g_assert_false (gtk_widget_get_mapped (rl_ui_test_find (GTK_WIDGET (activity_window (f)),
                                                          rl_ui_test_is_label_saying, "Nothing new")));
  g_assert_true (RL_UI_WAIT_UNTIL (g_strcmp0 (rl_activity_button_get_badge (button), "2") == 0, 5000));
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 0);
  rl_ui_test_screenshot_settled (GTK_WIDGET (activity_window (f)), "activity-view", 400);

  /* Turned away: Sam's next mention of Rex is notified once, and not
   * again after Rex's link is cut and made again. */
  rl_ui_input_wm_focus_elsewhere ();
  comment_as (sam, rex_feed, f->globex_doc, rex_thread, "@Rex v2 is up", rex_id);
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 1);
  assert_added (f, 0, "Sam mentioned you in #1 on Globex mockup", "@Rex v2 is up");
  rl_connection_drop_link (rex_connection);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_connection_get_state (rex_connection) != RL_CONNECTION_ONLINE, 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_connection_get_state (rex_connection) == RL_CONNECTION_ONLINE &&
                                   rl_activity_feed_is_synced (rex_feed), 10000));
  settle (f);
  g_assert_cmpuint (f->calls->len, ==, 1);
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (activity_window (f)), "@Rex v2 is up", 5000));

  /* The keyboard: Sam's mention, focused, Enter: a window on Rex's account
   * shows his mockup at that thread. */
  rl_ui_input_wm_focus (GTK_WINDOW (activity_window (f)));
  row = activity_row (f, "Sam mentioned you in #1 on Globex mockup");
  g_assert_nonnull (row);
  gtk_widget_grab_focus (row);
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_has_focus (row), 2000));
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (RL_UI_WAIT_UNTIL (window_on (f, rex) != NULL, 5000));
  opened = window_on (f, rex);
  g_assert_true (opened != window);
  g_assert_true (RL_UI_WAIT_UNTIL (shows_image_thread (opened, f->globex_doc, rex_thread), 10000));
}

int
main (int    argc,
      char **argv)
{
  /* What a GNOME desktop's app gets (GLib would pick it anyway while
   * org.gtk.Notifications is owned): asserted through the fake's record. */
  g_setenv ("GNOTIFICATION_BACKEND", "gtk", TRUE);
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/notifications/unfocused", Fixture, NULL, fixture_setup, test_unfocused, fixture_teardown);
  g_test_add ("/notifications/batched", Fixture, NULL, fixture_setup, test_batched, fixture_teardown);
  g_test_add ("/notifications/not-duplicated", Fixture, NULL, fixture_setup, test_not_duplicated,
              fixture_teardown);
  g_test_add ("/notifications/muted", Fixture, NULL, fixture_setup, test_muted, fixture_teardown);
  g_test_add ("/notifications/read", Fixture, NULL, fixture_setup, test_read, fixture_teardown);
  g_test_add ("/notifications/clicked", Fixture, NULL, fixture_setup, test_clicked, fixture_teardown);
  g_test_add ("/notifications/activity-view", Fixture, NULL, fixture_setup, test_activity_view, fixture_teardown);
  return g_test_run ();
}
