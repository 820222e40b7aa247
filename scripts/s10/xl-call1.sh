#!/usr/bin/env bash
# Session 10 s10-xl call 1 (docs/perf-cuda.md "Session 10: gpt2-xl decode stream overlap"): where
# a gpt2-xl decode step goes, with main's binaries only (.gpu/s10-xl/bins-main.tar.xz -> bin-main/).
#  1. sb_cuda_bench --quick: fp16 gpt2-xl / gpt2-large / gpt2-medium at B = 1, 2 (the day's base)
#  2. ncu of one eager gpt2-xl fp16 B=1 step, layers 2-3 (kernels 10-19): duration, DRAM, and the
#     launch/occupancy numbers (registers, shared memory, blocks per SM and what limits them)
#  3. the same for gpt2-medium with the fused MLP forced on and off (layers 2-3): the fused block's
#     residency beside its neighbours (the session-9 loss at B = 1-2)
TAR=s10xl-call1.tar.gz
source "$(dirname "$0")/lib.sh"
BM=$D/bin-main
step bench 100 $BM/sb_cuda_bench --quick --no-extras --models gpt2-xl,gpt2-large,gpt2-medium --precisions fp16 --scenarios single_short,batch2_short --out $L/bench.jsonl
NCU="ncu --clock-control none --profile-from-start off --section SpeedOfLight --section LaunchStats --section Occupancy --section MemoryWorkloadAnalysis"
step ncu_xl_b1 60 $NCU --launch-skip 10 --launch-count 10 $BM/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1
step ncu_med_mlp1 40 $NCU --launch-skip 8 --launch-count 8 $BM/sb_cuda_bench --profile-step gpt2-medium --profile-batch 1 --variants "on:fusemlp=1"
step ncu_med_mlp0 40 $NCU --launch-skip 8 --launch-count 8 $BM/sb_cuda_bench --profile-step gpt2-medium --profile-batch 1 --variants "off:fusemlp=0"
echo "=== decode ms/step (median)"
grep -E '^(gpt2|  \[)' $L/bench.log | awk '{ if ($1 ~ /^gpt2/) printf "%-11s %-5s %-14s %-6s %s\n", $1,$2,$3,$4,$8; else print substr($0,1,200) }'
grep -iE "copy|GB/s" $L/bench.log | head -3
python3 $D/ncu_table.py $L/ncu_xl_b1.log $L/ncu_med_mlp1.log $L/ncu_med_mlp0.log
echo "=== summary"; cat $L/summary.txt
