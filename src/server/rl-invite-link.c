/* rl-invite-link.c — the invite link `user add --invite-for` prints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-invite-link.h"
#include "rl-host.h"
#include "rl-invite-uri.h"

static gboolean
bad_address (const char  *address,
             const char  *why,
             GError     **error)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--invite-for “%s” is not a public address (%s): give HOST:PORT, wss://HOST[:PORT] or "
               "ws://HOST[:PORT]", address, why);
  return FALSE;
}

/* Checks address; sets tls, host (lower case) and port (-1: none given). */
static gboolean
parse_address (const char  *address,
               gboolean    *tls,
               char       **host,
               int         *port,
               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) uri_error = NULL;
  g_autofree char *url = NULL;
  gboolean bare = FALSE;
  const char *scheme;

  if (g_str_has_prefix (address, "ws://") || g_str_has_prefix (address, "wss://"))
    url = g_strdup (address);
  else if (strstr (address, "://") != NULL)
    return bad_address (address, "only ws:// and wss:// are addresses", error);
  else
    {
      bare = TRUE;
      url = g_strconcat ("wss://", address, NULL);
    }
  if (g_str_has_suffix (url, ":") || g_str_has_suffix (url, ":/"))
    return bad_address (address, "an empty port", error);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &uri_error);
  if (uri == NULL)
    return bad_address (address, uri_error->message, error);
  scheme = g_uri_get_scheme (uri);
  if (g_uri_get_userinfo (uri) != NULL)
    return bad_address (address, "a user name", error);
  if (g_uri_get_host (uri) == NULL || !rl_host_is_valid (g_uri_get_host (uri)))
    return bad_address (address, "not a host name or an IP address", error);
  if (g_uri_get_port (uri) == 0 || (bare && g_uri_get_port (uri) < 0))
    return bad_address (address, "no port from 1 to 65535", error);
  if ((*g_uri_get_path (uri) != '\0' && strcmp (g_uri_get_path (uri), "/") != 0) ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return bad_address (address, "a path or parameters", error);

  *tls = strcmp (scheme, "wss") == 0;
  *host = g_ascii_strdown (g_uri_get_host (uri), -1);
  *port = g_uri_get_port (uri);
  return TRUE;
}

/* Issued by itself and signed by its own key: nobody else vouches for it. */
static gboolean
is_self_signed (GTlsCertificate *certificate)
{
  g_autofree char *subject = g_tls_certificate_get_subject_name (certificate);
  g_autofree char *issuer = g_tls_certificate_get_issuer_name (certificate);
  GTlsCertificateFlags flags;

  if (subject == NULL || g_strcmp0 (subject, issuer) != 0)
    return FALSE;
  flags = g_tls_certificate_verify (certificate, NULL, certificate);
  return (flags & (G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_INSECURE |
                   G_TLS_CERTIFICATE_GENERIC_ERROR)) == 0;
}

/* SHA-256 of the DER encoding: lower case for the link, "AB:CD:…" for the
 * operator, who compares it with what openssl prints. */
static char *
fingerprint_of (GTlsCertificate  *certificate,
                char            **shown)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *fp = NULL;
  GString *display = g_string_new (NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  fp = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  for (gsize i = 0; fp[i] != '\0'; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (display, ':');
      g_string_append_c (display, g_ascii_toupper (fp[i]));
    }
  *shown = g_string_free (display, FALSE);
  return g_steal_pointer (&fp);
}

char *
rl_invite_link_for (const char  *address,
                    const char  *cert_path,
                    const char  *token,
                    char       **pinned_fp,
                    GError     **error)
{
  g_autofree char *host = NULL;
  g_autofree char *fp = NULL;
  gboolean tls;
  int port;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);
  g_return_val_if_fail (pinned_fp != NULL, NULL);

  *pinned_fp = NULL;
  if (!parse_address (address, &tls, &host, &port, error))
    return NULL;
  if (cert_path != NULL)
    {
      g_autoptr(GTlsCertificate) certificate = NULL;
      g_autoptr(GError) cert_error = NULL;

      if (!tls)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--tls-cert goes with a wss:// address: a ws:// address has no certificate");
          return NULL;
        }
      certificate = g_tls_certificate_new_from_file (cert_path, &cert_error);
      if (certificate == NULL)
        {
          g_set_error (error, cert_error->domain, cert_error->code, "cannot read the certificate %s: %s", cert_path,
                       cert_error->message);
          return NULL;
        }
      if (is_self_signed (certificate))
        fp = fingerprint_of (certificate, pinned_fp);
    }

  return rl_invite_uri_build (tls, host, port, token, fp);
}
