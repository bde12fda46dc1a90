/* rl-subloop.c: a main context per connection, multiplexed by one epoll set
 *
 * The multiplexer is one GSource in the main context. Its descriptor is an
 * epoll set holding the descriptors every subloop's context asks to poll,
 * its own wakeup descriptor included; when epoll reports one, that subloop
 * runs one non-blocking turn of its context (g_main_context_iteration, with
 * the context pushed as thread-default so what libsoup attaches during the
 * turn stays in it) and is then queried again, touching the kernel only for
 * descriptors whose interest changed. Timeouts of a subloop's sources become
 * a deadline the multiplexer waits for. A turn of the main loop costs the
 * subloops that are ready, whatever the number of connections.
 *
 * The contexts are ownerless-polling ones: a source attached to one from
 * anywhere signals its wakeup descriptor, so nothing attached between turns
 * is missed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-subloop.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "rl-epoll.h"

#define MAX_EVENTS      256
#define QUERY_ON_STACK  8

struct _RlSubloop
{
  GMainContext *context;
  GPollFD      *fds;        /* registered: what the last query asked for */
  gint          n_fds;
  gint64        deadline;   /* monotonic µs of the next timeout, -1 for none */
  guint64       last_turn;  /* the multiplexer's turn it last ran in */
  gboolean      timed;      /* listed in the multiplexer's timed */
  gboolean      dead;
};

typedef struct
{
  RlSubloop *owner;         /* who registered the descriptor (NULL: nobody) */
  guint32    events;        /* epoll events registered */
} Slot;

typedef struct
{
  GSource    source;
  gpointer   tag;
  int        epfd;
  GArray    *slots;         /* Slot, indexed by descriptor */
  GPtrArray *timed;         /* RlSubloop* with a deadline */
  GPtrArray *graveyard;     /* freed during a dispatch, freed after it */
  guint      n_subloops;
  guint      depth;         /* dispatches in progress */
  guint64    turn;
} Mux;

static Mux *mux;

static Slot *
slot_for (int fd)
{
  if ((guint) fd >= mux->slots->len)
    g_array_set_size (mux->slots, MAX ((guint) fd + 1, mux->slots->len * 2));
  return &g_array_index (mux->slots, Slot, fd);
}

static gint64
earliest_deadline (void)
{
  gint64 earliest = -1;

  for (guint i = 0; i < mux->timed->len; i++)
    {
      RlSubloop *subloop = g_ptr_array_index (mux->timed, i);

      if (earliest < 0 || subloop->deadline < earliest)
        earliest = subloop->deadline;
    }
  return earliest;
}

static void
set_deadline (RlSubloop *self,
              gint64     deadline)
{
  self->deadline = deadline;
  if (deadline >= 0 && !self->timed)
    g_ptr_array_add (mux->timed, self);
  else if (deadline < 0 && self->timed)
    g_ptr_array_remove_fast (mux->timed, self);
  self->timed = deadline >= 0;
}

static gboolean
has_fd (const GPollFD *fds,
        gint           n_fds,
        int            fd)
{
  for (gint i = 0; i < n_fds; i++)
    if (fds[i].fd == fd)
      return TRUE;
  return FALSE;
}

static void
unregister_fd (RlSubloop *self,
               int        fd)
{
  Slot *slot = slot_for (fd);

  /* A descriptor closed and reopened by another connection belongs to it. */
  if (slot->owner != self)
    return;
  epoll_ctl (mux->epfd, EPOLL_CTL_DEL, fd, NULL);   /* fails harmlessly when closed */
  slot->owner = NULL;
  slot->events = 0;
}

static gboolean
register_fd (RlSubloop     *self,
             const GPollFD *fd)
{
  Slot *slot = slot_for (fd->fd);
  struct epoll_event ev = { .events = rl_epoll_events_from_condition (fd->events), .data.ptr = self };

  if (slot->owner == self && slot->events == ev.events)
    return TRUE;
  if (slot->owner == self)
    {
      if (epoll_ctl (mux->epfd, EPOLL_CTL_MOD, fd->fd, &ev) < 0 &&
          (errno != ENOENT || epoll_ctl (mux->epfd, EPOLL_CTL_ADD, fd->fd, &ev) < 0))
        return FALSE;
    }
  else if (epoll_ctl (mux->epfd, EPOLL_CTL_ADD, fd->fd, &ev) < 0 &&
           (errno != EEXIST || epoll_ctl (mux->epfd, EPOLL_CTL_MOD, fd->fd, &ev) < 0))
    return FALSE;
  slot->owner = self;
  slot->events = ev.events;
  return TRUE;
}

static void
run_turn (RlSubloop *self)
{
  self->last_turn = mux->turn;
  g_main_context_push_thread_default (self->context);
  g_main_context_iteration (self->context, FALSE);
  g_main_context_pop_thread_default (self->context);
  rl_subloop_refresh (self);
}

static gboolean
mux_prepare (GSource *source,
             gint    *timeout)
{
  gint64 deadline = earliest_deadline ();
  gint64 now;

  if (deadline < 0)
    {
      *timeout = -1;
      return FALSE;
    }
  now = g_get_monotonic_time ();
  if (deadline <= now)
    {
      *timeout = 0;
      return TRUE;
    }
  *timeout = (gint) MIN ((deadline - now + 999) / 1000, G_MAXINT);
  return FALSE;
}

static gboolean
mux_check (GSource *source)
{
  Mux *self = (Mux *) source;
  gint64 deadline = earliest_deadline ();

  return (g_source_query_unix_fd (source, self->tag) & G_IO_IN) != 0 ||
         (deadline >= 0 && deadline <= g_get_monotonic_time ());
}

static gboolean
mux_dispatch (GSource     *source,
              GSourceFunc  callback,
              gpointer     user_data)
{
  Mux *self = (Mux *) source;
  struct epoll_event events[MAX_EVENTS];
  g_autoptr(GPtrArray) due = NULL;
  gint64 now;
  int n;

  self->depth++;
  self->turn++;

  n = epoll_wait (self->epfd, events, MAX_EVENTS, 0);
  for (int i = 0; i < n; i++)
    {
      RlSubloop *subloop = events[i].data.ptr;

      if (!subloop->dead && subloop->last_turn != self->turn)
        run_turn (subloop);
    }

  /* Turns change the list: take the due ones first. */
  now = g_get_monotonic_time ();
  for (guint i = 0; i < self->timed->len; i++)
    {
      RlSubloop *subloop = g_ptr_array_index (self->timed, i);

      if (subloop->deadline <= now && subloop->last_turn != self->turn)
        {
          if (due == NULL)
            due = g_ptr_array_new ();
          g_ptr_array_add (due, subloop);
        }
    }
  for (guint i = 0; due && i < due->len; i++)
    {
      RlSubloop *subloop = g_ptr_array_index (due, i);

      if (!subloop->dead)
        run_turn (subloop);
    }

  self->depth--;
  if (self->depth == 0)
    g_ptr_array_set_size (self->graveyard, 0);
  if (self->n_subloops == 0 && self->depth == 0)
    {
      mux = NULL;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
mux_finalize (GSource *source)
{
  Mux *self = (Mux *) source;

  close (self->epfd);
  g_array_unref (self->slots);
  g_ptr_array_unref (self->timed);
  g_ptr_array_unref (self->graveyard);
  if (mux == self)
    mux = NULL;
}

static GSourceFuncs mux_funcs = {
  .prepare = mux_prepare,
  .check = mux_check,
  .dispatch = mux_dispatch,
  .finalize = mux_finalize,
};

static void
subloop_destroy (RlSubloop *self)
{
  g_main_context_unref (self->context);
  g_free (self->fds);
  g_free (self);
}

static gboolean
ensure_mux (void)
{
  GSource *source;
  int epfd;

  if (mux != NULL)
    return TRUE;
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    return FALSE;
  source = g_source_new (&mux_funcs, sizeof (Mux));
  g_source_set_name (source, "redline subloops");
  mux = (Mux *) source;
  mux->epfd = epfd;
  mux->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  mux->timed = g_ptr_array_new ();
  mux->graveyard = g_ptr_array_new_with_free_func ((GDestroyNotify) subloop_destroy);
  mux->tag = g_source_add_unix_fd (source, epfd, G_IO_IN);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
  return TRUE;
}

RlSubloop *
rl_subloop_new (void)
{
  RlSubloop *self;

  /* Without epoll (no descriptors left) the connection is refused upstream
   * of here: accept() fails first. */
  if (!ensure_mux ())
    g_error ("epoll_create1: %s", g_strerror (errno));

  self = g_new0 (RlSubloop, 1);
  self->context = g_main_context_new_with_flags (G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING);
  self->deadline = -1;
  mux->n_subloops++;
  rl_subloop_refresh (self);
  return self;
}

GMainContext *
rl_subloop_get_context (RlSubloop *self)
{
  return self->context;
}

void
rl_subloop_refresh (RlSubloop *self)
{
  GPollFD on_stack[QUERY_ON_STACK];
  g_autofree GPollFD *on_heap = NULL;
  GPollFD *fds = on_stack;
  gint max_priority, timeout, n;

  if (self->dead)
    return;

  g_main_context_push_thread_default (self->context);
  g_main_context_prepare (self->context, &max_priority);
  n = g_main_context_query (self->context, max_priority, &timeout, fds, QUERY_ON_STACK);
  if (n > QUERY_ON_STACK)
    {
      fds = on_heap = g_new (GPollFD, n);
      n = g_main_context_query (self->context, max_priority, &timeout, fds, n);
    }
  g_main_context_pop_thread_default (self->context);

  for (gint i = 0; i < self->n_fds; i++)
    if (!has_fd (fds, n, self->fds[i].fd))
      unregister_fd (self, self->fds[i].fd);
  for (gint i = 0; i < n; i++)
    if (!register_fd (self, &fds[i]))
      {
        /* Not pollable (closed under us): let the next turn's poll()
         * report it to its source, which then gives up on it. */
        timeout = 0;
      }

  if (n != self->n_fds)
    self->fds = g_renew (GPollFD, self->fds, n);
  memcpy (self->fds, fds, n * sizeof (GPollFD));
  self->n_fds = n;

  set_deadline (self, timeout < 0 ? -1 : g_get_monotonic_time () + (gint64) timeout * 1000);
}

void
rl_subloop_free (RlSubloop *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (mux != NULL && !self->dead);

  for (gint i = 0; i < self->n_fds; i++)
    unregister_fd (self, self->fds[i].fd);
  self->n_fds = 0;
  set_deadline (self, -1);
  self->dead = TRUE;
  mux->n_subloops--;

  if (mux->depth > 0)
    {
      g_ptr_array_add (mux->graveyard, self);
      return;
    }
  subloop_destroy (self);
  if (mux->n_subloops == 0)
    g_source_destroy ((GSource *) mux);
}
