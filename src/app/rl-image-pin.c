/* rl-image-pin.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-image-pin.h"

#include <glib/gi18n.h>
#include <math.h>

#define PULSE_US (1600 * G_TIME_SPAN_MILLISECOND)
#define DRAG_THRESHOLD 6.0
#define NUDGE_SETTLE_MS 700
/* Words of the first comment in a pin's accessible name. */
#define LABEL_WORDS 8

struct _RlImagePin
{
  GtkWidget     parent_instance;
  RlThreadItem *item;
  gulong        notify_id;
  char         *id;
  char         *user_id;       /* the signed-in user's */
  guint         number;        /* the thread's, from the server; 0 until known */
  double        x, y;          /* anchor, fractions */
  gboolean      resolved;
  gboolean      hide_resolved;
  gint64        revision;       /* the version shown (0: the latest, v1) */
  gboolean      placed;         /* its thread has a place on it */
  guint         n_comments;
  PangoLayout  *layout;

  gboolean      can_move;      /* decided at press */
  gboolean      dragging;
  double        start_x, start_y;    /* anchor at press */
  double        press_x, press_y;    /* press, parent coordinates */
  double        drag_x, drag_y;      /* where it is being dragged */

  guint         nudge_id;            /* a keyboard move waiting to be sent */

  guint         tick_id;
  gint64        pulse_start;
  double        pulse;               /* 0..1 */
};

G_DEFINE_FINAL_TYPE (RlImagePin, rl_image_pin, GTK_TYPE_WIDGET)

enum {
  SIGNAL_PRESSED,
  SIGNAL_DRAGGED,
  SIGNAL_RELEASED,
  SIGNAL_ACTIVATED,
  SIGNAL_NUDGED,
  SIGNAL_FOCUSED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
rl_image_pin_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  RlImagePin *self = RL_IMAGE_PIN (widget);
  int w, h;

  pango_layout_get_pixel_size (self->layout, &w, &h);
  /* CSS min-width/height make small numbers a circle; long ones a pill. */
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? w + 8 : h;
}

static void
rl_image_pin_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  RlImagePin *self = RL_IMAGE_PIN (widget);
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA color;
  int w, h;

  if (self->tick_id != 0)
    {
      /* The "just added" ring: grows out of the pin and fades, twice. */
      double phase = fmod (self->pulse * 2.0, 1.0);
      double grow = 4.0 + 18.0 * phase;
      GskRoundedRect ring;
      GdkRGBA ring_color;
      float ring_widths[4];
      GdkRGBA ring_colors[4];

      if (!gtk_style_context_lookup_color (style, "rl_pin_pulse_color", &ring_color))
        ring_color = (GdkRGBA) { 0.88, 0.11, 0.14, 1.0 };
      ring_color.alpha *= (float) (1.0 - phase);
      gsk_rounded_rect_init_from_rect (&ring,
                                       &GRAPHENE_RECT_INIT (-grow, -grow, width + 2 * grow, height + 2 * grow),
                                       (height + 2 * grow) / 2.0);
      for (int i = 0; i < 4; i++)
        {
          ring_widths[i] = 3.0f;
          ring_colors[i] = ring_color;
        }
      gtk_snapshot_append_border (snapshot, &ring, ring_widths, ring_colors);
    }

  gtk_style_context_get_color (style, &color);
  pango_layout_get_pixel_size (self->layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - w) / 2.0f, (height - h) / 2.0f));
  gtk_snapshot_append_layout (snapshot, self->layout, &color);
  gtk_snapshot_restore (snapshot);
}

static gboolean
pulse_tick (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       data)
{
  RlImagePin *self = RL_IMAGE_PIN (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (self->pulse_start == 0)
    self->pulse_start = now;
  self->pulse = (double) (now - self->pulse_start) / PULSE_US;
  gtk_widget_queue_draw (widget);
  if (self->pulse < 1.0)
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  gtk_widget_remove_css_class (widget, "new");
  return G_SOURCE_REMOVE;
}

/* "Marker 3: the first words of the first comment…" */
static char *
pin_label (RlImagePin     *self,
           const RlThread *thread)
{
  g_autofree char *words = NULL;
  const char *body = NULL;

  if (thread->comments->len > 0)
    body = ((RlComment *) g_ptr_array_index (thread->comments, 0))->body;
  words = rl_image_pin_first_words (body);

  /* Not numbered yet: an own marker the server has not taken yet. */
  if (self->number == 0)
    return *words == '\0'
      /* Translators: an image marker's accessible name while the server has not given it its number yet */
      ? g_strdup (_("Marker, not numbered yet"))
      /* Translators: an image marker's accessible name while the server has not given it its number yet; %s the start of its first comment */
      : g_strdup_printf (_("Marker, not numbered yet: %s"), words);
  if (*words == '\0')
    return thread->resolved
      /* Translators: an image marker's accessible name; %u is its number */
      ? g_strdup_printf (_("Marker %u (resolved)"), self->number)
      : g_strdup_printf (_("Marker %u"), self->number);
  return thread->resolved
    /* Translators: an image marker's accessible name; %u is its number, %s the start of its first comment */
    ? g_strdup_printf (_("Marker %u (resolved): %s"), self->number, words)
    : g_strdup_printf (_("Marker %u: %s"), self->number, words);
}

static void
pin_update (RlImagePin *self)
{
  const RlThread *thread = rl_thread_item_get_thread (self->item);
  g_autofree char *number = NULL;
  g_autofree char *label = NULL;

  /* The server's number, never a place in the list: "#3" stays #3. */
  self->number = (guint) CLAMP (thread->number, 0, G_MAXUINT);
  number = self->number > 0 ? g_strdup_printf ("%u", self->number) : g_strdup ("…");
  label = pin_label (self, thread);

  {
    const RlAnchor *anchor = rl_thread_get_anchor_on (thread, self->revision);

    /* Where the thread is on the version shown; none there: not shown. */
    self->placed = anchor != NULL;
    self->x = anchor ? CLAMP (anchor->x, 0.0, 1.0) : 0.0;
    self->y = anchor ? CLAMP (anchor->y, 0.0, 1.0) : 0.0;
  }
  self->resolved = thread->resolved;
  pango_layout_set_text (self->layout, number, -1);
  if (self->resolved)
    gtk_widget_add_css_class (GTK_WIDGET (self), "resolved");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "resolved");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_visible (GTK_WIDGET (self), self->placed && !(self->resolved && self->hide_resolved));
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
queue_allocate_parent (RlImagePin *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  if (parent != NULL)
    gtk_widget_queue_allocate (parent);
}

static void
pin_thread_changed (RlImagePin *self)
{
  const RlThread *thread = rl_thread_item_get_thread (self->item);
  guint n = thread->comments->len;

  /* A teammate's reply draws the eye as their new marker does. */
  if (n > self->n_comments && n > 0
      && g_strcmp0 (((RlComment *) g_ptr_array_index (thread->comments, n - 1))->author.id, self->user_id) != 0)
    rl_image_pin_start_pulse (self);
  self->n_comments = n;
  pin_update (self);
  queue_allocate_parent (self);
}

/* Where (x, y) of the pin is in its parent's coordinates. */
static graphene_point_t
point_in_parent (RlImagePin *self,
                 double      x,
                 double      y)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));
  graphene_point_t in_parent;

  if (parent == NULL
      || !gtk_widget_compute_point (GTK_WIDGET (self), parent, &GRAPHENE_POINT_INIT (x, y), &in_parent))
    in_parent = GRAPHENE_POINT_INIT (x, y);
  return in_parent;
}

static void
pin_drag_begin (GtkGestureDrag *gesture,
                double          x,
                double          y,
                RlImagePin     *self)
{
  graphene_point_t in_parent;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_widget_grab_focus (GTK_WIDGET (self));
  in_parent = point_in_parent (self, x, y);
  g_signal_emit (self, signals[SIGNAL_PRESSED], 0);
  self->press_x = in_parent.x;
  self->press_y = in_parent.y;
}

static void
pin_drag_update (GtkGestureDrag *gesture,
                 double          offset_x,
                 double          offset_y,
                 RlImagePin     *self)
{
  GdkEventSequence *sequence = gtk_gesture_single_get_current_sequence (GTK_GESTURE_SINGLE (gesture));
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));
  graphene_point_t in_parent;
  double x, y;

  /* The pin moves under the pointer, so its own coordinates shift: measure
   * in the parent's. */
  if (parent == NULL
      || !gtk_gesture_get_point (GTK_GESTURE (gesture), sequence, &x, &y)
      || !gtk_widget_compute_point (GTK_WIDGET (self), parent, &GRAPHENE_POINT_INIT (x, y), &in_parent))
    return;
  g_signal_emit (self, signals[SIGNAL_DRAGGED], 0, in_parent.x - self->press_x, in_parent.y - self->press_y);
}

static void
pin_drag_end (GtkGestureDrag *gesture,
              double          offset_x,
              double          offset_y,
              RlImagePin     *self)
{
  g_signal_emit (self, signals[SIGNAL_RELEASED], 0);
}

static void
pin_activate (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  RlImagePin *self = RL_IMAGE_PIN (widget);

  /* Enter while moving with the keyboard drops the pin there. */
  if (self->dragging && self->nudge_id != 0)
    {
      g_clear_handle_id (&self->nudge_id, g_source_remove);
      g_signal_emit (self, signals[SIGNAL_RELEASED], 0);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_ACTIVATED], 0);
}

static gboolean
nudge_done_cb (gpointer data)
{
  RlImagePin *self = data;

  self->nudge_id = 0;
  g_signal_emit (self, signals[SIGNAL_RELEASED], 0);
  return G_SOURCE_REMOVE;
}

/* Alt+arrows move a focused pin (10 px, 1 px with Shift); the move is sent
 * once the keys rest, or at Enter; Escape puts it back. */
static void
pin_nudge (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  double dx, dy;

  g_variant_get (parameter, "(dd)", &dx, &dy);
  g_signal_emit (widget, signals[SIGNAL_NUDGED], 0, dx, dy);
}

static void
pin_cancel_move (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  RlImagePin *self = RL_IMAGE_PIN (widget);

  if (!self->dragging)
    return;
  g_clear_handle_id (&self->nudge_id, g_source_remove);
  self->dragging = FALSE;
  queue_allocate_parent (self);
}

static void
pin_focus_enter (GtkEventControllerFocus *controller,
                 RlImagePin              *self)
{
  g_signal_emit (self, signals[SIGNAL_FOCUSED], 0);
}

static void
rl_image_pin_dispose (GObject *object)
{
  RlImagePin *self = RL_IMAGE_PIN (object);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  g_clear_handle_id (&self->nudge_id, g_source_remove);
  g_clear_signal_handler (&self->notify_id, self->item);
  g_clear_object (&self->item);
  g_clear_object (&self->layout);
  G_OBJECT_CLASS (rl_image_pin_parent_class)->dispose (object);
}

static void
rl_image_pin_finalize (GObject *object)
{
  RlImagePin *self = RL_IMAGE_PIN (object);

  g_free (self->id);
  g_free (self->user_id);
  G_OBJECT_CLASS (rl_image_pin_parent_class)->finalize (object);
}

static void
rl_image_pin_class_init (RlImagePinClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_image_pin_dispose;
  object_class->finalize = rl_image_pin_finalize;
  widget_class->measure = rl_image_pin_measure;
  widget_class->snapshot = rl_image_pin_snapshot;

  signals[SIGNAL_PRESSED] =
    g_signal_new ("pressed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_DRAGGED] =
    g_signal_new ("dragged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[SIGNAL_RELEASED] =
    g_signal_new ("released", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_ACTIVATED] =
    g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_NUDGED] =
    g_signal_new ("nudged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[SIGNAL_FOCUSED] =
    g_signal_new ("focused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "rlpin");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);
  gtk_widget_class_install_action (widget_class, "pin.activate", NULL, pin_activate);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "pin.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "pin.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "pin.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Space, 0, "pin.activate", NULL);
  gtk_widget_class_install_action (widget_class, "pin.nudge", "(dd)", pin_nudge);
  gtk_widget_class_install_action (widget_class, "pin.cancel-move", NULL, pin_cancel_move);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "pin.cancel-move", NULL);
  {
    const struct { guint key; double dx, dy; } arrows[] = {
      { GDK_KEY_Left, -1, 0 }, { GDK_KEY_Right, 1, 0 }, { GDK_KEY_Up, 0, -1 }, { GDK_KEY_Down, 0, 1 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (arrows); i++)
      {
        gtk_widget_class_add_binding_action (widget_class, arrows[i].key, GDK_ALT_MASK, "pin.nudge", "(dd)",
                                             arrows[i].dx * 10, arrows[i].dy * 10);
        gtk_widget_class_add_binding_action (widget_class, arrows[i].key, GDK_ALT_MASK | GDK_SHIFT_MASK,
                                             "pin.nudge", "(dd)", arrows[i].dx, arrows[i].dy);
      }
  }
}

static void
rl_image_pin_init (RlImagePin *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (pin_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (pin_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (pin_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (focus, "enter", G_CALLBACK (pin_focus_enter), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
}

/* ---- public API ------------------------------------------------------------ */

RlImagePin *
rl_image_pin_new (RlThreadItem *item,
                  const char   *user_id)
{
  RlImagePin *self;

  g_return_val_if_fail (RL_IS_THREAD_ITEM (item), NULL);

  self = g_object_new (RL_TYPE_IMAGE_PIN, NULL);
  self->id = g_strdup (rl_thread_item_get_thread (item)->id);
  self->user_id = g_strdup (user_id);
  rl_image_pin_set_item (self, item);
  return self;
}

const char *
rl_image_pin_get_id (RlImagePin *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_PIN (self), NULL);
  return self->id;
}

RlThreadItem *
rl_image_pin_get_item (RlImagePin *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_PIN (self), NULL);
  return self->item;
}

gboolean
rl_image_pin_set_item (RlImagePin   *self,
                       RlThreadItem *item)
{
  g_return_val_if_fail (RL_IS_IMAGE_PIN (self), FALSE);
  g_return_val_if_fail (RL_IS_THREAD_ITEM (item), FALSE);

  if (self->item == item)
    return FALSE;
  g_clear_signal_handler (&self->notify_id, self->item);
  g_set_object (&self->item, item);
  self->notify_id = g_signal_connect_swapped (item, "notify::thread", G_CALLBACK (pin_thread_changed), self);
  self->n_comments = rl_thread_item_get_thread (item)->comments->len;
  /* A thread's own changes come by notify::thread; a new item needs the
   * label made again. */
  pin_update (self);
  return TRUE;
}

void
rl_image_pin_set_hide_resolved (RlImagePin *self,
                                gboolean    hide_resolved)
{
  g_return_if_fail (RL_IS_IMAGE_PIN (self));

  self->hide_resolved = !!hide_resolved;
  gtk_widget_set_visible (GTK_WIDGET (self), self->placed && !(self->resolved && self->hide_resolved));
}

void
rl_image_pin_set_revision (RlImagePin *self,
                           gint64      revision)
{
  g_return_if_fail (RL_IS_IMAGE_PIN (self));

  if (self->revision == revision)
    return;
  self->revision = revision;
  pin_update (self);
  queue_allocate_parent (self);
}

void
rl_image_pin_get_shown_anchor (RlImagePin *self,
                               double     *x,
                               double     *y)
{
  g_return_if_fail (RL_IS_IMAGE_PIN (self));

  *x = self->dragging ? self->drag_x : self->x;
  *y = self->dragging ? self->drag_y : self->y;
}

void
rl_image_pin_get_anchor (RlImagePin *self,
                         double     *x,
                         double     *y)
{
  g_return_if_fail (RL_IS_IMAGE_PIN (self));

  *x = self->x;
  *y = self->y;
}

void
rl_image_pin_start_pulse (RlImagePin *self)
{
  g_return_if_fail (RL_IS_IMAGE_PIN (self));

  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), pulse_tick, NULL, NULL);
  self->pulse_start = 0;
  self->pulse = 0;
  gtk_widget_add_css_class (GTK_WIDGET (self), "new");
}

gboolean
rl_image_pin_is_pulsing (RlImagePin *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_PIN (self), FALSE);
  return self->tick_id != 0;
}

void
rl_image_pin_begin_drag (RlImagePin *self,
                         gboolean    can_move)
{
  g_return_if_fail (RL_IS_IMAGE_PIN (self));

  self->dragging = FALSE;
  self->can_move = can_move;
  self->start_x = self->x;
  self->start_y = self->y;
  self->press_x = self->press_y = 0;
}

void
rl_image_pin_drag (RlImagePin *self,
                   double      dx,
                   double      dy,
                   double      width,
                   double      height)
{
  g_return_if_fail (RL_IS_IMAGE_PIN (self));

  if (!self->can_move || width <= 0 || height <= 0)
    return;
  if (!self->dragging && hypot (dx, dy) < DRAG_THRESHOLD)
    return;
  self->dragging = TRUE;
  self->drag_x = CLAMP (self->start_x + dx / width, 0.0, 1.0);
  self->drag_y = CLAMP (self->start_y + dy / height, 0.0, 1.0);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
  queue_allocate_parent (self);
}

gboolean
rl_image_pin_end_move (RlImagePin *self,
                       double     *x,
                       double     *y)
{
  g_return_val_if_fail (RL_IS_IMAGE_PIN (self), FALSE);

  if (!self->dragging)
    return FALSE;
  *x = self->drag_x;
  *y = self->drag_y;
  self->dragging = FALSE;
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
  return TRUE;
}

gboolean
rl_image_pin_is_moving (RlImagePin *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_PIN (self), FALSE);
  return self->dragging;
}

void
rl_image_pin_nudge (RlImagePin *self,
                    double      dx,
                    double      dy)
{
  g_return_if_fail (RL_IS_IMAGE_PIN (self));

  if (!self->dragging)
    {
      self->dragging = TRUE;
      self->can_move = TRUE;
      self->drag_x = self->x;
      self->drag_y = self->y;
    }
  self->drag_x = CLAMP (self->drag_x + dx, 0.0, 1.0);
  self->drag_y = CLAMP (self->drag_y + dy, 0.0, 1.0);
  queue_allocate_parent (self);
  g_clear_handle_id (&self->nudge_id, g_source_remove);
  self->nudge_id = g_timeout_add (NUDGE_SETTLE_MS, nudge_done_cb, self);
}

char *
rl_image_pin_first_words (const char *text)
{
  g_autoptr(GString) words = g_string_new (NULL);
  g_auto(GStrv) split = g_regex_split_simple ("\\s+", text ? text : "", 0, 0);
  guint n = 0;

  for (guint i = 0; split[i] != NULL && n < LABEL_WORDS; i++)
    {
      if (*split[i] == '\0')
        continue;
      if (words->len > 0)
        g_string_append_c (words, ' ');
      g_string_append (words, split[i]);
      n++;
    }
  if (split[0] != NULL && g_strv_length (split) > n + (*split[0] == '\0'))
    g_string_append (words, "…");
  return g_string_free (g_steal_pointer (&words), FALSE);
}
