#!/usr/bin/env bash
# Session 9 fused-MLP call 5 (docs/perf-cuda.md "Session 9: fused MLP"): validation after the shared
# dot16_rows refactor (gemv.cu's dot product and the fused c_fc from one helper; gemv.cu's PTX is
# instruction-identical to main's, checked on the build machine) and the launcher table of
# mlp_fused.cu: cuda_validate --small (every section), --only gemv (full), --only mlp (full).
TAR=s9mlp-call5.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small 90 $B/cuda_validate --small
step val_gemv 90 $B/cuda_validate --only gemv
step val_mlp 60 $B/cuda_validate --only mlp
rm -rf $L
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
