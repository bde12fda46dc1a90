/* rl-gate.h — every HTTP connection of the server, from accept until it is a
 * WebSocket, is refused or closes: how long it may take, how many an address
 * may hold before authenticating, and answers written without reading on
 *
 * libsoup 3.2 reads a request's whole body before anything can answer it and
 * has no timeouts of its own, so the gate keeps a record per connection (by
 * its socket), a clock for each (the request head, then each chunk of an
 * upload's body, then the idle time between keep-alive requests), and takes
 * the connection from libsoup when it must answer without reading further.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define RL_TYPE_GATE (rl_gate_get_type ())
G_DECLARE_FINAL_TYPE (RlGate, rl_gate, RL, GATE, GObject)

/* Watches the connections of soup (created in the main context, which the
 * gate's clock and watches use too). */
RlGate   *rl_gate_new                      (SoupServer        *soup);
/* Seconds a connection has for its TLS handshake and request head, and for
 * the next request's head on a kept-alive connection (RL_HANDSHAKE_TIMEOUT_SECONDS):
 * past it, 408 and close (an idle connection is only closed). */
void      rl_gate_set_handshake_timeout    (RlGate            *self,
                                            guint              seconds);
/* Seconds an upload's body may go without a byte (RL_BODY_TIMEOUT_SECONDS):
 * past it, 408 and close. */
void      rl_gate_set_body_timeout         (RlGate            *self,
                                            guint              seconds);
/* Connections an address may hold before any of them authenticates
 * (RL_MAX_UNAUTHENTICATED_PER_ADDRESS; 0: no cap): one more is answered 429
 * rate-limited at once and closed. IPv6 addresses count per /64. */
void      rl_gate_set_max_unauthenticated  (RlGate            *self,
                                            guint              per_address);

/* The request's head is in: its clock stops. FALSE when the connection is
 * already refused (over its address's cap): leave msg alone. */
gboolean  rl_gate_headers_done             (RlGate            *self,
                                            SoupServerMessage *msg);
/* The request carried a valid token: its connection stops counting against
 * its address. */
void      rl_gate_authenticated            (RlGate            *self,
                                            SoupServerMessage *msg);
/* The request's body will be read: each chunk must come within the body
 * timeout, until the whole body is in. */
void      rl_gate_expect_body              (RlGate            *self,
                                            SoupServerMessage *msg);
/* Writes the answer msg holds (its status, headers and body, set as for
 * libsoup) and closes the connection without reading any more of the
 * request: the connection is taken from libsoup, the answer written with
 * Connection: close, the sending side shut, and whatever still arrives
 * thrown away for at most RL_GATE_LINGER_MS, so that the client reads the
 * answer rather than a reset. libsoup then says nothing more of msg
 * (request-finished is not emitted): RlGate::refused is, first. */
/* Connections accepted so far (libsoup's listener at work). */
guint64   rl_gate_get_accepted             (RlGate            *self);
void      rl_gate_refuse                   (RlGate            *self,
                                            SoupServerMessage *msg);

#define RL_GATE_LINGER_MS 2000

G_END_DECLS
