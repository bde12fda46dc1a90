/* rl-upload.h — checks an uploaded document before it is stored
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "rl-plaintext.h"

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

/* What rl_upload_check_content found: the normalized MIME type, an
 * image's size and its decoded pixels, or a page's text. */
typedef struct
{
  char       *mime;
  int         width;
  int         height;
  GdkPixbuf  *image;        /* images: the decoded picture */
  RlPageText *text;         /* pages */
} RlUploadChecked;

/* rl_upload_check, keeping what the check decoded (a new revision's
 * threads are carried over with it). */
gboolean rl_upload_check_content (const char      *mime,
                                  GBytes          *content,
                                  RlUploadChecked *checked,
                                  GError         **error);
void     rl_upload_checked_clear (RlUploadChecked *checked);

/* What the request's headers alone can refuse, before any byte of the body:
 * a type that is not one of the five (bad-request), a Content-Length over
 * RL_UPLOAD_MAX_BYTES (too-large). content_length is -1 when not announced
 * (chunked). */
gboolean rl_upload_check_headers (const char  *mime,
                                  goffset      content_length,
                                  GError     **error);

/* An upload's bytes, counted as they arrive: never more than
 * RL_UPLOAD_MAX_BYTES are held (one mapped block of the announced length,
 * or of the limit for a chunked body, of which only what arrived is
 * resident). */
typedef struct _RlUploadSink RlUploadSink;

RlUploadSink *rl_upload_sink_new    (goffset        content_length);
/* FALSE (too-large) once the body goes past the announced length or the
 * limit: nothing more may be read. */
gboolean      rl_upload_sink_append (RlUploadSink  *self,
                                     GBytes        *chunk,
                                     GError       **error);
gsize         rl_upload_sink_get_size (RlUploadSink *self);
/* The bytes received so far; the sink is empty afterwards. */
GBytes       *rl_upload_sink_steal  (RlUploadSink  *self);
void          rl_upload_sink_free   (RlUploadSink  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RlUploadSink, rl_upload_sink_free)

G_END_DECLS
