"""Runs in the benchmark process: ``python -m bench [--quick]``.

Runs every measurement (see ``bench/README`` in RESULTS.md), prints a table,
writes the figures with the machine and the command into ``bench/RESULTS.md``
and ends with the headline line::

    headline: dashmon_vs_none=<ratio> bokeh_vs_none=<ratio>

(throughput of 20,000 independent tasks with each dashboard over none; above 1
is faster).  ``--quick`` is a smaller run that fits in under two minutes.
``--only STEP[,STEP]`` runs the named steps alone (``--only load``: the page
under the LOOKS.md workload beside Bokeh's ``/status``, :mod:`bench.browser_load`).

Exit code 1 when the load step ran and missed one of its budgets, else 0.
"""

from __future__ import annotations

import argparse
import datetime
import shlex
import sys
import time
from dataclasses import dataclass

from . import machine, report


@dataclass(frozen=True)
class Plan:
    """How big each measurement is in one mode."""

    rounds: int
    tasks: int
    workloads: tuple[str, ...]
    idle: float
    scale_repeats: int
    records: int
    kernel_tasks: int
    latency_tasks: int
    kernel_rounds: int
    load_rounds: int
    load_heap_runs: int
    collector_rounds: int


PLANS = {
    "full": Plan(
        rounds=8,
        tasks=20_000,
        workloads=("independent", "tree"),
        idle=10.0,
        scale_repeats=30,
        records=100_000,
        kernel_tasks=1_000_000,
        latency_tasks=200,
        kernel_rounds=5,
        load_rounds=3,
        load_heap_runs=10,
        collector_rounds=3,
    ),
    "quick": Plan(
        rounds=3,
        tasks=2_000,
        workloads=("independent",),
        idle=2.0,
        scale_repeats=10,
        records=20_000,
        kernel_tasks=0,
        latency_tasks=40,
        kernel_rounds=0,
        load_rounds=1,
        load_heap_runs=3,
        collector_rounds=1,
    ),
}

STEPS = ("throughput", "scale", "collector", "memory", "latency", "kernel", "browser", "load")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(mode: str, skip: set[str]) -> tuple[list[report.Row], tuple[float, float], list[str]]:
    plan = PLANS[mode]
    rows: list[report.Row] = []
    notes: list[str] = []
    head = (float("nan"), float("nan"))
    if "throughput" not in skip:
        from . import throughput

        log(f"[1,2] throughput and scheduler CPU: {plan.rounds} rounds, {plan.tasks:,} tasks")
        windows = throughput.measure(plan.rounds, plan.tasks, plan.workloads, plan.idle, log)
        rows += throughput.rows(windows, plan.tasks, plan.idle)
        head = throughput.headline(windows)
    if "scale" not in skip:
        from . import scale

        log("[3] collector poll cost at scale (synthetic)")
        m = scale.measure(repeats=plan.scale_repeats)
        rows += scale.rows(m, 1000, 5000, 100_000)
        log("[3] collector per task over a task's life, beside a do-nothing plugin (synthetic)")
        rows += scale.per_task_rows(scale.per_task(rounds=plan.scale_repeats))
    if "collector" not in skip:
        from . import collector_cost

        log(f"[9] the collector timed inside a real scheduler: {plan.collector_rounds} rounds")
        measured = collector_cost.measure(plan.collector_rounds, plan.tasks, plan.workloads, log)
        rows += collector_cost.rows(measured)
    if "memory" not in skip:
        from . import memory

        log(f"[4] bytes per record ({plan.records:,} records)")
        rec = memory.per_record(plan.records)
        kern = None
        if plan.kernel_tasks:
            log(f"[4,8] kernel memory over {plan.kernel_tasks:,} tasks")
            marks = (plan.kernel_tasks // 10, plan.kernel_tasks // 2, plan.kernel_tasks)
            kern = memory.kernel_memory(plan.kernel_tasks, checkpoints=marks)
        else:
            notes.append("Kernel memory over 1,000,000 tasks: full mode only.")
        rows += memory.rows(rec, kern)
    if "latency" not in skip:
        from . import latency

        log(f"[5] latency, {plan.latency_tasks} tasks")
        rows += latency.rows(latency.measure(plan.latency_tasks))
    if "kernel" not in skip and plan.kernel_rounds:
        from . import kernel

        log(f"[6,8] traffic and kernel CPU in a real kernel, {plan.kernel_rounds} rounds")
        rows += kernel.rows(kernel.measure(plan.kernel_rounds, idle=plan.idle / 2, log=log))
    elif plan.kernel_rounds == 0:
        notes.append("Traffic (6) and kernel CPU (8) in a real kernel: full mode only.")
    if "browser" not in skip:
        from . import browser

        log("[5b,7] the page in JupyterLab in Chromium")
        sizes = {} if mode == "full" else {"updates": 5, "renders": 3}
        rows += browser.rows(browser.measure(**sizes, log=log))
        notes.append(browser.NOTE)
    else:
        notes.append("Not measured: the browser half of latency (5) and the browser items (7).")
    if "load" not in skip:
        from . import browser_load, load_figures

        log(
            f"[11] the page under the LOOKS.md workload beside Bokeh's /status, "
            f"{plan.load_rounds} rounds, {plan.load_heap_runs} runs for the heap"
        )
        m = browser_load.measure(plan.load_rounds, plan.load_heap_runs, log=log)
        log(load_figures.comparison(m["ours"], m["bokeh"], m["heap"], m["heap_runs"]))
        rows += load_figures.rows(m)
        notes.append(browser_load.NOTE)
    return rows, head, notes


def steps_to_skip(quick: bool, skip: str, only: str) -> set[str]:
    """The steps not to run, from ``--quick``, ``--skip`` and ``--only`` (comma-separated)."""
    skipped = {s.strip() for s in skip.split(",") if s.strip()}
    wanted = {s.strip() for s in only.split(",") if s.strip()}
    unknown = (skipped | wanted) - set(STEPS)
    if unknown:
        raise ValueError(f"unknown step(s) {sorted(unknown)}; choose from {', '.join(STEPS)}")
    if wanted:
        return skipped | (set(STEPS) - wanted)
    if quick:
        # A JupyterLab in Chromium alone takes about a minute; the load step eight.
        skipped |= {"browser", "load"}
    return skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, under two minutes")
    parser.add_argument(
        "--skip", default="", help=f"comma-separated steps to skip: {', '.join(STEPS)}"
    )
    parser.add_argument(
        "--only", default="", help=f"comma-separated steps to run alone: {', '.join(STEPS)}"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    try:
        skip = steps_to_skip(args.quick, args.skip, args.only)
    except ValueError as e:
        parser.error(str(e))
    command = (
        "python -m bench" + (" " + shlex.join(argv if argv is not None else sys.argv[1:])).rstrip()
    )
    described = machine.describe()
    t0 = time.monotonic()
    rows, (dn, bn), notes = run(mode, skip)
    took = time.monotonic() - t0
    print(report.table(rows))
    if not args.no_write:
        when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        # A run of some steps only gets a section of its own, so that it does not
        # replace the last complete run's figures.
        key = mode if not skip else f"{mode}, {', '.join(s for s in STEPS if s not in skip)} only"
        path = report.write_results(
            key, report.section(key, rows, described, command, when, took, notes)
        )
        log(f"wrote {path}")
    print(headline(dn, bn))
    missed = [r.name for r in rows if r.item == "11" and r.met is False]
    if missed:
        log("missed: " + "; ".join(missed))
    return 1 if missed else 0


def headline(dashmon_vs_none: float, bokeh_vs_none: float) -> str:
    """The last line of every run."""
    return f"headline: dashmon_vs_none={dashmon_vs_none:.3f} bokeh_vs_none={bokeh_vs_none:.3f}"


if __name__ == "__main__":
    sys.exit(main())
