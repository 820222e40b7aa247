#!/usr/bin/env python3
"""hf_peer_bench.py — Hugging Face transformers peers for the native CUDA engine's benchmark.

Same scenarios and definitions as sb_cuda_bench (src/engine/cuda/tools/cuda_bench.cc):
  prefill latency = host time from submitting the B x S prompt until the greedy next token of
    every sequence is on the host (model forward with use_cache=True, argmax of the last
    position, .cpu()); torch.cuda.synchronize() before each clock read.
  decode step latency = host time for one forward of B new tokens with the KV cache, argmax,
    token on the host; N = 32 new tokens per sample, median over all steps.
What HF computes: logits for the last position only when the installed transformers supports
`logits_to_keep=1` (printed per row as lm_head=last), else for all positions (lm_head=all).
Random-init weights (seed 0), attention implementation "sdpa" (HF's default), eval mode.
Modes: eager, and torch.compile(model, dynamic=True) (compile time excluded: warm-up runs).
Usage: python3 scripts/hf_peer_bench.py --out peers.jsonl [--models gpt2,gpt2-xl,tiny-gpt2]
       [--modes eager,compile] [--budget-s 400]
"""
import argparse
import json
import statistics
import sys
import time

import torch
import transformers
from transformers import GPT2Config, GPT2LMHeadModel

SCENARIOS = [("single_micro", 1, 8), ("single_short", 1, 32), ("single_medium", 1, 64),
             ("single_long", 1, 128), ("batch_short", 4, 32), ("batch_medium", 4, 64)]
MODELS = {
    "tiny-gpt2": dict(n_layer=2, n_head=2, n_embd=2),
    "gpt2": dict(n_layer=12, n_head=12, n_embd=768),
    "gpt2-xl": dict(n_layer=48, n_head=25, n_embd=1600),
}
PLAN = {  # model -> [(dtype, mode)]
    "tiny-gpt2": [("fp32", "eager")],
    "gpt2": [("fp32", "eager"), ("fp16", "eager"), ("bf16", "eager"), ("fp16", "compile"),
             ("fp32", "compile")],
    "gpt2-xl": [("fp16", "eager"), ("fp16", "compile")],
}
DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
NEW_TOKENS = 32


def median(v):
    return statistics.median(v) if v else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--models", default="gpt2,gpt2-xl,tiny-gpt2")
    ap.add_argument("--modes", default="eager,compile")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--budget-s", type=float, default=400.0)
    a = ap.parse_args()
    t_start = time.time()
    dev = torch.cuda.get_device_name(0)
    print(f"device: {dev}; torch {torch.__version__}; transformers {transformers.__version__}",
          flush=True)
    out = open(a.out, "w")
    print(f"{'model':10} {'prec':5} {'mode':8} {'scenario':14} {'prefill_ms':>11} {'decode_ms':>10}",
          flush=True)
    for name in a.models.split(","):
        for prec, mode in PLAN[name]:
            if mode not in a.modes.split(","):
                continue
            if time.time() - t_start > a.budget_s:
                print(f"budget of {a.budget_s} s spent: skipping {name} {prec} {mode}", flush=True)
                continue
            torch.manual_seed(0)
            cfg = GPT2Config(**MODELS[name], n_positions=1024, vocab_size=50257)
            with torch.device("cuda"):
                model = GPT2LMHeadModel(cfg).to(DTYPES[prec]).eval()
            fwd = torch.compile(model, dynamic=True) if mode == "compile" else model
            lm_head = "last"

            def run(ids, past=None):
                nonlocal lm_head
                kw = dict(input_ids=ids, use_cache=True, past_key_values=past)
                if lm_head == "last":
                    try:
                        return fwd(**kw, logits_to_keep=1)
                    except TypeError:
                        lm_head = "all"
                return fwd(**kw)

            try:
                for scen, b, s in SCENARIOS:
                    gen = torch.Generator(device="cuda").manual_seed(b * 1000 + s)
                    pre, dec = [], []
                    with torch.inference_mode():
                        for rep in range(3 + a.reps):
                            ids = torch.randint(0, 50257, (b, s), device="cuda", generator=gen)
                            torch.cuda.synchronize()
                            t0 = time.perf_counter()
                            o = run(ids)
                            tok = o.logits[:, -1, :].argmax(-1)
                            tok_host = tok.cpu()
                            torch.cuda.synchronize()
                            t1 = time.perf_counter()
                            past = o.past_key_values
                            if rep >= 3:
                                pre.append((t1 - t0) * 1e3)
                            for _ in range(NEW_TOKENS - 1):
                                torch.cuda.synchronize()
                                d0 = time.perf_counter()
                                o = run(tok[:, None], past)
                                past = o.past_key_values
                                tok = o.logits[:, -1, :].argmax(-1)
                                tok_host = tok.cpu()
                                torch.cuda.synchronize()
                                d1 = time.perf_counter()
                                if rep >= 3:
                                    dec.append((d1 - d0) * 1e3)
                    del tok_host
                    row = dict(kind="peer", device=dev, backend=f"transformers-{mode}", model=name,
                               precision=prec, scenario=scen, batch=b, prompt=s,
                               new_tokens=NEW_TOKENS, reps=a.reps, lm_head=lm_head,
                               prefill_ms_median=median(pre), decode_step_ms_median=median(dec),
                               torch=torch.__version__, transformers=transformers.__version__)
                    out.write(json.dumps(row) + "\n")
                    out.flush()
                    print(f"{name:10} {prec:5} {mode:8} {scen:14} {median(pre):11.4f} "
                          f"{median(dec):10.4f}  lm_head={lm_head}", flush=True)
            except Exception as e:  # a peer that fails is recorded, not fatal
                msg = f"{type(e).__name__}: {e}".splitlines()[0][:300]
                out.write(json.dumps(dict(kind="peer_failed", device=dev, model=name,
                                          precision=prec, backend=f"transformers-{mode}",
                                          error=msg)) + "\n")
                print(f"{name} {prec} {mode} FAILED: {msg}", flush=True)
            del model, fwd
            torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
