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

struct _RlPageTextView
{
  GtkTextView  parent_instance;
  GArray      *bullets;      /* of Bullet, by offset */
  GArray      *quote_bars;   /* of QuoteBar, by start */
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
}

GtkWidget *
rl_page_text_view_new (void)
{
  return g_object_new (RL_TYPE_PAGE_TEXT_VIEW, NULL);
}

void
rl_page_text_view_clear_marks (RlPageTextView *self)
{
  g_return_if_fail (RL_IS_PAGE_TEXT_VIEW (self));

  g_array_set_size (self->bullets, 0);
  g_array_set_size (self->quote_bars, 0);
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
