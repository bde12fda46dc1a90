/* rl-window.h — a Redline window: documents, the open document, its threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rl-application.h"

G_BEGIN_DECLS

#define RL_TYPE_WINDOW (rl_window_get_type ())
G_DECLARE_FINAL_TYPE (RlWindow, rl_window, RL, WINDOW, AdwApplicationWindow)

RlWindow *rl_window_new (RlApplication *application);

G_END_DECLS
