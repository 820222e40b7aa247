#!/usr/bin/env bash
# Lead call 11 (session 12): cuda_validate's int8/fp8 GEMV section on the shared KV-cache check (the last
# copy of it), with the sections already on it.
TAR=lead11.tar.gz; source scripts/s12/lib.sh
step val_qgemv 150 $B/cuda_validate --only qgemv
step val_gemv 90 $B/cuda_validate --only gemv
step val_fold 120 $B/cuda_validate --only ln_fold
echo "=== FAIL lines"; cat $L/val_*.log | grep -E '^FAIL|FATAL' | cut -c1-240 | head -20
grep -E "/cache" $L/val_*.log | grep -v "^FAIL" | head
echo "=== summary"; cat $L/summary.txt
