#!/bin/sh
# The soak by hand: 500 churning connections on a release build of
# redline-server for 30 minutes (tests/bench/rl-soak.c says what it does and
# checks). Options go to rl-soak, e.g. --seconds 600 or --connections 300.
#
#   tests/bench/soak.sh                  # 30 minutes, 10 of warm-up
#   tests/bench/soak.sh --seconds 600    # 10 minutes
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/build-bench"

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" --buildtype=release >/dev/null
meson compile -C "$build" >/dev/null

echo "soak: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$build/tests/bench/rl-soak" --server "$build/src/server/redline-server" \
  --seconds 1800 --warmup 600 --connections 500 "$@"
