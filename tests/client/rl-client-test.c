/* rl-client-test.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rl-client-test.h"
#include "rl-connection-private.h"

#include <glib/gstdio.h>

void
rl_client_test_team_init (RlClientTestTeam    *team,
                          RlClientTestMembers  members)
{
  *team = (RlClientTestTeam) { { NULL } };
  rl_test_team_init (&team->team, "Ada:member", &team->ada, NULL);
  team->server = team->team.server;
  if (members & RL_CLIENT_TEST_WITH_BEA)
    team->bea = rl_test_team_add_person (&team->team, "Bea:member");
  if (members & RL_CLIENT_TEST_WITH_BOB)
    team->bob = rl_test_team_add_person (&team->team, "Bob:member");
  team->image = rl_test_team_add_doc (&team->team, "acme", "Mockup", "mockup.png");
}

void
rl_client_test_team_clear (RlClientTestTeam *team)
{
  rl_test_team_clear (&team->team);
  *team = (RlClientTestTeam) { { NULL } };
}

RlConnection *
rl_client_test_new_connection (RlTestServer *server,
                               const char   *token)
{
  RlConnection *conn = rl_connection_new (server->ws_base, token, NULL);

  rl_connection_set_timing (conn, 100, 800, 1, 3000, 3000);
  return conn;
}

RlConnection *
rl_client_test_online (RlTestServer *server,
                       const char   *token)
{
  RlConnection *conn = rl_client_test_new_connection (server, token);

  rl_connection_start (conn);
  while (rl_connection_get_state (conn) != RL_CONNECTION_ONLINE)
    g_main_context_iteration (NULL, TRUE);
  return conn;
}

gboolean
rl_client_test_wait_state (RlConnection      *conn,
                           RlConnectionState  state,
                           guint              ms)
{
  return RL_TEST_POLL_UNTIL (rl_connection_get_state (conn) == state, ms);
}

gboolean
rl_client_test_store_settled (RlDocStore *store)
{
  return rl_doc_store_is_synced (store) && rl_doc_store_get_n_in_flight (store) == 0;
}

RlThreadItem *
rl_client_test_thread_at (RlDocStore *store,
                          guint       i)
{
  g_autoptr(RlThreadItem) item = g_list_model_get_item (rl_doc_store_get_threads (store), i);

  return item;   /* the model keeps it */
}

void
rl_client_test_store_result (GObject      *source,
                             GAsyncResult *result,
                             gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

GAsyncResult *
rl_client_test_wait_result (GAsyncResult **slot)
{
  RL_TEST_WAIT_UNTIL (*slot != NULL, 10000);
  return *slot;
}

void
rl_client_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          rl_client_test_remove_tree (child);
        }
    }
  g_remove (path);
}
