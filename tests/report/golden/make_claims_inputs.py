#!/usr/bin/env python3
"""Writes the hand-made inputs of the claims tests (tests/report/test_claims.cc):

claims_run/   one run (manifest.json, records.jsonl, accuracy.jsonl) and claims.toml, chosen so
              every verdict kind appears: holds, does not hold, no detectable difference,
              not measured (a failed cell, an unsupported cell, a configuration never planned,
              sizes that do not reach a claimed crossover), not comparable.
two_hosts/a, two_hosts/b
              two shards of one study measured on different machines (a GPU host running
              transformers-compile and native-cuda, a CPU-only host running onnxruntime-cpu);
              the test merges them with `scalebench merge`'s library function and checks that
              nothing is compared across the two hosts.

Every number is a fixed formula below.  Run it only to change the fixture, then regenerate the
expected outputs with SB_UPDATE_GOLDEN=1 (see tests/report/test_claims.cc).
"""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))
N = 8
REPS, WARM = 4, 1
JIT = [0.0, 0.03, -0.02, 0.01]          # relative jitter of the 4 measured samples
NOISY = [0.0, 0.30, -0.25, 0.20]        # large jitter: a difference the CI cannot resolve
SCEN = [("single_micro", 1, 8), ("batch_short", 4, 32)]
MODELS = {  # id -> (params, n_layer, n_head, n_embd, n_positions, vocab)
    "c-small": (1000000, 2, 2, 64, 256, 8000),
    "c-mid": (10000000, 4, 4, 256, 256, 16000),
    "c-big": (100000000, 8, 8, 1024, 256, 32000),
}
INT8 = dict(backend="native-cuda", precision="int8", options={}, device="cuda:0")
FP16 = dict(backend="native-cuda", precision="fp16", options={}, device="cuda:0")
TORCH = dict(backend="transformers-compile", precision="fp32", options={}, device="cuda:0")
ORTC = dict(backend="onnxruntime-cpu", precision="fp32", options={}, device="cpu")
ORTG = dict(backend="onnxruntime-cuda", precision="fp32", options={}, device="cuda:0")


def key(cfg, model, scen, phase="prefill"):
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


def prefill_ms(cfg, model, scen):
    """Mean prefill latency of a cell (ms); the jitter pattern is applied per sample."""
    p = MODELS[model][0] / 1e6
    t = scen[1] * scen[2] / 8.0     # tokens relative to 1x8
    if cfg is TORCH:
        return 2.0 + 0.01 * p * t
    if cfg is INT8:
        return 0.8 + 0.002 * p * t   # faster than torch everywhere, more so when big
    if cfg is FP16:
        return 1.0 + 0.006 * p * t
    if cfg is ORTC:                  # fast when small, slow when big: crosses torch near c-mid
        return 0.25 + 0.05 * p * t if model != "c-mid" else 2.0 + 0.1 * t
    if cfg is ORTG:
        return 2.1 + 0.01 * p * t    # within noise of torch
    raise ValueError(cfg)


class Run:
    def __init__(self, run_id, host, gpus, shard=(0, 1)):
        self.run_id, self.host, self.gpus, self.shard = run_id, host, gpus, shard
        self.plan, self.records, self.groups = [], [], set()

    def rec(self, kind, k, **kw):
        r = {"schema": "scalebench.record/1", "kind": kind, "cell": k,
             "utc": "2026-11-26T10:00:00Z", "run_id": self.run_id, "group_id": group_id(k)}
        if kind != "worker_start":
            r["cell_id"] = cell_id(k)
        r.update(kw)
        self.records.append(r)

    def cell(self, cfg, model, scen, jitter=JIT, fail=None):
        k = key(cfg, model, scen)
        self.plan.append({"cell": k, "cell_id": cell_id(k), "warmup": WARM, "repetitions": REPS})
        gid = group_id(k)
        if gid not in self.groups:
            self.groups.add(gid)
            wk = {x: k[x] for x in ("model", "backend", "precision", "options", "device")}
            wk.update(scenario="", batch=0, prompt_len=0, new_tokens=0, phase="")
            self.rec("worker_start", wk, status="ok", load_ms=12.5)
        if fail:
            status, error, done = fail
            for i in range(done):
                self.rec("sample", k, status="ok", sample=i, warmup=False,
                         prefill_ms=round(prefill_ms(cfg, model, scen), 6), logits_mode="last",
                         throttled=False)
            self.rec("failure", k, status=status, error=error,
                     observed={"samples_done": done, "samples_planned": REPS,
                               "tokens_produced": done * scen[1], "elapsed_ms": 1000.0})
            return
        base = prefill_ms(cfg, model, scen)
        self.rec("sample", k, status="ok", sample=0, warmup=True, prefill_ms=round(base * 1.4, 6),
                 logits_mode="last", throttled=False)
        for i in range(REPS):
            self.rec("sample", k, status="ok", sample=i, warmup=False,
                     prefill_ms=round(base * (1 + jitter[i]), 6), logits_mode="last",
                     throttled=False)

    def write(self, out, claims_name=None):
        os.makedirs(out, exist_ok=True)
        manifest = {
            "schema": "scalebench.manifest/1", "run_id": self.run_id,
            "scalebench": {"version": "0.1.0", "git_sha": "0123456789ab", "build_type": "Release",
                           "compiler": "GNU 12.2.0", "sanitized": False, "binary_sha256": "be" * 32},
            "host": self.host, "gpus": self.gpus,
            "study": {"path": "/nonexistent/examples/claims-test.toml", "sha256": "5a" * 32,
                      "name": "claims-test", "text": "name = \"claims-test\"\n"},
            "command_lines": ["scalebench run examples/claims-test.toml --out x"],
            "models": {m: {"spec": "shape:%s" % m, "params": p, "n_layer": L, "n_head": H,
                           "n_embd": E, "n_positions": P, "vocab_size": V,
                           "sha256": "%064x" % (i + 1), "bytes_on_disk": 0, "synthetic": True,
                           "tensors": []}
                       for i, (m, (p, L, H, E, P, V)) in enumerate(MODELS.items())},
            "plan": {"cells": self.plan, "groups": len(self.groups), "order_seed": 11,
                     "shard": {"index": self.shard[0], "count": self.shard[1]},
                     "study_cells": len(self.plan), "study_groups": len(self.groups)},
            "options": {"baseline_backend": "transformers-compile", "exclude_outliers": False,
                        "price_per_hour_usd": None},
            "seeds": {"prompts": 1, "order": 11, "weights": 3},
            "started_utc": "2026-11-26T10:00:00Z", "finished_utc": "2026-11-26T10:01:00Z",
        }
        if claims_name:
            manifest["options"]["claims"] = claims_name
        with open(os.path.join(out, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2, sort_keys=True)
            f.write("\n")
        with open(os.path.join(out, "records.jsonl"), "w") as f:
            for r in self.records:
                f.write(json.dumps(r, sort_keys=True) + "\n")


GPU_HOST = {"hostname": "gpu-box", "cpu_model": "Example Xeon", "cores": 16, "threads": 16,
            "memory_bytes": 137438953472, "os": "Linux 6.8", "governor": None}
GPU_LIST = [{"index": 0, "name": "Example GPU 80GB", "uuid": "GPU-0000-example",
             "driver": "580.00", "memory_bytes": 85899345920}]
CPU_HOST = {"hostname": "cpu-box", "cpu_model": "Example EPYC", "cores": 2, "threads": 2,
            "memory_bytes": 25769803776, "os": "Linux 6.1", "governor": "performance"}

# ---- claims_run: one machine with a GPU and every configuration -------------------------------
run = Run("claims-0001", GPU_HOST, GPU_LIST)
for m in MODELS:
    for sc in SCEN:
        run.cell(TORCH, m, sc)
        run.cell(INT8, m, sc)
        run.cell(ORTC, m, sc, jitter=NOISY if m == "c-mid" else JIT)
for sc in SCEN:
    run.cell(ORTG, "c-big", sc, jitter=NOISY)
run.cell(FP16, "c-big", SCEN[0], fail=("failed", "cuBLASLt returned CUBLAS_STATUS_NOT_SUPPORTED", 1))
run.cell(FP16, "c-big", SCEN[1], fail=("unsupported", "fp16 needs compute capability 5.3", 0))
out = os.path.join(HERE, "claims_run")
run.write(out, claims_name="claims.toml")


def acc(m, cfg, delta, status="ok", error=""):
    return {"schema": "scalebench.accuracy/1", "model": m, "backend": cfg["backend"],
            "precision": cfg["precision"], "options": cfg["options"], "device": cfg["device"],
            "status": status, "error": error,
            "reference": {"backend": "native-cpu", "precision": "fp32"},
            "corpus": {"path": "tutorial.txt", "sha256": "ef" * 32, "bytes": 1000},
            "tokenizer_sha256": "12" * 32, "window": 128, "stride": 128, "tokens_counted": 900,
            "nll_sum": 3000.0, "ppl": 28.0316, "ppl_rel_delta": delta, "kl_mean": 1e-6,
            "kl_p99": 1e-5, "kl_max": 1e-4, "top1_agreement": 0.999, "logit_max_abs": 0.01,
            "logit_mean_abs": 0.001, "greedy_agreement": 1.0,
            "gate": {"max_abs_ppl_rel_delta": 0.003, "max_kl_mean": 3e-3},
            "verdict": "pass", "verdict_reason": "", "model_trained": True}


with open(os.path.join(out, "accuracy.jsonl"), "w") as f:
    for a in (acc("c-small", INT8, 0.0001), acc("c-small", FP16, -0.00005)):
        f.write(json.dumps(a, sort_keys=True) + "\n")

# ---- two_hosts: the same study split over a GPU host and a CPU-only host ----------------------
a = Run("hosts-a", GPU_HOST, GPU_LIST, shard=(0, 2))
b = Run("hosts-b", CPU_HOST, [], shard=(1, 2))
for m in MODELS:
    for sc in SCEN:
        a.cell(TORCH, m, sc)
        a.cell(INT8, m, sc)
        b.cell(ORTC, m, sc)
a.write(os.path.join(HERE, "two_hosts", "a"))
b.write(os.path.join(HERE, "two_hosts", "b"))
print("wrote", out, "and two_hosts/a, two_hosts/b")
