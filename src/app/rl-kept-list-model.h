/* rl-kept-list-model.h — a list model's items, and those kept after they left it
 *
 * Lists the items of another model in its order, and keeps an item that
 * leaves it while a keep function says so: in the place it had, after the
 * item that was above it. A kept item goes once the keep function, asked
 * again (rl_kept_list_model_recheck), says no, or when it is released; if
 * it comes back to the other model it is listed where that model has it.
 * Changes are emitted as the one run that differs, and never while an
 * "items-changed" of this model is running: a change asked for then is
 * made right after it.
 *
 * The thread panel lists the review state's threads through one, keeping
 * the row of a thread deleted or hidden under the person typing in it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RL_TYPE_KEPT_LIST_MODEL (rl_kept_list_model_get_type ())
G_DECLARE_FINAL_TYPE (RlKeptListModel, rl_kept_list_model, RL, KEPT_LIST_MODEL, GObject)

/* Whether item, which has just left the other model (or was kept
 * already), stays listed. */
typedef gboolean (*RlKeepFunc) (gpointer item,
                                gpointer user_data);

RlKeptListModel *rl_kept_list_model_new      (GListModel      *model,
                                              RlKeepFunc       keep_func,
                                              gpointer         user_data,
                                              GDestroyNotify   destroy);
/* Whether item is listed only because it is kept. */
gboolean         rl_kept_list_model_is_kept  (RlKeptListModel *self,
                                              gpointer         item);
/* Whether to keep the kept items may have changed: asks again. */
void             rl_kept_list_model_recheck  (RlKeptListModel *self);
/* The kept item goes now, whatever the keep function says. */
void             rl_kept_list_model_release  (RlKeptListModel *self,
                                              gpointer         item);

G_END_DECLS
