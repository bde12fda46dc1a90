/* rl-page-placements.h — where each thread of a page sits on its text
 *
 * From thread anchors to text ranges: each thread is placed at its own
 * offsets where they still hold exactly what it quotes, else re-found from
 * exact and its context (rl-reanchor.h); one that cannot be placed is
 * orphaned. A place is remembered per thread until its anchor or the page
 * changes, so a fuzzy search is not repeated for every live update.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rl-plaintext.h"

G_BEGIN_DECLS

/* Where one thread sits on the text now. */
typedef struct
{
  char     *id;
  guint     index;     /* in the threads: creation order */
  gboolean  placed;    /* FALSE: orphaned */
  guint     start;     /* code points of the page's plain text */
  guint     end;
  gboolean  resolved;
  char     *preview;   /* "Author: the first words…" of its first comment; NULL without one */
} RlPlacement;

#define RL_TYPE_PAGE_PLACEMENTS (rl_page_placements_get_type ())
G_DECLARE_FINAL_TYPE (RlPagePlacements, rl_page_placements, RL, PAGE_PLACEMENTS, GObject)

RlPagePlacements  *rl_page_placements_new      (void);
/* The text threads are placed on; NULL: none is placed. Forgets every
 * remembered place. */
void               rl_page_placements_set_page (RlPagePlacements *self,
                                                RlPageText       *page);
/* The version the page is of: each thread is placed where it is on it
 * (rl_thread_get_anchor_on); 0: its anchor (a server without revisions).
 * Takes effect at the next update. */
void               rl_page_placements_set_revision (RlPagePlacements *self,
                                                    gint64            revision);
/* Places every thread of threads (RlThreadItem; NULL: none) on the page;
 * TRUE when which threads there are or where one sits changed. */
gboolean           rl_page_placements_update   (RlPagePlacements *self,
                                                GListModel       *threads);
/* In the threads' order; valid until the next update or set_page. */
guint              rl_page_placements_get_n    (RlPagePlacements *self);
const RlPlacement *rl_page_placements_get      (RlPagePlacements *self,
                                                guint             index);
/* NULL for an unknown or NULL id. */
const RlPlacement *rl_page_placements_find     (RlPagePlacements *self,
                                                const char       *thread_id);

G_END_DECLS
