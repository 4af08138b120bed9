"""Runs in the benchmark process: what the Profile, Groups and Metrics tabs cost the
scheduler while shown, and while hidden (issue 15).

A scheduler process and two worker processes of two threads (``ProcessCluster``),
a Client and one ``Dashboard`` in this process, and a steady workload (batches of
small tasks and a dask.array reduction with transfers) all along.  The
dashboard's page shown is switched between Status (the three new tabs hidden)
and each new tab, interleaved, the order rotated every round.  Per window:

- the scheduler process's CPU (psutil, user + system), as % of one core;
- what the scheduler says it spent on this dashboard (``collector_cost``: polls,
  the transition hook and the on-demand handlers) and on the on-demand handlers
  alone (each answer carries its own cost), as % of one core;
- fetches made by the kernel's ``ViewsFetcher``.

Then the handlers' pure parts on large inputs: a 1,000- and 10,000-group table,
one cell's metrics among 1,000 runs' spans, a profile of 4,000 frames.

    python -m bench.views_cost [--rounds 3] [--window 15]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from types import SimpleNamespace

from bench.cluster import CpuMeter, ProcessCluster, wait_quiet

PAGES_MEASURED = ("Status", "Profile", "Groups", "Metrics")


def inc(x: int) -> int:
    return x + 1


def workload(client, stop: threading.Event) -> None:
    import dask.array as da

    while not stop.is_set():
        client.gather(client.map(inc, range(300), pure=False))
        x = da.random.random((1000, 1000), chunks=250)
        client.compute((x + x.T).mean(axis=0)).result()


def measure(rounds: int, window: float) -> dict[str, list[dict[str, float]]]:
    from distributed import Client

    from jupyter_dashmon import Dashboard
    from jupyter_dashmon.placement.layout import PAGES

    results: dict[str, list[dict[str, float]]] = {page: [] for page in PAGES_MEASURED}
    with ProcessCluster(nworkers=2, nthreads=2) as cluster:
        client = Client(cluster.address)
        client.wait_for_workers(2, timeout=60)
        dash = Dashboard(client)
        stop = threading.Event()
        worker = threading.Thread(target=workload, args=(client, stop), daemon=True)
        worker.start()
        m = dash.model
        fetcher = dash.listener.fetcher
        try:
            time.sleep(3)
            for r in range(rounds):
                order = PAGES_MEASURED[r % 4 :] + PAGES_MEASURED[: r % 4]
                for page in order:
                    dash.pages.selected_index = PAGES.index(page)
                    time.sleep(2.0)  # the first fetch on showing, then steady state
                    wait_quiet(threshold=100.0, timeout=0.5)
                    before = (
                        m.status.collector_cost,
                        m.profile.cost + m.groups.cost + m.metrics.cost,
                        sum(fetcher.fetches.values()),
                    )
                    with CpuMeter({"scheduler": cluster.pids["scheduler"]}) as meter:
                        time.sleep(window)
                    wall = meter.used["wall"]
                    results[page].append(
                        {
                            "scheduler_cpu_pct": 100 * meter.used["scheduler"] / wall,
                            "dashboard_pct": 100 * (m.status.collector_cost - before[0]) / wall,
                            "views_pct": 100
                            * (m.profile.cost + m.groups.cost + m.metrics.cost - before[1])
                            / wall,
                            "fetches_per_min": 60
                            * (sum(fetcher.fetches.values()) - before[2])
                            / wall,
                        }
                    )
                    print(page, {k: round(v, 3) for k, v in results[page][-1].items()})
            stop.set()
            worker.join(30)
            results["per call"] = [per_call(client, cluster)]
        finally:
            stop.set()
            dash.close()
            client.close()
    return results


def per_call(client, cluster, calls: int = 200) -> dict[str, float]:
    """Scheduler CPU milliseconds per request of each handler, all costs included
    (the comm, (de)serialisation, the handler; the workers' side of a profile is not
    the scheduler's), on the quiet cluster after the workload."""
    requests = {
        "profile_ms": lambda: client.scheduler.dashmon_profile(start=time.time() - 60),
        "groups_ms": lambda: client.scheduler.dashmon_groups(limit=1000),
        "metrics_ms": lambda: client.scheduler.dashmon_metrics(),
        "ncores_ms (a trivial handler, for scale)": lambda: client.scheduler.ncores(),
    }
    out = {}
    time.sleep(2)
    for name, request in requests.items():

        async def many(request=request) -> None:
            for _ in range(calls):
                await request()

        with CpuMeter({"scheduler": cluster.pids["scheduler"]}) as meter:
            client.sync(many)
        out[name] = 1000 * meter.used["scheduler"] / calls
        print(name, round(out[name], 3))
    return out


def handler_parts() -> dict[str, float]:
    """Milliseconds of the handlers' pure parts on large inputs."""
    from jupyter_dashmon.collect.views_data import (
        flatten_profile,
        group_table,
        metric_rows,
        run_spans,
        span_metrics,
    )

    def groups(n: int) -> dict:
        out = {}
        previous = None
        for i in range(n):
            tg = SimpleNamespace(
                name=f"g{i}",
                prefix=SimpleNamespace(name=f"p{i % 50}"),
                states={"memory": 3, "released": 5, "processing": 1, "waiting": 2, "forgotten": 0},
                dependencies=[previous] if previous is not None else [],
                nbytes_total=1000,
                duration=0.5,
            )
            out[tg.name] = previous = tg
        return out

    def tree(width: int, depth: int) -> dict:
        def node(name: str, d: int) -> dict:
            kids = [node(f"{name}.{i}", d + 1) for i in range(width)] if d < depth else []
            return {
                "count": 10,
                "identifier": name,
                "description": {"name": name, "filename": "f.py", "line_number": 1, "line": ""},
                "children": {k["identifier"]: k for k in kids},
            }

        return node("root", 0)

    out = {}
    for n in (1000, 10_000):
        table = groups(n)
        t0 = time.perf_counter()
        group_table(table, 1000)
        out[f"group_table {n:,} groups (ms)"] = 1000 * (time.perf_counter() - t0)
    # One cell's metrics among 1,000 runs' spans, the cell with 50 spans of its own
    # inside and 20 metrics in each (what the Metrics view's cell choice costs).
    runs = {f"k/{i}" for i in range(1000)}
    by_tag: dict[str, list] = {}
    for i in range(1000):
        inner = 50 if i == 500 else 1
        for j in range(inner):
            name = (f"k/{i}",) if j == 0 else (f"k/{i}", f"user-{j}")
            span = SimpleNamespace(
                name=name,
                _cumulative_worker_metrics={
                    ("execute", f"f{m}", "thread-cpu", "seconds"): 1.0 for m in range(20)
                },
            )
            for tag in name:
                by_tag.setdefault(tag, []).append(span)
    t0 = time.perf_counter()
    metric_rows(span_metrics(run_spans(by_tag, "k/500", runs.__contains__)))
    out["one run's metrics, 50 spans of 20 metrics (ms)"] = 1000 * (time.perf_counter() - t0)
    big = tree(4, 6)  # 5,461 frames
    t0 = time.perf_counter()
    flatten_profile(big, 0.0)
    out["flatten_profile 5,461 frames, 4,000 kept (ms)"] = 1000 * (time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=float, default=15.0)
    args = parser.parse_args()
    results = measure(args.rounds, args.window)
    print(f"\nmedians over {args.rounds} rounds of {args.window:g} s")
    print("page shown | scheduler CPU % | dashboard % of a core | views' handlers % | fetches/min")
    calls = results.pop("per call")[0]
    for page, rows in results.items():
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        print(
            f"{page} | {med['scheduler_cpu_pct']:.1f} | {med['dashboard_pct']:.3f} | "
            f"{med['views_pct']:.4f} | {med['fetches_per_min']:.1f}"
        )
    print("scheduler CPU per request, quiet cluster:")
    for name, ms in calls.items():
        print(f"  {name}: {ms:.3f}")
    for name, ms in handler_parts().items():
        print(f"{name}: {ms:.2f}")


if __name__ == "__main__":
    main()
