"""Messages from the browser to the kernel: anything but the one request is ignored.

``placement/kernel_comm.py`` receives comm-open messages on the ``jupyter_dashmon``
target.  Each malformed one must be closed with one log line and no reply;
its data must never be evaluated, imported or opened as a path.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import logging
import os
import sys
import threading

import pytest

from jupyter_dashmon.placement import kernel_comm


class FakeComm:
    """Records what the handler does with the comm (the kernel's Comm API subset)."""

    def __init__(self):
        self.sent: list = []
        self.closed = 0

    def send(self, data=None, **kwargs):
        self.sent.append(data)

    def close(self, *args, **kwargs):
        self.closed += 1


def open_msg(data):
    return {"content": {"comm_id": "c1", "target_name": "jupyter_dashmon", "data": data}}


CANARY = "/tmp/jupyter_dashmon_canary_must_not_exist"
CODE = f"open({CANARY!r}, 'w').write('evaluated')"

MALFORMED = {
    "unknown request": open_msg({"request": "shutdown"}),
    "request of the wrong type": open_msg({"request": 1}),
    "request is a list": open_msg({"request": ["dashboard"]}),
    "extra keys": open_msg({"request": "dashboard", "model_id": "x"}),
    "missing request": open_msg({}),
    "data is a string": open_msg("dashboard"),
    "data is a list": open_msg(["request", "dashboard"]),
    "data is None": open_msg(None),
    "huge string": open_msg({"request": "x" * 5_000_000}),
    "a path": open_msg({"request": "/etc/passwd"}),
    "a relative path": open_msg({"request": "../../../../etc/shadow"}),
    "python code": open_msg({"request": CODE}),
    "python code as key": open_msg({CODE: "dashboard"}),
    "no content": {},
    "content is None": {"content": None},
    "content is a string": {"content": "dashboard"},
    "message is a list": [],
}


@contextlib.contextmanager
def watched():
    """Record every eval, exec, compile, open or new import while the handler runs."""
    touched: list = []
    saved = {
        name: getattr(builtins, name) for name in ("eval", "exec", "compile", "open", "__import__")
    }
    saved_import_module = importlib.import_module

    owner = threading.get_ident()  # other threads (the cluster's monitors) carry on as usual

    def trap(name):
        original = saved.get(name, saved_import_module)

        def refuse(*args, **kwargs):
            if threading.get_ident() != owner:
                return original(*args, **kwargs)
            touched.append((name, str(args)[:80]))
            raise RuntimeError(f"{name} called by the comm handler")

        return refuse

    def guarded_import(mod, *args, **kwargs):
        if mod not in sys.modules and threading.get_ident() == owner:
            touched.append(("import", mod))
        return saved["__import__"](mod, *args, **kwargs)

    try:
        for name in ("eval", "exec", "compile", "open"):
            setattr(builtins, name, trap(name))
        builtins.__import__ = guarded_import
        importlib.import_module = trap("import_module")
        yield touched
    finally:
        for name, value in saved.items():
            setattr(builtins, name, value)
        importlib.import_module = saved_import_module


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_message_is_ignored_with_one_log_line(case, caplog):
    caplog.set_level(logging.DEBUG, logger="jupyter_dashmon")
    comm = FakeComm()
    with watched() as touched:
        kernel_comm._on_comm_open(comm, MALFORMED[case])
    assert comm.sent == []
    assert comm.closed == 1
    lines = [r for r in caplog.records if r.name == "jupyter_dashmon"]
    assert len(lines) == 1, [r.getMessage()[:200] for r in lines]
    assert lines[0].levelno == logging.WARNING
    assert len(lines[0].getMessage()) < 500  # a huge message is not copied into the log
    assert touched == []
    assert not os.path.exists(CANARY)


def test_the_one_valid_request_is_answered_without_a_client(monkeypatch):
    def no_client():
        raise ValueError("No clients found")

    monkeypatch.setattr(kernel_comm, "default_client", no_client)
    comm = FakeComm()
    with watched() as touched:
        kernel_comm._on_comm_open(comm, open_msg({"request": "dashboard"}))
    assert comm.sent == [{"status": "error", "message": kernel_comm.NO_CLIENT}]
    assert comm.closed == 1
    assert touched == []
