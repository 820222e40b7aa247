#!/usr/bin/env bash
# Session 9 attention + proj fusion device call (docs/perf-cuda.md "Session 9: attention + proj
# fusion"): unpack the staged binaries (.gpu/attp/bins.tar.xz: stripped sb_cuda_bench + cuda_validate
# of branch s9-attp), then
#  1. cuda_validate --small --only attn_proj   (kernel + engine cases; fast correctness gate)
#  2. sb_cuda_bench fp16 gpt2 / medium / xl, B = 1..4: variants base (fuseap=0, the chain = main's
#     kernels) / ap (fuseap=1: on at every row count, atomic sum, the plan's slices) / apw2 (ap with 2
#     attention warps per head) / rule (fuseap=-1, the shape rule; written 2 when this call ran) / base2 (fuseap=0), one process;
#     then gpt2 bf16 / fp32 likewise; then the long cache (prompt 800, max_seq 1024) for gpt2 / xl fp16
#  3. compute-sanitizer memcheck --small --only attn_proj
#  4. cuda_validate --only attn_proj (full shapes); SB_FUSE_ATTN_PROJ=1 --only engine (full shapes:
#     every engine case on the fused path where it applies; then --small with the cluster sum); the
#     engine at its defaults (--small)
# Logs in one tar under $OUT; the table at the end of the output.
D=.gpu/attp
TAR=s9attp-call.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small_ap 60 $B/cuda_validate --small --only attn_proj
SC=single_short,batch2_short,batch3_short,batch_short
V="base:fuseap=0;ap:fuseap=1;apw2:fuseap=1,apw=2;rule:fuseap=-1;base2:fuseap=0"
step bench_fp16 120 $B/sb_cuda_bench --quick --no-extras --models gpt2,gpt2-medium,gpt2-xl --precisions fp16 --scenarios $SC \
  --variants "$V" --out $L/bench_fp16.jsonl
step bench_gpt2_bf16_fp32 50 $B/sb_cuda_bench --quick --no-extras --models gpt2 --precisions bf16,fp32 --scenarios $SC \
  --variants "$V" --out $L/bench_gpt2.jsonl
step bench_ctx800 60 $B/sb_cuda_bench --quick --no-extras --models gpt2,gpt2-xl --precisions fp16 --scenarios single_ctx800,batch_ctx800 \
  --variants "base:fuseap=0;ap:fuseap=1;apw2:fuseap=1,apw=2;base2:fuseap=0" --out $L/bench_ctx.jsonl
step memcheck_small_ap 80 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
step val_full_ap 60 $B/cuda_validate --only attn_proj
step val_engine_env_full 100 env SB_FUSE_ATTN_PROJ=1 $B/cuda_validate --only engine
step val_engine_env_cluster_small 50 env SB_FUSE_ATTN_PROJ=1 SB_ATTN_PROJ_CLUSTER=1 $B/cuda_validate --small --only engine
step val_engine_default_small 50 $B/cuda_validate --small --only engine
rm -rf $L
echo "=== decode ms/step (median) per variant"
tar -xzf $OUT/s9attp-call.tar.gz -O logs/bench_fp16.log logs/bench_gpt2_bf16_fp32.log logs/bench_ctx800.log 2>/dev/null | grep -E '^(gpt2|  \[)' | awk '{ if ($1 ~ /^gpt2/) printf "%-11s %-5s %-14s %-6s %s\n", $1,$2,$3,$4,$8; else print }'
echo "=== FAIL lines (first 15)"; tar -xzf $OUT/s9attp-call.tar.gz -O logs/val_small_ap.log logs/val_full_ap.log logs/val_engine_env_full.log logs/val_engine_env_cluster_small.log logs/val_engine_default_small.log 2>/dev/null | grep -E '^FAIL|FATAL' | head -15
echo "=== summary"; tar -xzf $OUT/s9attp-call.tar.gz -O logs/summary.txt
