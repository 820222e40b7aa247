# Session 13 call 1: the whole decode step's timeline (sb_cuda_bench --trace-step, new) on gpt2-xl and
# gpt2 at batch 1 (fp16, the folded default and ln_fold=0), and gpt2 batch 4; the engine's speed
# cells beside it (same process per model) so the traced build's numbers sit next to session 12's.
TAR=lead1.tgz
source scripts/s12/lib.sh
step trace_xl    240 $B/sb_cuda_bench --trace-step gpt2-xl --variants "fold:fold=1;off:fold=0"
step trace_gpt2  120 $B/sb_cuda_bench --trace-step gpt2 --variants "fold:fold=1;off:fold=0"
step trace_gpt2b4 120 $B/sb_cuda_bench --trace-step gpt2 --profile-batch 4
step bench       240 $B/sb_cuda_bench --models gpt2,gpt2-xl --precisions fp16 --scenarios single_short,batch_short --no-extras --reps 15 --out $L/bench.jsonl
step val_small   150 $B/cuda_validate --small
