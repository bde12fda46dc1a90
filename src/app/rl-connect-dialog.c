/* rl-connect-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-connect-dialog.h"

#include <glib/gi18n.h>

#include "rl-invite.h"

struct _RlConnectDialog
{
  AdwWindow    parent_instance;
  AdwEntryRow *invite_row;
  AdwEntryRow *server_row;
  AdwEntryRow *token_row;
  GtkLabel    *error_label;
  GtkButton   *connect_button;
  char        *error;
};

G_DEFINE_FINAL_TYPE (RlConnectDialog, rl_connect_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_CONNECT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (RlConnectDialog *self,
            GtkWidget       *row,
            const char      *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->invite_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->token_row), "error");
  if (row != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_grab_focus (row);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      self->error_label, NULL, -1);
    }
}

static void
on_changed (RlConnectDialog *self)
{
  if (self->error != NULL)
    show_error (self, NULL, NULL);
}

static void
on_connect_clicked (RlConnectDialog *self)
{
  if (rl_connect_dialog_submit (self))
    gtk_window_close (GTK_WINDOW (self));
}

static void
rl_connect_dialog_finalize (GObject *object)
{
  g_free (RL_CONNECT_DIALOG (object)->error);
  G_OBJECT_CLASS (rl_connect_dialog_parent_class)->finalize (object);
}

static void
rl_connect_dialog_class_init (RlConnectDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = rl_connect_dialog_finalize;

  /* (const char *server_url, const char *token) */
  signals[SIGNAL_CONNECT] =
    g_signal_new ("connect", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-connect-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, invite_row);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, connect_button);
  gtk_widget_class_bind_template_callback (widget_class, on_connect_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rl_connect_dialog_init (RlConnectDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
rl_connect_dialog_new (GtkWindow  *parent,
                       const char *server_url)
{
  RlConnectDialog *self = g_object_new (RL_TYPE_CONNECT_DIALOG, "transient-for", parent, NULL);

  if (server_url != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url);
      gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
    }
  return GTK_WIDGET (self);
}

gboolean
rl_connect_dialog_submit (RlConnectDialog *self)
{
  g_autofree char *invite = NULL;
  g_autofree char *server = NULL;
  g_autofree char *token = NULL;
  g_autofree char *server_url = NULL;
  g_autofree char *link = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (RL_IS_CONNECT_DIALOG (self), FALSE);

  /* What a paste brings along around the text is not part of it. */
  invite = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->invite_row))));
  server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  token = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row))));

  if (*invite != '\0')
    {
      g_autofree char *link_token = NULL;

      if (!rl_invite_parse (invite, &server_url, &link_token, &error))
        {
          show_error (self, GTK_WIDGET (self->invite_row), error->message);
          return FALSE;
        }
      g_clear_pointer (&token, g_free);
      token = g_steal_pointer (&link_token);
    }
  else
    {
      if (*server == '\0')
        {
          show_error (self, GTK_WIDGET (self->invite_row), _("Paste an invite link, or enter a server address and a token."));
          return FALSE;
        }
      server_url = rl_server_url_normalize (server, &error);
      if (server_url == NULL)
        {
          show_error (self, GTK_WIDGET (self->server_row), error->message);
          return FALSE;
        }
      /* The link's checks say whether the token can be one. */
      link = rl_invite_format (server_url, token, &error);
      if (link == NULL)
        {
          show_error (self, GTK_WIDGET (self->token_row), error->message);
          return FALSE;
        }
    }

  show_error (self, NULL, NULL);
  g_signal_emit (self, signals[SIGNAL_CONNECT], 0, server_url, token);
  return TRUE;
}

void
rl_connect_dialog_set_invite (RlConnectDialog *self,
                              const char      *link)
{
  g_return_if_fail (RL_IS_CONNECT_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->invite_row), link ? link : "");
}

void
rl_connect_dialog_set_server (RlConnectDialog *self,
                              const char      *server_url,
                              const char      *token)
{
  g_return_if_fail (RL_IS_CONNECT_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url ? server_url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), token ? token : "");
}

const char *
rl_connect_dialog_get_error (RlConnectDialog *self)
{
  g_return_val_if_fail (RL_IS_CONNECT_DIALOG (self), NULL);
  return self->error;
}
