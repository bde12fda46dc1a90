/* rl-fuzz.h — what every fuzz target of tests/fuzz shares
 *
 * A target is one LLVMFuzzerTestOneInput per decoder family. It is linked
 * twice: with libFuzzer's driver in a clang build (-Dfuzzing=true, see
 * docs/fuzzing.md), and with rl-fuzz-replay.c in the normal build, where its
 * corpus runs once as a plain test so that an input that once crashed stays
 * fixed. A target checks what the decoder promises with g_assert*: a broken
 * promise is a crash like any other.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

/* libFuzzer's entry points (rl-fuzz.c defines the second for every target). */
int  LLVMFuzzerTestOneInput (const uint8_t *data,
                             size_t         size);
int  LLVMFuzzerInitialize   (int           *argc,
                             char        ***argv);

/* Splits data at the first byte sep: *head is a NUL-terminated copy of what
 * comes before it (all of data when there is no sep), *rest and *rest_size
 * what follows (NULL and 0 when nothing does). */
void rl_fuzz_split          (const uint8_t *data,
                             size_t         size,
                             char           sep,
                             char         **head,
                             const uint8_t **rest,
                             size_t        *rest_size);

/* text (length bytes, not necessarily UTF-8) as the text matchers read
 * it (rl-text-read.h): each bad sequence a U+FFFD. g_free it. */
char *rl_fuzz_text_as_read  (const char    *text,
                             size_t         length);

G_END_DECLS
