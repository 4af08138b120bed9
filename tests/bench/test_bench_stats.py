"""The statistics helpers: percentiles, ratios within rounds, rotated orders."""

from __future__ import annotations

import math

import pytest

from bench import stats


def test_median_of_odd_and_even_counts():
    assert stats.median([3, 1, 2]) == 2
    assert stats.median([4, 1, 3, 2]) == 2.5


def test_p95_interpolates_like_numpy():
    values = list(range(1, 101))  # numpy.percentile(values, 95) == 95.05
    assert stats.p95(values) == pytest.approx(95.05)
    assert stats.percentile([5.0], 95) == 5.0


def test_empty_input_is_nan_and_bad_q_raises():
    assert math.isnan(stats.median([]))
    with pytest.raises(ValueError, match="between 0 and 100"):
        stats.percentile([1, 2], 101)


def test_rotated_orders_put_every_condition_in_every_position():
    orders = stats.rotated_orders(["a", "b", "c"], 3)
    assert orders == [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]
    for position in range(3):
        assert {o[position] for o in orders} == {"a", "b", "c"}


def test_ratios_are_taken_within_rounds_and_skip_incomplete_ones():
    rounds = [
        {"none": 10.0, "dash": 5.0},
        {"none": 8.0},
        {"none": 9.0, "dash": 0.0},
        {"none": 6.0, "dash": 3.0},
    ]
    assert stats.ratios(rounds, "dash", "none") == [0.5, 0.0, 0.5]
    # Throughput from durations: time(baseline) / time(condition).
    assert stats.throughput_ratios([{"none": 10.0, "dash": 5.0}], "dash", "none") == [2.0]
    assert stats.throughput_ratios([{"none": 10.0, "dash": 0.0}], "dash", "none") == []
