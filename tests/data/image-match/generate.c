/* generate.c — the image matcher's corpus of real UI pixels
 *
 * Real GTK 4 + libadwaita screens (a settings page with an avatar, a grid
 * of cards with photo-like gradients and symbolic icons, a dialog), each
 * rendered as first designed (version A) and again after one real design
 * edit (version B), and manifest.ini: for every pair, the pins placed on
 * named widgets of A, with the status tests/test-image-match.c expects and,
 * where the element is still there, where the same widget is on B. The
 * places are read from the widget tree, never typed in.
 *
 * Run by hand, from the top of the tree, in the suite's UI environment
 * (the PNGs depend on the fonts and icon theme installed: Debian 12's):
 *
 *   cc -O2 -o /tmp/rl-image-corpus tests/data/image-match/generate.c \
 *      $(pkg-config --cflags --libs libadwaita-1)
 *   GSK_RENDERER=cairo GDK_DEBUG=gl-disable GTK_A11Y=none NO_AT_BRIDGE=1 \
 *   GSETTINGS_BACKEND=memory xvfb-run -a -s '-screen 0 1600x1000x24' \
 *     /tmp/rl-image-corpus tests/data/image-match
 *
 * The Hi-DPI screens are rendered by the same program run again with
 * GDK_SCALE=2 (it starts itself so), so that text and icons are drawn at
 * twice the pixels, as on a Hi-DPI display, not scaled up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>

#define SCREEN_WIDTH  400
#define SCREEN_HEIGHT 300

typedef enum
{
  SCREEN_SETTINGS,
  SCREEN_CARDS,
  SCREEN_DIALOG,
} Screen;

static const char *screen_names[] = { "settings", "cards", "dialog" };

typedef enum
{
  EDIT_NONE,
  EDIT_HEADER_GROWN,     /* the description under the title takes a line more */
  EDIT_WIDER,            /* the window 120 px wider */
  EDIT_DARK,             /* the dark style */
  EDIT_JPEG,             /* A re-encoded as JPEG, quality 80 */
  EDIT_SHIFT_1PX,        /* everything 1 px right and down */
  EDIT_HIDPI,            /* scale 2 */
  EDIT_CARD_REMOVED,     /* the second card gone, the third in its place */
  EDIT_ICON_REMOVED,     /* the first card's star gone */
  EDIT_RECOLOURED,       /* Delete: suggested-action → destructive-action */
  EDIT_REWORDED,         /* the dialog's body says something else */
} Edit;

static const struct
{
  Screen      screen;
  Edit        edit;
  const char *name;
  /* Pins: "widget=status", status the one expected on B. */
  const char *pins[8];
} pairs[] = {
  /* The avatar's patch takes in the description's new second line: it
   * is found where it moved, changed (its neighbourhood is). */
  { SCREEN_SETTINGS, EDIT_HEADER_GROWN, "header-grown",
    { "title=exact", "avatar=changed", "dark-label=moved", "dark-switch=moved", "apply=moved", NULL } },
  { SCREEN_SETTINGS, EDIT_WIDER, "wider",
    { "title=exact", "avatar=exact", "dark-label=exact", "dark-switch=moved", "apply=moved", NULL } },
  { SCREEN_SETTINGS, EDIT_DARK, "dark",
    { "title=changed", "avatar=changed", "dark-label=changed", "dark-switch=changed", "apply=changed", NULL } },
  { SCREEN_SETTINGS, EDIT_JPEG, "jpeg",
    { "title=exact", "avatar=exact", "dark-label=exact", "dark-switch=exact", "apply=exact", NULL } },
  { SCREEN_SETTINGS, EDIT_SHIFT_1PX, "shift-1px",
    { "title=moved", "avatar=moved", "dark-label=moved", "dark-switch=moved", "apply=moved", NULL } },
  { SCREEN_SETTINGS, EDIT_HIDPI, "hidpi",
    { "title=orphaned", "avatar=orphaned", "dark-label=orphaned", "dark-switch=orphaned", "apply=orphaned", NULL } },
  /* The third card slides into the second's place: under title-2's pin
   * "Ocean" became "Forest" on a card alike, which pixels alone cannot
   * tell from the card renamed: changed (a person looks), never moved. */
  { SCREEN_CARDS, EDIT_CARD_REMOVED, "card-removed",
    { "photo-1=exact", "star-1=exact", "photo-2=orphaned", "title-2=changed", "photo-3=moved", "title-3=moved", NULL } },
  { SCREEN_CARDS, EDIT_ICON_REMOVED, "icon-removed",
    { "photo-1=exact", "star-1=orphaned", "photo-2=exact", "title-2=exact", "photo-3=exact", "star-3=exact", NULL } },
  { SCREEN_CARDS, EDIT_JPEG, "jpeg",
    { "photo-1=exact", "star-1=exact", "photo-2=exact", "title-2=exact", "photo-3=exact", "star-3=exact", NULL } },
  { SCREEN_DIALOG, EDIT_RECOLOURED, "recoloured",
    { "heading=exact", "body=exact", "cancel=exact", "delete=changed", NULL } },
  { SCREEN_DIALOG, EDIT_REWORDED, "reworded",
    { "heading=exact", "body=changed", "cancel=exact", "delete=exact", NULL } },
};

static const char css[] =
  ".photo { min-height: 80px; border-radius: 6px; }\n"
  ".photo-1 { background: linear-gradient(160deg, #f6d365, #fda085 60%, #c0392b); }\n"
  ".photo-2 { background: radial-gradient(circle at 30% 40%, #a1c4fd, #2c3e50); }\n"
  ".photo-3 { background: linear-gradient(20deg, #1e8449, #d4efdf 70%, #f9e79f); }\n";

static void
name (GHashTable *widgets,
      GtkWidget  *widget,
      const char *key)
{
  g_hash_table_insert (widgets, g_strdup (key), widget);
}

static GtkWidget *
settings_screen (Edit        edit,
                 GHashTable *widgets)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *title = gtk_label_new ("Account");
  GtkWidget *description = gtk_label_new (edit == EDIT_HEADER_GROWN
                                          ? "How others see you in shared reviews.\nChanges apply to every team."
                                          : "How others see you in shared reviews.");
  GtkWidget *list = gtk_list_box_new ();
  AdwActionRow *person = ADW_ACTION_ROW (adw_action_row_new ());
  AdwActionRow *dark = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *avatar = adw_avatar_new (40, "Ada Lovelace", TRUE);
  GtkWidget *dark_switch = gtk_switch_new ();
  GtkWidget *apply = gtk_button_new_with_label ("Apply");

  gtk_widget_add_css_class (title, "title-1");
  gtk_widget_set_halign (title, GTK_ALIGN_START);
  gtk_widget_add_css_class (description, "dim-label");
  gtk_widget_set_halign (description, GTK_ALIGN_START);
  gtk_label_set_xalign (GTK_LABEL (description), 0);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (person), "Ada Lovelace");
  adw_action_row_set_subtitle (person, "ada@example.org");
  adw_action_row_add_prefix (person, avatar);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (dark), "Dark Mode");
  gtk_widget_set_valign (dark_switch, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (dark_switch), TRUE);
  adw_action_row_add_suffix (dark, dark_switch);
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (person));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (dark));
  gtk_widget_add_css_class (apply, "suggested-action");
  gtk_widget_add_css_class (apply, "pill");
  gtk_widget_set_halign (apply, GTK_ALIGN_END);

  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), description);
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (GTK_BOX (box), apply);

  name (widgets, title, "title");
  name (widgets, avatar, "avatar");
  /* The row's title label: the first label in the row. */
  name (widgets, GTK_WIDGET (dark), "dark-row");
  name (widgets, dark_switch, "dark-switch");
  name (widgets, apply, "apply");
  return box;
}

static GtkWidget *
card (int         n,
      const char *title_text,
      const char *caption_text,
      gboolean    with_star,
      GHashTable *widgets)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *photo = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (title_text);
  GtkWidget *caption = gtk_label_new (caption_text);
  g_autofree char *photo_class = g_strdup_printf ("photo-%d", n);
  g_autofree char *photo_key = g_strdup_printf ("photo-%d", n);
  g_autofree char *title_key = g_strdup_printf ("title-%d", n);
  g_autofree char *star_key = g_strdup_printf ("star-%d", n);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_set_size_request (box, 112, -1);
  /* Cards keep their width whatever the grid holds. */
  gtk_widget_set_hexpand (box, FALSE);
  gtk_widget_add_css_class (photo, "photo");
  gtk_widget_add_css_class (photo, photo_class);
  gtk_widget_set_margin_start (row, 8);
  gtk_widget_set_margin_end (row, 8);
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_set_halign (title, GTK_ALIGN_START);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_widget_set_halign (caption, GTK_ALIGN_START);
  gtk_widget_set_margin_start (caption, 8);
  gtk_widget_set_margin_bottom (caption, 8);

  gtk_box_append (GTK_BOX (row), title);
  if (with_star)
    {
      GtkWidget *star = gtk_image_new_from_icon_name ("starred-symbolic");

      gtk_box_append (GTK_BOX (row), star);
      name (widgets, star, star_key);
    }
  gtk_box_append (GTK_BOX (box), photo);
  gtk_box_append (GTK_BOX (box), row);
  gtk_box_append (GTK_BOX (box), caption);
  name (widgets, photo, photo_key);
  name (widgets, title, title_key);
  return box;
}

static GtkWidget *
cards_screen (Edit        edit,
              GHashTable *widgets)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *heading = gtk_label_new ("Moodboard");
  GtkWidget *grid = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_widget_add_css_class (heading, "title-2");
  gtk_widget_set_halign (heading, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (grid), card (1, "Desert", "12 photos", edit != EDIT_ICON_REMOVED, widgets));
  if (edit != EDIT_CARD_REMOVED)
    gtk_box_append (GTK_BOX (grid), card (2, "Ocean", "8 photos", FALSE, widgets));
  gtk_box_append (GTK_BOX (grid), card (3, "Forest", "21 photos", TRUE, widgets));
  gtk_box_append (GTK_BOX (box), grid);
  return box;
}

static GtkWidget *
dialog_screen (Edit        edit,
               GHashTable *widgets)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *heading = gtk_label_new ("Delete Revision?");
  GtkWidget *body = gtk_label_new (edit == EDIT_REWORDED
                                   ? "Threads on it move to the orphans list\nand can be re-attached later."
                                   : "Its threads will be carried to the\nprevious revision of this mockup.");
  GtkWidget *buttons = gtk_center_box_new ();
  GtkWidget *cancel = gtk_button_new_with_label ("Cancel");
  GtkWidget *delete = gtk_button_new_with_label ("Delete");

  gtk_widget_add_css_class (heading, "title-2");
  gtk_label_set_justify (GTK_LABEL (body), GTK_JUSTIFY_CENTER);
  gtk_widget_set_vexpand (body, TRUE);
  gtk_widget_set_valign (body, GTK_ALIGN_START);
  gtk_widget_add_css_class (delete, edit == EDIT_RECOLOURED ? "destructive-action" : "suggested-action");
  gtk_center_box_set_start_widget (GTK_CENTER_BOX (buttons), cancel);
  gtk_center_box_set_end_widget (GTK_CENTER_BOX (buttons), delete);
  gtk_widget_set_margin_top (heading, 24);

  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), body);
  gtk_box_append (GTK_BOX (box), buttons);

  name (widgets, heading, "heading");
  name (widgets, body, "body");
  name (widgets, cancel, "cancel");
  name (widgets, delete, "delete");
  return box;
}

static gboolean painted;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       data)
{
  painted = TRUE;
}

/* The content of a window of width × height, laid out and drawn. */
typedef struct
{
  GtkWidget  *window;
  GtkWidget  *content;
  GHashTable *widgets;
} Rendered;

static void
render (Screen    screen,
        Edit      edit,
        int       width,
        int       height,
        Rendered *out)
{
  GtkWidget *content;
  GdkFrameClock *clock;
  gulong id;

  out->widgets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  switch (screen)
    {
    case SCREEN_SETTINGS:
      content = settings_screen (edit, out->widgets);
      break;
    case SCREEN_CARDS:
      content = cards_screen (edit, out->widgets);
      break;
    case SCREEN_DIALOG:
    default:
      content = dialog_screen (edit, out->widgets);
      break;
    }
  gtk_widget_add_css_class (content, "background");
  gtk_widget_set_margin_start (content, 0);
  /* Margins inside the painted box: a wrapper with padding. */
  {
    GtkWidget *frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
    int shift = edit == EDIT_SHIFT_1PX ? 1 : 0;

    gtk_widget_add_css_class (frame, "background");
    gtk_widget_set_margin_start (content, 18 + shift);
    gtk_widget_set_margin_end (content, 18 - shift);
    gtk_widget_set_margin_top (content, 18 + shift);
    gtk_widget_set_margin_bottom (content, 18 - shift);
    gtk_widget_set_vexpand (content, TRUE);
    gtk_box_append (GTK_BOX (frame), content);
    content = frame;
  }
  out->content = content;
  out->window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (out->window), FALSE);
  gtk_window_set_resizable (GTK_WINDOW (out->window), FALSE);
  gtk_widget_set_size_request (content, width, height);
  gtk_window_set_child (GTK_WINDOW (out->window), content);
  gtk_window_present (GTK_WINDOW (out->window));

  while (gtk_widget_get_width (content) != width || gtk_widget_get_frame_clock (content) == NULL)
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (content);
  for (int frames = 0; frames < 3; frames++)
    {
      painted = FALSE;
      id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
      gtk_widget_queue_draw (content);
      while (!painted)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handler_disconnect (clock, id);
    }
}

static GdkPixbuf *
snapshot_pixbuf (Rendered *rendered,
                 int       scale)
{
  GtkWidget *content = rendered->content;
  int width = gtk_widget_get_width (content);
  int height = gtk_widget_get_height (content);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (content);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkPixbuf) rgba = NULL;
  GdkPixbuf *rgb;

  gtk_snapshot_scale (snapshot, scale, scale);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert (node != NULL);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (rendered->window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width * scale, height * scale));
  rgba = gdk_pixbuf_get_from_texture (texture);
  /* Opaque: the matcher composites over white, the screens paint their
   * own background. */
  rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width * scale, height * scale);
  gdk_pixbuf_fill (rgb, 0xffffffff);
  gdk_pixbuf_composite (rgba, rgb, 0, 0, width * scale, height * scale, 0, 0, 1, 1, GDK_INTERP_NEAREST, 255);
  return rgb;
}

/* The point of a pin: the middle of the widget, or of a row's title
 * (its start), in content pixels. */
static gboolean
pin_point (Rendered   *rendered,
           const char *key,
           int         scale,
           int        *x,
           int        *y)
{
  GtkWidget *widget;
  graphene_rect_t bounds;

  if (g_str_equal (key, "dark-label"))
    {
      widget = g_hash_table_lookup (rendered->widgets, "dark-row");
      if (widget == NULL || !gtk_widget_compute_bounds (widget, rendered->content, &bounds))
        return FALSE;
      /* On the words "Dark Mode", 50 px into the row. */
      *x = (int) ((bounds.origin.x + 50) * scale);
      *y = (int) ((bounds.origin.y + bounds.size.height / 2) * scale);
      return TRUE;
    }
  widget = g_hash_table_lookup (rendered->widgets, key);
  if (widget == NULL || !gtk_widget_compute_bounds (widget, rendered->content, &bounds))
    return FALSE;
  *x = (int) ((bounds.origin.x + bounds.size.width / 2) * scale);
  *y = (int) ((bounds.origin.y + bounds.size.height / 2) * scale);
  return TRUE;
}

static void
rendered_clear (Rendered *rendered)
{
  gtk_window_destroy (GTK_WINDOW (rendered->window));
  g_hash_table_unref (rendered->widgets);
}

static void
save_png (GdkPixbuf  *pixbuf,
          const char *dir,
          const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;

  if (!gdk_pixbuf_save (pixbuf, path, "png", &error, "compression", "9", NULL))
    g_error ("%s: %s", path, error->message);
}

static void
set_style (Edit edit)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      edit == EDIT_DARK ? ADW_COLOR_SCHEME_FORCE_DARK
                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
}

/* Renders one screen at scale 2 only: the process GDK_SCALE=2 runs. */
static void
render_hidpi (const char *dir)
{
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      Rendered b;
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autofree char *file = NULL;

      if (pairs[i].edit != EDIT_HIDPI)
        continue;
      set_style (EDIT_NONE);
      render (pairs[i].screen, EDIT_NONE, SCREEN_WIDTH, SCREEN_HEIGHT, &b);
      pixbuf = snapshot_pixbuf (&b, 2);
      file = g_strdup_printf ("%s-%s.png", screen_names[pairs[i].screen], pairs[i].name);
      save_png (pixbuf, dir, file);
      rendered_clear (&b);
    }
}

int
main (int    argc,
      char **argv)
{
  const char *dir;
  g_autoptr(GKeyFile) manifest = g_key_file_new ();
  g_autofree char *manifest_path = NULL;
  g_autoptr(GError) error = NULL;

  if (argc < 2)
    g_error ("usage: %s OUTPUT-DIRECTORY [--hidpi]", argv[0]);
  dir = argv[1];
  adw_init ();
  {
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

    gtk_css_provider_load_from_data (provider, css, -1);
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  if (argc > 2 && g_str_equal (argv[2], "--hidpi"))
    {
      render_hidpi (dir);
      return 0;
    }

  g_key_file_set_comment (manifest, NULL, NULL,
                          " Made by generate.c (do not edit): for each pair, pins on A as\n"
                          " NAME=X Y STATUS [NEW-X NEW-Y], pixels of A and of B.", NULL);
  for (Screen s = SCREEN_SETTINGS; s <= SCREEN_DIALOG; s++)
    {
      Rendered a;
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autofree char *file = g_strdup_printf ("%s.png", screen_names[s]);

      set_style (EDIT_NONE);
      render (s, EDIT_NONE, SCREEN_WIDTH, SCREEN_HEIGHT, &a);
      pixbuf = snapshot_pixbuf (&a, 1);
      save_png (pixbuf, dir, file);

      for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
        {
          Rendered b;
          g_autofree char *group = NULL;
          g_autofree char *new_file = NULL;
          int scale = pairs[i].edit == EDIT_HIDPI ? 2 : 1;

          if (pairs[i].screen != s)
            continue;
          group = g_strdup_printf ("%s/%s", screen_names[s], pairs[i].name);
          new_file = g_strdup_printf ("%s-%s.%s", screen_names[s], pairs[i].name,
                                      pairs[i].edit == EDIT_JPEG ? "jpg" : "png");
          set_style (pairs[i].edit);
          render (s, pairs[i].edit == EDIT_HIDPI ? EDIT_NONE : pairs[i].edit,
                  SCREEN_WIDTH + (pairs[i].edit == EDIT_WIDER ? 120 : 0), SCREEN_HEIGHT, &b);
          if (pairs[i].edit == EDIT_JPEG)
            {
              g_autofree char *path = g_build_filename (dir, new_file, NULL);

              if (!gdk_pixbuf_save (pixbuf, path, "jpeg", &error, "quality", "80", NULL))
                g_error ("%s: %s", path, error->message);
            }
          else if (pairs[i].edit != EDIT_HIDPI)
            {
              g_autoptr(GdkPixbuf) edited = snapshot_pixbuf (&b, 1);

              save_png (edited, dir, new_file);
            }
          g_key_file_set_string (manifest, group, "old", file);
          g_key_file_set_string (manifest, group, "new", new_file);
          for (guint p = 0; pairs[i].pins[p] != NULL; p++)
            {
              g_auto(GStrv) parts = g_strsplit (pairs[i].pins[p], "=", 2);
              int x, y, nx, ny;
              g_autofree char *value = NULL;

              if (!pin_point (&a, parts[0], 1, &x, &y))
                g_error ("%s: no widget %s on A", group, parts[0]);
              if (g_str_equal (parts[1], "orphaned"))
                value = g_strdup_printf ("%d %d %s", x, y, parts[1]);
              else
                {
                  /* Gone from B yet changed: the pin stays where it was. */
                  if (!pin_point (&b, parts[0], scale, &nx, &ny) && !g_str_equal (parts[1], "changed"))
                    g_error ("%s: no widget %s on B", group, parts[0]);
                  else if (!pin_point (&b, parts[0], scale, &nx, &ny))
                    nx = x, ny = y;
                  value = g_strdup_printf ("%d %d %s %d %d", x, y, parts[1], nx, ny);
                }
              g_key_file_set_string (manifest, group, parts[0], value);
            }
          rendered_clear (&b);
        }
      rendered_clear (&a);
    }

  /* Hi-DPI: the same program at GDK_SCALE=2. */
  {
    g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "GDK_SCALE", "2", TRUE);
    const char *child_argv[] = { argv[0], dir, "--hidpi", NULL };
    int status;

    if (!g_spawn_sync (NULL, (char **) child_argv, env, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error)
        || !g_spawn_check_wait_status (status, &error))
      g_error ("--hidpi: %s", error->message);
  }

  manifest_path = g_build_filename (dir, "manifest.ini", NULL);
  if (!g_key_file_save_to_file (manifest, manifest_path, &error))
    g_error ("%s: %s", manifest_path, error->message);
  return 0;
}
