/* rl-read-cache.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-read-cache.h"

#include <string.h>

#include "rl-codec.h"
#include "rl-error.h"

/* Snapshot frames kept in all: the open documents' of a busy team. */
#define SNAPSHOT_BYTES_MAX (32 * 1024 * 1024)

typedef struct
{
  char   *key;
  char   *frame;
  gsize   size;
  gint64  seq;
  GList   link;             /* in the cache's recency queue */
} Snapshot;

struct _RlReadCache
{
  GObject     parent_instance;
  RlStore    *store;
  GHashTable *snapshots;    /* "tenant/doc" → Snapshot* */
  GQueue      recent;       /* of Snapshot*, most recently read first */
  gsize       snapshot_bytes;
  GHashTable *page_texts;   /* "tenant/doc" → PageText*: its latest revision's, as last asked */
};

typedef struct
{
  RlPageText *text;
  gint64      revision;
} PageText;

G_DEFINE_FINAL_TYPE (RlReadCache, rl_read_cache, G_TYPE_OBJECT)

static char *
doc_key (const char *tenant,
         const char *doc)
{
  return g_strconcat (tenant, "/", doc, NULL);
}

static void
page_text_free (PageText *kept)
{
  rl_page_text_unref (kept->text);
  g_free (kept);
}

static void
snapshot_free (Snapshot *snapshot)
{
  g_free (snapshot->key);
  g_free (snapshot->frame);
  g_free (snapshot);
}

static void
drop_snapshot (RlReadCache *self,
               Snapshot    *snapshot)
{
  g_queue_unlink (&self->recent, &snapshot->link);
  self->snapshot_bytes -= snapshot->size;
  g_hash_table_steal (self->snapshots, snapshot->key);
  snapshot_free (snapshot);
}

static void
rl_read_cache_dispose (GObject *object)
{
  RlReadCache *self = RL_READ_CACHE (object);

  g_clear_object (&self->store);
  G_OBJECT_CLASS (rl_read_cache_parent_class)->dispose (object);
}

static void
rl_read_cache_finalize (GObject *object)
{
  RlReadCache *self = RL_READ_CACHE (object);

  g_clear_pointer (&self->snapshots, g_hash_table_unref);
  g_clear_pointer (&self->page_texts, g_hash_table_unref);
  G_OBJECT_CLASS (rl_read_cache_parent_class)->finalize (object);
}

static void
rl_read_cache_class_init (RlReadCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rl_read_cache_dispose;
  G_OBJECT_CLASS (klass)->finalize = rl_read_cache_finalize;
}

static void
rl_read_cache_init (RlReadCache *self)
{
  self->snapshots = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) snapshot_free);
  g_queue_init (&self->recent);
  self->page_texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) page_text_free);
}

RlReadCache *
rl_read_cache_new (RlStore *store)
{
  RlReadCache *self;

  g_return_val_if_fail (RL_IS_STORE (store), NULL);

  self = g_object_new (RL_TYPE_READ_CACHE, NULL);
  self->store = g_object_ref (store);
  return self;
}

char *
rl_read_cache_snapshot (RlReadCache *self,
                        const char  *tenant,
                        const char  *doc,
                        gint64      *seq)
{
  return rl_read_cache_snapshot_at (self, tenant, doc, -1, seq);
}

char *
rl_read_cache_snapshot_at (RlReadCache *self,
                           const char  *tenant,
                           const char  *doc,
                           gint64       head,
                           gint64      *seq)
{
  g_autofree char *key = doc_key (tenant, doc);
  Snapshot *snapshot = g_hash_table_lookup (self->snapshots, key);
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(RlDocument) document = NULL;
  char *frame;

  if (snapshot && head < 0)
    head = rl_store_get_head (self->store, tenant, doc);
  if (snapshot && snapshot->seq == head)
    {
      g_queue_unlink (&self->recent, &snapshot->link);
      g_queue_push_head_link (&self->recent, &snapshot->link);
      *seq = snapshot->seq;
      return g_strdup (snapshot->frame);
    }
  if (snapshot)
    drop_snapshot (self, snapshot);

  threads = rl_store_load_threads (self->store, tenant, doc, seq);
  document = rl_store_get_document (self->store, tenant, doc);
  frame = rl_message_serialize_snapshot_at (doc, *seq, document ? document->revision : 0, threads, FALSE);

  snapshot = g_new0 (Snapshot, 1);
  snapshot->key = g_steal_pointer (&key);
  snapshot->frame = g_strdup (frame);
  snapshot->size = strlen (frame);
  snapshot->seq = *seq;
  snapshot->link.data = snapshot;
  g_hash_table_insert (self->snapshots, snapshot->key, snapshot);
  g_queue_push_head_link (&self->recent, &snapshot->link);
  self->snapshot_bytes += snapshot->size;
  /* The one just made stays, however big. */
  while (self->snapshot_bytes > SNAPSHOT_BYTES_MAX && self->recent.length > 1)
    drop_snapshot (self, g_queue_peek_tail (&self->recent));
  return frame;
}

RlPageText *
rl_read_cache_get_page_text (RlReadCache  *self,
                             const char   *tenant,
                             const char   *doc,
                             gint64        revision,
                             GError      **error)
{
  g_autofree char *key = doc_key (tenant, doc);
  g_autofree char *model = NULL;
  g_autoptr(JsonNode) node = NULL;
  PageText *kept = g_hash_table_lookup (self->page_texts, key);
  RlPageText *text;

  if (kept && kept->revision == revision)
    return rl_page_text_ref (kept->text);

  model = rl_store_get_text_model (self->store, tenant, doc, revision);
  if (model == NULL)
    {
      g_set_error (error, RL_ERROR, RL_ERROR_NOT_FOUND, "no such document");
      return NULL;
    }
  node = rl_json_parse (model, strlen (model), error);
  text = node ? rl_page_text_new_from_json (node, error) : NULL;
  if (text == NULL)
    return NULL;
  kept = g_new0 (PageText, 1);
  kept->text = rl_page_text_ref (text);
  kept->revision = revision;
  g_hash_table_replace (self->page_texts, g_steal_pointer (&key), kept);
  return text;
}

void
rl_read_cache_forget (RlReadCache *self,
                      const char  *tenant,
                      const char  *doc)
{
  g_autofree char *key = doc_key (tenant, doc);
  Snapshot *snapshot = g_hash_table_lookup (self->snapshots, key);

  if (snapshot)
    drop_snapshot (self, snapshot);
  g_hash_table_remove (self->page_texts, key);
}
