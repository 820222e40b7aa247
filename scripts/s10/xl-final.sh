#!/usr/bin/env bash
# Session 10 s10-xl, staged for the lead (docs/perf-cuda.md "Session 10 (s10-xl): where it stands"):
# validation of the branch's final binaries at the defaults (every new switch off) and with the
# switches forced, then a second same-binary A/B of the two small gains (mlp c_proj ring 4 x 2,
# xtma rule).  Binaries: bin/ (s10-xl a506d32).
TAR=s10xl-final.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small 90 $B/cuda_validate --small
step val_engine 90 $B/cuda_validate --only engine
step val_gemv 75 $B/cuda_validate --only gemv
step memcheck_ring 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv_ring
step val_gemv_ring2 60 env SB_GEMV_RING=2 $B/cuda_validate --small --only gemv
step memcheck_gemv_ring2 90 env SB_GEMV_RING=2 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv
V="base:ring=0;f2t4b2:ring=4,ringb=2,ringk=4000;xrule:xtma=2;base2:ring=0;f2t4b2b:ring=4,ringb=2,ringk=4000;xruleb:xtma=2;base3:ring=0"
step bench_xl 90 $B/sb_cuda_bench --quick --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short,batch2_short --variants "$V" --out $L/bench_xl.jsonl
echo "=== decode ms/step: median p90 x_floor"
grep -E '^gpt2' $L/bench_xl.log | awk '{ printf "%-11s %-14s %-8s %s %s %s\n", $1,$3,$4,$8,$9,$11 }'
grep -hE "FAIL|FATAL" $L/val_*.log | cut -c1-200 | head -10
echo "=== summary"; cat $L/summary.txt
