# Session 14 call 6: the final code (lm_head_mma rule: tensor cores at 2-4 rows, n_embd <= 1280) —
# the engine section on pydoc-gpt2-8m (prefill + 8 decodes, B = 1 and 3, every precision, against the
# fp64 reference: the trained model's LM head at 3 rows takes the new kernel), memcheck and racecheck
# of the gemv section's small shapes, and the default build's cells.
TAR=lead6.tgz
source scripts/s12/lib.sh
step val_engine_pydoc 240 $B/cuda_validate --only engine $P
step memcheck_gemv 150 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv
step racecheck_gemv 200 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only gemv
step bench 200 $B/sb_cuda_bench --models tiny-gpt2,gpt2,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --no-extras --reps 15 --variants "rule;reg:lmmma=0;rule2;reg2:lmmma=0"
tail -n 3 $L/val_engine_pydoc.log; grep -hE "^FAIL" $L/val_*.log | head -5
grep -hE "ERROR SUMMARY|RACECHECK SUMMARY" $L/memcheck_gemv.log $L/racecheck_gemv.log
grep -h "ceilings" $L/bench.log; grep -E "^(tiny-gpt2|gpt2|gpt2-xl) " $L/bench.log
