/* rl-annotation-composer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-annotation-composer-private.h"

#include <glib/gi18n.h>

struct _RlAnnotationComposer
{
  RlComposerBase  parent_instance;
  GtkLabel       *quote_label;
  char           *quote;
};

G_DEFINE_FINAL_TYPE (RlAnnotationComposer, rl_annotation_composer, RL_TYPE_COMPOSER_BASE)

static void
rl_annotation_composer_finalize (GObject *object)
{
  RlAnnotationComposer *self = RL_ANNOTATION_COMPOSER (object);

  g_free (self->quote);
  G_OBJECT_CLASS (rl_annotation_composer_parent_class)->finalize (object);
}

static void
rl_annotation_composer_class_init (RlAnnotationComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rl_annotation_composer_finalize;
}

static void
rl_annotation_composer_init (RlAnnotationComposer *self)
{
  g_object_set (self, "heading", _("Comment on selection"), "text-width", 300, NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self), "annotation-composer");

  self->quote_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->quote_label, 0);
  gtk_label_set_wrap (self->quote_label, TRUE);
  gtk_label_set_wrap_mode (self->quote_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (self->quote_label, 3);
  gtk_label_set_ellipsize (self->quote_label, PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (self->quote_label, 40);
  gtk_widget_add_css_class (GTK_WIDGET (self->quote_label), "annotation-quote");
  rl_composer_base_add_header (RL_COMPOSER_BASE (self), GTK_WIDGET (self->quote_label));
}

GtkWidget *
rl_annotation_composer_new (void)
{
  return g_object_new (RL_TYPE_ANNOTATION_COMPOSER, NULL);
}

void
rl_annotation_composer_set_quote (RlAnnotationComposer *self,
                                  const char           *quote)
{
  g_autofree char *shown = NULL;

  g_return_if_fail (RL_IS_ANNOTATION_COMPOSER (self));

  g_free (self->quote);
  self->quote = g_strdup (quote);
  /* Translators: the annotated passage, quoted */
  shown = quote && *quote ? g_strdup_printf (_("“%s”"), quote) : g_strdup ("");
  gtk_label_set_text (self->quote_label, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->quote_label), quote && *quote);
}

const char *
rl_annotation_composer_get_quote (RlAnnotationComposer *self)
{
  g_return_val_if_fail (RL_IS_ANNOTATION_COMPOSER (self), NULL);
  return self->quote;
}

char *
rl_annotation_composer_dup_text (RlAnnotationComposer *self)
{
  g_return_val_if_fail (RL_IS_ANNOTATION_COMPOSER (self), NULL);
  return rl_composer_base_dup_text (RL_COMPOSER_BASE (self));
}

void
rl_annotation_composer_set_text (RlAnnotationComposer *self,
                                 const char           *text)
{
  g_return_if_fail (RL_IS_ANNOTATION_COMPOSER (self));
  rl_composer_base_set_text (RL_COMPOSER_BASE (self), text);
}

void
rl_annotation_composer_set_error (RlAnnotationComposer *self,
                                  const char           *message)
{
  g_return_if_fail (RL_IS_ANNOTATION_COMPOSER (self));
  rl_composer_base_set_error (RL_COMPOSER_BASE (self), message);
}

const char *
rl_annotation_composer_get_error (RlAnnotationComposer *self)
{
  g_return_val_if_fail (RL_IS_ANNOTATION_COMPOSER (self), NULL);
  return rl_composer_base_get_error (RL_COMPOSER_BASE (self));
}

GtkWidget *
rl_annotation_composer_get_text_view (RlAnnotationComposer *self)
{
  g_return_val_if_fail (RL_IS_ANNOTATION_COMPOSER (self), NULL);
  return rl_composer_base_get_text_view (RL_COMPOSER_BASE (self));
}

GtkWidget *
rl_annotation_composer_get_send_button (RlAnnotationComposer *self)
{
  g_return_val_if_fail (RL_IS_ANNOTATION_COMPOSER (self), NULL);
  return rl_composer_base_get_send_button (RL_COMPOSER_BASE (self));
}
