# Session 13 call 9: cuda_validate's int8/fp8 GEMV section (qgemv) now checks its KV-cache scatter with
# the shared compare_kv_cache (the copy session 12 call 11 could not validate within its limit).
TAR=lead9.tgz
source scripts/s12/lib.sh
step val_qgemv 500 $B/cuda_validate --only qgemv
grep -c "qkv/cache" $L/val_qgemv.log
