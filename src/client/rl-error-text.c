/* rl-error-text.c — what an error code means, in the user's language
 *
 * The server's messages are English and written for developers (PROTOCOL.md
 * §8); what a person reads is chosen here from the code, and the server's
 * words go to the debug log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rl-error-text.h"

const char *
rl_error_text (RlErrorCode code)
{
  switch (code)
    {
    case RL_ERROR_BAD_REQUEST:
      return _("The server refused this as invalid");
    case RL_ERROR_UNKNOWN_TYPE:
      return _("The server does not know this request; it may be an older version");
    case RL_ERROR_NOT_FOUND:
      return _("It no longer exists");
    case RL_ERROR_FORBIDDEN:
      return _("You don’t have permission to do that");
    case RL_ERROR_CONFLICT:
      return _("Someone else changed it first");
    case RL_ERROR_TOO_LARGE:
      return _("It is too large for the server");
    case RL_ERROR_RATE_LIMITED:
      return _("Too many changes at once; wait a moment and try again");
    case RL_ERROR_INTERNAL:
      return _("The server ran into a problem");
    case RL_ERROR_UNAUTHORIZED:
      return _("The server no longer accepts this account’s token");
    case RL_ERROR_OFFLINE:
      return _("You’re offline");
    case RL_ERROR_TIMEOUT:
      return _("The server did not answer in time");
    case RL_ERROR_CONNECTION_LOST:
      return _("The connection was lost");
    default:
      return _("Something went wrong");
    }
}

/* detail: the server's own message, kept for the debug log only. */
GError *
rl_error_new_translated (RlErrorCode  code,
                         const char  *detail)
{
  if (detail != NULL && *detail != '\0')
    g_debug ("server error %s: %s", rl_error_code_to_string (code), detail);
  return g_error_new_literal (RL_ERROR, code, rl_error_text (code));
}
