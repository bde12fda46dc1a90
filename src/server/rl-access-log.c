/* rl-access-log.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-access-log.h"

#include <stdio.h>

static void
append_value (GString    *line,
              const char *value)
{
  if (value == NULL || *value == '\0')
    {
      g_string_append_c (line, '-');
      return;
    }
  for (const guchar *p = (const guchar *) value; *p; p++)
    {
      if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '%' || *p == '\\')
        g_string_append_printf (line, "%%%02X", *p);
      else
        g_string_append_c (line, (char) *p);
    }
}

static void
append_duration (GString *line,
                 gint64   duration_us)
{
  g_string_append_printf (line, " duration_ms=%" G_GINT64_FORMAT ".%03d", duration_us / 1000,
                          (int) (duration_us % 1000));
}

static void
emit (GString *line)
{
  g_string_append_c (line, '\n');
  /* One write for the whole line. */
  fwrite (line->str, 1, line->len, stderr);
  fflush (stderr);
}

void
rl_access_log_http (const char *remote,
                    const char *method,
                    const char *path,
                    guint       status,
                    gsize       bytes,
                    gint64      duration_us)
{
  g_autoptr(GString) line = g_string_new ("access http remote=");

  append_value (line, remote);
  g_string_append (line, " method=");
  append_value (line, method);
  g_string_append (line, " path=");
  append_value (line, path);
  g_string_append_printf (line, " status=%u bytes=%" G_GSIZE_FORMAT, status, bytes);
  append_duration (line, MAX (duration_us, 0));
  emit (line);
}

void
rl_access_log_websocket (const char      *remote,
                         const char      *path,
                         const char      *tenant,
                         const char      *user,
                         gushort          close_code,
                         gboolean         closed_by_server,
                         const RlTraffic *traffic,
                         gint64           duration_us)
{
  g_autoptr(GString) line = g_string_new ("access websocket remote=");

  append_value (line, remote);
  g_string_append (line, " path=");
  append_value (line, path);
  g_string_append (line, " tenant=");
  append_value (line, tenant);
  g_string_append (line, " user=");
  append_value (line, user);
  g_string_append_printf (line, " close=%u closed_by=%s frames_in=%" G_GUINT64_FORMAT
                          " bytes_in=%" G_GUINT64_FORMAT " frames_out=%" G_GUINT64_FORMAT
                          " bytes_out=%" G_GUINT64_FORMAT,
                          close_code, closed_by_server ? "server" : "client",
                          traffic->frames_in, traffic->bytes_in, traffic->frames_out, traffic->bytes_out);
  append_duration (line, MAX (duration_us, 0));
  emit (line);
}
