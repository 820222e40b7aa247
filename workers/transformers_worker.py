#!/usr/bin/env python3
"""scalebench worker for Hugging Face transformers (PyTorch): the baseline backends
`transformers-eager` and `transformers-compile`.

Speaks the worker protocol `scalebench.worker/1` (docs/formats.md) over stdin/stdout: JSON
lines in (ops: load, run, logits, shutdown), JSON lines out (messages: ready, sample, cell_done,
logits, error, log).  The timing loop lives here, exactly as in scalebench's own worker:
  - prefill latency: from submitting the [B, S] prompt until the greedy next token of every
    sequence is on the host (device synchronized before each clock read; KV cache filled);
  - decode step latency: from submitting the previous tokens until the next token of every
    sequence is on the host, one value per step, N - 1 steps.
Both compute the LM head for the last position only (`logits_to_keep=1`), as scalebench's
benchmark path does.  Greedy choice is argmax, first index on ties (torch.argmax's rule).

Compile mode: compilation happens during warmup samples; compile time and the number of
graphs compiled are reported in cell_done.  Before the measured samples the worker forbids
recompilation (torch._dynamo.config.error_on_recompile): a cell that would recompile, or that
fell back to eager, is reported as `failed` with that reason — never timed as if compiled.

Only the standard library, torch and transformers are used.  Nothing is downloaded: the model
is a local Hugging Face folder (config.json + model.safetensors).
"""
import json
import os
import sys
import time
import traceback

PROTOCOL = "scalebench.worker/1"
LOGITS_SCHEMA = "scalebench.logits/1"

# The protocol owns stdout.  Keep a private handle on it and point fd 1 at stderr so that any
# stray print from a library cannot corrupt the message stream.
_proto = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr


def send(msg):
    _proto.write(json.dumps(msg, separators=(",", ":")) + "\n")
    _proto.flush()


def log(text):
    send({"msg": "log", "text": text})


def peak_rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


class Unsupported(Exception):
    """The request cannot be served here (missing package, unknown precision...)."""


class Worker:
    def __init__(self):
        self.torch = None
        self.model = None
        self.call = None          # the (possibly compiled) forward used for timing
        self.device = None
        self.mode = None          # "eager" | "compile"
        self.compile_mode = None
        self.dynamic = None
        self.backend = None
        self.precision = None
        self.vocab = 0
        self.compiled_graphs_before = 0

    # ---------------------------------------------------------------- load
    def load(self, op):
        t0 = time.perf_counter()
        backend = op.get("backend", "")
        if backend not in ("transformers-eager", "transformers-compile"):
            raise Unsupported(f"transformers worker cannot serve backend '{backend}'")
        self.backend = backend
        self.mode = "compile" if backend.endswith("compile") else "eager"
        options = op.get("options") or {}
        self.compile_mode = options.get("compile_mode", "default")
        self.dynamic = options.get("dynamic", None)
        precision = op.get("precision", "fp32")
        try:
            import torch
            import transformers
        except ImportError as e:
            raise Unsupported(f"python package missing: {e}")
        self.torch = torch
        dtypes = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
        if precision not in dtypes:
            raise Unsupported(f"precision '{precision}' is not offered by transformers here "
                              "(fp32, fp16, bf16)")
        self.precision = precision
        device = op.get("device", "cuda:0")
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise Unsupported("device cuda requested but torch.cuda.is_available() is False")
        if device == "cuda":
            device = "cuda:0"
        self.device = torch.device(device)
        if "threads" in options:
            torch.set_num_threads(int(options["threads"]))
        if device.startswith("cuda"):
            # Strict fp32: no TF32 in matmuls or convolutions (scalebench's fp32 means fp32).
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False
        torch.set_grad_enabled(False)

        folder = op.get("model_dir") or op.get("model_spec", "")
        if not folder or not os.path.isdir(folder):
            raise Unsupported(
                f"model '{op.get('model_id', '')}': the transformers worker needs a Hugging Face "
                f"folder (got '{folder}'); the runner materializes synthetic models as folders")
        from transformers import AutoModelForCausalLM
        try:
            model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtypes[precision])
        except TypeError:  # transformers < 4.56 spells it torch_dtype
            model = AutoModelForCausalLM.from_pretrained(folder, torch_dtype=dtypes[precision])
        model.eval().to(self.device)
        self.model = model
        self.vocab = int(model.config.vocab_size)
        build_ms = None
        if self.mode == "compile":
            import torch._dynamo
            # A generous limit so that shape changes between scenarios compile rather than
            # silently falling back to eager; hitting it anyway is made an error.
            for name in ("recompile_limit", "cache_size_limit"):
                if hasattr(torch._dynamo.config, name):
                    setattr(torch._dynamo.config, name, 64)
            if hasattr(torch._dynamo.config, "fail_on_recompile_limit_hit"):
                torch._dynamo.config.fail_on_recompile_limit_hit = True
            self.call = torch.compile(model, mode=self.compile_mode, dynamic=self.dynamic)
        else:
            self.call = model
        load_ms = (time.perf_counter() - t0) * 1000.0
        params = sum(p.numel() for p in model.parameters())
        cfg = model.config
        versions = {"torch": torch.__version__, "transformers": transformers.__version__,
                    "python": sys.version.split()[0]}
        if self.device.type == "cuda":
            versions["cuda"] = str(torch.version.cuda)
            torch.cuda.reset_peak_memory_stats(self.device)
        desc = f"transformers {transformers.__version__} {self.mode}"
        if self.mode == "compile":
            desc += f" (mode={self.compile_mode}, dynamic={self.dynamic})"
        if self.device.type == "cuda":
            desc += f" on {torch.cuda.get_device_name(self.device)}"
        else:
            desc += f" on cpu, {torch.get_num_threads()} threads"
        send({"msg": "ready", "protocol": PROTOCOL,
              "info": {"name": backend, "precision": precision, "device": str(self.device),
                       "library_versions": versions, "description": desc},
              "capabilities": {"stepwise": False, "logits_last": True, "logits_all": True,
                               "kv_cache": True,
                               "reports_device_memory": self.device.type == "cuda",
                               "max_batch": 0},
              "load_ms": load_ms, "build_ms": build_ms, "artifact": None,
              "model": {"params": params, "source": folder, "n_layer": int(cfg.n_layer),
                        "n_head": int(cfg.n_head), "n_embd": int(cfg.n_embd),
                        "n_positions": int(cfg.n_positions), "vocab_size": self.vocab,
                        "dtype": precision},
              "config": {"vocab_size": self.vocab, "n_positions": int(cfg.n_positions),
                         "n_layer": int(cfg.n_layer), "n_head": int(cfg.n_head),
                         "n_embd": int(cfg.n_embd)},
              "peak_rss_bytes": peak_rss_bytes(), "peak_device_bytes": self.peak_device_bytes()})

    def peak_device_bytes(self):
        if self.torch is not None and self.device is not None and self.device.type == "cuda":
            return int(self.torch.cuda.max_memory_allocated(self.device))
        return None

    def sync(self):
        if self.device.type == "cuda":
            self.torch.cuda.synchronize(self.device)

    def graphs_compiled(self):
        if self.mode != "compile":
            return 0
        from torch._dynamo.utils import counters
        return int(counters["stats"].get("unique_graphs", 0))

    # ---------------------------------------------------------------- timing
    def time_sample(self, ids, new_tokens, decode_phase):
        torch = self.torch
        from transformers import DynamicCache
        cache = DynamicCache()
        self.sync()
        t0 = time.perf_counter_ns()
        out = self.call(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1)
        nxt = out.logits[:, -1, :].argmax(dim=-1)
        host = nxt.tolist()                  # the tokens are on the host here
        self.sync()
        t1 = time.perf_counter_ns()
        prefill_ms = (t1 - t0) / 1e6
        steps = []
        produced = len(host)
        if decode_phase:
            past = out.past_key_values
            for _ in range(new_tokens - 1):
                feed = torch.tensor(host, dtype=torch.long, device=self.device).unsqueeze(1)
                self.sync()
                s0 = time.perf_counter_ns()
                out = self.call(input_ids=feed, past_key_values=past, use_cache=True,
                                logits_to_keep=1)
                nxt = out.logits[:, -1, :].argmax(dim=-1)
                host = nxt.tolist()
                self.sync()
                s1 = time.perf_counter_ns()
                steps.append((s1 - s0) / 1e6)
                past = out.past_key_values
                produced += len(host)
        return prefill_ms, steps, produced

    def run(self, op):
        torch = self.torch
        cell_id = op.get("cell_id", "")
        batch = int(op["batch"])
        seq = int(op["prompt_len"])
        n = int(op["new_tokens"])
        warmup = int(op.get("warmup", 0))
        reps = int(op["repetitions"])
        phase = op["phase"]
        if phase not in ("prefill", "decode"):
            raise ValueError(f"run: unknown phase '{phase}'")
        prompt = op["prompt"]
        if len(prompt) != batch or any(len(r) != seq for r in prompt):
            raise ValueError(f"run: prompt must be {batch} rows of {seq} token ids")
        if self.mode == "compile" and warmup < 1:
            raise ValueError("transformers-compile needs warmup >= 1: compilation would "
                             "otherwise be timed as inference")
        ids = torch.tensor(prompt, dtype=torch.long, device=self.device)
        import torch._dynamo as dynamo
        graphs_before = self.graphs_compiled()
        compile_ms = 0.0
        for i in range(warmup + reps):
            is_warmup = i < warmup
            index = i if is_warmup else i - warmup
            if self.mode == "compile":
                # Compilation is allowed during warmups only.
                dynamo.config.error_on_recompile = not is_warmup
            graphs_at_start = self.graphs_compiled()
            w0 = time.perf_counter()
            try:
                prefill_ms, steps, produced = self.time_sample(ids, n, phase == "decode")
            except Exception as e:  # noqa: BLE001 - reported with its type
                if self.mode == "compile" and not is_warmup and "ecompil" in str(e):
                    raise RuntimeError(f"recompiled during a timed sample ({type(e).__name__}: "
                                       f"{str(e).splitlines()[0] if str(e) else ''})")
                raise
            if is_warmup and self.mode == "compile":
                compile_ms += (time.perf_counter() - w0) * 1000.0
            if self.mode == "compile" and not is_warmup and self.graphs_compiled() != graphs_at_start:
                raise RuntimeError("compiled a new graph during a timed sample")
            msg = {"msg": "sample", "cell_id": cell_id, "sample": index, "warmup": is_warmup,
                   "prefill_ms": prefill_ms, "tokens": produced, "logits_mode": "last"}
            if phase == "decode":
                msg["decode_step_ms"] = steps
            send(msg)
        if self.mode == "compile":
            dynamo.config.error_on_recompile = False
        done = {"msg": "cell_done", "cell_id": cell_id, "peak_rss_bytes": peak_rss_bytes(),
                "peak_device_bytes": self.peak_device_bytes()}
        if self.mode == "compile":
            done["compile"] = {"warmup_ms_total": compile_ms,
                               "graphs_compiled": self.graphs_compiled() - graphs_before}
        send(done)

    # ---------------------------------------------------------------- accuracy
    def logits(self, op):
        import hashlib
        torch = self.torch
        batch = int(op["batch"])
        seq = int(op["seq"])
        mode = op.get("mode", "last")
        if mode not in ("last", "all"):
            raise ValueError("logits: mode must be last or all")
        tokens = op["tokens"]
        if len(tokens) != batch or any(len(r) != seq for r in tokens):
            raise ValueError(f"logits: tokens must be {batch} rows of {seq} ids")
        ids = torch.tensor(tokens, dtype=torch.long, device=self.device)
        # Accuracy path: eager model (no compile), never timed.
        out = self.model(input_ids=ids, use_cache=False, logits_to_keep=0 if mode == "all" else 1)
        values = out.logits.float().contiguous().cpu()
        if mode == "last":
            values = values[:, -1, :]
        data = values.numpy().astype("<f4").tobytes()
        path = op["out"]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        tmp = path + f".tmp.{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        rows = batch * (seq if mode == "all" else 1)
        sha = hashlib.sha256(data).hexdigest()
        side = {"schema": LOGITS_SCHEMA, "dtype": "float32", "byte_order": "little",
                "rows": rows, "vocab": self.vocab, "batch": batch, "seq": seq, "mode": mode,
                "sha256": sha}
        with open(tmp, "w") as f:
            json.dump(side, f, indent=2)
            f.write("\n")
        os.replace(tmp, path + ".json")
        send({"msg": "logits", "out": path, "rows": rows, "vocab": self.vocab, "sha256": sha})


def main():
    w = Worker()
    loaded = False
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cell_id = ""
        try:
            try:
                op = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"worker: malformed protocol line ({e})")
            if not isinstance(op, dict):
                raise ValueError("worker: a protocol line must be a JSON object")
            kind = op.get("op", "")
            cell_id = op.get("cell_id", "")
            if kind == "shutdown":
                return 0
            if kind == "load":
                if loaded:
                    raise ValueError("load: this worker already loaded a model")
                if op.get("protocol", "") != PROTOCOL:
                    raise ValueError(f"load: protocol '{op.get('protocol', '')}' is not '{PROTOCOL}'")
                w.load(op)
                loaded = True
                continue
            if not loaded:
                raise ValueError(f"'{kind}' before load")
            if kind == "run":
                w.run(op)
            elif kind == "logits":
                w.logits(op)
            else:
                raise ValueError(f"unknown op '{kind}'")
        except Unsupported as e:
            send({"msg": "error", "cell_id": cell_id, "status": "unsupported", "error": str(e)})
            if not loaded:
                return 0
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the worker exits
            status = "failed"
            if type(e).__name__ in ("OutOfMemoryError", "MemoryError"):
                status = "oom"
            text = f"{type(e).__name__}: {e}".strip()
            send({"msg": "error", "cell_id": cell_id, "status": status, "error": text[:4000]})
            traceback.print_exc(file=sys.stderr)
            return 3 if status == "oom" else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
