#!/usr/bin/env bash
# Session 10 attention + proj, device call 3 (docs/perf-cuda.md "Session 10: attention + proj on the
# count-in-word protocol"): the final binaries (one-row slices of <= 128 outputs, the widened rule,
# cuda_validate's path-check and cluster-default fixes).
#  1. cuda_validate --small (every section), full --only attn_proj, --only engine (defaults),
#     SB_FUSE_ATTN_PROJ=1 --only engine, memcheck --small --only attn_proj
#  2. sb_cuda_bench gpt2 fp16 / bf16 / fp32 B=1..4 off / rule / ap / off2 (one process per
#     precision); gpt2-medium fp16 off / rule / off2
D=.gpu/s10-attp
TAR=s10attp-call3.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small_all 120 $B/cuda_validate --small
step val_full_ap 90 $B/cuda_validate --only attn_proj
step val_engine 100 $B/cuda_validate --only engine
step val_engine_forced 100 env SB_FUSE_ATTN_PROJ=1 $B/cuda_validate --only engine
step memcheck_small_ap 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
SC=single_short,batch2_short,batch3_short,batch_short
for p in fp16 bf16 fp32; do
  step bench_gpt2_$p 90 $B/sb_cuda_bench --quick --no-extras --models gpt2 --precisions $p --scenarios $SC \
    --variants "off:fuseap=0;rule:fuseap=-1;ap:fuseap=1;off2:fuseap=0" --out $L/bench_gpt2_$p.jsonl
done
step bench_medium 90 $B/sb_cuda_bench --quick --no-extras --models gpt2-medium --precisions fp16 --scenarios $SC \
  --variants "off:fuseap=0;rule:fuseap=-1;off2:fuseap=0" --out $L/bench_medium.jsonl
rm -rf $L
echo "=== decode ms/step (median, p90) per variant"
tar -xzf $OUT/$TAR -O logs/bench_gpt2_fp16.log logs/bench_gpt2_bf16.log logs/bench_gpt2_fp32.log logs/bench_medium.log 2>/dev/null | grep -E '^gpt2' | awk '{ printf "%-11s %-5s %-13s %-5s %s %s\n", $1,$2,$3,$4,$8,$9 }'
echo "=== FAIL lines (first 15)"; tar -xzf $OUT/$TAR -O logs/val_small_all.log logs/val_full_ap.log logs/val_engine.log logs/val_engine_forced.log 2>/dev/null | grep -E '^FAIL|FATAL' | cut -c1-300 | head -15
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
