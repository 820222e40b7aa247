#!/usr/bin/env bash
# Session 11 s11-tiny call 2 (docs/perf-cuda.md "Session 11: fp8 in the small-model decode step"):
# small_fp8_predecode made the default (binaries of this branch, build/cuda-ship); the default against
# the codes path (s8pre=0 = main's fp8 small kernel) for every tiny-gpt2 precision at B=1 and B=4,
# alternating in one process, 15 reps, two processes; validation of the new default: --only small,
# --small (every section), --only engine (full), memcheck --small --only small, racecheck (capped).
set -u
D=${D:-.gpu/s11-tiny}
TAR=${TAR:-s11tiny-call2.tar.gz}
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
V="default;codes:s8pre=0;default2;codes2:s8pre=0"
P=fp8,fp16,fp32,bf16,int8
step bench1 60 $B/sb_cuda_bench --reps 15 --models tiny-gpt2 --precisions $P --scenarios single_short,batch_short --variants "$V" --out $L/bench1.jsonl
step trace_fp8 30 $B/sb_cuda_bench --trace-small tiny-gpt2 --precisions fp8 --variants "default;codes:s8pre=0"
step val_small 100 $B/cuda_validate --only small
step val_all_small 100 $B/cuda_validate --small
step val_engine 150 $B/cuda_validate --only engine
step memcheck_small 100 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only small
step bench2 60 $B/sb_cuda_bench --reps 15 --no-extras --models tiny-gpt2 --precisions $P --scenarios single_short,batch_short --variants "$V" --out $L/bench2.jsonl
step racecheck_small 75 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only small
echo "=== FAIL lines"; cat $L/val_*.log $L/memcheck_*.log | grep -E '^FAIL|FATAL|  FAIL' | cut -c1-220 | head -12
grep -E "^ *engine/fp8|^ *engine/(fp16|fp32|bf16|int8) " $L/val_small.log $L/val_engine.log | cut -c1-150 | head -24
grep -E "one empty kernel" $L/bench1.log
echo "=== traces"; grep -E "trace-small|layer . phases" $L/trace_*.log | cut -c1-330
echo "=== decode ms/step: median p90"
cat $L/bench1.log $L/bench2.log | grep -E '^tiny' | awk '{ printf "%-10s %-5s %-13s %-8s %s %s\n", $1,$2,$3,$4,$8,$9 }'
echo "=== summary"; cat $L/summary.txt
