# Session 13 call 3: the stamps are now a diagnostics build only (SB_CUDA_STEP_TRACE=ON ->
# bin/sb_cuda_bench_trace); the default build must time as HEAD 61f143f (bin/sb_cuda_bench_base) does:
# alternated processes.  Then the step timelines (with the blocks' multiprocessors): gpt2 fp16/bf16 B=1
# and fp16 B=4, gpt2-medium / large fp16 B=1, gpt2-xl fp16 / int8 / fp8 B=1; and cuda_validate --small
# of the default build.
TAR=lead3.tgz
source scripts/s12/lib.sh
A="--models gpt2,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --no-extras --reps 15"
step base1  150 $B/sb_cuda_bench_base $A
step new1   150 $B/sb_cuda_bench $A
step base2  150 $B/sb_cuda_bench_base $A
step new2   150 $B/sb_cuda_bench $A
T=$B/sb_cuda_bench_trace
step tr_gpt2     120 $T --trace-step gpt2 --precisions fp16,bf16
step tr_gpt2b4   120 $T --trace-step gpt2 --precisions fp16 --profile-batch 4
step tr_med      120 $T --trace-step gpt2-medium --precisions fp16
step tr_large    150 $T --trace-step gpt2-large --precisions fp16
step tr_xl       240 $T --trace-step gpt2-xl --precisions fp16,int8,fp8
step val_small   150 $B/cuda_validate --small
for f in base1 new1 base2 new2; do echo "== $f"; grep -E "^(gpt2|gpt2-xl) " $L/$f.log; done
