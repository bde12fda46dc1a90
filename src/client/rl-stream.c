/* rl-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-stream.h"

#include <gio/gio.h>

#include "rl-error.h"

RlStreamStep
rl_stream_step (gint64 last,
                gint64 number)
{
  if (number <= last)
    return RL_STREAM_DUPLICATE;
  if (number > last + 1)
    return RL_STREAM_GAP;
  return RL_STREAM_APPLY;
}

gboolean
rl_stream_retry_later (guint        *resubscribe_id,
                       const GError *error,
                       GSourceFunc   resubscribe,
                       gpointer      data)
{
  g_return_val_if_fail (resubscribe_id != NULL, FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  if (*resubscribe_id != 0 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  if (!g_error_matches (error, RL_ERROR, RL_ERROR_TIMEOUT) &&
      !g_error_matches (error, RL_ERROR, RL_ERROR_RATE_LIMITED) &&
      !g_error_matches (error, RL_ERROR, RL_ERROR_INTERNAL))
    return FALSE;
  *resubscribe_id = g_timeout_add (RL_STREAM_RESUBSCRIBE_MS, resubscribe, data);
  return TRUE;
}
