/* rl-notifier.h — desktop notifications of the activity that concerns the
 * user: mentions and replies, while no window of the app is focused
 *
 * One per application (RlApplication owns it), however many windows and
 * accounts: it hears every session's activity feed (RlActivityFeed's
 * "item-added", docs/protocol.md "Activity") and decides what becomes a
 * GNotification (gnome-shell's org.gtk.Notifications, the portal in the
 * Flatpak):
 *
 * - only `mention` and `reply` items, and only while none of the app's
 *   windows (dialogs too) is active, looked at when the item arrives: one
 *   that arrives while a window is focused is never notified, not later
 *   either;
 * - never one of a muted document (the setting `muted-documents`, entries
 *   "ACCOUNT-KEY DOC-ID"), nor any while `notifications` is off;
 * - never twice: besides the feed telling each item once, an item whose
 *   aseq is not above the last one of its account given here (a replay,
 *   two sessions of one account) is dropped;
 * - batched: items of one thread, of one kind class (mentions apart from
 *   replies, so a mention is never worded as a reply), arriving within
 *   RL_NOTIFIER_BATCH_MS of the last one update one notification (the
 *   same id: "Bob and Ada replied in #4 on Landing page", the count and
 *   the last comment) until a window of the app is focused;
 * - withdrawn once read: a `read` item covering all of a notification's
 *   items (same account and document, its thread or the whole document,
 *   seq up to the last item's document seq) withdraws it.
 *
 * A notification's default action is app.open-thread (s account-key,
 * s doc, s thread), which the notifier adds to the application: it
 * presents a window on that account (one showing it, else a new one),
 * opens the document there and selects the thread, scrolled to (an empty
 * thread: just the document, as the Activity view's unread rows ask).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-activity.h"
#include "rl-application.h"

G_BEGIN_DECLS

/* How long after an item of a thread the next one joins its notification. */
#define RL_NOTIFIER_BATCH_MS 2000

#define RL_TYPE_NOTIFIER (rl_notifier_get_type ())
G_DECLARE_FINAL_TYPE (RlNotifier, rl_notifier, RL, NOTIFIER, GObject)

/* application: the app it notifies for (not referenced: it owns the
 * notifier); settings: its settings, or NULL (schema not installed: all
 * notified, nothing muted). */
RlNotifier *rl_notifier_new      (RlApplication    *application,
                                  GSettings        *settings);
/* Hears the session's activity feed from now on (its account's key is
 * read for each item: known once welcomed). */
void        rl_notifier_add_session (RlNotifier *self,
                                     RlSession  *session);
/* Hears it no more (dropped: its account removed, or signed in again); its
 * notifications stay. */
void        rl_notifier_remove_session (RlNotifier *self,
                                        RlSession  *session);
/* One item of the feed of the account account_key (rl_session_dup_key's
 * "SERVER USER"), in the feed's order: what the session's feed gives. */
void        rl_notifier_add_item (RlNotifier       *self,
                                  const char       *account_key,
                                  const RlActivity *activity);

/* The setting's entry for a document of an account: "ACCOUNT-KEY DOC-ID". */
char       *rl_notifier_mute_entry (const char *account_key,
                                    const char *doc_id);

G_END_DECLS
