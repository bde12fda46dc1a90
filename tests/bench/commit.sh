#!/bin/sh
# Durable commits on one document, by hand: 64 writers (one connection
# each) send 140-character comments at a paced total rate; the generator
# times every ack from send to `ok` (committed: fsynced) and counts them.
# SQLite on this machine's disk: the database lives under the build tree,
# never in /tmp (which may be a tmpfs). Server on core 0, generator on 1.
# Prints one markdown row per rate (the median of RUNS runs).
#
#   tests/bench/commit.sh                                # rates 1000 … 6000
#   RATES=5000 SERVER=/elsewhere/redline-server tests/bench/commit.sh
#   SERVER_ARGS="--frame-interval 0" DEFLATE=1 tests/bench/commit.sh  # serve options; writers offer permessage-deflate
#
# A connection may send 100 changes/s, so 64 writers top out at 6400/s.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/build-bench"
runs=${RUNS:-3}
seconds=${SECONDS_PER_RUN:-6}
rates=${RATES:-1000 2000 4000 5000 6000}
writers=${WRITERS:-64}

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" --buildtype=release >/dev/null
meson compile -C "$build" src/server/redline-server tests/bench/rl-fanout-bench >/dev/null
server=${SERVER:-$build/src/server/redline-server}
bench="$build/tests/bench/rl-fanout-bench"
work=$(mktemp -d "$build/commit-bench.XXXXXX")
server_pid=
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM

db="$work/bench.db"
"$server" --db "$db" tenant add bench >/dev/null
token=$("$server" --db "$db" user add --tenant bench --name Bench --role admin | tail -n 1)
taskset -c 0 "$server" --db "$db" serve --listen 127.0.0.1:0 --max-sockets-per-user 100000 \
  --max-unauthenticated-per-address 0 ${SERVER_ARGS:-} > "$work/server.out" 2>"$work/server.err" &
server_pid=$!
sleep 1
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" "$2" | head -n 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "| rate | durable changes/s | ack p50 | ack p99 | refused | server CPU µs/change |"
echo "|---|---|---|---|---|---|"
for rate in $rates; do
  : > "$work/rows"
  for _ in $(seq "$runs"); do
    doc=$("$server" --db "$db" doc add --tenant bench --title Mockup "$top/data/demo/landing-mockup.png" | tail -n 1)
    taskset -c 1 "$bench" --port "$port" --token "$token" --doc "$doc" --subscribers 0 --writers "$writers" \
      --rate "$rate" --seconds "$seconds" --warmup 2 --server-pid "$server_pid" ${DEFLATE:+--deflate} > "$work/run"
    cpu=$(field server_cpu_s "$work/run")
    acked=$(field acked "$work/run")
    printf '%s %s %s %s %s\n' "$(field acked_per_s "$work/run")" "$(field ack_p50_ms "$work/run")" \
      "$(field ack_p99_ms "$work/run")" "$(field refused "$work/run")" \
      "$(awk -v c="$cpu" -v n="$acked" 'BEGIN { printf "%.1f", n ? c * 1e6 / n : 0 }')" >> "$work/rows"
  done
  col() { awk -v c="$1" '{ print $c }' "$work/rows" | median; }
  echo "| $rate | $(col 1) | $(col 2) ms | $(col 3) ms | $(col 4) | $(col 5) |"
done
