#!/usr/bin/env bash
# Session 10 s10-xl call 2 (docs/perf-cuda.md "Session 10: gpt2-xl decode stream overlap"): the
# decode GEMV weight ring (gemv_ring, bench variant ring=slots,ringb=blocks per SM) against the
# register path in one process.  Binaries: bin/ (this branch; ring=0 runs main abee669's GEMV
# kernels: the register path's code is unchanged, the launch arguments gain one field).
#  1. cuda_validate --small --only gemv_ring: ring vs register path bit-identical (kernel + engine)
#  2. sb_cuda_bench --quick fp16: gpt2-xl B = 1, 2, 4 with base (ring=0) / r2b2 / r1b3 / r3b2 / r2b1 /
#     r4b1 / base2; then gpt2-large, gpt2-medium, gpt2 at B = 1, 2, 4 with base / r2b2 / r1b3 / base2
#  3. ncu of one eager gpt2-xl B=1 step with ring 2x2 (layers 2-3: launch / occupancy numbers)
#  4. with the ring forced (SB_GEMV_RING=2): cuda_validate --small --only gemv, --small --only engine,
#     compute-sanitizer memcheck --small --only gemv and --small --only gemv_ring
TAR=s10xl-call2.tar.gz
source "$(dirname "$0")/lib.sh"
step val_ring_small 60 $B/cuda_validate --small --only gemv_ring
VX="base:ring=0;r2b2:ring=2,ringb=2;r1b3:ring=1,ringb=3;r3b2:ring=3,ringb=2;r2b1:ring=2,ringb=1;r4b1:ring=4,ringb=1;base2:ring=0"
step bench_xl 120 $B/sb_cuda_bench --quick --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short,batch2_short,batch_short --variants "$VX" --out $L/bench_xl.jsonl
V="base:ring=0;r2b2:ring=2,ringb=2;r1b3:ring=1,ringb=3;base2:ring=0"
step bench_small 120 $B/sb_cuda_bench --quick --no-extras --models gpt2-large,gpt2-medium,gpt2 --precisions fp16 --scenarios single_short,batch2_short,batch_short --variants "$V" --out $L/bench_small.jsonl
NCU="ncu --clock-control none --profile-from-start off --section SpeedOfLight --section LaunchStats --section Occupancy"
step ncu_xl_ring 60 $NCU --launch-skip 10 --launch-count 10 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1 --variants "r:ring=2,ringb=2"
step val_gemv_ring2 60 env SB_GEMV_RING=2 $B/cuda_validate --small --only gemv
step val_engine_ring2 60 env SB_GEMV_RING=2 $B/cuda_validate --small --only engine
step memcheck_gemv_ring2 90 env SB_GEMV_RING=2 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv
step memcheck_ring 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv_ring
echo "=== decode ms/step: median p90 floor x_floor"
for f in bench_xl bench_small; do grep -E '^gpt2' $L/$f.log | awk '{ printf "%-11s %-14s %-6s %s %s %s %s\n", $1,$3,$4,$8,$9,$10,$11 }'; done
grep -E "gemv_ring/|FAIL" $L/val_ring_small.log | head -12
python3 $D/ncu_table.py $L/ncu_xl_ring.log
echo "=== summary"; cat $L/summary.txt
