/* rl-banner.h — a message across the top of the content, with an optional button
 *
 * libadwaita 1.3's AdwBanner for 1.2: a GtkRevealer that slides down, a
 * label and a button; styled by the `banner` class of style.css. Once it
 * has slid out it is not visible at all: no room, and no layout time for
 * its wrapping label.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RL_TYPE_BANNER (rl_banner_get_type ())
G_DECLARE_FINAL_TYPE (RlBanner, rl_banner, RL, BANNER, GtkWidget)

GtkWidget  *rl_banner_new              (void);

const char *rl_banner_get_title        (RlBanner   *self);
void        rl_banner_set_title        (RlBanner   *self,
                                        const char *title);
/* NULL or "" hides the button. */
const char *rl_banner_get_button_label (RlBanner   *self);
void        rl_banner_set_button_label (RlBanner   *self,
                                        const char *label);
gboolean    rl_banner_get_revealed     (RlBanner   *self);
void        rl_banner_set_revealed     (RlBanner   *self,
                                        gboolean    revealed);

G_END_DECLS
