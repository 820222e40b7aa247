# Session 15 call 9: int8 at 3-4 rows with one weight row per warp (gemv_int8_r1, 6 blocks per SM)
# against the default two rows (3 per SM): the A/B alternated in one process (gpt2 .. gpt2-xl, batch
# 3 and 4, fp16 alongside), and correctness with the switch on (qgemv small shapes, where rows 4 take
# it; the engine on pydoc-gpt2-8m, whose int8 B=3 decode takes it).
TAR=lead9.tgz
source scripts/s12/lib.sh
step val_q 120 env SB_GEMV_INT8_R1=1 $B/cuda_validate --small --only qgemv
step val_engine 240 env SB_GEMV_INT8_R1=1 $B/cuda_validate --only engine $P
step b_i8 240 $B/sb_cuda_bench --models gpt2,gpt2-medium,gpt2-large,gpt2-xl --precisions int8 --scenarios batch3_short,batch_short --no-extras --reps 15 --variants "r2:i8r1=0;r1:i8r1=1;r2b:i8r1=0;r1b:i8r1=1"
step b_f16 120 $B/sb_cuda_bench --models gpt2-large,gpt2-xl --precisions fp16 --scenarios batch3_short,batch_short --no-extras --reps 15 --variants "a;b"
for f in val_q val_engine; do echo "== $f"; tail -n 2 $L/$f.log; done; grep -hE "^FAIL" $L/val_*.log | head -5
for f in b_i8 b_f16; do echo "== $f"; grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/$f.log | awk '{print $1,$2,$3,$4,$8}'; done
