#!/usr/bin/env bash
set -u
D=.gpu/mlp
tar -C $D -xJf $D/bins.tar.xz || exit 2
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; date -u
timeout 120 $D/bin/cuda_validate --small > $OUT/val_small.log 2>&1; echo "rc=$?"
grep -E '^(FAIL|section|PASSED|FAILED)' $OUT/val_small.log | head -40
