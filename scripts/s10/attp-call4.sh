#!/usr/bin/env bash
# Session 10 attention + proj, device call 4 (bench only, the final binaries of call 3): how many
# slices at one row?  gpt2 fp16 / bf16 and gpt2-medium fp16, B=1..2, one process per precision:
# rule (6 x 128 at gpt2 B=1, 8 x 128 at medium) / s3 / s4 / s8 (forced slice counts) / w2 (rule's
# slices, 2 attention warps) / rule2 / off.
D=.gpu/s10-attp
TAR=s10attp-call4.tar.gz
source "$(dirname "$0")/lib.sh"
V="rule:fuseap=-1;s3:fuseap=1,apslices=3;s4:fuseap=1,apslices=4;s8:fuseap=1,apslices=8;w2:fuseap=-1,apw=2;rule2:fuseap=-1;off:fuseap=0"
for p in fp16 bf16; do
  step bench_gpt2_$p 60 $B/sb_cuda_bench --quick --no-extras --models gpt2 --precisions $p --scenarios single_short,batch2_short --variants "$V" --out $L/bench_gpt2_$p.jsonl
done
step bench_medium 60 $B/sb_cuda_bench --quick --no-extras --models gpt2-medium --precisions fp16 --scenarios single_short,batch2_short --variants "$V" --out $L/bench_medium.jsonl
rm -rf $L
tar -xzf $OUT/$TAR -O logs/bench_gpt2_fp16.log logs/bench_gpt2_bf16.log logs/bench_medium.log 2>/dev/null | grep -E '^gpt2' | awk '{ printf "%-11s %-5s %-13s %-5s %s %s\n", $1,$2,$3,$4,$8,$9 }'
tar -xzf $OUT/$TAR -O logs/summary.txt
