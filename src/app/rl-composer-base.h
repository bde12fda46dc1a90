/* rl-composer-base.h — what the marker and annotation composers share: a
 * popover with a heading, the text being typed, an error line, Discard
 * and Send, and the drafts
 *
 * It only collects text: "submit" says the user asked to send (Send or
 * Ctrl+Enter) and the view that owns it decides what happens; an error it
 * sets is shown inside, above the kept text. Send is enabled only while
 * the text has more than blanks.
 *
 * Typed text is never thrown away unasked. Each composer edits a draft: a
 * place in the document (the view's, as a GVariant: "(dd)" for a marker,
 * "(uu)" for a passage) and its text. Closing the popover (Escape, a click
 * elsewhere, another document) keeps a draft that holds more than blanks,
 * for the view to show (a draft pin, a draft highlight) and reopen with
 * rl_composer_base_resume; only Discard (or closing with nothing typed)
 * drops it, and a send that went out (rl_composer_base_sent). Drafts are
 * kept per document and user (rl_composer_base_set_store) for the
 * composer's life, so a document left and opened again shows its drafts
 * again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-doc-store.h"
#include "rl-error-text.h"

G_BEGIN_DECLS

#define RL_TYPE_COMPOSER_BASE (rl_composer_base_get_type ())
G_DECLARE_DERIVABLE_TYPE (RlComposerBase, rl_composer_base, RL, COMPOSER_BASE, GtkPopover)

struct _RlComposerBaseClass
{
  GtkPopoverClass parent_class;
};

/* A draft, owned by the composer: valid until the next "drafts-changed". */
typedef struct _RlComposerDraft RlComposerDraft;

GVariant        *rl_composer_draft_get_place       (RlComposerDraft *draft);
/* The text as last kept (the open draft's is in the composer). */
const char      *rl_composer_draft_get_text        (RlComposerDraft *draft);

char            *rl_composer_base_dup_text         (RlComposerBase *self);
/* NULL empties it; the cursor goes to the end. */
void             rl_composer_base_set_text         (RlComposerBase *self,
                                                    const char     *text);
/* NULL hides the error. */
void             rl_composer_base_set_error        (RlComposerBase *self,
                                                    const char     *message);
/* An error that holds while the store's connection is not online (a send
 * refused as offline): it goes by itself once the link is back. */
void             rl_composer_base_set_offline_error (RlComposerBase *self,
                                                     const char     *message);
/* The store refused change (error) at once: its words (rl_error_refusal)
 * shown, as an offline error when it was refused as offline. */
void             rl_composer_base_show_refusal     (RlComposerBase *self,
                                                    RlChange        change,
                                                    const GError   *error);
const char      *rl_composer_base_get_error        (RlComposerBase *self);
GtkWidget       *rl_composer_base_get_text_view    (RlComposerBase *self);
GtkWidget       *rl_composer_base_get_send_button  (RlComposerBase *self);
GtkWidget       *rl_composer_base_get_discard_button (RlComposerBase *self);

/* Whose drafts are current: the store's document's, for its user; NULL for
 * none. The open draft is closed and kept under the previous one; drafts
 * begun with no document (a Retry before the document is shown) become the
 * new one's, still open. */
void             rl_composer_base_set_store        (RlComposerBase *self,
                                                    RlDocStore     *store);
/* The current document's drafts, oldest first, the open one included: of
 * RlComposerDraft*, owned by the composer. */
GPtrArray       *rl_composer_base_get_drafts       (RlComposerBase *self);
/* The draft being edited, or NULL. */
RlComposerDraft *rl_composer_base_get_current      (RlComposerBase *self);
/* A new draft at place (a floating reference is sunk) with text (NULL:
 * empty) becomes the one edited; the open one is closed (and kept) first.
 * The caller places the popover and pops it up. */
RlComposerDraft *rl_composer_base_begin            (RlComposerBase *self,
                                                    GVariant       *place,
                                                    const char     *text);
/* A kept draft becomes the one edited, its text back in the composer. */
void             rl_composer_base_resume           (RlComposerBase *self,
                                                    RlComposerDraft *draft);
/* Sends the text as a new thread at anchor in store: TRUE with its id in
 * thread_id, the draft being edited forgotten and the composer emptied
 * and closed; or FALSE with the refusal shown (as change, see
 * rl_composer_base_show_refusal) and the text kept, to fix or send again. */
gboolean         rl_composer_base_send_thread      (RlComposerBase *self,
                                                    RlDocStore     *store,
                                                    const RlAnchor *anchor,
                                                    RlChange        change,
                                                    char          **thread_id);
/* The draft being edited is thrown away and the popover closed: Discard. */
void             rl_composer_base_discard          (RlComposerBase *self);

/* For subclasses: a widget shown between the heading and the text. */
void             rl_composer_base_add_header       (RlComposerBase *self,
                                                    GtkWidget      *child);

G_END_DECLS
