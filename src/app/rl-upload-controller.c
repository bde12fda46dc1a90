/* rl-upload-controller.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-upload-controller.h"

#include <glib/gi18n.h>

#include "rl-error.h"
#include "rl-upload-row.h"

struct _RlUploadController
{
  GObject      parent_instance;

  RlSession   *session;
  GtkBox      *box;             /* the rows' (its first child a separator); NULL once stopped */
  GtkWidget   *focus_fallback;  /* takes the keyboard from the last row */
  GPtrArray   *uploads;         /* Upload* under way, not owned */
};

G_DEFINE_FINAL_TYPE (RlUploadController, rl_upload_controller, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_BOX,
  PROP_FOCUS_FALLBACK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_UPLOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One file on its way: its row under the document list says how far. */
typedef struct
{
  RlUploadController *controller;
  RlSession          *session;       /* the one it was sent on */
  RlUploadRow        *row;
  GCancellable       *cancellable;
} Upload;

static void
upload_free (Upload *upload)
{
  g_ptr_array_remove (upload->controller->uploads, upload);
  g_object_unref (upload->controller);
  g_object_unref (upload->session);
  g_clear_object (&upload->row);
  g_object_unref (upload->cancellable);
  g_free (upload);
}

static void
remove_row (RlUploadController *self,
            RlUploadRow        *row)
{
  GtkWidget *box = GTK_WIDGET (self->box);

  if (box == NULL || gtk_widget_get_parent (GTK_WIDGET (row)) != box)
    return;
  /* The next row, or the Upload button, keeps the keyboard where it was. */
  if (gtk_widget_has_focus (rl_upload_row_get_button (row)))
    {
      GtkWidget *next = gtk_widget_get_next_sibling (GTK_WIDGET (row));

      if (next != NULL)
        gtk_widget_grab_focus (rl_upload_row_get_button (RL_UPLOAD_ROW (next)));
      else if (self->focus_fallback != NULL)
        gtk_widget_grab_focus (self->focus_fallback);
    }
  gtk_box_remove (self->box, GTK_WIDGET (row));
  /* Only the separator left: nothing to show. */
  if (gtk_widget_get_first_child (box) == gtk_widget_get_last_child (box))
    gtk_widget_set_visible (box, FALSE);
}

static void
on_upload_cancel (RlUploadRow *row,
                  Upload      *upload)
{
  g_cancellable_cancel (upload->cancellable);
}

static void
on_upload_dismiss (RlUploadRow        *row,
                   RlUploadController *self)
{
  remove_row (self, row);
}

static void
upload_progress (goffset  sent,
                 goffset  total,
                 gpointer data)
{
  Upload *upload = data;

  rl_upload_row_set_progress (upload->row, sent, total);
}

static void
uploaded (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Upload *upload = data;
  RlUploadController *self = upload->controller;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlDocItem) item = rl_api_upload_file_finish (RL_API (source), result, &error);

  g_signal_handlers_disconnect_by_data (upload->row, upload);
  if (self->box == NULL)
    ;   /* stopped: the window is gone */
  else if (item == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    remove_row (self, upload->row);
  else if (item == NULL)
    {
      /* It stays, saying why, until dismissed. */
      rl_upload_row_set_error (upload->row, error->message);
      g_signal_connect (upload->row, "close", G_CALLBACK (on_upload_dismiss), self);
    }
  else
    {
      remove_row (self, upload->row);
      g_signal_emit (self, signals[SIGNAL_UPLOADED], 0, item, upload->session);
    }
  upload_free (upload);
}

static void
upload_file (RlUploadController *self,
             GFile              *file)
{
  RlConnection *connection = rl_session_get_connection (self->session);
  const RlMessage *welcome = rl_connection_get_welcome (connection);
  g_autofree char *name = g_file_get_basename (file);
  GtkWidget *row;
  Upload *upload;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    {
      g_free (name);
      name = g_file_get_parse_name (file);
    }
  row = rl_upload_row_new (name);
  gtk_box_append (self->box, row);
  gtk_widget_set_visible (GTK_WIDGET (self->box), TRUE);

  /* The server would refuse a viewer's file once it has it all. */
  if (welcome != NULL && welcome->role == RL_ROLE_VIEWER)
    {
      g_autoptr(GError) error = rl_api_new_upload_error (RL_ERROR_FORBIDDEN, name, NULL);

      rl_upload_row_set_error (RL_UPLOAD_ROW (row), error->message);
      g_signal_connect (row, "close", G_CALLBACK (on_upload_dismiss), self);
      return;
    }

  upload = g_new0 (Upload, 1);
  upload->controller = g_object_ref (self);
  upload->session = g_object_ref (self->session);
  upload->row = RL_UPLOAD_ROW (g_object_ref (row));
  upload->cancellable = g_cancellable_new ();
  g_ptr_array_add (self->uploads, upload);
  g_signal_connect (row, "close", G_CALLBACK (on_upload_cancel), upload);
  rl_api_upload_file (rl_session_get_api (self->session), file, NULL, upload->cancellable,
                      upload_progress, upload, uploaded, upload);
}

static void
chooser_response (GtkNativeDialog    *chooser,
                  int                 response,
                  RlUploadController *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      rl_upload_controller_upload_files (self, files);
    }
  g_object_unref (chooser);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *const *types)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; types[i]; i++)
    gtk_file_filter_add_mime_type (filter, types[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
rl_upload_controller_dispose (GObject *object)
{
  RlUploadController *self = RL_UPLOAD_CONTROLLER (object);

  rl_upload_controller_stop (self);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (rl_upload_controller_parent_class)->dispose (object);
}

static void
rl_upload_controller_finalize (GObject *object)
{
  RlUploadController *self = RL_UPLOAD_CONTROLLER (object);

  g_ptr_array_unref (self->uploads);
  G_OBJECT_CLASS (rl_upload_controller_parent_class)->finalize (object);
}

static void
rl_upload_controller_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  RlUploadController *self = RL_UPLOAD_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_BOX:
      g_value_set_object (value, self->box);
      break;
    case PROP_FOCUS_FALLBACK:
      g_value_set_object (value, self->focus_fallback);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_upload_controller_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  RlUploadController *self = RL_UPLOAD_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_set_object (&self->session, g_value_get_object (value));
      break;
    case PROP_BOX:
      /* Weak: the rows' box is the window's; stop forgets it first. */
      self->box = g_value_get_object (value);
      break;
    case PROP_FOCUS_FALLBACK:
      self->focus_fallback = g_value_get_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_upload_controller_class_init (RlUploadControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_upload_controller_dispose;
  object_class->finalize = rl_upload_controller_finalize;
  object_class->get_property = rl_upload_controller_get_property;
  object_class->set_property = rl_upload_controller_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, RL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BOX] =
    g_param_spec_object ("box", NULL, NULL, GTK_TYPE_BOX,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOCUS_FALLBACK] =
    g_param_spec_object ("focus-fallback", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A new document (RlDocItem) and the session it was uploaded on. */
  signals[SIGNAL_UPLOADED] =
    g_signal_new ("uploaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, RL_TYPE_DOC_ITEM, RL_TYPE_SESSION);
}

static void
rl_upload_controller_init (RlUploadController *self)
{
  self->uploads = g_ptr_array_new ();
}

RlUploadController *
rl_upload_controller_new (void)
{
  return g_object_new (RL_TYPE_UPLOAD_CONTROLLER, NULL);
}

void
rl_upload_controller_upload_files (RlUploadController *self,
                                   GListModel         *files)
{
  g_return_if_fail (RL_IS_UPLOAD_CONTROLLER (self));
  g_return_if_fail (G_IS_LIST_MODEL (files));

  if (self->session == NULL || self->box == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);

      upload_file (self, file);
    }
}

void
rl_upload_controller_choose_files (RlUploadController *self,
                                   GtkWindow          *parent)
{
  static const char *const all[] = { "image/png", "image/jpeg", "image/webp", "text/markdown",
                                     "text/x-markdown", "text/plain", NULL };
  static const char *const images[] = { "image/png", "image/jpeg", "image/webp", NULL };
  static const char *const pages[] = { "text/markdown", "text/x-markdown", "text/plain", NULL };
  GtkFileChooserNative *chooser;

  g_return_if_fail (RL_IS_UPLOAD_CONTROLLER (self));

  if (self->session == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Upload Documents"), parent,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Upload"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  add_filter (GTK_FILE_CHOOSER (chooser), _("Mockups and Pages"), all);
  add_filter (GTK_FILE_CHOOSER (chooser), _("Images (PNG, JPEG, WebP)"), images);
  add_filter (GTK_FILE_CHOOSER (chooser), _("Pages (Markdown, Plain Text)"), pages);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
rl_upload_controller_stop (RlUploadController *self)
{
  g_return_if_fail (RL_IS_UPLOAD_CONTROLLER (self));

  self->box = NULL;
  self->focus_fallback = NULL;
  /* Each holds the controller until it has stopped. */
  for (guint i = 0; i < self->uploads->len; i++)
    g_cancellable_cancel (((Upload *) g_ptr_array_index (self->uploads, i))->cancellable);
}
