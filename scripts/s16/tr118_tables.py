#!/usr/bin/env python3
"""The "few numbers" tables of docs/studies/tr118/README.md, computed from a study folder's stats.json
(means of the measured samples, ms), so that nothing in the README is typed in by hand.

Usage: tr118_tables.py STUDY_DIR [OLD_STUDY_DIR]
With OLD_STUDY_DIR (e.g. the previous publication, `git show <commit>:docs/studies/tr118/stats.json`
extracted into a folder) a second set of tables gives new / old per cell for the native-cuda rows.
"""
import json
import sys

COLUMNS = [("prefill", "single_micro", "prefill 1x8"), ("prefill", "batch_medium", "prefill 4x64"),
           ("decode", "single_micro", "TPOT 1x8"), ("decode", "batch_medium", "TPOT 4x64")]
METRIC = {"prefill": "prefill_latency_ms", "decode": "tpot_ms"}
ROWS = [  # (label, backend, precision, options predicate)
    ("native-cuda fp16", "native-cuda", "fp16", None),
    ("native-cuda bf16", "native-cuda", "bf16", None),
    ("native-cuda int8", "native-cuda", "int8", None),
    ("native-cuda fp8", "native-cuda", "fp8", None),
    ("native-cuda fp32", "native-cuda", "fp32", None),
    ("onnxruntime-cuda fp32, CUDA graphs", "onnxruntime-cuda", "fp32", True),
    ("onnxruntime-cuda fp16, CUDA graphs", "onnxruntime-cuda", "fp16", True),
    ("onnxruntime-cuda fp32, no graphs", "onnxruntime-cuda", "fp32", False),
    ("onnxruntime-cuda fp16, no graphs", "onnxruntime-cuda", "fp16", False),
    ("transformers-compile fp32 (baseline)", "transformers-compile", "fp32", None),
    ("transformers-compile fp16", "transformers-compile", "fp16", None),
    ("transformers-eager fp32", "transformers-eager", "fp32", None),
    ("transformers-eager fp16", "transformers-eager", "fp16", None),
    ("native-cpu fp32 (16 cores)", "native-cpu", "fp32", None),
    ("onnxruntime-cpu fp32 (16 cores)", "onnxruntime-cpu", "fp32", None),
]


def load(folder):
    with open(f"{folder}/stats.json") as f:
        stats = json.load(f)
    table = {}
    for c in stats["cells"]:
        cell = c["cell"]
        graphs = bool(cell.get("options", {}).get("cuda_graphs", False))
        metric = METRIC[cell["phase"]]
        key = (cell["model"], cell["backend"], cell["precision"], graphs, cell["phase"], cell["scenario"])
        table[key] = c["metrics"][metric]["mean"] if c.get("has_numbers") else None
    return table


def fmt(v):
    if v is None:
        return "failed"
    return f"{v:.4f}" if v < 0.1 else f"{v:.3f}" if v < 10 else f"{v:.2f}"


def lookup(t, model, backend, prec, graphs, phase, scen):
    return t.get((model, backend, prec, bool(graphs), phase, scen))


def main():
    new = load(sys.argv[1])
    old = load(sys.argv[2]) if len(sys.argv) > 2 else None
    for model in ("gpt2", "tiny-gpt2"):
        print(f"| {model} configuration | " + " | ".join(c[2] for c in COLUMNS) + " |")
        print("|---|" + "---|" * len(COLUMNS))
        for label, backend, prec, graphs in ROWS:
            vals = [fmt(lookup(new, model, backend, prec, graphs, ph, sc)) for ph, sc, _ in COLUMNS]
            print(f"| {label} | " + " | ".join(vals) + " |")
        print()
    if old is None:
        return
    for model in ("gpt2", "tiny-gpt2"):
        print(f"| {model}: this run / previous publication | " + " | ".join(c[2] for c in COLUMNS) + " |")
        print("|---|" + "---|" * len(COLUMNS))
        for label, backend, prec, graphs in ROWS:
            cells = []
            for ph, sc, _ in COLUMNS:
                a = lookup(new, model, backend, prec, graphs, ph, sc)
                b = lookup(old, model, backend, prec, graphs, ph, sc)
                cells.append("-" if a is None or b is None else f"{fmt(a)} / {fmt(b)} ({a / b:.2f}x)")
            print(f"| {label} | " + " | ".join(cells) + " |")
        print()


if __name__ == "__main__":
    main()
