#!/usr/bin/env python3
"""A fake external worker for CI (no torch): speaks scalebench.worker/1 so the runner's and the
accuracy module's external-program paths are exercised end to end, including misbehaviour.

Usage: fake_worker.py [MODE]   (MODE defaults to $FAKE_WORKER_MODE, then "ok")
  ok          answers every op correctly (sleeps ~1 ms per step so timings are real time);
              `run` "generates" (previous token + 1) mod vocab; no logits
  crash       dies with SIGSEGV after the first measured sample of the first cell
  hang        stops answering (sleeps forever) after loading
  malformed   sends a line that is not JSON in the middle of a cell
  refuse      answers load with an `unsupported` error
  gpt2        like ok, and answers `logits` with a real GPT-2 forward pass in pure Python (float64)
              over the model folder's model.safetensors: an independent implementation whose
              logits must agree with scalebench's native CPU engine
  gpt2_noisy  gpt2 with a deterministic perturbation of every logit (0.5 * sin(7 * id)): a wrong
              backend the accuracy gates must reject
  recompile   a compile cell that recompiles in its first measured sample
  cudagraph   a compile cell whose first measured sample hits the CUDA-graph overwrite error
              (both: the failure text comes from workers/transformers_worker.py's own
              classify_failure(), so CI checks the real worker's wording through the runner)
Only the standard library is used (CI has no numpy).
"""
import array
import hashlib
import importlib.util
import json
import math
import os
import signal
import struct
import sys
import time

MODE = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("FAKE_WORKER_MODE", "ok")
out = sys.stdout
HERE = os.path.dirname(os.path.abspath(__file__))


def send(m):
    out.write(json.dumps(m) + "\n")
    out.flush()


def real_worker():
    """workers/transformers_worker.py, imported for its torch-free classify_failure()."""
    path = os.path.join(HERE, "..", "..", "workers", "transformers_worker.py")
    spec = importlib.util.spec_from_file_location("transformers_worker", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ------------------------------------------------------------------ pure-Python GPT-2
def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        raw = data[base + begin:base + end]
        if t["dtype"] == "F32":
            values = array.array("f")
            values.frombytes(raw)
            values = list(values)
        elif t["dtype"] == "F16":
            values = [v[0] for v in struct.iter_unpack("<e", raw)]
        else:
            raise ValueError(f"fake worker: tensor {name} has dtype {t['dtype']} (F32/F16 only)")
        if sys.byteorder != "little":
            raise ValueError("fake worker: big-endian host")
        key = name[len("transformer."):] if name.startswith("transformer.") else name
        tensors[key] = (values, t["shape"])
    return tensors


class Gpt2:
    def __init__(self, folder):
        with open(os.path.join(folder, "config.json")) as f:
            cfg = json.load(f)
        self.L, self.H, self.E = cfg["n_layer"], cfg["n_head"], cfg["n_embd"]
        self.V, self.P = cfg["vocab_size"], cfg["n_positions"]
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.w = read_safetensors(os.path.join(folder, "model.safetensors"))
        wte = self.w["wte.weight"][0]
        # Columns of the tied LM head, for a fast vocabulary-wide dot product.
        self.wte_cols = [wte[e::self.E] for e in range(self.E)]

    def t(self, name):
        return self.w[name][0]

    def layer_norm(self, x, g, b):
        mean = sum(x) / len(x)
        var = sum((v - mean) ** 2 for v in x) / len(x)
        inv = 1.0 / math.sqrt(var + self.eps)
        return [(v - mean) * inv * gi + bi for v, gi, bi in zip(x, g, b)]

    @staticmethod
    def linear(x, w, b, n_out):   # Conv1D layout: w is [in, out] row-major
        y = list(b)
        for i, xi in enumerate(x):
            row = w[i * n_out:(i + 1) * n_out]
            for j in range(n_out):
                y[j] += xi * row[j]
        return y

    @staticmethod
    def gelu_new(v):
        return 0.5 * v * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (v + 0.044715 * v ** 3)))

    def hidden(self, tokens):
        E, H = self.E, self.H
        d = E // H
        wte, wpe = self.t("wte.weight"), self.t("wpe.weight")
        xs = [[wte[tok * E + e] + wpe[s * E + e] for e in range(E)] for s, tok in enumerate(tokens)]
        for l in range(self.L):
            p = f"h.{l}."
            qkv = [self.linear(self.layer_norm(x, self.t(p + "ln_1.weight"), self.t(p + "ln_1.bias")),
                               self.t(p + "attn.c_attn.weight"), self.t(p + "attn.c_attn.bias"), 3 * E)
                   for x in xs]
            attn_out = []
            for s in range(len(xs)):
                heads = []
                for h in range(H):
                    q = qkv[s][h * d:(h + 1) * d]
                    scores = [sum(qi * ki for qi, ki in zip(q, qkv[u][E + h * d:E + (h + 1) * d])) / math.sqrt(d)
                              for u in range(s + 1)]       # causal: positions 0..s
                    m = max(scores)
                    e = [math.exp(v - m) for v in scores]
                    z = sum(e)
                    heads += [sum(e[u] / z * qkv[u][2 * E + h * d + k] for u in range(s + 1)) for k in range(d)]
                attn_out.append(self.linear(heads, self.t(p + "attn.c_proj.weight"), self.t(p + "attn.c_proj.bias"), E))
            xs = [[a + b for a, b in zip(x, y)] for x, y in zip(xs, attn_out)]
            new = []
            for x in xs:
                h2 = self.layer_norm(x, self.t(p + "ln_2.weight"), self.t(p + "ln_2.bias"))
                f = [self.gelu_new(v) for v in self.linear(h2, self.t(p + "mlp.c_fc.weight"), self.t(p + "mlp.c_fc.bias"), 4 * E)]
                m = self.linear(f, self.t(p + "mlp.c_proj.weight"), self.t(p + "mlp.c_proj.bias"), E)
                new.append([a + b for a, b in zip(x, m)])
            xs = new
        return [self.layer_norm(x, self.t("ln_f.weight"), self.t("ln_f.bias")) for x in xs]

    def lm_head(self, x):
        if self.E == 2:   # tiny-gpt2 (the CI model): one pass
            x0, x1 = x
            return [a * x0 + b * x1 for a, b in zip(self.wte_cols[0], self.wte_cols[1])]
        logits = [c * x[0] for c in self.wte_cols[0]]
        for e in range(1, self.E):
            xe = x[e]
            logits = [s + c * xe for s, c in zip(logits, self.wte_cols[e])]
        return logits


def answer_logits(model, op, vocab):
    batch, seq, mode = op["batch"], op["seq"], op.get("mode", "last")
    rows = []
    for tokens in op["tokens"]:
        hs = model.hidden(tokens)
        for h in (hs if mode == "all" else hs[-1:]):
            rows.append(model.lm_head(h))
    if MODE == "gpt2_noisy":
        noise = [0.5 * math.sin(7.0 * v) for v in range(vocab)]
        rows = [[a + b for a, b in zip(r, noise)] for r in rows]
    flat = array.array("f")
    for r in rows:
        flat.extend(r)
    data = flat.tobytes()
    sha = hashlib.sha256(data).hexdigest()
    path = op["out"]
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)
    side = {"schema": "scalebench.logits/1", "dtype": "float32", "byte_order": "little", "rows": len(rows),
            "vocab": vocab, "batch": batch, "seq": seq, "mode": mode, "sha256": sha}
    with open(path + ".json.tmp", "w") as f:
        json.dump(side, f)
    os.replace(path + ".json.tmp", path + ".json")
    send({"msg": "logits", "out": path, "rows": len(rows), "vocab": vocab, "sha256": sha})


# ------------------------------------------------------------------ protocol
def main():
    vocab = 1000
    model = None
    cfg = {"vocab_size": vocab, "n_positions": 1024, "n_layer": 1, "n_head": 1, "n_embd": 4}
    for line in sys.stdin:
        op = json.loads(line)
        kind = op.get("op")
        if kind == "shutdown":
            return 0
        if kind == "load":
            if MODE == "refuse":
                send({"msg": "error", "cell_id": "", "status": "unsupported",
                      "error": "fake worker refuses: no such accelerator"})
                return 0
            if MODE.startswith("gpt2"):
                folder = op.get("model_dir") or op.get("model_spec", "")
                if not os.path.isdir(folder):
                    send({"msg": "error", "cell_id": "", "status": "unsupported",
                          "error": f"fake worker: model '{folder}' is not a Hugging Face folder"})
                    return 0
                model = Gpt2(folder)
                vocab = model.V
                cfg = {"vocab_size": model.V, "n_positions": model.P, "n_layer": model.L, "n_head": model.H,
                       "n_embd": model.E}
            send({"msg": "ready", "protocol": "scalebench.worker/1",
                  "info": {"name": op.get("backend"), "precision": op.get("precision"),
                           "device": op.get("device"), "library_versions": {"fake": "1"},
                           "description": "fake worker (" + MODE + ")"},
                  "capabilities": {"stepwise": False, "logits_last": True, "logits_all": model is not None,
                                   "kv_cache": True, "reports_device_memory": False, "max_batch": 0},
                  "load_ms": 1.0, "build_ms": None, "artifact": None, "model": {},
                  "config": cfg, "peak_rss_bytes": None, "peak_device_bytes": None})
            if MODE == "hang":
                while True:
                    time.sleep(3600)
            continue
        if kind == "logits" and model is not None:
            answer_logits(model, op, vocab)
            continue
        if kind == "run":
            reps, warm = op["repetitions"], op.get("warmup", 0)
            n, batch = op["new_tokens"], op["batch"]
            for i in range(warm + reps):
                if MODE == "malformed" and i == warm + 1:
                    out.write("this is not json\n")
                    out.flush()
                if MODE in ("recompile", "cudagraph") and i == warm:
                    tw = real_worker()
                    if MODE == "recompile":
                        e = type("RecompileError", (Exception,), {})(
                            "Recompiling function forward in modeling_gpt2.py:1042\n    triggered by ...")
                    else:
                        e = RuntimeError("Error: accessing tensor output of CUDAGraphs that has been overwritten "
                                         "by a subsequent run.\nTo prevent overwriting, clone the tensor")
                    status, text = tw.classify_failure(e, "reduce-overhead", timed=True)
                    send({"msg": "error", "cell_id": op.get("cell_id", ""), "status": status, "error": text})
                    return 2
                t0 = time.perf_counter()
                time.sleep(0.001)
                prefill_ms = (time.perf_counter() - t0) * 1000
                steps = []
                if op["phase"] == "decode":
                    for _ in range(n - 1):
                        s0 = time.perf_counter()
                        time.sleep(0.001)
                        steps.append((time.perf_counter() - s0) * 1000)
                m = {"msg": "sample", "cell_id": op.get("cell_id", ""), "sample": i if i < warm else i - warm,
                     "warmup": i < warm, "prefill_ms": prefill_ms,
                     "tokens": batch * (n if op["phase"] == "decode" else 1), "logits_mode": "last"}
                if op["phase"] == "decode":
                    m["decode_step_ms"] = steps
                send(m)
                if MODE == "crash" and i == warm:
                    os.kill(os.getpid(), signal.SIGSEGV)
            send({"msg": "cell_done", "cell_id": op.get("cell_id", ""), "peak_rss_bytes": None,
                  "peak_device_bytes": None})
            continue
        send({"msg": "error", "cell_id": op.get("cell_id", ""), "status": "failed",
              "error": "fake worker: unsupported op " + str(kind)})
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
