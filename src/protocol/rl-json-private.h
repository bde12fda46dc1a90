/* rl-json-private.h — reading and writing members, for the codec's files
 *
 * Readers fail with RL_ERROR_BAD_REQUEST naming the member; a string read
 * is always valid UTF-8 and owned by its JsonObject. Writers add one
 * member to a JsonBuilder inside an object.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-json.h"

G_BEGIN_DECLS

/* ---- reading ------------------------------------------------------------ */

/* Sets error (RL_ERROR_BAD_REQUEST) and returns FALSE. */
gboolean     rl_json_fail              (GError        **error,
                                        const char     *format,
                                        ...) G_GNUC_PRINTF (2, 3);
JsonNode    *rl_json_member            (JsonObject     *object,
                                        const char     *name);
gboolean     rl_json_holds             (JsonNode       *node,
                                        GType           type);
gboolean     rl_json_holds_number      (JsonNode       *node);
JsonObject  *rl_json_object_of         (JsonNode       *node);
gboolean     rl_json_read_string       (JsonObject     *object,
                                        const char     *name,
                                        const char    **out,
                                        GError        **error);
gboolean     rl_json_read_optional_string (JsonObject  *object,
                                        const char     *name,
                                        const char    **out,
                                        GError        **error);
gboolean     rl_json_read_int          (JsonObject     *object,
                                        const char     *name,
                                        gint64         *out,
                                        GError        **error);
gboolean     rl_json_read_uuid         (JsonObject     *object,
                                        const char     *name,
                                        char          **out,
                                        GError        **error);
gboolean     rl_json_read_doc_id       (JsonObject     *object,
                                        char          **out,
                                        GError        **error);
gboolean     rl_json_read_time         (JsonObject     *object,
                                        const char     *name,
                                        gboolean        nullable,
                                        gint64         *out,
                                        GError        **error);
gboolean     rl_json_read_thread_number (JsonObject    *object,
                                        gint64         *out,
                                        GError        **error);
gboolean     rl_json_read_revision     (JsonObject     *object,
                                        const char     *name,
                                        gint64         *out,
                                        GError        **error);
gboolean     rl_json_read_person       (JsonNode       *node,
                                        RlPerson       *person,
                                        GError        **error);

/* The "mentions" member of a comment (optional, 1.2) into into: at most
 * RL_MENTIONS_MAX spans of body (code points), each a user id and a span
 * that starts with "@" and holds more than it, sorted, not overlapping. */
gboolean     rl_json_read_mentions     (JsonObject     *object,
                                        const char     *body,
                                        GPtrArray      *into,
                                        GError        **error);

/* Appends each element of an array, read by from_json, to into; what names
 * the array in the error when node is not one. */
typedef gpointer (*RlJsonElementFromJson) (JsonNode *node, GError **error);

gboolean     rl_json_read_array        (JsonNode       *node,
                                        const char     *what,
                                        RlJsonElementFromJson from_json,
                                        GPtrArray      *into,
                                        GError        **error);
/* The "threads" array of a snapshot or a threads body, every thread checked. */
GPtrArray   *rl_json_read_threads      (JsonObject     *object,
                                        GError        **error);

/* ---- writing ------------------------------------------------------------ */

char        *rl_json_builder_to_string (JsonBuilder    *builder,
                                        gsize          *length);
/* NULL is written as null. */
void         rl_json_add_string        (JsonBuilder    *builder,
                                        const char     *name,
                                        const char     *value);
void         rl_json_add_int           (JsonBuilder    *builder,
                                        const char     *name,
                                        gint64          value);
/* ms since the epoch as RFC 3339; 0 as null when nullable. */
void         rl_json_add_time          (JsonBuilder    *builder,
                                        const char     *name,
                                        gint64          ms,
                                        gboolean        nullable);
void         rl_json_add_person        (JsonBuilder    *builder,
                                        const char     *name,
                                        const RlPerson *person);
/* Takes node; name NULL inside an array. */
void         rl_json_add_node          (JsonBuilder    *builder,
                                        const char     *name,
                                        JsonNode       *node);
void         rl_json_build_comment     (JsonBuilder    *builder,
                                        const RlComment *comment);
/* A "mentions" member, none when mentions is NULL or empty. */
void         rl_json_build_mentions    (JsonBuilder    *builder,
                                        GPtrArray      *mentions);
void         rl_json_build_thread      (JsonBuilder    *builder,
                                        const RlThread *thread);
/* A "threads" member: every thread of threads (none when NULL). */
void         rl_json_build_threads     (JsonBuilder    *builder,
                                        GPtrArray      *threads);
/* An "error" member: {"code":…,"message":…}. */
void         rl_json_build_error       (JsonBuilder    *builder,
                                        RlErrorCode     code,
                                        const char     *message);

G_END_DECLS
