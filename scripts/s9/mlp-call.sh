#!/usr/bin/env bash
# Session 9 fused-MLP device call (docs/perf-cuda.md "Session 9: fused MLP"): unpack the staged
# binaries (.gpu/mlp/bins.tar.xz: stripped sb_cuda_bench + cuda_validate of branch s9-mlp), then
#  1. cuda_validate --small --only mlp   (kernel + engine cases; fast correctness gate)
#  2. sb_cuda_bench: fp16 gpt2 / medium / large and bf16 / fp32 gpt2, B = 1..4, variants
#     base (fusemlp=0, the chain) / mlp (fusemlp=1) / base2 (fusemlp=0), one process per precision set
#  3. compute-sanitizer memcheck --small --only mlp
#  4. cuda_validate --only mlp (full shapes), then --small --only engine (default switches), then
#     SB_FUSE_MLP=1 --small --only engine (every engine case on the fused path where it applies).
#     (pydoc-gpt2-8m does not fit the 64 MiB a call carries beside these binaries: staged apart.)
#  5. ncu of one eager gpt2 fp16 decode step, base and fused, batch 1 and 2 (per-kernel durations)
# Logs in one tar under $OUT; the table at the end of the output.
TAR=s9mlp-call.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small_mlp 30 $B/cuda_validate --small --only mlp
V="base:fusemlp=0;mlp:fusemlp=1;base2:fusemlp=0"
SC=single_short,batch2_short,batch3_short,batch_short
step bench_fp16 120 $B/sb_cuda_bench --quick --no-extras --models gpt2,gpt2-medium,gpt2-large --precisions fp16 --scenarios $SC --variants "$V" --out $L/bench_fp16.jsonl
step bench_gpt2_bf16_fp32 60 $B/sb_cuda_bench --quick --no-extras --models gpt2 --precisions bf16,fp32 --scenarios $SC --variants "$V" --out $L/bench_gpt2.jsonl
step memcheck_small_mlp 60 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only mlp
step val_full_mlp 60 $B/cuda_validate --only mlp
step val_engine_small 50 $B/cuda_validate --small --only engine
step val_engine_env_small 50 env SB_FUSE_MLP=1 $B/cuda_validate --small --only engine
# ncu, one eager gpt2 fp16 decode step (kernels serialized: standalone durations, no PDL overlap).
for v in base:0:1 base:0:2 mlp:1:1 mlp:1:2; do IFS=: read n f b <<< "$v"
  step ncu_${n}_b$b 45 ncu --clock-control none --profile-from-start off --metrics gpu__time_duration.sum --csv \
    $B/sb_cuda_bench --profile-step gpt2 --profile-batch $b --variants "$n:fusemlp=$f"; done
rm -rf $L
echo "=== decode ms/step (median) per variant"
tar -xzf $OUT/s9mlp-call.tar.gz -O logs/bench_fp16.log logs/bench_gpt2_bf16_fp32.log 2>/dev/null | grep -E '^(gpt2|  \[)' | awk '{ if ($1 ~ /^gpt2/) printf "%-11s %-5s %-14s %-6s %s\n", $1,$2,$3,$4,$8; else print }'
echo "=== summary"; tar -xzf $OUT/s9mlp-call.tar.gz -O logs/summary.txt
