#!/usr/bin/env bash
# Session 10 attention-layer kernel, device call 4: the final code (docs/perf-cuda.md "Session 10: one
# kernel for the attention half of a layer", call 4): validation, sanitizers and the off / on / off2
# measurement of the exact binaries handed to the lead.
D=.gpu/s10-layer
TAR=s10layer-call4.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small 60 $B/cuda_validate --small --only attn_layer
if grep -qE 'FATAL' $L/val_small.log || tail -1 $L/summary.txt | grep -q 'rc=124'; then
  echo "=== val_small broke: its log tail"; tail -30 $L/val_small.log; exit 3; fi
step bench_b1 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium --precisions fp16,bf16 \
  --scenarios single_short,single_long --variants "off:fuselayer=0;on:fuselayer=1;off2:fuselayer=0" --out $L/bench_b1.jsonl
step memcheck_small 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_layer
step racecheck_small 90 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only attn_layer_kernel
step val_full 90 $B/cuda_validate --only attn_layer
step val_engine_env_small 60 env SB_FUSE_ATTN_LAYER=1 $B/cuda_validate --small --only engine
step val_engine_default_small 60 $B/cuda_validate --small --only engine
rm -rf $L
echo "=== decode ms/step (median)"; tar -xzf $OUT/$TAR -O logs/bench_b1.log | grep -E '^gpt2' | awk '{printf "%-11s %-5s %-14s %-6s %s %s\n", $1,$2,$3,$4,$8,$9}'
echo "=== FAIL lines (first 20)"; tar -xzf $OUT/$TAR -O logs/val_small.log logs/val_full.log logs/memcheck_small.log logs/racecheck_small.log logs/val_engine_env_small.log logs/val_engine_default_small.log 2>/dev/null | grep -E '^FAIL|FATAL|Race|Invalid|ERROR SUMMARY' | head -20
echo "=== attn_layer rows"; tar -xzf $OUT/$TAR -O logs/val_full.log 2>/dev/null | grep -E '^(attn_layer|engine/.*/attnlayer)' | tail -20
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
