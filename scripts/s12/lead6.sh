#!/usr/bin/env bash
# Lead call 6 (session 12): the fused MLP's fc2 chunks with the fold on, interleaved four times against the default (call 5 was within the default's run-to-run spread).
TAR=lead6.tar.gz; source scripts/s12/lib.sh
V="d1;p1:mlpp=1;d2;p2:mlpp=1;d3;p3:mlpp=1;d4;p4:mlpp=1"
step bench 200 $B/sb_cuda_bench --reps 21 --no-extras --models gpt2 --precisions fp16,bf16 --scenarios single_short,batch_short --variants "$V" --out $L/bench.jsonl



echo "=== decode ms/step: median p90 x_floor"
cat $L/bench*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== traces"; grep -E "trace-mlp|mean 1" $L/trace_*.log | cut -c1-220
echo "=== summary"; cat $L/summary.txt
