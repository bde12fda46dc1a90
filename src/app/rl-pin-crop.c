/* rl-pin-crop.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-pin-crop.h"

/* The ring where the pin was: one of the pins' red inside a light one,
 * seen on any picture. */
#define RING_RADIUS 7.0
#define RING_WIDTH  2.0

struct _RlPinCrop
{
  GtkWidget   parent_instance;

  GdkTexture *texture;
  double      pin_x;
  double      pin_y;
};

G_DEFINE_FINAL_TYPE (RlPinCrop, rl_pin_crop, GTK_TYPE_WIDGET)

/* The texture's size fitted in RL_PIN_CROP_WIDTH × RL_PIN_CROP_HEIGHT. */
static void
fitted_size (RlPinCrop *self,
             int       *width,
             int       *height)
{
  double texture_width, texture_height, scale;

  if (self->texture == NULL)
    {
      *width = *height = 0;
      return;
    }
  texture_width = gdk_texture_get_width (self->texture);
  texture_height = gdk_texture_get_height (self->texture);
  scale = MIN (RL_PIN_CROP_WIDTH / texture_width, RL_PIN_CROP_HEIGHT / texture_height);
  *width = MAX (1, (int) (texture_width * scale + 0.5));
  *height = MAX (1, (int) (texture_height * scale + 0.5));
}

static void
append_ring (GtkSnapshot   *snapshot,
             double         x,
             double         y,
             double         radius,
             const GdkRGBA *color)
{
  GskRoundedRect ring;
  float widths[4] = { RING_WIDTH, RING_WIDTH, RING_WIDTH, RING_WIDTH };
  GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&ring, &GRAPHENE_RECT_INIT (x - radius, y - radius, 2 * radius, 2 * radius),
                                   radius);
  gtk_snapshot_append_border (snapshot, &ring, widths, colors);
}

static void
rl_pin_crop_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  int width, height;

  fitted_size (RL_PIN_CROP (widget), &width, &height);
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? width : height;
}

static void
rl_pin_crop_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  RlPinCrop *self = RL_PIN_CROP (widget);
  const GdkRGBA light = { 1, 1, 1, 0.9 };
  const GdkRGBA red = { 0.88, 0.11, 0.14, 1 };
  int width, height;
  double x, y;

  if (self->texture == NULL)
    return;
  fitted_size (self, &width, &height);
  gtk_snapshot_append_texture (snapshot, self->texture, &GRAPHENE_RECT_INIT (0, 0, width, height));
  x = self->pin_x * width;
  y = self->pin_y * height;
  append_ring (snapshot, x, y, RING_RADIUS + RING_WIDTH, &light);
  append_ring (snapshot, x, y, RING_RADIUS, &red);
}

static void
rl_pin_crop_dispose (GObject *object)
{
  g_clear_object (&RL_PIN_CROP (object)->texture);
  G_OBJECT_CLASS (rl_pin_crop_parent_class)->dispose (object);
}

static void
rl_pin_crop_class_init (RlPinCropClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_pin_crop_dispose;
  widget_class->measure = rl_pin_crop_measure;
  widget_class->snapshot = rl_pin_crop_snapshot;
  gtk_widget_class_set_css_name (widget_class, "pin-crop");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
rl_pin_crop_init (RlPinCrop *self)
{
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
rl_pin_crop_new (void)
{
  return g_object_new (RL_TYPE_PIN_CROP, NULL);
}

void
rl_pin_crop_set_crop (RlPinCrop  *self,
                      GdkTexture *texture,
                      double      pin_x,
                      double      pin_y)
{
  g_return_if_fail (RL_IS_PIN_CROP (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  if (self->texture == texture && self->pin_x == pin_x && self->pin_y == pin_y)
    return;
  g_set_object (&self->texture, texture);
  self->pin_x = pin_x;
  self->pin_y = pin_y;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

GdkTexture *
rl_pin_crop_get_texture (RlPinCrop *self)
{
  g_return_val_if_fail (RL_IS_PIN_CROP (self), NULL);
  return self->texture;
}

void
rl_pin_crop_get_pin (RlPinCrop *self,
                     double    *pin_x,
                     double    *pin_y)
{
  g_return_if_fail (RL_IS_PIN_CROP (self));
  *pin_x = self->pin_x;
  *pin_y = self->pin_y;
}
