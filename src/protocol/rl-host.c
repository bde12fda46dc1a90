/* rl-host.c — what a server address's host may be
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-host.h"

#include <gio/gio.h>
#include <string.h>

gboolean
rl_host_is_valid (const char *host)
{
  const char *label = host;

  g_return_val_if_fail (host != NULL, FALSE);

  if (strchr (host, ':') != NULL)
    {
      g_autoptr(GInetAddress) inet = NULL;

      if (strchr (host, '%') != NULL)
        return FALSE;
      inet = g_inet_address_new_from_string (host);
      return inet != NULL && g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6;
    }
  if (*host == '\0' || strlen (host) > 253)
    return FALSE;
  for (;;)
    {
      gsize len = strcspn (label, ".");

      if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
        return FALSE;
      for (gsize i = 0; i < len; i++)
        if (!g_ascii_isalnum (label[i]) && label[i] != '-')
          return FALSE;
      if (label[len] == '\0')
        return TRUE;
      label += len + 1;
    }
}
