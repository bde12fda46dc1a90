/* rl-upload-row.h — one upload under the document list: its file, how far
 * it has gone, a Cancel button; or why it was refused, and Dismiss
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RL_TYPE_UPLOAD_ROW (rl_upload_row_get_type ())
G_DECLARE_FINAL_TYPE (RlUploadRow, rl_upload_row, RL, UPLOAD_ROW, GtkWidget)

/* name: the file's, as people see it. */
GtkWidget  *rl_upload_row_new          (const char  *name);
const char *rl_upload_row_get_name     (RlUploadRow *self);
/* sent of total bytes are on their way (total > 0). */
void        rl_upload_row_set_progress (RlUploadRow *self,
                                        goffset      sent,
                                        goffset      total);
/* The fraction shown, 0 before any progress. */
double      rl_upload_row_get_fraction (RlUploadRow *self);
/* The upload failed: message says why; Cancel becomes Dismiss. */
void        rl_upload_row_set_error    (RlUploadRow *self,
                                        const char  *message);
/* NULL while it is under way. */
const char *rl_upload_row_get_error    (RlUploadRow *self);
/* What the row says under the bar: progress, or the error. */
const char *rl_upload_row_get_status   (RlUploadRow *self);
/* The Cancel (or Dismiss) button, which emits "close". */
GtkWidget  *rl_upload_row_get_button   (RlUploadRow *self);

G_END_DECLS
