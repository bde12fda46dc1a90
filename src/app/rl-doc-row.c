/* rl-doc-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-doc-row.h"

#include <glib/gi18n.h>

struct _RlDocRow
{
  GtkWidget       parent_instance;

  GtkImage       *icon;
  GtkLabel       *title;
  GtkLabel       *mention;    /* "@": an unread comment mentions the user */
  GtkLabel       *pill;       /* how many comments are unread */

  RlDocItem      *item;
  RlActivityFeed *feed;
  RlUnreadCounts  unread;
  char           *description;
};

G_DEFINE_FINAL_TYPE (RlDocRow, rl_doc_row, GTK_TYPE_WIDGET)

/* What is unread in the bound document: the feed's once it has subscribed,
 * else what the listing said. */
static void
read_counts (RlDocRow       *self,
             RlUnreadCounts *counts)
{
  const RlDocument *doc = rl_doc_item_get_document (self->item);

  *counts = (RlUnreadCounts) { 0 };
  if (self->feed != NULL && rl_activity_feed_get_aseq (self->feed) >= 0)
    rl_activity_feed_get_unread (self->feed, doc->id, counts);
  else if (doc->has_unread)
    *counts = doc->unread;
}

static char *
describe_unread (const RlUnreadCounts *counts)
{
  guint comments = (guint) CLAMP (counts->comments, 0, G_MAXUINT);
  guint mentions = (guint) CLAMP (counts->mentions, 0, G_MAXUINT);
  g_autofree char *new_part = NULL;
  g_autofree char *mention_part = NULL;

  if (comments == 0)
    return NULL;
  /* Translators: a document's unread comments, for screen readers */
  new_part = g_strdup_printf (ngettext ("%u new comment", "%u new comments", comments), comments);
  if (mentions == 0)
    return g_steal_pointer (&new_part);
  /* Translators: how many of a document's unread comments mention the user,
   * for screen readers ("1 mentions you": one of them does) */
  mention_part = g_strdup_printf (ngettext ("%u mentions you", "%u mention you", mentions), mentions);
  /* Translators: joins "3 new comments" and "1 mentions you" */
  return g_strdup_printf (_("%s, %s"), new_part, mention_part);
}

static void
update_unread (RlDocRow *self)
{
  g_autofree char *count = NULL;
  gboolean unread;

  if (self->item == NULL)
    return;
  read_counts (self, &self->unread);
  unread = self->unread.comments > 0;
  if (unread)
    gtk_widget_add_css_class (GTK_WIDGET (self->title), "heading");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->title), "heading");
  count = self->unread.comments > 99 ? g_strdup ("99+")
                                     : g_strdup_printf ("%" G_GINT64_FORMAT, self->unread.comments);
  gtk_label_set_text (self->pill, count);
  gtk_widget_set_visible (GTK_WIDGET (self->pill), unread);
  gtk_widget_set_visible (GTK_WIDGET (self->mention), unread && self->unread.mentions > 0);

  g_clear_pointer (&self->description, g_free);
  self->description = describe_unread (&self->unread);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pill), self->description);
  if (self->description != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    self->description, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
on_unread_changed (RlDocRow   *self,
                   const char *doc_id)
{
  if (self->item != NULL && g_strcmp0 (doc_id, rl_doc_item_get_id (self->item)) == 0)
    update_unread (self);
}

static void
rl_doc_row_dispose (GObject *object)
{
  RlDocRow *self = RL_DOC_ROW (object);

  rl_doc_row_bind (self, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RL_TYPE_DOC_ROW);
  G_OBJECT_CLASS (rl_doc_row_parent_class)->dispose (object);
}

static void
rl_doc_row_finalize (GObject *object)
{
  RlDocRow *self = RL_DOC_ROW (object);

  g_free (self->description);
  G_OBJECT_CLASS (rl_doc_row_parent_class)->finalize (object);
}

static void
rl_doc_row_class_init (RlDocRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_doc_row_dispose;
  object_class->finalize = rl_doc_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-doc-row.ui");
  gtk_widget_class_bind_template_child (widget_class, RlDocRow, icon);
  gtk_widget_class_bind_template_child (widget_class, RlDocRow, title);
  gtk_widget_class_bind_template_child (widget_class, RlDocRow, mention);
  gtk_widget_class_bind_template_child (widget_class, RlDocRow, pill);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rl-doc-row");
}

static void
rl_doc_row_init (RlDocRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 10);
}

GtkWidget *
rl_doc_row_new (void)
{
  return g_object_new (RL_TYPE_DOC_ROW, NULL);
}

void
rl_doc_row_bind (RlDocRow       *self,
                 RlDocItem      *item,
                 RlActivityFeed *feed)
{
  gboolean image;
  g_autofree char *name = NULL;

  g_return_if_fail (RL_IS_DOC_ROW (self));
  g_return_if_fail (item == NULL || RL_IS_DOC_ITEM (item));
  g_return_if_fail (feed == NULL || RL_IS_ACTIVITY_FEED (feed));

  if (self->feed != NULL)
    g_signal_handlers_disconnect_by_data (self->feed, self);
  g_clear_object (&self->feed);
  g_set_object (&self->item, item);
  if (item == NULL)
    return;
  if (feed != NULL)
    {
      self->feed = g_object_ref (feed);
      g_signal_connect_swapped (feed, "unread-changed", G_CALLBACK (on_unread_changed), self);
      /* The snapshot of a (re)subscribe replaces the listing's counts. */
      g_signal_connect_swapped (feed, "notify::aseq", G_CALLBACK (update_unread), self);
    }

  image = rl_doc_item_get_kind (item) == RL_DOC_KIND_IMAGE;
  gtk_image_set_from_icon_name (self->icon, image ? "image-x-generic-symbolic" : "x-office-document-symbolic");
  gtk_label_set_label (self->title, rl_doc_item_get_title (item));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), rl_doc_item_get_title (item));
  /* Translators: a document in the sidebar, e.g. "Home page, image" */
  name = g_strdup_printf (image ? _("%s, image") : _("%s, page"), rl_doc_item_get_title (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  update_unread (self);
}

RlDocItem *
rl_doc_row_get_item (RlDocRow *self)
{
  g_return_val_if_fail (RL_IS_DOC_ROW (self), NULL);
  return self->item;
}

void
rl_doc_row_get_unread (RlDocRow       *self,
                       RlUnreadCounts *counts)
{
  g_return_if_fail (RL_IS_DOC_ROW (self));
  g_return_if_fail (counts != NULL);
  *counts = self->item ? self->unread : (RlUnreadCounts) { 0 };
}
