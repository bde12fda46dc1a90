/* rl-store-pg-dialer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-store-pg-dialer.h"

#include <glib-unix.h>

#define FIRST_RETRY_MS 500
#define LAST_RETRY_MS (30 * 1000)
#define CONNECT_TIMEOUT_MS (10 * 1000)

struct _RlPgDialer
{
  char           **keywords;
  char           **values;
  RlPgDialerFunc   func;
  gpointer         user_data;

  PGconn          *conn;          /* the try under way */
  int              fd;
  GIOCondition     wanted;
  guint            watch_id;
  guint            timer_id;      /* the next try, or the try's timeout */
  guint            retry_ms;
};

static void
stop (RlPgDialer *self)
{
  g_clear_handle_id (&self->watch_id, g_source_remove);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_pointer (&self->conn, PQfinish);
  self->fd = -1;
  self->wanted = 0;
}

/* Ends the try; func may free the dialer, so it is the last thing done. */
static void
finish (RlPgDialer *self,
        const char *why)
{
  PGconn *conn = g_steal_pointer (&self->conn);
  g_autofree char *reason = NULL;

  stop (self);
  if (why != NULL)
    {
      reason = rl_pg_one_line (why);
      g_clear_pointer (&conn, PQfinish);
    }
  self->func (conn, reason, self->user_data);
}

static gboolean io_cb (int fd, GIOCondition condition, gpointer user_data);

/* Watches the socket for cond (it may change while libpq tries one
 * address after another). */
static void
watch (RlPgDialer   *self,
       GIOCondition  cond)
{
  int fd = PQsocket (self->conn);

  if (self->watch_id != 0 && fd == self->fd && cond == self->wanted)
    return;
  g_clear_handle_id (&self->watch_id, g_source_remove);
  self->fd = fd;
  self->wanted = cond;
  self->watch_id = g_unix_fd_add (fd, cond | G_IO_HUP | G_IO_ERR, io_cb, self);
}

static void
step (RlPgDialer *self)
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
      finish (self, NULL);
      break;
    case PGRES_POLLING_FAILED:
    case PGRES_POLLING_ACTIVE:
    default:
      finish (self, PQerrorMessage (self->conn));
      break;
    }
}

static gboolean
io_cb (int           fd,
       GIOCondition  condition,
       gpointer      user_data)
{
  RlPgDialer *self = user_data;
  guint id = self->watch_id;

  (void) fd;
  (void) condition;
  step (self);
  /* A step that wants another socket or condition, or that ended the try,
   * replaced this watch. */
  return self->watch_id == id ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  RlPgDialer *self = user_data;

  self->timer_id = 0;
  finish (self, "no answer within 10 s");
  return G_SOURCE_REMOVE;
}

static gboolean
try_cb (gpointer user_data)
{
  RlPgDialer *self = user_data;

  self->timer_id = 0;
  self->conn = PQconnectStartParams ((const char *const *) self->keywords,
                                     (const char *const *) self->values, 1);
  if (self->conn == NULL || PQstatus (self->conn) == CONNECTION_BAD)
    {
      finish (self, self->conn != NULL ? PQerrorMessage (self->conn) : "out of memory");
      return G_SOURCE_REMOVE;
    }
  self->timer_id = g_timeout_add (CONNECT_TIMEOUT_MS, timeout_cb, self);
  /* libpq: behave as if PQconnectPoll had asked to write. */
  watch (self, G_IO_OUT);
  return G_SOURCE_REMOVE;
}

RlPgDialer *
rl_pg_dialer_new (const char *const *keywords,
                  const char *const *values,
                  RlPgDialerFunc     func,
                  gpointer           user_data)
{
  RlPgDialer *self;

  g_return_val_if_fail (keywords != NULL && values != NULL, NULL);
  g_return_val_if_fail (g_strv_length ((char **) keywords) == g_strv_length ((char **) values), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (RlPgDialer, 1);
  self->keywords = g_strdupv ((char **) keywords);
  self->values = g_strdupv ((char **) values);
  self->func = func;
  self->user_data = user_data;
  self->fd = -1;
  self->retry_ms = FIRST_RETRY_MS;
  return self;
}

void
rl_pg_dialer_dial (RlPgDialer *self)
{
  stop (self);
  /* From the loop, so that func is never called from inside this call. */
  self->timer_id = g_idle_add (try_cb, self);
}

guint
rl_pg_dialer_redial (RlPgDialer *self)
{
  guint pause = self->retry_ms;

  stop (self);
  self->timer_id = g_timeout_add (pause, try_cb, self);
  self->retry_ms = MIN (self->retry_ms * 2, LAST_RETRY_MS);
  return pause;
}

guint
rl_pg_dialer_get_pause (RlPgDialer *self)
{
  return self->retry_ms;
}

gboolean
rl_pg_dialer_is_dialing (RlPgDialer *self)
{
  return self->timer_id != 0 || self->conn != NULL;
}

void
rl_pg_dialer_reset_backoff (RlPgDialer *self)
{
  self->retry_ms = FIRST_RETRY_MS;
}

void
rl_pg_dialer_free (RlPgDialer *self)
{
  if (self == NULL)
    return;
  stop (self);
  g_strfreev (self->keywords);
  g_strfreev (self->values);
  g_free (self);
}

char *
rl_pg_one_line (const char *why)
{
  g_auto(GStrv) lines = NULL;

  if (why == NULL || *why == '\0')
    return g_strdup ("no reason given");
  lines = g_strsplit_set (why, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_strstrip (lines[i]);
  return g_strstrip (g_strjoinv (" ", lines));
}
