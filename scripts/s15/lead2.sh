# Session 15 call 2: gemv_wide (int8 / fp8 register GEMVs with 4 rows per warp of 4 loads per lane
# where a row fits them): validation (--small, every section; its qgemv section runs each scalar
# shape with the switch forced on and off and checks the path), then the A/B alternated in one
# process per precision group, gpt2 .. gpt2-xl at batch 1 and 4, and the fp16 reference cells.
TAR=lead2.tgz
source scripts/s12/lib.sh
step val_small 200 $B/cuda_validate --small
V="off:wide=0;on:wide=1;off2:wide=0;on2:wide=1"
step bench_i8 200 $B/sb_cuda_bench --models gpt2,gpt2-medium,gpt2-large,gpt2-xl --precisions int8 --scenarios single_short,batch_short --no-extras --reps 15 --variants "$V"
step bench_f8 200 $B/sb_cuda_bench --models gpt2,gpt2-medium,gpt2-large,gpt2-xl --precisions fp8 --scenarios single_short,batch_short --no-extras --reps 15 --variants "$V"
step bench_f16 120 $B/sb_cuda_bench --models gpt2-large,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --no-extras --reps 15 --variants "a;b"
step trace_xl 150 $B/sb_cuda_bench_trace --trace-step gpt2-xl --precisions int8,fp8 --variants "off:wide=0;on:wide=1"
tail -n 3 $L/val_small.log; grep -hE "^FAIL" $L/val_*.log | head -8; grep -E "qgemv" $L/val_small.log | head -12
grep -h "ceilings" $L/bench_i8.log | head -1
for f in bench_i8 bench_f8 bench_f16; do echo "== $f"; grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/$f.log; done
grep -E "trace-step|gemv/|whole" $L/trace_xl.log
