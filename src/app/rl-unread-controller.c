/* rl-unread-controller.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-unread-controller.h"

#include <glib/gi18n.h>

struct _RlUnreadController
{
  GObject        parent_instance;

  GtkWindow     *window;        /* weak */
  RlThreadPanel *panel;         /* weak */
  RlBanner      *banner;        /* weak */
  GtkAdjustment *adjustment;    /* the panel's scrolling, while a store is set */
  RlDocStore    *store;

  GHashTable    *in_view;       /* thread id → since when (monotonic µs) it is on screen */
  guint          check_id;      /* the next look at what has been on screen long enough */
  guint          idle_id;       /* a look once what changed is laid out */
  gboolean       announced;     /* the banner was filled for this open */
};

G_DEFINE_FINAL_TYPE (RlUnreadController, rl_unread_controller, G_TYPE_OBJECT)

enum { SIGNAL_THREAD_SHOWN, SIGNAL_UNREAD_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static RlReviewState *
state_of (RlUnreadController *self)
{
  return rl_thread_panel_get_state (self->panel);
}

static gboolean
looking (RlUnreadController *self)
{
  return self->window != NULL && gtk_window_is_active (self->window);
}

static void
mark_thread_read (RlUnreadController *self,
                  const char         *thread_id)
{
  g_autoptr(GError) error = NULL;

  if (rl_doc_store_get_thread_unread (self->store, thread_id) == 0)
    return;
  if (!rl_doc_store_mark_read (self->store, thread_id, rl_doc_store_get_seq (self->store), &error))
    g_debug ("unread: thread %s not marked read: %s", thread_id, error->message);
}

static void queue_check (RlUnreadController *self);

static gboolean
check_timeout (gpointer data)
{
  RlUnreadController *self = data;

  self->check_id = 0;
  queue_check (self);
  return G_SOURCE_REMOVE;
}

/* Looks again when the first of what is on screen will have been seen
 * long enough; not at all when nothing unread is. */
static void
schedule_check (RlUnreadController *self)
{
  GHashTableIter iter;
  gpointer since;
  gint64 first = G_MAXINT64;
  gint64 wait_ms;

  g_clear_handle_id (&self->check_id, g_source_remove);
  g_hash_table_iter_init (&iter, self->in_view);
  while (g_hash_table_iter_next (&iter, NULL, &since))
    first = MIN (first, *(gint64 *) since);
  if (first == G_MAXINT64)
    return;
  wait_ms = (first + RL_UNREAD_READ_MS * 1000 - g_get_monotonic_time ()) / 1000 + 1;
  self->check_id = g_timeout_add (CLAMP (wait_ms, 1, RL_UNREAD_READ_MS), check_timeout, self);
}

/* Marks read what the person has seen long enough (the selected thread at
 * once); keeps the clock of the unread rows on screen now. */
static void
check_seen (RlUnreadController *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) shown = NULL;
  const char *selected;
  gint64 now = g_get_monotonic_time ();

  if (self->store == NULL || self->panel == NULL || !looking (self))
    {
      /* Nothing counts while the window is in the background. */
      g_hash_table_remove_all (self->in_view);
      g_clear_handle_id (&self->check_id, g_source_remove);
      return;
    }
  selected = rl_review_state_get_selected_thread (state_of (self));
  if (selected != NULL)
    mark_thread_read (self, selected);

  shown = rl_thread_panel_dup_threads_in_view (self->panel);
  for (guint i = 0; i < shown->len; i++)
    {
      const char *id = g_ptr_array_index (shown, i);
      char *key = NULL;
      gint64 *since = NULL;

      if (rl_doc_store_get_thread_unread (self->store, id) == 0)
        continue;
      if (!g_hash_table_steal_extended (self->in_view, id, (gpointer *) &key, (gpointer *) &since))
        {
          key = g_strdup (id);
          since = g_new (gint64, 1);
          *since = now;
        }
      if (now - *since >= RL_UNREAD_READ_MS * 1000)
        {
          mark_thread_read (self, id);
          g_free (key);
          g_free (since);
          continue;
        }
      g_hash_table_insert (seen, key, since);
    }
  /* What left the screen starts over when it comes back. */
  g_hash_table_unref (self->in_view);
  self->in_view = g_steal_pointer (&seen);
  schedule_check (self);
}

static gboolean
check_idle (gpointer data)
{
  RlUnreadController *self = data;

  self->idle_id = 0;
  check_seen (self);
  return G_SOURCE_REMOVE;
}

/* Once what changed has been laid out (rows have their place). */
static void
queue_check (RlUnreadController *self)
{
  if (self->idle_id == 0)
    self->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, check_idle, self, NULL);
}

static void
update_banner (RlUnreadController *self)
{
  RlUnreadCounts counts;
  guint n;

  if (self->banner == NULL)
    return;
  if (self->store == NULL)
    {
      rl_banner_set_revealed (self->banner, FALSE);
      return;
    }
  rl_doc_store_get_unread (self->store, &counts);
  n = rl_doc_store_get_new_since_open (self->store);
  if (!self->announced && n > 0 && counts.comments > 0)
    {
      g_autofree char *title = NULL;

      self->announced = TRUE;
      /* Translators: on opening a document, the comments others added since the user last read it */
      title = g_strdup_printf (ngettext ("%u new comment since you were here",
                                         "%u new comments since you were here", n), n);
      rl_banner_set_title (self->banner, title);
      rl_banner_set_revealed (self->banner, TRUE);
    }
  else if (counts.comments == 0)
    /* Everything read: nothing new to show any more. */
    rl_banner_set_revealed (self->banner, FALSE);
}

static void
on_unread_changed (RlUnreadController *self)
{
  update_banner (self);
  queue_check (self);
  g_signal_emit (self, signals[SIGNAL_UNREAD_CHANGED], 0);
}

/* A reply: the person saw what they answered. */
static void
on_mutation_confirmed (RlDocStore         *store,
                       RlRequestType       type,
                       const RlEvent      *change,
                       gint64              seq,
                       RlUnreadController *self)
{
  if (type == RL_REQUEST_ADD_COMMENT && change != NULL && change->thread_id != NULL)
    mark_thread_read (self, change->thread_id);
}

static void
on_show (RlUnreadController *self)
{
  rl_banner_set_revealed (self->banner, FALSE);
  rl_review_state_set_selected_thread (state_of (self), NULL);
  rl_unread_controller_go_to_unread (self, TRUE);
}

static void
rl_unread_controller_dispose (GObject *object)
{
  RlUnreadController *self = RL_UNREAD_CONTROLLER (object);

  rl_unread_controller_set_store (self, NULL);
  if (self->window != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->window, self);
      g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      self->window = NULL;
    }
  if (self->panel != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->panel, self);
      g_signal_handlers_disconnect_by_data (state_of (self), self);
      g_object_remove_weak_pointer (G_OBJECT (self->panel), (gpointer *) &self->panel);
      self->panel = NULL;
    }
  if (self->banner != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->banner, self);
      g_object_remove_weak_pointer (G_OBJECT (self->banner), (gpointer *) &self->banner);
      self->banner = NULL;
    }
  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_handle_id (&self->check_id, g_source_remove);
  G_OBJECT_CLASS (rl_unread_controller_parent_class)->dispose (object);
}

static void
rl_unread_controller_finalize (GObject *object)
{
  RlUnreadController *self = RL_UNREAD_CONTROLLER (object);

  g_hash_table_unref (self->in_view);
  G_OBJECT_CLASS (rl_unread_controller_parent_class)->finalize (object);
}

static void
rl_unread_controller_class_init (RlUnreadControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_unread_controller_dispose;
  object_class->finalize = rl_unread_controller_finalize;

  /* (const char *thread_id): next/previous unread or the banner's Show
   * selected it: the document brings it into view. */
  signals[SIGNAL_THREAD_SHOWN] =
    g_signal_new ("thread-shown", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /* What is unread in the open document may have changed. */
  signals[SIGNAL_UNREAD_CHANGED] =
    g_signal_new ("unread-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
rl_unread_controller_init (RlUnreadController *self)
{
  self->in_view = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

RlUnreadController *
rl_unread_controller_new (GtkWindow     *window,
                          RlThreadPanel *panel,
                          RlBanner      *banner)
{
  RlUnreadController *self;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);
  g_return_val_if_fail (RL_IS_THREAD_PANEL (panel), NULL);
  g_return_val_if_fail (RL_IS_BANNER (banner), NULL);

  self = g_object_new (RL_TYPE_UNREAD_CONTROLLER, NULL);
  self->window = window;
  self->panel = panel;
  self->banner = banner;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->window);
  g_object_add_weak_pointer (G_OBJECT (panel), (gpointer *) &self->panel);
  g_object_add_weak_pointer (G_OBJECT (banner), (gpointer *) &self->banner);
  g_signal_connect_swapped (window, "notify::is-active", G_CALLBACK (queue_check), self);
  g_signal_connect_swapped (panel, "map", G_CALLBACK (queue_check), self);
  g_signal_connect_swapped (state_of (self), "notify::selected-thread", G_CALLBACK (queue_check), self);
  g_signal_connect_swapped (banner, "button-clicked", G_CALLBACK (on_show), self);
  return self;
}

void
rl_unread_controller_set_store (RlUnreadController *self,
                                RlDocStore         *store)
{
  g_return_if_fail (RL_IS_UNREAD_CONTROLLER (self));
  g_return_if_fail (store == NULL || RL_IS_DOC_STORE (store));

  if (store == self->store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->adjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->adjustment, self);
  g_clear_object (&self->adjustment);
  g_set_object (&self->store, store);
  g_hash_table_remove_all (self->in_view);
  g_clear_handle_id (&self->check_id, g_source_remove);
  self->announced = FALSE;
  if (store != NULL)
    {
      g_signal_connect_swapped (store, "unread-changed", G_CALLBACK (on_unread_changed), self);
      g_signal_connect (store, "mutation-confirmed", G_CALLBACK (on_mutation_confirmed), self);
      if (self->panel != NULL)
        {
          /* Scrolling, and rows growing or going, change what is on screen. */
          self->adjustment = g_object_ref (rl_thread_panel_get_vadjustment (self->panel));
          g_signal_connect_swapped (self->adjustment, "value-changed", G_CALLBACK (queue_check), self);
          g_signal_connect_swapped (self->adjustment, "changed", G_CALLBACK (queue_check), self);
        }
    }
  update_banner (self);
  queue_check (self);
}

gboolean
rl_unread_controller_go_to_unread (RlUnreadController *self,
                                   gboolean            forward)
{
  GListModel *threads;
  const char *selected;
  guint n, start = 0;
  gboolean found;

  g_return_val_if_fail (RL_IS_UNREAD_CONTROLLER (self), FALSE);

  if (self->store == NULL || self->panel == NULL)
    return FALSE;
  threads = rl_review_state_get_threads (state_of (self));
  n = g_list_model_get_n_items (threads);
  selected = rl_review_state_get_selected_thread (state_of (self));
  /* From the selected thread, around the end; without one, from the
   * first (forward) or the last. */
  found = FALSE;
  for (guint i = 0; selected != NULL && i < n && !found; i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);

      if (g_strcmp0 (rl_thread_item_get_thread (item)->id, selected) == 0)
        {
          start = i;
          found = TRUE;
        }
    }
  for (guint step = found ? 1 : 0; step < n + (found ? 1 : 0); step++)
    {
      guint i = forward ? ((found ? start : 0) + step) % n
                        : ((found ? start : n - 1) + n - step) % n;
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);
      const char *id = rl_thread_item_get_thread (item)->id;

      if (rl_doc_store_get_thread_unread (self->store, id) == 0)
        continue;
      rl_review_state_set_selected_thread (state_of (self), id);
      g_signal_emit (self, signals[SIGNAL_THREAD_SHOWN], 0, id);
      return TRUE;
    }
  return FALSE;
}

void
rl_unread_controller_mark_all_read (RlUnreadController *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (RL_IS_UNREAD_CONTROLLER (self));

  if (self->store == NULL)
    return;
  if (!rl_doc_store_mark_read (self->store, NULL, rl_doc_store_get_seq (self->store), &error))
    g_debug ("unread: document not marked read: %s", error->message);
}

gboolean
rl_unread_controller_has_unread (RlUnreadController *self)
{
  RlUnreadCounts counts;

  g_return_val_if_fail (RL_IS_UNREAD_CONTROLLER (self), FALSE);

  if (self->store == NULL)
    return FALSE;
  rl_doc_store_get_unread (self->store, &counts);
  return counts.comments > 0;
}
