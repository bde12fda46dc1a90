/* rl-image-match.h — following a pin to a new revision of an image
 *
 * A pin (an image anchor, PROTOCOL.md §1) holds fractions of the image it
 * was made on. When a new revision is uploaded this unit finds where the
 * element under the pin is on the new image, pure: GLib only, no I/O, no
 * decoding (the caller gives 8-bit planes; rl_image_planes_from_rgb()
 * converts RGB(A) pixels).
 *
 * What it reads: luma (BT.601 Y′) to find the element, and luma with the
 * two chroma planes (Cb, Cr, the same size) to judge whether it changed.
 * Luma alone cannot see a red button turned green at the same brightness,
 * so chroma is taken too; planes without chroma (data NULL) are judged on
 * luma only.
 *
 * How a pin is placed:
 *
 * 1. The patch: RL_IMAGE_MATCH_PATCH px square around the pin on the old
 *    image, clamped inside both images (never larger than either), the pin
 *    keeping its offset inside it. A flat patch (luma standard deviation
 *    below RL_IMAGE_MATCH_FLAT_STDDEV: a pin on a blank area) has nothing
 *    to correlate and would match every blank area alike, so it doubles
 *    in size, up to RL_IMAGE_MATCH_MAX_GROWTH times, until it holds
 *    something to follow (the element next to the blank). A patch still
 *    flat then is never searched for: the pin stays where it was, exact if
 *    the pixels there are the same, changed if not (its score 1 − the
 *    share of pixels that differ), orphaned when the new canvas no longer
 *    reaches there.
 * 2. Same place first: the patch at the same pixel position on the new
 *    image (not the same fraction: a canvas grown at its right or bottom
 *    edge keeps its content where it was). If its normalized
 *    cross-correlation (NCC) is at least RL_IMAGE_MATCH_SAME_NCC, the pin
 *    stays, and is exact or changed by the pixel test below.
 * 3. Displacements of neighbours: the displacements of pins this matcher
 *    placed as moved within RL_IMAGE_MATCH_NEIGHBOURHOOD px are tried (a
 *    layout shift moves neighbours alike; a pin found so with the same
 *    pixels needs no search). Only near ones: a shift from far away could
 *    land on a look-alike, the same icon on another card, when the element
 *    itself is nearer.
 * 4. Search, coarse to fine: both images have Gaussian pyramids (each
 *    level low-passed, then halved), built once per matcher; levels above
 *    full size are compared blurred once more, so that a small element
 *    looks the same whatever half pixel it moved by. At the coarsest level
 *    where the patch is still RL_IMAGE_MATCH_COARSE_PATCH px wide, it is
 *    correlated at every position of the new image (window means and
 *    variances from summed-area tables). Of the RL_IMAGE_MATCH_CANDIDATES
 *    places kept, one is the best within RL_IMAGE_MATCH_COARSE_REFINE px
 *    of the old place, peak or not (a small move is the commonest, and a
 *    thin detail may sample too badly there to peak); of the local maxima,
 *    the nearest to the old place among the nearly best (look-alikes: the
 *    same icon on every card) fill half, the best the rest. Each is
 *    refined level by level (±RL_IMAGE_MATCH_COARSE_REFINE px just below
 *    the coarsest, ±RL_IMAGE_MATCH_REFINE after), fewer kept at each finer
 *    level, down to full size. When the patch is not found with the same
 *    pixels, or shows nothing at the coarsest level (a detail that fine),
 *    its surroundings at 2× and 4× its size (at most
 *    RL_IMAGE_MATCH_MAX_GROWTH × the patch) are searched the same way, for
 *    what they show at coarse levels and the patch does not (a paragraph's
 *    ragged edge, the card a button is on), each refined to the level where
 *    it is as many pixels as the patch at full size, and the patch itself
 *    from there. Equally good places go to the one nearest the old place.
 * 5. The verdict at the best place: NCC below RL_IMAGE_MATCH_MIN_NCC is
 *    orphaned (the element is gone). Otherwise the pixels are compared:
 *    NCC ignores brightness and contrast (a blue button turned green is
 *    the same shape), so the share of pixels whose luma or chroma differs
 *    by more than RL_IMAGE_MATCH_PIXEL_TOLERANCE is counted too. NCC at
 *    least RL_IMAGE_MATCH_SAME_NCC and that share at most
 *    RL_IMAGE_MATCH_CHANGED_SHARE: the same pixels, exact at the same
 *    pixel position and moved elsewhere; anything else is changed. A pin
 *    whose same place is still above RL_IMAGE_MATCH_MIN_NCC stays there
 *    (changed) unless the same pixels are found elsewhere: a relabelled
 *    button correlates best a few pixels off, no reason to move. "The same
 *    pixels" holds too when only the patch's outer part differs and its
 *    core (RL_IMAGE_MATCH_CORE px around the pin) passes both tests at
 *    the same place (a core is small, with look-alikes elsewhere): on a
 *    dense interface the patch takes in neighbours that an edit may touch
 *    while the element under the pin stays as it was.
 *    A changed place other than the same place is taken only when its
 *    edges are the same (the NCC of the luma gradients' magnitudes at
 *    least RL_IMAGE_MATCH_MOVED_STRUCTURE_NCC) or its core is: a
 *    recoloured button that moved keeps its shape, an element that moved
 *    beside an edit its core, while another card's smooth photo
 *    correlates well with this one's without either; else the pin stays
 *    where it was.
 *    A changed place where the RL_IMAGE_MATCH_CENTRE px right under the
 *    pin were not blank and are now is orphaned, score 0: a small icon
 *    removed from a card leaves most of the patch, never the icon.
 * 6. Restyled: a place that would be orphaned is changed instead, at the
 *    same place, when the edges there are the same (the NCC of the luma
 *    gradients' magnitudes at least RL_IMAGE_MATCH_STRUCTURE_NCC): a dark
 *    style inverts luma, so nothing correlates, but every element is
 *    where it was. Its score is that structure NCC.
 *
 * Positions are whole pixels of the full-size image, the pin's new
 * fractions are its pixel position over the new size. The score is the
 * NCC at the place found, for an orphan that of the best place rejected
 * (0 when none).
 *
 * A resized canvas (the same content on a larger canvas at the same pixel
 * scale): content left where it was is exact, content shifted (centred on
 * the larger canvas) is moved; the fractions follow the new size either
 * way. Content rescaled is not looked for (NCC is not scale-invariant).
 *
 * Cost: pyramids are built once per image; a pin found in place costs one
 * patch comparison, one that moved a coarse pass over the image at 1/16 to
 * 1/64 of its size and a few small refinements. tests/bench/rl-match-bench
 * measures 200 pins on two 4000×3000 mockups (docs/performance.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rl-model.h"

G_BEGIN_DECLS

/* Full-size patch side: a button or a line of text with its surroundings,
 * small enough that a change a patch away does not disturb it. */
#define RL_IMAGE_MATCH_PATCH           96
/* Below this luma standard deviation (of 255) a patch is flat: PNG and
 * anti-aliasing noise stays under it, a line of text is far above. */
#define RL_IMAGE_MATCH_FLAT_STDDEV     2.0
/* A flat patch grows to at most this many times RL_IMAGE_MATCH_PATCH. */
#define RL_IMAGE_MATCH_MAX_GROWTH      4
/* The coarsest search level keeps the patch at least this many pixels
 * wide: smaller, everything looks alike; larger, the global pass is slow. */
#define RL_IMAGE_MATCH_COARSE_PATCH    6
/* Places kept from the coarse pass: repeated elements (rows of buttons,
 * lines of text) look alike at 1/16 size, only finer levels tell them apart. */
#define RL_IMAGE_MATCH_CANDIDATES      8
/* Search radius around a candidate at each finer level, in pixels of that
 * level: a place right to a pixel at one level is within one at the next,
 * and the blur that makes coarse levels robust (see the .c) flattens a
 * peak by about one more. */
#define RL_IMAGE_MATCH_REFINE          2
/* The same, just below the coarsest level, where a peak is blurred and
 * may be off by a pixel or more (up to 64 px at full size). */
#define RL_IMAGE_MATCH_COARSE_REFINE   4
/* Pins this near (full-size px, each way) share their displacements. */
#define RL_IMAGE_MATCH_NEIGHBOURHOOD   (4 * RL_IMAGE_MATCH_PATCH)
/* The same element: re-encoding and anti-aliasing keep NCC above this. */
#define RL_IMAGE_MATCH_SAME_NCC        0.97
/* Below this nothing under the pin is left: the element was removed. A
 * changed label on the same button stays above it. */
#define RL_IMAGE_MATCH_MIN_NCC         0.65
/* A pixel differs when its Y′, Cb or Cr differs by more than this (of 255):
 * above re-encoding noise, below any recolour a reviewer would notice. */
#define RL_IMAGE_MATCH_PIXEL_TOLERANCE 24
/* The pixels under a pin are the same when at most this share differs:
 * a recoloured 16 px icon in a 96 px patch is 2.8 %. */
#define RL_IMAGE_MATCH_CHANGED_SHARE   0.01

/* The pixels right under the pin, this many px square inside the patch:
 * real interfaces are dense, and a patch whose outer part changed (a line
 * added to the text beside, the neighbouring card gone) may still hold the
 * very element the pin is on. */
#define RL_IMAGE_MATCH_CORE            (RL_IMAGE_MATCH_PATCH / 2)
/* The element right under the pin: this many px square around it. Blank
 * at the place found where it was not (RL_IMAGE_MATCH_FLAT_STDDEV), the
 * element is gone, however much of its surroundings is left. */
#define RL_IMAGE_MATCH_CENTRE          (RL_IMAGE_MATCH_PATCH / 4)
/* Where nothing correlates any more, the same edges at the same place
 * (NCC of the luma gradients' magnitudes at least this) are the same
 * screen restyled (a dark style inverts luma, its edges stay): changed,
 * not gone. */
#define RL_IMAGE_MATCH_STRUCTURE_NCC   0.8
/* A pin goes elsewhere as changed (recoloured and moved) only where the
 * edges are this alike: look-alikes with smooth fills (another card's
 * photo) correlate well, their edges do not. */
#define RL_IMAGE_MATCH_MOVED_STRUCTURE_NCC 0.95

/* One 8-bit plane: width × height samples, rows rowstride bytes apart. */
typedef struct
{
  int           width;
  int           height;
  int           rowstride;
  const guint8 *data;
} RlPlane;

/* An image as the matcher reads it: luma, and chroma of the same size or
 * with data NULL (judged on luma only). */
typedef struct
{
  RlPlane y;
  RlPlane cb;
  RlPlane cr;
} RlImagePlanes;

/* Converts RGB or RGBA pixels (bytes in that order, n_channels 3 or 4, as
 * GdkPixbuf holds them; alpha over white, as the app shows an image) to
 * BT.601 full-range Y′, Cb and Cr planes. Returns the one buffer that holds
 * all three (g_free() it after the planes' last use). */
guint8 *rl_image_planes_from_rgb (RlImagePlanes *planes,
                                  int            width,
                                  int            height,
                                  int            rowstride,
                                  int            n_channels,
                                  const guint8  *pixels);

/* Batch form for a whole revision (many pins, two images): the pyramids are
 * built once. The planes are borrowed: they must stay alive and unchanged
 * until the matcher is freed. Each plane at least 1 × 1 px. */
typedef struct _RlImageMatcher RlImageMatcher;

RlImageMatcher   *rl_image_matcher_new   (const RlImagePlanes *old_image,
                                          const RlImagePlanes *new_image);
/* Places the pin at (x, y) (fractions of the old image) on the new image:
 * *new_x and *new_y (nullable) get its fractions there, for an orphan the
 * old ones; score (nullable) as above. A pin outside 0..1 or not finite is
 * orphaned with score 0. */
RlPlacementStatus rl_image_matcher_place (RlImageMatcher      *self,
                                          double               x,
                                          double               y,
                                          double              *new_x,
                                          double              *new_y,
                                          double              *score);
void              rl_image_matcher_free  (RlImageMatcher      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlImageMatcher, rl_image_matcher_free)

G_END_DECLS
