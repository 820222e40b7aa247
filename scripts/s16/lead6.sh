# Session 16 call 6: gemv_x_global restricted to int8 (call 5's qgemv run hit an illegal address: fp8
# stages its values in place of the raw rows, so its launches had no shared memory for them) —
# the qgemv section in full, --small, and int8 against fp16 once more in one process.
TAR=lead6.tgz
source scripts/s12/lib.sh
step val_q 150 $B/cuda_validate --only qgemv
step val_small 100 $B/cuda_validate --small
step b_f16 60 $B/sb_cuda_bench --models gpt2-xl,gpt2-large --precisions fp16,int8 --scenarios batch3_short,batch_short --no-extras --reps 15 --variants "a;b"
tail -n 2 $L/val_q.log $L/val_small.log; grep -hE "^FAIL|FATAL" $L/val_*.log | head -5
grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/b_f16.log | awk '{print $1,$2,$3,$4,$8,$10,$11}'
