#!/usr/bin/env bash
# Lead call 8 (session 12): int8 / fp8 decode against the folded fp16 path on gpt2-large and gpt2-xl (issue 7: quantized decode faster than fp16).
set -u
S=.gpu-cuda
OUT=${OUT:-/tmp/out}
L=$OUT/logs; mkdir -p $L
tar -C $S -xJf $S/stage.tar.xz || { echo "cannot unpack"; exit 2; }
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=$S/bin
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee $L/gpu.txt; date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-22s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|ERROR SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/lead8.tar.gz logs; }
step bench 240 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-large,gpt2-xl --precisions fp16,int8,fp8 --scenarios single_short,batch_short --variants "default;default2" --out $L/bench.jsonl
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-240 | head -20
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s %s\n", $1,$2,$3,$4,$8,$9,$10,$11 }'
grep -E "^ceilings" $L/bench.log
echo "=== summary"; cat $L/summary.txt
