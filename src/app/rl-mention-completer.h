/* rl-mention-completer.h — "@" in a comment's text completes the tenant's
 * members
 *
 * Attached to a text view (which owns it), it watches what is typed: an
 * "@" at the start of a word opens a list of the members of the
 * connection's session (rl_session_lookup_api; the user left out) under
 * the caret, filtered as one types by the start of the name or of one of
 * its words, case and accents aside (rl-mentions.h). The text keeps the
 * keyboard focus: Up and Down move in the list, Enter or Tab (or a click)
 * inserts the member, Escape closes the list and nothing else (the
 * composer stays open, its text kept). An inserted "@Name" is a mention
 * span that carries the member's id; an edit inside it turns it back into
 * plain text, so no half mention is ever sent. The list asks the server
 * for the members again (with their ETag) each time it opens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-connection.h"

G_BEGIN_DECLS

#define RL_TYPE_MENTION_COMPLETER (rl_mention_completer_get_type ())
G_DECLARE_FINAL_TYPE (RlMentionCompleter, rl_mention_completer, RL, MENTION_COMPLETER, GObject)

/* view's completer, made at the first call: it lives as long as view. */
RlMentionCompleter *rl_mention_completer_attach         (GtkTextView        *view);
/* Whose members are completed (and who "me" is): connection's session's;
 * NULL: none, no list opens. */
void                rl_mention_completer_set_connection (RlMentionCompleter *self,
                                                         RlConnection       *connection);
/* Whether the list is shown. */
gboolean            rl_mention_completer_is_open        (RlMentionCompleter *self);
/* The mention spans of the view's text as gtk_text_buffer_get_text gives
 * it all: of RlMention*, sorted, offsets in code points (as the store
 * takes them). */
GPtrArray          *rl_mention_completer_dup_mentions   (RlMentionCompleter *self);
/* The view's text becomes text (NULL: empty), with mentions (of
 * RlMention*, code points into text; NULL: none) as spans again (those
 * that are not "@…" inside text, in order, stay plain text); the cursor
 * goes to the end. */
void                rl_mention_completer_set_text       (RlMentionCompleter *self,
                                                         const char         *text,
                                                         GPtrArray          *mentions);

G_END_DECLS
