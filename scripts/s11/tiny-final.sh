#!/usr/bin/env bash
# Session 11 s11-tiny: the one-call check of branch s11-tiny for the lead (docs/perf-cuda.md
# "Session 11: fp8 in the small-model decode step"). Binaries: D/bins.tar.xz (stripped sb_cuda_bench +
# cuda_validate built with -DCMAKE_CUDA_ARCHITECTURES=90-real -DSB_CUDA_LINEINFO=OFF), or BIN=dir of
# already unpacked binaries (e.g. a merged build). ~100 s wall on an H200.
#  1. tiny-gpt2 decode, every precision at B=1 and B=4: default (fp8: decoded weights) vs s8pre=0 (fp8
#     codes: main's path), alternating in one process, --reps 15, two processes
#  2. cuda_validate --only small (full), --small (every section), memcheck --small --only small,
#     racecheck --small --only small --small-precisions fp8
set -u
D=${D:-.gpu/s11-tiny}
TAR=${TAR:-s11tiny-final.tar.gz}
OUT=${OUT:-/tmp/out}
L=$OUT/logs
mkdir -p "$L"
if [ -z "${BIN:-}" ]; then tar -C $D -xJf $D/bins.tar.xz || { echo "cannot unpack"; exit 2; }; BIN=$D/bin; fi
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=$BIN
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee $L/gpu.txt
date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-18s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|ERROR SUMMARY|RACECHECK SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/$TAR logs; }
V="default;codes:s8pre=0;default2;codes2:s8pre=0"
P=fp8,fp16,fp32,bf16,int8
step bench1 60 $B/sb_cuda_bench --reps 15 --no-extras --models tiny-gpt2 --precisions $P --scenarios single_short,batch_short --variants "$V" --out $L/bench1.jsonl
step val_small 100 $B/cuda_validate --only small
step val_all_small 100 $B/cuda_validate --small
step memcheck_small 100 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only small
step racecheck_fp8 80 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only small --small-precisions fp8
step bench2 60 $B/sb_cuda_bench --reps 15 --no-extras --models tiny-gpt2 --precisions $P --scenarios single_short,batch_short --variants "$V" --out $L/bench2.jsonl
echo "=== FAIL lines"; cat $L/val_*.log $L/memcheck_*.log $L/racecheck_*.log | grep -E '^FAIL|FATAL|  FAIL' | cut -c1-220 | head -12
grep -hE "^engine/fp8/small" $L/val_small.log | cut -c1-150
echo "=== decode ms/step: median p90"
cat $L/bench1.log $L/bench2.log | grep -E '^tiny' | awk '{ printf "%-10s %-5s %-13s %-8s %s %s\n", $1,$2,$3,$4,$8,$9 }'
echo "=== summary"; cat $L/summary.txt
