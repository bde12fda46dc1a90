/* rl-request.h — what a client sends (PROTOCOL.md §3)
 *
 * Parsing validates shape and ranges (types, UUIDs, body length, anchor
 * ranges); what needs the store (existence, roles, `exact` against the
 * page) is the server's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-json.h"

G_BEGIN_DECLS

typedef enum
{
  RL_REQUEST_SUBSCRIBE,
  RL_REQUEST_UNSUBSCRIBE,
  RL_REQUEST_CREATE_THREAD,
  RL_REQUEST_ADD_COMMENT,
  RL_REQUEST_EDIT_COMMENT,
  RL_REQUEST_DELETE_COMMENT,
  RL_REQUEST_RESOLVE_THREAD,
  RL_REQUEST_MOVE_THREAD,
  RL_REQUEST_DELETE_THREAD,
  RL_REQUEST_PLACE_THREAD,     /* 1.1 (docs/protocol.md, "Revisions") */
  RL_REQUEST_MARK_READ,        /* 1.2 (docs/protocol.md, "Activity") */
  RL_REQUEST_SUBSCRIBE_ACTIVITY,
  RL_REQUEST_UNSUBSCRIBE_ACTIVITY,
} RlRequestType;

/* Registered, so that signals carry it typed. */
#define RL_TYPE_REQUEST_TYPE (rl_request_type_get_type ())
GType rl_request_type_get_type (void) G_GNUC_CONST;

typedef struct
{
  RlRequestType type;
  char         *req;           /* the client's tag, or NULL */
  char         *broadcast_id;  /* every mutation */
  char         *doc;           /* all but (un)subscribe-activity */
  gboolean      has_since;     /* subscribe, subscribe-activity */
  gint64        since;         /* a document seq, or an aseq */
  char         *thread_id;     /* all but (un)subscribe; mark-read: NULL for the floor */
  char         *comment_id;    /* create-thread, *-comment */
  char         *body;          /* create-thread, add-, edit-comment; trimmed */
  gboolean      has_anchor;    /* create-thread, move-thread; place-thread when given */
  RlAnchor      anchor;
  gint64        revision;      /* create-, move-, place-thread (1.1): the one the
                                * person looks at; 0: not given (the latest) */
  gboolean      resolved;      /* resolve-thread */
  /* create-thread, add-, edit-comment (1.2): of RlMention*, offsets into
   * the trimmed body (shifted by what trimming removed); NULL: none */
  GPtrArray    *mentions;
  gint64        seq;           /* mark-read: read up to it */
} RlRequest;

RlRequest   *rl_request_new            (RlRequestType   type);
void         rl_request_free           (RlRequest      *request);
const char  *rl_request_type_to_string (RlRequestType   type);
/* A change of a document (it takes a seq): create-thread … place-thread. */
gboolean     rl_request_type_is_mutation (RlRequestType type);
/* A request only 1.2 connections may send (mark-read, (un)subscribe-activity). */
gboolean     rl_request_type_is_v12     (RlRequestType type);

/* Parses and validates one frame. On failure returns NULL, sets error
 * (RL_ERROR_BAD_REQUEST or RL_ERROR_UNKNOWN_TYPE) and, when it could be
 * read, *req_out to the client's `req` so the ack can carry it. */
RlRequest   *rl_request_parse          (const char     *text,
                                        gsize           length,
                                        char          **req_out,
                                        GError        **error);
char        *rl_request_serialize      (const RlRequest *request);

/* Trims Unicode white space; NULL when the result is not 1–4000 characters. */
char        *rl_body_normalize         (const char     *body);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlRequest, rl_request_free)

G_END_DECLS
