/* manifest-query.c — prints one part of a Flatpak manifest, one item a line,
 * for tests/dist/test-flatpak.sh (which reads flatpak-builder's own
 * --show-manifest output, so the shell never parses JSON).
 *
 *   manifest-query FILE id                the app id ("id" or "app-id")
 *   manifest-query FILE command
 *   manifest-query FILE finish-args
 *   manifest-query FILE modules           module names, in build order
 *   manifest-query FILE local-paths       every local path the manifest names
 *   manifest-query FILE sources MODULE    TYPE<tab>URL-or-PATH<tab>SHA256 lines
 *   manifest-query FILE config-opts MODULE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

static void
print_strings (JsonArray *array)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_print ("%s\n", json_node_get_string (node));
    }
}

/* Depth first, in the order flatpak-builder builds them. */
static void
collect_modules (JsonArray *modules,
                 GPtrArray *out)
{
  for (guint i = 0; modules != NULL && i < json_array_get_length (modules); i++)
    {
      JsonNode *node = json_array_get_element (modules, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *module = json_node_get_object (node);

          collect_modules (member_array (module, "modules"), out);
          g_ptr_array_add (out, module);
        }
    }
}

/* A module or source given as a string is a file next to the manifest. */
static void
print_local_paths (JsonArray *modules)
{
  for (guint i = 0; modules != NULL && i < json_array_get_length (modules); i++)
    {
      JsonNode *node = json_array_get_element (modules, i);
      JsonObject *module;
      JsonArray *sources;

      if (JSON_NODE_HOLDS_VALUE (node))
        {
          g_print ("%s\n", json_node_get_string (node));
          continue;
        }
      module = json_node_get_object (node);
      print_local_paths (member_array (module, "modules"));
      sources = member_array (module, "sources");
      for (guint s = 0; sources != NULL && s < json_array_get_length (sources); s++)
        {
          JsonNode *source_node = json_array_get_element (sources, s);
          JsonObject *source;
          const char *path;

          if (JSON_NODE_HOLDS_VALUE (source_node))
            {
              g_print ("%s\n", json_node_get_string (source_node));
              continue;
            }
          source = json_node_get_object (source_node);
          path = member_string (source, "path");
          if (path != NULL)
            g_print ("%s\n", path);
          print_strings (member_array (source, "paths"));
        }
    }
}

static JsonObject *
find_module (JsonObject *manifest,
             const char *name)
{
  g_autoptr(GPtrArray) modules = g_ptr_array_new ();

  collect_modules (member_array (manifest, "modules"), modules);
  for (guint i = 0; i < modules->len; i++)
    if (g_strcmp0 (member_string (g_ptr_array_index (modules, i), "name"), name) == 0)
      return g_ptr_array_index (modules, i);
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *manifest;
  const char *query;

  if (argc < 3)
    {
      g_printerr ("usage: manifest-query FILE QUERY [MODULE]\n");
      return 2;
    }
  if (!json_parser_load_from_file (parser, argv[1], &error))
    {
      g_printerr ("manifest-query: %s: %s\n", argv[1], error->message);
      return 1;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_printerr ("manifest-query: %s is not a JSON object\n", argv[1]);
      return 1;
    }
  manifest = json_node_get_object (json_parser_get_root (parser));
  query = argv[2];

  if (strcmp (query, "id") == 0 || strcmp (query, "command") == 0)
    {
      const char *value = member_string (manifest, query);

      if (value == NULL && strcmp (query, "id") == 0)
        value = member_string (manifest, "app-id");
      if (value == NULL)
        return 1;
      g_print ("%s\n", value);
    }
  else if (strcmp (query, "finish-args") == 0)
    print_strings (member_array (manifest, "finish-args"));
  else if (strcmp (query, "modules") == 0)
    {
      g_autoptr(GPtrArray) modules = g_ptr_array_new ();

      collect_modules (member_array (manifest, "modules"), modules);
      for (guint i = 0; i < modules->len; i++)
        g_print ("%s\n", member_string (g_ptr_array_index (modules, i), "name"));
    }
  else if (strcmp (query, "local-paths") == 0)
    print_local_paths (member_array (manifest, "modules"));
  else if ((strcmp (query, "sources") == 0 || strcmp (query, "config-opts") == 0) && argc == 4)
    {
      JsonObject *module = find_module (manifest, argv[3]);
      JsonArray *sources;

      if (module == NULL)
        {
          g_printerr ("manifest-query: no module %s\n", argv[3]);
          return 1;
        }
      if (strcmp (query, "config-opts") == 0)
        {
          print_strings (member_array (module, "config-opts"));
          return 0;
        }
      sources = member_array (module, "sources");
      for (guint s = 0; sources != NULL && s < json_array_get_length (sources); s++)
        {
          JsonNode *node = json_array_get_element (sources, s);
          JsonObject *source;
          const char *where;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          source = json_node_get_object (node);
          where = member_string (source, "url");
          if (where == NULL)
            where = member_string (source, "path");
          g_print ("%s\t%s\t%s\n",
                   member_string (source, "type") ? member_string (source, "type") : "",
                   where ? where : "",
                   member_string (source, "sha256") ? member_string (source, "sha256") : "");
        }
    }
  else
    {
      g_printerr ("manifest-query: unknown query %s\n", query);
      return 2;
    }
  return 0;
}
