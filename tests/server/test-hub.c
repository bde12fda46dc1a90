/* test-hub.c — the hub alone: rooms, fan-out and events committed on
 * another node
 *
 * A real SQLite store and, for "another node", a second store handle on the
 * same file committing on its own; the hub hears of those commits only
 * through rl_hub_publish_remote (in any order, more than once, without their
 * text) or rl_hub_catch_up. Subscribers are recorders: every frame the hub
 * hands them is kept, so a test asserts what each one got (every seq once,
 * in order, in which frames) and that the frames were shared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "rl-codec.h"
#include "rl-hub.h"
#include "rl-outbox.h"
#include "rl-read-cache.h"
#include "rl-store-sqlite.h"
#include "rl-usage.h"
#include "rl-uuid.h"

/* ---- recording subscribers ------------------------------------------------ */

typedef struct
{
  RlSubscriber *subscriber;
  GPtrArray    *frames;       /* GBytes*, as handed over */
  guint         overflows;
} Recorder;

static gboolean
recorder_send_frame (gpointer   owner,
                     GBytes    *frame,
                     GError   **error)
{
  Recorder *recorder = owner;

  g_ptr_array_add (recorder->frames, g_bytes_ref (frame));
  return TRUE;
}

static void
recorder_overflow (gpointer owner)
{
  ((Recorder *) owner)->overflows++;
}

static const RlSubscriberFuncs recorder_funcs = {
  .send_frame = recorder_send_frame,
  .overflow = recorder_overflow,
};

static Recorder *
recorder_new (const char        *id,
              const RlPrincipal *principal)
{
  Recorder *recorder = g_new0 (Recorder, 1);

  recorder->subscriber = rl_subscriber_new (id, principal, &recorder_funcs, recorder);
  recorder->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return recorder;
}

static void
recorder_free (Recorder *recorder)
{
  rl_subscriber_disown (recorder->subscriber);
  g_object_unref (recorder->subscriber);
  g_ptr_array_unref (recorder->frames);
  g_free (recorder);
}

/* The text of a frame of rl_outbox_frame_text (RFC 6455 §5.2). */
static char *
frame_payload (GBytes *frame)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (frame, &size);
  gsize header = 2, length = data[1] & 0x7f;

  g_assert_cmpuint (data[0], ==, 0x81);   /* final, text */
  if (length == 126)
    {
      header = 4;
      length = (gsize) data[2] << 8 | data[3];
    }
  else if (length == 127)
    {
      header = 10;
      length = 0;
      for (guint i = 2; i < 10; i++)
        length = length << 8 | data[i];
    }
  g_assert_cmpuint (header + length, ==, size);
  return g_strndup ((const char *) data + header, length);
}

static RlMessage *
frame_message (GBytes *frame)
{
  g_autofree char *text = frame_payload (frame);
  g_autoptr(GError) error = NULL;
  RlMessage *message = rl_message_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return message;
}

/* What the recorder got, one word per frame, presence left out:
 * "S3" a snapshot at 3, "R9" a reset snapshot at 9, "E4" an event,
 * "B5,6,7" a batch. */
static char *
transcript (Recorder *recorder)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < recorder->frames->len; i++)
    {
      RlMessage *message = frame_message (g_ptr_array_index (recorder->frames, i));

      switch (message->type)
        {
        case RL_MESSAGE_SNAPSHOT:
          g_string_append_printf (text, " %c%" G_GINT64_FORMAT, message->reset ? 'R' : 'S', message->seq);
          break;
        case RL_MESSAGE_EVENT:
          g_string_append_printf (text, " E%" G_GINT64_FORMAT, message->event->seq);
          break;
        case RL_MESSAGE_BATCH:
          g_string_append (text, " B");
          for (guint j = 0; j < message->messages->len; j++)
            {
              RlMessage *event = g_ptr_array_index (message->messages, j);

              g_assert_cmpint (event->type, ==, RL_MESSAGE_EVENT);
              g_string_append_printf (text, "%s%" G_GINT64_FORMAT, j ? "," : "", event->event->seq);
            }
          break;
        case RL_MESSAGE_PRESENCE:
          break;
        case RL_MESSAGE_WELCOME:
        case RL_MESSAGE_ACK:
        default:
          g_assert_not_reached ();
        }
      rl_message_free (message);
    }
  return g_strdup (text->len ? text->str + 1 : "");
}

/* The text of the last frame that is not presence. */
static char *
last_text (Recorder *recorder)
{
  for (guint i = recorder->frames->len; i > 0; i--)
    {
      g_autoptr(RlMessage) message = frame_message (g_ptr_array_index (recorder->frames, i - 1));

      if (message->type != RL_MESSAGE_PRESENCE)
        return frame_payload (g_ptr_array_index (recorder->frames, i - 1));
    }
  g_assert_not_reached ();
}

#define assert_transcript(recorder, expected) \
  G_STMT_START { \
    g_autofree char *got_ = transcript (recorder); \
    g_assert_cmpstr (got_, ==, expected); \
  } G_STMT_END

/* The frames of a and b, presence left out, past their first skip_a and
 * skip_b, are the very same bytes (one framing, shared), and as many. */
static void
assert_shared (Recorder *a,
               guint     skip_a,
               Recorder *b,
               guint     skip_b)
{
  g_autoptr(GPtrArray) of_a = g_ptr_array_new ();
  g_autoptr(GPtrArray) of_b = g_ptr_array_new ();
  GPtrArray *lists[] = { of_a, of_b };
  Recorder *recorders[] = { a, b };
  guint skips[] = { skip_a, skip_b };

  for (guint r = 0; r < 2; r++)
    {
      guint skipped = 0;

      for (guint i = 0; i < recorders[r]->frames->len; i++)
        {
          GBytes *frame = g_ptr_array_index (recorders[r]->frames, i);
          g_autoptr(RlMessage) message = frame_message (frame);

          if (message->type == RL_MESSAGE_PRESENCE)
            continue;
          if (skipped < skips[r])
            skipped++;
          else
            g_ptr_array_add (lists[r], frame);
        }
    }
  g_assert_cmpuint (of_a->len, >, 0);
  g_assert_cmpuint (of_a->len, ==, of_b->len);
  for (guint i = 0; i < of_a->len; i++)
    g_assert_true (g_ptr_array_index (of_a, i) == g_ptr_array_index (of_b, i));
}

/* ---- the world -------------------------------------------------------------- */

typedef struct
{
  char        *dir;
  RlStore     *store;         /* this node's */
  RlStore     *other;         /* another node's handle on the same database */
  RlUsage     *usage;
  RlReadCache *cache;
  RlHub       *hub;
  RlPrincipal *ada;
  RlDocument  *doc;
  RlDocument  *second;
  char        *thread;
  GPtrArray   *recorders;     /* Recorder* */
  GPtrArray   *texts;         /* char*: the text of each seq of doc, committed here or there; [0] unused */
} Fixture;

static const guint8 png_bytes[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 1, 2, 3 };

static RlDocument *
add_document (Fixture    *fixture,
              const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static (png_bytes, sizeof png_bytes);
  RlDocument *doc = rl_store_add_document (fixture->store, "acme", &fixture->ada->user, title, "image/png",
                                           1600, 1000, content, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  return doc;
}

/* Commits a comment through store (this node or the other); returns the
 * event's seq and its one serialization (kept in fixture->texts for doc). */
static gint64
commit_on (Fixture          *fixture,
           RlStore          *store,
           const RlDocument *doc,
           const char       *thread,
           char            **serialized)
{
  g_autoptr(RlRequest) request = rl_request_new (RL_REQUEST_ADD_COMMENT);
  g_autoptr(RlEvent) event = NULL;
  g_autoptr(GError) error = NULL;

  request->broadcast_id = rl_uuid_new ();
  request->doc = g_strdup (doc->id);
  request->thread_id = g_strdup (thread);
  request->comment_id = rl_uuid_new ();
  request->body = g_strdup ("Looks right to me");
  event = rl_store_apply (store, fixture->ada, doc, request, serialized, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  if (doc == fixture->doc)
    {
      g_assert_cmpint (event->seq, ==, fixture->texts->len);
      g_ptr_array_add (fixture->texts, g_strdup (*serialized));
    }
  return event->seq;
}

/* Commits on the other node; the hub hears nothing of it yet. */
static gint64
commit_elsewhere (Fixture *fixture)
{
  g_autofree char *serialized = NULL;

  return commit_on (fixture, fixture->other, fixture->doc, fixture->thread, &serialized);
}

/* What the other node's announcement would carry. */
static void
announce (Fixture *fixture,
          gint64   seq)
{
  rl_hub_publish_remote (fixture->hub, "acme", fixture->doc->id, seq,
                         g_strdup (g_ptr_array_index (fixture->texts, seq)));
}

/* Commits here and publishes, as a peer does. */
static gint64
commit_here (Fixture *fixture)
{
  char *serialized = NULL;
  gint64 seq = commit_on (fixture, fixture->store, fixture->doc, fixture->thread, &serialized);

  rl_hub_publish (fixture->hub, "acme", fixture->doc->id, seq, serialized);
  return seq;
}

static void
create_thread (Fixture    *fixture,
               RlDocument *doc,
               char      **thread)
{
  g_autoptr(RlRequest) request = rl_request_new (RL_REQUEST_CREATE_THREAD);
  g_autoptr(RlEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *serialized = NULL;

  request->broadcast_id = rl_uuid_new ();
  request->doc = g_strdup (doc->id);
  request->thread_id = rl_uuid_new ();
  request->comment_id = rl_uuid_new ();
  request->body = g_strdup ("Is this the right blue?");
  request->has_anchor = TRUE;
  request->anchor.kind = RL_DOC_KIND_IMAGE;
  request->anchor.x = 0.25;
  request->anchor.y = 0.75;
  event = rl_store_apply (fixture->store, fixture->ada, doc, request, &serialized, &error);
  g_assert_no_error (error);
  g_assert_cmpint (event->seq, ==, 1);
  if (doc == fixture->doc)
    g_ptr_array_add (fixture->texts, g_steal_pointer (&serialized));
  *thread = g_strdup (request->thread_id);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;
  g_autofree char *second_thread = NULL;

  fixture->dir = g_dir_make_tmp ("test-hub-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "team.db", NULL);
  fixture->store = rl_store_sqlite_open (path, &error);
  g_assert_no_error (error);
  fixture->other = rl_store_sqlite_open (path, &error);
  g_assert_no_error (error);

  rl_store_add_tenant (fixture->store, "acme", &error);
  g_assert_no_error (error);
  token = rl_store_add_user (fixture->store, "acme", "Ada", RL_ROLE_ADMIN, &error);
  g_assert_no_error (error);
  fixture->ada = rl_store_authenticate (fixture->store, token);
  g_assert_nonnull (fixture->ada);

  fixture->texts = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (fixture->texts, NULL);
  fixture->doc = add_document (fixture, "Home");
  fixture->second = add_document (fixture, "Pricing");
  create_thread (fixture, fixture->doc, &fixture->thread);
  create_thread (fixture, fixture->second, &second_thread);

  fixture->usage = rl_usage_new (fixture->store);
  fixture->cache = rl_read_cache_new (fixture->store);
  fixture->hub = rl_hub_new (fixture->store, fixture->usage);
  /* Most cases are about what one turn of the loop sends; the frame
   * interval has cases of its own (/hub/paced/…), which set theirs. */
  rl_hub_set_frame_interval (fixture->hub, 0);
  fixture->recorders = g_ptr_array_new_with_free_func ((GDestroyNotify) recorder_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  for (guint i = 0; i < fixture->recorders->len; i++)
    {
      Recorder *recorder = g_ptr_array_index (fixture->recorders, i);

      rl_hub_leave (fixture->hub, recorder->subscriber, "acme", fixture->doc->id);
      rl_hub_leave (fixture->hub, recorder->subscriber, "acme", fixture->second->id);
      g_assert_cmpuint (recorder->overflows, ==, 0);
    }
  g_clear_object (&fixture->hub);
  g_clear_pointer (&fixture->recorders, g_ptr_array_unref);
  g_clear_object (&fixture->cache);
  g_clear_object (&fixture->usage);
  g_clear_object (&fixture->other);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->texts, g_ptr_array_unref);
  g_clear_pointer (&fixture->doc, rl_document_free);
  g_clear_pointer (&fixture->second, rl_document_free);
  g_clear_pointer (&fixture->ada, rl_principal_free);
  g_clear_pointer (&fixture->thread, g_free);

  dir = g_dir_open (fixture->dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (fixture->dir, name, NULL);

      g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_clear_pointer (&fixture->dir, g_free);
}

/* Subscribes as a peer does without since: the room's pending events go
 * out, the snapshot at the head (from the read cache) is sent, then the
 * subscriber joins at the snapshot's seq. */
static void
subscribe (Fixture    *fixture,
           Recorder   *recorder,
           RlDocument *doc)
{
  g_autofree char *snapshot = NULL;
  gint64 head = -1;

  rl_hub_flush_room (fixture->hub, "acme", doc->id);
  snapshot = rl_read_cache_snapshot (fixture->cache, "acme", doc->id, &head);
  g_ptr_array_add (recorder->frames, rl_outbox_frame_text (snapshot, strlen (snapshot)));
  rl_hub_join (fixture->hub, recorder->subscriber, "acme", doc->id, head);
}

static Recorder *
add_subscriber (Fixture    *fixture,
                const char *id,
                RlDocument *doc)
{
  Recorder *recorder = recorder_new (id, fixture->ada);

  g_ptr_array_add (fixture->recorders, recorder);
  subscribe (fixture, recorder, doc);
  return recorder;
}

/* One turn of the main loop: what its sources committed goes out as the
 * loop is about to poll (the hub's flusher). */
static void
turn (void)
{
  g_main_context_iteration (NULL, FALSE);
}

/* ---- the tests -------------------------------------------------------------- */

/* A turn's events past one batch frame's bound make more frames; the last
 * one left alone goes as itself, never as a batch of one. */
static void
test_long_run_last_alone (Fixture       *fixture,
                          gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  g_autoptr(GString) expected = g_string_new ("S1 B2");
  gsize size = 0;
  gint64 seq;

  /* Commits until an event no longer fits the first frame (60 KiB). */
  for (;;)
    {
      const char *text;

      seq = commit_here (fixture);
      text = g_ptr_array_index (fixture->texts, seq);
      if (seq > 2 && size + strlen (text) >= 60 * 1024)
        break;
      if (seq > 2)
        g_string_append_printf (expected, ",%" G_GINT64_FORMAT, seq);
      size += strlen (text) + 1;
    }
  turn ();

  g_string_append_printf (expected, " E%" G_GINT64_FORMAT, seq);
  assert_transcript (x, expected->str);
}

/* Announced in order: each event once, the events of one turn in one batch,
 * the same frame for every subscriber, with the committed text. */
static void
test_remote_in_order (Fixture       *fixture,
                      gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  Recorder *y = add_subscriber (fixture, "y", fixture->doc);
  g_autofree char *last = NULL;
  gint64 seq;

  for (guint i = 0; i < 3; i++)
    announce (fixture, commit_elsewhere (fixture));
  turn ();
  seq = commit_elsewhere (fixture);
  announce (fixture, seq);
  turn ();

  assert_transcript (x, "S1 B2,3,4 E5");
  assert_transcript (y, "S1 B2,3,4 E5");
  assert_shared (x, 1, y, 1);
  last = last_text (y);
  g_assert_cmpstr (last, ==, g_ptr_array_index (fixture->texts, seq));
}

/* Out of order and more than once: a seq past a gap brings the gap from the
 * log, and whatever was delivered already is dropped, in this turn or a
 * later one. */
static void
test_remote_out_of_order (Fixture       *fixture,
                          gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  Recorder *y = add_subscriber (fixture, "y", fixture->doc);

  for (guint i = 0; i < 3; i++)
    commit_elsewhere (fixture);
  announce (fixture, 4);
  announce (fixture, 2);
  announce (fixture, 4);
  announce (fixture, 3);
  announce (fixture, 2);
  turn ();
  announce (fixture, commit_elsewhere (fixture));
  announce (fixture, 3);
  turn ();
  announce (fixture, 5);
  announce (fixture, 1);
  turn ();

  assert_transcript (x, "S1 B2,3,4 E5");
  assert_transcript (y, "S1 B2,3,4 E5");
  assert_shared (x, 1, y, 1);
}

/* An announcement too big to carry its event: the event is read from the
 * log, with the very text that was committed. */
static void
test_remote_without_text (Fixture       *fixture,
                          gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  Recorder *y = add_subscriber (fixture, "y", fixture->doc);
  g_autofree char *got = NULL;
  gint64 seq = commit_elsewhere (fixture);

  rl_hub_publish_remote (fixture->hub, "acme", fixture->doc->id, seq, NULL);
  turn ();
  assert_transcript (x, "S1 E2");
  /* Late, with its text this time: dropped. */
  announce (fixture, seq);
  turn ();

  assert_transcript (x, "S1 E2");
  assert_transcript (y, "S1 E2");
  assert_shared (x, 1, y, 1);
  got = last_text (x);
  g_assert_cmpstr (got, ==, g_ptr_array_index (fixture->texts, seq));
}

/* Our own commit published before another node's earlier one was announced:
 * the earlier one is read from the log and goes first; local and remote
 * events of one turn leave in one batch, in seq order. */
static void
test_local_before_remote (Fixture       *fixture,
                          gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  Recorder *y = add_subscriber (fixture, "y", fixture->doc);
  gint64 elsewhere = commit_elsewhere (fixture);
  gint64 here;

  here = commit_here (fixture);
  g_assert_cmpint (here, ==, elsewhere + 1);
  announce (fixture, commit_elsewhere (fixture));
  announce (fixture, elsewhere);
  turn ();
  commit_here (fixture);
  turn ();

  assert_transcript (x, "S1 B2,3,4 E5");
  assert_transcript (y, "S1 B2,3,4 E5");
  assert_shared (x, 1, y, 1);
}

/* A gap the log no longer holds: what came before it still goes out, then a
 * reset snapshot at the head, and the stream goes on from there. */
static void
test_remote_beyond_log (Fixture       *fixture,
                        gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  Recorder *y = add_subscriber (fixture, "y", fixture->doc);
  g_autoptr(GPtrArray) still = NULL;
  gint64 head = 0;

  rl_store_set_event_log_limit (fixture->other, 8);
  for (guint i = 0; i < 70; i++)
    commit_elsewhere (fixture);
  /* The other node's log lost the start of it. */
  still = rl_store_events_since (fixture->store, "acme", fixture->doc->id, 2, &head);
  g_assert_null (still);
  g_assert_cmpint (head, ==, 71);

  announce (fixture, 2);
  announce (fixture, 71);
  announce (fixture, 40);
  turn ();
  announce (fixture, commit_elsewhere (fixture));
  turn ();

  assert_transcript (x, "S1 E2 R71 E72");
  assert_transcript (y, "S1 E2 R71 E72");
  assert_shared (x, 1, y, 1);
}

/* After the cross-node link was lost: every room reads what it missed from
 * the log, each its own document's; the late announcements are dropped. */
static void
test_catch_up (Fixture       *fixture,
               gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  Recorder *y = add_subscriber (fixture, "y", fixture->second);
  Recorder *z = add_subscriber (fixture, "z", fixture->doc);
  g_autofree char *serialized = NULL;
  g_autofree char *other_thread = NULL;
  g_autoptr(GPtrArray) threads = rl_store_load_threads (fixture->store, "acme", fixture->second->id, NULL);

  for (guint i = 0; i < 3; i++)
    commit_elsewhere (fixture);
  commit_on (fixture, fixture->other, fixture->second, ((RlThread *) g_ptr_array_index (threads, 0))->id,
             &serialized);
  rl_hub_catch_up (fixture->hub);
  turn ();
  assert_transcript (x, "S1 B2,3,4");
  assert_transcript (y, "S1 E2");
  for (guint seq = 2; seq <= 4; seq++)
    announce (fixture, seq);
  rl_hub_publish_remote (fixture->hub, "acme", fixture->second->id, 2, g_steal_pointer (&serialized));
  turn ();
  /* Nothing missed: nothing read, nothing sent. */
  rl_hub_catch_up (fixture->hub);
  turn ();

  assert_transcript (x, "S1 B2,3,4");
  assert_transcript (z, "S1 B2,3,4");
  assert_transcript (y, "S1 E2");
  assert_shared (x, 1, z, 1);
}

/* A document nobody here watches: its announcements are dropped, and the
 * room made later starts from its own snapshot. */
static void
test_remote_no_room (Fixture       *fixture,
                     gconstpointer  data)
{
  Recorder *x;

  announce (fixture, commit_elsewhere (fixture));
  rl_hub_publish_remote (fixture->hub, "acme", fixture->doc->id, commit_elsewhere (fixture), NULL);
  turn ();
  x = add_subscriber (fixture, "x", fixture->doc);
  announce (fixture, 3);
  announce (fixture, commit_elsewhere (fixture));
  turn ();

  assert_transcript (x, "S3 E4");
}

/* Another node moved the head before anything was announced, and a new
 * subscriber comes: its snapshot is at the new head (not the one cached for
 * the first), the first gets the events in between before it joins, and
 * from there both get the same stream, each seq once. */
static void
test_subscribe_head_moved (Fixture       *fixture,
                           gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  Recorder *y;

  commit_elsewhere (fixture);
  commit_elsewhere (fixture);
  y = add_subscriber (fixture, "y", fixture->doc);
  /* Before the others' announcements come: they are owed 2 and 3 already. */
  assert_transcript (x, "S1 B2,3");
  turn ();
  announce (fixture, 2);
  announce (fixture, 3);
  announce (fixture, commit_elsewhere (fixture));
  turn ();

  assert_transcript (x, "S1 B2,3 E4");
  assert_transcript (y, "S3 E4");
  assert_shared (x, 2, y, 1);
}

/* The head moves again between the new subscriber's snapshot and its join:
 * the others get all of it, the new one (alone) what follows its snapshot. */
static void
test_subscribe_head_moved_during (Fixture       *fixture,
                                  gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  Recorder *y = recorder_new ("y", fixture->ada);
  g_autofree char *snapshot = NULL;
  gint64 head = -1;

  g_ptr_array_add (fixture->recorders, y);
  commit_elsewhere (fixture);
  rl_hub_flush_room (fixture->hub, "acme", fixture->doc->id);
  snapshot = rl_read_cache_snapshot (fixture->cache, "acme", fixture->doc->id, &head);
  g_assert_cmpint (head, ==, 2);
  g_ptr_array_add (y->frames, rl_outbox_frame_text (snapshot, strlen (snapshot)));
  commit_elsewhere (fixture);
  rl_hub_join (fixture->hub, y->subscriber, "acme", fixture->doc->id, head);
  turn ();
  for (guint seq = 2; seq <= 3; seq++)
    announce (fixture, seq);
  announce (fixture, commit_elsewhere (fixture));
  turn ();

  assert_transcript (x, "S1 B2,3 E4");
  assert_transcript (y, "S2 E3 E4");
  assert_shared (x, 2, y, 2);
}

/* A subscriber already in the room subscribes again while the head moved:
 * its new snapshot covers what it had not been sent; the other one is not
 * disturbed. */
static void
test_resubscribe_head_moved (Fixture       *fixture,
                             gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  Recorder *y = add_subscriber (fixture, "y", fixture->doc);

  commit_elsewhere (fixture);
  subscribe (fixture, x, fixture->doc);
  turn ();
  announce (fixture, 2);
  announce (fixture, commit_elsewhere (fixture));
  turn ();

  assert_transcript (x, "S1 S2 E3");
  assert_transcript (y, "S1 E2 E3");
  assert_shared (x, 2, y, 2);
}

/* ---- the frame interval ------------------------------------------------------ */

#define PACE_MS 300

static gboolean
deadline_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Turns the loop, letting it sleep in poll, until x's transcript changes. */
static void
wait_for_frame (Recorder *x)
{
  g_autofree char *before = transcript (x);
  gboolean late = FALSE;
  guint deadline = g_timeout_add (10 * PACE_MS, deadline_cb, &late);

  for (;;)
    {
      g_autofree char *now = transcript (x);

      if (strcmp (now, before) != 0 || late)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_false (late);
  g_source_remove (deadline);
}

/* A busy room sends what comes within the interval after its frame in one
 * frame at the interval's end: the loop's poll is woken for it, with
 * nothing else to wake it. */
static void
test_paced_busy (Fixture       *fixture,
                 gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);
  Recorder *y = add_subscriber (fixture, "y", fixture->doc);
  gint64 first_us, held_us;

  rl_hub_set_frame_interval (fixture->hub, PACE_MS);
  commit_here (fixture);
  turn ();
  first_us = g_get_monotonic_time ();
  assert_transcript (x, "S1 E2");

  commit_here (fixture);
  turn ();
  commit_here (fixture);
  turn ();
  /* Held: the room sent a frame less than an interval ago. */
  assert_transcript (x, "S1 E2");

  wait_for_frame (x);
  held_us = g_get_monotonic_time () - first_us;
  assert_transcript (x, "S1 E2 B3,4");
  assert_transcript (y, "S1 E2 B3,4");
  assert_shared (x, 2, y, 2);
  /* Not before the interval's end (the loop's clock: 1 ms of rounding). */
  g_assert_cmpint (held_us, >=, (PACE_MS - 1) * 1000);
}

/* A room quiet for an interval sends at once: a lone change is never held
 * back (PROTOCOL.md §4). */
static void
test_paced_quiet (Fixture       *fixture,
                  gconstpointer  data)
{
  Recorder *x = add_subscriber (fixture, "x", fixture->doc);

  rl_hub_set_frame_interval (fixture->hub, PACE_MS);
  commit_here (fixture);
  turn ();
  assert_transcript (x, "S1 E2");

  /* The interval passing is the condition itself. */
  g_usleep (PACE_MS * 1000);
  commit_here (fixture);
  turn ();
  assert_transcript (x, "S1 E2 E3");
}

int
main (int   argc,
      char *argv[])
{
  static const struct
  {
    const char *path;
    void (*func) (Fixture *, gconstpointer);
  } tests[] = {
    { "/hub/remote/in-order", test_remote_in_order },
    { "/hub/long-run-last-alone", test_long_run_last_alone },
    { "/hub/remote/out-of-order", test_remote_out_of_order },
    { "/hub/remote/without-text", test_remote_without_text },
    { "/hub/remote/local-first", test_local_before_remote },
    { "/hub/remote/beyond-log", test_remote_beyond_log },
    { "/hub/remote/no-room", test_remote_no_room },
    { "/hub/catch-up", test_catch_up },
    { "/hub/subscribe/head-moved", test_subscribe_head_moved },
    { "/hub/subscribe/head-moved-during", test_subscribe_head_moved_during },
    { "/hub/subscribe/again-head-moved", test_resubscribe_head_moved },
    { "/hub/paced/busy", test_paced_busy },
    { "/hub/paced/quiet", test_paced_quiet },
  };

  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add (tests[i].path, Fixture, NULL, fixture_set_up, tests[i].func, fixture_tear_down);
  return g_test_run ();
}
