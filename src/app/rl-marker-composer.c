/* rl-marker-composer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-marker-composer-private.h"

struct _RlMarkerComposer
{
  RlComposerBase parent_instance;
};

G_DEFINE_FINAL_TYPE (RlMarkerComposer, rl_marker_composer, RL_TYPE_COMPOSER_BASE)

static void
rl_marker_composer_class_init (RlMarkerComposerClass *klass)
{
  gtk_widget_class_set_template_from_resource (GTK_WIDGET_CLASS (klass),
                                               "/io/github/redline/Redline/rl-marker-composer.ui");
}

static void
rl_marker_composer_init (RlMarkerComposer *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
rl_marker_composer_new (void)
{
  return g_object_new (RL_TYPE_MARKER_COMPOSER, NULL);
}

char *
rl_marker_composer_dup_text (RlMarkerComposer *self)
{
  g_return_val_if_fail (RL_IS_MARKER_COMPOSER (self), NULL);
  return rl_composer_base_dup_text (RL_COMPOSER_BASE (self));
}

void
rl_marker_composer_set_text (RlMarkerComposer *self,
                             const char       *text)
{
  g_return_if_fail (RL_IS_MARKER_COMPOSER (self));
  rl_composer_base_set_text (RL_COMPOSER_BASE (self), text);
}

void
rl_marker_composer_set_error (RlMarkerComposer *self,
                              const char       *message)
{
  g_return_if_fail (RL_IS_MARKER_COMPOSER (self));
  rl_composer_base_set_error (RL_COMPOSER_BASE (self), message);
}

const char *
rl_marker_composer_get_error (RlMarkerComposer *self)
{
  g_return_val_if_fail (RL_IS_MARKER_COMPOSER (self), NULL);
  return rl_composer_base_get_error (RL_COMPOSER_BASE (self));
}

GtkWidget *
rl_marker_composer_get_text_view (RlMarkerComposer *self)
{
  g_return_val_if_fail (RL_IS_MARKER_COMPOSER (self), NULL);
  return rl_composer_base_get_text_view (RL_COMPOSER_BASE (self));
}

GtkWidget *
rl_marker_composer_get_send_button (RlMarkerComposer *self)
{
  g_return_val_if_fail (RL_IS_MARKER_COMPOSER (self), NULL);
  return rl_composer_base_get_send_button (RL_COMPOSER_BASE (self));
}
