#!/usr/bin/env bash
# Session 10 attention-layer kernel, device call 1 (docs/perf-cuda.md "Session 10: one kernel for the
# attention half of a layer (s10-layer)"): unpack the staged binaries (.gpu/s10-layer/bins.tar.xz:
# stripped sb_cuda_bench + cuda_validate of branch s10-layer), then
#  1. cuda_validate --small --only attn_layer   (kernel + engine cases; the correctness gate)
#  2. sb_cuda_bench --reps 15: gpt2 / gpt2-medium fp16 / bf16, single_short / single_long, variants
#     off (fuselayer=0) / on (fuselayer=1, cluster 8) / on4 (cluster 4) / off2, one process (fused MLP
#     at its default rule in all); then gpt2 fp16 batch 2-4 off / on / off2
#  3. compute-sanitizer memcheck --small --only attn_layer; racecheck --small --only attn_layer_kernel
#  4. cuda_validate --only attn_layer (full shapes); SB_FUSE_ATTN_LAYER=1 --small --only engine
# Logs in one tar under $OUT; the table at the end of the output.
D=.gpu/s10-layer
TAR=s10layer-call.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small 60 $B/cuda_validate --small --only attn_layer
if grep -qE 'FATAL' $L/val_small.log || tail -1 $L/summary.txt | grep -q 'rc=124'; then  # hang or launch error: stop here
  echo "=== val_small broke: its log tail"; tail -30 $L/val_small.log; exit 3; fi
step bench_b1 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium --precisions fp16,bf16 \
  --scenarios single_short,single_long --variants "off:fuselayer=0;on:fuselayer=1;on4:fuselayer=1,alc=4;off2:fuselayer=0" \
  --out $L/bench_b1.jsonl
step bench_batch 60 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2 --precisions fp16 \
  --scenarios batch2_short,batch3_short,batch_short --variants "off:fuselayer=0;on:fuselayer=1;off2:fuselayer=0" \
  --out $L/bench_batch.jsonl
step memcheck_small 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_layer
step racecheck_small 90 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only attn_layer_kernel
step val_full 90 $B/cuda_validate --only attn_layer
step val_engine_env_small 60 env SB_FUSE_ATTN_LAYER=1 $B/cuda_validate --small --only engine
rm -rf $L
echo "=== decode ms/step (median) per variant"
tar -xzf $OUT/$TAR -O logs/bench_b1.log logs/bench_batch.log 2>/dev/null | grep -E '^(gpt2|  \[)' | awk '{ if ($1 ~ /^gpt2/) printf "%-11s %-5s %-14s %-6s %s\n", $1,$2,$3,$4,$8; else print }'
echo "=== FAIL lines (first 20)"; tar -xzf $OUT/$TAR -O logs/val_small.log logs/val_full.log logs/val_engine_env_small.log logs/memcheck_small.log logs/racecheck_small.log 2>/dev/null | grep -E '^FAIL|FATAL|Hazard|Invalid|ERROR SUMMARY' | head -20
echo "=== attn_layer table rows"; tar -xzf $OUT/$TAR -O logs/val_full.log 2>/dev/null | grep -E 'attn_layer|attnlayer' | grep -v '^FAIL' | tail -22
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
