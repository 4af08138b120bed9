"""Runs in the kernel: answers the side panel's request for the dashboard.

The JupyterLab extension opens a comm on the ``jupyter_dashmon`` target with
``{"request": "dashboard"}``. The handler registered here finds the kernel's
default Dask Client, gets or creates its :class:`~jupyter_dashmon.Dashboard`,
and answers with the dashboard's widget model id, or with an error message in
plain words. Data from the front-end is only compared, never evaluated.
"""

from __future__ import annotations

import logging
import reprlib
from typing import Any

from distributed.client import default_client

from .inline import Dashboard
from .kernel import kernel_comm_manager
from .messages import COMM_TARGET, DashboardReply

logger = logging.getLogger("jupyter_dashmon")

NO_CLIENT = (
    "This kernel has no Dask Client. Create one, e.g. "
    "`from distributed import Client; client = Client()`, "
    "then open the dashboard again."
)


def register_comm_target() -> bool:
    """Let the JupyterLab extension ask this kernel for its dashboard.

    Safe to call more than once, and outside a kernel, where it does nothing.

    Returns
    -------
    bool
        True when the target is registered (now or before), False outside a
        kernel.
    """
    manager = kernel_comm_manager()
    if manager is None:
        return False
    if manager.targets.get(COMM_TARGET) is not _on_comm_open:
        manager.register_target(COMM_TARGET, _on_comm_open)
    return True


def dashboard_reply() -> DashboardReply:
    """Get or create the dashboard of the default Client, as a reply to send.

    Returns
    -------
    DashboardReply
        ``{"status": "ok", "model_id": ...}``, or ``{"status": "error",
        "message": ...}`` when there is no Client or the dashboard fails.
    """
    try:
        client = default_client()
    except ValueError:
        return {"status": "error", "message": NO_CLIENT}
    try:
        dashboard = Dashboard.for_client(client)
    except Exception as error:  # the reason goes to the panel, not lost in the kernel
        logger.exception("could not open the dashboard for the side panel")
        return {
            "status": "error",
            "message": f"The dashboard could not be opened ({type(error).__name__}: {error}).",
        }
    return {"status": "ok", "model_id": dashboard.model_id}


def _on_comm_open(comm: Any, open_msg: dict[str, Any]) -> None:
    content = open_msg.get("content") if isinstance(open_msg, dict) else None
    data = content.get("data") if isinstance(content, dict) else None
    if data != {"request": "dashboard"}:
        logger.warning("ignored an unknown comm message on %s: %s", COMM_TARGET, reprlib.repr(data))
        comm.close()
        return
    comm.send(dashboard_reply())
    comm.close()
