/* rl-relative-time.h — "2 minutes ago": when something happened, as people say it
 *
 * Pure GLib (no GTK), so its unit test needs no display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* then_ms and now_ms in ms since the epoch; read in the local time zone.
 * "just now" under a minute (and for a clock a little ahead), minutes under
 * an hour, hours on the same day (or under 6 h), "yesterday", then the
 * date in the locale's format. Translated. */
char *rl_relative_time_format (gint64 then_ms,
                               gint64 now_ms);
/* ms since the epoch in the local time zone, in g_date_time_format()'s
 * notation; NULL when out of GDateTime's range. */
char *rl_local_time_format    (gint64      ms,
                               const char *format);

G_END_DECLS
