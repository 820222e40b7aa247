#!/usr/bin/env bash
# Lead call 3 (session 11): main after the three merges (s11-tiny, s11-xl, s11-mlp): validation of every
# section touched, sanitizers, and each new default against its off switch in one process (15 reps).
set -u
S=.gpu-cuda
OUT=${OUT:-/tmp/out}
L=$OUT/logs; mkdir -p $L
tar -C $S -xJf $S/stage.tar.xz || { echo "cannot unpack"; exit 2; }
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=$S/bin
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee $L/gpu.txt; date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-22s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|ERROR SUMMARY|RACECHECK SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/lead3.tar.gz logs; }
step val_small 100 $B/cuda_validate --small
step val_smallsec 90 $B/cuda_validate --only small
step val_gemv_ring 90 $B/cuda_validate --only gemv_ring
step val_mlp 90 $B/cuda_validate --only mlp
step val_engine 120 $B/cuda_validate --only engine
step val_gemv 90 $B/cuda_validate --only gemv
step memcheck_small 75 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only small
step memcheck_gemv_ring 75 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv_ring
step memcheck_mlp 75 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only mlp
V="default;s10:s8pre=0,lnt=128,mlpp=0;default2;s10b:s8pre=0,lnt=128,mlpp=0"
step bench_tiny 80 $B/sb_cuda_bench --reps 15 --no-extras --models tiny-gpt2 --precisions fp32,fp16,bf16,int8,fp8 --scenarios single_short,batch_short --variants "$V" --out $L/bench_tiny.jsonl
step bench_gpt2 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium,gpt2-large --precisions fp16,bf16 --scenarios single_short,batch_short --variants "$V" --out $L/bench_gpt2.jsonl
step bench_xl 80 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short --variants "default;q512:lnt=512,lntw=1;default2;q512b:lnt=512,lntw=1" --out $L/bench_xl.jsonl
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-220 | head -15
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench_*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== summary"; cat $L/summary.txt
