/* test-revisions.c — protocol 1.1's additions, in the shared library
 *
 * Revisions, a thread's placements on them, the revision-added event,
 * place-thread and the revision a create or move names
 * (docs/protocol.md, "Revisions"): their wire form to the byte, what the
 * parser refuses, and what applying the events does to a thread list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-codec.h"

#define DOC        "doc1"
#define BROADCAST  "0f8fad5b-d9cb-469f-a165-70867728950e"
#define THREAD     "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define THREAD2    "a5a0ad8e-0a4b-4c5e-9f5e-2f3c0f7e1d2a"
#define COMMENT    "16fd2706-8baf-433b-82eb-8c7fada847da"
#define NOW        1764000000123
#define NOW_TEXT   "2025-11-24T16:00:00.123Z"
#define ADA        "{\"id\":\"u1\",\"name\":\"Ada\"}"

static const RlPerson ada = { (char *) "u1", (char *) "Ada" };

static RlRevision *
new_revision (gint64 number)
{
  RlRevision *revision = g_new0 (RlRevision, 1);

  revision->revision = number;
  revision->mime = g_strdup ("image/png");
  revision->size = 48213;
  revision->width = 1440;
  revision->height = 900;
  revision->etag = g_strdup ("\"abc\"");
  revision->created_at = NOW;
  rl_person_copy_into (&revision->created_by, &ada);
  return revision;
}

static RlRevisionAnchor *
image_placement (gint64            revision,
                 RlPlacementStatus status,
                 double            x,
                 double            y,
                 double            score)
{
  RlRevisionAnchor *placement = rl_revision_anchor_new ();

  placement->revision = revision;
  placement->status = status;
  placement->score = score;
  if (status != RL_PLACEMENT_ORPHANED)
    {
      placement->anchor.kind = RL_DOC_KIND_IMAGE;
      placement->anchor.x = x;
      placement->anchor.y = y;
    }
  return placement;
}

/* A thread made on revision 1 at (0.5, 0.25), one comment, as the server
 * sends it: with its revision and its placement there. */
static RlThread *
new_thread (const char *id)
{
  g_autoptr(RlEvent) event = NULL;
  g_autoptr(RlRequest) request = rl_request_new (RL_REQUEST_CREATE_THREAD);
  RlEventContext context = { RL_DOC_KIND_IMAGE, DOC, &ada, NOW, 1, NULL, 1, NULL };

  request->broadcast_id = g_strdup (BROADCAST);
  request->doc = g_strdup (DOC);
  request->thread_id = g_strdup (id);
  request->comment_id = g_strdup (COMMENT);
  request->body = g_strdup ("Tighter here");
  request->has_anchor = TRUE;
  request->anchor.kind = RL_DOC_KIND_IMAGE;
  request->anchor.x = 0.5;
  request->anchor.y = 0.25;
  event = rl_event_new_for_request (request, &context);
  return rl_thread_ref (event->thread);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = rl_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return node;
}

static void
test_revision_json (void)
{
  g_autoptr(RlRevision) revision = new_revision (2);
  g_autoptr(JsonNode) node = rl_revision_to_json (revision, RL_DOC_KIND_IMAGE);
  g_autofree char *text = rl_json_to_string (node, NULL);
  g_autoptr(RlRevision) again = NULL;
  g_autoptr(GError) error = NULL;
  const char *bad[] = {
    "{\"revision\":0,\"mime\":\"image/png\",\"size\":1,\"width\":1,\"height\":1,\"etag\":\"e\",\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA "}",
    "{\"revision\":1.5,\"mime\":\"image/png\",\"size\":1,\"width\":1,\"height\":1,\"etag\":\"e\",\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA "}",
    "{\"revision\":1,\"mime\":\"text/plain\",\"size\":1,\"width\":1,\"height\":1,\"etag\":\"e\",\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA "}",
    "{\"revision\":1,\"mime\":\"image/png\",\"size\":-1,\"width\":1,\"height\":1,\"etag\":\"e\",\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA "}",
    "{\"revision\":1,\"mime\":\"image/png\",\"size\":1,\"width\":0,\"height\":1,\"etag\":\"e\",\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA "}",
    "{\"revision\":1,\"mime\":\"image/png\",\"size\":1,\"width\":1,\"height\":1,\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA "}",
  };

  g_assert_cmpstr (text, ==,
                   "{\"revision\":2,\"mime\":\"image/png\",\"size\":48213,\"width\":1440,\"height\":900,"
                   "\"etag\":\"\\\"abc\\\"\",\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA "}");
  again = rl_revision_from_json (node, RL_DOC_KIND_IMAGE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->revision, ==, 2);
  g_assert_cmpstr (again->mime, ==, "image/png");
  g_assert_cmpint (again->width, ==, 1440);
  g_assert_cmpstr (again->created_by.name, ==, "Ada");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) bad_node = parse (bad[i]);
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(RlRevision) refused = rl_revision_from_json (bad_node, RL_DOC_KIND_IMAGE, &bad_error);

      g_assert_null (refused);
      g_assert_error (bad_error, RL_ERROR, RL_ERROR_BAD_REQUEST);
    }
}

static void
test_placement_json (void)
{
  g_autoptr(RlRevisionAnchor) moved = image_placement (2, RL_PLACEMENT_MOVED, 0.25, 0.625, 0.9375);
  g_autoptr(RlRevisionAnchor) orphaned = image_placement (3, RL_PLACEMENT_ORPHANED, 0, 0, 0);
  g_autoptr(JsonNode) moved_node = rl_revision_anchor_to_json (moved, THREAD);
  g_autoptr(JsonNode) orphaned_node = rl_revision_anchor_to_json (orphaned, NULL);
  g_autofree char *moved_text = rl_json_to_string (moved_node, NULL);
  g_autofree char *orphaned_text = rl_json_to_string (orphaned_node, NULL);
  g_autoptr(RlRevisionAnchor) again = NULL;
  g_autoptr(GError) error = NULL;
  const char *bad[] = {
    "{\"revision\":2,\"anchor\":{\"x\":0.1,\"y\":0.1},\"status\":\"lost\"}",
    "{\"revision\":2,\"anchor\":{\"x\":0.1,\"y\":0.1},\"status\":\"orphaned\"}",
    "{\"revision\":2,\"anchor\":null,\"status\":\"moved\"}",
    "{\"revision\":2,\"anchor\":{\"x\":0.1,\"y\":0.1},\"status\":\"changed\",\"score\":1.5}",
    "{\"revision\":2,\"anchor\":{\"x\":0.1,\"y\":0.1},\"status\":\"changed\",\"score\":\"high\"}",
    "{\"revision\":0,\"anchor\":{\"x\":0.1,\"y\":0.1},\"status\":\"exact\"}",
    "{\"revision\":2,\"anchor\":{\"x\":0.1,\"y\":0.1},\"status\":\"exact\",\"by\":{\"id\":7}}",
    "{\"revision\":2,\"anchor\":{\"x\":1.1,\"y\":0.1},\"status\":\"exact\"}",
  };

  /* Only moved and changed say a score; an orphan's anchor is null. */
  g_assert_cmpstr (moved_text, ==,
                   "{\"thread\":\"" THREAD "\",\"revision\":2,\"anchor\":{\"x\":0.25,\"y\":0.625},"
                   "\"status\":\"moved\",\"score\":0.9375}");
  g_assert_cmpstr (orphaned_text, ==, "{\"revision\":3,\"anchor\":null,\"status\":\"orphaned\"}");

  again = rl_revision_anchor_from_json (moved_node, &error);
  g_assert_no_error (error);
  g_assert_true (rl_revision_anchor_equal (again, moved));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) bad_node = parse (bad[i]);
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(RlRevisionAnchor) refused = rl_revision_anchor_from_json (bad_node, &bad_error);

      g_assert_null (refused);
      g_assert_error (bad_error, RL_ERROR, RL_ERROR_BAD_REQUEST);
    }
}

/* A 1.1 server's thread carries its revision and placements; a v1
 * server's neither, and both read. Placements must run one per revision
 * from the thread's own. */
static void
test_thread_placements (void)
{
  g_autoptr(RlThread) thread = new_thread (THREAD);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(RlThread) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *head = "{\"id\":\"" THREAD "\",\"doc\":\"doc1\",\"anchor\":{\"x\":0.5,\"y\":0.25},\"resolved\":false,"
                     "\"createdBy\":" ADA ",\"createdAt\":\"" NOW_TEXT "\",\"updatedAt\":\"" NOW_TEXT "\","
                     "\"comments\":[]";
  const char *bad_tails[] = {
    ",\"revision\":1}",
    ",\"placements\":[]}",
    ",\"revision\":1,\"placements\":[]}",
    ",\"revision\":2,\"placements\":[{\"revision\":1,\"anchor\":{\"x\":0.5,\"y\":0.25},\"status\":\"exact\"}]}",
    ",\"revision\":1,\"placements\":[{\"revision\":1,\"anchor\":{\"x\":0.5,\"y\":0.25},\"status\":\"exact\"},"
      "{\"revision\":3,\"anchor\":null,\"status\":\"orphaned\"}]}",
    ",\"revision\":1,\"placements\":[{\"revision\":1,\"anchor\":{\"start\":0,\"end\":1,\"exact\":\"a\"},\"status\":\"exact\"}]}",
  };

  g_ptr_array_add (thread->placements, image_placement (2, RL_PLACEMENT_CHANGED, 0.5, 0.3125, 0.75));
  g_ptr_array_add (thread->placements, image_placement (3, RL_PLACEMENT_ORPHANED, 0, 0, 0));
  node = rl_thread_to_json (thread);
  text = rl_json_to_string (node, NULL);
  g_assert_nonnull (strstr (text, "\"revision\":1,\"placements\":[{\"revision\":1,\"anchor\":{\"x\":0.5,\"y\":0.25},"
                                  "\"status\":\"exact\"},{\"revision\":2,\"anchor\":{\"x\":0.5,\"y\":0.3125},"
                                  "\"status\":\"changed\",\"score\":0.75},{\"revision\":3,\"anchor\":null,"
                                  "\"status\":\"orphaned\"}]}"));
  again = rl_thread_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_true (rl_thread_equal (again, thread));
  g_assert_cmpint (again->revision, ==, 1);
  g_assert_cmpuint (again->placements->len, ==, 3);
  g_assert_nonnull (rl_thread_get_placement (again, 2));
  g_assert_cmpint (rl_thread_get_placement (again, 2)->status, ==, RL_PLACEMENT_CHANGED);
  g_assert_null (rl_thread_get_placement (again, 4));

  /* A v1 server's thread: no revision, no placements. */
  {
    g_autofree char *v1 = g_strconcat (head, "}", NULL);
    g_autoptr(JsonNode) v1_node = parse (v1);
    g_autoptr(RlThread) v1_thread = rl_thread_from_json (v1_node, &error);

    g_assert_no_error (error);
    g_assert_cmpint (v1_thread->revision, ==, 0);
    g_assert_cmpuint (v1_thread->placements->len, ==, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad_tails); i++)
    {
      g_autofree char *bad = g_strconcat (head, bad_tails[i], NULL);
      g_autoptr(JsonNode) bad_node = parse (bad);
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(RlThread) refused = rl_thread_from_json (bad_node, &bad_error);

      g_assert_null (refused);
      g_assert_error (bad_error, RL_ERROR, RL_ERROR_BAD_REQUEST);
    }
}

static void
test_requests (void)
{
  const char *place =
    "{\"type\":\"place-thread\",\"req\":\"r1\",\"broadcastId\":\"" BROADCAST "\",\"doc\":\"doc1\","
    "\"thread\":\"" THREAD "\",\"revision\":3}";
  const char *place_at =
    "{\"type\":\"place-thread\",\"broadcastId\":\"" BROADCAST "\",\"doc\":\"doc1\","
    "\"thread\":\"" THREAD "\",\"anchor\":{\"x\":0.125,\"y\":0.5},\"revision\":3}";
  const char *create =
    "{\"type\":\"create-thread\",\"broadcastId\":\"" BROADCAST "\",\"doc\":\"doc1\","
    "\"thread\":{\"id\":\"" THREAD "\",\"anchor\":{\"x\":0.5,\"y\":0.5}},"
    "\"comment\":{\"id\":\"" COMMENT "\",\"body\":\"Hi\"},\"revision\":2}";
  const char *bad[] = {
    /* place-thread must name its revision, a positive integer */
    "{\"type\":\"place-thread\",\"broadcastId\":\"" BROADCAST "\",\"doc\":\"doc1\",\"thread\":\"" THREAD "\"}",
    "{\"type\":\"place-thread\",\"broadcastId\":\"" BROADCAST "\",\"doc\":\"doc1\",\"thread\":\"" THREAD "\",\"revision\":0}",
    "{\"type\":\"place-thread\",\"broadcastId\":\"" BROADCAST "\",\"doc\":\"doc1\",\"thread\":\"" THREAD "\",\"revision\":\"3\"}",
    "{\"type\":\"place-thread\",\"doc\":\"doc1\",\"thread\":\"" THREAD "\",\"revision\":3}",
    "{\"type\":\"place-thread\",\"broadcastId\":\"" BROADCAST "\",\"doc\":\"doc1\",\"thread\":\"" THREAD "\",\"revision\":3,"
      "\"anchor\":{\"x\":2,\"y\":0}}",
    "{\"type\":\"move-thread\",\"broadcastId\":\"" BROADCAST "\",\"doc\":\"doc1\",\"thread\":\"" THREAD "\","
      "\"anchor\":{\"x\":0.5,\"y\":0.5},\"revision\":-1}",
  };
  const char *texts[] = { place, place_at, create };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RlRequest) request = rl_request_parse (texts[i], strlen (texts[i]), NULL, &error);
      g_autofree char *again = NULL;

      g_assert_no_error (error);
      again = rl_request_serialize (request);
      g_assert_cmpstr (again, ==, texts[i]);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RlRequest) request = rl_request_parse (place, strlen (place), NULL, &error);

    g_assert_cmpint (request->type, ==, RL_REQUEST_PLACE_THREAD);
    g_assert_cmpint (request->revision, ==, 3);
    g_assert_false (request->has_anchor);
    g_assert_true (rl_request_type_is_mutation (request->type));
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RlRequest) request = rl_request_parse (bad[i], strlen (bad[i]), NULL, &error);

      g_assert_null (request);
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
    }
}

static RlEvent *
new_revision_added (void)
{
  RlEvent *event = rl_event_new (RL_EVENT_REVISION_ADDED, RL_DOC_KIND_IMAGE);
  g_autoptr(RlRevisionAnchor) moved = image_placement (2, RL_PLACEMENT_MOVED, 0.5, 0.375, 0.875);
  g_autoptr(RlRevisionAnchor) orphaned = image_placement (2, RL_PLACEMENT_ORPHANED, 0, 0, 0);

  event->doc = g_strdup (DOC);
  event->seq = 5;
  event->broadcast_id = g_strdup (BROADCAST);
  event->added = new_revision (2);
  rl_event_add_placement (event, THREAD, moved);
  rl_event_add_placement (event, THREAD2, orphaned);
  return event;
}

/* revision-added to the byte, read back, and applied: every thread gets
 * its placement on the new revision; its v1 anchor follows unless the
 * thread is orphaned there (it keeps its last one). */
static void
test_revision_added (void)
{
  g_autoptr(RlEvent) event = new_revision_added ();
  g_autofree char *text = rl_event_serialize (event);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlMessage) message = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  g_autoptr(RlEvent) copy = NULL;
  RlThread *first, *second;

  g_assert_cmpstr (text, ==,
                   "{\"type\":\"revision-added\",\"doc\":\"doc1\",\"seq\":5,\"broadcastId\":\"" BROADCAST "\","
                   "\"revision\":{\"revision\":2,\"mime\":\"image/png\",\"size\":48213,\"width\":1440,\"height\":900,"
                   "\"etag\":\"\\\"abc\\\"\",\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA "},"
                   "\"placements\":[{\"thread\":\"" THREAD "\",\"revision\":2,\"anchor\":{\"x\":0.5,\"y\":0.375},"
                   "\"status\":\"moved\",\"score\":0.875},{\"thread\":\"" THREAD2 "\",\"revision\":2,"
                   "\"anchor\":null,\"status\":\"orphaned\"}]}");

  message = rl_message_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, RL_MESSAGE_EVENT);
  g_assert_cmpint (message->event->kind, ==, RL_EVENT_REVISION_ADDED);
  g_assert_cmpint (message->seq, ==, 5);
  g_assert_cmpint (message->event->added->revision, ==, 2);
  g_assert_cmpuint (message->event->placements->len, ==, 2);
  copy = rl_event_copy (message->event);
  g_free (text);
  text = rl_event_serialize (copy);
  g_assert_nonnull (strstr (text, "\"placements\":[{\"thread\":\"" THREAD "\""));

  g_ptr_array_add (threads, new_thread (THREAD));
  g_ptr_array_add (threads, new_thread (THREAD2));
  g_assert_true (rl_event_apply (message->event, threads));
  first = g_ptr_array_index (threads, 0);
  second = g_ptr_array_index (threads, 1);
  g_assert_cmpuint (first->placements->len, ==, 2);
  g_assert_cmpint (rl_thread_get_placement (first, 2)->status, ==, RL_PLACEMENT_MOVED);
  g_assert_cmpfloat (first->anchor.y, ==, 0.375);
  g_assert_cmpint (rl_thread_get_placement (second, 2)->status, ==, RL_PLACEMENT_ORPHANED);
  g_assert_cmpfloat (second->anchor.y, ==, 0.25);

  /* The same revision again does not follow the threads' last: refused. */
  g_assert_false (rl_event_apply (message->event, threads));
}

static void
test_revision_added_refused (void)
{
  const char *head = "{\"type\":\"revision-added\",\"doc\":\"doc1\",\"seq\":5,"
                     "\"revision\":{\"revision\":2,\"mime\":\"image/png\",\"size\":1,\"width\":1,\"height\":1,"
                     "\"etag\":\"e\",\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA "},";
  const char *bad_tails[] = {
    "\"placements\":{}}",
    "\"placements\":[{\"revision\":2,\"anchor\":null,\"status\":\"orphaned\"}]}",
    "\"placements\":[{\"thread\":\"x\",\"revision\":2,\"anchor\":null,\"status\":\"orphaned\"}]}",
    "\"placements\":[{\"thread\":\"" THREAD "\",\"revision\":1,\"anchor\":null,\"status\":\"orphaned\"}]}",
    "\"placements\":[{\"thread\":\"" THREAD "\",\"revision\":2,\"anchor\":null,\"status\":\"orphaned\"},"
      "{\"thread\":\"" THREAD "\",\"revision\":2,\"anchor\":null,\"status\":\"orphaned\"}]}",
    "\"placements\":[{\"thread\":\"" THREAD "\",\"revision\":2,\"anchor\":{\"start\":0,\"end\":1,\"exact\":\"a\"},"
      "\"status\":\"exact\"}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad_tails); i++)
    {
      g_autofree char *bad = g_strconcat (head, bad_tails[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(RlMessage) message = rl_message_parse (bad, strlen (bad), &error);

      g_assert_null (message);
      g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
    }

  /* A revision-added naming a thread the list does not have is refused,
   * so the client resubscribes instead of guessing. */
  {
    g_autoptr(RlEvent) event = new_revision_added ();
    g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);

    g_ptr_array_add (threads, new_thread (THREAD));
    g_assert_false (rl_event_apply (event, threads));
  }
}

/* With the document's revision in the context, a move and a place-thread
 * settle the thread's placement there, by the person, exact; the wire
 * says it inside a v1 "moved" change. A place-thread without an anchor
 * confirms where the server had put it. */
static void
test_place_and_move (void)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  g_autoptr(RlRequest) place = rl_request_new (RL_REQUEST_PLACE_THREAD);
  g_autoptr(RlRevisionAnchor) proposed = image_placement (2, RL_PLACEMENT_MOVED, 0.5, 0.375, 0.9);
  RlEventContext context = { RL_DOC_KIND_IMAGE, DOC, &ada, NOW, 0, NULL, 2, proposed };
  g_autoptr(RlEvent) confirm = NULL;
  g_autoptr(RlEvent) revision_added = new_revision_added ();
  g_autoptr(RlEvent) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  RlThread *thread;
  RlRevisionAnchor *placement;

  g_ptr_array_add (threads, new_thread (THREAD));
  g_ptr_array_add (threads, new_thread (THREAD2));
  g_assert_true (rl_event_apply (revision_added, threads));

  place->broadcast_id = g_strdup (BROADCAST);
  place->doc = g_strdup (DOC);
  place->thread_id = g_strdup (THREAD);
  place->revision = 2;
  confirm = rl_event_new_for_request (place, &context);
  text = rl_event_serialize (confirm);
  g_assert_cmpstr (text, ==,
                   "{\"type\":\"image-chat-updated\",\"doc\":\"doc1\",\"seq\":0,\"broadcastId\":\"" BROADCAST "\","
                   "\"thread\":\"" THREAD "\",\"change\":{\"kind\":\"moved\",\"anchor\":{\"x\":0.5,\"y\":0.375},"
                   "\"revision\":2,\"status\":\"exact\",\"by\":" ADA "}}");
  node = parse (text);
  parsed = rl_event_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpint (parsed->revision, ==, 2);
  g_assert_cmpstr (parsed->by.id, ==, "u1");
  g_assert_true (rl_event_apply (parsed, threads));
  thread = g_ptr_array_index (threads, 0);
  placement = rl_thread_get_placement (thread, 2);
  g_assert_cmpint (placement->status, ==, RL_PLACEMENT_EXACT);
  g_assert_cmpstr (placement->by.name, ==, "Ada");
  g_assert_cmpfloat (placement->anchor.y, ==, 0.375);
  g_assert_cmpuint (thread->placements->len, ==, 2);

  /* Re-attaching the orphan puts it on revision 2 and gives it its anchor. */
  {
    g_autoptr(RlRequest) reattach = rl_request_new (RL_REQUEST_PLACE_THREAD);
    g_autoptr(RlEvent) event = NULL;

    reattach->broadcast_id = g_strdup (BROADCAST);
    reattach->doc = g_strdup (DOC);
    reattach->thread_id = g_strdup (THREAD2);
    reattach->revision = 2;
    reattach->has_anchor = TRUE;
    reattach->anchor.kind = RL_DOC_KIND_IMAGE;
    reattach->anchor.x = 0.125;
    reattach->anchor.y = 0.75;
    context.placement = NULL;
    event = rl_event_new_for_request (reattach, &context);
    g_assert_true (rl_event_apply (event, threads));
    thread = g_ptr_array_index (threads, 1);
    placement = rl_thread_get_placement (thread, 2);
    g_assert_cmpint (placement->status, ==, RL_PLACEMENT_EXACT);
    g_assert_cmpfloat (thread->anchor.x, ==, 0.125);
  }

  /* A v1 move (no revision known) changes only the anchor. */
  {
    g_autoptr(RlRequest) move = rl_request_new (RL_REQUEST_MOVE_THREAD);
    RlEventContext v1 = { RL_DOC_KIND_IMAGE, DOC, &ada, NOW, 0, NULL, 0, NULL };
    g_autoptr(RlEvent) event = NULL;
    g_autofree char *v1_text = NULL;

    move->broadcast_id = g_strdup (BROADCAST);
    move->doc = g_strdup (DOC);
    move->thread_id = g_strdup (THREAD);
    move->has_anchor = TRUE;
    move->anchor.kind = RL_DOC_KIND_IMAGE;
    move->anchor.x = 0.75;
    move->anchor.y = 0.75;
    event = rl_event_new_for_request (move, &v1);
    v1_text = rl_event_serialize (event);
    g_assert_null (strstr (v1_text, "revision"));
    g_assert_null (strstr (v1_text, "\"by\""));
    g_assert_true (rl_event_apply (event, threads));
    thread = g_ptr_array_index (threads, 0);
    g_assert_cmpfloat (thread->anchor.x, ==, 0.75);
    g_assert_cmpfloat (rl_thread_get_placement (thread, 2)->anchor.x, ==, 0.5);
  }
}

static void
test_welcome_and_snapshot (void)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_thread_unref);
  g_autofree char *v1 = rl_message_serialize_welcome ("acme", &ada, RL_ROLE_MEMBER, "c1", NOW, 0);
  g_autofree char *v11 = rl_message_serialize_welcome ("acme", &ada, RL_ROLE_MEMBER, "c1", NOW, 1);
  g_autofree char *snapshot = NULL;
  g_autoptr(RlMessage) parsed = NULL;
  g_autoptr(RlMessage) parsed_snapshot = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (strstr (v1, "minor"));
  g_assert_nonnull (strstr (v11, "\"protocol\":1,\"minor\":1,"));
  parsed = rl_message_parse (v11, strlen (v11), &error);
  g_assert_no_error (error);
  g_assert_cmpint (parsed->protocol, ==, 1);
  g_assert_cmpint (parsed->minor, ==, 1);

  g_ptr_array_add (threads, new_thread (THREAD));
  snapshot = rl_message_serialize_snapshot_at (DOC, 9, 3, threads, FALSE);
  g_assert_true (g_str_has_prefix (snapshot, "{\"type\":\"snapshot\",\"doc\":\"doc1\",\"seq\":9,\"revision\":3,"));
  parsed_snapshot = rl_message_parse (snapshot, strlen (snapshot), &error);
  g_assert_no_error (error);
  g_assert_cmpint (parsed_snapshot->revision, ==, 3);
  g_assert_true (rl_thread_equal (g_ptr_array_index (parsed_snapshot->threads, 0), g_ptr_array_index (threads, 0)));
}

static void
test_document_revision (void)
{
  const char *text = "{\"id\":\"d1\",\"kind\":\"image\",\"title\":\"Home\",\"mime\":\"image/png\",\"size\":3,"
                     "\"width\":2,\"height\":2,\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA ",\"revision\":4}";
  const char *bad = "{\"id\":\"d1\",\"kind\":\"image\",\"title\":\"Home\",\"mime\":\"image/png\",\"size\":3,"
                    "\"width\":2,\"height\":2,\"createdAt\":\"" NOW_TEXT "\",\"createdBy\":" ADA ",\"revision\":0}";
  g_autoptr(JsonNode) node = parse (text);
  g_autoptr(JsonNode) bad_node = parse (bad);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocument) doc = rl_document_from_json (node, &error);
  g_autoptr(RlDocument) refused = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *again_text = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (doc->revision, ==, 4);
  again = rl_document_to_json (doc);
  again_text = rl_json_to_string (again, NULL);
  g_assert_cmpstr (again_text, ==, text);
  refused = rl_document_from_json (bad_node, &error);
  g_assert_null (refused);
  g_assert_error (error, RL_ERROR, RL_ERROR_BAD_REQUEST);
}

static void
test_status_enum (void)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (RL_TYPE_PLACEMENT_STATUS);
  RlPlacementStatus status;

  g_assert_cmpuint (enum_class->n_values, ==, RL_PLACEMENT_ORPHANED + 1);
  for (guint i = 0; i < enum_class->n_values; i++)
    {
      g_assert_cmpstr (enum_class->values[i].value_nick, ==, rl_placement_status_to_string (i));
      g_assert_true (rl_placement_status_from_string (enum_class->values[i].value_nick, &status));
      g_assert_cmpint (status, ==, i);
    }
  g_assert_false (rl_placement_status_from_string ("Exact", &status));
  g_assert_false (rl_placement_status_from_string (NULL, &status));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/revisions/revision-json", test_revision_json);
  g_test_add_func ("/revisions/placement-json", test_placement_json);
  g_test_add_func ("/revisions/thread-placements", test_thread_placements);
  g_test_add_func ("/revisions/requests", test_requests);
  g_test_add_func ("/revisions/revision-added", test_revision_added);
  g_test_add_func ("/revisions/revision-added-refused", test_revision_added_refused);
  g_test_add_func ("/revisions/place-and-move", test_place_and_move);
  g_test_add_func ("/revisions/welcome-and-snapshot", test_welcome_and_snapshot);
  g_test_add_func ("/revisions/document-revision", test_document_revision);
  g_test_add_func ("/revisions/status-enum", test_status_enum);
  return g_test_run ();
}
