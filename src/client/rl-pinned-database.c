/* rl-pinned-database.c — trust in exactly one certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "rl-invite.h"
#include "rl-pinned-database.h"

/* Where rl_pinned_database_watch() keeps what a refused handshake saw. */
#define PRESENTED_KEY "rl-presented-certificate"

struct _RlPinnedDatabase
{
  GTlsDatabase  parent_instance;
  char         *fingerprint;   /* immutable: read from handshake threads */
};

G_DEFINE_FINAL_TYPE (RlPinnedDatabase, rl_pinned_database, G_TYPE_TLS_DATABASE)

G_DEFINE_QUARK (rl-certificate-error-quark, rl_certificate_error)

/* Called from the thread the handshake runs in: reads nothing but the
 * fingerprint, which never changes. Only the server's own certificate
 * counts; what it sends along as a chain vouches for nothing here. */
static GTlsCertificateFlags
rl_pinned_database_verify_chain (GTlsDatabase             *database,
                                 GTlsCertificate          *chain,
                                 const char               *purpose,
                                 GSocketConnectable       *identity,
                                 GTlsInteraction          *interaction,
                                 GTlsDatabaseVerifyFlags   flags,
                                 GCancellable             *cancellable,
                                 GError                  **error)
{
  RlPinnedDatabase *self = RL_PINNED_DATABASE (database);
  g_autofree char *presented = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;
  if (g_strcmp0 (purpose, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER) != 0)
    return G_TLS_CERTIFICATE_UNKNOWN_CA;
  presented = rl_certificate_fingerprint (chain);
  if (presented == NULL || strcmp (presented, self->fingerprint) != 0)
    return G_TLS_CERTIFICATE_UNKNOWN_CA;
  return 0;
}

/* A pinned database holds no certificates to look up: every lookup finds
 * nothing (GTlsDatabase has no default for these). */
static GTlsCertificate *
rl_pinned_database_lookup_certificate_issuer (GTlsDatabase             *database,
                                              GTlsCertificate          *certificate,
                                              GTlsInteraction          *interaction,
                                              GTlsDatabaseLookupFlags   flags,
                                              GCancellable             *cancellable,
                                              GError                  **error)
{
  g_cancellable_set_error_if_cancelled (cancellable, error);
  return NULL;
}

static GList *
rl_pinned_database_lookup_certificates_issued_by (GTlsDatabase             *database,
                                                  GByteArray               *issuer_raw_dn,
                                                  GTlsInteraction          *interaction,
                                                  GTlsDatabaseLookupFlags   flags,
                                                  GCancellable             *cancellable,
                                                  GError                  **error)
{
  g_cancellable_set_error_if_cancelled (cancellable, error);
  return NULL;
}

static char *
rl_pinned_database_create_certificate_handle (GTlsDatabase    *database,
                                              GTlsCertificate *certificate)
{
  return NULL;
}

static GTlsCertificate *
rl_pinned_database_lookup_certificate_for_handle (GTlsDatabase             *database,
                                                  const char               *handle,
                                                  GTlsInteraction          *interaction,
                                                  GTlsDatabaseLookupFlags   flags,
                                                  GCancellable             *cancellable,
                                                  GError                  **error)
{
  g_cancellable_set_error_if_cancelled (cancellable, error);
  return NULL;
}

static void
rl_pinned_database_finalize (GObject *object)
{
  g_free (RL_PINNED_DATABASE (object)->fingerprint);
  G_OBJECT_CLASS (rl_pinned_database_parent_class)->finalize (object);
}

static void
rl_pinned_database_class_init (RlPinnedDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  object_class->finalize = rl_pinned_database_finalize;
  database_class->verify_chain = rl_pinned_database_verify_chain;
  database_class->lookup_certificate_issuer = rl_pinned_database_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = rl_pinned_database_lookup_certificates_issued_by;
  database_class->create_certificate_handle = rl_pinned_database_create_certificate_handle;
  database_class->lookup_certificate_for_handle = rl_pinned_database_lookup_certificate_for_handle;
}

static void
rl_pinned_database_init (RlPinnedDatabase *self)
{
}

GTlsDatabase *
rl_pinned_database_new (const char *fingerprint)
{
  RlPinnedDatabase *self;

  g_return_val_if_fail (fingerprint != NULL, NULL);
  g_return_val_if_fail (strlen (fingerprint) == RL_FINGERPRINT_LENGTH, NULL);

  self = g_object_new (RL_TYPE_PINNED_DATABASE, NULL);
  self->fingerprint = g_ascii_strdown (fingerprint, -1);
  return G_TLS_DATABASE (self);
}

const char *
rl_pinned_database_get_fingerprint (RlPinnedDatabase *self)
{
  g_return_val_if_fail (RL_IS_PINNED_DATABASE (self), NULL);
  return self->fingerprint;
}

static gboolean
keep_presented (SoupMessage          *msg,
                GTlsCertificate      *certificate,
                GTlsCertificateFlags  errors,
                gpointer              data)
{
  g_object_set_data_full (G_OBJECT (msg), PRESENTED_KEY, g_object_ref (certificate), g_object_unref);
  /* Refused, always: trust is the database's to give, never a fallback. */
  return FALSE;
}

void
rl_pinned_database_watch (SoupMessage *msg)
{
  g_return_if_fail (SOUP_IS_MESSAGE (msg));
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (keep_presented), NULL);
}

/* "host:port" of msg's server, the port said even where its URI leaves
 * it implied. */
static char *
address_of (SoupMessage *msg)
{
  GUri *uri = soup_message_get_uri (msg);
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = g_uri_get_host (uri);
  int port = g_uri_get_port (uri);

  if (port <= 0)
    port = g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0 ? 443 : 80;
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%d", host, port);
  return g_strdup_printf ("%s:%d", host, port);
}

GError *
rl_pinned_database_mismatch_error (GTlsDatabase *database,
                                   SoupMessage  *msg)
{
  GTlsCertificate *presented;
  g_autofree char *address = NULL;
  g_autofree char *presented_fp = NULL;
  g_autofree char *trusted = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (database == NULL || G_IS_TLS_DATABASE (database), NULL);
  g_return_val_if_fail (msg == NULL || SOUP_IS_MESSAGE (msg), NULL);

  if (database == NULL || !RL_IS_PINNED_DATABASE (database) || msg == NULL)
    return NULL;
  presented = g_object_get_data (G_OBJECT (msg), PRESENTED_KEY);
  if (presented == NULL)
    return NULL;
  presented_fp = rl_certificate_fingerprint (presented);
  if (presented_fp == NULL)
    return NULL;
  address = address_of (msg);
  trusted = rl_fingerprint_to_display (RL_PINNED_DATABASE (database)->fingerprint);
  shown = rl_fingerprint_to_display (presented_fp);
  return g_error_new (RL_CERTIFICATE_ERROR, RL_CERTIFICATE_ERROR_MISMATCH,
                      /* Translators: %s is "host:port", then two SHA-256 fingerprints ("AB:CD:…");
                       * keep the line breaks */
                      _("%s presented a different certificate from the one this account trusts, so nothing was sent "
                        "to it: it may not be your team’s server. If your team replaced the server’s certificate, "
                        "ask for a new invite link.\n\nTrusted: SHA-256 %s\nPresented: SHA-256 %s"),
                      address, trusted, shown);
}

char *
rl_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

char *
rl_fingerprint_to_display (const char *fingerprint)
{
  GString *shown;

  g_return_val_if_fail (fingerprint != NULL, NULL);

  shown = g_string_sized_new (RL_FINGERPRINT_LENGTH * 3 / 2);
  for (gsize i = 0; fingerprint[i] != '\0'; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (shown, ':');
      g_string_append_c (shown, g_ascii_toupper (fingerprint[i]));
    }
  return g_string_free (shown, FALSE);
}
