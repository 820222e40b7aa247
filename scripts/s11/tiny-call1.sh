#!/usr/bin/env bash
# Session 11 s11-tiny call 1 (docs/perf-cuda.md "Session 11: fp8 in the small-model decode step"):
# tiny-gpt2 fp8 in the small kernel, default (codes: main's path) vs small_fp8_predecode (s8pre=1),
# one binary (this branch), alternating variants in one process, 15 reps; per-phase timelines of
# fp16 / fp8 / fp8-decoded; validation of the small section (full), memcheck of --small --only small,
# cuda_validate --small (every section) last.
# Staged in D=.gpu/s11-tiny/ (bins.tar.xz: stripped sb_cuda_bench + cuda_validate); run from the repo root.
set -u
D=${D:-.gpu/s11-tiny}
TAR=${TAR:-s11tiny-call1.tar.gz}
OUT=${OUT:-/tmp/out}
L=$OUT/logs
mkdir -p "$L"
tar -C $D -xJf $D/bins.tar.xz || { echo "cannot unpack"; exit 2; }
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=$D/bin
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee $L/gpu.txt
date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-18s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|ERROR SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/$TAR logs; }
V="base;pre:s8pre=1;base2;pre2:s8pre=1"
step bench1 60 $B/sb_cuda_bench --reps 15 --no-extras --models tiny-gpt2 --precisions fp8,fp16 --scenarios single_short,batch_short --variants "$V" --out $L/bench1.jsonl
step trace_fp8 30 $B/sb_cuda_bench --trace-small tiny-gpt2 --precisions fp8 --variants "base;pre:s8pre=1"
step trace_fp16 20 $B/sb_cuda_bench --trace-small tiny-gpt2 --precisions fp16 --variants "base"
step val_small 150 $B/cuda_validate --only small
step memcheck_small 120 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only small
step bench2 60 $B/sb_cuda_bench --reps 15 --no-extras --models tiny-gpt2 --precisions fp8,fp16 --scenarios single_short,batch_short --variants "$V" --out $L/bench2.jsonl
step val_all_small 110 $B/cuda_validate --small
echo "=== FAIL lines"; cat $L/val_*.log $L/memcheck_*.log | grep -E '^FAIL|FATAL|  FAIL' | cut -c1-220 | head -12
grep -E "small_decoded_vs_codes" $L/val_small.log | head -40 | cut -c1-160
grep -E "^ *engine/fp8" $L/val_small.log | head -12
echo "=== traces"; grep -E "trace-small|layer . phases" $L/trace_*.log | cut -c1-330
echo "=== decode ms/step: median p90"
cat $L/bench1.log $L/bench2.log | grep -E '^tiny' | awk '{ printf "%-10s %-5s %-13s %-6s %s %s\n", $1,$2,$3,$4,$8,$9 }'
echo "=== summary"; cat $L/summary.txt
