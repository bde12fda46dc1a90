/* test-account.c — strict invite links, and accounts in a real keyring
 *
 * The keyring tests start their own gnome-keyring-daemon (login keyring
 * unlocked with the password "pw", its files in a temporary directory) on
 * the session bus the runner made with dbus-run-session. They refuse to run
 * next to another Secret Service, so a real keyring is never touched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "rl-account.h"
#include "rl-client-test.h"
#include "rl-connection.h"
#include "rl-invite.h"
#include "rl-pinned-database.h"
#include "rl-test-server.h"

/* In the daemon's process, between fork and exec. */
static void
die_with_test (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Tokens the keyring tests store: searched for in files and in the log. */
#define TOKEN_ADA "uAda.Zq9secretTOKENforAda-_~"
#define TOKEN_BOB "uBob.Zq9secretTOKENforBob-_~"
#define TOKEN_CAT "uCat.Zq9secretTOKENforCat-_~"
#define TOKEN_NEW "uAda.Zq9secretTOKENreplaced"

static const char *secret_tokens[] = { TOKEN_ADA, TOKEN_BOB, TOKEN_CAT, TOKEN_NEW, "Zq9secret" };
static gboolean token_was_logged;

/* Every log line passes here first: a token in one is a failure. */
static GLogWriterOutput
checking_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length == 0 || fields[i].value == NULL)
        continue;
      for (gsize t = 0; t < G_N_ELEMENTS (secret_tokens); t++)
        {
          gsize len = fields[i].length < 0 ? strlen (fields[i].value) : (gsize) fields[i].length;

          if (g_strstr_len (fields[i].value, len, secret_tokens[t]) != NULL)
            token_was_logged = TRUE;
        }
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* ---- invite links ---------------------------------------------------------- */

/* One SHA-256 fingerprint, spelt as an invite link may spell it. */
#define FP_LOWER "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FP_UPPER "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
#define FP_COLONS "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"
#define FP_COLONS_LOWER "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef"
#define FP_ENCODED_COLONS "01%3A23%3A45%3A67%3A89%3Aab%3Acd%3Aef%3A01%3A23%3A45%3A67%3A89%3Aab%3Acd%3Aef%3A" \
                          "01%3A23%3A45%3A67%3A89%3Aab%3Acd%3Aef%3A01%3A23%3A45%3A67%3A89%3Aab%3Acd%3Aef"

typedef struct
{
  const char *link;
  const char *url;
  const char *token;
  const char *fp;
} ValidLink;

static const ValidLink valid_links[] = {
  { "redline://review.example/join?token=abc.DEF-_~9&tls=1", "wss://review.example", "abc.DEF-_~9" },
  { "redline://review.example:8443/join?token=t&tls=1", "wss://review.example:8443", "t" },
  { "redline://127.0.0.1:8765/join?token=u1.s3cr3t&tls=0", "ws://127.0.0.1:8765", "u1.s3cr3t" },
  { "redline://[::1]:8765/join?token=t&tls=0", "ws://[::1]:8765", "t" },
  { "redline://[2001:db8::7]/join?token=t", "wss://[2001:db8::7]", "t" },
  /* No tls: TLS on. Host names are case-insensitive: one spelling. */
  { "redline://Review.EXAMPLE/join?token=t", "wss://review.example", "t" },
  { "REDLINE://h/join?token=t", "wss://h", "t" },
  { "redline://h/join?tls=0&token=t", "ws://h", "t" },
  /* A default port is left out; another port stays. */
  { "redline://h:443/join?token=t&tls=1", "wss://h", "t" },
  { "redline://h:80/join?token=t&tls=0", "ws://h", "t" },
  { "redline://h:443/join?token=t&tls=0", "ws://h:443", "t" },
  { "redline://h:1/join?token=t", "wss://h:1", "t" },
  { "redline://h:65535/join?token=t", "wss://h:65535", "t" },
  { "redline://a-b.c-d.example/join?token=t", "wss://a-b.c-d.example", "t" },
  { "redline://bücher.example/join?token=t", "wss://xn--bcher-kva.example", "t" },
  { "redline://h/join?token=%41b", "wss://h", "Ab" },
  /* A pinned certificate, in each spelling; kept in one. */
  { "redline://h:8443/join?token=t&tls=1&fp=" FP_LOWER, "wss://h:8443", "t", FP_LOWER },
  { "redline://h/join?token=t&fp=" FP_COLONS, "wss://h", "t", FP_LOWER },
  { "redline://h/join?fp=" FP_COLONS_LOWER "&token=t", "wss://h", "t", FP_LOWER },
  { "redline://h/join?token=t&fp=" FP_UPPER, "wss://h", "t", FP_LOWER },
  { "redline://h/join?token=t&fp=" FP_ENCODED_COLONS, "wss://h", "t", FP_LOWER },
};

typedef struct
{
  const char    *link;
  RlInviteError  code;
} BadLink;

static const BadLink bad_links[] = {
  { "", RL_INVITE_ERROR_MALFORMED },
  { "review.example/join?token=t", RL_INVITE_ERROR_MALFORMED },
  { " redline://h/join?token=t", RL_INVITE_ERROR_MALFORMED },
  { "https://h/join?token=t", RL_INVITE_ERROR_SCHEME },
  { "wss://h/join?token=t", RL_INVITE_ERROR_SCHEME },
  { "redlines://h/join?token=t", RL_INVITE_ERROR_SCHEME },
  { "redline:/join?token=t", RL_INVITE_ERROR_HOST },
  { "redline:///join?token=t", RL_INVITE_ERROR_HOST },
  { "redline://:8765/join?token=t", RL_INVITE_ERROR_HOST },
  { "redline://h b/join?token=t", RL_INVITE_ERROR_HOST },
  { "redline://h;x/join?token=t", RL_INVITE_ERROR_HOST },
  { "redline://-h/join?token=t", RL_INVITE_ERROR_HOST },
  { "redline://h./join?token=t", RL_INVITE_ERROR_HOST },
  { "redline://a..b/join?token=t", RL_INVITE_ERROR_HOST },
  { "redline://[::1/join?token=t", RL_INVITE_ERROR_HOST },
  { "redline://[v1.x]/join?token=t", RL_INVITE_ERROR_HOST },
  { "redline://[fe80::1%25eth0]/join?token=t", RL_INVITE_ERROR_HOST },
  { "redline://h:0/join?token=t", RL_INVITE_ERROR_PORT },
  { "redline://h:65536/join?token=t", RL_INVITE_ERROR_PORT },
  { "redline://h:99999999999/join?token=t", RL_INVITE_ERROR_PORT },
  { "redline://h:-1/join?token=t", RL_INVITE_ERROR_PORT },
  { "redline://h:8x/join?token=t", RL_INVITE_ERROR_PORT },
  { "redline://h:/join?token=t", RL_INVITE_ERROR_PORT },
  { "redline://[::1]:/join?token=t", RL_INVITE_ERROR_PORT },
  { "redline://u@h/join?token=t", RL_INVITE_ERROR_USERINFO },
  { "redline://u:p@h/join?token=t", RL_INVITE_ERROR_USERINFO },
  { "redline://@h/join?token=t", RL_INVITE_ERROR_USERINFO },
  { "redline://h?token=t", RL_INVITE_ERROR_PATH },
  { "redline://h/?token=t", RL_INVITE_ERROR_PATH },
  { "redline://h/join/?token=t", RL_INVITE_ERROR_PATH },
  { "redline://h/Join?token=t", RL_INVITE_ERROR_PATH },
  { "redline://h/joinx?token=t", RL_INVITE_ERROR_PATH },
  { "redline://h/a/join?token=t", RL_INVITE_ERROR_PATH },
  { "redline://h/join?token=t#x", RL_INVITE_ERROR_FRAGMENT },
  { "redline://h/join?token=t#", RL_INVITE_ERROR_FRAGMENT },
  { "redline://h/join", RL_INVITE_ERROR_TOKEN },
  { "redline://h/join?tls=1", RL_INVITE_ERROR_TOKEN },
  { "redline://h/join?token=", RL_INVITE_ERROR_TOKEN },
  { "redline://h/join?token=a+b", RL_INVITE_ERROR_TOKEN },
  { "redline://h/join?token=a/b", RL_INVITE_ERROR_TOKEN },
  { "redline://h/join?token=a%2Fb", RL_INVITE_ERROR_TOKEN },
  { "redline://h/join?token=a%20b", RL_INVITE_ERROR_TOKEN },
  { "redline://h/join?token=t;tls=1", RL_INVITE_ERROR_TOKEN },
  { "redline://h/join?token=t&tls=2", RL_INVITE_ERROR_TLS },
  { "redline://h/join?token=t&tls=", RL_INVITE_ERROR_TLS },
  { "redline://h/join?token=t&tls=true", RL_INVITE_ERROR_TLS },
  { "redline://h/join?token=t&tls=01", RL_INVITE_ERROR_TLS },
  { "redline://h/join?token=t&token=u", RL_INVITE_ERROR_PARAMETER },
  { "redline://h/join?token=t&tls=1&tls=1", RL_INVITE_ERROR_PARAMETER },
  { "redline://h/join?token=t&x=1", RL_INVITE_ERROR_PARAMETER },
  { "redline://h/join?Token=t", RL_INVITE_ERROR_PARAMETER },
  { "redline://h/join?token=t&=1", RL_INVITE_ERROR_PARAMETER },
  { "redline://h/join?", RL_INVITE_ERROR_MALFORMED },
  { "redline://h/join?token=t&", RL_INVITE_ERROR_MALFORMED },
  { "redline://h/join?&token=t", RL_INVITE_ERROR_MALFORMED },
  { "redline://h/join?token=t&&tls=1", RL_INVITE_ERROR_MALFORMED },
  { "redline://h/join?token", RL_INVITE_ERROR_MALFORMED },
  { "redline://h/join?token=a%zz", RL_INVITE_ERROR_MALFORMED },
  { "redline://h/join?token=a%00b", RL_INVITE_ERROR_MALFORMED },
  /* fp: 64 hexadecimal digits, bare or paired with colons, and only with TLS. */
  { "redline://h/join?token=t&fp=", RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=0123456789abcdef", RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=" FP_LOWER "0", RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=" FP_LOWER "00", RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
    RL_INVITE_ERROR_FINGERPRINT },
  /* Colons between some pairs only, doubled, at an end, or between other digits. */
  { "redline://h/join?token=t&fp=01:23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=:" FP_COLONS, RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=" FP_COLONS ":", RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=012:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F",
    RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=01::23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:E",
    RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=01-23-45-67-89-AB-CD-EF-01-23-45-67-89-AB-CD-EF-01-23-45-67-89-AB-CD-EF-01-23-45-67-89-AB-CD-EF",
    RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=%20" FP_LOWER, RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=" FP_LOWER "%00", RL_INVITE_ERROR_MALFORMED },
  { "redline://h/join?token=t&fp=sha256:" FP_LOWER, RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&tls=0&fp=" FP_LOWER, RL_INVITE_ERROR_FINGERPRINT },
  { "redline://h/join?token=t&fp=" FP_LOWER "&fp=" FP_LOWER, RL_INVITE_ERROR_PARAMETER },
  { "redline://h/join?token=t&FP=" FP_LOWER, RL_INVITE_ERROR_PARAMETER },
};

static void
assert_valid_link (const char *link,
                   const char *url,
                   const char *token,
                   const char *fp)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got_url = NULL;
  g_autofree char *got_token = NULL;
  g_autofree char *got_fp = NULL;

  if (!rl_invite_parse (link, &got_url, &got_token, &got_fp, &error))
    g_error ("“%s” was refused: %s", link, error->message);
  g_assert_cmpstr (got_url, ==, url);
  g_assert_cmpstr (got_token, ==, token);
  g_assert_cmpstr (got_fp, ==, fp);
}

static void
test_invite_valid (void)
{
  g_autoptr(GString) long_token = g_string_new (NULL);
  g_autofree char *link = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (valid_links); i++)
    assert_valid_link (valid_links[i].link, valid_links[i].url, valid_links[i].token, valid_links[i].fp);

  /* The longest token there may be. */
  for (int i = 0; i < RL_INVITE_TOKEN_MAX; i++)
    g_string_append_c (long_token, "aZ09-._~"[i % 8]);
  link = g_strdup_printf ("redline://h:8765/join?token=%s&tls=0", long_token->str);
  assert_valid_link (link, "ws://h:8765", long_token->str, NULL);
}

static void
test_invite_invalid (void)
{
  g_autoptr(GString) long_token = g_string_new (NULL);
  g_autofree char *link = NULL;
  g_autoptr(GError) long_error = NULL;
  char *url = NULL;
  char *token = NULL;
  char *fp = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (bad_links); i++)
    {
      g_autoptr(GError) error = NULL;

      if (rl_invite_parse (bad_links[i].link, &url, &token, &fp, &error))
        g_error ("“%s” was accepted as %s", bad_links[i].link, url);
      if (!g_error_matches (error, RL_INVITE_ERROR, bad_links[i].code))
        g_error ("“%s”: expected error code %d, got %s %d: %s", bad_links[i].link, bad_links[i].code,
                 g_quark_to_string (error->domain), error->code, error->message);
      g_assert_cmpstr (error->message, !=, "");
      g_assert_null (url);
      g_assert_null (token);
      g_assert_null (fp);
    }

  for (int i = 0; i <= RL_INVITE_TOKEN_MAX; i++)
    g_string_append_c (long_token, 'a');
  link = g_strdup_printf ("redline://h/join?token=%s", long_token->str);
  g_assert_false (rl_invite_parse (link, &url, &token, &fp, &long_error));
  g_assert_error (long_error, RL_INVITE_ERROR, RL_INVITE_ERROR_TOKEN);
}

/* An error is shown and may be logged: the token never is in it. */
static void
test_invite_error_hides_token (void)
{
  static const char *links[] = {
    "redline://h:0/join?token=" TOKEN_ADA,
    "redline://u@h/join?token=" TOKEN_ADA,
    "redline://h/join?token=" TOKEN_ADA "#frag",
    "redline://h/join?token=" TOKEN_ADA "&tls=2",
    "redline://h/join?token=" TOKEN_ADA "&token=" TOKEN_ADA,
    "redline://h/join?tokn=" TOKEN_ADA,
    "redline://h/join?token=" TOKEN_ADA "%zz",
    "redline://h/join?token=" TOKEN_ADA "+",
    "https://h/join?token=" TOKEN_ADA,
    "redline://h b/join?token=" TOKEN_ADA,
    /* a "?" typed as "&": GUri quoted the port or host, token and all */
    "redline://h:80&token=" TOKEN_ADA "/join",
    "redline://[h&token=" TOKEN_ADA "]/join",
    "redline://h/join?token=" TOKEN_ADA "&fp=" TOKEN_ADA,
    "redline://h/join?token=" TOKEN_ADA "&tls=0&fp=" FP_LOWER,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autoptr(GError) error = NULL;
      char *url = NULL;
      char *token = NULL;
      char *fp = NULL;

      g_assert_false (rl_invite_parse (links[i], &url, &token, &fp, &error));
      g_assert_nonnull (error);
      g_assert_null (strstr (error->message, "Zq9secret"));
    }
}

/* Found by fuzz-invite: GUri quotes what it could not read, byte for byte,
 * and a link from the command line need not be UTF-8; the error it became
 * was shown as it was (and could hold the token: error-hides-token). */
static void
test_invite_error_is_utf8 (void)
{
  static const char *inputs[] = {
    "redline://[Rmpl\xbd.e.com:444p/join?token=t",
    "redline://h\xff:80/join?token=t",
    "redline://h:8\xc3/join?token=t",
    "wss://[Rmpl\xbd.e.com:444p",
    "ws://h:\xe2\x82",
    /* an unknown parameter's name is shown, cut short: never in a character */
    "redline://h/join?token=t&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9=1",
    "redline://h/join?token=t&%ff=1",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) link_error = NULL;
      g_autoptr(GError) url_error = NULL;
      g_autofree char *url = NULL;
      g_autofree char *token = NULL;
      g_autofree char *fingerprint = NULL;
      g_autofree char *normal = NULL;

      g_assert_false (rl_invite_parse (inputs[i], &url, &token, &fingerprint, &link_error));
      g_assert_nonnull (link_error);
      g_assert_true (g_utf8_validate (link_error->message, -1, NULL));
      normal = rl_server_url_normalize (inputs[i], &url_error);
      g_assert_null (normal);
      g_assert_nonnull (url_error);
      g_assert_true (g_utf8_validate (url_error->message, -1, NULL));
    }
}

static void
test_invite_format (void)
{
  static const struct { const char *url; const char *link; } cases[] = {
    { "wss://review.example:8443", "redline://review.example:8443/join?token=u1.s-_~&tls=1" },
    { "wss://Review.Example:443/", "redline://review.example/join?token=u1.s-_~&tls=1" },
    { "ws://127.0.0.1:8765", "redline://127.0.0.1:8765/join?token=u1.s-_~&tls=0" },
    { "ws://[::1]:8765", "redline://[::1]:8765/join?token=u1.s-_~&tls=0" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) parse_error = NULL;
      g_autofree char *link = rl_invite_format (cases[i].url, "u1.s-_~", NULL, &parse_error);
      g_autofree char *normalized = rl_server_url_normalize (cases[i].url, NULL);
      g_autofree char *url = NULL;
      g_autofree char *token = NULL;
      g_autofree char *fp = NULL;

      g_assert_no_error (parse_error);
      g_assert_cmpstr (link, ==, cases[i].link);
      /* What is made is read back as it was. */
      g_assert_true (rl_invite_parse (link, &url, &token, &fp, &parse_error));
      g_assert_null (fp);
      g_assert_cmpstr (url, ==, normalized);
      g_assert_cmpstr (token, ==, "u1.s-_~");
    }

  /* With a pinned certificate: the fingerprint as kept, read back the same. */
  {
    g_autofree char *link = rl_invite_format ("wss://Review.Example:8443", "u1.s-_~", FP_COLONS, &error);
    g_autofree char *url = NULL;
    g_autofree char *token = NULL;
    g_autofree char *fp = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (link, ==, "redline://review.example:8443/join?token=u1.s-_~&tls=1&fp=" FP_LOWER);
    g_assert_true (rl_invite_parse (link, &url, &token, &fp, &error));
    g_assert_cmpstr (url, ==, "wss://review.example:8443");
    g_assert_cmpstr (fp, ==, FP_LOWER);
  }
  bad = rl_invite_format ("ws://h:8765", "t", FP_LOWER, &error);
  g_assert_null (bad);
  g_assert_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_FINGERPRINT);
  g_clear_error (&error);
  bad = rl_invite_format ("wss://h", "t", "0123", &error);
  g_assert_null (bad);
  g_assert_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_FINGERPRINT);
  g_clear_error (&error);

  bad = rl_invite_format ("wss://h", "a b", NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_TOKEN);
  g_clear_error (&error);
  bad = rl_invite_format ("https://h", "t", NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_SCHEME);
}

static void
test_server_url_normalize (void)
{
  static const struct { const char *in; const char *out; } good[] = {
    { "wss://review.example:8443", "wss://review.example:8443" },
    { "wss://review.example:8443/", "wss://review.example:8443" },
    { "WSS://REVIEW.example", "wss://review.example" },
    { "wss://h:443", "wss://h" },
    { "ws://h:80", "ws://h" },
    { "ws://h:443", "ws://h:443" },
    { "ws://[::1]:8765", "ws://[::1]:8765" },
  };
  static const struct { const char *in; RlInviteError code; } bad[] = {
    { "", RL_INVITE_ERROR_MALFORMED },
    { "review.example", RL_INVITE_ERROR_MALFORMED },
    { "https://h", RL_INVITE_ERROR_SCHEME },
    { "redline://h", RL_INVITE_ERROR_SCHEME },
    { "wss://", RL_INVITE_ERROR_HOST },
    { "wss://h b", RL_INVITE_ERROR_HOST },
    { "wss://h:0", RL_INVITE_ERROR_PORT },
    { "wss://h:70000", RL_INVITE_ERROR_PORT },
    { "wss://h:", RL_INVITE_ERROR_PORT },
    { "wss://u:p@h", RL_INVITE_ERROR_USERINFO },
    { "wss://h/api/v1/ws", RL_INVITE_ERROR_PATH },
    { "wss://h?token=t", RL_INVITE_ERROR_PARAMETER },
    { "wss://h#x", RL_INVITE_ERROR_FRAGMENT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = rl_server_url_normalize (good[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, good[i].out);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = rl_server_url_normalize (bad[i].in, &error);

      if (out != NULL)
        g_error ("“%s” was accepted as %s", bad[i].in, out);
      if (!g_error_matches (error, RL_INVITE_ERROR, bad[i].code))
        g_error ("“%s”: expected error code %d, got %d: %s", bad[i].in, bad[i].code, error->code, error->message);
    }
}

/* ---- the account object ---------------------------------------------------- */

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(int *) user_data)++;
}

static void
test_account_object (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlAccount) ada = rl_account_new ("WSS://Review.Example:8443/", "uAda", NULL, &error);
  g_autoptr(RlAccount) same = NULL;
  g_autoptr(RlAccount) other_user = NULL;
  g_autoptr(RlAccount) plain = NULL;
  g_autoptr(RlAccount) bad = NULL;
  g_autofree char *label = NULL;
  int notified = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (rl_account_get_server_url (ada), ==, "wss://review.example:8443");
  g_assert_cmpstr (rl_account_get_user_id (ada), ==, "uAda");
  g_assert_true (rl_account_get_tls (ada));
  g_assert_cmpstr (rl_account_get_label (ada), ==, "uAda on review.example:8443");

  g_signal_connect (ada, "notify::label", G_CALLBACK (count_notify), &notified);
  rl_account_set_label (ada, "  Ada on review  ");
  g_assert_cmpstr (rl_account_get_label (ada), ==, "Ada on review");
  g_assert_cmpint (notified, ==, 1);
  rl_account_set_label (ada, "Ada on review");
  g_assert_cmpint (notified, ==, 1);
  rl_account_set_label (ada, "   ");
  g_assert_cmpstr (rl_account_get_label (ada), ==, "uAda on review.example:8443");
  g_assert_cmpint (notified, ==, 2);
  g_object_get (ada, "label", &label, NULL);
  g_assert_cmpstr (label, ==, "uAda on review.example:8443");

  same = rl_account_new ("wss://review.example:8443", "uAda", "Another label", &error);
  other_user = rl_account_new ("wss://review.example:8443", "uBob", NULL, &error);
  plain = rl_account_new ("ws://127.0.0.1:8765", "uAda", "Ada locally", &error);
  g_assert_no_error (error);
  g_assert_true (rl_account_equal (ada, same));
  g_assert_false (rl_account_equal (ada, other_user));
  g_assert_false (rl_account_equal (ada, plain));
  g_assert_false (rl_account_get_tls (plain));
  g_assert_cmpstr (rl_account_get_label (plain), ==, "Ada locally");

  /* A pinned certificate: normalized, checked, only with TLS. */
  g_assert_null (rl_account_get_fingerprint (ada));
  g_assert_true (rl_account_set_fingerprint (ada, FP_COLONS, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rl_account_get_fingerprint (ada), ==, FP_LOWER);
  g_assert_false (rl_account_set_fingerprint (ada, "01:23", &error));
  g_assert_error (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpstr (rl_account_get_fingerprint (ada), ==, FP_LOWER);
  g_assert_true (rl_account_set_fingerprint (ada, NULL, &error));
  g_assert_null (rl_account_get_fingerprint (ada));
  g_assert_false (rl_account_set_fingerprint (plain, FP_LOWER, &error));
  g_assert_error (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (rl_account_get_fingerprint (plain));

  bad = rl_account_new ("https://review.example", "uAda", NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID);
  g_clear_error (&error);
  bad = rl_account_new ("wss://review.example", "", NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID);
  g_clear_error (&error);
  bad = rl_account_new ("wss://review.example", "u\nA", NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID);
}

/* ---- a private keyring ----------------------------------------------------- */

#define SECRETS_NAME "org.freedesktop.secrets"

typedef struct
{
  GDBusConnection *bus;
  char            *dir;       /* the daemon's XDG_DATA_HOME and control directory */
  GSubprocess     *daemon;
  gboolean         ready;     /* FALSE: setup failed, the test has already failed */
} Keyring;

static char *
name_owner (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  char *owner = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", SECRETS_NAME), G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply)
    g_variant_get (reply, "(s)", &owner);
  return owner;
}

static guint32
owner_pid (GDBusConnection *bus,
           const char      *owner)
{
  g_autoptr(GVariant) reply = NULL;
  guint32 pid = 0;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", owner), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply)
    g_variant_get (reply, "(u)", &pid);
  return pid;
}

static gboolean
our_daemon_owns_secrets (Keyring *k)
{
  g_autofree char *owner = name_owner (k->bus);

  if (g_subprocess_get_identifier (k->daemon) == NULL)
    return TRUE; /* it exited: no point in waiting */
  return owner != NULL && owner_pid (k->bus, owner) == (guint32) atoi (g_subprocess_get_identifier (k->daemon));
}

static gboolean
secrets_unowned (Keyring *k)
{
  g_autofree char *owner = name_owner (k->bus);

  return owner == NULL;
}

/* Starts gnome-keyring-daemon on k->dir (the same keyring files each time)
 * and waits until it serves the bus; FALSE (the test failed) if it can't. */
static gboolean
start_daemon (Keyring *k)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *data_home = g_build_filename (k->dir, "data", NULL);
  g_autofree char *control = g_build_filename (k->dir, "control", NULL);
  g_autofree char *control_arg = g_strconcat ("--control-directory=", control, NULL);
  g_autofree char *log = g_build_filename (k->dir, "daemon.log", NULL);
  GOutputStream *password;

  g_assert_cmpint (g_mkdir_with_parents (data_home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (control, 0700), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  /* Its keyrings go to our directory, never to the user's. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  /* Its complaints (no prompter here, on purpose) are shown only on failure. */
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  /* Gone with the test, even one that aborts: the next test on this bus
   * must find no Secret Service but its own. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  k->daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground", "--unlock",
                                           "--components=secrets", control_arg, NULL);
  if (k->daemon == NULL)
    {
      g_test_fail_printf ("Could not start gnome-keyring-daemon (package gnome-keyring): %s", error->message);
      return FALSE;
    }
  /* --unlock reads the login keyring's password from stdin, up to its end;
   * with no login keyring yet, it creates one with that password. */
  password = g_subprocess_get_stdin_pipe (k->daemon);
  g_output_stream_write_all (password, "pw", 2, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (password, NULL, &error);
  g_assert_no_error (error);

  /* The bus is another process: looked at every 10 ms. */
  if (!RL_TEST_LOOK_UNTIL (our_daemon_owns_secrets (k), 15000) || g_subprocess_get_identifier (k->daemon) == NULL)
    {
      g_autofree char *said = NULL;

      g_file_get_contents (log, &said, NULL, NULL);
      g_test_fail_printf ("gnome-keyring-daemon did not take %s on the session bus; it said: %s", SECRETS_NAME,
                          said ? said : "nothing");
      return FALSE;
    }
  return TRUE;
}

static void
keyring_setup (Keyring       *k,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_fail_printf ("No session bus (DBUS_SESSION_BUS_ADDRESS is unset): run this test inside "
                          "dbus-run-session --config-file=tests/dbus-session.conf, as ./build-aux/dev test does");
      return;
    }
  k->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  owner = name_owner (k->bus);
  if (owner != NULL)
    {
      g_test_fail_printf ("A Secret Service (%s) already runs on this session bus; this test starts its own "
                          "in a private bus (dbus-run-session) so that it never touches a real keyring",
                          owner);
      return;
    }

  k->dir = g_dir_make_tmp ("redline-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  k->ready = start_daemon (k);
}

static void
stop_daemon (Keyring *k)
{
  /* libsecret keeps one service proxy and session per process: drop them
   * with the daemon, so that the next one starts afresh. */
  secret_service_disconnect ();
  if (k->daemon == NULL)
    return;
  if (g_subprocess_get_identifier (k->daemon) != NULL)
    {
      g_subprocess_send_signal (k->daemon, SIGTERM);
      g_assert_true (g_subprocess_wait (k->daemon, NULL, NULL));
    }
  g_clear_object (&k->daemon);
  /* The next test checks the name is free; the bus may not know yet. */
  g_assert_true (RL_TEST_LOOK_UNTIL (secrets_unowned (k), 10000));
}

static void
keyring_teardown (Keyring       *k,
                  gconstpointer  data)
{
  stop_daemon (k);
  if (k->dir)
    rl_client_test_remove_tree (k->dir);
  g_free (k->dir);
  g_clear_object (&k->bus);
  g_assert_false (token_was_logged);
}

/* ---- waiting for async calls ---- */

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  RL_TEST_WAIT_UNTIL (wait->result != NULL, 30000);
  return wait->result;
}

static gboolean
save (RlAccount   *account,
      const char  *token,
      GError     **error)
{
  Wait wait = { NULL };
  gboolean ok;

  rl_account_save (account, token, NULL, on_done, &wait);
  ok = rl_account_save_finish (account, wait_for (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static char *
lookup (RlAccount  *account,
        GError    **error)
{
  Wait wait = { NULL };
  char *token;

  rl_account_lookup_token (account, NULL, on_done, &wait);
  token = rl_account_lookup_token_finish (account, wait_for (&wait), error);
  g_object_unref (wait.result);
  return token;
}

static gboolean
delete (RlAccount  *account,
        GError    **error)
{
  Wait wait = { NULL };
  gboolean ok;

  rl_account_delete (account, NULL, on_done, &wait);
  ok = rl_account_delete_finish (account, wait_for (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static GListModel *
list_all (GError **error)
{
  Wait wait = { NULL };
  GListModel *accounts;

  rl_account_list_all (NULL, on_done, &wait);
  accounts = rl_account_list_all_finish (wait_for (&wait), error);
  g_object_unref (wait.result);
  return accounts;
}

static RlAccount *
account_at (GListModel *accounts,
            guint       position)
{
  RlAccount *account = g_list_model_get_item (accounts, position);

  /* The model keeps it alive; the tests only read. */
  g_object_unref (account);
  return account;
}

static void
assert_account (RlAccount  *account,
                const char *server_url,
                const char *user_id,
                const char *label)
{
  g_assert_cmpstr (rl_account_get_server_url (account), ==, server_url);
  g_assert_cmpstr (rl_account_get_user_id (account), ==, user_id);
  g_assert_cmpstr (rl_account_get_label (account), ==, label);
  g_assert_cmpint (rl_account_get_tls (account), ==, g_str_has_prefix (server_url, "wss://"));
}

/* Every regular file under root holding one of the tokens in the clear;
 * visited counts the files read. */
static void
find_plain_tokens (const char *root,
                   GPtrArray  *found,
                   guint      *visited)
{
  g_autoptr(GDir) dir = g_dir_open (root, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          find_plain_tokens (path, found, visited);
          continue;
        }
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || !g_file_get_contents (path, &contents, &length, NULL))
        continue;
      (*visited)++;
      /* A runner's throwaway HOME is small; a real one is not the place. */
      g_assert_cmpuint (*visited, <, 20000);
      for (gsize t = 0; t < G_N_ELEMENTS (secret_tokens); t++)
        if (memmem (contents, length, secret_tokens[t], strlen (secret_tokens[t])) != NULL)
          g_ptr_array_add (found, g_strdup (path));
    }
}

static void
assert_no_plain_token (Keyring *k)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *keyring_file = g_build_filename (k->dir, "data", "keyrings", "login.keyring", NULL);
  const char *roots[] = {
    k->dir, g_get_home_dir (), g_get_user_data_dir (), g_get_user_config_dir (), g_get_user_cache_dir (),
    g_get_user_runtime_dir (),
  };
  guint visited = 0;

  /* The accounts went to disk, in the login keyring of our directory. */
  g_assert_true (g_file_test (keyring_file, G_FILE_TEST_IS_REGULAR));
  for (gsize i = 0; i < G_N_ELEMENTS (roots); i++)
    find_plain_tokens (roots[i], found, &visited);
  g_assert_cmpuint (visited, >, 0);
  for (guint i = 0; i < found->len; i++)
    g_test_message ("a token in the clear in %s", (char *) g_ptr_array_index (found, i));
  g_assert_cmpuint (found->len, ==, 0);
}

/* Two users of one server and the first user on another server: three
 * accounts, each with its own token, listed, looked up, one deleted. */
static void
test_keyring_round_trip (Keyring       *k,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlAccount) ada = NULL;
  g_autoptr(RlAccount) bob = NULL;
  g_autoptr(RlAccount) cat = NULL;
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(GListModel) after = NULL;
  g_autofree char *token_ada = NULL;
  g_autofree char *token_bob = NULL;
  g_autofree char *token_cat = NULL;
  g_autofree char *gone = NULL;

  if (!k->ready)
    return;

  accounts = list_all (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 0);
  g_clear_object (&accounts);

  ada = rl_account_new ("wss://review.example:8443", "uAda", "Ada on review", &error);
  bob = rl_account_new ("wss://review.example:8443", "uBob", NULL, &error);
  cat = rl_account_new ("ws://127.0.0.1:8765", "uAda", "Ada at home", &error);
  g_assert_no_error (error);

  g_assert_true (save (ada, TOKEN_ADA, &error));
  g_assert_no_error (error);
  g_assert_true (save (bob, TOKEN_BOB, &error));
  g_assert_no_error (error);
  g_assert_true (save (cat, TOKEN_CAT, &error));
  g_assert_no_error (error);

  accounts = list_all (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 3);
  g_assert_true (g_list_model_get_item_type (accounts) == RL_TYPE_ACCOUNT);
  /* Sorted by label. */
  assert_account (account_at (accounts, 0), "ws://127.0.0.1:8765", "uAda", "Ada at home");
  assert_account (account_at (accounts, 1), "wss://review.example:8443", "uAda", "Ada on review");
  assert_account (account_at (accounts, 2), "wss://review.example:8443", "uBob", "uBob on review.example:8443");

  /* Each account, as the list made it, finds its own token. */
  token_cat = lookup (account_at (accounts, 0), &error);
  g_assert_no_error (error);
  token_ada = lookup (account_at (accounts, 1), &error);
  g_assert_no_error (error);
  token_bob = lookup (account_at (accounts, 2), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token_ada, ==, TOKEN_ADA);
  g_assert_cmpstr (token_bob, ==, TOKEN_BOB);
  g_assert_cmpstr (token_cat, ==, TOKEN_CAT);

  g_assert_true (delete (bob, &error));
  g_assert_no_error (error);

  after = list_all (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (after), ==, 2);
  assert_account (account_at (after, 0), "ws://127.0.0.1:8765", "uAda", "Ada at home");
  assert_account (account_at (after, 1), "wss://review.example:8443", "uAda", "Ada on review");

  gone = lookup (bob, &error);
  g_assert_null (gone);
  g_assert_error (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (delete (bob, &error));
  g_assert_error (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The others are untouched. */
  g_clear_pointer (&token_ada, g_free);
  token_ada = lookup (ada, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token_ada, ==, TOKEN_ADA);
  g_clear_pointer (&token_cat, g_free);
  token_cat = lookup (cat, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token_cat, ==, TOKEN_CAT);

  /* On disk: a new daemon on the same files has the same accounts. */
  stop_daemon (k);
  g_assert_true (start_daemon (k));
  g_clear_object (&after);
  after = list_all (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (after), ==, 2);
  assert_account (account_at (after, 0), "ws://127.0.0.1:8765", "uAda", "Ada at home");
  assert_account (account_at (after, 1), "wss://review.example:8443", "uAda", "Ada on review");
  g_clear_pointer (&token_ada, g_free);
  token_ada = lookup (account_at (after, 1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token_ada, ==, TOKEN_ADA);

  assert_no_plain_token (k);
}

/* Saving an account again replaces its token and label: still one item. */
static void
test_keyring_replace (Keyring       *k,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlAccount) first = NULL;
  g_autoptr(RlAccount) again = NULL;
  g_autoptr(GListModel) accounts = NULL;
  g_autofree char *token = NULL;

  if (!k->ready)
    return;

  first = rl_account_new ("wss://review.example", "uAda", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (save (first, TOKEN_ADA, &error));
  g_assert_no_error (error);

  /* As the app does after a welcome: the same account, named now. */
  again = rl_account_new ("wss://review.example:443/", "uAda", "Ada Lovelace on review", &error);
  g_assert_no_error (error);
  g_assert_true (save (again, TOKEN_NEW, &error));
  g_assert_no_error (error);

  accounts = list_all (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 1);
  assert_account (account_at (accounts, 0), "wss://review.example", "uAda", "Ada Lovelace on review");
  token = lookup (first, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, TOKEN_NEW);

  /* Not a token: refused before the keyring is asked. */
  g_assert_false (save (first, "", &error));
  g_assert_error (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (save (first, "two words", &error));
  g_assert_error (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&token, g_free);
  token = lookup (first, &error);
  g_assert_cmpstr (token, ==, TOKEN_NEW);

  assert_no_plain_token (k);
}

/* The accounts' schema, as a keyring browser or an older version sees it. */
static const SecretSchema account_schema = {
  RL_ACCOUNT_SCHEMA_NAME,
  SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "fingerprint", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

/* The items of this (server, user), however many the keyring holds: the
 * attributes of each. */
static GPtrArray *
stored_items (Keyring    *k,
              const char *server,
              const char *user)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  Wait wait = { NULL };
  GList *items;

  /* As the app asks, in the main context: libsecret's sync calls leak
   * the D-Bus proxies of the items they find (a private context's). */
  secret_password_search (&account_schema, SECRET_SEARCH_ALL, NULL, on_done, &wait,
                          "server", server, "user", user, NULL);
  items = secret_password_search_finish (wait_for (&wait), &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  for (GList *l = items; l != NULL; l = l->next)
    g_ptr_array_add (found, secret_retrievable_get_attributes (l->data));
  g_list_free_full (items, g_object_unref);
  return found;
}

/* A pinned certificate is kept with the account and replaced with it:
 * another fingerprint, or none, is still one item. */
static void
test_keyring_fingerprint (Keyring       *k,
                          gconstpointer  data)
{
  static const char *fingerprints[] = { FP_COLONS, NULL, FP_LOWER, "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100" };
  static const char *kept[] = { FP_LOWER, NULL, FP_LOWER, "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100" };
  g_autoptr(GError) error = NULL;
  g_autoptr(RlAccount) ada = NULL;
  g_autoptr(RlAccount) bob = NULL;

  if (!k->ready)
    return;

  ada = rl_account_new ("wss://review.example:8443", "uAda", "Ada on review", &error);
  bob = rl_account_new ("wss://review.example:8443", "uBob", "Bob on review", &error);
  g_assert_no_error (error);
  g_assert_true (rl_account_set_fingerprint (bob, FP_LOWER, &error));
  g_assert_true (save (bob, TOKEN_BOB, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (fingerprints); i++)
    {
      g_autoptr(GListModel) accounts = NULL;
      g_autoptr(GPtrArray) items = NULL;
      g_autofree char *token = NULL;
      const char *token_now = i % 2 ? TOKEN_NEW : TOKEN_ADA;

      g_assert_true (rl_account_set_fingerprint (ada, fingerprints[i], &error));
      g_assert_true (save (ada, token_now, &error));
      g_assert_no_error (error);

      items = stored_items (k, "wss://review.example:8443", "uAda");
      g_assert_cmpuint (items->len, ==, 1);
      g_assert_cmpstr (g_hash_table_lookup (g_ptr_array_index (items, 0), "fingerprint"), ==, kept[i]);
      accounts = list_all (&error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 2);
      assert_account (account_at (accounts, 0), "wss://review.example:8443", "uAda", "Ada on review");
      g_assert_cmpstr (rl_account_get_fingerprint (account_at (accounts, 0)), ==, kept[i]);
      token = lookup (account_at (accounts, 0), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (token, ==, token_now);
    }

  /* The other user of the server kept his. */
  {
    g_autoptr(GListModel) accounts = list_all (&error);

    g_assert_no_error (error);
    assert_account (account_at (accounts, 1), "wss://review.example:8443", "uBob", "Bob on review");
    g_assert_cmpstr (rl_account_get_fingerprint (account_at (accounts, 1)), ==, FP_LOWER);
  }

  /* An item whose fingerprint is not one is not an account: trusting its
   * server any other way would undo the pin. */
  {
    Wait wait = { NULL };

    secret_password_store (&account_schema, SECRET_COLLECTION_DEFAULT, "Redline: broken", "uCat.x", NULL, on_done,
                           &wait, "server", "wss://review.example:8443", "user", "uCat",
                           "fingerprint", "not-a-fingerprint", NULL);
    g_assert_true (secret_password_store_finish (wait_for (&wait), &error));
    g_object_unref (wait.result);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GListModel) accounts = list_all (&error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 2);
  }
  assert_no_plain_token (k);
}

/* An account joined with a link that pinned a self-signed certificate,
 * saved, then read back by a new keyring daemon (as at the next start):
 * its server is trusted by that certificate again — and only by it. */
static void
test_keyring_pinned_after_restart (Keyring       *k,
                                   gconstpointer  data)
{
  g_autoptr(RlTestServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlAccount) account = NULL;
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(GTlsDatabase) pinned = NULL;
  g_autoptr(GTlsDatabase) other_pin = NULL;
  g_autoptr(RlConnection) conn = NULL;
  g_autoptr(RlConnection) refused = NULL;
  g_autoptr(GTlsCertificate) other = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *other_cert = NULL;
  g_autofree char *token = NULL;
  g_autofree char *link = NULL;
  g_autofree char *url = NULL;
  g_autofree char *link_token = NULL;
  g_autofree char *fp = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *other_fp = NULL;

  if (!k->ready)
    return;

  server = rl_test_server_new ();
  g_free (rl_test_server_admin (server, "tenant", "add", "acme", NULL));
  cert = rl_test_make_certificate (server->dir, "server", NULL);
  rl_test_server_use_tls (server, cert);
  rl_test_server_start (server);
  /* The invite link the server prints for the new member. */
  {
    g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", server->port);

    link = rl_test_server_admin (server, "user", "add", "--tenant", "acme", "--name", "Ada", "--invite-for", address,
                                 "--tls-cert", cert, NULL);
  }
  g_assert_true (rl_invite_parse (link, &url, &link_token, &fp, &error));
  g_assert_no_error (error);
  g_assert_nonnull (fp);

  /* Joined and welcomed: saved as the app saves it. */
  pinned = rl_pinned_database_new (fp);
  conn = rl_connection_new (url, link_token, pinned);
  rl_connection_start (conn);
  RL_TEST_WAIT_UNTIL (rl_connection_get_state (conn) == RL_CONNECTION_ONLINE, 10000);
  account = rl_account_new (url, rl_connection_get_welcome (conn)->user.id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rl_account_set_fingerprint (account, fp, &error));
  g_assert_true (save (account, link_token, &error));
  g_assert_no_error (error);
  g_clear_object (&conn);
  g_clear_object (&pinned);
  g_clear_object (&account);

  /* The next start: a new daemon on the same files. */
  stop_daemon (k);
  g_assert_true (start_daemon (k));
  accounts = list_all (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 1);
  stored = g_strdup (rl_account_get_fingerprint (account_at (accounts, 0)));
  g_assert_cmpstr (stored, ==, fp);
  token = lookup (account_at (accounts, 0), &error);
  g_assert_no_error (error);
  pinned = rl_pinned_database_new (stored);
  conn = rl_connection_new (rl_account_get_server_url (account_at (accounts, 0)), token, pinned);
  rl_connection_start (conn);
  RL_TEST_WAIT_UNTIL (rl_connection_get_state (conn) == RL_CONNECTION_ONLINE, 10000);

  /* The same server under a pin of another certificate is refused. */
  other_cert = rl_test_make_certificate (server->dir, "other", NULL);
  other = g_tls_certificate_new_from_file (other_cert, &error);
  g_assert_no_error (error);
  other_fp = rl_certificate_fingerprint (other);
  other_pin = rl_pinned_database_new (other_fp);
  refused = rl_connection_new (rl_account_get_server_url (account_at (accounts, 0)), token, other_pin);
  rl_connection_start (refused);
  RL_TEST_WAIT_UNTIL (rl_connection_get_state (refused) == RL_CONNECTION_UNTRUSTED, 10000);
  g_clear_object (&conn);
  g_clear_object (&refused);
  rl_test_server_stop (server);
}

/* A call cancelled before it starts answers cancelled and stores nothing. */
static void
test_keyring_cancelled (Keyring       *k,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(RlAccount) ada = NULL;
  g_autoptr(GListModel) accounts = NULL;
  Wait wait = { NULL };

  if (!k->ready)
    return;

  ada = rl_account_new ("wss://review.example", "uAda", NULL, &error);
  g_cancellable_cancel (cancellable);
  rl_account_save (ada, TOKEN_ADA, cancellable, on_done, &wait);
  g_assert_false (rl_account_save_finish (ada, wait_for (&wait), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&wait.result);

  accounts = list_all (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 0);
}

/* Each call fails with code: a lookup, the list, a save of token and a
 * delete. */
static void
assert_every_call_fails (RlAccount  *account,
                         const char *token,
                         int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) accounts = NULL;
  g_autofree char *found = NULL;

  found = lookup (account, &error);
  g_assert_null (found);
  g_assert_error (error, RL_ACCOUNT_ERROR, code);
  g_clear_error (&error);
  accounts = list_all (&error);
  g_assert_null (accounts);
  g_assert_error (error, RL_ACCOUNT_ERROR, code);
  g_clear_error (&error);
  g_assert_false (save (account, token, &error));
  g_assert_error (error, RL_ACCOUNT_ERROR, code);
  g_clear_error (&error);
  g_assert_false (delete (account, &error));
  g_assert_error (error, RL_ACCOUNT_ERROR, code);
}

/* The Secret Service goes away: each call says there is no keyring. */
static void
test_keyring_gone (Keyring       *k,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlAccount) ada = NULL;

  if (!k->ready)
    return;

  ada = rl_account_new ("wss://review.example", "uAda", NULL, &error);
  g_assert_true (save (ada, TOKEN_ADA, &error));
  g_assert_no_error (error);

  stop_daemon (k);

  assert_every_call_fails (ada, TOKEN_ADA, RL_ACCOUNT_ERROR_NO_KEYRING);
}

/* Locks the login collection as a screen lock would (no prompt needed). */
static void
lock_login_collection (Keyring *k)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *paths[] = { "/org/freedesktop/secrets/collection/login" };

  reply = g_dbus_connection_call_sync (k->bus, SECRETS_NAME, "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "Lock",
                                       g_variant_new ("(@ao)", g_variant_new_objv (paths, 1)),
                                       G_VARIANT_TYPE ("(aoo)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

/* A locked keyring that can't be unlocked (no prompt here): each call
 * says the keyring is locked; nothing crashes, nothing hangs. */
static void
test_keyring_locked (Keyring       *k,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlAccount) ada = NULL;
  g_autofree char *token = NULL;

  if (!k->ready)
    return;

  ada = rl_account_new ("wss://review.example", "uAda", NULL, &error);
  g_assert_true (save (ada, TOKEN_ADA, &error));
  g_assert_no_error (error);
  lock_login_collection (k);

  /* Twice each: a refused unlock leaves no state behind. */
  for (int round = 0; round < 2; round++)
    assert_every_call_fails (ada, TOKEN_NEW, RL_ACCOUNT_ERROR_LOCKED);

  /* Unlocked again (a new daemon, unlocked with its password): the token
   * is the first one, untouched by the refused save and delete. */
  stop_daemon (k);
  g_assert_true (start_daemon (k));
  token = lookup (ada, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, TOKEN_ADA);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_log_set_writer_func (checking_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/invite/valid", test_invite_valid);
  g_test_add_func ("/client/invite/invalid", test_invite_invalid);
  g_test_add_func ("/client/invite/error-hides-token", test_invite_error_hides_token);
  g_test_add_func ("/client/invite/error-is-utf8", test_invite_error_is_utf8);
  g_test_add_func ("/client/invite/format", test_invite_format);
  g_test_add_func ("/client/invite/server-url", test_server_url_normalize);
  g_test_add_func ("/client/account/object", test_account_object);

#define ADD(path, fn) g_test_add (path, Keyring, NULL, keyring_setup, fn, keyring_teardown)
  ADD ("/client/account/keyring/round-trip", test_keyring_round_trip);
  ADD ("/client/account/keyring/replace", test_keyring_replace);
  ADD ("/client/account/keyring/cancelled", test_keyring_cancelled);
  ADD ("/client/account/keyring/locked", test_keyring_locked);
  ADD ("/client/account/keyring/gone", test_keyring_gone);
  ADD ("/client/account/keyring/fingerprint", test_keyring_fingerprint);
  ADD ("/client/account/keyring/pinned-after-restart", test_keyring_pinned_after_restart);

  status = g_test_run ();
  /* TLS was done in this process: see rl_test_end_pool_threads. */
  rl_test_end_pool_threads ();
  return status;
}
