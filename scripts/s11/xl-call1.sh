#!/usr/bin/env bash
# Session 11 s11-xl call 1 (docs/perf-cuda.md "Session 11: why a lone gpt2-xl decode GEMV streams at ~1 TB/s"):
# gemv_probe only (the engine binaries did not fit the call's 64 MiB with the tracked tree): a replica
# of the fp16 one-row GEMV (V = 4) timed alone / PDL-chained with a per-block timeline, variants
# leaving stages out (read-bandwidth reference first).
TAR=s11xl-call1.tar.gz
source "$(dirname "$0")/lib.sh"
step probe 120 $B/gemv_probe 15
nvidia-smi --query-gpu=clocks.sm,clocks.mem,clocks.max.sm,clocks.max.mem --format=csv >> $L/gpu.txt
tar -C $OUT -czf $OUT/$TAR logs
echo "=== probe"; cat $L/probe.log
echo "=== summary"; cat $L/summary.txt; cat $L/gpu.txt
