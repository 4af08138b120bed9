"""Slopes per task from a ``bench.memprobe`` result.

``python -m bench.memprobe_analyze result.json``
"""

import json
import sys
from pathlib import Path

r = json.loads(Path(sys.argv[1]).read_text())
T = r["tasks"]
if len(T) < 3:
    sys.exit("slopes need a run of at least 3 batches (--batches 3)")


def slope(xs, ys):
    n = len(xs)
    mx = sum(xs) / n
    my = sum(ys) / n
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


for side in ("sched", "client"):
    L = r[side]
    print(f"===== {side}")
    for i, x in enumerate(L):
        pm = x["pymalloc"]
        mi = x["mallinfo"]
        print(
            f"tasks={T[i]:7d} rss={x['rss'] / 2**20:7.1f} blocks={x['blocks']:8d} "
            f"gcobj={x['n_gc_objects']:7d} "
            f"pym_alloc={pm.get('bytes in allocated blocks', 0) / 2**20:6.1f} "
            f"pym_avail={pm.get('bytes in available blocks', 0) / 2**20:5.1f} "
            f"arenas={pm.get('arenas allocated current')} "
            f"malloc_used={mi['uordblks'] / 2**20:6.1f} malloc_free={mi['fordblks'] / 2**20:6.1f} "
            f"mmap={mi['hblkhd'] / 2**20:5.1f} bslog={x['batched_logs_total_bytes'] / 2**20:5.1f} "
            f"tm={x.get('tm_current', 0) / 2**20:6.1f}"
        )
    xs = T[1:]
    for name, f in [
        ("rss", lambda x: x["rss"]),
        ("blocks", lambda x: x["blocks"]),
        ("gcobj", lambda x: x["n_gc_objects"]),
        ("pymalloc alloc bytes", lambda x: x["pymalloc"].get("bytes in allocated blocks", 0)),
        ("malloc uordblks", lambda x: x["mallinfo"]["uordblks"]),
        (
            "py total (pym+malloc)",
            lambda x: (
                x["pymalloc"].get("bytes in allocated blocks", 0)
                + x["mallinfo"]["uordblks"]
                + x["mallinfo"]["hblkhd"]
            ),
        ),
        ("bslog deep bytes", lambda x: x["batched_logs_total_bytes"]),
        ("tracemalloc", lambda x: x.get("tm_current", 0)),
    ]:
        print(f"  slope(batches 2..) {name}: {slope(xs, [f(x) for x in L[1:]]):.1f} /task")
    last = L[-1]
    print("  type_growth:", last["type_growth"][:12])
    print("  size_growth:", last["size_growth"][:20])
    print("  batched logs:", json.dumps(last["batched_logs"])[:1500])
    for k in ("tm_lineno",):
        if k in last:
            print("  tracemalloc top (vs first batch):")
            for s in last[k][:20]:
                print("    ", s)
    if "tm_traceback" in last:
        for s in last["tm_traceback"][:5]:
            print("   TB", s[0], s[1])
            [print("        ", f) for f in s[2]]
ft = r.get("final_trim")
if ft:
    for side in ("sched", "client"):
        x = ft[side]
        print(
            side,
            "final trim rss",
            x["rss"] / 2**20,
            "->",
            x["rss_after_trim"] / 2**20,
            "malloc free before",
            x["mallinfo"]["fordblks"] / 2**20,
            "after",
            x["mallinfo_after_trim"]["fordblks"] / 2**20,
        )
