/* test-relative-time.c — rl_relative_time_format with a fixed now
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-relative-time.h"

#define S(n)    ((gint64) (n) * 1000)
#define MINS(n) (S (n) * 60)
#define H(n)    (MINS (n) * 60)

/* 2026-03-15 14:30:00 UTC; the test runs with TZ=UTC. */
static gint64
fixed_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 3, 15, 14, 30, 0);

  return g_date_time_to_unix (now) * 1000;
}

static void
assert_format (gint64      then_ms,
               gint64      now_ms,
               const char *expected)
{
  g_autofree char *got = rl_relative_time_format (then_ms, now_ms);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_seconds (void)
{
  gint64 now = fixed_now ();

  assert_format (now, now, "just now");
  assert_format (now - S (1), now, "just now");
  assert_format (now - S (59), now, "just now");
  /* A server clock slightly ahead. */
  assert_format (now + S (20), now, "just now");
}

static void
test_minutes (void)
{
  gint64 now = fixed_now ();

  assert_format (now - S (60), now, "1 minute ago");
  assert_format (now - S (119), now, "1 minute ago");
  assert_format (now - MINS (2), now, "2 minutes ago");
  assert_format (now - MINS (59) - S (59), now, "59 minutes ago");
}

static void
test_hours (void)
{
  gint64 now = fixed_now ();
  g_autoptr(GDateTime) after_midnight = g_date_time_new_utc (2026, 3, 15, 1, 0, 0);
  gint64 night = g_date_time_to_unix (after_midnight) * 1000;

  assert_format (now - H (1), now, "1 hour ago");
  assert_format (now - H (2) - MINS (30), now, "2 hours ago");
  /* 00:00 today, 14.5 h ago: still today. */
  assert_format (now - H (14) - MINS (30), now, "14 hours ago");
  /* At 01:00, 23:00 of the day before is 2 hours ago, not "yesterday". */
  assert_format (night - H (2), night, "2 hours ago");
}

static void
test_yesterday (void)
{
  gint64 now = fixed_now ();
  g_autoptr(GDateTime) after_midnight = g_date_time_new_utc (2026, 3, 15, 1, 0, 0);
  gint64 night = g_date_time_to_unix (after_midnight) * 1000;

  /* 23:59 and 00:00 of the 14th. */
  assert_format (now - H (14) - MINS (31), now, "yesterday");
  assert_format (now - H (38) - MINS (30), now, "yesterday");
  /* Past the 6 hours across midnight. */
  assert_format (night - H (7), night, "yesterday");
}

static void
test_older (void)
{
  gint64 now = fixed_now ();
  g_autoptr(GDateTime) last_year = g_date_time_new_utc (2025, 12, 24, 9, 0, 0);

  /* 23:59 of the 13th: two calendar days back. The C locale's %x is %m/%d/%y. */
  assert_format (now - H (38) - MINS (31), now, "03/13/26");
  assert_format (g_date_time_to_unix (last_year) * 1000, now, "12/24/25");
  /* Far in the future (a broken clock): the date, never "in …". */
  assert_format (now + H (50), now, "03/17/26");
}

int
main (int    argc,
      char **argv)
{
  /* Before anything reads the local time zone. */
  g_setenv ("TZ", "UTC", TRUE);
  g_unsetenv ("LANGUAGE");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/relative-time/seconds", test_seconds);
  g_test_add_func ("/relative-time/minutes", test_minutes);
  g_test_add_func ("/relative-time/hours", test_hours);
  g_test_add_func ("/relative-time/yesterday", test_yesterday);
  g_test_add_func ("/relative-time/older", test_older);
  return g_test_run ();
}
