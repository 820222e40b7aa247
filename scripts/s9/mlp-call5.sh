#!/usr/bin/env bash
# Session 9 fused-MLP call 5 (docs/perf-cuda.md "Session 9: fused MLP"): after the shared
# dot16_rows refactor (gemv.cu's dot product and the fused c_fc from one helper), check that the
# chain is unchanged against main's own binary (bin/main_bench: main 74ea61f's sb_cuda_bench, as the
# lead staged it) and that validation still passes.
#  1. sb_cuda_bench --quick, gpt2 fp16/bf16/fp32 B = 1..4: main's binary, then this branch's with
#     variants off (fusemlp=0) / rule (default) / off2, then main's again
#  2. cuda_validate --small (every section), --only gemv (full), --only mlp (full)
TAR=s9mlp-call5.tar.gz
source "$(dirname "$0")/lib.sh"
SC=single_short,batch2_short,batch3_short,batch_short
A="--quick --no-extras --models gpt2 --precisions fp16,bf16,fp32 --scenarios $SC"
step bench_main 60 $B/main_bench $A --variants "main" --out $L/bench_main.jsonl
step bench_branch 90 $B/sb_cuda_bench $A --variants "off:fusemlp=0;rule;off2:fusemlp=0" --out $L/bench_branch.jsonl
step bench_main2 60 $B/main_bench $A --variants "main2" --out $L/bench_main2.jsonl
step val_small 90 $B/cuda_validate --small
step val_gemv 90 $B/cuda_validate --only gemv
step val_mlp 60 $B/cuda_validate --only mlp
rm -rf $L
echo "=== decode ms/step (median)"
tar -xzf $OUT/$TAR -O logs/bench_main.log logs/bench_branch.log logs/bench_main2.log 2>/dev/null | grep -E '^gpt2' | awk '{ printf "%-5s %-14s %-6s %s\n", $2,$3,$4,$8 }'
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
