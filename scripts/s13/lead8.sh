# Session 13 call 8 (run with an uncommitted experiment build, see docs/perf-cuda.md "Call 8"): the fused MLP's fixed-point accumulator words spread over L2 sectors / lines
# (set_mlp_acc_stride, new; variant mlpacc = 1 / 4 / 16 words apart) — call 7 tied the extra boundary
# after the MLP to its 128 atomic contributions per word.  Validation of the MLP with the widest
# stride, then decode ms/step per stride in one process, and this build's default against HEAD's
# bench (bin/sb_cuda_bench_base) in alternated processes.
TAR=lead8.tgz
source scripts/s12/lib.sh
step val_mlp16  200 env SB_MLP_ACC_STRIDE=16 $B/cuda_validate --only mlp
step val_small  150 $B/cuda_validate --small
V="a1:mlpacc=1;a4:mlpacc=4;a16:mlpacc=16;a2:mlpacc=2;a8:mlpacc=8;a1b:mlpacc=1"
step acc 200 $B/sb_cuda_bench --models gpt2 --precisions fp16,bf16 --scenarios single_short,batch_short --no-extras --reps 15 --variants "$V"
A="--models gpt2 --precisions fp16,bf16 --scenarios single_short,batch_short --no-extras --reps 15"
step base1 120 $B/sb_cuda_bench_base $A
step new1  120 $B/sb_cuda_bench $A
step base2 120 $B/sb_cuda_bench_base $A
step new2  120 $B/sb_cuda_bench $A
grep -E "^gpt2" $L/acc.log; for f in base1 new1 base2 new2; do echo "== $f"; grep -E "^gpt2 " $L/$f.log; done
