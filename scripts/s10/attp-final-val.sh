#!/usr/bin/env bash
# Session 10 attention + proj: validation of s10-attp's final binaries with pydoc-gpt2-8m (staged for
# the lead; docs/perf-cuda.md "Session 10: attention + proj on the count-in-word protocol").  Carry
# [".gpu/s10-attp", ".gpu-cuda/pydoc"] (the model folder as scripts/gpu-check.sh prepare copies it;
# ~31 MB beside the ~14 MB of binaries and the tracked tree: needs room under the 64 MiB limit);
# timeout_s 300.
D=.gpu/s10-attp
TAR=s10attp-final.tar.gz
source "$(dirname "$0")/lib.sh"
P=""; [ -f .gpu-cuda/pydoc/model.safetensors ] && P="--pydoc .gpu-cuda/pydoc"
[ -z "$P" ] && echo "NOTE: .gpu-cuda/pydoc not carried: pydoc-gpt2-8m cases skipped"
step val_engine_pydoc 120 $B/cuda_validate --only engine $P
step val_engine_pydoc_forced 120 env SB_FUSE_ATTN_PROJ=1 $B/cuda_validate --only engine $P
step val_full_ap 90 $B/cuda_validate --only attn_proj
rm -rf $L
echo "=== FAIL lines"; tar -xzf $OUT/$TAR -O logs/val_engine_pydoc.log logs/val_engine_pydoc_forced.log logs/val_full_ap.log 2>/dev/null | grep -E '^FAIL|FATAL' | cut -c1-300 | head -15
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
