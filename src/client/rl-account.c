/* rl-account.c — a server and a user on it, the token kept in the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "rl-account.h"
#include "rl-invite.h"

/* The keyring item's label starts with this so that an item means something
 * in a keyring browser; it is not translated because it is read back. */
#define ITEM_LABEL_PREFIX "Redline: "

struct _RlAccount
{
  GObject   parent_instance;

  char     *server_url;
  char     *user_id;
  char     *label;
  char     *fingerprint;   /* NULL: no certificate pinned */
};

G_DEFINE_FINAL_TYPE (RlAccount, rl_account, G_TYPE_OBJECT)

G_DEFINE_QUARK (rl-account-error-quark, rl_account_error)

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_USER_ID,
  PROP_TLS,
  PROP_LABEL,
  PROP_FINGERPRINT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const SecretSchema *
account_schema (void)
{
  static const SecretSchema schema = {
    RL_ACCOUNT_SCHEMA_NAME,
    SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "fingerprint", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* What finds the account's item: its server and its user. */
static GHashTable *
account_attributes (RlAccount *self)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  /* The table borrows the strings: it lives no longer than the call. */
  g_hash_table_insert (attributes, (gpointer) "server", self->server_url);
  g_hash_table_insert (attributes, (gpointer) "user", self->user_id);
  return attributes;
}

/* What the item holds besides: the pinned certificate, when there is one. */
static GHashTable *
item_attributes (RlAccount *self)
{
  GHashTable *attributes = account_attributes (self);

  if (self->fingerprint != NULL)
    g_hash_table_insert (attributes, (gpointer) "fingerprint", self->fingerprint);
  return attributes;
}

/* What libsecret says, in terms the app can act on: no keyring at all,
 * a locked one, or a refusal. Messages from libsecret and D-Bus never hold
 * the secret, so they are kept as the detail. */
static GError *
keyring_error (GError *error)
{
  GError *mapped;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    mapped = g_error_new (RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_LOCKED, _("The keyring is locked: %s"), error->message);
  else if (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR || error->domain == G_SPAWN_ERROR)
    /* No bus, no Secret Service on it, or one that went away mid-call. */
    mapped = g_error_new (RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_NO_KEYRING,
                          _("No keyring is available (is a Secret Service such as GNOME Keyring running?): %s"),
                          error->message);
  else
    mapped = g_error_new (RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_FAILED, _("The keyring refused: %s"), error->message);
  g_error_free (error);
  return mapped;
}

/* libsecret found the item's keyring locked and the unlock prompt was
 * dismissed (or could not be shown). */
static void
return_not_unlocked (GTask *task)
{
  g_task_return_new_error (task, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_LOCKED,
                           _("The keyring is locked and was not unlocked"));
}

/* The items a keyring search found (maybe none); FALSE once task has
 * returned what the search's failure means. */
static gboolean
search_finish (GAsyncResult  *result,
               GTask         *task,
               GList        **items)
{
  GError *error = NULL;

  *items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, keyring_error (error));
      return FALSE;
    }
  return TRUE;
}

/* A libsecret call on the account's item: secret_password_lookupv or
 * secret_password_clearv. */
typedef void (*ItemCall) (const SecretSchema  *schema,
                          GHashTable          *attributes,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data);

/* Makes call on the item of task's account, done finishing it for task. */
static void
call_on_item (GTask               *task,
              ItemCall             call,
              GAsyncReadyCallback  done)
{
  g_autoptr(GHashTable) attributes = account_attributes (g_task_get_source_object (task));

  call (account_schema (), attributes, g_task_get_cancellable (task), done, task);
}

/* Non-empty UTF-8 without spaces or control characters: a user id or a
 * token, both keyring attributes or secrets that must read back the same. */
static gboolean
is_one_word (const char *str)
{
  if (*str == '\0' || !g_utf8_validate (str, -1, NULL))
    return FALSE;
  for (const char *p = str; *p; p++)
    if (g_ascii_iscntrl (*p) || *p == ' ')
      return FALSE;
  return TRUE;
}

static gboolean
user_id_is_valid (const char *user_id)
{
  return user_id != NULL && strlen (user_id) <= 256 && is_one_word (user_id);
}

/* "USER on HOST[:PORT]": what an account is called until it has a name. */
static char *
default_label (RlAccount *self)
{
  const char *host = strstr (self->server_url, "://") + 3;

  return g_strdup_printf ("%s on %s", self->user_id, host);
}

static void
rl_account_finalize (GObject *object)
{
  RlAccount *self = RL_ACCOUNT (object);

  g_free (self->server_url);
  g_free (self->user_id);
  g_free (self->label);
  g_free (self->fingerprint);

  G_OBJECT_CLASS (rl_account_parent_class)->finalize (object);
}

static void
rl_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RlAccount *self = RL_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_TLS:
      g_value_set_boolean (value, rl_account_get_tls (self));
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_account_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  RlAccount *self = RL_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      rl_account_set_label (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_account_class_init (RlAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rl_account_finalize;
  object_class->get_property = rl_account_get_property;
  object_class->set_property = rl_account_set_property;

  /* Identity is fixed by rl_account_new(), which checks it. */
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_ID] =
    g_param_spec_string ("user-id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TLS] =
    g_param_spec_boolean ("tls", NULL, NULL, TRUE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Checked by rl_account_set_fingerprint(), which can fail. */
  properties[PROP_FINGERPRINT] =
    g_param_spec_string ("fingerprint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rl_account_init (RlAccount *self)
{
}

RlAccount *
rl_account_new (const char  *server_url,
                const char  *user_id,
                const char  *label,
                GError     **error)
{
  g_autoptr(GError) url_error = NULL;
  g_autofree char *normalized = NULL;
  RlAccount *self;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = rl_server_url_normalize (server_url, &url_error);
  if (normalized == NULL)
    {
      g_set_error (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID, _("Not a server address: %s"), url_error->message);
      return NULL;
    }
  if (!user_id_is_valid (user_id))
    {
      g_set_error_literal (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID, _("Not a user id"));
      return NULL;
    }

  self = g_object_new (RL_TYPE_ACCOUNT, NULL);
  self->server_url = g_steal_pointer (&normalized);
  self->user_id = g_strdup (user_id);
  rl_account_set_label (self, label);
  return self;
}

const char *
rl_account_get_server_url (RlAccount *self)
{
  g_return_val_if_fail (RL_IS_ACCOUNT (self), NULL);

  return self->server_url;
}

const char *
rl_account_get_user_id (RlAccount *self)
{
  g_return_val_if_fail (RL_IS_ACCOUNT (self), NULL);

  return self->user_id;
}

gboolean
rl_account_get_tls (RlAccount *self)
{
  g_return_val_if_fail (RL_IS_ACCOUNT (self), FALSE);

  return g_str_has_prefix (self->server_url, "wss://");
}

const char *
rl_account_get_label (RlAccount *self)
{
  g_return_val_if_fail (RL_IS_ACCOUNT (self), NULL);

  return self->label;
}

void
rl_account_set_label (RlAccount  *self,
                      const char *label)
{
  g_autofree char *clean = NULL;

  g_return_if_fail (RL_IS_ACCOUNT (self));
  /* Only rl_account_new() makes usable accounts. */
  g_return_if_fail (self->server_url != NULL);

  if (label != NULL)
    {
      /* A name from a server or a keyring is not trusted to be text. */
      clean = g_utf8_make_valid (label, -1);
      g_strstrip (clean);
    }
  if (clean == NULL || *clean == '\0')
    {
      g_free (clean);
      clean = default_label (self);
    }
  if (g_strcmp0 (clean, self->label) == 0)
    return;
  g_free (self->label);
  self->label = g_steal_pointer (&clean);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

const char *
rl_account_get_fingerprint (RlAccount *self)
{
  g_return_val_if_fail (RL_IS_ACCOUNT (self), NULL);

  return self->fingerprint;
}

gboolean
rl_account_set_fingerprint (RlAccount   *self,
                            const char  *fingerprint,
                            GError     **error)
{
  g_autoptr(GError) fp_error = NULL;
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (RL_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (self->server_url != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (fingerprint != NULL)
    {
      if (!rl_account_get_tls (self))
        {
          g_set_error_literal (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID,
                               _("A certificate can only be pinned for a wss:// address"));
          return FALSE;
        }
      normalized = rl_fingerprint_normalize (fingerprint, &fp_error);
      if (normalized == NULL)
        {
          g_set_error_literal (error, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID, fp_error->message);
          return FALSE;
        }
    }
  if (g_strcmp0 (normalized, self->fingerprint) == 0)
    return TRUE;
  g_free (self->fingerprint);
  self->fingerprint = g_steal_pointer (&normalized);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINGERPRINT]);
  return TRUE;
}

gboolean
rl_account_equal (RlAccount *a,
                  RlAccount *b)
{
  g_return_val_if_fail (RL_IS_ACCOUNT (a), FALSE);
  g_return_val_if_fail (RL_IS_ACCOUNT (b), FALSE);

  return strcmp (a->server_url, b->server_url) == 0 && strcmp (a->user_id, b->user_id) == 0;
}

/* ---- save ---------------------------------------------------------------- */

/* The other items of this (server, user) — kept with another fingerprint
 * or none, which the keyring does not count as the same item — go, one at
 * a time, so one item is left. */
static void prune_next (GTask *task);

static void
on_pruned (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_item_delete_finish (SECRET_ITEM (source), result, &error))
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  prune_next (g_steal_pointer (&task));
}

static void
prune_next (GTask *task)
{
  GQueue *stale = g_task_get_task_data (task);
  g_autoptr(SecretItem) item = g_queue_pop_head (stale);

  if (item == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  secret_item_delete (item, g_task_get_cancellable (task), on_pruned, task);
}

static void
stale_queue_free (GQueue *stale)
{
  g_queue_free_full (stale, g_object_unref);
}

static void
on_siblings_found (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RlAccount *self = g_task_get_source_object (task);
  GQueue *stale;
  GList *items;

  if (!search_finish (result, task, &items))
    return;
  stale = g_queue_new ();
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (l->data);

      if (SECRET_IS_ITEM (l->data) &&
          g_strcmp0 (g_hash_table_lookup (attributes, "fingerprint"), self->fingerprint) != 0)
        g_queue_push_tail (stale, g_object_ref (l->data));
    }
  g_list_free_full (items, g_object_unref);
  g_task_set_task_data (task, stale, (GDestroyNotify) stale_queue_free);
  prune_next (g_steal_pointer (&task));
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    {
      RlAccount *self = g_task_get_source_object (task);
      GCancellable *cancellable = g_task_get_cancellable (task);
      g_autoptr(GHashTable) attributes = account_attributes (self);

      secret_password_searchv (account_schema (), attributes, SECRET_SEARCH_ALL, cancellable, on_siblings_found,
                               g_steal_pointer (&task));
    }
  else if (error != NULL)
    g_task_return_error (task, keyring_error (error));
  else
    /* libsecret's way of saying the unlock prompt was dismissed. */
    return_not_unlocked (task);
}

void
rl_account_save (RlAccount           *self,
                 const char          *token,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *item_label = NULL;

  g_return_if_fail (RL_IS_ACCOUNT (self));
  g_return_if_fail (token != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_account_save);

  if (!is_one_word (token))
    {
      g_task_return_new_error (task, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_INVALID, _("Not a token"));
      return;
    }

  attributes = item_attributes (self);
  item_label = g_strconcat (ITEM_LABEL_PREFIX, self->label, NULL);
  secret_password_storev (account_schema (), attributes, SECRET_COLLECTION_DEFAULT, item_label, token,
                          cancellable, on_stored, g_steal_pointer (&task));
}

gboolean
rl_account_save_finish (RlAccount     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (RL_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- nothing found: absent, or locked? ------------------------------------ */

/* libsecret answers a lookup or a clear that found nothing it could open
 * with "nothing" and no error, also when the item is there but its keyring
 * stayed locked (the unlock prompt was dismissed or could not be shown).
 * A search without unlocking tells the two apart. */
static void
on_missing_searched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GList *items;
  gboolean locked = FALSE;

  if (!search_finish (result, task, &items))
    return;
  for (GList *l = items; l != NULL; l = l->next)
    if (SECRET_IS_ITEM (l->data) && secret_item_get_locked (l->data))
      locked = TRUE;
  g_list_free_full (items, g_object_unref);

  if (locked)
    return_not_unlocked (task);
  else
    g_task_return_new_error (task, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_NOT_FOUND,
                             _("No token is stored for this account"));
}

static void
return_missing (GTask *task)
{
  RlAccount *self = g_task_get_source_object (task);
  g_autoptr(GHashTable) attributes = account_attributes (self);

  secret_password_searchv (account_schema (), attributes, SECRET_SEARCH_ALL, g_task_get_cancellable (task),
                           on_missing_searched, task);
}

/* ---- lookup -------------------------------------------------------------- */

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, keyring_error (error));
  else if (secret == NULL)
    return_missing (g_steal_pointer (&task));
  else
    {
      /* libsecret's copy is wiped when freed; ours is a plain string. */
      g_task_return_pointer (task, g_strdup (secret), g_free);
      secret_password_free (secret);
    }
}

void
rl_account_lookup_token (RlAccount           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RL_IS_ACCOUNT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_account_lookup_token);
  call_on_item (task, secret_password_lookupv, on_looked_up);
}

char *
rl_account_lookup_token_finish (RlAccount     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (RL_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- delete -------------------------------------------------------------- */

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_clear_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else if (error != NULL)
    g_task_return_error (task, keyring_error (error));
  else
    return_missing (g_steal_pointer (&task));
}

void
rl_account_delete (RlAccount           *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RL_IS_ACCOUNT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_account_delete);
  call_on_item (task, secret_password_clearv, on_cleared);
}

gboolean
rl_account_delete_finish (RlAccount     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (RL_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- list ---------------------------------------------------------------- */

static int
compare_accounts (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  RlAccount *x = (RlAccount *) a;
  RlAccount *y = (RlAccount *) b;
  int by_label = g_utf8_collate (x->label, y->label);

  if (by_label != 0)
    return by_label;
  by_label = strcmp (x->server_url, y->server_url);
  return by_label != 0 ? by_label : strcmp (x->user_id, y->user_id);
}

static void
on_searched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GListStore) accounts = NULL;
  GList *items;

  if (!search_finish (result, task, &items))
    return;

  accounts = g_list_store_new (RL_TYPE_ACCOUNT);
  for (GList *l = items; l != NULL; l = l->next)
    {
      SecretRetrievable *item = l->data;
      g_autoptr(GHashTable) attributes = NULL;
      g_autofree char *label = NULL;
      g_autoptr(RlAccount) account = NULL;
      const char *shown;

      /* The unlock was refused: what is stored there can't be read. */
      if (SECRET_IS_ITEM (item) && secret_item_get_locked (SECRET_ITEM (item)))
        {
          g_list_free_full (items, g_object_unref);
          g_task_return_new_error (task, RL_ACCOUNT_ERROR, RL_ACCOUNT_ERROR_LOCKED,
                                   _("The keyring is locked: its accounts can’t be listed"));
          return;
        }
      attributes = secret_retrievable_get_attributes (item);
      label = secret_retrievable_get_label (item);
      shown = label && g_str_has_prefix (label, ITEM_LABEL_PREFIX) ? label + strlen (ITEM_LABEL_PREFIX) : label;
      account = rl_account_new (g_hash_table_lookup (attributes, "server") ?: "",
                                g_hash_table_lookup (attributes, "user"), shown, NULL);
      /* An item of our schema that we did not write (or an older form):
       * not an account this version can use. A fingerprint that is not
       * one leaves it out too: dropped, it would trust whatever the
       * system's authorities vouch for instead. */
      if (account == NULL ||
          !rl_account_set_fingerprint (account, g_hash_table_lookup (attributes, "fingerprint"), NULL))
        {
          g_debug ("skipping a keyring item of schema %s with unusable attributes", RL_ACCOUNT_SCHEMA_NAME);
          continue;
        }
      g_list_store_insert_sorted (accounts, account, compare_accounts, NULL);
    }
  g_list_free_full (items, g_object_unref);
  g_task_return_pointer (task, g_steal_pointer (&accounts), g_object_unref);
}

void
rl_account_list_all (GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rl_account_list_all);
  /* No attribute: every item of the schema (libsecret adds xdg:schema). */
  attributes = g_hash_table_new (g_str_hash, g_str_equal);
  secret_password_searchv (account_schema (), attributes, SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK,
                           cancellable, on_searched, task);
}

GListModel *
rl_account_list_all_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
