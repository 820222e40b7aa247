# Session 15 call 5: attention + proj fused for int8 / fp8 (quantized proj weights in the fused
# kernel; the engine's rule as for fp16: rows x heads <= 64) — validation (the kernel section
# against its reference and the chain: int8 bit-identical; --small; the engine on pydoc-gpt2-8m,
# whose int8/fp8 decode steps at B=1 and 3 now take the kernel; the accuracy gates; memcheck and
# racecheck of the kernel section), then the A/B (fuseap=0 vs the rule) alternated in one process,
# int8 / fp8 gpt2 .. gpt2-xl at B=1..4, and fp16 in the same call.
TAR=lead5.tgz
source scripts/s12/lib.sh
step val_apq 200 $B/cuda_validate --only attn_proj
step val_small 150 $B/cuda_validate --small
step val_engine 240 $B/cuda_validate --only engine $P
step accuracy 200 $B/cuda_validate --only accuracy --pydoc $S/pydoc --accuracy-corpus $S/calib --accuracy-calib $S/calib-lib/stdtypes.rst.txt --accuracy-bytes 32768
M=gpt2,gpt2-medium,gpt2-large,gpt2-xl
S4=single_short,batch2_short,batch3_short,batch_short
step b_q 300 $B/sb_cuda_bench --models $M --precisions int8,fp8 --scenarios $S4 --no-extras --reps 15 --variants "chain:fuseap=0;fused;chain2:fuseap=0;fused2"
step b_f16 120 $B/sb_cuda_bench --models gpt2-large,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --no-extras --reps 15 --variants "a;b"
step memcheck 150 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
step racecheck 200 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only attn_proj
for f in val_apq val_small val_engine accuracy; do echo "== $f"; tail -n 2 $L/$f.log; done; grep -hE "^FAIL" $L/val_*.log $L/accuracy.log | head -8
grep -E "attn_proj_q" $L/val_apq.log | head; grep -E "^accuracy" $L/accuracy.log
grep -hE "ERROR SUMMARY|RACECHECK SUMMARY" $L/memcheck.log $L/racecheck.log
for f in b_q b_f16; do echo "== $f"; grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/$f.log | awk '{print $1,$2,$3,$4,$8}'; done
