# Session 16 call 2: gemv_flat v2 (each block's rows as one flat stream shared by its 4 warps; the
# per-row warp sums added in shared memory) validated and timed against the register path in one
# process, alternated, all sites and per site (1 QKV, 2 residual, 4 c_fc), fp16 batch 1.
TAR=lead2.tgz
source scripts/s12/lib.sh
step val_flat 150 $B/cuda_validate --only gemv_flat
step b_xl 420 $B/sb_cuda_bench --models gpt2-xl,gpt2-large --precisions fp16 --scenarios single_short --no-extras --reps 15 --variants "off:flat=0;all:flat=7;qkv:flat=1;fc:flat=4;res:flat=2;off2:flat=0;all2:flat=7"
step b_sm 150 $B/sb_cuda_bench --models gpt2-medium,gpt2 --precisions fp16 --scenarios single_short --no-extras --reps 15 --variants "off:flat=0;all:flat=7;qkv:flat=1;off2:flat=0;all2:flat=7"
step val_small_flat 200 env SB_GEMV_FLAT=7 $B/cuda_validate --small
tail -n 25 $L/val_flat.log | grep -E "gemv_flat|PASSED|FAILED"; grep -hE "^FAIL" $L/val_flat.log $L/val_small_flat.log | head -5; tail -n 1 $L/val_small_flat.log
grep -h "ceilings" $L/b_xl.log | head -1
for f in b_xl b_sm; do grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/$f.log | awk '{print $1,$2,$3,$4,$8,$10,$11}'; done
