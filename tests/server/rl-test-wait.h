/* rl-test-wait.h — waiting on a condition in a test, the way GLib's and
 * libsoup's own test helpers do: the main context is iterated until an
 * expression holds, with a time limit, and no callback is written for it
 *
 * Header only (GLib alone), so that every test program can use it: those
 * with a server (rl-test-server.h includes it), the store's and the
 * listener's, the client's and the UI's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

static inline gboolean
rl_test_flag_set_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* One iteration of the default main context, blocking at most until the
 * monotonic time until (µs); FALSE, without iterating, once it has passed. */
static inline gboolean
rl_test_iterate_until (gint64 until)
{
  gint64 left = until - g_get_monotonic_time ();
  gboolean expired = FALSE;
  guint id;

  if (left <= 0)
    return FALSE;
  /* Woken at the deadline at the latest, whatever else comes. */
  id = g_timeout_add ((guint) ((left + 999) / 1000), rl_test_flag_set_cb, &expired);
  g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return TRUE;
}

/* Iterates the default main context for ms, whatever happens: for a test
 * that shows something does not happen in that time. */
static inline void
rl_test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, rl_test_flag_set_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Iterates the default main context until expr holds or ms pass; whether
 * it holds then: for a wait whose outcome the test asserts itself (one
 * that must not come true, say) or does not need. */
#define RL_TEST_POLL_UNTIL(expr, ms) \
  G_GNUC_EXTENSION ({ \
    gint64 rl_test_until_ = g_get_monotonic_time () + (gint64) (ms) * G_TIME_SPAN_MILLISECOND; \
    while (!(expr) && rl_test_iterate_until (rl_test_until_)) \
      ; \
    (gboolean) !!(expr); \
  })

/* The one way to wait on a condition: iterates the default main context
 * until expr holds, failing the test (naming expr, file and line) when it
 * does not within ms:
 *   RL_TEST_WAIT_UNTIL (client->closed, 5000); */
#define RL_TEST_WAIT_UNTIL(expr, ms) \
  RL_TEST_ASSERT_WITHIN_ (RL_TEST_POLL_UNTIL (expr, ms), #expr, #ms)

/* Fails the test unless held, saying what did not hold (expr_text) within
 * ms_text, and where. */
#define RL_TEST_ASSERT_WITHIN_(held, expr_text, ms_text) \
  G_STMT_START { \
    if (!(held)) \
      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, \
                           "did not hold within " ms_text " ms: " expr_text); \
  } G_STMT_END

static inline gboolean
rl_test_tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* RL_TEST_POLL_UNTIL for a state no main-context event tells of (another
 * process's, the bus's, another thread's): expr is looked at every 10 ms. */
#define RL_TEST_LOOK_UNTIL(expr, ms) \
  G_GNUC_EXTENSION ({ \
    guint rl_test_tick_ = g_timeout_add (10, rl_test_tick_cb, NULL); \
    gboolean rl_test_held_ = RL_TEST_POLL_UNTIL (expr, ms); \
    g_source_remove (rl_test_tick_); \
    rl_test_held_; \
  })

/* RL_TEST_WAIT_UNTIL for such a state. */
#define RL_TEST_WAIT_LOOKING(expr, ms) \
  RL_TEST_ASSERT_WITHIN_ (RL_TEST_LOOK_UNTIL (expr, ms), #expr, #ms)

G_END_DECLS
