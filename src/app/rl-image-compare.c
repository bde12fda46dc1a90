/* rl-image-compare.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-image-compare.h"

#include <glib/gi18n.h>

/* Space between the mode bar and the images, between the two images side
 * by side, and around the images. */
#define GAP            12
/* The swipe divider's drawn line, and how near it a press takes it. */
#define DIVIDER_WIDTH  2
#define DIVIDER_REACH  14
/* Left/Right move the divider this share of the width; with Shift, the
 * fine one. */
#define SWIPE_STEP      0.05
#define SWIPE_FINE_STEP 0.01

typedef struct
{
  RlComparePin  pin;
  gboolean      newer;
  GtkWidget    *widget;
} Pin;

struct _RlImageCompare
{
  GtkWidget           parent_instance;

  GtkWidget          *bar;
  GtkWidget          *mode_buttons[3];
  GtkWidget          *opacity_label;
  GtkWidget          *opacity_scale;
  GtkWidget          *labels[2];    /* older, newer */
  GtkWidget          *handle;       /* the swipe divider's */
  GArray             *pins;         /* Pin */

  GdkTexture         *textures[2];
  RlImageCompareMode  mode;
  double              swipe;
  /* Where each version was laid out last, and the images' common box. */
  graphene_rect_t     bounds[2];
  graphene_rect_t     common;
  gboolean            laid_out;
  double              drag_start;
};

G_DEFINE_FINAL_TYPE (RlImageCompare, rl_image_compare, GTK_TYPE_WIDGET)

/* ---- layout -------------------------------------------------------------- */

/* Lays the images out in a box width wide (from x = GAP) and from top to
 * height. */
static void
layout_images (RlImageCompare *self,
               int             width,
               int             height,
               int             top)
{
  double w[2], h[2];
  double area_h = height - top;

  self->laid_out = FALSE;
  if (self->textures[0] == NULL || self->textures[1] == NULL || width <= 0 || area_h <= 0)
    return;
  for (guint i = 0; i < 2; i++)
    {
      w[i] = gdk_texture_get_width (self->textures[i]);
      h[i] = gdk_texture_get_height (self->textures[i]);
    }

  if (self->mode == RL_IMAGE_COMPARE_SIDE_BY_SIDE)
    {
      int label_h = 0;
      double col_w = (width - GAP) / 2.0;
      double shown_w = col_w, tallest;

      for (guint i = 0; i < 2; i++)
        {
          int nat;

          gtk_widget_measure (self->labels[i], GTK_ORIENTATION_VERTICAL, -1, NULL, &nat, NULL, NULL);
          label_h = MAX (label_h, nat);
        }
      area_h -= label_h + GAP / 2;
      /* Both as wide as a column, unless the taller would not fit. */
      tallest = MAX (h[0] / w[0], h[1] / w[1]) * shown_w;
      if (tallest > area_h && area_h > 0)
        shown_w *= area_h / tallest;
      for (guint i = 0; i < 2; i++)
        {
          double x = GAP + i * (col_w + GAP) + (col_w - shown_w) / 2;

          graphene_rect_init (&self->bounds[i], (float) x, (float) (top + label_h + GAP / 2), (float) shown_w,
                              (float) (h[i] * shown_w / w[i]));
        }
      graphene_rect_union (&self->bounds[0], &self->bounds[1], &self->common);
    }
  else
    {
      double max_w = MAX (w[0], w[1]), max_h = MAX (h[0], h[1]);
      double scale = MIN (width / max_w, area_h / max_h);
      double ox = GAP + (width - max_w * scale) / 2;

      graphene_rect_init (&self->common, (float) ox, (float) top, (float) (max_w * scale), (float) (max_h * scale));
      for (guint i = 0; i < 2; i++)
        graphene_rect_init (&self->bounds[i], (float) ox, (float) top, (float) (w[i] * scale),
                            (float) (h[i] * scale));
    }
  self->laid_out = TRUE;
}

/* The images, handle and pins laid out again and drawn. */
static void
relayout (RlImageCompare *self)
{
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
allocate_child_at (GtkWidget *child,
                   double     cx,
                   double     cy)
{
  int w, h;

  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &w, NULL, NULL);
  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, w, NULL, &h, NULL, NULL);
  gtk_widget_size_allocate (child, &(GtkAllocation) { (int) (cx - w / 2.0), (int) (cy - h / 2.0), w, h }, -1);
}

static void
rl_image_compare_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  RlImageCompare *self = RL_IMAGE_COMPARE (widget);
  int bar_h;

  gtk_widget_measure (self->bar, GTK_ORIENTATION_VERTICAL, width, NULL, &bar_h, NULL, NULL);
  gtk_widget_size_allocate (self->bar, &(GtkAllocation) { 0, 0, width, bar_h }, -1);
  layout_images (self, width - 2 * GAP, height - GAP, bar_h + GAP);

  for (guint i = 0; i < 2; i++)
    {
      gboolean shown = self->laid_out && self->mode == RL_IMAGE_COMPARE_SIDE_BY_SIDE;

      gtk_widget_set_child_visible (self->labels[i], shown);
      if (shown)
        {
          int label_h;

          gtk_widget_measure (self->labels[i], GTK_ORIENTATION_VERTICAL, -1, NULL, &label_h, NULL, NULL);
          allocate_child_at (self->labels[i], self->bounds[i].origin.x + self->bounds[i].size.width / 2,
                             self->bounds[i].origin.y - GAP / 2 - label_h / 2.0);
        }
    }

  gtk_widget_set_child_visible (self->handle, self->laid_out && self->mode == RL_IMAGE_COMPARE_SWIPE);
  if (self->laid_out && self->mode == RL_IMAGE_COMPARE_SWIPE)
    allocate_child_at (self->handle, self->common.origin.x + self->swipe * self->common.size.width,
                       self->common.origin.y + self->common.size.height / 2);

  for (guint i = 0; i < self->pins->len; i++)
    {
      Pin *pin = &g_array_index (self->pins, Pin, i);
      const graphene_rect_t *b = &self->bounds[pin->newer ? 1 : 0];

      gtk_widget_set_child_visible (pin->widget, self->laid_out);
      if (self->laid_out)
        allocate_child_at (pin->widget, b->origin.x + pin->pin.x * b->size.width,
                           b->origin.y + pin->pin.y * b->size.height);
    }
}

static void
rl_image_compare_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  RlImageCompare *self = RL_IMAGE_COMPARE (widget);
  int bar_min, bar_nat;

  gtk_widget_measure (self->bar, orientation, -1, &bar_min, &bar_nat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = bar_min;
      *natural = MAX (bar_nat, 640);
    }
  else
    {
      *minimum = bar_min + GAP + 120;
      *natural = bar_nat + GAP + 480;
    }
}

/* ---- drawing ------------------------------------------------------------- */

static void
rl_image_compare_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  RlImageCompare *self = RL_IMAGE_COMPARE (widget);

  if (self->laid_out)
    switch (self->mode)
      {
      case RL_IMAGE_COMPARE_SIDE_BY_SIDE:
        gtk_snapshot_append_texture (snapshot, self->textures[0], &self->bounds[0]);
        gtk_snapshot_append_texture (snapshot, self->textures[1], &self->bounds[1]);
        break;
      case RL_IMAGE_COMPARE_ONION_SKIN:
        gtk_snapshot_append_texture (snapshot, self->textures[0], &self->bounds[0]);
        gtk_snapshot_push_opacity (snapshot, rl_image_compare_get_opacity (self));
        gtk_snapshot_append_texture (snapshot, self->textures[1], &self->bounds[1]);
        gtk_snapshot_pop (snapshot);
        break;
      case RL_IMAGE_COMPARE_SWIPE:
        {
          const graphene_rect_t *c = &self->common;
          float split = c->origin.x + (float) self->swipe * c->size.width;
          GdkRGBA line = { 1, 1, 1, 1 }, edge = { 0, 0, 0, 0.45f };

          gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (c->origin.x, c->origin.y, split - c->origin.x,
                                                                 c->size.height));
          gtk_snapshot_append_texture (snapshot, self->textures[0], &self->bounds[0]);
          gtk_snapshot_pop (snapshot);
          gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (split, c->origin.y,
                                                                 c->origin.x + c->size.width - split,
                                                                 c->size.height));
          gtk_snapshot_append_texture (snapshot, self->textures[1], &self->bounds[1]);
          gtk_snapshot_pop (snapshot);
          gtk_snapshot_append_color (snapshot, &edge,
                                     &GRAPHENE_RECT_INIT (split - DIVIDER_WIDTH / 2.0f - 1, c->origin.y,
                                                          DIVIDER_WIDTH + 2, c->size.height));
          gtk_snapshot_append_color (snapshot, &line,
                                     &GRAPHENE_RECT_INIT (split - DIVIDER_WIDTH / 2.0f, c->origin.y, DIVIDER_WIDTH,
                                                          c->size.height));
        }
        break;
      default:
        g_assert_not_reached ();
      }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_snapshot_child (widget, child, snapshot);
}

/* ---- the mode, the slider, the divider ----------------------------------- */

static void
on_mode_toggled (GtkToggleButton *button,
                 RlImageCompare  *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (self->mode_buttons); i++)
    if (self->mode_buttons[i] == GTK_WIDGET (button))
      rl_image_compare_set_mode (self, (RlImageCompareMode) i);
}

static void
on_opacity_changed (RlImageCompare *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_handle_value (RlImageCompare *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->handle), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW,
                                  round (self->swipe * 100), -1);
}

static gboolean
on_handle_key (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               RlImageCompare        *self)
{
  double step = (state & GDK_SHIFT_MASK) != 0 ? SWIPE_FINE_STEP : SWIPE_STEP;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      rl_image_compare_set_swipe (self, self->swipe - step);
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      rl_image_compare_set_swipe (self, self->swipe + step);
      return TRUE;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      rl_image_compare_set_swipe (self, 0);
      return TRUE;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      rl_image_compare_set_swipe (self, 1);
      return TRUE;
    default:
      return FALSE;
    }
}

/* A drag that starts on the divider's line or handle moves it. The gesture
 * is the whole widget's: its coordinates stay put while the handle moves. */
static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               RlImageCompare *self)
{
  double split = self->common.origin.x + self->swipe * self->common.size.width;

  if (!self->laid_out || self->mode != RL_IMAGE_COMPARE_SWIPE || fabs (x - split) > DIVIDER_REACH
      || y < self->common.origin.y || y > self->common.origin.y + self->common.size.height)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->drag_start = split;
  gtk_widget_grab_focus (self->handle);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                RlImageCompare *self)
{
  if (self->common.size.width <= 0)
    return;
  rl_image_compare_set_swipe (self, (self->drag_start + dx - self->common.origin.x) / self->common.size.width);
}

/* ---- pins ---------------------------------------------------------------- */

static void
clear_pins (RlImageCompare *self)
{
  for (guint i = 0; i < self->pins->len; i++)
    gtk_widget_unparent (g_array_index (self->pins, Pin, i).widget);
  g_array_set_size (self->pins, 0);
}

static void
add_pin (RlImageCompare     *self,
         const RlComparePin *spec,
         gboolean            newer)
{
  g_autofree char *number = NULL;
  g_autofree char *name = NULL;
  Pin pin = { *spec, newer, NULL };

  if (spec->status == RL_PLACEMENT_ORPHANED || !isfinite (spec->x) || !isfinite (spec->y))
    return;
  number = g_strdup_printf ("%u", spec->number);
  /* The image view's own name for a pin. */
  name = g_strdup_printf (_("Marker %u"), spec->number);
  pin.widget = gtk_label_new (number);
  gtk_widget_add_css_class (pin.widget, "rl-compare-pin");
  gtk_widget_add_css_class (pin.widget, rl_placement_status_to_string (spec->status));
  if (!newer)
    gtk_widget_add_css_class (pin.widget, "older");
  gtk_widget_set_tooltip_text (pin.widget, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (pin.widget), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  /* Above the images' labels and the divider's handle. */
  gtk_widget_insert_before (pin.widget, GTK_WIDGET (self), newer ? NULL : self->labels[0]);
  g_array_append_val (self->pins, pin);
}

/* ---- the object ---------------------------------------------------------- */

static void
rl_image_compare_dispose (GObject *object)
{
  RlImageCompare *self = RL_IMAGE_COMPARE (object);
  GtkWidget *child;

  if (self->pins != NULL)
    clear_pins (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->textures[0]);
  g_clear_object (&self->textures[1]);
  G_OBJECT_CLASS (rl_image_compare_parent_class)->dispose (object);
}

static void
rl_image_compare_finalize (GObject *object)
{
  RlImageCompare *self = RL_IMAGE_COMPARE (object);

  g_clear_pointer (&self->pins, g_array_unref);
  G_OBJECT_CLASS (rl_image_compare_parent_class)->finalize (object);
}

static void
rl_image_compare_class_init (RlImageCompareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_image_compare_dispose;
  object_class->finalize = rl_image_compare_finalize;
  widget_class->measure = rl_image_compare_measure;
  widget_class->size_allocate = rl_image_compare_size_allocate;
  widget_class->snapshot = rl_image_compare_snapshot;
  gtk_widget_class_set_css_name (widget_class, "rlimagecompare");
}

static void
rl_image_compare_init (RlImageCompare *self)
{
  /* Translators: ways to compare two versions of an image: both shown
   * side by side, one over the other (see-through), or split by a divider
   * that is swiped across */
  const char *mode_labels[] = { N_("Side by Side"), N_("Onion Skin"), N_("Swipe") };
  GtkWidget *modes = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkEventController *keys;
  GtkGesture *drag;

  self->pins = g_array_new (FALSE, FALSE, sizeof (Pin));
  self->swipe = 0.5;

  self->bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (self->bar, "rl-compare-bar");
  gtk_widget_add_css_class (modes, "linked");
  for (guint i = 0; i < G_N_ELEMENTS (mode_labels); i++)
    {
      self->mode_buttons[i] = gtk_toggle_button_new_with_label (_(mode_labels[i]));
      if (i > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (self->mode_buttons[i]),
                                     GTK_TOGGLE_BUTTON (self->mode_buttons[0]));
      else
        gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->mode_buttons[i]), TRUE);
      g_signal_connect (self->mode_buttons[i], "toggled", G_CALLBACK (on_mode_toggled), self);
      gtk_box_append (GTK_BOX (modes), self->mode_buttons[i]);
    }
  gtk_box_append (GTK_BOX (self->bar), modes);

  self->opacity_scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.1);
  gtk_range_set_value (GTK_RANGE (self->opacity_scale), 0.5);
  gtk_widget_set_size_request (self->opacity_scale, 200, -1);
  gtk_widget_set_visible (self->opacity_scale, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->opacity_scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  /* Translators: the accessible name of the onion skin's slider */
                                  _("Opacity of the newer version"), -1);
  gtk_widget_set_tooltip_text (self->opacity_scale, _("Opacity of the newer version"));
  g_signal_connect_swapped (self->opacity_scale, "value-changed", G_CALLBACK (on_opacity_changed), self);
  /* Shown with the slider, at the bar's end. */
  self->opacity_label = gtk_label_new (_("Opacity of the newer version"));
  gtk_widget_add_css_class (self->opacity_label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (self->opacity_label), 1);
  gtk_widget_set_hexpand (self->opacity_label, TRUE);
  gtk_widget_set_visible (self->opacity_label, FALSE);
  gtk_box_append (GTK_BOX (self->bar), self->opacity_label);
  gtk_box_append (GTK_BOX (self->bar), self->opacity_scale);
  gtk_widget_set_parent (self->bar, GTK_WIDGET (self));

  for (guint i = 0; i < 2; i++)
    {
      self->labels[i] = gtk_label_new (NULL);
      gtk_widget_add_css_class (self->labels[i], "heading");
      gtk_widget_set_parent (self->labels[i], GTK_WIDGET (self));
    }

  self->handle = g_object_new (GTK_TYPE_BOX, "accessible-role", GTK_ACCESSIBLE_ROLE_SEPARATOR, "focusable", TRUE,
                               "css-classes", (const char *[]) { "rl-swipe-handle", NULL }, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->handle),
                                  /* Translators: the accessible name of the swipe view's divider */
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Divider between the versions"),
                                  GTK_ACCESSIBLE_PROPERTY_ORIENTATION, GTK_ORIENTATION_VERTICAL,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 100.0, -1);
  update_handle_value (self);
  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_handle_key), self);
  gtk_widget_add_controller (self->handle, keys);
  gtk_widget_set_parent (self->handle, GTK_WIDGET (self));

  drag = gtk_gesture_drag_new ();
  /* Before the handle (a plain box) sees the press. */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

GtkWidget *
rl_image_compare_new (void)
{
  return g_object_new (RL_TYPE_IMAGE_COMPARE, NULL);
}

void
rl_image_compare_set_images (RlImageCompare *self,
                             GdkTexture     *older,
                             guint           older_revision,
                             GdkTexture     *newer,
                             guint           newer_revision)
{
  guint revisions[2] = { older_revision, newer_revision };

  g_return_if_fail (RL_IS_IMAGE_COMPARE (self));
  g_return_if_fail (GDK_IS_TEXTURE (older) && GDK_IS_TEXTURE (newer));

  g_set_object (&self->textures[0], older);
  g_set_object (&self->textures[1], newer);
  for (guint i = 0; i < 2; i++)
    {
      /* Translators: above each image in the side-by-side comparison; %u is the version's number */
      g_autofree char *label = g_strdup_printf (_("Version %u"), revisions[i]);

      gtk_label_set_text (GTK_LABEL (self->labels[i]), label);
    }
  relayout (self);
}

void
rl_image_compare_set_pins (RlImageCompare     *self,
                           const RlComparePin *older,
                           guint               n_older,
                           const RlComparePin *newer,
                           guint               n_newer)
{
  g_return_if_fail (RL_IS_IMAGE_COMPARE (self));

  clear_pins (self);
  for (guint i = 0; i < n_older; i++)
    add_pin (self, &older[i], FALSE);
  for (guint i = 0; i < n_newer; i++)
    add_pin (self, &newer[i], TRUE);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

RlImageCompareMode
rl_image_compare_get_mode (RlImageCompare *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_COMPARE (self), RL_IMAGE_COMPARE_SIDE_BY_SIDE);
  return self->mode;
}

void
rl_image_compare_set_mode (RlImageCompare     *self,
                           RlImageCompareMode  mode)
{
  g_return_if_fail (RL_IS_IMAGE_COMPARE (self));
  g_return_if_fail (mode <= RL_IMAGE_COMPARE_SWIPE);

  self->mode = mode;
  if (!gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->mode_buttons[mode])))
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->mode_buttons[mode]), TRUE);
  gtk_widget_set_visible (self->opacity_label, mode == RL_IMAGE_COMPARE_ONION_SKIN);
  gtk_widget_set_visible (self->opacity_scale, mode == RL_IMAGE_COMPARE_ONION_SKIN);
  relayout (self);
}

double
rl_image_compare_get_opacity (RlImageCompare *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_COMPARE (self), 0);
  return gtk_range_get_value (GTK_RANGE (self->opacity_scale));
}

void
rl_image_compare_set_opacity (RlImageCompare *self,
                              double          opacity)
{
  g_return_if_fail (RL_IS_IMAGE_COMPARE (self));
  gtk_range_set_value (GTK_RANGE (self->opacity_scale), CLAMP (opacity, 0, 1));
}

double
rl_image_compare_get_swipe (RlImageCompare *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_COMPARE (self), 0);
  return self->swipe;
}

void
rl_image_compare_set_swipe (RlImageCompare *self,
                            double          position)
{
  g_return_if_fail (RL_IS_IMAGE_COMPARE (self));

  if (!isfinite (position))
    return;
  self->swipe = CLAMP (position, 0, 1);
  update_handle_value (self);
  relayout (self);
}

gboolean
rl_image_compare_get_image_bounds (RlImageCompare  *self,
                                   gboolean         newer,
                                   graphene_rect_t *bounds)
{
  g_return_val_if_fail (RL_IS_IMAGE_COMPARE (self), FALSE);

  if (!self->laid_out)
    return FALSE;
  *bounds = self->bounds[newer ? 1 : 0];
  return TRUE;
}
