#!/bin/sh
# run-fuzzer.sh TARGET SEEDS DIR [libFuzzer options…]
#
# One bounded libFuzzer run, as the suite `fuzz` makes it: the seed corpus
# of the source tree is read, new inputs go to DIR/corpus/TARGET (DIR is in
# the build directory), and an input that crashes, leaks, times out or runs
# out of memory is kept in DIR/artifacts and fails the run.
# REDLINE_FUZZ_SECONDS, when set, replaces the test's -max_total_time
# (`./build-aux/dev fuzz` sets it; libFuzzer takes a flag's last value).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

target=$1
seeds=$2
dir=$3
shift 3
name=$(basename "$target")
mkdir -p "$dir/corpus/$name" "$dir/artifacts"
if [ -n "${REDLINE_FUZZ_SECONDS:-}" ]; then
  set -- "$@" -max_total_time="$REDLINE_FUZZ_SECONDS"
fi
exec "$target" -artifact_prefix="$dir/artifacts/$name-" "$@" "$dir/corpus/$name" "$seeds"
