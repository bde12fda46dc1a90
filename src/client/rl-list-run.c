/* rl-list-run.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-list-run.h"

static gboolean
item_at_shows (GListModel    *model,
               guint          position,
               RlShowsFunc    shows,
               gconstpointer  element)
{
  g_autoptr(GObject) item = g_list_model_get_item (model, position);

  return shows (item, element);
}

gboolean
rl_list_find_changed_run (GListModel *model,
                          GPtrArray  *elements,
                          RlShowsFunc shows,
                          guint      *position,
                          guint      *n_removed,
                          guint      *n_added)
{
  guint n_old = g_list_model_get_n_items (model);
  guint prefix = 0, suffix = 0;

  while (prefix < n_old && prefix < elements->len &&
         item_at_shows (model, prefix, shows, g_ptr_array_index (elements, prefix)))
    prefix++;
  while (suffix < n_old - prefix && suffix < elements->len - prefix &&
         item_at_shows (model, n_old - 1 - suffix, shows, g_ptr_array_index (elements, elements->len - 1 - suffix)))
    suffix++;
  *position = prefix;
  *n_removed = n_old - prefix - suffix;
  *n_added = elements->len - prefix - suffix;
  return *n_removed > 0 || *n_added > 0;
}
