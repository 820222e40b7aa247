#!/usr/bin/env bash
# Lead call 1 (session 11): validate session 10's two unrun commits (LayerNorm helper, expect_range_guard),
# baseline numbers for this session's helpers (tiny fp8, gpt2 B=1, gpt2-xl B=1), ncu per-kernel profiles.
set -u
S=.gpu-cuda
OUT=${OUT:-/tmp/out}
L=$OUT/logs; mkdir -p $L
tar -C $S -xJf $S/stage.tar.xz || { echo "cannot unpack"; exit 2; }
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
export SCALEBENCH_TOKENIZER_DIR=$S/pydoc
B=$S/bin
P="--pydoc $S/pydoc --calib $S/calib"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee $L/gpu.txt; date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-22s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|ERROR SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/lead1.tar.gz logs; }
step val_small 100 $B/cuda_validate --small
step val_mlp 80 $B/cuda_validate --only mlp
step val_attn_proj 80 $B/cuda_validate --only attn_proj
step val_attn_layer 80 $B/cuda_validate --only attn_layer
step val_engine_pydoc 120 $B/cuda_validate --only engine $P
step memcheck_layer 60 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_layer
step memcheck_mlp 60 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only mlp
step bench_tiny 60 $B/sb_cuda_bench --reps 15 --no-extras --models tiny-gpt2 --precisions fp8,fp16 --scenarios single_short,batch_short --variants "default;default2" --out $L/bench_tiny.jsonl
step bench_gpt2 60 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2 --precisions fp16 --scenarios single_short,batch_short --variants "default;default2" --out $L/bench_gpt2.jsonl
step bench_xl 100 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short --variants "default;default2" --out $L/bench_xl.jsonl
step ncu_gpt2 90 ncu --profile-from-start off --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__registers_per_thread,launch__grid_size --csv $B/sb_cuda_bench --profile-step gpt2
step ncu_xl 120 ncu --profile-from-start off --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__registers_per_thread,launch__grid_size --csv $B/sb_cuda_bench --profile-step gpt2-xl
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-220 | head -15
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench_*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== summary"; cat $L/summary.txt
