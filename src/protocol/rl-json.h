/* rl-json.h — strict JSON, and the protocol's objects as JSON (PROTOCOL.md §1)
 *
 * Every JSON that comes from the network is read through rl_json_parse.
 * The objects' JSON shape (anchors, comments, threads, documents) and the
 * HTTP bodies that carry them are written here and nowhere else; parsing
 * validates shape and ranges, what needs the store is the server's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "rl-error.h"
#include "rl-model.h"

G_BEGIN_DECLS

/* Parses one JSON text, strictly (RFC 8259: one value, nested at most 32
 * deep, no U+0000 or lone surrogate in a string), and returns its root;
 * NULL with RL_ERROR_BAD_REQUEST (what is wrong, where) when it is anything
 * else. Every JSON that comes from the network goes through it, never
 * straight to json-glib. */
JsonNode    *rl_json_parse             (const char     *text,
                                        gsize           length,
                                        GError        **error);
/* Compact JSON of node, as everything the protocol library writes: each
 * double in the shortest form that reads back as the same double (0.654321,
 * not 0.65432100000000004; a whole one with ".0"), integers as integers,
 * strings escaped as RFC 8259 requires. */
char        *rl_json_to_string         (JsonNode       *node,
                                        gsize          *length);

/* ---- objects (HTTP bodies, store, messages) ----------------------------- */

JsonNode    *rl_thread_to_json         (const RlThread *thread);
RlThread    *rl_thread_from_json       (JsonNode       *node,
                                        GError        **error);
JsonNode    *rl_comment_to_json        (const RlComment *comment);
RlComment   *rl_comment_from_json      (JsonNode       *node,
                                        GError        **error);
JsonNode    *rl_anchor_to_json         (const RlAnchor *anchor);
/* Shape and range checks of an anchor object (§1). */
gboolean     rl_anchor_from_json       (JsonNode       *node,
                                        RlAnchor       *anchor,
                                        GError        **error);
/* A placement (docs/protocol.md, "Revisions"); with thread, as a
 * revision-added event lists it. Parsing checks the status, the anchor
 * (null exactly when orphaned), a score in 0–1 and the person. */
JsonNode    *rl_revision_anchor_to_json   (const RlRevisionAnchor *placement,
                                           const char             *thread);
RlRevisionAnchor *rl_revision_anchor_from_json (JsonNode      *node,
                                                GError       **error);
/* A revision of a document of kind: its mime must be of that kind. */
JsonNode    *rl_revision_to_json       (const RlRevision *revision,
                                        RlDocKind       kind);
RlRevision  *rl_revision_from_json     (JsonNode       *node,
                                        RlDocKind       kind,
                                        GError        **error);
JsonNode    *rl_document_to_json       (const RlDocument *doc);
RlDocument  *rl_document_from_json     (JsonNode       *node,
                                        GError        **error);
/* GET /api/v1/docs: an array of documents, each checked; a GPtrArray of
 * RlDocument*, NULL with RL_ERROR_BAD_REQUEST when anything is malformed. */
GPtrArray   *rl_documents_from_json    (JsonNode       *node,
                                        GError        **error);

/* A document's "unread" (1.2): {"threads":N,"comments":M,"mentions":K};
 * parsing checks 0 ≤ threads ≤ comments and 0 ≤ mentions ≤ comments. */
JsonNode    *rl_unread_counts_to_json  (const RlUnreadCounts *counts);
gboolean     rl_unread_counts_from_json (JsonNode       *node,
                                        RlUnreadCounts *counts,
                                        GError        **error);

/* ---- HTTP bodies -------------------------------------------------------- */

/* GET /api/v1/users (1.2): [{"id","name","role"}…] of RlMember*, and back
 * (NULL with RL_ERROR_BAD_REQUEST when anything is malformed). */
char        *rl_members_body_serialize (GPtrArray      *members);
GPtrArray   *rl_members_from_json      (JsonNode       *node,
                                        GError        **error);

/* {"seq":N,"threads":[…]} */
char        *rl_threads_body_serialize (gint64          seq,
                                        GPtrArray      *threads);
/* The same as a node, and back: seq ≥ 0, every thread checked as in a
 * snapshot; *threads is NULL on failure. */
JsonNode    *rl_threads_body_to_json   (gint64          seq,
                                        GPtrArray      *threads);
gboolean     rl_threads_body_from_json (JsonNode       *node,
                                        gint64         *seq,
                                        GPtrArray     **threads,
                                        GError        **error);
/* {"error":{"code":…,"message":…}} */
char        *rl_error_body_serialize   (RlErrorCode     code,
                                        const char     *message);
/* Reads an HTTP error body ({"error":{"code":…,"message":…}}) into error:
 * its code in RL_ERROR (an unknown code is RL_ERROR_INTERNAL) and message.
 * FALSE, with nothing set, when the body is not an error object. */
gboolean     rl_error_body_parse       (const char     *text,
                                        gsize           length,
                                        GError        **error);

G_END_DECLS
