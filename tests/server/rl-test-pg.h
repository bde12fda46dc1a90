/* rl-test-pg.h — a fresh PostgreSQL database per test, on the private
 * cluster ./build-aux/dev starts for the test run
 *
 * The cluster's maintenance database is in REDLINE_TEST_PG (a conninfo).
 * A test that needs PostgreSQL without it fails, saying how to run it: it
 * is never skipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *name;       /* the database's, unique to this test */
  char *conninfo;   /* key=value, for libpq and redline-server --db */
} RlTestPg;

/* Makes an empty database with a name no other test has. */
RlTestPg *rl_test_pg_new  (void);
/* Drops the database (closing whatever is still connected to it). */
void      rl_test_pg_free (RlTestPg *pg);
/* Ends every connection to the database (as a restart of PostgreSQL
 * would), and returns once they are gone. */
void      rl_test_pg_disconnect_all (RlTestPg *pg);
/* Sends payload on channel from a connection of its own (pg_notify). */
void      rl_test_pg_notify (RlTestPg   *pg,
                             const char *channel,
                             const char *payload);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlTestPg, rl_test_pg_free)

G_END_DECLS
