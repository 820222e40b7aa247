# Session 13 call 2: does the step trace (off) cost anything? HEAD 61f143f's sb_cuda_bench (bin/sb_cuda_bench_base)
# against this build, alternated in separate processes; then the step timeline of gpt2-xl at batch 1 in
# fp16 / int8 / fp8 and of gpt2 fp16 (with the new "early" column and the timer's tick).
TAR=lead2.tgz
source scripts/s12/lib.sh
A="--models gpt2,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --no-extras --reps 15"
step base1  150 $B/sb_cuda_bench_base $A
step new1   150 $B/sb_cuda_bench $A
step base2  150 $B/sb_cuda_bench_base $A
step new2   150 $B/sb_cuda_bench $A
step trace_xl   240 $B/sb_cuda_bench --trace-step gpt2-xl --precisions fp16,int8,fp8
step trace_gpt2 120 $B/sb_cuda_bench --trace-step gpt2 --precisions fp16,bf16
for f in base1 new1 base2 new2; do echo "== $f"; grep -E "^(gpt2|gpt2-xl) " $L/$f.log; done
