# Session 15 call 7: the review's test refactor (attn_proj_case / attn_proj_chain helpers in
# cuda_validate) run on the GPU: the attn_proj section (fp32/fp16/bf16 and the quantized cases).
TAR=lead7.tgz
source scripts/s12/lib.sh
step val_ap 200 $B/cuda_validate --only attn_proj
tail -n 2 $L/val_ap.log; grep -hE "^FAIL" $L/val_ap.log | head -5; grep -E "^attn_proj" $L/val_ap.log | head -20
