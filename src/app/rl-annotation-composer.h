/* rl-annotation-composer.h — the popover where a page annotation's first
 * comment is typed, under the quoted passage it is about
 *
 * An RlComposerBase ("submit", the text, the error line) with the quote
 * above the text; the page view decides what a submit does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-composer-base.h"

G_BEGIN_DECLS

#define RL_TYPE_ANNOTATION_COMPOSER (rl_annotation_composer_get_type ())
G_DECLARE_FINAL_TYPE (RlAnnotationComposer, rl_annotation_composer, RL, ANNOTATION_COMPOSER, RlComposerBase)

GtkWidget  *rl_annotation_composer_new             (void);
/* The passage being annotated, shown (shortened) above the text. */
void        rl_annotation_composer_set_quote       (RlAnnotationComposer *self,
                                                    const char           *quote);
const char *rl_annotation_composer_get_quote       (RlAnnotationComposer *self);
char       *rl_annotation_composer_dup_text        (RlAnnotationComposer *self);
void        rl_annotation_composer_set_text        (RlAnnotationComposer *self,
                                                    const char           *text);
/* NULL hides the error. */
void        rl_annotation_composer_set_error       (RlAnnotationComposer *self,
                                                    const char           *message);
const char *rl_annotation_composer_get_error       (RlAnnotationComposer *self);

G_END_DECLS
