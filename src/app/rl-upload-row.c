/* rl-upload-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-upload-row.h"

#include <glib/gi18n.h>

struct _RlUploadRow
{
  GtkWidget       parent_instance;

  GtkImage       *icon;
  GtkLabel       *name_label;
  GtkButton      *button;
  GtkProgressBar *progress_bar;
  GtkLabel       *status_label;

  char           *name;
  char           *error;
  double          fraction;
};

G_DEFINE_FINAL_TYPE (RlUploadRow, rl_upload_row, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CLOSE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_label (gpointer    widget,
           const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
on_button_clicked (RlUploadRow *self)
{
  g_signal_emit (self, signals[SIGNAL_CLOSE], 0);
}

static void
rl_upload_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RL_TYPE_UPLOAD_ROW);
  /* Children not bound to a field are not unparented by it in GTK 4.8. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (rl_upload_row_parent_class)->dispose (object);
}

static void
rl_upload_row_finalize (GObject *object)
{
  RlUploadRow *self = RL_UPLOAD_ROW (object);

  g_free (self->name);
  g_free (self->error);
  G_OBJECT_CLASS (rl_upload_row_parent_class)->finalize (object);
}

static void
rl_upload_row_class_init (RlUploadRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_upload_row_dispose;
  object_class->finalize = rl_upload_row_finalize;

  /* The person cancelled the upload, or dismissed its error. */
  signals[SIGNAL_CLOSE] = g_signal_new ("close", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-upload-row.ui");
  gtk_widget_class_bind_template_child (widget_class, RlUploadRow, icon);
  gtk_widget_class_bind_template_child (widget_class, RlUploadRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, RlUploadRow, button);
  gtk_widget_class_bind_template_child (widget_class, RlUploadRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, RlUploadRow, status_label);
  gtk_widget_class_bind_template_callback (widget_class, on_button_clicked);
  gtk_widget_class_set_css_name (widget_class, "rluploadrow");
}

static void
rl_upload_row_init (RlUploadRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_label_set_label (self->status_label, _("Preparing…"));
  set_label (self->progress_bar, _("Upload Progress"));
}

GtkWidget *
rl_upload_row_new (const char *name)
{
  RlUploadRow *self;
  g_autofree char *row_label = NULL;
  g_autofree char *cancel_label = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (RL_TYPE_UPLOAD_ROW, NULL);
  self->name = g_strdup (name);
  gtk_label_set_label (self->name_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), name);
  /* Translators: an upload under way in the sidebar; %s is a file name */
  row_label = g_strdup_printf (_("Uploading “%s”"), name);
  set_label (self, row_label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), _("Cancel Upload"));
  /* Translators: the button that stops an upload; %s is a file name */
  cancel_label = g_strdup_printf (_("Cancel Uploading “%s”"), name);
  set_label (self->button, cancel_label);
  return GTK_WIDGET (self);
}

const char *
rl_upload_row_get_name (RlUploadRow *self)
{
  g_return_val_if_fail (RL_IS_UPLOAD_ROW (self), NULL);
  return self->name;
}

void
rl_upload_row_set_progress (RlUploadRow *self,
                            goffset      sent,
                            goffset      total)
{
  g_autofree char *status = NULL;

  g_return_if_fail (RL_IS_UPLOAD_ROW (self));
  g_return_if_fail (total > 0);

  if (self->error != NULL)
    return;
  sent = CLAMP (sent, 0, total);
  self->fraction = (double) sent / (double) total;
  gtk_progress_bar_set_fraction (self->progress_bar, self->fraction);
  if (sent < total)
    {
      g_autofree char *done = g_format_size ((guint64) sent);
      g_autofree char *all = g_format_size ((guint64) total);

      /* Translators: an upload's progress, e.g. "12.3 MB of 48.0 MB" */
      status = g_strdup_printf (_("%s of %s"), done, all);
    }
  else
    status = g_strdup (_("Sent; the server is checking it…"));
  gtk_label_set_label (self->status_label, status);
}

double
rl_upload_row_get_fraction (RlUploadRow *self)
{
  g_return_val_if_fail (RL_IS_UPLOAD_ROW (self), 0);
  return self->fraction;
}

void
rl_upload_row_set_error (RlUploadRow *self,
                         const char  *message)
{
  g_autofree char *row_label = NULL;
  g_autofree char *dismiss_label = NULL;

  g_return_if_fail (RL_IS_UPLOAD_ROW (self));
  g_return_if_fail (message != NULL);

  g_free (self->error);
  self->error = g_strdup (message);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  gtk_image_set_from_icon_name (self->icon, "dialog-warning-symbolic");
  gtk_widget_add_css_class (GTK_WIDGET (self->icon), "error");
  gtk_label_set_label (self->status_label, message);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  /* Translators: an upload that failed, in the sidebar; %s is a file name */
  row_label = g_strdup_printf (_("Upload of “%s” failed"), self->name);
  set_label (self, row_label);
  gtk_button_set_icon_name (self->button, "window-close-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), _("Dismiss"));
  /* Translators: the button that takes a failed upload's message away; %s is a file name */
  dismiss_label = g_strdup_printf (_("Dismiss “%s”"), self->name);
  set_label (self->button, dismiss_label);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  self->status_label, NULL, -1);
}

const char *
rl_upload_row_get_error (RlUploadRow *self)
{
  g_return_val_if_fail (RL_IS_UPLOAD_ROW (self), NULL);
  return self->error;
}

const char *
rl_upload_row_get_status (RlUploadRow *self)
{
  g_return_val_if_fail (RL_IS_UPLOAD_ROW (self), NULL);
  return gtk_label_get_label (self->status_label);
}

GtkWidget *
rl_upload_row_get_button (RlUploadRow *self)
{
  g_return_val_if_fail (RL_IS_UPLOAD_ROW (self), NULL);
  return GTK_WIDGET (self->button);
}
