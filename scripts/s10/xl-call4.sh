#!/usr/bin/env bash
# Session 10 s10-xl call 4 (docs/perf-cuda.md "Session 10: gpt2-xl decode stream overlap"): the weight
# ring for the mlp c_proj alone (ringk: rows of K >= 4000, i.e. 4 x n_embd of medium / large / xl),
# deep enough for its whole first row before the wait, and the bulk-copy staging's rule (xtma=2:
# one input row, n_embd >= 1600), against the register path in one process; why xtma is slow at
# two rows (ncu).  Binaries: bin/ (this branch; xtma=0 ring=0 = main abee669's GEMV kernels).
#  1. cuda_validate --small --only gemv_ring (ring / xtma vs the register path, bit-identical)
#  2. sb_cuda_bench --quick fp16 gpt2-xl B = 1, 2: base / xrule / f2r3b3 / f2r2b3 / f2r4b2 / f2r3b3+xrule /
#     base2; gpt2-large, gpt2-medium B = 1, 2 and gpt2 B = 1, 4: base / xrule / f2r3b3 / base2
#  3. ncu of one eager gpt2-xl step: B=2 base and B=2 xtma (layers 2-3), B=1 f2r3b3
TAR=s10xl-call4.tar.gz
source "$(dirname "$0")/lib.sh"
step val_ring_small 90 $B/cuda_validate --small --only gemv_ring
VX="base:xtma=0;xrule:xtma=2;f2r3b3:ring=3,ringb=3,ringk=4000;f2r2b3:ring=2,ringb=3,ringk=4000;f2r4b2:ring=4,ringb=2,ringk=4000;f2r3b3x:ring=3,ringb=3,ringk=4000,xtma=2;base2:xtma=0"
step bench_xl 100 $B/sb_cuda_bench --quick --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short,batch2_short --variants "$VX" --out $L/bench_xl.jsonl
V="base:xtma=0;xrule:xtma=2;f2r3b3:ring=3,ringb=3,ringk=4000;base2:xtma=0"
step bench_lm 90 $B/sb_cuda_bench --quick --no-extras --models gpt2-large,gpt2-medium --precisions fp16 --scenarios single_short,batch2_short --variants "$V" --out $L/bench_lm.jsonl
step bench_gpt2 60 $B/sb_cuda_bench --quick --no-extras --models gpt2 --precisions fp16 --scenarios single_short,batch_short --variants "$V" --out $L/bench_gpt2.jsonl
NCU="ncu --clock-control none --profile-from-start off --section SpeedOfLight --section LaunchStats --section Occupancy"
step ncu_b2_base 45 $NCU --launch-skip 10 --launch-count 5 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 2 --variants "b:xtma=0"
step ncu_b2_xtma 45 $NCU --launch-skip 10 --launch-count 5 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 2 --variants "x:xtma=1"
step ncu_b1_f2r3 45 $NCU --launch-skip 10 --launch-count 5 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1 --variants "r:ring=3,ringb=3,ringk=4000"
echo "=== decode ms/step: median p90 x_floor"
for f in bench_xl bench_lm bench_gpt2; do grep -E '^gpt2' $L/$f.log | awk '{ printf "%-11s %-14s %-8s %s %s %s\n", $1,$3,$4,$8,$9,$11 }'; done
grep -E "^ *gemv_(ring|xtma)/|FAIL|FATAL" $L/val_ring_small.log | head -14
python3 $D/ncu_table.py $L/ncu_b2_base.log $L/ncu_b2_xtma.log $L/ncu_b1_f2r3.log
echo "=== summary"; cat $L/summary.txt
