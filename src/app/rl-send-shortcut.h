/* rl-send-shortcut.h — Ctrl+Enter sends: the one shortcut of every place
 * where a comment is typed (the composers, a reply, a comment's edit)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A shortcut controller that runs action (taken over) on Ctrl+Return or
 * Ctrl+KP_Enter in the capture phase: before a text view inside the
 * widget it is added to takes the keys as a line break. */
GtkEventController *rl_send_shortcut_new (GtkShortcutAction *action);

G_END_DECLS
