/* rl-store-pg-listener.h — the PostgreSQL store's ear: a connection of its
 * own that LISTENs on a channel and hands each notification to the main loop
 *
 * Part of the PostgreSQL store (the only other place its channel's name and
 * its LISTEN are known is rl-store-pg.c). The connection never blocks the
 * loop: it connects, listens and reads without waiting. When it is lost
 * (the server restarted, the network cut, an administrator's
 * pg_terminate_backend) the listener says so in the log and on its
 * callback, tries again after 0.5 s, 1 s, 2 s… up to 30 s, and says when it
 * is back: from then on every notification arrives again, and whatever was
 * committed meanwhile is for the caller to read from the log. TCP
 * keepalives find a peer that vanished without closing within about 15 s.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  RL_PG_LISTENER_NOTIFIED,  /* payload: the notification's */
  RL_PG_LISTENER_LOST,      /* payload: why (libpq's message) */
  RL_PG_LISTENER_LISTENING, /* payload: NULL; the first time, and after each loss */
} RlPgListenerWhat;

typedef void (*RlPgListenerFunc) (RlPgListenerWhat  what,
                                  const char       *payload,
                                  gpointer          user_data);

typedef struct _RlPgListener RlPgListener;

/* Starts listening on channel (an SQL identifier of lower-case letters,
 * digits and underscores) over a new connection made from conninfo (a
 * postgresql:// URI or key=value pairs), in the thread-default main
 * context. func is called there, never from inside this call. */
RlPgListener *rl_pg_listener_new          (const char        *conninfo,
                                           const char        *channel,
                                           RlPgListenerFunc   func,
                                           gpointer           user_data);
/* Whether the connection listens now. */
gboolean      rl_pg_listener_is_listening (RlPgListener      *self);
/* The PostgreSQL backend's process id of the listening connection (0 while
 * it has none): tests end it from outside to see the listener recover. */
int           rl_pg_listener_get_backend  (RlPgListener      *self);
void          rl_pg_listener_free         (RlPgListener      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlPgListener, rl_pg_listener_free)

G_END_DECLS
