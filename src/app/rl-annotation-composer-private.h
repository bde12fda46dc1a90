/* rl-annotation-composer-private.h — the composer's real widgets, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-annotation-composer.h"

G_BEGIN_DECLS

/* The real widgets, for tests and for focus. */
GtkWidget  *rl_annotation_composer_get_text_view   (RlAnnotationComposer *self);
GtkWidget  *rl_annotation_composer_get_send_button (RlAnnotationComposer *self);

G_END_DECLS
