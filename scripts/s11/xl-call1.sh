#!/usr/bin/env bash
# Session 11 s11-xl call 1 (docs/perf-cuda.md "Session 11: why a lone gpt2-xl GEMV streams at ~1 TB/s"):
#  1. gemv_probe: a replica of the fp16 one-row GEMV (V = 4) timed alone / PDL-chained with a
#     per-block timeline, variants leaving stages out (read-bandwidth reference first)
#  2. ncu --set full of main's QKV / c_fc / mlp c_proj kernels (one eager gpt2-xl fp16 B=1 step,
#     layer 2), --clock-control none, + the source page (SASS, stall samples) of the QKV kernel
#  3. ncu durations of the same kernels under ncu's default clock control (the lead's numbers)
TAR=s11xl-call1.tar.gz
source "$(dirname "$0")/lib.sh"
step probe 150 $B/gemv_probe 15
NCUF="ncu --clock-control none --profile-from-start off --set full --import-source no"
step ncu_full 150 $NCUF --launch-skip 8 --launch-count 4 -o $L/xl_full $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1
step ncu_details 60 ncu -i $L/xl_full.ncu-rep --page details
step ncu_src 90 ncu -i $L/xl_full.ncu-rep --page source --csv --print-source sass
step ncu_clk 60 ncu --profile-from-start off --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__cycles_elapsed.avg.per_second,dram__cycles_elapsed.avg.per_second --launch-skip 8 --launch-count 8 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1
step ncu_noclk 60 ncu --clock-control none --profile-from-start off --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__cycles_elapsed.avg.per_second,dram__cycles_elapsed.avg.per_second --launch-skip 8 --launch-count 8 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1
rm -f $L/xl_full.ncu-rep; tar -C $OUT -czf $OUT/$TAR logs
echo "=== probe"; cat $L/probe.log
echo "=== ncu durations (default clocks | none)"; for f in ncu_clk ncu_noclk; do grep -E 'gpu__time_duration|sm__cycles_elapsed.avg.per_second' $L/$f.log | awk '{print $1, $NF}' | tr '\n' ' ' | cut -c1-900; echo; done
echo "=== summary"; cat $L/summary.txt
