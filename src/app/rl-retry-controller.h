/* rl-retry-controller.h — a rolled-back change, said in a toast with a
 * one-click Retry
 *
 * It hears the open document's store: each change the server refused (or
 * that could not be sent) becomes a toast that says what and why; one
 * whose text can be typed again gets a Retry button that activates
 * "win.retry-change" with the retry's id, which the window gives to
 * rl_retry_controller_take to put the text back where it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rl-doc-store.h"

G_BEGIN_DECLS

/* What a rolled-back change needs for its one-click retry. */
typedef struct
{
  RlRequestType  type;
  char          *doc_id;
  char          *thread_id;     /* a reply's or an edit's */
  RlDocKind      kind;          /* of the new thread's anchor */
  double         x;
  double         y;
  guint          start;
  guint          end;
  char          *text;
  GPtrArray     *mentions;      /* a reply's or an edit's: of RlMention*, into text; NULL: none */
} RlRetry;

void rl_retry_free (RlRetry *retry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlRetry, rl_retry_free)

#define RL_TYPE_RETRY_CONTROLLER (rl_retry_controller_get_type ())
G_DECLARE_FINAL_TYPE (RlRetryController, rl_retry_controller, RL, RETRY_CONTROLLER, GObject)

RlRetryController *rl_retry_controller_new       (void);
/* The open document's store and kind (its failures' words when they do
 * not say); NULL when none is open. */
void               rl_retry_controller_set_store (RlRetryController *self,
                                                  RlDocStore        *store,
                                                  RlDocKind          kind);
/* The retry the toast's button names, once: NULL when it was taken. */
RlRetry           *rl_retry_controller_take      (RlRetryController *self,
                                                  guint              id);

G_END_DECLS
