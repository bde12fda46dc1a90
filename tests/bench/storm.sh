#!/bin/sh
# The reconnect storm by hand: 10 000 subscribed clients on 10 users cut by
# a restart of a release build of redline-server (tests/bench/rl-storm.c
# says what it does and checks). The server needs two descriptors per
# WebSocket, 20 084 for 10 000 clients and 10 writers: `ulimit -Hn` must
# allow it (rl-storm raises its soft limit, and the hard one when it may;
# the server inherits them). Where the hard limit is 20 000 and can't be
# raised (a container), 9 950 clients fit. Options go to rl-storm, e.g.
# --clients 5000.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/build-bench"

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" --buildtype=release >/dev/null
meson compile -C "$build" >/dev/null

echo "storm: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$build/tests/bench/rl-storm" --server "$build/src/server/redline-server" \
  --clients 10000 --users 10 --deadline 10 "$@"
