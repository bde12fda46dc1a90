/* rl-page-text-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-page-text-view.h"

/* A list item's bullet or number: drawn, not text, so buffer offsets stay
 * the page's code points. */
typedef struct
{
  guint offset;
  int   margin;      /* the item's left margin, buffer pixels */
  char  label[16];
} Bullet;

typedef struct
{
  guint start;
  guint end;
  int   x;
} QuoteBar;

/* Room between two columns; the rules are in its middle. */
#define CELL_GAP 24
/* Above and below a row's text: the cell tags' pixels-above/below-lines
 * (rl-page-view.c), so that the rows' boxes meet. */
#define ROW_PAD  4

typedef struct
{
  guint    start;
  guint    end;
  gboolean header;
} TableRow;

typedef struct
{
  guint   start;
  guint   end;
  int     left;    /* the cells' box, buffer pixels */
  int     right;
  GArray *rows;    /* of TableRow, by start */
  GArray *rules;   /* of int: x of the rule between two columns */
} Table;

struct _RlPageTextView
{
  GtkTextView  parent_instance;
  GArray      *bullets;      /* of Bullet, by offset */
  GArray      *quote_bars;   /* of QuoteBar, by start */
  GArray      *tables;       /* of Table, by start */
};

G_DEFINE_FINAL_TYPE (RlPageTextView, rl_page_text_view, GTK_TYPE_TEXT_VIEW)

static void
visible_offsets (GtkTextView *view,
                 guint       *first,
                 guint       *last)
{
  GdkRectangle visible;
  GtkTextIter iter;

  gtk_text_view_get_visible_rect (view, &visible);
  gtk_text_view_get_line_at_y (view, &iter, visible.y, NULL);
  *first = gtk_text_iter_get_offset (&iter);
  gtk_text_view_get_line_at_y (view, &iter, visible.y + visible.height, NULL);
  gtk_text_iter_forward_to_line_end (&iter);
  *last = gtk_text_iter_get_offset (&iter);
}

static void
table_clear (gpointer data)
{
  Table *table = data;

  g_clear_pointer (&table->rows, g_array_unref);
  g_clear_pointer (&table->rules, g_array_unref);
}

/* The box of a row's lines: from the top of its first character to the
 * bottom of its last, and the padding around them. */
static void
row_yrange (GtkTextView    *view,
            const TableRow *row,
            int            *y0,
            int            *y1)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GdkRectangle rect;
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, row->start);
  gtk_text_view_get_iter_location (view, &iter, &rect);
  *y0 = rect.y - ROW_PAD;
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, row->end - 1);
  gtk_text_view_get_iter_location (view, &iter, &rect);
  *y1 = rect.y + rect.height + ROW_PAD;
}

static void
snapshot_tables (RlPageTextView *self,
                 GtkSnapshot    *snapshot,
                 const GdkRGBA  *color,
                 guint           first,
                 guint           last)
{
  GdkRGBA header = *color, body = *color, rule = *color;

  header.alpha *= 0.09f;
  body.alpha *= 0.03f;
  rule.alpha *= 0.2f;
  for (guint i = 0; i < self->tables->len; i++)
    {
      const Table *table = &g_array_index (self->tables, Table, i);

      if (table->end < first || table->start > last)
        continue;
      for (guint r = 0; r < table->rows->len; r++)
        {
          const TableRow *row = &g_array_index (table->rows, TableRow, r);
          int width = table->right - table->left;
          int y0, y1;

          if (row->end < first || row->start > last)
            continue;
          row_yrange (GTK_TEXT_VIEW (self), row, &y0, &y1);
          gtk_snapshot_append_color (snapshot, row->header ? &header : &body,
                                     &GRAPHENE_RECT_INIT (table->left, y0, width, y1 - y0));
          if (r == 0)
            gtk_snapshot_append_color (snapshot, &rule, &GRAPHENE_RECT_INIT (table->left, y0, width, 1));
          gtk_snapshot_append_color (snapshot, &rule, &GRAPHENE_RECT_INIT (table->left, y1 - 1, width, 1));
          gtk_snapshot_append_color (snapshot, &rule, &GRAPHENE_RECT_INIT (table->left, y0, 1, y1 - y0));
          gtk_snapshot_append_color (snapshot, &rule, &GRAPHENE_RECT_INIT (table->right - 1, y0, 1, y1 - y0));
          for (guint k = 0; k < table->rules->len; k++)
            gtk_snapshot_append_color (snapshot, &rule,
                                       &GRAPHENE_RECT_INIT (g_array_index (table->rules, int, k), y0, 1, y1 - y0));
        }
    }
}

static void
rl_page_text_view_snapshot_layer (GtkTextView      *view,
                                  GtkTextViewLayer  layer,
                                  GtkSnapshot      *snapshot)
{
  RlPageTextView *self = RL_PAGE_TEXT_VIEW (view);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  g_autoptr(PangoLayout) layout = NULL;   /* one for every bullet drawn */
  GdkRGBA color;
  GdkRGBA bar_color;
  guint first, last;

  if (layer != GTK_TEXT_VIEW_LAYER_BELOW_TEXT)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (view)), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  bar_color = color;
  bar_color.alpha *= 0.3f;
  color.alpha *= 0.7f;
  /* Only what is on screen: asking where an off-screen line is would lay
   * out the whole page. */
  visible_offsets (view, &first, &last);

  snapshot_tables (self, snapshot, &color, first, last);
  for (guint i = 0; i < self->quote_bars->len; i++)
    {
      const QuoteBar *bar = &g_array_index (self->quote_bars, QuoteBar, i);
      GtkTextIter iter;
      int y0, y1, h;

      if (bar->end < first || bar->start > last)
        continue;
      gtk_text_buffer_get_iter_at_offset (buffer, &iter, MAX (bar->start, first));
      gtk_text_view_get_line_yrange (view, &iter, &y0, &h);
      gtk_text_buffer_get_iter_at_offset (buffer, &iter, MIN (MAX (bar->end, 1) - 1, last));
      gtk_text_view_get_line_yrange (view, &iter, &y1, &h);
      gtk_snapshot_append_color (snapshot, &bar_color,
                                 &GRAPHENE_RECT_INIT (bar->x, y0, 3, y1 + h - y0));
    }

  for (guint i = 0; i < self->bullets->len; i++)
    {
      const Bullet *bullet = &g_array_index (self->bullets, Bullet, i);
      GdkRectangle rect;
      GtkTextIter iter;
      int lw, lh;

      if (bullet->offset < first)
        continue;
      if (bullet->offset > last)
        break;
      gtk_text_buffer_get_iter_at_offset (buffer, &iter, bullet->offset);
      gtk_text_view_get_iter_location (view, &iter, &rect);
      if (layout == NULL)
        layout = gtk_widget_create_pango_layout (GTK_WIDGET (view), NULL);
      pango_layout_set_text (layout, bullet->label, -1);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (bullet->margin - lw - 8,
                                                              rect.y + (rect.height - lh) / 2));
      gtk_snapshot_append_layout (snapshot, layout, &color);
      gtk_snapshot_restore (snapshot);
    }
}

static void
rl_page_text_view_finalize (GObject *object)
{
  RlPageTextView *self = RL_PAGE_TEXT_VIEW (object);

  g_array_unref (self->bullets);
  g_array_unref (self->quote_bars);
  g_array_unref (self->tables);
  G_OBJECT_CLASS (rl_page_text_view_parent_class)->finalize (object);
}

static void
rl_page_text_view_class_init (RlPageTextViewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rl_page_text_view_finalize;
  GTK_TEXT_VIEW_CLASS (klass)->snapshot_layer = rl_page_text_view_snapshot_layer;
}

static void
rl_page_text_view_init (RlPageTextView *self)
{
  self->bullets = g_array_new (FALSE, FALSE, sizeof (Bullet));
  self->quote_bars = g_array_new (FALSE, FALSE, sizeof (QuoteBar));
  self->tables = g_array_new (FALSE, FALSE, sizeof (Table));
  g_array_set_clear_func (self->tables, table_clear);
}

GtkWidget *
rl_page_text_view_new (void)
{
  return g_object_new (RL_TYPE_PAGE_TEXT_VIEW, NULL);
}

char *
rl_page_text_view_dup_shown_text (RlPageText *page,
                                  gsize      *n_bytes)
{
  const char *text = rl_page_text_get_text (page, n_bytes);
  char *shown = g_strndup (text, *n_bytes);
  const RlTextSpan *spans, *row = NULL, *cell = NULL;
  guint n_spans;

  spans = rl_page_text_get_spans (page, &n_spans);
  for (guint i = 0; i < n_spans; i++)
    {
      if (spans[i].kind == RL_TEXT_SPAN_TABLE_ROW)
        {
          row = &spans[i];
          cell = NULL;
        }
      else if (spans[i].kind == RL_TEXT_SPAN_TABLE_CELL && row != NULL && spans[i].end <= row->end)
        {
          if (cell != NULL && cell->end + 1 == spans[i].start)
            {
              gsize byte = rl_page_text_offset_to_byte (page, cell->end);

              if (shown[byte] == '\n')
                shown[byte] = '\t';
            }
          cell = &spans[i];
        }
    }
  return shown;
}

void
rl_page_text_view_clear_marks (RlPageTextView *self)
{
  g_return_if_fail (RL_IS_PAGE_TEXT_VIEW (self));

  g_array_set_size (self->bullets, 0);
  g_array_set_size (self->quote_bars, 0);
  g_array_set_size (self->tables, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
rl_page_text_view_add_bullet (RlPageTextView *self,
                              guint           offset,
                              int             margin,
                              const char     *label)
{
  Bullet bullet = { offset, margin, "" };

  g_return_if_fail (RL_IS_PAGE_TEXT_VIEW (self));
  g_return_if_fail (label != NULL);

  g_strlcpy (bullet.label, label, sizeof bullet.label);
  g_array_append_val (self->bullets, bullet);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
rl_page_text_view_add_quote_bar (RlPageTextView *self,
                                 guint           start,
                                 guint           end,
                                 int             x)
{
  g_return_if_fail (RL_IS_PAGE_TEXT_VIEW (self));

  g_array_append_val (self->quote_bars, ((QuoteBar) { start, end, x }));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The cell's text as the page view styles it: its header weight and the
 * inline spans inside it. */
static int
measure_cell (PangoLayout      *layout,
              RlPageText       *page,
              const RlTextSpan *spans,
              guint             n_spans,
              guint             index)
{
  const RlTextSpan *cell = &spans[index];
  g_autofree char *text = rl_page_text_slice (page, cell->start, cell->end);
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
  gsize base = rl_page_text_offset_to_byte (page, cell->start);
  int width;

  if (cell->level == 1)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  for (guint i = index + 1; i < n_spans && spans[i].start < cell->end; i++)
    {
      PangoAttribute *attr;

      switch (spans[i].kind)
        {
        case RL_TEXT_SPAN_STRONG:
          attr = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
          break;
        case RL_TEXT_SPAN_EMPHASIS:
        case RL_TEXT_SPAN_IMAGE:
          attr = pango_attr_style_new (PANGO_STYLE_ITALIC);
          break;
        case RL_TEXT_SPAN_CODE:
          attr = pango_attr_family_new ("monospace");
          break;
        default:
          continue;
        }
      attr->start_index = (guint) (rl_page_text_offset_to_byte (page, spans[i].start) - base);
      attr->end_index = (guint) (rl_page_text_offset_to_byte (page, MIN (spans[i].end, cell->end)) - base);
      pango_attr_list_insert (attrs, attr);
    }
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_attributes (layout, attrs);
  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

/* Where a cell of width starts in a column at x of column_width. */
static int
aligned (RlTextAlign align,
         int         x,
         int         column_width,
         int         width)
{
  if (align == RL_TEXT_ALIGN_RIGHT)
    return x + column_width - width;
  if (align == RL_TEXT_ALIGN_CENTER)
    return x + (column_width - width) / 2;
  return x;
}

/* The row's first cell by an indent, each next one by a tab stop: one tag
 * per different layout, shared by the rows (and tables) that have it. */
static void
place_row (RlPageTextView *self,
           const TableRow *row,
           const int      *cell_columns,
           const int      *cell_widths,
           guint           n_cells,
           const int      *column_x,
           const int      *column_widths,
           const RlTextAlign *aligns)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  GtkTextTagTable *tags = gtk_text_buffer_get_tag_table (buffer);
  g_autoptr(GString) name = g_string_new ("table-row");
  g_autoptr(PangoTabArray) tabs = pango_tab_array_new ((int) n_cells - 1, TRUE);
  GtkTextTag *tag;
  GtkTextIter start, end;
  int first = cell_columns[0];
  int indent = aligned (aligns[first], column_x[first], column_widths[first], cell_widths[0]);

  g_string_append_printf (name, ":%d", indent);
  for (guint i = 1; i < n_cells; i++)
    {
      int c = cell_columns[i];
      PangoTabAlign align = PANGO_TAB_LEFT;
      int stop = column_x[c];

      if (aligns[c] == RL_TEXT_ALIGN_RIGHT)
        {
          align = PANGO_TAB_RIGHT;
          stop += column_widths[c];
        }
      else if (aligns[c] == RL_TEXT_ALIGN_CENTER)
        {
          align = PANGO_TAB_CENTER;
          stop += column_widths[c] / 2;
        }
      pango_tab_array_set_tab (tabs, (int) i - 1, align, stop);
      g_string_append_printf (name, ":%c%d", "LRC"[align == PANGO_TAB_LEFT ? 0 : align == PANGO_TAB_RIGHT ? 1 : 2],
                              stop);
    }

  tag = gtk_text_tag_table_lookup (tags, name->str);
  if (tag == NULL)
    {
      tag = gtk_text_tag_new (name->str);
      g_object_set (tag, "indent", indent, NULL);
      if (n_cells > 1)
        g_object_set (tag, "tabs", tabs, NULL);
      gtk_text_tag_table_add (tags, tag);
      g_object_unref (tag);
    }
  gtk_text_buffer_get_iter_at_offset (buffer, &start, row->start);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, row->end);
  gtk_text_buffer_apply_tag (buffer, tag, &start, &end);
}

void
rl_page_text_view_add_table (RlPageTextView *self,
                             RlPageText     *page,
                             guint           index,
                             int             x)
{
  g_autoptr(PangoLayout) layout = NULL;
  g_autoptr(GArray) cells = g_array_new (FALSE, FALSE, sizeof (guint));   /* span indices */
  g_autoptr(GArray) widths = g_array_new (FALSE, FALSE, sizeof (int));    /* per cell */
  g_autofree int *column_x = NULL;
  g_autofree int *column_widths = NULL;
  g_autofree RlTextAlign *aligns = NULL;
  g_autofree int *row_columns = NULL;
  g_autofree int *row_widths = NULL;
  const RlTextSpan *spans;
  Table table = { 0 };
  guint n_spans, n_columns = 0, c;

  g_return_if_fail (RL_IS_PAGE_TEXT_VIEW (self));
  spans = rl_page_text_get_spans (page, &n_spans);
  g_return_if_fail (index < n_spans && spans[index].kind == RL_TEXT_SPAN_TABLE);

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  table.start = spans[index].start;
  table.end = spans[index].end;
  table.rows = g_array_new (FALSE, FALSE, sizeof (TableRow));
  table.rules = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = index + 1; i < n_spans && spans[i].start < table.end; i++)
    {
      if (spans[i].kind == RL_TEXT_SPAN_TABLE_ROW)
        {
          TableRow row = { spans[i].start, spans[i].end, spans[i].level == 1 };

          g_array_append_val (table.rows, row);
        }
      else if (spans[i].kind == RL_TEXT_SPAN_TABLE_CELL && table.rows->len > 0)
        {
          int width = measure_cell (layout, page, spans, n_spans, i);

          g_array_append_val (cells, i);
          g_array_append_val (widths, width);
          n_columns = MAX (n_columns, (guint) spans[i].number);
        }
    }

  /* Columns (from 1) as wide as their widest cell, one after the other. */
  column_x = g_new0 (int, n_columns + 1);
  column_widths = g_new0 (int, n_columns + 1);
  aligns = g_new0 (RlTextAlign, n_columns + 1);
  for (guint i = 0; i < cells->len; i++)
    {
      const RlTextSpan *cell = &spans[g_array_index (cells, guint, i)];

      column_widths[cell->number] = MAX (column_widths[cell->number], g_array_index (widths, int, i));
      aligns[cell->number] = cell->align;
    }
  for (c = 2; c <= n_columns; c++)
    {
      int rule;

      column_x[c] = column_x[c - 1] + column_widths[c - 1] + CELL_GAP;
      rule = x + column_x[c] - CELL_GAP / 2;
      g_array_append_val (table.rules, rule);
    }
  table.left = x - CELL_GAP / 2;
  table.right = x + (n_columns > 0 ? column_x[n_columns] + column_widths[n_columns] : 0) + CELL_GAP / 2;

  /* Each row's cells, at their columns. */
  row_columns = g_new (int, cells->len + 1);
  row_widths = g_new (int, cells->len + 1);
  for (guint r = 0, i = 0; r < table.rows->len; r++)
    {
      const TableRow *row = &g_array_index (table.rows, TableRow, r);
      guint n = 0;

      for (; i < cells->len && spans[g_array_index (cells, guint, i)].start < row->end; i++)
        {
          row_columns[n] = spans[g_array_index (cells, guint, i)].number;
          row_widths[n++] = g_array_index (widths, int, i);
        }
      if (n > 0)
        place_row (self, row, row_columns, row_widths, n, column_x, column_widths, aligns);
    }

  g_array_append_val (self->tables, table);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
