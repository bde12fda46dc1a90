/* fuzz-invite.c — invite links and server addresses, as a user pastes them
 *
 * Every input is tried as an invite link and as a server address. What is
 * refused gets an error of RL_INVITE_ERROR, in UTF-8, that never repeats the
 * token;
 * what is accepted has one spelling: the address a link gives normalizes to
 * itself, and formatting it back into a link gives the same address and
 * token.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-fuzz.h"
#include "rl-invite.h"

static void
check_server_url (const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *again = rl_server_url_normalize (url, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, url);
  g_assert_true (g_str_has_prefix (url, "ws://") || g_str_has_prefix (url, "wss://"));
}

/* The value after the first "token=", when it looks like a token, is long
 * enough that no message could hold it by chance, and is nowhere else in the
 * link (where it could be another part the error may name); else NULL. */
static char *
token_in (const char *link)
{
  const char *start = strstr (link, "token=");
  g_autofree char *token = NULL;
  gsize len;

  if (start == NULL)
    return NULL;
  start += strlen ("token=");
  len = strspn (start, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");
  if (len < 16)
    return NULL;
  token = g_strndup (start, len);
  if (strstr (link, token) != start || strstr (start + 1, token) != NULL)
    return NULL;
  return g_steal_pointer (&token);
}

static void
fuzz_link (const char *link)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *server_url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *server_url_again = NULL;
  g_autofree char *token_again = NULL;
  g_autofree char *fingerprint_again = NULL;

  if (!rl_invite_parse (link, &server_url, &token, &fingerprint, &error))
    {
      g_assert_nonnull (error);
      g_autofree char *secret = token_in (link);

      g_assert_true (error->domain == RL_INVITE_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      /* An error is shown and may be logged: never with the token. */
      g_assert_true (secret == NULL || strstr (error->message, secret) == NULL);
      g_assert_null (server_url);
      g_assert_null (token);
      g_assert_null (fingerprint);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token), >=, 1);
  g_assert_cmpuint (strlen (token), <=, RL_INVITE_TOKEN_MAX);
  check_server_url (server_url);
  if (fingerprint != NULL)
    {
      /* pinned as kept: 64 lower-case hexadecimal digits, and only over TLS */
      g_assert_cmpuint (strlen (fingerprint), ==, RL_FINGERPRINT_LENGTH);
      g_assert_cmpuint (strspn (fingerprint, "0123456789abcdef"), ==, RL_FINGERPRINT_LENGTH);
      g_assert_true (g_str_has_prefix (server_url, "wss://"));
    }

  formatted = rl_invite_format (server_url, token, fingerprint, &error);
  g_assert_no_error (error);
  g_assert_true (rl_invite_parse (formatted, &server_url_again, &token_again, &fingerprint_again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (server_url_again, ==, server_url);
  g_assert_cmpstr (token_again, ==, token);
  g_assert_cmpstr (fingerprint_again, ==, fingerprint);
}

static void
fuzz_server_url (const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normal = rl_server_url_normalize (url, &error);
  g_autofree char *link = NULL;

  if (normal == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == RL_INVITE_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  g_assert_no_error (error);
  check_server_url (normal);

  link = rl_invite_format (normal, "fuzz-token", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (link);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* A link is a C string wherever it comes from (a paste, argv, D-Bus). */
  g_autofree char *text = g_strndup ((const char *) data, size);

  fuzz_link (text);
  fuzz_server_url (text);
  return 0;
}
