/* rl-fuzz-replay.c — a fuzz target's corpus, replayed as a plain test
 *
 * Linked into each target of tests/fuzz in the normal build instead of
 * libFuzzer's driver: every file of the directories (or the files) given is
 * fed to LLVMFuzzerTestOneInput once, in a buffer of exactly its size so
 * that the ASan build sees a read past the end. An empty corpus fails: a
 * regression test that replays nothing proves nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-fuzz.h"

#include <stdlib.h>
#include <string.h>

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree uint8_t *exact = NULL;
  gsize size = 0;

  if (!g_file_get_contents (path, &contents, &size, &error))
    g_error ("%s", error->message);
  exact = g_memdup2 (contents, size);
  g_printerr ("%s\n", path);
  LLVMFuzzerTestOneInput (exact, size);
}

int
main (int    argc,
      char **argv)
{
  guint n_inputs = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s CORPUS-DIRECTORY|FILE…\n", argv[0]);
      return 2;
    }
  LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = NULL;
      const char *name;

      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          replay_file (argv[i]);
          n_inputs++;
          continue;
        }
      dir = g_dir_open (argv[i], 0, &error);
      if (dir == NULL)
        g_error ("%s", error->message);
      names = g_ptr_array_new_with_free_func (g_free);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
      g_ptr_array_sort (names, compare_names);
      for (guint k = 0; k < names->len; k++)
        {
          replay_file (g_ptr_array_index (names, k));
          n_inputs++;
        }
    }

  g_print ("%u inputs replayed\n", n_inputs);
  return n_inputs > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
