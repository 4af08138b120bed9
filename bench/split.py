"""Runs in the benchmark process: where the scheduler's extra CPU with a dashboard comes from.

``python -m bench.split [rounds] [tasks]``: the throughput bench's cluster
and workloads (:mod:`.throughput`), with one condition between ``none`` and
``dashmon``: ``recorder``, a :class:`jupyter_dashmon.placement.recorder.Recorder`
on the same Client: the same collector, polls and :class:`Listener` filling
the same models, but no views.  ``recorder - none`` is what the collector and
its polls cost the scheduler; ``dashmon - recorder`` is what the views cost it,
indirectly (they only run in this process, which shares the machine's two
cores with the scheduler and the workers).
"""

from __future__ import annotations

import statistics
import sys
import time

from . import throughput as tp


class SplitCondition(tp.Condition):
    @property
    def plugins(self) -> set[str]:
        from jupyter_dashmon.collect.messages import PLUGIN_NAME

        return {PLUGIN_NAME} if self.name == "recorder" else super().plugins

    def open(self) -> None:
        if self.name != "recorder":
            super().open()
            return
        from jupyter_dashmon.placement.recorder import Recorder

        self.dashboard = Recorder(self.client)
        deadline = time.monotonic() + 30
        while self.dashboard.listener.polls < 3 and time.monotonic() < deadline:
            time.sleep(0.05)


def main(rounds: int, tasks: int) -> None:
    windows = tp.measure(
        rounds,
        tasks,
        ("independent", "tree"),
        3.0,
        conditions=("none", "recorder", "dashmon"),
        condition=SplitCondition,
    )
    for workload in ("independent", "tree"):
        by = {(w.condition, w.round): w for w in windows if w.workload == workload}
        print(f"\n{workload}, {tasks} tasks, {rounds} rounds")
        for name in ("recorder", "dashmon"):
            extra = [
                (by[name, r].cpu["scheduler"] - by["none", r].cpu["scheduler"]) / tasks * 1e6
                for r in range(rounds)
            ]
            speed = [by["none", r].wall / by[name, r].wall for r in range(rounds)]
            bench = [by[name, r].cpu["bench"] - by["none", r].cpu["bench"] for r in range(rounds)]
            print(
                f"  {name:9s} scheduler +us/task median {statistics.median(extra):6.1f} "
                f"({', '.join(f'{x:.1f}' for x in extra)}); throughput vs none "
                f"{statistics.median(speed):.3f} ({', '.join(f'{x:.3f}' for x in speed)}); "
                f"this process +CPU-s {statistics.median(bench):.2f}"
            )
        none = [by["none", r].cpu["scheduler"] / tasks * 1e6 for r in range(rounds)]
        print(f"  none      scheduler us/task {', '.join(f'{x:.1f}' for x in none)}")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 4,
        int(sys.argv[2]) if len(sys.argv) > 2 else 20000,
    )
