/* test-i18n.c — the whole window in one language, under Xvfb, against the
 * real server
 *
 * Run once per language of po/LINGUAS (tests/ui/meson.build sets LANGUAGE,
 * LANG=C.UTF-8 and the built catalogs' directory). What a person sees must
 * be in that language: no visible label, button, title or tooltip may be an
 * English message the catalog translates; the banners, toasts, error
 * messages, relative times and counts are checked one by one; no label may
 * be cut (allocated narrower than it needs); a screenshot of each state is
 * saved as i18n-LANG-*.png to be looked at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "rl-activity-feed.h"
#include "rl-activity-window.h"
#include "rl-application.h"
#include "rl-banner.h"
#include "rl-connect-dialog.h"
#include "rl-image-view-private.h"
#include "rl-marker-composer.h"
#include "rl-preferences-window.h"
#include "rl-relative-time.h"
#include "rl-test-server.h"
#include "rl-thread-panel.h"
#include "rl-ui-test.h"
#include "rl-window-private.h"

static const char *lang;

/* A language's numeric date, as its translation of the date format gives
 * it (the C library's %x would follow LC_TIME, which is C here). */
static const struct
{
  const char *lang;
  const char *date;   /* 2026-03-07 */
} dates[] = {
  { "it", "07/03/2026" },
  { "pt_BR", "07/03/2026" },
  { "pl", "07.03.2026" },
  { "da", "07.03.2026" },
};

typedef struct
{
  RlUiTestWorld world;   /* the mockup and the launch copy */
  RlSession    *session;
  RlWindow     *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  rl_ui_test_world_init (&f->world, RL_UI_TEST_WORLD_IMAGE | RL_UI_TEST_WORLD_PAGE);
  rl_test_server_start (f->world.server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rl_ui_test_close_window (&f->window, &f->session);
  rl_ui_test_world_clear (&f->world);
}

/* ---- what is on screen ----------------------------------------------------- */

/* English text a person can see although the catalog translates it. */
static void
collect_english (GtkWidget *widget,
                 GPtrArray *english)
{
  const char *texts[3] = { NULL, NULL, NULL };

  if (!gtk_widget_get_visible (widget))
    return;
  /* A key's name on a keycap (the shortcuts window) is GTK's, in GTK's
   * catalog: "Delete" the key is not our "Delete" the button. */
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "keycap"))
    texts[0] = NULL;
  else if (GTK_IS_LABEL (widget))
    texts[0] = gtk_label_get_label (GTK_LABEL (widget));
  else if (GTK_IS_BUTTON (widget))
    texts[0] = gtk_button_get_label (GTK_BUTTON (widget));
  else if (GTK_IS_WINDOW (widget))
    texts[0] = gtk_window_get_title (GTK_WINDOW (widget));
  else if (ADW_IS_STATUS_PAGE (widget))
    {
      texts[0] = adw_status_page_get_title (ADW_STATUS_PAGE (widget));
      texts[2] = adw_status_page_get_description (ADW_STATUS_PAGE (widget));
    }
  else if (ADW_IS_PREFERENCES_ROW (widget))
    texts[0] = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
  else if (GTK_IS_EDITABLE (widget) && GTK_IS_TEXT (widget))
    texts[0] = gtk_text_get_placeholder_text (GTK_TEXT (widget));
  texts[1] = gtk_widget_get_tooltip_text (widget);

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      const char *text = texts[i];

      if (text == NULL || *text == '\0')
        continue;
      /* The shortcuts window's strings have a context of their own. */
      if (strcmp (g_dgettext (GETTEXT_PACKAGE, text), text) != 0 ||
          strcmp (g_dpgettext2 (GETTEXT_PACKAGE, "shortcut window", text), text) != 0)
        g_ptr_array_add (english, g_strdup_printf ("%s “%s”", G_OBJECT_TYPE_NAME (widget), text));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_english (child, english);
}

/* Labels given less width than they need: cut off or overflowing. */
static void
collect_cut (GtkWidget *widget,
             GPtrArray *cut)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget) &&
      gtk_label_get_ellipsize (GTK_LABEL (widget)) == PANGO_ELLIPSIZE_NONE &&
      !gtk_label_get_wrap (GTK_LABEL (widget)))
    {
      int text_width;

      /* The text's own width against the content box it was given (CSS
       * padding and borders are outside both). */
      pango_layout_get_pixel_size (gtk_label_get_layout (GTK_LABEL (widget)), &text_width, NULL);
      if (gtk_widget_get_width (widget) < text_width)
        g_ptr_array_add (cut, g_strdup_printf ("“%s”: %d px for %d", gtk_label_get_label (GTK_LABEL (widget)),
                                               gtk_widget_get_width (widget), text_width));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_cut (child, cut);
}

/* No label under root is cut. */
static gboolean
nothing_cut (GtkWidget *root)
{
  g_autoptr(GPtrArray) cut = g_ptr_array_new_with_free_func (g_free);

  collect_cut (root, cut);
  return cut->len == 0;
}

static void
assert_all_translated (GtkWidget  *root,
                       const char *where)
{
  g_autoptr(GPtrArray) english = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) cut = g_ptr_array_new_with_free_func (g_free);

  /* Rows just made or re-laid out (a banner slid in) get their width on a
   * later frame: a label is cut only if it stays so once layout settles. */
  RL_UI_WAIT_UNTIL (nothing_cut (root), 2000);
  collect_english (root, english);
  collect_cut (root, cut);
  for (guint i = 0; i < english->len; i++)
    g_test_message ("%s, %s: still English: %s", lang, where, (char *) g_ptr_array_index (english, i));
  for (guint i = 0; i < cut->len; i++)
    g_test_message ("%s, %s: cut off: %s", lang, where, (char *) g_ptr_array_index (cut, i));
  g_assert_cmpuint (english->len, ==, 0);
  g_assert_cmpuint (cut->len, ==, 0);
}

static const char *translated   (const char *msgid) G_GNUC_FORMAT (1);
static const char *translated_in (const char *context,
                                  const char *msgid) G_GNUC_FORMAT (2);
static const char *translated_n (const char *msgid,
                                 const char *plural,
                                 gulong      n) G_GNUC_FORMAT (1) G_GNUC_FORMAT (2);

/* The translation of msgid, asserted to be one. */
static const char *
translated (const char *msgid)
{
  const char *text = g_dgettext (GETTEXT_PACKAGE, msgid);

  if (strcmp (text, msgid) == 0)
    g_error ("%s: “%s” is not translated", lang, msgid);
  return text;
}

/* The translation of msgid in context; a translator may keep it as it is
 * (a pattern such as "%s %s"), so it is only looked up. */
static const char *
translated_in (const char *context,
               const char *msgid)
{
  return g_dpgettext2 (GETTEXT_PACKAGE, context, msgid);
}

static const char *
translated_n (const char *msgid,
              const char *plural,
              gulong      n)
{
  const char *text = g_dngettext (GETTEXT_PACKAGE, msgid, plural, n);

  if (strcmp (text, msgid) == 0 || strcmp (text, plural) == 0)
    g_error ("%s: “%s” (%lu) is not translated", lang, plural, n);
  return text;
}

static void
screenshot (GtkWidget  *widget,
            const char *state)
{
  g_autofree char *name = g_strdup_printf ("i18n-%s-%s", lang, state);

  /* Revealers finish their transitions first. */
  rl_ui_test_screenshot_settled (widget, name, 400);
}

/* ---- the window ------------------------------------------------------------ */

static void
open_window (Fixture *f)
{
  f->session = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
  f->window = rl_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  rl_ui_test_run (200);
  /* Before any account: the welcome page. */
  assert_all_translated (GTK_WIDGET (f->window), "welcome");
  screenshot (GTK_WIDGET (f->window), "welcome");

  rl_ui_test_window_start (f->window, f->session, 2);
}

/* A menu button with a menu model. */
static gboolean
has_menu_model (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget));
}

/* Every label of a menu and its sections and submenus, none English. */
static void
collect_menu_english (GMenuModel *menu,
                      GPtrArray  *english,
                      guint      *n_labels)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *label = NULL;
      g_autoptr(GMenuLinkIter) links = NULL;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        {
          (*n_labels)++;
          if (strcmp (g_dgettext (GETTEXT_PACKAGE, label), label) != 0)
            g_ptr_array_add (english, g_strdup (label));
        }
      links = g_menu_model_iterate_item_links (menu, i);
      while (g_menu_link_iter_next (links))
        {
          g_autoptr(GMenuModel) link = g_menu_link_iter_get_value (links);

          collect_menu_english (link, english, n_labels);
        }
    }
}

static void
test_window (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(RlTestClient) bob = rl_test_client_new (f->world.server, f->world.bob);
  g_autofree char *one = rl_ui_test_create_marker (bob, f->world.image, 0.25, 0.3, "Can the headline be one line?");
  g_autofree char *two = rl_ui_test_create_marker (bob, f->world.image, 0.7, 0.55, "This button needs more contrast.");
  g_autofree char *viewers = NULL;
  RlBanner *reconnecting, *offline;

  open_window (f);
  rl_ui_test_window_show (f->window, f->world.image, "image");

  /* Bob views it too: the header's count, in this language's plural. */
  rl_test_client_send_printf (bob, "{\"type\":\"subscribe\",\"req\":\"s1\",\"doc\":\"%s\"}", f->world.image);
  json_object_unref (rl_test_client_expect_ack (bob, "s1"));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_viewers_named (f->window, "Bob,Ada"), 5000));
  g_assert_true (rl_ui_test_wait_for_label (rl_window_get_viewers_button (f->window), "2", 3000));
  {
    /* the tooltip: "Viewing now: Ada, Bob" in this language */
    g_auto(GStrv) parts = g_strsplit (translated ("Viewing now: %s"), "%s", 2);
    const char *tooltip = gtk_widget_get_tooltip_text (rl_window_get_viewers_button (f->window));

    g_assert_true (g_str_has_prefix (tooltip, parts[0]));
    g_assert_true (g_str_has_suffix (tooltip, parts[1] ? parts[1] : ""));
  }
  /* the count's accessible name, in each plural form */
  viewers = g_strdup_printf (translated_n ("%u viewer", "%u viewers", 2), 2u);
  g_assert_nonnull (strstr (viewers, "2"));

  /* The panel lists both threads; a comment posted now says "just now". */
  g_assert_true (rl_ui_test_wait_for_label (GTK_WIDGET (rl_window_get_thread_panel (f->window)),
                                            translated ("just now"), 3000));
  rl_ui_test_run (2500);   /* the rows' highlight of a teammate's change */
  assert_all_translated (GTK_WIDGET (f->window), "image");
  screenshot (GTK_WIDGET (f->window), "image");

  /* The main menu, every item of it. */
  {
    GtkWidget *button = rl_ui_test_find (GTK_WIDGET (f->window), has_menu_model, NULL);
    g_autoptr(GPtrArray) english = g_ptr_array_new_with_free_func (g_free);
    guint n_labels = 0;

    g_assert_nonnull (button);
    collect_menu_english (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button)), english, &n_labels);
    for (guint i = 0; i < english->len; i++)
      g_test_message ("%s, main menu: still English: %s", lang, (char *) g_ptr_array_index (english, i));
    g_assert_cmpuint (n_labels, >=, 3);
    g_assert_cmpuint (english->len, ==, 0);
  }

  /* A click on the mockup: the marker composer, in this language. */
  {
    RlImageView *view = rl_window_get_image_view (f->window);
    GtkWidget *composer = rl_image_view_get_composer (view);
    double x, y;

    g_assert_true (rl_image_view_image_to_widget (view, 0.5, 0.8, &x, &y));
    rl_image_view_click_for_testing (view, x, y);
    g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (composer) && gtk_widget_get_width (composer) > 50, 3000));
    rl_ui_test_run (300);
    assert_all_translated (composer, "composer");
    {
      g_autofree char *name = g_strdup_printf ("i18n-%s-composer", lang);

      rl_ui_test_screenshot_with_popover (GTK_WIDGET (f->window), composer, name);
    }
    gtk_popover_popdown (GTK_POPOVER (composer));
    rl_ui_test_run (100);
  }

  /* The page, with its panel. */
  rl_ui_test_window_show (f->window, f->world.page, "page");
  rl_ui_test_run (300);
  assert_all_translated (GTK_WIDGET (f->window), "page");
  screenshot (GTK_WIDGET (f->window), "page");
  rl_ui_test_window_show (f->window, f->world.image, "image");

  /* The link drops: the reconnecting banner, counting down in words. */
  reconnecting = rl_window_get_banner (f->window, "reconnecting");
  offline = rl_window_get_banner (f->window, "offline");
  rl_test_server_kill (f->world.server);
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (reconnecting), 5000));
  {
    g_autofree char *english = g_strdup_printf ("Connection lost. Reconnecting in %d s…", 1);
    const char *title = rl_banner_get_title (reconnecting);

    g_assert_nonnull (title);
    g_assert_false (g_str_has_prefix (title, "Connection lost"));
    g_assert_cmpstr (title, !=, english);
  }
  assert_all_translated (GTK_WIDGET (f->window), "reconnecting");
  screenshot (GTK_WIDGET (f->window), "reconnecting");

  /* Offline: the banner, and a marker that can't be made says why. */
  rl_connection_stop (rl_session_get_connection (f->session));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_banner_get_revealed (offline), 3000));
  assert_all_translated (GTK_WIDGET (f->window), "offline");
  screenshot (GTK_WIDGET (f->window), "offline");
  {
    RlImageView *view = rl_window_get_image_view (f->window);
    const char *reason = rl_review_state_get_cannot_create_reason (rl_image_view_get_state (view));

    g_assert_nonnull (reason);
    /* the reason is a message of the catalog, shown translated */
    g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, reason), ==, reason);
    g_assert_false (g_str_has_prefix (reason, "You"));
  }

  /* Back: the missed changes are synced, and the toast counts them. */
  rl_test_server_start (f->world.server);
  {
    g_autoptr(RlTestClient) bob2 = rl_test_client_new (f->world.server, f->world.bob);
    g_autofree char *a = rl_ui_test_create_marker (bob2, f->world.image, 0.4, 0.7, "Missed one");
    g_autofree char *b = rl_ui_test_create_marker (bob2, f->world.image, 0.6, 0.2, "Missed two");
  }
  g_signal_emit_by_name (offline, "button-clicked");
  g_assert_true (RL_UI_WAIT_UNTIL (rl_ui_test_window_online (f->window), 5000));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_window_get_last_toast (f->window) != NULL, 5000));
  {
    g_autofree char *expected = g_strdup_printf (translated_n ("%u update synced", "%u updates synced", 2), 2u);

    g_assert_cmpstr (adw_toast_get_title (rl_window_get_last_toast (f->window)), ==, expected);
  }
  screenshot (GTK_WIDGET (f->window), "synced");
}

/* ---- the Activity view ----------------------------------------------------- */

/* Ada's thread on the mockup, Bob's reply in it: her Activity view lists the
 * document's unread and his reply, all in this language. */
static void
test_activity (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RlTestClient) ada = rl_test_client_new_v12 (f->world.server, f->world.ada);
  g_autoptr(RlTestClient) bob = rl_test_client_new_v12 (f->world.server, f->world.bob);
  g_autofree char *thread = rl_ui_test_create_marker (ada, f->world.image, 0.25, 0.3, "Can the headline be one line?");
  g_autoptr(RlApplication) app = rl_application_new ("io.github.redline.Redline.I18nActivity",
                                                     G_APPLICATION_NON_UNIQUE);
  g_autoptr(RlActivityFeed) feed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *replied = NULL;
  g_autofree char *in_threads = NULL;
  g_autofree char *comment = rl_test_uuid ();
  g_autofree char *broadcast = rl_test_uuid ();
  GtkWidget *view;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  f->session = rl_ui_test_session_new (f->world.server->ws_base, f->world.ada, NULL);
  rl_application_add_session (app, f->session, TRUE);
  feed = rl_activity_feed_get (rl_session_get_connection (f->session), rl_session_get_api (f->session));
  g_assert_true (RL_UI_WAIT_UNTIL (rl_activity_feed_is_synced (feed), 5000));

  rl_test_client_send_printf (bob, "{\"type\":\"add-comment\",\"req\":\"r\",\"broadcastId\":\"%s\","
                                   "\"doc\":\"%s\",\"thread\":\"%s\",\"comment\":{\"id\":\"%s\","
                                   "\"body\":\"Shorter, yes\"}}", broadcast, f->world.image, thread, comment);
  json_object_unref (rl_test_client_expect_ack (bob, "r"));

  view = GTK_WIDGET (rl_activity_window_present (app, NULL));
  gtk_window_set_default_size (GTK_WINDOW (view), 640, 520);
  /* "Bob replied in #1 on Landing page", and "1 new comment in 1 thread"
   * under the document, each as this language says it. */
  replied = g_strdup_printf (translated ("%s replied in #%d on %s"), "Bob", 1, "Landing page");
  {
    g_autofree char *comments = g_strdup_printf (translated_n ("%u new comment", "%u new comments", 1), 1u);
    g_autofree char *threads = g_strdup_printf (translated_n ("in %u thread", "in %u threads", 1), 1u);
    in_threads = g_strdup_printf (translated_in ("activity counts", "%s %s"), comments, threads);
  }
  g_assert_true (rl_ui_test_wait_for_label (view, replied, 5000));
  g_assert_true (rl_ui_test_wait_for_label (view, in_threads, 5000));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (view)), ==, translated ("Activity"));
  assert_all_translated (view, "activity");
  screenshot (view, "activity");
  gtk_window_destroy (GTK_WINDOW (view));
  rl_ui_test_run (50);
}

/* ---- errors the client core makes ------------------------------------------ */

static void
test_connect_dialog (void)
{
  RlConnectDialog *dialog = RL_CONNECT_DIALOG (rl_connect_dialog_new (NULL, NULL, NULL));

  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)) &&
                                   gtk_widget_get_width (GTK_WIDGET (dialog)) > 100, 5000));
  rl_ui_test_run (300);
  assert_all_translated (GTK_WIDGET (dialog), "connect");

  /* A broken invite link: the client core's reason, in this language. */
  rl_connect_dialog_set_invite (dialog, "redline://review.example/join?token=abc&color=red");
  g_assert_false (rl_connect_dialog_submit (dialog));
  rl_ui_test_run (200);
  {
    const char *shown = rl_connect_dialog_get_error (dialog);

    g_assert_nonnull (shown);
    g_assert_nonnull (strstr (shown, "color"));
    g_assert_null (strstr (shown, "unknown parameter"));
  }
  assert_all_translated (GTK_WIDGET (dialog), "connect-error");
  screenshot (GTK_WIDGET (dialog), "connect-error");
  gtk_window_destroy (GTK_WINDOW (dialog));
  rl_ui_test_run (50);
}

/* ---- Preferences and the shortcuts window --------------------------------- */

static gboolean
window_placed (GtkWidget *window)
{
  return gtk_widget_get_mapped (window) && gtk_widget_get_width (window) > 100;
}

static void
test_preferences (void)
{
  g_autoptr(RlApplication) app = rl_ui_test_register_app (NULL);
  GtkWidget *prefs = GTK_WIDGET (rl_preferences_window_new (app, NULL));
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWidget *shortcuts;
  const char *reading = translated ("Reading the keyring…");

  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_true (RL_UI_WAIT_UNTIL (window_placed (prefs), 5000));
  /* The keyring answered (here: none runs), in this language too. */
  g_assert_true (RL_UI_WAIT_UNTIL (!rl_ui_test_has_label (prefs, reading), 10000));
  assert_all_translated (prefs, "preferences-notifications");
  screenshot (prefs, "preferences-notifications");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "accounts");
  rl_ui_test_run (300);
  assert_all_translated (prefs, "preferences-accounts");
  screenshot (prefs, "preferences-accounts");
  gtk_window_destroy (GTK_WINDOW (prefs));

  /* Both sections: the one not shown is checked too (its labels are
   * visible, in a stack page not shown). */
  builder = gtk_builder_new_from_resource ("/io/github/redline/Redline/gtk/help-overlay.ui");
  shortcuts = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  gtk_window_present (GTK_WINDOW (shortcuts));
  g_assert_true (RL_UI_WAIT_UNTIL (window_placed (shortcuts), 5000));
  rl_ui_test_run (300);
  assert_all_translated (shortcuts, "shortcuts");
  screenshot (shortcuts, "shortcuts-windows");
  g_object_set (shortcuts, "section-name", "reviewing", NULL);
  rl_ui_test_run (300);
  assert_all_translated (shortcuts, "shortcuts-reviewing");
  screenshot (shortcuts, "shortcuts-reviewing");
  gtk_window_destroy (GTK_WINDOW (shortcuts));
  rl_ui_test_run (50);
}

/* ---- times, dates, counts -------------------------------------------------- */

static void
test_times (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 3, 17, 15, 0, 0);
  g_autoptr(GDateTime) march7 = g_date_time_new_local (2026, 3, 7, 10, 30, 0);
  gint64 now_ms = g_date_time_to_unix (now) * 1000;
  const char *expected_date = NULL;
  g_autofree char *date = NULL;
  g_autofree char *just = rl_relative_time_format (now_ms - 5000, now_ms);
  g_autofree char *yesterday = rl_relative_time_format (now_ms - 24 * 3600 * 1000, now_ms);
  guint nplurals;

  g_assert_cmpstr (just, ==, translated ("just now"));
  g_assert_cmpstr (yesterday, ==, translated ("yesterday"));

  /* minutes: each count in its plural form */
  for (int n = 1; n < 60; n++)
    {
      g_autofree char *shown = rl_relative_time_format (now_ms - n * 60 * 1000 - 1000, now_ms);
      g_autofree char *expected = g_strdup_printf (translated_n ("%d minute ago", "%d minutes ago", n), n);

      g_assert_cmpstr (shown, ==, expected);
    }

  /* The plural rule itself: Polish has three forms (1; 2–4, 22–24; 5–21, 25…). */
  nplurals = strcmp (lang, "pl") == 0 ? 3 : 2;
  {
    const char *f1 = translated_n ("%d minute ago", "%d minutes ago", 1);
    const char *f2 = translated_n ("%d minute ago", "%d minutes ago", 2);
    const char *f5 = translated_n ("%d minute ago", "%d minutes ago", 5);
    const char *f22 = translated_n ("%d minute ago", "%d minutes ago", 22);
    const char *f12 = translated_n ("%d minute ago", "%d minutes ago", 12);

    g_assert_cmpstr (f1, !=, f2);
    g_assert_cmpstr (f2, ==, f22);
    if (nplurals == 3)
      {
        g_assert_cmpstr (f5, !=, f2);
        g_assert_cmpstr (f5, !=, f1);
        g_assert_cmpstr (f12, ==, f5);
      }
    else
      {
        g_assert_cmpstr (f5, ==, f2);
        g_assert_cmpstr (f12, ==, f2);
      }
  }

  /* A date: the language's numeric order, not the C library's. */
  for (gsize i = 0; i < G_N_ELEMENTS (dates); i++)
    if (strcmp (dates[i].lang, lang) == 0)
      expected_date = dates[i].date;
  g_assert_nonnull (expected_date);
  date = rl_relative_time_format (g_date_time_to_unix (march7) * 1000, now_ms);
  g_assert_cmpstr (date, ==, expected_date);
}

/* The desktop file and the metainfo, merged from the same catalog. */
static void
test_desktop_and_metainfo (void)
{
  g_autofree char *desktop = g_build_filename (g_getenv ("REDLINE_DATA_BUILDDIR"), APP_ID ".desktop", NULL);
  g_autofree char *metainfo = g_build_filename (g_getenv ("REDLINE_DATA_BUILDDIR"), APP_ID ".metainfo.xml", NULL);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *tagged = NULL;

  g_assert_true (g_key_file_load_from_file (keyfile, desktop, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  comment = g_key_file_get_locale_string (keyfile, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_COMMENT,
                                          lang, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (comment, ==, translated ("Review mockups and pages together, in real time"));

  g_assert_true (g_file_get_contents (metainfo, &xml, NULL, &error));
  g_assert_no_error (error);
  summary = g_markup_escape_text (translated ("Review mockups and pages together, in real time"), -1);
  tagged = g_strdup_printf ("<summary xml:lang=\"%s\">%s</summary>", lang, summary);
  g_assert_nonnull (strstr (xml, tagged));
}

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("REDLINE_LOCALEDIR");

  /* No session bus: nothing real is touched. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/redline-test-bus", TRUE);
  setlocale (LC_ALL, "");
  lang = g_getenv ("LANGUAGE");
  if (lang == NULL || localedir == NULL)
    g_error ("run with LANGUAGE and REDLINE_LOCALEDIR set (tests/ui/meson.build does)");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  rl_ui_test_init (&argc, &argv);

  g_test_add_func ("/i18n/times", test_times);
  g_test_add_func ("/i18n/desktop-and-metainfo", test_desktop_and_metainfo);
  g_test_add_func ("/i18n/connect-dialog", test_connect_dialog);
  g_test_add_func ("/i18n/preferences", test_preferences);
  g_test_add ("/i18n/window", Fixture, NULL, fixture_setup, test_window, fixture_teardown);
  g_test_add ("/i18n/activity", Fixture, NULL, fixture_setup, test_activity, fixture_teardown);
  return g_test_run ();
}
