/* rl-fuzz-page-text.h — the checks of a page's text that its fuzz targets share
 *
 * fuzz-plaintext makes a text from a page, fuzz-page-text-json reads one from
 * JSON: either way, a view renders and anchors by it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-plaintext.h"

G_BEGIN_DECLS

/* Asserts that the text's counts, offsets, slices and spans agree: inside
 * the text, non-empty, by start, outer before inner. */
void rl_fuzz_check_page_text (RlPageText *page);

G_END_DECLS
