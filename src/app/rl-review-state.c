/* rl-review-state.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rl-review-state.h"

#include <glib/gi18n.h>

struct _RlReviewState
{
  GObject             parent_instance;

  RlConnection       *connection;
  gboolean            reached;
  RlDocStore         *store;
  RlDocKind           kind;
  GHashTable         *order;       /* RlThreadItem → its place in the store + 1 */

  char               *selected_thread;
  gboolean            hide_resolved;
  gboolean            can_create;
  const char         *cannot_create_reason;   /* translated, static */
  gint64              revision;    /* the version shown; 0: the latest, unnumbered (v1) */
  gboolean            all_versions; /* FALSE: only the threads placed on the version shown */
  char               *placing_thread; /* the thread the person is placing anew, or NULL */

  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  RlReviewStatePositionFunc position_func;
  gpointer            position_data;
  GDestroyNotify      position_destroy;
};

G_DEFINE_FINAL_TYPE (RlReviewState, rl_review_state, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_REACHED,
  PROP_STORE,
  PROP_SELECTED_THREAD,
  PROP_HIDE_RESOLVED,
  PROP_CAN_CREATE,
  PROP_CANNOT_CREATE_REASON,
  PROP_REVISION,
  PROP_ALL_VERSIONS,
  PROP_PLACING_THREAD,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_THREADS_ARRIVING, SIGNAL_POSITIONS_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Why nothing can be added in each state of the connection (NULL: it
 * can), on a page and on an image; the last: a server never reached. */
static const struct
{
  const char *page_reason;
  const char *image_reason;
} reasons[] = {
  [RL_CONNECTION_ONLINE] = { NULL, NULL },
  [RL_CONNECTION_CONNECTING] = {
    N_("Connecting to the server; you can comment in a moment."),
    N_("Connecting to the server; you can add markers in a moment.") },
  [RL_CONNECTION_RECONNECTING] = {
    N_("The connection was lost; you can comment when it is back."),
    N_("The connection was lost; you can add markers when it is back.") },
  [RL_CONNECTION_OFFLINE] = {
    N_("You’re offline; you can comment when you’re back."),
    N_("You’re offline; you can add markers when you’re back.") },
  [RL_CONNECTION_UNAUTHORIZED] = {
    N_("You’re signed out; sign in again to comment."),
    N_("You’re signed out; sign in again to add markers.") },
  [RL_CONNECTION_UNTRUSTED] = {
    N_("Not connected: the server’s certificate is not the one this account trusts."),
    N_("Not connected: the server’s certificate is not the one this account trusts.") },
  [RL_CONNECTION_UNTRUSTED + 1] = {
    N_("The server can’t be reached yet; you can comment once it is."),
    N_("The server can’t be reached yet; you can add markers once it is.") },
};

static void
update_can_create (RlReviewState *self)
{
  RlConnectionState state = self->connection ? rl_connection_get_state (self->connection) : RL_CONNECTION_ONLINE;
  guint look = state;
  const char *reason;
  gboolean was_reached = self->reached;

  g_return_if_fail ((guint) state < G_N_ELEMENTS (reasons) - 1);
  /* Without a connection nothing says no. */
  if (state == RL_CONNECTION_ONLINE && self->connection != NULL)
    self->reached = TRUE;
  else if (state == RL_CONNECTION_RECONNECTING && !self->reached)
    look = G_N_ELEMENTS (reasons) - 1;
  reason = self->kind == RL_DOC_KIND_PAGE ? reasons[look].page_reason : reasons[look].image_reason;
  reason = reason ? _(reason) : NULL;
  /* Threads are made and moved on the latest version only. */
  if (reason == NULL && self->store != NULL && self->revision > 0 &&
      self->revision < rl_doc_store_get_revision (self->store))
    reason = self->kind == RL_DOC_KIND_PAGE ? _("This is an older version; show the latest to comment.")
                                            : _("This is an older version; show the latest to add markers.");

  g_object_freeze_notify (G_OBJECT (self));
  if (self->reached != was_reached)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REACHED]);
  if (g_strcmp0 (reason, self->cannot_create_reason) != 0)
    {
      self->cannot_create_reason = reason;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CANNOT_CREATE_REASON]);
    }
  if (self->can_create != (reason == NULL))
    {
      self->can_create = reason == NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CREATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
shows_thread (gpointer item,
              gpointer data)
{
  RlReviewState *self = data;
  const RlThread *thread = rl_thread_item_get_thread (item);

  if (self->hide_resolved && thread->resolved)
    return FALSE;
  return self->all_versions || rl_thread_get_anchor_on (thread, self->revision) != NULL;
}

/* Its placement on the version shown says it was not found there. */
static gboolean
not_found (RlReviewState  *self,
           const RlThread *thread)
{
  const RlRevisionAnchor *placement;

  if (self->revision <= 0)
    return FALSE;
  placement = rl_thread_get_placement (thread, self->revision);
  return placement != NULL && placement->status == RL_PLACEMENT_ORPHANED;
}

typedef struct
{
  guint    start;
  guint    end;
  guint    index;      /* in creation order: ties and orphans keep it */
  gboolean orphaned;
  gboolean not_found;  /* on the version shown */
} Position;

static Position
position_of (RlReviewState *self,
             RlThreadItem  *item)
{
  const RlThread *thread = rl_thread_item_get_thread (item);
  Position position = { 0, 0, GPOINTER_TO_UINT (g_hash_table_lookup (self->order, item)), FALSE, FALSE };

  position.not_found = not_found (self, thread);
  position.orphaned = self->position_func != NULL
                      && !self->position_func (thread, &position.start, &position.end, self->position_data);
  return position;
}

/* Text order (pages) or creation order (images); orphans after the placed
 * ones, by age; last, by age, those not found on the version shown. */
static int
compare_threads (gconstpointer a,
                 gconstpointer b,
                 gpointer      data)
{
  RlReviewState *self = data;
  Position pa, pb;

  pa = position_of (self, (gpointer) a);
  pb = position_of (self, (gpointer) b);
  if (pa.not_found != pb.not_found)
    return pa.not_found ? GTK_ORDERING_LARGER : GTK_ORDERING_SMALLER;
  if (pa.orphaned != pb.orphaned)
    return pa.orphaned ? GTK_ORDERING_LARGER : GTK_ORDERING_SMALLER;
  if (!pa.orphaned && pa.start != pb.start)
    return pa.start < pb.start ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
  if (!pa.orphaned && pa.end != pb.end)
    return pa.end < pb.end ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
  return gtk_ordering_from_cmpfunc (pa.index < pb.index ? -1 : pa.index > pb.index);
}

static void
thread_changed (RlReviewState *self)
{
  /* Resolving shows or hides the thread; a moved anchor or a placement
   * settled may move it (or show it on this version). */
  if (self->hide_resolved || !self->all_versions)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  rl_review_state_positions_changed (self);
}

/* Runs before the shown threads change: "threads-arriving" lets the
 * views learn of new threads before rows or pins are made for them. */
static void
store_threads_changed (GListModel    *threads,
                       guint          position,
                       guint          removed,
                       guint          added,
                       RlReviewState *self)
{
  guint n = g_list_model_get_n_items (threads);

  g_hash_table_remove_all (self->order);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RlThreadItem) item = g_list_model_get_item (threads, i);

      g_hash_table_insert (self->order, item, GUINT_TO_POINTER (i + 1));
      if (i >= position && i < position + added
          && g_signal_handler_find (item, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                    thread_changed, self) == 0)
        g_signal_connect_object (item, "notify::thread", G_CALLBACK (thread_changed), self, G_CONNECT_SWAPPED);
    }
  g_signal_emit (self, signals[SIGNAL_THREADS_ARRIVING], 0, position, removed, added);
}

static void
disconnect_store (RlReviewState *self)
{
  GListModel *threads;
  guint n;

  if (self->store == NULL)
    return;
  threads = rl_doc_store_get_threads (self->store);
  n = g_list_model_get_n_items (threads);
  g_signal_handlers_disconnect_by_data (threads, self);
  g_signal_handlers_disconnect_by_func (self->store, update_can_create, self);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (threads, i);

      g_signal_handlers_disconnect_by_data (item, self);
    }
  g_hash_table_remove_all (self->order);
  g_clear_object (&self->store);
}

static void
rl_review_state_dispose (GObject *object)
{
  RlReviewState *self = RL_REVIEW_STATE (object);

  if (self->filtered != NULL)
    gtk_filter_list_model_set_model (self->filtered, NULL);
  disconnect_store (self);
  rl_review_state_set_connection (self, NULL);
  if (self->position_destroy)
    self->position_destroy (self->position_data);
  self->position_func = NULL;
  self->position_destroy = NULL;
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  G_OBJECT_CLASS (rl_review_state_parent_class)->dispose (object);
}

static void
rl_review_state_finalize (GObject *object)
{
  RlReviewState *self = RL_REVIEW_STATE (object);

  g_hash_table_unref (self->order);
  g_free (self->selected_thread);
  g_free (self->placing_thread);
  G_OBJECT_CLASS (rl_review_state_parent_class)->finalize (object);
}

static void
rl_review_state_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  RlReviewState *self = RL_REVIEW_STATE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_REACHED:
      g_value_set_boolean (value, self->reached);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SELECTED_THREAD:
      g_value_set_string (value, self->selected_thread);
      break;
    case PROP_HIDE_RESOLVED:
      g_value_set_boolean (value, self->hide_resolved);
      break;
    case PROP_CAN_CREATE:
      g_value_set_boolean (value, self->can_create);
      break;
    case PROP_CANNOT_CREATE_REASON:
      g_value_set_string (value, self->cannot_create_reason);
      break;
    case PROP_REVISION:
      g_value_set_int64 (value, self->revision);
      break;
    case PROP_ALL_VERSIONS:
      g_value_set_boolean (value, self->all_versions);
      break;
    case PROP_PLACING_THREAD:
      g_value_set_string (value, self->placing_thread);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_review_state_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  RlReviewState *self = RL_REVIEW_STATE (object);

  switch (prop_id)
    {
    case PROP_SELECTED_THREAD:
      rl_review_state_set_selected_thread (self, g_value_get_string (value));
      break;
    case PROP_HIDE_RESOLVED:
      rl_review_state_set_hide_resolved (self, g_value_get_boolean (value));
      break;
    case PROP_ALL_VERSIONS:
      rl_review_state_set_all_versions (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rl_review_state_class_init (RlReviewStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rl_review_state_dispose;
  object_class->finalize = rl_review_state_finalize;
  object_class->get_property = rl_review_state_get_property;
  object_class->set_property = rl_review_state_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, RL_TYPE_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REACHED] =
    g_param_spec_boolean ("reached", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, RL_TYPE_DOC_STORE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_THREAD] =
    g_param_spec_string ("selected-thread", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HIDE_RESOLVED] =
    g_param_spec_boolean ("hide-resolved", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_CREATE] =
    g_param_spec_boolean ("can-create", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CANNOT_CREATE_REASON] =
    g_param_spec_string ("cannot-create-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVISION] =
    g_param_spec_int64 ("revision", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLACING_THREAD] =
    g_param_spec_string ("placing-thread", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALL_VERSIONS] =
    g_param_spec_boolean ("all-versions", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The store's threads changed (position, removed, added), before the
   * shown threads do. */
  signals[SIGNAL_THREADS_ARRIVING] =
    g_signal_new ("threads-arriving", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
  /* Where threads sit in the text changed (pages). */
  signals[SIGNAL_POSITIONS_CHANGED] =
    g_signal_new ("positions-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
rl_review_state_init (RlReviewState *self)
{
  self->kind = RL_DOC_KIND_IMAGE;
  self->order = g_hash_table_new (NULL, NULL);
  self->all_versions = TRUE;
  self->filter = gtk_custom_filter_new (shows_thread, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->filtered)),
                                          GTK_SORTER (gtk_custom_sorter_new (compare_threads, self, NULL)));
  update_can_create (self);
}

RlReviewState *
rl_review_state_new (void)
{
  return g_object_new (RL_TYPE_REVIEW_STATE, NULL);
}

void
rl_review_state_set_connection (RlReviewState *self,
                                RlConnection  *connection)
{
  g_return_if_fail (RL_IS_REVIEW_STATE (self));
  g_return_if_fail (connection == NULL || RL_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);
  if (self->reached)
    {
      self->reached = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REACHED]);
    }
  if (connection != NULL)
    g_signal_connect_swapped (connection, "notify::state", G_CALLBACK (update_can_create), self);
  update_can_create (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

RlConnection *
rl_review_state_get_connection (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), NULL);
  return self->connection;
}

gboolean
rl_review_state_get_reached (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), FALSE);
  return self->reached;
}

void
rl_review_state_set_store (RlReviewState *self,
                           RlDocStore    *store,
                           RlDocKind      kind)
{
  GListModel *threads;

  g_return_if_fail (RL_IS_REVIEW_STATE (self));
  g_return_if_fail (store == NULL || RL_IS_DOC_STORE (store));

  if (self->store == store && self->kind == kind)
    return;
  gtk_filter_list_model_set_model (self->filtered, NULL);
  disconnect_store (self);
  rl_review_state_set_selected_thread (self, NULL);
  rl_review_state_set_placing_thread (self, NULL);
  self->kind = kind;
  update_can_create (self);
  if (store == NULL)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
      return;
    }
  /* The views take the new store first; then they hear of its threads,
   * before the shown threads list them. */
  self->store = g_object_ref (store);
  g_signal_connect_swapped (store, "notify::revision", G_CALLBACK (update_can_create), self);
  update_can_create (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  threads = rl_doc_store_get_threads (store);
  /* Connected before the filter model, so it runs first. */
  g_signal_connect (threads, "items-changed", G_CALLBACK (store_threads_changed), self);
  store_threads_changed (threads, 0, 0, g_list_model_get_n_items (threads), self);
  gtk_filter_list_model_set_model (self->filtered, threads);
}

RlDocStore *
rl_review_state_get_store (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), NULL);
  return self->store;
}

RlDocKind
rl_review_state_get_kind (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), RL_DOC_KIND_IMAGE);
  return self->kind;
}

const char *
rl_review_state_get_selected_thread (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), NULL);
  return self->selected_thread;
}

void
rl_review_state_set_selected_thread (RlReviewState *self,
                                     const char    *thread_id)
{
  g_return_if_fail (RL_IS_REVIEW_STATE (self));

  if (g_strcmp0 (self->selected_thread, thread_id) == 0)
    return;
  g_free (self->selected_thread);
  self->selected_thread = g_strdup (thread_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_THREAD]);
}

gboolean
rl_review_state_get_hide_resolved (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), FALSE);
  return self->hide_resolved;
}

void
rl_review_state_set_hide_resolved (RlReviewState *self,
                                   gboolean       hide_resolved)
{
  g_return_if_fail (RL_IS_REVIEW_STATE (self));

  hide_resolved = !!hide_resolved;
  if (self->hide_resolved == hide_resolved)
    return;
  self->hide_resolved = hide_resolved;
  gtk_filter_changed (GTK_FILTER (self->filter),
                      hide_resolved ? GTK_FILTER_CHANGE_MORE_STRICT : GTK_FILTER_CHANGE_LESS_STRICT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIDE_RESOLVED]);
}

gboolean
rl_review_state_get_can_create (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), FALSE);
  return self->can_create;
}

const char *
rl_review_state_get_cannot_create_reason (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), NULL);
  return self->cannot_create_reason;
}

GListModel *
rl_review_state_get_threads (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

gboolean
rl_review_state_has_thread (RlReviewState *self,
                            RlThreadItem  *item)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), FALSE);

  return g_hash_table_contains (self->order, item);
}

void
rl_review_state_set_position_func (RlReviewState            *self,
                                   RlReviewStatePositionFunc func,
                                   gpointer                  user_data,
                                   GDestroyNotify            destroy)
{
  g_return_if_fail (RL_IS_REVIEW_STATE (self));

  if (self->position_destroy)
    self->position_destroy (self->position_data);
  self->position_func = func;
  self->position_data = user_data;
  self->position_destroy = destroy;
  rl_review_state_positions_changed (self);
}

void
rl_review_state_positions_changed (RlReviewState *self)
{
  g_return_if_fail (RL_IS_REVIEW_STATE (self));

  gtk_sorter_changed (gtk_sort_list_model_get_sorter (self->sorted), GTK_SORTER_CHANGE_DIFFERENT);
  g_signal_emit (self, signals[SIGNAL_POSITIONS_CHANGED], 0);
}

gboolean
rl_review_state_is_orphaned (RlReviewState  *self,
                             const RlThread *thread)
{
  guint start, end;

  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), FALSE);
  g_return_val_if_fail (thread != NULL, FALSE);

  return self->position_func != NULL && !self->position_func (thread, &start, &end, self->position_data);
}

gboolean
rl_review_state_has_position_func (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), FALSE);
  return self->position_func != NULL;
}

gint64
rl_review_state_get_revision (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), 0);
  return self->revision;
}

void
rl_review_state_set_revision (RlReviewState *self,
                              gint64         revision)
{
  g_return_if_fail (RL_IS_REVIEW_STATE (self));
  g_return_if_fail (revision >= 0);

  if (self->revision == revision)
    return;
  self->revision = revision;
  update_can_create (self);
  rl_review_state_set_placing_thread (self, NULL);
  /* Which threads are placed on it, and which not found, is another
   * question now. */
  if (!self->all_versions)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);
  rl_review_state_positions_changed (self);
}

gboolean
rl_review_state_is_not_found (RlReviewState  *self,
                              const RlThread *thread)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), FALSE);
  g_return_val_if_fail (thread != NULL, FALSE);

  return not_found (self, thread);
}

gboolean
rl_review_state_get_all_versions (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), TRUE);
  return self->all_versions;
}

void
rl_review_state_set_all_versions (RlReviewState *self,
                                  gboolean       all_versions)
{
  g_return_if_fail (RL_IS_REVIEW_STATE (self));

  all_versions = !!all_versions;
  if (self->all_versions == all_versions)
    return;
  self->all_versions = all_versions;
  gtk_filter_changed (GTK_FILTER (self->filter),
                      all_versions ? GTK_FILTER_CHANGE_LESS_STRICT : GTK_FILTER_CHANGE_MORE_STRICT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALL_VERSIONS]);
}

const char *
rl_review_state_get_placing_thread (RlReviewState *self)
{
  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), NULL);
  return self->placing_thread;
}

void
rl_review_state_set_placing_thread (RlReviewState *self,
                                    const char    *thread_id)
{
  g_return_if_fail (RL_IS_REVIEW_STATE (self));

  if (g_strcmp0 (self->placing_thread, thread_id) == 0)
    return;
  g_free (self->placing_thread);
  self->placing_thread = g_strdup (thread_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACING_THREAD]);
}

gboolean
rl_review_state_place_thread (RlReviewState   *self,
                              const RlAnchor  *anchor,
                              GError         **error)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (RL_IS_REVIEW_STATE (self), FALSE);
  g_return_val_if_fail (self->placing_thread != NULL && self->store != NULL, FALSE);
  g_return_val_if_fail (anchor != NULL, FALSE);

  id = g_strdup (self->placing_thread);
  rl_review_state_set_placing_thread (self, NULL);
  if (!rl_doc_store_place_thread (self->store, id, anchor, error))
    return FALSE;
  rl_review_state_set_selected_thread (self, id);
  return TRUE;
}
