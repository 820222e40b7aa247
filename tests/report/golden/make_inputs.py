#!/usr/bin/env python3
"""Writes the hand-made golden run (manifest.json, records.jsonl, accuracy.jsonl) under
tests/report/golden/run/.  Every number is a fixed formula of the cell below, chosen so the
report exercises: a crossover between two backends, a timeout after 2/4 samples, an unsupported
cell, a cell with n=1, an outlier (> 2x median, kept), a throttled sample, a worker restart,
ceilings (roofline ratios) and a price (cost per token).  Run it only to change the fixture;
then regenerate the expected outputs with SB_UPDATE_GOLDEN=1 (see tests/report/test_report.cc).
"""
import json, os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run")
RUN = "golden-0001"
MODELS = {  # id -> (params, n_layer, n_head, n_embd, n_positions, vocab)
    "m-small": (102714, 2, 2, 2, 1024, 50257),
    "m-mid": (2000000, 4, 4, 64, 512, 8000),
    "m-large": (12000000, 6, 8, 256, 512, 16000),
}
SCEN = [("single_short", 1, 32), ("batch_short", 4, 32)]
N = 8
REPS, WARM = 4, 1
JIT = [0.0, 0.02, -0.01, 0.03]
NATIVE = dict(backend="native-cpu", precision="fp32", options={"threads": 2}, device="cpu")
ORT = dict(backend="onnxruntime-cpu", precision="fp32", options={}, device="cpu")
HALF = dict(backend="native-cpu", precision="fp16", options={"threads": 2}, device="cpu")

def key(cfg, model, scen, phase):
    name, b, s = scen
    return dict(model=model, backend=cfg["backend"], precision=cfg["precision"],
                options=cfg["options"], device=cfg["device"], scenario=name, batch=b,
                prompt_len=s, new_tokens=N, phase=phase)

def group_id(k):
    return "|".join([k["model"], k["backend"], k["precision"],
                     json.dumps(k["options"], separators=(",", ":"), sort_keys=True), k["device"]])

def cell_id(k):
    return group_id(k) + "|%s|%dx%d|%d|%s" % (k["scenario"], k["batch"], k["prompt_len"],
                                               k["new_tokens"], k["phase"])

def prefill_base(cfg, params, b, s):
    x = params / 1e6 * b * s / 32
    return (0.2 + 1.0 * x) if cfg is NATIVE else (0.8 + 0.5 * x) if cfg is ORT else 5.0

def step_base(cfg, params, b):
    x = params / 1e6 * b
    return (0.1 + 0.5 * x) if cfg is NATIVE else (0.3 + 0.3 * x) if cfg is ORT else 2.0

plan, records = [], []
def rec(kind, k, **kw):
    r = {"schema": "scalebench.record/1", "kind": kind, "cell": k, "utc": "2026-11-26T06:00:00Z",
         "run_id": RUN, "group_id": group_id(k)}
    if kind != "worker_start":
        r["cell_id"] = cell_id(k)
    r.update(kw)
    records.append(r)

def r6(x):
    return round(x, 6)

cells = []
for m in MODELS:
    for cfg in (NATIVE, ORT):
        for sc in SCEN:
            for ph in ("prefill", "decode"):
                cells.append((cfg, m, sc, ph, REPS))
cells.append((HALF, "m-mid", SCEN[0], "prefill", REPS))   # unsupported
cells.append((HALF, "m-mid", SCEN[0], "decode", 1))       # n = 1

groups_started = set()
for cfg, m, sc, ph, reps in cells:
    k = key(cfg, m, sc, ph)
    plan.append({"cell": k, "warmup": WARM, "repetitions": reps})
for cfg, m, sc, ph, reps in cells:
    k = key(cfg, m, sc, ph)
    wk = {x: k[x] for x in ("model", "backend", "precision", "options", "device")}
    wk.update(scenario="", batch=0, prompt_len=0, new_tokens=0, phase="")
    gid = group_id(k)
    if gid not in groups_started:
        groups_started.add(gid)
        params = MODELS[m][0]
        rec("worker_start", wk, status="ok", load_ms=r6(10 + params / 1e5),
            peak_rss_bytes=int(50e6 + params * 8))
    params = MODELS[m][0]
    _, b, s = sc
    if cfg is HALF and ph == "prefill":
        rec("failure", k, status="unsupported", error="fp16 GEMM is not available on this CPU",
            observed={"samples_done": 0, "samples_planned": reps, "tokens_produced": 0,
                      "elapsed_ms": 0.0})
        continue
    timeout = cfg is ORT and m == "m-large" and sc[0] == "batch_short" and ph == "decode"
    for w in range(WARM):
        rec("sample", k, status="ok", sample=w, warmup=True,
            prefill_ms=r6(prefill_base(cfg, params, b, s) * 1.5), logits_mode="last",
            throttled=False, **({"decode_step_ms": [r6(step_base(cfg, params, b) * 1.5)] * (N - 1)}
                                if ph == "decode" else {}))
    done = 2 if timeout else reps
    for i in range(done):
        j = 1 + JIT[i]
        pre = prefill_base(cfg, params, b, s) * j
        if cfg is NATIVE and m == "m-small" and sc[0] == "batch_short" and ph == "prefill" and i == 3:
            pre *= 3.0   # an outlier: > 2x the cell median
        extra = {}
        if ph == "decode":
            extra["decode_step_ms"] = [r6(step_base(cfg, params, b) * j * (1 + 0.01 * t))
                                       for t in range(N - 1)]
        rec("sample", k, status="ok", sample=i, warmup=False, prefill_ms=r6(pre),
            logits_mode="last",
            throttled=(cfg is ORT and m == "m-mid" and ph == "prefill" and sc[0] == "single_short"
                       and i == 1),
            **extra)
    if timeout:
        rec("failure", k, status="timeout", error="cell exceeded its 30 s timeout; worker killed",
            observed={"samples_done": 2, "samples_planned": reps, "tokens_produced": 64,
                      "elapsed_ms": 30000.0})
        wk = {x: k[x] for x in ("model", "backend", "precision", "options", "device")}
        wk.update(scenario="", batch=0, prompt_len=0, new_tokens=0, phase="")
        rec("worker_start", wk, status="ok", load_ms=r6(10 + params / 1e5 + 1.0),
            peak_rss_bytes=int(50e6 + params * 8 + 4096))

manifest = {
    "schema": "scalebench.manifest/1", "run_id": RUN,
    "scalebench": {"version": "0.1.0", "git_sha": "0123456789ab", "build_type": "Release",
                   "compiler": "GNU 12.2.0", "sanitized": False},
    "host": {"hostname": "golden-host", "cpu_model": "Example CPU", "cores": 2, "threads": 2,
             "caches": "L2 1 MiB", "memory_bytes": 25769803776, "os": "Linux 6.1",
             "governor": "performance"},
    "gpus": [],
    "study": {"path": "examples/golden.toml", "sha256": "ab" * 32, "name": "golden",
              "text": "[study]\nname = \"golden\"\n"},
    "command_lines": ["scalebench run examples/golden.toml --out golden"],
    "models": {m: {"spec": "shape:%s" % m, "params": p, "n_layer": L, "n_head": H, "n_embd": E,
                   "n_positions": P, "vocab_size": V, "sha256": "%064x" % (i + 1),
                   "bytes_on_disk": 0, "synthetic": True, "tensors": []}
               for i, (m, (p, L, H, E, P, V)) in enumerate(MODELS.items())},
    "ceilings": {"cpu": {"mem_bandwidth_gbps": 20.0, "sgemm_gflops": 100.0, "threads": 2}},
    "plan": {"cells": plan, "groups": len(groups_started), "order_seed": 7},
    "options": {"baseline_backend": "native-cpu", "exclude_outliers": False,
                "price_per_hour_usd": 0.5},
    "artifacts": {group_id(key(ORT, "m-small", SCEN[0], "prefill")):
                  {"kind": "onnx", "sha256": "cd" * 32, "bytes": 1234567, "opset": 17,
                   "build_ms": 850.25, "initializer_count": 28}},
    "seeds": {"prompts": 1, "order": 7, "weights": 3},
    "started_utc": "2026-11-26T06:00:00Z", "finished_utc": "2026-11-26T06:05:00Z",
}

def acc(m, cfg, verdict, delta, kl, status="ok", error=""):
    return {"schema": "scalebench.accuracy/1", "model": m, "backend": cfg["backend"],
            "precision": cfg["precision"], "options": cfg["options"], "device": cfg["device"],
            "status": status, "error": error,
            "reference": {"backend": "native-cpu", "precision": "fp32"},
            "corpus": {"path": "tutorial.txt", "sha256": "ef" * 32, "bytes": 1000},
            "tokenizer_sha256": "12" * 32, "window": 128, "stride": 128, "tokens_counted": 900,
            "nll_sum": 9000.0, "ppl": 22026.4658, "ppl_rel_delta": delta, "kl_mean": kl,
            "kl_p99": kl, "kl_max": kl, "top1_agreement": 1.0, "logit_max_abs": 0.0,
            "logit_mean_abs": 0.0, "greedy_agreement": 1.0,
            "gate": {"max_abs_ppl_rel_delta": 0.001, "max_kl_mean": 1e-4},
            "verdict": verdict, "verdict_reason": "" if verdict == "pass" else "gate not evaluated",
            "model_trained": False}

accuracy = [acc(m, NATIVE, "pass", 0.0, 0.0) for m in MODELS]
accuracy += [acc(m, ORT, "pass", 2e-6, 3e-8) for m in MODELS]
accuracy.append(acc("m-mid", HALF, "not_checked", None, None, status="failed",
                    error="fp16 GEMM is not available on this CPU"))

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=2, sort_keys=True)
    f.write("\n")
with open(os.path.join(OUT, "records.jsonl"), "w") as f:
    for r in records:
        f.write(json.dumps(r, sort_keys=True) + "\n")
with open(os.path.join(OUT, "accuracy.jsonl"), "w") as f:
    for a in accuracy:
        f.write(json.dumps(a, sort_keys=True) + "\n")
print(OUT, len(plan), "cells", len(records), "records")
