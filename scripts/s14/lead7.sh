# Session 14 call 7: (a) the argmax_block_finish refactor on the device (--small, --only gemv); (b) the
# tensor-core LM head with 2 steps in flight at 8 blocks per SM (64 registers, the register GEMV's
# residency: does it start beside the last fused MLP and read faster at one row?) — validation with
# SB_LM_HEAD_DEPTH=2, the in-step trace and the one-row cells against the register GEMV and depth 3.
TAR=lead7.tgz
source scripts/s12/lib.sh
step val_small  150 $B/cuda_validate --small
step val_gemv   200 $B/cuda_validate --only gemv
step val_gemv_d2 200 env SB_LM_HEAD_DEPTH=2 $B/cuda_validate --only gemv
V="reg:lmmma=0;d3:lmmma=1,lmdepth=3;d2:lmmma=1,lmdepth=2"
step trace_b1 120 $B/sb_cuda_bench_trace --trace-step gpt2 --variants "$V"
step trace_b4 120 $B/sb_cuda_bench_trace --trace-step gpt2 --profile-batch 4 --variants "$V"
step trace_xl 150 $B/sb_cuda_bench_trace --trace-step gpt2-xl --variants "$V"
step bench 300 $B/sb_cuda_bench --models gpt2,gpt2-medium,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --no-extras --reps 15 --variants "reg:lmmma=0;d3:lmmma=1,lmdepth=3;d2:lmmma=1,lmdepth=2;reg2:lmmma=0;d3b:lmmma=1,lmdepth=3;d2b:lmmma=1,lmdepth=2"
for f in val_small val_gemv val_gemv_d2; do tail -n 1 $L/$f.log; done; grep -hE "^FAIL" $L/val_*.log | head -5
for f in trace_b1 trace_b4 trace_xl; do echo "== $f"; grep -E "trace-step|LM head|whole step" $L/$f.log; done
grep -E "^(gpt2|gpt2-medium|gpt2-xl) " $L/bench.log | awk '{printf "%-11s %-5s %-13s %-5s %s %s\n",$1,$2,$3,$4,$8,$11}'
