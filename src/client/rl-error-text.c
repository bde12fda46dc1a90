/* rl-error-text.c — what an error code means, in the user's language
 *
 * The server's messages are English and written for developers (PROTOCOL.md
 * §8); what a person reads is chosen here from the code, and the server's
 * words go to the debug log. This is the one table from codes to words
 * (see the header for the two that name a host or a file).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rl-error-text.h"

typedef struct
{
  const char *text;     /* a sentence of its own */
  const char *reason;   /* why a change failed, to follow "…: " */
} ErrorWords;

/* Indexed by RlErrorCode. */
static const ErrorWords error_words[] = {
  [RL_ERROR_BAD_REQUEST] = { N_("The server refused this as invalid"),
                             N_("the server refused it as invalid") },
  [RL_ERROR_UNKNOWN_TYPE] = { N_("The server does not know this request; it may be an older version"),
                              N_("the server ran into a problem") },
  [RL_ERROR_NOT_FOUND] = { N_("It no longer exists"),
                           N_("it no longer exists") },
  [RL_ERROR_FORBIDDEN] = { N_("You don’t have permission to do that"),
                           N_("you don’t have permission") },
  [RL_ERROR_CONFLICT] = { N_("Someone else changed it first"),
                          N_("someone else changed it first") },
  [RL_ERROR_TOO_LARGE] = { N_("It is too large for the server"),
                           N_("it is too large") },
  [RL_ERROR_RATE_LIMITED] = { N_("Too many changes at once; wait a moment and try again"),
                              N_("too many changes at once; wait a moment") },
  [RL_ERROR_INTERNAL] = { N_("The server ran into a problem"),
                          N_("the server ran into a problem") },
  [RL_ERROR_UNAUTHORIZED] = { N_("The server no longer accepts this account’s token"),
                              N_("you’re signed out") },
  [RL_ERROR_OFFLINE] = { N_("You’re offline"),
                         N_("you’re offline") },
  [RL_ERROR_TIMEOUT] = { N_("The server did not answer in time"),
                         N_("the server did not answer in time") },
  [RL_ERROR_CONNECTION_LOST] = { N_("The connection was lost"),
                                 N_("the connection was lost") },
};

static const ErrorWords *
words_of (int code)
{
  if (code < 0 || (gsize) code >= G_N_ELEMENTS (error_words))
    return NULL;
  return &error_words[code];
}

const char *
rl_error_text (RlErrorCode code)
{
  const ErrorWords *words = words_of ((int) code);

  return words ? _(words->text) : _("Something went wrong");
}

const char *
rl_error_reason (const GError *error)
{
  const ErrorWords *words;

  if (error == NULL)
    return _("unknown error");
  if (error->domain != RL_ERROR)
    return error->message;
  words = words_of (error->code);
  return _(words ? words->reason : error_words[RL_ERROR_INTERNAL].reason);
}

typedef struct
{
  const char *offline;
  const char *invalid;  /* NULL: error's message */
  const char *gone;     /* NULL: error's message */
} RefusalWords;

/* Indexed by RlChange. */
static const RefusalWords refusal_words[] = {
  [RL_CHANGE_NEW_MARKER] = { N_("You’re offline. The marker was not added; send it again when you’re back."),
                             N_("The comment is empty or too long."),
                             NULL },
  [RL_CHANGE_NEW_COMMENT] = { N_("You’re offline. The comment was not added; send it again when you’re back."),
                              N_("The comment is empty or too long."),
                              NULL },
  [RL_CHANGE_IN_THREAD] = { N_("You’re offline: nothing was sent. Your text is kept; try again when you’re back."),
                            N_("A comment needs 1 to 4000 characters."),
                            N_("This thread or comment no longer exists.") },
  [RL_CHANGE_MOVE_MARKER] = { N_("You’re offline: the marker can be moved when you’re back."), NULL, NULL },
};

const char *
rl_error_refusal (RlChange      change,
                  const GError *error)
{
  const RefusalWords *words;

  g_return_val_if_fail ((gsize) change < G_N_ELEMENTS (refusal_words), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  words = &refusal_words[change];
  if (g_error_matches (error, RL_ERROR, RL_ERROR_OFFLINE))
    return _(words->offline);
  if (words->invalid != NULL && g_error_matches (error, RL_ERROR, RL_ERROR_BAD_REQUEST))
    return _(words->invalid);
  if (words->gone != NULL && g_error_matches (error, RL_ERROR, RL_ERROR_NOT_FOUND))
    return _(words->gone);
  return error->message;
}

/* Indexed by RlChange: made on a version that is no longer the latest. */
static const char *outdated_words[] = {
  [RL_CHANGE_NEW_MARKER] = N_("A newer version of this document was just uploaded. Your text is kept."),
  [RL_CHANGE_NEW_COMMENT] = N_("A newer version of this document was just uploaded. Your text is kept."),
  [RL_CHANGE_IN_THREAD] = N_("A newer version of this document was just uploaded."),
  [RL_CHANGE_MOVE_MARKER] = N_("A newer version of this document was just uploaded. The marker stays where it was."),
};

const char *
rl_error_outdated (RlChange change)
{
  g_return_val_if_fail ((gsize) change < G_N_ELEMENTS (outdated_words), NULL);
  return _(outdated_words[change]);
}

/* detail: the server's own message, kept for the debug log only. */
GError *
rl_error_new_translated (RlErrorCode  code,
                         const char  *detail)
{
  if (detail != NULL && *detail != '\0')
    g_debug ("server error %s: %s", rl_error_code_to_string (code), detail);
  return g_error_new_literal (RL_ERROR, code, rl_error_text (code));
}
