/* rl-epoll.h: the main context's poll() done with epoll
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes context poll through one epoll set (once per process). */
gboolean rl_epoll_install   (GMainContext *context);
void     rl_epoll_uninstall (GMainContext *context);

/* The epoll events that watch for a GIOCondition (errors at least). */
guint32  rl_epoll_events_from_condition (guint32 condition);

G_END_DECLS
