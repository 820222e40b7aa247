#!/usr/bin/env bash
# Session 10 attention-layer kernel, device call 3 (docs/perf-cuda.md "Session 10: one kernel for the
# attention half of a layer", call 3): the push-based kernel.
#  1. cuda_validate --small --only attn_layer (gate); 2. --trace-layer gpt2 (fp16, bf16);
#  3. sb_cuda_bench --reps 15 gpt2 / gpt2-medium fp16 / bf16 single_short / single_long: off / on / off2
#     (one process; fused MLP at its rule); 4. memcheck --small --only attn_layer, racecheck --small
#     --only attn_layer_kernel; 5. cuda_validate --only attn_layer (full shapes)
D=.gpu/s10-layer
TAR=s10layer-call3.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small 60 $B/cuda_validate --small --only attn_layer
if grep -qE 'FATAL' $L/val_small.log || tail -1 $L/summary.txt | grep -q 'rc=124'; then
  echo "=== val_small broke: its log tail"; tail -30 $L/val_small.log; exit 3; fi
step trace_gpt2 60 $B/sb_cuda_bench --trace-layer gpt2 --variants "on:fuselayer=1"
step bench_b1 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium --precisions fp16,bf16 \
  --scenarios single_short,single_long --variants "off:fuselayer=0;on:fuselayer=1;off2:fuselayer=0" --out $L/bench_b1.jsonl
step memcheck_small 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_layer
step racecheck_small 90 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only attn_layer_kernel
step val_full 90 $B/cuda_validate --only attn_layer
rm -rf $L
echo "=== traces"; tar -xzf $OUT/$TAR -O logs/trace_gpt2.log | grep -E 'trace-layer|mean|gap'
echo "=== decode ms/step (median)"; tar -xzf $OUT/$TAR -O logs/bench_b1.log | grep -E '^gpt2' | awk '{printf "%-11s %-5s %-14s %-6s %s\n", $1,$2,$3,$4,$8}'
echo "=== FAIL lines (first 20)"; tar -xzf $OUT/$TAR -O logs/val_small.log logs/val_full.log logs/memcheck_small.log logs/racecheck_small.log 2>/dev/null | grep -E '^FAIL|FATAL|Hazard|Invalid|ERROR SUMMARY' | head -20
echo "=== attn_layer rows"; tar -xzf $OUT/$TAR -O logs/val_full.log 2>/dev/null | grep -E '^(attn_layer|engine/.*/attnlayer)' | tail -20
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
