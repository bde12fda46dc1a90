/* rl-reanchor.h — re-finding a page annotation in a page's current text
 *
 * A page anchor (PROTOCOL.md §1) holds code-point offsets into the plain text
 * it was made on, the quoted text (`exact`) and up to 32 code points of
 * context either side (`prefix`, `suffix`). When the page changes (a new
 * revision, another normalisation) the offsets stop matching and the quote
 * has to be found again. This unit does that, pure: GLib only, no I/O.
 *
 * How a place is found, cheapest first:
 *
 * 1. EXACT: the old offsets are in range and the text there still equals
 *    `exact`; nothing moves.
 * 2. MOVED: every occurrence of `exact` in the text (Horspool search) is
 *    scored by how well `prefix` matches the text before it (compared
 *    backwards from the occurrence) and `suffix` the text after it, each as
 *    an edit similarity (1 − edit distance / length, Myers' bit-parallel
 *    algorithm, the far end of the context free so an insertion there costs
 *    one character, not the rest of the context). A small bonus for being
 *    near the old start breaks near-ties; exact ties go to the nearest.
 * 3. FUZZY: no exact occurrence. Approximate search: for quotes of up to 64
 *    code points Myers' bit-parallel search finds every end position whose
 *    best alignment is within 40 % edits, and a backward alignment gives each
 *    one's start. Longer quotes (up to thousands of code points) search their
 *    first and last 32 code points the same way, then align the whole quote
 *    from each head forwards and from each tail backwards (a blocked Myers,
 *    64 pattern code points a machine word), so an edit anywhere in a long
 *    quote costs only its own characters. A candidate is accepted when the
 *    quote's own similarity is at least RL_REANCHOR_MIN_SIMILARITY, or at
 *    least RL_REANCHOR_MIN_SIMILARITY_WITH_CONTEXT with the context at least
 *    RL_REANCHOR_MIN_CONTEXT (a rewritten word in a short quote still lands
 *    where its surroundings agree). Among accepted candidates the mean of
 *    the quote's and the context's similarity wins, nearness again breaking
 *    near-ties.
 * 4. ORPHANED: nothing good enough; the caller lists it, never drops it.
 *
 * rl_reanchorer_place_anchor() is the product's side of it, for a thread
 * carried over to a new revision: the status it is recorded with
 * (RlPlacementStatus, rl-model.h) and the whole anchor as it lies in the
 * new text.
 *
 * Both sides are compared in Unicode NFC, case-sensitive, so a text with
 * decomposed accents still finds a precomposed quote, but every offset given
 * back counts code points of the ORIGINAL text, and a found range never
 * splits a base character from its combining marks.
 *
 * Cost: the text is decoded and normalised once per RlReanchorer; an exact
 * or moved anchor then costs a search sublinear in the text, a fuzzy one a
 * few linear bit-parallel passes. tests/test-reanchor.c prints a benchmark
 * line for 200 anchors on a 100 KB page; tests/bench/rl-match-bench times
 * 500 threads carried across a revision of one (docs/performance.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rl-model.h"

G_BEGIN_DECLS

#define RL_REANCHOR_MIN_SIMILARITY              0.8
#define RL_REANCHOR_MIN_SIMILARITY_WITH_CONTEXT 0.6
#define RL_REANCHOR_MIN_CONTEXT                 0.75

typedef enum
{
  RL_ANCHOR_EXACT,
  RL_ANCHOR_MOVED,
  RL_ANCHOR_FUZZY,
  RL_ANCHOR_ORPHANED,
} RlAnchorFit;

/* Finds where a page anchor (start, end, exact, prefix, suffix; offsets in
 * code points) lies in text (the page's current plain text, UTF-8; length in
 * bytes or -1 when NUL-terminated; text may be NULL when length is 0).
 * EXACT: text[start, end) == exact (offsets still right); MOVED: exact found
 * elsewhere (the best-scored occurrence by prefix/suffix context and distance
 * from the old start); FUZZY: no exact occurrence, the best approximate match
 * scored above the threshold (its range is the matched span in the new
 * text); ORPHANED: nothing good enough, or an anchor that cannot be placed at
 * all (not a page anchor, exact NULL, empty or not UTF-8, start < 0 or
 * start > end) — start and end untouched. On success *start and *end are the
 * new code-point range. score (nullable) is 0..1: 1 for EXACT, else the
 * similarity of prefix + exact + suffix at the place found (weighted by their
 * lengths); for ORPHANED that of the best rejected candidate, 0 if none.
 * Text that is not valid UTF-8 is read with U+FFFD for each bad sequence. */
RlAnchorFit rl_reanchor (const char     *text,
                         gssize          length,
                         const RlAnchor *anchor,
                         guint          *start,
                         guint          *end,
                         double         *score);

/* Batch form for a whole page (many anchors, one text): the text is decoded
 * and normalised once, not once per anchor. */
typedef struct _RlReanchorer RlReanchorer;

RlReanchorer *rl_reanchorer_new   (const char     *text,
                                   gssize          length);
/* As rl_reanchor() on the reanchorer's text. */
RlAnchorFit   rl_reanchorer_place (RlReanchorer   *self,
                                   const RlAnchor *anchor,
                                   guint          *start,
                                   guint          *end,
                                   double         *score);
void          rl_reanchorer_free  (RlReanchorer   *self);

/* Places anchor on the reanchorer's text and gives its status there, the
 * one mapping of a fit to the product's statuses: EXACT → exact, MOVED →
 * moved, FUZZY → changed, ORPHANED → orphaned. placed is overwritten (the
 * caller rl_anchor_clear()s it): a page anchor with the new start and end,
 * exact the new text's slice [start, end) and prefix and suffix the up to
 * RL_CONTEXT_MAX_CHARS code points before and after it in the new text
 * (PROTOCOL.md §1), so it is valid on the new revision as it stands; for an
 * orphan, unset (all zero), as an RlRevisionAnchor's is. score (nullable)
 * as rl_reanchorer_place(). */
RlPlacementStatus rl_reanchorer_place_anchor (RlReanchorer   *self,
                                              const RlAnchor *anchor,
                                              RlAnchor       *placed,
                                              double         *score);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlReanchorer, rl_reanchorer_free)

G_END_DECLS
