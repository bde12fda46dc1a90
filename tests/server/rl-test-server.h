/* rl-test-server.h — fixtures that run the real redline-server and talk to
 * it over real sockets (HTTP and WebSocket, with libsoup)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rl-test-pg.h"
#include "rl-test-wait.h"

G_BEGIN_DECLS

typedef struct
{
  char        *dir;          /* temporary; removed by free */
  char        *db;           /* the --db value */
  char        *url;          /* http://127.0.0.1:PORT */
  char        *ws_url;       /* ws://127.0.0.1:PORT/api/v1/ws */
  char        *ws_base;      /* ws://127.0.0.1:PORT, what RlConnection takes */
  guint        port;
  GSubprocess *process;
  char        *tls_cert;     /* set before start for https */
  char        *tls_key;
  char        *extra_arg;    /* one more serve option, e.g. "--event-log-limit=5" */
  char       **extra_args;   /* more serve options, NULL-terminated (owned) */
  char        *stderr_path;  /* what the running server wrote to stderr */
  gboolean     no_leak_check; /* LeakSanitizer off for this server only */
  char        *asan_options;  /* more ASAN_OPTIONS for this server only (owned) */
  guint        max_descriptors; /* its descriptor limit, soft and hard (0: inherited) */
} RlTestServer;

RlTestServer *rl_test_server_new        (void);
/* A server on the database db (a --db value: a PostgreSQL conninfo, say,
 * which several servers may share) instead of a temporary SQLite file. */
RlTestServer *rl_test_server_new_on     (const char   *db);
void          rl_test_server_free       (RlTestServer *server);
/* Runs `redline-server --db DB ARGS…` to completion; returns its last
 * stdout line, asserting exit status 0. */
char         *rl_test_server_admin      (RlTestServer *server,
                                         const char   *first_arg,
                                         ...) G_GNUC_NULL_TERMINATED;
/* Same, but returns the exit status and stderr. */
int           rl_test_server_admin_status (RlTestServer *server,
                                           char        **err,
                                           const char   *first_arg,
                                           ...) G_GNUC_NULL_TERMINATED;
/* Runs `redline-server ARGS…` (after --db DB when server is not NULL) to
 * completion, asserting it exited (no signal); returns its exit status,
 * with what it wrote to stdout and stderr. */
int           rl_test_server_cli        (RlTestServer  *server,
                                         char         **out,
                                         char         **err,
                                         const char    *first_arg,
                                         ...) G_GNUC_NULL_TERMINATED;
int           rl_test_server_cliv       (RlTestServer       *server,
                                         char              **out,
                                         char              **err,
                                         const char * const *args);
/* Starts `serve` (port 0 the first time, the same port after) and waits for
 * the "listening on" line. */
void          rl_test_server_start      (RlTestServer *server);
/* The running server's process id, and its peak resident memory (VmHWM)
 * and open descriptors from /proc. */
int           rl_test_server_pid        (RlTestServer *server);
guint64       rl_test_server_peak_rss   (RlTestServer *server);
guint         rl_test_server_open_fds   (RlTestServer *server);
/* SIGTERM; asserts a clean exit 0. */
void          rl_test_server_stop       (RlTestServer *server);
/* Waits for a server already sent SIGTERM; asserts a clean exit 0. */
void          rl_test_server_stop_wait  (RlTestServer *server);
/* SIGKILL; no clean-up at all. */
void          rl_test_server_kill       (RlTestServer *server);

/* ---- the tenant and its people ------------------------------------------ */

/* The world a test starts from: a server (not started yet, so that options
 * can be set) with the tenant acme, its people and its documents. */
typedef struct
{
  RlTestServer *server;
  GHashTable   *tenants;     /* made besides acme */
  GPtrArray    *kept;        /* the tokens and ids handed out */
} RlTestTeam;

/* Makes the team's server with acme, then its people: pairs of "Name:role"
 * (in acme; "TENANT/Name:role" in another tenant, "globex/Rex:member",
 * made with its first person) and where the token goes (a const char **, the team keeps the
 * token), NULL-terminated, in the order they come:
 *   rl_test_team_init (&f->team, "Ada:admin", &f->admin, "Vic:viewer", &f->viewer, NULL); */
void          rl_test_team_init         (RlTestTeam   *team,
                                         const char   *first_person,
                                         ...) G_GNUC_NULL_TERMINATED;
/* The same on server, made by the caller and not started (the team takes
 * it), with no one yet: people come with rl_test_team_add_person. */
void          rl_test_team_init_on      (RlTestTeam   *team,
                                         RlTestServer *server);
/* One more person ("Name:role", "TENANT/Name:role"), as rl_test_team_init
 * adds them; the token (the team keeps it). */
const char   *rl_test_team_add_person   (RlTestTeam   *team,
                                         const char   *person);
/* A document of tenant (acme, or one someone of the team is in) from
 * data_file (under tests/data, or an absolute path); its id (the team
 * keeps it). */
const char   *rl_test_team_add_doc      (RlTestTeam   *team,
                                         const char   *tenant,
                                         const char   *title,
                                         const char   *data_file);
/* The same with the given bytes (written to a temp file, name ending in
 * suffix). */
const char   *rl_test_team_add_doc_bytes (RlTestTeam  *team,
                                          const char  *tenant,
                                          const char  *title,
                                          const char  *suffix,
                                          const char  *bytes,
                                          gssize       length);
/* Stops the server if it runs (asserting a clean exit) and frees it all. */
void          rl_test_team_clear        (RlTestTeam   *team);
/* The document "Mockup" (tests/data/mockup.png) in acme, then the team's
 * server started, with the serve option extra_arg (NULL: none more): the one
 * image most tests work on. Its id (the team keeps it). */
const char   *rl_test_team_start_with_image (RlTestTeam *team,
                                             const char *extra_arg);

/* The fixture of a test on one image by one member: the team with Alice
 * (member) in acme and its image (rl_test_team_start_with_image), the
 * server started with the test's data as its extra serve option (a
 * string, or NULL). For g_test_add with
 * rl_test_image_fixture_setup and rl_test_image_fixture_teardown. */
typedef struct
{
  RlTestTeam    team;
  RlTestServer *server;      /* the team's */
  const char   *alice;       /* Alice's token */
  const char   *image;       /* the image's id */
} RlTestImageFixture;

void          rl_test_image_fixture_setup    (RlTestImageFixture *f,
                                              gconstpointer       extra_arg);
/* rl_test_team_clear. */
void          rl_test_image_fixture_teardown (RlTestImageFixture *f,
                                              gconstpointer       data);

/* ---- two nodes on one database ------------------------------------------- */

/* Two servers, the nodes a and b (--node), on one fresh PostgreSQL
 * database (rl-test-pg.h), not started yet. The team is set up through
 * node a's command line: node b sees it all. */
typedef struct
{
  RlTestPg     *pg;
  RlTestServer *nodes[2];
  RlTestTeam    team;        /* on nodes[0] */
} RlTestCluster;

void          rl_test_cluster_init      (RlTestCluster *cluster);
/* Starts both nodes. */
void          rl_test_cluster_start     (RlTestCluster *cluster);
/* Stops the nodes that run (asserting clean exits), frees them, drops the
 * database. */
void          rl_test_cluster_clear     (RlTestCluster *cluster);

/* A tenant with one user: returns the token. */
char         *rl_test_add_user          (RlTestServer *server,
                                         const char   *tenant,
                                         const char   *name,
                                         const char   *role);
/* Adds a document from a file under tests/data (CLI); returns its id. */
char         *rl_test_add_doc           (RlTestServer *server,
                                         const char   *tenant,
                                         const char   *title,
                                         const char   *data_file);
/* Adds a document with the given bytes (written to a temp file). */
char         *rl_test_add_doc_bytes     (RlTestServer *server,
                                         const char   *tenant,
                                         const char   *title,
                                         const char   *suffix,
                                         const char   *bytes,
                                         gssize        length);

/* ---- TLS ----------------------------------------------------------------- */

/* A certificate for 127.0.0.1 (P-256, one day) made with openssl in dir:
 * NAME.pem and its key NAME-key.pem. Self-signed (usable as a CA) when
 * issuer is NULL, else signed by the certificate issuer (a NAME made
 * before in the same dir). Returns the certificate's path. */
char         *rl_test_make_certificate  (const char   *dir,
                                         const char   *name,
                                         const char   *issuer);
/* The SHA-256 fingerprint of a PEM certificate as openssl prints it
 * ("AB:CD:…"). */
char         *rl_test_certificate_fingerprint (const char *cert);
/* Serves with TLS from cert and its key (NAME-key.pem beside it); set
 * before rl_test_server_start. */
void          rl_test_server_use_tls    (RlTestServer *server,
                                         const char   *cert);

/* Waits (up to 10 s) until GLib's pool threads other than its spawner
 * have ended, having told idle ones to go: TLS handshakes run there, and
 * LeakSanitizer's exit-time tracer (GCC 12's, with glibc 2.36) crashes
 * reading the dynamic thread-local blocks GnuTLS leaves in such a thread.
 * A test process that did TLS itself calls it last, so its leaks are
 * still checked. */
void          rl_test_end_pool_threads  (void);

/* ---- HTTP ---------------------------------------------------------------- */

typedef struct
{
  guint     status;
  GBytes   *body;
  JsonNode *json;            /* NULL when the body is not JSON */
  SoupMessageHeaders *headers;
} RlTestResponse;

void            rl_test_response_free (RlTestResponse *response);
RlTestResponse *rl_test_http          (RlTestServer *server,
                                       const char   *method,
                                       const char   *path,
                                       const char   *token,
                                       const char   *content_type,
                                       GBytes       *body);
/* The error code of an error body ("not-found"…), or NULL. */
const char     *rl_test_response_error_code (RlTestResponse *response);

/* ---- WebSocket ----------------------------------------------------------- */

typedef struct
{
  SoupSession             *session;
  SoupWebsocketConnection *connection;
  GQueue                  *frames;     /* of char* (raw text) */
  GQueue                  *unpacked;   /* of JsonObject*, from batches */
  gboolean                 closed;
  gushort                  close_code;
  guint                    http_status; /* of a refused upgrade */
  JsonNode                *welcome;
} RlTestClient;

/* Connects with the token and the redline.v1 subprotocol; asserts the welcome. */
RlTestClient *rl_test_client_new      (RlTestServer *server,
                                       const char   *token);
/* Offers redline.v1.1 first (docs/protocol.md, "Revisions"); asserts the
 * server chose it and its welcome says "minor": 1. */
RlTestClient *rl_test_client_new_v11  (RlTestServer *server,
                                       const char   *token);
/* Offers redline.v1.2, v1.1 and v1 (docs/protocol.md, "Activity");
 * asserts the server chose 1.2 and its welcome says "minor": 2. */
RlTestClient *rl_test_client_new_v12  (RlTestServer *server,
                                       const char   *token);
/* Tries to connect; NULL with *status set to the HTTP status on refusal. */
RlTestClient *rl_test_client_try      (RlTestServer *server,
                                       const char   *token,
                                       guint        *status);
void          rl_test_client_free     (RlTestClient *client);
void          rl_test_client_send     (RlTestClient *client,
                                       const char   *text);
void          rl_test_client_send_printf (RlTestClient *client,
                                          const char   *format,
                                          ...) G_GNUC_PRINTF (2, 3);
/* Next frame (raw), waiting up to timeout_ms; NULL on timeout or close. */
char         *rl_test_client_next_raw (RlTestClient *client,
                                       guint         timeout_ms);
/* Next frame parsed as a JSON object; asserts one arrives. Batches are
 * unpacked: their events come out one by one, in order. */
JsonObject   *rl_test_client_next     (RlTestClient *client);
/* Skips frames until one of that type; asserts it arrives. Presence frames
 * and unread hints (1.2: coalesced, carrying no data) are skipped unless
 * asked for. */
JsonObject   *rl_test_client_expect   (RlTestClient *client,
                                       const char   *type);
/* The ack with that req (skipping events and presence). */
JsonObject   *rl_test_client_expect_ack (RlTestClient *client,
                                         const char   *req);
/* Asserts no frame other than presence arrives within ms. */
void          rl_test_client_assert_quiet (RlTestClient *client,
                                           guint         ms);
/* Waits for the connection to close; returns the close code. */
gushort       rl_test_client_wait_closed (RlTestClient *client,
                                          guint         timeout_ms);
/* subscribe + snapshot + ack; returns the snapshot (ref'd). */
JsonObject   *rl_test_client_subscribe (RlTestClient *client,
                                        const char   *doc);
/* The error code of an ack object, or NULL for ok. */
const char   *rl_test_ack_error       (JsonObject   *ack);

/* ---- waiting (rl-test-wait.h) ------------------------------------------ */

/* The same as RL_TEST_POLL_UNTIL for a condition that is a function
 * already (the benchmarks'). */
gboolean      rl_test_wait_until      (gboolean    (*cond) (gpointer),
                                       gpointer      data,
                                       guint         ms);

/* The SQLite store's schema version: what a server migrates a database to. */
#define RL_TEST_SCHEMA_VERSION 5

/* SQL that takes a SQLite database of schema 5 back to what a server
 * before protocol 1.2 (schema 4) left: no comment seqs, mentions, read
 * state nor activity logs. */
#define RL_TEST_UNDO_SCHEMA_5 \
  "DROP TABLE mentions;" \
  "DROP TABLE read_marks;" \
  "DROP TABLE activity;" \
  "ALTER TABLE comments DROP COLUMN seq;" \
  "ALTER TABLE users DROP COLUMN activity_seq;" \
  "PRAGMA user_version = 4;"

/* SQL that takes a SQLite database of schema 5 back to what a server
 * before revisions (schema 3) left: revision 1's content on the document,
 * no revisions, placements nor the events' additive members. (Revision 1
 * is all such a server knew.) */
#define RL_TEST_UNDO_SCHEMA_4 \
  RL_TEST_UNDO_SCHEMA_5 \
  "ALTER TABLE documents ADD COLUMN content BLOB NOT NULL DEFAULT X'';" \
  "UPDATE documents SET content = (SELECT content FROM revisions r" \
  "  WHERE r.tenant = documents.tenant AND r.doc = documents.id AND r.revision = 1);" \
  "DROP TABLE revisions;" \
  "DROP TABLE placements;" \
  "ALTER TABLE documents DROP COLUMN revision;" \
  "ALTER TABLE documents DROP COLUMN unrevisioned_seq;" \
  "ALTER TABLE threads DROP COLUMN revision;" \
  "UPDATE events SET payload = json_remove (payload, '$.thread.revision', '$.thread.placements'," \
  "  '$.change.revision', '$.change.status', '$.change.by');" \
  "PRAGMA user_version = 3;"

char         *rl_test_uuid            (void);
/* The user id a token starts with (before its '.'). */
char         *rl_test_token_user      (const char   *token);

/* ---- a raw client -------------------------------------------------------- */

/* A TCP connection to the server that writes exact bytes and reads what
 * comes: for what no well-behaved client (libsoup's) would send. */
typedef struct
{
  GSocket    *socket;
  GByteArray *in;            /* received, not taken yet */
  gboolean    closed;        /* the server ended (or reset) the connection */
  gboolean    reset;         /* ended by an error (a reset), not in order */
  guint64     sent;
  guint64     received;
} RlTestRaw;

/* An HTTP answer as it came over a raw connection. */
typedef struct
{
  guint     status;
  char     *head;            /* the status line and the header fields */
  JsonNode *json;            /* the body, NULL when it is not JSON */
} RlTestRawAnswer;

/* Connects to the server; a receive_buffer other than 0 is set (SO_RCVBUF)
 * before connecting, so the window offered stays that small. */
RlTestRaw       *rl_test_raw_connect       (RlTestServer    *server,
                                            int              receive_buffer);
void             rl_test_raw_free          (RlTestRaw       *raw);
/* Writes all of data (length -1: a string), waiting up to 10 s for room
 * each time; FALSE when the server closed the connection first. */
gboolean         rl_test_raw_send          (RlTestRaw       *raw,
                                            const char      *data,
                                            gssize           length);
/* Reads what arrives into in, waiting until the monotonic time until;
 * FALSE when nothing came by then (the end of the stream sets closed). */
gboolean         rl_test_raw_read_some     (RlTestRaw       *raw,
                                            gint64           until);
/* One whole answer (its head, and the body its Content-Length says), taken
 * from in, or NULL when none came within ms. */
RlTestRawAnswer *rl_test_raw_answer        (RlTestRaw       *raw,
                                            guint            ms);
void             rl_test_raw_answer_free   (RlTestRawAnswer *answer);
/* Whether the server closes the connection within ms, saying nothing more. */
gboolean         rl_test_raw_closed_within (RlTestRaw       *raw,
                                            guint            ms);

/* ---- a raw WebSocket client ------------------------------------------- */

/* A WebSocket frame as it came over a raw connection. */
typedef struct
{
  guint8  first;             /* FIN, RSV1-3, opcode */
  GBytes *raw;               /* the whole frame */
  GBytes *payload;
} RlTestRawFrame;

void             rl_test_raw_frame_clear   (RlTestRawFrame  *frame);
/* A raw connection (receive_buffer as for rl_test_raw_connect) upgraded
 * to a WebSocket (redline.v1) with token, offering extensions (a
 * Sec-WebSocket-Extensions value; NULL: none), the 101 asserted; the
 * answer's head in *head if asked. received counts from after the
 * handshake. */
RlTestRaw       *rl_test_raw_ws_connect    (RlTestServer    *server,
                                            const char      *token,
                                            int              receive_buffer,
                                            const char      *extensions,
                                            char           **head);
/* One masked, final frame of opcode with payload, RSV1 set when
 * compressed (permessage-deflate), as a client must send it. */
void             rl_test_raw_ws_send       (RlTestRaw       *raw,
                                            guint8           opcode,
                                            gboolean         compressed,
                                            const guint8    *payload,
                                            gsize            length);
/* The same for an uncompressed text frame. */
void             rl_test_raw_ws_send_text  (RlTestRaw       *raw,
                                            const char      *text);
/* The next frame (asserted unmasked, and that each read comes within
 * 20 s); FALSE at the end of the stream. */
gboolean         rl_test_raw_ws_next       (RlTestRaw       *raw,
                                            RlTestRawFrame  *frame);

/* ---- files for uploads --------------------------------------------------- */

/* A PNG of random pixels (so it stays large), width × height, at path. */
void          rl_test_write_noisy_png (const char  *path,
                                       int          width,
                                       int          height);
/* A file of size bytes that takes no room (a hole), at path. */
void          rl_test_write_sparse    (const char  *path,
                                       goffset      size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlTestServer, rl_test_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlTestClient, rl_test_client_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlTestResponse, rl_test_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlTestRaw, rl_test_raw_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlTestRawAnswer, rl_test_raw_answer_free)

G_END_DECLS
