#!/usr/bin/env python3
"""A fake external worker for CI (no torch) with the `generate` op (docs/formats.md): stands in for
workers/transformers_worker.py in `scalebench accuracy`, so the greedy path through one request
per continuation is exercised end to end.  Its logits and its greedy tokens come from the
independent float64 pure-Python GPT-2 of tests/workers/fake_worker.py (imported, not copied).

Mode: $FAKE_GREEDY_MODE
  greedy      declares capabilities.greedy and answers `generate` (recomputing the whole
              sequence each step: slow but independent of any KV cache)
  nogreedy    declares no greedy capability (the parent must fall back to `logits` per token)
  flip        like greedy, but the token at generated position 1 of row 0 is changed (+1 mod V)
  short       like greedy, but row 0 of every `generated` answer lacks its last token
Every op received is appended as one JSON line to $FAKE_GREEDY_TRACE (when set), so tests can
count requests and check what they carried.
"""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODE = os.environ.get("FAKE_GREEDY_MODE", "greedy")
TRACE = os.environ.get("FAKE_GREEDY_TRACE", "")


def load_fake_worker():
    path = os.path.join(HERE, "..", "workers", "fake_worker.py")
    spec = importlib.util.spec_from_file_location("fake_worker", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fw = load_fake_worker()


def send(m):
    sys.stdout.write(json.dumps(m) + "\n")
    sys.stdout.flush()


def trace(op):
    if not TRACE:
        return
    summary = {k: v for k, v in op.items() if k not in ("tokens",)}
    summary["rows"] = len(op.get("tokens") or [])
    with open(TRACE, "a") as f:
        f.write(json.dumps(summary) + "\n")


def argmax(row):
    best = 0
    for i, v in enumerate(row):
        if v > row[best]:
            best = i        # lowest id on ties
    return best


def generate(model, op):
    n = op["new_tokens"]
    forced = op.get("forced")
    out = []
    for b, prompt in enumerate(op["tokens"]):
        seq = list(prompt)
        gen = []
        for step in range(n):
            tok = argmax(model.lm_head(model.hidden(seq)[-1]))
            if MODE == "flip" and b == 0 and step == 1:
                tok = (tok + 1) % model.V
            gen.append(tok)
            if step + 1 < n:
                seq.append(forced[b][step] if forced is not None else tok)
        if MODE == "short" and b == 0:
            gen.pop()
        out.append(gen)
    send({"msg": "generated", "tokens": out})


def main():
    model = None
    for line in sys.stdin:
        op = json.loads(line)
        trace(op)
        kind = op.get("op")
        if kind == "shutdown":
            return 0
        if kind == "load":
            folder = op.get("model_dir") or op.get("model_spec", "")
            model = fw.Gpt2(folder)
            send({"msg": "ready", "protocol": "scalebench.worker/1",
                  "info": {"name": op.get("backend"), "precision": op.get("precision"),
                           "device": op.get("device"), "library_versions": {"fake": "1"},
                           "description": "fake greedy worker (" + MODE + ")"},
                  "capabilities": {"stepwise": False, "logits_last": True, "logits_all": True,
                                   "kv_cache": True, "greedy": MODE != "nogreedy",
                                   "reports_device_memory": False, "max_batch": 0},
                  "load_ms": 1.0, "build_ms": None, "artifact": None, "model": {},
                  "config": {"vocab_size": model.V, "n_positions": model.P, "n_layer": model.L,
                             "n_head": model.H, "n_embd": model.E},
                  "peak_rss_bytes": None, "peak_device_bytes": None})
            continue
        if kind == "logits":
            fw.answer_logits(model, op, model.V)
            continue
        if kind == "generate" and MODE != "nogreedy":
            generate(model, op)
            continue
        send({"msg": "error", "cell_id": op.get("cell_id", ""), "status": "failed",
              "error": "fake greedy worker: unsupported op " + str(kind)})
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
