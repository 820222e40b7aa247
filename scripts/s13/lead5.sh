# Session 13 call 5: the LM head's last rows prefetched into L2 during the last layer (lm_prefetch_mb,
# new; a small PDL kernel before the last MLP or the last QKV GEMV).  Validation with it forced on
# (SB_LM_PREFETCH_MB=16) and off, then decode ms/step per variant in one process per model.
TAR=lead5.tgz
source scripts/s12/lib.sh
step val_small    150 $B/cuda_validate --small
step val_small_pf 150 env SB_LM_PREFETCH_MB=16 $B/cuda_validate --small
V="d:lmpf=0;p8:lmpf=8;p16:lmpf=16;p24:lmpf=24;p32:lmpf=32;q16:lmpf=16,lmpat=1;d2:lmpf=0"
step b_gpt2  200 $B/sb_cuda_bench --models gpt2,gpt2-medium --precisions fp16,bf16 --scenarios single_short,batch_short --no-extras --reps 15 --variants "$V"
step b_large 200 $B/sb_cuda_bench --models gpt2-large,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --no-extras --reps 15 --variants "$V"
grep -E "^gpt2" $L/b_gpt2.log $L/b_large.log | sed 's/^[^:]*://'
