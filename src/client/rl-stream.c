/* rl-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-stream.h"

#include "rl-error.h"

RlStreamStep
rl_stream_step (gint64 last,
                gint64 number)
{
  if (number <= last)
    return RL_STREAM_DUPLICATE;
  if (number > last + 1)
    return RL_STREAM_GAP;
  return RL_STREAM_APPLY;
}

void
rl_stream_init (RlStream            *stream,
                RlConnection        *connection,
                GObject             *owner,
                RlStreamRequestFunc  request,
                RlStreamAckedFunc    acked)
{
  *stream = (RlStream) {
    .connection = connection,
    .owner = owner,
    .request = request,
    .acked = acked,
  };
}

void
rl_stream_clear (RlStream *stream)
{
  g_clear_handle_id (&stream->resubscribe_id, g_source_remove);
  stream->connection = NULL;
}

static gboolean
resubscribe_due (gpointer data)
{
  RlStream *stream = data;

  stream->resubscribe_id = 0;
  if (!stream->subscribed)
    rl_stream_subscribe (stream);
  return G_SOURCE_REMOVE;
}

/* A subscribe on its way: the owner embeds the stream, and is kept alive
 * until the answer. */
typedef struct
{
  GObject  *owner;
  RlStream *stream;
} Asking;

static void
subscribed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Asking *asking = data;
  g_autoptr(GObject) owner = asking->owner;
  RlStream *stream = asking->stream;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlMessage) ack = rl_connection_request_finish (RL_CONNECTION (source), result, &error);

  g_free (asking);
  stream->subscribing = FALSE;
  if (stream->connection == NULL)
    return;   /* the owner is gone */
  if (ack == NULL)
    {
      g_debug ("stream of %s: subscribe failed: %s", G_OBJECT_TYPE_NAME (owner), error->message);
      /* A lost link brings a new subscribe when it is back; on a link that
       * stays up, a server that was slow or busy is asked again, or the
       * owner would wait unsynced (missing updates) until the next drop. */
      if (stream->resubscribe_id == 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          (g_error_matches (error, RL_ERROR, RL_ERROR_TIMEOUT) ||
           g_error_matches (error, RL_ERROR, RL_ERROR_RATE_LIMITED) ||
           g_error_matches (error, RL_ERROR, RL_ERROR_INTERNAL)))
        stream->resubscribe_id = g_timeout_add (RL_STREAM_RESUBSCRIBE_MS, resubscribe_due, stream);
      return;
    }
  stream->subscribed = TRUE;
  stream->acked (owner, ack);
}

void
rl_stream_subscribe (RlStream *stream)
{
  g_autoptr(RlRequest) request = NULL;
  Asking *asking;

  if (stream->connection == NULL || stream->subscribing || rl_connection_get_state (stream->connection) != RL_CONNECTION_ONLINE)
    return;
  request = stream->request (stream->owner);
  if (request == NULL)
    return;
  stream->subscribing = TRUE;
  asking = g_new0 (Asking, 1);
  asking->owner = g_object_ref (stream->owner);
  asking->stream = stream;
  rl_connection_request (stream->connection, request, NULL, subscribed_cb, asking);
}

void
rl_stream_resubscribe (RlStream *stream)
{
  if (!stream->subscribing)
    stream->gap_resubscribes++;
  stream->subscribed = FALSE;
  rl_stream_subscribe (stream);
}

gboolean
rl_stream_lost (RlStream *stream)
{
  gboolean was = stream->subscribed;

  stream->subscribed = FALSE;
  return was;
}
