/* test-activity.c — protocol 1.2's codec: comment seq and mentions,
 * mark-read, the activity feed's requests, items, snapshot and acks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rl-codec.h"
#include "rl-limits.h"

#define DOC     "d0c"
#define THREAD  "0f8fad5b-d9cb-469f-a165-70867728950e"
#define COMMENT "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define BID     "5b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

static RlRequest *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  RlRequest *request = rl_request_parse (text, strlen (text), NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (request);
  return request;
}

static void
assert_parse_fails (const char  *text,
                    RlErrorCode  code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RlRequest) request = rl_request_parse (text, strlen (text), NULL, &error);

  g_assert_null (request);
  g_assert_error (error, RL_ERROR, (gint) code);
}

/* An add-comment whose comment carries body and mentions as given. */
static char *
add_comment (const char *body_json,
             const char *mentions_json)
{
  return g_strdup_printf ("{\"type\":\"add-comment\",\"req\":\"r\",\"broadcastId\":\"" BID "\","
                          "\"doc\":\"" DOC "\",\"thread\":\"" THREAD "\","
                          "\"comment\":{\"id\":\"" COMMENT "\",\"body\":%s%s%s}}",
                          body_json, mentions_json ? ",\"mentions\":" : "",
                          mentions_json ? mentions_json : "");
}

static void
test_mentions_parse (void)
{
  g_autofree char *plain = add_comment ("\"@ana look\"", "[{\"user\":\"u1\",\"start\":0,\"end\":4}]");
  g_autofree char *trimmed = add_comment ("\"  \\n@ana and @bo  \"",
                                          "[{\"user\":\"u1\",\"start\":3,\"end\":7},"
                                          "{\"user\":\"u2\",\"start\":12,\"end\":15}]");
  g_autofree char *none = add_comment ("\"hi\"", NULL);
  g_autofree char *empty = add_comment ("\"hi\"", "[]");
  g_autoptr(RlRequest) request = NULL;
  g_autofree char *text = NULL;
  RlMention *mention;

  request = parse_ok (plain);
  g_assert_cmpuint (request->mentions->len, ==, 1);
  mention = g_ptr_array_index (request->mentions, 0);
  g_assert_cmpstr (mention->user, ==, "u1");
  g_assert_cmpint (mention->start, ==, 0);
  g_assert_cmpint (mention->end, ==, 4);
  text = rl_request_serialize (request);
  g_assert_cmpstr (text, ==, "{\"type\":\"add-comment\",\"req\":\"r\",\"broadcastId\":\"" BID "\","
                             "\"doc\":\"" DOC "\",\"thread\":\"" THREAD "\","
                             "\"comment\":{\"id\":\"" COMMENT "\",\"body\":\"@ana look\","
                             "\"mentions\":[{\"user\":\"u1\",\"start\":0,\"end\":4}]}}");
  g_clear_pointer (&request, rl_request_free);

  /* Spans of the body as sent, shifted by the three code points trimmed. */
  request = parse_ok (trimmed);
  g_assert_cmpstr (request->body, ==, "@ana and @bo");
  g_assert_cmpuint (request->mentions->len, ==, 2);
  mention = g_ptr_array_index (request->mentions, 0);
  g_assert_cmpint (mention->start, ==, 0);
  g_assert_cmpint (mention->end, ==, 4);
  mention = g_ptr_array_index (request->mentions, 1);
  g_assert_cmpint (mention->start, ==, 9);
  g_assert_cmpint (mention->end, ==, 12);
  g_clear_pointer (&request, rl_request_free);

  request = parse_ok (none);
  g_assert_null (request->mentions);
  g_clear_pointer (&request, rl_request_free);
  request = parse_ok (empty);
  g_assert_null (request->mentions);
}

static void
test_mentions_strict (void)
{
  const struct { const char *body, *mentions; } bad[] = {
    { "\"@ana\"", "{}" },                                                      /* not an array */
    { "\"@ana\"", "[1]" },                                                     /* not an object */
    { "\"@ana\"", "[{\"user\":1,\"start\":0,\"end\":4}]" },                    /* user not a string */
    { "\"@ana\"", "[{\"user\":\"\",\"start\":0,\"end\":4}]" },                 /* empty user */
    { "\"@ana\"", "[{\"user\":\"u\",\"start\":\"0\",\"end\":4}]" },            /* start a string */
    { "\"@ana\"", "[{\"user\":\"u\",\"start\":0,\"end\":4.5}]" },              /* end a fraction */
    { "\"@ana\"", "[{\"user\":\"u\",\"start\":-1,\"end\":4}]" },               /* negative */
    { "\"@ana\"", "[{\"user\":\"u\",\"start\":0,\"end\":5}]" },                /* past the body */
    { "\"@ana\"", "[{\"user\":\"u\",\"start\":0,\"end\":1}]" },                /* only the "@" */
    { "\"@ana\"", "[{\"user\":\"u\",\"start\":2,\"end\":1}]" },                /* backwards */
    { "\"x@ana\"", "[{\"user\":\"u\",\"start\":0,\"end\":5}]" },               /* not at an "@" */
    { "\"@a @b\"", "[{\"user\":\"u\",\"start\":3,\"end\":5},{\"user\":\"v\",\"start\":0,\"end\":2}]" }, /* unsorted */
    { "\"@a@b\"", "[{\"user\":\"u\",\"start\":0,\"end\":3},{\"user\":\"v\",\"start\":2,\"end\":4}]" },  /* overlapping */
    { "\"  @a\"", "[{\"user\":\"u\",\"start\":0,\"end\":4}]" },                /* in trimmed white space */
    { "\"@a  \"", "[{\"user\":\"u\",\"start\":0,\"end\":4}]" },                /* in trailing white space */
  };
  g_autoptr(GString) many = g_string_new ("\"");
  g_autoptr(GString) spans = g_string_new ("[");
  g_autofree char *too_many = NULL;
  g_autofree char *long_user = g_strnfill (RL_USER_ID_MAX_BYTES + 1, 'u');
  g_autofree char *long_user_mention = g_strdup_printf ("[{\"user\":\"%s\",\"start\":0,\"end\":2}]", long_user);
  g_autofree char *long_user_text = add_comment ("\"@a\"", long_user_mention);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = add_comment (bad[i].body, bad[i].mentions);

      g_test_message ("%s", text);
      assert_parse_fails (text, RL_ERROR_BAD_REQUEST);
    }
  assert_parse_fails (long_user_text, RL_ERROR_BAD_REQUEST);

  /* 32 are fine, 33 are not. */
  for (guint i = 0; i < RL_MENTIONS_MAX + 1; i++)
    {
      g_string_append (many, "@a ");
      g_string_append_printf (spans, "%s{\"user\":\"u%u\",\"start\":%u,\"end\":%u}", i ? "," : "", i, 3 * i, 3 * i + 2);
      if (i == RL_MENTIONS_MAX - 1)
        {
          g_autofree char *body = g_strconcat (many->str, "\"", NULL);
          g_autofree char *list = g_strconcat (spans->str, "]", NULL);
          g_autofree char *fine = add_comment (body, list);
          g_autoptr(RlRequest) request = parse_ok (fine);

          g_assert_cmpuint (request->mentions->len, ==, RL_MENTIONS_MAX);
        }
    }
  g_string_append (many, "\"");
  g_string_append (spans, "]");
  too_many = add_comment (many->str, spans->str);
  assert_parse_fails (too_many, RL_ERROR_BAD_REQUEST);
}

static void
test_mark_read (void)
{
  g_autoptr(RlRequest) request = NULL;
  g_autofree char *text = NULL;

  request = parse_ok ("{\"type\":\"mark-read\",\"req\":\"m\",\"broadcastId\":\"" BID "\",\"doc\":\"" DOC "\","
                      "\"thread\":\"" THREAD "\",\"seq\":12}");
  g_assert_cmpint (request->type, ==, RL_REQUEST_MARK_READ);
  g_assert_false (rl_request_type_is_mutation (request->type));
  g_assert_true (rl_request_type_is_v12 (request->type));
  g_assert_cmpstr (request->thread_id, ==, THREAD);
  g_assert_cmpint (request->seq, ==, 12);
  text = rl_request_serialize (request);
  g_assert_cmpstr (text, ==, "{\"type\":\"mark-read\",\"req\":\"m\",\"broadcastId\":\"" BID "\",\"doc\":\"" DOC "\","
                             "\"thread\":\"" THREAD "\",\"seq\":12}");
  g_clear_pointer (&request, rl_request_free);

  request = parse_ok ("{\"type\":\"mark-read\",\"broadcastId\":\"" BID "\",\"doc\":\"" DOC "\",\"seq\":0}");
  g_assert_null (request->thread_id);
  g_assert_cmpint (request->seq, ==, 0);

  assert_parse_fails ("{\"type\":\"mark-read\",\"doc\":\"" DOC "\",\"seq\":1}", RL_ERROR_BAD_REQUEST);
  assert_parse_fails ("{\"type\":\"mark-read\",\"broadcastId\":\"" BID "\",\"seq\":1}", RL_ERROR_BAD_REQUEST);
  assert_parse_fails ("{\"type\":\"mark-read\",\"broadcastId\":\"" BID "\",\"doc\":\"" DOC "\"}", RL_ERROR_BAD_REQUEST);
  assert_parse_fails ("{\"type\":\"mark-read\",\"broadcastId\":\"" BID "\",\"doc\":\"" DOC "\",\"seq\":-1}",
                      RL_ERROR_BAD_REQUEST);
  assert_parse_fails ("{\"type\":\"mark-read\",\"broadcastId\":\"" BID "\",\"doc\":\"" DOC "\",\"seq\":\"3\"}",
                      RL_ERROR_BAD_REQUEST);
  assert_parse_fails ("{\"type\":\"mark-read\",\"broadcastId\":\"" BID "\",\"doc\":\"" DOC "\",\"seq\":1.5}",
                      RL_ERROR_BAD_REQUEST);
  assert_parse_fails ("{\"type\":\"mark-read\",\"broadcastId\":\"" BID "\",\"doc\":\"" DOC "\",\"seq\":1,"
                      "\"thread\":\"NOT-A-UUID\"}", RL_ERROR_BAD_REQUEST);
}

static void
test_subscribe_activity (void)
{
  g_autoptr(RlRequest) request = NULL;
  g_autofree char *text = NULL;

  request = parse_ok ("{\"type\":\"subscribe-activity\",\"req\":\"a\"}");
  g_assert_cmpint (request->type, ==, RL_REQUEST_SUBSCRIBE_ACTIVITY);
  g_assert_false (request->has_since);
  g_assert_null (request->doc);
  text = rl_request_serialize (request);
  g_assert_cmpstr (text, ==, "{\"type\":\"subscribe-activity\",\"req\":\"a\"}");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&request, rl_request_free);

  request = parse_ok ("{\"type\":\"subscribe-activity\",\"since\":7}");
  g_assert_true (request->has_since);
  g_assert_cmpint (request->since, ==, 7);
  text = rl_request_serialize (request);
  g_assert_cmpstr (text, ==, "{\"type\":\"subscribe-activity\",\"since\":7}");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&request, rl_request_free);

  request = parse_ok ("{\"type\":\"unsubscribe-activity\",\"req\":\"u\"}");
  g_assert_cmpint (request->type, ==, RL_REQUEST_UNSUBSCRIBE_ACTIVITY);
  g_assert_true (rl_request_type_is_v12 (request->type));
  g_assert_false (rl_request_type_is_v12 (RL_REQUEST_PLACE_THREAD));
  g_assert_false (rl_request_type_is_mutation (request->type));

  assert_parse_fails ("{\"type\":\"subscribe-activity\",\"since\":-1}", RL_ERROR_BAD_REQUEST);
  assert_parse_fails ("{\"type\":\"subscribe-activity\",\"since\":\"1\"}", RL_ERROR_BAD_REQUEST);
  assert_parse_fails ("{\"type\":\"subscribe-activity\",\"since\":1e3}", RL_ERROR_BAD_REQUEST);
}

/* A comment's seq and mentions, to the byte, and back; 0 and none are
 * left out, as from a server before 1.2. */
static void
test_comment_seq_mentions (void)
{
  g_autoptr(RlComment) comment = rl_comment_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) back_node = NULL;
  g_autoptr(RlComment) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *bad[] = {
    "{\"id\":\"c\",\"thread\":\"t\",\"author\":{\"id\":\"u\",\"name\":\"U\"},\"body\":\"@a\",\"createdAt\":\"2026-01-02T03:04:05.006Z\",\"editedAt\":null,\"seq\":-1}",
    "{\"id\":\"c\",\"thread\":\"t\",\"author\":{\"id\":\"u\",\"name\":\"U\"},\"body\":\"@a\",\"createdAt\":\"2026-01-02T03:04:05.006Z\",\"editedAt\":null,\"seq\":\"2\"}",
    "{\"id\":\"c\",\"thread\":\"t\",\"author\":{\"id\":\"u\",\"name\":\"U\"},\"body\":\"@a\",\"createdAt\":\"2026-01-02T03:04:05.006Z\",\"editedAt\":null,\"mentions\":[{\"user\":\"x\",\"start\":0,\"end\":3}]}",
  };

  comment->id = g_strdup ("c");
  comment->thread = g_strdup ("t");
  comment->author.id = g_strdup ("u");
  comment->author.name = g_strdup ("U");
  comment->body = g_strdup ("hi @Ana");
  comment->created_at = 1767323045006;
  node = rl_comment_to_json (comment);
  text = rl_json_to_string (node, NULL);
  g_assert_cmpstr (text, ==, "{\"id\":\"c\",\"thread\":\"t\",\"author\":{\"id\":\"u\",\"name\":\"U\"},"
                             "\"body\":\"hi @Ana\",\"createdAt\":\"2026-01-02T03:04:05.006Z\",\"editedAt\":null}");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&node, json_node_unref);

  comment->seq = 41;
  g_ptr_array_add (comment->mentions, rl_mention_new ("k3", 3, 7));
  node = rl_comment_to_json (comment);
  text = rl_json_to_string (node, NULL);
  g_assert_cmpstr (text, ==, "{\"id\":\"c\",\"thread\":\"t\",\"author\":{\"id\":\"u\",\"name\":\"U\"},"
                             "\"body\":\"hi @Ana\",\"createdAt\":\"2026-01-02T03:04:05.006Z\",\"editedAt\":null,"
                             "\"seq\":41,\"mentions\":[{\"user\":\"k3\",\"start\":3,\"end\":7}]}");
  back_node = rl_json_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  back = rl_comment_from_json (back_node, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->seq, ==, 41);
  g_assert_true (rl_comment_equal (back, comment));
  g_ptr_array_set_size (back->mentions, 0);
  g_assert_false (rl_comment_equal (back, comment));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) bad_node = rl_json_parse (bad[i], strlen (bad[i]), NULL);
      g_autoptr(RlComment) parsed = rl_comment_from_json (bad_node, &error);

      g_assert_null (parsed);
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_clear_error (&error);
    }
}

/* What a request with mentions makes: the comment carries them; an edit
 * replaces them; the log's seq reaches the comment it creates. */
static void
test_event_mentions (void)
{
  g_autofree char *text = add_comment ("\" @ana\"", "[{\"user\":\"u1\",\"start\":1,\"end\":5}]");
  g_autoptr(RlRequest) request = parse_ok (text);
  RlPerson by = { (char *) "me", (char *) "Me" };
  RlEventContext context = { .doc_kind = RL_DOC_KIND_IMAGE, .doc = DOC, .by = &by, .now = 1000 };
  g_autoptr(RlEvent) event = rl_event_new_for_request (request, &context);
  g_autoptr(RlEvent) edited = NULL;
  g_autoptr(RlComment) stored = NULL;
  g_autofree char *serialized = NULL;
  RlMention *mention;

  g_assert_cmpuint (event->comment->mentions->len, ==, 1);
  mention = g_ptr_array_index (event->comment->mentions, 0);
  g_assert_cmpint (mention->start, ==, 0);
  g_assert_cmpint (mention->end, ==, 4);
  rl_event_set_seq (event, 9);
  g_assert_cmpint (event->seq, ==, 9);
  g_assert_cmpint (event->comment->seq, ==, 9);
  serialized = rl_event_serialize (event);
  g_assert_nonnull (strstr (serialized, "\"seq\":9,\"mentions\":[{\"user\":\"u1\",\"start\":0,\"end\":4}]"));

  /* An edit keeps the comment's seq and takes the request's mentions. */
  stored = rl_comment_copy (event->comment);
  request->type = RL_REQUEST_EDIT_COMMENT;
  g_clear_pointer (&request->mentions, g_ptr_array_unref);
  context.comment = stored;
  edited = rl_event_new_for_request (request, &context);
  rl_event_set_seq (edited, 10);
  g_assert_cmpint (edited->seq, ==, 10);
  g_assert_cmpint (edited->comment->seq, ==, 9);
  g_assert_cmpuint (edited->comment->mentions->len, ==, 0);
}

static RlActivity *
activity_roundtrip (const RlActivity *activity,
                    const char       *expected)
{
  g_autofree char *text = rl_activity_serialize (activity);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlMessage) message = NULL;
  g_autoptr(RlActivity) copy = NULL;
  g_autofree char *again = NULL;

  g_assert_cmpstr (text, ==, expected);
  message = rl_message_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, RL_MESSAGE_ACTIVITY);
  g_assert_cmpint (message->aseq, ==, activity->aseq);
  copy = rl_activity_copy (message->activity);
  again = rl_activity_serialize (copy);
  g_assert_cmpstr (again, ==, expected);
  return g_steal_pointer (&copy);
}

static RlActivity *
new_item (RlActivityKind kind,
          gint64         aseq)
{
  RlActivity *activity = rl_activity_new (kind);

  activity->aseq = aseq;
  activity->at = 1767323045006;
  activity->actor.id = g_strdup ("u2");
  activity->actor.name = g_strdup ("Bo");
  activity->doc.id = g_strdup (DOC);
  activity->doc.title = g_strdup ("Home");
  activity->doc.kind = RL_DOC_KIND_PAGE;
  return activity;
}

#define ITEM_HEAD(aseq, kind) \
  "{\"type\":\"activity\",\"aseq\":" aseq ",\"kind\":\"" kind "\",\"at\":\"2026-01-02T03:04:05.006Z\"," \
  "\"actor\":{\"id\":\"u2\",\"name\":\"Bo\"},\"doc\":{\"id\":\"" DOC "\",\"title\":\"Home\",\"kind\":\"page\"}"

static void
test_activity_items (void)
{
  g_autoptr(RlActivity) mention = new_item (RL_ACTIVITY_MENTION, 1);
  g_autoptr(RlActivity) resolved = new_item (RL_ACTIVITY_RESOLVED, 2);
  g_autoptr(RlActivity) revision = new_item (RL_ACTIVITY_REVISION, 3);
  g_autoptr(RlActivity) read = new_item (RL_ACTIVITY_READ, 4);
  g_autoptr(RlActivity) back = NULL;

  mention->doc_seq = 5;
  mention->thread = g_strdup (THREAD);
  mention->thread_number = 2;
  mention->comment = rl_comment_new ();
  mention->comment->id = g_strdup (COMMENT);
  mention->comment->thread = g_strdup (THREAD);
  mention->comment->author.id = g_strdup ("u2");
  mention->comment->author.name = g_strdup ("Bo");
  mention->comment->body = g_strdup ("@Ana");
  mention->comment->created_at = 1767323045006;
  mention->comment->seq = 5;
  g_ptr_array_add (mention->comment->mentions, rl_mention_new ("u1", 0, 4));
  back = activity_roundtrip (mention, ITEM_HEAD ("1", "mention") ",\"docSeq\":5,\"thread\":\"" THREAD "\","
                                      "\"threadNumber\":2,\"comment\":{\"id\":\"" COMMENT "\",\"thread\":\"" THREAD "\","
                                      "\"author\":{\"id\":\"u2\",\"name\":\"Bo\"},\"body\":\"@Ana\","
                                      "\"createdAt\":\"2026-01-02T03:04:05.006Z\",\"editedAt\":null,\"seq\":5,"
                                      "\"mentions\":[{\"user\":\"u1\",\"start\":0,\"end\":4}]}}");
  g_assert_true (rl_comment_equal (back->comment, mention->comment));
  g_clear_pointer (&back, rl_activity_free);

  resolved->doc_seq = 6;
  resolved->thread = g_strdup (THREAD);
  resolved->resolved = FALSE;
  back = activity_roundtrip (resolved, ITEM_HEAD ("2", "resolved") ",\"docSeq\":6,\"thread\":\"" THREAD "\","
                                       "\"resolved\":false}");
  g_assert_false (back->resolved);
  g_clear_pointer (&back, rl_activity_free);

  revision->doc_seq = 7;
  revision->revision = 2;
  back = activity_roundtrip (revision, ITEM_HEAD ("3", "revision") ",\"docSeq\":7,\"revision\":2}");
  g_assert_cmpint (back->revision, ==, 2);
  g_clear_pointer (&back, rl_activity_free);

  read->seq = 7;
  read->broadcast_id = g_strdup (BID);
  back = activity_roundtrip (read, ITEM_HEAD ("4", "read") ",\"seq\":7,\"broadcastId\":\"" BID "\"}");
  g_assert_null (back->thread);
  g_clear_pointer (&back, rl_activity_free);
  read->thread = g_strdup (THREAD);
  back = activity_roundtrip (read, ITEM_HEAD ("4", "read") ",\"thread\":\"" THREAD "\",\"seq\":7,"
                                   "\"broadcastId\":\"" BID "\"}");
  g_assert_cmpstr (back->thread, ==, THREAD);
}

static void
test_activity_items_strict (void)
{
  const char *bad[] = {
    ITEM_HEAD ("0", "revision") ",\"docSeq\":7,\"revision\":2}",                  /* aseq 0 */
    ITEM_HEAD ("1", "poke") ",\"docSeq\":7}",                                      /* unknown kind */
    ITEM_HEAD ("1", "revision") ",\"revision\":2}",                                /* no docSeq */
    ITEM_HEAD ("1", "revision") ",\"docSeq\":7,\"revision\":0}",                  /* revision 0 */
    ITEM_HEAD ("1", "reply") ",\"docSeq\":7,\"thread\":\"" THREAD "\"}",          /* no comment */
    ITEM_HEAD ("1", "resolved") ",\"docSeq\":7,\"thread\":\"" THREAD "\"}",       /* no resolved */
    ITEM_HEAD ("1", "resolved") ",\"docSeq\":7,\"resolved\":true}",               /* no thread */
    ITEM_HEAD ("1", "resolved") ",\"docSeq\":7,\"thread\":\"" THREAD "\",\"threadNumber\":0,\"resolved\":true}",
    ITEM_HEAD ("1", "read") ",\"seq\":-1,\"broadcastId\":\"" BID "\"}",            /* negative seq */
    ITEM_HEAD ("1", "read") ",\"seq\":1}",                                          /* no broadcastId */
    "{\"type\":\"activity\",\"aseq\":1,\"kind\":\"read\",\"at\":\"2026-01-02T03:04:05.006Z\",\"actor\":{\"id\":\"u\",\"name\":\"U\"},"
    "\"doc\":{\"id\":\"d\",\"title\":\"t\",\"kind\":\"video\"},\"seq\":1,\"broadcastId\":\"" BID "\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RlMessage) message = rl_message_parse (bad[i], strlen (bad[i]), &error);

      g_test_message ("%s", bad[i]);
      g_assert_null (message);
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
    }
}

static void
test_activity_snapshot (void)
{
  g_autoptr(GPtrArray) unread = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_activity_unread_free);
  RlActivityUnread *line = g_new0 (RlActivityUnread, 1);
  g_autoptr(RlActivity) item = new_item (RL_ACTIVITY_REVISION, 3);
  g_autofree char *item_text = NULL;
  g_autofree char *text = NULL;
  g_autofree char *reset = NULL;
  g_autoptr(RlMessage) message = NULL;
  g_autoptr(RlMessage) copy = NULL;
  g_autoptr(GError) error = NULL;
  const char *items[1];
  const char *bad[] = {
    "{\"type\":\"activity-snapshot\",\"aseq\":-1,\"unread\":[],\"items\":[]}",
    "{\"type\":\"activity-snapshot\",\"aseq\":1,\"items\":[]}",
    "{\"type\":\"activity-snapshot\",\"aseq\":1,\"unread\":[{\"doc\":{\"id\":\"d\",\"title\":\"t\",\"kind\":\"page\"},"
    "\"threads\":2,\"comments\":1,\"mentions\":0}],\"items\":[]}",
    "{\"type\":\"activity-snapshot\",\"aseq\":2,\"unread\":[],\"items\":[" ITEM_HEAD ("3", "revision") ",\"docSeq\":7,\"revision\":2}]}",
  };

  line->doc.id = g_strdup (DOC);
  line->doc.title = g_strdup ("Home");
  line->doc.kind = RL_DOC_KIND_IMAGE;
  line->counts.threads = 1;
  line->counts.comments = 3;
  line->counts.mentions = 1;
  g_ptr_array_add (unread, line);
  item->doc_seq = 7;
  item->revision = 2;
  item_text = rl_activity_serialize (item);
  items[0] = item_text;

  text = rl_activity_snapshot_serialize (3, FALSE, unread, items, 1);
  g_assert_cmpstr (text, ==, "{\"type\":\"activity-snapshot\",\"aseq\":3,\"unread\":[{\"doc\":{\"id\":\"" DOC "\","
                             "\"title\":\"Home\",\"kind\":\"image\"},\"threads\":1,\"comments\":3,\"mentions\":1}],"
                             "\"items\":[" ITEM_HEAD ("3", "revision") ",\"docSeq\":7,\"revision\":2}]}");
  message = rl_message_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, RL_MESSAGE_ACTIVITY_SNAPSHOT);
  g_assert_cmpint (message->aseq, ==, 3);
  g_assert_false (message->reset);
  g_assert_cmpuint (message->unread->len, ==, 1);
  g_assert_cmpint (((RlActivityUnread *) g_ptr_array_index (message->unread, 0))->counts.comments, ==, 3);
  g_assert_cmpuint (message->activities->len, ==, 1);
  copy = rl_message_copy (message);
  g_assert_cmpint (((RlActivity *) g_ptr_array_index (copy->activities, 0))->revision, ==, 2);

  reset = rl_activity_snapshot_serialize (9, TRUE, NULL, NULL, 0);
  g_assert_cmpstr (reset, ==, "{\"type\":\"activity-snapshot\",\"aseq\":9,\"reset\":true,\"unread\":[],\"items\":[]}");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(RlMessage) parsed = rl_message_parse (bad[i], strlen (bad[i]), &error);

      g_assert_null (parsed);
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_clear_error (&error);
    }
}

static void
test_acks (void)
{
  g_autoptr(RlReadState) state = rl_read_state_new (4, 1767323045006);
  g_autofree char *read = NULL;
  g_autofree char *aseq = NULL;
  g_autofree char *plain = rl_message_serialize_ack_ok ("p", 3, 0);
  g_autoptr(RlMessage) message = NULL;
  g_autoptr(RlMessage) copy = NULL;
  g_autoptr(GError) error = NULL;
  const RlReadMarker *marker;
  const char *bad[] = {
    "{\"type\":\"ack\",\"req\":null,\"ok\":true,\"aseq\":-2}",
    "{\"type\":\"ack\",\"req\":null,\"ok\":true,\"aseq\":1e3083}",
    "{\"type\":\"ack\",\"req\":null,\"ok\":true,\"aseq\":\"1\"}",
    "{\"type\":\"ack\",\"req\":null,\"ok\":true,\"seq\":3,\"read\":{\"seq\":4,\"threads\":{\"a\":4},"
    "\"since\":\"2026-01-02T03:04:05.006Z\"}}",
    "{\"type\":\"ack\",\"req\":null,\"ok\":true,\"seq\":3,\"read\":{\"seq\":4,\"since\":\"2026-01-02T03:04:05.006Z\"}}",
    "{\"type\":\"ack\",\"req\":null,\"ok\":true,\"seq\":3,\"read\":{\"seq\":4,\"threads\":{\"a\":\"9\"},"
    "\"since\":\"2026-01-02T03:04:05.006Z\"}}",
    /* since: required, and an RFC 3339 time */
    "{\"type\":\"ack\",\"req\":null,\"ok\":true,\"seq\":3,\"read\":{\"seq\":4,\"threads\":{}}}",
    "{\"type\":\"ack\",\"req\":null,\"ok\":true,\"seq\":3,\"read\":{\"seq\":4,\"threads\":{},\"since\":null}}",
    "{\"type\":\"ack\",\"req\":null,\"ok\":true,\"seq\":3,\"read\":{\"seq\":4,\"threads\":{},\"since\":12}}",
    "{\"type\":\"ack\",\"req\":null,\"ok\":true,\"seq\":3,\"read\":{\"seq\":4,\"threads\":{},"
    "\"since\":\"yesterday\"}}",
  };

  rl_read_state_add (state, "b", 9);
  rl_read_state_add (state, "a", 6);
  read = rl_message_serialize_ack_read ("s", 12, state);
  g_assert_cmpstr (read, ==, "{\"type\":\"ack\",\"req\":\"s\",\"ok\":true,\"seq\":12,"
                             "\"read\":{\"seq\":4,\"threads\":{\"a\":6,\"b\":9},"
                             "\"since\":\"2026-01-02T03:04:05.006Z\"}}");
  message = rl_message_parse (read, strlen (read), &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->seq, ==, 12);
  g_assert_cmpint (message->aseq, ==, -1);
  g_assert_cmpint (message->read->seq, ==, 4);
  g_assert_cmpint (message->read->since, ==, 1767323045006);
  g_assert_cmpuint (message->read->threads->len, ==, 2);
  copy = rl_message_copy (message);
  g_assert_cmpint (copy->read->since, ==, 1767323045006);
  marker = g_ptr_array_index (copy->read->threads, 1);
  g_assert_cmpstr (marker->thread, ==, "b");
  g_assert_cmpint (marker->seq, ==, 9);
  g_clear_pointer (&message, rl_message_free);

  aseq = rl_message_serialize_ack_aseq ("a", 0);
  g_assert_cmpstr (aseq, ==, "{\"type\":\"ack\",\"req\":\"a\",\"ok\":true,\"aseq\":0}");
  message = rl_message_parse (aseq, strlen (aseq), &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->aseq, ==, 0);
  g_assert_cmpint (message->seq, ==, -1);
  g_assert_null (message->read);
  g_clear_pointer (&message, rl_message_free);

  message = rl_message_parse (plain, strlen (plain), &error);
  g_assert_no_error (error);
  g_assert_null (message->read);
  g_assert_cmpint (message->aseq, ==, -1);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(RlMessage) parsed = rl_message_parse (bad[i], strlen (bad[i]), &error);

      g_assert_null (parsed);
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_clear_error (&error);
    }
}

/* The unread hint: to the byte, read back, copied; without a document
 * (or not a string) it is refused. */
static void
test_unread_hint (void)
{
  g_autofree char *hint = rl_message_serialize_unread_hint ("d1");
  g_autoptr(GError) error = NULL;
  g_autoptr(RlMessage) message = NULL;
  g_autoptr(RlMessage) copy = NULL;
  const char *bad[] = {
    "{\"type\":\"unread-hint\"}",
    "{\"type\":\"unread-hint\",\"doc\":null}",
    "{\"type\":\"unread-hint\",\"doc\":7}",
    "{\"type\":\"unread-hint\",\"doc\":[\"d1\"]}",
  };

  g_assert_cmpstr (hint, ==, "{\"type\":\"unread-hint\",\"doc\":\"d1\"}");
  message = rl_message_parse (hint, strlen (hint), &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, RL_MESSAGE_UNREAD_HINT);
  g_assert_cmpstr (message->doc, ==, "d1");
  copy = rl_message_copy (message);
  g_assert_cmpint (copy->type, ==, RL_MESSAGE_UNREAD_HINT);
  g_assert_cmpstr (copy->doc, ==, "d1");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(RlMessage) parsed = rl_message_parse (bad[i], strlen (bad[i]), &error);

      g_assert_null (parsed);
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_clear_error (&error);
    }
}

static void
test_documents_unread_and_members (void)
{
  const char *doc_text = "{\"id\":\"d\",\"kind\":\"page\",\"title\":\"t\",\"mime\":\"text/plain\",\"size\":1,"
                         "\"createdAt\":\"2026-01-02T03:04:05.006Z\",\"createdBy\":{\"id\":\"u\",\"name\":\"U\"},"
                         "\"unread\":{\"threads\":1,\"comments\":2,\"mentions\":1}}";
  const char *members_text = "[{\"id\":\"u1\",\"name\":\"Ana\",\"role\":\"admin\"},{\"id\":\"u2\",\"name\":\"Bo\",\"role\":\"viewer\"}]";
  g_autoptr(JsonNode) node = rl_json_parse (doc_text, strlen (doc_text), NULL);
  g_autoptr(JsonNode) members_node = rl_json_parse (members_text, strlen (members_text), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocument) doc = rl_document_from_json (node, &error);
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autofree char *members_again = NULL;
  const char *bad_unread[] = {
    "{\"threads\":2,\"comments\":1,\"mentions\":0}",
    "{\"threads\":0,\"comments\":1,\"mentions\":2}",
    "{\"threads\":-1,\"comments\":1,\"mentions\":0}",
    "{\"threads\":1,\"comments\":1}",
  };

  g_assert_no_error (error);
  g_assert_true (doc->has_unread);
  g_assert_cmpint (doc->unread.comments, ==, 2);
  again = rl_document_to_json (doc);
  text = rl_json_to_string (again, NULL);
  g_assert_cmpstr (text, ==, doc_text);

  for (guint i = 0; i < G_N_ELEMENTS (bad_unread); i++)
    {
      g_autoptr(JsonNode) bad = rl_json_parse (bad_unread[i], strlen (bad_unread[i]), NULL);
      RlUnreadCounts counts;

      g_assert_false (rl_unread_counts_from_json (bad, &counts, &error));
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
      g_clear_error (&error);
    }

  members = rl_members_from_json (members_node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, 2);
  g_assert_cmpint (((RlMember *) g_ptr_array_index (members, 1))->role, ==, RL_ROLE_VIEWER);
  members_again = rl_members_body_serialize (members);
  g_assert_cmpstr (members_again, ==, members_text);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/activity/mentions/parse", test_mentions_parse);
  g_test_add_func ("/activity/mentions/strict", test_mentions_strict);
  g_test_add_func ("/activity/mark-read", test_mark_read);
  g_test_add_func ("/activity/subscribe-activity", test_subscribe_activity);
  g_test_add_func ("/activity/comment-seq-mentions", test_comment_seq_mentions);
  g_test_add_func ("/activity/event-mentions", test_event_mentions);
  g_test_add_func ("/activity/items", test_activity_items);
  g_test_add_func ("/activity/items-strict", test_activity_items_strict);
  g_test_add_func ("/activity/snapshot", test_activity_snapshot);
  g_test_add_func ("/activity/acks", test_acks);
  g_test_add_func ("/activity/documents-and-members", test_documents_unread_and_members);
  g_test_add_func ("/activity/unread-hint", test_unread_hint);

  return g_test_run ();
}
