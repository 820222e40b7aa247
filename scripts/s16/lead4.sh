# Session 16 call 4: the final code (the validation refactor: gemv_args) on the GPU, and ncu of one
# gpt2-xl decode step's first-layer kernels alone (serialized by the profiler, no overlap) at batch
# 1 and 4, fp16 and int8: is a batch-4 GEMV slow by itself, and where do its warps stall?
TAR=lead4.tgz
source scripts/s12/lib.sh
step val_small 150 $B/cuda_validate --small
step val_flat 60 $B/cuda_validate --only gemv_flat
step val_gemv 200 $B/cuda_validate --only gemv
NCU="ncu --clock-control none --profile-from-start off --section SpeedOfLight --section WarpStateStats --section Occupancy --section LaunchStats"
step ncu_f16_b1 90 $NCU --launch-skip 8 --launch-count 5 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 1
step ncu_f16_b4 90 $NCU --launch-skip 8 --launch-count 5 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 4
step ncu_i8_b4 90 $NCU --launch-skip 8 --launch-count 5 $B/sb_cuda_bench --profile-step gpt2-xl --profile-batch 4 --precisions int8
tail -n 2 $L/val_small.log $L/val_flat.log $L/val_gemv.log; grep -hE "^FAIL" $L/val_*.log | head -5
for f in ncu_f16_b1 ncu_f16_b4 ncu_i8_b4; do echo "== $f"; grep -E "^  [a-z_]+.*\(|Duration|DRAM Throughput|Compute \(SM\) Throughput|Registers Per|Grid Size|Achieved Occupancy|Warp Cycles Per Issued|Stall" $L/$f.log | head -60; done
