/* test-input.c — the tests' hands (rl-ui-input) reach widgets as a
 * person's do: clicks land where the pointer is and not through what
 * covers it, drags and wheel clicks come as gestures, keys and any text
 * arrive at the focus, shortcuts fire
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "rl-ui-input.h"
#include "rl-ui-test.h"

typedef struct
{
  GtkWindow *window;
  GtkWidget *button;
  GtkWidget *covered;
  GtkWidget *entry;
  GtkWidget *area;
  guint      clicks;
  guint      covered_clicks;
  guint      shortcuts;
  double     drag_x;
  double     drag_y;
  double     scrolled;
  gboolean   scrolled_with_control;
} Fixture;

static void
on_clicked (GtkButton *button,
            guint     *count)
{
  (*count)++;
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          x,
             double          y,
             Fixture        *f)
{
  f->drag_x = x;
  f->drag_y = y;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           Fixture                  *f)
{
  f->scrolled += dy;
  f->scrolled_with_control = (gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller)) &
                              GDK_CONTROL_MASK) != 0;
  return TRUE;
}

static gboolean
on_shortcut (GtkWidget *widget,
             GVariant  *args,
             gpointer   data)
{
  ((Fixture *) data)->shortcuts++;
  return TRUE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *cover = gtk_label_new ("cover");
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 500, 500);
  f->button = gtk_button_new_with_label ("Press");
  g_signal_connect (f->button, "clicked", G_CALLBACK (on_clicked), &f->clicks);
  gtk_box_append (GTK_BOX (box), f->button);

  /* A button under a label that takes the pointer: a person cannot click it. */
  f->covered = gtk_button_new_with_label ("Covered");
  g_signal_connect (f->covered, "clicked", G_CALLBACK (on_clicked), &f->covered_clicks);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), f->covered);
  gtk_widget_add_css_class (cover, "background");
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), cover);
  gtk_box_append (GTK_BOX (box), overlay);

  f->entry = gtk_entry_new ();
  gtk_box_append (GTK_BOX (box), f->entry);

  f->area = gtk_drawing_area_new ();
  gtk_widget_set_size_request (f->area, 300, 200);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), f);
  gtk_widget_add_controller (f->area, GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), f);
  gtk_widget_add_controller (f->area, scroll);
  gtk_box_append (GTK_BOX (box), f->area);

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_plus, GDK_CONTROL_MASK),
                                                          gtk_callback_action_new (on_shortcut, f, NULL)));
  gtk_widget_add_controller (box, shortcuts);

  gtk_window_set_child (f->window, box);
  rl_ui_test_present (f->window, f->area);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (f->window);
  rl_ui_test_run (50);
}

static void
test_click (Fixture       *f,
            gconstpointer  data)
{
  g_assert_true (rl_ui_input_available ());
  rl_ui_input_click (f->button);
  g_assert_cmpuint (f->clicks, ==, 1);
  /* Twice more, as separate clicks. */
  rl_ui_input_click (f->button);
  rl_ui_input_click (f->button);
  g_assert_cmpuint (f->clicks, ==, 3);

  /* The click lands on what is on top. */
  rl_ui_input_click (f->covered);
  g_assert_cmpuint (f->covered_clicks, ==, 0);
  g_free (rl_ui_test_screenshot (GTK_WIDGET (f->window), "input-window"));
}

static void
test_type (Fixture       *f,
           gconstpointer  data)
{
  const char *text = "Hello, World! àéł€ 😀 æøå";

  rl_ui_input_click (f->entry);
  g_assert_true (gtk_widget_has_focus (gtk_widget_get_first_child (f->entry)) ||
                 gtk_widget_is_focus (f->entry) ||
                 gtk_root_get_focus (GTK_ROOT (f->window)) != NULL);
  rl_ui_input_type (text);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (f->entry)), ==, text);

  /* Keys with modifiers: select all, then delete. */
  rl_ui_input_key (GDK_KEY_a, GDK_CONTROL_MASK);
  rl_ui_input_key (GDK_KEY_BackSpace, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (f->entry)), ==, "");

  /* A window-wide shortcut fires wherever the focus is. */
  rl_ui_input_key (GDK_KEY_plus, GDK_CONTROL_MASK);
  g_assert_cmpuint (f->shortcuts, ==, 1);
}

static void
test_drag_and_scroll (Fixture       *f,
                      gconstpointer  data)
{
  double before;

  rl_ui_input_drag (f->area, 20, 20, 140, 90);
  g_assert_cmpfloat (fabs (f->drag_x - 120), <, 2);
  g_assert_cmpfloat (fabs (f->drag_y - 70), <, 2);

  rl_ui_input_scroll_at (f->area, 100, 100, 3, 0);
  g_assert_cmpfloat (f->scrolled, >, 2.5);
  g_assert_false (f->scrolled_with_control);
  before = f->scrolled;
  rl_ui_input_scroll_at (f->area, 100, 100, -1, GDK_CONTROL_MASK);
  g_assert_cmpfloat (f->scrolled, <, before - 0.5);
  g_assert_true (f->scrolled_with_control);
}

int
main (int   argc,
      char *argv[])
{
  rl_ui_test_init (&argc, &argv);
  g_test_add ("/input/click", Fixture, NULL, fixture_setup, test_click, fixture_teardown);
  g_test_add ("/input/type", Fixture, NULL, fixture_setup, test_type, fixture_teardown);
  g_test_add ("/input/drag-and-scroll", Fixture, NULL, fixture_setup, test_drag_and_scroll, fixture_teardown);
  return g_test_run ();
}
