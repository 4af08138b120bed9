"""Runs in the benchmark process: what machine and software the figures came from."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys

import psutil

PACKAGES = (
    "distributed",
    "dask",
    "bokeh",
    "bqplot",
    "ipywidgets",
    "jupyterlab",
    "jupyter_client",
    "psutil",
)


def cpu_model() -> str:
    """The CPU model name from ``/proc/cpuinfo`` (or the platform's guess)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def versions() -> dict[str, str]:
    """Python and the installed versions of the packages that matter here."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    try:
        import jupyter_dashmon

        out["jupyter_dashmon"] = jupyter_dashmon.__version__
    except Exception:
        out["jupyter_dashmon"] = "not importable"
    return out


def describe() -> dict[str, str]:
    """One line per fact about the machine, for RESULTS.md."""
    memory = psutil.virtual_memory().total / 2**30
    logical, physical = psutil.cpu_count(logical=True), psutil.cpu_count(logical=False)
    return {
        "cores": f"{logical} logical ({physical} physical)",
        "memory": f"{memory:.1f} GiB",
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "load at start": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
        "python": sys.version.split()[0],
        "versions": ", ".join(f"{k} {v}" for k, v in versions().items() if k != "python"),
    }
