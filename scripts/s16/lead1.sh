# Session 16 call 1: gemv_flat (the one-row fp16 layer GEMVs as flat slices of the weight stream)
# validated (its section; memcheck and racecheck on the small set) and timed against the register
# path in one process, alternated (gpt2-xl, gpt2-large, gpt2-medium, gpt2; fp16 batch 1).
TAR=lead1.tgz
source scripts/s12/lib.sh
step val_flat 150 $B/cuda_validate --only gemv_flat
step b_xl 300 $B/sb_cuda_bench --models gpt2-xl,gpt2-large --precisions fp16 --scenarios single_short --no-extras --reps 15 --variants "off:flat=0;on:flat=1;off2:flat=0;on2:flat=1"
step b_sm 150 $B/sb_cuda_bench --models gpt2-medium,gpt2 --precisions fp16 --scenarios single_short --no-extras --reps 15 --variants "off:flat=0;on:flat=1;off2:flat=0;on2:flat=1"
step memcheck 120 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv_flat
step racecheck 150 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only gemv_flat
tail -n 25 $L/val_flat.log | grep -E "gemv_flat|PASSED|FAILED"; grep -hE "^FAIL" $L/val_flat.log | head -5
grep -h "ceilings\|floor" $L/b_xl.log | head -2
for f in b_xl b_sm; do grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/$f.log | awk '{print $1,$2,$3,$4,$8,$10,$11}'; done
grep -hE "ERROR SUMMARY|RACECHECK SUMMARY" $L/memcheck.log $L/racecheck.log
