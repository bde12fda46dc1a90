/* rl-diff.h — what changed between two versions of a page's text
 *
 * The changes between two page texts, for showing them inline: a list of
 * runs, each equal (in both texts), deleted (only in the old one) or
 * inserted (only in the new one), in reading order. Pure: GLib only, no I/O.
 *
 * How:
 *
 * 1. Both texts are cut into tokens: a word (letters, digits and their
 *    combining marks), a stretch of white space, or one other character
 *    (punctuation, a symbol, an emoji with its modifiers, variation
 *    selectors and zero-width-joined parts, a flag's two letters).
 * 2. Myers' O(ND) difference algorithm, in its linear-space form (the middle
 *    snake, divide and conquer), finds the fewest token insertions and
 *    deletions, after the common head and tail are set aside. It is given a
 *    budget of steps (RL_DIFF_MAX_STEPS): a part it cannot finish within it
 *    (a page rewritten from top to bottom) is one deletion and one
 *    insertion, so time stays bounded and memory linear in the texts.
 * 3. Readability: an equal stretch no longer than the changes either side
 *    of it (a space, "the" between two rewritten words) is folded into them,
 *    so a rewritten sentence reads as one replacement, not as confetti; a
 *    word replaced by one that shares at least half its characters
 *    ("colour" → "color") is shown character by character.
 *
 * Runs cover both texts in order, without gaps: concatenating the equal and
 * deleted runs' slices of the old text gives the old text, the equal and
 * inserted runs' slices of the new text the new one. In a change, its
 * deleted run comes before its inserted run; no two neighbouring runs are of
 * the same kind.
 *
 * Offsets count code points (as page anchors do, PROTOCOL.md §1). Text that
 * is not valid UTF-8 is read with U+FFFD for each bad sequence, and the
 * offsets count the text as read.
 *
 * Cost: O((N + M) · D) time for N and M tokens and D token edits, within
 * the budget; tests/test-diff.c prints how long a realistic edit of a
 * 100 KB page takes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Snake steps one diff may take before what is left becomes a plain
 * replacement (about 20 ms on a laptop core). */
#define RL_DIFF_MAX_STEPS (8u * 1024u * 1024u)

typedef enum
{
  RL_DIFF_EQUAL,
  RL_DIFF_DELETED,
  RL_DIFF_INSERTED,
} RlDiffKind;

/* One run: [old_start, old_end) of the old text and [new_start, new_end) of
 * the new, in code points. Equal: both as long, the same text; deleted:
 * new_start == new_end (where it was, in the new text); inserted:
 * old_start == old_end. */
typedef struct
{
  RlDiffKind kind;
  guint      old_start;
  guint      old_end;
  guint      new_start;
  guint      new_end;
} RlDiffRun;

/* The runs (RlDiffRun) from old_text to new_text (UTF-8; lengths in bytes,
 * or -1 when NUL-terminated; a text may be NULL when its length is 0).
 * Two empty texts give no runs. */
GArray *rl_diff_texts (const char *old_text,
                       gssize      old_length,
                       const char *new_text,
                       gssize      new_length);

G_END_DECLS
