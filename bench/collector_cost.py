"""Runs in the benchmark process: item 9, the collector timed inside a real scheduler.

A scheduler process and two worker processes (:class:`.cluster.ProcessCluster`)
run the throughput workloads with a dashboard open in this process.  Before
each workload, timers are put around the collector's entry points *inside the
scheduler* (``Client.run_on_scheduler``): the transition hook, the drain of
kept transitions, the answer to a poll and the graph hook.  After it, the
timers say how many calls each had and how long they took.  A second pass
runs the same workload under ``cProfile`` in the scheduler's event loop and
attributes the scheduler's profiled time to the collector's modules.

Timing each call costs about as much as a short call itself, so the hook's
figure is an upper bound; the timers are never on during the throughput
rounds (items 1 and 2).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from . import stats
from .cluster import ProcessCluster, drain
from .report import Row
from .throughput import WORKLOADS

TIMED = ("transition", "update_graph", "_drain", "_answer")


def install_timers(dask_scheduler: Any = None) -> int:
    """Wrap the collector's entry points with counters and timers (run on the scheduler)."""
    # CPU time of the scheduler's thread: a busy machine preempting the scheduler
    # mid-call would inflate wall-clock timers.
    from time import thread_time as perf_counter

    plugin = dask_scheduler.plugins["jupyter-dashmon"]
    timers: dict[str, list] = {}
    for name in TIMED:
        original = getattr(type(plugin), name).__get__(plugin)
        acc = timers[name] = [0, 0.0, 0]

        def timed(*args, _f=original, _acc=acc, **kwargs):
            t0 = perf_counter()
            out = _f(*args, **kwargs)
            _acc[1] += perf_counter() - t0
            _acc[0] += 1
            if type(out) is dict and "tasks" in out:
                _acc[2] += out["tasks"]["n"]
            return out

        setattr(plugin, name, timed)
    plugin._bench_timers = timers
    # What a wrapped call costs with an empty body: subtracted from each call.
    acc = [0, 0.0, 0]

    def nothing(*args, **kwargs):
        return None

    def timed_nothing(*args, _f=nothing, _acc=acc, **kwargs):
        t0 = perf_counter()
        out = _f(*args, **kwargs)
        _acc[1] += perf_counter() - t0
        _acc[0] += 1
        return out

    for _ in range(20000):
        timed_nothing("k", "processing", "memory", stimulus_id="x")
    plugin._bench_floor = acc[1] / acc[0]
    return len(timers)


def read_timers(dask_scheduler: Any = None) -> dict[str, Any]:
    """The timers' counts and seconds, then the plain methods back (run on the scheduler)."""
    plugin = dask_scheduler.plugins["jupyter-dashmon"]
    timers = plugin._bench_timers
    for name in TIMED:
        delattr(plugin, name)
    del plugin._bench_timers
    return {
        "timers": {name: list(acc) for name, acc in timers.items()},
        "floor": plugin._bench_floor,
        "transitions": dask_scheduler.transition_counter,
    }


def start_profile(dask_scheduler: Any = None) -> bool:
    import cProfile

    dask_scheduler._bench_profile = profile = cProfile.Profile()
    profile.enable()
    return True


def stop_profile(dask_scheduler: Any = None) -> dict[str, float]:
    """Seconds of profiled time per collector module and in all (run on the scheduler)."""
    import pstats

    profile = dask_scheduler._bench_profile
    profile.disable()
    del dask_scheduler._bench_profile
    st = pstats.Stats(profile)
    out = {"total": st.total_tt}  # type: ignore[attr-defined]
    for (file, _line, _name), (_cc, _nc, tt, _ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        # The collector is shipped by value: its code reads "<dynamic-code>" here.
        if file == "<dynamic-code>" or "jupyter_dashmon/collect/" in file:
            out["collector"] = out.get("collector", 0.0) + tt
    return out


def measure(
    rounds: int, tasks: int, workloads: tuple[str, ...], log: Callable[[str], None] = print
) -> dict[str, list[dict]]:
    """Per workload, one dict per round: timer readings, tasks run, profile shares."""
    from distributed import Client

    from jupyter_dashmon import Dashboard

    out: dict[str, list[dict]] = {w: [] for w in workloads}
    with ProcessCluster() as cluster:
        client = Client(cluster.address, timeout="60s")
        client.wait_for_workers(cluster.nworkers, timeout=120)
        dash = Dashboard(client)
        try:
            deadline = time.monotonic() + 30
            while dash.listener.polls < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            for r in range(rounds):
                for w in workloads:
                    drain(client)
                    client.run_on_scheduler(install_timers)
                    before = client.run_on_scheduler(_counter)
                    WORKLOADS[w](client, tasks, tag=f"-timed-{r}")
                    time.sleep(0.5)  # the last records reach the kernel
                    reading = client.run_on_scheduler(read_timers)
                    reading["transitions"] -= before
                    drain(client)
                    client.run_on_scheduler(start_profile)
                    WORKLOADS[w](client, tasks, tag=f"-profiled-{r}")
                    time.sleep(0.5)
                    reading["profile"] = client.run_on_scheduler(stop_profile)
                    reading["tasks"] = _tasks_of(w, tasks)
                    out[w].append(reading)
                    log(f"  round {r} {w}: {_summary(reading)}")
        finally:
            dash.close()
            client.close()
    return out


def _counter(dask_scheduler: Any = None) -> int:
    return dask_scheduler.transition_counter


def _tasks_of(workload: str, tasks: int) -> int:
    return tasks if workload == "independent" else 2 * (tasks // 2) - 1


def per_task(reading: dict) -> dict[str, float]:
    """Microseconds per finished task in each entry point (timer floor taken off),
    and per call for the hook; the poll per returned record."""
    timers, floor, n = reading["timers"], reading["floor"], reading["tasks"]
    out = {}
    for name, (calls, seconds, records) in timers.items():
        net = max(seconds - calls * floor, 0.0)
        out[name] = net / n * 1e6
        if name == "transition":
            out["hook_call"] = net / max(calls, 1) * 1e6
            out["hook_calls_per_task"] = calls / n
        if name == "_answer":
            out["answer_per_record"] = seconds / max(records, 1) * 1e6
    # The poll's answer drains the kept transitions: its timer holds the drain's.
    out["total"] = out["transition"] + out["update_graph"] + out["_answer"]
    prof = reading["profile"]
    out["profile_share"] = 100 * sum(v for k, v in prof.items() if k != "total") / prof["total"]
    return out


def _summary(reading: dict) -> str:
    p = per_task(reading)
    return (
        f"{p['total']:.2f} us/task (hook {p['transition']:.2f}: {p['hook_call']:.2f} us x "
        f"{p['hook_calls_per_task']:.1f} calls, drain {p['_drain']:.2f}, answer "
        f"{p['_answer']:.2f}, graph {p['update_graph']:.2f}); profile share "
        f"{p['profile_share']:.1f} %"
    )


def rows(measured: dict[str, list[dict]]) -> list[Row]:
    out: list[Row] = []
    for w, readings in measured.items():
        if not readings:
            continue
        per = [per_task(r) for r in readings]

        def med(name: str, per: list[dict] = per) -> float:
            return stats.median(p[name] for p in per)

        def spread(name: str, per: list[dict] = per) -> str:
            values = [p[name] for p in per]
            return f"{min(values):.2f}-{max(values):.2f}"

        detail = (
            f"hook {med('transition'):.2f} ({med('hook_call'):.2f} us x "
            f"{med('hook_calls_per_task'):.1f} calls), drain {med('_drain'):.2f}, "
            f"poll answer {med('_answer'):.2f}, graph hook {med('update_graph'):.2f}; "
            f"range {spread('total')}; {len(per)} rounds; timers inside the scheduler"
        )
        out.append(
            Row(
                "9",
                f"collector time per task inside the scheduler ({w})",
                med("total"),
                "us",
                "",
                None,
                detail,
            )
        )
        out.append(
            Row(
                "9",
                f"transition hook per call ({w})",
                med("hook_call"),
                "us",
                "",
                None,
                f"range {spread('hook_call')}; timer floor taken off",
            )
        )
        out.append(
            Row(
                "9",
                f"poll answer per returned record ({w})",
                med("answer_per_record"),
                "us",
                "",
                None,
                f"range {spread('answer_per_record')}; includes packing",
            )
        )
        out.append(
            Row(
                "9",
                f"collector share of the scheduler's profiled time ({w})",
                med("profile_share"),
                "%",
                "",
                None,
                f"range {spread('profile_share')}; cProfile in the scheduler's event loop, "
                "collector modules' own time over all profiled time",
            )
        )
    return out


if __name__ == "__main__":
    import sys

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    result = measure(rounds, tasks, ("independent", "tree"))
    from .report import table

    print(table(rows(result)))
