"""Runs in the benchmark process: the statistics every measurement shares.

Medians and 95th percentiles, ratios taken within one round (never across
rounds: the baseline drifts between batches on these noisy machines), and the
rotated run order that interleaves conditions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence


def percentile(values: Iterable[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, linear interpolation.

    NaN for no values; the same definition as ``numpy.percentile``'s default.
    """
    data = sorted(float(v) for v in values)
    if not data:
        return math.nan
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be between 0 and 100, got {q!r}")
    position = (len(data) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (position - low)


def median(values: Iterable[float]) -> float:
    """The median of ``values`` (NaN for none)."""
    return percentile(values, 50.0)


def p95(values: Iterable[float]) -> float:
    """The 95th percentile of ``values`` (NaN for none)."""
    return percentile(values, 95.0)


def rotated_orders(conditions: Sequence[str], rounds: int) -> list[list[str]]:
    """The run order of each round: round ``i`` starts ``i`` places further on.

    Every condition runs once per round and takes every position in turn, so
    warm-up and drift do not always favour the same one.
    """
    n = len(conditions)
    return [[conditions[(r + i) % n] for i in range(n)] for r in range(rounds)]


def ratios(rounds: Sequence[Mapping[str, float]], numerator: str, denominator: str) -> list[float]:
    """``numerator / denominator`` within each round that has both (finite, non-zero)."""
    out = []
    for values in rounds:
        a, b = values.get(numerator), values.get(denominator)
        if a is None or b is None or not (math.isfinite(a) and math.isfinite(b)) or b == 0:
            continue
        out.append(a / b)
    return out


def throughput_ratios(
    rounds: Sequence[Mapping[str, float]], condition: str, baseline: str
) -> list[float]:
    """Throughput of ``condition`` over ``baseline`` per round, from durations.

    Throughput is tasks per second, so the ratio is ``time(baseline) /
    time(condition)``: above 1 the condition was faster.
    """
    return ratios(rounds, baseline, condition)
