#!/usr/bin/env bash
# Lead call 8 (session 12): int8 / fp8 decode against the folded fp16 path on gpt2-large and gpt2-xl (issue 7: quantized decode faster than fp16).
TAR=lead8.tar.gz; source scripts/s12/lib.sh
step bench 240 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-large,gpt2-xl --precisions fp16,int8,fp8 --scenarios single_short,batch_short --variants "default;default2" --out $L/bench.jsonl
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-240 | head -20
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s %s\n", $1,$2,$3,$4,$8,$9,$10,$11 }'
grep -E "^ceilings" $L/bench.log
echo "=== summary"; cat $L/summary.txt
