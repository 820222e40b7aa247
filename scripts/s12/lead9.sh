#!/usr/bin/env bash
# Lead call 9 (session 12): the review refactors on the GPU — the folded statistics as shared device
# helpers (device_common.cuh fold_stats_*; gemv.cu and mlp_fused.cu call them, same operations in the
# same order) and cuda_validate's shared QKV-cache / embedding helpers: the sections they touch, memcheck,
# and the default against ln_fold=0 once more (gpt2, gpt2-xl fp16).
TAR=lead9.tar.gz; source scripts/s12/lib.sh
step val_fold 120 $B/cuda_validate --only ln_fold
step val_small 100 $B/cuda_validate --small
step val_gemv 90 $B/cuda_validate --only gemv
step val_mlp 90 $B/cuda_validate --only mlp
step val_engine 200 $B/cuda_validate --only engine $P
step memcheck_fold 120 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only ln_fold
step memcheck_mlp 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only mlp
step bench 120 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --variants "default;off:fold=0;default2" --out $L/bench.jsonl
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-240 | head -20
grep -E "^ln_fold" $L/val_fold.log | head -20
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== summary"; cat $L/summary.txt
