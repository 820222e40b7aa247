# Session 14 call 4: the final LM head code (lm_head_mma 0 / 1 / 2 = rule: tensor cores at 2-4 rows;
# the bulk-copy mode removed) — validation (--small incl. the engine's synthetic models, the full gemv
# section: every argmax shape on each mode), the streaming-read ceiling, and the A/B per batch size
# (1-4 rows) for gpt2 .. gpt2-xl, alternated in one process.
TAR=${TAR:-lead4.tgz}  # (call 5 ran this script on an H100 with TAR=lead5.tgz)
source scripts/s12/lib.sh
step val_small  150 $B/cuda_validate --small
step val_gemv   240 $B/cuda_validate --only gemv
S=single_short,batch2_short,batch3_short,batch_short
step bench_a 280 $B/sb_cuda_bench --models gpt2,gpt2-xl --precisions fp16 --scenarios $S --no-extras --reps 15 --variants "reg:lmmma=0;mma:lmmma=1;reg2:lmmma=0;mma2:lmmma=1"
step bench_b 280 $B/sb_cuda_bench --models gpt2-medium,gpt2-large --precisions fp16 --scenarios $S --no-extras --reps 15 --variants "reg:lmmma=0;mma:lmmma=1;reg2:lmmma=0;mma2:lmmma=1"
step bench_c 200 $B/sb_cuda_bench --models gpt2 --precisions bf16,fp32 --scenarios $S --no-extras --reps 15 --variants "reg:lmmma=0;mma:lmmma=1;reg2:lmmma=0;mma2:lmmma=1"
tail -n 3 $L/val_small.log; tail -n 3 $L/val_gemv.log; grep -hE "^FAIL" $L/val_*.log | head -5; grep -E "argmax" $L/val_gemv.log
grep -h "ceilings" $L/bench_*.log
grep -hE "^(gpt2|gpt2-medium|gpt2-large|gpt2-xl) " $L/bench_*.log | awk '{printf "%-11s %-5s %-13s %-5s %s %s\n",$1,$2,$3,$4,$8,$11}'
