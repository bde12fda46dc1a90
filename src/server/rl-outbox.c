/* rl-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-outbox.h"

#include <string.h>
#include <zlib.h>

/* A closing connection's queue gets this long to reach the peer. */
#define CLOSE_FLUSH_MS 2000

typedef struct
{
  GBytes *bytes;
  gsize   offset;            /* written so far */
} Chunk;

/* The output stream libsoup writes to: it never blocks, it queues. */
#define RL_TYPE_OUTBOX_OUTPUT (rl_outbox_output_get_type ())
G_DECLARE_FINAL_TYPE (RlOutboxOutput, rl_outbox_output, RL, OUTBOX_OUTPUT, GOutputStream)

struct _RlOutbox
{
  GIOStream              parent_instance;
  GIOStream             *base;
  GPollableOutputStream *base_output;
  RlOutboxOutput        *output;
  GMainContext          *context;
  GQueue                 chunks;        /* Chunk* */
  gsize                  queued;
  gsize                  limit;
  GSource               *drain;         /* while chunks wait for the socket */
  GError                *error;         /* the link's write error, sticky */
  GTask                 *close_task;    /* a close waiting for the queue */
  GSource               *close_timeout;
};

struct _RlOutboxOutput
{
  GOutputStream  parent_instance;
  RlOutbox      *outbox;               /* not owned: it owns us */
};

static void rl_outbox_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE (RlOutbox, rl_outbox, G_TYPE_IO_STREAM)
G_DEFINE_FINAL_TYPE_WITH_CODE (RlOutboxOutput, rl_outbox_output, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      rl_outbox_output_pollable_init))

/* ---- the queue ---------------------------------------------------------------- */

static void
chunk_free (Chunk *chunk)
{
  g_bytes_unref (chunk->bytes);
  g_free (chunk);
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
drop_queue (RlOutbox *self)
{
  Chunk *chunk;

  while ((chunk = g_queue_pop_head (&self->chunks)))
    chunk_free (chunk);
  self->queued = 0;
  clear_source (&self->drain);
}

static void close_base (RlOutbox *self,
                        GTask    *task);

static void
fail (RlOutbox *self,
      GError   *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
  drop_queue (self);
}

/* Writes what the socket takes now; 0 on success, -1 on a failed link. */
static int
write_some (RlOutbox     *self,
            const guint8 *data,
            gsize         length,
            gsize        *written)
{
  GError *error = NULL;
  gssize n;

  *written = 0;
  n = g_pollable_output_stream_write_nonblocking (self->base_output, data, length, NULL, &error);
  if (n >= 0)
    {
      *written = (gsize) n;
      return 0;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_error_free (error);
      return 0;
    }
  fail (self, error);
  return -1;
}

static gboolean
drain_cb (GObject  *stream,
          gpointer  user_data)
{
  RlOutbox *self = user_data;
  Chunk *chunk;

  while ((chunk = g_queue_peek_head (&self->chunks)))
    {
      gsize length, written;
      const guint8 *data = g_bytes_get_data (chunk->bytes, &length);

      if (write_some (self, data + chunk->offset, length - chunk->offset, &written) < 0)
        break;   /* fail() dropped the queue and this source */
      chunk->offset += written;
      self->queued -= written;
      if (chunk->offset < length)
        return G_SOURCE_CONTINUE;
      chunk_free (g_queue_pop_head (&self->chunks));
    }

  g_clear_pointer (&self->drain, g_source_unref);
  if (self->close_task)
    close_base (self, g_steal_pointer (&self->close_task));
  return G_SOURCE_REMOVE;
}

/* Queues the rest of data (by reference when shared is its GBytes). */
static void
enqueue (RlOutbox     *self,
         const guint8 *data,
         gsize         length,
         GBytes       *shared,
         gsize         offset)
{
  Chunk *chunk = g_new (Chunk, 1);

  chunk->bytes = shared ? g_bytes_ref (shared) : g_bytes_new (data + offset, length - offset);
  chunk->offset = shared ? offset : 0;
  g_queue_push_tail (&self->chunks, chunk);
  self->queued += length - offset;

  if (self->drain == NULL)
    {
      self->drain = g_pollable_output_stream_create_source (self->base_output, NULL);
      g_source_set_callback (self->drain, (GSourceFunc) (void (*) (void)) drain_cb, self, NULL);
      g_source_attach (self->drain, self->context);
    }
}

static gboolean
push (RlOutbox      *self,
      const guint8  *data,
      gsize          length,
      GBytes        *shared,
      GError       **error)
{
  gsize written = 0;

  if (self->error)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }
  if (g_queue_is_empty (&self->chunks))
    {
      if (write_some (self, data, length, &written) < 0)
        {
          g_propagate_error (error, g_error_copy (self->error));
          return FALSE;
        }
      if (written == length)
        return TRUE;
    }
  enqueue (self, data, length, shared, written);
  return TRUE;
}

/* ---- close ---------------------------------------------------------------------- */

static void
base_closed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
close_base (RlOutbox *self,
            GTask    *task)
{
  clear_source (&self->close_timeout);
  drop_queue (self);
  g_io_stream_close_async (self->base, g_task_get_priority (task),
                           g_task_get_cancellable (task), base_closed_cb, task);
}

static gboolean
close_timeout_cb (gpointer user_data)
{
  RlOutbox *self = user_data;

  g_clear_pointer (&self->close_timeout, g_source_unref);
  if (self->close_task)
    close_base (self, g_steal_pointer (&self->close_task));
  return G_SOURCE_REMOVE;
}

static void
rl_outbox_close_async (GIOStream           *stream,
                       int                  io_priority,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  RlOutbox *self = RL_OUTBOX (stream);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, rl_outbox_close_async);
  g_task_set_priority (task, io_priority);

  /* The close frame is in the queue: let it reach the peer first. */
  if (self->queued == 0 || self->close_task)
    {
      close_base (self, task);
      return;
    }
  self->close_task = task;
  self->close_timeout = g_timeout_source_new (CLOSE_FLUSH_MS);
  g_source_set_callback (self->close_timeout, close_timeout_cb, self, NULL);
  g_source_attach (self->close_timeout, self->context);
}

static gboolean
rl_outbox_close_finish (GIOStream     *stream,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
rl_outbox_close_fn (GIOStream     *stream,
                    GCancellable  *cancellable,
                    GError       **error)
{
  RlOutbox *self = RL_OUTBOX (stream);

  drop_queue (self);
  return self->base == NULL || g_io_stream_close (self->base, cancellable, error);
}

/* ---- the output stream ------------------------------------------------------- */

static gssize
output_write_nonblocking (GPollableOutputStream  *stream,
                          const void             *buffer,
                          gsize                   count,
                          GError                **error)
{
  RlOutbox *outbox = RL_OUTBOX_OUTPUT (stream)->outbox;

  if (outbox == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the connection is gone");
      return -1;
    }
  return push (outbox, buffer, count, NULL, error) ? (gssize) count : -1;
}

static gssize
output_write (GOutputStream  *stream,
              const void     *buffer,
              gsize           count,
              GCancellable   *cancellable,
              GError        **error)
{
  return output_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (stream), buffer, count, error);
}

static gboolean
output_can_poll (GPollableOutputStream *stream)
{
  return TRUE;
}

static gboolean
output_is_writable (GPollableOutputStream *stream)
{
  return TRUE;
}

static GSource *
output_create_source (GPollableOutputStream *stream,
                      GCancellable          *cancellable)
{
  /* Never needed (writes do not block), but a pollable stream has one:
   * ready at once. */
  g_autoptr(GSource) ready = g_timeout_source_new (0);

  return g_pollable_source_new_full (stream, ready, cancellable);
}

static void
rl_outbox_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = output_can_poll;
  iface->is_writable = output_is_writable;
  iface->create_source = output_create_source;
  iface->write_nonblocking = output_write_nonblocking;
}

static void
rl_outbox_output_class_init (RlOutboxOutputClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = output_write;
}

static void
rl_outbox_output_init (RlOutboxOutput *self)
{
}

/* ---- object ------------------------------------------------------------------- */

static GInputStream *
rl_outbox_get_input_stream (GIOStream *stream)
{
  return g_io_stream_get_input_stream (RL_OUTBOX (stream)->base);
}

static GOutputStream *
rl_outbox_get_output_stream (GIOStream *stream)
{
  return G_OUTPUT_STREAM (RL_OUTBOX (stream)->output);
}

static void
rl_outbox_dispose (GObject *object)
{
  RlOutbox *self = RL_OUTBOX (object);

  /* GIOStream would close it after our clean-up, without a base. */
  if (!g_io_stream_is_closed (G_IO_STREAM (self)))
    g_io_stream_close (G_IO_STREAM (self), NULL, NULL);
  drop_queue (self);
  clear_source (&self->close_timeout);
  if (self->output)
    self->output->outbox = NULL;
  g_clear_object (&self->output);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (rl_outbox_parent_class)->dispose (object);
}

static void
rl_outbox_finalize (GObject *object)
{
  RlOutbox *self = RL_OUTBOX (object);

  g_clear_error (&self->error);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (rl_outbox_parent_class)->finalize (object);
}

static void
rl_outbox_class_init (RlOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->dispose = rl_outbox_dispose;
  object_class->finalize = rl_outbox_finalize;
  stream_class->get_input_stream = rl_outbox_get_input_stream;
  stream_class->get_output_stream = rl_outbox_get_output_stream;
  stream_class->close_fn = rl_outbox_close_fn;
  stream_class->close_async = rl_outbox_close_async;
  stream_class->close_finish = rl_outbox_close_finish;
}

static void
rl_outbox_init (RlOutbox *self)
{
  g_queue_init (&self->chunks);
}

RlOutbox *
rl_outbox_new (GIOStream    *base,
               GMainContext *context,
               gsize         limit)
{
  RlOutbox *self = g_object_new (RL_TYPE_OUTBOX, NULL);

  self->base = g_object_ref (base);
  self->base_output = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base));
  self->context = g_main_context_ref (context);
  self->limit = limit;
  self->output = g_object_new (RL_TYPE_OUTBOX_OUTPUT, NULL);
  self->output->outbox = self;
  return self;
}

gboolean
rl_outbox_send_frame (RlOutbox  *self,
                      GBytes    *frame,
                      GError   **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (frame, &length);

  if (self->queued > self->limit)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "the peer is %" G_GSIZE_FORMAT " bytes behind", self->queued);
      return FALSE;
    }
  if (self->close_task)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the connection is closing");
      return FALSE;
    }
  return push (self, data, length, frame, error);
}

/* first: FIN, RSV1 and the opcode. */
static GBytes *
frame_build (guint8        first,
             const guint8 *payload,
             gsize         length)
{
  guint8 *frame = g_malloc (length + 10);
  gsize header;

  frame[0] = first;
  if (length < 126)
    {
      frame[1] = (guint8) length;
      header = 2;
    }
  else if (length <= G_MAXUINT16)
    {
      frame[1] = 126;
      frame[2] = (guint8) (length >> 8);
      frame[3] = (guint8) length;
      header = 4;
    }
  else
    {
      frame[1] = 127;
      for (int i = 0; i < 8; i++)
        frame[2 + i] = (guint8) ((guint64) length >> (56 - 8 * i));
      header = 10;
    }
  memcpy (frame + header, payload, length);
  return g_bytes_new_take (frame, header + length);
}

GBytes *
rl_outbox_frame_text (const char *payload,
                      gsize       length)
{
  return frame_build (0x81, (const guint8 *) payload, length);   /* FIN, text */
}

GBytes *
rl_outbox_frame_deflated (const char *payload,
                          gsize       length)
{
  g_autoptr(GBytes) compressed = NULL;
  gsize size;
  const guint8 *data;

  if (!rl_outbox_worth_deflating (length))
    return rl_outbox_frame_text (payload, length);
  compressed = rl_outbox_deflate ((const guint8 *) payload, length);
  data = g_bytes_get_data (compressed, &size);
  return frame_build (0xc1, data, size);   /* FIN, RSV1 (compressed), text */
}

static void
deflater_free (gpointer data)
{
  z_stream *stream = data;

  deflateEnd (stream);
  g_free (stream);
}

/* One per thread: messages are compressed one by one, each from a reset
 * state, so every connection of the thread can share it. */
static GPrivate deflater_key = G_PRIVATE_INIT (deflater_free);

static z_stream *
get_deflater (void)
{
  z_stream *stream = g_private_get (&deflater_key);

  if (stream == NULL)
    {
      stream = g_new0 (z_stream, 1);
      /* Raw deflate (negative window bits), the full 32 KiB window. */
      if (deflateInit2 (stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        g_error ("zlib: cannot make a compressor (out of memory)");
      g_private_set (&deflater_key, stream);
    }
  return stream;
}

GBytes *
rl_outbox_deflate (const guint8 *data,
                   gsize         length)
{
  z_stream *stream = get_deflater ();
  /* A sync flush adds an empty stored block (5 bytes) to what deflateBound
   * allows for; room for more is made below if ever needed. */
  gsize size = deflateBound (stream, length) + 16, written = 0;
  guint8 *out = g_malloc (size);
  int result;

  stream->next_in = (Bytef *) data;
  stream->avail_in = (uInt) length;
  for (;;)
    {
      stream->next_out = out + written;
      stream->avail_out = (uInt) (size - written);
      result = deflate (stream, Z_SYNC_FLUSH);
      written = size - stream->avail_out;
      if (result != Z_OK && result != Z_BUF_ERROR)
        g_error ("zlib: deflate failed (%d)", result);
      if (stream->avail_in == 0 && stream->avail_out > 0)
        break;
      size *= 2;
      out = g_realloc (out, size);
    }
  deflateReset (stream);

  /* RFC 7692 §7.2.1: the flush's 00 00 ff ff is not sent. */
  g_assert (written >= 4 && memcmp (out + written - 4, "\x00\x00\xff\xff", 4) == 0);
  return g_bytes_new_take (out, written - 4);
}
