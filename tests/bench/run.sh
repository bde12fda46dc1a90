#!/bin/sh
# Runs the fan-out matrix by hand: redline-server and the Node `ws` peer,
# each pinned to core 0, the generator pinned to core 1, loopback only.
# Prints one markdown row per measurement (the median of 3 runs).
#
#   tests/bench/run.sh            # the whole matrix (about 15 minutes)
#   RUNS=1 tests/bench/run.sh     # one run per row
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/build-bench"
runs=${RUNS:-3}
seconds=${SECONDS_PER_RUN:-6}
work=$(mktemp -d)
trap 'kill $server_pid $node_pid 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" --buildtype=release >/dev/null
meson compile -C "$build" >/dev/null
[ -d "$top/tests/bench/peers/node_modules/ws" ] || npm install --prefix "$top/tests/bench/peers" --no-audit --no-fund >/dev/null

server="$build/src/server/redline-server"
bench="$build/tests/bench/rl-fanout-bench"
db="$work/bench.db"
"$server" --db "$db" tenant add bench >/dev/null
token=$("$server" --db "$db" user add --tenant bench --name Bench --role admin | tail -n 1)
# One user plays every subscriber, all from 127.0.0.1: no caps on either.
taskset -c 0 "$server" --db "$db" serve --listen 127.0.0.1:0 --max-sockets-per-user 100000 \
  --max-unauthenticated-per-address 0 ${SERVER_ARGS:-} > "$work/server.out" 2>"$work/server.err" &
server_pid=$!
taskset -c 0 node "$top/tests/bench/peers/ws-broadcast.js" 0 > "$work/node.out" 2>&1 &
node_pid=$!
sleep 1
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")
node_port=$(sed -n 's/^listening on //p' "$work/node.out")

# field NAME FILE: the value of NAME=… in the generator's output
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" "$2" | head -n 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# one WHO SUBS RATE: one run, appends "delivered p50 p99 cpu bytes lost batches" to $work/rows.WHO
one() {
  who=$1 subs=$2 rate=$3
  if [ "$who" = redline ]; then
    # A fresh document per run: every run subscribes to an empty snapshot.
    doc=$("$server" --db "$db" doc add --tenant bench --title Mockup "$top/data/demo/landing-mockup.png" | tail -n 1)
    taskset -c 1 "$bench" --port "$port" --token "$token" --doc "$doc" --subscribers "$subs" \
      --rate "$rate" --seconds "$seconds" --warmup 2 --server-pid "$server_pid" > "$work/run"
  else
    taskset -c 1 "$bench" --peer-mode --port "$node_port" --subscribers "$subs" \
      --rate "$rate" --seconds "$seconds" --warmup 2 --server-pid "$node_pid" > "$work/run"
  fi
  printf '%s %s %s %s %s %s %s\n' "$(field delivered_per_s "$work/run")" "$(field p50_ms "$work/run")" \
    "$(field p99_ms "$work/run")" "$(field server_cpu_us_per_event "$work/run")" \
    "$(field bytes_per_event "$work/run")" "$(field lost "$work/run")" "$(field batch_frames "$work/run")" >> "$work/rows.$who"
}

row() {
  who=$1 subs=$2 rate=$3
  c() { cut -d' ' -f"$1" "$work/rows.$who" | median; }
  printf '| %s | %s × %s | %s | %s | %s | %s | %s | %s | %s |\n' "$who" "$subs" "$rate" \
    "$(c 1)" "$(c 2)" "$(c 3)" "$(c 4)" "$(c 5)" "$(c 6)" "$(c 7)"
}

# measure SUBS RATE [node]: redline alone, or redline and node run by run in turn
measure() {
  subs=$1 rate=$2
  : > "$work/rows.redline"
  : > "$work/rows.node"
  i=0
  while [ "$i" -lt "$runs" ]; do
    one redline "$subs" "$rate"
    [ "${3:-}" = node ] && one node "$subs" "$rate"
    i=$((i + 1))
  done
  row redline "$subs" "$rate"
  [ "${3:-}" = node ] && row node "$subs" "$rate"
  return 0
}

echo "| server | subscribers × changes/s | delivered/s | p50 ms | p99 ms | server CPU µs/delivery | bytes/event | lost | batch frames |"
echo "|---|---|---|---|---|---|---|---|---|"
for subs in ${SUBS:-100 500}; do
  measure "$subs" 20
done
for rate in ${RATES:-20 50 100 200 400}; do
  measure 1000 "$rate" node
done
for rate in ${KNEE:-800 1600 3200}; do
  measure 1000 "$rate"
done

kill -TERM "$server_pid"
wait "$server_pid" && echo "redline-server stopped cleanly"
