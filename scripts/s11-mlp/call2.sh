#!/usr/bin/env bash
# Session 11 fused MLP, device call 2 (docs/perf-cuda.md "Session 11: the fused MLP's post-wait
# chain", call 2): the chunked fc2 partials (mlpp) and the rewritten warp LayerNorm (mlpw v2):
# correctness, timeline, and two decode runs with the baseline alternating in each process.
D=.gpu/s11-mlp
TAR=s11mlp-call2.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small 60 $B/cuda_validate --small --only mlp
if grep -qE 'FATAL' $L/val_small.log || tail -1 $L/summary.txt | grep -q 'rc=124'; then
  echo "=== val_small broke: its log tail"; tail -30 $L/val_small.log; exit 3; fi
V="base:mlpw=0,mlpp=0;p:mlpp=1;w:mlpw=1;wp:mlpw=1,mlpp=1;base2:mlpw=0,mlpp=0"
step trace 60 $B/sb_cuda_bench --trace-mlp gpt2 --variants "$V"
step bench1 90 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2 --precisions fp16,bf16 \
  --scenarios single_short,batch_short --variants "$V" --out $L/bench1.jsonl
step bench2 90 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2 --precisions fp16,bf16 \
  --scenarios single_short,batch_short --variants "$V" --out $L/bench2.jsonl
step memcheck_small 90 compute-sanitizer --tool memcheck --error-exitcode 99 env SB_MLP_WARP_LN=1 SB_MLP_FC2_CHUNKS=1 $B/cuda_validate --small --only mlp
step racecheck_small 90 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only mlp_kernel
step val_full 90 $B/cuda_validate --only mlp
step val_engine_env 60 env SB_MLP_WARP_LN=1 SB_MLP_FC2_CHUNKS=1 $B/cuda_validate --small --only engine
rm -rf $L
echo "=== traces (mean rows)"; tar -xzf $OUT/$TAR -O logs/trace.log | grep -E '^trace|mean 1|gap' | cut -c1-170
echo "=== decode ms/step (median p90)"; tar -xzf $OUT/$TAR -O logs/bench1.log logs/bench2.log | grep -E '^gpt2' | awk '{printf "%-5s %-13s %-6s %s %s\n", $2,$3,$4,$8,$9}'
echo "=== FAIL lines (first 20)"; tar -xzf $OUT/$TAR -O logs/val_small.log logs/val_full.log logs/memcheck_small.log logs/racecheck_small.log logs/val_engine_env.log 2>/dev/null | grep -E '^FAIL|FATAL|Invalid|ERROR SUMMARY|RACECHECK SUMMARY' | cut -c1-200 | head -20
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
