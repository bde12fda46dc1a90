/* rl-image-view.c
 *
 * The view places its children — pins (rl-image-pin.h), draft pins, the
 * zoom controls and popovers — over the image, which rl-tiled-image.h
 * draws; the image's render node is kept until zoom, scroll or size
 * change, so pins redraw on their own without redrawing the image. The
 * widgets it always has (composer, notice, zoom controls and menu) and its
 * gestures are declared in rl-image-view.ui; pins and draft pins come and
 * go here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-image-view-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "rl-error-text.h"
#include "rl-image-pin.h"
#include "rl-marker-composer.h"
#include "rl-review-view.h"
#include "rl-tiled-image.h"

/* Room around the image so pins at its edges stay whole. */
#define MARGIN 24.0
#define MAX_ZOOM 32.0
#define ZOOM_STEP 1.25
#define DRAG_THRESHOLD 6.0
#define NOTICE_MS 5000
/* From the view's bottom right corner to the zoom controls. */
#define ZOOM_CONTROLS_INSET 12

/* ---- the view -------------------------------------------------------------- */

struct _RlImageView
{
  GtkWidget      parent_instance;

  GtkAdjustment *hadj;
  GtkAdjustment *vadj;
  guint          hscroll_policy : 1;
  guint          vscroll_policy : 1;
  gboolean       in_allocate;

  RlTiledImage  *image;
  int            img_w;
  int            img_h;

  double         zoom;
  gboolean       fit;

  RlDocStore    *store;        /* the state's, while it is an image's */
  gulong         items_id;
  gulong         synced_id;
  gboolean       populated;    /* the first synced state is in: new pins now are news */
  GPtrArray     *pins;         /* of RlImagePin*, in model order */
  GHashTable    *pins_by_id;   /* id → RlImagePin (not owned) */


  GtkWidget     *composer;
  double         composer_x, composer_y;
  GPtrArray     *draft_pins;   /* GtkButton*, one per kept draft of the composer */
  GtkWidget     *notice;
  GtkWidget     *notice_label;
  double         notice_x, notice_y;
  guint          notice_timeout_id;

  GtkWidget     *zoom_controls;  /* on the canvas: − level + */
  GtkWidget     *zoom_level;
  guint          zoom_controls_id;
  GtkWidget     *zoom_menu;
  GMenu         *zoom_menu_model;

  double         pointer_x, pointer_y;
  gboolean       has_pointer;
  gboolean       panning;
  gboolean       press_on_child;
  double         pan_h, pan_v;
  double         pinch_zoom;
};

static void rl_image_view_scrollable_init (GtkScrollableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RlImageView, rl_image_view, RL_TYPE_REVIEW_VIEW,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, rl_image_view_scrollable_init))

enum {
  PROP_0,
  PROP_ZOOM,
  N_PROPS,
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_PIN_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void update_zoom_controls (RlImageView *self);

/* The state this view shows: RlReviewView's. */
static inline RlReviewState *
state_of (RlImageView *self)
{
  return rl_review_view_get_state (RL_REVIEW_VIEW (self));
}

/* ---- geometry -------------------------------------------------------------- */

static double
fit_zoom (RlImageView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double zoom;

  if (self->img_w <= 0 || width <= 0 || height <= 0)
    return 1.0;
  zoom = MIN ((width - 2 * MARGIN) / self->img_w, (height - 2 * MARGIN) / self->img_h);
  /* Small mockups stay at their real size: blown-up pixels help nobody. */
  return CLAMP (zoom, 1e-3, 1.0);
}

static double
min_zoom (RlImageView *self)
{
  return MIN (fit_zoom (self), 0.1);
}

/* The widget coordinates of the image's top left corner: centred while it
 * fits, else where the scroll values put it. */
static void
get_origin (RlImageView *self,
            double      *ox,
            double      *oy)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double cw = self->img_w * self->zoom;
  double ch = self->img_h * self->zoom;

  *ox = cw + 2 * MARGIN <= width ? (width - cw) / 2.0 : MARGIN - gtk_adjustment_get_value (self->hadj);
  *oy = ch + 2 * MARGIN <= height ? (height - ch) / 2.0 : MARGIN - gtk_adjustment_get_value (self->vadj);
}

/* The image's origin in the widget; FALSE while there is no image. */
static gboolean
image_origin (RlImageView *self,
              double      *ox,
              double      *oy)
{
  if (self->img_w <= 0)
    return FALSE;
  get_origin (self, ox, oy);
  return TRUE;
}

static void
configure_adjustment (GtkAdjustment *adj,
                      double         value,
                      double         content,
                      double         page)
{
  double upper = MAX (content, page);

  gtk_adjustment_configure (adj, CLAMP (value, 0.0, upper - page), 0.0, upper,
                            page * 0.1, page * 0.9, page);
}

static void
configure_adjustments (RlImageView *self,
                       double       hvalue,
                       double       vvalue)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  configure_adjustment (self->hadj, hvalue, self->img_w * self->zoom + 2 * MARGIN, width);
  configure_adjustment (self->vadj, vvalue, self->img_h * self->zoom + 2 * MARGIN, height);
}

/* Only the value and its notification; the callers scroll and redraw. */
static void
store_zoom (RlImageView *self,
            double       zoom)
{
  if (zoom == self->zoom)
    return;
  self->zoom = zoom;
  update_zoom_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

/* One step of the buttons and keys; a step across 100 % stops there, so
 * the real size is always a few steps away. */
static double
step_zoom (double   zoom,
           gboolean in)
{
  double next = in ? zoom * ZOOM_STEP : zoom / ZOOM_STEP;

  if ((zoom < 1.0 - 1e-9 && next > 1.0 + 1e-9) || (zoom > 1.0 + 1e-9 && next < 1.0 - 1e-9))
    return 1.0;
  return next;
}

static void
set_zoom (RlImageView *self,
          double       zoom,
          double       x,
          double       y)
{
  double ox, oy, ix, iy;

  if (self->img_w <= 0)
    return;
  zoom = CLAMP (zoom, min_zoom (self), MAX_ZOOM);
  get_origin (self, &ox, &oy);
  ix = (x - ox) / self->zoom;
  iy = (y - oy) / self->zoom;
  self->fit = FALSE;
  store_zoom (self, zoom);
  /* Scroll so that image point (ix, iy) lands on (x, y) again. */
  configure_adjustments (self, MARGIN + ix * zoom - x, MARGIN + iy * zoom - y);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
zoom_target (RlImageView *self,
             double      *x,
             double      *y)
{
  if (self->has_pointer)
    {
      *x = self->pointer_x;
      *y = self->pointer_y;
    }
  else
    {
      *x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      *y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
}

static void
pin_widget_position (RlImageView *self,
                     RlImagePin  *pin,
                     double      *x,
                     double      *y)
{
  double ox, oy, ax, ay;

  get_origin (self, &ox, &oy);
  rl_image_pin_get_shown_anchor (pin, &ax, &ay);
  *x = ox + ax * self->img_w * self->zoom;
  *y = oy + ay * self->img_h * self->zoom;
}

static void
scroll_pin_into_view (RlImageView *self,
                      RlImagePin  *pin)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double x, y;

  if (width <= 0 || height <= 0 || self->img_w <= 0)
    return;
  pin_widget_position (self, pin, &x, &y);
  if (x < MARGIN || x > width - MARGIN)
    gtk_adjustment_set_value (self->hadj, gtk_adjustment_get_value (self->hadj) + x - width / 2.0);
  if (y < MARGIN || y > height - MARGIN)
    gtk_adjustment_set_value (self->vadj, gtk_adjustment_get_value (self->vadj) + y - height / 2.0);
}

static gboolean
uses_cairo_renderer (RlImageView *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));

  return native != NULL && GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (native));
}

/* ---- store → pins ---------------------------------------------------------- */

static RlImagePin *
find_pin (RlImageView *self,
          const char  *thread_id)
{
  return thread_id ? g_hash_table_lookup (self->pins_by_id, thread_id) : NULL;
}

static void
remove_pin (RlImageView *self,
            RlImagePin  *pin)
{
  g_signal_handlers_disconnect_by_data (pin, self);
  g_hash_table_remove (self->pins_by_id, rl_image_pin_get_id (pin));
  gtk_widget_unparent (GTK_WIDGET (pin));
}

/* The signed-in user, whose own markers and replies are not news. */
static const char *
my_user_id (RlImageView *self)
{
  return self->store ? rl_connection_get_user_id (rl_doc_store_get_connection (self->store)) : NULL;
}

static void pin_pressed   (RlImagePin *pin, RlImageView *self);
static void pin_dragged   (RlImagePin *pin, double dx, double dy, RlImageView *self);
static void pin_released  (RlImagePin *pin, RlImageView *self);
static void pin_activated (RlImagePin *pin, RlImageView *self);
static void pin_nudged    (RlImagePin *pin, double dx, double dy, RlImageView *self);
static void pin_focused   (RlImagePin *pin, RlImageView *self);

static RlImagePin *
add_pin (RlImageView  *self,
         RlThreadItem *item)
{
  RlImagePin *pin = rl_image_pin_new (item, my_user_id (self));

  rl_image_pin_set_hide_resolved (pin, rl_review_state_get_hide_resolved (state_of (self)));
  rl_image_pin_set_revision (pin, rl_review_state_get_revision (state_of (self)));
  g_signal_connect (pin, "pressed", G_CALLBACK (pin_pressed), self);
  g_signal_connect (pin, "dragged", G_CALLBACK (pin_dragged), self);
  g_signal_connect (pin, "released", G_CALLBACK (pin_released), self);
  g_signal_connect (pin, "activated", G_CALLBACK (pin_activated), self);
  g_signal_connect (pin, "nudged", G_CALLBACK (pin_nudged), self);
  g_signal_connect (pin, "focused", G_CALLBACK (pin_focused), self);
  gtk_widget_set_parent (GTK_WIDGET (pin), GTK_WIDGET (self));
  g_hash_table_insert (self->pins_by_id, (gpointer) rl_image_pin_get_id (pin), pin);
  if (g_strcmp0 (rl_image_pin_get_id (pin), rl_review_state_get_selected_thread (state_of (self))) == 0)
    gtk_widget_add_css_class (GTK_WIDGET (pin), "selected");
  return pin;
}

static void
sync_pins (RlImageView *self)
{
  GListModel *threads = self->store ? rl_doc_store_get_threads (self->store) : NULL;
  guint n = threads ? g_list_model_get_n_items (threads) : 0;
  const char *me = my_user_id (self);
  g_autoptr(GPtrArray) pins = g_ptr_array_sized_new (n);
  g_autoptr(GHashTable) kept = g_hash_table_new (NULL, NULL);
  gboolean lost_selection = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);
      const RlThread *thread = rl_thread_item_get_thread (item);
      RlImagePin *pin = find_pin (self, thread->id);

      if (pin == NULL)
        {
          pin = add_pin (self, item);
          /* A teammate's marker arriving live (not the first state shown). */
          if (self->populated && g_strcmp0 (thread->created_by.id, me) != 0)
            rl_image_pin_start_pulse (pin);
        }
      else
        rl_image_pin_set_item (pin, item);
      g_hash_table_add (kept, pin);
      g_ptr_array_add (pins, pin);
    }
  for (guint i = 0; i < self->pins->len; i++)
    {
      RlImagePin *pin = g_ptr_array_index (self->pins, i);

      if (!g_hash_table_contains (kept, pin))
        {
          lost_selection |= g_strcmp0 (rl_image_pin_get_id (pin), rl_review_state_get_selected_thread (state_of (self))) == 0;
          remove_pin (self, pin);
        }
    }
  g_ptr_array_set_size (self->pins, 0);
  g_ptr_array_extend_and_steal (self->pins, g_steal_pointer (&pins));
  if (lost_selection)
    rl_review_state_set_selected_thread (state_of (self), NULL);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
store_synced_changed (RlImageView *self)
{
  if (rl_doc_store_is_synced (self->store))
    self->populated = TRUE;
}

/* ---- pin gestures (shared with the test hook) ------------------------------ */

static void show_notice (RlImageView *self, double x, double y, const char *message);

/* A click on a pin (not a drag), or Enter on it: its thread is selected
 * and "pin-activated" lets the window take the keyboard to its reply. */
static void
pin_activated (RlImagePin  *pin,
               RlImageView *self)
{
  g_autofree char *id = g_strdup (rl_image_pin_get_id (pin));

  rl_review_state_set_selected_thread (state_of (self), id);
  g_signal_emit (self, signals[SIGNAL_PIN_ACTIVATED], 0, id);
}

static gboolean
may_move (RlImageView    *self,
          const RlThread *thread)
{
  RlConnection *connection;
  const RlMessage *welcome;

  if (self->store == NULL)
    return FALSE;
  connection = rl_doc_store_get_connection (self->store);
  welcome = rl_connection_get_welcome (connection);
  if (welcome != NULL && welcome->role == RL_ROLE_ADMIN)
    return TRUE;
  return g_strcmp0 (thread->created_by.id, rl_connection_get_user_id (connection)) == 0;
}

static void
pin_pressed (RlImagePin  *pin,
             RlImageView *self)
{
  rl_image_pin_begin_drag (pin, may_move (self, rl_thread_item_get_thread (rl_image_pin_get_item (pin))));
}

static void
pin_dragged (RlImagePin  *pin,
             double       dx,
             double       dy,
             RlImageView *self)
{
  rl_image_pin_drag (pin, dx, dy, self->img_w * self->zoom, self->img_h * self->zoom);
}

static void
pin_released (RlImagePin  *pin,
              RlImageView *self)
{
  g_autoptr(GError) error = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE };
  const char *id = rl_image_pin_get_id (pin);

  if (!rl_image_pin_end_move (pin, &anchor.x, &anchor.y))
    {
      pin_activated (pin, self);
      return;
    }
  /* The store shows the move at once (notify::thread) or refuses it: then
   * the pin is back where the thread is. */
  if (!rl_doc_store_move_thread (self->store, id, &anchor, &error))
    {
      double x, y;

      g_debug ("image view: move of %s refused: %s", id, error->message);
      rl_image_pin_get_anchor (pin, &x, &y);
      show_notice (self, x, y, rl_error_refusal (RL_CHANGE_MOVE_MARKER, error));
    }
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

/* Alt+arrows on a focused pin: moved by pixels of the screen. */
static void
pin_nudged (RlImagePin  *pin,
            double       dx,
            double       dy,
            RlImageView *self)
{
  if (self->img_w <= 0 || self->store == NULL)
    return;
  if (!rl_image_pin_is_moving (pin)
      && !may_move (self, rl_thread_item_get_thread (rl_image_pin_get_item (pin))))
    {
      double x, y;

      rl_image_pin_get_anchor (pin, &x, &y);
      show_notice (self, x, y, _("Only the marker’s author or an admin can move it."));
      return;
    }
  rl_image_pin_nudge (pin, dx / (self->img_w * self->zoom), dy / (self->img_h * self->zoom));
}

static void
pin_focused (RlImagePin  *pin,
             RlImageView *self)
{
  scroll_pin_into_view (self, pin);
}

/* ---- composer and notice --------------------------------------------------- */

static void
present_popovers (RlImageView *self)
{
  double x, y;

  if (gtk_widget_get_visible (self->composer)
      && rl_image_view_image_to_widget (self, self->composer_x, self->composer_y, &x, &y))
    {
      gtk_popover_set_pointing_to (GTK_POPOVER (self->composer), &(GdkRectangle) { (int) x - 6, (int) y - 6, 12, 12 });
      gtk_popover_present (GTK_POPOVER (self->composer));
    }
  if (gtk_widget_get_visible (self->notice)
      && rl_image_view_image_to_widget (self, self->notice_x, self->notice_y, &x, &y))
    {
      gtk_popover_set_pointing_to (GTK_POPOVER (self->notice), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
      gtk_popover_present (GTK_POPOVER (self->notice));
    }
  if (gtk_widget_get_visible (self->zoom_menu))
    {
      graphene_rect_t bounds;

      if (gtk_widget_compute_bounds (self->zoom_level, GTK_WIDGET (self), &bounds))
        gtk_popover_set_pointing_to (GTK_POPOVER (self->zoom_menu),
                                     &(GdkRectangle) { (int) bounds.origin.x, (int) bounds.origin.y,
                                                       (int) bounds.size.width, (int) bounds.size.height });
      gtk_popover_present (GTK_POPOVER (self->zoom_menu));
    }
}

static gboolean
notice_expired (gpointer data)
{
  RlImageView *self = data;

  self->notice_timeout_id = 0;
  gtk_popover_popdown (GTK_POPOVER (self->notice));
  return G_SOURCE_REMOVE;
}

static void
show_notice (RlImageView *self,
             double       x,
             double       y,
             const char  *message)
{
  self->notice_x = x;
  self->notice_y = y;
  gtk_label_set_text (GTK_LABEL (self->notice_label), message);
  gtk_popover_popup (GTK_POPOVER (self->notice));
  g_clear_handle_id (&self->notice_timeout_id, g_source_remove);
  self->notice_timeout_id = g_timeout_add (NOTICE_MS, notice_expired, self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static const char *
cannot_create_message (RlImageView *self)
{
  return rl_review_view_get_cannot_create_message (RL_REVIEW_VIEW (self), _("Markers cannot be added right now."));
}

/* ---- drafts ---------------------------------------------------------------- */

static void
open_draft (RlImageView     *self,
            RlComposerDraft *draft)
{
  gtk_popover_popdown (GTK_POPOVER (self->notice));
  rl_composer_base_resume (RL_COMPOSER_BASE (self->composer), draft);
  g_variant_get (rl_composer_draft_get_place (draft), "(dd)", &self->composer_x, &self->composer_y);
  gtk_popover_popup (GTK_POPOVER (self->composer));
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
draft_pin_clicked (GtkButton   *button,
                   RlImageView *self)
{
  open_draft (self, g_object_get_data (G_OBJECT (button), "rl-draft"));
}

/* A kept draft shows as a pin of its own (an outline with a pencil) where
 * its marker would go; a click or Enter opens it again. */
static GtkWidget *
draft_pin_new (RlImageView     *self,
               RlComposerDraft *draft)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("document-edit-symbolic");
  g_autofree char *words = rl_image_pin_first_words (rl_composer_draft_get_text (draft));
  /* Translators: a marker typed but not sent yet, shown on the image; %s is the start of its text */
  g_autofree char *label = g_strdup_printf (_("Unsent marker: %s"), words);

  gtk_widget_add_css_class (button, "rl-draft-pin");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data (G_OBJECT (button), "rl-draft", draft);
  g_signal_connect (button, "clicked", G_CALLBACK (draft_pin_clicked), self);
  gtk_widget_set_parent (button, GTK_WIDGET (self));
  return button;
}

static void
sync_draft_pins (RlImageView *self)
{
  RlComposerBase *composer = RL_COMPOSER_BASE (self->composer);
  GPtrArray *drafts = rl_composer_base_get_drafts (composer);
  RlComposerDraft *current = rl_composer_base_get_current (composer);

  /* Few, and made again on each change: a draft pointer lives until then. */
  while (self->draft_pins->len > 0)
    {
      gtk_widget_unparent (g_ptr_array_index (self->draft_pins, self->draft_pins->len - 1));
      g_ptr_array_remove_index (self->draft_pins, self->draft_pins->len - 1);
    }
  for (guint i = 0; i < drafts->len; i++)
    if (g_ptr_array_index (drafts, i) != current)
      g_ptr_array_add (self->draft_pins, draft_pin_new (self, g_ptr_array_index (drafts, i)));
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Where a new marker starts: the composer, or why it cannot. While a
 * thread not found on this version is being placed ("Place…"), the click
 * places it there instead. */
static void
begin_marker (RlImageView *self,
              double       x,
              double       y)
{
  g_autoptr(GError) error = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = x, .y = y };

  if (!rl_review_state_get_can_create (state_of (self)))
    {
      show_notice (self, x, y, cannot_create_message (self));
      return;
    }
  if (rl_review_state_get_placing_thread (state_of (self)) == NULL)
    {
      rl_image_view_open_composer (self, x, y, NULL);
      return;
    }
  if (!rl_review_state_place_thread (state_of (self), &anchor, &error))
    show_notice (self, x, y, rl_error_refusal (RL_CHANGE_MOVE_MARKER, error));
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
composer_submit (RlImageView *self)
{
  g_autofree char *id = NULL;
  RlAnchor anchor = { .kind = RL_DOC_KIND_IMAGE, .x = self->composer_x, .y = self->composer_y };

  if (self->store == NULL)
    {
      rl_marker_composer_set_error (RL_MARKER_COMPOSER (self->composer), _("This image is not open for review."));
      return;
    }
  if (!rl_composer_base_send_thread (RL_COMPOSER_BASE (self->composer), self->store, &anchor,
                                     RL_CHANGE_NEW_MARKER, &id))
    return;
  rl_review_state_set_selected_thread (state_of (self), id);
}

static void
composer_closed (RlImageView *self)
{
  /* Escape or a click elsewhere: the composer kept what was typed as a
   * draft (a draft pin now); only the dot of the open one goes. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- view gestures --------------------------------------------------------- */

static void
click_at (RlImageView *self,
          double       x,
          double       y)
{
  double ix, iy;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (!rl_image_view_widget_to_image (self, x, y, &ix, &iy)
      || ix < 0 || ix > 1 || iy < 0 || iy > 1)
    return;
  begin_marker (self, ix, iy);
}

static gboolean
event_is_ours (RlImageView *self,
               GtkGesture  *gesture)
{
  GdkEvent *event = gtk_gesture_get_last_event (gesture, gtk_gesture_single_get_current_sequence (GTK_GESTURE_SINGLE (gesture)));
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));

  /* Popovers are our children: their clicks bubble up here too. */
  return event == NULL || native == NULL || gdk_event_get_surface (event) == gtk_native_get_surface (native);
}

static void
view_drag_begin (GtkGestureDrag *gesture,
                 double          x,
                 double          y,
                 RlImageView    *self)
{
  GtkWidget *under = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);

  /* A press in a popover (their clicks bubble up here too), on the zoom
   * controls or on a draft pin (their padding too) is theirs, not a click
   * on the image. Ignored, not denied: GTK would replay the press to the
   * widget under it, whose buttons take the second press as a cancel. */
  self->press_on_child = !event_is_ours (self, GTK_GESTURE (gesture)) || (under != NULL && under != GTK_WIDGET (self));
  self->panning = FALSE;
  self->pan_h = gtk_adjustment_get_value (self->hadj);
  self->pan_v = gtk_adjustment_get_value (self->vadj);
}

static void
view_drag_update (GtkGestureDrag *gesture,
                  double          dx,
                  double          dy,
                  RlImageView    *self)
{
  if (self->press_on_child || (!self->panning && hypot (dx, dy) < DRAG_THRESHOLD))
    return;
  if (!self->panning)
    {
      self->panning = TRUE;
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
    }
  gtk_adjustment_set_value (self->hadj, self->pan_h - dx);
  gtk_adjustment_set_value (self->vadj, self->pan_v - dy);
}

static void
view_drag_end (GtkGestureDrag *gesture,
               double          dx,
               double          dy,
               RlImageView    *self)
{
  double x, y;

  if (self->press_on_child)
    {
      self->press_on_child = FALSE;
      return;
    }
  if (self->panning)
    {
      self->panning = FALSE;
      gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
      return;
    }
  if (gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)) != GDK_BUTTON_PRIMARY)
    return;
  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  click_at (self, x, y);
}

static gboolean
view_scroll (GtkEventControllerScroll *controller,
             double                    dx,
             double                    dy,
             RlImageView              *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  double steps, x, y;

  /* Plain scrolling is the scrolled window's (it pans). */
  if (!(state & GDK_CONTROL_MASK) || self->img_w <= 0)
    return FALSE;
  steps = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL ? dy : dy / 20.0;
  zoom_target (self, &x, &y);
  set_zoom (self, self->zoom * pow (ZOOM_STEP, -steps), x, y);
  return TRUE;
}

static void
view_motion (GtkEventControllerMotion *controller,
             double                    x,
             double                    y,
             RlImageView              *self)
{
  self->has_pointer = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
}

static void
view_leave (GtkEventControllerMotion *controller,
            RlImageView              *self)
{
  self->has_pointer = FALSE;
}

static void
pinch_begin (GtkGesture       *gesture,
             GdkEventSequence *sequence,
             RlImageView      *self)
{
  self->pinch_zoom = self->zoom;
}

static void
pinch_scale_changed (GtkGestureZoom *gesture,
                     double          scale,
                     RlImageView    *self)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    zoom_target (self, &x, &y);
  set_zoom (self, self->pinch_zoom * scale, x, y);
}

/* Keys, the zoom controls and their menu: about the middle of what is
 * shown (the wheel and pinches zoom about the pointer). */
static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RlImageView *self = RL_IMAGE_VIEW (widget);
  double zoom;

  if (g_str_equal (action_name, "image.zoom-fit"))
    {
      rl_image_view_zoom_to_fit (self);
      return;
    }
  if (g_str_equal (action_name, "image.zoom-to"))
    zoom = g_variant_get_double (parameter);
  else if (g_str_equal (action_name, "image.zoom-original"))
    zoom = 1.0;
  else
    zoom = step_zoom (self->zoom, g_str_equal (action_name, "image.zoom-in"));
  set_zoom (self, zoom, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
}

/* ---- zoom controls --------------------------------------------------------- */

static gboolean zoom_controls_due (gpointer data);

static void
update_zoom_controls (RlImageView *self)
{
  g_autofree char *level = NULL;

  if (self->zoom_level == NULL)
    return;
  /* A fit zoom changes while the view is being allocated: the level's
   * label would queue a resize in the middle of it (its siblings then
   * miss their allocation for a frame), so it follows right after. */
  if (self->in_allocate)
    {
      if (self->zoom_controls_id == 0)
        self->zoom_controls_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, zoom_controls_due, self, NULL);
      return;
    }
  /* Translators: a zoom level; %d is the percentage (use a no-break space before % if your language writes one) */
  level = g_strdup_printf (_("%d%%"), (int) round (self->zoom * 100));
  gtk_label_set_text (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (self->zoom_level))), level);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->zoom_level), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, level, -1);
  gtk_widget_set_visible (self->zoom_controls, self->img_w > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "image.zoom-in", self->img_w > 0 && self->zoom < MAX_ZOOM);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "image.zoom-out",
                                 self->img_w > 0 && self->zoom > min_zoom (self) * (1 + 1e-9));
}

static gboolean
zoom_controls_due (gpointer data)
{
  RlImageView *self = data;

  self->zoom_controls_id = 0;
  update_zoom_controls (self);
  return G_SOURCE_REMOVE;
}

static void
zoom_level_clicked (RlImageView *self)
{
  gtk_popover_popup (GTK_POPOVER (self->zoom_menu));
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static GMenuItem *
zoom_level_item (double      zoom,
                 const char *accel)
{
  /* Translators: a zoom level; %d is the percentage (use a no-break space before % if your language writes one) */
  g_autofree char *label = g_strdup_printf (_("%d%%"), (int) round (zoom * 100));
  GMenuItem *item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, "image.zoom-to", g_variant_new_double (zoom));
  if (accel != NULL)
    g_menu_item_set_attribute (item, "accel", "s", accel);
  return item;
}

/* The menu of the zoom level (rl-image-view.ui) after Best Fit: the real
 * sizes, whose words are a translated format. */
static void
add_zoom_levels (RlImageView *self)
{
  g_autoptr(GMenuItem) real_size = zoom_level_item (1.0, "<Control>1");
  g_autoptr(GMenuItem) double_size = zoom_level_item (2.0, NULL);

  g_menu_append_item (self->zoom_menu_model, real_size);
  g_menu_append_item (self->zoom_menu_model, double_size);
}

static void
add_marker_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  RlImageView *self = RL_IMAGE_VIEW (widget);
  double ix, iy;

  if (!rl_image_view_widget_to_image (self, gtk_widget_get_width (widget) / 2.0,
                                      gtk_widget_get_height (widget) / 2.0, &ix, &iy))
    return;
  begin_marker (self, CLAMP (ix, 0.0, 1.0), CLAMP (iy, 0.0, 1.0));
}

/* ---- the review state ------------------------------------------------------ */

static void
set_store (RlImageView *self,
           RlDocStore  *store)
{
  if (self->store == store)
    return;
  gtk_popover_popdown (GTK_POPOVER (self->notice));
  /* A draft belongs to the document it was begun on: it is kept there
   * (shown again when the document is) and never sent to the next one. */
  rl_composer_base_set_store (RL_COMPOSER_BASE (self->composer), store);
  if (self->store != NULL)
    {
      g_clear_signal_handler (&self->items_id, rl_doc_store_get_threads (self->store));
      g_clear_signal_handler (&self->synced_id, self->store);
    }
  g_set_object (&self->store, store);
  /* What the store holds now is not news; what comes once it is synced is. */
  self->populated = store != NULL && rl_doc_store_is_synced (store);
  if (store != NULL)
    {
      self->items_id = g_signal_connect_swapped (rl_doc_store_get_threads (store), "items-changed",
                                                 G_CALLBACK (sync_pins), self);
      self->synced_id = g_signal_connect_swapped (store, "notify::synced",
                                                  G_CALLBACK (store_synced_changed), self);
    }
  while (self->pins->len > 0)
    {
      remove_pin (self, g_ptr_array_index (self->pins, self->pins->len - 1));
      g_ptr_array_remove_index (self->pins, self->pins->len - 1);
    }
  sync_pins (self);
}

/* The state's store while it is an image's: its threads become pins. */
static void
state_store_changed (RlReviewView *view)
{
  set_store (RL_IMAGE_VIEW (view), rl_review_view_get_store_of_kind (view, RL_DOC_KIND_IMAGE));
}

static void
state_selection_changed (RlReviewView *view)
{
  RlImageView *self = RL_IMAGE_VIEW (view);
  const char *selected = rl_review_state_get_selected_thread (state_of (self));
  RlImagePin *pin;

  for (guint i = 0; i < self->pins->len; i++)
    {
      pin = g_ptr_array_index (self->pins, i);
      if (g_strcmp0 (rl_image_pin_get_id (pin), selected) == 0)
        gtk_widget_add_css_class (GTK_WIDGET (pin), "selected");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (pin), "selected");
    }
  if ((pin = find_pin (self, selected)) != NULL)
    scroll_pin_into_view (self, pin);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
state_filter_changed (RlReviewView *view)
{
  RlImageView *self = RL_IMAGE_VIEW (view);
  gboolean hide_resolved = rl_review_state_get_hide_resolved (state_of (self));

  for (guint i = 0; i < self->pins->len; i++)
    rl_image_pin_set_hide_resolved (g_ptr_array_index (self->pins, i), hide_resolved);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

/* Another version shown: each pin where its thread is placed on it. */
static void
state_revision_changed (RlReviewView *view)
{
  RlImageView *self = RL_IMAGE_VIEW (view);
  gint64 revision = rl_review_state_get_revision (state_of (self));

  for (guint i = 0; i < self->pins->len; i++)
    rl_image_pin_set_revision (g_ptr_array_index (self->pins, i), revision);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
update_tooltip (RlReviewView *view)
{
  RlImageView *self = RL_IMAGE_VIEW (view);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               rl_review_state_get_can_create (state_of (self)) ? NULL : cannot_create_message (self));
}

/* ---- scrollable ------------------------------------------------------------ */

static void
adjustment_changed (RlImageView *self)
{
  if (self->in_allocate)
    return;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
set_adjustment (RlImageView    *self,
                GtkAdjustment **slot,
                GtkAdjustment  *adjustment)
{
  if (adjustment != NULL && adjustment == *slot)
    return;
  if (*slot != NULL)
    g_signal_handlers_disconnect_by_func (*slot, adjustment_changed, self);
  g_clear_object (slot);
  *slot = g_object_ref_sink (adjustment ? adjustment : gtk_adjustment_new (0, 0, 0, 0, 0, 0));
  g_signal_connect_swapped (*slot, "value-changed", G_CALLBACK (adjustment_changed), self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
rl_image_view_scrollable_init (GtkScrollableInterface *iface)
{
}

/* ---- widget ---------------------------------------------------------------- */

static void
rl_image_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  RlImageView *self = RL_IMAGE_VIEW (widget);
  int size = orientation == GTK_ORIENTATION_HORIZONTAL ? self->img_w : self->img_h;

  /* It scrolls: any size will do; ask for the image up to a screenful. */
  *minimum = 0;
  *natural = MIN (size + 2 * (int) MARGIN, 800);
}

static void
rl_image_view_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  RlImageView *self = RL_IMAGE_VIEW (widget);

  self->in_allocate = TRUE;
  if (self->fit)
    store_zoom (self, fit_zoom (self));
  configure_adjustments (self, gtk_adjustment_get_value (self->hadj), gtk_adjustment_get_value (self->vadj));
  self->in_allocate = FALSE;

  for (guint i = 0; i < self->pins->len; i++)
    {
      RlImagePin *pin = g_ptr_array_index (self->pins, i);
      int w, h;
      double x, y;

      if (!gtk_widget_get_visible (GTK_WIDGET (pin)))
        continue;
      gtk_widget_measure (GTK_WIDGET (pin), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &w, NULL, NULL);
      gtk_widget_measure (GTK_WIDGET (pin), GTK_ORIENTATION_VERTICAL, w, NULL, &h, NULL, NULL);
      pin_widget_position (self, pin, &x, &y);
      gtk_widget_size_allocate (GTK_WIDGET (pin),
                                &(GtkAllocation) { (int) round (x - w / 2.0), (int) round (y - h / 2.0), w, h }, -1);
    }
  for (guint i = 0; i < self->draft_pins->len; i++)
    {
      GtkWidget *pin = g_ptr_array_index (self->draft_pins, i);
      RlComposerDraft *draft = g_object_get_data (G_OBJECT (pin), "rl-draft");
      double fx, fy, x = 0, y = 0;
      int w, h;

      g_variant_get (rl_composer_draft_get_place (draft), "(dd)", &fx, &fy);
      rl_image_view_image_to_widget (self, fx, fy, &x, &y);
      gtk_widget_measure (pin, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &w, NULL, NULL);
      gtk_widget_measure (pin, GTK_ORIENTATION_VERTICAL, w, NULL, &h, NULL, NULL);
      gtk_widget_size_allocate (pin, &(GtkAllocation) { (int) round (x - w / 2.0), (int) round (y - h / 2.0), w, h }, -1);
    }
  /* The zoom controls keep to the bottom right corner of what is shown. */
  {
    int w, h;

    gtk_widget_measure (self->zoom_controls, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &w, NULL, NULL);
    gtk_widget_measure (self->zoom_controls, GTK_ORIENTATION_VERTICAL, w, NULL, &h, NULL, NULL);
    gtk_widget_size_allocate (self->zoom_controls,
                              &(GtkAllocation) { MAX (0, width - w - ZOOM_CONTROLS_INSET),
                                                 MAX (0, height - h - ZOOM_CONTROLS_INSET), w, h }, -1);
  }
  present_popovers (self);
}

static void
rl_image_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  RlImageView *self = RL_IMAGE_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  RlImagePin *selected = NULL;
  GskRenderNode *image;
  double ox, oy;

  if (self->img_w <= 0 || width <= 0 || height <= 0)
    return;

  get_origin (self, &ox, &oy);
  image = rl_tiled_image_get_node (self->image, self->zoom, ox, oy, width, height, scale,
                                   uses_cairo_renderer (self));
  if (image != NULL)
    gtk_snapshot_append_node (snapshot, image);

  /* Pins in number order; the selected one on top. */
  for (guint i = 0; i < self->pins->len; i++)
    {
      RlImagePin *pin = g_ptr_array_index (self->pins, i);
      double x, y;

      if (!gtk_widget_get_visible (GTK_WIDGET (pin)))
        continue;
      pin_widget_position (self, pin, &x, &y);
      /* Far outside (the pulse ring reaches ~40 px): not drawn at all. */
      if (x < -60 || y < -60 || x > width + 60 || y > height + 60)
        continue;
      if (g_strcmp0 (rl_image_pin_get_id (pin), rl_review_state_get_selected_thread (state_of (self))) == 0)
        selected = pin;
      else
        gtk_widget_snapshot_child (widget, GTK_WIDGET (pin), snapshot);
    }
  if (selected != NULL)
    gtk_widget_snapshot_child (widget, GTK_WIDGET (selected), snapshot);
  for (guint i = 0; i < self->draft_pins->len; i++)
    gtk_widget_snapshot_child (widget, g_ptr_array_index (self->draft_pins, i), snapshot);

  /* Where the marker being composed will go. */
  if (gtk_widget_get_visible (self->composer))
    {
      double x, y;
      GskRoundedRect dot;
      GdkRGBA fill = { 0.88f, 0.11f, 0.14f, 0.85f };
      GdkRGBA white = { 1, 1, 1, 1 };

      gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "rl_pin_color", &fill);
      rl_image_view_image_to_widget (self, self->composer_x, self->composer_y, &x, &y);
      gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT (x - 7, y - 7, 14, 14), 7);
      gtk_snapshot_push_rounded_clip (snapshot, &dot);
      gtk_snapshot_append_color (snapshot, &fill, &dot.bounds);
      gtk_snapshot_pop (snapshot);
      gtk_snapshot_append_border (snapshot, &dot, (float[4]) { 2, 2, 2, 2 },
                                  (GdkRGBA[4]) { white, white, white, white });
    }

  /* Over everything: the zoom controls. */
  gtk_widget_snapshot_child (widget, self->zoom_controls, snapshot);
}

/* Tab and the arrows walk the pins in number order, then the drafts; Tab
 * goes on to the zoom controls and leaves after them; Shift+Tab goes back
 * to the view itself before the first pin. */
static gboolean
rl_image_view_focus (GtkWidget        *widget,
                     GtkDirectionType  direction)
{
  RlImageView *self = RL_IMAGE_VIEW (widget);
  GtkWidget *focus_child = gtk_widget_get_focus_child (widget);
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  gboolean forward = direction == GTK_DIR_TAB_FORWARD || direction == GTK_DIR_DOWN || direction == GTK_DIR_RIGHT;
  gboolean tab = direction == GTK_DIR_TAB_FORWARD || direction == GTK_DIR_TAB_BACKWARD;
  guint index = G_MAXUINT;

  for (guint i = 0; i < self->pins->len + self->draft_pins->len; i++)
    {
      GtkWidget *pin = i < self->pins->len
        ? g_ptr_array_index (self->pins, i)
        : g_ptr_array_index (self->draft_pins, i - self->pins->len);

      if (!gtk_widget_get_visible (pin))
        continue;
      if (pin == focus_child)
        index = shown->len;
      g_ptr_array_add (shown, pin);
    }

  if (focus_child != NULL && focus_child == self->zoom_controls)
    {
      if (gtk_widget_child_focus (focus_child, direction))
        return TRUE;
      /* Arrows stay among the controls; Tab leaves, Shift+Tab goes back. */
      if (!tab)
        return TRUE;
      if (forward)
        return FALSE;
      return shown->len > 0
        ? gtk_widget_grab_focus (g_ptr_array_index (shown, shown->len - 1))
        : gtk_widget_grab_focus (widget);
    }
  if (focus_child != NULL && index == G_MAXUINT)
    return gtk_widget_child_focus (focus_child, direction);

  if (focus_child == NULL && !gtk_widget_has_focus (widget))
    {
      /* Coming in: forward to the view itself, backward to the last stop. */
      if (!forward && tab)
        {
          if (gtk_widget_child_focus (self->zoom_controls, direction))
            return TRUE;
          if (shown->len > 0)
            return gtk_widget_grab_focus (g_ptr_array_index (shown, shown->len - 1));
        }
      return gtk_widget_grab_focus (widget);
    }
  if (focus_child == NULL)
    {
      if (!forward && tab)
        return FALSE;
      if (shown->len == 0)
        return tab ? gtk_widget_child_focus (self->zoom_controls, direction) : TRUE;
      return gtk_widget_grab_focus (g_ptr_array_index (shown, forward ? 0 : shown->len - 1));
    }
  if (forward && index + 1 < shown->len)
    return gtk_widget_grab_focus (g_ptr_array_index (shown, index + 1));
  if (!forward && index > 0)
    return gtk_widget_grab_focus (g_ptr_array_index (shown, index - 1));
  if (tab)
    return forward ? gtk_widget_child_focus (self->zoom_controls, direction) : gtk_widget_grab_focus (widget);
  /* Arrows wrap around. */
  return gtk_widget_grab_focus (g_ptr_array_index (shown, forward ? 0 : shown->len - 1));
}

static void
rl_image_view_dispose (GObject *object)
{
  RlImageView *self = RL_IMAGE_VIEW (object);

  if (state_of (self) != NULL)
    {
      g_signal_handlers_disconnect_by_data (state_of (self), self);
      if (self->composer != NULL)
        set_store (self, NULL);
    }
  g_clear_handle_id (&self->notice_timeout_id, g_source_remove);
  g_clear_handle_id (&self->zoom_controls_id, g_source_remove);
  if (self->draft_pins != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->composer, self);
      while (self->draft_pins->len > 0)
        {
          gtk_widget_unparent (g_ptr_array_index (self->draft_pins, self->draft_pins->len - 1));
          g_ptr_array_remove_index (self->draft_pins, self->draft_pins->len - 1);
        }
      g_clear_pointer (&self->draft_pins, g_ptr_array_unref);
    }
  g_clear_pointer (&self->composer, gtk_widget_unparent);
  g_clear_pointer (&self->notice, gtk_widget_unparent);
  g_clear_pointer (&self->zoom_menu, gtk_widget_unparent);
  g_clear_pointer (&self->zoom_controls, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), RL_TYPE_IMAGE_VIEW);
  g_clear_object (&self->image);
  if (self->hadj)
    g_signal_handlers_disconnect_by_func (self->hadj, adjustment_changed, self);
  if (self->vadj)
    g_signal_handlers_disconnect_by_func (self->vadj, adjustment_changed, self);
  g_clear_object (&self->hadj);
  g_clear_object (&self->vadj);
  G_OBJECT_CLASS (rl_image_view_parent_class)->dispose (object);
}

static void
rl_image_view_finalize (GObject *object)
{
  RlImageView *self = RL_IMAGE_VIEW (object);

  g_ptr_array_unref (self->pins);
  g_hash_table_unref (self->pins_by_id);
  G_OBJECT_CLASS (rl_image_view_parent_class)->finalize (object);
}

static void
rl_image_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RlImageView *self = RL_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadj);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadj);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_image_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  RlImageView *self = RL_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadj, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadj, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      if (self->hscroll_policy != (guint) g_value_get_enum (value))
        {
          self->hscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_VSCROLL_POLICY:
      if (self->vscroll_policy != (guint) g_value_get_enum (value))
        {
          self->vscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_image_view_class_init (RlImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  RlReviewViewClass *review_class = RL_REVIEW_VIEW_CLASS (klass);

  object_class->dispose = rl_image_view_dispose;
  object_class->finalize = rl_image_view_finalize;
  object_class->get_property = rl_image_view_get_property;
  object_class->set_property = rl_image_view_set_property;
  widget_class->measure = rl_image_view_measure;
  widget_class->size_allocate = rl_image_view_size_allocate;
  widget_class->snapshot = rl_image_view_snapshot;
  widget_class->focus = rl_image_view_focus;

  review_class->store_changed = state_store_changed;
  review_class->selection_changed = state_selection_changed;
  review_class->filter_changed = state_filter_changed;
  review_class->revision_changed = state_revision_changed;
  review_class->can_create_changed = update_tooltip;

  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 0.0, MAX_ZOOM, 1.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  /* A person clicked a pin (not a drag) or pressed Enter on it: its
   * thread is selected; the next keystroke is probably a reply. */
  signals[SIGNAL_PIN_ACTIVATED] =
    g_signal_new ("pin-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_css_name (widget_class, "rlimageview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_type_ensure (RL_TYPE_MARKER_COMPOSER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-image-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RlImageView, composer);
  gtk_widget_class_bind_template_child (widget_class, RlImageView, notice);
  gtk_widget_class_bind_template_child (widget_class, RlImageView, notice_label);
  gtk_widget_class_bind_template_child (widget_class, RlImageView, zoom_controls);
  gtk_widget_class_bind_template_child (widget_class, RlImageView, zoom_level);
  gtk_widget_class_bind_template_child (widget_class, RlImageView, zoom_menu);
  gtk_widget_class_bind_template_child (widget_class, RlImageView, zoom_menu_model);
  gtk_widget_class_bind_template_callback (widget_class, view_drag_begin);
  gtk_widget_class_bind_template_callback (widget_class, view_drag_update);
  gtk_widget_class_bind_template_callback (widget_class, view_drag_end);
  gtk_widget_class_bind_template_callback (widget_class, pinch_begin);
  gtk_widget_class_bind_template_callback (widget_class, pinch_scale_changed);
  gtk_widget_class_bind_template_callback (widget_class, view_scroll);
  gtk_widget_class_bind_template_callback (widget_class, view_motion);
  gtk_widget_class_bind_template_callback (widget_class, view_leave);
  gtk_widget_class_bind_template_callback (widget_class, composer_submit);
  gtk_widget_class_bind_template_callback (widget_class, composer_closed);
  gtk_widget_class_bind_template_callback (widget_class, sync_draft_pins);
  gtk_widget_class_bind_template_callback (widget_class, zoom_level_clicked);

  gtk_widget_class_install_action (widget_class, "image.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "image.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "image.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "image.zoom-original", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "image.zoom-to", "d", zoom_action);
  gtk_widget_class_install_action (widget_class, "image.add-marker", NULL, add_marker_action);
  {
    const guint in_keys[] = { GDK_KEY_plus, GDK_KEY_equal, GDK_KEY_KP_Add };
    const guint out_keys[] = { GDK_KEY_minus, GDK_KEY_KP_Subtract };
    const guint fit_keys[] = { GDK_KEY_0, GDK_KEY_KP_0 };
    const guint original_keys[] = { GDK_KEY_1, GDK_KEY_KP_1 };
    const GdkModifierType mods[] = { 0, GDK_CONTROL_MASK };

    /* While the view has the focus, also without Ctrl; with Ctrl they work
     * anywhere in the window through win.zoom-* (rl-application.c). */
    for (guint m = 0; m < G_N_ELEMENTS (mods); m++)
      {
        for (guint k = 0; k < G_N_ELEMENTS (in_keys); k++)
          gtk_widget_class_add_binding_action (widget_class, in_keys[k], mods[m], "image.zoom-in", NULL);
        for (guint k = 0; k < G_N_ELEMENTS (out_keys); k++)
          gtk_widget_class_add_binding_action (widget_class, out_keys[k], mods[m], "image.zoom-out", NULL);
        for (guint k = 0; k < G_N_ELEMENTS (fit_keys); k++)
          gtk_widget_class_add_binding_action (widget_class, fit_keys[k], mods[m], "image.zoom-fit", NULL);
        for (guint k = 0; k < G_N_ELEMENTS (original_keys); k++)
          gtk_widget_class_add_binding_action (widget_class, original_keys[k], mods[m], "image.zoom-original", NULL);
      }
  }
  /* Focused pins take Enter themselves (select); on the view it adds. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "image.add-marker", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "image.add-marker", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK | GDK_ALT_MASK, "image.add-marker", NULL);
}

static void
rl_image_view_init (RlImageView *self)
{
  self->zoom = 1.0;
  self->fit = TRUE;
  self->pins = g_ptr_array_new ();
  self->pins_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->draft_pins = g_ptr_array_new ();
  set_adjustment (self, &self->hadj, NULL);
  set_adjustment (self, &self->vadj, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  add_zoom_levels (self);
  update_zoom_controls (self);
}

/* ---- public API ------------------------------------------------------------ */

GtkWidget *
rl_image_view_new (RlReviewState *state)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (state), NULL);

  return g_object_new (RL_TYPE_IMAGE_VIEW, "state", state, NULL);
}

RlReviewState *
rl_image_view_get_state (RlImageView *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), NULL);
  return state_of (self);
}

void
rl_image_view_set_texture (RlImageView *self,
                           GdkTexture  *texture)
{
  g_return_if_fail (RL_IS_IMAGE_VIEW (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  g_clear_object (&self->image);
  self->img_w = self->img_h = 0;
  self->fit = TRUE;
  if (texture != NULL)
    {
      g_autoptr(GError) error = NULL;

      self->image = rl_tiled_image_new (texture, &error);
      /* Past cairo's 32767 px or out of memory: show nothing, say why. */
      if (self->image == NULL)
        g_debug ("image view: %s", error->message);
      else
        {
          self->img_w = rl_tiled_image_get_width (self->image);
          self->img_h = rl_tiled_image_get_height (self->image);
        }
    }
  gtk_adjustment_set_value (self->hadj, 0);
  gtk_adjustment_set_value (self->vadj, 0);
  update_zoom_controls (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
rl_image_view_open_composer (RlImageView *self,
                             double       x,
                             double       y,
                             const char  *text)
{
  g_return_if_fail (RL_IS_IMAGE_VIEW (self));

  gtk_popover_popdown (GTK_POPOVER (self->notice));
  x = CLAMP (x, 0.0, 1.0);
  y = CLAMP (y, 0.0, 1.0);
  /* A draft open is kept (a draft pin) as the new one opens. */
  rl_composer_base_begin (RL_COMPOSER_BASE (self->composer), g_variant_new ("(dd)", x, y), text);
  self->composer_x = x;
  self->composer_y = y;
  gtk_popover_popup (GTK_POPOVER (self->composer));
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
rl_image_view_reveal_thread (RlImageView *self,
                             const char  *thread_id)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  RlImagePin *pin;
  double x, y;

  g_return_if_fail (RL_IS_IMAGE_VIEW (self));

  pin = find_pin (self, thread_id);
  if (pin == NULL || !gtk_widget_get_visible (GTK_WIDGET (pin)) || self->img_w <= 0 || width <= 0 || height <= 0)
    return;
  /* The adjustments clamp it: at the image's edges it stops short. */
  pin_widget_position (self, pin, &x, &y);
  gtk_adjustment_set_value (self->hadj, gtk_adjustment_get_value (self->hadj) + x - width / 2.0);
  gtk_adjustment_set_value (self->vadj, gtk_adjustment_get_value (self->vadj) + y - height / 2.0);
}

double
rl_image_view_get_zoom (RlImageView *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), 1.0);
  return self->zoom;
}

double
rl_image_view_get_fit_zoom (RlImageView *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), 1.0);
  return fit_zoom (self);
}

gboolean
rl_image_view_is_fit (RlImageView *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), FALSE);
  return self->fit;
}

void
rl_image_view_zoom_at (RlImageView *self,
                       double       zoom,
                       double       x,
                       double       y)
{
  g_return_if_fail (RL_IS_IMAGE_VIEW (self));
  set_zoom (self, zoom, x, y);
}

void
rl_image_view_zoom_to_fit (RlImageView *self)
{
  g_return_if_fail (RL_IS_IMAGE_VIEW (self));

  self->fit = TRUE;
  store_zoom (self, fit_zoom (self));
  configure_adjustments (self, 0, 0);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
rl_image_view_widget_to_image (RlImageView *self,
                               double       x,
                               double       y,
                               double      *image_x,
                               double      *image_y)
{
  double ox, oy;

  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), FALSE);

  if (!image_origin (self, &ox, &oy))
    return FALSE;
  *image_x = (x - ox) / (self->img_w * self->zoom);
  *image_y = (y - oy) / (self->img_h * self->zoom);
  return TRUE;
}

gboolean
rl_image_view_image_to_widget (RlImageView *self,
                               double       image_x,
                               double       image_y,
                               double      *x,
                               double      *y)
{
  double ox, oy;

  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), FALSE);

  if (!image_origin (self, &ox, &oy))
    return FALSE;
  *x = ox + image_x * self->img_w * self->zoom;
  *y = oy + image_y * self->img_h * self->zoom;
  return TRUE;
}

guint
rl_image_view_get_n_pins (RlImageView *self)
{
  guint n = 0;

  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), 0);

  for (guint i = 0; i < self->pins->len; i++)
    n += gtk_widget_get_visible (g_ptr_array_index (self->pins, i));
  return n;
}

gboolean
rl_image_view_get_pin_position (RlImageView *self,
                                const char  *thread_id,
                                double      *x,
                                double      *y)
{
  RlImagePin *pin;

  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), FALSE);

  pin = find_pin (self, thread_id);
  if (pin == NULL || !gtk_widget_get_visible (GTK_WIDGET (pin)))
    return FALSE;
  rl_image_pin_get_shown_anchor (pin, x, y);
  return TRUE;
}

GtkWidget *
rl_image_view_get_pin (RlImageView *self,
                       const char  *thread_id)
{
  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), NULL);
  return (GtkWidget *) find_pin (self, thread_id);
}

gboolean
rl_image_view_pin_is_highlighted (RlImageView *self,
                                  const char  *thread_id)
{
  RlImagePin *pin;

  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), FALSE);

  pin = find_pin (self, thread_id);
  return pin != NULL && rl_image_pin_is_pulsing (pin);
}

GtkWidget *
rl_image_view_get_composer (RlImageView *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), NULL);
  return self->composer;
}

GtkWidget *
rl_image_view_get_notice (RlImageView *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), NULL);
  return self->notice;
}

void
rl_image_view_click_for_testing (RlImageView *self,
                                 double       x,
                                 double       y)
{
  g_return_if_fail (RL_IS_IMAGE_VIEW (self));
  click_at (self, x, y);
}

void
rl_image_view_drag_pin_for_testing (RlImageView *self,
                                    const char  *thread_id,
                                    double       dx,
                                    double       dy)
{
  RlImagePin *pin;

  g_return_if_fail (RL_IS_IMAGE_VIEW (self));
  pin = find_pin (self, thread_id);
  g_return_if_fail (pin != NULL);

  pin_pressed (pin, self);
  pin_dragged (pin, dx / 2, dy / 2, self);
  pin_dragged (pin, dx, dy, self);
  pin_released (pin, self);
}

gpointer
rl_image_view_get_image_for_testing (RlImageView *self)
{
  g_return_val_if_fail (RL_IS_IMAGE_VIEW (self), NULL);
  return self->image;
}
