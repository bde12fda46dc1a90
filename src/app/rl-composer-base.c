/* rl-composer-base.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-composer-base.h"

#include <glib/gi18n.h>

#include "rl-mention-completer.h"
#include "rl-send-shortcut.h"

struct _RlComposerDraft
{
  GVariant  *place;
  char      *text;
  GPtrArray *mentions;  /* of RlMention*, in text; NULL: none */
};

typedef struct
{
  GtkBox            *box;
  GtkLabel          *heading;
  GtkScrolledWindow *scroller;
  GtkTextView       *text_view;
  GtkLabel          *error_label;
  GtkButton         *discard_button;
  GtkButton         *send_button;
  RlMentionCompleter *completer; /* the text view's */

  GHashTable        *drafts;     /* document ("" for none) → GPtrArray of RlComposerDraft* */
  char              *document;   /* NULL: none */
  RlComposerDraft   *current;    /* being edited; in the document's drafts */

  RlConnection      *connection; /* the store's, while one is set */
  gulong             state_id;
  gboolean           offline_error; /* the error says "offline" until it is back */
} RlComposerBasePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (RlComposerBase, rl_composer_base, GTK_TYPE_POPOVER)

enum {
  PROP_0,
  PROP_HEADING,
  PROP_TEXT_WIDTH,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_SUBMIT, SIGNAL_DRAFTS_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
draft_free (RlComposerDraft *draft)
{
  g_variant_unref (draft->place);
  g_free (draft->text);
  g_clear_pointer (&draft->mentions, g_ptr_array_unref);
  g_free (draft);
}

static GPtrArray *
drafts_of (RlComposerBase *self,
           const char     *document)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (self);
  GPtrArray *drafts = g_hash_table_lookup (priv->drafts, document ? document : "");

  if (drafts == NULL)
    {
      drafts = g_ptr_array_new_with_free_func ((GDestroyNotify) draft_free);
      g_hash_table_insert (priv->drafts, g_strdup (document ? document : ""), drafts);
    }
  return drafts;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; p && *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* The draft being edited is done with: kept with its text, or dropped when
 * nothing but blanks was typed. */
static void
keep_current (RlComposerBase *self)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (self);
  g_autofree char *text = NULL;

  if (priv->current == NULL)
    return;
  text = rl_composer_base_dup_text (self);
  if (is_blank (text))
    g_ptr_array_remove (drafts_of (self, priv->document), priv->current);
  else
    {
      g_free (priv->current->text);
      priv->current->text = g_steal_pointer (&text);
      g_clear_pointer (&priv->current->mentions, g_ptr_array_unref);
      priv->current->mentions = rl_mention_completer_dup_mentions (priv->completer);
    }
  priv->current = NULL;
  rl_composer_base_set_text (self, NULL);
  rl_composer_base_set_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_DRAFTS_CHANGED], 0);
}

/* Closes the popover, keeping what is typed. A popover that was never
 * mapped (its view hidden) says nothing when hidden: kept here then. */
static void
close_current (RlComposerBase *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self)))
    gtk_popover_popdown (GTK_POPOVER (self));
  keep_current (self);
}

/* The draft being edited, forgotten. */
static void
drop_current (RlComposerBase *self)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (self);

  if (priv->current != NULL)
    g_ptr_array_remove (drafts_of (self, priv->document), priv->current);
  priv->current = NULL;
  rl_composer_base_set_text (self, NULL);
  rl_composer_base_set_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_DRAFTS_CHANGED], 0);
}

static void
update_send_enabled (RlComposerBase *self)
{
  g_autofree char *text = rl_composer_base_dup_text (self);

  /* A comment of blanks only would be refused by the server anyway. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", *g_strstrip (text) != '\0');
}

static void
send_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_SUBMIT], 0);
}

static void
discard_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  rl_composer_base_discard (RL_COMPOSER_BASE (widget));
}

static void
rl_composer_base_map (GtkWidget *widget)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (RL_COMPOSER_BASE (widget));

  GTK_WIDGET_CLASS (rl_composer_base_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (priv->text_view));
}

/* "You're offline" stops being true once the link is back; the text is
 * still there to send. */
static void
connection_state_changed (RlComposerBase *self)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (self);

  if (priv->offline_error && rl_connection_get_state (priv->connection) == RL_CONNECTION_ONLINE)
    rl_composer_base_set_error (self, NULL);
}

static void
watch_connection (RlComposerBase *self,
                  RlConnection   *connection)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (self);

  if (priv->connection == connection)
    return;
  if (priv->connection != NULL)
    g_clear_signal_handler (&priv->state_id, priv->connection);
  g_set_object (&priv->connection, connection);
  if (connection != NULL)
    priv->state_id = g_signal_connect_swapped (connection, "notify::state",
                                               G_CALLBACK (connection_state_changed), self);
}

static void
rl_composer_base_dispose (GObject *object)
{
  watch_connection (RL_COMPOSER_BASE (object), NULL);
  G_OBJECT_CLASS (rl_composer_base_parent_class)->dispose (object);
}

static void
rl_composer_base_finalize (GObject *object)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (RL_COMPOSER_BASE (object));

  g_clear_pointer (&priv->drafts, g_hash_table_unref);
  g_free (priv->document);
  G_OBJECT_CLASS (rl_composer_base_parent_class)->finalize (object);
}

static void
rl_composer_base_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (RL_COMPOSER_BASE (object));

  switch (prop_id)
    {
    case PROP_HEADING:
      g_value_set_string (value, gtk_label_get_text (priv->heading));
      break;
    case PROP_TEXT_WIDTH:
      g_value_set_int (value, gtk_scrolled_window_get_min_content_width (priv->scroller));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_composer_base_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (RL_COMPOSER_BASE (object));

  switch (prop_id)
    {
    case PROP_HEADING:
      gtk_label_set_text (priv->heading, g_value_get_string (value));
      break;
    case PROP_TEXT_WIDTH:
      gtk_scrolled_window_set_min_content_width (priv->scroller, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_composer_base_class_init (RlComposerBaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_composer_base_dispose;
  object_class->finalize = rl_composer_base_finalize;
  object_class->get_property = rl_composer_base_get_property;
  object_class->set_property = rl_composer_base_set_property;
  widget_class->map = rl_composer_base_map;

  properties[PROP_HEADING] =
    g_param_spec_string ("heading", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /* The least width of the text, in pixels. */
  properties[PROP_TEXT_WIDTH] =
    g_param_spec_int ("text-width", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user asked to send what is typed (Send, or Ctrl+Enter). */
  signals[SIGNAL_SUBMIT] =
    g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* A draft was begun, kept, resumed, sent or dropped, or the document
   * changed: what the view shows of the drafts is out of date. */
  signals[SIGNAL_DRAFTS_CHANGED] =
    g_signal_new ("drafts-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_activated);
  gtk_widget_class_install_action (widget_class, "composer.discard", NULL, discard_activated);
}

static void
rl_composer_base_init (RlComposerBase *self)
{
  RlComposerBasePrivate *priv = rl_composer_base_get_instance_private (self);
  GtkWidget *bottom, *hint;

  gtk_popover_set_position (GTK_POPOVER (self), GTK_POS_BOTTOM);
  priv->drafts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  /* First of the "closed" handlers: the view's see the draft kept. */
  g_signal_connect (self, "closed", G_CALLBACK (keep_current), NULL);

  priv->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 8));
  gtk_popover_set_child (GTK_POPOVER (self), GTK_WIDGET (priv->box));

  priv->heading = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (priv->heading, 0);
  gtk_widget_add_css_class (GTK_WIDGET (priv->heading), "heading");
  gtk_box_append (priv->box, GTK_WIDGET (priv->heading));

  priv->scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_policy (priv->scroller, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (priv->scroller, 72);
  gtk_scrolled_window_set_max_content_height (priv->scroller, 200);
  gtk_scrolled_window_set_propagate_natural_height (priv->scroller, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (priv->scroller), "card");
  gtk_box_append (priv->box, GTK_WIDGET (priv->scroller));

  priv->text_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (priv->text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (priv->text_view, FALSE);
  gtk_text_view_set_top_margin (priv->text_view, 8);
  gtk_text_view_set_bottom_margin (priv->text_view, 8);
  gtk_text_view_set_left_margin (priv->text_view, 8);
  gtk_text_view_set_right_margin (priv->text_view, 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (priv->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Comment"), -1);
  gtk_scrolled_window_set_child (priv->scroller, GTK_WIDGET (priv->text_view));
  priv->completer = rl_mention_completer_attach (priv->text_view);

  priv->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_visible (GTK_WIDGET (priv->error_label), FALSE);
  gtk_label_set_wrap (priv->error_label, TRUE);
  gtk_label_set_xalign (priv->error_label, 0);
  gtk_label_set_max_width_chars (priv->error_label, 36);
  gtk_widget_add_css_class (GTK_WIDGET (priv->error_label), "error");
  gtk_box_append (priv->box, GTK_WIDGET (priv->error_label));

  bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (priv->box, bottom);
  /* Translators: the keyboard shortcut that sends the comment */
  hint = gtk_label_new (_("Ctrl+Enter to send"));
  gtk_widget_set_hexpand (hint, TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_widget_add_css_class (hint, "caption");
  gtk_box_append (GTK_BOX (bottom), hint);
  /* Closing keeps the draft; this is the one way to throw it away. */
  priv->discard_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Discard")));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (priv->discard_button), "composer.discard");
  gtk_widget_set_tooltip_text (GTK_WIDGET (priv->discard_button), _("Throw away this comment"));
  gtk_box_append (GTK_BOX (bottom), GTK_WIDGET (priv->discard_button));
  priv->send_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Send")));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (priv->send_button), "composer.send");
  gtk_widget_add_css_class (GTK_WIDGET (priv->send_button), "suggested-action");
  gtk_box_append (GTK_BOX (bottom), GTK_WIDGET (priv->send_button));

  gtk_widget_add_controller (GTK_WIDGET (self), rl_send_shortcut_new (gtk_named_action_new ("composer.send")));

  g_signal_connect_object (gtk_text_view_get_buffer (priv->text_view), "changed",
                           G_CALLBACK (update_send_enabled), self, G_CONNECT_SWAPPED);
  update_send_enabled (self);
}

char *
rl_composer_base_dup_text (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  buffer = gtk_text_view_get_buffer (priv->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
rl_composer_base_set_text (RlComposerBase *self,
                           const char     *text)
{
  RlComposerBasePrivate *priv;

  g_return_if_fail (RL_IS_COMPOSER_BASE (self));

  priv = rl_composer_base_get_instance_private (self);
  rl_mention_completer_set_text (priv->completer, text, NULL);
}

void
rl_composer_base_set_error (RlComposerBase *self,
                            const char     *message)
{
  RlComposerBasePrivate *priv;

  g_return_if_fail (RL_IS_COMPOSER_BASE (self));

  priv = rl_composer_base_get_instance_private (self);
  priv->offline_error = FALSE;
  gtk_label_set_text (priv->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (priv->error_label), message != NULL);
}

void
rl_composer_base_set_offline_error (RlComposerBase *self,
                                    const char     *message)
{
  RlComposerBasePrivate *priv;

  g_return_if_fail (RL_IS_COMPOSER_BASE (self));
  g_return_if_fail (message != NULL);

  priv = rl_composer_base_get_instance_private (self);
  rl_composer_base_set_error (self, message);
  priv->offline_error = TRUE;
  /* Back already (the link came up meanwhile): nothing to wait for. */
  if (priv->connection != NULL)
    connection_state_changed (self);
}

void
rl_composer_base_show_refusal (RlComposerBase *self,
                               RlChange        change,
                               const GError   *error)
{
  const char *words;

  g_return_if_fail (RL_IS_COMPOSER_BASE (self));
  g_return_if_fail (error != NULL);

  words = rl_error_refusal (change, error);
  if (g_error_matches (error, RL_ERROR, RL_ERROR_OFFLINE))
    rl_composer_base_set_offline_error (self, words);
  else
    rl_composer_base_set_error (self, words);
}

const char *
rl_composer_base_get_error (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  if (!gtk_widget_get_visible (GTK_WIDGET (priv->error_label)))
    return NULL;
  return gtk_label_get_text (priv->error_label);
}

GtkWidget *
rl_composer_base_get_text_view (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  return GTK_WIDGET (priv->text_view);
}

GtkWidget *
rl_composer_base_get_send_button (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  return GTK_WIDGET (priv->send_button);
}

GtkWidget *
rl_composer_base_get_discard_button (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  return GTK_WIDGET (priv->discard_button);
}

GVariant *
rl_composer_draft_get_place (RlComposerDraft *draft)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return draft->place;
}

const char *
rl_composer_draft_get_text (RlComposerDraft *draft)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return draft->text ? draft->text : "";
}

void
rl_composer_base_set_store (RlComposerBase *self,
                            RlDocStore     *store)
{
  RlComposerBasePrivate *priv;
  g_autofree char *document = NULL;

  g_return_if_fail (RL_IS_COMPOSER_BASE (self));
  g_return_if_fail (store == NULL || RL_IS_DOC_STORE (store));

  priv = rl_composer_base_get_instance_private (self);
  /* A draft is its author's: another account in this window has its own. */
  if (store != NULL)
    {
      const char *user = rl_connection_get_user_id (rl_doc_store_get_connection (store));

      document = g_strdup_printf ("%s\n%s", user ? user : "", rl_doc_store_get_doc_id (store));
    }
  watch_connection (self, store ? rl_doc_store_get_connection (store) : NULL);
  rl_mention_completer_set_connection (priv->completer, store ? rl_doc_store_get_connection (store) : NULL);
  if (g_strcmp0 (priv->document, document) == 0)
    return;
  if (priv->document == NULL)
    {
      /* Begun before any document was shown: they are the new one's. */
      g_autofree char *none = NULL;
      GPtrArray *begun = NULL;

      if (g_hash_table_steal_extended (priv->drafts, "", (gpointer *) &none, (gpointer *) &begun))
        g_ptr_array_extend_and_steal (drafts_of (self, document), begun);
    }
  else
    close_current (self);
  g_free (priv->document);
  priv->document = g_steal_pointer (&document);
  g_signal_emit (self, signals[SIGNAL_DRAFTS_CHANGED], 0);
}

GPtrArray *
rl_composer_base_get_drafts (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  return drafts_of (self, priv->document);
}

RlComposerDraft *
rl_composer_base_get_current (RlComposerBase *self)
{
  RlComposerBasePrivate *priv;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);

  priv = rl_composer_base_get_instance_private (self);
  return priv->current;
}

RlComposerDraft *
rl_composer_base_begin (RlComposerBase *self,
                        GVariant       *place,
                        const char     *text)
{
  RlComposerBasePrivate *priv;
  RlComposerDraft *draft;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), NULL);
  g_return_val_if_fail (place != NULL, NULL);

  priv = rl_composer_base_get_instance_private (self);
  close_current (self);
  draft = g_new0 (RlComposerDraft, 1);
  draft->place = g_variant_ref_sink (place);
  draft->text = g_strdup (text);
  g_ptr_array_add (drafts_of (self, priv->document), draft);
  priv->current = draft;
  rl_composer_base_set_text (self, text);
  rl_composer_base_set_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_DRAFTS_CHANGED], 0);
  return draft;
}

void
rl_composer_base_resume (RlComposerBase  *self,
                         RlComposerDraft *draft)
{
  RlComposerBasePrivate *priv;

  g_return_if_fail (RL_IS_COMPOSER_BASE (self));
  g_return_if_fail (draft != NULL);

  priv = rl_composer_base_get_instance_private (self);
  if (priv->current == draft)
    return;
  g_return_if_fail (g_ptr_array_find (drafts_of (self, priv->document), draft, NULL));
  close_current (self);
  priv->current = draft;
  rl_mention_completer_set_text (priv->completer, draft->text, draft->mentions);
  rl_composer_base_set_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_DRAFTS_CHANGED], 0);
}

gboolean
rl_composer_base_send_thread (RlComposerBase *self,
                              RlDocStore     *store,
                              const RlAnchor *anchor,
                              RlChange        change,
                              char          **thread_id)
{
  RlComposerBasePrivate *priv;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) mentions = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (RL_IS_COMPOSER_BASE (self), FALSE);
  g_return_val_if_fail (RL_IS_DOC_STORE (store), FALSE);
  g_return_val_if_fail (anchor != NULL, FALSE);

  priv = rl_composer_base_get_instance_private (self);
  text = rl_composer_base_dup_text (self);
  /* The spans count in this very text, as the store takes them. */
  mentions = rl_mention_completer_dup_mentions (priv->completer);
  if (!rl_doc_store_create_thread_with_mentions (store, anchor, text, mentions, thread_id, &error))
    {
      rl_composer_base_show_refusal (self, change, error);
      return FALSE;
    }
  drop_current (self);
  gtk_popover_popdown (GTK_POPOVER (self));
  return TRUE;
}

void
rl_composer_base_discard (RlComposerBase *self)
{
  g_return_if_fail (RL_IS_COMPOSER_BASE (self));

  drop_current (self);
  gtk_popover_popdown (GTK_POPOVER (self));
}

void
rl_composer_base_add_header (RlComposerBase *self,
                             GtkWidget      *child)
{
  RlComposerBasePrivate *priv;

  g_return_if_fail (RL_IS_COMPOSER_BASE (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  priv = rl_composer_base_get_instance_private (self);
  gtk_box_insert_child_after (priv->box, child, gtk_widget_get_prev_sibling (GTK_WIDGET (priv->scroller)));
}
