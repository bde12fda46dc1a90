/* rl-message.h — what the server sends (PROTOCOL.md §2, §5, §6)
 *
 * The server writes its frames with rl_message_serialize_*; the client
 * reads any of them with rl_message_parse.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-activity.h"
#include "rl-event.h"

G_BEGIN_DECLS

/* minor: 1 or 2 on a connection that chose redline.v1.1 or redline.v1.2
 * (docs/protocol.md, "Revisions", "Activity"), 0 on a v1 one (no minor
 * member). */
char        *rl_message_serialize_welcome   (const char     *tenant,
                                             const RlPerson *user,
                                             RlRole          role,
                                             const char     *connection,
                                             gint64          server_time,
                                             int             minor);
/* seq < 0: no seq member; number 0: no number member (only the ack of a
 * create-thread carries one: the new thread's number, which its creator
 * would otherwise learn only from the echo it ignores). */
char        *rl_message_serialize_ack_ok    (const char     *req,
                                             gint64          seq,
                                             gint64          number);
/* 1.2: the ack of a subscribe with the caller's read state of the
 * document ({"ok":true,"seq":H,"read":{…}}). */
char        *rl_message_serialize_ack_read  (const char     *req,
                                             gint64          seq,
                                             const RlReadState *read);
/* 1.2: the ack of a subscribe-activity ({"ok":true,"aseq":H}). */
char        *rl_message_serialize_ack_aseq  (const char     *req,
                                             gint64          aseq);
char        *rl_message_serialize_ack_error (const char     *req,
                                             RlErrorCode     code,
                                             const char     *message);
char        *rl_message_serialize_snapshot  (const char     *doc,
                                             gint64          seq,
                                             GPtrArray      *threads,
                                             gboolean        reset);
/* The same with the document's latest revision (0: none said). */
char        *rl_message_serialize_snapshot_at (const char   *doc,
                                             gint64          seq,
                                             gint64          revision,
                                             GPtrArray      *threads,
                                             gboolean        reset);
/* users: of RlPerson* */
char        *rl_message_serialize_presence  (const char     *doc,
                                             guint           count,
                                             guint           connections,
                                             GPtrArray      *users);
/* 1.2: {"type":"unread-hint","doc":…}: what is unread in doc may have
 * changed for someone (docs/protocol.md, "Activity"); no data, no aseq. */
char        *rl_message_serialize_unread_hint (const char   *doc);
/* events: already serialized events, packed in order. */
char        *rl_message_serialize_batch     (const char * const *events,
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
  RL_MESSAGE_ACTIVITY,            /* 1.2: an item of the activity feed */
  RL_MESSAGE_ACTIVITY_SNAPSHOT,   /* 1.2 */
  RL_MESSAGE_UNREAD_HINT,         /* 1.2: re-read the document's unread */
} RlMessageType;

typedef struct _RlMessage RlMessage;
struct _RlMessage
{
  RlMessageType type;
  /* welcome */
  int           protocol;
  int           minor;         /* 1, 2: a 1.1, 1.2 connection; 0 absent */
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
  /* snapshot, presence, unread-hint */
  char         *doc;
  GPtrArray    *threads;       /* of RlThread* */
  gboolean      reset;
  gint64        revision;      /* snapshot: the document's latest (0: not said) */
  /* event */
  RlEvent      *event;
  /* presence */
  guint         count;
  guint         connections;
  GPtrArray    *users;         /* of RlPerson* */
  /* batch */
  GPtrArray    *messages;      /* of RlMessage* */
  /* 1.2 */
  gint64        aseq;          /* ack of subscribe-activity (-1 when absent), activity-snapshot */
  RlReadState  *read;          /* ack of subscribe: the read state (NULL when absent) */
  RlActivity   *activity;      /* activity */
  GPtrArray    *unread;        /* activity-snapshot: of RlActivityUnread* */
  GPtrArray    *activities;    /* activity-snapshot: of RlActivity*, oldest first */
};

/* Parses what the server sends; RL_ERROR_BAD_REQUEST when malformed. */
RlMessage   *rl_message_parse          (const char     *text,
                                        gsize           length,
                                        GError        **error);
void         rl_message_free           (RlMessage      *message);
/* A deep copy (its threads shared: RlThread is reference counted). */
RlMessage   *rl_message_copy           (const RlMessage *message);
/* A boxed type (copy, free), so that signals carry messages typed. */
#define RL_TYPE_MESSAGE (rl_message_get_type ())
GType        rl_message_get_type       (void) G_GNUC_CONST;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlMessage, rl_message_free)

G_END_DECLS
