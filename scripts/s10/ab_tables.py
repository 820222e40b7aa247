#!/usr/bin/env python3
"""Markdown A/B tables from study folders' stats.json (docs/studies/native-ab-s10/README.md).
Usage: ab_tables.py ROOT MODEL PHASE BASE1 BASE2 NEW [EXTRA]
Cells: "BASE1 / BASE2 -> NEW" means in us; bold when NEW's 95% CI of the mean lies entirely below
both base runs' CIs, italic when entirely above both; EXTRA (optional) is shown first as "EXTRA |".
With one base run, name it twice (BASE1 = BASE2): cells are "BASE -> NEW"."""
import json, sys
root, model, phase, b1, b2, new = sys.argv[1:7]
extra = sys.argv[7] if len(sys.argv) > 7 else None
metric = "tpot_ms" if phase == "decode" else "prefill_latency_ms"
scen = ["single_micro", "single_short", "single_medium", "single_long", "batch_short", "batch_medium"]
precs = ["fp32", "fp16", "bf16", "int8", "fp8"]
def load(run):
    out = {}
    for c in json.load(open(f"{root}/{run}/stats.json"))["cells"]:
        k = c["cell"]
        if k["model"] != model or k["phase"] != phase or not c.get("has_numbers"):
            continue
        m = c["metrics"][metric]
        out[(k["precision"], k["scenario"])] = (m["mean"] * 1000, m["mean_ci95"]["low"] * 1000, m["mean_ci95"]["high"] * 1000)
    return out
runs = {r: load(r) for r in [b1, b2, new] + ([extra] if extra else [])}
print("| precision | " + " | ".join(s.replace("_", "\\_") for s in scen) + " |")
print("|---|" + "---|" * len(scen))
counts = {"faster": 0, "slower": 0, "overlap": 0}
for p in precs:
    row = []
    for s in scen:
        try:
            x1, x2, y = runs[b1][(p, s)], runs[b2][(p, s)], runs[new][(p, s)]
        except KeyError:
            row.append("failed / missing"); continue
        t = f"{y[0]:.1f}"
        if y[2] < min(x1[1], x2[1]): t = f"**{t}**"; counts["faster"] += 1
        elif y[1] > max(x1[2], x2[2]): t = f"_{t}_"; counts["slower"] += 1
        else: counts["overlap"] += 1
        pre = f"{runs[extra][(p, s)][0]:.1f} \\| " if extra else ""
        base = f"{x1[0]:.1f}" if b1 == b2 else f"{x1[0]:.1f} / {x2[0]:.1f}"  # one base run: BASE1 = BASE2
        row.append(f"{pre}{base} -> {t}")
    print(f"| {p} | " + " | ".join(row) + " |")
print(f"\n({counts['faster']} faster, {counts['slower']} slower, {counts['overlap']} overlapping)")
