"""Unit tests for :func:`jupyter_dashmon.config.resolve_options`.

``config.py`` lives at the package top level; its options are read in the
kernel by the aggregate layer, so its tests live here.
"""

from __future__ import annotations

import ast
import inspect
import math
import re
from dataclasses import fields
from pathlib import Path

import dask.config
import pytest

from jupyter_dashmon.collect import DashmonPlugin
from jupyter_dashmon.config import (
    DEFAULT_OPTIONS,
    DEFAULTS,
    Options,
    collector_options,
    resolve_options,
)


def test_defaults():
    o = resolve_options()
    assert o == Options(
        interval=0.2,
        task_stream_length=1000,
        history=100_000,
        resource_length=600,
        resource_interval=1.0,
        stream_gap=10.0,
        max_bars=25,
        max_prefixes=10_000,
        lease=60.0,
        resource_samples=3600,
        key_limit=200,
        runs_kept=200,
        error_groups=100,
        cells=True,
    )
    assert isinstance(o.interval, float) and isinstance(o.history, int)


def test_every_option_has_one_default():
    assert sorted(DEFAULTS) == sorted(f.name.replace("_", "-") for f in fields(Options))


def test_readme_lists_every_option_with_its_default():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Options", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", section, flags=re.MULTILINE)
    assert {name.replace("_", "-"): ast.literal_eval(v) for name, v in rows} == DEFAULTS


def test_default_options_ignore_dask_config():
    with dask.config.set({"dashmon.max-bars": 3}):
        assert resolve_options().max_bars == 3
        assert DEFAULT_OPTIONS.max_bars == 25
    assert resolve_options() == DEFAULT_OPTIONS


def test_collector_options_are_the_plugins_parameters():
    o = resolve_options(history=7, lease="5s", key_limit=40)
    kwargs = collector_options(o)
    assert kwargs == {
        "history": 7,
        "resource_samples": 3600,
        "resource_interval": 1.0,
        "lease": 5.0,
        "key_limit": 40,
        "runs_kept": 200,
        "error_groups": 100,
    }
    # The scheduler-side collector has no defaults of its own: all come from here.
    parameters = inspect.signature(DashmonPlugin).parameters.values()
    assert {p.name for p in parameters} == set(kwargs)
    assert all(p.default is inspect.Parameter.empty for p in parameters)
    plugin = DashmonPlugin(**kwargs)
    assert (plugin.history, plugin.lease, plugin.key_limit) == (7, 5.0, 40)


def test_collector_options_follow_dask_config():
    with dask.config.set({"dashmon.resource-samples": 50, "dashmon.key_limit": 64}):
        kwargs = collector_options(resolve_options())
    assert (kwargs["resource_samples"], kwargs["key_limit"]) == (50, 64)


def test_defaults_registered_with_dask_config():
    assert dask.config.get("dashmon.interval") == DEFAULTS["interval"]
    assert dask.config.get("dashmon.task-stream-length") == DEFAULTS["task-stream-length"]


def test_dask_config_overrides_default():
    with dask.config.set({"dashmon.interval": "250ms"}):
        assert resolve_options().interval == 0.25
    assert resolve_options().interval == 0.2


@pytest.mark.parametrize("key", ["dashmon.task-stream-length", "dashmon.task_stream_length"])
def test_dask_config_dashes_or_underscores(key):
    with dask.config.set({key: 7}):
        assert resolve_options().task_stream_length == 7


def test_dask_config_numbers_and_strings():
    with dask.config.set({"dashmon.lease": 5, "dashmon.stream-gap": "2 minutes"}):
        o = resolve_options()
    assert (o.lease, o.stream_gap) == (5.0, 120.0)


def test_keyword_wins_over_dask_config():
    with dask.config.set({"dashmon.interval": "250ms", "dashmon.max-bars": 3}):
        o = resolve_options(interval="2s", max_bars=40)
    assert (o.interval, o.max_bars) == (2.0, 40)


def test_keyword_none_means_not_given():
    with dask.config.set({"dashmon.interval": "250ms"}):
        assert resolve_options(interval=None).interval == 0.25
    assert resolve_options(history=None).history == 100_000


def test_bounds_are_inclusive():
    o = resolve_options(interval=0.001, stream_gap=0, max_bars=1000, resource_length=2)
    assert (o.interval, o.stream_gap, o.max_bars, o.resource_length) == (0.001, 0.0, 1000, 2)


def test_numeric_types_accepted():
    np = pytest.importorskip("numpy")
    o = resolve_options(interval=np.float64(0.5), max_bars=np.int64(30), lease=2)
    assert (o.interval, o.max_bars, o.lease) == (0.5, 30, 2.0)
    assert type(o.max_bars) is int


# Each bad input: (kwargs, exception, words the message must contain).
BAD = [
    ({"interval": 0}, ValueError, ["interval", "between 0.001 and 3600 seconds"]),
    ({"interval": -1}, ValueError, ["interval", "between", "seconds", "-1"]),
    ({"interval": "-5s"}, ValueError, ["interval", "'-5s'"]),
    ({"interval": 10**9}, ValueError, ["interval", "between 0.001 and 3600 seconds"]),
    ({"interval": "2 days"}, ValueError, ["interval", "between 0.001 and 3600 seconds", "2 days"]),
    ({"interval": "soon"}, ValueError, ["interval", "'soon'", "not a time", "250ms"]),
    ({"interval": True}, TypeError, ["interval", "number of seconds or a time string", "bool"]),
    ({"interval": [1]}, TypeError, ["interval", "number of seconds or a time string", "list"]),
    ({"interval": {"s": 1}}, TypeError, ["interval", "dict"]),
    ({"interval": math.nan}, ValueError, ["interval", "between", "nan"]),
    ({"interval": math.inf}, ValueError, ["interval", "between", "inf"]),
    ({"lease": "0.5s"}, ValueError, ["lease", "between 1 and 86400 seconds"]),
    ({"resource_interval": 0.001}, ValueError, ["resource_interval", "between 0.01"]),
    ({"history": -5}, ValueError, ["history", "between 1 and 10,000,000", "-5"]),
    ({"history": 0}, ValueError, ["history", "between 1"]),
    ({"history": 10**12}, ValueError, ["history", "between 1 and 10,000,000"]),
    ({"history": 1.5}, TypeError, ["history", "whole number", "float"]),
    ({"history": 100.0}, TypeError, ["history", "whole number", "float"]),
    ({"history": math.nan}, TypeError, ["history", "whole number"]),
    ({"history": math.inf}, TypeError, ["history", "whole number"]),
    ({"history": "100"}, TypeError, ["history", "whole number", "str"]),
    ({"max_bars": True}, TypeError, ["max_bars", "whole number", "bool"]),
    ({"max_bars": 1001}, ValueError, ["max_bars", "between 1 and 1,000"]),
    ({"resource_length": 1}, ValueError, ["resource_length", "between 2"]),
    ({"task_stream_length": [10]}, TypeError, ["task_stream_length", "whole number", "list"]),
    ({"bogus": 1}, TypeError, ["unknown", "'bogus'", "expected any of", "interval"]),
    ({"intervall": "1s", "maxbars": 3}, TypeError, ["'intervall'", "'maxbars'"]),
]


@pytest.mark.parametrize("kwargs, exc, words", BAD, ids=[repr(b[0]) for b in BAD])
def test_bad_keyword_inputs(kwargs, exc, words):
    with pytest.raises(exc) as info:
        resolve_options(**kwargs)
    message = str(info.value)
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    "key, value, exc, words",
    [
        ("dashmon.interval", None, TypeError, ["dashmon.interval", "NoneType"]),
        ("dashmon.interval", "fast", ValueError, ["dashmon.interval", "'fast'", "not a time"]),
        ("dashmon.history", "lots", TypeError, ["dashmon.history", "whole number"]),
        ("dashmon.max-bars", 0, ValueError, ["dashmon.max_bars", "between 1"]),
    ],
)
def test_bad_dask_config_inputs_name_the_config_key(key, value, exc, words):
    with dask.config.set({key: value}), pytest.raises(exc) as info:
        resolve_options()
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    "value", ["1e400s", "", "   ", 10**400], ids=["1e400s", "empty", "blank", "10**400"]
)
def test_unparseable_or_overflowing_times_raise_value_error(value):
    with pytest.raises(ValueError, match="interval"):
        resolve_options(interval=value)
