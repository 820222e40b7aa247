#!/usr/bin/env bash
# Session 10 attention + proj, device call 2 (docs/perf-cuda.md "Session 10: attention + proj on the
# count-in-word protocol"): the final candidate (kernel at 64 registers: x_old and bias in shared
# memory; the rule without its n_embd bound).
#  1. cuda_validate --small --only attn_proj   (gate)
#  2. sb_cuda_bench gpt2 fp16 / bf16 / fp32 B=1..4, one process per precision: off / ap / ap_nomlp
#     (fuseap=1 fusemlp=0) / off_nomlp (fuseap=0 fusemlp=0) / ap_s6 (6 slices) / ap_w2s6 (6 slices, 2
#     attention warps per head: the smallest footprint) / rule / off2;
#     gpt2-medium, gpt2-large, gpt2-xl fp16 B=1..4: off / ap / rule / off2; medium bf16/fp32: off / rule / off2
#  3. full --only attn_proj, --only engine (defaults = the new rule), SB_FUSE_ATTN_PROJ=1 --only
#     engine, --small (every section), memcheck and racecheck of --small --only attn_proj
D=.gpu/s10-attp
TAR=s10attp-call2.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small_ap 60 $B/cuda_validate --small --only attn_proj
SC=single_short,batch2_short,batch3_short,batch_short
V="off:fuseap=0;ap:fuseap=1;ap_nomlp:fuseap=1,fusemlp=0;off_nomlp:fuseap=0,fusemlp=0;ap_s6:fuseap=1,apslices=6;ap_w2s6:fuseap=1,apslices=6,apw=2;rule:fuseap=-1;off2:fuseap=0"
for p in fp16 bf16 fp32; do
  step bench_gpt2_$p 90 $B/sb_cuda_bench --quick --no-extras --models gpt2 --precisions $p --scenarios $SC --variants "$V" --out $L/bench_gpt2_$p.jsonl
done
step bench_big_fp16 120 $B/sb_cuda_bench --quick --no-extras --models gpt2-medium,gpt2-large,gpt2-xl --precisions fp16 --scenarios $SC \
  --variants "off:fuseap=0;ap:fuseap=1;rule:fuseap=-1;off2:fuseap=0" --out $L/bench_big_fp16.jsonl
step bench_medium 90 $B/sb_cuda_bench --quick --no-extras --models gpt2-medium --precisions bf16,fp32 --scenarios $SC \
  --variants "off:fuseap=0;rule:fuseap=-1;off2:fuseap=0" --out $L/bench_medium.jsonl
step val_full_ap 90 $B/cuda_validate --only attn_proj
step val_engine 100 $B/cuda_validate --only engine
step val_engine_forced 100 env SB_FUSE_ATTN_PROJ=1 $B/cuda_validate --only engine
step val_small_all 120 $B/cuda_validate --small
step memcheck_small_ap 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
step racecheck_small_ap 240 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
rm -rf $L
echo "=== decode ms/step (median, p90) per variant"
tar -xzf $OUT/$TAR -O logs/bench_gpt2_fp16.log logs/bench_gpt2_bf16.log logs/bench_gpt2_fp32.log logs/bench_big_fp16.log logs/bench_medium.log 2>/dev/null | grep -E '^gpt2' | awk '{ printf "%-11s %-5s %-13s %-9s %s %s\n", $1,$2,$3,$4,$8,$9 }'
echo "=== FAIL lines (first 15)"; tar -xzf $OUT/$TAR -O logs/val_small_ap.log logs/val_full_ap.log logs/val_engine.log logs/val_engine_forced.log logs/val_small_all.log 2>/dev/null | grep -E '^FAIL|FATAL' | head -15
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
