/* rl-subscriber.h — what a room of the hub holds for one connection: who it
 * is, where the room's shared frames go, and what to do when it cannot keep
 * up or must go
 *
 * The connection that owns it (a peer, or a test's recorder) gives the
 * functions; the hub only ever calls them through the subscriber, so the
 * hub knows no connection. Once the owner disowns it, it sends nothing and
 * closes nothing, however long a room still holds it. The functions run
 * inside a room's fan-out: an owner leaves its rooms later, never from them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rl-store.h"

G_BEGIN_DECLS

typedef struct
{
  /* Writes frame (made by rl_outbox_frame_text, or rl_outbox_frame_deflated
   * when the subscriber wants deflate; shared with the room's other
   * subscribers: kept by reference, never changed). FALSE with
   * G_IO_ERROR_NO_SPACE when the connection is too far behind to take it,
   * any other error when it can take nothing any more. */
  gboolean (*send_frame) (gpointer     owner,
                          GBytes      *frame,
                          GError     **error);
  /* The connection fell too far behind: it closes (the client comes back
   * with since). */
  void     (*overflow)   (gpointer     owner);
  /* The hub is done with it (its document went away): it closes with code. */
  void     (*close)      (gpointer     owner,
                          gushort      code,
                          const char  *reason);
} RlSubscriberFuncs;

#define RL_TYPE_SUBSCRIBER (rl_subscriber_get_type ())
G_DECLARE_FINAL_TYPE (RlSubscriber, rl_subscriber, RL, SUBSCRIBER, GObject)

/* id names it in logs; funcs (static) are called with owner until
 * rl_subscriber_disown. */
RlSubscriber      *rl_subscriber_new           (const char              *id,
                                                const RlPrincipal       *principal,
                                                const RlSubscriberFuncs *funcs,
                                                gpointer                 owner);
const char        *rl_subscriber_get_id        (RlSubscriber            *self);
/* A copy of the owner's, as it was when made. */
const RlPrincipal *rl_subscriber_get_principal (RlSubscriber            *self);
/* Whether the connection negotiated permessage-deflate: it is sent the
 * compressed frame of each shared message (FALSE until set). */
void               rl_subscriber_set_deflate   (RlSubscriber            *self,
                                                gboolean                 deflate);
gboolean           rl_subscriber_get_deflate   (RlSubscriber            *self);
/* Whether the connection chose redline.v1.1: it is sent 1.1's events
 * (docs/protocol.md, "Revisions"); FALSE until set. */
void               rl_subscriber_set_revisions (RlSubscriber            *self,
                                                gboolean                 revisions);
gboolean           rl_subscriber_get_revisions (RlSubscriber            *self);
/* 1 when the frame went out (or is queued), else 0; one that overflows is
 * told so (once per refused frame). */
guint              rl_subscriber_send_frame    (RlSubscriber            *self,
                                                GBytes                  *frame);
void               rl_subscriber_close         (RlSubscriber            *self,
                                                gushort                  code,
                                                const char              *reason);
/* The owner is going: nothing is called on it from now on. */
void               rl_subscriber_disown        (RlSubscriber            *self);

G_END_DECLS
