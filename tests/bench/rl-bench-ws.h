/* rl-bench-ws.h — the least of a WebSocket client, for load generators
 *
 * Thousands of clients in one process cannot each be a libsoup session:
 * the benchmarks keep raw non-blocking sockets on one epoll loop and frame
 * by hand (RFC 6455: masked client frames, the server's unmasked ones).
 * Only the benchmarks use this; the app's client is libsoup's. The
 * server they load is set up and started here too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <netinet/in.h>

G_BEGIN_DECLS

#define RL_WS_OP_TEXT  0x1
#define RL_WS_OP_CLOSE 0x8
#define RL_WS_OP_PING  0x9
#define RL_WS_OP_PONG  0xA

/* The next "seq" of an event in an event or batch frame's payload at or
 * after p (its number in *seq, the place after it returned), or NULL: the
 * "seq" members of the comments an event carries (protocol 1.2) are not an
 * event's, so they are passed over. */
const guint8 *rl_bench_next_event_seq (const guint8              *p,
                                       const guint8              *end,
                                       const guint8              *start,
                                       gint64                    *seq);

/* A non-blocking TCP socket connecting to addr (TCP_NODELAY, close on
 * exec); -1 with errno set when none could be made. With linger_reset, a
 * later close() resets the connection (RST) instead of ending it (FIN). */
int       rl_bench_ws_connect         (const struct sockaddr_in *addr,
                                       gboolean                  linger_reset);
/* Makes close() send a reset: an abrupt drop, as a cut cable looks. */
void      rl_bench_ws_set_reset       (int                       fd);
/* The upgrade request for /api/v1/ws with the redline.v1 subprotocol. */
void      rl_bench_ws_append_upgrade  (GByteArray               *out,
                                       const char               *host,
                                       int                       port,
                                       const char               *token);
/* The length of a complete HTTP response head at the start of in (0 while
 * incomplete), and its status. */
gsize     rl_bench_ws_parse_head      (const GByteArray         *in,
                                       guint                    *status);
/* Appends one final, masked frame. */
void      rl_bench_ws_append_frame    (GByteArray               *out,
                                       guint8                    opcode,
                                       const void               *payload,
                                       gsize                     length);
/* The next whole frame of in from *offset on: TRUE and *offset moved past
 * it, FALSE when incomplete. A fragmented frame (FIN unset) sets *final. */
gboolean  rl_bench_ws_next_frame      (const GByteArray         *in,
                                       gsize                    *offset,
                                       guint8                   *opcode,
                                       gboolean                 *final,
                                       const guint8            **payload,
                                       gsize                    *length);
/* Writes as much of out as the socket takes and removes it from out:
 * FALSE on a broken link (errno set). */
gboolean  rl_bench_ws_flush           (int                       fd,
                                       GByteArray               *out);
/* Reads what there is into in: the bytes read, 0 at the end of the stream,
 * -1 on an error (errno; EAGAIN when nothing is there). */
gssize    rl_bench_ws_fill            (int                       fd,
                                       GByteArray               *in);

/* Process facts from /proc: resident memory and its anonymous part (KiB),
 * open descriptors. FALSE when the process is gone. */
gboolean  rl_bench_proc_memory        (int                       pid,
                                       guint64                  *rss_kib,
                                       guint64                  *anon_kib);
int       rl_bench_proc_fds           (int                       pid);
/* Raises this process's limit of descriptors to wanted (the hard one too
 * when root), else its soft limit to the hard one; returns the limit now in
 * force. Processes it starts inherit it. */
guint64   rl_bench_raise_fd_limit     (guint64                   wanted);

/* ---- the server under load -------------------------------------------- */

/* Runs `SERVER --db DB ARGS…` to completion and returns its last line of
 * output; exits the process (g_error) when it fails. */
char     *rl_bench_admin              (const char               *server,
                                       const char               *db,
                                       ...) G_GNUC_NULL_TERMINATED;
/* The tenant with n_users members ("LABEL 0"…) and n_docs documents of
 * image ("LABEL 0"…): their tokens and ids, NULL-terminated. */
void      rl_bench_add_team           (const char               *server,
                                       const char               *db,
                                       const char               *tenant,
                                       const char               *label,
                                       int                       n_users,
                                       int                       n_docs,
                                       const char               *image,
                                       char                   ***tokens,
                                       char                   ***doc_ids);
/* Starts `SERVER --db DB serve --listen 127.0.0.1:PORT ARGS…` (port 0:
 * any), its stderr appended to log, and waits for its "listening on"
 * line: its address (http://127.0.0.1:PORT) and port. Exits the process
 * when it does not start. */
GSubprocess *rl_bench_start_server    (const char               *server,
                                       const char               *db,
                                       const char               *log,
                                       int                       port,
                                       const char * const       *args,
                                       char                    **url,
                                       int                      *port_out);
/* 127.0.0.1:port. */
void      rl_bench_loopback           (struct sockaddr_in       *addr,
                                       int                       port);
/* GET path from addr with a token, Connection: close (blocking): the body
 * of a 200 answer, else NULL. */
char     *rl_bench_http_get           (const struct sockaddr_in *addr,
                                       const char               *path,
                                       const char               *token);
/* Removes a run's database (with its -shm and -wal), log and directory. */
void      rl_bench_remove_run         (const char               *dir,
                                       const char               *db,
                                       const char               *log);

G_END_DECLS
