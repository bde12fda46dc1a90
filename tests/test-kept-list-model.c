/* test-kept-list-model.c — RlKeptListModel over a GListStore
 *
 * Every test follows the model's items-changed into a mirror array, as a
 * bound list box does, and checks it against the model after each step.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-kept-list-model.h"

typedef struct
{
  GListStore      *source;
  RlKeptListModel *model;
  GPtrArray       *mirror;      /* what a view of the model would hold */
  GHashTable      *keep;        /* the names the keep function says yes to */
  guint            n_changes;
  gboolean         in_change;   /* inside an items-changed of the model */
  char            *when_changed; /* a name to append to the source, once, mid-change */
} Fixture;

static GObject *
named (const char *name)
{
  GObject *item = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data_full (item, "name", g_strdup (name), g_free);
  return item;
}

static const char *
name_of (gpointer item)
{
  return g_object_get_data (item, "name");
}

static gboolean
keep_named (gpointer item,
            gpointer data)
{
  Fixture *f = data;

  return g_hash_table_contains (f->keep, name_of (item));
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  g_assert_false (f->in_change);
  f->in_change = TRUE;
  f->n_changes++;
  g_assert_cmpuint (position + removed, <=, f->mirror->len);
  g_ptr_array_remove_range (f->mirror, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (f->mirror, (int) (position + i), g_list_model_get_item (model, position + i));
  if (f->when_changed != NULL)
    {
      g_autofree char *name = g_steal_pointer (&f->when_changed);
      g_autoptr(GObject) item = named (name);

      g_list_store_append (f->source, item);
    }
  f->in_change = FALSE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->source = g_list_store_new (G_TYPE_OBJECT);
  f->mirror = g_ptr_array_new_with_free_func (g_object_unref);
  f->keep = g_hash_table_new (g_str_hash, g_str_equal);
  f->model = rl_kept_list_model_new (G_LIST_MODEL (f->source), keep_named, f, NULL);
  g_signal_connect (f->model, "items-changed", G_CALLBACK (on_items_changed), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->model);
  g_clear_object (&f->source);
  g_ptr_array_unref (f->mirror);
  g_hash_table_unref (f->keep);
  g_free (f->when_changed);
}

static void
append (Fixture    *f,
        const char *names)
{
  g_auto(GStrv) split = g_strsplit (names, " ", -1);

  for (guint i = 0; split[i]; i++)
    {
      g_autoptr(GObject) item = named (split[i]);

      g_list_store_append (f->source, item);
    }
}

/* The source's item named name, removed (it leaves the model's source). */
static GObject *
take (Fixture    *f,
      const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->source)); i++)
    {
      GObject *item = g_list_model_get_item (G_LIST_MODEL (f->source), i);

      if (g_str_equal (name_of (item), name))
        {
          g_list_store_remove (f->source, i);
          return item;
        }
      g_object_unref (item);
    }
  g_assert_not_reached ();
}

/* The model lists names (in this order) and the mirror agrees. */
static void
assert_listed (Fixture    *f,
               const char *names)
{
  g_autoptr(GString) listed = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f->model));

  g_assert_cmpuint (f->mirror->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (f->model), i);

      g_assert_true (item == g_ptr_array_index (f->mirror, i));
      g_string_append_printf (listed, "%s%s", i ? " " : "", name_of (item));
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (f->model), n));
  g_assert_cmpstr (listed->str, ==, names);
}

static void
test_follows (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GObject) b = NULL;

  assert_listed (f, "");
  append (f, "a b c");
  assert_listed (f, "a b c");
  b = take (f, "b");
  assert_listed (f, "a c");
  g_list_store_insert (f->source, 0, b);
  assert_listed (f, "b a c");
  g_assert_false (rl_kept_list_model_is_kept (f->model, b));
}

static void
test_keeps_in_place (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GObject) a = NULL;
  g_autoptr(GObject) b = NULL;
  g_autoptr(GObject) c = NULL;
  guint n_changes;

  append (f, "a b c d");
  g_hash_table_add (f->keep, "c");
  n_changes = f->n_changes;
  c = take (f, "c");
  /* Kept where it was: nothing changes for a view. */
  assert_listed (f, "a b c d");
  g_assert_cmpuint (f->n_changes, ==, n_changes);
  g_assert_true (rl_kept_list_model_is_kept (f->model, c));
  /* After the listed item above it; first when there is none. */
  b = take (f, "b");
  assert_listed (f, "a c d");
  a = take (f, "a");
  assert_listed (f, "c d");
  append (f, "e");
  assert_listed (f, "c d e");

  /* Back in the source: listed where the source has it, not kept. */
  g_list_store_append (f->source, c);
  assert_listed (f, "d e c");
  g_assert_false (rl_kept_list_model_is_kept (f->model, c));
}

static void
test_recheck_and_release (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GObject) b = NULL;
  g_autoptr(GObject) c = NULL;

  append (f, "a b c");
  g_hash_table_add (f->keep, "b");
  g_hash_table_add (f->keep, "c");
  b = take (f, "b");
  c = take (f, "c");
  assert_listed (f, "a b c");

  /* Asked again: no longer kept, gone. */
  g_hash_table_remove (f->keep, "b");
  rl_kept_list_model_recheck (f->model);
  assert_listed (f, "a c");
  g_assert_false (rl_kept_list_model_is_kept (f->model, b));

  /* Released: gone, whatever the keep function says. */
  rl_kept_list_model_release (f->model, c);
  assert_listed (f, "a");
  g_assert_false (rl_kept_list_model_is_kept (f->model, c));
  /* Releasing what is not kept changes nothing. */
  rl_kept_list_model_release (f->model, b);
  assert_listed (f, "a");
}

/* A change asked for while a view takes the last one is made after it,
 * never inside it (on_items_changed asserts so). */
static void
test_no_nested_change (Fixture       *f,
                       gconstpointer  data)
{
  append (f, "a");
  f->when_changed = g_strdup ("b");
  append (f, "c");
  g_assert_null (f->when_changed);
  assert_listed (f, "a c b");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/kept-list-model/follows", Fixture, NULL, fixture_setup, test_follows, fixture_teardown);
  g_test_add ("/kept-list-model/keeps-in-place", Fixture, NULL, fixture_setup, test_keeps_in_place,
              fixture_teardown);
  g_test_add ("/kept-list-model/recheck-and-release", Fixture, NULL, fixture_setup, test_recheck_and_release,
              fixture_teardown);
  g_test_add ("/kept-list-model/no-nested-change", Fixture, NULL, fixture_setup, test_no_nested_change,
              fixture_teardown);
  return g_test_run ();
}
