"""Unit tests for :mod:`jupyter_dashmon.aggregate.workers`: hand-written data,
and numpy as the reference for the histogram."""

from __future__ import annotations

import math
import random

import pytest

from jupyter_dashmon.aggregate import workers as aw
from jupyter_dashmon.collect.messages import WORKER_FIELDS

GiB = 2**30


def table(*rows: dict) -> dict:
    """A columnar worker table from partial rows (missing numbers are 0)."""
    full = [
        {"address": f"tcp://w{i}", "name": f"w{i}", "last_seen": 100.0}
        | {f: 0 for f in WORKER_FIELDS if f not in ("address", "name", "last_seen")}
        | row
        for i, row in enumerate(rows)
    ]
    return {field: [r[field] for r in full] for field in WORKER_FIELDS}


def test_with_derived_columns():
    t = table(
        {"memory": 2 * GiB, "memory_limit": 8 * GiB, "last_seen": 100.0},
        {"memory": 1 * GiB, "memory_limit": 0, "last_seen": 97.5},
    )
    out = aw.with_derived_columns(t)
    assert out["memory_pct"] == [25.0, 0.0]  # no limit: 0 rather than a division by zero
    assert out["seen_ago"] == [0.0, 2.5]
    assert list(out)[: len(WORKER_FIELDS)] == list(WORKER_FIELDS)
    assert t["memory"] == [2 * GiB, 1 * GiB] and "memory_pct" not in t  # input untouched


def test_with_derived_columns_empty():
    out = aw.with_derived_columns({})
    assert out == {"memory_pct": [], "seen_ago": []}


def test_bar_names_disambiguate_shared_names():
    rows = [
        {"name": "a", "address": "x"},
        {"name": "a", "address": "y"},
        {"name": "b", "address": "z"},
    ]
    assert aw.bar_names(rows) == ["a (x)", "a (y)", "b"]


def test_summary_histogram_spans_at_least_100():
    edges, counts = aw.summary_histogram([10.0, 55.0, 99.0, float("nan")])
    assert len(edges) == aw.BINS and edges[0] == 0.0 and edges[1] == pytest.approx(5.0)
    assert sum(counts) == 3  # NaN left out
    edges, counts = aw.summary_histogram([0.0, 400.0])
    assert edges[1] == pytest.approx(20.0) and counts[0] == 1 and counts[-1] == 1


@pytest.mark.parametrize("upper", [None, 100.0, 150.0])
def test_histogram_counts_as_numpy_does(upper):
    # Bins closed on the left, the last closed on both sides, values outside
    # [0, top] and NaN left out: np.histogram's rule, at a tenth of its cost.
    import numpy as np

    rng = random.Random(3)
    for _ in range(500):
        bins = rng.choice([5, 10, 20])
        values = [
            rng.choice([rng.uniform(0, 150), float(rng.randint(0, 100)), 100.0, -1.0, math.nan])
            for _ in range(rng.randint(0, 40))
        ]
        edges, counts = aw.histogram(values, bins, upper)
        data = np.asarray(values, dtype=float)
        data = data[np.isfinite(data)]
        top = upper if upper is not None else (float(data.max()) if len(data) else 1.0)
        expected, expected_edges = np.histogram(data, bins=bins, range=(0.0, max(top, 1e-9)))
        assert counts == expected.tolist(), values
        assert edges == pytest.approx(expected_edges[:-1].tolist())


def test_histogram_bars_edges_and_labels():
    lo, hi, counts, labels = aw.histogram_bars([0.0, 5.0, 10.0], [1, 0, 3])
    assert lo == [0.0, 5.0, 10.0] and hi == [5.0, 10.0, 15.0] and counts == [1, 0, 3]
    assert labels == ["0\u20135 %: 1 worker", "5\u201310 %: 0 workers", "10\u201315 %: 3 workers"]
    assert aw.histogram_bars([], []) == ([], [], [], [])


def test_worker_summary():
    t = table(
        {"nthreads": 2, "cpu": 50.0, "memory": 2 * GiB, "memory_limit": 8 * GiB},
        {"nthreads": 4, "cpu": 150.0, "memory": 6 * GiB, "memory_limit": 8 * GiB},
    )
    s = aw.worker_summary(t)
    assert s["derived"]["memory_pct"] == [25.0, 75.0]
    assert s["total"]["name"] == "Total (2 workers)"
    assert s["total"]["nthreads"] == 6 and s["total"]["cpu"] == 100.0
    assert s["total"]["memory_pct"] == 50.0
    cpu = s["cpu_histogram"]
    assert sum(cpu["counts"]) == 2 and len(cpu["lo"]) == len(cpu["labels"]) == aw.BINS
    assert cpu["hi"][-1] == pytest.approx(150.0)  # the top bin ends at the busiest worker
    memory = s["memory_histogram"]
    assert memory["counts"][5] == 1 and memory["counts"][15] == 1  # 25 % and 75 % of 0..100


def test_worker_summary_of_no_workers():
    s = aw.worker_summary({})
    assert s["total"] == {"name": "Total (0 workers)"}
    assert sum(s["cpu_histogram"]["counts"]) == 0 and sum(s["memory_histogram"]["counts"]) == 0


def test_sorted_rows_and_totals_row():
    t = table({"memory": 3.0, "cpu": 10.0}, {"memory": 1.0, "cpu": 30.0})
    assert [r["name"] for r in aw.sorted_rows(t, "memory", True)] == ["w1", "w0"]
    assert [r["name"] for r in aw.sorted_rows(t, "nonsense", False)] == ["w1", "w0"]
    total = aw.totals_row(t)
    assert total["memory"] == 4.0 and total["cpu"] == 20.0 and total["address"] == ""
