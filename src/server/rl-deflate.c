/* rl-deflate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-deflate.h"

#include <string.h>
#include <zlib.h>

#include "rl-limits.h"
#include "rl-outbox.h"

#define EXTENSION_NAME  "permessage-deflate"
#define INFLATE_CHUNK   (16 * 1024)

struct _RlDeflate
{
  SoupWebsocketExtension  parent_instance;
  /* what the offer asked for, echoed in the answer */
  gboolean                client_no_context_takeover;
  gboolean                server_max_window_bits;
  /* the client's messages */
  z_stream                inflater;
  gboolean                inflater_ready;
  gboolean                in_compressed;   /* inside a fragmented compressed message */
  gsize                   message_bytes;   /* inflated so far in this message */
};

G_DEFINE_FINAL_TYPE (RlDeflate, rl_deflate, SOUP_TYPE_WEBSOCKET_EXTENSION)

static gboolean
is_window_bits (const char *value)
{
  guint64 bits;

  return value != NULL && g_ascii_string_to_unsigned (value, 10, 8, 15, &bits, NULL);
}

/* RFC 7692 §7.1: every parameter known, each at most once (the caller's
 * strict parse), with a valid value. The server compresses with a 32 KiB
 * window, so a client that can inflate only with a smaller one
 * (server_max_window_bits below 15) is declined. */
static gboolean
rl_deflate_configure (SoupWebsocketExtension       *extension,
                      SoupWebsocketConnectionType   connection_type,
                      GHashTable                   *params,
                      GError                      **error)
{
  RlDeflate *self = RL_DEFLATE (extension);
  GHashTableIter iter;
  const char *key, *value;

  if (connection_type != SOUP_WEBSOCKET_CONNECTION_SERVER)
    {
      g_set_error_literal (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE,
                           "the server's permessage-deflate only serves");
      return FALSE;
    }
  if (params == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &value))
    {
      gboolean ok;

      if (g_ascii_strcasecmp (key, "server_no_context_takeover") == 0)
        ok = value == NULL;   /* done anyway */
      else if (g_ascii_strcasecmp (key, "client_no_context_takeover") == 0)
        ok = value == NULL && (self->client_no_context_takeover = TRUE);
      else if (g_ascii_strcasecmp (key, "server_max_window_bits") == 0)
        ok = is_window_bits (value) && strcmp (value, "15") == 0 && (self->server_max_window_bits = TRUE);
      else if (g_ascii_strcasecmp (key, "client_max_window_bits") == 0)
        ok = value == NULL || is_window_bits (value);   /* the inflater takes any window */
      else
        ok = FALSE;

      if (!ok)
        {
          g_set_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE,
                       "permessage-deflate: cannot accept %s%s%s", key, value ? "=" : "", value ? value : "");
          return FALSE;
        }
    }
  return TRUE;
}

static char *
rl_deflate_get_response_params (SoupWebsocketExtension *extension)
{
  RlDeflate *self = RL_DEFLATE (extension);

  return g_strconcat ("; server_no_context_takeover",
                      self->client_no_context_takeover ? "; client_no_context_takeover" : "",
                      self->server_max_window_bits ? "; server_max_window_bits=15" : "",
                      NULL);
}

static GBytes *
rl_deflate_process_outgoing_message (SoupWebsocketExtension  *extension,
                                     guint8                  *header,
                                     GBytes                  *payload,
                                     GError                 **error)
{
  GBytes *compressed;
  gsize length;
  const guint8 *data = g_bytes_get_data (payload, &length);

  /* Control frames are never compressed; a short message goes as it is. */
  if ((header[0] & 0x08) || !rl_outbox_worth_deflating (length))
    return payload;

  header[0] |= 0x40;   /* RSV1: compressed */
  compressed = rl_outbox_deflate (data, length);
  g_bytes_unref (payload);
  return compressed;
}

static GBytes *
fail_incoming (RlDeflate   *self,
               GBytes      *payload,
               GByteArray  *out,
               GError     **error,
               gushort      code,
               const char  *message)
{
  self->in_compressed = FALSE;
  self->message_bytes = 0;
  g_bytes_unref (payload);
  g_byte_array_unref (out);
  g_set_error_literal (error, SOUP_WEBSOCKET_ERROR, code, message);
  return NULL;
}

/* Inflates length bytes of data into out, never past RL_MAX_FRAME_BYTES
 * for the whole message; -1 past it, -2 on bad data. */
static int
inflate_into (RlDeflate    *self,
              const guint8 *data,
              gsize         length,
              GByteArray   *out)
{
  z_stream *stream = &self->inflater;

  stream->next_in = (Bytef *) data;
  stream->avail_in = (uInt) length;
  for (;;)
    {
      gsize room = RL_MAX_FRAME_BYTES + 1 - self->message_bytes;
      gsize chunk = MIN (room, INFLATE_CHUNK), at = out->len, produced;
      int result;

      g_byte_array_set_size (out, at + chunk);
      stream->next_out = out->data + at;
      stream->avail_out = (uInt) chunk;
      result = inflate (stream, Z_SYNC_FLUSH);
      produced = chunk - stream->avail_out;
      g_byte_array_set_size (out, at + produced);
      self->message_bytes += produced;

      if (self->message_bytes > RL_MAX_FRAME_BYTES)
        return -1;
      if (result == Z_STREAM_END)
        {
          /* A final block: what follows is a new stream. */
          if (inflateReset (stream) != Z_OK)
            return -2;
        }
      else if (result == Z_BUF_ERROR && produced == 0)
        return 0;   /* needs more input */
      else if (result != Z_OK && result != Z_BUF_ERROR)
        return -2;
      if (stream->avail_in == 0 && stream->avail_out > 0)
        return 0;
    }
}

static GBytes *
rl_deflate_process_incoming_message (SoupWebsocketExtension  *extension,
                                     guint8                  *header,
                                     GBytes                  *payload,
                                     GError                 **error)
{
  static const guint8 tail[] = { 0x00, 0x00, 0xff, 0xff };
  RlDeflate *self = RL_DEFLATE (extension);
  gboolean fin = (header[0] & 0x80) != 0;
  gboolean compressed = (header[0] & 0x40) != 0;
  gboolean continuation = (header[0] & 0x0f) == 0;
  GByteArray *out;
  gsize length;
  const guint8 *data;
  int result;

  if (header[0] & 0x08)
    return payload;   /* control: libsoup refuses RSV1 on it */
  if (continuation && compressed)
    return payload;   /* RSV1 on a non-first frame: left for libsoup to refuse */
  if (!continuation)
    {
      self->in_compressed = compressed;
      self->message_bytes = 0;
    }
  if (!self->in_compressed)
    return payload;

  header[0] &= ~0x40;
  if (!self->inflater_ready)
    {
      memset (&self->inflater, 0, sizeof self->inflater);
      if (inflateInit2 (&self->inflater, -15) != Z_OK)
        return fail_incoming (self, payload, g_byte_array_new (), error,
                              SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, "cannot inflate (out of memory)");
      self->inflater_ready = TRUE;
    }

  out = g_byte_array_new ();
  data = g_bytes_get_data (payload, &length);
  result = inflate_into (self, data, length, out);
  if (result == 0 && fin)
    result = inflate_into (self, tail, sizeof tail, out);
  if (result == -1)
    return fail_incoming (self, payload, out, error, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "frames are at most 64 KiB");
  if (result < 0)
    return fail_incoming (self, payload, out, error, SOUP_WEBSOCKET_CLOSE_BAD_DATA, "bad compressed data");

  g_bytes_unref (payload);
  if (fin)
    {
      self->in_compressed = FALSE;
      self->message_bytes = 0;
      /* The client starts afresh each time: its window need not be kept. */
      if (self->client_no_context_takeover)
        {
          inflateEnd (&self->inflater);
          self->inflater_ready = FALSE;
        }
    }
  return g_byte_array_free_to_bytes (out);
}

static void
rl_deflate_finalize (GObject *object)
{
  RlDeflate *self = RL_DEFLATE (object);

  if (self->inflater_ready)
    inflateEnd (&self->inflater);
  G_OBJECT_CLASS (rl_deflate_parent_class)->finalize (object);
}

static void
rl_deflate_class_init (RlDeflateClass *klass)
{
  SoupWebsocketExtensionClass *extension_class = SOUP_WEBSOCKET_EXTENSION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = rl_deflate_finalize;
  extension_class->name = EXTENSION_NAME;
  extension_class->configure = rl_deflate_configure;
  extension_class->get_response_params = rl_deflate_get_response_params;
  extension_class->process_outgoing_message = rl_deflate_process_outgoing_message;
  extension_class->process_incoming_message = rl_deflate_process_incoming_message;
}

static void
rl_deflate_init (RlDeflate *self)
{
}

RlDeflate *
rl_deflate_negotiate (const char  *offers,
                      char       **response)
{
  GSList *list = soup_header_parse_list (offers);
  RlDeflate *accepted = NULL;

  *response = NULL;
  for (GSList *l = list; l != NULL && accepted == NULL; l = l->next)
    {
      g_autoptr(RlDeflate) deflate = NULL;
      g_autoptr(GHashTable) params = NULL;
      g_autofree char *name = NULL;
      g_autofree char *answer = NULL;
      const char *offer = l->data;
      const char *semi = strchr (offer, ';');

      name = g_strstrip (g_strndup (offer, semi ? (gsize) (semi - offer) : strlen (offer)));
      if (g_ascii_strcasecmp (name, EXTENSION_NAME) != 0)
        continue;
      /* NULL when a parameter comes twice: that offer is invalid. */
      if (semi && (params = soup_header_parse_semi_param_list_strict (semi + 1)) == NULL)
        continue;
      deflate = g_object_new (RL_TYPE_DEFLATE, NULL);
      if (!soup_websocket_extension_configure (SOUP_WEBSOCKET_EXTENSION (deflate),
                                               SOUP_WEBSOCKET_CONNECTION_SERVER, params, NULL))
        continue;
      answer = soup_websocket_extension_get_response_params (SOUP_WEBSOCKET_EXTENSION (deflate));
      *response = g_strconcat (EXTENSION_NAME, answer, NULL);
      accepted = g_steal_pointer (&deflate);
    }
  soup_header_free_list (list);
  return accepted;
}
