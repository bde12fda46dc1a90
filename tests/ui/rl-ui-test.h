/* rl-ui-test.h — what the UI tests share: real widgets under Xvfb, real
 * servers (tests/server/rl-test-server.h), screenshots to look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-doc-store.h"
#include "rl-test-server.h"

G_BEGIN_DECLS

/* gtk_init, libadwaita, the app's resources and its style sheet. */
void      rl_ui_test_init        (int           *argc,
                                  char        ***argv);
/* Renders widget as it is now to <builddir>/tests/ui/screenshots/NAME.png
 * and returns the path. */
char     *rl_ui_test_screenshot  (GtkWidget     *widget,
                                  const char    *name);
/* Iterates the default main context for ms (frames get drawn). */
void      rl_ui_test_run         (guint          ms);
/* Iterates until cond (data) is TRUE or ms pass; the result of cond. */
gboolean  rl_ui_test_wait_for    (gboolean     (*cond) (gpointer),
                                  gpointer       data,
                                  guint          ms);

/* The window with a popover drawn where it is on screen (popovers are
 * surfaces of their own: a widget paintable of the window leaves them out),
 * saved like rl_ui_test_screenshot. */
void      rl_ui_test_screenshot_with_popover (GtkWidget  *window,
                                              GtkWidget  *popover,
                                              const char *name);
/* What pressing keyval with mods would do: the first of the widget's
 * shortcuts with that trigger is activated (asserted). */
void      rl_ui_test_press_key   (GtkWidget      *widget,
                                  guint           keyval,
                                  GdkModifierType mods);

/* A connection to server with token, online, with fast test timings. */
RlConnection *rl_ui_test_connect (RlTestServer *server,
                                  const char   *token);
/* Synced and nothing in flight. */
gboolean      rl_ui_test_store_settled (gpointer store);
/* The store of doc on conn, once settled. */
RlDocStore   *rl_ui_test_open_store (RlConnection *conn,
                                     const char   *doc,
                                     RlDocKind     kind);

/* A visible label under root says text. */
gboolean      rl_ui_test_has_label      (GtkWidget    *root,
                                         const char   *text);
/* Iterates until one does, or ms pass; whether it does. */
gboolean      rl_ui_test_wait_for_label (GtkWidget    *root,
                                         const char   *text,
                                         guint         ms);
/* A thread at anchor (JSON) with its first comment, made by client as raw
 * protocol and acknowledged (asserted); its id. */
char         *rl_ui_test_create_thread  (RlTestClient *client,
                                         const char   *doc,
                                         const char   *anchor,
                                         const char   *body);
/* The same for an image marker at (x, y). */
char         *rl_ui_test_create_marker  (RlTestClient *client,
                                         const char   *doc,
                                         double        x,
                                         double        y,
                                         const char   *body);

G_END_DECLS
