/* rl-application.h — the app: one instance, its windows and actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RL_TYPE_APPLICATION (rl_application_get_type ())
G_DECLARE_FINAL_TYPE (RlApplication, rl_application, RL, APPLICATION, AdwApplication)

RlApplication *rl_application_new (const char        *application_id,
                                   GApplicationFlags  flags);

/* The app's GResource (templates, CSS); once per process. Tests that build
 * widgets without an RlApplication call it first. */
void           rl_app_register_resources (void);

G_END_DECLS
