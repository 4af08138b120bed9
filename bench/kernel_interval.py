"""Runs in the benchmark process: what the poll interval costs the kernel.

``python -m bench.kernel_interval [intervals] [rounds] [runs]``: in a real
IPython kernel (:class:`.kernel.Kernel`) with a Client of a process cluster,
the upstream example workload (:data:`.kernel.WORKLOAD`) runs ``runs`` times
per condition: without a dashboard, and with ``client.dashboard(interval=s)``
displayed for each ``s`` of ``intervals`` (seconds, comma-separated; default
``0.2,0.5,1``), the order rotated from round to round.  Measured per
condition: the kernel process's CPU per second of workload less that without
a dashboard (10 ms/s is 1 % of a core), polls a second, and widget messages
a second.

The interval is the dashboard's main cost knob in the kernel: every poll
brings a delta to apply and a counts line to send, and the views redraw at
most once per poll.  What a longer interval gives up is freshness: the
model follows the workers at most one interval late (``python -m bench
--only latency`` measures it at the default).
"""

from __future__ import annotations

import json
import sys

from . import stats
from .kernel import OPEN, WORKLOAD, client_kernel, spread

OPEN_AT = OPEN.replace("client.dashboard()", "client.dashboard(interval={interval!r})")
assert OPEN_AT != OPEN, "OPEN no longer displays client.dashboard()"


def measure(intervals: list[float], rounds: int = 3, runs: int = 2, log=print) -> dict:
    conditions = ["none", *(str(s) for s in intervals)]
    out: dict = {c: [] for c in conditions}
    with client_kernel() as k:
        k.run(WORKLOAD.format())  # the first run pays for imports
        for r, order in enumerate(stats.rotated_orders(conditions, rounds)):
            for cond in order:
                if cond != "none":
                    k.run(OPEN_AT.format(interval=float(cond)))
                    k.run(WORKLOAD.format())  # the first draws are not what a run costs
                    k.run("_p0 = dash.listener.polls")
                k.comm_msgs.clear()
                cpu = wall = 0.0
                for _ in range(runs):
                    _, text = k.run(WORKLOAD.format())
                    s = json.loads(text.split("STATS", 1)[1])
                    cpu, wall = cpu + s["cpu"], wall + s["wall"]
                polls = 0
                if cond != "none":
                    _, text = k.run("print('POLLS', dash.listener.polls - _p0)")
                    polls = int(text.split("POLLS", 1)[1])
                    k.run("dash.close(); dash = None")
                run = {"cpu": cpu, "wall": wall, "polls": polls, "messages": len(k.comm_msgs)}
                out[cond].append(run)
                log(
                    f"  round {r} {cond:>5s}: {wall:.1f} s, kernel {cpu / wall * 100:.2f} % "
                    f"of a core, {polls / wall:.1f} polls/s, {run['messages'] / wall:.1f} msgs/s"
                )
    return out


def report(out: dict) -> None:
    base = [r["cpu"] / r["wall"] for r in out["none"]]
    print(f"{'interval':>9s}  {'dashboard CPU, % of a core':40s} {'polls/s':>8s} {'msgs/s':>7s}")
    for cond, runs in out.items():
        if cond == "none":
            continue
        pct = [(r["cpu"] / r["wall"] - b) * 100 for r, b in zip(runs, base)]
        polls = stats.median(r["polls"] / r["wall"] for r in runs)
        msgs = stats.median(r["messages"] / r["wall"] for r in runs)
        share = f"{stats.median(pct):5.2f}  {spread(pct)}"
        print(f"{cond + ' s':>9s}  {share:40s} {polls:8.1f} {msgs:7.1f}")


if __name__ == "__main__":
    intervals = [float(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "0.2,0.5,1").split(",")]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    report(measure(intervals, rounds, runs))
