#!/usr/bin/env bash
# Runs every micro-benchmark in BUILD_DIR/bench and writes JSON next to the console output
# under BUILD_DIR/bench-results/.  Warns when the build being timed is not a release build.
set -euo pipefail
build="${1:?usage: run-bench.sh BUILD_DIR}"
bt="$(grep -E '^CMAKE_BUILD_TYPE' "$build/CMakeCache.txt" | cut -d= -f2)"
[ "$bt" = "Release" ] || echo "run-bench.sh: WARNING: timing a '$bt' build, numbers are not representative" >&2
mkdir -p "$build/bench-results"
shopt -s nullglob
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  name="$(basename "$b")"
  echo "== $name"
  "$b" --benchmark_out="$build/bench-results/$name.json" --benchmark_out_format=json
done
