/* rl-compare-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-compare-window.h"

#include <glib/gi18n.h>

#include "rl-image-compare.h"
#include "rl-page-compare.h"
#include "rl-thread-item.h"

struct _RlCompareWindow
{
  AdwWindow      parent_instance;
  RlApi         *api;
  RlDocStore    *store;
  RlDocument    *doc;
  gint64         latest;
  GtkDropDown   *older_choice;
  GtkDropDown   *newer_choice;
  GtkStack      *stack;
  GtkLabel      *message;
  GtkWidget     *view;
  GCancellable  *loading;
  /* what is being loaded: the two versions, and what came of each */
  gint64         older;
  gint64         newer;
  gpointer       contents[2];     /* GdkTexture* or RlPageText*, as they come */
  guint          pending;
  gboolean       loaded;
};

G_DEFINE_FINAL_TYPE (RlCompareWindow, rl_compare_window, ADW_TYPE_WINDOW)

static void
clear_contents (RlCompareWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->contents); i++)
    {
      if (self->contents[i] == NULL)
        continue;
      if (self->doc->kind == RL_DOC_KIND_IMAGE)
        g_object_unref (self->contents[i]);
      else
        rl_page_text_unref (self->contents[i]);
      self->contents[i] = NULL;
    }
}

static void
show_message (RlCompareWindow *self,
              const char      *message)
{
  gtk_label_set_text (self->message, message);
  gtk_stack_set_visible_child_name (self->stack, "message");
}

/* Each thread's pin on a version: where it was placed there. */
static GArray *
pins_on (RlCompareWindow *self,
         gint64           revision)
{
  GArray *pins = g_array_new (FALSE, FALSE, sizeof (RlComparePin));
  GListModel *threads = self->store ? rl_doc_store_get_threads (self->store) : NULL;
  guint n = threads ? g_list_model_get_n_items (threads) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);
      const RlThread *thread = rl_thread_item_get_thread (item);
      const RlRevisionAnchor *placement = rl_thread_get_placement (thread, revision);
      RlComparePin pin = { 0 };

      if (placement == NULL || placement->status == RL_PLACEMENT_ORPHANED)
        continue;
      pin.x = placement->anchor.x;
      pin.y = placement->anchor.y;
      pin.number = (guint) MAX (thread->number, 0);
      pin.status = placement->status;
      g_array_append_val (pins, pin);
    }
  return pins;
}

static void
show_contents (RlCompareWindow *self)
{
  self->loaded = TRUE;
  if (self->doc->kind == RL_DOC_KIND_IMAGE)
    {
      g_autoptr(GArray) older = pins_on (self, self->older);
      g_autoptr(GArray) newer = pins_on (self, self->newer);

      rl_image_compare_set_images (RL_IMAGE_COMPARE (self->view), self->contents[0], (guint) self->older,
                                   self->contents[1], (guint) self->newer);
      rl_image_compare_set_pins (RL_IMAGE_COMPARE (self->view), (RlComparePin *) (void *) older->data, older->len,
                                 (RlComparePin *) (void *) newer->data, newer->len);
    }
  else
    rl_page_compare_set_texts (RL_PAGE_COMPARE (self->view),
                               rl_page_text_get_text (self->contents[0], NULL), (guint) self->older,
                               rl_page_text_get_text (self->contents[1], NULL), (guint) self->newer);
  gtk_stack_set_visible_child_name (self->stack, "view");
}

typedef struct
{
  RlCompareWindow *self;
  guint            slot;         /* 0: the older, 1: the newer */
  GCancellable    *loading;      /* the load it belongs to */
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_object_unref (fetch->self);
  g_object_unref (fetch->loading);
  g_free (fetch);
}

static void
fetched (Fetch   *fetch,
         gpointer content,
         GError  *error)
{
  RlCompareWindow *self = fetch->self;

  /* A newer choice, or the window closing, cancelled this load. */
  if (g_cancellable_is_cancelled (fetch->loading))
    {
      if (content != NULL && self->doc->kind == RL_DOC_KIND_IMAGE)
        g_object_unref (content);
      else if (content != NULL)
        rl_page_text_unref (content);
      return;
    }
  if (content == NULL)
    {
      g_cancellable_cancel (fetch->loading);
      show_message (self, _("This version could not be loaded. Check the connection and try again."));
      g_debug ("comparing versions: %s", error ? error->message : "nothing");
      return;
    }
  self->contents[fetch->slot] = content;
  if (--self->pending == 0)
    show_contents (self);
}

static void
content_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Fetch *fetch = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rl_api_get_revision_content_finish (RL_API (source), result, &error);
  GdkTexture *texture = bytes ? gdk_texture_new_from_bytes (bytes, &error) : NULL;

  fetched (fetch, texture, error);
  fetch_free (fetch);
}

static void
text_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Fetch *fetch = data;
  g_autoptr(GError) error = NULL;
  RlPageText *text = rl_api_get_page_text_finish (RL_API (source), result, &error);

  fetched (fetch, text, error);
  fetch_free (fetch);
}

static void
load (RlCompareWindow *self)
{
  gint64 versions[2] = { self->older, self->newer };

  g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  clear_contents (self);
  self->loaded = FALSE;
  if (self->older == self->newer)
    {
      show_message (self, _("Choose two different versions to compare."));
      return;
    }
  show_message (self, _("Loading…"));
  self->loading = g_cancellable_new ();
  self->pending = 2;
  for (guint slot = 0; slot < 2; slot++)
    {
      Fetch *fetch = g_new0 (Fetch, 1);

      fetch->self = g_object_ref (self);
      fetch->slot = slot;
      fetch->loading = g_object_ref (self->loading);
      if (self->doc->kind == RL_DOC_KIND_IMAGE)
        rl_api_get_revision_content (self->api, self->doc->id, versions[slot], self->loading, content_cb, fetch);
      else
        rl_api_get_page_text (self->api, self->doc->id, versions[slot], self->loading, text_cb, fetch);
    }
}

static void
choice_changed (RlCompareWindow *self)
{
  guint older = gtk_drop_down_get_selected (self->older_choice);
  guint newer = gtk_drop_down_get_selected (self->newer_choice);

  if (older == GTK_INVALID_LIST_POSITION || newer == GTK_INVALID_LIST_POSITION)
    return;
  /* The list is version 1 first: position + 1 is the number. The earlier
   * of the two is always the older. */
  self->older = MIN (older, newer) + 1;
  self->newer = MAX (older, newer) + 1;
  load (self);
}

static GtkDropDown *
version_choice (RlCompareWindow *self,
                GtkStringList   *versions,
                const char      *mnemonic,
                const char      *accessible,
                GtkBox          *into)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);
  GtkDropDown *choice = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (versions)), NULL));

  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (choice));
  gtk_accessible_update_property (GTK_ACCESSIBLE (choice), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  gtk_box_append (into, label);
  gtk_box_append (into, GTK_WIDGET (choice));
  return choice;
}

static void
rl_compare_window_dispose (GObject *object)
{
  RlCompareWindow *self = RL_COMPARE_WINDOW (object);

  g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  if (self->doc)
    clear_contents (self);
  g_clear_object (&self->api);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (rl_compare_window_parent_class)->dispose (object);
}

static void
rl_compare_window_finalize (GObject *object)
{
  RlCompareWindow *self = RL_COMPARE_WINDOW (object);

  g_clear_pointer (&self->doc, rl_document_free);
  G_OBJECT_CLASS (rl_compare_window_parent_class)->finalize (object);
}

static void
rl_compare_window_class_init (RlCompareWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_compare_window_dispose;
  object_class->finalize = rl_compare_window_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rl_compare_window_init (RlCompareWindow *self)
{
}

RlCompareWindow *
rl_compare_window_new (GtkWindow        *parent,
                       RlApi            *api,
                       RlDocStore       *store,
                       const RlDocument *doc,
                       gint64            latest)
{
  RlCompareWindow *self;
  g_autoptr(GtkStringList) versions = gtk_string_list_new (NULL);
  GtkWidget *content, *header, *choices;
  AdwWindowTitle *title;

  g_return_val_if_fail (RL_IS_API (api), NULL);
  g_return_val_if_fail (doc != NULL && latest >= 2, NULL);

  self = g_object_new (RL_TYPE_COMPARE_WINDOW,
                       "transient-for", parent,
                       "default-width", 1000,
                       "default-height", 720,
                       NULL);
  self->api = g_object_ref (api);
  self->store = store ? g_object_ref (store) : NULL;
  self->doc = g_new0 (RlDocument, 1);
  self->doc->id = g_strdup (doc->id);
  self->doc->kind = doc->kind;
  self->doc->title = g_strdup (doc->title);
  self->latest = latest;

  for (gint64 n = 1; n <= latest; n++)
    {
      /* Translators: a version of a document in a list to choose from; %lld is its number */
      g_autofree char *name = g_strdup_printf (_("Version %lld"), (long long) n);

      gtk_string_list_append (versions, name);
    }

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  title = ADW_WINDOW_TITLE (adw_window_title_new (_("Compare Versions"), doc->title));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (title));
  gtk_box_append (GTK_BOX (content), header);

  choices = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (choices, 12);
  gtk_widget_set_margin_end (choices, 12);
  gtk_widget_set_margin_top (choices, 6);
  gtk_widget_set_margin_bottom (choices, 6);
  self->older_choice = version_choice (self, versions, _("_From"), _("Older version"), GTK_BOX (choices));
  self->newer_choice = version_choice (self, versions, _("_To"), _("Newer version"), GTK_BOX (choices));
  gtk_box_append (GTK_BOX (content), choices);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  self->message = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->message, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->message), "dim-label");
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->message), "message");
  if (doc->kind == RL_DOC_KIND_IMAGE)
    self->view = rl_image_compare_new ();
  else
    self->view = rl_page_compare_new ();
  gtk_stack_add_named (self->stack, self->view, "view");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), content);
  gtk_window_set_title (GTK_WINDOW (self), _("Compare Versions"));

  gtk_drop_down_set_selected (self->older_choice, (guint) (latest - 2));
  gtk_drop_down_set_selected (self->newer_choice, (guint) (latest - 1));
  g_signal_connect_swapped (self->older_choice, "notify::selected", G_CALLBACK (choice_changed), self);
  g_signal_connect_swapped (self->newer_choice, "notify::selected", G_CALLBACK (choice_changed), self);
  choice_changed (self);
  return self;
}

void
rl_compare_window_get_versions (RlCompareWindow *self,
                                gint64          *older,
                                gint64          *newer)
{
  g_return_if_fail (RL_IS_COMPARE_WINDOW (self));
  *older = self->older;
  *newer = self->newer;
}

void
rl_compare_window_set_versions (RlCompareWindow *self,
                                gint64           older,
                                gint64           newer)
{
  g_return_if_fail (RL_IS_COMPARE_WINDOW (self));
  g_return_if_fail (older >= 1 && newer >= 1 && older <= self->latest && newer <= self->latest);

  g_signal_handlers_block_by_func (self->older_choice, choice_changed, self);
  gtk_drop_down_set_selected (self->older_choice, (guint) (older - 1));
  g_signal_handlers_unblock_by_func (self->older_choice, choice_changed, self);
  gtk_drop_down_set_selected (self->newer_choice, (guint) (newer - 1));
  if (gtk_drop_down_get_selected (self->newer_choice) == (guint) (newer - 1) &&
      (self->older != MIN (older, newer) || self->newer != MAX (older, newer)))
    choice_changed (self);
}

gboolean
rl_compare_window_is_loaded (RlCompareWindow *self)
{
  g_return_val_if_fail (RL_IS_COMPARE_WINDOW (self), FALSE);
  return self->loaded;
}

GtkWidget *
rl_compare_window_get_view (RlCompareWindow *self)
{
  g_return_val_if_fail (RL_IS_COMPARE_WINDOW (self), NULL);
  return self->view;
}
