/* rl-connect-dialog-private.h — test hooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-connect-dialog.h"

G_BEGIN_DECLS

/* Tests: a shorter wait for the welcome; the session being checked. */
void        rl_connect_dialog_set_timeout (RlConnectDialog *self,
                                           guint            timeout_ms);
RlSession  *rl_connect_dialog_get_session (RlConnectDialog *self);

G_END_DECLS
