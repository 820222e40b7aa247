# Session 13 call 6: the final default build (cd2f7ed: lm_prefetch removed, the trace tools' shared
# options helper) — cuda_validate --small, the engine section with the pydoc-free synthetic models,
# sb_cuda_bench's --trace-mlp (uses the helper) and the gpt2 / gpt2-xl cells.
TAR=lead6.tgz
source scripts/s12/lib.sh
step val_small  150 $B/cuda_validate --small
step trace_mlp  120 $B/sb_cuda_bench --trace-mlp gpt2
step bench      200 $B/sb_cuda_bench --models tiny-gpt2,gpt2,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --no-extras --reps 15
grep -E "^(tiny-gpt2|gpt2|gpt2-xl) " $L/bench.log; head -5 $L/trace_mlp.log
