/* rl-page-compare.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-page-compare.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "rl-diff.h"

/* A change's text as a status line quotes it, at most this many
 * characters of it. */
#define QUOTE_MAX_CHARS 120

/* One change in the display buffer: a stretch of deleted and/or inserted
 * runs between equal text. */
typedef struct
{
  guint  start;     /* buffer character offsets */
  guint  end;
  char  *deleted;   /* NULL when nothing was */
  char  *inserted;
} Change;

/* A run as laid out in the display buffer. */
typedef struct
{
  RlDiffKind kind;
  guint      start;      /* buffer character offsets */
  guint      end;
  guint      new_start;  /* in the newer text */
} ShownRun;

struct _RlPageCompare
{
  GtkWidget    parent_instance;

  GtkWidget   *summary;
  GtkWidget   *status;
  GtkWidget   *previous_button;
  GtkWidget   *next_button;
  GtkWidget   *scrolled;
  GtkTextView *view;
  GtkTextTag  *inserted_tag;
  GtkTextTag  *deleted_tag;

  GArray      *changes;   /* Change */
  GArray      *shown;     /* ShownRun */
  int          current;
};

G_DEFINE_FINAL_TYPE (RlPageCompare, rl_page_compare, GTK_TYPE_WIDGET)

static void
change_clear (gpointer data)
{
  Change *change = data;

  g_free (change->deleted);
  g_free (change->inserted);
}

/* The tags' colours: text tags take no style sheet, so light and dark are
 * chosen here, from libadwaita's palette (green 4/2, red 4/1). */
static void
update_tag_colors (RlPageCompare *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GdkRGBA inserted_bg, deleted_bg, deleted_fg;

  gdk_rgba_parse (&inserted_bg, dark ? "rgba(38,162,105,0.30)" : "rgba(46,194,126,0.22)");
  gdk_rgba_parse (&deleted_bg, dark ? "rgba(224,27,36,0.22)" : "rgba(237,51,59,0.12)");
  gdk_rgba_parse (&deleted_fg, dark ? "#ff7b63" : "#c01c28");
  g_object_set (self->inserted_tag, "background-rgba", &inserted_bg, NULL);
  g_object_set (self->deleted_tag, "background-rgba", &deleted_bg, "foreground-rgba", &deleted_fg, NULL);
}

static char *
quote (const char *text)
{
  if (g_utf8_strlen (text, -1) <= QUOTE_MAX_CHARS)
    return g_strdup (text);
  {
    g_autofree char *head = g_utf8_substring (text, 0, QUOTE_MAX_CHARS);

    return g_strconcat (head, "…", NULL);
  }
}

/* What a status line says of a change. */
static char *
change_text (const Change *change)
{
  g_autofree char *deleted = change->deleted != NULL ? quote (change->deleted) : NULL;
  g_autofree char *inserted = change->inserted != NULL ? quote (change->inserted) : NULL;

  if (deleted != NULL && inserted != NULL)
    /* Translators: read out when going to a change in the compare view; %s are the old and the new text */
    return g_strdup_printf (_("Replaced “%s” with “%s”"), deleted, inserted);
  if (deleted != NULL)
    /* Translators: read out when going to a change in the compare view; %s is the deleted text */
    return g_strdup_printf (_("Deleted: %s"), deleted);
  /* Translators: read out when going to a change in the compare view; %s is the inserted text */
  return g_strdup_printf (_("Inserted: %s"), inserted);
}

static void
update_buttons (RlPageCompare *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.previous-change", self->current > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.next-change",
                                 self->current + 1 < (int) self->changes->len);
}

static void
go_to (RlPageCompare *self,
       int            index)
{
  const Change *change = &g_array_index (self->changes, Change, index);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->view);
  g_autofree char *text = change_text (change);
  GtkTextIter iter;

  self->current = index;
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, (int) change->start);
  gtk_text_buffer_place_cursor (buffer, &iter);
  gtk_text_view_scroll_to_mark (self->view, gtk_text_buffer_get_insert (buffer), 0.1, FALSE, 0, 0);
  /* A status: screen readers announce it as it changes. */
  gtk_label_set_text (GTK_LABEL (self->status), text);
  update_buttons (self);
}

static void
next_change_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  rl_page_compare_next_change (RL_PAGE_COMPARE (widget));
}

static void
previous_change_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  rl_page_compare_previous_change (RL_PAGE_COMPARE (widget));
}

static void
rl_page_compare_dispose (GObject *object)
{
  RlPageCompare *self = RL_PAGE_COMPARE (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (rl_page_compare_parent_class)->dispose (object);
}

static void
rl_page_compare_finalize (GObject *object)
{
  RlPageCompare *self = RL_PAGE_COMPARE (object);

  g_clear_pointer (&self->changes, g_array_unref);
  g_clear_pointer (&self->shown, g_array_unref);
  G_OBJECT_CLASS (rl_page_compare_parent_class)->finalize (object);
}

static void
rl_page_compare_class_init (RlPageCompareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rl_page_compare_dispose;
  object_class->finalize = rl_page_compare_finalize;

  gtk_widget_class_install_action (widget_class, "compare.next-change", NULL, next_change_activated);
  gtk_widget_class_install_action (widget_class, "compare.previous-change", NULL, previous_change_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "compare.next-change", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Down, GDK_ALT_MASK, "compare.next-change", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "compare.previous-change", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Up, GDK_ALT_MASK, "compare.previous-change",
                                       NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rlpagecompare");
}

static GtkWidget *
nav_button (const char *icon,
            const char *tooltip,
            const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  return button;
}

static void
rl_page_compare_init (RlPageCompare *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *nav = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkTextBuffer *buffer;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  self->changes = g_array_new (FALSE, TRUE, sizeof (Change));
  g_array_set_clear_func (self->changes, change_clear);
  self->shown = g_array_new (FALSE, FALSE, sizeof (ShownRun));
  self->current = -1;

  gtk_widget_add_css_class (bar, "rl-compare-bar");
  self->summary = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->summary), 0);
  gtk_widget_set_hexpand (self->summary, TRUE);
  gtk_widget_add_css_class (self->summary, "heading");
  gtk_box_append (GTK_BOX (bar), self->summary);
  gtk_widget_add_css_class (nav, "linked");
  /* Translators: a button's tooltip in the compare view (Alt+Up) */
  self->previous_button = nav_button ("go-up-symbolic", _("Previous Change"), "compare.previous-change");
  /* Translators: a button's tooltip in the compare view (Alt+Down) */
  self->next_button = nav_button ("go-down-symbolic", _("Next Change"), "compare.next-change");
  gtk_box_append (GTK_BOX (nav), self->previous_button);
  gtk_box_append (GTK_BOX (nav), self->next_button);
  gtk_box_append (GTK_BOX (bar), nav);
  gtk_widget_set_parent (bar, GTK_WIDGET (self));

  self->status = g_object_new (GTK_TYPE_LABEL, "accessible-role", GTK_ACCESSIBLE_ROLE_STATUS, "xalign", 0.0f,
                               "ellipsize", PANGO_ELLIPSIZE_END, NULL);
  gtk_widget_add_css_class (self->status, "rl-compare-status");
  gtk_widget_add_css_class (self->status, "dim-label");
  gtk_widget_set_parent (self->status, GTK_WIDGET (self));

  self->view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_editable (self->view, FALSE);
  gtk_text_view_set_cursor_visible (self->view, TRUE);
  gtk_text_view_set_wrap_mode (self->view, GTK_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "rl-page-compare-text");
  buffer = gtk_text_view_get_buffer (self->view);
  self->inserted_tag = gtk_text_buffer_create_tag (buffer, "rl-inserted", "underline", PANGO_UNDERLINE_SINGLE, NULL);
  self->deleted_tag = gtk_text_buffer_create_tag (buffer, "rl-deleted", "strikethrough", TRUE, NULL);
  update_tag_colors (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark", G_CALLBACK (update_tag_colors), self,
                           G_CONNECT_SWAPPED);

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (self->scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), GTK_WIDGET (self->view));
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
  update_buttons (self);
}

GtkWidget *
rl_page_compare_new (void)
{
  return g_object_new (RL_TYPE_PAGE_COMPARE, NULL);
}

/* Appends code points [start, end) of a text, walked from *at (the byte of
 * its code point *at_char), to buffer with tag (and to *copy); *at moves on. */
static void
append_text (GtkTextBuffer *buffer,
             const char   **at,
             guint         *at_char,
             guint          start,
             guint          end,
             GtkTextTag    *tag,
             char         **copy)
{
  const char *from = g_utf8_offset_to_pointer (*at, (glong) (start - *at_char));
  const char *to = g_utf8_offset_to_pointer (from, (glong) (end - start));
  GtkTextIter iter;

  gtk_text_buffer_get_end_iter (buffer, &iter);
  if (tag != NULL)
    gtk_text_buffer_insert_with_tags (buffer, &iter, from, (int) (to - from), tag, NULL);
  else
    gtk_text_buffer_insert (buffer, &iter, from, (int) (to - from));
  if (copy != NULL)
    *copy = g_strndup (from, to - from);
  *at = to;
  *at_char = end;
}

static void
update_summary (RlPageCompare *self,
                guint          n_insertions,
                guint          n_deletions,
                guint          old_revision,
                guint          new_revision)
{
  g_autofree char *name = NULL;

  if (n_insertions == 0 && n_deletions == 0)
    /* Translators: the compare view's summary when two versions' texts are the same */
    gtk_label_set_text (GTK_LABEL (self->summary), _("No changes"));
  else
    {
      g_autofree char *insertions = g_strdup_printf (ngettext ("%u insertion", "%u insertions", n_insertions),
                                                     n_insertions);
      g_autofree char *deletions = g_strdup_printf (ngettext ("%u deletion", "%u deletions", n_deletions),
                                                    n_deletions);
      /* Translators: the compare view's summary: "12 insertions, 3 deletions" */
      g_autofree char *summary = g_strdup_printf (_("%s, %s"), insertions, deletions);

      gtk_label_set_text (GTK_LABEL (self->summary), summary);
    }
  /* Translators: the accessible name of the view of the changes between two versions of a page */
  name = g_strdup_printf (_("Changes from Version %u to Version %u"), old_revision, new_revision);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

void
rl_page_compare_set_texts (RlPageCompare *self,
                           const char    *old_text,
                           guint          old_revision,
                           const char    *new_text,
                           guint          new_revision)
{
  g_autoptr(GArray) runs = NULL;
  GtkTextBuffer *buffer;
  const char *old_at = old_text, *new_at = new_text;
  guint old_char = 0, new_char = 0, shown_char = 0;
  guint n_insertions = 0, n_deletions = 0;
  Change *change = NULL;

  g_return_if_fail (RL_IS_PAGE_COMPARE (self));
  g_return_if_fail (old_text != NULL && g_utf8_validate (old_text, -1, NULL));
  g_return_if_fail (new_text != NULL && g_utf8_validate (new_text, -1, NULL));

  runs = rl_diff_texts (old_text, -1, new_text, -1);
  buffer = gtk_text_view_get_buffer (self->view);
  gtk_text_buffer_set_text (buffer, "", 0);
  g_array_set_size (self->changes, 0);
  g_array_set_size (self->shown, 0);
  self->current = -1;

  for (guint i = 0; i < runs->len; i++)
    {
      const RlDiffRun *run = &g_array_index (runs, RlDiffRun, i);
      ShownRun shown = { run->kind, shown_char, 0, run->new_start };

      switch (run->kind)
        {
        case RL_DIFF_EQUAL:
          append_text (buffer, &old_at, &old_char, run->old_start, run->old_end, NULL, NULL);
          new_at = g_utf8_offset_to_pointer (new_at, (glong) (run->new_end - new_char));
          new_char = run->new_end;
          shown_char += run->old_end - run->old_start;
          change = NULL;
          break;
        case RL_DIFF_DELETED:
        case RL_DIFF_INSERTED:
          if (change == NULL)
            {
              g_array_set_size (self->changes, self->changes->len + 1);
              change = &g_array_index (self->changes, Change, self->changes->len - 1);
              change->start = shown_char;
            }
          if (run->kind == RL_DIFF_DELETED)
            {
              append_text (buffer, &old_at, &old_char, run->old_start, run->old_end, self->deleted_tag,
                           &change->deleted);
              shown_char += run->old_end - run->old_start;
              n_deletions++;
            }
          else
            {
              append_text (buffer, &new_at, &new_char, run->new_start, run->new_end, self->inserted_tag,
                           &change->inserted);
              shown_char += run->new_end - run->new_start;
              n_insertions++;
            }
          change->end = shown_char;
          break;
        default:
          g_assert_not_reached ();
        }
      shown.end = shown_char;
      g_array_append_val (self->shown, shown);
    }

  update_summary (self, n_insertions, n_deletions, old_revision, new_revision);
  gtk_label_set_text (GTK_LABEL (self->status), "");
  update_buttons (self);
}

GtkTextView *
rl_page_compare_get_text_view (RlPageCompare *self)
{
  g_return_val_if_fail (RL_IS_PAGE_COMPARE (self), NULL);
  return self->view;
}

guint
rl_page_compare_get_n_changes (RlPageCompare *self)
{
  g_return_val_if_fail (RL_IS_PAGE_COMPARE (self), 0);
  return self->changes->len;
}

int
rl_page_compare_get_current (RlPageCompare *self)
{
  g_return_val_if_fail (RL_IS_PAGE_COMPARE (self), -1);
  return self->current;
}

gboolean
rl_page_compare_next_change (RlPageCompare *self)
{
  g_return_val_if_fail (RL_IS_PAGE_COMPARE (self), FALSE);
  if (self->current + 1 >= (int) self->changes->len)
    return FALSE;
  go_to (self, self->current + 1);
  return TRUE;
}

gboolean
rl_page_compare_previous_change (RlPageCompare *self)
{
  g_return_val_if_fail (RL_IS_PAGE_COMPARE (self), FALSE);
  if (self->current <= 0)
    return FALSE;
  go_to (self, self->current - 1);
  return TRUE;
}

gboolean
rl_page_compare_to_new_offset (RlPageCompare *self,
                               guint          buffer_offset,
                               guint         *new_offset)
{
  g_return_val_if_fail (RL_IS_PAGE_COMPARE (self), FALSE);

  for (guint i = 0; i < self->shown->len; i++)
    {
      const ShownRun *run = &g_array_index (self->shown, ShownRun, i);

      if (buffer_offset >= run->end && i + 1 < self->shown->len)
        continue;
      if (run->kind == RL_DIFF_DELETED && buffer_offset < run->end)
        return FALSE;
      /* Equal or inserted text (or the very end): as far into it as here. */
      *new_offset = run->new_start + (MIN (buffer_offset, run->end) - run->start)
        * (run->kind != RL_DIFF_DELETED);
      return TRUE;
    }
  *new_offset = 0;
  return buffer_offset == 0;
}
