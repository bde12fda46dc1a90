/* test-error-text.c — the one table from error codes to words
 *
 * Every code's sentence and reason, and every refusal's words, to the
 * letter: they were written in several places before, and what the user
 * reads must not have moved.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>

#include "rl-error-text.h"

static const struct
{
  RlErrorCode  code;
  const char  *text;
  const char  *reason;
} expected[] = {
  { RL_ERROR_BAD_REQUEST, "The server refused this as invalid", "the server refused it as invalid" },
  { RL_ERROR_UNKNOWN_TYPE, "The server does not know this request; it may be an older version",
    "the server ran into a problem" },
  { RL_ERROR_NOT_FOUND, "It no longer exists", "it no longer exists" },
  { RL_ERROR_FORBIDDEN, "You don’t have permission to do that", "you don’t have permission" },
  { RL_ERROR_CONFLICT, "Someone else changed it first", "someone else changed it first" },
  { RL_ERROR_TOO_LARGE, "It is too large for the server", "it is too large" },
  { RL_ERROR_RATE_LIMITED, "Too many changes at once; wait a moment and try again",
    "too many changes at once; wait a moment" },
  { RL_ERROR_INTERNAL, "The server ran into a problem", "the server ran into a problem" },
  { RL_ERROR_UNAUTHORIZED, "The server no longer accepts this account’s token", "you’re signed out" },
  { RL_ERROR_OFFLINE, "You’re offline", "you’re offline" },
  { RL_ERROR_TIMEOUT, "The server did not answer in time", "the server did not answer in time" },
  { RL_ERROR_CONNECTION_LOST, "The connection was lost", "the connection was lost" },
};

static void
test_every_code (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (RL_ERROR, expected[i].code, "the server's words");

      g_assert_cmpstr (rl_error_text (expected[i].code), ==, expected[i].text);
      g_assert_cmpstr (rl_error_reason (error), ==, expected[i].reason);
    }
  g_assert_cmpuint (G_N_ELEMENTS (expected), ==, RL_ERROR_CONNECTION_LOST + 1);
}

/* A code this build does not know, another domain's error, no error. */
static void
test_others (void)
{
  g_autoptr(GError) unknown = g_error_new_literal (RL_ERROR, RL_ERROR_CONNECTION_LOST + 1, "new");
  g_autoptr(GError) negative = g_error_new_literal (RL_ERROR, -1, "odd");
  g_autoptr(GError) file = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No such file");

  g_assert_cmpstr (rl_error_text (RL_ERROR_CONNECTION_LOST + 1), ==, "Something went wrong");
  g_assert_cmpstr (rl_error_reason (unknown), ==, "the server ran into a problem");
  g_assert_cmpstr (rl_error_reason (negative), ==, "the server ran into a problem");
  g_assert_cmpstr (rl_error_reason (file), ==, "No such file");
  g_assert_cmpstr (rl_error_reason (NULL), ==, "unknown error");
}

/* The server's detail goes to the debug log, never into the user's words. */
static void
test_translated (void)
{
  g_autoptr(GError) error = rl_error_new_translated (RL_ERROR_CONFLICT, "row version 3 != 4");

  g_assert_error (error, RL_ERROR, RL_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==, "Someone else changed it first");
}

/* A change the store refused at once, by what was being done: offline and
 * invalid in that change's words (a move's invalid keeps its message: NULL
 * below), gone only in a thread's; any other error keeps its message. */
static const struct
{
  RlChange     change;
  const char  *offline;
  const char  *invalid;
  const char  *gone;
} expected_refusals[] = {
  { RL_CHANGE_NEW_MARKER,
    "You’re offline. The marker was not added; send it again when you’re back.",
    "The comment is empty or too long.",
    "It no longer exists" },
  { RL_CHANGE_NEW_COMMENT,
    "You’re offline. The comment was not added; send it again when you’re back.",
    "The comment is empty or too long.",
    "It no longer exists" },
  { RL_CHANGE_IN_THREAD,
    "You’re offline: nothing was sent. Your text is kept; try again when you’re back.",
    "A comment needs 1 to 4000 characters.",
    "This thread or comment no longer exists." },
  { RL_CHANGE_MOVE_MARKER,
    "You’re offline: the marker can be moved when you’re back.",
    NULL,
    "It no longer exists" },
};

static void
test_refusals (void)
{
  g_autoptr(GError) offline = rl_error_new_translated (RL_ERROR_OFFLINE, NULL);
  g_autoptr(GError) invalid = rl_error_new_translated (RL_ERROR_BAD_REQUEST, "text too long");
  g_autoptr(GError) gone = rl_error_new_translated (RL_ERROR_NOT_FOUND, "no such thread");
  g_autoptr(GError) conflict = rl_error_new_translated (RL_ERROR_CONFLICT, NULL);
  g_autoptr(GError) file = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No such file");

  for (guint i = 0; i < G_N_ELEMENTS (expected_refusals); i++)
    {
      RlChange change = expected_refusals[i].change;

      g_assert_cmpstr (rl_error_refusal (change, offline), ==, expected_refusals[i].offline);
      g_assert_cmpstr (rl_error_refusal (change, invalid), ==,
                       expected_refusals[i].invalid ? expected_refusals[i].invalid : invalid->message);
      g_assert_cmpstr (rl_error_refusal (change, gone), ==, expected_refusals[i].gone);
      g_assert_cmpstr (rl_error_refusal (change, conflict), ==, "Someone else changed it first");
      g_assert_cmpstr (rl_error_refusal (change, file), ==, "No such file");
    }
  g_assert_cmpuint (G_N_ELEMENTS (expected_refusals), ==, RL_CHANGE_MOVE_MARKER + 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/error-text/every-code", test_every_code);
  g_test_add_func ("/client/error-text/others", test_others);
  g_test_add_func ("/client/error-text/translated", test_translated);
  g_test_add_func ("/client/error-text/refusals", test_refusals);

  return g_test_run ();
}
