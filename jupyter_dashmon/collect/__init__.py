"""Runs in the scheduler: the collector and the messages it answers with.

Everything in this package imports only the standard library and
``distributed``.  :func:`pickled_plugin` serialises the collector *by value*,
so a scheduler whose environment lacks ``jupyter_dashmon`` can still run it.
"""

from __future__ import annotations

import sys

import cloudpickle

from .plugin import DashmonPlugin


def pickled_plugin(plugin: DashmonPlugin) -> bytes:
    """``plugin`` as bytes that unpickle without ``jupyter_dashmon`` installed."""
    package = sys.modules[__name__]
    if __name__ not in cloudpickle.list_registry_pickle_by_value():
        cloudpickle.register_pickle_by_value(package)
    return cloudpickle.dumps(plugin)


__all__ = ["DashmonPlugin", "pickled_plugin"]
