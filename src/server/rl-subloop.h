/* rl-subloop.h — a main context of its own for each WebSocket connection,
 * run only when one of its descriptors is ready
 *
 * GLib walks every source of a context on every turn of its loop; with a
 * thousand connections in the main context that walk, not the work, is what
 * a quiet event costs. Each connection's sources live in a subloop instead,
 * and the main context holds one source for all of them: an epoll set of the
 * subloops' descriptors. A turn of the main loop then costs what is ready.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RlSubloop RlSubloop;

/* The first subloop attaches the multiplexer to the thread-default context
 * of the caller (the server's main context). */
RlSubloop    *rl_subloop_new         (void);
/* Push it as thread-default around calls that attach sources (libsoup
 * attaches to the thread-default context), then call refresh. */
GMainContext *rl_subloop_get_context (RlSubloop *self);
/* Picks up sources attached or removed outside the subloop's own turns. */
void          rl_subloop_refresh     (RlSubloop *self);
/* Safe from inside the subloop's own dispatch. */
void          rl_subloop_free        (RlSubloop *self);

G_END_DECLS
