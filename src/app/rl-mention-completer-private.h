/* rl-mention-completer-private.h — what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-mention-completer.h"

G_BEGIN_DECLS

/* The list's popover and the list (a GtkListBox of one row per member
 * shown, each row's "rl-member-id" data its user id). */
GtkWidget *rl_mention_completer_get_popover (RlMentionCompleter *self);
GtkWidget *rl_mention_completer_get_list    (RlMentionCompleter *self);

G_END_DECLS
