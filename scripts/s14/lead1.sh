# Session 14 call 1: the tensor-core LM head (lm_head.cu) — validation (--small, then the full gemv
# section: every argmax shape with the switch on and off) and the same-process A/B against the
# register GEMV's LM head (lmmma=0), alternated, on gpt2 and gpt2-xl fp16 / bf16.
TAR=lead1.tgz
source scripts/s12/lib.sh
step val_small  150 $B/cuda_validate --small
step val_gemv   240 $B/cuda_validate --only gemv
step bench      300 $B/sb_cuda_bench --models gpt2,gpt2-xl --precisions fp16,bf16 --scenarios single_short,batch_short --no-extras --reps 15 --variants "reg:lmmma=0;mma:lmmma=1;reg2:lmmma=0;mma2:lmmma=1"
tail -4 $L/val_small.log; tail -4 $L/val_gemv.log; grep -E "^(gpt2|gpt2-xl) " $L/bench.log
