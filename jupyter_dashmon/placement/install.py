"""Runs in the kernel: what ``import jupyter_dashmon`` adds to the session.

``distributed.Client`` gains one public method, ``dashboard(**options)``; no
method of ``distributed`` is replaced (closing a Client closes its dashboards
through the Client's preloads, see :mod:`.registry`).  In a Jupyter kernel,
the side panel's comm target is registered too, and each cell's Dask work is
attributed to it (:mod:`.cells`).
"""

from __future__ import annotations

from typing import Any

from distributed import Client

from .cells import install_cell_hooks
from .inline import Dashboard
from .kernel_comm import register_comm_target


def _dashboard(self: Client, **options: Any) -> Dashboard:
    """A live dashboard of this Client as a Jupyter widget (see ``jupyter_dashmon.Dashboard``)."""
    return Dashboard(self, **options)


def install() -> None:
    """Add ``Client.dashboard``; let the side panel ask this kernel for its dashboard."""
    if getattr(Client, "dashboard", None) is not _dashboard:
        Client.dashboard = _dashboard  # type: ignore[attr-defined]
    register_comm_target()
    install_cell_hooks()
