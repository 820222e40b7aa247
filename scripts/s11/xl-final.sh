#!/usr/bin/env bash
# Session 11 s11-xl, staged for the lead (not run by s11-xl: the team budget was at the reserve):
# the branch's final binaries (gemv_ln_threads = the rule by default) validated at the defaults, the
# rule's A/B once more (default vs lnt=128 = main's kernels), and gpt2-xl QKV-only 512 threads
# (lnt=512,lntw=1: -0.4/-0.6% in s11-xl call 4, one call) against the default, alternating.
# run(carry=[".gpu/s11-xl"], timeout_s=420, command="bash .gpu/s11-xl/xl-final.sh")
TAR=s11xl-final.tar.gz
source "$(dirname "$0")/lib.sh"
T0=$(date +%s); DL=${DL:-300}
dstep() { if [ $(( $(date +%s) - T0 )) -gt $DL ]; then echo "$1 skipped (deadline)" | tee -a $L/summary.txt; return; fi; step "$@"; }
VO="default;off:lnt=128;default2;off2:lnt=128;default3"
dstep bench_other 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium,gpt2-large --precisions fp16 --scenarios single_short,batch2_short --variants "$VO" --out $L/bench_other.jsonl
VX="default;q512:lnt=512,lntw=1;off:lnt=128;default2;q512b:lnt=512,lntw=1;off2:lnt=128;default3"
dstep bench_xl 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short --variants "$VX" --out $L/bench_xl.jsonl
dstep val_small 100 $B/cuda_validate --small
dstep memcheck_ring 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv_ring
dstep val_gemv 120 $B/cuda_validate --only gemv
dstep val_ring 120 $B/cuda_validate --only gemv_ring
dstep val_engine 150 $B/cuda_validate --only engine
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench_*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
grep -h "d2d" $L/bench_*.log | head -2
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-220 | head -12
echo "=== summary"; cat $L/summary.txt
