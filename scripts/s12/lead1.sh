#!/usr/bin/env bash
# Lead call 1 (session 12): session 11's host-side review commits (a638787 launch configs, af39423 env_int, ba3b963 raise_dyn_smem) on the GPU.
# Plus the attention kernels' sections, pydoc-gpt2-8m engine cases, the MLP/layer timelines and this session's baseline.
TAR=lead1.tar.gz; source scripts/s12/lib.sh
step val_small 100 $B/cuda_validate --small
step val_smallsec 90 $B/cuda_validate --only small
step val_gemv_ring 90 $B/cuda_validate --only gemv_ring
step val_mlp 90 $B/cuda_validate --only mlp
step val_engine 120 $B/cuda_validate --only engine
step val_gemv 90 $B/cuda_validate --only gemv
step memcheck_small 75 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only small
step memcheck_gemv_ring 75 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv_ring
step val_attn_proj 90 $B/cuda_validate --only attn_proj
step val_attn_layer 90 $B/cuda_validate --only attn_layer
step val_engine_pydoc 150 $B/cuda_validate --only engine $P
step memcheck_attn 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
step trace_mlp 60 $B/sb_cuda_bench --trace-mlp gpt2
step trace_layer 60 $B/sb_cuda_bench --trace-layer gpt2
step bench_base 150 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --variants "default;default2" --out $L/bench_base.jsonl
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-220 | head -15
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench_*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== trace heads"; head -40 $L/trace_mlp.log; head -40 $L/trace_layer.log
echo "=== summary"; cat $L/summary.txt
