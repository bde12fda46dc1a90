/* rl-invite.c — invite links and server addresses, checked strictly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "rl-invite.h"
#include "rl-host.h"
#include "rl-invite-uri.h"

G_DEFINE_QUARK (rl-invite-error-quark, rl_invite_error)

/* Components stay as written (GUri only normalizes unreserved escapes), so
 * "/join" is compared as the user sent it. */
#define PARSE_FLAGS (G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_ENCODED_PATH | G_URI_FLAGS_ENCODED_FRAGMENT)

/* GUri's own messages are left out: they quote the part that is wrong byte
 * for byte, and that part can hold the token ("redline://h:80&token=…", a
 * "?" typed as "&") and need not be UTF-8 (a link from the command line).
 * The token never ends up in an error shown or logged. */
static void
set_parse_error (gboolean     link,
                 GError      *uri_error,
                 GError     **error)
{
  switch (uri_error->code)
    {
    case G_URI_ERROR_BAD_SCHEME:
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_SCHEME, "%s", link ? _("This invite link has no valid scheme") : _("This server address has no valid scheme"));
      break;
    case G_URI_ERROR_BAD_USER:
    case G_URI_ERROR_BAD_PASSWORD:
    case G_URI_ERROR_BAD_AUTH_PARAMS:
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_USERINFO, "%s", link ? _("An invite link may not carry a user name or password") : _("A server address may not carry a user name or password"));
      break;
    case G_URI_ERROR_BAD_HOST:
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_HOST, "%s", link ? _("This invite link has no valid host") : _("This server address has no valid host"));
      break;
    case G_URI_ERROR_BAD_PORT:
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_PORT, "%s", link ? _("This invite link’s port is not a number from 1 to 65535") : _("This server address’s port is not a number from 1 to 65535"));
      break;
    case G_URI_ERROR_BAD_PATH:
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_PATH, "%s", link ? _("This invite link has an invalid path") : _("This server address has an invalid path"));
      break;
    case G_URI_ERROR_BAD_FRAGMENT:
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_FRAGMENT, "%s", link ? _("An invite link may not have a #fragment") : _("A server address may not have a #fragment"));
      break;
    default:
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_MALFORMED, "%s", link ? _("This is not a valid invite link") : _("This is not a valid server address"));
      break;
    }
}

/* GUri reads "host:" as "no port"; a colon with nothing after it is a typo. */
static gboolean
authority_has_empty_port (const char *raw)
{
  const char *start = strstr (raw, "//");
  gsize len;

  if (start == NULL)
    return FALSE;
  start += 2;
  len = strcspn (start, "/?#");
  return len > 0 && start[len - 1] == ':';
}

/* The checks an invite link and a server address share: no user info, a
 * valid host, a port 1–65535 when there is one, no fragment. Sets host
 * (lower case) and port (-1: none). */
static gboolean
check_authority (GUri        *uri,
                 const char  *raw,
                 gboolean     link,
                 char       **host,
                 int         *port,
                 GError     **error)
{
  const char *uri_host = g_uri_get_host (uri);

  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_USERINFO, "%s", link ? _("An invite link may not carry a user name or password") : _("A server address may not carry a user name or password"));
      return FALSE;
    }
  if (uri_host == NULL || *uri_host == '\0')
    {
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_HOST, "%s", link ? _("This invite link has no host") : _("This server address has no host"));
      return FALSE;
    }
  if (!rl_host_is_valid (uri_host))
    {
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_HOST, "%s", link ? _("This invite link’s host is not a host name or an IP address") : _("This server address’s host is not a host name or an IP address"));
      return FALSE;
    }
  if (authority_has_empty_port (raw) || g_uri_get_port (uri) == 0)
    {
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_PORT, "%s", link ? _("This invite link’s port is not a number from 1 to 65535") : _("This server address’s port is not a number from 1 to 65535"));
      return FALSE;
    }
  if (g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_FRAGMENT, "%s", link ? _("An invite link may not have a #fragment") : _("A server address may not have a #fragment"));
      return FALSE;
    }
  *host = g_ascii_strdown (uri_host, -1);
  *port = g_uri_get_port (uri);
  return TRUE;
}

/* The port as written in a link or an address: -1 (none) for the scheme's
 * default, so one server has one spelling. */
static int
explicit_port (gboolean tls,
               int      port)
{
  return port == (tls ? 443 : 80) ? -1 : port;
}

/* "SCHEME://HOST[:PORT]" without the scheme's default port. */
static char *
server_url_build (gboolean    tls,
                  const char *host,
                  int         port)
{
  return g_uri_join (G_URI_FLAGS_NONE, tls ? "wss" : "ws", NULL, host, explicit_port (tls, port), "", NULL, NULL);
}

static gboolean
token_is_valid (const char  *token,
                GError     **error)
{
  gsize len = strlen (token);

  if (len == 0)
    {
      g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_TOKEN, _("The token is empty"));
      return FALSE;
    }
  if (len > RL_INVITE_TOKEN_MAX)
    {
      g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_TOKEN,
                   _("The token is longer than %d characters"), RL_INVITE_TOKEN_MAX);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    {
      char c = token[i];

      if (!g_ascii_isalnum (c) && c != '-' && c != '.' && c != '_' && c != '~')
        {
          g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_TOKEN,
                               _("The token has characters a token never has"));
          return FALSE;
        }
    }
  return TRUE;
}

/* 64 hexadecimal digits, or 32 pairs of them with a colon between each
 * two: nothing in between (a stray colon, a space) is a typo. */
char *
rl_fingerprint_normalize (const char  *text,
                          GError     **error)
{
  gsize len;
  gboolean colons;
  GString *normalized;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (text);
  colons = len == RL_FINGERPRINT_LENGTH + RL_FINGERPRINT_LENGTH / 2 - 1;
  if (len != RL_FINGERPRINT_LENGTH && !colons)
    goto bad;
  normalized = g_string_sized_new (RL_FINGERPRINT_LENGTH);
  for (gsize i = 0; i < len; i++)
    {
      /* With colons, every third character is one. */
      if (colons && i % 3 == 2)
        {
          if (text[i] != ':')
            break;
          continue;
        }
      if (!g_ascii_isxdigit (text[i]))
        break;
      g_string_append_c (normalized, g_ascii_tolower (text[i]));
    }
  if (normalized->len == RL_FINGERPRINT_LENGTH)
    return g_string_free (normalized, FALSE);
  g_string_free (normalized, TRUE);

bad:
  g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_FINGERPRINT,
                       /* Translators: keep “fp” as it is: the name of the invite link’s parameter */
                       _("The certificate fingerprint (fp) is not a SHA-256 fingerprint: 64 hexadecimal digits, "
                         "bare or in pairs separated by colons"));
  return NULL;
}

gboolean
rl_invite_parse (const char  *link,
                 char       **server_url,
                 char       **token,
                 char       **fingerprint,
                 GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) uri_error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *found_token = NULL;
  g_autofree char *found_tls = NULL;
  g_autofree char *found_fp = NULL;
  g_autofree char *normalized_fp = NULL;
  const char *query;
  GUriParamsIter iter;
  gboolean tls;
  int port;

  g_return_val_if_fail (link != NULL, FALSE);
  g_return_val_if_fail (server_url != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);
  g_return_val_if_fail (fingerprint != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  uri = g_uri_parse (link, PARSE_FLAGS, &uri_error);
  if (uri == NULL)
    {
      set_parse_error (TRUE, uri_error, error);
      return FALSE;
    }
  if (g_strcmp0 (g_uri_get_scheme (uri), "redline") != 0)
    {
      g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_SCHEME, _("An invite link must start with redline://"));
      return FALSE;
    }
  if (!check_authority (uri, link, TRUE, &host, &port, error))
    return FALSE;
  if (strcmp (g_uri_get_path (uri), "/join") != 0)
    {
      g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_PATH, _("An invite link’s path must be /join"));
      return FALSE;
    }

  query = g_uri_get_query (uri);
  if (query == NULL)
    {
      g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_TOKEN, _("The invite link has no token"));
      return FALSE;
    }
  /* The iterator quietly skips a trailing "&"; a strict reader does not. */
  if (*query == '\0' || *query == '&' || g_str_has_suffix (query, "&"))
    {
      g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_MALFORMED, _("The invite link’s parameters are broken"));
      return FALSE;
    }
  g_uri_params_iter_init (&iter, query, -1, "&", G_URI_PARAMS_NONE);
  for (;;)
    {
      g_autoptr(GError) params_error = NULL;
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;
      char **slot;

      if (!g_uri_params_iter_next (&iter, &name, &value, &params_error))
        {
          if (params_error == NULL)
            break; /* the end */
          g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_MALFORMED, _("The invite link’s parameters are broken"));
          return FALSE;
        }
      if (strcmp (name, "token") == 0)
        slot = &found_token;
      else if (strcmp (name, "tls") == 0)
        slot = &found_tls;
      else if (strcmp (name, "fp") == 0)
        slot = &found_fp;
      else
        {
          /* The name only, and 32 bytes of it: a value may be a token
           * under a misspelt name. Decoded, it need not be UTF-8, and the
           * cut falls before a character, never inside one. */
          g_autofree char *valid = g_utf8_make_valid (name, -1);
          const char *cut = valid + MIN (strlen (valid), 32);

          while (cut > valid && (*cut & 0xC0) == 0x80)
            cut--;
          valid[cut - valid] = '\0';
          g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_PARAMETER,
                       _("The invite link has an unknown parameter “%.32s”"), valid);
          return FALSE;
        }
      if (*slot != NULL)
        {
          g_set_error (error, RL_INVITE_ERROR, RL_INVITE_ERROR_PARAMETER,
                       _("The invite link has the parameter “%s” twice"), name);
          return FALSE;
        }
      *slot = g_steal_pointer (&value);
    }

  if (found_token == NULL)
    {
      g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_TOKEN, _("The invite link has no token"));
      return FALSE;
    }
  if (!token_is_valid (found_token, error))
    return FALSE;

  if (found_tls == NULL || strcmp (found_tls, "1") == 0)
    tls = TRUE;
  else if (strcmp (found_tls, "0") == 0)
    tls = FALSE;
  else
    {
      g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_TLS, _("The invite link’s “tls” is neither 0 nor 1"));
      return FALSE;
    }
  if (found_fp != NULL)
    {
      if (!tls)
        {
          g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_FINGERPRINT,
                               /* Translators: keep “fp” and “tls=0” as they are */
                               _("The invite link pins a certificate (fp) but turns TLS off (tls=0)"));
          return FALSE;
        }
      normalized_fp = rl_fingerprint_normalize (found_fp, error);
      if (normalized_fp == NULL)
        return FALSE;
    }

  *server_url = server_url_build (tls, host, port);
  *token = g_steal_pointer (&found_token);
  *fingerprint = g_steal_pointer (&normalized_fp);
  return TRUE;
}

/* Checks a server address; sets tls, host (lower case) and port (-1: none). */
static gboolean
server_url_parse (const char  *url,
                  gboolean    *tls,
                  char       **host,
                  int         *port,
                  GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) uri_error = NULL;
  g_autofree char *found_host = NULL;
  const char *scheme;
  const char *path;

  uri = g_uri_parse (url, PARSE_FLAGS, &uri_error);
  if (uri == NULL)
    {
      set_parse_error (FALSE, uri_error, error);
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if (strcmp (scheme, "ws") != 0 && strcmp (scheme, "wss") != 0)
    {
      g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_SCHEME, _("A server address must start with ws:// or wss://"));
      return FALSE;
    }
  if (!check_authority (uri, url, FALSE, &found_host, port, error))
    return FALSE;
  path = g_uri_get_path (uri);
  if (*path != '\0' && strcmp (path, "/") != 0)
    {
      g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_PATH, _("A server address must not have a path"));
      return FALSE;
    }
  if (g_uri_get_query (uri) != NULL)
    {
      g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_PARAMETER, _("A server address must not have parameters"));
      return FALSE;
    }
  *tls = strcmp (scheme, "wss") == 0;
  *host = g_steal_pointer (&found_host);
  return TRUE;
}

char *
rl_server_url_normalize (const char  *url,
                         GError     **error)
{
  g_autofree char *host = NULL;
  gboolean tls;
  int port;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!server_url_parse (url, &tls, &host, &port, error))
    return NULL;
  return server_url_build (tls, host, port);
}

char *
rl_invite_format (const char  *server_url,
                  const char  *token,
                  const char  *fingerprint,
                  GError     **error)
{
  g_autofree char *host = NULL;
  g_autofree char *fp = NULL;
  gboolean tls;
  int port;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!server_url_parse (server_url, &tls, &host, &port, error) || !token_is_valid (token, error))
    return NULL;
  if (fingerprint != NULL)
    {
      if (!tls)
        {
          g_set_error_literal (error, RL_INVITE_ERROR, RL_INVITE_ERROR_FINGERPRINT,
                               _("A certificate can only be pinned for a wss:// address"));
          return NULL;
        }
      fp = rl_fingerprint_normalize (fingerprint, error);
      if (fp == NULL)
        return NULL;
    }
  return rl_invite_uri_build (tls, host, port, token, fp);
}
