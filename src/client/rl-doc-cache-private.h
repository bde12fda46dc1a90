/* rl-doc-cache-private.h — test hooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-doc-cache.h"

G_BEGIN_DECLS

/* What the contents take on disk now (blocking: a scan), for tests. */
guint64     rl_doc_cache_get_content_bytes   (RlDocCache          *self);

G_END_DECLS
