/* rl-model.h — the objects of the protocol (PROTOCOL.md §1)
 *
 * Plain data, no I/O. Threads are reference counted because the server's
 * snapshot cache and the client's stores share them; everything else is
 * owned by the value that holds it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  RL_ROLE_VIEWER,
  RL_ROLE_MEMBER,
  RL_ROLE_ADMIN,
} RlRole;

typedef enum
{
  RL_DOC_KIND_IMAGE,
  RL_DOC_KIND_PAGE,
} RlDocKind;

typedef struct
{
  char *id;
  char *name;
} RlPerson;

typedef struct
{
  RlDocKind  kind;
  /* image: fractions of width and height, 0 ≤ x, y ≤ 1 */
  double     x;
  double     y;
  /* page: code points of the page's plain text */
  gint64     start;
  gint64     end;
  char      *exact;
  char      *prefix;
  char      *suffix;
} RlAnchor;

/* How a thread's anchor was carried onto a revision (docs/protocol.md,
 * "Revisions"). */
typedef enum
{
  RL_PLACEMENT_EXACT,         /* where it was, the same text or pixels */
  RL_PLACEMENT_MOVED,         /* the same, found elsewhere */
  RL_PLACEMENT_CHANGED,       /* the best place found, but it differs: look */
  RL_PLACEMENT_ORPHANED,      /* nothing good enough; no anchor */
} RlPlacementStatus;

/* A thread's anchor on one revision: its placement there. */
typedef struct
{
  gint64             revision;
  RlPlacementStatus  status;
  RlAnchor           anchor;    /* unset (kind and all zero) when orphaned */
  double             score;     /* moved and changed: how alike, 0–1 */
  RlPerson           by;        /* id NULL unless a person settled it */
} RlRevisionAnchor;

/* One immutable version of a document's content. */
typedef struct
{
  gint64    revision;           /* 1, 2, 3 … per document */
  char     *mime;
  gint64    size;
  int       width;              /* images only */
  int       height;
  char     *etag;
  gint64    created_at;
  RlPerson  created_by;
} RlRevision;

/* A person called into a comment (protocol 1.2, docs/protocol.md
 * "Activity"): the user's id and the span of the body, in code points, that
 * names them; it starts with "@". No name: clients show the user's current
 * one, so a renamed user still resolves. */
typedef struct
{
  char   *user;
  gint64  start;
  gint64  end;
} RlMention;

typedef struct
{
  char      *id;
  char      *thread;
  RlPerson   author;
  char      *body;
  gint64     created_at;  /* ms since the epoch */
  gint64     edited_at;   /* 0: never edited (null on the wire) */
  /* 1.2: the document seq of the event that created it; 0: not known (a
   * server before 1.2, or a comment from before unread tracking: never
   * unread). An edit keeps it. */
  gint64     seq;
  /* 1.2: of RlMention*, sorted, not overlapping, offsets into body;
   * never NULL (empty: none). */
  GPtrArray *mentions;
} RlComment;

typedef struct
{
  grefcount  ref_count;
  char      *id;
  char      *doc;
  /* The thread's number in its document, given once by the server in
   * creation order (1, 2, 3 …) and never reused or changed; 0 while not
   * known (an own new thread before the server numbered it). */
  gint64     number;
  RlAnchor   anchor;
  gboolean   resolved;
  RlPerson   created_by;
  gint64     created_at;
  gint64     updated_at;
  GPtrArray *comments;    /* of RlComment*, oldest first */
  /* The revision it was made on (0: not known, a v1 server) and its
   * placement on each revision since, oldest first (of RlRevisionAnchor*;
   * empty from a v1 server). */
  gint64     revision;
  GPtrArray *placements;
} RlThread;

/* What a user has not read in a document (1.2): threads with an unread
 * comment, unread comments, and those of them that mention the user. */
typedef struct
{
  gint64 threads;
  gint64 comments;
  gint64 mentions;
} RlUnreadCounts;

/* A member of a tenant as GET /api/v1/users lists them (1.2). */
typedef struct
{
  RlPerson person;
  RlRole   role;
} RlMember;

typedef struct
{
  char      *id;
  RlDocKind  kind;
  char      *title;
  char      *mime;
  gint64     size;
  int        width;       /* images only */
  int        height;
  gint64     created_at;
  RlPerson   created_by;
  gint64     revision;    /* the latest; 0: not known (a v1 server) */
  /* 1.2: what the caller has not read in it (GET /api/v1/docs) */
  gboolean       has_unread;
  RlUnreadCounts unread;
} RlDocument;

const char *rl_role_to_string        (RlRole        role);
gboolean    rl_role_from_string      (const char   *str,
                                      RlRole       *role);
const char *rl_doc_kind_to_string    (RlDocKind     kind);
gboolean    rl_doc_kind_from_string  (const char   *str,
                                      RlDocKind    *kind);
/* The document kind a MIME type uploads as; FALSE for unsupported types. */
gboolean    rl_doc_kind_for_mime     (const char   *mime,
                                      RlDocKind    *kind);

void        rl_person_clear          (RlPerson     *person);
void        rl_person_copy_into      (RlPerson     *dest,
                                      const RlPerson *src);

void        rl_anchor_clear          (RlAnchor     *anchor);
void        rl_anchor_copy_into      (RlAnchor     *dest,
                                      const RlAnchor *src);
gboolean    rl_anchor_equal          (const RlAnchor *a,
                                      const RlAnchor *b);

const char       *rl_placement_status_to_string   (RlPlacementStatus  status);
gboolean          rl_placement_status_from_string (const char        *str,
                                                   RlPlacementStatus *status);

RlRevisionAnchor *rl_revision_anchor_new   (void);
RlRevisionAnchor *rl_revision_anchor_copy  (const RlRevisionAnchor *placement);
void              rl_revision_anchor_free  (RlRevisionAnchor       *placement);
gboolean          rl_revision_anchor_equal (const RlRevisionAnchor *a,
                                            const RlRevisionAnchor *b);

RlRevision       *rl_revision_copy         (const RlRevision       *revision);
void              rl_revision_free         (RlRevision             *revision);

/* The placement of thread on revision; NULL when it has none (made later,
 * or a v1 server's thread). */
RlRevisionAnchor *rl_thread_get_placement  (const RlThread         *thread,
                                            gint64                  revision);
/* Where the thread was last placed: the anchor of its latest placement
 * that has one (an orphan is carried from where it was last seen), or,
 * without placements (a v1 server's), its anchor. */
const RlAnchor   *rl_thread_get_last_anchor (const RlThread        *thread);
/* Where thread shows on revision: its placement's anchor there, NULL when
 * it is orphaned there or has no placement there (made later); revision 0
 * or a thread without placements (a v1 server): its anchor. */
const RlAnchor   *rl_thread_get_anchor_on  (const RlThread         *thread,
                                            gint64                  revision);

RlMention  *rl_mention_new           (const char   *user,
                                      gint64        start,
                                      gint64        end);
RlMention  *rl_mention_copy          (const RlMention *mention);
void        rl_mention_free          (RlMention    *mention);
/* Two lists of RlMention* (either may be NULL: none) hold the same spans. */
gboolean    rl_mentions_equal        (GPtrArray    *a,
                                      GPtrArray    *b);

void        rl_member_free           (RlMember     *member);

RlComment  *rl_comment_new           (void);
RlComment  *rl_comment_copy          (const RlComment *comment);
void        rl_comment_free          (RlComment    *comment);
gboolean    rl_comment_equal         (const RlComment *a,
                                      const RlComment *b);

RlThread   *rl_thread_new            (void);
RlThread   *rl_thread_ref            (RlThread     *thread);
void        rl_thread_unref          (RlThread     *thread);
/* A deep copy that shares nothing with thread. */
RlThread   *rl_thread_copy           (const RlThread *thread);
RlComment  *rl_thread_find_comment   (RlThread     *thread,
                                      const char   *comment_id,
                                      guint        *index);
/* Same id, number, anchor, resolution, author, comments (ids, bodies,
 * authors, times, mentions; not their seq, which an own comment learns
 * only from its ack), revision and placements; what a client's store must
 * equal the server's snapshot in. */
gboolean    rl_thread_equal          (const RlThread *a,
                                      const RlThread *b);

void        rl_document_free         (RlDocument   *doc);

#define RL_TYPE_THREAD (rl_thread_get_type ())
GType       rl_thread_get_type       (void) G_GNUC_CONST;

/* A boxed type (copy, free), so that signals carry revisions typed. */
#define RL_TYPE_REVISION (rl_revision_get_type ())
GType       rl_revision_get_type     (void) G_GNUC_CONST;

#define RL_TYPE_PLACEMENT_STATUS (rl_placement_status_get_type ())
GType       rl_placement_status_get_type (void) G_GNUC_CONST;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlRevisionAnchor, rl_revision_anchor_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlRevision, rl_revision_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlMention, rl_mention_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlMember, rl_member_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlComment, rl_comment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlThread, rl_thread_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlDocument, rl_document_free)

G_END_DECLS
