#!/usr/bin/env bash
# Session 9 attention + proj fusion: validation of s9-attp's final binaries (staged for the lead,
# docs/perf-cuda.md "Session 9: attention + proj fusion"). Carry [".gpu/attp"] (and ".gpu-cuda" for
# the pydoc-gpt2-8m cases, if it fits the 64 MiB); timeout_s 240.
D=.gpu/attp
TAR=s9attp-final.tar.gz
source "$(dirname "$0")/lib.sh"
P=""; [ -d .gpu-cuda/pydoc ] && P="--pydoc .gpu-cuda/pydoc"
step val_full_ap 60 $B/cuda_validate --only attn_proj
step val_small_all 90 $B/cuda_validate --small
step memcheck_small_ap 60 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
step val_engine_default 60 $B/cuda_validate --only engine $P
rm -rf $L
echo "=== FAIL lines"; tar -xzf $OUT/s9attp-final.tar.gz -O logs/val_full_ap.log logs/val_small_all.log logs/val_engine_default.log 2>/dev/null | grep -E '^FAIL|FATAL' | head -15
echo "=== summary"; tar -xzf $OUT/s9attp-final.tar.gz -O logs/summary.txt
