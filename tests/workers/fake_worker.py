#!/usr/bin/env python3
"""A fake external worker for CI (no torch): speaks scalebench.worker/1 with made-up timings so
the runner's external-program path is exercised end to end, including misbehaviour.

Usage: fake_worker.py MODE   where MODE is
  ok         answers every op correctly (sleeps ~1 ms per step so timings are real time)
  crash      dies with SIGSEGV after the first measured sample of the first cell
  hang       stops answering (sleeps forever) after loading
  malformed  sends a line that is not JSON in the middle of a cell
  refuse     answers load with an `unsupported` error
The tokens it "generates" are (previous token + 1) mod vocab.
"""
import json
import os
import signal
import sys
import time

MODE = sys.argv[1] if len(sys.argv) > 1 else "ok"
out = sys.stdout


def send(m):
    out.write(json.dumps(m) + "\n")
    out.flush()


def main():
    vocab = 1000
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
            send({"msg": "ready", "protocol": "scalebench.worker/1",
                  "info": {"name": op.get("backend"), "precision": op.get("precision"),
                           "device": op.get("device"), "library_versions": {"fake": "1"},
                           "description": "fake worker (" + MODE + ")"},
                  "capabilities": {"stepwise": False, "logits_last": True, "logits_all": False,
                                   "kv_cache": True, "reports_device_memory": False, "max_batch": 0},
                  "load_ms": 1.0, "build_ms": None, "artifact": None, "model": {},
                  "config": {"vocab_size": vocab, "n_positions": 1024, "n_layer": 1, "n_head": 1,
                             "n_embd": 4},
                  "peak_rss_bytes": None, "peak_device_bytes": None})
            if MODE == "hang":
                while True:
                    time.sleep(3600)
            continue
        if kind == "run":
            reps, warm = op["repetitions"], op.get("warmup", 0)
            n, batch = op["new_tokens"], op["batch"]
            for i in range(warm + reps):
                if MODE == "malformed" and i == warm + 1:
                    out.write("this is not json\n")
                    out.flush()
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
