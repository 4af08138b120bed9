"""Runs in the kernel: asks JupyterLab to show a dashboard in its right side panel.

The JupyterLab extension listens on the ``jupyter_dashmon`` comm target of
every notebook's kernel. Opening a comm there with a ``show`` message makes it
render a second view of the dashboard's widget model in a side panel; the
model, and so the data, is shared with any view in the notebook.
"""

from __future__ import annotations

from typing import Any

from comm import create_comm

from .kernel import kernel_comm_manager
from .messages import COMM_TARGET, ShowMessage

TITLE = "Dask dashboard"


def show_in_sidebar(dashboard: Any) -> None:
    """Show ``dashboard`` in the JupyterLab (or Notebook 7) right side panel.

    Parameters
    ----------
    dashboard : jupyter_dashmon.Dashboard
        An open dashboard; only its widget ``model_id`` crosses to the front-end.

    Raises
    ------
    RuntimeError
        Outside a Jupyter kernel, where there is no front-end to show it in.
    """
    if kernel_comm_manager() is None:
        raise RuntimeError(
            "Dashboard.sidebar() needs a Jupyter kernel with a JupyterLab or Notebook 7 "
            "front-end. Outside one, show the dashboard as the last expression of a cell."
        )
    message: ShowMessage = {"action": "show", "model_id": dashboard.model_id, "title": TITLE}
    create_comm(target_name=COMM_TARGET, data=message).close()
