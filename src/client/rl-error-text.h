/* rl-error-text.h — what an error code means, in the user's language
 *
 * The words for an error code live here: a sentence of its own, a reason
 * that follows "…: ", and what to say when the store refused a change at
 * once, by what was being done. Two places map codes to sentences of their
 * own, because theirs name what only they know: the connect dialog
 * (describe_failure in src/app/rl-connect-dialog.c: the server's host and
 * port) and uploads (upload_error in src/client/rl-api.c: the file's name
 * and the server's limits).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-error.h"

G_BEGIN_DECLS

const char *rl_error_text           (RlErrorCode   code);
/* Why a change failed, as a clause that follows "…: " ("Reply not sent:
 * you’re offline"): an RL_ERROR's from its code, another's its message. */
const char *rl_error_reason         (const GError *error);
GError     *rl_error_new_translated (RlErrorCode   code,
                                     const char   *detail);

/* What was being done when the store refused a change at once. */
typedef enum
{
  RL_CHANGE_NEW_MARKER,  /* a marker on an image, from its composer */
  RL_CHANGE_NEW_COMMENT, /* a comment on a page's passage, from its composer */
  RL_CHANGE_IN_THREAD,   /* a reply, an edit, a deletion or a resolve in a thread */
  RL_CHANGE_MOVE_MARKER, /* a marker dragged or nudged to another place */
} RlChange;

/* What to tell the user, as a sentence, about a change the store refused
 * at once (error from rl_doc_store_*): offline in the words of what was
 * being done, invalid too (but for a move) and, in a thread, gone;
 * otherwise error's message, already in the user's words. */
const char *rl_error_refusal        (RlChange      change,
                                     const GError *error);
/* What to tell the user about a change the server refused as a conflict
 * because it was made on a version of the document that is no longer the
 * latest (1.1: a newer one arrived meanwhile). */
const char *rl_error_outdated       (RlChange      change);

G_END_DECLS
