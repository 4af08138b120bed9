"""Runs in the kernel: round tick values and their labels, for every figure axis.

Pure functions over plain numbers.  A quantity axis (bytes, %, ms, counts)
starts at 0 and ends on a round value a little above the peak, with ticks at
a "nice" step (1, 2, 2.5 or 5 times a power of ten, in the unit the labels
use); a time axis gets ticks on round clock times (every 1, 2, 5, 10, 15 or
30 seconds, minutes...) in the kernel's local time.

Labels are returned as ``{key: text}`` where ``key`` is the tick value
written the way JavaScript writes a number (:func:`js_key`), which is how
bqplot's ``Axis.tick_labels`` looks a tick up.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

#: Mantissas of a nice step, times a power of ten.
NICE = (1.0, 2.0, 2.5, 5.0, 10.0)

#: Binary byte units (IEC), largest first: axes and every text in bytes.
BYTE_UNITS = (("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10))

#: Steps of a clock axis, in seconds.
CLOCK_STEPS = (
    *(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5),
    *(1, 2, 5, 10, 15, 30),
    *(60, 120, 300, 600, 900, 1800),
    *(3600, 7200, 10800, 21600, 43200, 86400),
)

#: Share of the peak left free above it on a quantity axis.
HEADROOM = 0.08


class Ticks(NamedTuple):
    """An axis: the scale's range ``lo``..``hi``, tick ``values`` and their ``labels``."""

    lo: float
    hi: float
    values: list[float]
    labels: dict[str, str]


def labelled(ticks: Ticks) -> list[list]:
    """``[value, label]`` per tick of ``ticks``, as the package's own widgets take them."""
    return [[v, ticks.labels[js_key(v)]] for v in ticks.values]


def nice_step(span: float, count: int) -> float:
    """The smallest nice number (1, 2, 2.5, 5 x 10^k) at least ``span / count``."""
    raw = abs(float(span)) / max(count, 1)
    if not raw > 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for mantissa in NICE:
        if mantissa * power >= raw * (1 - 1e-9):
            return mantissa * power
    return 10.0 * power  # pragma: no cover - NICE ends at 10


def multiples(lo: float, hi: float, step: float) -> list[float]:
    """Multiples of ``step`` between ``lo`` and ``hi`` inclusive, rounded clean."""
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    digits = max(0, -math.floor(math.log10(step)) + 2)
    return [round(i * step, digits) for i in range(first, last + 1)]


def js_key(value: float) -> str:
    """``value`` as JavaScript's ``String(value)`` writes it (``3``, ``0.5``, ``1e-7``)."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if 1e-7 <= abs(value) < 1e21:
        return np.format_float_positional(value, trim="-")
    return repr(value).replace("e-0", "e-").replace("e+0", "e+")


def _number(value: float) -> str:
    return f"{value:,.10g}"


def quantity_ticks(
    peak: float,
    count: int = 4,
    floor: float = 1.0,
    unit: str = "",
    scale: float = 1.0,
) -> Ticks:
    """A 0-based axis for a quantity whose largest value is ``peak``.

    The top is a multiple of the step at least ``peak`` plus :data:`HEADROOM`
    (and at least ``floor``), so the largest value never lies on the border.
    ``scale`` divides values for their labels (1000 for seconds shown in ms,
    say), and ``unit`` follows each non-zero label.
    """
    top = max(float(peak) if math.isfinite(peak) else 0.0, 0.0) * (1 + HEADROOM)
    top = max(top, floor)
    step = nice_step(top / scale, count) * scale
    hi = math.ceil(top / step - 1e-9) * step
    values = multiples(0.0, hi, step)
    suffix = f" {unit}" if unit and unit != "%" else unit
    labels = {js_key(v): "0" if v == 0 else f"{_number(v / scale)}{suffix}" for v in values}
    return Ticks(0.0, float(values[-1]), values, labels)


def byte_ticks(peak: float, count: int = 4, per_second: bool = False) -> Ticks:
    """A 0-based axis in bytes with binary units: ``0, 0.5 GiB, 1 GiB, 1.5 GiB``."""
    top = max(float(peak) if math.isfinite(peak) else 0.0, 1024.0) * (1 + HEADROOM)
    unit, size = "B", 1
    for name, bytes_ in BYTE_UNITS:
        if top >= bytes_:
            unit, size = name, bytes_
            break
    ticks = quantity_ticks(peak, count, floor=1024.0, unit=unit, scale=size)
    if per_second:
        labels = {k: v if v == "0" else f"{v}/s" for k, v in ticks.labels.items()}
        return ticks._replace(labels=labels)
    return ticks


#: Every UTC offset is a whole number of quarter hours and changes on a quarter
#: hour, so one lookup serves a whole quarter hour of timestamps.
OFFSET_SPAN = 900


@functools.lru_cache(maxsize=64)
def _offset_of_span(span: int) -> float:
    return float(time.localtime(span * OFFSET_SPAN).tm_gmtoff)


def local_offset(when: float) -> float:
    """Seconds to add to epoch seconds ``when`` to read them as local clock time."""
    return _offset_of_span(int(when // OFFSET_SPAN))


def clock_text(when: float) -> str:
    """Epoch seconds ``when`` as the kernel's local clock time, ``HH:MM:SS``.

    Arithmetic on the cached offset: hover texts are made for every sample
    of a chart on each redraw.
    """
    s = int(when + local_offset(when)) % 86400
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def clock_step(span: float, count: int) -> float:
    """The smallest step of :data:`CLOCK_STEPS` at least ``span / count`` seconds."""
    raw = max(float(span), 1e-9) / max(count, 1)
    for step in CLOCK_STEPS:
        if step >= raw:
            return float(step)
    return float(CLOCK_STEPS[-1]) * math.ceil(raw / CLOCK_STEPS[-1])


def clock_grid(
    t0: float, t1: float, count: int = 5, offset: Callable[[float], float] = local_offset
) -> tuple[float, list[float]]:
    """The step and the epoch seconds in ``[t0, t1]`` on round local clock times.

    Neighbours are never closer than ``(t1 - t0) / count``: that is what keeps
    their labels apart on a plot of a given width.  Two at least where that
    allows: where the step for ``count`` leaves a single one in the range,
    twice a smaller step of :data:`CLOCK_STEPS` is tried (an axis with one
    label has no scale).
    """
    if not t1 > t0:
        return clock_step(1.0, count), []
    gap = (t1 - t0) / max(count, 1)
    step = clock_step(t1 - t0, count)
    shift = offset(t0)
    values = [v - shift for v in multiples(t0 + shift, t1 + shift, step)]
    for double in sorted((2.0 * s for s in CLOCK_STEPS if gap <= 2.0 * s < step), reverse=True):
        if len(values) >= 2:
            break
        more = [v - shift for v in multiples(t0 + shift, t1 + shift, double)]
        if len(more) > len(values):
            step, values = double, more
    return step, values


def clock_ticks(
    t0: float, t1: float, count: int = 5, offset: Callable[[float], float] = local_offset
) -> list[float]:
    """Epoch seconds in ``[t0, t1]`` that fall on round local clock times (:func:`clock_grid`)."""
    return clock_grid(t0, t1, count, offset)[1]


def clock_label(when: float, step: float, offset: Callable[[float], float] = local_offset) -> str:
    """``when`` (epoch seconds) as ``HH:MM:SS`` local time, with the decimals ``step`` needs."""
    local = when + offset(when)
    whole = math.floor(local + 1e-6)
    text = time.strftime("%H:%M:%S", time.gmtime(whole))
    if step < 1:
        decimals = min(3, -math.floor(math.log10(step) + 1e-9))
        fraction = max(round((local - whole) * 10**decimals), 0)
        text += f".{fraction:0{decimals}d}"
    return text


def ago_ticks(span: float, count: int = 2) -> Ticks:
    """An axis of seconds before now (``-span`` to 0), labelled ``60 s ago`` ... ``now``."""
    step = clock_step(span, count)
    values = multiples(-span, 0.0, step)
    labels = {js_key(v): "now" if v == 0 else f"{_number(-v)} s ago" for v in values}
    return Ticks(-float(span), 0.0, values, labels)


def break_gaps(
    times: ArrayLike, series: Sequence[ArrayLike], factor: float = 5.0
) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN point in every gap longer than ``factor`` typical intervals.

    A line drawn through the result is broken across idle gaps instead of
    joining the points on either side straight.  Returns the new times and a
    2-D array of series (one row per input series).
    """
    t = np.asarray(times, dtype=float)
    ys = np.atleast_2d(np.asarray(series, dtype=float))
    if len(t) < 3:
        return t, ys
    dt = np.diff(t)
    typical = float(np.median(dt))
    gaps = np.nonzero(dt > factor * typical)[0] if typical > 0 else np.array([], dtype=int)
    if not len(gaps):
        return t, ys
    cut = gaps + 1
    t_new = np.insert(t, cut, (t[gaps] + t[gaps + 1]) / 2)
    ys_new = np.insert(ys, cut, np.nan, axis=1)
    return t_new, ys_new


def spread(values: Sequence[float], gap: float, lo: float, hi: float) -> list[float]:
    """``values`` moved apart until neighbours are at least ``gap`` apart, kept in ``[lo, hi]``.

    Where labels of several lines end at about the same height, this keeps
    their text from overlapping while each stays as near its line as it can.
    """
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [min(max(float(values[i]), lo), hi) for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    overshoot = placed[-1] - hi if placed else 0.0
    if overshoot > 0:
        placed[-1] = hi
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    out = [0.0] * len(values)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out
