#!/usr/bin/env bash
# Lead call 4 (session 12): ln_fold on by rule (fp16/bf16) without the xtma staging: every validation
# section at the new default, the accuracy gate on pydoc-gpt2-8m, sanitizers, and the A/B (default vs
# ln_fold=0, twice) for every model/precision/batch it touches, tiny-gpt2 unchanged; with the fold on:
# the fused MLP forced on (fusemlp=1) and the LN GEMVs' block sizes again (lnt=128/256/512).
TAR=lead4.tar.gz; source scripts/s12/lib.sh
step pdl_probe 60 bash -c ".gpu/s12/pdl_probe 132 132 64; .gpu/s12/pdl_probe 128 768 64; .gpu/s12/pdl_probe 768 128 64; .gpu/s12/pdl_probe 24 132 64"
V="default;off:fold=0;default2;off2:fold=0"
step bench_gpt2 200 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium --precisions fp16,bf16 --scenarios single_short,batch_short --variants "$V;fm:fusemlp=1;l128:lnt=128" --out $L/bench_gpt2.jsonl
step bench_large 240 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-large,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --variants "$V;fm:fusemlp=1;l128:lnt=128;l256:lnt=256;l512:lnt=512" --out $L/bench_large.jsonl
step bench_tiny 80 $B/sb_cuda_bench --reps 15 --no-extras --models tiny-gpt2 --precisions fp16,bf16 --scenarios single_short,batch_short --variants "$V" --out $L/bench_tiny.jsonl
step val_small 100 $B/cuda_validate --small
step val_fold 120 $B/cuda_validate --only ln_fold
step val_engine 200 $B/cuda_validate --only engine $P
step val_mlp 90 $B/cuda_validate --only mlp
step val_attn_proj 90 $B/cuda_validate --only attn_proj
step val_gemv 90 $B/cuda_validate --only gemv
step accuracy 200 $B/cuda_validate --only accuracy --pydoc $S/pydoc --accuracy-corpus $S/calib --accuracy-calib $S/calib-lib/stdtypes.rst.txt --accuracy-bytes 32768
step memcheck_fold 120 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only ln_fold
step racecheck_fold 200 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only ln_fold
echo "=== FAIL lines"; cat $L/val_*.log $L/accuracy.log | grep -E '^FAIL|FATAL' | cut -c1-240 | head -20
grep -E "^accuracy" $L/accuracy.log | cut -c1-200 | head -20
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench_*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== pdl probe"; cat $L/pdl_probe.log
echo "=== summary"; cat $L/summary.txt
