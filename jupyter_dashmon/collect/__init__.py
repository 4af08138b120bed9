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


def python_mismatch(versions: object) -> str | None:
    """Why the pickled collector cannot load on a scheduler, from its ``versions`` answer.

    Code pickled by value carries this interpreter's bytecode: another
    Python minor version (3.12 for a 3.11 kernel) may crash the scheduler
    process while unpickling it (seen here: a 3.12 scheduler exited with
    SIGSEGV).  None when the versions match or the answer does not say.
    """
    host = versions.get("host") if isinstance(versions, dict) else None
    text = host.get("python") if isinstance(host, dict) else None
    if not isinstance(text, str):
        return None
    try:
        theirs = tuple(int(part) for part in text.split(".")[:2])
    except ValueError:
        return None
    ours = tuple(sys.version_info[:2])
    if theirs == ours:
        return None
    return (
        f"the scheduler runs Python {theirs[0]}.{theirs[1]} and this kernel Python "
        f"{ours[0]}.{ours[1]}; the dashboard's collector is sent to the scheduler as "
        "Python code, which needs the same Python version on both sides"
    )


__all__ = ["DashmonPlugin", "pickled_plugin", "python_mismatch"]
