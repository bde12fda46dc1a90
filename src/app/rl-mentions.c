/* rl-mentions.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-mentions.h"

#include "rl-member-item.h"
#include "rl-session.h"

/* The highlight: the accent blue, faint for others, stronger for the user. */
#define MENTION_RED   0x3535
#define MENTION_GREEN 0x8484
#define MENTION_BLUE  0xe4e4
#define MENTION_ALPHA (G_MAXUINT16 / 5)
#define ME_ALPHA      (G_MAXUINT16 * 2 / 5)

char *
rl_mention_fold (const char *text)
{
  g_autofree char *decomposed = NULL;
  g_autoptr(GString) bare = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);
  if (decomposed == NULL)
    return g_strdup ("");
  bare = g_string_new (NULL);
  for (const char *p = decomposed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_ismark (c))
        g_string_append_unichar (bare, c);
    }
  return g_utf8_casefold (bare->str, bare->len);
}

gboolean
rl_mention_name_matches (const char *name,
                         const char *folded_query)
{
  g_autofree char *folded = NULL;
  gboolean word_start = TRUE;

  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (folded_query != NULL, FALSE);

  folded = rl_mention_fold (name);
  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (word_start && g_unichar_isalnum (c) && g_str_has_prefix (p, folded_query))
        return TRUE;
      word_start = !g_unichar_isalnum (c);
    }
  return *folded_query == '\0';
}

/* The span of body (length code points) that mention names, in bytes; FALSE
 * for a span that is not one (out of order, outside, not "@…"). */
static gboolean
span_bytes (const char      *body,
            glong            length,
            const RlMention *mention,
            gint64           after,
            gsize           *start,
            gsize           *end)
{
  const char *from;

  if (mention->user == NULL || mention->start < after || mention->end <= mention->start + 1 ||
      mention->end > length)
    return FALSE;
  from = g_utf8_offset_to_pointer (body, mention->start);
  if (*from != '@')
    return FALSE;
  *start = from - body;
  *end = g_utf8_offset_to_pointer (from, mention->end - mention->start) - body;
  return TRUE;
}

char *
rl_mention_format_body (const char     *body,
                        GPtrArray      *mentions,
                        RlApi          *api,
                        const char     *me,
                        PangoAttrList **attrs)
{
  g_autoptr(GString) shown = NULL;
  g_autoptr(PangoAttrList) list = NULL;
  glong length;
  gsize copied = 0;
  gint64 after = 0;

  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (api == NULL || RL_IS_API (api), NULL);

  shown = g_string_new (NULL);
  list = pango_attr_list_new ();
  length = g_utf8_strlen (body, -1);
  for (guint i = 0; mentions != NULL && i < mentions->len; i++)
    {
      const RlMention *mention = g_ptr_array_index (mentions, i);
      RlMemberItem *member = api ? rl_api_lookup_member (api, mention->user) : NULL;
      gboolean mine = g_strcmp0 (mention->user, me) == 0;
      PangoAttribute *attr;
      gsize start, end, shown_start;

      if (!span_bytes (body, length, mention, after, &start, &end))
        continue;
      after = mention->end;
      g_string_append_len (shown, body + copied, start - copied);
      shown_start = shown->len;
      if (member != NULL)
        {
          g_string_append_c (shown, '@');
          g_string_append (shown, rl_member_item_get_name (member));
        }
      else
        g_string_append_len (shown, body + start, end - start);
      copied = end;

      attr = pango_attr_background_new (MENTION_RED, MENTION_GREEN, MENTION_BLUE);
      attr->start_index = shown_start;
      attr->end_index = shown->len;
      pango_attr_list_insert (list, attr);
      attr = pango_attr_background_alpha_new (mine ? ME_ALPHA : MENTION_ALPHA);
      attr->start_index = shown_start;
      attr->end_index = shown->len;
      pango_attr_list_insert (list, attr);
      if (mine)
        {
          attr = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
          attr->start_index = shown_start;
          attr->end_index = shown->len;
          pango_attr_list_insert (list, attr);
        }
    }
  g_string_append (shown, body + copied);
  if (attrs != NULL)
    *attrs = g_steal_pointer (&list);
  return g_string_free (g_steal_pointer (&shown), FALSE);
}

/* ---- a label kept current ------------------------------------------------- */

#define SHOWN_KEY "rl-mention-shown"

typedef struct
{
  GtkLabel  *label;     /* owns this */
  RlApi     *api;       /* NULL: no session */
  char      *me;
  char      *body;
  GPtrArray *mentions;  /* of RlMention* */
  GPtrArray *watched;   /* RlMemberItem* whose "name" shows here */
} Shown;

static void
unwatch (Shown *shown)
{
  for (guint i = 0; i < shown->watched->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (shown->watched, i), shown);
  g_ptr_array_set_size (shown->watched, 0);
}

static void
shown_free (Shown *shown)
{
  unwatch (shown);
  if (shown->api != NULL)
    g_signal_handlers_disconnect_by_data (rl_api_get_members (shown->api), shown);
  g_clear_object (&shown->api);
  g_free (shown->me);
  g_free (shown->body);
  g_ptr_array_unref (shown->mentions);
  g_ptr_array_unref (shown->watched);
  g_free (shown);
}

static void
show (Shown *shown)
{
  g_autoptr(PangoAttrList) attrs = NULL;
  g_autofree char *text = rl_mention_format_body (shown->body, shown->mentions, shown->api, shown->me, &attrs);

  unwatch (shown);
  for (guint i = 0; shown->api != NULL && i < shown->mentions->len; i++)
    {
      const RlMention *mention = g_ptr_array_index (shown->mentions, i);
      RlMemberItem *member = rl_api_lookup_member (shown->api, mention->user);

      if (member == NULL || g_ptr_array_find (shown->watched, member, NULL))
        continue;
      g_signal_connect_swapped (member, "notify::name", G_CALLBACK (show), shown);
      g_ptr_array_add (shown->watched, g_object_ref (member));
    }
  gtk_label_set_attributes (shown->label, attrs);
  gtk_label_set_text (shown->label, text);
}

void
rl_mention_label_set (GtkLabel     *label,
                      const char   *body,
                      GPtrArray    *mentions,
                      RlConnection *connection)
{
  Shown *shown;
  RlApi *api;

  g_return_if_fail (GTK_IS_LABEL (label));
  g_return_if_fail (body != NULL);
  g_return_if_fail (connection == NULL || RL_IS_CONNECTION (connection));

  api = connection ? rl_session_lookup_api (connection) : NULL;
  shown = g_new0 (Shown, 1);
  shown->label = label;
  shown->api = api ? g_object_ref (api) : NULL;
  shown->me = connection ? g_strdup (rl_connection_get_user_id (connection)) : NULL;
  shown->body = g_strdup (body);
  shown->mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) rl_mention_free);
  for (guint i = 0; mentions != NULL && i < mentions->len; i++)
    g_ptr_array_add (shown->mentions, rl_mention_copy (g_ptr_array_index (mentions, i)));
  shown->watched = g_ptr_array_new_with_free_func (g_object_unref);
  /* Replaces (and frees) what the label showed before. */
  g_object_set_data_full (G_OBJECT (label), SHOWN_KEY, shown, (GDestroyNotify) shown_free);
  if (api != NULL && shown->mentions->len > 0)
    g_signal_connect_swapped (rl_api_get_members (api), "items-changed", G_CALLBACK (show), shown);
  show (shown);
}
