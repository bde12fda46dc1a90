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
  SIGNAL_VERSION_UPLOADED,
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
  char               *doc_id;        /* a new version of it; NULL: a new document */
} Upload;

static void
upload_free (Upload *upload)
{
  g_ptr_array_remove (upload->controller->uploads, upload);
  g_object_unref (upload->controller);
  g_object_unref (upload->session);
  g_clear_object (&upload->row);
  g_object_unref (upload->cancellable);
  g_free (upload->doc_id);
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

/* The row of an upload that ended with error (NULL: it succeeded): gone
 * when it succeeded or was cancelled, else saying why until dismissed.
 * Whether to announce it (it succeeded, and the window is still there). */
static gboolean
upload_ended (Upload       *upload,
              const GError *error)
{
  RlUploadController *self = upload->controller;

  g_signal_handlers_disconnect_by_data (upload->row, upload);
  if (self->box == NULL)
    return FALSE;   /* stopped: the window is gone */
  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      remove_row (self, upload->row);
      return error == NULL;
    }
  rl_upload_row_set_error (upload->row, error->message);
  g_signal_connect (upload->row, "close", G_CALLBACK (on_upload_dismiss), self);
  return FALSE;
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

  if (upload_ended (upload, error))
    g_signal_emit (self, signals[SIGNAL_UPLOADED], 0, item, upload->session);
  upload_free (upload);
}

static void
version_uploaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  Upload *upload = data;
  RlUploadController *self = upload->controller;
  g_autoptr(GError) error = NULL;
  g_autoptr(RlRevision) revision = rl_api_upload_revision_finish (RL_API (source), result, &error);

  if (upload_ended (upload, error))
    g_signal_emit (self, signals[SIGNAL_VERSION_UPLOADED], 0, upload->doc_id, revision, upload->session);
  upload_free (upload);
}

/* The file's name as people see it. */
static char *
file_name (GFile *file)
{
  char *name = g_file_get_basename (file);

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    {
      g_free (name);
      name = g_file_get_parse_name (file);
    }
  return name;
}

static void
upload_file (RlUploadController *self,
             GFile              *file,
             const RlDocument   *doc,
             const char         *broadcast_id)
{
  RlConnection *connection = rl_session_get_connection (self->session);
  const RlMessage *welcome = rl_connection_get_welcome (connection);
  g_autofree char *name = file_name (file);
  GtkWidget *row;
  Upload *upload;

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
  if (doc != NULL)
    {
      upload->doc_id = g_strdup (doc->id);
      rl_api_upload_revision (rl_session_get_api (self->session), doc->id, doc->kind, file, broadcast_id,
                              upload->cancellable, upload_progress, upload, version_uploaded, upload);
      return;
    }
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
  /* (const char *doc_id, const RlRevision *revision, RlSession *session):
   * a new version of a document, and the session it was uploaded on. */
  signals[SIGNAL_VERSION_UPLOADED] =
    g_signal_new ("version-uploaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, RL_TYPE_REVISION | G_SIGNAL_TYPE_STATIC_SCOPE, RL_TYPE_SESSION);
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

      upload_file (self, file, NULL, NULL);
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

void
rl_upload_controller_upload_version (RlUploadController *self,
                                     GFile              *file,
                                     const RlDocument   *doc,
                                     const char         *broadcast_id)
{
  g_return_if_fail (RL_IS_UPLOAD_CONTROLLER (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (doc != NULL);

  if (self->session == NULL || self->box == NULL)
    return;
  upload_file (self, file, doc, broadcast_id);
}

typedef struct
{
  RlUploadController *controller;
  RlDocument         *doc;
  char               *broadcast_id;
} VersionChoice;

static void
version_chosen (GtkNativeDialog *chooser,
                int              response,
                VersionChoice   *choice)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        rl_upload_controller_upload_version (choice->controller, file, choice->doc, choice->broadcast_id);
    }
  g_object_unref (choice->controller);
  rl_document_free (choice->doc);
  g_free (choice->broadcast_id);
  g_free (choice);
  g_object_unref (chooser);
}

static RlDocument *
document_copy (const RlDocument *doc)
{
  RlDocument *copy = g_new0 (RlDocument, 1);

  copy->id = g_strdup (doc->id);
  copy->kind = doc->kind;
  copy->title = g_strdup (doc->title);
  copy->mime = g_strdup (doc->mime);
  copy->revision = doc->revision;
  return copy;
}

void
rl_upload_controller_choose_version (RlUploadController *self,
                                     GtkWindow          *parent,
                                     const RlDocument   *doc,
                                     const char         *broadcast_id)
{
  static const char *const images[] = { "image/png", "image/jpeg", "image/webp", NULL };
  static const char *const pages[] = { "text/markdown", "text/x-markdown", "text/plain", NULL };
  g_autofree char *title = NULL;
  GtkFileChooserNative *chooser;
  VersionChoice *choice;

  g_return_if_fail (RL_IS_UPLOAD_CONTROLLER (self));
  g_return_if_fail (doc != NULL);

  if (self->session == NULL)
    return;
  /* Translators: the file chooser's title; %s is the document's title */
  title = g_strdup_printf (_("Upload New Version of “%s”"), doc->title);
  chooser = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_OPEN, _("_Upload"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* Only files of the document's kind can be its next version. */
  if (doc->kind == RL_DOC_KIND_IMAGE)
    add_filter (GTK_FILE_CHOOSER (chooser), _("Images (PNG, JPEG, WebP)"), images);
  else
    add_filter (GTK_FILE_CHOOSER (chooser), _("Pages (Markdown, Plain Text)"), pages);
  choice = g_new0 (VersionChoice, 1);
  choice->controller = g_object_ref (self);
  choice->doc = document_copy (doc);
  choice->broadcast_id = g_strdup (broadcast_id);
  g_signal_connect (chooser, "response", G_CALLBACK (version_chosen), choice);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
