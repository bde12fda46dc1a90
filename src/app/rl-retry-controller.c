/* rl-retry-controller.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-retry-controller.h"

#include <glib/gi18n.h>

#include "rl-error-text.h"

struct _RlRetryController
{
  GObject     parent_instance;

  RlDocStore *store;
  RlDocKind   kind;
  GHashTable *retries;         /* id → RlRetry */
  guint       next_id;
};

G_DEFINE_FINAL_TYPE (RlRetryController, rl_retry_controller, G_TYPE_OBJECT)

enum
{
  SIGNAL_TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
failure_title (RlRequestType  type,
               RlDocKind      kind,
               const GError  *error,
               gboolean       outdated)
{
  const char *why = rl_error_reason (error);

  /* The store says a change made on an older version in words of its own
   * (rl_error_outdated); the retry keeps the text. */
  if (g_error_matches (error, RL_ERROR, RL_ERROR_CONFLICT) && outdated)
    return g_strdup (error->message);

  switch (type)
    {
    case RL_REQUEST_CREATE_THREAD:
      if (kind == RL_DOC_KIND_PAGE)
        /* Translators: a comment on selected text; %s says why, e.g. "you’re offline" */
        return g_strdup_printf (_("Comment not added: %s"), why);
      /* Translators: %s says why, e.g. "you’re offline" */
      return g_strdup_printf (_("Marker not added: %s"), why);
    case RL_REQUEST_ADD_COMMENT:
      return g_strdup_printf (_("Reply not sent: %s"), why);
    case RL_REQUEST_EDIT_COMMENT:
      return g_strdup_printf (_("Edit not saved: %s"), why);
    default:
      return g_strdup_printf (_("Change not saved: %s"), why);
    }
}

/* Keeps what a rolled-back change needs for its one-click retry: the new
 * marker's place, or its thread. 0 when it cannot be retried. */
static guint
add_retry (RlRetryController *self,
           RlRequestType      type,
           const char        *text,
           const RlEvent     *change)
{
  gboolean retryable = FALSE;
  RlRetry *retry;
  guint id;

  if (text == NULL || change == NULL)
    return 0;
  switch (type)
    {
    case RL_REQUEST_CREATE_THREAD:
      retryable = change->thread != NULL;
      break;
    case RL_REQUEST_ADD_COMMENT:
    case RL_REQUEST_EDIT_COMMENT:
      retryable = change->thread_id != NULL;
      break;
    default:
      break;
    }
  if (!retryable)
    return 0;

  retry = g_new0 (RlRetry, 1);
  retry->type = type;
  retry->text = g_strdup (text);
  retry->doc_id = g_strdup (rl_doc_store_get_doc_id (self->store));
  if (type == RL_REQUEST_CREATE_THREAD)
    {
      const RlAnchor *anchor = &change->thread->anchor;

      retry->kind = anchor->kind;
      retry->x = anchor->x;
      retry->y = anchor->y;
      retry->start = (guint) CLAMP (anchor->start, 0, G_MAXUINT);
      retry->end = (guint) CLAMP (anchor->end, 0, G_MAXUINT);
    }
  else
    {
      retry->thread_id = g_strdup (change->thread_id);
      if (change->comment != NULL && change->comment->mentions != NULL)
        {
          GPtrArray *mentions = change->comment->mentions;

          retry->mentions = g_ptr_array_new_full (mentions->len, (GDestroyNotify) rl_mention_free);
          for (guint i = 0; i < mentions->len; i++)
            g_ptr_array_add (retry->mentions, rl_mention_copy (g_ptr_array_index (mentions, i)));
        }
    }
  id = ++self->next_id;
  g_hash_table_insert (self->retries, GUINT_TO_POINTER (id), retry);
  return id;
}

static void
on_mutation_failed (RlDocStore        *store,
                    RlRequestType      type,
                    const GError      *error,
                    const char        *text,
                    const RlEvent     *change,
                    RlRetryController *self)
{
  RlDocKind kind = change && change->thread ? change->thread->anchor.kind : self->kind;
  gint64 made_on = change == NULL ? 0 : change->thread ? change->thread->revision : change->revision;
  gboolean outdated = made_on > 0 && made_on < rl_doc_store_get_revision (store);
  g_autofree char *title = failure_title (type, kind, error, outdated);
  g_autoptr(AdwToast) toast = adw_toast_new (title);
  guint retry_id = add_retry (self, type, text, change);

  adw_toast_set_timeout (toast, 10);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  if (retry_id != 0)
    {
      adw_toast_set_button_label (toast, _("_Retry"));
      adw_toast_set_action_name (toast, "win.retry-change");
      adw_toast_set_action_target_value (toast, g_variant_new_uint32 (retry_id));
    }
  g_signal_emit (self, signals[SIGNAL_TOAST], 0, toast);
}

static void
rl_retry_controller_dispose (GObject *object)
{
  rl_retry_controller_set_store (RL_RETRY_CONTROLLER (object), NULL, RL_DOC_KIND_IMAGE);
  G_OBJECT_CLASS (rl_retry_controller_parent_class)->dispose (object);
}

static void
rl_retry_controller_finalize (GObject *object)
{
  RlRetryController *self = RL_RETRY_CONTROLLER (object);

  g_hash_table_unref (self->retries);
  G_OBJECT_CLASS (rl_retry_controller_parent_class)->finalize (object);
}

static void
rl_retry_controller_class_init (RlRetryControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_retry_controller_dispose;
  object_class->finalize = rl_retry_controller_finalize;

  /* (AdwToast *toast): what failed, and its Retry when it has one. */
  signals[SIGNAL_TOAST] =
    g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ADW_TYPE_TOAST);
}

static void
rl_retry_controller_init (RlRetryController *self)
{
  self->retries = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) rl_retry_free);
}

void
rl_retry_free (RlRetry *retry)
{
  g_free (retry->doc_id);
  g_free (retry->thread_id);
  g_free (retry->text);
  g_clear_pointer (&retry->mentions, g_ptr_array_unref);
  g_free (retry);
}

RlRetryController *
rl_retry_controller_new (void)
{
  return g_object_new (RL_TYPE_RETRY_CONTROLLER, NULL);
}

void
rl_retry_controller_set_store (RlRetryController *self,
                               RlDocStore        *store,
                               RlDocKind          kind)
{
  g_return_if_fail (RL_IS_RETRY_CONTROLLER (self));
  g_return_if_fail (store == NULL || RL_IS_DOC_STORE (store));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  self->kind = kind;
  if (store != NULL)
    g_signal_connect (store, "mutation-failed", G_CALLBACK (on_mutation_failed), self);
}

RlRetry *
rl_retry_controller_take (RlRetryController *self,
                          guint              id)
{
  gpointer key = GUINT_TO_POINTER (id);
  RlRetry *retry = NULL;

  g_return_val_if_fail (RL_IS_RETRY_CONTROLLER (self), NULL);

  if (!g_hash_table_steal_extended (self->retries, key, NULL, (gpointer *) &retry))
    return NULL;
  return retry;
}
