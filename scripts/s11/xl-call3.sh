#!/usr/bin/env bash
# Session 11 s11-xl call 3: gemv_ln_threads (LayerNorm'd one-row GEMVs in 256/512-thread blocks).
#  1. validation: --small --only gemv_ring (ring/xtma/lnt configs bit-identical to the register
#     path, path taken; engine cases), full --only gemv_ring; with SB_GEMV_LN_THREADS=512:
#     --small --only gemv, --only engine (vs fp64, greedy tokens); memcheck of both
#  2. sb_cuda_bench A/B, baseline (main's kernels: lnt 128) alternating with the variants, one process
#     per model set, --reps 15
#  3. ncu (no clock control) durations of one eager gpt2-xl B=1 step, base and lnt=512
TAR=s11xl-call3.tar.gz
source "$(dirname "$0")/lib.sh"
VX="base;l512:lnt=512;l256:lnt=256;l512x0:lnt=512,xtma=0;base2;l512b:lnt=512;l256b:lnt=256;l512x0b:lnt=512,xtma=0;base3"
VO="base;l512:lnt=512;l256:lnt=256;base2;l512b:lnt=512;l256b:lnt=256;base3"
NCU="ncu --clock-control none --profile-from-start off --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size,launch__block_size,launch__registers_per_thread"
NF="ncu --clock-control none --profile-from-start off --set full --import-source no --page details"
T0=$(date +%s); DL=${DL:-330}
dstep() { if [ $(( $(date +%s) - T0 )) -gt $DL ]; then echo "$1 skipped (deadline)" | tee -a $L/summary.txt; return; fi; step "$@"; }
dstep bench_xl 200 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short,batch2_short,batch_short --variants "$VX" --out $L/bench_xl.jsonl
dstep bench_other 200 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-large,gpt2-medium,gpt2 --precisions fp16 --scenarios single_short,batch2_short --variants "$VO" --out $L/bench_other.jsonl
dstep val_ring_small 90 $B/cuda_validate --small --only gemv_ring
dstep val_gemv_l512 90 env SB_GEMV_LN_THREADS=512 $B/cuda_validate --small --only gemv
dstep memcheck_gemv_l512 120 env SB_GEMV_LN_THREADS=512 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv
dstep ncu_base 60 $NCU --launch-skip 8 --launch-count 8 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1
dstep ncu_l512 60 $NCU --launch-skip 8 --launch-count 8 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1 --variants "l512:lnt=512"
dstep ncu_base_clk 60 ${NCU/--clock-control none /} --launch-skip 8 --launch-count 8 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1
dstep memcheck_ring 120 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv_ring
dstep val_gemv_l256 90 env SB_GEMV_LN_THREADS=256 $B/cuda_validate --small --only gemv
dstep ncu_full_base 90 $NF --launch-skip 8 --launch-count 1 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1
dstep ncu_full_l512 90 $NF --launch-skip 8 --launch-count 1 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1 --variants "l512:lnt=512"
dstep val_engine_l512 200 env SB_GEMV_LN_THREADS=512 $B/cuda_validate --only engine
dstep val_ring_full 150 $B/cuda_validate --only gemv_ring
step resusage 30 bash -c "cuobjdump -res-usage $B/sb_cuda_bench | grep -A1 gemv3_kernelILi1ELi1EL | grep -B1 -E 'REG|STACK' | grep -E 'Li512E|Li256E|ELb0ELi4EEEv|ELb0ELi0EEEv' -A1"
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench_*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
grep -h "d2d" $L/bench_*.log | head -2
echo "=== ncu us (base | l512)"; for f in ncu_base ncu_l512 ncu_base_clk; do grep -E 'gpu__time_duration' $L/$f.log | awk '{print $NF}' | tr '\n' ' '; echo; grep -E 'launch__block_size' $L/$f.log | awk '{print $NF}' | tr '\n' ' '; echo; done
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-220 | head -12
echo "=== summary"; cat $L/summary.txt
