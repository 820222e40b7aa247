# Session 13 call 7: what sets the 0.8-1.4 us boundary between the fused MLP and the next QKV GEMV
# (every other boundary 0.5 us)?  Step timelines of gpt2 fp16/bf16 B=1 (diagnostics build of call 4)
# with the shared-memory carveout left to the driver, the fc2-chunks and cluster MLP variants, and
# the MLP off (c_fc + c_proj GEMVs).
TAR=lead7.tgz
source scripts/s12/lib.sh
T=$B/sb_cuda_bench_trace
V="d:carveout=1;cv0:carveout=0;mlpp:mlpp=1;mlpc:mlpc=8;nomlp:fusemlp=0;d2:carveout=1"
step tr_gpt2 200 $T --trace-step gpt2 --precisions fp16,bf16 --variants "$V"
cut -c1-150 $L/tr_gpt2.log
