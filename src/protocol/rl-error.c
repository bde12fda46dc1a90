/* rl-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-error.h"

G_DEFINE_QUARK (rl-error-quark, rl_error)

static const struct
{
  RlErrorCode code;
  const char *name;
  guint http_status;
} error_table[] = {
  { RL_ERROR_BAD_REQUEST, "bad-request", 400 },
  { RL_ERROR_UNKNOWN_TYPE, "unknown-type", 400 },
  { RL_ERROR_NOT_FOUND, "not-found", 404 },
  { RL_ERROR_FORBIDDEN, "forbidden", 403 },
  { RL_ERROR_CONFLICT, "conflict", 409 },
  { RL_ERROR_TOO_LARGE, "too-large", 413 },
  { RL_ERROR_RATE_LIMITED, "rate-limited", 429 },
  { RL_ERROR_INTERNAL, "internal", 500 },
  { RL_ERROR_UNAUTHORIZED, "unauthorized", 401 },
  { RL_ERROR_OFFLINE, "offline", 0 },
  { RL_ERROR_TIMEOUT, "timeout", 0 },
  { RL_ERROR_CONNECTION_LOST, "connection-lost", 0 },
};

const char *
rl_error_code_to_string (RlErrorCode code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_table); i++)
    if (error_table[i].code == code)
      return error_table[i].name;
  return "internal";
}

gboolean
rl_error_code_from_string (const char  *str,
                           RlErrorCode *code)
{
  g_return_val_if_fail (code != NULL, FALSE);

  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (error_table); i++)
    {
      if (g_str_equal (error_table[i].name, str))
        {
          *code = error_table[i].code;
          return TRUE;
        }
    }
  return FALSE;
}

guint
rl_error_code_http_status (RlErrorCode code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_table); i++)
    if (error_table[i].code == code && error_table[i].http_status != 0)
      return error_table[i].http_status;
  return 500;
}
