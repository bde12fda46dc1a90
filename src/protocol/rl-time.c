/* rl-time.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-time.h"

#include <time.h>

gint64
rl_time_now_ms (void)
{
  return g_get_real_time () / 1000;
}

char *
rl_time_format (gint64 ms)
{
  struct tm tm;
  time_t secs = (time_t) (ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int millis = (int) (ms - (gint64) secs * 1000);
  char buf[40];

  if (gmtime_r (&secs, &tm) == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");

  g_snprintf (buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
              tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return g_strdup (buf);
}

gboolean
rl_time_parse (const char *str,
               gint64     *ms)
{
  g_autoptr(GDateTime) dt = NULL;

  if (str == NULL)
    return FALSE;
  dt = g_date_time_new_from_iso8601 (str, NULL);
  if (dt == NULL)
    return FALSE;
  *ms = g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
  return TRUE;
}
