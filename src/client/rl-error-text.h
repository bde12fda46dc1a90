/* rl-error-text.h — what an error code means, in the user's language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-error.h"

G_BEGIN_DECLS

const char *rl_error_text           (RlErrorCode   code);
GError     *rl_error_new_translated (RlErrorCode   code,
                                     const char   *detail);

G_END_DECLS
