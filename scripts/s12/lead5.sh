#!/usr/bin/env bash
# Lead call 5 (session 12): with the LayerNorm folded, the fused MLP no longer holds gamma/beta in
# registers — session 11's register-hungry MLP variants (fc2 chunks, cluster pre-reduction) again
# at batch 1 and 4, with the MLP timeline.
TAR=lead5.tar.gz; source scripts/s12/lib.sh
V="default;p:mlpp=1;c8:mlpc=8;c4:mlpc=4;pc8:mlpp=1,mlpc=8;default2;p2:mlpp=1;c82:mlpc=8"
step bench 200 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2 --precisions fp16,bf16 --scenarios single_short,batch_short --variants "$V" --out $L/bench.jsonl
step bench_med 120 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-medium --precisions fp16 --scenarios single_short --variants "default;fm:fusemlp=1;fmp:fusemlp=1,mlpp=1;fmc:fusemlp=1,mlpc=8;default2" --out $L/bench_med.jsonl
step trace_p 60 env SB_MLP_FC2_CHUNKS=1 $B/sb_cuda_bench --trace-mlp gpt2
step trace_c 60 env SB_MLP_CLUSTER=8 $B/sb_cuda_bench --trace-mlp gpt2
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== traces"; grep -E "trace-mlp|mean 1" $L/trace_*.log | cut -c1-220
echo "=== summary"; cat $L/summary.txt
