/* rl-placement.h — how well a thread carried over to a new revision
 *
 * When a document gets a new revision every open thread is placed on it
 * again, by the text matcher for pages (rl-reanchor.h) and the image
 * matcher for images (rl-image-match.h), and the server records for each
 * thread and revision its new anchor and one of these statuses, with the
 * matcher's score. The wire names are the status's only spelling outside
 * C: what is stored, sent and read goes through the functions below.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  /* Same place, same content: nothing for anyone to check. */
  RL_PLACEMENT_EXACT,
  /* The same content found elsewhere: shown with a badge to confirm. */
  RL_PLACEMENT_MOVED,
  /* Something like it found, but the content differs: needs a look. */
  RL_PLACEMENT_CHANGED,
  /* Nothing good enough: listed apart, never dropped. */
  RL_PLACEMENT_ORPHANED,
} RlPlacementStatus;

/* Registered, so that signals and properties carry it typed; the nicks
 * are the wire names. */
#define RL_TYPE_PLACEMENT_STATUS (rl_placement_status_get_type ())
GType        rl_placement_status_get_type    (void) G_GNUC_CONST;

/* "exact", "moved", "changed" or "orphaned". */
const char  *rl_placement_status_to_string   (RlPlacementStatus  status);
/* FALSE, *status untouched, for anything but the four wire names. */
gboolean     rl_placement_status_from_string (const char        *str,
                                              RlPlacementStatus *status);

G_END_DECLS
