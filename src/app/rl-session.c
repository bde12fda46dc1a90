/* rl-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-session.h"

#include <glib/gi18n.h>

#include "rl-error.h"
#include "rl-error-text.h"
#include "rl-pinned-database.h"

struct _RlSession
{
  GObject       parent_instance;
  RlConnection *connection;
  RlApi        *api;
  char         *server_url;
  char         *host;
  char         *token;
  char         *fingerprint;  /* of the pinned certificate, or NULL */
  char         *label;
  gboolean      started;
  GCancellable *listing;      /* the members, asked on each welcome */
};

#define API_KEY "rl-session-api"


G_DEFINE_FINAL_TYPE (RlSession, rl_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_label (RlSession *self)
{
  const RlMessage *welcome = rl_connection_get_welcome (self->connection);
  g_autofree char *label = NULL;

  if (welcome == NULL)
    return;
  /* Translators: an account in the account menu, e.g. "Ada on review.example" */
  label = g_strdup_printf (_("%s on %s"), welcome->user.name, self->host);
  if (g_strcmp0 (label, self->label) == 0)
    return;
  g_free (self->label);
  self->label = g_steal_pointer (&label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

/* The documents' disk cache is the account's: read from the start when
 * the keyring names the user, written once the server has welcomed them
 * (so one account's documents never land in another's directory). */
static void
update_cache (RlSession *self)
{
  const RlMessage *welcome = rl_connection_get_welcome (self->connection);
  const char *user = welcome ? welcome->user.id : rl_connection_get_user_id (self->connection);
  RlDocCache *cache = rl_api_get_cache (self->api);
  g_autoptr(RlDocCache) other = NULL;

  if (user == NULL)
    return;
  if (cache == NULL || g_strcmp0 (rl_doc_cache_get_user_id (cache), user) != 0)
    cache = other = rl_doc_cache_new (NULL, rl_connection_get_url (self->connection), user, 0);
  rl_api_set_cache (self->api, cache, welcome != NULL);
}

static void
members_listed (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) members = rl_api_list_users_finish (RL_API (source), result, &error);

  /* A server before 1.2 has no list: nothing to complete, nothing wrong. */
  if (members == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Members not listed: %s", error->message);
}

/* The members (for mentions) as the server says them now: a rename shows
 * once the link is back at the latest. */
static void
list_members (RlSession *self)
{
  g_cancellable_cancel (self->listing);
  g_clear_object (&self->listing);
  self->listing = g_cancellable_new ();
  rl_api_list_users (self->api, self->listing, members_listed, NULL);
}

static void
on_state (RlSession *self)
{
  if (rl_connection_get_state (self->connection) == RL_CONNECTION_ONLINE)
    {
      update_label (self);
      update_cache (self);
      list_members (self);
    }
}

/* ---- the check ------------------------------------------------------------ */

typedef struct
{
  GSource *timeout;
  GSource *cancelled;
  gulong   state_handler;
} Check;

static void
check_free (Check *check)
{
  if (check->timeout)
    g_source_destroy (check->timeout);
  g_clear_pointer (&check->timeout, g_source_unref);
  if (check->cancelled)
    g_source_destroy (check->cancelled);
  g_clear_pointer (&check->cancelled, g_source_unref);
  g_free (check);
}

/* The one answer: the watches end with it, and a failed session stops. */
static void
check_done (GTask  *task,
            GError *error)
{
  RlSession *self = g_task_get_source_object (task);
  Check *check = g_task_get_task_data (task);

  g_clear_signal_handler (&check->state_handler, self->connection);
  if (check->timeout)
    g_source_destroy (check->timeout);
  if (check->cancelled)
    g_source_destroy (check->cancelled);
  if (error != NULL)
    {
      rl_session_stop (self);
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
check_state (RlConnection *connection,
             GParamSpec   *pspec,
             GTask        *task)
{
  const GError *why = rl_connection_get_last_error (connection);

  switch (rl_connection_get_state (connection))
    {
    case RL_CONNECTION_ONLINE:
      check_done (task, NULL);
      break;
    case RL_CONNECTION_UNAUTHORIZED:
      check_done (task, why ? g_error_copy (why)
                            : g_error_new_literal (RL_ERROR, RL_ERROR_UNAUTHORIZED,
                                                   rl_error_text (RL_ERROR_UNAUTHORIZED)));
      break;
    case RL_CONNECTION_UNTRUSTED:
      /* The connection always says which certificate it met. */
      g_return_if_fail (why != NULL);
      check_done (task, g_error_copy (why));
      break;
    case RL_CONNECTION_RECONNECTING:
      /* Retried for another reason than a failure (the network changed):
       * the answer is still to come. */
      if (why != NULL)
        check_done (task, g_error_copy (why));
      break;
    case RL_CONNECTION_OFFLINE:
      check_done (task, why ? g_error_copy (why)
                            : g_error_new_literal (RL_ERROR, RL_ERROR_OFFLINE, rl_error_text (RL_ERROR_OFFLINE)));
      break;
    case RL_CONNECTION_CONNECTING:
    default:
      break;
    }
}

static gboolean
check_timed_out (gpointer data)
{
  check_done (data, g_error_new_literal (RL_ERROR, RL_ERROR_TIMEOUT, rl_error_text (RL_ERROR_TIMEOUT)));
  return G_SOURCE_REMOVE;
}

static gboolean
check_cancelled (GCancellable *cancellable,
                 gpointer      data)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  check_done (data, error);
  return G_SOURCE_REMOVE;
}

/* ---- object ------------------------------------------------------------- */

static void
rl_session_dispose (GObject *object)
{
  RlSession *self = RL_SESSION (object);

  if (self->connection)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      rl_connection_stop (self->connection);
    }
  g_cancellable_cancel (self->listing);
  g_clear_object (&self->listing);
  g_clear_object (&self->connection);
  g_clear_object (&self->api);
  G_OBJECT_CLASS (rl_session_parent_class)->dispose (object);
}

static void
rl_session_finalize (GObject *object)
{
  RlSession *self = RL_SESSION (object);

  g_free (self->server_url);
  g_free (self->host);
  g_free (self->token);
  g_free (self->fingerprint);
  g_free (self->label);
  G_OBJECT_CLASS (rl_session_parent_class)->finalize (object);
}

static void
rl_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RlSession *self = RL_SESSION (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_session_class_init (RlSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_session_dispose;
  object_class->finalize = rl_session_finalize;
  object_class->get_property = rl_session_get_property;

  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rl_session_init (RlSession *self)
{
}

RlSession *
rl_session_new (const char    *server_url,
                const char    *token,
                const char    *user_id,
                GTlsDatabase  *tls_database,
                GError       **error)
{
  g_autoptr(RlSession) self = NULL;
  g_autoptr(GUri) uri = NULL;
  RlApi *api;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  api = rl_api_new (server_url, token, tls_database, error);
  if (api == NULL)
    return NULL;

  self = g_object_new (RL_TYPE_SESSION, NULL);
  self->api = api;
  self->server_url = g_strdup (server_url);
  self->token = g_strdup (token);
  if (tls_database != NULL && RL_IS_PINNED_DATABASE (tls_database))
    self->fingerprint = g_strdup (rl_pinned_database_get_fingerprint (RL_PINNED_DATABASE (tls_database)));
  uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_port (uri) > 0)
    self->host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  else
    self->host = g_strdup (uri ? g_uri_get_host (uri) : server_url);
  self->label = g_strdup (self->host);

  self->connection = rl_connection_new (server_url, token, tls_database);
  if (user_id != NULL)
    rl_connection_set_user_id (self->connection, user_id);
  /* The connection is the session's alone: widgets holding a store find
   * the members through it (rl_session_lookup_api). */
  g_object_set_data_full (G_OBJECT (self->connection), API_KEY, g_object_ref (api), g_object_unref);
  update_cache (self);
  g_signal_connect_swapped (self->connection, "notify::state", G_CALLBACK (on_state), self);
  return g_steal_pointer (&self);
}

void
rl_session_start (RlSession *self)
{
  g_return_if_fail (RL_IS_SESSION (self));
  if (self->started)
    return;
  self->started = TRUE;
  rl_connection_start (self->connection);
}

void
rl_session_stop (RlSession *self)
{
  g_return_if_fail (RL_IS_SESSION (self));
  if (!self->started)
    return;
  self->started = FALSE;
  rl_connection_stop (self->connection);
}

gboolean
rl_session_is_started (RlSession *self)
{
  g_return_val_if_fail (RL_IS_SESSION (self), FALSE);
  return self->started;
}

void
rl_session_check_async (RlSession           *self,
                        guint                timeout_ms,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Check *check;

  g_return_if_fail (RL_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_session_check_async);
  if (rl_connection_get_state (self->connection) == RL_CONNECTION_ONLINE)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  check = g_new0 (Check, 1);
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);
  /* The task holds itself until check_done. */
  g_object_ref (task);
  check->state_handler = g_signal_connect (self->connection, "notify::state", G_CALLBACK (check_state), task);
  check->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (check->timeout, check_timed_out, task, NULL);
  g_source_attach (check->timeout, g_main_context_get_thread_default ());
  if (cancellable != NULL)
    {
      /* In the main loop, not from g_cancellable_cancel's own stack. */
      check->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (check->cancelled, G_SOURCE_FUNC (check_cancelled), task, NULL);
      g_source_attach (check->cancelled, g_main_context_get_thread_default ());
    }
  if (self->started)
    rl_connection_retry_now (self->connection);
  else
    rl_session_start (self);
}

gboolean
rl_session_check_finish (RlSession     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

RlConnection *
rl_session_get_connection (RlSession *self)
{
  g_return_val_if_fail (RL_IS_SESSION (self), NULL);
  return self->connection;
}

RlApi *
rl_session_get_api (RlSession *self)
{
  g_return_val_if_fail (RL_IS_SESSION (self), NULL);
  return self->api;
}

const char *
rl_session_get_server_url (RlSession *self)
{
  g_return_val_if_fail (RL_IS_SESSION (self), NULL);
  return self->server_url;
}

const char *
rl_session_get_host (RlSession *self)
{
  g_return_val_if_fail (RL_IS_SESSION (self), NULL);
  return self->host;
}

const char *
rl_session_get_token (RlSession *self)
{
  g_return_val_if_fail (RL_IS_SESSION (self), NULL);
  return self->token;
}

const char *
rl_session_get_fingerprint (RlSession *self)
{
  g_return_val_if_fail (RL_IS_SESSION (self), NULL);
  return self->fingerprint;
}

const char *
rl_session_get_label (RlSession *self)
{
  g_return_val_if_fail (RL_IS_SESSION (self), NULL);
  return self->label;
}

void
rl_session_set_label (RlSession  *self,
                      const char *label)
{
  g_return_if_fail (RL_IS_SESSION (self));

  if (label == NULL || *label == '\0' || rl_connection_get_welcome (self->connection) != NULL ||
      g_strcmp0 (label, self->label) == 0)
    return;
  g_free (self->label);
  self->label = g_strdup (label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

char *
rl_session_dup_key (RlSession *self)
{
  const char *user;

  g_return_val_if_fail (RL_IS_SESSION (self), NULL);
  user = rl_connection_get_user_id (self->connection);
  return g_strdup_printf ("%s %s", self->server_url, user ? user : "");
}

RlApi *
rl_session_lookup_api (RlConnection *connection)
{
  g_return_val_if_fail (RL_IS_CONNECTION (connection), NULL);
  return g_object_get_data (G_OBJECT (connection), API_KEY);
}
