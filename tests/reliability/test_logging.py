"""A failure that repeats every tick is logged once on ``jupyter_dashmon``, not once per tick."""

from __future__ import annotations

import logging
import time

from reliability_procs import sigkill
from workloads import inc, noop

import jupyter_dashmon  # noqa: F401  (adds Client.dashboard)
from jupyter_dashmon.aggregate import listener as listener_module
from jupyter_dashmon.aggregate import transforms as tf
from jupyter_dashmon.collect.messages import PLUGIN_NAME


def dashmon_records(caplog, level=logging.WARNING) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "jupyter_dashmon" and r.levelno >= level]


def test_a_scheduler_gone_for_seconds_logs_one_warning(proc_cluster, waiter, caplog):
    from distributed import Client

    caplog.set_level(logging.DEBUG, logger="jupyter_dashmon")
    with Client(proc_cluster.address, timeout="30s", set_as_default=False) as client:
        client.wait_for_workers(1, timeout=30)
        dash = client.dashboard(interval=0.05)
        try:
            waiter(lambda: dash.model.status.state == "live", 20, "live")
            caplog.clear()
            sigkill(proc_cluster.scheduler)
            waiter(lambda: dash.model.status.state == "disconnected", 5, "disconnected")
            time.sleep(5.0)  # 100 ticks at this interval
            warnings = dashmon_records(caplog)
            assert len(warnings) == 1, [r.getMessage() for r in warnings]
            assert warnings[0].exc_info is None  # a plain line, no traceback
            assert dash.model.status.state == "disconnected"
        finally:
            dash.close()


def test_an_update_that_fails_every_tick_logs_once(client, waiter, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG, logger="jupyter_dashmon")
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("a bug in merging progress")

    monkeypatch.setattr(tf, "merge_progress", broken)
    dash = client.dashboard(interval=0.05)
    try:
        for i in range(5):
            client.submit(inc, i).result()
            time.sleep(0.2)
        waiter(lambda: len(calls) >= 3, 20, "several failing updates")
        errors = [r for r in dashmon_records(caplog) if "apply" in r.getMessage()]
        assert len(errors) == 1, [r.getMessage() for r in errors]
        assert errors[0].exc_info is not None  # the one line carries the traceback
        assert dash.model.status.state == "live"
    finally:
        dash.close()


def test_a_collector_that_cannot_be_sent_logs_once(client, waiter, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG, logger="jupyter_dashmon")
    attempts = []

    def unpicklable(plugin):
        attempts.append(1)
        raise TypeError("cannot pickle this collector")

    monkeypatch.setattr(listener_module, "pickled_plugin", unpicklable)
    dash = client.dashboard(interval=0.01)
    try:
        waiter(lambda: len(attempts) >= 3, 30, "several registration attempts")
        assert dash.model.status.state == "error"
        assert "cannot pickle this collector" in dash.model.status.message
        warnings = dashmon_records(caplog)
        assert len(warnings) == 1, [r.getMessage() for r in warnings]
        assert client.submit(noop, 1).result() == 1
    finally:
        dash.close()


def test_a_scheduler_on_another_python_is_refused_before_anything_is_sent(
    cluster, client, waiter, monkeypatch
):
    # The scheduler's own ``versions`` answer, saying Python 3.12: the collector,
    # pickled by value with this kernel's bytecode, crashed a real 3.12 scheduler.
    scheduler = cluster.scheduler
    real = scheduler.handlers["versions"]

    def other_python(*args, **kwargs):
        answer = real(*args, **kwargs)
        answer["host"]["python"] = "3.12.1.final.0"
        return answer

    monkeypatch.setitem(scheduler.handlers, "versions", other_python)
    sent = []
    monkeypatch.setattr(
        listener_module, "pickled_plugin", lambda plugin: sent.append(1) or b"never sent"
    )
    dash = client.dashboard(interval=0.05)
    try:
        waiter(lambda: dash.model.status.state == "error", 30, "error")
        message = dash.model.status.message
        assert "Python 3.12" in message and "same Python version" in message, message
        assert sent == [] and PLUGIN_NAME not in scheduler.plugins
        assert client.submit(noop, 1).result() == 1  # the user's work goes on
    finally:
        dash.close()
