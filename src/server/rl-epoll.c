/* rl-epoll.c: the main context's poll() done with epoll
 *
 * GLib's main loop polls every descriptor on every turn; with a thousand
 * WebSocket connections the kernel walks a thousand sockets to find the one
 * that woke it, twice per event (GLib signals its own wakeup descriptor
 * after dispatching a descriptor source). epoll answers with what is ready
 * only. This is the poll function GLib lets a context replace
 * (g_main_context_set_poll_func): it keeps the epoll set equal to the array
 * GLib passes, touching the kernel only for descriptors whose interest
 * changed, and reports readiness in the array as poll() would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-epoll.h"

#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

typedef struct
{
  guint32 registered;       /* epoll events in the set; 0: not in the set */
  guint32 wanted;           /* poll events asked this turn */
  guint32 ready;            /* poll revents of this turn */
  guint   turn;             /* last turn the descriptor was asked for */
  guint   always_ready : 1; /* epoll refuses it (a regular file): poll says ready */
} Slot;

static int     epfd = -1;
static GArray *slots;       /* Slot, indexed by descriptor */
static GArray *in_set;      /* int: descriptors registered (or always ready) */
static guint   turn;

static Slot *
slot_for (int fd)
{
  if ((guint) fd >= slots->len)
    g_array_set_size (slots, MAX ((guint) fd + 1, slots->len * 2));
  return &g_array_index (slots, Slot, fd);
}

guint32
rl_epoll_events_from_condition (guint32 events)
{
  guint32 out = 0;

  if (events & (G_IO_IN | G_IO_PRI))
    out |= EPOLLIN | EPOLLPRI;
  if (events & G_IO_OUT)
    out |= EPOLLOUT;
  return out ? out : EPOLLERR;   /* asked for errors only: still watched */
}

static guint32
from_epoll (guint32 events)
{
  guint32 out = 0;

  if (events & EPOLLIN)
    out |= G_IO_IN;
  if (events & EPOLLPRI)
    out |= G_IO_PRI;
  if (events & EPOLLOUT)
    out |= G_IO_OUT;
  if (events & EPOLLERR)
    out |= G_IO_ERR;
  if (events & EPOLLHUP)
    out |= G_IO_HUP;
  return out;
}

static void
sync_one (int   fd,
          Slot *slot)
{
  struct epoll_event ev = { .events = rl_epoll_events_from_condition (slot->wanted), .data.fd = fd };

  if (slot->always_ready || slot->registered == ev.events)
    return;
  if (slot->registered == 0)
    {
      if (epoll_ctl (epfd, EPOLL_CTL_ADD, fd, &ev) < 0 &&
          (errno != EEXIST || epoll_ctl (epfd, EPOLL_CTL_MOD, fd, &ev) < 0))
        goto refused;
      g_array_append_val (in_set, fd);
    }
  else if (epoll_ctl (epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
    {
      /* Closed and reopened under the same number since the last turn:
       * the kernel forgot the old one. */
      if (errno != ENOENT || epoll_ctl (epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        goto refused;
    }
  slot->registered = ev.events;
  return;

refused:
  if (errno == EPERM)
    {
      /* Regular files cannot be watched; poll() calls them always ready. */
      slot->always_ready = TRUE;
      if (slot->registered == 0)
        g_array_append_val (in_set, fd);
      slot->registered = ev.events;
      return;
    }
  /* EBADF and the like: poll() would say POLLNVAL. */
  slot->ready = G_IO_NVAL;
}

static gint
epoll_poll (GPollFD *fds,
            guint    nfds,
            gint     timeout)
{
  struct epoll_event events[256];
  int n, count = 0;

  turn++;
  for (guint i = 0; i < nfds; i++)
    {
      Slot *slot;

      fds[i].revents = 0;
      if (fds[i].fd < 0)
        continue;
      slot = slot_for (fds[i].fd);
      if (slot->turn != turn)
        {
          slot->turn = turn;
          slot->wanted = 0;
          slot->ready = 0;
        }
      slot->wanted |= fds[i].events;
    }

  for (guint i = 0; i < nfds; i++)
    if (fds[i].fd >= 0)
      sync_one (fds[i].fd, &g_array_index (slots, Slot, fds[i].fd));

  /* Descriptors GLib no longer asks for leave the set. */
  for (guint i = 0; i < in_set->len;)
    {
      int fd = g_array_index (in_set, int, i);
      Slot *slot = &g_array_index (slots, Slot, fd);

      if (slot->turn == turn)
        {
          if (slot->always_ready)
            slot->ready |= slot->wanted & (G_IO_IN | G_IO_OUT);
          i++;
          continue;
        }
      if (!slot->always_ready)
        epoll_ctl (epfd, EPOLL_CTL_DEL, fd, NULL);   /* fails harmlessly when closed */
      slot->registered = 0;
      slot->always_ready = FALSE;
      g_array_remove_index_fast (in_set, i);
    }

  for (guint i = 0; i < in_set->len; i++)
    if (g_array_index (slots, Slot, g_array_index (in_set, int, i)).always_ready)
      {
        timeout = 0;
        break;
      }
  for (guint i = 0; i < nfds; i++)
    if (fds[i].fd >= 0 && g_array_index (slots, Slot, fds[i].fd).ready & G_IO_NVAL)
      timeout = 0;

  n = epoll_wait (epfd, events, G_N_ELEMENTS (events), timeout);
  if (n < 0)
    return -1;   /* errno stays EINTR for GLib */
  for (int i = 0; i < n; i++)
    {
      Slot *slot = slot_for (events[i].data.fd);

      if (slot->turn == turn)
        slot->ready |= from_epoll (events[i].events);
    }

  for (guint i = 0; i < nfds; i++)
    {
      if (fds[i].fd < 0)
        continue;
      fds[i].revents = (gushort) (g_array_index (slots, Slot, fds[i].fd).ready &
                                  (fds[i].events | G_IO_ERR | G_IO_HUP | G_IO_NVAL));
      if (fds[i].revents)
        count++;
    }
  return count;
}

gboolean
rl_epoll_install (GMainContext *context)
{
  if (epfd >= 0)
    return TRUE;
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    return FALSE;
  slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  in_set = g_array_new (FALSE, FALSE, sizeof (int));
  g_main_context_set_poll_func (context, epoll_poll);
  return TRUE;
}

void
rl_epoll_uninstall (GMainContext *context)
{
  if (epfd < 0)
    return;
  g_main_context_set_poll_func (context, NULL);
  close (epfd);
  epfd = -1;
  g_clear_pointer (&slots, g_array_unref);
  g_clear_pointer (&in_set, g_array_unref);
}
