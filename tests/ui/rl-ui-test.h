/* rl-ui-test.h — what the UI tests share: real widgets under Xvfb, real
 * servers (tests/server/rl-test-server.h), screenshots to look at
 *
 * Waiting is one macro, RL_UI_WAIT_UNTIL (expression, ms), the shared
 * RL_TEST_POLL_UNTIL (rl-test-wait.h); the world most tests work in (the
 * tenant acme, Ada and Bob, the landing mockup and the launch copy) is one
 * fixture, RlUiTestWorld, on the shared RlTestTeam; widgets are found by
 * walking the tree with one matcher per property (rl_ui_test_find).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rl-application.h"
#include "rl-doc-store.h"
#include "rl-plaintext.h"
#include "rl-test-server.h"
#include "rl-thread-panel.h"
#include "rl-thread-row.h"
#include "rl-window.h"

G_BEGIN_DECLS

/* gtk_init, libadwaita, the app's resources and its style sheet. */
void      rl_ui_test_init        (int           *argc,
                                  char        ***argv);

/* ---- waiting ------------------------------------------------------------- */

/* Iterates the default main context for ms (frames get drawn). */
void      rl_ui_test_run         (guint          ms);
/* Iterates the default main context until expr holds or ms pass; whether
 * it holds then. The one way to wait on a condition:
 *   g_assert_true (RL_UI_WAIT_UNTIL (gtk_widget_get_mapped (popover), 3000)); */
#define RL_UI_WAIT_UNTIL(expr, ms) RL_TEST_POLL_UNTIL (expr, ms)

/* ---- screenshots --------------------------------------------------------- */

/* Renders widget as drawn in a frame painted now (one is drawn first) to
 * <builddir>/tests/ui/screenshots/NAME.png and returns the path. */
char     *rl_ui_test_screenshot  (GtkWidget     *widget,
                                  const char    *name);
/* Lets what moves (revealers, popovers, highlights) run for settle_ms,
 * then saves widget like rl_ui_test_screenshot (asserted saved). */
void      rl_ui_test_screenshot_settled (GtkWidget  *widget,
                                         const char *name,
                                         guint       settle_ms);
/* The window with a popover drawn where it is on screen (popovers are
 * surfaces of their own: a widget paintable of the window leaves them out),
 * saved like rl_ui_test_screenshot. */
void      rl_ui_test_screenshot_with_popover (GtkWidget  *window,
                                              GtkWidget  *popover,
                                              const char *name);

/* What Enter on button does (asserted handled): it shows it pressed for a
 * moment, then clicks; returns once it has clicked. */
void      rl_ui_test_activate_button (GtkWidget  *button);
/* What pressing keyval with mods would do: the first of the widget's
 * shortcuts with that trigger is activated (asserted). */
void      rl_ui_test_press_key   (GtkWidget      *widget,
                                  guint           keyval,
                                  GdkModifierType mods);

/* ---- finding what a person sees ------------------------------------------ */

/* Whether widget is the one looked for; data says what (each matcher's
 * comment). */
typedef gboolean (*RlUiTestMatch) (GtkWidget     *widget,
                                   gconstpointer  data);

/* The first widget at or under root, depth first, that matches; NULL if
 * none. */
GtkWidget *rl_ui_test_find       (GtkWidget     *root,
                                  RlUiTestMatch  match,
                                  gconstpointer  data);
/* The same among what is on screen: a widget not drawn (hidden or not
 * mapped) is passed over with everything under it. */
GtkWidget *rl_ui_test_find_shown (GtkWidget     *root,
                                  RlUiTestMatch  match,
                                  gconstpointer  data);
/* Every widget at or under root that matches, depth first (the array is
 * the caller's, the widgets are not). */
GPtrArray *rl_ui_test_find_all   (GtkWidget     *root,
                                  RlUiTestMatch  match,
                                  gconstpointer  data);

/* The first widget at or under root of that type, with that style class,
 * or actionable with that action ("win.upload"): rl_ui_test_find with
 * the matchers below, the most asked for. */
GtkWidget *rl_ui_test_find_type   (GtkWidget     *root,
                                   GType          type);
GtkWidget *rl_ui_test_find_class  (GtkWidget     *root,
                                   const char    *css_class);
GtkWidget *rl_ui_test_find_action (GtkWidget     *root,
                                   const char    *action);

/* An instance of the type data (GSIZE_TO_POINTER (GTK_TYPE_LIST_BOX)). */
gboolean  rl_ui_test_is_of_type       (GtkWidget     *widget,
                                       gconstpointer  type);
/* Has the style class data. */
gboolean  rl_ui_test_has_css_class    (GtkWidget     *widget,
                                       gconstpointer  name);
/* Actionable, with the action data ("win.upload"). */
gboolean  rl_ui_test_has_action       (GtkWidget     *widget,
                                       gconstpointer  action);
/* Named data for assistive technologies (GTK_A11Y=test keeps the names). */
gboolean  rl_ui_test_has_accessible_label (GtkWidget     *widget,
                                           gconstpointer  label);
/* A label that shows the text data (its mnemonic underline and markup
 * aside: "_Best Fit" shows "Best Fit"). */
gboolean  rl_ui_test_is_label_saying  (GtkWidget     *widget,
                                       gconstpointer  text);
/* A button or menu button showing the icon data ("open-menu-symbolic"). */
gboolean  rl_ui_test_has_icon_name    (GtkWidget     *widget,
                                       gconstpointer  icon);
/* A button whose label is data as written ("_Delete"). */
gboolean  rl_ui_test_is_button_labelled (GtkWidget     *widget,
                                         gconstpointer  label);

/* A visible label under root says text (as written). */
gboolean      rl_ui_test_has_label      (GtkWidget    *root,
                                         const char   *text);
/* Iterates until one does, or ms pass; whether it does. */
gboolean      rl_ui_test_wait_for_label (GtkWidget    *root,
                                         const char   *text,
                                         guint         ms);
/* Presents window and waits until widget in it is mapped and laid out
 * (wider than 100 px; asserted within 5 s), then lets it draw for 200 ms. */
void          rl_ui_test_present        (GtkWindow    *window,
                                         GtkWidget    *widget);
/* Mapped and given a size: a hand can aim at it. */
gboolean      rl_ui_test_widget_placed  (GtkWidget    *widget);
/* All the text of a text view's buffer. */
char         *rl_ui_test_text_view_text (GtkTextView  *view);

/* ---- the world ----------------------------------------------------------- */

/* The world most UI tests work in: the real server with the tenant acme,
 * Ada and Bob in it (members; their tokens) and its documents (their ids). */
typedef struct
{
  RlTestTeam    team;    /* what holds it all */
  RlTestServer *server;
  const char   *ada;
  const char   *bob;
  const char   *image;   /* RL_UI_TEST_WORLD_IMAGE, or the test's own */
  const char   *page;    /* RL_UI_TEST_WORLD_PAGE, or the test's own */
} RlUiTestWorld;

typedef enum
{
  RL_UI_TEST_WORLD_NO_DOCS = 0,
  /* "Landing page": data/demo/landing-mockup.png, the first document */
  RL_UI_TEST_WORLD_IMAGE   = 1 << 0,
  /* "Launch copy": tests/data/page.md, after the image */
  RL_UI_TEST_WORLD_PAGE    = 1 << 1,
} RlUiTestWorldDocs;

/* The world made, its server not started yet: a test adds what else it
 * needs (people, tenants, documents of its own), then starts it. */
void          rl_ui_test_world_init     (RlUiTestWorld     *world,
                                         RlUiTestWorldDocs  docs);
/* Stops the server if it runs (asserting a clean exit) and frees it all. */
void          rl_ui_test_world_clear    (RlUiTestWorld     *world);

/* ---- connections and stores ---------------------------------------------- */

/* A connection to server with token, online (asserted within 5 s), with
 * fast test timings. */
RlConnection *rl_ui_test_connect (RlTestServer *server,
                                  const char   *token);
/* Synced and nothing in flight. */
gboolean      rl_ui_test_store_settled (RlDocStore *store);
/* The store of doc on conn, once settled. */
RlDocStore   *rl_ui_test_open_store (RlConnection *conn,
                                     const char   *doc,
                                     RlDocKind     kind);
/* The store's thread id, or NULL (the store keeps it). */
const RlThread *rl_ui_test_store_thread    (RlDocStore *store,
                                            const char *id);
/* The store's ith thread (asserted there; the store keeps it). */
const RlThread *rl_ui_test_store_thread_at (RlDocStore *store,
                                            guint       i);
/* The store's number of threads. */
guint         rl_ui_test_store_n_threads (RlDocStore *store);
/* A thread at anchor with its first comment, made through store and
 * settled (asserted); its id. */
char         *rl_ui_test_store_create_thread (RlDocStore     *store,
                                              const RlAnchor *anchor,
                                              const char     *body);
/* The same for an image marker at (x, y). */
char         *rl_ui_test_store_create_marker (RlDocStore *store,
                                              double      x,
                                              double      y,
                                              const char *body);
/* The same for a page annotation on [start, end) of page, with the anchor
 * rl_ui_test_page_anchor makes. */
char         *rl_ui_test_store_create_annotation (RlDocStore *store,
                                                  RlPageText *page,
                                                  guint       start,
                                                  guint       end,
                                                  const char *body);
/* The thread's first comment, or NULL. */
const char   *rl_ui_test_first_body     (const RlThread *thread);

/* ---- teammates: raw protocol --------------------------------------------- */

/* The file at path uploaded over HTTP by token as the next version of doc
 * (type: its Content-Type), answered 201 (asserted); the version's number. */
gint64        rl_ui_test_upload_version (RlTestServer *server,
                                         const char   *token,
                                         const char   *doc,
                                         const char   *path,
                                         const char   *type);
/* The user id the server's welcome names for token. */
char         *rl_ui_test_user_id        (RlTestServer *server,
                                         const char   *token);
/* A thread at anchor (JSON) with its first comment, made by client as raw
 * protocol and acknowledged (asserted); its id. */
char         *rl_ui_test_create_thread  (RlTestClient *client,
                                         const char   *doc,
                                         const char   *anchor,
                                         const char   *body);
/* The same for an image marker at (x, y). */
char         *rl_ui_test_create_marker  (RlTestClient *client,
                                         const char   *doc,
                                         double        x,
                                         double        y,
                                         const char   *body);
/* The anchor (JSON, as create-thread and move-thread carry it) of the
 * first occurrence of exact in page: rl_ui_test_page_anchor's. */
char         *rl_ui_test_annotation_anchor (RlPageText   *page,
                                            const char   *exact);
/* The same for an annotation on the first occurrence of exact in page,
 * with the anchor rl_ui_test_page_anchor makes. */
char         *rl_ui_test_create_annotation (RlTestClient *client,
                                            const char   *doc,
                                            RlPageText   *page,
                                            const char   *exact,
                                            const char   *body);
/* A request of type on a thread ("resolve-thread"…), extra more members
 * (",\"resolved\":true") or NULL, acknowledged without an error (asserted). */
void          rl_ui_test_thread_request (RlTestClient *client,
                                         const char   *type,
                                         const char   *doc,
                                         const char   *thread,
                                         const char   *extra);
/* The next presence frame of doc that client reads before the monotonic
 * time until (µs), skipping every other frame; NULL if none came. */
JsonObject   *rl_ui_test_next_presence  (RlTestClient *client,
                                         const char   *doc,
                                         gint64        until);

/* ---- pages --------------------------------------------------------------- */

/* The page of markdown (asserted valid). */
RlPageText   *rl_ui_test_page_from_markdown (const char *markdown);
/* The page of a Markdown file (asserted readable and valid). */
RlPageText   *rl_ui_test_page_from_file (const char   *path);
/* Where the first occurrence of exact starts in page's plain text, in code
 * points (asserted found); *end, if asked for, where it ends. */
guint         rl_ui_test_page_find      (RlPageText   *page,
                                         const char   *exact,
                                         guint        *end);
/* The anchor the protocol asks for on [start, end) of page: its text, with
 * up to 32 code points before and after (rl_anchor_clear it). */
RlAnchor      rl_ui_test_page_anchor    (RlPageText   *page,
                                         guint         start,
                                         guint         end);

/* ---- the app's windows --------------------------------------------------- */

/* An app, registered (so its accelerators are set), of an id no app of
 * this process had: a registered GtkApplication keeps a reference of its
 * own, so one of the same id would still be there. session, if not NULL,
 * is added as an account the keyring holds. */
RlApplication *rl_ui_test_register_app  (RlSession    *session);
/* Destroys every window of app. */
void          rl_ui_test_destroy_windows (RlApplication *app);
/* Destroys every window of *app, lets their last events run, drops it. */
void          rl_ui_test_close_app      (RlApplication **app);
/* Destroys *window if there is one and lets its last events run, then
 * drops *session: a window fixture's teardown. */
void          rl_ui_test_close_window   (RlWindow     **window,
                                         RlSession    **session);
/* A session of token on the server at ws_base, with fast test timings
 * (retries from 300 ms, a dead link found in 3 s); user_id: as the keyring
 * knows it, or NULL for a new account. */
RlSession    *rl_ui_test_session_new    (const char   *ws_base,
                                         const char   *token,
                                         const char   *user_id);
/* The window's session is online. */
gboolean      rl_ui_test_window_online  (RlWindow     *window);
/* How many documents the window lists. */
guint         rl_ui_test_window_n_documents (RlWindow *window);
/* Gives window session and presents it; asserts it goes online, then that
 * it is online with n_documents listed (5 s each). */
void          rl_ui_test_window_start   (RlWindow     *window,
                                         RlSession    *session,
                                         guint         n_documents);
/* The window shows its view of that kind ("image" or "page"), mapped and
 * laid out. */
gboolean      rl_ui_test_window_shows   (RlWindow     *window,
                                         const char   *page);
/* The window opens doc and shows it in its view of that kind (asserted
 * within 5 s). */
void          rl_ui_test_window_show    (RlWindow     *window,
                                         const char   *doc,
                                         const char   *page);

/* The header's main menu button (asserted there). */
GtkWidget    *rl_ui_test_main_menu_button (RlWindow   *window);
/* Whether the window's threads panel shows text within 5 s. */
gboolean      rl_ui_test_panel_lists    (RlWindow     *window,
                                         const char   *text);
/* The window's last toast says the account could not be saved (to the
 * keyring: without a Secret Service). */
gboolean      rl_ui_test_keyring_toast  (RlWindow     *window);
/* The header's viewers button is shown, and its tooltip names each of
 * names ("Ada,Bob"). */
gboolean      rl_ui_test_viewers_named  (RlWindow     *window,
                                         const char   *names);
/* The image view shows n pins (asserted within 5 s). */
void          rl_ui_test_wait_pins      (RlImageView  *view,
                                         guint         n);

/* The main menu, opened with a click on its button (real input), its
 * opening transition over. */
GtkPopover   *rl_ui_test_open_main_menu (RlWindow     *window);
/* The menu's item that shows text (the button around its label). */
GtkWidget    *rl_ui_test_menu_item      (GtkPopover   *menu,
                                         const char   *text);
/* Whether a menu item is checked. */
gboolean      rl_ui_test_menu_item_checked (GtkWidget *item);

/* ---- the threads panel --------------------------------------------------- */

/* The list of the panel's rows (asserted there). */
GtkListBox   *rl_ui_test_panel_list     (RlThreadPanel *panel);
/* How many rows the panel has. */
guint         rl_ui_test_panel_n_rows   (RlThreadPanel *panel);
/* The panel's ith row (asserted there). */
RlThreadRow  *rl_ui_test_panel_row_at   (RlThreadPanel *panel,
                                         guint          i);
/* The panel's row of thread_id, or NULL. */
RlThreadRow  *rl_ui_test_panel_row      (RlThreadPanel *panel,
                                         const char    *thread_id);
/* The thread ids of the panel's rows, in order, as "id id id". */
char         *rl_ui_test_panel_order    (RlThreadPanel *panel);
/* What a row's number badge says. */
const char   *rl_ui_test_row_badge      (RlThreadRow   *row);
/* The row's reply box (the text view that is no comment's editor). */
GtkTextView  *rl_ui_test_row_reply_view (RlThreadRow   *row);
/* The row's reply Send button. */
GtkWidget    *rl_ui_test_row_send_button (RlThreadRow  *row);
/* No revealer under root is opening or closing: rows stay where a hand
 * aims. */
gboolean      rl_ui_test_revealers_still (GtkWidget    *root);
/* Saves widget once nothing in panel is moving or lit up as a teammate's
 * (and that highlight has faded): what a person would look at. */
void          rl_ui_test_screenshot_quiet (GtkWidget     *widget,
                                           RlThreadPanel *panel,
                                           const char    *name);

/* The message dialog on screen (AdwMessageDialog, mapped), or NULL. */
AdwMessageDialog *rl_ui_test_message_dialog (void);

/* ---- settings ------------------------------------------------------------ */

/* Every key of settings back to its default (the memory backend keeps what
 * an earlier test of the process set). */
void          rl_ui_test_reset_settings (GSettings    *settings);

/* ---- files and ports ----------------------------------------------------- */

/* A folder of this run's own for the XDG cache, set before anything asks
 * where the cache is (GLib keeps its first answer): call it before
 * rl_ui_test_init; remove it with rl_ui_test_remove_tree at the end. */
char         *rl_ui_test_private_cache  (const char   *name);
/* Removes path and, for a folder, everything under it (links not followed). */
void          rl_ui_test_remove_tree    (const char   *path);
/* A port nothing listens on (something did a moment ago). */
guint         rl_ui_test_closed_port    (void);

G_END_DECLS
