#!/bin/sh
# The fan-out bench over the three ways to run the server, by hand:
#   sqlite   one node on its SQLite file (the embedded default)
#   pg       one node on PostgreSQL
#   pg×2     two nodes on one PostgreSQL database, the subscribers and the
#            writers alternating between them (the other node's events
#            reach each through LISTEN/NOTIFY)
# The servers and PostgreSQL share core 0, the generator has core 1,
# loopback only. PostgreSQL is a private cluster with its defaults (fsync
# and synchronous_commit on: an ack promises a durable change, as SQLite's
# does). Prints one markdown row per measurement (the median of RUNS runs).
#
#   tests/bench/cluster.sh                 # about 10 minutes
#   RUNS=1 KINDS="pg pg2" RATES="20 400" tests/bench/cluster.sh
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/build-bench"
runs=${RUNS:-3}
seconds=${SECONDS_PER_RUN:-6}
subs=${SUBS:-1000}
work=$(mktemp -d)
# A directory of its own: PostgreSQL's user must reach it (work is root's).
pgdir=$(mktemp -d)
pids=""
cleanup() {
  # shellcheck disable=SC2086
  [ -n "$pids" ] && kill $pids 2>/dev/null || true
  "$top/build-aux/pg-cluster" stop "$pgdir" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" --buildtype=release >/dev/null
meson compile -C "$build" >/dev/null
server="$build/src/server/redline-server"
bench="$build/tests/bench/rl-fanout-bench"

# PostgreSQL on core 0 with the servers: its processes inherit it.
maintenance=$(taskset -c 0 "$top/build-aux/pg-cluster" start "$pgdir" max_connections=200)
psql_run() { psql -q -X -v ON_ERROR_STOP=1 "$maintenance" -c "$1" >/dev/null; }

# setup KIND: a fresh database (or file), a tenant, a token; starts the
# nodes; sets db, token, ports, server pids.
setup() {
  kind=$1
  if [ "$kind" = sqlite ]; then
    db="$work/bench.db"
    rm -f "$db" "$db-wal" "$db-shm"
  else
    name="bench_$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
    psql_run "CREATE DATABASE $name"
    db="$(echo "$maintenance" | sed "s/dbname=postgres/dbname=$name/")"
  fi
  "$server" --db "$db" tenant add bench >/dev/null
  token=$("$server" --db "$db" user add --tenant bench --name Bench --role admin | tail -n 1)
  nodes=1
  [ "$kind" = "pg2" ] && nodes=2
  ports="" pids=""
  i=0
  while [ "$i" -lt "$nodes" ]; do
    taskset -c 0 "$server" --db "$db" serve --listen 127.0.0.1:0 --node "n$i" --max-sockets-per-user 100000 \
      --max-unauthenticated-per-address 0 ${SERVER_ARGS:-} > "$work/server$i.out" 2>"$work/server$i.err" &
    pids="$pids $!"
    i=$((i + 1))
  done
  i=0
  while [ "$i" -lt "$nodes" ]; do
    tries=0
    until grep -q '^listening on' "$work/server$i.out"; do
      tries=$((tries + 1))
      [ "$tries" -gt 100 ] && { cat "$work/server$i.err" >&2; exit 1; }
      sleep 0.1
    done
    ports="$ports $(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server$i.out")"
    i=$((i + 1))
  done
}

teardown() {
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for pid in $pids; do wait "$pid" 2>/dev/null || true; done
  pids=""
}

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" "$2" | head -n 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# one RATE: one run on the nodes set up, appends a row of figures to $work/rows
one() {
  rate=$1
  doc=$("$server" --db "$db" doc add --tenant bench --title Mockup "$top/data/demo/landing-mockup.png" | tail -n 1)
  set -- $ports
  port1=$1 port2=${2:-0}
  set -- $pids
  pid1=$1 pid2=${2:-0}
  # PostgreSQL's processes now (the nodes' backends are connected).
  postmaster=$(head -n 1 "$pgdir/data/postmaster.pid")
  db_pids=$(printf '%s' "$postmaster $(pgrep -P "$postmaster" | tr '\n' ' ')" | tr -s ' ' ',')
  taskset -c 1 "$bench" --port "$port1" --port2 "$port2" --server-pid "$pid1" --server-pid2 "$pid2" \
    --db-pids "$db_pids" \
    --token "$token" --doc "$doc" --subscribers "$subs" --rate "$rate" --seconds "$seconds" --warmup 2 \
    > "$work/run"
  printf '%s %s %s %s %s %s\n' "$(field delivered_per_s "$work/run")" "$(field p50_ms "$work/run")" \
    "$(field p99_ms "$work/run")" "$(field server_cpu_us_per_event "$work/run")" \
    "$(field db_cpu_us_per_change "$work/run")" "$(field lost "$work/run")" >> "$work/rows"
}

echo "| store, nodes | subscribers × changes/s | delivered/s | p50 ms | p99 ms | servers' CPU µs/delivery | PostgreSQL CPU µs/change | lost |"
echo "|---|---|---|---|---|---|---|---|"
for kind in ${KINDS:-sqlite pg pg2}; do
  setup "$kind"
  for rate in ${RATES:-20 100 400 800 1600}; do
    : > "$work/rows"
    r=0
    while [ "$r" -lt "$runs" ]; do
      one "$rate"
      r=$((r + 1))
    done
    c() { cut -d' ' -f"$1" "$work/rows" | median; }
    label=$kind
    [ "$kind" = sqlite ] && label="SQLite, 1"
    [ "$kind" = pg ] && label="PostgreSQL, 1"
    [ "$kind" = pg2 ] && label="PostgreSQL, 2"
    printf '| %s | %s × %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$subs" "$rate" \
      "$(c 1)" "$(c 2)" "$(c 3)" "$(c 4)" "$(c 5)" "$(c 6)"
  done
  teardown
done
