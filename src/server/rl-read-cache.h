/* rl-read-cache.h — what reading a document costs, done once: its snapshot
 * frame at its head and its page's plain text
 *
 * A snapshot frame is reused only while it is at the head the caller
 * vouches for (the seq its room has delivered: what a subscriber continues
 * from), or, when the caller knows none, at the store's head (asked each
 * time: another node may have moved it); the most recently read ones are
 * kept, up to a bound in bytes. A page's text is read once per revision
 * (the text model stored with it, never parsed again): the one of the
 * revision last asked for is kept.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rl-plaintext.h"
#include "rl-store.h"

G_BEGIN_DECLS

#define RL_TYPE_READ_CACHE (rl_read_cache_get_type ())
G_DECLARE_FINAL_TYPE (RlReadCache, rl_read_cache, RL, READ_CACHE, GObject)

RlReadCache *rl_read_cache_new           (RlStore      *store);
/* The document's snapshot frame (not a reset) at its head, *seq. */
char        *rl_read_cache_snapshot      (RlReadCache  *self,
                                          const char   *tenant,
                                          const char   *doc,
                                          gint64       *seq);
/* The same at *seq == head when one made there is kept (head: a seq the
 * caller vouches for, its room's), else at the store's head; head -1 is
 * rl_read_cache_snapshot. */
char        *rl_read_cache_snapshot_at   (RlReadCache  *self,
                                          const char   *tenant,
                                          const char   *doc,
                                          gint64        head,
                                          gint64       *seq);
/* The page's text at revision (the document's latest, as the caller just
 * read it); RL_ERROR_NOT_FOUND when there is no such document or revision. */
RlPageText  *rl_read_cache_get_page_text (RlReadCache  *self,
                                          const char   *tenant,
                                          const char   *doc,
                                          gint64        revision,
                                          GError      **error);
/* The document is gone: drops what was kept of it. */
void         rl_read_cache_forget        (RlReadCache  *self,
                                          const char   *tenant,
                                          const char   *doc);

G_END_DECLS
