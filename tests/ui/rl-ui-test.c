/* rl-ui-test.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-ui-test.h"

#include <adwaita.h>

#include "rl-application.h"

void
rl_ui_test_init (int    *argc,
                 char ***argv)
{
  g_autoptr(GtkCssProvider) provider = NULL;

  g_test_init (argc, argv, NULL);
  gtk_init ();
  adw_init ();
  rl_app_register_resources ();
  /* The app's own style, as RlApplication (an AdwApplication with the
   * resource base path) loads it: windows made without one look the same. */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/redline/Redline/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* A widget paintable shows what was drawn last, and nothing for a widget
 * changed since: a frame is drawn first (a slow run, ASan's, took
 * screenshots of windows not drawn yet). */
static void
draw_a_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong id;

  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (widget);
  g_assert_true (rl_ui_test_wait_for (is_true, &painted, 5000));
  g_signal_handler_disconnect (clock, id);
}

/* What widget looks like as drawn in a frame that has just been painted;
 * a frame more while the paintable has nothing yet (a slow run). */
static GskRenderNode *
widget_node (GtkWidget *widget,
             int        width,
             int        height)
{
  for (guint tries = 0; tries < 20; tries++)
    {
      g_autoptr(GdkPaintable) paintable = NULL;
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
      GskRenderNode *node;

      draw_a_frame (widget);
      paintable = gtk_widget_paintable_new (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (node != NULL)
        return node;
      g_test_message ("%s not drawn yet, frame %u", G_OBJECT_TYPE_NAME (widget), tries + 1);
    }
  g_assert_not_reached ();
}

char *
rl_ui_test_screenshot (GtkWidget  *widget,
                       const char *name)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                           "ui", "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (dir, file, NULL);
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  node = widget_node (widget, width, height);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  return path;
}

static gboolean
stop_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
rl_ui_test_run (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, stop_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
rl_ui_test_wait_for (gboolean (*cond) (gpointer),
                     gpointer   data,
                     guint      ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (ms, stop_cb, &expired);

  while (!cond (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return cond (data);
}

/* Runs what a key press would through the widget's own shortcut
 * controllers (GTK 4 cannot synthesise key events). */
void
rl_ui_test_press_key (GtkWidget       *widget,
                      guint            keyval,
                      GdkModifierType  mods)
{
  GListModel *controllers = gtk_widget_observe_controllers (widget);
  gboolean done = FALSE;

  for (guint i = 0; !done && i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; !done && j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger)
              && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval
              && gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods)
            done = gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                                 gtk_shortcut_get_arguments (shortcut));
        }
    }
  g_object_unref (controllers);
  g_assert_true (done);
}

/* The window with the popover drawn where it is on screen (popovers are
 * surfaces of their own: a widget paintable of the window leaves them out). */
void
rl_ui_test_screenshot_with_popover (GtkWidget  *window,
                                    GtkWidget  *popover,
                                    const char *name)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GdkPaintable) window_paint = gtk_widget_paintable_new (window);
  g_autoptr(GdkPaintable) popover_paint = gtk_widget_paintable_new (popover);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "ui", "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  GdkSurface *popup = gtk_native_get_surface (GTK_NATIVE (popover));
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);
  double wx, wy, px, py;

  draw_a_frame (window);
  draw_a_frame (popover);
  gtk_native_get_surface_transform (GTK_NATIVE (window), &wx, &wy);
  gtk_native_get_surface_transform (GTK_NATIVE (popover), &px, &py);
  gdk_paintable_snapshot (window_paint, GDK_SNAPSHOT (snapshot), width, height);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (gdk_popup_get_position_x (GDK_POPUP (popup)) + px - wx,
                                                          gdk_popup_get_position_y (GDK_POPUP (popup)) + py - wy));
  gdk_paintable_snapshot (popover_paint, GDK_SNAPSHOT (snapshot),
                          gtk_widget_get_width (popover), gtk_widget_get_height (popover));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

RlConnection *
rl_ui_test_connect (RlTestServer *server,
                    const char   *token)
{
  RlConnection *conn = rl_connection_new (server->ws_base, token, NULL);

  /* Fast retries and a dead link found in 3 s, so tests run quickly. */
  rl_connection_set_timing (conn, 100, 800, 1, 3000, 3000);
  rl_connection_start (conn);
  while (rl_connection_get_state (conn) != RL_CONNECTION_ONLINE)
    g_main_context_iteration (NULL, TRUE);
  return conn;
}

gboolean
rl_ui_test_store_settled (gpointer store)
{
  return rl_doc_store_is_synced (store) && rl_doc_store_get_n_in_flight (store) == 0;
}

RlDocStore *
rl_ui_test_open_store (RlConnection *conn,
                       const char   *doc,
                       RlDocKind     kind)
{
  RlDocStore *store = rl_doc_store_get (conn, doc, kind);

  g_assert_true (rl_ui_test_wait_for (rl_ui_test_store_settled, store, 5000));
  return store;
}

gboolean
rl_ui_test_has_label (GtkWidget  *root,
                      const char *text)
{
  if (!gtk_widget_get_visible (root))
    return FALSE;
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    if (rl_ui_test_has_label (child, text))
      return TRUE;
  return FALSE;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;

  return rl_ui_test_has_label (wait->root, wait->text);
}

gboolean
rl_ui_test_wait_for_label (GtkWidget  *root,
                           const char *text,
                           guint       ms)
{
  LabelWait wait = { root, text };

  return rl_ui_test_wait_for (label_shown, &wait, ms);
}

char *
rl_ui_test_create_thread (RlTestClient *client,
                          const char   *doc,
                          const char   *anchor,
                          const char   *body)
{
  g_autofree char *broadcast = rl_test_uuid ();
  g_autofree char *comment = rl_test_uuid ();
  char *thread = rl_test_uuid ();
  JsonObject *ack;

  rl_test_client_send_printf (client,
                              "{\"type\":\"create-thread\",\"req\":\"%s\",\"broadcastId\":\"%s\",\"doc\":\"%s\","
                              "\"thread\":{\"id\":\"%s\",\"anchor\":%s},"
                              "\"comment\":{\"id\":\"%s\",\"body\":\"%s\"}}",
                              thread, broadcast, doc, thread, anchor, comment, body);
  ack = rl_test_client_expect_ack (client, thread);
  g_assert_null (rl_test_ack_error (ack));
  json_object_unref (ack);
  return thread;
}

char *
rl_ui_test_create_marker (RlTestClient *client,
                          const char   *doc,
                          double        x,
                          double        y,
                          const char   *body)
{
  g_autofree char *anchor = g_strdup_printf ("{\"x\":%.3f,\"y\":%.3f}", x, y);

  return rl_ui_test_create_thread (client, doc, anchor, body);
}
