# Session 14 call 2: where the tensor-core LM head's time goes. (1) ncu (no clock control) of the
# LM head kernel alone in one eager decode step, register GEMV (lmmma=0) vs tensor cores, gpt2 B=1 /
# B=4 and gpt2-xl B=1; (2) --trace-step (diagnostics build) gpt2 and gpt2-xl B=1, gpt2 B=4, both
# variants: the LM head's run inside the replayed step; (3) the default build's A/B again.
TAR=lead2.tgz
source scripts/s12/lib.sh
M="gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum,smsp__inst_executed.sum,sm__warps_active.avg.pct_of_peak_sustained_active,launch__grid_size,launch__registers_per_thread"
NCU="ncu --clock-control none --profile-from-start off --metrics $M"
for b in 1 4; do
  step ncu_reg_b$b 60 $NCU -k regex:gemv3 --launch-skip 12 --launch-count 1 $B/sb_cuda_bench --profile-step gpt2 --profile-batch $b --variants "reg:lmmma=0"
  step ncu_mma_b$b 60 $NCU -k regex:lm_head --launch-count 1 $B/sb_cuda_bench --profile-step gpt2 --profile-batch $b --variants "mma:lmmma=1"
done
step ncu_reg_xl 90 $NCU -k regex:gemv3 --launch-skip 144 --launch-count 1 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1 --variants "reg:lmmma=0"
step ncu_mma_xl 90 $NCU -k regex:lm_head --launch-count 1 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1 --variants "mma:lmmma=1"
V="reg:lmmma=0;mma:lmmma=1"
step trace_b1 120 $B/sb_cuda_bench_trace --trace-step gpt2 --variants "$V"
step trace_b4 120 $B/sb_cuda_bench_trace --trace-step gpt2 --profile-batch 4 --variants "$V"
step trace_xl 150 $B/sb_cuda_bench_trace --trace-step gpt2-xl --variants "$V"
for f in ncu_reg_b1 ncu_mma_b1 ncu_reg_b4 ncu_mma_b4 ncu_reg_xl ncu_mma_xl; do echo "== $f"; grep -E "gpu__time|dram__|inst_exec|warps_active|grid_size|registers|Function Name|lm_head|gemv3" $L/$f.log | grep -v "^==PROF==" | cut -c1-160 | head -12; done
for f in trace_b1 trace_b4 trace_xl; do echo "== $f"; grep -iE "lm|head|step|variant|50257" $L/$f.log | head -16; done
