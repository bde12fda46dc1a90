/* rl-composer-base.h — what the marker and annotation composers share: a
 * popover with a heading, the text being typed, an error line and Send
 *
 * It only collects text: "submit" says the user asked to send (Send or
 * Ctrl+Enter) and the view that owns it decides what happens; an error it
 * sets is shown inside, above the kept text. Send is enabled only while
 * the text has more than blanks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RL_TYPE_COMPOSER_BASE (rl_composer_base_get_type ())
G_DECLARE_DERIVABLE_TYPE (RlComposerBase, rl_composer_base, RL, COMPOSER_BASE, GtkPopover)

struct _RlComposerBaseClass
{
  GtkPopoverClass parent_class;
};

char       *rl_composer_base_dup_text        (RlComposerBase *self);
/* NULL empties it; the cursor goes to the end. */
void        rl_composer_base_set_text        (RlComposerBase *self,
                                              const char     *text);
/* NULL hides the error. */
void        rl_composer_base_set_error       (RlComposerBase *self,
                                              const char     *message);
const char *rl_composer_base_get_error       (RlComposerBase *self);
GtkWidget  *rl_composer_base_get_text_view   (RlComposerBase *self);
GtkWidget  *rl_composer_base_get_send_button (RlComposerBase *self);

/* For subclasses: a widget shown between the heading and the text. */
void        rl_composer_base_add_header      (RlComposerBase *self,
                                              GtkWidget      *child);

G_END_DECLS
