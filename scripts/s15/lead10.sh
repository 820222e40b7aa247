# Session 15 call 10: the final code (gemv_int8_r1 on by default) — --small (every section; qgemv runs
# int8 at 4 rows with one and two rows per warp) and the engine on pydoc-gpt2-8m.
TAR=lead10.tgz
source scripts/s12/lib.sh
step val_small 150 $B/cuda_validate --small
step val_engine 240 $B/cuda_validate --only engine $P
for f in val_small val_engine; do echo "== $f"; tail -n 2 $L/$f.log; done; grep -hE "^FAIL" $L/val_*.log | head -5
grep -E "^qgemv" $L/val_small.log
