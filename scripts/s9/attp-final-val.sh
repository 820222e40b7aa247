#!/usr/bin/env bash
# Session 9 attention + proj fusion: validation of s9-attp's final binaries (staged for the lead,
# docs/perf-cuda.md "Session 9: attention + proj fusion"). Carry [".gpu/attp"] (and ".gpu-cuda" for
# the pydoc-gpt2-8m cases, if it fits the 64 MiB); timeout_s 240.
set -u
D=.gpu/attp
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT/logs"
L=$OUT/logs
tar -C $D -xJf $D/bins.tar.xz || { echo "cannot unpack"; exit 2; }
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=$D/bin
P=""; [ -d .gpu-cuda/pydoc ] && P="--pydoc .gpu-cuda/pydoc"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee $L/gpu.txt; date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-22s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|ERROR SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/s9attp-final.tar.gz logs; }
step val_full_ap 60 $B/cuda_validate --only attn_proj
step val_small_all 90 $B/cuda_validate --small
step memcheck_small_ap 60 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
step val_engine_default 60 $B/cuda_validate --only engine $P
rm -rf $L
echo "=== FAIL lines"; tar -xzf $OUT/s9attp-final.tar.gz -O logs/val_full_ap.log logs/val_small_all.log logs/val_engine_default.log 2>/dev/null | grep -E '^FAIL|FATAL' | head -15
echo "=== summary"; tar -xzf $OUT/s9attp-final.tar.gz -O logs/summary.txt
