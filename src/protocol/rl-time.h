/* rl-time.h — RFC 3339 UTC times with milliseconds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Milliseconds since the Unix epoch, wall clock. */
gint64    rl_time_now_ms   (void);
/* "2026-11-24T14:04:05.123Z" */
char     *rl_time_format   (gint64       ms);
/* Parses an RFC 3339 time (any offset) into ms; FALSE when malformed. */
gboolean  rl_time_parse    (const char  *str,
                            gint64      *ms);

G_END_DECLS
