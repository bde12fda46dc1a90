/* rl-store-pg-dialer.h — makes a PostgreSQL connection without blocking the
 * main loop, and tries again after a growing pause
 *
 * Part of the PostgreSQL store: its listener and its main connection both
 * connect through one. A try runs in the thread-default main context the
 * dialer was made in: libpq's connection steps (PQconnectPoll), each when
 * the socket is ready, given up after 10 s (libpq ignores connect_timeout
 * when it does not block). The pause before a try made again
 * (rl_pg_dialer_redial) is 0.5 s, then 1 s, 2 s… up to 30 s, until
 * rl_pg_dialer_reset_backoff.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct _RlPgDialer RlPgDialer;

/* The end of a try: conn, the connection made (the callee's), or NULL and
 * why it failed (libpq's reason, on one line). */
typedef void (*RlPgDialerFunc) (PGconn     *conn,
                                const char *why,
                                gpointer    user_data);

/* keywords and values: libpq's connection parameters (NULL-terminated, as
 * PQconnectStartParams takes them, expand_dbname on), copied. */
RlPgDialer *rl_pg_dialer_new           (const char *const *keywords,
                                        const char *const *values,
                                        RlPgDialerFunc     func,
                                        gpointer           user_data);
/* A try at once (func is never called from inside this call). */
void        rl_pg_dialer_dial          (RlPgDialer        *self);
/* A try after the pause, which it returns in milliseconds. */
guint       rl_pg_dialer_redial        (RlPgDialer        *self);
/* The pause rl_pg_dialer_redial would wait now, in milliseconds. */
guint       rl_pg_dialer_get_pause     (RlPgDialer        *self);
/* Whether a try is under way or waiting for its time. */
gboolean    rl_pg_dialer_is_dialing    (RlPgDialer        *self);
/* The next pause is the first again (after a connection that worked). */
void        rl_pg_dialer_reset_backoff (RlPgDialer        *self);
/* Ends whatever try is under way; func is not called. */
void        rl_pg_dialer_free          (RlPgDialer        *self);

/* libpq's messages span lines ("…failed: Connection refused\n\tIs the
 * server running…"): the log gets them on one. */
char       *rl_pg_one_line             (const char        *why);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlPgDialer, rl_pg_dialer_free)

G_END_DECLS
