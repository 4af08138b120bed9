"""Runs in the kernel: every default in one place, overridable by ``dask.config``.

Each option can be set with a keyword argument, else from ``dask.config``
under ``dashmon.<name>`` (dashes or underscores), else the default below.
Values are validated here so a wrong one fails at once with a message saying
what was expected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from numbers import Integral, Real
from typing import Any

import dask.config
from dask.utils import parse_timedelta

DEFAULTS: dict[str, Any] = {
    "interval": "100ms",
    "task-stream-length": 1000,
    "history": 100_000,
    "resource-length": 600,
    "resource-interval": "1s",
    "stream-gap": "10s",
    "max-bars": 25,
    "max-prefixes": 10_000,
    "lease": "60s",
}

dask.config.update_defaults({"dashmon": DEFAULTS})


@dataclass(frozen=True)
class Options:
    """Validated dashboard options (times in seconds)."""

    interval: float
    task_stream_length: int
    history: int
    resource_length: int
    resource_interval: float
    stream_gap: float
    max_bars: int
    max_prefixes: int
    lease: float


#: (smallest, largest) accepted value per option.
_TIME_BOUNDS = {
    "interval": (0.001, 3600.0),
    "resource_interval": (0.01, 3600.0),
    "stream_gap": (0.0, 86400.0),
    "lease": (1.0, 86400.0),
}
_INT_BOUNDS = {
    "task_stream_length": (1, 100_000),
    "history": (1, 10_000_000),
    "resource_length": (2, 1_000_000),
    "max_bars": (1, 1000),
    "max_prefixes": (1, 1_000_000),
}


def resolve_options(**kwargs: Any) -> Options:
    """Options from keywords, then ``dask.config``, then defaults, validated.

    Raises
    ------
    TypeError
        For an unknown option or a value of the wrong type.
    ValueError
        For a value out of range or a time string that does not parse.
    """
    names = [f.name for f in fields(Options)]
    unknown = sorted(set(kwargs) - set(names))
    if unknown:
        raise TypeError(
            f"unknown dashboard option(s) {', '.join(map(repr, unknown))}; "
            f"expected any of {', '.join(names)}"
        )
    values = {}
    for name in names:
        if kwargs.get(name) is not None:
            raw, source = kwargs[name], f"{name}="
        else:
            raw, source = dask.config.get(f"dashmon.{name.replace('_', '-')}"), f"dashmon.{name}"
        if name in _TIME_BOUNDS:
            values[name] = _seconds(raw, source, *_TIME_BOUNDS[name])
        else:
            values[name] = _count(raw, source, *_INT_BOUNDS[name])
    return Options(**values)


def _seconds(raw: Any, source: str, low: float, high: float) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (Real, str)):
        raise TypeError(
            f"{source} must be a number of seconds or a time string such as '250ms', "
            f"got {type(raw).__name__} {raw!r}"
        )
    if isinstance(raw, str):
        try:
            value = float(parse_timedelta(raw))
        except (ValueError, KeyError, TypeError, IndexError, OverflowError):
            raise ValueError(
                f"{source} got {raw!r}, which is not a time; "
                "use seconds or a string such as '250ms'"
            ) from None
    else:
        try:
            value = float(raw)
        except OverflowError:
            value = math.inf
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{source} must be between {low:g} and {high:g} seconds, got {raw!r}")
    return value


def _count(raw: Any, source: str, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, Integral):
        raise TypeError(f"{source} must be a whole number, got {type(raw).__name__} {raw!r}")
    if not low <= raw <= high:
        raise ValueError(f"{source} must be between {low:,} and {high:,}, got {raw:,}")
    return int(raw)
