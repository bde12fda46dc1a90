/* rl-store-pg-listener.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-store-pg-listener.h"

#include <glib-unix.h>
#include <libpq-fe.h>
#include <string.h>

#include "rl-store-pg-dialer.h"

typedef enum
{
  STATE_DIALING,            /* a try under way or waiting for its time */
  STATE_ASKING,             /* LISTEN sent, its answer awaited */
  STATE_LISTENING,
} State;

struct _RlPgListener
{
  char             *channel;
  RlPgListenerFunc  func;
  gpointer          user_data;
  RlPgDialer       *dialer;

  State             state;
  PGconn           *conn;
  int               fd;
  GIOCondition      wanted;
  guint             watch_id;
  gboolean          was_listening; /* a loss is worth a log line */
  gboolean          lost_before;   /* and so is the way back */
};

static void
stop_watching (RlPgListener *self)
{
  g_clear_handle_id (&self->watch_id, g_source_remove);
  self->fd = -1;
  self->wanted = 0;
}

static gboolean io_cb (int fd, GIOCondition condition, gpointer user_data);

/* Watches the connection's socket for cond. */
static void
watch (RlPgListener *self,
       GIOCondition  cond)
{
  int fd = PQsocket (self->conn);

  if (self->watch_id != 0 && fd == self->fd && cond == self->wanted)
    return;
  stop_watching (self);
  self->fd = fd;
  self->wanted = cond;
  self->watch_id = g_unix_fd_add (fd, cond | G_IO_HUP | G_IO_ERR, io_cb, self);
}

/* The notices of the listening connection (the FATAL that comes before it
 * is ended, for one) say nothing its loss line does not. */
static void
ignore_notice (void       *arg,
               const char *message)
{
  (void) arg;
  (void) message;
}

/* The connection is gone or never came: say so, then try again later. */
static void
lose (RlPgListener *self,
      const char   *why)
{
  g_autofree char *reason = rl_pg_one_line (why);
  guint pause = rl_pg_dialer_get_pause (self->dialer);

  stop_watching (self);
  g_clear_pointer (&self->conn, PQfinish);

  if (self->was_listening)
    g_printerr ("redline-server: lost the PostgreSQL connection that brings other nodes' changes (%s); "
                "trying again in %.1f s\n", reason, pause / 1000.0);
  else
    g_printerr ("redline-server: could not listen for other nodes' changes on PostgreSQL (%s); "
                "trying again in %.1f s\n", reason, pause / 1000.0);
  self->was_listening = FALSE;
  self->lost_before = TRUE;
  /* The pause starts once the log has its line, right before func. */
  self->state = STATE_DIALING;
  rl_pg_dialer_redial (self->dialer);

  self->func (RL_PG_LISTENER_LOST, reason, self->user_data);
}

static void
ask_to_listen (RlPgListener *self)
{
  g_autofree char *escaped = PQescapeIdentifier (self->conn, self->channel, strlen (self->channel));
  g_autofree char *query = NULL;

  if (escaped == NULL || PQsetnonblocking (self->conn, 1) != 0)
    {
      lose (self, PQerrorMessage (self->conn));
      return;
    }
  query = g_strdup_printf ("LISTEN %s", escaped);
  if (!PQsendQuery (self->conn, query))
    {
      lose (self, PQerrorMessage (self->conn));
      return;
    }
  self->state = STATE_ASKING;
  /* The query may not all be written at once. */
  watch (self, PQflush (self->conn) == 1 ? G_IO_OUT | G_IO_IN : G_IO_IN);
}

static void
dialed (PGconn     *conn,
        const char *why,
        gpointer    user_data)
{
  RlPgListener *self = user_data;

  if (conn == NULL)
    {
      lose (self, why);
      return;
    }
  self->conn = conn;
  PQsetNoticeProcessor (self->conn, ignore_notice, NULL);
  ask_to_listen (self);
}

/* Hands every notification that arrived to func. */
static void
deliver (RlPgListener *self)
{
  PGnotify *notify;

  while (self->state == STATE_LISTENING && (notify = PQnotifies (self->conn)) != NULL)
    {
      self->func (RL_PG_LISTENER_NOTIFIED, notify->extra, self->user_data);
      PQfreemem (notify);
    }
}

static void
read_step (RlPgListener *self)
{
  if (!PQconsumeInput (self->conn))
    {
      lose (self, PQerrorMessage (self->conn));
      return;
    }

  if (self->state == STATE_ASKING)
    {
      int flushed = PQflush (self->conn);

      if (flushed < 0)
        {
          lose (self, PQerrorMessage (self->conn));
          return;
        }
      while (!PQisBusy (self->conn))
        {
          PGresult *result = PQgetResult (self->conn);

          if (result == NULL)
            {
              /* LISTEN is in force: from here nothing committed is missed. */
              self->state = STATE_LISTENING;
              rl_pg_dialer_reset_backoff (self->dialer);
              self->was_listening = TRUE;
              if (self->lost_before)
                g_printerr ("redline-server: listening for other nodes' changes on PostgreSQL again; "
                            "catching up from the event log\n");
              watch (self, G_IO_IN);
              self->func (RL_PG_LISTENER_LISTENING, NULL, self->user_data);
              break;
            }
          if (PQresultStatus (result) != PGRES_COMMAND_OK)
            {
              g_autofree char *why = g_strdup (PQresultErrorMessage (result));

              PQclear (result);
              lose (self, why);
              return;
            }
          PQclear (result);
        }
      if (self->state == STATE_ASKING)
        {
          watch (self, flushed == 1 ? G_IO_OUT | G_IO_IN : G_IO_IN);
          return;
        }
    }

  deliver (self);
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_BAD)
    lose (self, PQerrorMessage (self->conn));
}

static gboolean
io_cb (int           fd,
       GIOCondition  condition,
       gpointer      user_data)
{
  RlPgListener *self = user_data;
  guint id = self->watch_id;

  (void) fd;
  (void) condition;

  read_step (self);

  /* A step that wants another socket or condition replaced this watch. */
  return self->watch_id == id ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

RlPgListener *
rl_pg_listener_new (const char       *conninfo,
                    const char       *channel,
                    RlPgListenerFunc  func,
                    gpointer          user_data)
{
  /* The caller's settings come last and win: keepalives are only defaults,
   * so that a node that vanished is noticed in about 15 s. */
  const char *const keywords[] = {
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
    "application_name", "dbname", NULL,
  };
  const char *const values[] = {
    "1", "5", "3", "3", "redline-server listener", conninfo, NULL,
  };
  RlPgListener *self;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (channel != NULL && *channel != '\0', NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (RlPgListener, 1);
  self->channel = g_strdup (channel);
  self->func = func;
  self->user_data = user_data;
  self->fd = -1;
  self->dialer = rl_pg_dialer_new (keywords, values, dialed, self);
  /* From the loop, so that func is never called from inside this call. */
  self->state = STATE_DIALING;
  rl_pg_dialer_dial (self->dialer);
  return self;
}

gboolean
rl_pg_listener_is_listening (RlPgListener *self)
{
  return self->state == STATE_LISTENING;
}

int
rl_pg_listener_get_backend (RlPgListener *self)
{
  return self->state == STATE_LISTENING ? PQbackendPID (self->conn) : 0;
}

void
rl_pg_listener_free (RlPgListener *self)
{
  if (self == NULL)
    return;
  stop_watching (self);
  g_clear_pointer (&self->dialer, rl_pg_dialer_free);
  g_clear_pointer (&self->conn, PQfinish);
  g_free (self->channel);
  g_free (self);
}
