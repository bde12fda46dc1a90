/* test-event.c — the event a request produces (rl_event_new_for_request)
 *
 * The server commits this event and the client shows it until the echo, so
 * its wire form is asserted to the byte for every request type.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-codec.h"

#define DOC        "doc1"
#define BROADCAST  "0f8fad5b-d9cb-469f-a165-70867728950e"
#define THREAD     "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define COMMENT    "16fd2706-8baf-433b-82eb-8c7fada847da"
#define NOW        1764000000123
#define NOW_TEXT   "2025-11-24T16:00:00.123Z"
#define EARLIER    1763000000000

/* An event's members before its own, and Ada as a person. */
#define HEAD(type) "{\"type\":\"" type "\",\"doc\":\"doc1\",\"seq\":0,\"broadcastId\":\"" BROADCAST "\","
#define ADA        "{\"id\":\"u1\",\"name\":\"Ada\"}"

static const RlPerson ada = { (char *) "u1", (char *) "Ada" };

static RlRequest *
new_request (RlRequestType type)
{
  RlRequest *request = rl_request_new (type);

  request->broadcast_id = g_strdup (BROADCAST);
  request->doc = g_strdup (DOC);
  request->thread_id = g_strdup (THREAD);
  return request;
}

/* A create-thread at the image's middle, its first comment saying body. */
static RlRequest *
new_create_request (const char *body)
{
  RlRequest *request = new_request (RL_REQUEST_CREATE_THREAD);

  request->comment_id = g_strdup (COMMENT);
  request->body = g_strdup (body);
  request->has_anchor = TRUE;
  request->anchor.kind = RL_DOC_KIND_IMAGE;
  request->anchor.x = 0.5;
  request->anchor.y = 0.5;
  return request;
}

static RlEventContext
context_at_now (RlDocKind doc_kind)
{
  RlEventContext context = { doc_kind, DOC, &ada, NOW, 0, NULL };

  return context;
}

static void
assert_event_is (const RlRequest      *request,
                 const RlEventContext *context,
                 const char           *expected)
{
  g_autoptr(RlEvent) event = rl_event_new_for_request (request, context);
  g_autofree char *text = NULL;

  g_assert_nonnull (event);
  g_assert_cmpint (event->seq, ==, 0);
  text = rl_event_serialize (event);
  g_assert_cmpstr (text, ==, expected);
}

/* The created thread's event, its number member (or none) given. */
#define CREATED(number) \
  HEAD ("new-image-chat") \
  "\"thread\":{\"id\":\"" THREAD "\",\"doc\":\"doc1\"," number \
  "\"anchor\":{\"x\":0.5,\"y\":0.25},\"resolved\":false," \
  "\"createdBy\":" ADA "," \
  "\"createdAt\":\"" NOW_TEXT "\",\"updatedAt\":\"" NOW_TEXT "\"," \
  "\"comments\":[{\"id\":\"" COMMENT "\",\"thread\":\"" THREAD "\"," \
  "\"author\":" ADA ",\"body\":\"Tighter here\"," \
  "\"createdAt\":\"" NOW_TEXT "\",\"editedAt\":null}]}}"

static void
test_create_thread (void)
{
  g_autoptr(RlRequest) request = new_request (RL_REQUEST_CREATE_THREAD);
  RlEventContext context = context_at_now (RL_DOC_KIND_IMAGE);

  request->comment_id = g_strdup (COMMENT);
  request->body = g_strdup ("Tighter here");
  request->has_anchor = TRUE;
  request->anchor.kind = RL_DOC_KIND_IMAGE;
  request->anchor.x = 0.5;
  request->anchor.y = 0.25;

  /* The server numbers the thread; the client's prediction has no number. */
  context.number = 7;
  assert_event_is (request, &context, CREATED ("\"number\":7,"));
  context.number = 0;
  assert_event_is (request, &context, CREATED (""));
}

static void
test_add_comment (void)
{
  g_autoptr(RlRequest) request = new_request (RL_REQUEST_ADD_COMMENT);
  RlEventContext context = context_at_now (RL_DOC_KIND_PAGE);

  request->comment_id = g_strdup (COMMENT);
  request->body = g_strdup ("Agreed");
  assert_event_is (request, &context,
                   HEAD ("updated-text-chat")
                   "\"thread\":\"" THREAD "\",\"change\":{\"kind\":\"comment-added\","
                   "\"comment\":{\"id\":\"" COMMENT "\",\"thread\":\"" THREAD "\","
                   "\"author\":" ADA ",\"body\":\"Agreed\","
                   "\"createdAt\":\"" NOW_TEXT "\",\"editedAt\":null}}}");
}

static void
test_edit_comment (void)
{
  g_autoptr(RlRequest) request = new_request (RL_REQUEST_EDIT_COMMENT);
  g_autoptr(RlComment) old = rl_comment_new ();
  RlEventContext context = context_at_now (RL_DOC_KIND_IMAGE);

  request->comment_id = g_strdup (COMMENT);
  request->body = g_strdup ("Looser here");

  /* The comment as it stands keeps its author and time; body and editedAt
   * are the edit's. An admin editing someone else's: the author stays. */
  old->id = g_strdup (COMMENT);
  old->thread = g_strdup (THREAD);
  old->author.id = g_strdup ("u2");
  old->author.name = g_strdup ("Ola");
  old->body = g_strdup ("Tighter here");
  old->created_at = EARLIER;
  context.comment = old;
  assert_event_is (request, &context,
                   HEAD ("image-chat-updated")
                   "\"thread\":\"" THREAD "\",\"change\":{\"kind\":\"comment-edited\","
                   "\"comment\":{\"id\":\"" COMMENT "\",\"thread\":\"" THREAD "\","
                   "\"author\":{\"id\":\"u2\",\"name\":\"Ola\"},\"body\":\"Looser here\","
                   "\"createdAt\":\"2025-11-13T02:13:20.000Z\",\"editedAt\":\"" NOW_TEXT "\"}}}");
  g_assert_cmpstr (old->body, ==, "Tighter here");
  g_assert_cmpint (old->edited_at, ==, 0);

  /* Not known (not shown yet): made from the request, by the editor. */
  context.comment = NULL;
  assert_event_is (request, &context,
                   HEAD ("image-chat-updated")
                   "\"thread\":\"" THREAD "\",\"change\":{\"kind\":\"comment-edited\","
                   "\"comment\":{\"id\":\"" COMMENT "\",\"thread\":\"" THREAD "\","
                   "\"author\":" ADA ",\"body\":\"Looser here\","
                   "\"createdAt\":\"" NOW_TEXT "\",\"editedAt\":\"" NOW_TEXT "\"}}}");
}

static void
test_delete_comment (void)
{
  g_autoptr(RlRequest) request = new_request (RL_REQUEST_DELETE_COMMENT);
  RlEventContext context = context_at_now (RL_DOC_KIND_PAGE);

  request->comment_id = g_strdup (COMMENT);
  assert_event_is (request, &context,
                   HEAD ("updated-text-chat")
                   "\"thread\":\"" THREAD "\",\"change\":{\"kind\":\"comment-deleted\","
                   "\"comment\":\"" COMMENT "\"}}");
}

static void
test_resolve_thread (void)
{
  g_autoptr(RlRequest) request = new_request (RL_REQUEST_RESOLVE_THREAD);
  RlEventContext context = context_at_now (RL_DOC_KIND_IMAGE);

  request->resolved = TRUE;
  assert_event_is (request, &context,
                   HEAD ("image-chat-updated")
                   "\"thread\":\"" THREAD "\",\"change\":{\"kind\":\"resolved\",\"resolved\":true,"
                   "\"by\":" ADA "}}");
  request->resolved = FALSE;
  assert_event_is (request, &context,
                   HEAD ("image-chat-updated")
                   "\"thread\":\"" THREAD "\",\"change\":{\"kind\":\"resolved\",\"resolved\":false,"
                   "\"by\":" ADA "}}");
}

static void
test_move_thread (void)
{
  g_autoptr(RlRequest) request = new_request (RL_REQUEST_MOVE_THREAD);
  RlEventContext context = context_at_now (RL_DOC_KIND_PAGE);

  request->has_anchor = TRUE;
  request->anchor.kind = RL_DOC_KIND_PAGE;
  request->anchor.start = 4;
  request->anchor.end = 9;
  request->anchor.exact = g_strdup ("quick");
  request->anchor.prefix = g_strdup ("the ");
  request->anchor.suffix = g_strdup (" fox");
  assert_event_is (request, &context,
                   HEAD ("updated-text-chat")
                   "\"thread\":\"" THREAD "\",\"change\":{\"kind\":\"moved\","
                   "\"anchor\":{\"start\":4,\"end\":9,\"exact\":\"quick\",\"prefix\":\"the \",\"suffix\":\" fox\"}}}");
}

static void
test_delete_thread (void)
{
  g_autoptr(RlRequest) request = new_request (RL_REQUEST_DELETE_THREAD);
  RlEventContext context = context_at_now (RL_DOC_KIND_PAGE);

  assert_event_is (request, &context,
                   HEAD ("deleted-text-chat")
                   "\"thread\":\"" THREAD "\"}");
}

/* A client that has not been welcomed yet knows no one: nothing made up. */
static void
test_nobody (void)
{
  g_autoptr(RlRequest) create = new_create_request ("Hi");
  g_autoptr(RlRequest) resolve = new_request (RL_REQUEST_RESOLVE_THREAD);
  g_autoptr(RlEvent) created = NULL;
  g_autoptr(RlEvent) resolved = NULL;
  RlEventContext context = context_at_now (RL_DOC_KIND_IMAGE);
  RlComment *first;

  context.by = NULL;
  created = rl_event_new_for_request (create, &context);
  resolved = rl_event_new_for_request (resolve, &context);

  g_assert_null (created->thread->created_by.id);
  first = g_ptr_array_index (created->thread->comments, 0);
  g_assert_null (first->author.id);
  g_assert_null (resolved->by.id);
  g_assert_null (resolved->by.name);
}

/* Each event made from a request applies to the state it was made for,
 * and the result is what the request asked for. */
static void
test_applies (void)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  RlRequestType types[] = {
    RL_REQUEST_CREATE_THREAD, RL_REQUEST_ADD_COMMENT, RL_REQUEST_EDIT_COMMENT,
    RL_REQUEST_RESOLVE_THREAD, RL_REQUEST_MOVE_THREAD, RL_REQUEST_DELETE_COMMENT,
  };
  const char *second = "a5a0ad8e-0a4b-4c5e-9f5e-2f3c0f7e1d2a";
  RlThread *thread;
  RlComment *comment;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(RlRequest) request = new_request (types[i]);
      g_autoptr(RlEvent) event = NULL;
      RlEventContext context = context_at_now (RL_DOC_KIND_IMAGE);

      request->has_anchor = TRUE;
      request->anchor.kind = RL_DOC_KIND_IMAGE;
      request->anchor.x = types[i] == RL_REQUEST_MOVE_THREAD ? 0.75 : 0.5;
      request->anchor.y = 0.5;
      request->resolved = TRUE;
      request->comment_id = g_strdup (types[i] == RL_REQUEST_CREATE_THREAD ? COMMENT : second);
      request->body = g_strdup (types[i] == RL_REQUEST_EDIT_COMMENT ? "edited" : "said");
      context.number = 3;
      if (threads->len > 0)
        context.comment = rl_thread_find_comment (g_ptr_array_index (threads, 0), request->comment_id, NULL);
      event = rl_event_new_for_request (request, &context);
      g_assert_true (rl_event_apply (event, threads));
    }

  g_assert_cmpuint (threads->len, ==, 1);
  thread = g_ptr_array_index (threads, 0);
  g_assert_cmpstr (thread->id, ==, THREAD);
  g_assert_cmpint (thread->number, ==, 3);
  g_assert_true (thread->resolved);
  g_assert_cmpfloat (thread->anchor.x, ==, 0.75);
  g_assert_cmpuint (thread->comments->len, ==, 1);
  comment = g_ptr_array_index (thread->comments, 0);
  g_assert_cmpstr (comment->id, ==, COMMENT);
  g_assert_cmpstr (comment->body, ==, "said");

  {
    g_autoptr(RlRequest) request = new_request (RL_REQUEST_DELETE_THREAD);
    RlEventContext context = context_at_now (RL_DOC_KIND_IMAGE);
    g_autoptr(RlEvent) event = rl_event_new_for_request (request, &context);

    g_assert_true (rl_event_apply (event, threads));
    g_assert_cmpuint (threads->len, ==, 0);
  }
}

/* An edit keeps what it does not change: the comment's author and creation. */
static void
test_edit_applies_to_its_comment (void)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  g_autoptr(RlRequest) create = new_create_request ("first");
  g_autoptr(RlRequest) edit = new_request (RL_REQUEST_EDIT_COMMENT);
  g_autoptr(RlEvent) created = NULL;
  g_autoptr(RlEvent) edited = NULL;
  RlEventContext context = context_at_now (RL_DOC_KIND_IMAGE);
  RlComment *comment;

  created = rl_event_new_for_request (create, &context);
  g_assert_true (rl_event_apply (created, threads));

  edit->comment_id = g_strdup (COMMENT);
  edit->body = g_strdup ("second");
  context.now = NOW + 1000;
  context.comment = rl_thread_find_comment (g_ptr_array_index (threads, 0), COMMENT, NULL);
  edited = rl_event_new_for_request (edit, &context);
  g_assert_true (rl_event_apply (edited, threads));

  comment = g_ptr_array_index (((RlThread *) g_ptr_array_index (threads, 0))->comments, 0);
  g_assert_cmpstr (comment->body, ==, "second");
  g_assert_cmpint (comment->created_at, ==, NOW);
  g_assert_cmpint (comment->edited_at, ==, NOW + 1000);
}

/* The boxed type's copy (what a signal's GValue holds) is the event to
 * the byte, and owns what it holds: it outlives the original. */
static void
assert_copy_is_equal (RlEvent *event)
{
  g_autofree char *expected = rl_event_serialize (event);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *text = NULL;

  g_value_init (&value, RL_TYPE_EVENT);
  g_value_set_boxed (&value, event);
  g_assert_true (g_value_get_boxed (&value) != event);
  rl_event_free (event);
  text = rl_event_serialize (g_value_get_boxed (&value));
  g_assert_cmpstr (text, ==, expected);
}

static void
test_copy (void)
{
  RlEventContext context = context_at_now (RL_DOC_KIND_IMAGE);
  g_autoptr(RlRequest) create = new_create_request ("Tighter here");
  g_autoptr(RlRequest) add = new_request (RL_REQUEST_ADD_COMMENT);
  g_autoptr(RlRequest) resolve = new_request (RL_REQUEST_RESOLVE_THREAD);
  g_autoptr(RlRequest) move = new_request (RL_REQUEST_MOVE_THREAD);
  g_autoptr(RlRequest) delete_comment = new_request (RL_REQUEST_DELETE_COMMENT);

  add->comment_id = g_strdup (COMMENT);
  add->body = g_strdup ("Agreed");
  resolve->resolved = TRUE;
  move->has_anchor = TRUE;
  move->anchor.kind = RL_DOC_KIND_PAGE;
  move->anchor.start = 3;
  move->anchor.end = 9;
  move->anchor.exact = g_strdup ("moved");
  move->anchor.prefix = g_strdup ("be ");
  move->anchor.suffix = g_strdup (" here");
  delete_comment->comment_id = g_strdup (COMMENT);
  assert_copy_is_equal (rl_event_new_for_request (create, &context));
  assert_copy_is_equal (rl_event_new_for_request (add, &context));
  assert_copy_is_equal (rl_event_new_for_request (resolve, &context));
  context.doc_kind = RL_DOC_KIND_PAGE;
  assert_copy_is_equal (rl_event_new_for_request (move, &context));
  assert_copy_is_equal (rl_event_new_for_request (delete_comment, &context));
}

/* Signals carry the request type as a registered enum; its nicks are the
 * wire's request names. */
static void
test_request_type_enum (void)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (RL_TYPE_REQUEST_TYPE);

  g_assert_cmpuint (enum_class->n_values, ==, RL_REQUEST_UNSUBSCRIBE_ACTIVITY + 1);
  g_assert_cmpstr (g_enum_get_value (enum_class, RL_REQUEST_CREATE_THREAD)->value_nick, ==, "create-thread");
  g_assert_cmpstr (g_enum_get_value (enum_class, RL_REQUEST_DELETE_THREAD)->value_nick, ==, "delete-thread");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/event/for-request/create-thread", test_create_thread);
  g_test_add_func ("/event/for-request/add-comment", test_add_comment);
  g_test_add_func ("/event/for-request/edit-comment", test_edit_comment);
  g_test_add_func ("/event/for-request/delete-comment", test_delete_comment);
  g_test_add_func ("/event/for-request/resolve-thread", test_resolve_thread);
  g_test_add_func ("/event/for-request/move-thread", test_move_thread);
  g_test_add_func ("/event/for-request/delete-thread", test_delete_thread);
  g_test_add_func ("/event/for-request/nobody", test_nobody);
  g_test_add_func ("/event/for-request/applies", test_applies);
  g_test_add_func ("/event/for-request/edit-applies", test_edit_applies_to_its_comment);
  g_test_add_func ("/event/copy", test_copy);
  g_test_add_func ("/event/request-type-enum", test_request_type_enum);

  return g_test_run ();
}
