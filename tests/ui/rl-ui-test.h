/* rl-ui-test.h — what the UI tests share: real widgets under Xvfb, real
 * servers (tests/server/rl-test-server.h), screenshots to look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* gtk_init, the app's resources and style, libadwaita. */
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

G_END_DECLS
