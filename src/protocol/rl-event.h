/* rl-event.h — events, and what a request does (PROTOCOL.md §4)
 *
 * The semantics of a change live here once: the event a request produces
 * (the server commits it, the client shows it until the echo) and what an
 * event does to a list of threads (both keep their state by it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-request.h"

G_BEGIN_DECLS

typedef enum
{
  RL_EVENT_CREATED,
  RL_EVENT_UPDATED,
  RL_EVENT_DELETED,
  RL_EVENT_REVISION_ADDED,     /* 1.1: "revision-added" (docs/protocol.md, "Revisions") */
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
  RlPerson      by;            /* resolved; moved: who settled it on revision */
  RlAnchor      anchor;        /* moved */
  gint64        revision;      /* moved (1.1): the revision it was placed on; 0: a v1 move */
  RlRevision   *added;         /* revision-added: the new revision */
  GPtrArray    *placements;    /* revision-added: of RlRevisionAnchor*, each thread's on it */
  GPtrArray    *placed;        /* revision-added: of char*, the thread of each placement */
} RlEvent;

/* What a request acts with, beyond itself: the document, who makes the
 * change and when, and what only the server assigns. */
typedef struct
{
  RlDocKind        doc_kind;
  const char      *doc;
  const RlPerson  *by;         /* the author of what is made, who resolves; NULL: unknown */
  gint64           now;        /* ms since the epoch: createdAt, updatedAt, editedAt */
  gint64           number;     /* create-thread: the thread's number; 0: not assigned */
  const RlComment *comment;    /* edit-comment: the comment as it stands; NULL: unknown */
  gint64           revision;   /* the document's latest revision; 0: not known (v1) */
  const RlRevisionAnchor *placement; /* place-thread without an anchor: the thread's
                                       * placement on the latest revision */
} RlEventContext;

RlEvent     *rl_event_new              (RlEventKind     kind,
                                        RlDocKind       doc_kind);
void         rl_event_free             (RlEvent        *event);
/* A copy that shares the created thread (RlThread is reference counted). */
RlEvent     *rl_event_copy             (const RlEvent  *event);
/* A boxed type (copy, free), so that signals carry events typed. */
#define RL_TYPE_EVENT (rl_event_get_type ())
GType        rl_event_get_type         (void) G_GNUC_CONST;
/* The event a mutation produces, seq 0 (the log assigns it): a created
 * thread with its first comment, a comment added or edited as it will
 * stand, a resolve with who did it, a move, a deletion. An edit of a
 * comment the context does not hold makes the comment from the request.
 * With the context's revision (1.1) a created thread is made on it (its
 * placement there exact) and a move or a place-thread settles the
 * thread's placement on it: exact, by the context's person; a
 * place-thread without an anchor confirms the context's placement. */
RlEvent     *rl_event_new_for_request  (const RlRequest      *request,
                                        const RlEventContext *context);
/* Sets the seq the log gave the event, and, on the comment it creates (a
 * created thread's first, an added one), the comment's seq (1.2). */
void         rl_event_set_seq          (RlEvent        *event,
                                        gint64          seq);
/* revision-added: appends a thread's placement (copied). */
void         rl_event_add_placement    (RlEvent        *event,
                                        const char     *thread_id,
                                        const RlRevisionAnchor *placement);
/* "new-image-chat", "updated-text-chat", …, "revision-added" */
const char  *rl_event_type_name        (RlEventKind     kind,
                                        RlDocKind       doc_kind);
char        *rl_event_serialize        (const RlEvent  *event);
/* Whether a serialized event (rl_event_serialize's) is one only 1.1
 * connections are sent: a revision-added. Its type is its first member. */
gboolean     rl_event_text_is_v11_only (const char     *serialized);
/* One event object, as in a frame or a batch; RL_ERROR_BAD_REQUEST when
 * malformed or its type is no event's. */
RlEvent     *rl_event_from_json        (JsonNode       *node,
                                        GError        **error);
/* The index of the thread with that id in a thread list; *found says
 * whether there is one. */
guint        rl_event_find_thread      (GPtrArray      *threads,
                                        const char     *id,
                                        gboolean       *found);
/* Applies an event to a thread list (created/updated/deleted), keeping
 * threads in creation order; FALSE when it names something absent. A
 * 1.1 move also settles the thread's placement on its revision; a
 * revision-added gives each listed thread its placement on the new
 * revision (its anchor that one's, unless orphaned): FALSE when a
 * placement does not follow the thread's last. */
gboolean     rl_event_apply            (const RlEvent  *event,
                                        GPtrArray      *threads);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlEvent, rl_event_free)

G_END_DECLS
