#!/usr/bin/env python3
# One line per kernel of an `ncu --section ...` text log: name, grid, duration, DRAM %, registers,
# shared memory, the block limits and occupancy (scripts/s10/xl-call*.sh).
import re, sys
want = {"Duration": "us", "DRAM Throughput": "dram%", "Registers Per Thread": "regs",
        "Dynamic Shared Memory Per Block": "dsmem", "Static Shared Memory Per Block": "ssmem",
        "Block Limit Registers": "limR", "Block Limit Shared Mem": "limS", "Block Limit Warps": "limW",
        "Theoretical Occupancy": "theo%", "Achieved Occupancy": "ach%", "Memory Throughput": "mem%"}
for path in sys.argv[1:]:
    rows, cur = [], None
    for line in open(path, errors="replace"):
        m = re.match(r"^  (\S.*?) \((\d+), 1, 1\)x\((\d+), 1, 1\)", line)
        if m:
            name = m.group(1)
            t = re.search(r"gemv3_kernel<(.*?)>\(", name)
            if t:
                a = [x.strip() for x in t.group(1).split(",")]
                name = "gemv F%s M%s %s V%s" % (a[0], a[1], a[2].split("::")[-1], a[-1] if len(a) > 4 else "?")
            else:
                name = re.sub(r"<.*", "", name.split("(")[0]).split("::")[-1]
            cur = {"name": name[:34], "grid": m.group(2), "blk": m.group(3)}
            rows.append(cur)
            continue
        if cur is None: continue
        for k, short in want.items():
            if line.strip().startswith(k + " ") and short not in cur:
                cur[short] = line.split()[-1]
    print("##", path)
    cols = ["grid", "us", "dram%", "regs", "dsmem", "ssmem", "limR", "limS", "limW", "theo%", "ach%"]
    print("%-34s " % "kernel" + " ".join("%6s" % c for c in cols))
    for r in rows:
        print("%-34s " % r["name"] + " ".join("%6s" % r.get(c, "-")[:6] for c in cols))
