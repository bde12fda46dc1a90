/* fuzz-message.c — what the client decodes from the server (PROTOCOL.md §2–§6)
 *
 * Every WebSocket message (welcome, ack, snapshot, presence, batch and the
 * six events with each change) through rl_message_parse, and every HTTP body
 * the client reads (the document list, a threads body, an error body)
 * through their decoders. What decodes must encode to something that
 * decodes to the same again; snapshots and events, in the order they come,
 * are applied to a thread list as the client's store does, and every thread
 * that results still encodes and decodes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-codec.h"
#include "rl-fuzz.h"

static char *
encode_message (const RlMessage *message)
{
  switch (message->type)
    {
    case RL_MESSAGE_WELCOME:
      return rl_message_serialize_welcome (message->tenant, &message->user, message->role, message->connection,
                                           message->server_time, message->minor);
    case RL_MESSAGE_ACK:
      if (message->ok && message->read != NULL)
        return rl_message_serialize_ack_read (message->req, message->seq, message->read);
      if (message->ok && message->aseq >= 0)
        return rl_message_serialize_ack_aseq (message->req, message->aseq);
      if (message->ok)
        return rl_message_serialize_ack_ok (message->req, message->seq, message->number);
      return rl_message_serialize_ack_error (message->req, message->error_code, message->error_message);
    case RL_MESSAGE_SNAPSHOT:
      return rl_message_serialize_snapshot_at (message->doc, message->seq, message->revision, message->threads,
                                               message->reset);
    case RL_MESSAGE_EVENT:
      return rl_event_serialize (message->event);
    case RL_MESSAGE_PRESENCE:
      return rl_message_serialize_presence (message->doc, message->count, message->connections, message->users);
    case RL_MESSAGE_BATCH:
      {
        g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_free);

        for (guint i = 0; i < message->messages->len; i++)
          g_ptr_array_add (events, encode_message (g_ptr_array_index (message->messages, i)));
        return rl_message_serialize_batch ((const char * const *) events->pdata, events->len, NULL);
      }
    case RL_MESSAGE_ACTIVITY:
      return rl_activity_serialize (message->activity);
    case RL_MESSAGE_ACTIVITY_SNAPSHOT:
      {
        g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

        for (guint i = 0; i < message->activities->len; i++)
          g_ptr_array_add (items, rl_activity_serialize (g_ptr_array_index (message->activities, i)));
        return rl_activity_snapshot_serialize (message->aseq, message->reset, message->unread,
                                               (const char * const *) items->pdata, items->len);
      }
    case RL_MESSAGE_UNREAD_HINT:
      return rl_message_serialize_unread_hint (message->doc);
    default:
      g_assert_not_reached ();
    }
}

static void
check_thread_round_trip (const RlThread *thread)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = rl_thread_to_json (thread);
  g_autoptr(RlThread) again = rl_thread_from_json (node, &error);
  g_autoptr(JsonNode) node_again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (again);
  node_again = rl_thread_to_json (again);
  text = rl_json_to_string (node, NULL);
  text_again = rl_json_to_string (node_again, NULL);
  g_assert_cmpstr (text, ==, text_again);
}

/* As the client's document store: a snapshot replaces the threads, an event
 * changes them (or is refused when it names something absent). */
static void
apply_message (const RlMessage *message,
               GPtrArray       *threads)
{
  switch (message->type)
    {
    case RL_MESSAGE_SNAPSHOT:
      g_ptr_array_set_size (threads, 0);
      for (guint i = 0; i < message->threads->len; i++)
        g_ptr_array_add (threads, rl_thread_copy (g_ptr_array_index (message->threads, i)));
      break;
    case RL_MESSAGE_EVENT:
      g_assert_true (message->event->kind == RL_EVENT_REVISION_ADDED || message->event->thread_id != NULL);
      rl_event_apply (message->event, threads);
      break;
    case RL_MESSAGE_BATCH:
      for (guint i = 0; i < message->messages->len; i++)
        {
          const RlMessage *inner = g_ptr_array_index (message->messages, i);

          g_assert_cmpint (inner->type, !=, RL_MESSAGE_BATCH);
          apply_message (inner, threads);
        }
      break;
    case RL_MESSAGE_WELCOME:
    case RL_MESSAGE_ACK:
    case RL_MESSAGE_PRESENCE:
    default:
      break;
    }
}

static void
fuzz_message (const uint8_t *data,
              size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlMessage) message = rl_message_parse ((const char *) data, size, &error);
  g_autoptr(RlMessage) again = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;

  if (message == NULL)
    {
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  g_assert_no_error (error);

  /* What the client decoded goes on into labels and caches: UTF-8 only. */
  text = encode_message (message);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  again = rl_message_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpint (again->type, ==, message->type);
  text_again = encode_message (again);
  g_assert_cmpstr (text, ==, text_again);

  threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  apply_message (message, threads);
  for (guint i = 0; i < threads->len; i++)
    check_thread_round_trip (g_ptr_array_index (threads, i));
}

static void
fuzz_http_bodies (const uint8_t *data,
                  size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) documents = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 seq;

  /* GET /api/v1/… answered with an error. */
  if (rl_error_body_parse ((const char *) data, size, &error))
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == RL_ERROR);
      /* The message is shown to the user. */
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
    }
  g_assert_no_error (error);

  /* As the client reads every body (rl-api.c). */
  root = rl_json_parse ((const char *) data, size, &error);
  if (root == NULL)
    {
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }

  /* GET /api/v1/docs */
  documents = rl_documents_from_json (root, &error);
  if (documents != NULL)
    {
      g_assert_no_error (error);
      for (guint i = 0; i < documents->len; i++)
        {
          g_autoptr(JsonNode) node = rl_document_to_json (g_ptr_array_index (documents, i));
          g_autoptr(RlDocument) again = rl_document_from_json (node, &error);
          g_autoptr(JsonNode) node_again = NULL;
          g_autofree char *text = NULL;
          g_autofree char *text_again = NULL;

          g_assert_no_error (error);
          g_assert_nonnull (again);
          node_again = rl_document_to_json (again);
          text = rl_json_to_string (node, NULL);
          text_again = rl_json_to_string (node_again, NULL);
          g_assert_true (g_utf8_validate (text, -1, NULL));
          g_assert_cmpstr (text, ==, text_again);
        }
    }
  else
    g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  /* GET /api/v1/docs/{id}/threads */
  if (rl_threads_body_from_json (root, &seq, &threads, &error))
    {
      g_autofree char *text = rl_threads_body_serialize (seq, threads);
      g_autoptr(JsonNode) again = rl_json_parse (text, strlen (text), &error);
      g_autoptr(GPtrArray) threads_again = NULL;
      gint64 seq_again;

      g_assert_no_error (error);
      g_assert_cmpint (seq, >=, 0);
      g_assert_true (rl_threads_body_from_json (again, &seq_again, &threads_again, &error));
      g_assert_no_error (error);
      g_assert_cmpint (seq_again, ==, seq);
      g_assert_cmpuint (threads_again->len, ==, threads->len);
      for (guint i = 0; i < threads->len; i++)
        check_thread_round_trip (g_ptr_array_index (threads, i));
    }
  else
    {
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_assert_null (threads);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_message (data, size);
  fuzz_http_bodies (data, size);
  return 0;
}
