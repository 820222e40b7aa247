#!/usr/bin/env bash
# Lead call 2 (session 11, H100 named): session 10's H200-only rules on an H100: attention + proj at
# batch 1-4 (gpt2, gpt2-medium) and the gemv_xtma rule (gpt2-xl B=1), alternating in one process, 15 reps.
set -u
S=.gpu-cuda
OUT=${OUT:-/tmp/out}
L=$OUT/logs; mkdir -p $L
tar -C $S -xJf $S/stage.tar.xz bin || { echo "cannot unpack"; exit 2; }
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=$S/bin
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee $L/gpu.txt; date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-22s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|ERROR SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/lead2.tar.gz logs; }
step val_attn_proj 80 $B/cuda_validate --small --only attn_proj
step bench_ap 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium --precisions fp16,bf16 --scenarios single_short,batch2_short,batch_short --variants "default;noap:fuseap=0;default2;noap2:fuseap=0;default3;noap3:fuseap=0" --out $L/bench_ap.jsonl
step bench_xl 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short --variants "default;x0:xtma=0;noap:fuseap=0;default2;x02:xtma=0;noap2:fuseap=0" --out $L/bench_xl.jsonl
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench_*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== summary"; cat $L/summary.txt
