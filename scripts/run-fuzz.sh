#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR/tests/fuzz for SECONDS each, from its seed corpus.
# A crash fails the run and leaves the reproducer under build dir's fuzz-artifacts/.
set -euo pipefail
build="${1:?usage: run-fuzz.sh BUILD_DIR SECONDS}"; secs="${2:-15}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shopt -s nullglob
targets=("$build"/tests/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then echo "run-fuzz.sh: no fuzz targets built in $build" >&2; exit 1; fi
mkdir -p "$build/fuzz-artifacts"
for t in "${targets[@]}"; do
  [ -x "$t" ] || continue
  name="$(basename "$t")"
  seeds="$root/tests/fuzz/corpus/${name#fuzz_}"
  work="$build/fuzz-work/$name"; mkdir -p "$work"
  echo "fuzz: $name for ${secs}s"
  args=("$work"); [ -d "$seeds" ] && args+=("$seeds")
  "$t" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=0 \
       -artifact_prefix="$build/fuzz-artifacts/$name-" "${args[@]}" >"$work.log" 2>&1 || {
    echo "fuzz: $name FAILED; log: $work.log" >&2; tail -40 "$work.log" >&2; exit 1; }
done
echo "fuzz: all targets clean"
