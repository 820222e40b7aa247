#!/usr/bin/env python3
"""CI tests of workers/transformers_worker.py that need no torch (issue 8):
  - classify_failure(): recompiles while timed, the recompile limit, the CUDA-graph overwrite
    error and OOM become the protocol's failed/oom with a reason naming them;
  - compile_check(): a new graph while timed, no graph at all (eager fallback) and skipped CUDA
    graphs in reduce-overhead mode are reasons to fail the cell; nothing else is;
  - the protocol loop without torch: load answers `unsupported` naming the missing package, and
    a bad compile_mode or a malformed line is reported, never a crash;
  - the timing loop (Worker.run / time_sample) against a scripted fake of torch and the model:
    CUDA-graph mode marks a cudagraph step before every call, reuses and resets one static cache
    per batch size, gives positions 0..S-1 then S, S+1, ...; decode feeds back the previous
    tokens; the sample/cell_done messages carry N - 1 step times and B*N tokens; a new graph
    while timed, no graph at all, and skipped CUDA graphs fail the cell.
Run: python3 tests/workers/test_transformers_worker.py  (ctest runs it as workers_python)."""
import importlib.util
import json
import os
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKER = os.path.join(ROOT, "workers", "transformers_worker.py")

spec = importlib.util.spec_from_file_location("transformers_worker", WORKER)
tw = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tw)


def exc(name, text):
    return type(name, (Exception,), {})(text)


def counters(graphs=1, breaks=0, skips=0):
    return {"unique_graphs": graphs, "graph_breaks": breaks, "cudagraph_skips": skips}


class ClassifyFailure(unittest.TestCase):
    def test_cudagraph_overwrite_is_named(self):
        e = exc("RuntimeError", "Error: accessing tensor output of CUDAGraphs that has been "
                                "overwritten by a subsequent run. Stack trace: ...\nmore")
        status, text = tw.classify_failure(e, "reduce-overhead", timed=False)
        self.assertEqual(status, "failed")
        self.assertIn("CUDA-graph output overwritten by a subsequent run", text)
        self.assertIn("mode=reduce-overhead", text)
        self.assertNotIn("more", text, "only the first line of torch's message")

    def test_recompile_while_timed(self):
        e = exc("RecompileError", "Recompiling function forward in modeling_gpt2.py\n triggered by")
        self.assertEqual(tw.classify_failure(e, "default", timed=True),
                         ("failed", "recompiled during a timed sample (RecompileError: Recompiling "
                                    "function forward in modeling_gpt2.py)"))
        # The same exception during a warmup is not called a timed recompile.
        status, text = tw.classify_failure(e, "default", timed=False)
        self.assertEqual(status, "failed")
        self.assertNotIn("timed sample", text)

    def test_recompile_limit(self):
        e = exc("FailOnRecompileLimitHit", "recompile_limit reached with fullgraph=False")
        status, text = tw.classify_failure(e, "default", timed=False)
        self.assertEqual(status, "failed")
        self.assertIn("recompile limit", text)
        self.assertIn("fallen back to eager", text)

    def test_oom(self):
        self.assertEqual(tw.classify_failure(exc("OutOfMemoryError", "CUDA out of memory. Tried"), None, True)[0],
                         "oom")

    def test_eager_errors_keep_their_text(self):
        e = ValueError("overwritten by a subsequent run")   # eager: no CUDA graphs to blame
        self.assertEqual(tw.classify_failure(e, None, True),
                         ("failed", "ValueError: overwritten by a subsequent run"))


class CompileCheck(unittest.TestCase):
    def test_eager_is_never_checked(self):
        self.assertIsNone(tw.compile_check("eager", None, True, counters(0), counters(0)))

    def test_clean_samples_pass(self):
        self.assertIsNone(tw.compile_check("compile", "default", True, counters(3), counters(3)))
        # Compiling during a warmup is what warmups are for.
        self.assertIsNone(tw.compile_check("compile", "default", False, counters(0), counters(2)))
        self.assertIsNone(tw.compile_check("compile", "reduce-overhead", True, counters(2), counters(2)))

    def test_new_graph_while_timed(self):
        r = tw.compile_check("compile", "default", True, counters(3), counters(4))
        self.assertIn("1 new graph(s) during a timed sample", r)

    def test_no_graph_is_eager_fallback(self):
        r = tw.compile_check("compile", "default", False, counters(0), counters(0))
        self.assertIn("eager fallback", r)

    def test_cudagraph_skips(self):
        r = tw.compile_check("compile", "reduce-overhead", False, counters(1, skips=0), counters(2, skips=1))
        self.assertIn("CUDA graphs were skipped 1 time(s) in mode reduce-overhead", r)
        # Skips are irrelevant where no CUDA graphs were asked for.
        self.assertIsNone(tw.compile_check("compile", "default", False, counters(1), counters(2, skips=1)))

    def test_modes(self):
        self.assertTrue(tw.COMPILE_MODES["reduce-overhead"])
        self.assertFalse(tw.COMPILE_MODES["default"])


def run_worker(lines, python_args=("-S",)):
    """Runs the worker with `python -S` (no site-packages: no torch even where it is installed)."""
    p = subprocess.run([sys.executable, *python_args, WORKER], input="".join(l + "\n" for l in lines),
                       capture_output=True, text=True, timeout=60)
    return p.returncode, [json.loads(l) for l in p.stdout.splitlines() if l.strip()], p.stderr


LOAD = {"op": "load", "protocol": "scalebench.worker/1", "backend": "transformers-compile",
        "model_id": "m", "model_spec": "/nonexistent", "precision": "fp32", "device": "cpu",
        "options": {}}


class Protocol(unittest.TestCase):
    def test_missing_torch_is_unsupported(self):
        rc, msgs, _ = run_worker([json.dumps(LOAD)])
        self.assertEqual(rc, 0)
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["msg"], "error")
        self.assertEqual(msgs[0]["status"], "unsupported")
        self.assertIn("python package missing", msgs[0]["error"])

    def test_bad_compile_mode_is_unsupported(self):
        load = dict(LOAD, options={"compile_mode": "fastest"})
        rc, msgs, _ = run_worker([json.dumps(load)])
        self.assertEqual(msgs[0]["status"], "unsupported")
        self.assertIn("compile_mode 'fastest' is not one of", msgs[0]["error"])

    def test_malformed_line_and_wrong_protocol(self):
        rc, msgs, _ = run_worker(["not json"])
        self.assertEqual(rc, 2)
        self.assertEqual(msgs[0]["status"], "failed")
        self.assertIn("malformed protocol line", msgs[0]["error"])
        rc, msgs, _ = run_worker([json.dumps(dict(LOAD, protocol="other/9"))])
        self.assertIn("is not 'scalebench.worker/1'", msgs[0]["error"])

    def test_run_before_load(self):
        rc, msgs, _ = run_worker([json.dumps({"op": "run", "cell_id": "c"})])
        self.assertEqual(msgs[0]["cell_id"], "c")
        self.assertIn("'run' before load", msgs[0]["error"])

    def test_only_protocol_lines_on_stdout(self):
        rc, msgs, err = run_worker([json.dumps(LOAD), json.dumps({"op": "shutdown"})])
        for m in msgs:
            self.assertIn("msg", m)



# ---------------------------------------------------------------- scripted fakes of torch
import collections
import io
import types


class FakeTensor:
    def __init__(self, data):
        self.data = data

    @property
    def shape(self):
        return (len(self.data), len(self.data[0])) if self.data and isinstance(self.data[0], list) else (len(self.data),)

    def unsqueeze(self, dim):
        assert dim in (0, 1)
        return FakeTensor([self.data] if dim == 0 else [[x] for x in self.data])

    def expand(self, *shape):
        return self


class FakeArgmax:
    def __init__(self, rows):
        self.rows = rows

    def argmax(self, dim):
        return types.SimpleNamespace(tolist=lambda: list(self.rows))


class FakeLogits:
    def __init__(self, next_tokens):
        self.next_tokens = next_tokens

    def __getitem__(self, index):   # logits[:, -1, :]
        return FakeArgmax(self.next_tokens)


class FakeCache:
    def __init__(self):
        self.resets = 0

    def reset(self):
        self.resets += 1


class FakeTorch:
    long = "long"

    def __init__(self, events):
        self.events = events
        self.cuda = types.SimpleNamespace(synchronize=lambda d: events.append(("sync",)),
                                          max_memory_allocated=lambda d: 1234)
        self.compiler = types.SimpleNamespace(cudagraph_mark_step_begin=lambda: events.append(("mark",)))

    def tensor(self, data, dtype=None, device=None):
        return FakeTensor(data)

    def arange(self, n, device=None):
        return FakeTensor(list(range(n)))


class FakeModel:
    """Next token = last input token + 1 per row; records every call; can bump torch.compile's
    counters on a chosen call to imitate a recompile or a skipped CUDA graph."""

    def __init__(self, events, counters, bump_on_call=None, bump=None):
        self.events, self.counters, self.calls = events, counters, 0
        self.bump_on_call, self.bump = bump_on_call, bump or {}

    def __call__(self, input_ids, past_key_values, use_cache, logits_to_keep, cache_position=None, **kw):
        self.calls += 1
        if self.calls == self.bump_on_call:
            for (group, key), v in self.bump.items():
                self.counters[group][key] += v
        pos = cache_position.data if cache_position is not None else None
        self.events.append(("call", [list(r) for r in input_ids.data], pos))
        nxt = [row[-1] + 1 for row in input_ids.data]
        return types.SimpleNamespace(logits=FakeLogits(nxt), past_key_values=past_key_values)


class TimingLoop(unittest.TestCase):
    def setUp(self):
        self.events = []
        self.counters = collections.defaultdict(collections.Counter)
        self.counters["stats"]["unique_graphs"] = 0
        dynamo_config = types.SimpleNamespace(error_on_recompile=False)
        fake_modules = {
            "transformers": types.SimpleNamespace(DynamicCache=FakeCache),
            "torch": types.SimpleNamespace(),
            "torch._dynamo": types.SimpleNamespace(config=dynamo_config),
            "torch._dynamo.utils": types.SimpleNamespace(counters=self.counters),
        }
        self.saved = {k: sys.modules.get(k) for k in fake_modules}
        sys.modules.update(fake_modules)
        sys.modules["torch"]._dynamo = fake_modules["torch._dynamo"]
        self.out = io.StringIO()
        self.saved_proto = tw._proto
        tw._proto = self.out
        self.saved_stderr = sys.stderr
        sys.stderr = io.StringIO()     # the worker prints tracebacks of failed cells there

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
        tw._proto = self.saved_proto
        sys.stderr = self.saved_stderr

    def worker(self, mode, compile_mode=None, **model_kw):
        w = tw.Worker()
        w.torch = FakeTorch(self.events)
        w.device = types.SimpleNamespace(type="cuda")
        w.mode, w.compile_mode = mode, compile_mode
        w.cudagraphs = bool(compile_mode and tw.COMPILE_MODES[compile_mode])
        w.max_cache_len = 48
        w.call = FakeModel(self.events, self.counters, **model_kw)
        return w

    def messages(self):
        return [json.loads(l) for l in self.out.getvalue().splitlines()]

    def run_op(self, w, batch=2, seq=4, n=5, warmup=1, reps=2, phase="decode"):
        prompt = [[10 * (b + 1) + i for i in range(seq)] for b in range(batch)]
        w.run({"cell_id": "c", "batch": batch, "prompt_len": seq, "new_tokens": n, "warmup": warmup,
               "repetitions": reps, "phase": phase, "prompt": prompt})
        return prompt

    def test_cuda_graph_decode_loop(self):
        w = self.worker("compile", "reduce-overhead")
        cache = FakeCache()
        w.static_caches[2] = cache       # as static_cache() would have built it eagerly
        self.counters["stats"]["unique_graphs"] = 2   # compiled earlier (warmup of another cell)
        prompt = self.run_op(w, batch=2, seq=4, n=5, warmup=2, reps=2)
        calls = [e for e in self.events if e[0] == "call"]
        self.assertEqual(len(calls), 4 * 5, "four samples of one prefill + N - 1 decode steps")
        # Every call is preceded by a cudagraph step mark.
        for i, e in enumerate(self.events):
            if e[0] == "call":
                self.assertEqual(self.events[i - 1], ("mark",), i)
        first = calls[:5]
        self.assertEqual(first[0][1], prompt)
        self.assertEqual(first[0][2], [0, 1, 2, 3])
        for step in range(1, 5):
            self.assertEqual(first[step][2], [4 + step - 1], "decode position S + i")
            expected = [[prompt[b][-1] + step] for b in range(2)]
            self.assertEqual(first[step][1], expected, "the previous step's tokens are fed back")
        self.assertEqual(cache.resets, 4, "one static cache per batch size, reset for every sample")
        msgs = self.messages()
        self.assertEqual([m["msg"] for m in msgs], ["sample"] * 4 + ["cell_done"])
        self.assertEqual([(m["warmup"], m["sample"]) for m in msgs[:4]],
                         [(True, 0), (True, 1), (False, 0), (False, 1)])
        for m in msgs[:4]:
            self.assertEqual(len(m["decode_step_ms"]), 4)
            self.assertEqual(m["tokens"], 2 * 5)
        done = msgs[4]["compile"]
        self.assertEqual(done["mode"], "reduce-overhead")
        self.assertTrue(done["cuda_graphs"])
        self.assertEqual(done["kv_cache"], "static")
        self.assertEqual(done["static_cache_positions"], 48)
        self.assertEqual(done["graphs_compiled"], 0)

    def test_static_cache_is_built_once_per_batch_and_initialized_eagerly(self):
        made = []

        class StaticCache(FakeCache):   # transformers 5 signature: no batch/device/dtype
            def __init__(self, config, max_cache_len, offloading=False):
                super().__init__()
                made.append(("new", max_cache_len))

            def early_initialization(self, batch_size, num_heads, head_dim, dtype, device):
                made.append(("init", batch_size, num_heads, head_dim, dtype))
        sys.modules["transformers"].StaticCache = StaticCache
        w = self.worker("compile", "reduce-overhead")
        w.model = types.SimpleNamespace(config=types.SimpleNamespace(n_head=12, n_embd=768), dtype="fp16")
        a = w.static_cache(4)
        b = w.static_cache(4)
        c = w.static_cache(1)
        self.assertIs(a, b)
        self.assertIsNot(a, c)
        self.assertEqual(made, [("new", 48), ("init", 4, 12, 64, "fp16"), ("new", 48), ("init", 1, 12, 64, "fp16")])
        self.assertEqual(a.resets, 1, "the second request resets the existing cache")

    def test_cuda_graphs_need_two_warmups(self):
        w = self.worker("compile", "reduce-overhead")
        with self.assertRaises(ValueError) as ctx:
            self.run_op(w, warmup=1)
        self.assertIn("needs warmup >= 2", str(ctx.exception))
        self.assertEqual(self.events, [], "nothing ran")

    def test_static_cache_too_small(self):
        w = self.worker("compile", "reduce-overhead")
        w.static_caches[1] = FakeCache()
        self.counters["stats"]["unique_graphs"] = 1
        with self.assertRaises(tw.CellFailure) as ctx:
            self.run_op(w, batch=1, seq=40, n=10, warmup=2)
        self.assertIn("exceeds the static cache of 48 positions", ctx.exception.text)

    def test_eager_prefill_uses_a_fresh_dynamic_cache_and_no_marks(self):
        w = self.worker("eager")
        self.run_op(w, batch=1, seq=3, n=2, warmup=0, reps=2, phase="prefill")
        calls = [e for e in self.events if e[0] == "call"]
        self.assertEqual(len(calls), 2)
        self.assertNotIn(("mark",), self.events)
        self.assertIsNone(calls[0][2], "no cache_position outside CUDA-graph mode")
        msgs = self.messages()
        self.assertNotIn("decode_step_ms", msgs[0])
        self.assertEqual(msgs[0]["tokens"], 1)
        self.assertNotIn("compile", msgs[-1])

    def test_new_graph_while_timed_fails_the_cell(self):
        # Call 1 is the warmup's prefill (compiles), call 6 is inside the first measured sample.
        w = self.worker("compile", "default", bump_on_call=6, bump={("stats", "unique_graphs"): 1})
        self.counters["stats"]["unique_graphs"] = 1
        with self.assertRaises(tw.CellFailure) as ctx:
            self.run_op(w, n=5)
        self.assertIn("1 new graph(s) during a timed sample", ctx.exception.text)
        msgs = self.messages()
        self.assertEqual([m.get("warmup") for m in msgs], [True], "only the warmup sample was sent")

    def test_nothing_compiled_is_an_eager_fallback(self):
        w = self.worker("compile", "default")
        with self.assertRaises(tw.CellFailure) as ctx:
            self.run_op(w)
        self.assertIn("eager fallback", ctx.exception.text)
        self.assertEqual(self.messages(), [], "not even the warmup is reported as compiled")

    def test_skipped_cuda_graphs_fail_the_cell(self):
        w = self.worker("compile", "reduce-overhead", bump_on_call=1,
                        bump={("stats", "unique_graphs"): 1, ("inductor", "cudagraph_skips"): 1})
        w.static_caches[2] = FakeCache()
        with self.assertRaises(tw.CellFailure) as ctx:
            self.run_op(w, warmup=2)
        self.assertIn("CUDA graphs were skipped 1 time(s)", ctx.exception.text)

    def test_cudagraph_overwrite_is_classified(self):
        class Exploding(FakeModel):
            def __call__(self, *a, **k):
                if self.calls == 5:
                    raise RuntimeError("Error: accessing tensor output of CUDAGraphs that has been "
                                       "overwritten by a subsequent run.")
                return super().__call__(*a, **k)
        w = self.worker("compile", "reduce-overhead")
        w.call = Exploding(self.events, self.counters)
        w.static_caches[2] = FakeCache()
        self.counters["stats"]["unique_graphs"] = 1
        with self.assertRaises(tw.CellFailure) as ctx:
            self.run_op(w, n=3, warmup=2)
        self.assertEqual(ctx.exception.status, "failed")
        self.assertIn("CUDA-graph output overwritten by a subsequent run", ctx.exception.text)
        self.assertFalse(sys.modules["torch._dynamo"].config.error_on_recompile,
                         "recompile errors are switched off again after a failed sample")

if __name__ == "__main__":
    unittest.main(verbosity=2)
