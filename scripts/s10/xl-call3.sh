#!/usr/bin/env bash
# Session 10 s10-xl call 3 (docs/perf-cuda.md "Session 10: gpt2-xl decode stream overlap"): the GEMV
# input rows by the bulk-copy engine (gemv_xtma, bench xtma=1) against the register path's
# ld.global.cg staging, one process per model set.  Binaries: bin/ (this branch; xtma=0 and ring=0
# run main abee669's GEMV kernels).
#  1. cuda_validate --small --only gemv_ring (ring and xtma vs the register path, bit-identical)
#  2. sb_cuda_bench --quick fp16: gpt2-xl B = 1, 2, 4 base / xtma / base2 / xtma2; gpt2-large,
#     gpt2-medium, gpt2 B = 1, 2, 4 base / xtma / base2
#  3. ncu of one eager gpt2-xl B=1 step with xtma (layers 2-3)
#  4. SB_GEMV_XTMA=1: cuda_validate --small --only gemv / engine, memcheck --small --only gemv;
#     --small --only persistent (its mbarrier helpers moved to device_common.cuh)
TAR=s10xl-call3.tar.gz
source "$(dirname "$0")/lib.sh"
step val_ring_small 90 $B/cuda_validate --small --only gemv_ring
step bench_xl 90 $B/sb_cuda_bench --quick --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short,batch2_short,batch_short --variants "base:xtma=0;xtma:xtma=1;base2:xtma=0;xtma2:xtma=1" --out $L/bench_xl.jsonl
step bench_small 90 $B/sb_cuda_bench --quick --no-extras --models gpt2-large,gpt2-medium,gpt2 --precisions fp16 --scenarios single_short,batch2_short,batch_short --variants "base:xtma=0;xtma:xtma=1;base2:xtma=0" --out $L/bench_small.jsonl
NCU="ncu --clock-control none --profile-from-start off --section SpeedOfLight --section LaunchStats --section Occupancy"
step ncu_xl_xtma 60 $NCU --launch-skip 10 --launch-count 10 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1 --variants "x:xtma=1"
step val_gemv_xtma 60 env SB_GEMV_XTMA=1 $B/cuda_validate --small --only gemv
step val_engine_xtma 60 env SB_GEMV_XTMA=1 $B/cuda_validate --small --only engine
step memcheck_gemv_xtma 90 env SB_GEMV_XTMA=1 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv
step val_persistent 60 $B/cuda_validate --small --only persistent
echo "=== decode ms/step: median p90 floor x_floor"
for f in bench_xl bench_small; do grep -E '^gpt2' $L/$f.log | awk '{ printf "%-11s %-14s %-6s %s %s %s %s\n", $1,$3,$4,$8,$9,$10,$11 }'; done
grep -E "^ *gemv_(ring|xtma)/|FAIL|FATAL" $L/val_ring_small.log | head -14
python3 $D/ncu_table.py $L/ncu_xl_xtma.log
echo "=== summary"; cat $L/summary.txt
