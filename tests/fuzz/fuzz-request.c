/* fuzz-request.c — the request decoder (client → server, PROTOCOL.md §3)
 *
 * Every frame a client can send reaches rl_request_parse. It must answer
 * each with a request or an error, accept only what is in range, and what
 * it accepts must serialize to a frame that decodes to the same request.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "rl-codec.h"
#include "rl-fuzz.h"
#include "rl-limits.h"
#include "rl-uuid.h"

static gboolean
is_trimmed (const char *body)
{
  const char *last = g_utf8_prev_char (body + strlen (body));

  return !g_unichar_isspace (g_utf8_get_char (body)) && !g_unichar_isspace (g_utf8_get_char (last));
}

static void
check_anchor (const RlAnchor *anchor)
{
  if (anchor->kind == RL_DOC_KIND_IMAGE)
    {
      g_assert_true (isfinite (anchor->x) && isfinite (anchor->y));
      g_assert_true (anchor->x >= 0 && anchor->x <= 1 && anchor->y >= 0 && anchor->y <= 1);
      return;
    }
  g_assert_cmpint (anchor->kind, ==, RL_DOC_KIND_PAGE);
  g_assert_cmpint (anchor->start, >=, 0);
  g_assert_cmpint (anchor->end, >, anchor->start);
  g_assert_true (g_utf8_validate (anchor->exact, -1, NULL));
  g_assert_cmpint (g_utf8_strlen (anchor->exact, -1), ==, anchor->end - anchor->start);
  g_assert_true (g_utf8_validate (anchor->prefix, -1, NULL));
  g_assert_true (g_utf8_validate (anchor->suffix, -1, NULL));
  g_assert_cmpint (g_utf8_strlen (anchor->prefix, -1), <=, RL_CONTEXT_MAX_CHARS);
  g_assert_cmpint (g_utf8_strlen (anchor->suffix, -1), <=, RL_CONTEXT_MAX_CHARS);
}

/* What the decoder promises the server about a request it accepted. */
static void
check_request (const RlRequest *request)
{
  g_assert_cmpint (request->type, <=, RL_REQUEST_UNSUBSCRIBE_ACTIVITY);
  g_assert_true (request->req == NULL || strlen (request->req) <= RL_REQ_MAX_BYTES);
  if (request->type == RL_REQUEST_SUBSCRIBE_ACTIVITY || request->type == RL_REQUEST_UNSUBSCRIBE_ACTIVITY)
    {
      g_assert_null (request->doc);
      g_assert_null (request->broadcast_id);
      g_assert_null (request->thread_id);
      g_assert_true (!request->has_since || request->since >= 0);
      g_assert_true (!request->has_since || request->type == RL_REQUEST_SUBSCRIBE_ACTIVITY);
      return;
    }
  g_assert_nonnull (request->doc);
  g_assert_cmpuint (strlen (request->doc), >=, 1);
  g_assert_cmpuint (strlen (request->doc), <=, 64);
  if (rl_request_type_is_mutation (request->type) || request->type == RL_REQUEST_MARK_READ)
    g_assert_true (g_uuid_string_is_valid (request->broadcast_id));
  else
    g_assert_null (request->broadcast_id);
  if (request->type == RL_REQUEST_MARK_READ)
    {
      g_assert_true (request->thread_id == NULL || rl_uuid_is_valid (request->thread_id));
      g_assert_cmpint (request->seq, >=, 0);
    }
  else if (request->type != RL_REQUEST_SUBSCRIBE && request->type != RL_REQUEST_UNSUBSCRIBE)
    g_assert_true (rl_uuid_is_valid (request->thread_id));
  /* Mentions are spans of the stored (trimmed) body, each at an "@". */
  if (request->mentions != NULL)
    {
      gint64 last_end = 0;

      g_assert_true (request->type == RL_REQUEST_CREATE_THREAD || request->type == RL_REQUEST_ADD_COMMENT ||
                     request->type == RL_REQUEST_EDIT_COMMENT);
      g_assert_cmpuint (request->mentions->len, >=, 1);
      g_assert_cmpuint (request->mentions->len, <=, RL_MENTIONS_MAX);
      for (guint i = 0; i < request->mentions->len; i++)
        {
          const RlMention *mention = g_ptr_array_index (request->mentions, i);

          g_assert_cmpint (mention->start, >=, last_end);
          g_assert_cmpint (mention->end, >, mention->start + 1);
          g_assert_cmpint (mention->end, <=, g_utf8_strlen (request->body, -1));
          g_assert_true (g_utf8_get_char (g_utf8_offset_to_pointer (request->body, mention->start)) == '@');
          g_assert_true (g_utf8_validate (mention->user, -1, NULL));
          last_end = mention->end;
        }
    }
  if (request->has_since)
    g_assert_cmpint (request->since, >=, 0);

  switch (request->type)
    {
    case RL_REQUEST_CREATE_THREAD:
    case RL_REQUEST_ADD_COMMENT:
    case RL_REQUEST_EDIT_COMMENT:
      g_assert_true (rl_uuid_is_valid (request->comment_id));
      g_assert_true (g_utf8_validate (request->body, -1, NULL));
      g_assert_cmpint (g_utf8_strlen (request->body, -1), >=, 1);
      g_assert_cmpint (g_utf8_strlen (request->body, -1), <=, RL_BODY_MAX_CHARS);
      g_assert_true (is_trimmed (request->body));
      break;
    case RL_REQUEST_DELETE_COMMENT:
      g_assert_true (rl_uuid_is_valid (request->comment_id));
      break;
    case RL_REQUEST_SUBSCRIBE:
    case RL_REQUEST_UNSUBSCRIBE:
    case RL_REQUEST_RESOLVE_THREAD:
    case RL_REQUEST_MOVE_THREAD:
    case RL_REQUEST_DELETE_THREAD:
    case RL_REQUEST_PLACE_THREAD:
    case RL_REQUEST_MARK_READ:
    default:
      break;
    }
  /* A place-thread's anchor is optional; its revision is not. */
  if (request->type != RL_REQUEST_PLACE_THREAD)
    g_assert_true (request->has_anchor == (request->type == RL_REQUEST_CREATE_THREAD ||
                                           request->type == RL_REQUEST_MOVE_THREAD));
  else
    g_assert_cmpint (request->revision, >=, 1);
  g_assert_cmpint (request->revision, >=, 0);
  if (request->revision > 0)
    g_assert_true (request->type == RL_REQUEST_CREATE_THREAD || request->type == RL_REQUEST_MOVE_THREAD ||
                   request->type == RL_REQUEST_PLACE_THREAD);
  if (request->has_anchor)
    check_anchor (&request->anchor);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlRequest) request = NULL;
  g_autoptr(RlRequest) again = NULL;
  g_autofree char *req = NULL;
  g_autofree char *frame = NULL;
  g_autofree char *frame_again = NULL;

  /* The server closes a connection on a larger frame (1009) before decoding. */
  if (size > RL_MAX_FRAME_BYTES)
    return 0;

  request = rl_request_parse ((const char *) data, size, &req, &error);
  if (request == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_error_matches (error, RL_ERROR, RL_ERROR_BAD_REQUEST) ||
                     g_error_matches (error, RL_ERROR, RL_ERROR_UNKNOWN_TYPE));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      /* The ack of a refused request carries its req back, in a text frame. */
      g_assert_true (req == NULL || strlen (req) <= RL_REQ_MAX_BYTES);
      g_assert_true (req == NULL || g_utf8_validate (req, -1, NULL));
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpstr (req, ==, request->req);
  check_request (request);

  /* What the client library sends for it decodes to the same request. */
  frame = rl_request_serialize (request);
  g_assert_true (g_utf8_validate (frame, -1, NULL));
  again = rl_request_parse (frame, strlen (frame), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  frame_again = rl_request_serialize (again);
  g_assert_cmpstr (frame, ==, frame_again);

  /* A body is trimmed once and for all. */
  if (request->body != NULL)
    {
      g_autofree char *body = rl_body_normalize (request->body);

      g_assert_cmpstr (body, ==, request->body);
    }
  return 0;
}
