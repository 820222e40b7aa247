# Session 15 call 4: the rules as the default (fp8 one-row GEMVs: tensor cores for QKV / c_fc, split
# K for the mlp c_proj as int8's, 4-row warps for the attn c_proj at n_embd <= 768; int8: 4-row
# warps for c_fc at n_embd >= 1280) — validation (--small, the full qgemv section, the engine on
# pydoc-gpt2-8m, the accuracy gates) and the A/B against the previous behaviour (off) alternated in
# one process, gpt2 .. gpt2-xl at batch 1 (and 2 for the fp8 / int8 cells the rules leave alone),
# with fp16 measured in the same call.
TAR=lead4.tgz
source scripts/s12/lib.sh
step val_small 150 $B/cuda_validate --small
step val_engine 240 $B/cuda_validate --only engine $P
step accuracy 200 $B/cuda_validate --only accuracy --pydoc $S/pydoc --accuracy-corpus $S/calib --accuracy-calib $S/calib-lib/stdtypes.rst.txt --accuracy-bytes 32768
M=gpt2,gpt2-medium,gpt2-large,gpt2-xl
step b_f8 200 $B/sb_cuda_bench --models $M --precisions fp8 --scenarios single_short --no-extras --reps 15 --variants "off:wide=0,f8m1=0,splitk=1;rule;nosplit:splitk=1;off2:wide=0,f8m1=0,splitk=1;rule2"
step b_i8 200 $B/sb_cuda_bench --models $M --precisions int8 --scenarios single_short --no-extras --reps 15 --variants "off:wide=0;rule;off2:wide=0;rule2"
step b_f16 120 $B/sb_cuda_bench --models $M --precisions fp16 --scenarios single_short,batch_short --no-extras --reps 15 --variants "a;b"
step b_q4 200 $B/sb_cuda_bench --models gpt2-large,gpt2-xl --precisions int8,fp8 --scenarios batch_short --no-extras --reps 15 --variants "a;b"
step val_qgemv 330 $B/cuda_validate --only qgemv
for f in val_small val_engine accuracy val_qgemv; do echo "== $f"; tail -n 2 $L/$f.log; done; grep -hE "^FAIL" $L/val_*.log $L/accuracy.log | head -8
grep -E "^(accuracy|  *(fp16|bf16|int8|fp8))" $L/accuracy.log | head -20
for f in b_f8 b_i8 b_f16 b_q4; do echo "== $f"; grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/$f.log | awk '{print $1,$2,$3,$4,$8,$11}'; done
