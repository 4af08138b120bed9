"""Runs in the benchmark process: the figures of the browser-load benchmark.

Pure functions over what :mod:`bench.browser_load` read from the pages and the
kernel: main-thread share, frame statistics, lag matching, heap growth, the
medians over runs, the budgets of issue 11 point 11 and the printed table.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import stats
from .load_kernel import POLL
from .report import Row, fmt

#: Budgets from issue 11 point 11.
BUSY_MAX = 0.40
FPS_MIN = 30.0
GAP_MAX_MS = 200.0
LAG_MAX_S = 1.0
#: The heap is called bounded when the last five runs grow it by at most this share.
HEAP_GROWTH_MAX = 0.10

#: Seconds a model change may be seen on the page before the 50 ms poll noted it.
SLACK = 2 * POLL


def busy_share(before: dict[str, float], after: dict[str, float], seconds: float) -> float:
    """Share of ``seconds`` the renderer's main thread ran tasks (CDP ``TaskDuration``)."""
    if seconds <= 0:
        return math.nan
    return (after.get("TaskDuration", 0.0) - before.get("TaskDuration", 0.0)) / seconds


def frame_stats(frames: Sequence[float], start: float, stop: float, worst: int = 3) -> dict:
    """Frames per second and the ``worst`` longest gaps (ms) over ``start``..``stop``.

    All times are ``performance.now()`` milliseconds.  The window's edges count
    as frame edges, so a page that drew nothing for its last second shows that
    second as a gap.
    """
    inside = sorted(f for f in frames if start <= f <= stop)
    span = (stop - start) / 1000.0
    edges = [start, *inside, stop]
    gaps = sorted((b - a for a, b in itertools.pairwise(edges)), reverse=True)
    return {
        "fps": len(inside) / span if span > 0 else math.nan,
        "gaps_ms": gaps[:worst],
        "frames": len(inside),
    }


def lag_seconds(
    model: Sequence[tuple[float, str]],
    page: Sequence[tuple[float, str]],
    slack: float = SLACK,
) -> list[float | None]:
    """Per model change, seconds until the page showed it or a later change.

    ``model`` holds ``(time_s, text)`` for each change of the model, in time
    order (the first is the value at the start); ``page`` holds
    ``(Date.now() ms, text)`` marks taken when the page's text changed.  A mark
    stands for the latest model change with its text at most ``slack`` seconds
    after the mark (the model is sampled, so the page may show a change a little
    before the sample noted it).  ``None`` for a change the page never reached.
    """
    best = [math.inf] * len(model)
    for t_ms, text in page:
        t = t_ms / 1000.0
        match = None
        for j in range(len(model) - 1, -1, -1):
            if model[j][1] == text and model[j][0] <= t + slack:
                match = j
                break
        if match is not None:
            # Showing change ``match`` means every earlier change is behind the page too.
            best[match] = min(best[match], t)
    out: list[float | None] = []
    earliest = math.inf
    for i in range(len(model) - 1, -1, -1):
        earliest = min(earliest, best[i])
        out.append(None if math.isinf(earliest) else earliest - model[i][0])
    return out[::-1]


def heap_growth(values: Sequence[float]) -> dict:
    """Growth of the heap over consecutive runs: first to last and over the last half.

    ``bounded`` is False when the second half (5th to 10th of ten) grew the heap
    by more than :data:`HEAP_GROWTH_MAX` of its size at the half: a leak keeps
    growing after the warm-up caches have filled.
    """
    if len(values) < 2:
        return {"first_last": math.nan, "half_last": math.nan, "bounded": None}
    half = values[len(values) // 2 - 1]
    growth = values[-1] - half
    return {
        "first_last": values[-1] - values[0],
        "half_last": growth,
        "bounded": growth <= HEAP_GROWTH_MAX * half,
    }


def summarise(runs: Sequence[dict]) -> dict:
    """Medians over runs of one page: busy share, fps, each of the worst gaps, lag."""
    lags = [x for r in runs for x in r.get("lag", [])]
    shown = [x for x in lags if x is not None]
    out = {
        "runs": len(runs),
        "busy": stats.median(r["busy"] for r in runs),
        "fps": stats.median(r["fps"] for r in runs),
        "gap": stats.median(r["gaps_ms"][0] for r in runs if r["gaps_ms"]),
        "gaps": [stats.median(r["gaps_ms"][i] for r in runs) for i in range(3)]
        if runs and all(len(r["gaps_ms"]) >= 3 for r in runs)
        else [],
        "seconds": stats.median(r["seconds"] for r in runs),
        "machine": stats.median(r.get("machine", math.nan) for r in runs),
    }
    if any("lag" in r for r in runs):
        out["lag_max"] = max(shown) if shown else math.nan
        out["lag_p95"] = stats.p95(shown)
        out["lag_missing"] = len(lags) - len(shown)
        kernel = [x for r in runs for x in r.get("kernel_lag", []) if x is not None]
        out["kernel_lag_max"] = max(kernel) if kernel else math.nan
    return out


@dataclass(frozen=True)
class Budget:
    name: str
    key: str
    text: str
    met: Callable[[float], bool]
    unit: str = ""
    scale: float = 1.0


BUDGETS = (
    Budget(
        "main thread busy, share of the run", "busy", "<= 40 %", lambda v: v <= BUSY_MAX, "%", 100
    ),
    Budget("frames per second", "fps", ">= 30", lambda v: v >= FPS_MIN),
    Budget("worst gap between frames", "gap", "<= 200 ms", lambda v: v <= GAP_MAX_MS, "ms"),
    Budget("lag page behind model, max", "lag_max", "<= 1 s", lambda v: v <= LAG_MAX_S, "s"),
)


def verdicts(ours: dict, heap: dict | None) -> list[tuple[str, bool]]:
    """``(budget, met)`` for our page's medians and the heap."""
    out = []
    for b in BUDGETS:
        value = ours.get(b.key, math.nan)
        met = math.isfinite(value) and b.met(value)
        if b.key == "lag_max":
            met = met and ours.get("lag_missing", 0) == 0
        out.append((b.name, met))
    if heap is not None:
        out.append(("JS heap bounded over consecutive runs", bool(heap["bounded"])))
    return out


def comparison(ours: dict, bokeh: dict, heap: dict | None, heap_runs: Sequence[dict]) -> str:
    """The printed table: medians of the rounds, ours beside Bokeh's, budgets and verdicts."""
    met = dict(verdicts(ours, heap))
    lines = [f"{'measure':38s} {'ours':>10s} {'Bokeh':>10s}  {'budget':10s} verdict"]
    for b in BUDGETS:
        cells = [_value(side, b) for side in (ours, bokeh)]
        lines.append(
            f"{b.name:38s} {cells[0]:>10s} {cells[1]:>10s}  {b.text:10s} "
            f"{'PASS' if met[b.name] else 'FAIL'}"
        )
    for label, side in (("ours", ours), ("Bokeh", bokeh)):
        gaps = ", ".join(f"{g:.0f}" for g in side.get("gaps", []))
        lines.append(
            f"  {label}: {side.get('runs', 0)} runs, median {side.get('seconds', math.nan):.1f} s "
            f"each; 3 worst gaps (medians) {gaps} ms; whole machine busy "
            f"{side.get('machine', math.nan):.0%} (median)"
        )
    if "lag_p95" in ours:
        lines.append(
            f"  ours: lag p95 {ours['lag_p95']:.2f} s, "
            f"{ours['lag_missing']} model changes never shown; "
            f"model -> the kernel's view at most {ours.get('kernel_lag_max', math.nan):.2f} s"
        )
    if heap is not None:
        mib = [r["heap"] / 2**20 for r in heap_runs]
        nodes = [int(r["nodes"]) for r in heap_runs]
        lines += [
            f"JS heap after GC, MiB, {len(mib)} runs in a row: "
            + ", ".join(f"{m:.1f}" for m in mib),
            f"  growth run 1->{len(mib)} {heap['first_last'] / 2**20:+.2f} MiB, "
            f"run {len(mib) // 2}->{len(mib)} {heap['half_last'] / 2**20:+.2f} MiB "
            f"(budget <= +{HEAP_GROWTH_MAX:.0%} of run {len(mib) // 2}) "
            f"{'PASS' if heap['bounded'] else 'FAIL'}",
            "DOM nodes after each: " + ", ".join(str(n) for n in nodes),
        ]
    return "\n".join(lines)


def _value(side: dict, b: Budget) -> str:
    v = side.get(b.key)
    if v is None or not math.isfinite(v):
        return "n/a"
    return f"{fmt(v * b.scale)} {b.unit}".strip()


def rows(m: dict) -> list[Row]:
    """The figures as ``python -m bench`` rows (ours as the value, Bokeh's in the detail)."""
    ours, bokeh, heap = m["ours"], m["bokeh"], m.get("heap")
    met = dict(verdicts(ours, heap))
    out = []
    for b in BUDGETS:
        detail = (
            f"Bokeh /status: {_value(bokeh, b)}"
            if b.key in bokeh
            else "no counterpart on Bokeh's page"
        )
        out.append(
            Row(
                "11",
                f"workload page, {b.name}"
                + (" over" if b.key == "lag_max" else ", median of")
                + f" {ours['runs']} runs",
                ours.get(b.key, math.nan) * b.scale,
                b.unit,
                b.text,
                met[b.name],
                detail,
            )
        )
    if heap is not None:
        mib = [r["heap"] / 2**20 for r in m["heap_runs"]]
        out.append(
            Row(
                "11",
                f"workload page, JS heap after GC, growth run {len(mib) // 2}->{len(mib)} "
                f"of {len(mib)} in a row",
                heap["half_last"] / 2**20,
                "MiB",
                f"<= {HEAP_GROWTH_MAX:.0%} of run {len(mib) // 2}",
                bool(heap["bounded"]),
                f"run 1->{len(mib)} {heap['first_last'] / 2**20:+.2f} MiB; MiB after each run: "
                + ", ".join(f"{x:.1f}" for x in mib)
                + "; DOM nodes: "
                + ", ".join(str(int(r["nodes"])) for r in m["heap_runs"]),
            )
        )
    return out
