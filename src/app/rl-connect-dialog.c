/* rl-connect-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-connect-dialog-private.h"

#include <glib/gi18n.h>

#include "rl-error.h"
#include "rl-invite.h"
#include "rl-pinned-database.h"

struct _RlConnectDialog
{
  AdwWindow     parent_instance;
  AdwEntryRow  *invite_row;
  AdwEntryRow  *server_row;
  AdwEntryRow  *token_row;
  GtkWidget    *form;
  GtkLabel     *error_label;
  GtkWidget    *checking_box;
  GtkSpinner   *spinner;
  GtkLabel     *checking_label;
  GtkButton    *connect_button;
  GtkWidget    *cancel_button;
  char         *error;
  char         *pinned_url;    /* the prefilled address, when its account pins… */
  char         *pinned_fp;     /* …this certificate */

  RlSession    *session;       /* being checked */
  GtkWidget    *checked_row;   /* what a refused token is said under */
  GCancellable *cancellable;
  guint         timeout_ms;
};

G_DEFINE_FINAL_TYPE (RlConnectDialog, rl_connect_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_CONNECTED,
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
set_checking (RlConnectDialog *self,
              const char      *address)
{
  gboolean checking = address != NULL;

  if (checking)
    {
      /* Translators: while the server is asked; %s is "host:port" */
      g_autofree char *what = g_strdup_printf (_("Connecting to %s…"), address);

      gtk_label_set_label (self->checking_label, what);
    }
  gtk_widget_set_visible (self->checking_box, checking);
  gtk_spinner_set_spinning (self->spinner, checking);
  /* The focus leaves the fields while they can take it (an insensitive
   * widget hears of no focus change), for Cancel: giving up is what the
   * keyboard can do meanwhile. */
  if (checking)
    gtk_widget_grab_focus (self->cancel_button);
  /* What was typed stays as it is, and stays there. */
  gtk_widget_set_sensitive (self->form, !checking);
  gtk_widget_set_sensitive (GTK_WIDGET (self->connect_button), !checking);
}

/* "host:port", the port said even where the address leaves it implied. */
static char *
address_of (RlSession *session)
{
  g_autoptr(GUri) uri = g_uri_parse (rl_session_get_server_url (session), G_URI_FLAGS_NONE, NULL);
  int port;

  if (uri == NULL)
    return g_strdup (rl_session_get_server_url (session));
  port = g_uri_get_port (uri);
  if (port <= 0)
    port = g_str_equal (g_uri_get_scheme (uri), "wss") ? 443 : 80;
  return g_strdup_printf ("%s:%d", g_uri_get_host (uri), port);
}

static char *
host_of (RlSession *session)
{
  g_autoptr(GUri) uri = g_uri_parse (rl_session_get_server_url (session), G_URI_FLAGS_NONE, NULL);

  return g_strdup (uri ? g_uri_get_host (uri) : rl_session_get_server_url (session));
}

/* Why the server did not welcome the token, in words that name the cause
 * and what to do; *token_at_fault says which field to point at. */
static char *
describe_failure (RlSession    *session,
                  const GError *error,
                  gboolean     *token_at_fault)
{
  g_autofree char *address = address_of (session);

  *token_at_fault = FALSE;
  /* Names the server and both certificates already. */
  if (g_error_matches (error, RL_CERTIFICATE_ERROR, RL_CERTIFICATE_ERROR_MISMATCH))
    return g_strdup (error->message);
  if (g_error_matches (error, RL_ERROR, RL_ERROR_UNAUTHORIZED))
    {
      *token_at_fault = TRUE;
      /* Translators: %s is "host:port" */
      return g_strdup_printf (_("The server at %s refused this token. Check that it was copied whole, or ask "
                                "your team for a new invite link."), address);
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    /* Translators: %s is "host:port" */
    return g_strdup_printf (_("Nothing is listening at %s (the connection was refused). Check the port, and "
                              "that the server is running."), address);
  if (error->domain == G_RESOLVER_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    {
      g_autofree char *host = host_of (session);

      /* Translators: %s is a host name */
      return g_strdup_printf (_("The host “%s” was not found. Check the server address."), host);
    }
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    /* Translators: %s is "host:port" */
    return g_strdup_printf (_("The TLS certificate of %s is not trusted: it may be self-signed, expired or "
                              "made for another name. Check the address with your team."), address);
  if (error->domain == G_TLS_ERROR)
    /* Translators: %s is "host:port", then what went wrong (e.g. a plain HTTP
     * server's answer where TLS was expected); keep ws:// and tls=0 as they are */
    return g_strdup_printf (_("The secure (TLS) connection to %s failed (%s). If this server has no TLS, use a "
                              "ws:// address (or tls=0 in the invite link)."), address, error->message);
  if (g_error_matches (error, RL_ERROR, RL_ERROR_TIMEOUT) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    /* Translators: %s is "host:port" */
    return g_strdup_printf (_("%s did not answer in time. Check the address, and that the server is running."),
                            address);
  if (g_error_matches (error, RL_ERROR, RL_ERROR_OFFLINE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_strdup (_("You’re offline. Connect to a network, then try again."));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    /* Translators: %s is "host:port" */
    return g_strdup_printf (_("%s cannot be reached from this network."), address);
  /* Translators: %s is "host:port", then what went wrong */
  return g_strdup_printf (_("Could not connect to %s: %s"), address, error->message);
}

static void
checked (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  RlSession *session = RL_SESSION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(RlConnectDialog) self = data;
  g_autofree char *message = NULL;
  gboolean token_at_fault;
  GtkWidget *row;

  if (!rl_session_check_finish (session, result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* closed, or asked again */
  if (self->session != session)
    return;
  set_checking (self, NULL);
  if (error == NULL)
    {
      g_autoptr(RlSession) welcomed = g_steal_pointer (&self->session);

      g_signal_emit (self, signals[SIGNAL_CONNECTED], 0, welcomed);
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  g_clear_object (&self->session);
  g_debug ("%s did not welcome the token: %s (%s %d)", rl_session_get_server_url (session), error->message,
           g_quark_to_string (error->domain), error->code);
  message = describe_failure (session, error, &token_at_fault);
  /* A link holds both; otherwise the token or the address is at fault. */
  if (token_at_fault || self->checked_row == GTK_WIDGET (self->invite_row))
    row = self->checked_row;
  else
    row = GTK_WIDGET (self->server_row);
  show_error (self, row, message);
}

static void
start_check (RlConnectDialog *self,
             const char      *server_url,
             const char      *token,
             const char      *fingerprint,
             GtkWidget       *row)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) pinned = fingerprint ? rl_pinned_database_new (fingerprint) : NULL;
  g_autofree char *address = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  self->session = rl_session_new (server_url, token, NULL, pinned, &error);
  if (self->session == NULL)
    {
      show_error (self, row, error->message);
      return;
    }
  self->checked_row = row;
  self->cancellable = g_cancellable_new ();
  address = address_of (self->session);
  set_checking (self, address);
  rl_session_check_async (self->session, self->timeout_ms, self->cancellable, checked, g_object_ref (self));
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
  rl_connect_dialog_submit (self);
}

static void
rl_connect_dialog_dispose (GObject *object)
{
  RlConnectDialog *self = RL_CONNECT_DIALOG (object);

  /* Closed: nothing is waited for any more. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (rl_connect_dialog_parent_class)->dispose (object);
}

static void
rl_connect_dialog_finalize (GObject *object)
{
  RlConnectDialog *self = RL_CONNECT_DIALOG (object);

  g_free (self->error);
  g_free (self->pinned_url);
  g_free (self->pinned_fp);
  G_OBJECT_CLASS (rl_connect_dialog_parent_class)->finalize (object);
}

static void
rl_connect_dialog_class_init (RlConnectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_connect_dialog_dispose;
  object_class->finalize = rl_connect_dialog_finalize;

  /* (RlSession *session): welcomed by the server, started. */
  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RL_TYPE_SESSION);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-connect-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, invite_row);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, form);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, checking_box);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, checking_label);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, RlConnectDialog, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, on_connect_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rl_connect_dialog_init (RlConnectDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->timeout_ms = RL_CONNECT_DIALOG_TIMEOUT_MS;
}

GtkWidget *
rl_connect_dialog_new (GtkWindow  *parent,
                       const char *server_url,
                       const char *fingerprint)
{
  RlConnectDialog *self = g_object_new (RL_TYPE_CONNECT_DIALOG, "transient-for", parent, NULL);

  if (server_url != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url);
      gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
      if (fingerprint != NULL)
        {
          self->pinned_url = rl_server_url_normalize (server_url, NULL);
          self->pinned_fp = rl_fingerprint_normalize (fingerprint, NULL);
        }
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
  g_autofree char *fingerprint = NULL;
  g_autofree char *link = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *token_row;

  g_return_val_if_fail (RL_IS_CONNECT_DIALOG (self), FALSE);

  if (self->session != NULL)
    return TRUE;   /* already asking */

  /* What a paste brings along around the text is not part of it. */
  invite = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->invite_row))));
  server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  token = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row))));

  if (*invite != '\0')
    {
      g_autofree char *link_token = NULL;

      if (!rl_invite_parse (invite, &server_url, &link_token, &fingerprint, &error))
        {
          show_error (self, GTK_WIDGET (self->invite_row), error->message);
          return FALSE;
        }
      g_clear_pointer (&token, g_free);
      token = g_steal_pointer (&link_token);
      token_row = GTK_WIDGET (self->invite_row);
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
      /* Signing in again to an account that pins its certificate: the
       * same server is trusted the same way. */
      if (self->pinned_url != NULL && self->pinned_fp != NULL && g_str_equal (server_url, self->pinned_url))
        fingerprint = g_strdup (self->pinned_fp);
      /* The link's checks say whether the token can be one. */
      link = rl_invite_format (server_url, token, fingerprint, &error);
      if (link == NULL)
        {
          show_error (self, GTK_WIDGET (self->token_row), error->message);
          return FALSE;
        }
      token_row = GTK_WIDGET (self->token_row);
    }

  show_error (self, NULL, NULL);
  start_check (self, server_url, token, fingerprint, token_row);
  return self->session != NULL;
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

gboolean
rl_connect_dialog_get_checking (RlConnectDialog *self)
{
  g_return_val_if_fail (RL_IS_CONNECT_DIALOG (self), FALSE);
  return self->session != NULL;
}

void
rl_connect_dialog_set_timeout (RlConnectDialog *self,
                               guint            timeout_ms)
{
  g_return_if_fail (RL_IS_CONNECT_DIALOG (self));
  self->timeout_ms = timeout_ms;
}

RlSession *
rl_connect_dialog_get_session (RlConnectDialog *self)
{
  g_return_val_if_fail (RL_IS_CONNECT_DIALOG (self), NULL);
  return self->session;
}
