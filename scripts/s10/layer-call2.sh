#!/usr/bin/env bash
# Session 10 attention-layer kernel, device call 2: where the kernel's time goes (docs/perf-cuda.md
# "Session 10: one kernel for the attention half of a layer", call 2).
#  1. sb_cuda_bench --trace-layer gpt2 / gpt2-medium: %globaltimer stamps of every block at each
#     phase of the kernel in the replayed decode graph (B=1, fp16 and bf16; cluster 8 and 4)
#  2. cuda_validate --only attn_layer (full shapes; call 1's 4 test-expectation failures fixed)
D=.gpu/s10-layer
TAR=s10layer-call2.tar.gz
source "$(dirname "$0")/lib.sh"
step trace_gpt2 60 $B/sb_cuda_bench --trace-layer gpt2 --variants "on:fuselayer=1;on4:fuselayer=1,alc=4"
step trace_medium 60 $B/sb_cuda_bench --trace-layer gpt2-medium --variants "on:fuselayer=1"
step val_full 90 $B/cuda_validate --only attn_layer
rm -rf $L
echo "=== traces"; tar -xzf $OUT/$TAR -O logs/trace_gpt2.log logs/trace_medium.log | grep -vE '^\s*$'
echo "=== FAIL lines (first 10)"; tar -xzf $OUT/$TAR -O logs/val_full.log | grep -E '^FAIL|FATAL' | head -10
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
