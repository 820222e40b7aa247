#!/usr/bin/env bash
# Lead call 3 (session 12): ln_fold after the fixes of call 2 (test shapes, n_embd % 8 rule, the
# persistent/small-vs-chain limit with the fold on); gpt2-xl B=1 variants (why fold was +12% there);
# register use of the folded GEMV kernels.
TAR=lead3.tar.gz; source scripts/s12/lib.sh
/usr/local/cuda/bin/cuobjdump --dump-resource-usage $B/cuda_validate 2>&1 | grep -A1 "gemv3_kernel" | paste - - | grep -E "ILi[12]ELi1ELN[^E]*E[0-9]ELb0ELi[0456]ELi(128|256|512)E" | sed -E 's/.*gemv3_kernelILi([0-9]+)ELi([0-9]+)ELN[^E]*E([0-9])ELb0ELi([0-9])ELi([0-9]+)E.*REG:([0-9]+) STACK:([0-9]+).*LOCAL:([0-9]+).*/fmt=\1 M=\2 epi=\3 V=\4 NT=\5 REG=\6 STACK=\7 LOCAL=\8/' > $L/regs.txt 2>&1
step bench_xl 200 $B/sb_cuda_bench --reps 15 --no-extras --models gpt2-xl --precisions fp16 --scenarios single_short --variants "default;fold:fold=1;foldnx:fold=1,xtma=0;nx:xtma=0;fold256:fold=1,lnt=256;fold512:fold=1,lnt=512;default2;foldnx2:fold=1,xtma=0;fold2:fold=1" --out $L/bench_xl.jsonl
step val_fold 120 $B/cuda_validate --only ln_fold
step memcheck_fold 120 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only ln_fold
step val_engine_fold 200 env SB_LN_FOLD=1 $B/cuda_validate --only engine $P
step val_small_fold 100 env SB_LN_FOLD=1 $B/cuda_validate --small
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-240 | head -20
grep -E "^ln_fold" $L/val_fold.log | head -20
grep -E "_vs_chain|^engine/(fp16|bf16) " $L/val_engine_fold.log | grep -v "^  " | head -20
echo "=== regs"; cat $L/regs.txt | sort | uniq | head -60
echo "=== decode ms/step: median p90 x_floor"
cat $L/bench_*.log | grep -E '^(tiny|gpt2)' | awk '{ printf "%-11s %-5s %-14s %-8s %s %s %s\n", $1,$2,$3,$4,$8,$9,$11 }'
echo "=== summary"; cat $L/summary.txt
