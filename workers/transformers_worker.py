#!/usr/bin/env python3
"""scalebench worker for Hugging Face transformers (PyTorch): the baseline backends
`transformers-eager` and `transformers-compile`.

Speaks the worker protocol `scalebench.worker/1` (docs/formats.md) over stdin/stdout: JSON
lines in (ops: load, run, logits, generate, shutdown), JSON lines out (messages: ready, sample,
cell_done, logits, generated, error, log).  The timing loop lives here, exactly as in scalebench's own worker:
  - prefill latency: from submitting the [B, S] prompt until the greedy next token of every
    sequence is on the host (device synchronized before each clock read; KV cache filled);
  - decode step latency: from submitting the previous tokens until the next token of every
    sequence is on the host, one value per step, N - 1 steps.
Both compute the LM head for the last position only (`logits_to_keep=1`), as scalebench's
benchmark path does.  Greedy choice is argmax, first index on ties (torch.argmax's rule).

Compile mode (backend transformers-compile, option compile_mode):
  - "default" (and "max-autotune-no-cudagraphs"): torch.compile of the whole model, with
    transformers' DynamicCache;
  - "reduce-overhead" (and "max-autotune"): CUDA graphs (torch's cudagraph trees) with a
    transformers StaticCache of max_seq positions per batch size (the load op's largest S + N),
    initialized eagerly so its buffers have static addresses; torch.compiler.cudagraph_mark_step_begin()
    before every call and every output consumed (copied to the host) before the next call.
Compilation happens during warmup samples; compile time, graphs compiled, graph breaks and
CUDA-graph skips are reported in cell_done.  Before the measured samples the worker forbids
recompilation (torch._dynamo.config.error_on_recompile): a cell that would recompile, compiled
nothing (torch.compile fell back to eager), compiled a new graph while timed, or whose CUDA
graphs were skipped in reduce-overhead mode is reported as `failed` with that reason — never
timed as if compiled.  A CUDA-graph "overwritten by a subsequent run" error and the recompile
limit are reported as `failed` with a reason naming them (classify_failure()).

Accuracy ops (never timed): `logits` (whole sequences, no KV cache, logits through files) and
`generate` (declared as capabilities.greedy): a whole greedy continuation with a DynamicCache,
prefill + N - 1 one-token steps, teacher-forced when the op carries `forced`.  Greedy agreement
used to run through `logits` of the growing sequence (one request per generated token, the
whole sequence recomputed without a cache), so it never exercised the KV-cache decode path that
the timed loop measures; `generate` checks that path (prefill [B, S], then [B, 1] steps over a
growing cache), in one request per continuation.  (Measured on an H100 with torch 2.11: the old
per-token requests did not recompile per length — automatic dynamic shapes cover them after one
recompile; `generate` costs three graphs on a compiled model, ~54 s for gpt2 fp32.)  Every accuracy op logs its duration and
the graphs torch.compile built during it to stderr (the worker log); TORCH_LOGS=recompiles names
the guard that failed.  SCALEBENCH_WORKER_NO_GREEDY=1 withholds capabilities.greedy (diagnostics:
the parent then falls back to `logits` per token).

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

_proto = None


def claim_stdout():
    """The protocol owns stdout.  Keep a private handle on it and point fd 1 at stderr so that
    any stray print from a library cannot corrupt the message stream.  Called by main() only, so
    that tests can import this module."""
    global _proto
    _proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr


def send(msg):
    out = _proto if _proto is not None else sys.stdout
    out.write(json.dumps(msg, separators=(",", ":")) + "\n")
    out.flush()


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


class CellFailure(Exception):
    """A cell failed with an already classified status ("failed" | "oom") and reason."""

    def __init__(self, status, text):
        super().__init__(text)
        self.status = status
        self.text = text


# compile_mode values torch.compile accepts, and whether they use CUDA graphs (which need the
# static KV cache: cudagraph trees replay fixed addresses and shapes).
COMPILE_MODES = {"default": False, "reduce-overhead": True, "max-autotune": True,
                 "max-autotune-no-cudagraphs": False}


def classify_failure(exc, compile_mode, timed):
    """Turns an exception raised while running a cell into (status, reason text) for the
    protocol's `error` message.  Pure (no torch needed), so CI tests it.  `compile_mode` is None
    for the eager backend; `timed` is True during a measured sample."""
    name = type(exc).__name__
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if name in ("OutOfMemoryError", "MemoryError") or "CUDA out of memory" in text:
        return "oom", f"{name}: {first}"
    if compile_mode is not None:
        if "overwritten by a subsequent run" in text:
            return "failed", ("CUDA-graph output overwritten by a subsequent run (torch.compile "
                              f"mode={compile_mode}, cudagraph trees): {first}")
        if name == "FailOnRecompileLimitHit" or "recompile_limit" in text or "cache_size_limit" in text:
            return "failed", ("hit torch.compile's recompile limit (torch would have fallen back to "
                              f"eager): {name}: {first}")
        if timed and (name == "RecompileError" or "ecompil" in text):
            return "failed", f"recompiled during a timed sample ({name}: {first})"
    return "failed", f"{name}: {text}".strip()


def compile_check(mode, compile_mode, timed, before, after):
    """Checks torch.compile counters around one sample.  `before`/`after` are dicts with
    unique_graphs, graph_breaks and cudagraph_skips.  Returns the reason the sample must not be
    reported as compiled, or None.  Pure (no torch needed), so CI tests it."""
    if mode != "compile":
        return None
    if timed and after["unique_graphs"] != before["unique_graphs"]:
        return (f"compiled {after['unique_graphs'] - before['unique_graphs']} new graph(s) during a "
                "timed sample")
    if after["unique_graphs"] == 0:
        return "torch.compile compiled no graph: the model ran eagerly (eager fallback)"
    if COMPILE_MODES.get(compile_mode, False) and after["cudagraph_skips"] > before["cudagraph_skips"]:
        return (f"CUDA graphs were skipped {after['cudagraph_skips'] - before['cudagraph_skips']} "
                f"time(s) in mode {compile_mode}: the cell would run without CUDA graphs (reasons "
                "in the worker log, torch perf hints)")
    return None


def offers_greedy():
    """capabilities.greedy: the `generate` op is offered unless withheld for diagnostics."""
    return os.environ.get("SCALEBENCH_WORKER_NO_GREEDY", "") not in ("1", "true", "yes")


def op_log_line(what, ms, before, after):
    """One accuracy op's cost for the worker log: wall time and the graphs torch.compile built
    during it (a recompilation is a new graph).  Pure, so CI tests it."""
    line = f"{what}: {ms:.1f} ms"
    if before is not None and after is not None:
        new = after["unique_graphs"] - before["unique_graphs"]
        line += f", graphs compiled +{new} (total {after['unique_graphs']})"
        breaks = after["graph_breaks"] - before["graph_breaks"]
        if breaks:
            line += f", graph breaks +{breaks}"
    return line


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
        self.cudagraphs = False    # reduce-overhead / max-autotune: CUDA graphs + static cache
        self.max_cache_len = 0     # static cache positions (the load op's max_seq)
        self.static_caches = {}    # batch size -> StaticCache, reused (reset) across samples
        self.logits_call = None    # compile mode: compiled forward for the logits op
        self.takes_cache_position = True

    # ---------------------------------------------------------------- load
    def load(self, op):
        t0 = time.perf_counter()
        backend = op.get("backend", "")
        if backend not in ("transformers-eager", "transformers-compile"):
            raise Unsupported(f"transformers worker cannot serve backend '{backend}'")
        self.backend = backend
        self.mode = "compile" if backend.endswith("compile") else "eager"
        options = op.get("options") or {}
        self.compile_mode = options.get("compile_mode", "default") if self.mode == "compile" else None
        self.dynamic = options.get("dynamic", None)
        if self.mode == "compile" and self.compile_mode not in COMPILE_MODES:
            raise Unsupported(f"compile_mode '{self.compile_mode}' is not one of "
                              f"{', '.join(sorted(COMPILE_MODES))}")
        self.cudagraphs = self.mode == "compile" and COMPILE_MODES[self.compile_mode]
        precision = op.get("precision", "fp32")
        if self.mode == "compile":
            # Read at torch's import: recompilations name the guard that failed (worker log,
            # stderr; they happen in warmups and accuracy ops, a timed one fails the cell), and in
            # CUDA-graph modes torch's reasons for skipping graphs are logged too.
            os.environ.setdefault("TORCH_LOGS", "recompiles,perf_hints" if self.cudagraphs else "recompiles")
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
        if self.cudagraphs and not device.startswith("cuda"):
            raise Unsupported(f"compile_mode '{self.compile_mode}' uses CUDA graphs: it needs a cuda "
                              f"device (got '{device}')")
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
            # A compile error must surface, never turn silently into eager execution.
            torch._dynamo.config.suppress_errors = False
            if self.cudagraphs:
                import inspect
                from transformers import StaticCache  # noqa: F401 - fail at load when absent
                self.max_cache_len = int(op.get("max_seq") or 0) or int(model.config.n_positions)
                self.takes_cache_position = "cache_position" in inspect.signature(model.forward).parameters
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
            desc += f" (mode={self.compile_mode}, dynamic={self.dynamic}"
            desc += (f", CUDA graphs, static KV cache of {self.max_cache_len} positions)"
                     if self.cudagraphs else ", dynamic KV cache)")
        if self.device.type == "cuda":
            desc += f" on {torch.cuda.get_device_name(self.device)}"
        else:
            desc += f" on cpu, {torch.get_num_threads()} threads"
        send({"msg": "ready", "protocol": PROTOCOL,
              "info": {"name": backend, "precision": precision, "device": str(self.device),
                       "library_versions": versions, "description": desc},
              "capabilities": {"stepwise": False, "logits_last": True, "logits_all": True,
                               "kv_cache": True, "greedy": offers_greedy(),
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

    def compile_counters(self):
        """torch.compile's own counters (process-wide; compared before/after a sample)."""
        c = {"unique_graphs": 0, "graph_breaks": 0, "cudagraph_skips": 0}
        if self.mode != "compile":
            return c
        from torch._dynamo.utils import counters
        c["unique_graphs"] = int(counters["stats"].get("unique_graphs", 0))
        c["graph_breaks"] = int(sum(counters["graph_break"].values()))
        c["cudagraph_skips"] = int(counters["inductor"].get("cudagraph_skips", 0))
        return c

    def static_cache(self, batch):
        """The StaticCache for this batch size, empty.  Created once per batch size and
        initialized eagerly (outside torch.compile) so that its buffers are marked as static
        addresses, which CUDA-graph replay needs; later samples reset() it in place."""
        cache = self.static_caches.get(batch)
        if cache is not None:
            cache.reset()
            return cache
        import inspect
        from transformers import StaticCache
        model = self.model
        params = inspect.signature(StaticCache.__init__).parameters
        kw = {"config": model.config, "max_cache_len": self.max_cache_len}
        for name, value in (("max_batch_size", batch), ("batch_size", batch),
                            ("device", self.device), ("dtype", model.dtype)):
            if name in params:
                kw[name] = value
        cache = StaticCache(**kw)
        cfg = model.config
        # Older transformers allocate in the constructor (then with the device/dtype above).
        if hasattr(cache, "early_initialization"):
            cache.early_initialization(batch, int(cfg.n_head), int(cfg.n_embd) // int(cfg.n_head),
                                       model.dtype, self.device)
        self.static_caches[batch] = cache
        return cache

    def forward(self, ids, cache, cache_position):
        """One model call on the timed path; returns the greedy next token of every row, on the
        host.  In CUDA-graph mode the call is marked as a new cudagraph step and its output is
        consumed (argmax, copied to the host) before anything else runs, so no graph output is
        read after a later replay overwrote it."""
        kwargs = {"input_ids": ids, "past_key_values": cache, "use_cache": True, "logits_to_keep": 1}
        if cache_position is not None:
            if self.takes_cache_position:
                kwargs["cache_position"] = cache_position
            else:   # the model derives positions from the cache; give them explicitly
                kwargs["position_ids"] = cache_position.unsqueeze(0).expand(ids.shape[0], -1)
        if self.cudagraphs:
            self.torch.compiler.cudagraph_mark_step_begin()
        out = self.call(**kwargs)
        host = out.logits[:, -1, :].argmax(dim=-1).tolist()   # the tokens are on the host here
        return host, out.past_key_values

    # ---------------------------------------------------------------- timing
    def time_sample(self, ids, new_tokens, decode_phase):
        torch = self.torch
        batch, seq = int(ids.shape[0]), int(ids.shape[1])
        if self.cudagraphs:
            if seq + (new_tokens if decode_phase else 0) > self.max_cache_len:
                raise ValueError(f"S + N = {seq + new_tokens} exceeds the static cache of "
                                 f"{self.max_cache_len} positions (load op max_seq)")
            cache = self.static_cache(batch)
            positions = torch.arange(seq, device=self.device)
        else:
            from transformers import DynamicCache
            cache = DynamicCache()
            positions = None
        self.sync()
        t0 = time.perf_counter_ns()
        host, past = self.forward(ids, cache, positions)
        self.sync()
        t1 = time.perf_counter_ns()
        prefill_ms = (t1 - t0) / 1e6
        steps = []
        produced = len(host)
        if decode_phase:
            for i in range(new_tokens - 1):
                self.sync()
                s0 = time.perf_counter_ns()
                feed = torch.tensor(host, dtype=torch.long, device=self.device).unsqueeze(1)
                pos = (torch.tensor([seq + i], dtype=torch.long, device=self.device)
                       if self.cudagraphs else None)
                host, past = self.forward(feed, past, pos)
                self.sync()
                s1 = time.perf_counter_ns()
                steps.append((s1 - s0) / 1e6)
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
        if self.cudagraphs and warmup < 2:
            # cudagraph trees run a new shape once un-recorded, record it on the next call and
            # replay from then on; the prefill shape occurs once per sample, so its recording
            # would land in the first measured sample.
            raise ValueError(f"transformers-compile mode {self.compile_mode} needs warmup >= 2: "
                             "CUDA-graph recording would otherwise be timed as inference")
        ids = torch.tensor(prompt, dtype=torch.long, device=self.device)
        compiling = self.mode == "compile"
        if compiling:
            import torch._dynamo as dynamo
        cell_start = self.compile_counters()
        compile_ms = 0.0
        for i in range(warmup + reps):
            is_warmup = i < warmup
            index = i if is_warmup else i - warmup
            if compiling:
                # Compilation is allowed during warmups only.
                dynamo.config.error_on_recompile = not is_warmup
            before = self.compile_counters()
            w0 = time.perf_counter()
            try:
                prefill_ms, steps, produced = self.time_sample(ids, n, phase == "decode")
            except Exception as e:  # noqa: BLE001 - classified, reported with its type
                status, text = classify_failure(e, self.compile_mode, not is_warmup)
                traceback.print_exc(file=sys.stderr)
                raise CellFailure(status, text)
            finally:
                if compiling:
                    dynamo.config.error_on_recompile = False
            if is_warmup and compiling:
                compile_ms += (time.perf_counter() - w0) * 1000.0
            reason = compile_check(self.mode, self.compile_mode, not is_warmup, before,
                                   self.compile_counters())
            if reason:
                raise CellFailure("failed", reason)
            msg = {"msg": "sample", "cell_id": cell_id, "sample": index, "warmup": is_warmup,
                   "prefill_ms": prefill_ms, "tokens": produced, "logits_mode": "last"}
            if phase == "decode":
                msg["decode_step_ms"] = steps
            send(msg)
        done = {"msg": "cell_done", "cell_id": cell_id, "peak_rss_bytes": peak_rss_bytes(),
                "peak_device_bytes": self.peak_device_bytes()}
        if compiling:
            end = self.compile_counters()
            done["compile"] = {"mode": self.compile_mode, "cuda_graphs": self.cudagraphs,
                               "kv_cache": "static" if self.cudagraphs else "dynamic",
                               "static_cache_positions": self.max_cache_len if self.cudagraphs else None,
                               "warmup_ms_total": compile_ms,
                               "graphs_compiled": end["unique_graphs"] - cell_start["unique_graphs"],
                               "graph_breaks": end["graph_breaks"] - cell_start["graph_breaks"],
                               "cudagraph_skips": end["cudagraph_skips"] - cell_start["cudagraph_skips"],
                               "graphs_total": end["unique_graphs"]}
        send(done)

    # ---------------------------------------------------------------- accuracy
    def accuracy_call(self):
        """The forward used by the accuracy ops.  Eager: the model itself.  Compile: the same
        compiled kernels as the timed path (same mode and `dynamic`), without CUDA graphs
        (replaying a graph does not change its kernels' arithmetic, and recording one graph per
        accuracy shape would hold gigabytes of graph-pool memory)."""
        if self.mode != "compile":
            return self.model
        if self.logits_call is None:
            plain = "default" if self.compile_mode == "reduce-overhead" else (
                "max-autotune-no-cudagraphs" if self.compile_mode == "max-autotune" else self.compile_mode)
            self.logits_call = self.torch.compile(self.model, mode=plain, dynamic=self.dynamic)
        return self.logits_call

    def timed_op(self, what, fn):
        """Runs one accuracy op and logs its wall time and new graphs to stderr (the worker log)."""
        before = self.compile_counters() if self.mode == "compile" else None
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            after = self.compile_counters() if self.mode == "compile" else None
            print("transformers_worker: " + op_log_line(what, (time.perf_counter() - t0) * 1000.0, before, after),
                  file=sys.stderr, flush=True)

    def generate(self, op):
        """Greedy continuation (accuracy, never timed): prefill the prompt with a fresh
        DynamicCache, then N - 1 one-token steps; the token fed at step i is forced[b][i] when the
        op carries `forced` (teacher forcing), else the previous greedy choice.  Replies
        `generated` with [B][N] tokens: the argmax after the prompt and after each fed token."""
        batch = int(op["batch"])
        seq = int(op["prompt_len"])
        n = int(op["new_tokens"])
        if batch < 1 or seq < 1 or n < 1:
            raise ValueError("generate: batch, prompt_len and new_tokens must be positive")
        tokens = op["tokens"]
        if len(tokens) != batch or any(len(r) != seq for r in tokens):
            raise ValueError(f"generate: tokens must be {batch} rows of {seq} ids")
        forced = op.get("forced")
        if forced is not None and (len(forced) != batch or any(len(r) != n - 1 for r in forced)):
            raise ValueError(f"generate: forced must be null or {batch} rows of {n - 1} ids")

        def work():
            torch = self.torch
            from transformers import DynamicCache
            call = self.accuracy_call()
            ids = torch.tensor(tokens, dtype=torch.long, device=self.device)
            out = call(input_ids=ids, past_key_values=DynamicCache(), use_cache=True, logits_to_keep=1)
            host = out.logits[:, -1, :].argmax(dim=-1).tolist()
            generated = [[t] for t in host]
            past = out.past_key_values
            for i in range(n - 1):
                feed = [row[i] for row in forced] if forced is not None else host
                ids = torch.tensor(feed, dtype=torch.long, device=self.device).unsqueeze(1)
                out = call(input_ids=ids, past_key_values=past, use_cache=True, logits_to_keep=1)
                host = out.logits[:, -1, :].argmax(dim=-1).tolist()
                past = out.past_key_values
                for row, t in zip(generated, host):
                    row.append(t)
            return generated

        generated = self.timed_op(f"generate batch={batch} prompt_len={seq} new_tokens={n} "
                                  f"{'teacher-forced' if forced is not None else 'free-running'}", work)
        send({"msg": "generated", "tokens": generated})

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
        path = op["out"]
        rows = batch * (seq if mode == "all" else 1)

        def work():   # accuracy path, never timed: whole sequences, no KV cache
            ids = torch.tensor(tokens, dtype=torch.long, device=self.device)
            out = self.accuracy_call()(input_ids=ids, use_cache=False,
                                       logits_to_keep=0 if mode == "all" else 1)
            values = out.logits.float().contiguous().cpu()
            if mode == "last":
                values = values[:, -1, :]
            data = values.numpy().astype("<f4").tobytes()
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            tmp = path + f".tmp.{os.getpid()}"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
            sha = hashlib.sha256(data).hexdigest()
            side = {"schema": LOGITS_SCHEMA, "dtype": "float32", "byte_order": "little",
                    "rows": rows, "vocab": self.vocab, "batch": batch, "seq": seq, "mode": mode,
                    "sha256": sha}
            with open(tmp, "w") as f:
                json.dump(side, f, indent=2)
                f.write("\n")
            os.replace(tmp, path + ".json")
            return sha

        sha = self.timed_op(f"logits batch={batch} seq={seq} mode={mode}", work)
        send({"msg": "logits", "out": path, "rows": rows, "vocab": self.vocab, "sha256": sha})


def main():
    claim_stdout()
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
            elif kind == "generate":
                if not offers_greedy():
                    raise ValueError("generate: withheld (SCALEBENCH_WORKER_NO_GREEDY is set)")
                w.generate(op)
            else:
                raise ValueError(f"unknown op '{kind}'")
        except Unsupported as e:
            send({"msg": "error", "cell_id": cell_id, "status": "unsupported", "error": str(e)})
            if not loaded:
                return 0
        except CellFailure as e:
            send({"msg": "error", "cell_id": cell_id, "status": e.status, "error": e.text[:4000]})
            return 3 if e.status == "oom" else 2
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
