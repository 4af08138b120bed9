"""Runs in the kernel: every default in one place, overridable by ``dask.config``.

Each option can be set with a keyword argument, else from ``dask.config``
under ``dashmon.<name>`` (dashes or underscores), else the default below.
Values are validated here so a wrong one fails at once with a message saying
what was expected.

:data:`DEFAULTS` is the only place a default is written: the models' trait
defaults read :data:`DEFAULT_OPTIONS`, and the scheduler-side collector, which
cannot import this module, gets its settings from :func:`collector_options`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from numbers import Integral, Real
from typing import Any

import dask.config
from dask.utils import parse_timedelta

DEFAULTS: dict[str, Any] = {
    "interval": "200ms",
    "task-stream-length": 1000,
    "history": 100_000,
    "resource-length": 600,
    "resource-interval": "1s",
    "stream-gap": "10s",
    "max-bars": 25,
    "max-prefixes": 10_000,
    "lease": "60s",
    "resource-samples": 3600,
    "key-limit": 200,
    "runs-kept": 200,
    "error-groups": 100,
    "cells": True,
}

dask.config.update_defaults({"dashmon": DEFAULTS})


@dataclass(frozen=True)
class Options:
    """Validated dashboard options (times in seconds).

    Attributes
    ----------
    interval : float
        Seconds between polls of the collector.
    task_stream_length : int
        Task records the live task stream shows.
    history : int
        Task records kept, in the collector and in the kernel.
    resource_length : int
        Resource samples the kernel keeps.
    resource_interval : float
        Seconds between the collector's resource samples.
    stream_gap : float
        Seconds of quiet after which the live task stream starts afresh.
    max_bars : int
        Bars the progress and memory figures draw at most.
    max_prefixes : int
        Task prefixes the kernel keeps progress for.
    lease : float
        Seconds the collector keeps a dashboard that stopped polling.
    resource_samples : int
        Resource samples the collector keeps.
    key_limit : int
        Longest task-key text the collector keeps in a record.
    runs_kept : int
        Runs (cell executions, tracked blocks) kept, in the collector and the kernel.
    error_groups : int
        Groups of failed tasks (function and exception type) kept.
    cells : bool
        Attribute each notebook cell's Dask work to the cell, with a card
        under it.  The kernel reads ``dashmon.cells`` at every cell; as a
        keyword, whether this dashboard shows cards.
    """

    interval: float
    task_stream_length: int
    history: int
    resource_length: int
    resource_interval: float
    stream_gap: float
    max_bars: int
    max_prefixes: int
    lease: float
    resource_samples: int
    key_limit: int
    runs_kept: int
    error_groups: int
    cells: bool


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
    "resource_samples": (2, 1_000_000),
    "key_limit": (8, 100_000),
    "runs_kept": (1, 100_000),
    "error_groups": (1, 100_000),
}


#: Options that are on or off.
_FLAGS = ("cells",)


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
        values[name] = validate_option(name, raw, source)
    return Options(**values)


def validate_option(name: str, raw: Any, source: str) -> Any:
    if name in _FLAGS:
        if not isinstance(raw, bool):
            raise TypeError(f"{source} must be True or False, got {type(raw).__name__} {raw!r}")
        return raw
    if name in _TIME_BOUNDS:
        return _seconds(raw, source, *_TIME_BOUNDS[name])
    return _count(raw, source, *_INT_BOUNDS[name])


def collector_options(options: Options) -> dict[str, Any]:
    """Keyword arguments of the scheduler-side ``DashmonPlugin``, from ``options``."""
    return {
        "history": options.history,
        "resource_samples": options.resource_samples,
        "resource_interval": options.resource_interval,
        "lease": options.lease,
        "key_limit": options.key_limit,
        "runs_kept": options.runs_kept,
        "error_groups": options.error_groups,
    }


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
    value = int(raw)
    if not low <= value <= high:
        raise ValueError(f"{source} must be between {low:,} and {high:,}, got {value:,}")
    return value


#: :data:`DEFAULTS` validated, whatever ``dask.config`` says: the defaults of
#: the models' traits (a dashboard sets its own options on its models).
DEFAULT_OPTIONS = Options(
    **{
        f.name: validate_option(f.name, DEFAULTS[f.name.replace("_", "-")], f"default {f.name}")
        for f in fields(Options)
    }
)
