#!/usr/bin/env bash
# Session 10 attention + proj, device call 5: validation of the merged final binaries (s10-attp with
# main 02c2c92 merged: the lead's describe_field path checks): --small (every section), full
# --only attn_proj, --only engine (defaults), memcheck --small --only attn_proj.
D=.gpu/s10-attp
TAR=s10attp-call5.tar.gz
source "$(dirname "$0")/lib.sh"
step val_small_all 120 $B/cuda_validate --small
step val_full_ap 90 $B/cuda_validate --only attn_proj
step val_engine 100 $B/cuda_validate --only engine
step memcheck_small_ap 90 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
rm -rf $L
echo "=== FAIL lines (first 15)"; tar -xzf $OUT/$TAR -O logs/val_small_all.log logs/val_full_ap.log logs/val_engine.log 2>/dev/null | grep -E '^FAIL|FATAL' | cut -c1-300 | head -15
echo "=== summary"; tar -xzf $OUT/$TAR -O logs/summary.txt
