#!/bin/sh
# run-fuzzer.sh TARGET SEEDS WORK [libFuzzer options…]
#
# One bounded libFuzzer run, as the suite `fuzz` makes it: the seed corpus
# of the source tree is read, new inputs go to WORK (in the build directory),
# and an input that crashes, leaks, times out or runs out of memory is kept
# beside WORK in artifacts/ and fails the run (libFuzzer exits non-zero).
# REDLINE_FUZZ_SECONDS, when set, replaces the test's -max_total_time
# (`./build-aux/dev fuzz` sets it; libFuzzer takes a flag's last value).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

target=$1
seeds=$2
work=$3
shift 3
artifacts=$(dirname "$work")/artifacts
mkdir -p "$work" "$artifacts"
if [ -n "${REDLINE_FUZZ_SECONDS:-}" ]; then
  set -- "$@" -max_total_time="$REDLINE_FUZZ_SECONDS"
fi
exec "$target" -artifact_prefix="$artifacts/$(basename "$target")-" "$@" "$work" "$seeds"
