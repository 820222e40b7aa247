#!/usr/bin/env bash
# Lead call 10 (session 12): the folded GEMV sums its statistics inside the 16-byte staging loop (one
# shared-memory pass and one block barrier fewer; the same sums in the same order): validation, and the
# new binary against call 9's (sb_cuda_bench_base) alternating in one call.
TAR=lead10.tar.gz; source scripts/s12/lib.sh
step val_fold 120 $B/cuda_validate --only ln_fold
step val_engine 200 $B/cuda_validate --only engine  # (synthetic models: the stage leaves pydoc out to fit the base binary)
step memcheck_fold 120 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only ln_fold
A="--reps 15 --no-extras --models gpt2,gpt2-medium,gpt2-xl --precisions fp16 --scenarios single_short,batch_short"
step new1 200 $B/sb_cuda_bench $A --out $L/new1.jsonl
step old1 200 $B/sb_cuda_bench_base $A --out $L/old1.jsonl
step new2 200 $B/sb_cuda_bench $A --out $L/new2.jsonl
step old2 200 $B/sb_cuda_bench_base $A --out $L/old2.jsonl
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-240 | head -20
grep -E "^ln_fold" $L/val_fold.log | head -20
echo "=== decode ms/step: median p90 x_floor"
for f in new1 old1 new2 old2; do grep -E '^(tiny|gpt2)' $L/$f.log | awk -v f=$f '{ printf "%-5s %-11s %-5s %-14s %s %s %s\n", f, $1,$2,$3,$8,$9,$11 }'; done
echo "=== summary"; cat $L/summary.txt
