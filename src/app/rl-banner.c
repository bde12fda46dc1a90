/* rl-banner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-banner.h"

struct _RlBanner
{
  GtkWidget    parent_instance;
  GtkRevealer *revealer;
  GtkLabel    *label;
  GtkButton   *button;
  char        *title;
  char        *button_label;
};

G_DEFINE_FINAL_TYPE (RlBanner, rl_banner, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_BUTTON_LABEL,
  PROP_REVEALED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_BUTTON_CLICKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* g_set_str arrives in GLib 2.76. */
static gboolean
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* Hidden, the banner is not visible at all once it has slid out: its
 * wrapping label is then measured no more at each layout of the window. */
static void
on_child_revealed (RlBanner *self)
{
  if (!gtk_revealer_get_reveal_child (self->revealer) && !gtk_revealer_get_child_revealed (self->revealer))
    gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

static void
on_button_clicked (RlBanner *self)
{
  g_signal_emit (self, signals[SIGNAL_BUTTON_CLICKED], 0);
}

static void
rl_banner_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RL_TYPE_BANNER);
  /* Unnamed template children are not unparented by it in GTK 4.8. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (rl_banner_parent_class)->dispose (object);
}

static void
rl_banner_finalize (GObject *object)
{
  RlBanner *self = RL_BANNER (object);

  g_free (self->title);
  g_free (self->button_label);
  G_OBJECT_CLASS (rl_banner_parent_class)->finalize (object);
}

static void
rl_banner_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RlBanner *self = RL_BANNER (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_BUTTON_LABEL:
      g_value_set_string (value, self->button_label);
      break;
    case PROP_REVEALED:
      g_value_set_boolean (value, rl_banner_get_revealed (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_banner_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  RlBanner *self = RL_BANNER (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      rl_banner_set_title (self, g_value_get_string (value));
      break;
    case PROP_BUTTON_LABEL:
      rl_banner_set_button_label (self, g_value_get_string (value));
      break;
    case PROP_REVEALED:
      rl_banner_set_revealed (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_banner_class_init (RlBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_banner_dispose;
  object_class->finalize = rl_banner_finalize;
  object_class->get_property = rl_banner_get_property;
  object_class->set_property = rl_banner_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUTTON_LABEL] =
    g_param_spec_string ("button-label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVEALED] =
    g_param_spec_boolean ("revealed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_BUTTON_CLICKED] =
    g_signal_new ("button-clicked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, RlBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, RlBanner, label);
  gtk_widget_class_bind_template_child (widget_class, RlBanner, button);
  gtk_widget_class_bind_template_callback (widget_class, on_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_child_revealed);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "banner");
  /* Screen readers announce what it says when it changes. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
}

static void
rl_banner_init (RlBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "banner");
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
rl_banner_new (void)
{
  return g_object_new (RL_TYPE_BANNER, NULL);
}

const char *
rl_banner_get_title (RlBanner *self)
{
  g_return_val_if_fail (RL_IS_BANNER (self), NULL);
  return self->title;
}

void
rl_banner_set_title (RlBanner   *self,
                     const char *title)
{
  g_return_if_fail (RL_IS_BANNER (self));

  if (!set_str (&self->title, title))
    return;
  gtk_label_set_text (self->label, title ? title : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title ? title : "",
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
rl_banner_get_button_label (RlBanner *self)
{
  g_return_val_if_fail (RL_IS_BANNER (self), NULL);
  return self->button_label;
}

void
rl_banner_set_button_label (RlBanner   *self,
                            const char *label)
{
  g_return_if_fail (RL_IS_BANNER (self));

  if (!set_str (&self->button_label, label))
    return;
  gtk_button_set_label (self->button, label ? label : "");
  gtk_widget_set_visible (GTK_WIDGET (self->button), label != NULL && *label != '\0');
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUTTON_LABEL]);
}

gboolean
rl_banner_get_revealed (RlBanner *self)
{
  g_return_val_if_fail (RL_IS_BANNER (self), FALSE);
  return gtk_revealer_get_reveal_child (self->revealer);
}

void
rl_banner_set_revealed (RlBanner *self,
                        gboolean  revealed)
{
  g_return_if_fail (RL_IS_BANNER (self));

  revealed = !!revealed;
  if (revealed == gtk_revealer_get_reveal_child (self->revealer))
    return;
  if (revealed)
    gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  gtk_revealer_set_reveal_child (self->revealer, revealed);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVEALED]);
}
