#!/usr/bin/env bash
# Session 11 s11-xl call 4: confirm the gemv_ln_threads rule (mode 0: 512 threads at n_embd 768..1024,
# 256 at ..1280, 128 otherwise) on gpt2 / medium / large in a second call, and on gpt2-xl which of
# the two LN GEMVs loses at 512 threads (lntw: 1 = QKV only, 2 = c_fc only), with and without xtma.
# Then validation with the rule forced through the environment (what the default would run).
TAR=s11xl-call4.tar.gz
source "$(dirname "$0")/lib.sh"
T0=$(date +%s); DL=${DL:-90}
dstep() { if [ $(( $(date +%s) - T0 )) -gt $DL ]; then echo "$1 skipped (deadline)" | tee -a $L/summary.txt; return; fi; step "$@"; }
VO="base:lnt=128;rule:lnt=0;base2:lnt=128;rule2:lnt=0;base3:lnt=128"
dstep bench_other 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-medium,gpt2,gpt2-large --precisions fp16 --scenarios single_short,batch2_short --variants "$VO" --out $L/bench_other.jsonl
VX="base:lnt=128;rule:lnt=0;q512:lnt=512,lntw=1;f512:lnt=512,lntw=2;q512x0:lnt=512,lntw=1,xtma=0;f512x0:lnt=512,lntw=2,xtma=0;base2:lnt=128;q512b:lnt=512,lntw=1;f512b:lnt=512,lntw=2;base3:lnt=128"
dstep bench_xl 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short --variants "$VX" --out $L/bench_xl.jsonl
dstep val_ring_small 60 $B/cuda_validate --small --only gemv_ring
dstep val_small_rule 90 env SB_GEMV_LN_THREADS=0 $B/cuda_validate --small
dstep memcheck_gemv_rule 90 env SB_GEMV_LN_THREADS=0 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench_*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
grep -h "d2d" $L/bench_*.log | head -2
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-220 | head -12
echo "=== summary"; cat $L/summary.txt
