/* rl-doc-store-private.h — test hooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-doc-store.h"

G_BEGIN_DECLS

/* Tests: the next n events of the document are lost on the way, as if the
 * server had skipped them. */
void         rl_doc_store_drop_events_for_testing (RlDocStore *self,
                                                   guint       n);

G_END_DECLS
