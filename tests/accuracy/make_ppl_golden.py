#!/usr/bin/env python3
"""Golden perplexity of a GPT-2 checkpoint on one text, computed with Hugging Face transformers.

Usage (no network; everything is read from the arguments):
    python3 make_ppl_golden.py MODEL_DIR TEXT_FILE OUT_JSON [--device cpu|cuda]

MODEL_DIR holds config.json, model.safetensors, vocab.json and merges.txt (pydoc-gpt2-8m).
For each (max_length, stride) in CONFIGS it follows the "Perplexity of fixed-length models"
method of the transformers documentation: tokenize the whole text once; windows of max_length
tokens start every stride tokens; the labels of the first (len - (end - prev_end)) positions of
a window are set to -100; the loop stops after the window that reaches the end.

Two numbers are written for each configuration:
  - nll_sum / tokens_counted / ppl: the exact sum of per-token negative log-likelihoods over the
    labels the method scores (log-softmax in float64 over the model's fp32 logits, labels shifted
    by one as GPT2LMHeadModel does).  This is what scalebench computes and what its golden test
    compares against.
  - hf_doc_script: the documentation script's own bookkeeping, loss (the mean over a window's
    scored labels) times (num_valid_tokens - batch_size).  For windows after the first, the mean
    is over trg_len labels but is weighted by trg_len - 1, so this differs slightly from the exact
    sum; it is recorded only to show the difference, not compared against.
The model runs in fp32 with eager attention (TF32 off when on CUDA).
"""
import argparse
import hashlib
import json
import math
import os
import platform
import sys

import torch
import transformers
from transformers import AutoTokenizer, GPT2LMHeadModel, GPT2Tokenizer

CONFIGS = [(512, 256), (512, 512)]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_model(model_dir, device):
    kwargs = dict(local_files_only=True, attn_implementation="eager")
    try:
        model = GPT2LMHeadModel.from_pretrained(model_dir, dtype=torch.float32, **kwargs)
    except TypeError:  # transformers < 4.56 spells it torch_dtype
        model = GPT2LMHeadModel.from_pretrained(model_dir, torch_dtype=torch.float32, **kwargs)
    return model.to(device).eval()


def perplexity(model, ids, max_length, stride, device):
    n = ids.size(1)
    prev_end = 0
    exact_nll = 0.0
    counted = 0
    doc_nll = 0.0
    doc_count = 0
    windows = []
    for begin in range(0, n, stride):
        end = min(begin + max_length, n)
        trg_len = end - prev_end
        input_ids = ids[:, begin:end].to(device)
        target_ids = input_ids.clone()
        target_ids[:, :-trg_len] = -100
        with torch.no_grad():
            out = model(input_ids, labels=target_ids)
        # Exact per-token sum over the labels the loss scores (shifted by one).
        logits = out.logits[0, :-1, :].to(torch.float64)
        labels = target_ids[0, 1:]
        mask = labels != -100
        logp = torch.log_softmax(logits, dim=-1)
        tok_nll = -logp[mask].gather(1, labels[mask].unsqueeze(1)).squeeze(1)
        exact_nll += float(tok_nll.sum().item())
        counted += int(mask.sum().item())
        # The documentation script's bookkeeping.
        num_valid = int((target_ids != -100).sum().item())
        num_loss = num_valid - target_ids.size(0)
        doc_nll += float(out.loss.item()) * num_loss
        doc_count += num_loss
        windows.append({"begin": begin, "end": end, "counted": int(mask.sum().item())})
        prev_end = end
        if end == n:
            break
    return {
        "max_length": max_length,
        "stride": stride,
        "windows": len(windows),
        "window_list": windows,
        "tokens_counted": counted,
        "nll_sum": exact_nll,
        "ppl": math.exp(exact_nll / counted),
        "hf_doc_script": {"nll_sum": doc_nll, "tokens": doc_count, "ppl": math.exp(doc_nll / doc_count)},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("text_file")
    ap.add_argument("out_json")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    a = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if a.device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.use_deterministic_algorithms(True, warn_only=True)

    raw = open(a.text_file, "rb").read()
    text = raw.decode("utf-8")  # bytes as distributed: no newline translation
    try:  # transformers 5 and 4: the folder's vocab.json + merges.txt through the model type
        tok = AutoTokenizer.from_pretrained(a.model_dir, local_files_only=True)
    except Exception:  # noqa: BLE001 - fall back to building it from the two files
        tok = GPT2Tokenizer(vocab_file=os.path.join(a.model_dir, "vocab.json"),
                            merges_file=os.path.join(a.model_dir, "merges.txt"))
    token_ids = list(tok(text, add_special_tokens=False)["input_ids"])
    model = load_model(a.model_dir, a.device)
    if model.config.n_positions < max(c[0] for c in CONFIGS):
        sys.exit(f"model n_positions {model.config.n_positions} is below the max_length of CONFIGS")
    ids = torch.tensor([token_ids], dtype=torch.long)
    results = [perplexity(model, ids, L, S, a.device) for (L, S) in CONFIGS]

    out = {
        "schema": "scalebench.ppl_golden/1",
        "method": "HF fixed-length perplexity; nll_sum is the exact per-token sum (float64 log-softmax)",
        "model": os.path.basename(os.path.normpath(a.model_dir)),
        "model_safetensors_sha256": sha256_file(os.path.join(a.model_dir, "model.safetensors")),
        "text_file": os.path.basename(a.text_file),
        "text_sha256": hashlib.sha256(raw).hexdigest(),
        "text_bytes": len(raw),
        "n_tokens": len(token_ids),
        "token_ids": token_ids,
        "results": results,
        "environment": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "device": a.device if a.device == "cpu" else torch.cuda.get_device_name(0),
            "dtype": "float32",
            "attn_implementation": "eager",
            "tf32": False,
            "tokenizer": type(tok).__name__,
        },
    }
    os.makedirs(os.path.dirname(os.path.abspath(a.out_json)), exist_ok=True)
    with open(a.out_json, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for r in results:
        print(f"max_length {r['max_length']} stride {r['stride']}: {r['tokens_counted']} tokens, "
              f"nll_sum {r['nll_sum']:.6f}, ppl {r['ppl']:.6f} (doc script: {r['hf_doc_script']['ppl']:.6f})")


if __name__ == "__main__":
    main()
