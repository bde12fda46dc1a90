/* rl-codec.h — the JSON shape of every message (PROTOCOL.md §2–§6)
 *
 * The only place the wire format is written, in one file per direction:
 * rl-json.h (strict JSON, the objects, HTTP bodies), rl-request.h (what
 * clients send), rl-event.h (events and what a request does),
 * rl-message.h (what the server sends), rl-activity.h (the activity feed
 * and read state, 1.2). Include this for all of them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rl-json.h"
#include "rl-request.h"
#include "rl-event.h"
#include "rl-message.h"
#include "rl-activity.h"
