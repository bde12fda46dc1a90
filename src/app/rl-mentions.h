/* rl-mentions.h — people called into a comment, as the app shows them
 *
 * A comment's mentions (protocol 1.2, rl-model.h RlMention) name a user
 * id and the span of the body that was typed for them ("@Bob Smith").
 * What is shown is the member's CURRENT name, looked up by id in the
 * members of the connection's session (rl_session_lookup_api), so a
 * renamed person still reads right; the span's own text when they are
 * not listed. Mentions are highlighted, the user's own more strongly.
 * Completion matches names without regard to case or accents.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-api.h"
#include "rl-connection.h"

G_BEGIN_DECLS

/* What a name or a typed query is compared by: case folded, accents and
 * other combining marks dropped, compatibility forms unified. */
char     *rl_mention_fold          (const char  *text);
/* Whether folded_query (rl_mention_fold's) begins name, or begins one of
 * its words ("sm" matches "Bob Smith", "bob sm" too). */
gboolean  rl_mention_name_matches  (const char  *name,
                                    const char  *folded_query);
/* body as shown: each well-formed span of mentions (of RlMention*, NULL:
 * none) replaced by "@" and the member's current name in api (NULL: none
 * known; the span's text then), the others left as they are. attrs, when
 * asked, gets the highlight of each span (stronger for user id me). */
char     *rl_mention_format_body   (const char     *body,
                                    GPtrArray      *mentions,
                                    RlApi          *api,
                                    const char     *me,
                                    PangoAttrList **attrs);
/* label shows comment text body with its mentions (rl_mention_format_body
 * for connection's user and session), and shows it again whenever a
 * mentioned member is renamed or the members are listed anew; "notify::label"
 * says so. connection NULL: the spans' own text, highlighted. */
void      rl_mention_label_set     (GtkLabel       *label,
                                    const char     *body,
                                    GPtrArray      *mentions,
                                    RlConnection   *connection);

G_END_DECLS
