"""Runs in the kernel: the Dask dashboard as Jupyter widgets, no extra port.

``import jupyter_dashmon`` adds ``Client.dashboard(**options)``, which returns
a :class:`Dashboard`; closing the Client closes its dashboards.
"""

from __future__ import annotations

from .config import Options, resolve_options
from .placement.cells import track
from .placement.inline import Dashboard
from .placement.install import install
from .placement.recorder import report

__version__ = "0.1.0"
__all__ = ["Dashboard", "Options", "__version__", "report", "resolve_options", "track"]

install()
