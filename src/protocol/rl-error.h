/* rl-error.h — the protocol's error codes, as a GError domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RL_ERROR (rl_error_quark ())

/* Mirrors PROTOCOL.md §3 and §8; the order is not part of the wire format. */
typedef enum
{
  RL_ERROR_BAD_REQUEST,
  RL_ERROR_UNKNOWN_TYPE,
  RL_ERROR_NOT_FOUND,
  RL_ERROR_FORBIDDEN,
  RL_ERROR_CONFLICT,
  RL_ERROR_TOO_LARGE,
  RL_ERROR_RATE_LIMITED,
  RL_ERROR_INTERNAL,
  RL_ERROR_UNAUTHORIZED,
  /* Client-side only: never sent on the wire. */
  RL_ERROR_OFFLINE,
  RL_ERROR_TIMEOUT,
  RL_ERROR_CONNECTION_LOST,
} RlErrorCode;

GQuark       rl_error_quark           (void);
const char  *rl_error_code_to_string  (RlErrorCode  code);
gboolean     rl_error_code_from_string (const char  *str,
                                        RlErrorCode *code);
guint        rl_error_code_http_status (RlErrorCode code);

G_END_DECLS
