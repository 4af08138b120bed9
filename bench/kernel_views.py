"""Runs in the benchmark process: what each Status view costs the kernel.

``python -m bench.kernel_views [rounds]``: item 8's real kernel and example
workload (:mod:`.kernel`), one dashboard open, and in each round the workload
once per condition, the order rotated round by round:

- ``none``: no dashboard (closed, then opened again for the next condition);
- ``all``: the dashboard as a user has it, the Status page's views redrawing;
- ``-progress``, ``-memory``, ``-task_stream``, ``-resources``: that one view's
  redraws held (as when its page is hidden), the others drawing;
- ``-views``: every Status view held: what is left is the poll loop, the
  models, the task windows and the cell's card.

Kernel CPU (user + system of the kernel process) over the workload, as % of a
core.  ``all`` minus ``-X`` is what view X costs; ``-views`` minus ``none`` is
the floor no view can remove.
"""

from __future__ import annotations

import json
import sys
import time

from . import stats
from .cluster import ProcessCluster
from .kernel import OPEN, SETUP, WORKLOAD, Kernel

STATUS_VIEWS = ("progress", "memory", "task_stream", "resources", "error_banner")

#: Each condition's held views (None: no dashboard).
CONDITIONS: dict[str, tuple[str, ...] | None] = {
    "none": None,
    "all": (),
    "-progress": ("progress",),
    "-memory": ("memory",),
    "-task_stream": ("task_stream",),
    "-resources": ("resources",),
    "-views": STATUS_VIEWS,
}

HOLD = """
for _name in {views!r}:
    dash.views[_name].redraw.active = _name not in {held!r}
"""


def measure(rounds: int = 4, log=print) -> dict[str, list[float]]:
    """Kernel CPU, % of a core, per condition and round."""
    out: dict[str, list[float]] = {name: [] for name in CONDITIONS}
    with ProcessCluster(nworkers=2, nthreads=2) as cluster:
        k = Kernel()
        try:
            k.run(SETUP.format(address=cluster.address))
            k.run("dash = None")
            for r, order in enumerate(stats.rotated_orders(list(CONDITIONS), rounds)):
                for name in order:
                    held = CONDITIONS[name]
                    if held is None:
                        k.run("if dash is not None: dash.close(); dash = None")
                    else:
                        _, opened = k.run("print('OPEN', dash is not None)")
                        if "OPEN False" in opened:
                            k.run(OPEN)
                            time.sleep(2.0)
                        k.run(HOLD.format(views=STATUS_VIEWS, held=held))
                    _, stdout = k.run(WORKLOAD.format())
                    s = json.loads(stdout.split("STATS", 1)[1])
                    out[name].append(100.0 * s["cpu"] / s["wall"])
                log(f"  round {r}: " + ", ".join(f"{n} {out[n][-1]:.2f}" for n in order))
        finally:
            k.close()
    return out


def report(out: dict[str, list[float]]) -> list[str]:
    med = {name: stats.median(values) for name, values in out.items()}
    lines = [
        "| condition | kernel CPU, % of a core, median | rounds | what it says |",
        "|---|---|---|---|",
    ]
    for name, values in out.items():
        if name == "none":
            what = "the kernel without a dashboard"
        elif name == "all":
            what = f"the dashboard costs {med['all'] - med['none']:.2f}"
        elif name == "-views":
            what = f"floor without any view: {med['-views'] - med['none']:.2f}"
        else:
            what = f"{name[1:]} costs {med['all'] - med[name]:.2f}"
        each = ", ".join(f"{v:.2f}" for v in values)
        lines.append(f"| {name} | {med[name]:.2f} | {each} | {what} |")
    return lines


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    print("\n".join(report(measure(rounds))))
