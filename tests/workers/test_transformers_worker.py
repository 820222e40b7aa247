#!/usr/bin/env python3
"""CI tests of workers/transformers_worker.py that need no torch (issue 8):
  - classify_failure(): recompiles while timed, the recompile limit, the CUDA-graph overwrite
    error and OOM become the protocol's failed/oom with a reason naming them;
  - compile_check(): a new graph while timed, no graph at all (eager fallback) and skipped CUDA
    graphs in reduce-overhead mode are reasons to fail the cell; nothing else is;
  - the protocol loop without torch: load answers `unsupported` naming the missing package, and
    a bad compile_mode or a malformed line is reported, never a crash.
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
