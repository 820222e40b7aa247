# Session 15 call 6: the final code on an H100 (a second card): racecheck and memcheck of the
# quantized attention + proj kernel section, --small, and issue 7's int8/fp8 cells against fp16 in
# one process (gpt2-large / gpt2-xl, batch 1, 2 and 4, two runs each).
TAR=lead6.tgz
source scripts/s12/lib.sh
step val_small 150 $B/cuda_validate --small
step racecheck 200 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj_q
step memcheck 150 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj_q
step b_t 240 $B/sb_cuda_bench --models gpt2,gpt2-large,gpt2-xl --precisions fp16,int8,fp8 --scenarios single_short,batch2_short,batch_short --no-extras --reps 15 --variants "a;b"
tail -n 2 $L/val_small.log; grep -hE "^FAIL" $L/val_small.log | head -5
grep -hE "ERROR SUMMARY|RACECHECK SUMMARY" $L/memcheck.log $L/racecheck.log; tail -n 3 $L/racecheck.log
grep -h "ceilings" $L/b_t.log | head -1
grep -hE "^(gpt2|gpt2-large|gpt2-xl) " $L/b_t.log | awk '{print $1,$2,$3,$4,$8,$10,$11}'
