"""Runs in the benchmark process: ``python -m bench.soak [--tasks N]``.

1,000,000 tiny tasks through one dashboard (``history=5000``) on a subprocess
scheduler with two workers; every batch prints the kernel's model sizes, RSS
and live Python allocations (``sys.getallocatedblocks``), and the scheduler's
RSS, live allocations and the collector's ring and dict sizes, so one can see
that memory is bounded by the history, not by the number of tasks.  Copy the printed table
into ``bench/SOAK.md``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import psutil

from .cluster import bench_env, free_port


def _scheduler_side(dask_scheduler):
    import sys

    import psutil as ps

    plugin = dask_scheduler.plugins.get("jupyter-dashmon")
    if plugin is None:
        rss = ps.Process().memory_info().rss / 2**20
        return {
            "ring": 0,
            "ring_count": 0,
            "in_memory": 0,
            "prefixes": 0,
            "rss_mb": rss,
            "blocks": sys.getallocatedblocks(),
        }
    return {
        "ring": len(plugin.tasks),
        "ring_count": plugin.tasks.count,
        "in_memory": len(plugin._in_memory),
        "prefixes": len(plugin._versions),
        "rss_mb": ps.Process().memory_info().rss / 2**20,
        "blocks": sys.getallocatedblocks(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--history", type=int, default=5_000)
    parser.add_argument(
        "--no-dashboard",
        action="store_true",
        help="the same run without a dashboard, for comparison",
    )
    parser.add_argument(
        "--log-length",
        type=int,
        default=None,
        help="distributed.admin.low-level-log-length for every process (distributed "
        "keeps that many recent message batches per connection; default 1000)",
    )
    parser.add_argument(
        "--saturation",
        default="inf",
        help="distributed.scheduler.worker-saturation ('inf' as the throughput "
        "benchmark; 'default' leaves distributed's own)",
    )
    args = parser.parse_args(argv)

    import dask
    from distributed import Client

    import jupyter_dashmon  # noqa: F401

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = bench_env()
    if args.saturation == "default":
        env.pop("DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION", None)
    else:
        env["DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION"] = args.saturation
    if args.log_length is not None:
        env["DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH"] = str(args.log_length)
        dask.config.set({"distributed.admin.low-level-log-length": args.log_length})
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-dashboard",
            ],
            env=env,
        )
    ]
    time.sleep(2)
    procs.append(
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_worker",
                address,
                "--nworkers",
                "2",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            ],
            env=env,
        )
    )
    try:
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            dash = None if args.no_dashboard else client.dashboard(history=args.history)
            me = psutil.Process()
            t0 = time.time()
            print(
                "tasks | seconds | kernel RSS MB | kernel Python blocks (k) | history | records | "
                "scheduler RSS MB | scheduler Python blocks (k) | ring | in_memory"
            )
            for start in range(0, args.tasks, args.batch):
                futures = client.map(int, range(start, start + args.batch), pure=False)
                client.gather(futures)
                del futures
                s = client.run_on_scheduler(_scheduler_side)
                history = len(dash.model.history.history) if dash else 0
                records = len(dash.model.tasks.records) if dash else 0
                print(
                    f"{start + args.batch:,} | {time.time() - t0:.0f} | "
                    f"{me.memory_info().rss / 2**20:.0f} | {sys.getallocatedblocks() / 1e3:.0f} | "
                    f"{history} | {records} | {s['rss_mb']:.0f} | "
                    f"{s['blocks'] / 1e3:.0f} | {s['ring']} | {s['in_memory']}",
                    flush=True,
                )
            if dash is not None:
                dash.close()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(20)


if __name__ == "__main__":
    main()
