# Session 14 call 3: the LM head's three paths (lm_head_mma 0 register GEMV / 1 tensor cores,
# register-staged weights / 2 tensor cores, bulk-copied tiles per warp, ring budget lmring KiB):
# validation (--small, full gemv section: every argmax shape on each path), ncu of the LM head
# alone, the in-step trace, and the default build's A/B in one process, alternated.
TAR=lead3.tgz
source scripts/s12/lib.sh
step val_small  150 $B/cuda_validate --small
step val_gemv   240 $B/cuda_validate --only gemv
M="gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum,launch__grid_size,launch__registers_per_thread"
NCU="ncu --clock-control none --profile-from-start off --metrics $M"
for v in "r128:lmmma=2,lmring=128" "r224:lmmma=2,lmring=224"; do
  step ncu_${v%%:*}_b1 60 $NCU -k regex:lm_head --launch-count 1 $B/sb_cuda_bench --profile-step gpt2 --profile-batch 1 --variants "$v"
  step ncu_${v%%:*}_xl 90 $NCU -k regex:lm_head --launch-count 1 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1 --variants "$v"
done
V="reg:lmmma=0;mma:lmmma=1;r128:lmmma=2,lmring=128;r224:lmmma=2,lmring=224;r64:lmmma=2,lmring=64"
step trace_b1 120 $B/sb_cuda_bench_trace --trace-step gpt2 --variants "$V"
step trace_b4 120 $B/sb_cuda_bench_trace --trace-step gpt2 --profile-batch 4 --variants "$V"
step trace_xl 150 $B/sb_cuda_bench_trace --trace-step gpt2-xl --variants "$V"
step bench 300 $B/sb_cuda_bench --models gpt2,gpt2-xl --precisions fp16,bf16 --scenarios single_short,batch_short --no-extras --reps 15 --variants "reg:lmmma=0;r128:lmmma=2,lmring=128;mma:lmmma=1;r224:lmmma=2,lmring=224;reg2:lmmma=0;r128b:lmmma=2,lmring=128"
tail -3 $L/val_small.log; tail -3 $L/val_gemv.log; grep -E "^FAIL" $L/val_*.log | head -5
for f in $L/ncu_*.log; do echo "== $f"; grep -E "gpu__time|dram__|grid_size|registers" $f | cut -c1-120; done
for f in trace_b1 trace_b4 trace_xl; do echo "== $f"; grep -E "trace-step|LM head|whole step" $L/$f.log; done
grep -E "^(gpt2|gpt2-xl) " $L/bench.log
