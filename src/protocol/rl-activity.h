/* rl-activity.h — the activity feed and read state (protocol 1.2)
 *
 * What concerns one user across the documents of their tenant
 * (docs/protocol.md, "Activity"): the items of their activity log, the
 * `activity-snapshot` that starts (or resets) a feed, and the read state
 * the ack of a `subscribe` carries. Parsing checks every member the
 * item's kind needs; the server writes them, the client reads them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-json.h"

G_BEGIN_DECLS

typedef enum
{
  RL_ACTIVITY_MENTION,     /* a comment mentions the user */
  RL_ACTIVITY_REPLY,       /* a comment in a thread that is theirs */
  RL_ACTIVITY_RESOLVED,    /* such a thread resolved or reopened */
  RL_ACTIVITY_REVISION,    /* a new revision of a document that is theirs */
  RL_ACTIVITY_READ,        /* they marked something read (any connection) */
} RlActivityKind;

/* A document as the feed names it. */
typedef struct
{
  char      *id;
  char      *title;
  RlDocKind  kind;
} RlActivityDoc;

typedef struct
{
  RlActivityKind  kind;
  gint64          aseq;           /* 1, 2, 3 … per (tenant, user), no gaps */
  gint64          at;             /* ms since the epoch */
  RlPerson        actor;          /* who did it (read: the user) */
  RlActivityDoc   doc;
  gint64          doc_seq;        /* the document's seq of the change; read: 0 */
  char           *thread;         /* mention, reply, resolved; read: NULL for the floor */
  gint64          thread_number;  /* with thread, 0 when not known */
  RlComment      *comment;        /* mention, reply: the whole comment */
  gboolean        resolved;       /* resolved */
  gint64          revision;       /* revision */
  gint64          seq;            /* read: read up to it */
  char           *broadcast_id;   /* read: the mark-read's */
} RlActivity;

/* One document's line of an activity-snapshot's "unread". */
typedef struct
{
  RlActivityDoc   doc;
  RlUnreadCounts  counts;
} RlActivityUnread;

/* A thread's read marker above the floor. */
typedef struct
{
  char   *thread;
  gint64  seq;
} RlReadMarker;

/* A user's read state of one document: the floor, the markers above it
 * (of RlReadMarker*, by thread id), and when the user was added: comments
 * made before it are read (a new member's backlog is not news). */
typedef struct
{
  gint64     seq;
  GPtrArray *threads;
  gint64     since;   /* ms since the epoch */
} RlReadState;

const char       *rl_activity_kind_to_string   (RlActivityKind  kind);
gboolean          rl_activity_kind_from_string (const char     *str,
                                                RlActivityKind *kind);

void              rl_activity_doc_clear        (RlActivityDoc  *doc);
void              rl_activity_doc_copy_into    (RlActivityDoc  *dest,
                                                const RlActivityDoc *src);

RlActivity       *rl_activity_new              (RlActivityKind  kind);
RlActivity       *rl_activity_copy             (const RlActivity *activity);
void              rl_activity_free             (RlActivity     *activity);
/* The item as a frame object: {"type":"activity","aseq":…,"kind":…,…}. */
JsonNode         *rl_activity_to_json          (const RlActivity *activity);
/* The same as text, what the store keeps and the server sends. */
char             *rl_activity_serialize        (const RlActivity *activity);
/* Reads an item (its "type" may be absent); RL_ERROR_BAD_REQUEST when a
 * member its kind needs is missing or malformed. */
RlActivity       *rl_activity_new_from_json    (JsonNode       *node,
                                                GError        **error);

void              rl_activity_unread_free      (RlActivityUnread *unread);

RlReadState      *rl_read_state_new            (gint64          seq,
                                                gint64          since);
void              rl_read_state_free           (RlReadState    *state);
/* Adds a thread's marker, kept in thread id order. */
void              rl_read_state_add            (RlReadState    *state,
                                                const char     *thread,
                                                gint64          seq);
/* {"seq":F,"threads":{"<id>":S,…},"since":"<RFC 3339 time>"}, every member
 * required when read. */
JsonNode         *rl_read_state_to_json        (const RlReadState *state);
RlReadState      *rl_read_state_from_json      (JsonNode       *node,
                                                GError        **error);

/* {"type":"activity-snapshot","aseq":H,["reset":true,]"unread":[…],"items":[…]}:
 * unread of RlActivityUnread*, items already serialized (rl_activity_serialize),
 * oldest first, spliced in as they are. */
char             *rl_activity_snapshot_serialize (gint64        aseq,
                                                  gboolean      reset,
                                                  GPtrArray    *unread,
                                                  const char * const *items,
                                                  guint         n_items);

#define RL_TYPE_ACTIVITY (rl_activity_get_type ())
GType             rl_activity_get_type         (void) G_GNUC_CONST;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlActivity, rl_activity_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlActivityUnread, rl_activity_unread_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlReadState, rl_read_state_free)

G_END_DECLS
