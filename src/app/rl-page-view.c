/* rl-page-view.c
 *
 * The page's text, its highlights and the composer; the widgets (scroller,
 * text view, gutters, Comment button, popovers, extra menu) and their
 * controllers are declared in rl-page-view.ui.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-page-view-private.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "rl-annotation-composer.h"
#include "rl-error.h"
#include "rl-error-text.h"
#include "rl-limits.h"
#include "rl-page-placements.h"
#include "rl-page-text-view.h"
#include "rl-review-view.h"

/* The text column: about this many average characters wide, centred, with
 * this much room round it at the least. */
#define READABLE_CHARS 72
#define PAGE_PADDING   24
/* Extra left margin per quote level, per list level, for code and cells. */
#define QUOTE_INDENT   24
#define LIST_INDENT    28
#define BLOCK_INDENT   12

/* ---- the page view ------------------------------------------------------- */

struct _RlPageView
{
  GtkWidget       parent_instance;

  GtkWidget      *scroller;
  GtkTextView    *text_view;
  GtkTextBuffer  *buffer;
  GtkWidget      *left_gutter;
  GtkWidget      *right_gutter;
  int             gutter;
  int             gutter_wanted;   /* for the width last allocated */
  guint           gutter_id;       /* sets it, just after that allocation */
  GtkWidget      *comment_button;
  GtkWidget      *composer;
  GtkWidget      *notice;
  GMenu          *extra_menu;

  RlPageText     *page;
  RlDocStore     *store;           /* the state's, while it is a page's */
  gulong          items_id;
  GPtrArray      *watched;         /* RlThreadItem*, for notify::thread */
  RlPagePlacements *placements;    /* where the store's threads sit */
  GHashTable     *thread_tags;     /* id → GtkTextTag (the table owns it) */
  GtkTextTag     *overlap_tag;
  GtkTextTag     *selected_tag;
  GtkTextTag     *composing_tag;
  GtkTextTag     *link_tag;
  GtkTextMark    *selected_mark;

  guint           composer_start;
  guint           composer_end;
  guint           context_offset;  /* where the context menu was asked for */
};

G_DEFINE_FINAL_TYPE (RlPageView, rl_page_view, RL_TYPE_REVIEW_VIEW)

enum { SIGNAL_RANGES_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The state this view shows: RlReviewView's. */
static inline RlReviewState *
state_of (RlPageView *self)
{
  return rl_review_view_get_state (RL_REVIEW_VIEW (self));
}

static GtkTextTag *
named_tag (RlPageView *self,
           const char *name,
           const char *first_property,
           ...)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (self->buffer);
  GtkTextTag *tag = gtk_text_tag_table_lookup (table, name);
  va_list args;

  if (tag != NULL)
    return tag;
  tag = gtk_text_tag_new (name);
  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (tag), first_property, args);
  va_end (args);
  gtk_text_tag_table_add (table, tag);
  g_object_unref (tag);
  return tag;
}

static void
apply_range (RlPageView *self,
             GtkTextTag *tag,
             guint       start,
             guint       end)
{
  GtkTextIter a, b;

  gtk_text_buffer_get_iter_at_offset (self->buffer, &a, start);
  gtk_text_buffer_get_iter_at_offset (self->buffer, &b, end);
  gtk_text_buffer_apply_tag (self->buffer, tag, &a, &b);
}

/* ---- placing anchors ----------------------------------------------------- */

static gboolean
placement_visible (RlPageView      *self,
                   const RlPlacement *placement)
{
  return placement->placed && placement->end > placement->start
    && !(placement->resolved && rl_review_state_get_hide_resolved (state_of (self)));
}

static const RlPlacement *
find_placement (RlPageView *self,
                const char *thread_id)
{
  return rl_page_placements_find (self->placements, thread_id);
}

static int
compare_by_length_desc (gconstpointer a,
                        gconstpointer b)
{
  const RlPlacement *pa = *(const RlPlacement **) a;
  const RlPlacement *pb = *(const RlPlacement **) b;
  guint la = pa->end - pa->start, lb = pb->end - pb->start;

  if (la != lb)
    return la > lb ? -1 : 1;
  return pa->index > pb->index ? -1 : pa->index < pb->index;
}

/* The reverse: innermost (shortest) first, then oldest first. */
static int
compare_innermost_first (gconstpointer a,
                         gconstpointer b)
{
  return compare_by_length_desc (b, a);
}

typedef struct
{
  guint offset;
  int   delta;
} Edge;

static int
compare_edges (gconstpointer a,
               gconstpointer b)
{
  const Edge *ea = a, *eb = b;

  if (ea->offset != eb->offset)
    return ea->offset < eb->offset ? -1 : 1;
  return ea->delta - eb->delta;   /* ends before starts at one offset */
}

/* Highlights are tags only: applying them changes no character and no
 * line height, so the text the reader is looking at stays where it is. */
static void
apply_highlights (RlPageView *self)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (self->buffer);
  g_autoptr(GPtrArray) visible = g_ptr_array_new ();
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  GHashTableIter iter;
  gpointer value;
  GtkTextIter start, end;
  int depth = 0;
  guint overlap_start = 0;
  int size;

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  g_hash_table_iter_init (&iter, self->thread_tags);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    gtk_text_buffer_remove_tag (self->buffer, value, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->overlap_tag, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->selected_tag, &start, &end);

  for (guint i = 0; i < rl_page_placements_get_n (self->placements); i++)
    {
      const RlPlacement *placement = rl_page_placements_get (self->placements, i);

      if (placement_visible (self, placement))
        g_ptr_array_add (visible, (gpointer) placement);
    }
  /* Inner (shorter) ranges over outer ones, so a nested annotation shows. */
  g_ptr_array_sort (visible, compare_by_length_desc);
  size = gtk_text_tag_table_get_size (table);
  for (guint i = 0; i < visible->len; i++)
    {
      const RlPlacement *placement = g_ptr_array_index (visible, i);
      GtkTextTag *tag = g_hash_table_lookup (self->thread_tags, placement->id);
      GdkRGBA color = { 0.96f, 0.80f, 0.10f, placement->resolved ? 0.14f : 0.36f };
      Edge edge_start = { placement->start, +1 }, edge_end = { placement->end, -1 };

      if (tag == NULL)
        {
          g_autofree char *name = g_strconcat ("thread:", placement->id, NULL);

          tag = gtk_text_tag_new (name);
          gtk_text_tag_table_add (table, tag);
          g_object_unref (tag);
          g_hash_table_insert (self->thread_tags, g_strdup (placement->id), tag);
          size++;
        }
      g_object_set (tag, "background-rgba", &color, NULL);
      gtk_text_tag_set_priority (tag, size - 1);
      apply_range (self, tag, placement->start, placement->end);
      g_array_append_val (edges, edge_start);
      g_array_append_val (edges, edge_end);
    }
  /* Where annotations overlap: darker and underlined, so both show. */
  g_array_sort (edges, compare_edges);
  for (guint i = 0; i < edges->len; i++)
    {
      const Edge *edge = &g_array_index (edges, Edge, i);

      if (depth >= 2 && edge->offset > overlap_start)
        apply_range (self, self->overlap_tag, overlap_start, edge->offset);
      depth += edge->delta;
      overlap_start = edge->offset;
    }
  gtk_text_tag_set_priority (self->overlap_tag, size - 1);
  gtk_text_tag_set_priority (self->composing_tag, size - 1);
  gtk_text_tag_set_priority (self->selected_tag, size - 1);

  {
    const RlPlacement *selected = find_placement (self, rl_review_state_get_selected_thread (state_of (self)));

    if (selected != NULL && placement_visible (self, selected))
      apply_range (self, self->selected_tag, selected->start, selected->end);
  }
}

/* Drops the tag of every thread not in current (a set of ids; NULL: of
 * every thread). */
static void
forget_tags_except (RlPageView *self,
                    GHashTable *current)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (self->buffer);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->thread_tags);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (current == NULL || !g_hash_table_contains (current, key))
      {
        gtk_text_tag_table_remove (table, value);
        g_hash_table_iter_remove (&iter);
      }
}

static void refresh_threads (RlPageView *self);

static void
watch_items (RlPageView *self)
{
  GListModel *threads;
  guint n;

  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i), refresh_threads, self);
  g_ptr_array_set_size (self->watched, 0);
  if (self->store == NULL)
    return;
  threads = rl_doc_store_get_threads (self->store);
  n = g_list_model_get_n_items (threads);
  for (guint i = 0; i < n; i++)
    {
      RlThreadItem *item = g_list_model_get_item (threads, i);

      g_signal_connect_swapped (item, "notify::thread", G_CALLBACK (refresh_threads), self);
      g_ptr_array_add (self->watched, item);
    }
}

/* Every thread of the store placed on the current text, then the tags. */
static void
refresh_threads (RlPageView *self)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean moved;

  moved = rl_page_placements_update (self->placements, self->store ? rl_doc_store_get_threads (self->store) : NULL);
  for (guint i = 0; i < rl_page_placements_get_n (self->placements); i++)
    g_hash_table_add (ids, rl_page_placements_get (self->placements, i)->id);
  forget_tags_except (self, ids);
  apply_highlights (self);
  if (moved)
    g_signal_emit (self, signals[SIGNAL_RANGES_CHANGED], 0);
}

static void
threads_changed (RlPageView *self)
{
  watch_items (self);
  refresh_threads (self);
}

/* ---- styling ------------------------------------------------------------- */

static void
update_link_color (RlPageView *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GdkRGBA color;

  /* libadwaita's accent colour for text, light and dark. */
  gdk_rgba_parse (&color, dark ? "#78aeed" : "#1c71d8");
  g_object_set (self->link_tag, "foreground-rgba", &color, NULL);
}

static GtkTextTag *
span_tag (RlPageView       *self,
          const RlTextSpan *span)
{
  static const double heading_scale[] = { 1.9, 1.55, 1.3, 1.15, 1.05, 1.0 };
  const GdkRGBA code_bg = { 0.5f, 0.5f, 0.5f, 0.16f };
  const GdkRGBA block_bg = { 0.5f, 0.5f, 0.5f, 0.10f };
  const GdkRGBA dim = { 0.5f, 0.5f, 0.53f, 1.0f };

  switch (span->kind)
    {
    case RL_TEXT_SPAN_PARAGRAPH:
      return named_tag (self, "paragraph", "pixels-below-lines", 10, NULL);
    case RL_TEXT_SPAN_HEADING:
      {
        int level = CLAMP (span->level, 1, 6);
        char name[16];

        g_snprintf (name, sizeof name, "h%d", level);
        return named_tag (self, name,
                          "scale", heading_scale[level - 1],
                          "weight", level <= 2 ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_SEMIBOLD,
                          "pixels-above-lines", level == 1 ? 12 : 16,
                          "pixels-below-lines", 8,
                          NULL);
      }
    case RL_TEXT_SPAN_CODE_BLOCK:
      return named_tag (self, "code-block",
                        "family", "monospace",
                        "paragraph-background-rgba", &block_bg,
                        "wrap-mode", GTK_WRAP_CHAR,
                        NULL);
    case RL_TEXT_SPAN_QUOTE:
      return named_tag (self, "quote", "foreground-rgba", &dim, "style", PANGO_STYLE_ITALIC, NULL);
    case RL_TEXT_SPAN_LIST_ITEM:
      return named_tag (self, "list-item", "pixels-below-lines", 4, NULL);
    case RL_TEXT_SPAN_TABLE_CELL:
      /* A row is one line; its background and rules are drawn under it
       * (rl-page-text-view.c, whose rows' boxes this spacing fills). */
      if (span->level == 1)
        return named_tag (self, "table-header",
                          "weight", PANGO_WEIGHT_BOLD,
                          "pixels-above-lines", 4,
                          "pixels-below-lines", 4,
                          NULL);
      return named_tag (self, "table-cell",
                        "pixels-above-lines", 4,
                        "pixels-below-lines", 4,
                        NULL);
    case RL_TEXT_SPAN_EMPHASIS:
      return named_tag (self, "emphasis", "style", PANGO_STYLE_ITALIC, NULL);
    case RL_TEXT_SPAN_STRONG:
      return named_tag (self, "strong", "weight", PANGO_WEIGHT_BOLD, NULL);
    case RL_TEXT_SPAN_CODE:
      return named_tag (self, "code", "family", "monospace", "background-rgba", &code_bg, NULL);
    case RL_TEXT_SPAN_STRIKETHROUGH:
      return named_tag (self, "strikethrough", "strikethrough", TRUE, NULL);
    case RL_TEXT_SPAN_LINK:
      return self->link_tag;
    case RL_TEXT_SPAN_IMAGE:
      return named_tag (self, "image", "style", PANGO_STYLE_ITALIC, "foreground-rgba", &dim, NULL);
    default:
      return NULL;
    }
}

static gboolean
span_contains (const RlTextSpan *span,
               guint             offset)
{
  return span->start <= offset && offset < span->end;
}

/* Block nesting as left margins, line by line (every block is one or more
 * lines of the plain text); bullets and quote bars go in those margins. */
static void
layout_blocks (RlPageView *self)
{
  RlPageTextView *view = RL_PAGE_TEXT_VIEW (self->text_view);
  const char *text = rl_page_text_get_text (self->page, NULL);
  guint n_spans;
  const RlTextSpan *spans = rl_page_text_get_spans (self->page, &n_spans);
  g_autoptr(GPtrArray) active = g_ptr_array_new ();
  guint next_span = 0;
  guint offset = 0;
  const char *p = text;

  rl_page_text_view_clear_marks (view);

  for (;;)
    {
      const char *nl = strchr (p, '\n');
      guint line_end = offset + (guint) g_utf8_strlen (p, nl ? nl - p : -1);
      int quotes = 0, list_level = 0, extra = 0, margin;
      gint64 table = -1;

      /* The blocks this line starts in: those begun by now and not over. */
      while (next_span < n_spans && spans[next_span].start <= offset)
        {
          const RlTextSpan *span = &spans[next_span++];

          if (span->kind == RL_TEXT_SPAN_TABLE)
            table = next_span - 1;
          if (span->kind == RL_TEXT_SPAN_QUOTE || span->kind == RL_TEXT_SPAN_LIST_ITEM
              || span->kind == RL_TEXT_SPAN_CODE_BLOCK || span->kind == RL_TEXT_SPAN_TABLE_CELL)
            g_ptr_array_add (active, (gpointer) span);
        }
      for (guint i = active->len; i > 0; i--)
        if (((const RlTextSpan *) g_ptr_array_index (active, i - 1))->end <= offset)
          g_ptr_array_remove_index (active, i - 1);
      for (guint i = 0; i < active->len; i++)
        {
          const RlTextSpan *span = g_ptr_array_index (active, i);

          if (!span_contains (span, offset))
            continue;
          if (span->kind == RL_TEXT_SPAN_QUOTE)
            quotes++;
          else if (span->kind == RL_TEXT_SPAN_LIST_ITEM)
            list_level = MAX (list_level, span->level);
          else
            extra = BLOCK_INDENT;
        }
      margin = quotes * QUOTE_INDENT + list_level * LIST_INDENT + extra;
      if (margin > 0)
        {
          char name[24];
          GtkTextTag *tag;

          g_snprintf (name, sizeof name, "indent-%d", margin);
          tag = named_tag (self, name, "left-margin", PAGE_PADDING + margin, NULL);
          apply_range (self, tag, offset, line_end + (nl ? 1 : 0));
        }
      if (table >= 0)
        rl_page_text_view_add_table (view, self->page, (guint) table, PAGE_PADDING + margin);
      for (guint i = 0; i < active->len; i++)
        {
          const RlTextSpan *span = g_ptr_array_index (active, i);

          if (span->kind == RL_TEXT_SPAN_LIST_ITEM && span->start == offset)
            {
              static const char *marks[] = { "•", "◦", "▪" };
              char label[16];

              if (span->number > 0)
                g_snprintf (label, sizeof label, "%d.", span->number);
              else
                g_strlcpy (label, marks[(MAX (span->level, 1) - 1) % 3], sizeof label);
              rl_page_text_view_add_bullet (view, offset, PAGE_PADDING + margin - extra, label);
            }
        }
      if (nl == NULL)
        break;
      offset = line_end + 1;
      p = nl + 1;
    }

  /* Quote bars: one per quote, at its depth. */
  for (guint i = 0; i < n_spans; i++)
    {
      int depth = 0;

      if (spans[i].kind != RL_TEXT_SPAN_QUOTE || spans[i].end <= spans[i].start)
        continue;
      for (guint j = 0; j < i; j++)
        if (spans[j].kind == RL_TEXT_SPAN_QUOTE && span_contains (&spans[j], spans[i].start))
          depth++;
      rl_page_text_view_add_quote_bar (view, spans[i].start, spans[i].end, PAGE_PADDING + depth * QUOTE_INDENT + 6);
    }
}

static void
mark_line (RlPageView *self,
           GtkTextTag *tag,
           guint       offset)
{
  GtkTextIter start, end;

  /* Paragraph properties come from the tags at a line's start. */
  gtk_text_buffer_get_iter_at_offset (self->buffer, &start, offset);
  gtk_text_iter_set_line_offset (&start, 0);
  end = start;
  gtk_text_iter_forward_char (&end);
  gtk_text_buffer_apply_tag (self->buffer, tag, &start, &end);
}

/* Room before and after code blocks and tables as wholes: their lines are
 * separate paragraphs, so spacing on the block's tag would open every line. */
static void
space_blocks (RlPageView       *self,
              const RlTextSpan *spans,
              guint             n_spans)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (self->buffer);
  GtkTextTag *before = named_tag (self, "block-start", "pixels-above-lines", 8, NULL);
  GtkTextTag *after = named_tag (self, "block-end", "pixels-below-lines", 12, NULL);
  const RlTextSpan *cell = NULL;   /* the last table cell seen */

  gtk_text_tag_set_priority (before, gtk_text_tag_table_get_size (table) - 1);
  gtk_text_tag_set_priority (after, gtk_text_tag_table_get_size (table) - 1);
  for (guint i = 0; i < n_spans; i++)
    {
      const RlTextSpan *span = &spans[i];

      if (span->end <= span->start)
        continue;
      if (span->kind == RL_TEXT_SPAN_CODE_BLOCK)
        {
          mark_line (self, before, span->start);
          mark_line (self, after, span->end - 1);
        }
      else if (span->kind == RL_TEXT_SPAN_TABLE_CELL)
        {
          /* Cells of one table follow each other, one line each. */
          if (cell == NULL || cell->end + 1 != span->start)
            {
              if (cell != NULL)
                mark_line (self, after, cell->end - 1);
              mark_line (self, before, span->start);
            }
          cell = span;
        }
    }
  if (cell != NULL)
    mark_line (self, after, cell->end - 1);
}

static void
style_page (RlPageView *self)
{
  guint n_spans;
  const RlTextSpan *spans = rl_page_text_get_spans (self->page, &n_spans);

  for (guint i = 0; i < n_spans; i++)
    {
      GtkTextTag *tag = span_tag (self, &spans[i]);

      if (tag != NULL && spans[i].end > spans[i].start)
        apply_range (self, tag, spans[i].start, spans[i].end);
    }
  space_blocks (self, spans, n_spans);
  layout_blocks (self);
}

/* ---- links --------------------------------------------------------------- */

static const char *
link_at (RlPageView *self,
         guint       offset)
{
  const RlTextSpan *spans;
  guint n_spans;
  const char *href = NULL;

  if (self->page == NULL)
    return NULL;
  spans = rl_page_text_get_spans (self->page, &n_spans);
  for (guint i = 0; i < n_spans && spans[i].start <= offset; i++)
    if (spans[i].kind == RL_TEXT_SPAN_LINK && span_contains (&spans[i], offset) && spans[i].href)
      href = spans[i].href;   /* the innermost wins: spans come outer first */
  return href;
}

static void
launch_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_debug ("page view: could not open the link: %s", error->message);
}

static void
open_link (RlPageView *self,
           const char *href)
{
  g_autoptr(GdkAppLaunchContext) context = NULL;

  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  /* Portal-aware under Flatpak; GtkUriLauncher is GTK 4.10. */
  g_app_info_launch_default_for_uri_async (href, G_APP_LAUNCH_CONTEXT (context), NULL, launch_done, NULL);
}

static void
update_link_action (RlPageView *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.open-link", link_at (self, self->context_offset) != NULL);
}

/* ---- the Comment button, composer and notice ----------------------------- */

static gboolean
selection_offsets (RlPageView *self,
                   guint      *start,
                   guint      *end)
{
  GtkTextIter a, b;

  if (!gtk_text_buffer_get_selection_bounds (self->buffer, &a, &b))
    return FALSE;
  *start = gtk_text_iter_get_offset (&a);
  *end = gtk_text_iter_get_offset (&b);
  return *end > *start;
}

static void
update_comment_button (RlPageView *self)
{
  guint start, end;
  gboolean show = self->page != NULL && selection_offsets (self, &start, &end)
                  && !gtk_widget_get_visible (self->composer);

  if (!show && gtk_widget_has_focus (self->comment_button))
    gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
  gtk_widget_set_visible (self->comment_button, show);
  /* Placed where the selection ends now (size_allocate). */
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

/* Where the Comment button goes, in the page view's coordinates: just
 * below the end of the selection, inside the text column; above that line
 * when there is no room below. FALSE when the end is scrolled out of view:
 * the button goes with the text it is about. */
static gboolean
comment_button_place (RlPageView *self,
                      int         width,
                      int         height,
                      int        *x,
                      int        *y)
{
  guint start, end;
  GtkTextIter iter;
  GdkRectangle rect;
  graphene_rect_t column;
  graphene_point_t point;
  int wx, wy, below, above;

  if (!selection_offsets (self, &start, &end)
      || !gtk_widget_compute_bounds (GTK_WIDGET (self->text_view), GTK_WIDGET (self), &column))
    return FALSE;
  gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, end);
  gtk_text_view_get_iter_location (self->text_view, &iter, &rect);
  gtk_text_view_buffer_to_window_coords (self->text_view, GTK_TEXT_WINDOW_WIDGET, rect.x, rect.y, &wx, &wy);
  if (!gtk_widget_compute_point (GTK_WIDGET (self->text_view), GTK_WIDGET (self),
                                 &GRAPHENE_POINT_INIT (wx, wy), &point))
    return FALSE;
  /* The visible part of the text column: the scroller clips the view. */
  column.origin.x += self->gutter;
  column.size.width -= 2 * self->gutter;
  column.origin.y = MAX (column.origin.y, 0);
  column.size.height = MIN (column.size.height, gtk_widget_get_height (GTK_WIDGET (self)));
  if (point.y + rect.height < column.origin.y || point.y > column.origin.y + column.size.height)
    return FALSE;
  below = (int) point.y + rect.height + 4;
  above = (int) point.y - height - 4;
  if (below + height <= column.origin.y + column.size.height)
    *y = below;
  else if (above >= column.origin.y)
    *y = above;
  else
    return FALSE;
  *x = CLAMP ((int) point.x - width / 2, (int) column.origin.x,
              MAX ((int) column.origin.x, (int) (column.origin.x + column.size.width) - width));
  return TRUE;
}

static gboolean
range_pointing_rect (RlPageView   *self,
                     guint         offset,
                     GdkRectangle *out)
{
  GtkTextIter iter;
  GdkRectangle rect;
  graphene_point_t point;
  int wx, wy;

  gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, offset);
  gtk_text_view_get_iter_location (self->text_view, &iter, &rect);
  gtk_text_view_buffer_to_window_coords (self->text_view, GTK_TEXT_WINDOW_WIDGET, rect.x, rect.y, &wx, &wy);
  if (!gtk_widget_compute_point (GTK_WIDGET (self->text_view), GTK_WIDGET (self),
                                 &GRAPHENE_POINT_INIT (wx, wy), &point))
    return FALSE;
  out->x = CLAMP ((int) point.x, 0, MAX (0, gtk_widget_get_width (GTK_WIDGET (self)) - 1));
  out->y = CLAMP ((int) point.y, 0, MAX (0, gtk_widget_get_height (GTK_WIDGET (self)) - 1));
  out->width = 1;
  out->height = MAX (1, rect.height);
  return TRUE;
}

static void
show_notice (RlPageView *self,
             const char *message)
{
  guint start = 0, end = 0;
  GtkTextIter iter;
  GdkRectangle rect;

  if (!selection_offsets (self, &start, &end))
    {
      gtk_text_buffer_get_iter_at_mark (self->buffer, &iter, gtk_text_buffer_get_insert (self->buffer));
      end = gtk_text_iter_get_offset (&iter);
    }
  gtk_label_set_text (GTK_LABEL (gtk_popover_get_child (GTK_POPOVER (self->notice))), message);
  if (range_pointing_rect (self, end, &rect))
    gtk_popover_set_pointing_to (GTK_POPOVER (self->notice), &rect);
  gtk_popover_popup (GTK_POPOVER (self->notice));
}

static const char *
cannot_create_message (RlPageView *self)
{
  return rl_review_view_get_cannot_create_message (RL_REVIEW_VIEW (self), _("Comments cannot be added right now."));
}

static void
comment_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  RlPageView *self = RL_PAGE_VIEW (widget);
  guint start, end;

  if (self->page == NULL)
    return;
  if (!selection_offsets (self, &start, &end))
    {
      show_notice (self, _("Select the text to comment on first."));
      return;
    }
  if (!rl_review_state_get_can_create (state_of (self)))
    {
      show_notice (self, cannot_create_message (self));
      return;
    }
  rl_page_view_open_composer (self, start, end, NULL);
}

static void
open_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RlPageView *self = RL_PAGE_VIEW (widget);
  const char *href = link_at (self, self->context_offset);

  if (href != NULL)
    open_link (self, href);
}

static RlAnchor
anchor_for_range (RlPageView *self,
                  guint       start,
                  guint       end)
{
  guint n_chars = rl_page_text_get_n_chars (self->page);
  RlAnchor anchor = { .kind = RL_DOC_KIND_PAGE, .start = start, .end = end };

  anchor.exact = rl_page_text_slice (self->page, start, end);
  anchor.prefix = rl_page_text_slice (self->page, start > RL_CONTEXT_MAX_CHARS ? start - RL_CONTEXT_MAX_CHARS : 0, start);
  anchor.suffix = rl_page_text_slice (self->page, end, MIN (n_chars, end + RL_CONTEXT_MAX_CHARS));
  return anchor;
}

static void
composer_submit (RlPageView *self)
{
  g_autofree char *id = NULL;
  RlAnchor anchor;
  gboolean ok;
  GtkTextIter iter;

  if (self->store == NULL || self->page == NULL)
    {
      rl_annotation_composer_set_error (RL_ANNOTATION_COMPOSER (self->composer), _("This page is not open for review."));
      return;
    }
  anchor = anchor_for_range (self, self->composer_start, self->composer_end);
  ok = rl_composer_base_send_thread (RL_COMPOSER_BASE (self->composer), self->store, &anchor,
                                     RL_CHANGE_NEW_COMMENT, &id);
  rl_anchor_clear (&anchor);
  if (!ok)
    return;
  /* The new highlight replaces the selection. */
  gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, self->composer_end);
  gtk_text_buffer_place_cursor (self->buffer, &iter);
  rl_review_state_set_selected_thread (state_of (self), id);
}

static gboolean draft_covers (RlPageView *self, guint start, guint end);

static void
composer_closed (RlPageView *self)
{
  guint start, end;
  GtkTextIter iter;

  /* Escape or a click elsewhere: what was typed is kept as a draft, its
   * passage still marked (mark_drafts); the selection gives way to it, as
   * to a sent comment's highlight, so a click there opens it again. */
  if (selection_offsets (self, &start, &end) && draft_covers (self, start, end))
    {
      gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, end);
      gtk_text_buffer_place_cursor (self->buffer, &iter);
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
  update_comment_button (self);
}

/* Drafts (rl-composer-base.h): the passage of each one, kept or being
 * written, stays marked; a click or Enter in a kept one opens it again. */
static void
mark_drafts (RlPageView *self)
{
  GPtrArray *drafts;
  GtkTextIter start, end;
  guint n;

  if (self->scroller == NULL)
    return;   /* disposing */
  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->composing_tag, &start, &end);
  if (self->page == NULL)
    return;
  n = rl_page_text_get_n_chars (self->page);
  drafts = rl_composer_base_get_drafts (RL_COMPOSER_BASE (self->composer));
  for (guint i = 0; i < drafts->len; i++)
    {
      guint from, to;

      g_variant_get (rl_composer_draft_get_place (g_ptr_array_index (drafts, i)), "(uu)", &from, &to);
      gtk_text_buffer_get_iter_at_offset (self->buffer, &start, MIN (from, n));
      gtk_text_buffer_get_iter_at_offset (self->buffer, &end, MIN (to, n));
      gtk_text_buffer_apply_tag (self->buffer, self->composing_tag, &start, &end);
    }
}

/* The kept draft (not the one open) whose passage covers offset. */
static RlComposerDraft *
draft_at (RlPageView *self,
          guint       offset)
{
  RlComposerBase *composer = RL_COMPOSER_BASE (self->composer);
  GPtrArray *drafts = rl_composer_base_get_drafts (composer);

  for (guint i = drafts->len; i > 0; i--)
    {
      RlComposerDraft *draft = g_ptr_array_index (drafts, i - 1);
      guint from, to;

      g_variant_get (rl_composer_draft_get_place (draft), "(uu)", &from, &to);
      if (draft != rl_composer_base_get_current (composer) && from <= offset && offset < to)
        return draft;
    }
  return NULL;
}

/* A kept draft is on exactly [start, end). */
static gboolean
draft_covers (RlPageView *self,
              guint       start,
              guint       end)
{
  GPtrArray *drafts = rl_composer_base_get_drafts (RL_COMPOSER_BASE (self->composer));

  for (guint i = 0; i < drafts->len; i++)
    {
      guint from, to;

      g_variant_get (rl_composer_draft_get_place (g_ptr_array_index (drafts, i)), "(uu)", &from, &to);
      if (from == start && to == end)
        return TRUE;
    }
  return FALSE;
}

static void show_composer (RlPageView *self, guint start, guint end);

static void
open_draft (RlPageView      *self,
            RlComposerDraft *draft)
{
  guint start, end;

  g_variant_get (rl_composer_draft_get_place (draft), "(uu)", &start, &end);
  rl_composer_base_resume (RL_COMPOSER_BASE (self->composer), draft);
  show_composer (self, start, end);
}

/* ---- pointer and keys ---------------------------------------------------- */

static gboolean
offset_at_widget_point (RlPageView *self,
                        double      x,
                        double      y,
                        guint      *offset)
{
  GtkTextIter iter;
  int bx, by;

  if (self->page == NULL)
    return FALSE;
  gtk_text_view_window_to_buffer_coords (self->text_view, GTK_TEXT_WINDOW_WIDGET, x, y, &bx, &by);
  /* FALSE where the point is beside the text, not over a character. */
  if (!gtk_text_view_get_iter_at_location (self->text_view, &iter, bx, by))
    return FALSE;
  *offset = gtk_text_iter_get_offset (&iter);
  return TRUE;
}

static gboolean
placement_covers (RlPageView      *self,
                  const RlPlacement *placement,
                  guint            offset)
{
  return placement_visible (self, placement) && placement->start <= offset && offset < placement->end;
}

/* The visible highlights over offset, innermost (shortest) first, then
 * oldest first: the order clicks go through. */
static GPtrArray *
placements_at (RlPageView *self,
               guint       offset)
{
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < rl_page_placements_get_n (self->placements); i++)
    {
      const RlPlacement *placement = rl_page_placements_get (self->placements, i);

      if (placement_covers (self, placement, offset))
        g_ptr_array_add (found, (gpointer) placement);
    }
  g_ptr_array_sort (found, compare_innermost_first);
  return found;
}

/* Whether any visible highlight covers offset: the hover check, per
 * pointer motion, so it neither allocates nor sorts. */
static gboolean
any_placement_at (RlPageView *self,
                  guint       offset)
{
  for (guint i = 0; i < rl_page_placements_get_n (self->placements); i++)
    if (placement_covers (self, rl_page_placements_get (self->placements, i), offset))
      return TRUE;
  return FALSE;
}

/* TRUE when the click did something: opened a link or selected a highlight. */
static gboolean
click_at (RlPageView *self,
          guint       offset,
          gboolean    open_links)
{
  g_autoptr(GPtrArray) found = NULL;
  const char *href = link_at (self, offset);
  RlComposerDraft *draft;
  guint pick = 0;

  if (href != NULL && open_links)
    {
      open_link (self, href);
      return TRUE;
    }
  if ((draft = draft_at (self, offset)) != NULL)
    {
      open_draft (self, draft);
      return TRUE;
    }
  found = placements_at (self, offset);
  if (found->len == 0)
    return FALSE;
  /* The innermost first; a click again on a selected one goes outwards. */
  for (guint i = 0; i < found->len; i++)
    if (g_strcmp0 (((RlPlacement *) g_ptr_array_index (found, i))->id, rl_review_state_get_selected_thread (state_of (self))) == 0)
      pick = (i + 1) % found->len;
  rl_review_state_set_selected_thread (state_of (self), ((RlPlacement *) g_ptr_array_index (found, pick))->id);
  return TRUE;
}

static void
click_released (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                RlPageView      *self)
{
  guint offset;
  GtkTextIter a, b;

  if (n_press != 1 || gtk_text_buffer_get_selection_bounds (self->buffer, &a, &b))
    return;   /* a drag that selected text, or a double click */
  if (offset_at_widget_point (self, x, y, &offset))
    click_at (self, offset, TRUE);
}

static void
context_pressed (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 RlPageView      *self)
{
  guint offset;

  if (offset_at_widget_point (self, x, y, &offset))
    {
      self->context_offset = offset;
      update_link_action (self);
    }
}

static void
pointer_moved (GtkEventControllerMotion *motion,
               double                    x,
               double                    y,
               RlPageView               *self)
{
  guint offset;
  gboolean active = FALSE;

  if (offset_at_widget_point (self, x, y, &offset))
    active = link_at (self, offset) != NULL || any_placement_at (self, offset) || draft_at (self, offset) != NULL;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->text_view), active ? "pointer" : "text");
}

static gboolean
query_tooltip (GtkWidget  *widget,
               int         x,
               int         y,
               gboolean    keyboard,
               GtkTooltip *tooltip,
               RlPageView *self)
{
  g_autofree char *preview = NULL;
  guint offset;
  GtkTextIter iter;

  if (keyboard)
    {
      gtk_text_buffer_get_iter_at_mark (self->buffer, &iter, gtk_text_buffer_get_insert (self->buffer));
      offset = gtk_text_iter_get_offset (&iter);
    }
  else if (!offset_at_widget_point (self, x, y, &offset))
    return FALSE;
  preview = rl_page_view_dup_preview_at (self, offset);
  if (preview == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, preview);
  return TRUE;
}

static gboolean
text_key_pressed (GtkEventControllerKey *controller,
                  guint                  keyval,
                  guint                  keycode,
                  GdkModifierType        state,
                  RlPageView            *self)
{
  GtkTextIter iter;

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return FALSE;
  if (keyval == GDK_KEY_Tab && gtk_widget_get_visible (self->comment_button))
    {
      gtk_widget_grab_focus (self->comment_button);
      return TRUE;
    }
  if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter)
    {
      /* Enter on a link or a highlight does what a click there does. */
      gtk_text_buffer_get_iter_at_mark (self->buffer, &iter, gtk_text_buffer_get_insert (self->buffer));
      return click_at (self, gtk_text_iter_get_offset (&iter), TRUE);
    }
  return FALSE;
}

static gboolean
button_key_pressed (GtkEventControllerKey *controller,
                    guint                  keyval,
                    guint                  keycode,
                    GdkModifierType        state,
                    RlPageView            *self)
{
  if (keyval == GDK_KEY_Escape || keyval == GDK_KEY_ISO_Left_Tab
      || (keyval == GDK_KEY_Tab && (state & GDK_SHIFT_MASK)))
    {
      if (keyval == GDK_KEY_Escape)
        gtk_widget_set_visible (self->comment_button, FALSE);
      gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
      return TRUE;
    }
  return FALSE;
}

static void
mark_set (GtkTextBuffer *buffer,
          GtkTextIter   *location,
          GtkTextMark   *mark,
          RlPageView    *self)
{
  if (mark == gtk_text_buffer_get_insert (buffer))
    {
      self->context_offset = gtk_text_iter_get_offset (location);
      update_link_action (self);
    }
  if (mark == gtk_text_buffer_get_insert (buffer) || mark == gtk_text_buffer_get_selection_bound (buffer))
    update_comment_button (self);
}

/* ---- the review state ----------------------------------------------------- */

static void
set_store (RlPageView *self,
           RlDocStore *store)
{
  if (self->store == store)
    return;
  if (self->store != NULL)
    g_clear_signal_handler (&self->items_id, rl_doc_store_get_threads (self->store));
  g_set_object (&self->store, store);
  /* Drafts are kept per document: this one's show, the last one's wait. */
  if (self->composer != NULL)
    rl_composer_base_set_store (RL_COMPOSER_BASE (self->composer), store);
  if (store != NULL)
    self->items_id = g_signal_connect_swapped (rl_doc_store_get_threads (store), "items-changed",
                                               G_CALLBACK (threads_changed), self);
  watch_items (self);
  if (self->placements != NULL)
    rl_page_placements_set_revision (self->placements, rl_review_state_get_revision (state_of (self)));
  /* Disposing: the buffer may already be going. */
  if (self->scroller != NULL)
    refresh_threads (self);
}

/* The state's store while it is a page's: its threads become highlights. */
static void
state_store_changed (RlReviewView *view)
{
  set_store (RL_PAGE_VIEW (view), rl_review_view_get_store_of_kind (view, RL_DOC_KIND_PAGE));
}

static void
state_selection_changed (RlReviewView *view)
{
  RlPageView *self = RL_PAGE_VIEW (view);
  const RlPlacement *placement;

  apply_highlights (self);
  /* Into view only if it is not there already: the text moves no more
   * than it must. */
  placement = find_placement (self, rl_review_state_get_selected_thread (state_of (self)));
  if (placement != NULL && placement_visible (self, placement))
    {
      GtkTextIter iter;

      gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, placement->start);
      gtk_text_buffer_move_mark (self->buffer, self->selected_mark, &iter);
      gtk_text_view_scroll_to_mark (self->text_view, self->selected_mark, 0.05, FALSE, 0, 0);
    }
}

static void
state_filter_changed (RlReviewView *view)
{
  apply_highlights (RL_PAGE_VIEW (view));
}

/* Another version shown: threads placed where they are on it (the window
 * gives the page its text). */
/* "Place…" on a thread not found on this version, or carried: the
 * selection places it, or the person is told to select its text first. */
static void
state_placing_changed (RlReviewView *view)
{
  RlPageView *self = RL_PAGE_VIEW (view);
  g_autoptr(GError) error = NULL;
  RlAnchor anchor;
  guint start, end;
  gboolean ok;
  GtkTextIter iter;

  if (rl_review_state_get_placing_thread (state_of (self)) == NULL || self->page == NULL)
    return;
  if (!selection_offsets (self, &start, &end))
    {
      rl_review_state_set_placing_thread (state_of (self), NULL);
      /* Translators: "Place…" on a thread whose text is not on this version,
       * with no text selected */
      show_notice (self, _("Select the text this thread is about first."));
      return;
    }
  if (!rl_review_state_get_can_create (state_of (self)))
    {
      rl_review_state_set_placing_thread (state_of (self), NULL);
      show_notice (self, cannot_create_message (self));
      return;
    }
  anchor = anchor_for_range (self, start, end);
  ok = rl_review_state_place_thread (state_of (self), &anchor, &error);
  rl_anchor_clear (&anchor);
  if (!ok)
    {
      show_notice (self, rl_error_refusal (RL_CHANGE_IN_THREAD, error));
      return;
    }
  /* Its highlight replaces the selection, as a new comment's does: no
   * Comment button left offering the text just placed on. */
  gtk_text_buffer_get_iter_at_offset (self->buffer, &iter, end);
  gtk_text_buffer_place_cursor (self->buffer, &iter);
}

static void
state_revision_changed (RlReviewView *view)
{
  RlPageView *self = RL_PAGE_VIEW (view);

  rl_page_placements_set_revision (self->placements, rl_review_state_get_revision (state_of (self)));
  refresh_threads (self);
}

static void
update_comment_tooltip (RlReviewView *view)
{
  RlPageView *self = RL_PAGE_VIEW (view);

  gtk_widget_set_tooltip_text (self->comment_button,
                               rl_review_state_get_can_create (state_of (self))
                               ? _("Comment on the selection (Ctrl+Alt+M)")
                               : cannot_create_message (self));
}

/* ---- GtkWidget ------------------------------------------------------------ */

static gboolean
gutters_due (gpointer data)
{
  RlPageView *self = data;

  self->gutter_id = 0;
  if (self->gutter_wanted == self->gutter)
    return G_SOURCE_REMOVE;
  self->gutter = self->gutter_wanted;
  gtk_widget_set_size_request (self->left_gutter, self->gutter, -1);
  gtk_widget_set_size_request (self->right_gutter, self->gutter, -1);
  return G_SOURCE_REMOVE;
}

/* The gutters' width for the width given. Their size requests change
 * right after this allocation, not in it: a resize queued while the
 * window is being allocated leaves its ancestors (the document's overlay)
 * without an allocation for the frame's snapshot. */
static void
update_gutters (RlPageView *self,
                int         width)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self->text_view));
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);
  int char_width = pango_font_metrics_get_approximate_char_width (metrics) / PANGO_SCALE;
  int column = READABLE_CHARS * MAX (char_width, 4) + 2 * PAGE_PADDING;

  pango_font_metrics_unref (metrics);
  self->gutter_wanted = MAX (0, (width - column) / 2);
  if (self->gutter_wanted != self->gutter && self->gutter_id == 0)
    self->gutter_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, gutters_due, self, NULL);
}

static void
rl_page_view_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  RlPageView *self = RL_PAGE_VIEW (widget);

  gtk_widget_measure (self->scroller, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
  /* The gutters follow the width given, so they ask for none: else the
   * window could never be made narrower than it once was. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MAX (0, *minimum - 2 * self->gutter);
      *natural = MAX (*minimum, *natural - 2 * self->gutter);
    }
}

static void
present_popover (RlPageView *self,
                 GtkWidget  *popover,
                 guint       offset)
{
  GdkRectangle rect;

  if (!gtk_widget_get_visible (popover))
    return;
  if (range_pointing_rect (self, offset, &rect))
    gtk_popover_set_pointing_to (GTK_POPOVER (popover), &rect);
  gtk_popover_present (GTK_POPOVER (popover));
}

static void
rl_page_view_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  RlPageView *self = RL_PAGE_VIEW (widget);

  /* The gutters keep lines readable: the column stays about
   * READABLE_CHARS wide and centred however wide the window is. */
  update_gutters (self, width);
  gtk_widget_allocate (self->scroller, width, height, baseline, NULL);
  /* The Comment button floats over the page, a child of the view and not
   * of the text: a press on it must not reach the text view, which would
   * take it for a click in the text and drop the selection. */
  if (gtk_widget_get_visible (self->comment_button))
    {
      int button_width, button_height, x, y;

      gtk_widget_measure (self->comment_button, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &button_width, NULL, NULL);
      gtk_widget_measure (self->comment_button, GTK_ORIENTATION_VERTICAL, button_width, NULL, &button_height,
                          NULL, NULL);
      if (comment_button_place (self, button_width, button_height, &x, &y))
        {
          gtk_widget_set_child_visible (self->comment_button, TRUE);
          gtk_widget_allocate (self->comment_button, button_width, button_height, -1,
                               gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (x, y)));
        }
      else
        gtk_widget_set_child_visible (self->comment_button, FALSE);
    }
  present_popover (self, self->composer, self->composer_end);
  if (gtk_widget_get_visible (self->notice))
    gtk_popover_present (GTK_POPOVER (self->notice));
}

static gboolean
rl_page_view_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (RL_PAGE_VIEW (widget)->text_view));
}

static void
rl_page_view_dispose (GObject *object)
{
  RlPageView *self = RL_PAGE_VIEW (object);

  if (state_of (self) != NULL)
    {
      g_signal_handlers_disconnect_by_data (state_of (self), self);
      set_store (self, NULL);
    }
  g_clear_handle_id (&self->gutter_id, g_source_remove);
  g_clear_pointer (&self->composer, gtk_widget_unparent);
  g_clear_pointer (&self->notice, gtk_widget_unparent);
  g_clear_pointer (&self->comment_button, gtk_widget_unparent);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), RL_TYPE_PAGE_VIEW);
  G_OBJECT_CLASS (rl_page_view_parent_class)->dispose (object);
}

static void
rl_page_view_finalize (GObject *object)
{
  RlPageView *self = RL_PAGE_VIEW (object);

  g_clear_pointer (&self->page, rl_page_text_unref);
  g_ptr_array_unref (self->watched);
  g_object_unref (self->placements);
  g_hash_table_unref (self->thread_tags);
  G_OBJECT_CLASS (rl_page_view_parent_class)->finalize (object);
}

static void
rl_page_view_class_init (RlPageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  RlReviewViewClass *review_class = RL_REVIEW_VIEW_CLASS (klass);

  object_class->dispose = rl_page_view_dispose;
  object_class->finalize = rl_page_view_finalize;
  widget_class->measure = rl_page_view_measure;
  widget_class->size_allocate = rl_page_view_size_allocate;
  widget_class->grab_focus = rl_page_view_grab_focus;

  review_class->store_changed = state_store_changed;
  review_class->selection_changed = state_selection_changed;
  review_class->filter_changed = state_filter_changed;
  review_class->revision_changed = state_revision_changed;
  review_class->placing_changed = state_placing_changed;
  review_class->can_create_changed = update_comment_tooltip;

  /* RlPlacements changed: re-anchored on a new page, or a thread came, went
   * or moved. */
  signals[SIGNAL_RANGES_CHANGED] =
    g_signal_new ("ranges-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "page.comment", NULL, comment_activated);
  gtk_widget_class_install_action (widget_class, "page.open-link", NULL, open_link_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK | GDK_ALT_MASK, "page.comment", NULL);
  gtk_widget_class_set_css_name (widget_class, "pageview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_type_ensure (RL_TYPE_PAGE_TEXT_VIEW);
  g_type_ensure (RL_TYPE_ANNOTATION_COMPOSER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/redline/Redline/rl-page-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RlPageView, scroller);
  gtk_widget_class_bind_template_child (widget_class, RlPageView, text_view);
  gtk_widget_class_bind_template_child (widget_class, RlPageView, left_gutter);
  gtk_widget_class_bind_template_child (widget_class, RlPageView, right_gutter);
  gtk_widget_class_bind_template_child (widget_class, RlPageView, comment_button);
  gtk_widget_class_bind_template_child (widget_class, RlPageView, composer);
  gtk_widget_class_bind_template_child (widget_class, RlPageView, notice);
  gtk_widget_class_bind_template_child (widget_class, RlPageView, extra_menu);
  gtk_widget_class_bind_template_callback (widget_class, query_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, click_released);
  gtk_widget_class_bind_template_callback (widget_class, context_pressed);
  gtk_widget_class_bind_template_callback (widget_class, pointer_moved);
  gtk_widget_class_bind_template_callback (widget_class, text_key_pressed);
  gtk_widget_class_bind_template_callback (widget_class, button_key_pressed);
  gtk_widget_class_bind_template_callback (widget_class, composer_submit);
  gtk_widget_class_bind_template_callback (widget_class, composer_closed);
  gtk_widget_class_bind_template_callback (widget_class, mark_drafts);
}

static void
rl_page_view_init (RlPageView *self)
{
  const GdkRGBA overlap = { 0.93f, 0.55f, 0.0f, 0.42f };
  const GdkRGBA selected = { 1.0f, 0.62f, 0.18f, 0.72f };
  const GdkRGBA composing = { 0.21f, 0.52f, 0.89f, 0.25f };

  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->placements = rl_page_placements_new ();
  self->thread_tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_view_set_gutter (self->text_view, GTK_TEXT_WINDOW_LEFT, self->left_gutter);
  gtk_text_view_set_gutter (self->text_view, GTK_TEXT_WINDOW_RIGHT, self->right_gutter);

  self->link_tag = named_tag (self, "link", "underline", PANGO_UNDERLINE_SINGLE, NULL);
  update_link_color (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_link_color), self, G_CONNECT_SWAPPED);
  self->overlap_tag = named_tag (self, "thread-overlap", "background-rgba", &overlap,
                                 "underline", PANGO_UNDERLINE_SINGLE, NULL);
  self->composing_tag = named_tag (self, "composing", "background-rgba", &composing, NULL);
  self->selected_tag = named_tag (self, "thread-selected", "background-rgba", &selected, NULL);

  /* The Comment button follows the text as it scrolls. */
  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->text_view)), "value-changed",
                           G_CALLBACK (gtk_widget_queue_allocate), self, G_CONNECT_SWAPPED);
  g_signal_connect (self->buffer, "mark-set", G_CALLBACK (mark_set), self);

  update_link_action (self);
}

/* ---- public API ------------------------------------------------------------ */

GtkWidget *
rl_page_view_new (RlReviewState *state)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (state), NULL);

  return g_object_new (RL_TYPE_PAGE_VIEW, "state", state, NULL);
}

RlReviewState *
rl_page_view_get_state (RlPageView *self)
{
  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), NULL);
  return state_of (self);
}

void
rl_page_view_set_page (RlPageView *self,
                       RlPageText *page)
{
  GtkTextIter start;

  g_return_if_fail (RL_IS_PAGE_VIEW (self));

  if (self->page == page)
    return;
  gtk_popover_popdown (GTK_POPOVER (self->composer));
  if (page != NULL)
    rl_page_text_ref (page);
  g_clear_pointer (&self->page, rl_page_text_unref);
  self->page = page;
  forget_tags_except (self, NULL);
  rl_page_placements_set_page (self->placements, page);

  /* Inserted once: everything after this is tags. */
  if (page != NULL)
    {
      gsize n_bytes;
      g_autofree char *text = rl_page_text_view_dup_shown_text (page, &n_bytes);

      gtk_text_buffer_set_text (self->buffer, text, (int) n_bytes);
    }
  else
    gtk_text_buffer_set_text (self->buffer, "", 0);
  gtk_text_buffer_get_start_iter (self->buffer, &start);
  gtk_text_buffer_place_cursor (self->buffer, &start);
  if (self->selected_mark == NULL)
    self->selected_mark = gtk_text_buffer_create_mark (self->buffer, NULL, &start, TRUE);
  if (page != NULL)
    style_page (self);
  else
    rl_page_text_view_clear_marks (RL_PAGE_TEXT_VIEW (self->text_view));
  refresh_threads (self);
  mark_drafts (self);
  update_comment_button (self);
}

RlPageText *
rl_page_view_get_page (RlPageView *self)
{
  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), NULL);
  return self->page;
}

/* The composer, on the passage [start, end) marked. */
static void
show_composer (RlPageView *self,
               guint       start,
               guint       end)
{
  g_autofree char *quote = NULL;
  GtkTextIter bound;

  end = MIN (end, rl_page_text_get_n_chars (self->page));
  start = MIN (start, end);
  gtk_popover_popdown (GTK_POPOVER (self->notice));
  self->composer_start = start;
  self->composer_end = end;
  quote = rl_page_text_slice (self->page, start, end);
  rl_annotation_composer_set_quote (RL_ANNOTATION_COMPOSER (self->composer), quote);
  gtk_text_buffer_get_iter_at_offset (self->buffer, &bound, end);
  gtk_text_buffer_move_mark (self->buffer, self->selected_mark, &bound);
  gtk_text_view_scroll_to_mark (self->text_view, self->selected_mark, 0.1, FALSE, 0, 0);
  gtk_widget_set_visible (self->comment_button, FALSE);
  gtk_popover_popup (GTK_POPOVER (self->composer));
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

void
rl_page_view_open_composer (RlPageView *self,
                            guint       start,
                            guint       end,
                            const char *text)
{
  g_return_if_fail (RL_IS_PAGE_VIEW (self));

  if (self->page == NULL)
    return;
  end = MIN (end, rl_page_text_get_n_chars (self->page));
  start = MIN (start, end);
  if (start == end)
    return;
  /* A draft open is kept (still marked) as the new one opens; the passage
   * stays marked while the comment is typed. */
  rl_composer_base_begin (RL_COMPOSER_BASE (self->composer), g_variant_new ("(uu)", start, end), text);
  show_composer (self, start, end);
}

gboolean
rl_page_view_get_thread_range (RlPageView *self,
                               const char *thread_id,
                               guint      *start,
                               guint      *end)
{
  const RlPlacement *placement;

  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), FALSE);

  placement = find_placement (self, thread_id);
  if (placement == NULL || !placement->placed)
    return FALSE;
  if (start)
    *start = placement->start;
  if (end)
    *end = placement->end;
  return TRUE;
}

gboolean
rl_page_view_reveal_thread (RlPageView *self,
                            const char *thread_id)
{
  const RlPlacement *placement;
  GtkTextIter start, end;
  GdkRectangle first, last, visible;
  int height;
  double align;
  gboolean kinetic;

  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), FALSE);

  placement = find_placement (self, thread_id);
  if (placement == NULL || !placement->placed)
    return FALSE;
  gtk_text_buffer_get_iter_at_offset (self->buffer, &start, placement->start);
  gtk_text_buffer_get_iter_at_offset (self->buffer, &end, MAX (placement->end, placement->start + 1) - 1);
  gtk_text_view_get_iter_location (self->text_view, &start, &first);
  gtk_text_view_get_iter_location (self->text_view, &end, &last);
  gtk_text_view_get_visible_rect (self->text_view, &visible);
  height = last.y + last.height - first.y;
  /* Its middle in the middle; a passage taller than the view starts a
   * little below the top, so its beginning is what is read first. The
   * text view puts the first line's top at align × (view − line) from the
   * top, once its lines are laid out; this scroll replaces one still
   * pending (the selection's own, to the nearest edge). */
  if (visible.height <= first.height)
    align = 0;
  else if (height <= visible.height)
    align = (visible.height - height) / 2.0 / (visible.height - first.height);
  else
    align = visible.height * 0.1 / (visible.height - first.height);
  gtk_text_buffer_move_mark (self->buffer, self->selected_mark, &start);
  /* A scroll still coasting would take the view away again: turning
   * kinetic scrolling off stops it. */
  kinetic = gtk_scrolled_window_get_kinetic_scrolling (GTK_SCROLLED_WINDOW (self->scroller));
  gtk_scrolled_window_set_kinetic_scrolling (GTK_SCROLLED_WINDOW (self->scroller), FALSE);
  gtk_scrolled_window_set_kinetic_scrolling (GTK_SCROLLED_WINDOW (self->scroller), kinetic);
  gtk_text_view_scroll_to_mark (self->text_view, self->selected_mark, 0, TRUE, 0, CLAMP (align, 0, 1));
  return TRUE;
}

GtkWidget *
rl_page_view_get_text_view (RlPageView *self)
{
  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), NULL);
  return GTK_WIDGET (self->text_view);
}

GtkWidget *
rl_page_view_get_comment_button (RlPageView *self)
{
  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), NULL);
  return self->comment_button;
}

GtkWidget *
rl_page_view_get_composer (RlPageView *self)
{
  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), NULL);
  return self->composer;
}

GtkWidget *
rl_page_view_get_notice (RlPageView *self)
{
  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), NULL);
  return self->notice;
}

GtkTextTag *
rl_page_view_get_thread_tag (RlPageView *self,
                             const char *thread_id)
{
  const RlPlacement *placement;

  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), NULL);

  placement = find_placement (self, thread_id);
  if (placement == NULL || !placement_visible (self, placement))
    return NULL;
  return g_hash_table_lookup (self->thread_tags, thread_id);
}

const char *
rl_page_view_get_link_at (RlPageView *self,
                          guint       offset)
{
  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), NULL);
  return link_at (self, offset);
}

void
rl_page_view_click_for_testing (RlPageView *self,
                                guint       offset,
                                gboolean    open_links)
{
  g_return_if_fail (RL_IS_PAGE_VIEW (self));
  click_at (self, offset, open_links);
}

char *
rl_page_view_dup_preview_at (RlPageView *self,
                             guint       offset)
{
  g_autoptr(GPtrArray) found = NULL;
  const char *href;
  GString *text;

  g_return_val_if_fail (RL_IS_PAGE_VIEW (self), NULL);

  found = placements_at (self, offset);
  href = link_at (self, offset);
  if (found->len == 0 && href == NULL)
    return NULL;
  text = g_string_new (NULL);
  for (guint i = 0; i < found->len; i++)
    {
      const RlPlacement *placement = g_ptr_array_index (found, i);

      if (placement->preview == NULL)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, placement->preview);
    }
  if (href != NULL)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, href);
    }
  return g_string_free (text, FALSE);
}
