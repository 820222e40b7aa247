#!/usr/bin/env python3
"""CI tests (no torch) of workers/transformers_worker.py's accuracy ops:
  - `generate`: one prefill of the whole prompt with a fresh DynamicCache, then N - 1 one-token
    steps that pass the cache returned by the previous call; the fed token is the forced one
    (teacher forcing) or the previous greedy choice; every call asks for the last position only;
    the reply carries [B][N] tokens; bad shapes are refused before anything runs;
  - compile mode: the accuracy forward is compiled once, without CUDA graphs (reduce-overhead ->
    default), and reused by `generate` and `logits`; every accuracy op logs its wall time and the
    graphs compiled during it (op_log_line);
  - capabilities.greedy is declared unless SCALEBENCH_WORKER_NO_GREEDY is set; `generate` before
    `load` is an error, not a crash.
Run: python3 tests/accuracy/test_worker_greedy.py  (ctest runs it as accuracy_worker_python)."""
import collections
import importlib.util
import io
import json
import os
import subprocess
import sys
import types
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKER = os.path.join(ROOT, "workers", "transformers_worker.py")

spec = importlib.util.spec_from_file_location("transformers_worker", WORKER)
tw = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tw)

VOCAB = 97


class Tensor:
    def __init__(self, data):
        self.data = data

    def unsqueeze(self, dim):
        assert dim == 1
        return Tensor([[x] for x in self.data])


class Cache:
    """Stands in for DynamicCache: remembers every token it has seen, per row."""
    made = 0

    def __init__(self):
        Cache.made += 1
        self.rows = None


class Last:
    def __init__(self, rows):
        self.rows = rows

    def argmax(self, dim):
        assert dim == -1
        return types.SimpleNamespace(tolist=lambda: list(self.rows))


class Logits:
    def __init__(self, rows):
        self.rows = rows

    def __getitem__(self, index):   # logits[:, -1, :]
        assert index == (slice(None), -1, slice(None)), index
        return Last(self.rows)


class Model:
    """Next token = (sum of every token of the row so far, cache included) mod VOCAB, so a
    continuation is right only if the cache is threaded through the calls."""

    def __init__(self, counters=None, compile_on_calls=()):
        self.calls = []
        self.counters = counters
        self.compile_on_calls = compile_on_calls

    def __call__(self, input_ids, past_key_values=None, use_cache=None, logits_to_keep=None, **kw):
        self.calls.append({"shape": (len(input_ids.data), len(input_ids.data[0])), "cache": past_key_values,
                           "use_cache": use_cache, "logits_to_keep": logits_to_keep, "ids": input_ids.data})
        if self.counters is not None and len(self.calls) in self.compile_on_calls:
            self.counters["stats"]["unique_graphs"] += 1
        cache = past_key_values
        if cache.rows is None:
            cache.rows = [[] for _ in input_ids.data]
        for row, ids in zip(cache.rows, input_ids.data):
            row.extend(ids)
        return types.SimpleNamespace(logits=Logits([sum(r) % VOCAB for r in cache.rows]), past_key_values=cache)


def expected(prompts, n, forced=None):
    out = []
    for b, p in enumerate(prompts):
        seq, gen = list(p), []
        for i in range(n):
            t = sum(seq) % VOCAB
            gen.append(t)
            seq.append(forced[b][i] if forced is not None and i < n - 1 else t)
        out.append(gen)
    return out


class Generate(unittest.TestCase):
    def setUp(self):
        self.counters = collections.defaultdict(collections.Counter)
        self.compiled = []
        fake_torch = types.SimpleNamespace(
            long="long", tensor=lambda data, dtype=None, device=None: Tensor(data),
            compile=lambda model, mode=None, dynamic=None: self.compiled.append((mode, dynamic)) or model)
        fakes = {"transformers": types.SimpleNamespace(DynamicCache=Cache),
                 "torch._dynamo.utils": types.SimpleNamespace(counters=self.counters)}
        self.saved = {k: sys.modules.get(k) for k in fakes}
        sys.modules.update(fakes)
        self.out = io.StringIO()
        self.saved_proto, tw._proto = tw._proto, self.out
        self.saved_stderr, sys.stderr = sys.stderr, io.StringIO()
        self.torch = fake_torch

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
        tw._proto = self.saved_proto
        sys.stderr = self.saved_stderr

    def worker(self, mode="eager", compile_mode=None, model=None):
        w = tw.Worker()
        w.torch = self.torch
        w.device = types.SimpleNamespace(type="cuda")
        w.mode, w.compile_mode, w.dynamic = mode, compile_mode, None
        w.cudagraphs = bool(compile_mode and tw.COMPILE_MODES[compile_mode])
        w.model = model or Model()
        w.call = "the timed path's compiled model: never used by accuracy ops"
        return w

    def messages(self):
        return [json.loads(l) for l in self.out.getvalue().splitlines()]

    def test_free_running_threads_one_cache_through_one_prefill_and_n_minus_1_steps(self):
        w = self.worker()
        prompts = [[1, 2, 3, 4], [50, 60, 70, 80]]
        Cache.made = 0
        w.generate({"op": "generate", "batch": 2, "prompt_len": 4, "tokens": prompts, "new_tokens": 5, "forced": None})
        calls = w.model.calls
        self.assertEqual([c["shape"] for c in calls], [(2, 4)] + [(2, 1)] * 4)
        self.assertEqual(Cache.made, 1, "one fresh cache per request")
        self.assertTrue(all(c["cache"] is calls[0]["cache"] for c in calls), "the returned cache is passed on")
        self.assertTrue(all(c["use_cache"] is True and c["logits_to_keep"] == 1 for c in calls))
        msgs = self.messages()
        self.assertEqual(msgs, [{"msg": "generated", "tokens": expected(prompts, 5)}])
        # The free-running feed is the previous greedy choice.
        self.assertEqual(calls[1]["ids"], [[t[0]] for t in expected(prompts, 5)])

    def test_teacher_forcing_feeds_the_forced_tokens(self):
        w = self.worker()
        prompts = [[5, 6, 7], [8, 9, 10]]
        forced = [[11, 12, 13], [14, 15, 16]]
        w.generate({"op": "generate", "batch": 2, "prompt_len": 3, "tokens": prompts, "new_tokens": 4, "forced": forced})
        calls = w.model.calls
        self.assertEqual([c["ids"] for c in calls[1:]], [[[11], [14]], [[12], [15]], [[13], [16]]])
        got = self.messages()[0]["tokens"]
        self.assertEqual(got, expected(prompts, 4, forced))
        self.assertNotEqual(got, expected(prompts, 4), "forcing changes the continuation here")

    def test_one_new_token_is_the_prefill_only(self):
        w = self.worker()
        w.generate({"op": "generate", "batch": 1, "prompt_len": 2, "tokens": [[3, 4]], "new_tokens": 1, "forced": [[]]})
        self.assertEqual(len(w.model.calls), 1)
        self.assertEqual(self.messages()[0]["tokens"], [[7]])

    def test_bad_shapes_are_refused_before_anything_runs(self):
        w = self.worker()
        for op, text in [
            ({"batch": 2, "prompt_len": 2, "tokens": [[1, 2]], "new_tokens": 3}, "tokens must be 2 rows of 2 ids"),
            ({"batch": 1, "prompt_len": 2, "tokens": [[1, 2, 3]], "new_tokens": 3}, "tokens must be 1 rows of 2 ids"),
            ({"batch": 1, "prompt_len": 2, "tokens": [[1, 2]], "new_tokens": 3, "forced": [[1]]},
             "forced must be null or 1 rows of 2 ids"),
            ({"batch": 1, "prompt_len": 2, "tokens": [[1, 2]], "new_tokens": 0}, "must be positive"),
        ]:
            with self.assertRaises(ValueError) as ctx:
                w.generate(dict(op, op="generate"))
            self.assertIn(text, str(ctx.exception))
        self.assertEqual(w.model.calls, [])
        self.assertEqual(self.messages(), [])

    def test_compile_mode_compiles_once_without_cuda_graphs_and_logs_each_op(self):
        model = Model(self.counters, compile_on_calls=(1, 2, 3))   # prefill, first step, then dynamic
        w = self.worker("compile", "reduce-overhead", model)
        op = {"op": "generate", "batch": 1, "prompt_len": 3, "tokens": [[1, 2, 3]], "new_tokens": 4, "forced": None}
        w.generate(op)
        w.generate(op)
        self.assertEqual(self.compiled, [("default", None)], "one compiled forward, CUDA graphs off")
        log = sys.stderr.getvalue().splitlines()
        self.assertEqual(len(log), 2, log)
        self.assertRegex(log[0], r"^transformers_worker: generate batch=1 prompt_len=3 new_tokens=4 free-running: "
                                 r"[0-9.]+ ms, graphs compiled \+3 \(total 3\)$")
        self.assertRegex(log[1], r"graphs compiled \+0 \(total 3\)$")

    def test_eager_op_lines_carry_no_graph_counts(self):
        w = self.worker()
        w.generate({"op": "generate", "batch": 1, "prompt_len": 1, "tokens": [[1]], "new_tokens": 2, "forced": None})
        line = sys.stderr.getvalue().strip()
        self.assertRegex(line, r"^transformers_worker: generate batch=1 prompt_len=1 new_tokens=2 free-running: [0-9.]+ ms$")


class OpLogLine(unittest.TestCase):
    def test_counts(self):
        b = {"unique_graphs": 2, "graph_breaks": 0, "cudagraph_skips": 0}
        a = {"unique_graphs": 5, "graph_breaks": 1, "cudagraph_skips": 0}
        self.assertEqual(tw.op_log_line("logits batch=5 seq=256 mode=all", 41234.56, b, a),
                         "logits batch=5 seq=256 mode=all: 41234.6 ms, graphs compiled +3 (total 5), graph breaks +1")
        self.assertEqual(tw.op_log_line("x", 1.0, None, None), "x: 1.0 ms")


def run_worker(lines, env=None):
    p = subprocess.run([sys.executable, "-S", WORKER], input="".join(l + "\n" for l in lines), capture_output=True,
                       text=True, timeout=60, env=dict(os.environ, **(env or {})))
    return p.returncode, [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


class Protocol(unittest.TestCase):
    def test_capability_and_its_diagnostic_switch(self):
        saved = os.environ.pop("SCALEBENCH_WORKER_NO_GREEDY", None)
        try:
            self.assertTrue(tw.offers_greedy())
            os.environ["SCALEBENCH_WORKER_NO_GREEDY"] = "1"
            self.assertFalse(tw.offers_greedy())
        finally:
            os.environ.pop("SCALEBENCH_WORKER_NO_GREEDY", None)
            if saved is not None:
                os.environ["SCALEBENCH_WORKER_NO_GREEDY"] = saved

    def test_generate_before_load(self):
        rc, msgs = run_worker([json.dumps({"op": "generate", "batch": 1})])
        self.assertEqual(rc, 2)
        self.assertEqual(msgs[0]["status"], "failed")
        self.assertIn("'generate' before load", msgs[0]["error"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
