/* rl-test-mockup.h — a mockup drawn with cairo, for the image matcher
 *
 * One card (RL_MOCKUP_CARD_WIDTH × RL_MOCKUP_CARD_HEIGHT): a header with a
 * logo and navigation, a heading, a paragraph of text-like stripes, a
 * photo-like block of noise, two buttons with labels and a round icon.
 * A canvas holds a grid of cards, each drawn with its own seeds so no two
 * are alike; the edits of a layout (a shifted body, the primary button
 * recoloured or relabelled, the icon recoloured or removed) apply to the
 * first card, the shift to every card.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RL_MOCKUP_CARD_WIDTH  900
#define RL_MOCKUP_CARD_HEIGHT 700
/* Cards of a grid are this far apart. */
#define RL_MOCKUP_PITCH_X     1000
#define RL_MOCKUP_PITCH_Y     750

typedef struct
{
  int      canvas_width;
  int      canvas_height;
  /* Where the first card is drawn on its canvas. */
  int      origin_x;
  int      origin_y;
  /* Cards across and down (0 counts as 1). */
  int      columns;
  int      rows;
  /* Everything below a card's header moves by this (a shifted layout),
   * card n's by card_shift × n px more each way. */
  int      body_dx;
  int      body_dy;
  int      card_shift;
  /* The first card's primary button fill, and what its label says. */
  double   button[3];
  guint32  label;
  /* The first card's icon fill; FALSE: removed. */
  double   icon[3];
  gboolean with_icon;
} RlMockup;

/* One card on a canvas of its size, as first drawn. */
RlMockup  rl_mockup_base   (void);
/* The mockup as the RGB bytes (3 a pixel, rows canvas_width × 3 apart) a
 * decoder gives; g_free() them. */
guint8   *rl_mockup_render (const RlMockup *mockup);
/* The same as a PNG file at path. */
gboolean  rl_mockup_write_png (const RlMockup *mockup,
                               const char     *path);

G_END_DECLS
