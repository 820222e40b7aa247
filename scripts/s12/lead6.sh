#!/usr/bin/env bash
# Lead call 6 (session 12): the fused MLP's fc2 chunks with the fold on, interleaved four times against the default (call 5 was within the default's run-to-run spread).
S=.gpu-cuda
OUT=${OUT:-/tmp/out}
L=$OUT/logs; mkdir -p $L
tar -C $S -xJf $S/stage.tar.xz || { echo "cannot unpack"; exit 2; }
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=$S/bin
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee $L/gpu.txt; date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-22s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|ERROR SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/lead6.tar.gz logs; }
V="d1;p1:mlpp=1;d2;p2:mlpp=1;d3;p3:mlpp=1;d4;p4:mlpp=1"
step bench 200 $B/sb_cuda_bench --reps 21 --no-extras --models gpt2 --precisions fp16,bf16 --scenarios single_short,batch_short --variants "$V" --out $L/bench.jsonl



echo "=== decode ms/step: median p90 x_floor"
cat $L/bench*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== traces"; grep -E "trace-mlp|mean 1" $L/trace_*.log | cut -c1-220
echo "=== summary"; cat $L/summary.txt
