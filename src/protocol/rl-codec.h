/* rl-codec.h — the JSON shape of every message (PROTOCOL.md §2–§6)
 *
 * The only place the wire format is written. Parsing validates shape and
 * ranges (types, UUIDs, body length, anchor ranges); what needs the store
 * (existence, roles, `exact` against the page) is the server's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "rl-error.h"
#include "rl-model.h"

G_BEGIN_DECLS

/* ---- client → server ---------------------------------------------------- */

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
} RlRequestType;

typedef struct
{
  RlRequestType type;
  char         *req;           /* the client's tag, or NULL */
  char         *broadcast_id;  /* every mutation */
  char         *doc;
  gboolean      has_since;     /* subscribe */
  gint64        since;
  char         *thread_id;     /* all but (un)subscribe */
  char         *comment_id;    /* create-thread, *-comment */
  char         *body;          /* create-thread, add-, edit-comment; trimmed */
  gboolean      has_anchor;    /* create-thread, move-thread */
  RlAnchor      anchor;
  gboolean      resolved;      /* resolve-thread */
} RlRequest;

RlRequest   *rl_request_new            (RlRequestType   type);
void         rl_request_free           (RlRequest      *request);
const char  *rl_request_type_to_string (RlRequestType   type);
gboolean     rl_request_type_is_mutation (RlRequestType type);

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

/* ---- events ------------------------------------------------------------- */

typedef enum
{
  RL_EVENT_CREATED,
  RL_EVENT_UPDATED,
  RL_EVENT_DELETED,
} RlEventKind;

typedef enum
{
  RL_CHANGE_NONE,
  RL_CHANGE_COMMENT_ADDED,
  RL_CHANGE_COMMENT_EDITED,
  RL_CHANGE_COMMENT_DELETED,
  RL_CHANGE_RESOLVED,
  RL_CHANGE_MOVED,
} RlChangeKind;

typedef struct
{
  RlEventKind   kind;
  RlDocKind     doc_kind;
  char         *doc;
  gint64        seq;
  char         *broadcast_id;
  RlThread     *thread;        /* created: the whole thread */
  char         *thread_id;     /* every event */
  RlChangeKind  change;        /* updated */
  RlComment    *comment;       /* comment-added, comment-edited */
  char         *comment_id;    /* comment-deleted */
  gboolean      resolved;      /* resolved */
  RlPerson      by;            /* resolved */
  RlAnchor      anchor;        /* moved */
} RlEvent;

RlEvent     *rl_event_new              (RlEventKind     kind,
                                        RlDocKind       doc_kind);
void         rl_event_free             (RlEvent        *event);
/* "new-image-chat", "updated-text-chat", … */
const char  *rl_event_type_name        (RlEventKind     kind,
                                        RlDocKind       doc_kind);
char        *rl_event_serialize        (const RlEvent  *event);
/* The index of the thread with that id in a thread list; *found says
 * whether there is one. */
guint        rl_event_find_thread      (GPtrArray      *threads,
                                        const char     *id,
                                        gboolean       *found);
/* Applies an event to a thread list (created/updated/deleted), keeping
 * threads in creation order; FALSE when it names something absent. */
gboolean     rl_event_apply            (const RlEvent  *event,
                                        GPtrArray      *threads);

/* ---- server → client ---------------------------------------------------- */

char        *rl_codec_welcome          (const char     *tenant,
                                        const RlPerson *user,
                                        RlRole          role,
                                        const char     *connection,
                                        gint64          server_time);
/* seq < 0: no seq member; number 0: no number member (only the ack of a
 * create-thread carries one: the new thread's number, which its creator
 * would otherwise learn only from the echo it ignores). */
char        *rl_codec_ack_ok           (const char     *req,
                                        gint64          seq,
                                        gint64          number);
char        *rl_codec_ack_error        (const char     *req,
                                        RlErrorCode     code,
                                        const char     *message);
char        *rl_codec_snapshot         (const char     *doc,
                                        gint64          seq,
                                        GPtrArray      *threads,
                                        gboolean        reset);
/* users: of RlPerson* */
char        *rl_codec_presence         (const char     *doc,
                                        guint           count,
                                        guint           connections,
                                        GPtrArray      *users);
/* events: already serialized events, packed in order. */
char        *rl_codec_batch            (const char * const *events,
                                        guint           n_events,
                                        gsize          *length);

typedef enum
{
  RL_MESSAGE_WELCOME,
  RL_MESSAGE_ACK,
  RL_MESSAGE_SNAPSHOT,
  RL_MESSAGE_EVENT,
  RL_MESSAGE_PRESENCE,
  RL_MESSAGE_BATCH,
} RlMessageType;

typedef struct _RlMessage RlMessage;
struct _RlMessage
{
  RlMessageType type;
  /* welcome */
  int           protocol;
  char         *tenant;
  RlPerson      user;
  RlRole        role;
  char         *connection;
  gint64        server_time;
  /* ack */
  char         *req;
  gboolean      ok;
  gint64        seq;           /* ack (-1 when absent), snapshot */
  gint64        number;        /* ack of create-thread: the thread's number (0 when absent) */
  RlErrorCode   error_code;
  char         *error_message;
  /* snapshot, presence */
  char         *doc;
  GPtrArray    *threads;       /* of RlThread* */
  gboolean      reset;
  /* event */
  RlEvent      *event;
  /* presence */
  guint         count;
  guint         connections;
  GPtrArray    *users;         /* of RlPerson* */
  /* batch */
  GPtrArray    *messages;      /* of RlMessage* */
};

/* Parses what the server sends; RL_ERROR_BAD_REQUEST when malformed. */
RlMessage   *rl_message_parse          (const char     *text,
                                        gsize           length,
                                        GError        **error);
void         rl_message_free           (RlMessage      *message);

/* ---- JSON values (HTTP bodies, store) ----------------------------------- */

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
JsonNode    *rl_document_to_json       (const RlDocument *doc);
RlDocument  *rl_document_from_json     (JsonNode       *node,
                                        GError        **error);
/* GET /api/v1/docs: an array of documents, each checked; a GPtrArray of
 * RlDocument*, NULL with RL_ERROR_BAD_REQUEST when anything is malformed. */
GPtrArray   *rl_documents_from_json    (JsonNode       *node,
                                        GError        **error);
/* Reads an HTTP error body ({"error":{"code":…,"message":…}}) into error:
 * its code in RL_ERROR (an unknown code is RL_ERROR_INTERNAL) and message.
 * FALSE, with nothing set, when the body is not an error object. */
gboolean     rl_codec_error_from_body  (const char     *text,
                                        gsize           length,
                                        GError        **error);
/* {"seq":N,"threads":[…]} */
char        *rl_codec_threads_body     (gint64          seq,
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
char        *rl_codec_error_body       (RlErrorCode     code,
                                        const char     *message);
char        *rl_json_to_string         (JsonNode       *node,
                                        gsize          *length);
/* Parses one JSON text, strictly (RFC 8259: one value, nested at most 32
 * deep, no U+0000 or lone surrogate in a string), and returns its root;
 * NULL with RL_ERROR_BAD_REQUEST (what is wrong, where) when it is anything
 * else. Every JSON that comes from the network goes through it, never
 * straight to json-glib. */
JsonNode    *rl_json_parse             (const char     *text,
                                        gsize           length,
                                        GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlRequest, rl_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlEvent, rl_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlMessage, rl_message_free)

G_END_DECLS
