#!/usr/bin/env bash
# Session 11 s11-tiny call 3 (docs/perf-cuda.md "Session 11: fp8 in the small-model decode step"):
# re-validation after the vs-codes check's fix (binaries of this branch, build/cuda-ship, the decoded
# default on): cuda_validate --only small (full), memcheck --small --only small, racecheck of the
# small section's fp8 cases (--small-precisions fp8: both fp8 variants, tiny-gpt2's shape at B=4).
set -u
D=${D:-.gpu/s11-tiny}
TAR=${TAR:-s11tiny-call3.tar.gz}
OUT=${OUT:-/tmp/out}
L=$OUT/logs
mkdir -p "$L"
tar -C $D -xJf $D/bins.tar.xz || { echo "cannot unpack"; exit 2; }
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=$D/bin
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee $L/gpu.txt
date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-18s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|ERROR SUMMARY|RACECHECK SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/$TAR logs; }
step val_small 100 $B/cuda_validate --only small
step memcheck_small 100 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only small
step racecheck_fp8 80 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only small --small-precisions fp8
echo "=== FAIL lines"; cat $L/val_*.log $L/memcheck_*.log $L/racecheck_*.log | grep -E '^FAIL|FATAL|  FAIL' | cut -c1-220 | head -12
grep -hE "small_decoded_vs_codes" $L/val_small.log | cut -c1-150
grep -hE "^engine/fp8|hazard" $L/val_small.log $L/racecheck_fp8.log | cut -c1-150 | head -12
grep -c "small vs chain" $L/racecheck_fp8.log
echo "=== summary"; cat $L/summary.txt
