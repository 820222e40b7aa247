#!/usr/bin/env bash
# Session 9 fused-MLP call 3 (docs/perf-cuda.md "Session 9: fused MLP"): the shape rule as the
# default, confirmed against forced off / forced on in one process, and validation at the defaults.
#  1. sb_cuda_bench --quick: gpt2 fp16/bf16/fp32 and gpt2-medium fp16, B = 1..4, variants
#     off (fusemlp=0) / rule (default) / on (fusemlp=1) / off2 (fusemlp=0)
#  2. cuda_validate --small (every section), --only engine (full), --only mlp (full),
#     compute-sanitizer memcheck --small --only mlp and --small --only engine (defaults: the rule)
TAR=s9mlp-call3.tar.gz
source "$(dirname "$0")/lib.sh"
V="off:fusemlp=0;rule;on:fusemlp=1;off2:fusemlp=0"
SC=single_short,batch2_short,batch3_short,batch_short
step bench_gpt2 120 $B/sb_cuda_bench --quick --no-extras --models gpt2 --precisions fp16,bf16,fp32 --scenarios $SC --variants "$V" --out $L/bench_gpt2.jsonl
step bench_medium 90 $B/sb_cuda_bench --quick --no-extras --models gpt2-medium --precisions fp16 --scenarios $SC --variants "$V" --out $L/bench_medium.jsonl
step val_small 90 $B/cuda_validate --small
step val_engine 90 $B/cuda_validate --only engine
step val_mlp 60 $B/cuda_validate --only mlp
step memcheck_mlp 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only mlp
step memcheck_engine 150 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only engine
rm -rf $L
echo "=== decode ms/step (median) per variant"
tar -xzf $OUT/s9mlp-call3.tar.gz -O logs/bench_gpt2.log logs/bench_medium.log 2>/dev/null | grep -E '^(gpt2|  \[)' | awk '{ if ($1 ~ /^gpt2/) printf "%-11s %-5s %-14s %-6s %s\n", $1,$2,$3,$4,$8; else print substr($0, 1, 200) }'
echo "=== summary"; tar -xzf $OUT/s9mlp-call3.tar.gz -O logs/summary.txt
