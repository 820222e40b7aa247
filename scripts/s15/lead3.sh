# Session 15 call 3: per-site switches for the quantized one-row GEMVs (site masks: 1 QKV, 2 attn
# c_proj, 4 c_fc): gemv_wide (int8 / fp8 register GEMVs with 4 rows per warp) and fp8_mma_one_row
# (fp8 tensor-core kernel at one row), gpt2 .. gpt2-xl, alternated in one process per precision;
# int8 at 4 rows; the step timelines of gpt2-large / gpt2-xl; validation (--small --only qgemv).
TAR=lead3.tgz
source scripts/s12/lib.sh
step val_q 120 $B/cuda_validate --small --only qgemv
M=gpt2,gpt2-medium,gpt2-large,gpt2-xl
VI="w0:wide=0;w1:wide=1;w2:wide=2;w4:wide=4;w5:wide=5;w7:wide=7;w0b:wide=0"
VF="d0:f8m1=0,wide=0;m5:f8m1=5,wide=0;m7:f8m1=7,wide=0;m1:f8m1=1,wide=0;m4:f8m1=4,wide=0;w5:f8m1=0,wide=5;m5w2:f8m1=5,wide=2;d0b:f8m1=0,wide=0"
step b_i8 200 $B/sb_cuda_bench --models $M --precisions int8 --scenarios single_short --no-extras --reps 15 --variants "$VI"
step b_f8 200 $B/sb_cuda_bench --models $M --precisions fp8 --scenarios single_short --no-extras --reps 15 --variants "$VF"
step b_i8b4 200 $B/sb_cuda_bench --models $M --precisions int8 --scenarios batch_short --no-extras --reps 15 --variants "w0:wide=0;w1:wide=1;w4:wide=4;w5:wide=5;w0b:wide=0"
step tr_i8 200 $B/sb_cuda_bench_trace --trace-step gpt2-xl --precisions int8 --variants "w0:wide=0;w1:wide=1;w4:wide=4;w5:wide=5"
step tr_f8 200 $B/sb_cuda_bench_trace --trace-step gpt2-xl --precisions fp8 --variants "d0:f8m1=0,wide=0;m5:f8m1=5,wide=0;m7:f8m1=7,wide=0;w5:f8m1=0,wide=5"
step tr_f8l 200 $B/sb_cuda_bench_trace --trace-step gpt2-large --precisions fp8,int8 --variants "d0:f8m1=0,wide=0;m5:f8m1=5,wide=0;w4:f8m1=0,wide=4;w5:f8m1=0,wide=5"
tail -n 2 $L/val_q.log; grep -hE "^FAIL" $L/val_q.log | head -5
for f in b_i8 b_f8 b_i8b4; do echo "== $f"; grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/$f.log | awk '{print $1,$2,$3,$4,$8}'; done
grep -hE "trace-step|gemv/|whole" $L/tr_i8.log $L/tr_f8.log $L/tr_f8l.log
