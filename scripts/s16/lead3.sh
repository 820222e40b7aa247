# Session 16 call 3: sanitizers on gemv_flat v2's section, and step timelines (diagnostics build):
# gpt2-xl fp16 batch 1 with the flat QKV / c_fc against the register path (why it is slower), and
# gpt2-xl batch 4 fp16 / int8 / fp8 (where int8 loses to fp16: issue 7's open int8 cell).
TAR=lead3.tgz
source scripts/s12/lib.sh
step memcheck 120 compute-sanitizer --tool memcheck --error-exitcode 99 $B/cuda_validate --small --only gemv_flat
step racecheck 150 compute-sanitizer --tool racecheck --error-exitcode 99 $B/cuda_validate --small --only gemv_flat
step tr_flat 150 $B/sb_cuda_bench_trace --trace-step gpt2-xl --precisions fp16 --variants "off:flat=0;qkv:flat=1;fc:flat=4"
step tr_b4 200 $B/sb_cuda_bench_trace --trace-step gpt2-xl --precisions fp16,int8,fp8 --profile-batch 4
grep -hE "ERROR SUMMARY|RACECHECK SUMMARY" $L/memcheck.log $L/racecheck.log; tail -n 1 $L/memcheck.log $L/racecheck.log
grep -hE "trace-step|whole|^ *(gemv|attn|mlp)" $L/tr_flat.log | head -40
grep -hE "trace-step|whole|^ *(gemv|attn|mlp)" $L/tr_b4.log | head -60
