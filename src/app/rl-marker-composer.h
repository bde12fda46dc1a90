/* rl-marker-composer.h — the popover where a new image marker's first
 * comment is typed
 *
 * An RlComposerBase ("submit", the text, the error line) headed "New
 * marker"; the image view decides what a submit does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-composer-base.h"

G_BEGIN_DECLS

#define RL_TYPE_MARKER_COMPOSER (rl_marker_composer_get_type ())
G_DECLARE_FINAL_TYPE (RlMarkerComposer, rl_marker_composer, RL, MARKER_COMPOSER, RlComposerBase)

GtkWidget  *rl_marker_composer_new             (void);
char       *rl_marker_composer_dup_text        (RlMarkerComposer *self);
void        rl_marker_composer_set_text        (RlMarkerComposer *self,
                                                const char       *text);
/* NULL hides the error. */
void        rl_marker_composer_set_error       (RlMarkerComposer *self,
                                                const char       *message);
const char *rl_marker_composer_get_error       (RlMarkerComposer *self);

G_END_DECLS
