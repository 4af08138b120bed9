"""Runs in the benchmark process: which parts of the dashboard the kernel's CPU pays for.

``python -m bench.kernel_split [rounds] [runs]``: in a real IPython kernel
(:class:`.kernel.Kernel`) with a Client of a process cluster, the upstream
example workload (:data:`.kernel.WORKLOAD`) runs ``runs`` times per
condition, in rounds with the order rotated:

- ``none``: no dashboard;
- ``all``: ``client.dashboard()`` displayed, every view of the Status page drawing;
- ``no row charts``: the same with Progress, Memory use and the CPU/memory
  and network charts paused (their redraw throttles inactive, as on a hidden page);
- ``no figures``: the Task Stream paused as well; what is left is the
  poll, the models, the status line and the cell cards.

Measured: the kernel process's CPU per thread (psutil), over the runs, per
second of workload.  A condition's cost is its CPU less ``none``'s in the
same round.  This says how low the kernel's CPU can go by changing the views
alone: ``no figures`` is the floor of the poll and the models.
"""

from __future__ import annotations

import json
import sys

from . import stats
from .kernel import OPEN, WORKLOAD, Kernel, client_kernel, spread

THREADS = """
import threading as _th, psutil as _ps, json as _j
def _threads():
    names = {t.native_id: t.name for t in _th.enumerate()}
    return {names.get(t.id, "other"): t.user_time + t.system_time for t in _ps.Process().threads()}
"""

#: Views paused per condition (names of ``Dashboard.views``).
PAUSED = {
    "none": None,
    "all": [],
    "no row charts": ["progress", "memory", "resources"],
    "no figures": ["progress", "memory", "resources", "task_stream"],
}


def _run(k: Kernel, condition: str, runs: int) -> dict:
    paused = PAUSED[condition]
    if paused is not None:
        k.run(OPEN)
        k.run(f"for _n in {paused!r}: dash.views[_n].redraw.active = False")
    k.run(WORKLOAD.format())  # the dashboard's first draw is not what a run costs
    _, before = k.run("print('T', _j.dumps(_threads()))")
    wall = 0.0
    for _ in range(runs):
        _, out = k.run(WORKLOAD.format())
        wall += json.loads(out.split("STATS", 1)[1])["wall"]
    _, after = k.run("print('T', _j.dumps(_threads()))")
    if paused is not None:
        k.run("dash.close(); dash = None")
    a, b = (json.loads(s.split("T ", 1)[1]) for s in (before, after))
    per_thread = {name: (b[name] - a.get(name, 0.0)) / wall * 100 for name in b}
    return {"total": sum(per_thread.values()), "threads": per_thread, "wall": wall}


def measure(rounds: int = 3, runs: int = 3, log=print) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {c: [] for c in PAUSED}
    with client_kernel() as k:
        k.run(THREADS)
        for r, order in enumerate(stats.rotated_orders(list(PAUSED), rounds)):
            for condition in order:
                result = _run(k, condition, runs)
                out[condition].append(result)
                log(f"  round {r} {condition:14s} {result['total']:.2f} % of a core")
    return out


def report(out: dict[str, list[dict]]) -> None:
    none = [r["total"] for r in out["none"]]
    print(f"{'condition':14s} {'dashboard CPU (% of a core, less none)':40s}  by thread")
    for condition, results in out.items():
        if condition == "none":
            continue
        cost = [r["total"] - n for r, n in zip(results, none)]
        threads: dict[str, list[float]] = {}
        for r, base in zip(results, out["none"]):
            for name, value in r["threads"].items():
                threads.setdefault(name, []).append(value - base["threads"].get(name, 0.0))
        top = ", ".join(
            f"{name} {stats.median(v):.2f}"
            for name, v in sorted(threads.items(), key=lambda kv: -stats.median(kv[1]))[:3]
        )
        print(f"{condition:14s} {stats.median(cost):5.2f}  {spread(cost):40s} {top}")
    print(f"{'none':14s} whole kernel {stats.median(none):.2f} % ({spread(none)})")


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    report(measure(rounds, runs))
