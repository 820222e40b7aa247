#!/usr/bin/env bash
# Session 11 s11-xl call 2: gemv_probe, NT (threads per block) variants: one LayerNorm per bigger block.
TAR=s11xl-call2.tar.gz
source "$(dirname "$0")/lib.sh"
step probe 120 $B/gemv_probe 15 qkv,cfc main,nt256,nt512,nt1024,nt512all,nt1024all,nt512xload,nt1024noln,xload,noln,main2,main3
tar -C $OUT -czf $OUT/$TAR logs
echo "=== probe"; grep -v "^read" $L/probe.log
echo "=== summary"; cat $L/summary.txt
