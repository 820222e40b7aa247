# Session 15 call 1: where int8 / fp8 decode stand against fp16 on gpt2-large / gpt2-xl (issue 7's
# third target) with today's code, and why fp8 at one row is slower: (1) the A/B of the three
# precisions, two runs in one process; (2) fp8 with the tensor-core GEMV forced at one row
# (SB_FP8_MMA_MIN_ROWS=1, process-wide) against the default, alternated processes; (3) the step
# timelines of gpt2-xl B=1 per precision (diagnostics build); (4) ncu of one c_fc GEMV at one row,
# fp8 scalar vs tensor cores vs int8 vs fp16.
TAR=lead1.tgz
source scripts/s12/lib.sh
Q="--models gpt2-large,gpt2-xl --precisions fp16,int8,fp8 --scenarios single_short,batch_short --no-extras --reps 15"
step bench_q 280 $B/sb_cuda_bench $Q --variants "a;b"
F="--models gpt2,gpt2-medium,gpt2-large,gpt2-xl --precisions fp8 --scenarios single_short --no-extras --reps 15"
step fp8_def1 100 $B/sb_cuda_bench $F
step fp8_mma1 100 env SB_FP8_MMA_MIN_ROWS=1 $B/sb_cuda_bench $F
step fp8_def2 100 $B/sb_cuda_bench $F
step fp8_mma2 100 env SB_FP8_MMA_MIN_ROWS=1 $B/sb_cuda_bench $F
step trace_xl 150 $B/sb_cuda_bench_trace --trace-step gpt2-xl --precisions fp16,int8,fp8
step trace_xl_mma 100 env SB_FP8_MMA_MIN_ROWS=1 $B/sb_cuda_bench_trace --trace-step gpt2-xl --precisions fp8
M="gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum,smsp__inst_executed.sum,sm__warps_active.avg.pct_of_peak_sustained_active,launch__grid_size,launch__registers_per_thread,smsp__average_warp_latency_issue_stalled_barrier,smsp__pcsamp_warps_issue_stalled_long_scoreboard"
NCU="ncu --clock-control none --profile-from-start off --metrics $M -k regex:gemv3 --launch-skip 40 --launch-count 4"
for p in fp16 int8 fp8; do step ncu_$p 120 $NCU $B/sb_cuda_bench --profile-step gpt2-xl --precisions $p; done
step ncu_fp8mma 120 env SB_FP8_MMA_MIN_ROWS=1 $NCU $B/sb_cuda_bench --profile-step gpt2-xl --precisions fp8
grep -h "ceilings" $L/bench_q.log | head -2
grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/bench_q.log
for f in fp8_def1 fp8_mma1 fp8_def2 fp8_mma2; do echo "== $f"; grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/$f.log; done
for f in trace_xl trace_xl_mma; do echo "== $f"; grep -vE "^\s*$" $L/$f.log | head -60; done
for f in ncu_fp16 ncu_int8 ncu_fp8 ncu_fp8mma; do echo "== $f"; grep -E "gpu__time|dram__|inst_exec|warps_active|grid_size|registers|stalled|gemv3" $L/$f.log | grep -v "^==PROF==" | cut -c1-170 | head -44; done
