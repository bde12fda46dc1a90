/* rl-invite-uri.c — the invite link's form
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-invite-uri.h"

char *
rl_invite_uri_build (gboolean    tls,
                     const char *host,
                     int         port,
                     const char *token,
                     const char *fingerprint)
{
  g_autofree char *query = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);
  g_return_val_if_fail (fingerprint == NULL || tls, NULL);

  if (port == (tls ? 443 : 80))
    port = -1;
  if (fingerprint != NULL)
    query = g_strdup_printf ("token=%s&tls=1&fp=%s", token, fingerprint);
  else
    query = g_strdup_printf ("token=%s&tls=%d", token, tls);
  return g_uri_join (G_URI_FLAGS_ENCODED_QUERY, "redline", NULL, host, port, "/join", query, NULL);
}
