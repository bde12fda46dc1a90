#!/bin/sh
# permessage-deflate by hand: redline-server pinned to core 0, the generator
# to core 1, 1000 subscribers; each row plain frames then compressed ones
# (--deflate), over ws and over wss (TLS in the server, --tls-cert). Prints
# one markdown row per measurement (the median of RUNS runs). Bodies are
# English-like text; one ws row per rate has runs of x instead, the filler
# of earlier figures, which deflate squeezes far more.
#
#   tests/bench/deflate.sh               # 1000 × 200 and 1000 × 400
#   RATES="200" RUNS=1 tests/bench/deflate.sh
#   SERVER_ARGS="--frame-interval 0" tests/bench/deflate.sh   # options for serve
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build-bench}
runs=${RUNS:-3}
seconds=${SECONDS_PER_RUN:-6}
subs=${SUBS:-1000}
work=$(mktemp -d)
server_pid=
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" --buildtype=release >/dev/null
meson compile -C "$build" src/server/redline-server tests/bench/rl-fanout-bench >/dev/null

server="$build/src/server/redline-server"
bench="$build/tests/bench/rl-fanout-bench"
db="$work/bench.db"
"$server" --db "$db" tenant add bench >/dev/null
token=$("$server" --db "$db" user add --tenant bench --name Bench --role admin | tail -n 1)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" "$2" | head -n 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# start [tls]: a fresh server, its pid and port
start() {
  [ -n "$server_pid" ] && { kill -TERM "$server_pid"; wait "$server_pid" || true; }
  # Gone before the server starts: the wait below must see only its line.
  rm -f "$work/server.out"
  tls_args=
  [ "${1:-}" = tls ] && tls_args="--tls-cert $work/cert.pem --tls-key $work/key.pem"
  # shellcheck disable=SC2086
  taskset -c 0 "$server" --db "$db" serve --listen 127.0.0.1:0 --max-sockets-per-user 100000 \
    --max-unauthenticated-per-address 0 $tls_args ${SERVER_ARGS:-} > "$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  while ! grep -qs '^listening on' "$work/server.out"; do sleep 0.1; done
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")
}

# one RATE ARGS…: appends "delivered p99 cpu bytes lost batches" to $work/rows
one() {
  rate=$1
  shift
  doc=$("$server" --db "$db" doc add --tenant bench --title Mockup "$top/data/demo/landing-mockup.png" | tail -n 1)
  taskset -c 1 "$bench" --port "$port" --token "$token" --doc "$doc" --subscribers "$subs" \
    --rate "$rate" --seconds "$seconds" --warmup 2 --server-pid "$server_pid" "$@" > "$work/run"
  printf '%s %s %s %s %s %s\n' "$(field delivered_per_s "$work/run")" "$(field p99_ms "$work/run")" \
    "$(field server_cpu_us_per_event "$work/run")" "$(field bytes_per_event "$work/run")" \
    "$(field lost "$work/run")" "$(field batch_frames "$work/run")" >> "$work/rows"
}

# row LABEL RATE ARGS…
row() {
  label=$1 rate=$2
  shift 2
  : > "$work/rows"
  i=0
  while [ "$i" -lt "$runs" ]; do
    one "$rate" "$@"
    i=$((i + 1))
  done
  c() { cut -d' ' -f"$1" "$work/rows" | median; }
  printf '| %s | %s × %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$subs" "$rate" \
    "$(c 1)" "$(c 2)" "$(c 3)" "$(c 4)" "$(c 5)" "$(c 6)"
}

echo "| frames | subscribers × changes/s | delivered/s | p99 ms | server CPU µs/delivery | bytes/event | lost | batch frames |"
echo "|---|---|---|---|---|---|---|---|"
for transport in ${TRANSPORTS:-ws wss}; do
  if [ "$transport" = wss ]; then start tls; tls=--tls; else start; tls=; fi
  for rate in ${RATES:-200 400}; do
    # shellcheck disable=SC2086
    row "$transport, plain" "$rate" $tls
    # shellcheck disable=SC2086
    row "$transport, deflate" "$rate" --deflate $tls
    # shellcheck disable=SC2086
    [ "$transport" = ws ] && row "$transport, deflate, x-run bodies" "$rate" --deflate --repetitive-body $tls
  done
done

kill -TERM "$server_pid"
wait "$server_pid" && echo "redline-server stopped cleanly"
server_pid=
