/* rl-relative-time.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-relative-time.h"

#include <glib/gi18n.h>

#define MINUTE_MS (G_GINT64_CONSTANT (60) * 1000)
#define HOUR_MS   (60 * MINUTE_MS)
/* Across midnight, "3 hours ago" still reads better than "yesterday". */
#define HOURS_ACROSS_MIDNIGHT_MS (6 * HOUR_MS)

static GDateTime *
local_from_ms (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);

  return utc ? g_date_time_to_local (utc) : NULL;
}

/* Calendar days from a to b (both local). */
static int
days_between (GDateTime *a,
              GDateTime *b)
{
  g_autoptr(GDate) da = g_date_new_dmy (g_date_time_get_day_of_month (a),
                                        g_date_time_get_month (a),
                                        g_date_time_get_year (a));
  g_autoptr(GDate) db = g_date_new_dmy (g_date_time_get_day_of_month (b),
                                        g_date_time_get_month (b),
                                        g_date_time_get_year (b));

  return g_date_days_between (da, db);
}

char *
rl_relative_time_format (gint64 then_ms,
                         gint64 now_ms)
{
  g_autoptr(GDateTime) then = NULL;
  g_autoptr(GDateTime) now = NULL;
  gint64 diff = now_ms - then_ms;
  int days;

  /* A server clock a little ahead of ours must not say "in 3 seconds". */
  if (diff > -MINUTE_MS && diff < MINUTE_MS)
    return g_strdup (_("just now"));

  then = local_from_ms (then_ms);
  now = local_from_ms (now_ms);
  if (then == NULL || now == NULL)
    return g_strdup ("");

  if (diff > 0 && diff < HOUR_MS)
    {
      int minutes = (int) (diff / MINUTE_MS);

      return g_strdup_printf (ngettext ("%d minute ago", "%d minutes ago", minutes), minutes);
    }

  days = days_between (then, now);
  if (diff > 0 && (days == 0 || diff < HOURS_ACROSS_MIDNIGHT_MS))
    {
      int hours = (int) (diff / HOUR_MS);

      return g_strdup_printf (ngettext ("%d hour ago", "%d hours ago", hours), hours);
    }
  if (diff > 0 && days == 1)
    return g_strdup (_("yesterday"));

  /* xgettext:no-c-format */
  /* Translators: a date without time in a list of comments, in
   * g_date_time_format()'s notation (%x is the C library's form, which
   * follows LC_TIME, not the language). Write your language's usual
   * numeric date, e.g. "%d/%m/%Y" or "%d.%m.%Y", so dates read right
   * wherever the messages are in your language. */
  return g_date_time_format (then, _("%x"));
}

char *
rl_local_time_format (gint64      ms,
                      const char *format)
{
  g_autoptr(GDateTime) local = local_from_ms (ms);

  g_return_val_if_fail (format != NULL, NULL);
  return local ? g_date_time_format (local, format) : NULL;
}
