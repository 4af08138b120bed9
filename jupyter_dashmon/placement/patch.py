"""Runs in the kernel: hooks ``Client.dashboard`` and dashboard closing into distributed.

``distributed.Client`` gains a ``dashboard(**options)`` method, and its close
(synchronous or asynchronous, both go through ``Client._close``) first closes
the Client's dashboards.  Installed once, at import.
"""

from __future__ import annotations

import functools
from typing import Any

from distributed import Client

from .inline import Dashboard, close_dashboards_of

_MARK = "_dashmon_hooked"


def _dashboard(self: Client, **options: Any) -> Dashboard:
    """A live dashboard of this Client as a Jupyter widget (see ``jupyter_dashmon.Dashboard``)."""
    return Dashboard(self, **options)


def install_client_hooks() -> None:
    """Add ``Client.dashboard`` and close dashboards when their Client closes."""
    if getattr(Client, _MARK, False):
        return
    Client.dashboard = _dashboard  # type: ignore[attr-defined]
    original = Client._close

    @functools.wraps(original)
    async def _close(self: Client, *args: Any, **kwargs: Any) -> Any:
        await close_dashboards_of(self)
        return await original(self, *args, **kwargs)

    Client._close = _close  # type: ignore[method-assign]
    setattr(Client, _MARK, True)

    try:
        from .kernel_comm import register_comm_target
    except ImportError:  # the side-panel protocol is optional for inline use
        return
    register_comm_target()
