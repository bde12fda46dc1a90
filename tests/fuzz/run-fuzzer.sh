#!/bin/sh
# run-fuzzer.sh TARGET SEEDS WORK [libFuzzer options…]
#
# One bounded libFuzzer run, as the suite `fuzz` makes it: the seed corpus
# of the source tree is read, new inputs go to WORK (in the build directory),
# and an input that crashes, leaks, times out or runs out of memory is kept
# beside WORK in artifacts/ and fails the run (libFuzzer exits non-zero).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

target=$1
seeds=$2
work=$3
shift 3
artifacts=$(dirname "$work")/artifacts
mkdir -p "$work" "$artifacts"
exec "$target" -artifact_prefix="$artifacts/$(basename "$target")-" "$@" "$work" "$seeds"
