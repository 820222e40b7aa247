#!/usr/bin/env bash
# Lead call 2 (session 12): the folded LayerNorm (ln_fold) — its validation section, the engine cases
# (synthetic + pydoc-gpt2-8m) with it forced on, memcheck, and the A/B against the defaults in one
# process (15 reps), with the fused MLP's timeline.
TAR=lead2.tar.gz; source scripts/s12/lib.sh
step val_fold 120 $B/cuda_validate --only ln_fold
step memcheck_fold 120 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only ln_fold
step val_engine_fold 200 env SB_LN_FOLD=1 $B/cuda_validate --only engine $P
step val_mlp_fold 120 env SB_LN_FOLD=1 $B/cuda_validate --only mlp
step bench_gpt2 200 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium --precisions fp16,bf16 --scenarios single_short,batch_short --variants "default;fold:fold=1;default2;fold2:fold=1;fold128:fold=1,lnt=128" --out $L/bench_gpt2.jsonl
step bench_large 200 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-large,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --variants "default;fold:fold=1;default2;fold2:fold=1" --out $L/bench_large.jsonl
step trace_fold 60 env SB_LN_FOLD=1 $B/sb_cuda_bench --trace-mlp gpt2
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-240 | head -20
echo "=== fold notes"; grep -E "^NOTE ln_fold" $L/val_fold.log | head -24
grep -E "ln_fold" $L/val_fold.log | grep -vE "^NOTE|^FAIL" | head -20
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench_*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== trace"; head -12 $L/trace_fold.log | cut -c1-300
echo "=== summary"; cat $L/summary.txt
