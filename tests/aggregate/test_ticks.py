"""Unit tests for :mod:`jupyter_dashmon.aggregate.ticks`, hand-written numbers only."""

from __future__ import annotations

import math
import random
import time

import numpy as np
import pytest

from jupyter_dashmon.aggregate import ticks as tk

UTC = lambda when: 0.0  # noqa: E731 - a fixed time zone keeps clock labels predictable


def is_nice(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m) for m in tk.NICE)


@pytest.mark.parametrize(
    ("span", "count", "step"),
    [(10, 5, 2), (1, 4, 0.25), (100, 4, 25), (0.9, 3, 0.5), (7, 1, 10), (1.748, 4, 0.5)],
)
def test_nice_step(span, count, step):
    assert tk.nice_step(span, count) == pytest.approx(step)


@pytest.mark.parametrize("span", [0.0013, 0.77, 3.3, 41, 999, 12345, 6.6e9])
def test_nice_step_is_one_two_two_and_a_half_or_five_times_a_power_of_ten(span):
    step = tk.nice_step(span, 4)
    assert is_nice(step)
    assert span / 4 <= step < span / 4 * 2.5 + 1e-12


def test_nice_step_of_nothing_is_one():
    assert tk.nice_step(0, 4) == 1.0
    assert tk.nice_step(float("nan"), 4) == 1.0


def test_js_key_writes_numbers_as_javascript_does():
    assert tk.js_key(3.0) == "3"
    assert tk.js_key(0.5) == "0.5"
    assert tk.js_key(-2.5) == "-2.5"
    assert tk.js_key(0.00001) == "0.00001"
    assert tk.js_key(1.1) == "1.1"
    assert tk.js_key(2.0**40) == "1099511627776"


def test_quantity_ticks_start_at_zero_and_end_round_above_the_peak():
    t = tk.quantity_ticks(76.9, count=4, unit="ms")
    assert t.lo == 0 and t.values[0] == 0
    assert t.hi == t.values[-1] >= 76.9 * (1 + tk.HEADROOM)
    assert t.values == [0, 25, 50, 75, 100]
    assert t.labels == {"0": "0", "25": "25 ms", "50": "50 ms", "75": "75 ms", "100": "100 ms"}


def test_quantity_ticks_of_small_cpu_values_are_never_negative():
    t = tk.quantity_ticks(6.01, count=4, unit="%")
    assert min(t.values) == 0 and t.lo == 0
    assert t.values == [0, 2, 4, 6, 8]
    assert t.labels["4"] == "4%"


def test_quantity_ticks_keep_a_floor_when_idle():
    t = tk.quantity_ticks(0.0, count=4, floor=10.0, unit="%")
    assert t.hi == 10 and t.values == [0, 2.5, 5, 7.5, 10]
    assert t.labels["2.5"] == "2.5%"


def test_quantity_ticks_leave_headroom_over_a_peak_on_a_round_value():
    t = tk.quantity_ticks(100.0, count=4, unit="%")
    assert t.hi > 100


def test_quantity_ticks_scaled_labels():
    t = tk.quantity_ticks(0.0769, count=4, floor=0.001, unit="ms", scale=0.001)
    assert t.values == pytest.approx([0, 0.025, 0.05, 0.075, 0.1])
    assert set(t.labels.values()) == {"0", "25 ms", "50 ms", "75 ms", "100 ms"}


def test_byte_ticks_use_binary_units_with_round_labels():
    t = tk.byte_ticks(1.3 * 2**30, count=4)
    assert t.lo == 0
    assert all(v % 2**29 == 0 for v in t.values)
    assert t.labels[tk.js_key(2**29)] == "0.5 GiB" and t.labels[tk.js_key(2**30)] == "1 GiB"
    assert t.hi >= 1.3 * 2**30
    assert t.labels["0"] == "0"


def test_byte_ticks_small_and_per_second():
    t = tk.byte_ticks(3000, count=4, per_second=True)
    assert t.values == [0, 1024, 2048, 3072, 4096]
    assert t.labels["2048"] == "2 KiB/s"
    tiny = tk.byte_ticks(500, count=4, per_second=True)
    assert tiny.hi >= 1024 and all(v.endswith("KiB/s") for v in list(tiny.labels.values())[1:])
    idle = tk.byte_ticks(0, count=4)
    assert idle.hi >= 1024 and min(idle.values) == 0


def test_every_label_key_is_a_tick_value():
    for t in (tk.byte_ticks(57e6, 4), tk.quantity_ticks(0.376, 4, unit="ms")):
        assert set(t.labels) == {tk.js_key(v) for v in t.values}


def test_clock_step():
    assert tk.clock_step(60, 4) == 15
    assert tk.clock_step(7.3, 5) == 2
    assert tk.clock_step(300, 4) == 120
    assert tk.clock_step(0.4, 4) == 0.1


def test_clock_ticks_fall_on_round_clock_times():
    t0 = 1_700_000_003.3
    ticks = tk.clock_ticks(t0, t0 + 58, count=4, offset=UTC)
    assert ticks == [1_700_000_010 + 15 * i for i in range(4)]
    assert tk.clock_label(ticks[0], 15, offset=UTC) == "22:13:30"


def test_a_clock_axis_gets_two_ticks_at_least():
    # 7 s asked in two ticks: a 5 s step leaves :20 alone between :16 and :23;
    # twice the next smaller step (4 s) gives two, none closer than 3.5 s.
    t0 = 1_700_000_016.0
    assert tk.clock_step(7.0, 2) == 5
    step, ticks = tk.clock_grid(t0, t0 + 7.0, count=2, offset=UTC)
    assert step == 4 and ticks == [1_700_000_016.0, 1_700_000_020.0]
    # Where the asked step gives two already, it stays.
    assert tk.clock_grid(t0 - 1.0, t0 + 7.0, count=2, offset=UTC)[0] == 5


@pytest.mark.parametrize("count", [2, 3, 4, 5])
def test_clock_ticks_are_never_closer_than_the_span_over_count(count: int) -> None:
    # What keeps clock labels apart on a narrow plot (the 250 px side panel).
    rng = np.random.default_rng(count)
    for _ in range(3000):
        t0 = 1_700_000_000.0 + float(rng.uniform(0, 86400))
        span = float(10 ** rng.uniform(-2, 4.5))
        step, ticks = tk.clock_grid(t0, t0 + span, count, offset=UTC)
        assert ticks and all(t0 <= v <= t0 + span for v in ticks), (t0, span)
        gaps = np.diff(ticks)
        assert (gaps >= span / count - 1e-5).all(), (t0, span, ticks)
        assert np.allclose(gaps, step, rtol=0, atol=1e-5), (t0, span, step, ticks)


def test_clock_ticks_honour_the_time_zone():
    t0 = 1_700_000_000.0
    shifted = tk.clock_ticks(t0, t0 + 3600, count=2, offset=lambda _: 1800.0)
    # Every half hour of local time (UTC+0:30) is a quarter past or before an hour of UTC.
    assert all((v + 1800) % 1800 == 0 for v in shifted)
    assert tk.clock_label(shifted[0], 1800, offset=lambda _: 1800.0).endswith(":00:00") or (
        tk.clock_label(shifted[0], 1800, offset=lambda _: 1800.0).endswith(":30:00")
    )


def test_clock_labels_with_sub_second_steps():
    assert tk.clock_label(1_700_000_000.5, 0.5, offset=UTC) == "22:13:20.5"
    assert tk.clock_label(1_700_000_000.0, 0.2, offset=UTC) == "22:13:20.0"
    assert tk.clock_label(1_700_000_000.05, 0.05, offset=UTC) == "22:13:20.05"


def test_ago_ticks():
    t = tk.ago_ticks(60, count=4)
    assert (t.lo, t.hi) == (-60, 0)
    assert t.values == [-60, -45, -30, -15, 0]
    assert t.labels["-45"] == "45 s ago" and t.labels["0"] == "now"


def test_break_gaps_inserts_nan_in_long_gaps_only():
    times = [0, 1, 2, 3, 30, 31, 32]
    t, ys = tk.break_gaps(times, [[1, 2, 3, 4, 5, 6, 7], [0] * 7])
    assert len(t) == 8 and t[4] == pytest.approx(16.5)
    assert np.isnan(ys[0, 4]) and np.isnan(ys[1, 4])
    assert list(ys[0, [0, 1, 2, 3, 5, 6, 7]]) == [1, 2, 3, 4, 5, 6, 7]


def test_break_gaps_leaves_regular_series_alone():
    t, ys = tk.break_gaps([0, 1, 2.1, 3, 4.2], [[1, 2, 3, 4, 5]])
    assert list(t) == [0, 1, 2.1, 3, 4.2] and not np.isnan(ys).any()


def test_spread_moves_close_labels_apart_within_bounds():
    assert tk.spread([5.0, 5.5], gap=2.0, lo=0, hi=100) == [5.0, 7.0]
    assert tk.spread([99.0, 98.0], gap=4.0, lo=0, hi=100) == [100.0, 96.0]
    assert tk.spread([10.0, 50.0], gap=4.0, lo=0, hi=100) == [10.0, 50.0]
    assert tk.spread([], gap=1.0, lo=0, hi=1) == []


@pytest.mark.parametrize(
    "zone", ["UTC", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"]
)
def test_clock_text_reads_as_the_local_clock_across_offset_changes(monkeypatch, zone):
    # The offset is looked up once a quarter hour; a change of offset (daylight
    # saving, 30- and 45-minute zones) falls on a quarter hour, so every second
    # still reads as time.localtime says.
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    tk._offset_of_span.cache_clear()
    try:
        rng = random.Random(7)
        moments = [rng.uniform(1.5e9, 1.9e9) for _ in range(2000)]
        # Seconds around two daylight-saving changes of 2024 (New York, Lord Howe).
        moments += [t + 0.5 for t in range(1710054000 - 3600, 1710054000 + 3600, 13)]
        moments += [t + 0.5 for t in range(1712415600 - 3600, 1712415600 + 3600, 13)]
        for t in moments:
            assert tk.clock_text(t) == time.strftime("%H:%M:%S", time.localtime(t)), t
    finally:
        monkeypatch.undo()
        time.tzset()
        tk._offset_of_span.cache_clear()
