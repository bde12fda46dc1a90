/* rl-text-read.h — a page's text as the matchers read it
 *
 * The text matchers (rl-reanchor.h, rl-diff.h) take text from uploads and
 * old revisions, not always UTF-8, and count in code points. This is the one
 * way they read it, so their offsets agree: NULL is the empty text, and each
 * bad sequence is one U+FFFD.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The code points of text (length in bytes, or -1 when NUL-terminated;
 * text may be NULL when length is 0), each bad UTF-8 sequence read as
 * U+FFFD; *n_chars their number. Never NULL; g_free it. */
gunichar *rl_text_read_code_points (const char *text,
                                    gssize      length,
                                    guint      *n_chars);

G_END_DECLS
