"""Runs in the benchmark process: a sampling profile of the scheduler process.

``python -m bench.scheduler_profile [rounds] [tasks]``: the throughput
bench's scheduler process and two single-threaded workers
(:class:`.cluster.ProcessCluster`), with the collector polled as a dashboard
polls it (a :class:`~jupyter_dashmon.placement.recorder.Recorder` in this
process: the same collector, polls and listener; the views only ever run in
the kernel).  Each workload runs ``rounds`` times unprofiled, for the
scheduler's CPU per task, then ``rounds`` times under ``py-spy record``
attached to the scheduler's pid from outside (no change to the scheduler's
code; distributed's own event-loop profiler does not run on Python 3.11).
Every sample whose stack holds a collector frame is attributed to the
outermost one (the hook or handler the scheduler called); samples parked in
the event loop's ``select`` are idle and left out.  The collector's share of
the scheduler's busy samples times the unprofiled CPU per task is its cost
per task.  Needs ``py-spy`` (``pip install py-spy``) and ptrace rights.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from typing import Any

import psutil

from .cluster import ProcessCluster, drain, wait_quiet
from .throughput import WORKLOADS

#: Where a collector frame comes from: the plugin is sent to the scheduler by
#: value, so its methods carry no file of this package.
COLLECTOR = re.compile(r"^(DashmonPlugin\.\w+|[^ ]+ \([^)]*jupyter_dashmon[^)]*\))")


def plugin_call_frame() -> str:
    """How a profile names the line of distributed's ``SchedulerState._transition``
    that calls every plugin's ``transition`` hook (found in the installed source)."""
    import inspect

    from distributed.scheduler import SchedulerState

    lines, first = inspect.getsourcelines(SchedulerState._transition)
    line = next(first + i for i, text in enumerate(lines) if "plugin.transition(" in text)
    return f"SchedulerState._transition (distributed/scheduler.py:{line})"


def attribute(raw: str, call: str = "") -> tuple[int, Counter, Counter]:
    """Busy samples of a py-spy raw profile, those per outermost collector frame,
    and, when ``call`` names the frame that calls the plugins' hooks (see
    :func:`plugin_call_frame`), those under it: per plugin hook, and ``"call"``
    for the call itself (the keyword arguments packed for each plugin).  A
    sampler that does not stop the process now and then reads a torn stack
    (a frame from before a call under one from after it): under the hooks' call
    only frames named ``*.transition`` count as a hook."""
    busy = 0
    ours: Counter[str] = Counter()
    hooks: Counter[str] = Counter()
    for line in raw.splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if any("select" in f and "selectors.py" in f for f in frames[-2:]):
            continue  # the event loop waiting
        n = int(count)
        busy += n
        mine = next((f for f in frames if COLLECTOR.match(f)), None)
        if mine is not None:
            ours[mine.split(" (")[0]] += n
        if call and call in frames:
            i = frames.index(call)
            if i + 1 == len(frames):
                hooks["call"] += n
            elif frames[i + 1].split(" (")[0].endswith(".transition"):
                hooks[frames[i + 1].split(" (")[0]] += n
    return busy, ours, hooks


def _scheduler_cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def _plugin_names(dask_scheduler: Any = None) -> list[str]:
    return [type(p).__name__ for p in dask_scheduler.plugins.values()]


def main(rounds: int = 3, tasks: int = 20_000) -> None:
    from distributed import Client

    from jupyter_dashmon.placement.recorder import Recorder

    spy = shutil.which("py-spy")
    if spy is None:
        sys.exit("py-spy is not installed: pip install py-spy")
    out = tempfile.mkdtemp(prefix="dashmon-profile-")
    print(f"load at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with ProcessCluster(nworkers=2, nthreads=1) as cluster:
        assert cluster.scheduler is not None
        pid = cluster.scheduler.pid
        proc = psutil.Process(pid)
        client = Client(cluster.address)
        client.wait_for_workers(2)
        recorder = Recorder(client)
        call = plugin_call_frame()
        deadline = time.monotonic() + 30
        while recorder.listener.polls < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        WORKLOADS["independent"](client, 2000, tag="-warm")
        plugins = client.run_on_scheduler(_plugin_names)
        try:
            for workload in ("independent", "tree"):
                plain = []
                for r in range(rounds):
                    drain(client)
                    wait_quiet()
                    c0 = _scheduler_cpu(proc)
                    WORKLOADS[workload](client, tasks, tag=f"-plain-{r}")
                    plain.append((_scheduler_cpu(proc) - c0) / tasks * 1e6)
                drain(client)
                path = os.path.join(out, f"{workload}.txt")
                command = [spy, "record", "--pid", str(pid), "--rate", "500", "--nonblocking"]
                sampler = subprocess.Popen(
                    [*command, "--format", "raw", "-o", path],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(1.0)
                c0 = _scheduler_cpu(proc)
                for r in range(rounds):
                    WORKLOADS[workload](client, tasks, tag=f"-profiled-{r}")
                profiled = (_scheduler_cpu(proc) - c0) / (rounds * tasks) * 1e6
                time.sleep(0.5)  # the last polls
                sampler.send_signal(2)
                sampler.wait(timeout=60)
                with open(path) as f:
                    busy, ours, hooks = attribute(f.read(), call)
                per_task = statistics.median(plain)
                share = sum(ours.values()) / max(busy, 1)
                each = ", ".join(f"{x:.0f}" for x in plain)
                print(
                    f"\n{workload}, {rounds} x {tasks:,} tasks: scheduler CPU per task "
                    f"{per_task:.0f} us unprofiled (rounds {each}), "
                    f"{profiled:.0f} us while sampled; {busy:,} busy samples"
                )
                print(
                    f"  collector: {100 * share:.2f} % of the scheduler's busy samples "
                    f"= {share * per_task:.1f} us per task"
                )
                for name, n in ours.most_common():
                    part = n / busy
                    print(f"    {name:36s} {100 * part:5.2f} %  {part * per_task:5.2f} us/task")
                print(
                    f"  every plugin's transition hook as distributed calls it "
                    f"({len(plugins)} plugins: {', '.join(plugins)}):"
                )
                for name, n in hooks.most_common():
                    part = n / busy
                    label = f"the call (each plugin 1/{len(plugins)})" if name == "call" else name
                    print(f"    {label:36s} {100 * part:5.2f} %  {part * per_task:5.2f} us/task")
        finally:
            recorder.close()
            client.close()
    print(f"\nload at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; profiles in {out}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
