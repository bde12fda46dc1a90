/* rl-upload.h — checks an uploaded document before it is stored
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Images are really decoded (and must be what the MIME type says, within the
 * size limits); pages must be valid UTF-8 and parse. The normalized MIME type
 * (lower case, no parameters) is returned in *mime_out. */
gboolean rl_upload_check (const char  *mime,
                          GBytes      *content,
                          char       **mime_out,
                          int         *width,
                          int         *height,
                          GError     **error);

G_END_DECLS
