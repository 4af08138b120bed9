"""Task functions shipped to worker processes (importable by name from the tests' path)."""

from __future__ import annotations

import random
import time


def inc(x):
    time.sleep(random.random() / 10)
    return x + 1


def dec(x):
    time.sleep(random.random() / 10)
    return x - 1


def add(x, y):
    time.sleep(random.random() / 10)
    return x + y


def slow(x, delay=0.05):
    time.sleep(delay)
    return x


def fail(x):
    raise ValueError(f"task {x} fails on purpose")


def noop(x):
    return x


#: What :func:`hold` keeps alive in a worker process, outside Dask's results.
_HELD: list = []


def hold(nbytes):
    """Allocate ``nbytes`` the worker keeps (written, so the pages are really used)."""
    _HELD.append(b"\x01" * nbytes)
    return len(_HELD)


def let_go():
    _HELD.clear()
    return 0
