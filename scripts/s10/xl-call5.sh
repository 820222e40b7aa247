#!/usr/bin/env bash
# Session 10 s10-xl call 5 (docs/perf-cuda.md "Session 10: gpt2-xl decode stream overlap"): the weight
# ring with one bulk copy per chunk (mbarrier per slot) against the register path, one process per
# model set.  Binaries: bin/ (this branch; ring=0 xtma=0 = main abee669's GEMV kernels).
#  1. cuda_validate --small --only gemv_ring; compute-sanitizer memcheck of the same
#  2. sb_cuda_bench --quick fp16 gpt2-xl B = 1, 2: base / t2b2 / t3b2 / t1b3 / f2t4b2 / f2t3b3 /
#     xrule / t2b2x / base2; gpt2-large, gpt2-medium B = 1: base / t2b2 / t3b2 / base2
#  3. ncu of one eager gpt2-xl B=1 step with ring 2 x 2 (layers 2-3)
#  4. validation for the xtma rule (whatever the ring's outcome): cuda_validate --only gemv_ring at
#     full shapes (gpt2-xl's four GEMV shapes, rows 1-4), SB_GEMV_XTMA=1 --only engine (full),
#     --small (every section, defaults)
TAR=s10xl-call5.tar.gz
source "$(dirname "$0")/lib.sh"
step val_ring_small 90 $B/cuda_validate --small --only gemv_ring
VX="base:xtma=0;t2b2:ring=2,ringb=2;t3b2:ring=3,ringb=2;t1b3:ring=1,ringb=3;f2t4b2:ring=4,ringb=2,ringk=4000;f2t3b3:ring=3,ringb=3,ringk=4000;xrule:xtma=2;t2b2x:ring=2,ringb=2,xtma=2;base2:xtma=0"
step bench_xl 100 $B/sb_cuda_bench --quick --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short,batch2_short --variants "$VX" --out $L/bench_xl.jsonl
V="base:ring=0;t2b2:ring=2,ringb=2;t3b2:ring=3,ringb=2;base2:ring=0"
step bench_lm 60 $B/sb_cuda_bench --quick --no-extras --models gpt2-large,gpt2-medium --precisions fp16 --scenarios single_short --variants "$V" --out $L/bench_lm.jsonl
NCU="ncu --clock-control none --profile-from-start off --section SpeedOfLight --section LaunchStats --section Occupancy"
step ncu_b1_t2b2 45 $NCU --launch-skip 10 --launch-count 5 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1 --variants "r:ring=2,ringb=2"
step memcheck_ring 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv_ring
step val_ring_full 75 $B/cuda_validate --only gemv_ring
step val_engine_xtma 75 env SB_GEMV_XTMA=1 $B/cuda_validate --only engine
step val_small 90 $B/cuda_validate --small
echo "=== decode ms/step: median p90 x_floor"
for f in bench_xl bench_lm; do grep -E '^gpt2' $L/$f.log | awk '{ printf "%-11s %-14s %-8s %s %s %s\n", $1,$3,$4,$8,$9,$11 }'; done
grep -E "^ *gemv_(ring|xtma)/|FAIL|FATAL" $L/val_ring_small.log | head -14
grep -E "^ *gemv_(ring|xtma)/|FAIL|FATAL" $L/val_ring_full.log | head -14
grep -E "FAIL|FATAL" $L/val_engine_xtma.log $L/val_small.log | head -8
python3 $D/ncu_table.py $L/ncu_b1_t2b2.log
echo "=== summary"; cat $L/summary.txt
