/* rl-error-text.h — what an error code means, in the user's language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-error.h"

G_BEGIN_DECLS

const char *rl_error_text           (RlErrorCode   code);
/* Why a change failed, as a clause that follows "…: " ("Reply not sent:
 * you’re offline"): an RL_ERROR's from its code, another's its message. */
const char *rl_error_reason         (const GError *error);
GError     *rl_error_new_translated (RlErrorCode   code,
                                     const char   *detail);

G_END_DECLS
