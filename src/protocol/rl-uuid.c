/* rl-uuid.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-uuid.h"

#include "rl-limits.h"

#include <string.h>
#include <sys/random.h>

char *
rl_uuid_new (void)
{
  /* GLib's is a v4 UUID from its CSPRNG-seeded generator, printed lower case. */
  return g_uuid_string_random ();
}

gboolean
rl_uuid_is_valid (const char *str)
{
  if (str == NULL || strlen (str) != 36)
    return FALSE;

  for (guint i = 0; i < 36; i++)
    {
      char c = str[i];

      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (c != '-')
            return FALSE;
        }
      else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
        return FALSE;
    }

  return TRUE;
}

char *
rl_random_id_new (void)
{
  guint8 bytes[16];
  gsize done = 0;
  GString *out;
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

  /* getrandom() blocks only before the pool is first seeded. */
  while (done < sizeof bytes)
    {
      ssize_t r = getrandom (bytes + done, sizeof bytes - done, 0);
      if (r > 0)
        done += (gsize) r;
    }

  /* 128 bits as two 64-bit halves in base 36: 13 characters each. */
  out = g_string_sized_new (26);
  for (guint half = 0; half < 2; half++)
    {
      guint64 v = 0;
      for (guint i = 0; i < 8; i++)
        v = (v << 8) | bytes[half * 8 + i];
      for (guint i = 0; i < 13; i++)
        {
          g_string_append_c (out, alphabet[v % 36]);
          v /= 36;
        }
    }

  return g_string_free (out, FALSE);
}

gboolean
rl_tenant_id_is_valid (const char *str)
{
  gsize len;

  if (str == NULL)
    return FALSE;
  len = strlen (str);
  if (len < 1 || len > RL_TENANT_ID_MAX)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = str[i];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
        return FALSE;
    }
  return TRUE;
}
