/* rl-marker-composer-private.h — the composer's real widgets, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-marker-composer.h"

G_BEGIN_DECLS

/* The real widgets, for tests and for focus. */
GtkWidget  *rl_marker_composer_get_text_view   (RlMarkerComposer *self);
GtkWidget  *rl_marker_composer_get_send_button (RlMarkerComposer *self);

G_END_DECLS
