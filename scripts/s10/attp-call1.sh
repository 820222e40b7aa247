#!/usr/bin/env bash
# Session 10 attention + proj on the count-in-word protocol, device call 1 (docs/perf-cuda.md
# "Session 10: attention + proj on the count-in-word protocol"): unpack the staged binaries
# (.gpu/s10-attp/bins.tar.xz: stripped sb_cuda_bench + cuda_validate of branch s10-attp), then
#  1. cuda_validate --small --only attn_proj   (kernel + engine cases; fast correctness gate)
#  2. sb_cuda_bench gpt2 + gpt2-medium, fp16 / bf16 / fp32, B = 1..4, one process per precision:
#     off (fuseap=0, the chain: main's kernels) / ap (fuseap=1, every row count it fits) / apw2 (ap
#     with 2 attention warps per head) / rule (fuseap=-1, session 9's rule) / off2 (fuseap=0);
#     then gpt2-xl fp16 B=1..2: off / ap / off2 (does n_embd > 1024 pay now?)
#  3. cuda_validate --only attn_proj (full shapes); SB_FUSE_ATTN_PROJ=1 --only engine (every
#     engine case fused where it fits)
#  4. compute-sanitizer memcheck and racecheck of cuda_validate --small --only attn_proj
# Logs in one tar under $OUT; the table at the end of the output.
D=.gpu/s10-attp
TAR=s10attp-call1.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small_ap 60 $B/cuda_validate --small --only attn_proj
SC=single_short,batch2_short,batch3_short,batch_short
V="off:fuseap=0;ap:fuseap=1;apw2:fuseap=1,apw=2;rule:fuseap=-1;off2:fuseap=0"
for p in fp16 bf16 fp32; do
  step bench_$p 90 $B/sb_cuda_bench --quick --no-extras --models gpt2,gpt2-medium --precisions $p --scenarios $SC \
    --variants "$V" --out $L/bench_$p.jsonl
done
step bench_xl 60 $B/sb_cuda_bench --quick --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short,batch2_short \
  --variants "off:fuseap=0;ap:fuseap=1;off2:fuseap=0" --out $L/bench_xl.jsonl
step val_full_ap 90 $B/cuda_validate --only attn_proj
step val_engine_forced 100 env SB_FUSE_ATTN_PROJ=1 $B/cuda_validate --only engine
step memcheck_small_ap 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
step racecheck_small_ap 240 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
rm -rf $L
echo "=== decode ms/step (median, p90) per variant"
tar -xzf $OUT/$TAR -O logs/bench_fp16.log logs/bench_bf16.log logs/bench_fp32.log logs/bench_xl.log 2>/dev/null | grep -E '^(gpt2|  \[)' | awk '{ if ($1 ~ /^gpt2/) printf "%-11s %-5s %-13s %-5s %s %s\n", $1,$2,$3,$4,$8,$9; else print substr($0,1,150) }'
echo "=== FAIL lines (first 15)"; tar -xzf $OUT/$TAR -O logs/val_small_ap.log logs/val_full_ap.log logs/val_engine_forced.log 2>/dev/null | grep -E '^FAIL|FATAL' | head -15
echo "=== sanitizer"; tar -xzf $OUT/$TAR -O logs/memcheck_small_ap.log logs/racecheck_small_ap.log 2>/dev/null | grep -E 'ERROR SUMMARY|RACECHECK SUMMARY|hazard' | head -6
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
