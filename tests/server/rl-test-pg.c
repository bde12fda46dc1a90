/* rl-test-pg.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-test-pg.h"

#include <libpq-fe.h>
#include <string.h>
#include <unistd.h>

static const char *
maintenance_conninfo (void)
{
  const char *conninfo = g_getenv ("REDLINE_TEST_PG");

  if (conninfo == NULL || *conninfo == '\0')
    g_error ("REDLINE_TEST_PG is not set: this test needs the private PostgreSQL cluster that "
             "./build-aux/dev starts; run it as ./build-aux/dev check [--asan] TEST");
  return conninfo;
}

/* The maintenance conninfo with dbname replaced. */
static char *
conninfo_for (const char *dbname)
{
  char *message = NULL;
  PQconninfoOption *options = PQconninfoParse (maintenance_conninfo (), &message);
  GString *out = g_string_new (NULL);

  if (options == NULL)
    g_error ("REDLINE_TEST_PG is not a valid conninfo: %s", message ? message : "out of memory");
  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      const char *value = g_str_equal (option->keyword, "dbname") ? dbname : option->val;

      if (value == NULL)
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "%s='", option->keyword);
      for (const char *p = value; *p; p++)
        {
          if (*p == '\'' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '\'');
    }
  PQconninfoFree (options);
  return g_string_free (out, FALSE);
}

/* Runs verb NAME suffix on the maintenance database. */
static void
maintenance_command (const char *verb,
                     const char *name,
                     const char *suffix)
{
  PGconn *conn = PQconnectdb (maintenance_conninfo ());
  char *quoted;
  g_autofree char *command = NULL;
  PGresult *result;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot reach the test PostgreSQL cluster (REDLINE_TEST_PG): %s", PQerrorMessage (conn));
  quoted = PQescapeIdentifier (conn, name, strlen (name));
  command = g_strconcat (verb, " ", quoted, suffix, NULL);
  PQfreemem (quoted);
  result = PQexec (conn, command);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", command, PQerrorMessage (conn));
  PQclear (result);
  PQfinish (conn);
}

void
rl_test_pg_disconnect_all (RlTestPg *pg)
{
  PGconn *conn = PQconnectdb (maintenance_conninfo ());
  const char *values[] = { pg->name };
  PGresult *result;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot reach the test PostgreSQL cluster (REDLINE_TEST_PG): %s", PQerrorMessage (conn));
  /* Each waits (up to 10 s) for its backend to have exited. */
  result = PQexecParams (conn, "SELECT pg_terminate_backend (pid, 10000) FROM pg_stat_activity"
                               " WHERE datname = $1 AND pid <> pg_backend_pid ()",
                         1, NULL, values, NULL, NULL, 0);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("cannot end the connections to %s: %s", pg->name, PQerrorMessage (conn));
  for (int row = 0; row < PQntuples (result); row++)
    g_assert_cmpstr (PQgetvalue (result, row, 0), ==, "t");
  PQclear (result);
  PQfinish (conn);
}

void
rl_test_pg_notify (RlTestPg   *pg,
                   const char *channel,
                   const char *payload)
{
  PGconn *conn = PQconnectdb (pg->conninfo);
  const char *values[] = { channel, payload };
  PGresult *result;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot reach the test database %s: %s", pg->name, PQerrorMessage (conn));
  result = PQexecParams (conn, "SELECT pg_notify ($1, $2)", 2, NULL, values, NULL, NULL, 0);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("cannot notify on %s: %s", pg->name, PQerrorMessage (conn));
  PQclear (result);
  PQfinish (conn);
}

RlTestPg *
rl_test_pg_new (void)
{
  static guint counter;
  RlTestPg *pg = g_new0 (RlTestPg, 1);

  /* Unique across processes (pid) and within one (counter, time). */
  pg->name = g_strdup_printf ("redline_test_%d_%u_%" G_GINT64_FORMAT, (int) getpid (),
                              g_atomic_int_add (&counter, 1), g_get_real_time ());
  maintenance_command ("CREATE DATABASE", pg->name, "");
  pg->conninfo = conninfo_for (pg->name);
  return pg;
}

void
rl_test_pg_free (RlTestPg *pg)
{
  if (pg == NULL)
    return;
  maintenance_command ("DROP DATABASE", pg->name, " WITH (FORCE)");
  g_free (pg->name);
  g_free (pg->conninfo);
  g_free (pg);
}
