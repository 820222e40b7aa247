#!/usr/bin/env bash
# Session 11 fused MLP, device call 1 (docs/perf-cuda.md "Session 11: the fused MLP's post-wait
# chain", call 1): correctness of the variants, then where the kernel's post-wait time goes
# (--trace-mlp) and the decode step, baseline and variants alternating in one process, twice.
D=.gpu/s11-mlp
TAR=s11mlp-call1.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small 60 $B/cuda_validate --small --only mlp
if grep -qE 'FATAL' $L/val_small.log || tail -1 $L/summary.txt | grep -q 'rc=124'; then
  echo "=== val_small broke: its log tail"; tail -30 $L/val_small.log; exit 3; fi
V="base:mlpw=0,mlpc=0;w:mlpw=1;wc4:mlpw=1,mlpc=4;wc8:mlpw=1,mlpc=8;c8:mlpc=8;base2:mlpw=0,mlpc=0"
step trace 60 $B/sb_cuda_bench --trace-mlp gpt2 --variants "$V"
step bench1 90 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2 --precisions fp16,bf16 \
  --scenarios single_short,batch_short --variants "$V" --out $L/bench1.jsonl
step bench2 90 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2,gpt2-medium --precisions fp16,bf16 \
  --scenarios single_short,batch_short --variants "base:mlpw=0,mlpc=0;w:mlpw=1;wc8:mlpw=1,mlpc=8;base2:mlpw=0,mlpc=0" --out $L/bench2.jsonl
step memcheck_small 90 compute-sanitizer --tool memcheck --error-exitcode 99 env SB_MLP_WARP_LN=1 SB_MLP_CLUSTER=8 $B/cuda_validate --small --only mlp
step racecheck_small 90 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only mlp_kernel
step val_env_small 60 env SB_MLP_WARP_LN=1 SB_MLP_CLUSTER=8 $B/cuda_validate --small --only mlp
step val_full 90 $B/cuda_validate --only mlp
rm -rf $L
echo "=== traces"; tar -xzf $OUT/$TAR -O logs/trace.log | grep -vE '^\s*$' | grep -v '^device'
echo "=== decode ms/step (median)"; tar -xzf $OUT/$TAR -O logs/bench1.log logs/bench2.log | grep -E '^gpt2' | awk '{printf "%-11s %-5s %-14s %-6s %s %s\n", $1,$2,$3,$4,$8,$9}'
echo "=== variant notes (bench1, gpt2)"; tar -xzf $OUT/$TAR -O logs/bench1.log | grep -E '^\s+\[.*\] fuse_mlp=' | sort -u | cut -c1-200 | head -14
echo "=== FAIL lines (first 20)"; tar -xzf $OUT/$TAR -O logs/val_small.log logs/val_full.log logs/memcheck_small.log logs/racecheck_small.log logs/val_env_small.log 2>/dev/null | grep -E '^FAIL|FATAL|Race|Invalid|ERROR SUMMARY|RACECHECK SUMMARY' | head -20
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
