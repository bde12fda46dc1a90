/* test-tls.c — trusting a self-signed server by its fingerprint, and
 * nothing else; a CA-signed server as before
 *
 * The real server serves TLS from certificates openssl makes per test. An
 * impostor of the test's own (a TLS listener with another certificate)
 * records what reaches it after a handshake: nothing may, above all no
 * token.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-api.h"
#include "rl-client-test.h"
#include "rl-connection-private.h"
#include "rl-error.h"
#include "rl-invite.h"
#include "rl-pinned-database.h"
#include "rl-test-server.h"

typedef struct
{
  RlClientTestTeam  team;
  char             *cert;     /* the server's */
  char             *fp;       /* its fingerprint, as kept */
} Fixture;

/* "AB:CD:…" as openssl prints it, as kept: lower case, no colons. */
static char *
kept_form (const char *display)
{
  GString *kept = g_string_new (NULL);

  for (const char *p = display; *p; p++)
    if (*p != ':')
      g_string_append_c (kept, g_ascii_tolower (*p));
  return g_string_free (kept, FALSE);
}

static void
start_server (Fixture    *f,
              const char *issuer)
{
  g_autofree char *display = NULL;

  rl_client_test_team_init (&f->team, RL_CLIENT_TEST_ADA_ONLY);
  if (issuer != NULL)
    g_free (rl_test_make_certificate (f->team.server->dir, issuer, NULL));
  f->cert = rl_test_make_certificate (f->team.server->dir, "server", issuer);
  display = rl_test_certificate_fingerprint (f->cert);
  f->fp = kept_form (display);
  rl_test_server_use_tls (f->team.server, f->cert);
  rl_test_server_start (f->team.server);
  g_assert_true (g_str_has_prefix (f->team.server->ws_base, "wss://127.0.0.1:"));
}

static void
self_signed_setup (Fixture       *f,
                   gconstpointer  data)
{
  start_server (f, NULL);
}

static void
ca_signed_setup (Fixture       *f,
                 gconstpointer  data)
{
  start_server (f, "ca");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_client_test_team_clear (&f->team);
  g_free (f->cert);
  g_free (f->fp);
}

static GListModel *
list (RlApi   *api,
      GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rl_api_list_documents (api, NULL, rl_client_test_store_result, &result);
  RL_TEST_WAIT_UNTIL (result != NULL, 20000);
  return rl_api_list_documents_finish (api, result, error);
}

static RlConnection *
connect_with (const char   *url,
              const char   *token,
              GTlsDatabase *database)
{
  RlConnection *conn = rl_connection_new (url, token, database);

  rl_connection_set_timing (conn, 50, 200, 15, 45000, 10000);
  rl_connection_start (conn);
  return conn;
}

/* ---- an impostor: another certificate on a port of our own -------------- */

typedef struct
{
  GSocketService  *service;
  GTlsCertificate *certificate;
  char            *url;          /* wss://127.0.0.1:PORT */
  guint            accepted;
  guint            refused;      /* handshakes the client broke off */
  guint            completed;    /* handshakes that went through */
  GByteArray      *received;     /* what came after a handshake, in the clear */
  GPtrArray       *streams;
} Impostor;

typedef struct
{
  Impostor *impostor;
  GIOStream *tls;
  guint8     buffer[4096];
} Session;

static void
read_more (Session *session);

static void
got_bytes (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Session *session = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      g_object_unref (session->tls);
      g_free (session);
      return;
    }
  g_byte_array_append (session->impostor->received, session->buffer, (guint) n);
  read_more (session);
}

static void
read_more (Session *session)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (session->tls), session->buffer, sizeof session->buffer,
                             G_PRIORITY_DEFAULT, NULL, got_bytes, session);
}

static void
handshake_done (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Session *session = data;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, NULL))
    {
      session->impostor->refused++;
      g_object_unref (session->tls);
      g_free (session);
      return;
    }
  session->impostor->completed++;
  read_more (session);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           data)
{
  Impostor *impostor = data;
  g_autoptr(GError) error = NULL;
  Session *session = g_new0 (Session, 1);

  impostor->accepted++;
  session->impostor = impostor;
  session->tls = g_tls_server_connection_new (G_IO_STREAM (connection), impostor->certificate, &error);
  g_assert_no_error (error);
  g_ptr_array_add (impostor->streams, g_object_ref (connection));
  g_tls_connection_handshake_async (G_TLS_CONNECTION (session->tls), G_PRIORITY_DEFAULT, NULL, handshake_done,
                                    session);
  return TRUE;
}

static Impostor *
impostor_new (const char *dir)
{
  Impostor *impostor = g_new0 (Impostor, 1);
  g_autofree char *cert = rl_test_make_certificate (dir, "impostor", NULL);
  g_autofree char *key = g_build_filename (dir, "impostor-key.pem", NULL);
  g_autoptr(GError) error = NULL;
  guint16 port;

  impostor->certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  impostor->received = g_byte_array_new ();
  impostor->streams = g_ptr_array_new_with_free_func (g_object_unref);
  impostor->service = g_socket_service_new ();
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (impostor->service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (impostor->service, "incoming", G_CALLBACK (on_incoming), impostor);
  g_socket_service_start (impostor->service);
  impostor->url = g_strdup_printf ("wss://127.0.0.1:%u", port);
  return impostor;
}

static void
impostor_free (Impostor *impostor)
{
  g_socket_service_stop (impostor->service);
  g_socket_listener_close (G_SOCKET_LISTENER (impostor->service));
  g_clear_object (&impostor->service);
  g_clear_object (&impostor->certificate);
  g_byte_array_unref (impostor->received);
  g_ptr_array_unref (impostor->streams);
  g_free (impostor->url);
  g_free (impostor);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Impostor, impostor_free)

/* The impostor met the client, and the client went no further than the
 * handshake: not a byte of a request, so no token. */
static void
assert_nothing_sent (Impostor *impostor)
{
  RL_TEST_WAIT_UNTIL (impostor->accepted > 0 && impostor->refused + impostor->completed == impostor->accepted, 10000);
  g_assert_cmpuint (impostor->accepted, >, 0);
  g_assert_cmpuint (impostor->completed, ==, 0);
  g_assert_cmpuint (impostor->received->len, ==, 0);
}

/* The error names the server, the certificate trusted and the one shown. */
static void
assert_mismatch (const GError *error,
                 const char   *url,
                 const char   *trusted,
                 GTlsCertificate *presented)
{
  g_autofree char *presented_fp = rl_certificate_fingerprint (presented);
  g_autofree char *trusted_shown = rl_fingerprint_to_display (trusted);
  g_autofree char *presented_shown = rl_fingerprint_to_display (presented_fp);

  g_assert_error ((GError *) error, RL_CERTIFICATE_ERROR, RL_CERTIFICATE_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, url + strlen ("wss://")));
  g_assert_nonnull (strstr (error->message, trusted_shown));
  g_assert_nonnull (strstr (error->message, presented_shown));
  g_assert_cmpstr (trusted, !=, presented_fp);
}

/* ---- tests -------------------------------------------------------------- */

/* The fingerprint as openssl prints it is the one the client computes,
 * and every spelling an invite link may use reads as it. */
static void
test_fingerprint_definition (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (f->cert, &error);
  g_autofree char *computed = NULL;
  g_autofree char *display = rl_test_certificate_fingerprint (f->cert);
  g_autofree char *lower_display = g_ascii_strdown (display, -1);
  g_autofree char *shown = NULL;
  const char *spellings[] = { display, lower_display, f->fp, NULL };

  g_assert_no_error (error);
  computed = rl_certificate_fingerprint (certificate);
  g_assert_cmpstr (computed, ==, f->fp);
  g_assert_cmpuint (strlen (computed), ==, RL_FINGERPRINT_LENGTH);
  shown = rl_fingerprint_to_display (computed);
  g_assert_cmpstr (shown, ==, display);
  for (guint i = 0; spellings[i] != NULL; i++)
    {
      g_autofree char *normalized = rl_fingerprint_normalize (spellings[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (normalized, ==, f->fp);
    }
}

/* The pinned certificate: the WebSocket is welcomed and the HTTP API
 * answers, though no authority vouches for the certificate. */
static void
test_pinned_match (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GTlsDatabase) pinned = rl_pinned_database_new (f->fp);
  g_autoptr(RlConnection) conn = connect_with (f->team.server->ws_base, f->team.ada, pinned);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlApi) api = rl_api_new (f->team.server->ws_base, f->team.ada, pinned, &error);
  g_autoptr(GListModel) docs = NULL;

  g_assert_true (rl_client_test_wait_state (conn, RL_CONNECTION_ONLINE, 10000));
  g_assert_cmpstr (rl_connection_get_welcome (conn)->user.name, ==, "Ada");
  g_assert_null (rl_connection_get_last_error (conn));

  g_assert_no_error (error);
  docs = list (api, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (docs), ==, 1);
}

/* Without the fingerprint, the same self-signed server is refused as it
 * always was: a TLS error, retried, never "untrusted". */
static void
test_self_signed_without_pin (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(RlConnection) conn = connect_with (f->team.server->ws_base, f->team.ada, NULL);

  RL_TEST_WAIT_UNTIL (rl_connection_get_last_error (conn) != NULL, 10000);
  g_assert_error ((GError *) rl_connection_get_last_error (conn), G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpint (rl_connection_get_state (conn), ==, RL_CONNECTION_RECONNECTING);
}

/* Another certificate than the pinned one: refused with the error that
 * names both, the state says so and stays, and not a byte of the request
 * (the Authorization header above all) reaches that server — over the
 * WebSocket, over HTTP, and when checked again. */
static void
test_pinned_mismatch (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(Impostor) impostor = impostor_new (f->team.server->dir);
  g_autoptr(GTlsDatabase) pinned = rl_pinned_database_new (f->fp);
  g_autoptr(RlConnection) conn = connect_with (impostor->url, f->team.ada, pinned);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlApi) api = rl_api_new (impostor->url, f->team.ada, pinned, &error);
  g_autoptr(GListModel) docs = NULL;
  guint accepted;

  g_assert_true (rl_client_test_wait_state (conn, RL_CONNECTION_UNTRUSTED, 10000));
  assert_mismatch (rl_connection_get_last_error (conn), impostor->url, f->fp, impostor->certificate);
  g_assert_cmpint (rl_connection_get_next_retry (conn), ==, 0);
  assert_nothing_sent (impostor);

  /* No more tries on its own (the backoff would have retried within
   * 200 ms): a certificate does not become the pinned one. */
  accepted = impostor->accepted;
  g_assert_false (RL_TEST_POLL_UNTIL (rl_connection_get_state (conn) != RL_CONNECTION_UNTRUSTED, 600));
  g_assert_cmpuint (impostor->accepted, ==, accepted);

  /* Checked again on request: the same answer, still nothing sent. */
  rl_connection_retry_now (conn);
  g_assert_cmpint (rl_connection_get_state (conn), ==, RL_CONNECTION_CONNECTING);
  g_assert_true (rl_client_test_wait_state (conn, RL_CONNECTION_UNTRUSTED, 10000));
  g_assert_cmpuint (impostor->accepted, ==, accepted + 1);
  assert_mismatch (rl_connection_get_last_error (conn), impostor->url, f->fp, impostor->certificate);
  assert_nothing_sent (impostor);

  /* HTTP: the same error, the same silence. */
  g_assert_no_error (error);
  docs = list (api, &error);
  g_assert_null (docs);
  assert_mismatch (error, impostor->url, f->fp, impostor->certificate);
  assert_nothing_sent (impostor);
}

/* A CA-signed server without a fingerprint: trusted through the
 * authority, on the WebSocket and over HTTP. */
static void
test_ca_signed (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *ca = g_build_filename (f->team.server->dir, "ca.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) authority = g_tls_file_database_new (ca, &error);
  g_autoptr(RlConnection) conn = NULL;
  g_autoptr(RlApi) api = NULL;
  g_autoptr(GListModel) docs = NULL;

  g_assert_no_error (error);
  conn = connect_with (f->team.server->ws_base, f->team.ada, authority);
  g_assert_true (rl_client_test_wait_state (conn, RL_CONNECTION_ONLINE, 10000));
  api = rl_api_new (f->team.server->ws_base, f->team.ada, authority, &error);
  g_assert_no_error (error);
  docs = list (api, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (docs), ==, 1);
}

/* A pin is not a preference: a certificate an authority vouches for is
 * refused all the same when it is not the pinned one. */
static void
test_ca_signed_wrong_pin (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *ca = g_build_filename (f->team.server->dir, "ca.pem", NULL);
  g_autofree char *ca_display = rl_test_certificate_fingerprint (ca);
  g_autofree char *ca_fp = kept_form (ca_display);
  g_autoptr(GTlsDatabase) pinned = rl_pinned_database_new (ca_fp);
  g_autoptr(RlConnection) conn = connect_with (f->team.server->ws_base, f->team.ada, pinned);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) served = g_tls_certificate_new_from_file (f->cert, &error);

  g_assert_no_error (error);
  g_assert_true (rl_client_test_wait_state (conn, RL_CONNECTION_UNTRUSTED, 10000));
  assert_mismatch (rl_connection_get_last_error (conn), f->team.server->ws_base, ca_fp, served);
}

/* `user add --invite-for`: the invite link, alone on the last line; with
 * the fingerprint of a self-signed certificate given with --tls-cert, which
 * the app then trusts. */
static void
test_user_add_invite (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", f->team.server->port);
  g_autofree char *link = rl_test_server_admin (f->team.server, "user", "add", "--tenant", "acme", "--name", "Bea",
                                                "--invite-for", address, "--tls-cert", f->cert, NULL);
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *fp = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) pinned = NULL;
  g_autoptr(RlConnection) conn = NULL;

  g_assert_true (rl_invite_parse (link, &url, &token, &fp, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, f->team.server->ws_base);
  g_assert_cmpstr (fp, ==, f->fp);
  pinned = rl_pinned_database_new (fp);
  conn = connect_with (url, token, pinned);
  g_assert_true (rl_client_test_wait_state (conn, RL_CONNECTION_ONLINE, 10000));
  g_assert_cmpstr (rl_connection_get_welcome (conn)->user.name, ==, "Bea");
}

/* A CA-signed certificate is not pinned (it is renewed, and authorities
 * vouch for it); no --tls-cert, no pin; ws:// turns TLS off. */
static void
test_user_add_invite_unpinned (Fixture       *f,
                               gconstpointer  data)
{
  static const struct
  {
    const char *address;
    gboolean    with_cert;
    const char *url;
  } cases[] = {
    { "review.example.org:8765", TRUE, "wss://review.example.org:8765" },
    { "wss://review.example.org", FALSE, "wss://review.example.org" },
    { "review.example.org:443", FALSE, "wss://review.example.org" },
    { "ws://127.0.0.1:8765", FALSE, "ws://127.0.0.1:8765" },
    { "[::1]:8765", FALSE, "wss://[::1]:8765" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("User %u", i);
      g_autofree char *link = cases[i].with_cert
                              ? rl_test_server_admin (f->team.server, "user", "add", "--tenant", "acme", "--name", name,
                                                      "--invite-for", cases[i].address, "--tls-cert", f->cert, NULL)
                              : rl_test_server_admin (f->team.server, "user", "add", "--tenant", "acme", "--name", name,
                                                      "--invite-for", cases[i].address, NULL);
      g_autofree char *url = NULL;
      g_autofree char *token = NULL;
      g_autofree char *fp = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (rl_invite_parse (link, &url, &token, &fp, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, cases[i].url);
      g_assert_null (fp);
    }
}

/* Misuse is said and exits 2; a certificate that can't be read exits 1;
 * nobody is added either way. */
static void
test_user_add_invite_misuse (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->team.server->dir, "missing.pem", NULL);
  static const char *bad_addresses[] = {
    "", "review.example.org", "https://review.example.org", "wss://review.example.org/path",
    "review example:8765", "review.example.org:0", "review.example.org:99999", "wss://u@h:1",
  };
  g_autofree char *err = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_addresses); i++)
    {
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (rl_test_server_admin_status (f->team.server, &err, "user", "add", "--tenant", "acme", "--name",
                                                    "Nobody", "--invite-for", bad_addresses[i], NULL), ==, 2);
      g_assert_nonnull (strstr (err, "--invite-for"));
    }
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_admin_status (f->team.server, &err, "user", "add", "--tenant", "acme", "--name",
                                                "Nobody", "--tls-cert", f->cert, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--invite-for"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_admin_status (f->team.server, &err, "user", "add", "--tenant", "acme", "--name",
                                                "Nobody", "--invite-for", "ws://127.0.0.1:8765", "--tls-cert",
                                                f->cert, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "ws://"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (rl_test_server_admin_status (f->team.server, &err, "user", "add", "--tenant", "acme", "--name",
                                                "Nobody", "--invite-for", "127.0.0.1:8765", "--tls-cert", missing,
                                                NULL), ==, 1);
  g_assert_nonnull (strstr (err, "missing.pem"));

  /* Without --invite-for: the token alone on the last line, as before. */
  {
    g_autofree char *token = rl_test_add_user (f->team.server, "acme", "Plain", "member");
    g_autoptr(RlConnection) conn = NULL;
    g_autoptr(GTlsDatabase) pinned = rl_pinned_database_new (f->fp);

    g_assert_null (strchr (token, '/'));
    conn = connect_with (f->team.server->ws_base, token, pinned);
    g_assert_true (rl_client_test_wait_state (conn, RL_CONNECTION_ONLINE, 10000));
    g_assert_cmpstr (rl_connection_get_welcome (conn)->user.name, ==, "Plain");
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, setup, fn) g_test_add (path, Fixture, NULL, setup, fn, fixture_teardown)
  ADD ("/client/tls/fingerprint", self_signed_setup, test_fingerprint_definition);
  ADD ("/client/tls/pinned/match", self_signed_setup, test_pinned_match);
  ADD ("/client/tls/pinned/mismatch", self_signed_setup, test_pinned_mismatch);
  ADD ("/client/tls/self-signed-without-pin", self_signed_setup, test_self_signed_without_pin);
  ADD ("/client/tls/ca-signed", ca_signed_setup, test_ca_signed);
  ADD ("/client/tls/ca-signed-wrong-pin", ca_signed_setup, test_ca_signed_wrong_pin);
  ADD ("/client/tls/user-add/invite", self_signed_setup, test_user_add_invite);
  ADD ("/client/tls/user-add/invite-unpinned", ca_signed_setup, test_user_add_invite_unpinned);
  ADD ("/client/tls/user-add/invite-misuse", self_signed_setup, test_user_add_invite_misuse);

  status = g_test_run ();
  /* TLS was done in this process: see rl_test_end_pool_threads. */
  rl_test_end_pool_threads ();
  return status;
}
