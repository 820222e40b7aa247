# Session 16 call 5: gemv_x_global (int8 / fp8 per-row-scaled rows at 3-4 input rows read from L2
# twice instead of copied to shared memory: gpt2-xl's int8 mlp c_proj at batch 4 ran 200 blocks at 2
# per SM, held by 77 KB of shared memory a block) validated and timed against the copy in one process,
# alternated, with fp16 alongside (issue 7's int8 gpt2-xl batch-4 cell).
TAR=lead5.tgz
source scripts/s12/lib.sh
step val_q 240 $B/cuda_validate --only qgemv
step b_i8 240 $B/sb_cuda_bench --models gpt2-xl,gpt2-large --precisions int8 --scenarios batch3_short,batch_short --no-extras --reps 15 --variants "xg0:xg=0;xg1:xg=1;xg0b:xg=0;xg1b:xg=1"
step b_f16 120 $B/sb_cuda_bench --models gpt2-xl,gpt2-large --precisions fp16,int8 --scenarios batch3_short,batch_short --no-extras --reps 15 --variants "a;b"
step val_small 150 $B/cuda_validate --small
tail -n 2 $L/val_q.log $L/val_small.log; grep -hE "^FAIL" $L/val_*.log | head -5
for f in b_i8 b_f16; do echo "== $f"; grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/$f.log | awk '{print $1,$2,$3,$4,$8,$10,$11}'; done
