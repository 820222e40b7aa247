#!/usr/bin/env bash
# Lead call 7 (session 12): the LayerNorm fold on an H100 (the first card type's check of the rule):
# its validation section, --small, and default vs ln_fold=0 twice for gpt2..gpt2-xl fp16 (+ gpt2 bf16).
TAR=lead7.tar.gz; source scripts/s12/lib.sh
V="default;off:fold=0;default2;off2:fold=0"
step bench 240 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium,gpt2-large,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --variants "$V" --out $L/bench.jsonl
step bench_bf16 100 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2 --precisions bf16 --scenarios single_short,batch_short --variants "$V" --out $L/bench_bf16.jsonl
step val_fold 120 $B/cuda_validate --only ln_fold
step val_small 100 $B/cuda_validate --small
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-240 | head -20
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s %s\n", $1,$2,$3,$4,$8,$9,$10,$11 }'
grep -E "^ceilings" $L/bench.log
echo "=== summary"; cat $L/summary.txt
