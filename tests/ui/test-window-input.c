/* test-window-input.c — the window as a person uses it: real pointer and
 * keyboard (rl-ui-input) on the app's real windows, against the real server
 *
 * Ada (tenant acme) and Gil (tenant globex) are two accounts of one app;
 * Bob is a raw WebSocket teammate of Ada's who reads the server's presence
 * frames, so what the server believes (who is viewing) is checked, not
 * what the app says about itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "rl-application.h"
#include "rl-test-server.h"
#include "rl-ui-input.h"
#include "rl-ui-test.h"
#include "rl-window.h"

typedef struct
{
  RlTestServer  *server;
  char          *ada;
  char          *bob;
  char          *gil;
  char          *image;
  char          *page;
  char          *globex_doc;
  RlApplication *app;
  RlSession     *ada_session;
  RlSession     *gil_session;
  RlWindow      *window;
} Fixture;

/* A new id each time: GtkApplication keeps a reference of its own once
 * registered on a bus, so an app of the same id would still be there. */
static RlApplication *
register_app (void)
{
  static guint n_apps;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("io.github.redline.Redline.InputTest%u", ++n_apps);
  RlApplication *app = rl_application_new (id, G_APPLICATION_NON_UNIQUE);

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return app;
}

static RlSession *
new_session (Fixture    *f,
             const char *token)
{
  g_autoptr(GError) error = NULL;
  RlSession *session = rl_session_new (f->server->ws_base, token, NULL, NULL, &error);

  g_assert_no_error (error);
  rl_connection_set_timing (rl_session_get_connection (session), 300, 1500, 1, 3000, 3000);
  return session;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = rl_test_server_new ();
  g_free (rl_test_server_admin (f->server, "tenant", "add", "acme", NULL));
  g_free (rl_test_server_admin (f->server, "tenant", "add", "globex", NULL));
  f->ada = rl_test_add_user (f->server, "acme", "Ada", "member");
  f->bob = rl_test_add_user (f->server, "acme", "Bob", "member");
  f->gil = rl_test_add_user (f->server, "globex", "Gil", "member");
  f->image = rl_test_add_doc (f->server, "acme", "Landing page", "mockup.png");
  f->page = rl_test_add_doc (f->server, "acme", "Launch copy", "page.md");
  f->globex_doc = rl_test_add_doc (f->server, "globex", "Globex brief", "page.md");
  rl_test_server_start (f->server);

  f->app = register_app ();
  f->ada_session = new_session (f, f->ada);
  f->gil_session = new_session (f, f->gil);
  rl_application_add_session (f->app, f->ada_session, TRUE);
  rl_application_add_session (f->app, f->gil_session, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (f->app))))
    gtk_window_destroy (windows->data);
  rl_ui_test_run (50);
  g_clear_object (&f->app);
  g_clear_object (&f->ada_session);
  g_clear_object (&f->gil_session);
  rl_test_server_stop (f->server);
  rl_test_server_free (f->server);
  g_free (f->ada);
  g_free (f->bob);
  g_free (f->gil);
  g_free (f->image);
  g_free (f->page);
  g_free (f->globex_doc);
}

/* ---- finding what a person sees -------------------------------------------- */

typedef gboolean (*WidgetMatch) (GtkWidget *widget,
                                 gpointer   data);

static GtkWidget *
find_widget (GtkWidget   *root,
             WidgetMatch  match,
             gpointer     data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found)
        return found;
    }
  return NULL;
}

static gboolean
is_label_saying (GtkWidget *widget,
                 gpointer   text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget) &&
         g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_list_view (GtkWidget *widget,
              gpointer   data)
{
  return GTK_IS_LIST_VIEW (widget);
}

static gboolean
is_main_menu_button (GtkWidget *widget,
                     gpointer   data)
{
  return GTK_IS_MENU_BUTTON (widget) &&
         g_strcmp0 (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget)), "open-menu-symbolic") == 0;
}

static gboolean
is_button_for_action (GtkWidget *widget,
                      gpointer   action)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_is_drawable (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

/* The sidebar's row of the document with that title (its row widget). */
static GtkWidget *
doc_row (RlWindow   *window,
         const char *title)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), is_list_view, NULL);
  GtkWidget *label;

  g_assert_nonnull (list);
  label = find_widget (list, is_label_saying, (gpointer) title);
  g_assert_nonnull (label);
  /* The list item widget: the list view's child. */
  while (gtk_widget_get_parent (label) != list)
    label = gtk_widget_get_parent (label);
  return label;
}

static GtkWidget *
main_menu_button (RlWindow *window)
{
  GtkWidget *button = find_widget (GTK_WIDGET (window), is_main_menu_button, NULL);

  g_assert_nonnull (button);
  return button;
}

/* ---- waiting ------------------------------------------------------------- */

static gboolean
window_ready (gpointer data)
{
  RlWindow *window = data;
  RlSession *session = rl_window_get_session (window);

  return session && rl_connection_get_state (rl_session_get_connection (session)) == RL_CONNECTION_ONLINE &&
         g_list_model_get_n_items (rl_window_get_documents (window)) > 0;
}

static gboolean
image_shown (gpointer data)
{
  RlWindow *window = data;
  GtkWidget *view = GTK_WIDGET (rl_window_get_image_view (window));

  return g_strcmp0 (rl_window_get_visible_page (window), "image") == 0 &&
         gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 100;
}

static gboolean
page_shown (gpointer data)
{
  RlWindow *window = data;
  GtkWidget *view = GTK_WIDGET (rl_window_get_page_view (window));

  return g_strcmp0 (rl_window_get_visible_page (window), "page") == 0 &&
         gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 100;
}

static gboolean
popover_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
popover_unmapped (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

/* A window of the app on session, showing the image, at width × height. */
static RlWindow *
open_window (Fixture   *f,
             RlSession *session,
             int        width,
             int        height)
{
  RlWindow *window = rl_window_new (f->app);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  rl_window_set_session (window, session);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rl_ui_test_wait_for (window_ready, window, 5000));
  g_assert_true (rl_window_open_document (window, f->image));
  g_assert_true (rl_ui_test_wait_for (image_shown, window, 5000));
  rl_ui_test_run (300);
  return window;
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *path = NULL;

  rl_ui_test_run (400);   /* transitions finish */
  path = rl_ui_test_screenshot (widget, name);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* ---- (1) documents open on a click, never on hover ------------------------- */

static void
test_documents_open_on_click (Fixture       *f,
                              gconstpointer  data)
{
  RlWindow *window = open_window (f, f->ada_session, 1280, 800);
  GtkWidget *page_row = doc_row (window, "Launch copy");
  GtkWidget *image_row = doc_row (window, "Landing page");
  GtkWidget *upload = find_widget (GTK_WIDGET (window), is_button_for_action, "win.upload");
  GtkWidget *menu_button = main_menu_button (window);
  GtkPopover *menu;

  f->window = window;
  g_assert_nonnull (upload);

  /* The pointer rests on the other document, then crosses the list to
   * Upload: what is open stays open. */
  rl_ui_input_hover (page_row);
  rl_ui_test_run (300);
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->image);
  rl_ui_input_hover (image_row);
  rl_ui_input_hover (page_row);
  rl_ui_input_hover (upload);
  rl_ui_test_run (300);
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->image);
  g_assert_cmpstr (rl_window_get_visible_page (window), ==, "image");

  /* The main menu opened with a click, the pointer over the list meanwhile. */
  rl_ui_input_click (menu_button);
  menu = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  g_assert_true (rl_ui_test_wait_for (popover_mapped, menu, 3000));
  rl_ui_input_hover (page_row);
  rl_ui_input_hover (image_row);
  rl_ui_input_hover (page_row);
  rl_ui_test_run (300);
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->image);
  rl_ui_input_key (GDK_KEY_Escape, 0);
  g_assert_true (rl_ui_test_wait_for (popover_unmapped, menu, 3000));
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->image);

  /* A click opens. */
  rl_ui_input_click (page_row);
  g_assert_true (rl_ui_test_wait_for (page_shown, window, 5000));
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->page);
  screenshot (GTK_WIDGET (window), "window-input-page-clicked");

  /* The keyboard: the focus is on the clicked row; Up moves to the image
   * and opens it (selection follows focus, as in GtkStackSidebar). */
  rl_ui_input_key (GDK_KEY_Up, 0);
  g_assert_true (rl_ui_test_wait_for (image_shown, window, 5000));
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->image);
  rl_ui_input_key (GDK_KEY_Down, 0);
  g_assert_true (rl_ui_test_wait_for (page_shown, window, 5000));
  /* Ctrl+Up moves the focus alone; Enter opens what it is on. */
  rl_ui_input_key (GDK_KEY_Up, GDK_CONTROL_MASK);
  rl_ui_test_run (300);
  g_assert_cmpstr (rl_window_get_document_id (window), ==, f->page);
  rl_ui_input_key (GDK_KEY_Return, 0);
  g_assert_true (rl_ui_test_wait_for (image_shown, window, 5000));
}

/* ---- (2) the accounts in the main menu --------------------------------------- */

static void
test_accounts_menu (Fixture       *f,
                    gconstpointer  data)
{
  RlWindow *window = open_window (f, f->ada_session, 1280, 800);
  GtkWidget *menu_button = main_menu_button (window);
  GtkPopover *menu;

  f->window = window;
  rl_ui_input_click (menu_button);
  menu = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  g_assert_true (rl_ui_test_wait_for (popover_mapped, menu, 3000));
  rl_ui_test_run (400);
  rl_ui_test_screenshot_with_popover (GTK_WIDGET (window), GTK_WIDGET (menu), "window-input-accounts-menu");
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (menu), rl_session_get_label (f->ada_session)));
  g_assert_true (rl_ui_test_has_label (GTK_WIDGET (menu), rl_session_get_label (f->gil_session)));
}

int
main (int    argc,
      char **argv)
{
  /* No session bus: the app's keyring calls fail as without a Secret
   * Service, and nothing real is touched. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/redline-test-bus", TRUE);
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/window-input/documents-open-on-click", Fixture, NULL, fixture_setup,
              test_documents_open_on_click, fixture_teardown);
  g_test_add ("/window-input/accounts-menu", Fixture, NULL, fixture_setup, test_accounts_menu,
              fixture_teardown);
  return g_test_run ();
}
