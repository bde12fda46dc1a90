/* rl-image-pin.h — one thread of an image as a numbered pin
 *
 * A focusable child of the image view, drawn as the number the server
 * gave its thread ("…" until it has), with the "a teammate just added
 * this" ring. It knows nothing of the view: it keeps its thread's anchor,
 * and while it is being moved where it is shown; what a person does to it
 * comes out as signals, in its parent's coordinates:
 *
 * - "pressed": a primary press on it (it takes the focus);
 * - "dragged" (dx, dy): the pointer moved this far since the press;
 * - "released": the press ended, or a keyboard move is done (the keys
 *   rested, or Enter);
 * - "activated": Enter or Space on it while it is not being moved;
 * - "nudged" (dx, dy): Alt+arrows, in pixels (10, with Shift 1);
 * - "focused": it took the keyboard focus.
 *
 * Escape puts a pin being moved back without a signal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-doc-store.h"

G_BEGIN_DECLS

#define RL_TYPE_IMAGE_PIN (rl_image_pin_get_type ())
G_DECLARE_FINAL_TYPE (RlImagePin, rl_image_pin, RL, IMAGE_PIN, GtkWidget)

/* user_id: the signed-in user, whose own replies are not news. */
RlImagePin   *rl_image_pin_new               (RlThreadItem *item,
                                              const char   *user_id);
/* The thread's id: the same for the pin's whole life. */
const char   *rl_image_pin_get_id            (RlImagePin   *self);
RlThreadItem *rl_image_pin_get_item          (RlImagePin   *self);
/* TRUE when the item is a new one: its label and place are made again. */
gboolean      rl_image_pin_set_item          (RlImagePin   *self,
                                              RlThreadItem *item);
/* Hidden while its thread is resolved and this is set. */
void          rl_image_pin_set_hide_resolved (RlImagePin   *self,
                                              gboolean      hide_resolved);

/* The version of the image shown: the pin stands where its thread is
 * placed on it (rl_thread_get_anchor_on), hidden where it has no place. */
void          rl_image_pin_set_revision      (RlImagePin   *self,
                                              gint64        revision);

/* Where it is shown, in fractions of the image: where it is being moved
 * to, or its thread's anchor. */
void          rl_image_pin_get_shown_anchor  (RlImagePin   *self,
                                              double       *x,
                                              double       *y);
/* Its thread's anchor, in fractions of the image. */
void          rl_image_pin_get_anchor        (RlImagePin   *self,
                                              double       *x,
                                              double       *y);

/* The ring that draws the eye to a teammate's new marker or reply; TRUE
 * while it runs. */
void          rl_image_pin_start_pulse       (RlImagePin   *self);
gboolean      rl_image_pin_is_pulsing        (RlImagePin   *self);

/* Moving by pointer: begin_drag at the press (can_move: whether this
 * person may move it); drag by (dx, dy) pixels on an image shown
 * width × height pixels large (it moves once past a small threshold);
 * end_move: FALSE when it was not moved, else TRUE and where it was
 * dropped, in fractions. */
void          rl_image_pin_begin_drag        (RlImagePin   *self,
                                              gboolean      can_move);
void          rl_image_pin_drag              (RlImagePin   *self,
                                              double        dx,
                                              double        dy,
                                              double        width,
                                              double        height);
gboolean      rl_image_pin_end_move          (RlImagePin   *self,
                                              double       *x,
                                              double       *y);
/* Moving from the keyboard: by (dx, dy) fractions; "released" follows
 * once the keys rest. */
gboolean      rl_image_pin_is_moving         (RlImagePin   *self);
void          rl_image_pin_nudge             (RlImagePin   *self,
                                              double        dx,
                                              double        dy);

/* The first words of text, "…" after them if there are more: how pins and
 * drafts name what they say. */
char         *rl_image_pin_first_words       (const char   *text);

G_END_DECLS
