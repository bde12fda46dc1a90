/* rl-subscriber.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-subscriber.h"

struct _RlSubscriber
{
  GObject                  parent_instance;
  char                    *id;
  RlPrincipal              principal;   /* tenant and user copied; no token */
  const RlSubscriberFuncs *funcs;
  gpointer                 owner;       /* NULL once disowned */
  gboolean                 deflate;
  gboolean                 revisions;
};

G_DEFINE_FINAL_TYPE (RlSubscriber, rl_subscriber, G_TYPE_OBJECT)

static void
rl_subscriber_finalize (GObject *object)
{
  RlSubscriber *self = RL_SUBSCRIBER (object);

  g_free (self->id);
  g_free (self->principal.tenant);
  g_free (self->principal.user.id);
  g_free (self->principal.user.name);
  G_OBJECT_CLASS (rl_subscriber_parent_class)->finalize (object);
}

static void
rl_subscriber_class_init (RlSubscriberClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_subscriber_finalize;
}

static void
rl_subscriber_init (RlSubscriber *self)
{
}

RlSubscriber *
rl_subscriber_new (const char              *id,
                   const RlPrincipal       *principal,
                   const RlSubscriberFuncs *funcs,
                   gpointer                 owner)
{
  RlSubscriber *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (principal != NULL, NULL);
  g_return_val_if_fail (funcs != NULL && funcs->send_frame != NULL, NULL);

  self = g_object_new (RL_TYPE_SUBSCRIBER, NULL);
  self->id = g_strdup (id);
  self->principal.tenant = g_strdup (principal->tenant);
  self->principal.user.id = g_strdup (principal->user.id);
  self->principal.user.name = g_strdup (principal->user.name);
  self->principal.role = principal->role;
  self->principal.token_generation = principal->token_generation;
  self->funcs = funcs;
  self->owner = owner;
  return self;
}

const char *
rl_subscriber_get_id (RlSubscriber *self)
{
  g_return_val_if_fail (RL_IS_SUBSCRIBER (self), NULL);

  return self->id;
}

const RlPrincipal *
rl_subscriber_get_principal (RlSubscriber *self)
{
  g_return_val_if_fail (RL_IS_SUBSCRIBER (self), NULL);

  return &self->principal;
}

void
rl_subscriber_set_deflate (RlSubscriber *self,
                           gboolean      deflate)
{
  self->deflate = !!deflate;
}

gboolean
rl_subscriber_get_deflate (RlSubscriber *self)
{
  return self->deflate;
}

void
rl_subscriber_set_revisions (RlSubscriber *self,
                             gboolean      revisions)
{
  g_return_if_fail (RL_IS_SUBSCRIBER (self));
  self->revisions = revisions;
}

gboolean
rl_subscriber_get_revisions (RlSubscriber *self)
{
  g_return_val_if_fail (RL_IS_SUBSCRIBER (self), FALSE);
  return self->revisions;
}

guint
rl_subscriber_send_frame (RlSubscriber *self,
                          GBytes       *frame)
{
  g_autoptr(GError) error = NULL;

  if (self->owner == NULL)
    return 0;
  if (self->funcs->send_frame (self->owner, frame, &error))
    return 1;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    {
      g_debug ("subscriber %s: %s", self->id, error->message);
      if (self->funcs->overflow)
        self->funcs->overflow (self->owner);
    }
  return 0;
}

void
rl_subscriber_close (RlSubscriber *self,
                     gushort       code,
                     const char   *reason)
{
  if (self->owner != NULL && self->funcs->close != NULL)
    self->funcs->close (self->owner, code, reason);
}

void
rl_subscriber_disown (RlSubscriber *self)
{
  g_return_if_fail (RL_IS_SUBSCRIBER (self));

  self->owner = NULL;
}
