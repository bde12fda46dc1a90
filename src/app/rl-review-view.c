/* rl-review-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-review-view.h"

typedef struct
{
  RlReviewState *state;
} RlReviewViewPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (RlReviewView, rl_review_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

/* The state's notifications, each to the class's handler for it. */
static const struct
{
  const char *signal;
  gsize       vfunc;
} watched[] = {
  { "notify::store", G_STRUCT_OFFSET (RlReviewViewClass, store_changed) },
  { "notify::selected-thread", G_STRUCT_OFFSET (RlReviewViewClass, selection_changed) },
  { "notify::hide-resolved", G_STRUCT_OFFSET (RlReviewViewClass, filter_changed) },
  { "notify::can-create", G_STRUCT_OFFSET (RlReviewViewClass, can_create_changed) },
  { "notify::cannot-create-reason", G_STRUCT_OFFSET (RlReviewViewClass, can_create_changed) },
  { "notify::revision", G_STRUCT_OFFSET (RlReviewViewClass, revision_changed) },
  { "notify::placing-thread", G_STRUCT_OFFSET (RlReviewViewClass, placing_changed) },
};

static void
rl_review_view_constructed (GObject *object)
{
  RlReviewView *self = RL_REVIEW_VIEW (object);
  RlReviewViewPrivate *priv = rl_review_view_get_instance_private (self);
  RlReviewViewClass *klass = RL_REVIEW_VIEW_GET_CLASS (self);

  G_OBJECT_CLASS (rl_review_view_parent_class)->constructed (object);

  if (priv->state == NULL)
    priv->state = rl_review_state_new ();
  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    {
      GCallback handler = G_STRUCT_MEMBER (GCallback, klass, watched[i].vfunc);

      if (handler != NULL)
        g_signal_connect_swapped (priv->state, watched[i].signal, handler, self);
    }
  if (klass->store_changed != NULL)
    klass->store_changed (self);
  if (klass->can_create_changed != NULL)
    klass->can_create_changed (self);
}

static void
rl_review_view_dispose (GObject *object)
{
  RlReviewView *self = RL_REVIEW_VIEW (object);
  RlReviewViewPrivate *priv = rl_review_view_get_instance_private (self);

  if (priv->state != NULL)
    g_signal_handlers_disconnect_by_data (priv->state, self);
  g_clear_object (&priv->state);
  G_OBJECT_CLASS (rl_review_view_parent_class)->dispose (object);
}

static void
rl_review_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RlReviewView *self = RL_REVIEW_VIEW (object);
  RlReviewViewPrivate *priv = rl_review_view_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_object (value, priv->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_review_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  RlReviewView *self = RL_REVIEW_VIEW (object);
  RlReviewViewPrivate *priv = rl_review_view_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STATE:
      priv->state = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_review_view_class_init (RlReviewViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = rl_review_view_constructed;
  object_class->dispose = rl_review_view_dispose;
  object_class->get_property = rl_review_view_get_property;
  object_class->set_property = rl_review_view_set_property;

  properties[PROP_STATE] =
    g_param_spec_object ("state", NULL, NULL, RL_TYPE_REVIEW_STATE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rl_review_view_init (RlReviewView *self)
{
}

RlReviewState *
rl_review_view_get_state (RlReviewView *self)
{
  RlReviewViewPrivate *priv;

  g_return_val_if_fail (RL_IS_REVIEW_VIEW (self), NULL);

  priv = rl_review_view_get_instance_private (self);
  return priv->state;
}

RlDocStore *
rl_review_view_get_store_of_kind (RlReviewView *self,
                                  RlDocKind     kind)
{
  RlReviewState *state = rl_review_view_get_state (self);

  g_return_val_if_fail (state != NULL, NULL);

  return rl_review_state_get_kind (state) == kind ? rl_review_state_get_store (state) : NULL;
}

const char *
rl_review_view_get_cannot_create_message (RlReviewView *self,
                                          const char   *fallback)
{
  RlReviewState *state = rl_review_view_get_state (self);
  const char *reason;

  g_return_val_if_fail (state != NULL, fallback);

  reason = rl_review_state_get_cannot_create_reason (state);
  return reason && *reason ? reason : fallback;
}
