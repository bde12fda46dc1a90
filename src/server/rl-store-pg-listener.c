/* rl-store-pg-listener.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-store-pg-listener.h"

#include <glib-unix.h>
#include <libpq-fe.h>
#include <string.h>

#define FIRST_RETRY_MS 500
#define LAST_RETRY_MS (30 * 1000)
/* libpq ignores connect_timeout when connecting without blocking. */
#define CONNECT_TIMEOUT_MS (10 * 1000)

typedef enum
{
  STATE_WAITING,            /* for the next try */
  STATE_CONNECTING,
  STATE_ASKING,             /* LISTEN sent, its answer awaited */
  STATE_LISTENING,
} State;

struct _RlPgListener
{
  char             *conninfo;
  char             *channel;
  RlPgListenerFunc  func;
  gpointer          user_data;

  State             state;
  PGconn           *conn;
  int               fd;
  GIOCondition      wanted;
  guint             watch_id;
  guint             timer_id;     /* the next try, or the connect timeout */
  guint             retry_ms;
  gboolean          was_listening; /* a loss is worth a log line */
  gboolean          lost_before;   /* and so is the way back */
};

static void start_connecting (RlPgListener *self);

static void
stop_watching (RlPgListener *self)
{
  g_clear_handle_id (&self->watch_id, g_source_remove);
  self->fd = -1;
  self->wanted = 0;
}

static gboolean io_cb (int fd, GIOCondition condition, gpointer user_data);

/* Watches the connection's socket for cond (it may change while libpq
 * connects, trying one address after another). */
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

/* libpq's messages span lines ("…failed: Connection refused\n\tIs the
 * server running…"): the log gets them on one. */
static char *
one_line (const char *why)
{
  g_auto(GStrv) lines = NULL;

  if (why == NULL || *why == '\0')
    return g_strdup ("no reason given");
  lines = g_strsplit_set (why, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_strstrip (lines[i]);
  return g_strstrip (g_strjoinv (" ", lines));
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

static gboolean
retry_cb (gpointer user_data)
{
  RlPgListener *self = user_data;

  self->timer_id = 0;
  start_connecting (self);
  return G_SOURCE_REMOVE;
}

/* The connection is gone or never came: say so, then try again later. */
static void
lose (RlPgListener *self,
      const char   *why)
{
  g_autofree char *reason = one_line (why);

  stop_watching (self);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_pointer (&self->conn, PQfinish);

  if (self->was_listening)
    g_printerr ("redline-server: lost the PostgreSQL connection that brings other nodes' changes (%s); "
                "trying again in %.1f s\n", reason, self->retry_ms / 1000.0);
  else
    g_printerr ("redline-server: could not listen for other nodes' changes on PostgreSQL (%s); "
                "trying again in %.1f s\n", reason, self->retry_ms / 1000.0);
  self->was_listening = FALSE;
  self->lost_before = TRUE;
  self->state = STATE_WAITING;
  self->timer_id = g_timeout_add (self->retry_ms, retry_cb, self);
  self->retry_ms = MIN (self->retry_ms * 2, LAST_RETRY_MS);

  self->func (RL_PG_LISTENER_LOST, reason, self->user_data);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  RlPgListener *self = user_data;

  self->timer_id = 0;
  lose (self, "no answer within 10 s");
  return G_SOURCE_REMOVE;
}

static void
ask_to_listen (RlPgListener *self)
{
  g_autofree char *escaped = PQescapeIdentifier (self->conn, self->channel, strlen (self->channel));
  g_autofree char *query = NULL;

  g_clear_handle_id (&self->timer_id, g_source_remove);
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
connect_step (RlPgListener *self)
{
  switch (PQconnectPoll (self->conn))
    {
    case PGRES_POLLING_READING:
      watch (self, G_IO_IN);
      break;
    case PGRES_POLLING_WRITING:
      watch (self, G_IO_OUT);
      break;
    case PGRES_POLLING_OK:
      ask_to_listen (self);
      break;
    case PGRES_POLLING_FAILED:
    case PGRES_POLLING_ACTIVE:
    default:
      lose (self, PQerrorMessage (self->conn));
      break;
    }
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
              self->retry_ms = FIRST_RETRY_MS;
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

  if (self->state == STATE_CONNECTING)
    connect_step (self);
  else
    read_step (self);

  /* A step that wants another socket or condition replaced this watch. */
  return self->watch_id == id ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
start_connecting (RlPgListener *self)
{
  /* The caller's settings come last and win: keepalives are only defaults,
   * so that a node that vanished is noticed in about 15 s. */
  const char *const keywords[] = {
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
    "application_name", "dbname", NULL,
  };
  const char *const values[] = {
    "1", "5", "3", "3", "redline-server listener", self->conninfo, NULL,
  };

  self->state = STATE_CONNECTING;
  self->conn = PQconnectStartParams (keywords, values, 1);
  if (self->conn == NULL || PQstatus (self->conn) == CONNECTION_BAD)
    {
      lose (self, self->conn != NULL ? PQerrorMessage (self->conn) : "out of memory");
      return;
    }
  PQsetNoticeProcessor (self->conn, ignore_notice, NULL);
  self->timer_id = g_timeout_add (CONNECT_TIMEOUT_MS, connect_timeout_cb, self);
  /* libpq: behave as if PQconnectPoll had asked to write. */
  watch (self, G_IO_OUT);
}

RlPgListener *
rl_pg_listener_new (const char       *conninfo,
                    const char       *channel,
                    RlPgListenerFunc  func,
                    gpointer          user_data)
{
  RlPgListener *self;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (channel != NULL && *channel != '\0', NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (RlPgListener, 1);
  self->conninfo = g_strdup (conninfo);
  self->channel = g_strdup (channel);
  self->func = func;
  self->user_data = user_data;
  self->fd = -1;
  self->retry_ms = FIRST_RETRY_MS;
  /* From the loop, so that func is never called from inside this call. */
  self->state = STATE_WAITING;
  self->timer_id = g_idle_add (retry_cb, self);
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
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_pointer (&self->conn, PQfinish);
  g_free (self->conninfo);
  g_free (self->channel);
  g_free (self);
}
