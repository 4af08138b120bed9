"""Runs in the kernel: writes cluster state into the models with what the pages derive.

The listener applies every delta through these functions, so a model's
derived traits (progress totals, the dashboards' cost rate, the worker
table's extra columns, totals row and histograms) always match the state they
come from, and views only draw.  Tests fill models through them too.  The
task-record state has its own path (the task store).

What is only needed to draw a large amount of data (the progress bars and
memory bars of the top ``max_bars`` of 10,000 prefixes) is left to the
views' throttled redraws, which do not run while a page is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..collect.messages import RESOURCE_FIELDS, PrefixCounts
from . import transforms as tf
from .models import ProgressModel, ResourcesModel, WorkersModel
from .workers import worker_summary


def set_progress(
    progress: ProgressModel,
    prefixes: dict[str, PrefixCounts],
    changed: Iterable[str] | None = None,
) -> None:
    """Show ``prefixes``; ``changed`` names the only prefixes that differ from
    the model's (``None``: any may), so the totals cost a few additions."""
    if changed is None:
        totals = tf.progress_totals(prefixes)
    else:
        totals = tf.moved_totals(progress.totals, progress.prefixes, prefixes, changed)
    with progress.hold_trait_notifications():
        progress.totals = totals
        progress.prefixes = prefixes


def add_resources(resources: ResourcesModel, columns: Mapping[str, Any]) -> None:
    """Append new samples (bounded by ``length``) and update the cost rate."""
    r = resources
    with r.hold_trait_notifications():
        for name in RESOURCE_FIELDS:
            if name in columns:
                setattr(r, name, tf.append_bounded(getattr(r, name), columns[name], r.length))
        r.cost_time, r.cost_percent = tf.cost_rate(r.time, r.dashboard_seconds)


def clear_resources(resources: ResourcesModel) -> None:
    """Drop every sample (a new scheduler)."""
    with resources.hold_trait_notifications():
        for name in (*RESOURCE_FIELDS, "cost_time", "cost_percent"):
            setattr(resources, name, [])


def set_worker_table(workers: WorkersModel, table: Mapping[str, Any], now: float) -> None:
    """Show the latest worker table (read at ``now``) and add it to the series."""
    summary = worker_summary(table)
    workers.series.add(table, now)
    with workers.hold_trait_notifications():
        workers.table = dict(table)
        workers.derived = summary["derived"]
        workers.total = summary["total"]
        workers.cpu_histogram = summary["cpu_histogram"]
        workers.memory_histogram = summary["memory_histogram"]
        workers.revision += 1
